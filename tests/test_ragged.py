"""Ragged rows and pad_sequences: the numpy version must behave exactly like Keras's."""

import keras
import numpy as np
import pytest

from explorer.data.corpus import OOV_ID
from explorer.data.ragged import SIDES, Ragged, pad_sequences, padded_ids


@pytest.fixture(scope="module")
def rows() -> list[list[int]]:
    rng = np.random.default_rng(7)
    return [rng.integers(1, 1000, size=rng.integers(0, 40)).tolist() for _ in range(300)]


@pytest.mark.parametrize("padding", SIDES)
@pytest.mark.parametrize("truncating", SIDES)
@pytest.mark.parametrize("maxlen", [1, 7, 20, 39, 60, None])
def test_pad_sequences_equals_keras(rows, padding, truncating, maxlen):
    ours = pad_sequences(Ragged.from_lists(rows), maxlen, padding=padding, truncating=truncating)
    theirs = keras.utils.pad_sequences(rows, maxlen, padding=padding, truncating=truncating)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_pad_sequences_value_and_dtype_follow_keras(rows):
    ours = pad_sequences(rows, 25, dtype="float32", padding="post", value=-1.5)
    theirs = keras.utils.pad_sequences(rows, 25, dtype="float32", padding="post", value=-1.5)
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("argument", [{"padding": "middle"}, {"truncating": "both"}, {"maxlen": 0}])
def test_pad_sequences_rejects_bad_arguments(rows, argument):
    with pytest.raises(ValueError, match="padding|truncating|maxlen"):
        pad_sequences(rows, **{"maxlen": 10, **argument})


def test_take_and_vocabulary_cut(rows):
    ragged = Ragged.from_lists(rows)
    picked = ragged.take(np.array([5, 0, 5]))
    assert picked.to_lists() == [rows[5], rows[0], rows[5]]
    cut = ragged.with_vocabulary(100, OOV_ID)
    assert cut.to_lists() == [[w if w < 100 else OOV_ID for w in row] for row in rows]


def test_padded_ids_pad_then_cut_like_keras(rows):
    ragged = Ragged.from_lists(rows)
    cut_first = keras.utils.pad_sequences(ragged.with_vocabulary(300, OOV_ID).to_lists(), 15, padding="post")
    np.testing.assert_array_equal(padded_ids(ragged, 300, OOV_ID, 15, padding="post"), cut_first)
