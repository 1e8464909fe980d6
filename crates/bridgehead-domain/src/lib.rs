//! The domain of Bridgehead: identifiers and codes that are parsed once at the edge
//! (credit codes, region and industry codes, currencies), exact money, enterprises and
//! the roles that decide who may see what. Pure: no IO, no async, no SQL, no HTTP.

pub mod access;
pub mod calendar;
pub mod clearing;
pub mod codes;
pub mod enterprise;
pub mod facts;
pub mod field;
pub mod funds;
pub mod indicators;
pub mod innovation;
pub mod money;
pub mod period;
pub mod project;
pub mod reference;
pub mod statistics;

pub use field::{FieldError, FieldErrors};
