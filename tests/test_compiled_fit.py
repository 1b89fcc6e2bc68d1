"""The compiled training steps of plain models against Keras's own gradients and optimizer updates."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.training.config import RunConfig, Speed
from explorer.training.engine.compiled_fit import COMPILED_MAX_UNITS, PlainTrainer, cross_entropy, is_plain

WORDS, STEPS, BATCH = 50, 12, 16
EAGER_KERAS_LAYERS = Speed(fast_layers=False, jit_compile=False, steps_per_execution=1)  # Keras's own layers, eagerly


def keras_model_and_batch(config: RunConfig, seed: int = 0):  # noqa: ANN201 (a keras.Model and two arrays)
    """The Keras model of ``config`` (with random weights), and a batch of ids and labels."""
    from explorer.training.engine.model import build_model, compile_model

    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(WORDS, config.embedding_dim)).astype(np.float32) if config.encoding == "glove" else None
    model = compile_model(build_model(config, vectors, EAGER_KERAS_LAYERS), config, EAGER_KERAS_LAYERS)
    ids = rng.integers(0, WORDS, size=(BATCH, STEPS)).astype(np.int32)
    ids[:, :3] = 0  # padding: one word id occurring many times, as in real batches
    return model, ids, rng.integers(0, 2, BATCH).astype(np.float32)


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

    for _ in range(3):
        model.train_on_batch(ids, labels[:, None])
        trainer.train_batch(ids, labels)
    for mine, theirs in zip(trainer.weights, model.get_weights(), strict=True):
        np.testing.assert_allclose(mine, theirs, atol=1e-5)


def test_a_frozen_glove_embedding_stays_as_it_is_and_the_rest_learns_as_in_keras() -> None:
    config = small_config(encoding="glove", layer="gru", embedding_dim=50)
    model, ids, labels = keras_model_and_batch(config)
    trainer = PlainTrainer(config, model.get_weights())
    vectors = trainer.weights[0].copy()
    for _ in range(3):
        model.train_on_batch(ids, labels[:, None])
        result = trainer.train_batch(ids, labels)
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
