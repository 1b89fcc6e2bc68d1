"""Loading the data: the generated tarball, folders, the cache's checks, and every bad input."""

import json
import subprocess
import tarfile

import numpy as np
import pytest

from explorer.data import aclimdb, sources
from explorer.data.corpus import INDEX_FROM, START_ID
from tests.synthetic import POSITIVE_WORDS


def test_generated_tarball_loads_with_keras_style_ids(isolated_cache, synthetic_tarball):
    corpus = sources.load(sources.SourceSpec("aclimdb", str(synthetic_tarball)))
    assert len(corpus.train) == len(corpus.test) == 120
    assert corpus.train.labels.sum() == 60
    assert all(corpus.train.ids.row(i)[0] == START_ID for i in range(len(corpus.train)))
    # ids are frequency ranks + 3: the most frequent training word has id 4
    counts = np.bincount(corpus.train.ids.flat)
    assert counts[INDEX_FROM + 1 :].argmax() == 0
    review = corpus.text(corpus.train, 3)
    assert corpus.decode(corpus.train.ids.row(3)[1:]) == aclimdb.tokenize(review)


def test_folder_and_tarball_give_the_same_corpus(isolated_cache, synthetic_tarball, tmp_path):
    with tarfile.open(synthetic_tarball) as archive:
        archive.extractall(tmp_path, filter="data")
    from_folder = sources.load(sources.SourceSpec("aclimdb", str(tmp_path / "aclImdb")))
    from_tarball = sources.load(sources.SourceSpec("aclimdb", str(synthetic_tarball)))
    np.testing.assert_array_equal(from_folder.train.ids.flat, from_tarball.train.ids.flat)
    assert from_folder.words == from_tarball.words


def test_warm_load_uses_the_cache(isolated_cache, synthetic_tarball, monkeypatch):
    spec = sources.SourceSpec("aclimdb", str(synthetic_tarball))
    first = sources.load(spec)
    monkeypatch.setattr(aclimdb, "read_reviews", lambda *a, **k: pytest.fail("the cache was not used"))
    again = sources.load(spec)
    np.testing.assert_array_equal(first.test.ids.flat, again.test.ids.flat)


def test_damaged_cache_is_rebuilt(isolated_cache, synthetic_tarball):
    spec = sources.SourceSpec("aclimdb", str(synthetic_tarball))
    original = sources.load(spec)
    cached = sources.cache_path(spec)
    data = bytearray(cached.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    cached.write_bytes(bytes(data))
    rebuilt = sources.load(spec)
    np.testing.assert_array_equal(rebuilt.train.ids.flat, original.train.ids.flat)


def test_stale_cache_is_rebuilt_when_the_source_changes(isolated_cache, tmp_path):
    from tests.synthetic import write_synthetic_aclimdb_tarball

    path = write_synthetic_aclimdb_tarball(tmp_path / "data.tar.gz", 10, seed=1)
    spec = sources.SourceSpec("aclimdb", str(path))
    first = sources.load(spec)
    write_synthetic_aclimdb_tarball(path, 12, seed=2)
    second = sources.load(spec)
    assert len(first.train) == 20 and len(second.train) == 24


def test_partial_tarball_gets_a_clear_message(isolated_cache, synthetic_tarball, tmp_path):
    partial = tmp_path / "partial.tar.gz"
    partial.write_bytes(synthetic_tarball.read_bytes()[: synthetic_tarball.stat().st_size // 2])
    with pytest.raises(sources.DataUnavailable, match="damaged or incomplete"):
        sources.load(sources.SourceSpec("aclimdb", str(partial)))
    assert not sources.cache_path(sources.SourceSpec("aclimdb", str(partial))).exists()


def test_archive_without_reviews_is_rejected(isolated_cache, tmp_path):
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as archive:
        archive.add(__file__, arcname="something/else.txt")
    with pytest.raises(sources.DataUnavailable, match="not an aclImdb data set"):
        sources.load(sources.SourceSpec("aclimdb", str(other)))


def test_missing_path_says_how_to_provide_the_data(isolated_cache, tmp_path):
    with pytest.raises(sources.DataUnavailable, match=sources.DATA_ENV):
        sources.load(sources.SourceSpec("aclimdb", str(tmp_path / "nowhere.tar.gz")))


def test_failed_keras_download_says_how_to_work_offline(isolated_cache, monkeypatch):
    failed = subprocess.CompletedProcess([], 1, "", "Exception: URL fetch failure on imdb.npz")
    monkeypatch.setattr(sources.subprocess, "run", lambda *a, **k: failed)
    with pytest.raises(sources.DataUnavailable, match="URL fetch failure.*IMDB_EXPLORER_DATA"):
        sources.load(sources.SourceSpec("keras"))


def test_failed_keras_download_with_a_local_copy_set_says_switch_back(isolated_cache, synthetic_tarball, monkeypatch):
    failed = subprocess.CompletedProcess([], 1, "", "Exception: URL fetch failure on imdb.npz")
    monkeypatch.setattr(sources.subprocess, "run", lambda *a, **k: failed)
    monkeypatch.setenv(sources.DATA_ENV, str(synthetic_tarball))
    with pytest.raises(sources.DataUnavailable, match="already points at.*switch the data source back") as raised:
        sources.load(sources.SourceSpec("keras"))
    assert "set IMDB_EXPLORER_DATA" not in str(raised.value)


def test_resolution_order(isolated_cache, synthetic_tarball, monkeypatch):
    assert sources.resolve() == sources.SourceSpec("keras")  # nothing set, nothing cached: download
    sources.load(sources.SourceSpec("aclimdb", str(synthetic_tarball)))
    assert sources.resolve() == sources.SourceSpec("aclimdb", str(synthetic_tarball))  # what is cached
    monkeypatch.setenv(sources.SOURCE_ENV, "keras")
    assert sources.resolve() == sources.SourceSpec("keras")  # the environment
    assert sources.resolve("aclimdb", "/data/x.tar.gz") == sources.SourceSpec(
        "aclimdb", "/data/x.tar.gz"
    )  # the sidebar
    with pytest.raises(ValueError, match="Unknown data source"):
        sources.resolve("kaggle")


def test_sidecar_records_the_spec(isolated_cache, synthetic_tarball):
    spec = sources.SourceSpec("aclimdb", str(synthetic_tarball))
    sources.load(spec)
    assert json.loads(sources.cache_path(spec).with_suffix(".json").read_text())["spec"]["path"] == str(
        synthetic_tarball
    )


def test_sentiment_words_carry_the_label(small_corpus):
    positive_ids = {small_corpus.word_id(word) for word in POSITIVE_WORDS}
    share = [np.isin(small_corpus.train.ids.row(i), list(positive_ids)).mean() for i in range(len(small_corpus.train))]
    labels = small_corpus.train.labels
    assert np.mean(np.array(share)[labels == 1]) > 2 * np.mean(np.array(share)[labels == 0])
