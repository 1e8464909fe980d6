//! Spreadsheet and CSV import and export for Bridgehead. Reading is forgiving about
//! what Excel, WPS and government systems produce (encodings, delimiters, titles above
//! the header, merged header cells, decorated header names) and strict about limits;
//! it never panics. Writing produces files that open cleanly in Excel and read back
//! unchanged. Pure: no database, no HTTP, no async.

mod cell;
pub mod clearing;
mod csv_read;
pub mod enterprises;
pub mod fund_ledger;
pub mod funds;
mod grid;
mod header;
pub mod projects;
mod read;
pub mod reports;
mod spec;
pub mod statistics;
mod write;
mod xlsx_read;

pub use cell::excel_serial_to_iso_date;
pub use read::{ReadError, Record, RowError, Sheet, read_sheet};
pub use spec::{ColumnSpec, FileFormat, Lang, Limits};
pub use write::{WriteError, template, write_sheet};
