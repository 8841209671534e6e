#!/usr/bin/env bash
# Measures Seabed's S3 front beside nginx, the disk and s3proxy (a Java S3 server, filesystem backend) on
# this machine, in one run, and prints the numbers BENCHMARKS.md records. Needs nginx, wrk, fio, perf,
# aws-cli, curl and python3 with boto3 (apt-get install nginx wrk fio linux-perf awscli curl python3-boto3);
# s3proxy comes from Maven Central (org.gaul:s3proxy:4.1.0, jar-with-dependencies) through ./mvnw.
# Everything listens on 127.0.0.1 only; every run is bounded by its duration.
#   bench/compare-nginx.sh [SECONDS]    (default 15 s per measurement)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
secs="${1:-15}"
for tool in nginx wrk fio perf aws curl python3; do
  command -v "$tool" >/dev/null || { echo "compare-nginx: $tool is missing (apt-get install $tool)" >&2; exit 2; }
done
work="$(mktemp -d /tmp/seabed-compare.XXXXXX)"
chmod 755 "$work" # nginx workers run as www-data
s3port=9400
nginxport=8088
export SEABED_ACCESS_KEY=benchaccesskey000001 SEABED_SECRET_KEY=bench-secret-key-000000000000001
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [[ -f "$work/nginx.pid" ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  [[ -n "${proxy_pid:-}" ]] && kill "$proxy_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), $(date -u +%F)"
"$root/seabed" build >/dev/null

echo "== disk (fio, files under $work)"
fio --name=append --directory="$work" --rw=write --bs=4k --size=256m --fdatasync=1 --runtime="$secs" \
  --time_based --output-format=terse 2>/dev/null | awk -F';' '{printf "fio 4 KiB append+fdatasync, 1 thread: %d IOPS\n", $49}'
fio --name=seq --directory="$work" --rw=write --bs=1m --size=2g --fdatasync=8 --runtime="$secs" \
  --time_based --output-format=terse 2>/dev/null | awk -F';' '{printf "fio sequential write, fdatasync every 8 MiB: %.0f MiB/s\n", $48/1024}'
rm -f "$work"/append.* "$work"/seq.*

echo "== nginx static files"
mkdir -p "$work/www"
head -c 4096 /dev/urandom >"$work/www/4k"
head -c $((64 << 20)) /dev/urandom >"$work/www/64m"
cat >"$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off; sendfile on; tcp_nodelay on; keepalive_requests 10000000;
  server { listen 127.0.0.1:$nginxport; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf"
wrk_rate() { wrk -t2 -c"$1" -d"${secs}s" "$2" | awk '/Requests\/sec/{print $2} /Transfer\/sec/{print $2}' | paste -sd' '; }
for c in 16 64; do echo "nginx 4 KiB GET c=$c: $(wrk_rate "$c" "http://127.0.0.1:$nginxport/4k") (req/s, transfer/s)"; done
echo "nginx 64 MiB GET c=4: $(wrk_rate 4 "http://127.0.0.1:$nginxport/64m") (req/s, transfer/s)"

echo "== seabed (all-in-one server; fsync and fdatasync calls of its process counted by perf tracepoints)"
start_server() { # data-dir
  "$root/seabed" server --data "$1" --s3 127.0.0.1:$s3port --console 127.0.0.1:$((s3port + 1)) >"$work/server.log" 2>&1 &
  server_pid=$!
  server_data="$1"
  for _ in $(seq 120); do grep -q "seabed ready" "$work/server.log" && return; sleep 0.5; done
  echo "server did not start:"; cat "$work/server.log"; exit 1
}
stop_server() {
  kill -TERM "$server_pid"; wait "$server_pid" || true
  server_pid="" server_data=""
}
bench() { "$root/seabed" bench s3 --endpoint "http://127.0.0.1:$s3port" "$@" 2>/dev/null; }

start_server "$work/data"
for c in 16 64; do
  perf stat -x, -e syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync -p "$server_pid" -o "$work/perf-$c.txt" &
  perf_pid=$!
  out="$(bench --op put --size 4KiB --concurrency "$c" --duration "${secs}s" --warmup 0s --json)"
  kill -INT "$perf_pid"; wait "$perf_pid" || true
  fsyncs="$(awk -F, '/sys_enter_f/{n+=$1} END{print n+0}' "$work/perf-$c.txt")"
  puts="$(echo "$out" | sed -n 's/.*"requests":\([0-9]*\).*/\1/p' | tail -1)"
  echo "$out" | grep -v '^{' | grep -E "ops/s|p99" | sed "s/^/seabed 4 KiB PUT c=$c: /"
  echo "seabed 4 KiB PUT c=$c: fsync+fdatasync calls=$fsyncs for $puts PUTs = $(awk -v f="$fsyncs" -v p="$puts" 'BEGIN{printf "%.3f", f/p}') per PUT"
done
# The same durable 4 KiB PUTs from wrk (C, far cheaper than the Java generator on these shared cores), each
# request to its own presigned path.
AWS_ACCESS_KEY_ID=$SEABED_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$SEABED_SECRET_KEY AWS_DEFAULT_REGION=us-east-1 \
  aws --endpoint-url "http://127.0.0.1:$s3port" s3 mb s3://wrkput >/dev/null
python3 "$root/bench/presign-put.py" "http://127.0.0.1:$s3port" wrkput 100000 >"$work/put-paths.txt" 2>/dev/null
wrk_put() { # concurrency endpoint paths-file
  PATHS="$3" wrk -t2 -c"$1" -d"${secs}s" -s "$root/bench/put-paths.lua" "$2" 2>&1 |
    awk '/Requests\/sec/{r=$2} /PUT answered/{e++} END{printf "%s req/s, %d non-200\n", r, e}'
}
for c in 16 64; do
  perf stat -x, -e syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync -p "$server_pid" -o "$work/perf-wrk-$c.txt" &
  perf_pid=$!
  rate="$(wrk_put "$c" "http://127.0.0.1:$s3port" "$work/put-paths.txt")"
  kill -INT "$perf_pid"; wait "$perf_pid" || true
  fsyncs="$(awk -F, '/sys_enter_f/{n+=$1} END{print n+0}' "$work/perf-wrk-$c.txt")"
  echo "seabed 4 KiB PUT via wrk on presigned URLs c=$c: $rate; fsync+fdatasync calls=$fsyncs ($(awk -v f="$fsyncs" -v r="${rate%% *}" -v s="$secs" 'BEGIN{printf "%.3f", f/(r*s)}') per PUT)"
done
for c in 16 64; do
  bench --op get --size 4KiB --concurrency "$c" --duration "${secs}s" --objects 1000 | grep -E "ops/s|p99" | sed "s/^/seabed 4 KiB GET c=$c: /"
done
url="$(AWS_ACCESS_KEY_ID=$SEABED_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$SEABED_SECRET_KEY AWS_DEFAULT_REGION=us-east-1 \
  aws --endpoint-url "http://127.0.0.1:$s3port" s3 presign s3://seabed-bench/obj-00000000 --expires-in 3600)"
curl -sf -o /dev/null "$url" || { echo "presigned URL does not work: $url"; exit 1; }
for c in 16 64; do echo "seabed 4 KiB GET via wrk on a presigned URL c=$c: $(wrk_rate "$c" "$url") (req/s, transfer/s)"; done
bench --op put --size 64MiB --concurrency 4 --duration "${secs}s" | grep -E "MiB/s|p99" | sed "s/^/seabed 64 MiB PUT c=4: /"
bench --op get --size 64MiB --concurrency 4 --duration "${secs}s" --objects 8 | grep -E "MiB/s|p99" | sed "s/^/seabed 64 MiB GET c=4: /"
stop_server

echo "== s3proxy 4.1.0 (filesystem backend; jclouds writes files without fsync), same load generators"
proxy_jar="$HOME/.m2/repository/org/gaul/s3proxy/4.1.0/s3proxy-4.1.0-jar-with-dependencies.jar"
[[ -f "$proxy_jar" ]] || "$root/mvnw" -B -q dependency:get -Dartifact=org.gaul:s3proxy:4.1.0:jar:jar-with-dependencies \
  -Dtransitive=false >/dev/null
proxyport=9500
mkdir -p "$work/s3proxy"
cat >"$work/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$proxyport
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$SEABED_ACCESS_KEY
s3proxy.credential=$SEABED_SECRET_KEY
jclouds.provider=filesystem
jclouds.filesystem.basedir=$work/s3proxy
CONF
"${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx2g -jar "$proxy_jar" --properties "$work/s3proxy.conf" \
  >"$work/s3proxy.log" 2>&1 &
proxy_pid=$!
for _ in $(seq 120); do curl -s -o /dev/null "http://127.0.0.1:$proxyport/" && break; sleep 0.5; done
pbench() { "$root/seabed" bench s3 --endpoint "http://127.0.0.1:$proxyport" "$@" 2>/dev/null; }
for c in 16 64; do
  pbench --op put --size 4KiB --concurrency "$c" --duration "${secs}s" --warmup 0s | grep -E "ops/s" | sed "s/^/s3proxy 4 KiB PUT c=$c: /"
done
AWS_ACCESS_KEY_ID=$SEABED_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$SEABED_SECRET_KEY AWS_DEFAULT_REGION=us-east-1 \
  aws --endpoint-url "http://127.0.0.1:$proxyport" s3 mb s3://wrkput >/dev/null
python3 "$root/bench/presign-put.py" "http://127.0.0.1:$proxyport" wrkput 100000 >"$work/proxy-paths.txt" 2>/dev/null
for c in 16 64; do echo "s3proxy 4 KiB PUT via wrk on presigned URLs c=$c: $(wrk_put "$c" "http://127.0.0.1:$proxyport" "$work/proxy-paths.txt")"; done
for c in 16 64; do
  pbench --op get --size 4KiB --concurrency "$c" --duration "${secs}s" --objects 1000 | grep -E "ops/s" | sed "s/^/s3proxy 4 KiB GET c=$c: /"
done
purl="$(AWS_ACCESS_KEY_ID=$SEABED_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$SEABED_SECRET_KEY AWS_DEFAULT_REGION=us-east-1 \
  aws --endpoint-url "http://127.0.0.1:$proxyport" s3 presign s3://seabed-bench/obj-00000000 --expires-in 3600)"
for c in 16 64; do echo "s3proxy 4 KiB GET via wrk on a presigned URL c=$c: $(wrk_rate "$c" "$purl") (req/s, transfer/s)"; done
pbench --op put --size 64MiB --concurrency 4 --duration "${secs}s" | grep -E "MiB/s" | sed "s/^/s3proxy 64 MiB PUT c=4: /"
pbench --op get --size 64MiB --concurrency 4 --duration "${secs}s" --objects 8 | grep -E "MiB/s" | sed "s/^/s3proxy 64 MiB GET c=4: /"
kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true; proxy_pid=""

