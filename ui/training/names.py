"""The training page's run names: labels for every table and picker, and renaming by the run's owner."""

from __future__ import annotations

import streamlit as st

from explorer.training.jobs import RunInfo
from explorer.training.naming import MAX_NAME_LENGTH, rename, run_label
from ui.i18n import language, t


def run_labels(infos: list[RunInfo]) -> dict[str, str]:
    """Each run's name as shown in the current language, by run id."""
    return {info.run_id: run_label(info.run_id, info.config, language()) for info in infos}


def draw_rename(picked: RunInfo, shown: str) -> None:
    """A field with the run's name and a Rename button, for the tab that started the run."""
    field, button = st.columns([4, 1], vertical_alignment="bottom")
    typed = field.text_input(
        t("training.rename"),
        shown,
        max_chars=MAX_NAME_LENGTH,
        disabled=not picked.owned,
        help=t("training.rename_help"),
        key=f"training_rename_{picked.run_id}",
    )
    if button.button(t("training.rename_button"), disabled=not picked.owned, key="training_rename_button"):
        try:
            rename(picked.run_id, picked.config, typed)
        except (ValueError, OSError) as error:  # RunNameError, or a run store that cannot write
            st.error(t("training.rename_failed", reason=error))
        else:
            st.rerun()
