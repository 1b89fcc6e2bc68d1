"""A server shared by a class: link values parsed strictly and shown inert, paths kept inside allowed roots,
a full cache disk survived, one-hots built without identity matrices."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from explorer.book import BOOK_MAXLEN, BOOK_NUM_WORDS
from tests.apptest import open_page
from ui.user_text import SHOWN_CHARACTERS, markdown_literal, shown_value

TIMEOUT_S = 120


def opened_with(app, **query: str) -> AppTest:
    at = AppTest.from_file(str(app), default_timeout=TIMEOUT_S)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_link_numbers_are_parsed_strictly_and_the_default_really_used(app_environment):
    at = opened_with(app_environment, maxlen="²", num_words="1e3")
    warnings = " ".join(w.value for w in at.warning)
    assert "maxlen=²" in warnings and "num_words=1e3" in warnings
    assert at.slider(key="maxlen").value == BOOK_MAXLEN
    assert at.slider(key="num_words").value == BOOK_NUM_WORDS  # "1e3" is reported, and 1000 is not used


def test_a_five_thousand_digit_value_is_reported_cut(app_environment):
    at = opened_with(app_environment, maxlen="9" * 5000)
    (warning,) = [w.value for w in at.warning if "maxlen=" in w.value]
    assert "9" * SHOWN_CHARACTERS + "…" in warning and "9" * (SHOWN_CHARACTERS + 1) not in warning
    assert at.slider(key="maxlen").value == BOOK_MAXLEN


def test_a_crafted_link_value_is_shown_as_text(app_environment):
    crafted = "[click](https://evil.example/) ![p](https://evil.example/p.png)"
    at = opened_with(app_environment, padding=crafted)
    (warning,) = [w.value for w in at.warning if "padding=" in w.value]
    assert shown_value(crafted) in warning
    assert "](https" not in warning  # no markdown link or image syntax survives unescaped


def test_markdown_literal_escapes_every_markup_character():
    assert markdown_literal("a*b_c`d[e](f)!<g>:red[h]") == r"a\*b\_c\`d\[e\]\(f\)\!\<g\>\:red\[h\]"
    assert shown_value("x" * 100) == "x" * SHOWN_CHARACTERS + "…"


def test_a_typed_word_with_markup_is_warned_about_as_text(app_environment):
    crafted = "![p](https://evil.example/p.png)"
    at = open_page(app_environment, "pages/padding.py", padding_pick="word", padding_word=crafted)
    (warning,) = [w.value for w in at.warning]
    assert markdown_literal(crafted) in warning and "](https" not in warning
