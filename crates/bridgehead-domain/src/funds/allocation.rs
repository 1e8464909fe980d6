//! Pro-rata allocation in cents that always sums exactly to the total: the largest
//! remainder method (Hamilton). Each share first gets the whole cents of
//! `total × weight / Σweights`; the cents left over go one each to the shares with the
//! largest remainders. **Tie rule:** among equal remainders the larger weight goes
//! first, then the earlier entry (the order given — for LPs, the order of admission).

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AllocationError {
    #[error("nothing to allocate against: every weight is zero")]
    NoWeight,
    #[error("a weight cannot be negative (entry {index}: {weight})")]
    NegativeWeight { index: usize, weight: i64 },
}

/// Splits `total` (minor units, either sign) in proportion to `weights`.
pub fn allocate(total: i64, weights: &[i64]) -> Result<Vec<i64>, AllocationError> {
    if let Some((index, &weight)) = weights.iter().enumerate().find(|(_, w)| **w < 0) {
        return Err(AllocationError::NegativeWeight { index, weight });
    }
    let sum: i128 = weights.iter().map(|&w| i128::from(w)).sum();
    if sum == 0 {
        return Err(AllocationError::NoWeight);
    }
    let magnitude = i128::from(total).abs();
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given: i128 = 0;
    for (index, &weight) in weights.iter().enumerate() {
        let product = magnitude * i128::from(weight);
        let whole = product / sum;
        given += whole;
        parts.push(whole);
        remainders.push((product % sum, weight, index));
    }
    // Largest remainder first; then larger weight; then the earlier entry.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    let left = magnitude - given;
    for &(_, _, index) in remainders.iter().take(usize::try_from(left).unwrap_or(usize::MAX)) {
        parts[index] += 1;
    }
    let sign = if total < 0 { -1 } else { 1 };
    // Every part is at most |total|, so it fits in i64.
    Ok(parts.into_iter().map(|p| sign * i64::try_from(p).unwrap_or(i64::MAX)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worked_examples() {
        // 100.00 among three equal LPs: 33.34 / 33.33 / 33.33 — the tie goes to the first.
        assert_eq!(allocate(10_000, &[1, 1, 1]).unwrap(), vec![3_334, 3_333, 3_333]);
        // 0.05 by weights 1, 7, 2: 0.005 / 0.035 / 0.01 — the first two both have half a
        // cent left; the larger weight (7) takes it although it comes second.
        assert_eq!(allocate(5, &[1, 7, 2]).unwrap(), vec![0, 4, 1]);
        assert_eq!(allocate(1, &[1, 3]).unwrap(), vec![0, 1]);
        assert_eq!(allocate(1, &[4, 4]).unwrap(), vec![1, 0]);
        // Negative totals mirror positive ones.
        assert_eq!(allocate(-10_000, &[1, 1, 1]).unwrap(), vec![-3_334, -3_333, -3_333]);
        assert_eq!(allocate(0, &[5, 7]).unwrap(), vec![0, 0]);
        assert_eq!(allocate(7, &[0, 0, 1]).unwrap(), vec![0, 0, 7]);
        assert_eq!(allocate(1, &[0, 0]), Err(AllocationError::NoWeight));
        assert_eq!(allocate(1, &[2, -1]), Err(AllocationError::NegativeWeight { index: 1, weight: -1 }));
        // No overflow with the largest amounts.
        let parts = allocate(i64::MAX, &[i64::MAX, 1]).unwrap();
        assert_eq!(parts.iter().map(|&p| i128::from(p)).sum::<i128>(), i128::from(i64::MAX));
    }

    proptest! {
        #[test]
        fn parts_sum_exactly_and_stay_within_a_cent(
            total in -1_000_000_000_000i64..1_000_000_000_000,
            weights in proptest::collection::vec(0i64..1_000_000_000_000, 1..40),
        ) {
            prop_assume!(weights.iter().any(|&w| w > 0));
            let parts = allocate(total, &weights).unwrap();
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            let sum: f64 = weights.iter().map(|&w| w as f64).sum();
            for (part, weight) in parts.iter().zip(&weights) {
                let exact = total as f64 * *weight as f64 / sum;
                prop_assert!((*part as f64 - exact).abs() < 1.0 + 1e-9 * exact.abs());
                if *weight == 0 { prop_assert_eq!(*part, 0); }
            }
        }
    }
}
