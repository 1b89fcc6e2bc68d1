"""Why did the model say that? Each token's share in one review's prediction, three ways.

- **Occlusion** takes the token away and re-runs the model: the attribution is how much
  P(positive) drops without it. It asks the model itself, one forward pass per token, and sees
  every interaction, but a token that matters only together with another (``not`` … ``good``)
  can look unimportant alone.
- **Gradient × input** multiplies the gradient of the output (the logit, before the sigmoid)
  by the token's own input vector: a first-order, local guess of the same question from ONE
  backward pass. Where the model saturates (tanh near ±1) the gradient is small even for a
  decisive word.
- **Integrated gradients** average that gradient along the straight path from an all-zero input
  to the real one (``INTEGRATION_STEPS`` points), which fixes saturation: the attributions add
  up to logit(review) − logit(all-zero input) ("completeness"), checked by ``completeness_gap``.

Gradients come from ``explorer.lab.backprop`` (hand-written backpropagation through time).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from explorer.data.corpus import OOV_ID, PAD_ID
from explorer.lab.backprop import Network, Shared, forward, gradient, predicted_probability, single_blas_thread
from explorer.lab.compiled_loops import compiled
from explorer.lab.compiled_loops import gradient_times_input as compiled_gradient_times_input
from explorer.training.config import RunConfig
from explorer.training.inference import Predictor

Method = Literal["occlusion", "gradient_x_input", "integrated_gradients"]
METHODS: tuple[Method, ...] = ("occlusion", "integrated_gradients", "gradient_x_input")
Occluder = Literal["delete", "unknown"]
OCCLUDERS: tuple[Occluder, ...] = ("unknown", "delete")
INTEGRATION_STEPS = 32  # midpoint-rule points on the path from zero; completeness holds to ~1% of the logit
TOP_TOKENS = 8  # how many of the strongest tokens each side lists


@dataclass(frozen=True)
class ReviewWindow:
    """Where a review's tokens went when the run padded it.

    ``ids`` is what the model reads (maxlen,); ``source[p]`` is the index in the original token
    list of the token at position p, or -1 on padding; ``truncated`` lists the original indices
    the ``maxlen`` cut dropped.
    """

    ids: np.ndarray
    source: np.ndarray
    truncated: np.ndarray


@dataclass(frozen=True)
class Attribution:
    """One review's attributions by every method, (maxlen,) each, 0 on padding."""

    window: ReviewWindow
    probability: float  # the model's P(positive) for the review
    scores: dict[Method, np.ndarray]
    completeness_gap: float  # |Σ integrated gradients − (logit − logit at zero input)|
    logit_change: float  # logit − logit at zero input, what integrated gradients share out

    def top(self, method: Method, sign: int, count: int = TOP_TOKENS) -> list[int]:
        """Positions of the ``count`` strongest tokens pushing up (``sign`` 1) or down (−1), strongest first."""
        values = self.scores[method] * sign
        real = np.flatnonzero((self.window.source >= 0) & (values > 0))
        return real[np.argsort(-values[real], kind="stable")][:count].tolist()


def review_window(tokens: Sequence[int], config: RunConfig) -> ReviewWindow:
    """Cut a review's ids (start id first, as the corpus stores them) to ``num_words``, then pad and
    truncate them the way the run does."""
    ids = np.asarray(tokens, dtype=np.int64)
    ids = np.where(ids < config.num_words, ids, OOV_ID)
    maxlen, length = config.maxlen, len(ids)
    kept = np.arange(length)
    if length > maxlen:
        kept = kept[length - maxlen :] if config.truncating == "pre" else kept[:maxlen]
    source = np.full(maxlen, -1, dtype=np.int64)
    start = maxlen - len(kept) if config.padding == "pre" else 0
    source[start : start + len(kept)] = kept
    padded = np.where(source >= 0, ids[np.maximum(source, 0)], PAD_ID)
    truncated = np.setdiff1d(np.arange(length), kept)
    return ReviewWindow(padded, source, truncated)


def occlusion(
    network: Network, predictor: Predictor, tokens: Sequence[int], occluder: Occluder = "unknown"
) -> tuple[np.ndarray, float]:
    """P(review) − P(review without the token) at every position of the model's window, and P(review).

    ``unknown`` puts the out-of-vocabulary id in its place (the word unread, the length kept);
    ``delete`` removes the token and pads again (what the review would be without the word).
    All variants run through ``network`` as one batch (``predictor`` pads them as the run does),
    each computed only from where it differs from the review (or from its padding).
    """
    window = review_window(tokens, predictor.config)
    positions = np.flatnonzero(window.source >= 0)
    if occluder == "unknown":  # the length is kept, so each variant is the review's window with one id replaced
        padded = np.repeat(window.ids[None], len(positions) + 1, axis=0)
        padded[np.arange(1, len(positions) + 1), positions] = OOV_ID
        # variant p reads the review's own tokens before p: those steps are shared
        shared = Shared(window.ids, np.concatenate([[predictor.config.maxlen], positions]))
    else:
        original = list(tokens)
        dropped = (int(window.source[position]) for position in positions)
        padded = predictor.pad([original, *(original[:index] + original[index + 1 :] for index in dropped)])
        shared = Shared.leading_padding(padded)
    probabilities = predicted_probability(network, padded, shared)
    scores = np.zeros(predictor.config.maxlen)
    scores[positions] = probabilities[0] - probabilities[1:]
    return scores, float(probabilities[0])


def gradient_x_input(network: Network, ids: np.ndarray) -> np.ndarray:
    """(∂logit/∂x_t) · x_t for each position t of padded ``ids`` (..., steps)."""
    return _gradient_times_input(network, ids, None)[0]


def integrated_gradients(network: Network, ids: np.ndarray, steps: int = INTEGRATION_STEPS) -> tuple[np.ndarray, float]:
    """Integrated gradients of padded ``ids`` (steps,) from an all-zero input, and logit − logit(zero input)."""
    integrated, _, change = gradient_methods(network, ids, steps)
    return integrated, change


def gradient_methods(
    network: Network, ids: np.ndarray, steps: int = INTEGRATION_STEPS
) -> tuple[np.ndarray, np.ndarray, float]:
    """Integrated gradients, gradient × input and logit − logit(zero input) for padded ``ids`` (steps,).

    One batch holds every point: ``steps`` copies of the review scaled by α = (k + ½)/steps (the
    midpoint rule), the review itself (α = 1: gradient × input) and the all-zero input (α = 0).
    """
    alphas = np.concatenate([(np.arange(steps) + 0.5) / steps, [1.0, 0.0]])
    if compiled(network):  # the app's float32 network: the engine's compiled loops (see compiled_loops)
        products, logits = compiled_gradient_times_input(network, ids, alphas)
    else:
        products, logits = _gradient_times_input(network, np.broadcast_to(ids, (len(alphas), *ids.shape)), alphas)
    # each point's product used x(α) = α·x, so divide α out again: the integrand is ∂f/∂x(α) · x
    integrated = (products[:steps] / alphas[:steps, None]).mean(axis=0)
    return integrated, products[steps], float(logits[steps] - logits[steps + 1])


def _gradient_times_input(network: Network, ids: np.ndarray, scale: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(∂logit/∂x_t) · x_t at every position of the (scaled) inputs, and the logits."""
    projected = network.projected(ids, scale)
    tape = forward(network, ids, projected)
    grads = gradient(network, tape)
    return sum((grads[d] * projected[d].full()).sum(axis=-1) for d in network.directions), tape.logit


def attribute(
    config: RunConfig, weights: Mapping[str, np.ndarray], tokens: Sequence[int], occluder: Occluder = "unknown"
) -> Attribution:
    """Every method's attributions for one review given as corpus ids (start id first)."""
    predictor = Predictor(config, weights)
    network = Network.of_run(config, weights, np.float32)  # float32: the compiled loops (see compiled_loops)
    window = review_window(tokens, config)
    real = window.source >= 0
    with single_blas_thread():
        occluded, probability = occlusion(network, predictor, tokens, occluder)
        with np.errstate(over="ignore", invalid="ignore"):
            integrated, by_gradient, logit_change = gradient_methods(network, window.ids)
        if not (np.isfinite(integrated).all() and np.isfinite(by_gradient).all()):
            # exploding gradients (a recurrent kernel that amplifies) can overflow float32: redo in float64
            integrated, by_gradient, logit_change = gradient_methods(Network.of_run(config, weights), window.ids)
    scores: dict[Method, np.ndarray] = {
        "occlusion": occluded,
        "integrated_gradients": np.where(real, integrated, 0.0),
        "gradient_x_input": np.where(real, by_gradient, 0.0),
    }
    gap = abs(float(integrated.sum()) - logit_change)  # completeness counts the padding too
    return Attribution(window, probability, scores, gap, logit_change)


def rank_agreement(first: np.ndarray, second: np.ndarray, real: np.ndarray) -> float:
    """Spearman's rank correlation of two methods' attributions over the real tokens (nan if undefined)."""
    from scipy.stats import spearmanr  # imported here: scipy.stats costs ~0.3 s at start-up

    if real.sum() < 2 or np.ptp(first[real]) == 0 or np.ptp(second[real]) == 0:
        return float("nan")
    return float(spearmanr(first[real], second[real]).statistic)
