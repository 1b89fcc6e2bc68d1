"""Walking a replayed review one token at a time, and finding reviews a run gets right or wrong.

The stepper moves over the steps that hold a word: padding is not read as a word (with masking
it is skipped; without, it only drifts the state before the review starts), so a student steps
from the first word to the last. Review text is always shown as text: every token is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from explorer import palette
from explorer.data.corpus import PAD_ID
from explorer.data.ragged import Ragged
from explorer.training.evaluate import DECISION_THRESHOLD
from explorer.training.inference import Predictor

CONTEXT_WORDS = 12  # words shown on each side of the current one
FIND_CHUNK = 256  # reviews predicted per batch while looking for a right or wrong one
FIND_LIMIT = 5_000  # reviews looked at before saying none was found (a few seconds at most)
CURRENT_STYLE = f"background:{palette.HIGHLIGHT};color:#000;border-radius:4px;padding:1px 4px;font-weight:600"
READ_STYLE = "color:#222"
AHEAD_STYLE = "color:#aaa"


def word_steps(ids: np.ndarray) -> np.ndarray:
    """Positions (0-based, in the padded sequence) of the steps that read a word, not padding."""
    return np.flatnonzero(np.asarray(ids) != PAD_ID)


def is_right(probability: float, label: int) -> bool:
    """Whether P(positive) = ``probability`` gives the review's ``label`` at the decision threshold."""
    return (probability >= DECISION_THRESHOLD) == bool(label)


def context_html(tokens: Sequence[str], steps: np.ndarray, current: int) -> str:
    """The words around step ``steps[current]``: read ones dark, the current one highlighted, later ones faint."""
    low, high = max(0, current - CONTEXT_WORDS), min(len(steps), current + CONTEXT_WORDS + 1)
    pieces = ["…"] if low > 0 else []
    for number in range(low, high):
        style = CURRENT_STYLE if number == current else READ_STYLE if number < current else AHEAD_STYLE
        pieces.append(f'<span style="{style}">{html.escape(tokens[steps[number]])}</span>')
    if high < len(steps):
        pieces.append("…")
    return f'<div style="line-height:2;font-size:1.05rem">{" ".join(pieces)}</div>'


def find_review(
    predictor: Predictor, reviews: Ragged, candidates: np.ndarray, after: int, label: int, right: bool
) -> int | None:
    """The number (into ``candidates``, reviews of ``label``) of the first review after number ``after``,
    wrapping around, that the run gets right (``right``) or wrong; None if none of ``FIND_LIMIT`` is.
    """
    order = (after + 1 + np.arange(min(len(candidates), FIND_LIMIT))) % len(candidates)
    for start in range(0, len(order), FIND_CHUNK):
        numbers = order[start : start + FIND_CHUNK]
        probabilities = predictor.predict(predictor.pad(reviews.take(candidates[numbers])))
        correct = (probabilities >= DECISION_THRESHOLD) == bool(label)
        hits = np.flatnonzero(correct == right)
        if len(hits):
            return int(numbers[hits[0]])
    return None
