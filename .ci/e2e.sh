#!/usr/bin/env bash
# Only the browser tests of .ci/run, against an already built release binary
# (cargo build --release first; this script builds nothing).
#
#   bash .ci/e2e.sh                         uses target/release/fenglai (or $CARGO_TARGET_DIR)
#   FENGLAI_BIN=/path/to/fenglai bash .ci/e2e.sh
#   FENGLAI_URL=http://127.0.0.1:8080 bash .ci/e2e.sh   against a server you already run
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=.ci/lib.sh
source .ci/lib.sh
trap ci_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ci_install_deps
ci_mktemp_dir LOG_DIR logs
if [[ -n "${FENGLAI_URL:-}" ]]; then
    section "browser tests against $FENGLAI_URL"
    (cd e2e && npm ci --no-audit --no-fund --loglevel=error 2>&1 | grep -v 'Unknown user config "nodedir"' || true)
    mkdir -p e2e/screenshots
    export FENGLAI_SCREENSHOT_DIR=$PWD/e2e/screenshots
    node --test --test-reporter=spec --test-timeout=300000 e2e/tests/
else
    target=${CARGO_TARGET_DIR:-target}
    bin=${FENGLAI_BIN:-$target/release/fenglai}
    section "browser tests against $bin demo"
    run_browser_tests "$bin" "$LOG_DIR"
fi
