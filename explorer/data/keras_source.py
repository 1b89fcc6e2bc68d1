"""The Keras IMDB source: ``keras.datasets.imdb`` turned into a cached ``Corpus``.

Keras is only imported when this module runs as its own process
(``python -m explorer.data.keras_source OUT.npz FINGERPRINT``): the Streamlit process must never
import TensorFlow, so ``explorer.data.sources`` starts this as a child process, which downloads
``imdb.npz`` and ``imdb_word_index.json`` through Keras (verified and cached by Keras, in
``~/.keras/datasets``) and writes the encoded corpus for the app to load with numpy.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from explorer.data.corpus import Corpus, Split, save_corpus
from explorer.data.ragged import Ragged

ALL_WORDS = 2**31 - 1  # load_data(num_words=None) would turn the rarest word into OOV; this keeps all


def corpus_from_keras(
    train: tuple[Sequence[Sequence[int]], np.ndarray],
    test: tuple[Sequence[Sequence[int]], np.ndarray],
    word_index: Mapping[str, int],
) -> Corpus:
    """Build a ``Corpus`` from ``imdb.load_data()`` output and ``imdb.get_word_index()``.

    ``load_data`` already shuffled the reviews (seed 113), prepended the start id 1 and shifted
    word ranks by 3, so its ids are kept as they are.
    """
    words = [""] * max(word_index.values())
    for word, rank in word_index.items():
        words[rank - 1] = word
    splits = [Split(Ragged.from_lists(rows), np.asarray(labels, dtype=np.int8), None) for rows, labels in (train, test)]
    return Corpus("keras", "keras.datasets.imdb", splits[0], splits[1], tuple(words))


def main(output: str, fingerprint: str) -> None:
    """Download (or reuse Keras's cached) IMDB data and save it as a corpus at ``output``."""
    from keras.datasets import imdb

    train, test = imdb.load_data(num_words=ALL_WORDS)
    save_corpus(corpus_from_keras(train, test, imdb.get_word_index()), Path(output), fingerprint)


if __name__ == "__main__":
    main(*sys.argv[1:3])
