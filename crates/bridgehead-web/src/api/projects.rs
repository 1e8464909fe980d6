//! Projects, stage events and monthly reports.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use bridgehead_app::projects::{EventInput, ProjectDetail, Reminder, ReportDetail};
use bridgehead_domain::enterprise::format_date;
use bridgehead_domain::money::format_major_units;
use bridgehead_domain::period::Period;
use bridgehead_domain::project::{
    MonthlyReport, Project, ProjectFields, ReportFields, ReportReview, ReportStatus, StageEvent, StageKind,
};
use bridgehead_store::projects::{ProjectFilter, ReportFilter};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::Object;
use utoipa::{IntoParams, ToSchema};

use super::{Json, Page, Paging, Path, Query, etag_headers, if_match};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::session::Principal;

fn invalid(field: &str, message: impl Into<String>) -> Problem {
    Problem::from(bridgehead_app::AppError::invalid(field, "request.query", message))
}

fn stage_schema() -> Object {
    super::dto::vocabulary(StageKind::ALL.iter().map(|s| s.as_str()), "A stage event kind.")
}

fn project_type_schema() -> Object {
    super::dto::vocabulary(bridgehead_domain::project::ProjectType::ALL.iter().map(|s| s.as_str()), "new by default.")
}

fn capital_source_schema() -> Object {
    super::dto::vocabulary(
        bridgehead_domain::project::CapitalSource::ALL.iter().map(|s| s.as_str()),
        "domestic by default.",
    )
}

fn report_status_schema() -> Object {
    super::dto::vocabulary(ReportStatus::ALL.iter().map(|s| s.as_str()), "Where the report is in its review.")
}

fn report_action_schema() -> Object {
    super::dto::vocabulary(
        bridgehead_domain::project::ReportAction::ALL.iter().map(|s| s.as_str()),
        "submit (filer), approve_district / return_district (district), approve_city / return_city (city).",
    )
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvestorOut {
    pub enterprise_id: i64,
    /// Share in percent, decimal string.
    pub share_percent: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectOut {
    pub id: i64,
    pub version: i64,
    pub code: String,
    /// Whether `code` is a national investment project code.
    pub national_code: bool,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub region_code: String,
    pub park_id: Option<i64>,
    pub industry_code: Option<String>,
    pub project_type: String,
    pub capital_source: String,
    pub source_country: Option<String>,
    pub from_shanghai: bool,
    pub fortune_global_500: bool,
    pub central_soe: bool,
    /// Decimal strings in major units of `planned_currency`.
    pub planned_total: String,
    pub planned_fixed_assets: Option<String>,
    pub planned_equipment: Option<String>,
    pub planned_currency: String,
    /// The planned total in CNY at the signing-date rate.
    pub planned_total_cny: String,
    pub conversion_rate: Option<String>,
    pub conversion_date: Option<String>,
    pub signed_on: String,
    pub planned_start_on: Option<String>,
    pub planned_production_on: Option<String>,
    pub investors: Vec<InvestorOut>,
    pub cluster_ids: Vec<i64>,
    pub phase: i64,
    /// The stage shown: the progress stage, or suspended / cancelled.
    pub stage: String,
    pub started_on: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Project> for ProjectOut {
    fn from(p: &Project) -> Self {
        let r = &p.record;
        Self {
            id: p.id,
            version: p.version,
            code: r.code.code.clone(),
            national_code: r.code.national,
            name_zh: r.name_zh.clone(),
            name_en: r.name_en.clone(),
            region_code: r.region_code.to_string(),
            park_id: r.park_id,
            industry_code: r.industry_code.as_ref().map(ToString::to_string),
            project_type: r.project_type.as_str().to_owned(),
            capital_source: r.capital_source.as_str().to_owned(),
            source_country: r.source_country.clone(),
            from_shanghai: r.from_shanghai,
            fortune_global_500: r.fortune_global_500,
            central_soe: r.central_soe,
            planned_total: format_major_units(r.planned_total_minor),
            planned_fixed_assets: r.planned_fixed_assets_minor.map(format_major_units),
            planned_equipment: r.planned_equipment_minor.map(format_major_units),
            planned_currency: r.planned_currency.to_string(),
            planned_total_cny: format_major_units(p.planned_total_cny_minor),
            conversion_rate: p.conversion.as_ref().map(|c| c.0.clone()),
            conversion_date: p.conversion.as_ref().map(|c| c.1.clone()),
            signed_on: format_date(p.signed_on),
            planned_start_on: r.planned_start_on.map(format_date),
            planned_production_on: r.planned_production_on.map(format_date),
            investors: r
                .investors
                .iter()
                .map(|i| InvestorOut { enterprise_id: i.enterprise_id, share_percent: format_major_units(i.share_bp) })
                .collect(),
            cluster_ids: r.cluster_ids.clone(),
            phase: p.state.phase,
            stage: p.state.label().as_str().to_owned(),
            started_on: p.started_on.map(format_date),
            created_at: p.created_at.clone(),
            updated_at: p.updated_at.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvestorIn {
    pub enterprise_id: i64,
    /// Share in percent (all shares add up to 100), decimal string.
    pub share_percent: String,
}

/// A project as registered or replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectIn {
    /// National code `YYYY-RRRRRR-DD-TT-NNNNNC`, or an internal code.
    #[schema(value_type = String, required = true)]
    pub code: Option<String>,
    #[schema(value_type = String, required = true)]
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    /// County-level region of the site.
    #[schema(value_type = String, required = true)]
    pub region_code: Option<String>,
    pub park_id: Option<i64>,
    /// GB/T 4754-2017 code in divisions 13–43.
    pub industry_code: Option<String>,
    #[schema(schema_with = project_type_schema)]
    pub project_type: Option<String>,
    #[schema(schema_with = capital_source_schema)]
    pub capital_source: Option<String>,
    pub source_country: Option<String>,
    pub from_shanghai: Option<bool>,
    pub fortune_global_500: Option<bool>,
    pub central_soe: Option<bool>,
    /// Decimal string in major units of `planned_currency`.
    #[schema(value_type = String, required = true)]
    pub planned_total: Option<String>,
    pub planned_fixed_assets: Option<String>,
    pub planned_equipment: Option<String>,
    /// ISO 4217; CNY by default. Converted at the rate in force on the signing date.
    pub planned_currency: Option<String>,
    pub planned_start_on: Option<String>,
    pub planned_production_on: Option<String>,
    #[serde(default)]
    pub investors: Vec<InvestorIn>,
    #[serde(default)]
    pub cluster_ids: Vec<i64>,
    /// The signing date (YYYY-MM-DD), needed when registering; ignored on update.
    pub signed_on: Option<String>,
}

impl ProjectIn {
    fn fields(&self) -> ProjectFields {
        let flag = |v: Option<bool>| v.map(|b| b.to_string());
        ProjectFields {
            code: self.code.clone(),
            name_zh: self.name_zh.clone(),
            name_en: self.name_en.clone(),
            region_code: self.region_code.clone(),
            park_id: self.park_id.map(|p| p.to_string()),
            industry_code: self.industry_code.clone(),
            project_type: self.project_type.clone(),
            capital_source: self.capital_source.clone(),
            source_country: self.source_country.clone(),
            from_shanghai: flag(self.from_shanghai),
            fortune_global_500: flag(self.fortune_global_500),
            central_soe: flag(self.central_soe),
            planned_total: self.planned_total.clone(),
            planned_fixed_assets: self.planned_fixed_assets.clone(),
            planned_equipment: self.planned_equipment.clone(),
            planned_currency: self.planned_currency.clone(),
            planned_start_on: self.planned_start_on.clone(),
            planned_production_on: self.planned_production_on.clone(),
            investors: self.investors.iter().map(|i| (i.enterprise_id.to_string(), i.share_percent.clone())).collect(),
            cluster_ids: self.cluster_ids.iter().map(ToString::to_string).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventOut {
    pub id: i64,
    pub phase: i64,
    pub kind: String,
    pub occurred_on: String,
    pub reason: Option<String>,
    /// A capital increase's amount in CNY, decimal string.
    pub increment: Option<String>,
}

impl From<&StageEvent> for EventOut {
    fn from(e: &StageEvent) -> Self {
        Self {
            id: e.id,
            phase: e.phase,
            kind: e.kind.as_str().to_owned(),
            occurred_on: format_date(e.occurred_on),
            reason: e.reason.clone(),
            increment: e.increment_minor.map(format_major_units),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventIn {
    #[schema(schema_with = stage_schema)]
    pub kind: String,
    /// YYYY-MM-DD, not before the last event.
    pub occurred_on: String,
    /// The current phase by default; one above it starts a capital increase (with a signing).
    pub phase: Option<i64>,
    /// Needed to go back a stage.
    pub reason: Option<String>,
    /// A new phase's increment, decimal string in yuan.
    pub increment: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportOut {
    pub id: i64,
    pub project_id: i64,
    /// YYYY-MM.
    pub period: String,
    pub revision: i64,
    #[schema(schema_with = report_status_schema)]
    pub status: String,
    /// Decimal strings in yuan.
    pub completed: String,
    pub equipment: String,
    pub construction: String,
    pub employees: Option<i64>,
    pub status_note: Option<String>,
    pub warning_note: Option<String>,
    pub revision_reason: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&MonthlyReport> for ReportOut {
    fn from(r: &MonthlyReport) -> Self {
        Self {
            id: r.id,
            project_id: r.project_id,
            period: r.period.to_string(),
            revision: r.revision,
            status: r.status.as_str().to_owned(),
            completed: format_major_units(r.figures.completed_minor),
            equipment: format_major_units(r.figures.equipment_minor),
            construction: format_major_units(r.figures.construction_minor),
            employees: r.figures.employees,
            status_note: r.figures.status_note.clone(),
            warning_note: r.figures.warning_note.clone(),
            revision_reason: r.revision_reason.clone(),
            version: r.version,
            created_at: r.created_at.clone(),
            updated_at: r.updated_at.clone(),
        }
    }
}

/// A month's figures, in yuan (decimal strings).
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct FiguresIn {
    /// Investment completed in the month.
    #[schema(value_type = String, required = true)]
    pub completed: Option<String>,
    /// Of which equipment.
    pub equipment: Option<String>,
    /// Of which construction.
    pub construction: Option<String>,
    pub employees: Option<i64>,
    pub status_note: Option<String>,
    /// Explains the warnings (needed before submitting a report that has any).
    pub warning_note: Option<String>,
}

impl FiguresIn {
    fn fields(&self) -> ReportFields {
        ReportFields {
            completed: self.completed.clone(),
            equipment: self.equipment.clone(),
            construction: self.construction.clone(),
            employees: self.employees.map(|e| e.to_string()),
            status_note: self.status_note.clone(),
            warning_note: self.warning_note.clone(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportIn {
    /// YYYY-MM.
    pub period: String,
    pub figures: FiguresIn,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectDetailOut {
    #[serde(flatten)]
    pub project: ProjectOut,
    pub investor_names: Vec<String>,
    pub events: Vec<EventOut>,
    pub reports: Vec<ReportOut>,
}

impl From<&ProjectDetail> for ProjectDetailOut {
    fn from(d: &ProjectDetail) -> Self {
        Self {
            project: ProjectOut::from(&d.project),
            investor_names: d.investor_names.clone(),
            events: d.events.iter().map(EventOut::from).collect(),
            reports: d.reports.iter().map(ReportOut::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewOut {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub reason: Option<String>,
}

impl From<&ReportReview> for ReviewOut {
    fn from(r: &ReportReview) -> Self {
        Self {
            at: r.at.clone(),
            actor: r.actor.clone(),
            action: r.action.clone(),
            from_status: r.from_status.map(|s| s.as_str().to_owned()),
            to_status: r.to_status.as_str().to_owned(),
            reason: r.reason.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDetailOut {
    #[serde(flatten)]
    pub report: ReportOut,
    pub project: ProjectOut,
    /// Every revision of the same month, newest first.
    pub revisions: Vec<ReportOut>,
    pub reviews: Vec<ReviewOut>,
    /// What the checks find now: errors block, warnings need the note.
    pub errors: Vec<crate::error::ProblemField>,
    pub warnings: Vec<crate::error::ProblemField>,
    /// The workflow actions you may take now.
    pub actions: Vec<String>,
    pub may_edit: bool,
    pub may_correct: bool,
}

fn problem_fields(errors: &[bridgehead_domain::FieldError]) -> Vec<crate::error::ProblemField> {
    errors
        .iter()
        .map(|e| crate::error::ProblemField {
            field: e.field.clone(),
            code: e.code.to_owned(),
            message: e.message.clone(),
            value: e.value.clone(),
        })
        .collect()
}

impl From<&ReportDetail> for ReportDetailOut {
    fn from(d: &ReportDetail) -> Self {
        Self {
            report: ReportOut::from(&d.report),
            project: ProjectOut::from(&d.project),
            revisions: d.revisions.iter().map(ReportOut::from).collect(),
            reviews: d.reviews.iter().map(ReviewOut::from).collect(),
            errors: problem_fields(&d.check.errors),
            warnings: problem_fields(&d.check.warnings),
            actions: d.actions.iter().map(|a| a.as_str().to_owned()).collect(),
            may_edit: d.may_edit,
            may_correct: d.may_correct,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderOut {
    pub project: ProjectOut,
    /// The status of the month's report; absent when none was started.
    pub status: Option<String>,
    pub due_on: String,
    pub overdue: bool,
}

impl From<&Reminder> for ReminderOut {
    fn from(r: &Reminder) -> Self {
        Self {
            project: ProjectOut::from(&r.project),
            status: r.status.map(|s| s.as_str().to_owned()),
            due_on: format_date(r.due_on),
            overdue: r.overdue,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectQuery {
    /// Part of a name or code.
    pub q: Option<String>,
    /// Only projects in this region or under it.
    pub region: Option<String>,
    /// signed, filed, started, in_production, completed, suspended or cancelled.
    pub stage: Option<String>,
}

/// Projects you may see, newest signing first.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ProjectQuery, Paging),
    responses((status = 200, body = Page<ProjectOut>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ProjectQuery>,
    Query(paging): Query<Paging>,
) -> ApiResult<axum::Json<Page<ProjectOut>>> {
    let (limit, offset) = paging.limit_offset()?;
    let stage = match query.stage.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            StageKind::parse(s)
                .ok_or_else(|| invalid("stage", format!("expected one of {}", StageKind::expected())))?,
        ),
    };
    let filter = ProjectFilter {
        search: query.q,
        region_within: query.region,
        stage,
        limit,
        offset,
        ..ProjectFilter::default()
    };
    let (items, total) = state.app.list_projects(principal.require()?, filter).await?;
    Ok(axum::Json(Page::new(items.iter().map(ProjectOut::from).collect(), paging, total)))
}

/// Registers a project (with its signing, the first stage event).
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = ProjectIn,
    responses((status = 201, body = ProjectOut), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(body): Json<ProjectIn>,
) -> ApiResult<(StatusCode, HeaderMap, axum::Json<ProjectOut>)> {
    let signed_on = body.signed_on.clone().unwrap_or_default();
    let project = state.app.create_project(principal.require()?, &body.fields(), &signed_on).await?;
    Ok((StatusCode::CREATED, etag_headers(project.version), axum::Json(ProjectOut::from(&project))))
}

/// A project with its stage timeline and monthly reports.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = ProjectDetailOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> ApiResult<(HeaderMap, axum::Json<ProjectDetailOut>)> {
    let detail = state.app.project(principal.require()?, id).await?;
    Ok((etag_headers(detail.project.version), axum::Json(ProjectDetailOut::from(&detail))))
}

/// Replaces a project's fields (`If-Match` guards against lost updates).
#[utoipa::path(put, path = "/api/v1/projects/{id}", tag = "projects", request_body = ProjectIn,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you edited")),
    responses((status = 200, body = ProjectOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<ProjectIn>,
) -> ApiResult<(HeaderMap, axum::Json<ProjectOut>)> {
    let version = if_match(&headers)?;
    let project = state.app.update_project(principal.require()?, id, version, &body.fields()).await?;
    Ok((etag_headers(project.version), axum::Json(ProjectOut::from(&project))))
}

/// A project's stage events, oldest first.
#[utoipa::path(get, path = "/api/v1/projects/{id}/events", tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<EventOut>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn events(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<Vec<EventOut>>> {
    let detail = state.app.project(principal.require()?, id).await?;
    Ok(axum::Json(detail.events.iter().map(EventOut::from).collect()))
}

/// Records a stage event (forward freely; back with a reason; suspend, resume, cancel;
/// a signing in the next phase for a capital increase).
#[utoipa::path(post, path = "/api/v1/projects/{id}/events", tag = "projects", params(("id" = i64, Path)), request_body = EventIn,
    responses((status = 201, body = EventOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record_event(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(body): Json<EventIn>,
) -> ApiResult<(StatusCode, axum::Json<EventOut>)> {
    let input = EventInput {
        kind: body.kind,
        occurred_on: body.occurred_on,
        phase: body.phase,
        reason: body.reason,
        increment: body.increment,
    };
    let event = state.app.record_event(principal.require()?, id, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(EventOut::from(&event))))
}

/// A project's monthly reports (every revision), newest month first.
#[utoipa::path(get, path = "/api/v1/projects/{id}/reports", tag = "reports", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ReportOut>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn project_reports(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<Vec<ReportOut>>> {
    let detail = state.app.project(principal.require()?, id).await?;
    Ok(axum::Json(detail.reports.iter().map(ReportOut::from).collect()))
}

/// Starts a month's report (a draft). The errors of SPEC §3 are refused at once.
#[utoipa::path(post, path = "/api/v1/projects/{id}/reports", tag = "reports", params(("id" = i64, Path)), request_body = ReportIn,
    responses((status = 201, body = ReportOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_report(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(body): Json<ReportIn>,
) -> ApiResult<(StatusCode, HeaderMap, axum::Json<ReportOut>)> {
    let report = state.app.create_report(principal.require()?, id, &body.period, &body.figures.fields()).await?;
    Ok((StatusCode::CREATED, etag_headers(report.version), axum::Json(ReportOut::from(&report))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// YYYY-MM.
    pub period: Option<String>,
    /// Comma-separated statuses, e.g. `submitted,approved_by_district`.
    pub status: Option<String>,
}

/// Reports in your scope (the review queues).
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", params(ReportQuery, Paging),
    responses((status = 200, body = Page<ReportOut>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_reports(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ReportQuery>,
    Query(paging): Query<Paging>,
) -> ApiResult<axum::Json<Page<ReportOut>>> {
    let (limit, offset) = paging.limit_offset()?;
    let period = match query.period.as_deref() {
        None | Some("") => None,
        Some(p) => Some(Period::parse(p).map_err(|m| invalid("period", m))?),
    };
    let mut statuses = Vec::new();
    for status in query.status.as_deref().unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()) {
        statuses.push(
            ReportStatus::parse(status)
                .ok_or_else(|| invalid("status", format!("expected one of {}", ReportStatus::expected())))?,
        );
    }
    let filter = ReportFilter { period, statuses, limit, offset, ..ReportFilter::default() };
    let (items, total) = state.app.list_reports(principal.require()?, filter).await?;
    Ok(axum::Json(Page::new(items.iter().map(|item| ReportOut::from(&item.report)).collect(), paging, total)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// YYYY-MM.
    pub period: String,
}

/// Projects whose report for the month is missing or not yet submitted, with the due
/// date (the 10th of the following month) and whether it has passed.
#[utoipa::path(get, path = "/api/v1/reports/reminders", tag = "reports", params(PeriodQuery),
    responses((status = 200, body = Vec<ReminderOut>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn reminders(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<PeriodQuery>,
) -> ApiResult<axum::Json<Vec<ReminderOut>>> {
    let reminders = state.app.reminders(principal.require()?, &query.period).await?;
    Ok(axum::Json(reminders.iter().map(ReminderOut::from).collect()))
}

/// A report with its month's revisions, review history, checks and your next actions.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", params(("id" = i64, Path)),
    responses((status = 200, body = ReportDetailOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_report(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> ApiResult<(HeaderMap, axum::Json<ReportDetailOut>)> {
    let detail = state.app.report(principal.require()?, id).await?;
    Ok((etag_headers(detail.report.version), axum::Json(ReportDetailOut::from(&detail))))
}

/// Changes the figures of a draft or returned report.
#[utoipa::path(put, path = "/api/v1/reports/{id}", tag = "reports", request_body = FiguresIn,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you edited")),
    responses((status = 200, body = ReportOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update_report(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<FiguresIn>,
) -> ApiResult<(HeaderMap, axum::Json<ReportOut>)> {
    let version = if_match(&headers)?;
    let report = state.app.update_report(principal.require()?, id, version, &body.fields()).await?;
    Ok((etag_headers(report.version), axum::Json(ReportOut::from(&report))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionIn {
    #[schema(schema_with = report_action_schema)]
    pub action: String,
    /// Needed to return a report.
    pub reason: Option<String>,
}

/// Moves a report through its review: submit, approve or return (with a reason).
#[utoipa::path(post, path = "/api/v1/reports/{id}/actions", tag = "reports", params(("id" = i64, Path)), request_body = ActionIn,
    responses((status = 200, body = ReportOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn act(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(body): Json<ActionIn>,
) -> ApiResult<axum::Json<ReportOut>> {
    let report = state.app.act_on_report(principal.require()?, id, &body.action, body.reason.as_deref()).await?;
    Ok(axum::Json(ReportOut::from(&report)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionIn {
    /// Why the approved figures are corrected.
    pub reason: String,
    /// The corrected figures.
    pub figures: FiguresIn,
}

/// Opens a correction of a report approved by the city: a new revision (a draft);
/// the approved one keeps counting until the correction is approved.
#[utoipa::path(post, path = "/api/v1/reports/{id}/corrections", tag = "reports", params(("id" = i64, Path)), request_body = CorrectionIn,
    responses((status = 201, body = ReportOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn correct(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(body): Json<CorrectionIn>,
) -> ApiResult<(StatusCode, axum::Json<ReportOut>)> {
    let report = state.app.correct_report(principal.require()?, id, &body.reason, &body.figures.fields()).await?;
    Ok((StatusCode::CREATED, axum::Json(ReportOut::from(&report))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportImportQuery {
    /// The file's name, kept in the import log.
    pub file_name: Option<String>,
    /// drafts (default): reports for the filers to submit; approved: historical
    /// figures loaded as approved by the city (administrators only).
    pub mode: Option<String>,
}

/// Imports monthly reports from a `.csv` or `.xlsx` body (project code, month, figures;
/// Chinese or English headers). All or nothing, every row error listed; a row equal to
/// the stored report changes nothing.
#[utoipa::path(post, path = "/api/v1/reports/import", tag = "reports", params(ReportImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = super::enterprises::ImportOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn import_reports(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ReportImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<axum::Json<super::enterprises::ImportOut>> {
    use bridgehead_app::projects::ReportImportMode;
    let mode = match query.mode.as_deref() {
        None | Some("drafts") => ReportImportMode::Drafts,
        Some("approved") => ReportImportMode::Approved,
        Some(_) => return Err(invalid("mode", "drafts or approved")),
    };
    let file_name = query.file_name.unwrap_or_else(|| "upload".to_owned());
    let format = bridgehead_io::FileFormat::from_file_name(&file_name)
        .unwrap_or_else(|| bridgehead_io::FileFormat::sniff(&body));
    let outcome = state.app.import_reports(principal.require()?, &file_name, &body, format, mode, &|_, _| {}).await?;
    Ok(axum::Json(outcome.into()))
}

/// The monthly report import template, with Chinese or English headers.
#[utoipa::path(get, path = "/api/v1/reports/template", tag = "reports", params(super::enterprises::FileQuery),
    responses((status = 200, description = "The template",
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn report_template(
    principal: Principal,
    Query(file): Query<super::enterprises::FileQuery>,
) -> ApiResult<axum::response::Response> {
    principal.require()?;
    let (format, lang) = file.parse()?;
    let bytes = bridgehead_io::template(bridgehead_io::reports::REPORT_COLUMNS, lang, format)
        .map_err(|e| Problem::from(bridgehead_app::AppError::Internal(e.to_string())))?;
    Ok(super::enterprises::download(bytes, format, &format!("report-template-{}", lang.code())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportExportQuery {
    /// First month, YYYY-MM.
    pub from: Option<String>,
    /// Last month, YYYY-MM.
    pub to: Option<String>,
}

/// Exports the monthly reports in your scope (the newest revision of each project and
/// month) in the import layout, as `.xlsx` or CSV.
#[utoipa::path(get, path = "/api/v1/reports/export", tag = "reports", params(super::enterprises::FileQuery, ReportExportQuery),
    responses((status = 200, description = "The reports",
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_reports(
    State(state): State<AppState>,
    principal: Principal,
    Query(file): Query<super::enterprises::FileQuery>,
    Query(range): Query<ReportExportQuery>,
) -> ApiResult<axum::response::Response> {
    let (format, lang) = file.parse()?;
    let bytes = state
        .app
        .export_reports(principal.require()?, range.from.as_deref(), range.to.as_deref(), lang, format)
        .await?;
    Ok(super::enterprises::download(bytes, format, "monthly-reports"))
}
