"""Figures of memory: encodings compared on a log scale, a map of one-hot size, a one-hot image."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from explorer import palette
from explorer.i18n import translate

MAP_POINTS = 60  # grid points per axis of the size map
MAP_NUM_WORDS = (10, 20_000)
MAP_MAXLEN = (1, 1_000)


def human_bytes(count: float) -> str:
    """Decimal units, as the book counts them: 8,000,000 bytes = 8.0 MB."""
    units = ("B", "kB", "MB", "GB", "TB", "PB")
    exponent = min(int(np.log10(max(count, 1)) // 3), len(units) - 1)
    return f"{count:,.0f} B" if exponent == 0 else f"{count / 1000**exponent:,.1f} {units[exponent]}"


def ratio_text(ratio: float) -> str:
    """A size ratio as a number: whole from 10 on ("500", "1,000"), two significant digits below ("0.5")."""
    return f"{ratio:,.0f}" if ratio >= 10 else f"{ratio:.2g}"


def memory_bars(
    sizes: dict[str, int], one_hot_keys: set[str], reference_key: str, log_x: bool, language: str
) -> go.Figure:
    """Horizontal bars of ``{catalogue key: bytes}``, each labelled with its size and its ratio to the reference.

    A log axis shows the small encodings but makes 500 times look like a few bar lengths; a
    linear axis shows the true proportions. The ratio written on every bar keeps the log view
    honest. Whole one-hot arrays (``one_hot_keys``) are drawn in the one-hot colour, everything else in the ids'.
    """
    names = [translate(language, key) for key in sizes]
    values = list(sizes.values())
    reference = sizes[reference_key]
    labels = [
        translate(language, "onehot.bar_label", size=human_bytes(value), ratio=ratio_text(value / reference))
        for value in values
    ]
    figure = go.Figure(
        go.Bar(
            x=values,
            y=names,
            orientation="h",
            text=labels,
            textposition="outside",
            marker_color=[palette.NEGATIVE if key in one_hot_keys else palette.POSITIVE for key in sizes],
            cliponaxis=False,
        )
    )
    if log_x:
        figure.update_xaxes(
            type="log",
            title=translate(language, "onehot.axis_bytes"),
            range=[np.log10(max(min(values), 1)) - 0.5, np.log10(max(values)) + 1.2],
        )
    else:  # room on the right for the longest bar's label
        figure.update_xaxes(title=translate(language, "onehot.axis_bytes_linear"), range=[0, max(values) * 1.45])
    # SI prefixes with a B: "4GB", never plotly's default "4B" (billion) that reads as four bytes
    figure.update_xaxes(tickformat="~s", ticksuffix="B")
    figure.update_yaxes(autorange="reversed")
    figure.update_layout(height=90 + 42 * len(values), margin=dict(t=20, b=40, l=10, r=10))
    return figure


def one_hot_size_map(rows: int, num_words: int, maxlen: int, machine_bytes: int, language: str) -> go.Figure:
    """log10 of one-hot float32 bytes over (num_words, maxlen), with this machine's memory as a line.

    The machine's line is a legend entry below the plot (a contour label would print its raw
    log10, and a legend at the top right covers the colour bar's title); the current settings
    are a marker with a boxed label that stays readable on the dark colours.
    """
    words = np.geomspace(*MAP_NUM_WORDS, MAP_POINTS)
    lengths = np.geomspace(*MAP_MAXLEN, MAP_POINTS)
    bytes_grid = rows * 4.0 * np.outer(lengths, words)
    size = np.log10(bytes_grid)
    machine = np.log10(machine_bytes)
    ticks = list(range(3, 16, 2))
    figure = go.Figure(
        go.Contour(
            x=words,
            y=lengths,
            z=size,
            text=np.vectorize(human_bytes)(bytes_grid),
            colorscale="YlOrRd",
            contours_coloring="heatmap",
            line_width=0,
            colorbar=dict(
                title=translate(language, "onehot.colour_bytes"),
                tickvals=ticks,
                ticktext=[human_bytes(10**v) for v in ticks],
            ),
            hovertemplate="num_words %{x:,.0f}, maxlen %{y:,.0f}: %{text}<extra></extra>",
            showlegend=False,
        )
    )
    figure.add_contour(
        x=words,
        y=lengths,
        z=size,
        showscale=False,
        contours=dict(start=machine, end=machine, size=1, coloring="none", showlabels=False),
        line=dict(color=palette.INK, width=3, dash="dash"),
        hoverinfo="skip",
        name=translate(language, "onehot.machine_line", memory=human_bytes(machine_bytes)),
        showlegend=True,
    )
    _mark_current_settings(figure, num_words, maxlen, language)
    figure.update_xaxes(type="log", title="num_words")
    figure.update_yaxes(type="log", title="maxlen")
    figure.update_layout(
        height=460,
        margin=dict(t=20, b=40),
        legend=dict(orientation="h", x=0, y=-0.18, yanchor="top"),
    )
    return figure


def _mark_current_settings(figure: go.Figure, num_words: int, maxlen: int, language: str) -> None:
    """A cross at the sidebar's settings with a boxed "you are here" label above it."""
    figure.add_scatter(
        x=[num_words],
        y=[maxlen],
        mode="markers",
        marker=dict(size=14, color=palette.INK, symbol="x", line=dict(color="white", width=2)),
        hoverinfo="skip",
        showlegend=False,
    )
    figure.add_annotation(  # on log axes an annotation's position is given in log10
        x=np.log10(num_words),
        y=np.log10(maxlen),
        text=translate(language, "onehot.you_are_here"),
        showarrow=True,
        arrowhead=2,
        ax=0,
        ay=-34,
        bgcolor="white",
        bordercolor=palette.INK,
        borderpad=3,
        font=dict(color=palette.INK, size=13),
    )


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
            marker=dict(size=4, color=palette.INK, symbol="square"),
            hovertemplate="position %{y}: id %{x}<extra></extra>",
        )
    )
    figure.update_xaxes(range=[-0.5, num_words - 0.5], title=translate(language, "onehot.image_x"), showgrid=False)
    figure.update_yaxes(range=[len(padded) - 0.5, -0.5], title=translate(language, "onehot.image_y"), showgrid=False)
    figure.update_layout(height=420, plot_bgcolor=palette.PAPER, margin=dict(t=20, b=40))
    return figure
