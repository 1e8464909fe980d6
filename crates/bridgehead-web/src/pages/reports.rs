//! Monthly report pages: the review queue, the reminders of a month, and a report with
//! its checks, revisions, review history and the forms of the actions the visitor may
//! take (edit, submit, approve, return with a reason, correct).

use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bridgehead_app::AppError;
use bridgehead_app::projects::{ReportDetail, report_due_on};
use bridgehead_domain::FieldError;
use bridgehead_domain::access::Role;
use bridgehead_domain::enterprise::format_date;
use bridgehead_domain::period::Period;
use bridgehead_domain::project::{ReportAction, ReportFields, ReportStatus};
use bridgehead_store::projects::ReportFilter;

use super::projects::{
    action_name, error_notice, figures_from, figures_of, form_errors, form_map, last_month, money, parse_id,
    place_errors, status_name, with_figures,
};
use super::{Cell, Ctx, Field, Form, Link, Notice, PageError, PageView, Pager, Section, Table};
use crate::AppState;

const PER_PAGE: i64 = 25;

/// The statuses of the reports a role acts on: the queue it sees by default.
fn own_statuses(ctx: &Ctx) -> Vec<ReportStatus> {
    match ctx.actor.as_ref().map(|a| a.role) {
        Some(Role::DistrictOfficer) => vec![ReportStatus::Submitted],
        Some(Role::CityAnalyst) => vec![ReportStatus::ApprovedByDistrict],
        Some(Role::Administrator) => vec![ReportStatus::Submitted, ReportStatus::ApprovedByDistrict],
        Some(Role::EnterpriseUser) => {
            vec![ReportStatus::Draft, ReportStatus::ReturnedByDistrict, ReportStatus::ReturnedByCity]
        }
        _ => Vec::new(),
    }
}

/// Value of the status filter that shows every status.
const ALL: &str = "all";

#[derive(Debug, Default, serde::Deserialize)]
pub struct QueueQuery {
    period: Option<String>,
    status: Option<String>,
    page: Option<String>,
}

fn queue_link(query: &QueueQuery, page: i64) -> String {
    let pairs = [("period", &query.period), ("status", &query.status)];
    format!("/reports?{}", super::query_string(&pairs, &[("page", page.to_string())]))
}

fn period_error(raw: &str, message: String) -> FieldError {
    FieldError::new("period", "period.format", message).with_value(raw)
}

pub async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<QueueQuery>,
) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let page_number: i64 = super::page_number(query.page.as_deref());
    let mut errors = Vec::new();
    let period_text = query.period.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let period = period_text.and_then(|raw| Period::parse(raw).map_err(|m| errors.push(period_error(raw, m))).ok());
    let status_text = query.status.as_deref().map(str::trim).unwrap_or("");
    let statuses = match status_text {
        "" => own_statuses(&ctx),
        ALL => Vec::new(),
        list => {
            let mut statuses = Vec::new();
            for raw in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match ReportStatus::parse(raw) {
                    Some(status) => statuses.push(status),
                    None => errors.push(
                        FieldError::new(
                            "status",
                            "report.status",
                            format!("expected one of {}", ReportStatus::expected()),
                        )
                        .with_value(raw),
                    ),
                }
            }
            statuses
        }
    };

    let mut options = vec![(String::new(), ctx.t("reports-filter-mine")), (ALL.to_owned(), ctx.t("any"))];
    options.extend(ReportStatus::ALL.iter().map(|s| (s.as_str().to_owned(), status_name(&ctx, *s))));
    let mut filters = Form::get("/reports", ctx.t("filter-apply"))
        .field(
            Field::new("period", ctx.t("report-period"), "text")
                .value(query.period.clone().unwrap_or_default())
                .hint(ctx.t("hint-period")),
        )
        .field(Field::new("status", ctx.t("report-status"), "select").options(options, &[status_text.to_owned()]));
    let mut page = PageView::new(ctx.t("reports-title")).intro(ctx.t("reports-intro"));
    page.push(Section::Links(vec![
        Link::new(ctx.t("reminders-title"), "/reports/reminders"),
        Link::new(ctx.t("nav-projects"), "/projects"),
        Link::new(ctx.t("project-files-title"), "/projects/files"),
    ]));
    if !errors.is_empty() {
        let unplaced = place_errors(&ctx, &mut [&mut filters], &errors);
        let error = AppError::Invalid(bridgehead_domain::FieldErrors(errors));
        page.push(Section::Notice(error_notice(&ctx, &error, &unplaced)));
        page.push(Section::Form(filters));
        return Ok(ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, page));
    }
    let filter = ReportFilter {
        period,
        statuses,
        limit: PER_PAGE,
        offset: (page_number - 1) * PER_PAGE,
        ..ReportFilter::default()
    };
    let (items, total) = state.app.list_reports(actor, filter).await.map_err(|e| ctx.fail(e))?;
    page.push(Section::Form(filters));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("report-period"),
            ctx.t("project-code"),
            ctx.t("project-name"),
            ctx.t("report-revision"),
            ctx.t("report-status"),
            ctx.t("report-completed"),
            ctx.t("field-updated-at"),
        ],
        rows: items
            .iter()
            .map(|item| {
                let report = &item.report;
                vec![
                    Cell::link(report.period.to_string(), format!("/reports/{}", report.id)),
                    Cell::link(item.project_code.clone(), format!("/projects/{}", report.project_id)),
                    Cell::text(ctx.lang.name(&item.project_name_zh, item.project_name_en.as_deref()).to_owned()),
                    Cell::text(report.revision.to_string()),
                    Cell::text(status_name(&ctx, report.status)),
                    Cell::text(money(report.figures.completed_minor)),
                    Cell::text(report.updated_at.clone()),
                ]
            })
            .collect(),
        empty: ctx.t("reports-empty"),
    }));
    page.push(Section::Pager(Pager::numbered(&ctx, page_number, total, PER_PAGE, |n| queue_link(&query, n))));
    Ok(ctx.render(page))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct PeriodQuery {
    period: Option<String>,
}

pub async fn reminders(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let raw = query.period.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let period = match raw {
        None => Ok(last_month()),
        Some(raw) => Period::parse(raw).map_err(|m| period_error(raw, m)),
    };
    let mut filters = Form::get("/reports/reminders", ctx.t("filter-apply")).field(
        Field::new("period", ctx.t("report-period"), "text")
            .value(raw.map_or_else(|| last_month().to_string(), ToOwned::to_owned))
            .hint(ctx.t("hint-period")),
    );
    let mut page = PageView::new(ctx.t("reminders-title"));
    let period = match period {
        Ok(period) => period,
        Err(error) => {
            let unplaced = place_errors(&ctx, &mut [&mut filters], std::slice::from_ref(&error));
            let error = AppError::Invalid(bridgehead_domain::FieldErrors(vec![error]));
            page.push(Section::Notice(error_notice(&ctx, &error, &unplaced)));
            page.push(Section::Form(filters));
            return Ok(ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, page));
        }
    };
    let reminders = state.app.reminders(actor, &period.to_string()).await.map_err(|e| ctx.fail(e))?;
    page.intro = Some(
        ctx.t_args("reminders-intro", &[("period", period.to_string()), ("due", format_date(report_due_on(period)))]),
    );
    page.push(Section::Links(vec![Link::new(ctx.t("reports-title"), "/reports")]));
    page.push(Section::Form(filters));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("project-code"),
            ctx.t("project-name"),
            ctx.t("project-region-code"),
            ctx.t("report-status"),
            ctx.t("reminders-due-on"),
            ctx.t("reminders-overdue"),
        ],
        rows: reminders
            .iter()
            .map(|reminder| {
                let p = &reminder.project;
                vec![
                    Cell::link(p.record.code.code.clone(), format!("/projects/{}", p.id)),
                    Cell::text(ctx.lang.name(&p.record.name_zh, p.record.name_en.as_deref()).to_owned()),
                    Cell::text(p.record.region_code.to_string()),
                    Cell::text(reminder.status.map_or_else(|| ctx.t("reminders-no-report"), |s| status_name(&ctx, s))),
                    Cell::text(format_date(reminder.due_on)),
                    Cell::text(ctx.t(if reminder.overdue { "reminders-is-overdue" } else { "reminders-not-overdue" })),
                ]
            })
            .collect(),
        empty: ctx.t("reminders-empty"),
    }));
    Ok(ctx.render(page))
}

// ---------------------------------------------------------------------------------
// One report.

/// The form a visitor sent, to show again with its values and errors.
enum Sent {
    Edit(ReportFields),
    Action(Option<ReportAction>, String),
    Correction(String, ReportFields),
}

/// What a report page shows beyond the report.
#[derive(Default)]
struct Extra {
    notice: Option<Notice>,
    sent: Option<Sent>,
    errors: Vec<FieldError>,
    /// The error the notice explains.
    error: Option<AppError>,
}

fn actions_url(id: i64) -> String {
    format!("/reports/{id}/actions")
}

fn action_form(ctx: &Ctx, id: i64, action: ReportAction, reason: &str) -> Form {
    let mut form = Form::post(actions_url(id), action_name(ctx, action.as_str()), &ctx.csrf)
        .field(Field::new("action", "", "hidden").value(action.as_str()));
    if matches!(action, ReportAction::ReturnDistrict | ReportAction::ReturnCity) {
        form = form.field(
            Field::new("reason", ctx.t("report-return-reason"), "text")
                .value(reason)
                .required()
                .hint(ctx.t("hint-return-reason")),
        );
    }
    form
}

fn report_page(ctx: &Ctx, detail: &ReportDetail, extra: Extra) -> PageView {
    let report = &detail.report;
    let project = &detail.project;
    let project_name = ctx.lang.name(&project.record.name_zh, project.record.name_en.as_deref()).to_owned();
    let mut page = PageView::new(
        ctx.t_args("report-title", &[("project", project_name.clone()), ("period", report.period.to_string())]),
    );

    // The forms first, so that the errors can be placed before the page is laid out.
    let mut edit = detail.may_edit.then(|| {
        let fields = match &extra.sent {
            Some(Sent::Edit(fields)) => fields.clone(),
            _ => figures_of(&report.figures),
        };
        let form = Form::post(format!("/reports/{}", report.id), ctx.t("save"), &ctx.csrf);
        with_figures(ctx, form, &fields).field(Field::new("version", "", "hidden").value(report.version.to_string()))
    });
    let mut actions: Vec<(ReportAction, Form)> = detail
        .actions
        .iter()
        .map(|action| {
            let reason = match &extra.sent {
                Some(Sent::Action(Some(sent), reason)) if sent == action => reason.as_str(),
                _ => "",
            };
            (*action, action_form(ctx, report.id, *action, reason))
        })
        .collect();
    let mut correction = detail.may_correct.then(|| {
        let (reason, fields) = match &extra.sent {
            Some(Sent::Correction(reason, fields)) => (reason.clone(), fields.clone()),
            _ => (String::new(), figures_of(&report.figures)),
        };
        let form = Form::post(format!("/reports/{}/corrections", report.id), ctx.t("report-correct"), &ctx.csrf).field(
            Field::new("reason", ctx.t("report-correction-reason"), "text")
                .value(reason)
                .required()
                .hint(ctx.t("hint-correction-reason")),
        );
        with_figures(ctx, form, &fields)
    });
    let mut notice = extra.notice;
    if let Some(error) = &extra.error {
        // The form that was sent first, then the edit form (a submission's missing note).
        let mut forms: Vec<&mut Form> = Vec::new();
        match &extra.sent {
            Some(Sent::Action(Some(sent), _)) => {
                forms.extend(actions.iter_mut().filter(|(a, _)| a == sent).map(|(_, f)| f));
            }
            Some(Sent::Correction(..)) => forms.extend(correction.as_mut()),
            _ => {}
        }
        forms.extend(edit.as_mut());
        let unplaced = place_errors(ctx, &mut forms, &extra.errors);
        notice = Some(error_notice(ctx, error, &unplaced));
    }

    if let Some(notice) = notice {
        page.push(Section::Notice(notice));
    }
    for error in &detail.check.errors {
        page.push(Section::Notice(Notice::error(ctx.lang.error_message(error.code, &error.params, &error.message))));
    }
    for warning in &detail.check.warnings {
        page.push(Section::Notice(Notice::warning(ctx.t_args(
            "report-check-warning",
            &[("message", ctx.lang.error_message(warning.code, &warning.params, &warning.message))],
        ))));
    }
    page.push(Section::Links(vec![
        Link::new(ctx.t("report-back-project"), format!("/projects/{}", project.id)),
        Link::new(ctx.t("reports-title"), "/reports"),
    ]));
    let f = &report.figures;
    page.push(Section::Facts(vec![
        (ctx.t("project-name"), project_name),
        (ctx.t("project-code"), project.record.code.code.clone()),
        (ctx.t("report-period"), report.period.to_string()),
        (ctx.t("report-revision"), report.revision.to_string()),
        (ctx.t("report-status"), status_name(ctx, report.status)),
        (ctx.t("report-revision-reason"), report.revision_reason.clone().unwrap_or_default()),
        (ctx.t("report-completed"), money(f.completed_minor)),
        (ctx.t("report-equipment"), money(f.equipment_minor)),
        (ctx.t("report-construction"), money(f.construction_minor)),
        (ctx.t("report-employees"), f.employees.map(|n| n.to_string()).unwrap_or_default()),
        (ctx.t("report-status-note"), f.status_note.clone().unwrap_or_default()),
        (ctx.t("report-warning-note"), f.warning_note.clone().unwrap_or_default()),
        (ctx.t("field-updated-at"), report.updated_at.clone()),
    ]));

    if !actions.is_empty() {
        page.push(Section::Heading(ctx.t("report-actions-title")));
        for (_, form) in actions {
            page.push(Section::Form(form));
        }
    }
    if let Some(edit) = edit {
        page.push(Section::Heading(ctx.t("report-edit-title")));
        page.push(Section::Form(edit));
    }

    page.push(Section::Heading(ctx.t("report-revisions-title")));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("report-revision"),
            ctx.t("report-status"),
            ctx.t("report-completed"),
            ctx.t("report-revision-reason"),
            ctx.t("field-updated-at"),
        ],
        rows: detail
            .revisions
            .iter()
            .map(|r| {
                let revision = r.revision.to_string();
                vec![
                    if r.id == report.id {
                        Cell::text(revision)
                    } else {
                        Cell::link(revision, format!("/reports/{}", r.id))
                    },
                    Cell::text(status_name(ctx, r.status)),
                    Cell::text(money(r.figures.completed_minor)),
                    Cell::text(r.revision_reason.clone().unwrap_or_default()),
                    Cell::text(r.updated_at.clone()),
                ]
            })
            .collect(),
        empty: String::new(),
    }));

    page.push(Section::Heading(ctx.t("report-history-title")));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("report-history-at"),
            ctx.t("report-history-actor"),
            ctx.t("report-history-action"),
            ctx.t("report-status"),
            ctx.t("report-history-reason"),
        ],
        rows: detail
            .reviews
            .iter()
            .map(|review| {
                let change = match review.from_status {
                    Some(from) => format!("{} → {}", status_name(ctx, from), status_name(ctx, review.to_status)),
                    None => status_name(ctx, review.to_status),
                };
                vec![
                    Cell::text(review.at.clone()),
                    Cell::text(review.actor.clone()),
                    Cell::text(action_name(ctx, &review.action)),
                    Cell::text(change),
                    Cell::text(review.reason.clone().unwrap_or_default()),
                ]
            })
            .collect(),
        empty: ctx.t("report-history-empty"),
    }));

    if let Some(correction) = correction {
        page.push(Section::Heading(ctx.t("report-correction-title")));
        page.push(Section::Form(correction));
    }
    page
}

async fn render_report(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    status: StatusCode,
    extra: Extra,
) -> Result<Response, PageError> {
    let detail = state.app.report(ctx.actor()?, id).await.map_err(|e| ctx.fail(e))?;
    Ok(ctx.render_status(status, report_page(ctx, &detail, extra)))
}

/// The page after a refused form: the report with the form sent back, or the error page
/// for errors that are not the form's.
async fn refused(state: &AppState, ctx: &Ctx, id: i64, error: AppError, sent: Sent) -> Result<Response, PageError> {
    let Some((status, errors)) = form_errors(&error) else {
        return Err(ctx.fail(error));
    };
    let extra = Extra { notice: None, sent: Some(sent), errors, error: Some(error) };
    render_report(state, ctx, id, status, extra).await
}

pub async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "report")?;
    render_report(&state, &ctx, id, StatusCode::OK, Extra::default()).await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "report")?;
    let map = form_map(&body);
    let fields = figures_from(&map);
    let version = map.get("version").and_then(|v| v.parse().ok());
    match state.app.update_report(ctx.actor()?, id, version, &fields).await {
        Ok(_) => {
            let extra = Extra { notice: Some(Notice::success(ctx.t("saved"))), ..Extra::default() };
            render_report(&state, &ctx, id, StatusCode::OK, extra).await
        }
        Err(error) => refused(&state, &ctx, id, error, Sent::Edit(fields)).await,
    }
}

pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "report")?;
    let map = form_map(&body);
    let action = map.get("action").cloned().unwrap_or_default();
    let reason = map.get("reason").cloned().unwrap_or_default();
    match state.app.act_on_report(ctx.actor()?, id, &action, Some(&reason)).await {
        Ok(report) => {
            let text = ctx.t_args(
                "report-action-done",
                &[("action", action_name(&ctx, &action)), ("status", status_name(&ctx, report.status))],
            );
            let extra = Extra { notice: Some(Notice::success(text)), ..Extra::default() };
            render_report(&state, &ctx, id, StatusCode::OK, extra).await
        }
        Err(error) => refused(&state, &ctx, id, error, Sent::Action(ReportAction::parse(&action), reason)).await,
    }
}

pub async fn correct(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "report")?;
    let map = form_map(&body);
    let reason = map.get("reason").cloned().unwrap_or_default();
    let fields = figures_from(&map);
    match state.app.correct_report(ctx.actor()?, id, &reason, &fields).await {
        Ok(revision) => Ok(Redirect::to(&format!("/reports/{}", revision.id)).into_response()),
        Err(error) => refused(&state, &ctx, id, error, Sent::Correction(reason, fields)).await,
    }
}
