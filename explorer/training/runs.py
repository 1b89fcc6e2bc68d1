"""Training runs on disk: one folder per run under ``cache_dir()/runs/<id>/``.

A run folder holds ``config.json``, ``status.json`` (state and reason), ``history.jsonl`` (one
line per finished epoch, rewritten atomically after each), the best model ``best.keras``,
``weights.npz`` (the same weights as plain arrays, for inference without TensorFlow),
``embedding_epoch_NNN.npy`` (the word vectors after each epoch) and ``evaluation.json``.

Every file is written atomically. A run counts as finished only when its status says so, and
that status is written last; a run still marked queued or running whose owning process is gone
is reported as interrupted, never as finished.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from explorer.paths import atomic_save_npz, atomic_write, atomic_write_bytes, atomic_write_json, cache_dir
from explorer.training.config import ConfigError, RunConfig

State = Literal["queued", "running", "finished", "stopped", "failed", "interrupted"]
ACTIVE_STATES: tuple[State, ...] = ("queued", "running")
FINAL_STATES: tuple[State, ...] = ("finished", "stopped", "failed", "interrupted")
# UTC date, time, .milliseconds (runs stored before 2026-11-22 have none), random hex
RUN_ID_PATTERN = re.compile(r"^[0-9]{8}-[0-9]{6}(\.[0-9]{3})?-[0-9a-f]{6}$")

CONFIG_FILE = "config.json"
STATUS_FILE = "status.json"
HISTORY_FILE = "history.jsonl"
MODEL_FILE = "best.keras"
WEIGHTS_FILE = "weights.npz"
EVALUATION_FILE = "evaluation.json"
NAME_FILE = "name.json"  # the run's name (explorer.training.naming)
EMBEDDING_PATTERN = "embedding_epoch_{epoch:03d}.npy"


class RunStoreError(ValueError):
    """A run that does not exist, or whose files are damaged."""


@dataclass(frozen=True)
class RunStatus:
    """Where a run stands; ``reason`` explains failures, stops and interruptions."""

    state: State
    reason: str = ""
    updated: float = 0.0
    pid: int = 0  # the process that owns the run while it is queued or running
    best_epoch: int | None = None
    best_val_loss: float | None = None


def runs_dir() -> Path:
    """The folder of all runs (created on first use)."""
    folder = cache_dir() / "runs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_run_id() -> str:
    """A sortable, unique id: the UTC time to the millisecond plus random hex."""
    now = time.time()
    milliseconds = min(int(now % 1 * 1000), 999)
    return f"{time.strftime('%Y%m%d-%H%M%S', time.gmtime(now))}.{milliseconds:03d}-{secrets.token_hex(3)}"


def run_dir(run_id: str) -> Path:
    """The folder of run ``run_id`` (the id is checked, so it can never point elsewhere)."""
    if not RUN_ID_PATTERN.match(run_id):
        raise RunStoreError(f"{run_id!r} is not a run id.")
    return runs_dir() / run_id


def create_run(config: RunConfig, pid: int) -> str:
    """Store a new queued run and return its id."""
    run_id = new_run_id()
    folder = run_dir(run_id)
    folder.mkdir(parents=True)
    atomic_write_bytes(folder / CONFIG_FILE, config.to_json().encode("utf-8"))
    write_status(run_id, RunStatus("queued", pid=pid))
    return run_id


def write_status(run_id: str, status: RunStatus) -> None:
    """Replace the run's status atomically."""
    values = dict(status.__dict__, updated=time.time())
    atomic_write_json(run_dir(run_id) / STATUS_FILE, values)


def read_status(run_id: str) -> RunStatus:
    """The run's status as stored, with a dead owner's active run reported as interrupted."""
    values = _read_json(run_dir(run_id) / STATUS_FILE)
    try:
        status = RunStatus(**values)
    except TypeError as error:
        raise RunStoreError(f"the status of run {run_id} is damaged ({error}).") from error
    if status.state in ACTIVE_STATES and not _process_alive(status.pid):
        return RunStatus(
            "interrupted",
            "the server stopped before this run ended",
            status.updated,
            0,
            status.best_epoch,
            status.best_val_loss,
        )
    return status


def read_config(run_id: str) -> RunConfig:
    """The run's settings."""
    try:
        return RunConfig.from_dict(_read_json(run_dir(run_id) / CONFIG_FILE))
    except ConfigError as error:
        raise RunStoreError(f"the config of run {run_id} is damaged ({error}).") from error


def list_runs() -> list[str]:
    """Ids of every stored run, newest first (folders without a status are skipped)."""
    folders = [
        path for path in runs_dir().iterdir() if RUN_ID_PATTERN.match(path.name) and (path / STATUS_FILE).is_file()
    ]
    return sorted((path.name for path in folders), reverse=True)


def delete_run(run_id: str) -> None:
    """Remove the run and everything in its folder."""
    folder = run_dir(run_id)
    if not folder.exists():
        raise RunStoreError(f"there is no run {run_id}.")
    shutil.rmtree(folder)


def write_history(run_id: str, epochs: list[dict[str, Any]]) -> None:
    """Store the epochs finished so far (one JSON object per line)."""
    text = "".join(json.dumps(epoch) + "\n" for epoch in epochs)
    atomic_write_bytes(run_dir(run_id) / HISTORY_FILE, text.encode("utf-8"))


def read_history(run_id: str) -> list[dict[str, Any]]:
    """The epochs finished so far."""
    path = run_dir(run_id) / HISTORY_FILE
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def save_weights(run_id: str, weights: dict[str, np.ndarray]) -> None:
    """Store the best weights as plain arrays (names like ``rnn_1/forward/kernel``)."""
    atomic_save_npz(run_dir(run_id) / WEIGHTS_FILE, **weights)


def load_weights(run_id: str) -> dict[str, np.ndarray]:
    """The stored best weights; ``RunStoreError`` if the run has none yet."""
    path = run_dir(run_id) / WEIGHTS_FILE
    if not path.is_file():
        raise RunStoreError(f"run {run_id} has no saved weights yet.")
    with np.load(path, allow_pickle=False) as stored:
        return {name: stored[name] for name in stored.files}


def save_embedding(run_id: str, epoch: int, matrix: np.ndarray) -> None:
    """Store the word vectors after ``epoch`` (1-based)."""
    atomic_write(run_dir(run_id) / EMBEDDING_PATTERN.format(epoch=epoch), lambda stream: np.save(stream, matrix))


def embedding_epochs(run_id: str) -> list[int]:
    """Epochs whose word vectors are stored, in order."""
    found = (re.fullmatch(r"embedding_epoch_(\d{3})\.npy", path.name) for path in run_dir(run_id).iterdir())
    return sorted(int(match.group(1)) for match in found if match)


def load_embedding(run_id: str, epoch: int) -> np.ndarray:
    """The word vectors after ``epoch``: row ``i`` belongs to id ``i``."""
    path = run_dir(run_id) / EMBEDDING_PATTERN.format(epoch=epoch)
    if not path.is_file():
        raise RunStoreError(f"run {run_id} has no word vectors for epoch {epoch}.")
    return np.load(path, allow_pickle=False)


def model_path(run_id: str) -> Path:
    """Where the best Keras model is (or will be) saved."""
    return run_dir(run_id) / MODEL_FILE


def save_evaluation(run_id: str, evaluation: dict[str, Any]) -> None:
    """Store the test-set evaluation."""
    atomic_write_json(run_dir(run_id) / EVALUATION_FILE, evaluation)


def read_evaluation(run_id: str) -> dict[str, Any] | None:
    """The stored test-set evaluation, or None if the run has none."""
    path = run_dir(run_id) / EVALUATION_FILE
    return _read_json(path) if path.is_file() else None


def write_name(run_id: str, values: dict[str, Any]) -> None:
    """Store the run's name (see ``explorer.training.naming``), replacing any earlier one atomically."""
    atomic_write_json(run_dir(run_id) / NAME_FILE, values)


def read_name(run_id: str) -> dict[str, Any] | None:
    """The run's stored name, or None if it has none (runs stored before names existed)."""
    path = run_dir(run_id) / NAME_FILE
    return _read_json(path) if path.is_file() else None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise RunStoreError(f"{path.parent.name}/{path.name} does not exist.") from error
    except (OSError, ValueError) as error:
        raise RunStoreError(f"{path.parent.name}/{path.name} cannot be read ({error}).") from error


def _process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
