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


OBJECT_CORE = {"objects", "multipart", "listing", "copy", "ranges", "conditionals", "checksums",
               "sigv2/sigv4/presign/auth"}

REASONS = [  # why a test fails, from its name and message; first match wins
    ("object lock not implemented", r"object_lock|retention|legal_hold|ObjectLock"),
    ("versioning not implemented", r"[Vv]ersioning|_versioned|VersionId|version_id|delete_marker"),
    ("bucket policies not implemented", r"[Pp]olicy"),
    ("ACL and anonymous-access edge cases (see the test)", r"[Aa]cl|grant|_access_bucket|public_read|canned|anon_|raw_get|raw_put|authenticated_"),
    ("lifecycle not implemented", r"[Ll]ifecycle"),
    ("CORS not implemented", r"cors|Cors"),
    ("ownership controls not implemented", r"[Oo]wnership"),
    ("website not implemented", r"website"),
    ("logging not implemented", r"logging"),
    ("torrent not implemented", r"torrent"),
]


def reason(name, message):
    for r, pattern in REASONS:
        if re.search(pattern, name) or re.search(pattern, message):
            return r
    return "other: " + message


def group(name):
    for g, pattern in GROUPS:
        if re.search(pattern, name):
            return g
    return "other"


def markdown(counts, failures, commit):
    total_p = sum(p for p, _ in counts.values())
    total = total_p + sum(f for _, f in counts.values())
    core_p = sum(counts[g][0] for g in counts if g in OBJECT_CORE)
    core = core_p + sum(counts[g][1] for g in counts if g in OBJECT_CORE)
    print(f"| ceph/s3-tests {commit}, plain-S3 selection | passed | of |")
    print("|---|---|---|")
    print(f"| whole selection | {total_p} | {total} |")
    print(f"| object core ({', '.join(sorted(OBJECT_CORE))}) | {core_p} | {core} |")
    for g in sorted(counts):
        print(f"| {g} | {counts[g][0]} | {sum(counts[g])} |")
    print("\nObject-core failures, by reason:\n")
    by_reason = {}
    for g, name, message in failures:
        if g in OBJECT_CORE:
            by_reason.setdefault(reason(name, message), []).append(name)
    for r in sorted(by_reason, key=lambda r: (r.startswith("other"), r)):
        names = sorted(by_reason[r])
        print(f"- **{r}** ({len(names)}): " + ", ".join(f"`{n}`" for n in names))


def main(path, commit, as_markdown=False):
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
    if as_markdown:
        markdown(counts, failures, commit)
        return
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
    args = [a for a in sys.argv[1:] if a != "--markdown"]
    main(args[0], args[1] if len(args) > 1 else "unknown", "--markdown" in sys.argv)
