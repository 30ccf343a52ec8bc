"""Read a kdlab function's or class's real source, without importing its module.

Question pages show the code learners are asked to write; reading it from the
module (never pasting it into Markdown) keeps page and code in step. Parsing the
file instead of importing it keeps the bank check fast (no torch import).
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path


class SourceError(LookupError):
    pass


KDLAB = Path(__file__).resolve().parents[1]  # the kdlab package folder


@lru_cache(maxsize=128)
def _module_file(module: str) -> Path:
    """The file of a kdlab module, found on disk: importlib's find_spec would import its parent
    packages, and kdlab.distill's __init__ imports torch (seconds on a cold server)."""
    parts = module.split(".")
    if parts[0] != "kdlab":
        raise SourceError(f"{module!r}: only kdlab modules can be shown")
    if not all(part.isidentifier() for part in parts):
        raise SourceError(f"no module {module!r}")
    base = KDLAB.joinpath(*parts[1:])
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    raise SourceError(f"no module {module!r}")


def find_source(ref: str) -> str:
    """'kdlab.distill.loss:distillation_loss' -> the source text of that top-level def or class."""
    module, sep, name = ref.partition(":")
    if not sep or not name:
        raise SourceError(f"{ref!r}: write it as module:name, e.g. kdlab.distill.loss:distillation_loss")
    path = _module_file(module)
    text = path.read_text(encoding="utf-8")
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            start = min([d.lineno for d in node.decorator_list] + [node.lineno])
            return "\n".join(text.splitlines()[start - 1 : node.end_lineno])
    raise SourceError(f"{module} has no top-level function or class {name!r}")
