"""The Keras source: imdb.load_data's own output, through our corpus, gives load_data's answers.

No network here, so a small stand-in imdb.npz is handed to Keras's real load_data (its
download step patched to return the file); the conversion and the num_words cut must then
reproduce what load_data(num_words=...) itself returns.
"""

import json

import keras
import numpy as np
import pytest
from keras.src.datasets import imdb

from explorer.data.corpus import OOV_ID
from explorer.data.keras_source import ALL_WORDS, corpus_from_keras
from explorer.data.ragged import pad_sequences

VOCABULARY = 60


@pytest.fixture()
def keras_files(tmp_path, monkeypatch):
    rng = np.random.default_rng(3)

    def reviews(count):
        rows = np.empty(count, dtype=object)
        rows[:] = [rng.integers(1, VOCABULARY + 1, size=rng.integers(3, 30)).tolist() for _ in range(count)]
        return rows

    npz = tmp_path / "imdb.npz"
    np.savez(
        npz, x_train=reviews(40), y_train=rng.integers(0, 2, 40), x_test=reviews(30), y_test=rng.integers(0, 2, 30)
    )
    index = tmp_path / "imdb_word_index.json"
    index.write_text(json.dumps({f"word{rank}": rank for rank in range(1, VOCABULARY + 1)}))
    monkeypatch.setattr(imdb, "get_file", lambda fname, **kwargs: str(npz if fname.endswith(".npz") else index))


@pytest.mark.parametrize("num_words", [10, 25, 1000])
def test_num_words_cut_equals_load_data(keras_files, num_words):
    corpus = corpus_from_keras(*imdb.load_data(num_words=ALL_WORDS), imdb.get_word_index())
    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=num_words)
    assert corpus.train.ids.with_vocabulary(num_words, OOV_ID).to_lists() == list(x_train)
    assert corpus.test.ids.with_vocabulary(num_words, OOV_ID).to_lists() == list(x_test)
    np.testing.assert_array_equal(corpus.train.labels, y_train)
    np.testing.assert_array_equal(
        pad_sequences(corpus.test.ids.with_vocabulary(num_words, OOV_ID), 12), keras.utils.pad_sequences(x_test, 12)
    )


def test_decoding_follows_the_word_index(keras_files):
    corpus = corpus_from_keras(*imdb.load_data(num_words=ALL_WORDS), imdb.get_word_index())
    row = corpus.train.ids.row(0)
    assert corpus.decode(row[:1]) == ["<start>"]
    assert corpus.decode(row[1:]) == [f"word{token - 3}" for token in row[1:]]
    assert corpus.text(corpus.train, 0) == " ".join(f"word{token - 3}" for token in row[1:])
    assert corpus.train.texts is None
