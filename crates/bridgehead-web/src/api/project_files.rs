//! Projects and stage events as files: import (all or nothing, idempotent), export in
//! the import layout, and the empty templates.

use axum::extract::State;
use axum::response::Response;
use bridgehead_io::projects::{EVENT_COLUMNS, PROJECT_COLUMNS};

use super::Query;
use super::enterprises::{FileQuery, ImportOut, ImportQuery, download};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::session::Principal;

fn upload_format(query: &ImportQuery, body: &[u8]) -> (String, bridgehead_io::FileFormat) {
    let file_name = query.file_name.clone().unwrap_or_else(|| "upload".to_owned());
    let format =
        bridgehead_io::FileFormat::from_file_name(&file_name).unwrap_or_else(|| bridgehead_io::FileFormat::sniff(body));
    (file_name, format)
}

fn template(columns: &'static [bridgehead_io::ColumnSpec], file: &FileQuery, name: &str) -> ApiResult<Response> {
    let (format, lang) = file.parse()?;
    let bytes = bridgehead_io::template(columns, lang, format)
        .map_err(|e| Problem::from(bridgehead_app::AppError::Internal(e.to_string())))?;
    Ok(download(bytes, format, &format!("{name}-{}", lang.code())))
}

/// Imports projects from a `.csv` or `.xlsx` body, matched on the project code: new codes
/// are registered with their signing date, known ones updated where a value differs.
/// Investors are given by credit code and share, parks by name. All or nothing, every
/// row error listed.
#[utoipa::path(post, path = "/api/v1/projects/import", tag = "projects", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn import_projects(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<axum::Json<ImportOut>> {
    let (file_name, format) = upload_format(&query, &body);
    let outcome = state.app.import_projects(principal.require()?, &file_name, &body, format, &|_, _| {}).await?;
    Ok(axum::Json(outcome.into()))
}

/// The projects in your scope in the import layout, as `.xlsx` or CSV.
#[utoipa::path(get, path = "/api/v1/projects/export", tag = "projects", params(FileQuery),
    responses((status = 200, description = "The projects",
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_projects(
    State(state): State<AppState>,
    principal: Principal,
    Query(file): Query<FileQuery>,
) -> ApiResult<Response> {
    let (format, lang) = file.parse()?;
    let bytes = state.app.export_projects(principal.require()?, lang, format).await?;
    Ok(download(bytes, format, "projects"))
}

/// The project import template, with Chinese or English headers.
#[utoipa::path(get, path = "/api/v1/projects/template", tag = "projects", params(FileQuery),
    responses((status = 200, description = "The template",
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn project_template(principal: Principal, Query(file): Query<FileQuery>) -> ApiResult<Response> {
    principal.require()?;
    template(PROJECT_COLUMNS, &file, "project-template")
}

/// Imports stage events (one row per event, in the order they happened) from a `.csv`
/// or `.xlsx` body. An event already recorded changes nothing; a new one follows the
/// stage rules. All or nothing, every row error listed.
#[utoipa::path(post, path = "/api/v1/stage-events/import", tag = "projects", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn import_events(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<axum::Json<ImportOut>> {
    let (file_name, format) = upload_format(&query, &body);
    let outcome = state.app.import_events(principal.require()?, &file_name, &body, format, &|_, _| {}).await?;
    Ok(axum::Json(outcome.into()))
}

/// The stage events of the projects in your scope in the import layout.
#[utoipa::path(get, path = "/api/v1/stage-events/export", tag = "projects", params(FileQuery),
    responses((status = 200, description = "The stage events",
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_events(
    State(state): State<AppState>,
    principal: Principal,
    Query(file): Query<FileQuery>,
) -> ApiResult<Response> {
    let (format, lang) = file.parse()?;
    let bytes = state.app.export_events(principal.require()?, lang, format).await?;
    Ok(download(bytes, format, "stage-events"))
}

/// The stage event import template, with Chinese or English headers.
#[utoipa::path(get, path = "/api/v1/stage-events/template", tag = "projects", params(FileQuery),
    responses((status = 200, description = "The template",
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn event_template(principal: Principal, Query(file): Query<FileQuery>) -> ApiResult<Response> {
    principal.require()?;
    template(EVENT_COLUMNS, &file, "stage-event-template")
}
