"""Presenter view: one switch that makes every page readable on a projector (1280×720).

Larger type, larger charts' fonts, the sidebar collapsed, and side material (captions, the code
behind each view) left out, so a step shows only what the class should look at. Everything is
applied here, in one place, by the page's stylesheet: the CSS ``zoom`` of the main column scales
text and plotly charts alike (plotly lays a chart out at the zoomed width, so its labels grow
without overlapping), per browser session, where a plotly template would be shared by the whole
server process.
"""

from __future__ import annotations

import streamlit as st

from ui import state
from ui.i18n import t

PRESENTER_ZOOM = 1.3  # 16 px body text becomes about 21 px: readable from the back of a classroom
PRESENTER_CSS = f"""
<style>
[data-testid="stMainBlockContainer"] {{ zoom: {PRESENTER_ZOOM}; padding-top: 1rem; padding-bottom: 1rem; }}
[data-testid="stMain"] [data-testid="stCaptionContainer"],
.st-key-code_behind {{ display: none; }}
</style>
"""


def presenting() -> bool:
    """True while presenter view is on."""
    return bool(st.session_state.get(state.PRESENTER, False))


def draw_presenter_switch() -> None:
    """The switch (in the sidebar, bound to ``?presenter=true`` so a link can turn it on), applied at once."""
    st.toggle(t("lesson.presenter"), key=state.PRESENTER, help=t("lesson.presenter_help"), bind="query-params")
    if presenting():
        st.set_page_config(initial_sidebar_state="collapsed")
        st.html(PRESENTER_CSS)
