//! Fund performance at any date (SPEC §5), from the ledger as it stood on that date.
//!
//! - **Paid-in** = contributions; **distributed** = distributions to the LPs.
//! - **NAV** = the fund's latest valuation on or before the date, rolled forward with
//!   the contributions, distributions, fees and expenses after it; a fund never valued
//!   stands at cost: contributions − distributions − fees − expenses (not below zero).
//! - **DPI** = distributed / paid-in; **RVPI** = NAV / paid-in; **TVPI** = DPI + RVPI.
//! - **Holdings**: each at its latest valuation rolled forward with later investments
//!   and returns of capital, or at cost (invested − capital returned) if never valued.
//!   **MOIC** = (proceeds + holdings' value) / invested.
//! - **Net XIRR**: the LPs' flows (contributions out, distributions in) and the NAV as a
//!   final inflow on the date. **Gross XIRR**: investments out, proceeds in, holdings'
//!   value as a final inflow.
//! - **Per LP**: its own contributions and distributions; its NAV is the fund's NAV in
//!   proportion to its paid-in capital (calls are pro rata to commitment, so this is
//!   also its commitment share when every LP has paid every call).
//!
//! Amounts are in cents; multiples are exact decimals rounded to six places.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use super::xirr::{CashFlow, NoRate, XirrSolver};

/// What a ledger entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    /// An LP pays in capital (answering a capital call).
    Contribution,
    /// The fund pays an LP.
    Distribution,
    /// The fund invests in a company or a sub-fund.
    Investment,
    /// A holding pays the fund (sale, dividend, a sub-fund's distribution).
    Proceeds,
    ManagementFee,
    Expense,
}

impl FlowKind {
    pub const ALL: [FlowKind; 6] = [
        FlowKind::Contribution,
        FlowKind::Distribution,
        FlowKind::Investment,
        FlowKind::Proceeds,
        FlowKind::ManagementFee,
        FlowKind::Expense,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FlowKind::Contribution => "contribution",
            FlowKind::Distribution => "distribution",
            FlowKind::Investment => "investment",
            FlowKind::Proceeds => "proceeds",
            FlowKind::ManagementFee => "management_fee",
            FlowKind::Expense => "expense",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code.trim())
    }

    /// Entries of this kind name an LP.
    pub fn needs_party(self) -> bool {
        matches!(self, FlowKind::Contribution | FlowKind::Distribution)
    }

    /// Entries of this kind name a holding.
    pub fn needs_holding(self) -> bool {
        matches!(self, FlowKind::Investment | FlowKind::Proceeds)
    }

    /// The components an entry of this kind may carry.
    pub fn components(self) -> &'static [Component] {
        match self {
            FlowKind::Contribution => &[Component::Investment, Component::Fees, Component::Expenses],
            FlowKind::Distribution | FlowKind::Proceeds => &[Component::Capital, Component::Gain, Component::Income],
            FlowKind::Investment | FlowKind::ManagementFee | FlowKind::Expense => &[],
        }
    }
}

/// The breakdown of a call (investment / fees / expenses) or of a distribution or
/// proceeds (capital / gain / income).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    Investment,
    Fees,
    Expenses,
    Capital,
    Gain,
    Income,
}

impl Component {
    pub const ALL: [Component; 6] = [
        Component::Investment,
        Component::Fees,
        Component::Expenses,
        Component::Capital,
        Component::Gain,
        Component::Income,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Component::Investment => "investment",
            Component::Fees => "fees",
            Component::Expenses => "expenses",
            Component::Capital => "capital",
            Component::Gain => "gain",
            Component::Income => "income",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code.trim())
    }
}

/// One ledger entry as the calculations see it. Reversals carry a negative amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub date: Date,
    pub kind: FlowKind,
    pub amount: i64,
    pub party: Option<i64>,
    pub holding: Option<i64>,
    pub component: Option<Component>,
}

/// A valuation of the fund (`holding: None`) or of one holding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Valuation {
    pub date: Date,
    pub holding: Option<i64>,
    pub amount: i64,
}

/// How the NAV was arrived at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum NavBasis {
    /// The valuation of this date, rolled forward with the flows after it.
    Valuation { date: Date, value: i64 },
    /// Never valued: at cost.
    Cost,
}

/// An XIRR as reported: the rate, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Irr {
    pub rate: Option<f64>,
    pub reason: Option<String>,
    pub reason_code: Option<String>,
}

impl From<Result<f64, NoRate>> for Irr {
    fn from(value: Result<f64, NoRate>) -> Self {
        match value {
            Ok(rate) => Irr { rate: Some(rate), reason: None, reason_code: None },
            Err(no) => Irr { rate: None, reason: Some(no.to_string()), reason_code: Some(no.code().to_owned()) },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Multiples {
    pub paid_in: i64,
    pub distributed: i64,
    pub nav: i64,
    pub dpi: Option<Decimal>,
    pub rvpi: Option<Decimal>,
    pub tvpi: Option<Decimal>,
}

impl Multiples {
    pub fn new(paid_in: i64, distributed: i64, nav: i64) -> Self {
        Multiples {
            paid_in,
            distributed,
            nav,
            dpi: ratio(distributed, paid_in),
            rvpi: ratio(nav, paid_in),
            tvpi: ratio(distributed.saturating_add(nav), paid_in),
        }
    }
}

/// `numerator / denominator` to six decimals; `None` when the denominator is not positive.
pub fn ratio(numerator: i64, denominator: i64) -> Option<Decimal> {
    if denominator <= 0 {
        return None;
    }
    Some((Decimal::from(numerator) / Decimal::from(denominator)).round_dp(6))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldingValue {
    pub holding: i64,
    pub invested: i64,
    pub proceeds: i64,
    pub value: i64,
    pub basis: NavBasis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LpPerformance {
    pub party: i64,
    pub multiples: Multiples,
    pub net_irr: Irr,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Performance {
    pub as_of: Date,
    pub multiples: Multiples,
    pub nav_basis: NavBasis,
    pub fees: i64,
    pub expenses: i64,
    pub invested: i64,
    pub proceeds: i64,
    pub unrealized: i64,
    pub moic: Option<Decimal>,
    pub net_irr: Irr,
    pub gross_irr: Irr,
    pub holdings: Vec<HoldingValue>,
    pub lps: Vec<LpPerformance>,
}

fn flow(date: Date, cents: i64) -> CashFlow {
    CashFlow { day: date.to_julian_day(), amount: cents as f64 }
}

/// The fund's performance on `as_of`, from its entries and valuations (any order;
/// those after `as_of` are ignored).
pub fn performance(entries: &[Entry], valuations: &[Valuation], as_of: Date) -> Performance {
    let entries: Vec<&Entry> = entries.iter().filter(|e| e.date <= as_of).collect();
    let sum = |kind: FlowKind| -> i64 { entries.iter().filter(|e| e.kind == kind).map(|e| e.amount).sum() };
    let (paid_in, distributed) = (sum(FlowKind::Contribution), sum(FlowKind::Distribution));
    let (fees, expenses) = (sum(FlowKind::ManagementFee), sum(FlowKind::Expense));
    let (invested, proceeds) = (sum(FlowKind::Investment), sum(FlowKind::Proceeds));

    let latest = |holding: Option<i64>| {
        valuations.iter().filter(|v| v.holding == holding && v.date <= as_of).max_by_key(|v| v.date)
    };
    let (nav, nav_basis) = match latest(None) {
        Some(v) => {
            let after = |kind: FlowKind| -> i64 {
                entries.iter().filter(|e| e.kind == kind && e.date > v.date).map(|e| e.amount).sum()
            };
            let rolled = v.amount + after(FlowKind::Contribution)
                - after(FlowKind::Distribution)
                - after(FlowKind::ManagementFee)
                - after(FlowKind::Expense);
            (rolled.max(0), NavBasis::Valuation { date: v.date, value: v.amount })
        }
        None => ((paid_in - distributed - fees - expenses).max(0), NavBasis::Cost),
    };

    let mut by_holding: BTreeMap<i64, Vec<&Entry>> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.kind.needs_holding()) {
        if let Some(h) = e.holding {
            by_holding.entry(h).or_default().push(e);
        }
    }
    for v in valuations.iter().filter(|v| v.date <= as_of) {
        if let Some(h) = v.holding {
            by_holding.entry(h).or_default();
        }
    }
    let holdings: Vec<HoldingValue> = by_holding
        .into_iter()
        .map(|(holding, flows)| {
            let total = |kind: FlowKind| -> i64 { flows.iter().filter(|e| e.kind == kind).map(|e| e.amount).sum() };
            let moved_capital = |e: &&&Entry| match e.kind {
                FlowKind::Investment => e.amount,
                _ if e.component == Some(Component::Capital) => -e.amount,
                _ => 0,
            };
            let (value, basis) = match latest(Some(holding)) {
                Some(v) => {
                    let later: i64 = flows.iter().filter(|e| e.date > v.date).map(|e| moved_capital(&e)).sum();
                    (v.amount + later, NavBasis::Valuation { date: v.date, value: v.amount })
                }
                None => (flows.iter().map(|e| moved_capital(&e)).sum(), NavBasis::Cost),
            };
            HoldingValue {
                holding,
                invested: total(FlowKind::Investment),
                proceeds: total(FlowKind::Proceeds),
                value: value.max(0),
                basis,
            }
        })
        .collect();
    let unrealized: i64 = holdings.iter().map(|h| h.value).sum();

    let mut solver = XirrSolver::new();
    let mut net: Vec<CashFlow> = entries
        .iter()
        .filter_map(|e| match e.kind {
            FlowKind::Contribution => Some(flow(e.date, -e.amount)),
            FlowKind::Distribution => Some(flow(e.date, e.amount)),
            _ => None,
        })
        .collect();
    net.push(flow(as_of, nav));
    let mut gross: Vec<CashFlow> = entries
        .iter()
        .filter_map(|e| match e.kind {
            FlowKind::Investment => Some(flow(e.date, -e.amount)),
            FlowKind::Proceeds => Some(flow(e.date, e.amount)),
            _ => None,
        })
        .collect();
    gross.push(flow(as_of, unrealized));

    let mut parties: BTreeMap<i64, (i64, i64, Vec<CashFlow>)> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.kind.needs_party()) {
        let Some(party) = e.party else { continue };
        let slot = parties.entry(party).or_default();
        if e.kind == FlowKind::Contribution {
            slot.0 += e.amount;
            slot.2.push(flow(e.date, -e.amount));
        } else {
            slot.1 += e.amount;
            slot.2.push(flow(e.date, e.amount));
        }
    }
    let nav_shares: Vec<i64> = {
        let weights: Vec<i64> = parties.values().map(|p| p.0.max(0)).collect();
        super::allocation::allocate(nav, &weights).unwrap_or_else(|_| vec![0; weights.len()])
    };
    let lps = parties
        .into_iter()
        .zip(nav_shares)
        .map(|((party, (paid, dist, mut flows)), nav_share)| {
            flows.push(flow(as_of, nav_share));
            LpPerformance {
                party,
                multiples: Multiples::new(paid, dist, nav_share),
                net_irr: solver.solve(&flows).into(),
            }
        })
        .collect();

    Performance {
        as_of,
        multiples: Multiples::new(paid_in, distributed, nav),
        nav_basis,
        fees,
        expenses,
        invested,
        proceeds,
        unrealized,
        moic: ratio(proceeds.saturating_add(unrealized), invested),
        net_irr: solver.solve(&net).into(),
        gross_irr: solver.solve(&gross).into(),
        holdings,
        lps,
    }
}

#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)] // amounts written yuan_cents
mod tests {
    use super::*;
    use time::macros::date;

    fn entry(date: Date, kind: FlowKind, amount: i64, party: Option<i64>, holding: Option<i64>) -> Entry {
        Entry { date, kind, amount, party, holding, component: None }
    }

    /// Worked by hand: two LPs pay 600 and 400 on 2021-01-01; the fund invests 900 in
    /// one company and pays 20 in fees; the company returns 500 of capital on
    /// 2022-01-01 and the fund distributes 500 (300 / 200); the fund is valued at 800
    /// on 2022-06-30 and the company at 750.
    #[test]
    fn multiples_and_nav_roll_forward() {
        let d0 = date!(2021 - 01 - 01);
        let d1 = date!(2022 - 01 - 01);
        let mut entries = vec![
            entry(d0, FlowKind::Contribution, 60_000, Some(1), None),
            entry(d0, FlowKind::Contribution, 40_000, Some(2), None),
            entry(d0, FlowKind::Investment, 90_000, None, Some(7)),
            entry(d0, FlowKind::ManagementFee, 2_000, None, None),
            entry(d1, FlowKind::Distribution, 30_000, Some(1), None),
            entry(d1, FlowKind::Distribution, 20_000, Some(2), None),
        ];
        let mut proceeds = entry(d1, FlowKind::Proceeds, 50_000, None, Some(7));
        proceeds.component = Some(Component::Capital);
        entries.push(proceeds);

        // Before any valuation: NAV at cost = 1,000 − 500 − 20 = 480; the company at
        // cost = 900 − 500 = 400.
        let p = performance(&entries, &[], date!(2022 - 03 - 31));
        assert_eq!(p.multiples.nav, 48_000);
        assert_eq!(p.nav_basis, NavBasis::Cost);
        assert_eq!(p.holdings[0].value, 40_000);
        assert_eq!(p.multiples.dpi, Some("0.5".parse().unwrap()));
        assert_eq!(p.multiples.tvpi, Some("0.98".parse().unwrap()));
        assert_eq!(p.moic, ratio(90_000, 90_000));

        let valuations = vec![
            Valuation { date: date!(2022 - 06 - 30), holding: None, amount: 80_000 },
            Valuation { date: date!(2022 - 06 - 30), holding: Some(7), amount: 75_000 },
        ];
        // A later contribution rolls the NAV forward.
        entries.push(entry(date!(2022 - 09 - 30), FlowKind::Contribution, 10_000, Some(1), None));
        let p = performance(&entries, &valuations, date!(2022 - 12 - 31));
        assert_eq!(p.multiples.paid_in, 110_000);
        assert_eq!(p.multiples.nav, 90_000);
        assert_eq!(p.nav_basis, NavBasis::Valuation { date: date!(2022 - 06 - 30), value: 80_000 });
        assert_eq!(p.multiples.rvpi, ratio(90_000, 110_000));
        assert_eq!(p.unrealized, 75_000);
        assert_eq!(p.moic, ratio(125_000, 90_000));
        // LP 1 paid 700 of 1,100: its NAV is 700/1,100 of 900 = 572.73 (largest remainder).
        assert_eq!(p.lps[0].multiples.nav + p.lps[1].multiples.nav, 90_000);
        assert_eq!(p.lps[0].multiples.nav, 57_273);
        assert!(p.net_irr.rate.is_some() && p.gross_irr.rate.is_some());

        // Nothing paid yet: no multiples, and XIRR says why.
        let p = performance(&entries, &valuations, date!(2020 - 12 - 31));
        assert_eq!(p.multiples.dpi, None);
        assert_eq!(p.net_irr.reason_code.as_deref(), Some("too_few_flows"));
    }
}
