//! The signed-in user's own API tokens.

use axum::Form as FormBody;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bridgehead_app::AppError;
use bridgehead_domain::access::TokenScope;
use serde::Deserialize;

use super::{Cell, Ctx, Field, Form, Notice, PageError, PageView, Section, Table};
use crate::AppState;

async fn tokens_page(state: &AppState, ctx: &Ctx, notice: Option<Notice>) -> Result<PageView, PageError> {
    let actor = ctx.actor()?;
    let tokens = state.app.list_tokens(actor).await.map_err(|e| ctx.fail(e))?;
    let mut page = PageView::new(ctx.t("tokens-title")).intro(ctx.t("tokens-intro"));
    if let Some(notice) = notice {
        page.push(Section::Notice(notice));
    }
    let rows = tokens
        .iter()
        .map(|t| {
            let state_cell = if t.revoked_at.is_some() {
                Cell::text(ctx.t("tokens-revoked"))
            } else {
                Cell::button(ctx.t("tokens-revoke"), format!("/account/tokens/{}/revoke", t.id))
            };
            vec![
                Cell::text(t.name.clone()),
                Cell::text(ctx.t(&format!("token-scope-{}", t.scope.as_str().replace('_', "-")))),
                Cell::text(t.created_at.clone()),
                Cell::text(t.expires_at.clone().unwrap_or_else(|| ctx.t("tokens-never"))),
                state_cell,
            ]
        })
        .collect();
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("tokens-name"),
            ctx.t("tokens-scope"),
            ctx.t("tokens-created"),
            ctx.t("tokens-expires"),
            String::new(),
        ],
        rows,
        empty: ctx.t("tokens-empty"),
    }));
    page.push(Section::Heading(ctx.t("tokens-new")));
    let scopes = vec![
        ("read".to_owned(), ctx.t("token-scope-read")),
        ("read_write".to_owned(), ctx.t("token-scope-read-write")),
    ];
    page.push(Section::Form(
        Form::post("/account/tokens", ctx.t("tokens-create"), &ctx.csrf)
            .field(Field::new("name", ctx.t("tokens-name"), "text").required())
            .field(Field::new("scope", ctx.t("tokens-scope"), "select").options(scopes, &["read".to_owned()]))
            .field(
                Field::new("valid_days", ctx.t("tokens-valid-days"), "number").hint(ctx.t("tokens-valid-days-hint")),
            ),
    ));
    Ok(page)
}

pub async fn tokens(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let page = tokens_page(&state, &ctx, None).await?;
    Ok(ctx.render(page))
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    scope: Option<String>,
    valid_days: Option<String>,
}

pub async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    FormBody(form): FormBody<TokenForm>,
) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let scope = form.scope.as_deref().and_then(TokenScope::parse).unwrap_or(TokenScope::Read);
    let valid_days = match form.valid_days.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => Some(
            v.parse::<i64>()
                .map_err(|_| ctx.fail(AppError::invalid("valid_days", "token.validity", "a whole number of days")))?,
        ),
    };
    let notice = match state.app.create_token(actor, &form.name, scope, valid_days).await {
        Ok((_, value)) => Notice::success(ctx.t_args("tokens-created-value", &[("value", value)])),
        Err(AppError::Invalid(errors)) => Notice::error(errors.to_string()),
        Err(error) => return Err(ctx.fail(error)),
    };
    let page = tokens_page(&state, &ctx, Some(notice)).await?;
    Ok(ctx.render_status(StatusCode::OK, page))
}

pub async fn revoke_token(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    state.app.revoke_token(ctx.actor()?, id).await.map_err(|e| ctx.fail(e))?;
    Ok(Redirect::to("/account/tokens").into_response())
}
