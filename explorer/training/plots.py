"""Figures of the training page: live curves, run overlays, confusion matrix, ROC, and where a run stands.

Every builder takes the UI language and returns a plotly figure; texts come from the
``training`` table of the string catalogues.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go
from plotly.colors import qualitative

from explorer import palette
from explorer.book import BOOK_VAL_ACCURACY
from explorer.i18n import translate
from explorer.training.view import Curves, smooth, user_stop_epoch

# Known test accuracies on IMDB (25,000 test reviews), for students to see where a small RNN stands.
TFIDF_LR_RANGE = (0.89, 0.90)  # TF-IDF of uni- and bigrams + logistic regression, as the lab page fits it
NBSVM_BIGRAM = 0.912  # Wang & Manning (2012), NBSVM with bigrams: 91.22%
CHANCE = 0.5  # the test set is balanced
CHANCE_LOSS = math.log(2)  # the cross-entropy of a coin flip: where every run's loss starts
TRAIN_COLOUR, VALIDATION_COLOUR, REFERENCE_COLOUR = "#1f77b4", "#d62728", "#7f7f7f"
BOOK_COLOUR = palette.INK  # the book's own result, a line students aim at
FAINT_OPACITY = 0.3  # raw per-batch values under their smoothed line
HEIGHT = 380
PANELS = (("loss", 1), ("accuracy", 2))  # the live figure's metrics and their columns
# The least a y axis spans: a loss moving by 0.0004 or an accuracy by 0.002 is noise, not learning.
MIN_SPAN = {"loss": 0.1, "accuracy": 0.1}
AXIS_MARGIN = 0.05  # room above and below the curves, as a share of their spread


def live_figure(curves: Curves, best: int | None, early_stop: int | None, smoothing: float, language: str) -> go.Figure:
    """Loss and accuracy side by side: per batch (raw and smoothed), per epoch, validation; marks.

    Marks: the best epoch, where early stopping ended the run, and the epoch a user's stop cut short.
    Each y axis is fitted to the curves (``fitted_range``), so neither the reference band nor the
    first batches' noise decides what the students see.

    The figure is redrawn every second for every student watching a run, so it is described as
    plain data and validated once by ``go.Figure``: ``make_subplots``, ``add_hline`` and friends
    validate the figure again at every step, which took five times as long.
    """

    def text(key: str, **values: object) -> str:
        return translate(language, f"training.{key}", **values)

    traces: list[dict[str, Any]] = []
    shown = {metric: _metric_traces(traces, curves, metric, column, smoothing, text) for metric, column in PANELS}
    accuracy_range = fitted_range([*shown["accuracy"], CHANCE, BOOK_VAL_ACCURACY], MIN_SPAN["accuracy"], (0.0, 1.0))
    marks = _marks(curves, best, early_stop, text)
    references = _accuracy_references(language, accuracy_range, axes=_AXES[2])
    traces += references.traces
    layout: dict[str, Any] = {
        "height": HEIGHT,
        "margin": {"t": 40, "b": 40, "l": 40, "r": 10},
        "legend": {"orientation": "h", "y": -0.2},
        "shapes": [*marks.shapes, *references.shapes],
        "annotations": [*_panel_titles((text("loss"), text("accuracy"))), *marks.annotations, *references.annotations],
    }
    for column, (x_axis, y_axis) in _AXES.items():
        x_name, y_name = x_axis.replace("x", "xaxis"), y_axis.replace("y", "yaxis")
        layout[x_name] = {"domain": _DOMAINS[column], "anchor": y_axis, "title": {"text": text("epoch")}}
        layout[x_name]["rangemode"] = "tozero"
        layout[y_name] = {"domain": [0.0, 1.0], "anchor": x_axis}
    # before the first point, the loss axis is set around where the curve will start
    layout["yaxis"]["range"] = fitted_range(shown["loss"] or [CHANCE_LOSS], MIN_SPAN["loss"], (0.0, None))
    layout["yaxis2"]["range"] = accuracy_range
    return go.Figure(data=traces, layout=layout)


# The live figure's two panels: each column's axes, and where they sit across the figure
# (what ``make_subplots(rows=1, cols=2, horizontal_spacing=0.08)`` lays out).
_AXES = {1: ("x", "y"), 2: ("x2", "y2")}
_DOMAINS = {1: [0.0, 0.46], 2: [0.54, 1.0]}
PANEL_TITLE_SIZE = 16  # what make_subplots gives its subplot titles


def _panel_titles(titles: Sequence[str]) -> list[dict[str, Any]]:
    """Each panel's title, centred above it."""
    return [
        {
            "text": title,
            "x": sum(_DOMAINS[column]) / 2,
            "y": 1.0,
            "xref": "paper",
            "yref": "paper",
            "xanchor": "center",
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": PANEL_TITLE_SIZE},
        }
        for column, title in zip(_AXES, titles, strict=True)
    ]


def _metric_traces(
    traces: list[dict[str, Any]], curves: Curves, metric: str, column: int, smoothing: float, text: Callable[..., str]
) -> list[float]:
    """Add one panel's curves to ``traces`` (per batch raw and smoothed, per epoch, validation); the values drawn."""
    first = column == 1  # one legend entry per curve, from the first panel
    x_axis, y_axis = _AXES[column]
    batch_values = curves.batch_loss if metric == "loss" else curves.batch_accuracy
    smoothed = list(smooth(batch_values, smoothing)) if batch_values else []
    for name, values, width, opacity in (
        ("train_batch", batch_values, 1, FAINT_OPACITY),
        ("train_smoothed", smoothed, 2, 1.0),
    ):
        if values:
            traces.append(
                {
                    "type": "scatter",
                    "x": curves.batch_x,
                    "y": values,
                    "mode": "lines",
                    "name": text(name),
                    "legendgroup": name,
                    "line": {"color": TRAIN_COLOUR, "width": width},
                    "opacity": opacity,
                    "showlegend": first,
                    "xaxis": x_axis,
                    "yaxis": y_axis,
                }
            )
    drawn = [*batch_values, *smoothed]
    for name, key, colour, dash in (
        ("train_epoch", metric, TRAIN_COLOUR, "dot"),
        ("validation", f"val_{metric}", VALIDATION_COLOUR, "solid"),
    ):
        values = [row.get(key) for row in curves.epochs]
        drawn += [value for value in values if value is not None]
        traces.append(
            {
                "type": "scatter",
                "x": curves.epoch_x,
                "y": values,
                "mode": "lines+markers",
                "name": text(name),
                "legendgroup": name,
                "line": {"color": colour, "dash": dash},
                # a stopped epoch's point is hollow: it saw only part of the epoch's batches
                "marker": {
                    "size": 7,
                    "symbol": ["circle-open" if row.get("partial") else "circle" for row in curves.epochs],
                },
                "hovertext": [text("partial_epoch") if row.get("partial") else "" for row in curves.epochs],
                "showlegend": first,
                "xaxis": x_axis,
                "yaxis": y_axis,
            }
        )
    return [value for value in drawn if math.isfinite(value)]


@dataclass
class _Decorations:
    """Lines, notes and legend-only traces drawn over a chart's curves."""

    shapes: list[dict[str, Any]] = field(default_factory=list)
    annotations: list[dict[str, Any]] = field(default_factory=list)
    traces: list[dict[str, Any]] = field(default_factory=list)


# Where a vertical mark's label sits (``add_vline``'s annotation positions): x anchor, y, y anchor.
_CORNERS = {
    "top left": ("right", 1.0, "top"),
    "top right": ("left", 1.0, "top"),
    "bottom left": ("right", 0.0, "bottom"),
}


def _marks(curves: Curves, best: int | None, early_stop: int | None, text: Callable[..., str]) -> _Decorations:
    """Vertical lines at the best epoch, the early stop and a user's stop (at the batch where it stopped),
    in both panels, labelled in the first."""
    where = {row["epoch"]: x for row, x in zip(curves.epochs, curves.epoch_x, strict=True)}  # a stopped epoch: part way
    stopped = user_stop_epoch(curves.epochs)
    stopped_x = where[stopped] if stopped else None
    marks = _Decorations()
    for x, label, dash, colour, corner in (  # corners apart: the marks often fall on one epoch
        (best and where.get(best, best), best and text("mark_best", epoch=best), "dash", palette.POSITIVE, "top left"),
        (early_stop, early_stop and text("mark_early_stop", epoch=early_stop), "dot", palette.NEGATIVE, "top right"),
        (stopped_x, stopped and text("mark_stopped", epoch=stopped), "dot", REFERENCE_COLOUR, "bottom left"),
    ):
        if x is None:
            continue
        for x_axis, y_axis in _AXES.values():
            line = {"color": colour, "dash": dash}
            marks.shapes.append(
                {"type": "line", "x0": x, "x1": x, "xref": x_axis, "y0": 0, "y1": 1, "yref": f"{y_axis} domain"}
                | {"line": line}
            )
        x_anchor, y, y_anchor = _CORNERS[corner]
        marks.annotations.append(
            {"text": label, "x": x, "xref": "x", "xanchor": x_anchor, "y": y, "yref": "y domain", "yanchor": y_anchor}
            | {"showarrow": False}
        )
    return marks


def fitted_range(values: Sequence[float], min_span: float, bounds: tuple[float | None, float | None]) -> list[float]:
    """A y range around ``values`` with a margin, at least ``min_span`` tall, within ``bounds``.

    Plotly's autorange would also take in every reference shape (stretching an accuracy axis of
    0.5-0.8 curves to 0.91) and zoom into tiny changes (a loss axis of 0.6931-0.6935 at the start
    of training, where noise looks like learning).
    """
    finite = [value for value in values if math.isfinite(value)] or [bounds[0] or 0.0]
    low, high = min(finite), max(finite)
    margin = max((high - low) * AXIS_MARGIN, (min_span - (high - low)) / 2, 0.0)
    low, high = low - margin, high + margin
    if bounds[0] is not None and low < bounds[0]:
        low, high = bounds[0], max(high, bounds[0] + min_span)
    if bounds[1] is not None and high > bounds[1]:
        low, high = min(low, bounds[1] - min_span), bounds[1]
    return [low, high]


def _accuracy_references(language: str, shown: Sequence[float], axes: tuple[str, str] = ("x", "y")) -> _Decorations:
    """The book's 0.79, the TF-IDF + LR band and the NBSVM line on an accuracy axis showing ``shown``.

    ``axes``: the panel's x and y axes. The book's line is labelled on the chart; the two known
    results are named in the legend (they lie 0.01 apart, so labels would overlap), which says so
    when they lie above the fitted axis instead of stretching it (a note on the chart would sit on
    the book's line).
    """
    x_axis, y_axis = axes
    across = {"x0": 0, "x1": 1, "xref": f"{x_axis} domain", "yref": y_axis}  # the panel's whole width
    references = _Decorations()
    references.shapes += [
        {"type": "line", "y0": BOOK_VAL_ACCURACY, "y1": BOOK_VAL_ACCURACY, **across}
        | {"line": {"color": BOOK_COLOUR, "dash": "dashdot"}},
        {"type": "rect", "y0": TFIDF_LR_RANGE[0], "y1": TFIDF_LR_RANGE[1], **across}
        | {"fillcolor": REFERENCE_COLOUR, "opacity": 0.2, "line": {"width": 0}},
        {"type": "line", "y0": NBSVM_BIGRAM, "y1": NBSVM_BIGRAM, **across}
        | {"line": {"color": REFERENCE_COLOUR, "dash": "dash"}},
    ]
    references.annotations.append(  # below the line's right end
        {"text": translate(language, "training.reference_book", value=BOOK_VAL_ACCURACY), "showarrow": False}
        | {"x": 1, "xref": f"{x_axis} domain", "xanchor": "right", "y": BOOK_VAL_ACCURACY, "yref": y_axis}
        | {"yanchor": "top", "font": {"color": BOOK_COLOUR}}
    )
    for key, value, style in (
        (
            "reference_tfidf",
            TFIDF_LR_RANGE[0],
            {"mode": "markers", "marker": {"symbol": "square", "size": 12, "color": REFERENCE_COLOUR, "opacity": 0.4}},
        ),
        ("reference_nbsvm", NBSVM_BIGRAM, {"mode": "lines", "line": {"dash": "dash", "color": REFERENCE_COLOUR}}),
    ):
        name = translate(language, f"training.{key}")
        if value > shown[1]:  # off the fitted axis: the legend says where it is
            name += translate(language, "training.above_axis")
        references.traces.append(
            {"type": "scatter", "x": [None], "y": [None], "name": name, "xaxis": x_axis, "yaxis": y_axis, **style}
        )
    return references


def overlay_figure(
    histories: dict[str, Sequence[dict[str, Any]]], metric: str, smoothing: float, language: str
) -> go.Figure:
    """One curve per run of a per-epoch ``metric`` (raw points faint, the smoothed line solid)."""
    figure = go.Figure()
    shown: list[float] = []
    for number, (label, history) in enumerate(histories.items()):
        colour = qualitative.Plotly[number % len(qualitative.Plotly)]
        x = [row["epoch"] for row in history]
        y = [row.get(metric, float("nan")) for row in history]
        shown += [value for value in y if math.isfinite(value)]
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
        y_range = fitted_range([*shown, CHANCE, BOOK_VAL_ACCURACY], MIN_SPAN["accuracy"], (0.0, 1.0))
        references = _accuracy_references(language, y_range)
        figure.add_traces(references.traces)
        figure.update_layout(shapes=references.shapes, annotations=references.annotations)
    else:
        y_range = fitted_range(shown, MIN_SPAN["loss"], (0.0, None))
    figure.update_layout(
        height=HEIGHT,
        yaxis_range=y_range,
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
        xaxis={"range": [0.0, 1.0], "title": translate(language, "training.test_accuracy")},  # bars start at 0
        margin={"t": 10, "b": 40, "l": 10, "r": 10},
    )
    return figure
