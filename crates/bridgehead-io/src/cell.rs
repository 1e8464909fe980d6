//! Turning cell contents into the text a user saw in Excel: trimming, numbers without
//! binary noise, and Excel serial dates (with the 1900 leap-year bug).

use time::{Date, Duration, macros::date};

/// Trims the value and maps an empty one to `None`. Besides ASCII spaces this trims
/// NBSP and the full-width space, both common in files pasted from web pages and Word,
/// and the zero-width characters that invisible editors leave behind.
pub(crate) fn clean(value: &str) -> Option<String> {
    let trimmed = value.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{FEFF}' | '\u{200B}'));
    if trimmed.is_empty() { None } else { Some(trimmed.to_owned()) }
}

/// Renders a number the way Excel displays it in the General format: integers without
/// ".0", others rounded to Excel's 15 significant digits and then written in the
/// shortest form, so 1234.5599999999999 (as stored in the file) reads as 1234.56.
pub(crate) fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    // Exactly representable integers: cast to avoid "-0" and keep all digits.
    if value.fract() == 0.0 && value.abs() < 1e15 {
        #[allow(clippy::cast_possible_truncation)]
        return (value as i64).to_string();
    }
    let rounded: f64 = format!("{value:.14e}").parse().unwrap_or(value);
    if rounded == 0.0 { "0".to_owned() } else { rounded.to_string() }
}

/// The last serial Excel accepts, 9999-12-31.
const MAX_SERIAL: f64 = 2_958_466.0;

/// Splits a serial into whole days and seconds into the day, rounding to the second
/// because stored times carry float noise (07:59:59.9999 means 08:00:00).
fn split_serial(serial: f64) -> Option<(i64, i64)> {
    if !serial.is_finite() || !(0.0..MAX_SERIAL).contains(&serial) {
        return None;
    }
    #[allow(clippy::cast_possible_truncation)]
    let total_seconds = (serial * 86_400.0).round() as i64;
    Some((total_seconds.div_euclid(86_400), total_seconds.rem_euclid(86_400)))
}

/// The calendar date of a whole-day serial; `Err(())` for serial 60 in the 1900 system,
/// the 1900-02-29 that Excel invented to stay compatible with Lotus 1-2-3.
fn serial_day_to_date(days: i64, is_1904: bool) -> Option<Result<Date, ()>> {
    let date = if is_1904 {
        date!(1904 - 01 - 01).checked_add(Duration::days(days))
    } else if days == 60 {
        return Some(Err(()));
    } else if days < 60 {
        // Before the fictitious day serial 1 is 1900-01-01.
        date!(1899 - 12 - 31).checked_add(Duration::days(days))
    } else {
        // From 1900-03-01 on every serial is one higher than the real day count.
        date!(1899 - 12 - 30).checked_add(Duration::days(days))
    };
    date.map(Ok)
}

fn iso(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

fn clock(seconds: i64) -> String {
    format!("{:02}:{:02}:{:02}", seconds / 3600, seconds % 3600 / 60, seconds % 60)
}

/// Converts an Excel serial day number (1900 date system, as in nearly every workbook)
/// to "YYYY-MM-DD", for date columns whose cells were typed as plain numbers. A time of
/// day in the fraction is dropped. `None` for zero, negative, non-finite and
/// beyond-9999 serials, and for serial 60, the 1900-02-29 that never existed.
pub fn excel_serial_to_iso_date(serial: f64) -> Option<String> {
    let (days, _) = split_serial(serial)?;
    if days < 1 {
        return None;
    }
    serial_day_to_date(days, false)?.ok().map(iso)
}

/// Renders a cell formatted as a date, time or date-time as Excel shows it: the date,
/// the date and time when there is a time of day, only the time below serial 1.
pub(crate) fn format_excel_datetime(serial: f64, is_1904: bool) -> String {
    let Some((days, seconds)) = split_serial(serial) else {
        return format_number(serial);
    };
    // Serials below 1 are times of day in both date systems.
    if days == 0 {
        return clock(seconds);
    }
    let date = match serial_day_to_date(days, is_1904) {
        Some(Ok(date)) => iso(date),
        // Shown as written so the user recognises the cell; validation will refuse it.
        Some(Err(())) => "1900-02-29".to_owned(),
        None => return format_number(serial),
    };
    if seconds == 0 { date } else { format!("{date} {}", clock(seconds)) }
}

/// Renders a duration (a `[h]:mm:ss` cell) as hours:minutes:seconds.
pub(crate) fn format_excel_duration(days: f64) -> String {
    if !days.is_finite() || days.abs() > 1e9 {
        return format_number(days);
    }
    #[allow(clippy::cast_possible_truncation)]
    let seconds = (days * 86_400.0).round() as i64;
    let sign = if seconds < 0 { "-" } else { "" };
    let seconds = seconds.abs();
    format!("{sign}{}:{:02}:{:02}", seconds / 3600, seconds % 3600 / 60, seconds % 60)
}

/// Renders an ISO 8601 date-time cell (`t="d"`) like a date-formatted serial.
pub(crate) fn format_iso_datetime(value: &str) -> String {
    let value = value.trim();
    let Some((date, time)) = value.split_once('T') else {
        return value.to_owned();
    };
    let time = time.split(['.', 'Z', '+']).next().unwrap_or_default();
    if time.is_empty() || time == "00:00:00" || time == "00:00" { date.to_owned() } else { format!("{date} {time}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_dates() {
        assert_eq!(excel_serial_to_iso_date(45000.0).as_deref(), Some("2023-03-15"));
        assert_eq!(excel_serial_to_iso_date(45000.75).as_deref(), Some("2023-03-15"));
        assert_eq!(excel_serial_to_iso_date(1.0).as_deref(), Some("1900-01-01"));
        assert_eq!(excel_serial_to_iso_date(59.0).as_deref(), Some("1900-02-28"));
        assert_eq!(excel_serial_to_iso_date(60.0), None);
        assert_eq!(excel_serial_to_iso_date(61.0).as_deref(), Some("1900-03-01"));
        assert_eq!(excel_serial_to_iso_date(36526.0).as_deref(), Some("2000-01-01"));
        assert_eq!(excel_serial_to_iso_date(2_958_465.0).as_deref(), Some("9999-12-31"));
        assert_eq!(excel_serial_to_iso_date(2_958_466.0), None);
        assert_eq!(excel_serial_to_iso_date(0.0), None);
        assert_eq!(excel_serial_to_iso_date(0.4), None);
        assert_eq!(excel_serial_to_iso_date(-1.0), None);
        assert_eq!(excel_serial_to_iso_date(f64::NAN), None);
        assert_eq!(excel_serial_to_iso_date(f64::INFINITY), None);
    }

    #[test]
    fn datetimes_as_excel_shows_them() {
        assert_eq!(format_excel_datetime(45000.0, false), "2023-03-15");
        assert_eq!(format_excel_datetime(45000.5, false), "2023-03-15 12:00:00");
        // Float noise just below midnight rounds to the next day, not 23:59:59.
        assert_eq!(format_excel_datetime(45_000.999_999_99, false), "2023-03-16");
        assert_eq!(format_excel_datetime(0.75, false), "18:00:00");
        assert_eq!(format_excel_datetime(60.0, false), "1900-02-29");
        assert_eq!(format_excel_datetime(1.0, true), "1904-01-02");
        assert_eq!(format_excel_datetime(43538.0, true), "2023-03-15");
        assert_eq!(format_excel_datetime(-3.0, false), "-3");
        assert_eq!(format_excel_duration(1.5), "36:00:00");
        assert_eq!(format_iso_datetime("2023-03-15T00:00:00"), "2023-03-15");
        assert_eq!(format_iso_datetime("2023-03-15T08:30:00.000Z"), "2023-03-15 08:30:00");
        assert_eq!(format_iso_datetime("2023-03-15"), "2023-03-15");
    }

    #[test]
    fn numbers_as_excel_shows_them() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(1234.56), "1234.56");
        // One step above 1234.56, as a formula result might store it.
        assert_eq!(format_number(f64::from_bits(1234.56_f64.to_bits() + 1)), "1234.56");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(-12.5), "-12.5");
        assert_eq!(format_number(91_330_100_716_105.0), "91330100716105");
        assert_eq!(format_number(1e15), "1000000000000000");
        assert_eq!(format_number(0.000_123), "0.000123");
    }

    #[test]
    fn cleaning_trims_every_kind_of_space() {
        assert_eq!(clean("  a b "), Some("a b".to_owned()));
        assert_eq!(clean("\u{3000}企业\u{A0}"), Some("企业".to_owned()));
        assert_eq!(clean("\u{FEFF}\t\r\n"), None);
        assert_eq!(clean(""), None);
    }
}
