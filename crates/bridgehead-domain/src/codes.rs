//! Codes parsed once at the edge: the Unified Social Credit Code (GB 32100-2015),
//! administrative region codes (GB/T 2260) and industry codes (GB/T 4754-2017).

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// The 31 characters a credit code may use, in value order (no I, O, S, V, Z).
pub const CREDIT_CODE_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_CODE_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// Why a credit code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("a credit code has 18 characters, this one has {0}")]
    Length(usize),
    #[error("character {position} ('{character}') is not allowed; allowed are 0-9 and A-H J-N P-R T U W-Y")]
    Character { position: usize, character: char },
    #[error("the check character should be '{expected}', not '{found}'")]
    CheckCharacter { expected: char, found: char },
}

impl CreditCodeError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Length(_) => "credit_code.length",
            Self::Character { .. } => "credit_code.character",
            Self::CheckCharacter { .. } => "credit_code.check_character",
        }
    }

    pub fn into_field_error(self, field: &str, value: &str) -> FieldError {
        let error = FieldError::new(field, self.code(), self.to_string()).with_value(value);
        match self {
            Self::Length(count) => error.with_param("count", count),
            Self::Character { position, character } => {
                error.with_param("position", position).with_param("character", character)
            }
            Self::CheckCharacter { expected, found } => {
                error.with_param("expected", expected).with_param("found", found)
            }
        }
    }
}

fn alphabet_value(character: u8) -> Option<u32> {
    CREDIT_CODE_ALPHABET.iter().position(|&c| c == character).and_then(|v| u32::try_from(v).ok())
}

/// The check character for the first 17 characters of a credit code, if they are all
/// from the alphabet.
pub fn credit_code_check_character(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (byte, weight) in first17.bytes().zip(CREDIT_CODE_WEIGHTS) {
        sum += alphabet_value(byte)? * weight;
    }
    let index = (31 - sum % 31) % 31;
    Some(char::from(CREDIT_CODE_ALPHABET[index as usize]))
}

/// An 18-character Unified Social Credit Code whose characters are all from the
/// alphabet. Whether its check character is right is a separate question
/// ([`CreditCode::check`]): some genuine codes issued before 2016 fail it, and an
/// authorised user may record an override for them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

impl CreditCode {
    /// Normalises (trims, upper-cases, full-width to half-width) and checks length and
    /// alphabet. Does not check the check character.
    pub fn parse_structure(input: &str) -> Result<Self, CreditCodeError> {
        let normalised: String = input.trim().chars().map(full_width_to_ascii).collect::<String>().to_ascii_uppercase();
        let count = normalised.chars().count();
        if count != 18 {
            return Err(CreditCodeError::Length(count));
        }
        for (index, character) in normalised.chars().enumerate() {
            if !character.is_ascii() || alphabet_value(character as u8).is_none() {
                return Err(CreditCodeError::Character { position: index + 1, character });
            }
        }
        Ok(Self(normalised))
    }

    /// Parses and requires a correct check character.
    pub fn parse(input: &str) -> Result<Self, CreditCodeError> {
        let code = Self::parse_structure(input)?;
        code.check()?;
        Ok(code)
    }

    /// Verifies the check character (the 18th) against the first 17.
    pub fn check(&self) -> Result<(), CreditCodeError> {
        let expected = self.expected_check_character();
        let found = char::from(self.0.as_bytes()[17]);
        if expected == found { Ok(()) } else { Err(CreditCodeError::CheckCharacter { expected, found }) }
    }

    pub fn expected_check_character(&self) -> char {
        credit_code_check_character(&self.0[..17]).unwrap_or('?')
    }

    /// Characters 3–8: the region code of the registering authority.
    pub fn region_part(&self) -> &str {
        &self.0[2..8]
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CreditCode {
    type Error = CreditCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse_structure(&value)
    }
}

impl From<CreditCode> for String {
    fn from(value: CreditCode) -> Self {
        value.0
    }
}

impl std::fmt::Display for CreditCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Full-width ASCII variants (as typed with a Chinese input method) to plain ASCII.
pub fn full_width_to_ascii(character: char) -> char {
    match character {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(character as u32 - 0xFEE0).unwrap_or(character),
        '\u{3000}' => ' ',
        _ => character,
    }
}

/// A six-digit GB/T 2260 administrative division code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        if trimmed.len() == 6 && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err(format!("a region code has six digits, not '{trimmed}'"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RegionCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RegionCode> for String {
    fn from(value: RegionCode) -> Self {
        value.0
    }
}

impl std::fmt::Display for RegionCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Levels of GB/T 4754-2017.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndustryLevel {
    Section,
    Division,
    Group,
    Class,
}

impl IndustryLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Section => "section",
            Self::Division => "division",
            Self::Group => "group",
            Self::Class => "class",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "section" => Some(Self::Section),
            "division" => Some(Self::Division),
            "group" => Some(Self::Group),
            "class" => Some(Self::Class),
            _ => None,
        }
    }
}

/// The edition every stored industry code belongs to.
pub const INDUSTRY_EDITION: &str = "GB/T 4754-2017";

/// A GB/T 4754 code: a section letter A–T, or a 2-, 3- or 4-digit division, group or
/// class code. Its level follows from its shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IndustryCode(String);

impl IndustryCode {
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim().to_ascii_uppercase();
        let valid = match trimmed.len() {
            1 => matches!(trimmed.as_bytes()[0], b'A'..=b'T'),
            2..=4 => trimmed.bytes().all(|b| b.is_ascii_digit()),
            _ => false,
        };
        if valid {
            Ok(Self(trimmed))
        } else {
            Err(format!("an industry code is a section letter A-T or 2 to 4 digits, not '{}'", input.trim()))
        }
    }

    pub fn level(&self) -> IndustryLevel {
        match self.0.len() {
            1 => IndustryLevel::Section,
            2 => IndustryLevel::Division,
            3 => IndustryLevel::Group,
            _ => IndustryLevel::Class,
        }
    }

    /// Manufacturing is section C, divisions 13–43.
    pub fn is_manufacturing(&self) -> bool {
        if self.0 == "C" {
            return true;
        }
        self.0.get(..2).and_then(|d| d.parse::<u32>().ok()).is_some_and(|d| (13..=43).contains(&d))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IndustryCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<IndustryCode> for String {
    fn from(value: IndustryCode) -> Self {
        value.0
    }
}

impl std::fmt::Display for IndustryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(input: &str, expected: Result<&str, CreditCodeError>) {
        assert_eq!(CreditCode::parse(input).map(|c| c.as_str().to_owned()), expected.map(str::to_owned), "{input}");
    }

    #[test]
    fn credit_codes_from_published_registrations() {
        // A published business registration (Alibaba (China) Co., Ltd., Hangzhou); the
        // check characters below were computed independently with a Python one-liner.
        check("91330100716105852F", Ok("91330100716105852F"));
        check(" 91330100716105852f ", Ok("91330100716105852F"));
        check("９１330100716105852F", Ok("91330100716105852F"));
        check("911100001000130888", Ok("911100001000130888"));
    }

    #[test]
    fn credit_code_refusals_name_the_fault() {
        check("9133", Err(CreditCodeError::Length(4)));
        check("91330000MA27U7LR1I", Err(CreditCodeError::Character { position: 18, character: 'I' }));
        check("91330000MA27U7LR1A", Err(CreditCodeError::CheckCharacter { expected: 'P', found: 'A' }));
    }

    #[test]
    fn worked_check_character() {
        assert_eq!(credit_code_check_character("91330000MA27U7LR1"), Some('P'));
        assert_eq!(credit_code_check_character("91330402MA2JD0XX1"), Some('X'));
        assert_eq!(CreditCode::parse("91330100716105852F").unwrap().region_part(), "330100");
    }

    proptest! {
        #[test]
        fn every_17_character_body_has_exactly_one_valid_check_character(body in proptest::collection::vec(0usize..31, 17)) {
            let body: String = body.into_iter().map(|i| char::from(CREDIT_CODE_ALPHABET[i])).collect();
            let valid: Vec<char> = CREDIT_CODE_ALPHABET.iter().map(|&c| char::from(c))
                .filter(|c| CreditCode::parse(&format!("{body}{c}")).is_ok()).collect();
            prop_assert_eq!(valid.len(), 1);
            prop_assert_eq!(Some(valid[0]), credit_code_check_character(&body));
        }
    }

    #[test]
    fn industry_codes() {
        assert_eq!(IndustryCode::parse("c").unwrap().level(), IndustryLevel::Section);
        assert_eq!(IndustryCode::parse("3670").unwrap().level(), IndustryLevel::Class);
        assert!(IndustryCode::parse("3670").unwrap().is_manufacturing());
        assert!(!IndustryCode::parse("44").unwrap().is_manufacturing());
        assert!(IndustryCode::parse("12345").is_err());
        assert!(IndustryCode::parse("Z").is_err());
    }
}
