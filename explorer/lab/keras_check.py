"""Proof that the numpy recurrent layers are Keras's: run the real Keras layer, in another process.

The Streamlit process never imports TensorFlow, so ``keras_max_difference`` starts
``python -m explorer.lab.keras_check`` as a child process, hands it the layer's weights and inputs as
an ``.npz`` on stdin, and reads Keras's ``return_sequences=True`` output back from stdout. Nothing
touches the disk.
"""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np

from explorer.lab.recurrent import CellKind, RecurrentTrace
from explorer.lab.run_trace import RunTrace, layer_inputs, layer_weights
from explorer.paths import REPO_ROOT
from explorer.training.config import KERAS_CLASS

KERAS_CHECK_TIMEOUT_S = 120  # importing TensorFlow alone takes ~10 s on a busy 2-core machine


class KerasCheckError(RuntimeError):
    """The Keras process could not run the layer; the message says why."""


def keras_sequences(
    kind: CellKind, inputs: np.ndarray, weights: list[np.ndarray], mask: np.ndarray | None
) -> np.ndarray:
    """Keras's own output at every step for ``inputs`` (steps, features). Imports Keras: child process only."""
    if kind not in KERAS_CLASS:
        raise KerasCheckError(f"Keras has no recurrent layer called {kind!r}.")
    import keras

    options = {"reset_after": weights[2].ndim == 2} if kind == "gru" else {}
    layer = getattr(keras.layers, KERAS_CLASS[kind])(weights[1].shape[0], return_sequences=True, **options)
    layer.build((None, *inputs.shape))
    layer.set_weights([w.astype(np.float32) for w in weights])
    keras_mask = None if mask is None else keras.ops.convert_to_tensor(mask[None])
    return np.asarray(layer(inputs[None].astype(np.float32), mask=keras_mask))[0]


def keras_states_in_child(
    kind: CellKind, inputs: np.ndarray, weights: list[np.ndarray], mask: np.ndarray | None = None
) -> np.ndarray:
    """``keras_sequences`` run in a child process (so this one never imports TensorFlow)."""
    arrays = {"inputs": inputs, **{f"weight{i}": w for i, w in enumerate(weights)}}
    if mask is not None:
        arrays["mask"] = mask
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    try:
        finished = subprocess.run(
            [sys.executable, "-m", "explorer.lab.keras_check", kind],
            input=buffer.getvalue(),
            cwd=REPO_ROOT,
            capture_output=True,
            timeout=KERAS_CHECK_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as error:
        raise KerasCheckError(f"Keras did not answer within {KERAS_CHECK_TIMEOUT_S} s.") from error
    if finished.returncode != 0:
        reason = (finished.stderr.decode(errors="replace").strip().splitlines() or ["unknown error"])[-1]
        raise KerasCheckError(f"The Keras process failed: {reason}")
    with np.load(io.BytesIO(finished.stdout)) as answer:
        return answer["states"]


def keras_max_difference(
    trace: RecurrentTrace, inputs: np.ndarray, weights: list[np.ndarray], mask: np.ndarray | None = None
) -> float:
    """The largest |numpy state − Keras state| over every step and unit of ``trace``."""
    return float(np.max(np.abs(keras_states_in_child(trace.kind, inputs, weights, mask) - trace.states), initial=0.0))


def run_layer_difference(trace: RunTrace, weights: dict[str, np.ndarray], layer: int) -> float:
    """``keras_max_difference`` for the forward direction of layer ``layer`` (0-based) of a replayed run."""
    inputs, forward_weights = layer_inputs(trace, layer), layer_weights(weights, layer, "forward")
    return keras_max_difference(trace.layers[layer]["forward"], inputs, forward_weights, trace.mask)


def _main() -> None:
    """Child-process entry: read the npz from stdin, write Keras's states as an npz to stdout."""
    with np.load(io.BytesIO(sys.stdin.buffer.read())) as given:
        weights = [given[f"weight{i}"] for i in range(3)]
        mask = given["mask"] if "mask" in given.files else None
        states = keras_sequences(sys.argv[1], given["inputs"], weights, mask)  # type: ignore[arg-type]
    buffer = io.BytesIO()
    np.savez(buffer, states=states)
    sys.stdout.buffer.write(buffer.getvalue())


if __name__ == "__main__":
    _main()
