"""Reading the raw Large Movie Review Dataset (aclImdb) and encoding it like Keras's imdb.npz.

Accepts the official ``aclImdb_v1.tar.gz``, a local copy of it (or of its labelled part), or an
extracted ``aclImdb/`` folder. Reviews are tokenised by ``tokenize`` below and words get ids
by frequency rank in the training reviews (id = rank + 3), so the ids mean what Keras's mean.
Words that only occur in test reviews get no id (they are out of vocabulary), as they would
for a model that only saw the training set.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from explorer.data.corpus import INDEX_FROM, OOV_ID, START_ID, Corpus, Split, TextStore
from explorer.data.ragged import Ragged

ReportProgress = Callable[[float, str], None]  # (fraction done, what is being done)
REVIEW_PATH = re.compile(r"(?:^|/)aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")
# Keras's imdb.npz lower-cases, drops punctuation and keeps in-word apostrophes ("don't").
TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
SHUFFLE_SEED = 113  # reviews are shuffled with Keras's load_data seed, so pos/neg interleave
DOCUMENT_MARK = "\x01"  # separates reviews in the joined text; becomes each review's start token


class AclImdbError(ValueError):
    """The given path is not a readable aclImdb tarball or folder."""


@dataclass(frozen=True)
class RawReviews:
    """The reviews of one split as text, with 0/1 labels (1 = positive)."""

    texts: list[str]
    labels: np.ndarray


def tokenize(text: str) -> list[str]:
    """Lower-cased words of a review, with HTML line breaks and punctuation removed."""
    return TOKEN.findall(LINE_BREAK.sub(" ", text.lower()))


def read_reviews(path: Path, progress: ReportProgress = lambda fraction, message: None) -> dict[str, RawReviews]:
    """Read the labelled reviews of an aclImdb tarball or folder into ``{'train': ..., 'test': ...}``."""
    if not path.exists():
        raise AclImdbError(f"{path} does not exist.")
    found: dict[tuple[str, str, int, int], str] = {}
    try:
        for name, text in _review_files(path):
            match = REVIEW_PATH.search(name)
            if match:
                split, label, review_id, rating = match.groups()
                found[(split, label, int(review_id), int(rating))] = text
                if len(found) % 2500 == 0:
                    progress(min(len(found) / 50_000, 1.0) * 0.5, f"read {len(found):,} reviews")
    except (tarfile.TarError, EOFError, OSError, UnicodeDecodeError) as error:
        raise AclImdbError(f"{path.name} is damaged or incomplete ({error}).") from error
    present = {key[:2] for key in found}
    missing = [
        f"{split}/{label}" for split in ("train", "test") for label in ("pos", "neg") if (split, label) not in present
    ]
    if missing:
        raise AclImdbError(f"{path.name} holds no reviews in {', '.join(missing)}: it is not an aclImdb data set.")
    return {split: _shuffled(found, split) for split in ("train", "test")}


def _review_files(path: Path) -> Iterator[tuple[str, str]]:
    """(name, text) of every .txt file in the tarball or under the folder."""
    if path.is_dir():
        for file in sorted(path.rglob("*.txt")):
            yield file.as_posix(), file.read_text(encoding="utf-8")
        return
    with tarfile.open(path, "r:*") as archive:
        for member in archive:
            if member.isfile() and member.name.endswith(".txt"):
                yield member.name, archive.extractfile(member).read().decode("utf-8")


def _shuffled(found: dict[tuple[str, str, int, int], str], split: str) -> RawReviews:
    keys = sorted(key for key in found if key[0] == split)
    order = np.random.RandomState(SHUFFLE_SEED).permutation(len(keys))
    texts = [found[keys[i]] for i in order]
    labels = np.array([keys[i][1] == "pos" for i in order], dtype=np.int8)
    return RawReviews(texts, labels)


def encode(
    reviews: dict[str, RawReviews], source: str, origin: str, progress: ReportProgress = lambda f, m: None
) -> Corpus:
    """Tokenise every review and give words Keras-style ids ranked by training-set frequency.

    All reviews are joined into one string with a mark before each, tokenised by a single
    regular-expression pass and factorised by pandas (hash-based, in C); this is what makes a
    cold build of 50,000 reviews take seconds rather than minutes.
    """
    train_count = len(reviews["train"].texts)
    joined = "".join(
        DOCUMENT_MARK + LINE_BREAK.sub(" ", text.lower())
        for split in ("train", "test")
        for text in reviews[split].texts
    )
    progress(0.6, "tokenising")
    tokens = re.findall(f"{TOKEN.pattern}|{DOCUMENT_MARK}", joined)
    progress(0.75, "building the vocabulary")
    codes, uniques = pd.factorize(np.array(tokens, dtype=object))
    is_mark = codes == int(np.flatnonzero(uniques == DOCUMENT_MARK)[0])  # (not NUL: numpy strips it)
    starts = np.flatnonzero(is_mark)
    train_end = starts[train_count] if train_count < len(starts) else len(codes)

    counts = np.bincount(codes[:train_end][~is_mark[:train_end]], minlength=len(uniques))
    by_rank = np.lexsort((uniques.astype(str), -counts))  # most frequent first, ties alphabetical
    by_rank = by_rank[(counts[by_rank] > 0) & (uniques[by_rank] != DOCUMENT_MARK)]
    id_of_code = np.full(len(uniques), OOV_ID, dtype=np.int32)
    id_of_code[by_rank] = np.arange(1, len(by_rank) + 1, dtype=np.int32) + INDEX_FROM
    ids = id_of_code[codes]
    ids[is_mark] = START_ID

    offsets = np.append(starts, len(ids)).astype(np.int64)
    progress(0.95, "packing")
    splits = {}
    for split, rows in (("train", slice(0, train_count)), ("test", slice(train_count, len(starts)))):
        split_offsets = offsets[rows.start : rows.stop + 1]
        flat = ids[split_offsets[0] : split_offsets[-1]]
        splits[split] = Split(
            Ragged(flat, split_offsets - split_offsets[0]),
            reviews[split].labels,
            TextStore.from_strings(reviews[split].texts),
        )
    return Corpus(source, origin, splits["train"], splits["test"], tuple(uniques[by_rank].tolist()))
