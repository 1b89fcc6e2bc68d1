"""The TF-IDF + logistic-regression baseline: n-gram counting by hand, accuracy, and its cache."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from explorer.data.corpus import Corpus, Split
from explorer.data.ragged import Ragged
from explorer.lab import baseline
from explorer.lab.baseline import BaselineError, count_matrix, fit_baseline, ngram_keys, ngram_name
from tests.synthetic import NEGATIVE_WORDS, POSITIVE_WORDS

CHANCE = 0.5


@pytest.fixture()
def corpus(small_corpus: Corpus, isolated_cache) -> Corpus:
    """The shared generated corpus, with this test's own (empty) cache for baseline results."""
    return small_corpus


def test_ngram_keys_by_hand() -> None:
    ids = Ragged.from_lists([[1, 4, 5, 4], [2, 6], []])
    rows, keys = ngram_keys(ids, width=10)
    # unigrams 4, 5, 4 | 6 (start 1 and OOV 2 are no words); bigrams (4,5) → 10+45, (5,4) → 10+54
    assert sorted(zip(rows.tolist(), keys.tolist(), strict=False)) == [(0, 4), (0, 4), (0, 5), (0, 55), (0, 64), (1, 6)]
    matrix = count_matrix(ids, 10, np.array([4, 5, 55]))
    np.testing.assert_array_equal(matrix.toarray(), [[2, 1, 1], [0, 0, 0], [0, 0, 0]])


def test_ngram_names_decode_both_kinds(corpus: Corpus) -> None:
    width = corpus.max_num_words
    first, second = corpus.words[0], corpus.words[1]
    assert ngram_name(corpus, 4) == first
    assert ngram_name(corpus, width + 4 * width + 5) == f"{first} {second}"


def test_baseline_learns_the_generated_corpus(corpus: Corpus) -> None:
    result = fit_baseline(corpus)
    assert result.train_count + result.validation_count == len(corpus.train)
    assert result.test_count == len(corpus.test)
    assert result.validation_accuracy > CHANCE + 0.3
    assert result.test_accuracy > CHANCE + 0.3
    strongest_positive = {name for name, _ in result.positive_features[:8]}
    strongest_negative = {name for name, _ in result.negative_features[:8]}
    assert len(strongest_positive & set(POSITIVE_WORDS)) >= 4
    assert len(strongest_negative & set(NEGATIVE_WORDS)) >= 4
    assert not strongest_positive & set(NEGATIVE_WORDS) and not strongest_negative & set(POSITIVE_WORDS)
    assert all(weight > 0 for _, weight in result.positive_features[:8])
    assert [w for _, w in result.negative_features] == sorted(w for _, w in result.negative_features)


def test_result_is_cached_and_a_damaged_cache_is_refitted(corpus: Corpus, monkeypatch) -> None:
    first = baseline.baseline(corpus)
    path = baseline.baseline_cache_path(corpus)
    assert json.loads(path.read_text())["test_accuracy"] == first.test_accuracy

    def no_fit(_corpus):
        raise AssertionError("a cached result must not be fitted again")

    with monkeypatch.context() as patched:
        patched.setattr(baseline, "fit_baseline", no_fit)
        assert baseline.baseline(corpus) == first
    path.write_text("{ half a file")
    assert baseline.cached_baseline(corpus) is None
    refitted = baseline.baseline(corpus)
    assert dataclasses.replace(refitted, fit_seconds=0.0) == dataclasses.replace(first, fit_seconds=0.0)
    assert baseline.cached_baseline(corpus) == refitted


def test_single_label_training_data_is_refused(corpus: Corpus) -> None:
    one_label = Split(corpus.train.ids, np.ones_like(corpus.train.labels), corpus.train.texts)
    with pytest.raises(BaselineError, match="same label"):
        fit_baseline(dataclasses.replace(corpus, train=one_label))
