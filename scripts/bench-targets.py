#!/usr/bin/env python3
"""The targets table of BENCHMARKS.md, from the numbers scripts/bench.sh gathered.

Reads target/bench/results.json (the harness), target/bench/criterion.txt (by benchmark name) and
target/bench/sizes.md; prints a markdown table saying, per target, met or missed by how much.
"""
import json
import pathlib
import re

bench = pathlib.Path(__file__).resolve().parent.parent / "target" / "bench"
results = json.loads((bench / "results.json").read_text())
functions = {k: v for k, v in results.items() if isinstance(v, dict)}

rows = []


def check(what, target, unit, worst, name):
    status = "met" if worst <= target else f"missed by {worst - target:.2f} {unit} ({worst / target:.2f}x)"
    rows.append(f"| {what} | {target:g} {unit} | {worst:.2f} {unit} ({name}) | {status} |")


def worst(key):
    values = [(v[key], k) for k, v in functions.items() if v.get(key) is not None]
    return max(values)


check("DynamoDB requests per invocation", 1, "", *worst("dynamodb_requests_per_invocation"))
check("cold start median", 10, "ms", *worst("cold_p50_ms"))
check("init median", 6, "ms", *worst("init_p50_ms"))
check("warm overhead p50", 0.5, "ms", *worst("overhead_p50_ms"))
over_direct = [(v["warm_p50_ms"] - v["direct_p50_ms"], k) for k, v in functions.items() if v.get("direct_p50_ms") is not None]
if over_direct:
    check("warm overhead p50 over the verb's own request made directly (not a target: context)", 0.5, "ms", *max(over_direct))
check("peak RSS", 16, "MB", *worst("peak_rss_mb"))

sizes = re.findall(r"^\| (\S+) \| [\d.]+ MB \| ([\d.]+) MB \|$", (bench / "sizes.md").read_text(), re.M)
if sizes:
    size, name = max((float(z), n) for n, z in sizes)
    check("arm64 zip", 3, "MB", size, name)

criterion = (bench / "criterion.txt").read_text()


def estimate_us(name):
    """The estimate criterion printed for benchmark `name` (its line or the next), in µs."""
    found = re.search(re.escape(name) + r"\s+time:\s*\[\S+ \S+ (\S+) (\S+)", criterion)
    if not found:
        return None
    scale = {"ns": 0.001, "µs": 1.0, "us": 1.0, "ms": 1000.0, "s": 1e6}.get(found.group(2), 1.0)
    return float(found.group(1)) * scale


micro = estimate_us("autosave request path")
if micro is not None:
    check("request path (criterion estimate)", 20, "µs", micro, "autosave")
# The costliest bodies to refuse, 64 KiB of members: linear decoding takes about 2 ms; the
# quadratic duplicate check it replaced took tens of ms on distinct keys.
bodies = ("distinct unknown keys", "one key repeated", "distinct keys, each twice")
refused = [(estimate_us(f"refused body: 64 KiB of {what}"), what) for what in bodies]
refused = [(v / 1000, what) for v, what in refused if v is not None]
if refused:
    check("largest refused body, event to 400 (criterion estimate)", 3, "ms", *max(refused))

print("| target | goal | worst measured | status |")
print("| --- | ---: | ---: | --- |")
print("\n".join(rows))
