//! Test helpers. Every test gets its own database: a temporary SQLite file, or — when
//! `TEST_DATABASE_URL` names a PostgreSQL server — a database created for the test and
//! dropped after it. Tests never share data.

use bridgehead_app::{AccessSettings, App};
use bridgehead_domain::access::Role;
use bridgehead_store::{Backend, Store, StoreOptions};
use sqlx::AnyConnection;
use sqlx::Connection;
use sqlx::Executor;

pub mod fixtures;
mod server;

pub use server::{Session, TestServer};

/// The environment variable naming a PostgreSQL server for tests, e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

/// A fresh, migrated database that disappears with this value.
pub struct TestDb {
    pub url: String,
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb").field("url", &self.url).finish_non_exhaustive()
    }
}

/// Which backend the tests run on.
pub fn backend() -> Backend {
    match std::env::var(TEST_DATABASE_URL) {
        Ok(url) if !url.trim().is_empty() => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

impl TestDb {
    /// A new database with the schema applied and nothing else.
    pub async fn empty() -> Self {
        sqlx::any::install_default_drivers();
        let (url, dir, postgres) = match std::env::var(TEST_DATABASE_URL) {
            Ok(admin_url) if !admin_url.trim().is_empty() => {
                let name = format!("bh_test_{}_{:016x}", std::process::id(), rand::random::<u64>());
                let mut admin = AnyConnection::connect(&admin_url).await.expect("connect to TEST_DATABASE_URL");
                admin
                    .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                (replace_database(&admin_url, &name), None, Some((admin_url, name)))
            }
            _ => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}", dir.path().join("test.sqlite").display());
                (url, Some(dir), None)
            }
        };
        let store = Store::connect(&url, &StoreOptions::default()).await.expect("open test database");
        store.migrate().await.expect("migrate test database");
        Self { url, store, _dir: dir, postgres }
    }

    /// The app on this database, with the shipped reference data loaded.
    pub async fn app(&self) -> App {
        let app = App::new(self.store.clone(), AccessSettings::default());
        app.ensure_reference_data().await.expect("load reference data");
        app
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else { return };
        // Dropping runs outside any async context the test may still be in.
        let handle = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            runtime.block_on(async move {
                if let Ok(mut admin) = AnyConnection::connect(&admin_url).await {
                    let _ = admin
                        .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                        .await;
                    let _ = admin.close().await;
                }
            });
        });
        let _ = handle.join();
    }
}

/// The password every fixture user has.
pub const PASSWORD: &str = "correct horse battery";

/// Roles in the order tests walk them.
pub const ROLES: [Role; 8] = Role::ALL;
