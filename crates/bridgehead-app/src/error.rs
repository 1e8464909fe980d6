//! What a use case can answer besides success. Each variant maps to one kind of HTTP
//! status and one stable error code in the web layer.

use bridgehead_domain::{FieldError, FieldErrors};
use bridgehead_io::RowError;
use bridgehead_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not signed in, or the credentials are wrong.
    #[error("sign-in required")]
    Unauthenticated,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("the account is locked until {until}")]
    Locked { until: String },
    #[error("too many attempts; try again later")]
    TooManyAttempts,
    /// Signed in, but the role may not do this at all.
    #[error("{0}")]
    Forbidden(String),
    /// The object does not exist — or exists outside the actor's scope, which is
    /// answered the same way so that ids cannot be probed.
    #[error("{what} not found")]
    NotFound { what: &'static str },
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    /// A unique value is already taken.
    #[error("{0}")]
    Duplicate(FieldError),
    /// The object changed since the caller read it.
    #[error("the {what} was changed by someone else (now version {current_version})")]
    VersionMismatch { what: &'static str, current_version: i64 },
    /// An import file was refused as a whole; nothing was stored.
    #[error("the file was refused: {message}")]
    ImportFile { code: &'static str, message: String },
    /// An import had row errors; nothing was stored.
    #[error("{} rows have errors; nothing was imported", .0.len())]
    ImportRows(Vec<RowError>),
    #[error(transparent)]
    Store(StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound { what: "record" },
            other => Self::Store(other),
        }
    }
}

impl From<bridgehead_io::ReadError> for AppError {
    /// A file that cannot be read as a sheet at all (not its rows' errors).
    fn from(error: bridgehead_io::ReadError) -> Self {
        Self::ImportFile { code: error.code(), message: error.to_string() }
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        Self::Invalid(errors)
    }
}

impl From<FieldError> for AppError {
    fn from(error: FieldError) -> Self {
        Self::Invalid(FieldErrors(vec![error]))
    }
}

impl AppError {
    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid(FieldErrors(vec![FieldError::new(field, code, message)]))
    }
}
