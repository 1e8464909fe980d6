//! Project, stage event and monthly report files on the web: one page with the
//! templates, the exports and an upload form for each file kind the visitor may import.
//! An upload shows its progress; a refused file lists every row error and stores
//! nothing. Reports come in as drafts for their filers to submit.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use bridgehead_app::AppError;
use bridgehead_app::enterprises::ImportOutcome;
use bridgehead_io::FileFormat;

use super::{Ctx, Field, Form, Link, Notice, PageError, PageView, Section};
use crate::AppState;

/// The files the page offers: (kind, API path, page upload path).
const KINDS: [(&str, &str, &str); 3] = [
    ("projects", "/api/v1/projects", "/projects/import"),
    ("events", "/api/v1/stage-events", "/projects/events/import"),
    ("reports", "/api/v1/reports", "/reports/import"),
];

fn import_page(ctx: &Ctx, notice: Option<(&str, Notice)>) -> PageView {
    let mut page = PageView::new(ctx.t("project-files-title")).intro(ctx.t("project-files-intro"));
    page.push(Section::Links(vec![Link::new(ctx.t("projects-back"), "/projects")]));
    for (kind, api, action) in KINDS {
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
        let may_import = if kind == "reports" { super::projects::files_reports(ctx) } else { ctx.registers() };
        if may_import {
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
    let result: Result<ImportOutcome, AppError> = match kind {
        "projects" => state.app.import_projects(actor, &name, &bytes, format, &|_, _| {}).await,
        "events" => state.app.import_events(actor, &name, &bytes, format, &|_, _| {}).await,
        _ => {
            let mode = bridgehead_app::projects::ReportImportMode::Drafts;
            state.app.import_reports(actor, &name, &bytes, format, mode, &|_, _| {}).await
        }
    };
    let (status, notice) = super::import_outcome_notice(&ctx, result)?;
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

pub async fn import_reports(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> Result<Response, PageError> {
    upload(&state, ctx, multipart, "reports").await
}
