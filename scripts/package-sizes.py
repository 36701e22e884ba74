#!/usr/bin/env python3
"""Prints each function's deployment package size, as the README and BENCHMARKS.md record it.

The package is `bootstrap` zipped with deflate, as `sam deploy` uploads it.
Run: python3 scripts/package-sizes.py [DIR]
DIR holds one folder per function with its `bootstrap`: `.aws-sam/build` after `sam build`
(the default), or `target/lambda` after `cargo lambda build`.
"""
import io
import pathlib
import sys
import zipfile

root = pathlib.Path(__file__).resolve().parent.parent
build = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / ".aws-sam" / "build"
functions = sorted(p for p in build.iterdir() if p.is_dir() and not p.name.startswith(".")) if build.is_dir() else []
if not functions:
    sys.exit(f"no function folders in {build}: build them first")

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
