"""The UI's words in 中文 and English, read from locales/<lang>/*.yaml.

One file per part of the app (app.yaml, regression.yaml, ...), merged: nested keys
become dotted names ("regression.intro"), and two files may not define the same one.

Streamlit has no i18n of its own; a flat catalog per language and `translate`
are all the app needs. Missing keys fall back to English, then to the key, so a
half-translated catalog shows something readable rather than crashing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LOCALES = Path(__file__).resolve().parents[2] / "locales"


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@lru_cache(maxsize=len(LANGS))
def catalog(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((LOCALES / lang).glob("*.yaml")):
        with open(path, encoding="utf-8") as f:
            flat = _flatten(yaml.safe_load(f) or {})
        clash = sorted(set(flat) & set(merged))
        if clash:
            raise ValueError(f"{path}: keys defined twice in locales/{lang}/: {', '.join(clash[:5])}")
        merged.update(flat)
    return merged


# English plurals: "{n} {n|label|labels}" reads "1 label", "3 labels" (the first form when the value is 1).
PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")


def _plural(text: str, values: dict) -> str:
    return PLURAL.sub(lambda m: m[2] if str(values.get(m[1], "")) in ("1", "1.0") else m[3], text)


def translate(lang: str, key: str, *, default: str | None = None, **values) -> str:
    text = catalog(lang).get(key) or catalog("en").get(key) or (key if default is None else default)
    return _plural(text, values).format(**values) if values else text


def pick_language(requested: str | None, browser_locale: str | None) -> str:
    """The URL's ?lang= wins, then the browser's locale, then Chinese."""
    if requested in LANGS:
        return requested
    if browser_locale:
        primary = browser_locale.replace("_", "-").split("-")[0].lower()
        if primary in LANGS:
            return primary
    return DEFAULT_LANG
