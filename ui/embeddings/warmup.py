"""Slow first projections avoided or announced: UMAP compiled in the background, and a progress bar
with an estimate (not a spinner promising "a few seconds") while t-SNE or UMAP runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import streamlit as st

from explorer.embeddings import projection as proj
from ui.i18n import t

WARM_UP_DELAY_S = 3.0  # let the first page draw before compiling takes the cores
POLL_S = 0.25  # how often the progress bar moves
SHOWN_AFTER_S = 0.3  # a projection read from the cache finishes before any bar is drawn
Result = TypeVar("Result")


@st.cache_resource(show_spinner=False)
def start_umap_warm_up() -> threading.Thread:
    """Once per server process: compile UMAP's numba kernels in a background thread, so that the first
    UMAP a student asks for takes seconds, not the ~15-30 s of compiling."""

    def warm_up() -> None:
        time.sleep(WARM_UP_DELAY_S)
        proj.warm_up_umap()

    thread = threading.Thread(target=warm_up, name="umap-warm-up", daemon=True)
    thread.start()
    return thread


@st.cache_resource(show_spinner=False)
def _measured_rates() -> dict[str, float]:
    """Seconds per word and pass this server last took, per method (shared by every session)."""
    return {}


def with_estimate(settings: proj.ProjectionSettings, rows: int, compute: Callable[[], Result]) -> Result:
    """Run ``compute`` (a projection of ``rows`` words) with a progress bar of elapsed against estimated
    time; the estimate learns from each run on this server. PCA (instant) runs without a bar."""
    if settings.method == "pca":
        return compute()
    rates = _measured_rates()
    estimate = max(proj.estimated_seconds(settings, rows, rates.get(settings.method)), POLL_S)
    warming = settings.method == "umap" and start_umap_warm_up().is_alive()
    started, bar = time.perf_counter(), None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="projection") as pool:
        future = pool.submit(compute)
        while not future.done():
            time.sleep(POLL_S)
            elapsed = time.perf_counter() - started
            if bar is None and elapsed >= SHOWN_AFTER_S:
                bar = st.progress(0.0)
            if bar is not None:
                key = "embeddings.projecting_compiling" if warming else "embeddings.projecting_estimate"
                text = t(key, method=t(f"embeddings.method_{settings.method}"), words=rows, estimate=estimate)
                bar.progress(min(elapsed / estimate, 0.99), text=f"{text} ({elapsed:.0f} s)")
    if bar is not None:
        bar.empty()
    result = future.result()  # a projection's error is raised here, after its bar is gone
    if bar is not None and not warming:  # a run that waited for compiling says nothing about the method's speed
        rates[settings.method] = (time.perf_counter() - started) / proj.word_passes(settings, rows)
    return result
