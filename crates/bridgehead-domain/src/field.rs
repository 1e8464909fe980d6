//! Errors that name the field at fault. Every rule that refuses input says which field,
//! which value and why, in a stable machine-readable code plus an English message; the
//! web layer translates the code for the pages.

use std::collections::BTreeMap;

use serde::Serialize;

/// One refused value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field as the API names it, e.g. `credit_code`.
    pub field: String,
    /// A stable code, e.g. `credit_code.check_character`.
    pub code: &'static str,
    /// What was wrong, in English, naming the expected value where there is one.
    pub message: String,
    /// The offending value as given (truncated when long).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The particulars the message names (e.g. `expected` for a check character), so
    /// that the message can be given in another language.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self { field: field.into(), code, message: message.into(), value: None, params: BTreeMap::new() }
    }

    #[must_use]
    pub fn with_value(mut self, value: impl AsRef<str>) -> Self {
        let value = value.as_ref();
        let shown: String = value.chars().take(200).collect();
        self.value = Some(shown);
        self
    }
}

impl FieldError {
    #[must_use]
    pub fn with_param(mut self, name: &str, value: impl ToString) -> Self {
        self.params.insert(name.to_owned(), value.to_string());
        self
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Errors collected while validating one record: validation reports every problem at
/// once instead of stopping at the first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Keeps the value of a check, or records its error and returns `None`.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.push(error);
                None
            }
        }
    }

    /// `Ok(value)` when nothing was recorded.
    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.0.is_empty() { Ok(value()) } else { Err(self) }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for FieldErrors {}

impl From<FieldError> for FieldErrors {
    fn from(error: FieldError) -> Self {
        Self(vec![error])
    }
}
