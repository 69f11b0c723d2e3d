#!/usr/bin/env python3
"""Times pandas.read_excel (openpyxl engine) parsing a ledger .xlsx: the peer of
crates/ledger/examples/ledger_bench.rs. Parse only: no header detection, no validation.

    python3 bench/pandas_ledger.py bench-data/ledger-100k.xlsx 3

Prints one line per run, `pandas_seconds <s>`, then `pandas_median_seconds <s>`.
"""
import statistics
import sys
import time

import pandas as pd


def main() -> None:
    path = sys.argv[1]
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    times = []
    for _ in range(max(1, repeat)):
        t = time.perf_counter()
        # Every cell, as the file holds it; the two-row header is rows 3 and 4.
        df = pd.read_excel(path, engine="openpyxl", header=None)
        elapsed = time.perf_counter() - t
        print(f"pandas_seconds {elapsed:.3f}", flush=True)
        print(f"pandas: {df.shape[0]} rows x {df.shape[1]} columns", file=sys.stderr)
        times.append(elapsed)
    print(f"pandas_median_seconds {statistics.median(times):.3f}")


if __name__ == "__main__":
    main()
