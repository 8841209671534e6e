#!/usr/bin/env bash
# Durable 4 KiB PUTs at c=64 beside the disk's single-thread 4 KiB append+fdatasync rate, measured back to back,
# repeated ROUNDS times on one warm server: the ratio the object-core issue asks for (>= 2x), with fsyncs per PUT,
# meta-kv transactions per Raft log entry, and CPU time per PUT (server user/sys, wrk, whole machine) read from
# /proc. Needs wrk, fio, perf, aws-cli, python3 with boto3. Listens on 127.0.0.1 only.
#   bench/put-4k.sh [ROUNDS] [SECONDS]    (default 3 rounds of 15 s)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-3}"
secs="${2:-15}"
for tool in wrk fio perf aws python3; do
  command -v "$tool" >/dev/null || { echo "put-4k: $tool is missing (apt-get install $tool)" >&2; exit 2; }
done
s3port=9410
source "$root/bench/server.sh"
bench_server_start put4k "$s3port"
# The launcher execs java, so $server_pid is the JVM.
AWS_ACCESS_KEY_ID=$SEABED_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$SEABED_SECRET_KEY AWS_DEFAULT_REGION=us-east-1 \
  aws --endpoint-url "http://127.0.0.1:$s3port" s3 mb s3://wrkput >/dev/null
echo "put-4k: presigning 200,000 PUT paths..."
python3 "$root/bench/presign-put.py" "http://127.0.0.1:$s3port" wrkput 200000 >"$work/paths.txt" 2>/dev/null

wrk_put() { # seconds -> "req/s non-200 wrk-cpu-seconds"
  local TIMEFORMAT='wrk-cpu %U %S'
  { time PATHS="$work/paths.txt" wrk -t2 -c64 -d"$1s" -s "$root/bench/put-paths.lua" "http://127.0.0.1:$s3port"; } 2>&1 |
    awk '/Requests\/sec/{r=$2} /PUT answered/{e++} /^wrk-cpu/{c=$2+$3} END{printf "%s %d %s\n", r, e, c}'
}
metakv() { # log entries and transactions so far
  curl -s "http://127.0.0.1:$((s3port + 1))/metrics" |
    awk '/^seabed_metakv_log_entries_total/{e=$2} /^seabed_metakv_transactions_total/{t=$2} END{print e, t}'
}
cpu_snapshot() { # server user and sys ticks, machine busy ticks
  python3 - "$server_pid" <<'PY'
import os, sys
def ticks(pid):
    try:
        s = open(f"/proc/{pid}/stat").read(); f = s[s.rindex(")") + 2:].split(); return int(f[11]), int(f[12])
    except OSError:
        return 0, 0
c = list(map(int, open("/proc/stat").readline().split()[1:]))
u, s = ticks(sys.argv[1])
print(u, s, c[0] + c[1] + c[2] + c[5] + c[6])
PY
}

echo "put-4k: warm-up ${secs}s: $(wrk_put "$secs" | awk '{print $1 " PUT/s"}')"
echo "put-4k: $rounds rounds of fio ${secs}s then wrk PUTs ${secs}s"
for round in $(seq "$rounds"); do
  fio_iops="$(fio --name=append --directory="$work" --rw=write --bs=4k --size=256m --fdatasync=1 --runtime="$secs" \
    --time_based --output-format=terse 2>/dev/null | awk -F';' '{print $49}')"
  rm -f "$work"/append.*
  perf stat -x, -e syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync -p "$server_pid" -o "$work/perf.txt" &
  perf_pid=$!
  read -r e1 t1 < <(metakv)
  read -r u1 s1 b1 < <(cpu_snapshot)
  read -r rate bad wrk_cpu < <(wrk_put "$secs")
  read -r u2 s2 b2 < <(cpu_snapshot)
  read -r e2 t2 < <(metakv)
  kill -INT "$perf_pid"; wait "$perf_pid" || true
  fsyncs="$(awk -F, '/sys_enter_f/{n+=$1} END{print n+0}' "$work/perf.txt")"
  hz="$(getconf CLK_TCK)"
  awk -v r="$round" -v rate="$rate" -v bad="$bad" -v fio="$fio_iops" -v f="$fsyncs" -v s="$secs" -v hz="$hz" \
    -v e="$((${e2%.*} - ${e1%.*}))" -v t="$((${t2%.*} - ${t1%.*}))" \
    -v u="$((u2 - u1))" -v sy="$((s2 - s1))" -v w="$wrk_cpu" -v b="$((b2 - b1))" 'BEGIN {
      n = rate * s; us = 1e6 / hz / n
      printf "round %d: fio %d IOPS; PUT c=64 %.0f/s (%d non-200) = %.2fx fio; %.3f fsyncs/PUT; %.1f txns/log entry;", r, fio, rate, bad, rate / fio, f / n, t / e
      printf " CPU per PUT: server %.0f us (user %.0f, sys %.0f), wrk %.0f us, machine %.0f us\n", (u + sy) * us, u * us, sy * us, 1e6 * w / n, b * us
    }'
done
