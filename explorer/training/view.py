"""What the training page shows, computed from a run's settings, progress messages and history.

Pure functions over plain values (no Streamlit, no TensorFlow): the tutorials' presets, the
live curves and progress read from the job manager's messages, smoothing, a short summary of
each stored run, the history as CSV, and a typed review turned into corpus ids.
"""

from __future__ import annotations

import csv
import html
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from explorer.book import BOOK_EMBEDDING_DIM, BOOK_MAXLEN, BOOK_NUM_WORDS, BOOK_UNITS
from explorer.data.aclimdb import LINE_BREAK, tokenize
from explorer.data.corpus import OOV_ID, START_ID, Corpus
from explorer.training.config import KERAS_CLASS, PACKAGE_GLOVE_DIM, RunConfig

OTHER_SCRIPT_WORD = re.compile(r"[^\W_]+")  # a run of letters or digits in any script (punctuation splits)
CHOLLET_NUM_WORDS = 10_000  # Deep Learning with Python, 6.1-6.2: the 10,000 most frequent words
CHOLLET_RMSPROP_RATE = 1e-3  # Keras's RMSprop default, which those listings use
CHOLLET_EPOCHS = 10  # they train for 10 epochs, without early stopping

# One-click settings of the tutorials' models; every setting not named keeps RunConfig's default.
PRESETS: dict[str, dict[str, Any]] = {
    "book_onehot": {"encoding": "one_hot", "units": BOOK_UNITS, "num_words": BOOK_NUM_WORDS, "maxlen": BOOK_MAXLEN},
    "book_embedding": {
        "embedding_dim": BOOK_EMBEDDING_DIM,
        "units": BOOK_UNITS,
        "num_words": BOOK_NUM_WORDS,
        "maxlen": BOOK_MAXLEN,
    },
    "flatten": {
        "layer": "flatten_dense",
        "embedding_dim": 8,
        "num_words": CHOLLET_NUM_WORDS,
        "maxlen": 20,
        "batch_size": 32,
        "learning_rate": CHOLLET_RMSPROP_RATE,
        "epochs": CHOLLET_EPOCHS,
        "patience": 0,
    },
    **{
        f"chollet_{layer}": {
            "layer": layer,
            "units": 32,
            "embedding_dim": 32,
            "num_words": CHOLLET_NUM_WORDS,
            "maxlen": 500,
            "batch_size": 128,
            "learning_rate": CHOLLET_RMSPROP_RATE,
            "epochs": CHOLLET_EPOCHS,
            "patience": 0,
        }
        for layer in ("simple_rnn", "lstm", "gru")
    },
    # 6.1.3: frozen GloVe vectors, Flatten, and only 200 training reviews (where pretrained vectors help most)
    "glove": {
        "encoding": "glove",
        "layer": "flatten_dense",
        "embedding_dim": PACKAGE_GLOVE_DIM,
        "num_words": CHOLLET_NUM_WORDS,
        "maxlen": 100,
        "subset": 200,
        "batch_size": 32,
        "learning_rate": CHOLLET_RMSPROP_RATE,
        "epochs": CHOLLET_EPOCHS,
        "patience": 0,
    },
}


def preset_config(name: str, seed: int = RunConfig.seed, source: str = "") -> RunConfig:
    """The settings of preset ``name`` (keeping the user's ``seed`` and data ``source``)."""
    return RunConfig(**PRESETS[name], seed=seed, source=source)


def describe_model(config: RunConfig) -> str:
    """The model as one line of layers, e.g. ``Embedding(500, 16) → SimpleRNN(8) → Dense(1)``."""
    return " → ".join([*_layers(config), "Dense(1)"])


def short_model(config: RunConfig) -> str:
    """The model without its output layer, e.g. ``Embedding(500, 16) → LSTM(32)`` (a run's name)."""
    return " → ".join(_layers(config))


def _layers(config: RunConfig) -> list[str]:
    """The model's layers before the output, as Keras calls them."""
    if config.encoding == "one_hot":
        parts = [f"OneHot({config.num_words})"]
    else:
        source = "GloVe " if config.encoding == "glove" else ""
        parts = [f"{source}Embedding({config.num_words}, {config.embedding_dim})"]
    if config.is_recurrent:
        layer = f"{KERAS_CLASS[config.layer]}({config.units})"
        layer = f"Bidirectional({layer})" if config.bidirectional else layer
        parts += [layer] * config.stacked
    else:
        parts.append("Flatten")
    return parts


def preset_of(config: RunConfig, max_num_words: int) -> str | None:
    """The preset ``config`` is (whatever its seed and data source), or None if it was changed.

    ``max_num_words``: the page caps a preset's ``num_words`` at what the loaded corpus has.
    """
    for name in PRESETS:
        preset = preset_config(name, config.seed, config.source)
        if config == preset.with_changes(num_words=min(preset.num_words, max_num_words)):
            return name
    return None


@dataclass(frozen=True)
class Curves:
    """A run's learning curves: per-batch training points and per-epoch rows.

    Batch points sit at fractional epochs (``epoch - 1 + batch / steps``), epoch rows at whole
    epochs (``epoch_x``), so both share one x axis. An epoch a user's stop cut short (its row is
    marked partial) sits where it stopped, not at the whole epoch it never finished.
    """

    batch_x: list[float] = field(default_factory=list)
    batch_loss: list[float] = field(default_factory=list)
    batch_accuracy: list[float] = field(default_factory=list)
    epochs: list[dict[str, Any]] = field(default_factory=list)
    epoch_x: list[float] = field(default_factory=list)

    @property
    def point_count(self) -> int:
        """How many points the curves hold (grows while a run trains)."""
        return len(self.batch_x) + len(self.epochs)


def curves(events: Sequence[dict[str, Any]], history: Sequence[dict[str, Any]] = ()) -> Curves:
    """Curves from progress messages; the stored ``history`` gives the epochs when there are none."""
    batches = [event for event in events if event.get("type") == "batch"]
    epochs = [event for event in events if event.get("type") == "epoch"] or list(history)
    return Curves(
        [event["epoch"] - 1 + event["batch"] / event["steps"] for event in batches],
        [event.get("loss", math.nan) for event in batches],
        [event.get("accuracy", math.nan) for event in batches],
        epochs,
        [_epoch_x(row, batches) for row in epochs],
    )


def stopped_at(row: dict[str, Any], batches: Sequence[dict[str, Any]]) -> tuple[int, int] | None:
    """(batches trained, batches per epoch) of an epoch a stop cut short, if known.

    From the row itself when the trainer recorded them, else from the epoch's last batch message.
    """
    if not row.get("partial"):
        return None
    if "batches" in row and "steps" in row:
        return int(row["batches"]), int(row["steps"])
    last = next((event for event in reversed(batches) if event["epoch"] == row["epoch"]), None)
    return (int(last["batch"]), int(last["steps"])) if last else None


def _epoch_x(row: dict[str, Any], batches: Sequence[dict[str, Any]]) -> float:
    """Where an epoch's row sits on the x axis: its number, or how far a stopped epoch got."""
    done = stopped_at(row, batches)
    return float(row["epoch"]) if done is None else row["epoch"] - 1 + done[0] / done[1]


def best_epoch(epochs: Sequence[dict[str, Any]]) -> int | None:
    """The epoch with the lowest validation loss (the weights the run keeps)."""
    scored = [row for row in epochs if "val_loss" in row]
    return min(scored, key=lambda row: row["val_loss"])["epoch"] if scored else None


def early_stop_epoch(
    events: Sequence[dict[str, Any]], epochs: Sequence[dict[str, Any]], config: RunConfig, state: str
) -> int | None:
    """The epoch at which early stopping ended the run, if it did."""
    for event in events:
        if event.get("type") == "early_stop":
            return int(event["epoch"])
    stopped_early = state == "finished" and config.patience > 0 and 0 < len(epochs) < config.epochs
    return int(epochs[-1]["epoch"]) if stopped_early else None


def user_stop_epoch(epochs: Sequence[dict[str, Any]]) -> int | None:
    """The epoch a user's stop cut short, if one did (its row is marked partial)."""
    return next((int(row["epoch"]) for row in epochs if row.get("partial")), None)


@dataclass(frozen=True)
class Progress:
    """Where a training run is: epoch and step, the share done, and the time left."""

    epoch: int  # the epoch being trained (1-based), 0 before the first batch
    epochs: int
    step: int
    steps: int  # batches per epoch, 0 until known
    fraction: float
    eta_seconds: float | None  # None until the speed is known


def progress(events: Sequence[dict[str, Any]], config: RunConfig) -> Progress:
    """The run's progress from its messages (an upper bound on the time: early stopping may end it sooner)."""
    batches = [event for event in events if event.get("type") == "batch"]
    finished = [event for event in events if event.get("type") == "epoch"]
    done = len(finished)
    if not batches:
        return Progress(done, config.epochs, 0, 0, done / config.epochs, None)
    last = batches[-1]
    steps = int(last["steps"])
    epoch, step = int(last["epoch"]), int(last["batch"])
    if done >= epoch:  # the epoch's last batch message came before its epoch message
        stopped = stopped_at(finished[-1], batches)  # a stop ends an epoch part-way
        epoch, step = done, stopped[0] if stopped else steps
    total = config.epochs * steps
    done_steps = (epoch - 1) * steps + step
    return Progress(
        epoch,
        config.epochs,
        step,
        steps,
        min(done_steps / total, 1.0),
        _eta(events, batches, finished, steps, total - done_steps),
    )


def _eta(
    events: Sequence[dict[str, Any]],
    batches: list[dict[str, Any]],
    finished: list[dict[str, Any]],
    steps: int,
    remaining_steps: int,
) -> float | None:
    """Seconds left at the recent speed: active time per batch over about the last epoch's batches.

    Paused spans are not counted, so a pause neither stretches the estimate while it lasts nor
    after it. The window of one epoch takes in one validation pass and leaves out the first
    batch, which paid for compiling the model. When the batch messages are too sparse (a fast
    model trains whole epochs between two of them), the last epoch's time is used.
    """
    last = batches[-1]

    def position(event: dict[str, Any]) -> int:
        return (event["epoch"] - 1) * steps + event["batch"]

    since = next(event for event in batches if position(event) >= position(last) - steps)
    advanced = position(last) - position(since)
    elapsed = active_seconds(since["time"], last["time"], paused_spans(events))
    if advanced > 0 and elapsed > 0:
        return elapsed / advanced * remaining_steps
    return finished[-1]["seconds"] / steps * remaining_steps if finished else None


def paused_spans(events: Sequence[dict[str, Any]]) -> list[tuple[float, float]]:
    """The (start, end) times of every pause; a pause still going on ends at infinity."""
    spans, start = [], None
    for event in events:
        if event.get("type") == "paused":
            start = event["time"]
        elif event.get("type") == "resumed" and start is not None:
            spans.append((start, event["time"]))
            start = None
    return [*spans, (start, math.inf)] if start is not None else spans


def active_seconds(start: float, end: float, pauses: Sequence[tuple[float, float]]) -> float:
    """Seconds from ``start`` to ``end`` without the parts that fall in ``pauses``."""
    return (end - start) - sum(max(0.0, min(end, stop) - max(start, begin)) for begin, stop in pauses)


def smooth(values: Sequence[float], weight: float) -> np.ndarray:
    """Exponential moving average with TensorBoard's start-up correction (0 = raw values).

    pandas' ``ewm(alpha=1 - weight)`` (``adjust=True``) divides by the sum of the weights so far,
    which is exactly TensorBoard's ``/ (1 - weight ** (n + 1))`` correction: the same curve as the
    hand-written loop it replaced, so a constant stays flat from the first point instead of
    starting near 0. It also skips a missing value instead of turning the rest of the curve NaN.
    """
    if not 0 <= weight < 1:
        raise ValueError(f"the smoothing weight must be at least 0 and below 1, not {weight}.")
    return pd.Series(values, dtype=float).ewm(alpha=1 - weight).mean().to_numpy()


@dataclass(frozen=True)
class RunSummary:
    """One line of the runs table."""

    model: str
    epochs: int
    best_epoch: int | None
    best_val_accuracy: float | None
    test_accuracy: float | None
    seconds: float


def summarize(config: RunConfig, history: Sequence[dict[str, Any]], evaluation: dict[str, Any] | None) -> RunSummary:
    """A run's model, epochs, best validation accuracy (at its best epoch), test accuracy and time."""
    best = best_epoch(history)
    best_row = next((row for row in history if row["epoch"] == best), {})
    return RunSummary(
        describe_model(config),
        len(history),
        best,
        best_row.get("val_accuracy"),
        (evaluation or {}).get("accuracy"),
        float(sum(row.get("seconds", 0.0) for row in history)),
    )


HISTORY_COLUMNS = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds", "best", "partial")


def history_csv(history: Sequence[dict[str, Any]]) -> bytes:
    """The history as CSV: the usual columns first, any other logged metric after them."""
    extra = sorted(
        {name for row in history for name in row} - set(HISTORY_COLUMNS) - {"eta_seconds", "type", "run_id", "time"}
    )
    stream = io.StringIO()
    writer = csv.DictWriter(stream, [*HISTORY_COLUMNS, *extra], extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(history)
    return stream.getvalue().encode("utf-8")


def review_words(text: str) -> list[str]:
    """A typed review's words: the corpus's tokenizer, plus the words in other scripts that it drops.

    The corpus's tokenizer keeps only ``a-z``, ``0-9`` and in-word apostrophes, so "영화 최고" would
    give no word at all, and a model would be asked about an empty review. Keras's ``Tokenizer``
    splits on spaces and punctuation whatever the script, so such a word is a word, one that no
    IMDB index holds: the model sees it as the unknown-word id, which is what a student should see.
    """
    words: list[str] = []
    for chunk in LINE_BREAK.sub(" ", text).split():
        words += tokenize(chunk) or OTHER_SCRIPT_WORD.findall(chunk.lower())
    return words


def review_ids(text: str, corpus: Corpus) -> tuple[list[str], list[int]]:
    """A typed review's words (``review_words``) and corpus ids: the start id, then each word's id."""
    words = review_words(text)
    return words, [START_ID, *(corpus.word_id(word) or OOV_ID for word in words)]


def tokens_html(words: Sequence[str], out_of_vocabulary: Sequence[bool], title: str) -> str:
    """The words as inline chips, the out-of-vocabulary ones marked (``title`` is their tooltip)."""
    chips = []
    for word, oov in zip(words, out_of_vocabulary, strict=True):
        style = "background:#f4a261;color:#000;text-decoration:line-through" if oov else "background:#2a9d8f;color:#fff"
        hint = f' title="{html.escape(title)}"' if oov else ""
        chip = f"{style};border-radius:4px;padding:1px 5px;margin:2px;display:inline-block"
        chips.append(f'<span style="{chip}"{hint}>{html.escape(word)}</span>')
    return f'<div style="line-height:1.9">{"".join(chips)}</div>'
