//! Sign-in for browser clients, the current user, and API tokens.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bridgehead_domain::access::TokenScope;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::UserOut;
use super::{Json, Path};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::session::{ClientAddress, Principal, SESSION_COOKIE, cookie_value, session_cookie};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    pub user: UserOut,
    /// Send this in the `X-CSRF-Token` header with every change made with the cookie.
    pub csrf_token: String,
}

/// Signs in and sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "access", request_body = SignIn,
    responses((status = 200, body = SessionOut), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    Json(body): Json<SignIn>,
) -> ApiResult<Response> {
    let session = state.app.sign_in(&body.username, &body.password, &client).await?;
    let cookie = session_cookie(&session.token, state.settings.secure_cookies, state.app.access.session_hours);
    let out = SessionOut { user: UserOut::from(&session.user), csrf_token: session.csrf_token };
    Ok(([(header::SET_COOKIE, cookie)], axum::Json(out)).into_response())
}

/// Signs out: ends the session and clears the cookie.
#[utoipa::path(delete, path = "/api/v1/session", tag = "access",
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = cookie_value(&headers, SESSION_COOKIE) {
        state.app.sign_out(&token).await?;
    }
    let cookie = session_cookie("", state.settings.secure_cookies, 0);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "access",
    responses((status = 200, body = UserOut), (status = 401, body = Problem)))]
pub async fn me(principal: Principal) -> ApiResult<axum::Json<UserOut>> {
    let user = principal.user.as_ref().ok_or_else(|| Problem::from(bridgehead_app::AppError::Unauthenticated))?;
    Ok(axum::Json(UserOut::from(user)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    pub id: i64,
    pub name: String,
    /// read or read_write.
    pub scope: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<&bridgehead_store::users::ApiToken> for TokenOut {
    fn from(t: &bridgehead_store::users::ApiToken) -> Self {
        Self {
            id: t.id,
            name: t.name.clone(),
            scope: t.scope.as_str().to_owned(),
            created_at: t.created_at.clone(),
            expires_at: t.expires_at.clone(),
            revoked_at: t.revoked_at.clone(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenIn {
    pub name: String,
    /// Defaults to read.
    #[schema(schema_with = super::dto::token_scope_schema)]
    pub scope: Option<String>,
    /// Days until it expires (1–3650); never when absent.
    pub valid_days: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenOut {
    #[serde(flatten)]
    pub token: TokenOut,
    /// The token value: shown once, send as `Authorization: Bearer …`.
    pub value: String,
}

/// Your API tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "access",
    responses((status = 200, body = Vec<TokenOut>), (status = 401, body = Problem)))]
pub async fn list_tokens(State(state): State<AppState>, principal: Principal) -> ApiResult<axum::Json<Vec<TokenOut>>> {
    let tokens = state.app.list_tokens(principal.require()?).await?;
    Ok(axum::Json(tokens.iter().map(TokenOut::from).collect()))
}

/// Issues an API token for yourself.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "access", request_body = TokenIn,
    responses((status = 201, body = NewTokenOut), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    principal: Principal,
    Json(body): Json<TokenIn>,
) -> ApiResult<(StatusCode, axum::Json<NewTokenOut>)> {
    let scope = match body.scope.as_deref() {
        None => TokenScope::Read,
        Some(s) => TokenScope::parse(s).ok_or_else(|| {
            Problem::from(bridgehead_app::AppError::invalid("scope", "token.scope", "read or read_write"))
        })?,
    };
    let (token, value) = state.app.create_token(principal.require()?, &body.name, scope, body.valid_days).await?;
    Ok((StatusCode::CREATED, axum::Json(NewTokenOut { token: TokenOut::from(&token), value })))
}

/// Revokes one of your API tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "access", params(("id" = i64, Path)),
    responses((status = 200, body = TokenOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<TokenOut>> {
    let token = state.app.revoke_token(principal.require()?, id).await?;
    Ok(axum::Json(TokenOut::from(&token)))
}
