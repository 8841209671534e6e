#!/usr/bin/env python3
"""Prints presigned PUT paths (path?query, one per line) for keys KEY_PREFIX00000000.. in BUCKET, for wrk.

Usage: bench/presign-put.py ENDPOINT BUCKET COUNT [KEY_PREFIX]   (keys from SEABED_ACCESS_KEY/SECRET_KEY)
"""
import os
import sys
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

endpoint, bucket, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
prefix = sys.argv[4] if len(sys.argv) > 4 else "wrk-"
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id=os.environ["SEABED_ACCESS_KEY"],
    aws_secret_access_key=os.environ["SEABED_SECRET_KEY"],
    config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
)
out = sys.stdout
for i in range(count):
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": f"{prefix}{i:08d}"}, ExpiresIn=3600)
    parts = urlsplit(url)
    out.write(parts.path + "?" + parts.query + "\n")
    if i % 10000 == 9999:
        print(f"presign-put: {i + 1}/{count}", file=sys.stderr)
