//! External indicators (SPEC §4): figures the statistics office publishes — GDP,
//! industrial value added above designated size, total fixed-asset investment, foreign
//! capital actually used — per region and period (January..N of a year), with the
//! official growth rate stored beside the level. Official growth is at comparable
//! prices and cannot be recomputed from the levels, so either may be given alone.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::codes::RegionCode;
use crate::money::parse_major_units;
use crate::period::Period;
use crate::project::present;
use crate::reference::vocabulary;
use crate::{FieldError, FieldErrors};

vocabulary!(
    /// An external indicator.
    IndicatorKind {
        Gdp = "gdp",
        IndustrialValueAdded = "industrial_value_added",
        FixedAssetInvestment = "fixed_asset_investment",
        ForeignCapitalUsed = "foreign_capital_used",
    }
);

impl IndicatorKind {
    /// The currency of the level: foreign capital is counted in US dollars.
    pub fn currency(self) -> &'static str {
        match self {
            Self::ForeignCapitalUsed => "USD",
            _ => "CNY",
        }
    }
}

/// A row as given.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IndicatorFields {
    pub indicator: Option<String>,
    pub region_code: Option<String>,
    /// YYYY-MM: the figure covers January..this month.
    pub period: Option<String>,
    /// The level in major units of the indicator's currency.
    pub value: Option<String>,
    /// The official growth in percent, e.g. 7.1 or -2.3.
    pub growth: Option<String>,
    pub source: Option<String>,
}

/// A validated figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorValue {
    pub indicator: IndicatorKind,
    pub region_code: RegionCode,
    pub period: Period,
    /// In minor units of the indicator's currency.
    pub value_minor: Option<i64>,
    pub growth_percent: Option<Decimal>,
    pub source: String,
}

impl IndicatorValue {
    /// Whether two figures say the same (the source aside).
    pub fn same_figures(&self, other: &Self) -> bool {
        self.value_minor == other.value_minor && self.growth_percent == other.growth_percent
    }
}

impl IndicatorFields {
    pub fn validate(&self) -> Result<IndicatorValue, FieldErrors> {
        let mut errors = FieldErrors::default();
        let indicator = match present(&self.indicator) {
            None => {
                errors.push(FieldError::new("indicator", "required", "the indicator is required"));
                None
            }
            Some(raw) => errors.take(IndicatorKind::parse(raw).ok_or_else(|| {
                FieldError::new("indicator", "indicator.kind", format!("expected one of {}", IndicatorKind::expected()))
                    .with_value(raw)
                    .with_param("expected", IndicatorKind::expected())
            })),
        };
        let region_code = match present(&self.region_code) {
            None => {
                errors.push(FieldError::new("region_code", "required", "the region is required"));
                None
            }
            Some(raw) => errors.take(
                RegionCode::parse(raw).map_err(|m| FieldError::new("region_code", "region.format", m).with_value(raw)),
            ),
        };
        let period = match present(&self.period) {
            None => {
                errors.push(FieldError::new("period", "required", "the period (YYYY-MM) is required"));
                None
            }
            Some(raw) => errors
                .take(Period::parse(raw).map_err(|m| FieldError::new("period", "period.format", m).with_value(raw))),
        };
        let value_minor = present(&self.value).and_then(|raw| {
            errors.take(
                parse_major_units(raw)
                    .map_err(|m| FieldError::new("value", "amount.format", m).with_value(raw))
                    .and_then(|v| {
                        if v < 0 {
                            Err(FieldError::new("value", "amount.negative", "cannot be negative").with_value(raw))
                        } else {
                            Ok(v)
                        }
                    }),
            )
        });
        let growth_percent = present(&self.growth).and_then(|raw| {
            let cleaned = raw.trim_end_matches(['%', '％']).trim();
            errors.take(
                cleaned
                    .parse::<Decimal>()
                    .ok()
                    .filter(|g| *g > Decimal::from(-100) && *g < Decimal::from(100_000) && g.scale() <= 4)
                    .ok_or_else(|| {
                        FieldError::new("growth", "indicator.growth", "a growth rate in percent, e.g. 7.1 or -2.3")
                            .with_value(raw)
                    }),
            )
        });
        if present(&self.value).is_none() && present(&self.growth).is_none() {
            errors.push(FieldError::new("value", "indicator.empty", "give the level, the official growth, or both"));
        }
        let source = present(&self.source).map(ToOwned::to_owned);
        if source.is_none() {
            errors.push(FieldError::new("source", "required", "say where the figure was published"));
        }
        match (indicator, region_code, period, source) {
            (Some(indicator), Some(region_code), Some(period), Some(source)) if errors.is_empty() => {
                Ok(IndicatorValue { indicator, region_code, period, value_minor, growth_percent, source })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(value: Option<&str>, growth: Option<&str>) -> IndicatorFields {
        IndicatorFields {
            indicator: Some("fixed_asset_investment".into()),
            region_code: Some("330400".into()),
            period: Some("2023-06".into()),
            value: value.map(Into::into),
            growth: growth.map(Into::into),
            source: Some("嘉兴市统计局（示例）".into()),
        }
    }

    #[test]
    fn a_level_a_growth_or_both_and_every_problem_named() {
        let both = fields(Some("178,960,000,000"), Some("10.5%")).validate().unwrap();
        assert_eq!(both.value_minor, Some(17_896_000_000_000));
        assert_eq!(both.growth_percent, Some("10.5".parse().unwrap()));
        assert!(fields(None, Some("-2.3")).validate().is_ok());
        let errors = fields(None, None).validate().unwrap_err();
        assert_eq!(errors.0[0].code, "indicator.empty");
        let bad = IndicatorFields {
            indicator: Some("gnp".into()),
            period: Some("2023-13".into()),
            ..fields(Some("-1"), Some("x"))
        };
        let codes: Vec<&str> = bad.validate().unwrap_err().0.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["indicator.kind", "period.format", "amount.negative", "indicator.growth"]);
        assert_eq!(IndicatorKind::ForeignCapitalUsed.currency(), "USD");
    }
}
