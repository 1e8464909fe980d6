//! Enterprises: list, read, create, replace, yearly figures, import, export, templates.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bridgehead_app::enterprises::ImportOutcome;
use bridgehead_domain::enterprise::{EnterpriseSize, Ownership};
use bridgehead_io::FileFormat;
use bridgehead_store::enterprises::{EnterpriseFilter, EnterpriseSort};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::*;
use super::{Json, Page, Paging, Path, Query, etag_headers, if_match};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::session::Principal;

fn invalid(field: &str, message: impl Into<String>) -> Problem {
    Problem::from(bridgehead_app::AppError::invalid(field, "request.query", message))
}

/// Filters and order of an enterprise list (shared by the list, the export and the pages).
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseQuery {
    /// Part of a name or credit code.
    pub q: Option<String>,
    /// Only enterprises registered in this region or under it.
    pub region: Option<String>,
    /// An industry code prefix, e.g. "36".
    pub industry: Option<String>,
    /// state, private, foreign, hk_macao_taiwan or mixed.
    pub ownership: Option<String>,
    /// large, medium, small or micro.
    pub size: Option<String>,
    /// A tag code.
    pub tag: Option<String>,
    pub listed: Option<bool>,
    /// name, credit_code, region, established_on, registered_capital or updated_at.
    pub sort: Option<String>,
    /// asc or desc.
    pub order: Option<String>,
}

impl EnterpriseQuery {
    pub fn filter(&self) -> Result<EnterpriseFilter, Problem> {
        let blank = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(ToOwned::to_owned);
        let ownership = match blank(&self.ownership) {
            None => None,
            Some(o) => Some(
                Ownership::parse(&o)
                    .ok_or_else(|| invalid("ownership", format!("expected one of {}", Ownership::expected())))?,
            ),
        };
        let size = match blank(&self.size) {
            None => None,
            Some(s) => Some(
                EnterpriseSize::parse(&s)
                    .ok_or_else(|| invalid("size", format!("expected one of {}", EnterpriseSize::expected())))?,
            ),
        };
        let sort = match blank(&self.sort) {
            None => EnterpriseSort::default(),
            Some(s) => EnterpriseSort::parse(&s).ok_or_else(|| {
                let names: Vec<&str> = EnterpriseSort::ALL.iter().map(|(n, _)| *n).collect();
                invalid("sort", format!("expected one of {}", names.join(", ")))
            })?,
        };
        let descending = match blank(&self.order).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => return Err(invalid("order", "asc or desc")),
        };
        Ok(EnterpriseFilter {
            search: blank(&self.q),
            region_within: blank(&self.region),
            industry_prefix: blank(&self.industry),
            ownership,
            size,
            tag: blank(&self.tag),
            listed: self.listed,
            sort,
            descending,
            ..EnterpriseFilter::default()
        })
    }
}

/// Enterprises you may see, filtered, sorted and paged.
#[utoipa::path(get, path = "/api/v1/enterprises", tag = "enterprises", params(EnterpriseQuery, Paging),
    responses((status = 200, body = Page<EnterpriseOut>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<EnterpriseQuery>,
    Query(paging): Query<Paging>,
) -> ApiResult<axum::Json<Page<EnterpriseOut>>> {
    let (limit, offset) = paging.limit_offset()?;
    let mut filter = query.filter()?;
    filter.limit = limit;
    filter.offset = offset;
    let (items, total) = state.app.list_enterprises(principal.require()?, filter).await?;
    Ok(axum::Json(Page::new(items.iter().map(EnterpriseOut::from).collect(), paging, total)))
}

/// Registers an enterprise in your jurisdiction.
#[utoipa::path(post, path = "/api/v1/enterprises", tag = "enterprises", request_body = EnterpriseIn,
    responses((status = 201, body = EnterpriseOut), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(body): Json<EnterpriseIn>,
) -> ApiResult<(StatusCode, HeaderMap, axum::Json<EnterpriseOut>)> {
    let enterprise = state.app.create_enterprise(principal.require()?, &body.into()).await?;
    let mut headers = etag_headers(enterprise.version);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/enterprises/{}", enterprise.id)) {
        headers.insert(header::LOCATION, location);
    }
    Ok((StatusCode::CREATED, headers, axum::Json(EnterpriseOut::from(&enterprise))))
}

/// An enterprise with its yearly figures.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}", tag = "enterprises", params(("id" = i64, Path)),
    responses((status = 200, body = EnterpriseDetailOut, headers(("ETag" = String))), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> ApiResult<(HeaderMap, axum::Json<EnterpriseDetailOut>)> {
    let detail = state.app.enterprise(principal.require()?, id).await?;
    Ok((
        etag_headers(detail.enterprise.version),
        axum::Json(EnterpriseDetailOut {
            enterprise: EnterpriseOut::from(&detail.enterprise),
            figures: detail.figures.iter().map(FiguresOut::from).collect(),
            warnings: detail.warnings,
        }),
    ))
}

/// Replaces an enterprise's fields. Send `If-Match` with the ETag you read to avoid
/// overwriting someone else's change (412 if it moved on).
#[utoipa::path(put, path = "/api/v1/enterprises/{id}", tag = "enterprises", request_body = EnterpriseIn,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you edited")),
    responses((status = 200, body = EnterpriseOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<EnterpriseIn>,
) -> ApiResult<(HeaderMap, axum::Json<EnterpriseOut>)> {
    let version = if_match(&headers)?;
    let enterprise = state.app.update_enterprise(principal.require()?, id, version, &body.into()).await?;
    Ok((etag_headers(enterprise.version), axum::Json(EnterpriseOut::from(&enterprise))))
}

/// An enterprise's yearly figures, newest first.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/figures", tag = "enterprises", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<FiguresOut>), (status = 400, body = Problem), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn figures(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<Vec<FiguresOut>>> {
    let detail = state.app.enterprise(principal.require()?, id).await?;
    Ok(axum::Json(detail.figures.iter().map(FiguresOut::from).collect()))
}

/// Stores one year's figures of an enterprise.
#[utoipa::path(put, path = "/api/v1/enterprises/{id}/figures/{year}", tag = "enterprises", request_body = FiguresIn,
    params(("id" = i64, Path), ("year" = i32, Path)),
    responses((status = 200, body = FiguresOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_figures(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, year)): Path<(i64, i32)>,
    Json(body): Json<FiguresIn>,
) -> ApiResult<axum::Json<FiguresOut>> {
    let figures = state.app.put_figures(principal.require()?, id, year, &body.into()).await?;
    Ok(axum::Json(FiguresOut::from(&figures)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The file's name, kept in the import log.
    pub file_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub ignored_columns: Vec<String>,
}

impl From<ImportOutcome> for ImportOut {
    fn from(o: ImportOutcome) -> Self {
        Self {
            rows: o.rows,
            created: o.created,
            updated: o.updated,
            unchanged: o.unchanged,
            ignored_columns: o.ignored_columns,
        }
    }
}

/// Imports enterprises from a `.csv` or `.xlsx` body (the template's layout, Chinese or
/// English headers). All or nothing: with any row error nothing is stored and every
/// error is listed (row, column, value, reason). Rows match on the credit code, so a
/// second import of the same file changes nothing.
#[utoipa::path(post, path = "/api/v1/enterprises/import", tag = "enterprises", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn import(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ImportQuery>,
    body: Bytes,
) -> ApiResult<axum::Json<ImportOut>> {
    let file_name = query.file_name.unwrap_or_else(|| "upload".to_owned());
    let format = FileFormat::from_file_name(&file_name).unwrap_or_else(|| FileFormat::sniff(&body));
    let outcome = state.app.import_enterprises(principal.require()?, &file_name, &body, format, &|_, _| {}).await?;
    Ok(axum::Json(outcome.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// csv or xlsx (default xlsx).
    pub format: Option<String>,
    /// zh or en: the language of the headers (default zh).
    pub lang: Option<String>,
}

impl FileQuery {
    pub fn parse(&self) -> Result<(FileFormat, bridgehead_io::Lang), Problem> {
        let format = match self.format.as_deref() {
            None | Some("xlsx") => FileFormat::Xlsx,
            Some("csv") => FileFormat::Csv,
            Some(_) => return Err(invalid("format", "csv or xlsx")),
        };
        let lang = match self.lang.as_deref() {
            None => bridgehead_io::Lang::Zh,
            Some(l) => bridgehead_io::Lang::parse(l).ok_or_else(|| invalid("lang", "zh or en"))?,
        };
        Ok((format, lang))
    }
}

/// A file download response.
pub fn download(bytes: Vec<u8>, format: FileFormat, stem: &str) -> Response {
    let disposition = format!("attachment; filename=\"{stem}.{}\"", format.extension());
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(format.content_type())),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Exports the enterprises you may see (same filters as the list) as `.xlsx` or `.csv`.
#[utoipa::path(get, path = "/api/v1/enterprises/export", tag = "enterprises", params(FileQuery, EnterpriseQuery),
    responses((status = 200, description = "The file: `.xlsx` or UTF-8 CSV with a BOM",
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export(
    State(state): State<AppState>,
    principal: Principal,
    Query(file): Query<FileQuery>,
    Query(query): Query<EnterpriseQuery>,
) -> ApiResult<Response> {
    let (format, lang) = file.parse()?;
    let bytes = state.app.export_enterprises(principal.require()?, query.filter()?, lang, format).await?;
    Ok(download(bytes, format, "enterprises"))
}

/// The import template, with Chinese or English headers.
#[utoipa::path(get, path = "/api/v1/enterprises/template", tag = "enterprises", params(FileQuery),
    responses((status = 200, description = "The template: `.xlsx` or UTF-8 CSV with a BOM",
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn template(principal: Principal, Query(file): Query<FileQuery>) -> ApiResult<Response> {
    principal.require()?;
    let (format, lang) = file.parse()?;
    let bytes = bridgehead_io::template(bridgehead_app::enterprises::ENTERPRISE_COLUMNS, lang, format)
        .map_err(|e| Problem::from(bridgehead_app::AppError::Internal(e.to_string())))?;
    Ok(download(bytes, format, &format!("enterprise-template-{}", lang.code())))
}
