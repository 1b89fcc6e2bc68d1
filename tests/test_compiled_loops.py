"""The attributions' compiled loops (float32, polynomial tanh) against the exact numpy pass in float64."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.lab import attribution as attr
from explorer.lab.backprop import Network
from explorer.lab.compiled_loops import compiled
from explorer.training.config import RunConfig
from explorer.training.inference import Predictor
from tests.test_interpret import REVIEWS, random_weights, tiny_config

ONE_WAY = [
    {"layer": "simple_rnn"},
    {"layer": "lstm", "mask_zero": True},
    {"layer": "gru", "mask_zero": True, "padding": "post"},
    {"layer": "lstm", "encoding": "one_hot", "padding": "post"},
    {"layer": "gru", "truncating": "post"},
]
BOOK_SIZED = {"units": 8, "embedding_dim": 16, "num_words": 500, "maxlen": 100}  # the first book's models
PROBABILITY_TOLERANCE = 1e-5  # float32 rounding over up to 100 steps; measured ≤ 2e-7
GRADIENT_TOLERANCE = 1e-4  # relative to the largest attribution; measured ≤ 3e-7


def networks(config: RunConfig, weights: dict[str, np.ndarray]) -> tuple[Network, Network]:
    """The compiled (float32) and the exact (float64 numpy) network of the same weights."""
    fast = Network.of_run(config, weights, np.float32)
    assert compiled(fast) and not compiled(Network.of_run(config, weights))
    return fast, Network.of_run(config, weights)


def reviews_for(config: RunConfig) -> list[list[int]]:
    """The tiny test reviews, and for a book-sized model one longer than its window and one shorter."""
    if config.maxlen < BOOK_SIZED["maxlen"]:
        return REVIEWS
    rng = np.random.default_rng(5)
    return [[1, *rng.integers(3, config.num_words, length).tolist()] for length in (140, 60)]


@pytest.mark.parametrize("size", [{}, BOOK_SIZED], ids=["tiny", "book_sized"])
@pytest.mark.parametrize("settings", ONE_WAY)
def test_compiled_occlusion_equals_the_numpy_pass(settings, size) -> None:
    config = tiny_config(**settings, **size)
    weights = random_weights(config)
    fast, exact = networks(config, weights)
    predictor = Predictor(config, weights)
    for occluder in attr.OCCLUDERS:
        for tokens in reviews_for(config):
            quick, quick_probability = attr.occlusion(fast, predictor, tokens, occluder)
            scores, probability = attr.occlusion(exact, predictor, tokens, occluder)
            assert quick_probability == pytest.approx(probability, abs=PROBABILITY_TOLERANCE)
            np.testing.assert_allclose(quick, scores, atol=PROBABILITY_TOLERANCE)


@pytest.mark.parametrize("size", [{}, BOOK_SIZED], ids=["tiny", "book_sized"])
@pytest.mark.parametrize("settings", ONE_WAY)
def test_compiled_gradients_equal_the_numpy_pass(settings, size) -> None:
    config = tiny_config(**settings, **size)
    fast, exact = networks(config, random_weights(config))
    for tokens in reviews_for(config):
        ids = attr.review_window(tokens, config).ids
        quick = attr.gradient_methods(fast, ids)
        integrated, by_gradient, change = attr.gradient_methods(exact, ids)
        scale = max(1.0, np.abs(integrated).max(), np.abs(by_gradient).max())
        np.testing.assert_allclose(quick[0], integrated, atol=GRADIENT_TOLERANCE * scale)
        np.testing.assert_allclose(quick[1], by_gradient, atol=GRADIENT_TOLERANCE * scale)
        assert quick[2] == pytest.approx(change, abs=GRADIENT_TOLERANCE * max(1.0, abs(change)))
        if config.mask_zero:  # padding the loops skipped gets exactly 0, as in the numpy pass
            assert np.all(quick[1][ids == 0] == 0.0)
