#!/usr/bin/env bash
# Says which parts of the notebook set-up are present and which are missing; exits 1 if any is missing.
# `bash kernel-setup/install.sh` installs what is missing. With --quiet, prints only what is missing.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
# shellcheck source=kernel-setup/common.sh
source kernel-setup/common.sh

quiet=0
[ "${1:-}" = "--quiet" ] && quiet=1
missing=0

report() {
  local ok="$1" what="$2"
  if [ "$ok" -eq 0 ]; then
    [ "$quiet" -eq 1 ] || echo "present  $what"
  else
    echo "MISSING  $what"
    missing=1
  fi
}

for pkg in tslab tsx playwright-core plotly.js-dist-min; do
  [ -f "node_modules/$pkg/package.json" ]
  report $? "npm package $pkg"
done
for pkg in "${APT_PACKAGES[@]}"; do
  apt_installed "$pkg"
  report $? "Debian package $pkg"
done
library_linked
report $? "library importable as 'egfr-gtv' from notebooks ($LIBRARY_LINK)"
kernel_registered
report $? "tslab kernel registered in this checkout ($KERNEL_JSON)"

if [ "$missing" -eq 1 ]; then
  echo "run: bash kernel-setup/install.sh"
  exit 1
fi
