"""Text-to-numbers transformations against small cases worked out by hand."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from itertools import combinations

import numpy as np
import pytest

from explorer.lab.text_numbers import (
    TextNumbersError,
    characters_of,
    collision_rates,
    collisions,
    expected_collision_rates,
    first_seen_index,
    fit_word_index,
    hashed_index,
    ngram_counts,
    one_hot_matrix,
    printable_index,
    stable_hash,
    words_of,
)
from explorer.paths import REPO_ROOT

BOOK_SAMPLES = ["The cat sat on the mat.", "The dog ate my homework."]
DOCUMENTS = ["The cat sat on the mat.", "The dog ate the cat's food!", "A dog."]


def test_words_follow_keras_text_to_word_sequence() -> None:
    assert words_of("The cat sat on the MAT.") == ["the", "cat", "sat", "on", "the", "mat"]
    assert words_of("Don't stop--it's (really) good!\n") == ["don't", "stop", "it's", "really", "good"]
    assert words_of("Keep Case", lower=False) == ["Keep", "Case"]
    assert characters_of("ab c") == ["a", "b", " ", "c"]


def test_book_word_level_one_hot() -> None:
    # The book splits on spaces only, so "the" and "The", "mat." and "mat" are different tokens.
    index = first_seen_index(sample.split() for sample in BOOK_SAMPLES)
    assert index == {
        "The": 1,
        "cat": 2,
        "sat": 3,
        "on": 4,
        "the": 5,
        "mat.": 6,
        "dog": 7,
        "ate": 8,
        "my": 9,
        "homework.": 10,
    }
    matrix = one_hot_matrix(BOOK_SAMPLES[0].split(), index, max_length=10)
    assert matrix.shape == (10, 11)
    assert [int(np.argmax(row)) for row in matrix[:6]] == [1, 2, 3, 4, 5, 6]
    assert matrix[:6].sum() == 6 and matrix[6:].sum() == 0  # one 1 per token, empty rows after the text


def test_one_hot_truncates_and_leaves_unknown_tokens_blank() -> None:
    matrix = one_hot_matrix(["a", "zzz", "b", "a"], {"a": 1, "b": 2}, max_length=3)
    np.testing.assert_array_equal(matrix, [[0, 1, 0], [0, 0, 0], [0, 0, 1]])
    with pytest.raises(TextNumbersError):
        one_hot_matrix(["a"], {"a": 1}, max_length=0)


def test_book_character_level_index() -> None:
    index = printable_index()
    assert len(index) == 100 and index["0"] == 1 and index["a"] == 11 and index["A"] == 37
    matrix = one_hot_matrix(characters_of("ab"), index, max_length=50)
    assert matrix.shape == (50, 101)
    assert matrix[0, 11] == 1 and matrix[1, 12] == 1 and matrix.sum() == 2


def test_word_index_ranks_by_count_with_ties_in_first_seen_order() -> None:
    fitted = fit_word_index(DOCUMENTS)
    # the ×4, dog ×2, then the words seen once in first-seen order ("cat's" is its own word)
    assert list(fitted.word_index.items()) == [
        ("the", 1),
        ("dog", 2),
        ("cat", 3),
        ("sat", 4),
        ("on", 5),
        ("mat", 6),
        ("ate", 7),
        ("cat's", 8),
        ("food", 9),
        ("a", 10),
    ]
    assert fitted.document_count == 3
    assert fitted.document_frequency["the"] == 2 and fitted.document_frequency["dog"] == 2
    assert fitted.texts_to_sequences(["the dog sat", "unknown cat"]) == [[1, 2, 4], [3]]


def test_num_words_and_oov_token_like_keras() -> None:
    cut = fit_word_index(DOCUMENTS, num_words=3)
    assert cut.texts_to_sequences(["the dog sat on the cat"]) == [[1, 2, 1]]
    assert cut.texts_to_matrix(["the dog"]).shape == (1, 3)
    with_oov = fit_word_index(DOCUMENTS, num_words=4, oov_token="<oov>")
    assert with_oov.word_index["<oov>"] == 1 and with_oov.word_index["the"] == 2
    assert with_oov.texts_to_sequences(["the dog cat zebra"]) == [[2, 3, 1, 1]]  # cat is index 4: cut
    with pytest.raises(TextNumbersError):
        fit_word_index(DOCUMENTS, num_words=0)


def test_texts_to_matrix_modes_by_hand() -> None:
    fitted = fit_word_index(DOCUMENTS)
    text = ["the cat and the hat"]  # known: the ×2 (index 1), cat ×1 (index 3); "and", "hat" vanish
    assert fitted.texts_to_matrix(text, "binary")[0, :4].tolist() == [0, 1, 0, 1]
    assert fitted.texts_to_matrix(text, "count")[0, :4].tolist() == [0, 2, 0, 1]
    np.testing.assert_allclose(fitted.texts_to_matrix(text, "freq")[0, :4], [0, 2 / 3, 0, 1 / 3])  # over 3 known words
    tfidf = fitted.texts_to_matrix(text, "tfidf")[0]
    # tf = 1 + ln(count); idf = ln(1 + 3 documents / (1 + documents containing the word))
    assert tfidf[1] == pytest.approx((1 + math.log(2)) * math.log(1 + 3 / 3))
    assert tfidf[3] == pytest.approx(1 * math.log(1 + 3 / 2))
    assert np.count_nonzero(tfidf) == 2
    assert fitted.texts_to_matrix(["", "zebra"], "count").sum() == 0
    with pytest.raises(TextNumbersError, match="mode"):
        fitted.texts_to_matrix(text, "sqrt")  # type: ignore[arg-type]


def test_tfidf_needs_a_fitted_index() -> None:
    with pytest.raises(TextNumbersError, match="tfidf"):
        fit_word_index([]).texts_to_matrix(["a"], "tfidf")


def test_stable_hash_is_murmurhash3_and_the_same_in_another_process() -> None:
    assert stable_hash("") == 0
    assert stable_hash("hello") == 0x248BFA47  # the published MurmurHash3_x86_32 value, seed 0
    code = "from explorer.lab.text_numbers import stable_hash; print(stable_hash('sentiment'))"
    environment = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO_ROOT)}
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True)
    assert int(other.stdout) == stable_hash("sentiment")


def test_hashed_index_is_the_hash_modulo_the_dimension() -> None:
    assert hashed_index("hello", 1000) == 0x248BFA47 % 1000
    assert hashed_index("the", 1) == 0
    with pytest.raises(TextNumbersError, match="dimension"):
        hashed_index("the", 0)


def test_collisions_and_rates_against_brute_force() -> None:
    vocabulary = [f"word{i}" for i in range(60)]
    for dimension in (1, 7, 64, 1000):
        buckets = collisions(vocabulary + ["word0"], dimension)  # a repeated word is not a collision
        shared = {a for a, b in combinations(vocabulary, 2) if hashed_index(a, dimension) == hashed_index(b, dimension)}
        shared |= {
            b for a, b in combinations(vocabulary, 2) if hashed_index(a, dimension) == hashed_index(b, dimension)
        }
        assert {word for members in buckets.values() for word in members} == shared
        assert all(hashed_index(word, dimension) == bucket for bucket, members in buckets.items() for word in members)
        assert collision_rates(vocabulary, [dimension])[0] == pytest.approx(len(shared) / len(vocabulary))
    assert collision_rates(vocabulary, [1])[0] == 1.0
    with pytest.raises(TextNumbersError):
        collision_rates([], [10])


def test_expected_collision_rates_formula() -> None:
    np.testing.assert_allclose(expected_collision_rates(1, [10, 100]), [0.0, 0.0])
    np.testing.assert_allclose(expected_collision_rates(3, [1, 2]), [1.0, 0.75])  # 1 - (1/2)^2


def test_ngram_counts_by_hand() -> None:
    text = "The cat sat on the cat."
    assert ngram_counts(text, 1, 1) == [("cat", 2), ("the", 2), ("on", 1), ("sat", 1)]
    assert dict(ngram_counts(text, 1, 2))["the cat"] == 2
    assert len(ngram_counts(text, 1, 2)) == 4 + 4  # four words, four distinct bigrams
    assert ngram_counts(text, 3, 3) == [("cat sat on", 1), ("on the cat", 1), ("sat on the", 1), ("the cat sat", 1)]
    assert ngram_counts("!!!", 1, 3) == []
    with pytest.raises(TextNumbersError):
        ngram_counts(text, 2, 4)
