#!/usr/bin/env bash
# What the real-browser notebook test (tests/notebooks/browser.test.ts) needs beyond the notebook set-up: Debian's
# classic Notebook server, which the test starts on 127.0.0.1 and drives through Chromium. Idempotent and unattended
# (CI runs it as root on a fresh Debian clone; elsewhere through sudo). Prints one line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash kernel-setup/install.sh >/dev/null
# shellcheck source=kernel-setup/common.sh
root="$PWD"
source kernel-setup/common.sh
if apt_installed jupyter-notebook; then
  echo "browser-test-setup: up to date"
  exit 0
fi
echo "browser-test-setup: installing Debian's jupyter-notebook"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
apt_get=("${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -qq)
if ! "${apt_get[@]}" -y --no-install-recommends install jupyter-notebook >/dev/null; then
  "${apt_get[@]}" update
  "${apt_get[@]}" -y --no-install-recommends install jupyter-notebook >/dev/null
fi
echo "browser-test-setup: done"
