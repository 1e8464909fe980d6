//! Policy KPIs of a guidance fund, looked through every layer of the fund tree (SPEC §5).
//!
//! **Look-through.** From the fund under review (the root) the tree is walked down
//! through the sub-funds it holds. A fund's share of a sub-fund is its commitment to the
//! sub-fund over the sub-fund's total commitments; the weight of a holding reached along
//! a path is the product of the shares along it (1 for the root's own holdings). A fund
//! reached along two paths contributes along each. Amounts are what was invested in a
//! company up to the as-of date (investment entries, reversals included), and each line
//! is rounded to the cent (half away from zero) before it is summed, so every number is
//! the exact sum of the lines that explain it.
//!
//! **The KPIs.**
//! - *Leverage (committed / paid-in)*: the capital of the funds the root backs, at every
//!   layer below it, counted once — each commitment to a fund below the root that does
//!   not come from another fund below it — over the root's own commitments to (paid-in
//!   contributions to) the funds it backs directly.
//! - *Local reinvestment multiple*: qualifying local investment over the root's
//!   contribution (its commitments to the funds it backs plus its direct investment in
//!   companies). What qualifies is the [`Rules`] of a versioned rule set: a company
//!   registered in the local region (at the amount invested); a company relocated here
//!   (at the local project's planned amount, with the evidence named); a project
//!   attracted here (at the project's planned amount, with the evidence named). A
//!   holding qualifying several ways counts once, at its largest amount. The rule set
//!   says whether amounts are weighted by the look-through share or counted in full.
//! - *Completion*: the multiple over the required multiple of the fund's terms.
//! - *Target-industry ratio*: look-through exposure to companies whose industry code
//!   starts with one of the rule set's key-industry prefixes, over all company exposure.
//! - *Single-company concentration*: the largest look-through exposure to one company
//!   (summed over every path to it) over all company exposure.
//! - *Idle called capital*: cash called but not at work — contributions less
//!   investments, fees, expenses and distributions, plus proceeds — of the root and of
//!   each fund below it (weighted), over the root's paid-in capital.
//! - *Deployment pace*: the share of the root's commitments at work in companies (look-
//!   through exposure over its total commitments) over the share of the investment
//!   period elapsed.
//!
//! **Alerts.** A KPI with a limit in the fund's [`PolicyTerms`] is *breached* when it is
//! on the wrong side of the limit, *near* when it is within the warning margin (10 % of
//! the limit unless the terms say otherwise) of it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use time::Date;

use super::performance::{Component, FlowKind, ratio};

/// A fund of the tree with its partners (commitments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFund {
    pub id: i64,
    pub name: String,
    /// Start of the investment period.
    pub starts_on: Date,
    pub investment_years: i64,
    pub partners: Vec<TreePartner>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreePartner {
    pub id: i64,
    pub name: String,
    /// The investing fund, for a partner that is a fund.
    pub investor_fund: Option<i64>,
    pub committed: i64,
    pub committed_on: Date,
}

/// A company of the registry, as the KPIs see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub id: i64,
    pub name: String,
    pub region_code: String,
    pub industry_code: Option<String>,
}

/// An investment project of the registry, as the KPIs see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRef {
    pub id: i64,
    pub name: String,
    pub region_code: String,
    /// Planned total investment, in CNY cents.
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Company(Company),
    SubFund(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeHolding {
    pub id: i64,
    pub fund: i64,
    pub target: Target,
}

/// What an amount of local reinvestment can rest on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualification {
    /// The company is registered in the local region.
    LocallyRegistered,
    /// The company moved (a registration or production base) into the local region.
    Relocation,
    /// The investment brought a project into the local region.
    AttractedProject,
}

impl Qualification {
    pub const ALL: &'static [Qualification] =
        &[Qualification::LocallyRegistered, Qualification::Relocation, Qualification::AttractedProject];

    pub fn code(self) -> &'static str {
        match self {
            Qualification::LocallyRegistered => "locally_registered",
            Qualification::Relocation => "relocation",
            Qualification::AttractedProject => "attracted_project",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|q| q.code() == code)
    }
}

/// A document recorded for a holding: what makes it count as local reinvestment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub id: i64,
    pub holding: i64,
    /// Relocation or attracted project (local registration needs no document: the
    /// registry says where the company is registered).
    pub kind: Qualification,
    pub project: Option<ProjectRef>,
    pub document: String,
    pub noted_on: Date,
}

/// A ledger entry of a fund of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    pub id: i64,
    pub fund: i64,
    pub date: Date,
    pub kind: FlowKind,
    pub amount: i64,
    pub partner: Option<i64>,
    pub holding: Option<i64>,
    pub component: Option<Component>,
}

/// Everything the KPIs of one root need: the funds reachable from it, their holdings,
/// ledgers and evidence. Rows of funds outside the tree are ignored.
#[derive(Debug, Clone, Default)]
pub struct FundTree {
    pub funds: Vec<TreeFund>,
    pub holdings: Vec<TreeHolding>,
    pub entries: Vec<TreeEntry>,
    pub evidence: Vec<Evidence>,
}

/// The KPIs' view of a tree: references to its rows, wherever they are kept (a
/// [`FundTree`] of its own, or a book of every fund's data).
#[derive(Debug, Clone, Default)]
pub struct TreeView<'a> {
    pub funds: Vec<&'a TreeFund>,
    pub holdings: Vec<&'a TreeHolding>,
    pub entries: Vec<&'a TreeEntry>,
    pub evidence: Vec<&'a Evidence>,
}

impl FundTree {
    pub fn view(&self) -> TreeView<'_> {
        TreeView {
            funds: self.funds.iter().collect(),
            holdings: self.holdings.iter().collect(),
            entries: self.entries.iter().collect(),
            evidence: self.evidence.iter().collect(),
        }
    }
}

/// How amounts of local reinvestment are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// Each amount times the share held at each layer.
    #[default]
    LookThrough,
    /// Each amount in full, whatever the share held.
    Full,
}

/// The rules of one version of a jurisdiction's rule set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// The local region (GB/T 2260): it and every region under it are local.
    pub local_region: String,
    /// Key industries: GB/T 4754 code prefixes.
    #[serde(default)]
    pub key_industries: Vec<String>,
    /// What counts as local reinvestment.
    pub qualifies: Vec<Qualification>,
    #[serde(default)]
    pub weighting: Weighting,
}

/// A version of a rule set, as the KPIs apply it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSet {
    pub code: String,
    pub version: i64,
    pub effective_from: Date,
    pub rules: Rules,
}

/// The policy terms of a fund (kept in its terms): the rule set it answers to and the
/// limits its KPIs are held against. Ratios as fractions ("0.2" for 20 %).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PolicyTerms {
    /// Code of the rule set (the version in force on the as-of date applies).
    pub rule_set: Option<String>,
    pub required_reinvestment_multiple: Option<Decimal>,
    pub min_leverage: Option<Decimal>,
    pub min_target_industry_ratio: Option<Decimal>,
    pub max_single_company_share: Option<Decimal>,
    pub max_idle_share: Option<Decimal>,
    pub min_deployment_pace: Option<Decimal>,
    /// How close to a limit is "near", as a fraction of the limit (default 0.1).
    pub warning_margin: Option<Decimal>,
}

impl PolicyTerms {
    /// What is wrong with the terms, as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        let fields = [
            ("required_reinvestment_multiple", self.required_reinvestment_multiple, None),
            ("min_leverage", self.min_leverage, None),
            ("min_target_industry_ratio", self.min_target_industry_ratio, Some(Decimal::ONE)),
            ("max_single_company_share", self.max_single_company_share, Some(Decimal::ONE)),
            ("max_idle_share", self.max_idle_share, Some(Decimal::ONE)),
            ("min_deployment_pace", self.min_deployment_pace, None),
            ("warning_margin", self.warning_margin, Some(Decimal::ONE)),
        ];
        for (field, value, most) in fields {
            if let Some(value) = value {
                if value <= Decimal::ZERO {
                    problems.push((field, format!("{field} must be above zero, not {value}")));
                } else if let Some(most) = most
                    && value > most
                {
                    problems.push((field, format!("{field} is a fraction, at most {most}, not {value}")));
                }
            }
        }
        if let Some(code) = &self.rule_set
            && code.trim().is_empty()
        {
            problems.push(("rule_set", "the rule set's code cannot be blank".to_owned()));
        }
        problems
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiCode {
    LeverageCommitted,
    LeveragePaidIn,
    LocalReinvestment,
    Completion,
    TargetIndustry,
    Concentration,
    IdleCapital,
    DeploymentPace,
}

impl KpiCode {
    pub const ALL: &'static [KpiCode] = &[
        KpiCode::LeverageCommitted,
        KpiCode::LeveragePaidIn,
        KpiCode::LocalReinvestment,
        KpiCode::Completion,
        KpiCode::TargetIndustry,
        KpiCode::Concentration,
        KpiCode::IdleCapital,
        KpiCode::DeploymentPace,
    ];

    pub fn code(self) -> &'static str {
        match self {
            KpiCode::LeverageCommitted => "leverage_committed",
            KpiCode::LeveragePaidIn => "leverage_paid_in",
            KpiCode::LocalReinvestment => "local_reinvestment",
            KpiCode::Completion => "completion",
            KpiCode::TargetIndustry => "target_industry",
            KpiCode::Concentration => "concentration",
            KpiCode::IdleCapital => "idle_capital",
            KpiCode::DeploymentPace => "deployment_pace",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.code() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The KPI must be at least the limit.
    Min,
    /// The KPI must be at most the limit.
    Max,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limit {
    pub bound: Bound,
    pub value: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Near,
    Breached,
    /// The terms set no limit for this KPI.
    NoLimit,
    /// Nothing to measure yet (a zero denominator).
    NoValue,
}

/// Whether a line adds to the KPI's numerator or its denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Numerator,
    Denominator,
}

/// One layer of a look-through path: the fund, and the share of the next fund it holds
/// (1 for the last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub fund: i64,
    pub name: String,
    pub share: Decimal,
}

/// One amount behind a KPI, with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub side: Side,
    /// The funds from the root down to the one holding or owing the amount.
    pub path: Vec<Step>,
    pub holding: Option<i64>,
    pub company: Option<i64>,
    /// The company, fund or partner the amount belongs to.
    pub label: String,
    /// Why it counts: a qualification, a key-industry prefix, `external_commitment`, …
    pub basis: String,
    pub amount: i64,
    pub weight: Decimal,
    /// `amount × weight`, to the cent.
    pub counted: i64,
    /// The documents the amount rests on.
    pub evidence: Vec<String>,
    /// The ledger entries behind the amount.
    pub entries: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kpi {
    pub code: KpiCode,
    pub value: Option<Decimal>,
    pub numerator: i64,
    pub denominator: i64,
    pub limit: Option<Limit>,
    pub status: Status,
    /// Other numbers the value rests on (the required multiple, the share of the
    /// investment period elapsed, …).
    pub factors: BTreeMap<String, Decimal>,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub kpi: KpiCode,
    pub status: Status,
    pub value: Decimal,
    pub limit: Limit,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyReport {
    pub fund: i64,
    pub as_of: Date,
    /// The rule set version applied (none: no local reinvestment or key industries).
    pub rule_set: Option<(String, i64)>,
    /// Funds below the root, with their total look-through weight.
    pub funds_below: usize,
    pub kpis: Vec<Kpi>,
    pub alerts: Vec<Alert>,
}

impl PolicyReport {
    pub fn kpi(&self, code: KpiCode) -> Option<&Kpi> {
        self.kpis.iter().find(|k| k.code == code)
    }
}

fn cents(amount: i64, weight: Decimal) -> i64 {
    if weight == Decimal::ONE {
        return amount;
    }
    (Decimal::from(amount) * weight)
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(i64::MAX)
}

fn status(value: Option<Decimal>, limit: Option<&Limit>, margin: Decimal) -> Status {
    let (Some(value), Some(limit)) = (value, limit) else {
        return if value.is_none() { Status::NoValue } else { Status::NoLimit };
    };
    match limit.bound {
        Bound::Min if value < limit.value => Status::Breached,
        Bound::Min if value < limit.value * (Decimal::ONE + margin) => Status::Near,
        Bound::Max if value > limit.value => Status::Breached,
        Bound::Max if value > limit.value * (Decimal::ONE - margin) => Status::Near,
        _ => Status::Ok,
    }
}

/// The partner through which `investor` holds `fund`.
fn stake(investor: i64, fund: &TreeFund) -> Option<&TreePartner> {
    fund.partners.iter().find(|p| p.investor_fund == Some(investor))
}

/// A company holding reached from the root, with its weight and path (shared by every
/// holding of the same fund visit).
struct Reach<'a> {
    holding: &'a TreeHolding,
    company: &'a Company,
    path: std::rc::Rc<Vec<Step>>,
    weight: Decimal,
}

/// Which KPIs keep their lines: the numbers are the same either way (each line is still
/// rounded and summed); a summary without lines spares the memory of one line per
/// holding and KPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Explain {
    All,
    None,
    Only(KpiCode),
}

impl Explain {
    fn wants(self, code: KpiCode) -> bool {
        match self {
            Explain::All => true,
            Explain::None => false,
            Explain::Only(only) => only == code,
        }
    }
}

/// A KPI's lines as they are added: their sums always; the lines themselves only when
/// kept (a summary without lines spares one line per holding and KPI).
struct Tally {
    keep: bool,
    lines: Vec<Line>,
    numerator: i64,
    denominator: i64,
}

impl Tally {
    fn new(keep: bool) -> Self {
        Tally { keep, lines: Vec::new(), numerator: 0, denominator: 0 }
    }

    fn of(keep: bool, lines: impl IntoIterator<Item = Line>) -> Self {
        let mut tally = Tally::new(keep);
        for line in lines {
            tally.push(line);
        }
        tally
    }

    fn push(&mut self, line: Line) {
        match line.side {
            Side::Numerator => self.numerator += line.counted,
            Side::Denominator => self.denominator += line.counted,
        }
        if self.keep {
            self.lines.push(line);
        }
    }

    fn append(&mut self, other: Tally) {
        self.numerator += other.numerator;
        self.denominator += other.denominator;
        if self.keep {
            self.lines.extend(other.lines);
        }
    }
}

impl Line {
    /// A line counted in full (weight 1).
    fn whole(side: Side, path: Vec<Step>, label: String, basis: &str, amount: i64) -> Self {
        Line {
            side,
            path,
            holding: None,
            company: None,
            label,
            basis: basis.to_owned(),
            amount,
            weight: Decimal::ONE,
            counted: amount,
            evidence: Vec::new(),
            entries: Vec::new(),
        }
    }

    /// The line counted at `weight`: `amount × weight`, to the cent.
    fn weighted(mut self, weight: Decimal) -> Self {
        self.weight = weight;
        self.counted = cents(self.amount, weight);
        self
    }

    fn with_entries(mut self, entries: Vec<i64>) -> Self {
        self.entries = entries;
        self
    }
}

/// A company holding reached, with the amount invested in it (and its entries) and that
/// amount at the holding's weight, to the cent.
struct Exposure<'a, 'r> {
    reach: &'r Reach<'a>,
    amount: i64,
    counted: i64,
    ids: &'r [i64],
}

/// A line of a company holding: `amount`, counted as `counted` (`amount` at the
/// holding's weight); without its path, label, basis and entries when the KPI's lines
/// are not kept.
fn exposure_line(
    r: &Reach,
    (amount, counted): (i64, i64),
    ids: &[i64],
    side: Side,
    want: bool,
    basis: impl FnOnce() -> String,
) -> Line {
    let line = if want {
        Line::whole(side, r.path.to_vec(), r.company.name.clone(), &basis(), amount).with_entries(ids.to_vec())
    } else {
        Line::whole(side, Vec::new(), String::new(), "", amount)
    };
    Line { holding: Some(r.holding.id), company: Some(r.company.id), weight: r.weight, counted, ..line }
}

/// The policy KPIs of fund `root` on `as_of`. `rule_set` is the version in force (if the
/// fund answers to one); `local` says whether a region code lies in its local region.
pub fn policy_kpis(
    tree: &TreeView,
    root: i64,
    terms: &PolicyTerms,
    rule_set: Option<&RuleSet>,
    local: &dyn Fn(&str) -> bool,
    as_of: Date,
    explain: Explain,
) -> PolicyReport {
    // Commitments made after the as-of date do not exist yet.
    let admitted: Vec<TreeFund> = tree
        .funds
        .iter()
        .map(|f| TreeFund {
            partners: f.partners.iter().filter(|p| p.committed_on <= as_of).cloned().collect(),
            ..(*f).clone()
        })
        .collect();
    let funds: HashMap<i64, &TreeFund> = admitted.iter().map(|f| (f.id, f)).collect();
    let name = |id: i64| funds.get(&id).map_or_else(|| format!("#{id}"), |f| f.name.clone());
    let mut holdings_of: HashMap<i64, Vec<&TreeHolding>> = HashMap::new();
    for &h in &tree.holdings {
        holdings_of.entry(h.fund).or_default().push(h);
    }
    let entries: Vec<&TreeEntry> = tree.entries.iter().copied().filter(|e| e.date <= as_of).collect();
    let mut invested: HashMap<i64, (i64, Vec<i64>)> = HashMap::new();
    let mut contributed: HashMap<(i64, i64), i64> = HashMap::new();
    let mut cash: HashMap<i64, (i64, Vec<i64>)> = HashMap::new();
    // Entry ids name the entries behind a line; without lines they are not needed.
    let keep_ids = explain != Explain::None;
    for e in &entries {
        if e.kind == FlowKind::Investment
            && let Some(h) = e.holding
        {
            let slot = invested.entry(h).or_default();
            slot.0 += e.amount;
            if keep_ids {
                slot.1.push(e.id);
            }
        }
        if e.kind == FlowKind::Contribution
            && let Some(p) = e.partner
        {
            *contributed.entry((e.fund, p)).or_default() += e.amount;
        }
        let sign = match e.kind {
            FlowKind::Contribution | FlowKind::Proceeds => 1,
            FlowKind::Distribution | FlowKind::Investment | FlowKind::ManagementFee | FlowKind::Expense => -1,
        };
        let slot = cash.entry(e.fund).or_default();
        slot.0 += sign * e.amount;
        slot.1.push(e.id);
    }
    let size = |f: &TreeFund| -> i64 { f.partners.iter().map(|p| p.committed).sum() };

    // Walk the tree: every company holding reached, and each fund's total weight.
    let mut reached: Vec<Reach> = Vec::new();
    let mut fund_weight: BTreeMap<i64, (Decimal, Vec<Step>)> = BTreeMap::new();
    let mut stack: Vec<(i64, Decimal, Vec<Step>)> = vec![(root, Decimal::ONE, Vec::new())];
    while let Some((fund_id, weight, path)) = stack.pop() {
        let mut here = path.clone();
        here.push(Step { fund: fund_id, name: name(fund_id), share: Decimal::ONE });
        let here = std::rc::Rc::new(here);
        let slot = fund_weight.entry(fund_id).or_insert_with(|| (Decimal::ZERO, here.to_vec()));
        slot.0 += weight;
        for h in holdings_of.get(&fund_id).map(Vec::as_slice).unwrap_or_default() {
            match &h.target {
                Target::Company(company) => {
                    reached.push(Reach { holding: h, company, path: std::rc::Rc::clone(&here), weight });
                }
                Target::SubFund(sub) => {
                    // A loop cannot be stored, but a walk never follows one.
                    if here.iter().any(|s| s.fund == *sub) {
                        continue;
                    }
                    let Some(sub_fund) = funds.get(sub) else { continue };
                    let (Some(partner), total) = (stake(fund_id, sub_fund), size(sub_fund)) else { continue };
                    if total <= 0 {
                        continue;
                    }
                    let share = (Decimal::from(partner.committed) / Decimal::from(total)).normalize();
                    let mut next = path.clone();
                    next.push(Step { fund: fund_id, name: name(fund_id), share });
                    stack.push((*sub, (weight * share).normalize(), next));
                }
            }
        }
    }
    let below: BTreeSet<i64> = fund_weight.keys().copied().filter(|&f| f != root).collect();
    let path_to = |fund: i64| fund_weight.get(&fund).map(|(_, p)| p.clone()).unwrap_or_default();
    let root_fund = funds.get(&root).copied();

    // The root's own contribution to the funds it backs.
    let mut own_lines_committed = Vec::new();
    let mut own_lines_paid = Vec::new();
    for h in holdings_of.get(&root).map(Vec::as_slice).unwrap_or_default() {
        let Target::SubFund(sub) = h.target else { continue };
        let Some(sub_fund) = funds.get(&sub) else { continue };
        let Some(partner) = stake(root, sub_fund) else { continue };
        let paid = contributed.get(&(sub, partner.id)).copied().unwrap_or(0);
        let line = |amount: i64, basis: &str| Line {
            holding: Some(h.id),
            ..Line::whole(Side::Denominator, path_to(sub), sub_fund.name.clone(), basis, amount)
        };
        own_lines_committed.push(line(partner.committed, "own_commitment"));
        let entries = invested.get(&h.id).map(|(_, ids)| ids.clone()).unwrap_or_default();
        own_lines_paid.push(line(paid, "own_contribution").with_entries(entries));
    }

    // Leverage: each commitment to a fund below the root that does not come from a fund
    // below it, counted once.
    let mut mobilised_committed = Vec::new();
    let mut mobilised_paid = Vec::new();
    for &fund_id in &below {
        let Some(fund) = funds.get(&fund_id) else { continue };
        for p in &fund.partners {
            if p.investor_fund.is_some_and(|i| below.contains(&i)) {
                continue;
            }
            let basis = if p.investor_fund == Some(root) { "own_commitment" } else { "other_commitment" };
            let line = |amount: i64| {
                Line::whole(Side::Numerator, path_to(fund_id), format!("{} — {}", fund.name, p.name), basis, amount)
            };
            mobilised_committed.push(line(p.committed));
            mobilised_paid.push(line(contributed.get(&(fund_id, p.id)).copied().unwrap_or(0)));
        }
    }
    let margin = terms.warning_margin.unwrap_or(Decimal::new(1, 1));
    let kpi = |code: KpiCode, tally: Tally, limit: Option<Limit>| {
        let Tally { numerator, denominator, lines, .. } = tally;
        let value = ratio(numerator, denominator).map(|v| v.normalize());
        let status = status(value, limit.as_ref(), margin);
        Kpi { code, value, numerator, denominator, limit, status, factors: BTreeMap::new(), lines }
    };
    let tally = |code: KpiCode, lines: Vec<Line>, extra: Vec<Line>| {
        Tally::of(explain.wants(code), lines.into_iter().chain(extra))
    };
    let min = |value: Option<Decimal>| value.map(|value| Limit { bound: Bound::Min, value });
    let max = |value: Option<Decimal>| value.map(|value| Limit { bound: Bound::Max, value });

    let mut kpis = vec![
        kpi(
            KpiCode::LeverageCommitted,
            tally(KpiCode::LeverageCommitted, mobilised_committed, own_lines_committed.clone()),
            min(terms.min_leverage),
        ),
        kpi(KpiCode::LeveragePaidIn, tally(KpiCode::LeveragePaidIn, mobilised_paid, own_lines_paid), None),
    ];

    // Company exposure, always looked through.
    let exposure: Vec<Exposure> = reached
        .iter()
        .map(|reach| {
            let (amount, ids) = invested.get(&reach.holding.id).map_or((0, &[][..]), |(a, ids)| (*a, ids.as_slice()));
            Exposure { reach, amount, counted: cents(amount, reach.weight), ids }
        })
        .collect();

    // Local reinvestment.
    let rules = rule_set.map(|s| &s.rules);
    let want_local = explain.wants(KpiCode::LocalReinvestment);
    let mut reinvestment = Tally::new(want_local);
    let mut evidence_of: HashMap<i64, Vec<&Evidence>> = HashMap::new();
    for &ev in &tree.evidence {
        evidence_of.entry(ev.holding).or_default().push(ev);
    }
    let mut contribution = Tally::of(want_local, own_lines_committed);
    for &Exposure { reach: r, amount, counted, ids } in &exposure {
        if r.path.len() == 1 {
            let basis = || "own_investment".to_owned();
            contribution.push(exposure_line(r, (amount, counted), ids, Side::Denominator, want_local, basis));
        }
        let Some(rules) = rules else { continue };
        if amount <= 0 {
            continue;
        }
        // The largest qualifying amount; its evidence is written out only when kept.
        let mut best: Option<(i64, Qualification, Option<&Evidence>)> = None;
        if rules.qualifies.contains(&Qualification::LocallyRegistered) && local(&r.company.region_code) {
            best = Some((amount, Qualification::LocallyRegistered, None));
        }
        for &ev in evidence_of.get(&r.holding.id).map(Vec::as_slice).unwrap_or_default() {
            if ev.noted_on > as_of || !rules.qualifies.contains(&ev.kind) {
                continue;
            }
            let Some(project) = ev.project.as_ref().filter(|p| local(&p.region_code)) else { continue };
            if best.as_ref().is_none_or(|(b, _, _)| project.amount > *b) {
                best = Some((project.amount, ev.kind, Some(ev)));
            }
        }
        if let Some((value, q, evidence)) = best {
            let weighted = if value == amount { counted } else { cents(value, r.weight) };
            let mut line =
                exposure_line(r, (value, weighted), ids, Side::Numerator, want_local, || q.code().to_owned());
            if rules.weighting == Weighting::Full {
                line = line.weighted(Decimal::ONE);
            }
            if want_local {
                line.evidence = vec![match evidence.and_then(|ev| Some((ev, ev.project.as_ref()?))) {
                    Some((ev, project)) => format!(
                        "{} ({}); project {} «{}» in {}",
                        ev.document, ev.noted_on, project.id, project.name, project.region_code
                    ),
                    None => format!("registered in {} (enterprise registry)", r.company.region_code),
                }];
            }
            reinvestment.push(line);
        }
    }
    reinvestment.append(contribution);
    let local_kpi = kpi(KpiCode::LocalReinvestment, reinvestment, None);
    let completion = match (local_kpi.value, terms.required_reinvestment_multiple) {
        (Some(multiple), Some(required)) if required > Decimal::ZERO => {
            Some((multiple / required).round_dp(6).normalize())
        }
        _ => None,
    };
    let completion_limit =
        terms.required_reinvestment_multiple.map(|_| Limit { bound: Bound::Min, value: Decimal::ONE });
    kpis.push(Kpi {
        code: KpiCode::Completion,
        value: completion,
        numerator: local_kpi.numerator,
        denominator: local_kpi.denominator,
        status: status(completion, completion_limit.as_ref(), margin),
        limit: completion_limit,
        factors: terms
            .required_reinvestment_multiple
            .map(|r| BTreeMap::from([("required_multiple".to_owned(), r)]))
            .unwrap_or_default(),
        lines: Vec::new(),
    });
    kpis.insert(2, local_kpi);

    // Target industries.
    let key_industries: &[String] = rules.map(|r| r.key_industries.as_slice()).unwrap_or_default();
    let want = explain.wants(KpiCode::TargetIndustry);
    let mut industry_lines = Tally::new(want);
    for &Exposure { reach: r, amount, counted, ids } in &exposure {
        let key = r
            .company
            .industry_code
            .as_deref()
            .and_then(|code| key_industries.iter().find(|prefix| code.starts_with(prefix.as_str())));
        let code = r.company.industry_code.as_deref().unwrap_or("-");
        if let Some(prefix) = key {
            industry_lines.push(exposure_line(r, (amount, counted), ids, Side::Numerator, want, || {
                format!("key_industry {prefix} ({code})")
            }));
        }
        let basis = || format!("industry {code}");
        industry_lines.push(exposure_line(r, (amount, counted), ids, Side::Denominator, want, basis));
    }
    kpis.push(kpi(KpiCode::TargetIndustry, industry_lines, min(terms.min_target_industry_ratio)));

    // Concentration: exposure per company, summed over every path to it.
    let mut per_company: BTreeMap<i64, Tally> = BTreeMap::new();
    let want = explain.wants(KpiCode::Concentration);
    for &Exposure { reach: r, amount, counted, ids } in &exposure {
        per_company.entry(r.company.id).or_insert_with(|| Tally::new(want)).push(exposure_line(
            r,
            (amount, counted),
            ids,
            Side::Denominator,
            want,
            || "exposure".to_owned(),
        ));
    }
    let largest = per_company
        .iter()
        .map(|(id, company)| (company.denominator, std::cmp::Reverse(*id)))
        .max()
        .map(|(_, std::cmp::Reverse(id))| id);
    let mut concentration = Tally::new(want);
    for (id, company) in per_company {
        if Some(id) != largest {
            concentration.append(company);
            continue;
        }
        // The largest company's lines count on both sides.
        concentration.numerator += company.denominator;
        concentration.denominator += company.denominator;
        for line in company.lines {
            let mut top = line.clone();
            top.side = Side::Numerator;
            top.basis = "largest_exposure".to_owned();
            concentration.lines.extend([top, line]);
        }
    }
    kpis.push(kpi(KpiCode::Concentration, concentration, max(terms.max_single_company_share)));

    // Idle called capital: cash of the root and of each fund below it, weighted.
    let mut idle_lines = Vec::new();
    for (&fund_id, (weight, path)) in &fund_weight {
        let (amount, ids) = cash.get(&fund_id).cloned().unwrap_or_default();
        if amount == 0 && ids.is_empty() {
            continue;
        }
        idle_lines.push(
            Line::whole(Side::Numerator, path.clone(), name(fund_id), "cash", amount.max(0))
                .weighted(*weight)
                .with_entries(ids),
        );
    }
    if let Some(fund) = root_fund {
        for p in &fund.partners {
            let paid = contributed.get(&(root, p.id)).copied().unwrap_or(0);
            let ids = entries
                .iter()
                .filter(|e| e.fund == root && e.kind == FlowKind::Contribution && e.partner == Some(p.id))
                .map(|e| e.id)
                .collect();
            idle_lines
                .push(Line::whole(Side::Denominator, path_to(root), p.name.clone(), "paid_in", paid).with_entries(ids));
        }
    }
    kpis.push(kpi(
        KpiCode::IdleCapital,
        tally(KpiCode::IdleCapital, idle_lines, Vec::new()),
        max(terms.max_idle_share),
    ));

    // Deployment pace.
    let want = explain.wants(KpiCode::DeploymentPace);
    let deployed = Tally::of(
        want,
        exposure.iter().map(|&Exposure { reach: r, amount, counted, ids }| {
            exposure_line(r, (amount, counted), ids, Side::Numerator, want, || "deployed".to_owned())
        }),
    );
    let deployed_sum = deployed.numerator;
    let root_size = root_fund.map_or(0, size);
    let elapsed = root_fund.and_then(|f| {
        let days = (as_of - f.starts_on).whole_days();
        let period = f.investment_years * 365;
        (days > 0 && period > 0).then(|| (Decimal::from(days.min(period)) / Decimal::from(period)).round_dp(6))
    });
    let pace = match (ratio(deployed_sum, root_size), elapsed) {
        (Some(share), Some(elapsed)) if elapsed > Decimal::ZERO => Some((share / elapsed).round_dp(6).normalize()),
        _ => None,
    };
    let pace_limit = min(terms.min_deployment_pace);
    kpis.push(Kpi {
        code: KpiCode::DeploymentPace,
        value: pace,
        numerator: deployed_sum,
        denominator: root_size,
        status: status(pace, pace_limit.as_ref(), margin),
        limit: pace_limit,
        factors: [("deployed_share", ratio(deployed_sum, root_size)), ("elapsed_share", elapsed)]
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_owned(), v?)))
            .collect(),
        lines: deployed.lines,
    });

    let alerts = kpis
        .iter()
        .filter(|k| matches!(k.status, Status::Near | Status::Breached))
        .filter_map(|k| Some(Alert { kpi: k.code, status: k.status, value: k.value?, limit: k.limit.clone()? }))
        .collect();
    PolicyReport {
        fund: root,
        as_of,
        rule_set: rule_set.map(|s| (s.code.clone(), s.version)),
        funds_below: below.len(),
        kpis,
        alerts,
    }
}

/// The version of a rule set in force on `as_of`: the latest effective on or before it.
pub fn in_force(versions: &[RuleSet], as_of: Date) -> Option<&RuleSet> {
    versions.iter().filter(|v| v.effective_from <= as_of).max_by_key(|v| (v.effective_from, v.version))
}

#[cfg(test)]
mod tests {
    //! A three-level tree worked by hand (amounts in any unit):
    //!
    //! ```text
    //! G (guidance; Gov commits 1000, pays 600; starts 2020-01-01, 5-year investment period)
    //! ├── 50 in E0 (Jiaxing 330402, C3411)
    //! ├── S1: G 200 of 1000 (share 0.2); G paid 100, A 400
    //! │   ├── 400 in E1 (Jiaxing 330411, C3511)
    //! │   └── T: S1 100 of 400 (share 0.25 → weight 0.05); S1 paid 50, C 150
    //! │       ├── 100 in E1
    //! │       └── 60 in E3 (Jiaxing 330402, C3911)
    //! └── S2: G 300 of 600 (share 0.5); G paid 150, B 150
    //!     └── 200 in E2 (Shanghai 310115, I6510), relocated here: project P, 1000 in 330411
    //! ```
    use super::*;
    use std::str::FromStr;
    use time::macros::date;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn fund(id: i64, name: &str, partners: &[(i64, &str, Option<i64>, i64)]) -> TreeFund {
        TreeFund {
            id,
            name: name.to_owned(),
            starts_on: date!(2020 - 01 - 01),
            investment_years: 5,
            partners: partners
                .iter()
                .map(|&(id, name, investor_fund, committed)| TreePartner {
                    id,
                    name: name.to_owned(),
                    investor_fund,
                    committed,
                    committed_on: date!(2020 - 06 - 01),
                })
                .collect(),
        }
    }

    fn company(id: i64, region: &str, industry: &str) -> Target {
        Target::Company(Company {
            id,
            name: format!("E{id}"),
            region_code: region.to_owned(),
            industry_code: Some(industry.to_owned()),
        })
    }

    fn entry(id: i64, fund: i64, kind: FlowKind, amount: i64, partner: Option<i64>, holding: Option<i64>) -> TreeEntry {
        TreeEntry { id, fund, date: date!(2021 - 06 - 30), kind, amount, partner, holding, component: None }
    }

    const G: i64 = 1;
    const S1: i64 = 2;
    const S2: i64 = 3;
    const T: i64 = 4;

    fn tree() -> FundTree {
        use FlowKind::{Contribution as C, Investment as I};
        FundTree {
            funds: vec![
                fund(G, "G", &[(10, "Gov", None, 1000)]),
                fund(S1, "S1", &[(20, "G", Some(G), 200), (21, "A", None, 800)]),
                fund(S2, "S2", &[(30, "G", Some(G), 300), (31, "B", None, 300)]),
                fund(T, "T", &[(40, "S1", Some(S1), 100), (41, "C", None, 300)]),
            ],
            holdings: vec![
                TreeHolding { id: 100, fund: G, target: company(0, "330402", "C3411") },
                TreeHolding { id: 101, fund: G, target: Target::SubFund(S1) },
                TreeHolding { id: 102, fund: G, target: Target::SubFund(S2) },
                TreeHolding { id: 200, fund: S1, target: company(1, "330411", "C3511") },
                TreeHolding { id: 201, fund: S1, target: Target::SubFund(T) },
                TreeHolding { id: 300, fund: S2, target: company(2, "310115", "I6510") },
                TreeHolding { id: 400, fund: T, target: company(1, "330411", "C3511") },
                TreeHolding { id: 401, fund: T, target: company(3, "330402", "C3911") },
            ],
            entries: vec![
                entry(1, G, C, 600, Some(10), None),
                entry(2, G, I, 100, None, Some(101)),
                entry(3, G, I, 150, None, Some(102)),
                entry(4, G, I, 50, None, Some(100)),
                entry(5, S1, C, 100, Some(20), None),
                entry(6, S1, C, 400, Some(21), None),
                entry(7, S1, I, 400, None, Some(200)),
                entry(8, S1, I, 50, None, Some(201)),
                entry(9, S2, C, 150, Some(30), None),
                entry(10, S2, C, 150, Some(31), None),
                entry(11, S2, I, 200, None, Some(300)),
                entry(12, T, C, 50, Some(40), None),
                entry(13, T, C, 150, Some(41), None),
                entry(14, T, I, 100, None, Some(400)),
                entry(15, T, I, 60, None, Some(401)),
            ],
            evidence: vec![
                Evidence {
                    id: 1,
                    holding: 300,
                    kind: Qualification::Relocation,
                    project: Some(ProjectRef {
                        id: 7,
                        name: "P".to_owned(),
                        region_code: "330411".to_owned(),
                        amount: 1000,
                    }),
                    document: "relocation agreement".to_owned(),
                    noted_on: date!(2021 - 03 - 01),
                },
                // Noted after the as-of date: not yet evidence.
                Evidence {
                    id: 2,
                    holding: 401,
                    kind: Qualification::AttractedProject,
                    project: Some(ProjectRef {
                        id: 8,
                        name: "Q".to_owned(),
                        region_code: "330402".to_owned(),
                        amount: 9000,
                    }),
                    document: "later".to_owned(),
                    noted_on: date!(2023 - 01 - 01),
                },
            ],
        }
    }

    fn rules(weighting: Weighting) -> RuleSet {
        RuleSet {
            code: "jx".to_owned(),
            version: 1,
            effective_from: date!(2020 - 01 - 01),
            rules: Rules {
                local_region: "330400".to_owned(),
                key_industries: vec!["C34".to_owned(), "C35".to_owned()],
                qualifies: Qualification::ALL.to_vec(),
                weighting,
            },
        }
    }

    fn terms() -> PolicyTerms {
        PolicyTerms {
            rule_set: Some("jx".to_owned()),
            required_reinvestment_multiple: Some(d("1.5")),
            min_leverage: Some(d("3")),
            min_target_industry_ratio: Some(d("0.5")),
            max_single_company_share: Some(d("0.45")),
            max_idle_share: Some(d("0.3")),
            min_deployment_pace: None,
            warning_margin: None,
        }
    }

    fn local(code: &str) -> bool {
        code.starts_with("3304")
    }

    fn report(weighting: Weighting) -> PolicyReport {
        policy_kpis(&tree().view(), G, &terms(), Some(&rules(weighting)), &local, date!(2022 - 07 - 02), Explain::All)
    }

    fn kpi(report: &PolicyReport, code: KpiCode) -> &Kpi {
        report.kpi(code).unwrap()
    }

    #[test]
    fn leverage_counts_each_commitment_below_once() {
        let r = report(Weighting::LookThrough);
        assert_eq!(r.funds_below, 3);
        let k = kpi(&r, KpiCode::LeverageCommitted);
        // 200 + 800 + 300 + 300 + 300 (T's commitment from S1 is S1's money: not again).
        assert_eq!((k.numerator, k.denominator, k.value), (1900, 500, Some(d("3.8"))));
        assert_eq!(k.status, Status::Ok);
        let k = kpi(&r, KpiCode::LeveragePaidIn);
        assert_eq!((k.numerator, k.denominator, k.value), (950, 250, Some(d("3.8"))));
    }

    #[test]
    fn local_reinvestment_looks_through_with_evidence() {
        let r = report(Weighting::LookThrough);
        let k = kpi(&r, KpiCode::LocalReinvestment);
        // E0 50 + E1 400×0.2 + P 1000×0.5 + E1 100×0.05 + E3 60×0.05 = 638; over 500 + 50.
        assert_eq!((k.numerator, k.denominator, k.value), (638, 550, Some(d("1.16"))));
        let relocation = k.lines.iter().find(|l| l.basis == "relocation").unwrap();
        assert_eq!((relocation.amount, relocation.weight, relocation.counted), (1000, d("0.5"), 500));
        assert_eq!(relocation.entries, vec![11]);
        assert!(relocation.evidence[0].contains("relocation agreement"));
        let path: Vec<i64> =
            k.lines.iter().find(|l| l.holding == Some(400)).unwrap().path.iter().map(|s| s.fund).collect();
        assert_eq!(path, vec![G, S1, T]);
        // E3's attracted project is noted after the as-of date: E3 counts as registered.
        assert_eq!(k.lines.iter().find(|l| l.holding == Some(401)).unwrap().basis, "locally_registered");
        let c = kpi(&r, KpiCode::Completion);
        assert_eq!(c.value, Some(d("0.773333")));
        assert_eq!(c.status, Status::Breached);
        assert!(r.alerts.iter().any(|a| a.kpi == KpiCode::Completion && a.status == Status::Breached));
    }

    #[test]
    fn full_weighting_counts_whole_amounts() {
        let r = report(Weighting::Full);
        let k = kpi(&r, KpiCode::LocalReinvestment);
        assert_eq!((k.numerator, k.value), (50 + 400 + 1000 + 100 + 60, Some(d("2.927273"))));
    }

    #[test]
    fn industry_concentration_idle_and_pace() {
        let r = report(Weighting::LookThrough);
        let k = kpi(&r, KpiCode::TargetIndustry);
        // Key: E0 50, E1 80, E1 5; all: + E2 100 + E3 3.
        assert_eq!((k.numerator, k.denominator, k.value), (135, 238, Some(d("0.567227"))));
        assert_eq!(k.status, Status::Ok);
        let k = kpi(&r, KpiCode::Concentration);
        assert_eq!((k.numerator, k.denominator, k.value), (100, 238, Some(d("0.420168"))));
        assert_eq!(k.status, Status::Near, "within 10 % of the 45 % limit");
        let k = kpi(&r, KpiCode::IdleCapital);
        // G 300 + S1 50×0.2 + S2 100×0.5 + T 40×0.05 over G's paid-in 600.
        assert_eq!((k.numerator, k.denominator, k.value), (362, 600, Some(d("0.603333"))));
        assert_eq!(k.status, Status::Breached);
        let k = kpi(&r, KpiCode::DeploymentPace);
        // 238 of 1000 at work after 913 of 1825 days.
        let elapsed = (Decimal::from(913) / Decimal::from(1825)).round_dp(6);
        assert_eq!(k.factors["elapsed_share"], elapsed);
        assert_eq!(k.value, Some((d("0.238") / elapsed).round_dp(6)));
        assert_eq!(k.status, Status::NoLimit);
    }

    #[test]
    fn every_kpi_is_the_sum_of_its_lines() {
        let r = report(Weighting::LookThrough);
        for k in r.kpis.iter().filter(|k| !k.lines.is_empty() && k.code != KpiCode::DeploymentPace) {
            let sum = |side| k.lines.iter().filter(|l| l.side == side).map(|l| l.counted).sum::<i64>();
            assert_eq!((sum(Side::Numerator), sum(Side::Denominator)), (k.numerator, k.denominator), "{:?}", k.code);
        }
    }

    #[test]
    fn the_numbers_do_not_depend_on_which_lines_are_kept() {
        let numbers = |explain: Explain| -> Vec<_> {
            let r = policy_kpis(
                &tree().view(),
                G,
                &terms(),
                Some(&rules(Weighting::LookThrough)),
                &local,
                date!(2022 - 07 - 02),
                explain,
            );
            r.kpis.into_iter().map(|k| (k.code, k.numerator, k.denominator, k.value, k.status)).collect()
        };
        let all = numbers(Explain::All);
        assert_eq!(numbers(Explain::None), all);
        for &code in KpiCode::ALL {
            assert_eq!(numbers(Explain::Only(code)), all, "{code:?}");
        }
    }

    #[test]
    fn an_earlier_date_sees_less() {
        let r = policy_kpis(
            &tree().view(),
            G,
            &terms(),
            Some(&rules(Weighting::LookThrough)),
            &local,
            date!(2021 - 01 - 01),
            Explain::All,
        );
        let k = kpi(&r, KpiCode::LocalReinvestment);
        assert_eq!((k.numerator, k.denominator, k.value), (0, 500, Some(Decimal::ZERO)));
        assert_eq!(kpi(&r, KpiCode::IdleCapital).status, Status::NoValue);
        // Before any commitment there is no tree below G.
        let r = policy_kpis(&tree().view(), G, &terms(), None, &local, date!(2020 - 05 - 31), Explain::All);
        assert_eq!(r.funds_below, 0);
        assert_eq!(kpi(&r, KpiCode::LeverageCommitted).status, Status::NoValue);
    }

    #[test]
    fn the_rule_set_in_force() {
        let mut second = rules(Weighting::Full);
        second.version = 2;
        second.effective_from = date!(2022 - 01 - 01);
        let versions = [rules(Weighting::LookThrough), second];
        assert_eq!(in_force(&versions, date!(2021 - 12 - 31)).unwrap().version, 1);
        assert_eq!(in_force(&versions, date!(2022 - 01 - 01)).unwrap().version, 2);
        assert!(in_force(&versions, date!(2019 - 12 - 31)).is_none());
    }

    #[test]
    fn terms_are_checked() {
        let terms =
            PolicyTerms { max_idle_share: Some(d("1.5")), min_leverage: Some(d("0")), ..PolicyTerms::default() };
        let fields: Vec<&str> = terms.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, vec!["min_leverage", "max_idle_share"]);
    }
}
