"""The training page's finished runs: their table, and which of them the page shows when one ends."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from explorer.training import runs
from explorer.training.jobs import RunInfo
from explorer.training.view import RunSummary, summarize
from ui import state
from ui.i18n import t

OVERLAID = 3  # runs overlaid at first


def summarize_runs(finished: list[RunInfo]) -> dict[str, RunSummary]:
    """Each finished run's line of the table, by run id (newest first)."""
    return {info.run_id: _summary(info) for info in finished}


def _summary(info: RunInfo) -> RunSummary:
    """The run's line; a run whose files went missing or bad since it was listed shows no numbers."""
    try:
        return summarize(info.config, runs.read_history(info.run_id), runs.read_evaluation(info.run_id))
    except runs.RunStoreError:
        return summarize(info.config, [], None)


def draw_runs_table(finished: list[RunInfo], summaries: dict[str, RunSummary], names: dict[str, str]) -> None:
    """One row per finished run: name, state, model, data settings, epochs, accuracies, training time, id."""
    st.dataframe(
        {
            t("training.run"): [names[run_id] for run_id in summaries],
            t("training.state"): [t(f"training.state_{info.state}") for info in finished],
            t("training.model"): [s.model for s in summaries.values()],
            "num_words / maxlen": [f"{info.config.num_words:,} / {info.config.maxlen:,}" for info in finished],
            t("training.epochs_done"): [s.epochs for s in summaries.values()],
            t("training.best_val_accuracy"): [s.best_val_accuracy for s in summaries.values()],
            t("training.test_accuracy"): [s.test_accuracy for s in summaries.values()],
            t("training.seconds"): [round(s.seconds, 1) for s in summaries.values()],
            t("training.run_id"): list(summaries),
        },
        column_config={
            t("training.model"): st.column_config.TextColumn(width="medium"),
            t("training.best_val_accuracy"): st.column_config.NumberColumn(format="%.4f"),
            t("training.test_accuracy"): st.column_config.NumberColumn(format="%.4f"),
        },
        hide_index=True,
        key="training_runs",
    )


def show_new_runs(run_ids: list[str]) -> None:
    """Overlay and inspect the runs that ended since the page last listed them (all of them on a first visit).

    Deleted runs leave the overlay; the inspected one falls back to the newest when it was deleted.
    """
    fresh = [run for run in run_ids if run not in st.session_state.get(state.TRAINING_LISTED, ())]
    overlaid = [run for run in st.session_state.get(state.TRAINING_OVERLAY, []) if run in run_ids]
    st.session_state[state.TRAINING_OVERLAY] = [*fresh, *overlaid][:OVERLAID] if fresh else overlaid
    if fresh or st.session_state.get(state.TRAINING_INSPECT) not in run_ids:  # a run just ended, or was deleted
        st.session_state[state.TRAINING_INSPECT] = (fresh or run_ids)[0]
    st.session_state[state.TRAINING_LISTED] = run_ids


def run_labeller(names: dict[str, str]) -> Callable[[str], str]:
    """The format_func of the run pickers: a run's name."""
    return names.__getitem__
