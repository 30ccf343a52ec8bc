"""The shape of the library: no Streamlit in kdlab, no import cycles, nothing imports upward.

Read from the source with `ast` (nothing is imported), so a cycle hidden behind a lazy import
inside a function is found too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KDLAB = ROOT / "kdlab"

# Lower layers never import higher ones. The registry (demos.py) names modules by string only.
LAYERS = {
    "core": 0,
    "demos": 0,
    "data": 1,
    "classic": 2,
    "deep": 2,
    "rl": 2,
    "practice": 2,
    "distill": 3,  # its teacher is deep.cnn
    "shop": 4,  # its image scenario is the distillation demo on product pictures
    "cli": 5,
    "bench": 5,
    "__main__": 6,
    "__init__": 6,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every kdlab module (or package) this file imports, at any depth of the code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from kdlab.deep import cnn` imports the module kdlab.deep.cnn
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in KDLAB.rglob("*.py")}
    return {
        name: {m for m in imports_of(path) if m in files and m != name} for name, path in files.items()
    }


def family(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_kdlab_never_imports_streamlit():
    offenders = [
        str(p.relative_to(ROOT))
        for p in KDLAB.rglob("*.py")
        if any(m == "streamlit" or m.startswith("streamlit.") for m in imports_of(p))
    ]
    assert not offenders, f"kdlab is a library; these import streamlit: {offenders}"


def find_cycle(g: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(g.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(g):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycle_in_kdlab():
    # A package's __init__ may re-export its submodules; a submodule importing its own package's
    # __init__ would be the cycle, and that edge is in the graph too.
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_nothing_imports_upward():
    upward = []
    for module, deps in graph().items():
        for dep in deps:
            if LAYERS[family(dep)] > LAYERS[family(module)]:
                upward.append(f"{module} -> {dep}")
    assert not upward, "a lower layer imports a higher one: " + ", ".join(sorted(upward))


def test_every_family_has_a_layer():
    families = {family(m) for m in graph()}
    assert families <= set(LAYERS), f"give these a layer in LAYERS: {families - set(LAYERS)}"


@pytest.mark.parametrize("old", ["views", "kdlab/distill.py", "kdlab/ecommerce.py", "kdlab/cnn.py"])
def test_the_old_flat_layout_is_gone(old):
    assert not (ROOT / old).exists()


def test_a_notebook_import_keeps_working():
    from kdlab.distill import distillation_loss, soft_targets  # noqa: F401
    from kdlab.distill.loss import distillation_loss as same

    assert distillation_loss is same
