"""The training page's pure helpers and figures: presets, curves, progress, smoothing, CSV, typed reviews."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from explorer.training.config import RunConfig, parameter_breakdown, total_parameters
from explorer.training.inference import MIN_KNOWN_WORDS, ReviewPrediction
from explorer.training.plots import (
    NBSVM_BIGRAM,
    TFIDF_LR_RANGE,
    confusion_figure,
    fitted_range,
    live_figure,
    overlay_figure,
    roc_figure,
    standing_figure,
)
from explorer.training.view import (
    PRESETS,
    best_epoch,
    curves,
    describe_model,
    early_stop_epoch,
    history_csv,
    preset_config,
    progress,
    review_ids,
    smooth,
    summarize,
    tokens_html,
    user_stop_epoch,
)


def batch(epoch: int, number: int, steps: int, at: float) -> dict:
    return {
        "type": "batch",
        "epoch": epoch,
        "batch": number,
        "steps": steps,
        "loss": 1.0 / (epoch + number),
        "accuracy": 0.5,
        "time": at,
    }


def epoch_event(epoch: int, val_loss: float, seconds: float = 10.0) -> dict:
    return {
        "type": "epoch",
        "epoch": epoch,
        "loss": 0.6,
        "accuracy": 0.7,
        "val_loss": val_loss,
        "val_accuracy": 1 - val_loss,
        "seconds": seconds,
    }


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_is_a_valid_run(name):
    config = preset_config(name, seed=7, source="keras").validate()
    assert config.seed == 7 and config.source == "keras"


def test_the_book_presets_have_the_books_parameter_counts():
    assert total_parameters(preset_config("book_onehot")) == 4_081  # SimpleRNN(8, input_shape=(100, 500)) + Dense(1)
    assert total_parameters(preset_config("book_embedding")) == 8_209  # 8,000 + 200 + 9
    onehot = preset_config("book_onehot")
    assert (onehot.learning_rate, onehot.batch_size, onehot.patience, onehot.optimizer) == (1e-4, 64, 3, "rmsprop")


def test_the_chollet_presets_differ_only_in_the_layer():
    configs = [preset_config(f"chollet_{layer}") for layer in ("simple_rnn", "lstm", "gru")]
    assert {(c.num_words, c.maxlen, c.units) for c in configs} == {(10_000, 500, 32)}
    assert [c.layer for c in configs] == ["simple_rnn", "lstm", "gru"]
    assert preset_config("flatten").maxlen == 20 and preset_config("glove").encoding == "glove"


def test_describe_model():
    assert describe_model(preset_config("book_embedding")) == "Embedding(500, 16) → SimpleRNN(8) → Dense(1)"
    stacked = RunConfig(layer="lstm", units=4, stacked=2, bidirectional=True)
    assert describe_model(stacked).count("Bidirectional(LSTM(4))") == 2
    assert "Flatten" in describe_model(preset_config("flatten"))
    assert len(parameter_breakdown(stacked)) == 4


def test_curves_place_batches_between_epochs_and_fall_back_to_the_history():
    events = [batch(1, 2, 4, 0.0), batch(1, 4, 4, 1.0), epoch_event(1, 0.6), batch(2, 2, 4, 2.0), {"type": "state"}]
    found = curves(events, history=[{"epoch": 9}])
    assert found.batch_x == [0.5, 1.0, 1.5] and [row["epoch"] for row in found.epochs] == [1]
    assert found.point_count == 4
    stored = curves([], history=[{"epoch": 1}, {"epoch": 2}])
    assert stored.batch_x == [] and len(stored.epochs) == 2


def test_best_and_early_stop_epochs():
    rows = [epoch_event(1, 0.6), epoch_event(2, 0.4), epoch_event(3, 0.5)]
    assert best_epoch(rows) == 2 and best_epoch([]) is None
    config = RunConfig(epochs=10, patience=1)
    assert early_stop_epoch([{"type": "early_stop", "epoch": 3}], rows, config, "running") == 3
    assert early_stop_epoch([], rows, config, "finished") == 3  # a stored run that ended before its 10 epochs
    assert early_stop_epoch([], rows, config, "stopped") is None
    assert early_stop_epoch([], rows, config.with_changes(patience=0), "finished") is None
    assert user_stop_epoch(rows) is None and user_stop_epoch([*rows, {"epoch": 4, "partial": True}]) == 4


def test_progress_and_eta():
    config = RunConfig(epochs=4)
    assert progress([], config).eta_seconds is None and progress([], config).fraction == 0
    early = progress([batch(1, 1, 10, 100.0), batch(1, 5, 10, 104.0)], config)
    assert (early.epoch, early.step, early.steps) == (1, 5, 10)
    assert early.fraction == pytest.approx(5 / 40) and early.eta_seconds == pytest.approx(35.0)  # 1 s per step
    later = progress(
        [batch(1, 10, 10, 0.0), epoch_event(1, 0.5, seconds=30.0), epoch_event(2, 0.5, seconds=20.0)], config
    )
    assert (later.epoch, later.step) == (2, 10)  # the epoch messages are newer than the last batch message
    assert later.fraction == pytest.approx(0.5) and later.eta_seconds == pytest.approx(
        40.0
    )  # the last epoch's 20 s, twice


def test_smoothing():
    assert np.allclose(smooth([1.0, 2.0, 3.0], 0.0), [1, 2, 3])
    constant = smooth([5.0] * 10, 0.9)
    assert np.allclose(constant, 5.0), "the start-up correction keeps a constant curve flat"
    noisy = np.random.default_rng(0).normal(size=500)
    assert smooth(noisy, 0.9).std() < noisy.std() / 2
    with pytest.raises(ValueError, match="smoothing"):
        smooth([1.0], 1.0)


def test_summary_and_history_csv():
    history = [{**epoch_event(1, 0.6), "best": True}, {**epoch_event(2, 0.4), "best": True, "val_auc": 0.8}]
    summary = summarize(RunConfig(), history, {"accuracy": 0.81})
    assert (summary.epochs, summary.best_epoch, summary.test_accuracy, summary.seconds) == (2, 2, 0.81, 20.0)
    assert summary.best_val_accuracy == pytest.approx(0.6)
    rows = list(csv.DictReader(io.StringIO(history_csv(history).decode("utf-8"))))
    assert [row["epoch"] for row in rows] == ["1", "2"] and rows[1]["val_auc"] == "0.8" and rows[0]["val_auc"] == ""
    assert "type" not in rows[0]


def test_a_typed_review_becomes_corpus_ids(small_corpus):
    words, ids = review_ids("Great film!<br />A zebraword, AWFUL.", small_corpus)
    assert words == ["great", "film", "a", "zebraword", "awful"]
    assert ids[0] == 1 and ids[4] == 2 and ids[1] == small_corpus.word_id("great")
    chips = tokens_html(["good", "<b>"], [False, True], "oov")
    assert "&lt;b&gt;" in chips and chips.count("line-through") == 1


def test_words_in_other_scripts_are_unknown_words_not_dropped(small_corpus):
    words, ids = review_ids("이 영화 정말 최고! great…", small_corpus)
    assert words == ["이", "영화", "정말", "최고", "great"]  # as Keras's Tokenizer splits them
    assert ids == [1, 2, 2, 2, 2, small_corpus.word_id("great")]
    assert review_ids("   ", small_corpus) == ([], [1]) and review_ids("— !!", small_corpus) == ([], [1])


@pytest.mark.parametrize(
    ("flags", "known", "verdict"),
    [
        ([False], 0, False),  # an empty review: only the start id
        ([False, True, True, True, False], 1, False),  # Korean words and one known word
        ([False] + [False] * MIN_KNOWN_WORDS, MIN_KNOWN_WORDS, True),
    ],
)
def test_a_verdict_needs_enough_known_words(flags, known, verdict):
    prediction = ReviewPrediction([0] * len(flags), flags, 0.895)
    assert (prediction.known_words, prediction.has_verdict) == (known, verdict)


def test_figures():
    events = [batch(1, 2, 4, 0.0), batch(1, 4, 4, 1.0), epoch_event(1, 0.6), epoch_event(2, 0.4)]
    live = live_figure(curves([*events, {**epoch_event(3, 0.5), "partial": True}]), 2, None, 0.5, "en")
    assert [note.text for note in live.layout.annotations if note.text.startswith(("best", "stopped"))] == [
        "best 2",
        "stopped 3",
    ]
    names = {trace.name for trace in live.data}
    assert {"training, per batch", "training, smoothed", "validation"} <= names
    assert any(getattr(shape, "y0", None) == NBSVM_BIGRAM for shape in live.layout.shapes)
    overlay = overlay_figure(
        {"a": [epoch_event(1, 0.6)], "b": [epoch_event(1, 0.5), epoch_event(2, 0.4)]}, "val_loss", 0.3, "ko"
    )
    assert {trace.name for trace in overlay.data} >= {"a", "b"} and overlay.layout.yaxis.title.text == "검증 손실"
    confusion = confusion_figure([[40, 10], [5, 45]], "en")
    assert confusion.data[0].text[0][0] == "40<br>40.0%"
    roc = roc_figure([0, 0.5, 1], [0, 0.9, 1], 0.8, [[40, 10], [5, 45]], "en")
    point = roc.data[-1]
    assert point.x[0] == pytest.approx(10 / 50) and point.y[0] == pytest.approx(45 / 50)
    standing = standing_figure(0.7, "en", measured_baseline=0.86)
    assert list(standing.data[0].y) == [
        "chance",
        "this run",
        "TF-IDF + logistic regression, measured on this data",
        "TF-IDF + logistic regression (0.89–0.90)",
        "NBSVM bigrams, Wang & Manning (0.912)",
    ]


def test_a_pause_does_not_count_in_the_estimate():
    config = RunConfig(epochs=2)
    steady = [batch(1, 1, 10, 0.0), batch(1, 5, 10, 4.0)]  # 1 s per batch
    paused = [
        batch(1, 1, 10, 0.0),
        batch(1, 3, 10, 2.0),
        {"type": "paused", "time": 2.5},
        {"type": "resumed", "time": 602.5},  # ten minutes' pause
        batch(1, 5, 10, 604.0),
    ]
    assert progress(steady, config).eta_seconds == pytest.approx(15.0)
    assert progress(paused, config).eta_seconds == pytest.approx(15.0)
    still_paused = [*paused[:3], {"type": "paused", "time": 2.5}]
    assert progress(still_paused, config).eta_seconds == pytest.approx(17.0)  # frozen, not growing


def test_a_stopped_epoch_is_drawn_and_counted_where_it_stopped():
    events = [
        batch(1, 10, 10, 1.0),
        epoch_event(1, 0.6),
        batch(2, 3, 10, 2.0),
        {**epoch_event(2, 0.55), "partial": True},
    ]
    found = curves(events)
    assert found.epoch_x == [1.0, 1.3]
    now = progress(events, RunConfig(epochs=5))
    assert (now.epoch, now.step, now.steps) == (2, 3, 10)  # not 10 / 10
    recorded = {**epoch_event(2, 0.55), "partial": True, "batches": 4, "steps": 10}  # the trainer's own count
    assert curves([], history=[epoch_event(1, 0.6), recorded]).epoch_x == [1.0, 1.4]
    figure = live_figure(found, 1, None, 0.0, "en")
    validation = next(trace for trace in figure.data if trace.name == "validation")
    assert list(validation.x) == [1.0, 1.3] and list(validation.marker.symbol) == ["circle", "circle-open"]
    assert any(shape.x0 == 1.3 for shape in figure.layout.shapes), "the stop mark sits where it stopped"
    only_partial = curves([batch(1, 3, 10, 0.0), {**epoch_event(1, 0.6), "partial": True}])
    marks = {shape.x0 for shape in live_figure(only_partial, 1, None, 0.0, "en").layout.shapes if shape.type == "line"}
    assert 1.0 not in marks and 0.3 in marks, "a best epoch that a stop cut short is marked where it stopped"


def test_axes_are_fitted_to_the_curves_not_to_the_references_or_the_noise():
    rows = [
        {**epoch_event(epoch, 0.6), "accuracy": 0.5 + 0.1 * epoch, "val_accuracy": 0.5 + 0.1 * epoch}
        for epoch in (1, 2, 3)
    ]
    noise = [{**batch(1, step, 4, step), "loss": 0.6931 + 0.0001 * step} for step in (1, 2, 3, 4)]
    figure = live_figure(curves([*noise, *rows]), None, None, 0.0, "en")
    loss_low, loss_high = figure.layout.yaxis.range
    accuracy_low, accuracy_high = figure.layout.yaxis2.range
    assert loss_high - loss_low >= 0.1, "a loss moving by 0.0003 is not zoomed into"
    assert accuracy_low <= 0.5 and 0.8 <= accuracy_high < TFIDF_LR_RANGE[0]
    notes = [note.text for note in figure.layout.annotations]
    assert "book: 0.79" in notes
    assert {trace.name for trace in figure.data} >= {
        "TF-IDF + logistic regression (0.89–0.90) ↑ above this axis",
        "NBSVM bigrams, Wang & Manning (0.912) ↑ above this axis",
    }
    high = live_figure(curves([{**epoch_event(1, 0.2), "val_accuracy": 0.93}]), None, None, 0.0, "ko")
    assert high.layout.yaxis2.range[1] >= 0.93 and "책: 0.79" in [n.text for n in high.layout.annotations]
    assert not any("↑" in (trace.name or "") for trace in high.data)
    assert fitted_range([0.99, 1.0], 0.1, (0.0, 1.0)) == pytest.approx([0.9, 1.0])


def test_the_standing_bars_start_at_zero():
    assert standing_figure(0.8, "en").layout.xaxis.range == (0.0, 1.0)


def test_smoothing_skips_a_missing_value():
    assert np.allclose(smooth([1.0, np.nan, 1.0], 0.5), 1.0)
