//! Consistent backups while the server runs, and restores.
//!
//! SQLite: `VACUUM INTO` writes a transactionally consistent copy of a live database
//! (readers and the WAL writer carry on). PostgreSQL: `pg_dump --format=custom`, which
//! reads one snapshot; `pg_restore --clean` brings it back.

use std::path::Path;

use crate::{Backend, Store, StoreError, StoreResult};

/// Writes a consistent copy of the database to `target` (which must not exist).
pub async fn backup(store: &Store, database_url: &str, target: &Path) -> StoreResult<()> {
    if target.exists() {
        return Err(StoreError::Backup(format!("{} already exists; choose a new file", target.display())));
    }
    match store.backend() {
        Backend::Sqlite => {
            let path = target.to_str().ok_or_else(|| StoreError::Backup("the backup path is not UTF-8".into()))?;
            let mut conn = store.read().await?;
            sqlx::query("VACUUM INTO $1").bind(path).execute(&mut *conn).await?;
            Ok(())
        }
        Backend::Postgres => {
            run_tool("pg_dump", &["--format=custom", "--no-owner", "--file", &path_text(target)?, database_url]).await
        }
    }
}

/// Replaces the database's contents with a backup. For SQLite the server must be
/// stopped: the file is swapped. For PostgreSQL the objects are dropped and recreated.
pub async fn restore(backend: Backend, database_url: &str, source: &Path) -> StoreResult<()> {
    if !source.is_file() {
        return Err(StoreError::Backup(format!("{} is not a file", source.display())));
    }
    match backend {
        Backend::Sqlite => {
            let target = sqlite_path(database_url)?;
            check_sqlite_backup(source).await?;
            let staging = target.with_extension("restoring");
            tokio::fs::copy(source, &staging).await.map_err(|e| StoreError::Backup(format!("copy failed: {e}")))?;
            let file = tokio::fs::File::open(&staging).await.map_err(|e| StoreError::Backup(e.to_string()))?;
            file.sync_all().await.map_err(|e| StoreError::Backup(e.to_string()))?;
            for suffix in ["-wal", "-shm"] {
                let side = format!("{}{suffix}", target.display());
                match tokio::fs::remove_file(&side).await {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(StoreError::Backup(format!("cannot remove {side}: {e}"))),
                }
            }
            tokio::fs::rename(&staging, &target)
                .await
                .map_err(|e| StoreError::Backup(format!("rename failed: {e}")))?;
            Ok(())
        }
        Backend::Postgres => {
            run_tool(
                "pg_restore",
                &[
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--dbname",
                    database_url,
                    &path_text(source)?,
                ],
            )
            .await?;
            // Servers still running on the database hold fund books of the data replaced:
            // a new epoch makes each rebuild its book at its next answer.
            let store = Store::connect(database_url, &crate::StoreOptions::default()).await?;
            let mut tx = store.begin().await?;
            crate::fund_policy::renew_book_epoch(tx.conn()).await?;
            tx.commit().await?;
            store.close().await;
            Ok(())
        }
    }
}

/// Refuses a file that is not a Bridgehead SQLite database.
async fn check_sqlite_backup(source: &Path) -> StoreResult<()> {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", path_text(source)?);
    // A plain read-only connection: `Store::connect` switches every connection to WAL,
    // which is a write and fails on a read-only file.
    let version = match sqlx::AnyConnection::connect(&url).await {
        Ok(mut conn) => {
            let version = sqlx::query("SELECT MAX(version) AS v FROM schema_migrations")
                .fetch_one(&mut conn)
                .await
                .and_then(|row| row.try_get::<Option<i64>, _>("v"));
            let _ = conn.close().await;
            version
        }
        Err(error) => Err(error),
    };
    match version {
        Ok(Some(v)) if v > 0 => Ok(()),
        _ => Err(StoreError::Backup(format!("{} is not a Bridgehead database backup", source.display()))),
    }
}

/// The file an `sqlite://` URL names.
pub fn sqlite_path(database_url: &str) -> StoreResult<std::path::PathBuf> {
    let rest = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::UnsupportedUrl(database_url.to_owned()))?;
    let path = rest.split('?').next().unwrap_or(rest);
    Ok(std::path::PathBuf::from(path))
}

fn path_text(path: &Path) -> StoreResult<String> {
    path.to_str().map(ToOwned::to_owned).ok_or_else(|| StoreError::Backup("the path is not UTF-8".into()))
}

async fn run_tool(program: &str, args: &[&str]) -> StoreResult<()> {
    let output =
        tokio::process::Command::new(program).args(args).output().await.map_err(|e| {
            StoreError::Backup(format!("cannot run {program} ({e}); install the PostgreSQL client tools"))
        })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(StoreError::Backup(format!("{program} failed: {}", String::from_utf8_lossy(&output.stderr).trim())))
    }
}
