#!/usr/bin/env bash
# Benchmark: the statistics tables at province scale, Bridgehead against DuckDB.
#
#   bash benches/statistics/run.sh [projects] [runs]            embedded SQLite
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
#       bash benches/statistics/run.sh [projects] [runs]        PostgreSQL
#
# Builds `bridgehead demo --scale province` (default 200,000 projects x 60 months =
# 12 million counted report rows in 100 synthetic county-level units; kept in
# BENCH_WORK_DIR between runs when that is set), then measures, in one run:
#   Q1  the table of Zhejiang (330000) by city, January-June 2025 and 2024, with growth,
#       share and rank, over all projects;
#   Q2  the same for industry prefix "3" and size tier "billion" (1 billion yuan or
#       USD 100 million) and above;
# by the statistics engine (in process), through the HTTP API (sequential requests, then
# wrk with 50 connections for 10 s), and by DuckDB (Python package) over the same rows
# exported into its own table. The figures of all three are compared line by line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
projects="${1:-200000}"
runs="${2:-200}"
server="${BENCH_DATABASE_URL:-}"
export PGOPTIONS="-c client_min_messages=warning"
work="${BENCH_WORK_DIR:-$(mktemp -d)}"
mkdir -p "$work"
port=38417
python3 -c "import duckdb" 2>/dev/null || pip install --quiet duckdb
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
command -v sqlite3 >/dev/null || apt-get install -y sqlite3 >/dev/null
cargo build --release -p bridgehead-cli >/dev/null 2>&1
cargo bench -p bridgehead-app --bench statistics --no-run >/dev/null 2>&1
bin="$PWD/target/release/bridgehead"

if [[ -n "$server" ]]; then
    db="bridgehead_bench_statistics_${projects}"
    url="${server%/*}/$db"
    psql "$server" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
        || psql "$server" -qc "CREATE DATABASE $db"
    bh() { "$bin" --data-dir "$work/data" --database-url "$url" "$@"; }
    sql() { psql "$url" -qAtc "$1"; }
    export_csv() { psql "$url" -qc "\\copy ($1) TO '$2' CSV"; }
    backend=postgres
else
    url="sqlite://$work/data/bridgehead.sqlite"
    bh() { "$bin" --data-dir "$work/data" "$@"; }
    sql() { sqlite3 "$work/data/bridgehead.sqlite" "$1"; }
    export_csv() { sqlite3 -csv "$work/data/bridgehead.sqlite" "$1" >"$2"; }
    backend=sqlite
fi

echo "== data set ($backend, $projects projects)"
if [[ ! -f "$work/built-$backend-$projects" ]]; then
    /usr/bin/time -f "demo_build_s %e" -o "$work/demo-time.txt" \
        "$bin" --data-dir "$work/data" ${server:+--database-url "$url"} demo --no-serve --scale province \
        --projects "$projects" 2>&1 | grep -E "^Province" || true
    cat "$work/demo-time.txt"
    touch "$work/built-$backend-$projects"
fi
echo "report_rows $(sql "SELECT COUNT(*) FROM monthly_reports WHERE status = 'approved_by_city'")"

echo "== engine"
cargo bench -p bridgehead-app --bench statistics -- "$url" 330000 2025-06 "$runs" 2>/dev/null | tee "$work/engine.txt" \
    | grep -v "_line "

echo "== DuckDB"
band="CASE WHEN p.planned_total_cny_minor >= 1000000000000 THEN 2 \
WHEN p.planned_total_cny_minor >= 100000000000 OR p.planned_total_usd_minor >= 10000000000 THEN 1 ELSE 0 END"
export_csv "SELECT r.project_id, p.region_code, p.industry_code, $band, r.period_index, r.completed_minor \
FROM monthly_reports r JOIN projects p ON p.id = r.project_id WHERE r.status = 'approved_by_city'" "$work/facts.csv"
export_csv "SELECT code, parent_code FROM regions" "$work/regions.csv"
through=$((2025 * 12 + 6 - 1))
python3 benches/statistics/duckdb_bench.py "$work" "$runs" 330000 "$through" | tee "$work/duckdb.txt" | grep -v "_line "

echo "== HTTP API"
if [[ -n "$server" ]]; then
    "$bin" --data-dir "$work/data" --database-url "$url" serve --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
else
    "$bin" --data-dir "$work/data" serve --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
fi
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.5
done
grep -h "Statistics engine" "$work/serve.log" || true
token="$(bh user token admin --name bench | grep -oE '[A-Za-z0-9_-]{30,}' | tail -1)"
q1="/api/v1/statistics/investment?region=330000&period=2025-06"
q2="$q1&industry=3&tier=billion"
python3 benches/statistics/http_bench.py 127.0.0.1 "$port" "$token" "$q1" "$runs" q1_http
python3 benches/statistics/http_bench.py 127.0.0.1 "$port" "$token" "$q2" "$runs" q2_http
for q in "$q1" "$q2"; do
    echo "wrk -t2 -c50 -d10s $q"
    wrk -t2 -c50 -d10s --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port$q" \
        | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"
done
echo "server_rss_mib $(( $(awk '/VmRSS/ { print $2 }' /proc/$serve_pid/status) / 1024 ))"
curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$port$q1" >"$work/q1.json"

echo "== same answers"
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def lines(path):
    out = {}
    for row in open(path):
        parts = row.split()
        if parts and parts[0].endswith("_line") and int(parts[2]) + int(parts[3]) > 0:
            out[(parts[0], parts[1])] = (int(parts[2]), int(parts[3]))
    return out
engine, duck = lines(f"{work}/engine.txt"), lines(f"{work}/duckdb.txt")
assert engine == duck, f"engine and DuckDB differ:\n{engine}\n{duck}"
api = json.load(open(f"{work}/q1.json"))
for child in api["children"]:
    key = ("q1_line", child["region_code"])
    if key in engine:
        assert round(float(child["cumulative"]) * 100) == engine[key][0], (key, child)
print(f"engine, DuckDB and the API agree on {len(engine)} lines")
PY
for q in q1 q2; do
    e=$(awk -v k="${q}_engine_median_ms" '$1 == k { print $2 }' "$work/engine.txt")
    d=$(awk -v k="${q}_duckdb_median_ms" '$1 == k { print $2 }' "$work/duckdb.txt")
    echo "$q: engine ${e} ms, DuckDB ${d} ms, DuckDB / engine = $(python3 -c "print(round($d / $e, 1))")"
done
