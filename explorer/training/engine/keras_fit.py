"""The Keras half of training (imports TensorFlow): models ``compiled_fit`` does not train, and ``best.keras``.

``trainer`` imports this module only when a run needs it, so that the book's plain models can
train while the worker is still importing TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import keras
import numpy as np
import tensorflow as tf

from explorer.training import runs
from explorer.training.config import RunConfig, Speed
from explorer.training.data import TrainingData
from explorer.training.engine.compiled_fit import Snapshot
from explorer.training.engine.model import build_model, compile_model, export_weights, portable_speed, word_vectors

if TYPE_CHECKING:  # trainer imports this module when a run first needs it
    from explorer.training.engine.trainer import Recorder


def use_threads(count: int) -> None:
    """Run TensorFlow's ops on ``count`` threads.

    Only possible before the process's first TensorFlow op; later calls keep the first setting.
    """
    try:
        tf.config.threading.set_intra_op_parallelism_threads(count)
        tf.config.threading.set_inter_op_parallelism_threads(count)
    except RuntimeError:
        return  # this process already ran TensorFlow ops; the earlier setting stays


def compiled_model(config: RunConfig, matrix: np.ndarray | None, speed: Speed) -> keras.Model:
    """The compiled Keras model of ``config`` (``matrix``: a GloVe run's embedding)."""
    return compile_model(build_model(config, matrix, speed), config, speed)


def portable_model(config: RunConfig, matrix: np.ndarray | None, speed: Speed) -> keras.Model:
    """The model ``best.keras`` is written from: Keras's own layers, so that a student's download loads
    in plain Keras. Only a one-hot model with ``mask_zero`` keeps the explorer's ``OneHot`` layer."""
    return compiled_model(config, matrix, portable_speed(speed))


def train_with_keras(
    config: RunConfig, data: TrainingData, matrix: np.ndarray | None, recorder: Recorder, speed: Speed
) -> np.ndarray:
    """Build and fit the model with Keras; its P(positive) on the test reviews with the best weights."""
    model = compiled_model(config, matrix, speed)
    recorder.emit({"type": "model", "parameters": int(model.count_params())})
    model.fit(
        data.x_train,
        data.y_train,
        batch_size=config.batch_size,
        epochs=config.epochs,
        validation_data=(data.x_val, data.y_val),
        validation_batch_size=config.inference_batch_size(),
        callbacks=[Streamer(recorder, lambda: portable_model(config, matrix, speed))],
        verbose=0,
    )
    if recorder.best_weights is not None:
        model.set_weights(recorder.best_weights)
    return model.predict(data.x_test, batch_size=config.inference_batch_size(), verbose=0)[:, 0]


def save_plain_model(run_id: str, model: keras.Model, snapshot: Snapshot) -> None:
    """Write ``best.keras`` of a plain model from ``snapshot``, optimizer state included."""
    model.set_weights(snapshot.weights)
    store_optimizer_state(snapshot, model)
    runs.save_model(run_id, model.save)  # atomic: a temporary .keras renamed into place


def store_optimizer_state(snapshot: Snapshot, model: keras.Model) -> None:
    """Copy the compiled loops' optimizer state into the Keras optimizer.

    The saved model then holds what the book's ``ModelCheckpoint`` saves: the optimizer's step
    count and averages, so training can go on from it (and loading it warns of nothing missing).
    """
    optimizer = model.optimizer
    optimizer.build(model.trainable_variables)  # does nothing once built
    optimizer.iterations.assign(snapshot.iterations)
    for slot, values in (("momentum", snapshot.momentums), ("velocity", snapshot.velocities)):
        if values:  # Keras's optimizers name a weight's slot variables "<weight>_<slot>", in weight order
            slot_variables = [variable for variable in optimizer.variables if variable.name.endswith(f"_{slot}")]
            kept = [value for value, trainable in zip(values, snapshot.trainable, strict=True) if trainable]
            for variable, value in zip(slot_variables, kept, strict=True):
                variable.assign(value)


class Streamer(keras.callbacks.Callback):
    """Keras's side of a ``Recorder``: its callbacks, the model's stop flag and checkpoints.

    ``portable`` builds the model ``best.keras`` is written from (``portable_model``), once.
    """

    def __init__(self, recorder: Recorder, portable: Callable[[], keras.Model]) -> None:
        super().__init__()
        self.recorder, self.build_portable = recorder, portable
        self.portable: keras.Model | None = None

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Start the epoch's clock."""
        self.recorder.on_epoch_begin()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Stream the batch; stop training if the recorder says so."""
        self.recorder.on_train_batch_end(batch, logs or {})
        self.model.stop_training = self.model.stop_training or self.recorder.stop_training

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Record and save the epoch; stop training if the recorder says so."""
        checkpoint = KerasCheckpoint(self.model, self.recorder.run_id, self.portable_model)
        self.recorder.on_epoch_end(epoch, logs or {}, checkpoint)
        self.model.stop_training = self.model.stop_training or self.recorder.stop_training

    def portable_model(self) -> keras.Model:
        """The model ``best.keras`` is written from, built on first use."""
        if self.portable is None:
            self.portable = self.build_portable()
        return self.portable


class KerasCheckpoint:
    """A Keras model's checkpoints: the named weights from the model, ``best.keras`` from a portable copy."""

    def __init__(self, model: keras.Model, run_id: str, portable: Callable[[], keras.Model]) -> None:
        self.model, self.run_id, self.portable = model, run_id, portable

    def weights(self) -> list[np.ndarray]:
        """A copy of the model's weights now."""
        return self.model.get_weights()

    def save_best(self) -> None:
        """Write ``best.keras`` (weights and optimizer state copied into the portable model) and the named weights."""
        portable = self.portable()
        portable.set_weights(self.model.get_weights())
        portable.optimizer.build(portable.trainable_variables)  # does nothing once built
        for target, source in zip(portable.optimizer.variables, self.model.optimizer.variables, strict=True):
            target.assign(source)
        runs.save_model(self.run_id, portable.save)  # atomic: a temporary .keras renamed into place
        runs.save_weights(self.run_id, export_weights(self.model))

    def word_vectors(self) -> np.ndarray | None:
        """The embedding matrix now, or None for one-hot input."""
        return word_vectors(self.model)
