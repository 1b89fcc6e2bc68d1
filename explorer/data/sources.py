"""Which IMDB data to use, and getting it into a cached ``Corpus``.

Two real sources: Keras's ``imdb.npz`` (the tutorial's, exact book numbers) and the raw aclImdb
text (a tarball or folder, tokenised here). The choice goes: an explicit setting (the sidebar
or ``IMDB_EXPLORER_SOURCE`` / ``IMDB_EXPLORER_DATA``) first, else whatever was loaded before
and is cached, else a Keras download. When none of it can be had, ``DataUnavailable`` says
exactly how to provide the data.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from explorer.data import aclimdb
from explorer.data.aclimdb import ReportProgress
from explorer.data.corpus import Corpus, CorpusCacheError, load_corpus, save_corpus
from explorer.paths import DATA_ENV, REPO_ROOT, allowed_path, atomic_write, atomic_write_json, cache_dir

SOURCE_ENV = "IMDB_EXPLORER_SOURCE"  # "auto", "keras" or "aclimdb"
KINDS = ("auto", "keras", "aclimdb")
ACLIMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
KERAS_FINGERPRINT = "keras.datasets.imdb/1"
TOKENIZER_VERSION = "tokenizer/1"  # bump when aclimdb.tokenize changes, so caches rebuild
KERAS_BUILD_TIMEOUT_S = 900  # a first Keras download of 17 MB on a slow line


class DataUnavailable(RuntimeError):
    """No IMDB data could be loaded; the message says why and what to do."""


@dataclass(frozen=True)
class SourceSpec:
    """A resolved choice of data: ``kind`` is "keras" or "aclimdb"; ``path`` the aclImdb copy."""

    kind: str
    path: str | None = None

    def label(self) -> str:
        """Short human-readable description."""
        return "Keras imdb.npz" if self.kind == "keras" else f"aclImdb text ({Path(self.path or '').name})"


def downloaded_tarball() -> Path:
    """Where a download of the official aclImdb tarball is kept."""
    return cache_dir() / "downloads" / "aclImdb_v1.tar.gz"


def resolve(kind: str | None = None, path: str | None = None, *, typed: bool = False) -> SourceSpec:
    """Turn the settings into a ``SourceSpec`` (settings win over the environment, then the cache).

    A folder that holds an ``aclImdb`` folder stands for that folder. A ``typed`` path (one a user
    typed into the app) must lie inside the server's allowed roots (``explorer.paths.allowed_path``).
    Raises ``ValueError`` for an unknown kind, ``PathNotAllowed`` (a ``ValueError``) for such a path.
    """
    kind = (kind or os.environ.get(SOURCE_ENV) or "auto").strip().lower()
    if kind not in KINDS:
        raise ValueError(f"Unknown data source {kind!r}: use one of {', '.join(KINDS)}.")
    if kind == "keras":
        return SourceSpec("keras")
    if path and path.strip():
        chosen = allowed_path(path) if typed else Path(path.strip()).expanduser().resolve()
        return SourceSpec("aclimdb", str(aclimdb_root(chosen)))
    if os.environ.get(DATA_ENV, "").strip():
        return SourceSpec("aclimdb", str(aclimdb_root(Path(os.environ[DATA_ENV].strip()).expanduser().resolve())))
    if kind == "aclimdb":
        return SourceSpec("aclimdb", str(downloaded_tarball()))
    return _most_recent_cached() or SourceSpec("keras")


def aclimdb_root(path: Path) -> Path:
    """The aclImdb data at ``path``: the path itself, or the ``aclImdb`` folder inside it (what ``tar xzf`` leaves)."""
    inner = path / "aclImdb"
    if path.is_dir() and not (path / "train").is_dir() and (inner / "train").is_dir():
        return inner
    return path


def _most_recent_cached() -> SourceSpec | None:
    sidecars = sorted((cache_dir() / "corpora").glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for sidecar in sidecars:
        try:
            return SourceSpec(**json.loads(sidecar.read_text())["spec"])
        except (ValueError, KeyError, TypeError):
            continue
    return None


def fingerprint(spec: SourceSpec) -> str:
    """What identifies the data behind ``spec``: a changed file means a stale cache."""
    if spec.kind == "keras":
        return KERAS_FINGERPRINT
    source = Path(spec.path or "")
    stamped = source if source.is_file() else source / "train"
    if not stamped.exists():  # missing, or a folder that holds no aclImdb data: nothing to fingerprint
        return ""
    stamp = stamped.stat()
    return f"{TOKENIZER_VERSION}|{source}|{stamp.st_size}|{stamp.st_mtime_ns}"


def cache_path(spec: SourceSpec) -> Path:
    """The cached corpus file for ``spec``."""
    digest = hashlib.sha1(json.dumps(asdict(spec)).encode()).hexdigest()[:12]
    return cache_dir() / "corpora" / f"{spec.kind}-{digest}.npz"


def load(
    spec: SourceSpec,
    progress: ReportProgress = lambda fraction, message: None,
    unsaved: Callable[[str], None] = lambda reason: None,
) -> Corpus:
    """The corpus for ``spec``: from the cache when it is valid, else built (and cached).

    A damaged or stale cache file is rebuilt. When the cache cannot be written (a full disk, a
    read-only folder) the built corpus is returned all the same, nothing half-written is left,
    and ``unsaved`` is told why. Raises ``DataUnavailable`` when the data cannot be had, with a
    message that says how to provide it.
    """
    target = cache_path(spec)
    expected = fingerprint(spec)
    if target.exists():
        try:
            # A cache whose source file has gone is still good: the source can't have changed.
            return load_corpus(target, expected or _stored_fingerprint(target))
        except CorpusCacheError:
            target.unlink(missing_ok=True)
    if spec.kind == "keras":
        _build_keras_corpus(target, progress)
    else:
        corpus = _build_aclimdb_corpus(spec, progress)
        try:
            save_corpus(corpus, target, expected)
        except OSError as error:  # atomic_write has removed its temporary file
            unsaved(f"{error.strerror or error} ({cache_dir()})")
            return corpus
    try:
        atomic_write_json(target.with_suffix(".json"), {"spec": asdict(spec), "fingerprint": fingerprint(spec)})
    except OSError as error:  # the corpus file is there; only "use the data loaded before" misses it
        unsaved(f"{error.strerror or error} ({cache_dir()})")
    return load_corpus(target, fingerprint(spec))


def _stored_fingerprint(target: Path) -> str:
    try:
        return json.loads(target.with_suffix(".json").read_text())["fingerprint"]
    except (OSError, ValueError, KeyError):
        return ""


def _build_aclimdb_corpus(spec: SourceSpec, progress: ReportProgress) -> Corpus:
    source = Path(spec.path or "")
    if not source.exists():
        raise DataUnavailable(
            f"The aclImdb data was not found at {source}. Download the official aclImdb_v1.tar.gz, "
            f"set {DATA_ENV} to the tarball or the extracted aclImdb folder, or type its path in the sidebar."
        )
    try:
        corpus = aclimdb.encode(aclimdb.read_reviews(source, progress), "aclimdb", str(source), progress)
    except aclimdb.AclImdbError as error:
        raise DataUnavailable(f"{error} Point {DATA_ENV} at a complete aclImdb_v1.tar.gz or aclImdb folder.") from error
    return corpus


def _build_keras_corpus(target: Path, progress: ReportProgress) -> None:
    """Run the Keras download and encoding in a child process (no TensorFlow in this one)."""
    progress(0.05, "downloading imdb.npz through Keras (a separate process)")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        finished = subprocess.run(
            [sys.executable, "-m", "explorer.data.keras_source", str(target), KERAS_FINGERPRINT],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=KERAS_BUILD_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as error:
        raise DataUnavailable("The Keras IMDB download did not finish in time.") from error
    if finished.returncode != 0:
        reason = (finished.stderr.strip().splitlines() or ["unknown error"])[-1]
        local = configured_local_copy()
        advice = (
            f"{DATA_ENV} already points at a local copy ({local}): switch the data source back to auto or "
            "aclImdb text to use it."
            if local
            else f"use a local copy of the aclImdb data instead: set {DATA_ENV} to aclImdb_v1.tar.gz or an "
            "extracted aclImdb folder."
        )
        raise DataUnavailable(f"Keras could not load its IMDB data ({reason}). Without internet access, {advice}")


def configured_local_copy() -> str | None:
    """The local aclImdb copy ``IMDB_EXPLORER_DATA`` names, if it is set and exists."""
    path = os.environ.get(DATA_ENV, "").strip()
    return path if path and Path(path).expanduser().exists() else None


def download_aclimdb(progress: ReportProgress = lambda fraction, message: None, url: str = ACLIMDB_URL) -> Path:
    """Download the official aclImdb tarball (84 MB) into the cache, atomically; return its path."""
    target = downloaded_tarball()

    def write(stream) -> None:
        with urllib.request.urlopen(url, timeout=30) as response:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while chunk := response.read(1 << 20):
                stream.write(chunk)
                done += len(chunk)
                progress(done / total if total else 0.0, f"{done / 1e6:.0f} MB downloaded")

    try:
        atomic_write(target, write)
    except OSError as error:
        raise DataUnavailable(f"The download from {url} failed ({error}).") from error
    return target
