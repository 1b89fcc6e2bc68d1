"""Both string catalogues have the same keys and placeholders, and every key the code uses exists."""

import re
import string
from pathlib import Path

from explorer.i18n import LANGUAGES, catalogue, translate

REPO = Path(__file__).resolve().parent.parent
LITERAL_KEY = re.compile(r"""\b(?:t|translate)\((?:[a-z_()]+, )?["']([a-z_]+\.[a-z_0-9]+)["']""")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogues_have_the_same_keys_and_placeholders():
    english, korean = catalogue("en"), catalogue("ko")
    assert set(english) == set(korean), set(english) ^ set(korean)
    for key in english:
        assert placeholders(english[key]) == placeholders(korean[key]), key


def test_every_literal_key_in_the_code_exists():
    sources = [*REPO.glob("app.py"), *REPO.glob("pages/*.py"), *REPO.glob("ui/**/*.py"), *REPO.glob("explorer/**/*.py")]
    used = {key for path in sources for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    assert used, "the pattern found no keys: the test would prove nothing"
    assert used <= set(catalogue("en")), used - set(catalogue("en"))


def test_translate_fills_values_and_falls_back_to_english():
    assert "42" in translate("ko", "padding.dropped_title", count=42)
    assert translate("xx", "home.title") == catalogue("en")["home.title"]
    assert set(LANGUAGES) == {"en", "ko"}
