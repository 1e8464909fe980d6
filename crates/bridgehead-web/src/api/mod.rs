//! The JSON API under `/api/v1`. Handlers translate HTTP into use-case calls and back;
//! they hold no rules of their own.

pub mod admin;
pub mod auth;
pub mod calendar;
pub mod confirmations;
pub mod dto;
pub mod enterprises;
pub mod funds;
pub mod innovation;
pub mod project_files;
pub mod projects;
pub mod reference;
pub mod statistics;

use axum::extract::FromRequest;
use axum::extract::FromRequestParts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::Problem;

/// JSON body whose rejection is a problem document.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(Problem))]
pub struct Json<T>(pub T);

impl<T: Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// Query string whose rejection is a problem document.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Problem))]
pub struct Query<T>(pub T);

/// Path parameters whose rejection is a problem document.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Problem))]
pub struct Path<T>(pub T);

/// Largest page size of any list.
pub const MAX_PER_PAGE: u32 = 500;

/// Paging of a list: `page` counts from 1.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Items per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

impl Paging {
    /// (limit, offset), refusing values out of range with the field named.
    pub fn limit_offset(self) -> Result<(i64, i64), Problem> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(50);
        if !(1..=100_000).contains(&page) {
            return Err(Problem::bad_request("request.query", "page must be between 1 and 100000"));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(Problem::bad_request(
                "request.query",
                format!("per_page must be between 1 and {MAX_PER_PAGE}"),
            ));
        }
        Ok((i64::from(per_page), i64::from(page - 1) * i64::from(per_page)))
    }

    pub fn page(self) -> u32 {
        self.page.unwrap_or(1)
    }

    pub fn per_page(self) -> u32 {
        self.per_page.unwrap_or(50)
    }
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    /// Items in the whole list.
    pub total: i64,
}

impl<T> Page<T> {
    /// The page `paging` asked for, of a list of `total`.
    pub fn new(items: Vec<T>, paging: Paging, total: i64) -> Self {
        Self { items, page: paging.page(), per_page: paging.per_page(), total }
    }
}

/// The ETag of a versioned object.
pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"v{version}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"v0\""))
}

/// Response headers carrying a versioned object's ETag.
pub fn etag_headers(version: i64) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::ETAG, etag(version));
    headers
}

/// The version an `If-Match` header names, if any. `*` means any version.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i64>, Problem> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .strip_prefix('v')
        .and_then(|v| v.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| {
            Problem::new(StatusCode::PRECONDITION_FAILED, "version_mismatch", "Changed by someone else")
                .detail("If-Match must be an ETag this API returned, like \"v3\"")
        })
}
