//! Integration tests of the store and app layers: one binary, every test on a fresh
//! database — SQLite by default, PostgreSQL when `TEST_DATABASE_URL` is set.

// A failed unwrap is a failed test, which is what it should be here.
#![allow(clippy::unwrap_used)]

#[path = "app/common.rs"]
mod common;

#[path = "app/migrations.rs"]
mod migrations;

#[path = "app/credit_codes.rs"]
mod credit_codes;

#[path = "app/enterprises.rs"]
mod enterprises;

#[path = "app/scope.rs"]
mod scope;

#[path = "app/import.rs"]
mod import;

#[path = "app/audit.rs"]
mod audit;

#[path = "app/auth.rs"]
mod auth;

#[path = "app/backup.rs"]
mod backup;

#[path = "app/projects.rs"]
mod projects;

#[path = "app/calendar.rs"]
mod calendar;

#[path = "app/confirmations.rs"]
mod confirmations;

#[path = "app/innovation.rs"]
mod innovation;

#[path = "app/project_files.rs"]
mod project_files;

#[path = "app/statistics.rs"]
mod statistics;

#[path = "app/demo.rs"]
mod demo;

#[path = "app/engine.rs"]
mod engine;

/// Funds: partners and commitments, the ledger, notices, performance, the fund tree.
#[path = "app/funds.rs"]
mod funds;

/// Fund ledgers from files: all or nothing, names found within the fund, imported once.
#[path = "app/fund_ledger.rs"]
mod fund_ledger;

/// The fund book: each process's in-memory fund data against the database's change feed.
#[path = "app/fund_book.rs"]
mod fund_book;

#[path = "app/clearing.rs"]
mod clearing;
