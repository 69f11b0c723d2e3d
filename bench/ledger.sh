#!/usr/bin/env bash
# Ledger import: Fenglai's read + header mapping + validation of a 100,000-row project
# ledger .xlsx, and the whole import of it (`fenglai import projects`: read, validate
# against the database's units, parks and code tables, write leads, projects, stage
# histories and audit events in one transaction) into SQLite, and into PostgreSQL when
# BENCH_PG_URL is set, against pandas.read_excel (openpyxl) parsing the same file, in
# one run.
#
#   bash bench/ledger.sh            # ROWS=100000 REPEAT=3 by default
#
# Environment: ROWS (100000), REPEAT (3, at least 3 for a median), BENCH_DIR (bench-data:
# the file, and a Python venv with pandas + openpyxl installed from PyPI on first use),
# BUILD=0 skips `cargo build --release`, BENCH_PG_URL=postgres://…/postgres (a server
# where a throwaway database per run may be created with psql) adds PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-100000}
REPEAT=${REPEAT:-3}
D=${BENCH_DIR:-bench-data}
mkdir -p "$D"
if [[ "${BUILD:-1}" == 1 ]]; then
    cargo build --release --quiet -p fenglai-ledger --example ledger_bench -p fenglai --bin fenglai
fi
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release/examples/ledger_bench
FENGLAI=$TARGET/release/fenglai
VENV=$D/venv
if [[ ! -x $VENV/bin/python ]] || ! "$VENV/bin/python" -c 'import pandas, openpyxl' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet pandas openpyxl
fi
FILE=$D/ledger-$ROWS.xlsx
"$BIN" write "$FILE" "$ROWS"
echo "file: $FILE ($(du -h "$FILE" | cut -f1), $ROWS rows)"
echo "pandas $("$VENV/bin/python" -c 'import pandas; print(pandas.__version__)'), openpyxl $("$VENV/bin/python" -c 'import openpyxl; print(openpyxl.__version__)')"

# One import into a fresh database (the demo organisation, so that units, parks and the
# importing user exist; not timed); prints the seconds the import took, as `fenglai
# import` reports them (from reading the file to the commit), and the whole command's
# wall time (starting the process to its exit, which on SQLite includes copying the
# write-ahead log into the database file).
import_once() {
    local db_args=("$@") t0 t1 took
    "$FENGLAI" demo --no-serve "${db_args[@]}" >/dev/null
    t0=$(date +%s.%N)
    took=$("$FENGLAI" import projects "$FILE" --as promoter --skip-bad-rows "${db_args[@]}" 2>/dev/null \
        | sed -n 's/.*用时 \([0-9.]*\) 秒.*/\1/p')
    t1=$(date +%s.%N)
    echo "$took $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')"
}

# Alternate them so that drift on a shared machine hits all alike.
rust=() pandas=() sqlite=() sqlite_wall=() pg=()
for i in $(seq 1 "$REPEAT"); do
    r=$("$BIN" parse "$FILE" 1 | awk '/^rust_seconds/ {print $2}')
    p=$("$VENV/bin/python" bench/pandas_ledger.py "$FILE" 1 2>/dev/null | awk '/^pandas_seconds/ {print $2}')
    rm -rf "$D/import-sqlite"
    read -r s sw <<<"$(import_once --data-dir "$D/import-sqlite")"
    line="run $i: fenglai-ledger $r s, pandas.read_excel $p s, import into SQLite $s s (command $sw s)"
    rust+=("$r") pandas+=("$p") sqlite+=("$s") sqlite_wall+=("$sw")
    if [[ -n "${BENCH_PG_URL:-}" ]]; then
        name=fenglai_ledger_bench_$$_$i
        psql -q "$BENCH_PG_URL" -c "CREATE DATABASE $name" >/dev/null
        read -r g _ <<<"$(import_once --database-url "${BENCH_PG_URL%/*}/$name")"
        psql -q "$BENCH_PG_URL" -c "DROP DATABASE $name" >/dev/null
        line="$line, into PostgreSQL $g s"
        pg+=("$g")
    fi
    echo "$line"
done
rm -rf "$D/import-sqlite"
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
rm=$(median "${rust[@]}")
pm=$(median "${pandas[@]}")
sm=$(median "${sqlite[@]}")
echo "median: fenglai-ledger read + mapping + validation $rm s; pandas.read_excel parse only $pm s"
echo "median: fenglai import projects (read + validate + write, SQLite) $sm s; the whole command $(median "${sqlite_wall[@]}") s"
awk -v r="$rm" -v p="$pm" 'BEGIN {printf "ratio: fenglai-ledger is %.1fx faster (goal: <= 5 s and >= 3x)\n", p / r}'
awk -v r="$sm" -v p="$pm" 'BEGIN {printf "ratio: the whole import into SQLite takes %.2fx the time of pandas parse alone\n", r / p}'
if ((${#pg[@]})); then
    gm=$(median "${pg[@]}")
    echo "median: fenglai import projects (PostgreSQL) $gm s"
    awk -v r="$gm" -v p="$pm" 'BEGIN {printf "ratio: the whole import into PostgreSQL takes %.2fx the time of pandas parse alone\n", r / p}'
fi
