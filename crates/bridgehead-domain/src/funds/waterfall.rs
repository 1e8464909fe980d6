//! The distribution waterfall (SPEC §5): how each distribution is split between the
//! investors (LPs, and the GP for its own commitment) and the GP's carried interest.
//!
//! Tiers, in order, for each pool of capital — the whole fund (European) or each deal
//! (American, deal by deal; contributions and distributions that name no deal form one
//! pool of their own, e.g. fees and income):
//!
//! 1. **Return of capital** — to the investors pro rata to their unreturned capital.
//! 2. **Preferred return** — to the investors pro rata to their accrued, unpaid
//!    preferred return. It accrues on unreturned capital from each call date to the
//!    distribution date, Actual/365: simple (`capital × rate × days / 365`) or compound
//!    (`(capital + unpaid) × ((1 + rate)^(days/365) − 1)`).
//! 3. **GP catch-up** — full (all to the GP) or partial (share `g` to the GP, the rest to
//!    the investors pro rata to contributed capital) until the GP holds `carry` of all
//!    profit paid in tiers 2 and 3: the tier totals `carry × pref / (g − carry)`.
//! 4. **Split** — the rest: `carry` to the GP, the remainder to the investors pro rata to
//!    contributed capital.
//! 5. **Government profit concession** — the government LP keeps its capital, a base
//!    return (simple, at `base_rate`, on its unreturned capital) and `1 − share` of what
//!    it receives above that; `share` of the excess goes to the named beneficiaries
//!    (by weight). Cumulative over the fund's life, never given back.
//!
//! American funds also get a **clawback** test: the GP's catch-up and carry received deal
//! by deal against what a European waterfall over the same flows would give it; the
//! excess is owed back to the investors pro rata to contributed capital.
//!
//! Money is in cents. Every split of an amount between parties uses the largest-remainder
//! method ([`super::allocation::allocate`]), rounding of a rate times an amount is half
//! away from zero, and each distribution's lines sum exactly to its amount.

use std::collections::BTreeMap;

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::Date;

use super::allocation::allocate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// Whole fund: all capital and preferred return back before any carry.
    European,
    /// Deal by deal, with a clawback test against the whole-fund result.
    American,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Accrual {
    Simple,
    Compound,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hurdle {
    /// Annual rate as a fraction (0.08).
    pub rate: Decimal,
    pub accrual: Accrual,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CatchUp {
    None,
    Full,
    /// The GP's share of each amount in the catch-up tier (0.8); must exceed the carry.
    Partial {
        gp_share: Decimal,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Concession {
    /// The government LP (index into the partners).
    pub government: usize,
    /// Annual simple base rate the government keeps in full (0.03).
    pub base_rate: Decimal,
    /// Share of the government's return above the base that it cedes (0.5).
    pub share: Decimal,
    /// Beneficiaries (indexes into the partners) and their weights.
    pub beneficiaries: Vec<(usize, i64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Terms {
    pub style: Style,
    pub hurdle: Option<Hurdle>,
    pub catch_up: CatchUp,
    /// Carried interest as a fraction (0.2).
    pub carry: Decimal,
    pub concession: Option<Concession>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub partner: usize,
    pub date: Date,
    pub amount: i64,
    /// The deal the capital paid for (American pools); `None` for fees and expenses.
    pub deal: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub date: Date,
    pub amount: i64,
    /// The deal the proceeds come from (American pools).
    pub deal: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaterfallInput {
    /// Names of the partners, in the order of admission (the allocation tie rule).
    pub partners: Vec<String>,
    /// The GP (index into the partners), who receives catch-up and carry.
    pub gp: usize,
    pub terms: Terms,
    pub contributions: Vec<Contribution>,
    pub distributions: Vec<Distribution>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    ReturnOfCapital,
    PreferredReturn,
    CatchUp,
    Split,
    GovernmentConcession,
}

impl Tier {
    pub fn code(self) -> &'static str {
        match self {
            Tier::ReturnOfCapital => "return_of_capital",
            Tier::PreferredReturn => "preferred_return",
            Tier::CatchUp => "catch_up",
            Tier::Split => "split",
            Tier::GovernmentConcession => "government_concession",
        }
    }
}

/// One party's amount in one tier of one distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub tier: Tier,
    pub partner: usize,
    pub amount: i64,
    /// For the GP in the catch-up and split tiers: the part that is carried interest.
    pub carry: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistributionResult {
    pub date: Date,
    pub amount: i64,
    pub deal: Option<i64>,
    pub lines: Vec<Line>,
}

impl DistributionResult {
    pub fn total_for(&self, partner: usize) -> i64 {
        self.lines.iter().filter(|l| l.partner == partner).map(|l| l.amount).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clawback {
    /// Catch-up and carry the GP received deal by deal.
    pub received: i64,
    /// What a whole-fund waterfall over the same flows gives it.
    pub entitled: i64,
    /// `received − entitled` when positive, else zero.
    pub due: i64,
    /// The amount due, per partner (the investors, pro rata to contributed capital).
    pub to_partners: Vec<(usize, i64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaterfallResult {
    pub distributions: Vec<DistributionResult>,
    /// Per partner, everything received over all distributions.
    pub totals: Vec<i64>,
    /// Per tier and partner, summed over all distributions.
    pub by_tier: BTreeMap<Tier, Vec<i64>>,
    pub clawback: Option<Clawback>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WaterfallError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
}

fn invalid(field: &'static str, message: impl Into<String>) -> WaterfallError {
    WaterfallError::Invalid { field, message: message.into() }
}

/// Rounds a decimal number of cents to whole cents, half away from zero.
fn cents(value: Decimal) -> i64 {
    value.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero).to_i64().unwrap_or(i64::MAX)
}

fn days_between(from: Date, to: Date) -> i64 {
    i64::from(to.to_julian_day() - from.to_julian_day())
}

/// `(1 + rate)^(days / 365)`, to twelve decimals.
fn compound_factor(rate: Decimal, days: i64) -> Decimal {
    let base = (Decimal::ONE + rate).to_f64().unwrap_or(1.0);
    let factor = base.powf(days as f64 / 365.0);
    Decimal::from_f64(factor).map_or(Decimal::ONE, |d| d.round_dp(12))
}

/// One pool's investor accounts.
#[derive(Debug, Clone, Default)]
struct Pool {
    /// Contributed capital per partner (never reduced).
    contributed: Vec<i64>,
    /// Unreturned capital per partner.
    outstanding: Vec<i64>,
    /// Accrued, unpaid preferred return per partner, in fractional cents.
    pref: Vec<Decimal>,
    accrued_to: Option<Date>,
    pref_paid: i64,
    catch_up_paid: i64,
}

impl Pool {
    fn new(partners: usize) -> Self {
        Pool {
            contributed: vec![0; partners],
            outstanding: vec![0; partners],
            pref: vec![Decimal::ZERO; partners],
            ..Pool::default()
        }
    }

    fn accrue(&mut self, hurdle: Option<&Hurdle>, to: Date) {
        let Some(from) = self.accrued_to.replace(to) else {
            return;
        };
        let Some(hurdle) = hurdle else {
            return;
        };
        let days = days_between(from, to);
        if days <= 0 {
            return;
        }
        match hurdle.accrual {
            Accrual::Simple => {
                let years = Decimal::from(days) / Decimal::from(365);
                for (pref, &capital) in self.pref.iter_mut().zip(&self.outstanding) {
                    *pref += Decimal::from(capital) * hurdle.rate * years;
                }
            }
            Accrual::Compound => {
                let growth = compound_factor(hurdle.rate, days) - Decimal::ONE;
                for (pref, &capital) in self.pref.iter_mut().zip(&self.outstanding) {
                    *pref += (Decimal::from(capital) + *pref) * growth;
                }
            }
        }
    }
}

/// The government's base-return account for the concession tier.
#[derive(Debug, Clone, Default)]
struct BaseAccount {
    base: Decimal,
    profit: i64,
    conceded: i64,
    accrued_to: Option<Date>,
}

/// Runs the waterfall over every distribution, in date order (contributions of a day
/// come before its distributions).
pub fn run(input: &WaterfallInput) -> Result<WaterfallResult, WaterfallError> {
    validate(input)?;
    let n = input.partners.len();
    let terms = &input.terms;
    let pool_key = |deal: Option<i64>| match terms.style {
        Style::European => None,
        Style::American => deal,
    };

    let mut contributions: Vec<&Contribution> = input.contributions.iter().collect();
    contributions.sort_by_key(|c| c.date);
    let mut distributions: Vec<(usize, &Distribution)> = input.distributions.iter().enumerate().collect();
    distributions.sort_by_key(|(i, d)| (d.date, *i));

    let mut pools: BTreeMap<Option<i64>, Pool> = BTreeMap::new();
    let mut base = BaseAccount::default();
    let mut next_contribution = 0;
    let mut results = Vec::with_capacity(distributions.len());
    let mut totals = vec![0i64; n];
    let mut by_tier: BTreeMap<Tier, Vec<i64>> = BTreeMap::new();
    let mut gp_carry = 0i64;

    for (_, distribution) in distributions {
        while next_contribution < contributions.len() && contributions[next_contribution].date <= distribution.date {
            let c = contributions[next_contribution];
            let pool = pools.entry(pool_key(c.deal)).or_insert_with(|| Pool::new(n));
            pool.accrue(terms.hurdle.as_ref(), c.date);
            accrue_base(&mut base, terms, &pools, c.date);
            let pool = pools.entry(pool_key(c.deal)).or_insert_with(|| Pool::new(n));
            pool.contributed[c.partner] += c.amount;
            pool.outstanding[c.partner] += c.amount;
            next_contribution += 1;
        }
        for pool in pools.values_mut() {
            pool.accrue(terms.hurdle.as_ref(), distribution.date);
        }
        accrue_base(&mut base, terms, &pools, distribution.date);
        let pool = pools.entry(pool_key(distribution.deal)).or_insert_with(|| Pool::new(n));
        if distribution.amount > 0 && pool.contributed.iter().all(|&c| c == 0) {
            return Err(invalid(
                "distributions",
                match distribution.deal {
                    Some(deal) if terms.style == Style::American => {
                        format!(
                            "a distribution on {} from deal {deal}, which no contribution paid for",
                            distribution.date
                        )
                    }
                    _ => format!("a distribution on {} before any contribution", distribution.date),
                },
            ));
        }
        let mut lines = split_through_tiers(input, pool, distribution.amount)?;
        if let Some(concession) = &terms.concession {
            concede(concession, &mut base, &mut lines)?;
        }
        for line in &lines {
            totals[line.partner] += line.amount;
            by_tier.entry(line.tier).or_insert_with(|| vec![0; n])[line.partner] += line.amount;
            if line.carry {
                gp_carry += line.amount;
            }
        }
        results.push(DistributionResult {
            date: distribution.date,
            amount: distribution.amount,
            deal: distribution.deal,
            lines,
        });
    }

    let clawback = match terms.style {
        Style::European => None,
        Style::American => {
            let mut whole = input.clone();
            whole.terms.style = Style::European;
            whole.terms.concession = None;
            let european = run(&whole)?;
            let entitled: i64 =
                european.distributions.iter().flat_map(|d| &d.lines).filter(|l| l.carry).map(|l| l.amount).sum();
            let due = (gp_carry - entitled).max(0);
            let mut contributed = vec![0i64; n];
            for c in &input.contributions {
                if c.partner != input.gp {
                    contributed[c.partner] += c.amount;
                }
            }
            let to_partners = if due > 0 && contributed.iter().any(|&c| c > 0) {
                let parts = allocate(due, &contributed).map_err(|e| invalid("contributions", e.to_string()))?;
                parts.into_iter().enumerate().filter(|(_, a)| *a != 0).collect()
            } else {
                Vec::new()
            };
            Some(Clawback { received: gp_carry, entitled, due, to_partners })
        }
    };

    Ok(WaterfallResult { distributions: results, totals, by_tier, clawback })
}

fn validate(input: &WaterfallInput) -> Result<(), WaterfallError> {
    let n = input.partners.len();
    if n == 0 {
        return Err(invalid("partners", "at least one partner is required"));
    }
    if input.gp >= n {
        return Err(invalid("gp", format!("partner {} does not exist", input.gp)));
    }
    let terms = &input.terms;
    if terms.carry < Decimal::ZERO || terms.carry >= Decimal::ONE {
        return Err(invalid("carry", format!("must be at least 0 and below 1, not {}", terms.carry)));
    }
    if let Some(h) = &terms.hurdle
        && (h.rate < Decimal::ZERO || h.rate > Decimal::ONE)
    {
        return Err(invalid("hurdle.rate", format!("must be between 0 and 1, not {}", h.rate)));
    }
    if let CatchUp::Partial { gp_share } = terms.catch_up
        && (gp_share <= terms.carry || gp_share > Decimal::ONE)
    {
        return Err(invalid(
            "catch_up.gp_share",
            format!("must be above the carry ({}) and at most 1, not {gp_share}", terms.carry),
        ));
    }
    if let Some(c) = &terms.concession {
        if c.government >= n {
            return Err(invalid("concession.government", format!("partner {} does not exist", c.government)));
        }
        if c.share < Decimal::ZERO || c.share > Decimal::ONE {
            return Err(invalid("concession.share", format!("must be between 0 and 1, not {}", c.share)));
        }
        if c.base_rate < Decimal::ZERO || c.base_rate > Decimal::ONE {
            return Err(invalid("concession.base_rate", format!("must be between 0 and 1, not {}", c.base_rate)));
        }
        if c.beneficiaries.is_empty() || c.beneficiaries.iter().all(|(_, w)| *w <= 0) {
            return Err(invalid("concession.beneficiaries", "at least one beneficiary with a positive weight"));
        }
        if let Some((p, w)) = c.beneficiaries.iter().find(|(p, w)| *p >= n || *w < 0) {
            return Err(invalid("concession.beneficiaries", format!("partner {p} with weight {w} is not valid")));
        }
    }
    for (i, c) in input.contributions.iter().enumerate() {
        if c.partner >= n {
            return Err(invalid("contributions", format!("row {}: partner {} does not exist", i + 1, c.partner)));
        }
        if c.amount <= 0 {
            return Err(invalid("contributions", format!("row {}: amount must be above zero", i + 1)));
        }
    }
    for (i, d) in input.distributions.iter().enumerate() {
        if d.amount < 0 {
            return Err(invalid("distributions", format!("row {}: amount cannot be negative", i + 1)));
        }
    }
    Ok(())
}

fn accrue_base(base: &mut BaseAccount, terms: &Terms, pools: &BTreeMap<Option<i64>, Pool>, to: Date) {
    let Some(concession) = &terms.concession else {
        return;
    };
    if let Some(from) = base.accrued_to.replace(to) {
        let days = days_between(from, to);
        if days > 0 {
            let capital: i64 = pools.values().map(|p| p.outstanding[concession.government]).sum();
            base.base += Decimal::from(capital) * concession.base_rate * Decimal::from(days) / Decimal::from(365);
        }
    }
}

/// Tiers 1–4 of one distribution within one pool.
fn split_through_tiers(input: &WaterfallInput, pool: &mut Pool, amount: i64) -> Result<Vec<Line>, WaterfallError> {
    let terms = &input.terms;
    let mut lines = Vec::new();
    let mut rest = amount;
    let push = |lines: &mut Vec<Line>, tier: Tier, parts: &[i64]| {
        for (partner, &amount) in parts.iter().enumerate() {
            if amount != 0 {
                lines.push(Line { tier, partner, amount, carry: false });
            }
        }
    };
    let alloc =
        |total: i64, weights: &[i64]| allocate(total, weights).map_err(|e| invalid("distributions", e.to_string()));

    // 1. Return of capital.
    let owed: i64 = pool.outstanding.iter().sum();
    let paid = rest.min(owed);
    if paid > 0 {
        let parts = alloc(paid, &pool.outstanding)?;
        for (o, p) in pool.outstanding.iter_mut().zip(&parts) {
            *o -= p;
        }
        push(&mut lines, Tier::ReturnOfCapital, &parts);
        rest -= paid;
    }

    // 2. Preferred return.
    if terms.hurdle.is_some() && rest > 0 {
        let due: Vec<i64> = pool.pref.iter().map(|p| cents(*p).max(0)).collect();
        let paid = rest.min(due.iter().sum());
        if paid > 0 {
            let parts = alloc(paid, &due)?;
            for (p, a) in pool.pref.iter_mut().zip(&parts) {
                *p -= Decimal::from(*a);
            }
            pool.pref_paid += paid;
            push(&mut lines, Tier::PreferredReturn, &parts);
            rest -= paid;
        }
    }

    // 3. GP catch-up.
    let gp_share = match terms.catch_up {
        CatchUp::None => None,
        CatchUp::Full => Some(Decimal::ONE),
        CatchUp::Partial { gp_share } => Some(gp_share),
    };
    if let Some(g) = gp_share
        && terms.hurdle.is_some()
        && terms.carry > Decimal::ZERO
        && rest > 0
    {
        let target = cents(terms.carry * Decimal::from(pool.pref_paid) / (g - terms.carry));
        let paid = rest.min((target - pool.catch_up_paid).max(0));
        if paid > 0 {
            let to_gp = cents(g * Decimal::from(paid)).min(paid);
            let investors = alloc(paid - to_gp, &pool.contributed)?;
            pool.catch_up_paid += paid;
            push(&mut lines, Tier::CatchUp, &investors);
            if to_gp != 0 {
                lines.push(Line { tier: Tier::CatchUp, partner: input.gp, amount: to_gp, carry: true });
            }
            rest -= paid;
        }
    }

    // 4. Split.
    if rest > 0 {
        let to_gp = cents(terms.carry * Decimal::from(rest));
        let parts = alloc(rest - to_gp, &pool.contributed)?;
        push(&mut lines, Tier::Split, &parts);
        if to_gp != 0 {
            lines.push(Line { tier: Tier::Split, partner: input.gp, amount: to_gp, carry: true });
        }
    }
    Ok(lines)
}

/// Tier 5: moves part of the government's return above its base to the beneficiaries.
fn concede(concession: &Concession, base: &mut BaseAccount, lines: &mut Vec<Line>) -> Result<(), WaterfallError> {
    let government = concession.government;
    let received_now: i64 = lines.iter().filter(|l| l.partner == government).map(|l| l.amount).sum();
    let profit_now: i64 =
        lines.iter().filter(|l| l.partner == government && l.tier != Tier::ReturnOfCapital).map(|l| l.amount).sum();
    base.profit += profit_now;
    let excess = (Decimal::from(base.profit) - base.base).max(Decimal::ZERO);
    let due_total = cents(concession.share * excess);
    let give = (due_total - base.conceded).clamp(0, received_now.max(0));
    if give == 0 {
        return Ok(());
    }
    base.conceded += give;
    lines.push(Line { tier: Tier::GovernmentConcession, partner: government, amount: -give, carry: false });
    let weights: Vec<i64> = concession.beneficiaries.iter().map(|(_, w)| *w).collect();
    let parts = allocate(give, &weights).map_err(|e| invalid("concession.beneficiaries", e.to_string()))?;
    for ((partner, _), amount) in concession.beneficiaries.iter().zip(parts) {
        if amount != 0 {
            lines.push(Line { tier: Tier::GovernmentConcession, partner: *partner, amount, carry: false });
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)] // amounts written yuan_cents
mod tests {
    use super::*;
    use proptest::prelude::*;
    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }
    use time::macros::date;

    fn terms(hurdle: Option<(Decimal, Accrual)>, catch_up: CatchUp, carry: Decimal) -> Terms {
        Terms {
            style: Style::European,
            hurdle: hurdle.map(|(rate, accrual)| Hurdle { rate, accrual }),
            catch_up,
            carry,
            concession: None,
        }
    }

    fn contribution(partner: usize, date: Date, yuan: i64, deal: Option<i64>) -> Contribution {
        Contribution { partner, date, amount: yuan * 100, deal }
    }

    fn distribution(date: Date, cents: i64, deal: Option<i64>) -> Distribution {
        Distribution { date, amount: cents, deal }
    }

    fn tier_amount(result: &DistributionResult, tier: Tier, partner: usize) -> i64 {
        result.lines.iter().filter(|l| l.tier == tier && l.partner == partner).map(|l| l.amount).sum()
    }

    fn assert_exact(result: &WaterfallResult) {
        for d in &result.distributions {
            assert_eq!(d.lines.iter().map(|l| l.amount).sum::<i64>(), d.amount, "{d:?}");
        }
    }

    /// The default scenario of the Tentt waterfall calculator
    /// (trytentt.com/tools/waterfall-calculator): 50,000,000 contributed, 125,000,000
    /// distributed five years later, 8 % compounded preferred return, 100 % catch-up,
    /// 20 % carry. Published: preferred return 23,466,404; catch-up 5,866,601; split
    /// 36,533,596 to the LPs and 9,133,399 to the GP; LPs 110,000,000, GP 15,000,000
    /// (whole units there; cents here: 50,000,000 × (1.08⁵ − 1) = 23,466,403.84).
    #[test]
    fn european_compound_full_catch_up() {
        let input = WaterfallInput {
            partners: vec!["LP".into(), "GP".into()],
            gp: 1,
            terms: terms(Some((d("0.08"), Accrual::Compound)), CatchUp::Full, d("0.2")),
            // 2019-01-01 to 2023-12-31 is 1,825 days: five years of 365.
            contributions: vec![contribution(0, date!(2019 - 01 - 01), 50_000_000, None)],
            distributions: vec![distribution(date!(2023 - 12 - 31), 12_500_000_000, None)],
        };
        let result = run(&input).unwrap();
        assert_exact(&result);
        let d = &result.distributions[0];
        assert_eq!(tier_amount(d, Tier::ReturnOfCapital, 0), 5_000_000_000);
        assert_eq!(tier_amount(d, Tier::PreferredReturn, 0), 2_346_640_384);
        assert_eq!(tier_amount(d, Tier::CatchUp, 1), 586_660_096);
        assert_eq!(tier_amount(d, Tier::Split, 0), 3_653_359_616);
        assert_eq!(tier_amount(d, Tier::Split, 1), 913_339_904);
        assert_eq!(result.totals, vec![11_000_000_000, 1_500_000_000]);
        assert!(result.clawback.is_none());
    }

    /// Worked by hand. LPs A (600,000) and B (400,000) contribute on 2021-01-01; 8 %
    /// simple preferred return, full catch-up, 20 % carry.
    ///
    /// 2022-01-01, 700,000: all return of capital (A 420,000, B 280,000). Year one's
    /// preferred return, 80,000 (A 48,000, B 32,000), stays unpaid.
    /// 2023-01-01, 900,000: the remaining capital 300,000 (A 180,000, B 120,000); year
    /// two adds 8 % of 300,000 = 24,000, so the preferred return is 104,000
    /// (A 62,400, B 41,600); catch-up 0.2 × 104,000 / 0.8 = 26,000 to the GP; the rest,
    /// 470,000, splits 94,000 to the GP and 376,000 to A (225,600) and B (150,400).
    /// The GP ends with 120,000 = 20 % of the 600,000 profit.
    #[test]
    fn european_simple_two_distributions() {
        let input = WaterfallInput {
            partners: vec!["A".into(), "B".into(), "GP".into()],
            gp: 2,
            terms: terms(Some((d("0.08"), Accrual::Simple)), CatchUp::Full, d("0.2")),
            contributions: vec![
                contribution(0, date!(2021 - 01 - 01), 600_000, None),
                contribution(1, date!(2021 - 01 - 01), 400_000, None),
            ],
            distributions: vec![
                distribution(date!(2022 - 01 - 01), 70_000_000, None),
                distribution(date!(2023 - 01 - 01), 90_000_000, None),
            ],
        };
        let result = run(&input).unwrap();
        assert_exact(&result);
        let [first, second] = &result.distributions[..] else { panic!() };
        assert_eq!(tier_amount(first, Tier::ReturnOfCapital, 0), 42_000_000);
        assert_eq!(tier_amount(first, Tier::ReturnOfCapital, 1), 28_000_000);
        assert_eq!(first.lines.len(), 2);
        assert_eq!(tier_amount(second, Tier::ReturnOfCapital, 0), 18_000_000);
        assert_eq!(tier_amount(second, Tier::PreferredReturn, 0), 6_240_000);
        assert_eq!(tier_amount(second, Tier::PreferredReturn, 1), 4_160_000);
        assert_eq!(tier_amount(second, Tier::CatchUp, 2), 2_600_000);
        assert_eq!(tier_amount(second, Tier::Split, 2), 9_400_000);
        assert_eq!(tier_amount(second, Tier::Split, 0), 22_560_000);
        assert_eq!(tier_amount(second, Tier::Split, 1), 15_040_000);
        assert_eq!(result.totals[2], 12_000_000);
        assert_eq!(result.by_tier[&Tier::PreferredReturn], vec![6_240_000, 4_160_000, 0]);
    }

    /// Partial catch-up, worked by hand: as above in one distribution of 1,500,000 on
    /// 2023-01-01 (730 days), preferred return 160,000 (A 96,000, B 64,000). With 80 %
    /// to the GP the catch-up tier is 0.2 × 160,000 / (0.8 − 0.2) = 53,333.33; the GP
    /// gets 42,666.66 and A and B 10,666.67 (A 6,400.00, B 4,266.67 — the larger
    /// remainder). The GP then holds 20 % of the profit paid so far:
    /// 42,666.66 / 213,333.33.
    #[test]
    fn partial_catch_up() {
        let input = WaterfallInput {
            partners: vec!["A".into(), "B".into(), "GP".into()],
            gp: 2,
            terms: terms(Some((d("0.08"), Accrual::Simple)), CatchUp::Partial { gp_share: d("0.8") }, d("0.2")),
            contributions: vec![
                contribution(0, date!(2021 - 01 - 01), 600_000, None),
                contribution(1, date!(2021 - 01 - 01), 400_000, None),
            ],
            distributions: vec![distribution(date!(2023 - 01 - 01), 150_000_000, None)],
        };
        let result = run(&input).unwrap();
        assert_exact(&result);
        let d = &result.distributions[0];
        assert_eq!(tier_amount(d, Tier::PreferredReturn, 0), 9_600_000);
        assert_eq!(tier_amount(d, Tier::CatchUp, 2), 4_266_666);
        assert_eq!(tier_amount(d, Tier::CatchUp, 0), 640_000);
        assert_eq!(tier_amount(d, Tier::CatchUp, 1), 426_667);
        // Split of the remaining 286,666.67: GP 57,333.33 (rounded), A and B 229,333.34.
        assert_eq!(tier_amount(d, Tier::Split, 2), 5_733_333);
    }

    /// American, worked by hand: two deals of 500,000 each (A 60 %, B 40 %), no hurdle,
    /// 20 % carry. Deal 1 returns 800,000 in 2022: capital 500,000, then 300,000 split
    /// 60,000 to the GP. Deal 2 returns only 200,000 in 2023. Over the whole fund the
    /// LPs got back 1,000,000 on 1,000,000: no profit, so the GP owes the 60,000 back
    /// (A 36,000, B 24,000).
    #[test]
    fn american_clawback() {
        let mut t = terms(None, CatchUp::None, d("0.2"));
        t.style = Style::American;
        let input = WaterfallInput {
            partners: vec!["A".into(), "B".into(), "GP".into()],
            gp: 2,
            terms: t,
            contributions: vec![
                contribution(0, date!(2021 - 01 - 01), 300_000, Some(1)),
                contribution(1, date!(2021 - 01 - 01), 200_000, Some(1)),
                contribution(0, date!(2021 - 01 - 01), 300_000, Some(2)),
                contribution(1, date!(2021 - 01 - 01), 200_000, Some(2)),
            ],
            distributions: vec![
                distribution(date!(2022 - 01 - 01), 80_000_000, Some(1)),
                distribution(date!(2023 - 01 - 01), 20_000_000, Some(2)),
            ],
        };
        let result = run(&input).unwrap();
        assert_exact(&result);
        assert_eq!(tier_amount(&result.distributions[0], Tier::Split, 2), 6_000_000);
        assert_eq!(tier_amount(&result.distributions[1], Tier::ReturnOfCapital, 0), 12_000_000);
        let clawback = result.clawback.unwrap();
        assert_eq!((clawback.received, clawback.entitled, clawback.due), (6_000_000, 0, 6_000_000));
        assert_eq!(clawback.to_partners, vec![(0, 3_600_000), (1, 2_400_000)]);
    }

    /// Government concession, worked by hand: the government and a social LP put in
    /// 500,000 each on 2021-01-01; no hurdle, 20 % carry. 1,500,000 comes back on
    /// 2023-01-01: capital 1,000,000, GP 100,000, 200,000 each to the LPs. The
    /// government's base is 5 % simple on 500,000 for two years = 50,000; it cedes
    /// half of the 150,000 above it, 75,000, to the social LP.
    #[test]
    fn government_concession() {
        let mut t = terms(None, CatchUp::None, d("0.2"));
        t.concession =
            Some(Concession { government: 0, base_rate: d("0.05"), share: d("0.5"), beneficiaries: vec![(1, 1)] });
        let input = WaterfallInput {
            partners: vec!["Government".into(), "Social".into(), "GP".into()],
            gp: 2,
            terms: t,
            contributions: vec![
                contribution(0, date!(2021 - 01 - 01), 500_000, None),
                contribution(1, date!(2021 - 01 - 01), 500_000, None),
            ],
            distributions: vec![distribution(date!(2023 - 01 - 01), 150_000_000, None)],
        };
        let result = run(&input).unwrap();
        assert_exact(&result);
        let d = &result.distributions[0];
        assert_eq!(tier_amount(d, Tier::GovernmentConcession, 0), -7_500_000);
        assert_eq!(tier_amount(d, Tier::GovernmentConcession, 1), 7_500_000);
        assert_eq!(result.totals, vec![62_500_000, 77_500_000, 10_000_000]);
    }

    #[test]
    fn bad_terms_name_the_field() {
        let mut input = WaterfallInput {
            partners: vec!["A".into(), "GP".into()],
            gp: 1,
            terms: terms(None, CatchUp::Partial { gp_share: d("0.1") }, d("0.2")),
            contributions: vec![contribution(0, date!(2021 - 01 - 01), 1, None)],
            distributions: vec![],
        };
        let message = run(&input).unwrap_err().to_string();
        assert!(message.starts_with("catch_up.gp_share"), "{message}");
        input.terms.catch_up = CatchUp::None;
        input.terms.carry = d("1");
        assert!(run(&input).unwrap_err().to_string().starts_with("carry"));
        input.terms.carry = d("0.2");
        input.distributions.push(distribution(date!(2020 - 01 - 01), 5, None));
        assert!(run(&input).unwrap_err().to_string().contains("before any contribution"));
    }

    proptest! {
        /// Whatever the terms and flows, every distribution's lines sum exactly to it,
        /// capital comes back at most once, and the GP's carry never exceeds the carry
        /// rate's share of everything above capital (European, no concession).
        #[test]
        fn lines_sum_exactly(
            partners in 2usize..5,
            contributions in proptest::collection::vec((0usize..4, 0i32..800, 1i64..10_000_000_00, 0i64..3), 1..12),
            distributions in proptest::collection::vec((0i32..3000, 0i64..30_000_000_00, 0i64..3), 1..12),
            hurdle in proptest::option::of((0u32..20, proptest::bool::ANY)),
            catch_up in 0u8..3,
            carry in 0u32..40,
            american in proptest::bool::ANY,
            concession in proptest::bool::ANY,
        ) {
            let start = date!(2020 - 01 - 01).to_julian_day();
            let day = |d: i32| Date::from_julian_day(start + d).unwrap();
            let carry = Decimal::new(i64::from(carry), 2);
            let mut t = terms(
                hurdle.map(|(r, c)| (Decimal::new(i64::from(r), 2), if c { Accrual::Compound } else { Accrual::Simple })),
                match catch_up { 0 => CatchUp::None, 1 => CatchUp::Full, _ => CatchUp::Partial { gp_share: d("0.8") } },
                carry,
            );
            if american { t.style = Style::American; }
            if concession {
                t.concession = Some(Concession { government: 0, base_rate: d("0.03"), share: d("0.4"), beneficiaries: vec![(1, 2), (partners - 1, 1)] });
            }
            let contributions: Vec<Contribution> = contributions.iter().map(|&(p, d, a, deal)| Contribution {
                partner: p % partners, date: day(d), amount: a, deal: Some(deal) }).collect();
            // Distributions come after the first contribution, from deals that were paid for.
            let first = contributions.iter().map(|c| c.date).min().unwrap();
            let deals: Vec<i64> = contributions.iter().filter_map(|c| c.deal).collect();
            let distributions: Vec<Distribution> = distributions.iter().map(|&(d, a, deal)| Distribution {
                date: day(d).max(first), amount: a, deal: Some(deals[usize::try_from(deal).unwrap() % deals.len()]) }).collect();
            let input = WaterfallInput { partners: (0..partners).map(|i| i.to_string()).collect(), gp: partners - 1, terms: t, contributions: contributions.clone(), distributions };
            let Ok(result) = run(&input) else {
                // The only refusal: a deal distributed before it was paid for.
                prop_assert!(american);
                return Ok(());
            };
            for d in &result.distributions {
                prop_assert_eq!(d.lines.iter().map(|l| l.amount).sum::<i64>(), d.amount);
            }
            let contributed: i64 = contributions.iter().map(|c| c.amount).sum();
            let returned: i64 = result.by_tier.get(&Tier::ReturnOfCapital).map_or(0, |v| v.iter().sum());
            prop_assert!(returned <= contributed);
            if !american && !concession {
                let carry_paid: i64 = result.distributions.iter().flat_map(|d| &d.lines).filter(|l| l.carry).map(|l| l.amount).sum();
                let distributed: i64 = result.distributions.iter().map(|d| d.amount).sum();
                let profit = Decimal::from(distributed - returned);
                prop_assert!(Decimal::from(carry_paid) <= carry * profit + Decimal::from(result.distributions.len() as i64 * 2));
            }
        }
    }
}
