"""Which vectors the projection page shows: run vectors, GloVe restricted to the corpus, search, export."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.data.corpus import Corpus, Split
from explorer.data.glove import GloveVectors
from explorer.data.ragged import Ragged
from explorer.data.sources import SourceSpec
from explorer.embeddings.word_spaces import (
    EmbeddingSourceError,
    WordSpace,
    corpus_statistics,
    embedding_runs,
    glove_space,
    projector_files,
    run_frames,
    run_space,
    search,
    trained_on,
)
from explorer.training import runs
from explorer.training.config import RunConfig

WORDS = ("good", "bad", "film", "zzunknown", "great")  # ids 4..8 by frequency rank


@pytest.fixture
def corpus() -> Corpus:
    train = Split(Ragged.from_lists([[1, 4, 8, 6], [1, 5, 6, 7], [1, 4, 6]]), np.array([1, 0, 1]), None)
    return Corpus("arrays", "test", train, train, WORDS)


@pytest.fixture
def glove() -> GloveVectors:
    vectors = np.array([[1.0, 0.0], [-1.0, 0.1], [0.0, 1.0], [0.9, 0.2], [5.0, 5.0]], dtype=np.float32)
    return GloveVectors(("good", "bad", "film", "great", "unrelated"), vectors, "test")


def test_glove_space_keeps_only_real_words_that_glove_knows(corpus, glove):
    space, coverage = glove_space(corpus, num_words=9, top=100, glove=glove)
    assert space.words == ("good", "bad", "film", "great")
    assert list(space.ids) == [4, 5, 6, 8]
    np.testing.assert_array_equal(space.vectors[3], glove.vectors[3])
    assert (coverage.found, coverage.total) == (4, 5)
    top_two, _ = glove_space(corpus, num_words=9, top=2, glove=glove)
    assert top_two.words == ("good", "bad")
    with pytest.raises(EmbeddingSourceError, match="leaves no real word"):
        glove_space(corpus, num_words=4, top=100, glove=glove)


def test_search_finds_neighbours_where_the_word_exists_and_highlights_rows(corpus, glove):
    space, _ = glove_space(corpus, num_words=9, top=100, glove=glove)
    other = WordSpace("other", np.array([5, 6]), ("bad", "film"), np.eye(2, dtype=np.float32))
    found = search({"glove": space, "other": other}, " Good ", 2, "cosine")
    assert found.word == "good" and found.unknown_in == ["other"]
    assert [n.word for n in found.neighbours["glove"]] == ["great", "film"]
    assert found.highlight("glove", space) == (0, [3, 2])
    assert found.highlight("other", other) == (None, [])
    assert search({"glove": space}, "   ", 2, "cosine").neighbours == {}


def test_run_vectors_and_frames_follow_the_stored_epochs(corpus, isolated_cache):
    config = RunConfig(encoding="embedding", embedding_dim=3, num_words=7).validate()
    run_id = runs.create_run(config)
    for epoch in (1, 2):
        runs.save_embedding(run_id, epoch, np.full((7, 3), epoch, dtype=np.float32) + np.arange(7)[:, None])
    assert [found for found, _ in embedding_runs()] == [run_id]
    space = run_space(corpus, run_id, config, 2, top=100)
    assert space.words == ("good", "bad", "film") and space.label == f"run-{run_id}"
    np.testing.assert_array_equal(space.vectors[:, 0], [6, 7, 8])  # rows of ids 4, 5, 6 after epoch 2
    first, second = run_frames(run_id, [1, 2], space)
    np.testing.assert_array_equal(second - first, np.ones((3, 3)))


def test_statistics_are_remembered_per_corpus_and_exported(corpus):
    statistics = corpus_statistics(corpus)
    assert corpus_statistics(corpus) is statistics
    assert statistics.polarity[4] > 0 > statistics.polarity[5]  # "good" only in positive reviews, "bad" in negative
    space = WordSpace("x", np.array([4, 5]), ("good", "bad"), np.ones((2, 3), dtype=np.float32))
    vectors, metadata = projector_files(space, statistics)
    assert vectors.decode().splitlines() == ["1\t1\t1", "1\t1\t1"]
    lines = metadata.decode().splitlines()
    assert lines[0] == "word\tpolarity\tfrequency"
    assert lines[1].split("\t")[0] == "good" and int(lines[1].split("\t")[2]) == 2


def test_a_run_trained_on_other_data_is_recognised(tmp_path):
    tarball = tmp_path / "aclImdb.tar.gz"
    aclimdb = SourceSpec("aclimdb", str(tarball.resolve()))
    assert trained_on(RunConfig(source=""), aclimdb)  # the default data: the app's current one
    assert trained_on(RunConfig(source=f"aclimdb:{tarball}"), aclimdb)
    assert not trained_on(RunConfig(source="keras"), aclimdb)
    assert trained_on(RunConfig(source="keras"), SourceSpec("keras"))
    assert not trained_on(RunConfig(source=f"arrays:{tmp_path / 'ids.npz'}"), aclimdb)
