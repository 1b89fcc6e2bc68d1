"""The inside-the-RNN lab's sections: the baseline to beat, and a trained run replayed token by token."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from explorer.data.corpus import Corpus
from explorer.data.ragged import Ragged
from explorer.lab.baseline import baseline, cached_baseline
from explorer.lab.keras_check import KerasCheckError, run_layer_difference
from explorer.lab.plots import (
    feature_bars,
    gate_heatmaps,
    probability_curve,
    state_bars,
    state_heatmap,
    state_paths,
)
from explorer.lab.recurrent import RecurrentWeightsError, project_paths
from explorer.lab.run_trace import DIRECTIONS, RunTrace, run_accuracies, trace_run
from explorer.lab.stepper import FIND_LIMIT, context_html, find_review, is_right, word_steps
from explorer.training import runs
from explorer.training.config import RunConfig
from explorer.training.inference import Predictor
from explorer.training.view import review_ids
from ui import state
from ui.charts import draw_chart
from ui.i18n import language, option_names, t
from ui.links import int_within, linked
from ui.review import show_review

TOP_FEATURES = 15
LABELS = (1, 0)  # a positive and a negative review, side by side
Shown = Literal[1, 0, "typed"]
SHOWN: tuple[Shown, ...] = (*LABELS, "typed")  # the views show one of the two picked reviews, or a typed one
PLAY_SECONDS = 0.8  # how long Play shows each word
SAMPLE_REVIEW = "The acting was wonderful, but the story was a boring waste of time."


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
        draw_chart(column, feature_bars(features[:TOP_FEATURES], t("lab_rnn.weight")), key=f"lab_rnn_{side}")


def load_predictor(run_id: str) -> Predictor:
    """The run's numpy model; stops the page with the reason if the run cannot be used."""
    try:
        return Predictor.load(run_id)
    except runs.RunStoreError as error:
        st.error(t("lab_rnn.run_unusable", reason=error))
        st.stop()


def pick_reviews(corpus: Corpus, predictor: Predictor) -> dict[Shown, int]:
    """One positive and one negative test review, by their number among the reviews of that label, each
    with a right / wrong badge and buttons that find the next review the run gets right or wrong."""
    missed = st.session_state.pop(state.LAB_RNN_NOT_FOUND, None)
    picks: dict[Shown, int] = {}
    for label, column in zip(LABELS, st.columns(2), strict=True):
        candidates = np.flatnonzero(corpus.test.labels == label)
        key = state.LAB_RNN_REVIEW.format(label=label)
        last = len(candidates) - 1
        number = column.number_input(
            t(f"lab_rnn.review_{label}"), 0, last, **linked(key, int_within(0, last), f"0–{last:,}")
        )
        picks[label] = int(candidates[number])
        probability = float(predictor.predict(predictor.pad([corpus.test.ids.row(picks[label])]))[0])
        _badge(column, probability, label)
        for right, place in zip((True, False), column.columns(2), strict=True):
            place.button(
                t(f"lab_rnn.find_{'right' if right else 'wrong'}"),
                key=f"lab_rnn_find_{label}_{int(right)}",
                on_click=_find,
                args=(predictor, corpus.test.ids, candidates, key, label, right),
                width="stretch",
            )
        if missed == (label, True) or missed == (label, False):
            column.info(t(f"lab_rnn.none_{'right' if missed[1] else 'wrong'}", count=min(len(candidates), FIND_LIMIT)))
    return picks


def _badge(place: DeltaGenerator, probability: float, label: int) -> None:
    """Whether the run gets this review right: a green or red badge with its P(positive)."""
    right = is_right(probability, label)
    place.badge(
        t(f"lab_rnn.badge_{'right' if right else 'wrong'}", probability=probability),
        icon=":material/check:" if right else ":material/close:",
        color="green" if right else "red",
    )


def _find(predictor: Predictor, reviews: Ragged, candidates: np.ndarray, key: str, label: int, right: bool) -> None:
    """Button callback: move the review number to the next review the run gets right (or wrong)."""
    found = find_review(predictor, reviews, candidates, st.session_state[key], label, right)
    if found is None:
        st.session_state[state.LAB_RNN_NOT_FOUND] = (label, right)
    else:
        st.session_state[key] = found


def typed_ids(corpus: Corpus) -> list[int]:
    """A review typed by the student, as corpus ids (start id, then each word's id or the unknown-word id)."""
    text = st.text_area(t("lab_rnn.typed"), SAMPLE_REVIEW, **linked(state.LAB_RNN_TYPED))
    return review_ids(text, corpus)[1]


def replay(
    predictor: Predictor, picks: dict[Shown, int], typed: list[int] | None, corpus: Corpus
) -> tuple[RunConfig, dict[str, Any], dict[Shown, RunTrace]]:
    """The run's config, numpy weights and the trace of each picked (and the typed) review; stops the page
    if the run's weights do not fit its model."""
    rows = {label: corpus.test.ids.row(index) for label, index in picks.items()}
    if typed is not None:
        rows["typed"] = typed
    config, weights = predictor.config, dict(predictor.weights)
    try:
        return (
            config,
            weights,
            {shown: trace_run(config, weights, predictor.pad([ids])[0]) for shown, ids in rows.items()},
        )
    except RecurrentWeightsError as error:
        st.error(t("lab_rnn.run_unusable", reason=error))
        st.stop()


def pick_shown() -> Shown:
    """Which review the views below show: the positive, the negative, or one typed here."""
    return st.segmented_control(
        t("lab_rnn.shown"),
        SHOWN,
        default=1,
        required=True,
        format_func=option_names("lab_rnn.review"),
        **linked(state.LAB_RNN_SHOWN),
    )


def pick_view(config: RunConfig) -> tuple[int, str]:
    """For stacked or bidirectional runs: which layer and direction the views show."""
    layer, direction = 0, "forward"
    if config.stacked > 1:
        layer = st.selectbox(
            t("lab_rnn.layer"), range(config.stacked), format_func=lambda i: f"rnn_{i + 1}", key="lab_rnn_layer"
        )
    if config.bidirectional:
        direction = st.segmented_control(
            t("lab_rnn.direction"), DIRECTIONS, default="forward", required=True, key="lab_rnn_direction"
        )
    return layer, direction


def draw_outcome(trace: RunTrace, shown: Shown, text: str | None) -> None:
    """The model's P(positive) for the shown review, right or wrong when its label is known, and its text."""
    left, right = st.columns([1, 3])
    left.metric(t("lab_rnn.prediction"), f"{trace.prediction:.3f}")
    if shown != "typed":
        _badge(left, trace.prediction, shown)
    if text is not None:
        show_review(right.expander(t("lab_rnn.review_text")), text)


def draw_states(trace: RunTrace, weights: dict[str, Any], tokens: list[str], layer: int, direction: str) -> None:
    """The state after every token, and a check of the numpy replay against Keras on request."""
    draw_chart(st, state_heatmap(trace.layers[layer][direction].states, tokens, language()), key="lab_rnn_states")
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
        draw_chart(st, gate_heatmaps(gates, tokens, language()), key="lab_rnn_gates")
    else:
        st.info(t("lab_rnn.no_gates"))


def draw_paths(traces: dict[int, RunTrace], tokens: dict[int, list[str]]) -> None:
    """Both reviews' state paths in the plane of the states' first two principal components."""
    st.markdown(t("lab_rnn.path_intro"))
    projected = project_paths([traces[label].layers[-1]["forward"].states for label in LABELS])
    names = [t(f"lab_rnn.review_{label}") for label in LABELS]
    draw_chart(st, state_paths(projected, [tokens[label] for label in LABELS], LABELS, names), key="lab_rnn_paths")


def draw_verdict(trace: RunTrace, tokens: list[str]) -> None:
    """The positive probability the dense layer would give after each token (not for bidirectional runs)."""
    if trace.probabilities is None:
        st.info(t("lab_rnn.no_verdict_bidirectional"))
        return
    st.markdown(t("lab_rnn.verdict_intro"))
    draw_chart(st, probability_curve(trace.probabilities, tokens, language()), key="lab_rnn_verdict")


def draw_stepper(trace: RunTrace, tokens: list[str], layer: int, direction: str) -> None:
    """Token by token: a slider (or Play) over the review's words, the current word highlighted in its
    text, the hidden state after it and P(positive) so far."""
    steps = word_steps(trace.ids)
    if not len(steps):
        st.info(t("lab_rnn.no_words"))
        return
    st.markdown(t("lab_rnn.step_intro"))
    playing = st.session_state.get(state.LAB_RNN_PLAYING, False)
    # Play reruns only this fragment, every PLAY_SECONDS; the interval is set when the page is drawn,
    # so starting and stopping rerun the whole page.
    st.fragment(_step_view, run_every=PLAY_SECONDS if playing else None)(trace, tokens, steps, layer, direction)


def _step_view(trace: RunTrace, tokens: list[str], steps: np.ndarray, layer: int, direction: str) -> None:
    """One step of the stepper (a fragment: moving the slider or playing redraws only this)."""
    playing = st.session_state.get(state.LAB_RNN_PLAYING, False)
    number = _current_word(len(steps), playing)
    slider, button = st.columns([5, 1], vertical_alignment="bottom")
    slider.slider(t("lab_rnn.step", count=len(steps)), 1, len(steps), key=state.LAB_RNN_STEP)
    if button.button(t("lab_rnn.pause" if playing else "lab_rnn.play"), key="lab_rnn_play", width="stretch"):
        _set_playing(not playing, restart=not playing and number == len(steps))
    position = int(steps[number - 1])
    st.html(context_html(tokens, steps, number - 1))
    word, probability = st.columns(2)
    word.metric(t("lab_rnn.step_word"), tokens[position], border=True)
    if trace.probabilities is not None:
        before = trace.probabilities[steps[number - 2]] if number > 1 else None
        change = None if before is None else f"{trace.probabilities[position] - before:+.3f}"
        probability.metric(t("lab_rnn.step_probability"), f"{trace.probabilities[position]:.3f}", change, border=True)
    states = trace.layers[layer][direction].states
    left, right = st.columns(2)
    draw_chart(left, state_bars(states[position], tokens[position], language()), key="lab_rnn_step_state")
    if trace.probabilities is not None:
        curve = probability_curve(trace.probabilities, tokens, language(), current=position)
        draw_chart(right, curve, key="lab_rnn_step_curve")


def _current_word(count: int, playing: bool) -> int:
    """The stepper's word number (1-based), kept within this review; one further on each tick of Play,
    which stops at the last word."""
    number = min(max(st.session_state.get(state.LAB_RNN_STEP, 1), 1), count)
    if playing and st.session_state.get(state.LAB_RNN_TICKED):
        number = min(number + 1, count)
    st.session_state[state.LAB_RNN_TICKED] = playing
    st.session_state[state.LAB_RNN_STEP] = number
    if playing and number == count:
        _set_playing(False)
    return number


def _set_playing(playing: bool, restart: bool = False) -> None:
    """Start or stop Play (from the first word if ``restart``), redrawing the page to (un)set the timer."""
    st.session_state[state.LAB_RNN_PLAYING] = playing
    st.session_state[state.LAB_RNN_TICKED] = False
    if restart:
        st.session_state[state.LAB_RNN_STEP] = 1
    st.rerun(scope="app")
