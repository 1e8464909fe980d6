//! Who is asking: a session cookie (pages and browser API calls) or a bearer API token
//! (machine clients). Also the CSRF check for cookie-authenticated changes, and the
//! per-route role gate.

use std::net::SocketAddr;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use bridgehead_app::Actor;
use bridgehead_domain::access::{Role, User};

use crate::AppState;
use crate::error::Problem;

pub const SESSION_COOKIE: &str = "bh_session";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The caller of a request, resolved once per request.
#[derive(Debug, Clone, Default)]
pub struct Principal {
    pub actor: Option<Actor>,
    pub user: Option<User>,
    /// The session's CSRF token (cookie sessions only).
    pub csrf: Option<String>,
    pub via_cookie: bool,
}

impl Principal {
    /// The actor, or "sign-in required".
    pub fn require(&self) -> Result<&Actor, bridgehead_app::AppError> {
        self.actor.as_ref().ok_or(bridgehead_app::AppError::Unauthenticated)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Principal>().cloned().unwrap_or_default())
    }
}

/// The value of a cookie in the request.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|line| {
        cookie::Cookie::split_parse(line)
            .filter_map(Result::ok)
            .find(|c| c.name() == name)
            .map(|c| c.value().to_owned())
    })
}

/// Resolves the principal and puts it into the request's extensions.
pub async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let mut principal = Principal::default();
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|v| v.trim().to_owned());
    if let Some(token) = bearer {
        match state.app.token_actor(&token).await {
            Ok(Some((user, actor))) => {
                principal.actor = Some(actor);
                principal.user = Some(user);
            }
            Ok(None) => {
                return Problem::new(StatusCode::UNAUTHORIZED, "auth.invalid_token", "Invalid API token")
                    .detail("the bearer token is unknown, expired or revoked")
                    .into_response();
            }
            Err(error) => return Problem::from(error).into_response(),
        }
    } else if let Some(token) = cookie_value(request.headers(), SESSION_COOKIE) {
        match state.app.session(&token).await {
            Ok(Some(session)) => {
                principal.actor = Some(Actor::user(&session.user, None));
                principal.user = Some(session.user);
                principal.csrf = Some(session.csrf_token);
                principal.via_cookie = true;
            }
            Ok(None) => {}
            Err(error) => return Problem::from(error).into_response(),
        }
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn csrf_refused(detail: &str) -> Response {
    Problem::new(StatusCode::FORBIDDEN, "csrf", "Cross-site request refused").detail(detail.to_owned()).into_response()
}

/// Whether the request comes from a page of this site (when the browser says).
fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        if origin == "null" || origin_host != host {
            return false;
        }
    }
    true
}

/// Refuses cross-site changes: unsafe requests authenticated by the session cookie
/// need a same-origin browser context and the session's CSRF token (header, query or
/// form field). Requests with a bearer token carry no ambient authority and pass.
pub async fn csrf(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let principal = request.extensions().get::<Principal>().cloned().unwrap_or_default();
    // Only a request that a bearer token actually authenticated carries no ambient
    // authority; any other Authorization header (e.g. a proxy's Basic) does not count.
    if principal.actor.is_some() && !principal.via_cookie {
        return next.run(request).await;
    }
    if !same_origin(request.headers()) {
        return csrf_refused("the request did not come from a page of this site");
    }
    let Some(expected) = principal.csrf.filter(|_| principal.via_cookie) else {
        // Not signed in by cookie: nothing ambient to abuse (sign-in itself is here).
        return next.run(request).await;
    };
    let from_header = request.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(ToOwned::to_owned);
    let from_query = request
        .uri()
        .query()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.into_owned()));
    if let Some(token) = from_header.or(from_query) {
        return if constant_time_eq(token.as_bytes(), expected.as_bytes()) {
            next.run(request).await
        } else {
            csrf_refused("the CSRF token does not match this session")
        };
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return csrf_refused("send the CSRF token in the X-CSRF-Token header");
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, 4 * 1024 * 1024).await else {
        return Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "request.too_large", "The form is too large")
            .into_response();
    };
    let token = form_urlencoded::parse(&bytes).find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.into_owned());
    match token {
        Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => {
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        _ => csrf_refused("the form's CSRF token is missing or does not match this session; reload the page"),
    }
}

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Signed-in users with one of these roles.
    Roles(&'static [Role]),
}

/// Whether a route is part of the JSON API or a page (they refuse differently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Api,
    Page,
}

/// The per-route role gate.
pub async fn gate(State((access, surface)): State<(Access, Surface)>, request: Request, next: Next) -> Response {
    let Access::Roles(roles) = access else {
        return next.run(request).await;
    };
    let principal = request.extensions().get::<Principal>().cloned().unwrap_or_default();
    let Some(actor) = &principal.actor else {
        return match surface {
            Surface::Api => Problem::from(bridgehead_app::AppError::Unauthenticated).into_response(),
            Surface::Page => {
                let next_path = request.uri().path_and_query().map_or("/", |p| p.as_str());
                let target: String =
                    form_urlencoded::Serializer::new(String::new()).append_pair("next", next_path).finish();
                Redirect::to(&format!("/login?{target}")).into_response()
            }
        };
    };
    if !roles.contains(&actor.role) {
        let error =
            bridgehead_app::AppError::Forbidden(format!("the role {} may not use this page or route", actor.role));
        return match surface {
            Surface::Api => Problem::from(error).into_response(),
            Surface::Page => crate::pages::error_page(&request, &principal, error),
        };
    }
    next.run(request).await
}

/// The client's address, for sign-in limits: the peer address, or the first
/// `X-Forwarded-For` entry when the server is configured to trust its proxy.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if state.settings.trust_forwarded_for
            && let Some(forwarded) = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
            && let Some(first) = forwarded.split(',').next()
        {
            return Ok(Self(first.trim().to_owned()));
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
        Ok(Self(peer))
    }
}

/// A `Set-Cookie` value for the session.
pub fn session_cookie(value: &str, secure: bool, max_age_hours: i64) -> String {
    let mut cookie = cookie::Cookie::build((SESSION_COOKIE, value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::hours(max_age_hours))
        .secure(secure)
        .build();
    if value.is_empty() {
        cookie.make_removal();
    }
    cookie.to_string()
}
