"""The shared crate keeps one job per file: no source file of `shared/src` over 400 lines, and
its modules use one another without a circle (a request flows one way: handlers, decode,
domain, store, the DynamoDB adapter).

Run by the test command and the fast loop: python3 -m unittest -v test_layout (in scripts/).
"""

import re
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "shared" / "src"
MAX_LINES = 400
USES = re.compile(r"\bcrate::(\w+)")
# A file's own tests are not part of the graph: they may reach anywhere.
TESTS = re.compile(r"#\[cfg\(test\)\]\s*mod tests \{.*", re.S)
COMMENT = re.compile(r"^\s*//.*$", re.M)


def module_of(path: Path) -> str:
    first = path.relative_to(SRC).parts[0]
    return first.removesuffix(".rs")


def graph(files: dict[str, str]) -> dict[str, set[str]]:
    """Module -> the modules it uses, from each file's `crate::` paths (tests left out)."""
    edges: dict[str, set[str]] = {}
    for name, text in files.items():
        if name.endswith("tests.rs"):
            continue
        module = module_of(SRC / name)
        used = set(USES.findall(COMMENT.sub("", TESTS.sub("", text)))) - {module}
        edges.setdefault(module, set()).update(used)
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    found, path, done = [], [], set()

    def visit(node: str) -> None:
        if node in path:
            found.append(path[path.index(node):] + [node])
            return
        if node in done:
            return
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            visit(nxt)
        path.pop()
        done.add(node)

    for node in sorted(edges):
        visit(node)
    return found


def sources() -> dict[str, str]:
    return {p.relative_to(SRC).as_posix(): p.read_text() for p in sorted(SRC.rglob("*.rs"))}


class Layout(unittest.TestCase):
    def test_no_source_file_of_the_shared_crate_is_over_400_lines(self):
        long = {name: text.count("\n") for name, text in sources().items() if text.count("\n") > MAX_LINES}
        self.assertEqual(long, {}, "split these: one job per file")

    def test_the_shared_crates_modules_use_one_another_without_a_circle(self):
        self.assertEqual(circles(graph(sources())), [])

    def test_the_circle_check_finds_a_circle(self):
        files = {
            "config.rs": "use crate::dynamodb::EXTRA;\n/// not `crate::api`",
            "dynamodb/mod.rs": "use crate::config::Config;\n#[cfg(test)]\nmod tests { use crate::api; }",
            "api/mod.rs": "use crate::config::Config;",
        }
        self.assertEqual(circles(graph(files)), [["config", "dynamodb", "config"]])


if __name__ == "__main__":
    unittest.main()
