"""The training page's queue: every run that waits or trains on this server, whoever started it."""

from __future__ import annotations

import streamlit as st

from explorer.training.jobs import RunInfo
from explorer.training.view import describe_model
from ui.i18n import t


def draw_queue(active: list[RunInfo], names: dict[str, str]) -> None:
    """The active runs as a table (name, model, state, place in the queue, whether this tab started it, id)."""
    if not active:
        st.caption(t("training.queue_empty"))
        return
    st.dataframe(
        {
            t("training.run"): [names[info.run_id] for info in active],
            t("training.model"): [describe_model(info.config) if info.config else "?" for info in active],
            t("training.state"): [t(f"training.state_{'paused' if info.paused else info.state}") for info in active],
            t("training.queue_position"): [
                "–" if info.queue_position is None else info.queue_position for info in active
            ],
            t("training.yours"): [info.owned for info in active],
            t("training.run_id"): [info.run_id for info in active],
        },
        hide_index=True,
        key="training_queue",
    )
