"""Inside the recurrent layer: a trained run replayed token by token, next to a baseline to beat."""

import numpy as np
import streamlit as st

from explorer.baseline import baseline, cached_baseline
from explorer.keras_check import KerasCheckError, run_layer_difference
from explorer.lab_plots import feature_bars, gate_heatmaps, probability_curve, state_heatmap, state_paths
from explorer.recurrent import RecurrentWeightsError, project_paths
from explorer.run_trace import DIRECTIONS, run_accuracies, trace_run, traceable_runs
from explorer.training import runs
from explorer.training.inference import Predictor
from ui.data import require_corpus
from ui.i18n import language, t
from ui.navigation import TOPIC_PAGES, require_entrypoint

require_entrypoint()

TRAINING_PAGE_KEY = "training"  # the training studio's entry in ui.navigation, linked when no run exists
TOP_FEATURES = 15
LABELS = (1, 0)  # a positive and a negative review, side by side

st.title(t("lab_rnn.title"))
st.markdown(t("lab_rnn.intro"))
corpus = require_corpus()
lang = language()
stored = traceable_runs()

st.subheader(t("lab_rnn.baseline_title"))
st.markdown(t("lab_rnn.baseline_intro"))
result = cached_baseline(corpus)
if result is None and st.button(t("lab_rnn.baseline_button"), key="lab_rnn_baseline"):
    with st.spinner(t("lab_rnn.baseline_running")):
        result = baseline(corpus)
if result is not None:
    scores = st.columns(4)
    scores[0].metric(t("lab_rnn.validation_accuracy"), f"{result.validation_accuracy:.4f}")
    scores[1].metric(t("lab_rnn.test_accuracy"), f"{result.test_accuracy:.4f}")
    scores[2].metric(t("lab_rnn.features"), f"{result.feature_count:,}")
    scores[3].metric(t("lab_rnn.fit_seconds"), f"{result.fit_seconds:.1f} s")
    if stored:
        accuracies = [run_accuracies(run_id) for run_id in stored]
        st.dataframe(
            {
                t("lab_rnn.run"): list(stored),
                t("lab_rnn.validation_accuracy"): [a[0] for a in accuracies],
                t("lab_rnn.test_accuracy"): [a[1] for a in accuracies],
            },
            hide_index=True,
            key="lab_rnn_compare",
        )
    sides = {"positive": result.positive_features, "negative": result.negative_features}
    for column, (side, features) in zip(st.columns(2), sides.items(), strict=True):
        column.plotly_chart(feature_bars(features[:TOP_FEATURES], t("lab_rnn.weight")), key=f"lab_rnn_{side}")

st.subheader(t("lab_rnn.inside_title"))
if not stored:
    st.info(t("lab_rnn.need_run"))
    for entry in (e for e in TOPIC_PAGES if e.key == TRAINING_PAGE_KEY):
        st.page_link(entry.path, label=t(f"{entry.key}.nav_title"), icon=entry.icon)
    st.stop()
run_id = st.selectbox(
    t("lab_rnn.run"),
    list(stored),
    key="lab_rnn_run",
    format_func=lambda r: t("lab_rnn.run_label", run=r, **stored[r].to_dict()),
)
picks = {}
for label, column in zip(LABELS, st.columns(2), strict=True):
    candidates = np.flatnonzero(corpus.test.labels == label)
    number = column.number_input(t(f"lab_rnn.review_{label}"), 0, len(candidates) - 1, 0, key=f"lab_rnn_review_{label}")
    picks[label] = int(candidates[number])
try:
    predictor = Predictor.load(run_id)
    config, weights = predictor.config, dict(predictor.weights)
    padded = {label: predictor.pad([corpus.test.ids.row(index)])[0] for label, index in picks.items()}
    traces = {label: trace_run(config, weights, ids) for label, ids in padded.items()}
except (runs.RunStoreError, RecurrentWeightsError) as error:
    st.error(t("lab_rnn.run_unusable", reason=error))
    st.stop()
st.caption(t("lab_rnn.run_caption", **config.to_dict()))
tokens = {label: corpus.decode(trace.ids) for label, trace in traces.items()}
shown = st.segmented_control(
    t("lab_rnn.shown"),
    LABELS,
    default=1,
    required=True,
    format_func=lambda label: t(f"lab_rnn.review_{label}"),
    key="lab_rnn_shown",
)
trace = traces[shown]
layer, direction = 0, "forward"
if config.stacked > 1:
    layer = st.selectbox(
        t("lab_rnn.layer"), range(config.stacked), format_func=lambda i: f"rnn_{i + 1}", key="lab_rnn_layer"
    )
if config.bidirectional:
    direction = st.segmented_control(
        t("lab_rnn.direction"), DIRECTIONS, default="forward", required=True, key="lab_rnn_direction"
    )
st.metric(t("lab_rnn.prediction"), f"{trace.prediction:.3f}")
st.expander(t("lab_rnn.review_text")).write(corpus.text(corpus.test, picks[shown]))

tab_names = ("states", "gates", "path", "verdict")
states_tab, gates_tab, path_tab, verdict_tab = st.tabs([t(f"lab_rnn.tab_{name}") for name in tab_names])
with states_tab:
    st.markdown(t(f"lab_rnn.formula_{config.layer}"))
    st.plotly_chart(state_heatmap(trace.layers[layer][direction].states, tokens[shown], lang), key="lab_rnn_states")
    if direction == "forward" and st.button(t("lab_rnn.keras_check"), key="lab_rnn_keras_check"):
        with st.spinner(t("lab_rnn.keras_running")):
            try:
                st.success(t("lab_rnn.keras_difference", difference=run_layer_difference(trace, weights, layer)))
            except KerasCheckError as error:
                st.error(t("lab_rnn.keras_failed", reason=error))
with gates_tab:
    gates = trace.layers[layer][direction].gates
    if gates:
        st.plotly_chart(gate_heatmaps(gates, tokens[shown], lang), key="lab_rnn_gates")
    else:
        st.info(t("lab_rnn.no_gates"))
with path_tab:
    st.markdown(t("lab_rnn.path_intro"))
    projected = project_paths([traces[label].layers[-1]["forward"].states for label in LABELS])
    names = [t(f"lab_rnn.review_{label}") for label in LABELS]
    st.plotly_chart(state_paths(projected, [tokens[label] for label in LABELS], LABELS, names), key="lab_rnn_paths")
with verdict_tab:
    if trace.probabilities is None:
        st.info(t("lab_rnn.no_verdict_bidirectional"))
    else:
        st.markdown(t("lab_rnn.verdict_intro"))
        st.plotly_chart(probability_curve(trace.probabilities, tokens[shown], lang), key="lab_rnn_verdict")
