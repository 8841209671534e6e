#!/usr/bin/env bash
# Chain length 3 beside chain length 1 on a 5-storage-process local cluster (seabed cluster), back to back
# in one run: 64 MiB PUT/GET at c=4, 64 KiB PUT/GET at c=32 (chunked), 4 KiB PUT at c=64 (inline, no chunk).
#   bench/cluster-chains.sh [SECONDS]      (default 15 s per measurement, 3 s warmup)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-15}"
export SEABED_ACCESS_KEY="${SEABED_ACCESS_KEY:-AKIABENCHKEY1234567}"
export SEABED_SECRET_KEY="${SEABED_SECRET_KEY:-benchsecretbenchsecretbenchsecret123456}"
for replicas in 3 1; do
  dir="$(mktemp -d /tmp/seabed-chains-XXXX)"
  endpoint="$(./seabed cluster start --dir "$dir" --storage-nodes 5 --replicas "$replicas" 2>/dev/null | grep -E '^http://')"
  echo "=== chain length $replicas, 5 storage processes, endpoint $endpoint"
  b() { ./seabed bench s3 --endpoint "$endpoint" --duration "${secs}s" --warmup 3s "$@" 2>/dev/null | grep -E "^op=|throughput|latency"; }
  b --op put --size 64MiB --concurrency 4 --objects 8
  b --op get --size 64MiB --concurrency 4 --objects 8
  b --op put --size 64KiB --concurrency 32
  b --op get --size 64KiB --concurrency 32 --objects 500
  b --op put --size 4KiB --concurrency 64
  ./seabed cluster stop --dir "$dir" >/dev/null
  rm -rf "$dir"
done
