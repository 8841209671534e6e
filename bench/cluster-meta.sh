#!/usr/bin/env bash
# Metadata on a meta-kv group of 3 processes beside meta-kv inside the server, and failover pauses, on local
# clusters (seabed cluster, 3 storage processes, chain length 3), in one run:
#   1. --meta-nodes 1 then --meta-nodes 3: 4 KiB PUT c=64 (inline: metadata only), 4 KiB GET c=64, 1 MiB PUT c=8;
#   2. --meta-nodes 3: 4 KiB PUTs at c=16 for 3 x SECONDS, the meta leader SIGKILLed at SECONDS and restarted at
#      2 x SECONDS: per-second ops/s and p99, seconds below half the rate, errors;
#   3. --managers 2: 1 MiB PUTs at c=8 for 3 x SECONDS, the primary manager SIGKILLed at SECONDS: the same.
#   bench/cluster-meta.sh [SECONDS]      (default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-15}"
export SEABED_ACCESS_KEY="${SEABED_ACCESS_KEY:-AKIABENCHKEY1234567}"
export SEABED_SECRET_KEY="${SEABED_SECRET_KEY:-benchsecretbenchsecretbenchsecret123456}"
dir=""
trap '[ -n "$dir" ] && { ./seabed cluster stop --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"; }' EXIT

start_cluster() { # start_cluster ARGS...: sets dir and endpoint
  dir="$(mktemp -d /tmp/seabed-meta-XXXX)"
  endpoint="$(./seabed cluster start --dir "$dir" --storage-nodes 3 "$@" 2>/dev/null | grep -E '^http://')"
}
stop_cluster() { ./seabed cluster stop --dir "$dir" >/dev/null; rm -rf "$dir"; dir=""; }
b() { ./seabed bench s3 --endpoint "$endpoint" --duration "${secs}s" --warmup 3s "$@" 2>/dev/null | grep -E "^op=|throughput|latency|errors"; }

for m in 1 3; do
  start_cluster --meta-nodes "$m"
  echo "=== --meta-nodes $m, 3 storage processes, endpoint $endpoint"
  # Seven JVMs share the machine's cores: their JIT needs a while before numbers settle (a first 15 s of 4 KiB
  # PUTs on a group of 3 ran at a sixth of the rate of the fourth). Both layouts get the same warm-up.
  ./seabed bench s3 --endpoint "$endpoint" --op put --size 4KiB --concurrency 64 --duration 45s >/dev/null 2>&1
  b --op put --size 4KiB --concurrency 64
  b --op get --size 4KiB --concurrency 64 --objects 1000
  b --op put --size 1MiB --concurrency 8
  stop_cluster
done

# Runs a bench for 3 x secs in the background, kills ROLE INDEX (chosen by the function $3) at secs and restarts it
# at 2 x secs, then summarizes the per-second progress.
under_kill() { # under_kill ROLE PICK-FUNCTION BENCH-ARGS...
  local role="$1" pick="$2"; shift 2
  local progress="$dir/progress.txt" start kill_at restart_at victim
  start=$(date +%s.%N)
  ./seabed bench s3 --endpoint "$endpoint" --duration "$((3 * secs))s" "$@" 2>"$progress" |
    grep -E "^op=|throughput|latency|errors" &
  local bench=$!
  sleep "$secs"; victim="$($pick)"; kill_at=$(echo "$(date +%s.%N) - $start" | bc)
  ./seabed cluster kill "$role" "$victim" --dir "$dir" >/dev/null
  echo "killed $role $victim at ${kill_at} s"
  sleep "$secs"; restart_at=$(echo "$(date +%s.%N) - $start" | bc)
  ./seabed cluster restart "$role" "$victim" --dir "$dir" >/dev/null
  wait "$bench"
  python3 - "$progress" "$kill_at" "$restart_at" <<'PY'
import re, statistics, sys
rows = []
for line in open(sys.argv[1]):
    m = re.match(r"\[\s*([\d.]+)s\] \S+: (\d+) ops/s\s+([\d.]+) MiB/s\s+errors=(\d+)\s+p99=([\d.]+) ms", line)
    if m: rows.append((float(m[1]), int(m[2]), float(m[3]), int(m[4]), float(m[5])))
kill, restart = float(sys.argv[2]), float(sys.argv[3])
pre = [r for r in rows if 2 <= r[0] <= kill]
post = [r for r in rows if kill < r[0] <= restart]
after = [r for r in rows if r[0] > restart]
mean_pre = statistics.mean(r[1] for r in pre)
slow = [r for r in post if r[1] < mean_pre / 2]
print(f"before the kill: {mean_pre:.0f} ops/s, per-second p99 median {statistics.median(r[4] for r in pre):.0f} ms")
print(f"after the kill: per-second p99 max {max(r[4] for r in post):.0f} ms, {len(slow)} s below half the rate"
      f" ({', '.join(f'{r[0]:.0f}s:{r[1]}' for r in slow)})")
print(f"victim down: {statistics.mean(r[1] for r in post):.0f} ops/s; after its restart:"
      f" {statistics.mean(r[1] for r in after):.0f} ops/s; errors at the end: {rows[-1][3]}")
PY
}

meta_leader() { # the meta process whose latest resolver line says it started, most recently
  local newest="" leader=0
  for i in 1 2 3; do
    local last
    last="$(grep -E 'meta-kv resolver (started|stopped)' "$dir/logs/meta-$i.log" | tail -1 || true)"
    if [[ "$last" == *started* && "$last" > "$newest" ]]; then newest="$last"; leader=$i; fi
  done
  echo "$leader"
}
primary_manager() {
  local newest="" primary=0
  for i in 1 2; do
    local last
    last="$(grep 'primary with lease epoch' "$dir/logs/manager-$i.log" | tail -1 || true)"
    if [[ -n "$last" && "$last" > "$newest" ]]; then newest="$last"; primary=$i; fi
  done
  echo "$primary"
}

start_cluster --meta-nodes 3
echo "=== --meta-nodes 3: 4 KiB PUT c=16 for $((3 * secs)) s, the meta leader killed at ${secs} s, restarted at $((2 * secs)) s"
./seabed bench s3 --endpoint "$endpoint" --op put --size 4KiB --concurrency 64 --duration 45s >/dev/null 2>&1
under_kill meta meta_leader --op put --size 4KiB --concurrency 16
stop_cluster

start_cluster --managers 2
echo "=== --managers 2: 1 MiB PUT c=8 for $((3 * secs)) s, the primary manager killed at ${secs} s, restarted at $((2 * secs)) s"
./seabed bench s3 --endpoint "$endpoint" --op put --size 1MiB --concurrency 8 --duration 3s >/dev/null 2>&1
under_kill manager primary_manager --op put --size 1MiB --concurrency 8
stop_cluster
