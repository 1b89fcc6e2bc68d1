"""Hidden units: where each unit of a run's last recurrent layer fires, and which words move it.

Like LSTMVis, a unit is looked up across many reviews: the tokens right after which its value
is highest, and the reviews where it peaks. Like RNNVis, units and words are co-clustered: a
unit × word table of the unit's mean value right after reading the word (minus the unit's
overall mean), with both axes ordered by hierarchical clustering (SciPy), so units that answer
to the same words, and words that drive the same units, sit together.

"Value" is the layer's output h_t (for a bidirectional layer: both directions side by side,
what the dense layer reads). Padding is excluded everywhere; the special ids below
``FIRST_WORD_ID`` (start, out of vocabulary) may show up as tokens but never as heat-map words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from explorer.data.corpus import INDEX_FROM
from explorer.data.ragged import Ragged
from explorer.lab.backprop import Network, Shared, forward, single_blas_thread
from explorer.training.config import RunConfig
from explorer.training.inference import Predictor

SAMPLE_REVIEWS = 2_000  # reviews the statistics run over
TOP_COUNT = 10  # tokens and reviews listed per unit
HEATMAP_WORDS = 40  # words (columns) in the unit × word heat map
MIN_WORD_COUNT = 10  # a word must occur this often in the sample to get a column (a mean of fewer is noise)
FIRST_WORD_ID = INDEX_FROM + 1  # ids below are padding, start, OOV and unused
CHUNK = 500  # reviews per forward pass, which bounds memory (500 × 500 steps × 64 units of float32 = 64 MB)


@dataclass(frozen=True)
class UnitStatistics:
    """Per unit (rows): its strongest tokens and reviews; and the clustered unit × word table.

    ``top_tokens`` (units, TOP_COUNT, 2) holds (review, position) pairs into ``ids``;
    ``top_token_values`` their values; ``top_reviews`` (units, TOP_COUNT) review numbers in the
    sample and ``top_review_values`` each review's peak. ``word_ids`` are the heat map's columns
    and ``responses`` (units, words) the centred mean values; ``unit_order`` and ``word_order`` the
    clustered orders of rows and columns.
    """

    ids: np.ndarray
    top_tokens: np.ndarray
    top_token_values: np.ndarray
    top_reviews: np.ndarray
    top_review_values: np.ndarray
    word_ids: np.ndarray
    responses: np.ndarray
    unit_order: np.ndarray
    word_order: np.ndarray


def layer_outputs(network: Network, ids: np.ndarray) -> np.ndarray:
    """The last recurrent layer's output after every step, (reviews, maxlen, units), in chunks of ``CHUNK``."""
    chunks = [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]
    parts = [forward(network, chunk, shared=Shared.leading_padding(chunk)) for chunk in chunks]
    return np.concatenate([tape.outputs(len(tape.states) - 1) for tape in parts])


def unit_statistics(
    config: RunConfig, weights: Mapping[str, np.ndarray], reviews: Ragged | Sequence[Sequence[int]]
) -> UnitStatistics:
    """Run the model (float32) over ``reviews`` (corpus ids) and gather every unit's statistics."""
    padded = Predictor(config, weights).pad(reviews)
    order = np.argsort(Shared.leading_padding(padded).starts, kind="stable")  # most padding last: see Shared
    ids = padded[order]
    with single_blas_thread():
        outputs = layer_outputs(Network.of_run(config, weights, np.float32), ids)
    real = ids != 0
    flat, flat_ids = outputs[real], ids[real]  # (tokens, units): padding left out
    by_unit = np.ascontiguousarray(flat.T)  # (units, tokens): each unit's values in one row
    positions = np.argwhere(real)  # (tokens, 2): review and step of each row of flat
    count = min(TOP_COUNT, len(flat))
    top = np.argpartition(-by_unit, count - 1, axis=1)[:, :count]  # (units, count), unordered
    top = np.take_along_axis(top, np.argsort(-np.take_along_axis(by_unit, top, axis=1), axis=1), axis=1)
    peaks = np.where(real[..., None], outputs, -np.inf).max(axis=1)  # (reviews, units)
    review_count = min(TOP_COUNT, len(peaks))
    best_reviews = np.argsort(-peaks, axis=0, kind="stable")[:review_count].T
    word_ids, responses = word_responses(flat, flat_ids)
    top_positions = positions[top]
    top_positions[..., 0] = order[top_positions[..., 0]]  # back to the caller's review numbers
    return UnitStatistics(
        padded,
        top_positions,
        np.take_along_axis(by_unit, top, axis=1),
        order[best_reviews],
        np.take_along_axis(peaks.T, best_reviews, axis=1),
        word_ids,
        responses,
        cluster_order(responses),
        cluster_order(responses.T),
    )


def word_responses(flat: np.ndarray, flat_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``HEATMAP_WORDS`` words that move the units most, and each unit's centred mean value after them.

    A word's strength is its largest |mean − unit mean| / unit spread over units, among words seen at
    least ``MIN_WORD_COUNT`` times; the sums per word come from one sparse product.
    """
    from scipy.sparse import csr_matrix  # imported here: scipy.sparse costs ~0.2 s at start-up

    vocabulary = int(flat_ids.max(initial=0)) + 1
    ones = np.ones(len(flat_ids), dtype=flat.dtype)
    rows = csr_matrix((ones, (flat_ids, np.arange(len(flat_ids)))), shape=(vocabulary, len(flat)))
    counts = np.asarray(rows.sum(axis=1)).ravel()
    means = (rows @ flat) / np.maximum(counts, 1)[:, None]  # (vocabulary, units)
    centred = means - flat.mean(axis=0)
    spread = flat.std(axis=0) + np.finfo(np.float32).eps
    eligible = (counts >= MIN_WORD_COUNT) & (np.arange(vocabulary) >= FIRST_WORD_ID)
    strength = np.where(eligible, np.abs(centred / spread).max(axis=1), -np.inf)
    chosen = np.argsort(-strength, kind="stable")[: min(HEATMAP_WORDS, int(eligible.sum()))]
    return chosen, centred[chosen].T


def cluster_order(matrix: np.ndarray) -> np.ndarray:
    """The rows of ``matrix`` in the leaf order of an average-linkage clustering (as they are if fewer than 3)."""
    if len(matrix) < 3:
        return np.arange(len(matrix))
    from scipy.cluster.hierarchy import leaves_list, linkage, optimal_leaf_ordering

    tree = linkage(matrix, method="average", metric="euclidean")
    return leaves_list(optimal_leaf_ordering(tree, matrix))


def unit_trace(config: RunConfig, weights: Mapping[str, np.ndarray], padded: np.ndarray, unit: int) -> np.ndarray:
    """Unit ``unit``'s value after every step of one padded review (maxlen,)."""
    return layer_outputs(Network.of_run(config, weights), padded[None])[0, :, unit]
