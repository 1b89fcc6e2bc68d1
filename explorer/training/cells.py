"""One time step of Keras's SimpleRNN, LSTM and GRU cells, written once for numpy and Keras alike.

Each step receives the input already multiplied by the cell's kernel (``xw``, input bias
included) and does only the recurrent part. Hoisting the input projection out of the loop is
what makes training fast (one large matrix product per batch instead of one small one per
step), and it lets the numpy inference (``explorer.training.inference``) and the training
layers (``explorer.training.engine.fast_rnn``) share these exact formulas. ``ops`` is a namespace with
``matmul``, ``tanh``, ``sigmoid`` and ``split``: ``keras.ops`` or ``NUMPY_OPS`` below.

The formulas are Keras 3's defaults: tanh activation, sigmoid recurrent activation, gate
order i, f, c, o for LSTM and z, r, h for GRU with ``reset_after=True`` (two bias rows).
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np

Array = Any  # a numpy array or a Keras tensor


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + e^-x), Keras 3's recurrent activation, in numpy."""
    return 0.5 * (np.tanh(0.5 * x) + 1.0)  # the overflow-free form of 1 / (1 + exp(-x))


def split(x: np.ndarray, parts: int, axis: int = -1) -> list[np.ndarray]:
    """``np.split`` into equal parts along the last axis, as views.

    Hand-written because ``np.split``'s generality (any axis, uneven sections) costs ~50 µs a call,
    and the numpy loops call it at every step: a tenth of a 500-token review's attributions.
    """
    if axis not in (-1, x.ndim - 1):
        raise ValueError("split only splits the last axis")
    size = x.shape[-1] // parts
    return [x[..., part * size : (part + 1) * size] for part in range(parts)]


NUMPY_OPS = SimpleNamespace(matmul=np.matmul, tanh=np.tanh, sigmoid=sigmoid, split=split)


def input_bias(kind: str, bias: Array) -> Array:
    """The part of a cell's bias that is added to the input projection."""
    return bias[0] if kind == "gru" else bias


def simple_rnn_step(
    ops: Any, xw: Array, states: list[Array], recurrent_kernel: Array, bias: Array
) -> tuple[Array, list[Array]]:
    """``h = tanh(x·W + b + h·U)``."""
    del bias  # entirely in xw
    h = ops.tanh(xw + ops.matmul(states[0], recurrent_kernel))
    return h, [h]


def lstm_step(
    ops: Any, xw: Array, states: list[Array], recurrent_kernel: Array, bias: Array
) -> tuple[Array, list[Array]]:
    """The LSTM cell: input, forget, candidate and output gates on ``x·W + b + h·U``."""
    del bias
    h_prev, c_prev = states
    i, f, candidate, o = ops.split(xw + ops.matmul(h_prev, recurrent_kernel), 4, axis=-1)
    c = ops.sigmoid(f) * c_prev + ops.sigmoid(i) * ops.tanh(candidate)
    h = ops.sigmoid(o) * ops.tanh(c)
    return h, [h, c]


def gru_step(
    ops: Any, xw: Array, states: list[Array], recurrent_kernel: Array, bias: Array
) -> tuple[Array, list[Array]]:
    """The GRU cell (``reset_after=True``): the reset gate scales ``h·U + b_recurrent``."""
    h_prev = states[0]
    x_z, x_r, x_h = ops.split(xw, 3, axis=-1)
    r_z, r_r, r_h = ops.split(ops.matmul(h_prev, recurrent_kernel) + bias[1], 3, axis=-1)
    z = ops.sigmoid(x_z + r_z)
    reset = ops.sigmoid(x_r + r_r)
    h = z * h_prev + (1.0 - z) * ops.tanh(x_h + reset * r_h)
    return h, [h]


STEPS: dict[str, Callable[..., tuple[Array, list[Array]]]] = {
    "simple_rnn": simple_rnn_step,
    "lstm": lstm_step,
    "gru": gru_step,
}
STATE_COUNT = {"simple_rnn": 1, "lstm": 2, "gru": 1}
