"""The training page's queue: every run that waits or trains on this server, whoever started it."""

from __future__ import annotations

import math

import streamlit as st

from explorer.training.jobs import JobError, RunInfo
from explorer.training.view import describe_model
from ui.i18n import t
from ui.training import manager as jobs


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
            t("training.queue_position"): [info.queue_position for info in active],  # None: training now
            t("classroom.estimated_start"): [_estimated_start(info) for info in active],
            t("training.yours"): [info.owned for info in active],
            t("training.run_id"): [info.run_id for info in active],
        },
        hide_index=True,
        key="training_queue",
    )
    _draw_cancel_buttons([info for info in active if info.state == "queued" and jobs.may_control(info)], names)


def _estimated_start(info: RunInfo) -> str:
    """When a queued run should start ("unknown" until runs of the models ahead of it were timed)."""
    if info.state != "queued":
        return ""
    if info.estimated_start_s is None:
        return t("classroom.unknown_start")
    return t("classroom.minutes", minutes=math.ceil(info.estimated_start_s / 60))


def _draw_cancel_buttons(cancellable: list[RunInfo], names: dict[str, str]) -> None:
    """A Cancel button for each queued run this browser started (every queued run, for the teacher)."""
    for info in cancellable:
        if st.button(
            f"{t('classroom.cancel')}: {names[info.run_id]}",
            icon="✖",
            key=f"training_cancel_{info.run_id}",
            help=t("classroom.cancel_help"),
        ):
            try:
                jobs.job_manager().stop(info.run_id, jobs.owner_token(), admin=jobs.is_admin())
            except JobError as error:
                st.warning(t("training.control_failed", reason=error))
