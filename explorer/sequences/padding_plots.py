"""Figures of padded sequences: one review as a grid of tokens, and a batch as a heatmap."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from explorer import palette
from explorer.i18n import translate
from explorer.sequences.padding import token_categories

GRID_COLUMNS = 20  # tokens per grid row, as in the book's printouts of train_seq[0]
NARROW_GRID_COLUMNS = 10  # for a grid drawn in a narrow column beside another
CATEGORY_COLOURS = (palette.PAD, palette.INK, palette.HIGHLIGHT, palette.POSITIVE)  # pad, start, OOV, kept word
FADED_COLOURS = ("#f8f9fa", "#c9d3d6", "#fbe0c8", "#c4e6e2")  # the same, for dropped tokens
CELL_HEIGHT = 34  # pixels per grid row: room for the id and the word under it
WORD_CHARACTERS = 8  # longer words are cut so the grid stays readable


def _discrete_scale(colours: tuple[str, ...]) -> list[list[float | str]]:
    """A plotly colour scale that maps 0, 1, 2, 3 to the four colours exactly."""
    steps = len(colours)
    return [[bound, colour] for i, colour in enumerate(colours) for bound in (i / steps, (i + 1) / steps)]


def token_grid(
    ids: np.ndarray, words: list[str], title: str, faded: bool = False, columns: int = GRID_COLUMNS
) -> go.Figure:
    """Tokens as coloured cells in rows of ``columns``: the id, and under it the word."""
    count = max(len(ids), 1)
    rows = -(-count // columns)
    cells = np.full(rows * columns, np.nan)
    cells[: len(ids)] = token_categories(ids)
    labels = np.full(rows * columns, "", dtype=object)
    cut_words = (word[:WORD_CHARACTERS] for word in words)
    labels[: len(ids)] = [f"{token}<br>{word}" for token, word in zip(ids.tolist(), cut_words, strict=True)]
    figure = go.Figure(
        go.Heatmap(
            z=cells.reshape(rows, columns),
            text=labels.reshape(rows, columns),
            texttemplate="%{text}",
            textfont_size=9,
            colorscale=_discrete_scale(FADED_COLOURS if faded else CATEGORY_COLOURS),
            zmin=0,
            zmax=4,
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


def category_legend(language: str) -> str:
    """Markdown legend of the grid's colours."""
    names = ("padding.pad", "padding.start", "padding.oov", "padding.word_kept")
    text_colours = ("#212529", "#ffffff", "#212529", "#ffffff")
    return " ".join(
        f'<span style="background:{c};color:{tc};padding:2px 8px;border-radius:4px">{translate(language, n)}</span>'
        for c, tc, n in zip(CATEGORY_COLOURS, text_colours, names, strict=True)
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
