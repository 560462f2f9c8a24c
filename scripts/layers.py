#!/usr/bin/env python3
"""Counts what docs/architecture.md promises about the code's shape.

- import circles between the modules of one crate (`use crate::…`, `use super::…` and
  `crate::a::b` paths in code), reported as strongly connected groups of files;
- store paths named above `core` (any `frontline_store::` path in web, ui, jobs, mail or the
  CLI other than the handles `Store` and `Backend`; `frontline generate` in
  `cli/src/generate/` loads through the store's bulk loader on purpose);
- `impl Desk` blocks outside `core/src/desk.rs`: each operation lives on the service of its
  noun (`Tickets`, `Sla`, …), the desk only hands them out;
- store row types that are public (`pub struct …Row`/`…View` in `crates/store/src`): the
  store maps them to domain types, so none should leave it;
- functions longer than LIMIT lines and files longer than FILE_LIMIT lines (tests excluded).

Exits 1 when it finds an import circle, a store path outside the allowed places, a core
re-export of a store type, an operation on `Desk` or a public store row, so it can run in the test command. The long
functions and files are listed, not failed.

    python3 scripts/layers.py [--long]
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CRATES = ROOT / "crates"
LIMIT = 80
FILE_LIMIT = 500

# Where the store's types may be named: the store itself, core (its only client), and the
# test support that opens databases.
STORE_ALLOWED = {"store", "core", "testkit"}
STORE_HANDLES = {"Store", "Backend"}
# The bulk loader behind `frontline generate` writes straight through the store.
STORE_EXCEPT = ("crates/cli/src/generate/",)
PUBLIC_ROW = re.compile(r"^pub struct (\w+(?:Row|View))\b", re.M)


def module_of(src: Path, f: Path) -> tuple[str, ...]:
    rel = f.relative_to(src).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def strip_comments(text: str) -> str:
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def test_free(text: str) -> str:
    """The text before a trailing `#[cfg(test)] mod tests`."""
    m = re.search(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text)
    return text[: m.start()] if m else text


def resolve(path: list[str], here: tuple[str, ...], modules: set) -> tuple[str, ...] | None:
    """The module (file) a `crate::`/`super::`/`self::` path lands in: its longest prefix."""
    if not path:
        return None
    if path[0] == "crate":
        base: list[str] = []
        rest = path[1:]
    elif path[0] in ("super", "self"):
        base = list(here)
        rest = path
        while rest and rest[0] in ("super", "self"):
            if rest[0] == "super":
                base = base[:-1]
            rest = rest[1:]
    else:
        return None
    best = None
    for i in range(len(rest) + 1):
        cand = tuple(base + rest[:i])
        if cand in modules:
            best = cand
    return best


USE = re.compile(r"\buse\s+((?:crate|super|self)::[^;]+);")
PATH = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")


def expand(tree: str) -> list[list[str]]:
    """`a::{b, c::{d, e}}` into [[a, b], [a, c, d], [a, c, e]] (leaves only as far as needed)."""
    tree = re.sub(r"\s+", "", tree)
    out: list[list[str]] = []

    def walk(prefix: list[str], s: str) -> None:
        i = s.find("{")
        if i < 0:
            out.append(prefix + [p for p in s.split("::") if p and p != "*"])
            return
        head = [p for p in s[:i].split("::") if p]
        inner = s[i + 1 : s.rfind("}")]
        depth, start = 0, 0
        for j, ch in enumerate(inner + ","):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                part = inner[start:j]
                if part:
                    walk(prefix + head, part)
                start = j + 1

    walk([], tree)
    return out


def crate_graph(crate: Path) -> dict:
    src = crate / "src"
    files = sorted(src.rglob("*.rs"))
    modules = {module_of(src, f): f for f in files}
    edges: dict = {m: set() for m in modules}
    for m, f in modules.items():
        text = strip_comments(test_free(f.read_text()))
        targets = []
        for use in USE.findall(text):
            targets += expand(use.split(" as ")[0])
        for root, rest in PATH.findall(text):
            targets.append([root] + [p for p in rest.split("::") if p])
        for t in targets:
            # `super::x` inside a file means the parent of this file's module.
            to = resolve(t, m, set(modules))
            if to is not None and to != m and not is_ancestor(to, m):
                edges[m].add(to)
    return edges


def is_ancestor(a: tuple, b: tuple) -> bool:
    """A module naming its parent (`super::Thing` re-exported there) is not a circle."""
    return len(a) < len(b) and b[: len(a)] == a


def cycles(edges: dict) -> list[list]:
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in edges:
        if v not in index:
            strong(v)
    return out


def store_paths(crate: Path) -> list[str]:
    found = []
    for f in sorted((crate / "src").rglob("*.rs")):
        if str(f.relative_to(ROOT)).startswith(STORE_EXCEPT):
            continue
        text = strip_comments(f.read_text())
        for m in re.finditer(r"frontline_store::(\{[^}]*\}|[A-Za-z_:]+)", text):
            names = set(re.findall(r"[A-Za-z_]+", m.group(1)))
            if names <= STORE_HANDLES:
                continue
            line = text[: m.start()].count("\n") + 1
            found.append(f"{f.relative_to(ROOT)}:{line}: frontline_store::{m.group(1)}")
    return found


def reexports(crate: Path) -> list[str]:
    """`pub use frontline_store::…` in core: a store type handed to the front ends."""
    found = []
    for f in sorted((crate / "src").rglob("*.rs")):
        text = strip_comments(f.read_text())
        for m in re.finditer(r"pub use frontline_store::([^;]+);", text):
            names = set(re.findall(r"[A-Za-z_]+", m.group(1)))
            if names <= STORE_HANDLES:
                continue
            line = text[: m.start()].count("\n") + 1
            found.append(f"{f.relative_to(ROOT)}:{line}: {m.group(1)}")
    return found


def desk_operations(crate: Path) -> list[str]:
    """`impl Desk` outside `desk.rs`: operations belong to the service of their noun."""
    found = []
    for f in sorted((crate / "src").rglob("*.rs")):
        if f.name == "desk.rs":
            continue
        text = strip_comments(f.read_text())
        for m in re.finditer(r"^impl Desk\b", text, re.M):
            found.append(f"{f.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}")
    return found


FN = re.compile(r"^(\s*)(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?(?:const\s+)?fn\s+(\w+)", re.M)


def long_functions(f: Path) -> list[tuple[int, str, int]]:
    lines = test_free(f.read_text()).split("\n")
    out = []
    for i, line in enumerate(lines):
        m = FN.match(line)
        if not m:
            continue
        indent = m.group(1)
        # The body ends at the first line that closes the function at its own indent.
        for j in range(i + 1, len(lines)):
            if lines[j] == indent + "}":
                if j - i + 1 > LIMIT:
                    out.append((i + 1, m.group(2), j - i + 1))
                break
    return out


def main() -> int:
    bad = 0
    for crate in sorted(p for p in CRATES.iterdir() if (p / "src").is_dir()):
        for comp in cycles(crate_graph(crate)):
            bad += 1
            names = ", ".join("::".join(c) or "(root)" for c in comp)
            print(f"import circle in {crate.name}: {names}")
        if crate.name == "core":
            for hit in reexports(crate):
                bad += 1
                print(f"core re-exports a store type: {hit}")
            for hit in desk_operations(crate):
                bad += 1
                print(f"an operation on Desk, not on its noun's service: {hit}")
        if crate.name not in STORE_ALLOWED:
            for hit in store_paths(crate):
                bad += 1
                print(f"store type outside store: {hit}")
    rows = []
    for f in sorted((CRATES / "store" / "src").rglob("*.rs")):
        for m in PUBLIC_ROW.finditer(test_free(f.read_text())):
            rows.append(f"{f.relative_to(ROOT)}: {m.group(1)}")
    for r in rows:
        bad += 1
        print(f"public store row: {r}")
    if "--long" in sys.argv:
        for f in sorted(CRATES.rglob("src/**/*.rs")):
            n = len(test_free(f.read_text()).split("\n"))
            if n > FILE_LIMIT:
                print(f"long file: {f.relative_to(ROOT)} {n} lines")
            for line, name, length in long_functions(f):
                print(f"long function: {f.relative_to(ROOT)}:{line} {name} {length} lines")
    print(f"{bad} problem(s), of which {len(rows)} public store row type(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
