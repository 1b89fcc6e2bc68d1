"""What runs on a Ray worker: an actor that reserves one CPU and trains runs one at a time (issue 17).

The app side (``explorer.training.ray_backend``) starts one ``RunActor`` per CPU slot of the
cluster, ahead of time, as the local back end pre-starts its worker processes: the actor imports
TensorFlow and loads the compiled loops while it waits for its first run. No file system is shared
with the app:

- the corpus arrives as arrays from Ray's object store (wrapped in a list, so the actor fetches
  it only the first time it sees that data setting) and is written once into the actor's own
  private cache folder as an ``arrays:`` source;
- the run trains with the local worker's code (``trainer.train_run``, ``worker.QueueControl``)
  into that private folder; pause / resume / stop arrive through ``control``;
- the app calls ``collect`` a few times a second: it hands over the progress messages emitted
  since the last call and every run file that is new or changed (history, weights, the
  ``.keras`` model, embedding snapshots, evaluation), as bytes. The app writes them into its own
  run store; ``forget`` then removes the actor's copy.

The actor is threaded (``max_concurrency`` > 1 at creation), so ``collect`` and ``control``
answer while ``train`` runs. Nothing TensorFlow-related is imported at module level: the app
imports this module to name the actor class.
"""

from __future__ import annotations

import os
import queue
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from explorer.paths import CACHE_ENV, atomic_save_npz
from explorer.training import runs
from explorer.training.data import ARRAYS_PREFIX

TEMPORARY_MARK = ".tmp"  # explorer.paths.atomic_write's temporary files end so: never shipped half-written


class RunActor:
    """One CPU slot of the cluster: trains the runs the app sends it, one at a time."""

    def __init__(self, speed: dict[str, Any]) -> None:
        self._cache = Path(tempfile.mkdtemp(prefix="imdb-explorer-ray-"))
        os.environ[CACHE_ENV] = str(self._cache)  # runs.* write here, in this actor's process only
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        from explorer.training.config import Speed
        from explorer.training.engine import compiled_fit, trainer

        trainer.keras_side(Speed(**speed).threads)  # the slow TensorFlow import, done before any run arrives
        if speed.get("compiled_loops"):
            compiled_fit.compile_loops()
        self._speed = speed
        self._lock = threading.Lock()
        self._events: list[dict[str, Any]] = []
        self._shipped: dict[str, tuple[int, int]] = {}  # file name -> (mtime_ns, size) already handed over
        self._controls: queue.Queue[dict[str, Any]] = queue.Queue()
        self._sources: dict[str, str] = {}  # data setting -> arrays: source written into this actor's cache

    def where(self) -> dict[str, Any]:
        """Where this actor runs: its process id, node address and host name (answers once it is ready)."""
        import ray

        return {"pid": os.getpid(), "node": ray.util.get_node_ip_address(), "host": socket.gethostname()}

    def train(self, run_id: str, config_json: str, data_key: str, corpus: list[Any]) -> None:
        """Train ``run_id`` to its end; every outcome, failure included, ends with a ``done`` message."""
        from explorer.training.config import RunConfig, Speed
        from explorer.training.engine import trainer
        from explorer.training.engine.worker import QueueControl, describe_error

        def emit(event: dict[str, Any]) -> None:
            with self._lock:
                self._events.append({"run_id": run_id, "time": time.time(), **event})

        with self._lock:
            self._events.clear()
            self._shipped.clear()
        while not self._controls.empty():  # messages meant for an earlier run
            self._controls.get_nowait()
        runs.run_dir(run_id).mkdir(parents=True, exist_ok=True)
        emit({"type": "started", "pid": os.getpid(), **self.where()})
        try:
            config = replace(RunConfig.from_json(config_json), source=self._source(data_key, corpus))
            control = QueueControl(self._controls, run_id, emit)
            state = trainer.train_run(run_id, config, emit, control, Speed(**self._speed))
            emit({"type": "done", "state": state, "reason": "stopped by its owner" if state == "stopped" else ""})
        except Exception as error:  # noqa: BLE001 (any failure must end as a failed run, not a dead actor)
            emit({"type": "done", "state": "failed", "reason": describe_error(error)})

    def control(self, run_id: str, command: str) -> None:
        """Pause, resume or stop the run (read between two batches)."""
        self._controls.put({"run_id": run_id, "command": command})

    def collect(self, run_id: str) -> dict[str, Any]:
        """The messages emitted since the last call, and the run's files that are new or changed.

        Messages are taken first: a file a message speaks of was written before the message,
        so it is in the same answer.
        """
        with self._lock:
            events, self._events = self._events, []
        files: dict[str, bytes] = {}
        folder = runs.run_dir(run_id)
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if path.name.endswith(TEMPORARY_MARK) or not path.is_file():
                continue
            stat = path.stat()
            if self._shipped.get(path.name) != (stat.st_mtime_ns, stat.st_size):
                files[path.name] = path.read_bytes()
                self._shipped[path.name] = (stat.st_mtime_ns, stat.st_size)
        return {"events": events, "files": files}

    def forget(self, run_id: str) -> None:
        """Remove this actor's copy of a run the app has stored."""
        shutil.rmtree(runs.run_dir(run_id), ignore_errors=True)

    def _source(self, data_key: str, corpus: list[Any]) -> str:
        """The ``arrays:`` source of a data setting, written into this actor's cache the first time."""
        if data_key not in self._sources:
            import ray

            path = self._cache / "corpora" / f"{len(self._sources)}.npz"
            atomic_save_npz(path, **ray.get(corpus[0]))
            self._sources[data_key] = ARRAYS_PREFIX + str(path)
        return self._sources[data_key]
