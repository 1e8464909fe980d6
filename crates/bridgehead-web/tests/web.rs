//! Black-box tests of the server: the real binary's router on port 0, a fresh
//! database per test, HTTP from outside.
#![allow(clippy::unwrap_used)]

mod web {
    mod access;
    mod api;
    mod browser;
    mod confirmation_pages;
    mod funds_api;
    mod funds_concurrency;
    mod funds_pages;
    mod innovation_pages;
    mod pages;
    mod project_pages;
}
