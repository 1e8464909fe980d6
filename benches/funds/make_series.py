"""Writes the XIRR benchmark's series: N series of 20 dated flows (series,date,amount).

    python3 benches/funds/make_series.py OUT.csv [N] [SEED]

Each series is a fund's life as an LP sees it: two to five capital calls over the first
three years, then distributions until year twelve, amounts in yuan with cents; the same
seed gives the same file.
"""

import datetime
import random
import sys


def main() -> None:
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 2026)
    base = datetime.date(2012, 1, 1)
    with open(out, "w") as handle:
        handle.write("series,date,amount\n")
        for n in range(count):
            start = base + datetime.timedelta(days=rng.randrange(0, 3650))
            calls = rng.randint(2, 5)
            days = sorted(rng.sample(range(0, 1095), calls)) + sorted(rng.sample(range(1095, 4380), 20 - calls))
            committed = rng.uniform(1e6, 5e8)
            multiple = rng.uniform(0.6, 3.0)
            for i, day in enumerate(days):
                if i < calls:
                    amount = -committed / calls * rng.uniform(0.8, 1.2)
                else:
                    amount = committed * multiple / (20 - calls) * rng.uniform(0.2, 1.8)
                handle.write(f"s{n},{start + datetime.timedelta(days=day)},{amount:.2f}\n")


if __name__ == "__main__":
    main()
