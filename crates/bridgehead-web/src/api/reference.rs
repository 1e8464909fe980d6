//! Reference data: regions, region groups, industries, parks, cluster systems, tags,
//! currencies, exchange rates, and the credit-code check.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use bridgehead_app::reference::CreditCodeCheck;
use bridgehead_domain::codes::IndustryLevel;
use bridgehead_domain::reference::{RegionLevel, Tag};
use bridgehead_store::reference::RegionFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::*;
use super::{Json, Page, Paging, Path, Query, etag_headers, if_match};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::session::Principal;

fn invalid(field: &str, message: &str) -> Problem {
    Problem::from(bridgehead_app::AppError::invalid(field, "request.query", message))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionQuery {
    /// Only the children of this region.
    pub parent: Option<String>,
    /// province, city or county.
    pub level: Option<String>,
    /// Only regions under this one (itself included).
    pub within: Option<String>,
    /// Part of a code or name.
    pub q: Option<String>,
}

/// Regions (GB/T 2260).
#[utoipa::path(get, path = "/api/v1/regions", tag = "reference", params(RegionQuery),
    responses((status = 200, body = Vec<RegionOut>), (status = 400, body = Problem), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn list_regions(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<RegionQuery>,
) -> ApiResult<axum::Json<Vec<RegionOut>>> {
    let level = match query.level.as_deref() {
        None => None,
        Some(l) => Some(RegionLevel::parse(l).ok_or_else(|| invalid("level", "province, city or county"))?),
    };
    let filter = RegionFilter { parent_code: query.parent, level, within: query.within, search: query.q };
    let regions = state.app.regions(principal.require()?, &filter).await?;
    Ok(axum::Json(regions.iter().map(RegionOut::from).collect()))
}

/// A region with its ancestors and children.
#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "reference", params(("code" = String, Path)),
    responses((status = 200, body = RegionDetailOut), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_region(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
) -> ApiResult<axum::Json<RegionDetailOut>> {
    let (region, ancestors, children) = state.app.region(principal.require()?, &code).await?;
    Ok(axum::Json(RegionDetailOut {
        region: RegionOut::from(&region),
        ancestors: ancestors.iter().map(RegionOut::from).collect(),
        children: children.iter().map(RegionOut::from).collect(),
    }))
}

/// Region groups (e.g. the 26 Yangtze River Delta cities).
#[utoipa::path(get, path = "/api/v1/region-groups", tag = "reference",
    responses((status = 200, body = Vec<RegionGroupOut>), (status = 401, body = Problem)))]
pub async fn list_region_groups(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<axum::Json<Vec<RegionGroupOut>>> {
    let groups = state.app.region_groups(principal.require()?).await?;
    Ok(axum::Json(
        groups
            .into_iter()
            .map(|g| RegionGroupOut { code: g.code, name_zh: g.name_zh, name_en: g.name_en, members: g.members })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndustryQuery {
    /// section, division, group or class.
    pub level: Option<String>,
    /// Only the children of this code.
    pub parent: Option<String>,
    /// Part of a code or name.
    pub q: Option<String>,
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

/// GB/T 4754-2017 industries.
#[utoipa::path(get, path = "/api/v1/industries", tag = "reference", params(IndustryQuery),
    responses((status = 200, body = Page<IndustryOut>), (status = 400, body = Problem), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn list_industries(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<IndustryQuery>,
) -> ApiResult<axum::Json<Page<IndustryOut>>> {
    let paging = Paging { page: query.page, per_page: query.per_page };
    let (limit, offset) = paging.limit_offset()?;
    let level = match query.level.as_deref() {
        None => None,
        Some(l) => Some(IndustryLevel::parse(l).ok_or_else(|| invalid("level", "section, division, group or class"))?),
    };
    let (items, total) =
        state.app.industries(principal.require()?, level, query.parent, query.q, limit, offset).await?;
    Ok(axum::Json(Page::new(items.iter().map(IndustryOut::from).collect(), paging, total)))
}

/// An industry with its children.
#[utoipa::path(get, path = "/api/v1/industries/{code}", tag = "reference", params(("code" = String, Path)),
    responses((status = 200, body = IndustryDetailOut), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_industry(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
) -> ApiResult<axum::Json<IndustryDetailOut>> {
    let (industry, children) = state.app.industry(principal.require()?, &code).await?;
    Ok(axum::Json(IndustryDetailOut {
        industry: IndustryOut::from(&industry),
        children: children.iter().map(IndustryOut::from).collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ParkQuery {
    /// Only parks in regions under this one.
    pub within: Option<String>,
}

/// Development zones and parks.
#[utoipa::path(get, path = "/api/v1/parks", tag = "reference", params(ParkQuery),
    responses((status = 200, body = Vec<ParkOut>), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn list_parks(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ParkQuery>,
) -> ApiResult<axum::Json<Vec<ParkOut>>> {
    let parks = state.app.parks(principal.require()?, query.within.as_deref()).await?;
    Ok(axum::Json(parks.iter().map(ParkOut::from).collect()))
}

/// Registers a park (administrators).
#[utoipa::path(post, path = "/api/v1/parks", tag = "reference", request_body = ParkIn,
    responses((status = 201, body = ParkOut), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_park(
    State(state): State<AppState>,
    principal: Principal,
    Json(body): Json<ParkIn>,
) -> ApiResult<(StatusCode, HeaderMap, axum::Json<ParkOut>)> {
    let park = state.app.create_park(principal.require()?, &body.into()).await?;
    Ok((StatusCode::CREATED, etag_headers(park.version), axum::Json(ParkOut::from(&park))))
}

/// A park.
#[utoipa::path(get, path = "/api/v1/parks/{id}", tag = "reference", params(("id" = i64, Path)),
    responses((status = 200, body = ParkOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_park(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> ApiResult<(HeaderMap, axum::Json<ParkOut>)> {
    let park = state.app.park(principal.require()?, id).await?;
    Ok((etag_headers(park.version), axum::Json(ParkOut::from(&park))))
}

/// Replaces a park (administrators); `If-Match` guards against lost updates.
#[utoipa::path(put, path = "/api/v1/parks/{id}", tag = "reference", request_body = ParkIn,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you edited")),
    responses((status = 200, body = ParkOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update_park(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<ParkIn>,
) -> ApiResult<(HeaderMap, axum::Json<ParkOut>)> {
    let version = if_match(&headers)?;
    let park = state.app.update_park(principal.require()?, id, version, &body.into()).await?;
    Ok((etag_headers(park.version), axum::Json(ParkOut::from(&park))))
}

/// Cluster systems, every version (without their clusters).
#[utoipa::path(get, path = "/api/v1/cluster-taxonomies", tag = "reference",
    responses((status = 200, body = Vec<ClusterTaxonomyOut>), (status = 401, body = Problem)))]
pub async fn list_cluster_taxonomies(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<axum::Json<Vec<ClusterTaxonomyOut>>> {
    let taxonomies = state.app.cluster_taxonomies(principal.require()?).await?;
    Ok(axum::Json(taxonomies.iter().map(ClusterTaxonomyOut::from).collect()))
}

/// Stores a new version of a cluster system (administrators).
#[utoipa::path(post, path = "/api/v1/cluster-taxonomies", tag = "reference", request_body = ClusterTaxonomyIn,
    responses((status = 201, body = ClusterTaxonomyOut), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_cluster_taxonomy(
    State(state): State<AppState>,
    principal: Principal,
    Json(body): Json<ClusterTaxonomyIn>,
) -> ApiResult<(StatusCode, axum::Json<ClusterTaxonomyOut>)> {
    let taxonomy = state.app.create_cluster_taxonomy(principal.require()?, &body.into()).await?;
    Ok((StatusCode::CREATED, axum::Json(ClusterTaxonomyOut::from(&taxonomy))))
}

/// One version of a cluster system with its clusters.
#[utoipa::path(get, path = "/api/v1/cluster-taxonomies/{id}", tag = "reference", params(("id" = i64, Path)),
    responses((status = 200, body = ClusterTaxonomyOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_cluster_taxonomy(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<ClusterTaxonomyOut>> {
    let taxonomy = state.app.cluster_taxonomy(principal.require()?, id).await?;
    Ok(axum::Json(ClusterTaxonomyOut::from(&taxonomy)))
}

/// Enterprise tags.
#[utoipa::path(get, path = "/api/v1/tags", tag = "reference",
    responses((status = 200, body = Vec<TagOut>), (status = 401, body = Problem)))]
pub async fn list_tags(State(state): State<AppState>, principal: Principal) -> ApiResult<axum::Json<Vec<TagOut>>> {
    let tags = state.app.tags(principal.require()?).await?;
    Ok(axum::Json(tags.into_iter().map(|t| TagOut { code: t.code, name_zh: t.name_zh, name_en: t.name_en }).collect()))
}

/// Creates or renames a tag (administrators).
#[utoipa::path(put, path = "/api/v1/tags/{code}", tag = "reference", params(("code" = String, Path)), request_body = TagIn,
    responses((status = 200, body = TagOut), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_tag(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
    Json(body): Json<TagIn>,
) -> ApiResult<axum::Json<TagOut>> {
    let tag =
        state.app.upsert_tag(principal.require()?, &Tag { code, name_zh: body.name_zh, name_en: body.name_en }).await?;
    Ok(axum::Json(TagOut { code: tag.code, name_zh: tag.name_zh, name_en: tag.name_en }))
}

/// Currencies. CNY is the base.
#[utoipa::path(get, path = "/api/v1/currencies", tag = "reference",
    responses((status = 200, body = Vec<CurrencyOut>), (status = 401, body = Problem)))]
pub async fn list_currencies(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<axum::Json<Vec<CurrencyOut>>> {
    let currencies = state.app.currencies(principal.require()?).await?;
    Ok(axum::Json(
        currencies.into_iter().map(|c| CurrencyOut { code: c.code, name_zh: c.name_zh, name_en: c.name_en }).collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RateQuery {
    pub currency: Option<String>,
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

/// Exchange rates, newest first.
#[utoipa::path(get, path = "/api/v1/exchange-rates", tag = "reference", params(RateQuery),
    responses((status = 200, body = Page<ExchangeRateOut>), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn list_exchange_rates(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<RateQuery>,
) -> ApiResult<axum::Json<Page<ExchangeRateOut>>> {
    let paging = Paging { page: query.page, per_page: query.per_page };
    let (limit, offset) = paging.limit_offset()?;
    let currency = query.currency.map(|c| c.to_ascii_uppercase());
    let (items, total) = state.app.exchange_rates(principal.require()?, currency.as_deref(), limit, offset).await?;
    Ok(axum::Json(Page::new(items.iter().map(ExchangeRateOut::from).collect(), paging, total)))
}

/// Records a rate (administrators); a rate for the same currency and date is replaced.
#[utoipa::path(post, path = "/api/v1/exchange-rates", tag = "reference", request_body = ExchangeRateIn,
    responses((status = 200, body = ExchangeRateOut), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_exchange_rate(
    State(state): State<AppState>,
    principal: Principal,
    Json(body): Json<ExchangeRateIn>,
) -> ApiResult<axum::Json<ExchangeRateOut>> {
    let rate = state
        .app
        .put_exchange_rate(
            principal.require()?,
            body.rate_date.as_deref(),
            body.currency_code.as_deref(),
            body.rate.as_deref(),
            body.source.as_deref(),
        )
        .await?;
    Ok(axum::Json(ExchangeRateOut::from(&rate)))
}

/// The rate in force on a date: the latest published on or before it.
#[utoipa::path(get, path = "/api/v1/exchange-rates/{currency}/on/{date}", tag = "reference",
    params(("currency" = String, Path), ("date" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 200, body = ExchangeRateOut), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn rate_on(
    State(state): State<AppState>,
    principal: Principal,
    Path((currency, date)): Path<(String, String)>,
) -> ApiResult<axum::Json<ExchangeRateOut>> {
    let rate = state.app.rate_on(principal.require()?, &currency, &date).await?;
    Ok(axum::Json(ExchangeRateOut::from(&rate)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportCountOut {
    pub rows: usize,
}

/// Imports exchange rates from a `.csv` or `.xlsx` body (columns date, currency,
/// rate, source; Chinese or English headers). Every row or none.
#[utoipa::path(post, path = "/api/v1/exchange-rates/import", tag = "reference",
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportCountOut), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn import_exchange_rates(
    State(state): State<AppState>,
    principal: Principal,
    body: Bytes,
) -> ApiResult<axum::Json<ImportCountOut>> {
    let format = bridgehead_io::FileFormat::sniff(&body);
    let rows = state.app.import_exchange_rates(principal.require()?, &body, format).await?;
    Ok(axum::Json(ImportCountOut { rows }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreditCodeCheckOut {
    pub code: String,
    pub valid: bool,
    pub expected_check_character: Option<String>,
    pub errors: Vec<crate::error::ProblemField>,
    pub region_code: Option<String>,
    pub region: Option<RegionOut>,
    pub warnings: Vec<String>,
}

impl From<CreditCodeCheck> for CreditCodeCheckOut {
    fn from(c: CreditCodeCheck) -> Self {
        Self {
            code: c.code,
            valid: c.valid,
            expected_check_character: c.expected_check_character.map(String::from),
            errors: c
                .errors
                .into_iter()
                .map(|e| crate::error::ProblemField {
                    field: e.field,
                    code: e.code.to_owned(),
                    message: e.message,
                    value: e.value,
                })
                .collect(),
            region_code: c.region_code,
            region: c.region.as_ref().map(RegionOut::from),
            warnings: c.warnings,
        }
    }
}

/// Checks a Unified Social Credit Code (GB 32100-2015) and names what is wrong.
#[utoipa::path(get, path = "/api/v1/credit-codes/{code}", tag = "reference", params(("code" = String, Path)),
    responses((status = 200, body = CreditCodeCheckOut), (status = 401, body = Problem)))]
pub async fn check_credit_code(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
) -> ApiResult<axum::Json<CreditCodeCheckOut>> {
    let check = state.app.check_credit_code(principal.require()?, &code).await?;
    Ok(axum::Json(check.into()))
}

/// Organisations users act for (administrators).
#[utoipa::path(get, path = "/api/v1/organizations", tag = "reference",
    responses((status = 200, body = Vec<OrganizationOut>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_organizations(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<axum::Json<Vec<OrganizationOut>>> {
    let organizations = state.app.organizations(principal.require()?).await?;
    Ok(axum::Json(organizations.iter().map(OrganizationOut::from).collect()))
}
