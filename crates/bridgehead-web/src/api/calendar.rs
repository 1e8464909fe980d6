//! The working-day calendar: covered years, import, and deadlines in working days.

use axum::extract::State;
use bridgehead_domain::enterprise::format_date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Query;
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::session::Principal;

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarDayOut {
    pub date: String,
    /// holiday (a day off, also on a weekday) or workday (a weekend day that is worked).
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarYearOut {
    pub year: i32,
    pub source: String,
    pub loaded_at: String,
    /// The days that differ from the Monday–Friday rule.
    pub days: Vec<CalendarDayOut>,
}

/// The years the calendar covers, with their holidays and adjusted working days.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "reference",
    responses((status = 200, body = Vec<CalendarYearOut>), (status = 401, body = Problem)))]
pub async fn years(State(state): State<AppState>, principal: Principal) -> ApiResult<axum::Json<Vec<CalendarYearOut>>> {
    let years = state.app.calendar_years(principal.require()?).await?;
    Ok(axum::Json(
        years
            .into_iter()
            .map(|y| CalendarYearOut {
                year: y.year,
                source: y.source,
                loaded_at: y.loaded_at,
                days: y
                    .days
                    .into_iter()
                    .map(|d| CalendarDayOut {
                        date: format_date(d.date),
                        kind: d.kind.as_str().to_owned(),
                        name: d.name,
                    })
                    .collect(),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Where the days come from, e.g. the notice's number.
    pub source: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarImportOut {
    /// The years replaced.
    pub years: Vec<i32>,
}

/// Imports calendar years from CSV (`date,kind,name`; kind holiday/workday or 休/班).
/// Each year in the file replaces the stored year whole; with any bad line nothing is stored.
#[utoipa::path(post, path = "/api/v1/calendar/import", tag = "reference", params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = CalendarImportOut), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn import(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<axum::Json<CalendarImportOut>> {
    let text = String::from_utf8(body.to_vec()).map_err(|_| {
        Problem::from(bridgehead_app::AppError::ImportFile {
            code: "import.encoding",
            message: "the calendar file must be UTF-8 CSV".into(),
        })
    })?;
    let years = state.app.import_calendar(principal.require()?, &text, query.source.as_deref().unwrap_or("")).await?;
    Ok(axum::Json(CalendarImportOut { years }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    /// The day the count starts after (YYYY-MM-DD); it is not counted itself.
    pub from: String,
    /// How many working days.
    #[param(minimum = 0, maximum = 3650)]
    pub working_days: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineOut {
    pub from: String,
    pub working_days: u32,
    pub deadline: String,
}

/// The date `working_days` working days after `from`, skipping weekends and public
/// holidays and counting weekend days that are made working days.
#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "reference", params(DeadlineQuery),
    responses((status = 200, body = DeadlineOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 422, body = Problem)))]
pub async fn deadline(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<DeadlineQuery>,
) -> ApiResult<axum::Json<DeadlineOut>> {
    if query.working_days > 3650 {
        return Err(Problem::from(bridgehead_app::AppError::invalid("working_days", "request.query", "at most 3650")));
    }
    let deadline = state.app.working_day_deadline(principal.require()?, &query.from, query.working_days).await?;
    Ok(axum::Json(DeadlineOut { from: query.from, working_days: query.working_days, deadline: format_date(deadline) }))
}
