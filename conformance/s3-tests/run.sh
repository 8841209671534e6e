#!/usr/bin/env bash
# Runs the public ceph/s3-tests suite against a fresh Seabed server and prints passed/failed per
# feature group. The suite is not part of this repository: fetch it and pass its directory.
#   conformance/s3-tests/run.sh /path/to/s3-tests [extra pytest arguments]
# Needs python3 with boto3 and pytest, plus Debian's python3-munch python3-isodate python3-gevent
# python3-requests python3-yaml python3-httplib2 python3-lxml python3-tz python3-dateutil
# python3-pytest-timeout (PyPI is not reachable here; /usr/lib/python3/dist-packages is appended).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
suite="$(cd "${1:?usage: run.sh S3_TESTS_DIR [pytest args]}" && pwd)"
shift
work="$(mktemp -d /tmp/seabed-s3tests.XXXXXX)"
port="${SEABED_S3TESTS_PORT:-9700}"
export SEABED_ACCESS_KEY=s3testsrootadmin0001 SEABED_SECRET_KEY=s3tests-root-admin-secret-0000000001
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work/data"
  echo "s3-tests: junit report and server log kept in $work"
}
trap cleanup EXIT

"$root/seabed" build >/dev/null
"$root/seabed" server --data "$work/data" --s3 127.0.0.1:$port --console 127.0.0.1:$((port + 1)) \
  >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 120); do grep -q "seabed ready" "$work/server.log" && break; sleep 0.5; done
grep -q "seabed ready" "$work/server.log" || { cat "$work/server.log"; exit 1; }
admin() { "$root/seabed" admin --endpoint "http://127.0.0.1:$((port + 1))" "$@" >/dev/null; }

# The users of s3tests.conf.SAMPLE: main and alt share a tenant; "tenant" has its own; iam too.
admin tenant create s3tests
admin tenant create testx
admin tenant create iamroot1
admin tenant create iamroot2
admin user create --tenant s3tests --user main --id testid --display-name "M. Tester" --email tester@ceph.com \
  --access-key 0555b35654ad1656d804 --secret-key h7GhxuBLTrlhVUyxSPUKUV8r/2EI4ngqJxD7iBdBYLhwluN30JaT3Q==
admin user create --tenant s3tests --user alt --id 56789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234 \
  --display-name john.doe --email john.doe@example.com \
  --access-key NOPQRSTUVWXYZABCDEFG --secret-key nopqrstuvwxyzabcdefghijklmnabcdefghijklm
admin user create --tenant testx --user tenanteduser \
  --id 'testx$9876543210abcdef0123456789abcdef0123456789abcdef0123456789abcdef' \
  --display-name 'testx$tenanteduser' --email tenanteduser@example.com \
  --access-key HIJKLMNOPQRSTUVWXYZA --secret-key opqrstuvwxyzabcdefghijklmnopqrstuvwxyzab
admin user create --tenant s3tests --user iam --id 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef \
  --display-name youruseridhere --email s3@example.com \
  --access-key ABCDEFGHIJKLMNOPQRST --secret-key abcdefghijklmnopqrstuvwxyzabcdefghijklmn
admin user create --tenant iamroot1 --user iamroot --id RGW11111111111111111 --email account1@ceph.com \
  --access-key AAAAAAAAAAAAAAAAAAaa --secret-key aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
admin user create --tenant iamroot2 --user iamaltroot --id RGW22222222222222222 --email account2@ceph.com \
  --access-key BBBBBBBBBBBBBBBBBBbb --secret-key bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb

sed -e "s/^host = .*/host = 127.0.0.1/" -e "s/^port = .*/port = $port/" \
  -e "s/^bucket prefix = .*/bucket prefix = s3t-{random}-/" "$suite/s3tests.conf.SAMPLE" >"$work/s3tests.conf"

# The plain-S3 selection of ../shared/ENVIRONMENT.md.
selection='not fails_on_aws and not fails_on_rgw and not lifecycle_expiration and not lifecycle_transition
 and not cloud_transition and not cloud_restore and not target_by_bucket and not storage_class and not sse_s3
 and not encryption and not bucket_encryption and not bucket_logging and not bucket_logging_cleanup
 and not fails_without_logging_rollover and not appendobject and not s3select and not s3website
 and not iam_account and not iam_cross_account and not iam_role and not iam_tenant and not iam_user
 and not user_policy and not role_policy and not group_policy and not session_policy and not test_of_sts
 and not webidentity_test and not abac_test and not sns'
cd "$suite"
set +e
S3TEST_CONF="$work/s3tests.conf" python3 - "$work/junit.xml" "$(echo $selection)" "$@" <<'PY'
import sys
sys.path.insert(0, ".")
sys.path.append("/usr/lib/python3/dist-packages")
import pytest
junit, selection, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "--timeout", "120", "-m", selection, "--junitxml", junit,
                      "s3tests/functional/test_s3.py", "s3tests/functional/test_headers.py",
                      "s3tests/functional/test_utils.py", *extra]))
PY
set -e
python3 "$here/summary.py" ${S3TESTS_MARKDOWN:+--markdown} "$work/junit.xml" "${S3TESTS_COMMIT:-$(git -C "$suite" rev-parse --short HEAD 2>/dev/null || echo unknown)}"
kill -0 "$pid" 2>/dev/null || { echo "THE SERVER DIED during the suite:"; tail -50 "$work/server.log"; exit 1; }
curl -sf -o /dev/null -w "server still answers after the suite: HTTP %{http_code}\n" "http://127.0.0.1:$port/" || true
