//! Investment statistics (SPEC §4): the official monthly table of a region and its
//! children — cumulative January..N, growth on a comparable basis, share of the parent,
//! rank among the siblings, contribution — computed from the counted (city-approved)
//! monthly reports; and the table as a file in the official layout.

use bridgehead_domain::access::Role;
use bridgehead_domain::facts::{Breakdown, CountedEvent, Counts, Filter, KeyedSums, Measure, SizeTier, Sums};
use bridgehead_domain::period::Period;
use bridgehead_domain::project::{CapitalSource, ProjectType};
use bridgehead_domain::statistics::{RegionSums, RegionTable, TableLine, published_text, region_table};
use bridgehead_domain::{FieldError, FieldErrors};
use bridgehead_io::statistics::TABLE_COLUMNS;
use bridgehead_io::{FileFormat, Lang};
use bridgehead_store::statistics::SumsQuery;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

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

/// A region of a statistics table: its code and names.
#[derive(Debug, Clone)]
pub struct StatisticsRegion {
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
}

/// A line with its region's names.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NamedLine {
    pub name_zh: String,
    pub name_en: Option<String>,
    #[serde(flatten)]
    pub line: TableLine,
}

/// The table of a region and its children for January..N of a year.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InvestmentTable {
    pub period: Period,
    pub measure: Measure,
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
    /// The region a reader asked for, if it exists and lies in the reader's scope (from
    /// the engine's copy of the region tree, which every region import refreshes).
    pub(crate) async fn statistics_region(&self, actor: &Actor, code: &str) -> AppResult<StatisticsRegion> {
        actor.require(STATISTICS_READERS, "read the investment statistics")?;
        let code = code.trim();
        let index = self.statistics.current(&self.store).await?;
        let not_found = AppError::NotFound { what: "region" };
        let (name_zh, name_en) = index.region_name(code).ok_or(not_found)?;
        if let Some(scope) = actor.region_scope()
            && !index.region_within(code, scope)
        {
            return Err(AppError::NotFound { what: "region" });
        }
        Ok(StatisticsRegion {
            code: code.to_owned(),
            name_zh: name_zh.to_owned(),
            name_en: name_en.map(ToOwned::to_owned),
        })
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
        let Some((period, measure, filter)) = Self::parse_table_query(query, index.tiers(), &mut errors) else {
            return Err(AppError::Invalid(errors));
        };
        drop(index);
        self.compute_table(region, period, measure, filter).await
    }

    /// The official table of a region (already checked against the reader's scope) from
    /// the engine.
    pub(crate) async fn compute_table(
        &self,
        region: StatisticsRegion,
        period: Period,
        measure: Measure,
        filter: Filter,
    ) -> AppResult<InvestmentTable> {
        let index = self.statistics.current(&self.store).await?;
        let sums = index
            .sums(&region.code, period, measure, &filter, Breakdown::ChildRegions)
            .ok_or(AppError::NotFound { what: "region" })?;
        drop(index);
        self.named_table(region, period, measure, filter, &sums).await
    }

    /// Names a table's lines and adds the region's indicators.
    pub(crate) async fn named_table(
        &self,
        region: StatisticsRegion,
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
        let named = {
            let index = self.statistics.current(&self.store).await?;
            children
                .into_iter()
                .map(|line| {
                    let (name_zh, name_en) = index.region_name(&line.region_code).unwrap_or((&line.region_code, None));
                    NamedLine { name_zh: name_zh.to_owned(), name_en: name_en.map(ToOwned::to_owned), line }
                })
                .collect()
        };
        let mut conn = self.store.read().await?;
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
            measure,
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
        let Some((period, measure, filter)) = Self::parse_table_query(query, &tiers, &mut errors) else {
            return Err(AppError::Invalid(errors));
        };
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
    let mut value = (Decimal::from(minor) / Decimal::from(10_000_000_000_i64))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    // Always two decimals, as the official tables print them ("24.00").
    value.rescale(2);
    value.to_string()
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
            (Lang::Zh, Measure::Equipment) => "制造业设备投资",
            (Lang::Zh, Measure::Completed) => "制造业投资",
            (Lang::En, Measure::Equipment) => "manufacturing equipment investment",
            (Lang::En, Measure::Completed) => "manufacturing investment",
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

/// A count of projects as asked, as given.
#[derive(Debug, Clone, Default)]
pub struct ProjectCountQuery {
    pub region: String,
    /// `signed` (default), `started` or `in_production`.
    pub event: Option<String>,
    /// The window's last day, YYYY-MM-DD.
    pub through: String,
    /// The window's length in months, ending on `through` (1 to 120; default 12).
    pub months: Option<String>,
    /// The lines: `region` (default), `tier`, `industry`, `cluster`, `park`,
    /// `project_type`, `capital_source`.
    pub by: Option<String>,
    pub filter: FilterFields,
    /// `true`: Fortune Global 500 investors only.
    pub fortune_global_500: Option<String>,
}

/// Counts of projects whose event date lies in a window, with the tiers that explain
/// the `tier` lines.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectCounts {
    pub region_code: String,
    pub event: CountedEvent,
    pub from: String,
    pub to: String,
    pub by: Breakdown,
    pub counts: Counts,
    /// The size tiers from the lowest threshold up. A project counts in the highest tier
    /// it reaches (tier lines do not nest); the `tier` filter keeps that tier and above.
    pub tiers: Vec<SizeTier>,
}

fn parse_counted_event(errors: &mut FieldErrors, raw: Option<&String>) -> Option<CountedEvent> {
    let raw = present(raw).unwrap_or("signed");
    let event = CountedEvent::ALL.iter().copied().find(|e| e.as_str() == raw);
    if event.is_none() {
        errors.push(
            FieldError::new("event", "statistics.event", "expected signed, started or in_production").with_value(raw),
        );
    }
    event
}

fn parse_breakdown(errors: &mut FieldErrors, raw: Option<&String>) -> Option<Breakdown> {
    let raw = present(raw).unwrap_or("region");
    let by = Breakdown::parse(raw);
    if by.is_none() {
        let expected = Breakdown::ALL.iter().map(|b| b.as_str()).collect::<Vec<_>>().join(", ");
        errors.push(FieldError::new("by", "statistics.by", format!("expected one of {expected}")).with_value(raw));
    }
    by
}

/// The first day of a window of `months` months ending on `to` (2019-06-30 and 9 months:
/// 2018-10-01).
pub fn window_start(to: time::Date, months: u32) -> time::Date {
    let next = to.next_day().unwrap_or(to);
    let index = i64::from(next.year()) * 12 + i64::from(u8::from(next.month())) - 1 - i64::from(months);
    let start = Period::from_index(index).map_or(time::Date::MIN, Period::first_day);
    // A window ending mid-month starts on the same day of the month, clamped.
    if next.day() == 1 { start } else { start.replace_day(next.day()).unwrap_or(start) }
}

impl App {
    /// Counts of projects signed, started or put into production in a window ("projects
    /// of 10 billion yuan and more signed in the last nine months"), by line.
    pub async fn project_counts(&self, actor: &Actor, query: &ProjectCountQuery) -> AppResult<ProjectCounts> {
        let region = self.statistics_region(actor, &query.region).await?;
        let index = self.statistics.current(&self.store).await?;
        let mut errors = FieldErrors::default();
        let event = parse_counted_event(&mut errors, query.event.as_ref());
        let by = parse_breakdown(&mut errors, query.by.as_ref());
        let to = errors.take(
            bridgehead_domain::enterprise::parse_date(query.through.trim())
                .map_err(|m| FieldError::new("through", "date.format", m).with_value(&query.through)),
        );
        let months = match present(query.months.as_ref()) {
            None => Some(12),
            Some(raw) => errors.take(raw.parse::<u32>().ok().filter(|m| (1..=120).contains(m)).ok_or_else(|| {
                FieldError::new("months", "statistics.months", "expected a number of months from 1 to 120")
                    .with_value(raw)
            })),
        };
        let mut filter = parse_filter(&mut errors, &query.filter, index.tiers());
        filter.fortune_global_500 = match present(query.fortune_global_500.as_ref()) {
            None => None,
            Some(raw) => errors.take(bridgehead_domain::enterprise::parse_flag(raw).ok_or_else(|| {
                FieldError::new("fortune_global_500", "flag.format", "expected true or false").with_value(raw)
            })),
        };
        let (Some(event), Some(by), Some(to), Some(months)) = (event, by, to, months) else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let from = window_start(to, months);
        let counts =
            index.counts(&region.code, &filter, by, event, from, to).ok_or(AppError::NotFound { what: "region" })?;
        Ok(ProjectCounts {
            region_code: region.code,
            event,
            from: bridgehead_domain::enterprise::format_date(from),
            to: bridgehead_domain::enterprise::format_date(to),
            by,
            counts,
            tiers: index.tiers().to_vec(),
        })
    }
}

/// A line of a breakdown: the key, its name in both languages, and the figures.
#[derive(Debug, Clone, Serialize)]
pub struct BreakdownLine {
    pub key: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    /// Growth, share of the total and rank among the lines, as in the official table.
    pub line: TableLine,
}

/// The region's figure for January..N broken down by a dimension.
#[derive(Debug, Clone, Serialize)]
pub struct InvestmentBreakdown {
    pub region_code: String,
    pub period: Period,
    pub measure: &'static str,
    pub by: Breakdown,
    pub filter: Filter,
    pub total: TableLine,
    /// Lines with a non-zero figure, by key. Clusters overlap (a project may belong to
    /// several), so cluster lines may add up to more than the total.
    pub lines: Vec<BreakdownLine>,
}

/// A region's cumulative figure month by month through a year, beside the year before.
#[derive(Debug, Clone, Serialize)]
pub struct TrendMonth {
    pub period: Period,
    /// January..this month of the year.
    pub cumulative_minor: i64,
    /// January..the same month a year earlier.
    pub previous_cumulative_minor: i64,
    /// This month alone (the difference of two cumulative values).
    pub month_minor: i64,
    pub growth_percent: Option<rust_decimal::Decimal>,
}

/// A project behind a figure.
#[derive(Debug, Clone, Serialize)]
pub struct Contributor {
    pub project_id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub region_code: String,
    pub current_minor: i64,
    pub previous_minor: i64,
}

impl App {
    /// Parses a table query's period, measure and filter against the engine's tiers.
    fn parse_table_query(
        query: &InvestmentQuery,
        tiers: &[SizeTier],
        errors: &mut FieldErrors,
    ) -> Option<(Period, Measure, Filter)> {
        let period = parse_period(errors, "period", &query.period);
        let measure = parse_measure(errors, query.measure.as_ref());
        let filter = parse_filter(errors, &query.filter, tiers);
        match (period, measure) {
            (Some(period), Some(measure)) if errors.is_empty() => Some((period, measure, filter)),
            _ => None,
        }
    }

    /// The region's figure for January..N by a dimension (`by`: industry, cluster, park,
    /// project_type, capital_source, tier; or region for its children).
    pub async fn investment_breakdown(
        &self,
        actor: &Actor,
        query: &InvestmentQuery,
        by: Option<&String>,
    ) -> AppResult<InvestmentBreakdown> {
        let region = self.statistics_region(actor, &query.region).await?;
        let index = self.statistics.current(&self.store).await?;
        let mut errors = FieldErrors::default();
        let by = parse_breakdown(&mut errors, by);
        let parsed = Self::parse_table_query(query, index.tiers(), &mut errors);
        let (Some(by), Some((period, measure, filter))) = (by, parsed) else { return Err(AppError::Invalid(errors)) };
        let sums =
            index.sums(&region.code, period, measure, &filter, by).ok_or(AppError::NotFound { what: "region" })?;
        let tiers = index.tiers().to_vec();
        drop(index);
        let as_region = |s: &KeyedSums| RegionSums {
            region_code: s.key.clone(),
            current_minor: s.current_minor,
            previous_minor: s.previous_minor,
        };
        let lines: Vec<RegionSums> = sums.lines.iter().map(as_region).collect();
        let table = region_table(&as_region(&sums.total), &lines);
        let names = self.line_names(by, &tiers, &table.children).await?;
        let lines = table
            .children
            .into_iter()
            .zip(names)
            .map(|(line, (name_zh, name_en))| BreakdownLine { key: line.region_code.clone(), name_zh, name_en, line })
            .collect();
        Ok(InvestmentBreakdown {
            region_code: region.code,
            period,
            measure: measure.as_str(),
            by,
            filter,
            total: table.total,
            lines,
        })
    }

    /// The names of a breakdown's lines (the key itself when it names nothing stored).
    async fn line_names(
        &self,
        by: Breakdown,
        tiers: &[SizeTier],
        lines: &[TableLine],
    ) -> AppResult<Vec<(String, Option<String>)>> {
        let mut conn = self.store.read().await?;
        let mut clusters = std::collections::HashMap::new();
        if by == Breakdown::Cluster {
            for taxonomy in bridgehead_store::reference::list_cluster_taxonomies(&mut conn, None).await? {
                if let Some(full) = bridgehead_store::reference::get_cluster_taxonomy(&mut conn, taxonomy.id).await? {
                    for cluster in full.clusters {
                        let zh = format!("{}：{}", full.name_zh, cluster.name_zh);
                        clusters.insert(cluster.id.to_string(), (zh, cluster.name_en));
                    }
                }
            }
        }
        let mut names = Vec::with_capacity(lines.len());
        for line in lines {
            let key = line.region_code.as_str();
            let name = match by {
                _ if key.is_empty() => ("（未分类）".to_owned(), Some("(none)".to_owned())),
                Breakdown::ChildRegions => {
                    let index = self.statistics.current(&self.store).await?;
                    index
                        .region_name(key)
                        .map_or((key.to_owned(), None), |(zh, en)| (zh.to_owned(), en.map(ToOwned::to_owned)))
                }
                Breakdown::IndustryDivision => bridgehead_store::reference::get_industry(
                    &mut conn,
                    bridgehead_domain::codes::INDUSTRY_EDITION,
                    key,
                )
                .await?
                .map_or((key.to_owned(), None), |i| (format!("{key} {}", i.name_zh), i.name_en)),
                Breakdown::Cluster => clusters.get(key).cloned().unwrap_or((key.to_owned(), None)),
                Breakdown::Park => match key.parse::<i64>() {
                    Ok(id) => bridgehead_store::reference::get_park(&mut conn, id)
                        .await?
                        .map_or((key.to_owned(), None), |p| (p.name_zh, p.name_en)),
                    Err(_) => (key.to_owned(), None),
                },
                Breakdown::Tier => tiers
                    .iter()
                    .find(|t| t.code == key)
                    .map_or((key.to_owned(), None), |t| (t.name_zh.clone(), Some(t.name_en.clone()))),
                Breakdown::ProjectType | Breakdown::CapitalSource => (key.to_owned(), Some(key.to_owned())),
            };
            names.push(name);
        }
        Ok(names)
    }

    /// The region's cumulative figure for each month of the period's year through the
    /// period, beside the same months a year earlier.
    pub async fn investment_trend(&self, actor: &Actor, query: &InvestmentQuery) -> AppResult<Vec<TrendMonth>> {
        let region = self.statistics_region(actor, &query.region).await?;
        let index = self.statistics.current(&self.store).await?;
        let mut errors = FieldErrors::default();
        let Some((period, measure, filter)) = Self::parse_table_query(query, index.tiers(), &mut errors) else {
            return Err(AppError::Invalid(errors));
        };
        let not_found = || AppError::NotFound { what: "region" };
        let year = index.months_of_year(&region.code, period.year(), measure, &filter).ok_or_else(not_found)?;
        let before = index.months_of_year(&region.code, period.year() - 1, measure, &filter).ok_or_else(not_found)?;
        let months = usize::from(period.month());
        Ok((0..months)
            .map(|m| TrendMonth {
                period: Period::new(period.year(), u8::try_from(m + 1).unwrap_or(1)).unwrap_or(period),
                cumulative_minor: year[m],
                previous_cumulative_minor: before[m],
                month_minor: year[m] - if m == 0 { 0 } else { year[m - 1] },
                growth_percent: bridgehead_domain::statistics::growth_percent(year[m], before[m]),
            })
            .collect())
    }

    /// The projects behind the region's figure for January..N (largest first; at most
    /// `limit`) and how many there are in all.
    pub async fn investment_contributors(
        &self,
        actor: &Actor,
        query: &InvestmentQuery,
        limit: usize,
    ) -> AppResult<(Vec<Contributor>, usize)> {
        let region = self.statistics_region(actor, &query.region).await?;
        let index = self.statistics.current(&self.store).await?;
        let mut errors = FieldErrors::default();
        let Some((period, measure, filter)) = Self::parse_table_query(query, index.tiers(), &mut errors) else {
            return Err(AppError::Invalid(errors));
        };
        let found =
            index.contributors(&region.code, period, measure, &filter).ok_or(AppError::NotFound { what: "region" })?;
        drop(index);
        let all = found.len();
        let shown: Vec<(i64, i64, i64)> = found.into_iter().take(limit).collect();
        let ids: Vec<i64> = shown.iter().map(|c| c.0).collect();
        let mut conn = self.store.read().await?;
        let labels = bridgehead_store::statistics::project_labels(&mut conn, &ids).await?;
        let contributors = shown
            .into_iter()
            .filter_map(|(id, current_minor, previous_minor)| {
                labels.get(&id).map(|l| Contributor {
                    project_id: id,
                    code: l.code.clone(),
                    name_zh: l.name_zh.clone(),
                    name_en: l.name_en.clone(),
                    region_code: l.region_code.clone(),
                    current_minor,
                    previous_minor,
                })
            })
            .collect();
        Ok((contributors, all))
    }
}

/// The children's figures stacked by cluster: one series per cluster with a figure in
/// the region, one value per child region.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterStack {
    /// The child regions: code, names.
    pub regions: Vec<(String, String, Option<String>)>,
    /// The clusters: id, names, and January..N per child region (in `regions` order).
    pub series: Vec<(String, String, Option<String>, Vec<i64>)>,
}

impl App {
    /// The table's children stacked by cluster (projects outside every cluster are left
    /// out; a project in two clusters counts in both).
    pub async fn investment_by_cluster(&self, actor: &Actor, query: &InvestmentQuery) -> AppResult<ClusterStack> {
        let clusters = self.investment_breakdown(actor, query, Some(&"cluster".to_owned())).await?;
        let index = self.statistics.current(&self.store).await?;
        let mut errors = FieldErrors::default();
        let Some((period, measure, filter)) = Self::parse_table_query(query, index.tiers(), &mut errors) else {
            return Err(AppError::Invalid(errors));
        };
        let not_found = || AppError::NotFound { what: "region" };
        let children = index
            .sums(&clusters.region_code, period, measure, &filter, Breakdown::ChildRegions)
            .ok_or_else(not_found)?;
        let regions = children
            .lines
            .iter()
            .map(|l| {
                let (zh, en) = index.region_name(&l.key).unwrap_or((&l.key, None));
                (l.key.clone(), zh.to_owned(), en.map(ToOwned::to_owned))
            })
            .collect();
        let mut series = Vec::new();
        for line in clusters.lines.iter().filter(|l| !l.key.is_empty()) {
            let Ok(id) = line.key.parse::<i64>() else { continue };
            let within = Filter { cluster_id: Some(id), ..filter.clone() };
            let sums = index
                .sums(&clusters.region_code, period, measure, &within, Breakdown::ChildRegions)
                .ok_or_else(not_found)?;
            series.push((
                line.key.clone(),
                line.name_zh.clone(),
                line.name_en.clone(),
                sums.lines.iter().map(|l| l.current_minor).collect(),
            ));
        }
        Ok(ClusterStack { regions, series })
    }
}

/// A size tier as given (amounts in major units).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SizeTierInput {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Reached at this planned total in yuan…
    pub min_cny: String,
    /// …or at this USD equivalent (optional).
    pub min_usd: Option<String>,
}

impl App {
    /// Replaces the size tiers (administrators): from the lowest threshold up, codes of
    /// lowercase letters, digits and `_`, unique; yuan thresholds strictly increasing.
    /// Every engine rebuilds with them.
    pub async fn set_size_tiers(&self, actor: &Actor, input: &[SizeTierInput]) -> AppResult<Vec<SizeTier>> {
        actor.require(&[Role::Administrator], "change the size tiers")?;
        actor.require_write()?;
        let mut errors = FieldErrors::default();
        if input.is_empty() || input.len() > 10 {
            errors.push(FieldError::new("tiers", "statistics.tiers", "give 1 to 10 tiers"));
        }
        let mut tiers: Vec<SizeTier> = Vec::new();
        for (i, tier) in input.iter().enumerate() {
            let field = |name: &str| format!("tiers[{i}].{name}");
            let code = tier.code.trim();
            if code.is_empty() || !code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
                errors.push(
                    FieldError::new(field("code"), "statistics.tier_code", "lowercase letters, digits and _")
                        .with_value(code),
                );
            } else if tiers.iter().any(|t| t.code == code) {
                errors.push(FieldError::new(field("code"), "statistics.tier_code", "used twice").with_value(code));
            }
            for (name, value) in [("name_zh", &tier.name_zh), ("name_en", &tier.name_en)] {
                if value.trim().is_empty() {
                    errors.push(FieldError::new(field(name), "field.required", "required"));
                }
            }
            let amount = |name: &str, raw: &str| {
                bridgehead_domain::money::parse_major_units(raw)
                    .ok()
                    .filter(|v| *v > 0)
                    .ok_or_else(|| FieldError::new(field(name), "amount.format", "a positive amount").with_value(raw))
            };
            let min_cny = errors.take(amount("min_cny", &tier.min_cny));
            let min_usd = match tier.min_usd.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                None => None,
                Some(raw) => errors.take(amount("min_usd", raw)),
            };
            if let (Some(min), Some(last)) = (min_cny, tiers.last())
                && min <= last.min_cny_minor
            {
                errors.push(
                    FieldError::new(field("min_cny"), "statistics.tier_order", "thresholds go up from tier to tier")
                        .with_value(&tier.min_cny),
                );
            }
            tiers.push(SizeTier {
                code: code.to_owned(),
                name_zh: tier.name_zh.trim().to_owned(),
                name_en: tier.name_en.trim().to_owned(),
                min_cny_minor: min_cny.unwrap_or(0),
                min_usd_minor: min_usd,
            });
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut tx = self.store.begin().await?;
        let before = bridgehead_store::statistics::size_tiers(&mut tx).await?;
        bridgehead_store::statistics::replace_size_tiers(&mut tx, &tiers).await?;
        crate::auth::audit(
            &mut tx,
            actor,
            "update",
            "size_tiers",
            "all",
            Some(serde_json::json!(before)),
            Some(serde_json::json!(tiers)),
        )
        .await?;
        tx.commit().await?;
        Ok(tiers)
    }
}
