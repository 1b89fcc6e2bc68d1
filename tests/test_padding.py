"""Picking a review, what truncation keeps, and the struck-through text."""

import numpy as np
import pytest

from explorer.data import aclimdb
from explorer.data.ragged import Ragged
from explorer.sequences.padding import (
    NoSuchReview,
    Sighting,
    as_word_positions,
    collapse_padding,
    pick_review,
    sighting,
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


def test_struck_text_marks_the_searched_word_inside_and_outside_the_cut():
    text = "Great start. <br />Not great, GREAT end"
    html = struck_text_html(text, slice(0, 3), highlight="great")  # drops "Great start Not"
    assert html == ("<del><mark>Great</mark> start. <br>Not</del> <mark>great</mark>, <mark>GREAT</mark> end")


def test_sighting_counts_what_truncation_keeps_and_drops():
    row = np.array([1, 7, 5, 7, 9, 7])
    assert sighting(row, 7, truncation(6, 3, "pre")) == Sighting(kept=2, dropped=1)
    assert sighting(row, 7, truncation(6, 3, "pre")).message_key == "padding.word_some_dropped"
    assert sighting(row, 5, truncation(6, 3, "pre")).message_key == "padding.word_all_dropped"
    assert sighting(row, 9, truncation(6, 3, "pre")).message_key == "padding.word_all_kept"


def test_collapse_padding_squeezes_only_runs_longer_than_a_grid_row():
    ids = np.r_[np.zeros(50, dtype=np.int32), [1, 5], np.zeros(3, dtype=np.int32)]
    cells, counts = collapse_padding(ids, 20)
    np.testing.assert_array_equal(cells, [0, 1, 5, 0, 0, 0])
    np.testing.assert_array_equal(counts, [50, 1, 1, 1, 1, 1])
    assert counts.sum() == len(ids)


def test_token_categories_mark_the_searched_word():
    np.testing.assert_array_equal(token_categories(np.array([0, 1, 2, 7, 8]), searched_id=7), [0, 1, 2, 4, 3])
