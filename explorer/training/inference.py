"""Predictions from a stored run in plain numpy: no TensorFlow in the app process.

``Predictor`` reads a run's ``weights.npz`` and ``config.json`` and repeats the Keras model's
forward pass: one-hot (a row gather) or embedding lookup, the recurrent layers (SimpleRNN,
LSTM, GRU, bidirectional, stacked, with the padding mask) using the very step formulas the
training layers use (``explorer.training.cells``), or Flatten → Dense, then the sigmoid
output. Tests check it against ``model.predict``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from explorer.data.corpus import OOV_ID
from explorer.data.ragged import Ragged, pad_sequences
from explorer.training import runs
from explorer.training.cells import NUMPY_OPS, STATE_COUNT, STEPS, input_bias, sigmoid
from explorer.training.config import RunConfig

CHUNK = 2048  # reviews per forward pass, which bounds the memory of a large batch
# A review with fewer words in the model's vocabulary is mostly padding and unknown-word ids to the
# model: its P(positive) is then the model's answer to nothing, so the page gives no verdict.
MIN_KNOWN_WORDS = 3


@dataclass(frozen=True)
class ReviewPrediction:
    """One review's ids as the model saw them, which of them are out of vocabulary, and P(positive)."""

    ids: list[int]
    out_of_vocabulary: list[bool]
    probability: float

    @property
    def known_words(self) -> int:
        """How many of the review's words are in the model's vocabulary (the start id not counted)."""
        return self.out_of_vocabulary[1:].count(False)

    @property
    def has_verdict(self) -> bool:
        """True when enough words are known (``MIN_KNOWN_WORDS``) for the probability to be about the review."""
        return self.known_words >= MIN_KNOWN_WORDS


@dataclass(frozen=True)
class Predictor:
    """A trained model's forward pass in numpy."""

    config: RunConfig
    weights: Mapping[str, np.ndarray]

    @classmethod
    def load(cls, run_id: str) -> Predictor:
        """The predictor of a stored run (its best weights)."""
        return cls(runs.read_config(run_id), runs.load_weights(run_id))

    def pad(self, rows: Ragged | Sequence[Sequence[int]]) -> np.ndarray:
        """Apply the run's ``num_words`` cut and padding to corpus-style ids."""
        ragged = rows if isinstance(rows, Ragged) else Ragged.from_lists(rows)
        cut = ragged.with_vocabulary(self.config.num_words, OOV_ID)
        return pad_sequences(
            cut, maxlen=self.config.maxlen, padding=self.config.padding, truncating=self.config.truncating
        )

    def predict(self, padded: np.ndarray) -> np.ndarray:
        """P(positive) for each row of padded ids ``(reviews, maxlen)``."""
        padded = np.asarray(padded)
        if padded.ndim != 2 or padded.shape[1] != self.config.maxlen:
            raise ValueError(f"expected ids of shape (reviews, {self.config.maxlen}), got {padded.shape}.")
        if padded.size and (padded.min() < 0 or padded.max() >= self.config.num_words):
            raise ValueError(
                f"ids must lie in 0 … {self.config.num_words - 1}; apply the num_words cut first (see pad)."
            )
        parts = [self._forward(padded[start : start + CHUNK]) for start in range(0, len(padded), CHUNK)]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)

    def predict_ids(self, ids: Sequence[int]) -> ReviewPrediction:
        """Predict one review given as corpus ids (start id first, as the corpus stores reviews)."""
        original = np.asarray(ids, dtype=np.int64)
        kept = np.where(original < self.config.num_words, original, OOV_ID)
        probability = float(self.predict(self.pad([kept.tolist()]))[0])
        return ReviewPrediction(kept.tolist(), (kept == OOV_ID).tolist(), probability)

    def _forward(self, ids: np.ndarray) -> np.ndarray:
        config = self.config
        mask = ids != 0 if config.mask_zero else None
        if not config.is_recurrent:
            return sigmoid(self._flatten_dense(ids))
        features = None if config.encoding == "one_hot" else self.weights["embedding/embeddings"][ids]
        for index in range(1, config.stacked + 1):
            sequences = index < config.stacked
            outputs = [
                self._direction(
                    f"rnn_{index}/{direction}",
                    ids,
                    features,
                    mask,
                    backwards=direction == "backward",
                    sequences=sequences,
                )
                for direction in (("forward", "backward") if config.bidirectional else ("forward",))
            ]
            features = np.concatenate(outputs, axis=-1)
        return sigmoid(features @ self.weights["dense/kernel"] + self.weights["dense/bias"])[:, 0]

    def _flatten_dense(self, ids: np.ndarray) -> np.ndarray:
        kernel, bias = self.weights["dense/kernel"], self.weights["dense/bias"]
        if self.config.encoding == "one_hot":
            # one-hot · kernel keeps one kernel row per step: the row of that step's id
            rows = kernel[:, 0].reshape(self.config.maxlen, self.config.num_words)
            return rows[np.arange(self.config.maxlen), ids].sum(axis=1) + bias[0]
        flat = self.weights["embedding/embeddings"][ids].reshape(len(ids), -1)
        return (flat @ kernel + bias)[:, 0]

    def _direction(
        self,
        prefix: str,
        ids: np.ndarray,
        features: np.ndarray | None,
        mask: np.ndarray | None,
        *,
        backwards: bool,
        sequences: bool,
    ) -> np.ndarray:
        """One direction of one recurrent layer: the last output, or all outputs in time order."""
        kind = self.config.layer
        kernel, recurrent_kernel, bias = (
            self.weights[f"{prefix}/{name}"] for name in ("kernel", "recurrent_kernel", "bias")
        )
        projected = (kernel[ids] if features is None else features @ kernel) + input_bias(kind, bias)
        steps = range(projected.shape[1] - 1, -1, -1) if backwards else range(projected.shape[1])
        units = recurrent_kernel.shape[0]
        states = [np.zeros((len(ids), units), dtype=np.float32) for _ in range(STATE_COUNT[kind])]
        outputs = np.zeros((len(ids), projected.shape[1], units), dtype=np.float32)
        for step in steps:
            output, new_states = STEPS[kind](NUMPY_OPS, projected[:, step], states, recurrent_kernel, bias)
            if mask is not None:
                keep = mask[:, step, None]
                new_states = [np.where(keep, new, old) for new, old in zip(new_states, states, strict=True)]
                output = new_states[0]
            states = new_states
            outputs[:, step] = output
        return outputs if sequences else states[0]
