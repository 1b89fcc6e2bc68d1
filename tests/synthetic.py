"""A small, learnable IMDB look-alike, written in the official aclImdb layout.

Tests and benchmarks use it when the real data is not at hand: every review mixes neutral
filler with a few sentiment words, so a model can learn it, and lengths vary from a handful of
tokens to several hundred, so padding and truncation have something to show.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import numpy as np

POSITIVE_WORDS = ("great", "wonderful", "brilliant", "loved", "moving", "superb", "funny", "best")
NEGATIVE_WORDS = ("awful", "boring", "worst", "waste", "dull", "terrible", "poor", "hated")
FILLER_WORDS = (
    "the",
    "a",
    "and",
    "of",
    "to",
    "is",
    "in",
    "it",
    "this",
    "that",
    "film",
    "movie",
    "was",
    "as",
    "with",
    "for",
    "but",
    "on",
    "plot",
    "actors",
    "story",
    "scene",
    "director",
    "i",
    "character",
    "music",
    "ending",
    "time",
    "really",
    "just",
    "watch",
    "see",
    "don't",
    "it's",
)
SENTIMENT_SHARE = 0.15  # share of a review's words that carry its sentiment
MEAN_LENGTH = 120  # mean words per review (lengths are log-normal, like real reviews)


def synthetic_review(rng: np.random.Generator, positive: bool) -> str:
    """One review: filler words with sentiment words of its polarity (and a few of the other)."""
    length = int(np.clip(rng.lognormal(np.log(MEAN_LENGTH), 0.6), 5, 900))
    own, other = (POSITIVE_WORDS, NEGATIVE_WORDS) if positive else (NEGATIVE_WORDS, POSITIVE_WORDS)
    choice = rng.random(length)
    words = np.where(
        choice < SENTIMENT_SHARE,
        rng.choice(own, length),
        np.where(choice < SENTIMENT_SHARE * 1.2, rng.choice(other, length), rng.choice(FILLER_WORDS, length)),
    )
    sentences = [" ".join(chunk).capitalize() + "." for chunk in np.array_split(words, max(1, length // 12))]
    return "<br /><br />".join([" ".join(sentences[: len(sentences) // 2]), " ".join(sentences[len(sentences) // 2 :])])


def write_synthetic_aclimdb_tarball(path: Path, reviews_per_label: int = 100, seed: int = 0) -> Path:
    """Write ``reviews_per_label`` reviews to each of train/pos, train/neg, test/pos, test/neg."""
    rng = np.random.default_rng(seed)
    with tarfile.open(path, "w:gz") as archive:
        _add(archive, "aclImdb/README", b"Synthetic stand-in for the Large Movie Review Dataset v1.0.\n")
        _add(archive, "aclImdb/imdb.vocab", "\n".join(FILLER_WORDS + POSITIVE_WORDS + NEGATIVE_WORDS).encode())
        for split in ("train", "test"):
            for label in ("pos", "neg"):
                for review_id in range(reviews_per_label):
                    rating = int(rng.integers(7, 11) if label == "pos" else rng.integers(1, 5))
                    text = synthetic_review(rng, positive=label == "pos")
                    _add(archive, f"aclImdb/{split}/{label}/{review_id}_{rating}.txt", text.encode("utf-8"))
    return path


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))
