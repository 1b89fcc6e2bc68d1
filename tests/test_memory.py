"""The memory formulas against numpy's own byte counts, and the book's 8 MB vs 4 GB."""

import tracemalloc

import keras
import numpy as np
import pytest

from explorer.sequences.memory import (
    ONE_HOT_BUDGET_BYTES,
    OneHotTooLarge,
    one_hot,
    one_hot_bytes,
    padded_ids_bytes,
    smallest_id_dtype,
    to_categorical_bytes,
)


def test_the_books_numbers():
    assert padded_ids_bytes(20_000, 100) == 8_000_000
    assert one_hot_bytes(20_000, 100, 500) == 4_000_000_000


def test_formulas_equal_real_arrays():
    rng = np.random.default_rng(0)
    padded = rng.integers(0, 50, size=(12, 30)).astype(np.int32)
    encoded = one_hot(padded, 50, budget_bytes=10**7)
    assert padded.nbytes == padded_ids_bytes(12, 30)
    assert encoded.nbytes == one_hot_bytes(12, 30, 50)
    np.testing.assert_array_equal(encoded.argmax(-1), padded)
    assert encoded.sum() == padded.size


def test_to_categorical_really_returns_float64():
    padded = np.array([[0, 3, 49], [1, 2, 4]])
    categorical = keras.utils.to_categorical(padded, 50)
    assert categorical.nbytes == to_categorical_bytes(2, 3, 50)


def test_one_hot_beyond_the_budget_is_refused_without_allocating():
    with pytest.raises(OneHotTooLarge, match="budget"):
        one_hot(np.zeros((20_000, 100), dtype=np.int32), 500, budget_bytes=10**8)


def test_smallest_dtype_holds_every_id():
    assert smallest_id_dtype(256) == np.uint8
    assert smallest_id_dtype(257) == np.uint16
    assert smallest_id_dtype(500) == np.uint16
    assert smallest_id_dtype(70_000) == np.uint32


def test_one_hot_allocates_only_its_result():
    """A 20,000-word one-hot of 64 reviews costs its own bytes only (no 1.6 GB identity matrix)."""
    padded = np.random.default_rng(0).integers(0, 20_000, size=(64, 40), dtype=np.int32)
    tracemalloc.start()
    encoded = one_hot(padded, 20_000, budget_bytes=ONE_HOT_BUDGET_BYTES)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert encoded.nbytes == 64 * 40 * 20_000 * 4 and peak < encoded.nbytes * 1.1
    assert np.array_equal(encoded.argmax(axis=-1), padded) and encoded.sum() == padded.size
