//! Collaborative innovation project pages: the list with search, status and overdue
//! filters; a project with its partners, budget and milestones (overdue ones flagged),
//! the forms to record a milestone's completion and to change the status; and the form
//! that registers or edits a project with its three lists. Scope is the app's.

use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bridgehead_app::AppError;
use bridgehead_app::innovation::{InnovationDetail, InnovationQuery};
use bridgehead_domain::FieldError;
use bridgehead_domain::enterprise::format_date;
use bridgehead_domain::innovation::{
    BudgetLineFields, FundingSource, Innovation, InnovationFields, InnovationStatus, MilestoneFields, MilestoneState,
    PartnerFields, PartnerKind,
};

use super::grid::{GridColumn, Row, cell, form_pairs, grid, place_row_errors, read_rows};
use super::projects::{error_notice, form_errors, form_map, key, money, parse_id, place_errors};
use super::{Cell, Ctx, Field, Form, Link, Notice, PageError, PageView, Pager, Section, Table};
use crate::AppState;

const PER_PAGE: i64 = 25;
const PARTNER_ROWS: usize = 3;
const BUDGET_ROWS: usize = 3;
const MILESTONE_ROWS: usize = 4;
const MAX_ROWS: usize = 200;

fn url(id: i64) -> String {
    format!("/innovation/{id}")
}

fn status_name(ctx: &Ctx, status: InnovationStatus) -> String {
    ctx.t(&key("innovation-status", status.as_str()))
}

fn vocabulary_options<T: Copy>(
    ctx: &Ctx,
    all: &[T],
    prefix: &str,
    text: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter().map(|v| (text(*v).to_owned(), ctx.t(&key(prefix, text(*v))))).collect()
}

fn partner_columns(ctx: &Ctx) -> [GridColumn; 5] {
    [
        GridColumn::choice(
            "kind",
            "innovation-partner-kind",
            vocabulary_options(ctx, PartnerKind::ALL, "innovation-kind", PartnerKind::as_str),
        ),
        GridColumn::text("name", "innovation-partner-name"),
        GridColumn::text("region_code", "innovation-partner-region"),
        GridColumn::text("enterprise_id", "innovation-partner-enterprise-id"),
        GridColumn::text("role", "innovation-partner-role"),
    ]
}

fn budget_columns(ctx: &Ctx) -> [GridColumn; 3] {
    [
        GridColumn::choice(
            "source",
            "innovation-budget-source",
            vocabulary_options(ctx, FundingSource::ALL, "innovation-source", FundingSource::as_str),
        ),
        GridColumn::text("amount", "innovation-budget-amount"),
        GridColumn::text("note", "innovation-budget-note"),
    ]
}

fn milestone_columns() -> [GridColumn; 4] {
    [
        GridColumn::text("title", "innovation-milestone-title"),
        GridColumn::date("due_on", "innovation-milestone-due"),
        GridColumn::date("completed_on", "innovation-milestone-completed"),
        GridColumn::text("evidence", "innovation-milestone-evidence"),
    ]
}

// ---------------------------------------------------------------------------------
// Reading and filling the project form.

/// A project form as sent: its fields, the rows of its three lists, its version.
struct Sent {
    fields: InnovationFields,
    partners: Vec<Row>,
    budget: Vec<Row>,
    milestones: Vec<Row>,
    version: Option<i64>,
}

fn numbers(rows: &[Row]) -> Vec<usize> {
    rows.iter().map(|(n, _)| *n).collect()
}

fn read_form(body: &[u8]) -> Sent {
    let pairs = form_pairs(body);
    let get = |name: &str| pairs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let partners = read_rows(&pairs, "partner", MAX_ROWS, &[]);
    let budget = read_rows(&pairs, "budget", MAX_ROWS, &[]);
    let milestones = read_rows(&pairs, "milestone", MAX_ROWS, &[]);
    let fields = InnovationFields {
        name: get("name"),
        lead_enterprise_id: get("lead_enterprise_id"),
        summary: get("summary"),
        starts_on: get("starts_on"),
        ends_on: get("ends_on"),
        partners: partners
            .iter()
            .map(|(_, v)| PartnerFields {
                kind: cell(v, "kind"),
                name: cell(v, "name"),
                enterprise_id: cell(v, "enterprise_id"),
                region_code: cell(v, "region_code"),
                role: cell(v, "role"),
            })
            .collect(),
        budget: budget
            .iter()
            .map(|(_, v)| BudgetLineFields {
                source: cell(v, "source"),
                amount: cell(v, "amount"),
                note: cell(v, "note"),
            })
            .collect(),
        milestones: milestones
            .iter()
            .map(|(_, v)| MilestoneFields {
                title: cell(v, "title"),
                due_on: cell(v, "due_on"),
                completed_on: cell(v, "completed_on"),
                evidence: cell(v, "evidence"),
            })
            .collect(),
    };
    Sent { fields, partners, budget, milestones, version: get("version").and_then(|v| v.trim().parse().ok()) }
}

/// Rows 1, 2, … of `values`, each a list of (column, value).
fn rows_of(values: Vec<Vec<(&str, Option<String>)>>) -> Vec<Row> {
    values
        .into_iter()
        .enumerate()
        .map(|(index, cells)| (index + 1, cells.into_iter().filter_map(|(c, v)| Some((c.to_owned(), v?))).collect()))
        .collect()
}

/// A stored project as its form shows it.
fn sent_of(innovation: &Innovation) -> Sent {
    let r = &innovation.record;
    let partners = rows_of(
        r.partners
            .iter()
            .map(|p| {
                vec![
                    ("kind", Some(p.kind.as_str().to_owned())),
                    ("name", Some(p.name.clone())),
                    ("region_code", Some(p.region_code.to_string())),
                    ("enterprise_id", p.enterprise_id.map(|id| id.to_string())),
                    ("role", p.role.clone()),
                ]
            })
            .collect(),
    );
    let budget = rows_of(
        r.budget
            .iter()
            .map(|b| {
                vec![
                    ("source", Some(b.source.as_str().to_owned())),
                    ("amount", Some(money(b.amount_minor))),
                    ("note", b.note.clone()),
                ]
            })
            .collect(),
    );
    let milestones = rows_of(
        r.milestones
            .iter()
            .map(|m| {
                vec![
                    ("title", Some(m.title.clone())),
                    ("due_on", Some(format_date(m.due_on))),
                    ("completed_on", m.completed_on.map(format_date)),
                    ("evidence", m.evidence.clone()),
                ]
            })
            .collect(),
    );
    Sent {
        fields: InnovationFields {
            name: Some(r.name.clone()),
            lead_enterprise_id: Some(r.lead_enterprise_id.to_string()),
            summary: r.summary.clone(),
            starts_on: Some(format_date(r.starts_on)),
            ends_on: Some(format_date(r.ends_on)),
            ..InnovationFields::default()
        },
        partners,
        budget,
        milestones,
        version: Some(innovation.version),
    }
}

async fn project_form(state: &AppState, ctx: &Ctx, action: String, sent: &Sent) -> Result<Form, PageError> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let actor = ctx.actor()?;
    let filter = bridgehead_store::enterprises::EnterpriseFilter { limit: 500, ..Default::default() };
    let (enterprises, _) = state.app.list_enterprises(actor, filter).await.map_err(|e| ctx.fail(e))?;
    let mut options = vec![(String::new(), "—".to_owned())];
    // The lead of a stored project stays choosable even beyond the first page of the
    // registry.
    let lead = sent.fields.lead_enterprise_id.clone().unwrap_or_default();
    if !lead.is_empty() && !enterprises.iter().any(|e| e.id.to_string() == lead) {
        options.push((lead.clone(), format!("#{lead}")));
    }
    options.extend(enterprises.iter().map(|e| {
        (
            e.id.to_string(),
            format!("{}（{}）", ctx.lang.name(&e.record.name_zh, e.record.name_en.as_deref()), e.record.credit_code),
        )
    }));
    let f = &sent.fields;
    let mut form = Form::post(action, ctx.t("save"), &ctx.csrf)
        .field(Field::new("name", ctx.t("innovation-name"), "text").value(text(&f.name)).required())
        .field(
            Field::new("lead_enterprise_id", ctx.t("innovation-lead"), "select")
                .options(options, &[text(&f.lead_enterprise_id)])
                .required()
                .hint(ctx.t("hint-innovation-lead")),
        )
        .field(Field::new("summary", ctx.t("innovation-summary"), "textarea").value(text(&f.summary)))
        .field(Field::new("starts_on", ctx.t("innovation-starts"), "date").value(text(&f.starts_on)).required())
        .field(Field::new("ends_on", ctx.t("innovation-ends"), "date").value(text(&f.ends_on)).required())
        .grid(grid(
            ctx,
            "partner",
            ctx.t("innovation-partners"),
            Some(ctx.t("hint-innovation-partners")),
            &partner_columns(ctx),
            &sent.partners,
            PARTNER_ROWS,
        ))
        .grid(grid(
            ctx,
            "budget",
            ctx.t("innovation-budget"),
            Some(ctx.t("hint-yuan")),
            &budget_columns(ctx),
            &sent.budget,
            BUDGET_ROWS,
        ))
        .grid(grid(
            ctx,
            "milestone",
            ctx.t("innovation-milestones"),
            Some(ctx.t("hint-innovation-milestones")),
            &milestone_columns(),
            &sent.milestones,
            MILESTONE_ROWS,
        ));
    if let Some(version) = sent.version {
        form = form.field(Field::new("version", "", "hidden").value(version.to_string()));
    }
    Ok(form)
}

/// Puts a refused project's errors on the form; returns the notice above it.
fn place_project_errors(ctx: &Ctx, form: &mut Form, sent: &Sent, error: &AppError, errors: Vec<FieldError>) -> Notice {
    let rest = place_row_errors(ctx, form, "partners", "partner", &numbers(&sent.partners), errors);
    let rest = place_row_errors(ctx, form, "budget", "budget", &numbers(&sent.budget), rest);
    let rest = place_row_errors(ctx, form, "milestones", "milestone", &numbers(&sent.milestones), rest);
    let unplaced = place_errors(ctx, &mut [form], &rest);
    error_notice(ctx, error, &unplaced)
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    title: String,
    action: String,
    back: Link,
    sent: &Sent,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let mut page = PageView::new(title).intro(ctx.t("innovation-form-intro"));
    let mut form = project_form(state, ctx, action, sent).await?;
    let mut status = StatusCode::OK;
    if let Some(error) = &error
        && let Some((code, errors)) = form_errors(error)
    {
        status = code;
        page.push(Section::Notice(place_project_errors(ctx, &mut form, sent, error, errors)));
    }
    page.push(Section::Links(vec![back]));
    page.push(Section::Form(form));
    Ok(ctx.render_status(status, page))
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let sent = Sent {
        fields: InnovationFields::default(),
        partners: Vec::new(),
        budget: Vec::new(),
        milestones: Vec::new(),
        version: None,
    };
    let back = Link::new(ctx.t("innovation-back"), "/innovation");
    form_page(&state, &ctx, ctx.t("innovation-new"), "/innovation".into(), back, &sent, None).await
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, RawForm(body): RawForm) -> Result<Response, PageError> {
    let sent = read_form(&body);
    match state.app.create_innovation(ctx.actor()?, &sent.fields).await {
        Ok(innovation) => Ok(Redirect::to(&url(innovation.id)).into_response()),
        Err(error) if form_errors(&error).is_some() => {
            let back = Link::new(ctx.t("innovation-back"), "/innovation");
            form_page(&state, &ctx, ctx.t("innovation-new"), "/innovation".into(), back, &sent, Some(error)).await
        }
        Err(error) => Err(ctx.fail(error)),
    }
}

pub async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "innovation project")?;
    let detail = state.app.innovation(ctx.actor()?, id).await.map_err(|e| ctx.fail(e))?;
    if !detail.may_edit {
        return Err(ctx.fail(AppError::Forbidden("this project cannot be edited now".into())));
    }
    let title = ctx.t_args("innovation-edit", &[("name", detail.innovation.record.name.clone())]);
    let back = Link::new(ctx.t("innovation-back-project"), url(id));
    form_page(&state, &ctx, title, format!("/innovation/{id}/edit"), back, &sent_of(&detail.innovation), None).await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "innovation project")?;
    let sent = read_form(&body);
    match state.app.update_innovation(ctx.actor()?, id, sent.version, &sent.fields).await {
        Ok(innovation) => Ok(Redirect::to(&url(innovation.id)).into_response()),
        Err(error) if form_errors(&error).is_some() => {
            let title = ctx.t_args("innovation-edit", &[("name", sent.fields.name.clone().unwrap_or_default())]);
            let back = Link::new(ctx.t("innovation-back-project"), url(id));
            form_page(&state, &ctx, title, format!("/innovation/{id}/edit"), back, &sent, Some(error)).await
        }
        Err(error) => Err(ctx.fail(error)),
    }
}

// ---------------------------------------------------------------------------------
// The list.

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    overdue: Option<String>,
    page: Option<String>,
}

fn flags_text(ctx: &Ctx, overdue: bool, overdue_milestones: usize, past_end: bool) -> String {
    let mut parts = Vec::new();
    if overdue_milestones > 0 {
        parts.push(ctx.t_args("innovation-overdue-milestones", &[("n", overdue_milestones.to_string())]));
    }
    if past_end {
        parts.push(ctx.t("innovation-past-end"));
    }
    if overdue && parts.is_empty() {
        parts.push(ctx.t("innovation-overdue"));
    }
    parts.join("；")
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let page_number: i64 = super::page_number(query.page.as_deref());
    let status = match query.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => Some(InnovationStatus::parse(raw).ok_or_else(|| {
            ctx.fail(AppError::invalid(
                "status",
                "innovation.status",
                format!("expected one of {}", InnovationStatus::expected()),
            ))
        })?),
    };
    let overdue = query.overdue.as_deref() == Some("true");
    let app_query = InnovationQuery {
        search: query.q.clone(),
        status,
        overdue,
        limit: PER_PAGE,
        offset: (page_number - 1) * PER_PAGE,
        ..InnovationQuery::default()
    };
    let (items, total) = state.app.list_innovations(actor, &app_query).await.map_err(|e| ctx.fail(e))?;

    let mut page = PageView::new(ctx.t("innovation-title")).intro(ctx.t("innovation-intro"));
    if ctx.registers() {
        page.push(Section::Links(vec![Link::primary(ctx.t("innovation-new"), "/innovation/new")]));
    }
    let mut status_options = vec![(String::new(), ctx.t("any"))];
    status_options.extend(vocabulary_options(
        &ctx,
        InnovationStatus::ALL,
        "innovation-status",
        InnovationStatus::as_str,
    ));
    page.push(Section::Form(
        Form::get("/innovation", ctx.t("filter-apply"))
            .field(Field::new("q", ctx.t("filter-search"), "text").value(query.q.clone().unwrap_or_default()))
            .field(
                Field::new("status", ctx.t("innovation-status"), "select")
                    .options(status_options, &[query.status.clone().unwrap_or_default()]),
            )
            .field(Field::new("overdue", ctx.t("innovation-overdue-only"), "select").options(
                vec![(String::new(), ctx.t("any")), ("true".into(), ctx.t("innovation-overdue"))],
                &[query.overdue.clone().unwrap_or_default()],
            )),
    ));
    let rows = items
        .iter()
        .map(|s| {
            let i = &s.innovation;
            vec![
                Cell::link(i.record.name.clone(), url(i.id)),
                Cell::text(s.lead_name.clone()),
                Cell::text(i.record.partners.len().to_string()),
                Cell::text(money(s.budget_total_minor)),
                Cell::text(format!("{} – {}", format_date(i.record.starts_on), format_date(i.record.ends_on))),
                Cell::text(status_name(&ctx, i.status)),
                Cell::text(format!("{}%", s.flags.progress_percent)),
                Cell::text(flags_text(&ctx, s.flags.overdue, s.flags.overdue_milestones, s.flags.past_end)),
            ]
        })
        .collect();
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("innovation-name"),
            ctx.t("innovation-lead"),
            ctx.t("innovation-partners"),
            ctx.t("innovation-budget-total"),
            ctx.t("innovation-term"),
            ctx.t("innovation-status"),
            ctx.t("innovation-progress"),
            ctx.t("innovation-flags"),
        ],
        rows,
        empty: ctx.t("innovation-empty"),
    }));
    let link = |n: i64| {
        let pairs = [("q", &query.q), ("status", &query.status), ("overdue", &query.overdue)];
        format!("/innovation?{}", super::query_string(&pairs, &[("page", n.to_string())]))
    };
    page.push(Section::Pager(Pager::numbered(&ctx, page_number, total, PER_PAGE, link)));
    Ok(ctx.render(page))
}

// ---------------------------------------------------------------------------------
// One project.

/// A form sent again with its error.
enum Again {
    Complete { line: usize, completed_on: String, evidence: String },
    Status { status: String, reason: String },
}

fn completion_form(ctx: &Ctx, detail: &InnovationDetail, line: usize, completed_on: &str, evidence: &str) -> Form {
    Form::post(
        format!("/innovation/{}/milestones/{line}", detail.innovation.id),
        ctx.t("innovation-complete"),
        &ctx.csrf,
    )
    .field(Field::new("completed_on", ctx.t("innovation-milestone-completed"), "date").value(completed_on).required())
    .field(
        Field::new("evidence", ctx.t("innovation-milestone-evidence"), "text")
            .value(evidence)
            .required()
            .hint(ctx.t("hint-innovation-evidence")),
    )
    .field(Field::new("version", "", "hidden").value(detail.innovation.version.to_string()))
}

fn status_form(ctx: &Ctx, detail: &InnovationDetail, status: &str, reason: &str) -> Form {
    let options = detail.transitions.iter().map(|s| (s.as_str().to_owned(), status_name(ctx, *s))).collect::<Vec<_>>();
    Form::post(format!("/innovation/{}/status", detail.innovation.id), ctx.t("innovation-change-status"), &ctx.csrf)
        .field(Field::new("status", ctx.t("innovation-new-status"), "select").options(options, &[status.to_owned()]))
        .field(
            Field::new("reason", ctx.t("innovation-status-reason"), "text")
                .value(reason)
                .hint(ctx.t("hint-innovation-status-reason")),
        )
        .field(Field::new("version", "", "hidden").value(detail.innovation.version.to_string()))
}

fn milestone_state_name(ctx: &Ctx, state: MilestoneState) -> String {
    ctx.t(&key("innovation-milestone-state", state.as_str()))
}

fn detail_page(ctx: &Ctx, detail: &InnovationDetail, again: Option<(Again, AppError)>) -> Response {
    let i = &detail.innovation;
    let r = &i.record;
    let mut page = PageView::new(r.name.clone());
    let mut status_code = StatusCode::OK;
    let mut links = vec![Link::new(ctx.t("innovation-back"), "/innovation")];
    if detail.may_edit {
        links.insert(0, Link::primary(ctx.t("innovation-edit-link"), format!("/innovation/{}/edit", i.id)));
    }
    page.push(Section::Links(links));
    if detail.flags.overdue {
        page.push(Section::Notice(Notice::warning(flags_text(
            ctx,
            true,
            detail.flags.overdue_milestones,
            detail.flags.past_end,
        ))));
    }
    let mut facts = vec![
        (ctx.t("innovation-lead"), detail.lead_name.clone()),
        (ctx.t("innovation-status"), status_name(ctx, i.status)),
        (ctx.t("innovation-term"), format!("{} – {}", format_date(r.starts_on), format_date(r.ends_on))),
        (ctx.t("innovation-budget-total"), money(detail.budget_total_minor)),
        (
            ctx.t("innovation-progress"),
            format!(
                "{}%（{}/{}）",
                detail.flags.progress_percent,
                detail.flags.completed_milestones,
                r.milestones.len()
            ),
        ),
    ];
    if let Some(reason) = &i.status_reason {
        facts.push((ctx.t("innovation-status-reason"), reason.clone()));
    }
    if let Some(summary) = &r.summary {
        facts.push((ctx.t("innovation-summary"), summary.clone()));
    }
    page.push(Section::Facts(facts));

    page.push(Section::Heading(ctx.t("innovation-partners")));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("innovation-partner-name"),
            ctx.t("innovation-partner-kind"),
            ctx.t("innovation-partner-region"),
            ctx.t("innovation-partner-role"),
        ],
        rows: r
            .partners
            .iter()
            .zip(&detail.partner_region_names)
            .map(|(p, region)| {
                vec![
                    Cell::text(p.name.clone()),
                    Cell::text(ctx.t(&key("innovation-kind", p.kind.as_str()))),
                    Cell::text(format!("{region}（{}）", p.region_code)),
                    Cell::text(p.role.clone().unwrap_or_default()),
                ]
            })
            .collect(),
        empty: String::new(),
    }));

    page.push(Section::Heading(ctx.t("innovation-budget")));
    let mut budget_rows: Vec<Vec<Cell>> = r
        .budget
        .iter()
        .map(|b| {
            vec![
                Cell::text(ctx.t(&key("innovation-source", b.source.as_str()))),
                Cell::text(money(b.amount_minor)),
                Cell::text(b.note.clone().unwrap_or_default()),
            ]
        })
        .collect();
    budget_rows.push(vec![
        Cell::text(ctx.t("innovation-budget-total")),
        Cell::text(money(detail.budget_total_minor)),
        Cell::text(String::new()),
    ]);
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("innovation-budget-source"),
            ctx.t("innovation-budget-amount"),
            ctx.t("innovation-budget-note"),
        ],
        rows: budget_rows,
        empty: String::new(),
    }));

    page.push(Section::Heading(ctx.t("innovation-milestones")));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            "#".to_owned(),
            ctx.t("innovation-milestone-title"),
            ctx.t("innovation-milestone-due"),
            ctx.t("innovation-milestone-completed"),
            ctx.t("innovation-milestone-evidence"),
            ctx.t("innovation-milestone-state"),
        ],
        rows: r
            .milestones
            .iter()
            .zip(&detail.milestone_states)
            .enumerate()
            .map(|(index, (m, state))| {
                vec![
                    Cell::text((index + 1).to_string()),
                    Cell::text(m.title.clone()),
                    Cell::text(format_date(m.due_on)),
                    Cell::text(m.completed_on.map(format_date).unwrap_or_default()),
                    Cell::text(m.evidence.clone().unwrap_or_default()),
                    Cell::text(milestone_state_name(ctx, *state)),
                ]
            })
            .collect(),
        empty: String::new(),
    }));

    // Forms: record each open milestone; change the status.
    let mut failed = again;
    if detail.may_complete {
        for (index, m) in r.milestones.iter().enumerate() {
            if m.completed_on.is_some() {
                continue;
            }
            let line = index + 1;
            let mut form = match &failed {
                Some((Again::Complete { line: l, completed_on, evidence }, _)) if *l == line => {
                    completion_form(ctx, detail, line, completed_on, evidence)
                }
                _ => completion_form(ctx, detail, line, "", ""),
            };
            if let Some((Again::Complete { line: l, .. }, error)) = &failed
                && *l == line
                && let Some((code, errors)) = form_errors(error)
            {
                status_code = code;
                let unplaced = place_errors(ctx, &mut [&mut form], &errors);
                page.push(Section::Notice(error_notice(ctx, error, &unplaced)));
                failed = None;
            }
            page.push(Section::Heading(ctx.t_args("innovation-complete-title", &[("title", m.title.clone())])));
            page.push(Section::Form(form));
        }
    }
    if !detail.transitions.is_empty() {
        let mut form = match &failed {
            Some((Again::Status { status, reason }, _)) => status_form(ctx, detail, status, reason),
            _ => status_form(ctx, detail, "", ""),
        };
        if let Some((Again::Status { .. }, error)) = &failed
            && let Some((code, errors)) = form_errors(error)
        {
            status_code = code;
            let unplaced = place_errors(ctx, &mut [&mut form], &errors);
            page.push(Section::Notice(error_notice(ctx, error, &unplaced)));
        }
        page.push(Section::Heading(ctx.t("innovation-change-status")));
        page.push(Section::Form(form));
    }
    ctx.render_status(status_code, page)
}

pub async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "innovation project")?;
    let detail = state.app.innovation(ctx.actor()?, id).await.map_err(|e| ctx.fail(e))?;
    Ok(detail_page(&ctx, &detail, None))
}

/// A field of a urlencoded form, empty when absent.
fn value(map: &std::collections::HashMap<String, String>, name: &str) -> String {
    map.get(name).cloned().unwrap_or_default()
}

fn version_of(map: &std::collections::HashMap<String, String>) -> Option<i64> {
    value(map, "version").trim().parse().ok()
}

pub async fn complete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, line)): Path<(String, String)>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "innovation project")?;
    let line: usize = line.parse().map_err(|_| ctx.fail(AppError::NotFound { what: "milestone" }))?;
    let map = form_map(&body);
    let completed_on = value(&map, "completed_on");
    let evidence = value(&map, "evidence");
    let result = state
        .app
        .complete_milestone(
            ctx.actor()?,
            id,
            i64::try_from(line).unwrap_or(i64::MAX),
            version_of(&map),
            &Some(completed_on.clone()),
            &Some(evidence.clone()),
        )
        .await;
    match result {
        Ok(_) => Ok(Redirect::to(&url(id)).into_response()),
        Err(error) if form_errors(&error).is_some() => {
            let detail = state.app.innovation(ctx.actor()?, id).await.map_err(|e| ctx.fail(e))?;
            Ok(detail_page(&ctx, &detail, Some((Again::Complete { line, completed_on, evidence }, error))))
        }
        Err(error) => Err(ctx.fail(error)),
    }
}

pub async fn change_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "innovation project")?;
    let map = form_map(&body);
    let status = value(&map, "status");
    let reason = value(&map, "reason");
    let result =
        state.app.change_innovation_status(ctx.actor()?, id, version_of(&map), &status, Some(reason.as_str())).await;
    match result {
        Ok(_) => Ok(Redirect::to(&url(id)).into_response()),
        Err(error) if form_errors(&error).is_some() => {
            let detail = state.app.innovation(ctx.actor()?, id).await.map_err(|e| ctx.fail(e))?;
            Ok(detail_page(&ctx, &detail, Some((Again::Status { status, reason }, error))))
        }
        Err(error) => Err(ctx.fail(error)),
    }
}
