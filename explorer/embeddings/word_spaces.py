"""Which word vectors the projection page shows: a run's embedding at an epoch, or GloVe.

Both end up as a ``WordSpace``: real words only (the special ids 0-3 are left out: padding,
start and OOV markers are not words), in frequency order, each row tagged with its corpus id so
that its polarity and frequency can be looked up. GloVe is restricted to the same vocabulary
as the corpus and to the words it actually knows (a zero row has no direction to compare).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from explorer.data import sources
from explorer.data.corpus import INDEX_FROM, Corpus
from explorer.data.glove import Coverage, GloveVectors, embedding_matrix, load_glove
from explorer.data.sources import SourceSpec
from explorer.embeddings.polarity import WordStatistics, word_statistics
from explorer.embeddings.projection import Metric, Neighbour, UnknownWordError, nearest_neighbours
from explorer.embeddings.projector_export import metadata_tsv, vectors_tsv
from explorer.training import runs
from explorer.training.config import RunConfig

FIRST_WORD_ID = INDEX_FROM + 1  # ids below are padding, start, OOV and unused
POLARITY_DECIMALS = 4  # in the exported metadata: enough to sort and colour by
STATISTICS_KEPT = 2  # corpora whose word statistics stay in memory (the current one and one more)


class EmbeddingSourceError(ValueError):
    """Word vectors that cannot be shown (no real word, a run without stored vectors)."""


@dataclass(frozen=True)
class WordSpace:
    """Vectors of real words: ``vectors[i]`` belongs to ``words[i]``, whose corpus id is ``ids[i]``.

    ``label`` names the source in the projection cache (``run-<id>`` or ``glove-<dim>d``).
    """

    label: str
    ids: np.ndarray
    words: tuple[str, ...]
    vectors: np.ndarray


def embedding_runs() -> list[tuple[str, RunConfig]]:
    """Stored runs with word vectors for at least one epoch, newest first (damaged runs skipped)."""
    found = []
    for run_id in runs.list_runs():
        try:
            if runs.embedding_epochs(run_id):
                found.append((run_id, runs.read_config(run_id)))
        except (runs.RunStoreError, OSError):
            continue
    return found


def trained_on(config: RunConfig, current: SourceSpec) -> bool:
    """Whether the run was trained on the data the page shows; if not, its ids may name other words.

    An empty source is the app's default data, taken to be the current one.
    """
    if not config.source:
        return True
    kind, _, path = config.source.partition(":")
    try:
        return sources.resolve(kind or None, path or None) == current
    except ValueError:
        return False


def has_embedding_layer(config: RunConfig) -> bool:
    """False for one-hot input: such a run has no word vectors of its own (its first kernel is not one)."""
    return config.encoding != "one_hot"


def shown_epoch(run_id: str, epochs: list[int]) -> int:
    """The epoch a run opens at: its best validation accuracy among the stored ``epochs``, else the last.

    A teacher choosing a run expects what it learned at its best, never the epoch another run was
    left at (issue 13, item 1).
    """
    try:
        history = runs.read_history(run_id)
    except runs.RunStoreError:
        history = []
    scored = {entry["epoch"]: entry["val_accuracy"] for entry in history if "val_accuracy" in entry}
    candidates = [epoch for epoch in epochs if epoch in scored]
    if not candidates:
        return epochs[-1]
    return max(reversed(candidates), key=scored.__getitem__)  # reversed: a tie goes to the later epoch


def available_words(corpus: Corpus, num_words: int) -> int:
    """How many real words (ids from ``FIRST_WORD_ID``) a vocabulary of ``num_words`` has in this corpus."""
    return max(0, min(num_words, corpus.max_num_words) - FIRST_WORD_ID)


def _word_ids(corpus: Corpus, num_words: int, top: int) -> np.ndarray:
    last = min(num_words, corpus.max_num_words, FIRST_WORD_ID + top)
    if last <= FIRST_WORD_ID:
        raise EmbeddingSourceError(
            f"num_words {num_words} leaves no real word (ids below {FIRST_WORD_ID} are special)."
        )
    return np.arange(FIRST_WORD_ID, last)


def run_space(corpus: Corpus, run_id: str, config: RunConfig, epoch: int, top: int) -> WordSpace:
    """The run's vectors after ``epoch`` for its ``top`` most frequent real words."""
    matrix = runs.load_embedding(run_id, epoch)
    ids = _word_ids(corpus, min(config.num_words, len(matrix)), top)
    return WordSpace(f"run-{run_id}", ids, tuple(corpus.word(int(i)) for i in ids), matrix[ids].astype(np.float32))


def run_frames(run_id: str, epochs: list[int], space: WordSpace) -> list[np.ndarray]:
    """The same words' vectors after each of ``epochs`` (for the animation)."""
    return [runs.load_embedding(run_id, epoch)[space.ids].astype(np.float32) for epoch in epochs]


@cache
def package_glove() -> GloveVectors:
    """The packaged GloVe 6B 50d vectors, read once per process (80 MB, about two seconds)."""
    return load_glove(None)


def glove_space(corpus: Corpus, num_words: int, top: int, glove: GloveVectors) -> tuple[WordSpace, Coverage]:
    """GloVe vectors of the corpus's ``top`` most frequent words below ``num_words`` that GloVe knows."""
    ids = _word_ids(corpus, num_words, top)
    words_by_id = [None] * FIRST_WORD_ID + [corpus.word(int(i)) for i in ids]
    matrix, coverage = embedding_matrix(glove, words_by_id, int(ids[-1]) + 1)
    known = ids[np.any(matrix[ids] != 0, axis=1)]
    if len(known) == 0:
        raise EmbeddingSourceError("GloVe knows none of these words.")
    space = WordSpace(f"glove-{glove.dim}d", known, tuple(corpus.word(int(i)) for i in known), matrix[known])
    return space, coverage


_statistics: OrderedDict[int, tuple[Corpus, WordStatistics]] = OrderedDict()
_statistics_lock = threading.Lock()  # browser sessions run on threads of one server process


def corpus_statistics(corpus: Corpus) -> WordStatistics:
    """Polarity and frequency of every id in the corpus's training reviews, computed once per corpus.

    Hand-written memo: a ``Corpus`` holds arrays, so it cannot be a ``functools.cache`` key; it
    is remembered by identity, and kept alive with its result so the identity cannot be reused.
    """
    key = id(corpus)
    with _statistics_lock:
        if key not in _statistics:
            statistics = word_statistics(corpus.train.ids, corpus.train.labels, corpus.max_num_words)
            _statistics[key] = (corpus, statistics)
            while len(_statistics) > STATISTICS_KEPT:
                _statistics.popitem(last=False)
        _statistics.move_to_end(key)
        return _statistics[key][1]


def projector_names(space: WordSpace, epoch: int | None) -> tuple[str, str]:
    """File names of the two TSV files, naming the source and epoch (``vectors_run-<id>_epoch029.tsv``)."""
    stem = space.label if epoch is None else f"{space.label}_epoch{epoch:03d}"
    return f"vectors_{stem}.tsv", f"metadata_{stem}.tsv"


def projector_files(space: WordSpace, statistics: WordStatistics) -> tuple[bytes, bytes]:
    """``vectors.tsv`` and ``metadata.tsv`` (word, polarity, frequency) for the Embedding Projector."""
    metadata = metadata_tsv(
        space.words,
        {
            "polarity": np.round(statistics.polarity[space.ids], POLARITY_DECIMALS).tolist(),
            "frequency": statistics.frequency[space.ids].tolist(),
        },
    )
    return vectors_tsv(space.vectors), metadata


@dataclass(frozen=True)
class Search:
    """One word looked up in several spaces: its nearest words in each space that knows it."""

    word: str
    neighbours: dict[str, list[Neighbour]] = field(default_factory=dict)
    unknown_in: list[str] = field(default_factory=list)  # names of the spaces without the word

    def highlight(self, name: str, space: WordSpace) -> tuple[int | None, list[int]]:
        """Rows in ``space`` (called ``name``) of the searched word and its neighbours; nothing if absent."""
        found = self.neighbours.get(name)
        if not found:
            return None, []
        rows = {word: row for row, word in enumerate(space.words)}
        return rows[self.word], [rows[neighbour.word] for neighbour in found]


def search(spaces: Mapping[str, WordSpace], query: str, count: int, metric: Metric) -> Search:
    """The ``count`` nearest words to ``query`` in every space (an empty query finds nothing)."""
    result = Search(query.strip().lower())
    if not result.word:
        return result
    for name, space in spaces.items():
        try:
            result.neighbours[name] = nearest_neighbours(space.vectors, space.words, query, count, metric)
        except UnknownWordError:
            result.unknown_in.append(name)
    return result
