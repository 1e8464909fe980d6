//! Fund pages (SPEC §5): the funds you may see; a fund with its tree, policy KPIs and
//! alerts, performance (with a chart), partners, holdings, ledger and notices; a
//! partner (LP) page; a notice with its export and a printable page per partner; the
//! explanation of one KPI down to the ledger entries behind it; the waterfall.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use bridgehead_app::AppError;
use bridgehead_app::funds::Notice as FundNotice;
use bridgehead_domain::funds::performance::{Irr, Multiples, Performance};
use bridgehead_domain::funds::policy::{Kpi, KpiCode, Line, Side, Status};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;

use super::projects::{money, parse_id};
use super::{Cell, Chart, Ctx, Field, Form, Link, Notice, PageError, PageView, Section, Stamp, Table};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct AsOfQuery {
    pub as_of: Option<String>,
    pub date: Option<String>,
    pub amount: Option<String>,
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

/// A fund: its tree, KPIs, performance, partners, holdings, ledger and notices.
pub async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<AsOfQuery>,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "fund")?;
    let as_of = query.as_of(&ctx)?;
    let actor = ctx.actor()?;
    let detail = state.app.fund(actor, id).await.map_err(|e| ctx.fail(e))?;
    let overview = state.app.fund_overview(actor, id, Some(&as_of)).await.map_err(|e| ctx.fail(e))?;
    let series = state.app.fund_performance_series(actor, id, Some(&as_of)).await.map_err(|e| ctx.fail(e))?;
    let notices = state.app.notices(actor, id).await.map_err(|e| ctx.fail(e))?;
    let f = &detail.fund;
    let mut page = PageView::new(f.name_zh.clone());
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
                ("kpi", kpi_name(&ctx, alert.kpi)),
                ("status", status_name(&ctx, alert.status)),
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
                    Cell::link(kpi_name(&ctx, k.code), format!("/funds/{id}/kpis/{}?as_of={as_of}", k.code.code())),
                    Cell::text(kpi_value(k.code, k.value)),
                    Cell::text(money(k.numerator)),
                    Cell::text(money(k.denominator)),
                    Cell::text(limit_text(k)),
                    Cell::text(status_name(&ctx, k.status)),
                ]
            })
            .collect(),
        empty: String::new(),
    }));

    // Performance.
    let root = overview.funds.iter().find(|n| n.id == id);
    page.push(Section::Heading(ctx.t("fund-performance")));
    if let Some(root) = root {
        page.push(Section::Facts(performance_facts(&ctx, &root.performance)));
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
                        Cell::text(irr(&ctx, &n.performance.net_irr)),
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

    page.push(Section::Heading(ctx.t("fund-notices")));
    page.push(notices_table(&ctx, id, &notices));

    page.push(Section::Heading(ctx.t("fund-ledger")));
    page.push(Section::Table(Table {
        caption: None,
        columns: vec![
            ctx.t("fund-entry"),
            ctx.t("fund-date"),
            ctx.t("fund-entry-kind"),
            ctx.t("fund-component"),
            ctx.t("fund-amount"),
            ctx.t("fund-entry-party"),
            ctx.t("fund-entered-by"),
        ],
        rows: detail
            .entries
            .iter()
            .map(|e| {
                let party = match (e.partner_id, e.holding_id) {
                    (Some(p), _) => {
                        detail.partners.iter().find(|x| x.id == p).map(|x| x.name.clone()).unwrap_or_default()
                    }
                    (None, Some(h)) => format!("#{h}"),
                    _ => String::new(),
                };
                let mut kind = ctx.t(&format!("fund-flow-{}", e.kind.replace('_', "-")));
                if let Some(original) = e.reverses_id {
                    kind = ctx.t_args("fund-reversal-of", &[("kind", kind), ("id", original.to_string())]);
                }
                vec![
                    Cell::text(format!("#{}", e.id)),
                    Cell::text(e.entry_date.clone()),
                    Cell::text(kind),
                    Cell::text(e.component.clone().unwrap_or_default()),
                    Cell::text(money(e.amount_minor)),
                    Cell::text(party),
                    Cell::text(e.entered_by.clone()),
                ]
            })
            .collect(),
        empty: ctx.t("fund-no-entries"),
    }));
    Ok(ctx.render(page))
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

/// A notice with its lines, the export and the printable page of each partner.
pub async fn notice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, notice)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = parse_id(&ctx, &id, "fund")?;
    let notice_id = parse_id(&ctx, &notice, "notice")?;
    let notice = state.app.notice(ctx.actor()?, id, notice_id).await.map_err(|e| ctx.fail(e))?;
    let kind = ctx.t(&format!("fund-notice-{}", notice.kind));
    let mut page = PageView::new(format!("{kind} #{}", notice.id));
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
        (ctx.t("fund-breakdown"), parts_text(&ctx, &notice.parts)),
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
    Ok(ctx.render(page))
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
