#!/usr/bin/env bash
# A server with a 512 MiB heap under 32 concurrent 256 MiB PUTs, then 32 concurrent 256 MiB GETs: no request may
# fail, and the server's resident memory (RSS, sampled every 0.5 s) is reported. Needs about 30 GiB of free disk
# (3 replicas). Everything listens on 127.0.0.1 only.
#   bench/memory-512m.sh [ROUNDS]   (default 2: each of the 32 streams does ROUNDS PUTs, then ROUNDS GETs)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-2}"
port=9450
source "$root/bench/server.sh"
bench_server_start mem "$port" -Xmx512m
java_pid="$(pgrep -f -- "--data $work/data" | head -1)"
echo "== server pid $java_pid, -Xmx512m ($(nproc) cores, $(date -u +%F))"
(peak=0; while kill -0 "$java_pid" 2>/dev/null; do
   rss=$(awk '/VmRSS/{print $2}' "/proc/$java_pid/status" 2>/dev/null || echo 0)
   ((rss > peak)) && peak=$rss && echo "$peak" >"$work/rss-peak"
   sleep 0.5
 done) &
bench() { "$root/seabed" bench s3 --endpoint "http://127.0.0.1:$port" "$@"; }
n=$((32 * rounds))
bench --op put --size 256MiB --concurrency 32 --requests "$n" --duration 30m --warmup 0s | grep -E "requests=|MiB/s|p99"
echo "RSS peak after PUTs: $(($(cat "$work/rss-peak") / 1024)) MiB"
bench --op get --size 256MiB --concurrency 32 --objects 32 --requests "$n" --duration 30m --warmup 0s | grep -E "requests=|MiB/s|p99"
echo "RSS peak after GETs: $(($(cat "$work/rss-peak") / 1024)) MiB"
grep -c -E "OutOfMemoryError|ERROR" "$work/server.log" | sed 's/^/server log errors: /'
