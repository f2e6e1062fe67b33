#!/usr/bin/env bash
# The whole default test suite from a fresh clone: set-up, type check, lint, unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== type check (tsc --noEmit)"
npx tsc --noEmit
echo "== lint (eslint)"
npx eslint lib tests bench
echo "== tests (mocha)"
npx mocha 'tests/**/*.test.ts'
