"""The training page's damaged runs: which file of each cannot be read, and a Delete for each.

A run whose status, config, owner, history or evaluation cannot be read is listed here instead
of among the finished runs, so one bad file never puts a traceback on anyone's page.
"""

from __future__ import annotations

import streamlit as st

from explorer.training import runs
from explorer.training.jobs import JobError, JobManager, RunInfo
from ui.i18n import t
from ui.training import manager as jobs


def draw_damaged(damaged: list[RunInfo], manager: JobManager, owner: str) -> None:
    """One line per damaged run with why, and Delete for its owner and the teacher."""
    if not damaged:
        return
    with st.container(border=True, key="training_damaged"):
        st.warning(t("classroom.damaged_title", count=len(damaged)))
        for info in damaged:
            text, button = st.columns([5, 1], vertical_alignment="center")
            text.caption(t("classroom.run_damaged", reason=info.reason))
            allowed = jobs.may_control(info)
            if button.button(
                t("training.delete"),
                icon="🗑",
                key=f"training_delete_damaged_{info.run_id}",
                disabled=not allowed,
                help=None if allowed else t("classroom.not_yours_delete"),
            ):
                try:
                    manager.delete(info.run_id, owner, admin=jobs.is_admin())
                except (JobError, runs.RunStoreError) as error:
                    st.error(t("training.delete_failed", reason=error))
                else:
                    st.rerun()
