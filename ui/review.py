"""Review text on screen: always as text, never as markdown or HTML."""

from __future__ import annotations

import html

from streamlit.delta_generator import DeltaGenerator

from explorer.data.aclimdb import LINE_BREAK

TEXT_STYLE = "white-space:pre-wrap;line-height:1.5"  # keep the review's line breaks, wrap long lines
CAPTION_STYLE = "font-size:0.875rem;color:rgba(49,51,63,0.6)"  # the size and grey of st.caption


def plain_review(text: str) -> str:
    """A review's text with its ``<br />`` tags (the aclImdb files' paragraph breaks) as line breaks."""
    return LINE_BREAK.sub("\n", text)


def show_review(place: DeltaGenerator, text: str, caption: bool = False) -> None:
    """Draw a review in ``place`` as it was written (as a caption if ``caption``): line breaks kept, its
    asterisks, underscores and angle brackets shown as typed (escaped), never read as markdown or HTML."""
    style = f"{TEXT_STYLE};{CAPTION_STYLE}" if caption else TEXT_STYLE
    place.html(f'<div style="{style}">{html.escape(plain_review(text))}</div>')
