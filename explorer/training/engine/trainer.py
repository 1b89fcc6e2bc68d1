"""Train one run: data, model, fit with streaming, early stopping, saving, evaluation.

Runs inside the worker process (it imports TensorFlow). Progress goes out through ``emit``
as plain dicts; ``Control`` is asked between batches whether to pause or stop. The book's
``EarlyStopping(patience=3, restore_best_weights=True)`` and ``ModelCheckpoint`` are done
here by one callback, because a user's stop must also end with the best weights restored,
which Keras's ``EarlyStopping`` only does when it stops training itself. The book's plain
models take their steps in ``compiled_fit`` (``fit_plain`` drives the same callback); the
others train with Keras's ``fit``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import keras
import numpy as np
import tensorflow as tf

from explorer.data.glove import embedding_matrix, load_glove
from explorer.training import runs
from explorer.training.config import DEFAULT_SPEED, RunConfig, Speed
from explorer.training.data import TrainingData, prepared_for, source_spec
from explorer.training.engine.compiled_fit import PlainTrainer, cross_entropy, is_plain
from explorer.training.engine.model import build_model, compile_model, export_weights, word_vectors
from explorer.training.evaluate import evaluate_predictions

Emit = Callable[[dict[str, Any]], None]
BATCH_EVENT_INTERVAL_S = 0.25  # at most about four batch messages per second


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


def train_run(run_id: str, config: RunConfig, emit: Emit, control: Control, speed: Speed = DEFAULT_SPEED) -> str:
    """Train run ``run_id`` to the end and return its final state (``finished`` or ``stopped``).

    Errors propagate to the caller, which reports the run as failed.
    """
    use_threads(speed.threads)
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
    model = compile_model(build_model(config, matrix, speed), config, speed)
    emit({"type": "model", "parameters": int(model.count_params())})
    streamer = Streamer(run_id, config, emit, control, len(data.y_train))
    compiled = speed.compiled_loops and is_plain(config)
    if compiled:
        fit_plain(model, config, data, streamer)
    else:
        model.fit(
            data.x_train,
            data.y_train,
            batch_size=config.batch_size,
            epochs=config.epochs,
            validation_data=(data.x_val, data.y_val),
            validation_batch_size=config.inference_batch_size(),
            callbacks=[streamer],
            verbose=0,
        )
    if streamer.best_weights is not None:
        model.set_weights(streamer.best_weights)
    if compiled:
        probabilities = PlainTrainer(config, model.get_weights()).predict(data.x_test)
    else:
        probabilities = model.predict(data.x_test, batch_size=config.inference_batch_size(), verbose=0)[:, 0]
    runs.save_evaluation(run_id, evaluate_predictions(data.y_test, probabilities).to_dict())
    return "stopped" if streamer.stopped_by_user else "finished"


def fit_plain(model: keras.Model, config: RunConfig, data: TrainingData, streamer: Streamer) -> None:
    """What ``model.fit`` does, with ``PlainTrainer`` taking the steps: the same callbacks, logs and stops.

    As in Keras, the training data is shuffled every epoch, the logged loss and accuracy are
    running means over the epoch's reviews, a stop asked for during an epoch still validates
    it, and the Keras model holds the epoch's weights when the callback sees its end.
    """
    trainer = PlainTrainer(config, model.get_weights())
    shuffle = np.random.default_rng(config.seed)
    streamer.set_model(model)
    model.stop_training = False
    for epoch in range(config.epochs):
        streamer.on_epoch_begin(epoch)
        loss_sum, correct, seen = 0.0, 0, 0
        order = shuffle.permutation(len(data.y_train))
        for step, start in enumerate(range(0, len(order), config.batch_size)):
            batch = order[start : start + config.batch_size]
            result = trainer.train_batch(data.x_train[batch], data.y_train[batch])
            loss_sum, correct, seen = loss_sum + result.loss_sum, correct + result.correct, seen + len(batch)
            streamer.on_train_batch_end(step, {"loss": loss_sum / seen, "accuracy": correct / seen})
            if model.stop_training:
                break
        model.set_weights(trainer.weights)
        store_optimizer_state(trainer, model)
        logits = trainer.logits(data.x_val)
        validation = {
            "val_loss": float(cross_entropy(logits, data.y_val).mean()),
            "val_accuracy": float(((logits > 0) == (data.y_val > 0.5)).mean()),
        }
        streamer.on_epoch_end(epoch, {"loss": loss_sum / seen, "accuracy": correct / seen, **validation})
        if model.stop_training:
            return


def use_threads(count: int) -> None:
    """Run TensorFlow's ops on ``count`` threads.

    Only possible before the process's first TensorFlow op; later calls keep the first setting.
    """
    try:
        tf.config.threading.set_intra_op_parallelism_threads(count)
        tf.config.threading.set_inter_op_parallelism_threads(count)
    except RuntimeError:
        return  # this process already ran TensorFlow ops; the earlier setting stays


def store_optimizer_state(trainer: PlainTrainer, model: keras.Model) -> None:
    """Copy the compiled loops' optimizer state into the Keras optimizer.

    The saved model then holds what the book's ``ModelCheckpoint`` saves: the optimizer's step
    count and averages, so training can go on from it (and loading it warns of nothing missing).
    """
    optimizer = model.optimizer
    optimizer.build(model.trainable_variables)  # does nothing once built
    optimizer.iterations.assign(trainer.optimizer.iterations)
    for slot, values in (("momentum", trainer.optimizer.momentums), ("velocity", trainer.optimizer.velocities)):
        if values:  # Keras's optimizers name a weight's slot variables "<weight>_<slot>", in weight order
            slot_variables = [variable for variable in optimizer.variables if variable.name.endswith(f"_{slot}")]
            kept = [value for value, trainable in zip(values, trainer.trainable, strict=True) if trainable]
            for variable, value in zip(slot_variables, kept, strict=True):
                variable.assign(value)


class Streamer(keras.callbacks.Callback):
    """Streams progress, obeys pause/stop, stops early, and saves what each epoch produces."""

    def __init__(self, run_id: str, config: RunConfig, emit: Emit, control: Control, train_size: int) -> None:
        super().__init__()
        self.run_id, self.config, self.emit, self.control = run_id, config, emit, control
        self.steps = math.ceil(train_size / config.batch_size)
        self.history: list[dict[str, Any]] = []
        self.best_val_loss = math.inf
        self.best_weights: list[np.ndarray] | None = None
        self.epochs_without_improvement = 0
        self.stopped_by_user = False
        self.epoch_start = self.last_batch_event = 0.0
        self.paused_seconds = 0.0  # of the current epoch: a pause is not training time
        self.batches_done = 0  # of the current epoch

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Start the epoch's clock."""
        self.epoch_start = time.perf_counter()
        self.paused_seconds = 0.0

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
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
            self.stopped_by_user = True
            self.model.stop_training = True
        self.paused_seconds += time.perf_counter() - asked  # should_stop blocks while the run is paused

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Record the epoch, keep the best weights, save files, and stop early if due."""
        values = _floats(logs)
        seconds = time.perf_counter() - self.epoch_start - self.paused_seconds
        improved = values.get("val_loss", math.inf) < self.best_val_loss
        if improved:
            self.best_val_loss = values["val_loss"]
            self.best_weights = self.model.get_weights()
            self.epochs_without_improvement = 0
            runs.save_model(self.run_id, self.model.save)  # atomic: a temporary .keras renamed into place
            runs.save_weights(self.run_id, export_weights(self.model))
        else:
            self.epochs_without_improvement += 1
        vectors = word_vectors(self.model)
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
            self.model.stop_training = True
            self.emit({"type": "early_stop", "epoch": epoch + 1, "best_val_loss": self.best_val_loss})


def _floats(logs: dict[str, Any] | None) -> dict[str, float]:
    return {name: float(value) for name, value in (logs or {}).items()}
