#!/usr/bin/env bash
# Ranking the top 200 targets of a chain link over a 10,000,000-company registry, against
# DuckDB on the same data in the same run.
#
#   bash bench/chains.sh
#
# Environment: ROWS (10000000), N (300 rankings per query kind), KEEP=1 reuses the data
# directory and CSV made before, BUILD=0 skips `cargo build --release`, BENCH_DIR
# (bench-data) holds the data, the DuckDB venv and the logs; DELETE=1 removes the CSV and
# the database at the end (they take several GB). Steps: `fenglai gen registry` writes the
# CSV, `fenglai demo --no-serve` makes the organisation (and a demo pipeline, whose credit
# codes the ranking leaves out), `fenglai registry import` loads the CSV (timed), then
# bench/chains_rank.py runs both engines. Results (Markdown) also go to $BENCH_DIR/chains.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=.ci/lib.sh
source .ci/lib.sh
trap ci_cleanup EXIT
ROWS=${ROWS:-10000000}
N=${N:-300}
if [[ "${BUILD:-1}" == 1 ]]; then cargo build --release --quiet; fi
BIN=${CARGO_TARGET_DIR:-target}/release/fenglai
D=${BENCH_DIR:-bench-data}
mkdir -p "$D"
DATA=$D/chains
CSV=$D/registry-$ROWS.csv
OUT=$D/chains.md
if [[ "${KEEP:-0}" != 1 || ! -f "$DATA/fenglai.db" ]]; then
    rm -rf "$DATA"
    "$BIN" gen registry --rows "$ROWS" --out "$CSV" | tee "$OUT"
    "$BIN" demo --no-serve --data-dir "$DATA" > /dev/null
    "$BIN" registry import --data-dir "$DATA" "$CSV" | tee -a "$OUT"
    du -h "$DATA/fenglai.db" | tee -a "$OUT"
fi
if [[ ! -x "$D/venv/bin/python" ]] || ! "$D/venv/bin/python" -c 'import duckdb' 2>/dev/null; then
    python3 -m venv "$D/venv"
    "$D/venv/bin/pip" install --quiet duckdb
fi
"$D/venv/bin/python" -c 'import duckdb; print("duckdb", duckdb.__version__)' | tee -a "$OUT"
port=$(free_port)
"$BIN" serve --data-dir "$DATA" --bind "127.0.0.1:$port" --no-worker > "$D/chains-serve.log" 2>&1 &
# shellcheck disable=SC2034 # used by server_stop and ci_cleanup (.ci/lib.sh)
SERVER_PID=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 1; done
"$D/venv/bin/python" bench/chains_rank.py --url "http://127.0.0.1:$port" --csv "$CSV" \
    --db "$DATA/fenglai.db" --n "$N" | tee -a "$OUT"
server_stop
if [[ "${DELETE:-0}" == 1 ]]; then rm -rf "$DATA" "$CSV"; fi
