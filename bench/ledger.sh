#!/usr/bin/env bash
# Ledger import: Fenglai's read + header mapping + validation of a 100,000-row project
# ledger .xlsx, against pandas.read_excel (openpyxl) parsing the same file, in one run.
#
#   bash bench/ledger.sh            # ROWS=100000 REPEAT=3 by default
#
# Environment: ROWS (100000), REPEAT (3, at least 3 for a median), BENCH_DIR (bench-data:
# the file, and a Python venv with pandas + openpyxl installed from PyPI on first use),
# BUILD=0 skips `cargo build --release`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-100000}
REPEAT=${REPEAT:-3}
D=${BENCH_DIR:-bench-data}
mkdir -p "$D"
if [[ "${BUILD:-1}" == 1 ]]; then
    cargo build --release --quiet -p fenglai-ledger --example ledger_bench
fi
BIN=target/release/examples/ledger_bench
VENV=$D/venv
if [[ ! -x $VENV/bin/python ]] || ! "$VENV/bin/python" -c 'import pandas, openpyxl' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet pandas openpyxl
fi
FILE=$D/ledger-$ROWS.xlsx
"$BIN" write "$FILE" "$ROWS"
echo "file: $FILE ($(du -h "$FILE" | cut -f1), $ROWS rows)"
echo "pandas $("$VENV/bin/python" -c 'import pandas; print(pandas.__version__)'), openpyxl $("$VENV/bin/python" -c 'import openpyxl; print(openpyxl.__version__)')"

# Alternate the two so that drift on a shared machine hits both alike.
rust=() pandas=()
for i in $(seq 1 "$REPEAT"); do
    r=$("$BIN" parse "$FILE" 1 | awk '/^rust_seconds/ {print $2}')
    p=$("$VENV/bin/python" bench/pandas_ledger.py "$FILE" 1 2>/dev/null | awk '/^pandas_seconds/ {print $2}')
    echo "run $i: fenglai-ledger $r s, pandas.read_excel $p s"
    rust+=("$r") pandas+=("$p")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
rm=$(median "${rust[@]}")
pm=$(median "${pandas[@]}")
echo "median: fenglai-ledger read + mapping + validation $rm s; pandas.read_excel parse only $pm s"
awk -v r="$rm" -v p="$pm" 'BEGIN {printf "ratio: fenglai-ledger is %.1fx faster (goal: <= 5 s and >= 3x)\n", p / r}'
