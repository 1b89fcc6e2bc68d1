"""The UI's text in English and Korean: one TOML catalogue per language, tables per page.

``translate("ko", "home.title")`` looks up the table ``home``, key ``title`` in ``ko.toml`` and
fills ``{placeholders}`` from keyword arguments. A missing key shows up as the key itself (a
test makes sure both catalogues have the same keys, so that never reaches a user).
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
    """Every string of ``language``, flattened to ``"table.key"`` names."""
    with open(LOCALES / f"{language}.toml", "rb") as stream:
        return dict(_flatten(tomllib.load(stream)))


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
