//! Bridgehead's use cases. Every function here takes the acting [`Actor`], decides
//! whether the actor may do it (roles, scopes, object-level checks), and carries it out
//! in one transaction together with its audit record. No HTTP types: the web and CLI
//! layers translate requests into these calls and [`AppError`] into responses.

pub mod access;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod clearing;
pub mod confirmations;
pub mod cores;
pub mod demo;
mod demo_funds;
pub mod engine;
pub mod enterprises;
mod error;
pub mod fund_book;
pub mod fund_ledger;
pub mod fund_policy;
pub mod funds;
pub mod indicators;
pub mod innovation;
pub mod project_files;
pub mod projects;
pub mod province;
pub mod reference;
pub mod releases;
pub mod seed;
pub mod statistics;

pub use access::Actor;
pub use error::{AppError, AppResult};

use bridgehead_store::Store;

/// Reads an uploaded file's first sheet against `columns` with the default limits.
pub(crate) fn read_file(
    bytes: &[u8],
    format: bridgehead_io::FileFormat,
    columns: &'static [bridgehead_io::ColumnSpec],
) -> AppResult<bridgehead_io::Sheet> {
    Ok(bridgehead_io::read_sheet(bytes, format, columns, &bridgehead_io::Limits::default())?)
}

/// Limits and timings of access control.
#[derive(Debug, Clone)]
pub struct AccessSettings {
    /// How long a signed-in session lasts.
    pub session_hours: i64,
    /// Failed sign-ins in a row that lock an account.
    pub lockout_threshold: i64,
    /// How long a locked account stays locked.
    pub lockout_minutes: i64,
    /// Failed sign-ins from one client address within the window before it is refused.
    pub client_attempts_per_window: i64,
    pub client_window_minutes: i64,
}

impl Default for AccessSettings {
    fn default() -> Self {
        Self {
            session_hours: 12,
            lockout_threshold: 5,
            lockout_minutes: 15,
            client_attempts_per_window: 20,
            client_window_minutes: 15,
        }
    }
}

/// The application: the store plus the settings use cases need.
#[derive(Debug, Clone)]
pub struct App {
    pub store: Store,
    pub access: AccessSettings,
    /// This process's statistics engine (see [`engine`]).
    pub statistics: std::sync::Arc<engine::StatisticsEngine>,
    /// This process's fund book (see [`fund_book`]).
    pub fund_book: std::sync::Arc<fund_book::FundBook>,
}

impl App {
    pub fn new(store: Store, access: AccessSettings) -> Self {
        Self { store, access, statistics: std::sync::Arc::default(), fund_book: std::sync::Arc::default() }
    }
}
