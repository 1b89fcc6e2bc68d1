"""The book's recurrent models trained with the compiled time loops of ``loop_kernels``.

A "plain" model is what the tutorials train: one-hot ids or an embedding, one forward
recurrent layer (SimpleRNN, LSTM or GRU, up to ``COMPILED_MAX_UNITS`` units) without dropout or
padding mask, then ``Dense(1, sigmoid)``, with binary cross-entropy and RMSprop or Adam. For
those, ``PlainTrainer`` does Keras's training step in numpy around the compiled loops: a table
of every word's input projection (one small matrix product per batch; for one-hot ids the
kernel itself), the loops, the output layer, the gradients, and the optimizer's update with
Keras's formulas. Everything else (bidirectional, stacked, dropout, masking, wide layers,
Flatten → Dense) trains with Keras. The weights are a list in the order of Keras's
``model.get_weights()``, so they move in and out of the Keras model that saves the run. No
TensorFlow here, so a plain run can start (from ``initial_weights``) while the worker is still
importing it: ``tests/test_compiled_fit.py`` compares steps and starting weights with Keras's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from explorer.training.cells import input_bias, sigmoid
from explorer.training.config import GATES, RunConfig
from explorer.training.engine import loop_kernels

KERNELS: dict[str, tuple[Callable, Callable]] = {
    "simple_rnn": (loop_kernels.simple_rnn_forward, loop_kernels.simple_rnn_backward),
    "lstm": (loop_kernels.lstm_forward, loop_kernels.lstm_backward),
    "gru": (loop_kernels.gru_forward, loop_kernels.gru_backward),
}
RHO = 0.9  # RMSprop's decay of the squared-gradient average (Keras's default)
BETA_1, BETA_2 = 0.9, 0.999  # Adam's decays of the gradient and squared-gradient averages (Keras's defaults)
EPSILON = 1e-7  # Keras's optimizers add this to the denominator
# Above this, XLA's matrix products beat the loops: per epoch (2 cores, 3,000 reviews) an LSTM of
# 128 units took 7.9 s here against Keras's 16.1 s, one of 256 units 32.8 s against 28.3 s.
COMPILED_MAX_UNITS = 128
PREDICT_BATCH = 128  # reviews per forward pass when predicting: the loop's arrays then stay in the CPU cache
EMBEDDING_INIT_LIMIT = 0.05  # Keras's Embedding starts uniform in ±0.05 (its "uniform" initializer)


def is_plain(config: RunConfig) -> bool:
    """True when ``config`` is a model ``PlainTrainer`` trains (see the module text)."""
    return (
        config.is_recurrent
        and config.units <= COMPILED_MAX_UNITS
        and config.stacked == 1
        and not config.bidirectional
        and not config.mask_zero
        and config.dropout == 0
    )


def compile_loops() -> None:
    """Compile every loop now (or load it from numba's cache), so that no run's first batch waits for it.

    The worker calls this while it waits for its first run: compiling takes about 10 s the first
    time on a 2-core machine, loading the cached machine code well under a second.
    """
    units, dim, words = 2, 3, 5
    for layer, gates in (("simple_rnn", 1), ("lstm", 4), ("gru", 3)):
        bias = np.zeros((2, gates * units) if layer == "gru" else gates * units, np.float32)
        shapes = [(words, dim), (dim, gates * units), (units, gates * units)]
        weights = [*(np.zeros(shape, np.float32) for shape in shapes), bias, np.zeros((units, 1)), np.zeros(1)]
        config = RunConfig(layer=layer, units=units, embedding_dim=dim, num_words=words, maxlen=4)
        PlainTrainer(config, weights).train_batch(np.ones((2, 4), np.int32), np.ones(2))


def initial_weights(config: RunConfig, glove_matrix: np.ndarray | None = None) -> list[np.ndarray]:
    """A plain model's starting weights, in Keras's order, drawn as Keras's default initializers draw them.

    The distributions are Keras's: an embedding uniform in ±0.05 (a GloVe run's is the GloVe
    matrix), input kernels Glorot-uniform, recurrent kernels orthogonal, biases zero except an
    LSTM's forget gate at one. They are drawn with numpy from the run's seed, so a run starts
    without TensorFlow and the same seed still gives the same run.
    """
    rng = np.random.default_rng(config.seed)
    width = GATES[config.layer] * config.units  # every gate's units side by side
    weights = []
    if config.encoding == "one_hot":
        inputs = config.num_words  # a one-hot vector times the kernel picks a row
    elif glove_matrix is not None:
        weights.append(glove_matrix)
        inputs = glove_matrix.shape[1]
    else:
        shape = (config.num_words, config.embedding_dim)
        weights.append(rng.uniform(-EMBEDDING_INIT_LIMIT, EMBEDDING_INIT_LIMIT, shape))
        inputs = config.embedding_dim
    bias = np.zeros((2, width) if config.layer == "gru" else width)  # a GRU's second row: the recurrent bias
    if config.layer == "lstm":
        bias[config.units : 2 * config.units] = 1.0  # Keras's unit_forget_bias (gates i, f, c, o)
    weights += [_glorot_uniform(rng, inputs, width), _orthogonal(rng, config.units, width), bias]
    weights += [_glorot_uniform(rng, config.units, 1), np.zeros(1)]
    return [np.asarray(weight, np.float32) for weight in weights]


def _glorot_uniform(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out))


def _orthogonal(rng: np.random.Generator, rows: int, columns: int) -> np.ndarray:
    """Keras's ``Orthogonal``: orthonormal rows (or columns, whichever are fewer) from a QR of normal draws."""
    q, r = np.linalg.qr(rng.standard_normal((max(rows, columns), min(rows, columns))))
    q *= np.sign(np.diag(r))  # makes the decomposition unique, as Keras does
    return q.T if rows < columns else q


def weights_by_name(config: RunConfig, weights: list[np.ndarray]) -> dict[str, np.ndarray]:
    """A plain model's weights under the names ``model.export_weights`` gives the Keras model's."""
    names = ["embedding/embeddings"] if config.encoding != "one_hot" else []
    names += [f"rnn_1/forward/{part}" for part in ("kernel", "recurrent_kernel", "bias")]
    names += ["dense/kernel", "dense/bias"]
    return dict(zip(names, weights, strict=True))


@dataclass(frozen=True)
class Snapshot:
    """A plain model's weights and optimizer state at one moment (copies: training goes on)."""

    weights: list[np.ndarray]
    iterations: int
    momentums: list[np.ndarray]
    velocities: list[np.ndarray]
    trainable: list[bool]


@dataclass
class BatchResult:
    """The summed loss and the number of right answers over a batch's reviews."""

    loss_sum: float
    correct: int


class PlainTrainer:
    """Forward pass, gradients and optimizer state of one plain model."""

    def __init__(self, config: RunConfig, weights: list[np.ndarray]) -> None:
        self.config = config
        self.forward_loop, self.backward_loop = KERNELS[config.layer]
        self.embedded = config.encoding != "one_hot"
        frozen_embedding = config.encoding == "glove" and not config.glove_trainable
        self.weights = [np.array(weight, np.float32) for weight in weights]
        # which of the weights the optimizer updates: a frozen GloVe embedding stays as it is
        self.trainable = [not (frozen_embedding and index == 0) for index in range(len(weights))]
        self.optimizer = Optimizer(config.optimizer, config.learning_rate, self.weights)

    def snapshot(self) -> Snapshot:
        """Copies of the weights and the optimizer's state, for a checkpoint."""
        optimizer = self.optimizer
        return Snapshot(
            [weight.copy() for weight in self.weights],
            optimizer.iterations,
            [momentum.copy() for momentum in optimizer.momentums],
            [velocity.copy() for velocity in optimizer.velocities],
            list(self.trainable),
        )

    def _parts(self) -> tuple[np.ndarray | None, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        embedding = self.weights[0] if self.embedded else None
        kernel, recurrent_kernel, bias, dense_kernel, dense_bias = self.weights[-5:]
        return embedding, kernel, recurrent_kernel, bias, dense_kernel, dense_bias

    def _recurrent_bias(self, bias: np.ndarray) -> np.ndarray:
        """The GRU's bias of the recurrent product (its second row); the other cells have none."""
        return bias[1] if self.config.layer == "gru" else np.zeros(0, np.float32)

    def _table(self) -> np.ndarray:
        """Each word's input projection ``x·W + b`` (row ``i``: word id ``i``), for ``loop_kernels``."""
        embedding, kernel, _, bias, _, _ = self._parts()
        # a one-hot vector times the kernel is the kernel's row
        return (kernel if embedding is None else embedding @ kernel) + input_bias(self.config.layer, bias)

    def _forward(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The logits for ids ``(batch, steps)``, and the states and saved values of the loop."""
        _, _, recurrent_kernel, bias, dense_kernel, dense_bias = self._parts()
        table = self._table()
        if ids.size and (ids.min() < 0 or ids.max() >= len(table)):
            # the compiled loops do not check indices: an id out of range would read stray memory
            raise ValueError(f"word ids must be between 0 and {len(table) - 1}, not {ids.min()} … {ids.max()}.")
        states, saved = self.forward_loop(ids, table, recurrent_kernel, self._recurrent_bias(bias))
        return dense_kernel[:, 0] @ states[-1] + dense_bias[0], states, saved

    def logits(self, ids: np.ndarray) -> np.ndarray:
        """The output layer's logits for each row of padded ids (the sigmoid's input)."""
        ids = np.ascontiguousarray(ids, np.int32)
        chunks = [self._forward(ids[start : start + PREDICT_BATCH])[0] for start in range(0, len(ids), PREDICT_BATCH)]
        return np.concatenate(chunks) if chunks else np.zeros(0, np.float32)

    def predict(self, ids: np.ndarray) -> np.ndarray:
        """P(positive) for each row of padded ids."""
        return sigmoid(self.logits(ids))

    def train_batch(self, ids: np.ndarray, labels: np.ndarray) -> BatchResult:
        """One step of gradient descent on a batch, as Keras's ``train_step`` does it."""
        ids, labels = np.ascontiguousarray(ids, np.int32), labels.astype(np.float32)
        logits, states, saved = self._forward(ids)
        gradients, squares = self._gradients(ids, labels, logits, states, saved)
        self.optimizer.apply(self.weights, gradients, squares, self.trainable)
        return BatchResult(float(cross_entropy(logits, labels).sum()), int(((logits > 0) == (labels > 0.5)).sum()))

    def _gradients(
        self, ids: np.ndarray, labels: np.ndarray, logits: np.ndarray, states: np.ndarray, saved: np.ndarray
    ) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
        """dL/dweight for every weight (L: the batch's mean binary cross-entropy), and the squares to average.

        The squares are ``None`` (the optimizer squares the gradient) except for a trainable
        embedding: TensorFlow hands Keras an embedding's gradient as one slice per word
        occurrence, and Keras's optimizers square the slices before adding up a word's
        occurrences, so a word seen twice gets g₁² + g₂², not (g₁ + g₂)². We do the same, to learn
        as the book's code does.
        """
        embedding, kernel, recurrent_kernel, bias, dense_kernel, _ = self._parts()
        logit_grad = (sigmoid(logits) - labels) / len(labels)
        dense_grads = [(states[-1] @ logit_grad)[:, None], np.array([logit_grad.sum()], np.float32)]
        state_grad = (dense_kernel * logit_grad[None, :]).astype(np.float32)
        projected_grad, recurrent_grad, recurrent_bias_grad = self.backward_loop(
            state_grad, recurrent_kernel, states, saved
        )
        with_squares = self.embedded and self.trainable[0]
        table_grad, embedding_squares = loop_kernels.table_gradients(
            ids, projected_grad, len(kernel if embedding is None else embedding), kernel, with_squares
        )
        input_bias_grad = table_grad.sum(axis=0)
        bias_grad = np.stack([input_bias_grad, recurrent_bias_grad]) if bias.ndim == 2 else input_bias_grad
        rest = [recurrent_grad, bias_grad, *dense_grads]
        if embedding is None:
            return [table_grad, *rest], [None] * (len(rest) + 1)
        gradients = [table_grad @ kernel.T, embedding.T @ table_grad, *rest]
        return gradients, [embedding_squares if with_squares else None] + [None] * (len(rest) + 1)


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Binary cross-entropy per review, from the logits (as Keras computes it for a sigmoid output)."""
    return np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))


class Optimizer:
    """Keras's RMSprop or Adam (default settings, no momentum), on numpy arrays in place."""

    def __init__(self, name: str, learning_rate: float, weights: list[np.ndarray]) -> None:
        self.name, self.learning_rate, self.iterations = name, np.float32(learning_rate), 0
        self.velocities = [np.zeros_like(weight) for weight in weights]
        self.momentums = [np.zeros_like(weight) for weight in weights] if name == "adam" else []

    def apply(
        self,
        weights: list[np.ndarray],
        gradients: list[np.ndarray],
        squares: list[np.ndarray | None],
        trainable: list[bool],
    ) -> None:
        """Update every trainable weight by its gradient, as ``keras.optimizers.<name>.update_step``.

        ``squares[i]`` replaces ``gradients[i]²`` where it is given (the embedding's, see
        ``PlainTrainer._gradients``).
        """
        self.iterations += 1
        for index, (weight, gradient, square) in enumerate(zip(weights, gradients, squares, strict=True)):
            if trainable[index]:
                square = np.square(gradient) if square is None else square
                if self.name == "adam":
                    self._adam(index, weight, gradient, square)
                else:
                    self._rmsprop(index, weight, gradient, square)

    def _rmsprop(self, index: int, weight: np.ndarray, gradient: np.ndarray, square: np.ndarray) -> None:
        velocity = self.velocities[index]
        velocity *= RHO
        velocity += (1 - RHO) * square
        weight -= self.learning_rate * gradient / np.sqrt(velocity + np.float32(EPSILON))

    def _adam(self, index: int, weight: np.ndarray, gradient: np.ndarray, square: np.ndarray) -> None:
        momentum, velocity = self.momentums[index], self.velocities[index]
        step = np.float32(self.iterations)
        alpha = self.learning_rate * np.sqrt(1 - np.float32(BETA_2) ** step) / (1 - np.float32(BETA_1) ** step)
        momentum += (gradient - momentum) * np.float32(1 - BETA_1)
        velocity += (square - velocity) * np.float32(1 - BETA_2)
        weight -= alpha * momentum / (np.sqrt(velocity) + np.float32(EPSILON))
