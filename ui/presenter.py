"""Presenter view: one switch that makes every page readable on a projector (1280×720).

Larger type, the sidebar collapsed, and side material (captions, the code
behind each view) left out; on a lesson step that names its ``focus``, the page's other sections
(``section``) are left out too, so a step shows only what the class should look at. Everything is
applied per browser session (a plotly template would be shared by the whole server process): the
page's stylesheet here zooms the main column's text; charts and tables are drawn at zoom 1 across
the wider column (see ``PRESENTER_CSS``), a chart's text made as much larger by ``ui.charts.draw_chart``.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from explorer.lesson.lessons import PAGE_SECTIONS
from ui import state
from ui.i18n import t

PRESENTER_ZOOM = 1.3  # 16 px body text becomes about 21 px: readable from the back of a classroom
# Charts and tables are zoomed back to 1: Streamlit measures a chart's or a table's width on screen
# (zoomed), and plotly or the table grid then draws that many CSS pixels inside the zoomed column,
# so a zoomed chart lost its right and bottom edges (axes, colour bars, the last bar) and a table
# its last columns. At zoom 1 they fill the (wider) column; a chart's text is enlarged in the figure
# instead (``ui.charts.draw_chart``), a table's stays at its own size.
PRESENTER_CSS = f"""
<style>
[data-testid="stMainBlockContainer"] {{ zoom: {PRESENTER_ZOOM}; padding-top: 1rem; padding-bottom: 1rem; }}
[data-testid="stMainBlockContainer"] [data-testid="stPlotlyChart"],
[data-testid="stMainBlockContainer"] [data-testid="stDataFrame"] {{ zoom: {1 / PRESENTER_ZOOM:.4f}; }}
[data-testid="stMain"] [data-testid="stCaptionContainer"],
.st-key-code_behind {{ display: none; }}
</style>
"""


SECTION_KEY = "section_{name}"  # a section's container key: Streamlit marks it with the class st-key-<key>


def section(page: str, name: str) -> DeltaGenerator:
    """The container of one part of page ``page``, which a lesson step's ``focus`` can keep on screen.

    Only the names ``PAGE_SECTIONS`` lists for the page are allowed (lesson files are checked
    against that list), so a page and the lessons cannot drift apart without a test failing.
    """
    if name not in PAGE_SECTIONS.get(page, ()):
        raise ValueError(f"{name!r} is not a section of the {page} page in PAGE_SECTIONS")
    return st.container(key=SECTION_KEY.format(name=name))


def focus_css(kept: tuple[str, ...]) -> str:
    """A stylesheet that hides every section of the main column except ``kept``."""
    every_section = f'[data-testid="stMain"] [class*="st-key-{SECTION_KEY.format(name="")}"]'
    keep = "".join(f":not(.st-key-{SECTION_KEY.format(name=name)})" for name in kept)
    return f"<style>{every_section}{keep} {{ display: none; }}</style>"


def draw_focus(kept: tuple[str, ...]) -> None:
    """In presenter view, show only the sections ``kept`` of this page (all of them if none are named)."""
    if presenting() and kept:
        st.html(focus_css(kept))


def presenting() -> bool:
    """True while presenter view is on."""
    return bool(st.session_state.get(state.PRESENTER, False))


def draw_presenter_switch() -> None:
    """The switch (in the sidebar, bound to ``?presenter=true`` so a link can turn it on), applied at once."""
    st.toggle(t("lesson.presenter"), key=state.PRESENTER, help=t("lesson.presenter_help"), bind="query-params")
    if presenting():
        st.set_page_config(initial_sidebar_state="collapsed")
        st.html(PRESENTER_CSS)
