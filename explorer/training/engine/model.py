"""Keras models for a ``RunConfig`` (imported only by the worker process, the tests and the benchmark).

Layer names are fixed (``one_hot`` or ``embedding``, ``rnn_1`` ... ``rnn_N``, ``flatten``,
``dropout``, ``dense``) so that the parameter breakdown, the exported numpy weights and the
numpy forward pass in ``explorer.training.inference`` all refer to the same layers.

One-hot encoding happens inside the model, one batch at a time (``OneHot``), so a
``(reviews, maxlen, num_words)`` array never exists: the book's 4 GB ``to_categorical`` array
becomes 13 MB per batch of 64.
"""

from __future__ import annotations

from dataclasses import replace

import keras
import numpy as np

from explorer.training.config import DEFAULT_SPEED, RunConfig, Speed
from explorer.training.engine.fast_rnn import FAST_LAYERS

RECURRENT_LAYERS = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}


@keras.saving.register_keras_serializable(package="explorer")
class OneHot(keras.layers.Layer):
    """The one-hot encoding of integer ids ``(batch, steps)``, done one batch at a time.

    With ``materialize`` the output is the one-hot floats ``(batch, steps, depth)`` (what
    ``Flatten`` and Keras's own recurrent layers need). Without it, the output is the ids as
    ``(batch, steps, 1)`` and the next layer, a ``fast_rnn`` layer with ``one_hot_depth``,
    encodes them as a row gather, which gives the same numbers without the 500-wide floats.
    ``mask_zero`` masks the padding id 0, as ``Embedding(mask_zero=True)`` does.
    """

    def __init__(self, depth: int, mask_zero: bool = False, materialize: bool = True, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.depth = depth
        self.mask_zero = mask_zero
        self.materialize = materialize

    def call(self, ids):  # noqa: ANN001, ANN201 (Keras tensors)
        """Encode one batch (or pass the ids on for the next layer to gather)."""
        ids = keras.ops.cast(ids, "int32")
        return keras.ops.one_hot(ids, self.depth) if self.materialize else keras.ops.expand_dims(ids, -1)

    def compute_mask(self, ids, mask=None):  # noqa: ANN001, ANN201 (Keras tensors)
        """The padding mask (``ids != 0``) when ``mask_zero``, else none."""
        return keras.ops.not_equal(ids, 0) if self.mask_zero else None

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        """``input_shape`` plus the one-hot axis (of length 1 when the ids are passed on)."""
        return (*input_shape, self.depth if self.materialize else 1)

    def get_config(self) -> dict[str, object]:
        """What ``keras.saving`` needs to rebuild the layer."""
        return {
            **super().get_config(),
            "depth": self.depth,
            "mask_zero": self.mask_zero,
            "materialize": self.materialize,
        }


def build_model(
    config: RunConfig, embedding_matrix: np.ndarray | None = None, speed: Speed = DEFAULT_SPEED
) -> keras.Model:
    """The uncompiled model ``config`` describes; ``embedding_matrix`` seeds a GloVe embedding."""
    keras.utils.set_random_seed(config.seed)
    layers: list[keras.layers.Layer] = [keras.Input((config.maxlen,), dtype="int32", name="ids")]
    # the fast layers gather kernel rows instead of multiplying one-hot floats (not with dropout)
    gathered = config.encoding == "one_hot" and speed.fast_layers and config.is_recurrent and config.dropout == 0
    if config.encoding == "one_hot":
        layers.append(_one_hot_layer(config, gathered))
    else:
        trainable = config.encoding == "embedding" or config.glove_trainable
        layers.append(
            keras.layers.Embedding(
                config.num_words,
                config.embedding_dim,
                mask_zero=config.mask_zero,
                trainable=trainable,
                name="embedding",
            )
        )
    if config.is_recurrent:
        layers.extend(_recurrent_layers(config, speed, gathered))
    else:
        layers.append(keras.layers.Flatten(name="flatten"))
        if config.dropout > 0:
            layers.append(keras.layers.Dropout(config.dropout, name="dropout"))
    layers.append(keras.layers.Dense(1, activation="sigmoid", name="dense"))
    model = keras.Sequential(layers, name=f"{config.encoding}_{config.layer}")
    if config.encoding == "glove":
        if embedding_matrix is None:
            raise ValueError("a GloVe model needs its embedding matrix.")
        model.get_layer("embedding").set_weights([embedding_matrix])
    return model


def portable_speed(speed: Speed) -> Speed:
    """``speed`` with Keras's own recurrent layers: a model built so saves a ``.keras`` file that plain
    Keras loads (``keras.models.load_model``) without this explorer's code, with the same weights."""
    return replace(speed, fast_layers=False, unroll=False)


def _one_hot_layer(config: RunConfig, gathered: bool) -> keras.layers.Layer:
    """Keras's own ``CategoryEncoding`` where it does the job (a saved model then needs no code of ours);
    ``OneHot`` to pass the ids on to a fast layer (``gathered``), or to mask the padding, which
    ``CategoryEncoding`` cannot."""
    if gathered or config.mask_zero:
        return OneHot(config.num_words, mask_zero=config.mask_zero, materialize=not gathered, name="one_hot")
    return keras.layers.CategoryEncoding(config.num_words, output_mode="one_hot", name="one_hot")


def _recurrent_layers(config: RunConfig, speed: Speed, gathered: bool) -> list[keras.layers.Layer]:
    layers = []
    for index in range(1, config.stacked + 1):
        name = f"rnn_{index}"
        options = {"dropout": config.dropout, "return_sequences": index < config.stacked, "name": name}
        if speed.fast_layers:
            one_hot_depth = config.num_words if gathered and index == 1 else None
            layer = FAST_LAYERS[config.layer](config.units, one_hot_depth=one_hot_depth, **options)
        else:
            layer = RECURRENT_LAYERS[config.layer](config.units, unroll=speed.unroll, **options)
        layers.append(keras.layers.Bidirectional(layer, name=name) if config.bidirectional else layer)
    return layers


def compile_model(model: keras.Model, config: RunConfig, speed: Speed = DEFAULT_SPEED) -> keras.Model:
    """Compile with the book's loss and metric and the chosen optimizer."""
    optimizers = {"rmsprop": keras.optimizers.RMSprop, "adam": keras.optimizers.Adam}
    model.compile(
        optimizer=optimizers[config.optimizer](learning_rate=config.learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
        jit_compile=speed.jit_compile,
        steps_per_execution=speed.steps_per_execution,
    )
    return model


def export_weights(model: keras.Model) -> dict[str, np.ndarray]:
    """The weights as named numpy arrays, the format ``explorer.training.inference`` reads.

    Names: ``embedding/embeddings``, ``rnn_1/forward/kernel`` (``recurrent_kernel``, ``bias``;
    ``backward/...`` for a bidirectional layer), ``dense/kernel``, ``dense/bias``.
    """
    exported: dict[str, np.ndarray] = {}
    for layer in model.layers:
        if isinstance(layer, keras.layers.Embedding):
            exported[f"{layer.name}/embeddings"] = keras.ops.convert_to_numpy(layer.embeddings)
        elif isinstance(layer, keras.layers.Dense):
            exported[f"{layer.name}/kernel"], exported[f"{layer.name}/bias"] = layer.get_weights()
        elif isinstance(layer, keras.layers.Bidirectional):
            exported.update(_cell_weights(layer.forward_layer, f"{layer.name}/forward"))
            exported.update(_cell_weights(layer.backward_layer, f"{layer.name}/backward"))
        elif isinstance(layer, keras.layers.RNN):
            exported.update(_cell_weights(layer, f"{layer.name}/forward"))
    return exported


def _cell_weights(layer: keras.layers.RNN, prefix: str) -> dict[str, np.ndarray]:
    kernel, recurrent_kernel, bias = layer.get_weights()
    return {f"{prefix}/kernel": kernel, f"{prefix}/recurrent_kernel": recurrent_kernel, f"{prefix}/bias": bias}


def word_vectors(model: keras.Model) -> np.ndarray | None:
    """The embedding matrix (row ``i`` = word id ``i``), or None for one-hot input, which has none."""
    first = model.layers[0]
    return keras.ops.convert_to_numpy(first.embeddings) if isinstance(first, keras.layers.Embedding) else None
