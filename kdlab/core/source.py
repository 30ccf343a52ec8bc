"""Read a kdlab function's or class's real source, without importing its module.

Question pages show the code learners are asked to write; reading it from the
module (never pasting it into Markdown) keeps page and code in step. Parsing the
file instead of importing it keeps the bank check fast (no torch import).
"""

from __future__ import annotations

import ast
import importlib.util
from functools import lru_cache
from pathlib import Path


class SourceError(LookupError):
    pass


@lru_cache(maxsize=128)
def _module_file(module: str) -> Path:
    if not module.startswith("kdlab"):
        raise SourceError(f"{module!r}: only kdlab modules can be shown")
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        raise SourceError(f"no module {module!r}")
    return Path(spec.origin)


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
