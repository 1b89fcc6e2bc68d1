"""t-SNE and UMAP in a process of their own, with a progress bar and an estimate (not a spinner
promising "a few seconds").

Why a process and not a thread of the server: UMAP's numba code and its compiler hold Python's
GIL. In the server's process, compiling UMAP at start (about 15 s of CPU) and every large UMAP
stalled every student's page and the event loop that answers browsers: py-spy showed the first
streamed point of a training run waiting behind the compile. A spawned process has a GIL of its
own; it compiles UMAP once when the server starts (its initializer), keeps the kernels warm for
every later projection, and exits when the server does.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import numpy as np
import streamlit as st

from explorer.embeddings import projection as proj
from ui.i18n import t

PROJECTION_PROCESSES = 1  # t-SNE / UMAP computed at once: one core, the other serves pages and training
POLL_S = 0.25  # how often the progress bar moves
SHOWN_AFTER_S = 0.3  # a small projection finishes before any bar is drawn


@dataclass(frozen=True)
class ProjectionProcess:
    """The server's projection process and a task that is done once UMAP is compiled in it."""

    pool: ProcessPoolExecutor
    compiled: Future


@st.cache_resource(show_spinner=False)
def projection_process() -> ProjectionProcess:
    """Once per server (and again after the process died): start the process, which compiles UMAP first."""
    pool = ProcessPoolExecutor(
        PROJECTION_PROCESSES, mp_context=multiprocessing.get_context("spawn"), initializer=proj.start_projection_process
    )
    return ProjectionProcess(pool, pool.submit(int))  # a no-op task: it runs once the initializer is done


@st.cache_resource(show_spinner=False)
def _measured_rates() -> dict[str, float]:
    """Seconds per word and pass this server last took, per method (shared by every session)."""
    return {}


def projected_with_estimate(vectors: np.ndarray, settings: proj.ProjectionSettings) -> proj.Projection:
    """``proj.project(vectors, settings)``, with a progress bar of elapsed against estimated time.

    t-SNE and UMAP run in the projection process; the estimate learns from each run on this
    server. PCA (instant) runs here, without a bar.
    """
    if settings.method == "pca":
        return proj.project(vectors, settings)
    rows, rates = len(vectors), _measured_rates()
    estimate = max(proj.estimated_seconds(settings, rows, rates.get(settings.method)), POLL_S)
    compiling = not projection_process().compiled.done()  # a t-SNE waits for the compile too
    started, bar = time.perf_counter(), None
    process, future = _submit(vectors, settings)
    while not future.done():
        time.sleep(POLL_S)
        elapsed = time.perf_counter() - started
        if bar is None and elapsed >= SHOWN_AFTER_S:
            bar = st.progress(0.0)
        if bar is not None:
            key = "embeddings.projecting_compiling" if compiling else "embeddings.projecting_estimate"
            text = t(key, method=t(f"embeddings.method_{settings.method}"), words=rows, estimate=estimate)
            bar.progress(min(elapsed / estimate, 0.99), text=f"{text} ({elapsed:.0f} s)")
    if bar is not None:
        bar.empty()
    result = _result(process, future)  # a projection's error is raised here, after its bar is gone
    if bar is not None and not compiling:  # a run that waited for compiling says nothing about the method's speed
        rates[settings.method] = (time.perf_counter() - started) / proj.word_passes(settings, rows)
    return result


def projected_apart(vectors: np.ndarray, settings: proj.ProjectionSettings) -> proj.Projection:
    """``proj.project(vectors, settings)`` in the projection process, without a bar (the caller draws its own)."""
    return _result(*_submit(vectors, settings))


def _submit(vectors: np.ndarray, settings: proj.ProjectionSettings) -> tuple[ProjectionProcess, Future]:
    """The projection started in the projection process, and that process."""
    process = projection_process()
    try:
        return process, process.pool.submit(proj.project, vectors, settings)
    except BrokenProcessPool:  # it died before this task: start a new one for this and later tasks
        process = _replaced(process)
        return process, process.pool.submit(proj.project, vectors, settings)


def _result(process: ProjectionProcess, future: Future) -> proj.Projection:
    """The task's result; a process that died under it (killed, out of memory) is replaced and the
    projection reported as failed, with a message that says so: the next try starts afresh."""
    try:
        return future.result()
    except BrokenProcessPool as error:
        _replaced(process)
        raise proj.ProjectionError(t("embeddings.projection_process_died")) from error


def _replaced(process: ProjectionProcess) -> ProjectionProcess:
    """A new projection process in place of ``process`` (unless another session has replaced it already)."""
    if projection_process() is process:
        process.pool.shutdown(wait=False, cancel_futures=True)
        projection_process.clear()
    return projection_process()
