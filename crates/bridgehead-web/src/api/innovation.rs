//! Collaborative innovation projects: partners, budget by funding source, milestones.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use bridgehead_app::innovation::{InnovationDetail, InnovationQuery, InnovationSummary};
use bridgehead_domain::enterprise::format_date;
use bridgehead_domain::innovation::{
    BudgetLineFields, FundingSource, Innovation, InnovationFields, InnovationFlags, InnovationStatus, MilestoneFields,
    PartnerFields, PartnerKind,
};
use bridgehead_domain::money::format_major_units;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::Object;
use utoipa::{IntoParams, ToSchema};

use super::{Json, Page, Paging, Path, Query, etag_headers, if_match};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::session::Principal;

fn status_schema() -> Object {
    super::dto::vocabulary(InnovationStatus::ALL.iter().map(|s| s.as_str()), "Where the project stands.")
}

fn partner_kind_schema() -> Object {
    super::dto::vocabulary(PartnerKind::ALL.iter().map(|s| s.as_str()), "What kind of organisation the partner is.")
}

fn funding_source_schema() -> Object {
    super::dto::vocabulary(FundingSource::ALL.iter().map(|s| s.as_str()), "Where this part of the budget comes from.")
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerOut {
    pub kind: String,
    pub name: String,
    pub enterprise_id: Option<i64>,
    pub region_code: String,
    pub role: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BudgetLineOut {
    pub source: String,
    /// Yuan, decimal string.
    pub amount: String,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MilestoneOut {
    /// The milestone's number (from 1), as completions address it.
    pub line: i64,
    pub title: String,
    pub due_on: String,
    pub completed_on: Option<String>,
    pub evidence: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FlagsOut {
    pub overdue: bool,
    pub overdue_milestones: usize,
    pub completed_milestones: usize,
    /// An active project past its end date.
    pub past_end: bool,
    pub progress_percent: u8,
}

impl From<&InnovationFlags> for FlagsOut {
    fn from(f: &InnovationFlags) -> Self {
        Self {
            overdue: f.overdue,
            overdue_milestones: f.overdue_milestones,
            completed_milestones: f.completed_milestones,
            past_end: f.past_end,
            progress_percent: f.progress_percent,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InnovationOut {
    pub id: i64,
    pub name: String,
    pub lead_enterprise_id: i64,
    pub summary: Option<String>,
    pub starts_on: String,
    pub ends_on: String,
    /// active, suspended, completed or cancelled.
    pub status: String,
    pub status_reason: Option<String>,
    pub partners: Vec<PartnerOut>,
    pub budget: Vec<BudgetLineOut>,
    pub milestones: Vec<MilestoneOut>,
    pub version: i64,
}

impl From<&Innovation> for InnovationOut {
    fn from(i: &Innovation) -> Self {
        let r = &i.record;
        Self {
            id: i.id,
            name: r.name.clone(),
            lead_enterprise_id: r.lead_enterprise_id,
            summary: r.summary.clone(),
            starts_on: format_date(r.starts_on),
            ends_on: format_date(r.ends_on),
            status: i.status.as_str().to_owned(),
            status_reason: i.status_reason.clone(),
            partners: r
                .partners
                .iter()
                .map(|p| PartnerOut {
                    kind: p.kind.as_str().to_owned(),
                    name: p.name.clone(),
                    enterprise_id: p.enterprise_id,
                    region_code: p.region_code.to_string(),
                    role: p.role.clone(),
                })
                .collect(),
            budget: r
                .budget
                .iter()
                .map(|b| BudgetLineOut {
                    source: b.source.as_str().to_owned(),
                    amount: format_major_units(b.amount_minor),
                    note: b.note.clone(),
                })
                .collect(),
            milestones: r
                .milestones
                .iter()
                .zip(1..)
                .map(|(m, line)| MilestoneOut {
                    line,
                    title: m.title.clone(),
                    due_on: format_date(m.due_on),
                    completed_on: m.completed_on.map(format_date),
                    evidence: m.evidence.clone(),
                })
                .collect(),
            version: i.version,
        }
    }
}

/// A project in a list, with its flags.
#[derive(Debug, Serialize, ToSchema)]
pub struct InnovationSummaryOut {
    pub project: InnovationOut,
    pub lead_name: String,
    /// The lead enterprise's region: the project belongs to it.
    pub lead_region_code: String,
    /// Yuan, decimal string.
    pub budget_total: String,
    pub flags: FlagsOut,
}

impl From<&InnovationSummary> for InnovationSummaryOut {
    fn from(s: &InnovationSummary) -> Self {
        Self {
            project: InnovationOut::from(&s.innovation),
            lead_name: s.lead_name.clone(),
            lead_region_code: s.lead_region_code.clone(),
            budget_total: format_major_units(s.budget_total_minor),
            flags: FlagsOut::from(&s.flags),
        }
    }
}

/// A project with its flags and what you may do with it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InnovationDetailOut {
    pub project: InnovationOut,
    pub lead_name: String,
    /// The lead enterprise's region: the project belongs to it.
    pub lead_region_code: String,
    pub budget_total: String,
    pub flags: FlagsOut,
    /// Each milestone today: open, overdue, done or done_late.
    pub milestone_states: Vec<String>,
    pub may_edit: bool,
    pub may_complete: bool,
    /// The statuses you may move the project to now.
    pub transitions: Vec<String>,
}

impl From<&InnovationDetail> for InnovationDetailOut {
    fn from(d: &InnovationDetail) -> Self {
        Self {
            project: InnovationOut::from(&d.innovation),
            lead_name: d.lead_name.clone(),
            lead_region_code: d.lead_region_code.clone(),
            budget_total: format_major_units(d.budget_total_minor),
            flags: FlagsOut::from(&d.flags),
            milestone_states: d.milestone_states.iter().map(|s| s.as_str().to_owned()).collect(),
            may_edit: d.may_edit,
            may_complete: d.may_complete,
            transitions: d.transitions.iter().map(|s| s.as_str().to_owned()).collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerIn {
    #[schema(schema_with = partner_kind_schema)]
    pub kind: Option<String>,
    #[schema(value_type = String, required = true)]
    pub name: Option<String>,
    /// The partner's enterprise record, for an enterprise registered here.
    pub enterprise_id: Option<i64>,
    /// Any GB/T 2260 region, e.g. 310110 for Yangpu, Shanghai.
    #[schema(value_type = String, required = true)]
    pub region_code: Option<String>,
    pub role: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetLineIn {
    #[schema(schema_with = funding_source_schema)]
    pub source: Option<String>,
    /// Yuan, decimal string.
    #[schema(value_type = String, required = true)]
    pub amount: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneIn {
    #[schema(value_type = String, required = true)]
    pub title: Option<String>,
    /// YYYY-MM-DD, within the project's term.
    #[schema(value_type = String, required = true)]
    pub due_on: Option<String>,
    /// YYYY-MM-DD; a completed milestone names its evidence.
    pub completed_on: Option<String>,
    pub evidence: Option<String>,
}

/// A project as registered or replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InnovationIn {
    #[schema(value_type = String, required = true)]
    pub name: Option<String>,
    #[schema(value_type = i64, required = true)]
    pub lead_enterprise_id: Option<i64>,
    pub summary: Option<String>,
    /// YYYY-MM-DD.
    #[schema(value_type = String, required = true)]
    pub starts_on: Option<String>,
    /// YYYY-MM-DD.
    #[schema(value_type = String, required = true)]
    pub ends_on: Option<String>,
    #[serde(default)]
    pub partners: Vec<PartnerIn>,
    #[serde(default)]
    pub budget: Vec<BudgetLineIn>,
    #[serde(default)]
    pub milestones: Vec<MilestoneIn>,
}

impl InnovationIn {
    fn fields(self) -> InnovationFields {
        InnovationFields {
            name: self.name,
            lead_enterprise_id: self.lead_enterprise_id.map(|id| id.to_string()),
            summary: self.summary,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            partners: self
                .partners
                .into_iter()
                .map(|p| PartnerFields {
                    kind: p.kind,
                    name: p.name,
                    enterprise_id: p.enterprise_id.map(|id| id.to_string()),
                    region_code: p.region_code,
                    role: p.role,
                })
                .collect(),
            budget: self
                .budget
                .into_iter()
                .map(|b| BudgetLineFields { source: b.source, amount: b.amount, note: b.note })
                .collect(),
            milestones: self
                .milestones
                .into_iter()
                .map(|m| MilestoneFields {
                    title: m.title,
                    due_on: m.due_on,
                    completed_on: m.completed_on,
                    evidence: m.evidence,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusIn {
    #[schema(schema_with = status_schema)]
    pub status: String,
    /// Needed to suspend, cancel or reopen.
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletionIn {
    /// YYYY-MM-DD, not in the future.
    pub completed_on: String,
    /// What shows the milestone is reached.
    pub evidence: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InnovationListQuery {
    /// Part of the project's or a partner's name.
    pub q: Option<String>,
    /// Only projects whose lead is in this region or under it.
    pub region: Option<String>,
    /// active, suspended, completed or cancelled.
    pub status: Option<String>,
    /// Only active projects with an overdue milestone or past their end.
    pub overdue: Option<bool>,
}

/// Collaborative innovation projects you may see, newest start first.
#[utoipa::path(get, path = "/api/v1/innovation-projects", tag = "innovation", params(InnovationListQuery, Paging),
    responses((status = 200, body = Page<InnovationSummaryOut>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<InnovationListQuery>,
    Query(paging): Query<Paging>,
) -> ApiResult<axum::Json<Page<InnovationSummaryOut>>> {
    let (limit, offset) = paging.limit_offset()?;
    let status = match query.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(InnovationStatus::parse(s).ok_or_else(|| {
            Problem::from(bridgehead_app::AppError::invalid(
                "status",
                "request.query",
                format!("expected one of {}", InnovationStatus::expected()),
            ))
        })?),
    };
    let query = InnovationQuery {
        search: query.q,
        region_within: query.region.filter(|r| !r.trim().is_empty()),
        status,
        overdue: query.overdue.unwrap_or(false),
        limit,
        offset,
    };
    let (items, total) = state.app.list_innovations(principal.require()?, &query).await?;
    Ok(axum::Json(Page::new(items.iter().map(InnovationSummaryOut::from).collect(), paging, total)))
}

/// Registers a project; it starts active.
#[utoipa::path(post, path = "/api/v1/innovation-projects", tag = "innovation", request_body = InnovationIn,
    responses((status = 201, body = InnovationOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(body): Json<InnovationIn>,
) -> ApiResult<(StatusCode, HeaderMap, axum::Json<InnovationOut>)> {
    let innovation = state.app.create_innovation(principal.require()?, &body.fields()).await?;
    Ok((StatusCode::CREATED, etag_headers(innovation.version), axum::Json(InnovationOut::from(&innovation))))
}

/// A project with its flags and what you may do with it.
#[utoipa::path(get, path = "/api/v1/innovation-projects/{id}", tag = "innovation", params(("id" = i64, Path)),
    responses((status = 200, body = InnovationDetailOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> ApiResult<(HeaderMap, axum::Json<InnovationDetailOut>)> {
    let detail = state.app.innovation(principal.require()?, id).await?;
    Ok((etag_headers(detail.innovation.version), axum::Json(InnovationDetailOut::from(&detail))))
}

/// Replaces an active or suspended project's contents (`If-Match` guards against lost updates).
#[utoipa::path(put, path = "/api/v1/innovation-projects/{id}", tag = "innovation", request_body = InnovationIn,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you edited")),
    responses((status = 200, body = InnovationOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<InnovationIn>,
) -> ApiResult<(HeaderMap, axum::Json<InnovationOut>)> {
    let version = if_match(&headers)?;
    let innovation = state.app.update_innovation(principal.require()?, id, version, &body.fields()).await?;
    Ok((etag_headers(innovation.version), axum::Json(InnovationOut::from(&innovation))))
}

/// Moves a project to another status: suspend, resume, complete (every milestone done), cancel or reopen.
#[utoipa::path(post, path = "/api/v1/innovation-projects/{id}/status", tag = "innovation", request_body = StatusIn,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you saw")),
    responses((status = 200, body = InnovationOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn status(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<StatusIn>,
) -> ApiResult<(HeaderMap, axum::Json<InnovationOut>)> {
    let version = if_match(&headers)?;
    let innovation = state
        .app
        .change_innovation_status(principal.require()?, id, version, &body.status, body.reason.as_deref())
        .await?;
    Ok((etag_headers(innovation.version), axum::Json(InnovationOut::from(&innovation))))
}

/// Records a milestone's completion with its evidence (the lead enterprise or a registrar).
#[utoipa::path(post, path = "/api/v1/innovation-projects/{id}/milestones/{line}/completion", tag = "innovation",
    request_body = CompletionIn,
    params(("id" = i64, Path), ("line" = i64, Path, description = "The milestone's number, from 1"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you saw")),
    responses((status = 200, body = InnovationOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn complete(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, line)): Path<(i64, i64)>,
    headers: HeaderMap,
    Json(body): Json<CompletionIn>,
) -> ApiResult<(HeaderMap, axum::Json<InnovationOut>)> {
    let version = if_match(&headers)?;
    let innovation = state
        .app
        .complete_milestone(principal.require()?, id, line, version, &Some(body.completed_on), &Some(body.evidence))
        .await?;
    Ok((etag_headers(innovation.version), axum::Json(InnovationOut::from(&innovation))))
}
