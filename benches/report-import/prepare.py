"""Adds 2,000 synthetic started projects (illustrative) to a demo database and writes
100,000 monthly report rows for them (January 2018 to February 2022), fixed seed."""
import random
import sqlite3
import sys

database, csv_path = sys.argv[1], sys.argv[2]
connection = sqlite3.connect(database)
enterprise = connection.execute("SELECT id FROM enterprises WHERE region_code = '330482' LIMIT 1").fetchone()[0]
now = "2026-01-01T00:00:00.000000Z"
for i in range(2000):
    connection.execute(
        "INSERT INTO projects (code, national_code, name_zh, region_code, project_type, capital_source, planned_total_minor, "
        "planned_currency, planned_total_cny_minor, signed_on, started_on, stage, created_at, updated_at) "
        "VALUES (?, 0, ?, '330482', 'new', 'domestic', 100000000, 'CNY', 100000000, '2018-01-01', '2018-01-15', 'started', ?, ?)",
        (f"BENCH-{i:05d}", f"基准项目{i}（示例）", now, now),
    )
    project = connection.execute("SELECT last_insert_rowid()").fetchone()[0]
    connection.execute("INSERT INTO project_investors VALUES (?, ?, 10000)", (project, enterprise))
connection.commit()
random.seed(1)
with open(csv_path, "w", encoding="utf-8") as out:
    out.write("项目代码,月份,本月完成投资,其中设备购置,其中建筑安装\n")
    for i in range(2000):
        for m in range(50):
            value = random.randint(100, 100000)
            out.write(f"BENCH-{i:05d},{2018 + m // 12}-{m % 12 + 1:02d},{value}.00,{value // 3}.00,{value // 2}.00\n")
