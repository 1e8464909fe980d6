//! Project pages: the list with search, stage filter and pages; the detail with its
//! facts, stage timeline and monthly reports; create and edit forms; recording a stage
//! event and starting a month's report. Scope is the app's: a project outside the
//! visitor's scope is answered like one that does not exist.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bridgehead_app::AppError;
use bridgehead_app::projects::{EventInput, ProjectDetail, today_in_china};
use bridgehead_domain::FieldError;
use bridgehead_domain::access::Role;
use bridgehead_domain::enterprise::{format_date, parse_flag};
use bridgehead_domain::money::format_major_units;
use bridgehead_domain::period::Period;
use bridgehead_domain::project::{CapitalSource, ProjectFields, ProjectType, ReportFields, ReportStatus, StageKind};
use bridgehead_store::projects::ProjectFilter;

use super::{Cell, Ctx, Field, Form, Link, Notice, PageError, PageView, Pager, Section, Table};
use crate::AppState;

const PER_PAGE: i64 = 25;
/// Investor rows a project form offers at least.
const INVESTOR_ROWS: usize = 3;
/// Investor rows a submitted form may carry at most.
const MAX_INVESTOR_ROWS: usize = 50;

// ---------------------------------------------------------------------------------
// Shared with the report pages.

/// The catalogue key of a vocabulary value: `prefix-value` with `_` as `-`.
pub(super) fn key(prefix: &str, value: &str) -> String {
    format!("{prefix}-{}", value.replace('_', "-"))
}

pub(super) fn stage_name(ctx: &Ctx, kind: StageKind) -> String {
    ctx.t(&key("stage", kind.as_str()))
}

pub(super) fn status_name(ctx: &Ctx, status: ReportStatus) -> String {
    ctx.t(&key("report-status", status.as_str()))
}

/// The steps a report's history records.
const REVIEW_ACTIONS: [&str; 8] =
    ["create", "submit", "approve_district", "return_district", "approve_city", "return_city", "correct", "supersede"];

/// A workflow action or history step, translated (unknown steps as stored).
pub(super) fn action_name(ctx: &Ctx, action: &str) -> String {
    if REVIEW_ACTIONS.contains(&action) { ctx.t(&key("report-action", action)) } else { action.to_owned() }
}

pub(super) fn money(minor: i64) -> String {
    format_major_units(minor)
}

pub(super) fn yes_no(ctx: &Ctx, value: bool) -> String {
    ctx.t(if value { "yes" } else { "no" })
}

/// Whether the visitor's role files monthly reports.
pub(super) fn files_reports(ctx: &Ctx) -> bool {
    ctx.role_is(&[Role::Administrator, Role::DistrictOfficer, Role::EnterpriseUser])
}

pub(super) fn parse_id(ctx: &Ctx, id: &str, what: &'static str) -> Result<i64, PageError> {
    id.parse().map_err(|_| ctx.fail(AppError::NotFound { what }))
}

/// A urlencoded body as a map (the last value of a repeated name wins).
pub(super) fn form_map(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The figures of a report form.
pub(super) fn figures_from(map: &HashMap<String, String>) -> ReportFields {
    let get = |name: &str| map.get(name).cloned();
    ReportFields {
        completed: get("completed"),
        equipment: get("equipment"),
        construction: get("construction"),
        employees: get("employees"),
        status_note: get("status_note"),
        warning_note: get("warning_note"),
    }
}

/// The figures of a stored report, as a form shows them.
pub(super) fn figures_of(figures: &bridgehead_domain::project::ReportFigures) -> ReportFields {
    ReportFields {
        completed: Some(money(figures.completed_minor)),
        equipment: Some(money(figures.equipment_minor)),
        construction: Some(money(figures.construction_minor)),
        employees: figures.employees.map(|n| n.to_string()),
        status_note: figures.status_note.clone(),
        warning_note: figures.warning_note.clone(),
    }
}

/// Adds the figure fields of a monthly report to `form`, filled with `fields`.
pub(super) fn with_figures(ctx: &Ctx, form: Form, fields: &ReportFields) -> Form {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    form.field(
        Field::new("completed", ctx.t("report-completed"), "text")
            .value(text(&fields.completed))
            .required()
            .hint(ctx.t("hint-yuan")),
    )
    .field(
        Field::new("equipment", ctx.t("report-equipment"), "text")
            .value(text(&fields.equipment))
            .hint(ctx.t("hint-yuan")),
    )
    .field(
        Field::new("construction", ctx.t("report-construction"), "text")
            .value(text(&fields.construction))
            .hint(ctx.t("hint-yuan")),
    )
    .field(Field::new("employees", ctx.t("report-employees"), "number").value(text(&fields.employees)))
    .field(Field::new("status_note", ctx.t("report-status-note"), "text").value(text(&fields.status_note)))
    .field(
        Field::new("warning_note", ctx.t("report-warning-note"), "text")
            .value(text(&fields.warning_note))
            .hint(ctx.t("hint-warning-note")),
    )
}

/// The status and field errors of a refused form; `None` for errors that are not the
/// form's (they become error pages).
pub(super) fn form_errors(error: &AppError) -> Option<(StatusCode, Vec<FieldError>)> {
    match error {
        AppError::Invalid(errors) => Some((StatusCode::UNPROCESSABLE_ENTITY, errors.0.clone())),
        AppError::Duplicate(error) => Some((StatusCode::CONFLICT, vec![error.clone()])),
        AppError::VersionMismatch { .. } => Some((StatusCode::CONFLICT, Vec::new())),
        _ => None,
    }
}

/// Puts each error next to its field in the first of `forms` that shows that field;
/// returns the translated messages of the others.
pub(super) fn place_errors(ctx: &Ctx, forms: &mut [&mut Form], errors: &[FieldError]) -> Vec<String> {
    let mut unplaced = Vec::new();
    for error in errors {
        let base = error.field.split('[').next().unwrap_or(&error.field);
        let shows = |form: &&mut &mut Form| form.fields.iter().any(|f| f.name == base && f.kind != "hidden");
        match forms.iter_mut().find(shows) {
            Some(form) => {
                form.attach_errors(ctx.lang, std::slice::from_ref(error));
            }
            None => unplaced.push(ctx.lang.error_message(error.code, &error.params, &error.message)),
        }
    }
    unplaced
}

/// The notice above a refused form.
pub(super) fn error_notice(ctx: &Ctx, error: &AppError, unplaced: &[String]) -> Notice {
    let mut text = if matches!(error, AppError::VersionMismatch { .. }) {
        ctx.t("error-version")
    } else {
        ctx.t("form-has-errors")
    };
    if !unplaced.is_empty() {
        text = format!("{text} {}", unplaced.join("; "));
    }
    Notice::error(text)
}

/// The region's name with its code.
pub(super) async fn region_label(state: &AppState, ctx: &Ctx, code: &str) -> Result<String, PageError> {
    let region = state.app.region(ctx.actor()?, code).await.ok().map(|(r, _, _)| r);
    Ok(region.map_or_else(
        || code.to_owned(),
        |r| format!("{}（{}）", ctx.lang.name(&r.name_zh, r.name_en.as_deref()), r.code),
    ))
}

// ---------------------------------------------------------------------------------
// The list.

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    stage: Option<String>,
    /// Only projects in this region or under it (the statistics drill down here).
    region: Option<String>,
    page: Option<String>,
}

fn list_link(query: &ListQuery, page: i64) -> String {
    let pairs = [("q", &query.q), ("stage", &query.stage), ("region", &query.region)];
    format!("/projects?{}", super::query_string(&pairs, &[("page", page.to_string())]))
}

fn stage_options(ctx: &Ctx, blank: Option<&str>) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> = blank.map(|b| (String::new(), ctx.t(b))).into_iter().collect();
    options.extend(StageKind::ALL.iter().map(|k| (k.as_str().to_owned(), stage_name(ctx, *k))));
    options
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let page_number: i64 = super::page_number(query.page.as_deref());
    let stage = match query.stage.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => Some(StageKind::parse(raw).ok_or_else(|| {
            ctx.fail(AppError::invalid("stage", "stage.kind", format!("expected one of {}", StageKind::expected())))
        })?),
    };
    let filter = ProjectFilter {
        search: query.q.clone().filter(|q| !q.trim().is_empty()),
        region_within: query.region.clone().map(|r| r.trim().to_owned()).filter(|r| !r.is_empty()),
        stage,
        limit: PER_PAGE,
        offset: (page_number - 1) * PER_PAGE,
        ..ProjectFilter::default()
    };
    let (items, total) = state.app.list_projects(actor, filter).await.map_err(|e| ctx.fail(e))?;
    let region_names: HashMap<String, String> = state
        .app
        .regions(
            actor,
            &bridgehead_store::reference::RegionFilter {
                within: actor.region_scope().map(ToOwned::to_owned),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| ctx.fail(e))?
        .into_iter()
        .map(|r| (r.code.clone(), ctx.lang.name(&r.name_zh, r.name_en.as_deref()).to_owned()))
        .collect();

    let mut page = PageView::new(ctx.t("projects-title")).intro(ctx.t("projects-intro"));
    let mut links = Vec::new();
    if ctx.registers() {
        links.push(Link::primary(ctx.t("projects-new"), "/projects/new"));
    }
    links.push(Link::new(ctx.t("nav-reports"), "/reports"));
    links.push(Link::new(ctx.t("reminders-title"), "/reports/reminders"));
    links.push(Link::new(ctx.t("project-files-title"), "/projects/files"));
    page.push(Section::Links(links));
    page.push(Section::Form(
        Form::get("/projects", ctx.t("filter-apply"))
            .field(Field::new("q", ctx.t("filter-search"), "text").value(query.q.clone().unwrap_or_default()))
            .field(
                Field::new("stage", ctx.t("project-stage"), "select")
                    .options(stage_options(&ctx, Some("any")), &[query.stage.clone().unwrap_or_default()]),
            )
            .field(
                Field::new("region", ctx.t("project-region"), "text").value(query.region.clone().unwrap_or_default()),
            ),
    ));
    let rows = items
        .iter()
        .map(|p| {
            let r = &p.record;
            vec![
                Cell::link(r.code.code.clone(), format!("/projects/{}", p.id)),
                Cell::link(ctx.lang.name(&r.name_zh, r.name_en.as_deref()).to_owned(), format!("/projects/{}", p.id)),
                Cell::text(
                    region_names.get(r.region_code.as_str()).cloned().unwrap_or_else(|| r.region_code.to_string()),
                ),
                Cell::text(stage_name(&ctx, p.state.label())),
                Cell::text(money(p.planned_total_cny_minor)),
                Cell::text(format_date(p.signed_on)),
            ]
        })
        .collect();
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("project-code"),
            ctx.t("field-name"),
            ctx.t("project-region"),
            ctx.t("project-stage"),
            ctx.t("project-planned-total-cny"),
            ctx.t("project-signed-on"),
        ],
        rows,
        empty: ctx.t("projects-empty"),
    }));
    page.push(Section::Pager(Pager::numbered(&ctx, page_number, total, PER_PAGE, |n| list_link(&query, n))));
    Ok(ctx.render(page))
}

// ---------------------------------------------------------------------------------
// Create and edit.

/// Parks and clusters a project form offers.
struct Choices {
    parks: Vec<(String, String)>,
    clusters: Vec<(String, String)>,
}

async fn choices(state: &AppState, ctx: &Ctx) -> Result<Choices, PageError> {
    let actor = ctx.actor()?;
    let mut parks = vec![(String::new(), ctx.t("not-given"))];
    parks.extend(
        state
            .app
            .parks(actor, actor.region_scope())
            .await
            .map_err(|e| ctx.fail(e))?
            .into_iter()
            .map(|p| (p.id.to_string(), ctx.lang.name(&p.name_zh, p.name_en.as_deref()).to_owned())),
    );
    let mut clusters = Vec::new();
    for taxonomy in state.app.cluster_taxonomies(actor).await.map_err(|e| ctx.fail(e))? {
        let full = state.app.cluster_taxonomy(actor, taxonomy.id).await.map_err(|e| ctx.fail(e))?;
        let system = ctx.lang.name(&full.name_zh, full.name_en.as_deref()).to_owned();
        clusters.extend(
            full.clusters
                .iter()
                .map(|c| (c.id.to_string(), format!("{system} · {}", ctx.lang.name(&c.name_zh, c.name_en.as_deref())))),
        );
    }
    Ok(Choices { parks, clusters })
}

fn flag_field(ctx: &Ctx, name: &str, label: &str, value: &Option<String>) -> Field {
    let chosen = value.as_deref().and_then(parse_flag).unwrap_or(false);
    Field::new(name, ctx.t(label), "select")
        .options(vec![("false".to_owned(), ctx.t("no")), ("true".to_owned(), ctx.t("yes"))], &[chosen.to_string()])
}

/// The create/edit form filled with `fields`; `signed_on` is asked only when registering.
fn project_form(
    ctx: &Ctx,
    action: String,
    fields: &ProjectFields,
    signed_on: Option<&str>,
    choices: &Choices,
    version: Option<i64>,
) -> Form {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let vocabulary = |prefix: &str, values: Vec<&'static str>| -> Vec<(String, String)> {
        values.into_iter().map(|v| (v.to_owned(), ctx.t(&key(prefix, v)))).collect()
    };
    let mut form = Form::post(action, ctx.t("save"), &ctx.csrf)
        .field(
            Field::new("code", ctx.t("project-code"), "text")
                .value(text(&fields.code))
                .required()
                .hint(ctx.t("hint-project-code")),
        )
        .field(Field::new("name_zh", ctx.t("field-name-zh"), "text").value(text(&fields.name_zh)).required())
        .field(Field::new("name_en", ctx.t("field-name-en"), "text").value(text(&fields.name_en)))
        .field(
            Field::new("region_code", ctx.t("project-region-code"), "text")
                .value(text(&fields.region_code))
                .required()
                .hint(ctx.t("hint-project-region")),
        )
        .field(
            Field::new("park_id", ctx.t("project-park"), "select")
                .options(choices.parks.clone(), &[text(&fields.park_id)]),
        )
        .field(
            Field::new("industry_code", ctx.t("field-industry-code"), "text")
                .value(text(&fields.industry_code))
                .hint(ctx.t("hint-project-industry")),
        )
        .field(Field::new("project_type", ctx.t("project-type"), "select").options(
            vocabulary("project-type", ProjectType::ALL.iter().map(|t| t.as_str()).collect()),
            &[fields.project_type.clone().unwrap_or_else(|| ProjectType::New.as_str().to_owned())],
        ))
        .field(Field::new("capital_source", ctx.t("project-capital-source"), "select").options(
            vocabulary("capital-source", CapitalSource::ALL.iter().map(|s| s.as_str()).collect()),
            &[fields.capital_source.clone().unwrap_or_else(|| CapitalSource::Domestic.as_str().to_owned())],
        ))
        .field(
            Field::new("source_country", ctx.t("project-source-country"), "text")
                .value(text(&fields.source_country))
                .hint(ctx.t("hint-source-country")),
        )
        .field(flag_field(ctx, "from_shanghai", "project-from-shanghai", &fields.from_shanghai))
        .field(flag_field(ctx, "fortune_global_500", "project-fortune-global-500", &fields.fortune_global_500))
        .field(flag_field(ctx, "central_soe", "project-central-soe", &fields.central_soe))
        .field(
            Field::new("planned_total", ctx.t("project-planned-total"), "text")
                .value(text(&fields.planned_total))
                .required()
                .hint(ctx.t("hint-planned-amount")),
        )
        .field(
            Field::new("planned_fixed_assets", ctx.t("project-planned-fixed-assets"), "text")
                .value(text(&fields.planned_fixed_assets))
                .hint(ctx.t("hint-planned-amount")),
        )
        .field(
            Field::new("planned_equipment", ctx.t("project-planned-equipment"), "text")
                .value(text(&fields.planned_equipment))
                .hint(ctx.t("hint-planned-amount")),
        )
        .field(
            Field::new("planned_currency", ctx.t("project-planned-currency"), "text")
                .value(fields.planned_currency.clone().unwrap_or_else(|| "CNY".to_owned()))
                .hint(ctx.t("hint-planned-currency")),
        );
    if let Some(signed_on) = signed_on {
        form = form.field(Field::new("signed_on", ctx.t("project-signed-on"), "date").value(signed_on).required());
    }
    form = form
        .field(
            Field::new("planned_start_on", ctx.t("project-planned-start-on"), "date")
                .value(text(&fields.planned_start_on)),
        )
        .field(
            Field::new("planned_production_on", ctx.t("project-planned-production-on"), "date")
                .value(text(&fields.planned_production_on)),
        );
    let rows = fields.investors.len().max(INVESTOR_ROWS);
    for n in 1..=rows {
        let (id, share) = fields.investors.get(n - 1).cloned().unwrap_or_default();
        let number = [("n", n.to_string())];
        let mut id_field = Field::new(&format!("investor_id_{n}"), ctx.t_args("project-investor-id", &number), "text")
            .value(id)
            .hint(ctx.t("hint-investor-id"));
        let mut share_field = Field::new(&format!("share_{n}"), ctx.t_args("project-investor-share", &number), "text")
            .value(share)
            .hint(ctx.t("hint-investor-share"));
        if n == 1 {
            id_field = id_field.required();
            share_field = share_field.required();
        }
        form = form.field(id_field).field(share_field);
    }
    if !choices.clusters.is_empty() {
        form = form.field(
            Field::new("cluster_ids", ctx.t("project-clusters"), "checkboxes")
                .options(choices.clusters.clone(), &fields.cluster_ids),
        );
    }
    if let Some(version) = version {
        form = form.field(Field::new("version", "", "hidden").value(version.to_string()));
    }
    form
}

/// Reads a urlencoded project form: investor rows `investor_id_N` / `share_N` (blank
/// rows skipped), clusters repeated. Returns the fields, the signing date and the version.
fn project_from_form(body: &[u8]) -> (ProjectFields, String, Option<i64>) {
    let mut fields = ProjectFields::default();
    let mut rows: BTreeMap<usize, (String, String)> = BTreeMap::new();
    let mut signed_on = String::new();
    let mut version = None;
    let row = |name: &str, prefix: &str| {
        name.strip_prefix(prefix).and_then(|n| n.parse::<usize>().ok()).filter(|n| (1..=MAX_INVESTOR_ROWS).contains(n))
    };
    for (key, value) in form_urlencoded::parse(body) {
        let value = value.into_owned();
        let slot = match key.as_ref() {
            "code" => &mut fields.code,
            "name_zh" => &mut fields.name_zh,
            "name_en" => &mut fields.name_en,
            "region_code" => &mut fields.region_code,
            "park_id" => &mut fields.park_id,
            "industry_code" => &mut fields.industry_code,
            "project_type" => &mut fields.project_type,
            "capital_source" => &mut fields.capital_source,
            "source_country" => &mut fields.source_country,
            "from_shanghai" => &mut fields.from_shanghai,
            "fortune_global_500" => &mut fields.fortune_global_500,
            "central_soe" => &mut fields.central_soe,
            "planned_total" => &mut fields.planned_total,
            "planned_fixed_assets" => &mut fields.planned_fixed_assets,
            "planned_equipment" => &mut fields.planned_equipment,
            "planned_currency" => &mut fields.planned_currency,
            "planned_start_on" => &mut fields.planned_start_on,
            "planned_production_on" => &mut fields.planned_production_on,
            "signed_on" => {
                signed_on = value;
                continue;
            }
            "version" => {
                version = value.parse().ok();
                continue;
            }
            "cluster_ids" => {
                if !value.trim().is_empty() {
                    fields.cluster_ids.push(value);
                }
                continue;
            }
            name => {
                if let Some(n) = row(name, "investor_id_") {
                    rows.entry(n).or_default().0 = value;
                } else if let Some(n) = row(name, "share_") {
                    rows.entry(n).or_default().1 = value;
                }
                continue;
            }
        };
        *slot = Some(value);
    }
    fields.investors =
        rows.into_values().filter(|(id, share)| !id.trim().is_empty() || !share.trim().is_empty()).collect();
    (fields, signed_on, version)
}

/// Errors about the investors, moved to the row they concern (the form numbers the
/// rows of `fields.investors` from 1).
fn investor_errors(errors: Vec<FieldError>, fields: &ProjectFields) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|mut error| {
            if error.field != "investors" {
                return error;
            }
            let value = error.value.as_deref().map(str::trim).unwrap_or_default().to_owned();
            let by_id = |last: bool| {
                let matches = |(_, (id, _)): &(usize, &(String, String))| id.trim() == value;
                if last {
                    fields.investors.iter().enumerate().rfind(matches).map(|(i, _)| i)
                } else {
                    fields.investors.iter().enumerate().find(matches).map(|(i, _)| i)
                }
            };
            let by_share = || fields.investors.iter().position(|(_, share)| share.trim() == value);
            error.field = match error.code {
                "project.share" => by_share().map_or("share_1".to_owned(), |i| format!("share_{}", i + 1)),
                "project.shares_total" => "share_1".to_owned(),
                code => by_id(code == "project.investor_twice")
                    .map_or("investor_id_1".to_owned(), |i| format!("investor_id_{}", i + 1)),
            };
            error
        })
        .collect()
}

fn form_page(ctx: &Ctx, title: String, mut form: Form, error: Option<&AppError>) -> (StatusCode, PageView) {
    let mut page = PageView::new(title);
    let mut status = StatusCode::OK;
    if let Some(error) = error
        && let Some((code, errors)) = form_errors(error)
    {
        status = code;
        let unplaced = place_errors(ctx, &mut [&mut form], &errors);
        page.push(Section::Notice(error_notice(ctx, error, &unplaced)));
    }
    page.push(Section::Form(form));
    (status, page)
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let choices = choices(&state, &ctx).await?;
    let mut fields = ProjectFields::default();
    if let Some(region) = ctx.actor()?.region_scope() {
        fields.region_code = Some(region.to_owned());
    }
    let form = project_form(&ctx, "/projects".to_owned(), &fields, Some(""), &choices, None);
    let (status, page) = form_page(&ctx, ctx.t("project-new-title"), form, None);
    Ok(ctx.render_status(status, page))
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, RawForm(body): RawForm) -> Result<Response, PageError> {
    let (fields, signed_on, _) = project_from_form(&body);
    match state.app.create_project(ctx.actor()?, &fields, &signed_on).await {
        Ok(project) => Ok(Redirect::to(&format!("/projects/{}", project.id)).into_response()),
        Err(error @ (AppError::Invalid(_) | AppError::Duplicate(_))) => {
            let choices = choices(&state, &ctx).await?;
            let form = project_form(&ctx, "/projects".to_owned(), &fields, Some(&signed_on), &choices, None);
            let error = remap_investors(error, &fields);
            let (status, page) = form_page(&ctx, ctx.t("project-new-title"), form, Some(&error));
            Ok(ctx.render_status(status, page))
        }
        Err(error) => Err(ctx.fail(error)),
    }
}

fn remap_investors(error: AppError, fields: &ProjectFields) -> AppError {
    match error {
        AppError::Invalid(errors) => {
            AppError::Invalid(bridgehead_domain::FieldErrors(investor_errors(errors.0, fields)))
        }
        other => other,
    }
}

pub async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "project")?;
    let detail = state.app.project(ctx.actor()?, id).await.map_err(|e| ctx.fail(e))?;
    let choices = choices(&state, &ctx).await?;
    let p = &detail.project;
    let form = project_form(&ctx, format!("/projects/{id}"), &p.record.to_fields(), None, &choices, Some(p.version));
    let title = ctx.t_args(
        "project-edit-title",
        &[("name", ctx.lang.name(&p.record.name_zh, p.record.name_en.as_deref()).to_owned())],
    );
    let (status, page) = form_page(&ctx, title, form, None);
    Ok(ctx.render_status(status, page))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "project")?;
    let (fields, _, version) = project_from_form(&body);
    match state.app.update_project(ctx.actor()?, id, version, &fields).await {
        Ok(_) => render_detail(&state, &ctx, id, StatusCode::OK, Extra::notice(Notice::success(ctx.t("saved")))).await,
        Err(error @ (AppError::Invalid(_) | AppError::Duplicate(_) | AppError::VersionMismatch { .. })) => {
            let choices = choices(&state, &ctx).await?;
            let form = project_form(&ctx, format!("/projects/{id}"), &fields, None, &choices, version);
            let error = remap_investors(error, &fields);
            let (status, page) = form_page(&ctx, ctx.t("project-edit"), form, Some(&error));
            Ok(ctx.render_status(status, page))
        }
        Err(error) => Err(ctx.fail(error)),
    }
}

// ---------------------------------------------------------------------------------
// The detail: facts, timeline, reports, and the forms to add to them.

/// What a detail page shows beyond the project: a notice, and forms sent back with
/// their values and errors.
#[derive(Default)]
struct Extra {
    notice: Option<Notice>,
    event: Option<Form>,
    report: Option<Form>,
}

impl Extra {
    fn notice(notice: Notice) -> Self {
        Self { notice: Some(notice), ..Self::default() }
    }
}

/// The names a detail page shows for the project's references.
struct Names {
    region: String,
    park: String,
    clusters: Vec<String>,
}

async fn names(state: &AppState, ctx: &Ctx, detail: &ProjectDetail) -> Result<Names, PageError> {
    let actor = ctx.actor()?;
    let r = &detail.project.record;
    let region = region_label(state, ctx, r.region_code.as_str()).await?;
    let park = match r.park_id {
        None => String::new(),
        Some(id) => state
            .app
            .park(actor, id)
            .await
            .map_or_else(|_| format!("#{id}"), |p| ctx.lang.name(&p.name_zh, p.name_en.as_deref()).to_owned()),
    };
    let mut clusters = Vec::new();
    if !r.cluster_ids.is_empty() {
        let choices = choices(state, ctx).await?;
        for id in &r.cluster_ids {
            let id = id.to_string();
            clusters.push(choices.clusters.iter().find(|(c, _)| *c == id).map_or(format!("#{id}"), |(_, l)| l.clone()));
        }
    }
    Ok(Names { region, park, clusters })
}

fn event_form(ctx: &Ctx, id: i64, input: &EventInput) -> Form {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    Form::post(format!("/projects/{id}/events"), ctx.t("event-record"), &ctx.csrf)
        .field(
            Field::new("kind", ctx.t("event-kind"), "select")
                .options(stage_options(ctx, None), std::slice::from_ref(&input.kind)),
        )
        .field(Field::new("occurred_on", ctx.t("event-date"), "date").value(input.occurred_on.clone()).required())
        .field(
            Field::new("phase", ctx.t("event-phase"), "number")
                .value(input.phase.map(|p| p.to_string()).unwrap_or_default())
                .hint(ctx.t("hint-event-phase")),
        )
        .field(
            Field::new("reason", ctx.t("event-reason"), "text")
                .value(text(&input.reason))
                .hint(ctx.t("hint-event-reason")),
        )
        .field(
            Field::new("increment", ctx.t("event-increment"), "text")
                .value(text(&input.increment))
                .hint(ctx.t("hint-event-increment")),
        )
}

fn report_form(ctx: &Ctx, id: i64, period: &str, fields: &ReportFields) -> Form {
    let form = Form::post(format!("/projects/{id}/reports"), ctx.t("report-create"), &ctx.csrf).field(
        Field::new("period", ctx.t("report-period"), "text").value(period).required().hint(ctx.t("hint-period")),
    );
    with_figures(ctx, form, fields)
}

/// Last month, the month usually reported.
pub(super) fn last_month() -> Period {
    Period::of_date(today_in_china()).previous()
}

fn detail_page(
    ctx: &Ctx,
    detail: &ProjectDetail,
    names: &Names,
    confirmations: &[bridgehead_domain::project::Confirmation],
    extra: Extra,
) -> PageView {
    let p = &detail.project;
    let r = &p.record;
    let mut page = PageView::new(ctx.lang.name(&r.name_zh, r.name_en.as_deref()).to_owned());
    if let Some(notice) = extra.notice {
        page.push(Section::Notice(notice));
    }
    let mut links = Vec::new();
    if ctx.registers() {
        links.push(Link::primary(ctx.t("project-edit"), format!("/projects/{}/edit", p.id)));
    }
    links.push(Link::new(ctx.t("projects-back"), "/projects"));
    page.push(Section::Links(links));
    let amount = |v: Option<i64>| v.map(|m| format!("{} {}", money(m), r.planned_currency)).unwrap_or_default();
    let date = |v: Option<time::Date>| v.map(format_date).unwrap_or_default();
    let conversion = match &p.conversion {
        Some((rate, on)) => ctx.t_args(
            "project-conversion-rate",
            &[("currency", r.planned_currency.to_string()), ("rate", rate.clone()), ("date", on.clone())],
        ),
        None => ctx.t("project-conversion-none"),
    };
    let investors: Vec<String> = r
        .investors
        .iter()
        .enumerate()
        .map(|(i, inv)| {
            let name = detail.investor_names.get(i).cloned().unwrap_or_default();
            format!("{name}（#{}）{}%", inv.enterprise_id, money(inv.share_bp))
        })
        .collect();
    page.push(Section::Facts(vec![
        (ctx.t("project-code"), r.code.code.clone()),
        (
            ctx.t("project-code-kind"),
            ctx.t(if r.code.national { "project-code-national" } else { "project-code-internal" }),
        ),
        (ctx.t("field-name-zh"), r.name_zh.clone()),
        (ctx.t("field-name-en"), r.name_en.clone().unwrap_or_default()),
        (ctx.t("project-region"), names.region.clone()),
        (ctx.t("project-park"), names.park.clone()),
        (ctx.t("field-industry-code"), r.industry_code.as_ref().map(ToString::to_string).unwrap_or_default()),
        (ctx.t("project-type"), ctx.t(&key("project-type", r.project_type.as_str()))),
        (ctx.t("project-capital-source"), ctx.t(&key("capital-source", r.capital_source.as_str()))),
        (ctx.t("project-source-country"), r.source_country.clone().unwrap_or_default()),
        (ctx.t("project-from-shanghai"), yes_no(ctx, r.from_shanghai)),
        (ctx.t("project-fortune-global-500"), yes_no(ctx, r.fortune_global_500)),
        (ctx.t("project-central-soe"), yes_no(ctx, r.central_soe)),
        (ctx.t("project-planned-total"), amount(Some(r.planned_total_minor))),
        (ctx.t("project-planned-fixed-assets"), amount(r.planned_fixed_assets_minor)),
        (ctx.t("project-planned-equipment"), amount(r.planned_equipment_minor)),
        (ctx.t("project-planned-total-cny"), money(p.planned_total_cny_minor)),
        (ctx.t("project-conversion"), conversion),
        (ctx.t("project-signed-on"), format_date(p.signed_on)),
        (ctx.t("project-planned-start-on"), date(r.planned_start_on)),
        (ctx.t("project-planned-production-on"), date(r.planned_production_on)),
        (ctx.t("project-stage"), stage_name(ctx, p.state.label())),
        (ctx.t("project-phase"), p.state.phase.to_string()),
        (ctx.t("project-started-on"), date(p.started_on)),
        (ctx.t("project-investors"), investors.join("；")),
        (ctx.t("project-clusters"), names.clusters.join("、")),
        (ctx.t("field-updated-at"), p.updated_at.clone()),
    ]));

    page.push(Section::Heading(ctx.t("timeline-title")));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("event-date"),
            ctx.t("event-phase"),
            ctx.t("event-kind"),
            ctx.t("event-reason"),
            ctx.t("event-increment"),
        ],
        rows: detail
            .events
            .iter()
            .map(|e| {
                vec![
                    Cell::text(format_date(e.occurred_on)),
                    Cell::text(e.phase.to_string()),
                    Cell::text(stage_name(ctx, e.kind)),
                    Cell::text(e.reason.clone().unwrap_or_default()),
                    Cell::text(e.increment_minor.map(money).unwrap_or_default()),
                ]
            })
            .collect(),
        empty: ctx.t("timeline-empty"),
    }));
    if ctx.registers() {
        page.push(Section::Heading(ctx.t("event-record")));
        let form = extra.event.unwrap_or_else(|| {
            let input = EventInput { phase: Some(p.state.phase), ..EventInput::default() };
            event_form(ctx, p.id, &input)
        });
        page.push(Section::Form(form));
    }

    page.push(Section::Heading(ctx.t("reports-of-project")));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("report-period"),
            ctx.t("report-revision"),
            ctx.t("report-status"),
            ctx.t("report-completed"),
            ctx.t("field-updated-at"),
            String::new(),
        ],
        rows: detail
            .reports
            .iter()
            .map(|report| {
                vec![
                    Cell::link(report.period.to_string(), format!("/reports/{}", report.id)),
                    Cell::text(report.revision.to_string()),
                    Cell::text(status_name(ctx, report.status)),
                    Cell::text(money(report.figures.completed_minor)),
                    Cell::text(report.updated_at.clone()),
                    Cell::link(ctx.t("report-open"), format!("/reports/{}", report.id)),
                ]
            })
            .collect(),
        empty: ctx.t("reports-of-project-empty"),
    }));
    if files_reports(ctx) {
        page.push(Section::Heading(ctx.t("report-new-title")));
        let form =
            extra.report.unwrap_or_else(|| report_form(ctx, p.id, &last_month().to_string(), &ReportFields::default()));
        page.push(Section::Form(form));
    }
    for section in super::confirmations::project_section(ctx, p.id, confirmations) {
        page.push(section);
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
    let detail = state.app.project(ctx.actor()?, id).await.map_err(|e| ctx.fail(e))?;
    let names = names(state, ctx, &detail).await?;
    let confirmations = state.app.confirmations_of_project(ctx.actor()?, id).await.map_err(|e| ctx.fail(e))?;
    Ok(ctx.render_status(status, detail_page(ctx, &detail, &names, &confirmations, extra)))
}

pub async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "project")?;
    render_detail(&state, &ctx, id, StatusCode::OK, Extra::default()).await
}

pub async fn record_event(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "project")?;
    let map = form_map(&body);
    let text = |name: &str| map.get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let phase_text = text("phase");
    let phase = phase_text.as_deref().map(str::parse::<i64>);
    let input = EventInput {
        kind: text("kind").unwrap_or_default(),
        occurred_on: text("occurred_on").unwrap_or_default(),
        phase: phase.clone().and_then(Result::ok),
        reason: text("reason"),
        increment: text("increment"),
    };
    let result = match phase {
        Some(Err(_)) => Err(AppError::Invalid(bridgehead_domain::FieldErrors(vec![
            FieldError::new("phase", "stage.phase", "a phase is a whole number")
                .with_value(phase_text.clone().unwrap_or_default()),
        ]))),
        _ => state.app.record_event(ctx.actor()?, id, &input).await,
    };
    match result {
        Ok(event) => {
            let text = ctx.t_args("event-recorded", &[("kind", stage_name(&ctx, event.kind))]);
            render_detail(&state, &ctx, id, StatusCode::OK, Extra::notice(Notice::success(text))).await
        }
        Err(error) => {
            let Some((status, errors)) = form_errors(&error) else {
                return Err(ctx.fail(error));
            };
            let mut form = event_form(&ctx, id, &input);
            if let Some(raw) = phase_text.filter(|_| input.phase.is_none())
                && let Some(field) = form.fields.iter_mut().find(|f| f.name == "phase")
            {
                field.value = raw;
            }
            let unplaced = place_errors(&ctx, &mut [&mut form], &errors);
            let extra = Extra { notice: Some(error_notice(&ctx, &error, &unplaced)), event: Some(form), report: None };
            render_detail(&state, &ctx, id, status, extra).await
        }
    }
}

pub async fn create_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "project")?;
    let map = form_map(&body);
    let period = map.get("period").cloned().unwrap_or_default();
    let fields = figures_from(&map);
    match state.app.create_report(ctx.actor()?, id, &period, &fields).await {
        Ok(report) => Ok(Redirect::to(&format!("/reports/{}", report.id)).into_response()),
        Err(error) => {
            let Some((status, errors)) = form_errors(&error) else {
                return Err(ctx.fail(error));
            };
            let mut form = report_form(&ctx, id, &period, &fields);
            let unplaced = place_errors(&ctx, &mut [&mut form], &errors);
            let extra = Extra { notice: Some(error_notice(&ctx, &error, &unplaced)), event: None, report: Some(form) };
            render_detail(&state, &ctx, id, status, extra).await
        }
    }
}
