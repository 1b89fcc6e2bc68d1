"""A semantic axis, as in the Embedding Projector's custom projections: x runs from one word to another.

Every word vector v is placed at x = (v − v_from) · d / ‖d‖², d = v_to − v_from: the ``from`` word
lands at 0, the ``to`` word at 1, and a word halfway along the direction at 0.5 (``awful`` →
``great`` sorts words by the sentiment the vectors learned). The y axis is either a principal
component of what the x direction does not explain (the vectors with d projected out, so y never
repeats x), or a second word-to-word axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from explorer.embeddings.projection import DEFAULT_SEED, ProjectionError, word_index

MAX_COMPONENT = 10  # the y axis may show principal components 1 … this
END_WORDS = 10  # words listed at each end of the x axis


@dataclass(frozen=True)
class AxisProjection:
    """Each word's (x, y); ``y_share`` is the share of the remaining variance a principal-component y
    explains (None for a word-to-word y axis)."""

    coordinates: np.ndarray
    endpoints: tuple[int, ...]  # rows of the words that define the axes
    y_share: float | None

    def ends(self, words: Sequence[str], count: int = END_WORDS) -> tuple[list[str], list[str]]:
        """The ``count`` words nearest the ``from`` end and nearest the ``to`` end of the x axis."""
        order = np.argsort(self.coordinates[:, 0], kind="stable")
        return [words[i] for i in order[:count]], [words[i] for i in order[::-1][:count]]


def axis_position(vectors: np.ndarray, words: Sequence[str], start: str, end: str) -> tuple[np.ndarray, np.ndarray]:
    """Every row's position on the axis from ``start`` (0) to ``end`` (1), and the axis direction d."""
    first, last = word_index(words, start), word_index(words, end)
    direction = np.asarray(vectors[last] - vectors[first], dtype=np.float64)
    length = float(direction @ direction)
    if length == 0.0:
        raise ProjectionError(f"'{start}' and '{end}' have the same vector: they do not make an axis.")
    return (np.asarray(vectors, dtype=np.float64) - vectors[first]) @ direction / length, direction


def semantic_projection(
    vectors: np.ndarray,
    words: Sequence[str],
    x_words: tuple[str, str],
    y: int | tuple[str, str],
) -> AxisProjection:
    """x from ``x_words[0]`` to ``x_words[1]``; y the 1-based principal component ``y`` of the rest, or a
    second axis between two words. Raises ``UnknownWordError`` / ``ProjectionError``."""
    x, direction = axis_position(vectors, words, *x_words)
    endpoints = (word_index(words, x_words[0]), word_index(words, x_words[1]))
    if isinstance(y, tuple):
        y_values, _ = axis_position(vectors, words, *y)
        endpoints += (word_index(words, y[0]), word_index(words, y[1]))
        return AxisProjection(np.column_stack([x, y_values]), endpoints, None)
    if not 1 <= y <= min(MAX_COMPONENT, vectors.shape[1] - 1, len(vectors) - 1):
        raise ProjectionError(f"The y axis can show principal components 1 to {MAX_COMPONENT}, not {y}.")
    from sklearn.decomposition import PCA  # scikit-learn costs ~0.5 s to import; only pay when projecting

    unit = direction / np.linalg.norm(direction)
    matrix = np.asarray(vectors, dtype=np.float64)
    rest = matrix - np.outer(matrix @ unit, unit)  # the part of every vector the x direction leaves
    pca = PCA(n_components=y, random_state=DEFAULT_SEED).fit(rest)
    y_values = pca.transform(rest)[:, y - 1]
    return AxisProjection(np.column_stack([x, y_values]), endpoints, float(pca.explained_variance_ratio_[y - 1]))
