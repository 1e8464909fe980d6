//! Investment statistics (SPEC §4): the formulas of the official monthly table, on exact
//! decimals. Values are sums in fen; percentages are exact until they are published,
//! when they are rounded to one decimal, half away from zero.
//!
//! - growth % = (cum(Y, 1..N) / cum(Y−1, 1..N) − 1) × 100, both sums over today's data
//!   (a comparable basis); no growth without a base;
//! - share % = value / parent's value × 100;
//! - contribution (percentage points) = Δregion / total(Y−1) × 100;
//! - contribution rate % = Δregion / Δtotal × 100;
//! - rank: among the siblings, on the published (one-decimal) growth, highest first;
//!   equal published values share a rank and the next rank is skipped (1, 2, 2, 4);
//!   a region without a base has no growth and no rank.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// A percentage as published: one decimal (always written, "20.0"), half away from zero.
pub fn published(value: Decimal) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(1);
    rounded
}

/// A percentage as published, as text ("24.1"); `None` stays `None`.
pub fn published_text(value: Option<Decimal>) -> Option<String> {
    value.map(|v| published(v).to_string())
}

fn ratio_percent(numerator: i64, denominator: i64) -> Option<Decimal> {
    if denominator == 0 {
        return None;
    }
    Decimal::from(numerator).checked_mul(Decimal::ONE_HUNDRED)?.checked_div(Decimal::from(denominator))
}

/// Year-on-year growth in percent; `None` without a base (previous ≤ 0).
pub fn growth_percent(current: i64, previous: i64) -> Option<Decimal> {
    if previous <= 0 {
        return None;
    }
    ratio_percent(current.checked_sub(previous)?, previous)
}

/// `part` as a percentage of `whole`; `None` when the whole is zero.
pub fn share_percent(part: i64, whole: i64) -> Option<Decimal> {
    ratio_percent(part, whole)
}

/// Contribution to the total's growth in percentage points.
pub fn contribution_points(delta: i64, total_previous: i64) -> Option<Decimal> {
    if total_previous <= 0 {
        return None;
    }
    ratio_percent(delta, total_previous)
}

/// The region's share of the total's change, in percent; `None` when the total did not change.
pub fn contribution_rate(delta: i64, total_delta: i64) -> Option<Decimal> {
    ratio_percent(delta, total_delta)
}

/// Competition ranks, highest first: equal values share the rank, the next is skipped
/// (1, 2, 2, 4); `None` values are not ranked.
pub fn ranks(values: &[Option<Decimal>]) -> Vec<Option<u32>> {
    values
        .iter()
        .map(|value| {
            value.map(|v| {
                let above = values.iter().flatten().filter(|other| **other > v).count();
                u32::try_from(above + 1).unwrap_or(u32::MAX)
            })
        })
        .collect()
}

/// One region's sums for the period and the same months a year earlier, in fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionSums {
    pub region_code: String,
    pub current_minor: i64,
    pub previous_minor: i64,
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableLine {
    pub region_code: String,
    pub current_minor: i64,
    pub previous_minor: i64,
    /// Exact; publish with [`published`].
    pub growth_percent: Option<Decimal>,
    /// Of the parent region's value.
    pub share_percent: Option<Decimal>,
    pub rank: Option<u32>,
    pub contribution_points: Option<Decimal>,
    pub contribution_rate: Option<Decimal>,
}

/// The official table: the parent region's total line and one line per child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionTable {
    pub total: TableLine,
    pub children: Vec<TableLine>,
}

/// Builds the table from the parent's sums and its children's. The parent's sums are
/// given, not added up here: figures roll up the region tree, and a project registered
/// directly at the parent level counts in the parent but in no child.
pub fn region_table(total: &RegionSums, children: &[RegionSums]) -> RegionTable {
    let total_delta = total.current_minor.saturating_sub(total.previous_minor);
    let line = |sums: &RegionSums, parent: Option<&RegionSums>| {
        let delta = sums.current_minor.saturating_sub(sums.previous_minor);
        TableLine {
            region_code: sums.region_code.clone(),
            current_minor: sums.current_minor,
            previous_minor: sums.previous_minor,
            growth_percent: growth_percent(sums.current_minor, sums.previous_minor),
            share_percent: parent.and_then(|p| share_percent(sums.current_minor, p.current_minor)),
            rank: None,
            contribution_points: parent.and_then(|p| contribution_points(delta, p.previous_minor)),
            contribution_rate: parent.and_then(|_| contribution_rate(delta, total_delta)),
        }
    };
    let mut lines: Vec<TableLine> = children.iter().map(|c| line(c, Some(total))).collect();
    let published_growth: Vec<Option<Decimal>> = lines.iter().map(|l| l.growth_percent.map(published)).collect();
    for (line, rank) in lines.iter_mut().zip(ranks(&published_growth)) {
        line.rank = rank;
    }
    let mut total_line = line(total, None);
    total_line.share_percent = Some(Decimal::ONE_HUNDRED).filter(|_| total.current_minor != 0);
    RegionTable { total: total_line, children: lines }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn sums(code: &str, current: i64, previous: i64) -> RegionSums {
        RegionSums { region_code: code.into(), current_minor: current, previous_minor: previous }
    }

    #[test]
    fn jiaxing_first_quarter_2023_is_24_1_percent_up() {
        // 29.03 billion yuan on a base of 23.39 billion (demo_facts.md).
        let growth = growth_percent(2_903_000_000_000, 2_339_000_000_000).unwrap();
        assert_eq!(published(growth), dec("24.1"));
        // 63.89 billion yuan of 178.96 billion fixed-asset investment is 35.7%.
        assert_eq!(published(share_percent(6_389_000_000_000, 17_896_000_000_000).unwrap()), dec("35.7"));
        assert_eq!(growth_percent(1, 0), None);
        assert_eq!(published(dec("0.05")), dec("0.1"));
        assert_eq!(published(dec("-0.05")), dec("-0.1"));
    }

    #[test]
    fn a_worked_table() {
        // Three children: A 150 on 100 (+50%), B 120 on 80 (+50%), C 30 on 60 (−50%);
        // the parent also has 10 registered at its own level (so 310 on 240).
        let table = region_table(
            &sums("P", 310, 240),
            &[sums("A", 150, 100), sums("B", 120, 80), sums("C", 30, 60), sums("D", 10, 0)],
        );
        let [a, b, c, d] = &table.children[..] else { panic!("four lines") };
        assert_eq!((a.rank, b.rank, c.rank, d.rank), (Some(1), Some(1), Some(3), None), "ties share, next skipped");
        assert_eq!(a.growth_percent, Some(dec("50")));
        assert_eq!(d.growth_percent, None, "no base, no growth");
        assert_eq!(published(a.share_percent.unwrap()), dec("48.4"));
        // ΔA = 50 of a total of 240 a year earlier: 20.8 points; ΔP = 70, so 71.4% of it.
        assert_eq!(published(a.contribution_points.unwrap()), dec("20.8"));
        assert_eq!(published(a.contribution_rate.unwrap()), dec("71.4"));
        assert_eq!(published(c.contribution_points.unwrap()), dec("-12.5"));
        assert_eq!(published(table.total.growth_percent.unwrap()), dec("29.2"));
        assert_eq!(table.total.share_percent, Some(dec("100")));
        assert_eq!(table.total.rank, None);
    }

    proptest! {
        /// Contributions in points add up to the total's growth when the children make
        /// up the whole total, and rates add up to 100.
        #[test]
        fn contributions_add_up(values in proptest::collection::vec((0_i64..1_000_000, 1_i64..1_000_000), 1..12)) {
            let children: Vec<RegionSums> =
                values.iter().enumerate().map(|(i, (c, p))| sums(&i.to_string(), *c, *p)).collect();
            let total = sums("T", values.iter().map(|v| v.0).sum(), values.iter().map(|v| v.1).sum());
            let table = region_table(&total, &children);
            let points: Decimal = table.children.iter().filter_map(|l| l.contribution_points).sum();
            let growth = table.total.growth_percent.unwrap();
            prop_assert!((points - growth).abs() < dec("0.000001"), "{points} vs {growth}");
            if total.current_minor != total.previous_minor {
                let rates: Decimal = table.children.iter().filter_map(|l| l.contribution_rate).sum();
                prop_assert!((rates - Decimal::ONE_HUNDRED).abs() < dec("0.000001"), "{rates}");
            }
            // Every rank is 1 + the number of strictly better published growths.
            for line in &table.children {
                let mine = line.growth_percent.map(published);
                let better = table.children.iter().filter(|o| o.growth_percent.map(published) > mine).count();
                prop_assert_eq!(line.rank, mine.map(|_| u32::try_from(better + 1).unwrap()));
            }
        }
    }
}
