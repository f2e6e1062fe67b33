#!/usr/bin/env bash
# The whole default test suite from a fresh clone: set-up (Node.js dependencies, the native addon, Debian's Jupyter
# and Chromium, the notebook kernel), type check, lint, then every test (unit, integration, CLI, notebooks in fast
# mode, the main job in reduced form). Ends with one line 'tests: N passed, N failed, N skipped'.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash kernel-setup/install.sh
echo "== type check (tsc --noEmit)"
# tslab ships its own TypeScript 5.0 with a `tsc` bin too; which one npm links to .bin/tsc varies between installs.
node node_modules/typescript/bin/tsc --noEmit
echo "== lint (eslint)"
npx eslint lib tests bench
echo "== tests (mocha)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
npx mocha 'tests/**/*.test.ts' 2>&1 | tee "$log" || status=$?
count() { grep -Eo "^ +[0-9]+ $1" "$log" | tail -n 1 | grep -Eo '[0-9]+' || echo 0; }
echo "tests: $(count passing) passed, $(count failing) failed, $(count pending) skipped"
exit "$status"
