"""Projections, alignment, neighbours, polarity, Projector export and figures, on tiny generated data."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy.stats import ortho_group

from explorer.data.ragged import Ragged
from explorer.embeddings import projection_cache
from explorer.embeddings.polarity import PolarityError, word_statistics
from explorer.embeddings.projection import (
    ProjectionError,
    ProjectionSettings,
    UnknownWordError,
    align_frames,
    align_to,
    nearest_neighbours,
    pca_frames,
    project,
    word_index,
)
from explorer.embeddings.projection_cache import cached_projection, epoch_frames, projection_path
from explorer.embeddings.projection_plots import WordPoints, animated_figure, marker_sizes, projection_figure
from explorer.embeddings.projector_export import ExportError, metadata_tsv, vectors_tsv


@pytest.fixture
def vectors() -> np.ndarray:
    """40 words in 8 dimensions: two clusters, so every method has structure to find."""
    rng = np.random.default_rng(7)
    centres = np.repeat([[3.0] * 8, [-3.0] * 8], 20, axis=0)
    return (centres + rng.normal(size=(40, 8))).astype(np.float32)


@pytest.mark.parametrize(
    ("settings", "shape"),
    [
        (ProjectionSettings("pca", components=(1, 2)), (40, 2)),
        (ProjectionSettings("pca", components=(2, 1, 3)), (40, 3)),
        (ProjectionSettings("tsne", dimensions=2, perplexity=5, iterations=250), (40, 2)),
        (ProjectionSettings("tsne", dimensions=3, perplexity=5, iterations=250), (40, 3)),
    ],
)
def test_projection_shapes(vectors, settings, shape):
    result = project(vectors, settings)
    assert result.coordinates.shape == shape
    assert np.all(np.isfinite(result.coordinates))


def test_pca_components_are_chosen_and_variance_matches_numpy(vectors):
    centred = vectors - vectors.mean(axis=0)
    singular = np.linalg.svd(centred, compute_uv=False)
    shares = singular**2 / np.sum(singular**2)
    result = project(vectors, ProjectionSettings("pca", components=(3, 1)))
    np.testing.assert_allclose(result.explained_variance, shares[[2, 0]], rtol=1e-4)
    # the clusters lie along PC1, the second shown axis: it separates them
    first_half, second_half = result.coordinates[:20, 1], result.coordinates[20:, 1]
    assert np.sign(first_half).min() == np.sign(first_half).max() != np.sign(second_half).max()


def test_umap_projects_without_importing_tensorflow():
    # a fresh interpreter, so TensorFlow imported by another test cannot hide an import by umap
    script = (
        "import sys, numpy as np\n"
        "from explorer.embeddings.projection import project, ProjectionSettings\n"
        "x = np.random.default_rng(0).normal(size=(30, 6))\n"
        "r = project(x, ProjectionSettings('umap', dimensions=3, neighbours=5))\n"
        "print(r.coordinates.shape, 'tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    assert completed.stdout.strip().splitlines()[-1] == "(30, 3) False False"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (ProjectionSettings("pca", components=(1, 1)), "different principal components"),
        (ProjectionSettings("pca", components=(1, 9)), "between 1 and 8"),
        (ProjectionSettings("tsne", perplexity=40), "Perplexity"),
        (ProjectionSettings("tsne", iterations=10), "at least 250"),
        (ProjectionSettings("umap", neighbours=1), "neighbours"),
        (ProjectionSettings("umap", min_dist=2.0), "minimum distance"),
        (ProjectionSettings("tsne", dimensions=4), "2 or 3 dimensions"),
        (ProjectionSettings("lda"), "Unknown projection method"),  # type: ignore[arg-type]
    ],
)
def test_impossible_settings_are_refused_clearly(vectors, settings, message):
    with pytest.raises(ProjectionError, match=message):
        project(vectors, settings)


def test_bad_vectors_are_refused(vectors):
    broken = vectors.copy()
    broken[3, 2] = np.nan
    with pytest.raises(ProjectionError, match="NaN"):
        project(broken, ProjectionSettings())
    with pytest.raises(ProjectionError, match="too few"):
        project(vectors[:3], ProjectionSettings())


@pytest.mark.parametrize("dimensions", [2, 3])
def test_alignment_puts_a_rotated_and_reflected_copy_back_in_place(dimensions):
    rng = np.random.default_rng(dimensions)
    reference = rng.normal(size=(50, dimensions))
    rotation = ortho_group.rvs(dimensions, random_state=3)
    reflection = np.diag([-1.0] + [1.0] * (dimensions - 1))
    moved = reference @ rotation @ reflection + rng.normal(size=dimensions) * 5
    assert not np.allclose(moved, reference, atol=1e-2)
    np.testing.assert_allclose(align_to(moved, reference), reference, atol=1e-4)
    aligned = align_frames([moved, reference])
    np.testing.assert_allclose(aligned[0], reference, atol=1e-4)
    np.testing.assert_array_equal(aligned[1], reference.astype(np.float32))


def test_alignment_does_not_rescale_a_frame():
    reference = np.random.default_rng(1).normal(size=(30, 2))
    aligned = align_to(2 * reference, reference)
    spread = np.linalg.norm(aligned - aligned.mean(axis=0))
    assert spread == pytest.approx(2 * np.linalg.norm(reference - reference.mean(axis=0)), rel=1e-5)


def test_pca_frames_share_the_last_epochs_basis(vectors):
    # an earlier epoch that is the last one shrunk towards its centre must look shrunk, not re-fitted
    centre = vectors.mean(axis=0)
    earlier = centre + 0.5 * (vectors - centre)
    frames, variance = pca_frames([earlier, vectors], (1, 2))
    np.testing.assert_allclose(frames[0], 0.5 * frames[1], atol=1e-4)
    assert variance.shape == (2,) and variance[0] > variance[1]


def test_nearest_neighbours_on_a_known_case():
    words = ["origin", "east", "east2", "north", "far_east"]
    points = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.1], [0.0, 1.5], [10.0, 0.0]])
    euclidean = nearest_neighbours(points, words, "east", count=3, metric="euclidean")
    assert [n.word for n in euclidean] == ["origin", "east2", "north"]
    assert [n.distance for n in euclidean] == pytest.approx([1.0, np.hypot(1.0, 0.1), np.hypot(1.0, 1.5)])
    cosine = nearest_neighbours(points[1:], words[1:], "  EAST ", count=2, metric="cosine")
    assert [n.word for n in cosine] == ["far_east", "east2"]
    assert cosine[0].distance == pytest.approx(0.0, abs=1e-6)
    assert cosine[1].distance == pytest.approx(1 - 2.0 / np.hypot(2.0, 0.1), abs=1e-6)


def test_unknown_word_and_bad_neighbour_requests_say_so():
    words = ["good", "bad", "film"]
    with pytest.raises(UnknownWordError, match="'zzz' is not in the vocabulary"):
        word_index(words, "zzz")
    with pytest.raises(ProjectionError, match="Unknown distance"):
        nearest_neighbours(np.eye(3), words, "good", metric="manhattan")  # type: ignore[arg-type]
    with pytest.raises(ProjectionError, match="2 words were given for 3 vectors"):
        nearest_neighbours(np.eye(3), words[:2], "good")


def test_polarity_sign_and_frequency_on_a_tiny_corpus():
    # ids: 4 "great" (positive reviews), 5 "awful" (negative), 6 "film" (both), 7 only once
    reviews = [[1, 4, 6, 4, 4], [1, 4, 6], [1, 5, 6], [1, 5, 6, 7], [1, 4, 5, 6]]
    labels = np.array([1, 1, 0, 0, 1])
    stats = word_statistics(Ragged.from_lists(reviews), labels, size=8)
    assert stats.polarity[4] > 0 > stats.polarity[5]
    assert abs(stats.polarity[6]) < abs(stats.polarity[4])
    np.testing.assert_array_equal(stats.frequency, [0, 5, 0, 0, 5, 3, 5, 1])
    # "great" is counted once per review, however often it is repeated there
    assert stats.positive_reviews[4] == 3 and stats.negative_reviews[4] == 0
    assert np.all(np.isfinite(stats.polarity))


def test_polarity_refuses_mismatched_labels():
    with pytest.raises(PolarityError, match="3 labels were given for 2 reviews"):
        word_statistics(Ragged.from_lists([[1, 4], [1, 5]]), np.array([1, 0, 1]))
    with pytest.raises(PolarityError, match="0 \\(negative\\) or 1"):
        word_statistics(Ragged.from_lists([[1, 4], [1, 5]]), np.array([1, 2]))


def _read_field(text: str) -> str:
    """Undo the Projector escapes (written here independently of the exporter)."""
    out, index = [], 0
    while index < len(text):
        if text[index] == "\\":
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[text[index + 1]])
            index += 2
        else:
            out.append(text[index])
            index += 1
    return "".join(out)


def test_projector_tsv_round_trip():
    words = ["good", "tab\there", "line\nbreak", "back\\slash", "영화"]
    matrix = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    polarity = [0.5, -1.25, 0.0, 2.0, -0.1]
    vectors_text = vectors_tsv(matrix).decode("utf-8")
    read_back = np.array([[float(value) for value in line.split("\t")] for line in vectors_text.splitlines()])
    np.testing.assert_allclose(read_back, matrix, rtol=1e-5)

    lines = metadata_tsv(words, {"polarity": polarity, "frequency": [9, 8, 7, 6, 5]}).decode("utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == len(words) + 2  # header + one line per word + final newline
    assert lines[0].split("\t") == ["word", "polarity", "frequency"]
    rows = [[_read_field(field) for field in line.split("\t")] for line in lines[1:-1]]
    assert [row[0] for row in rows] == words
    assert [float(row[1]) for row in rows] == polarity


def test_projector_export_refuses_mismatched_columns():
    with pytest.raises(ExportError, match="2 values for 3 words"):
        metadata_tsv(["a", "b", "c"], {"polarity": [1, 2]})
    with pytest.raises(ExportError, match="2-D"):
        vectors_tsv(np.zeros(3))
    assert metadata_tsv(["a", "b"]) == b"a\nb\n"  # a single column has no header


def test_cache_stores_once_and_keys_on_vectors_and_parameters(vectors, isolated_cache, monkeypatch):
    settings = ProjectionSettings("tsne", perplexity=5, iterations=250)
    first = cached_projection("run:abc/1", 3, vectors, settings)
    path = projection_path("run:abc/1", 3, vectors, settings)
    assert path.is_file() and path.is_relative_to(isolated_cache / "projections")

    def fail(*_args, **_kwargs):
        raise AssertionError("recomputed a cached projection")

    monkeypatch.setattr(projection_cache, "project", fail)
    np.testing.assert_array_equal(cached_projection("run:abc/1", 3, vectors, settings).coordinates, first.coordinates)
    assert projection_path("run:abc/1", 3, vectors + 1, settings) != path
    assert projection_path("run:abc/1", 3, vectors, ProjectionSettings("tsne", perplexity=6)) != path
    # a parameter the method does not use does not change the key
    unused_changed = ProjectionSettings("tsne", perplexity=5, iterations=250, min_dist=0.9)
    assert projection_path("run:abc/1", 3, vectors, unused_changed) == path


def test_damaged_cache_file_is_recomputed(vectors, isolated_cache):
    settings = ProjectionSettings("pca", components=(1, 2))
    path = projection_path("glove", None, vectors, settings)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not an npz")
    result = cached_projection("glove", None, vectors, settings)
    assert result.coordinates.shape == (40, 2)
    assert np.load(path)["coordinates"].shape == (40, 2)


def test_epoch_frames_align_tsne_frames_and_report_progress(vectors, isolated_cache):
    from scipy.spatial.distance import pdist

    rng = np.random.default_rng(2)
    earlier = vectors + rng.normal(scale=2.0, size=vectors.shape).astype(np.float32)
    reports = []
    settings = ProjectionSettings("tsne", perplexity=5, iterations=250)
    frames, variance = epoch_frames("run:x", [1, 2], [earlier, vectors], settings, lambda *a: reports.append(a))
    assert reports == [(1, 2), (2, 2)] and variance.size == 0
    last, unaligned = project(vectors, settings).coordinates, project(earlier, settings).coordinates
    np.testing.assert_allclose(frames[1], last, atol=1e-5)  # the trained state is the reference
    # the earlier frame is the same picture (a rigid motion keeps every distance), turned towards the last
    np.testing.assert_allclose(pdist(frames[0]), pdist(unaligned), rtol=1e-3, atol=1e-3)
    assert np.linalg.norm(frames[0] - last) <= np.linalg.norm(unaligned - last)
    with pytest.raises(ProjectionError, match="no epochs"):
        epoch_frames("run:x", [], [], settings)


def test_marker_sizes_grow_with_frequency():
    sizes = marker_sizes(np.array([1, 10, 1000, 10]))
    assert sizes[0] < sizes[1] == sizes[3] < sizes[2]


def test_figures_have_words_colour_legend_and_highlight(vectors):
    words = [f"w{i}" for i in range(40)]
    points = WordPoints(words, np.linspace(-2, 2, 40), np.arange(1, 41))
    coordinates = project(vectors, ProjectionSettings("pca", components=(1, 2, 3))).coordinates
    figure = projection_figure(coordinates, points, ["PC1", "PC2", "PC3"], "en", searched=5, neighbours=[6, 7])
    cloud, near, searched = figure.data
    assert cloud.type == "scatter3d" and len(cloud.x) == 40
    assert cloud.marker.colorbar.title.text and cloud.marker.cmid == 0
    assert list(near.text) == ["w6", "w7"] and list(searched.text) == ["w5"]
    with pytest.raises(ValueError, match="do not fit 2 axes"):
        projection_figure(coordinates, points, ["PC1", "PC2"], "en")

    frames = [coordinates[:, :2] * scale for scale in (0.2, 0.6, 1.0)]
    animated = animated_figure(frames, [1, 2, 3], points, ["PC1", "PC2"], "ko", searched=0)
    assert [frame.name for frame in animated.frames] == ["1", "2", "3"]
    np.testing.assert_allclose(animated.frames[0].data[0].x, frames[0][:, 0])
    assert animated.layout.xaxis.range[0] <= frames[-1][:, 0].min()
    assert len(animated.layout.sliders[0].steps) == 3
