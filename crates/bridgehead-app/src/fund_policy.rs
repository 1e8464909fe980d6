//! Policy KPIs of guidance funds (look-through), their rule sets and evidence, a fund's
//! terms, the tree overview and the waterfall over a fund's ledger (SPEC §5).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use bridgehead_domain::funds::performance::{self, Entry as LedgerEntry, FlowKind, Performance};
use bridgehead_domain::funds::policy::{
    self, Explain, KpiCode, PolicyReport, PolicyTerms, Qualification, RuleSet, Rules, TreeView,
};
use bridgehead_domain::funds::waterfall::{
    self, CatchUp, Concession, Contribution, Distribution, Hurdle, Style, Terms, WaterfallInput, WaterfallResult,
};
use bridgehead_domain::{FieldError, FieldErrors};
use bridgehead_store::Conn;
use bridgehead_store::fund_policy::{self as store, NewEvidence, RuleSetRow};
use bridgehead_store::funds::{self as fund_store, FundRow};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::Date;

use crate::auth::audit;
use crate::cores;
use crate::fund_book::{Book, BookFund};
use crate::funds::{
    FUND_CREATORS, FUND_READERS, LEDGER_KEEPERS, as_of_date, date_field, invalid, stored_date, visible_fund,
};
use crate::{Actor, App, AppError, AppResult};

/// A fund's terms: the policy terms its KPIs answer to and its waterfall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FundTerms {
    #[serde(default)]
    pub policy: PolicyTerms,
    pub waterfall: Option<FundWaterfallTerms>,
}

impl FundTerms {
    /// The terms a fund row carries (empty terms if none were set).
    pub fn of(fund: &FundRow) -> AppResult<Self> {
        serde_json::from_str(&fund.terms_json).map_err(|e| AppError::Internal(format!("fund {} terms: {e}", fund.id)))
    }
}

/// A fund's waterfall, naming its partners by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundWaterfallTerms {
    pub style: Style,
    pub hurdle: Option<Hurdle>,
    pub catch_up: CatchUp,
    /// Carried interest as a fraction (0.2).
    pub carry: Decimal,
    /// The GP: receives catch-up and carry.
    pub gp_partner_id: i64,
    pub concession: Option<FundConcession>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundConcession {
    pub government_partner_id: i64,
    pub base_rate: Decimal,
    pub share: Decimal,
    /// Beneficiaries and their weights.
    pub beneficiaries: Vec<Beneficiary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Beneficiary {
    pub partner_id: i64,
    pub weight: i64,
}

impl FundWaterfallTerms {
    /// The domain's terms, with partners as indexes into `partner_ids` (admission order).
    fn indexed(&self, partner_ids: &[i64]) -> AppResult<(usize, Terms)> {
        let index = |field: &'static str, id: i64| {
            partner_ids.iter().position(|&p| p == id).ok_or_else(|| {
                invalid(field, "fund.terms_partner", format!("partner {id} is not a partner of this fund"))
            })
        };
        let gp = index("waterfall.gp_partner_id", self.gp_partner_id)?;
        let concession = match &self.concession {
            None => None,
            Some(c) => Some(Concession {
                government: index("waterfall.concession.government_partner_id", c.government_partner_id)?,
                base_rate: c.base_rate,
                share: c.share,
                beneficiaries: c
                    .beneficiaries
                    .iter()
                    .map(|b| Ok((index("waterfall.concession.beneficiaries", b.partner_id)?, b.weight)))
                    .collect::<AppResult<_>>()?,
            }),
        };
        Ok((
            gp,
            Terms {
                style: self.style,
                hurdle: self.hurdle.clone(),
                catch_up: self.catch_up.clone(),
                carry: self.carry,
                concession,
            },
        ))
    }
}

/// A version of a rule set as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSetView {
    pub code: String,
    pub version: i64,
    pub name: String,
    pub effective_from: String,
    pub rules: Rules,
    pub created_by: String,
    pub created_at: String,
}

fn rule_set_view(row: RuleSetRow) -> AppResult<RuleSetView> {
    let rules = serde_json::from_str(&row.rules_json)
        .map_err(|e| AppError::Internal(format!("rule set {} v{}: {e}", row.code, row.version)))?;
    Ok(RuleSetView {
        code: row.code,
        version: row.version,
        name: row.name,
        effective_from: row.effective_from,
        rules,
        created_by: row.created_by,
        created_at: row.created_at,
    })
}

impl RuleSetView {
    fn domain(&self) -> AppResult<RuleSet> {
        Ok(RuleSet {
            code: self.code.clone(),
            version: self.version,
            effective_from: stored_date(&self.effective_from)?,
            rules: self.rules.clone(),
        })
    }
}

/// One fund of a tree overview.
#[derive(Debug, Clone, Serialize)]
pub struct TreeNode {
    pub id: i64,
    pub name_zh: String,
    pub kind: String,
    /// The funds of the tree that invest in this one.
    pub parents: Vec<i64>,
    /// Steps from the root (the shortest path).
    pub depth: usize,
    pub size_minor: i64,
    pub holdings: usize,
    pub performance: Performance,
}

/// A fund's tree with each fund's performance, and the root's policy KPIs.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub root: i64,
    pub as_of: Date,
    pub funds: Vec<TreeNode>,
    pub policy: PolicyReport,
}

/// The waterfall over a fund's ledger.
#[derive(Debug, Clone, Serialize)]
pub struct FundWaterfall {
    pub as_of: Date,
    pub partners: Vec<WaterfallPartner>,
    pub result: WaterfallResult,
}

#[derive(Debug, Clone, Serialize)]
pub struct WaterfallPartner {
    pub id: i64,
    pub name: String,
    pub kind: String,
}

fn region_code_ok(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

fn industry_prefix_ok(code: &str) -> bool {
    !code.is_empty() && code.len() <= 5 && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl App {
    /// Adds a version of a rule set (the first, or the next of `code`).
    pub async fn add_rule_set(
        &self,
        actor: &Actor,
        code: &str,
        name: &str,
        effective_from: &str,
        rules: &Rules,
    ) -> AppResult<RuleSetView> {
        actor.require(FUND_CREATORS, "set fund rule sets")?;
        actor.require_write()?;
        let effective_from = date_field("effective_from", effective_from)?;
        let mut errors = FieldErrors::default();
        let code = code.trim();
        if code.is_empty()
            || code.len() > 64
            || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            errors.push(FieldError::new("code", "rule_set.code", "a code of 1 to 64 letters, digits, - or _"));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(FieldError::new("name", "rule_set.name", "a name of 1 to 200 characters is required"));
        }
        if !region_code_ok(&rules.local_region) {
            errors.push(FieldError::new(
                "rules.local_region",
                "rule_set.region",
                format!("'{}' is not a six-digit GB/T 2260 region code", rules.local_region),
            ));
        }
        for prefix in rules.key_industries.iter().filter(|p| !industry_prefix_ok(p)) {
            errors.push(FieldError::new(
                "rules.key_industries",
                "rule_set.industry",
                format!("'{prefix}' is not a GB/T 4754 code prefix"),
            ));
        }
        if rules.qualifies.is_empty() {
            errors.push(FieldError::new(
                "rules.qualifies",
                "rule_set.qualifies",
                "name at least one qualification: locally_registered, relocation, attracted_project",
            ));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut tx = self.store.begin().await?;
        if bridgehead_store::reference::get_region(&mut tx, &rules.local_region).await?.is_none() {
            return Err(invalid(
                "rules.local_region",
                "rule_set.region",
                format!("region {} does not exist", rules.local_region),
            ));
        }
        let rules_json = serde_json::to_string(rules).map_err(|e| AppError::Internal(e.to_string()))?;
        let row = store::insert_rule_set(&mut tx, code, name, &effective_from.to_string(), &rules_json, &actor.label)
            .await
            .map_err(|e| match e {
                bridgehead_store::StoreError::Duplicate { .. } => AppError::Duplicate(FieldError::new(
                    "effective_from",
                    "rule_set.taken",
                    format!("rule set {code} already has a version effective from {effective_from}"),
                )),
                other => other.into(),
            })?;
        audit(
            &mut tx,
            actor,
            "fund.rule_set.add",
            "fund_rule_set",
            &format!("{}:{}", row.code, row.version),
            None,
            Some(json!({"effective_from": row.effective_from, "rules": rules})),
        )
        .await?;
        tx.commit().await?;
        rule_set_view(row)
    }

    /// Every version of every rule set.
    pub async fn rule_sets(&self, actor: &Actor) -> AppResult<Vec<RuleSetView>> {
        actor.require(FUND_READERS, "see fund rule sets")?;
        let mut conn = self.store.read().await?;
        store::rule_sets(&mut conn, None).await?.into_iter().map(rule_set_view).collect()
    }

    /// Replaces a fund's terms (policy and waterfall). `expected_version` guards
    /// against lost updates.
    pub async fn set_fund_terms(
        &self,
        actor: &Actor,
        fund_id: i64,
        expected_version: Option<i64>,
        terms: &FundTerms,
    ) -> AppResult<(FundTerms, i64)> {
        actor.require(FUND_CREATORS, "set fund terms")?;
        actor.require_write()?;
        let mut errors = FieldErrors::default();
        for (field, message) in terms.policy.problems() {
            errors.push(FieldError::new(format!("policy.{field}"), "fund.terms", message));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut tx = self.store.begin().await?;
        let fund = visible_fund(&mut tx, actor, fund_id).await?;
        if let Some(code) = &terms.policy.rule_set
            && store::rule_sets(&mut tx, Some(code)).await?.is_empty()
        {
            return Err(invalid("policy.rule_set", "fund.rule_set", format!("there is no rule set '{code}'")));
        }
        if let Some(w) = &terms.waterfall {
            let partners = fund_store::partners(&mut tx, fund_id).await?;
            let ids: Vec<i64> = partners.iter().map(|p| p.id).collect();
            let (gp, domain_terms) = w.indexed(&ids)?;
            // The domain checks the terms themselves on an empty ledger.
            waterfall::run(&WaterfallInput {
                partners: partners.iter().map(|p| p.name.clone()).collect(),
                gp,
                terms: domain_terms,
                contributions: Vec::new(),
                distributions: Vec::new(),
            })
            .map_err(|e| waterfall_error(e, "fund.waterfall_terms"))?;
        }
        let version = expected_version.unwrap_or(fund.version);
        let text = serde_json::to_string(terms).map_err(|e| AppError::Internal(e.to_string()))?;
        let Some(new_version) = store::set_terms(&mut tx, fund_id, version, &text).await? else {
            return Err(AppError::VersionMismatch { what: "fund", current_version: fund.version });
        };
        audit(&mut tx, actor, "fund.terms.set", "fund", &fund_id.to_string(), None, Some(json!(terms))).await?;
        tx.commit().await?;
        Ok((terms.clone(), new_version))
    }

    /// A fund's terms and its version (for `If-Match`).
    pub async fn fund_terms(&self, actor: &Actor, fund_id: i64) -> AppResult<(FundTerms, i64)> {
        let mut conn = self.store.read().await?;
        let fund = visible_fund(&mut conn, actor, fund_id).await?;
        Ok((FundTerms::of(&fund)?, fund.version))
    }

    /// Records the evidence that makes a holding count as local reinvestment.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_evidence(
        &self,
        actor: &Actor,
        fund_id: i64,
        holding_id: i64,
        kind: &str,
        project_id: i64,
        document: &str,
        noted_on: &str,
    ) -> AppResult<store::EvidenceRow> {
        actor.require(LEDGER_KEEPERS, "record fund evidence")?;
        actor.require_write()?;
        let noted_on = date_field("noted_on", noted_on)?;
        let kind = Qualification::parse(kind).filter(|q| *q != Qualification::LocallyRegistered).ok_or_else(|| {
            invalid(
                "kind",
                "fund.evidence_kind",
                "kind is relocation or attracted_project (local registration needs no document)",
            )
        })?;
        let document = document.trim();
        if document.is_empty() || document.chars().count() > 500 {
            return Err(invalid("document", "fund.evidence_document", "name the document, in 1 to 500 characters"));
        }
        let mut tx = self.store.begin().await?;
        visible_fund(&mut tx, actor, fund_id).await?;
        if !fund_store::holdings(&mut tx, fund_id)
            .await?
            .iter()
            .any(|h| h.id == holding_id && h.enterprise_id.is_some())
        {
            return Err(invalid(
                "holding_id",
                "fund.holding",
                format!("holding {holding_id} is not a company held by fund {fund_id}"),
            ));
        }
        let id = store::insert_evidence(
            &mut tx,
            &NewEvidence {
                holding_id,
                kind: kind.code(),
                project_id,
                document,
                noted_on: &noted_on.to_string(),
                entered_by: &actor.label,
            },
        )
        .await
        .map_err(|e| match e {
            bridgehead_store::StoreError::Reference { .. } => {
                invalid("project_id", "fund.evidence_project", format!("project {project_id} does not exist"))
            }
            bridgehead_store::StoreError::Duplicate { .. } => AppError::Duplicate(FieldError::new(
                "project_id",
                "fund.evidence_taken",
                "this evidence is recorded already",
            )),
            other => other.into(),
        })?;
        audit(
            &mut tx,
            actor,
            "fund.evidence.add",
            "fund_holding_evidence",
            &id.to_string(),
            None,
            Some(json!({"fund_id": fund_id, "holding_id": holding_id, "kind": kind.code(), "project_id": project_id, "document": document})),
        )
        .await?;
        let row = store::evidence_item(&mut tx, id).await?;
        tx.commit().await?;
        row.ok_or(AppError::NotFound { what: "evidence" })
    }

    /// The evidence recorded for a fund's holdings.
    pub async fn fund_evidence(&self, actor: &Actor, fund_id: i64) -> AppResult<Vec<store::EvidenceRow>> {
        let mut conn = self.store.read().await?;
        visible_fund(&mut conn, actor, fund_id).await?;
        Ok(store::evidence(&mut conn, fund_id).await?)
    }

    /// The fund book as of now, with the policy inputs of `fund_id` (which `actor` may
    /// see) on `as_of`.
    async fn read_tree(
        &self,
        actor: &Actor,
        fund_id: i64,
        as_of: Option<&str>,
    ) -> AppResult<(Arc<Book>, PolicyInputs, Date)> {
        let as_of = as_of_date(as_of)?;
        let inputs = {
            let mut conn = self.store.read().await?;
            let fund = visible_fund(&mut conn, actor, fund_id).await?;
            policy_inputs(&mut conn, &fund, as_of).await?
        };
        // The book takes connections of its own.
        let book = self.fund_book.current(&self.store).await?;
        Ok((book, inputs, as_of))
    }

    /// A fund's tree with every fund's performance, and its policy KPIs, on `as_of`.
    pub async fn fund_overview(&self, actor: &Actor, fund_id: i64, as_of: Option<&str>) -> AppResult<Overview> {
        let (book, inputs, as_of) = self.read_tree(actor, fund_id, as_of).await?;
        off_the_runtime(move || compute_overview(&book, fund_id, as_of, &inputs)).await?
    }

    /// The policy KPIs of a fund on `as_of`, each (or only `explain`) explained down to its lines.
    pub async fn fund_policy(
        &self,
        actor: &Actor,
        fund_id: i64,
        as_of: Option<&str>,
        explain: Option<&str>,
    ) -> AppResult<PolicyReport> {
        let explain = match explain {
            None => Explain::All,
            Some(code) => Explain::Only(KpiCode::parse(code).ok_or_else(|| {
                invalid(
                    "explain",
                    "fund.kpi",
                    format!("explain one of {}", KpiCode::ALL.iter().map(|k| k.code()).collect::<Vec<_>>().join(", ")),
                )
            })?),
        };
        let (book, inputs, as_of) = self.read_tree(actor, fund_id, as_of).await?;
        off_the_runtime(move || policy_report(&Book::view(&book.tree(fund_id)), fund_id, as_of, &inputs, explain)).await
    }

    /// The fund's waterfall on `as_of`: European over the partners' contributions and the
    /// fund's distributions; American deal by deal over its investments (capital of each
    /// deal pro rata to commitment) and their proceeds. `proposed` adds a distribution
    /// not yet made (date, amount) to see how it would be split.
    pub async fn fund_waterfall(
        &self,
        actor: &Actor,
        fund_id: i64,
        as_of: Option<&str>,
        proposed: Option<(&str, i64)>,
    ) -> AppResult<FundWaterfall> {
        let as_of = as_of_date(as_of)?;
        let proposed = match proposed {
            None => None,
            Some((date, amount)) => {
                if amount <= 0 {
                    return Err(invalid("amount_minor", "fund.amount", "a proposed distribution must be above zero"));
                }
                Some((date_field("date", date)?, amount))
            }
        };
        let mut conn = self.store.read().await?;
        let fund = visible_fund(&mut conn, actor, fund_id).await?;
        let Some(terms) = FundTerms::of(&fund)?.waterfall else {
            return Err(invalid("waterfall", "fund.no_waterfall", "the fund's terms set no waterfall"));
        };
        let partners = fund_store::partners(&mut conn, fund_id).await?;
        let ids: Vec<i64> = partners.iter().map(|p| p.id).collect();
        let (gp, domain_terms) = terms.indexed(&ids)?;
        let (entries, _) = crate::funds::ledger(&mut conn, fund_id).await?;
        drop(conn);
        let index: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
        let entries: Vec<&LedgerEntry> = entries.iter().filter(|e| e.date <= as_of).collect();
        let mut contributions = Vec::new();
        let mut distributions = Vec::new();
        match terms.style {
            Style::European => {
                for e in &entries {
                    match (e.kind, e.party.and_then(|p| index.get(&p))) {
                        (FlowKind::Contribution, Some(&partner)) => {
                            contributions.push(Contribution { partner, date: e.date, amount: e.amount, deal: None });
                        }
                        (FlowKind::Distribution, Some(_)) => {
                            distributions.push(Distribution { date: e.date, amount: e.amount, deal: None });
                        }
                        _ => {}
                    }
                }
                // One distribution per day: the partners' lines of a notice are one distribution.
                let mut by_day: BTreeMap<Date, i64> = BTreeMap::new();
                for d in distributions.drain(..) {
                    *by_day.entry(d.date).or_default() += d.amount;
                }
                distributions = by_day
                    .into_iter()
                    .filter(|(_, amount)| *amount > 0)
                    .map(|(date, amount)| Distribution { date, amount, deal: None })
                    .collect();
            }
            Style::American => {
                let weights: Vec<i64> = partners.iter().map(|p| p.commitment_minor).collect();
                for e in &entries {
                    let deal = e.holding;
                    let amount = e.amount;
                    match e.kind {
                        FlowKind::Investment | FlowKind::ManagementFee | FlowKind::Expense => {
                            let deal = if e.kind == FlowKind::Investment { deal } else { None };
                            let shares = bridgehead_domain::funds::allocation::allocate(amount, &weights)
                                .map_err(|e| AppError::Internal(e.to_string()))?;
                            for (partner, share) in shares.into_iter().enumerate().filter(|(_, s)| *s != 0) {
                                contributions.push(Contribution { partner, date: e.date, amount: share, deal });
                            }
                        }
                        FlowKind::Proceeds => distributions.push(Distribution { date: e.date, amount, deal }),
                        _ => {}
                    }
                }
            }
        }
        if let Some((date, amount)) = proposed {
            distributions.push(Distribution { date, amount, deal: None });
        }
        let result = waterfall::run(&WaterfallInput {
            partners: partners.iter().map(|p| p.name.clone()).collect(),
            gp,
            terms: domain_terms,
            contributions,
            distributions,
        })
        .map_err(|e| waterfall_error(e, "fund.waterfall"))?;
        Ok(FundWaterfall {
            as_of,
            partners: partners.into_iter().map(|p| WaterfallPartner { id: p.id, name: p.name, kind: p.kind }).collect(),
            result,
        })
    }
}

/// A waterfall the domain refused, as a field error under `waterfall.`.
fn waterfall_error(error: waterfall::WaterfallError, code: &'static str) -> AppError {
    let waterfall::WaterfallError::Invalid { field, message } = error;
    invalid(&format!("waterfall.{field}"), code, message)
}

/// What the KPIs of a root need besides its tree: its policy terms, the rule set version
/// in force on the as-of date and the regions local under it.
#[derive(Debug, Clone, Default)]
pub struct PolicyInputs {
    pub terms: PolicyTerms,
    pub rule_set: Option<RuleSet>,
    pub local: HashSet<String>,
}

/// Reads the policy inputs of fund `root` on `as_of`.
pub async fn policy_inputs(conn: &mut Conn, root: &FundRow, as_of: Date) -> AppResult<PolicyInputs> {
    let terms = FundTerms::of(root)?.policy;
    let rule_set = match &terms.rule_set {
        None => None,
        Some(code) => {
            let versions = store::rule_sets(conn, Some(code))
                .await?
                .into_iter()
                .map(|row| rule_set_view(row)?.domain())
                .collect::<AppResult<Vec<_>>>()?;
            policy::in_force(&versions, as_of).cloned()
        }
    };
    let local: HashSet<String> = match &rule_set {
        Some(set) => store::regions_within(conn, &set.rules.local_region).await?.into_iter().collect(),
        None => HashSet::new(),
    };
    Ok(PolicyInputs { terms, rule_set, local })
}

fn policy_report(tree: &TreeView, root: i64, as_of: Date, inputs: &PolicyInputs, explain: Explain) -> PolicyReport {
    policy::policy_kpis(
        tree,
        root,
        &inputs.terms,
        inputs.rule_set.as_ref(),
        &|code| inputs.local.contains(code),
        as_of,
        explain,
    )
}

/// The overview of `root` from the book: every fund's performance and the root's policy
/// KPIs (no database: the calculations alone). A large tree's funds are spread over every
/// core, beside the KPIs.
pub fn compute_overview(book: &Book, root: i64, as_of: Date, inputs: &PolicyInputs) -> AppResult<Overview> {
    let tree = book.tree(root);
    if tree.is_empty() {
        return Err(AppError::NotFound { what: "fund" });
    }
    let in_tree: HashSet<i64> = tree.iter().map(|(f, _)| f.row.id).collect();
    let node = |&(f, depth): &(&BookFund, usize)| TreeNode {
        id: f.row.id,
        name_zh: f.row.name_zh.clone(),
        kind: f.row.kind.clone(),
        parents: f.partners.iter().filter_map(|p| p.investor_fund_id.filter(|i| in_tree.contains(i))).collect(),
        depth,
        size_minor: f.partners.iter().map(|p| p.commitment_minor).sum(),
        holdings: f.holdings.len(),
        performance: performance::performance(&f.ledger, &f.valuations, as_of),
    };
    let kpis = || policy_report(&Book::view(&tree), root, as_of, inputs, Explain::None);
    let (policy, mut funds): (PolicyReport, Vec<TreeNode>) = if tree.len() < PARALLEL_FROM {
        (kpis(), tree.iter().map(node).collect())
    } else {
        cores::join(kpis, || cores::map_chunks(&tree, PARALLEL_FROM, |part| part.iter().map(node).collect()))
    };
    funds.sort_by_key(|f| (f.depth, f.id));
    Ok(Overview { root, as_of, funds, policy })
}

/// Runs a tree's calculations (tens of milliseconds for a large tree) on a thread of
/// their own, so the async runtime's workers go on serving other requests meanwhile.
async fn off_the_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    match tokio::task::spawn_blocking(work).await {
        Ok(answer) => Ok(answer),
        Err(failed) if failed.is_panic() => std::panic::resume_unwind(failed.into_panic()),
        Err(failed) => Err(AppError::Internal(format!("the calculation was cancelled: {failed}"))),
    }
}

/// Trees of this many funds or more are computed on every core.
const PARALLEL_FROM: usize = 64;
