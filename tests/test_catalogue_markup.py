"""Every catalogue string of both languages renders as markdown without leftover markup.

Streamlit renders markdown with a CommonMark parser (plus GitHub's tables and strikethrough), and
CommonMark's flanking rules are easy to trip: ``**`code`**는`` stays literal because a closing
``**`` after punctuation must be followed by a space or punctuation, which Hangul is not. So each
string is rendered here with markdown-it-py, a CommonMark-compliant parser, and the plain text
it produces (code spans left out) must hold no ``**``, ``__``, backtick, ``~~`` or stray ``*``.
"""

import re

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from explorer.i18n import LANGUAGES, catalogue

RENDERER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
FIELD = re.compile(r"\{[a-z_0-9]+(?:[:!][^{}]*)?\}")  # a str.format placeholder, with its format spec
LEFTOVER = re.compile(r"\*\*|__|`|~~|(?<!\w)\*|\*(?!\w)")  # markup the renderer should have consumed


def rendered_text(tokens: list[Token]) -> str:
    """The plain text a reader sees (code spans are shown as typed, so they are left out)."""
    return "".join(rendered_text(token.children) if token.children else token.content * (token.type == "text")
                   for token in tokens)  # fmt: skip


def test_the_renderer_catches_what_the_issue_saw():
    # the two strings of issue 13, item 4, before their fix: closing ** after ")" and after "`", before Hangul
    for broken in ("**BoW(단어 가방)**는 단어의", "층의 **`mask_zero=True`**는 다음"):
        assert LEFTOVER.search(rendered_text(RENDERER.parse(broken)))
    assert not LEFTOVER.search(rendered_text(RENDERER.parse("**BoW**(단어 가방)는, **`mask_zero=True` 옵션**은")))


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_stray_markup_after_rendering(language: str):
    strings = catalogue(language)
    shown = {key: rendered_text(RENDERER.parse(FIELD.sub("7", text))) for key, text in strings.items()}
    assert len(shown) > 100, "the catalogue should hold every string of the app"
    leftovers = {key: text for key, text in shown.items() if LEFTOVER.search(text)}
    assert not leftovers, leftovers
