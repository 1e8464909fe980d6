//! Fund pages (SPEC §5): the funds you may see; a fund with its tree, policy KPIs and
//! alerts, performance (with a chart), partners, holdings, valuations, ledger and
//! notices; a partner (LP) page; a notice with its export and a printable page per
//! partner; the explanation of one KPI down to the ledger entries behind it; the
//! waterfall.
//!
//! The roles that keep a fund's ledger (`LEDGER_KEEPERS`) also get its forms: a ledger
//! entry, a reversal (a button per entry), a valuation, a capital call or a distribution
//! notice, and on a call's page the payment by the partners. Amounts are typed in yuan
//! and parsed exactly into fen; the use cases decide everything else and name the field
//! at fault, and a refused form comes back with the values typed and the message by its
//! field. Every one of these forms carries a one-time token (`crate::idempotency`), so a
//! double submit moves the money once.

use std::collections::HashMap;

use axum::extract::{Multipart, Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bridgehead_app::AppError;
use bridgehead_app::funds::{EntryInput, FundDetail, LEDGER_KEEPERS, Notice as FundNotice, NoticeInput};
use bridgehead_domain::funds::performance::{Component, FlowKind, Irr, Multiples, Performance};
use bridgehead_domain::funds::policy::{Kpi, KpiCode, Line, Side, Status};
use bridgehead_domain::{FieldError, FieldErrors};
use bridgehead_io::FileFormat;
use bridgehead_store::funds::HoldingRow;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;

use super::projects::{error_notice, form_errors, form_map, money, parse_id, place_errors};
use super::{Cell, Chart, Ctx, Field, Form, Link, Notice, PageError, PageView, Section, Stamp, Table};
use crate::AppState;
use crate::idempotency::{FORM_FIELD, form_token};

#[derive(Debug, Deserialize)]
pub struct AsOfQuery {
    pub as_of: Option<String>,
    pub date: Option<String>,
    pub amount: Option<String>,
    /// The fund page after a form took effect: the entry recorded…
    pub entry: Option<String>,
    /// …the reversal recorded…
    pub reversal: Option<String>,
    /// …or the valuation recorded.
    pub valuation: Option<String>,
}

/// The notice page after a form took effect.
#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    pub issued: Option<String>,
    pub paid: Option<String>,
}

impl AsOfQuery {
    /// The as-of date asked for (today in China when none), as the forms show it.
    fn as_of(&self, ctx: &Ctx) -> Result<String, PageError> {
        bridgehead_app::funds::as_of_date(self.as_of.as_deref()).map(|d| d.to_string()).map_err(|e| ctx.fail(e))
    }
}

fn ratio(value: Option<Decimal>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{:.2}×", v))
}

fn percent(value: Option<Decimal>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{:.1}%", v * Decimal::from(100)))
}

fn irr(ctx: &Ctx, irr: &Irr) -> String {
    match (irr.rate, &irr.reason_code) {
        (Some(rate), _) => format!("{:.2}%", rate * 100.0),
        (None, Some(code)) => ctx.t(&format!("fund-irr-{}", code.replace('_', "-"))),
        (None, None) => "—".to_owned(),
    }
}

fn kpi_name(ctx: &Ctx, code: KpiCode) -> String {
    ctx.t(&format!("fund-kpi-{}", code.code().replace('_', "-")))
}

/// KPIs that are multiples; the others are shares.
fn is_multiple(code: KpiCode) -> bool {
    matches!(
        code,
        KpiCode::LeverageCommitted | KpiCode::LeveragePaidIn | KpiCode::LocalReinvestment | KpiCode::DeploymentPace
    )
}

fn kpi_value(code: KpiCode, value: Option<Decimal>) -> String {
    if is_multiple(code) { ratio(value) } else { percent(value) }
}

fn status_name(ctx: &Ctx, status: Status) -> String {
    let code = match status {
        Status::Ok => "ok",
        Status::Near => "near",
        Status::Breached => "breached",
        Status::NoLimit => "no-limit",
        Status::NoValue => "no-value",
    };
    ctx.t(&format!("fund-status-{code}"))
}

fn limit_text(kpi: &Kpi) -> String {
    kpi.limit.as_ref().map_or_else(String::new, |l| {
        let bound = match l.bound {
            bridgehead_domain::funds::policy::Bound::Min => "≥",
            bridgehead_domain::funds::policy::Bound::Max => "≤",
        };
        format!("{bound} {}", kpi_value(kpi.code, Some(l.value)))
    })
}

fn multiples_facts(ctx: &Ctx, m: &Multiples) -> Vec<(String, String)> {
    vec![
        (ctx.t("fund-paid-in"), money(m.paid_in)),
        (ctx.t("fund-distributed"), money(m.distributed)),
        (ctx.t("fund-nav"), money(m.nav)),
        ("DPI".to_owned(), ratio(m.dpi)),
        ("RVPI".to_owned(), ratio(m.rvpi)),
        ("TVPI".to_owned(), ratio(m.tvpi)),
    ]
}

fn performance_facts(ctx: &Ctx, p: &Performance) -> Vec<(String, String)> {
    let mut facts = multiples_facts(ctx, &p.multiples);
    facts.push(("MOIC".to_owned(), ratio(p.moic)));
    facts.push((ctx.t("fund-net-irr"), irr(ctx, &p.net_irr)));
    facts.push((ctx.t("fund-gross-irr"), irr(ctx, &p.gross_irr)));
    facts
}

fn fund_url(id: i64) -> String {
    format!("/funds/{id}")
}

/// The funds you may see.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let funds = state.app.funds(ctx.actor()?).await.map_err(|e| ctx.fail(e))?;
    let rows = funds
        .iter()
        .map(|f| {
            vec![
                Cell::link(f.name_zh.clone(), fund_url(f.id)),
                Cell::text(ctx.t(&format!("fund-kind-{}", f.kind.replace('_', "-")))),
                Cell::text(f.home_region_code.clone()),
                Cell::text(money(f.target_size_minor)),
                Cell::text(f.vintage.to_string()),
            ]
        })
        .collect();
    let page = PageView::new(ctx.t("fund-list-title")).intro(ctx.t("fund-list-intro")).section(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("fund-name"),
            ctx.t("fund-kind"),
            ctx.t("fund-region"),
            ctx.t("fund-target-size"),
            ctx.t("fund-vintage"),
        ],
        rows,
        empty: ctx.t("fund-none"),
    }));
    Ok(ctx.render(page))
}

/// A fund: its tree, KPIs, performance, partners, holdings, ledger and notices; for the
/// roles that keep the ledger, the forms that record entries, reversals, valuations and
/// notices.
pub async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<AsOfQuery>,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "fund")?;
    let as_of = query.as_of(&ctx)?;
    let done = |name: &Option<String>| name.as_deref().and_then(|v| v.parse::<i64>().ok());
    let extra = Extra {
        recorded: match (done(&query.entry), done(&query.reversal), done(&query.valuation)) {
            (Some(entry), _, _) => Some(Done::Entry(entry)),
            (None, Some(reversal), _) => Some(Done::Reversal(reversal)),
            (None, None, Some(valuation)) => Some(Done::Valuation(valuation)),
            _ => None,
        },
        ..Extra::default()
    };
    render_detail(&state, &ctx, id, &as_of, StatusCode::OK, extra).await
}

/// The fund page with `extra`: a notice of what was just done, or a refused form with
/// its values and errors.
async fn render_detail(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    as_of: &str,
    status: StatusCode,
    extra: Extra,
) -> Result<Response, PageError> {
    let as_of = as_of.to_owned();
    let actor = ctx.actor()?;
    let detail = state.app.fund(actor, id).await.map_err(|e| ctx.fail(e))?;
    let overview = state.app.fund_overview(actor, id, Some(&as_of)).await.map_err(|e| ctx.fail(e))?;
    let series = state.app.fund_performance_series(actor, id, Some(&as_of)).await.map_err(|e| ctx.fail(e))?;
    let notices = state.app.notices(actor, id).await.map_err(|e| ctx.fail(e))?;
    let keeps = keeps_ledger(ctx);
    let f = &detail.fund;
    let mut page = PageView::new(f.name_zh.clone());
    if let Some(notice) = extra.notice {
        page.push(Section::Notice(notice));
    }
    let refused = extra.refused.as_ref().map(|(which, _)| *which);
    // A fresh form where the page has it, unless that form was just refused.
    let fresh = |which: FundForm| keeps && refused != Some(which);
    if let Some((which, form)) = extra.refused {
        page.push(Section::Heading(ctx.t(which.heading())));
        page.push(Section::Form(form));
    }
    // What a form just recorded, said only of what this fund's ledger holds.
    let done = match extra.recorded {
        Some(Done::Entry(entry)) => detail
            .entries
            .iter()
            .find(|e| e.id == entry)
            .map(|e| ctx.t_args("fund-entry-recorded", &[("id", e.id.to_string())])),
        Some(Done::Reversal(reversal)) => detail
            .entries
            .iter()
            .find(|e| e.id == reversal)
            .and_then(|e| e.reverses_id.map(|o| (e.id, o)))
            .map(|(reversal, original)| {
                ctx.t_args("fund-entry-reversed", &[("id", original.to_string()), ("reversal", reversal.to_string())])
            }),
        Some(Done::Valuation(valuation)) => detail.valuations.iter().find(|v| v.id == valuation).map(|v| {
            ctx.t_args("fund-valuation-recorded", &[("date", v.valued_on.clone()), ("amount", money(v.amount_minor))])
        }),
        None => None,
    };
    if let Some(text) = done {
        page.push(Section::Notice(Notice::success(text)));
    }
    page.push(Section::Links(vec![
        Link::new(ctx.t("fund-back"), "/funds"),
        Link::new(ctx.t("fund-waterfall"), format!("/funds/{id}/waterfall?as_of={as_of}")),
        Link::new(ctx.t("fund-api"), format!("/api/v1/funds/{id}/overview?as_of={as_of}")),
    ]));
    page.push(Section::Form(
        Form::get(fund_url(id), ctx.t("fund-as-of-apply"))
            .field(Field::new("as_of", ctx.t("fund-as-of"), "date").value(as_of.clone())),
    ));
    page.push(Section::Facts(vec![
        (ctx.t("fund-kind"), ctx.t(&format!("fund-kind-{}", f.kind.replace('_', "-")))),
        (ctx.t("fund-region"), f.home_region_code.clone()),
        (ctx.t("fund-target-size"), money(f.target_size_minor)),
        (ctx.t("fund-vintage"), f.vintage.to_string()),
        (ctx.t("fund-term"), format!("{} / {}", f.investment_years, f.term_years)),
        (ctx.t("fund-focus"), f.focus_industries.join(", ")),
        (
            ctx.t("fund-rule-set"),
            overview.policy.rule_set.as_ref().map_or_else(|| "—".to_owned(), |(code, v)| format!("{code} v{v}")),
        ),
    ]));

    // Alerts, then the KPIs.
    for alert in &overview.policy.alerts {
        let text = ctx.t_args(
            "fund-alert",
            &[
                ("kpi", kpi_name(ctx, alert.kpi)),
                ("status", status_name(ctx, alert.status)),
                ("value", kpi_value(alert.kpi, Some(alert.value))),
                ("limit", kpi_value(alert.kpi, Some(alert.limit.value))),
            ],
        );
        page.push(Section::Notice(if alert.status == Status::Breached {
            Notice::error(text)
        } else {
            Notice::warning(text)
        }));
    }
    page.push(Section::Heading(ctx.t("fund-kpis")));
    page.push(Section::Table(Table {
        caption: Some(ctx.t_args("fund-kpis-caption", &[("count", overview.policy.funds_below.to_string())])),
        columns: vec![
            ctx.t("fund-kpi"),
            ctx.t("fund-kpi-value"),
            ctx.t("fund-kpi-numerator"),
            ctx.t("fund-kpi-denominator"),
            ctx.t("fund-kpi-limit"),
            ctx.t("fund-kpi-status"),
        ],
        rows: overview
            .policy
            .kpis
            .iter()
            .map(|k| {
                vec![
                    Cell::link(kpi_name(ctx, k.code), format!("/funds/{id}/kpis/{}?as_of={as_of}", k.code.code())),
                    Cell::text(kpi_value(k.code, k.value)),
                    Cell::text(money(k.numerator)),
                    Cell::text(money(k.denominator)),
                    Cell::text(limit_text(k)),
                    Cell::text(status_name(ctx, k.status)),
                ]
            })
            .collect(),
        empty: String::new(),
    }));

    // Performance.
    let root = overview.funds.iter().find(|n| n.id == id);
    page.push(Section::Heading(ctx.t("fund-performance")));
    if let Some(root) = root {
        page.push(Section::Facts(performance_facts(ctx, &root.performance)));
    }
    if !series.is_empty() {
        let dates: Vec<String> = series.iter().map(|(d, _)| d.to_string()).collect();
        let yuan = |v: i64| v as f64 / 100.0;
        let (paid, distributed, nav) = (ctx.t("fund-paid-in"), ctx.t("fund-distributed"), ctx.t("fund-nav"));
        let spec = json!({
            "tooltip": { "trigger": "axis" },
            "legend": { "top": 0, "data": [paid, distributed, nav] },
            "grid": { "top": 48, "left": 80, "right": 24, "bottom": 40 },
            "xAxis": { "type": "category", "data": dates },
            "yAxis": { "type": "value", "name": ctx.t("fund-unit-yuan") },
            "series": [
                { "name": paid, "type": "line", "data": series.iter().map(|(_, m)| yuan(m.paid_in)).collect::<Vec<_>>() },
                { "name": distributed, "type": "line", "data": series.iter().map(|(_, m)| yuan(m.distributed)).collect::<Vec<_>>() },
                { "name": nav, "type": "line", "areaStyle": {}, "data": series.iter().map(|(_, m)| yuan(m.nav)).collect::<Vec<_>>() }
            ]
        });
        page.push(Section::Chart(Chart { title: ctx.t("fund-performance-chart"), spec: spec.to_string() }));
        page.push(Section::Table(Table {
            caption: Some(ctx.t("fund-performance-chart")),
            columns: vec![ctx.t("fund-date"), paid.clone(), distributed.clone(), nav.clone(), "TVPI".to_owned()],
            rows: series
                .iter()
                .map(|(d, m)| {
                    vec![
                        Cell::text(d.to_string()),
                        Cell::text(money(m.paid_in)),
                        Cell::text(money(m.distributed)),
                        Cell::text(money(m.nav)),
                        Cell::text(ratio(m.tvpi)),
                    ]
                })
                .collect(),
            empty: String::new(),
        }));
    }

    // The tree below.
    if overview.funds.len() > 1 {
        page.push(Section::Heading(ctx.t("fund-tree")));
        page.push(Section::Table(Table {
            caption: None,
            columns: vec![
                ctx.t("fund-name"),
                ctx.t("fund-size"),
                ctx.t("fund-holdings"),
                ctx.t("fund-paid-in"),
                "TVPI".to_owned(),
                ctx.t("fund-net-irr"),
            ],
            rows: overview
                .funds
                .iter()
                .take(500)
                .map(|n| {
                    vec![
                        Cell::link(format!("{}{}", "　".repeat(n.depth), n.name_zh), fund_url(n.id)),
                        Cell::text(money(n.size_minor)),
                        Cell::text(n.holdings.to_string()),
                        Cell::text(money(n.performance.multiples.paid_in)),
                        Cell::text(ratio(n.performance.multiples.tvpi)),
                        Cell::text(irr(ctx, &n.performance.net_irr)),
                    ]
                })
                .collect(),
            empty: String::new(),
        }));
    }

    page.push(Section::Heading(ctx.t("fund-partners")));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("fund-partner"),
            ctx.t("fund-partner-kind"),
            ctx.t("fund-commitment"),
            ctx.t("fund-contributed"),
            ctx.t("fund-unfunded"),
        ],
        rows: detail
            .partners
            .iter()
            .map(|p| {
                vec![
                    Cell::link(p.name.clone(), format!("/funds/{id}/partners/{}", p.id)),
                    Cell::text(ctx.t(&format!("fund-partner-kind-{}", p.kind.replace('_', "-")))),
                    Cell::text(money(p.commitment_minor)),
                    Cell::text(money(p.contributed_minor)),
                    Cell::text(money(p.unfunded_minor)),
                ]
            })
            .collect(),
        empty: ctx.t("fund-no-partners"),
    }));

    page.push(Section::Heading(ctx.t("fund-holdings")));
    let holding_values = root.map(|r| r.performance.holdings.clone()).unwrap_or_default();
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("fund-holding"),
            ctx.t("fund-acquired"),
            ctx.t("fund-invested"),
            ctx.t("fund-proceeds"),
            ctx.t("fund-value"),
        ],
        rows: detail
            .holdings
            .iter()
            .map(|h| {
                let value = holding_values.iter().find(|v| v.holding == h.id);
                let target = match (h.sub_fund_id, h.enterprise_id) {
                    (Some(sub), _) => {
                        Cell::link(ctx.t_args("fund-sub-fund", &[("id", sub.to_string())]), fund_url(sub))
                    }
                    (None, Some(e)) => {
                        Cell::link(ctx.t_args("fund-enterprise", &[("id", e.to_string())]), format!("/enterprises/{e}"))
                    }
                    _ => Cell::text(String::new()),
                };
                vec![
                    target,
                    Cell::text(h.acquired_on.clone()),
                    Cell::text(value.map(|v| money(v.invested)).unwrap_or_default()),
                    Cell::text(value.map(|v| money(v.proceeds)).unwrap_or_default()),
                    Cell::text(value.map(|v| money(v.value)).unwrap_or_default()),
                ]
            })
            .collect(),
        empty: ctx.t("fund-no-holdings"),
    }));

    page.push(Section::Heading(ctx.t("fund-valuations")));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("fund-valuation-date"),
            ctx.t("fund-valuation-of"),
            ctx.t("fund-value"),
            ctx.t("fund-valuation-method"),
            ctx.t("fund-entered-by"),
        ],
        rows: detail
            .valuations
            .iter()
            .map(|v| {
                let of = match v.holding_id {
                    Some(h) => holding_label(ctx, &detail.holdings, h),
                    None => ctx.t("fund-valuation-whole-fund"),
                };
                vec![
                    Cell::text(v.valued_on.clone()),
                    Cell::text(of),
                    Cell::text(money(v.amount_minor)),
                    Cell::text(v.method.clone().unwrap_or_default()),
                    Cell::text(v.entered_by.clone()),
                ]
            })
            .collect(),
        empty: ctx.t("fund-no-valuations"),
    }));
    if fresh(FundForm::Valuation) {
        page.push(Section::Heading(ctx.t(FundForm::Valuation.heading())));
        page.push(Section::Form(valuation_form(ctx, id, &detail, &default_values("valued_on"))));
    }

    page.push(Section::Heading(ctx.t("fund-notices")));
    page.push(notices_table(ctx, id, &notices));
    for (which, kind) in [(FundForm::Call, "call"), (FundForm::Distribution, "distribution")] {
        if fresh(which) {
            page.push(Section::Heading(ctx.t(which.heading())));
            page.push(Section::Form(notice_form(ctx, id, kind, &default_values("notice_date"))));
        }
    }

    page.push(Section::Heading(ctx.t("fund-ledger")));
    let mut columns = vec![
        ctx.t("fund-entry"),
        ctx.t("fund-date"),
        ctx.t("fund-entry-kind"),
        ctx.t("fund-component"),
        ctx.t("fund-amount"),
        ctx.t("fund-entry-party"),
        ctx.t("fund-memo"),
        ctx.t("fund-entered-by"),
    ];
    if keeps {
        columns.push(ctx.t("fund-correction"));
    }
    page.push(Section::Table(Table {
        caption: None,
        columns,
        rows: detail
            .entries
            .iter()
            .map(|e| {
                let party = match (e.partner_id, e.holding_id) {
                    (Some(p), _) => {
                        detail.partners.iter().find(|x| x.id == p).map(|x| x.name.clone()).unwrap_or_default()
                    }
                    (None, Some(h)) => holding_label(ctx, &detail.holdings, h),
                    _ => String::new(),
                };
                let mut kind = ctx.t(&format!("fund-flow-{}", e.kind.replace('_', "-")));
                if let Some(original) = e.reverses_id {
                    kind = ctx.t_args("fund-reversal-of", &[("kind", kind), ("id", original.to_string())]);
                }
                let mut row = vec![
                    Cell::text(format!("#{}", e.id)),
                    Cell::text(e.entry_date.clone()),
                    Cell::text(kind),
                    Cell::text(
                        e.component.as_deref().map(|c| ctx.t(&format!("fund-component-{c}"))).unwrap_or_default(),
                    ),
                    Cell::text(money(e.amount_minor)),
                    Cell::text(party),
                    Cell::text(e.memo.clone().unwrap_or_default()),
                    Cell::text(e.entered_by.clone()),
                ];
                if keeps {
                    let reversed_by = detail.entries.iter().find(|r| r.reverses_id == Some(e.id));
                    row.push(match reversed_by {
                        Some(r) => Cell::text(ctx.t_args("fund-reversed-by", &[("id", r.id.to_string())])),
                        None if e.reverses_id.is_none() && e.mirror_of_id.is_none() => {
                            Cell::button(ctx.t("fund-reverse"), format!("/funds/{id}/entries/{}/reversal", e.id))
                                .with_hidden(FORM_FIELD, form_token())
                                .with_confirm(ctx.t_args("fund-reverse-confirm", &[("id", e.id.to_string())]))
                        }
                        None => Cell::text(String::new()),
                    });
                }
                row
            })
            .collect(),
        empty: ctx.t("fund-no-entries"),
    }));
    if fresh(FundForm::Entry) {
        page.push(Section::Heading(ctx.t(FundForm::Entry.heading())));
        page.push(Section::Form(entry_form(ctx, id, &detail, &default_values("date"))));
    }
    if keeps {
        page.push(Section::Heading(ctx.t("fund-ledger-import")));
        let template =
            |format: &str, lang: &str| format!("/api/v1/funds/{id}/ledger/template?format={format}&lang={lang}");
        page.push(Section::Links(vec![
            Link::new(ctx.t("import-template-zh-xlsx"), template("xlsx", "zh")),
            Link::new(ctx.t("import-template-en-xlsx"), template("xlsx", "en")),
            Link::new(ctx.t("import-template-zh-csv"), template("csv", "zh")),
            Link::new(ctx.t("import-template-en-csv"), template("csv", "en")),
        ]));
        page.push(Section::Form(
            Form::post(format!("/funds/{id}/ledger/import"), ctx.t("import-submit"), &ctx.csrf)
                .field(
                    Field::new("file", ctx.t("import-file"), "file").required().hint(ctx.t("fund-ledger-import-hint")),
                )
                .multipart()
                .scoped("ledger-import"),
        ));
    }
    Ok(ctx.render_status(status, page))
}

/// Imports a ledger file into the fund (all of it or nothing; a file imported before
/// gets its first answer); the fund page with what was written, or every row at fault.
pub async fn import_ledger(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "fund")?;
    let actor = ctx.actor()?;
    let (status, notice) = match super::read_upload(&ctx, multipart).await? {
        None => (StatusCode::UNPROCESSABLE_ENTITY, Notice::error(ctx.t("import-no-file"))),
        Some((name, bytes)) => {
            let format = FileFormat::from_file_name(&name).unwrap_or_else(|| FileFormat::sniff(&bytes));
            let result = state.app.import_fund_ledger(actor, id, &bytes, format, &name).await;
            super::import_notice(&ctx, result, |outcome| {
                let key = if outcome.already_imported { "fund-ledger-imported-before" } else { "fund-ledger-imported" };
                ctx.t_args(
                    key,
                    &[
                        ("entries", outcome.entries.to_string()),
                        ("mirrored", outcome.mirrored.to_string()),
                        ("total", money(outcome.total_amount_minor)),
                        ("file", outcome.file_name),
                        ("at", outcome.imported_at),
                    ],
                )
            })?
        }
    };
    render_detail(&state, &ctx, id, &as_of_today(), status, Extra { notice: Some(notice), ..Extra::default() }).await
}

fn notices_table(ctx: &Ctx, fund: i64, notices: &[FundNotice]) -> Section {
    Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("fund-notice"),
            ctx.t("fund-notice-kind"),
            ctx.t("fund-notice-date"),
            ctx.t("fund-due-date"),
            ctx.t("fund-amount"),
        ],
        rows: notices
            .iter()
            .map(|n| {
                vec![
                    Cell::link(format!("#{}", n.id), format!("/funds/{fund}/notices/{}", n.id)),
                    Cell::text(ctx.t(&format!("fund-notice-{}", n.kind))),
                    Cell::text(n.notice_date.clone()),
                    Cell::text(n.due_date.clone()),
                    Cell::text(money(n.total_minor)),
                ]
            })
            .collect(),
        empty: ctx.t("fund-no-notices"),
    })
}

/// A partner: its commitment, performance, entries and notices.
pub async fn partner(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, partner)): Path<(String, String)>,
    Query(query): Query<AsOfQuery>,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "fund")?;
    let partner_id = parse_id(&ctx, &partner, "partner")?;
    let as_of = query.as_of(&ctx)?;
    let actor = ctx.actor()?;
    let detail = state.app.fund(actor, id).await.map_err(|e| ctx.fail(e))?;
    let p = detail
        .partners
        .iter()
        .find(|p| p.id == partner_id)
        .ok_or_else(|| ctx.fail(AppError::NotFound { what: "partner" }))?;
    let performance = state.app.fund_performance(actor, id, Some(&as_of)).await.map_err(|e| ctx.fail(e))?;
    let notices = state.app.notices(actor, id).await.map_err(|e| ctx.fail(e))?;
    let mut page = PageView::new(format!("{} — {}", p.name, detail.fund.name_zh));
    page.push(Section::Links(vec![Link::new(ctx.t("fund-back-to-fund"), fund_url(id))]));
    let mut facts = vec![
        (ctx.t("fund-partner-kind"), ctx.t(&format!("fund-partner-kind-{}", p.kind.replace('_', "-")))),
        (ctx.t("fund-committed-on"), p.committed_on.clone()),
        (ctx.t("fund-commitment"), money(p.commitment_minor)),
        (ctx.t("fund-contributed"), money(p.contributed_minor)),
        (ctx.t("fund-unfunded"), money(p.unfunded_minor)),
        (ctx.t("fund-as-of"), as_of.clone()),
    ];
    if let Some(lp) = performance.lps.iter().find(|l| l.party == partner_id) {
        facts.extend(multiples_facts(&ctx, &lp.multiples));
        facts.push((ctx.t("fund-net-irr"), irr(&ctx, &lp.net_irr)));
    }
    page.push(Section::Facts(facts));
    page.push(Section::Heading(ctx.t("fund-notices")));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("fund-notice"),
            ctx.t("fund-notice-kind"),
            ctx.t("fund-notice-date"),
            ctx.t("fund-amount"),
            ctx.t("fund-unfunded-after"),
            ctx.t("fund-paid"),
        ],
        rows: notices
            .iter()
            .filter_map(|n| n.lines.iter().find(|l| l.partner_id == partner_id).map(|l| (n, l)))
            .map(|(n, l)| {
                vec![
                    Cell::link(
                        format!("#{}", n.id),
                        format!("/funds/{id}/notices/{}/partners/{partner_id}/print", n.id),
                    ),
                    Cell::text(ctx.t(&format!("fund-notice-{}", n.kind))),
                    Cell::text(n.notice_date.clone()),
                    Cell::text(money(l.amount_minor)),
                    Cell::text(if n.kind == "call" { money(l.unfunded_after_minor) } else { String::new() }),
                    Cell::text(ctx.t(if l.paid { "yes" } else { "no" })),
                ]
            })
            .collect(),
        empty: ctx.t("fund-no-notices"),
    }));
    page.push(Section::Heading(ctx.t("fund-ledger")));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![ctx.t("fund-entry"), ctx.t("fund-date"), ctx.t("fund-entry-kind"), ctx.t("fund-amount")],
        rows: detail
            .entries
            .iter()
            .filter(|e| e.partner_id == Some(partner_id))
            .map(|e| {
                vec![
                    Cell::text(format!("#{}", e.id)),
                    Cell::text(e.entry_date.clone()),
                    Cell::text(ctx.t(&format!("fund-flow-{}", e.kind.replace('_', "-")))),
                    Cell::text(money(e.amount_minor)),
                ]
            })
            .collect(),
        empty: ctx.t("fund-no-entries"),
    }));
    Ok(ctx.render(page))
}

fn parts_text(ctx: &Ctx, parts: &std::collections::BTreeMap<&'static str, i64>) -> String {
    parts
        .iter()
        .map(|(k, v)| format!("{} {}", ctx.t(&format!("fund-component-{k}")), money(*v)))
        .collect::<Vec<_>>()
        .join("；")
}

/// A notice with its lines, the export and the printable page of each partner; for the
/// roles that keep the ledger, the form that records the payment of a call.
pub async fn notice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, notice)): Path<(String, String)>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "fund")?;
    let notice_id = parse_id(&ctx, &notice, "notice")?;
    let done = if query.paid.is_some() {
        Some(NoticeDone::Paid)
    } else if query.issued.is_some() {
        Some(NoticeDone::Issued)
    } else {
        None
    };
    render_notice(&state, &ctx, id, notice_id, StatusCode::OK, NoticeExtra { done, ..NoticeExtra::default() }).await
}

async fn render_notice(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    notice_id: i64,
    status: StatusCode,
    extra: NoticeExtra,
) -> Result<Response, PageError> {
    let notice = state.app.notice(ctx.actor()?, id, notice_id).await.map_err(|e| ctx.fail(e))?;
    let kind = ctx.t(&format!("fund-notice-{}", notice.kind));
    let mut page = PageView::new(format!("{kind} #{}", notice.id));
    if let Some(error) = extra.notice {
        page.push(Section::Notice(error));
    }
    match extra.done {
        Some(NoticeDone::Issued) => page.push(Section::Notice(Notice::success(
            ctx.t_args("fund-notice-issued", &[("count", notice.lines.len().to_string())]),
        ))),
        Some(NoticeDone::Paid) => page.push(Section::Notice(Notice::success(ctx.t("fund-payment-recorded")))),
        None => {}
    }
    let export = format!("/api/v1/funds/{id}/notices/{notice_id}/export");
    page.push(Section::Links(vec![
        Link::new(ctx.t("fund-back-to-fund"), fund_url(id)),
        Link::primary(ctx.t("fund-export-xlsx"), format!("{export}?format=xlsx&lang={}", ctx.lang.code())),
        Link::new(ctx.t("fund-export-csv"), format!("{export}?format=csv&lang={}", ctx.lang.code())),
    ]));
    page.push(Section::Facts(vec![
        (ctx.t("fund-notice-date"), notice.notice_date.clone()),
        (ctx.t("fund-due-date"), notice.due_date.clone()),
        (ctx.t("fund-amount"), money(notice.total_minor)),
        (ctx.t("fund-breakdown"), parts_text(ctx, &notice.parts)),
        (ctx.t("fund-memo"), notice.memo.clone().unwrap_or_default()),
    ]));
    let keys: Vec<&'static str> = notice.parts.keys().copied().collect();
    let mut columns = vec![ctx.t("fund-partner"), ctx.t("fund-commitment"), ctx.t("fund-amount")];
    columns.extend(keys.iter().map(|k| ctx.t(&format!("fund-component-{k}"))));
    columns.extend([ctx.t("fund-unfunded-after"), ctx.t("fund-paid"), ctx.t("fund-print")]);
    let mut rows: Vec<Vec<Cell>> = notice
        .lines
        .iter()
        .map(|l| {
            let mut row = vec![
                Cell::link(l.partner_name.clone(), format!("/funds/{id}/partners/{}", l.partner_id)),
                Cell::text(money(l.commitment_minor)),
                Cell::text(money(l.amount_minor)),
            ];
            row.extend(keys.iter().map(|k| Cell::text(money(l.parts.get(k).copied().unwrap_or(0)))));
            row.push(Cell::text(if notice.kind == "call" { money(l.unfunded_after_minor) } else { String::new() }));
            row.push(Cell::text(ctx.t(if l.paid { "yes" } else { "no" })));
            row.push(Cell::link(
                ctx.t("fund-print"),
                format!("/funds/{id}/notices/{notice_id}/partners/{}/print", l.partner_id),
            ));
            row
        })
        .collect();
    let mut total = vec![
        Cell::text(ctx.t("fund-total")),
        Cell::text(money(notice.lines.iter().map(|l| l.commitment_minor).sum())),
        Cell::text(money(notice.lines.iter().map(|l| l.amount_minor).sum())),
    ];
    total.extend(keys.iter().map(|k| Cell::text(money(notice.parts.get(k).copied().unwrap_or(0)))));
    total.extend([Cell::text(String::new()), Cell::text(String::new()), Cell::text(String::new())]);
    rows.push(total);
    page.push(Section::Table(Table {
        caption: Some(ctx.t("fund-allocation-rule")),
        columns,
        rows,
        empty: String::new(),
    }));
    if keeps_ledger(ctx) && notice.kind == "call" && notice.lines.iter().any(|l| !l.paid) {
        page.push(Section::Heading(ctx.t("fund-payment-new")));
        let form = extra.payment.unwrap_or_else(|| payment_form(ctx, id, &notice, &default_values("date")));
        page.push(Section::Form(form));
    }
    Ok(ctx.render_status(status, page))
}

/// One partner's notice, for paper.
pub async fn print_notice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, notice, partner)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "fund")?;
    let notice_id = parse_id(&ctx, &notice, "notice")?;
    let partner_id = parse_id(&ctx, &partner, "partner")?;
    let actor = ctx.actor()?;
    let notice = state.app.notice(actor, id, notice_id).await.map_err(|e| ctx.fail(e))?;
    let detail = state.app.fund(actor, id).await.map_err(|e| ctx.fail(e))?;
    let line = notice
        .lines
        .iter()
        .find(|l| l.partner_id == partner_id)
        .ok_or_else(|| ctx.fail(AppError::NotFound { what: "notice line" }))?;
    let kind = ctx.t(&format!("fund-notice-{}", notice.kind));
    let mut page = PageView::new(format!("{} {kind}", detail.fund.name_zh)).printable();
    page.push(Section::Facts(vec![
        (ctx.t("fund-to"), line.partner_name.clone()),
        (ctx.t("fund-notice"), format!("#{}", notice.id)),
        (ctx.t("fund-notice-date"), notice.notice_date.clone()),
        (ctx.t("fund-due-date"), notice.due_date.clone()),
        (ctx.t("fund-commitment"), money(line.commitment_minor)),
        (ctx.t("fund-amount"), money(line.amount_minor)),
    ]));
    let mut rows: Vec<Vec<Cell>> = line
        .parts
        .iter()
        .map(|(k, v)| vec![Cell::text(ctx.t(&format!("fund-component-{k}"))), Cell::text(money(*v))])
        .collect();
    rows.push(vec![Cell::text(ctx.t("fund-total")), Cell::text(money(line.amount_minor))]);
    if notice.kind == "call" {
        rows.push(vec![Cell::text(ctx.t("fund-unfunded-after")), Cell::text(money(line.unfunded_after_minor))]);
    }
    page.push(Section::Table(Table {
        caption: Some(ctx.t("fund-breakdown")),
        columns: vec![ctx.t("fund-component"), ctx.t("fund-amount")],
        rows,
        empty: String::new(),
    }));
    page.push(Section::Stamp(Stamp {
        authority: ctx.t("fund-manager-stamp"),
        lines: vec![(ctx.t("fund-notice-date"), notice.notice_date.clone())],
        seal: ctx.t("confirmation-stamp-seal"),
    }));
    Ok(ctx.render(page))
}

fn path_text(line: &Line) -> String {
    line.path
        .iter()
        .map(
            |s| {
                if s.share == Decimal::ONE {
                    s.name.clone()
                } else {
                    format!("{} ({})", s.name, percent(Some(s.share)))
                }
            },
        )
        .collect::<Vec<_>>()
        .join(" → ")
}

/// One KPI explained: its number, the rule set and every line behind it.
pub async fn kpi(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(String, String)>,
    Query(query): Query<AsOfQuery>,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "fund")?;
    let code = KpiCode::parse(&code).ok_or_else(|| ctx.fail(AppError::NotFound { what: "KPI" }))?;
    let as_of = query.as_of(&ctx)?;
    let report =
        state.app.fund_policy(ctx.actor()?, id, Some(&as_of), Some(code.code())).await.map_err(|e| ctx.fail(e))?;
    let kpi = report.kpi(code).ok_or_else(|| ctx.fail(AppError::NotFound { what: "KPI" }))?;
    let mut page = PageView::new(kpi_name(&ctx, code))
        .intro(ctx.t(&format!("fund-kpi-{}-explained", code.code().replace('_', "-"))));
    page.push(Section::Links(vec![Link::new(ctx.t("fund-back-to-fund"), format!("{}?as_of={as_of}", fund_url(id)))]));
    let mut facts = vec![
        (ctx.t("fund-as-of"), as_of.clone()),
        (ctx.t("fund-kpi-value"), kpi_value(code, kpi.value)),
        (ctx.t("fund-kpi-numerator"), money(kpi.numerator)),
        (ctx.t("fund-kpi-denominator"), money(kpi.denominator)),
        (ctx.t("fund-kpi-limit"), limit_text(kpi)),
        (ctx.t("fund-kpi-status"), status_name(&ctx, kpi.status)),
        (ctx.t("fund-rule-set"), report.rule_set.as_ref().map_or_else(|| "—".to_owned(), |(c, v)| format!("{c} v{v}"))),
    ];
    for (name, value) in &kpi.factors {
        facts.push((ctx.t(&format!("fund-factor-{}", name.replace('_', "-"))), value.normalize().to_string()));
    }
    page.push(Section::Facts(facts));
    for (side, heading) in [(Side::Numerator, "fund-kpi-numerator"), (Side::Denominator, "fund-kpi-denominator")] {
        let lines: Vec<&Line> = kpi.lines.iter().filter(|l| l.side == side).collect();
        if lines.is_empty() {
            continue;
        }
        page.push(Section::Heading(ctx.t(heading)));
        page.push(Section::Table(Table {
            caption: None,
            columns: vec![
                ctx.t("fund-line-path"),
                ctx.t("fund-line-label"),
                ctx.t("fund-line-basis"),
                ctx.t("fund-line-amount"),
                ctx.t("fund-line-weight"),
                ctx.t("fund-line-counted"),
                ctx.t("fund-line-evidence"),
                ctx.t("fund-line-entries"),
            ],
            rows: lines
                .iter()
                .map(|l| {
                    let entries = l.entries.iter().map(|e| format!("#{e}")).collect::<Vec<_>>().join(" ");
                    vec![
                        Cell::text(path_text(l)),
                        match l.company {
                            Some(company) => Cell::link(l.label.clone(), format!("/enterprises/{company}")),
                            None => Cell::text(l.label.clone()),
                        },
                        Cell::text(l.basis.clone()),
                        Cell::text(money(l.amount)),
                        Cell::text(l.weight.normalize().to_string()),
                        Cell::text(money(l.counted)),
                        Cell::text(l.evidence.join("；")),
                        match l.path.last() {
                            Some(step) if !entries.is_empty() => Cell::link(entries, fund_url(step.fund)),
                            _ => Cell::text(entries),
                        },
                    ]
                })
                .collect(),
            empty: String::new(),
        }));
    }
    Ok(ctx.render(page))
}

/// The fund's waterfall, with a distribution one may propose.
pub async fn waterfall(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<AsOfQuery>,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "fund")?;
    let as_of = query.as_of(&ctx)?;
    let date = query.date.clone().filter(|d| !d.trim().is_empty());
    let amount = query.amount.clone().filter(|a| !a.trim().is_empty());
    let mut page = PageView::new(ctx.t("fund-waterfall"));
    page.push(Section::Links(vec![Link::new(ctx.t("fund-back-to-fund"), fund_url(id))]));
    let mut form = Form::get(format!("/funds/{id}/waterfall"), ctx.t("fund-waterfall-run"))
        .field(Field::new("as_of", ctx.t("fund-as-of"), "date").value(as_of.clone()))
        .field(Field::new("date", ctx.t("fund-proposed-date"), "date").value(date.clone().unwrap_or_default()))
        .field(Field::new("amount", ctx.t("fund-proposed-amount"), "text").value(amount.clone().unwrap_or_default()));
    let proposed = match (&date, &amount) {
        (Some(d), Some(a)) => match bridgehead_domain::money::parse_major_units(a) {
            Ok(minor) => Some((d.clone(), minor)),
            Err(message) => {
                form.attach_errors(
                    ctx.lang,
                    &[bridgehead_domain::FieldError::new("amount", "money.invalid", message.to_string())],
                );
                None
            }
        },
        _ => None,
    };
    page.push(Section::Form(form));
    let result = state
        .app
        .fund_waterfall(ctx.actor()?, id, Some(&as_of), proposed.as_ref().map(|(d, a)| (d.as_str(), *a)))
        .await;
    let result = match result {
        Ok(result) => result,
        Err(AppError::Invalid(errors)) => {
            let text = errors.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；");
            page.push(Section::Notice(Notice::warning(text)));
            return Ok(ctx.render(page));
        }
        Err(other) => return Err(ctx.fail(other)),
    };
    let names: Vec<String> = result.partners.iter().map(|p| p.name.clone()).collect();
    for d in &result.result.distributions {
        page.push(Section::Heading(
            ctx.t_args("fund-waterfall-distribution", &[("date", d.date.to_string()), ("amount", money(d.amount))]),
        ));
        let mut columns = vec![ctx.t("fund-tier")];
        columns.extend(names.iter().cloned());
        let tiers: Vec<_> = {
            let mut t: Vec<_> = d.lines.iter().map(|l| l.tier).collect();
            t.sort();
            t.dedup();
            t
        };
        let mut rows: Vec<Vec<Cell>> = tiers
            .iter()
            .map(|tier| {
                let mut row = vec![Cell::text(ctx.t(&format!("fund-tier-{}", tier.code().replace('_', "-"))))];
                row.extend((0..names.len()).map(|p| {
                    Cell::text(money(
                        d.lines.iter().filter(|l| l.tier == *tier && l.partner == p).map(|l| l.amount).sum(),
                    ))
                }));
                row
            })
            .collect();
        let mut total = vec![Cell::text(ctx.t("fund-total"))];
        total.extend((0..names.len()).map(|p| Cell::text(money(d.total_for(p)))));
        rows.push(total);
        page.push(Section::Table(Table { caption: None, columns, rows, empty: String::new() }));
    }
    if result.result.distributions.is_empty() {
        page.push(Section::Notice(Notice::info(ctx.t("fund-waterfall-none"))));
    }
    if let Some(claw) = &result.result.clawback {
        page.push(Section::Notice(Notice::warning(ctx.t_args(
            "fund-clawback",
            &[("due", money(claw.due)), ("received", money(claw.received)), ("entitled", money(claw.entitled))],
        ))));
    }
    Ok(ctx.render(page))
}

// ---------------------------------------------------------------------------------
// The forms of the ledger keepers.

/// Whether the visitor keeps fund ledgers (and gets their forms).
fn keeps_ledger(ctx: &Ctx) -> bool {
    ctx.role_is(LEDGER_KEEPERS)
}

/// What the fund page shows beyond the fund.
#[derive(Default)]
struct Extra {
    /// Why a form was refused.
    notice: Option<Notice>,
    /// What a form just recorded.
    recorded: Option<Done>,
    /// A refused form, shown under the notice with what was typed and its errors (and
    /// not again in its usual place).
    refused: Option<(FundForm, Form)>,
}

/// The forms of the fund page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FundForm {
    Entry,
    Valuation,
    Call,
    Distribution,
}

impl FundForm {
    fn heading(self) -> &'static str {
        match self {
            Self::Entry => "fund-entry-new",
            Self::Valuation => "fund-valuation-new",
            Self::Call => "fund-call-new",
            Self::Distribution => "fund-distribution-new",
        }
    }
}

enum Done {
    Entry(i64),
    Reversal(i64),
    Valuation(i64),
}

#[derive(Default)]
struct NoticeExtra {
    notice: Option<Notice>,
    done: Option<NoticeDone>,
    payment: Option<Form>,
}

enum NoticeDone {
    Issued,
    Paid,
}

/// A form's values as typed (by field name).
type Values = HashMap<String, String>;

/// The values of a new form: `date_field` set to today (in China).
fn default_values(date_field: &str) -> Values {
    HashMap::from([(date_field.to_owned(), bridgehead_app::projects::today_in_china().to_string())])
}

fn value(values: &Values, name: &str) -> String {
    values.get(name).cloned().unwrap_or_default()
}

/// The form's one-time token: the one it was sent with, or a new one.
fn token_field(values: &Values) -> Field {
    let token = values.get(FORM_FIELD).filter(|t| !t.is_empty()).cloned().unwrap_or_else(form_token);
    Field::new(FORM_FIELD, "", "hidden").value(token)
}

fn text_field(values: &Values, name: &str, label: String, kind: &'static str) -> Field {
    Field::new(name, label, kind).value(value(values, name))
}

fn money_field(ctx: &Ctx, values: &Values, name: &str, label: String) -> Field {
    text_field(values, name, label, "text").hint(ctx.t("hint-yuan"))
}

fn select_field(values: &Values, name: &str, label: String, options: Vec<(String, String)>) -> Field {
    let chosen = vec![value(values, name)];
    Field::new(name, label, "select").options(options, &chosen)
}

/// A holding as the pages name it: the sub-fund or enterprise it is, with its number.
fn holding_label(ctx: &Ctx, holdings: &[HoldingRow], id: i64) -> String {
    let what = match holdings.iter().find(|h| h.id == id) {
        Some(HoldingRow { sub_fund_id: Some(sub), .. }) => ctx.t_args("fund-sub-fund", &[("id", sub.to_string())]),
        Some(HoldingRow { enterprise_id: Some(e), .. }) => ctx.t_args("fund-enterprise", &[("id", e.to_string())]),
        _ => String::new(),
    };
    format!("#{id} {what}").trim_end().to_owned()
}

fn partner_options(ctx: &Ctx, detail: &FundDetail, blank: &str) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), ctx.t(blank))];
    options.extend(detail.partners.iter().map(|p| (p.id.to_string(), p.name.clone())));
    options
}

fn holding_options(ctx: &Ctx, detail: &FundDetail, blank: &str) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), ctx.t(blank))];
    options.extend(detail.holdings.iter().map(|h| (h.id.to_string(), holding_label(ctx, &detail.holdings, h.id))));
    options
}

/// The form that records a ledger entry.
fn entry_form(ctx: &Ctx, id: i64, detail: &FundDetail, values: &Values) -> Form {
    let kinds = FlowKind::ALL
        .iter()
        .map(|k| (k.code().to_owned(), ctx.t(&format!("fund-flow-{}", k.code().replace('_', "-")))))
        .collect();
    let mut components = vec![(String::new(), ctx.t("fund-none-option"))];
    components
        .extend(Component::ALL.iter().map(|c| (c.code().to_owned(), ctx.t(&format!("fund-component-{}", c.code())))));
    Form::post(format!("/funds/{id}/entries"), ctx.t("fund-entry-submit"), &ctx.csrf)
        .field(text_field(values, "date", ctx.t("fund-date"), "date").required())
        .field(select_field(values, "kind", ctx.t("fund-entry-kind"), kinds).hint(ctx.t("fund-entry-kind-hint")))
        .field(money_field(ctx, values, "amount", ctx.t("fund-amount")).required())
        .field(select_field(
            values,
            "partner_id",
            ctx.t("fund-partner"),
            partner_options(ctx, detail, "fund-none-option"),
        ))
        .field(select_field(
            values,
            "holding_id",
            ctx.t("fund-holding"),
            holding_options(ctx, detail, "fund-none-option"),
        ))
        .field(select_field(values, "component", ctx.t("fund-component"), components))
        .field(text_field(values, "memo", ctx.t("fund-memo"), "text"))
        .field(token_field(values))
        .scoped("entry")
}

/// The form that records a valuation of the fund or of one holding.
fn valuation_form(ctx: &Ctx, id: i64, detail: &FundDetail, values: &Values) -> Form {
    Form::post(format!("/funds/{id}/valuations"), ctx.t("fund-valuation-submit"), &ctx.csrf)
        .field(text_field(values, "valued_on", ctx.t("fund-valuation-date"), "date").required())
        .field(select_field(
            values,
            "holding_id",
            ctx.t("fund-valuation-of"),
            holding_options(ctx, detail, "fund-valuation-whole-fund"),
        ))
        .field(money_field(ctx, values, "amount", ctx.t("fund-value")).required())
        .field(text_field(values, "method", ctx.t("fund-valuation-method"), "text"))
        .field(token_field(values))
        .scoped("valuation")
}

/// The parts of a notice of `kind` (SPEC §5): a call's investment, fees and expenses; a
/// distribution's capital, gain and income.
fn notice_parts(kind: &str) -> &'static [Component] {
    if kind == "call" { FlowKind::Contribution.components() } else { FlowKind::Distribution.components() }
}

/// The form that issues a capital call or a distribution notice.
fn notice_form(ctx: &Ctx, id: i64, kind: &str, values: &Values) -> Form {
    let mut form = Form::post(format!("/funds/{id}/notices"), ctx.t(&format!("fund-{kind}-submit")), &ctx.csrf)
        .field(Field::new("kind", "", "hidden").value(kind))
        .field(text_field(values, "notice_date", ctx.t("fund-notice-date"), "date").required())
        .field(
            text_field(values, "due_date", ctx.t("fund-due-date"), "date").required().hint(ctx.t("fund-due-date-hint")),
        )
        .field(
            money_field(ctx, values, "total", ctx.t("fund-notice-total"))
                .required()
                .hint(ctx.t("fund-notice-total-hint")),
        );
    for part in notice_parts(kind) {
        form = form.field(money_field(ctx, values, part.code(), ctx.t(&format!("fund-part-{}", part.code()))));
    }
    form.field(text_field(values, "memo", ctx.t("fund-memo"), "text")).field(token_field(values)).scoped(kind)
}

/// The form that records the payment of a call: by every partner that has not paid, or one.
fn payment_form(ctx: &Ctx, id: i64, notice: &FundNotice, values: &Values) -> Form {
    let mut partners = vec![(String::new(), ctx.t("fund-payment-everyone"))];
    partners
        .extend(notice.lines.iter().filter(|l| !l.paid).map(|l| (l.partner_id.to_string(), l.partner_name.clone())));
    Form::post(format!("/funds/{id}/notices/{}/payments", notice.id), ctx.t("fund-payment-submit"), &ctx.csrf)
        .field(text_field(values, "date", ctx.t("fund-payment-date"), "date").required())
        .field(select_field(values, "partner_id", ctx.t("fund-partner"), partners))
        .field(token_field(values))
}

/// The trimmed text of a field, `None` when blank.
fn given(values: &Values, name: &str) -> Option<String> {
    values.get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// An amount in yuan as fen: `None` when blank (an error when `required`); the error
/// names the field.
fn yuan(values: &Values, name: &str, required: bool, errors: &mut FieldErrors) -> Option<i64> {
    let Some(text) = given(values, name) else {
        if required {
            errors.push(FieldError::new(name, "required", "an amount in yuan is required"));
        }
        return None;
    };
    match bridgehead_domain::money::parse_major_units(&text) {
        Ok(minor) if minor < 0 => {
            errors.push(FieldError::new(name, "amount.negative", "an amount cannot be negative").with_value(&text));
            None
        }
        Ok(minor) => Some(minor),
        Err(message) => {
            errors.push(FieldError::new(name, "amount.format", message).with_value(&text));
            None
        }
    }
}

/// The number chosen in a select, `None` when blank; the error names the field.
fn chosen_id(values: &Values, name: &str, errors: &mut FieldErrors) -> Option<i64> {
    let text = given(values, name)?;
    match text.parse::<i64>() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push(FieldError::new(name, "fund.reference", format!("'{text}' is not one of the choices")));
            None
        }
    }
}

/// The use case's field names as the forms name them: amounts in fen (`amount_minor`,
/// `investment_minor`, …) are typed in yuan under the name without `_minor`.
fn form_field_errors(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|mut e| {
            if let Some(base) = e.field.strip_suffix("_minor") {
                e.field = base.to_owned();
            }
            e
        })
        .collect()
}

/// A refused form: its status, the form with each error by its field and the notice
/// above it; `None` for errors that are not the form's (they become error pages).
fn refused_form(ctx: &Ctx, error: &AppError, mut form: Form) -> Option<(StatusCode, Form, Notice)> {
    let (status, errors) = form_errors(error)?;
    let unplaced = place_errors(ctx, &mut [&mut form], &form_field_errors(errors));
    Some((status, form, error_notice(ctx, error, &unplaced)))
}

/// The fund page again after `form` (one of its forms, `which`) was refused: the form
/// with what was typed and each message by its field, under the notice; errors that are
/// not the form's become error pages.
async fn refused_on_fund_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    error: AppError,
    which: FundForm,
    form: Form,
) -> Result<Response, PageError> {
    let Some((status, form, notice)) = refused_form(ctx, &error, form) else {
        return Err(ctx.fail(error));
    };
    let extra = Extra { notice: Some(notice), refused: Some((which, form)), ..Extra::default() };
    render_detail(state, ctx, id, &as_of_today(), status, extra).await
}

fn as_of_today() -> String {
    bridgehead_app::projects::today_in_china().to_string()
}

/// Records a ledger entry from the form; back to the fund page.
pub async fn record_entry(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "fund")?;
    let values = form_map(&body);
    let mut errors = FieldErrors::default();
    let amount = yuan(&values, "amount", true, &mut errors);
    let partner_id = chosen_id(&values, "partner_id", &mut errors);
    let holding_id = chosen_id(&values, "holding_id", &mut errors);
    let result = match amount {
        Some(amount_minor) if errors.is_empty() => {
            let input = EntryInput {
                date: value(&values, "date").trim().to_owned(),
                kind: value(&values, "kind"),
                amount_minor,
                component: given(&values, "component"),
                partner_id,
                holding_id,
                memo: given(&values, "memo"),
            };
            state.app.record_entry(ctx.actor()?, id, &input).await
        }
        _ => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(entry) => Ok(Redirect::to(&format!("/funds/{id}?entry={}", entry.id)).into_response()),
        Err(error) => {
            let detail = state.app.fund(ctx.actor()?, id).await.map_err(|e| ctx.fail(e))?;
            let form = entry_form(&ctx, id, &detail, &values);
            refused_on_fund_page(&state, &ctx, id, error, FundForm::Entry, form).await
        }
    }
}

/// Reverses an entry (the button of its ledger row), dated today unless the form says
/// otherwise; back to the fund page.
pub async fn reverse_entry(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, entry)): Path<(String, String)>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "fund")?;
    let entry = parse_id(&ctx, &entry, "entry")?;
    let values = form_map(&body);
    let date = given(&values, "date").unwrap_or_else(as_of_today);
    let memo = given(&values, "memo");
    match state.app.reverse_entry(ctx.actor()?, id, entry, &date, memo.as_deref()).await {
        Ok(reversal) => Ok(Redirect::to(&format!("/funds/{id}?reversal={}", reversal.id)).into_response()),
        Err(error) => {
            let Some((status, errors)) = form_errors(&error) else {
                return Err(ctx.fail(error));
            };
            let messages: Vec<String> =
                errors.iter().map(|e| ctx.lang.error_message(e.code, &e.params, &e.message)).collect();
            let text =
                ctx.t_args("fund-reversal-refused", &[("id", entry.to_string()), ("reason", messages.join("; "))]);
            let extra = Extra { notice: Some(Notice::error(text)), ..Extra::default() };
            render_detail(&state, &ctx, id, &as_of_today(), status, extra).await
        }
    }
}

/// Records a valuation from the form; back to the fund page.
pub async fn record_valuation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "fund")?;
    let values = form_map(&body);
    let mut errors = FieldErrors::default();
    let amount = yuan(&values, "amount", true, &mut errors);
    let holding_id = chosen_id(&values, "holding_id", &mut errors);
    let result = match amount {
        Some(amount_minor) if errors.is_empty() => {
            let valued_on = value(&values, "valued_on");
            let method = given(&values, "method");
            state
                .app
                .record_valuation(ctx.actor()?, id, holding_id, valued_on.trim(), amount_minor, method.as_deref())
                .await
        }
        _ => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(valuation) => Ok(Redirect::to(&format!("/funds/{id}?valuation={}", valuation.id)).into_response()),
        Err(error) => {
            let detail = state.app.fund(ctx.actor()?, id).await.map_err(|e| ctx.fail(e))?;
            let form = valuation_form(&ctx, id, &detail, &values);
            refused_on_fund_page(&state, &ctx, id, error, FundForm::Valuation, form).await
        }
    }
}

/// Issues a capital call or a distribution notice from the form: the total and its parts
/// (the parts must add up to the total); on to the notice's page.
pub async fn issue_notice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "fund")?;
    let values = form_map(&body);
    let mut errors = FieldErrors::default();
    let kind = match value(&values, "kind").as_str() {
        "distribution" => "distribution",
        "call" => "call",
        other => {
            errors.push(FieldError::new("kind", "fund.notice_kind", "kind is call or distribution").with_value(other));
            "call"
        }
    };
    let total = yuan(&values, "total", true, &mut errors);
    let parts: Vec<(Component, i64)> = notice_parts(kind)
        .iter()
        .map(|part| (*part, yuan(&values, part.code(), false, &mut errors).unwrap_or(0)))
        .collect();
    let sum = parts.iter().try_fold(0_i64, |sum, (_, amount)| sum.checked_add(*amount));
    if let (Some(total), Some(sum)) = (total, sum)
        && errors.is_empty()
        && total != sum
    {
        errors.push(
            FieldError::new(
                "total",
                "fund.parts_total",
                format!("the parts add up to {}, not to the total of {}", money(sum), money(total)),
            )
            .with_param("sum", money(sum))
            .with_param("total", money(total)),
        );
    }
    let result = if errors.is_empty() {
        let part = |component: Component| parts.iter().find(|(c, _)| *c == component).map_or(0, |(_, a)| *a);
        let input = NoticeInput {
            kind: kind.to_owned(),
            notice_date: value(&values, "notice_date").trim().to_owned(),
            due_date: value(&values, "due_date").trim().to_owned(),
            investment_minor: part(Component::Investment),
            fees_minor: part(Component::Fees),
            expenses_minor: part(Component::Expenses),
            capital_minor: part(Component::Capital),
            gain_minor: part(Component::Gain),
            income_minor: part(Component::Income),
            memo: given(&values, "memo"),
        };
        state.app.issue_notice(ctx.actor()?, id, &input).await
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(notice) => Ok(Redirect::to(&format!("/funds/{id}/notices/{}?issued=1", notice.id)).into_response()),
        Err(error) => {
            let form = notice_form(&ctx, id, kind, &values);
            let which = if kind == "call" { FundForm::Call } else { FundForm::Distribution };
            refused_on_fund_page(&state, &ctx, id, error, which, form).await
        }
    }
}

/// Records the payment of a call (by every partner that has not paid it, or by one) from
/// the form on the notice's page; back to that page.
pub async fn pay_call(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, notice)): Path<(String, String)>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "fund")?;
    let notice_id = parse_id(&ctx, &notice, "notice")?;
    let values = form_map(&body);
    let mut errors = FieldErrors::default();
    let partner_id = chosen_id(&values, "partner_id", &mut errors);
    let result = if errors.is_empty() {
        let date = value(&values, "date");
        state.app.pay_call(ctx.actor()?, id, notice_id, partner_id, date.trim()).await
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/funds/{id}/notices/{notice_id}?paid=1")).into_response()),
        Err(error) => {
            let notice = state.app.notice(ctx.actor()?, id, notice_id).await.map_err(|e| ctx.fail(e))?;
            let form = payment_form(&ctx, id, &notice, &values);
            let Some((status, form, notice)) = refused_form(&ctx, &error, form) else {
                return Err(ctx.fail(error));
            };
            let extra = NoticeExtra { notice: Some(notice), payment: Some(form), ..NoticeExtra::default() };
            render_notice(&state, &ctx, id, notice_id, status, extra).await
        }
    }
}
