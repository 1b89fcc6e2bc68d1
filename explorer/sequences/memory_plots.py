"""Figures of memory: encodings compared on a log scale, a map of one-hot size, a one-hot image."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from explorer.i18n import translate

MAP_POINTS = 60  # grid points per axis of the size map
MAP_NUM_WORDS = (10, 20_000)
MAP_MAXLEN = (1, 1_000)


def human_bytes(count: float) -> str:
    """Decimal units, as the book counts them: 8,000,000 bytes = 8.0 MB."""
    units = ("B", "kB", "MB", "GB", "TB", "PB")
    exponent = min(int(np.log10(max(count, 1)) // 3), len(units) - 1)
    return f"{count:,.0f} B" if exponent == 0 else f"{count / 1000**exponent:,.1f} {units[exponent]}"


def memory_bars(sizes: dict[str, int], one_hot_keys: set[str], language: str) -> go.Figure:
    """Horizontal bars of ``{catalogue key: bytes}`` on a log axis, labelled in readable units.

    Whole one-hot arrays (``one_hot_keys``) are drawn in orange, everything else in teal.
    """
    names = [translate(language, key) for key in sizes]
    values = list(sizes.values())
    figure = go.Figure(
        go.Bar(
            x=values,
            y=names,
            orientation="h",
            text=[human_bytes(v) for v in values],
            textposition="outside",
            marker_color=["#e76f51" if key in one_hot_keys else "#2a9d8f" for key in sizes],
            cliponaxis=False,
        )
    )
    figure.update_xaxes(
        type="log",
        title=translate(language, "onehot.axis_bytes"),
        range=[np.log10(max(min(values), 1)) - 0.5, np.log10(max(values)) + 1.2],
    )
    figure.update_yaxes(autorange="reversed")
    figure.update_layout(height=90 + 42 * len(values), margin=dict(t=20, b=40, l=10, r=10))
    return figure


def one_hot_size_map(rows: int, num_words: int, maxlen: int, machine_bytes: int, language: str) -> go.Figure:
    """log10 of one-hot float32 bytes over (num_words, maxlen), with this machine's memory as a line."""
    words = np.geomspace(*MAP_NUM_WORDS, MAP_POINTS)
    lengths = np.geomspace(*MAP_MAXLEN, MAP_POINTS)
    size = np.log10(rows * 4.0 * np.outer(lengths, words))
    machine = np.log10(machine_bytes)
    figure = go.Figure(
        go.Contour(
            x=words,
            y=lengths,
            z=size,
            colorscale="YlOrRd",
            contours_coloring="heatmap",
            line_width=0,
            colorbar=dict(
                title="bytes", tickvals=list(range(3, 16, 2)), ticktext=[human_bytes(10**v) for v in range(3, 16, 2)]
            ),
            hovertemplate="num_words %{x:.0f}, maxlen %{y:.0f}: 10^%{z:.1f} bytes<extra></extra>",
        )
    )
    figure.add_contour(
        x=words,
        y=lengths,
        z=size,
        showscale=False,
        contours=dict(start=machine, end=machine, size=1, coloring="none", showlabels=True, labelfont_color="#264653"),
        line=dict(color="#264653", width=3, dash="dash"),
        hoverinfo="skip",
        name=translate(language, "onehot.machine_line", memory=human_bytes(machine_bytes)),
    )
    figure.add_scatter(
        x=[num_words],
        y=[maxlen],
        mode="markers+text",
        marker=dict(size=12, color="#264653", symbol="x"),
        text=[translate(language, "onehot.you_are_here")],
        textposition="top center",
        showlegend=False,
    )
    figure.update_xaxes(type="log", title="num_words")
    figure.update_yaxes(type="log", title="maxlen")
    figure.update_layout(
        height=420,
        margin=dict(t=30, b=40),
        title=translate(language, "onehot.machine_line", memory=human_bytes(machine_bytes)),
    )
    return figure


def one_hot_image(padded: np.ndarray, num_words: int, language: str) -> go.Figure:
    """One review's ``maxlen × num_words`` one-hot matrix: a dot for each 1, blank for each 0.

    Drawn as points rather than pixels so that a 1,000 × 20,000 matrix still renders.
    """
    positions = np.arange(len(padded))
    figure = go.Figure(
        go.Scattergl(
            x=padded,
            y=positions,
            mode="markers",
            marker=dict(size=4, color="#264653", symbol="square"),
            hovertemplate="position %{y}: id %{x}<extra></extra>",
        )
    )
    figure.update_xaxes(range=[-0.5, num_words - 0.5], title=translate(language, "onehot.image_x"), showgrid=False)
    figure.update_yaxes(range=[len(padded) - 0.5, -0.5], title=translate(language, "onehot.image_y"), showgrid=False)
    figure.update_layout(height=420, plot_bgcolor="#f8f9fa", margin=dict(t=20, b=40))
    return figure
