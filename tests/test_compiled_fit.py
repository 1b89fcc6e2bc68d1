"""The compiled training steps of plain models against Keras's own gradients and optimizer updates."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from explorer.training.config import RunConfig, Speed
from explorer.training.engine.compiled_fit import (
    COMPILED_MAX_UNITS,
    PlainTrainer,
    cross_entropy,
    initial_weights,
    is_plain,
    weights_by_name,
)

WORDS, STEPS, BATCH = 50, 12, 16
PADDED_STEPS = 3  # leading padding of every row: one word id occurring many times per batch
PREDICT_ROWS = 300  # more than two of the compiled predictor's 128-row chunks, the last one partial
EAGER_KERAS_LAYERS = Speed(fast_layers=False, jit_compile=False, steps_per_execution=1)  # Keras's own layers, eagerly


def random_batch(rng: np.random.Generator, rows: int = BATCH) -> tuple[np.ndarray, np.ndarray]:
    """Ids (with padding: one word id occurring many times, as in real batches) and labels."""
    ids = rng.integers(0, WORDS, size=(rows, STEPS)).astype(np.int32)
    ids[:, :PADDED_STEPS] = 0
    return ids, rng.integers(0, 2, rows).astype(np.float32)


def keras_model(config: RunConfig, seed: int = 0):  # noqa: ANN201 (a keras.Model)
    """The Keras model of ``config``, compiled, with the weights the seed gives."""
    import keras

    from explorer.training.engine.model import build_model, compile_model

    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(WORDS, config.embedding_dim)).astype(np.float32) if config.encoding == "glove" else None
    return compile_model(build_model(config, vectors, EAGER_KERAS_LAYERS), config, EAGER_KERAS_LAYERS)


def keras_model_and_batch(config: RunConfig, seed: int = 0):  # noqa: ANN201 (a keras.Model and two arrays)
    """The Keras model of ``config`` (with random weights), and a batch of ids and labels."""
    return keras_model(config, seed), *random_batch(np.random.default_rng(seed))


def train_both_on_three_batches(model, trainer: PlainTrainer, seed: int = 1) -> None:  # noqa: ANN001
    """Three different batches through Keras's ``train_on_batch`` and through the compiled loops."""
    rng = np.random.default_rng(seed)
    for _ in range(3):
        ids, labels = random_batch(rng)
        model.train_on_batch(ids, labels[:, None])
        trainer.train_batch(ids, labels)


def small_config(**changes: object) -> RunConfig:
    """A plain model small enough to train eagerly in a test."""
    values = {"num_words": WORDS, "maxlen": STEPS, "units": 5, "embedding_dim": 7, "learning_rate": 1e-2}
    return RunConfig(**{**values, **changes})


@pytest.mark.parametrize("optimizer", ["rmsprop", "adam"])
@pytest.mark.parametrize("layer", ["simple_rnn", "lstm", "gru"])
@pytest.mark.parametrize("encoding", ["one_hot", "embedding"])
def test_training_steps_give_keras_gradients_and_keras_updates(encoding: str, layer: str, optimizer: str) -> None:
    import keras
    import tensorflow as tf

    config = small_config(encoding=encoding, layer=layer, optimizer=optimizer)
    model, ids, labels = keras_model_and_batch(config)
    trainer = PlainTrainer(config, model.get_weights())

    with tf.GradientTape() as tape:
        probabilities = model(ids, training=True)
        loss = tf.reduce_mean(keras.losses.binary_crossentropy(labels[:, None], probabilities))
    expected = [tf.convert_to_tensor(gradient).numpy() for gradient in tape.gradient(loss, model.trainable_variables)]
    logits, states, saved = trainer._forward(ids)
    gradients, _ = trainer._gradients(ids, labels, logits, states, saved)
    np.testing.assert_allclose(trainer.predict(ids), probabilities.numpy()[:, 0], atol=1e-6)
    assert float(cross_entropy(logits, labels).mean()) == pytest.approx(float(loss), rel=1e-5)
    for mine, theirs in zip(gradients, expected, strict=True):
        np.testing.assert_allclose(mine, theirs, atol=1e-5 * np.abs(theirs).max())

    train_both_on_three_batches(model, trainer)
    for mine, theirs in zip(trainer.weights, model.get_weights(), strict=True):
        np.testing.assert_allclose(mine, theirs, atol=1e-5)
    many, _ = random_batch(np.random.default_rng(2), PREDICT_ROWS)
    np.testing.assert_allclose(trainer.predict(many), model.predict(many, verbose=0)[:, 0], atol=1e-5)


@pytest.mark.parametrize("optimizer", ["rmsprop", "adam"])
def test_the_optimizer_state_maps_onto_keras_slot_by_slot(optimizer: str) -> None:
    """After the same three steps, every slot of a fresh Keras optimizer given our state equals Keras's own."""
    from explorer.training.engine.keras_fit import store_optimizer_state

    config = small_config(encoding="embedding", layer="lstm", optimizer=optimizer)
    trained = keras_model(config)
    trainer = PlainTrainer(config, trained.get_weights())
    train_both_on_three_batches(trained, trainer)
    copy = keras_model(config, seed=9)  # other weights, a fresh optimizer
    copy.set_weights(trainer.weights)
    store_optimizer_state(trainer.snapshot(), copy)
    # Keras orders an optimizer's variables as its weights (iterations first, then each weight's
    # slots in weight order); names differ between two models, so the slots are paired by position.
    pairs = list(zip(trained.optimizer.variables, copy.optimizer.variables, strict=True))
    slots = [(theirs, mine) for theirs, mine in pairs if theirs.name.endswith(("_momentum", "_velocity"))]
    assert len(slots) == (2 if optimizer == "adam" else 1) * len(trained.trainable_variables)
    for theirs, mine in [*slots, (trained.optimizer.iterations, copy.optimizer.iterations)]:
        assert theirs.name.rsplit("_", 1)[-1] == mine.name.rsplit("_", 1)[-1]
        np.testing.assert_allclose(np.asarray(mine), np.asarray(theirs), atol=1e-6, err_msg=theirs.name)


def test_a_frozen_glove_embedding_stays_as_it_is_and_the_rest_learns_as_in_keras() -> None:
    config = small_config(encoding="glove", layer="gru", embedding_dim=50)
    model, ids, labels = keras_model_and_batch(config)
    trainer = PlainTrainer(config, model.get_weights())
    vectors = trainer.weights[0].copy()
    train_both_on_three_batches(model, trainer)
    result = trainer.train_batch(ids, labels)
    model.train_on_batch(ids, labels[:, None])
    np.testing.assert_array_equal(trainer.weights[0], vectors)
    for mine, theirs in zip(trainer.weights, model.get_weights(), strict=True):
        np.testing.assert_allclose(mine, theirs, atol=1e-5)
    assert 0 <= result.correct <= BATCH and result.loss_sum > 0


def test_only_the_books_kind_of_model_takes_the_compiled_path() -> None:
    assert is_plain(RunConfig()) and is_plain(RunConfig(encoding="one_hot", layer="lstm"))
    assert is_plain(RunConfig(encoding="glove", layer="gru", embedding_dim=50, glove_trainable=True))
    assert is_plain(RunConfig(units=COMPILED_MAX_UNITS)) and not is_plain(RunConfig(units=COMPILED_MAX_UNITS + 1))
    for changes in ({"bidirectional": True}, {"stacked": 2}, {"dropout": 0.2}, {"mask_zero": True}):
        assert not is_plain(RunConfig(**changes))
    assert not is_plain(RunConfig(layer="flatten_dense"))


@pytest.mark.parametrize("layer", ["simple_rnn", "lstm", "gru"])
@pytest.mark.parametrize("encoding", ["one_hot", "embedding", "glove"])
def test_starting_weights_are_drawn_as_keras_draws_them(encoding: str, layer: str) -> None:
    """Keras's shapes, names and initializers (bounds, orthogonality, the LSTM's forget bias); the seed decides."""
    from explorer.training.engine.model import export_weights

    config = small_config(encoding=encoding, layer=layer, units=6, embedding_dim=50 if encoding == "glove" else 7)
    glove = np.random.default_rng(5).normal(size=(WORDS, 50)).astype(np.float32) if encoding == "glove" else None
    model = keras_model(config)
    mine = initial_weights(config, glove)
    assert [(w.shape, w.dtype) for w in mine] == [(w.shape, w.dtype) for w in model.get_weights()]
    assert list(weights_by_name(config, mine)) == list(export_weights(model))
    named = weights_by_name(config, mine)
    kernel, recurrent, bias = (named[f"rnn_1/forward/{part}"] for part in ("kernel", "recurrent_kernel", "bias"))
    glorot = np.sqrt(6 / sum(kernel.shape))
    assert np.abs(kernel).max() <= glorot and np.abs(kernel).max() > 0.8 * glorot
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(config.units), atol=1e-5)  # orthonormal rows
    expected_bias = np.zeros_like(bias)
    if layer == "lstm":
        expected_bias[config.units : 2 * config.units] = 1  # gates i, f, c, o: the forget gate starts open
    np.testing.assert_array_equal(bias, expected_bias)
    if encoding == "embedding":
        assert np.abs(named["embedding/embeddings"]).max() <= 0.05
    if encoding == "glove":
        np.testing.assert_array_equal(named["embedding/embeddings"], glove)
    again, other = initial_weights(config, glove), initial_weights(replace(config, seed=config.seed + 1), glove)
    assert all(np.array_equal(a, b) for a, b in zip(mine, again, strict=True))
    assert not np.array_equal(mine[-5], other[-5])
