"""boto3 against Seabed: buckets, objects (small, inline, multipart through upload_fileobj), listing, ranges, errors."""
import hashlib
import io
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client(
    "s3",
    endpoint_url=os.environ["SEABED_ENDPOINT"],
    region_name="us-east-1",
    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
)


def check(cond, what):
    if not cond:
        print("FAILED:", what)
        sys.exit(1)


s3.create_bucket(Bucket="boto")
check(any(b["Name"] == "boto" for b in s3.list_buckets()["Buckets"]), "bucket listed")

s3.put_object(Bucket="boto", Key="hello.txt", Body=b"hello boto3", ContentType="text/plain",
              Metadata={"origin": "boto3"})
got = s3.get_object(Bucket="boto", Key="hello.txt")
check(got["Body"].read() == b"hello boto3", "small object round trip")
check(got["ContentType"] == "text/plain", "content type")
check(got["Metadata"] == {"origin": "boto3"}, "user metadata")

big = os.urandom(20 * 1024 * 1024 + 17)
s3.upload_fileobj(io.BytesIO(big), "boto", "dir/big.bin")
head = s3.head_object(Bucket="boto", Key="dir/big.bin")
check(head["ContentLength"] == len(big), "multipart size")
check(head["ETag"].strip('"').endswith("-3"), "multipart etag " + head["ETag"])
out = io.BytesIO()
s3.download_fileobj("boto", "dir/big.bin", out)
check(hashlib.md5(out.getvalue()).digest() == hashlib.md5(big).digest(), "multipart round trip")
part = s3.get_object(Bucket="boto", Key="dir/big.bin", Range="bytes=100-199")["Body"].read()
check(part == big[100:200], "range read")

listing = s3.list_objects_v2(Bucket="boto", Delimiter="/")
check([o["Key"] for o in listing.get("Contents", [])] == ["hello.txt"], "listing keys")
check([p["Prefix"] for p in listing.get("CommonPrefixes", [])] == ["dir/"], "listing prefixes")

try:
    s3.get_object(Bucket="boto", Key="missing")
    check(False, "missing key must fail")
except ClientError as e:
    check(e.response["Error"]["Code"] == "NoSuchKey", "NoSuchKey: " + str(e.response["Error"]))

for key in ("hello.txt", "dir/big.bin"):
    s3.delete_object(Bucket="boto", Key=key)
s3.delete_bucket(Bucket="boto")
print("boto3 smoke: ok")
