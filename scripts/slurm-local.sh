#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for testing `infrascape sweep submit` against a real Slurm:
# installs slurm-wlm and munge from Debian when they are missing, writes a slurm.conf for this host (all its
# CPUs and memory, one partition), and starts munged, slurmctld and slurmd as root.
#
#   scripts/slurm-local.sh start [DIR]   start (DIR holds the configuration, state, spool and logs;
#                                        default /tmp/infrascape-slurm); prints the export line for SLURM_CONF
#   scripts/slurm-local.sh stop [DIR]    stop the daemons this script started (and munged if it started it)
#   scripts/slurm-local.sh env [DIR]     print the export line for SLURM_CONF
#
# Needs root (the daemons run as root). No accounting database: `sacct` is not available, and
# `infrascape sweep status` then reads the queue (squeue) and the members' result files instead.
set -euo pipefail

cmd=${1:-}
dir=${2:-/tmp/infrascape-slurm}
conf="$dir/slurm.conf"

die() { echo "slurm-local: $*" >&2; exit 1; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  [ "$(id -u)" -eq 0 ] || die "needs root (slurmctld and slurmd run as root here)"
  local need=()
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    echo "slurm-local: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
  fi
  mkdir -p "$dir/state" "$dir/spool" "$dir/log"

  # munge: the Debian package made /etc/munge/munge.key; start the daemon unless one answers.
  if ! { munge -n | unmunge; } >/dev/null 2>&1; then
    [ -f /etc/munge/munge.key ] || { mungekey --create >/dev/null 2>&1 || die "cannot create /etc/munge/munge.key"; }
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
    runuser -u munge -- /usr/sbin/munged --force || die "munged did not start (see /var/log/munge/munged.log)"
    touch "$dir/started-munged"
  fi
  munge -n | unmunge >/dev/null || die "munge does not work (munge -n | unmunge failed)"

  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
  cat >"$conf" <<EOF
# Written by scripts/slurm-local.sh: one node, no cgroups, no accounting database.
ClusterName=infrascape-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MaxArraySize=100001
MaxJobCount=200000
MinJobAge=300
KillWait=5
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$conf
  if ! pid_alive "$dir/slurmctld.pid"; then
    /usr/sbin/slurmctld -f "$conf" -c -i || die "slurmctld did not start (see $dir/log/slurmctld.log)"
  fi
  if ! pid_alive "$dir/slurmd.pid"; then
    /usr/sbin/slurmd -f "$conf" || die "slurmd did not start (see $dir/log/slurmd.log)"
  fi
  # Wait until the node is idle (slurmd registered).
  for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -q '^idle'; then
      echo "export SLURM_CONF=$conf"
      return 0
    fi
    sleep 1
  done
  die "the node did not become idle in 60 s: $(sinfo -h -o '%T %E' 2>&1 | head -1) (see $dir/log)"
}

stop() {
  export SLURM_CONF=$conf
  for d in slurmd slurmctld; do
    if pid_alive "$dir/$d.pid"; then
      kill "$(cat "$dir/$d.pid")"
      for _ in $(seq 1 20); do pid_alive "$dir/$d.pid" || break; sleep 0.5; done
    fi
  done
  if [ -f "$dir/started-munged" ]; then
    [ -f /run/munge/munged.pid ] && kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
    rm -f "$dir/started-munged"
  fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  env) echo "export SLURM_CONF=$conf" ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
