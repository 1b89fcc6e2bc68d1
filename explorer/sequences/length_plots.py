"""Figures of review lengths: a histogram by label and the cumulative share kept whole."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from explorer import palette
from explorer.i18n import translate

HISTOGRAM_BINS = 60  # enough to show the long right tail without jagged noise
# The negative outline is dashed as well, so the two labels never depend on hue alone.
LABEL_DASHES = {1: "solid", 0: "dash"}
MAXLEN_COLOUR = palette.INK
CUT_FILL = "rgba(120, 120, 120, 0.18)"  # the lengths maxlen cuts: a grey wash over the histogram
HEADROOM = 1.12  # the y axis runs this far above the tallest bin, room for the maxlen label


def histogram_edges(lengths: np.ndarray, log_x: bool) -> np.ndarray:
    """Bin edges from the shortest to the longest review: equal widths, or equal on a log scale.

    Log bins start at the shortest review, not at 1: below it they would be empty (and the
    integer lengths would leave gaps between bins narrower than one token).
    """
    low, top = max(int(lengths.min()), 1), max(int(lengths.max()), 2)
    return np.geomspace(low, top + 1, HISTOGRAM_BINS + 1) if log_x else np.linspace(0, top + 1, HISTOGRAM_BINS + 1)


def length_histogram(lengths: np.ndarray, labels: np.ndarray, maxlen: int, log_x: bool, language: str) -> go.Figure:
    """Histograms of positive and negative review lengths, the lengths beyond ``maxlen`` shaded as cut.

    Bins are counted here and drawn as steps, so the figure is small and a log x axis gets
    log-spaced bins (plotly's own histogram bins linearly even on a log axis). The maxlen line
    and the cut region are traces, not shapes and annotations, so they sit at data coordinates
    on a log axis too (an annotation there takes log10 of its position: maxlen 100 went to 10^100).
    """
    edges = histogram_edges(lengths, log_x)
    right = max(edges[-1], maxlen + 1)
    figure = go.Figure()
    tallest = 1
    for label in (1, 0):
        counts, _ = np.histogram(lengths[labels == label], edges)
        tallest = max(tallest, int(counts.max()) if len(counts) else 0)
        figure.add_scatter(
            x=edges,
            y=np.append(counts, counts[-1] if len(counts) else 0),
            line_shape="hv",
            fill="tozeroy",
            name=translate(language, "lengths.positive" if label else "lengths.negative"),
            line=dict(color=palette.LABEL_COLOURS[label], dash=LABEL_DASHES[label], width=2),
            opacity=0.55,
        )
    top = tallest * HEADROOM
    if lengths.max() > maxlen:  # some reviews are cut
        figure.add_scatter(
            x=[maxlen, right, right, maxlen, maxlen],
            y=[0, 0, top, top, 0],
            fill="toself",
            fillcolor=CUT_FILL,
            line_width=0,
            mode="lines",
            hoverinfo="skip",
            name=translate(language, "lengths.cut_region", maxlen=maxlen),
        )
    figure.add_scatter(
        x=[maxlen, maxlen],
        y=[0, top],
        mode="lines+text",
        line=dict(color=MAXLEN_COLOUR, dash="dot", width=2),
        text=["", f"maxlen = {maxlen}"],
        textposition="bottom right",
        textfont_color=MAXLEN_COLOUR,
        hoverinfo="skip",
        showlegend=False,
    )
    low = edges[0]
    figure.update_layout(
        xaxis_title=translate(language, "lengths.axis_length"),
        yaxis_title=translate(language, "lengths.axis_reviews"),
        xaxis_type="log" if log_x else "linear",
        xaxis_range=[np.log10(low), np.log10(right)] if log_x else [low, right],
        yaxis_range=[0, top],
        legend_orientation="h",
        legend_y=1.12,
        margin=dict(t=40, b=40),
        height=380,
    )
    return figure


def cumulative_curve(lengths: np.ndarray, maxlen: int, language: str) -> go.Figure:
    """Share of reviews that fit whole in each ``maxlen``, with the current one marked."""
    ordered = np.sort(lengths)
    shares = np.arange(1, len(ordered) + 1) / len(ordered)
    step = max(1, len(ordered) // 2000)  # 2,000 points draw the curve exactly enough
    kept = float(np.mean(lengths <= maxlen))
    figure = go.Figure(
        go.Scatter(
            x=ordered[::step],
            y=shares[::step],
            mode="lines",
            line_color=MAXLEN_COLOUR,
            name=translate(language, "lengths.cumulative"),
        )
    )
    figure.add_scatter(
        x=[maxlen],
        y=[kept],
        mode="markers+text",
        marker_size=10,
        marker_color=palette.ACCENT,
        text=[f"{kept:.1%}"],
        textposition="bottom right",  # under the rising curve, never clipped at the y axis
        cliponaxis=False,
        showlegend=False,
    )
    figure.update_layout(
        xaxis_title="maxlen",
        yaxis_title=translate(language, "lengths.axis_whole"),
        yaxis_tickformat=".0%",
        margin=dict(t=20, b=40),
        height=320,
        showlegend=False,
    )
    return figure
