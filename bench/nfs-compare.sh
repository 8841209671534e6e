#!/usr/bin/env bash
# NFS metadata ops/s and sequential MiB/s: Seabed's NFS front (a hierarchical bucket) beside NFS-Ganesha
# (Debian nfs-ganesha + nfs-ganesha-vfs, VFS backend on a local directory), with the same client and load
# (`seabed bench nfs`) in the same run. Needs root (Ganesha, rpcbind) and: apt-get install nfs-ganesha
# nfs-ganesha-vfs rpcbind curl.
#   bench/nfs-compare.sh [FILES] [FILE_SIZE] [THREADS]     e.g. bench/nfs-compare.sh 100000 1GiB 8
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
files="${1:-100000}"
size="${2:-1GiB}"
threads="${3:-8}"
s3port=19300
ganesha_port=22049
ganesha_mount_port=22050
source "$root/bench/server.sh"

command -v ganesha.nfsd >/dev/null || { echo "nfs-ganesha is not installed (apt-get install nfs-ganesha nfs-ganesha-vfs)"; exit 1; }
command -v rpcbind >/dev/null || { echo "rpcbind is not installed (apt-get install rpcbind)"; exit 1; }

bench_server_start nfs "$s3port" "" --nfs-exports "rw,no_root_squash"
nfsport=$((s3port + 2))
ganesha_dir="$work/ganesha"
mkdir -p "$ganesha_dir/export" "$ganesha_dir/run"
ganesha_pid=""
cleanup_all() {
  [[ -n "$ganesha_pid" ]] && kill "$ganesha_pid" 2>/dev/null || true
  bench_cleanup
}
trap cleanup_all EXIT

# Ganesha registers with the portmapper; MOUNT on its own port (it refuses MOUNT on the NFS port here).
pgrep -x rpcbind >/dev/null || rpcbind
cat >"$ganesha_dir/ganesha.conf" <<EOF
NFS_CORE_PARAM {
    NFS_Port = $ganesha_port; MNT_Port = $ganesha_mount_port; NLM_Port = 0; Rquota_Port = 0;
    Enable_NLM = false; Enable_RQUOTA = false; Protocols = 3; Bind_addr = 127.0.0.1;
}
NFSV4 { Graceless = true; }
NFS_KRB5 { Active_krb5 = false; }
EXPORT {
    Export_Id = 1; Path = $ganesha_dir/export; Pseudo = /export; Access_Type = RW;
    Squash = No_Root_Squash; Protocols = 3; Transports = TCP; SecType = sys;
    FSAL { Name = VFS; }
}
LOG { Default_Log_Level = WARN; }
EOF
ganesha.nfsd -F -f "$ganesha_dir/ganesha.conf" -L "$ganesha_dir/ganesha.log" -p "$ganesha_dir/run/pid" &
ganesha_pid=$!

# A hierarchical bucket for Seabed's export.
curl -sf -X PUT -H 'x-seabed-bucket-mode: hierarchical' -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
  --aws-sigv4 aws:amz:us-east-1:s3 --user "$SEABED_ACCESS_KEY:$SEABED_SECRET_KEY" \
  "http://127.0.0.1:$s3port/nfsbench" >/dev/null
sleep 3 # Ganesha's start

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -r); files=$files size=$size threads=$threads"
echo "== seabed (NFS front, hierarchical bucket, all-in-one server) =="
"$root/seabed" bench nfs --server "127.0.0.1:$nfsport" --export /nfsbench --files "$files" --file-size "$size" \
  --threads "$threads" | tee "$work/seabed.txt"
echo "== nfs-ganesha (VFS on $ganesha_dir/export) =="
"$root/seabed" bench nfs --server "127.0.0.1:$ganesha_port:$ganesha_mount_port" --export "$ganesha_dir/export" \
  --files "$files" --file-size "$size" --threads "$threads" | tee "$work/ganesha.txt"

echo "== ratio seabed / ganesha =="
paste -d'\t' <(grep -E ' = ' "$work/seabed.txt") <(grep -E ' = ' "$work/ganesha.txt") | awk -F'\t' '{
  split($1, a, " = "); split($2, b, " = "); split(a[1], name, ":");
  va = a[2]; vb = b[2]; gsub(/,/, "", va); gsub(/,/, "", vb); split(va, x, " "); split(vb, y, " ");
  printf "%-40s %12s  vs %12s  = %.2fx\n", name[1], x[1] " " x[2], y[1] " " y[2], x[1] / y[1] }'
