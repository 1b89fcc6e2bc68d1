"""Training runs on disk: one folder per run under ``cache_dir()/runs/<id>/``.

A run folder holds ``config.json``, ``status.json`` (state, reason and the server instance that
runs it), ``owner.json`` (a digest of the owner's browser identity, so ownership survives a
restart), ``history.jsonl`` (one line per finished epoch, rewritten atomically after each), the
best model ``best.keras``, ``weights.npz`` (the same weights as plain arrays, for inference
without TensorFlow), ``embedding_epoch_NNN.npy`` (the vectors of the first ``SNAPSHOT_ROWS`` ids
after each epoch: all the projections page can show), ``evaluation.json`` and, if someone
pinned the run, ``pinned`` (the cache budget never prunes it).

Every file is written atomically, and a new run's folder appears complete or not at all. A run
counts as finished only when its status says so, and that status is written last; a run still
marked queued or running whose server instance is gone (``explorer.training.instance``) is
reported as interrupted, never as finished. Every failed read of a run file raises
``RunStoreError``: a run with a damaged file is listed as damaged, never a traceback.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np

from explorer.paths import atomic_write, atomic_write_bytes, atomic_write_json, cache_dir, json_bytes
from explorer.training.config import ConfigError, RunConfig
from explorer.training.instance import instance_alive

# "damaged" is never stored: it is how a run with an unreadable file is listed
State = Literal["queued", "running", "finished", "stopped", "failed", "interrupted", "damaged"]
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
OWNER_FILE = "owner.json"
PIN_FILE = "pinned"
EMBEDDING_PATTERN = "embedding_epoch_{epoch:03d}.npy"
PROJECTIONS_FOLDER = "projections"  # explorer.embeddings.projection_cache stores a run's under run-<id>/
TRASH_PREFIX = ".trash-"  # a deleted run's folder, renamed away before its files are removed
NEW_PREFIX = ".new-"  # a run folder being created, renamed into place once complete
# The projections page shows at most 5,000 real words, ids 4 to 5,003 (ids 0-3 are special), so
# snapshots keep the first 5,004 rows: 5,004 x 16 floats = 320 KB an epoch, not 12.8 MB at 200,000 words.
SNAPSHOT_ROWS = 5_004
EVALUATION_KEYS = frozenset({"accuracy", "loss", "confusion", "roc_fpr", "roc_tpr", "roc_auc", "count"})


class RunStoreError(ValueError):
    """A run that does not exist, or whose files are damaged or cannot be written."""


@dataclass(frozen=True)
class RunStatus:
    """Where a run stands; ``reason`` explains failures, stops and interruptions."""

    state: State
    reason: str = ""
    updated: float = 0.0
    instance: str = ""  # the server instance that queued or runs it (explorer.training.instance)
    best_epoch: int | None = None
    best_val_loss: float | None = None


def owner_digest(owner: str) -> str:
    """What a run folder stores of its owner: a digest, so the files never hold a browser's secret."""
    return hashlib.sha256(owner.encode("utf-8")).hexdigest()


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


def _replace_in_run(run_id: str, name: str, write: Callable[[IO[bytes]], None]) -> None:
    """Replace file ``name`` of a stored run atomically; a deleted run stays deleted.

    A worker left behind by a server that died can still be saving epochs for a while: creating
    the folder again would bring back (half of) a run its owner deleted, so writing into a
    missing folder raises ``FileNotFoundError`` instead.
    """
    atomic_write(run_dir(run_id) / name, write, make_parent=False)


def _replace_json_in_run(run_id: str, name: str, value: Any) -> None:
    """``_replace_in_run`` for a JSON file."""
    _replace_in_run(run_id, name, lambda stream: stream.write(json_bytes(value)))


def create_run(config: RunConfig, instance: str = "", owner: str = "") -> str:
    """Store a new queued run of server ``instance``, owned by ``owner``, and return its id.

    Without them (tests, benchmarks that train in-process) the run belongs to no server and nobody.

    The files are written into a hidden folder renamed into place at the end, so a full disk
    leaves no half-created run (``RunStoreError`` says the disk is full).
    """
    run_id = new_run_id()
    building = runs_dir() / f"{NEW_PREFIX}{run_id}"
    try:
        building.mkdir()
        atomic_write_bytes(building / CONFIG_FILE, config.to_json().encode("utf-8"))
        atomic_write_json(building / OWNER_FILE, {"owner": owner_digest(owner)})
        atomic_write_json(building / STATUS_FILE, _status_values(RunStatus("queued", instance=instance)))
        building.rename(run_dir(run_id))
    except OSError as error:
        shutil.rmtree(building, ignore_errors=True)
        raise RunStoreError(describe_os_error(error, "the run could not be stored")) from error
    return run_id


def describe_os_error(error: OSError, what: str) -> str:
    """One line for a failed write: a full disk says so; no stack trace, no server path."""
    if error.errno == errno.ENOSPC:
        return f"{what}: the server's disk is full."
    return f"{what}: {error.strerror or type(error).__name__}."


def _status_values(status: RunStatus) -> dict[str, Any]:
    return dict(status.__dict__, updated=time.time())


def write_status(run_id: str, status: RunStatus) -> None:
    """Replace the run's status atomically."""
    _replace_json_in_run(run_id, STATUS_FILE, _status_values(status))


def read_status(run_id: str) -> RunStatus:
    """The run's status as stored, with an active run of a dead server instance reported as interrupted."""
    values = _read_json(run_dir(run_id) / STATUS_FILE)
    if not isinstance(values, dict):
        raise RunStoreError(f"the status of run {run_id} is damaged (not a JSON object).")
    values.pop("pid", None)  # statuses stored before server instances named a process id
    try:
        status = RunStatus(**values)
    except TypeError as error:
        raise RunStoreError(f"the status of run {run_id} is damaged ({error}).") from error
    if status.state not in (*ACTIVE_STATES, *FINAL_STATES) or not isinstance(status.reason, str):
        raise RunStoreError(f"the status of run {run_id} is damaged (state {status.state!r}).")
    if status.state in ACTIVE_STATES and not instance_alive(status.instance):
        return RunStatus(
            "interrupted",
            "the server stopped before this run ended",
            status.updated,
            "",
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


def read_owner(run_id: str) -> str:
    """The digest of the run's owner (``owner_digest``); empty for runs stored before owners were kept."""
    path = run_dir(run_id) / OWNER_FILE
    if not path.is_file():
        return ""
    values = _read_json(path)
    if not isinstance(values, dict) or not isinstance(values.get("owner"), str):
        raise RunStoreError(f"the owner file of run {run_id} is damaged.")
    return values["owner"]


def is_pinned(run_id: str) -> bool:
    """True if someone pinned the run: the cache budget never prunes it."""
    return (run_dir(run_id) / PIN_FILE).is_file()


def set_pinned(run_id: str, pinned: bool) -> None:
    """Pin or unpin the run."""
    path = run_dir(run_id) / PIN_FILE
    if pinned:
        _replace_in_run(run_id, PIN_FILE, lambda stream: stream.write(b""))
    else:
        path.unlink(missing_ok=True)


def list_runs() -> list[str]:
    """Ids of every stored run, newest first (one whose status is missing too: reading it says it is damaged)."""
    return sorted((path.name for path in runs_dir().iterdir() if RUN_ID_PATTERN.match(path.name)), reverse=True)


def projections_dir(run_id: str) -> Path:
    """Where the projections page caches this run's projections (its ``_safe_name`` of ``run-<id>``)."""
    return cache_dir() / PROJECTIONS_FOLDER / f"run-{run_dir(run_id).name}"


def delete_run(run_id: str) -> None:
    """Remove the run, everything in its folder and its cached projections.

    The folder is first renamed away (one atomic step: no reader sees half a run), then its
    files are removed; leftovers of an interrupted removal go at the next ``remove_leftovers``.
    """
    folder = run_dir(run_id)
    trash = runs_dir() / f"{TRASH_PREFIX}{run_id}-{secrets.token_hex(3)}"
    try:
        folder.rename(trash)
    except FileNotFoundError as error:
        raise RunStoreError(f"there is no run {run_id}.") from error
    except OSError as error:
        raise RunStoreError(describe_os_error(error, f"run {run_id} could not be deleted")) from error
    shutil.rmtree(trash, ignore_errors=True)
    shutil.rmtree(projections_dir(run_id), ignore_errors=True)


def settle_orphans() -> list[str]:
    """Store as interrupted every run left queued or running by a server instance that is gone; their ids."""
    settled = []
    for run_id in list_runs():
        try:
            stored = _read_json(run_dir(run_id) / STATUS_FILE)
            status = read_status(run_id)
        except RunStoreError:
            continue  # listed as damaged
        if isinstance(stored, dict) and stored.get("state") in ACTIVE_STATES and status.state == "interrupted":
            try:
                write_status(run_id, status)
            except OSError:
                continue  # still reads as interrupted
            settled.append(run_id)
    return settled


def remove_leftovers() -> None:
    """Remove half-deleted and half-created run folders (a server died while writing them)."""
    for path in runs_dir().iterdir():
        if path.name.startswith((TRASH_PREFIX, NEW_PREFIX)):
            shutil.rmtree(path, ignore_errors=True)


def write_history(run_id: str, epochs: list[dict[str, Any]]) -> None:
    """Store the epochs finished so far (one JSON object per line)."""
    text = "".join(json.dumps(epoch) + "\n" for epoch in epochs)
    _replace_in_run(run_id, HISTORY_FILE, lambda stream: stream.write(text.encode("utf-8")))


def read_history(run_id: str) -> list[dict[str, Any]]:
    """The epochs finished so far."""
    path = run_dir(run_id) / HISTORY_FILE
    if not path.is_file():
        return []
    try:
        epochs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as error:
        raise RunStoreError(f"the history of run {run_id} is damaged ({type(error).__name__}).") from error
    if not all(isinstance(epoch, dict) and isinstance(epoch.get("epoch"), int) for epoch in epochs):
        raise RunStoreError(f"the history of run {run_id} is damaged (a line is not an epoch).")
    return epochs


def save_weights(run_id: str, weights: dict[str, np.ndarray]) -> None:
    """Store the best weights as plain arrays (names like ``rnn_1/forward/kernel``)."""
    _replace_in_run(run_id, WEIGHTS_FILE, lambda stream: np.savez(stream, **weights))


def load_weights(run_id: str) -> dict[str, np.ndarray]:
    """The stored best weights; ``RunStoreError`` if the run has none yet."""
    path = run_dir(run_id) / WEIGHTS_FILE
    if not path.is_file():
        raise RunStoreError(f"run {run_id} has no saved weights yet.")
    try:
        with np.load(path, allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise RunStoreError(f"the weights of run {run_id} are damaged ({type(error).__name__}).") from error


def save_embedding(run_id: str, epoch: int, matrix: np.ndarray) -> None:
    """Store the vectors of the first ``SNAPSHOT_ROWS`` ids after ``epoch`` (1-based)."""
    snapshot = np.ascontiguousarray(matrix[:SNAPSHOT_ROWS])
    _replace_in_run(run_id, EMBEDDING_PATTERN.format(epoch=epoch), lambda stream: np.save(stream, snapshot))


def embedding_epochs(run_id: str) -> list[int]:
    """Epochs whose word vectors are stored, in order."""
    try:
        names = [path.name for path in run_dir(run_id).iterdir()]
    except OSError as error:
        raise RunStoreError(f"run {run_id} cannot be read ({type(error).__name__}).") from error
    found = (re.fullmatch(r"embedding_epoch_(\d{3})\.npy", name) for name in names)
    return sorted(int(match.group(1)) for match in found if match)


def load_embedding(run_id: str, epoch: int) -> np.ndarray:
    """The word vectors after ``epoch``: row ``i`` belongs to id ``i``."""
    path = run_dir(run_id) / EMBEDDING_PATTERN.format(epoch=epoch)
    if not path.is_file():
        raise RunStoreError(f"run {run_id} has no word vectors for epoch {epoch}.")
    try:
        matrix = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise RunStoreError(f"the word vectors of run {run_id} are damaged ({type(error).__name__}).") from error
    if matrix.ndim != 2:
        raise RunStoreError(f"the word vectors of run {run_id} are damaged (shape {matrix.shape}).")
    return matrix


def model_path(run_id: str) -> Path:
    """Where the best Keras model is (or will be) saved."""
    return run_dir(run_id) / MODEL_FILE


def save_model(run_id: str, save: Callable[[Path], None]) -> None:
    """Save the best model atomically: ``save`` writes a temporary ``.keras`` file, renamed into place.

    Keras picks the format from the name's ending, so the temporary name ends in ``.keras`` too.
    """
    target = model_path(run_id)
    temporary = target.with_name(f".{secrets.token_hex(4)}.{MODEL_FILE}")
    try:
        save(temporary)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def save_evaluation(run_id: str, evaluation: dict[str, Any]) -> None:
    """Store the test-set evaluation."""
    _replace_json_in_run(run_id, EVALUATION_FILE, evaluation)


def read_evaluation(run_id: str) -> dict[str, Any] | None:
    """The stored test-set evaluation, or None if the run has none."""
    path = run_dir(run_id) / EVALUATION_FILE
    if not path.is_file():
        return None
    values = _read_json(path)
    if not isinstance(values, dict) or not EVALUATION_KEYS <= set(values):
        raise RunStoreError(f"the evaluation of run {run_id} is damaged (fields missing).")
    return values


def check_run(run_id: str) -> None:
    """Read every small file of the run; ``RunStoreError`` names the first damaged one.

    Weights and word vectors are large, so they are checked when they are loaded.
    """
    read_status(run_id)
    read_config(run_id)
    read_owner(run_id)
    read_history(run_id)
    read_evaluation(run_id)


def write_name(run_id: str, values: dict[str, Any]) -> None:
    """Store the run's name (see ``explorer.training.naming``), replacing any earlier one atomically."""
    _replace_json_in_run(run_id, NAME_FILE, values)


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
        raise RunStoreError(f"{path.parent.name}/{path.name} cannot be read ({type(error).__name__}).") from error
