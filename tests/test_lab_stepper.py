"""The token stepper's pieces: the steps that hold words, the highlighted context, the right/wrong finder."""

from __future__ import annotations

import numpy as np

from explorer.data.ragged import Ragged
from explorer.lab.stepper import context_html, find_review, is_right, word_steps


def test_padding_is_not_a_step() -> None:
    assert word_steps(np.array([0, 0, 1, 14, 22, 0])).tolist() == [2, 3, 4]


def test_the_context_escapes_tokens_and_marks_the_current_one() -> None:
    tokens = ["<pad>", "<start>", "*bold*", "a<b>"]
    shown = context_html(tokens, np.array([1, 2, 3]), 1)
    assert "&lt;start&gt;" in shown and "a&lt;b&gt;" in shown and "<b>" not in shown
    current = shown.split("font-weight:600")[1]
    assert current.startswith('">*bold*</span>')


def test_right_means_the_verdict_matches_the_label() -> None:
    assert is_right(0.7, 1) and is_right(0.2, 0) and not is_right(0.5, 0) and not is_right(0.49, 1)


class LengthPredictor:
    """A stand-in model: P(positive) is 0.9 for reviews longer than 3 ids, else 0.1."""

    def pad(self, rows: Ragged) -> np.ndarray:
        return rows.lengths[:, None].astype(float)

    def predict(self, padded: np.ndarray) -> np.ndarray:
        return np.where(padded[:, 0] > 3, 0.9, 0.1)


def test_find_the_next_review_it_gets_right_or_wrong_wrapping_around() -> None:
    reviews = Ragged.from_lists([[1] * n for n in (5, 2, 6, 2, 7)])  # long ones are read as positive
    candidates = np.arange(5)  # all positive reviews
    assert find_review(LengthPredictor(), reviews, candidates, 0, 1, right=False) == 1
    assert find_review(LengthPredictor(), reviews, candidates, 1, 1, right=True) == 2
    assert find_review(LengthPredictor(), reviews, candidates, 4, 1, right=False) == 1  # wraps to the start
    assert find_review(LengthPredictor(), reviews, np.array([0, 2, 4]), 0, 1, right=False) is None
