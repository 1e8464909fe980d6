//! A database-neutral error: callers learn *what* went wrong (a duplicate, a missing
//! reference, a conflict) without knowing which database said so.

/// What went wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("could not open the database: {0}")]
    Connect(#[source] sqlx::Error),
    /// A unique key already holds this value.
    #[error("duplicate value ({constraint})")]
    Duplicate { constraint: String },
    /// A referenced row does not exist, or a row is still referenced.
    #[error("reference violation ({constraint})")]
    Reference { constraint: String },
    /// A CHECK constraint refused the row.
    #[error("check violation ({constraint})")]
    Check { constraint: String },
    /// The row changed since it was read (optimistic concurrency).
    #[error("the record was changed by someone else")]
    Conflict,
    #[error("not found")]
    NotFound,
    #[error("migration {version} ({name}) failed: {source}")]
    Migration { version: i64, name: String, source: sqlx::Error },
    #[error("migration {version} was changed after it was applied (checksum differs)")]
    MigrationChanged { version: i64 },
    #[error("the database is at schema version {found}, newer than this program knows ({known})")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("backup failed: {0}")]
    Backup(String),
    #[error(transparent)]
    Database(sqlx::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        if let sqlx::Error::RowNotFound = error {
            return Self::NotFound;
        }
        if let sqlx::Error::Database(db) = &error {
            let constraint = db.constraint().map_or_else(|| db.message().to_owned(), ToOwned::to_owned);
            match db.kind() {
                ErrorKind::UniqueViolation => return Self::Duplicate { constraint },
                ErrorKind::ForeignKeyViolation => return Self::Reference { constraint },
                ErrorKind::CheckViolation | ErrorKind::NotNullViolation => return Self::Check { constraint },
                _ => {}
            }
        }
        Self::Database(error)
    }
}

impl StoreError {
    /// Whether the error means the caller's data broke a rule (not that storage broke).
    pub fn is_constraint(&self) -> bool {
        matches!(self, Self::Duplicate { .. } | Self::Reference { .. } | Self::Check { .. })
    }
}
