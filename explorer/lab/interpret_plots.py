"""Pictures of the "why did it say that?" page: coloured review text, top tokens, memory curves, unit heat maps."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from explorer.i18n import translate
from explorer.lab.attribution import ReviewWindow
from explorer.lab.memory_distance import MemoryProfile

POSITIVE_RGB = (33, 102, 172)  # blue: pushes towards "positive" (the RdBu end the other pages use)
NEGATIVE_RGB = (178, 24, 43)  # red: pushes towards "negative"
GREY = "#9e9e9e"  # padding and the part maxlen cut off
STRONGEST_OPACITY = 0.85  # the strongest token's background; weaker ones fade towards white
PADDING_COLOURS = {"pre": "#264653", "post": "#e76f51"}
HEATMAP_ROW_HEIGHT = 22  # pixels per unit in the unit × word heat map
HEATMAP_MARGIN = 150  # pixels for the word labels and the title around the heat map
CELL_MARKER_SIZE = 18  # pixels of the invisible click targets on the heat map's cells


def attribution_html(
    words: Sequence[str], window: ReviewWindow, scores: np.ndarray, language: str, padding: str
) -> str:
    """The review as text, each token's background blue (up) or red (down) by its score; the padding
    (one grey chip) and the truncated words (grey, struck through) where the model would have had them.

    ``words[i]`` is the text of the review's token i (the start marker included). Every word is escaped.
    """
    limit = float(np.abs(scores).max()) or 1.0
    shown = []
    for position in np.flatnonzero(window.source >= 0):
        value = float(scores[position])
        red, green, blue = POSITIVE_RGB if value >= 0 else NEGATIVE_RGB
        alpha = STRONGEST_OPACITY * abs(value) / limit
        colour = "#fff" if alpha > STRONGEST_OPACITY / 2 else "#000"
        shown.append(
            f'<span title="{value:+.4f}" style="background:rgba({red},{green},{blue},{alpha:.2f});color:{colour};'
            f'border-radius:3px;padding:0 2px">{html.escape(words[window.source[position]])}</span>'
        )
    pads = int((window.source < 0).sum())
    pad_chip = (
        f'<span style="background:#eee;color:{GREY};border-radius:3px;padding:0 4px">'
        f"{html.escape(translate(language, 'why.padding_chip', count=pads))}</span>"
        if pads
        else ""
    )
    cut = " ".join(html.escape(words[i]) for i in window.truncated)
    cut_span = f'<span style="color:{GREY};text-decoration:line-through">{cut}</span>' if cut else ""
    cut_first = len(window.truncated) and window.truncated[0] == 0
    parts = [cut_span if cut_first else "", pad_chip if padding == "pre" else "", " ".join(shown)]
    parts += [pad_chip if padding == "post" else "", "" if cut_first else cut_span]
    return f'<div style="line-height:1.9;font-size:0.95rem">{" ".join(part for part in parts if part)}</div>'


def top_tokens_figure(labels: Sequence[str], values: Sequence[float], language: str, value_title: str) -> go.Figure:
    """Horizontal bars of the strongest tokens, blue up and red down, strongest at the top."""
    colours = [f"rgb{POSITIVE_RGB}" if value >= 0 else f"rgb{NEGATIVE_RGB}" for value in values]
    shown = [html.escape(label) for label in labels]  # plotly reads <start> as a tag; entities show as text
    figure = go.Figure(go.Bar(x=list(values), y=shown, orientation="h", marker_color=colours))
    figure.update_layout(
        height=120 + 24 * len(labels),
        margin={"t": 30, "b": 40, "l": 10, "r": 10},
        xaxis_title=value_title,
        yaxis={"autorange": "reversed", "type": "category"},
        title=translate(language, "why.top_title"),
    )
    return figure


def memory_figure(profiles: Mapping[str, Mapping[str, MemoryProfile]], language: str) -> go.Figure:
    """One panel per run, side by side: mean ‖∂logit/∂x‖ by steps before the output (log scale), one line
    per padding side, and a dotted line where the median review ends under post padding."""
    names = list(profiles)
    figure = make_subplots(rows=1, cols=len(names), shared_yaxes=True, subplot_titles=names, horizontal_spacing=0.04)
    for column, name in enumerate(names, start=1):
        for side, profile in profiles[name].items():
            floor = np.finfo(np.float64).tiny  # a log axis cannot draw 0
            figure.add_trace(
                go.Scatter(
                    x=np.arange(len(profile.curve)),
                    y=np.maximum(profile.curve, floor),
                    mode="lines",
                    name=translate(language, f"why.padding_{side}"),
                    line={"color": PADDING_COLOURS[side], "width": 2},
                    legendgroup=side,
                    showlegend=column == 1,
                ),
                row=1,
                col=column,
            )
            if side == "post" and profile.median_gap > 0:
                figure.add_vline(x=profile.median_gap, line={"dash": "dot", "color": GREY}, row=1, col=column)
        figure.update_xaxes(title_text=translate(language, "why.axis_steps_back"), row=1, col=column)
    figure.update_yaxes(type="log", exponentformat="power", dtick=1)  # one tick per power of ten
    figure.update_yaxes(title_text=translate(language, "why.axis_sensitivity"), row=1, col=1)
    figure.update_layout(
        height=420, margin={"t": 50, "b": 40, "l": 60, "r": 10}, legend={"orientation": "h", "y": -0.2}
    )
    return figure


def unit_word_heatmap(responses: np.ndarray, units: Sequence[int], words: Sequence[str], language: str) -> go.Figure:
    """The clustered unit × word table (already in display order), with a click target on every cell.

    Plotly reports no selection on heat-map cells (streamlit/streamlit#8760), so an invisible marker sits
    on each cell; its ``customdata`` is (unit, value): the page reads the unit from the chart's selection.
    """
    limit = float(np.abs(responses).max()) or 1.0
    words = [html.escape(word) for word in words]
    unit_labels = [translate(language, "why.unit_label", unit=unit) for unit in units]
    figure = go.Figure(
        go.Heatmap(
            z=responses,
            x=list(words),
            y=unit_labels,
            colorscale="RdBu",
            zmid=0.0,
            zmin=-limit,
            zmax=limit,
            colorbar={"title": {"text": translate(language, "why.response_legend")}, "thickness": 12},
            hoverinfo="skip",  # the click targets on top carry the hover label (and the click)
        )
    )
    grid_x, grid_y = np.meshgrid(np.arange(len(words)), np.arange(len(units)))
    figure.add_trace(
        go.Scatter(
            x=np.asarray(words, dtype=object)[grid_x.ravel()],
            y=np.asarray(unit_labels, dtype=object)[grid_y.ravel()],
            customdata=np.column_stack([np.asarray(units)[grid_y.ravel()], responses.ravel()]),
            mode="markers",
            marker={"size": CELL_MARKER_SIZE, "symbol": "square", "opacity": 0},
            selected={"marker": {"opacity": 0}},
            unselected={"marker": {"opacity": 0}},
            hovertemplate=translate(language, "why.heat_hover") + "<extra></extra>",
            showlegend=False,
        )
    )
    figure.update_layout(
        height=HEATMAP_MARGIN + HEATMAP_ROW_HEIGHT * len(units),
        margin={"t": 30, "b": 90, "l": 10, "r": 10},
        xaxis={"tickangle": -45, "type": "category"},
        yaxis={"type": "category", "autorange": "reversed"},
    )
    return figure


def unit_activation_figure(values: np.ndarray, words: Sequence[str], unit: int, language: str) -> go.Figure:
    """One unit's value after each token of a review (padding left out), as bars coloured by sign."""
    colours = [f"rgb{POSITIVE_RGB}" if value >= 0 else f"rgb{NEGATIVE_RGB}" for value in values]
    words = [html.escape(word) for word in words]
    figure = go.Figure(
        go.Bar(
            x=np.arange(len(values)),
            y=values,
            marker_color=colours,
            customdata=np.asarray(words, dtype=object),
            hovertemplate="%{customdata}: %{y:.3f}<extra></extra>",
        )
    )
    figure.update_layout(
        height=300,
        margin={"t": 40, "b": 40, "l": 50, "r": 10},
        title=translate(language, "why.activation_title", unit=unit),
        xaxis_title=translate(language, "why.axis_token"),
        yaxis_title=translate(language, "why.axis_value"),
    )
    if len(words) <= 60:  # every token is written under its bar; beyond, hover only
        figure.update_xaxes(tickmode="array", tickvals=np.arange(len(words)), ticktext=list(words), tickangle=-60)
    return figure
