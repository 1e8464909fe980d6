//! Industry guidance funds (SPEC §5): the use cases over the fund ledger, and the batch
//! XIRR path used by `bridgehead funds xirr --batch`.

use bridgehead_domain::funds::xirr::{CashFlow, XirrResult, XirrSolver};
use std::collections::{BTreeMap, HashMap};
/// XIRR of many series at once, on every core: the series are cut into one contiguous
/// chunk per thread, each with its own solver (no allocation per series), and the
/// answers come back in input order.
pub fn xirr_batch<S: AsRef<[CashFlow]> + Sync>(series: &[S]) -> Vec<XirrResult> {
    crate::cores::map_chunks(series, 256, |part| {
        let mut solver = XirrSolver::new();
        part.iter().map(|s| solver.solve(s.as_ref())).collect()
    })
}

use bridgehead_domain::access::{Role, Scope};
use bridgehead_domain::enterprise::parse_date;
use bridgehead_domain::funds::allocation::allocate;
use bridgehead_domain::funds::performance::{self, Component, Entry as LedgerEntry, FlowKind, Performance, Valuation};
use bridgehead_domain::{FieldError, FieldErrors};
use bridgehead_store::funds::{
    self as store, EntryRow, FundRow, HoldingRow, NewEntry, NewFund, NewHolding, NewPartner, NoticeLineRow, NoticeRow,
    PartnerRow, Parts, ValuationRow,
};
use bridgehead_store::{Conn, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::Date;

use crate::auth::audit;
use crate::{Actor, App, AppError, AppResult};

/// Roles that see funds: an administrator all; a city analyst (finance bureau) the funds
/// whose home region is in its scope; a fund manager the funds its organisation manages.
pub const FUND_READERS: &[Role] = &[Role::Administrator, Role::CityAnalyst, Role::FundManager];
/// Roles that set up funds and admit partners.
pub const FUND_CREATORS: &[Role] = &[Role::Administrator, Role::CityAnalyst];
/// Roles that keep a fund's ledger, valuations and notices.
pub const LEDGER_KEEPERS: &[Role] = &[Role::Administrator, Role::FundManager];

const FUND_KINDS: &[&str] = &["guidance", "special", "industry", "sub_fund", "direct"];
const PARTNER_KINDS: &[&str] = &["government", "state_holding", "social", "gp", "fund"];

pub(crate) fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid(FieldErrors::from(FieldError::new(field, code, message)))
}

pub(crate) fn date_field(field: &str, value: &str) -> AppResult<Date> {
    parse_date(value).map_err(|message| invalid(field, "date.invalid", message))
}

/// The as-of date of a fund figure: the date given, or today in China.
pub fn as_of_date(as_of: Option<&str>) -> AppResult<Date> {
    match as_of.map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => date_field("as_of", text),
        None => Ok(crate::projects::today_in_china()),
    }
}

pub(crate) fn stored_date(text: &str) -> AppResult<Date> {
    parse_date(text).map_err(|e| AppError::Internal(format!("stored date: {e}")))
}

/// A fund as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Fund {
    pub id: i64,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub kind: String,
    pub manager_organization_id: Option<i64>,
    pub currency_code: String,
    pub target_size_minor: i64,
    pub vintage: i64,
    pub investment_years: i64,
    pub term_years: i64,
    pub home_region_code: String,
    pub focus_industries: Vec<String>,
    pub version: i64,
}

impl From<FundRow> for Fund {
    fn from(row: FundRow) -> Self {
        Fund {
            id: row.id,
            name_zh: row.name_zh,
            name_en: row.name_en,
            kind: row.kind,
            manager_organization_id: row.manager_organization_id,
            currency_code: row.currency_code,
            target_size_minor: row.target_size_minor,
            vintage: row.vintage,
            investment_years: row.investment_years,
            term_years: row.term_years,
            home_region_code: row.home_region_code,
            focus_industries: row.focus_industries.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            version: row.version,
        }
    }
}

/// What creates a fund. (The API takes these inputs as its request bodies; money in fen.)
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FundInput {
    pub name_zh: String,
    pub name_en: Option<String>,
    /// guidance, special, industry, sub_fund or direct.
    pub kind: String,
    /// The GP's organisation.
    pub manager_organization_id: Option<i64>,
    /// ISO 4217 (default CNY).
    pub currency_code: Option<String>,
    /// Fen.
    pub target_size_minor: i64,
    pub vintage: i64,
    pub investment_years: i64,
    pub term_years: i64,
    /// GB/T 2260 code of the fund's home region.
    pub home_region_code: String,
    /// GB/T 4754 code prefixes.
    #[serde(default)]
    pub focus_industries: Vec<String>,
}

/// What admits a partner (an LP or the GP) with its commitment.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PartnerInput {
    pub name: String,
    /// government, state_holding, social, gp or fund.
    pub kind: String,
    /// For kind `fund`: the investing fund (the parent in the tree).
    pub investor_fund_id: Option<i64>,
    /// Fen.
    pub commitment_minor: i64,
    /// YYYY-MM-DD.
    pub committed_on: String,
}

/// What records a holding: a portfolio company of the registry.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HoldingInput {
    pub enterprise_id: i64,
    /// The investment project the investment is linked to.
    pub project_id: Option<i64>,
    /// YYYY-MM-DD.
    pub acquired_on: String,
}

/// What records one ledger entry.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    /// YYYY-MM-DD.
    pub date: String,
    /// contribution, distribution, investment, proceeds, management_fee or expense.
    pub kind: String,
    /// Fen, above zero.
    pub amount_minor: i64,
    /// Contributions: investment, fees or expenses; distributions and proceeds: capital, gain or income.
    pub component: Option<String>,
    /// Contributions and distributions name the partner.
    pub partner_id: Option<i64>,
    /// Investments and proceeds name the holding.
    pub holding_id: Option<i64>,
    pub memo: Option<String>,
}

/// What issues a notice. A call carries investment / fees / expenses, a distribution
/// capital / gain / income (fen).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoticeInput {
    /// call or distribution.
    pub kind: String,
    /// YYYY-MM-DD.
    pub notice_date: String,
    /// YYYY-MM-DD.
    pub due_date: String,
    #[serde(default)]
    pub investment_minor: i64,
    #[serde(default)]
    pub fees_minor: i64,
    #[serde(default)]
    pub expenses_minor: i64,
    #[serde(default)]
    pub capital_minor: i64,
    #[serde(default)]
    pub gain_minor: i64,
    #[serde(default)]
    pub income_minor: i64,
    pub memo: Option<String>,
}

/// A notice with its per-partner lines.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub id: i64,
    pub fund_id: i64,
    pub kind: String,
    pub notice_date: String,
    pub due_date: String,
    pub total_minor: i64,
    pub parts: BTreeMap<&'static str, i64>,
    pub memo: Option<String>,
    pub lines: Vec<NoticeLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoticeLine {
    pub partner_id: i64,
    pub partner_name: String,
    pub commitment_minor: i64,
    pub amount_minor: i64,
    pub parts: BTreeMap<&'static str, i64>,
    /// Calls: the commitment not yet called once this notice is paid.
    pub unfunded_after_minor: i64,
    /// Whether the partner has paid it (calls) — distributions are paid when issued.
    pub paid: bool,
}

fn parts_map(parts: &Parts, kind: &str) -> BTreeMap<&'static str, i64> {
    components(parts, kind).into_iter().map(|(component, amount)| (component.code(), amount)).collect()
}

/// The components of a notice as (component, amount) pairs, in order.
fn components(parts: &Parts, kind: &str) -> [(Component, i64); 3] {
    if kind == "call" {
        [
            (Component::Investment, parts.investment),
            (Component::Fees, parts.fees),
            (Component::Expenses, parts.expenses),
        ]
    } else {
        [(Component::Capital, parts.capital), (Component::Gain, parts.gain), (Component::Income, parts.income)]
    }
}

fn set_component(parts: &mut Parts, component: Component, amount: i64) {
    match component {
        Component::Investment => parts.investment = amount,
        Component::Fees => parts.fees = amount,
        Component::Expenses => parts.expenses = amount,
        Component::Capital => parts.capital = amount,
        Component::Gain => parts.gain = amount,
        Component::Income => parts.income = amount,
    }
}

/// A fund with its partners, holdings and ledger.
#[derive(Debug, Clone, Serialize)]
pub struct FundDetail {
    pub fund: Fund,
    pub terms: crate::fund_policy::FundTerms,
    pub partners: Vec<PartnerRowView>,
    pub holdings: Vec<HoldingRow>,
    pub entries: Vec<EntryRow>,
    pub valuations: Vec<ValuationRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartnerRowView {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub investor_fund_id: Option<i64>,
    pub commitment_minor: i64,
    pub contributed_minor: i64,
    pub unfunded_minor: i64,
    pub committed_on: String,
}

impl From<PartnerRow> for PartnerRowView {
    fn from(p: PartnerRow) -> Self {
        PartnerRowView {
            id: p.id,
            unfunded_minor: p.commitment_minor - p.contributed_minor,
            name: p.name,
            kind: p.kind,
            investor_fund_id: p.investor_fund_id,
            commitment_minor: p.commitment_minor,
            contributed_minor: p.contributed_minor,
            committed_on: p.committed_on,
        }
    }
}

/// Whether `actor` may see `fund`.
async fn may_see(conn: &mut Conn, actor: &Actor, fund: &FundRow) -> AppResult<bool> {
    Ok(match (&actor.role, &actor.scope) {
        (Role::Administrator, _) => true,
        (Role::CityAnalyst, Scope::Region { region_code }) => {
            bridgehead_store::reference::region_within(conn, &fund.home_region_code, region_code).await?
        }
        (Role::FundManager, Scope::Organization { organization_id }) => {
            fund.manager_organization_id == Some(*organization_id)
        }
        _ => false,
    })
}

/// The fund, if it exists and `actor` may see it; "not found" otherwise.
pub(crate) async fn visible_fund(conn: &mut Conn, actor: &Actor, id: i64) -> AppResult<FundRow> {
    actor.require(FUND_READERS, "see funds")?;
    match store::fund(conn, id).await? {
        Some(fund) if may_see(conn, actor, &fund).await? => Ok(fund),
        _ => Err(AppError::NotFound { what: "fund" }),
    }
}

/// A contribution above a partner's unfunded commitment, said plainly.
fn above_commitment(partner: &PartnerRow, amount: i64) -> AppError {
    AppError::Invalid(FieldErrors::from(
        FieldError::new(
            "amount_minor",
            "fund.contribution_above_commitment",
            format!(
                "a contribution of {} from '{}' would bring its paid-in capital to {}, above its commitment of {}",
                bridgehead_domain::money::format_major_units(amount),
                partner.name,
                bridgehead_domain::money::format_major_units(partner.contributed_minor + amount),
                bridgehead_domain::money::format_major_units(partner.commitment_minor),
            ),
        )
        .with_param("partner", &partner.name)
        .with_param("commitment", partner.commitment_minor)
        .with_param("contributed", partner.contributed_minor)
        .with_param("amount_yuan", bridgehead_domain::money::format_major_units(amount))
        .with_param(
            "paid_in_after_yuan",
            bridgehead_domain::money::format_major_units(partner.contributed_minor + amount),
        )
        .with_param("commitment_yuan", bridgehead_domain::money::format_major_units(partner.commitment_minor)),
    ))
}

impl App {
    /// Sets up a fund.
    pub async fn create_fund(&self, actor: &Actor, input: &FundInput) -> AppResult<Fund> {
        actor.require(FUND_CREATORS, "set up funds")?;
        actor.require_write()?;
        let mut errors = FieldErrors::default();
        let name = input.name_zh.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(FieldError::new("name_zh", "fund.name", "a name of 1 to 200 characters is required"));
        }
        if !FUND_KINDS.contains(&input.kind.as_str()) {
            errors.push(FieldError::new("kind", "fund.kind", format!("kind must be one of {}", FUND_KINDS.join(", "))));
        }
        if input.target_size_minor <= 0 {
            errors.push(FieldError::new("target_size_minor", "fund.target_size", "the target size must be above zero"));
        }
        if !(1990..=2200).contains(&input.vintage) {
            errors.push(FieldError::new("vintage", "fund.vintage", "the vintage is a year between 1990 and 2200"));
        }
        if !(1..=50).contains(&input.investment_years) {
            errors.push(FieldError::new("investment_years", "fund.term", "the investment period is 1 to 50 years"));
        }
        if input.term_years < input.investment_years || input.term_years > 99 {
            errors.push(FieldError::new(
                "term_years",
                "fund.term",
                "the total term is at least the investment period and at most 99 years",
            ));
        }
        for code in &input.focus_industries {
            if code.is_empty() || code.len() > 5 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
                errors.push(FieldError::new(
                    "focus_industries",
                    "fund.focus_industry",
                    format!("'{code}' is not a GB/T 4754 code prefix"),
                ));
            }
        }
        let currency = match &input.currency_code {
            Some(code) => match bridgehead_domain::money::CurrencyCode::parse(code) {
                Ok(code) => code.as_str().to_owned(),
                Err(message) => {
                    errors.push(FieldError::new("currency_code", "currency.invalid", message));
                    String::new()
                }
            },
            None => bridgehead_domain::money::CurrencyCode::BASE.to_owned(),
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut tx = self.store.begin().await?;
        if let Some(scope) = actor.region_scope()
            && !bridgehead_store::reference::region_within(&mut tx, &input.home_region_code, scope).await?
        {
            return Err(invalid(
                "home_region_code",
                "scope.outside",
                format!("region {} is outside your scope", input.home_region_code),
            ));
        }
        let focus = input.focus_industries.join(",");
        let row = store::insert_fund(
            &mut tx,
            &NewFund {
                name_zh: name,
                name_en: input.name_en.as_deref().map(str::trim).filter(|n| !n.is_empty()),
                kind: &input.kind,
                manager_organization_id: input.manager_organization_id,
                currency_code: &currency,
                target_size_minor: input.target_size_minor,
                vintage: input.vintage,
                investment_years: input.investment_years,
                term_years: input.term_years,
                home_region_code: input.home_region_code.trim(),
                focus_industries: &focus,
                terms_json: "{}",
                created_by: &actor.label,
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::Duplicate { .. } => AppError::Duplicate(FieldError::new(
                "name_zh",
                "fund.name_taken",
                format!("a fund named '{name}' exists already"),
            )),
            StoreError::Reference { .. } => invalid(
                "home_region_code",
                "fund.reference",
                "the home region, currency or manager organisation does not exist",
            ),
            other => other.into(),
        })?;
        audit(&mut tx, actor, "fund.create", "fund", &row.id.to_string(), None, Some(json!({"name": row.name_zh})))
            .await?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// The funds `actor` may see.
    pub async fn funds(&self, actor: &Actor) -> AppResult<Vec<Fund>> {
        actor.require(FUND_READERS, "see funds")?;
        let mut conn = self.store.read().await?;
        let mut visible = Vec::new();
        for fund in store::funds(&mut conn).await? {
            if may_see(&mut conn, actor, &fund).await? {
                visible.push(fund.into());
            }
        }
        Ok(visible)
    }

    /// A fund with its partners, holdings, ledger and valuations.
    pub async fn fund(&self, actor: &Actor, id: i64) -> AppResult<FundDetail> {
        let mut conn = self.store.read().await?;
        let fund = visible_fund(&mut conn, actor, id).await?;
        Ok(FundDetail {
            partners: store::partners(&mut conn, id).await?.into_iter().map(Into::into).collect(),
            holdings: store::holdings(&mut conn, id).await?,
            entries: store::entries(&mut conn, id).await?,
            valuations: store::valuations(&mut conn, id).await?,
            terms: crate::fund_policy::FundTerms::of(&fund)?,
            fund: fund.into(),
        })
    }

    /// Admits a partner with its commitment. A fund partner makes the tree: the investing
    /// fund gets a holding in this fund, through which its calls and distributions flow.
    pub async fn add_partner(&self, actor: &Actor, fund_id: i64, input: &PartnerInput) -> AppResult<PartnerRowView> {
        actor.require(FUND_CREATORS, "admit fund partners")?;
        actor.require_write()?;
        let committed_on = date_field("committed_on", &input.committed_on)?;
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(invalid("name", "fund.partner_name", "a name of 1 to 200 characters is required"));
        }
        if !PARTNER_KINDS.contains(&input.kind.as_str()) {
            return Err(invalid(
                "kind",
                "fund.partner_kind",
                format!("kind must be one of {}", PARTNER_KINDS.join(", ")),
            ));
        }
        if input.commitment_minor <= 0 {
            return Err(invalid("commitment_minor", "fund.commitment", "a commitment must be above zero"));
        }
        if (input.kind == "fund") != input.investor_fund_id.is_some() {
            return Err(invalid(
                "investor_fund_id",
                "fund.investor_fund",
                "a partner of kind 'fund' names the investing fund, and only such a partner does",
            ));
        }
        let mut tx = self.store.begin().await?;
        visible_fund(&mut tx, actor, fund_id).await?;
        if let Some(investor) = input.investor_fund_id {
            let not_visible =
                || invalid("investor_fund_id", "fund.investor_fund", format!("fund {investor} not found"));
            let parent = store::fund(&mut tx, investor).await?.ok_or_else(not_visible)?;
            if !may_see(&mut tx, actor, &parent).await? {
                return Err(not_visible());
            }
            if creates_cycle(&mut tx, investor, fund_id).await? {
                return Err(invalid(
                    "investor_fund_id",
                    "fund.cycle",
                    format!("fund {investor} is already held by fund {fund_id}, directly or below"),
                ));
            }
        }
        let partner = store::insert_partner(
            &mut tx,
            &NewPartner {
                fund_id,
                name,
                kind: &input.kind,
                investor_fund_id: input.investor_fund_id,
                commitment_minor: input.commitment_minor,
                committed_on: &committed_on.to_string(),
                created_by: &actor.label,
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::Duplicate { .. } => AppError::Duplicate(FieldError::new(
                "name",
                "fund.partner_taken",
                format!("'{name}' (or this investing fund) is a partner already"),
            )),
            other => other.into(),
        })?;
        if let Some(investor) = input.investor_fund_id
            && store::sub_fund_holding(&mut tx, investor, fund_id).await?.is_none()
        {
            store::insert_holding(
                &mut tx,
                &NewHolding {
                    fund_id: investor,
                    enterprise_id: None,
                    sub_fund_id: Some(fund_id),
                    project_id: None,
                    acquired_on: &committed_on.to_string(),
                    created_by: &actor.label,
                },
            )
            .await?;
        }
        audit(
            &mut tx,
            actor,
            "fund.partner.add",
            "fund_partner",
            &partner.id.to_string(),
            None,
            Some(json!({"fund_id": fund_id, "name": partner.name, "commitment_minor": partner.commitment_minor})),
        )
        .await?;
        tx.commit().await?;
        Ok(partner.into())
    }

    /// Records a portfolio company held by the fund.
    pub async fn add_holding(&self, actor: &Actor, fund_id: i64, input: &HoldingInput) -> AppResult<HoldingRow> {
        actor.require(LEDGER_KEEPERS, "record fund holdings")?;
        actor.require_write()?;
        let acquired_on = date_field("acquired_on", &input.acquired_on)?;
        let mut tx = self.store.begin().await?;
        visible_fund(&mut tx, actor, fund_id).await?;
        let holding = store::insert_holding(
            &mut tx,
            &NewHolding {
                fund_id,
                enterprise_id: Some(input.enterprise_id),
                sub_fund_id: None,
                project_id: input.project_id,
                acquired_on: &acquired_on.to_string(),
                created_by: &actor.label,
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::Duplicate { .. } => AppError::Duplicate(FieldError::new(
                "enterprise_id",
                "fund.holding_taken",
                format!("the fund already holds enterprise {}", input.enterprise_id),
            )),
            StoreError::Reference { .. } => {
                invalid("enterprise_id", "fund.holding_reference", "the enterprise or project does not exist")
            }
            other => other.into(),
        })?;
        audit(
            &mut tx,
            actor,
            "fund.holding.add",
            "fund_holding",
            &holding.id.to_string(),
            None,
            Some(json!({"fund_id": fund_id, "enterprise_id": input.enterprise_id})),
        )
        .await?;
        tx.commit().await?;
        Ok(holding)
    }

    /// Records one ledger entry (and, for a partner that is a fund, the matching entry in
    /// that fund's ledger).
    pub async fn record_entry(&self, actor: &Actor, fund_id: i64, input: &EntryInput) -> AppResult<EntryRow> {
        actor.require(LEDGER_KEEPERS, "keep fund ledgers")?;
        actor.require_write()?;
        let date = date_field("date", &input.date)?;
        let kind = FlowKind::parse(&input.kind).ok_or_else(|| {
            invalid(
                "kind",
                "fund.entry_kind",
                format!(
                    "kind must be one of {}",
                    FlowKind::ALL.iter().map(|k| k.code()).collect::<Vec<_>>().join(", ")
                ),
            )
        })?;
        if input.amount_minor <= 0 {
            return Err(invalid(
                "amount_minor",
                "fund.amount",
                "an amount must be above zero (reverse an entry to undo it)",
            ));
        }
        let component = match &input.component {
            None => None,
            Some(code) => {
                let component = Component::parse(code).filter(|c| kind.components().contains(c)).ok_or_else(|| {
                    invalid(
                        "component",
                        "fund.component",
                        format!(
                            "a {} entry's component is one of: {}",
                            kind.code(),
                            kind.components().iter().map(|c| c.code()).collect::<Vec<_>>().join(", ")
                        ),
                    )
                })?;
                Some(component)
            }
        };
        if kind.needs_party() != input.partner_id.is_some() {
            return Err(invalid(
                "partner_id",
                "fund.partner_required",
                "contributions and distributions name a partner, other entries do not",
            ));
        }
        if kind.needs_holding() != input.holding_id.is_some() {
            return Err(invalid(
                "holding_id",
                "fund.holding_required",
                "investments and proceeds name a holding, other entries do not",
            ));
        }
        let mut tx = self.store.begin().await?;
        visible_fund(&mut tx, actor, fund_id).await?;
        let entry = write_entry(
            &mut tx,
            actor,
            fund_id,
            &NewEntry {
                fund_id,
                entry_date: &date.to_string(),
                kind: kind.code(),
                amount_minor: input.amount_minor,
                component: component.map(Component::code),
                partner_id: input.partner_id,
                holding_id: input.holding_id,
                notice_id: None,
                reverses_id: None,
                mirror_of_id: None,
                memo: input.memo.as_deref(),
                entered_by: &actor.label,
                entered_by_user_id: actor.user_id,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Reverses an entry (and its mirror in an investing fund) with an entry of the
    /// opposite amount on `date`. An entry is reversed at most once.
    pub async fn reverse_entry(
        &self,
        actor: &Actor,
        fund_id: i64,
        entry_id: i64,
        date: &str,
        memo: Option<&str>,
    ) -> AppResult<EntryRow> {
        actor.require(LEDGER_KEEPERS, "keep fund ledgers")?;
        actor.require_write()?;
        let date = date_field("date", date)?;
        let mut tx = self.store.begin().await?;
        visible_fund(&mut tx, actor, fund_id).await?;
        let original = match store::entry(&mut tx, entry_id).await? {
            Some(e) if e.fund_id == fund_id => e,
            _ => return Err(AppError::NotFound { what: "entry" }),
        };
        if original.reverses_id.is_some() || original.mirror_of_id.is_some() {
            return Err(invalid(
                "entry_id",
                "fund.not_reversible",
                "a reversal, or an entry mirrored from a sub-fund, is not reversed itself (reverse the original)",
            ));
        }
        let reversal = write_entry(
            &mut tx,
            actor,
            fund_id,
            &NewEntry {
                fund_id,
                entry_date: &date.to_string(),
                kind: &original.kind,
                amount_minor: -original.amount_minor,
                component: original.component.as_deref(),
                partner_id: original.partner_id,
                holding_id: original.holding_id,
                notice_id: original.notice_id,
                reverses_id: Some(original.id),
                mirror_of_id: None,
                memo,
                entered_by: &actor.label,
                entered_by_user_id: actor.user_id,
            },
        )
        .await
        .map_err(|e| match e {
            AppError::Store(StoreError::Duplicate { .. }) => {
                invalid("entry_id", "fund.already_reversed", format!("entry {entry_id} is reversed already"))
            }
            other => other,
        })?;
        tx.commit().await?;
        Ok(reversal)
    }

    /// Records a valuation of the fund (no holding) or of one holding.
    pub async fn record_valuation(
        &self,
        actor: &Actor,
        fund_id: i64,
        holding_id: Option<i64>,
        valued_on: &str,
        amount_minor: i64,
        method: Option<&str>,
    ) -> AppResult<ValuationRow> {
        actor.require(LEDGER_KEEPERS, "value funds")?;
        actor.require_write()?;
        let valued_on = date_field("valued_on", valued_on)?;
        if amount_minor < 0 {
            return Err(invalid("amount_minor", "fund.valuation", "a valuation cannot be negative"));
        }
        let mut tx = self.store.begin().await?;
        visible_fund(&mut tx, actor, fund_id).await?;
        let valuation = store::insert_valuation(
            &mut tx,
            fund_id,
            holding_id,
            &valued_on.to_string(),
            amount_minor,
            method,
            &actor.label,
        )
        .await
        .map_err(|e| match e {
            StoreError::Duplicate { .. } => AppError::Duplicate(FieldError::new(
                "valued_on",
                "fund.valuation_taken",
                format!("there is a valuation of {valued_on} already"),
            )),
            StoreError::Reference { .. } => {
                invalid("holding_id", "fund.holding", "the holding does not belong to this fund")
            }
            other => other.into(),
        })?;
        audit(
            &mut tx,
            actor,
            "fund.valuation.add",
            "fund_valuation",
            &valuation.id.to_string(),
            None,
            Some(json!({"fund_id": fund_id, "holding_id": holding_id, "valued_on": valuation.valued_on, "amount_minor": amount_minor})),
        )
        .await?;
        tx.commit().await?;
        Ok(valuation)
    }

    /// Issues a capital call or a distribution notice, allocated to the partners pro rata
    /// to commitment, component by component, by the largest-remainder method (ties: the
    /// larger commitment, then the earlier partner) so that every column sums exactly.
    /// A call refuses any partner whose share exceeds its commitment not yet called; a
    /// distribution is paid out at once (one ledger entry per partner and component).
    pub async fn issue_notice(&self, actor: &Actor, fund_id: i64, input: &NoticeInput) -> AppResult<Notice> {
        actor.require(LEDGER_KEEPERS, "issue fund notices")?;
        actor.require_write()?;
        let notice_date = date_field("notice_date", &input.notice_date)?;
        let due_date = date_field("due_date", &input.due_date)?;
        if due_date < notice_date {
            return Err(invalid("due_date", "fund.due_date", "the due date is on or after the notice date"));
        }
        let total = Parts {
            investment: input.investment_minor,
            fees: input.fees_minor,
            expenses: input.expenses_minor,
            capital: input.capital_minor,
            gain: input.gain_minor,
            income: input.income_minor,
        };
        let kind = input.kind.as_str();
        let mut errors = FieldErrors::default();
        for (field, value) in [
            ("investment_minor", total.investment),
            ("fees_minor", total.fees),
            ("expenses_minor", total.expenses),
            ("capital_minor", total.capital),
            ("gain_minor", total.gain),
            ("income_minor", total.income),
        ] {
            if value < 0 {
                errors.push(FieldError::new(field, "fund.amount", "an amount cannot be negative"));
            }
            let belongs = match kind {
                "call" => ["investment_minor", "fees_minor", "expenses_minor"].contains(&field),
                _ => ["capital_minor", "gain_minor", "income_minor"].contains(&field),
            };
            if value != 0 && !belongs {
                errors.push(FieldError::new(field, "fund.component", format!("a {kind} notice has no {field}")));
            }
        }
        if kind != "call" && kind != "distribution" {
            errors.push(FieldError::new("kind", "fund.notice_kind", "kind is call or distribution"));
        }
        if total.total() <= 0 {
            errors.push(FieldError::new("total", "fund.amount", "a notice's total must be above zero"));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut tx = self.store.begin().await?;
        visible_fund(&mut tx, actor, fund_id).await?;
        let partners = store::partners(&mut tx, fund_id).await?;
        if partners.is_empty() {
            return Err(invalid("fund_id", "fund.no_partners", "the fund has no partners to allocate to"));
        }
        let weights: Vec<i64> = partners.iter().map(|p| p.commitment_minor).collect();
        let mut line_parts = vec![Parts::default(); partners.len()];
        for (component, amount) in components(&total, kind) {
            let shares = allocate(amount, &weights).map_err(|e| AppError::Internal(e.to_string()))?;
            for (parts, share) in line_parts.iter_mut().zip(shares) {
                set_component(parts, component, share);
            }
        }
        let called: HashMap<i64, i64> = store::called_by_partner(&mut tx, fund_id).await?.into_iter().collect();
        let mut lines = Vec::with_capacity(partners.len());
        let mut errors = FieldErrors::default();
        for (partner, parts) in partners.iter().zip(&line_parts) {
            let amount = parts.total();
            let called_before = called.get(&partner.id).copied().unwrap_or(0).max(partner.contributed_minor);
            let unfunded_after = partner.commitment_minor - called_before - if kind == "call" { amount } else { 0 };
            if kind == "call" && unfunded_after < 0 {
                errors.push(
                    FieldError::new(
                        "total",
                        "fund.call_above_commitment",
                        format!(
                            "'{}' would be called {} with only {} of its commitment left uncalled",
                            partner.name,
                            bridgehead_domain::money::format_major_units(amount),
                            bridgehead_domain::money::format_major_units(partner.commitment_minor - called_before),
                        ),
                    )
                    .with_param("partner", &partner.name)
                    .with_param("amount_yuan", bridgehead_domain::money::format_major_units(amount))
                    .with_param(
                        "uncalled_yuan",
                        bridgehead_domain::money::format_major_units(partner.commitment_minor - called_before),
                    ),
                );
            }
            lines.push(NoticeLineRow {
                notice_id: 0,
                partner_id: partner.id,
                commitment_minor: partner.commitment_minor,
                amount_minor: amount,
                parts: *parts,
                unfunded_after_minor: unfunded_after.max(0),
            });
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let notice = store::insert_notice(
            &mut tx,
            fund_id,
            kind,
            &notice_date.to_string(),
            &due_date.to_string(),
            &total,
            input.memo.as_deref(),
            &actor.label,
            &lines,
        )
        .await?;
        if kind == "distribution" {
            for line in &lines {
                pay_line(&mut tx, actor, fund_id, &notice, line, notice_date, "distribution").await?;
            }
        }
        audit(
            &mut tx,
            actor,
            "fund.notice.issue",
            "fund_notice",
            &notice.id.to_string(),
            None,
            Some(json!({"fund_id": fund_id, "kind": kind, "total_minor": notice.total_minor})),
        )
        .await?;
        let view = notice_view(&mut tx, &notice, &partners).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Records the payment of a capital call by every partner that has not paid it yet
    /// (or by one partner), on `date`: one contribution per component.
    pub async fn pay_call(
        &self,
        actor: &Actor,
        fund_id: i64,
        notice_id: i64,
        partner_id: Option<i64>,
        date: &str,
    ) -> AppResult<Notice> {
        actor.require(LEDGER_KEEPERS, "keep fund ledgers")?;
        actor.require_write()?;
        let date = date_field("date", date)?;
        let mut tx = self.store.begin().await?;
        visible_fund(&mut tx, actor, fund_id).await?;
        let (notice, lines) = match store::notice(&mut tx, notice_id).await? {
            Some((n, l)) if n.fund_id == fund_id => (n, l),
            _ => return Err(AppError::NotFound { what: "notice" }),
        };
        if notice.kind != "call" {
            return Err(invalid("notice_id", "fund.not_a_call", "only a capital call is paid by the partners"));
        }
        let paid = store::notice_payers(&mut tx, notice_id).await?;
        let partners = store::partners(&mut tx, fund_id).await?;
        for line in lines.iter().filter(|l| partner_id.is_none_or(|p| p == l.partner_id)) {
            if !paid.contains(&line.partner_id) {
                pay_line(&mut tx, actor, fund_id, &notice, line, date, "contribution").await?;
            }
        }
        let view = notice_view(&mut tx, &notice, &partners).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// A notice with its lines.
    pub async fn notice(&self, actor: &Actor, fund_id: i64, notice_id: i64) -> AppResult<Notice> {
        let mut conn = self.store.read().await?;
        visible_fund(&mut conn, actor, fund_id).await?;
        let notice = match store::notice(&mut conn, notice_id).await? {
            Some((n, _)) if n.fund_id == fund_id => n,
            _ => return Err(AppError::NotFound { what: "notice" }),
        };
        let partners = store::partners(&mut conn, fund_id).await?;
        notice_view(&mut conn, &notice, &partners).await
    }

    /// A fund's notices, newest first.
    pub async fn notices(&self, actor: &Actor, fund_id: i64) -> AppResult<Vec<Notice>> {
        let mut conn = self.store.read().await?;
        visible_fund(&mut conn, actor, fund_id).await?;
        let partners = store::partners(&mut conn, fund_id).await?;
        let mut notices = Vec::new();
        for notice in store::notices(&mut conn, fund_id).await?.iter().rev() {
            notices.push(notice_view(&mut conn, notice, &partners).await?);
        }
        Ok(notices)
    }

    /// Performance of a fund and each of its partners on `as_of` (see
    /// [`bridgehead_domain::funds::performance`]).
    pub async fn fund_performance(&self, actor: &Actor, fund_id: i64, as_of: Option<&str>) -> AppResult<Performance> {
        let as_of = as_of_date(as_of)?;
        let mut conn = self.store.read().await?;
        visible_fund(&mut conn, actor, fund_id).await?;
        let (entries, valuations) = ledger(&mut conn, fund_id).await?;
        Ok(performance::performance(&entries, &valuations, as_of))
    }
}

/// A fund's ledger and valuations as the calculations take them.
pub(crate) async fn ledger(conn: &mut Conn, fund_id: i64) -> AppResult<(Vec<LedgerEntry>, Vec<Valuation>)> {
    let mut entries = Vec::new();
    for row in store::entries(conn, fund_id).await? {
        entries.push(LedgerEntry {
            date: stored_date(&row.entry_date)?,
            kind: FlowKind::parse(&row.kind).ok_or_else(|| AppError::Internal(format!("entry kind {}", row.kind)))?,
            amount: row.amount_minor,
            party: row.partner_id,
            holding: row.holding_id,
            component: row.component.as_deref().and_then(Component::parse),
        });
    }
    let mut valuations = Vec::new();
    for row in store::valuations(conn, fund_id).await? {
        valuations.push(Valuation {
            date: stored_date(&row.valued_on)?,
            holding: row.holding_id,
            amount: row.amount_minor,
        });
    }
    Ok((entries, valuations))
}

/// Whether making `investor` a partner of `fund` would close a loop: `investor` is
/// `fund` or held by it, directly or through sub-funds.
async fn creates_cycle(conn: &mut Conn, investor: i64, fund: i64) -> AppResult<bool> {
    if investor == fund {
        return Ok(true);
    }
    let edges = store::fund_edges(conn).await?;
    // Walk down from `fund` through the funds it invests in.
    let mut stack = vec![fund];
    let mut seen = std::collections::HashSet::new();
    while let Some(current) = stack.pop() {
        if !seen.insert(current) {
            continue;
        }
        for edge in edges.iter().filter(|e| e.investor_fund_id == Some(current)) {
            if edge.fund_id == investor {
                return Ok(true);
            }
            stack.push(edge.fund_id);
        }
    }
    Ok(false)
}

/// Writes the ledger entries of one notice line: one per non-zero component.
async fn pay_line(
    conn: &mut Conn,
    actor: &Actor,
    fund_id: i64,
    notice: &NoticeRow,
    line: &NoticeLineRow,
    date: Date,
    kind: &str,
) -> AppResult<()> {
    let date = date.to_string();
    for (component, amount) in components(&line.parts, &notice.kind) {
        if amount == 0 {
            continue;
        }
        write_entry(
            conn,
            actor,
            fund_id,
            &NewEntry {
                fund_id,
                entry_date: &date,
                kind,
                amount_minor: amount,
                component: Some(component.code()),
                partner_id: Some(line.partner_id),
                holding_id: None,
                notice_id: Some(notice.id),
                reverses_id: None,
                mirror_of_id: None,
                memo: None,
                entered_by: &actor.label,
                entered_by_user_id: actor.user_id,
            },
        )
        .await
        .map_err(|e| match e {
            AppError::Store(StoreError::Duplicate { .. }) => invalid(
                "notice_id",
                "fund.notice_paid",
                format!("notice {} is paid already for partner {}", notice.id, line.partner_id),
            ),
            other => other,
        })?;
    }
    Ok(())
}

/// Inserts an entry with its audit record; refuses a contribution above the partner's
/// commitment (checked here for a clear message, and by the database whatever
/// happens in between); mirrors a fund partner's contribution or distribution into the
/// investing fund's ledger (and a reversal into the mirror's reversal).
pub(crate) async fn write_entry(
    conn: &mut Conn,
    actor: &Actor,
    fund_id: i64,
    entry: &NewEntry<'_>,
) -> AppResult<EntryRow> {
    let partner = match entry.partner_id {
        Some(id) => Some(store::partner(conn, fund_id, id).await?.ok_or_else(|| {
            invalid("partner_id", "fund.partner", format!("partner {id} is not a partner of fund {fund_id}"))
        })?),
        None => None,
    };
    if let Some(partner) = &partner
        && entry.kind == "contribution"
        && entry.amount_minor > 0
        && partner.contributed_minor + entry.amount_minor > partner.commitment_minor
    {
        return Err(above_commitment(partner, entry.amount_minor));
    }
    let row = store::insert_entry(conn, entry).await.map_err(|e| match (e, &partner) {
        (StoreError::Check { constraint }, Some(partner)) if constraint.contains("within_commitment") => {
            if entry.amount_minor > 0 {
                above_commitment(partner, entry.amount_minor)
            } else {
                invalid(
                    "amount_minor",
                    "fund.reversal_below_zero",
                    "the reversal would take paid-in capital below zero",
                )
            }
        }
        (StoreError::Reference { .. }, _) => {
            invalid("holding_id", "fund.reference", "the partner, holding or notice does not belong to this fund")
        }
        (other, _) => other.into(),
    })?;
    audit(
        conn,
        actor,
        if row.reverses_id.is_some() { "fund.entry.reverse" } else { "fund.entry.add" },
        "fund_entry",
        &row.id.to_string(),
        None,
        Some(json!({
            "fund_id": fund_id, "date": row.entry_date, "kind": row.kind, "amount_minor": row.amount_minor,
            "component": row.component, "partner_id": row.partner_id, "holding_id": row.holding_id,
            "notice_id": row.notice_id, "reverses_id": row.reverses_id,
        })),
    )
    .await?;
    // The investing fund's side of a fund partner's flow.
    if let Some(investor) = partner.as_ref().and_then(|p| p.investor_fund_id) {
        let holding = store::sub_fund_holding(conn, investor, fund_id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("fund {investor} has no holding in fund {fund_id}")))?;
        let (kind, component) = match entry.kind {
            "contribution" => ("investment", None),
            _ => ("proceeds", entry.component),
        };
        let mirrored_reversal = match entry.reverses_id {
            Some(original) => store::mirrors_of(conn, original).await?.first().map(|m| m.id),
            None => None,
        };
        let mirror = store::insert_entry(
            conn,
            &NewEntry {
                fund_id: investor,
                entry_date: entry.entry_date,
                kind,
                amount_minor: entry.amount_minor,
                component,
                partner_id: None,
                holding_id: Some(holding.id),
                notice_id: None,
                reverses_id: mirrored_reversal,
                mirror_of_id: Some(row.id),
                memo: entry.memo,
                entered_by: entry.entered_by,
                entered_by_user_id: entry.entered_by_user_id,
            },
        )
        .await?;
        audit(
            conn,
            actor,
            "fund.entry.mirror",
            "fund_entry",
            &mirror.id.to_string(),
            None,
            Some(
                json!({"fund_id": investor, "kind": kind, "amount_minor": mirror.amount_minor, "mirror_of_id": row.id}),
            ),
        )
        .await?;
    }
    Ok(row)
}

async fn notice_view(conn: &mut Conn, notice: &NoticeRow, partners: &[PartnerRow]) -> AppResult<Notice> {
    let (_, lines) = store::notice(conn, notice.id).await?.ok_or(AppError::NotFound { what: "notice" })?;
    let paid = if notice.kind == "call" {
        store::notice_payers(conn, notice.id).await?
    } else {
        lines.iter().map(|l| l.partner_id).collect()
    };
    let name = |id: i64| partners.iter().find(|p| p.id == id).map(|p| p.name.clone()).unwrap_or_default();
    Ok(Notice {
        id: notice.id,
        fund_id: notice.fund_id,
        kind: notice.kind.clone(),
        notice_date: notice.notice_date.clone(),
        due_date: notice.due_date.clone(),
        total_minor: notice.total_minor,
        parts: parts_map(&notice.parts, &notice.kind),
        memo: notice.memo.clone(),
        lines: lines
            .iter()
            .map(|l| NoticeLine {
                partner_id: l.partner_id,
                partner_name: name(l.partner_id),
                commitment_minor: l.commitment_minor,
                amount_minor: l.amount_minor,
                parts: parts_map(&l.parts, &notice.kind),
                unfunded_after_minor: l.unfunded_after_minor,
                paid: paid.contains(&l.partner_id),
            })
            .collect(),
    })
}

/// The columns of a notice's export: one row per partner.
pub const NOTICE_COLUMNS: &[bridgehead_io::ColumnSpec] = &[
    col("partner", "合伙人", "Partner"),
    col("commitment", "认缴出资", "Commitment"),
    col("amount", "本次金额", "Amount"),
    col("investment", "投资款", "Investment"),
    col("fees", "管理费", "Fees"),
    col("expenses", "费用", "Expenses"),
    col("capital", "返还本金", "Capital"),
    col("gain", "收益", "Gain"),
    col("income", "其他收入", "Income"),
    col("unfunded_after", "剩余未缴", "Unfunded after"),
    col("paid", "已缴付", "Paid"),
];

const fn col(key: &'static str, zh: &'static str, en: &'static str) -> bridgehead_io::ColumnSpec {
    bridgehead_io::ColumnSpec { key, zh, en, required: false, note_zh: "", note_en: "" }
}

impl App {
    /// A notice as a spreadsheet: a row per partner with the breakdown and the unfunded
    /// commitment after it, and a total row.
    pub async fn export_notice(
        &self,
        actor: &Actor,
        fund_id: i64,
        notice_id: i64,
        lang: bridgehead_io::Lang,
        format: bridgehead_io::FileFormat,
    ) -> AppResult<Vec<u8>> {
        let notice = self.notice(actor, fund_id, notice_id).await?;
        let fund = {
            let mut conn = self.store.read().await?;
            visible_fund(&mut conn, actor, fund_id).await?
        };
        let money = bridgehead_domain::money::format_major_units;
        let part =
            |parts: &BTreeMap<&'static str, i64>, key: &str| parts.get(key).map(|v| money(*v)).unwrap_or_default();
        let mut rows: Vec<Vec<String>> = notice
            .lines
            .iter()
            .map(|l| {
                vec![
                    l.partner_name.clone(),
                    money(l.commitment_minor),
                    money(l.amount_minor),
                    part(&l.parts, "investment"),
                    part(&l.parts, "fees"),
                    part(&l.parts, "expenses"),
                    part(&l.parts, "capital"),
                    part(&l.parts, "gain"),
                    part(&l.parts, "income"),
                    if notice.kind == "call" { money(l.unfunded_after_minor) } else { String::new() },
                    if l.paid { "✓".to_owned() } else { String::new() },
                ]
            })
            .collect();
        rows.push(vec![
            match lang {
                bridgehead_io::Lang::Zh => "合计".to_owned(),
                bridgehead_io::Lang::En => "Total".to_owned(),
            },
            money(notice.lines.iter().map(|l| l.commitment_minor).sum()),
            money(notice.total_minor),
            part(&notice.parts, "investment"),
            part(&notice.parts, "fees"),
            part(&notice.parts, "expenses"),
            part(&notice.parts, "capital"),
            part(&notice.parts, "gain"),
            part(&notice.parts, "income"),
            String::new(),
            String::new(),
        ]);
        let title = match lang {
            bridgehead_io::Lang::Zh => format!(
                "{} 第 {} 号{}通知 {}",
                fund.name_zh,
                notice.id,
                if notice.kind == "call" { "缴款" } else { "分配" },
                notice.notice_date
            ),
            bridgehead_io::Lang::En => format!(
                "{}: {} notice {} of {}",
                fund.name_en.as_deref().unwrap_or(&fund.name_zh),
                notice.kind,
                notice.id,
                notice.notice_date
            ),
        };
        bridgehead_io::write_sheet(NOTICE_COLUMNS, lang, format, Some(&title), &mut rows.into_iter())
            .map_err(|e| AppError::Internal(e.to_string()))
    }
}

impl App {
    /// The fund's paid-in, distributed and NAV at each quarter end from its first entry
    /// to `as_of` (and on `as_of`), from one read of its ledger.
    pub async fn fund_performance_series(
        &self,
        actor: &Actor,
        fund_id: i64,
        as_of: Option<&str>,
    ) -> AppResult<Vec<(Date, performance::Multiples)>> {
        let as_of = as_of_date(as_of)?;
        let mut conn = self.store.read().await?;
        visible_fund(&mut conn, actor, fund_id).await?;
        let (entries, valuations) = ledger(&mut conn, fund_id).await?;
        drop(conn);
        let Some(first) = entries.iter().map(|e| e.date).min().filter(|d| *d <= as_of) else {
            return Ok(Vec::new());
        };
        let mut dates = Vec::new();
        let (mut year, mut quarter) = (first.year(), (u8::from(first.month()) - 1) / 3);
        loop {
            let end = quarter_end(year, quarter)?;
            if end >= as_of {
                break;
            }
            dates.push(end);
            (year, quarter) = if quarter == 3 { (year + 1, 0) } else { (year, quarter + 1) };
        }
        dates.push(as_of);
        Ok(dates.into_iter().map(|d| (d, performance::performance(&entries, &valuations, d).multiples)).collect())
    }
}

fn quarter_end(year: i32, quarter: u8) -> AppResult<Date> {
    let month = time::Month::try_from(quarter * 3 + 3).map_err(|e| AppError::Internal(e.to_string()))?;
    let last = month.length(year);
    Date::from_calendar_date(year, month, last).map_err(|e| AppError::Internal(e.to_string()))
}
