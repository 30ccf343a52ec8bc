"""Bounded parameters shared by every experiment.

One `Param` list per demo is the single source of truth for names, defaults and
ranges: the CLI validates against it, the pages build their widgets from it, so
no widget or flag can ask the server for minutes of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ParamError(ValueError):
    """A parameter value outside what a demo accepts; the message says why."""


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple | None = None
    help: str = ""
    step: float | None = None  # a widget's step (every form showing this setting uses it); None: range / 100

    @property
    def kind(self) -> type:
        return type(self.default)

    def check(self, value: Any) -> Any:
        """Return `value` coerced to the default's type, or raise ParamError."""
        kind = self.kind
        try:
            if kind is bool and isinstance(value, str):
                if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError
                value = value.lower() in ("true", "1", "yes")
            elif kind is int and isinstance(value, float) and not value.is_integer():
                raise ValueError
            else:
                value = kind(value)
        except (TypeError, ValueError):
            raise ParamError(f"{self.name}: expected {kind.__name__}, got {value!r}") from None
        if self.choices is not None and value not in self.choices:
            options = ", ".join(map(str, self.choices))
            raise ParamError(f"{self.name}: {value!r} is not one of {options}")
        if kind in (int, float):
            if value != value:  # NaN compares unequal to itself
                raise ParamError(f"{self.name}: NaN is not a valid value")
            if self.low is not None and value < self.low:
                raise ParamError(f"{self.name}: {value} is below the minimum {self.low}")
            if self.high is not None and value > self.high:
                raise ParamError(f"{self.name}: {value} is above the maximum {self.high}")
        return value


def validate(params: tuple[Param, ...], values: dict[str, Any]) -> dict[str, Any]:
    """Defaults filled in, every value checked; unknown names are refused."""
    known = {p.name: p for p in params}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ParamError(f"unknown parameter(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return {p.name: p.check(values.get(p.name, p.default)) for p in params}


def defaults(params: tuple[Param, ...]) -> dict[str, Any]:
    return {p.name: p.default for p in params}
