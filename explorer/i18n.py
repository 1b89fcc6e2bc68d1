"""The UI's text in English and Korean: one folder of TOML catalogues per language, tables per page.

``translate("ko", "home.title")`` looks up the table ``home``, key ``title`` in the files of
``locales/ko/`` (one file per topic, e.g. ``training.toml``, so each topic's text sits beside the
others of its page and a table may live in one file only) and fills ``{placeholders}`` from
keyword arguments. A missing key shows up as the key itself (a test makes sure both languages
have the same keys, so that never reaches a user).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = {"en": "English", "ko": "한국어"}
DEFAULT_LANGUAGE = "en"
LOCALES = Path(__file__).parent / "locales"


@cache
def catalogue(language: str) -> dict[str, str]:
    """Every string of ``language``, flattened to ``"table.key"`` names, from all its topic files."""
    strings: dict[str, str] = {}
    for path in sorted((LOCALES / language).glob("*.toml")):
        with open(path, "rb") as stream:
            for key, text in _flatten(tomllib.load(stream)):
                if key in strings:
                    raise ValueError(f"{path.name} defines {key!r} again: each key belongs to one file.")
                strings[key] = text
    return strings


def _flatten(table: dict, prefix: str = ""):
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def translate(language: str, key: str, **values: object) -> str:
    """The text for ``key`` in ``language`` with ``values`` filled in."""
    text = catalogue(language if language in LANGUAGES else DEFAULT_LANGUAGE).get(key, key)
    return text.format(**values) if values else text
