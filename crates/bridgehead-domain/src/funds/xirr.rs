//! XIRR: the annual rate `r` at which dated cash flows have a net present value of zero,
//! Σ vᵢ / (1 + r)^((dᵢ − d₀) / 365) = 0 — Actual/365, the convention of Excel's and
//! LibreOffice's XIRR. Flows on the same day are netted first.
//!
//! The solver works in `s = ln(1 + r)`, where the value is a sum of exponentials
//! f(s) = Σ vᵢ·e^(−tᵢ·s). By Laguerre's extension of Descartes' rule of signs, f has at
//! most as many real roots as the date-ordered flows have sign changes, so:
//!
//! - no sign change: there is no rate ([`NoRate::NoSignChange`]);
//! - one sign change: exactly one rate exists; f takes the sign of the first flow above
//!   it and of the last flow below it, so every evaluation narrows a bracket, and Newton
//!   steps that leave the bracket are replaced by bisection — it always converges;
//! - several sign changes: the rate need not be unique, so the solver scans s between
//!   bounds that every root lies within (finely over r ∈ (−99.995 %, 2,202,546 %)) for
//!   every crossing and refines each; one root is the answer, several are reported as
//!   [`NoRate::SeveralRoots`], none as [`NoRate::NoConvergence`].
//!
//! The value is evaluated scaled so that no exponent is positive: nothing overflows.
//!
//! Rates are returned as fractions (0.3734 for 37.34 %).

use serde::Serialize;

/// One dated cash flow: `day` is any day number (e.g. a Julian day), `amount` is signed
/// (negative paid out, positive received).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CashFlow {
    pub day: i32,
    pub amount: f64,
}

/// Why a series has no XIRR.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum NoRate {
    /// Fewer than two dates with a non-zero net flow.
    TooFewFlows,
    /// Every flow has the same sign: no rate makes the value zero.
    NoSignChange,
    /// An amount is not a finite number.
    NotFinite,
    /// Several sign changes, yet no rate makes the value zero (it touches zero at most).
    NoConvergence,
    /// The rate exists but is within 10⁻⁹ of −100 % (where a number no longer holds it
    /// to useful precision) or beyond the largest number — e.g. a large gain or loss
    /// within a few days, annualised.
    OutOfRange,
    /// More than one rate makes the value zero (all are listed, lowest first).
    SeveralRoots { rates: Vec<f64> },
}

impl NoRate {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            NoRate::TooFewFlows => "too_few_flows",
            NoRate::NoSignChange => "no_sign_change",
            NoRate::NotFinite => "not_finite",
            NoRate::NoConvergence => "no_convergence",
            NoRate::OutOfRange => "out_of_range",
            NoRate::SeveralRoots { .. } => "several_roots",
        }
    }
}

impl std::fmt::Display for NoRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoRate::TooFewFlows => f.write_str("no rate: fewer than two dates with a non-zero net flow"),
            NoRate::NoSignChange => f.write_str("no rate: all flows have the same sign"),
            NoRate::NotFinite => f.write_str("no rate: an amount is not a finite number"),
            NoRate::NoConvergence => f.write_str("no rate: the net present value is zero at no rate"),
            NoRate::OutOfRange => f.write_str("no rate: the rate is too close to -100% or too large to be represented"),
            NoRate::SeveralRoots { rates } => {
                f.write_str("no single rate: the net present value is zero at")?;
                for (i, rate) in rates.iter().enumerate() {
                    write!(f, "{}{rate:.9}", if i == 0 { " " } else { ", " })?;
                }
                Ok(())
            }
        }
    }
}

pub type XirrResult = Result<f64, NoRate>;

const DAYS_PER_YEAR: f64 = 365.0;
const SCAN_LOW: f64 = -10.0;
const SCAN_HIGH: f64 = 10.0;
const SCAN_STEPS: usize = 800;
const OUTER_STEPS: usize = 200;
const MAX_ITERATIONS: usize = 200;

/// A reusable solver: it keeps its buffers between series, so a batch allocates once.
#[derive(Debug, Default)]
pub struct XirrSolver {
    times: Vec<f64>,
    values: Vec<f64>,
    sorted: Vec<CashFlow>,
}

/// The XIRR of one series (see the module documentation).
pub fn xirr(flows: &[CashFlow]) -> XirrResult {
    XirrSolver::default().solve(flows)
}

impl XirrSolver {
    pub fn new() -> Self {
        Self::default()
    }

    /// The XIRR of one series.
    pub fn solve(&mut self, flows: &[CashFlow]) -> XirrResult {
        if flows.iter().any(|f| !f.amount.is_finite()) {
            return Err(NoRate::NotFinite);
        }
        self.net(flows);
        let n = self.values.len();
        if n < 2 {
            return Err(NoRate::TooFewFlows);
        }
        let mut changes = 0;
        for pair in self.values.windows(2) {
            if (pair[0] < 0.0) != (pair[1] < 0.0) {
                changes += 1;
            }
        }
        match changes {
            0 => Err(NoRate::NoSignChange),
            1 => {
                let rate = self.unique_root()?.exp_m1();
                if representable(rate) { Ok(rate) } else { Err(NoRate::OutOfRange) }
            }
            _ => self.scan(),
        }
    }

    /// Sorts by day, nets same-day flows, drops zero nets; fills `times` (years from
    /// the first date) and `values`.
    fn net(&mut self, flows: &[CashFlow]) {
        self.times.clear();
        self.values.clear();
        let ordered: &[CashFlow] = if flows.windows(2).all(|w| w[0].day <= w[1].day) {
            flows
        } else {
            self.sorted.clear();
            self.sorted.extend_from_slice(flows);
            self.sorted.sort_by_key(|f| f.day);
            &self.sorted
        };
        let mut i = 0;
        let mut first_day = None;
        while i < ordered.len() {
            let day = ordered[i].day;
            let mut sum = 0.0;
            while i < ordered.len() && ordered[i].day == day {
                sum += ordered[i].amount;
                i += 1;
            }
            if sum != 0.0 {
                let first = *first_day.get_or_insert(day);
                self.times.push(f64::from(day - first) / DAYS_PER_YEAR);
                self.values.push(sum);
            }
        }
    }

    /// g(s) = f(s)·e^(ref·s) and g'(s), with `ref` the first time (0) for s ≥ 0 and the
    /// last for s < 0, so that no exponent is positive and nothing overflows; g has the
    /// sign and the roots of f.
    #[inline]
    fn value_and_slope(&self, s: f64) -> (f64, f64) {
        let reference = if s < 0.0 { self.times.last().copied().unwrap_or(0.0) } else { 0.0 };
        let mut f = 0.0;
        let mut slope = 0.0;
        for (&t, &v) in self.times.iter().zip(&self.values) {
            let shifted = t - reference;
            let term = v * (-shifted * s).exp();
            f += term;
            slope -= shifted * term;
        }
        (f, slope)
    }

    /// g, g' and g'' (as [`Self::value_and_slope`]).
    #[inline]
    fn value_slope_curvature(&self, s: f64) -> (f64, f64, f64) {
        let reference = if s < 0.0 { self.times.last().copied().unwrap_or(0.0) } else { 0.0 };
        let (mut f, mut slope, mut curvature) = (0.0, 0.0, 0.0);
        for (&t, &v) in self.times.iter().zip(&self.values) {
            let shifted = t - reference;
            let term = v * (-shifted * s).exp();
            f += term;
            slope -= shifted * term;
            curvature += shifted * shifted * term;
        }
        (f, slope, curvature)
    }

    #[inline]
    fn value(&self, s: f64) -> f64 {
        self.value_and_slope(s).0
    }

    /// Every root of f lies in [low, high]: above `high` the first flow outweighs all
    /// the others discounted from the next date on; below `low` the last flow does.
    fn root_bounds(&self) -> (f64, f64) {
        let n = self.values.len();
        let first = self.values[0].abs();
        let last = self.values[n - 1].abs();
        let rest_after_first: f64 = self.values[1..].iter().map(|v| v.abs()).sum();
        let rest_before_last: f64 = self.values[..n - 1].iter().map(|v| v.abs()).sum();
        let high = (rest_after_first / first).ln().max(0.0) / self.times[1] + 1.0;
        let low = -(rest_before_last / last).ln().max(0.0) / (self.times[n - 1] - self.times[n - 2]) - 1.0;
        (low.max(-1e6), high.min(1e6))
    }

    /// One sign change: a safeguarded Newton iteration on s, starting from the rate that
    /// would turn the outflows' weighted mean date into the inflows' weighted mean date.
    fn unique_root(&self) -> Result<f64, NoRate> {
        let first_negative = self.values[0] < 0.0;
        // Above the root f has the first flow's sign, below it the last flow's.
        let (mut low, mut high) = (f64::NEG_INFINITY, f64::INFINITY);
        let mut s = self.initial_guess();
        for _ in 0..MAX_ITERATIONS {
            let (f, slope, curvature) = self.value_slope_curvature(s);
            if f == 0.0 {
                return Ok(s);
            }
            if (f < 0.0) != first_negative {
                low = s;
            } else {
                high = s;
            }
            // Halley's step (cubic convergence: two or three evaluations from the first
            // guess), or Newton's where Halley's would turn or more than double it. Far
            // from the root the value is nearly flat or exponential and a step may
            // overshoot by thousands, so it is held to 1 + |s| (the bracket then grows
            // geometrically).
            let newton = -f / slope;
            let damping = 1.0 - 0.5 * newton * curvature / slope;
            let halley = damping >= 0.5;
            let step = if halley { newton / damping } else { newton };
            let reach = 1.0 + s.abs();
            let mut next = s + step.clamp(-reach, reach);
            // A plain Halley step this small leaves an error of the order of its cube.
            if halley && step.abs() <= 1e-8 * reach && next > low && next < high {
                return Ok(next);
            }
            if !next.is_finite() || next <= low || next >= high {
                next = match (low.is_finite(), high.is_finite()) {
                    (true, true) => 0.5 * (low + high),
                    (true, false) => low + 1.0 + low.abs(),
                    (false, true) => high - 1.0 - high.abs(),
                    // Never: the first evaluation makes one side finite.
                    (false, false) => s + 1.0,
                };
            }
            // Any other step: converged when it is down to 1e-12.
            if (next - s).abs() <= 1e-12 * (1.0 + s.abs()) {
                return Ok(next);
            }
            if high - low <= 1e-15 * (1.0 + s.abs()) {
                return Ok(0.5 * (low + high));
            }
            s = next;
        }
        Err(NoRate::NoConvergence)
    }

    fn initial_guess(&self) -> f64 {
        let (mut inflow, mut outflow, mut inflow_time, mut outflow_time) = (0.0, 0.0, 0.0, 0.0);
        for (&t, &v) in self.times.iter().zip(&self.values) {
            if v > 0.0 {
                inflow += v;
                inflow_time += t * v;
            } else {
                outflow -= v;
                outflow_time -= t * v;
            }
        }
        let span = inflow_time / inflow - outflow_time / outflow;
        let guess = (inflow / outflow).ln() / span;
        if guess.is_finite() { guess.clamp(-40.0, 40.0) } else { 0.1 }
    }

    /// Several sign changes: find every crossing on a grid of s and refine each. The
    /// grid is fine (steps of 0.025) over s ∈ [−10, 10], i.e. rates from −99.995 % to
    /// 2,202,546 %, and coarser out to the bounds every root lies within.
    fn scan(&self) -> XirrResult {
        let (low, high) = self.root_bounds();
        let mut grid: Vec<f64> = Vec::with_capacity(SCAN_STEPS + 2 * OUTER_STEPS + 2);
        if low < SCAN_LOW {
            grid.extend((0..OUTER_STEPS).map(|k| low + (SCAN_LOW - low) * k as f64 / OUTER_STEPS as f64));
        }
        let step = (SCAN_HIGH - SCAN_LOW) / SCAN_STEPS as f64;
        grid.extend((0..=SCAN_STEPS).map(|k| SCAN_LOW + step * k as f64));
        if high > SCAN_HIGH {
            grid.extend((1..=OUTER_STEPS).map(|k| SCAN_HIGH + (high - SCAN_HIGH) * k as f64 / OUTER_STEPS as f64));
        }
        let mut roots: Vec<f64> = Vec::new();
        let mut previous: Option<(f64, f64)> = None;
        for &s in &grid {
            let f = self.value(s);
            if f == 0.0 {
                roots.push(s);
            } else if let Some((previous_s, previous_f)) = previous
                && previous_f != 0.0
                && (f < 0.0) != (previous_f < 0.0)
            {
                roots.push(self.refine(previous_s, previous_f, s));
            }
            previous = Some((s, f));
        }
        let rates: Vec<f64> = roots.into_iter().map(f64::exp_m1).collect();
        match rates.as_slice() {
            [] => Err(NoRate::NoConvergence),
            [rate] if representable(*rate) => Ok(*rate),
            [_] => Err(NoRate::OutOfRange),
            _ => Err(NoRate::SeveralRoots { rates }),
        }
    }

    /// A root inside [low, high] where f changes sign: Newton steps kept inside the
    /// bracket, bisection otherwise.
    fn refine(&self, mut low: f64, f_low: f64, mut high: f64) -> f64 {
        let low_negative = f_low < 0.0;
        let mut s = 0.5 * (low + high);
        for _ in 0..MAX_ITERATIONS {
            let (f, slope) = self.value_and_slope(s);
            if f == 0.0 {
                return s;
            }
            if (f < 0.0) == low_negative {
                low = s;
            } else {
                high = s;
            }
            let mut next = s - f / slope;
            if !next.is_finite() || next <= low || next >= high {
                next = 0.5 * (low + high);
            }
            if (next - s).abs() <= 1e-14 * (1.0 + s.abs()) || high - low <= 1e-15 * (1.0 + s.abs()) {
                return next;
            }
            s = next;
        }
        s
    }
}

/// A rate is reported when `1 + r` is at least 10⁻⁹ and finite.
fn representable(rate: f64) -> bool {
    rate.is_finite() && rate >= -1.0 + 1e-9
}

/// The net present value of the flows at `rate` (Actual/365 from the earliest date).
pub fn xnpv(rate: f64, flows: &[CashFlow]) -> f64 {
    let Some(first) = flows.iter().map(|f| f.day).min() else {
        return 0.0;
    };
    let s = rate.ln_1p();
    flows.iter().map(|f| f.amount * (-(f64::from(f.day - first) / DAYS_PER_YEAR) * s).exp()).sum()
}

#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)] // amounts written yuan_cents
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn flow(d: time::Date, amount: f64) -> CashFlow {
        CashFlow { day: d.to_julian_day(), amount }
    }

    /// Microsoft's documentation of XIRR ("XIRR function", Excel support): the five
    /// flows below return 0.373362535 (37.34 %).
    #[test]
    fn microsoft_worked_example() {
        let flows = [
            flow(date!(2008 - 01 - 01), -10_000.0),
            flow(date!(2008 - 03 - 01), 2_750.0),
            flow(date!(2008 - 10 - 30), 4_250.0),
            flow(date!(2009 - 02 - 15), 3_250.0),
            flow(date!(2009 - 04 - 01), 2_750.0),
        ];
        let rate = xirr(&flows).unwrap();
        // Excel prints nine decimals of an iteration stopped at its own tolerance; the
        // exact root is 0.37336253351883…
        assert!((rate - 0.373362535).abs() < 5e-9, "{rate}");
        assert!((rate - 0.373_362_533_518_83).abs() < 1e-13, "{rate}");
        assert!(xnpv(rate, &flows).abs() < 1e-6);
    }

    /// A one-year doubling is 100 %; a loss of half over two years (730 days) is
    /// 1/√2 − 1; the order of the input does not matter; same-day flows are netted.
    #[test]
    fn closed_forms() {
        let doubling = [flow(date!(2021 - 01 - 01), -100.0), flow(date!(2022 - 01 - 01), 200.0)];
        assert!((xirr(&doubling).unwrap() - 1.0).abs() < 1e-12);
        let halving = [flow(date!(2021 - 01 - 01), -100.0), flow(date!(2023 - 01 - 01), 50.0)];
        assert!((xirr(&halving).unwrap() - (0.5f64.sqrt() - 1.0)).abs() < 1e-12);
        let shuffled = [
            flow(date!(2022 - 01 - 01), 150.0),
            flow(date!(2021 - 01 - 01), -100.0),
            flow(date!(2022 - 01 - 01), 50.0),
        ];
        assert!((xirr(&shuffled).unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn reasons_instead_of_numbers() {
        let d = date!(2020 - 01 - 01);
        assert_eq!(xirr(&[]), Err(NoRate::TooFewFlows));
        assert_eq!(xirr(&[flow(d, -5.0), flow(d, 5.0), flow(date!(2021 - 01 - 01), 1.0)]), Err(NoRate::TooFewFlows));
        assert_eq!(xirr(&[flow(d, -5.0), flow(date!(2021 - 01 - 01), -1.0)]), Err(NoRate::NoSignChange));
        assert_eq!(xirr(&[flow(d, f64::NAN), flow(date!(2021 - 01 - 01), 1.0)]), Err(NoRate::NotFinite));
        // -100, +230, -132 at yearly steps: (1+r)² − 2.3(1+r) + 1.32 = 0 → 1+r = 1.1 or 1.2.
        let two = [
            flow(date!(2021 - 01 - 01), -100.0),
            flow(date!(2022 - 01 - 01), 230.0),
            flow(date!(2023 - 01 - 01), -132.0),
        ];
        match xirr(&two) {
            Err(NoRate::SeveralRoots { rates }) => {
                assert_eq!(rates.len(), 2);
                assert!((rates[0] - 0.1).abs() < 1e-9 && (rates[1] - 0.2).abs() < 1e-9, "{rates:?}");
            }
            other => panic!("{other:?}"),
        }
        // -100, +100, -100: the value never reaches zero.
        let none = [
            flow(date!(2021 - 01 - 01), -100.0),
            flow(date!(2022 - 01 - 01), 100.0),
            flow(date!(2023 - 01 - 01), -100.0),
        ];
        assert_eq!(xirr(&none), Err(NoRate::NoConvergence));
        // Two sign changes and still one root: -100, +50, -10, +100.
        let one = [
            flow(date!(2021 - 01 - 01), -100.0),
            flow(date!(2021 - 07 - 01), 50.0),
            flow(date!(2022 - 01 - 01), -10.0),
            flow(date!(2023 - 01 - 01), 100.0),
        ];
        let rate = xirr(&one).unwrap();
        assert!(xnpv(rate, &one).abs() < 1e-9);
    }

    proptest! {
        /// A conventional series (outflows, then inflows) always has a rate, and the
        /// net present value at that rate is zero.
        #[test]
        fn conventional_series_solve(
            outflows in proptest::collection::vec((0i32..400, 1.0f64..1e7), 1..6),
            inflows in proptest::collection::vec((401i32..6000, 1.0f64..1e7), 1..15),
        ) {
            let mut flows: Vec<CashFlow> = outflows.iter().map(|&(d, a)| CashFlow { day: d, amount: -a }).collect();
            flows.extend(inflows.iter().map(|&(d, a)| CashFlow { day: d, amount: a }));
            let rate = xirr(&flows).unwrap();
            // Zero relative to the size of the discounted terms.
            let magnitudes: Vec<CashFlow> = flows.iter().map(|f| CashFlow { day: f.day, amount: f.amount.abs() }).collect();
            let scale = xnpv(rate, &magnitudes);
            prop_assert!(xnpv(rate, &flows).abs() <= 1e-9 * scale, "{} {}", rate, xnpv(rate, &flows));
        }
    }
}
