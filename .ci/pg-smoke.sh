#!/usr/bin/env bash
# Dry run of .ci/run's PostgreSQL part: install what is missing, start the throwaway server,
# check it answers as the `fenglai` role (select 1, a fresh database with pg_trgm, as the tests
# do), then stop it and check its directory is gone. No cargo.
#
#   bash .ci/pg-smoke.sh
#   bash .ci/pg-smoke.sh -- COMMAND...   run COMMAND with FENGLAI_TEST_PG_URL and FENGLAI_REQUIRE_PG=1
#                                        set (e.g. `-- cargo test -p fenglai-store`), then stop
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=.ci/lib.sh
source .ci/lib.sh
trap ci_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

section "system packages"
ci_install_deps

section "PostgreSQL"
pg_start
psql_admin() { "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 "$FENGLAI_TEST_PG_URL" "$@"; }
[[ "$(psql_admin -c 'select 1')" == 1 ]] || die "select 1 did not answer 1"
note "select 1 as fenglai over TCP: ok"
[[ "$(psql_admin -c 'select rolsuper from pg_roles where rolname = current_user')" == t ]] ||
    die "role fenglai is not a superuser"
note "role fenglai is a superuser: ok"
db="ci_smoke_$$"
psql_admin -c "create database $db"
url="${FENGLAI_TEST_PG_URL%/postgres}/$db"
"$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 "$url" \
    -c 'create extension if not exists pg_trgm' \
    -c "select similarity('南京江北新区', '南京江北')" \
    -c "show server_encoding" -c "show lc_collate"
psql_admin -c "drop database $db"
note "fresh database + pg_trgm + UTF8: ok"

if [[ "${1:-}" == "--" ]]; then
    shift
    section "running: $*"
    "$@"
fi

section "stopping"
dir=$PG_DIR
pg_stop
[[ ! -e "$dir" ]] || die "$dir still exists after pg_stop"
if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
    die "PostgreSQL still answers on port $PG_PORT after pg_stop"
fi
note "server stopped, directory removed: ok"
echo "pg-smoke: ok"
