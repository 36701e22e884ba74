#!/usr/bin/env python3
"""Prints each function's deployment package size after `sam build`, as the README records it.

The package is `bootstrap` zipped with deflate, as `sam deploy` uploads it.
Run: python3 scripts/package-sizes.py  (after `sam build`)
"""
import io
import pathlib
import sys
import zipfile

build = pathlib.Path(__file__).resolve().parent.parent / ".aws-sam" / "build"
functions = sorted(p for p in build.glob("*Function") if p.is_dir())
if not functions:
    sys.exit("no .aws-sam/build/*Function: run `sam build` first")

missing = [f.name for f in functions if not (f / "bootstrap").is_file()]
if missing:
    sys.exit(f"no bootstrap in: {', '.join(missing)}")

print("| function | bootstrap | zipped |")
print("| --- | ---: | ---: |")
for function in functions:
    binary = (function / "bootstrap").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr(zipfile.ZipInfo("bootstrap"), binary, compress_type=zipfile.ZIP_DEFLATED)
    print(f"| {function.name} | {len(binary) / 1e6:.2f} MB | {len(buffer.getvalue()) / 1e6:.2f} MB |")
