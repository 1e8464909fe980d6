//! Reference data pages: regions, industries, parks, cluster systems, tags,
//! currencies and exchange rates, and the credit-code check.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bridgehead_app::AppError;
use bridgehead_app::reference::ParkInput;
use bridgehead_domain::codes::IndustryLevel;
use bridgehead_domain::reference::ParkLevel;
use bridgehead_io::FileFormat;
use bridgehead_store::reference::RegionFilter;
use serde::Deserialize;

use super::{Cell, Ctx, Field, Form, Link, Notice, PageError, PageView, Pager, Section, Table};
use crate::AppState;

fn level_name(ctx: &Ctx, level: &str) -> String {
    ctx.t(&format!("level-{level}"))
}

#[derive(Debug, Deserialize, Default)]
pub struct SearchQuery {
    q: Option<String>,
    level: Option<String>,
    page: Option<String>,
}

pub async fn regions(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let search = query.q.clone().filter(|q| !q.trim().is_empty());
    let regions =
        state.app.regions(actor, &RegionFilter { search, ..RegionFilter::default() }).await.map_err(|e| ctx.fail(e))?;
    let groups = state.app.region_groups(actor).await.map_err(|e| ctx.fail(e))?;
    let mut page = PageView::new(ctx.t("regions-title")).intro(ctx.t("regions-intro"));
    page.push(Section::Form(
        Form::get("/reference/regions", ctx.t("filter-apply"))
            .field(Field::new("q", ctx.t("filter-search"), "text").value(query.q.clone().unwrap_or_default())),
    ));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![ctx.t("field-code"), ctx.t("field-name"), ctx.t("field-level"), ctx.t("field-parent")],
        rows: regions
            .iter()
            .map(|r| {
                vec![
                    Cell::link(r.code.clone(), format!("/reference/regions/{}", r.code)),
                    Cell::text(ctx.lang.name(&r.name_zh, r.name_en.as_deref()).to_owned()),
                    Cell::text(level_name(&ctx, r.level.as_str())),
                    Cell::text(r.parent_code.clone().unwrap_or_default()),
                ]
            })
            .collect(),
        empty: ctx.t("empty-search"),
    }));
    page.push(Section::Heading(ctx.t("region-groups-title")));
    for group in &groups {
        page.push(Section::Facts(vec![
            (ctx.t("field-name"), ctx.lang.name(&group.name_zh, group.name_en.as_deref()).to_owned()),
            (ctx.t("region-group-members"), group.members.join(", ")),
        ]));
    }
    Ok(ctx.render(page))
}

pub async fn region(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let (region, ancestors, children) = state.app.region(actor, &code).await.map_err(|e| ctx.fail(e))?;
    let parks = state.app.parks(actor, Some(&code)).await.map_err(|e| ctx.fail(e))?;
    let mut page = PageView::new(ctx.lang.name(&region.name_zh, region.name_en.as_deref()).to_owned());
    let lineage: Vec<String> =
        ancestors.iter().map(|a| ctx.lang.name(&a.name_zh, a.name_en.as_deref()).to_owned()).collect();
    page.push(Section::Facts(vec![
        (ctx.t("field-code"), region.code.clone()),
        (ctx.t("field-name-zh"), region.name_zh.clone()),
        (ctx.t("field-name-en"), region.name_en.clone().unwrap_or_default()),
        (ctx.t("field-level"), level_name(&ctx, region.level.as_str())),
        (ctx.t("region-lineage"), lineage.join(" › ")),
    ]));
    page.push(Section::Heading(ctx.t("region-children")));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![ctx.t("field-code"), ctx.t("field-name"), ctx.t("field-level")],
        rows: children
            .iter()
            .map(|r| {
                vec![
                    Cell::link(r.code.clone(), format!("/reference/regions/{}", r.code)),
                    Cell::text(ctx.lang.name(&r.name_zh, r.name_en.as_deref()).to_owned()),
                    Cell::text(level_name(&ctx, r.level.as_str())),
                ]
            })
            .collect(),
        empty: ctx.t("region-no-children"),
    }));
    page.push(Section::Heading(ctx.t("parks-title")));
    page.push(Section::Table(park_table(&ctx, &parks)));
    if ctx.sees_registry() {
        page.push(Section::Links(vec![Link::new(
            ctx.t("region-enterprises"),
            format!("/enterprises?region={}", region.code),
        )]));
    }
    Ok(ctx.render(page))
}

fn park_table(ctx: &Ctx, parks: &[bridgehead_domain::reference::Park]) -> Table {
    Table {
        caption: None,
        columns: vec![ctx.t("field-name"), ctx.t("field-region-code"), ctx.t("field-level")],
        rows: parks
            .iter()
            .map(|p| {
                vec![
                    Cell::text(ctx.lang.name(&p.name_zh, p.name_en.as_deref()).to_owned()),
                    Cell::link(p.region_code.clone(), format!("/reference/regions/{}", p.region_code)),
                    Cell::text(ctx.t(&format!("park-level-{}", p.level.as_str()))),
                ]
            })
            .collect(),
        empty: ctx.t("parks-empty"),
    }
}

pub async fn industries(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<SearchQuery>,
) -> Result<Response, PageError> {
    const PER_PAGE: i64 = 50;
    let actor = ctx.actor()?;
    let level = query.level.as_deref().and_then(IndustryLevel::parse);
    let page_number: i64 =
        query.page.as_deref().and_then(|p| p.parse().ok()).filter(|p| (1..=10_000).contains(p)).unwrap_or(1);
    let search = query.q.clone().filter(|q| !q.trim().is_empty());
    let (items, total) = state
        .app
        .industries(actor, level, None, search, PER_PAGE, (page_number - 1) * PER_PAGE)
        .await
        .map_err(|e| ctx.fail(e))?;
    let mut page = PageView::new(ctx.t("industries-title")).intro(ctx.t("industries-intro"));
    let levels: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("any")))
        .chain(["section", "division", "group", "class"].iter().map(|l| ((*l).to_owned(), level_name(&ctx, l))))
        .collect();
    page.push(Section::Form(
        Form::get("/reference/industries", ctx.t("filter-apply"))
            .field(Field::new("q", ctx.t("filter-search"), "text").value(query.q.clone().unwrap_or_default()))
            .field(
                Field::new("level", ctx.t("field-level"), "select")
                    .options(levels, &[query.level.clone().unwrap_or_default()]),
            ),
    ));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![ctx.t("field-code"), ctx.t("field-name"), ctx.t("field-level"), ctx.t("field-parent")],
        rows: items
            .iter()
            .map(|i| {
                vec![
                    Cell::text(i.code.clone()),
                    Cell::text(ctx.lang.name(&i.name_zh, i.name_en.as_deref()).to_owned()),
                    Cell::text(level_name(&ctx, i.level.as_str())),
                    Cell::text(i.parent_code.clone().unwrap_or_default()),
                ]
            })
            .collect(),
        empty: ctx.t("empty-search"),
    }));
    let link = |n: i64| {
        let pairs = [("q", &query.q), ("level", &query.level)];
        format!("/reference/industries?{}", super::query_string(&pairs, &[("page", n.to_string())]))
    };
    page.push(Section::Pager(Pager::numbered(&ctx, page_number, total, PER_PAGE, link)));
    Ok(ctx.render(page))
}

fn park_form(ctx: &Ctx, input: &ParkInput) -> Form {
    let levels =
        ParkLevel::ALL.iter().map(|l| (l.as_str().to_owned(), ctx.t(&format!("park-level-{}", l.as_str())))).collect();
    Form::post("/reference/parks", ctx.t("parks-create"), &ctx.csrf)
        .field(
            Field::new("name_zh", ctx.t("field-name-zh"), "text")
                .value(input.name_zh.clone().unwrap_or_default())
                .required(),
        )
        .field(Field::new("name_en", ctx.t("field-name-en"), "text").value(input.name_en.clone().unwrap_or_default()))
        .field(
            Field::new("region_code", ctx.t("field-region-code"), "text")
                .value(input.region_code.clone().unwrap_or_default())
                .required(),
        )
        .field(
            Field::new("level", ctx.t("field-level"), "select")
                .options(levels, &[input.level.clone().unwrap_or_else(|| "other".to_owned())]),
        )
}

async fn parks_page(
    state: &AppState,
    ctx: &Ctx,
    input: &ParkInput,
    error: Option<&AppError>,
) -> Result<PageView, PageError> {
    let parks = state.app.parks(ctx.actor()?, None).await.map_err(|e| ctx.fail(e))?;
    let mut page = PageView::new(ctx.t("parks-title"));
    page.push(Section::Table(park_table(ctx, &parks)));
    if ctx.is_admin() {
        page.push(Section::Heading(ctx.t("parks-create")));
        let mut form = park_form(ctx, input);
        if let Some(AppError::Invalid(errors)) = error {
            form.attach_errors(ctx.lang, &errors.0);
            page.push(Section::Notice(Notice::error(ctx.t("form-has-errors"))));
        } else if let Some(AppError::Duplicate(e)) = error {
            form.attach_errors(ctx.lang, std::slice::from_ref(e));
            page.push(Section::Notice(Notice::error(ctx.t("form-has-errors"))));
        }
        page.push(Section::Form(form));
    }
    Ok(page)
}

pub async fn parks(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let page = parks_page(&state, &ctx, &ParkInput::default(), None).await?;
    Ok(ctx.render(page))
}

pub async fn create_park(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(input): axum::Form<ParkInput>,
) -> Result<Response, PageError> {
    match state.app.create_park(ctx.actor()?, &input).await {
        Ok(_) => Ok(Redirect::to("/reference/parks").into_response()),
        Err(error @ (AppError::Invalid(_) | AppError::Duplicate(_))) => {
            let page = parks_page(&state, &ctx, &input, Some(&error)).await?;
            Ok(ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Err(error) => Err(ctx.fail(error)),
    }
}

pub async fn clusters(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let taxonomies = state.app.cluster_taxonomies(ctx.actor()?).await.map_err(|e| ctx.fail(e))?;
    let mut page = PageView::new(ctx.t("clusters-title")).intro(ctx.t("clusters-intro"));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("field-code"),
            ctx.t("clusters-version"),
            ctx.t("field-name"),
            ctx.t("field-region-code"),
            ctx.t("clusters-valid"),
        ],
        rows: taxonomies
            .iter()
            .map(|t| {
                vec![
                    Cell::link(t.code.clone(), format!("/reference/clusters/{}", t.id)),
                    Cell::text(t.version.to_string()),
                    Cell::text(ctx.lang.name(&t.name_zh, t.name_en.as_deref()).to_owned()),
                    Cell::text(t.region_code.clone()),
                    Cell::text(format!("{} – {}", t.valid_from, t.valid_to.clone().unwrap_or_default())),
                ]
            })
            .collect(),
        empty: ctx.t("clusters-empty"),
    }));
    Ok(ctx.render(page))
}

pub async fn cluster(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| ctx.fail(AppError::NotFound { what: "cluster taxonomy" }))?;
    let t = state.app.cluster_taxonomy(ctx.actor()?, id).await.map_err(|e| ctx.fail(e))?;
    let mut page = PageView::new(format!("{} · v{}", ctx.lang.name(&t.name_zh, t.name_en.as_deref()), t.version));
    page.push(Section::Facts(vec![
        (ctx.t("field-code"), t.code.clone()),
        (ctx.t("clusters-version"), t.version.to_string()),
        (ctx.t("field-region-code"), t.region_code.clone()),
        (ctx.t("clusters-valid"), format!("{} – {}", t.valid_from, t.valid_to.clone().unwrap_or_default())),
    ]));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![ctx.t("field-code"), ctx.t("field-name"), ctx.t("clusters-industries")],
        rows: t
            .clusters
            .iter()
            .map(|c| {
                vec![
                    Cell::text(c.code.clone()),
                    Cell::text(ctx.lang.name(&c.name_zh, c.name_en.as_deref()).to_owned()),
                    Cell::text(c.industry_prefixes.join(", ")),
                ]
            })
            .collect(),
        empty: ctx.t("clusters-empty"),
    }));
    page.push(Section::Links(vec![Link::new(ctx.t("clusters-back"), "/reference/clusters")]));
    Ok(ctx.render(page))
}

pub async fn tags(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let tags = state.app.tags(ctx.actor()?).await.map_err(|e| ctx.fail(e))?;
    let page = PageView::new(ctx.t("tags-title")).section(Section::Table(Table {
        caption: None,
        columns: vec![ctx.t("field-code"), ctx.t("field-name-zh"), ctx.t("field-name-en")],
        rows: tags
            .iter()
            .map(|t| vec![Cell::text(t.code.clone()), Cell::text(t.name_zh.clone()), Cell::text(t.name_en.clone())])
            .collect(),
        empty: ctx.t("tags-empty"),
    }));
    Ok(ctx.render(page))
}

async fn currencies_page(state: &AppState, ctx: &Ctx, notice: Option<Notice>) -> Result<PageView, PageError> {
    let actor = ctx.actor()?;
    let currencies = state.app.currencies(actor).await.map_err(|e| ctx.fail(e))?;
    let (rates, _) = state.app.exchange_rates(actor, None, 200, 0).await.map_err(|e| ctx.fail(e))?;
    let mut page = PageView::new(ctx.t("currencies-title")).intro(ctx.t("currencies-intro"));
    if let Some(notice) = notice {
        page.push(Section::Notice(notice));
    }
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![ctx.t("field-code"), ctx.t("field-name")],
        rows: currencies
            .iter()
            .map(|c| {
                vec![Cell::text(c.code.clone()), Cell::text(ctx.lang.name(&c.name_zh, Some(&c.name_en)).to_owned())]
            })
            .collect(),
        empty: String::new(),
    }));
    page.push(Section::Heading(ctx.t("rates-title")));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![ctx.t("rates-date"), ctx.t("rates-currency"), ctx.t("rates-rate"), ctx.t("rates-source")],
        rows: rates
            .iter()
            .map(|r| {
                vec![
                    Cell::text(r.rate_date.clone()),
                    Cell::text(r.currency_code.clone()),
                    Cell::text(r.rate.clone()),
                    Cell::text(r.source.clone().unwrap_or_default()),
                ]
            })
            .collect(),
        empty: ctx.t("rates-empty"),
    }));
    if ctx.is_admin() {
        page.push(Section::Heading(ctx.t("rates-import")));
        page.push(Section::Form(
            Form::post("/reference/exchange-rates/import", ctx.t("import-submit"), &ctx.csrf)
                .field(Field::new("file", ctx.t("import-file"), "file").required().hint(ctx.t("rates-import-hint")))
                .multipart(),
        ));
    }
    Ok(page)
}

pub async fn currencies(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let page = currencies_page(&state, &ctx, None).await?;
    Ok(ctx.render(page))
}

pub async fn import_rates(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let Some((name, bytes)) = super::read_upload(&ctx, multipart).await? else {
        let page = currencies_page(&state, &ctx, Some(Notice::error(ctx.t("import-no-file")))).await?;
        return Ok(ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, page));
    };
    let format = FileFormat::from_file_name(&name).unwrap_or_else(|| FileFormat::sniff(&bytes));
    let result = state.app.import_exchange_rates(ctx.actor()?, &bytes, format).await;
    let (status, notice) =
        super::import_notice(&ctx, result, |rows| ctx.t_args("rates-imported", &[("rows", rows.to_string())]))?;
    let page = currencies_page(&state, &ctx, Some(notice)).await?;
    Ok(ctx.render_status(status, page))
}

#[derive(Debug, Deserialize, Default)]
pub struct CodeQuery {
    code: Option<String>,
}

pub async fn credit_code(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<CodeQuery>,
) -> Result<Response, PageError> {
    let mut page = PageView::new(ctx.t("credit-code-title")).intro(ctx.t("credit-code-intro"));
    let code = query.code.clone().unwrap_or_default();
    page.push(Section::Form(
        Form::get("/reference/credit-code", ctx.t("credit-code-check"))
            .field(Field::new("code", ctx.t("field-credit-code"), "text").value(code.clone())),
    ));
    if !code.trim().is_empty() {
        let check = state.app.check_credit_code(ctx.actor()?, &code).await.map_err(|e| ctx.fail(e))?;
        if check.valid {
            page.push(Section::Notice(Notice::success(
                ctx.t_args("credit-code-valid", &[("code", check.code.clone())]),
            )));
        } else {
            for error in &check.errors {
                page.push(Section::Notice(Notice::error(error.message.clone())));
            }
        }
        for warning in &check.warnings {
            page.push(Section::Notice(Notice::warning(warning.clone())));
        }
        let mut facts = Vec::new();
        if let Some(expected) = check.expected_check_character {
            facts.push((ctx.t("credit-code-expected"), expected.to_string()));
        }
        if let Some(region) = &check.region {
            facts.push((
                ctx.t("credit-code-region"),
                format!("{} {}", region.code, ctx.lang.name(&region.name_zh, region.name_en.as_deref())),
            ));
        }
        if !facts.is_empty() {
            page.push(Section::Facts(facts));
        }
    }
    Ok(ctx.render(page))
}

async fn calendar_page(state: &AppState, ctx: &Ctx, notice: Option<Notice>) -> Result<PageView, PageError> {
    let years = state.app.calendar_years(ctx.actor()?).await.map_err(|e| ctx.fail(e))?;
    let mut page = PageView::new(ctx.t("calendar-title")).intro(ctx.t("calendar-intro"));
    if let Some(notice) = notice {
        page.push(Section::Notice(notice));
    }
    for year in &years {
        page.push(Section::Heading(
            ctx.t_args("calendar-year", &[("year", year.year.to_string()), ("source", year.source.clone())]),
        ));
        page.push(Section::Table(Table {
            caption: None,
            columns: vec![ctx.t("calendar-date"), ctx.t("calendar-kind"), ctx.t("calendar-name")],
            rows: year
                .days
                .iter()
                .map(|d| {
                    vec![
                        Cell::text(bridgehead_domain::enterprise::format_date(d.date)),
                        Cell::text(ctx.t(&format!("calendar-kind-{}", d.kind.as_str()))),
                        Cell::text(d.name.clone()),
                    ]
                })
                .collect(),
            empty: ctx.t("calendar-empty"),
        }));
    }
    if ctx.is_admin() {
        page.push(Section::Heading(ctx.t("calendar-import")));
        page.push(Section::Form(
            Form::post("/reference/calendar/import", ctx.t("import-submit"), &ctx.csrf)
                .field(Field::new("file", ctx.t("import-file"), "file").required().hint(ctx.t("calendar-import-hint")))
                .multipart(),
        ));
    }
    Ok(page)
}

/// The working-day calendar: each covered year's holidays and adjusted working days.
pub async fn calendar(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let page = calendar_page(&state, &ctx, None).await?;
    Ok(ctx.render(page))
}

/// Imports calendar years from a CSV file (administrators).
pub async fn import_calendar(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let Some((name, bytes)) = super::read_upload(&ctx, multipart).await? else {
        let page = calendar_page(&state, &ctx, Some(Notice::error(ctx.t("import-no-file")))).await?;
        return Ok(ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, page));
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let result = state.app.import_calendar(ctx.actor()?, &text, &name).await;
    let (status, notice) = super::import_notice(&ctx, result, |years| {
        let years: Vec<String> = years.iter().map(ToString::to_string).collect();
        ctx.t_args("calendar-imported", &[("years", years.join(", "))])
    })?;
    let page = calendar_page(&state, &ctx, Some(notice)).await?;
    Ok(ctx.render_status(status, page))
}
