"""The job manager: one per server, it queues training runs and drives the worker processes.

The app keeps one ``JobManager`` (in ``st.cache_resource``) and polls it; every method is
plain Python, thread-safe, and quick. Runs are trained in spawned worker processes
(``explorer.training.engine.worker``), started ahead of time so TensorFlow is already loaded when a
run is submitted; at most ``max_concurrent`` run at once (``default_workers()``: what the
machine runs at full speed), the rest wait in a queue.

This class is the interface the training page relies on (another back end, such as one on
Ray, offers the same public methods and ``RunInfo``); ``tests/test_page_training.py`` holds its
fake to these signatures.

**Owners.** ``owner`` is a browser's identity (the UI keeps it in a cookie, so a reload keeps
control and another browser never gets it). A digest of it is stored in the run folder, so
ownership survives a server restart. Only the owner, or a caller passing ``admin=True`` (the
UI does so for the teacher's token), may pause, resume, stop, cancel or delete a run; runs
stored before owners were kept belong to nobody but the admin.

**Fair queue.** Each owner may have ``max_active`` runs queued or running, ``max_queued`` of
them waiting. A free worker takes the next run round-robin across owners (the owner whose last
run started longest ago goes first), so one busy tab cannot push everyone back. ``RunInfo``
gives a queued run's place and its estimated start (from the epoch times of earlier runs of the
same model). A model whose estimated memory (``explorer.training.memory``) exceeds one run's
budget is refused before it is queued.

**Abandoned runs.** An owner is *present* while its page polls (any call naming the owner).
A queued run whose owner has been away ``ABANDON_AFTER_S`` is cancelled when its turn comes,
and a running one is stopped (its best weights kept) once others are waiting; the reason says so.

**Liveness.** The manager holds an instance lock for its whole life
(``explorer.training.instance``) and stamps its runs' statuses with the instance id: a run of a
dead instance reads as interrupted whatever process ids the system reuses. At start-up the
runs of dead instances are marked interrupted on disk; ``shutdown`` runs at interpreter exit.

**The background loop** moves progress messages from the workers (one pipe per worker: a
worker killed mid-message garbles only its own) into each active run's event list, writes
``status.json`` on every state change (it is its only writer), notices a dead worker (its run is
marked failed with the reason and a fresh worker is started), applies the abandonment rule and
the cache budget. Each of its steps is guarded: an error is logged and the loop carries on.
A run's final status that a full disk refuses is kept in memory: the manager reports the run from
there (ended, with its reason, never as still running) and writes it again every
``UNSAVED_RETRY_S`` until there is room. Events carry a sequence number ``seq``; a batch's
events are thinned to ``BATCH_POINTS_PER_EPOCH`` once its epoch ends, and a run's events are
dropped from memory when it ends (its stored history serves them). Nothing here imports TensorFlow.
"""

from __future__ import annotations

import atexit
import bisect
import errno
import heapq
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait as wait_for_messages
from typing import Any

from explorer import cache
from explorer.paths import cache_dir
from explorer.training import ray_backend, runs
from explorer.training.config import DEFAULT_SPEED, RunConfig, Speed
from explorer.training.engine.worker import worker_main
from explorer.training.instance import InstanceLock, remove_dead_locks
from explorer.training.memory import estimate
from explorer.training.runs import ACTIVE_STATES, RunStatus, State

LOG = logging.getLogger(__name__)

WORKERS_ENV = "IMDB_EXPLORER_WORKERS"  # how many runs train at once (default: default_workers())
MAX_ACTIVE_ENV = "IMDB_EXPLORER_MAX_ACTIVE"  # runs one browser may have queued or running
MAX_QUEUED_ENV = "IMDB_EXPLORER_MAX_QUEUED"  # runs one browser may have waiting in the queue
DEFAULT_MAX_ACTIVE = 3  # one training and two waiting: enough to compare, not enough to crowd a class out
DEFAULT_MAX_QUEUED = 2
CORES_PER_WORKER = 1  # a run trains on one thread (numba loops, TensorFlow limited to one thread)
SERVER_CORES = 1  # the Streamlit server keeps one core for the pages
WORKER_MEMORY_BYTES = 2 * 2**30  # a worker with TensorFlow loaded and a book-sized run
ABANDON_AFTER_S = 900.0  # an owner whose page has not polled for 15 minutes has left
BATCH_POINTS_PER_EPOCH = 50  # batch events kept per finished epoch (the live chart needs no more)
EVENT_POLL_S = 0.05  # how long the background thread waits for a message before other checks
LOOP_ERROR_PAUSE_S = 0.5  # after a failed step, the loop waits this long (no busy loop of errors)
SHUTDOWN_GRACE_S = 5.0  # how long a worker gets to exit before it is killed
UNSAVED_RETRY_S = 1.0  # how often a final status the disk refused is written again


class JobError(ValueError):
    """A request the job manager refuses (the message says why)."""


class NotOwnerError(JobError):
    """A session tried to control a run that another session started."""


class QuotaError(JobError):
    """A session already has as many runs queued or running as it may."""


def default_workers() -> int:
    """How many runs train at once: ``WORKERS_ENV`` if set, else what the machine runs at full speed.

    One core stays with the server, each run takes one core, and each worker needs
    ``WORKER_MEMORY_BYTES``; at least one.
    """
    configured = _env_int(WORKERS_ENV)
    if configured is not None:
        return max(1, configured)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(1, min((cores - SERVER_CORES) // CORES_PER_WORKER, memory // WORKER_MEMORY_BYTES))


def _env_int(name: str) -> int | None:
    text = os.environ.get(name, "").strip()
    try:
        return int(text) if text else None
    except ValueError:
        LOG.warning("%s=%r is not a whole number; using the default.", name, text)
        return None


@dataclass
class _Worker:
    process: Any
    tasks: Any
    controls: Any
    events: Any  # the receiving end of this worker's pipe
    run_id: str | None = None
    ready: bool = False
    channel_ok: bool = True


@dataclass
class _Job:
    run_id: str
    owner: str
    config: RunConfig
    submitted: float
    state: State = "queued"
    reason: str = ""
    paused: bool = False
    stop_requested: bool = False
    stop_reason: str = ""  # why a running run was asked to stop, when not by its owner
    events: list[dict[str, Any]] = field(default_factory=list)
    next_seq: int = 0
    worker: _Worker | None = None
    eta_seconds: float | None = None  # from the last epoch event


@dataclass(frozen=True)
class RunInfo:
    """What the app shows about one run."""

    run_id: str
    state: State  # "damaged": a file of the run cannot be read (``reason`` says which)
    reason: str
    config: RunConfig | None  # None if the stored config is damaged
    owned: bool  # True when the asking owner started this run
    paused: bool = False
    queue_position: int | None = None  # 0 = next to start
    epochs_done: int = 0
    estimated_start_s: float | None = None  # a queued run: seconds until it should start, if known
    pinned: bool = False  # the cache budget never prunes it


class JobManager:
    """Queue, workers and ownership of training runs (see the module docstring)."""

    def __init__(
        self,
        max_concurrent: int | None = None,
        prestart: bool = True,
        speed: Speed = DEFAULT_SPEED,
        max_active: int | None = None,
        max_queued: int | None = None,
    ) -> None:
        # Issue 17 seam: with IMDB_EXPLORER_RAY_ADDRESS set, workers are Ray actors, one per cluster CPU
        # (explorer/training/ray_backend.py); without it this is None and Ray is never imported.
        self._ray = ray_backend.from_environment(speed)
        if max_concurrent is None and self._ray is not None:
            max_concurrent = self._ray.slots()
        max_concurrent = default_workers() if max_concurrent is None else max_concurrent
        if max_concurrent < 1:
            raise JobError(f"max_concurrent must be at least 1, not {max_concurrent}.")
        self.max_concurrent = max_concurrent
        self.max_active = max_active or _env_int(MAX_ACTIVE_ENV) or DEFAULT_MAX_ACTIVE
        self.max_queued = max_queued if max_queued is not None else _env_int(MAX_QUEUED_ENV) or DEFAULT_MAX_QUEUED
        self.speed = speed
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.RLock()
        self._jobs: dict[str, _Job] = {}  # active runs only
        self._queue: deque[str] = deque()
        self._workers: list[_Worker] = []
        self._last_seen: dict[str, float] = {}  # owner -> when its page last called
        self._start_turn: dict[str, int] = {}  # owner -> turn number of its last started run
        self._turns = 0
        self._epoch_seconds: dict[str, float] = {}  # model key -> seconds per epoch measured
        self._prune_due = False
        self._closed = False
        self._unsaved: dict[str, RunStatus] = {}  # ended runs whose final status the disk refused
        self._retry_unsaved_at = 0.0  # monotonic time of the next try to write them
        self._cache = str(cache_dir())
        remove_dead_locks()
        self._instance = InstanceLock()
        runs.remove_leftovers()
        for run_id in runs.settle_orphans():
            LOG.info("run %s was left active by a server that is gone: marked interrupted", run_id)
        if prestart:
            with self._lock:
                self._fill_workers()
        self._thread = threading.Thread(target=self._loop, name="training-jobs", daemon=True)
        self._thread.start()
        atexit.register(self.shutdown)

    @property
    def instance_id(self) -> str:
        """This server instance's id, stamped on the statuses of its active runs."""
        return self._instance.instance_id

    # ----- the API the app polls -----

    def submit(self, config: RunConfig, owner: str, *, admin: bool = False) -> str:
        """Validate ``config``, store a queued run owned by ``owner``, and return its id.

        Raises ``ConfigError`` for impossible settings, ``QuotaError`` when the owner has as many
        runs as it may (``admin`` has no limit), and ``JobError`` for a model that cannot fit in
        memory or a disk too full to store the run (nothing is left half-created).
        """
        if not owner:
            raise JobError("a run needs an owner token.")
        config.validate()
        memory = estimate(config, self.max_concurrent)
        if not memory.fits:
            raise JobError(memory.refusal())
        with self._lock:
            if self._closed:
                raise JobError("the job manager has shut down.")
            self._last_seen[owner] = time.monotonic()
            if not admin:
                self._check_quota(owner)
            try:
                run_id = runs.create_run(config, self.instance_id, owner)
            except runs.RunStoreError as error:
                raise JobError(str(error)) from error
            job = _Job(run_id, owner, config, time.time())
            self._append(job, {"type": "queued", "run_id": run_id, "time": job.submitted})
            self._jobs[run_id] = job
            self._queue.append(run_id)
            self._dispatch()
        return run_id

    def identical(self, config: RunConfig) -> RunInfo | None:
        """The newest run of exactly ``config`` (model, data and seed) that is active or finished, if any.

        Stopped, failed and interrupted runs do not count: they did not train to the end.
        """
        wanted = config.to_json()
        with self._lock:
            for job in self._jobs.values():
                if job.config.to_json() == wanted:
                    return self.info(job.run_id)
        for run_id in runs.list_runs():
            try:
                if runs.read_config(run_id).to_json() == wanted and self._stored_status(run_id).state == "finished":
                    return self.info(run_id)
            except runs.RunStoreError:
                continue
        return None

    def info(self, run_id: str, owner: str | None = None) -> RunInfo:
        """The run's current state (from memory while active, else from disk).

        Raises ``RunStoreError`` when the run does not exist or its status or config is damaged.
        """
        with self._lock:
            if owner:
                self._last_seen[owner] = time.monotonic()
            job = self._jobs.get(run_id)
            if job is not None:
                order = self._queue_order()
                position = order.index(run_id) if run_id in order else None
                starts = self._estimated_starts(order) if position is not None else {}
                epochs = sum(event["type"] == "epoch" for event in job.events)
                return RunInfo(
                    run_id,
                    job.state,
                    job.reason,
                    job.config,
                    job.owner == owner,
                    job.paused,
                    position,
                    epochs,
                    starts.get(run_id),
                )
        status = self._stored_status(run_id)
        config = runs.read_config(run_id)
        owned = bool(owner) and runs.read_owner(run_id) == runs.owner_digest(owner)
        return RunInfo(
            run_id,
            status.state,
            status.reason,
            config,
            owned,
            epochs_done=len(runs.read_history(run_id)),
            pinned=runs.is_pinned(run_id),
        )

    def list_runs(self, owner: str | None = None) -> list[RunInfo]:
        """Every stored run, newest first; a run with a damaged file is listed as ``damaged``."""
        found = []
        for run_id in runs.list_runs():
            if not runs.run_dir(run_id).is_dir():
                continue  # deleted since it was listed
            try:
                info = self.info(run_id, owner)  # reads the status, config, history and (given an owner) owner
                if info.state not in ACTIVE_STATES:
                    runs.read_evaluation(run_id)
                    runs.read_owner(run_id)
                found.append(info)
            except runs.RunStoreError as error:
                found.append(RunInfo(run_id, "damaged", str(error), None, self._owns_on_disk(run_id, owner)))
        return found

    def events(self, run_id: str, since: int = 0) -> list[dict[str, Any]]:
        """Progress messages of an active run, from sequence number ``since`` on (each event has a ``seq``).

        Ask again with ``since`` = the last ``seq`` seen + 1. A run that has ended has none in
        memory: read its stored history instead.
        """
        with self._lock:
            job = self._jobs.get(run_id)
            if job is None:
                return []
            start = bisect.bisect_left(job.events, since, key=lambda event: event["seq"])
            return list(job.events[start:])

    def pause(self, run_id: str, owner: str, *, admin: bool = False) -> None:
        """Pause a running run between two batches."""
        self._control(run_id, owner, "pause", admin)

    def resume(self, run_id: str, owner: str, *, admin: bool = False) -> None:
        """Resume a paused run."""
        self._control(run_id, owner, "resume", admin)

    def stop(self, run_id: str, owner: str, *, admin: bool = False) -> None:
        """Stop a run: a queued one is cancelled (it never starts); a running one finishes its
        epoch's validation, restores its best weights and is saved as stopped. Stopping twice,
        or after the end, is harmless."""
        with self._lock:
            job = self._jobs.get(run_id)
            if job is None:
                self._check_owner_on_disk(run_id, owner, admin)
                return
            self._check_owner(job, owner, admin)
            by = "its owner" if job.owner == owner else "the teacher"
            self._request_stop(job, f"cancelled by {by} before it started", f"stopped by {by}")

    def delete(self, run_id: str, owner: str, *, admin: bool = False) -> None:
        """Remove a run that is not active, with all its files (the files go outside the lock)."""
        with self._lock:
            job = self._jobs.get(run_id)
            if job is not None:
                self._check_owner(job, owner, admin)
                raise JobError("this run is still active: stop it first.")
        self._check_owner_on_disk(run_id, owner, admin)
        runs.delete_run(run_id)

    def set_pinned(self, run_id: str, owner: str, pinned: bool, *, admin: bool = False) -> None:
        """Pin a run (the cache budget never prunes it) or unpin it; owner or admin only."""
        self._check_owner_on_disk(run_id, owner, admin)
        runs.set_pinned(run_id, pinned)

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
        """True once every worker has loaded its training loops and waits for runs."""
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
        """Stop the workers and release the instance lock; runs still active are recorded as interrupted.

        Registered with ``atexit``, so a server that exits normally (Ctrl-C, SIGTERM) calls it.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for job in list(self._jobs.values()):
                self._finish(job, "interrupted", "the server shut down before this run ended")
            self._queue.clear()
            workers, self._workers = self._workers, []
            for worker in workers:
                worker.tasks.put(None)
        for worker in workers:
            worker.process.join(SHUTDOWN_GRACE_S)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(SHUTDOWN_GRACE_S)
            worker.events.close()
        if self._thread is not threading.current_thread():
            self._thread.join(SHUTDOWN_GRACE_S)
        self._instance.release()
        atexit.unregister(self.shutdown)

    # ----- internals (called with the lock held unless said otherwise) -----

    def _stored_status(self, run_id: str) -> RunStatus:
        """The run's status: the final one the disk refused, if any, else the one stored."""
        with self._lock:
            unsaved = self._unsaved.get(run_id)
        return unsaved if unsaved is not None else runs.read_status(run_id)

    def _check_quota(self, owner: str) -> None:
        mine = [job for job in self._jobs.values() if job.owner == owner]
        if len(mine) >= self.max_active:
            raise QuotaError(
                f"you already have {len(mine)} runs queued or training, the most one browser may have "
                f"({self.max_active}): wait for one to end, or cancel one."
            )
        if sum(job.state == "queued" for job in mine) >= self.max_queued:
            raise QuotaError(
                f"you already have {self.max_queued} runs waiting in the queue, the most one browser may have: "
                "wait for one to start, or cancel one."
            )

    def _check_owner(self, job: _Job, owner: str, admin: bool) -> None:
        if not admin and job.owner != owner:
            raise NotOwnerError("only the browser that started this run (or the teacher) may control it.")

    def _owns_on_disk(self, run_id: str, owner: str | None) -> bool:
        try:
            return bool(owner) and runs.read_owner(run_id) == runs.owner_digest(owner)
        except runs.RunStoreError:
            return False

    def _check_owner_on_disk(self, run_id: str, owner: str, admin: bool) -> None:
        runs.run_dir(run_id)  # a malformed id is refused here
        if not admin and not self._owns_on_disk(run_id, owner):
            raise NotOwnerError("only the browser that started this run (or the teacher) may change it.")

    def _control(self, run_id: str, owner: str, command: str, admin: bool) -> None:
        with self._lock:
            job = self._jobs.get(run_id)
            if job is None:
                raise JobError(f"run {run_id} is not active on this server.")
            self._check_owner(job, owner, admin)
            if job.state != "running" or job.worker is None:
                raise JobError(f"only a running run can be {command}d; this one is {job.state}.")
            job.worker.controls.put({"run_id": run_id, "command": command})

    def _request_stop(self, job: _Job, queued_reason: str, running_reason: str) -> None:
        """A queued run ends now as stopped; a running one is asked to stop (its ``done`` ends it)."""
        if job.stop_requested:
            return
        job.stop_requested = True
        if job.state == "queued":
            self._finish(job, "stopped", queued_reason)
        elif job.worker is not None:
            job.stop_reason = running_reason
            job.worker.controls.put({"run_id": job.run_id, "command": "stop"})

    def _append(self, job: _Job, event: dict[str, Any]) -> None:
        job.events.append({**event, "seq": job.next_seq})
        job.next_seq += 1

    def _fill_workers(self) -> None:
        while len(self._workers) < self.max_concurrent and not self._closed:
            if self._ray is not None:  # issue 17 seam: a Ray actor that acts like a worker process and its queues
                self._workers.append(_Worker(*self._ray.start_worker(self._context.Pipe(duplex=False))))
                continue
            tasks, controls = self._context.Queue(), self._context.Queue()
            receiver, sender = self._context.Pipe(duplex=False)
            process = self._context.Process(
                target=worker_main,
                args=(tasks, controls, sender, self._cache, self.speed.to_dict()),
                name="training-worker",
                daemon=True,
            )
            process.start()
            sender.close()  # only the worker writes: its death closes the pipe
            self._workers.append(_Worker(process, tasks, controls, receiver))

    def _queue_order(self) -> list[str]:
        """The queued runs in the order they will start: round-robin over owners."""
        waiting: dict[str, deque[str]] = {}
        for run_id in self._queue:
            waiting.setdefault(self._jobs[run_id].owner, deque()).append(run_id)
        turn = {owner: self._start_turn.get(owner, -1) for owner in waiting}
        next_turn, order = self._turns, []
        while waiting:
            owner = min(waiting, key=lambda name: (turn[name], self._jobs[waiting[name][0]].submitted))
            order.append(waiting[owner].popleft())
            turn[owner], next_turn = next_turn, next_turn + 1
            if not waiting[owner]:
                del waiting[owner]
        return order

    def _estimated_starts(self, order: list[str]) -> dict[str, float]:
        """Seconds from now until each queued run should start, where every run ahead of it has a known length."""
        free_at = []
        for worker in self._workers:
            job = self._jobs.get(worker.run_id or "")
            remaining = 0.0 if job is None else self._remaining_seconds(job)
            if remaining is None:
                return {}
            free_at.append(remaining)
        free_at = free_at or [0.0]
        heapq.heapify(free_at)
        starts: dict[str, float] = {}
        for run_id in order:
            length = self._remaining_seconds(self._jobs[run_id])
            start = heapq.heappop(free_at)
            starts[run_id] = start
            if length is None:
                break
            heapq.heappush(free_at, start + length)
        return starts

    def _remaining_seconds(self, job: _Job) -> float | None:
        """How long the run still trains at most (all its epochs), if runs of its model were timed."""
        if job.eta_seconds is not None:
            return job.eta_seconds
        per_epoch = self._epoch_seconds.get(_model_key(job.config))
        return None if per_epoch is None else per_epoch * job.config.epochs

    def _dispatch(self) -> None:
        self._fill_workers()
        order = self._queue_order()
        for worker in self._workers:
            if not order:
                return
            if worker.run_id is None and worker.process.is_alive() and worker.channel_ok:
                job = self._jobs[order.pop(0)]
                self._queue.remove(job.run_id)
                worker.run_id, job.worker = job.run_id, worker
                self._turns += 1
                self._start_turn[job.owner] = self._turns
                worker.tasks.put({"run_id": job.run_id, "config": job.config.to_json()})
                self._set_state(job, "running")

    def _loop(self) -> None:
        """The background thread: move messages, notice dead workers, start queued runs, prune."""
        while not self._closed:
            try:
                self._step()
            except Exception:  # noqa: BLE001 (the loop must outlive any one bad message or file)
                if self._closed:
                    return  # shutdown closed the pipes under the last step
                LOG.exception("training job manager: a step of the background loop failed; carrying on")
                time.sleep(LOOP_ERROR_PAUSE_S)

    def _step(self) -> None:
        with self._lock:
            channels = {worker.events: worker for worker in self._workers if worker.channel_ok}
        ready = wait_for_messages(list(channels), timeout=EVENT_POLL_S) if channels else []
        if not channels:
            time.sleep(EVENT_POLL_S)
        for channel in ready:
            self._receive(channels[channel])
        with self._lock:
            if self._closed:
                return
            self._reap_dead_workers()
            self._save_unsaved()
            self._leave_abandoned()
            self._dispatch()
            prune, self._prune_due = self._prune_due, False
        if prune:  # deleting files happens outside the lock
            for run_id in cache.enforce_budget():
                LOG.info("cache budget: removed run %s", run_id)

    def _receive(self, worker: _Worker) -> None:
        """Handle every message waiting on one worker's pipe (called without the lock)."""
        while worker.channel_ok:
            try:
                if not worker.events.poll():
                    return
                event = worker.events.recv()
            except (EOFError, OSError):
                worker.channel_ok = False  # the worker is gone; the reaper fails its run
                return
            except Exception:  # noqa: BLE001 (a garbled message: this worker cannot be trusted any more)
                LOG.exception("training worker %s sent a garbled message; it is replaced", worker.process.pid)
                worker.channel_ok = False
                worker.process.kill()
                return
            with self._lock:
                try:
                    self._handle(worker, event)
                except Exception:  # noqa: BLE001 (one bad message must not stop the others)
                    LOG.exception("training job manager: cannot handle %r", event)

    def _handle(self, worker: _Worker, event: dict[str, Any]) -> None:
        if event.get("type") == "ready":
            worker.ready = True
            return
        job = self._jobs.get(event.get("run_id", ""))
        if job is None or job.worker is not worker:
            return
        kind = event["type"]
        self._append(job, event)
        if kind in ("paused", "resumed"):
            job.paused = kind == "paused"
        elif kind == "epoch":
            self._learn_epoch(job, event)
        elif kind == "done":
            reason = job.stop_reason if event["state"] == "stopped" and job.stop_reason else event.get("reason", "")
            self._finish(job, event["state"], str(reason))

    def _learn_epoch(self, job: _Job, event: dict[str, Any]) -> None:
        """Thin the finished epoch's batch events; remember the epoch's time for estimates."""
        job.events = thin_batches(job.events, event.get("epoch"))
        if isinstance(event.get("eta_seconds"), int | float):
            job.eta_seconds = float(event["eta_seconds"])
        if isinstance(event.get("seconds"), int | float) and not event.get("partial"):
            self._epoch_seconds[_model_key(job.config)] = float(event["seconds"])

    def _leave_abandoned(self) -> None:
        """Cancel the queued runs, and stop the running ones others wait behind, of owners who left."""
        now = time.monotonic()

        def away(job: _Job) -> bool:
            return now - self._last_seen.get(job.owner, now) > ABANDON_AFTER_S

        for job in [job for job in self._jobs.values() if away(job) and (job.state == "queued" or self._queue)]:
            self._request_stop(
                job,
                "cancelled: its owner left the page before it started",
                "stopped: its owner left the page while others were waiting",
            )

    def _reap_dead_workers(self) -> None:
        dead = [worker for worker in self._workers if not worker.process.is_alive()]
        for worker in dead:
            if worker.channel_ok:
                self._lock.release()
                try:
                    self._receive(worker)  # a dying worker's last messages come first
                finally:
                    self._lock.acquire()
            self._workers.remove(worker)
            worker.events.close()
            job = self._jobs.get(worker.run_id or "")
            if job is not None:
                self._finish(job, "failed", _exit_reason(worker.process.exitcode))
        if dead:
            self._fill_workers()

    def _finish(self, job: _Job, state: State, reason: str) -> None:
        """The run has ended: store its state, free its worker, drop it (and its events) from memory."""
        if job.worker is not None:
            job.worker.run_id = None
            job.worker = None
        if job.run_id in self._queue:
            self._queue.remove(job.run_id)
        self._set_state(job, state, reason)
        self._jobs.pop(job.run_id, None)
        self._prune_due = True

    def _set_state(self, job: _Job, state: State, reason: str = "") -> None:
        job.state, job.reason = state, reason
        history = []
        if state not in ACTIVE_STATES:
            try:
                history = runs.read_history(job.run_id)
            except runs.RunStoreError:
                LOG.warning("run %s ended with a damaged history", job.run_id)
        best = min(history, key=lambda row: row.get("val_loss", float("inf")), default=None)
        status = RunStatus(
            state,
            reason,
            instance=self.instance_id if state in ACTIVE_STATES else "",
            best_epoch=best["epoch"] if best else None,
            best_val_loss=best.get("val_loss") if best else None,
        )
        try:
            runs.write_status(job.run_id, status)
        except OSError as error:  # a full disk must not kill the manager
            full = error.errno == errno.ENOSPC
            LOG.warning("status of run %s not saved: %s", job.run_id, "disk full" if full else error)
            if state in ACTIVE_STATES:  # an active run is reported from memory anyway
                job.reason = f"{reason} (status not saved: {'the disk is full' if full else 'write failed'})".strip()
            else:  # the job leaves memory now: its status stays until it is saved
                self._unsaved[job.run_id] = status

    def _save_unsaved(self) -> None:
        """Write again the final statuses the disk refused, at most every ``UNSAVED_RETRY_S``."""
        now = time.monotonic()
        if not self._unsaved or now < self._retry_unsaved_at:
            return
        self._retry_unsaved_at = now + UNSAVED_RETRY_S
        for run_id, status in list(self._unsaved.items()):
            try:
                runs.write_status(run_id, status)
            except FileNotFoundError:
                pass  # the run was deleted meanwhile: nothing to save
            except OSError:
                continue  # still no room: the next try
            del self._unsaved[run_id]


def thin_batches(events: list[dict[str, Any]], epoch: Any) -> list[dict[str, Any]]:
    """``events`` with the batches of ``epoch`` cut to ``BATCH_POINTS_PER_EPOCH`` evenly spaced ones (and the last).

    For an epoch that has ended: the live chart draws its batches as one line, which needs no
    more points, while a long run would otherwise keep thousands of them in every session.
    """
    batches = [event for event in events if event["type"] == "batch" and event.get("epoch") == epoch]
    if len(batches) <= BATCH_POINTS_PER_EPOCH:
        return events
    step = len(batches) / BATCH_POINTS_PER_EPOCH
    kept = {id(batches[int(index * step)]) for index in range(BATCH_POINTS_PER_EPOCH)} | {id(batches[-1])}
    dropped = {id(event) for event in batches} - kept
    return [event for event in events if id(event) not in dropped]


def _model_key(config: RunConfig) -> str:
    """Runs with the same key train at the same speed per epoch (only seed and epoch counts differ)."""
    return config.with_changes(seed=0, epochs=1, patience=0).to_json()


def _exit_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"the training process was killed ({name})."
    return f"the training process ended unexpectedly (exit code {exitcode})."
