//! Administration: users and the audit log.

use axum::extract::State;
use axum::http::StatusCode;
use bridgehead_app::auth::UserRequest;
use bridgehead_domain::access::Role;
use bridgehead_store::audit::{AuditQuery, AuditRecord, ChainHead, VerifyReport};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::UserOut;
use super::{Json, Path, Query};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::session::Principal;

/// All users (administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "admin",
    responses((status = 200, body = Vec<UserOut>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_users(State(state): State<AppState>, principal: Principal) -> ApiResult<axum::Json<Vec<UserOut>>> {
    let users = state.app.list_users(principal.require()?).await?;
    Ok(axum::Json(users.iter().map(UserOut::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserIn {
    pub username: String,
    pub display_name: Option<String>,
    /// At least 10 characters.
    pub password: String,
    #[schema(schema_with = super::dto::role_schema)]
    pub role: String,
    /// For city analysts and district officers.
    pub region_code: Option<String>,
    /// For enterprise users.
    pub enterprise_id: Option<i64>,
    /// For institution users, fund managers, service providers and clearing participants.
    pub organization_id: Option<i64>,
}

/// Creates a user (administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = UserIn,
    responses((status = 201, body = UserOut), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    principal: Principal,
    Json(body): Json<UserIn>,
) -> ApiResult<(StatusCode, axum::Json<UserOut>)> {
    let actor = principal.require()?;
    let role = Role::parse(&body.role).ok_or_else(|| {
        Problem::from(bridgehead_app::AppError::invalid("role", "user.role", "not a role of Bridgehead"))
    })?;
    let user = state
        .app
        .add_user(
            actor,
            UserRequest {
                username: body.username,
                display_name: body.display_name,
                password: body.password,
                role,
                region_code: body.region_code,
                enterprise_id: body.enterprise_id,
                organization_id: body.organization_id,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(UserOut::from(&user))))
}

/// Disables a user; its sessions and API tokens end at once.
#[utoipa::path(post, path = "/api/v1/users/{username}/disable", tag = "admin", params(("username" = String, Path)),
    responses((status = 200, body = UserOut), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn disable_user(
    State(state): State<AppState>,
    principal: Principal,
    Path(username): Path<String>,
) -> ApiResult<axum::Json<UserOut>> {
    let user = state.app.set_user_disabled(principal.require()?, &username, true).await?;
    Ok(axum::Json(UserOut::from(&user)))
}

/// Enables a disabled user again.
#[utoipa::path(post, path = "/api/v1/users/{username}/enable", tag = "admin", params(("username" = String, Path)),
    responses((status = 200, body = UserOut), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn enable_user(
    State(state): State<AppState>,
    principal: Principal,
    Path(username): Path<String>,
) -> ApiResult<axum::Json<UserOut>> {
    let user = state.app.set_user_disabled(principal.require()?, &username, false).await?;
    Ok(axum::Json(UserOut::from(&user)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    pub entity: Option<String>,
    pub entity_key: Option<String>,
    /// Only records before this sequence number (to page backwards).
    pub before: Option<i64>,
    /// 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRecordOut {
    pub seq: i64,
    pub at: String,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_key: String,
    /// The object before the change, as JSON text.
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditRecord> for AuditRecordOut {
    fn from(r: AuditRecord) -> Self {
        Self {
            seq: r.seq,
            at: r.at,
            actor_user_id: r.actor_user_id,
            actor: r.actor,
            action: r.action,
            entity: r.entity,
            entity_key: r.entity_key,
            before_json: r.before_json,
            after_json: r.after_json,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// The audit log, newest first (administrators).
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", params(AuditParams),
    responses((status = 200, body = Vec<AuditRecordOut>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn audit_records(
    State(state): State<AppState>,
    principal: Principal,
    Query(params): Query<AuditParams>,
) -> ApiResult<axum::Json<Vec<AuditRecordOut>>> {
    let limit = params.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Problem::from(bridgehead_app::AppError::invalid("limit", "request.query", "between 1 and 1000")));
    }
    let query = AuditQuery { entity: params.entity, entity_key: params.entity_key, before_seq: params.before, limit };
    let records = state.app.audit_records(principal.require()?, &query).await?;
    Ok(axum::Json(records.into_iter().map(AuditRecordOut::from).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChainHeadOut {
    pub seq: i64,
    pub hash: String,
}

impl From<ChainHead> for ChainHeadOut {
    fn from(h: ChainHead) -> Self {
        Self { seq: h.seq, hash: h.hash }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyOut {
    pub records_checked: i64,
    pub head: ChainHeadOut,
    pub intact: bool,
    /// The first broken record, if any.
    pub first_broken_seq: Option<i64>,
    pub reason: Option<String>,
}

impl From<VerifyReport> for VerifyOut {
    fn from(r: VerifyReport) -> Self {
        Self {
            records_checked: r.records_checked,
            head: r.head.into(),
            intact: r.first_broken.is_none(),
            first_broken_seq: r.first_broken.as_ref().map(|b| b.seq),
            reason: r.first_broken.map(|b| b.reason),
        }
    }
}

/// Verifies the whole audit chain and reports the first broken link.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "admin",
    responses((status = 200, body = VerifyOut), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn audit_verify(State(state): State<AppState>, principal: Principal) -> ApiResult<axum::Json<VerifyOut>> {
    Ok(axum::Json(state.app.audit_verify(principal.require()?).await?.into()))
}

/// The chain head, to keep somewhere safe.
#[utoipa::path(get, path = "/api/v1/audit/head", tag = "admin",
    responses((status = 200, body = ChainHeadOut), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn audit_head(State(state): State<AppState>, principal: Principal) -> ApiResult<axum::Json<ChainHeadOut>> {
    Ok(axum::Json(state.app.audit_head(principal.require()?).await?.into()))
}
