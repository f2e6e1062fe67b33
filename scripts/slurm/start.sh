#!/usr/bin/env bash
# Starts a single-node Slurm cluster by hand (no systemd needed): munged (unless one runs already), slurmctld and
# slurmd, with a slurm.conf of its own in STATE_DIR (default /tmp/egfr-gtv-slurm). Export SLURM_CONF=STATE_DIR/slurm.conf
# to use it; /etc/slurm is not touched. The PIDs this script started go to STATE_DIR/pids, which scripts/slurm/stop.sh
# reads to stop exactly those. Prints "slurm: up in S s" once sinfo shows the node idle. Needs root (SlurmUser=root).
# The configuration lines that matter on these machines: ../shared/docs/toolchain.md, "Slurm on these machines".
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
state=${1:-/tmp/egfr-gtv-slurm}
mkdir -p "$state"/{ctld,spool,log}
: >"$state/pids"
t0=$(date +%s.%N)
host=$(hostname -s)

# munge: a key, its run folder, the daemon (as user munge).
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key --force; else dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none; fi
  fi
  chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge && chown munge:munge /run/munge /var/lib/munge /var/log/munge
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do [ -s /run/munge/munged.pid ] && munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  echo "munged $(cat /run/munge/munged.pid)" >>"$state/pids"
fi

# slurm.conf: the topology slurmd -C reports, RealMemory a little below the total.
topology=$(slurmd -C | head -n 1 | grep -Eo '(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore)=[0-9]+' | tr '\n' ' ')
memory=$(( $(free -m | awk '/^Mem:/ {print $2}') * 9 / 10 ))
cat >"$state/slurm.conf" <<CONF
# Written by scripts/slurm/start.sh: a single-node test cluster.
ClusterName=egfr-gtv-test
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MinJobAge=600
StateSaveLocation=${state}/ctld
SlurmdSpoolDir=${state}/spool
SlurmctldPidFile=${state}/slurmctld.pid
SlurmdPidFile=${state}/slurmd.pid
SlurmctldLogFile=${state}/log/slurmctld.log
SlurmdLogFile=${state}/log/slurmd.log
NodeName=${host} NodeAddr=127.0.0.1 ${topology}RealMemory=${memory} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$state/slurm.conf"

slurmctld -D -i -f "$SLURM_CONF" >>"$state/log/slurmctld.out" 2>&1 &
echo "slurmctld $!" >>"$state/pids"
slurmd -D -f "$SLURM_CONF" >>"$state/log/slurmd.out" 2>&1 &
echo "slurmd $!" >>"$state/pids"
for _ in $(seq 300); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qx idle; then
    echo "slurm: up in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s (SLURM_CONF=$SLURM_CONF)"
    exit 0
  fi
  sleep 0.1
done
echo "slurm: the node did not become idle in 30 s; logs in $state/log" >&2
sinfo >&2 || true
exit 1
