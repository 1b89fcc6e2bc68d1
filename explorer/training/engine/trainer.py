"""Train one run: data, model, fit with streaming, early stopping, saving, evaluation.

Runs inside the worker process. Progress goes out through ``emit`` as plain dicts; ``Control``
is asked between batches whether to pause or stop. The book's
``EarlyStopping(patience=3, restore_best_weights=True)`` and ``ModelCheckpoint`` are done here by
one ``Recorder``, because a user's stop must also end with the best weights restored, which
Keras's ``EarlyStopping`` only does when it stops training itself.

The book's plain models (``compiled_fit``) train in the compiled loops from ``initial_weights``,
with no TensorFlow: a run starts at once, even while a just-started worker is still importing
TensorFlow (``load_keras_in_background``), which takes 10–20 s on a busy 2-core server. Keras
is needed only to write ``best.keras``, which waits until it is there; the weights and word
vectors the pages read are saved every epoch from numpy. Other models build and fit with Keras
(``keras_fit``).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import numpy as np

from explorer.data.glove import embedding_matrix, load_glove
from explorer.training import runs
from explorer.training.config import DEFAULT_SPEED, RunConfig, Speed
from explorer.training.data import TrainingData, prepared_for, source_spec
from explorer.training.engine.compiled_fit import (
    PlainTrainer,
    Snapshot,
    cross_entropy,
    initial_weights,
    is_plain,
    weights_by_name,
)
from explorer.training.evaluate import evaluate_predictions

Emit = Callable[[dict[str, Any]], None]
BATCH_EVENT_INTERVAL_S = 0.25  # at most about four batch messages per second
_keras_import_started = threading.Event()  # set once ``load_keras_in_background`` started its thread
_keras_loaded = threading.Event()  # set once ``keras_fit`` (and with it TensorFlow) is imported


class Control(Protocol):
    """What the trainer asks between batches."""

    def should_stop(self) -> bool:
        """True once the user asked to stop; may block while the run is paused."""
        ...


class NoControl:
    """A run nobody pauses or stops (the benchmark)."""

    def should_stop(self) -> bool:
        """Never."""
        return False


def warm_up() -> None:
    """Prepare the data of a class's likely first run while the worker waits: the book's settings on
    the server's own data (what the training page's form starts with).

    Only a corpus already cached on disk is used: a worker never downloads or encodes data unasked.
    """
    from explorer.data import sources

    try:
        spec = sources.resolve()
        if sources.cache_path(spec).is_file():
            prepared_for(RunConfig(source=source_spec(spec.kind, spec.path)))
    except Exception:  # noqa: BLE001 (only a head start: a run on this data reports any problem itself)
        return


def load_keras_in_background(threads: int) -> None:
    """Import TensorFlow and Keras in a thread of their own (once per process), so that runs need not wait.

    The import stalls the process's other threads for about 1.5 s while it loads TensorFlow's
    libraries, and takes a core for 10 s on a busy server, so the worker starts it when that cannot
    delay a student's first points: once it has been idle a while, or after a run's first epoch.
    """
    if not _keras_import_started.is_set():
        _keras_import_started.set()
        threading.Thread(target=keras_side, args=(threads,), name="tensorflow-import", daemon=True).start()


def keras_side(threads: int) -> ModuleType:
    """``keras_fit``, imported on first use (it imports TensorFlow, running ops on ``threads`` threads).

    A call while another thread imports it waits for that import to finish.
    """
    from explorer.training.engine import keras_fit

    keras_fit.use_threads(threads)
    _keras_loaded.set()
    return keras_fit


def train_run(run_id: str, config: RunConfig, emit: Emit, control: Control, speed: Speed = DEFAULT_SPEED) -> str:
    """Train run ``run_id`` to the end and return its final state (``finished`` or ``stopped``).

    Errors propagate to the caller, which reports the run as failed.
    """
    data = prepared_for(config)
    emit({"type": "data", "train": len(data.y_train), "validation": len(data.y_val), "test": len(data.y_test)})
    matrix = None
    if config.encoding == "glove":
        glove = load_glove(None if config.glove_path is None else Path(config.glove_path).expanduser())
        matrix, coverage = embedding_matrix(glove, data.words_by_id, config.num_words)
        emit(
            {
                "type": "glove",
                "found": coverage.found,
                "total": coverage.total,
                "share": coverage.share,
                "missing_examples": list(coverage.missing_examples),
            }
        )
    recorder = Recorder(run_id, config, emit, control, len(data.y_train))
    if speed.compiled_loops and is_plain(config):
        probabilities = train_plain(run_id, config, data, matrix, recorder, speed)
    else:
        probabilities = keras_side(speed.threads).train_with_keras(config, data, matrix, recorder, speed)
    runs.save_evaluation(run_id, evaluate_predictions(data.y_test, probabilities).to_dict())
    return "stopped" if recorder.stopped_by_user else "finished"


def train_plain(
    run_id: str, config: RunConfig, data: TrainingData, matrix: np.ndarray | None, recorder: Recorder, speed: Speed
) -> np.ndarray:
    """Train a plain model in the compiled loops; its P(positive) on the test reviews with the best weights."""
    trainer = PlainTrainer(config, initial_weights(config, matrix))
    recorder.emit({"type": "model", "parameters": sum(int(weight.size) for weight in trainer.weights)})
    checkpoint = PlainCheckpoint(run_id, config, matrix, speed, trainer)
    fit_plain(trainer, data, recorder, checkpoint)
    checkpoint.write_model(wait=True)
    return PlainTrainer(config, recorder.best_weights or trainer.weights).predict(data.x_test)


def fit_plain(trainer: PlainTrainer, data: TrainingData, recorder: Recorder, checkpoint: PlainCheckpoint) -> None:
    """What ``model.fit`` does, with ``PlainTrainer`` taking the steps: the same logs and stops.

    As in Keras, the training data is shuffled every epoch, the logged loss and accuracy are
    running means over the epoch's reviews, and a stop asked for during an epoch still validates it.
    """
    config = trainer.config
    shuffle = np.random.default_rng(config.seed)
    for epoch in range(config.epochs):
        recorder.on_epoch_begin()
        loss_sum, correct, seen = 0.0, 0, 0
        order = shuffle.permutation(len(data.y_train))
        for step, start in enumerate(range(0, len(order), config.batch_size)):
            batch = order[start : start + config.batch_size]
            result = trainer.train_batch(data.x_train[batch], data.y_train[batch])
            loss_sum, correct, seen = loss_sum + result.loss_sum, correct + result.correct, seen + len(batch)
            recorder.on_train_batch_end(step, {"loss": loss_sum / seen, "accuracy": correct / seen})
            if recorder.stop_training:
                break
        logits = trainer.logits(data.x_val)
        validation = {
            "val_loss": float(cross_entropy(logits, data.y_val).mean()),
            "val_accuracy": float(((logits > 0) == (data.y_val > 0.5)).mean()),
        }
        recorder.on_epoch_end(epoch, {"loss": loss_sum / seen, "accuracy": correct / seen, **validation}, checkpoint)
        checkpoint.load_keras()  # from the first epoch's end on (see ``load_keras_in_background``)
        checkpoint.write_model(wait=False)  # an earlier best model, once Keras has been loaded
        if recorder.stop_training:
            return


class Checkpoint(Protocol):
    """What the recorder saves of a model at an epoch's end."""

    def weights(self) -> list[np.ndarray]:
        """A copy of the model's weights now."""
        ...

    def save_best(self) -> None:
        """Save the model as the run's best: ``best.keras`` and the named weights."""
        ...

    def word_vectors(self) -> np.ndarray | None:
        """The embedding matrix now (row ``i`` = word id ``i``), or None for one-hot input."""
        ...


class PlainCheckpoint:
    """A plain model's checkpoints: weights and vectors from numpy at once, ``best.keras`` once Keras is there."""

    def __init__(
        self, run_id: str, config: RunConfig, matrix: np.ndarray | None, speed: Speed, trainer: PlainTrainer
    ) -> None:
        self.run_id, self.config, self.matrix, self.speed, self.trainer = run_id, config, matrix, speed, trainer
        self.unwritten: Snapshot | None = None  # the best model, until best.keras holds it
        self.model: Any = None  # the Keras model that writes best.keras, built on first use

    def weights(self) -> list[np.ndarray]:
        """A copy of the weights now."""
        return [weight.copy() for weight in self.trainer.weights]

    def save_best(self) -> None:
        """Save the weights now, and ``best.keras`` now if Keras is loaded, else later (``write_model``)."""
        self.unwritten = self.trainer.snapshot()
        runs.save_weights(self.run_id, weights_by_name(self.config, self.unwritten.weights))
        self.write_model(wait=False)

    def word_vectors(self) -> np.ndarray | None:
        """The embedding matrix now, or None for one-hot input."""
        return None if self.config.encoding == "one_hot" else self.trainer.weights[0].copy()

    def load_keras(self) -> None:
        """Have Keras imported in the background, for ``best.keras`` (does nothing once started)."""
        load_keras_in_background(self.speed.threads)

    def write_model(self, *, wait: bool) -> None:
        """Write the best model not yet in ``best.keras``; unless ``wait``, only if Keras is already loaded."""
        if self.unwritten is None or not (wait or _keras_loaded.is_set()):
            return
        keras_fit = keras_side(self.speed.threads)
        if self.model is None:
            self.model = keras_fit.portable_model(self.config, self.matrix, self.speed)
        keras_fit.save_plain_model(self.run_id, self.model, self.unwritten)
        self.unwritten = None


class Recorder:
    """Streams progress, obeys pause and stop, stops early, and saves what each epoch produces."""

    def __init__(self, run_id: str, config: RunConfig, emit: Emit, control: Control, train_size: int) -> None:
        self.run_id, self.config, self.emit, self.control = run_id, config, emit, control
        self.steps = math.ceil(train_size / config.batch_size)
        self.history: list[dict[str, Any]] = []
        self.best_val_loss = math.inf
        self.best_weights: list[np.ndarray] | None = None
        self.epochs_without_improvement = 0
        self.stopped_by_user = self.stop_training = False
        self.epoch_start = self.last_batch_event = 0.0
        self.paused_seconds = 0.0  # of the current epoch: a pause is not training time
        self.batches_done = 0  # of the current epoch

    def on_epoch_begin(self) -> None:
        """Start the epoch's clock."""
        self.epoch_start = time.perf_counter()
        self.paused_seconds = 0.0

    def on_train_batch_end(self, batch: int, logs: dict[str, Any]) -> None:
        """Throttled batch message; then pause (blocking) or stop if asked."""
        now = time.perf_counter()
        if now - self.last_batch_event >= BATCH_EVENT_INTERVAL_S:
            self.last_batch_event = now
            self.emit(
                {
                    "type": "batch",
                    "epoch": len(self.history) + 1,
                    "batch": batch + 1,
                    "steps": self.steps,
                    **_floats(logs),
                }
            )
        self.batches_done = batch + 1
        asked = time.perf_counter()
        if self.control.should_stop():
            self.stopped_by_user = self.stop_training = True
        self.paused_seconds += time.perf_counter() - asked  # should_stop blocks while the run is paused

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], checkpoint: Checkpoint) -> None:
        """Record the epoch, keep the best weights, save files, and stop early if due."""
        values = _floats(logs)
        seconds = time.perf_counter() - self.epoch_start - self.paused_seconds
        improved = values.get("val_loss", math.inf) < self.best_val_loss
        if improved:
            self.best_val_loss = values["val_loss"]
            self.best_weights = checkpoint.weights()
            self.epochs_without_improvement = 0
            checkpoint.save_best()
        else:
            self.epochs_without_improvement += 1
        vectors = checkpoint.word_vectors()
        if vectors is not None:
            runs.save_embedding(self.run_id, epoch + 1, vectors)
        mean_seconds = (sum(row["seconds"] for row in self.history) + seconds) / (len(self.history) + 1)
        row = {
            "epoch": epoch + 1,
            **values,
            "seconds": seconds,
            "eta_seconds": mean_seconds * (self.config.epochs - epoch - 1),
        }
        row |= {"best": improved, "partial": self.stopped_by_user}  # partial: a stop cut its training short
        if self.stopped_by_user:  # how far it got, so the page draws it there
            row |= {"batches": self.batches_done, "steps": self.steps}
        self.history.append(row)
        runs.write_history(self.run_id, self.history)
        self.emit({"type": "epoch", **row})
        if self.config.patience and self.epochs_without_improvement >= self.config.patience:
            self.stop_training = True
            self.emit({"type": "early_stop", "epoch": epoch + 1, "best_val_loss": self.best_val_loss})


def _floats(logs: dict[str, Any] | None) -> dict[str, float]:
    return {name: float(value) for name, value in (logs or {}).items()}
