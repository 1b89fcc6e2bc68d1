"""The class board's chart: every listed run's accuracies against the reference lines."""

from __future__ import annotations

import plotly.graph_objects as go

from explorer.i18n import translate
from explorer.lesson.board import BoardRow

ROW_HEIGHT = 34  # pixels per run: names stay readable on a projector
ACCURACY_FLOOR = 0.5  # a coin toss: the x axis starts here so differences between runs show


def board_figure(rows: list[BoardRow], labels: list[str], references: dict[str, float], language: str) -> go.Figure:
    """Horizontal bars of validation accuracy (test accuracy as a diamond), best first, with
    a dashed line per reference (``{name: accuracy}``, e.g. the book's 0.79 and the TF-IDF baseline)."""
    figure = go.Figure()
    figure.add_bar(
        y=labels,
        x=[row.val_accuracy for row in rows],
        orientation="h",
        name=translate(language, "board.val_accuracy"),
    )
    tested = [(label, row.test_accuracy) for label, row in zip(labels, rows, strict=True) if row.test_accuracy]
    figure.add_scatter(
        y=[label for label, _ in tested],
        x=[accuracy for _, accuracy in tested],
        mode="markers",
        marker={"symbol": "diamond", "size": 12, "color": "black"},
        name=translate(language, "board.test_accuracy"),
    )
    for name, accuracy in references.items():
        figure.add_vline(x=accuracy, line_dash="dash", annotation_text=f"{name} {accuracy:.3f}")
    lowest = min([ACCURACY_FLOOR, *(row.val_accuracy for row in rows), *references.values()])
    figure.update_layout(
        height=120 + ROW_HEIGHT * max(len(rows), 1),
        xaxis={"title": translate(language, "board.accuracy"), "range": [lowest - 0.01, 1.0]},
        yaxis={"autorange": "reversed"},
        margin={"t": 60, "b": 40},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    )
    return figure
