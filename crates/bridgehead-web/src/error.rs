//! Errors at the HTTP edge: RFC 9457 problem details with a stable code, the field at
//! fault and (for imports) every row error. What the caller did wrong is a 4xx that
//! says so; what broke is a 500 that is logged with its cause and says nothing inside.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bridgehead_app::AppError;
use bridgehead_domain::FieldError;
use bridgehead_io::RowError;
use bridgehead_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// One field at fault.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field as the API names it.
    pub field: String,
    /// A stable code, e.g. `credit_code.check_character`.
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// One row of an import file at fault.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemRow {
    /// The row number as a spreadsheet shows it.
    pub row: usize,
    /// The column header as written in the file.
    pub column: String,
    pub value: String,
    pub reason: String,
    pub code: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A stable machine-readable code.
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<ProblemRow>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, title: impl Into<String>) -> Self {
        Self {
            problem_type: format!("/api/v1/problems#{code}"),
            title: title.into(),
            status: status.as_u16(),
            detail: None,
            code: code.to_owned(),
            errors: Vec::new(),
            rows: Vec::new(),
        }
    }

    #[must_use]
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    #[must_use]
    pub fn fields(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors
            .into_iter()
            .map(|e| ProblemField { field: e.field, code: e.code.to_owned(), message: e.message, value: e.value })
            .collect();
        self
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn bad_request(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, "Bad request").detail(detail)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Not found")
    }

    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error")
            .detail("something went wrong on our side; it has been logged")
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (status, Json(self)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        response
    }
}

fn row_problem(rows: Vec<RowError>) -> Problem {
    let count = rows.len();
    let mut problem =
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "import.rows", "The file has errors; nothing was imported")
            .detail(format!("{count} problems in the file; fix them and import again"));
    problem.rows = rows
        .into_iter()
        .map(|r| ProblemRow { row: r.row, column: r.column, value: r.value, reason: r.reason, code: r.code })
        .collect();
    problem
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Unauthenticated => Problem::new(StatusCode::UNAUTHORIZED, "auth.required", "Sign-in required"),
            AppError::BadCredentials => {
                Problem::new(StatusCode::UNAUTHORIZED, "auth.bad_credentials", "Wrong username or password")
            }
            AppError::Locked { until } => Problem::new(StatusCode::FORBIDDEN, "auth.locked", "Account locked")
                .detail(format!("too many failed sign-ins; locked until {until}")),
            AppError::TooManyAttempts => {
                Problem::new(StatusCode::TOO_MANY_REQUESTS, "auth.rate_limited", "Too many attempts")
                    .detail("too many failed sign-ins from this address; try again later")
            }
            AppError::Forbidden(reason) => Problem::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden").detail(reason),
            AppError::NotFound { what } => Problem::not_found().detail(format!("{what} not found")),
            AppError::Invalid(errors) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", "Invalid input")
                .detail(errors.to_string())
                .fields(errors.0),
            AppError::Duplicate(error) => Problem::new(StatusCode::CONFLICT, "duplicate", "Already exists")
                .detail(error.message.clone())
                .fields(vec![error]),
            AppError::VersionMismatch { what, current_version } => {
                Problem::new(StatusCode::PRECONDITION_FAILED, "version_mismatch", "Changed by someone else").detail(
                    format!("the {what} is now at version {current_version}; reload it and apply your change again"),
                )
            }
            AppError::ImportFile { code, message } => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, code, "The file was refused; nothing was imported")
                    .detail(message)
            }
            AppError::ImportRows(rows) => row_problem(rows),
            AppError::Store(error) if error.is_constraint() => {
                tracing::warn!(%error, "constraint refused a change");
                let detail = match &error {
                    StoreError::Duplicate { .. } => "a record with this key already exists",
                    StoreError::Reference { .. } => "a referenced record does not exist or is still in use",
                    _ => "the change breaks a rule of the data",
                };
                Problem::new(StatusCode::CONFLICT, "constraint", "Refused by a data rule").detail(detail)
            }
            AppError::Store(error) => {
                tracing::error!(error = %error, source = ?std::error::Error::source(&error), "storage failed");
                Problem::internal()
            }
            AppError::Internal(message) => {
                tracing::error!(%message, "internal error");
                Problem::internal()
            }
        }
    }
}

/// A handler result for the JSON API.
pub type ApiResult<T> = Result<T, Problem>;

impl From<axum::extract::rejection::JsonRejection> for Problem {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "request.body", "The request body is not valid")
            .detail(rejection.body_text())
    }
}

impl From<axum::extract::rejection::QueryRejection> for Problem {
    fn from(rejection: axum::extract::rejection::QueryRejection) -> Self {
        Problem::bad_request("request.query", rejection.body_text())
    }
}

impl From<axum::extract::rejection::PathRejection> for Problem {
    fn from(rejection: axum::extract::rejection::PathRejection) -> Self {
        Problem::bad_request("request.path", rejection.body_text())
    }
}

impl From<axum::extract::rejection::FormRejection> for Problem {
    fn from(rejection: axum::extract::rejection::FormRejection) -> Self {
        Problem::bad_request("request.form", rejection.body_text())
    }
}
