//! Exact money: integer minor units (fen, cents) with a currency. Never a float.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An ISO 4217 alphabetic currency code. CNY is the base currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CurrencyCode(String);

impl CurrencyCode {
    pub const BASE: &'static str = "CNY";

    pub fn parse(input: &str) -> Result<Self, String> {
        let code = input.trim().to_ascii_uppercase();
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(code))
        } else {
            Err(format!("a currency is three letters (ISO 4217), not '{}'", input.trim()))
        }
    }

    pub fn base() -> Self {
        Self(Self::BASE.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CurrencyCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CurrencyCode> for String {
    fn from(value: CurrencyCode) -> Self {
        value.0
    }
}

impl std::fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a text is not an amount in major units (its message names the text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("an amount is required")]
    Missing,
    #[error("'{0}' is not a number")]
    NotANumber(String),
    #[error("'{0}' has more than two decimals")]
    TooManyDecimals(String),
    #[error("'{0}' is too large")]
    TooLarge(String),
}

impl AmountError {
    /// The error's code, as field errors carry it.
    pub fn code(&self) -> &'static str {
        match self {
            AmountError::Missing => "required",
            AmountError::NotANumber(_) => "amount.invalid",
            AmountError::TooManyDecimals(_) => "amount.too_many_decimals",
            AmountError::TooLarge(_) => "amount.too_large",
        }
    }
}

impl From<AmountError> for String {
    fn from(error: AmountError) -> Self {
        error.to_string()
    }
}

/// Parses a decimal amount in major units ("1,234.56", "１２３４.５", "12345") into
/// minor units (hundredths). Refuses more than two decimals rather than rounding money
/// silently, and refuses amounts that would not fit.
pub fn parse_major_units(input: &str) -> Result<i64, AmountError> {
    let cleaned: String = input
        .trim()
        .chars()
        .map(crate::codes::full_width_to_ascii)
        .filter(|c| *c != ',' && *c != ' ' && *c != '，')
        .collect();
    if cleaned.is_empty() {
        return Err(AmountError::Missing);
    }
    let text = || input.trim().to_owned();
    let value: Decimal = cleaned.parse().map_err(|_| AmountError::NotANumber(text()))?;
    if value.scale() > 2 && value.normalize().scale() > 2 {
        return Err(AmountError::TooManyDecimals(text()));
    }
    let minor = value.checked_mul(Decimal::ONE_HUNDRED).ok_or_else(|| AmountError::TooLarge(text()))?;
    i64::try_from(minor.normalize()).map_err(|_| AmountError::TooLarge(text()))
}

/// Formats minor units as a major-unit decimal with two places ("1234.56").
pub fn format_major_units(minor: i64) -> String {
    Decimal::new(minor, 2).to_string()
}

/// A positive exchange rate: how many CNY one unit of a currency buys on a date.
pub fn parse_rate(input: &str) -> Result<Decimal, String> {
    let rate: Decimal = input.trim().parse().map_err(|_| format!("'{}' is not a rate", input.trim()))?;
    if rate <= Decimal::ZERO {
        return Err(format!("a rate must be above zero, not {rate}"));
    }
    if rate.scale() > 10 {
        return Err(format!("'{}' has more than ten decimals", input.trim()));
    }
    Ok(rate.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(parse_major_units("1,234.56"), Ok(123_456));
        assert_eq!(parse_major_units("１２３４.５"), Ok(123_450));
        assert_eq!(parse_major_units("-3"), Ok(-300));
        assert_eq!(parse_major_units("2.500"), Ok(250));
        assert!(parse_major_units("1.234").is_err());
        assert_eq!(parse_major_units("1.234").unwrap_err().code(), "amount.too_many_decimals");
        assert_eq!(parse_major_units("abc").unwrap_err().code(), "amount.invalid");
        assert!(parse_major_units("abc").is_err());
        assert!(parse_major_units("").is_err());
        assert!(parse_major_units("999999999999999999999").is_err());
        assert!(parse_major_units("1000000000000000000000000000").is_err(), "overflow is an error, not a panic");
        assert_eq!(format_major_units(123_456), "1234.56");
        assert_eq!(format_major_units(-5), "-0.05");
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("7.1000").unwrap().to_string(), "7.1");
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("-1").is_err());
    }
}
