"""Inside the recurrent layer: numpy forward passes of Keras 3's SimpleRNN, LSTM and GRU.

Each pass walks the sequence one step at a time, exactly like the book's numpy RNN, and keeps
what a student wants to look at: the state after EVERY step and the gate activations. Weights
use Keras's layouts, so a trained layer's ``get_weights()`` plugs straight in:

- ``kernel`` (features, k·units), ``recurrent_kernel`` (units, k·units), ``bias`` (k·units,);
- LSTM blocks are in the order i, f, c, o (k = 4);
- GRU blocks are z, r, h (k = 3); with ``reset_after=True`` (the Keras default) the bias has two
  rows, the input bias and the recurrent bias, and the reset gate multiplies U·h after the product.

Inputs may carry leading batch axes: ``inputs`` is (..., steps, features). An optional ``mask``
(..., steps) marks real tokens; on a masked step the state is carried over unchanged, which is
what Keras does with ``mask_zero=True``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from explorer.training.cells import sigmoid
from explorer.training.config import GATES

CellKind = Literal["simple_rnn", "lstm", "gru"]
CELL_KINDS: tuple[CellKind, ...] = ("simple_rnn", "lstm", "gru")
PROJECTION_COMPONENTS = 2  # the hidden-state path is drawn in the plane of the first two PCs


class RecurrentWeightsError(ValueError):
    """Weights or inputs whose shapes do not fit the recurrent layer they are meant for."""


@dataclass(frozen=True)
class OneHotInputs:
    """One-hot input rows kept as their ids: row t is 1 at ``ids[t]`` and 0 elsewhere, never built.

    A one-hot row times a kernel is the kernel's row at the id, so ``inputs @ kernel`` indexes the
    kernel instead of multiplying ``num_words``-wide rows (a (maxlen, 20,000) float64 matrix, or
    the ``np.eye(num_words)`` it would be gathered from: 3.2 GB at 20,000 words).
    """

    ids: np.ndarray  # (..., steps) token ids
    num_words: int

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the one-hot array this stands for."""
        return (*self.ids.shape, self.num_words)

    @property
    def ndim(self) -> int:
        """Its number of axes."""
        return self.ids.ndim + 1

    def __getitem__(self, steps: slice) -> OneHotInputs:
        """The same rows in another order (``inputs[::-1]`` for a backward layer)."""
        return OneHotInputs(self.ids[..., steps], self.num_words)

    def __matmul__(self, kernel: np.ndarray) -> np.ndarray:
        return kernel[self.ids]

    def dense(self) -> np.ndarray:
        """The float32 one-hot array itself (for handing to Keras; maxlen × num_words × 4 bytes)."""
        encoded = np.zeros(self.shape, dtype=np.float32)
        np.put_along_axis(encoded, self.ids[..., None].astype(np.intp), 1.0, axis=-1)
        return encoded


@dataclass(frozen=True)
class RecurrentTrace:
    """What a recurrent layer did over one sequence (or a batch of them).

    ``states`` (..., steps, units) is the output h_t after each step (what
    ``return_sequences=True`` returns); ``gates`` maps a gate name to its activations, same shape.
    """

    kind: CellKind
    states: np.ndarray
    gates: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def final_state(self) -> np.ndarray:
        """The last output: what the layer returns with ``return_sequences=False``."""
        return self.states[..., -1, :]


def simple_rnn_forward(
    inputs: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
    mask: np.ndarray | None = None,
) -> RecurrentTrace:
    """Keras's ``SimpleRNN``: the book's numpy RNN, one step at a time.

    With W = ``kernel``, U = ``recurrent_kernel`` and b = ``bias`` (row-vector convention, as
    Keras stores them), each step computes ``state_t = tanh(W·x_t + U·state_{t-1} + b)``.
    """
    units = _check_weights("simple_rnn", inputs, kernel, recurrent_kernel, bias)
    W, U, b = kernel, recurrent_kernel, bias
    state_t = np.zeros(inputs.shape[:-2] + (units,))  # the book starts from an all-zero state
    successive_outputs = []
    projected = inputs @ W  # the book's np.dot(W, input_t), for every step at once
    for t in range(inputs.shape[-2]):
        output_t = np.tanh(projected[..., t, :] + state_t @ U + b)  # ... + np.dot(U, state_t) + b
        state_t = _keep_masked(output_t, state_t, mask, t)
        successive_outputs.append(state_t)
    return RecurrentTrace("simple_rnn", np.stack(successive_outputs, axis=-2))


def lstm_forward(
    inputs: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
    mask: np.ndarray | None = None,
) -> RecurrentTrace:
    """Keras's ``LSTM``: a cell state c carries information past many steps (the "conveyor belt").

    i = σ(x·W_i + h·U_i + b_i), f = σ(…_f), g = tanh(…_c), o = σ(…_o);
    c_t = f·c_{t-1} + i·g;  h_t = o·tanh(c_t). Gates returned: input, forget, candidate, output, cell.
    """
    units = _check_weights("lstm", inputs, kernel, recurrent_kernel, bias)
    h = np.zeros(inputs.shape[:-2] + (units,))
    c = np.zeros_like(h)
    names = ("input", "forget", "candidate", "output", "cell")
    recorded: dict[str, list[np.ndarray]] = {name: [] for name in names}
    states = []
    projected = inputs @ kernel
    for t in range(inputs.shape[-2]):
        z = projected[..., t, :] + h @ recurrent_kernel + bias
        z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
        i, f, g, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)
        new_c = f * c + i * g
        new_h = o * np.tanh(new_c)
        c = _keep_masked(new_c, c, mask, t)
        h = _keep_masked(new_h, h, mask, t)
        for name, value in zip(names, (i, f, g, o, c), strict=False):
            recorded[name].append(value)
        states.append(h)
    return RecurrentTrace(
        "lstm", np.stack(states, axis=-2), {name: np.stack(v, axis=-2) for name, v in recorded.items()}
    )


def gru_forward(
    inputs: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
    mask: np.ndarray | None = None,
    reset_after: bool = True,
) -> RecurrentTrace:
    """Keras's ``GRU``: an update gate z mixes the old state with a candidate built through a reset gate r.

    z = σ(x·W_z + h·U_z + b), r = σ(x·W_r + h·U_r + b);
    reset_after=True (Keras default, 2-row bias): ĥ = tanh(x·W_h + b_in + r·(h·U_h + b_rec));
    reset_after=False: ĥ = tanh(x·W_h + (r·h)·U_h + b);  h_t = z·h_{t-1} + (1 - z)·ĥ.
    Gates returned: update, reset, candidate.
    """
    units = _check_weights("gru", inputs, kernel, recurrent_kernel, bias, reset_after=reset_after)
    input_bias, recurrent_bias = (bias[0], bias[1]) if reset_after else (bias, np.zeros_like(bias))
    U_z, U_r, U_h = np.split(recurrent_kernel, 3, axis=-1)
    b_z, b_r, b_h = np.split(recurrent_bias, 3, axis=-1)
    h = np.zeros(inputs.shape[:-2] + (units,))
    names = ("update", "reset", "candidate")
    recorded: dict[str, list[np.ndarray]] = {name: [] for name in names}
    states = []
    projected = inputs @ kernel + input_bias
    for t in range(inputs.shape[-2]):
        x_z, x_r, x_h = np.split(projected[..., t, :], 3, axis=-1)
        z = sigmoid(x_z + h @ U_z + b_z)
        r = sigmoid(x_r + h @ U_r + b_r)
        candidate = np.tanh(x_h + r * (h @ U_h + b_h)) if reset_after else np.tanh(x_h + (r * h) @ U_h)
        new_h = z * h + (1.0 - z) * candidate
        h = _keep_masked(new_h, h, mask, t)
        for name, value in zip(names, (z, r, candidate), strict=False):
            recorded[name].append(value)
        states.append(h)
    return RecurrentTrace(
        "gru", np.stack(states, axis=-2), {name: np.stack(v, axis=-2) for name, v in recorded.items()}
    )


def run_recurrent(
    kind: CellKind, inputs: np.ndarray, weights: list[np.ndarray], mask: np.ndarray | None = None
) -> RecurrentTrace:
    """Run the layer named by ``kind`` with Keras-ordered ``weights`` ([kernel, recurrent_kernel, bias])."""
    if kind not in CELL_KINDS:
        raise RecurrentWeightsError(f"Unknown recurrent layer {kind!r}; expected one of {', '.join(CELL_KINDS)}.")
    if len(weights) != 3:
        raise RecurrentWeightsError(
            f"A {kind} layer needs kernel, recurrent kernel and bias; got {len(weights)} arrays."
        )
    if kind == "gru":  # a two-row bias is how a reset_after=True GRU is stored
        return gru_forward(inputs, *weights, mask=mask, reset_after=np.ndim(weights[2]) == 2)
    forward = simple_rnn_forward if kind == "simple_rnn" else lstm_forward
    return forward(inputs, *weights, mask=mask)


def probability_per_step(states: np.ndarray, dense_kernel: np.ndarray, dense_bias: np.ndarray) -> np.ndarray:
    """The classifier's verdict if the review stopped after each token: σ(h_t · w + b) for every t.

    ``dense_kernel`` (units, 1) and ``dense_bias`` (1,) are the final ``Dense(1, 'sigmoid')``.
    The last value is the model's actual prediction; jumps mark the review's turning points.
    """
    if dense_kernel.shape != (states.shape[-1], 1) or np.shape(dense_bias) != (1,):
        raise RecurrentWeightsError(
            f"The Dense layer's weights {dense_kernel.shape}, {np.shape(dense_bias)} do not fit states with "
            f"{states.shape[-1]} units; expected ({states.shape[-1]}, 1) and (1,)."
        )
    return sigmoid(states @ dense_kernel + dense_bias)[..., 0]


@dataclass(frozen=True)
class ProjectedPaths:
    """Hidden-state paths in the plane of their first two principal components."""

    paths: list[np.ndarray]  # one (steps, 2) array per input path
    explained_variance_ratio: np.ndarray  # share of the state variance each axis keeps


def project_paths(paths: list[np.ndarray]) -> ProjectedPaths:
    """Project several (steps, units) state paths with ONE PCA fitted on all their states together.

    Fitting on the union keeps the paths comparable: a positive and a negative review end up in
    the same picture, and one can see them drift apart as the verdict words arrive.
    """
    if not paths or any(path.ndim != 2 or len(path) == 0 for path in paths):
        raise RecurrentWeightsError("Give at least one non-empty (steps, units) state path to project.")
    if len({path.shape[1] for path in paths}) != 1:
        raise RecurrentWeightsError("All state paths must have the same number of units to share a projection.")
    stacked = np.concatenate(paths)
    components = min(PROJECTION_COMPONENTS, stacked.shape[1])
    if len(stacked) < components:
        raise RecurrentWeightsError(f"A projection to {components} axes needs at least {components} states in all.")
    from sklearn.decomposition import PCA  # imported here: sklearn costs ~0.5 s at start-up

    pca = PCA(n_components=components).fit(stacked)
    projected = np.split(pca.transform(stacked), np.cumsum([len(path) for path in paths])[:-1])
    if components < PROJECTION_COMPONENTS:  # a one-unit layer: draw it on a line
        projected = [np.pad(path, ((0, 0), (0, PROJECTION_COMPONENTS - components))) for path in projected]
    return ProjectedPaths(projected, pca.explained_variance_ratio_)


def _check_weights(
    kind: CellKind,
    inputs: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
    reset_after: bool = False,
) -> int:
    """The layer's unit count, after checking that every array has the Keras shape for ``kind``."""
    blocks = GATES[kind]
    if kernel.ndim != 2 or kernel.shape[1] % blocks:
        raise RecurrentWeightsError(f"A {kind} kernel must be (features, {blocks}·units); got {kernel.shape}.")
    units = kernel.shape[1] // blocks
    expected_bias = (2, blocks * units) if reset_after else (blocks * units,)
    if recurrent_kernel.shape != (units, blocks * units) or np.shape(bias) != expected_bias:
        raise RecurrentWeightsError(
            f"{kind} with {units} units needs a recurrent kernel {(units, blocks * units)} and a bias {expected_bias}; "
            f"got {recurrent_kernel.shape} and {np.shape(bias)}."
        )
    if inputs.ndim < 2 or inputs.shape[-1] != kernel.shape[0]:
        raise RecurrentWeightsError(f"Inputs must be (..., steps, {kernel.shape[0]}); got {inputs.shape}.")
    return units


def _keep_masked(new: np.ndarray, old: np.ndarray, mask: np.ndarray | None, t: int) -> np.ndarray:
    """``new`` where step ``t`` is a real token, ``old`` where it is masked padding."""
    if mask is None:
        return new
    return np.where(mask[..., t, None], new, old)
