//! Imported-equipment tax-free confirmations.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use bridgehead_app::confirmations::ConfirmationDetail;
use bridgehead_domain::enterprise::format_date;
use bridgehead_domain::money::format_major_units;
use bridgehead_domain::project::{Confirmation, ConfirmationFields, EquipmentItemFields};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::enterprises::{FileQuery, download};
use super::projects::ProjectOut;
use super::{Json, Path, Query};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::session::Principal;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EquipmentItemOut {
    pub name: String,
    pub model: Option<String>,
    pub hs_code: String,
    pub quantity: i64,
    /// Decimal strings in major units of `currency`.
    pub unit_price: String,
    pub currency: String,
    pub total: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConfirmationOut {
    pub id: i64,
    pub project_id: i64,
    /// draft, submitted, approved or rejected.
    pub status: String,
    pub encouraged_category: String,
    pub documents: Vec<String>,
    pub items: Vec<EquipmentItemOut>,
    pub submitted_on: Option<String>,
    /// The decision is due by this date (seven working days after submission).
    pub due_on: Option<String>,
    pub decided_on: Option<String>,
    pub confirmation_number: Option<String>,
    pub rejection_reasons: Option<String>,
    pub version: i64,
}

impl From<&Confirmation> for ConfirmationOut {
    fn from(c: &Confirmation) -> Self {
        Self {
            id: c.id,
            project_id: c.project_id,
            status: c.status.as_str().to_owned(),
            encouraged_category: c.record.encouraged_category.clone(),
            documents: c.record.documents.clone(),
            items: c
                .record
                .items
                .iter()
                .map(|i| EquipmentItemOut {
                    name: i.name.clone(),
                    model: i.model.clone(),
                    hs_code: i.hs_code.clone(),
                    quantity: i.quantity,
                    unit_price: format_major_units(i.unit_price_minor),
                    currency: i.currency.to_string(),
                    total: format_major_units(i.total_minor),
                })
                .collect(),
            submitted_on: c.submitted_on.map(format_date),
            due_on: c.due_on.map(format_date),
            decided_on: c.decided_on.map(format_date),
            confirmation_number: c.confirmation_number.clone(),
            rejection_reasons: c.rejection_reasons.clone(),
            version: c.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConfirmationDetailOut {
    #[serde(flatten)]
    pub confirmation: ConfirmationOut,
    pub project: ProjectOut,
    pub overdue: bool,
    /// Working days left until the due date (negative when past), while undecided.
    pub working_days_left: Option<i64>,
    pub may_edit: bool,
    pub may_decide: bool,
}

impl From<&ConfirmationDetail> for ConfirmationDetailOut {
    fn from(d: &ConfirmationDetail) -> Self {
        Self {
            confirmation: ConfirmationOut::from(&d.confirmation),
            project: ProjectOut::from(&d.project),
            overdue: d.overdue,
            working_days_left: d.working_days_left,
            may_edit: d.may_edit,
            may_decide: d.may_decide,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EquipmentItemIn {
    pub name: Option<String>,
    pub model: Option<String>,
    /// 6 to 10 digits.
    pub hs_code: Option<String>,
    pub quantity: Option<i64>,
    /// Decimal string in major units.
    pub unit_price: Option<String>,
    /// ISO 4217; CNY by default.
    pub currency: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmationIn {
    /// The encouraged category claimed.
    #[schema(value_type = String, required = true)]
    pub encouraged_category: Option<String>,
    #[serde(default)]
    pub documents: Vec<String>,
    pub items: Vec<EquipmentItemIn>,
}

impl ConfirmationIn {
    fn fields(self) -> ConfirmationFields {
        ConfirmationFields {
            encouraged_category: self.encouraged_category,
            documents: self.documents,
            items: self
                .items
                .into_iter()
                .map(|i| EquipmentItemFields {
                    name: i.name,
                    model: i.model,
                    hs_code: i.hs_code,
                    quantity: i.quantity.map(|q| q.to_string()),
                    unit_price: i.unit_price,
                    currency: i.currency,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    pub approve: bool,
    /// Needed to reject.
    pub reasons: Option<String>,
}

/// A project's confirmation applications, newest first.
#[utoipa::path(get, path = "/api/v1/projects/{id}/confirmations", tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ConfirmationOut>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn of_project(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<Vec<ConfirmationOut>>> {
    let list = state.app.confirmations_of_project(principal.require()?, id).await?;
    Ok(axum::Json(list.iter().map(ConfirmationOut::from).collect()))
}

/// Starts an application (a draft) for a project.
#[utoipa::path(post, path = "/api/v1/projects/{id}/confirmations", tag = "projects", params(("id" = i64, Path)), request_body = ConfirmationIn,
    responses((status = 201, body = ConfirmationOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(body): Json<ConfirmationIn>,
) -> ApiResult<(StatusCode, axum::Json<ConfirmationOut>)> {
    let confirmation = state.app.create_confirmation(principal.require()?, id, &body.fields()).await?;
    Ok((StatusCode::CREATED, axum::Json(ConfirmationOut::from(&confirmation))))
}

/// An application with its deadline.
#[utoipa::path(get, path = "/api/v1/confirmations/{id}", tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = ConfirmationDetailOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<ConfirmationDetailOut>> {
    let detail = state.app.confirmation(principal.require()?, id).await?;
    Ok(axum::Json(ConfirmationDetailOut::from(&detail)))
}

/// Replaces a draft application's contents.
#[utoipa::path(put, path = "/api/v1/confirmations/{id}", tag = "projects", request_body = ConfirmationIn,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you edited")),
    responses((status = 200, body = ConfirmationOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    Json(body): Json<ConfirmationIn>,
) -> ApiResult<axum::Json<ConfirmationOut>> {
    let version = super::if_match(&headers)?;
    let confirmation = state.app.update_confirmation(principal.require()?, id, version, &body.fields()).await?;
    Ok(axum::Json(ConfirmationOut::from(&confirmation)))
}

/// Submits a draft; the decision is due seven working days later.
#[utoipa::path(post, path = "/api/v1/confirmations/{id}/submit", tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = ConfirmationOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<ConfirmationOut>> {
    let confirmation = state.app.submit_confirmation(principal.require()?, id).await?;
    Ok(axum::Json(ConfirmationOut::from(&confirmation)))
}

/// Approves (issuing a confirmation number) or rejects (with reasons) a submitted application.
#[utoipa::path(post, path = "/api/v1/confirmations/{id}/decision", tag = "projects", params(("id" = i64, Path)), request_body = DecisionIn,
    responses((status = 200, body = ConfirmationOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(body): Json<DecisionIn>,
) -> ApiResult<axum::Json<ConfirmationOut>> {
    let confirmation =
        state.app.decide_confirmation(principal.require()?, id, body.approve, body.reasons.as_deref()).await?;
    Ok(axum::Json(ConfirmationOut::from(&confirmation)))
}

/// The equipment list as `.xlsx` or CSV, titled with the confirmation number.
#[utoipa::path(get, path = "/api/v1/confirmations/{id}/equipment", tag = "projects", params(("id" = i64, Path), FileQuery),
    responses((status = 200, description = "The equipment list",
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn equipment(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Query(file): Query<FileQuery>,
) -> ApiResult<Response> {
    let (format, lang) = file.parse()?;
    let bytes = state.app.export_equipment_list(principal.require()?, id, lang, format).await?;
    Ok(download(bytes, format, &format!("equipment-{id}")))
}
