"""From raw text to numbers: the steps of "Deep Learning with Python" 6.1, made inspectable.

Each function turns text into the arrays the book builds by hand: word- and character-level
tokens and their one-hot matrices, a word index fitted on a corpus (Keras's ``Tokenizer``),
``texts_to_matrix`` in its four modes, the hashing trick and its collisions, and n-gram bags.
Everything is plain numpy / scikit-learn so the Streamlit process can call it directly.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

# Keras's default ``Tokenizer(filters=...)``: characters replaced by a space before splitting.
KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
# The book's character vocabulary: every printable ASCII character, indices from 1.
PRINTABLE_CHARACTERS = string.printable
MAX_NGRAM = 3  # the largest n the lab offers (uni-, bi- and trigrams)
# Whitespace characters are tokens too at the character level; these symbols make them visible.
VISIBLE_WHITESPACE = {" ": "␣", "\t": "⇥", "\n": "↵", "\r": "␍", "\x0b": "␋", "\x0c": "␌"}

MatrixMode = Literal["binary", "count", "freq", "tfidf"]
MATRIX_MODES: tuple[MatrixMode, ...] = ("binary", "count", "freq", "tfidf")


class TextNumbersError(ValueError):
    """A text transformation got an argument it cannot work with."""


def words_of(text: str, lower: bool = True) -> list[str]:
    """Split ``text`` into words the way Keras's ``text_to_word_sequence`` does.

    Lower-case, replace every character of ``KERAS_FILTERS`` by a space, split on spaces, and
    drop empty pieces; apostrophes stay inside words ("don't").
    """
    if lower:
        text = text.lower()
    return text.translate(str.maketrans(dict.fromkeys(KERAS_FILTERS, " "))).split()


def characters_of(text: str) -> list[str]:
    """Split ``text`` into characters (the book's character-level tokens)."""
    return list(text)


def visible(token: str) -> str:
    """``token`` with its whitespace characters drawn as symbols (for axis labels)."""
    return "".join(VISIBLE_WHITESPACE.get(character, character) for character in token)


def first_seen_index(token_lists: Iterable[Sequence[str]]) -> dict[str, int]:
    """The book's hand-made token index: each new token gets the next integer, starting at 1.

    Index 0 is left unused, as in the book, so a row of zeros can never be mistaken for a token.
    """
    index: dict[str, int] = {}
    for tokens in token_lists:
        for token in tokens:
            index.setdefault(token, len(index) + 1)
    return index


def printable_index() -> dict[str, int]:
    """The book's character index: ``string.printable`` numbered from 1."""
    return {character: position for position, character in enumerate(PRINTABLE_CHARACTERS, start=1)}


def one_hot_matrix(tokens: Sequence[str], index: dict[str, int], max_length: int) -> np.ndarray:
    """One row per token (the first ``max_length``), with a single 1 at the token's index.

    The matrix has ``max(index) + 1`` columns (column 0 is the unused index). A token missing from
    ``index`` gets a row of zeros instead of a crash: the book's code would fail there.
    """
    if max_length < 1:
        raise TextNumbersError(f"max_length must be at least 1, not {max_length}.")
    width = max(index.values(), default=0) + 1
    matrix = np.zeros((max_length, width), dtype=np.float32)
    for position, token in enumerate(tokens[:max_length]):
        if token in index:
            matrix[position, index[token]] = 1.0
    return matrix


# Keras 3 removed ``keras.preprocessing.text.Tokenizer``; the class below re-creates its
# fit_on_texts / word_index / texts_to_sequences / texts_to_matrix by hand, with the same word
# order (by count, ties in first-seen order) and the same matrix formulas.
@dataclass(frozen=True)
class WordIndex:
    """A word index fitted on a corpus, the state of a fitted Keras ``Tokenizer``.

    ``word_index`` numbers words by decreasing count from 1 (the OOV token, if any, first);
    ``document_frequency`` counts the documents each word appears in (Keras's ``word_docs``).
    ``num_words`` keeps only indices below it when converting, as Keras does.
    """

    word_counts: dict[str, int]
    document_frequency: dict[str, int]
    document_count: int
    word_index: dict[str, int]
    num_words: int | None = None
    oov_token: str | None = None

    @property
    def width(self) -> int:
        """Number of columns of ``texts_to_matrix``: ``num_words``, else the index size + 1."""
        return self.num_words if self.num_words else len(self.word_index) + 1

    def texts_to_sequences(self, texts: Iterable[str]) -> list[list[int]]:
        """Each text as the indices of its words; unknown or cut words become the OOV index or vanish."""
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        sequences = []
        for text in texts:
            sequence = []
            for word in words_of(text):
                found = self.word_index.get(word)
                if found is not None and (not self.num_words or found < self.num_words):
                    sequence.append(found)
                elif oov is not None:
                    sequence.append(oov)
            sequences.append(sequence)
        return sequences

    def sequences_to_matrix(self, sequences: Sequence[Sequence[int]], mode: MatrixMode = "binary") -> np.ndarray:
        """One row per sequence, one column per index, filled by ``mode`` with Keras's formulas.

        binary: 1 if the word occurs; count: its count c; freq: c / len(sequence);
        tfidf: (1 + ln c) · ln(1 + documents / (1 + documents containing the word)).
        """
        if mode not in MATRIX_MODES:
            raise TextNumbersError(f"Unknown mode {mode!r}; choose one of {', '.join(MATRIX_MODES)}.")
        if mode == "tfidf" and not self.document_count:
            raise TextNumbersError("tfidf needs a word index fitted on at least one document.")
        document_frequency = self.index_document_frequency()
        matrix = np.zeros((len(sequences), self.width))
        for row, sequence in enumerate(sequences):
            for column, count in Counter(j for j in sequence if j < self.width).items():
                if mode == "binary":
                    matrix[row, column] = 1.0
                elif mode == "count":
                    matrix[row, column] = count
                elif mode == "freq":
                    matrix[row, column] = count / len(sequence)
                else:
                    idf = np.log(1 + self.document_count / (1 + document_frequency.get(column, 0)))
                    matrix[row, column] = (1 + np.log(count)) * idf
        return matrix

    def texts_to_matrix(self, texts: Sequence[str], mode: MatrixMode = "binary") -> np.ndarray:
        """``sequences_to_matrix(texts_to_sequences(texts), mode)``, as in Keras."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode)

    def index_document_frequency(self) -> dict[int, int]:
        """Document counts keyed by word index (Keras's ``index_docs``)."""
        return {self.word_index[word]: count for word, count in self.document_frequency.items()}


def fit_word_index(texts: Iterable[str], num_words: int | None = None, oov_token: str | None = None) -> WordIndex:
    """Fit a word index on ``texts``, like ``Tokenizer(num_words, oov_token=...).fit_on_texts(texts)``."""
    if num_words is not None and num_words < 1:
        raise TextNumbersError(f"num_words must be at least 1 (or None for all words), not {num_words}.")
    word_counts: Counter[str] = Counter()
    document_frequency: Counter[str] = Counter()
    document_count = 0
    for text in texts:
        words = words_of(text)
        word_counts.update(words)
        document_frequency.update(set(words))
        document_count += 1
    # Counter keeps first-seen order and sorted() is stable: ties stay in first-seen order, as in Keras.
    ranked = [word for word, _ in sorted(word_counts.items(), key=lambda item: item[1], reverse=True)]
    vocabulary = ([oov_token] if oov_token is not None else []) + ranked
    word_index = {word: position for position, word in enumerate(vocabulary, start=1)}
    return WordIndex(dict(word_counts), dict(document_frequency), document_count, word_index, num_words, oov_token)


def stable_hashes(tokens: Sequence[str]) -> np.ndarray:
    """Hashes of ``tokens`` that are the same in every process (MurmurHash3, 32 bit, seed 0).

    The book uses Python's ``hash``, which is salted per process (PYTHONHASHSEED), so its
    buckets change from run to run; a fixed hash keeps the lab's pictures reproducible.
    """
    from sklearn.utils import murmurhash3_32  # imported here: sklearn costs ~0.5 s at start-up

    return np.fromiter(
        (murmurhash3_32(token, seed=0, positive=True) for token in tokens), dtype=np.int64, count=len(tokens)
    )


def stable_hash(token: str) -> int:
    """The stable hash of one token (see ``stable_hashes``)."""
    return int(stable_hashes([token])[0])


def hashed_index(token: str, dimension: int) -> int:
    """The column a token lands in under the hashing trick: ``hash(token) % dimension``."""
    _check_dimension(dimension)
    return stable_hash(token) % dimension


def collisions(tokens: Iterable[str], dimension: int) -> dict[int, list[str]]:
    """The buckets that two or more distinct tokens share, with those tokens (in first-seen order)."""
    _check_dimension(dimension)
    buckets: dict[int, list[str]] = {}
    for token in dict.fromkeys(tokens):
        buckets.setdefault(hashed_index(token, dimension), []).append(token)
    return {bucket: members for bucket, members in sorted(buckets.items()) if len(members) > 1}


def collision_rates(vocabulary: Sequence[str], dimensions: Sequence[int]) -> np.ndarray:
    """For each dimension, the share of distinct words that share their bucket with another word."""
    for dimension in dimensions:
        _check_dimension(dimension)
    unique = tuple(dict.fromkeys(vocabulary))
    if not unique:
        raise TextNumbersError("The vocabulary is empty: there is nothing to hash.")
    hashes = _vocabulary_hashes(unique)
    rates = np.empty(len(dimensions))
    for position, dimension in enumerate(dimensions):
        buckets = hashes % dimension
        bucket_sizes = np.bincount(buckets, minlength=dimension)
        rates[position] = np.mean(bucket_sizes[buckets] > 1)
    return rates


@lru_cache(maxsize=4)
def _vocabulary_hashes(vocabulary: tuple[str, ...]) -> np.ndarray:
    """``stable_hashes`` of a whole vocabulary, remembered: a dimension slider re-asks for the same words."""
    hashes = stable_hashes(vocabulary)
    hashes.setflags(write=False)  # shared between callers
    return hashes


def expected_collision_rates(vocabulary_size: int, dimensions: Sequence[int]) -> np.ndarray:
    """What a perfectly random hash gives: P(some other word lands in my bucket) = 1 - (1 - 1/d)^(n-1)."""
    sizes = np.asarray(dimensions, dtype=float)
    return 1.0 - (1.0 - 1.0 / sizes) ** (vocabulary_size - 1)


def _check_dimension(dimension: int) -> None:
    if dimension < 1:
        raise TextNumbersError(f"The hashing dimension must be at least 1, not {dimension}.")


def ngram_counts(text: str, n_min: int = 1, n_max: int = 1) -> list[tuple[str, int]]:
    """The bag of n-grams of ``text`` (words as in ``words_of``), n from ``n_min`` to ``n_max``.

    Returned as (n-gram, count) pairs, most frequent first, ties alphabetical; it is what
    scikit-learn's ``CountVectorizer(ngram_range=(n_min, n_max))`` counts for this one text.
    """
    if not 1 <= n_min <= n_max <= MAX_NGRAM:
        raise TextNumbersError(f"Need 1 ≤ n_min ≤ n_max ≤ {MAX_NGRAM}; got n_min={n_min}, n_max={n_max}.")
    if not words_of(text):
        return []
    from sklearn.feature_extraction.text import CountVectorizer  # imported here: slow at start-up

    vectorizer = CountVectorizer(ngram_range=(n_min, n_max), tokenizer=words_of, lowercase=False, token_pattern=None)
    counts = vectorizer.fit_transform([text]).toarray()[0]
    pairs = zip(vectorizer.get_feature_names_out().tolist(), counts.tolist(), strict=False)
    return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))
