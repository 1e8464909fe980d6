//! Imported-equipment tax-free confirmation pages: a new application for a project, an
//! application with its deadline, its equipment and the actions the visitor may take
//! (edit and submit a draft; confirm or refuse with reasons), and the printable list of
//! a confirmed application. Scope is the app's: an application of a project outside the
//! visitor's scope is answered like one that does not exist.

use std::collections::BTreeMap;

use super::grid::{GridColumn, Row, cell, form_pairs, grid, place_row_errors, read_rows};
use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bridgehead_app::AppError;
use bridgehead_app::confirmations::ConfirmationDetail;
use bridgehead_domain::FieldError;
use bridgehead_domain::enterprise::format_date;
use bridgehead_domain::project::{Confirmation, ConfirmationFields, ConfirmationStatus, EquipmentItemFields};
use bridgehead_domain::reference::RegionLevel;

use super::projects::{error_notice, files_reports, form_errors, key, money, parse_id, place_errors, region_label};
use super::{Cell, Ctx, Field, Form, Link, Notice, PageError, PageView, Section, Stamp, Table};
use crate::AppState;

/// Equipment rows a form offers at least.
const ITEM_ROWS: usize = 10;
/// Equipment rows a submitted form may carry at most (the domain's limit).
const MAX_ITEM_ROWS: usize = 5000;

/// The columns of an equipment row.
fn item_columns() -> [GridColumn; 6] {
    [
        GridColumn::text("name", "confirmation-item-name"),
        GridColumn::text("model", "confirmation-item-model"),
        GridColumn::text("hs_code", "confirmation-item-hs-code"),
        GridColumn::text("quantity", "confirmation-item-quantity"),
        GridColumn::text("unit_price", "confirmation-item-unit-price"),
        GridColumn::text("currency", "confirmation-item-currency"),
    ]
}

pub(super) fn status_name(ctx: &Ctx, status: ConfirmationStatus) -> String {
    ctx.t(&key("confirmation-status", status.as_str()))
}

fn confirmation_url(id: i64) -> String {
    format!("/confirmations/{id}")
}

fn equipment_url(id: i64, lang: &str) -> String {
    format!("/api/v1/confirmations/{id}/equipment?format=xlsx&lang={lang}")
}

fn date(value: Option<time::Date>) -> String {
    value.map(format_date).unwrap_or_default()
}

// ---------------------------------------------------------------------------------
// Reading and filling the application form.

/// An application form as sent: its fields, and for each item the form row it came from.
struct Sent {
    fields: ConfirmationFields,
    /// The item rows as sent, in order; `fields.items[i]` came from `items[i]`.
    items: Vec<Row>,
    version: Option<i64>,
}

impl Sent {
    fn rows(&self) -> Vec<usize> {
        self.items.iter().map(|(n, _)| *n).collect()
    }
}

/// Reads a urlencoded application form: `encouraged_category`, `documents` (one a
/// line), rows `item_{column}_{n}` (rows with nothing but a currency are skipped) and
/// `version`.
fn read_form(body: &[u8]) -> Sent {
    let pairs = form_pairs(body);
    let mut fields = ConfirmationFields::default();
    let mut version = None;
    for (name, value) in &pairs {
        match name.as_str() {
            "encouraged_category" => fields.encouraged_category = Some(value.clone()),
            "documents" => {
                fields.documents.extend(value.lines().map(str::trim).filter(|l| !l.is_empty()).map(ToOwned::to_owned));
            }
            "version" => version = value.trim().parse().ok(),
            _ => {}
        }
    }
    let items = read_rows(&pairs, "item", MAX_ITEM_ROWS, &["currency"]);
    fields.items = items
        .iter()
        .map(|(_, v)| EquipmentItemFields {
            name: cell(v, "name"),
            model: cell(v, "model"),
            hs_code: cell(v, "hs_code"),
            quantity: cell(v, "quantity"),
            unit_price: cell(v, "unit_price"),
            currency: cell(v, "currency"),
        })
        .collect();
    Sent { fields, items, version }
}

/// A stored application as its form shows it.
fn fields_of(confirmation: &Confirmation) -> ConfirmationFields {
    let record = &confirmation.record;
    ConfirmationFields {
        encouraged_category: Some(record.encouraged_category.clone()),
        documents: record.documents.clone(),
        items: record
            .items
            .iter()
            .map(|i| EquipmentItemFields {
                name: Some(i.name.clone()),
                model: i.model.clone(),
                hs_code: Some(i.hs_code.clone()),
                quantity: Some(i.quantity.to_string()),
                unit_price: Some(money(i.unit_price_minor)),
                currency: Some(i.currency.to_string()),
            })
            .collect(),
    }
}

/// The items of a stored application as form rows 1, 2, ….
fn item_rows(fields: &ConfirmationFields) -> Vec<Row> {
    fields
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let values = [
                ("name", &item.name),
                ("model", &item.model),
                ("hs_code", &item.hs_code),
                ("quantity", &item.quantity),
                ("unit_price", &item.unit_price),
                ("currency", &item.currency),
            ]
            .into_iter()
            .filter_map(|(column, value)| Some((column.to_owned(), value.clone()?)))
            .collect();
            (index + 1, values)
        })
        .collect()
}

/// The application form with the item `rows` in their places and blank rows, at least
/// [`ITEM_ROWS`] in all.
fn application_form(
    ctx: &Ctx,
    action: String,
    submit: String,
    fields: &ConfirmationFields,
    rows: &[Row],
    version: Option<i64>,
) -> Form {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let items = grid(
        ctx,
        "item",
        ctx.t("confirmation-items"),
        Some(ctx.t("hint-confirmation-items")),
        &item_columns(),
        rows,
        ITEM_ROWS,
    );
    let mut form = Form::post(action, submit, &ctx.csrf)
        .field(
            Field::new("encouraged_category", ctx.t("confirmation-category"), "text")
                .value(text(&fields.encouraged_category))
                .required()
                .hint(ctx.t("hint-confirmation-category")),
        )
        .field(
            Field::new("documents", ctx.t("confirmation-documents"), "textarea")
                .value(fields.documents.join("\n"))
                .hint(ctx.t("hint-confirmation-documents")),
        )
        .grid(items);
    if let Some(version) = version {
        form = form.field(Field::new("version", "", "hidden").value(version.to_string()));
    }
    form
}

/// Puts the errors of a refused application next to their fields: an item's error on
/// the form row that item came from, the list's on the grid, the others by name;
/// returns the translated messages of the errors no field shows.
fn place_application_errors(ctx: &Ctx, form: &mut Form, rows: &[usize], errors: &[FieldError]) -> Vec<String> {
    let rest = place_row_errors(ctx, form, "items", "item", rows, errors.to_vec());
    place_errors(ctx, &mut [form], &rest)
}

// ---------------------------------------------------------------------------------
// A new application.

/// The form of a new application: blank, or as sent with the error that refused it.
async fn new_page(
    state: &AppState,
    ctx: &Ctx,
    project_id: i64,
    sent: Option<(Sent, AppError)>,
) -> Result<Response, PageError> {
    let detail = state.app.project(ctx.actor()?, project_id).await.map_err(|e| ctx.fail(e))?;
    let r = &detail.project.record;
    let project_name = ctx.lang.name(&r.name_zh, r.name_en.as_deref()).to_owned();
    let mut page = PageView::new(ctx.t_args("confirmation-new-title", &[("project", project_name)]));
    let action = format!("/projects/{project_id}/confirmations");
    let (fields, items, error) = match sent {
        Some((sent, error)) => (sent.fields, sent.items, Some(error)),
        None => (ConfirmationFields::default(), Vec::new(), None),
    };
    let rows: Vec<usize> = items.iter().map(|(n, _)| *n).collect();
    let mut form = application_form(ctx, action, ctx.t("save"), &fields, &items, None);
    let mut status = StatusCode::OK;
    if let Some(error) = &error
        && let Some((code, errors)) = form_errors(error)
    {
        status = code;
        let unplaced = place_application_errors(ctx, &mut form, &rows, &errors);
        page.push(Section::Notice(error_notice(ctx, error, &unplaced)));
    }
    page.push(Section::Links(vec![Link::new(ctx.t("confirmation-back-project"), format!("/projects/{project_id}"))]));
    page.push(Section::Facts(vec![(ctx.t("project-code"), r.code.code.clone())]));
    page.push(Section::Form(form));
    Ok(ctx.render_status(status, page))
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "project")?;
    new_page(&state, &ctx, id, None).await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "project")?;
    let sent = read_form(&body);
    match state.app.create_confirmation(ctx.actor()?, id, &sent.fields).await {
        Ok(confirmation) => Ok(Redirect::to(&confirmation_url(confirmation.id)).into_response()),
        Err(error) if form_errors(&error).is_some() => new_page(&state, &ctx, id, Some((sent, error))).await,
        Err(error) => Err(ctx.fail(error)),
    }
}

// ---------------------------------------------------------------------------------
// One application.

/// The form a visitor sent, to show again with its values and errors.
enum Again {
    Edit(Sent),
    Reject(String),
}

/// What an application page shows beyond the application.
#[derive(Default)]
struct Extra {
    notice: Option<Notice>,
    again: Option<Again>,
    /// The error the notice explains, with its field errors.
    error: Option<(AppError, Vec<FieldError>)>,
}

impl Extra {
    fn notice(notice: Notice) -> Self {
        Self { notice: Some(notice), ..Self::default() }
    }
}

/// Sums of the items' totals by currency (saturating: a page never fails on a sum).
fn totals(confirmation: &Confirmation) -> BTreeMap<String, i64> {
    let mut totals = BTreeMap::new();
    for item in &confirmation.record.items {
        let sum: &mut i64 = totals.entry(item.currency.to_string()).or_default();
        *sum = sum.saturating_add(item.total_minor);
    }
    totals
}

fn totals_text(confirmation: &Confirmation) -> String {
    totals(confirmation)
        .iter()
        .map(|(currency, sum)| format!("{} {currency}", money(*sum)))
        .collect::<Vec<_>>()
        .join("；")
}

/// The items with a total line per currency.
fn items_table(ctx: &Ctx, confirmation: &Confirmation) -> Table {
    let mut rows: Vec<Vec<Cell>> = confirmation
        .record
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            vec![
                Cell::text((index + 1).to_string()),
                Cell::text(item.name.clone()),
                Cell::text(item.model.clone().unwrap_or_default()),
                Cell::text(item.hs_code.clone()),
                Cell::text(item.quantity.to_string()),
                Cell::text(money(item.unit_price_minor)),
                Cell::text(item.currency.to_string()),
                Cell::text(money(item.total_minor)),
            ]
        })
        .collect();
    for (currency, sum) in totals(confirmation) {
        let quantity: i64 = confirmation
            .record
            .items
            .iter()
            .filter(|i| i.currency.as_str() == currency)
            .fold(0, |acc, i| acc.saturating_add(i.quantity));
        rows.push(vec![
            Cell::text(ctx.t("confirmation-total")),
            Cell::text(String::new()),
            Cell::text(String::new()),
            Cell::text(String::new()),
            Cell::text(quantity.to_string()),
            Cell::text(String::new()),
            Cell::text(currency),
            Cell::text(money(sum)),
        ]);
    }
    Table {
        caption: None,
        columns: vec![
            ctx.t("confirmation-item-line"),
            ctx.t("confirmation-item-name"),
            ctx.t("confirmation-item-model"),
            ctx.t("confirmation-item-hs-code"),
            ctx.t("confirmation-item-quantity"),
            ctx.t("confirmation-item-unit-price"),
            ctx.t("confirmation-item-currency"),
            ctx.t("confirmation-item-total"),
        ],
        rows,
        empty: ctx.t("confirmation-no-items-listed"),
    }
}

fn decision_form(ctx: &Ctx, id: i64, decision: &str, reasons: &str) -> Form {
    let submit = ctx.t(if decision == "approve" { "confirmation-approve" } else { "confirmation-reject" });
    let mut form = Form::post(format!("/confirmations/{id}/decision"), submit, &ctx.csrf)
        .field(Field::new("decision", "", "hidden").value(decision));
    if decision == "reject" {
        form = form.field(
            Field::new("reasons", ctx.t("confirmation-reject-reasons"), "text")
                .value(reasons)
                .required()
                .hint(ctx.t("hint-confirmation-reject-reasons")),
        );
    }
    form
}

fn detail_page(ctx: &Ctx, detail: &ConfirmationDetail, extra: Extra) -> PageView {
    let c = &detail.confirmation;
    let project = &detail.project;
    let project_name = ctx.lang.name(&project.record.name_zh, project.record.name_en.as_deref()).to_owned();
    let mut page = PageView::new(ctx.t_args("confirmation-title", &[("id", c.id.to_string())]));

    // The forms first, so that the errors can be placed before the page is laid out.
    let mut edit = detail.may_edit.then(|| match &extra.again {
        Some(Again::Edit(sent)) => application_form(
            ctx,
            confirmation_url(c.id),
            ctx.t("save"),
            &sent.fields,
            &sent.items,
            Some(sent.version.unwrap_or(c.version)),
        ),
        _ => {
            let fields = fields_of(c);
            application_form(ctx, confirmation_url(c.id), ctx.t("save"), &fields, &item_rows(&fields), Some(c.version))
        }
    });
    let submit = detail
        .may_edit
        .then(|| Form::post(format!("/confirmations/{}/submit", c.id), ctx.t("confirmation-submit"), &ctx.csrf));
    let approve = detail.may_decide.then(|| decision_form(ctx, c.id, "approve", ""));
    let mut reject = detail.may_decide.then(|| {
        let reasons = match &extra.again {
            Some(Again::Reject(reasons)) => reasons.as_str(),
            _ => "",
        };
        decision_form(ctx, c.id, "reject", reasons)
    });
    let mut notice = extra.notice;
    if let Some((error, errors)) = &extra.error {
        let unplaced = match (&extra.again, edit.as_mut(), reject.as_mut()) {
            (Some(Again::Edit(sent)), Some(form), _) => place_application_errors(ctx, form, &sent.rows(), errors),
            (Some(Again::Reject(_)), _, Some(form)) => place_errors(ctx, &mut [form], errors),
            _ => errors.iter().map(|e| ctx.lang.error_message(e.code, &e.params, &e.message)).collect(),
        };
        notice = Some(error_notice(ctx, error, &unplaced));
    }
    if let Some(notice) = notice {
        page.push(Section::Notice(notice));
    }
    if detail.overdue {
        page.push(Section::Notice(Notice::warning(
            ctx.t_args("confirmation-overdue-notice", &[("due", date(c.due_on))]),
        )));
    }

    let mut links = vec![
        Link::new(ctx.t("confirmation-back-project"), format!("/projects/{}", project.id)),
        Link::new(ctx.t("confirmation-download-zh"), equipment_url(c.id, "zh")),
        Link::new(ctx.t("confirmation-download-en"), equipment_url(c.id, "en")),
    ];
    if c.status == ConfirmationStatus::Approved {
        links.insert(0, Link::primary(ctx.t("confirmation-print"), format!("/confirmations/{}/print", c.id)));
    }
    page.push(Section::Links(links));

    let days_left = detail.working_days_left.map_or_else(String::new, |days| {
        if days >= 0 {
            ctx.t_args("confirmation-days-left-value", &[("days", days.to_string())])
        } else {
            ctx.t_args("confirmation-days-overdue-value", &[("days", (-days).to_string())])
        }
    });
    let mut facts = vec![
        (ctx.t("project-name"), project_name),
        (ctx.t("project-code"), project.record.code.code.clone()),
        (ctx.t("confirmation-status"), status_name(ctx, c.status)),
        (ctx.t("confirmation-category"), c.record.encouraged_category.clone()),
        (ctx.t("confirmation-documents"), c.record.documents.join("；")),
        (ctx.t("confirmation-items-count"), c.record.items.len().to_string()),
        (ctx.t("confirmation-totals"), totals_text(c)),
        (ctx.t("confirmation-submitted-on"), date(c.submitted_on)),
        (ctx.t("confirmation-due-on"), date(c.due_on)),
    ];
    if c.status == ConfirmationStatus::Submitted {
        facts.push((ctx.t("confirmation-days-left"), days_left));
        facts.push((ctx.t("confirmation-overdue"), super::projects::yes_no(ctx, detail.overdue)));
    }
    facts.push((ctx.t("confirmation-decided-on"), date(c.decided_on)));
    facts.push((ctx.t("confirmation-number"), c.confirmation_number.clone().unwrap_or_default()));
    if c.status == ConfirmationStatus::Rejected {
        facts.push((ctx.t("confirmation-rejection-reasons"), c.rejection_reasons.clone().unwrap_or_default()));
    }
    facts.push((ctx.t("field-updated-at"), c.updated_at.clone()));
    page.push(Section::Facts(facts));

    if approve.is_some() || reject.is_some() {
        page.push(Section::Heading(ctx.t("confirmation-decision-title")));
        for form in [approve, reject].into_iter().flatten() {
            page.push(Section::Form(form));
        }
    }
    if let Some(submit) = submit {
        page.push(Section::Heading(ctx.t("confirmation-submit")));
        page.push(Section::Form(submit));
    }

    page.push(Section::Heading(ctx.t("confirmation-items")));
    page.push(Section::Table(items_table(ctx, c)));

    if let Some(edit) = edit {
        page.push(Section::Heading(ctx.t("confirmation-edit-title")));
        page.push(Section::Form(edit));
    }
    page
}

async fn render_detail(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    status: StatusCode,
    extra: Extra,
) -> Result<Response, PageError> {
    let detail = state.app.confirmation(ctx.actor()?, id).await.map_err(|e| ctx.fail(e))?;
    Ok(ctx.render_status(status, detail_page(ctx, &detail, extra)))
}

/// The page after a refused form: the application with the form sent back, or the error
/// page for errors that are not the form's.
async fn refused(state: &AppState, ctx: &Ctx, id: i64, error: AppError, again: Again) -> Result<Response, PageError> {
    let Some((status, errors)) = form_errors(&error) else {
        return Err(ctx.fail(error));
    };
    let extra = Extra { notice: None, again: Some(again), error: Some((error, errors)) };
    render_detail(state, ctx, id, status, extra).await
}

pub async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "confirmation")?;
    render_detail(&state, &ctx, id, StatusCode::OK, Extra::default()).await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "confirmation")?;
    let sent = read_form(&body);
    match state.app.update_confirmation(ctx.actor()?, id, sent.version, &sent.fields).await {
        Ok(_) => render_detail(&state, &ctx, id, StatusCode::OK, Extra::notice(Notice::success(ctx.t("saved")))).await,
        Err(error) => refused(&state, &ctx, id, error, Again::Edit(sent)).await,
    }
}

pub async fn submit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "confirmation")?;
    match state.app.submit_confirmation(ctx.actor()?, id).await {
        Ok(confirmation) => {
            let text = ctx.t_args("confirmation-submitted", &[("due", date(confirmation.due_on))]);
            render_detail(&state, &ctx, id, StatusCode::OK, Extra::notice(Notice::success(text))).await
        }
        Err(error) => {
            let Some((status, errors)) = form_errors(&error) else {
                return Err(ctx.fail(error));
            };
            let extra = Extra { error: Some((error, errors)), ..Extra::default() };
            render_detail(&state, &ctx, id, status, extra).await
        }
    }
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "confirmation")?;
    let map = super::projects::form_map(&body);
    let reasons = map.get("reasons").cloned().unwrap_or_default();
    let approve = match map.get("decision").map(|d| d.trim()) {
        Some("approve") => true,
        Some("reject") => false,
        other => {
            let error = AppError::Invalid(
                FieldError::new("decision", "confirmation.decision", "expected approve or reject")
                    .with_value(other.unwrap_or_default())
                    .into(),
            );
            return refused(&state, &ctx, id, error, Again::Reject(reasons)).await;
        }
    };
    match state.app.decide_confirmation(ctx.actor()?, id, approve, Some(&reasons)).await {
        Ok(confirmation) => {
            let text = match &confirmation.confirmation_number {
                Some(number) => ctx.t_args("confirmation-approved", &[("number", number.clone())]),
                None => ctx.t("confirmation-rejected"),
            };
            render_detail(&state, &ctx, id, StatusCode::OK, Extra::notice(Notice::success(text))).await
        }
        Err(error) => refused(&state, &ctx, id, error, Again::Reject(reasons)).await,
    }
}

// ---------------------------------------------------------------------------------
// The printable list.

/// The authority that confirms: the city's bureau for the city the project lies in.
async fn authority(state: &AppState, ctx: &Ctx, region_code: &str) -> Result<String, PageError> {
    let actor = ctx.actor()?;
    let city = match state.app.region(actor, region_code).await {
        Ok((region, lineage, _)) => std::iter::once(region)
            .chain(lineage)
            .find(|r| r.level == RegionLevel::City)
            .map(|r| ctx.lang.name(&r.name_zh, r.name_en.as_deref()).to_owned()),
        Err(_) => None,
    };
    let city = match city {
        Some(city) => city,
        None => region_label(state, ctx, region_code).await?,
    };
    Ok(ctx.t_args("confirmation-authority", &[("city", city)]))
}

pub async fn print(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "confirmation")?;
    let actor = ctx.actor()?;
    let detail = state.app.confirmation(actor, id).await.map_err(|e| ctx.fail(e))?;
    let c = &detail.confirmation;
    let (Some(number), ConfirmationStatus::Approved) = (c.confirmation_number.clone(), c.status) else {
        return Err(ctx.fail(AppError::invalid(
            "status",
            "confirmation.not_approved",
            "only a confirmed application has a list to print",
        )));
    };
    let project = state.app.project(actor, c.project_id).await.map_err(|e| ctx.fail(e))?;
    let r = &project.project.record;
    let region = region_label(&state, &ctx, r.region_code.as_str()).await?;
    let authority = authority(&state, &ctx, r.region_code.as_str()).await?;

    let mut page =
        PageView::new(ctx.t("confirmation-print-title")).intro(ctx.t("confirmation-print-intro")).printable();
    page.push(Section::Links(vec![Link::new(ctx.t("confirmation-back"), confirmation_url(c.id))]));
    page.push(Section::Facts(vec![
        (ctx.t("confirmation-number"), number.clone()),
        (ctx.t("project-name"), ctx.lang.name(&r.name_zh, r.name_en.as_deref()).to_owned()),
        (ctx.t("project-code"), r.code.code.clone()),
        (ctx.t("confirmation-project-investors"), project.investor_names.join("；")),
        (ctx.t("project-region"), region),
        (ctx.t("confirmation-category"), c.record.encouraged_category.clone()),
        (ctx.t("confirmation-totals"), totals_text(c)),
    ]));
    page.push(Section::Heading(ctx.t("confirmation-items")));
    page.push(Section::Table(items_table(&ctx, c)));
    page.push(Section::Stamp(Stamp {
        authority,
        lines: vec![
            (ctx.t("confirmation-stamp-number"), number),
            (ctx.t("confirmation-stamp-date"), date(c.decided_on)),
        ],
        seal: ctx.t("confirmation-stamp-seal"),
    }));
    Ok(ctx.render(page))
}

/// The applications of a project, for its page.
pub(super) fn project_section(ctx: &Ctx, project_id: i64, list: &[Confirmation]) -> Vec<Section> {
    let mut sections = vec![Section::Heading(ctx.t("confirmations-of-project"))];
    if files_reports(ctx) {
        sections.push(Section::Links(vec![Link::primary(
            ctx.t("confirmation-new"),
            format!("/projects/{project_id}/confirmations/new"),
        )]));
    }
    sections.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("confirmation-number"),
            ctx.t("confirmation-status"),
            ctx.t("confirmation-category"),
            ctx.t("confirmation-items-count"),
            ctx.t("confirmation-submitted-on"),
            ctx.t("confirmation-due-on"),
            String::new(),
        ],
        rows: list
            .iter()
            .map(|c| {
                let label = c.confirmation_number.clone().unwrap_or_else(|| format!("#{}", c.id));
                vec![
                    Cell::link(label, confirmation_url(c.id)),
                    Cell::text(status_name(ctx, c.status)),
                    Cell::text(c.record.encouraged_category.clone()),
                    Cell::text(c.record.items.len().to_string()),
                    Cell::text(date(c.submitted_on)),
                    Cell::text(date(c.due_on)),
                    Cell::link(ctx.t("confirmation-open"), confirmation_url(c.id)),
                ]
            })
            .collect(),
        empty: ctx.t("confirmations-of-project-empty"),
    }));
    sections
}
