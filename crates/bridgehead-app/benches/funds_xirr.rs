//! XIRR over many series: Bridgehead's batch path (all cores) and one core, on the
//! series of a batch cash-flow file (series,date,amount), timing only the computation.
//!
//!   cargo bench -p bridgehead-app --bench funds_xirr -- FLOWS.csv [RUNS] [PYXIRR_RESULTS.csv]
//!
//! Prints the median of RUNS runs (default 5) for both, and, given pyxirr's results for
//! the same file (benches/funds/pyxirr_batch.py), how many answers agree to 1e-6.

use std::time::Instant;

use bridgehead_app::funds::xirr_batch;
use bridgehead_domain::funds::xirr::{CashFlow, XirrSolver};

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let path = args.first().expect("usage: funds_xirr FLOWS.csv [RUNS] [PYXIRR_RESULTS.csv]");
    let runs: usize = args.get(1).map_or(5, |r| r.parse().expect("runs"));
    let bytes = std::fs::read(path).expect("read the flows");
    let series = bridgehead_io::funds::read_cash_flows(&bytes, true).expect("a batch file");
    let flows: Vec<&[CashFlow]> = series.iter().map(|s| s.flows.as_slice()).collect();
    let n = flows.len() as f64;

    let mut batch_times = Vec::new();
    let mut results = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        results = xirr_batch(&flows);
        batch_times.push(start.elapsed().as_secs_f64());
    }
    let mut single_times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let mut solver = XirrSolver::new();
        let answers: usize = flows.iter().filter(|f| solver.solve(f).is_ok()).count();
        single_times.push(start.elapsed().as_secs_f64());
        assert!(answers <= flows.len());
    }
    let (batch, single) = (median(batch_times), median(single_times));
    println!(
        "bridgehead_batch {} series: median {batch:.4} s ({:.3} us a series), {} threads",
        flows.len(),
        batch * 1e6 / n,
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    );
    println!("bridgehead_one_core {} series: median {single:.4} s ({:.3} us a series)", flows.len(), single * 1e6 / n);

    if let Some(theirs) = args.get(2) {
        let mut reader = csv::Reader::from_path(theirs).expect("pyxirr results");
        let (mut same, mut differ, mut max_diff) = (0usize, 0usize, 0f64);
        for (record, ours) in reader.records().zip(&results) {
            let record = record.expect("a results line");
            let theirs: Option<f64> = record[1].parse().ok();
            match (ours.as_ref().ok(), theirs) {
                (Some(a), Some(b)) => {
                    let diff = (a - b).abs();
                    max_diff = max_diff.max(diff);
                    if diff <= 1e-6 * (1.0 + b.abs()) { same += 1 } else { differ += 1 }
                }
                (None, None) => same += 1,
                _ => differ += 1,
            }
        }
        println!("answers: {same} agree with pyxirr, {differ} differ; largest difference {max_diff:.3e}");
    }
}
