"""Every plotly chart of the app is drawn by ``draw_chart``; figures shared by every session of the server.

``draw_chart`` enlarges a chart's text in presenter view, per browser session, at draw time: the
figure it is given may be shared (below), so it draws a larger copy instead.

Building a plotly figure (validating every property) costs far more server CPU than sending it,
and a class asks for the same few figures again and again. ``shared_chart`` keeps each figure
per (chart, data source, language, settings) for the whole server, in ``st.cache_resource``
rather than ``st.cache_data``: unpickling a plotly figure would validate it all over again, and
``st.plotly_chart`` only reads the figure it is given. A shared figure is a ``SharedFigure``:
its plain form (``to_dict``), which ``st.plotly_chart`` asks for on every draw and plotly would
deep-copy and re-encode each time, is worked out once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import plotly.graph_objects as go
import streamlit as st

from explorer.palette import larger_text
from ui import state
from ui.i18n import language
from ui.presenter import PRESENTER_ZOOM, presenting

FIGURES_KEPT = 512  # figures kept by the server, least recently used dropped (each well under 1 MB)


def draw_chart(where, figure: go.Figure, key: str, **options):
    """Draw ``figure`` in ``where`` (``st`` or a container) under the element key ``key``.

    In presenter view its text is as much larger as the rest of the page's: the CSS zoom that
    enlarges the page is undone on charts (see ``ui.presenter``). ``options`` go to
    ``plotly_chart`` (``on_select``, ``selection_mode``, …); its return value is returned.
    """
    shown = larger_text(figure, PRESENTER_ZOOM) if presenting() else figure
    return where.plotly_chart(shown, key=key, **options)


class SharedFigure(go.Figure):
    """A figure nobody changes once it is built, so its plain form is computed once and then reused.

    ``draw_chart``'s presenter copy reads it (``go.Figure(figure)``) without changing it.
    """

    @classmethod
    def frozen(cls, figure: go.Figure) -> SharedFigure:
        """``figure`` itself, from now on a ``SharedFigure``.

        Its class is switched in place: making a new ``SharedFigure`` from it would validate every
        property all over again, the very cost shared figures are there to avoid.
        """
        plain = figure.to_dict()
        figure.__class__ = cls
        figure._plain = plain
        return figure

    def to_dict(self) -> dict:
        """The figure as plain data: the same dict on every call, to be read, never changed."""
        return self._plain


@st.cache_resource(max_entries=FIGURES_KEPT, show_spinner=False)
def _shared_figure(chart: str, settings: tuple[Hashable, ...], _build: Callable[[], go.Figure]) -> SharedFigure:
    return SharedFigure.frozen(_build())


def shared_chart(where, chart: str, settings: tuple[Hashable, ...], build: Callable[[], go.Figure]) -> None:
    """Draw ``build()``'s figure in ``where`` under the element key ``chart``, building it once per server.

    ``settings`` must name everything the figure depends on besides the data source of the page's
    corpus (``ui.data`` records it) and the language, which are added here: two calls with equal
    settings get the same figure.
    """
    figure = _shared_figure(chart, (st.session_state.get(state.SHOWN_SOURCE), language(), *settings), build)
    draw_chart(where, figure, chart)
