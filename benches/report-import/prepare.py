"""Writes the benchmark's files (fixed seed): 2,000 synthetic projects (illustrative,
"BENCH-nnnnn", signed 2018-01-01), their start on 2018-01-15, and 100,000 monthly
report rows for them (January 2018 to February 2022).

    python3 prepare.py INVESTOR_CREDIT_CODE OUT_DIR
"""
import random
import sys

investor, out_dir = sys.argv[1], sys.argv[2]
PROJECTS = 2000
MONTHS = 50
with open(f"{out_dir}/projects.csv", "w", encoding="utf-8") as out:
    out.write("项目代码,项目名称,建设地点区划代码,计划总投资,投资企业及比例,签约日期\n")
    for i in range(PROJECTS):
        out.write(f"BENCH-{i:05d},基准项目{i}（示例）,330482,1000000,{investor},2018-01-01\n")
with open(f"{out_dir}/events.csv", "w", encoding="utf-8") as out:
    out.write("项目代码,阶段事件,发生日期\n")
    for i in range(PROJECTS):
        out.write(f"BENCH-{i:05d},started,2018-01-15\n")
random.seed(1)
with open(f"{out_dir}/reports.csv", "w", encoding="utf-8") as out:
    out.write("项目代码,月份,本月完成投资,其中设备购置,其中建筑安装\n")
    for i in range(PROJECTS):
        for m in range(MONTHS):
            value = random.randint(100, 100000)
            out.write(f"BENCH-{i:05d},{2018 + m // 12}-{m % 12 + 1:02d},{value}.00,{value // 3}.00,{value // 2}.00\n")
