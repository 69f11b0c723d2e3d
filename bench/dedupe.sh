#!/usr/bin/env bash
# Duplicate detection: fenglai-identity's batch clustering and one-lead check against Splink
# (DuckDB backend) on the same labelled corpus, in one run.
#
#   bash bench/dedupe.sh                 # ROWS=1000000 REPEAT=3
#   ROWS=200000 bash bench/dedupe.sh     # a smaller sample
#
# Environment: ROWS (1000000), REPEAT (3 runs of each, alternating; the median is reported),
# BENCH_DIR (bench-data: the CSV, and a Python venv with splink installed from PyPI on first
# use), BUILD=0 skips `cargo build --release`, SPLINK=0 skips Splink, CARGO_TARGET_DIR as usual.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
REPEAT=${REPEAT:-3}
D=${BENCH_DIR:-bench-data}
T=${CARGO_TARGET_DIR:-target}
mkdir -p "$D"
if [[ "${BUILD:-1}" == 1 ]]; then
    cargo build --release --quiet -p fenglai-identity --example dedupe_bench
fi
BIN=$T/release/examples/dedupe_bench
VENV=$D/venv
if [[ "${SPLINK:-1}" == 1 ]]; then
    if [[ ! -x $VENV/bin/python ]] || ! "$VENV/bin/python" -c 'import splink, duckdb' 2>/dev/null; then
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet splink
    fi
    echo "splink $("$VENV/bin/python" -c 'import splink; print(splink.__version__)'), duckdb $("$VENV/bin/python" -c 'import duckdb; print(duckdb.__version__)')"
fi
FILE=$D/leads-$ROWS.csv
if [[ ! -s $FILE ]]; then
    "$BIN" gen "$FILE" "$ROWS"
fi
echo "file: $FILE ($(du -h "$FILE" | cut -f1), $ROWS rows)"

# Alternate the two so that drift on a shared machine hits both alike.
rust=() splink=()
for i in $(seq 1 "$REPEAT"); do
    out=$("$BIN" run "$FILE")
    echo "$out" | sed "s/^/rust run $i: /"
    rust+=("$(echo "$out" | awk '/^rust_batch_seconds/ {print $2}')")
    if [[ "${SPLINK:-1}" == 1 ]]; then
        out=$("$VENV/bin/python" bench/splink_dedupe.py "$FILE" 2>/dev/null)
        echo "$out" | sed "s/^/splink run $i: /"
        splink+=("$(echo "$out" | awk '/^splink_seconds/ {print $2}')")
    fi
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
rm=$(median "${rust[@]}")
echo "median: fenglai-identity batch $rm s"
if [[ "${SPLINK:-1}" == 1 ]]; then
    sm=$(median "${splink[@]}")
    echo "median: splink (train + predict + cluster) $sm s"
    awk -v r="$rm" -v s="$sm" 'BEGIN {printf "ratio: fenglai-identity is %.1fx faster (goal: >= 5x, F1 >= Splink, one-lead p99 <= 10 ms)\n", s / r}'
fi
