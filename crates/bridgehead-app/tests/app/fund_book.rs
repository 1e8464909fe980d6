//! The fund book (the funds' data each process keeps in memory) against the database:
//! every answer reflects every change committed before it — made through this process,
//! another process on the same database, or the registry (a company's region) — and a
//! book brought up to date change by change answers exactly as one built afresh.
//! Amounts are written yuan_cents.
#![allow(clippy::inconsistent_digit_grouping)]

use bridgehead_app::fund_policy::FundTerms;
use bridgehead_app::funds::{EntryInput, FundInput, HoldingInput, PartnerInput};
use bridgehead_app::{App, AppError};
use bridgehead_domain::funds::policy::{KpiCode, PolicyTerms, Qualification, Rules, Side, Weighting};
use bridgehead_testkit::fixtures::enterprise_fields;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::common::{admin, setup};

const AS_OF: &str = "2025-12-31";

fn fund_input(name: &str, kind: &str) -> FundInput {
    FundInput {
        name_zh: name.to_owned(),
        name_en: None,
        kind: kind.to_owned(),
        manager_organization_id: None,
        currency_code: None,
        target_size_minor: 100_000_000_00,
        vintage: 2023,
        investment_years: 5,
        term_years: 8,
        home_region_code: "330400".to_owned(),
        focus_industries: Vec::new(),
    }
}

fn partner(name: &str, investor: Option<i64>, commitment_minor: i64) -> PartnerInput {
    PartnerInput {
        name: name.to_owned(),
        kind: if investor.is_some() { "fund" } else { "social" }.to_owned(),
        investor_fund_id: investor,
        commitment_minor,
        committed_on: "2023-01-10".to_owned(),
    }
}

fn entry(kind: &str, date: &str, amount_minor: i64, partner_id: Option<i64>, holding_id: Option<i64>) -> EntryInput {
    EntryInput {
        date: date.to_owned(),
        kind: kind.to_owned(),
        amount_minor,
        component: None,
        partner_id,
        holding_id,
        memo: None,
    }
}

/// The overview as another process would answer it: a book built afresh.
async fn fresh(app: &App, root: i64) -> serde_json::Value {
    let other = App::new(app.store.clone(), app.access.clone());
    serde_json::to_value(other.fund_overview(&admin(), root, Some(AS_OF)).await.unwrap()).unwrap()
}

async fn overview(app: &App, root: i64) -> serde_json::Value {
    serde_json::to_value(app.fund_overview(&admin(), root, Some(AS_OF)).await.unwrap()).unwrap()
}

/// A root backing one sub-fund that holds a company outside the local region, with a
/// rule set that counts local registration.
async fn small_tree(app: &App) -> (i64, i64, i64, i64, i64) {
    let admin = admin();
    app.ensure_reference_data().await.unwrap();
    let company = app.create_enterprise(&admin, &enterprise_fields("310114", 1, "嘉定样例企业（示例）")).await.unwrap();
    let root = app.create_fund(&admin, &fund_input("母基金（示例）", "guidance")).await.unwrap().id;
    let sub = app.create_fund(&admin, &fund_input("子基金（示例）", "sub_fund")).await.unwrap().id;
    let gov = app.add_partner(&admin, root, &partner("财政（示例）", None, 1_000_000_00)).await.unwrap().id;
    let root_in_sub = app.add_partner(&admin, sub, &partner("母基金份额", Some(root), 400_000_00)).await.unwrap().id;
    app.add_partner(&admin, sub, &partner("社会资本（示例）", None, 600_000_00)).await.unwrap();
    let holding = app
        .add_holding(
            &admin,
            sub,
            &HoldingInput { enterprise_id: company.id, project_id: None, acquired_on: "2023-06-01".to_owned() },
        )
        .await
        .unwrap()
        .id;
    app.record_entry(&admin, root, &entry("contribution", "2023-02-01", 500_000_00, Some(gov), None)).await.unwrap();
    app.record_entry(&admin, sub, &entry("contribution", "2023-03-01", 200_000_00, Some(root_in_sub), None))
        .await
        .unwrap();
    let rules = Rules {
        local_region: "330400".to_owned(),
        key_industries: vec!["36".to_owned()],
        qualifies: Qualification::ALL.to_vec(),
        weighting: Weighting::LookThrough,
    };
    app.add_rule_set(&admin, "book-test", "测试规则（示例）", "2020-01-01", &rules).await.unwrap();
    let terms = FundTerms {
        policy: PolicyTerms { rule_set: Some("book-test".to_owned()), ..PolicyTerms::default() },
        waterfall: None,
    };
    app.set_fund_terms(&admin, root, None, &terms).await.unwrap();
    (root, sub, holding, company.id, root_in_sub)
}

fn paid_in(overview: &serde_json::Value, fund: i64) -> i64 {
    overview["funds"].as_array().unwrap().iter().find(|f| f["id"] == fund).unwrap()["performance"]["multiples"]["paid_in"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn every_answer_reflects_every_change_committed_before_it() {
    let (_db, app) = setup().await;
    let (root, sub, holding, company, root_in_sub) = small_tree(&app).await;
    let first = overview(&app, root).await;
    assert_eq!(paid_in(&first, sub), 200_000_00);
    assert_eq!(first, fresh(&app, root).await);

    // Another process records a contribution: this one's next answer has it.
    let other = App::new(app.store.clone(), app.access.clone());
    other
        .record_entry(&admin(), sub, &entry("contribution", "2024-01-05", 50_000_00, Some(root_in_sub), None))
        .await
        .unwrap();
    let second = overview(&app, root).await;
    assert_eq!(paid_in(&second, sub), 250_000_00);
    assert_eq!(second, fresh(&app, root).await);

    // An investment in the company, then the company moves into the local region in the
    // registry: local reinvestment counts it at the root's look-through share (40 %).
    app.record_entry(&admin(), sub, &entry("investment", "2024-02-01", 100_000_00, None, Some(holding))).await.unwrap();
    let local = |app: &App| {
        let app = app.clone();
        async move {
            let kpis = app.fund_policy(&admin(), root, Some(AS_OF), Some("local_reinvestment")).await.unwrap();
            kpis.kpi(KpiCode::LocalReinvestment).unwrap().numerator
        }
    };
    assert_eq!(local(&app).await, 0);
    let mut fields = enterprise_fields("310114", 1, "嘉定样例企业（示例）");
    fields.region_code = Some("330402".to_owned());
    other.update_enterprise(&admin(), company, None, &fields).await.unwrap();
    assert_eq!(local(&app).await, 40_000_00);
    assert_eq!(overview(&app, root).await, fresh(&app, root).await);

    // A refused change (above commitment) leaves no trace in the book.
    let refused = app
        .record_entry(&admin(), sub, &entry("contribution", "2024-03-01", 400_000_00, Some(root_in_sub), None))
        .await;
    assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
    assert_eq!(paid_in(&overview(&app, root).await, sub), 250_000_00);

    // The book reloaded changed funds only; it was built once.
    let status = app.fund_book.status().await;
    assert_eq!(status.builds, 1, "{status:?}");
    assert!(status.refreshes >= 3, "{status:?}");
}

#[tokio::test]
async fn a_book_kept_up_to_date_answers_as_one_built_afresh() {
    let (_db, app) = setup().await;
    let (root, first_sub, first_holding, _, first_stake) = small_tree(&app).await;
    let admin = admin();
    let mut companies = Vec::new();
    for n in 0..4 {
        let region = ["330402", "330411", "310114", "330421"][n];
        let fields = enterprise_fields(region, n + 10, &format!("样例企业{n}（示例）"));
        companies.push(app.create_enterprise(&admin, &fields).await.unwrap().id);
    }
    // (fund, its stake partner, its holdings, its holdings' companies)
    let mut subs = vec![(first_sub, first_stake, vec![first_holding], Vec::<i64>::new())];
    let mut rng = StdRng::seed_from_u64(20_260_521);
    for step in 0..40 {
        let pick = rng.random_range(0..subs.len());
        match rng.random_range(0..5) {
            // A new sub-fund backed by the root or by an existing sub-fund.
            0 if subs.len() < 6 => {
                let investor = if rng.random_bool(0.5) { root } else { subs[pick].0 };
                let id = app
                    .create_fund(&admin, &fund_input(&format!("子基金{step}（示例）"), "sub_fund"))
                    .await
                    .unwrap()
                    .id;
                let stake =
                    app.add_partner(&admin, id, &partner("上层基金份额", Some(investor), 300_000_00)).await.unwrap().id;
                app.add_partner(&admin, id, &partner("社会资本（示例）", None, 300_000_00)).await.unwrap();
                subs.push((id, stake, Vec::new(), Vec::new()));
            }
            // A holding in a company the fund does not hold yet.
            1 => {
                let (fund, _, holdings, held) = &mut subs[pick];
                if let Some(&company) = companies.iter().find(|c| !held.contains(c)) {
                    let input =
                        HoldingInput { enterprise_id: company, project_id: None, acquired_on: "2023-06-01".into() };
                    holdings.push(app.add_holding(&admin, *fund, &input).await.unwrap().id);
                    held.push(company);
                }
            }
            // An investment in one of its holdings.
            2 => {
                let (fund, _, holdings, _) = &subs[pick];
                if let Some(&holding) = holdings.last() {
                    let amount = rng.random_range(1..50_000) * 1_00;
                    app.record_entry(&admin, *fund, &entry("investment", "2024-04-01", amount, None, Some(holding)))
                        .await
                        .unwrap();
                }
            }
            // A contribution from its investing fund (refused when above commitment).
            3 => {
                let (fund, stake, _, _) = subs[pick];
                let amount = rng.random_range(1..200_000) * 1_00;
                let _ = app
                    .record_entry(&admin, fund, &entry("contribution", "2024-05-01", amount, Some(stake), None))
                    .await;
            }
            // A valuation of the fund.
            _ => {
                let (fund, _, _, _) = subs[pick];
                let amount = rng.random_range(1..900_000) * 1_00;
                let day = format!("2025-{:02}-{:02}", 1 + step / 28, 1 + step % 28);
                app.record_valuation(&admin, fund, None, &day, amount, None).await.unwrap();
            }
        }
        if step % 3 == 0 {
            assert_eq!(overview(&app, root).await, fresh(&app, root).await, "after step {step}");
        }
    }
    assert_eq!(overview(&app, root).await, fresh(&app, root).await);
    let kpis = app.fund_policy(&admin, root, Some(AS_OF), None).await.unwrap();
    let other = App::new(app.store.clone(), app.access.clone());
    let again = other.fund_policy(&admin, root, Some(AS_OF), None).await.unwrap();
    assert_eq!(serde_json::to_value(kpis).unwrap(), serde_json::to_value(again).unwrap());
}

/// A company's edit racing a new holding of it: whichever commits first, the book ends
/// with the holding and the company's new region. (On PostgreSQL the holding holds the
/// company until it commits, so an edit that began meanwhile sees the holding.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_company_edited_while_a_fund_takes_a_holding_in_it_is_not_missed() {
    use bridgehead_store::funds::{NewEntry, NewHolding, insert_entry, insert_holding};
    let (_db, app) = setup().await;
    let (root, sub, _, _, _) = small_tree(&app).await;
    let company =
        app.create_enterprise(&admin(), &enterprise_fields("310114", 7, "迁入样例企业（示例）")).await.unwrap().id;
    overview(&app, root).await;

    // The holding and its investment, not yet committed.
    let mut holding_tx = app.store.begin().await.unwrap();
    let holding = insert_holding(
        &mut holding_tx,
        &NewHolding {
            fund_id: sub,
            enterprise_id: Some(company),
            sub_fund_id: None,
            project_id: None,
            acquired_on: "2024-01-01",
            created_by: "test",
        },
    )
    .await
    .unwrap();
    let investment = NewEntry {
        fund_id: sub,
        entry_date: "2024-01-02",
        kind: "investment",
        amount_minor: 10_000_00,
        component: None,
        partner_id: None,
        holding_id: Some(holding.id),
        notice_id: None,
        reverses_id: None,
        mirror_of_id: None,
        memo: None,
        entered_by: "test",
        entered_by_user_id: None,
    };
    insert_entry(&mut holding_tx, &investment).await.unwrap();

    // Meanwhile the company moves into the local region, and commits after the holding.
    let store = app.store.clone();
    let edit = tokio::spawn(async move {
        let mut tx = store.begin().await.unwrap();
        sqlx::query("UPDATE enterprises SET region_code = '330402' WHERE id = $1")
            .bind(company)
            .execute(tx.conn())
            .await
            .unwrap();
        // Long enough for the book to be read between the two commits.
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
        tx.commit().await.unwrap();
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    holding_tx.commit().await.unwrap();
    overview(&app, root).await;
    edit.await.unwrap();

    let kpis = app.fund_policy(&admin(), root, Some(AS_OF), Some("local_reinvestment")).await.unwrap();
    let local = kpis.kpi(KpiCode::LocalReinvestment).unwrap();
    assert!(local.lines.iter().any(|l| l.company == Some(company) && l.side == Side::Numerator), "{local:?}");
    assert_eq!(overview(&app, root).await, fresh(&app, root).await);
}

/// A backup restored under a running server renews the feed's epoch: the book rebuilds
/// rather than trust versions of the data replaced.
#[tokio::test]
async fn a_new_epoch_rebuilds_the_book() {
    let (_db, app) = setup().await;
    let (root, ..) = small_tree(&app).await;
    overview(&app, root).await;
    overview(&app, root).await;
    assert_eq!(app.fund_book.status().await.builds, 1);
    let mut tx = app.store.begin().await.unwrap();
    bridgehead_store::fund_policy::renew_book_epoch(tx.conn()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(overview(&app, root).await, fresh(&app, root).await);
    assert_eq!(app.fund_book.status().await.builds, 2);
}
