//! `Idempotency-Key` on the requests that move money: the first request with a key runs
//! and its answer is kept; a retry with the same key and the same request gets that
//! answer again (marked `Idempotent-Replayed: true`) and takes no second effect; the
//! same key with a different request is refused. A key is claimed in the database
//! before the request runs, so two copies sent at once never both run: the second is
//! told the first is still running (409). A request that fails on the server's side
//! (5xx) frees its key for a retry.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bridgehead_store::idempotency::{self, Stored};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::Problem;
use crate::session::Principal;

pub const HEADER: &str = "idempotency-key";
const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

fn problem(status: StatusCode, code: &str, title: &str, detail: String) -> Response {
    Problem::new(status, code, title).detail(detail).into_response()
}

pub async fn idempotent(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(key) = request.headers().get(HEADER) else {
        return next.run(request).await;
    };
    let key = match key.to_str().map(str::trim) {
        Ok(k) if !k.is_empty() && k.len() <= 200 => k.to_owned(),
        _ => {
            return Problem::bad_request(
                "idempotency_key.invalid",
                "Idempotency-Key is 1 to 200 visible ASCII characters, e.g. a UUID",
            )
            .into_response();
        }
    };
    let principal = request.extensions().get::<Principal>().and_then(|p| p.actor.as_ref()).map(|a| a.label.clone());
    let Some(principal) = principal else {
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
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str().as_bytes());
    hasher.update(b" ");
    hasher.update(parts.uri.to_string().as_bytes());
    hasher.update(b"\n");
    hasher.update(&bytes);
    let hash = hex::encode(hasher.finalize());

    let claimed = async {
        let mut tx = state.app.store.begin().await?;
        let stored = idempotency::claim(&mut tx, &principal, &key, &hash).await?;
        tx.commit().await?;
        Ok::<_, bridgehead_store::StoreError>(stored)
    }
    .await;
    match claimed {
        Err(e) => {
            tracing::error!(error = %e, "idempotency key claim failed");
            return Problem::internal().into_response();
        }
        Ok(Some(Stored::Answered { request_hash, status, content_type, body })) if request_hash == hash => {
            let mut response = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
            if let Some(ct) = content_type.and_then(|ct| HeaderValue::from_str(&ct).ok()) {
                response.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            return response;
        }
        Ok(Some(Stored::Running { request_hash })) if request_hash == hash => {
            return problem(
                StatusCode::CONFLICT,
                "idempotency_key.running",
                "Request still running",
                format!("a request with Idempotency-Key '{key}' is still running; retry later for its answer"),
            );
        }
        Ok(Some(_)) => {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key.reused",
                "Idempotency-Key reused",
                format!("Idempotency-Key '{key}' was used for a different request; use a new key for a new request"),
            );
        }
        Ok(None) => {}
    }

    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let (parts, body) = response.into_parts();
    let body = to_bytes(body, MAX_ANSWER_BYTES).await.unwrap_or_default();
    let kept = async {
        let mut tx = state.app.store.begin().await?;
        if parts.status.is_server_error() {
            idempotency::release(&mut tx, &principal, &key).await?;
        } else {
            let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
            idempotency::answer(
                &mut tx,
                &principal,
                &key,
                parts.status.as_u16(),
                content_type,
                &String::from_utf8_lossy(&body),
            )
            .await?;
        }
        tx.commit().await
    }
    .await;
    if let Err(e) = kept {
        // The request took effect; its key stays claimed, so a retry is told it ran.
        tracing::error!(error = %e, "idempotency answer not kept");
    }
    Response::from_parts(parts, Body::from(body))
}
