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
REPO_ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """The cache folder (created on first use)."""
    root = Path(os.environ.get(CACHE_ENV) or REPO_ROOT / "cache").expanduser()
    root.mkdir(parents=True, exist_ok=True)
    return root


def atomic_write(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Call ``write`` on a temporary file beside ``path``, then rename it into place.

    On any failure (including a full disk) the temporary file is removed and the previous
    content of ``path``, if any, is left untouched.
    """
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


def atomic_write_json(path: Path, value: Any) -> None:
    """Write ``value`` as indented UTF-8 JSON to ``path`` atomically."""
    atomic_write_bytes(path, json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8"))


def atomic_save_npz(path: Path, **arrays: np.ndarray) -> None:
    """Save ``arrays`` uncompressed (fast to load) to ``path`` atomically."""
    atomic_write(path, lambda stream: np.savez(stream, **arrays))
