//! The only crate that speaks SQL. One schema and one query path serve both embedded
//! SQLite (the default) and PostgreSQL: queries are written once with `$1…$N`
//! placeholders through sqlx's `Any` driver, and the few places where the dialects
//! differ are named in [`dialect`]. Money is stored as BIGINT minor units, dates as
//! `YYYY-MM-DD` text and instants as fixed-width RFC 3339 UTC text, so that both
//! databases compare and sort them the same way.
//!
//! Every change that matters is written together with its audit record in one
//! transaction ([`audit::append`]).

pub mod audit;
pub mod backup;
pub mod bulk;
pub mod calendar;
pub mod clearing;
pub mod confirmations;
pub mod dialect;
pub mod enterprises;
mod error;
pub mod fund_policy;
pub mod funds;
pub mod idempotency;
pub mod imports;
pub mod indicators;
pub mod innovation;
pub mod migrate;
pub mod projects;
pub mod reference;
pub mod releases;
pub mod sql;
pub mod statistics;
pub mod users;

use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Executor};
use tokio::sync::{Mutex, OwnedMutexGuard};

pub use dialect::Backend;
pub use error::{StoreError, StoreResult};

/// A connection inside a transaction or from the pool: every query function takes one.
pub type Conn = AnyConnection;

/// Settings for opening the database.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Largest number of pooled connections.
    pub max_connections: u32,
    /// How long a writer waits for SQLite's lock before giving up.
    pub busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { max_connections: 8, busy_timeout: Duration::from_secs(10) }
    }
}

/// The database: a pool plus what is needed to write safely on either backend.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer at a time. Serialising this process's writers here
    /// (instead of letting them collide inside SQLite) keeps `BEGIN IMMEDIATE` waits
    /// short and fair; other processes are handled by SQLite's busy timeout.
    writer: Option<Arc<Mutex<()>>>,
    /// Transactions committed through this store (all clones), so that caches in this
    /// process can tell at once that something may have changed.
    commits: Arc<std::sync::atomic::AtomicU64>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish_non_exhaustive()
    }
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    inner: sqlx::Transaction<'static, sqlx::Any>,
    _writer: Option<OwnedMutexGuard<()>>,
    commits: Arc<std::sync::atomic::AtomicU64>,
}

impl Tx {
    pub async fn commit(self) -> StoreResult<()> {
        self.inner.commit().await?;
        self.commits.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    pub fn conn(&mut self) -> &mut Conn {
        &mut self.inner
    }

    /// Marks a point to return to, for a piece of work that may fail without spoiling
    /// the rest of the transaction (after a failed statement PostgreSQL refuses every
    /// other until the transaction returns to a savepoint). Close it with
    /// [`Tx::keep`] or [`Tx::undo`].
    pub async fn savepoint(&mut self) -> StoreResult<()> {
        sqlx::query("SAVEPOINT piece").execute(&mut *self.inner).await?;
        Ok(())
    }

    /// Keeps the work done since the last [`Tx::savepoint`].
    pub async fn keep(&mut self) -> StoreResult<()> {
        sqlx::query("RELEASE SAVEPOINT piece").execute(&mut *self.inner).await?;
        Ok(())
    }

    /// Undoes the work done since the last [`Tx::savepoint`]; the transaction goes on.
    pub async fn undo(&mut self) -> StoreResult<()> {
        sqlx::query("ROLLBACK TO SAVEPOINT piece").execute(&mut *self.inner).await?;
        sqlx::query("RELEASE SAVEPOINT piece").execute(&mut *self.inner).await?;
        Ok(())
    }
}

impl std::ops::Deref for Tx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.inner
    }
}

impl Store {
    /// Opens the database at `url` (`sqlite://PATH` or `postgres://…`), creating an
    /// SQLite file if it does not exist. Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str, options: &StoreOptions) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_owned(),
        };
        let connect_options: AnyConnectOptions = url.parse().map_err(StoreError::Connect)?;
        let busy_ms = options.busy_timeout.as_millis();
        let max_connections = match backend {
            Backend::Sqlite => options.max_connections.max(2),
            Backend::Postgres => options.max_connections,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            conn.execute(sqlx::AssertSqlSafe(format!(
                                "PRAGMA busy_timeout = {busy_ms}; PRAGMA journal_mode = WAL; \
                                 PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                            )))
                            .await?;
                        }
                        Backend::Postgres => {
                            conn.execute("SET TIME ZONE 'UTC'").await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(connect_options)
            .await
            .map_err(StoreError::Connect)?;
        let writer = matches!(backend, Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Self { pool, backend, writer, commits: Arc::default() })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction never fails half-way on a lock upgrade.
    pub async fn begin(&self) -> StoreResult<Tx> {
        let guard = match &self.writer {
            Some(writer) => Some(writer.clone().lock_owned().await),
            None => None,
        };
        let inner = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx { inner, _writer: guard, commits: self.commits.clone() })
    }

    /// A read-only transaction that sees one consistent snapshot of the database for all
    /// its statements (SQLite: a deferred transaction; PostgreSQL: repeatable read).
    pub async fn snapshot(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin().await?,
            Backend::Postgres => self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?,
        })
    }

    /// How many transactions this process has committed through this store.
    pub fn commits(&self) -> u64 {
        self.commits.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// A pooled connection for reading.
    pub async fn read(&self) -> StoreResult<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Applies every pending migration; returns the versions applied.
    pub async fn migrate(&self) -> StoreResult<Vec<i64>> {
        migrate::run(self).await
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        let mut conn = self.read().await?;
        sqlx::query("SELECT 1").execute(&mut *conn).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The current instant as fixed-width RFC 3339 UTC text with microseconds, the form
/// every timestamp column holds (it sorts as text).
pub fn now_text() -> String {
    instant_text(time::OffsetDateTime::now_utc())
}

pub fn instant_text(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.microsecond()
    )
}
