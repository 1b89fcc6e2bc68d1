"""The job manager: one per server, it queues training runs and drives the worker processes.

The app keeps one ``JobManager`` (in ``st.cache_resource``) and polls it; every method is
plain Python, thread-safe, and quick. Runs are trained in spawned worker processes
(``explorer.training.engine.worker``), started ahead of time so TensorFlow is already loaded when a
run is submitted; at most ``max_concurrent`` run at once, the rest wait in a queue.

Ownership: ``submit`` takes an owner token (one per browser session); only that owner may
pause, resume, stop or delete the run, while everyone may see it. Runs from before a restart
have no owner in memory, so anyone may delete them.

A background thread moves progress messages from the workers into each run's event list,
writes ``status.json`` on every state change (this thread is its only writer), and notices a
worker that died: its run is marked failed with the reason and a fresh worker is started.
Nothing here imports TensorFlow.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from explorer.paths import cache_dir
from explorer.training import runs
from explorer.training.config import DEFAULT_SPEED, RunConfig, Speed
from explorer.training.engine.worker import worker_main
from explorer.training.runs import ACTIVE_STATES, RunStatus, State

DEFAULT_MAX_CONCURRENT = 1  # a 2-core machine trains one model at a time at full speed
EVENT_POLL_S = 0.05  # how long the background thread waits for a message before other checks
SHUTDOWN_GRACE_S = 5.0  # how long a worker gets to exit before it is killed


class JobError(ValueError):
    """A request the job manager refuses (the message says why)."""


class NotOwnerError(JobError):
    """A session tried to control a run that another session started."""


@dataclass
class _Worker:
    process: Any
    tasks: Any
    controls: Any
    run_id: str | None = None
    ready: bool = False


@dataclass
class _Job:
    run_id: str
    owner: str
    config: RunConfig
    state: State = "queued"
    reason: str = ""
    paused: bool = False
    stop_requested: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)
    worker: _Worker | None = None


@dataclass(frozen=True)
class RunInfo:
    """What the app shows about one run."""

    run_id: str
    state: State
    reason: str
    config: RunConfig | None  # None if the stored config is damaged
    owned: bool  # True when the asking owner started this run (in this server's lifetime)
    paused: bool = False
    queue_position: int | None = None  # 0 = next to start
    epochs_done: int = 0


class JobManager:
    """Queue, workers and ownership of training runs (see the module docstring)."""

    def __init__(
        self, max_concurrent: int = DEFAULT_MAX_CONCURRENT, prestart: bool = True, speed: Speed = DEFAULT_SPEED
    ) -> None:
        if max_concurrent < 1:
            raise JobError(f"max_concurrent must be at least 1, not {max_concurrent}.")
        self.max_concurrent = max_concurrent
        self.speed = speed
        self._context = multiprocessing.get_context("spawn")
        self._events = self._context.Queue()
        self._lock = threading.RLock()
        self._jobs: dict[str, _Job] = {}
        self._queue: deque[str] = deque()
        self._workers: list[_Worker] = []
        self._closed = False
        self._cache = str(cache_dir())
        if prestart:
            with self._lock:
                self._fill_workers()
        self._thread = threading.Thread(target=self._loop, name="training-jobs", daemon=True)
        self._thread.start()

    # ----- the API the app polls -----

    def submit(self, config: RunConfig, owner: str) -> str:
        """Validate ``config``, store a queued run owned by ``owner``, and return its id."""
        if not owner:
            raise JobError("a run needs an owner token.")
        config.validate()
        with self._lock:
            if self._closed:
                raise JobError("the job manager has shut down.")
            run_id = runs.create_run(config, os.getpid())
            job = _Job(run_id, owner, config)
            job.events.append({"type": "queued", "run_id": run_id, "time": time.time()})
            self._jobs[run_id] = job
            self._queue.append(run_id)
            self._dispatch()
        return run_id

    def info(self, run_id: str, owner: str | None = None) -> RunInfo:
        """The run's current state (from memory while active, else from disk)."""
        with self._lock:
            job = self._jobs.get(run_id)
            if job is not None and job.state in ACTIVE_STATES:
                position = self._queue.index(run_id) if run_id in self._queue else None
                epochs = sum(event["type"] == "epoch" for event in job.events)
                return RunInfo(
                    run_id, job.state, job.reason, job.config, job.owner == owner, job.paused, position, epochs
                )
        status = runs.read_status(run_id)
        try:
            config: RunConfig | None = runs.read_config(run_id)
        except runs.RunStoreError:
            config = None
        owned = job is not None and job.owner == owner
        return RunInfo(run_id, status.state, status.reason, config, owned, epochs_done=len(runs.read_history(run_id)))

    def list_runs(self, owner: str | None = None) -> list[RunInfo]:
        """Every stored run, newest first (runs with damaged files are skipped)."""
        found = []
        for run_id in runs.list_runs():
            try:
                found.append(self.info(run_id, owner))
            except runs.RunStoreError:
                continue
        return found

    def events(self, run_id: str, since: int = 0) -> list[dict[str, Any]]:
        """Progress messages of a run submitted to this manager, from index ``since`` on."""
        with self._lock:
            job = self._jobs.get(run_id)
            return [] if job is None else list(job.events[since:])

    def pause(self, run_id: str, owner: str) -> None:
        """Pause a running run between two batches."""
        self._control(run_id, owner, "pause")

    def resume(self, run_id: str, owner: str) -> None:
        """Resume a paused run."""
        self._control(run_id, owner, "resume")

    def stop(self, run_id: str, owner: str) -> None:
        """Stop a run: a queued one never starts; a running one finishes its epoch's validation,
        restores its best weights and is saved as stopped. Stopping twice is harmless."""
        with self._lock:
            job = self._owned_job(run_id, owner)
            if job.state not in ACTIVE_STATES or job.stop_requested:
                return
            job.stop_requested = True
            if job.state == "queued":
                self._queue.remove(run_id)
                self._finish(job, "stopped", "stopped before it started")
            elif job.worker is not None:
                job.worker.controls.put({"run_id": run_id, "command": "stop"})

    def delete(self, run_id: str, owner: str) -> None:
        """Remove a run that is not active, with all its files."""
        with self._lock:
            job = self._jobs.get(run_id)
            if job is not None:
                if job.owner != owner:
                    raise NotOwnerError("only the session that started this run may delete it.")
                if job.state in ACTIVE_STATES:
                    raise JobError("this run is still active: stop it first.")
            runs.delete_run(run_id)
            self._jobs.pop(run_id, None)

    def wait(self, run_id: str, timeout: float) -> State:
        """Block until the run is no longer active (or ``timeout`` seconds pass); its state."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.info(run_id).state
            if state not in ACTIVE_STATES:
                return state
            time.sleep(EVENT_POLL_S)
        return self.info(run_id).state

    def workers_ready(self) -> bool:
        """True once every worker has imported TensorFlow and waits for runs."""
        with self._lock:
            return bool(self._workers) and all(worker.ready for worker in self._workers)

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._lock:
            return [worker.process.pid for worker in self._workers if worker.process.is_alive()]

    def running_pid(self, run_id: str) -> int | None:
        """Process id of the worker training ``run_id``, if one is."""
        with self._lock:
            job = self._jobs.get(run_id)
            return job.worker.process.pid if job is not None and job.worker is not None else None

    def shutdown(self) -> None:
        """Stop the workers; runs still active are recorded as interrupted."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for job in self._jobs.values():
                if job.state in ACTIVE_STATES:
                    self._finish(job, "interrupted", "the server shut down before this run ended")
            workers, self._workers = self._workers, []
            for worker in workers:
                worker.tasks.put(None)
        for worker in workers:
            worker.process.join(SHUTDOWN_GRACE_S)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(SHUTDOWN_GRACE_S)
        self._thread.join(SHUTDOWN_GRACE_S)

    # ----- internals (called with the lock held unless said otherwise) -----

    def _owned_job(self, run_id: str, owner: str) -> _Job:
        job = self._jobs.get(run_id)
        if job is None:
            raise JobError(f"run {run_id} is not active on this server.")
        if job.owner != owner:
            raise NotOwnerError("only the session that started this run may control it.")
        return job

    def _control(self, run_id: str, owner: str, command: str) -> None:
        with self._lock:
            job = self._owned_job(run_id, owner)
            if job.state != "running" or job.worker is None:
                raise JobError(f"only a running run can be {command}d; this one is {job.state}.")
            job.worker.controls.put({"run_id": run_id, "command": command})

    def _fill_workers(self) -> None:
        while len(self._workers) < self.max_concurrent and not self._closed:
            tasks, controls = self._context.Queue(), self._context.Queue()
            process = self._context.Process(
                target=worker_main,
                args=(tasks, controls, self._events, self._cache, self.speed.to_dict()),
                name="training-worker",
                daemon=True,
            )
            process.start()
            self._workers.append(_Worker(process, tasks, controls))

    def _dispatch(self) -> None:
        self._fill_workers()
        for worker in self._workers:
            if not self._queue:
                return
            if worker.run_id is None and worker.process.is_alive():
                job = self._jobs[self._queue.popleft()]
                worker.run_id, job.worker = job.run_id, worker
                worker.tasks.put({"run_id": job.run_id, "config": job.config.to_json()})
                self._set_state(job, "running")

    def _loop(self) -> None:
        """The background thread: move messages, notice dead workers, start queued runs."""
        while True:
            with self._lock:
                if self._closed:
                    return
            self._drain(block=True)
            with self._lock:
                if self._closed:
                    return
                self._reap_dead_workers()
                self._dispatch()

    def _drain(self, *, block: bool) -> None:
        """Handle every waiting message (called without the lock)."""
        timeout: float | None = EVENT_POLL_S if block else None
        while True:
            try:
                event = self._events.get(timeout=timeout) if timeout else self._events.get_nowait()
            except (queue.Empty, OSError, ValueError):
                return
            timeout = None
            with self._lock:
                self._handle(event)

    def _handle(self, event: dict[str, Any]) -> None:
        if event.get("type") == "ready":
            for worker in self._workers:
                worker.ready = worker.ready or worker.process.pid == event.get("pid")
            return
        job = self._jobs.get(event.get("run_id", ""))
        if job is None or job.state not in ACTIVE_STATES:
            return
        job.events.append(event)
        kind = event["type"]
        if kind in ("paused", "resumed"):
            job.paused = kind == "paused"
        elif kind == "done":
            self._finish(job, event["state"], event.get("reason", ""))

    def _reap_dead_workers(self) -> None:
        dead = [worker for worker in self._workers if not worker.process.is_alive()]
        if not dead:
            return
        self._lock.release()
        try:
            self._drain(block=False)  # a dying worker's last messages come first
        finally:
            self._lock.acquire()
        for worker in dead:
            self._workers.remove(worker)
            job = self._jobs.get(worker.run_id or "")
            if job is not None and job.state in ACTIVE_STATES:
                self._finish(job, "failed", _exit_reason(worker.process.exitcode))
        self._fill_workers()

    def _finish(self, job: _Job, state: State, reason: str) -> None:
        if job.worker is not None:
            job.worker.run_id = None
            job.worker = None
        job.paused = False
        job.events.append(
            {"type": "state", "run_id": job.run_id, "state": state, "reason": reason, "time": time.time()}
        )
        self._set_state(job, state, reason)

    def _set_state(self, job: _Job, state: State, reason: str = "") -> None:
        job.state, job.reason = state, reason
        history = runs.read_history(job.run_id) if state not in ACTIVE_STATES else []
        best = min(history, key=lambda row: row.get("val_loss", float("inf")), default=None)
        status = RunStatus(
            state,
            reason,
            pid=os.getpid() if state in ACTIVE_STATES else 0,
            best_epoch=best["epoch"] if best else None,
            best_val_loss=best.get("val_loss") if best else None,
        )
        try:
            runs.write_status(job.run_id, status)
        except OSError as error:  # a full disk must not kill the manager; the state stays in memory
            job.reason = f"{reason} (status not saved: {error})".strip()


def _exit_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"the training process was killed ({name})."
    return f"the training process ended unexpectedly (exit code {exitcode})."
