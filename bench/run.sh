#!/usr/bin/env bash
# Lead list, name search and as-of figures over HTTP on 1,000,000 generated leads.
#
#   bash bench/run.sh                                  # SQLite in bench-data/sqlite
#   BENCH_PG_URL=postgres://user@127.0.0.1:5432/bench bash bench/run.sh   # also PostgreSQL (an empty database)
#
# Environment: LEADS (1000000), PROJECTS (300000), N (requests per query kind and user, 300),
# KEEP=1 reuses a dataset generated before.
set -euo pipefail
cd "$(dirname "$0")/.."
LEADS=${LEADS:-1000000}
PROJECTS=${PROJECTS:-300000}
N=${N:-300}
cargo build --release --quiet
BIN=target/release/fenglai
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run_one() { # label, db args...
    local label=$1; shift
    local port; port=$(free_port)
    "$BIN" serve "$@" --bind "127.0.0.1:$port" > "bench-data/$label-serve.log" 2>&1 &
    local pid=$!
    trap 'kill $pid 2>/dev/null || true' RETURN
    for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
    python3 bench/api_latency.py --url "http://127.0.0.1:$port" --n "$N" --label "($label)"
}

mkdir -p bench-data
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
if [[ "${KEEP:-0}" != 1 || ! -f bench-data/sqlite/fenglai.db ]]; then
    rm -rf bench-data/sqlite
    /usr/bin/time -f "gen sqlite: %e s" "$BIN" gen --leads "$LEADS" --projects "$PROJECTS" --data-dir bench-data/sqlite
fi
run_one sqlite --data-dir bench-data/sqlite
if [[ -n "${BENCH_PG_URL:-}" ]]; then
    if [[ "${KEEP:-0}" != 1 ]]; then
        /usr/bin/time -f "gen postgres: %e s" "$BIN" gen --leads "$LEADS" --projects "$PROJECTS" --database-url "$BENCH_PG_URL"
    fi
    run_one postgres --database-url "$BENCH_PG_URL"
fi
