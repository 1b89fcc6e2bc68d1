"""The training page's comparison: the curves of several finished runs in one chart."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from explorer.training import runs
from explorer.training.plots import overlay_figure
from ui import state
from ui.charts import draw_chart
from ui.i18n import language, option_names, t

OVERLAY_METRICS = ("val_accuracy", "val_loss", "accuracy", "loss")


def draw_overlay(run_ids: list[str], run_label: Callable[[str], str]) -> None:
    """Pick runs, a metric and a smoothing; draw the chosen runs' curves of that metric over each other."""
    chosen = st.multiselect(t("training.overlay_runs"), run_ids, format_func=run_label, key=state.TRAINING_OVERLAY)
    metric_column, smoothing_column = st.columns(2)
    metric = metric_column.segmented_control(
        t("training.overlay_metric"),
        OVERLAY_METRICS,
        default="val_accuracy",
        required=True,
        format_func=option_names("training.metric"),
        key="training_overlay_metric",
    )
    weight = smoothing_column.slider(t("training.smoothing"), 0.0, 0.95, 0.0, 0.05, key="training_overlay_smoothing")
    if chosen:
        draw_chart(
            st,
            overlay_figure({run_label(r): runs.read_history(r) for r in chosen}, metric, weight, language()),
            key="training_overlay_figure",
        )
