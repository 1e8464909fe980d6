//! Every route of the server, each with the roles that may use it. The router is built
//! from this one table, so a route cannot exist without a policy, and the access tests
//! walk the same table for every role.

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, delete, get, post, put};
use bridgehead_domain::access::Role;
use serde::Serialize;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::ToSchema;

use crate::session::{Access, Surface, authenticate, csrf, gate};
use crate::{AppState, api, assets, pages};

const EVERYONE: Access = Access::Public;
const SIGNED_IN: Access = Access::Roles(&Role::ALL);
const ADMIN: Access = Access::Roles(&[Role::Administrator]);
/// Roles that see (some of) the enterprise registry.
const REGISTRY: Access =
    Access::Roles(&[Role::Administrator, Role::CityAnalyst, Role::DistrictOfficer, Role::EnterpriseUser]);
/// Roles that register enterprises.
const REGISTRARS: Access = Access::Roles(&[Role::Administrator, Role::CityAnalyst, Role::DistrictOfficer]);

/// Roles that file monthly reports (enterprises for their own projects, districts).
const REPORT_FILERS: Access = Access::Roles(&[Role::Administrator, Role::DistrictOfficer, Role::EnterpriseUser]);

/// Roles that read the investment statistics (for their region).
const STATISTICS: Access = Access::Roles(&[Role::Administrator, Role::CityAnalyst, Role::DistrictOfficer]);

/// Roles that publish statistics releases.
const RELEASE_PUBLISHERS: Access = Access::Roles(&[Role::Administrator, Role::CityAnalyst]);

/// Roles that import external indicators (for their region).
const INDICATOR_IMPORTERS: Access = Access::Roles(&[Role::Administrator, Role::CityAnalyst]);

/// Roles that decide on imported-equipment confirmations.
const CONFIRMATION_DECIDERS: Access = Access::Roles(&[Role::Administrator, Role::CityAnalyst]);

/// Roles that see funds (each within its scope: a city its region's, a manager its own).
const FUND_READERS: Access = Access::Roles(bridgehead_app::funds::FUND_READERS);
/// Roles that set up funds, admit partners, set terms and rule sets.
const FUND_CREATORS: Access = Access::Roles(bridgehead_app::funds::FUND_CREATORS);
/// Roles that keep a fund's ledger, valuations and notices.
const LEDGER_KEEPERS: Access = Access::Roles(bridgehead_app::funds::LEDGER_KEEPERS);

/// One route: method, path (axum syntax), who may use it, whether it is API or page, and
/// whether it moves money (an API request honours `Idempotency-Key`, a page form carries
/// a one-time token).
#[derive(Debug, Clone, Copy)]
pub struct RouteInfo {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub surface: Surface,
    pub idempotent: bool,
}

impl RouteInfo {
    /// Whether `role` passes this route's role gate (`None`: not signed in).
    pub fn admits(&self, role: Option<Role>) -> bool {
        match self.access {
            Access::Public => true,
            Access::Roles(roles) => role.is_some_and(|r| roles.contains(&r)),
        }
    }
}

type Entry = (RouteInfo, MethodRouter<AppState>);

fn entry(
    surface: Surface,
    method: &'static str,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
) -> Entry {
    (RouteInfo { method, path, access, surface, idempotent: false }, handler)
}

/// An API route that moves money: a retry with the same `Idempotency-Key` gets the first
/// answer and takes no second effect.
fn money_route(method: &'static str, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Entry {
    (RouteInfo { method, path, access, surface: Surface::Api, idempotent: true }, handler)
}

/// A page form that moves money: it carries a one-time token (`idempotency::FORM_FIELD`),
/// so a double submit takes effect once and lands where the first one did.
fn money_page(method: &'static str, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Entry {
    (RouteInfo { method, path, access, surface: Surface::Page, idempotent: true }, handler)
}

fn api_route(method: &'static str, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Entry {
    entry(Surface::Api, method, path, access, handler)
}

fn page(method: &'static str, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Entry {
    entry(Surface::Page, method, path, access, handler)
}

/// The table of every route.
pub fn route_table() -> Vec<Entry> {
    use api::{admin, auth, enterprises as ent, funds as fund, projects as proj, reference as refd};
    vec![
        api_route("GET", "/healthz", EVERYONE, get(healthz)),
        api_route("GET", "/api/v1/openapi.json", EVERYONE, get(openapi_json)),
        api_route("POST", "/api/v1/session", EVERYONE, post(auth::sign_in)),
        api_route("DELETE", "/api/v1/session", SIGNED_IN, delete(auth::sign_out)),
        api_route("GET", "/api/v1/me", SIGNED_IN, get(auth::me)),
        api_route("GET", "/api/v1/tokens", SIGNED_IN, get(auth::list_tokens)),
        api_route("POST", "/api/v1/tokens", SIGNED_IN, post(auth::create_token)),
        api_route("DELETE", "/api/v1/tokens/{id}", SIGNED_IN, delete(auth::revoke_token)),
        api_route("GET", "/api/v1/regions", SIGNED_IN, get(refd::list_regions)),
        api_route("GET", "/api/v1/regions/{code}", SIGNED_IN, get(refd::get_region)),
        api_route("GET", "/api/v1/region-groups", SIGNED_IN, get(refd::list_region_groups)),
        api_route("GET", "/api/v1/industries", SIGNED_IN, get(refd::list_industries)),
        api_route("GET", "/api/v1/industries/{code}", SIGNED_IN, get(refd::get_industry)),
        api_route("GET", "/api/v1/parks", SIGNED_IN, get(refd::list_parks)),
        api_route("POST", "/api/v1/parks", ADMIN, post(refd::create_park)),
        api_route("GET", "/api/v1/parks/{id}", SIGNED_IN, get(refd::get_park)),
        api_route("PUT", "/api/v1/parks/{id}", ADMIN, put(refd::update_park)),
        api_route("GET", "/api/v1/cluster-taxonomies", SIGNED_IN, get(refd::list_cluster_taxonomies)),
        api_route("POST", "/api/v1/cluster-taxonomies", ADMIN, post(refd::create_cluster_taxonomy)),
        api_route("GET", "/api/v1/cluster-taxonomies/{id}", SIGNED_IN, get(refd::get_cluster_taxonomy)),
        api_route("GET", "/api/v1/tags", SIGNED_IN, get(refd::list_tags)),
        api_route("PUT", "/api/v1/tags/{code}", ADMIN, put(refd::put_tag)),
        api_route("GET", "/api/v1/currencies", SIGNED_IN, get(refd::list_currencies)),
        api_route("GET", "/api/v1/exchange-rates", SIGNED_IN, get(refd::list_exchange_rates)),
        api_route("POST", "/api/v1/exchange-rates", ADMIN, post(refd::put_exchange_rate)),
        api_route("GET", "/api/v1/exchange-rates/{currency}/on/{date}", SIGNED_IN, get(refd::rate_on)),
        api_route("POST", "/api/v1/exchange-rates/import", ADMIN, post(refd::import_exchange_rates)),
        api_route("GET", "/api/v1/credit-codes/{code}", SIGNED_IN, get(refd::check_credit_code)),
        api_route("GET", "/api/v1/calendar", SIGNED_IN, get(api::calendar::years)),
        api_route("POST", "/api/v1/calendar/import", ADMIN, post(api::calendar::import)),
        api_route("GET", "/api/v1/calendar/deadline", SIGNED_IN, get(api::calendar::deadline)),
        api_route("GET", "/api/v1/organizations", ADMIN, get(refd::list_organizations)),
        api_route("GET", "/api/v1/enterprises", REGISTRY, get(ent::list)),
        api_route("POST", "/api/v1/enterprises", REGISTRARS, post(ent::create)),
        api_route("GET", "/api/v1/enterprises/export", REGISTRY, get(ent::export)),
        api_route("GET", "/api/v1/enterprises/template", REGISTRY, get(ent::template)),
        api_route("POST", "/api/v1/enterprises/import", REGISTRARS, post(ent::import)),
        api_route("GET", "/api/v1/enterprises/{id}", REGISTRY, get(ent::get)),
        api_route("PUT", "/api/v1/enterprises/{id}", REGISTRY, put(ent::update)),
        api_route("GET", "/api/v1/enterprises/{id}/figures", REGISTRY, get(ent::figures)),
        api_route("PUT", "/api/v1/enterprises/{id}/figures/{year}", REGISTRY, put(ent::put_figures)),
        api_route("GET", "/api/v1/projects", REGISTRY, get(proj::list)),
        api_route("POST", "/api/v1/projects", REGISTRARS, post(proj::create)),
        api_route("POST", "/api/v1/projects/import", REGISTRARS, post(api::project_files::import_projects)),
        api_route("GET", "/api/v1/projects/export", REGISTRY, get(api::project_files::export_projects)),
        api_route("GET", "/api/v1/projects/template", REGISTRY, get(api::project_files::project_template)),
        api_route("POST", "/api/v1/stage-events/import", REGISTRARS, post(api::project_files::import_events)),
        api_route("GET", "/api/v1/stage-events/export", REGISTRY, get(api::project_files::export_events)),
        api_route("GET", "/api/v1/stage-events/template", REGISTRY, get(api::project_files::event_template)),
        api_route("GET", "/api/v1/projects/{id}", REGISTRY, get(proj::get)),
        api_route("PUT", "/api/v1/projects/{id}", REGISTRARS, put(proj::update)),
        api_route("GET", "/api/v1/projects/{id}/events", REGISTRY, get(proj::events)),
        api_route("POST", "/api/v1/projects/{id}/events", REGISTRARS, post(proj::record_event)),
        api_route("GET", "/api/v1/projects/{id}/reports", REGISTRY, get(proj::project_reports)),
        api_route("POST", "/api/v1/projects/{id}/reports", REPORT_FILERS, post(proj::create_report)),
        api_route("GET", "/api/v1/projects/{id}/confirmations", REGISTRY, get(api::confirmations::of_project)),
        api_route("POST", "/api/v1/projects/{id}/confirmations", REPORT_FILERS, post(api::confirmations::create)),
        api_route("GET", "/api/v1/confirmations/{id}", REGISTRY, get(api::confirmations::get)),
        api_route("PUT", "/api/v1/confirmations/{id}", REPORT_FILERS, put(api::confirmations::update)),
        api_route("POST", "/api/v1/confirmations/{id}/submit", REPORT_FILERS, post(api::confirmations::submit)),
        api_route(
            "POST",
            "/api/v1/confirmations/{id}/decision",
            CONFIRMATION_DECIDERS,
            post(api::confirmations::decide),
        ),
        api_route("GET", "/api/v1/confirmations/{id}/equipment", REGISTRY, get(api::confirmations::equipment)),
        api_route("GET", "/api/v1/statistics/investment", STATISTICS, get(api::statistics::investment)),
        api_route("GET", "/api/v1/statistics/investment/file", STATISTICS, get(api::statistics::investment_file)),
        api_route("GET", "/api/v1/statistics/breakdown", STATISTICS, get(api::statistics::breakdown)),
        api_route("GET", "/api/v1/statistics/trend", STATISTICS, get(api::statistics::trend)),
        api_route("GET", "/api/v1/statistics/contributors", STATISTICS, get(api::statistics::contributors)),
        api_route("GET", "/api/v1/statistics/projects", STATISTICS, get(api::statistics::project_counts)),
        api_route("GET", "/api/v1/statistics/size-tiers", STATISTICS, get(api::statistics::size_tiers)),
        api_route("PUT", "/api/v1/statistics/size-tiers", ADMIN, put(api::statistics::set_size_tiers)),
        api_route("POST", "/api/v1/statistics/releases", RELEASE_PUBLISHERS, post(api::statistics::publish)),
        api_route("GET", "/api/v1/statistics/releases", STATISTICS, get(api::statistics::releases)),
        api_route("GET", "/api/v1/statistics/releases/{id}/compare", STATISTICS, get(api::statistics::compare_release)),
        api_route("GET", "/api/v1/public/releases", EVERYONE, get(api::statistics::public_releases)),
        api_route("GET", "/api/v1/public/releases/{id}", EVERYONE, get(api::statistics::public_release)),
        api_route("POST", "/api/v1/indicators/import", INDICATOR_IMPORTERS, post(api::statistics::import_indicators)),
        api_route("GET", "/api/v1/indicators/history", STATISTICS, get(api::statistics::indicator_history)),
        api_route("GET", "/api/v1/innovation-projects", REGISTRY, get(api::innovation::list)),
        api_route("POST", "/api/v1/innovation-projects", REGISTRARS, post(api::innovation::create)),
        api_route("GET", "/api/v1/innovation-projects/{id}", REGISTRY, get(api::innovation::get)),
        api_route("PUT", "/api/v1/innovation-projects/{id}", REGISTRARS, put(api::innovation::update)),
        api_route("POST", "/api/v1/innovation-projects/{id}/status", REGISTRARS, post(api::innovation::status)),
        api_route(
            "POST",
            "/api/v1/innovation-projects/{id}/milestones/{line}/completion",
            REGISTRY,
            post(api::innovation::complete),
        ),
        api_route("GET", "/api/v1/reports", REGISTRY, get(proj::list_reports)),
        api_route("GET", "/api/v1/reports/reminders", REGISTRY, get(proj::reminders)),
        api_route("POST", "/api/v1/reports/import", REPORT_FILERS, post(proj::import_reports)),
        api_route("GET", "/api/v1/reports/template", REGISTRY, get(proj::report_template)),
        api_route("GET", "/api/v1/reports/export", REGISTRY, get(proj::export_reports)),
        api_route("GET", "/api/v1/reports/{id}", REGISTRY, get(proj::get_report)),
        api_route("PUT", "/api/v1/reports/{id}", REPORT_FILERS, put(proj::update_report)),
        api_route("POST", "/api/v1/reports/{id}/actions", REGISTRY, post(proj::act)),
        api_route("POST", "/api/v1/reports/{id}/corrections", REPORT_FILERS, post(proj::correct)),
        api_route("GET", "/api/v1/funds", FUND_READERS, get(fund::list)),
        api_route("POST", "/api/v1/funds", FUND_CREATORS, post(fund::create)),
        api_route("GET", "/api/v1/funds/{id}", FUND_READERS, get(fund::get)),
        api_route("GET", "/api/v1/funds/{id}/terms", FUND_READERS, get(fund::terms)),
        api_route("PUT", "/api/v1/funds/{id}/terms", FUND_CREATORS, put(fund::set_terms)),
        money_route("POST", "/api/v1/funds/{id}/partners", FUND_CREATORS, post(fund::add_partner)),
        money_route("POST", "/api/v1/funds/{id}/holdings", LEDGER_KEEPERS, post(fund::add_holding)),
        api_route("POST", "/api/v1/funds/{id}/holdings/{holding}/evidence", LEDGER_KEEPERS, post(fund::add_evidence)),
        api_route("GET", "/api/v1/funds/{id}/evidence", FUND_READERS, get(fund::evidence)),
        money_route("POST", "/api/v1/funds/{id}/entries", LEDGER_KEEPERS, post(fund::record_entry)),
        money_route("POST", "/api/v1/funds/{id}/entries/{entry}/reversal", LEDGER_KEEPERS, post(fund::reverse_entry)),
        money_route("POST", "/api/v1/funds/{id}/ledger/import", LEDGER_KEEPERS, post(fund::import_ledger)),
        api_route("GET", "/api/v1/funds/{id}/ledger/template", FUND_READERS, get(fund::ledger_template)),
        money_route("POST", "/api/v1/funds/{id}/valuations", LEDGER_KEEPERS, post(fund::record_valuation)),
        api_route("GET", "/api/v1/funds/{id}/notices", FUND_READERS, get(fund::notices)),
        money_route("POST", "/api/v1/funds/{id}/notices", LEDGER_KEEPERS, post(fund::issue_notice)),
        api_route("GET", "/api/v1/funds/{id}/notices/{notice}", FUND_READERS, get(fund::notice)),
        api_route("GET", "/api/v1/funds/{id}/notices/{notice}/export", FUND_READERS, get(fund::export_notice)),
        money_route("POST", "/api/v1/funds/{id}/notices/{notice}/payments", LEDGER_KEEPERS, post(fund::pay_call)),
        api_route("GET", "/api/v1/funds/{id}/performance", FUND_READERS, get(fund::performance)),
        api_route("GET", "/api/v1/funds/{id}/overview", FUND_READERS, get(fund::overview)),
        api_route("GET", "/api/v1/funds/{id}/kpis", FUND_READERS, get(fund::kpis)),
        api_route("GET", "/api/v1/funds/{id}/waterfall", FUND_READERS, get(fund::waterfall)),
        api_route("GET", "/api/v1/fund-rule-sets", FUND_READERS, get(fund::rule_sets)),
        api_route("POST", "/api/v1/fund-rule-sets", FUND_CREATORS, post(fund::add_rule_set)),
        api_route("GET", "/api/v1/users", ADMIN, get(admin::list_users)),
        api_route("POST", "/api/v1/users", ADMIN, post(admin::create_user)),
        api_route("POST", "/api/v1/users/{username}/disable", ADMIN, post(admin::disable_user)),
        api_route("POST", "/api/v1/users/{username}/enable", ADMIN, post(admin::enable_user)),
        api_route("GET", "/api/v1/audit", ADMIN, get(admin::audit_records)),
        api_route("GET", "/api/v1/audit/verify", ADMIN, get(admin::audit_verify)),
        api_route("GET", "/api/v1/audit/head", ADMIN, get(admin::audit_head)),
        page("GET", "/", EVERYONE, get(pages::home)),
        page("GET", "/login", EVERYONE, get(pages::auth::login_form)),
        page("POST", "/login", EVERYONE, post(pages::auth::login)),
        page("POST", "/logout", SIGNED_IN, post(pages::auth::logout)),
        page("GET", "/lang/{code}", EVERYONE, get(pages::set_language)),
        page("GET", "/assets/{*path}", EVERYONE, get(assets::serve)),
        page("GET", "/enterprises", REGISTRY, get(pages::enterprises::list)),
        page("GET", "/enterprises/new", REGISTRARS, get(pages::enterprises::new_form)),
        page("POST", "/enterprises", REGISTRARS, post(pages::enterprises::create)),
        page("GET", "/enterprises/import", REGISTRARS, get(pages::enterprises::import_form)),
        page("POST", "/enterprises/import", REGISTRARS, post(pages::enterprises::import)),
        page("GET", "/enterprises/{id}", REGISTRY, get(pages::enterprises::detail)),
        page("GET", "/enterprises/{id}/edit", REGISTRY, get(pages::enterprises::edit_form)),
        page("POST", "/enterprises/{id}", REGISTRY, post(pages::enterprises::update)),
        page("POST", "/enterprises/{id}/figures", REGISTRY, post(pages::enterprises::put_figures)),
        page("GET", "/projects", REGISTRY, get(pages::projects::list)),
        page("GET", "/projects/new", REGISTRARS, get(pages::projects::new_form)),
        page("POST", "/projects", REGISTRARS, post(pages::projects::create)),
        page("GET", "/projects/files", REGISTRY, get(pages::project_files::page)),
        page("POST", "/projects/import", REGISTRARS, post(pages::project_files::import_projects)),
        page("POST", "/projects/events/import", REGISTRARS, post(pages::project_files::import_events)),
        page("POST", "/reports/import", REPORT_FILERS, post(pages::project_files::import_reports)),
        page("GET", "/projects/{id}", REGISTRY, get(pages::projects::detail)),
        page("GET", "/projects/{id}/edit", REGISTRARS, get(pages::projects::edit_form)),
        page("POST", "/projects/{id}", REGISTRARS, post(pages::projects::update)),
        page("POST", "/projects/{id}/events", REGISTRARS, post(pages::projects::record_event)),
        page("POST", "/projects/{id}/reports", REPORT_FILERS, post(pages::projects::create_report)),
        page("GET", "/reports", REGISTRY, get(pages::reports::queue)),
        page("GET", "/reports/reminders", REGISTRY, get(pages::reports::reminders)),
        page("GET", "/reports/{id}", REGISTRY, get(pages::reports::detail)),
        page("POST", "/reports/{id}", REPORT_FILERS, post(pages::reports::update)),
        page("POST", "/reports/{id}/actions", REGISTRY, post(pages::reports::act)),
        page("POST", "/reports/{id}/corrections", REPORT_FILERS, post(pages::reports::correct)),
        page("GET", "/reference/regions", SIGNED_IN, get(pages::reference::regions)),
        page("GET", "/reference/regions/{code}", SIGNED_IN, get(pages::reference::region)),
        page("GET", "/reference/industries", SIGNED_IN, get(pages::reference::industries)),
        page("GET", "/reference/parks", SIGNED_IN, get(pages::reference::parks)),
        page("POST", "/reference/parks", ADMIN, post(pages::reference::create_park)),
        page("GET", "/reference/clusters", SIGNED_IN, get(pages::reference::clusters)),
        page("GET", "/reference/clusters/{id}", SIGNED_IN, get(pages::reference::cluster)),
        page("GET", "/reference/tags", SIGNED_IN, get(pages::reference::tags)),
        page("GET", "/reference/calendar", SIGNED_IN, get(pages::reference::calendar)),
        page("POST", "/reference/calendar/import", ADMIN, post(pages::reference::import_calendar)),
        page("GET", "/reference/currencies", SIGNED_IN, get(pages::reference::currencies)),
        page("POST", "/reference/exchange-rates/import", ADMIN, post(pages::reference::import_rates)),
        page("GET", "/reference/credit-code", SIGNED_IN, get(pages::reference::credit_code)),
        page("GET", "/account/tokens", SIGNED_IN, get(pages::account::tokens)),
        page("POST", "/account/tokens", SIGNED_IN, post(pages::account::create_token)),
        page("POST", "/account/tokens/{id}/revoke", SIGNED_IN, post(pages::account::revoke_token)),
        page("GET", "/admin/users", ADMIN, get(pages::admin::users)),
        page("POST", "/admin/users", ADMIN, post(pages::admin::create_user)),
        page("POST", "/admin/users/{username}/disable", ADMIN, post(pages::admin::disable_user)),
        page("POST", "/admin/users/{username}/enable", ADMIN, post(pages::admin::enable_user)),
        page("GET", "/admin/audit", ADMIN, get(pages::admin::audit)),
        page("GET", "/projects/{id}/confirmations/new", REPORT_FILERS, get(pages::confirmations::new_form)),
        page("POST", "/projects/{id}/confirmations", REPORT_FILERS, post(pages::confirmations::create)),
        page("GET", "/statistics", STATISTICS, get(pages::statistics::dashboard)),
        page("GET", "/statistics/releases", STATISTICS, get(pages::releases::list)),
        page("POST", "/statistics/releases", RELEASE_PUBLISHERS, post(pages::releases::publish)),
        page("GET", "/statistics/releases/{id}", STATISTICS, get(pages::releases::compare)),
        page("GET", "/public/statistics", EVERYONE, get(pages::releases::public_list)),
        page("GET", "/public/statistics/{id}", EVERYONE, get(pages::releases::public_detail)),
        page("GET", "/innovation", REGISTRY, get(pages::innovation::list)),
        page("GET", "/innovation/new", REGISTRARS, get(pages::innovation::new_form)),
        page("POST", "/innovation", REGISTRARS, post(pages::innovation::create)),
        page("GET", "/innovation/{id}", REGISTRY, get(pages::innovation::detail)),
        page("GET", "/innovation/{id}/edit", REGISTRARS, get(pages::innovation::edit_form)),
        page("POST", "/innovation/{id}/edit", REGISTRARS, post(pages::innovation::update)),
        page("POST", "/innovation/{id}/status", REGISTRARS, post(pages::innovation::change_status)),
        page("POST", "/innovation/{id}/milestones/{line}", REGISTRY, post(pages::innovation::complete)),
        page("GET", "/funds", FUND_READERS, get(pages::funds::list)),
        page("GET", "/funds/{id}", FUND_READERS, get(pages::funds::detail)),
        money_page("POST", "/funds/{id}/entries", LEDGER_KEEPERS, post(pages::funds::record_entry)),
        money_page("POST", "/funds/{id}/entries/{entry}/reversal", LEDGER_KEEPERS, post(pages::funds::reverse_entry)),
        money_page("POST", "/funds/{id}/valuations", LEDGER_KEEPERS, post(pages::funds::record_valuation)),
        page("POST", "/funds/{id}/ledger/import", LEDGER_KEEPERS, post(pages::funds::import_ledger)),
        money_page("POST", "/funds/{id}/notices", LEDGER_KEEPERS, post(pages::funds::issue_notice)),
        page("GET", "/funds/{id}/partners/{partner}", FUND_READERS, get(pages::funds::partner)),
        page("GET", "/funds/{id}/notices/{notice}", FUND_READERS, get(pages::funds::notice)),
        money_page("POST", "/funds/{id}/notices/{notice}/payments", LEDGER_KEEPERS, post(pages::funds::pay_call)),
        page(
            "GET",
            "/funds/{id}/notices/{notice}/partners/{partner}/print",
            FUND_READERS,
            get(pages::funds::print_notice),
        ),
        page("GET", "/funds/{id}/kpis/{code}", FUND_READERS, get(pages::funds::kpi)),
        page("GET", "/funds/{id}/waterfall", FUND_READERS, get(pages::funds::waterfall)),
        page("GET", "/confirmations/{id}", REGISTRY, get(pages::confirmations::detail)),
        page("POST", "/confirmations/{id}", REPORT_FILERS, post(pages::confirmations::update)),
        page("POST", "/confirmations/{id}/submit", REPORT_FILERS, post(pages::confirmations::submit)),
        page("POST", "/confirmations/{id}/decision", CONFIRMATION_DECIDERS, post(pages::confirmations::decide)),
        page("GET", "/confirmations/{id}/print", REGISTRY, get(pages::confirmations::print)),
    ]
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// "ok" when the database answers.
    pub status: String,
    pub database: String,
    pub version: String,
}

/// Liveness and database reachability.
#[utoipa::path(get, path = "/healthz", tag = "health", security(()),
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let healthy = state.app.store.ping().await.is_ok();
    let body = Health {
        status: if healthy { "ok" } else { "unavailable" }.to_owned(),
        database: state.app.store.backend().name().to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let status = if healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, axum::Json(body))
}

async fn openapi_json() -> impl IntoResponse {
    axum::Json(crate::openapi::openapi_document())
}

/// Builds the router from the table, with the shared layers.
pub fn build(state: AppState) -> Router {
    let mut router: Router<AppState> = Router::new();
    for (info, handler) in route_table() {
        let handler = if info.idempotent {
            handler.route_layer(from_fn_with_state((state.clone(), info.surface), crate::idempotency::idempotent))
        } else {
            handler
        };
        router = router.route(info.path, handler.route_layer(from_fn_with_state((info.access, info.surface), gate)));
    }
    let swagger = utoipa_swagger_ui::SwaggerUi::new("/api/v1/docs")
        .url("/api/v1/docs/openapi.json", crate::openapi::openapi_document());
    let max_body = state.settings.max_body_bytes;
    let timeout = state.settings.request_timeout;
    router
        .fallback(pages::not_found)
        .layer(from_fn(csrf))
        .layer(from_fn_with_state(state.clone(), authenticate))
        .with_state(state)
        .merge(swagger)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout.max(Duration::from_secs(1))))
        .layer(CatchPanicLayer::custom(|_| crate::error::Problem::internal().into_response()))
        .layer(TraceLayer::new_for_http())
}
