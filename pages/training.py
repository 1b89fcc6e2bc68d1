"""Training studio: pick a tutorial model, watch it learn live, compare runs, try your own review."""

import streamlit as st

from explorer.baseline import cached_baseline
from explorer.padding_plots import category_legend, token_grid
from explorer.training import runs
from explorer.training.config import ConfigError, parameter_breakdown, total_parameters
from explorer.training.data import source_spec
from explorer.training.evaluate import DECISION_THRESHOLD
from explorer.training.inference import Predictor
from explorer.training.jobs import JobError
from explorer.training.runs import ACTIVE_STATES
from explorer.training_plots import confusion_figure, overlay_figure, roc_figure, standing_figure
from explorer.training_view import (
    PRESETS,
    describe_model,
    history_csv,
    review_ids,
    summarize,
    tokens_html,
)
from ui import training as studio
from ui.data import current_spec, require_corpus
from ui.i18n import language, t
from ui.navigation import require_entrypoint
from ui.sidebar import settings

require_entrypoint()

WATCHED = "training_run"  # the run this tab follows in the live panel
LISTED = "training_listed"  # the finished runs the page showed last time (a new one gets picked)
OVERLAID = 3  # runs overlaid at first
OVERLAY_METRICS = ("val_accuracy", "val_loss", "accuracy", "loss")
SAMPLE_REVIEW = "This movie was wonderful and the actors were brilliant, but the ending was a boring waste of time."

st.title(t("training.title"))
st.markdown(t("training.intro"))
corpus = require_corpus()
lang = language()
spec = current_spec()
manager, owner = studio.job_manager(), studio.owner_token()

st.subheader(t("training.presets_title"))
studio.restore_form(settings(), corpus)
studio.draw_presets(list(PRESETS), corpus)
config = studio.draw_form(corpus, source_spec(spec.kind, spec.path))

st.subheader(t("training.summary_title"))
try:
    config.validate()
    problem = None
except ConfigError as error:
    problem = str(error)
if problem:
    st.error(t("training.invalid", reason=problem))
else:
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
if st.button(t("training.train"), type="primary", icon="▶", disabled=problem is not None, key="training_train"):
    try:
        st.session_state[WATCHED] = manager.submit(config, owner)
    except (ConfigError, JobError) as error:
        st.error(t("training.submit_failed", reason=error))

listed = manager.list_runs(owner)
active = [info for info in listed if info.state in ACTIVE_STATES]
st.subheader(t("training.queue_title"))
if active:
    st.dataframe(
        {
            t("training.run"): [info.run_id for info in active],
            t("training.model"): [describe_model(info.config) if info.config else "?" for info in active],
            t("training.state"): [t(f"training.state_{'paused' if info.paused else info.state}") for info in active],
            t("training.queue_position"): [
                "–" if info.queue_position is None else info.queue_position for info in active
            ],
            t("training.yours"): [info.owned for info in active],
        },
        hide_index=True,
        key="training_queue",
    )
else:
    st.caption(t("training.queue_empty"))
known = [info.run_id for info in listed if info.config is not None]  # newest first
watched = st.session_state.get(WATCHED) if st.session_state.get(WATCHED) in known else None
watched = watched or next((info.run_id for info in active), None) or next(iter(known), None)  # else the newest run


st.subheader(t("training.live_title"))
if watched is None:
    st.caption(t("training.nothing_live"))
else:
    studio.follow_live(watched)

st.subheader(t("training.runs_title"))
finished = [info for info in listed if info.state not in ACTIVE_STATES and info.config is not None]
if not finished:
    st.caption(t("training.no_runs"))
    st.stop()
summaries = {
    info.run_id: summarize(info.config, runs.read_history(info.run_id), runs.read_evaluation(info.run_id))
    for info in finished
}
st.dataframe(
    {
        t("training.run"): list(summaries),
        t("training.state"): [t(f"training.state_{info.state}") for info in finished],
        t("training.model"): [s.model for s in summaries.values()],
        "num_words / maxlen": [f"{info.config.num_words:,} / {info.config.maxlen:,}" for info in finished],
        t("training.epochs_done"): [s.epochs for s in summaries.values()],
        t("training.best_val_accuracy"): [s.best_val_accuracy for s in summaries.values()],
        t("training.test_accuracy"): [s.test_accuracy for s in summaries.values()],
        t("training.seconds"): [round(s.seconds, 1) for s in summaries.values()],
    },
    column_config={
        t("training.model"): st.column_config.TextColumn(width="medium"),
        t("training.best_val_accuracy"): st.column_config.NumberColumn(format="%.4f"),
        t("training.test_accuracy"): st.column_config.NumberColumn(format="%.4f"),
    },
    hide_index=True,
    key="training_runs",
)


fresh = [run for run in summaries if run not in st.session_state.get(LISTED, ())]  # all of them on a first visit
overlaid = [run for run in st.session_state.get("training_overlay", []) if run in summaries]  # deleted ones go
st.session_state["training_overlay"] = [*fresh, *overlaid][:OVERLAID] if fresh else overlaid
if fresh or st.session_state.get("training_inspect") not in summaries:  # a run just ended, or was deleted
    st.session_state["training_inspect"] = (fresh or list(summaries))[0]
st.session_state[LISTED] = list(summaries)


def run_label(run_id: str) -> str:
    """A run in a picker: its id and model."""
    return f"{run_id} · {summaries[run_id].model}"


st.subheader(t("training.overlay_title"))
chosen = st.multiselect(
    t("training.overlay_runs"),
    list(summaries),
    format_func=run_label,
    key="training_overlay",
)
metric_column, smoothing_column = st.columns(2)
metric = metric_column.segmented_control(
    t("training.overlay_metric"),
    OVERLAY_METRICS,
    default="val_accuracy",
    required=True,
    format_func=lambda m: t(f"training.metric_{m}"),
    key="training_overlay_metric",
)
weight = smoothing_column.slider(t("training.smoothing"), 0.0, 0.95, 0.0, 0.05, key="training_overlay_smoothing")
if chosen:
    st.plotly_chart(
        overlay_figure({run_label(r): runs.read_history(r) for r in chosen}, metric, weight, lang),
        key="training_overlay_figure",
    )

st.subheader(t("training.results_title"))
run_id = st.selectbox(t("training.results_run"), list(summaries), format_func=run_label, key="training_inspect")
picked = next(info for info in finished if info.run_id == run_id)
evaluation = runs.read_evaluation(run_id)
if evaluation is None:
    st.info(t("training.no_evaluation", reason=picked.reason or t(f"training.state_{picked.state}")))
else:
    scores = st.columns(4)
    scores[0].metric(t("training.test_accuracy"), f"{evaluation['accuracy']:.4f}")
    scores[1].metric(t("training.test_loss"), f"{evaluation['loss']:.4f}")
    scores[2].metric(t("training.auc"), f"{evaluation['roc_auc']:.4f}" if evaluation["roc_auc"] is not None else "–")
    scores[3].metric(t("training.test_reviews"), f"{evaluation['count']:,}")
    left, right = st.columns(2)
    left.markdown(t("training.confusion_title"))
    left.plotly_chart(confusion_figure(evaluation["confusion"], lang), key="training_confusion")
    right.markdown(t("training.roc_title"))
    right.plotly_chart(
        roc_figure(evaluation["roc_fpr"], evaluation["roc_tpr"], evaluation["roc_auc"], evaluation["confusion"], lang),
        key="training_roc",
    )
    st.markdown(t("training.standing_title"))
    measured = cached_baseline(corpus)  # the lab page's TF-IDF + LR, if someone fitted it on this data
    st.plotly_chart(
        standing_figure(evaluation["accuracy"], lang, measured and measured.test_accuracy), key="training_standing"
    )
    st.caption(t("training.standing_note"))

files = st.columns(4)
files[0].download_button(
    t("training.download_history"),
    lambda: history_csv(runs.read_history(run_id)),
    f"{run_id}-history.csv",
    "text/csv",
    on_click="ignore",
    key="training_download_history",
)
model_file = runs.model_path(run_id)
if model_file.is_file():
    files[1].download_button(
        t("training.download_model"),
        model_file.read_bytes,
        model_file.name.replace("best", run_id),
        "application/octet-stream",
        on_click="ignore",
        key="training_download_model",
    )
files[2].download_button(
    t("training.download_config"),
    picked.config.to_json(),
    f"{run_id}-config.json",
    "application/json",
    on_click="ignore",
    key="training_download_config",
)
if (
    files[3]
    .popover(t("training.delete"), icon="🗑")
    .button(t("training.delete_confirm", run=run_id), key="training_delete")
):
    try:
        manager.delete(run_id, owner)
    except (JobError, runs.RunStoreError) as error:
        st.error(t("training.delete_failed", reason=error))
    else:
        st.rerun()

st.subheader(t("training.try_title"))
try:
    predictor = Predictor.load(run_id)
except runs.RunStoreError as error:
    st.info(t("training.no_weights", reason=error))
    st.stop()
if picked.config.source != source_spec(spec.kind, spec.path):
    st.warning(t("training.other_source", source=picked.config.source or "?"))
text = st.text_area(t("training.try_text"), SAMPLE_REVIEW, key="training_review")
words, ids = review_ids(text, corpus)
prediction = predictor.predict_ids(ids)
oov = prediction.out_of_vocabulary[1:]  # after the start id
st.markdown(t("training.try_tokens", count=len(words), oov=sum(oov), num_words=picked.config.num_words))
st.html(tokens_html(words, oov, t("training.oov_hint", num_words=picked.config.num_words)))
padded = predictor.pad([prediction.ids])[0]
st.html(category_legend(lang))
st.plotly_chart(
    token_grid(
        padded,
        corpus.decode(padded),
        t(
            "training.try_padded",
            maxlen=picked.config.maxlen,
            padding=picked.config.padding,
            truncating=picked.config.truncating,
        ),
    ),
    key="training_try_grid",
)
verdict = t("training.positive") if prediction.probability >= DECISION_THRESHOLD else t("training.negative")
st.metric(t("training.try_probability"), f"{prediction.probability:.3f}", verdict, delta_color="off", delta_arrow="off")
st.progress(prediction.probability)
st.caption(t("training.try_note"))
