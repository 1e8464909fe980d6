//! Server-rendered pages. Every page is built from a small view model — facts, tables,
//! forms, notices, a pager — rendered by one template family (`templates/`), so pages
//! look and behave alike, and every text comes from the translation catalogue.

pub mod account;
pub mod admin;
pub mod auth;
pub mod confirmations;
pub mod enterprises;
pub mod funds;
mod grid;
pub mod innovation;
pub mod project_files;
pub mod projects;
pub mod reference;
pub mod releases;
pub mod reports;
pub mod statistics;
mod view;

use askama::Template;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use bridgehead_app::{Actor, AppError};
use bridgehead_domain::access::{Role, User};

use crate::i18n::{LANG_COOKIE, Lang};
use crate::session::Principal;
pub use view::*;

/// What every page knows about its request.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<User>,
    pub actor: Option<Actor>,
    pub csrf: String,
    /// The path and query of this page (for the language switch).
    pub here: String,
}

impl Ctx {
    pub fn from_parts_sync(parts: &Parts) -> Self {
        let principal = parts.extensions.get::<Principal>().cloned().unwrap_or_default();
        Self::new(&parts.headers, parts.uri.path_and_query().map_or("/", |p| p.as_str()), &principal)
    }

    fn new(headers: &axum::http::HeaderMap, here: &str, principal: &Principal) -> Self {
        Self {
            lang: Lang::from_headers(headers),
            user: principal.user.clone(),
            actor: principal.actor.clone(),
            csrf: principal.csrf.clone().unwrap_or_default(),
            here: here.to_owned(),
        }
    }

    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    pub fn t_args(&self, key: &str, args: &[(&str, String)]) -> String {
        self.lang.t_args(key, args)
    }

    /// The actor, or the error that sends the visitor to sign in.
    pub fn actor(&self) -> Result<&Actor, PageError> {
        self.actor.as_ref().ok_or_else(|| self.fail(AppError::Unauthenticated))
    }

    pub fn role_is(&self, roles: &[Role]) -> bool {
        self.actor.as_ref().is_some_and(|a| a.is(roles))
    }

    pub fn is_admin(&self) -> bool {
        self.role_is(&[Role::Administrator])
    }

    pub fn sees_registry(&self) -> bool {
        self.role_is(&[Role::Administrator, Role::CityAnalyst, Role::DistrictOfficer, Role::EnterpriseUser])
    }

    pub fn sees_funds(&self) -> bool {
        self.role_is(bridgehead_app::funds::FUND_READERS)
    }

    pub fn registers(&self) -> bool {
        self.role_is(&[Role::Administrator, Role::CityAnalyst, Role::DistrictOfficer])
    }

    pub fn role_name(&self) -> String {
        self.actor.as_ref().map(|a| self.t(&format!("role-{}", a.role.as_str().replace('_', "-")))).unwrap_or_default()
    }

    pub fn user_name(&self) -> String {
        self.user.as_ref().map(|u| u.display_name.clone()).unwrap_or_default()
    }

    /// The URL that switches to the other language and comes back here.
    pub fn switch_href(&self) -> String {
        let next: String = form_urlencoded::Serializer::new(String::new()).append_pair("next", &self.here).finish();
        format!("/lang/{}?{next}", self.lang.other().code())
    }

    pub fn fail(&self, error: AppError) -> PageError {
        PageError { ctx: self.clone(), error }
    }

    /// Renders a page.
    pub fn render(&self, page: PageView) -> Response {
        self.render_status(StatusCode::OK, page)
    }

    pub fn render_status(&self, status: StatusCode, page: PageView) -> Response {
        let html = Layout { ctx: self, page: &page }.render();
        match html {
            Ok(html) => (status, [(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))], html)
                .into_response(),
            Err(error) => {
                tracing::error!(%error, "page rendering failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_parts_sync(parts))
    }
}

/// The page layout around a view.
#[derive(Template)]
#[template(path = "layout.html")]
struct Layout<'a> {
    ctx: &'a Ctx,
    page: &'a PageView,
}

impl Pager {
    /// The pager of page `page` of a list of `total` items, `per_page` a page;
    /// `link(n)` is the address of page `n`.
    pub fn numbered(ctx: &Ctx, page: i64, total: i64, per_page: i64, link: impl Fn(i64) -> String) -> Self {
        let pages = (total + per_page - 1) / per_page;
        Self {
            summary: ctx.t_args(
                "pager-summary",
                &[("page", page.to_string()), ("pages", pages.max(1).to_string()), ("total", total.to_string())],
            ),
            previous: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
            previous_label: ctx.t("pager-previous"),
            next_label: ctx.t("pager-next"),
        }
    }
}

impl Notice {
    /// The notice for an import refused with row errors: every row in a table.
    pub fn import_rows(ctx: &Ctx, rows: Vec<bridgehead_io::RowError>) -> Self {
        let mut notice = Notice::error(ctx.t_args("import-rows-failed", &[("count", rows.len().to_string())]));
        notice.row_headers =
            vec![ctx.t("import-row"), ctx.t("import-column"), ctx.t("import-value"), ctx.t("import-reason")];
        notice.rows = rows
            .into_iter()
            .map(|r| {
                let reason = ctx.lang.error_message(&r.code, &r.params, &r.reason);
                vec![r.row.to_string(), r.column, r.value, reason]
            })
            .collect();
        notice
    }
}

/// A query string of the non-empty `pairs`, then the `extra` pairs (a page number, a
/// language): the links of pagers and exports keep the list's filters this way.
pub fn query_string(pairs: &[(&str, &Option<String>)], extra: &[(&str, String)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            out.append_pair(key, value);
        }
    }
    for (key, value) in extra {
        out.append_pair(key, value);
    }
    out.finish()
}

/// The status and notice after an import: `done` for success, every row error in a
/// table, a refused file with its reason; other errors go to the error page.
pub fn import_notice<T>(
    ctx: &Ctx,
    result: Result<T, AppError>,
    done: impl FnOnce(T) -> String,
) -> Result<(StatusCode, Notice), PageError> {
    match result {
        Ok(value) => Ok((StatusCode::OK, Notice::success(done(value)))),
        Err(AppError::ImportRows(rows)) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Notice::import_rows(ctx, rows))),
        Err(AppError::ImportFile { message, .. }) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Notice::error(ctx.t_args("import-file-failed", &[("reason", message)])),
        )),
        Err(error) => Err(ctx.fail(error)),
    }
}

/// The notice after an import of rows: the counts, or every row error.
pub fn import_outcome_notice(
    ctx: &Ctx,
    result: Result<bridgehead_app::enterprises::ImportOutcome, AppError>,
) -> Result<(StatusCode, Notice), PageError> {
    import_notice(ctx, result, |outcome| {
        ctx.t_args(
            "import-done",
            &[
                ("rows", outcome.rows.to_string()),
                ("created", outcome.created.to_string()),
                ("updated", outcome.updated.to_string()),
                ("unchanged", outcome.unchanged.to_string()),
            ],
        )
    })
}

/// The page number a list was asked for (`?page=`), from 1; 1 when absent or absurd.
pub fn page_number(page: Option<&str>) -> i64 {
    page.and_then(|p| p.trim().parse().ok()).filter(|p| (1..=100_000).contains(p)).unwrap_or(1)
}

/// The `file` part of a multipart upload: its name and bytes, `None` when no file
/// was chosen.
pub async fn read_upload(
    ctx: &Ctx,
    mut multipart: axum::extract::Multipart,
) -> Result<Option<(String, axum::body::Bytes)>, PageError> {
    let refused = |message: String| ctx.fail(AppError::ImportFile { code: "import.upload", message });
    let mut upload = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| refused(e.body_text()))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload").to_owned();
            let bytes = field.bytes().await.map_err(|e| refused(e.body_text()))?;
            upload = Some((name, bytes));
        }
    }
    Ok(upload.filter(|(_, bytes)| !bytes.is_empty()))
}

/// A use-case error on a page: rendered as an error page in the visitor's language.
#[derive(Debug)]
pub struct PageError {
    pub ctx: Ctx,
    pub error: AppError,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        render_error(&self.ctx, self.error)
    }
}

fn render_error(ctx: &Ctx, error: AppError) -> Response {
    let (status, key) = match &error {
        AppError::Unauthenticated => {
            let next: String = form_urlencoded::Serializer::new(String::new()).append_pair("next", &ctx.here).finish();
            return Redirect::to(&format!("/login?{next}")).into_response();
        }
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "error-forbidden"),
        AppError::NotFound { .. } => (StatusCode::NOT_FOUND, "error-not-found"),
        AppError::Invalid(_) | AppError::ImportFile { .. } | AppError::ImportRows(_) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "error-invalid")
        }
        AppError::Duplicate(_) => (StatusCode::CONFLICT, "error-duplicate"),
        AppError::VersionMismatch { .. } => (StatusCode::CONFLICT, "error-version"),
        AppError::BadCredentials | AppError::Locked { .. } | AppError::TooManyAttempts => {
            (StatusCode::FORBIDDEN, "error-forbidden")
        }
        AppError::Store(e) if e.is_constraint() => (StatusCode::CONFLICT, "error-invalid"),
        AppError::Store(_) | AppError::Internal(_) => {
            tracing::error!(error = %error, "page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
        }
    };
    let detail = match &error {
        AppError::Store(_) | AppError::Internal(_) => ctx.t("error-internal-detail"),
        AppError::Invalid(errors) => errors
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, ctx.lang.error_message(e.code, &e.params, &e.message)))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    let page = PageView::new(ctx.t(key))
        .section(Section::Notice(Notice::error(detail)))
        .section(Section::Links(vec![Link::new(ctx.t("error-home"), "/")]));
    ctx.render_status(status, page)
}

/// The error page for a request that has not reached a handler (the role gate).
pub fn error_page(request: &Request, principal: &Principal, error: AppError) -> Response {
    let ctx = Ctx::new(request.headers(), request.uri().path_and_query().map_or("/", |p| p.as_str()), principal);
    render_error(&ctx, error)
}

/// A page form refused before it ran (its one-time token was damaged, is in use or was
/// used for other values): the reason in the visitor's language and the way back to the
/// page the form was on.
pub fn form_refused(
    request: &Request,
    principal: &Principal,
    status: StatusCode,
    code: &str,
    fallback: &str,
) -> Response {
    let ctx = Ctx::new(request.headers(), request.uri().path_and_query().map_or("/", |p| p.as_str()), principal);
    let text = ctx.lang.error_message(code, &Default::default(), fallback);
    // The page the form was on, when the browser says and it is on this site.
    let host = request.headers().get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let back = request
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://"))
        .and_then(|(_, rest)| rest.strip_prefix(host))
        .filter(|_| !host.is_empty())
        .map(|path| local_path(Some(path)))
        .unwrap_or_else(|| "/".to_owned());
    let page = PageView::new(ctx.t("form-refused-title"))
        .section(Section::Notice(Notice::error(text)))
        .section(Section::Links(vec![Link::primary(ctx.t("form-refused-back"), back)]));
    ctx.render_status(status, page)
}

/// Unknown paths.
pub async fn not_found(ctx: Ctx, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::Problem::not_found().detail(format!("no route {}", uri.path())).into_response();
    }
    render_error(&ctx, AppError::NotFound { what: "page" })
}

/// The start page.
pub async fn home(ctx: Ctx) -> Response {
    let mut page = PageView::new(ctx.t("home-title")).intro(ctx.t("home-intro"));
    if ctx.actor.is_none() {
        page = page.section(Section::Links(vec![Link::primary(ctx.t("nav-sign-in"), "/login")]));
        return ctx.render(page);
    }
    let mut links = Vec::new();
    if ctx.sees_registry() {
        links.push(Link::new(ctx.t("nav-enterprises"), "/enterprises"));
        links.push(Link::new(ctx.t("nav-projects"), "/projects"));
        links.push(Link::new(ctx.t("nav-reports"), "/reports"));
        links.push(Link::new(ctx.t("reminders-title"), "/reports/reminders"));
        links.push(Link::new(ctx.t("nav-innovation"), "/innovation"));
        if ctx.role_is(&[Role::Administrator, Role::CityAnalyst, Role::DistrictOfficer]) {
            links.push(Link::new(ctx.t("nav-statistics"), "/statistics"));
        }
    }
    if ctx.sees_funds() {
        links.push(Link::new(ctx.t("nav-funds"), "/funds"));
    }
    links.push(Link::new(ctx.t("nav-regions"), "/reference/regions"));
    links.push(Link::new(ctx.t("nav-industries"), "/reference/industries"));
    links.push(Link::new(ctx.t("nav-parks"), "/reference/parks"));
    links.push(Link::new(ctx.t("nav-clusters"), "/reference/clusters"));
    links.push(Link::new(ctx.t("nav-currencies"), "/reference/currencies"));
    links.push(Link::new(ctx.t("nav-credit-code"), "/reference/credit-code"));
    links.push(Link::new(ctx.t("nav-api-docs"), "/api/v1/docs/"));
    let facts = vec![(ctx.t("home-signed-in-as"), ctx.user_name()), (ctx.t("home-role"), ctx.role_name())];
    ctx.render(page.section(Section::Facts(facts)).section(Section::Links(links)))
}

/// A redirect target that stays on this site: a path beginning with one `/` (not `//`
/// or `/\`, which browsers read as another host), without control characters (which
/// browsers strip, and which a `Location` header cannot carry). Anything else is `/`.
pub fn local_path(next: Option<&str>) -> String {
    let safe = |n: &&str| {
        let mut chars = n.chars();
        chars.next() == Some('/')
            && !matches!(chars.next(), Some('/' | '\\'))
            && !n.chars().any(|c| c.is_control() || c == '\\')
    };
    next.filter(safe).unwrap_or("/").to_owned()
}

/// Switches the language and goes back where the visitor was; remembered in a cookie.
pub async fn set_language(
    axum::extract::Path(code): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    // Only local paths, so the switch cannot be used to send people elsewhere.
    let next = local_path(query.get("next").map(String::as_str));
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
    ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn redirects_stay_on_the_site() {
        assert_eq!(local_path(Some("/enterprises?page=2")), "/enterprises?page=2");
        assert_eq!(local_path(Some("/")), "/");
        for bad in ["//evil.example", "/\\evil.example", "/\t/evil.example", "https://evil.example", "/a\nb", ""] {
            assert_eq!(local_path(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(local_path(None), "/");
    }
}
