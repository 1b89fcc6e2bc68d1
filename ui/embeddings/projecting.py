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


@dataclass(frozen=True)
class _Queued:
    """A t-SNE or UMAP of some session, submitted to the projection process, and its estimate."""

    future: Future
    estimate: float


@st.cache_resource(show_spinner=False)
def _queue() -> list[_Queued]:
    """Every session's projections submitted and not yet collected, oldest first (one list per server).

    The process works through them one at a time, so a student's bar counts the ones ahead too.
    """
    return []


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
    ahead = [queued for queued in _queue() if not queued.future.done()]  # other students' projections
    total = estimate + sum(queued.estimate for queued in ahead)
    started, bar = time.perf_counter(), None
    began = None if ahead else started  # when the process took this projection up
    process, future = _submit(vectors, settings)
    mine = _Queued(future, estimate)
    _queue().append(mine)
    try:
        while not future.done():
            time.sleep(POLL_S)
            elapsed = time.perf_counter() - started
            waiting = sum(not queued.future.done() for queued in ahead)
            if began is None and not waiting:
                began = time.perf_counter()
            if bar is None and elapsed >= SHOWN_AFTER_S:
                bar = st.progress(0.0)
            if bar is not None:
                text = _bar_text(settings.method, rows, estimate, total, waiting, compiling)
                bar.progress(min(elapsed / total, 0.99), text=f"{text} ({elapsed:.0f} s)")
    finally:
        _queue().remove(mine)
    if bar is not None:
        bar.empty()
    result = _result(process, future)  # a projection's error is raised here, after its bar is gone
    # the next estimate learns from this one's own time: waiting for the compile or for others is not it
    if bar is not None and began is not None and not compiling:
        rates[settings.method] = (time.perf_counter() - began) / proj.word_passes(settings, rows)
    return result


def _bar_text(method: str, words: int, estimate: float, total: float, waiting: int, compiling: bool) -> str:
    """What the progress bar says: the projection and its estimate, and what it waits for first."""
    name = t(f"embeddings.method_{method}")
    if waiting:
        return t("embeddings.projecting_queued", method=name, words=words, others=waiting, estimate=total)
    key = "embeddings.projecting_compiling" if compiling else "embeddings.projecting_estimate"
    return t(key, method=name, words=words, estimate=estimate)


def projected_apart(vectors: np.ndarray, settings: proj.ProjectionSettings) -> proj.Projection:
    """``proj.project(vectors, settings)`` in the projection process, without a bar (the caller draws its own).

    It joins the server's queue all the same, so the bars of other students' projections count it.
    """
    process, future = _submit(vectors, settings)
    rate = _measured_rates().get(settings.method)
    queued = _Queued(future, proj.estimated_seconds(settings, len(vectors), rate))
    _queue().append(queued)
    try:
        return _result(process, future)
    finally:
        _queue().remove(queued)


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
