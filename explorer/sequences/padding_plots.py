"""Figures of padded sequences: one review as a grid of tokens, and a batch as a heatmap."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from explorer import palette
from explorer.i18n import translate
from explorer.sequences.padding import collapse_padding, token_categories

GRID_COLUMNS = 20  # tokens per grid row, as in the book's printouts of train_seq[0]
NARROW_GRID_COLUMNS = 10  # for a grid drawn in a narrow column beside another
# pad, start, OOV (grey: an unknown word), kept word, the searched word
CATEGORY_COLOURS = (palette.PAD, palette.INK, palette.MUTED, palette.POSITIVE, palette.HIGHLIGHT)
FADED_COLOURS = ("#f8f9fa", "#c9d3d6", "#dde1e4", "#b3d4ea", "#fbe0c8")  # the same, paler, for dropped tokens
CELL_HEIGHT = 34  # pixels per grid row: room for the id and the word under it
WORD_CHARACTERS = 8  # longer words are cut so the grid stays readable


def _discrete_scale(colours: tuple[str, ...]) -> list[list[float | str]]:
    """A plotly colour scale that maps 0, 1, 2, ... to the colours exactly."""
    steps = len(colours)
    return [[bound, colour] for i, colour in enumerate(colours) for bound in (i / steps, (i + 1) / steps)]


def token_grid(
    ids: np.ndarray,
    words: list[str],
    title: str,
    faded: bool = False,
    columns: int = GRID_COLUMNS,
    searched_id: int | None = None,
) -> go.Figure:
    """Tokens as coloured cells in rows of ``columns``: the id, and under it the word.

    A run of padding longer than one grid row is drawn as a single cell, "0 ×880" (see
    ``collapse_padding``); ``searched_id``'s cells get their own colour.
    """
    cell_ids, counts = collapse_padding(ids, columns)
    firsts = np.cumsum(counts) - counts  # each cell's first position in ``ids``
    count = max(len(cell_ids), 1)
    rows = -(-count // columns)
    cells = np.full(rows * columns, np.nan)
    cells[: len(cell_ids)] = token_categories(cell_ids, searched_id)
    labels = np.full(rows * columns, "", dtype=object)
    labels[: len(cell_ids)] = [
        f"{token}<br>{words[first][:WORD_CHARACTERS]}" if run == 1 else f"{token} ×{run:,}<br>{words[first]}"
        for token, first, run in zip(cell_ids.tolist(), firsts.tolist(), counts.tolist(), strict=True)
    ]
    colours = FADED_COLOURS if faded else CATEGORY_COLOURS
    figure = go.Figure(
        go.Heatmap(
            z=cells.reshape(rows, columns),
            text=labels.reshape(rows, columns),
            texttemplate="%{text}",
            textfont_size=9,
            colorscale=_discrete_scale(colours),
            zmin=0,
            zmax=len(colours),
            showscale=False,
            xgap=2,
            ygap=2,
            hoverinfo="text",
        )
    )
    figure.update_yaxes(autorange="reversed", showticklabels=False)
    figure.update_xaxes(showticklabels=False)
    figure.update_layout(title=title, height=60 + CELL_HEIGHT * rows, margin=dict(t=40, b=5, l=5, r=5))
    return figure


def category_legend(language: str, searched: str | None = None) -> str:
    """HTML legend of the grid's colours (with the searched word's, when there is one)."""
    names = [translate(language, key) for key in ("padding.pad", "padding.start", "padding.oov", "padding.word_kept")]
    text_colours = ("#212529", "#ffffff", "#212529", "#ffffff", "#212529")  # dark or white, to read on each
    if searched is not None:
        names.append(html.escape(translate(language, "padding.word_searched", word=searched)))
    return " ".join(
        f'<span style="background:{c};color:{tc};padding:2px 8px;border-radius:4px">{n}</span>'
        for c, tc, n in zip(CATEGORY_COLOURS, text_colours, names, strict=False)
    )


def batch_heatmap(padded: np.ndarray, language: str) -> go.Figure:
    """The first rows of a padded id matrix as a heatmap (zeros = padding stand out)."""
    figure = go.Figure(
        go.Heatmap(
            z=padded,
            colorscale="Viridis",
            colorbar_title="id",
            hovertemplate="row %{y}, position %{x}: id %{z}<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed", title=translate(language, "padding.batch_row"))
    figure.update_xaxes(title=translate(language, "padding.batch_position"))
    figure.update_layout(height=80 + 18 * len(padded), margin=dict(t=20, b=40))
    return figure
