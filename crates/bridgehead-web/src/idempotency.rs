//! Requests that move money run once. An API request names its key in the
//! `Idempotency-Key` header; a page form carries a one-time token in its hidden
//! [`FORM_FIELD`], put there when the form is drawn. Both go through the same table.
//!
//! The first request with a key runs and its answer is kept; a retry with the same key
//! and the same request gets that answer again (marked `Idempotent-Replayed: true`) and
//! takes no second effect; the same key with a different request is refused. A key is
//! claimed in the database before the request runs, so two copies sent at once never
//! both run. A request that fails on the server's side (5xx) frees its key for a retry.
//!
//! Where the two differ: an API copy that arrives while the first still runs is told so
//! (409); a page copy (a double click) waits for the first one's answer, so the browser
//! lands where the first submission led. A page keeps only an answer that took effect
//! (a redirect): a refused form is drawn again with its token, and the corrected form
//! posts under the same token.

use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bridgehead_app::AppError;
use bridgehead_store::idempotency::{self, Stored};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::Problem;
use crate::session::{Principal, Surface};

pub const HEADER: &str = "idempotency-key";
/// The hidden field of a page form that moves money: its one-time token.
pub const FORM_FIELD: &str = "_once";
const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;
/// How long a second copy of a page form waits for the first one's answer.
const FORM_WAIT: Duration = Duration::from_secs(15);
const FORM_POLL: Duration = Duration::from_millis(50);

/// A new one-time token for a page form that moves money.
pub fn form_token() -> String {
    bridgehead_app::auth::new_secret("once_")
}

fn problem(status: StatusCode, code: &str, title: &str, detail: String) -> Response {
    Problem::new(status, code, title).detail(detail).into_response()
}

/// A refusal, as the surface gives it: a problem document, or an error page.
fn refused(
    surface: Surface,
    parts: &Parts,
    principal: &Principal,
    status: StatusCode,
    code: &'static str,
    message: String,
) -> Response {
    match surface {
        Surface::Api => {
            let title = match status {
                StatusCode::CONFLICT => "Request still running",
                StatusCode::UNPROCESSABLE_ENTITY => "Idempotency-Key reused",
                _ => "Invalid Idempotency-Key",
            };
            problem(status, code, title, message)
        }
        Surface::Page => {
            let request = Request::from_parts(parts.clone(), Body::empty());
            crate::pages::form_refused(&request, principal, status, code, &message)
        }
    }
}

/// The key a request names: the header (API) or the form's token (pages); `Ok(None)` when
/// it names none.
fn key_of(surface: Surface, parts: &Parts, body: &Bytes) -> Result<Option<String>, ()> {
    let raw = match surface {
        Surface::Api => match parts.headers.get(HEADER) {
            None => return Ok(None),
            Some(value) => value.to_str().map_err(|_| ())?.trim().to_owned(),
        },
        Surface::Page => {
            match form_urlencoded::parse(body).find(|(k, _)| k == FORM_FIELD).map(|(_, v)| v.trim().to_owned()) {
                None => return Ok(None),
                Some(value) if value.is_empty() => return Ok(None),
                Some(value) => value,
            }
        }
    };
    if raw.is_empty() || raw.len() > 200 {
        return Err(());
    }
    Ok(Some(raw))
}

/// A kept answer, given again. A redirect keeps its target as its body.
fn replay(status: u16, content_type: Option<String>, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = if status.is_redirection() {
        let mut response = status.into_response();
        if let Ok(location) = HeaderValue::from_str(&body) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        response
    } else {
        let mut response = (status, body).into_response();
        if let Some(ct) = content_type.and_then(|ct| HeaderValue::from_str(&ct).ok()) {
            response.headers_mut().insert(header::CONTENT_TYPE, ct);
        }
        response
    };
    response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

async fn claim(
    state: &AppState,
    principal: &str,
    key: &str,
    hash: &str,
) -> Result<Option<Stored>, bridgehead_store::StoreError> {
    let mut tx = state.app.store.begin().await?;
    let stored = idempotency::claim(&mut tx, principal, key, hash).await?;
    tx.commit().await?;
    Ok(stored)
}

/// The idempotency layer of a money-moving route (`surface` says where its key is).
pub async fn idempotent(State((state, surface)): State<(AppState, Surface)>, request: Request, next: Next) -> Response {
    if surface == Surface::Api && !request.headers().contains_key(HEADER) {
        return next.run(request).await;
    }
    let principal_info = request.extensions().get::<Principal>().cloned().unwrap_or_default();
    let Some(principal) = principal_info.actor.as_ref().map(|a| a.label.clone()) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let max = state.settings.max_body_bytes;
    let Ok(bytes) = to_bytes(body, max).await else {
        return problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request.too_large",
            "Request too large",
            format!("the request body is larger than {max} bytes"),
        );
    };
    let key = match key_of(surface, &parts, &bytes) {
        Ok(Some(key)) => key,
        Ok(None) => return next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(()) => {
            return match surface {
                Surface::Api => Problem::bad_request(
                    "idempotency_key.invalid",
                    "Idempotency-Key is 1 to 200 visible ASCII characters, e.g. a UUID",
                )
                .into_response(),
                Surface::Page => refused(
                    surface,
                    &parts,
                    &principal_info,
                    StatusCode::BAD_REQUEST,
                    "form.token_invalid",
                    "the form's one-time token is damaged; reload the page and submit the form again".to_owned(),
                ),
            };
        }
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str().as_bytes());
    hasher.update(b" ");
    hasher.update(parts.uri.to_string().as_bytes());
    hasher.update(b"\n");
    hasher.update(&bytes);
    let hash = hex::encode(hasher.finalize());

    let deadline = tokio::time::Instant::now() + FORM_WAIT;
    loop {
        match claim(&state, &principal, &key, &hash).await {
            Err(e) => {
                tracing::error!(error = %e, "idempotency key claim failed");
                return match surface {
                    Surface::Api => Problem::internal().into_response(),
                    Surface::Page => {
                        let request = Request::from_parts(parts, Body::empty());
                        crate::pages::error_page(&request, &principal_info, AppError::Internal(e.to_string()))
                    }
                };
            }
            Ok(Some(Stored::Answered { request_hash, status, content_type, body })) if request_hash == hash => {
                return replay(status, content_type, body);
            }
            Ok(Some(Stored::Running { request_hash })) if request_hash == hash => {
                // A page's second copy waits for the first one's answer.
                if surface == Surface::Page && tokio::time::Instant::now() < deadline {
                    tokio::time::sleep(FORM_POLL).await;
                    continue;
                }
                let message = match surface {
                    Surface::Api => {
                        format!("a request with Idempotency-Key '{key}' is still running; retry later for its answer")
                    }
                    Surface::Page => {
                        "this form is still being processed; reload the page in a moment to see its result".to_owned()
                    }
                };
                return refused(
                    surface,
                    &parts,
                    &principal_info,
                    StatusCode::CONFLICT,
                    "idempotency_key.running",
                    message,
                );
            }
            Ok(Some(_)) => {
                let message = match surface {
                    Surface::Api => format!(
                        "Idempotency-Key '{key}' was used for a different request; use a new key for a new request"
                    ),
                    Surface::Page => {
                        "this form was already submitted with other values; reload the page for a new form".to_owned()
                    }
                };
                return refused(
                    surface,
                    &parts,
                    &principal_info,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency_key.reused",
                    message,
                );
            }
            Ok(None) => break,
        }
    }

    // The request runs to its end, and its answer is kept, even when the client goes away
    // or the request times out: otherwise its key would stay claimed with no answer.
    let store = state.app.store.clone();
    let run = tokio::spawn(async move {
        let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
        let (parts, body) = response.into_parts();
        let body = to_bytes(body, MAX_ANSWER_BYTES).await.unwrap_or_default();
        // An API request keeps every answer but a server error; a page keeps only the
        // redirect of a form that took effect.
        let keep = match surface {
            Surface::Api => !parts.status.is_server_error(),
            Surface::Page => parts.status.is_redirection(),
        };
        let kept = async {
            let mut tx = store.begin().await?;
            if keep {
                let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
                let kept_body = if parts.status.is_redirection() {
                    parts.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("/").to_owned()
                } else {
                    String::from_utf8_lossy(&body).into_owned()
                };
                idempotency::answer(&mut tx, &principal, &key, parts.status.as_u16(), content_type, &kept_body).await?;
            } else {
                idempotency::release(&mut tx, &principal, &key).await?;
            }
            tx.commit().await
        }
        .await;
        if let Err(e) = kept {
            // The request took effect; its key stays claimed, so a retry is told it ran.
            tracing::error!(error = %e, "idempotency answer not kept");
        }
        Response::from_parts(parts, Body::from(body))
    });
    match run.await {
        Ok(response) => response,
        Err(failed) if failed.is_panic() => std::panic::resume_unwind(failed.into_panic()),
        // Only a runtime shutting down cancels the task.
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
