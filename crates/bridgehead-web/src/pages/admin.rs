//! Administration pages: users and the audit log.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bridgehead_app::AppError;
use bridgehead_app::auth::UserRequest;
use bridgehead_domain::access::{Role, Scope};
use bridgehead_store::audit::AuditQuery;
use serde::Deserialize;

use super::{Cell, Ctx, Field, Form, Notice, PageError, PageView, Section, Table};
use crate::AppState;

#[derive(Debug, Deserialize, Default, Clone)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    display_name: Option<String>,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    region_code: Option<String>,
    enterprise_id: Option<String>,
    organization_id: Option<String>,
}

async fn users_page(
    state: &AppState,
    ctx: &Ctx,
    input: &UserForm,
    error: Option<AppError>,
) -> Result<PageView, PageError> {
    let users = state.app.list_users(ctx.actor()?).await.map_err(|e| ctx.fail(e))?;
    let mut page = PageView::new(ctx.t("users-title"));
    let rows = users
        .iter()
        .map(|u| {
            let scope = match &u.scope {
                Scope::Installation => String::new(),
                Scope::Region { region_code } => region_code.clone(),
                Scope::Enterprise { enterprise_id } => format!("#{enterprise_id}"),
                Scope::Organization { organization_id } => format!("org #{organization_id}"),
            };
            let action = if u.disabled {
                Cell::button(ctx.t("users-enable"), format!("/admin/users/{}/enable", u.username))
            } else {
                Cell::button(ctx.t("users-disable"), format!("/admin/users/{}/disable", u.username))
            };
            vec![
                Cell::text(u.username.clone()),
                Cell::text(u.display_name.clone()),
                Cell::text(ctx.t(&format!("role-{}", u.role.as_str().replace('_', "-")))),
                Cell::text(scope),
                Cell::text(if u.disabled { ctx.t("users-disabled") } else { ctx.t("users-active") }),
                action,
            ]
        })
        .collect();
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("users-username"),
            ctx.t("users-display-name"),
            ctx.t("users-role"),
            ctx.t("users-scope"),
            ctx.t("users-state"),
            String::new(),
        ],
        rows,
        empty: String::new(),
    }));
    page.push(Section::Heading(ctx.t("users-new")));
    let roles = Role::ALL
        .iter()
        .map(|r| (r.as_str().to_owned(), ctx.t(&format!("role-{}", r.as_str().replace('_', "-")))))
        .collect();
    let mut form = Form::post("/admin/users", ctx.t("users-create"), &ctx.csrf)
        .field(Field::new("username", ctx.t("users-username"), "text").value(input.username.clone()).required())
        .field(
            Field::new("display_name", ctx.t("users-display-name"), "text")
                .value(input.display_name.clone().unwrap_or_default()),
        )
        .field(
            Field::new("password", ctx.t("login-password"), "password").required().hint(ctx.t("users-password-hint")),
        )
        .field(Field::new("role", ctx.t("users-role"), "select").options(roles, std::slice::from_ref(&input.role)))
        .field(
            Field::new("region_code", ctx.t("field-region-code"), "text")
                .value(input.region_code.clone().unwrap_or_default())
                .hint(ctx.t("users-region-hint")),
        )
        .field(
            Field::new("enterprise_id", ctx.t("users-enterprise-id"), "number")
                .value(input.enterprise_id.clone().unwrap_or_default()),
        )
        .field(
            Field::new("organization_id", ctx.t("users-organization-id"), "number")
                .value(input.organization_id.clone().unwrap_or_default()),
        );
    match error {
        Some(AppError::Invalid(errors)) => {
            form.attach_errors(ctx.lang, &errors.0);
            page.push(Section::Notice(Notice::error(ctx.t("form-has-errors"))));
        }
        Some(AppError::Duplicate(e)) => {
            form.attach_errors(ctx.lang, &[e]);
            page.push(Section::Notice(Notice::error(ctx.t("form-has-errors"))));
        }
        Some(other) => return Err(ctx.fail(other)),
        None => {}
    }
    page.push(Section::Form(form));
    Ok(page)
}

pub async fn users(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let page = users_page(&state, &ctx, &UserForm::default(), None).await?;
    Ok(ctx.render(page))
}

pub async fn create_user(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(form): axum::Form<UserForm>,
) -> Result<Response, PageError> {
    let parse_id =
        |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).and_then(|v| v.parse::<i64>().ok());
    let blank = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(ToOwned::to_owned);
    let Some(role) = Role::parse(&form.role) else {
        let page =
            users_page(&state, &ctx, &form, Some(AppError::invalid("role", "user.role", ctx.t("users-role-required"))))
                .await?;
        return Ok(ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, page));
    };
    let request = UserRequest {
        username: form.username.clone(),
        display_name: blank(&form.display_name),
        password: form.password.clone(),
        role,
        region_code: blank(&form.region_code),
        enterprise_id: parse_id(&form.enterprise_id),
        organization_id: parse_id(&form.organization_id),
    };
    match state.app.add_user(ctx.actor()?, request).await {
        Ok(_) => Ok(Redirect::to("/admin/users").into_response()),
        Err(error @ (AppError::Invalid(_) | AppError::Duplicate(_))) => {
            let page = users_page(&state, &ctx, &form, Some(error)).await?;
            Ok(ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Err(error) => Err(ctx.fail(error)),
    }
}

pub async fn disable_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
) -> Result<Response, PageError> {
    state.app.set_user_disabled(ctx.actor()?, &username, true).await.map_err(|e| ctx.fail(e))?;
    Ok(Redirect::to("/admin/users").into_response())
}

pub async fn enable_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
) -> Result<Response, PageError> {
    state.app.set_user_disabled(ctx.actor()?, &username, false).await.map_err(|e| ctx.fail(e))?;
    Ok(Redirect::to("/admin/users").into_response())
}

pub async fn audit(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let report = state.app.audit_verify(actor).await.map_err(|e| ctx.fail(e))?;
    let records = state
        .app
        .audit_records(actor, &AuditQuery { limit: 200, ..AuditQuery::default() })
        .await
        .map_err(|e| ctx.fail(e))?;
    let mut page = PageView::new(ctx.t("audit-title")).intro(ctx.t("audit-intro"));
    page.push(Section::Notice(match &report.first_broken {
        None => Notice::success(ctx.t_args("audit-intact", &[("count", report.records_checked.to_string())])),
        Some(broken) => Notice::error(
            ctx.t_args("audit-broken", &[("seq", broken.seq.to_string()), ("reason", broken.reason.clone())]),
        ),
    }));
    page.push(Section::Facts(vec![
        (ctx.t("audit-head-seq"), report.head.seq.to_string()),
        (ctx.t("audit-head-hash"), report.head.hash.clone()),
    ]));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("audit-seq"),
            ctx.t("audit-at"),
            ctx.t("audit-actor"),
            ctx.t("audit-action"),
            ctx.t("audit-entity"),
            ctx.t("audit-key"),
        ],
        rows: records
            .iter()
            .map(|r| {
                vec![
                    Cell::text(r.seq.to_string()),
                    Cell::text(r.at.clone()),
                    Cell::text(r.actor.clone()),
                    Cell::text(r.action.clone()),
                    Cell::text(r.entity.clone()),
                    Cell::text(r.entity_key.clone()),
                ]
            })
            .collect(),
        empty: ctx.t("audit-empty"),
    }));
    Ok(ctx.render(page))
}
