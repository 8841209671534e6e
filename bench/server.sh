# Sourced by the bench scripts: a Seabed server of its own in a scratch directory, stopped and removed on exit.
#   bench_server_start NAME PORT [JAVA_OPTS [SERVER_ARGS...]]   -> $work (scratch directory), $server_pid (the JVM, the launcher execs it)
# Keys: SEABED_ACCESS_KEY / SEABED_SECRET_KEY (set here). The console listens on PORT+1, NFS on PORT+2.
export SEABED_ACCESS_KEY=benchaccesskey000001 SEABED_SECRET_KEY=bench-secret-key-000000000000001
server_pid=""
bench_cleanup() {
  [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
bench_server_start() { # name port [java-opts [server args...]]
  local name="$1" port="$2" opts="${3:-}"
  shift 2; shift || true
  work="$(mktemp -d "/tmp/seabed-$name.XXXXXX")"
  trap bench_cleanup EXIT
  "$root/seabed" build >/dev/null
  SEABED_JAVA_OPTS="$opts" "$root/seabed" server --data "$work/data" --s3 "127.0.0.1:$port" --console "127.0.0.1:$((port + 1))" \
    --nfs "127.0.0.1:$((port + 2))" "$@" \
    >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 120); do grep -q "seabed ready" "$work/server.log" && break; sleep 0.5; done
  grep -q "seabed ready" "$work/server.log" || { echo "server did not start:"; cat "$work/server.log"; exit 1; }
}
