#!/usr/bin/env bash
# API robustness: schemathesis (PyPI) against /api/v1/openapi.json of a fresh `fenglai demo`,
# signed in as the administrator (who may call every route), with a fixed seed and a bounded
# number of examples per operation. Checks: no 5xx, every response matches its documented
# schema and content type.
#
#   bash .ci/schemathesis.sh BIN [EXAMPLES]     BIN: the release binary; EXAMPLES default 20
#
# Installs schemathesis into a virtualenv under the cargo target directory on first use.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=.ci/lib.sh
source .ci/lib.sh
BIN=${1:?usage: .ci/schemathesis.sh BIN [EXAMPLES]}
EXAMPLES=${2:-20}
VERSION=4.32.5
TARGET_DIR=${CARGO_TARGET_DIR:-target}
VENV="$TARGET_DIR/schemathesis-venv"
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$VERSION"; then
    note "installing schemathesis $VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi
ci_mktemp_dir ST_LOG st-logs
ci_mktemp_dir ST_DEMO st-demo
trap 'server_stop; ci_cleanup' EXIT
port=$(free_port)
server_start "$BIN" "$ST_DEMO" "$port" "$ST_LOG/server.log" 120 || die "the demo server did not start"
token=$(curl -s -X POST "$SERVER_URL/api/v1/auth/token" -H 'content-type: application/json' \
    -d '{"username":"admin","password":"demo"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
note "schemathesis $VERSION: $EXAMPLES examples an operation, seed 1"
# The whole run signs in with one token: the operations that revoke tokens (the caller's
# own, or every session of a user — the administrator's too) would end it half-way and
# leave every later operation answering 401, so they are left to tests/api/auth.rs.
"$VENV/bin/schemathesis" run "$SERVER_URL/api/v1/openapi.json" \
    -H "Authorization: Bearer $token" \
    --exclude-operation-id revoke_token \
    --exclude-operation-id revoke_user_sessions \
    --exclude-operation-id revoke_user_session \
    --max-examples "$EXAMPLES" --seed 1 --no-color \
    --checks not_a_server_error,response_schema_conformance,content_type_conformance 2>&1 |
    grep -vE '^\s+- |No links point|Add a link' | tail -n 40
rc=${PIPESTATUS[0]}
if ((rc != 0)); then
    note "schemathesis failed (exit $rc); the end of the server log:"
    tail -n 40 "$ST_LOG/server.log" || true
fi
exit "$rc"
