//! Investment statistics: the official monthly table of a region and its children.

use axum::extract::State;
use axum::response::Response;
use bridgehead_app::statistics::{FilterFields, InvestmentQuery, InvestmentTable, NamedLine, ProjectCountQuery};
use bridgehead_domain::money::format_major_units;
use bridgehead_domain::statistics::published_text;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::enterprises::{FileQuery, download};
use super::{Json, Path, Query};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::session::Principal;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TableQuery {
    /// The parent region, e.g. 330400; its children are the lines.
    pub region: String,
    /// January to this month, YYYY-MM.
    pub period: String,
    /// completed (default) or equipment.
    pub measure: Option<String>,
    /// Only projects whose GB/T 4754 class starts with these digits (1 to 4).
    pub industry: Option<String>,
    /// Only projects of this size tier and above (a tier code, see `/statistics/size-tiers`).
    pub tier: Option<String>,
    /// Only projects in this cluster (id).
    pub cluster: Option<String>,
    /// Only projects in this park (id).
    pub park: Option<String>,
    /// Only projects of this type: new, expansion, technological_transformation.
    pub project_type: Option<String>,
    /// Only projects with this source of capital: domestic, foreign, hk_macao_taiwan.
    pub capital_source: Option<String>,
    /// Breakdown only: the lines — industry (division), cluster, park, project_type,
    /// capital_source, tier, or region (the children).
    pub by: Option<String>,
}

impl TableQuery {
    fn filter(&self) -> FilterFields {
        FilterFields {
            industry: self.industry.clone(),
            tier: self.tier.clone(),
            cluster: self.cluster.clone(),
            park: self.park.clone(),
            project_type: self.project_type.clone(),
            capital_source: self.capital_source.clone(),
        }
    }

    fn query(self) -> InvestmentQuery {
        let filter = self.filter();
        InvestmentQuery { region: self.region, period: self.period, measure: self.measure, filter }
    }
}

/// One line of the table.
#[derive(Debug, Serialize, ToSchema)]
pub struct TableLineOut {
    pub region_code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    /// cum(Y, 1..N) in yuan, decimal string.
    pub cumulative: String,
    /// cum(Y−1, 1..N) in yuan, on today's data.
    pub previous: String,
    /// (cum(Y) / cum(Y−1) − 1) × 100, one decimal, half away from zero; null without a base.
    pub growth_percent: Option<String>,
    /// cum(Y) / parent's cum(Y) × 100, one decimal.
    pub share_percent: Option<String>,
    /// Among the siblings on the published growth, highest first; equal values share a
    /// rank and the next is skipped (1, 2, 2, 4); null without growth and for the total.
    pub rank: Option<u32>,
    /// Δregion / parent's cum(Y−1) × 100, in percentage points.
    pub contribution_points: Option<String>,
    /// Δregion / Δparent × 100.
    pub contribution_rate: Option<String>,
}

impl From<&NamedLine> for TableLineOut {
    fn from(named: &NamedLine) -> Self {
        let l = &named.line;
        let percent = published_text;
        Self {
            region_code: l.region_code.clone(),
            name_zh: named.name_zh.clone(),
            name_en: named.name_en.clone(),
            cumulative: format_major_units(l.current_minor),
            previous: format_major_units(l.previous_minor),
            growth_percent: percent(l.growth_percent),
            share_percent: percent(l.share_percent),
            rank: l.rank,
            contribution_points: percent(l.contribution_points),
            contribution_rate: percent(l.contribution_rate),
        }
    }
}

/// The table: the parent's line and one per child region.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvestmentTableOut {
    /// The last month of the January..N window, YYYY-MM.
    pub period: String,
    pub measure: String,
    pub industry: Option<String>,
    pub title_zh: String,
    pub title_en: String,
    pub total: TableLineOut,
    pub children: Vec<TableLineOut>,
    /// cum(Y) / the region's published total fixed-asset investment × 100, one decimal;
    /// null when that level is not published.
    pub fixed_asset_investment_share: Option<String>,
    /// The region's published external indicators for the same months.
    pub indicators: Vec<IndicatorOut>,
}

impl From<&bridgehead_domain::indicators::IndicatorValue> for IndicatorOut {
    fn from(i: &bridgehead_domain::indicators::IndicatorValue) -> Self {
        Self {
            indicator: i.indicator.as_str().to_owned(),
            value: i.value_minor.map(format_major_units),
            currency: i.indicator.currency().to_owned(),
            growth_percent: i.growth_percent.map(|g| g.normalize().to_string()),
            source: i.source.clone(),
        }
    }
}

/// A published external figure.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorOut {
    /// gdp, industrial_value_added, fixed_asset_investment or foreign_capital_used.
    pub indicator: String,
    /// The level in major units of `currency`, decimal string; null when only the growth is published.
    pub value: Option<String>,
    pub currency: String,
    /// The official growth in percent, as published (comparable prices).
    pub growth_percent: Option<String>,
    pub source: String,
}

impl From<&InvestmentTable> for InvestmentTableOut {
    fn from(t: &InvestmentTable) -> Self {
        Self {
            period: t.period.to_string(),
            measure: t.measure.as_str().to_owned(),
            industry: t.industry.clone(),
            title_zh: t.title(bridgehead_io::Lang::Zh),
            title_en: t.title(bridgehead_io::Lang::En),
            total: TableLineOut::from(&t.total),
            children: t.children.iter().map(TableLineOut::from).collect(),
            fixed_asset_investment_share: published_text(t.fixed_asset_investment_share),
            indicators: t.indicators.iter().map(IndicatorOut::from).collect(),
        }
    }
}

/// The official manufacturing investment table of a region and its children for
/// January..N: sums of the city-approved monthly reports (figures roll up the region
/// tree), growth on a comparable basis (both years from today's data), share of the
/// parent, rank among the siblings, contribution in points and as a rate.
#[utoipa::path(get, path = "/api/v1/statistics/investment", tag = "statistics", params(TableQuery),
    responses((status = 200, body = InvestmentTableOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn investment(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<TableQuery>,
) -> ApiResult<axum::Json<InvestmentTableOut>> {
    let table = state.app.investment_table(principal.require()?, &query.query()).await?;
    Ok(axum::Json(InvestmentTableOut::from(&table)))
}

/// The same table as a file in the official layout: a title, then region, cumulative
/// (100 million yuan), growth %, share %, rank.
#[utoipa::path(get, path = "/api/v1/statistics/investment/file", tag = "statistics", params(TableQuery, FileQuery),
    responses((status = 200, description = "The table",
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn investment_file(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<TableQuery>,
    Query(file): Query<FileQuery>,
) -> ApiResult<Response> {
    let (format, lang) = file.parse()?;
    let table = state.app.investment_table(principal.require()?, &query.query()).await?;
    let name = format!("investment-{}-{}", table.total.line.region_code, table.period);
    Ok(download(table.file(lang, format)?, format, &name))
}

/// Imports published external indicators (indicator, region, period, value, official
/// growth, source) from a `.csv` or `.xlsx` body: every row or none; a changed figure
/// becomes a new revision, an equal one changes nothing.
#[utoipa::path(post, path = "/api/v1/indicators/import", tag = "statistics", params(super::enterprises::ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = super::enterprises::ImportOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn import_indicators(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<super::enterprises::ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<axum::Json<super::enterprises::ImportOut>> {
    let file_name = query.file_name.unwrap_or_else(|| "upload".to_owned());
    let format = bridgehead_io::FileFormat::from_file_name(&file_name)
        .unwrap_or_else(|| bridgehead_io::FileFormat::sniff(&body));
    let outcome = state.app.import_indicators(principal.require()?, &file_name, &body, format, &|_, _| {}).await?;
    Ok(axum::Json(outcome.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// gdp, industrial_value_added, fixed_asset_investment or foreign_capital_used.
    pub indicator: String,
    pub region: String,
    /// YYYY-MM: the figure covers January..this month.
    pub period: String,
}

/// One revision of a published figure.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionOut {
    pub revision: i64,
    pub figure: IndicatorOut,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// Every revision of one published figure, newest first.
#[utoipa::path(get, path = "/api/v1/indicators/history", tag = "statistics", params(HistoryQuery),
    responses((status = 200, body = Vec<RevisionOut>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn indicator_history(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<HistoryQuery>,
) -> ApiResult<axum::Json<Vec<RevisionOut>>> {
    let history =
        state.app.indicator_history(principal.require()?, &query.indicator, &query.region, &query.period).await?;
    Ok(axum::Json(
        history
            .iter()
            .map(|r| RevisionOut {
                revision: r.revision,
                figure: IndicatorOut::from(&r.value),
                recorded_by: r.recorded_by.clone(),
                recorded_at: r.recorded_at.clone(),
            })
            .collect(),
    ))
}

/// A line of a breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownLineOut {
    /// The dimension's value: industry division, cluster id, park id, type, source of
    /// capital or tier code; "" for projects without one.
    pub key: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    /// cum(Y, 1..N) in yuan.
    pub cumulative: String,
    /// cum(Y−1, 1..N) in yuan.
    pub previous: String,
    /// (cum(Y) / cum(Y−1) − 1) × 100, one decimal.
    pub growth_percent: Option<String>,
    /// cum(Y) / the region's cum(Y) × 100, one decimal.
    pub share_percent: Option<String>,
    /// Among the lines on the published growth (ties share a rank, the next is skipped).
    pub rank: Option<u32>,
}

/// The region's figure broken down by a dimension.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownOut {
    pub region_code: String,
    pub period: String,
    pub measure: String,
    pub by: String,
    /// The region's total (every project passing the filter).
    pub cumulative: String,
    pub previous: String,
    pub growth_percent: Option<String>,
    /// Lines with a non-zero figure. Clusters overlap, so cluster lines may add up to more
    /// than the total.
    pub lines: Vec<BreakdownLineOut>,
}

/// The region's January..N figure by industry division, cluster, park, project type,
/// source of capital or size tier (`by`), with each line's growth, share and rank.
#[utoipa::path(get, path = "/api/v1/statistics/breakdown", tag = "statistics", params(TableQuery),
    responses((status = 200, body = BreakdownOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn breakdown(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<TableQuery>,
) -> ApiResult<axum::Json<BreakdownOut>> {
    let by = query.by.clone();
    let b = state.app.investment_breakdown(principal.require()?, &query.query(), by.as_ref()).await?;
    Ok(axum::Json(BreakdownOut {
        region_code: b.region_code,
        period: b.period.to_string(),
        measure: b.measure.to_owned(),
        by: b.by.as_str().to_owned(),
        cumulative: format_major_units(b.total.current_minor),
        previous: format_major_units(b.total.previous_minor),
        growth_percent: published_text(b.total.growth_percent),
        lines: b
            .lines
            .into_iter()
            .map(|l| BreakdownLineOut {
                key: l.key,
                name_zh: l.name_zh,
                name_en: l.name_en,
                cumulative: format_major_units(l.line.current_minor),
                previous: format_major_units(l.line.previous_minor),
                growth_percent: published_text(l.line.growth_percent),
                share_percent: published_text(l.line.share_percent),
                rank: l.line.rank,
            })
            .collect(),
    }))
}

/// A month of a trend.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendMonthOut {
    /// YYYY-MM.
    pub period: String,
    /// January..this month, in yuan.
    pub cumulative: String,
    /// January..the same month a year earlier, in yuan.
    pub previous_cumulative: String,
    /// This month alone, in yuan.
    pub month: String,
    /// Growth of the cumulative figure, one decimal.
    pub growth_percent: Option<String>,
}

/// The region's cumulative figure month by month from January through `period`, beside
/// the year before (the dashboard's trend lines).
#[utoipa::path(get, path = "/api/v1/statistics/trend", tag = "statistics", params(TableQuery),
    responses((status = 200, body = Vec<TrendMonthOut>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn trend(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<TableQuery>,
) -> ApiResult<axum::Json<Vec<TrendMonthOut>>> {
    let months = state.app.investment_trend(principal.require()?, &query.query()).await?;
    Ok(axum::Json(
        months
            .into_iter()
            .map(|m| TrendMonthOut {
                period: m.period.to_string(),
                cumulative: format_major_units(m.cumulative_minor),
                previous_cumulative: format_major_units(m.previous_cumulative_minor),
                month: format_major_units(m.month_minor),
                growth_percent: published_text(m.growth_percent),
            })
            .collect(),
    ))
}

/// A project behind a figure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContributorOut {
    pub project_id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub region_code: String,
    /// Its January..N in yuan, and the same months a year earlier.
    pub cumulative: String,
    pub previous: String,
}

/// The projects behind a figure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContributorsOut {
    /// How many projects make up the figure.
    pub total: usize,
    /// The largest 200, largest first.
    pub projects: Vec<ContributorOut>,
}

/// Drill-down: the projects (with a non-zero figure) behind the region's January..N
/// figure under the same filter; their reports are at `/api/v1/projects/{id}/reports`.
#[utoipa::path(get, path = "/api/v1/statistics/contributors", tag = "statistics", params(TableQuery),
    responses((status = 200, body = ContributorsOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn contributors(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<TableQuery>,
) -> ApiResult<axum::Json<ContributorsOut>> {
    let (found, total) = state.app.investment_contributors(principal.require()?, &query.query(), 200).await?;
    Ok(axum::Json(ContributorsOut {
        total,
        projects: found
            .into_iter()
            .map(|c| ContributorOut {
                project_id: c.project_id,
                code: c.code,
                name_zh: c.name_zh,
                name_en: c.name_en,
                region_code: c.region_code,
                cumulative: format_major_units(c.current_minor),
                previous: format_major_units(c.previous_minor),
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CountQuery {
    /// The region, e.g. 330400.
    pub region: String,
    /// signed (default), started or in_production.
    pub event: Option<String>,
    /// The window's last day, YYYY-MM-DD.
    pub through: String,
    /// The window's length in months ending on `through` (1 to 120, default 12): 9 and
    /// 2019-06-30 count 2018-10-01..2019-06-30.
    pub months: Option<String>,
    /// The lines: region (children, default), tier, industry, cluster, park, project_type, capital_source.
    pub by: Option<String>,
    pub industry: Option<String>,
    /// A size tier's code: that tier and above.
    pub tier: Option<String>,
    pub cluster: Option<String>,
    pub park: Option<String>,
    pub project_type: Option<String>,
    pub capital_source: Option<String>,
    /// true: only projects of Fortune Global 500 enterprises.
    pub fortune_global_500: Option<String>,
}

/// A count's line.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountLineOut {
    pub key: String,
    pub projects: u64,
    /// Their planned total in yuan (at the signing-date rate).
    pub planned_total_cny: String,
}

/// A size tier.
#[derive(Debug, Serialize, ToSchema)]
pub struct SizeTierOut {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Reached at this planned total in yuan…
    pub min_cny: String,
    /// …or at this USD equivalent at the signing-date rate.
    pub min_usd: Option<String>,
}

/// Counts of projects in a window.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountsOut {
    pub region_code: String,
    pub event: String,
    /// The window, both days included.
    pub from: String,
    pub to: String,
    pub by: String,
    pub total: CountLineOut,
    pub lines: Vec<CountLineOut>,
    /// From the lowest threshold up. A project counts in the highest tier it reaches, so
    /// tier lines do not nest; the `tier` filter keeps that tier and above (nested).
    pub tiers: Vec<SizeTierOut>,
}

fn count_line(l: bridgehead_domain::facts::KeyedCount) -> CountLineOut {
    CountLineOut { key: l.key, projects: l.projects, planned_total_cny: format_major_units(l.planned_total_cny_minor) }
}

/// Counts of projects signed, started or put into production in a rolling window
/// ("projects of 10 billion yuan and more signed in the last nine months"), by line, with
/// their planned totals.
#[utoipa::path(get, path = "/api/v1/statistics/projects", tag = "statistics", params(CountQuery),
    responses((status = 200, body = CountsOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn project_counts(
    State(state): State<AppState>,
    principal: Principal,
    Query(q): Query<CountQuery>,
) -> ApiResult<axum::Json<CountsOut>> {
    let query = ProjectCountQuery {
        region: q.region,
        event: q.event,
        through: q.through,
        months: q.months,
        by: q.by,
        filter: FilterFields {
            industry: q.industry,
            tier: q.tier,
            cluster: q.cluster,
            park: q.park,
            project_type: q.project_type,
            capital_source: q.capital_source,
        },
        fortune_global_500: q.fortune_global_500,
    };
    let c = state.app.project_counts(principal.require()?, &query).await?;
    Ok(axum::Json(CountsOut {
        region_code: c.region_code,
        event: c.event.as_str().to_owned(),
        from: c.from,
        to: c.to,
        by: c.by.as_str().to_owned(),
        total: count_line(c.counts.total),
        lines: c.counts.lines.into_iter().map(count_line).collect(),
        tiers: c.tiers.into_iter().map(tier_out).collect(),
    }))
}

/// A release to publish: the official table of a region for January..N.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PublishIn {
    pub region: String,
    /// YYYY-MM.
    pub period: String,
    /// completed (default) or equipment.
    pub measure: Option<String>,
    pub industry: Option<String>,
    pub tier: Option<String>,
    /// Shown with the release (at most 500 characters).
    pub note: Option<String>,
}

/// A published release: the table frozen at its cut-off.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReleaseOut {
    pub id: i64,
    pub region_code: String,
    pub period: String,
    pub measure: String,
    pub industry: Option<String>,
    pub title_zh: String,
    pub title_en: String,
    pub note: Option<String>,
    /// The moment of publishing: the figures are those of the data at that instant.
    pub cutoff_at: String,
    pub table: InvestmentTableOut,
}

impl From<&bridgehead_app::releases::Release> for ReleaseOut {
    fn from(r: &bridgehead_app::releases::Release) -> Self {
        Self {
            id: r.id,
            region_code: r.region_code.clone(),
            period: r.period.to_string(),
            measure: r.measure.as_str().to_owned(),
            industry: r.filter.industry_prefix.clone(),
            title_zh: r.title_zh.clone(),
            title_en: r.title_en.clone(),
            note: r.note.clone(),
            cutoff_at: r.cutoff_at.clone(),
            table: InvestmentTableOut::from(&r.table),
        }
    }
}

/// Publishes (freezes) the official table as it stands now. Later revisions of reports
/// never change a published release.
#[utoipa::path(post, path = "/api/v1/statistics/releases", tag = "statistics", request_body = PublishIn,
    responses((status = 201, body = ReleaseOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn publish(
    State(state): State<AppState>,
    principal: Principal,
    Json(input): Json<PublishIn>,
) -> ApiResult<(axum::http::StatusCode, axum::Json<ReleaseOut>)> {
    let query = InvestmentQuery {
        region: input.region,
        period: input.period,
        measure: input.measure,
        filter: FilterFields { industry: input.industry, tier: input.tier, ..FilterFields::default() },
    };
    let release = state.app.publish_release(principal.require()?, &query, input.note.as_deref()).await?;
    Ok((axum::http::StatusCode::CREATED, axum::Json(ReleaseOut::from(&release))))
}

/// Published releases of the reader's region and below, newest first (at most 200).
#[utoipa::path(get, path = "/api/v1/statistics/releases", tag = "statistics",
    responses((status = 200, body = Vec<ReleaseOut>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn releases(State(state): State<AppState>, principal: Principal) -> ApiResult<axum::Json<Vec<ReleaseOut>>> {
    let releases = state.app.releases(principal.require()?).await?;
    Ok(axum::Json(releases.iter().map(ReleaseOut::from).collect()))
}

/// A line of a release beside today's figure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComparedLineOut {
    pub region_code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    /// In yuan.
    pub released: String,
    pub today: String,
    /// today − released.
    pub difference: String,
    pub released_growth_percent: Option<String>,
    pub today_growth_percent: Option<String>,
}

/// A release beside today's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComparisonOut {
    pub release: ReleaseOut,
    pub changed: bool,
    pub lines: Vec<ComparedLineOut>,
}

/// A release compared with today's figures for the same table (revisions approved since
/// the cut-off show as differences; the release itself never changes).
#[utoipa::path(get, path = "/api/v1/statistics/releases/{id}/compare", tag = "statistics",
    params(("id" = i64, Path, description = "The release")),
    responses((status = 200, body = ComparisonOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn compare_release(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<ComparisonOut>> {
    let c = state.app.compare_release(principal.require()?, id).await?;
    Ok(axum::Json(ComparisonOut {
        release: ReleaseOut::from(&c.release),
        changed: c.changed,
        lines: c
            .lines
            .into_iter()
            .map(|l| ComparedLineOut {
                region_code: l.region_code,
                name_zh: l.name_zh,
                name_en: l.name_en,
                released: format_major_units(l.released_minor),
                today: format_major_units(l.today_minor),
                difference: format_major_units(l.difference_minor),
                released_growth_percent: published_text(l.released_growth_percent),
                today_growth_percent: published_text(l.today_growth_percent),
            })
            .collect(),
    }))
}

/// Every published release, newest first (at most 200). Public: no sign-in; the public
/// sees releases only, never live figures.
#[utoipa::path(get, path = "/api/v1/public/releases", tag = "statistics", security(()),
    responses((status = 200, body = Vec<ReleaseOut>)))]
pub async fn public_releases(State(state): State<AppState>) -> ApiResult<axum::Json<Vec<ReleaseOut>>> {
    let releases = state.app.public_releases().await?;
    Ok(axum::Json(releases.iter().map(ReleaseOut::from).collect()))
}

/// One published release. Public: no sign-in.
#[utoipa::path(get, path = "/api/v1/public/releases/{id}", tag = "statistics", security(()),
    params(("id" = i64, Path, description = "The release")),
    responses((status = 200, body = ReleaseOut), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn public_release(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult<axum::Json<ReleaseOut>> {
    Ok(axum::Json(ReleaseOut::from(&state.app.public_release(id).await?)))
}

/// A size tier as given.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SizeTierIn {
    /// Lowercase letters, digits and `_`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Reached at this planned total in yuan (decimal string)…
    pub min_cny: String,
    /// …or at this USD equivalent at the signing-date rate.
    pub min_usd: Option<String>,
}

fn tier_out(t: bridgehead_domain::facts::SizeTier) -> SizeTierOut {
    SizeTierOut {
        code: t.code,
        name_zh: t.name_zh,
        name_en: t.name_en,
        min_cny: format_major_units(t.min_cny_minor),
        min_usd: t.min_usd_minor.map(format_major_units),
    }
}

/// The size tiers, from the lowest threshold up. A project counts in the highest tier it
/// reaches; the `tier` filter keeps that tier and above.
#[utoipa::path(get, path = "/api/v1/statistics/size-tiers", tag = "statistics",
    responses((status = 200, body = Vec<SizeTierOut>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn size_tiers(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<axum::Json<Vec<SizeTierOut>>> {
    let tiers = state.app.size_tiers(principal.require()?).await?;
    Ok(axum::Json(tiers.into_iter().map(tier_out).collect()))
}

/// Replaces the size tiers (administrators), from the lowest threshold up, yuan thresholds
/// strictly increasing. Every server's statistics engine rebuilds with them.
#[utoipa::path(put, path = "/api/v1/statistics/size-tiers", tag = "statistics", request_body = Vec<SizeTierIn>,
    responses((status = 200, body = Vec<SizeTierOut>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_size_tiers(
    State(state): State<AppState>,
    principal: Principal,
    Json(input): Json<Vec<SizeTierIn>>,
) -> ApiResult<axum::Json<Vec<SizeTierOut>>> {
    let input: Vec<bridgehead_app::statistics::SizeTierInput> = input
        .into_iter()
        .map(|t| bridgehead_app::statistics::SizeTierInput {
            code: t.code,
            name_zh: t.name_zh,
            name_en: t.name_en,
            min_cny: t.min_cny,
            min_usd: t.min_usd,
        })
        .collect();
    let tiers = state.app.set_size_tiers(principal.require()?, &input).await?;
    Ok(axum::Json(tiers.into_iter().map(tier_out).collect()))
}
