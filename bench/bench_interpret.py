"""How long the "why did it say that?" page computes, for the books' models.

Cases (targets from issue 14): every attribution method for one 500-token review (≤ 0.3 s),
memory over distance for 50 reviews padded both ways (≤ 2 s), hidden-unit statistics over
2,000 reviews (≤ 3 s). Models: the first book's Embedding(500, 16) → SimpleRNN / LSTM / GRU(8)
at maxlen 100, and Deep Learning with Python's Embedding(10,000, 32) → SimpleRNN / LSTM(32) at
maxlen 500 (a GRU(32) beside them). Weights are random: the time does not depend on their values.
Reviews are random ids with IMDB-like log-normal lengths (median ~180 tokens).

Prints one JSON line per case and model: median, minimum and maximum wall seconds of a few
repeats, median CPU seconds, the target, and the load average (other programs share the two
cores, so the spread between repeats is noise, not the method).

    python -m bench.bench_interpret [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from explorer.lab import attribution as attr  # noqa: E402
from explorer.lab.hidden_units import SAMPLE_REVIEWS, unit_statistics  # noqa: E402
from explorer.lab.memory_distance import REVIEWS, both_paddings  # noqa: E402
from explorer.training.config import GATES, RunConfig  # noqa: E402

TARGETS_SECONDS = {"attributions_500_tokens": 0.3, "memory_50_reviews": 2.0, "hidden_units_2000_reviews": 3.0}
REVIEW_TOKENS = 500  # the review length for attributions
MEDIAN_LENGTH, LENGTH_SPREAD = 180, 0.6  # log-normal review lengths, like IMDB's
MODELS = {
    "book1_simple_rnn_8": RunConfig(layer="simple_rnn", units=8, embedding_dim=16, num_words=500, maxlen=100),
    "book1_lstm_8": RunConfig(layer="lstm", units=8, embedding_dim=16, num_words=500, maxlen=100),
    "book1_gru_8": RunConfig(layer="gru", units=8, embedding_dim=16, num_words=500, maxlen=100),
    "dlwp_simple_rnn_32": RunConfig(layer="simple_rnn", units=32, embedding_dim=32, num_words=10_000, maxlen=500),
    "dlwp_lstm_32": RunConfig(layer="lstm", units=32, embedding_dim=32, num_words=10_000, maxlen=500),
    "dlwp_gru_32": RunConfig(layer="gru", units=32, embedding_dim=32, num_words=10_000, maxlen=500),
}


def random_weights(config: RunConfig, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Float32 weights of a one-layer model in the engine's layout."""
    blocks, units = GATES[config.layer], config.units
    return {
        "embedding/embeddings": rng.normal(0, 0.1, (config.num_words, config.embedding_dim)).astype(np.float32),
        "rnn_1/forward/kernel": rng.normal(0, 0.3, (config.embedding_dim, blocks * units)).astype(np.float32),
        "rnn_1/forward/recurrent_kernel": rng.normal(0, 0.3, (units, blocks * units)).astype(np.float32),
        "rnn_1/forward/bias": np.zeros((2, 3 * units) if config.layer == "gru" else blocks * units, np.float32),
        "dense/kernel": rng.normal(0, 0.3, (units, 1)).astype(np.float32),
        "dense/bias": np.zeros(1, np.float32),
    }


def random_reviews(count: int, num_words: int, rng: np.random.Generator) -> list[list[int]]:
    """Reviews as corpus ids (start id first) with log-normal lengths."""
    lengths = np.clip(rng.lognormal(np.log(MEDIAN_LENGTH), LENGTH_SPREAD, count).astype(int), 5, 2_500)
    return [[1, *rng.integers(4, num_words, length - 1).tolist()] for length in lengths]


def timed(call: Callable[[], object], repeats: int) -> list[tuple[float, float]]:
    """Wall and CPU seconds of each of ``repeats`` calls."""
    timings = []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        timings.append((time.perf_counter() - wall, time.process_time() - cpu))
    return timings


def report(case: str, model: str, timings: list[tuple[float, float]]) -> None:
    """One JSON line."""
    seconds = [wall for wall, _ in timings]
    median = statistics.median(seconds)
    print(
        json.dumps(
            {
                "case": case,
                "model": model,
                "median_s": round(median, 4),
                "min_s": round(min(seconds), 4),
                "max_s": round(max(seconds), 4),
                "median_cpu_s": round(statistics.median(cpu for _, cpu in timings), 4),
                "repeats": len(seconds),
                "target_s": TARGETS_SECONDS[case],
                "within_target": median <= TARGETS_SECONDS[case],
                "load_average_1min": round(os.getloadavg()[0], 2),
            }
        ),
        flush=True,
    )


def bench_model(name: str, config: RunConfig, repeats: int, rng: np.random.Generator) -> None:
    """The three cases for one model."""
    weights = random_weights(config, rng)
    review = [1, *rng.integers(4, config.num_words, REVIEW_TOKENS - 1).tolist()]
    attr.attribute(config, weights, review)  # first call: imports, BLAS warm-up
    report("attributions_500_tokens", name, timed(partial(attr.attribute, config, weights, review), repeats))
    sample = random_reviews(REVIEWS, config.num_words, rng)
    report("memory_50_reviews", name, timed(partial(both_paddings, config, weights, sample), repeats))
    many = random_reviews(SAMPLE_REVIEWS, config.num_words, rng)
    report("hidden_units_2000_reviews", name, timed(partial(unit_statistics, config, weights, many), repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--models", nargs="*", default=list(MODELS), choices=list(MODELS))
    arguments = parser.parse_args()
    rng = np.random.default_rng(0)
    for name in arguments.models:
        bench_model(name, MODELS[name].validate(), arguments.repeats, rng)


if __name__ == "__main__":
    main()
