"""Ragged integer sequences stored flat, and Keras's ``pad_sequences`` done in numpy.

Reviews have different lengths, so a corpus is one flat ``int32`` array of every token plus an
``offsets`` array: review ``i`` is ``flat[offsets[i]:offsets[i + 1]]``. Every operation below
works on the whole flat array at once (no Python loop over reviews), which is what keeps a
``num_words`` or ``maxlen`` slider change within a few milliseconds for 25,000 reviews.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Side = Literal["pre", "post"]
SIDES: tuple[Side, ...] = ("pre", "post")


@dataclass(frozen=True)
class Ragged:
    """Variable-length integer rows: ``flat`` holds them end to end, ``offsets`` marks starts."""

    flat: np.ndarray
    offsets: np.ndarray

    @classmethod
    def from_lists(cls, rows: Sequence[Sequence[int]]) -> Ragged:
        """Build from Python lists (or arrays) of ids."""
        lengths = np.fromiter((len(row) for row in rows), dtype=np.int64, count=len(rows))
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        flat = np.fromiter((token for row in rows for token in row), dtype=np.int32, count=int(offsets[-1]))
        return cls(flat, offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def lengths(self) -> np.ndarray:
        """Number of tokens in each row."""
        return np.diff(self.offsets)

    def row(self, index: int) -> np.ndarray:
        """The ids of one row (a view, not a copy)."""
        return self.flat[self.offsets[index] : self.offsets[index + 1]]

    def to_lists(self) -> list[list[int]]:
        """The rows as Python lists, the shape Keras's ``imdb.load_data`` returns."""
        return [self.row(i).tolist() for i in range(len(self))]

    def take(self, indices: np.ndarray) -> Ragged:
        """The rows at ``indices``, in that order."""
        indices = np.asarray(indices, dtype=np.int64)
        lengths = self.lengths[indices]
        offsets = np.zeros(len(indices) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return Ragged(self.flat[_gather_positions(self.offsets[indices], lengths)], offsets)

    def with_vocabulary(self, num_words: int, oov_id: int) -> Ragged:
        """Replace every id ``>= num_words`` by ``oov_id``, as ``imdb.load_data(num_words=...)`` does."""
        return Ragged(np.where(self.flat < num_words, self.flat, np.int32(oov_id)), self.offsets)


def _gather_positions(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Flat positions ``starts[i], ..., starts[i] + counts[i] - 1`` for every ``i``, concatenated."""
    total = int(counts.sum())
    row_starts_in_output = np.cumsum(counts) - counts
    position_in_row = np.arange(total, dtype=np.int64) - np.repeat(row_starts_in_output, counts)
    return np.repeat(starts, counts) + position_in_row


def check_side(name: str, value: str) -> None:
    """Raise ``ValueError`` unless ``value`` is ``'pre'`` or ``'post'`` (Keras's rule)."""
    if value not in SIDES:
        raise ValueError(f'{name} must be "pre" or "post", not {value!r}.')


def pad_sequences(
    sequences: Ragged | Sequence[Sequence[int]],
    maxlen: int | None = None,
    dtype: str | np.dtype = "int32",
    padding: Side = "pre",
    truncating: Side = "pre",
    value: float = 0,
) -> np.ndarray:
    """Pad or truncate every row to ``maxlen``, with the semantics of ``keras.utils.pad_sequences``.

    ``truncating='pre'`` drops the start of a long row (keeping its end), ``'post'`` its end;
    ``padding='pre'`` puts the ``value`` filler before a short row, ``'post'`` after it.
    ``maxlen=None`` pads to the longest row. The result has shape ``(rows, maxlen)``.
    """
    check_side("padding", padding)
    check_side("truncating", truncating)
    ragged = sequences if isinstance(sequences, Ragged) else Ragged.from_lists(sequences)
    lengths = ragged.lengths
    if maxlen is None:
        maxlen = int(lengths.max()) if len(lengths) else 0
    if maxlen < 1:
        raise ValueError(f"maxlen must be at least 1, not {maxlen}.")
    if len(ragged.flat) == 0:
        return np.full((len(ragged), maxlen), value, dtype=dtype)
    kept = np.minimum(lengths, maxlen)
    source_starts = ragged.offsets[:-1] + (lengths - kept if truncating == "pre" else 0)
    column_starts = maxlen - kept if padding == "pre" else np.zeros_like(kept)
    # Every output cell at once: its offset into the kept part of its row, valid or padding.
    offset = np.arange(maxlen)[None, :] - column_starts[:, None]
    valid = (offset >= 0) & (offset < kept[:, None])
    source = np.where(valid, source_starts[:, None] + offset, 0)
    return np.where(valid, ragged.flat[source], value).astype(dtype, copy=False)


def padded_ids(
    ids: Ragged, num_words: int, oov_id: int, maxlen: int, padding: Side = "pre", truncating: Side = "pre"
) -> np.ndarray:
    """What a network receives: ``pad_sequences`` of ``ids`` cut to a ``num_words`` vocabulary.

    Padding first and cutting the vocabulary after touches only the ``rows × maxlen`` kept ids
    rather than every token of every review (the padding value 0 is always in the vocabulary).
    """
    padded = pad_sequences(ids, maxlen, padding=padding, truncating=truncating)
    return np.where(padded < num_words, padded, np.int32(oov_id))
