"""The training worker: a spawned process that trains one run at a time.

It is started ahead of time (so the compiled loops and the book's data are ready when a run
arrives, while TensorFlow is imported in the background: see ``trainer``), then waits for tasks
``{"run_id", "config"}``. While training it reads control messages
``{"run_id", "command": "pause" | "resume" | "stop"}`` between batches and sends every progress
message, tagged with the run id, down its own events channel (the sending end of a
``multiprocessing.Pipe``, or anything with ``send``): a worker killed mid-message can only
garble its own channel, never another worker's. A run ends with a ``done`` message whose
``state`` is finished, stopped or failed (with a one-line reason, never a stack trace). If the
process that started the worker dies, the worker exits too, so no orphan keeps writing into the cache.

Nothing TensorFlow-related is imported at module level: the job manager imports this module
in the app process to name the worker's entry point.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import queue
import time
from typing import Any

from explorer.paths import CACHE_ENV

REASON_CHARS = 300  # a failure's reason is one line of at most this many characters
IDLE_POLL_S = 1.0  # how often an idle worker checks that its parent is still alive
PAUSE_POLL_S = 0.2  # how often a paused run checks for resume or stop
PARENT_CHECK_S = 1.0  # how often a training run checks that its parent is still alive
# An idle worker imports TensorFlow (for best.keras, and for the models the compiled loops do not
# train) after this long; a run's first epoch starts it sooner. The import stalls the worker for
# 1-3 s, so it must not start just as students press Train: 3 s after the server's first page, it
# delayed the first point of those who went straight to training to 1-3.5 s.
TENSORFLOW_AFTER_IDLE_S = 60.0


def worker_main(tasks: Any, controls: Any, events: Any, cache_path: str, speed: dict[str, Any]) -> None:
    """Entry point of the spawned worker process; ``speed`` holds ``Speed``'s fields."""
    os.environ[CACHE_ENV] = cache_path
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from explorer.training.config import RunConfig, Speed
    from explorer.training.engine import compiled_fit, trainer  # numpy and numba: ready within seconds

    if speed.get("compiled_loops"):
        compiled_fit.compile_loops()

    events.send({"type": "ready", "pid": os.getpid()})
    trainer.warm_up()
    idle_since = time.monotonic()
    while _parent_alive():
        try:
            task = tasks.get(timeout=IDLE_POLL_S)
        except queue.Empty:
            if time.monotonic() - idle_since >= TENSORFLOW_AFTER_IDLE_S:
                trainer.load_keras_in_background(Speed(**speed).threads)
            continue
        if task is None:
            return
        run_id = task["run_id"]

        def emit(event: dict[str, Any], run_id: str = run_id) -> None:
            events.send({"run_id": run_id, "time": time.time(), **event})

        emit({"type": "started", "pid": os.getpid()})
        try:
            config = RunConfig.from_json(task["config"])
            state = trainer.train_run(run_id, config, emit, QueueControl(controls, run_id, emit), Speed(**speed))
            emit({"type": "done", "state": state, "reason": "stopped by its owner" if state == "stopped" else ""})
        except Exception as error:  # noqa: BLE001 (any failure must end as a failed run, not a dead worker)
            emit({"type": "done", "state": "failed", "reason": describe_error(error)})
        idle_since = time.monotonic()


def describe_error(error: BaseException) -> str:
    """A one-line reason a user can act on: no stack trace, no file content, at most ``REASON_CHARS``."""
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return "the disk is full, so the run could not be saved."
    name = type(error).__name__
    if isinstance(error, MemoryError) or name == "ResourceExhaustedError":
        return "the model needs more memory than the server has: make it smaller (units, maxlen, batch size)."
    lines = (str(error) or name).strip().splitlines() or [name]
    text = lines[0] if isinstance(error, ValueError) else f"{name}: {lines[0]}"
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"


class QueueControl:
    """Pause, resume and stop messages for one run, read between batches."""

    def __init__(self, controls: Any, run_id: str, emit: Any) -> None:
        self.controls, self.run_id, self.emit = controls, run_id, emit
        self.paused = self.stopped = False
        self.last_parent_check = time.monotonic()

    def should_stop(self) -> bool:
        """Apply waiting messages; block while paused; True once a stop arrived."""
        self._apply(block=False)
        while self.paused and not self.stopped:
            self._apply(block=True)
            self._exit_if_orphaned()
        self._exit_if_orphaned()
        return self.stopped

    def _apply(self, *, block: bool) -> None:
        while True:
            try:
                message = self.controls.get(timeout=PAUSE_POLL_S) if block else self.controls.get_nowait()
            except queue.Empty:
                return
            block = False
            if message.get("run_id") != self.run_id:
                continue  # meant for a run that has already ended
            command = message.get("command")
            if command == "stop":
                self.stopped = True
            elif command in ("pause", "resume") and self.paused != (command == "pause"):
                self.paused = command == "pause"
                self.emit({"type": "paused" if self.paused else "resumed"})

    def _exit_if_orphaned(self) -> None:
        now = time.monotonic()
        if now - self.last_parent_check >= PARENT_CHECK_S:
            self.last_parent_check = now
            if not _parent_alive():
                os._exit(1)  # the app is gone: nobody will read this run's progress


def _parent_alive() -> bool:
    parent = multiprocessing.parent_process()
    return parent is None or parent.is_alive()
