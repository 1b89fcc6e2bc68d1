"""The encoded IMDB corpus: ids, labels, vocabulary and (when there is one) the raw text.

Ids follow ``keras.datasets.imdb``: 0 pads, 1 starts a review, 2 stands for a word outside the
``num_words`` vocabulary, 3 is unused, and a word of frequency rank ``r`` (1 = most frequent)
has id ``r + 3``. Both sources, Keras's ``imdb.npz`` and the raw aclImdb text, end up here.

A corpus is cached on disk as one uncompressed ``.npz`` of flat arrays, written atomically and
checked on load (format version, array shapes, a checksum of the ids), so a damaged or stale
file is detected and rebuilt instead of being trusted.
"""

from __future__ import annotations

import math
import zipfile
import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from explorer.data.ragged import Ragged
from explorer.paths import atomic_save_npz

PAD_ID, START_ID, OOV_ID, UNUSED_ID = 0, 1, 2, 3
INDEX_FROM = 3  # a word's id is its frequency rank plus this
SPECIAL_TOKENS = ("<pad>", "<start>", "<oov>", "<unused>")
FORMAT_VERSION = 1
BOOK_VALIDATION_SHARE = 0.2  # the book holds out 20% of the training reviews for validation
BOOK_SPLIT_SEED = 42  # ... with train_test_split(random_state=42)


class CorpusCacheError(ValueError):
    """A cached corpus file is missing, damaged or from another format version."""


@dataclass(frozen=True)
class TextStore:
    """Many strings kept as one UTF-8 byte array plus offsets (cheap to save and to load)."""

    blob: np.ndarray
    offsets: np.ndarray

    @classmethod
    def from_strings(cls, strings: list[str]) -> TextStore:
        """Pack ``strings``."""
        encoded = [text.encode("utf-8") for text in strings]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(item) for item in encoded], out=offsets[1:])
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> str:
        return self.blob[self.offsets[index] : self.offsets[index + 1]].tobytes().decode("utf-8")


@dataclass(frozen=True)
class Split:
    """One part of the corpus: token ids, 0/1 labels (1 = positive) and raw texts if known."""

    ids: Ragged
    labels: np.ndarray
    texts: TextStore | None

    def __len__(self) -> int:
        return len(self.labels)

    def take(self, indices: np.ndarray) -> Split:
        """The reviews at ``indices`` (texts are shared, looked up through ``indices``)."""
        return Split(self.ids.take(indices), self.labels[indices], self.texts and _IndexedTexts(self.texts, indices))


@dataclass(frozen=True)
class _IndexedTexts:
    """A view of a ``TextStore`` through an index array (what ``Split.take`` needs)."""

    store: TextStore
    indices: np.ndarray

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int) -> str:
        return self.store[int(self.indices[index])]


@dataclass(frozen=True)
class Corpus:
    """The IMDB reviews of one source, encoded with Keras-compatible ids."""

    source: str
    origin: str
    train: Split
    test: Split
    words: tuple[str, ...]

    @property
    def vocabulary_size(self) -> int:
        """Number of distinct words with an id (the largest useful ``num_words`` is this + 4)."""
        return len(self.words)

    @property
    def max_num_words(self) -> int:
        """A ``num_words`` at which no word is out of vocabulary."""
        return len(self.words) + INDEX_FROM + 1

    @cached_property
    def ids_checksums(self) -> tuple[int, int]:
        """``ids_checksum`` of the training and the test ids, worked out once (a corpus never changes)."""
        return ids_checksum(self.train.ids.flat), ids_checksum(self.test.ids.flat)

    @cached_property
    def _ids_by_word(self) -> dict[str, int]:
        return {word: rank + INDEX_FROM for rank, word in enumerate(self.words, start=1)}

    def word_id(self, word: str) -> int | None:
        """The id of ``word`` in the full vocabulary (before any ``num_words`` cut), if it has one."""
        return self._ids_by_word.get(word)

    def word(self, token_id: int) -> str:
        """The word behind one id (special tokens in angle brackets)."""
        if token_id <= UNUSED_ID:
            return SPECIAL_TOKENS[token_id]
        rank = token_id - INDEX_FROM
        return self.words[rank - 1] if rank <= len(self.words) else SPECIAL_TOKENS[OOV_ID]

    def decode(self, ids: np.ndarray | list[int]) -> list[str]:
        """Words for a row of ids."""
        return [self.word(int(token_id)) for token_id in ids]

    def text(self, split: Split, index: int) -> str:
        """The review's raw text, or its ids decoded back into words when there is no raw text."""
        if split.texts is not None:
            return split.texts[index]
        return " ".join(self.decode(split.ids.row(index)[1:]))

    def book_split(self) -> tuple[Split, Split]:
        """The book's training and validation sets: ``train_test_split(test_size=0.2, random_state=42)``."""
        train_indices, validation_indices = book_split_indices(len(self.train))
        return self.train.take(train_indices), self.train.take(validation_indices)


def book_split_indices(count: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the book's train and validation reviews among ``count`` training reviews.

    What scikit-learn's ``train_test_split(np.arange(count), test_size=0.2, random_state=42)``
    returns: its ``ShuffleSplit`` holds out the first ceil(20 %) of ``RandomState(42).permutation``
    and trains on the rest. Written out here because importing scikit-learn took the training
    worker 2.3 s before its first run; a test checks the two agree.
    """
    order = np.random.RandomState(BOOK_SPLIT_SEED).permutation(count)
    held_out = math.ceil(BOOK_VALIDATION_SHARE * count)
    return order[held_out:], order[:held_out]


def ids_checksum(ids: np.ndarray) -> int:
    """A cheap checksum of an id array, stored beside it to detect damage."""
    return zlib.crc32(np.ascontiguousarray(ids).view(np.uint8))


def save_corpus(corpus: Corpus, path: Path, fingerprint: str) -> None:
    """Write ``corpus`` to ``path`` atomically; ``fingerprint`` identifies the data it came from."""
    arrays: dict[str, np.ndarray] = {
        "format_version": np.array(FORMAT_VERSION),
        "fingerprint": np.array(fingerprint),
        "source": np.array(corpus.source),
        "origin": np.array(corpus.origin),
        "words": np.frombuffer("\n".join(corpus.words).encode("utf-8"), dtype=np.uint8),
    }
    for name, split in (("train", corpus.train), ("test", corpus.test)):
        arrays[f"{name}_flat"] = split.ids.flat
        arrays[f"{name}_offsets"] = split.ids.offsets
        arrays[f"{name}_labels"] = split.labels
        arrays[f"{name}_checksum"] = np.array(ids_checksum(split.ids.flat))
        if split.texts is not None:
            arrays[f"{name}_text_blob"] = split.texts.blob
            arrays[f"{name}_text_offsets"] = split.texts.offsets
    atomic_save_npz(path, **arrays)


def load_corpus(path: Path, fingerprint: str) -> Corpus:
    """Read a corpus saved by ``save_corpus``; raise ``CorpusCacheError`` if it is unusable.

    Unusable means: unreadable, another format version, made from other data (``fingerprint``
    differs), inconsistent shapes, or ids whose checksum does not match.
    """
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
    except (OSError, ValueError, EOFError, zlib.error, zipfile.BadZipFile) as error:
        raise CorpusCacheError(f"{path.name} cannot be read ({error}).") from error
    try:
        if int(arrays["format_version"]) != FORMAT_VERSION:
            raise CorpusCacheError(f"{path.name} is from another version of the explorer.")
        if str(arrays["fingerprint"]) != fingerprint:
            raise CorpusCacheError(f"{path.name} was built from other data.")
        splits = {name: _load_split(arrays, name) for name in ("train", "test")}
        words = tuple(arrays["words"].tobytes().decode("utf-8").split("\n"))
        return Corpus(str(arrays["source"]), str(arrays["origin"]), splits["train"], splits["test"], words)
    except KeyError as error:
        raise CorpusCacheError(f"{path.name} lacks the array {error}.") from error


def _load_split(arrays: dict[str, np.ndarray], name: str) -> Split:
    flat, offsets, labels = arrays[f"{name}_flat"], arrays[f"{name}_offsets"], arrays[f"{name}_labels"]
    consistent = (
        flat.dtype == np.int32
        and len(offsets) == len(labels) + 1
        and offsets[0] == 0
        and offsets[-1] == len(flat)
        and bool(np.all(np.diff(offsets) >= 0))
    )
    if not consistent or ids_checksum(flat) != int(arrays[f"{name}_checksum"]):
        raise CorpusCacheError(f"the {name} ids in the cache are damaged.")
    texts = None
    if f"{name}_text_blob" in arrays:
        texts = TextStore(arrays[f"{name}_text_blob"], arrays[f"{name}_text_offsets"])
        if len(texts) != len(labels) or texts.offsets[-1] != len(texts.blob):
            raise CorpusCacheError(f"the {name} texts in the cache are damaged.")
    return Split(Ragged(flat, offsets), labels, texts)
