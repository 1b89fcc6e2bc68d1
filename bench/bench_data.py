"""Speed of the data layer, against the issue's targets and the tutorial's own way (Keras).

    .venv/bin/python -m bench.bench_data [--data PATH] [--repeats N]

Prints one JSON line per measurement: the median seconds over the repeats (and the peer's
median and the ratio where there is a peer). Uses the real aclImdb data (``IMDB_EXPLORER_DATA``
or --data), else a generated corpus of the same size. Timings are noisy on a shared machine:
compare medians from the same run, not across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import app_test

from explorer.data import sources
from explorer.data.corpus import OOV_ID
from explorer.data.ragged import padded_ids
from tests.apptest import WarmServerPagesManager, open_page, rerun_with
from tests.synthetic import write_synthetic_aclimdb_tarball

TARGETS_S = {"cold_build": 15.0, "warm_load": 0.5, "remap_and_pad_25000": 0.05, "slider_rerun": 0.15}
REVIEWS_PER_LABEL = 12_500  # a generated stand-in as large as the real data


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``repeats`` calls of ``work``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(
    name: str, seconds: float, peer: str | None = None, peer_seconds: float | None = None, note: str = ""
) -> None:
    """Print one JSON line: the measure, its median, its target, and the peer's figures if any."""
    line = {"note": note} if note else {}
    line |= {
        "measure": name,
        "median_s": round(seconds, 4),
        "target_s": TARGETS_S[name],
        "meets_target": seconds <= TARGETS_S[name],
    }
    if peer_seconds is not None:
        line |= {"peer": peer, "peer_median_s": round(peer_seconds, 4), "speedup": round(peer_seconds / seconds, 1)}
    print(json.dumps(line), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.environ.get(sources.DATA_ENV))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data = (
            Path(args.data)
            if args.data
            else write_synthetic_aclimdb_tarball(Path(scratch) / "gen.tar.gz", REVIEWS_PER_LABEL)
        )
        spec = sources.SourceSpec("aclimdb", str(data.resolve()))
        os.environ["IMDB_EXPLORER_CACHE"] = str(Path(scratch) / "cache")

        def cold_build() -> None:
            sources.cache_path(spec).unlink(missing_ok=True)
            sources.load(spec)

        report("cold_build", median_seconds(cold_build, max(1, args.repeats // 2)))
        report("warm_load", median_seconds(lambda: sources.load(spec), args.repeats))

        os.environ[sources.DATA_ENV] = str(data.resolve())
        app_test.PagesManager = WarmServerPagesManager  # time reruns as a warm server runs them
        app = Path(__file__).resolve().parent.parent / "app.py"
        for page in ("pages/lengths.py", "pages/padding.py", "pages/onehot.py"):
            at = open_page(app, page)
            values = iter(range(101, 101 + args.repeats * 2))
            seconds = median_seconds(lambda at=at, values=values: rerun_with(at, maxlen=next(values)), args.repeats * 2)
            report("slider_rerun", seconds, note=page)

        # Last: once keras is imported, Streamlit clears its session after every rerun (slower reruns).
        corpus = sources.load(spec)
        import keras  # the peer: the tutorial's load_data(num_words) cut + keras pad_sequences on lists

        rows = corpus.train.ids.to_lists()
        ours = median_seconds(lambda: padded_ids(corpus.train.ids, 500, OOV_ID, 100), args.repeats * 4)
        theirs = median_seconds(
            lambda: keras.utils.pad_sequences([[w if w < 500 else OOV_ID for w in row] for row in rows], 100),
            args.repeats,
        )
        report("remap_and_pad_25000", ours, "python num_words cut + keras.utils.pad_sequences", theirs)


if __name__ == "__main__":
    main()
