"""pyxirr over a batch cash-flow file (series,date,amount), one series at a time.

    python3 benches/funds/pyxirr_batch.py FLOWS.csv RESULTS.csv [RUNS]

Reads the file once into Python lists (dates as datetime.date), then times only the
loop of pyxirr.xirr calls, RUNS times (default 1), and prints the median seconds and
microseconds per series to standard error. RESULTS.csv gets series,rate (empty when
pyxirr has no answer). pyxirr has no batch XIRR of its own, so this loop is how a
Python user computes many series.
"""

import csv
import datetime
import statistics
import sys
import time

import pyxirr


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    order: list[str] = []
    series: dict[str, tuple[list[datetime.date], list[float]]] = {}
    with open(source, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            name = row["series"]
            if name not in series:
                series[name] = ([], [])
                order.append(name)
            dates, amounts = series[name]
            dates.append(datetime.date.fromisoformat(row["date"]))
            amounts.append(float(row["amount"]))
    work = [series[name] for name in order]
    times = []
    results: list = []
    for _ in range(runs):
        start = time.perf_counter()
        results = [pyxirr.xirr(dates, amounts, silent=True) for dates, amounts in work]
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(
        f"pyxirr {pyxirr.__version__}: {len(work)} series, median {median:.4f} s "
        f"({median * 1e6 / max(len(work), 1):.3f} us a series) over {runs} runs",
        file=sys.stderr,
    )
    with open(target, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["series", "rate"])
        for name, rate in zip(order, results):
            out.writerow([name, "" if rate is None or rate != rate else repr(rate)])


if __name__ == "__main__":
    main()
