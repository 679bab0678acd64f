#!/usr/bin/env bash
# A one-node Slurm cluster on loopback, for the Slurm tests (README "Sweeps on a cluster").
#
#   scripts/slurm-loopback.sh start DIR   # munged, slurmctld, slurmd with state under DIR;
#                                         # prints "export SLURM_CONF=DIR/slurm.conf"
#   scripts/slurm-loopback.sh stop DIR    # stops the three daemons by the pids they wrote
#
# Needs root (Debian's slurm-wlm and munge; scripts/install-deps.sh --slurm installs them).
# Everything lives under DIR: its own munge key and socket, ports 16817/16818, proctrack/linuxproc,
# task/none, no cgroup.conf, node address 127.0.0.1.
set -euo pipefail
action=${1:?usage: slurm-loopback.sh start|stop DIR}
dir=$(realpath -m "${2:?usage: slurm-loopback.sh start|stop DIR}")

stop() {
  for name in slurmd slurmctld munged; do
    if [ -f "$dir/$name.pid" ]; then
      pid=$(cat "$dir/$name.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      rm -f "$dir/$name.pid"
    fi
  done
}

if [ "$action" = stop ]; then stop; exit 0; fi
[ "$action" = start ] || { echo "usage: slurm-loopback.sh start|stop DIR" >&2; exit 2; }

mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 700 "$dir/munge"
[ -f "$dir/munge/munge.key" ] || mungekey --create --keyfile="$dir/munge/munge.key" 2>/dev/null \
  || { dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none; }
chmod 600 "$dir/munge/munge.key"
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
cat > "$dir/slurm.conf" <<CONF
ClusterName=ptvloop
SlurmctldHost=$(hostname -s)(127.0.0.1)
MailProg=/bin/true
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName=ptvnode NodeAddr=127.0.0.1 NodeHostname=$(hostname -s) CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=ptv Nodes=ptvnode Default=YES MaxTime=INFINITE State=UP
CONF
# The daemons get no terminal and none of this script's descriptors.
munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" </dev/null >/dev/null 2>&1
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$dir/slurm.conf" </dev/null >/dev/null 2>&1
slurmd -f "$dir/slurm.conf" -N ptvnode </dev/null >/dev/null 2>&1
for _ in $(seq 60); do
  if timeout 5 sinfo -h -o %T 2>/dev/null | grep -q idle; then echo "export SLURM_CONF=$dir/slurm.conf"; exit 0; fi
  sleep 0.2
done
echo "slurm-loopback: the node did not come up; see $dir/slurmctld.log and $dir/slurmd.log" >&2
stop
exit 1
