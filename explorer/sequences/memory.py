"""How many bytes each way of feeding reviews to a network takes (the book's 8 MB vs 4 GB).

A padded id matrix holds one integer per token; a one-hot tensor holds ``num_words`` floats per
token, all zero but one. The formulas are plain products, so the app can show them for any
setting without ever building the (possibly enormous) one-hot array.
"""

from __future__ import annotations

import os

import numpy as np

BYTES_PER_FLOAT32 = 4
ONE_HOT_BUDGET_BYTES = 256 * 10**6  # the most one-hot the app will ever build (a small sample)


def padded_ids_bytes(rows: int, maxlen: int, dtype: str | np.dtype = "int32") -> int:
    """Bytes of a ``(rows, maxlen)`` id matrix: rows × maxlen × itemsize."""
    return rows * maxlen * np.dtype(dtype).itemsize


def one_hot_bytes(rows: int, maxlen: int, num_words: int, dtype: str | np.dtype = "float32") -> int:
    """Bytes of a ``(rows, maxlen, num_words)`` one-hot tensor: rows × maxlen × num_words × itemsize."""
    return rows * maxlen * num_words * np.dtype(dtype).itemsize


def embedding_output_bytes(rows: int, maxlen: int, dim: int) -> int:
    """Bytes of an embedding layer's float32 output for ``rows`` reviews: rows × maxlen × dim × 4."""
    return rows * maxlen * dim * BYTES_PER_FLOAT32


def smallest_id_dtype(num_words: int) -> np.dtype:
    """The narrowest unsigned integer type that holds every id below ``num_words``."""
    return np.min_scalar_type(max(num_words - 1, 0))


def to_categorical_bytes(rows: int, maxlen: int, num_classes: int) -> int:
    """Bytes ``keras.utils.to_categorical`` really returns: it allocates float64, 8 per cell.

    (It also takes ``num_classes`` = largest id + 1 when not told, which can be below ``num_words``.)
    """
    return rows * maxlen * num_classes * np.dtype("float64").itemsize


def machine_memory_bytes() -> int:
    """Physical memory of this machine (the line one-hot has to stay under)."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


class OneHotTooLarge(ValueError):
    """A one-hot array that would not fit in the memory budget: it is refused, never built."""


def one_hot(padded: np.ndarray, num_words: int, budget_bytes: int, dtype: str | np.dtype = "float32") -> np.ndarray:
    """One-hot encoding of ``padded`` ids (any shape): zeros with a single 1 set per id.

    The result is all that is allocated (no ``np.eye(num_words)`` to gather from, which alone
    would be 1.6 GB at 20,000 words), so ``budget_bytes`` bounds the memory really used; beyond
    it the array is refused (``OneHotTooLarge``), never built.
    """
    needed = int(np.prod(padded.shape)) * num_words * np.dtype(dtype).itemsize
    if needed > budget_bytes:
        raise OneHotTooLarge(f"{needed:,} bytes of one-hot would exceed the {budget_bytes:,}-byte budget.")
    encoded = np.zeros((*padded.shape, num_words), dtype=dtype)
    np.put_along_axis(encoded, padded[..., None].astype(np.intp), 1, axis=-1)
    return encoded


def encoding_sizes(rows: int, maxlen: int, num_words: int, embedding_dim: int, batch_size: int) -> dict[str, int]:
    """Bytes of every way to hold ``rows`` padded reviews, keyed by their names in the catalogue."""
    return {
        "onehot.padded_int32": padded_ids_bytes(rows, maxlen),
        "onehot.padded_smallest": padded_ids_bytes(rows, maxlen, smallest_id_dtype(num_words)),
        "onehot.embedding_output": embedding_output_bytes(rows, maxlen, embedding_dim),
        "onehot.one_hot_batch": one_hot_bytes(batch_size, maxlen, num_words),
        "onehot.one_hot_float32": one_hot_bytes(rows, maxlen, num_words),
        "onehot.to_categorical": to_categorical_bytes(rows, maxlen, num_words),
    }


WHOLE_ONE_HOT_KEYS = {"onehot.one_hot_float32", "onehot.to_categorical"}  # the arrays the app never builds


def nbytes_report(name: str, array: np.ndarray, formula_bytes: int) -> str:
    """Three aligned lines: the array's shape, numpy's byte count, and the formula's."""
    width = len(name) + 7
    return (
        f"{name + '.shape':<{width}} = {array.shape}\n"
        f"{name + '.nbytes':<{width}} = {array.nbytes:,}\n"
        f"{'formula':<{width}} = {formula_bytes:,}"
    )
