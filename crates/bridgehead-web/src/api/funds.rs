//! Industry guidance funds (SPEC §5): funds and their tree, partners, holdings, the
//! ledger, valuations, notices, performance, policy KPIs, rule sets, evidence and the
//! waterfall; the ledger imported from a file. Money is in minor units (fen) as integers,
//! exact to the cent. Requests that move money accept an `Idempotency-Key` header: a
//! retry with the same key gets the first answer again and never takes effect twice.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bridgehead_app::fund_ledger::LedgerImportOutcome;
use bridgehead_app::fund_policy::FundTerms;
use bridgehead_app::funds::{EntryInput, FundInput, HoldingInput, NoticeInput, PartnerInput};
use bridgehead_domain::funds::policy::Rules;
use bridgehead_io::FileFormat;
use serde::Deserialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::enterprises::{FileQuery, download};
use super::{Json, Path, Query, etag_headers, if_match};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::session::Principal;

type Doc = ApiResult<axum::Json<Value>>;

fn doc<T: serde::Serialize>(value: &T) -> Doc {
    serde_json::to_value(value)
        .map(axum::Json)
        .map_err(|e| Problem::from(bridgehead_app::AppError::Internal(e.to_string())))
}

fn created<T: serde::Serialize>(value: &T) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    Ok((StatusCode::CREATED, doc(value)?))
}

/// A reversal of an entry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReversalIn {
    /// YYYY-MM-DD.
    pub date: String,
    pub memo: Option<String>,
}

/// A valuation of the fund (no holding) or of one holding.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValuationIn {
    pub holding_id: Option<i64>,
    /// YYYY-MM-DD.
    pub valued_on: String,
    /// Fen, zero or more.
    pub amount_minor: i64,
    pub method: Option<String>,
}

/// The payment of a call, by every partner that has not paid it or by one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentIn {
    /// YYYY-MM-DD.
    pub date: String,
    pub partner_id: Option<i64>,
}

/// Evidence that makes a holding count as local reinvestment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceIn {
    /// relocation or attracted_project.
    pub kind: String,
    /// The project of the registry the company brought here.
    pub project_id: i64,
    /// The document: its title and number.
    pub document: String,
    /// YYYY-MM-DD.
    pub noted_on: String,
}

/// A version of a rule set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSetIn {
    /// Letters, digits, - or _: the same code for every version.
    pub code: String,
    pub name: String,
    /// YYYY-MM-DD: the version applies to KPIs of this date and later.
    pub effective_from: String,
    /// `{"local_region": "330400", "key_industries": ["34"], "qualifies": ["locally_registered",
    /// "relocation", "attracted_project"], "weighting": "look_through" | "full"}`.
    #[schema(value_type = Object)]
    pub rules: Value,
}

/// A fund's terms: `{"policy": {...}, "waterfall": {...} | null}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TermsIn {
    /// rule_set, required_reinvestment_multiple, min_leverage, min_target_industry_ratio,
    /// max_single_company_share, max_idle_share, min_deployment_pace, warning_margin.
    #[schema(value_type = Object)]
    pub policy: Option<Value>,
    /// style (european / american), hurdle {rate, accrual}, catch_up {kind: none / full /
    /// partial, gp_share}, carry, gp_partner_id, concession {government_partner_id,
    /// base_rate, share, beneficiaries [{partner_id, weight}]}.
    #[schema(value_type = Object)]
    pub waterfall: Option<Value>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// YYYY-MM-DD (default today in China).
    pub as_of: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiQuery {
    /// YYYY-MM-DD (default today in China).
    pub as_of: Option<String>,
    /// Keep the lines of this KPI only (default: of every KPI), e.g. local_reinvestment.
    pub explain: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaterfallQuery {
    /// YYYY-MM-DD (default today in China).
    pub as_of: Option<String>,
    /// A distribution not yet made, to see how it would be split: its date…
    pub date: Option<String>,
    /// …and its amount in fen.
    pub amount_minor: Option<i64>,
}

fn json_body<T: serde::de::DeserializeOwned>(field: &str, value: Value) -> Result<T, Problem> {
    serde_json::from_value(value)
        .map_err(|e| Problem::from(bridgehead_app::AppError::invalid(field, "request.body", format!("{field}: {e}"))))
}

/// The funds you may see.
#[utoipa::path(get, path = "/api/v1/funds", tag = "funds",
    responses((status = 200, description = "The funds", body = Value), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(State(state): State<AppState>, principal: Principal) -> Doc {
    doc(&state.app.funds(principal.require()?).await?)
}

/// Sets up a fund.
#[utoipa::path(post, path = "/api/v1/funds", tag = "funds", request_body = FundInput,
    responses((status = 201, description = "The fund", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(input): Json<FundInput>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    created(&state.app.create_fund(principal.require()?, &input).await?)
}

/// A fund with its terms, partners, holdings, ledger and valuations.
#[utoipa::path(get, path = "/api/v1/funds/{id}", tag = "funds", params(("id" = i64, Path)),
    responses((status = 200, description = "The fund", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, principal: Principal, Path(id): Path<i64>) -> ApiResult<Response> {
    use axum::response::IntoResponse;
    let detail = state.app.fund(principal.require()?, id).await?;
    Ok((etag_headers(detail.fund.version), doc(&detail)?).into_response())
}

/// A fund's terms (its ETag guards a change).
#[utoipa::path(get, path = "/api/v1/funds/{id}/terms", tag = "funds", params(("id" = i64, Path)),
    responses((status = 200, description = "The terms", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn terms(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> ApiResult<(HeaderMap, axum::Json<Value>)> {
    let (terms, version) = state.app.fund_terms(principal.require()?, id).await?;
    Ok((etag_headers(version), doc(&terms)?))
}

/// Replaces a fund's policy and waterfall terms.
#[utoipa::path(put, path = "/api/v1/funds/{id}/terms", tag = "funds", request_body = TermsIn,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you edited")),
    responses((status = 200, description = "The terms", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn set_terms(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<TermsIn>,
) -> ApiResult<(HeaderMap, axum::Json<Value>)> {
    let version = if_match(&headers)?;
    let terms = FundTerms {
        policy: match body.policy {
            Some(value) => json_body("policy", value)?,
            None => Default::default(),
        },
        waterfall: match body.waterfall {
            Some(Value::Null) | None => None,
            Some(value) => Some(json_body("waterfall", value)?),
        },
    };
    let (terms, version) = state.app.set_fund_terms(principal.require()?, id, version, &terms).await?;
    Ok((etag_headers(version), doc(&terms)?))
}

/// Admits a partner with its commitment; a partner of kind fund puts this fund under
/// the investing fund in the tree.
#[utoipa::path(post, path = "/api/v1/funds/{id}/partners", tag = "funds", request_body = PartnerInput,
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses((status = 201, description = "The partner", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_partner(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(input): Json<PartnerInput>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    created(&state.app.add_partner(principal.require()?, id, &input).await?)
}

/// Records a portfolio company held by the fund.
#[utoipa::path(post, path = "/api/v1/funds/{id}/holdings", tag = "funds", request_body = HoldingInput,
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses((status = 201, description = "The holding", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_holding(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(input): Json<HoldingInput>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    created(&state.app.add_holding(principal.require()?, id, &input).await?)
}

/// Records the evidence that makes a holding count as local reinvestment.
#[utoipa::path(post, path = "/api/v1/funds/{id}/holdings/{holding}/evidence", tag = "funds", request_body = EvidenceIn,
    params(("id" = i64, Path), ("holding" = i64, Path)),
    responses((status = 201, description = "The evidence", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_evidence(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, holding)): Path<(i64, i64)>,
    Json(body): Json<EvidenceIn>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    created(
        &state
            .app
            .add_evidence(
                principal.require()?,
                id,
                holding,
                &body.kind,
                body.project_id,
                &body.document,
                &body.noted_on,
            )
            .await?,
    )
}

/// The evidence recorded for the fund's holdings.
#[utoipa::path(get, path = "/api/v1/funds/{id}/evidence", tag = "funds", params(("id" = i64, Path)),
    responses((status = 200, description = "The evidence", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn evidence(State(state): State<AppState>, principal: Principal, Path(id): Path<i64>) -> Doc {
    doc(&state.app.fund_evidence(principal.require()?, id).await?)
}

/// Records a ledger entry (a fund partner's flow is mirrored into the investing fund).
#[utoipa::path(post, path = "/api/v1/funds/{id}/entries", tag = "funds", request_body = EntryInput,
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses((status = 201, description = "The entry", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn record_entry(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(input): Json<EntryInput>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    created(&state.app.record_entry(principal.require()?, id, &input).await?)
}

/// Reverses an entry (once) with an entry of the opposite amount.
#[utoipa::path(post, path = "/api/v1/funds/{id}/entries/{entry}/reversal", tag = "funds", request_body = ReversalIn,
    params(("id" = i64, Path), ("entry" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses((status = 201, description = "The reversal", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reverse_entry(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, entry)): Path<(i64, i64)>,
    Json(body): Json<ReversalIn>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    created(&state.app.reverse_entry(principal.require()?, id, entry, &body.date, body.memo.as_deref()).await?)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerImportQuery {
    /// csv or xlsx (default: by the file name's extension, else by the content).
    pub format: Option<String>,
    /// The file's name, kept in the import log.
    pub file_name: Option<String>,
}

/// Imports ledger entries of the fund from a `.xlsx` or `.csv` body (the template's
/// layout, Chinese or English headers: date, kind, amount in yuan, partner or holding by
/// name, component, memo). All or nothing: with any problem — a bad cell, a name the
/// fund does not know, a contribution above a partner's commitment — nothing is written
/// and every problem is listed with its row, column and value. The same file imported
/// again writes nothing and answers what its first import did (`already_imported`).
#[utoipa::path(post, path = "/api/v1/funds/{id}/ledger/import", tag = "funds",
    params(("id" = i64, Path), LedgerImportQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = LedgerImportOutcome), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn import_ledger(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Query(query): Query<LedgerImportQuery>,
    body: Bytes,
) -> ApiResult<axum::Json<LedgerImportOutcome>> {
    let file_name = query.file_name.unwrap_or_else(|| "upload".to_owned());
    let format = match query.format.as_deref() {
        Some("csv") => FileFormat::Csv,
        Some("xlsx") => FileFormat::Xlsx,
        Some(_) => {
            return Err(Problem::from(bridgehead_app::AppError::invalid("format", "request.query", "csv or xlsx")));
        }
        None => FileFormat::from_file_name(&file_name).unwrap_or_else(|| FileFormat::sniff(&body)),
    };
    Ok(axum::Json(state.app.import_fund_ledger(principal.require()?, id, &body, format, &file_name).await?))
}

/// The empty ledger file to fill in and import, with Chinese or English headers (and,
/// in `.xlsx`, a sheet describing every column).
#[utoipa::path(get, path = "/api/v1/funds/{id}/ledger/template", tag = "funds", params(("id" = i64, Path), FileQuery),
    responses((status = 200, description = "The template: `.xlsx` or UTF-8 CSV with a BOM",
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn ledger_template(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Query(file): Query<FileQuery>,
) -> ApiResult<Response> {
    let (format, lang) = file.parse()?;
    let bytes = state.app.fund_ledger_template(principal.require()?, id, lang, format).await?;
    Ok(download(bytes, format, &format!("fund-{id}-ledger-template-{}", lang.code())))
}

/// Records a valuation of the fund or of one holding.
#[utoipa::path(post, path = "/api/v1/funds/{id}/valuations", tag = "funds", request_body = ValuationIn,
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses((status = 201, description = "The valuation", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn record_valuation(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(body): Json<ValuationIn>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    created(
        &state
            .app
            .record_valuation(
                principal.require()?,
                id,
                body.holding_id,
                &body.valued_on,
                body.amount_minor,
                body.method.as_deref(),
            )
            .await?,
    )
}

/// The fund's notices, newest first.
#[utoipa::path(get, path = "/api/v1/funds/{id}/notices", tag = "funds", params(("id" = i64, Path)),
    responses((status = 200, description = "The notices", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn notices(State(state): State<AppState>, principal: Principal, Path(id): Path<i64>) -> Doc {
    doc(&state.app.notices(principal.require()?, id).await?)
}

/// Issues a capital call or a distribution, allocated to the partners pro rata to
/// commitment by largest remainder (parts sum exactly; a distribution is paid at once).
#[utoipa::path(post, path = "/api/v1/funds/{id}/notices", tag = "funds", request_body = NoticeInput,
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses((status = 201, description = "The notice with its lines", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn issue_notice(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(input): Json<NoticeInput>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    created(&state.app.issue_notice(principal.require()?, id, &input).await?)
}

/// A notice with its per-partner lines.
#[utoipa::path(get, path = "/api/v1/funds/{id}/notices/{notice}", tag = "funds", params(("id" = i64, Path), ("notice" = i64, Path)),
    responses((status = 200, description = "The notice", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn notice(State(state): State<AppState>, principal: Principal, Path((id, notice)): Path<(i64, i64)>) -> Doc {
    doc(&state.app.notice(principal.require()?, id, notice).await?)
}

/// A notice as a spreadsheet: a row per partner with the breakdown and the unfunded commitment.
#[utoipa::path(get, path = "/api/v1/funds/{id}/notices/{notice}/export", tag = "funds",
    params(("id" = i64, Path), ("notice" = i64, Path), FileQuery),
    responses((status = 200, description = "`.xlsx` or UTF-8 CSV",
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn export_notice(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, notice)): Path<(i64, i64)>,
    Query(file): Query<FileQuery>,
) -> ApiResult<Response> {
    let (format, lang) = file.parse()?;
    let bytes = state.app.export_notice(principal.require()?, id, notice, lang, format).await?;
    Ok(download(bytes, format, &format!("fund-{id}-notice-{notice}")))
}

/// Records the payment of a call by every partner that has not paid it (or by one).
#[utoipa::path(post, path = "/api/v1/funds/{id}/notices/{notice}/payments", tag = "funds", request_body = PaymentIn,
    params(("id" = i64, Path), ("notice" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses((status = 200, description = "The notice", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn pay_call(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, notice)): Path<(i64, i64)>,
    Json(body): Json<PaymentIn>,
) -> Doc {
    doc(&state.app.pay_call(principal.require()?, id, notice, body.partner_id, &body.date).await?)
}

/// Performance of the fund and of each partner on a date.
#[utoipa::path(get, path = "/api/v1/funds/{id}/performance", tag = "funds", params(("id" = i64, Path), AsOf),
    responses((status = 200, description = "Paid-in, distributed, NAV, DPI, RVPI, TVPI, MOIC, net and gross XIRR", body = Value),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn performance(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Query(query): Query<AsOf>,
) -> Doc {
    doc(&state.app.fund_performance(principal.require()?, id, query.as_of.as_deref()).await?)
}

/// The fund's tree with each fund's performance, and its policy KPIs.
#[utoipa::path(get, path = "/api/v1/funds/{id}/overview", tag = "funds", params(("id" = i64, Path), AsOf),
    responses((status = 200, description = "The tree and the KPIs", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn overview(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Query(query): Query<AsOf>,
) -> Doc {
    doc(&state.app.fund_overview(principal.require()?, id, query.as_of.as_deref()).await?)
}

/// The fund's policy KPIs, looked through every layer, each with the lines (paths,
/// weights, evidence, ledger entries) that make its number, and the alerts.
#[utoipa::path(get, path = "/api/v1/funds/{id}/kpis", tag = "funds", params(("id" = i64, Path), KpiQuery),
    responses((status = 200, description = "The KPIs and alerts", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn kpis(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Query(query): Query<KpiQuery>,
) -> Doc {
    doc(&state.app.fund_policy(principal.require()?, id, query.as_of.as_deref(), query.explain.as_deref()).await?)
}

/// The fund's waterfall: every tier's amount per partner, for each distribution.
#[utoipa::path(get, path = "/api/v1/funds/{id}/waterfall", tag = "funds", params(("id" = i64, Path), WaterfallQuery),
    responses((status = 200, description = "The waterfall", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn waterfall(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Query(query): Query<WaterfallQuery>,
) -> Doc {
    let proposed = match (&query.date, query.amount_minor) {
        (Some(date), Some(amount)) => Some((date.as_str(), amount)),
        (None, None) => None,
        _ => {
            return Err(Problem::from(bridgehead_app::AppError::invalid(
                "amount_minor",
                "request.query",
                "a proposed distribution gives both date and amount_minor",
            )));
        }
    };
    doc(&state.app.fund_waterfall(principal.require()?, id, query.as_of.as_deref(), proposed).await?)
}

/// Every version of every rule set.
#[utoipa::path(get, path = "/api/v1/fund-rule-sets", tag = "funds",
    responses((status = 200, description = "The rule sets", body = Value), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn rule_sets(State(state): State<AppState>, principal: Principal) -> Doc {
    doc(&state.app.rule_sets(principal.require()?).await?)
}

/// Adds a version of a rule set: what qualifies as local reinvestment, the key industries.
#[utoipa::path(post, path = "/api/v1/fund-rule-sets", tag = "funds", request_body = RuleSetIn,
    responses((status = 201, description = "The version", body = Value), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_rule_set(
    State(state): State<AppState>,
    principal: Principal,
    Json(body): Json<RuleSetIn>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    let rules: Rules = json_body("rules", body.rules)?;
    created(&state.app.add_rule_set(principal.require()?, &body.code, &body.name, &body.effective_from, &rules).await?)
}
