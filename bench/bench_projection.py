"""How long the projection page waits for PCA, t-SNE and UMAP, on real word vectors (GloVe 50d).

Prints one JSON line per method with the median, minimum and maximum of a few repeats, the
target from the issue, and the machine's load average (other programs share the cores, so
spread between repeats is noise, not the method). UMAP's first call of a process compiles its numba kernels:
a server does that in the background at start (``warm_up_umap``), timed apart as
``background_warm_up_s``; then the first UMAP of 1,000 and of 5,000 words is timed (``first_call_s``,
the issue's case, also in the median with the repeats).

    python bench/bench_projection.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from explorer.data.glove import load_glove  # noqa: E402
from explorer.embeddings.projection import (  # noqa: E402
    ProjectionSettings,
    import_umap,
    project,
    umap_epochs,
    warm_up_umap,
)

PCA_WORDS = 10_000  # the PCA case: 10,000 x 50
MANIFOLD_WORDS = 2_000  # the t-SNE / UMAP case: 2,000 words
TARGETS_SECONDS = {"pca": 0.2, "tsne": 10.0, "umap": 10.0}
UMAP_TARGETS_SECONDS = {1_000: 5.0, 5_000: 15.0}  # issue 13: words -> the first UMAP's target on a started server
PCA_REPEATS = 7  # PCA is fast, so more repeats cost nothing and steady the median


def timed(call: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (all threads of this process) one call takes.

    CPU seconds are what the method costs whoever else runs; wall seconds are what a user waits.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def report(
    case: str,
    words: int,
    timings: list[tuple[float, float]],
    settings: ProjectionSettings,
    target: float | None = None,
    **extra: object,
) -> None:
    """One JSON line for ``case`` (``target``: seconds, the method's usual target if not given)."""
    seconds = [wall for wall, _ in timings]
    median = statistics.median(seconds)
    target = TARGETS_SECONDS[settings.method] if target is None else target
    print(
        json.dumps(
            {
                "case": case,
                "words": words,
                "dimensions_in": 50,
                "settings": settings.relevant(),
                "median_s": round(median, 4),
                "min_s": round(min(seconds), 4),
                "max_s": round(max(seconds), 4),
                "median_cpu_s": round(statistics.median(cpu for _, cpu in timings), 4),
                "repeats": len(seconds),
                "target_s": target,
                "meets_target": median <= target,
                "load_average_1min": round(os.getloadavg()[0], 2),
                "cpus": os.cpu_count(),
                **extra,
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats of t-SNE and UMAP")
    arguments = parser.parse_args()
    vectors = load_glove().vectors  # GloVe rows are ordered by frequency: the top words, as on the page

    pca = ProjectionSettings("pca", components=(1, 2, 3))
    project(vectors[:PCA_WORDS], pca)  # the first call imports scikit-learn: not part of the method's time
    report("pca", PCA_WORDS, [timed(lambda: project(vectors[:PCA_WORDS], pca)) for _ in range(PCA_REPEATS)], pca)

    tsne = ProjectionSettings("tsne", dimensions=2)
    report(
        "tsne",
        MANIFOLD_WORDS,
        [timed(lambda: project(vectors[:MANIFOLD_WORDS], tsne)) for _ in range(arguments.repeats)],
        tsne,
    )

    umap_cases(vectors, arguments.repeats)


def umap_cases(vectors: np.ndarray, repeats: int) -> None:
    """The issue's UMAP cases on a started server: the server has compiled UMAP in the background
    (``warm_up_umap``, timed apart), then the first projection of each size is timed with the repeats."""
    settings = ProjectionSettings("umap", dimensions=2)
    import_seconds, _ = timed(import_umap)
    warm_up_seconds, _ = timed(warm_up_umap)
    for words, target in UMAP_TARGETS_SECONDS.items():
        first = timed(lambda words=words: project(vectors[:words], settings))
        again = [timed(lambda words=words: project(vectors[:words], settings)) for _ in range(repeats)]
        report(
            "umap",
            words,
            [first, *again],
            settings,
            target=target,
            first_call_s=round(first[0], 2),
            import_s=round(import_seconds, 2),
            background_warm_up_s=round(warm_up_seconds, 2),
            epochs=umap_epochs(words),
        )


if __name__ == "__main__":
    main()
