//! Working days as offices in mainland China count them, for deadlines such as the
//! tax-free confirmation of imported equipment: Monday to Friday, except the public
//! holidays (放假) the State Council General Office announces for each year in its notice
//! on holiday arrangements (国务院办公厅关于…年部分节假日安排的通知), plus the Saturdays
//! and Sundays that notice turns into working days (调休上班).
//!
//! The calendar is data, imported one year at a time as `date,kind,name` CSV (see
//! [`parse_calendar_csv`]), never code. The holidays of a year whose notice has not been
//! loaded are unknown, so counting into such a year is [`CalendarError::YearNotCovered`]
//! rather than a guess.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::{Date, Weekday};

use crate::FieldError;

/// How a listed day differs from the Monday-to-Friday rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A day off (放假), even when it falls on a weekday.
    Holiday,
    /// An adjusted working day (调休上班): a Saturday or Sunday that is worked.
    Workday,
}

impl DayKind {
    /// `holiday` or `workday`, as written in the CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Holiday => "holiday",
            Self::Workday => "workday",
        }
    }

    /// `holiday` / `workday` (any case), or the Chinese 休 / 班.
    pub fn parse(input: &str) -> Option<Self> {
        let input = input.trim();
        if input.eq_ignore_ascii_case("holiday") || input == "休" {
            Some(Self::Holiday)
        } else if input.eq_ignore_ascii_case("workday") || input == "班" {
            Some(Self::Workday)
        } else {
            None
        }
    }
}

/// One day that differs from the Monday-to-Friday rule (or, for clarity, a weekend day
/// inside a holiday period), with the name of the holiday it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: Date,
    pub kind: DayKind,
    /// E.g. 国庆节, or 国庆节调休上班 for an adjusted working day.
    pub name: String,
}

/// Why a calendar could not be built or could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the working calendar does not cover {0}: its holidays are unknown until that year's notice is loaded")]
    YearNotCovered(i32),
    #[error("{0} is listed twice")]
    DuplicateDate(Date),
    #[error("{date} is a {weekday}, a working day anyway; only a Saturday or Sunday can be made a working day")]
    WorkdayOnWeekday { date: Date, weekday: Weekday },
    #[error("{date} lies in {year}, a year the calendar is not said to cover")]
    DayOutsideYears { date: Date, year: i32 },
    #[error("counting past {0} leaves the range of representable dates")]
    OutOfRange(Date),
}

impl CalendarError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::YearNotCovered(_) => "calendar.year_not_covered",
            Self::DuplicateDate(_) => "calendar.duplicate_date",
            Self::WorkdayOnWeekday { .. } => "calendar.workday_on_weekday",
            Self::DayOutsideYears { .. } => "calendar.day_outside_years",
            Self::OutOfRange(_) => "calendar.out_of_range",
        }
    }
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The working days of the years it covers: Monday to Friday unless listed as a
/// holiday, Saturday and Sunday only when listed as a workday.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    years: BTreeSet<i32>,
    days: BTreeMap<Date, CalendarDay>,
}

impl WorkingCalendar {
    /// A calendar covering `years`, whose exceptions are `days`. Refuses a date listed
    /// twice, a workday on a Monday to Friday, and a day outside `years`.
    pub fn new(
        years: impl IntoIterator<Item = i32>,
        days: impl IntoIterator<Item = CalendarDay>,
    ) -> Result<Self, CalendarError> {
        let years: BTreeSet<i32> = years.into_iter().collect();
        let mut map = BTreeMap::new();
        for day in days {
            let date = day.date;
            if !years.contains(&date.year()) {
                return Err(CalendarError::DayOutsideYears { date, year: date.year() });
            }
            if day.kind == DayKind::Workday && !is_weekend(date) {
                return Err(CalendarError::WorkdayOnWeekday { date, weekday: date.weekday() });
            }
            if map.insert(date, day).is_some() {
                return Err(CalendarError::DuplicateDate(date));
            }
        }
        Ok(Self { years, days: map })
    }

    /// A calendar covering exactly the years its days fall in ([`years`]). Suits one
    /// file per year whose days all lie in that year.
    pub fn from_days(days: Vec<CalendarDay>) -> Result<Self, CalendarError> {
        Self::new(years(&days), days)
    }

    /// Whether the holidays of `year` are known.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn covered_years(&self) -> &BTreeSet<i32> {
        &self.years
    }

    /// The listed exception for `date`, if any (to show its name).
    pub fn day(&self, date: Date) -> Option<&CalendarDay> {
        self.days.get(&date)
    }

    /// Monday to Friday unless listed as a holiday; Saturday and Sunday only if listed as
    /// a workday. For a year the calendar does not cover this is the bare weekday rule:
    /// check [`WorkingCalendar::covers`] first where that matters (the counting methods
    /// do).
    pub fn is_working_day(&self, date: Date) -> bool {
        match self.days.get(&date).map(|day| day.kind) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !is_weekend(date),
        }
    }

    fn checked_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        if self.covers(date.year()) {
            Ok(self.is_working_day(date))
        } else {
            Err(CalendarError::YearNotCovered(date.year()))
        }
    }

    /// The date of the `n`-th working day after `start` (`start` itself is not counted;
    /// `n = 0` gives `start`). Every day looked at must lie in a covered year.
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Date, CalendarError> {
        let mut date = start;
        let mut left = n;
        // Ends: each step either counts down or moves on through the finitely many
        // covered days, and leaving them is an error.
        while left > 0 {
            date = date.next_day().ok_or(CalendarError::OutOfRange(date))?;
            if self.checked_working_day(date)? {
                left -= 1;
            }
        }
        Ok(date)
    }

    /// The number of working days in `(from, to]`; negative (minus the working days in
    /// `(to, from]`) when `to` is before `from`. Every day counted must lie in a covered
    /// year.
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<i64, CalendarError> {
        if to < from {
            return self.working_days_between(to, from).map(|count| -count);
        }
        let mut count = 0;
        let mut date = from;
        while date < to {
            date = date.next_day().ok_or(CalendarError::OutOfRange(date))?;
            if self.checked_working_day(date)? {
                count += 1;
            }
        }
        Ok(count)
    }
}

/// The years the given days fall in.
pub fn years(days: &[CalendarDay]) -> BTreeSet<i32> {
    days.iter().map(|day| day.date.year()).collect()
}

/// Why one line of a calendar CSV was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarLineReason {
    #[error("the first line must be the header `date,kind,name`")]
    Header,
    #[error("a line has 3 columns (date,kind,name), this one has {0}")]
    ColumnCount(usize),
    #[error("a quoted field is not closed")]
    UnclosedQuote,
    #[error("not a date of the form YYYY-MM-DD")]
    Date,
    #[error("the kind is `holiday` (休) or `workday` (班)")]
    Kind,
    #[error("the name is empty")]
    EmptyName,
    #[error("the date is a {0}, a working day anyway; only a Saturday or Sunday can be made a working day")]
    WorkdayOnWeekday(Weekday),
    #[error("the date is already listed on line {0}")]
    Duplicate(usize),
}

impl CalendarLineReason {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Header => "calendar_csv.header",
            Self::ColumnCount(_) => "calendar_csv.column_count",
            Self::UnclosedQuote => "calendar_csv.unclosed_quote",
            Self::Date => "calendar_csv.date",
            Self::Kind => "calendar_csv.kind",
            Self::EmptyName => "calendar_csv.empty_name",
            Self::WorkdayOnWeekday(_) => "calendar_csv.workday_on_weekday",
            Self::Duplicate(_) => "calendar_csv.duplicate",
        }
    }
}

/// One refused line of a calendar CSV: where, what, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, {column} '{value}': {reason}")]
pub struct CalendarLineError {
    /// 1-based, counting every physical line including the header and blank lines.
    pub line: usize,
    /// `date`, `kind` or `name`; `row` when the whole line is at fault (header, column
    /// count, quoting).
    pub column: &'static str,
    /// The offending value as given (at most 200 characters).
    pub value: String,
    pub reason: CalendarLineReason,
}

impl CalendarLineError {
    fn new(line: usize, column: &'static str, value: &str, reason: CalendarLineReason) -> Self {
        Self { line, column, value: value.chars().take(200).collect(), reason }
    }

    /// As a [`FieldError`] naming the column, with the line number as a parameter.
    pub fn into_field_error(self) -> FieldError {
        let message = self.reason.to_string();
        let error = FieldError::new(self.column, self.reason.code(), message)
            .with_value(&self.value)
            .with_param("line", self.line);
        match self.reason {
            CalendarLineReason::ColumnCount(count) => error.with_param("count", count),
            CalendarLineReason::WorkdayOnWeekday(weekday) => error.with_param("weekday", weekday),
            CalendarLineReason::Duplicate(first_line) => error.with_param("first_line", first_line),
            _ => error,
        }
    }
}

/// Splits one CSV line into trimmed fields; double quotes may enclose a field (`""` is
/// a quote inside one). `None` when a quote is not closed.
fn split_fields(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(character) = chars.next() {
        if quoted {
            if character == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(character);
            }
        } else if character == '"' {
            quoted = true;
        } else if character == ',' {
            fields.push(field.trim().to_owned());
            field.clear();
        } else {
            field.push(character);
        }
    }
    if quoted {
        return None;
    }
    fields.push(field.trim().to_owned());
    Some(fields)
}

/// Parses a calendar CSV: a header line `date,kind,name`, then one line per day with
/// the date as `YYYY-MM-DD`, the kind `holiday` or `workday` (or 休 / 班) and a name.
/// Blank lines are skipped; a leading byte-order mark is allowed. Refuses a `workday`
/// on a Monday to Friday and a date listed twice. Reports every bad line at once.
pub fn parse_calendar_csv(text: &str) -> Result<Vec<CalendarDay>, Vec<CalendarLineError>> {
    let format = format_description!("[year]-[month]-[day]");
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut errors = Vec::new();
    let mut days = Vec::new();
    let mut first_lines: BTreeMap<Date, usize> = BTreeMap::new();
    let mut header_seen = false;

    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let Some(fields) = split_fields(raw) else {
            errors.push(CalendarLineError::new(line, "row", raw, CalendarLineReason::UnclosedQuote));
            header_seen = true;
            continue;
        };
        if !header_seen {
            header_seen = true;
            let is_header = fields.len() == 3
                && ["date", "kind", "name"].iter().zip(&fields).all(|(want, got)| got.eq_ignore_ascii_case(want));
            if !is_header {
                errors.push(CalendarLineError::new(line, "row", raw, CalendarLineReason::Header));
            }
            continue;
        }
        let [date_text, kind_text, name] = fields.as_slice() else {
            errors.push(CalendarLineError::new(line, "row", raw, CalendarLineReason::ColumnCount(fields.len())));
            continue;
        };

        let date = Date::parse(date_text, format).ok();
        if date.is_none() {
            errors.push(CalendarLineError::new(line, "date", date_text, CalendarLineReason::Date));
        }
        let kind = DayKind::parse(kind_text);
        if kind.is_none() {
            errors.push(CalendarLineError::new(line, "kind", kind_text, CalendarLineReason::Kind));
        }
        if name.is_empty() {
            errors.push(CalendarLineError::new(line, "name", name, CalendarLineReason::EmptyName));
        }
        if let Some(date) = date {
            if let Some(&first_line) = first_lines.get(&date) {
                errors.push(CalendarLineError::new(line, "date", date_text, CalendarLineReason::Duplicate(first_line)));
            } else {
                first_lines.insert(date, line);
            }
            if kind == Some(DayKind::Workday) && !is_weekend(date) {
                errors.push(CalendarLineError::new(
                    line,
                    "kind",
                    kind_text,
                    CalendarLineReason::WorkdayOnWeekday(date.weekday()),
                ));
            }
        }
        if let (Some(date), Some(kind)) = (date, kind)
            && !name.is_empty()
        {
            days.push(CalendarDay { date, kind, name: name.clone() });
        }
    }
    if !header_seen {
        errors.push(CalendarLineError::new(1, "row", "", CalendarLineReason::Header));
    }
    if errors.is_empty() { Ok(days) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn calendar(csv: &str) -> WorkingCalendar {
        WorkingCalendar::from_days(parse_calendar_csv(csv).unwrap()).unwrap()
    }

    /// The National Day arrangement of 2024 (国办发明电〔2023〕7号, item 七): 10月1日至7日
    /// 放假调休,9月29日(星期日)、10月12日(星期六)上班.
    const NATIONAL_DAY_2024: &str = "date,kind,name
2024-09-29,workday,国庆节调休上班
2024-10-01,holiday,国庆节
2024-10-02,holiday,国庆节
2024-10-03,holiday,国庆节
2024-10-04,holiday,国庆节
2024-10-05,holiday,国庆节
2024-10-06,holiday,国庆节
2024-10-07,holiday,国庆节
2024-10-12,workday,国庆节调休上班
";

    #[test]
    fn national_day_2024_seven_working_days_from_friday_27_september() {
        let cal = calendar(NATIONAL_DAY_2024);
        // Counting from Fri 2024-09-27 (not itself counted):
        //   Sat 09-28 off; Sun 09-29 worked (调休) = 1; Mon 09-30 = 2;
        //   Tue 10-01 .. Mon 10-07 off (国庆节);
        //   Tue 10-08 = 3; Wed 10-09 = 4; Thu 10-10 = 5; Fri 10-11 = 6;
        //   Sat 10-12 worked (调休) = 7.
        // The bare Mon–Fri rule would give 10-08; holidays without the adjusted working
        // days would give 10-15.
        let start = date!(2024 - 09 - 27);
        assert_eq!(cal.add_working_days(start, 1), Ok(date!(2024 - 09 - 29)));
        assert_eq!(cal.add_working_days(start, 2), Ok(date!(2024 - 09 - 30)));
        assert_eq!(cal.add_working_days(start, 3), Ok(date!(2024 - 10 - 08)));
        assert_eq!(cal.add_working_days(start, 7), Ok(date!(2024 - 10 - 12)));
        assert_eq!(cal.add_working_days(start, 8), Ok(date!(2024 - 10 - 14)));
        assert_eq!(cal.working_days_between(start, date!(2024 - 10 - 12)), Ok(7));
        assert_eq!(cal.working_days_between(date!(2024 - 10 - 12), start), Ok(-7));
        assert_eq!(cal.working_days_between(start, date!(2024 - 10 - 07)), Ok(2));
        assert!(cal.is_working_day(date!(2024 - 09 - 29)));
        assert!(!cal.is_working_day(date!(2024 - 09 - 28)));
        assert!(!cal.is_working_day(date!(2024 - 10 - 01)));
        assert!(!cal.is_working_day(date!(2024 - 10 - 07)));
        assert!(cal.is_working_day(date!(2024 - 10 - 12)));
        assert!(!cal.is_working_day(date!(2024 - 10 - 13)));
        assert_eq!(cal.day(date!(2024 - 10 - 03)).map(|day| day.name.as_str()), Some("国庆节"));
    }

    #[test]
    fn spring_festival_2025_new_years_eve_is_off() {
        // 国办发明电〔2024〕12号, item 二: 1月28日(农历除夕、周二)至2月4日(农历正月初七、
        // 周二)放假调休,共8天。1月26日(周日)、2月8日(周六)上班. Written with 休 / 班.
        let cal = calendar(
            "date,kind,name
2025-01-26,班,春节调休上班
2025-01-28,休,春节
2025-01-29,休,春节
2025-01-30,休,春节
2025-01-31,休,春节
2025-02-01,休,春节
2025-02-02,休,春节
2025-02-03,休,春节
2025-02-04,休,春节
2025-02-08,班,春节调休上班
",
        );
        // From Fri 2025-01-24: Sat 01-25 off; Sun 01-26 worked = 1; Mon 01-27 = 2;
        // Tue 01-28 (除夕) .. Tue 02-04 off; Wed 02-05 = 3; Thu 02-06 = 4; Fri 02-07 = 5;
        // Sat 02-08 worked = 6; Sun 02-09 off; Mon 02-10 = 7.
        let start = date!(2025 - 01 - 24);
        let expected = [
            date!(2025 - 01 - 26),
            date!(2025 - 01 - 27),
            date!(2025 - 02 - 05),
            date!(2025 - 02 - 06),
            date!(2025 - 02 - 07),
            date!(2025 - 02 - 08),
            date!(2025 - 02 - 10),
        ];
        for (n, want) in (1..).zip(expected) {
            assert_eq!(cal.add_working_days(start, n), Ok(want), "n = {n}");
        }
        assert_eq!(cal.working_days_between(start, date!(2025 - 02 - 10)), Ok(7));
        assert!(!cal.is_working_day(date!(2025 - 01 - 28)));
        assert!(cal.is_working_day(date!(2025 - 01 - 27)));
    }

    #[test]
    fn plain_week_is_monday_to_friday() {
        let cal = WorkingCalendar::new([2024], []).unwrap();
        let monday = date!(2024 - 03 - 04);
        assert_eq!(cal.add_working_days(monday, 4), Ok(date!(2024 - 03 - 08)));
        assert_eq!(cal.add_working_days(monday, 5), Ok(date!(2024 - 03 - 11)));
        assert_eq!(cal.add_working_days(date!(2024 - 03 - 08), 1), Ok(date!(2024 - 03 - 11)));
        // From a Saturday the next working day is Monday.
        assert_eq!(cal.add_working_days(date!(2024 - 03 - 09), 1), Ok(date!(2024 - 03 - 11)));
        assert_eq!(cal.working_days_between(monday, date!(2024 - 03 - 11)), Ok(5));
        assert_eq!(cal.working_days_between(date!(2024 - 03 - 08), date!(2024 - 03 - 10)), Ok(0));
        assert_eq!(cal.working_days_between(monday, monday), Ok(0));
        assert!(!cal.is_working_day(date!(2024 - 03 - 09)));
        assert!(!cal.is_working_day(date!(2024 - 03 - 10)));
    }

    #[test]
    fn zero_working_days_is_the_start_itself() {
        let cal = calendar(NATIONAL_DAY_2024);
        assert_eq!(cal.add_working_days(date!(2024 - 10 - 03), 0), Ok(date!(2024 - 10 - 03)));
        assert_eq!(cal.add_working_days(date!(2024 - 03 - 09), 0), Ok(date!(2024 - 03 - 09)));
    }

    #[test]
    fn counting_into_an_uncovered_year_is_an_error() {
        let cal = calendar(NATIONAL_DAY_2024);
        assert!(cal.covers(2024));
        assert!(!cal.covers(2025));
        // Fri 2024-12-27: Mon 12-30 = 1, Tue 12-31 = 2, then 2025 is unknown.
        let start = date!(2024 - 12 - 27);
        assert_eq!(cal.add_working_days(start, 2), Ok(date!(2024 - 12 - 31)));
        assert_eq!(cal.add_working_days(start, 3), Err(CalendarError::YearNotCovered(2025)));
        assert_eq!(cal.add_working_days(start, u32::MAX), Err(CalendarError::YearNotCovered(2025)));
        assert_eq!(
            cal.working_days_between(date!(2024 - 12 - 01), date!(2025 - 01 - 10)),
            Err(CalendarError::YearNotCovered(2025))
        );
        assert_eq!(
            cal.working_days_between(date!(2024 - 01 - 10), date!(2023 - 12 - 01)),
            Err(CalendarError::YearNotCovered(2023))
        );
        // A start in an uncovered year is not counted, but the next day is.
        assert_eq!(cal.add_working_days(date!(2023 - 12 - 29), 1), Err(CalendarError::YearNotCovered(2023)));
        assert_eq!(cal.add_working_days(date!(2023 - 12 - 31), 1), Ok(date!(2024 - 01 - 01)));
    }

    #[test]
    fn a_calendar_refuses_contradictions() {
        let holiday = |date, name: &str| CalendarDay { date, kind: DayKind::Holiday, name: name.to_owned() };
        let workday = |date| CalendarDay { date, kind: DayKind::Workday, name: "调休上班".to_owned() };
        assert_eq!(
            WorkingCalendar::new(
                [2024],
                [holiday(date!(2024 - 10 - 01), "国庆节"), holiday(date!(2024 - 10 - 01), "x")]
            ),
            Err(CalendarError::DuplicateDate(date!(2024 - 10 - 01)))
        );
        assert_eq!(
            WorkingCalendar::new([2024], [workday(date!(2024 - 10 - 08))]),
            Err(CalendarError::WorkdayOnWeekday { date: date!(2024 - 10 - 08), weekday: Weekday::Tuesday })
        );
        assert_eq!(
            WorkingCalendar::new([2024], [holiday(date!(2022 - 12 - 31), "元旦")]),
            Err(CalendarError::DayOutsideYears { date: date!(2022 - 12 - 31), year: 2022 })
        );
        assert_eq!(years(&[holiday(date!(2024 - 10 - 01), "a"), holiday(date!(2025 - 01 - 01), "b")]).len(), 2);
    }

    #[test]
    fn parse_reports_every_bad_line() {
        let text = "\u{feff}date,kind,name\r
2024-10-01,holiday,国庆节\r
2024-13-01,holiday,国庆节\r
\r
2024-10-02,rest,国庆节\r
2024-10-08,workday,国庆节调休上班\r
2024-10-01,holiday,国庆节\r
2024-10-03,holiday,\r
2024-10-04,holiday\r
2024-10-05,holiday,\"国庆节, 第五天\"\r
2024-10-06,\"holiday,国庆节\r
bad,班,\r
";
        let errors = parse_calendar_csv(text).unwrap_err();
        let got: Vec<(usize, &str, &str, &CalendarLineReason)> =
            errors.iter().map(|e| (e.line, e.column, e.value.as_str(), &e.reason)).collect();
        assert_eq!(
            got,
            vec![
                (3, "date", "2024-13-01", &CalendarLineReason::Date),
                (5, "kind", "rest", &CalendarLineReason::Kind),
                (6, "kind", "workday", &CalendarLineReason::WorkdayOnWeekday(Weekday::Tuesday)),
                (7, "date", "2024-10-01", &CalendarLineReason::Duplicate(2)),
                (8, "name", "", &CalendarLineReason::EmptyName),
                (9, "row", "2024-10-04,holiday", &CalendarLineReason::ColumnCount(2)),
                (11, "row", "2024-10-06,\"holiday,国庆节", &CalendarLineReason::UnclosedQuote),
                (12, "date", "bad", &CalendarLineReason::Date),
                (12, "name", "", &CalendarLineReason::EmptyName),
            ]
        );
        assert_eq!(
            errors[2].to_string(),
            "line 6, kind 'workday': the date is a Tuesday, a working day anyway; \
             only a Saturday or Sunday can be made a working day"
        );
        let field = errors[3].clone().into_field_error();
        assert_eq!((field.field.as_str(), field.code), ("date", "calendar_csv.duplicate"));
        assert_eq!(field.params.get("line").map(String::as_str), Some("7"));
        assert_eq!(field.params.get("first_line").map(String::as_str), Some("2"));
    }

    #[test]
    fn parse_requires_the_header() {
        let errors = parse_calendar_csv("2024-10-01,holiday,国庆节\n2024-10-02,holiday,国庆节\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].column, &errors[0].reason), (1, "row", &CalendarLineReason::Header));
        let errors = parse_calendar_csv("").unwrap_err();
        assert_eq!((errors[0].line, &errors[0].reason), (1, &CalendarLineReason::Header));
        assert_eq!(parse_calendar_csv("Date, Kind, Name\n"), Ok(vec![]));
    }

    #[test]
    fn parse_accepts_quotes_and_chinese_kinds() {
        let days =
            parse_calendar_csv("date,kind,name\n2024-10-05,\"休\",\"国庆节, \"\"第五天\"\"\"\n2024-10-12,班,调休\n")
                .unwrap();
        assert_eq!(
            days,
            vec![
                CalendarDay {
                    date: date!(2024 - 10 - 05),
                    kind: DayKind::Holiday,
                    name: "国庆节, \"第五天\"".to_owned()
                },
                CalendarDay { date: date!(2024 - 10 - 12), kind: DayKind::Workday, name: "调休".to_owned() },
            ]
        );
    }

    const SHIPPED: [(i32, &str); 4] = [
        (2023, include_str!("../../bridgehead-app/data/calendar/2023.csv")),
        (2024, include_str!("../../bridgehead-app/data/calendar/2024.csv")),
        (2025, include_str!("../../bridgehead-app/data/calendar/2025.csv")),
        (2026, include_str!("../../bridgehead-app/data/calendar/2026.csv")),
    ];

    fn shipped_calendar() -> WorkingCalendar {
        let mut all = Vec::new();
        for (year, text) in SHIPPED {
            let days = parse_calendar_csv(text).unwrap_or_else(|errors| panic!("{year}.csv: {errors:?}"));
            assert!(text.starts_with("date,kind,name\n"), "{year}.csv header");
            assert_eq!(years(&days), BTreeSet::from([year]), "{year}.csv holds only {year}");
            all.extend(days);
        }
        WorkingCalendar::from_days(all).unwrap()
    }

    /// The length of the run of consecutive days off that contains `day`.
    fn days_off_around(cal: &WorkingCalendar, day: Date) -> i64 {
        assert!(!cal.is_working_day(day), "{day} is a working day");
        let mut first = day;
        while let Some(before) = first.previous_day().filter(|&d| !cal.is_working_day(d)) {
            first = before;
        }
        let mut last = day;
        while let Some(after) = last.next_day().filter(|&d| !cal.is_working_day(d)) {
            last = after;
        }
        (last - first).whole_days() + 1
    }

    #[test]
    fn shipped_calendars_match_the_notices() {
        let cal = shipped_calendar();
        assert_eq!(cal.covered_years(), &BTreeSet::from([2023, 2024, 2025, 2026]));

        assert!(!cal.is_working_day(date!(2024 - 10 - 01)));
        assert!(cal.is_working_day(date!(2024 - 09 - 29)));
        assert!(cal.is_working_day(date!(2024 - 02 - 18)));
        // 2024: New Year's Eve (2月9日) is only "encouraged" off, so it is a working day.
        assert!(cal.is_working_day(date!(2024 - 02 - 09)));
        // 2025: New Year's Eve and 5月2日 are statutory holidays from 2025 on.
        assert!(!cal.is_working_day(date!(2025 - 01 - 28)));
        assert!(!cal.is_working_day(date!(2025 - 05 - 02)));
        assert!(cal.is_working_day(date!(2026 - 01 - 04)));
        assert_eq!(cal.add_working_days(date!(2024 - 09 - 27), 7), Ok(date!(2024 - 10 - 12)));
        assert_eq!(cal.add_working_days(date!(2026 - 12 - 30), 2), Err(CalendarError::YearNotCovered(2027)));

        // Each holiday: a day inside it and the days off in a row the notice gives (共N天;
        // "与周末连休" = with the weekend, 3 days). 2023 元旦 is 2022-12-31 (a Saturday)
        // to 2023-01-02.
        let breaks = [
            (date!(2023 - 01 - 01), 3),
            (date!(2023 - 01 - 22), 7),
            (date!(2023 - 04 - 05), 1),
            (date!(2023 - 05 - 01), 5),
            (date!(2023 - 06 - 22), 3),
            (date!(2023 - 10 - 01), 8),
            (date!(2024 - 01 - 01), 3),
            (date!(2024 - 02 - 10), 8),
            (date!(2024 - 04 - 04), 3),
            (date!(2024 - 05 - 01), 5),
            (date!(2024 - 06 - 10), 3),
            (date!(2024 - 09 - 15), 3),
            (date!(2024 - 10 - 01), 7),
            (date!(2025 - 01 - 01), 1),
            (date!(2025 - 01 - 28), 8),
            (date!(2025 - 04 - 04), 3),
            (date!(2025 - 05 - 01), 5),
            (date!(2025 - 05 - 31), 3),
            (date!(2025 - 10 - 01), 8),
            (date!(2026 - 01 - 01), 3),
            (date!(2026 - 02 - 15), 9),
            (date!(2026 - 04 - 04), 3),
            (date!(2026 - 05 - 01), 5),
            (date!(2026 - 06 - 19), 3),
            (date!(2026 - 09 - 25), 3),
            (date!(2026 - 10 - 01), 7),
        ];
        for (day, length) in breaks {
            assert_eq!(days_off_around(&cal, day), length, "the break around {day}");
        }

        // Every adjusted working day each notice names, and no other.
        let workdays: Vec<Date> = SHIPPED
            .iter()
            .flat_map(|(_, text)| parse_calendar_csv(text).unwrap())
            .filter(|day| day.kind == DayKind::Workday)
            .map(|day| day.date)
            .collect();
        assert_eq!(
            workdays,
            vec![
                date!(2023 - 01 - 28),
                date!(2023 - 01 - 29),
                date!(2023 - 04 - 23),
                date!(2023 - 05 - 06),
                date!(2023 - 06 - 25),
                date!(2023 - 10 - 07),
                date!(2023 - 10 - 08),
                date!(2024 - 02 - 04),
                date!(2024 - 02 - 18),
                date!(2024 - 04 - 07),
                date!(2024 - 04 - 28),
                date!(2024 - 05 - 11),
                date!(2024 - 09 - 14),
                date!(2024 - 09 - 29),
                date!(2024 - 10 - 12),
                date!(2025 - 01 - 26),
                date!(2025 - 02 - 08),
                date!(2025 - 04 - 27),
                date!(2025 - 09 - 28),
                date!(2025 - 10 - 11),
                date!(2026 - 01 - 04),
                date!(2026 - 02 - 14),
                date!(2026 - 02 - 28),
                date!(2026 - 05 - 09),
                date!(2026 - 09 - 20),
                date!(2026 - 10 - 10),
            ]
        );
    }
}
