"""Figures of the training page: live curves, run overlays, confusion matrix, ROC, and where a run stands.

Every builder takes the UI language and returns a plotly figure; texts come from the
``training`` table of the string catalogues.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from explorer import palette
from explorer.i18n import translate
from explorer.training.view import Curves, smooth, user_stop_epoch

# Known test accuracies on IMDB (25,000 test reviews), for students to see where a small RNN stands.
TFIDF_LR_RANGE = (0.89, 0.90)  # TF-IDF of uni- and bigrams + logistic regression, as the lab page fits it
NBSVM_BIGRAM = 0.912  # Wang & Manning (2012), NBSVM with bigrams: 91.22%
CHANCE = 0.5  # the test set is balanced
TRAIN_COLOUR, VALIDATION_COLOUR, REFERENCE_COLOUR = "#1f77b4", "#d62728", "#7f7f7f"
FAINT_OPACITY = 0.3  # raw per-batch values under their smoothed line
HEIGHT = 380


def live_figure(curves: Curves, best: int | None, early_stop: int | None, smoothing: float, language: str) -> go.Figure:
    """Loss and accuracy side by side: per batch (raw and smoothed), per epoch, validation; marks.

    Marks: the best epoch, where early stopping ended the run, and the epoch a user's stop cut short.
    """

    def text(key: str, **values: object) -> str:
        return translate(language, f"training.{key}", **values)

    figure = make_subplots(rows=1, cols=2, subplot_titles=(text("loss"), text("accuracy")), horizontal_spacing=0.08)
    epoch_x = [row["epoch"] for row in curves.epochs]
    for column, (metric, batch_values) in enumerate(
        (("loss", curves.batch_loss), ("accuracy", curves.batch_accuracy)), 1
    ):
        first = column == 1
        if curves.batch_x:
            figure.add_scatter(
                x=curves.batch_x,
                y=batch_values,
                mode="lines",
                name=text("train_batch"),
                legendgroup="batch",
                line={"color": TRAIN_COLOUR, "width": 1},
                opacity=FAINT_OPACITY,
                showlegend=first,
                row=1,
                col=column,
            )
            figure.add_scatter(
                x=curves.batch_x,
                y=smooth(batch_values, smoothing),
                mode="lines",
                name=text("train_smoothed"),
                legendgroup="smoothed",
                line={"color": TRAIN_COLOUR, "width": 2},
                showlegend=first,
                row=1,
                col=column,
            )
        for name, key, colour, dash in (
            ("train_epoch", metric, TRAIN_COLOUR, "dot"),
            ("validation", f"val_{metric}", VALIDATION_COLOUR, "solid"),
        ):
            values = [row.get(key) for row in curves.epochs]
            figure.add_scatter(
                x=epoch_x,
                y=values,
                mode="lines+markers",
                name=text(name),
                legendgroup=name,
                line={"color": colour, "dash": dash},
                marker={"size": 7},
                showlegend=first,
                row=1,
                col=column,
            )
    for epoch, key, dash, colour, corner in (  # corners apart: the marks often fall on one epoch
        (best, "mark_best", "dash", palette.POSITIVE, "top left"),
        (early_stop, "mark_early_stop", "dot", palette.NEGATIVE, "top right"),
        (user_stop_epoch(curves.epochs), "mark_stopped", "dot", REFERENCE_COLOUR, "bottom left"),
    ):
        if epoch is not None:
            for column in (1, 2):
                figure.add_vline(
                    x=epoch,
                    line_dash=dash,
                    line_color=colour,
                    annotation_text=text(key, epoch=epoch) if column == 1 else "",
                    annotation_position=corner,
                    row=1,
                    col=column,
                )
    _accuracy_references(figure, language, row=1, col=2)
    figure.update_xaxes(title_text=text("epoch"), rangemode="tozero")
    figure.update_layout(
        height=HEIGHT, margin={"t": 40, "b": 40, "l": 40, "r": 10}, legend={"orientation": "h", "y": -0.2}
    )
    return figure


def _accuracy_references(figure: go.Figure, language: str, **position: Any) -> None:
    """The TF-IDF + LR band and the NBSVM line on an accuracy axis, named in the legend.

    Legend entries rather than annotations: the two lie 0.01 apart, so their labels would overlap.
    """
    figure.add_hrect(
        y0=TFIDF_LR_RANGE[0], y1=TFIDF_LR_RANGE[1], fillcolor=REFERENCE_COLOUR, opacity=0.2, line_width=0, **position
    )
    figure.add_hline(y=NBSVM_BIGRAM, line_dash="dash", line_color=REFERENCE_COLOUR, **position)
    for key, style in (
        (
            "reference_tfidf",
            {"mode": "markers", "marker": {"symbol": "square", "size": 12, "color": REFERENCE_COLOUR, "opacity": 0.4}},
        ),
        ("reference_nbsvm", {"mode": "lines", "line": {"dash": "dash", "color": REFERENCE_COLOUR}}),
    ):
        figure.add_scatter(x=[None], y=[None], name=translate(language, f"training.{key}"), **style, **position)


def overlay_figure(
    histories: dict[str, Sequence[dict[str, Any]]], metric: str, smoothing: float, language: str
) -> go.Figure:
    """One curve per run of a per-epoch ``metric`` (raw points faint, the smoothed line solid)."""
    figure = go.Figure()
    for number, (label, history) in enumerate(histories.items()):
        colour = qualitative.Plotly[number % len(qualitative.Plotly)]
        x = [row["epoch"] for row in history]
        y = [row.get(metric, float("nan")) for row in history]
        figure.add_scatter(
            x=x,
            y=y,
            mode="markers",
            marker={"color": colour, "size": 6},
            opacity=0.4,
            legendgroup=label,
            showlegend=False,
            hoverinfo="skip",
        )
        figure.add_scatter(
            x=x,
            y=smooth(y, smoothing) if y else [],
            mode="lines",
            line={"color": colour, "width": 2},
            name=label,
            legendgroup=label,
        )
    if metric.endswith("accuracy"):
        _accuracy_references(figure, language)
    figure.update_layout(
        height=HEIGHT,
        xaxis_title=translate(language, "training.epoch"),
        yaxis_title=translate(language, f"training.metric_{metric}"),
        margin={"t": 20, "b": 40, "l": 40, "r": 10},
        legend={"orientation": "h", "y": -0.25},
    )
    return figure


def confusion_figure(confusion: Sequence[Sequence[int]], language: str) -> go.Figure:
    """The 2 × 2 confusion matrix with counts and shares of all reviews."""
    names = [translate(language, "training.negative"), translate(language, "training.positive")]
    total = max(sum(sum(row) for row in confusion), 1)
    labels = [[f"{count:,}<br>{count / total:.1%}" for count in row] for row in confusion]
    figure = go.Figure(
        go.Heatmap(
            z=confusion, x=names, y=names, text=labels, texttemplate="%{text}", colorscale="Blues", showscale=False
        )
    )
    figure.update_layout(
        height=HEIGHT - 40,
        xaxis_title=translate(language, "training.predicted"),
        yaxis_title=translate(language, "training.actual"),
        yaxis_autorange="reversed",
        margin={"t": 20, "b": 40, "l": 40, "r": 10},
    )
    return figure


def roc_figure(
    fpr: Sequence[float], tpr: Sequence[float], auc: float | None, confusion: Sequence[Sequence[int]], language: str
) -> go.Figure:
    """The ROC curve, the chance diagonal, and the point the 0.5 threshold picks."""
    (true_negative, false_positive), (false_negative, true_positive) = confusion
    figure = go.Figure()
    figure.add_scatter(
        x=[0, 1],
        y=[0, 1],
        mode="lines",
        line={"dash": "dash", "color": REFERENCE_COLOUR},
        name=translate(language, "training.chance"),
    )
    auc_text = "" if auc is None else f" (AUC {auc:.3f})"
    figure.add_scatter(
        x=list(fpr),
        y=list(tpr),
        mode="lines",
        line={"color": TRAIN_COLOUR, "width": 2},
        name=translate(language, "training.roc") + auc_text,
    )
    if true_negative + false_positive and true_positive + false_negative:
        point = (false_positive / (false_positive + true_negative), true_positive / (true_positive + false_negative))
        figure.add_scatter(
            x=[point[0]],
            y=[point[1]],
            mode="markers",
            marker={"size": 11, "color": VALIDATION_COLOUR},
            name=translate(language, "training.threshold_point"),
        )
    figure.update_layout(
        height=HEIGHT - 40,
        xaxis={"title": translate(language, "training.false_positive_rate"), "range": [0, 1]},
        yaxis={"title": translate(language, "training.true_positive_rate"), "range": [0, 1.02]},
        margin={"t": 20, "b": 40, "l": 40, "r": 10},
        legend={"x": 0.35, "y": 0.05},
    )
    return figure


def standing_figure(run_accuracy: float, language: str, measured_baseline: float | None = None) -> go.Figure:
    """A run's test accuracy as a bar beside the known results on IMDB and, if given, the baseline measured here."""
    references = {
        translate(language, "training.chance"): CHANCE,
        translate(language, "training.reference_tfidf"): sum(TFIDF_LR_RANGE) / 2,
        translate(language, "training.reference_nbsvm"): NBSVM_BIGRAM,
    }
    if measured_baseline is not None:
        references[translate(language, "training.baseline_measured")] = measured_baseline
    bars = {**references, translate(language, "training.this_run"): run_accuracy}
    ordered = sorted(bars.items(), key=lambda item: item[1])
    colours = [REFERENCE_COLOUR if name in references else TRAIN_COLOUR for name, _ in ordered]
    figure = go.Figure(
        go.Bar(
            x=[value for _, value in ordered],
            y=[name for name, _ in ordered],
            orientation="h",
            marker_color=colours,
            text=[f"{value:.3f}" for _, value in ordered],
            textposition="outside",
        )
    )
    figure.update_layout(
        height=60 + 40 * len(ordered),
        xaxis={"range": [0.4, 1.0], "title": translate(language, "training.test_accuracy")},
        margin={"t": 10, "b": 40, "l": 10, "r": 10},
    )
    return figure
