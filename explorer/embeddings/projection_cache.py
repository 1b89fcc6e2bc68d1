"""Computed projections kept on disk, one file per (source, epoch, method, parameters).

t-SNE and UMAP take seconds per frame, so a frame computed once is never computed again: it is
stored under ``cache_dir()/projections/<source>/`` with a name that carries the epoch and method
(readable) and a digest of the parameters AND the vectors themselves (exact: a re-trained run or
another word selection can never be served a stale picture). Files are written atomically; a
damaged file is recomputed, never trusted.

Why not ``joblib.Memory``: it stores pickles (loading one runs code, and this cache sits in a
folder a shared server writes for everyone), it would hash the whole argument list on every call,
and its folders are named by function, not by run, so a run's projections could not be deleted
with the run. Plain ``.npz`` files read with ``allow_pickle=False`` keep all three; the size of
``cache/`` as a whole is bounded by ``python -m explorer.cache`` and the server's cache budget.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from explorer.embeddings.projection import (
    Projection,
    ProjectionError,
    ProjectionSettings,
    align_frames,
    pca_frames,
    project,
)
from explorer.paths import atomic_save_npz, cache_dir

PROJECTIONS_FOLDER = "projections"
DIGEST_CHARACTERS = 20  # of the SHA-256 hex digest: collisions stay out of reach, names stay short

ReportFrames = Callable[[int, int], None]  # (frames done, frames in all)
# (vectors, settings) -> their projection: ``project`` here, or run elsewhere (the server's projection process)
Compute = Callable[[np.ndarray, ProjectionSettings], Projection]


def projection_path(source: str, epoch: int | None, vectors: np.ndarray, settings: ProjectionSettings) -> Path:
    """Where the projection of ``vectors`` (epoch ``epoch`` of ``source``) with ``settings`` is stored."""
    digest = hashlib.sha256(json.dumps(settings.relevant(), sort_keys=True).encode())
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    digest.update(str(matrix.shape).encode())
    digest.update(matrix.view(np.uint8))
    epoch_part = "final" if epoch is None else f"epoch{epoch:03d}"
    name = f"{epoch_part}_{settings.method}_{digest.hexdigest()[:DIGEST_CHARACTERS]}.npz"
    return cache_dir() / PROJECTIONS_FOLDER / _safe_name(source) / name


def _safe_name(source: str) -> str:
    """``source`` as one harmless folder name (no separators, no leading dot)."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", source).lstrip(".")
    return cleaned or "_"


def cached_projection(
    source: str, epoch: int | None, vectors: np.ndarray, settings: ProjectionSettings, compute: Compute = project
) -> Projection:
    """The projection from the cache, or computed now by ``compute`` and stored (bad settings raise
    ``ProjectionError``)."""
    path = projection_path(source, epoch, vectors, settings)
    stored = _load(path)
    if stored is not None and stored.coordinates.shape == (len(vectors), settings.output_dimensions):
        return stored
    computed = compute(vectors, settings)
    atomic_save_npz(path, coordinates=computed.coordinates, explained_variance=computed.explained_variance)
    return computed


def _load(path: Path) -> Projection | None:
    try:
        with np.load(path, allow_pickle=False) as stored:
            return Projection(stored["coordinates"], stored["explained_variance"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None  # absent or damaged: the caller recomputes


def epoch_frames(
    source: str,
    epochs: Sequence[int],
    matrices: Sequence[np.ndarray],
    settings: ProjectionSettings,
    progress: ReportFrames | None = None,
    compute: Compute = project,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Aligned coordinates of every epoch (last one = reference) and, for PCA, its explained variance.

    PCA uses the last epoch's basis for all (fast, no cache needed); t-SNE and UMAP project each
    epoch through the cache (with ``compute`` where it is missing) and rotate the frames onto the
    last one.
    """
    if len(epochs) != len(matrices):
        raise ProjectionError(f"{len(epochs)} epochs were given for {len(matrices)} matrices.")
    if not matrices:
        raise ProjectionError("There are no epochs to project.")
    if settings.method == "pca":
        settings.check(*np.shape(matrices[-1]))
        frames, variance = pca_frames(matrices, settings.components)
        if progress:
            progress(len(matrices), len(matrices))
        return frames, variance
    projected = []
    for done, (epoch, matrix) in enumerate(zip(epochs, matrices, strict=True)):
        projected.append(cached_projection(source, epoch, matrix, settings, compute).coordinates)
        if progress:
            progress(done + 1, len(matrices))
    return align_frames(projected), np.zeros(0)
