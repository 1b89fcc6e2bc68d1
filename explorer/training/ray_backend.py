"""The job manager's Ray back end: runs train on the CPUs of a Ray cluster (issue 17).

With ``IMDB_EXPLORER_RAY_ADDRESS`` set (``auto``, ``ray://head:10001``, or ``local`` for a cluster
started inside this process), the job manager's workers are Ray actors
(``explorer.training.engine.ray_task.RunActor``), one per CPU of the cluster, each reserving one
CPU on whichever node Ray places it. Without the variable this module never imports Ray, and the
app runs (and starts) without Ray installed.

Each actor is driven by a ``RayWorker``, which the job manager handles exactly like a local worker
process: it has a ``process`` (``pid``, ``is_alive``, ``join``, ``kill``), a ``tasks`` queue and a
``controls`` queue, and it sends the same progress messages down its own pipe (closed when the
worker ends, as a dead process's pipe is). Its relay thread, on this server:

- ships the run's corpus to the object store once per data setting (``RayBackend.corpus_ref``);
- asks the actor for news every ``POLL_S`` seconds and writes the run files it hands over into
  this server's run store, atomically and before posting the messages that speak of them, so a
  run's ``done`` message (after which the manager writes the final status) comes only when every
  file is stored: a partial run is never shown as finished;
- turns faults into failed runs with a reason: a dead actor or node (the manager then starts a
  new actor), an actor that stops answering, and a cluster that has gone away, after which every
  run fails at once with a clear message instead of waiting for ever.
"""

from __future__ import annotations

import functools
import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from explorer.paths import atomic_write_bytes
from explorer.training import runs
from explorer.training.config import RunConfig, Speed
from explorer.training.data import corpus_arrays, load_corpus_for

LOG = logging.getLogger(__name__)

ADDRESS_ENV = "IMDB_EXPLORER_RAY_ADDRESS"
LOCAL_ADDRESS = "local"  # start a Ray cluster inside this process, on this machine's CPUs
CPUS_PER_RUN = 1  # each run reserves one CPU: the book's small models do not gain from more
ACTOR_CONCURRENCY = 4  # threads per actor: train, plus collect / control / where answered meanwhile
POLL_S = 0.1  # how often a relay asks its actor for new messages and files while a run trains
READY_POLL_S = 1.0  # how often a relay waiting for its actor (or for a task) checks for shutdown
ANSWER_TIMEOUT_S = 30.0  # an actor that does not answer within this is taken as gone
CPU_REFRESH_S = 5.0  # how long the cluster's CPU count is trusted before Ray is asked again
REASON_CHARS = 300  # a fault's reason is cut to one line of at most this many characters
# Files the actor may hand over: what the trainer writes into a run folder (never status, config, owner).
RUN_FILE_NAMES = frozenset({runs.HISTORY_FILE, runs.MODEL_FILE, runs.WEIGHTS_FILE, runs.EVALUATION_FILE})


def configured_address() -> str | None:
    """The cluster address from ``IMDB_EXPLORER_RAY_ADDRESS``, or None (local worker processes)."""
    return os.environ.get(ADDRESS_ENV, "").strip() or None


def from_environment(speed: Speed) -> RayBackend | None:
    """The Ray back end if ``IMDB_EXPLORER_RAY_ADDRESS`` is set (connecting to the cluster), else None."""
    address = configured_address()
    return None if address is None else RayBackend(address, speed)


def runtime_env() -> dict[str, Any]:
    """What Ray ships to every worker: the ``explorer`` package (no shared file system is assumed).

    The workers' Python environment itself (requirements.txt and requirements-ray.txt) must be
    installed on every node; the README's deployment guide says how.
    """
    return {"py_modules": [str(Path(__file__).resolve().parent.parent)]}


@dataclass(frozen=True)
class ClusterInfo:
    """What the training page says about the cluster."""

    address: str
    cpus: int  # CPUs the cluster offers (each run reserves one)
    nodes: int
    lost: str  # why the cluster cannot be used any more; empty while it can


_current: RayBackend | None = None  # the server's back end (one job manager per server), for cluster_info


def cluster_info() -> ClusterInfo | None:
    """The cluster the server's job manager trains on, or None when runs train in local processes."""
    backend = _current
    return None if backend is None else backend.info()


class RayBackend:
    """The connection to the cluster, the corpora in its object store, and whether it is still there."""

    def __init__(self, address: str, speed: Speed) -> None:
        global _current
        # a call after the cluster went away must fail, not start a new local one (read when ray is imported)
        os.environ.setdefault("RAY_ENABLE_AUTO_CONNECT", "0")
        import ray

        if not ray.is_initialized():
            options = {"include_dashboard": False} if address == LOCAL_ADDRESS else {"address": address}
            ray.init(runtime_env=runtime_env(), logging_level="warning", **options)
        self.address = address
        self.speed = speed
        self._lock = threading.Lock()
        self._corpora: dict[str, Any] = {}  # data setting (source spec) -> ObjectRef of its arrays
        self._lost = ""
        self._resources: tuple[float, int, int] = (-CPU_REFRESH_S, 0, 0)  # (asked at, CPUs, nodes)
        _current = self

    @property
    def lost(self) -> str:
        """Why the cluster cannot be used any more (empty while it can)."""
        return self._lost

    def mark_lost(self, error: BaseException | str) -> str:
        """Remember that the cluster has gone away; the message every run fails with from now on."""
        with self._lock:
            if not self._lost:
                detail = error if isinstance(error, str) else short_reason(error)
                self._lost = (
                    f"the Ray cluster ({self.address}) cannot be reached any more ({detail}); "
                    f"runs can train again once it is back and the server restarted, or without {ADDRESS_ENV}."
                )
            return self._lost

    def slots(self) -> int:
        """How many runs train at once: one per CPU of the cluster (at least one)."""
        return max(1, self.info().cpus)

    def info(self) -> ClusterInfo:
        """The cluster's CPUs and nodes (asked at most every ``CPU_REFRESH_S`` seconds)."""
        import ray

        asked, cpus, nodes = self._resources
        if not self._lost and time.monotonic() - asked >= CPU_REFRESH_S:
            try:
                cpus = int(ray.cluster_resources().get("CPU", 0))
                nodes = sum(1 for node in ray.nodes() if node.get("Alive"))
            except (Exception, SystemExit) as error:  # noqa: BLE001 (whatever Ray raises, the cluster is gone; a
                # shut-down Ray raises SystemExit in a waiting thread)
                self.mark_lost(error)
            self._resources = (time.monotonic(), cpus, nodes)
        return ClusterInfo(self.address, cpus, nodes, self._lost)

    def start_worker(self, pipe: tuple[Connection, Connection]) -> tuple[Any, Any, Any, Connection]:
        """A new worker (a Ray actor reserving one CPU) sending its messages down ``pipe`` (receiver, sender).

        Returns what the job manager keeps of a worker: process, tasks, controls and the receiving end.
        """
        receiver, sender = pipe
        worker = RayWorker(self, sender)
        return worker.process, worker.tasks, worker.controls, receiver

    def corpus_ref(self, source: str) -> Any:
        """The object-store reference of a data setting's corpus arrays (put there once per setting)."""
        import ray

        with self._lock:
            if source not in self._corpora:
                self._corpora[source] = ray.put(corpus_arrays(load_corpus_for(source)))
            return self._corpora[source]


@functools.cache
def _actor_class() -> Any:
    import ray

    from explorer.training.engine.ray_task import RunActor

    return ray.remote(
        num_cpus=CPUS_PER_RUN, max_concurrency=ACTOR_CONCURRENCY, max_restarts=0, scheduling_strategy="SPREAD"
    )(RunActor)


class _Inbox(queue.Queue):
    """A worker's task queue: ``put(None)`` (the manager's shutdown) also ends a run in progress."""

    def __init__(self, stopping: threading.Event) -> None:
        super().__init__()
        self.stopping = stopping

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        """Queue a task; None asks the worker to end."""
        if item is None:
            self.stopping.set()
        super().put(item, block, timeout)


class _Controls:
    """A worker's control queue: each ``put`` becomes a call of the actor's ``control``."""

    def __init__(self, worker: RayWorker) -> None:
        self.worker = worker

    def put(self, message: dict[str, Any]) -> None:
        """Send a pause / resume / stop message to the actor."""
        if self.worker.actor is not None and not self.worker.backend.lost:
            self.worker.actor.control.remote(message["run_id"], message["command"])


class RayWorker:
    """One Ray actor as the job manager sees a worker (see the module docstring).

    The worker is its own ``process``: ``pid`` is the actor's process id once it is ready.
    """

    def __init__(self, backend: RayBackend, sender: Connection) -> None:
        self.backend, self.sender = backend, sender
        self.process = self
        self.pid: int | None = None
        self.exitcode: int | None = None
        self.node = ""
        self._stopping = threading.Event()
        self._dead = threading.Event()
        self.tasks = _Inbox(self._stopping)
        self.controls = _Controls(self)
        self.actor = None if backend.lost else _actor_class().remote(backend.speed.to_dict())
        self._thread = threading.Thread(target=self._relay, name="ray-relay", daemon=True)
        self._thread.start()

    # ----- the process interface the job manager uses -----

    def is_alive(self) -> bool:
        """False once the actor died (or the worker was shut down)."""
        return not self._dead.is_set()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the relay thread to end."""
        self._thread.join(timeout)

    def kill(self) -> None:
        """End the actor now."""
        self._stopping.set()
        self._kill_actor()

    # ----- the relay thread -----

    def _relay(self) -> None:
        """The relay thread: wait for the actor, then train the tasks it is given, one at a time."""
        try:
            if not self._wait_until_ready():
                return
            while not self._stopping.is_set():
                try:
                    task = self.tasks.get(timeout=READY_POLL_S)
                except queue.Empty:
                    continue
                if task is None:
                    return
                self._train(task["run_id"], task["config"])
                if self._dead.is_set():
                    return
        except Exception:  # noqa: BLE001 (e.g. the manager closed the pipe: this worker is done)
            LOG.exception("Ray worker relay failed; the worker ends")
            self._dead.set()
        finally:
            if self._stopping.is_set() or self._dead.is_set():
                self._kill_actor()
                self._dead.set()
                self.sender.close()  # the manager reads the end of the pipe as the end of the worker

    def _wait_until_ready(self) -> bool:
        """Wait for the actor's TensorFlow import; then post ``ready`` (False if it never came)."""
        import ray

        if self.actor is not None:
            try:
                answer = self.actor.where.remote()
                while not ray.wait([answer], timeout=READY_POLL_S)[0]:
                    if self._stopping.is_set():
                        return False
                where = ray.get(answer, timeout=ANSWER_TIMEOUT_S)
                self.pid, self.node = where["pid"], where["node"]
            except ray.exceptions.RayActorError:
                self._dead.set()  # the actor could not start: the manager starts another
                return False
            except (Exception, SystemExit) as error:  # noqa: BLE001 (whatever Ray raises, the cluster is gone; a
                # shut-down Ray raises SystemExit in a waiting thread)
                self.backend.mark_lost(error)
        self.sender.send({"type": "ready", "pid": self.pid})
        return True

    def _train(self, run_id: str, config_json: str) -> None:
        """Train one run on the actor, relaying its messages and files until it ends."""
        import ray

        if self.backend.lost or self.actor is None:
            self._fail(run_id, self.backend.lost or "the Ray cluster cannot be reached.")
            return
        try:
            source = RunConfig.from_json(config_json).source
            corpus = self.backend.corpus_ref(source)
        except (OSError, ValueError) as error:  # the data cannot be loaded here
            self._fail(run_id, short_reason(error))
            return
        except (Exception, SystemExit) as error:  # noqa: BLE001 (whatever Ray raises, the cluster is gone; a
            # shut-down Ray raises SystemExit in a waiting thread)
            self._fail(run_id, self.backend.mark_lost(error))
            return
        try:
            pending = self.actor.train.remote(run_id, config_json, source, [corpus])
            store_failure = ""
            finished = False
            while not finished and not self._stopping.is_set():
                finished = bool(ray.wait([pending], timeout=POLL_S)[0])
                store_failure = self._deliver(run_id, store_failure)
            if finished:
                ray.get(pending, timeout=ANSWER_TIMEOUT_S)  # raises if the actor died
                self.actor.forget.remote(run_id)
        except ray.exceptions.GetTimeoutError:
            self._fail(run_id, f"the Ray worker on node {self.node} stopped answering for {ANSWER_TIMEOUT_S:.0f} s.")
            self._dead.set()
        except ray.exceptions.RayActorError as error:
            self._fail(run_id, f"the Ray worker training this run died ({short_reason(error)})")
            self._dead.set()
        except (Exception, SystemExit) as error:  # noqa: BLE001 (whatever else Ray raises, the cluster is gone)
            self._fail(run_id, self.backend.mark_lost(error))

    def _deliver(self, run_id: str, store_failure: str) -> str:
        """Store the files the actor hands over, then post its messages; the reason storing failed, if it did.

        A run whose files cannot be stored here (a full disk) is stopped and ends as failed.
        """
        import ray

        if not ray.is_initialized():
            raise ConnectionError("this server's connection to the cluster was closed")
        answer = ray.get(self.actor.collect.remote(run_id), timeout=ANSWER_TIMEOUT_S)
        for name, data in answer["files"].items():
            if store_failure or not (name in RUN_FILE_NAMES or name.startswith("embedding_epoch_")):
                continue
            try:
                atomic_write_bytes(runs.run_dir(run_id) / Path(name).name, data)
            except OSError as error:
                store_failure = f"this server could not store the run's files ({short_reason(error)})"
                self.controls.put({"run_id": run_id, "command": "stop"})
        for event in answer["events"]:
            if event.get("type") == "done" and store_failure:
                event = {**event, "state": "failed", "reason": store_failure}
            self.sender.send(event)
        return store_failure

    def _fail(self, run_id: str, reason: str) -> None:
        self.sender.send({"run_id": run_id, "type": "done", "state": "failed", "reason": reason, "time": time.time()})

    def _kill_actor(self) -> None:
        if self.actor is None or self.backend.lost:
            return
        import ray

        try:
            ray.kill(self.actor)
        except Exception:  # noqa: BLE001, S110 (an actor that is already gone needs no killing)
            pass


def short_reason(error: BaseException) -> str:
    """A fault's first line, at most ``REASON_CHARS`` characters (Ray's messages run to many lines)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()] or [type(error).__name__]
    text = lines[0]
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"
