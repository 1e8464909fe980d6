//! Industry guidance funds (SPEC §5): the use cases over the fund ledger, and the batch
//! XIRR path used by `bridgehead funds xirr --batch`.

use bridgehead_domain::funds::xirr::{CashFlow, XirrResult, XirrSolver};

/// XIRR of many series at once, on every core: the series are cut into one contiguous
/// chunk per thread, each with its own solver (no allocation per series), and the
/// answers come back in input order.
pub fn xirr_batch<S: AsRef<[CashFlow]> + Sync>(series: &[S]) -> Vec<XirrResult> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    if threads <= 1 || series.len() < 256 {
        let mut solver = XirrSolver::new();
        return series.iter().map(|s| solver.solve(s.as_ref())).collect();
    }
    let chunk = series.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = series
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut solver = XirrSolver::new();
                    part.iter().map(|s| solver.solve(s.as_ref())).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    })
}
