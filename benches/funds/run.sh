#!/usr/bin/env bash
# Benchmark: XIRR over 100,000 series of 20 dated flows, Bridgehead against pyxirr, in
# one run on the same series.
#
#   bash benches/funds/run.sh [series] [runs]
#
# Writes the series (benches/funds/make_series.py, fixed seed), times pyxirr's loop over
# them (benches/funds/pyxirr_batch.py: the lists are built first, only the calls are
# timed), then Bridgehead's batch path and one core (the funds_xirr bench: the file is
# read first, only the computation is timed), and compares every answer. Last, the
# command a user runs, `bridgehead funds xirr --batch`, end to end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
series="${1:-100000}"
runs="${2:-5}"
work="${BENCH_WORK_DIR:-$(mktemp -d)}"
mkdir -p "$work"
python3 -c "import pyxirr" 2>/dev/null || pip install --quiet pyxirr
cargo build --release -p bridgehead-cli >/dev/null 2>&1
cargo bench -p bridgehead-app --bench funds_xirr --no-run >/dev/null 2>&1

python3 benches/funds/make_series.py "$work/flows.csv" "$series" 2026
echo "== $(nproc) cores; $series series of 20 flows; median of $runs runs"
python3 benches/funds/pyxirr_batch.py "$work/flows.csv" "$work/pyxirr.csv" "$runs" 2>&1
cargo bench -q -p bridgehead-app --bench funds_xirr -- "$work/flows.csv" "$runs" "$work/pyxirr.csv" 2>/dev/null
echo "== end to end: bridgehead funds xirr --batch (read the CSV, compute, write the answers)"
./target/release/bridgehead funds xirr --batch --csv "$work/flows.csv" --output "$work/bridgehead.csv" --timing
