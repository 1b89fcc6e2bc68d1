"""Figures shared by every session of the server: built once per chart and settings.

Building a plotly figure (validating every property) costs far more server CPU than sending it,
and a class asks for the same few figures again and again. ``shared_chart`` keeps each figure
per (chart, data source, language, settings) for the whole server, in ``st.cache_resource``
rather than ``st.cache_data``: unpickling a plotly figure would validate it all over again, and
``st.plotly_chart`` only reads the figure it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import plotly.graph_objects as go
import streamlit as st

from ui import state
from ui.i18n import language

FIGURES_KEPT = 512  # figures kept by the server, least recently used dropped (each well under 1 MB)


@st.cache_resource(max_entries=FIGURES_KEPT, show_spinner=False)
def _shared_figure(chart: str, settings: tuple[Hashable, ...], _build: Callable[[], go.Figure]) -> go.Figure:
    return _build()


def shared_chart(where, chart: str, settings: tuple[Hashable, ...], build: Callable[[], go.Figure]) -> None:
    """Draw ``build()``'s figure in ``where`` under the element key ``chart``, building it once per server.

    ``settings`` must name everything the figure depends on besides the data source of the page's
    corpus (``ui.data`` records it) and the language, which are added here: two calls with equal
    settings get the same figure.
    """
    figure = _shared_figure(chart, (st.session_state.get(state.SHOWN_SOURCE), language(), *settings), build)
    where.plotly_chart(figure, key=chart)
