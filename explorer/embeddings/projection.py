"""Word vectors seen from 2-D or 3-D: PCA, t-SNE and UMAP, epoch alignment, nearest neighbours.

A projection only draws the vectors; questions about meaning (which words are close) are answered
in the ORIGINAL space, by ``nearest_neighbours``, because t-SNE and UMAP distort distances.

Across training epochs each frame must be drawn in the same frame of reference, otherwise a
flipped or rotated axis looks like learning. PCA frames therefore share one basis (fitted on the
last epoch), and t-SNE / UMAP frames are rotated (or reflected) onto the last one by orthogonal
Procrustes.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from types import ModuleType
from typing import Literal

import numpy as np

Method = Literal["pca", "tsne", "umap"]
METHODS: tuple[Method, ...] = ("pca", "tsne", "umap")
Metric = Literal["cosine", "euclidean"]
METRICS: tuple[Metric, ...] = ("cosine", "euclidean")

DEFAULT_PERPLEXITY = 30.0  # t-SNE: about how many neighbours each word keeps close
MIN_TSNE_ITERATIONS = 250  # scikit-learn refuses fewer optimisation steps
DEFAULT_TSNE_ITERATIONS = 500  # enough for a few thousand words to settle; 1,000 is 3-4x slower
DEFAULT_UMAP_NEIGHBOURS = 15  # UMAP: size of the neighbourhood whose shape it preserves
DEFAULT_UMAP_MIN_DIST = 0.1  # UMAP: how tightly points may be packed (0 = clumps, 1 = even spread)
DEFAULT_SEED = 0  # makes t-SNE and UMAP layouts repeatable
# UMAP's optimisation epochs: umap-learn's 500 for fewer than 2,000 words, its large-data 200 from there
# (a layout of thousands of points has settled by then; 5,000 words take a third of the time)
UMAP_EPOCHS = (500, 200)
UMAP_FEWER_EPOCHS_FROM = 2_000
# Seconds per word per optimisation pass (t-SNE iteration, UMAP epoch) on the reference two-core machine
# (bench/bench_projection.py); the page starts its estimates from these and then learns this machine's own.
SECONDS_PER_WORD_PASS = {"tsne": 1.0e-5, "umap": 7.0e-6}
WARM_UP_POINTS = 64  # random points UMAP is warmed up on: enough for a neighbour graph, compiles in seconds
DEFAULT_NEIGHBOUR_COUNT = 10  # how many nearest words a search lists
PARENT_CHECK_S = 1.0  # how often the server's projection process checks that the server still runs
# The projection process's scheduling priority below the server's and the training workers': its UMAP
# compile at start (~15 s of a core) must not delay the first page or a first training run.
PROJECTION_NICENESS = 10


class ProjectionError(ValueError):
    """Settings that cannot project the given vectors (too few words, impossible parameters)."""


class UnknownWordError(ProjectionError):
    """A searched word has no vector in the space being looked at."""

    def __init__(self, word: str) -> None:
        super().__init__(f"'{word}' is not in the vocabulary of these vectors.")
        self.word = word


@dataclass(frozen=True)
class ProjectionSettings:
    """Everything that decides a projection's coordinates (and so its cache key).

    ``components`` are 1-based principal components for PCA (``(1, 3)`` puts PC1 and PC3 on the
    axes); t-SNE and UMAP use ``dimensions`` instead.
    """

    method: Method = "pca"
    dimensions: int = 2
    components: tuple[int, ...] = (1, 2)
    perplexity: float = DEFAULT_PERPLEXITY
    iterations: int = DEFAULT_TSNE_ITERATIONS
    neighbours: int = DEFAULT_UMAP_NEIGHBOURS
    min_dist: float = DEFAULT_UMAP_MIN_DIST
    seed: int = DEFAULT_SEED

    @property
    def output_dimensions(self) -> int:
        """Number of coordinates per word (2 or 3)."""
        return len(self.components) if self.method == "pca" else self.dimensions

    def relevant(self) -> dict[str, object]:
        """Only the parameters the chosen method uses (two settings differing elsewhere give equal results)."""
        used = {
            "pca": ("method", "components"),
            "tsne": ("method", "dimensions", "perplexity", "iterations", "seed"),
            "umap": ("method", "dimensions", "neighbours", "min_dist", "seed"),
        }[self.method]
        values = asdict(self)
        return {name: values[name] for name in used}

    def check(self, rows: int, columns: int) -> None:
        """Raise ``ProjectionError`` unless these settings can project a ``rows`` x ``columns`` matrix."""
        if self.method not in METHODS:
            raise ProjectionError(f"Unknown projection method {self.method!r}; choose one of {', '.join(METHODS)}.")
        if self.output_dimensions not in (2, 3):
            raise ProjectionError(f"A projection has 2 or 3 dimensions, not {self.output_dimensions}.")
        if self.method == "pca":
            _check_components(self.components, min(rows, columns))
        if rows <= self.output_dimensions + 1:
            raise ProjectionError(f"{rows} words are too few to project; take at least {self.output_dimensions + 2}.")
        if self.method == "tsne":
            if not 0 < self.perplexity < rows:
                raise ProjectionError(
                    f"Perplexity must be above 0 and below the number of words ({rows}), not {self.perplexity}."
                )
            if self.iterations < MIN_TSNE_ITERATIONS:
                raise ProjectionError(f"t-SNE needs at least {MIN_TSNE_ITERATIONS} iterations, not {self.iterations}.")
        if self.method == "umap":
            if not 2 <= self.neighbours < rows:
                raise ProjectionError(
                    f"UMAP neighbours must be from 2 to {rows - 1} (fewer than the words), not {self.neighbours}."
                )
            if not 0.0 <= self.min_dist <= 1.0:
                raise ProjectionError(f"UMAP minimum distance must be between 0 and 1, not {self.min_dist}.")


def _check_components(components: tuple[int, ...], available: int) -> None:
    if len(set(components)) != len(components):
        raise ProjectionError(f"Choose different principal components, not {components}.")
    if any(not 1 <= component <= available for component in components):
        raise ProjectionError(f"Principal components must be between 1 and {available}, not {components}.")


@dataclass(frozen=True)
class Projection:
    """Coordinates of every word, and for PCA the share of variance each shown axis explains."""

    coordinates: np.ndarray
    explained_variance: np.ndarray = field(default_factory=lambda: np.zeros(0))


def project(vectors: np.ndarray, settings: ProjectionSettings) -> Projection:
    """Project the rows of ``vectors`` with ``settings`` (raises ``ProjectionError`` on bad settings)."""
    vectors = _as_matrix(vectors)
    settings.check(*vectors.shape)
    if settings.method == "pca":
        return pca_projection(vectors, settings.components)
    if settings.method == "tsne":
        return Projection(_tsne(vectors, settings))
    return Projection(_umap(vectors, settings))


def pca_projection(vectors: np.ndarray, components: tuple[int, ...]) -> Projection:
    """``vectors`` on their chosen (1-based) principal components."""
    frames, explained_variance = pca_frames([vectors], components)
    return Projection(frames[0], explained_variance)


def pca_frames(frames: Sequence[np.ndarray], components: tuple[int, ...]) -> tuple[list[np.ndarray], np.ndarray]:
    """Every frame on the principal components of the LAST one, and their explained variance there.

    One shared basis (and centre) means a word moves on screen only if its vector moved.
    """
    from sklearn.decomposition import PCA  # scikit-learn costs ~0.5 s to import; only pay when projecting

    if not frames:
        raise ProjectionError("There are no epochs to project.")
    matrices = [_as_matrix(frame) for frame in frames]
    _check_components(components, min(matrices[-1].shape))
    chosen = np.asarray(components) - 1
    pca = PCA(n_components=int(chosen.max()) + 1, random_state=DEFAULT_SEED).fit(matrices[-1])
    coordinates = [pca.transform(matrix)[:, chosen].astype(np.float32) for matrix in matrices]
    return coordinates, pca.explained_variance_ratio_[chosen]


def _tsne(vectors: np.ndarray, settings: ProjectionSettings) -> np.ndarray:
    from sklearn.manifold import TSNE

    tsne = TSNE(
        n_components=settings.dimensions,
        perplexity=settings.perplexity,
        max_iter=settings.iterations,
        init="pca",
        learning_rate="auto",
        random_state=settings.seed,
    )
    return tsne.fit_transform(vectors).astype(np.float32)


def umap_epochs(rows: int) -> int:
    """UMAP's optimisation epochs for ``rows`` words (see ``UMAP_EPOCHS``)."""
    return UMAP_EPOCHS[1] if rows >= UMAP_FEWER_EPOCHS_FROM else UMAP_EPOCHS[0]


def word_passes(settings: ProjectionSettings, rows: int) -> int:
    """The work of projecting ``rows`` words: words times optimisation passes (PCA: one pass)."""
    passes = {"pca": 1, "tsne": settings.iterations, "umap": umap_epochs(rows)}[settings.method]
    return rows * passes


def estimated_seconds(settings: ProjectionSettings, rows: int, seconds_per_pass: float | None = None) -> float:
    """About how long projecting ``rows`` words takes, at ``seconds_per_pass`` (per word and pass) if
    measured on this machine, else at the reference machine's ``SECONDS_PER_WORD_PASS``."""
    rate = seconds_per_pass or SECONDS_PER_WORD_PASS.get(settings.method, 0.0)
    return word_passes(settings, rows) * rate


def exact_neighbours(vectors: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and euclidean distances of each row's ``count`` nearest rows, itself first (UMAP's layout).

    Exact search by scikit-learn takes well under a second for the page's 5,000 words; umap-learn
    itself switches to approximate NN-descent from 4,096 rows, whose numba kernels cost about a
    minute to compile on two cores the first time.
    """
    from sklearn.neighbors import NearestNeighbors

    distances, indices = NearestNeighbors(n_neighbors=count).fit(vectors).kneighbors(vectors)
    return indices, distances.astype(np.float32)


def _umap(vectors: np.ndarray, settings: ProjectionSettings) -> np.ndarray:
    umap = import_umap()
    indices, distances = exact_neighbours(vectors, settings.neighbours)
    reducer = umap.UMAP(
        n_components=settings.dimensions,
        n_neighbors=settings.neighbours,
        min_dist=settings.min_dist,
        n_epochs=umap_epochs(len(vectors)),
        random_state=settings.seed,
        precomputed_knn=(indices, distances, None),
    )
    with warnings.catch_warnings():
        # a fixed random_state turns off UMAP's parallelism, and it says so on every call; without a
        # search index (precomputed neighbours) UMAP cannot transform new points, which is never asked
        warnings.filterwarnings("ignore", message=".*n_jobs.*overridden.*")
        warnings.filterwarnings("ignore", message=".*knn_search_index.*")
        return np.asarray(reducer.fit_transform(vectors), dtype=np.float32)


def start_projection_process() -> None:
    """A server's projection process starts here: it exits when the server does, gives way to the pages
    and training on a busy machine (``PROJECTION_NICENESS``), and compiles UMAP first."""
    threading.Thread(target=_exit_with_parent, name="exit-with-server", daemon=True).start()
    os.nice(PROJECTION_NICENESS)
    warm_up_umap()


def _exit_with_parent() -> None:
    """Exit this process once its parent has ended (killed or not), so that no server leaves it behind."""
    parent = multiprocessing.parent_process()
    while parent is not None and parent.is_alive():
        time.sleep(PARENT_CHECK_S)
    if parent is not None:
        os._exit(0)


def warm_up_umap() -> None:
    """Compile UMAP's numba kernels now, on a few random points, so that the first real UMAP does not wait.

    The first UMAP of a process spends ~10-20 s compiling (the layout optimiser, the fuzzy graph);
    a server runs this once, in its projection process, at start (``ui.embeddings.projecting``).
    """
    points = np.random.default_rng(DEFAULT_SEED).normal(size=(WARM_UP_POINTS, 8)).astype(np.float32)
    for dimensions in (2, 3):
        _umap(points, ProjectionSettings("umap", dimensions, neighbours=DEFAULT_UMAP_NEIGHBOURS))


def import_umap() -> ModuleType:
    """Import umap-learn without letting it pull in TensorFlow.

    ``import umap`` tries to load its optional ParametricUMAP, which imports TensorFlow (~40 s and
    ~1 GB, and forbidden in the Streamlit process). Marking TensorFlow and Keras as absent while
    umap is imported makes that optional import fail, as umap expects when TensorFlow is not
    installed; they are unmarked right after.
    """
    if "umap" in sys.modules:
        return sys.modules["umap"]
    blocked = [name for name in ("tensorflow", "keras") if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ImportWarning)
            import umap
    finally:
        for name in blocked:
            sys.modules.pop(name, None)
    return umap


def _as_matrix(vectors: np.ndarray) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or 0 in matrix.shape:
        raise ProjectionError(f"Word vectors must be a non-empty 2-D matrix, not an array of shape {matrix.shape}.")
    if not np.all(np.isfinite(matrix)):
        raise ProjectionError("The word vectors contain NaN or infinite values (did training diverge?).")
    return matrix


def align_to(frame: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``frame`` rotated and/or reflected (and moved) to lie as close as possible to ``reference``.

    Orthogonal Procrustes finds the orthogonal matrix R minimising ||frame R - reference||; the
    shape of the frame is untouched (no scaling), so only the arbitrary orientation is removed.
    """
    from scipy.linalg import orthogonal_procrustes

    if frame.shape != reference.shape:
        raise ProjectionError(f"Cannot align a frame of shape {frame.shape} to one of shape {reference.shape}.")
    frame_centre, reference_centre = frame.mean(axis=0), reference.mean(axis=0)
    rotation, _ = orthogonal_procrustes(frame - frame_centre, reference - reference_centre)
    return ((frame - frame_centre) @ rotation + reference_centre).astype(np.float32)


def align_frames(frames: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Every frame aligned onto the last one (the trained state), which stays as it is."""
    if not frames:
        raise ProjectionError("There are no epochs to align.")
    return [align_to(frame, frames[-1]) for frame in frames]


@dataclass(frozen=True)
class Neighbour:
    """A word close to the searched one, with its distance in the original vector space."""

    word: str
    distance: float


def word_index(words: Sequence[str], word: str) -> int:
    """Row of ``word`` (trimmed, lower-cased like the IMDB vocabulary); ``UnknownWordError`` if absent."""
    wanted = word.strip().lower()
    try:
        return list(words).index(wanted)
    except ValueError:
        raise UnknownWordError(wanted or word) from None


def nearest_neighbours(
    vectors: np.ndarray,
    words: Sequence[str],
    word: str,
    count: int = DEFAULT_NEIGHBOUR_COUNT,
    metric: Metric = "cosine",
) -> list[Neighbour]:
    """The ``count`` words nearest to ``word`` in the ORIGINAL space, closest first (itself excluded).

    Cosine distance is 1 - cos(angle), so it ignores vector length; euclidean distance does not.
    """
    from sklearn.metrics import pairwise_distances

    if metric not in METRICS:
        raise ProjectionError(f"Unknown distance {metric!r}; choose one of {', '.join(METRICS)}.")
    if count < 1:
        raise ProjectionError(f"Ask for at least one neighbour, not {count}.")
    matrix = _as_matrix(vectors)
    if len(words) != len(matrix):
        raise ProjectionError(f"{len(words)} words were given for {len(matrix)} vectors.")
    row = word_index(words, word)
    distances = pairwise_distances(matrix[row : row + 1], matrix, metric=metric)[0]
    order = [index for index in np.argsort(distances, kind="stable") if index != row][:count]
    return [Neighbour(words[index], float(distances[index])) for index in order]
