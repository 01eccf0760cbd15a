#!/usr/bin/env bash
# Start a single-node Slurm cluster from Debian's packages (slurm-wlm, munge), run the demo
# pipeline through `snakemake --executor slurm`, check the report exists, stop the daemons.
# Needs root on Debian/Ubuntu (CI runs it as root). Usage: tests/slurm/run-demo-on-slurm.sh [python]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
python=${1:-$repo/.venv/bin/python}
# A relative path (CI passes .venv/bin/python) is resolved now: the run cds into a scratch copy.
case "$python" in /*) ;; */*) python="$PWD/$python" ;; esac
if ! "$python" -c "import snakemake_executor_plugin_slurm" 2>/dev/null; then
  echo "the Slurm executor plugin is not installed for $python: run 'make slurm' first" >&2
  exit 1
fi
scratch=$(mktemp -d /tmp/slurm-demo.XXXXXX)
pids=()

cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  if [ -f "$scratch/slurm.conf.before" ]; then cp "$scratch/slurm.conf.before" /etc/slurm/slurm.conf
  else rm -f /etc/slurm/slurm.conf; fi
  if [ "$rc" = 0 ]; then rm -rf "$scratch"; else echo "slurm run failed: logs kept in $scratch"; fi
}
trap cleanup EXIT

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "installing slurm-wlm and munge from Debian's packages"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

# munge: Debian creates a key; make one if it did not.
if [ ! -s /etc/munge/munge.key ]; then mungekey -c -f >/dev/null 2>&1 || /usr/sbin/mungekey -c -f; fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged --force
  sleep 1
fi
munge -n | unmunge | grep -q "STATUS:.*Success" || { echo "munge is not working"; exit 1; }

host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
mkdir -p "$scratch"/{state,spool,log}
cat > "$scratch/slurm.conf" <<CONF
ClusterName=parentgroup-test
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$scratch/state
SlurmdSpoolDir=$scratch/spool
SlurmctldPidFile=$scratch/slurmctld.pid
SlurmdPidFile=$scratch/slurmd.pid
SlurmctldLogFile=$scratch/log/slurmctld.log
SlurmdLogFile=$scratch/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
# Jobs run srun inside their allocation, which reads the default config path (the executor does
# not pass SLURM_CONF through), so the config goes to /etc/slurm; a previous one is restored.
mkdir -p /etc/slurm
if [ -f /etc/slurm/slurm.conf ]; then cp /etc/slurm/slurm.conf "$scratch/slurm.conf.before"; fi
cp "$scratch/slurm.conf" /etc/slurm/slurm.conf
export SLURM_CONF=/etc/slurm/slurm.conf
slurmctld -D -f "$SLURM_CONF" >"$scratch/log/ctld.out" 2>&1 & pids+=($!)
sleep 2
slurmd -D -f "$SLURM_CONF" >"$scratch/log/d.out" 2>&1 & pids+=($!)
for _ in $(seq 1 30); do
  sinfo -h -o "%T" 2>/dev/null | grep -qE "idle|mixed" && break
  sleep 1
done
sinfo
srun -N1 hostname

# The demo, in a copy of the repository (outputs and secrets excluded).
work="$scratch/repo"
mkdir -p "$work"
tar -C "$repo" --exclude=.git --exclude=.venv --exclude=results --exclude=data/processed \
  --exclude=data/secure --exclude=logs --exclude=.snakemake -cf - . | tar -C "$work" -xf -
cd "$work"
start=$(date +%s)
"$python" -m snakemake --workflow-profile "$here/profile" --executor slurm
echo "demo through Slurm: $(( $(date +%s) - start )) s"
test -s results/demo/report.html
test -s results/demo/leak_check.txt
echo "slurm run ok: results/demo/report.html built on the test cluster"
