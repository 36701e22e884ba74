"""The test command's closing line: `N passed, N failed, N skipped`, summed over every Rust test
binary (cargo test's output), the Python unittest run (its log) and the Vitest projects (their
JSON reports). Exits 1 when fewer
Rust tests ran than the binaries hold (a binary stopped early), or when a Vitest project failed
outside its tests (a global set-up that threw).

Usage: test-summary.py CARGO_TEST_LOG RUST_TESTS_LISTED UNITTEST_LOG VITEST_JSON...
"""

import json
import re
import sys

RESULT = re.compile(r"test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored")
UNITTEST_RAN = re.compile(r"Ran (\d+) tests? in ")
UNITTEST_COUNT = re.compile(r"(failures|errors|skipped|expected failures)=(\d+)")


def unittest_counts(path: str):
    """(passed, failed, skipped) from `python3 -m unittest`'s closing lines, or None."""
    try:
        text = open(path).read()
    except OSError:
        return None
    ran = UNITTEST_RAN.findall(text)
    if not ran:
        return None
    last = text[text.rindex("Ran "):]
    counts = {k: int(v) for k, v in UNITTEST_COUNT.findall(last)}
    failed = counts.get("failures", 0) + counts.get("errors", 0)
    skipped = counts.get("skipped", 0)
    return max(0, int(ran[-1]) - failed - skipped), failed, skipped


def main() -> int:
    log, listed_file, unittest_log, *vitest_reports = sys.argv[1:]
    passed = failed = skipped = 0
    with open(log) as f:
        for line in f:
            if m := RESULT.match(line):
                passed, failed, skipped = passed + int(m[1]), failed + int(m[2]), skipped + int(m[3])
    with open(listed_file) as f:
        listed = int(f.read().strip() or 0)
    missing = listed - (passed + failed + skipped)
    broken = []
    python = unittest_counts(unittest_log)
    if python is None:
        print(f"(no results in {unittest_log})")
        broken.append(unittest_log)
    else:
        passed, failed, skipped = passed + python[0], failed + python[1], skipped + python[2]
    for path in vitest_reports:
        try:
            with open(path) as f:
                report = json.load(f)
        except (OSError, ValueError):
            print(f"(no results in {path})")
            continue
        passed, failed = passed + report["numPassedTests"], failed + report["numFailedTests"]
        skipped += report["numPendingTests"] + report["numTodoTests"]
        # A failed set-up (a stack that did not start) fails the run with no test failed.
        if not report["success"] and report["numFailedTests"] == 0:
            broken.append(path)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    for path in broken:
        print(f"{path}: failed outside any test (its set-up or a file that did not load)")
    if missing > 0:
        print(f"{missing} of the {listed} Rust tests did not run (a test binary stopped early)")
    return 1 if broken or missing > 0 else 0


if __name__ == "__main__":
    sys.exit(main())
