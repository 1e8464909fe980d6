//! Performance and policy KPIs of a three-level fund tree: a guidance fund backing 10
//! funds that back 1,000 sub-funds holding 50,000 companies (50 each), with every
//! contribution, mirrored investment and company investment in the ledger.
//!
//!   cargo bench -p bridgehead-app --bench funds_tree -- DATABASE_URL [RUNS]
//!
//! Builds the tree in the (empty) database once, then times the first answer (which
//! builds the process's fund book) and, as medians of RUNS runs (default 20): the
//! calculations alone — each fund's performance and the root's look-through KPIs over
//! the book — the whole request a user makes, `App::fund_overview` (the feed's version,
//! access, policy inputs, the same calculations), and that request right after a new
//! ledger entry in a sub-fund (the book reloads the changed fund first).
//! Amounts are written yuan_cents.
#![allow(clippy::inconsistent_digit_grouping)]

use std::time::{Duration, Instant};

use bridgehead_app::{AccessSettings, Actor, App};
use bridgehead_domain::funds::policy::{PolicyTerms, Qualification, Rules, Weighting};
use bridgehead_store::funds::{NewEntry, NewFund, NewHolding, NewPartner};
use bridgehead_store::{Store, StoreOptions};

const MIDS: usize = 10;
const SUBS_PER_MID: usize = 100;
const HOLDINGS_PER_SUB: usize = 50;
const COMPANIES: usize = 500;

fn median_ms(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

fn fund<'a>(name: &'a str, kind: &'a str) -> NewFund<'a> {
    NewFund {
        name_zh: name,
        name_en: None,
        kind,
        manager_organization_id: None,
        currency_code: "CNY",
        target_size_minor: 1_000_000_000_00,
        vintage: 2022,
        investment_years: 5,
        term_years: 10,
        home_region_code: "330400",
        focus_industries: "",
        terms_json: "{}",
        created_by: "bench",
    }
}

#[allow(clippy::too_many_arguments)]
fn entry<'a>(
    fund_id: i64,
    date: &'a str,
    kind: &'a str,
    amount: i64,
    partner: Option<i64>,
    holding: Option<i64>,
    mirror_of: Option<i64>,
) -> NewEntry<'a> {
    NewEntry {
        fund_id,
        entry_date: date,
        kind,
        amount_minor: amount,
        component: None,
        partner_id: partner,
        holding_id: holding,
        notice_id: None,
        reverses_id: None,
        mirror_of_id: mirror_of,
        memo: None,
        entered_by: "bench",
        entered_by_user_id: None,
    }
}

/// Commits `investor`'s stake in `sub` (a partner and the holding) and pays `paid` of it
/// (the contribution and its mirrored investment).
async fn back(conn: &mut bridgehead_store::Conn, investor: i64, sub: i64, commitment: i64, paid: i64) {
    use bridgehead_store::funds as store;
    let partner = store::insert_partner(
        conn,
        &NewPartner {
            fund_id: sub,
            name: "investor",
            kind: "fund",
            investor_fund_id: Some(investor),
            commitment_minor: commitment,
            committed_on: "2022-06-30",
            created_by: "bench",
        },
    )
    .await
    .expect("partner");
    let holding = store::insert_holding(
        conn,
        &NewHolding {
            fund_id: investor,
            enterprise_id: None,
            sub_fund_id: Some(sub),
            project_id: None,
            acquired_on: "2022-06-30",
            created_by: "bench",
        },
    )
    .await
    .expect("holding");
    let paid_in =
        store::insert_entry(conn, &entry(sub, "2023-01-31", "contribution", paid, Some(partner.id), None, None))
            .await
            .expect("contribution");
    store::insert_entry(
        conn,
        &entry(investor, "2023-01-31", "investment", paid, None, Some(holding.id), Some(paid_in.id)),
    )
    .await
    .expect("mirror");
}

async fn outside_partner(conn: &mut bridgehead_store::Conn, fund_id: i64, commitment: i64, paid: i64) {
    use bridgehead_store::funds as store;
    let partner = store::insert_partner(
        conn,
        &NewPartner {
            fund_id,
            name: "social capital",
            kind: "social",
            investor_fund_id: None,
            commitment_minor: commitment,
            committed_on: "2022-06-30",
            created_by: "bench",
        },
    )
    .await
    .expect("partner");
    store::insert_entry(conn, &entry(fund_id, "2023-01-31", "contribution", paid, Some(partner.id), None, None))
        .await
        .expect("contribution");
}

async fn build(app: &App) -> i64 {
    use bridgehead_store::funds as store;
    let operator = Actor::system("bench");
    app.ensure_reference_data().await.expect("reference data");
    let mut companies = Vec::with_capacity(COMPANIES);
    for n in 0..COMPANIES {
        let region = ["330402", "330411", "330421", "310114"][n % 4];
        let fields = bridgehead_testkit::fixtures::enterprise_fields(region, n + 1, &format!("基准企业{n}（示例）"));
        companies.push(app.create_enterprise(&operator, &fields).await.expect("enterprise").id);
    }
    let mut tx = app.store.begin().await.expect("begin");
    let root = store::insert_fund(&mut tx, &fund("基准引导基金", "guidance")).await.expect("root").id;
    outside_partner(&mut tx, root, 500_000_000_00, 300_000_000_00).await;
    let mut holdings = 0;
    for m in 0..MIDS {
        let mid_name = format!("基准专项基金{m}");
        let mid = store::insert_fund(&mut tx, &fund(&mid_name, "special")).await.expect("mid").id;
        back(&mut tx, root, mid, 20_000_000_00, 12_000_000_00).await;
        outside_partner(&mut tx, mid, 80_000_000_00, 48_000_000_00).await;
        for s in 0..SUBS_PER_MID {
            let sub_name = format!("基准子基金{m}-{s}");
            let sub = store::insert_fund(&mut tx, &fund(&sub_name, "sub_fund")).await.expect("sub").id;
            back(&mut tx, mid, sub, 300_000_00 + (s as i64) * 1_000_00, 200_000_00).await;
            outside_partner(&mut tx, sub, 900_000_00, 600_000_00).await;
            for h in 0..HOLDINGS_PER_SUB {
                let company = companies[(m * 37 + s * 7 + h) % COMPANIES];
                let holding = store::insert_holding(
                    &mut tx,
                    &NewHolding {
                        fund_id: sub,
                        enterprise_id: Some(company),
                        sub_fund_id: None,
                        project_id: None,
                        acquired_on: "2023-03-01",
                        created_by: "bench",
                    },
                )
                .await
                .expect("holding");
                let amount = 10_000_00 + ((h * 7919 + s) % 5_000) as i64 * 1_00;
                store::insert_entry(
                    &mut tx,
                    &entry(sub, "2023-03-01", "investment", amount, None, Some(holding.id), None),
                )
                .await
                .expect("investment");
                holdings += 1;
            }
        }
    }
    tx.commit().await.expect("commit");
    println!("tree: 1 root, {MIDS} funds, {} sub-funds, {holdings} holdings", MIDS * SUBS_PER_MID);
    let rules = Rules {
        local_region: "330400".to_owned(),
        key_industries: vec!["34".to_owned(), "35".to_owned(), "39".to_owned()],
        qualifies: Qualification::ALL.to_vec(),
        weighting: Weighting::LookThrough,
    };
    app.add_rule_set(&operator, "bench", "基准规则", "2022-01-01", &rules).await.expect("rule set");
    let terms = bridgehead_app::fund_policy::FundTerms {
        policy: PolicyTerms { rule_set: Some("bench".to_owned()), ..PolicyTerms::default() },
        waterfall: None,
    };
    app.set_fund_terms(&operator, root, None, &terms).await.expect("terms");
    root
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let url = args.first().expect("usage: funds_tree DATABASE_URL [RUNS]").clone();
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(20);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let store = Store::connect(&url, &StoreOptions::default()).await.expect("open the database");
        store.migrate().await.expect("migrate");
        let app = App::new(store, AccessSettings::default());
        let operator = Actor::system("bench");
        let started = Instant::now();
        let root = build(&app).await;
        println!("build_s {:.1}", started.elapsed().as_secs_f64());
        let as_of = "2025-06-30";

        let date = time::Date::parse(as_of, &time::format_description::well_known::Iso8601::DATE).expect("date");

        // A process's first answer builds its fund book from the database.
        let t = Instant::now();
        app.fund_overview(&operator, root, Some(as_of)).await.expect("overview");
        let first_ms = t.elapsed().as_secs_f64() * 1000.0;
        let book = app.fund_book.current(&app.store).await.expect("book");
        let mut conn = app.store.read().await.expect("read");
        let root_row = &book.fund(root).expect("root").row;
        let inputs = bridgehead_app::fund_policy::policy_inputs(&mut conn, root_row, date).await.expect("inputs");
        drop(conn);
        let tree = book.tree(root);
        println!(
            "tree: {} funds, {} holdings, {} entries (book of {} funds)",
            tree.len(),
            tree.iter().map(|(f, _)| f.holdings.len()).sum::<usize>(),
            tree.iter().map(|(f, _)| f.entries.len()).sum::<usize>(),
            book.len()
        );
        let mut compute = Vec::new();
        let mut whole = Vec::new();
        let mut after_change = Vec::new();
        let mut answer = None;
        let sub = tree.last().expect("a sub-fund").0;
        let (sub_id, sub_holding) = (sub.row.id, sub.holdings[0].id);
        for run in 0..runs {
            let t = Instant::now();
            let overview = bridgehead_app::fund_policy::compute_overview(&book, root, date, &inputs).expect("compute");
            compute.push(t.elapsed());
            std::hint::black_box(&overview);
            let t = Instant::now();
            let overview = app.fund_overview(&operator, root, Some(as_of)).await.expect("overview");
            whole.push(t.elapsed());
            answer = Some(overview);
            // A new entry in a sub-fund three levels down: the next answer reloads that fund.
            let mut tx = app.store.begin().await.expect("begin");
            let day = format!("2024-01-{:02}", run % 28 + 1);
            bridgehead_store::funds::insert_entry(
                &mut tx,
                &entry(sub_id, &day, "investment", 1_000_00, None, Some(sub_holding), None),
            )
            .await
            .expect("entry");
            tx.commit().await.expect("commit");
            let t = Instant::now();
            let overview = app.fund_overview(&operator, root, Some(as_of)).await.expect("overview");
            after_change.push(t.elapsed());
            std::hint::black_box(&overview);
        }
        let overview = answer.expect("ran");
        let local = overview.policy.kpi(bridgehead_domain::funds::policy::KpiCode::LocalReinvestment).expect("kpi");
        println!(
            "funds {} / company lines {} / local reinvestment {:?} / leverage {:?}",
            overview.funds.len(),
            local.lines.iter().filter(|l| l.company.is_some()).count(),
            local.value,
            overview.policy.kpi(bridgehead_domain::funds::policy::KpiCode::LeverageCommitted).and_then(|k| k.value),
        );
        println!("first_overview_ms {first_ms:.1} (builds the fund book from the database)");
        println!("compute_ms median {:.1} (performance of every fund + look-through KPIs)", median_ms(compute));
        println!(
            "overview_ms median {:.1} (fund_overview: feed version, access, policy inputs, compute)",
            median_ms(whole)
        );
        println!(
            "overview_after_change_ms median {:.1} (fund_overview right after a new ledger entry in a sub-fund)",
            median_ms(after_change)
        );
    });
}
