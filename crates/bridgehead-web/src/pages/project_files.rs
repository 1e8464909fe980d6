//! Project and stage event files on the web: one page with the templates, the exports
//! and an upload form for each file kind. An upload shows its progress; a refused
//! file lists every row error and stores nothing.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use bridgehead_app::AppError;
use bridgehead_app::enterprises::ImportOutcome;
use bridgehead_io::FileFormat;

use super::{Ctx, Field, Form, Link, Notice, PageError, PageView, Section};
use crate::AppState;

/// The files a page offers: (kind, API path).
const KINDS: [(&str, &str); 2] = [("projects", "/api/v1/projects"), ("events", "/api/v1/stage-events")];

fn import_page(ctx: &Ctx, notice: Option<(&str, Notice)>) -> PageView {
    let mut page = PageView::new(ctx.t("project-files-title")).intro(ctx.t("project-files-intro"));
    page.push(Section::Links(vec![Link::new(ctx.t("projects-back"), "/projects")]));
    for (kind, api) in KINDS {
        page.push(Section::Heading(ctx.t(&format!("project-files-{kind}"))));
        if let Some((shown, notice)) = &notice
            && *shown == kind
        {
            page.push(Section::Notice(notice.clone()));
        }
        let mut links = Vec::new();
        for (format, lang, label) in [
            ("xlsx", "zh", "import-template-zh-xlsx"),
            ("xlsx", "en", "import-template-en-xlsx"),
            ("csv", "zh", "import-template-zh-csv"),
            ("csv", "en", "import-template-en-csv"),
        ] {
            links.push(Link::new(ctx.t(label), format!("{api}/template?format={format}&lang={lang}")));
        }
        links.push(Link::new(
            ctx.t("project-files-export"),
            format!("{api}/export?format=xlsx&lang={}", ctx.lang.code()),
        ));
        page.push(Section::Links(links));
        if ctx.registers() {
            let action = if kind == "projects" { "/projects/import" } else { "/projects/events/import" };
            page.push(Section::Form(
                Form::post(action, ctx.t("import-submit"), &ctx.csrf)
                    .field(Field::new("file", ctx.t("import-file"), "file").required().hint(ctx.t("import-file-hint")))
                    .multipart(),
            ));
        }
    }
    page
}

pub async fn page(ctx: Ctx) -> Response {
    ctx.render(import_page(&ctx, None))
}

async fn upload(state: &AppState, ctx: Ctx, multipart: Multipart, kind: &'static str) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let Some((name, bytes)) = super::read_upload(&ctx, multipart).await? else {
        let page = import_page(&ctx, Some((kind, Notice::error(ctx.t("import-no-file")))));
        return Ok(ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, page));
    };
    let format = FileFormat::from_file_name(&name).unwrap_or_else(|| FileFormat::sniff(&bytes));
    let result: Result<ImportOutcome, AppError> = if kind == "projects" {
        state.app.import_projects(actor, &name, &bytes, format, &|_, _| {}).await
    } else {
        state.app.import_events(actor, &name, &bytes, format, &|_, _| {}).await
    };
    let (status, notice) = super::import_notice(&ctx, result, |outcome| {
        ctx.t_args(
            "import-done",
            &[
                ("rows", outcome.rows.to_string()),
                ("created", outcome.created.to_string()),
                ("updated", outcome.updated.to_string()),
                ("unchanged", outcome.unchanged.to_string()),
            ],
        )
    })?;
    Ok(ctx.render_status(status, import_page(&ctx, Some((kind, notice)))))
}

pub async fn import_projects(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> Result<Response, PageError> {
    upload(&state, ctx, multipart, "projects").await
}

pub async fn import_events(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> Result<Response, PageError> {
    upload(&state, ctx, multipart, "events").await
}
