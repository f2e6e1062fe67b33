#!/usr/bin/env bash
# Installs the Node.js dependencies exactly as locked, when they are missing or older than the lock file.
# Idempotent: a second run on a set-up machine does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing Node.js dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
