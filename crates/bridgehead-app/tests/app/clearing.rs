//! The clearing engine (SPEC §7) through the use cases, on SQLite or PostgreSQL:
//! transactions accepted once, cycles and late arrivals, netting against an independent
//! computation, reversals and disputes, reconciliation, files, concurrency, and who may
//! see what. Participants and amounts are illustrative; amounts are written yuan_fen.
#![allow(clippy::inconsistent_digit_grouping)]

use std::collections::BTreeMap;

use bridgehead_app::clearing::{ParticipantInput, ReportedLine, SchemeInput, TransactionInput};
use bridgehead_app::{Actor, App, AppError};
use bridgehead_domain::access::Role;
use bridgehead_domain::reference::OrganizationKind;
use bridgehead_testkit::fixtures::world;

use crate::common::{actor, admin, setup};

/// Participant codes with their regions: two in Shanghai, two in Jiaxing.
const PARTIES: [(&str, &str); 4] =
    [("SH-METRO", "310000"), ("SH-MED", "310000"), ("JX-CARD", "330400"), ("JX-HOSP", "330400")];

async fn participants(app: &App) {
    let admin = admin();
    for (code, region) in PARTIES {
        let mut tx = app.store.begin().await.unwrap();
        let organization = bridgehead_store::reference::ensure_organization(
            &mut tx,
            OrganizationKind::ClearingParticipant,
            &format!("{code}（示例）"),
            None,
            region,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        app.clearing()
            .add_participant(&admin, &ParticipantInput { code: code.to_owned(), organization_id: organization.id })
            .await
            .unwrap();
    }
}

async fn scheme(app: &App, code: &str, period: &str) {
    app.clearing()
        .add_scheme(
            &admin(),
            &SchemeInput {
                code: code.to_owned(),
                kind: "transit".to_owned(),
                name_zh: "测试结算方案（示例）".to_owned(),
                name_en: None,
                currency_code: None,
                cycle_period: period.to_owned(),
                started_on: "2018-01-01".to_owned(),
                members: PARTIES.iter().map(|(c, _)| (*c).to_owned()).collect(),
            },
        )
        .await
        .unwrap();
}

fn txn(key: &str, payer: &str, payee: &str, amount_minor: i64, at: &str) -> TransactionInput {
    TransactionInput {
        idempotency_key: key.to_owned(),
        payer: payer.to_owned(),
        payee: payee.to_owned(),
        amount_minor,
        occurred_at: at.to_owned(),
        reference: None,
    }
}

fn field_codes(error: &AppError) -> Vec<(String, &'static str)> {
    match error {
        AppError::Invalid(errors) => errors.0.iter().map(|e| (e.field.clone(), e.code)).collect(),
        AppError::Duplicate(e) => vec![(e.field.clone(), e.code)],
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn cycle_ids(app: &App, scheme: &str) -> Vec<(i64, String, String)> {
    let mut cycles: Vec<_> = app
        .clearing()
        .cycles(&admin(), scheme)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.opens_at, c.status))
        .collect();
    cycles.sort_by(|a, b| a.1.cmp(&b.1));
    cycles
}

#[tokio::test]
async fn a_transaction_is_accepted_once_and_cycles_follow_the_china_month() {
    let (_db, app) = setup().await;
    participants(&app).await;
    scheme(&app, "T", "month").await;
    let clearing = app.clearing();
    let admin = admin();
    let batch = vec![
        txn("r1", "JX-CARD", "SH-METRO", 300, "2018-02-01 00:10"),
        // 2018-01-31T23:00 in China is still January.
        txn("r2", "JX-CARD", "SH-METRO", 400, "2018-01-31T15:00:00Z"),
        txn("r3", "SH-MED", "JX-HOSP", 12_000, "2018-02-15 10:00"),
    ];
    let first = clearing.submit_batch(&admin, "T", "test", &batch).await.unwrap();
    assert_eq!((first.stored, first.already_stored), (3, 0));
    let again = clearing.submit_batch(&admin, "T", "test", &batch).await.unwrap();
    assert_eq!((again.stored, again.already_stored), (0, 3));
    let cycles = cycle_ids(&app, "T").await;
    assert_eq!(cycles.len(), 2, "January and February");
    assert_eq!(cycles[0].1, "2017-12-31T16:00:00.000000Z", "January opens at midnight in China");

    // The same key with other content refuses the whole batch, naming the row.
    let changed = vec![
        txn("r4", "JX-CARD", "SH-METRO", 300, "2018-02-02 08:00"),
        txn("r1", "JX-CARD", "SH-METRO", 301, "2018-02-01 00:10"),
    ];
    let error = clearing.submit_batch(&admin, "T", "test", &changed).await.unwrap_err();
    assert_eq!(field_codes(&error), vec![("transactions[1].idempotency_key".to_owned(), "clearing.key_reused")]);
    let report = clearing.cycle(&admin, cycles[1].0).await.unwrap();
    assert_eq!(report.transaction_count, 2, "nothing of the refused batch was stored");

    // One transaction through the single path: the second answer equals the first.
    let one = txn("r5", "JX-CARD", "SH-METRO", 500, "2018-02-03 09:00");
    let (stored, new) = clearing.submit(&admin, "T", &one).await.unwrap();
    let (again, new_again) = clearing.submit(&admin, "T", &one).await.unwrap();
    assert!(new && !new_again);
    assert_eq!(stored, again);

    // Bad rows are all named.
    let bad = vec![
        txn("", "JX-CARD", "NOBODY", 0, "2018-02-03"),
        txn("b2", "JX-CARD", "JX-CARD", 1, "2017-12-31 12:00"),
        txn("b3", "JX-CARD", "SH-METRO", 1, "2999-01-01 00:00"),
    ];
    let error = clearing.submit_batch(&admin, "T", "test", &bad).await.unwrap_err();
    let codes = field_codes(&error);
    for expected in [
        ("transactions[0].idempotency_key", "clearing.key"),
        ("transactions[0].payee", "clearing.not_a_member"),
        ("transactions[0].amount_minor", "clearing.amount"),
        ("transactions[0].occurred_at", "clearing.time"),
        ("transactions[1].payee", "clearing.same_party"),
        ("transactions[1].occurred_at", "clearing.before_start"),
        ("transactions[2].occurred_at", "clearing.future"),
    ] {
        assert!(codes.contains(&(expected.0.to_owned(), expected.1)), "{expected:?} in {codes:?}");
    }
}

#[tokio::test]
async fn closing_nets_to_zero_and_a_late_transaction_goes_to_the_next_cycle() {
    let (_db, app) = setup().await;
    participants(&app).await;
    scheme(&app, "T", "month").await;
    let clearing = app.clearing();
    let admin = admin();
    let batch = vec![
        txn("a", "JX-CARD", "SH-METRO", 100_00, "2018-03-01 08:00"),
        txn("b", "SH-METRO", "JX-CARD", 30_00, "2018-03-02 08:00"),
        txn("c", "SH-MED", "JX-HOSP", 70_00, "2018-03-03 08:00"),
        txn("d", "JX-HOSP", "SH-METRO", 5_00, "2018-03-04 08:00"),
        txn("e", "JX-CARD", "SH-METRO", 1_00, "2018-04-01 08:00"),
    ];
    clearing.submit_batch(&admin, "T", "test", &batch).await.unwrap();
    let cycles = cycle_ids(&app, "T").await;
    let march = cycles[0].0;
    let closed = clearing.close_cycle(&admin, march).await.unwrap();
    assert!(!closed.provisional);
    let nets: BTreeMap<String, i64> =
        closed.positions.iter().map(|p| (p.participant.code.clone(), p.position.net_minor)).collect();
    assert_eq!(
        nets,
        BTreeMap::from([
            ("JX-CARD".to_owned(), -70_00),
            ("JX-HOSP".to_owned(), 65_00),
            ("SH-MED".to_owned(), -70_00),
            ("SH-METRO".to_owned(), 75_00),
        ])
    );
    assert_eq!(closed.instructions.len(), 3, "at most n − 1 transfers");
    let mut after: BTreeMap<String, i64> = nets.clone();
    for x in &closed.instructions {
        *after.get_mut(&x.from.code).unwrap() += x.amount_minor;
        *after.get_mut(&x.to.code).unwrap() -= x.amount_minor;
    }
    assert!(after.values().all(|v| *v == 0), "the instructions settle every position: {after:?}");
    let regions: Vec<(&str, &str, i64)> =
        closed.region_flows.iter().map(|f| (f.from_region.as_str(), f.to_region.as_str(), f.amount_minor)).collect();
    assert_eq!(regions, vec![("310000", "330400", 100_00), ("330400", "310000", 105_00)]);
    assert!(clearing.verify_cycle(&admin, march).await.unwrap().consistent);
    assert_eq!(field_codes(&clearing.close_cycle(&admin, march).await.unwrap_err())[0].1, "clearing.cycle_closed");

    // A March transaction arriving now goes to April, the first open cycle.
    clearing
        .submit_batch(&admin, "T", "test", &[txn("late", "JX-CARD", "SH-METRO", 2_00, "2018-03-31 23:59")])
        .await
        .unwrap();
    let april = clearing.cycle(&admin, cycles[1].0).await.unwrap();
    assert_eq!(april.transaction_count, 2);
    assert_eq!(clearing.cycle(&admin, march).await.unwrap().transaction_count, 4, "a closed cycle does not change");

    // The database keeps a closed cycle's results and every transaction as they are.
    for sql in [
        format!("UPDATE clearing_positions SET net_minor = 0 WHERE cycle_id = {march}"),
        format!("DELETE FROM clearing_instructions WHERE cycle_id = {march}"),
        "UPDATE clearing_transactions SET amount_minor = 1".to_owned(),
        "DELETE FROM clearing_transactions".to_owned(),
        format!("UPDATE clearing_cycles SET status = 'open', closed_at = NULL WHERE id = {march}"),
    ] {
        assert!(crate::common::exec(&app, &sql).await.is_err(), "{sql}");
    }
}

#[tokio::test]
async fn a_cycle_closes_only_after_its_cut_off() {
    let (_db, app) = setup().await;
    participants(&app).await;
    scheme(&app, "D", "day").await;
    let now = time::OffsetDateTime::now_utc();
    let at = bridgehead_store::instant_text(now - time::Duration::minutes(1));
    app.clearing().submit_batch(&admin(), "D", "test", &[txn("now", "JX-CARD", "SH-METRO", 100, &at)]).await.unwrap();
    let today = cycle_ids(&app, "D").await.pop().unwrap();
    let error = app.clearing().close_cycle(&admin(), today.0).await.unwrap_err();
    assert_eq!(field_codes(&error)[0].1, "clearing.before_cut_off");
}

/// Random transactions, some sent twice, netted by the engine and by a plain sum here.
#[tokio::test]
async fn netting_agrees_with_an_independent_sum() {
    let (_db, app) = setup().await;
    participants(&app).await;
    scheme(&app, "T", "month").await;
    let clearing = app.clearing();
    let admin = admin();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let mut all = Vec::new();
    for i in 0..600 {
        let payer = next(4) as usize;
        let payee = (payer + 1 + next(3) as usize) % 4;
        let month = 1 + next(3);
        let day = 1 + next(28);
        all.push(txn(
            &format!("k{i}"),
            PARTIES[payer].0,
            PARTIES[payee].0,
            1 + next(1_000_000) as i64,
            &format!("2018-{month:02}-{day:02} {:02}:00", next(24)),
        ));
    }
    // Batches of random sizes, with a resend of an earlier part now and then.
    let mut at = 0;
    while at < all.len() {
        let size = 1 + next(120) as usize;
        let end = (at + size).min(all.len());
        clearing.submit_batch(&admin, "T", "test", &all[at..end]).await.unwrap();
        if next(3) == 0 {
            let from = next(end as u64) as usize;
            clearing.submit_batch(&admin, "T", "resend", &all[from..end]).await.unwrap();
        }
        at = end;
    }
    // Independently: nets per month by plain sums.
    let mut expected: BTreeMap<(String, String), i64> = BTreeMap::new();
    for t in &all {
        let month = t.occurred_at[..7].to_owned();
        *expected.entry((month.clone(), t.payer.clone())).or_default() -= t.amount_minor;
        *expected.entry((month, t.payee.clone())).or_default() += t.amount_minor;
    }
    for (id, opens_at, _) in cycle_ids(&app, "T").await {
        let report = clearing.close_cycle(&admin, id).await.unwrap();
        let month = if opens_at.starts_with("2017-12") {
            "2018-01".to_owned()
        } else {
            // Opens the evening before the month's first day, China time.
            let start =
                bridgehead_domain::clearing::china_day(bridgehead_domain::clearing::parse_instant(&opens_at).unwrap());
            format!("{:04}-{:02}", start.year(), u8::from(start.month()))
        };
        let total: i64 = report.positions.iter().map(|p| p.position.net_minor).sum();
        assert_eq!(total, 0);
        for p in &report.positions {
            assert_eq!(
                Some(&p.position.net_minor),
                expected.get(&(month.clone(), p.participant.code.clone())),
                "{month} {}",
                p.participant.code
            );
        }
        assert!(report.instructions.len() < report.positions.len().max(1));
        let verification = clearing.verify_cycle(&admin, id).await.unwrap();
        assert!(verification.consistent, "{:?}", verification.problems);
    }
}

#[tokio::test]
async fn concurrent_senders_store_each_key_once_and_closing_waits_for_writers() {
    let (_db, app) = setup().await;
    participants(&app).await;
    scheme(&app, "T", "month").await;
    let admin = admin();
    let all: Vec<TransactionInput> = (0..400)
        .map(|i| txn(&format!("c{i}"), PARTIES[i % 4].0, PARTIES[(i + 1) % 4].0, 100 + i as i64, "2018-05-10 10:00"))
        .collect();
    // 16 senders, each sending overlapping halves of the same transactions.
    let tasks: Vec<_> = (0..16)
        .map(|s| {
            let app: App = app.clone();
            let actor: Actor = admin.clone();
            let part: Vec<TransactionInput> = all.iter().skip((s * 25) % 200).take(200).cloned().collect();
            tokio::spawn(async move { app.clearing().submit_batch(&actor, "T", "concurrent", &part).await })
        })
        .collect();
    let mut stored = 0;
    for task in tasks {
        stored += task.await.unwrap().unwrap().stored;
    }
    let cycle = cycle_ids(&app, "T").await[0].0;
    let report = app.clearing().cycle(&admin, cycle).await.unwrap();
    assert_eq!(report.transaction_count as usize, stored, "each key stored once");
    assert!(app.clearing().verify_cycle(&admin, cycle).await.unwrap().consistent);

    // Writers keep sending May transactions while the cycle closes: whatever entered
    // May was netted; the rest went to the next cycle.
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let app: App = app.clone();
            let actor: Actor = admin.clone();
            tokio::spawn(async move {
                for round in 0..10 {
                    let batch: Vec<TransactionInput> = (0..20)
                        .map(|i| txn(&format!("w{w}-{round}-{i}"), "JX-CARD", "SH-METRO", 7, "2018-05-20 10:00"))
                        .collect();
                    app.clearing().submit_batch(&actor, "T", "late", &batch).await.unwrap();
                }
            })
        })
        .collect();
    tokio::task::yield_now().await;
    let closed = app.clearing().close_cycle(&admin, cycle).await.unwrap();
    for writer in writers {
        writer.await.unwrap();
    }
    let verification = app.clearing().verify_cycle(&admin, cycle).await.unwrap();
    assert!(verification.consistent, "{:?}", verification.problems);
    assert_eq!(verification.transaction_count, closed.transaction_count);
    // Every writer's transactions were stored, in May or in the next cycle.
    let mut count = 0;
    for (id, _, _) in cycle_ids(&app, "T").await {
        count += app.clearing().verify_cycle(&admin, id).await.unwrap().transaction_count;
    }
    assert_eq!(count as usize, stored + 8 * 10 * 20);
}

#[tokio::test]
async fn reversals_never_exceed_the_original_and_an_upheld_dispute_reverses() {
    let (_db, app) = setup().await;
    participants(&app).await;
    scheme(&app, "T", "month").await;
    let clearing = app.clearing();
    let admin = admin();
    let (original, _) =
        clearing.submit(&admin, "T", &txn("o1", "SH-MED", "JX-HOSP", 100_00, "2018-06-01 09:00")).await.unwrap();
    let (part, new) = clearing.reverse(&admin, original.id, Some(40_00), "rev-1").await.unwrap();
    assert!(new);
    assert_eq!((part.payer.as_str(), part.payee.as_str(), part.reverses_id), ("JX-HOSP", "SH-MED", Some(original.id)));
    let (again, new_again) = clearing.reverse(&admin, original.id, Some(40_00), "rev-1").await.unwrap();
    assert!(!new_again);
    assert_eq!(again, part, "a retried reversal answers with the first");
    let error = clearing.reverse(&admin, original.id, Some(70_00), "rev-2").await.unwrap_err();
    assert_eq!(field_codes(&error)[0].1, "clearing.over_reversed");
    assert_eq!(clearing.transaction(&admin, original.id).await.unwrap().reversed_minor, 40_00);

    let (other, _) =
        clearing.submit(&admin, "T", &txn("o2", "JX-CARD", "SH-METRO", 9_00, "2018-06-02 09:00")).await.unwrap();
    let dispute = clearing.open_dispute(&admin, other.id, "ride not taken").await.unwrap();
    assert_eq!(
        field_codes(&clearing.open_dispute(&admin, other.id, "again").await.unwrap_err())[0].1,
        "clearing.dispute_open"
    );
    let resolved = clearing.resolve_dispute(&admin, dispute.id, true, "refund the card").await.unwrap();
    assert_eq!(resolved.status, "upheld");
    let reversal = clearing.transaction(&admin, resolved.reversal_id.unwrap()).await.unwrap();
    assert_eq!(reversal.amount_minor, 9_00);
    // The reversal is made now, so it goes to the cycle open now and pays the ride back.
    assert_ne!(reversal.cycle_id, other.cycle_id);
    let now = clearing.cycle(&admin, reversal.cycle_id).await.unwrap();
    let metro = now.positions.iter().find(|p| p.participant.code == "SH-METRO").unwrap();
    assert_eq!(metro.position.net_minor, -9_00, "the upheld dispute pays the ride back");
}

#[tokio::test]
async fn a_participant_reconciles_its_own_totals_and_sees_only_its_own() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    participants(&app).await;
    // The world's clearing participant user acts for the bank organisation: make it a
    // participant too, and a member of the scheme.
    let participant_user = actor(&app, &world, Role::ClearingParticipant).await;
    let bridgehead_domain::access::Scope::Organization { organization_id } = participant_user.scope else { panic!() };
    let admin = admin();
    app.clearing()
        .add_participant(&admin, &ParticipantInput { code: "JX-BANK".into(), organization_id })
        .await
        .unwrap();
    app.clearing()
        .add_scheme(
            &admin,
            &SchemeInput {
                code: "M".into(),
                kind: "medical".into(),
                name_zh: "医保直接结算（示例）".into(),
                name_en: None,
                currency_code: None,
                cycle_period: "month".into(),
                started_on: "2019-04-15".into(),
                members: vec!["JX-BANK".into(), "SH-MED".into(), "JX-HOSP".into()],
            },
        )
        .await
        .unwrap();
    scheme(&app, "T", "month").await;
    let clearing = app.clearing();
    clearing
        .submit_batch(
            &admin,
            "M",
            "test",
            &[
                txn("m1", "JX-BANK", "SH-MED", 500_00, "2019-05-01 10:00"),
                txn("m2", "SH-MED", "JX-HOSP", 300_00, "2019-05-02 10:00"),
            ],
        )
        .await
        .unwrap();
    // The participant sees its scheme only, and of the cycle its own part.
    let visible: Vec<String> = clearing.schemes(&participant_user).await.unwrap().into_iter().map(|s| s.code).collect();
    assert_eq!(visible, vec!["M"]);
    assert!(matches!(clearing.cycles(&participant_user, "T").await, Err(AppError::NotFound { .. })));
    let cycle = clearing.cycles(&participant_user, "M").await.unwrap()[0].id;
    let report = clearing.cycle(&participant_user, cycle).await.unwrap();
    assert_eq!(report.positions.len(), 1);
    assert!(report.bilateral.iter().all(|b| b.a == "JX-BANK" || b.b == "JX-BANK"));
    assert!(matches!(clearing.statement(&participant_user, cycle, "SH-MED").await, Err(AppError::NotFound { .. })));
    // It submits only what it pays or receives.
    let error = clearing
        .submit_batch(&participant_user, "M", "api", &[txn("m3", "SH-MED", "JX-HOSP", 1, "2019-05-03 10:00")])
        .await
        .unwrap_err();
    assert_eq!(field_codes(&error)[0].1, "clearing.not_a_party");

    // Its own totals: it says it paid 500.00 in two payments; we have one.
    let statement = clearing
        .report_totals(
            &participant_user,
            cycle,
            "JX-BANK",
            &[ReportedLine {
                counterparty: "SH-MED".into(),
                paid_minor: 500_00,
                paid_count: 2,
                received_minor: 0,
                received_count: 0,
            }],
        )
        .await
        .unwrap();
    let differences = statement.reconciliation.unwrap().differences;
    assert_eq!(differences.len(), 1);
    assert_eq!(
        (differences[0].counterparty.as_str(), differences[0].difference.figure, differences[0].difference.difference),
        ("SH-MED", "paid_count", 1)
    );
    assert_eq!(statement.net_minor, -500_00);

    // Other roles.
    let analyst = actor(&app, &world, Role::CityAnalyst).await;
    assert!(!clearing.schemes(&analyst).await.unwrap().is_empty(), "Jiaxing members make the schemes Jiaxing's");
    assert!(matches!(clearing.close_cycle(&analyst, cycle).await, Err(AppError::Forbidden(_))));
    assert!(matches!(
        clearing.submit_batch(&analyst, "M", "api", &[txn("x", "JX-BANK", "SH-MED", 1, "2019-05-03 10:00")]).await,
        Err(AppError::Forbidden(_))
    ));
    for role in
        [Role::EnterpriseUser, Role::DistrictOfficer, Role::InstitutionUser, Role::FundManager, Role::ServiceProvider]
    {
        let someone = actor(&app, &world, role).await;
        assert!(matches!(clearing.schemes(&someone).await, Err(AppError::Forbidden(_))), "{role:?}");
        assert!(matches!(clearing.cycle(&someone, cycle).await, Err(AppError::Forbidden(_))), "{role:?}");
    }
}

#[tokio::test]
async fn a_file_is_checked_whole_then_stored_in_batches_and_again_stores_nothing() {
    let (_db, app) = setup().await;
    participants(&app).await;
    scheme(&app, "T", "month").await;
    let admin = admin();
    let mut good = String::from("idempotency_key,payer,payee,amount,occurred_at,reference\n");
    for i in 0..250 {
        good.push_str(&bridgehead_io::clearing::csv_line(
            &format!("f{i}"),
            "JX-CARD",
            "SH-METRO",
            300 + i,
            "2018-07-01 08:00",
            "ride",
        ));
    }
    let open = |text: String| move || Ok::<_, std::io::Error>(std::io::Cursor::new(text.clone().into_bytes()));
    let outcome = app.clearing().ingest_file(&admin, "T", "file", open(good.clone()), 100, &|_| {}).await.unwrap();
    assert_eq!((outcome.lines, outcome.batches, outcome.stored), (250, 3, 250));
    let again = app.clearing().ingest_file(&admin, "T", "file", open(good.clone()), 100, &|_| {}).await.unwrap();
    assert_eq!((again.stored, again.already_stored), (0, 250));

    let bad = format!(
        "{good}g1,JX-CARD,SH-METRO,1.234,2018-07-01 08:00,\ng2,JX-CARD,NOBODY,1,2018-07-01 08:00,\nf0,JX-CARD,SH-METRO,3.00,2018-07-01 08:00,ride\n"
    );
    match app.clearing().ingest_file(&admin, "T", "file", open(bad), 100, &|_| {}).await {
        Err(AppError::ImportRows(rows)) => {
            let listed: Vec<(usize, &str)> = rows.iter().map(|r| (r.row, r.column.as_str())).collect();
            assert_eq!(listed, vec![(252, "amount"), (253, "payee"), (254, "idempotency_key")]);
        }
        other => panic!("expected row errors, got {other:?}"),
    }
    let cycle = cycle_ids(&app, "T").await[0].0;
    assert_eq!(app.clearing().cycle(&admin, cycle).await.unwrap().transaction_count, 250, "nothing of the bad file");
}
