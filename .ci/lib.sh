# shellcheck shell=bash
# Helpers shared by .ci/run and the other .ci/*.sh scripts. Source it; do not run it.
#
# It provides:
#   section TITLE            print a visible section header
#   ci_install_deps          install missing Debian packages (PostgreSQL, Chromium, CJK fonts, Node)
#   ci_install_aarch64_deps  install the aarch64 cross toolchain, qemu-user and the Rust target
#   apt_install PKG...       apt-get install with retries (both of the above use it)
#   free_port                print a free TCP port on 127.0.0.1
#   pg_start                 start a throwaway PostgreSQL on loopback; exports FENGLAI_TEST_PG_URL
#   pg_stop                  stop it and remove its directory (also done by ci_cleanup)
#   server_start DATA PORT   start `fenglai demo` in the background and wait for /healthz
#   server_stop              stop it
#   ci_cleanup               stop everything this file started; install it as the EXIT trap
#
# Everything started here is stopped by ci_cleanup, which the caller installs with
# `trap ci_cleanup EXIT` (the scripts here do).

CI_T0=${CI_T0:-$(date +%s)}

section() {
    local now elapsed
    now=$(date +%s)
    elapsed=$((now - CI_T0))
    printf '\n==================================================================\n'
    printf '== %s   [+%dm%02ds]\n' "$*" $((elapsed / 60)) $((elapsed % 60))
    printf '==================================================================\n'
}

note() { printf -- '-- %s\n' "$*"; }

die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

# ---------------------------------------------------------------------------
# Debian packages
# ---------------------------------------------------------------------------

pkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

pg_bindir() {
    # The newest PostgreSQL server installed by Debian's packages.
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]]; then
        printf '%s\n' "$d"
    fi
}

pg_trgm_available() {
    ls /usr/share/postgresql/*/extension/pg_trgm.control >/dev/null 2>&1
}

# apt_install PKG...: apt-get update, then install the packages without their recommends
# (three attempts; sudo when not root).
apt_install() {
    note "installing: $*"
    local sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    local attempt
    for attempt in 1 2 3; do
        if "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" </dev/null; then
            break
        fi
        ((attempt < 3)) || die "apt-get install $* failed"
        note "apt-get install failed (attempt $attempt); retrying in 10 s"
        sleep 10
    done
}

ci_install_deps() {
    local -a want=()
    if [[ -z "$(pg_bindir)" ]] || ! pg_trgm_available || ! command -v psql >/dev/null 2>&1; then
        want+=(postgresql)
    fi
    command -v chromium >/dev/null 2>&1 || want+=(chromium)
    command -v chromedriver >/dev/null 2>&1 || want+=(chromium-driver)
    pkg_installed fonts-noto-cjk || want+=(fonts-noto-cjk)
    command -v node >/dev/null 2>&1 || want+=(nodejs)
    command -v npm >/dev/null 2>&1 || want+=(npm)
    command -v curl >/dev/null 2>&1 || want+=(curl)
    command -v python3 >/dev/null 2>&1 || want+=(python3)

    if ((${#want[@]} == 0)); then
        note "all system packages present (postgresql, chromium, chromium-driver, fonts-noto-cjk, node, npm, curl)"
        return 0
    fi
    apt_install "${want[@]}"
    [[ -n "$(pg_bindir)" ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin after install"
    pg_trgm_available || die "pg_trgm extension not found after installing postgresql"
}

# The Rust target, Debian's cross toolchain and qemu-user for the aarch64 build (.ci/aarch64.sh).
AARCH64_TARGET=aarch64-unknown-linux-gnu
AARCH64_SYSROOT=/usr/aarch64-linux-gnu

ci_install_aarch64_deps() {
    local -a want=()
    command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || want+=(gcc-aarch64-linux-gnu)
    pkg_installed libc6-dev-arm64-cross || want+=(libc6-dev-arm64-cross)
    command -v qemu-aarch64 >/dev/null 2>&1 || want+=(qemu-user)
    command -v file >/dev/null 2>&1 || want+=(file)
    command -v curl >/dev/null 2>&1 || want+=(curl)
    command -v python3 >/dev/null 2>&1 || want+=(python3)
    if ((${#want[@]} == 0)); then
        note "all system packages present (gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, qemu-user, file, curl, python3)"
    else
        apt_install "${want[@]}"
    fi
    command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || die "aarch64-linux-gnu-gcc not found after install"
    command -v qemu-aarch64 >/dev/null 2>&1 || die "qemu-aarch64 not found after install"
    [[ -e "$AARCH64_SYSROOT/lib/ld-linux-aarch64.so.1" ]] ||
        die "$AARCH64_SYSROOT/lib/ld-linux-aarch64.so.1 missing (libc6-arm64-cross)"

    if ! rustc --print target-list | grep -x "$AARCH64_TARGET" >/dev/null; then
        die "this rustc does not know the target $AARCH64_TARGET"
    fi
    local sysroot
    sysroot=$(rustc --print sysroot)
    if [[ ! -d "$sysroot/lib/rustlib/$AARCH64_TARGET/lib" ]]; then
        command -v rustup >/dev/null 2>&1 ||
            die "the Rust standard library for $AARCH64_TARGET is missing and rustup is not installed"
        note "rustup target add $AARCH64_TARGET"
        rustup target add "$AARCH64_TARGET" || die "rustup target add $AARCH64_TARGET failed"
    fi
}

# ---------------------------------------------------------------------------
# Ports
# ---------------------------------------------------------------------------

free_port() {
    python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# ---------------------------------------------------------------------------
# Throwaway PostgreSQL
# ---------------------------------------------------------------------------

PG_DIR=""
PG_BIN=""
PG_PORT=""

# Run a PostgreSQL server program as the `postgres` user when we are root
# (initdb and postgres refuse to run as root), else as ourselves. From / so that a working
# directory `postgres` may not read (a clone under /root, say) does not matter.
as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

pg_start() {
    PG_BIN=$(pg_bindir)
    [[ -n "$PG_BIN" ]] || die "no PostgreSQL server under /usr/lib/postgresql/*/bin"
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        die "user 'postgres' does not exist (is the postgresql package installed?)"
    fi
    PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/fenglai-pg.XXXXXX")
    mkdir -p "$PG_DIR/sock"
    if [[ $(id -u) -eq 0 ]]; then
        chown -R postgres:postgres "$PG_DIR"
    fi
    chmod 700 "$PG_DIR"
    note "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') in $PG_DIR"

    as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --locale=C.UTF-8 --encoding=UTF8 \
        -A trust --no-sync >"$PG_DIR/initdb.log" 2>&1 || {
        cat "$PG_DIR/initdb.log" >&2
        die "initdb failed"
    }

    # Throwaway cluster: durability off for speed; enough connections for parallel tests,
    # each of which opens its own pool on its own database.
    local attempt
    for attempt in 1 2 3; do
        PG_PORT=$(free_port)
        if as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 -c shared_buffers=256MB" \
            start >/dev/null; then
            break
        fi
        tail -n 20 "$PG_DIR/server.log" >&2 || true
        ((attempt < 3)) || die "PostgreSQL did not start"
        note "PostgreSQL did not start on port $PG_PORT (attempt $attempt); retrying"
    done

    local i
    for i in $(seq 1 60); do
        if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres; then
            break
        fi
        ((i < 60)) || die "PostgreSQL on port $PG_PORT not ready after 30 s"
        sleep 0.5
    done

    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
        -c "CREATE ROLE fenglai WITH LOGIN SUPERUSER" >/dev/null

    export FENGLAI_TEST_PG_URL="postgres://fenglai@127.0.0.1:${PG_PORT}/postgres"
    export FENGLAI_REQUIRE_PG=1
    note "PostgreSQL ready: FENGLAI_TEST_PG_URL=$FENGLAI_TEST_PG_URL FENGLAI_REQUIRE_PG=1"
}

pg_stop() {
    if [[ -n "$PG_DIR" && -d "$PG_DIR" ]]; then
        if [[ -n "$PG_BIN" && -f "$PG_DIR/data/postmaster.pid" ]]; then
            as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
        fi
        rm -rf "$PG_DIR"
        note "PostgreSQL stopped and $PG_DIR removed"
    fi
    PG_DIR=""
}

# ---------------------------------------------------------------------------
# The Fenglai demo server
# ---------------------------------------------------------------------------

SERVER_PID=""
SERVER_URL=""

# server_start BINARY DATA_DIR PORT LOG [TIMEOUT_S]
# Starts `BINARY demo` in the background and waits until GET /healthz answers 200.
server_start() {
    local bin=$1 data=$2 port=$3 log=$4 timeout=${5:-120}
    SERVER_URL="http://127.0.0.1:$port"
    note "starting: $bin demo --data-dir $data --bind 127.0.0.1:$port (log: $log)"
    "$bin" demo --data-dir "$data" --bind "127.0.0.1:$port" </dev/null >"$log" 2>&1 &
    SERVER_PID=$!
    local start now code
    start=$(date +%s)
    while :; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            wait "$SERVER_PID" 2>/dev/null || true
            note "the server exited before answering /healthz; the end of its log:"
            tail -n 50 "$log" >&2 || true
            SERVER_PID=""
            return 1
        fi
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$SERVER_URL/healthz" || true)
        if [[ "$code" == 200 ]]; then
            now=$(date +%s)
            note "server ready at $SERVER_URL after $((now - start)) s"
            return 0
        fi
        now=$(date +%s)
        if ((now - start >= timeout)); then
            note "GET /healthz did not answer 200 within $timeout s (last status: ${code:-none}); the end of the server log:"
            tail -n 50 "$log" >&2 || true
            return 1
        fi
        sleep 1
    done
}

server_stop() {
    if [[ -n "$SERVER_PID" ]]; then
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            kill -TERM "$SERVER_PID" 2>/dev/null || true
            local i
            for i in $(seq 1 20); do
                kill -0 "$SERVER_PID" 2>/dev/null || break
                sleep 0.5
            done
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
        wait "$SERVER_PID" 2>/dev/null || true
        note "server (pid $SERVER_PID) stopped"
    fi
    SERVER_PID=""
}

# ---------------------------------------------------------------------------
# Cleanup
# ---------------------------------------------------------------------------

CI_TMP_DIRS=()

# ci_mktemp_dir VAR NAME: make a temporary directory, removed by ci_cleanup, into $VAR.
ci_mktemp_dir() {
    local d
    d=$(mktemp -d "${TMPDIR:-/tmp}/fenglai-$2.XXXXXX")
    CI_TMP_DIRS+=("$d")
    printf -v "$1" '%s' "$d"
}

ci_cleanup() {
    local rc=$?
    local - # the set +e below stays inside this function
    set +e
    server_stop
    pg_stop
    local d
    for d in "${CI_TMP_DIRS[@]}"; do
        [[ -n "$d" ]] && rm -rf "$d"
    done
    CI_TMP_DIRS=()
    return $rc
}

# ---------------------------------------------------------------------------
# Browser tests
# ---------------------------------------------------------------------------

# run_browser_tests BINARY LOG_DIR
# npm ci in e2e/, start the demo server on a free port with a fresh data directory,
# run `node --test e2e/tests/` against it (output also in LOG_DIR/browser-tests.log),
# then stop the server. Screenshots go to e2e/screenshots/ (gitignored).
run_browser_tests() {
    local bin=$1 logdir=$2
    [[ -x "$bin" ]] || die "$bin not found or not executable (run cargo build --release first)"
    note "npm ci (e2e/: playwright-core only; the browser is Debian's /usr/bin/chromium)"
    (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error 2>&1 |
        grep -v 'Unknown user config "nodedir"' || true)
    [[ -d e2e/node_modules/playwright-core ]] || die "npm ci did not install playwright-core"

    local demo port rc=0
    ci_mktemp_dir demo demo
    port=$(free_port)
    server_start "$bin" "$demo" "$port" "$logdir/server.log" 120 || die "the demo server did not start"

    mkdir -p e2e/screenshots
    export FENGLAI_URL=$SERVER_URL
    export FENGLAI_SCREENSHOT_DIR=$PWD/e2e/screenshots
    note "node --test e2e/tests/ with FENGLAI_URL=$FENGLAI_URL"
    timeout 15m node --test --test-reporter=spec --test-timeout=300000 e2e/tests/ 2>&1 |
        tee "$logdir/browser-tests.log" || rc=$?
    if ((rc != 0)); then
        note "browser tests failed (exit $rc); screenshots in $FENGLAI_SCREENSHOT_DIR; the end of the server log:"
        tail -n 40 "$logdir/server.log" || true
    fi
    server_stop
    return $rc
}

# ---------------------------------------------------------------------------
# Counting tests from the runners' own closing lines
# ---------------------------------------------------------------------------

# count_cargo_tests LOG: prints "passed failed skipped" summed over cargo's "test result:" lines.
count_cargo_tests() {
    awk '/^test result: / {
            for (i = 1; i <= NF; i++) {
                v = $(i - 1) + 0
                if ($i ~ /^passed/) p += v
                else if ($i ~ /^failed/) f += v
                else if ($i ~ /^ignored/) s += v
            }
         }
         END { printf "%d %d %d\n", p, f, s }' "$1"
}

# count_node_tests LOG: prints "passed failed skipped" from node's spec reporter summary.
count_node_tests() {
    awk '/^[^ ]+ (pass|fail|skipped|todo|cancelled) [0-9]+$/ {
            if ($2 == "pass") p += $3
            else if ($2 == "fail" || $2 == "cancelled") f += $3
            else s += $3
         }
         END { printf "%d %d %d\n", p, f, s }' "$1"
}
