"""On the real 50,000 reviews (whenever they are on the machine; CI always has them)."""

import keras
import numpy as np
import pytest

from explorer.data import aclimdb
from explorer.data.corpus import OOV_ID
from explorer.data.ragged import pad_sequences
from explorer.sequences.stats import corpus_stats
from tests.conftest import requires_real_data

pytestmark = requires_real_data


def test_counts_and_labels(real_corpus):
    assert len(real_corpus.train) == len(real_corpus.test) == 25_000
    for split in (real_corpus.train, real_corpus.test):
        assert int(split.labels.sum()) == 12_500
    train, validation = real_corpus.book_split()
    assert (len(train), len(validation)) == (20_000, 5_000)


def test_ids_decode_to_the_reviews_words(real_corpus):
    for index in (0, 1, 12_345, 24_999):
        row = real_corpus.train.ids.row(index)
        assert real_corpus.decode(row[1:]) == aclimdb.tokenize(real_corpus.text(real_corpus.train, index))


@pytest.mark.parametrize("maxlen", [50, 100, 500])
def test_padding_equals_keras_on_the_real_data(real_corpus, maxlen):
    train = real_corpus.book_split()[0].ids.with_vocabulary(500, OOV_ID)
    rows = train.to_lists()
    for padding in ("pre", "post"):
        for truncating in ("pre", "post"):
            np.testing.assert_array_equal(
                pad_sequences(train, maxlen, padding=padding, truncating=truncating),
                keras.utils.pad_sequences(rows, maxlen, padding=padding, truncating=truncating),
            )


def test_figures_have_the_books_shape(real_corpus):
    figures = corpus_stats(real_corpus, 500, 100)
    assert figures["bytes"] == {"padded_int32": 8_000_000, "one_hot_float32": 4_000_000_000}
    # the raw text's tokeniser differs from the one behind imdb.npz (mean 239.0, median 178)
    assert 220 < figures["train_lengths"]["mean"] < 250 and 165 < figures["train_lengths"]["median"] < 190
