#!/usr/bin/env bash
# Stops what scripts/slurm/start.sh started, by the PIDs it recorded in STATE_DIR/pids (default /tmp/egfr-gtv-slurm):
# slurmd, then slurmctld (about 5 s to exit), then munged if start.sh started it. Nothing else is signalled.
set -uo pipefail
state=${1:-/tmp/egfr-gtv-slurm}
[ -f "$state/pids" ] || exit 0
mapfile -t lines < <(tac "$state/pids")
for line in "${lines[@]}"; do
  read -r name pid <<<"$line"
  [ -n "${pid:-}" ] || continue
  kill -TERM "$pid" 2>/dev/null || continue
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then echo "slurm: $name ($pid) did not stop in 15 s: SIGKILL" >&2; kill -KILL "$pid" 2>/dev/null; fi
done
: >"$state/pids"
echo "slurm: stopped"
