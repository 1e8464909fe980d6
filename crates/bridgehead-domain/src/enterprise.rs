//! Enterprises (SPEC §2): the registry every other part refers to.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::codes::{CreditCode, IndustryCode, RegionCode};
use crate::money::{CurrencyCode, parse_major_units};
use crate::reference::vocabulary;
use crate::{FieldError, FieldErrors};

vocabulary!(
    /// Ownership of an enterprise.
    Ownership {
        State = "state",
        Private = "private",
        Foreign = "foreign",
        HongKongMacaoTaiwan = "hk_macao_taiwan",
        Mixed = "mixed",
    }
);

vocabulary!(
    /// Enterprise size class.
    EnterpriseSize { Large = "large", Medium = "medium", Small = "small", Micro = "micro" }
);

/// Longest name, address or contact accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 200;

/// Raw enterprise fields as they arrive from a form, the API or an import row: all
/// optional text, so that validation can report every problem at once.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EnterpriseFields {
    pub credit_code: Option<String>,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub region_code: Option<String>,
    pub address: Option<String>,
    pub industry_code: Option<String>,
    /// Registered capital in major units, e.g. "5000000.00".
    pub registered_capital: Option<String>,
    pub registered_capital_currency: Option<String>,
    /// YYYY-MM-DD.
    pub established_on: Option<String>,
    pub ownership: Option<String>,
    pub size: Option<String>,
    /// Whether the enterprise is listed on a stock exchange ("true"/"false", "是"/"否").
    pub listed: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    /// Tag codes, separated by commas or semicolons.
    pub tags: Option<String>,
    /// A reason, when the credit code's check character is wrong and an authorised
    /// user accepts it all the same.
    pub credit_code_override_reason: Option<String>,
}

/// A validated enterprise, ready to store. References (region, industry, tags) are
/// well-formed here; whether they exist is checked against reference data by the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseRecord {
    pub credit_code: CreditCode,
    pub credit_code_override_reason: Option<String>,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub region_code: RegionCode,
    pub address: Option<String>,
    pub industry_code: Option<IndustryCode>,
    pub registered_capital_minor: Option<i64>,
    pub registered_capital_currency: CurrencyCode,
    pub established_on: Option<Date>,
    pub ownership: Option<Ownership>,
    pub size: Option<EnterpriseSize>,
    pub listed: bool,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub tags: Vec<String>,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn text(field: &str, value: &Option<String>, errors: &mut FieldErrors) -> Option<String> {
    let value = present(value)?;
    if value.chars().count() > MAX_TEXT_CHARS {
        errors.push(
            FieldError::new(field, "text.too_long", format!("at most {MAX_TEXT_CHARS} characters"))
                .with_value(value)
                .with_param("max", MAX_TEXT_CHARS),
        );
        return None;
    }
    Some(value.to_owned())
}

/// Parses YYYY-MM-DD (also YYYY/MM/DD and YYYY.MM.DD, one-digit months and days,
/// full-width digits). Allocates nothing unless the input is refused: cash-flow files
/// of millions of rows go through it.
pub fn parse_date(input: &str) -> Result<Date, String> {
    let bad = || format!("'{}' is not a date (YYYY-MM-DD)", input.trim());
    let mut fields = [0u32; 3];
    let mut digits = [0usize; 3];
    let mut index = 0;
    for character in input.trim().chars().map(crate::codes::full_width_to_ascii) {
        match character {
            '0'..='9' if digits[index] < 4 => {
                fields[index] = fields[index] * 10 + (u32::from(character) - u32::from('0'));
                digits[index] += 1;
            }
            '-' | '/' | '.' if index < 2 => index += 1,
            _ => return Err(bad()),
        }
    }
    if index != 2 || digits.contains(&0) {
        return Err(bad());
    }
    let year = i32::try_from(fields[0]).map_err(|_| bad())?;
    let month = u8::try_from(fields[1]).ok().and_then(|m| time::Month::try_from(m).ok()).ok_or_else(bad)?;
    let day = u8::try_from(fields[2]).map_err(|_| bad())?;
    if !(1800..=2200).contains(&year) {
        return Err(bad());
    }
    Date::from_calendar_date(year, month, day).map_err(|_| bad())
}

pub fn format_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// Reads yes/no in the ways spreadsheets write it.
pub fn parse_flag(input: &str) -> Option<bool> {
    match input.trim().to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "是" | "已上市" | "on" => Some(true),
        "false" | "no" | "n" | "0" | "否" | "未上市" | "" | "off" => Some(false),
        _ => None,
    }
}

/// Splits a tag list written as "a, b; c" (also with Chinese punctuation).
pub fn split_tags(input: &str) -> Vec<String> {
    let mut tags: Vec<String> =
        input.split([',', ';', '，', '；', '、']).map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
    tags.sort();
    tags.dedup();
    tags
}

impl EnterpriseFields {
    /// Validates every field and reports every problem at once.
    ///
    /// `may_override_credit_code` says whether the acting user is entitled to accept a
    /// credit code whose check character is wrong (with a reason).
    pub fn validate(&self, may_override_credit_code: bool) -> Result<EnterpriseRecord, FieldErrors> {
        let mut errors = FieldErrors::default();
        let override_reason = text("credit_code_override_reason", &self.credit_code_override_reason, &mut errors);
        let credit_code = match present(&self.credit_code) {
            None => {
                errors.push(FieldError::new("credit_code", "required", "the credit code is required"));
                None
            }
            Some(raw) => {
                match CreditCode::parse_structure(raw) {
                    Err(e) => {
                        errors.push(e.into_field_error("credit_code", raw));
                        None
                    }
                    Ok(code) => match code.check() {
                        Ok(()) => Some(code),
                        Err(e) if override_reason.is_some() && may_override_credit_code => {
                            let _accepted_despite = e;
                            Some(code)
                        }
                        Err(e) if override_reason.is_some() => {
                            errors.push(FieldError::new(
                            "credit_code_override_reason",
                            "credit_code.override_not_allowed",
                            format!("{e}; only an administrator, city analyst or district officer may record an override"),
                        ));
                            None
                        }
                        Err(e) => {
                            let mut error = e.into_field_error("credit_code", raw);
                            error.message.push_str(" (an authorised user may accept it with an override reason)");
                            errors.push(error);
                            None
                        }
                    },
                }
            }
        };
        // Only keep an override reason when it was needed.
        let override_reason = match &credit_code {
            Some(code) if code.check().is_err() => override_reason,
            _ => None,
        };

        let name_zh = text("name_zh", &self.name_zh, &mut errors);
        if name_zh.is_none() && present(&self.name_zh).is_none() {
            errors.push(FieldError::new("name_zh", "required", "the Chinese name is required"));
        }
        let name_en = text("name_en", &self.name_en, &mut errors);
        let region_code = match present(&self.region_code) {
            None => {
                errors.push(FieldError::new("region_code", "required", "the registered region is required"));
                None
            }
            Some(raw) => errors.take(
                RegionCode::parse(raw).map_err(|m| FieldError::new("region_code", "region.format", m).with_value(raw)),
            ),
        };
        let address = text("address", &self.address, &mut errors);
        let industry_code = present(&self.industry_code).and_then(|raw| {
            errors.take(
                IndustryCode::parse(raw)
                    .map_err(|m| FieldError::new("industry_code", "industry.format", m).with_value(raw)),
            )
        });
        let registered_capital_minor = present(&self.registered_capital).and_then(|raw| {
            let parsed = parse_major_units(raw)
                .map_err(|m| FieldError::new("registered_capital", "amount.format", m).with_value(raw))
                .and_then(|minor| {
                    if minor < 0 {
                        Err(FieldError::new(
                            "registered_capital",
                            "amount.negative",
                            "registered capital cannot be negative",
                        )
                        .with_value(raw))
                    } else {
                        Ok(minor)
                    }
                });
            errors.take(parsed)
        });
        let registered_capital_currency = match present(&self.registered_capital_currency) {
            None => Some(CurrencyCode::base()),
            Some(raw) => errors.take(
                CurrencyCode::parse(raw)
                    .map_err(|m| FieldError::new("registered_capital_currency", "currency.format", m).with_value(raw)),
            ),
        };
        let established_on = present(&self.established_on).and_then(|raw| {
            errors
                .take(parse_date(raw).map_err(|m| FieldError::new("established_on", "date.format", m).with_value(raw)))
        });
        let ownership = present(&self.ownership).and_then(|raw| {
            errors.take(Ownership::parse(raw).ok_or_else(|| {
                FieldError::new("ownership", "ownership.unknown", format!("expected one of {}", Ownership::expected()))
                    .with_value(raw)
            }))
        });
        let size = present(&self.size).and_then(|raw| {
            errors.take(EnterpriseSize::parse(raw).ok_or_else(|| {
                FieldError::new("size", "size.unknown", format!("expected one of {}", EnterpriseSize::expected()))
                    .with_value(raw)
            }))
        });
        let listed = match present(&self.listed) {
            None => Some(false),
            Some(raw) => errors.take(
                parse_flag(raw)
                    .ok_or_else(|| FieldError::new("listed", "flag.format", "expected true or false").with_value(raw)),
            ),
        };
        let contact_name = text("contact_name", &self.contact_name, &mut errors);
        let contact_phone = text("contact_phone", &self.contact_phone, &mut errors);
        let contact_email = text("contact_email", &self.contact_email, &mut errors);
        if let Some(email) = &contact_email
            && (!email.contains('@') || email.starts_with('@') || email.ends_with('@'))
        {
            errors.push(FieldError::new("contact_email", "email.format", "not an e-mail address").with_value(email));
        }
        let tags = present(&self.tags).map(split_tags).unwrap_or_default();

        if !errors.is_empty() {
            return Err(errors);
        }
        let (Some(credit_code), Some(name_zh), Some(region_code), Some(registered_capital_currency), Some(listed)) =
            (credit_code, name_zh, region_code, registered_capital_currency, listed)
        else {
            return Err(errors);
        };
        Ok(EnterpriseRecord {
            credit_code,
            credit_code_override_reason: override_reason,
            name_zh,
            name_en,
            region_code,
            address,
            industry_code,
            registered_capital_minor,
            registered_capital_currency,
            established_on,
            ownership,
            size,
            listed,
            contact_name,
            contact_phone,
            contact_email,
            tags,
        })
    }
}

/// Yearly figures of an enterprise; amounts in minor units of CNY.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearlyFigures {
    pub year: i32,
    pub revenue_minor: Option<i64>,
    pub tax_minor: Option<i64>,
    pub employees: Option<i64>,
    pub rnd_spending_minor: Option<i64>,
}

/// Raw yearly figures as text.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct YearlyFiguresFields {
    pub revenue: Option<String>,
    pub tax: Option<String>,
    pub employees: Option<String>,
    pub rnd_spending: Option<String>,
}

impl YearlyFiguresFields {
    pub fn validate(&self, year: i32) -> Result<YearlyFigures, FieldErrors> {
        let mut errors = FieldErrors::default();
        if !(1949..=2200).contains(&year) {
            errors.push(
                FieldError::new("year", "year.range", "the year must be between 1949 and 2200")
                    .with_value(year.to_string()),
            );
        }
        let mut amount = |field: &'static str, value: &Option<String>| {
            present(value).and_then(|raw| {
                errors.take(
                    parse_major_units(raw)
                        .map_err(|m| FieldError::new(field, "amount.format", m).with_value(raw))
                        .and_then(|v| {
                            if v < 0 {
                                Err(FieldError::new(field, "amount.negative", "cannot be negative").with_value(raw))
                            } else {
                                Ok(v)
                            }
                        }),
                )
            })
        };
        let revenue_minor = amount("revenue", &self.revenue);
        let tax_minor = amount("tax", &self.tax);
        let rnd_spending_minor = amount("rnd_spending", &self.rnd_spending);
        let employees = present(&self.employees).and_then(|raw| {
            errors.take(raw.replace(',', "").parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                FieldError::new("employees", "count.format", "a whole number of people, 0 or more").with_value(raw)
            }))
        });
        errors.finish(|| YearlyFigures { year, revenue_minor, tax_minor, employees, rnd_spending_minor })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_fields() -> EnterpriseFields {
        EnterpriseFields {
            credit_code: Some("91330100716105852F".into()),
            name_zh: Some("示例科技有限公司（示例）".into()),
            region_code: Some("330402".into()),
            ..EnterpriseFields::default()
        }
    }

    #[test]
    fn every_error_at_once() {
        let fields = EnterpriseFields {
            credit_code: Some("91330100716105852A".into()),
            name_zh: None,
            region_code: Some("33".into()),
            established_on: Some("2020-02-30".into()),
            ownership: Some("public".into()),
            ..EnterpriseFields::default()
        };
        let errors = fields.validate(false).unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["credit_code", "name_zh", "region_code", "established_on", "ownership"]);
        assert!(errors.0[0].message.contains("should be 'F'"), "{}", errors.0[0].message);
    }

    #[test]
    fn override_needs_a_reason_and_an_entitled_user() {
        let mut fields = valid_fields();
        fields.credit_code = Some("91330100716105852A".into());
        assert!(fields.validate(true).is_err());
        fields.credit_code_override_reason = Some("issued 2015, registry confirms".into());
        assert!(fields.validate(false).is_err());
        let record = fields.validate(true).unwrap();
        assert_eq!(record.credit_code_override_reason.as_deref(), Some("issued 2015, registry confirms"));
        // A reason given for a valid code is not kept.
        let mut fields = valid_fields();
        fields.credit_code_override_reason = Some("unneeded".into());
        assert_eq!(fields.validate(true).unwrap().credit_code_override_reason, None);
    }

    #[test]
    fn dates_and_flags() {
        assert_eq!(format_date(parse_date("2019/4/15").unwrap()), "2019-04-15");
        assert!(parse_date("2019-13-01").is_err());
        assert_eq!(format_date(parse_date(" ２０１９．４．１５ ").unwrap()), "2019-04-15");
        for bad in ["2019-04", "2019-04-15-1", "2019--15", "2019-02-30", "1799-01-01", "2019-4-15x", "20190-1-1", ""] {
            assert_eq!(parse_date(bad), Err(format!("'{}' is not a date (YYYY-MM-DD)", bad.trim())), "{bad}");
        }
        assert_eq!(parse_flag("是"), Some(true));
        assert_eq!(parse_flag("maybe"), None);
        assert_eq!(split_tags("b；a, b"), vec!["a".to_owned(), "b".to_owned()]);
    }
}

/// A stored enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enterprise {
    pub id: i64,
    /// Bumped on every change; the API's ETag.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub record: EnterpriseRecord,
}

impl EnterpriseRecord {
    /// The record as raw fields again (for edit forms and exports), in the form
    /// [`EnterpriseFields::validate`] reads back to the same record.
    pub fn to_fields(&self) -> EnterpriseFields {
        EnterpriseFields {
            credit_code: Some(self.credit_code.to_string()),
            name_zh: Some(self.name_zh.clone()),
            name_en: self.name_en.clone(),
            region_code: Some(self.region_code.to_string()),
            address: self.address.clone(),
            industry_code: self.industry_code.as_ref().map(ToString::to_string),
            registered_capital: self.registered_capital_minor.map(crate::money::format_major_units),
            registered_capital_currency: Some(self.registered_capital_currency.to_string()),
            established_on: self.established_on.map(format_date),
            ownership: self.ownership.map(|o| o.as_str().to_owned()),
            size: self.size.map(|s| s.as_str().to_owned()),
            listed: Some(self.listed.to_string()),
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
            contact_email: self.contact_email.clone(),
            tags: (!self.tags.is_empty()).then(|| self.tags.join(",")),
            credit_code_override_reason: self.credit_code_override_reason.clone(),
        }
    }
}

#[cfg(test)]
mod round_trip {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn fields_of_a_record_validate_to_the_same_record(
            capital in proptest::option::of(0_i64..1_000_000_000_000),
            listed in any::<bool>(),
            day in 1_u8..=28,
            tags in proptest::collection::btree_set("[a-z_]{1,12}", 0..4),
        ) {
            let record = EnterpriseRecord {
                credit_code: CreditCode::parse("91330100716105852F").unwrap(),
                credit_code_override_reason: None,
                name_zh: "示例企业（示例）".into(),
                name_en: Some("Example Co. (illustrative)".into()),
                region_code: RegionCode::parse("330402").unwrap(),
                address: None,
                industry_code: Some(IndustryCode::parse("3670").unwrap()),
                registered_capital_minor: capital,
                registered_capital_currency: CurrencyCode::base(),
                established_on: Some(Date::from_calendar_date(2015, time::Month::March, day).unwrap()),
                ownership: Some(Ownership::Private),
                size: Some(EnterpriseSize::Medium),
                listed,
                contact_name: None,
                contact_phone: None,
                contact_email: Some("a@example.com".into()),
                tags: tags.into_iter().collect(),
            };
            prop_assert_eq!(record.to_fields().validate(false).unwrap(), record);
        }
    }
}
