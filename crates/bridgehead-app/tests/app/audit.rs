//! The hash-chained audit log: written with every change, verifiable, tamper-evident.

use std::collections::HashSet;

use bridgehead_app::AppError;
use bridgehead_domain::access::Role;
use bridgehead_store::Backend;
use bridgehead_store::audit::AuditQuery;
use bridgehead_testkit::fixtures::{self, enterprise_fields};

use crate::common::{actor, admin, exec, head, setup};

fn json(text: Option<&str>) -> serde_json::Value {
    serde_json::from_str(text.expect("a JSON document")).unwrap()
}

#[tokio::test]
async fn every_create_and_update_writes_an_audit_record_with_before_and_after() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    let officer = actor(&app, &world, Role::DistrictOfficer).await;
    let created = app.create_enterprise(&officer, &enterprise_fields("330482", 20, "审计测试（示例）")).await.unwrap();
    let mut fields = created.record.to_fields();
    fields.name_zh = Some("审计改名（示例）".to_owned());
    let updated = app.update_enterprise(&officer, created.id, None, &fields).await.unwrap();

    let query = AuditQuery {
        entity: Some("enterprise".to_owned()),
        entity_key: Some(created.id.to_string()),
        limit: 10,
        ..AuditQuery::default()
    };
    let records = app.audit_records(&admin(), &query).await.unwrap();
    assert_eq!(records.len(), 2, "{records:#?}");
    let (update, create) = (&records[0], &records[1]);
    assert_eq!(create.action, "create");
    assert_eq!(create.actor, "user:district-officer");
    assert_eq!(create.actor_user_id, officer.user_id);
    assert!(create.before_json.is_none());
    assert_eq!(json(create.after_json.as_deref())["record"]["name_zh"], "审计测试（示例）");
    assert_eq!(json(create.after_json.as_deref())["record"]["credit_code"], created.record.credit_code.as_str());

    assert_eq!(update.action, "update");
    assert_eq!(json(update.before_json.as_deref())["record"]["name_zh"], "审计测试（示例）");
    assert_eq!(json(update.after_json.as_deref())["record"]["name_zh"], "审计改名（示例）");
    assert_eq!(json(update.after_json.as_deref())["version"], updated.version);
    assert_eq!(update.seq, create.seq + 1);
    assert_eq!(update.prev_hash, create.hash);

    // A refused change writes nothing.
    let before = head(&app).await;
    let _ = app.create_enterprise(&officer, &enterprise_fields("330402", 21, "越权（示例）")).await.unwrap_err();
    assert_eq!(head(&app).await, before);
    // Only administrators read the log.
    assert!(matches!(app.audit_records(&officer, &query).await, Err(AppError::Forbidden(_))));
    assert!(matches!(app.audit_verify(&officer).await, Err(AppError::Forbidden(_))));
}

#[tokio::test]
async fn a_clean_chain_verifies() {
    let (_db, app) = setup().await;
    fixtures::world(&app).await;
    let report = app.audit_verify(&admin()).await.unwrap();
    assert!(report.first_broken.is_none(), "{report:?}");
    assert!(report.head.seq >= 11, "reference data, two enterprises, eight users: {report:?}");
    assert_eq!(report.records_checked, report.head.seq);
    assert_eq!(report.head, head(&app).await);
}

/// Lets statements behind the application's back change and remove audit rows.
async fn disable_audit_triggers(app: &bridgehead_app::App) {
    match app.store.backend() {
        Backend::Sqlite => {
            exec(app, "DROP TRIGGER audit_log_no_update").await.unwrap();
            exec(app, "DROP TRIGGER audit_log_no_delete").await.unwrap();
        }
        Backend::Postgres => {
            exec(app, "ALTER TABLE audit_log DISABLE TRIGGER USER").await.unwrap();
        }
    }
}

#[tokio::test]
async fn an_audit_record_changed_behind_the_applications_back_is_found() {
    let (_db, app) = setup().await;
    fixtures::world(&app).await;
    let tail = head(&app).await.seq;
    let k = 5;
    assert!(tail > k + 2);
    disable_audit_triggers(&app).await;
    let changed = exec(&app, &format!("UPDATE audit_log SET after_json = '{{}}' WHERE seq = {k}")).await.unwrap();
    assert_eq!(changed, 1);
    let report = app.audit_verify(&admin()).await.unwrap();
    let broken = report.first_broken.expect("the change must be found");
    assert_eq!(broken.seq, k, "{broken:?}");
    assert_eq!(report.records_checked, k - 1);
}

#[tokio::test]
async fn a_forged_hash_or_a_removed_record_is_found() {
    let (_db, app) = setup().await;
    fixtures::world(&app).await;
    let tail = head(&app).await.seq;
    disable_audit_triggers(&app).await;

    // Removing the last record: the head no longer matches the log.
    exec(&app, &format!("DELETE FROM audit_log WHERE seq = {tail}")).await.unwrap();
    let report = app.audit_verify(&admin()).await.unwrap();
    assert_eq!(report.first_broken.as_ref().map(|b| b.seq), Some(tail), "{report:?}");
    assert_eq!(report.records_checked, tail - 1);

    // Removing one in the middle: the chain breaks where it is missing.
    exec(&app, "DELETE FROM audit_log WHERE seq = 3").await.unwrap();
    let report = app.audit_verify(&admin()).await.unwrap();
    assert_eq!(report.first_broken.as_ref().map(|b| b.seq), Some(4), "{report:?}");
    assert_eq!(report.records_checked, 2);
}

#[tokio::test]
async fn a_rewritten_record_with_a_recomputed_hash_still_breaks_the_next_link() {
    let (_db, app) = setup().await;
    fixtures::world(&app).await;
    disable_audit_triggers(&app).await;
    let k = 4;
    let mut record = app
        .audit_records(&admin(), &AuditQuery { before_seq: Some(k + 1), limit: 1, ..AuditQuery::default() })
        .await
        .unwrap()
        .remove(0);
    assert_eq!(record.seq, k);
    record.actor = "someone-else".to_owned();
    let forged = record.computed_hash();
    exec(&app, &format!("UPDATE audit_log SET actor = 'someone-else', hash = '{forged}' WHERE seq = {k}"))
        .await
        .unwrap();
    let report = app.audit_verify(&admin()).await.unwrap();
    assert_eq!(report.first_broken.map(|b| b.seq), Some(k + 1));
}

#[tokio::test]
async fn the_database_refuses_updates_and_deletes_of_the_audit_log() {
    let (_db, app) = setup().await;
    fixtures::world(&app).await;
    let before = head(&app).await;
    let update = exec(&app, "UPDATE audit_log SET actor = 'x' WHERE seq = 1").await;
    assert!(update.is_err(), "UPDATE was allowed: {update:?}");
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = exec(&app, "DELETE FROM audit_log WHERE seq = 2").await;
    assert!(delete.is_err(), "DELETE was allowed: {delete:?}");
    if app.store.backend() == Backend::Postgres {
        assert!(exec(&app, "TRUNCATE audit_log").await.is_err(), "TRUNCATE was allowed");
    }
    let report = app.audit_verify(&admin()).await.unwrap();
    assert!(report.first_broken.is_none(), "{report:?}");
    assert_eq!(report.head, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_changes_keep_the_chain_whole_and_contiguous() {
    let (_db, app) = setup().await;
    let start = head(&app).await.seq;
    let mut tasks = Vec::new();
    for n in 0..16_usize {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let region = if n % 2 == 0 { "330482" } else { "330402" };
            let created = app
                .create_enterprise(&admin(), &enterprise_fields(region, 900 + n, &format!("并发{n:02}（示例）")))
                .await?;
            let mut fields = created.record.to_fields();
            fields.address = Some(format!("并发路{n}号"));
            app.update_enterprise(&admin(), created.id, Some(created.version), &fields).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let report = app.audit_verify(&admin()).await.unwrap();
    assert!(report.first_broken.is_none(), "{report:?}");
    assert_eq!(report.head.seq, start + 32);
    assert_eq!(report.records_checked, report.head.seq);
    let records = app.audit_records(&admin(), &AuditQuery { limit: 1000, ..AuditQuery::default() }).await.unwrap();
    let mut seqs: Vec<i64> = records.iter().map(|r| r.seq).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=report.head.seq).collect::<Vec<_>>());
    let keys: HashSet<&str> =
        records.iter().filter(|r| r.entity == "enterprise").map(|r| r.entity_key.as_str()).collect();
    assert_eq!(keys.len(), 16);
    assert_eq!(crate::common::enterprise_count(&app).await, 16);
}
