"""Figures of review lengths: a histogram by label and the cumulative share kept whole."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from explorer.i18n import translate

HISTOGRAM_BINS = 60  # enough to show the long right tail without jagged noise
LABEL_COLOURS = {1: "#2a9d8f", 0: "#e76f51"}  # positive teal, negative orange (colour-blind safe)
MAXLEN_COLOUR = "#264653"


def histogram_edges(lengths: np.ndarray, log_x: bool) -> np.ndarray:
    """Bin edges: equal widths, or equal widths on a log scale."""
    top = max(int(lengths.max()), 2)
    return np.geomspace(1, top + 1, HISTOGRAM_BINS + 1) if log_x else np.linspace(0, top + 1, HISTOGRAM_BINS + 1)


def length_histogram(lengths: np.ndarray, labels: np.ndarray, maxlen: int, log_x: bool, language: str) -> go.Figure:
    """Overlaid histograms of positive and negative review lengths, with a line at ``maxlen``.

    Bins are counted here and drawn as steps, so the figure is small and a log x axis gets
    log-spaced bins (plotly's own histogram bins linearly even on a log axis).
    """
    edges = histogram_edges(lengths, log_x)
    figure = go.Figure()
    for label in (1, 0):
        counts, _ = np.histogram(lengths[labels == label], edges)
        figure.add_scatter(
            x=edges,
            y=np.append(counts, counts[-1] if len(counts) else 0),
            line_shape="hv",
            fill="tozeroy",
            name=translate(language, "lengths.positive" if label else "lengths.negative"),
            line_color=LABEL_COLOURS[label],
            opacity=0.6,
        )
    figure.add_vline(
        x=maxlen,
        line_dash="dash",
        line_color=MAXLEN_COLOUR,
        annotation_text=f"maxlen = {maxlen}",
        annotation_position="top right",
    )
    figure.update_layout(
        xaxis_title=translate(language, "lengths.axis_length"),
        yaxis_title=translate(language, "lengths.axis_reviews"),
        xaxis_type="log" if log_x else "linear",
        legend_orientation="h",
        legend_y=1.1,
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
        marker_color="#e9c46a",
        text=[f"{kept:.1%}"],
        textposition="top left",
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
