"""The statistics benchmark's peer: the same two tables computed by DuckDB over the same
report rows, loaded into its own table (sorted by month, so its zone maps prune months).

    python3 duckdb_bench.py WORK_DIR RUNS PARENT PERIOD_INDEX

WORK_DIR holds facts.csv (project_id, region, industry, band, period_index, completed)
and regions.csv (code, parent_code), exported from Bridgehead's database by run.sh.
Prints `name value` lines like the engine's benchmark.
"""

import statistics
import sys
import time

import duckdb

work, runs, parent, through = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
first = through - through % 12  # January of the year

con = duckdb.connect()
started = time.perf_counter()
con.execute(
    f"""CREATE TABLE facts AS SELECT * FROM read_csv('{work}/facts.csv', header = false,
        columns = {{'project_id': 'BIGINT', 'region': 'VARCHAR', 'industry': 'VARCHAR', 'band': 'INTEGER',
                    'period_index': 'BIGINT', 'completed': 'BIGINT'}}) ORDER BY period_index"""
)
con.execute(
    f"""CREATE TABLE regions AS SELECT * FROM read_csv('{work}/regions.csv', header = false,
        columns = {{'code': 'VARCHAR', 'parent_code': 'VARCHAR'}})"""
)
print(f"duckdb_load_s {time.perf_counter() - started:.1f}")
print(f"duckdb_rows {con.execute('SELECT COUNT(*) FROM facts').fetchone()[0]}")

TABLE = """
WITH lines AS (
    SELECT c.code AS county, c.parent_code AS line
    FROM regions c JOIN regions t ON t.code = c.parent_code WHERE t.parent_code = $parent
    UNION ALL SELECT code, code FROM regions WHERE parent_code = $parent
),
sums AS (
    SELECT l.line,
           SUM(CASE WHEN f.period_index BETWEEN $first AND $through THEN f.completed ELSE 0 END) AS cur,
           SUM(CASE WHEN f.period_index BETWEEN $first - 12 AND $through - 12 THEN f.completed ELSE 0 END) AS prev
    FROM facts f JOIN lines l ON l.county = f.region
    WHERE (f.period_index BETWEEN $first AND $through OR f.period_index BETWEEN $first - 12 AND $through - 12)
      {filter}
    GROUP BY l.line
)
SELECT line, cur, prev,
       ROUND((cur::DOUBLE / prev - 1) * 100, 1) AS growth,
       ROUND(cur * 100.0 / SUM(cur) OVER (), 1) AS share,
       RANK() OVER (ORDER BY ROUND((cur::DOUBLE / prev - 1) * 100, 1) DESC) AS rank
FROM sums ORDER BY line
"""
QUERIES = {
    "q1": "",
    "q2": "AND f.industry LIKE '3%' AND f.band >= 1",
}
params = {"parent": parent, "first": first, "through": through}
for name, condition in QUERIES.items():
    sql = TABLE.replace("{filter}", condition)
    for _ in range(3):
        con.execute(sql, params).fetchall()
    times = []
    rows = None
    for _ in range(runs):
        t = time.perf_counter()
        rows = con.execute(sql, params).fetchall()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"{name}_duckdb_median_ms {statistics.median(times):.3f}")
    print(f"{name}_duckdb_p99_ms {times[min(len(times) - 1, len(times) * 99 // 100)]:.3f}")
    print(f"{name}_total {sum(r[1] for r in rows)} {sum(r[2] for r in rows)}")
    for r in rows:
        print(f"{name}_line {r[0]} {r[1]} {r[2]}")
