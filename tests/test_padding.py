"""Picking a review, what truncation keeps, and the struck-through text."""

import numpy as np
import pytest

from explorer.data import aclimdb
from explorer.data.ragged import Ragged
from explorer.sequences.padding import (
    NoSuchReview,
    as_word_positions,
    pick_review,
    struck_text_html,
    token_categories,
    truncation,
    word_spans,
)

IDS = Ragged.from_lists([[1, 5, 6], [1, 7], [1, 5, 9, 9, 9, 9], [1, 8, 5]])


def test_pick_modes():
    assert pick_review(IDS, "index", 2) == 2
    assert pick_review(IDS, "shortest") == 1
    assert pick_review(IDS, "longest") == 2
    assert pick_review(IDS, "word", word_id=9) == 2
    assert pick_review(IDS, "word", word_id=5, seed=3) in (0, 2, 3)
    assert 0 <= pick_review(IDS, "random", seed=11) < 4


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        ({"mode": "index", "index": 4}, "index"),
        ({"mode": "word", "word_id": None}, "unknown_word"),
        ({"mode": "word", "word_id": 600, "num_words": 500}, "cut_word"),
        ({"mode": "word", "word_id": 42}, "absent_word"),
    ],
)
def test_pick_failures_say_why(arguments, reason):
    with pytest.raises(NoSuchReview) as caught:
        pick_review(IDS, **arguments)
    assert caught.value.reason == reason


def test_truncation_keeps_the_end_or_the_start():
    assert (truncation(10, 4, "pre").kept, truncation(10, 4, "pre").dropped) == (slice(6, 10), slice(0, 6))
    assert (truncation(10, 4, "post").kept, truncation(10, 4, "post").dropped) == (slice(0, 4), slice(4, 10))
    assert truncation(3, 4, "pre").dropped == slice(0, 0)
    assert as_word_positions(slice(0, 6)) == slice(0, 5)  # the start token is not a word
    assert as_word_positions(slice(4, 10)) == slice(3, 9)


def test_token_categories():
    np.testing.assert_array_equal(token_categories(np.array([0, 0, 1, 2, 3, 99])), [0, 0, 1, 2, 3, 3])


def test_word_spans_match_the_tokenizer(small_corpus):
    for index in range(10):
        text = small_corpus.text(small_corpus.train, index)
        assert [text[a:b].lower() for a, b in word_spans(text)] == aclimdb.tokenize(text)


def test_struck_text_strikes_exactly_the_dropped_words():
    text = "One <br />two, three! Four"
    html = struck_text_html(text, slice(0, 2))
    assert html.startswith("<del>One <br>two</del>, three!")
    assert struck_text_html("a < b", slice(0, 0)) == "a &lt; b"
