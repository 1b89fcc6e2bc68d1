"""Memory over distance: how strongly the output still depends on the token k steps before it.

Distill's "Visualizing memorization in RNNs" measures connectivity as the size of the gradient
of the output with respect to each earlier input. Here it is ‖∂logit/∂x_t‖ (x_t the embedding or
one-hot vector read at step t), from one batched backward pass (``explorer.lab.backprop``),
averaged over reviews and lined up by distance from the output: k = 0 is the last step read.

The same reviews are padded both ways. With ``pre`` padding the review's last word sits right
before the output; with ``post`` padding, a short review is followed by up to ``maxlen`` pad
steps, and a SimpleRNN, whose memory fades geometrically, has forgotten it by the end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from explorer.data.ragged import Ragged
from explorer.lab.backprop import Network, Shared, forward, gradient, single_blas_thread
from explorer.training.config import SIDES, RunConfig
from explorer.training.inference import Predictor

REVIEWS = 50  # reviews averaged over: enough for a smooth curve, one batch
REACH_SHARE = 0.01  # "reach": the distance where the sensitivity falls below this share of its peak


@dataclass(frozen=True)
class MemoryProfile:
    """One run's sensitivity to earlier inputs, for reviews padded on one side.

    ``curve[k]`` is the mean ‖∂logit/∂x‖ k steps before the output; ``per_review`` the same per
    review (reviews, maxlen); ``review_share`` the mean share of the sensitivity that falls on the
    review's own tokens rather than on padding; ``reach`` the first distance where ``curve`` is below
    ``REACH_SHARE`` of its peak (maxlen if never); ``median_gap`` the median number of pad steps
    between a review's last token and the output.
    """

    padding: str
    curve: np.ndarray
    per_review: np.ndarray
    review_share: float
    reach: int
    median_gap: float


def sensitivity(network: Network, ids: np.ndarray) -> np.ndarray:
    """‖∂logit/∂x_t‖ for every position of padded ``ids`` (reviews, maxlen), from one backward pass.

    ‖g · Wᵀ‖ is computed as √(g · WᵀW · gᵀ), so a 10,000-wide one-hot input costs no more than an embedding.
    """
    grads = gradient(network, forward(network, ids, shared=Shared.leading_padding(ids)))
    stacked = np.concatenate([grads[d] for d in network.directions], axis=-1)
    squared = np.einsum("...k,kl,...l->...", stacked, network.input_gram(), stacked, optimize=True)
    return np.sqrt(np.maximum(squared, 0.0))


def memory_profile(ids: np.ndarray, values: np.ndarray, padding: str) -> MemoryProfile:
    """The profile of padded ``ids`` (reviews, maxlen) from their ``sensitivity`` ``values``."""
    maxlen = ids.shape[1]
    by_distance = values[:, ::-1]
    curve = by_distance.mean(axis=0)
    real = ids != 0
    totals = values.sum(axis=1)
    shares = np.divide((values * real).sum(axis=1), totals, out=np.zeros_like(totals), where=totals > 0)
    below = np.flatnonzero(curve < REACH_SHARE * curve.max()) if curve.max() > 0 else np.zeros(0, dtype=int)
    last_real = np.where(real.any(axis=1), maxlen - 1 - np.argmax(real[:, ::-1], axis=1), -1)
    return MemoryProfile(
        padding,
        curve,
        by_distance,
        float(shares.mean()),
        int(below[0]) if len(below) else maxlen,
        float(np.median(maxlen - 1 - last_real)),
    )


def both_paddings(
    config: RunConfig, weights: Mapping[str, np.ndarray], reviews: Ragged | Sequence[Sequence[int]]
) -> dict[str, MemoryProfile]:
    """The run's profile with the same reviews (corpus ids) padded ``pre`` and ``post``: one batch for both."""
    padded = [Predictor(config.with_changes(padding=side), weights).pad(reviews) for side in SIDES]
    ids = np.concatenate(padded)
    with single_blas_thread():
        values = sensitivity(Network.of_run(config, weights), ids)
    parts = np.split(values, len(SIDES))
    return {
        side: memory_profile(part_ids, part, side) for side, part_ids, part in zip(SIDES, padded, parts, strict=True)
    }
