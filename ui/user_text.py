"""Text that came from a user (a typed word, a link's value) shown inside translated markdown, inert.

Streamlit renders ``st.warning``, ``st.caption`` and ``st.markdown`` bodies as markdown, so a typed
``[x](https://…)`` would become a link and ``![](https://…)`` a remote image (a tracking pixel).
Every value a user controls goes through ``markdown_literal`` before it is put into such a text.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark, which makes it literal:
# a typed name then shows as typed, never as a link, emphasis, an image or a Streamlit directive.
MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
SHOWN_CHARACTERS = 40  # a link value longer than this is shown cut (a 5,000-digit number is still reported)


# Escapes do not stop GitHub-style autolinks ("https://…", "www.…", "a@b.c" become links after
# parsing), so an invisible word joiner is put where each of them starts: the text reads the same.
WORD_JOINER = "\u2060"
AUTOLINK_STARTS = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?=@)")


def markdown_literal(text: str) -> str:
    """``text`` escaped so that ``st.markdown`` shows it exactly as typed (user text is never markdown)."""
    return MARKDOWN_PUNCTUATION.sub(r"\\\1", AUTOLINK_STARTS.sub(WORD_JOINER, text))


def shown_value(text: str) -> str:
    """A value from a link, cut to ``SHOWN_CHARACTERS`` and made literal, for a warning about it."""
    cut = text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"
    return markdown_literal(cut)
