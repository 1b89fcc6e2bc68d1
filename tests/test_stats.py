"""Corpus figures and the `python -m explorer.sequences.stats` command."""

import json
import subprocess
import sys

import numpy as np
import pytest

from explorer.data.corpus import OOV_ID, START_ID
from explorer.data.ragged import Ragged
from explorer.sequences import stats
from tests.conftest import REPO


def test_length_figures_on_a_known_case():
    lengths = np.array([1, 2, 3, 4, 100])
    summary = stats.length_summary(lengths)
    assert (summary.count, summary.mean, summary.median, summary.max) == (5, 22.0, 3.0, 100)
    assert stats.truncated_share(lengths, 3) == pytest.approx(0.4)
    assert stats.dropped_token_share(lengths, 3) == pytest.approx((1 + 97) / 110)
    assert stats.maxlen_for_share(lengths, 0.8) == 4
    assert stats.maxlen_for_share(lengths, 0.6) == 3


def test_oov_share_counts_words_not_start_tokens():
    ids = Ragged.from_lists([[START_ID, 5, 600, OOV_ID], [START_ID, 7]])
    assert stats.oov_share(ids, 500) == pytest.approx(2 / 4)


def test_all_joins_train_and_test(small_corpus):
    split = small_corpus.book_split()
    ids, labels = stats.chosen_reviews(small_corpus, split, "all")
    assert len(ids) == len(labels) == len(small_corpus.train) + len(small_corpus.test)
    np.testing.assert_array_equal(ids.row(len(small_corpus.train)), small_corpus.test.ids.row(0))


def run_command(*arguments, env):
    return subprocess.run(
        [sys.executable, "-m", "explorer.sequences.stats", *arguments],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )


def test_command_prints_the_figures(small_corpus_cache, synthetic_tarball, monkeypatch):
    env = {"PATH": "/usr/bin:/bin", "IMDB_EXPLORER_CACHE": str(small_corpus_cache)}
    done = run_command("--source", str(synthetic_tarball), "--num-words", "20", "--maxlen", "50", env=env)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["counts"] == {"train": 96, "validation": 24, "test": 120}
    assert figures["bytes"] == {"padded_int32": 96 * 50 * 4, "one_hot_float32": 96 * 50 * 20 * 4}
    assert 0 < figures["truncated_share"] < 1 and 0 < figures["oov_token_share"] < 1


def test_command_rejects_bad_input(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "IMDB_EXPLORER_CACHE": str(tmp_path)}
    assert run_command("--source", "kaggle", env=env).returncode == 2
    missing = run_command("--source", str(tmp_path / "none.tar.gz"), env=env)
    assert missing.returncode == 2 and "IMDB_EXPLORER_DATA" in missing.stderr
    assert run_command("--maxlen", "0", env=env).returncode == 2
