#!/usr/bin/env bash
# 信创 / ARM: cross-build the release binary for aarch64 (Kunpeng, Phytium and other ARMv8
# servers) with Debian's cross toolchain, then run it under qemu-user: the demo city on a free
# loopback port with a fresh data directory, GET /healthz, and a smoke test of the JSON API
# and the web UI; then stop it and check it exits cleanly.
#
#   bash .ci/aarch64.sh          from the repository root (any directory works)
#
# Installs what is missing: gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, qemu-user (Debian
# packages) and `rustup target add aarch64-unknown-linux-gnu`. The binary is
# $CARGO_TARGET_DIR/aarch64-unknown-linux-gnu/release/fenglai (target/… by default).
# FENGLAI_QEMU_START_TIMEOUT (seconds, default 900) bounds the emulated demo's seeding and
# start-up.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=.ci/lib.sh
source .ci/lib.sh
trap ci_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

START_TIMEOUT=${FENGLAI_QEMU_START_TIMEOUT:-900}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
[[ "$TARGET_DIR" == /* ]] || TARGET_DIR="$ROOT/$TARGET_DIR"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

# ---------------------------------------------------------------------------
section "aarch64: cross toolchain and qemu-user"
ci_install_aarch64_deps
# The C code of the dependencies (SQLite, ring, zstd) is built by the cc crate with these.
export CC_aarch64_unknown_linux_gnu=${CC_aarch64_unknown_linux_gnu:-aarch64-linux-gnu-gcc}
export AR_aarch64_unknown_linux_gnu=${AR_aarch64_unknown_linux_gnu:-aarch64-linux-gnu-ar}
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=${CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER:-aarch64-linux-gnu-gcc}
note "$(rustc --version); target $AARCH64_TARGET"
note "$(aarch64-linux-gnu-gcc --version | head -n 1)"
note "$(qemu-aarch64 --version | head -n 1)"

# ---------------------------------------------------------------------------
section "aarch64: cargo build --release --target $AARCH64_TARGET --bin fenglai"
t0=$(date +%s)
cargo build --release --locked --target "$AARCH64_TARGET" --bin fenglai ||
    die "the aarch64 cross build failed"
build_s=$(($(date +%s) - t0))
BIN="$TARGET_DIR/$AARCH64_TARGET/release/fenglai"
[[ -x "$BIN" ]] || die "$BIN was not built"
note "built $BIN ($(du -h "$BIN" | cut -f1)) in $((build_s / 60))m$((build_s % 60))s"

# The ELF header: magic, 64-bit (2), little-endian (1), e_type EXEC (2) or DYN (3, PIE),
# e_machine AArch64 (183 = 0xb7).
read -r -a hdr <<<"$(od -An -v -tx1 -N20 "$BIN" | tr '\n' ' ')"
[[ "${hdr[*]:0:6}" == "7f 45 4c 46 02 01" ]] || die "$BIN is not a 64-bit little-endian ELF file (${hdr[*]})"
[[ "${hdr[16]}${hdr[17]}" == 0200 || "${hdr[16]}${hdr[17]}" == 0300 ]] ||
    die "$BIN is not an ELF executable (e_type ${hdr[16]}${hdr[17]})"
[[ "${hdr[18]}${hdr[19]}" == b700 ]] || die "$BIN is not built for AArch64 (e_machine ${hdr[18]}${hdr[19]})"
note "$(file -b "$BIN")"
# The oldest glibc the binary runs on is the newest symbol version it links (the sysroot's
# glibc decides it, Debian bookworm's 2.36 gives 2.34).
glibc=$(aarch64-linux-gnu-objdump -T "$BIN" | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -n 1)
note "needs ${glibc/_/ ≥ } on the server ($(aarch64-linux-gnu-readelf -d "$BIN" | grep -o 'NEEDED.*' | grep -o '\[.*\]' | tr -d '[]' | xargs))"

QEMU=(qemu-aarch64 -L "$AARCH64_SYSROOT")
"${QEMU[@]}" "$BIN" --version >/dev/null 2>&1 || "${QEMU[@]}" "$BIN" --help >/dev/null ||
    die "the aarch64 binary does not run under ${QEMU[*]}"
note "runs under ${QEMU[*]}"

# ---------------------------------------------------------------------------
section "aarch64: fenglai demo under qemu-user"
ci_mktemp_dir WORK aarch64
# server_start runs `BIN demo --data-dir … --bind …`; this wrapper puts qemu in front (exec, so
# the server's pid is qemu's and signals reach the emulated program) and leaves the job
# worker out.
cat >"$WORK/fenglai" <<EOF
#!/bin/sh
exec ${QEMU[*]} "$BIN" "\$@" --no-worker
EOF
chmod +x "$WORK/fenglai"
mkdir "$WORK/data"
port=$(free_port)
t0=$(date +%s)
server_start "$WORK/fenglai" "$WORK/data" "$port" "$WORK/server.log" "$START_TIMEOUT" ||
    die "the aarch64 demo did not answer GET /healthz within $START_TIMEOUT s under qemu-user"
start_s=$(($(date +%s) - t0))
curl -sf --max-time 30 "$SERVER_URL/healthz" >/dev/null || die "GET /healthz failed"

# ---------------------------------------------------------------------------
section "aarch64: smoke test (JSON API and web UI) against $SERVER_URL"
t0=$(date +%s)
# json EXPR: evaluate the Python expression EXPR over the JSON document on stdin (as `v`)
# and print the result; fails on anything that is not JSON.
json() { python3 -c 'import json, sys; v = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
CURL=(curl -s --max-time 120)

body=$("${CURL[@]}" -X POST "$SERVER_URL/api/v1/auth/token" -H 'content-type: application/json' \
    -d '{"username":"promoter","password":"demo"}') || die "POST /api/v1/auth/token failed"
token=$(json 'v["token"]' <<<"$body") || die "POST /api/v1/auth/token did not answer a token: $body"
AUTH=(-H "authorization: Bearer $token")
note "signed in as promoter over the API"

"${CURL[@]}" -o "$WORK/leads.json" -w '%{http_code}' "${AUTH[@]}" "$SERVER_URL/api/v1/leads" >"$WORK/status" ||
    die "GET /api/v1/leads failed"
[[ "$(cat "$WORK/status")" == 200 ]] || die "GET /api/v1/leads answered $(cat "$WORK/status"): $(head -c 300 "$WORK/leads.json")"
listed=$(json 'len(v["items"]) if v["items"] and v["total"] > 0 else 0' <"$WORK/leads.json") ||
    die "GET /api/v1/leads did not answer JSON with items: $(head -c 300 "$WORK/leads.json")"
((listed > 0)) || die "GET /api/v1/leads listed no lead"
note "GET /api/v1/leads: $listed items of $(json 'v["total"]' <"$WORK/leads.json")"

company="鲲鹏信创冒烟测试科技有限公司"
today=$(date +%F)
"${CURL[@]}" -o "$WORK/created.json" -w '%{http_code}' "${AUTH[@]}" -H 'content-type: application/json' \
    -X POST "$SERVER_URL/api/v1/leads" \
    -d "{\"company_name\":\"$company\",\"industry_code\":\"3982\",\"region_code\":\"320500\",\"planned_investment_yuan\":500000000,\"description\":\"ARM 服务器整机\",\"reported_date\":\"$today\"}" \
    >"$WORK/status" || die "POST /api/v1/leads failed"
[[ "$(cat "$WORK/status")" == 201 ]] ||
    die "POST /api/v1/leads answered $(cat "$WORK/status"): $(head -c 300 "$WORK/created.json")"
id=$(json 'v["id"]' <"$WORK/created.json")
note "POST /api/v1/leads: lead $id"
"${CURL[@]}" -f "${AUTH[@]}" "$SERVER_URL/api/v1/leads/$id" >"$WORK/lead.json" || die "GET /api/v1/leads/$id failed"
got=$(json 'v["company_name"] + " " + v["status"] + " " + str(v["planned_investment_yuan"])' <"$WORK/lead.json")
[[ "$got" == "$company pending_review 500000000" ]] || die "GET /api/v1/leads/$id answered: $got"
note "GET /api/v1/leads/$id: $got"

# The web UI: the login form's CSRF cookie, the login, then the lead list with the session.
jar="$WORK/cookies"
"${CURL[@]}" -f -c "$jar" -o /dev/null "$SERVER_URL/login" || die "GET /login failed"
csrf=$(awk '$6 == "fenglai_login_csrf" {print $7}' "$jar")
[[ -n "$csrf" ]] || die "GET /login set no fenglai_login_csrf cookie"
code=$("${CURL[@]}" -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}' -X POST "$SERVER_URL/login" \
    --data-urlencode username=promoter --data-urlencode password=demo --data-urlencode "csrf=$csrf")
[[ "$code" == 303 ]] || die "POST /login answered $code, not 303"
grep -q fenglai_session "$jar" || die "POST /login set no session cookie"
code=$("${CURL[@]}" -b "$jar" -o "$WORK/leads.html" -w '%{http_code}' "$SERVER_URL/leads")
[[ "$code" == 200 ]] || die "GET /leads with a session answered $code"
grep -q "$company" "$WORK/leads.html" || die "GET /leads does not show the lead reported over the API"
note "web login as promoter, GET /leads shows lead $id ($(wc -c <"$WORK/leads.html") bytes of HTML)"
smoke_s=$(($(date +%s) - t0))

# ---------------------------------------------------------------------------
section "aarch64: stopping the server (SIGINT)"
t0=$(date +%s)
kill -INT "$SERVER_PID"
for _ in $(seq 1 120); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.5
done
kill -0 "$SERVER_PID" 2>/dev/null && die "the server did not stop within 60 s of SIGINT"
rc=0
wait "$SERVER_PID" || rc=$?
SERVER_PID=""
((rc == 0)) || {
    tail -n 30 "$WORK/server.log" >&2
    die "the server exited with status $rc after SIGINT"
}
stop_s=$(($(date +%s) - t0))
if grep -qE 'panicked|ERROR' "$WORK/server.log"; then
    grep -E 'panicked|ERROR' "$WORK/server.log" | head -n 10 >&2
    die "the server log shows errors"
fi
note "exited with status 0 after ${stop_s} s"

printf 'aarch64: build %dm%02ds, start-up under qemu %ds (seeding the demo), smoke %ds, stop %ds; needs %s\n' \
    $((build_s / 60)) $((build_s % 60)) "$start_s" "$smoke_s" "$stop_s" "${glibc/_/ ≥ }"
echo "aarch64: all checks passed"
