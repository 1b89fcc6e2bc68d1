"""How positive or negative each word is in the training reviews, and how frequent.

Polarity is the smoothed log-odds ratio of a word appearing in a positive review versus in a
negative one: with ``p`` of ``P`` positive and ``n`` of ``N`` negative reviews containing it,

    polarity = log((p + a) / (P - p + a)) - log((n + a) / (N - n + a))

so 0 means "as common on both sides", +1 means the odds of finding it are e (2.7) times higher in
a positive review. The pseudo-count ``a`` pulls rare words towards 0 instead of letting a word
seen once score infinity. Counting reviews (not occurrences) keeps one ranting review from
deciding a word's colour.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from explorer.data.ragged import Ragged

SMOOTHING = 0.5  # pseudo-count added to every review count (Jeffreys prior): rare words stay near 0


class PolarityError(ValueError):
    """Labels and reviews that do not fit together."""


@dataclass(frozen=True)
class WordStatistics:
    """Per word id: polarity (log-odds, + = positive), occurrences, and reviews of each label containing it."""

    polarity: np.ndarray
    frequency: np.ndarray
    positive_reviews: np.ndarray
    negative_reviews: np.ndarray


def word_statistics(ids: Ragged, labels: np.ndarray, size: int | None = None) -> WordStatistics:
    """Statistics for ids ``0 .. size - 1`` (default: up to the largest id present), all vectorised.

    ``labels`` are 1 for a positive review and 0 for a negative one.
    """
    labels = np.asarray(labels)
    if len(labels) != len(ids):
        raise PolarityError(f"{len(labels)} labels were given for {len(ids)} reviews.")
    if not np.isin(labels, (0, 1)).all():
        raise PolarityError("Review labels must be 0 (negative) or 1 (positive).")
    size = int(ids.flat.max(initial=-1)) + 1 if size is None else size
    if size < 1:
        raise PolarityError(f"The vocabulary size must be at least 1, not {size}.")
    kept = ids.flat < size
    row_of_token = np.repeat(np.arange(len(ids)), ids.lengths)[kept]
    token_ids = ids.flat[kept]

    # a review x word matrix; summing duplicates (a sort within each short row) and setting every
    # entry to 1 turns "how often" into "appears in" (17x faster than np.unique on 6M pairs)
    ones = np.ones(len(token_ids), dtype=np.int32)
    appears = sparse.csr_matrix((ones, (row_of_token, token_ids)), shape=(len(ids), size))
    appears.sum_duplicates()
    appears.data[:] = 1
    positive = np.asarray((labels == 1).astype(np.int32) @ appears).ravel()
    negative = np.asarray((labels == 0).astype(np.int32) @ appears).ravel()

    positive_total, negative_total = int((labels == 1).sum()), int((labels == 0).sum())
    polarity = _log_odds(positive, positive_total) - _log_odds(negative, negative_total)
    frequency = np.bincount(token_ids, minlength=size)
    return WordStatistics(polarity, frequency, positive, negative)


def _log_odds(containing: np.ndarray, total: int) -> np.ndarray:
    """Smoothed log of (reviews containing the word / reviews not containing it)."""
    return np.log((containing + SMOOTHING) / (total - containing + SMOOTHING))
