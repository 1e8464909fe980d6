//! Clearing of payments that cross city lines (SPEC §7): the rules every number of a
//! clearing cycle follows, whatever the scheme (innovation vouchers, medical insurance
//! direct settlement, transit cards).
//!
//! A cycle's transactions are summed into *flows* — what one participant paid another,
//! and how many times. From the flows come the *bilateral* net of every pair, the
//! *multilateral* net position of every participant (received − paid; positions sum to
//! zero), and the *settlement instructions*: transfers from net payers to net receivers
//! that settle every position exactly, at most one fewer than the participants with a
//! position. Everything is integer minor units; nothing is rounded.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Participants are known by their database id.
pub type ParticipantId = i64;

/// What one participant paid another within a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Flow {
    pub payer: ParticipantId,
    pub payee: ParticipantId,
    /// Minor units, never negative.
    pub amount_minor: i64,
    pub count: i64,
}

/// One participant's totals and net position in a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub participant: ParticipantId,
    pub paid_minor: i64,
    pub paid_count: i64,
    pub received_minor: i64,
    pub received_count: i64,
    /// Received − paid: positive receives at settlement, negative pays.
    pub net_minor: i64,
}

/// The net between two participants, `a` < `b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bilateral {
    pub a: ParticipantId,
    pub b: ParticipantId,
    pub a_to_b_minor: i64,
    pub b_to_a_minor: i64,
    /// What `a` receives net from `b` (negative: `a` owes `b`).
    pub net_a_minor: i64,
}

/// A transfer that settles part of the positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Instruction {
    pub from: ParticipantId,
    pub to: ParticipantId,
    pub amount_minor: i64,
}

/// The outcome of netting a cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Netting {
    /// Every participant with a flow, by id.
    pub positions: Vec<Position>,
    /// Every pair with a flow, by (a, b).
    pub bilateral: Vec<Bilateral>,
    /// Largest first; see [`settle`].
    pub instructions: Vec<Instruction>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NettingError {
    #[error("a flow from {0} to itself")]
    SelfFlow(ParticipantId),
    #[error("a negative flow from {payer} to {payee}")]
    Negative { payer: ParticipantId, payee: ParticipantId },
    #[error("the sums exceed what minor units can hold")]
    Overflow,
}

fn add(a: i64, b: i64) -> Result<i64, NettingError> {
    a.checked_add(b).ok_or(NettingError::Overflow)
}

/// Nets a cycle's flows. Flows of the same pair may come in several pieces; they are
/// added together. The result does not depend on the order of `flows`.
pub fn net(flows: &[Flow]) -> Result<Netting, NettingError> {
    let mut pairs: BTreeMap<(ParticipantId, ParticipantId), (i64, i64)> = BTreeMap::new();
    for flow in flows {
        if flow.payer == flow.payee {
            return Err(NettingError::SelfFlow(flow.payer));
        }
        if flow.amount_minor < 0 || flow.count < 0 {
            return Err(NettingError::Negative { payer: flow.payer, payee: flow.payee });
        }
        let entry = pairs.entry((flow.payer, flow.payee)).or_default();
        entry.0 = add(entry.0, flow.amount_minor)?;
        entry.1 = add(entry.1, flow.count)?;
    }
    let mut positions: BTreeMap<ParticipantId, Position> = BTreeMap::new();
    let blank = |participant| Position {
        participant,
        paid_minor: 0,
        paid_count: 0,
        received_minor: 0,
        received_count: 0,
        net_minor: 0,
    };
    let mut bilateral: BTreeMap<(ParticipantId, ParticipantId), Bilateral> = BTreeMap::new();
    for (&(payer, payee), &(amount, count)) in &pairs {
        let p = positions.entry(payer).or_insert_with(|| blank(payer));
        p.paid_minor = add(p.paid_minor, amount)?;
        p.paid_count = add(p.paid_count, count)?;
        let r = positions.entry(payee).or_insert_with(|| blank(payee));
        r.received_minor = add(r.received_minor, amount)?;
        r.received_count = add(r.received_count, count)?;
        let (a, b) = (payer.min(payee), payer.max(payee));
        let pair =
            bilateral.entry((a, b)).or_insert(Bilateral { a, b, a_to_b_minor: 0, b_to_a_minor: 0, net_a_minor: 0 });
        if payer == a {
            pair.a_to_b_minor = add(pair.a_to_b_minor, amount)?;
        } else {
            pair.b_to_a_minor = add(pair.b_to_a_minor, amount)?;
        }
    }
    for pair in bilateral.values_mut() {
        pair.net_a_minor = pair.b_to_a_minor.checked_sub(pair.a_to_b_minor).ok_or(NettingError::Overflow)?;
    }
    for position in positions.values_mut() {
        position.net_minor = position.received_minor.checked_sub(position.paid_minor).ok_or(NettingError::Overflow)?;
    }
    let positions: Vec<Position> = positions.into_values().collect();
    let instructions = settle(&positions);
    Ok(Netting { positions, bilateral: bilateral.into_values().collect(), instructions })
}

/// The transfers that settle `positions` (which must sum to zero): the largest net payer
/// pays the largest net receiver as much as both allow, and so on. Every step settles at
/// least one of the two in full, so there are at most (participants with a non-zero
/// position − 1) transfers — never more than n − 1. Ties go to the smaller id, so the same
/// positions always give the same instructions.
pub fn settle(positions: &[Position]) -> Vec<Instruction> {
    let order = |list: &mut Vec<(ParticipantId, i64)>| list.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let mut payers: Vec<(ParticipantId, i64)> =
        positions.iter().filter(|p| p.net_minor < 0).map(|p| (p.participant, -p.net_minor)).collect();
    let mut receivers: Vec<(ParticipantId, i64)> =
        positions.iter().filter(|p| p.net_minor > 0).map(|p| (p.participant, p.net_minor)).collect();
    order(&mut payers);
    order(&mut receivers);
    let mut instructions = Vec::with_capacity(payers.len() + receivers.len());
    let (mut i, mut j) = (0, 0);
    while i < payers.len() && j < receivers.len() {
        let amount = payers[i].1.min(receivers[j].1);
        instructions.push(Instruction { from: payers[i].0, to: receivers[j].0, amount_minor: amount });
        payers[i].1 -= amount;
        receivers[j].1 -= amount;
        if payers[i].1 == 0 {
            i += 1;
        }
        if receivers[j].1 == 0 {
            j += 1;
        }
    }
    instructions
}

/// Sums transactions into flows, for recomputing a cycle from its transactions: `(payer,
/// payee, amount)` triples in any order. Participants are counted densely, so ten
/// million transactions among a few hundred participants take one pass over an array.
#[derive(Debug, Default)]
pub struct FlowSums {
    index: HashMap<ParticipantId, usize>,
    ids: Vec<ParticipantId>,
    /// `cells[payer * width + payee]`, grown as participants appear.
    cells: Vec<(i64, i64)>,
    width: usize,
    overflow: bool,
}

impl FlowSums {
    pub fn new() -> Self {
        Self::default()
    }

    fn slot(&mut self, id: ParticipantId) -> usize {
        if let Some(&slot) = self.index.get(&id) {
            return slot;
        }
        let slot = self.ids.len();
        self.ids.push(id);
        self.index.insert(id, slot);
        if self.ids.len() > self.width {
            let width = (self.width * 2).max(16);
            let mut cells = vec![(0, 0); width * width];
            for row in 0..self.width {
                cells[row * width..row * width + self.width]
                    .copy_from_slice(&self.cells[row * self.width..(row + 1) * self.width]);
            }
            self.cells = cells;
            self.width = width;
        }
        slot
    }

    pub fn add(&mut self, payer: ParticipantId, payee: ParticipantId, amount_minor: i64) {
        let (p, q) = (self.slot(payer), self.slot(payee));
        let cell = &mut self.cells[p * self.width + q];
        match cell.0.checked_add(amount_minor) {
            Some(sum) => cell.0 = sum,
            None => self.overflow = true,
        }
        cell.1 += 1;
    }

    /// Adds another partial sum (from another thread's share of the transactions).
    pub fn merge(&mut self, other: FlowSums) -> Result<(), NettingError> {
        for flow in other.flows()? {
            let (p, q) = (self.slot(flow.payer), self.slot(flow.payee));
            let cell = &mut self.cells[p * self.width + q];
            cell.0 = add(cell.0, flow.amount_minor)?;
            cell.1 = add(cell.1, flow.count)?;
        }
        Ok(())
    }

    /// The non-empty flows, by (payer, payee).
    pub fn flows(&self) -> Result<Vec<Flow>, NettingError> {
        if self.overflow {
            return Err(NettingError::Overflow);
        }
        let mut flows = Vec::new();
        for (p, &payer) in self.ids.iter().enumerate() {
            for (q, &payee) in self.ids.iter().enumerate() {
                let (amount_minor, count) = self.cells[p * self.width + q];
                if count > 0 {
                    flows.push(Flow { payer, payee, amount_minor, count });
                }
            }
        }
        flows.sort_by_key(|f| (f.payer, f.payee));
        Ok(flows)
    }
}

/// How often a scheme's cycles close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CyclePeriod {
    Day,
    Month,
}

impl CyclePeriod {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "day" => Some(Self::Day),
            "month" => Some(Self::Month),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Month => "month",
        }
    }

    /// The first day of the cycle holding `day`.
    pub fn start_of(self, day: Date) -> Date {
        match self {
            Self::Day => day,
            Self::Month => day.replace_day(1).unwrap_or(day),
        }
    }

    /// The first day of the cycle after the one starting on `start`.
    pub fn next_start(self, start: Date) -> Date {
        match self {
            Self::Day => start.next_day().unwrap_or(start),
            Self::Month => {
                let (year, month) = match start.month() {
                    Month::December => (start.year() + 1, Month::January),
                    other => (start.year(), other.next()),
                };
                Date::from_calendar_date(year, month, 1).unwrap_or(start)
            }
        }
    }
}

/// Cycles follow the calendar in China (UTC+8): a day or a month runs from midnight to
/// midnight there.
pub fn china_offset() -> UtcOffset {
    UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC)
}

/// The instant a China calendar day begins.
pub fn day_begins(day: Date) -> OffsetDateTime {
    PrimitiveDateTime::new(day, Time::MIDNIGHT).assume_offset(china_offset())
}

/// The China calendar day an instant falls on.
pub fn china_day(at: OffsetDateTime) -> Date {
    at.to_offset(china_offset()).date()
}

/// Reads an instant: RFC 3339 with its offset (`2018-03-05T08:30:00+08:00`, `…Z`), or a
/// China local time without one (`2018-03-05 08:30`, `2018-03-05T08:30:00`).
pub fn parse_instant(text: &str) -> Result<OffsetDateTime, String> {
    let text = text.trim();
    if let Ok(at) = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
        return Ok(at);
    }
    let local = text.replacen('T', " ", 1);
    let formats: [&[time::format_description::BorrowedFormatItem<'_>]; 2] = [
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]"),
    ];
    for format in formats {
        if let Ok(at) = PrimitiveDateTime::parse(&local, format) {
            return Ok(at.assume_offset(china_offset()));
        }
    }
    Err(format!("`{text}` is not a time: write 2018-03-05T08:30:00+08:00 (RFC 3339) or 2018-03-05 08:30 (China time)"))
}

/// A participant's totals with one counterparty, as it reports them or as we computed
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CounterpartyTotals {
    pub paid_minor: i64,
    pub paid_count: i64,
    pub received_minor: i64,
    pub received_count: i64,
}

/// One figure on which a participant's totals and ours disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub counterparty: ParticipantId,
    /// `paid_minor`, `paid_count`, `received_minor` or `received_count`.
    pub figure: &'static str,
    pub theirs: i64,
    pub ours: i64,
    /// Theirs − ours.
    pub difference: i64,
}

/// Compares a participant's own totals with ours, counterparty by counterparty; a
/// counterparty missing on one side counts as zero there.
pub fn reconcile(
    ours: &BTreeMap<ParticipantId, CounterpartyTotals>,
    theirs: &BTreeMap<ParticipantId, CounterpartyTotals>,
) -> Vec<Difference> {
    let mut counterparties: Vec<ParticipantId> = ours.keys().chain(theirs.keys()).copied().collect();
    counterparties.sort_unstable();
    counterparties.dedup();
    let mut differences = Vec::new();
    for counterparty in counterparties {
        let o = ours.get(&counterparty).copied().unwrap_or_default();
        let t = theirs.get(&counterparty).copied().unwrap_or_default();
        for (figure, theirs, ours) in [
            ("paid_minor", t.paid_minor, o.paid_minor),
            ("paid_count", t.paid_count, o.paid_count),
            ("received_minor", t.received_minor, o.received_minor),
            ("received_count", t.received_count, o.received_count),
        ] {
            if theirs != ours {
                differences.push(Difference {
                    counterparty,
                    figure,
                    theirs,
                    ours,
                    difference: theirs.saturating_sub(ours),
                });
            }
        }
    }
    differences
}

/// A participant's totals per counterparty, from a cycle's flows.
pub fn counterparty_totals(flows: &[Flow], participant: ParticipantId) -> BTreeMap<ParticipantId, CounterpartyTotals> {
    let mut totals: BTreeMap<ParticipantId, CounterpartyTotals> = BTreeMap::new();
    for flow in flows {
        if flow.payer == participant {
            let t = totals.entry(flow.payee).or_default();
            t.paid_minor = t.paid_minor.saturating_add(flow.amount_minor);
            t.paid_count = t.paid_count.saturating_add(flow.count);
        } else if flow.payee == participant {
            let t = totals.entry(flow.payer).or_default();
            t.received_minor = t.received_minor.saturating_add(flow.amount_minor);
            t.received_count = t.received_count.saturating_add(flow.count);
        }
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn flow(payer: i64, payee: i64, amount_minor: i64) -> Flow {
        Flow { payer, payee, amount_minor, count: 1 }
    }

    #[test]
    fn a_worked_example() {
        // A pays B 100, B pays C 70, C pays A 20, A pays C 10.
        let netting = net(&[flow(1, 2, 100), flow(2, 3, 70), flow(3, 1, 20), flow(1, 3, 10)]).unwrap();
        let nets: Vec<(i64, i64)> = netting.positions.iter().map(|p| (p.participant, p.net_minor)).collect();
        assert_eq!(nets, vec![(1, -90), (2, 30), (3, 60)]);
        assert_eq!(
            netting.instructions,
            vec![Instruction { from: 1, to: 3, amount_minor: 60 }, Instruction { from: 1, to: 2, amount_minor: 30 }]
        );
        let pair_13 = netting.bilateral.iter().find(|b| (b.a, b.b) == (1, 3)).unwrap();
        assert_eq!((pair_13.a_to_b_minor, pair_13.b_to_a_minor, pair_13.net_a_minor), (10, 20, 10));
    }

    #[test]
    fn refuses_what_cannot_be_a_flow() {
        assert_eq!(net(&[flow(4, 4, 1)]), Err(NettingError::SelfFlow(4)));
        assert!(matches!(net(&[flow(1, 2, -1)]), Err(NettingError::Negative { .. })));
        assert_eq!(net(&[flow(1, 2, i64::MAX), flow(1, 2, 1)]), Err(NettingError::Overflow));
    }

    #[test]
    fn months_and_days_in_china() {
        let jan_31 = Date::from_calendar_date(2018, Month::January, 31).unwrap();
        assert_eq!(CyclePeriod::Month.start_of(jan_31), Date::from_calendar_date(2018, Month::January, 1).unwrap());
        let dec = Date::from_calendar_date(2018, Month::December, 1).unwrap();
        assert_eq!(CyclePeriod::Month.next_start(dec), Date::from_calendar_date(2019, Month::January, 1).unwrap());
        assert_eq!(CyclePeriod::Day.next_start(jan_31), Date::from_calendar_date(2018, Month::February, 1).unwrap());
        // 2018-02-01 00:00 in China is 2018-01-31 16:00 UTC.
        let begins = day_begins(Date::from_calendar_date(2018, Month::February, 1).unwrap());
        assert_eq!(begins.to_offset(UtcOffset::UTC).hour(), 16);
        assert_eq!(china_day(begins), Date::from_calendar_date(2018, Month::February, 1).unwrap());
    }

    #[test]
    fn instants_with_and_without_offset() {
        let with = parse_instant("2018-03-05T08:30:00+08:00").unwrap();
        assert_eq!(parse_instant("2018-03-05 08:30").unwrap(), with);
        assert_eq!(parse_instant("2018-03-05T00:30:00Z").unwrap(), with);
        assert!(parse_instant("2018-03-05").unwrap_err().contains("RFC 3339"));
    }

    #[test]
    fn reconciliation_lists_each_differing_figure() {
        let ours = BTreeMap::from([(2, CounterpartyTotals { paid_minor: 100, paid_count: 1, ..Default::default() })]);
        let theirs = BTreeMap::from([
            (2, CounterpartyTotals { paid_minor: 90, paid_count: 1, ..Default::default() }),
            (3, CounterpartyTotals { received_minor: 5, received_count: 1, ..Default::default() }),
        ]);
        let differences = reconcile(&ours, &theirs);
        let listed: Vec<(i64, &str, i64)> =
            differences.iter().map(|d| (d.counterparty, d.figure, d.difference)).collect();
        assert_eq!(listed, vec![(2, "paid_minor", -10), (3, "received_minor", 5), (3, "received_count", 1)]);
        assert!(reconcile(&ours, &ours).is_empty());
    }

    fn flows_strategy() -> impl Strategy<Value = Vec<Flow>> {
        proptest::collection::vec((1i64..12, 1i64..12, 0i64..1_000_000_000), 0..200).prop_map(|raw| {
            raw.into_iter()
                .filter(|(p, q, _)| p != q)
                .map(|(payer, payee, amount)| flow(payer, payee, amount))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn positions_sum_to_zero_and_instructions_settle_them(flows in flows_strategy()) {
            let netting = net(&flows).unwrap();
            let total: i64 = netting.positions.iter().map(|p| p.net_minor).sum();
            prop_assert_eq!(total, 0);
            // Applying the instructions leaves every position at zero.
            let mut left: BTreeMap<i64, i64> = netting.positions.iter().map(|p| (p.participant, p.net_minor)).collect();
            for instruction in &netting.instructions {
                prop_assert!(instruction.amount_minor > 0);
                *left.get_mut(&instruction.from).unwrap() += instruction.amount_minor;
                *left.get_mut(&instruction.to).unwrap() -= instruction.amount_minor;
            }
            prop_assert!(left.values().all(|&v| v == 0));
            let with_position = netting.positions.iter().filter(|p| p.net_minor != 0).count();
            prop_assert!(netting.instructions.len() < with_position.max(1));
            // Each participant's net is the sum of its bilateral nets.
            for position in &netting.positions {
                let from_pairs: i64 = netting.bilateral.iter().map(|b| {
                    if b.a == position.participant { b.net_a_minor }
                    else if b.b == position.participant { -b.net_a_minor }
                    else { 0 }
                }).sum();
                prop_assert_eq!(from_pairs, position.net_minor);
            }
        }

        #[test]
        fn order_does_not_matter_and_sums_agree(flows in flows_strategy(), seed in any::<u64>()) {
            let mut shuffled = flows.clone();
            let n = shuffled.len();
            if n > 1 {
                let mut state = seed;
                for i in (1..n).rev() {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    shuffled.swap(i, (state >> 33) as usize % (i + 1));
                }
            }
            prop_assert_eq!(net(&flows).unwrap(), net(&shuffled).unwrap());
            // The same flows as transactions summed through FlowSums, split in two
            // halves and merged, net the same.
            let (left, right) = shuffled.split_at(n / 2);
            let mut a = FlowSums::new();
            for f in left { a.add(f.payer, f.payee, f.amount_minor); }
            let mut b = FlowSums::new();
            for f in right { b.add(f.payer, f.payee, f.amount_minor); }
            a.merge(b).unwrap();
            prop_assert_eq!(net(&a.flows().unwrap()).unwrap(), net(&flows).unwrap());
        }
    }
}
