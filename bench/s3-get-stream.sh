#!/usr/bin/env bash
# One S3 GET stream of a large object, flat and hierarchical bucket, beside reading the same bytes from a local
# file in the page cache (dd) in the same run. Needs aws-cli and curl.
#   bench/s3-get-stream.sh [SIZE_MIB] [ROUNDS]    (default 1024 MiB, 3 rounds)
# After one unmeasured GET of each, prints one line per round (curl's average MiB/s) and the median of each kind.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
size_mib="${1:-1024}"
rounds="${2:-3}"
for tool in aws curl dd python3; do
  command -v "$tool" >/dev/null || { echo "s3-get-stream: $tool is missing" >&2; exit 2; }
done
source "$root/bench/server.sh"
port=9470
bench_server_start get-stream "$port"
endpoint="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID="$SEABED_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$SEABED_SECRET_KEY" AWS_DEFAULT_REGION=us-east-1
s3() { aws --endpoint-url "$endpoint" "$@"; }

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), $(date -u +%F)"
echo "== git: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' (with uncommitted changes)')"
head -c "$((size_mib << 20))" /dev/urandom >"$work/object"
s3 s3api create-bucket --bucket flat >/dev/null
# The hierarchical bucket is created with the header that selects the mode.
curl -sf -X PUT -H 'x-seabed-bucket-mode: hierarchical' -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
  --aws-sigv4 aws:amz:us-east-1:s3 --user "$SEABED_ACCESS_KEY:$SEABED_SECRET_KEY" "$endpoint/tree-h" >/dev/null
echo "== PUT ${size_mib} MiB into each bucket (aws s3 cp, multipart)"
s3 s3 cp --only-show-errors "$work/object" s3://flat/big
s3 s3 cp --only-show-errors "$work/object" s3://tree-h/dir/big

get() { # bucket key -> MiB/s
  local url
  url="$(s3 s3 presign "s3://$1/$2" --expires-in 600)"
  curl -sf -o /dev/null -w '%{speed_download}\n' "$url" | awk '{printf "%.1f\n", $1 / 1048576}'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# One unmeasured GET of each warms the server's JIT.
get flat big >/dev/null
get tree-h dir/big >/dev/null
declare -a flat tree local
for r in $(seq "$rounds"); do
  f="$(get flat big)"
  t="$(get tree-h dir/big)"
  l="$(dd if="$work/object" of=/dev/null bs=1M 2>&1 | awk '/copied/ {v=$(NF-1); u=$NF; if (u ~ /^GB/) v*=1000; printf "%.1f\n", v*1000*1000/1048576}')"
  echo "round $r: flat GET $f MiB/s, hierarchical GET $t MiB/s, dd of the local file $l MiB/s"
  flat+=("$f"); tree+=("$t"); local+=("$l")
done
mf="$(printf '%s\n' "${flat[@]}" | median)"
mt="$(printf '%s\n' "${tree[@]}" | median)"
ml="$(printf '%s\n' "${local[@]}" | median)"
echo "median: flat $mf MiB/s, hierarchical $mt MiB/s, dd $ml MiB/s"
python3 -c "print('ratio to dd: flat %.3fx, hierarchical %.3fx' % ($mf / $ml, $mt / $ml))"
