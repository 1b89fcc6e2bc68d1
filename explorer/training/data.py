"""The arrays one run trains on: the corpus from its source, cut to ``num_words``, padded, split.

The split is the book's (``corpus.book_split()``: 80% of the training reviews for training,
20% for validation, ``random_state=42``); the test reviews are kept for the final evaluation.
A ``subset`` keeps a random (``seed``) part of the training and validation reviews, in the
book's 4 : 1 proportion, for quick classroom runs.

Sources are spec strings (plain text, so a config stays JSON): ``""`` is the app's current data
(``explorer.data.sources.resolve()``: settings, environment, cache), ``"keras"`` Keras's imdb.npz,
``"aclimdb:<path>"`` an aclImdb tarball or folder, and ``"arrays:<path.npz>"`` flat id arrays
written by ``save_arrays`` (the tests and the benchmark use it).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from explorer.data.corpus import INDEX_FROM, OOV_ID, SPECIAL_TOKENS, Corpus, Split
from explorer.data.ragged import Ragged, pad_sequences
from explorer.paths import atomic_save_npz
from explorer.training.config import ConfigError, RunConfig

ARRAYS_PREFIX = "arrays:"
VALIDATION_PER_TRAIN = 4  # the book's 80 / 20 split: one validation review per four training ones
PREPARED_KEPT = 1  # prepared data sets a worker keeps in memory (up to ~0.4 GB each at maxlen 1,000)


class DataSourceError(ValueError):
    """A data source spec that names nothing usable."""


@dataclass(frozen=True)
class TrainingData:
    """Padded ids and 0/1 labels for training, validation and test, plus the word of each id."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    words_by_id: tuple[str | None, ...]  # None for the special ids and ids without a word


def source_spec(kind: str, path: str | None = None) -> str:
    """The source string for a data kind ("keras", "aclimdb" or "arrays") and its path."""
    return kind if path is None else f"{kind}:{path}"


def corpus_arrays(corpus: Corpus) -> dict[str, np.ndarray]:
    """The flat arrays of an ``arrays:`` source (what ``save_arrays`` writes; the Ray back end ships them)."""
    arrays = {"words": np.frombuffer("\n".join(corpus.words).encode("utf-8"), dtype=np.uint8)}
    for name, split in (("train", corpus.train), ("test", corpus.test)):
        arrays.update(
            {f"{name}_flat": split.ids.flat, f"{name}_offsets": split.ids.offsets, f"{name}_labels": split.labels}
        )
    return arrays


def save_arrays(path: Path, corpus: Corpus) -> str:
    """Write ``corpus`` as an ``arrays:`` source and return its spec."""
    atomic_save_npz(path, **corpus_arrays(corpus))
    return ARRAYS_PREFIX + str(path)


def load_corpus_for(source: str) -> Corpus:
    """The corpus a source spec names."""
    if source.startswith(ARRAYS_PREFIX):
        return _load_arrays(Path(source[len(ARRAYS_PREFIX) :]))
    from explorer.data import sources  # imported here: only runs on real data need it

    kind, _, path = source.partition(":")
    try:
        spec = sources.resolve(kind or None, path or None)
    except ValueError as error:
        raise DataSourceError(
            f"unknown data source {source!r}: use '', 'keras', 'aclimdb:<path>' or 'arrays:<path>'."
        ) from error
    return sources.load(spec)


def _load_arrays(path: Path) -> Corpus:
    if not path.is_file():
        raise DataSourceError(f"the data file {path} does not exist.")
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        splits = [
            Split(Ragged(arrays[f"{n}_flat"].astype(np.int32), arrays[f"{n}_offsets"]), arrays[f"{n}_labels"], None)
            for n in ("train", "test")
        ]
        words = tuple(arrays["words"].tobytes().decode("utf-8").split("\n")) if arrays["words"].size else ()
    except (OSError, ValueError, KeyError) as error:
        raise DataSourceError(f"{path.name} is not an arrays data file ({error}).") from error
    return Corpus("arrays", str(path), splits[0], splits[1], words)


def prepared_for(config: RunConfig) -> TrainingData:
    """``prepare(config, load_corpus_for(config.source))``, kept for the last data settings asked for.

    A worker trains one run after another, in a class mostly on the same data settings, and
    loading and padding 50,000 reviews took about a second before every run's first batch. Runs
    only read these arrays (batches are copies), so one run cannot change the next one's data.
    """
    return _prepared(data_settings(config), source_stamp(config.source))


@lru_cache(maxsize=PREPARED_KEPT)
def _prepared(settings: RunConfig, stamp: tuple[object, ...]) -> TrainingData:
    del stamp  # only part of the cache key
    return prepare(settings, load_corpus_for(settings.source))


def source_stamp(source: str) -> tuple[object, ...]:
    """What changes when the data behind ``source`` changes: the files' sizes and times (cheap to read)."""
    if source.startswith(ARRAYS_PREFIX):
        return (_file_stamp(Path(source[len(ARRAYS_PREFIX) :])),)
    from explorer.data import sources

    kind, _, path = source.partition(":")
    try:
        spec = sources.resolve(kind or None, path or None)
    except ValueError:
        return (source,)  # loading will report it
    return (spec, sources.fingerprint(spec), _file_stamp(sources.cache_path(spec)))


def _file_stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def data_settings(config: RunConfig) -> RunConfig:
    """A config with only what ``prepare`` reads (the rest at defaults): runs that differ only in
    their model or training settings share it."""
    return RunConfig(
        source=config.source,
        num_words=config.num_words,
        maxlen=config.maxlen,
        padding=config.padding,
        truncating=config.truncating,
        subset=config.subset,
        seed=config.seed,
    )


def prepare(config: RunConfig, corpus: Corpus) -> TrainingData:
    """Cut ``corpus`` to the config's vocabulary, pad it, split it and apply the subset."""
    if config.num_words > corpus.max_num_words:
        raise ConfigError(
            f"num_words is {config.num_words:,}, but this corpus has only {corpus.max_num_words:,} ids; lower it."
        )
    train, validation = book_splits(config, corpus)
    x_train, x_val, x_test = (_padded(split, config) for split in (train, validation, corpus.test))
    return TrainingData(
        x_train,
        _labels(train),
        x_val,
        _labels(validation),
        x_test,
        _labels(corpus.test),
        words_by_id(corpus, config.num_words),
    )


def book_splits(config: RunConfig, corpus: Corpus) -> tuple[Split, Split]:
    """The book's training and validation reviews, reduced to the config's subset if it has one."""
    train, validation = corpus.book_split()
    return (train, validation) if config.subset is None else _subset(train, validation, config.subset, config.seed)


def _subset(train: Split, validation: Split, size: int, seed: int) -> tuple[Split, Split]:
    rng = np.random.default_rng(seed)
    train_size = min(size, len(train))
    validation_size = min(max(1, train_size // VALIDATION_PER_TRAIN), len(validation))
    return (
        train.take(np.sort(rng.choice(len(train), train_size, replace=False))),
        validation.take(np.sort(rng.choice(len(validation), validation_size, replace=False))),
    )


def _padded(split: Split, config: RunConfig) -> np.ndarray:
    ids = split.ids.with_vocabulary(config.num_words, OOV_ID)
    return pad_sequences(ids, maxlen=config.maxlen, padding=config.padding, truncating=config.truncating)


def _labels(split: Split) -> np.ndarray:
    return np.asarray(split.labels, dtype=np.float32)


def words_by_id(corpus: Corpus, num_words: int) -> tuple[str | None, ...]:
    """The word of each id below ``num_words`` (None for the special ids 0-3 and ids beyond the vocabulary)."""
    known = range(len(SPECIAL_TOKENS), len(corpus.words) + INDEX_FROM + 1)
    return tuple(corpus.word(token_id) if token_id in known else None for token_id in range(num_words))
