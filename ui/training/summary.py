"""The training page's model summary: the configured model's layers and parameter counts, before training."""

from __future__ import annotations

import streamlit as st

from explorer.training.config import ConfigError, RunConfig, parameter_breakdown, total_parameters
from explorer.training.view import describe_model
from ui.i18n import t


def draw_summary(config: RunConfig) -> str | None:
    """The model before training, or why ``config`` cannot be trained: that reason is returned (``None`` if it can)."""
    problem = _problem(config)
    if problem:
        st.error(t("training.invalid", reason=problem))
    else:
        _draw_layers(config)
    return problem


def _problem(config: RunConfig) -> str | None:
    """Why ``config`` cannot be trained, or ``None`` if it can."""
    try:
        config.validate()
    except ConfigError as error:
        return str(error)
    return None


def _draw_layers(config: RunConfig) -> None:
    """The model in one line, a table of its layers with their parameter formulas, and the total."""
    st.markdown(f"`{describe_model(config)}`")
    layers = parameter_breakdown(config)
    st.dataframe(
        {
            t("training.layer_name"): [f"{row.name} ({row.keras_class})" for row in layers],
            t("training.output_shape"): [str(row.output_shape).replace("None", "batch") for row in layers],
            t("training.parameters"): [f"{row.count:,}" for row in layers],
            t("training.formula"): [row.formula + ("" if row.trainable else t("training.frozen")) for row in layers],
        },
        hide_index=True,
        key="training_layers",
    )
    st.metric(t("training.total_parameters"), f"{total_parameters(config):,}")
