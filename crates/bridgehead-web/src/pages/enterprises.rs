//! Enterprise pages: the list with search, filters, sorting and pages; detail with
//! yearly figures; create and edit forms; import with every row error at once.

use axum::extract::{Multipart, Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bridgehead_app::AppError;
use bridgehead_domain::enterprise::{EnterpriseFields, EnterpriseSize, Ownership, YearlyFiguresFields};
use bridgehead_domain::money::format_major_units;
use bridgehead_io::FileFormat;
use bridgehead_store::enterprises::EnterpriseSort;

use super::{Cell, Ctx, Field, Form, Link, Notice, PageError, PageView, Pager, Section, Table};
use crate::AppState;
use crate::api::enterprises::EnterpriseQuery;

const PER_PAGE: i64 = 25;

fn parse_id(ctx: &Ctx, id: &str) -> Result<i64, PageError> {
    id.parse().map_err(|_| ctx.fail(AppError::NotFound { what: "enterprise" }))
}

/// The list's query: filters plus a page number.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    filter: EnterpriseQuery,
    page: Option<String>,
}

fn query_string(query: &EnterpriseQuery, extra: &[(&str, String)]) -> String {
    let pairs = [
        ("q", &query.q),
        ("region", &query.region),
        ("industry", &query.industry),
        ("ownership", &query.ownership),
        ("size", &query.size),
        ("tag", &query.tag),
        ("sort", &query.sort),
        ("order", &query.order),
    ];
    super::query_string(&pairs, extra)
}

/// Options of a vocabulary, after a blank option labelled with the text `blank`.
fn vocabulary_options(ctx: &Ctx, prefix: &str, values: &[&'static str], blank: &str) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), ctx.t(blank))];
    options.extend(values.iter().map(|v| ((*v).to_owned(), ctx.t(&format!("{prefix}-{}", v.replace('_', "-"))))));
    options
}

fn ownership_values() -> Vec<&'static str> {
    Ownership::ALL.iter().map(|o| o.as_str()).collect()
}

fn size_values() -> Vec<&'static str> {
    EnterpriseSize::ALL.iter().map(|s| s.as_str()).collect()
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let page_number: i64 = super::page_number(query.page.as_deref());
    let mut filter = match query.filter.filter() {
        Ok(filter) => filter,
        Err(problem) => {
            return Err(ctx.fail(AppError::invalid("query", "request.query", problem.detail.unwrap_or_default())));
        }
    };
    filter.limit = PER_PAGE;
    filter.offset = (page_number - 1) * PER_PAGE;
    let (items, total) = state.app.list_enterprises(actor, filter).await.map_err(|e| ctx.fail(e))?;
    let tags = state.app.tags(actor).await.map_err(|e| ctx.fail(e))?;
    let region_names: std::collections::HashMap<String, String> = state
        .app
        .regions(actor, &bridgehead_store::reference::RegionFilter::default())
        .await
        .map_err(|e| ctx.fail(e))?
        .into_iter()
        .map(|r| (r.code.clone(), ctx.lang.name(&r.name_zh, r.name_en.as_deref()).to_owned()))
        .collect();

    let f = &query.filter;
    let selected = |v: &Option<String>| vec![v.clone().unwrap_or_default()];
    let mut tag_options = vec![(String::new(), ctx.t("any"))];
    tag_options.extend(tags.iter().map(|t| (t.code.clone(), ctx.lang.name(&t.name_zh, Some(&t.name_en)).to_owned())));
    let sort_options = EnterpriseSort::ALL
        .iter()
        .map(|(name, _)| ((*name).to_owned(), ctx.t(&format!("sort-{}", name.replace('_', "-")))))
        .collect();
    let order_options = vec![("asc".to_owned(), ctx.t("order-asc")), ("desc".to_owned(), ctx.t("order-desc"))];
    let filters = Form::get("/enterprises", ctx.t("filter-apply"))
        .field(Field::new("q", ctx.t("filter-search"), "text").value(f.q.clone().unwrap_or_default()))
        .field(Field::new("region", ctx.t("field-region-code"), "text").value(f.region.clone().unwrap_or_default()))
        .field(
            Field::new("industry", ctx.t("field-industry-code"), "text").value(f.industry.clone().unwrap_or_default()),
        )
        .field(
            Field::new("ownership", ctx.t("field-ownership"), "select")
                .options(vocabulary_options(&ctx, "ownership", &ownership_values(), "any"), &selected(&f.ownership)),
        )
        .field(
            Field::new("size", ctx.t("field-size"), "select")
                .options(vocabulary_options(&ctx, "size", &size_values(), "any"), &selected(&f.size)),
        )
        .field(Field::new("tag", ctx.t("field-tags"), "select").options(tag_options, &selected(&f.tag)))
        .field(Field::new("sort", ctx.t("filter-sort"), "select").options(sort_options, &selected(&f.sort)))
        .field(Field::new("order", ctx.t("filter-order"), "select").options(order_options, &selected(&f.order)));

    let mut page = PageView::new(ctx.t("enterprises-title"));
    let mut links = Vec::new();
    if ctx.registers() {
        links.push(Link::primary(ctx.t("enterprises-new"), "/enterprises/new"));
        links.push(Link::new(ctx.t("enterprises-import"), "/enterprises/import"));
    }
    let export_query = query_string(f, &[("lang", ctx.lang.code().to_owned())]);
    links.push(Link::new(
        ctx.t("enterprises-export-xlsx"),
        format!("/api/v1/enterprises/export?format=xlsx&{export_query}"),
    ));
    links.push(Link::new(
        ctx.t("enterprises-export-csv"),
        format!("/api/v1/enterprises/export?format=csv&{export_query}"),
    ));
    page.push(Section::Links(links));
    page.push(Section::Form(filters));
    let rows = items
        .iter()
        .map(|e| {
            let r = &e.record;
            vec![
                Cell::link(
                    ctx.lang.name(&r.name_zh, r.name_en.as_deref()).to_owned(),
                    format!("/enterprises/{}", e.id),
                ),
                Cell::text(r.credit_code.to_string()),
                Cell::text(
                    region_names.get(r.region_code.as_str()).cloned().unwrap_or_else(|| r.region_code.to_string()),
                ),
                Cell::text(r.industry_code.as_ref().map(ToString::to_string).unwrap_or_default()),
                Cell::text(r.size.map(|s| ctx.t(&format!("size-{}", s.as_str()))).unwrap_or_default()),
                Cell::text(r.established_on.map(bridgehead_domain::enterprise::format_date).unwrap_or_default()),
            ]
        })
        .collect();
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("field-name"),
            ctx.t("field-credit-code"),
            ctx.t("field-region"),
            ctx.t("field-industry-code"),
            ctx.t("field-size"),
            ctx.t("field-established-on"),
        ],
        rows,
        empty: ctx.t("enterprises-empty"),
    }));
    let link_to = |n: i64| format!("/enterprises?{}", query_string(f, &[("page", n.to_string())]));
    page.push(Section::Pager(Pager::numbered(&ctx, page_number, total, PER_PAGE, link_to)));
    Ok(ctx.render(page))
}

pub async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id)?;
    let detail = state.app.enterprise(ctx.actor()?, id).await.map_err(|e| ctx.fail(e))?;
    Ok(ctx.render(detail_page(&ctx, &detail, None)))
}

fn detail_page(ctx: &Ctx, detail: &bridgehead_app::enterprises::EnterpriseDetail, notice: Option<Notice>) -> PageView {
    let e = &detail.enterprise;
    let r = &e.record;
    let mut page = PageView::new(ctx.lang.name(&r.name_zh, r.name_en.as_deref()).to_owned());
    if let Some(notice) = notice {
        page.push(Section::Notice(notice));
    }
    for warning in &detail.warnings {
        page.push(Section::Notice(Notice::warning(warning.clone())));
    }
    page.push(Section::Links(vec![
        Link::primary(ctx.t("enterprise-edit"), format!("/enterprises/{}/edit", e.id)),
        Link::new(ctx.t("enterprises-back"), "/enterprises"),
    ]));
    let fields = r.to_fields();
    let vocabulary = |prefix: &str, v: &Option<String>| {
        v.as_ref().map(|v| ctx.t(&format!("{prefix}-{}", v.replace('_', "-")))).unwrap_or_default()
    };
    let mut facts = vec![
        (ctx.t("field-credit-code"), r.credit_code.to_string()),
        (ctx.t("field-name-zh"), r.name_zh.clone()),
        (ctx.t("field-name-en"), r.name_en.clone().unwrap_or_default()),
        (
            ctx.t("field-region-code"),
            match &detail.region {
                Some(region) => {
                    format!("{} {}", region.code, ctx.lang.name(&region.name_zh, region.name_en.as_deref()))
                }
                None => r.region_code.to_string(),
            },
        ),
        (ctx.t("field-address"), r.address.clone().unwrap_or_default()),
        (
            ctx.t("field-industry-code"),
            match &detail.industry {
                Some(industry) => {
                    format!("{} {}", industry.code, ctx.lang.name(&industry.name_zh, industry.name_en.as_deref()))
                }
                None => r.industry_code.as_ref().map(ToString::to_string).unwrap_or_default(),
            },
        ),
        (
            ctx.t("field-registered-capital"),
            fields.registered_capital.map(|c| format!("{c} {}", r.registered_capital_currency)).unwrap_or_default(),
        ),
        (ctx.t("field-established-on"), fields.established_on.clone().unwrap_or_default()),
        (ctx.t("field-ownership"), vocabulary("ownership", &fields.ownership)),
        (ctx.t("field-size"), vocabulary("size", &fields.size)),
        (ctx.t("field-listed"), if r.listed { ctx.t("yes") } else { ctx.t("no") }),
        (ctx.t("field-contact-name"), r.contact_name.clone().unwrap_or_default()),
        (ctx.t("field-contact-phone"), r.contact_phone.clone().unwrap_or_default()),
        (ctx.t("field-contact-email"), r.contact_email.clone().unwrap_or_default()),
        (ctx.t("field-tags"), r.tags.join(", ")),
    ];
    if let Some(reason) = &r.credit_code_override_reason {
        facts.push((ctx.t("field-override-reason"), reason.clone()));
    }
    facts.push((ctx.t("field-updated-at"), e.updated_at.clone()));
    page.push(Section::Facts(facts));
    page.push(Section::Heading(ctx.t("figures-title")));
    let money = |v: Option<i64>| v.map(format_major_units).unwrap_or_default();
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("figures-year"),
            ctx.t("figures-revenue"),
            ctx.t("figures-tax"),
            ctx.t("figures-employees"),
            ctx.t("figures-rnd"),
        ],
        rows: detail
            .figures
            .iter()
            .map(|f| {
                vec![
                    Cell::text(f.year.to_string()),
                    Cell::text(money(f.revenue_minor)),
                    Cell::text(money(f.tax_minor)),
                    Cell::text(f.employees.map(|n| n.to_string()).unwrap_or_default()),
                    Cell::text(money(f.rnd_spending_minor)),
                ]
            })
            .collect(),
        empty: ctx.t("figures-empty"),
    }));
    page.push(Section::Heading(ctx.t("figures-add")));
    page.push(Section::Form(figures_form(ctx, e.id)));
    page
}

fn figures_form(ctx: &Ctx, id: i64) -> Form {
    Form::post(format!("/enterprises/{id}/figures"), ctx.t("figures-save"), &ctx.csrf)
        .field(Field::new("year", ctx.t("figures-year"), "number").required())
        .field(Field::new("revenue", ctx.t("figures-revenue"), "text").hint(ctx.t("hint-yuan")))
        .field(Field::new("tax", ctx.t("figures-tax"), "text").hint(ctx.t("hint-yuan")))
        .field(Field::new("employees", ctx.t("figures-employees"), "number"))
        .field(Field::new("rnd_spending", ctx.t("figures-rnd"), "text").hint(ctx.t("hint-yuan")))
}

/// The create/edit form, filled with `fields`.
fn enterprise_form(
    ctx: &Ctx,
    action: String,
    fields: &EnterpriseFields,
    tags: &[(String, String)],
    version: Option<i64>,
) -> Form {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let chosen_tags: Vec<String> =
        fields.tags.as_deref().map(bridgehead_domain::enterprise::split_tags).unwrap_or_default();
    let listed = fields.listed.as_deref().and_then(bridgehead_domain::enterprise::parse_flag).unwrap_or(false);
    let mut form = Form::post(action, ctx.t("save"), &ctx.csrf)
        .field(
            Field::new("credit_code", ctx.t("field-credit-code"), "text")
                .value(text(&fields.credit_code))
                .required()
                .hint(ctx.t("hint-credit-code")),
        )
        .field(Field::new("name_zh", ctx.t("field-name-zh"), "text").value(text(&fields.name_zh)).required())
        .field(Field::new("name_en", ctx.t("field-name-en"), "text").value(text(&fields.name_en)))
        .field(
            Field::new("region_code", ctx.t("field-region-code"), "text")
                .value(text(&fields.region_code))
                .required()
                .hint(ctx.t("hint-region-code")),
        )
        .field(Field::new("address", ctx.t("field-address"), "text").value(text(&fields.address)))
        .field(
            Field::new("industry_code", ctx.t("field-industry-code"), "text")
                .value(text(&fields.industry_code))
                .hint(ctx.t("hint-industry-code")),
        )
        .field(
            Field::new("registered_capital", ctx.t("field-registered-capital"), "text")
                .value(text(&fields.registered_capital))
                .hint(ctx.t("hint-yuan")),
        )
        .field(
            Field::new("registered_capital_currency", ctx.t("field-capital-currency"), "text")
                .value(fields.registered_capital_currency.clone().unwrap_or_else(|| "CNY".to_owned())),
        )
        .field(Field::new("established_on", ctx.t("field-established-on"), "date").value(text(&fields.established_on)))
        .field(Field::new("ownership", ctx.t("field-ownership"), "select").options(
            vocabulary_options(ctx, "ownership", &ownership_values(), "not-given"),
            &[text(&fields.ownership)],
        ))
        .field(
            Field::new("size", ctx.t("field-size"), "select")
                .options(vocabulary_options(ctx, "size", &size_values(), "not-given"), &[text(&fields.size)]),
        )
        .field(
            Field::new("listed", ctx.t("field-listed"), "select").options(
                vec![("false".to_owned(), ctx.t("no")), ("true".to_owned(), ctx.t("yes"))],
                &[listed.to_string()],
            ),
        )
        .field(Field::new("contact_name", ctx.t("field-contact-name"), "text").value(text(&fields.contact_name)))
        .field(Field::new("contact_phone", ctx.t("field-contact-phone"), "text").value(text(&fields.contact_phone)))
        .field(Field::new("contact_email", ctx.t("field-contact-email"), "email").value(text(&fields.contact_email)))
        .field(Field::new("tags", ctx.t("field-tags"), "checkboxes").options(tags.to_vec(), &chosen_tags));
    if ctx.registers() {
        form = form.field(
            Field::new("credit_code_override_reason", ctx.t("field-override-reason"), "text")
                .value(text(&fields.credit_code_override_reason))
                .hint(ctx.t("hint-override-reason")),
        );
    }
    if let Some(version) = version {
        form = form.field(Field::new("version", "", "hidden").value(version.to_string()));
    }
    form
}

async fn tag_options(state: &AppState, ctx: &Ctx) -> Result<Vec<(String, String)>, PageError> {
    let tags = state.app.tags(ctx.actor()?).await.map_err(|e| ctx.fail(e))?;
    Ok(tags.into_iter().map(|t| (t.code.clone(), ctx.lang.name(&t.name_zh, Some(&t.name_en)).to_owned())).collect())
}

fn form_page(ctx: &Ctx, title: String, mut form: Form, error: Option<&AppError>) -> (StatusCode, PageView) {
    let mut page = PageView::new(title);
    let mut status = StatusCode::OK;
    if let Some(error) = error {
        status = StatusCode::UNPROCESSABLE_ENTITY;
        let errors = match error {
            AppError::Invalid(errors) => errors.0.clone(),
            AppError::Duplicate(error) => {
                status = StatusCode::CONFLICT;
                vec![error.clone()]
            }
            AppError::VersionMismatch { .. } => {
                status = StatusCode::CONFLICT;
                vec![]
            }
            _ => vec![],
        };
        let unplaced = form.attach_errors(ctx.lang, &errors);
        let mut text = ctx.t("form-has-errors");
        if matches!(error, AppError::VersionMismatch { .. }) {
            text = ctx.t("error-version");
        }
        if !unplaced.is_empty() {
            text = format!("{text} {}", unplaced.join("; "));
        }
        page.push(Section::Notice(Notice::error(text)));
    }
    page.push(Section::Form(form));
    (status, page)
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let tags = tag_options(&state, &ctx).await?;
    let mut fields = EnterpriseFields::default();
    if let Some(region) = ctx.actor()?.region_scope() {
        fields.region_code = Some(region.to_owned());
    }
    let form = enterprise_form(&ctx, "/enterprises".to_owned(), &fields, &tags, None);
    let (status, page) = form_page(&ctx, ctx.t("enterprise-new-title"), form, None);
    Ok(ctx.render_status(status, page))
}

/// Reads a urlencoded enterprise form (tags repeat).
fn fields_from_form(body: &[u8]) -> (EnterpriseFields, Option<i64>) {
    let mut fields = EnterpriseFields::default();
    let mut tags = Vec::new();
    let mut version = None;
    for (key, value) in form_urlencoded::parse(body) {
        let value = value.into_owned();
        let slot = match key.as_ref() {
            "credit_code" => &mut fields.credit_code,
            "name_zh" => &mut fields.name_zh,
            "name_en" => &mut fields.name_en,
            "region_code" => &mut fields.region_code,
            "address" => &mut fields.address,
            "industry_code" => &mut fields.industry_code,
            "registered_capital" => &mut fields.registered_capital,
            "registered_capital_currency" => &mut fields.registered_capital_currency,
            "established_on" => &mut fields.established_on,
            "ownership" => &mut fields.ownership,
            "size" => &mut fields.size,
            "listed" => &mut fields.listed,
            "contact_name" => &mut fields.contact_name,
            "contact_phone" => &mut fields.contact_phone,
            "contact_email" => &mut fields.contact_email,
            "credit_code_override_reason" => &mut fields.credit_code_override_reason,
            "tags" => {
                tags.push(value);
                continue;
            }
            "version" => {
                version = value.parse().ok();
                continue;
            }
            _ => continue,
        };
        *slot = Some(value);
    }
    fields.tags = Some(tags.join(","));
    (fields, version)
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, RawForm(body): RawForm) -> Result<Response, PageError> {
    let (fields, _) = fields_from_form(&body);
    match state.app.create_enterprise(ctx.actor()?, &fields).await {
        Ok(enterprise) => Ok(Redirect::to(&format!("/enterprises/{}", enterprise.id)).into_response()),
        Err(error @ (AppError::Invalid(_) | AppError::Duplicate(_))) => {
            let tags = tag_options(&state, &ctx).await?;
            let form = enterprise_form(&ctx, "/enterprises".to_owned(), &fields, &tags, None);
            let (status, page) = form_page(&ctx, ctx.t("enterprise-new-title"), form, Some(&error));
            Ok(ctx.render_status(status, page))
        }
        Err(error) => Err(ctx.fail(error)),
    }
}

pub async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id)?;
    let detail = state.app.enterprise(ctx.actor()?, id).await.map_err(|e| ctx.fail(e))?;
    let tags = tag_options(&state, &ctx).await?;
    let e = &detail.enterprise;
    let form = enterprise_form(&ctx, format!("/enterprises/{id}"), &e.record.to_fields(), &tags, Some(e.version));
    let title = ctx.t_args(
        "enterprise-edit-title",
        &[("name", ctx.lang.name(&e.record.name_zh, e.record.name_en.as_deref()).to_owned())],
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
    let id = parse_id(&ctx, &id)?;
    let (fields, version) = fields_from_form(&body);
    match state.app.update_enterprise(ctx.actor()?, id, version, &fields).await {
        Ok(enterprise) => {
            let detail = state.app.enterprise(ctx.actor()?, enterprise.id).await.map_err(|e| ctx.fail(e))?;
            Ok(ctx.render(detail_page(&ctx, &detail, Some(Notice::success(ctx.t("saved"))))))
        }
        Err(error @ (AppError::Invalid(_) | AppError::Duplicate(_) | AppError::VersionMismatch { .. })) => {
            let tags = tag_options(&state, &ctx).await?;
            let form = enterprise_form(&ctx, format!("/enterprises/{id}"), &fields, &tags, version);
            let (status, page) = form_page(&ctx, ctx.t("enterprise-edit"), form, Some(&error));
            Ok(ctx.render_status(status, page))
        }
        Err(error) => Err(ctx.fail(error)),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct FiguresForm {
    year: Option<String>,
    revenue: Option<String>,
    tax: Option<String>,
    employees: Option<String>,
    rnd_spending: Option<String>,
}

pub async fn put_figures(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<FiguresForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id)?;
    let actor = ctx.actor()?;
    let year = form.year.as_deref().map(str::trim).and_then(|y| y.parse::<i32>().ok());
    let fields = YearlyFiguresFields {
        revenue: form.revenue,
        tax: form.tax,
        employees: form.employees,
        rnd_spending: form.rnd_spending,
    };
    let result = match year {
        None => Err(AppError::invalid("year", "year.range", ctx.t("figures-year-required"))),
        Some(year) => state.app.put_figures(actor, id, year, &fields).await,
    };
    let notice = match result {
        Ok(_) => Notice::success(ctx.t("saved")),
        Err(AppError::Invalid(errors)) => Notice::error(errors.to_string()),
        Err(error) => return Err(ctx.fail(error)),
    };
    let detail = state.app.enterprise(actor, id).await.map_err(|e| ctx.fail(e))?;
    Ok(ctx.render(detail_page(&ctx, &detail, Some(notice))))
}

fn import_page(ctx: &Ctx, notice: Option<Notice>) -> PageView {
    let mut page = PageView::new(ctx.t("import-title")).intro(ctx.t("import-intro"));
    if let Some(notice) = notice {
        page.push(Section::Notice(notice));
    }
    page.push(Section::Links(vec![
        Link::new(ctx.t("import-template-zh-xlsx"), "/api/v1/enterprises/template?format=xlsx&lang=zh"),
        Link::new(ctx.t("import-template-en-xlsx"), "/api/v1/enterprises/template?format=xlsx&lang=en"),
        Link::new(ctx.t("import-template-zh-csv"), "/api/v1/enterprises/template?format=csv&lang=zh"),
        Link::new(ctx.t("import-template-en-csv"), "/api/v1/enterprises/template?format=csv&lang=en"),
    ]));
    page.push(Section::Form(
        Form::post("/enterprises/import", ctx.t("import-submit"), &ctx.csrf)
            .field(Field::new("file", ctx.t("import-file"), "file").required().hint(ctx.t("import-file-hint")))
            .multipart(),
    ));
    page
}

pub async fn import_form(ctx: Ctx) -> Response {
    ctx.render(import_page(&ctx, None))
}

pub async fn import(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let Some((name, bytes)) = super::read_upload(&ctx, multipart).await? else {
        let page = import_page(&ctx, Some(Notice::error(ctx.t("import-no-file"))));
        return Ok(ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, page));
    };
    let format = FileFormat::from_file_name(&name).unwrap_or_else(|| FileFormat::sniff(&bytes));
    let result = state.app.import_enterprises(actor, &name, &bytes, format, &|_, _| {}).await;
    let (status, notice) = super::import_outcome_notice(&ctx, result)?;
    Ok(ctx.render_status(status, import_page(&ctx, Some(notice))))
}
