//! Investment statistics (SPEC §4): the official monthly table of a region and its
//! children — cumulative January..N, growth on a comparable basis, share of the parent,
//! rank among the siblings, contribution — computed from the counted (city-approved)
//! monthly reports; and the table as a file in the official layout.

use bridgehead_domain::access::Role;
use bridgehead_domain::facts::{Breakdown, Filter, KeyedSums, Measure, SizeTier, Sums};
use bridgehead_domain::period::Period;
use bridgehead_domain::project::{CapitalSource, ProjectType};
use bridgehead_domain::reference::Region;
use bridgehead_domain::statistics::{RegionSums, RegionTable, TableLine, published_text, region_table};
use bridgehead_domain::{FieldError, FieldErrors};
use bridgehead_io::statistics::TABLE_COLUMNS;
use bridgehead_io::{FileFormat, Lang};
use bridgehead_store::statistics::SumsQuery;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::{Actor, App, AppError, AppResult};

/// Roles that read the statistics (each for its region and what lies under it).
pub const STATISTICS_READERS: &[Role] = &[Role::Administrator, Role::CityAnalyst, Role::DistrictOfficer];

/// What a table is asked for, as given.
#[derive(Debug, Clone, Default)]
pub struct InvestmentQuery {
    /// The parent region (its children are the lines).
    pub region: String,
    /// YYYY-MM: January..this month.
    pub period: String,
    /// `completed` (default) or `equipment`.
    pub measure: Option<String>,
    /// Which projects count.
    pub filter: FilterFields,
}

/// A filter as given: every field optional.
#[derive(Debug, Clone, Default)]
pub struct FilterFields {
    /// GB/T 4754 digits the projects' industry class starts with.
    pub industry: Option<String>,
    /// A size tier's code: projects of that tier and above.
    pub tier: Option<String>,
    pub cluster: Option<String>,
    pub park: Option<String>,
    pub project_type: Option<String>,
    pub capital_source: Option<String>,
}

/// A line with its region's names.
#[derive(Debug, Clone, Serialize)]
pub struct NamedLine {
    pub name_zh: String,
    pub name_en: Option<String>,
    #[serde(flatten)]
    pub line: TableLine,
}

/// The table of a region and its children for January..N of a year.
#[derive(Debug, Clone, Serialize)]
pub struct InvestmentTable {
    pub period: Period,
    pub measure: &'static str,
    pub industry: Option<String>,
    /// Which projects count.
    pub filter: Filter,
    pub total: NamedLine,
    pub children: Vec<NamedLine>,
    /// The region's published external indicators for the same months (newest revisions).
    pub indicators: Vec<bridgehead_domain::indicators::IndicatorValue>,
    /// The region's figure as a share of its total fixed-asset investment (an external
    /// indicator), when that level is published: cum / FAI × 100.
    pub fixed_asset_investment_share: Option<Decimal>,
}

fn present(value: Option<&String>) -> Option<&str> {
    value.map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn parse_measure(errors: &mut FieldErrors, measure: Option<&String>) -> Option<Measure> {
    match present(measure).unwrap_or("completed") {
        "completed" => Some(Measure::Completed),
        "equipment" => Some(Measure::Equipment),
        other => {
            errors.push(
                FieldError::new("measure", "statistics.measure", "expected completed or equipment").with_value(other),
            );
            None
        }
    }
}

fn parse_id(errors: &mut FieldErrors, field: &str, value: Option<&String>) -> Option<i64> {
    let raw = present(value)?;
    errors.take(
        raw.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| FieldError::new(field, "statistics.id", "expected a positive whole number").with_value(raw)),
    )
}

/// Checks a filter's fields (each error names its field); tier codes are looked up in `tiers`.
pub fn parse_filter(errors: &mut FieldErrors, fields: &FilterFields, tiers: &[SizeTier]) -> Filter {
    let industry_prefix = present(fields.industry.as_ref()).map(ToOwned::to_owned);
    if let Some(prefix) = &industry_prefix
        && !(prefix.len() <= 4 && prefix.bytes().all(|b| b.is_ascii_digit()))
    {
        errors.push(
            FieldError::new(
                "industry",
                "statistics.industry",
                "an industry prefix is 1 to 4 digits of a GB/T 4754 code",
            )
            .with_value(prefix),
        );
    }
    let min_band = match present(fields.tier.as_ref()) {
        None => 0,
        Some(code) => match tiers.iter().position(|t| t.code == code) {
            Some(position) => u8::try_from(position + 1).unwrap_or(u8::MAX),
            None => {
                let known = tiers.iter().map(|t| t.code.as_str()).collect::<Vec<_>>().join(", ");
                errors.push(
                    FieldError::new("tier", "statistics.tier", format!("expected one of {known}"))
                        .with_value(code)
                        .with_param("expected", known),
                );
                0
            }
        },
    };
    let project_type = present(fields.project_type.as_ref()).and_then(|raw| {
        let parsed = ProjectType::parse(raw);
        if parsed.is_none() {
            errors.push(
                FieldError::new(
                    "project_type",
                    "statistics.project_type",
                    format!("expected {}", ProjectType::expected()),
                )
                .with_value(raw),
            );
        }
        parsed
    });
    let capital_source = present(fields.capital_source.as_ref()).and_then(|raw| {
        let parsed = CapitalSource::parse(raw);
        if parsed.is_none() {
            errors.push(
                FieldError::new(
                    "capital_source",
                    "statistics.capital_source",
                    format!("expected {}", CapitalSource::expected()),
                )
                .with_value(raw),
            );
        }
        parsed
    });
    Filter {
        industry_prefix,
        min_band,
        max_band: None,
        cluster_id: parse_id(errors, "cluster", fields.cluster.as_ref()),
        park_id: parse_id(errors, "park", fields.park.as_ref()),
        project_type,
        capital_source,
        fortune_global_500: None,
    }
}

fn parse_period(errors: &mut FieldErrors, field: &str, raw: &str) -> Option<Period> {
    errors.take(Period::parse(raw.trim()).map_err(|m| FieldError::new(field, "period.format", m).with_value(raw)))
}

impl App {
    /// The region a reader asked for, if it exists and lies in the reader's scope.
    pub(crate) async fn statistics_region(&self, actor: &Actor, code: &str) -> AppResult<Region> {
        actor.require(STATISTICS_READERS, "read the investment statistics")?;
        let mut conn = self.store.read().await?;
        let not_found = AppError::NotFound { what: "region" };
        let region = bridgehead_store::reference::get_region(&mut conn, code.trim()).await?.ok_or(not_found)?;
        if let Some(scope) = actor.region_scope()
            && !bridgehead_store::reference::region_within(&mut conn, &region.code, scope).await?
        {
            return Err(AppError::NotFound { what: "region" });
        }
        Ok(region)
    }

    /// The size tiers, from the lowest threshold up.
    pub async fn size_tiers(&self, actor: &Actor) -> AppResult<Vec<SizeTier>> {
        actor.require(STATISTICS_READERS, "read the investment statistics")?;
        Ok(self.statistics.current(&self.store).await?.tiers().to_vec())
    }

    /// The newest month with counted figures in the actor's region (what a dashboard
    /// opens on).
    pub async fn latest_statistics_period(&self, actor: &Actor) -> AppResult<Option<Period>> {
        actor.require(STATISTICS_READERS, "read the investment statistics")?;
        let index = self.statistics.current(&self.store).await?;
        Ok(index.latest_period(actor.region_scope()))
    }

    /// The official table of `query.region` and its children (the actor's region or one
    /// under it), from the statistics engine.
    pub async fn investment_table(&self, actor: &Actor, query: &InvestmentQuery) -> AppResult<InvestmentTable> {
        let region = self.statistics_region(actor, &query.region).await?;
        let index = self.statistics.current(&self.store).await?;
        let mut errors = FieldErrors::default();
        let period = parse_period(&mut errors, "period", &query.period);
        let measure = parse_measure(&mut errors, query.measure.as_ref());
        let filter = parse_filter(&mut errors, &query.filter, index.tiers());
        let (Some(period), Some(measure)) = (period, measure) else { return Err(AppError::Invalid(errors)) };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let sums = index
            .sums(&region.code, period, measure, &filter, Breakdown::ChildRegions)
            .ok_or(AppError::NotFound { what: "region" })?;
        drop(index);
        self.named_table(region, period, measure, filter, &sums).await
    }

    /// Names a table's lines and adds the region's indicators.
    pub(crate) async fn named_table(
        &self,
        region: Region,
        period: Period,
        measure: Measure,
        filter: Filter,
        sums: &Sums,
    ) -> AppResult<InvestmentTable> {
        let regions = |s: &KeyedSums| RegionSums {
            region_code: s.key.clone(),
            current_minor: s.current_minor,
            previous_minor: s.previous_minor,
        };
        let children: Vec<RegionSums> = sums.lines.iter().map(regions).collect();
        let RegionTable { total, children } = region_table(&regions(&sums.total), &children);
        let mut conn = self.store.read().await?;
        let mut named = Vec::with_capacity(children.len());
        for line in children {
            let child = bridgehead_store::reference::get_region(&mut conn, &line.region_code).await?;
            let (name_zh, name_en) = child.map(|r| (r.name_zh, r.name_en)).unwrap_or_default();
            named.push(NamedLine { name_zh, name_en, line });
        }
        let indicators: Vec<_> = bridgehead_store::indicators::current(&mut conn, &region.code, period)
            .await?
            .into_iter()
            .map(|r| r.value)
            .collect();
        // A share of fixed-asset investment means the whole of manufacturing investment.
        let whole = measure == Measure::Completed && filter == Filter::default();
        let fixed_asset_investment_share = indicators
            .iter()
            .filter(|_| whole)
            .find(|i| i.indicator == bridgehead_domain::indicators::IndicatorKind::FixedAssetInvestment)
            .and_then(|i| i.value_minor)
            .and_then(|fai| bridgehead_domain::statistics::share_percent(total.current_minor, fai));
        Ok(InvestmentTable {
            indicators,
            fixed_asset_investment_share,
            period,
            measure: measure.as_str(),
            industry: filter.industry_prefix.clone(),
            filter,
            total: NamedLine { name_zh: region.name_zh, name_en: region.name_en, line: total },
            children: named,
        })
    }

    /// The same table computed in SQL straight from the tables: the reference the
    /// engine is checked against (slower; for verification).
    pub async fn investment_table_reference(
        &self,
        actor: &Actor,
        query: &InvestmentQuery,
    ) -> AppResult<InvestmentTable> {
        let region = self.statistics_region(actor, &query.region).await?;
        let mut conn = self.store.read().await?;
        let tiers = bridgehead_store::statistics::size_tiers(&mut conn).await?;
        let mut errors = FieldErrors::default();
        let period = parse_period(&mut errors, "period", &query.period);
        let measure = parse_measure(&mut errors, query.measure.as_ref());
        let filter = parse_filter(&mut errors, &query.filter, &tiers);
        let (Some(period), Some(measure)) = (period, measure) else { return Err(AppError::Invalid(errors)) };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let sums_query = SumsQuery {
            region: region.code.clone(),
            through: period,
            measure,
            filter: filter.clone(),
            breakdown: Breakdown::ChildRegions,
        };
        let sums = bridgehead_store::statistics::reference_sums(&mut conn, &sums_query, &tiers)
            .await?
            .ok_or(AppError::NotFound { what: "region" })?;
        drop(conn);
        self.named_table(region, period, measure, filter, &sums).await
    }
}

/// Fen as 100 million yuan (亿元) with two decimals, the unit of the official tables.
pub fn hundred_millions(minor: i64) -> String {
    (Decimal::from(minor) / Decimal::from(10_000_000_000_i64))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        .to_string()
}

fn percent(value: Option<Decimal>) -> String {
    published_text(value).unwrap_or_default()
}

impl InvestmentTable {
    /// The title of the official table, e.g. "嘉兴市 2023年1-6月制造业投资".
    pub fn title(&self, lang: Lang) -> String {
        let month = self.period.month();
        let year = self.period.year();
        let what = match (lang, self.measure) {
            (Lang::Zh, "equipment") => "制造业设备投资",
            (Lang::Zh, _) => "制造业投资",
            (Lang::En, "equipment") => "manufacturing equipment investment",
            (Lang::En, _) => "manufacturing investment",
        };
        let industry = self.industry.as_deref().map(|i| match lang {
            Lang::Zh => format!("（行业代码 {i}*）"),
            Lang::En => format!(" (industry {i}*)"),
        });
        let industry = industry.unwrap_or_default();
        match lang {
            Lang::Zh => {
                let months = if month == 1 { "1月".to_owned() } else { format!("1-{month}月") };
                format!("{} {year}年{months}{what}{industry}", self.total.name_zh)
            }
            Lang::En => {
                let name = self.total.name_en.clone().unwrap_or_else(|| self.total.name_zh.clone());
                let months = if month == 1 { "January".to_owned() } else { format!("January–{}", month_name(month)) };
                format!("{name}: {what}, {months} {year}{industry}")
            }
        }
    }

    /// The lines as the official table shows them: the total first, then the children.
    pub fn rows(&self, lang: Lang) -> Vec<Vec<String>> {
        std::iter::once(&self.total)
            .chain(&self.children)
            .map(|named| {
                let name = match lang {
                    Lang::En => named.name_en.clone().unwrap_or_else(|| named.name_zh.clone()),
                    Lang::Zh => named.name_zh.clone(),
                };
                let l = &named.line;
                vec![
                    name,
                    hundred_millions(l.current_minor),
                    percent(l.growth_percent),
                    percent(l.share_percent),
                    l.rank.map(|r| r.to_string()).unwrap_or_default(),
                ]
            })
            .collect()
    }

    /// The table as `.xlsx` or CSV, titled.
    pub fn file(&self, lang: Lang, format: FileFormat) -> AppResult<Vec<u8>> {
        let title = self.title(lang);
        let mut rows = self.rows(lang).into_iter();
        bridgehead_io::write_sheet(TABLE_COLUMNS, lang, format, Some(&title), &mut rows)
            .map_err(|e| AppError::Internal(format!("writing the table failed: {e}")))
    }
}

fn month_name(month: u8) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES.get(usize::from(month.saturating_sub(1))).copied().unwrap_or("")
}
