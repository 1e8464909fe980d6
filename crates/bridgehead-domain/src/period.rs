//! Periods: a year and a month, the unit of monthly reporting and statistics.

use serde::{Deserialize, Serialize};

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    year: i32,
    month: u8,
}

impl Period {
    pub fn new(year: i32, month: u8) -> Result<Self, String> {
        if !(1949..=2200).contains(&year) || !(1..=12).contains(&month) {
            return Err(format!("{year}-{month:02} is not a month between 1949-01 and 2200-12"));
        }
        Ok(Self { year, month })
    }

    /// Parses `YYYY-MM` (also `YYYY/MM`, `YYYYMM`, `YYYY年M月`).
    pub fn parse(input: &str) -> Result<Self, String> {
        let text: String = input.trim().chars().map(crate::codes::full_width_to_ascii).collect();
        let bad = || format!("'{}' is not a month (YYYY-MM)", input.trim());
        // A full date (as spreadsheets often store a month) names its month.
        if text.matches(['-', '/', '.']).count() == 2 {
            return crate::enterprise::parse_date(&text).map(Self::of_date).map_err(|_| bad());
        }
        let (year, month) = if let Some((y, m)) = text.split_once(['-', '/', '.']) {
            (y.to_owned(), m.to_owned())
        } else if let Some(rest) = text.strip_suffix('月') {
            let (y, m) = rest.split_once('年').ok_or_else(bad)?;
            (y.to_owned(), m.to_owned())
        } else if text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()) {
            (text[..4].to_owned(), text[4..].to_owned())
        } else {
            return Err(bad());
        };
        let year: i32 = year.trim().parse().map_err(|_| bad())?;
        let month: u8 = month.trim().parse().map_err(|_| bad())?;
        Self::new(year, month).map_err(|_| bad())
    }

    pub fn of_date(date: time::Date) -> Self {
        Self { year: date.year(), month: u8::from(date.month()) }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    /// Months since year 0, for arithmetic and compact storage.
    pub fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    pub fn from_index(index: i64) -> Option<Self> {
        let year = i32::try_from(index.div_euclid(12)).ok()?;
        let month = u8::try_from(index.rem_euclid(12) + 1).ok()?;
        Self::new(year, month).ok()
    }

    #[must_use]
    pub fn next(self) -> Self {
        Self::from_index(self.index() + 1).unwrap_or(self)
    }

    #[must_use]
    pub fn previous(self) -> Self {
        Self::from_index(self.index() - 1).unwrap_or(self)
    }

    /// The periods from `self` up to and including `last`.
    pub fn through(self, last: Self) -> impl Iterator<Item = Period> {
        (self.index()..=last.index()).filter_map(Self::from_index)
    }

    /// The first day of the month.
    pub fn first_day(self) -> time::Date {
        time::Month::try_from(self.month)
            .ok()
            .and_then(|m| time::Date::from_calendar_date(self.year, m, 1).ok())
            .unwrap_or(time::Date::MIN)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl TryFrom<String> for Period {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Period> for String {
    fn from(value: Period) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_and_arithmetic() {
        for text in ["2023-06", "2023/6", "202306", "2023年6月", "２０２３-０６", "2023-06-01", "2023/6/30"] {
            assert_eq!(Period::parse(text).unwrap().to_string(), "2023-06", "{text}");
        }
        assert!(Period::parse("2023-13").is_err());
        assert!(Period::parse("June").is_err());
        let december = Period::new(2022, 12).unwrap();
        assert_eq!(december.next().to_string(), "2023-01");
        assert_eq!(december.next().previous(), december);
        assert_eq!(Period::new(2023, 1).unwrap().through(Period::new(2023, 6).unwrap()).count(), 6);
    }
}
