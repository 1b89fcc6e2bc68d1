"""The time loops of SimpleRNN, LSTM and GRU, forward and backward, compiled with numba.

Why hand-written loops instead of Keras's layers: at the book's sizes (8 units, batch 64) one
step of the recurrence is about a microsecond of arithmetic, and XLA spends several times
that per step on launching kernels and running its ``while`` loop (measured: about 4 µs per
iteration plus 1.5–2 µs per kernel). A batch is 100 steps forward and 100 back, so that
overhead, not the arithmetic, set the speed of every Keras variant we measured. These loops
run the steps as plain machine code instead. ``tests/test_compiled_fit.py`` checks them
against Keras's own layers, gradients and optimizer updates.

Inputs: a batch of word ids ``(batch, steps)`` and a table with one row per word id: the
word's input projection ``x·W + b`` (for one-hot input the kernel's row, for an embedding the
embedding times the kernel, one small matrix product per batch). A step reads its inputs from
the table, so the projections of a batch's 6,400 word occurrences are never written out.
Every other array is ``(steps, features, batch)`` with the batch innermost, so the inner loops
run over the 64 reviews of a batch, which the compiler turns into vector instructions.

Each cell has ``<cell>_forward(ids, table, recurrent_kernel, recurrent_bias) -> (states,
saved)``, the states ``(steps + 1, units, batch)`` starting from Keras's zero state and what
the backward pass needs, and ``<cell>_backward(last_grad, recurrent_kernel, states, saved) ->
(projected_grad, recurrent_kernel_grad, recurrent_bias_grad)`` from dL/dh of the last step
(``recurrent_bias`` is the GRU's; the others take and return empty arrays).
``table_gradients`` turns ``projected_grad`` into the table's gradient. Gate order and formulas
are Keras 3's (LSTM i, f, c, o; GRU z, r, h with ``reset_after=True``), as in
``explorer.training.cells``.
"""

from __future__ import annotations

import numba
import numpy as np

# fastmath lets the compiler vectorise the reductions; no infinities or NaNs arise in these loops
FAST = {"contract", "arcp", "reassoc", "nsz", "afn"}
jit = numba.njit(fastmath=FAST, error_model="numpy", cache=True)
inline = numba.njit(fastmath=FAST, error_model="numpy", inline="always", cache=True)

TANH_LIMIT = np.float32(7.90531110763549805)  # tanh(x) rounds to ±1 in float32 beyond this


@inline
def tanh(x: np.float32) -> np.float32:
    """tanh as a rational polynomial (Eigen's float32 approximation, which XLA uses too).

    numba's ``np.tanh`` calls the C library once per number, which cannot be vectorised: an
    LSTM batch's forward loop measured 10× slower with it.
    """
    x = min(max(x, -TANH_LIMIT), TANH_LIMIT)
    x2 = x * x
    p = np.float32(-2.76076847742355e-16)
    p = p * x2 + np.float32(2.00018790482477e-13)
    p = p * x2 + np.float32(-8.60467152213735e-11)
    p = p * x2 + np.float32(5.12229709037114e-08)
    p = p * x2 + np.float32(1.48572235717979e-05)
    p = p * x2 + np.float32(6.37261928875436e-04)
    p = p * x2 + np.float32(4.89352455891786e-03)
    q = np.float32(1.19825839466702e-06)
    q = q * x2 + np.float32(1.18534705686654e-04)
    q = q * x2 + np.float32(2.26843463243900e-03)
    q = q * x2 + np.float32(4.89352518554385e-03)
    return p * x / q


@inline
def sigmoid(x: np.float32) -> np.float32:
    """The logistic function through tanh: 1 / (1 + e^-x) = (tanh(x / 2) + 1) / 2."""
    half = np.float32(0.5)
    return tanh(x * half) * half + half


@inline
def gather_inputs(out: np.ndarray, table: np.ndarray, ids: np.ndarray, t: int) -> None:
    """``out[g, b] = table[ids[b, t], g]``: step ``t``'s input projections (see the module text)."""
    for g in range(table.shape[1]):
        for b in range(ids.shape[0]):
            out[g, b] = table[ids[b, t], g]


@inline
def add_kernel_product(out: np.ndarray, kernel: np.ndarray, inputs: np.ndarray) -> None:
    """``out[i, b] += Σ_j kernel[j, i] · inputs[j, b]`` (out += kernelᵀ · inputs).

    Forward, with ``U`` and the states: each gate's share of the state. Backward, with ``Uᵀ``
    and the gates' gradient: the gradient reaching the state.
    """
    rows, columns = kernel.shape
    for i in range(columns):
        for j in range(rows):
            weight = kernel[j, i]
            for b in range(inputs.shape[1]):
                out[i, b] += weight * inputs[j, b]


@inline
def accumulate_kernel_grad(kernel_grad: np.ndarray, state: np.ndarray, gate_grad: np.ndarray) -> None:
    """``kernel_grad[k, g] += Σ_b state[k, b] · gate_grad[g, b]``: one step's share of dL/dU."""
    units, gates = kernel_grad.shape
    for k in range(units):
        for g in range(gates):
            total = np.float32(0.0)
            for b in range(state.shape[1]):
                total += state[k, b] * gate_grad[g, b]
            kernel_grad[k, g] += total


@inline
def back_to_previous_state(
    kernel_grad: np.ndarray, h_grad: np.ndarray, transposed: np.ndarray, previous: np.ndarray, gate_grad: np.ndarray
) -> None:
    """Add one step's share of dL/dU, and replace ``h_grad`` by dL/dh of the step before (reached through U only)."""
    accumulate_kernel_grad(kernel_grad, previous, gate_grad)
    h_grad[:] = 0.0
    add_kernel_product(h_grad, transposed, gate_grad)


@inline
def backward_buffers(
    last_grad: np.ndarray, recurrent_kernel: np.ndarray, steps: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What every backward pass fills: ``projected_grad`` per step, dU, dL/dh (from the last step's), and Uᵀ."""
    shape = (steps, recurrent_kernel.shape[1], last_grad.shape[1])
    kernel_grad = np.zeros(recurrent_kernel.shape, np.float32)
    return np.empty(shape, np.float32), kernel_grad, last_grad.copy(), np.ascontiguousarray(recurrent_kernel.T)


@jit
def simple_rnn_forward(
    ids: np.ndarray, table: np.ndarray, recurrent_kernel: np.ndarray, recurrent_bias: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``h_t = tanh(x_t·W + b + U·h_{t-1})``; returns the states and nothing more to save (no gates)."""
    batch, steps = ids.shape
    units = table.shape[1]
    states = np.zeros((steps + 1, units, batch), np.float32)  # states[0] is the initial zero state
    for t in range(steps):
        h = states[t + 1]
        gather_inputs(h, table, ids, t)
        add_kernel_product(h, recurrent_kernel, states[t])
        for k in range(units):
            for b in range(batch):
                h[k, b] = tanh(h[k, b])
    return states, np.empty((0, 0, 0), np.float32)


@jit
def simple_rnn_backward(
    last_grad: np.ndarray, recurrent_kernel: np.ndarray, states: np.ndarray, saved: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients from dL/dh_last: ``(d projected, dU, d recurrent bias)``; SimpleRNN has no recurrent bias."""
    steps, units, batch = states.shape[0] - 1, states.shape[1], states.shape[2]
    projected_grad, kernel_grad, h_grad, transposed = backward_buffers(last_grad, recurrent_kernel, steps)
    for t in range(steps - 1, -1, -1):
        gate_grad = projected_grad[t]
        h = states[t + 1]
        for k in range(units):
            for b in range(batch):
                gate_grad[k, b] = h_grad[k, b] * (np.float32(1.0) - h[k, b] * h[k, b])
        back_to_previous_state(kernel_grad, h_grad, transposed, states[t], gate_grad)
    return projected_grad, kernel_grad, np.zeros(0, np.float32)


@jit
def lstm_forward(
    ids: np.ndarray, table: np.ndarray, recurrent_kernel: np.ndarray, recurrent_bias: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The LSTM; returns the states ``h`` and, per step, the gates i, f, c̃, o, the cell state c and tanh(c)."""
    (batch, steps), gates = ids.shape, table.shape[1]
    units = gates // 4
    states = np.zeros((steps + 1, units, batch), np.float32)
    saved = np.empty((steps + 1, 6 * units, batch), np.float32)  # i, f, c̃, o, c, tanh(c); saved[0]: c = 0
    saved[0] = 0.0
    for t in range(steps):
        activations = saved[t + 1]
        gather_inputs(activations, table, ids, t)
        add_kernel_product(activations, recurrent_kernel, states[t])
        for j in range(units):
            for b in range(batch):
                i = sigmoid(activations[j, b])
                f = sigmoid(activations[units + j, b])
                candidate = tanh(activations[2 * units + j, b])
                o = sigmoid(activations[3 * units + j, b])
                c = f * saved[t, 4 * units + j, b] + i * candidate
                activations[j, b], activations[units + j, b] = i, f
                activations[2 * units + j, b], activations[3 * units + j, b] = candidate, o
                tanh_c = tanh(c)
                activations[4 * units + j, b], activations[5 * units + j, b] = c, tanh_c
                states[t + 1, j, b] = o * tanh_c
    return states, saved


@jit
def lstm_backward(
    last_grad: np.ndarray, recurrent_kernel: np.ndarray, states: np.ndarray, saved: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients from dL/dh_last: ``(d projected, dU, d recurrent bias)``; LSTM has no recurrent bias."""
    steps, units, batch = states.shape[0] - 1, states.shape[1], states.shape[2]
    one = np.float32(1.0)
    projected_grad, kernel_grad, h_grad, transposed = backward_buffers(last_grad, recurrent_kernel, steps)
    c_grad = np.zeros((units, batch), np.float32)
    for t in range(steps - 1, -1, -1):
        gate_grad, activations = projected_grad[t], saved[t + 1]
        for j in range(units):
            for b in range(batch):
                i, f = activations[j, b], activations[units + j, b]
                candidate, o = activations[2 * units + j, b], activations[3 * units + j, b]
                tanh_c = activations[5 * units + j, b]
                dc = c_grad[j, b] + h_grad[j, b] * o * (one - tanh_c * tanh_c)
                gate_grad[j, b] = dc * candidate * i * (one - i)
                gate_grad[units + j, b] = dc * saved[t, 4 * units + j, b] * f * (one - f)
                gate_grad[2 * units + j, b] = dc * i * (one - candidate * candidate)
                gate_grad[3 * units + j, b] = h_grad[j, b] * tanh_c * o * (one - o)
                c_grad[j, b] = dc * f
        back_to_previous_state(kernel_grad, h_grad, transposed, states[t], gate_grad)
    return projected_grad, kernel_grad, np.zeros(0, np.float32)


@jit
def gru_forward(
    ids: np.ndarray, table: np.ndarray, recurrent_kernel: np.ndarray, recurrent_bias: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The GRU; returns the states ``h`` and, per step, z, r, the candidate h̃ and ``U_h·h + b_h``."""
    (batch, steps), gates = ids.shape, table.shape[1]
    units = gates // 3
    states = np.zeros((steps + 1, units, batch), np.float32)
    saved = np.empty((steps, 4 * units, batch), np.float32)  # z, r, h̃, U_h·h + b_h
    projected = np.empty((gates, batch), np.float32)
    recurrent = np.empty((gates, batch), np.float32)
    for t in range(steps):
        gather_inputs(projected, table, ids, t)
        for g in range(gates):
            recurrent[g, :] = recurrent_bias[g]
        add_kernel_product(recurrent, recurrent_kernel, states[t])
        activations = saved[t]
        for j in range(units):
            for b in range(batch):
                z = sigmoid(projected[j, b] + recurrent[j, b])
                r = sigmoid(projected[units + j, b] + recurrent[units + j, b])
                candidate = tanh(projected[2 * units + j, b] + r * recurrent[2 * units + j, b])
                activations[j, b], activations[units + j, b] = z, r
                activations[2 * units + j, b], activations[3 * units + j, b] = candidate, recurrent[2 * units + j, b]
                states[t + 1, j, b] = z * states[t, j, b] + (np.float32(1.0) - z) * candidate
    return states, saved


@jit
def gru_backward(
    last_grad: np.ndarray, recurrent_kernel: np.ndarray, states: np.ndarray, saved: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients from dL/dh_last: ``(d projected, dU, d recurrent bias)``."""
    steps, units, batch = states.shape[0] - 1, states.shape[1], states.shape[2]
    one = np.float32(1.0)
    recurrent_grad = np.empty((3 * units, batch), np.float32)  # dL/d(U·h + b_recurrent) for one step
    bias_grad = np.zeros(3 * units, np.float32)
    projected_grad, kernel_grad, h_grad, transposed = backward_buffers(last_grad, recurrent_kernel, steps)
    for t in range(steps - 1, -1, -1):
        gate_grad, activations, previous = projected_grad[t], saved[t], states[t]
        for j in range(units):
            for b in range(batch):
                z, r = activations[j, b], activations[units + j, b]
                candidate, reset_input = activations[2 * units + j, b], activations[3 * units + j, b]
                dh = h_grad[j, b]
                d_candidate = dh * (one - z) * (one - candidate * candidate)
                d_z = dh * (previous[j, b] - candidate) * z * (one - z)
                d_r = d_candidate * reset_input * r * (one - r)
                gate_grad[j, b], gate_grad[units + j, b], gate_grad[2 * units + j, b] = d_z, d_r, d_candidate
                recurrent_grad[j, b], recurrent_grad[units + j, b] = d_z, d_r
                recurrent_grad[2 * units + j, b] = d_candidate * r
                h_grad[j, b] = dh * z  # the direct path h_{t-1} → h_t; the kernel's path is added below
        for g in range(3 * units):
            bias_grad[g] += recurrent_grad[g].sum()
        accumulate_kernel_grad(kernel_grad, previous, recurrent_grad)
        add_kernel_product(h_grad, transposed, recurrent_grad)
    return projected_grad, kernel_grad, bias_grad


@jit
def table_gradients(
    ids: np.ndarray, projected_grad: np.ndarray, words: int, kernel: np.ndarray, with_squares: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Per word id: dL/d(its table row), and, ``with_squares``, Σ over its occurrences of (dL/d its vector)².

    The table gradient adds up the ``projected_grad`` of every occurrence of the word. The squares
    are the embedding-vector gradients (``kernel`` maps a projection's gradient back to the
    vector), squared occurrence by occurrence: what Keras's optimizers average for an embedding
    (see ``explorer.training.engine.compiled_fit``). ``np.add.at`` adds up rows the same way but measured
    8 ms per batch, against about 1 ms for the rest of a training step.
    """
    batch, steps = ids.shape
    features, gates = kernel.shape
    table_grad = np.zeros((words, gates), np.float32)
    squares = np.zeros((words if with_squares else 0, features), np.float32)
    vector_grads = np.empty((features, batch), np.float32)
    for t in range(steps):
        step_grad = projected_grad[t]
        for b in range(batch):
            row = table_grad[ids[b, t]]
            for g in range(gates):
                row[g] += step_grad[g, b]
        if with_squares:
            vector_grads[:] = 0.0
            for f in range(features):
                for g in range(gates):
                    weight = kernel[f, g]
                    for b in range(batch):
                        vector_grads[f, b] += weight * step_grad[g, b]
            for b in range(batch):
                square_row = squares[ids[b, t]]
                for f in range(features):
                    square_row[f] += vector_grads[f, b] * vector_grads[f, b]
    return table_grad, squares
