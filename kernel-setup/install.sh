#!/usr/bin/env bash
# Installs what the notebooks need: the Node.js dependencies, Debian's Jupyter (to execute notebooks), Debian's
# Chromium (to export figures), the library linked as the package `egfr-gtv`, and the tslab kernel registered inside
# the repository (kernel.json holds an absolute path, so it is generated under .jupyter/ and never committed).
# Idempotent: on a set-up machine it changes nothing and prints one line. Runs unattended as root (CI) or with sudo.
#   bash kernel-setup/install.sh [--with-notebook]
# --with-notebook also installs Debian's classic Notebook front end, for working in the notebooks interactively
# (headless runs and CI do not need it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
# shellcheck source=kernel-setup/common.sh
source kernel-setup/common.sh

wanted_apt=("${APT_PACKAGES[@]}")
for arg in "$@"; do
  case "$arg" in
    --with-notebook) wanted_apt+=(jupyter-notebook) ;;
    *) echo "kernel-setup: unknown option '$arg' (known: --with-notebook)" >&2; exit 2 ;;
  esac
done

changed=0

bash scripts/setup.sh

missing_apt=()
for pkg in "${wanted_apt[@]}"; do
  apt_installed "$pkg" || missing_apt+=("$pkg")
done
if [ "${#missing_apt[@]}" -gt 0 ]; then
  echo "kernel-setup: installing Debian packages: ${missing_apt[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  apt_get=("${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -qq)
  # A fresh image has no package lists; stale ones make the install fail. Refresh only in those two cases.
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    "${apt_get[@]}" update
  fi
  if ! "${apt_get[@]}" -y --no-install-recommends install "${missing_apt[@]}" >/dev/null; then
    "${apt_get[@]}" update
    "${apt_get[@]}" -y --no-install-recommends install "${missing_apt[@]}" >/dev/null
  fi
  changed=1
fi

if ! library_linked; then
  echo "kernel-setup: making the library importable as egfr-gtv (node_modules/egfr-gtv)"
  link_library
  changed=1
fi

if ! kernel_registered; then
  echo "kernel-setup: registering the tslab kernel under .jupyter/"
  rm -rf "$root/.jupyter/share/jupyter/kernels"
  "$root/node_modules/.bin/tslab" install --python=/usr/bin/python3 --binary="$KERNEL_LAUNCHER" \
    --prefix="$root/.jupyter" >/dev/null
  changed=1
fi

if [ "$changed" -eq 1 ]; then
  echo "kernel-setup: done. Jupyter finds the kernel with: export JUPYTER_PATH=\"$JUPYTER_DATA\""
else
  echo "kernel-setup: up to date"
fi
