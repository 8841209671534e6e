"""Summarizes an s3-tests junit XML: passed/failed per feature group, then every failure."""
import re
import sys
import xml.etree.ElementTree as ET

GROUPS = [  # first match wins
    ("sigv2/sigv4/presign/auth", r"sigv2|sigv4|presign|auth|signature|_anonymous|_unauthenticated|access_key|_bad_"),
    ("checksums", r"checksum|content_md5|_md5"),
    ("conditionals", r"if_?match|ifmatch|ifnonematch|if_?none|modified|precondition|_cond_"),
    ("copy", r"copy"),
    ("multipart", r"multipart|upload_part|_upload"),
    ("ranges", r"range"),
    ("listing", r"list|prefix|delimiter|marker|max_keys|continuation|start_after|encoding_type"),
    ("versioning", r"versioning|version"),
    ("acl/policy/ownership", r"acl|policy|grant|ownership|public_block|block_public"),
    ("tagging", r"tagging|_tags"),
    ("cors/website/lifecycle", r"cors|website|lifecycle|_lc_"),
    ("object lock", r"object_lock|retention|legal_hold"),
    ("buckets", r"bucket"),
    ("objects", r"object|_put|_get|_head|_delete|metadata"),
]


def group(name):
    for g, pattern in GROUPS:
        if re.search(pattern, name):
            return g
    return "other"


def main(path, commit):
    root = ET.parse(path).getroot()
    counts, failures = {}, []
    for case in root.iter("testcase"):
        name = case.get("name")
        if case.find("skipped") is not None:
            continue
        bad = case.find("failure") if case.find("failure") is not None else case.find("error")
        g = group(name)
        passed, failed = counts.get(g, (0, 0))
        counts[g] = (passed + (bad is None), failed + (bad is not None))
        if bad is not None:
            message = (bad.get("message") or "").splitlines()
            failures.append((g, name, message[0][:160] if message else ""))
    total_p = sum(p for p, _ in counts.values())
    total_f = sum(f for _, f in counts.values())
    print(f"\n== ceph/s3-tests {commit}: {total_p} passed, {total_f} failed of {total_p + total_f}")
    for g in sorted(counts):
        p, f = counts[g]
        print(f"  {g:28s} {p:4d} passed {f:4d} failed")
    print("\n== failures")
    for g, name, message in sorted(failures):
        print(f"  [{g}] {name}: {message}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "unknown")
