"""Figures of the text-to-numbers and inside-the-RNN lab: matrices, states, gates, paths, verdicts."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from explorer import palette
from explorer.i18n import translate
from explorer.lab.recurrent import ProjectedPaths

LABELLED_TICKS = 60  # up to this many tokens every one is written under the axis; beyond, every n-th
ROW_HEIGHT = 22  # pixels per heatmap row
WRITTEN_COLUMNS = 16  # up to this many columns the matrix values are written in the cells
MODE_PANEL_HEIGHT = 220  # pixels of one texts_to_matrix panel besides its rows (title, word labels)
MODE_PANEL_GAP = 130  # pixels between panel rows: room for the slanted word labels
GAPPED_COLUMNS = 200  # above this many columns a 1-pixel gap between cells would hide the cells
STATE_SCALE = "RdBu"  # diverging: tanh states and weights are signed, white is 0
GATE_SCALE = "Viridis"  # sequential: gates live in (0, 1)
NEUTRAL_COLOUR = palette.INK
TURNING_POINTS = 6  # the tokens with the largest jumps in P(positive) are written on the curve
STATE_RANGE = (-1.05, 1.05)  # tanh keeps every hidden state of these layers inside (-1, 1)


def _token_axis(figure: go.Figure, tokens: Sequence[str], row: int | None = None, col: int | None = None) -> None:
    """Write the words, not their positions, under an axis of steps: every one when there are at most
    ``LABELLED_TICKS``, else every n-th so that they stay readable (hover names each step)."""
    every = -(-len(tokens) // LABELLED_TICKS) or 1
    steps = list(range(0, len(tokens), every))
    figure.update_xaxes(
        tickvals=steps, ticktext=[html.escape(tokens[step]) for step in steps], tickangle=-60, row=row, col=col
    )


def matrix_heatmap(
    matrix: np.ndarray, row_labels: Sequence[str], column_labels: Sequence[str], value_name: str, language: str
) -> go.Figure:
    """A small matrix (one-hot rows, a document-term matrix) with its rows and columns named."""
    gap = 1 if matrix.shape[1] <= GAPPED_COLUMNS else 0
    figure = go.Figure(
        go.Heatmap(
            z=matrix,
            x=list(range(matrix.shape[1])),
            y=list(range(matrix.shape[0])),
            customdata=np.array([[f"{r} · {c}" for c in column_labels] for r in row_labels], dtype=object),
            colorscale="Blues",
            showscale=False,
            xgap=gap,
            ygap=1,
            hovertemplate="%{customdata}<br>" + value_name + " = %{z:.3g}<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed", tickvals=list(range(len(row_labels))), ticktext=list(row_labels))
    if len(column_labels) <= LABELLED_TICKS:
        figure.update_xaxes(tickvals=list(range(len(column_labels))), ticktext=list(column_labels), tickangle=-60)
    figure.update_xaxes(title=translate(language, "lab.axis_column"))
    figure.update_layout(height=120 + ROW_HEIGHT * len(row_labels), margin=dict(t=20, b=40))
    return figure


def matrix_modes_figure(
    matrices: dict[str, np.ndarray], document_labels: Sequence[str], column_labels: Sequence[str]
) -> go.Figure:
    """``texts_to_matrix`` in each mode on a grid of two columns, each with its own colour scale."""
    grid_rows = -(-len(matrices) // 2)
    height = grid_rows * (MODE_PANEL_HEIGHT + ROW_HEIGHT * len(document_labels))
    figure = make_subplots(
        rows=grid_rows, cols=2, subplot_titles=list(matrices), vertical_spacing=MODE_PANEL_GAP / height
    )
    hover = np.array([[f"{d} · {c}" for c in column_labels] for d in document_labels], dtype=object)
    for position, (mode, matrix) in enumerate(matrices.items()):
        row, col = position // 2 + 1, position % 2 + 1
        written = matrix.shape[1] <= WRITTEN_COLUMNS  # values fit inside the cells
        figure.add_heatmap(
            z=matrix,
            colorscale="Blues",
            showscale=False,
            xgap=1,
            ygap=1,
            customdata=hover,
            hovertemplate="%{customdata}<br>" + mode + " = %{z:.3g}<extra></extra>",
            text=[[f"{value:.2g}" if value else "" for value in row] for row in matrix] if written else None,
            texttemplate="%{text}" if written else None,
            textfont_size=10,
            row=row,
            col=col,
        )
        figure.update_yaxes(
            autorange="reversed",
            tickvals=list(range(len(document_labels))),
            ticktext=list(document_labels),
            row=row,
            col=col,
        )
        if len(column_labels) <= LABELLED_TICKS:
            figure.update_xaxes(
                tickvals=list(range(len(column_labels))), ticktext=list(column_labels), tickangle=-60, row=row, col=col
            )
    figure.update_layout(height=height, margin=dict(t=40, b=40))
    return figure


def collision_curve(
    dimensions: np.ndarray, rates: np.ndarray, expected: np.ndarray, chosen_dimension: int, language: str
) -> go.Figure:
    """Share of the vocabulary that collides, against the hashing dimension (log x), with the ideal curve."""
    figure = go.Figure()
    figure.add_scatter(
        x=dimensions,
        y=rates,
        mode="lines+markers",
        name=translate(language, "lab.collisions_measured"),
        line_color=NEUTRAL_COLOUR,
    )
    figure.add_scatter(
        x=dimensions,
        y=expected,
        mode="lines",
        line_dash="dot",
        line_color=palette.ACCENT,
        name=translate(language, "lab.collisions_expected"),
    )
    figure.add_vline(
        x=chosen_dimension,
        line_dash="dash",
        line_color=palette.LABEL_COLOURS[0],
        annotation_text=f"d = {chosen_dimension:,}",
        annotation_position="top right",
    )
    figure.update_layout(
        xaxis_type="log",
        xaxis_title=translate(language, "lab.axis_dimension"),
        yaxis_tickformat=".0%",
        yaxis_title=translate(language, "lab.axis_colliding"),
        legend_orientation="h",
        legend_y=1.12,
        height=340,
        margin=dict(t=40, b=40),
    )
    return figure


def hashed_columns(words: Sequence[str], columns: Sequence[int], dimension: int, language: str) -> go.Figure:
    """Where each word lands among ``dimension`` columns: one row per word, a mark at its column.

    This is the hashed one-hot matrix drawn sparsely (it stays readable for a million columns);
    marks in the same column, joined by a line, are collisions.
    """
    figure = go.Figure(
        go.Scatter(
            x=list(columns),
            y=list(range(len(words))),
            mode="markers",
            marker_size=10,
            marker_color=NEUTRAL_COLOUR,
            customdata=list(words),
            hovertemplate="%{customdata} → %{x}<extra></extra>",
        )
    )
    for column, count in Counter(columns).items():
        if count == 1:
            continue
        rows = [row for row, value in enumerate(columns) if value == column]
        figure.add_scatter(
            x=[column] * len(rows),
            y=rows,
            mode="lines+markers",
            line_color=palette.LABEL_COLOURS[0],
            marker_color=palette.LABEL_COLOURS[0],
            marker_size=10,
            showlegend=False,
            hoverinfo="skip",
        )
    figure.update_xaxes(range=[-0.5, dimension - 0.5], title=translate(language, "lab.axis_column"))
    figure.update_yaxes(autorange="reversed", tickvals=list(range(len(words))), ticktext=list(words))
    figure.update_layout(height=100 + ROW_HEIGHT * len(words), margin=dict(t=20, b=40), showlegend=False)
    return figure


def feature_bars(features: Sequence[tuple[str, float]], value_name: str) -> go.Figure:
    """Named values as horizontal bars, first on top: n-gram counts or signed baseline weights."""
    names = [name for name, _ in features]
    values = np.array([value for _, value in features], dtype=float)
    colours = [palette.LABEL_COLOURS[1] if value >= 0 else palette.LABEL_COLOURS[0] for value in values]
    figure = go.Figure(
        go.Bar(
            x=values,
            y=list(range(len(names))),
            orientation="h",
            marker_color=colours,
            customdata=names,
            hovertemplate="%{customdata}: %{x:.3g}<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed", tickvals=list(range(len(names))), ticktext=names)
    figure.update_layout(xaxis_title=value_name, height=80 + 18 * len(names), margin=dict(t=10, b=40))
    return figure


def state_heatmap(states: np.ndarray, tokens: Sequence[str], language: str) -> go.Figure:
    """The hidden state over the tokens: one column per step, one row per unit (tanh range, 0 white)."""
    figure = go.Figure(
        go.Heatmap(
            z=states.T,
            colorscale=STATE_SCALE,
            zmid=0,
            colorbar_title="h",
            customdata=np.tile(np.asarray(tokens, dtype=object), (states.shape[1], 1)),
            hovertemplate="%{customdata} (t = %{x})<br>unit %{y}: %{z:.3f}<extra></extra>",
        )
    )
    _token_axis(figure, tokens)
    figure.update_yaxes(title=translate(language, "lab.axis_unit"), autorange="reversed")
    figure.update_layout(height=140 + ROW_HEIGHT * states.shape[1], margin=dict(t=20, b=60))
    return figure


def gate_heatmaps(gates: dict[str, np.ndarray], tokens: Sequence[str], language: str) -> go.Figure:
    """Each gate's activations over the tokens, stacked; the cell state (unbounded) gets the signed scale."""
    figure = make_subplots(
        rows=len(gates),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.04,
        subplot_titles=[translate(language, f"lab.gate_{name}") for name in gates],
    )
    for row, (name, values) in enumerate(gates.items(), start=1):
        signed = name in ("candidate", "cell")
        figure.add_heatmap(
            z=values.T,
            colorscale=STATE_SCALE if signed else GATE_SCALE,
            zmid=0 if signed else None,
            zmin=None if signed else 0,
            zmax=None if signed else 1,
            showscale=row == 1,
            customdata=np.tile(np.asarray(tokens, dtype=object), (values.shape[1], 1)),
            hovertemplate="%{customdata} (t = %{x})<br>unit %{y}: %{z:.3f}<extra></extra>",
            row=row,
            col=1,
        )
        figure.update_yaxes(autorange="reversed", row=row, col=1)
    _token_axis(figure, tokens, row=len(gates), col=1)
    units = next(iter(gates.values())).shape[1] if gates else 0
    figure.update_layout(height=80 + len(gates) * (40 + ROW_HEIGHT * units), margin=dict(t=40, b=60))
    return figure


def state_paths(
    projected: ProjectedPaths, tokens: Sequence[Sequence[str]], labels: Sequence[int], names: Sequence[str]
) -> go.Figure:
    """Hidden-state paths in the plane of two principal components, one colour per review's label."""
    figure = go.Figure()
    for path, path_tokens, label, name in zip(projected.paths, tokens, labels, names, strict=False):
        colour = palette.LABEL_COLOURS.get(label, NEUTRAL_COLOUR)
        figure.add_scatter(
            x=path[:, 0],
            y=path[:, 1],
            mode="lines+markers",
            name=name,
            line_color=colour,
            marker_size=5,
            customdata=list(path_tokens),
            hovertemplate="%{customdata}<extra>" + name + "</extra>",
        )
        figure.add_scatter(
            x=path[-1:, 0],
            y=path[-1:, 1],
            mode="markers",
            marker_symbol="star",
            marker_size=16,
            marker_color=colour,
            showlegend=False,
            hoverinfo="skip",
        )
    ratio = projected.explained_variance_ratio
    titles = [f"PC{k + 1} ({ratio[k]:.0%})" if k < len(ratio) else f"PC{k + 1}" for k in range(2)]
    figure.update_layout(
        xaxis_title=titles[0],
        yaxis_title=titles[1],
        legend_orientation="h",
        legend_y=1.1,
        height=460,
        margin=dict(t=40, b=40),
    )
    return figure


def probability_curve(
    probabilities: np.ndarray, tokens: Sequence[str], language: str, current: int | None = None
) -> go.Figure:
    """P(positive) after each token, with the 0.5 boundary; the biggest jumps are labelled with their token,
    and the ``current`` step (the stepper's) is marked."""
    steps = np.arange(len(probabilities))
    colours = [palette.LABEL_COLOURS[int(p >= 0.5)] for p in probabilities]
    figure = go.Figure(
        go.Scatter(
            x=steps,
            y=probabilities,
            mode="lines+markers",
            line_color=NEUTRAL_COLOUR,
            marker_color=colours,
            marker_size=6,
            customdata=list(tokens),
            hovertemplate="%{customdata} (t = %{x}): %{y:.3f}<extra></extra>",
            name=translate(language, "lab.probability"),
        )
    )
    figure.add_hline(y=0.5, line_dash="dash", line_color=palette.MUTED)
    jumps = np.abs(np.diff(probabilities, prepend=probabilities[:1]))  # how far each token moved the verdict
    for step in np.argsort(jumps)[::-1][:TURNING_POINTS]:
        if jumps[step] > 0:
            figure.add_annotation(
                x=int(step), y=float(probabilities[step]), text=tokens[step], showarrow=True, arrowhead=0, ay=-28
            )
    if current is not None:
        figure.add_vline(x=current, line_color=palette.HIGHLIGHT, line_width=3)
    _token_axis(figure, tokens)
    figure.update_layout(
        yaxis_range=[0, 1],
        yaxis_title=translate(language, "lab.probability"),
        height=360,
        margin=dict(t=20, b=60),
        showlegend=False,
    )
    return figure


def state_bars(state: np.ndarray, word: str, language: str) -> go.Figure:
    """One hidden state (after reading ``word``) as a bar per unit, on the fixed tanh range."""
    figure = go.Figure(
        go.Bar(
            x=list(range(len(state))),
            y=state,
            marker_color=[palette.LABEL_COLOURS[int(value >= 0)] for value in state],
            hovertemplate="unit %{x}: %{y:.3f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=translate(language, "lab.state_after", word=html.escape(word)),  # "<pad>" is text, not a tag
        xaxis_title=translate(language, "lab.axis_unit"),
        yaxis_range=list(STATE_RANGE),
        yaxis_title="h",
        height=300,
        margin=dict(t=40, b=40),
    )
    return figure
