"""Scatter plots of projected word vectors: colour = polarity, size = frequency, search highlighted.

The same three traces (all words, the searched word's neighbours, the searched word) make both
the still figure and every frame of the epoch animation, so plotly can morph one into the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from explorer import palette
from explorer.embeddings.projection import ProjectionSettings
from explorer.i18n import translate

COLOUR_SCALE = "RdBu"  # diverging: red = found in negative reviews, white = neutral, blue = positive
COLOUR_QUANTILE = 0.98  # the colour range spans 98% of words, so a few rare extremes cannot wash it out
MARKER_SIZES = (4.0, 16.0)  # smallest and largest dot in pixels, by log frequency
LABELLED_WORDS = 40  # the most frequent words carry a text label; every word has a hover label
SEARCH_COLOUR = palette.HIGHLIGHT
NEIGHBOUR_COLOUR = palette.INK
FRAME_MILLISECONDS = 600  # how long the animation shows each epoch
AXIS_MARGIN = 0.05  # empty space around the cloud, as a share of its extent
ANIMATION_BOTTOM_MARGIN = 140  # pixels below the plot for the epoch slider and play / pause buttons


@dataclass(frozen=True)
class WordPoints:
    """What is known about every plotted word, row by row: its text, polarity and frequency."""

    words: Sequence[str]
    polarity: np.ndarray
    frequency: np.ndarray


def axis_titles(settings: ProjectionSettings, explained_variance: np.ndarray, language: str) -> list[str]:
    """ "PC1 (23.4% of the variance)" for PCA, "t-SNE 1" / "UMAP 1" for the others."""
    if settings.method == "pca":
        return [
            translate(language, "embeddings.axis_pc", component=component, share=float(share))
            for component, share in zip(settings.components, explained_variance, strict=True)
        ]
    name = translate(language, f"embeddings.method_{settings.method}")
    return [f"{name} {axis + 1}" for axis in range(settings.dimensions)]


def marker_sizes(frequency: np.ndarray) -> np.ndarray:
    """Dot sizes growing with log frequency, from ``MARKER_SIZES[0]`` (rarest) to ``[1]`` (most frequent)."""
    scaled = np.log1p(np.asarray(frequency, dtype=np.float64))
    spread = scaled.max(initial=0.0) - scaled.min(initial=0.0)
    share = (scaled - scaled.min(initial=0.0)) / spread if spread > 0 else np.ones_like(scaled)
    return MARKER_SIZES[0] + share * (MARKER_SIZES[1] - MARKER_SIZES[0])


def colour_limit(polarity: np.ndarray) -> float:
    """Half-width of the symmetric colour range (0 stays white)."""
    magnitude = np.abs(np.asarray(polarity, dtype=np.float64))
    return float(np.quantile(magnitude, COLOUR_QUANTILE)) if len(magnitude) and magnitude.max() > 0 else 1.0


def _labelled(frequency: np.ndarray) -> np.ndarray:
    """True for the ``LABELLED_WORDS`` most frequent words."""
    chosen = np.zeros(len(frequency), dtype=bool)
    chosen[np.argsort(-np.asarray(frequency), kind="stable")[:LABELLED_WORDS]] = True
    return chosen


def _scatter(coordinates: np.ndarray, **style: object) -> go.Scatter | go.Scatter3d:
    axes = {"x": coordinates[:, 0], "y": coordinates[:, 1]}
    if coordinates.shape[1] == 3:
        return go.Scatter3d(**axes, z=coordinates[:, 2], **style)
    return go.Scatter(**axes, **style)


def _parts(searched: int | None, neighbours: Sequence[int]) -> list[list[int] | slice]:
    """Row selections of the three traces: every word, the neighbours, the searched word (maybe empty)."""
    return [slice(None), list(neighbours), [] if searched is None else [searched]]


def _away(offsets: np.ndarray) -> list[str]:
    """Plotly text positions pointing along each (dx, dy) offset: a label placed away from a point."""
    positions = []
    for dx, dy in np.asarray(offsets, dtype=np.float64).reshape(-1, 2):
        if abs(dx) > abs(dy):
            positions.append("middle right" if dx >= 0 else "middle left")
        else:
            positions.append("top center" if dy >= 0 else "bottom center")
    return positions


def label_positions(coordinates: np.ndarray, searched: int | None, neighbours: Sequence[int]) -> tuple[list, list]:
    """Text positions of the neighbours' labels and of the searched word's label, so none covers another.

    Hand-written (plotly has no label placement): each neighbour's label points away from the
    searched word, on the side the neighbour lies (in the first two coordinates), and the searched
    word's label goes to the side opposite the neighbours' average direction.
    """
    if searched is None or not len(neighbours):
        return ["bottom center"] * len(neighbours), ["top center"] * (searched is not None)
    offsets = coordinates[list(neighbours), :2] - coordinates[searched, :2]
    return _away(offsets), _away(-offsets.mean(axis=0))


def _traces(
    coordinates: np.ndarray, points: WordPoints, language: str, searched: int | None, neighbours: Sequence[int]
) -> list[go.Scatter | go.Scatter3d]:
    """All words (coloured, sized, hoverable), the neighbours (rings) and the searched word (a diamond)."""
    return [
        _cloud(coordinates, points, language, searched, neighbours),
        *_search_traces(coordinates, points.words, language, searched, neighbours),
    ]


def _cloud(
    coordinates: np.ndarray, points: WordPoints, language: str, searched: int | None, neighbours: Sequence[int]
) -> go.Scatter | go.Scatter3d:
    """Every word, coloured by polarity and sized by frequency; the most frequent ones labelled, except
    the searched word and its neighbours (their own traces label them, a second label would overlap)."""
    limit = colour_limit(points.polarity)
    words = np.asarray(points.words, dtype=object)
    labelled = _labelled(points.frequency)
    labelled[[*neighbours, *([] if searched is None else [searched])]] = False
    return _scatter(
        coordinates,
        mode="markers+text",
        text=np.where(labelled, words, ""),
        textposition="top center",
        textfont={"size": 10, "color": "#555"},
        customdata=np.column_stack([words, points.polarity, points.frequency]),
        hovertemplate=translate(language, "embeddings.hover") + "<extra></extra>",
        marker={
            "color": points.polarity,
            "colorscale": COLOUR_SCALE,
            "cmin": -limit,
            "cmax": limit,
            "cmid": 0.0,
            "size": marker_sizes(points.frequency),
            "opacity": 0.8,
            "line": {"width": 0},
            "colorbar": {"title": {"text": translate(language, "embeddings.colour_legend")}, "thickness": 14},
        },
        name=translate(language, "embeddings.legend_words"),
        showlegend=False,
    )


def _search_traces(
    coordinates: np.ndarray, words: Sequence[str], language: str, searched: int | None, neighbours: Sequence[int]
) -> list[go.Scatter | go.Scatter3d]:
    """The neighbours (rings, labels pointing away from the searched word) and the searched word (a diamond)."""
    words = np.asarray(words, dtype=object)
    _, near, chosen = _parts(searched, neighbours)
    near_positions, chosen_positions = label_positions(coordinates, searched, neighbours)
    neighbour_trace = _scatter(
        coordinates[near],
        mode="markers+text",
        text=words[near],
        textposition=near_positions,
        textfont={"color": NEIGHBOUR_COLOUR, "size": 12},
        marker={"symbol": "circle-open", "size": 14, "color": NEIGHBOUR_COLOUR, "line": {"width": 2}},
        name=translate(language, "embeddings.legend_neighbours"),
        hoverinfo="text",
    )
    search_trace = _scatter(
        coordinates[chosen],
        mode="markers+text",
        text=words[chosen],
        textposition=chosen_positions,
        textfont={"color": "#000", "size": 14},
        marker={"symbol": "diamond", "size": 16, "color": SEARCH_COLOUR, "line": {"width": 1, "color": "#000"}},
        name=translate(language, "embeddings.legend_searched"),
        hoverinfo="text",
    )
    return [neighbour_trace, search_trace]


def _moved(coordinates: np.ndarray, searched: int | None, neighbours: Sequence[int]) -> list[go.Scatter | go.Scatter3d]:
    """Only the new positions of the three traces and of the search labels (a frame inherits the rest)."""
    cloud, near, chosen = (_scatter(coordinates[rows]) for rows in _parts(searched, neighbours))
    near_positions, chosen_positions = label_positions(coordinates, searched, neighbours)
    near.update(textposition=near_positions)
    chosen.update(textposition=chosen_positions)
    return [cloud, near, chosen]


def _layout(figure: go.Figure, axis_titles: Sequence[str], ranges: np.ndarray | None = None) -> None:
    """Axis titles (and fixed ranges when animating), legend on top, equal height for 2-D and 3-D."""
    names = ("xaxis", "yaxis", "zaxis")[: len(axis_titles)]
    axes = {name: {"title": {"text": title}} for name, title in zip(names, axis_titles, strict=True)}
    if ranges is not None:
        for name, (low, high) in zip(names, ranges, strict=True):
            axes[name]["range"] = [float(low), float(high)]
    if len(axis_titles) == 3:
        figure.update_layout(scene={**axes, "aspectmode": "cube"} if ranges is not None else axes)
    else:
        figure.update_layout(**axes)
    figure.update_layout(
        height=620, margin={"t": 40, "b": 40, "l": 40, "r": 20}, legend={"orientation": "h", "y": 1.06}
    )


def projection_figure(
    coordinates: np.ndarray,
    points: WordPoints,
    axis_titles: Sequence[str],
    language: str,
    searched: int | None = None,
    neighbours: Sequence[int] = (),
    neighbours_legend: str = "embeddings.legend_neighbours",
) -> go.Figure:
    """A 2-D or 3-D scatter (by the number of columns of ``coordinates``) of every word; the ringed
    ``neighbours`` are named in the legend by the catalogue key ``neighbours_legend``."""
    _check(coordinates, points, axis_titles)
    figure = go.Figure(_traces(coordinates, points, language, searched, neighbours))
    figure.update_traces(name=translate(language, neighbours_legend), selector=1)
    _layout(figure, axis_titles)
    return figure


def animated_figure(
    frames: Sequence[np.ndarray],
    epochs: Sequence[int],
    points: WordPoints,
    axis_titles: Sequence[str],
    language: str,
    searched: int | None = None,
    neighbours: Sequence[int] = (),
) -> go.Figure:
    """The projection played from the first epoch to the last, with a slider and play/pause buttons.

    ``frames`` must already be aligned (see ``explorer.embeddings.projection``); axes stay fixed so that a
    word moving on screen is a vector moving in training.
    """
    if not frames or len(frames) != len(epochs):
        raise ValueError(f"{len(frames)} frames were given for {len(epochs)} epochs.")
    for frame in frames:
        _check(frame, points, axis_titles)
    names = [str(epoch) for epoch in epochs]
    figure = go.Figure(
        data=_traces(frames[-1], points, language, searched, neighbours),
        frames=[
            go.Frame(data=_moved(frame, searched, neighbours), traces=[0, 1, 2], name=name)
            for frame, name in zip(frames, names, strict=True)
        ],
    )
    _layout(figure, axis_titles, fixed_ranges(frames))
    figure.update_layout(
        margin={"b": ANIMATION_BOTTOM_MARGIN},
        updatemenus=[_play_buttons(language)],
        sliders=[_epoch_slider(names, language)],
    )
    return figure


def fixed_ranges(frames: Sequence[np.ndarray]) -> np.ndarray:
    """(low, high) per axis holding every frame with a margin, so the axes stay still while playing."""
    stacked = np.concatenate(frames)
    low, high = stacked.min(axis=0), stacked.max(axis=0)
    pad = (high - low) * AXIS_MARGIN + 1e-9
    return np.column_stack([low - pad, high + pad])


def _play_buttons(language: str) -> dict:
    """Play (from the shown epoch on) and Pause, left of the epoch slider."""
    play = {
        "frame": {"duration": FRAME_MILLISECONDS, "redraw": True},
        "fromcurrent": True,
        "transition": {"duration": FRAME_MILLISECONDS // 2},
    }
    stop = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate", "transition": {"duration": 0}}
    return {
        "type": "buttons",
        "direction": "left",
        "x": 0.0,
        "y": -0.2,
        "xanchor": "left",
        "yanchor": "top",
        "buttons": [
            {"label": translate(language, "embeddings.play"), "method": "animate", "args": [None, play]},
            {"label": translate(language, "embeddings.pause"), "method": "animate", "args": [[None], stop]},
        ],
    }


def _epoch_slider(names: Sequence[str], language: str) -> dict:
    """The plot's epoch slider (the page's only epoch control while animating), at the last epoch."""
    return {
        "active": len(names) - 1,
        "x": 0.28,
        "len": 0.72,
        "y": -0.12,
        "yanchor": "top",
        "currentvalue": {"prefix": f"{translate(language, 'embeddings.epoch')} ", "xanchor": "right"},
        "steps": [
            {
                "label": name,
                "method": "animate",
                "args": [[name], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}],
            }
            for name in names
        ],
    }


def _check(coordinates: np.ndarray, points: WordPoints, axis_titles: Sequence[str]) -> None:
    shape = np.shape(coordinates)
    if len(shape) != 2 or shape[1] not in (2, 3) or shape[1] != len(axis_titles):
        raise ValueError(f"Coordinates of shape {shape} do not fit {len(axis_titles)} axes of a 2-D or 3-D plot.")
    if not shape[0] == len(points.words) == len(points.polarity) == len(points.frequency):
        raise ValueError(f"{shape[0]} points were given for {len(points.words)} words.")
