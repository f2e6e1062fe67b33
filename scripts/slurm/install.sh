#!/usr/bin/env bash
# Installs a single-node Slurm cluster's packages from Debian (munge, slurmctld, slurmd, slurm-client; about 13 MB)
# unless they are there already. Needs root and apt. Daemons are never started by the install: where the image has no
# /usr/sbin/policy-rc.d, a temporary one that exits 101 keeps apt from starting them (scripts/slurm/start.sh starts
# them by hand, scripts/slurm/stop.sh stops them by the PIDs it recorded). Exit status 0 when everything is installed.
set -euo pipefail
have() { command -v munged >/dev/null && command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null; }
export PATH="$PATH:/usr/sbin:/sbin"
if have; then echo "slurm: already installed"; exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "slurm: not installed and not root: cannot apt-get install munge slurmctld slurmd slurm-client" >&2; exit 1; fi
if ! command -v apt-get >/dev/null; then echo "slurm: not installed and no apt-get here" >&2; exit 1; fi
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  made_policy=1
fi
cleanup() { if [ "$made_policy" = 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT
packages=(munge slurmctld slurmd slurm-client)
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends "${packages[@]}"; then
  apt-get update
  apt-get install -y --no-install-recommends "${packages[@]}"
fi
have
echo "slurm: installed"
