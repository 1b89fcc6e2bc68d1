"""The attributions' two time loops compiled with numba, for one-layer, one-way float32 models.

Why not the numpy loops of ``explorer.lab.backprop``: at the books' sizes a step is a
(reviews, 32) · (32, 128) product and a dozen element-wise operations, and numpy pays a few
microseconds of call overhead and a temporary array for each of them, 500 steps a review: for
DLwP's LSTM(32) that overhead, not the arithmetic, took most of the half second its attributions
took. Compiled, a step is one pass over a review's gates with no temporaries.

- **Occlusion** (``final_probabilities``): P(positive) of many reviews that share their first steps
  with a reference review (``backprop.Shared``). Only the final state is kept, and each review is
  computed from its own start, from the reference's state there.
- **Gradients** (``gradient_times_input``): ∂logit/∂(x·W) · x·W at every step for one review scaled
  by several α (integrated gradients), with the training engine's own compiled forward and
  backward loops (``loop_kernels``), which ``tests/test_compiled_fit.py`` checks against Keras.

Both use the engine's polynomial tanh (Eigen's float32 approximation, as XLA's) and float32, so
they agree with the exact numpy pass in float64 to float32 rounding (``tests/test_compiled_loops.py``):
on the benchmark's DLwP LSTM(32) and GRU(32) (random weights, a 500-token review) P(positive) and
the occlusion scores differed by < 1e-7, the gradient attributions by < 1e-6 of the largest one.
Where a model is chaotic (bench's random SimpleRNN(32), whose recurrent kernel amplifies) no
float32 pass follows float64: numpy's own float32 pass differed from it by 0.2 in P(positive).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from explorer.training.cells import input_bias
from explorer.training.cells import sigmoid as sigmoid_numpy
from explorer.training.engine import loop_kernels
from explorer.training.engine.loop_kernels import inline, jit, sigmoid, tanh

if TYPE_CHECKING:
    from explorer.lab.backprop import Network, Shared

SIMPLE_RNN, LSTM, GRU = 0, 1, 2  # the cell, as a number the compiled loops can branch on
CELLS = {"simple_rnn": SIMPLE_RNN, "lstm": LSTM, "gru": GRU}
UNROLL = 4  # rows of U that the state product adds in one pass over the gates (written out in add_state_product)
LOOPS = {
    "simple_rnn": (loop_kernels.simple_rnn_forward, loop_kernels.simple_rnn_backward),
    "lstm": (loop_kernels.lstm_forward, loop_kernels.lstm_backward),
    "gru": (loop_kernels.gru_forward, loop_kernels.gru_backward),
}


def compiled(network: Network) -> bool:
    """True when the compiled loops can run ``network``: float32 (float64 stays exact for the tests that
    compare gradients), one layer and one direction (the books' models)."""
    config = network.config
    return network.dtype == np.float32 and config.stacked == 1 and not config.bidirectional


@inline
def add_state_product(out: np.ndarray, recurrent_kernel: np.ndarray, h: np.ndarray) -> None:
    """``out += h · U`` for one review's state ``h`` (units,), gates innermost so that the compiler vectorises them.

    Four units at a time: ``out`` is then loaded and stored once per four of U's rows, not once per
    row; on the 2-core machine's CPU (AMD Zen) the stores, not the multiplications, limited the
    plain loop (measured: 1.8× faster).
    """
    units, gates = recurrent_kernel.shape
    k = 0
    while k + UNROLL <= units:
        h0, h1, h2, h3 = h[k], h[k + 1], h[k + 2], h[k + 3]
        for g in range(gates):
            out[g] += (
                h0 * recurrent_kernel[k, g]
                + h1 * recurrent_kernel[k + 1, g]
                + h2 * recurrent_kernel[k + 2, g]
                + h3 * recurrent_kernel[k + 3, g]
            )
        k += UNROLL
    for rest in range(k, units):
        weight = h[rest]
        for g in range(gates):
            out[g] += weight * recurrent_kernel[rest, g]


@inline
def cell_step(
    cell: int,
    inputs: np.ndarray,
    recurrent_kernel: np.ndarray,
    recurrent_bias: np.ndarray,
    h: np.ndarray,
    c: np.ndarray,
    recurrent: np.ndarray,
) -> None:
    """One step of one review, in place on its state ``h`` and ``c`` (units,) (only LSTM uses c), from its
    input ``inputs = x·W + b`` (gates,): the formulas of ``explorer.training.cells``."""
    units = recurrent_kernel.shape[0]
    # the GRU's reset gate scales U·h + b_recurrent, so that bias starts the sum
    if cell == GRU:
        recurrent[:] = recurrent_bias
    else:
        recurrent[:] = 0.0
    add_state_product(recurrent, recurrent_kernel, h)
    one = np.float32(1.0)
    if cell == SIMPLE_RNN:
        for j in range(units):
            h[j] = tanh(inputs[j] + recurrent[j])
    elif cell == LSTM:
        for j in range(units):
            i = sigmoid(inputs[j] + recurrent[j])
            f = sigmoid(inputs[units + j] + recurrent[units + j])
            candidate = tanh(inputs[2 * units + j] + recurrent[2 * units + j])
            o = sigmoid(inputs[3 * units + j] + recurrent[3 * units + j])
            c[j] = f * c[j] + i * candidate
            h[j] = o * tanh(c[j])
    else:
        for j in range(units):
            z = sigmoid(inputs[j] + recurrent[j])
            r = sigmoid(inputs[units + j] + recurrent[units + j])
            candidate = tanh(inputs[2 * units + j] + r * recurrent[2 * units + j])
            h[j] = z * h[j] + (one - z) * candidate


@jit
def every_state(
    cell: int,
    ids: np.ndarray,
    table: np.ndarray,
    recurrent_kernel: np.ndarray,
    recurrent_bias: np.ndarray,
    masked: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """h and c (steps + 1, units) of one review (``ids`` (steps,), rows of ``table``) before each step and
    after the last (index 0: the zero state); c stays 0 except for LSTM. With ``masked`` the padding
    id 0 keeps the state."""
    steps, (units, gates) = len(ids), recurrent_kernel.shape
    h_all, c_all = np.zeros((steps + 1, units), np.float32), np.zeros((steps + 1, units), np.float32)
    h, c, recurrent = np.zeros(units, np.float32), np.zeros(units, np.float32), np.empty(gates, np.float32)
    for t in range(steps):
        if not (masked and ids[t] == 0):
            cell_step(cell, table[ids[t]], recurrent_kernel, recurrent_bias, h, c, recurrent)
        h_all[t + 1], c_all[t + 1] = h, c
    return h_all, c_all


@jit
def final_states(
    cell: int,
    ids: np.ndarray,
    table: np.ndarray,
    recurrent_kernel: np.ndarray,
    recurrent_bias: np.ndarray,
    masked: bool,
    starts: np.ndarray,
    h_before: np.ndarray,
    c_before: np.ndarray,
) -> np.ndarray:
    """The last h (reviews, units) of reviews ``ids`` (reviews, steps): review b reads the reference's ids
    before ``starts[b]``, so it begins there, from the reference's state (``h_before``/``c_before``
    from ``every_state``). One review at a time: its state and U stay in the CPU's first cache."""
    (reviews, steps), (units, gates) = ids.shape, recurrent_kernel.shape
    final = np.empty((reviews, units), np.float32)
    c, recurrent = np.empty(units, np.float32), np.empty(gates, np.float32)
    for b in range(reviews):
        start = min(starts[b], steps)
        h = final[b]
        h[:], c[:] = h_before[start], c_before[start]
        for t in range(start, steps):
            if not (masked and ids[b, t] == 0):
                cell_step(cell, table[ids[b, t]], recurrent_kernel, recurrent_bias, h, c, recurrent)
    return final


def final_probabilities(network: Network, ids: np.ndarray, shared: Shared) -> np.ndarray:
    """``backprop.predicted_probability`` compiled: P(positive) of padded ``ids`` (reviews, steps)."""
    config = network.config
    _, recurrent_kernel, bias = network.cell(0, "forward")
    every = np.concatenate([shared.reference[None], ids])
    first = network.projected(every)["forward"]
    table = np.ascontiguousarray(first.table + input_bias(config.layer, bias))
    index = first.index.astype(np.int32)
    # the distinct ids are sorted, so where the padding id 0 occurs it is still 0 in ``index``
    cell, recurrent_bias = CELLS[config.layer], _recurrent_bias(config.layer, bias)
    masked = config.mask_zero and bool((every == 0).any())
    h_before, c_before = every_state(cell, index[0], table, recurrent_kernel, recurrent_bias, masked)
    starts = shared.starts.astype(np.int64)
    final = final_states(cell, index[1:], table, recurrent_kernel, recurrent_bias, masked, starts, h_before, c_before)
    return sigmoid_numpy(final @ network.weight("dense/kernel")[:, 0] + network.weight("dense/bias")[0])


def gradient_times_input(network: Network, ids: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(∂logit/∂P_t) · P_t at every step, (len(scale), steps), and the logits, for padded ``ids`` (steps,)
    with the first layer's ``P = x · W`` scaled by each of ``scale`` (see ``Network.projected``).

    A masked run copies its state over padding, so the padding steps are left out of the loops
    (same states, same gradients) and get 0, as in the numpy pass.
    """
    config = network.config
    _, recurrent_kernel, bias = network.cell(0, "forward")
    first = network.projected(ids)["forward"]
    read = ids != 0 if config.mask_zero else np.ones(len(ids), bool)
    scale = scale.astype(np.float32)
    # one table row per (α, distinct id): α·P + b, so the engine's loops read the scaled inputs as words
    table = (scale[:, None, None] * first.table + input_bias(config.layer, bias)).reshape(-1, first.table.shape[1])
    rows = (np.arange(len(scale))[:, None] * len(first.table) + first.index[read]).astype(np.int32)
    forward_loop, backward_loop = LOOPS[config.layer]
    states, saved = forward_loop(rows, table, recurrent_kernel, _recurrent_bias(config.layer, bias))
    dense = network.weight("dense/kernel")
    logits = dense[:, 0] @ states[-1] + network.weight("dense/bias")[0]
    last_grad = np.ascontiguousarray(np.broadcast_to(dense, (len(dense), len(scale))))
    projected_grad = backward_loop(last_grad, recurrent_kernel, states, saved)[0]  # (steps read, gates, points)
    products = np.zeros((len(scale), len(ids)), np.float32)
    products[:, read] = np.einsum("tgk,tg->kt", projected_grad, first.table[first.index[read]]) * scale[:, None]
    return products, logits


def _recurrent_bias(layer: str, bias: np.ndarray) -> np.ndarray:
    """The GRU's bias of the recurrent product (its second row); the other cells have none."""
    return np.ascontiguousarray(bias[1]) if layer == "gru" else np.zeros(0, np.float32)
