#!/usr/bin/env bash
# Benchmark: importing 100,000 monthly report rows (2,000 projects x 50 months) into the
# embedded SQLite database with `bridgehead import reports --approved`, then importing
# the same file again (every row unchanged). Prints the wall time of each run.
#
#   bash benches/report-import/run.sh [runs]      (default 3 runs)
#
# Builds the release binary, makes a demo database, adds 2,000 synthetic started
# projects to it (illustrative, "BENCH-nnnnn"), and writes the CSV with a fixed seed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
runs="${1:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release -p bridgehead-cli >/dev/null
bin="$PWD/target/release/bridgehead"
"$bin" --data-dir "$work/base" demo --no-serve >/dev/null 2>&1
python3 "$PWD/benches/report-import/prepare.py" "$work/base/bridgehead.sqlite" "$work/reports.csv"
for run in $(seq "$runs"); do
    rm -rf "$work/data" && cp -r "$work/base" "$work/data"
    start=$(date +%s.%N)
    "$bin" --data-dir "$work/data" import reports "$work/reports.csv" --approved >/dev/null 2>&1
    middle=$(date +%s.%N)
    "$bin" --data-dir "$work/data" import reports "$work/reports.csv" --approved >/dev/null 2>&1
    end=$(date +%s.%N)
    printf 'run %d: first import %.2f s, same file again %.2f s\n' "$run" "$(echo "$middle - $start" | bc)" "$(echo "$end - $middle" | bc)"
done
"$bin" --data-dir "$work/data" audit verify 2>/dev/null
