"""Presenter view's larger chart text: every piece of a figure's text scaled, the figure itself untouched."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from explorer.palette import AXIS_TITLE, BODY_TEXT, CHART_TITLE, larger_text

SCALE = 1.5


def sample_figure() -> go.Figure:
    """Two subplots (their titles are annotations), a heatmap with a colour bar, bars with text, a legend."""
    figure = make_subplots(rows=1, cols=2, subplot_titles=("left", "right"))
    figure.add_trace(go.Heatmap(z=[[1, 2], [3, 4]], colorbar={"title": {"text": "h"}}), row=1, col=1)
    figure.add_trace(go.Bar(x=["a", "b"], y=[1, 2], text=["1", "2"], textfont_size=10, name="bars"), row=1, col=2)
    figure.add_trace(
        go.Scatter(x=[0, 1], y=[1, 0], name="line", marker={"color": [0, 1], "colorbar": {"title": {"text": "p"}}}),
        1,
        2,
    )
    figure.add_annotation(text="you are here", x=1, y=1, font={"size": 13})
    figure.add_annotation(text="note", x=0, y=0)
    figure.update_layout(title="chart", legend_title_text="runs", xaxis2_tickfont_size=20)
    figure.update_xaxes(title="words")
    return figure


def test_every_piece_of_text_is_scaled_from_the_size_it_is_drawn_at():
    larger = larger_text(sample_figure(), SCALE)
    layout = larger.layout
    assert layout.title.font.size == pytest.approx(CHART_TITLE * SCALE)
    assert layout.font.size == pytest.approx(BODY_TEXT * SCALE)
    assert layout.legend.font.size == layout.legend.title.font.size == pytest.approx(BODY_TEXT * SCALE)
    assert layout.hoverlabel.font.size == pytest.approx(BODY_TEXT * SCALE)
    assert [axis.tickfont.size for axis in larger.select_xaxes()] == pytest.approx([BODY_TEXT * SCALE, 20 * SCALE])
    assert [axis.tickfont.size for axis in larger.select_yaxes()] == pytest.approx([BODY_TEXT * SCALE] * 2)
    assert [axis.title.font.size for axis in larger.select_xaxes()] == pytest.approx([AXIS_TITLE * SCALE] * 2)
    assert all(axis.automargin for axis in (*larger.select_xaxes(), *larger.select_yaxes()))
    sizes = {annotation.text: annotation.font.size for annotation in layout.annotations}
    subplot_title = 16 * SCALE  # make_subplots sets its titles' size
    assert sizes == pytest.approx(
        {"left": subplot_title, "right": subplot_title, "you are here": 13 * SCALE, "note": BODY_TEXT * SCALE}
    )
    heatmap, bars, line = larger.data
    assert heatmap.colorbar.tickfont.size == pytest.approx(BODY_TEXT * SCALE)
    assert heatmap.colorbar.title.font.size == pytest.approx(AXIS_TITLE * SCALE)
    assert line.marker.colorbar.tickfont.size == pytest.approx(BODY_TEXT * SCALE)
    assert bars.textfont.size == pytest.approx(10 * SCALE)
    assert not bars.marker.colorbar.to_plotly_json()  # plotly would draw a colour bar it was given


def test_text_that_inherits_the_figures_font_is_scaled_from_it():
    figure = sample_figure().update_layout(font_size=18)
    larger = larger_text(figure, SCALE)
    assert larger.layout.font.size == pytest.approx(18 * SCALE)
    assert larger.layout.annotations[-1].font.size == pytest.approx(18 * SCALE)
    assert larger.data[0].colorbar.tickfont.size == pytest.approx(18 * SCALE)
    assert larger.layout.xaxis.tickfont.size == pytest.approx(BODY_TEXT * SCALE)  # the theme sets ticks itself


def test_the_figure_given_is_left_as_it_was():
    figure = sample_figure()
    before = figure.to_plotly_json()
    larger_text(figure, SCALE)
    assert figure.to_plotly_json() == before
