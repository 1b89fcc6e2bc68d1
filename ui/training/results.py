"""The training page's results of one finished run: test-set scores and charts, its files, deleting it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from explorer.data.corpus import Corpus
from explorer.lab.baseline import cached_baseline
from explorer.training import runs
from explorer.training.jobs import JobError, JobManager, RunInfo
from explorer.training.plots import confusion_figure, roc_figure, standing_figure
from explorer.training.view import history_csv
from ui import state
from ui.charts import draw_chart
from ui.i18n import language, t
from ui.links import linked, one_of
from ui.training import manager as jobs


def pick_run(finished: list[RunInfo], run_label: Callable[[str], str]) -> RunInfo:
    """The finished run whose results are shown."""
    run_ids = [info.run_id for info in finished]
    link = linked(state.TRAINING_INSPECT, one_of([run_label(r) for r in run_ids]), t("embeddings.link_runs"))
    run_id = st.selectbox(t("training.results_run"), run_ids, format_func=run_label, **link)
    return next(info for info in finished if info.run_id == run_id)


def draw_evaluation(picked: RunInfo, corpus: Corpus) -> None:
    """The run's test-set evaluation, or why it has none (it failed or was stopped before one)."""
    try:
        evaluation = runs.read_evaluation(picked.run_id)
    except runs.RunStoreError as error:  # damaged or deleted since the page listed it
        st.warning(t("classroom.run_damaged", reason=error))
        return
    if evaluation is None:
        st.info(t("training.no_evaluation", reason=picked.reason or t(f"training.state_{picked.state}")))
    else:
        _draw_scores(evaluation, corpus)


def _draw_scores(evaluation: dict[str, Any], corpus: Corpus) -> None:
    """Scores on the test set, the confusion matrix, the ROC curve and where the run stands among known models."""
    lang = language()
    scores = st.columns(4)
    scores[0].metric(t("training.test_accuracy"), f"{evaluation['accuracy']:.4f}")
    scores[1].metric(t("training.test_loss"), f"{evaluation['loss']:.4f}")
    scores[2].metric(t("training.auc"), f"{evaluation['roc_auc']:.4f}" if evaluation["roc_auc"] is not None else "–")
    scores[3].metric(t("training.test_reviews"), f"{evaluation['count']:,}")
    left, right = st.columns(2)
    left.markdown(t("training.confusion_title"))
    draw_chart(left, confusion_figure(evaluation["confusion"], lang), key="training_confusion")
    right.markdown(t("training.roc_title"))
    draw_chart(
        right,
        roc_figure(evaluation["roc_fpr"], evaluation["roc_tpr"], evaluation["roc_auc"], evaluation["confusion"], lang),
        key="training_roc",
    )
    st.markdown(t("training.standing_title"))
    measured = cached_baseline(corpus)  # the lab page's TF-IDF + LR, if someone fitted it on this data
    draw_chart(
        st, standing_figure(evaluation["accuracy"], lang, measured and measured.test_accuracy), key="training_standing"
    )
    st.caption(t("training.standing_note"))


def draw_run_actions(picked: RunInfo, manager: JobManager, owner: str) -> None:
    """A row of buttons: download the run's history, model and config; delete the run."""
    files = st.columns(4)
    _draw_downloads(files[:3], picked)
    _draw_delete(files[3], picked, manager, owner)


def _draw_downloads(places: list[DeltaGenerator], picked: RunInfo) -> None:
    """The run's history as CSV, its best Keras model (once saved) and its config as JSON."""
    run_id = picked.run_id
    places[0].download_button(
        t("training.download_history"),
        lambda: history_csv(runs.read_history(run_id)),
        f"{run_id}-history.csv",
        "text/csv",
        on_click="ignore",
        key="training_download_history",
    )
    model_file = runs.model_path(run_id)
    if model_file.is_file():
        places[1].download_button(
            t("training.download_model"),
            model_file.read_bytes,
            model_file.name.replace("best", run_id),
            "application/octet-stream",
            on_click="ignore",
            help=t("training.download_model_help"),
            key="training_download_model",
        )
    places[2].download_button(
        t("training.download_config"),
        picked.config.to_json(),
        f"{run_id}-config.json",
        "application/json",
        on_click="ignore",
        key="training_download_config",
    )


def _draw_delete(place: DeltaGenerator, picked: RunInfo, manager: JobManager, owner: str) -> None:
    """A delete button behind a confirmation, for the run's owner and the teacher; the page is redrawn without it."""
    run_id, allowed = picked.run_id, jobs.may_control(picked)
    if place.popover(
        t("training.delete"), icon="🗑", disabled=not allowed, help=None if allowed else t("classroom.not_yours_delete")
    ).button(t("training.delete_confirm", run=run_id), key="training_delete"):
        try:
            manager.delete(run_id, owner, admin=jobs.is_admin())
        except (JobError, runs.RunStoreError) as error:
            st.error(t("training.delete_failed", reason=error))
        else:
            st.rerun()
