//! `bridgehead funds xirr` against an independent implementation: pyxirr (PyPI) on
//! thousands of random series — conventional investments, series whose signs change
//! several times, same-day flows, series without a sign change. Where both give a rate
//! they agree to 1e-6; where Bridgehead reports several roots, pyxirr's rate is one of
//! them; where Bridgehead says there is no rate, pyxirr has none either.
//!
//! Needs python3 with pyxirr (`pip install pyxirr`). Outside CI the test is skipped with
//! a message when pyxirr is missing; in CI (CI=true) a missing pyxirr fails it.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use bridgehead_domain::funds::xirr::{CashFlow, xnpv};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const BIN: &str = env!("CARGO_BIN_EXE_bridgehead");

fn pyxirr_available() -> bool {
    Command::new("python3").args(["-c", "import pyxirr"]).output().is_ok_and(|o| o.status.success())
}

fn random_series(rng: &mut StdRng, kind: usize) -> Vec<(i32, f64)> {
    let start = 2_450_000 + rng.random_range(0..9_000);
    let count = rng.random_range(2..=20);
    let mut flows = Vec::with_capacity(count);
    let mut day = start;
    for i in 0..count {
        day += match kind {
            3 => rng.random_range(0..3), // many same-day flows
            _ => rng.random_range(1..400),
        };
        let size = 10f64.powf(rng.random_range(2.0..7.0));
        let amount = match kind {
            // Conventional: outflows first, then inflows.
            0 | 3 => {
                if i < 1 + count / 4 {
                    -size
                } else {
                    size * rng.random_range(0.05..0.6)
                }
            }
            // Any signs.
            1 => {
                if rng.random_bool(0.5) {
                    size
                } else {
                    -size
                }
            }
            // No sign change.
            _ => size,
        };
        flows.push((day, (amount * 100.0).round() / 100.0));
    }
    flows
}

#[test]
fn agrees_with_pyxirr_on_random_series() {
    if !pyxirr_available() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "pyxirr is required in CI: pip install pyxirr");
        eprintln!("skipped: python3 with pyxirr is not installed (pip install pyxirr)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut rng = StdRng::seed_from_u64(20_261_121);
    let mut text = String::from("series,date,amount\n");
    let mut all: Vec<Vec<CashFlow>> = Vec::new();
    for n in 0..5_000 {
        let kind = match n % 10 {
            0..=5 => 0,
            6 | 7 => 1,
            8 => 3,
            _ => 2,
        };
        let flows = random_series(&mut rng, kind);
        for &(day, amount) in &flows {
            let date = time::Date::from_julian_day(day).unwrap();
            writeln!(text, "s{n},{date},{amount:.2}").unwrap();
        }
        all.push(flows.iter().map(|&(day, amount)| CashFlow { day, amount }).collect());
    }
    let input = dir.path().join("flows.csv");
    std::fs::write(&input, text).unwrap();

    let ours_path = dir.path().join("ours.csv");
    let output = Command::new(BIN)
        .args(["funds", "xirr", "--batch", "--csv"])
        .arg(&input)
        .arg("--output")
        .arg(&ours_path)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let theirs_path = dir.path().join("theirs.csv");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../benches/funds/pyxirr_batch.py");
    let output = Command::new("python3").arg(script).arg(&input).arg(&theirs_path).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let ours = read_results(&ours_path);
    let theirs = read_results(&theirs_path);
    assert_eq!(ours.len(), 5_000);
    let (mut both, mut several, mut neither, mut only_ours) = (0, 0, 0, 0);
    for (n, flows) in all.iter().enumerate() {
        let name = format!("s{n}");
        let (rate, code) = &ours[&name];
        let their_rate: Option<f64> = theirs[&name].0.parse().ok();
        match (rate.parse::<f64>().ok(), their_rate) {
            (Some(a), Some(b)) => {
                assert!((a - b).abs() <= 1e-6 * (1.0 + b.abs()), "{name}: Bridgehead {a}, pyxirr {b}: {flows:?}");
                both += 1;
            }
            // pyxirr answers -100 % (or an overflowing rate) where Bridgehead says why
            // there is no usable rate: same-day flows only, or a rate within 1e-9 of -100 %.
            (None, Some(b)) if !(-1.0 + 1e-9..=1e300).contains(&b) => {
                assert!(["too_few_flows", "out_of_range"].contains(&code.as_str()), "{name}: {code} vs pyxirr's {b}");
                neither += 1;
            }
            (None, Some(b)) => {
                assert_eq!(code, "several_roots", "{name}: Bridgehead says {code}, pyxirr gives {b}: {flows:?}");
                let rates = roots_of(&ours_path, &name);
                assert!(
                    rates.iter().any(|r| (r - b).abs() <= 1e-6 * (1.0 + b.abs())),
                    "{name}: pyxirr's {b} is not among {rates:?}"
                );
                several += 1;
            }
            (Some(a), None) => {
                // pyxirr found nothing where Bridgehead did: the rate must be a true root
                // (the value is zero relative to the size of its discounted terms).
                let magnitudes: Vec<CashFlow> =
                    flows.iter().map(|f| CashFlow { day: f.day, amount: f.amount.abs() }).collect();
                let scale = xnpv(a, &magnitudes);
                assert!(xnpv(a, flows).abs() <= 1e-6 * scale, "{name}: {a} is not a root: {flows:?}");
                only_ours += 1;
            }
            (None, None) => neither += 1,
        }
    }
    eprintln!(
        "agree: {both}; several roots incl. pyxirr's: {several}; no rate in either: {neither}; only Bridgehead: {only_ours}"
    );
    assert!(both > 3_000 && neither > 400, "the random series should cover each case");
}

fn read_results(path: &Path) -> HashMap<String, (String, String)> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), (r[1].to_owned(), r.get(2).unwrap_or_default().to_owned()))
        })
        .collect()
}

/// The rates listed in a several-roots reason ("… zero at 0.1, 0.2").
fn roots_of(path: &Path, name: &str) -> Vec<f64> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let record = reader.records().map(Result::unwrap).find(|r| &r[0] == name).unwrap();
    let reason = record[3].to_owned();
    reason.rsplit(" at ").next().unwrap().split(", ").map(|r| r.trim().parse().unwrap()).collect()
}
