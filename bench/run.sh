#!/usr/bin/env bash
# Lead list, name search and as-of figures over HTTP on 1,000,000 generated leads.
#
#   bash bench/run.sh                      # SQLite in bench-data/sqlite
#   BENCH_PG=1 bash bench/run.sh           # also PostgreSQL: a throwaway server on loopback
#                                          # (initdb in /tmp, a free port, locale C.UTF-8; removed at exit)
#   BENCH_PG_URL=postgres://user@127.0.0.1:5432/bench bash bench/run.sh   # also PostgreSQL (an empty database)
#   SQLITE=0 BENCH_PG=1 bash bench/run.sh  # PostgreSQL only
#
# Environment: LEADS (1000000), PROJECTS (300000), N (requests per query kind and user, 300),
# KEEP=1 reuses a SQLite dataset generated before, BUILD=0 skips `cargo build --release`,
# BENCH_DIR (bench-data) holds the data and logs. Results (Markdown) also go to
# $BENCH_DIR/results.md. The throwaway PostgreSQL runs with fsync off (it is thrown away):
# that speeds up `gen`, not the reads measured.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=.ci/lib.sh
source .ci/lib.sh
trap ci_cleanup EXIT
LEADS=${LEADS:-1000000}
PROJECTS=${PROJECTS:-300000}
N=${N:-300}
if [[ "${BUILD:-1}" == 1 ]]; then cargo build --release --quiet; fi
BIN=target/release/fenglai
D=${BENCH_DIR:-bench-data}
mkdir -p "$D"
OUT=$D/results.md

log() { printf '%s\n' "$*" | tee -a "$OUT"; }

run_one() { # label, db args...
    local label=$1; shift
    local port; port=$(free_port)
    "$BIN" serve "$@" --bind "127.0.0.1:$port" > "$D/$label-serve.log" 2>&1 &
    # shellcheck disable=SC2034 # used by server_stop and ci_cleanup (.ci/lib.sh)
    SERVER_PID=$!
    for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
    python3 bench/api_latency.py --url "http://127.0.0.1:$port" --n "$N" --label "($label)" | tee -a "$OUT"
    server_stop
}

gen() { # label, db args...
    local label=$1; shift
    local t0 t1
    t0=$(date +%s.%N)
    "$BIN" gen --leads "$LEADS" --projects "$PROJECTS" "$@" 2> "$D/$label-gen.log" | tee -a "$OUT"
    t1=$(date +%s.%N)
    log "gen $label: $(python3 -c "print(f'{$t1 - $t0:.0f}')") s wall for $LEADS leads / $PROJECTS projects"
}

log ""
log "## $(date -u '+%F %T') UTC, commit $(git rev-parse --short HEAD)"
log "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/^Mem:/ {print $2}') GiB, $(uname -sr)"
if [[ "${SQLITE:-1}" == 1 ]]; then
    if [[ "${KEEP:-0}" != 1 || ! -f "$D/sqlite/fenglai.db" ]]; then
        rm -rf "$D/sqlite"
        gen sqlite --data-dir "$D/sqlite"
    fi
    log "sqlite database: $(du -sh "$D/sqlite" | cut -f1)"
    run_one sqlite --data-dir "$D/sqlite"
fi
if [[ "${BENCH_PG:-0}" == 1 && -z "${BENCH_PG_URL:-}" ]]; then
    pg_start
    "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U fenglai -d postgres -c "CREATE DATABASE bench"
    BENCH_PG_URL="postgres://fenglai@127.0.0.1:${PG_PORT}/bench"
    log "postgresql: $("$PG_BIN/postgres" --version), throwaway at $BENCH_PG_URL"
fi
if [[ -n "${BENCH_PG_URL:-}" ]]; then
    if [[ "${KEEP:-0}" != 1 || -n "${PG_DIR:-}" ]]; then
        gen postgres --database-url "$BENCH_PG_URL"
    fi
    run_one postgres --database-url "$BENCH_PG_URL"
fi
