"""The docs name only what exists: every file a README or a page in docs/ names in backticks
(a path, or a file name such as `suite.rs`) is a file this repository tracks, every test they
cite (a Rust test's name, or a quoted name after a `*.test.ts` file) is one, every link to a
file or heading leads somewhere, and no table is split by a blank line (Markdown ends a table
there; the rest shows as text). The README stays short: depth goes to docs/.

Run by the test command: python3 -m unittest -v test_docs (in scripts/).
"""

import re
import subprocess
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "web" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NAMED = re.compile(r"`([^`\s]+)`")
# A Rust test is cited by its name: four or more snake_case words.
RUST_TEST = re.compile(r"`([a-z][a-z0-9]*(?:_[a-z0-9]+){3,})`")
# A web test by its file, then one or more quoted (parts of) names: `draft.test.ts` "holds ...", "...".
WEB_TEST = re.compile(r'`((?:[\w./-]+/)?[\w.]+\.test\.tsx?)`((?:\s*(?:,|and)?\s*"[^"]+")+)')
LINK = re.compile(r"\]\(([^)\s]+)\)")
README_LINES = 200
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


def uncited(text: str, files: list[str], read) -> list[str]:
    """The tests `text` cites that no tracked test file has."""
    rust = set(re.findall(r"\bfn ([a-z0-9_]+)", "\n".join(read(f) for f in files if f.endswith(".rs"))))
    out = [name for name in RUST_TEST.findall(text) if name not in rust]
    flat = re.sub(r"\s+", " ", text)
    for m in WEB_TEST.finditer(flat):
        sources = [f for f in files if f == m.group(1) or f.endswith("/" + m.group(1))]
        body = re.sub(r"\s+", " ", " ".join(read(f) for f in sources))
        out += [f'{m.group(1)} "{q}"' for q in re.findall(r'"([^"]+)"', m.group(2)) if q not in body]
    return sorted(set(out))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def broken_links(doc: Path, files: list[str]) -> list[str]:
    out = []
    for target in LINK.findall(doc.read_text()):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        at = (doc.parent / path).resolve() if path else doc
        rel = at.relative_to(ROOT).as_posix() if at.is_relative_to(ROOT) else target
        if path and rel not in files and not any(f.startswith(rel.rstrip("/") + "/") for f in files):
            out.append(target)
        elif anchor and at.suffix == ".md":
            headings = [slug(h) for h in re.findall(r"^#+ (.+)$", at.read_text(), re.M)]
            if anchor not in headings:
                out.append(target)
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

    def test_every_test_a_doc_cites_exists(self):
        files = tracked()
        read = lambda f: (ROOT / f).read_text()
        for doc in DOCS:
            if doc.exists():
                with self.subTest(doc=doc.relative_to(ROOT).as_posix()):
                    self.assertEqual(uncited(doc.read_text(), files, read), [])

    def test_every_link_leads_somewhere(self):
        files = tracked()
        for doc in DOCS:
            if doc.exists():
                with self.subTest(doc=doc.relative_to(ROOT).as_posix()):
                    self.assertEqual(broken_links(doc, files), [])

    def test_the_readme_is_read_in_five_minutes(self):
        lines = len((ROOT / "README.md").read_text().splitlines())
        self.assertLessEqual(lines, README_LINES, "move depth to docs/")

    def test_the_citation_check_finds_a_test_that_is_gone(self):
        files = ["shared/tests/api/suite.rs", "web/test/draft.test.ts"]
        sources = {"shared/tests/api/suite.rs": "fn a_draft_is_kept_for_a_day() {}", "web/test/draft.test.ts": "it('holds the one field a 413 is about', ...)"}
        text = '`a_draft_is_kept_for_a_day`, `a_draft_is_kept_for_a_week`; `draft.test.ts` "holds the one field", "retries forever"'
        self.assertEqual(uncited(text, files, sources.__getitem__), ['a_draft_is_kept_for_a_week', 'draft.test.ts "retries forever"'])

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
