#!/usr/bin/env bash
# Reads over replicas, a storage node's failure under load, and its recovery, on a local cluster
# (seabed cluster: server, 2 managers, 5 storage processes, chain length 3), in one run:
#   1. 1 MiB GETs at c=8 for SECONDS: bytes read per storage node (how reads spread over the replicas);
#   2. 1 MiB PUTs at c=8 for 3 x SECONDS: storage node 2 is SIGKILLed at SECONDS and restarted at 2 x SECONDS;
#      per-second ops/s and p99 before and after the kill, how long until PUTs flow again, errors;
#   3. the sync that refills node 2's target: bytes sent and MiB/s, from the storage nodes' logs.
#   bench/cluster-failover.sh [SECONDS]      (default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-15}"
export SEABED_ACCESS_KEY="${SEABED_ACCESS_KEY:-AKIABENCHKEY1234567}"
export SEABED_SECRET_KEY="${SEABED_SECRET_KEY:-benchsecretbenchsecretbenchsecret123456}"
dir="$(mktemp -d /tmp/seabed-failover-XXXX)"
trap './seabed cluster stop --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
endpoint="$(./seabed cluster start --dir "$dir" --storage-nodes 5 --managers 2 2>/dev/null | grep -E '^http://')"
echo "=== 5 storage processes, 2 managers, chain length 3, endpoint $endpoint, ${secs} s phases"

stats() { # the last stats line of each storage node: "node bytesRead bytesWritten"
  for i in 1 2 3 4 5; do
    grep 'seabed storage stats' "$dir/logs/storage-$i.log" | tail -1 |
      sed -E 's/.*node=([0-9]+).*bytesRead=([0-9]+).*bytesWritten=([0-9]+).*/\1 \2 \3/'
  done
}

echo "--- 1 MiB GET c=8 (128 objects): bytes read per node"
./seabed bench s3 --endpoint "$endpoint" --op put --size 1MiB --concurrency 8 --duration 5s 2>/dev/null >/dev/null
sleep 3; before="$(stats)"
./seabed bench s3 --endpoint "$endpoint" --op get --size 1MiB --concurrency 8 --objects 128 \
  --duration "${secs}s" --warmup 2s 2>/dev/null | grep -E "^op=|throughput|latency"
sleep 3; after="$(stats)"
python3 - "$before" "$after" <<'PY'
import sys
b = {l.split()[0]: int(l.split()[1]) for l in sys.argv[1].splitlines() if l.strip()}
a = {l.split()[0]: int(l.split()[1]) for l in sys.argv[2].splitlines() if l.strip()}
d = {n: a[n] - b.get(n, 0) for n in sorted(a, key=int)}
total = sum(d.values()) or 1
for n, v in d.items(): print(f"node {n}: {v / 2**20:8.1f} MiB read ({100 * v / total:4.1f}%)")
print(f"max/mean over nodes: {max(d.values()) / (total / len(d)):.2f}")
PY

echo "--- 1 MiB PUT c=8 for $((3 * secs)) s: node 2 killed at ${secs} s, restarted at $((2 * secs)) s"
progress="$dir/put-progress.txt"
start=$(date +%s.%N)
./seabed bench s3 --endpoint "$endpoint" --op put --size 1MiB --concurrency 8 --duration "$((3 * secs))s" \
  2>"$progress" | grep -E "^op=|throughput|latency|errors" &
bench=$!
sleep "$secs"; kill_at=$(echo "$(date +%s.%N) - $start" | bc)
./seabed cluster kill storage 2 --dir "$dir" >/dev/null
sleep "$secs"; restart_at=$(echo "$(date +%s.%N) - $start" | bc)
./seabed cluster restart storage 2 --dir "$dir" >/dev/null
wait "$bench"
python3 - "$progress" "$kill_at" "$restart_at" <<'PY'
import re, statistics, sys
rows = []
for line in open(sys.argv[1]):
    m = re.match(r"\[\s*([\d.]+)s\] \S+: (\d+) ops/s\s+([\d.]+) MiB/s\s+errors=(\d+)\s+p99=([\d.]+) ms", line)
    if m: rows.append((float(m[1]), int(m[2]), float(m[3]), int(m[4]), float(m[5])))
kill, restart = float(sys.argv[2]), float(sys.argv[3])
# The bench's clock starts a moment after the script's: seconds are matched loosely (about 1 s).
pre = [r for r in rows if 2 <= r[0] <= kill]
post = [r for r in rows if kill < r[0] <= restart]
after = [r for r in rows if r[0] > restart]
mean_pre = statistics.mean(r[1] for r in pre)
print(f"before the kill: {mean_pre:.0f} ops/s, per-second p99 median {statistics.median(r[4] for r in pre):.0f} ms")
stalled = [r for r in post if r[1] < mean_pre / 2]
# PUTs caught by the kill wait (retrying) until the manager moves the node's chains on: the slowest of them
# is the time until writes to those chains flow again.
print(f"after the kill: per-second p99 max {max(r[4] for r in post):.0f} ms (the slowest PUT caught by the kill),"
      f" {len(stalled)} s below half the rate before it")
print(f"node 2 down: {statistics.mean(r[1] for r in post[2:]):.0f} ops/s;"
      f" after its restart: {statistics.mean(r[1] for r in after):.0f} ops/s;"
      f" errors at the end: {rows[-1][3]}")
PY

echo "--- sync of node 2's target after its restart (storage logs)"
sleep 5
python3 - "$dir/logs" <<'PY'
import glob, re, sys
from datetime import datetime
t = lambda s: datetime.strptime(s, "%H:%M:%S.%f")
starts, ends, sent = [], [], 0
for f in glob.glob(sys.argv[1] + "/storage-*.log"):
    for line in open(f):
        m = re.match(r"(\d\d:\d\d:\d\d\.\d+) .*syncing target 200 from", line)
        if m: starts.append(t(m[1]))
        m = re.match(r"(\d\d:\d\d:\d\d\.\d+) .*target 200 synced from target \d+: .*\((\d+) B\)", line)
        if m: ends.append(t(m[1])); sent += int(m[2])
if not starts or not ends: print("no sync of target 200 found in the logs"); sys.exit()
secs = (max(ends) - min(starts)).total_seconds()
print(f"{len(ends)} chains synced, {sent / 2**20:.1f} MiB sent in {secs:.1f} s: {sent / 2**20 / max(secs, 1e-3):.1f} MiB/s"
      " (while PUTs kept running)")
PY
