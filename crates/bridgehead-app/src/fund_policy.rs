//! Policy KPIs of guidance funds (look-through), their rule sets and evidence, a fund's
//! terms, the tree overview and the waterfall over a fund's ledger (SPEC §5).

use std::collections::{BTreeMap, HashMap, HashSet};

use bridgehead_domain::funds::performance::{self, Component, Entry as LedgerEntry, FlowKind, Performance, Valuation};
use bridgehead_domain::funds::policy::{
    self, Company, Evidence, Explain, FundTree, KpiCode, PolicyReport, PolicyTerms, ProjectRef, Qualification, RuleSet,
    Rules, Target, TreeEntry, TreeFund, TreeHolding, TreePartner,
};
use bridgehead_domain::funds::waterfall::{
    self, CatchUp, Concession, Contribution, Distribution, Hurdle, Style, Terms, WaterfallInput, WaterfallResult,
};
use bridgehead_domain::{FieldError, FieldErrors};
use bridgehead_store::Conn;
use bridgehead_store::fund_policy::{self as store, NewEvidence, RuleSetRow, TreeRows};
use bridgehead_store::funds::{self as fund_store, FundRow};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::Date;

use crate::auth::audit;
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

/// A fund's tree rows as the calculations take them.
fn domain_tree(rows: &TreeRows) -> AppResult<FundTree> {
    let mut partners: HashMap<i64, Vec<TreePartner>> = HashMap::new();
    for p in &rows.partners {
        partners.entry(p.fund_id).or_default().push(TreePartner {
            id: p.id,
            name: p.name.clone(),
            investor_fund: p.investor_fund_id,
            committed: p.commitment_minor,
            committed_on: stored_date(&p.committed_on)?,
        });
    }
    let funds = rows
        .funds
        .iter()
        .map(|f| {
            let mut own = partners.remove(&f.id).unwrap_or_default();
            own.sort_by_key(|p| p.id);
            let starts_on = own.iter().map(|p| p.committed_on).min();
            Ok(TreeFund {
                id: f.id,
                name: f.name_zh.clone(),
                starts_on: match starts_on {
                    Some(date) => date,
                    None => Date::from_calendar_date(i32::try_from(f.vintage).unwrap_or(2000), time::Month::January, 1)
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                },
                investment_years: f.investment_years,
                partners: own,
            })
        })
        .collect::<AppResult<_>>()?;
    let holdings = rows
        .holdings
        .iter()
        .filter_map(|h| {
            let target = match (h.sub_fund_id, h.enterprise_id) {
                (Some(sub), _) => Target::SubFund(sub),
                (None, Some(id)) => Target::Company(Company {
                    id,
                    name: h.enterprise_name.clone().unwrap_or_default(),
                    region_code: h.region_code.clone().unwrap_or_default(),
                    industry_code: h.industry_code.clone(),
                }),
                (None, None) => return None,
            };
            Some(TreeHolding { id: h.id, fund: h.fund_id, target })
        })
        .collect();
    let entries = rows
        .entries
        .iter()
        .map(|e| {
            Ok(TreeEntry {
                id: e.id,
                fund: e.fund_id,
                date: stored_date(&e.entry_date)?,
                kind: FlowKind::parse(&e.kind).ok_or_else(|| AppError::Internal(format!("entry kind {}", e.kind)))?,
                amount: e.amount_minor,
                partner: e.partner_id,
                holding: e.holding_id,
                component: e.component.as_deref().and_then(Component::parse),
            })
        })
        .collect::<AppResult<_>>()?;
    let evidence = rows
        .evidence
        .iter()
        .map(|v| {
            Ok(Evidence {
                id: v.id,
                holding: v.holding_id,
                kind: Qualification::parse(&v.kind)
                    .ok_or_else(|| AppError::Internal(format!("evidence kind {}", v.kind)))?,
                project: Some(ProjectRef {
                    id: v.project_id,
                    name: v.project_name.clone(),
                    region_code: v.project_region_code.clone(),
                    amount: v.project_amount_minor,
                }),
                document: v.document.clone(),
                noted_on: stored_date(&v.noted_on)?,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok(FundTree { funds, holdings, entries, evidence })
}

/// Each fund's performance from the tree's rows, grouped once.
fn tree_performance(rows: &TreeRows, tree: &FundTree, as_of: Date) -> AppResult<HashMap<i64, Performance>> {
    let mut entries: HashMap<i64, Vec<LedgerEntry>> = HashMap::new();
    for e in &tree.entries {
        entries.entry(e.fund).or_default().push(LedgerEntry {
            date: e.date,
            kind: e.kind,
            amount: e.amount,
            party: e.partner,
            holding: e.holding,
            component: e.component,
        });
    }
    let mut valuations: HashMap<i64, Vec<Valuation>> = HashMap::new();
    for v in &rows.valuations {
        valuations.entry(v.fund_id).or_default().push(Valuation {
            date: stored_date(&v.valued_on)?,
            holding: v.holding_id,
            amount: v.amount_minor,
        });
    }
    Ok(rows
        .funds
        .iter()
        .map(|f| {
            let e = entries.get(&f.id).map(Vec::as_slice).unwrap_or_default();
            let v = valuations.get(&f.id).map(Vec::as_slice).unwrap_or_default();
            (f.id, performance::performance(e, v, as_of))
        })
        .collect())
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

    /// The tree below a fund `actor` may see, with the policy inputs of `as_of`.
    async fn read_tree(
        &self,
        actor: &Actor,
        fund_id: i64,
        as_of: Option<&str>,
    ) -> AppResult<(TreeRows, PolicyInputs, Date)> {
        let as_of = as_of_date(as_of)?;
        let mut conn = self.store.read().await?;
        visible_fund(&mut conn, actor, fund_id).await?;
        let rows = store::tree(&mut conn, fund_id).await?;
        let inputs = policy_inputs(&mut conn, &rows, fund_id, as_of).await?;
        Ok((rows, inputs, as_of))
    }

    /// A fund's tree with every fund's performance, and its policy KPIs, on `as_of`.
    pub async fn fund_overview(&self, actor: &Actor, fund_id: i64, as_of: Option<&str>) -> AppResult<Overview> {
        let (rows, inputs, as_of) = self.read_tree(actor, fund_id, as_of).await?;
        compute_overview(&rows, fund_id, as_of, &inputs)
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
        let (rows, inputs, as_of) = self.read_tree(actor, fund_id, as_of).await?;
        Ok(policy_report(&domain_tree(&rows)?, fund_id, as_of, &inputs, explain))
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

/// The shortest number of steps from `root` to each fund of the tree.
fn depths(rows: &TreeRows, root: i64) -> HashMap<i64, usize> {
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    for p in &rows.partners {
        if let Some(investor) = p.investor_fund_id {
            children.entry(investor).or_default().push(p.fund_id);
        }
    }
    let mut depth = HashMap::from([(root, 0)]);
    let mut queue = std::collections::VecDeque::from([root]);
    while let Some(fund) = queue.pop_front() {
        let next = depth[&fund] + 1;
        for &child in children.get(&fund).map(Vec::as_slice).unwrap_or_default() {
            if let std::collections::hash_map::Entry::Vacant(slot) = depth.entry(child) {
                slot.insert(next);
                queue.push_back(child);
            }
        }
    }
    depth
}

/// What the KPIs of a root need besides its tree: its policy terms, the rule set version
/// in force on the as-of date and the regions local under it.
#[derive(Debug, Clone, Default)]
pub struct PolicyInputs {
    pub terms: PolicyTerms,
    pub rule_set: Option<RuleSet>,
    pub local: HashSet<String>,
}

/// Reads the policy inputs of `root` (a fund of `rows`) on `as_of`.
pub async fn policy_inputs(conn: &mut Conn, rows: &TreeRows, root: i64, as_of: Date) -> AppResult<PolicyInputs> {
    let fund = rows.funds.iter().find(|f| f.id == root).ok_or(AppError::NotFound { what: "fund" })?;
    let terms = FundTerms::of(fund)?.policy;
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

fn policy_report(tree: &FundTree, root: i64, as_of: Date, inputs: &PolicyInputs, explain: Explain) -> PolicyReport {
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

/// The overview of `root` from its tree's rows: every fund's performance and the root's
/// policy KPIs (no database: the calculations alone).
pub fn compute_overview(rows: &TreeRows, root: i64, as_of: Date, inputs: &PolicyInputs) -> AppResult<Overview> {
    let tree = domain_tree(rows)?;
    let policy = policy_report(&tree, root, as_of, inputs, Explain::None);
    let mut performance = tree_performance(rows, &tree, as_of)?;
    let depth = depths(rows, root);
    let in_tree: HashSet<i64> = rows.funds.iter().map(|f| f.id).collect();
    let mut parents: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut sizes: HashMap<i64, i64> = HashMap::new();
    for p in &rows.partners {
        *sizes.entry(p.fund_id).or_default() += p.commitment_minor;
        if let Some(investor) = p.investor_fund_id.filter(|i| in_tree.contains(i)) {
            parents.entry(p.fund_id).or_default().push(investor);
        }
    }
    let mut holdings: HashMap<i64, usize> = HashMap::new();
    for h in &rows.holdings {
        *holdings.entry(h.fund_id).or_default() += 1;
    }
    let mut funds: Vec<TreeNode> = rows
        .funds
        .iter()
        .map(|f| TreeNode {
            id: f.id,
            name_zh: f.name_zh.clone(),
            kind: f.kind.clone(),
            parents: parents.remove(&f.id).unwrap_or_default(),
            depth: depth.get(&f.id).copied().unwrap_or(0),
            size_minor: sizes.get(&f.id).copied().unwrap_or(0),
            holdings: holdings.get(&f.id).copied().unwrap_or(0),
            performance: performance.remove(&f.id).unwrap_or_else(|| performance::performance(&[], &[], as_of)),
        })
        .collect();
    funds.sort_by_key(|f| (f.depth, f.id));
    Ok(Overview { root, as_of, funds, policy })
}
