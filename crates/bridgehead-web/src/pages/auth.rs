//! Sign-in and sign-out pages.

use axum::Form as FormBody;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use bridgehead_app::AppError;
use serde::Deserialize;

use super::{Ctx, Field, Form, Notice, PageView, Section};
use crate::AppState;
use crate::session::{ClientAddress, SESSION_COOKIE, cookie_value, session_cookie};

#[derive(Debug, Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only local paths: the `next` parameter must not send people elsewhere.
fn safe_next(next: Option<&str>) -> String {
    super::local_path(next)
}

fn login_page(ctx: &Ctx, next: &str, username: &str, problem: Option<String>) -> PageView {
    let mut page = PageView::new(ctx.t("login-title"));
    if let Some(problem) = problem {
        page.push(Section::Notice(Notice::error(problem)));
    }
    let form = Form::post("/login", ctx.t("login-submit"), &ctx.csrf)
        .field(Field::new("username", ctx.t("login-username"), "text").value(username).required())
        .field(Field::new("password", ctx.t("login-password"), "password").required())
        .field(Field::new("next", "", "hidden").value(next));
    page.section(Section::Form(form))
}

pub async fn login_form(ctx: Ctx, Query(query): Query<NextQuery>) -> Response {
    let next = safe_next(query.next.as_deref());
    if ctx.actor.is_some() {
        return Redirect::to(&next).into_response();
    }
    ctx.render(login_page(&ctx, &next, "", None))
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddress(client): ClientAddress,
    FormBody(form): FormBody<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    match state.app.sign_in(&form.username, &form.password, &client).await {
        Ok(session) => {
            let cookie = session_cookie(&session.token, state.settings.secure_cookies, state.app.access.session_hours);
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        Err(error) => {
            let (status, message) = match &error {
                AppError::BadCredentials => (StatusCode::UNAUTHORIZED, ctx.t("login-bad-credentials")),
                AppError::Locked { until } => {
                    (StatusCode::FORBIDDEN, ctx.t_args("login-locked", &[("until", until.clone())]))
                }
                AppError::TooManyAttempts => (StatusCode::TOO_MANY_REQUESTS, ctx.t("login-rate-limited")),
                _ => return ctx.fail(error).into_response(),
            };
            ctx.render_status(status, login_page(&ctx, &next, &form.username, Some(message)))
        }
    }
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie_value(&headers, SESSION_COOKIE)
        && let Err(error) = state.app.sign_out(&token).await
    {
        tracing::warn!(%error, "sign-out failed");
    }
    ([(header::SET_COOKIE, session_cookie("", state.settings.secure_cookies, 0))], Redirect::to("/")).into_response()
}
