"""How long the projection page waits for PCA, t-SNE and UMAP, on real word vectors (GloVe 50d).

Prints one JSON line per method with the median, minimum and maximum of a few repeats, the
target from the issue, and the machine's load average (other programs share the cores, so
spread between repeats is noise, not the method). UMAP's first call compiles its numba kernels;
that cold time is reported separately and left out of the median.

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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from explorer.data.glove import load_glove  # noqa: E402
from explorer.embeddings.projection import ProjectionSettings, import_umap, project  # noqa: E402

PCA_WORDS = 10_000  # the PCA case: 10,000 x 50
MANIFOLD_WORDS = 2_000  # the t-SNE / UMAP case: 2,000 words
TARGETS_SECONDS = {"pca": 0.2, "tsne": 10.0, "umap": 10.0}
PCA_REPEATS = 7  # PCA is fast, so more repeats cost nothing and steady the median


def timed(call: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (all threads of this process) one call takes.

    CPU seconds are what the method costs whoever else runs; wall seconds are what a user waits.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def report(
    case: str, words: int, timings: list[tuple[float, float]], settings: ProjectionSettings, **extra: object
) -> None:
    """One JSON line for ``case``."""
    seconds = [wall for wall, _ in timings]
    median = statistics.median(seconds)
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
                "target_s": TARGETS_SECONDS[settings.method],
                "meets_target": median <= TARGETS_SECONDS[settings.method],
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

    umap_settings = ProjectionSettings("umap", dimensions=2)
    import_seconds, _ = timed(import_umap)
    cold, _ = timed(lambda: project(vectors[:MANIFOLD_WORDS], umap_settings))
    warm = [timed(lambda: project(vectors[:MANIFOLD_WORDS], umap_settings)) for _ in range(arguments.repeats)]
    report("umap", MANIFOLD_WORDS, warm, umap_settings, import_s=round(import_seconds, 2), first_call_s=round(cold, 2))


if __name__ == "__main__":
    main()
