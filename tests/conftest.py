"""Shared fixtures: a generated aclImdb-layout corpus, an isolated cache, the real data if present."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import app_test

import ui.training.manager
from explorer.data import sources
from explorer.data.corpus import Corpus
from explorer.paths import ALLOWED_ROOTS_ENV
from tests.apptest import WarmServerPagesManager
from tests.synthetic import write_synthetic_aclimdb_tarball

REPO = Path(__file__).resolve().parent.parent
SHARED_TARBALL = REPO.parent / "shared" / "data" / "aclImdb_v1_labeled.tar.gz"
SMALL_REVIEWS_PER_LABEL = 60  # 240 reviews: enough for the book's split, fast to encode


def real_data_path() -> Path | None:
    """The real aclImdb data: ``IMDB_EXPLORER_DATA`` if set, else the shared tarball, if present.

    A path that was given but does not exist is an error, never a reason to skip: CI always gives
    one (``.ci/run``), so a wrong path fails the run instead of silently testing less.
    """
    given = os.environ.get(sources.DATA_ENV)
    if given and not Path(given).exists():
        raise pytest.UsageError(f"{sources.DATA_ENV}={given} does not exist: the real-data tests cannot run.")
    candidate = Path(given or SHARED_TARBALL)
    return candidate if candidate.exists() else None


requires_real_data = pytest.mark.skipif(
    real_data_path() is None,
    reason=f"no real aclImdb data: set {sources.DATA_ENV} to aclImdb_v1.tar.gz (or its folder) to run these",
)


@pytest.fixture(scope="session")
def synthetic_tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small aclImdb-layout tarball written by the tests themselves."""
    return write_synthetic_aclimdb_tarball(
        tmp_path_factory.mktemp("data") / "aclImdb_small.tar.gz", SMALL_REVIEWS_PER_LABEL
    )


@pytest.fixture()
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty cache folder for this test, with no data source set in the environment."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("IMDB_EXPLORER_CACHE", str(cache))
    monkeypatch.delenv(sources.DATA_ENV, raising=False)
    monkeypatch.delenv(sources.SOURCE_ENV, raising=False)
    return cache


@pytest.fixture(scope="session")
def small_corpus_cache(tmp_path_factory: pytest.TempPathFactory, synthetic_tarball: Path) -> Path:
    """A cache folder holding the encoded synthetic corpus (built once per test session)."""
    cache = tmp_path_factory.mktemp("small-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMDB_EXPLORER_CACHE", str(cache))
        sources.load(sources.SourceSpec("aclimdb", str(synthetic_tarball)))
    return cache


@pytest.fixture()
def small_corpus(small_corpus_cache: Path, synthetic_tarball: Path, monkeypatch: pytest.MonkeyPatch) -> Corpus:
    """The synthetic corpus, loaded from its cache."""
    monkeypatch.setenv("IMDB_EXPLORER_CACHE", str(small_corpus_cache))
    return sources.load(sources.SourceSpec("aclimdb", str(synthetic_tarball)))


@pytest.fixture(scope="session")
def real_corpus_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder holding the encoded real corpus (built once per test session)."""
    path = real_data_path()
    if path is None:
        pytest.skip("the real aclImdb data is not on this machine")
    cache = tmp_path_factory.mktemp("real-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMDB_EXPLORER_CACHE", str(cache))
        sources.load(sources.SourceSpec("aclimdb", str(path.resolve())))
    return cache


@pytest.fixture()
def real_corpus(real_corpus_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Corpus:
    """The real 50,000 reviews, loaded from the session's cache."""
    monkeypatch.setenv("IMDB_EXPLORER_CACHE", str(real_corpus_cache))
    return sources.load(sources.SourceSpec("aclimdb", str(real_data_path().resolve())))


@pytest.fixture()
def app_environment(small_corpus_cache: Path, synthetic_tarball: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Environment for AppTest: the synthetic corpus as the data source, in its own cache."""
    monkeypatch.setenv("IMDB_EXPLORER_CACHE", str(small_corpus_cache))
    monkeypatch.setenv(sources.DATA_ENV, str(synthetic_tarball))
    monkeypatch.delenv(sources.SOURCE_ENV, raising=False)
    return REPO / "app.py"


@pytest.fixture(autouse=True)
def app_test_like_a_warm_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run AppTests the way a warm server runs the app (see ``tests.apptest.WarmServerPagesManager``)."""
    monkeypatch.setattr(app_test, "PagesManager", WarmServerPagesManager)


@pytest.fixture(autouse=True)
def no_training_worker_from_the_sidebar(monkeypatch: pytest.MonkeyPatch) -> None:
    """Page tests draw the sidebar, which starts the server's training worker (``ui.training.manager.warm_up``):
    a TensorFlow process that no page test needs. The test of the warm-up itself puts it back."""
    monkeypatch.setattr(ui.training.manager, "warm_up", lambda: None)


@pytest.fixture(autouse=True)
def tests_may_name_their_own_files(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Typed paths must lie inside the server's allowed roots: the tests' files (GloVe, data) lie under pytest's
    temporary folder. The tests of the roots themselves set ``IMDB_EXPLORER_ALLOWED_ROOTS`` again."""
    monkeypatch.setenv(ALLOWED_ROOTS_ENV, str(tmp_path_factory.getbasetemp()))


@pytest.fixture(autouse=True)
def main_module_put_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """An AppTest leaves its script as ``__main__`` (Streamlit runs a page as that module), and a process
    spawned later re-runs ``__main__`` first: from a test's temporary script, that fails in the child.
    So every test ends with pytest's own ``__main__`` back, whatever order the tests run in."""
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
