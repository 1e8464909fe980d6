//! Funds (SPEC §5) through the use cases, on SQLite or PostgreSQL: notices that sum
//! exactly, contributions never above commitment (also under concurrency, enforced by
//! the database), an append-only ledger with reversals, the fund tree's mirrored
//! entries, performance, and who may see what. Amounts are written yuan_cents.
#![allow(clippy::inconsistent_digit_grouping)]

use bridgehead_app::funds::{EntryInput, FundInput, NoticeInput, PartnerInput};
use bridgehead_app::{Actor, App, AppError};
use bridgehead_domain::access::{Role, Scope};
use bridgehead_testkit::fixtures::world;

use crate::common::{actor, admin, setup};

fn fund_input(name: &str, manager: Option<i64>) -> FundInput {
    FundInput {
        name_zh: name.to_owned(),
        name_en: None,
        kind: "industry".to_owned(),
        manager_organization_id: manager,
        currency_code: None,
        target_size_minor: 100_000_000_00,
        vintage: 2023,
        investment_years: 5,
        term_years: 8,
        home_region_code: "330400".to_owned(),
        focus_industries: vec!["34".to_owned(), "35".to_owned()],
    }
}

fn partner(name: &str, kind: &str, commitment_minor: i64) -> PartnerInput {
    PartnerInput {
        name: name.to_owned(),
        kind: kind.to_owned(),
        investor_fund_id: None,
        commitment_minor,
        committed_on: "2023-01-10".to_owned(),
    }
}

fn contribution(partner_id: i64, date: &str, amount_minor: i64) -> EntryInput {
    EntryInput {
        date: date.to_owned(),
        kind: "contribution".to_owned(),
        amount_minor,
        component: None,
        partner_id: Some(partner_id),
        holding_id: None,
        memo: None,
    }
}

fn call(investment_minor: i64, fees_minor: i64) -> NoticeInput {
    NoticeInput {
        kind: "call".to_owned(),
        notice_date: "2023-03-01".to_owned(),
        due_date: "2023-03-15".to_owned(),
        investment_minor,
        fees_minor,
        expenses_minor: 0,
        capital_minor: 0,
        gain_minor: 0,
        income_minor: 0,
        memo: None,
    }
}

fn field_of(error: &AppError) -> (String, String, String) {
    match error {
        AppError::Invalid(errors) => {
            let e = &errors.0[0];
            (e.field.clone(), e.code.to_owned(), e.message.clone())
        }
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn notices_sum_exactly_and_performance_follows_the_ledger() {
    let (_db, app) = setup().await;
    let admin = admin();
    let fund = app.create_fund(&admin, &fund_input("测试产业基金（示例）", None)).await.unwrap();
    // Commitments 3 : 3 : 1 — a call of 100.00 has no exact split.
    let a = app.add_partner(&admin, fund.id, &partner("政府引导基金（示例）", "government", 300_000_00)).await.unwrap();
    let b = app.add_partner(&admin, fund.id, &partner("国有金控（示例）", "state_holding", 300_000_00)).await.unwrap();
    let g = app.add_partner(&admin, fund.id, &partner("管理人（示例）", "gp", 100_000_00)).await.unwrap();

    let notice = app.issue_notice(&admin, fund.id, &call(90_00, 10_00)).await.unwrap();
    let amounts: Vec<i64> = notice.lines.iter().map(|l| l.amount_minor).collect();
    assert_eq!(amounts.iter().sum::<i64>(), 100_00);
    for part in ["investment", "fees"] {
        assert_eq!(notice.lines.iter().map(|l| l.parts[part]).sum::<i64>(), notice.parts[part], "{part}");
    }
    // Investment 90.00: 38.57 1/7, 38.57 1/7, 12.85 5/7 — the cent left goes to the
    // largest remainder. Fees 10.00: 4.28 4/7, 4.28 4/7, 1.42 6/7 — two cents left: the
    // GP's 6/7 first, then of the two equal remainders (and equal commitments) the
    // earlier partner (the tie rule).
    assert_eq!(notice.lines.iter().map(|l| l.parts["investment"]).collect::<Vec<_>>(), vec![38_57, 38_57, 12_86]);
    assert_eq!(notice.lines.iter().map(|l| l.parts["fees"]).collect::<Vec<_>>(), vec![4_29, 4_28, 1_43]);
    assert!(notice.lines.iter().all(|l| !l.paid));
    assert_eq!(notice.lines[2].unfunded_after_minor, 100_000_00 - notice.lines[2].amount_minor);

    let paid = app.pay_call(&admin, fund.id, notice.id, None, "2023-03-10").await.unwrap();
    assert!(paid.lines.iter().all(|l| l.paid));
    let again = app.pay_call(&admin, fund.id, notice.id, None, "2023-03-11").await.unwrap();
    assert!(again.lines.iter().all(|l| l.paid), "paying twice records nothing more");
    let detail = app.fund(&admin, fund.id).await.unwrap();
    assert_eq!(detail.partners.iter().map(|p| p.contributed_minor).sum::<i64>(), 100_00);
    assert_eq!(detail.entries.len(), 6, "one contribution per partner and component");

    // A distribution of 70.00 capital and 7.00 gain: paid out at once, pro rata.
    let distribution = app
        .issue_notice(
            &admin,
            fund.id,
            &NoticeInput {
                kind: "distribution".to_owned(),
                notice_date: "2024-03-01".to_owned(),
                due_date: "2024-03-01".to_owned(),
                capital_minor: 70_00,
                gain_minor: 7_00,
                ..call(0, 0)
            },
        )
        .await
        .unwrap();
    assert_eq!(distribution.lines.iter().map(|l| l.amount_minor).sum::<i64>(), 77_00);
    app.record_valuation(&admin, fund.id, None, "2024-06-30", 60_00, Some("manager's valuation")).await.unwrap();

    let performance = app.fund_performance(&admin, fund.id, Some("2024-12-31")).await.unwrap();
    assert_eq!(performance.multiples.paid_in, 100_00);
    assert_eq!(performance.multiples.distributed, 77_00);
    assert_eq!(performance.multiples.nav, 60_00);
    assert_eq!(performance.multiples.tvpi, Some("1.37".parse().unwrap()));
    assert_eq!(performance.lps.len(), 3);
    assert_eq!(performance.lps.iter().map(|l| l.multiples.nav).sum::<i64>(), 60_00);
    assert!(performance.net_irr.rate.unwrap() > 0.2);
    let _ = (a, b, g);

    // A later call above what is left uncalled is refused, naming the partner.
    let error = app.issue_notice(&admin, fund.id, &call(700_000_00, 0)).await.unwrap_err();
    let (field, code, message) = field_of(&error);
    assert_eq!((field.as_str(), code.as_str()), ("total", "fund.call_above_commitment"));
    assert!(message.contains("政府引导基金（示例）"), "{message}");
}

#[tokio::test]
async fn a_contribution_above_commitment_is_refused_with_a_clear_error() {
    let (_db, app) = setup().await;
    let admin = admin();
    let fund = app.create_fund(&admin, &fund_input("承诺上限测试基金（示例）", None)).await.unwrap();
    let lp = app.add_partner(&admin, fund.id, &partner("社会资本（示例）", "social", 1_000_00)).await.unwrap();
    app.record_entry(&admin, fund.id, &contribution(lp.id, "2023-02-01", 600_00)).await.unwrap();
    let error = app.record_entry(&admin, fund.id, &contribution(lp.id, "2023-02-02", 400_01)).await.unwrap_err();
    let (field, code, message) = field_of(&error);
    assert_eq!((field.as_str(), code.as_str()), ("amount_minor", "fund.contribution_above_commitment"));
    assert!(
        message.contains("社会资本（示例）") && message.contains("1000.01") && message.contains("1000.00"),
        "{message}"
    );
    // Exactly up to the commitment is fine.
    app.record_entry(&admin, fund.id, &contribution(lp.id, "2023-02-02", 400_00)).await.unwrap();

    // Even straight into the table, past the application, the database refuses.
    let mut tx = app.store.begin().await.unwrap();
    let refused = bridgehead_store::funds::insert_entry(
        &mut tx,
        &bridgehead_store::funds::NewEntry {
            fund_id: fund.id,
            entry_date: "2023-02-03",
            kind: "contribution",
            amount_minor: 1,
            component: None,
            partner_id: Some(lp.id),
            holding_id: None,
            notice_id: None,
            reverses_id: None,
            mirror_of_id: None,
            memo: None,
            entered_by: "test",
            entered_by_user_id: None,
        },
    )
    .await;
    assert!(matches!(refused, Err(bridgehead_store::StoreError::Check { .. })), "{refused:?}");
    drop(tx);

    // Bad input names its field.
    let error = app
        .record_entry(&admin, fund.id, &EntryInput { kind: "gift".to_owned(), ..contribution(lp.id, "2023-02-03", 1) })
        .await
        .unwrap_err();
    assert_eq!(field_of(&error).0, "kind");
    let error = app.record_entry(&admin, fund.id, &contribution(lp.id, "2023-02-30", 1)).await.unwrap_err();
    assert_eq!(field_of(&error).0, "date");
}

#[tokio::test]
async fn concurrent_contributions_never_exceed_the_commitment() {
    let (_db, app) = setup().await;
    let admin = admin();
    let fund = app.create_fund(&admin, &fund_input("并发测试基金（示例）", None)).await.unwrap();
    let lp = app.add_partner(&admin, fund.id, &partner("并发出资人（示例）", "social", 10_000_00)).await.unwrap();
    for round in 0..3 {
        // 24 writers at once, each 1,000.00 of a 10,000.00 commitment (less what earlier rounds paid).
        let tasks: Vec<_> = (0..24)
            .map(|_| {
                let app: App = app.clone();
                let actor: Actor = admin.clone();
                let input = contribution(lp.id, "2023-05-01", 1_000_00);
                tokio::spawn(async move { app.record_entry(&actor, fund.id, &input).await })
            })
            .collect();
        let mut accepted = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => accepted += 1,
                Err(error) => assert_eq!(field_of(&error).1, "fund.contribution_above_commitment", "round {round}"),
            }
        }
        let detail = app.fund(&admin, fund.id).await.unwrap();
        let contributed = detail.partners[0].contributed_minor;
        let ledger: i64 = detail.entries.iter().map(|e| e.amount_minor).sum();
        assert_eq!(contributed, 10_000_00, "round {round}");
        assert_eq!(ledger, contributed, "the ledger and the running total agree");
        assert!(round > 0 || accepted == 10, "round {round}: {accepted} accepted");
        assert!(round == 0 || accepted == 0);
    }
}

#[tokio::test]
async fn the_ledger_is_append_only_and_a_reversal_happens_once() {
    let (_db, app) = setup().await;
    let admin = admin();
    let fund = app.create_fund(&admin, &fund_input("冲销测试基金（示例）", None)).await.unwrap();
    let lp = app.add_partner(&admin, fund.id, &partner("出资人（示例）", "social", 1_000_00)).await.unwrap();
    let entry = app.record_entry(&admin, fund.id, &contribution(lp.id, "2023-02-01", 1_000_00)).await.unwrap();
    let reversal = app.reverse_entry(&admin, fund.id, entry.id, "2023-02-02", Some("wrong amount")).await.unwrap();
    assert_eq!(reversal.amount_minor, -1_000_00);
    assert_eq!(reversal.reverses_id, Some(entry.id));
    let error = app.reverse_entry(&admin, fund.id, entry.id, "2023-02-03", None).await.unwrap_err();
    assert_eq!(field_of(&error).1, "fund.already_reversed");
    let detail = app.fund(&admin, fund.id).await.unwrap();
    assert_eq!(detail.partners[0].contributed_minor, 0);
    // The commitment is free again.
    app.record_entry(&admin, fund.id, &contribution(lp.id, "2023-02-04", 1_000_00)).await.unwrap();

    let mut tx = app.store.begin().await.unwrap();
    let changed =
        sqlx::query("UPDATE fund_entries SET amount_minor = 1 WHERE id = $1").bind(entry.id).execute(tx.conn()).await;
    assert!(changed.is_err(), "the database refuses to change a ledger entry");
    drop(tx);
    let mut tx = app.store.begin().await.unwrap();
    let deleted = sqlx::query("DELETE FROM fund_entries WHERE id = $1").bind(entry.id).execute(tx.conn()).await;
    assert!(deleted.is_err(), "the database refuses to delete a ledger entry");
}

#[tokio::test]
async fn a_three_level_tree_mirrors_flows_into_the_investing_funds() {
    let (_db, app) = setup().await;
    let admin = admin();
    let parent = app
        .create_fund(&admin, &FundInput { kind: "guidance".to_owned(), ..fund_input("母基金（示例）", None) })
        .await
        .unwrap();
    let child = app.create_fund(&admin, &fund_input("子基金（示例）", None)).await.unwrap();
    let grandchild = app.create_fund(&admin, &fund_input("孙基金（示例）", None)).await.unwrap();
    let gov = app.add_partner(&admin, parent.id, &partner("财政（示例）", "government", 1_000_000_00)).await.unwrap();
    let as_fund = |investor: i64, commitment_minor: i64| PartnerInput {
        investor_fund_id: Some(investor),
        ..partner(&format!("基金 {investor}"), "fund", commitment_minor)
    };
    let parent_in_child = app.add_partner(&admin, child.id, &as_fund(parent.id, 400_000_00)).await.unwrap();
    app.add_partner(&admin, child.id, &partner("社会资本（示例）", "social", 600_000_00)).await.unwrap();
    let child_in_grandchild = app.add_partner(&admin, grandchild.id, &as_fund(child.id, 500_000_00)).await.unwrap();
    // No loops: the grandchild cannot invest in the parent.
    let error = app.add_partner(&admin, parent.id, &as_fund(grandchild.id, 1_00)).await.unwrap_err();
    assert_eq!(field_of(&error).1, "fund.cycle");

    app.record_entry(&admin, parent.id, &contribution(gov.id, "2023-01-15", 400_000_00)).await.unwrap();
    app.record_entry(&admin, child.id, &contribution(parent_in_child.id, "2023-02-01", 300_000_00)).await.unwrap();
    app.record_entry(&admin, grandchild.id, &contribution(child_in_grandchild.id, "2023-03-01", 200_000_00))
        .await
        .unwrap();

    let parent_detail = app.fund(&admin, parent.id).await.unwrap();
    let investment = parent_detail.entries.iter().find(|e| e.kind == "investment").expect("mirrored investment");
    assert_eq!(investment.amount_minor, 300_000_00);
    assert_eq!(parent_detail.holdings.iter().filter_map(|h| h.sub_fund_id).collect::<Vec<_>>(), vec![child.id]);
    let child_detail = app.fund(&admin, child.id).await.unwrap();
    assert!(child_detail.entries.iter().any(|e| e.kind == "investment" && e.amount_minor == 200_000_00));

    // Reversing the child's call reverses the parent's mirrored investment too.
    let call = child_detail.entries.iter().find(|e| e.kind == "contribution").unwrap();
    app.reverse_entry(&admin, child.id, call.id, "2023-02-05", None).await.unwrap();
    let parent_detail = app.fund(&admin, parent.id).await.unwrap();
    assert_eq!(parent_detail.entries.iter().filter(|e| e.kind == "investment").map(|e| e.amount_minor).sum::<i64>(), 0);
}

#[tokio::test]
async fn who_sees_which_fund() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    let manager = actor(&app, &world, Role::FundManager).await;
    let Scope::Organization { organization_id } = manager.scope else { panic!("a fund manager has an organisation") };
    let admin = admin();
    let managed = app.create_fund(&admin, &fund_input("受托管理基金（示例）", Some(organization_id))).await.unwrap();
    let other = app.create_fund(&admin, &fund_input("他人管理基金（示例）", None)).await.unwrap();
    let elsewhere = app
        .create_fund(
            &admin,
            &FundInput { home_region_code: "330100".to_owned(), ..fund_input("杭州基金（示例）", None) },
        )
        .await
        .unwrap();

    assert_eq!(app.funds(&manager).await.unwrap().iter().map(|f| f.id).collect::<Vec<_>>(), vec![managed.id]);
    assert!(matches!(app.fund(&manager, other.id).await, Err(AppError::NotFound { .. })));
    let lp = app.add_partner(&admin, managed.id, &partner("出资人（示例）", "social", 100_00)).await.unwrap();
    app.record_entry(&manager, managed.id, &contribution(lp.id, "2023-02-01", 10_00)).await.unwrap();
    assert!(matches!(
        app.record_entry(&manager, other.id, &contribution(lp.id, "2023-02-01", 10_00)).await,
        Err(AppError::NotFound { .. })
    ));

    let analyst = actor(&app, &world, Role::CityAnalyst).await;
    let seen: Vec<i64> = app.funds(&analyst).await.unwrap().iter().map(|f| f.id).collect();
    assert_eq!(seen, vec![managed.id, other.id], "Jiaxing's analyst sees Jiaxing's funds only");
    assert!(matches!(app.fund(&analyst, elsewhere.id).await, Err(AppError::NotFound { .. })));
    assert!(matches!(
        app.record_entry(&analyst, managed.id, &contribution(lp.id, "2023-02-01", 1)).await,
        Err(AppError::Forbidden(_))
    ));
    for role in [Role::EnterpriseUser, Role::DistrictOfficer, Role::InstitutionUser, Role::ServiceProvider] {
        let someone = actor(&app, &world, role).await;
        assert!(matches!(app.funds(&someone).await, Err(AppError::Forbidden(_))), "{role:?}");
        assert!(matches!(app.fund(&someone, managed.id).await, Err(AppError::Forbidden(_))), "{role:?}");
    }
}
