"""A trained run replayed on one review, step by step, with the numpy recurrent layers.

The weights are the ones the training engine stores (``explorer.training.runs.load_weights``:
``embedding/embeddings``, ``rnn_<i>/forward/kernel`` ..., ``rnn_<i>/backward/...`` for a
bidirectional layer, ``dense/kernel``, ``dense/bias``). The review is prepared as the run's model
saw its data (``Predictor.pad``: ``num_words`` cut, then the run's padding to ``maxlen``), so the
last probability equals the model's prediction.

The engine's ``explorer.training.inference.Predictor`` runs the same model fast, for whole
batches, and returns only the final probability; this module walks one review step by step with
``explorer.lab.recurrent`` and keeps every state and gate, which is what the lab draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.lab.recurrent import (
    OneHotInputs,
    RecurrentTrace,
    RecurrentWeightsError,
    probability_per_step,
    run_recurrent,
    sigmoid,
)
from explorer.training import runs
from explorer.training.config import RunConfig

DIRECTIONS = ("forward", "backward")


@dataclass(frozen=True)
class RunTrace:
    """What every layer of a run did with one review.

    ``layers[i]`` maps "forward" (and "backward" for a bidirectional layer) to that direction's
    trace, steps in reading order. ``probabilities`` is P(positive) after each step, or None for
    a bidirectional model (its backward half has not read the start yet at step t).
    """

    ids: np.ndarray  # the padded ids the model reads, (maxlen,)
    inputs: np.ndarray | OneHotInputs  # what the first recurrent layer reads at each step, (maxlen, features)
    mask: np.ndarray | None  # True on real tokens when the run masks padding
    layers: list[dict[str, RecurrentTrace]]
    probabilities: np.ndarray | None
    prediction: float


def traceable_runs() -> dict[str, RunConfig]:
    """Stored runs with a recurrent layer and saved weights, newest first (damaged runs are skipped)."""
    found = {}
    for run_id in runs.list_runs():
        try:
            config = runs.read_config(run_id)
        except runs.RunStoreError:
            continue
        if config.is_recurrent and (runs.run_dir(run_id) / runs.WEIGHTS_FILE).is_file():
            found[run_id] = config
    return found


def run_accuracies(run_id: str) -> tuple[float | None, float | None]:
    """A run's best validation accuracy and its test accuracy, where known (None otherwise)."""
    try:
        validation = [epoch["val_accuracy"] for epoch in runs.read_history(run_id) if "val_accuracy" in epoch]
        evaluation = runs.read_evaluation(run_id) or {}
    except (runs.RunStoreError, ValueError):
        return None, None
    return (max(validation) if validation else None), evaluation.get("accuracy")


def first_layer_inputs(ids: np.ndarray, config: RunConfig, weights: dict[str, np.ndarray]) -> np.ndarray | OneHotInputs:
    """The vectors fed to the first recurrent layer: embedding rows, or one-hot rows of num_words (kept as ids)."""
    if config.encoding == "one_hot":
        return OneHotInputs(ids, config.num_words)
    return weights["embedding/embeddings"][ids].astype(np.float64)


def trace_run(config: RunConfig, weights: dict[str, np.ndarray], ids: np.ndarray) -> RunTrace:
    """Replay the run's model on padded ``ids`` (from ``Predictor.pad``), keeping every layer's steps."""
    if not config.is_recurrent:
        raise RecurrentWeightsError("This run has no recurrent layer (Flatten → Dense): there is no state to follow.")
    try:
        inputs = first_layer_inputs(ids, config, weights)
        mask = ids != 0 if config.mask_zero else None
        layers: list[dict[str, RecurrentTrace]] = []
        for layer in range(config.stacked):
            sequence = merged_states(layers[-1]) if layers else inputs
            directions = DIRECTIONS if config.bidirectional else DIRECTIONS[:1]
            layers.append(
                {
                    d: _run_direction(config, layer_weights(weights, layer, d), sequence, mask, d == "backward")
                    for d in directions
                }
            )
        dense_kernel, dense_bias = weights["dense/kernel"], weights["dense/bias"]
    except KeyError as error:
        raise RecurrentWeightsError(
            f"The stored weights lack {error}: they do not belong to this run's model."
        ) from error
    if config.bidirectional:
        final = np.concatenate([layers[-1]["forward"].final_state, layers[-1]["backward"].states[0]])
        return RunTrace(ids, inputs, mask, layers, None, float(sigmoid(final @ dense_kernel + dense_bias)[0]))
    probabilities = probability_per_step(layers[-1]["forward"].states, dense_kernel, dense_bias)
    return RunTrace(ids, inputs, mask, layers, probabilities, float(probabilities[-1]))


def merged_states(directions: dict[str, RecurrentTrace]) -> np.ndarray:
    """A layer's output at every step: its directions' states side by side (Keras's ``merge_mode="concat"``)."""
    return np.concatenate([directions[d].states for d in DIRECTIONS if d in directions], axis=-1)


def layer_inputs(trace: RunTrace, layer: int) -> np.ndarray:
    """What layer ``layer`` (0-based) read at each step: the encoded tokens, or the layer below's output."""
    if layer:
        return merged_states(trace.layers[layer - 1])
    return trace.inputs.dense() if isinstance(trace.inputs, OneHotInputs) else trace.inputs


def layer_weights(weights: dict[str, np.ndarray], layer: int, direction: str) -> list[np.ndarray]:
    """[kernel, recurrent_kernel, bias] of one direction of layer ``layer`` (0-based), as float64."""
    return [
        weights[f"rnn_{layer + 1}/{direction}/{name}"].astype(np.float64)
        for name in ("kernel", "recurrent_kernel", "bias")
    ]


def _run_direction(
    config: RunConfig,
    layer_weights: list[np.ndarray],
    inputs: np.ndarray | OneHotInputs,
    mask: np.ndarray | None,
    backward: bool,
) -> RecurrentTrace:
    """One direction of one layer; a backward layer reads the review from its end, and its steps are
    flipped back into reading order (as Keras's ``Bidirectional`` does for ``return_sequences``)."""
    if not backward:
        return run_recurrent(config.layer, inputs, layer_weights, mask)  # type: ignore[arg-type]
    trace = run_recurrent(config.layer, inputs[::-1], layer_weights, None if mask is None else mask[::-1])  # type: ignore[arg-type]
    return RecurrentTrace(trace.kind, trace.states[::-1], {name: values[::-1] for name, values in trace.gates.items()})
