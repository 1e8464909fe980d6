//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::api;
use crate::error::{Problem, ProblemField, ProblemRow};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Bridgehead API",
        description = "The JSON API of Bridgehead: a region's industrial investment projects, the enterprises behind them and their reference data.\n\n\
Authenticate with `Authorization: Bearer <token>` (create tokens with `POST /api/v1/tokens` or `bridgehead user token`) or with the session cookie from `POST /api/v1/session`; \
cookie-authenticated changes need the session's CSRF token in `X-CSRF-Token`.\n\n\
Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code` and, for invalid input, the fields at fault in `errors`. \
Money travels as decimal strings in major units; dates as `YYYY-MM-DD`. Updates take `If-Match` with the ETag you read.",
        license(name = "Apache-2.0")
    ),
    paths(
        api::auth::sign_in, api::auth::sign_out, api::auth::me, api::auth::list_tokens, api::auth::create_token, api::auth::revoke_token,
        api::reference::list_regions, api::reference::get_region, api::reference::list_region_groups,
        api::reference::list_industries, api::reference::get_industry,
        api::reference::list_parks, api::reference::create_park, api::reference::get_park, api::reference::update_park,
        api::reference::list_cluster_taxonomies, api::reference::create_cluster_taxonomy, api::reference::get_cluster_taxonomy,
        api::reference::list_tags, api::reference::put_tag, api::reference::list_currencies,
        api::reference::list_exchange_rates, api::reference::put_exchange_rate, api::reference::rate_on, api::reference::import_exchange_rates,
        api::reference::check_credit_code, api::reference::list_organizations,
        api::calendar::years, api::calendar::import, api::calendar::deadline,
        api::funds::list, api::funds::create, api::funds::get, api::funds::terms, api::funds::set_terms,
        api::funds::add_partner, api::funds::add_holding, api::funds::add_evidence, api::funds::evidence,
        api::funds::record_entry, api::funds::reverse_entry, api::funds::import_ledger, api::funds::ledger_template,
        api::funds::record_valuation,
        api::funds::notices, api::funds::issue_notice, api::funds::notice, api::funds::export_notice, api::funds::pay_call,
        api::funds::performance, api::funds::overview, api::funds::kpis, api::funds::waterfall,
        api::funds::rule_sets, api::funds::add_rule_set,
        api::enterprises::list, api::enterprises::create, api::enterprises::get, api::enterprises::update,
        api::enterprises::figures, api::enterprises::put_figures, api::enterprises::import, api::enterprises::export, api::enterprises::template,
        api::projects::list, api::projects::create, api::projects::get, api::projects::update,
        api::projects::events, api::projects::record_event, api::projects::project_reports, api::projects::create_report,
        api::projects::list_reports, api::projects::reminders, api::projects::get_report, api::projects::update_report,
        api::projects::act, api::projects::correct, api::projects::import_reports, api::projects::report_template,
        api::projects::export_reports,
        api::project_files::import_projects, api::project_files::export_projects, api::project_files::project_template,
        api::project_files::import_events, api::project_files::export_events, api::project_files::event_template,
        api::confirmations::of_project, api::confirmations::create, api::confirmations::get, api::confirmations::update,
        api::confirmations::submit, api::confirmations::decide, api::confirmations::equipment,
        api::innovation::list, api::innovation::create, api::innovation::get, api::innovation::update,
        api::innovation::status, api::innovation::complete,
        api::statistics::investment, api::statistics::investment_file, api::statistics::breakdown, api::statistics::trend,
        api::statistics::contributors, api::statistics::project_counts, api::statistics::publish, api::statistics::releases,
        api::statistics::size_tiers, api::statistics::set_size_tiers,
        api::statistics::compare_release, api::statistics::public_releases, api::statistics::public_release, api::statistics::import_indicators, api::statistics::indicator_history,
        api::admin::list_users, api::admin::create_user, api::admin::disable_user, api::admin::enable_user,
        api::admin::audit_records, api::admin::audit_verify, api::admin::audit_head,
        crate::routes::healthz,
    ),
    components(schemas(Problem, ProblemField, ProblemRow)),
    modifiers(&Security, &ProblemMediaType),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "access", description = "Sign-in, the current user, API tokens"),
        (name = "reference", description = "Regions, industries, parks, clusters, tags, currencies, credit codes"),
        (name = "enterprises", description = "The enterprise registry"),
        (name = "projects", description = "Manufacturing investment projects and their stages"),
        (name = "reports", description = "Monthly progress reports and their two-level review"),
        (name = "innovation", description = "Collaborative innovation projects: partners, budget, milestones"),
        (name = "statistics", description = "Investment statistics: the official tables, with their formulas"),
        (name = "funds", description = "Industry guidance funds: the tree, ledger, notices, performance, policy KPIs, waterfall"),
        (name = "admin", description = "Users and the audit log"),
        (name = "health", description = "Liveness"),
    )
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components
            .add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("bh_session"))));
    }
}

/// Error responses are RFC 9457 problem documents: say so with their media type,
/// `application/problem+json`, which the server sends (one place instead of an
/// annotation on every response).
struct ProblemMediaType;

impl utoipa::Modify for ProblemMediaType {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                for response in operation.responses.responses.values_mut() {
                    let RefOr::T(response) = response else { continue };
                    let is_problem = response.content.get("application/json").is_some_and(|content| match content {
                        RefOr::T(content) => {
                            matches!(&content.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem"))
                        }
                        RefOr::Ref(_) => false,
                    });
                    if is_problem && let Some(content) = response.content.shift_remove("application/json") {
                        response.content.insert("application/problem+json".to_owned(), content);
                    }
                }
            }
        }
    }
}

/// The OpenAPI document served at `/api/v1/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
