"""The inside-the-RNN lab's sections: the baseline to beat, and a trained run replayed token by token."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from explorer.data.corpus import Corpus
from explorer.lab.baseline import baseline, cached_baseline
from explorer.lab.keras_check import KerasCheckError, run_layer_difference
from explorer.lab.plots import feature_bars, gate_heatmaps, probability_curve, state_heatmap, state_paths
from explorer.lab.recurrent import RecurrentWeightsError, project_paths
from explorer.lab.run_trace import DIRECTIONS, RunTrace, run_accuracies, trace_run
from explorer.training import runs
from explorer.training.config import RunConfig
from explorer.training.inference import Predictor
from ui.i18n import language, option_names, t

TOP_FEATURES = 15
LABELS = (1, 0)  # a positive and a negative review, side by side


def draw_baseline(corpus: Corpus, stored: dict[str, RunConfig]) -> None:
    """TF-IDF + logistic regression (computed on request, then cached), its scores and strongest words."""
    result = cached_baseline(corpus)
    if result is None and st.button(t("lab_rnn.baseline_button"), key="lab_rnn_baseline"):
        with st.spinner(t("lab_rnn.baseline_running")):
            result = baseline(corpus)
    if result is None:
        return
    scores = st.columns(4)
    scores[0].metric(t("lab_rnn.validation_accuracy"), f"{result.validation_accuracy:.4f}")
    scores[1].metric(t("lab_rnn.test_accuracy"), f"{result.test_accuracy:.4f}")
    scores[2].metric(t("lab_rnn.features"), f"{result.feature_count:,}")
    scores[3].metric(t("lab_rnn.fit_seconds"), f"{result.fit_seconds:.1f} s")
    if stored:
        accuracies = [run_accuracies(run_id) for run_id in stored]
        table = {
            t("lab_rnn.run"): list(stored),
            t("lab_rnn.validation_accuracy"): [a[0] for a in accuracies],
            t("lab_rnn.test_accuracy"): [a[1] for a in accuracies],
        }
        st.dataframe(table, hide_index=True, key="lab_rnn_compare")
    sides = {"positive": result.positive_features, "negative": result.negative_features}
    for column, (side, features) in zip(st.columns(2), sides.items(), strict=True):
        column.plotly_chart(feature_bars(features[:TOP_FEATURES], t("lab_rnn.weight")), key=f"lab_rnn_{side}")


def pick_reviews(corpus: Corpus) -> dict[int, int]:
    """One positive and one negative test review, by their number among the reviews of that label."""
    picks = {}
    for label, column in zip(LABELS, st.columns(2), strict=True):
        candidates = np.flatnonzero(corpus.test.labels == label)
        number = column.number_input(
            t(f"lab_rnn.review_{label}"), 0, len(candidates) - 1, 0, key=f"lab_rnn_review_{label}"
        )
        picks[label] = int(candidates[number])
    return picks


def replay(run_id: str, picks: dict[int, int], corpus: Corpus) -> tuple[RunConfig, dict[str, Any], dict[int, RunTrace]]:
    """The run's config, numpy weights and each picked review's trace; stops the page if the run is unusable."""
    try:
        predictor = Predictor.load(run_id)
        config, weights = predictor.config, dict(predictor.weights)
        padded = {label: predictor.pad([corpus.test.ids.row(index)])[0] for label, index in picks.items()}
        return config, weights, {label: trace_run(config, weights, ids) for label, ids in padded.items()}
    except (runs.RunStoreError, RecurrentWeightsError) as error:
        st.error(t("lab_rnn.run_unusable", reason=error))
        st.stop()


def pick_view(config: RunConfig) -> tuple[int, int, str]:
    """Which review is shown, and for stacked or bidirectional runs which layer and direction."""
    shown = st.segmented_control(
        t("lab_rnn.shown"),
        LABELS,
        default=1,
        required=True,
        format_func=option_names("lab_rnn.review"),
        key="lab_rnn_shown",
    )
    layer, direction = 0, "forward"
    if config.stacked > 1:
        layer = st.selectbox(
            t("lab_rnn.layer"), range(config.stacked), format_func=lambda i: f"rnn_{i + 1}", key="lab_rnn_layer"
        )
    if config.bidirectional:
        direction = st.segmented_control(
            t("lab_rnn.direction"), DIRECTIONS, default="forward", required=True, key="lab_rnn_direction"
        )
    return shown, layer, direction


def draw_states(trace: RunTrace, weights: dict[str, Any], tokens: list[str], layer: int, direction: str) -> None:
    """The state after every token, and a check of the numpy replay against Keras on request."""
    st.plotly_chart(state_heatmap(trace.layers[layer][direction].states, tokens, language()), key="lab_rnn_states")
    if direction == "forward" and st.button(t("lab_rnn.keras_check"), key="lab_rnn_keras_check"):
        with st.spinner(t("lab_rnn.keras_running")):
            try:
                st.success(t("lab_rnn.keras_difference", difference=run_layer_difference(trace, weights, layer)))
            except KerasCheckError as error:
                st.error(t("lab_rnn.keras_failed", reason=error))


def draw_gates(trace: RunTrace, tokens: list[str], layer: int, direction: str) -> None:
    """The gate activations of an LSTM or GRU (a SimpleRNN has none)."""
    gates = trace.layers[layer][direction].gates
    if gates:
        st.plotly_chart(gate_heatmaps(gates, tokens, language()), key="lab_rnn_gates")
    else:
        st.info(t("lab_rnn.no_gates"))


def draw_paths(traces: dict[int, RunTrace], tokens: dict[int, list[str]]) -> None:
    """Both reviews' state paths in the plane of the states' first two principal components."""
    st.markdown(t("lab_rnn.path_intro"))
    projected = project_paths([traces[label].layers[-1]["forward"].states for label in LABELS])
    names = [t(f"lab_rnn.review_{label}") for label in LABELS]
    st.plotly_chart(state_paths(projected, [tokens[label] for label in LABELS], LABELS, names), key="lab_rnn_paths")


def draw_verdict(trace: RunTrace, tokens: list[str]) -> None:
    """The positive probability the dense layer would give after each token (not for bidirectional runs)."""
    if trace.probabilities is None:
        st.info(t("lab_rnn.no_verdict_bidirectional"))
        return
    st.markdown(t("lab_rnn.verdict_intro"))
    st.plotly_chart(probability_curve(trace.probabilities, tokens, language()), key="lab_rnn_verdict")
