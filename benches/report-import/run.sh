#!/usr/bin/env bash
# Benchmark: importing 100,000 monthly report rows (2,000 projects x 50 months) with
# `bridgehead import reports --approved`, then importing the same file again (every row
# unchanged). Prints the wall time of each run.
#
#   bash benches/report-import/run.sh [runs]                 embedded SQLite (default 3 runs)
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
#       bash benches/report-import/run.sh [runs]             PostgreSQL (a scratch database per run)
#
# Builds the release binary, makes a demo database, and adds 2,000 synthetic started
# projects (illustrative, "BENCH-nnnnn") through `bridgehead import projects` and
# `import events`, as an operator would; the files are written with a fixed seed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
runs="${1:-3}"
server="${BENCH_DATABASE_URL:-}"
export PGOPTIONS="-c client_min_messages=warning"
work="$(mktemp -d)"
base_db="bridgehead_bench_base"
run_db="bridgehead_bench_run"
cleanup() {
    rm -rf "$work"
    if [[ -n "$server" ]]; then
        psql "$server" -qc "DROP DATABASE IF EXISTS $run_db" -c "DROP DATABASE IF EXISTS $base_db" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
cargo build --release -p bridgehead-cli >/dev/null
bin="$PWD/target/release/bridgehead"

# The database to work on: a directory (SQLite) or a URL (PostgreSQL).
url_of() { echo "${server%/*}/$1"; }
bh_base() {
    if [[ -n "$server" ]]; then "$bin" --data-dir "$work/base" --database-url "$(url_of "$base_db")" "$@"
    else "$bin" --data-dir "$work/base" "$@"; fi
}
bh_run() {
    if [[ -n "$server" ]]; then "$bin" --data-dir "$work/data" --database-url "$(url_of "$run_db")" "$@"
    else "$bin" --data-dir "$work/data" "$@"; fi
}

if [[ -n "$server" ]]; then
    psql "$server" -qc "DROP DATABASE IF EXISTS $base_db" -c "CREATE DATABASE $base_db" >/dev/null
fi
bh_base demo --no-serve >/dev/null 2>&1
bh_base export enterprises "$work/enterprises.csv" --lang en >/dev/null 2>&1
investor="$(awk -F, '$4 == "330482" { print $1; exit }' "$work/enterprises.csv" | tr -d '\r\357\273\277')"
python3 "$PWD/benches/report-import/prepare.py" "$investor" "$work"
bh_base import projects "$work/projects.csv" >/dev/null 2>&1
bh_base import events "$work/events.csv" >/dev/null 2>&1
if [[ -n "$server" ]]; then echo "backend: postgresql"; else echo "backend: sqlite"; fi
for run in $(seq "$runs"); do
    if [[ -n "$server" ]]; then
        psql "$server" -qc "DROP DATABASE IF EXISTS $run_db" -c "CREATE DATABASE $run_db TEMPLATE $base_db" >/dev/null
        mkdir -p "$work/data"
    else
        rm -rf "$work/data" && cp -r "$work/base" "$work/data"
    fi
    start=$(date +%s.%N)
    bh_run import reports "$work/reports.csv" --approved >/dev/null 2>&1
    middle=$(date +%s.%N)
    bh_run import reports "$work/reports.csv" --approved >/dev/null 2>&1
    end=$(date +%s.%N)
    printf 'run %d: first import %.2f s, same file again %.2f s\n' "$run" "$(echo "$middle - $start" | bc)" "$(echo "$end - $middle" | bc)"
done
bh_run audit verify 2>/dev/null
