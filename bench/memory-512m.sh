#!/usr/bin/env bash
# A server with a 512 MiB heap under 32 concurrent 256 MiB PUTs, then 32 concurrent 256 MiB GETs: no request may
# fail, and the server's resident memory (RSS, sampled every 0.5 s) is reported. Needs about 30 GiB of free disk
# (3 replicas). Everything listens on 127.0.0.1 only.
#   bench/memory-512m.sh [ROUNDS]   (default 2: each of the 32 streams does ROUNDS PUTs, then ROUNDS GETs)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-2}"
work="$(mktemp -d /tmp/seabed-mem.XXXXXX)"
port=9450
export SEABED_ACCESS_KEY=benchaccesskey000001 SEABED_SECRET_KEY=bench-secret-key-000000000000001
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
"$root/seabed" build >/dev/null
SEABED_JAVA_OPTS="-Xmx512m" "$root/seabed" server --data "$work/data" --s3 127.0.0.1:$port --console 127.0.0.1:$((port + 1)) \
  >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 120); do grep -q "seabed ready" "$work/server.log" && break; sleep 0.5; done
grep -q "seabed ready" "$work/server.log" || { cat "$work/server.log"; exit 1; }
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
