//! Versioned schema migrations, embedded in the binary. Each migration is one SQL file
//! written for both databases (see [`crate::dialect::Backend::render_migration`]) plus
//! an optional file per dialect for what cannot be shared (trigger syntax). Each runs
//! in its own transaction; a checksum guards against editing a migration once applied.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Backend, Store, StoreError, StoreResult, now_text};

struct Migration {
    version: i64,
    name: &'static str,
    common: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        common: include_str!("../migrations/0001_foundation.sql"),
        sqlite: include_str!("../migrations/0001_foundation.sqlite.sql"),
        postgres: include_str!("../migrations/0001_foundation.postgres.sql"),
    },
    Migration {
        version: 2,
        name: "projects",
        common: include_str!("../migrations/0002_projects.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 3,
        name: "calendar",
        common: include_str!("../migrations/0003_calendar.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 4,
        name: "equipment_confirmations",
        common: include_str!("../migrations/0004_equipment_confirmations.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 5,
        name: "innovation_projects",
        common: include_str!("../migrations/0005_innovation_projects.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 6,
        name: "indicators",
        common: include_str!("../migrations/0006_indicators.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 7,
        name: "statistics_engine",
        common: include_str!("../migrations/0007_statistics_engine.sql"),
        sqlite: include_str!("../migrations/0007_statistics_engine.sqlite.sql"),
        postgres: include_str!("../migrations/0007_statistics_engine.postgres.sql"),
    },
    Migration {
        version: 8,
        name: "statistics_releases",
        common: include_str!("../migrations/0008_statistics_releases.sql"),
        sqlite: include_str!("../migrations/0008_statistics_releases.sqlite.sql"),
        postgres: include_str!("../migrations/0008_statistics_releases.postgres.sql"),
    },
    Migration {
        version: 9,
        name: "funds",
        common: include_str!("../migrations/0009_funds.sql"),
        sqlite: include_str!("../migrations/0009_funds.sqlite.sql"),
        postgres: include_str!("../migrations/0009_funds.postgres.sql"),
    },
    Migration {
        version: 10,
        name: "fund_policy",
        common: include_str!("../migrations/0010_fund_policy.sql"),
        sqlite: include_str!("../migrations/0010_fund_policy.sqlite.sql"),
        postgres: include_str!("../migrations/0010_fund_policy.postgres.sql"),
    },
    Migration {
        version: 11,
        name: "fund_ledger_imports",
        common: include_str!("../migrations/0011_fund_ledger_imports.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 12,
        name: "fund_book",
        common: include_str!("../migrations/0012_fund_book.sql"),
        sqlite: include_str!("../migrations/0012_fund_book.sqlite.sql"),
        postgres: include_str!("../migrations/0012_fund_book.postgres.sql"),
    },
    Migration {
        version: 13,
        name: "clearing",
        common: include_str!("../migrations/0013_clearing.sql"),
        sqlite: include_str!("../migrations/0013_clearing.sqlite.sql"),
        postgres: include_str!("../migrations/0013_clearing.postgres.sql"),
    },
];

/// The newest schema version this program knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

impl Migration {
    fn render(&self, backend: Backend) -> String {
        let specific = match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        };
        backend.render_migration(&format!("{}\n{}", self.common, specific))
    }
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// An arbitrary constant that names Bridgehead's migration lock on PostgreSQL.
const PG_MIGRATION_LOCK: i64 = 0x4272_6964_6765;

pub(crate) async fn run(store: &Store) -> StoreResult<Vec<i64>> {
    {
        let mut tx = store.begin().await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
             checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
    }
    let mut applied = Vec::new();
    for migration in MIGRATIONS {
        let sql = migration.render(store.backend());
        let sum = checksum(&sql);
        let mut tx = store.begin().await?;
        if store.backend() == Backend::Postgres {
            // Several servers may start at once against one database.
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(PG_MIGRATION_LOCK).execute(tx.conn()).await?;
        }
        let existing = sqlx::query("SELECT checksum FROM schema_migrations WHERE version = $1")
            .bind(migration.version)
            .fetch_optional(tx.conn())
            .await?;
        if let Some(row) = existing {
            let stored: String = row.try_get("checksum")?;
            if stored != sum {
                return Err(StoreError::MigrationChanged { version: migration.version });
            }
            continue;
        }
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(tx.conn()).await.map_err(|source| StoreError::Migration {
            version: migration.version,
            name: migration.name.to_owned(),
            source,
        })?;
        sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(sum)
            .bind(now_text())
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        tracing::info!(version = migration.version, name = migration.name, "applied migration");
        applied.push(migration.version);
    }
    let mut conn = store.read().await?;
    let newest: Option<i64> =
        sqlx::query("SELECT MAX(version) AS v FROM schema_migrations").fetch_one(&mut *conn).await?.try_get("v")?;
    if let Some(found) = newest
        && found > latest_version()
    {
        return Err(StoreError::SchemaTooNew { found, known: latest_version() });
    }
    Ok(applied)
}

/// The schema version the database is at (0 when never migrated).
pub async fn current_version(store: &Store) -> StoreResult<i64> {
    let mut conn = store.read().await?;
    let exists =
        sqlx::query(store.backend().table_exists_sql()).bind("schema_migrations").fetch_optional(&mut *conn).await?;
    if exists.is_none() {
        return Ok(0);
    }
    let version: Option<i64> =
        sqlx::query("SELECT MAX(version) AS v FROM schema_migrations").fetch_one(&mut *conn).await?.try_get("v")?;
    Ok(version.unwrap_or(0))
}
