"""Figures about the corpus at a given ``num_words`` and ``maxlen``, and a command that prints them.

    python -m explorer.sequences.stats --source aclimdb --num-words 500 --maxlen 100

prints one JSON object: split sizes, label balance, the length distribution of the book's
training split, what ``maxlen`` truncates, what ``num_words`` turns into OOV, and the bytes of
the padded ids versus a one-hot encoding (the book: 8,000,000 vs 4,000,000,000).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass

import numpy as np

from explorer.data import sources
from explorer.data.corpus import OOV_ID, START_ID, Corpus, Split
from explorer.data.ragged import Ragged
from explorer.sequences.memory import one_hot_bytes, padded_ids_bytes

PERCENTILES = (90, 95, 99)
SPLIT_NAMES = ("train", "validation", "test", "all")  # "train"/"validation" are the book's split


@dataclass(frozen=True)
class LengthSummary:
    """The distribution of review lengths (tokens, start token included, as Keras counts)."""

    count: int
    mean: float
    median: float
    p90: float
    p95: float
    p99: float
    max: int


def length_summary(lengths: np.ndarray) -> LengthSummary:
    """Count, mean, median, 90/95/99th percentiles and maximum of ``lengths``."""
    p90, p95, p99 = np.percentile(lengths, PERCENTILES)
    return LengthSummary(
        len(lengths),
        float(np.mean(lengths)),
        float(np.median(lengths)),
        float(p90),
        float(p95),
        float(p99),
        int(lengths.max()),
    )


def truncated_share(lengths: np.ndarray, maxlen: int) -> float:
    """Share of reviews longer than ``maxlen`` (they lose tokens to truncation)."""
    return float(np.mean(lengths > maxlen))


def dropped_token_share(lengths: np.ndarray, maxlen: int) -> float:
    """Share of all tokens that truncation to ``maxlen`` throws away."""
    return float(np.maximum(lengths - maxlen, 0).sum() / lengths.sum())


def oov_share(ids: Ragged, num_words: int) -> float:
    """Share of word tokens (start tokens excluded) whose id is cut to OOV (2) at ``num_words``."""
    words = ids.flat[ids.flat != START_ID]
    return float(np.mean((words >= num_words) | (words == OOV_ID)))


def maxlen_for_share(lengths: np.ndarray, share: float) -> int:
    """The smallest ``maxlen`` that keeps at least ``share`` of the reviews whole."""
    return int(np.ceil(np.quantile(lengths, share, method="inverted_cdf")))


def chosen_reviews(corpus: Corpus, book_split: tuple[Split, Split], name: str) -> tuple[Ragged, np.ndarray]:
    """Ids and labels of the reviews ``name`` picks: one of ``SPLIT_NAMES``."""
    if name == "all":
        ids = (corpus.train.ids, corpus.test.ids)
        flat = np.concatenate([part.flat for part in ids])
        offsets = np.concatenate([ids[0].offsets, ids[1].offsets[1:] + ids[0].offsets[-1]])
        return Ragged(flat, offsets), np.concatenate([corpus.train.labels, corpus.test.labels])
    split = {"train": book_split[0], "validation": book_split[1], "test": corpus.test}[name]
    return split.ids, split.labels


def corpus_stats(corpus: Corpus, num_words: int, maxlen: int) -> dict:
    """The figures the command prints, as a JSON-ready dict."""
    train, validation = corpus.book_split()
    lengths = train.ids.lengths
    return {
        "source": corpus.source,
        "origin": corpus.origin,
        "num_words": num_words,
        "maxlen": maxlen,
        "counts": {"train": len(train), "validation": len(validation), "test": len(corpus.test)},
        "positive_share": {
            "train": float(train.labels.mean()),
            "validation": float(validation.labels.mean()),
            "test": float(corpus.test.labels.mean()),
        },
        "vocabulary_size": corpus.vocabulary_size,
        "train_lengths": asdict(length_summary(lengths)),
        "truncated_share": truncated_share(lengths, maxlen),
        "dropped_token_share": dropped_token_share(lengths, maxlen),
        "oov_token_share": oov_share(train.ids, num_words),
        "bytes": {
            "padded_int32": padded_ids_bytes(len(train), maxlen),
            "one_hot_float32": one_hot_bytes(len(train), maxlen, num_words),
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, load the corpus and print its figures as JSON."""
    parser = argparse.ArgumentParser(prog="python -m explorer.sequences.stats", description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=None, help="auto, keras, aclimdb, or a path to an aclImdb tarball/folder")
    parser.add_argument("--num-words", type=int, default=500)
    parser.add_argument("--maxlen", type=int, default=100)
    args = parser.parse_args(argv)
    if args.num_words < 3 or args.maxlen < 1:
        parser.error("--num-words must be at least 3 and --maxlen at least 1.")
    is_path = args.source not in (None, *sources.KINDS)
    try:
        spec = sources.resolve(None if is_path else args.source, args.source if is_path else None)
        corpus = sources.load(spec)
    except (ValueError, sources.DataUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(corpus_stats(corpus, args.num_words, args.maxlen), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
