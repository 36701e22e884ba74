"""The docs name only what exists: every file a README or a page in docs/ names in backticks
(a path, or a file name such as `suite.rs`) is a file this repository tracks, and no table is
split by a blank line (Markdown ends a table there; the rest shows as text).

Run by the test command: python3 -m unittest -v test_docs (in scripts/).
"""

import re
import subprocess
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "web" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NAMED = re.compile(r"`([^`\s]+)`")
FILE = re.compile(r"\.(rs|ts|tsx|py|sh|mjs|md|yml|yaml|toml|json)$")


def tracked() -> list[str]:
    return subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()


def named_files(text: str) -> set[str]:
    """What a doc names that looks like a file: no placeholders, globs or URLs."""
    out = set()
    for m in NAMED.finditer(text):
        name = m.group(1).rstrip(".,:;)").removeprefix("./")
        if any(c in name for c in "<>*{}$") or name.startswith(("http", ".local")) or not FILE.search(name):
            continue
        out.add(name)
    return out


def missing(names: set[str], files: list[str]) -> list[str]:
    return sorted(n for n in names if not any(f == n or f.endswith("/" + n) for f in files))


class Docs(unittest.TestCase):
    def test_every_file_a_doc_names_exists(self):
        files = tracked()
        for doc in DOCS:
            if doc.exists():
                with self.subTest(doc=doc.relative_to(ROOT).as_posix()):
                    self.assertEqual(missing(named_files(doc.read_text()), files), [])

    def test_no_table_is_split_by_a_blank_line(self):
        for doc in DOCS:
            if not doc.exists():
                continue
            lines = doc.read_text().splitlines()
            split = [i + 1 for i in range(1, len(lines) - 1) if not lines[i].strip() and lines[i - 1].startswith("|") and lines[i + 1].startswith("|")]
            with self.subTest(doc=doc.relative_to(ROOT).as_posix()):
                self.assertEqual(split, [], "blank lines inside a table")

    def test_the_check_finds_a_file_that_is_gone(self):
        files = ["shared/tests/api/suite.rs", "scripts/test.sh"]
        text = "the suite in `suite/mod.rs`, run by `./scripts/test.sh`, see `suite.rs` and `functions/<verb>/`"
        self.assertEqual(missing(named_files(text), files), ["suite/mod.rs"])


if __name__ == "__main__":
    unittest.main()
