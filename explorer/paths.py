"""Where the explorer keeps what it writes, and how it writes it safely.

Everything the app produces (downloads, encoded corpora, trained runs) lives under one cache
folder, ``<repo>/cache`` unless ``IMDB_EXPLORER_CACHE`` names another. Every write goes to a
temporary file in the same folder first and is then renamed over the target, so a reader never
sees half a file, even if the writer is killed or the disk fills up mid-way.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np

CACHE_ENV = "IMDB_EXPLORER_CACHE"
ALLOWED_ROOTS_ENV = "IMDB_EXPLORER_ALLOWED_ROOTS"  # folders (os.pathsep-separated) whose files users may name
DATA_ENV = "IMDB_EXPLORER_DATA"  # the data the server was started with (always allowed)
REPO_ROOT = Path(__file__).resolve().parent.parent


class PathNotAllowed(ValueError):
    """A path typed by a user lies outside the folders this server lets users name."""


def allowed_roots() -> list[Path]:
    """Where user-typed paths may point: ``IMDB_EXPLORER_ALLOWED_ROOTS``, the data path the server
    was started with (``IMDB_EXPLORER_DATA``), and the cache folder (resolved, symbolic links followed)."""
    named = [part for part in os.environ.get(ALLOWED_ROOTS_ENV, "").split(os.pathsep) if part.strip()]
    if os.environ.get(DATA_ENV, "").strip():
        named.append(os.environ[DATA_ENV])
    return [Path(root.strip()).expanduser().resolve() for root in named] + [cache_dir().resolve()]


def allowed_path(typed: str) -> Path:
    """The resolved path ``typed`` names, if it lies inside an allowed root; else ``PathNotAllowed``.

    Resolving follows ``..`` and symbolic links first, so neither leads out of a root. The answer
    is the same whether or not the path exists, so it tells nothing about the server's files.
    """
    path = Path(typed.strip()).expanduser().resolve()
    roots = allowed_roots()
    if not any(path == root or path.is_relative_to(root) for root in roots):
        raise PathNotAllowed(
            f"This server only opens files inside {', '.join(str(root) for root in roots)} "
            f"(its teacher can add folders with {ALLOWED_ROOTS_ENV})."
        )
    return path


def cache_dir() -> Path:
    """The cache folder (created on first use)."""
    root = Path(os.environ.get(CACHE_ENV) or REPO_ROOT / "cache").expanduser()
    root.mkdir(parents=True, exist_ok=True)
    return root


def atomic_write(path: Path, write: Callable[[IO[bytes]], None], *, make_parent: bool = True) -> None:
    """Call ``write`` on a temporary file beside ``path``, then rename it into place.

    On any failure (including a full disk) the temporary file is removed and the previous
    content of ``path``, if any, is left untouched. Without ``make_parent`` a missing folder
    raises ``FileNotFoundError`` instead of being created.
    """
    if make_parent:
        path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    atomic_write(path, lambda stream: stream.write(data))


def json_bytes(value: Any) -> bytes:
    """``value`` as indented UTF-8 JSON, the form every JSON file in the cache has."""
    return json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8")


def atomic_write_json(path: Path, value: Any) -> None:
    """Write ``value`` as JSON (``json_bytes``) to ``path`` atomically."""
    atomic_write_bytes(path, json_bytes(value))


def atomic_save_npz(path: Path, **arrays: np.ndarray) -> None:
    """Save ``arrays`` uncompressed (fast to load) to ``path`` atomically."""
    atomic_write(path, lambda stream: np.savez(stream, **arrays))
