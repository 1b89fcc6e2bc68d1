"""The class board: every finished run of the server, ranked, under the names students chose.

A student names their own runs (a nickname, never personal data: the board stores nothing else
about them); the teacher (who typed the server's admin token, ``ui.training.manager``) hides
single entries or clears the board, which hides every run that exists at that moment without
deleting anything. The board's choices live in one JSON file in the cache, written atomically
under a lock, so the sessions of one server never lose each other's changes.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from explorer.paths import atomic_write_json, cache_dir
from explorer.training import runs
from explorer.training.config import RunConfig
from explorer.training.view import describe_model

BOARD_FILE = "board.json"
MAX_NAME_LENGTH = 24  # a nickname, short enough for a projected table
BOOK_VAL_ACCURACY = 0.79  # the book's embedding and one-hot SimpleRNN models end at about 0.79 val accuracy
BOARD_STATES = ("finished", "stopped")  # runs with a history worth ranking (a stopped run keeps its best epoch)

_lock = threading.Lock()  # one server process: sessions are threads, so a thread lock serialises the writes


class BoardError(ValueError):
    """A name the board refuses (the message says why)."""


@dataclass
class BoardState:
    """What the board stores: chosen names, hidden runs, and the run id before which all is cleared."""

    names: dict[str, str] = field(default_factory=dict)
    hidden: list[str] = field(default_factory=list)
    cleared_before: str = ""  # run ids sort by time: every run id below this one is hidden


@dataclass(frozen=True)
class BoardRow:
    """One ranked run."""

    run_id: str
    name: str  # the student's nickname, or "" when none was chosen
    model: str
    val_accuracy: float
    test_accuracy: float | None
    epochs: int
    hidden: bool


def board_path() -> Path:
    """Where the board's choices are stored."""
    return cache_dir() / BOARD_FILE


def read_board() -> BoardState:
    """The stored choices (an empty board when there are none or the file is damaged)."""
    try:
        stored = json.loads(board_path().read_text(encoding="utf-8"))
        return BoardState(
            {str(k): str(v) for k, v in dict(stored.get("names", {})).items()},
            [str(run_id) for run_id in stored.get("hidden", [])],
            str(stored.get("cleared_before", "")),
        )
    except (OSError, ValueError, TypeError, AttributeError):
        return BoardState()


def _change(update) -> BoardState:
    with _lock:
        board = read_board()
        update(board)
        atomic_write_json(board_path(), board.__dict__)
        return board


def clean_name(name: str) -> str:
    """A nickname as stored: trimmed, control characters refused, at most ``MAX_NAME_LENGTH`` long."""
    name = " ".join(name.split())
    if not name:
        raise BoardError("the name is empty.")
    if len(name) > MAX_NAME_LENGTH:
        raise BoardError(f"the name has {len(name)} characters; at most {MAX_NAME_LENGTH} fit the board.")
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise BoardError("the name holds control characters.")
    return name


def set_name(run_id: str, name: str) -> None:
    """Show run ``run_id`` under ``name`` (the caller checks that the session owns the run)."""
    runs.run_dir(run_id)  # refuses anything that is not a run id
    cleaned = clean_name(name)
    _change(lambda board: board.names.__setitem__(run_id, cleaned))


def set_hidden(run_id: str, hidden: bool) -> None:
    """Hide a run from the board, or show it again (the teacher's control)."""

    def update(board: BoardState) -> None:
        board.hidden = [r for r in board.hidden if r != run_id] + ([run_id] if hidden else [])

    _change(update)


def clear_board() -> None:
    """Hide every run that exists now; runs started later appear (nothing is deleted)."""
    newest = max(runs.list_runs(), default="")
    _change(lambda board: setattr(board, "cleared_before", newest + "~" if newest else ""))


def board_rows(include_hidden: bool = False) -> list[BoardRow]:
    """Finished runs, best validation accuracy first (test accuracy breaks ties); hidden ones only if asked."""
    board = read_board()
    rows = []
    for run_id in runs.list_runs():
        hidden = run_id in board.hidden or run_id < board.cleared_before
        if hidden and not include_hidden:
            continue
        row = _row(run_id, board.names.get(run_id, ""), hidden)
        if row is not None:
            rows.append(row)
    return sorted(rows, key=lambda row: (-row.val_accuracy, -(row.test_accuracy or 0.0), row.run_id))


def _row(run_id: str, name: str, hidden: bool) -> BoardRow | None:
    try:
        if runs.read_status(run_id).state not in BOARD_STATES:
            return None
        config: RunConfig = runs.read_config(run_id)
        history = runs.read_history(run_id)
    except (runs.RunStoreError, OSError):
        return None  # a damaged run is the training page's business, not the board's
    try:
        evaluation = runs.read_evaluation(run_id) or {}
    except (runs.RunStoreError, OSError):
        evaluation = {}  # listed without a test accuracy
    accuracies = [epoch["val_accuracy"] for epoch in history if isinstance(epoch.get("val_accuracy"), int | float)]
    if not accuracies:
        return None
    test = evaluation.get("accuracy")
    return BoardRow(
        run_id,
        name,
        describe_model(config),
        float(max(accuracies)),
        float(test) if isinstance(test, int | float) else None,
        len(history),
        hidden,
    )
