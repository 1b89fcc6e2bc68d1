"""A stored run's recurrent model as a numpy function of its inputs, with its exact gradient.

The attributions, memory-over-distance and hidden-unit views all need the same two things for
whole batches of reviews: every state the model went through, and how the output (the logit
before the final sigmoid) changes when an input vector changes. This module runs the forward
pass with the training layers' own step formulas (``explorer.training.cells``) and keeps every
state, then runs backpropagation through time by hand, cell by cell.

Why hand-written reverse mode rather than finite differences or a JVP per token: one backward
pass gives the gradient for EVERY token and every input dimension at once, exactly (to float
rounding), for a batch of reviews; a finite-difference or forward-mode scheme needs one extra
pass per token and per input dimension (500 tokens × 32 dimensions = 16,000 passes for one
review). TensorFlow, which could differentiate for us, may not run in the Streamlit process.
The tests check this backward pass against finite differences and Keras's ``GradientTape``.

Inputs are handled in the first layer's *projected* space ``P = x · W`` (per direction): the
embedding or one-hot vector x of a token only ever reaches the network through it, so
``∂logit/∂x = ∂logit/∂P · Wᵀ`` and ``(∂logit/∂x) · x = (∂logit/∂P) · P``. This keeps one-hot
models (10,000-wide inputs) as cheap as embedding models.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from explorer.lab.compiled_loops import compiled, final_probabilities
from explorer.lab.recurrent import RecurrentWeightsError
from explorer.training.cells import NUMPY_OPS, STEPS, input_bias, sigmoid, split
from explorer.training.config import RunConfig

DIRECTIONS = ("forward", "backward")


@contextmanager
def single_blas_thread() -> Iterator[None]:
    """Run BLAS on one thread: the recurrent products here are small ((batch, units) · (units, 4·units)),
    and on a busy 2-core machine BLAS's extra threads only spin and wait (measured: 3-5× slower)."""
    from threadpoolctl import threadpool_limits  # scikit-learn's own dependency

    with threadpool_limits(limits=1, user_api="blas"):
        yield


@dataclass(frozen=True)
class Network:
    """A recurrent run's weights, in one float type, with the names the engine stores them under."""

    config: RunConfig
    weights: Mapping[str, np.ndarray]

    @classmethod
    def of_run(cls, config: RunConfig, weights: Mapping[str, np.ndarray], dtype: type = np.float64) -> Network:
        """The run's network; float64 for gradients that tests compare, float32 where speed matters more."""
        if not config.is_recurrent:
            raise RecurrentWeightsError(
                "This run has no recurrent layer (Flatten → Dense): there is no state to follow."
            )
        return cls(config, {name: np.asarray(value, dtype=dtype) for name, value in weights.items()})

    @property
    def dtype(self) -> np.dtype:
        """The float type of the weights."""
        return self.weight("dense/kernel").dtype

    @property
    def directions(self) -> tuple[str, ...]:
        """("forward",) or, for a bidirectional run, ("forward", "backward")."""
        return DIRECTIONS if self.config.bidirectional else DIRECTIONS[:1]

    def weight(self, name: str) -> np.ndarray:
        """One stored array; a missing one means the weights belong to another model."""
        try:
            return self.weights[name]
        except KeyError as error:
            raise RecurrentWeightsError(
                f"The stored weights lack {error}: they do not belong to this run's model."
            ) from error

    def cell(self, layer: int, direction: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """kernel, recurrent kernel and bias of one direction of layer ``layer`` (0-based)."""
        prefix = f"rnn_{layer + 1}/{direction}"
        return tuple(self.weight(f"{prefix}/{name}") for name in ("kernel", "recurrent_kernel", "bias"))  # type: ignore[return-value]

    def projected(self, ids: np.ndarray, scale: np.ndarray | None = None) -> dict[str, FirstInput]:
        """The first layer's ``x · W`` per direction for padded ``ids`` (..., steps), times ``scale``.

        For one-hot input ``x · W`` is the kernel row of each id; for an embedding, the embedding
        row times the kernel. Only the distinct ids are projected (a table gathered per step), so a
        batch of 2,000 reviews × 500 steps never writes out its 10⁶ projections. ``scale`` (one
        number per leading index) draws inputs on the straight path from all-zero vectors, which
        integrated gradients walk along.
        """
        # the distinct ids in order and each id's place among them (np.unique's answer, without its sort)
        present = np.zeros(int(ids.max(initial=0)) + 1, bool)
        present[ids] = True
        distinct, index = np.flatnonzero(present), (np.cumsum(present) - 1)[ids]
        result = {}
        for direction in self.directions:
            kernel = self.cell(0, direction)[0]
            if self.config.encoding == "one_hot":
                table = kernel[distinct]
            else:
                table = self.weight("embedding/embeddings")[distinct] @ kernel
            result[direction] = FirstInput(table, index, None if scale is None else np.asarray(scale, table.dtype))
        return result

    def input_gram(self) -> np.ndarray:
        """Wᵀ·W of the first layer's kernels side by side: ‖g · Wᵀ‖² = g · (WᵀW) · gᵀ without forming g · Wᵀ."""
        kernels = np.concatenate([self.cell(0, d)[0] for d in self.directions], axis=1)
        return kernels.T @ kernels


@dataclass(frozen=True)
class FirstInput:
    """The first layer's ``P = x · W`` of one direction, kept as a table of distinct rows: ``P[..., t] =
    scale[...] · table[index[..., t]]``."""

    table: np.ndarray
    index: np.ndarray
    scale: np.ndarray | None = None

    def at(self, t: int, count: int | None = None) -> np.ndarray:
        """P at step ``t``, (..., gates·units); only the first ``count`` reviews if given."""
        rows = self.table[self.index[:count, t] if count is not None else self.index[..., t]]
        if self.scale is None:
            return rows
        return rows * (self.scale[:count] if count is not None else self.scale)[..., None]

    def full(self) -> np.ndarray:
        """P at every step, (..., steps, gates·units) (for one review's attributions)."""
        rows = self.table[self.index]
        return rows if self.scale is None else rows * self.scale[..., None, None]


@dataclass(frozen=True)
class LayerInput:
    """A higher layer's ``x · W`` at every step: the layer below's outputs times this layer's kernel."""

    values: np.ndarray

    def at(self, t: int, count: int | None = None) -> np.ndarray:
        """``x · W`` at step ``t``; only the first ``count`` reviews if given."""
        return self.values[:count, t] if count is not None else self.values[..., t, :]


@dataclass(frozen=True)
class Shared:
    """Reviews that read the same inputs as one reference row up to a step of their own.

    Review i's ids equal ``reference`` before step ``starts[i]``, so (reading forward, from the
    same zero state) its states there are the reference's: they are computed once. Two cases make
    this pay: leading padding (the reference is all padding; a short review in a 500-step window
    skips most of its steps) and occlusion by replacement (the reference is the review itself;
    the variant without token p starts at p, which halves the work).
    """

    reference: np.ndarray
    starts: np.ndarray

    @classmethod
    def leading_padding(cls, ids: np.ndarray) -> Shared:
        """Share the all-padding prefix of each row of ``ids`` (reviews, steps)."""
        real = ids != 0
        starts = np.where(real.any(axis=1), np.argmax(real, axis=1), ids.shape[1])
        return cls(np.zeros(ids.shape[1], dtype=ids.dtype), starts)


@dataclass(frozen=True)
class Tape:
    """What the forward pass kept: per layer and direction, the cell's input ``x · W`` and every state.

    ``states[layer][direction]`` is (h, c) with c None except for LSTM, each (..., steps, units)
    in reading order; ``logit`` (...,) is the output before the sigmoid.
    """

    mask: np.ndarray | None
    inputs: list[dict[str, FirstInput | LayerInput]]
    states: list[dict[str, tuple[np.ndarray, np.ndarray | None]]]
    logit: np.ndarray

    def outputs(self, layer: int) -> np.ndarray:
        """The layer's output at every step: its directions' h side by side (Keras's ``merge_mode="concat"``)."""
        return _merged(self.states[layer])

    @property
    def probability(self) -> np.ndarray:
        """P(positive): the sigmoid of the logit."""
        return sigmoid(self.logit)


def forward(
    network: Network, ids: np.ndarray, projected: dict[str, FirstInput] | None = None, shared: Shared | None = None
) -> Tape:
    """Run the model on padded ``ids`` (..., steps), keeping every state; ``projected`` replaces the first
    layer's ``x · W`` (default: ``network.projected(ids)``). With ``shared`` (2-D ``ids``, a one-way
    run), each review's steps before its start are copied from the reference row instead of computed."""
    if shared is not None and not network.config.bidirectional and projected is None and ids.ndim == 2:
        return _forward_shared(network, ids, shared)
    config = network.config
    mask = ids != 0 if config.mask_zero else None
    first = network.projected(ids) if projected is None else projected
    all_inputs: list[dict[str, FirstInput | LayerInput]] = []
    all_states: list[dict[str, tuple[np.ndarray, np.ndarray | None]]] = []
    for layer in range(config.stacked):
        inputs: dict[str, FirstInput | LayerInput] = {}
        states = {}
        for direction in network.directions:
            kernel, recurrent_kernel, bias = network.cell(layer, direction)
            inputs[direction] = first[direction] if layer == 0 else LayerInput(_merged(all_states[-1]) @ kernel)
            states[direction] = _run_direction(
                config.layer, inputs[direction], ids.shape, recurrent_kernel, bias, mask, direction == "backward"
            )
        all_inputs.append(inputs)
        all_states.append(states)
    return Tape(mask, all_inputs, all_states, _logit(network, all_states[-1]))


def predicted_probability(network: Network, ids: np.ndarray, shared: Shared) -> np.ndarray:
    """P(positive) of padded ``ids`` (reviews, steps): ``forward(...).probability`` without keeping states
    the output does not need (occlusion runs 500 variants × 500 steps: keeping them all, then sorting
    them back, took a third of its time). A float32 one-layer one-way network runs compiled
    (``explorer.lab.compiled_loops``)."""
    if compiled(network):
        return final_probabilities(network, ids, shared)
    if network.config.bidirectional:
        return forward(network, ids, shared=shared).probability
    return _forward_shared(network, ids, shared, last_only=True).probability


def _forward_shared(network: Network, ids: np.ndarray, shared: Shared, *, last_only: bool = False) -> Tape:
    """``forward`` for one-way runs, reviews sorted by their start so the computed ones are always the first k.

    With ``last_only`` the top layer keeps only its last step (enough for the logit, not for ``gradient``).
    """
    config = network.config
    reference = forward(network, shared.reference[None])
    order = np.argsort(shared.starts, kind="stable")
    undo = np.argsort(order)
    sorted_ids, starts = ids[order], shared.starts[order]
    mask = sorted_ids != 0 if config.mask_zero else None
    first = network.projected(sorted_ids)
    all_inputs, all_states = [], []
    for layer in range(config.stacked):
        kernel, recurrent_kernel, bias = network.cell(layer, "forward")
        inputs = first["forward"] if layer == 0 else LayerInput(all_states[-1]["forward"][0] @ kernel)
        h_ref, c_ref = reference.states[layer]["forward"]
        copied = (starts, h_ref[0], None if c_ref is None else c_ref[0])
        keep_every_step = not (last_only and layer == config.stacked - 1)
        states = _run_direction(
            config.layer, inputs, ids.shape, recurrent_kernel, bias, mask, False, copied, keep_every_step
        )
        all_inputs.append({"forward": inputs})
        all_states.append({"forward": states})
    if np.array_equal(order, np.arange(len(order))):  # already in order (callers may sort): no copies
        return Tape(mask, all_inputs, all_states, _logit(network, all_states[-1]))
    unsorted = [
        {"forward": tuple(None if part is None else part[undo] for part in layer["forward"])} for layer in all_states
    ]
    sorted_back = [{"forward": FirstInput(first["forward"].table, first["forward"].index[undo])}]
    inputs_back = sorted_back + [{"forward": LayerInput(layer["forward"].values[undo])} for layer in all_inputs[1:]]
    return Tape(None if mask is None else mask[undo], inputs_back, unsorted, _logit(network, unsorted[-1]))


def _logit(network: Network, last: dict[str, tuple[np.ndarray, np.ndarray | None]]) -> np.ndarray:
    """The dense layer's input (the forward direction's last state, the backward one's first) to the logit."""
    final = [last["forward"][0][..., -1, :]] + ([last["backward"][0][..., 0, :]] if "backward" in last else [])
    return (np.concatenate(final, axis=-1) @ network.weight("dense/kernel") + network.weight("dense/bias"))[..., 0]


def gradient(network: Network, tape: Tape) -> dict[str, np.ndarray]:
    """∂logit/∂P for each direction's first-layer ``P = x · W``, (..., steps, gates·units): backpropagation
    through time from the dense layer down to the first recurrent layer."""
    config = network.config
    dense = network.weight("dense/kernel")[:, 0]
    units = network.cell(0, "forward")[1].shape[0]
    upstream: dict[str, np.ndarray] = {}  # ∂logit/∂(this layer's h at every step), per direction
    for direction in network.directions:
        grad = np.zeros_like(tape.states[-1][direction][0])
        index = -1 if direction == "forward" else 0  # where the dense layer reads each direction
        grad[..., index, :] = dense[:units] if direction == "forward" else dense[units:]
        upstream[direction] = grad
    for layer in range(config.stacked - 1, -1, -1):
        input_grads = {}
        for direction in network.directions:
            _, recurrent_kernel, bias = network.cell(layer, direction)
            input_grads[direction] = _backprop_direction(
                config.layer,
                tape.inputs[layer][direction],
                recurrent_kernel,
                bias,
                tape.mask,
                direction == "backward",
                tape.states[layer][direction],
                upstream[direction],
            )
        if layer == 0:
            return input_grads
        below = sum(input_grads[d] @ network.cell(layer, d)[0].T for d in network.directions)
        upstream = dict(zip(network.directions, np.split(below, len(network.directions), axis=-1), strict=True))
    raise AssertionError("unreachable: a recurrent run has at least one layer")


def _merged(states: dict[str, tuple[np.ndarray, np.ndarray | None]]) -> np.ndarray:
    if len(states) == 1:  # one direction: its states as they are, no copy
        return states["forward"][0]
    return np.concatenate([states[d][0] for d in DIRECTIONS if d in states], axis=-1)


def _run_direction(
    kind: str,
    inputs: FirstInput | LayerInput,
    shape: tuple[int, ...],
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
    mask: np.ndarray | None,
    backwards: bool,
    shared: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None = None,
    keep_every_step: bool = True,
) -> tuple[np.ndarray, np.ndarray | None]:
    """h (and c for LSTM) after every step, in reading order; a backward direction reads from the end.
    Without ``keep_every_step`` only the final state, as a one-step sequence (..., 1, units).

    The loop of ``Predictor._direction`` with the same step formulas, but it keeps every state (the
    backward pass needs them) and gathers each step's input on the fly. ``shared`` = (sorted starts,
    reference h, reference c): at step t only the reviews already started are computed, the others
    copy the reference (see ``Shared``).
    """
    units = recurrent_kernel.shape[0]
    dtype = recurrent_kernel.dtype
    kept = (*shape, units) if keep_every_step else (*shape[:-1], 1, units)
    h_all = np.empty(kept, dtype=dtype)  # every kept step of every review is written below
    c_all = np.empty_like(h_all) if kind == "lstm" else None
    states = [np.zeros((*shape[:-1], units), dtype=dtype) for _ in range(2 if kind == "lstm" else 1)]
    extra = input_bias(kind, bias)
    started = 0  # with shared: how many (sorted) reviews have left the reference
    for t in range(shape[-1] - 1, -1, -1) if backwards else range(shape[-1]):
        count = None
        if shared is not None:
            starts, h_ref, c_ref = shared
            count = int(np.searchsorted(starts, t, side="right"))
            if count > started and t > 0:  # reviews leaving the reference now carry its state so far
                states[0][started:count] = h_ref[t - 1]
                if c_ref is not None:
                    states[1][started:count] = c_ref[t - 1]
            started = count
        old = [state[:count] for state in states] if count is not None else states
        _, new_states = STEPS[kind](NUMPY_OPS, inputs.at(t, count) + extra, old, recurrent_kernel, bias)
        if mask is not None:
            keep = (mask[:count, t] if count is not None else mask[..., t])[..., None]
            new_states = [np.where(keep, new, previous) for new, previous in zip(new_states, old, strict=True)]
        for state, new in zip(states, new_states, strict=True):
            state[:count] = new
        if keep_every_step:
            at_t = (slice(None, count), t) if count is not None else (Ellipsis, t, slice(None))
            h_all[at_t] = new_states[0]
            if c_all is not None:
                c_all[at_t] = new_states[1]
    if not keep_every_step:
        if shared is not None:  # reviews that never left the reference end in its final state
            starts, h_ref, c_ref = shared
            for state, reference in zip(states, (h_ref, c_ref), strict=False):
                state[int(np.searchsorted(starts, shape[-1] - 1, side="right")) :] = reference[-1]
        h_all[..., 0, :] = states[0]
        if c_all is not None:
            c_all[..., 0, :] = states[1]
        return h_all, c_all
    if shared is not None:  # the steps before each review's start are the reference's (row by row: contiguous)
        starts, h_ref, c_ref = shared
        for row in np.flatnonzero(starts > 0):
            start = min(int(starts[row]), shape[-1])
            h_all[row, :start] = h_ref[:start]
            if c_all is not None:
                c_all[row, :start] = c_ref[:start]
    return h_all, c_all


def _backprop_direction(
    kind: str,
    inputs: FirstInput | LayerInput,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
    mask: np.ndarray | None,
    backwards: bool,
    states: tuple[np.ndarray, np.ndarray | None],
    upstream: np.ndarray,
) -> np.ndarray:
    """∂logit/∂(x · W) at every step of one direction, walking the steps in the opposite order of the forward
    pass; the gates are recomputed from the kept states.

    ``upstream`` is ∂logit/∂h_t from above (the dense layer or the next layer). A masked step copied
    the previous state, so its gradient passes straight through and its input gets none.
    """
    h_all, c_all = states
    steps = h_all.shape[-2]
    gates = recurrent_kernel.shape[1]
    d_xw = np.zeros((*h_all.shape[:-1], gates), dtype=h_all.dtype)
    d_h = np.zeros_like(upstream[..., 0, :])
    d_c = np.zeros_like(d_h)
    zeros = np.zeros_like(d_h)
    extra = input_bias(kind, bias)
    for t in range(steps) if backwards else range(steps - 1, -1, -1):
        previous = t + 1 if backwards else t - 1
        first = previous < 0 or previous >= steps
        h_prev = zeros if first else h_all[..., previous, :]
        c_prev = zeros if first or c_all is None else c_all[..., previous, :]
        d_h = d_h + upstream[..., t, :]
        step_xw, new_d_h, new_d_c = CELL_BACKWARD[kind](
            inputs.at(t) + extra, h_prev, c_prev, recurrent_kernel, bias, d_h, d_c
        )
        if mask is not None:
            keep = mask[..., t, None]
            step_xw = np.where(keep, step_xw, 0.0)
            new_d_h = np.where(keep, new_d_h, d_h)
            new_d_c = np.where(keep, new_d_c, d_c)
        d_xw[..., t, :] = step_xw
        d_h, d_c = new_d_h, new_d_c
    return d_xw


def _simple_rnn_backward(xw, h_prev, c_prev, recurrent_kernel, bias, d_h, d_c):  # noqa: ANN001, ANN202
    """h = tanh(xw + h_prev·U): ∂a = ∂h·(1 − h²)."""
    h = np.tanh(xw + h_prev @ recurrent_kernel)
    d_a = d_h * (1.0 - h * h)
    return d_a, d_a @ recurrent_kernel.T, d_c


def _lstm_backward(xw, h_prev, c_prev, recurrent_kernel, bias, d_h, d_c):  # noqa: ANN001, ANN202
    """c = f·c_prev + i·g, h = o·tanh(c), gates from z = xw + h_prev·U (order i, f, g, o)."""
    z_i, z_f, z_g, z_o = split(xw + h_prev @ recurrent_kernel, 4)
    i, f, g, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_g), sigmoid(z_o)
    tanh_c = np.tanh(f * c_prev + i * g)
    d_c_total = d_c + d_h * o * (1.0 - tanh_c * tanh_c)
    d_z = np.concatenate(
        [
            d_c_total * g * i * (1.0 - i),
            d_c_total * c_prev * f * (1.0 - f),
            d_c_total * i * (1.0 - g * g),
            d_h * tanh_c * o * (1.0 - o),
        ],
        axis=-1,
    )
    return d_z, d_z @ recurrent_kernel.T, d_c_total * f


def _gru_backward(xw, h_prev, c_prev, recurrent_kernel, bias, d_h, d_c):  # noqa: ANN001, ANN202
    """Keras's reset_after GRU: h = z·h_prev + (1 − z)·n, n = tanh(x_h + r·(h_prev·U_h + b_h))."""
    x_z, x_r, x_h = split(xw, 3)
    r_z, r_r, r_h = split(h_prev @ recurrent_kernel + bias[1], 3)
    z, r = sigmoid(x_z + r_z), sigmoid(x_r + r_r)
    n = np.tanh(x_h + r * r_h)
    d_n = d_h * (1.0 - z) * (1.0 - n * n)  # through tanh
    d_z = d_h * (h_prev - n) * z * (1.0 - z)
    d_r = d_n * r_h * r * (1.0 - r)
    d_recurrent = np.concatenate([d_z, d_r, d_n * r], axis=-1)  # ∂ of h_prev·U + b_recurrent
    return np.concatenate([d_z, d_r, d_n], axis=-1), d_h * z + d_recurrent @ recurrent_kernel.T, d_c


CELL_BACKWARD = {"simple_rnn": _simple_rnn_backward, "lstm": _lstm_backward, "gru": _gru_backward}
