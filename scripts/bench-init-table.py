#!/usr/bin/env python3
"""Median of each step over the runs of shared/examples/init-profile.rs, as a markdown table."""
import collections
import statistics
import sys

steps = collections.OrderedDict()
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) >= 3 and parts[-1] == "ms":
        steps.setdefault(" ".join(parts[:-2]), []).append(float(parts[-2]))
print("| step | ms |")
print("| --- | ---: |")
for name, values in steps.items():
    print(f"| {name} | {statistics.median(values):.3f} |")
