//! Backups and restores bring back exactly the state at the backup.

use bridgehead_app::{AccessSettings, App};
use bridgehead_domain::enterprise::Enterprise;
use bridgehead_store::audit::ChainHead;
use bridgehead_store::{Backend, Store, StoreOptions, backup};
use bridgehead_testkit::TestDb;
use bridgehead_testkit::fixtures::{self, enterprise_fields};

use crate::common::{admin, all_enterprises, head, setup};

async fn snapshot(app: &App) -> (Vec<Enterprise>, ChainHead, usize) {
    let users = app.list_users(&admin()).await.unwrap().len();
    (all_enterprises(app).await, head(app).await, users)
}

#[tokio::test]
async fn restoring_a_backup_brings_back_the_state_at_the_backup() {
    let (db, app) = setup().await;
    let world = fixtures::world(&app).await;
    let at_backup = snapshot(&app).await;

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bridgehead.backup");
    backup::backup(&app.store, &db.url, &file).await.unwrap();
    assert!(std::fs::metadata(&file).unwrap().len() > 0);
    // A backup never overwrites a file.
    assert!(backup::backup(&app.store, &db.url, &file).await.is_err());

    // Changes after the backup.
    app.create_enterprise(&admin(), &enterprise_fields("330482", 40, "备份后新建（示例）")).await.unwrap();
    let mut fields = world.ours.record.to_fields();
    fields.name_zh = Some("备份后改名（示例）".to_owned());
    app.update_enterprise(&admin(), world.ours.id, None, &fields).await.unwrap();
    app.set_user_disabled(&admin(), world.username(bridgehead_domain::access::Role::CityAnalyst), true).await.unwrap();
    let changed = snapshot(&app).await;
    assert_ne!(changed.0, at_backup.0);
    assert_ne!(changed.1, at_backup.1);

    // Restore with the application stopped, then start it again.
    let backend = app.store.backend();
    app.store.close().await;
    drop(app);
    backup::restore(backend, &db.url, &file).await.unwrap();
    let store = Store::connect(&db.url, &StoreOptions::default()).await.unwrap();
    assert!(store.migrate().await.unwrap().is_empty(), "the restored schema is current");
    let app = App::new(store, AccessSettings::default());
    assert!(app.ensure_reference_data().await.unwrap().is_none());

    let restored = snapshot(&app).await;
    assert_eq!(restored.0, at_backup.0, "enterprises differ from the backup point");
    assert_eq!(restored.1, at_backup.1, "the audit head differs from the backup point");
    assert_eq!(restored.2, at_backup.2);
    let report = app.audit_verify(&admin()).await.unwrap();
    assert!(report.first_broken.is_none(), "{report:?}");
    // The restored database works: a new change goes on the restored chain.
    app.create_enterprise(&admin(), &enterprise_fields("330482", 41, "恢复后新建（示例）")).await.unwrap();
    assert_eq!(head(&app).await.seq, at_backup.1.seq + 1);
    // The triggers came back with the schema.
    assert!(crate::common::exec(&app, "DELETE FROM audit_log WHERE seq = 1").await.is_err());
    app.store.close().await;
}

#[tokio::test]
async fn restoring_from_a_file_that_is_not_a_backup_is_refused() {
    let db = TestDb::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.backup");
    assert!(backup::restore(db.store.backend(), &db.url, &missing).await.is_err());
    if db.store.backend() == Backend::Sqlite {
        let junk = dir.path().join("junk.backup");
        std::fs::write(&junk, b"this is not a database").unwrap();
        db.store.close().await;
        assert!(backup::restore(Backend::Sqlite, &db.url, &junk).await.is_err());
        // The database file was left alone.
        let store = Store::connect(&db.url, &StoreOptions::default()).await.unwrap();
        assert_eq!(
            bridgehead_store::migrate::current_version(&store).await.unwrap(),
            bridgehead_store::migrate::latest_version()
        );
        store.close().await;
    }
}
