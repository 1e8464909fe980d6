//! Investment statistics: the official monthly table of a region and its children.

use axum::extract::State;
use axum::response::Response;
use bridgehead_app::statistics::{FilterFields, InvestmentQuery, InvestmentTable, NamedLine};
use bridgehead_domain::money::format_major_units;
use bridgehead_domain::statistics::published_text;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Query;
use super::enterprises::{FileQuery, download};
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
}

impl TableQuery {
    fn query(self) -> InvestmentQuery {
        InvestmentQuery {
            region: self.region,
            period: self.period,
            measure: self.measure,
            filter: FilterFields {
                industry: self.industry,
                tier: self.tier,
                cluster: self.cluster,
                park: self.park,
                project_type: self.project_type,
                capital_source: self.capital_source,
            },
        }
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
            measure: t.measure.to_owned(),
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
