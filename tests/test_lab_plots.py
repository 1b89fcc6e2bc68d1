"""The lab's figures carry the numbers they are given, and mark what they promise to mark."""

from __future__ import annotations

import numpy as np

from explorer import palette
from explorer.lab.plots import (
    collision_curve,
    feature_bars,
    gate_heatmaps,
    hashed_columns,
    matrix_heatmap,
    matrix_modes_figure,
    probability_curve,
    state_heatmap,
    state_paths,
)
from explorer.lab.recurrent import ProjectedPaths


def test_matrix_heatmaps_show_the_matrices_with_named_axes() -> None:
    matrix = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    figure = matrix_heatmap(matrix, ["the", "cat"], ["·", "the", "cat"], "1", "en")
    np.testing.assert_array_equal(figure.data[0].z, matrix)
    assert list(figure.layout.xaxis.ticktext) == ["·", "the", "cat"] and list(figure.layout.yaxis.ticktext) == [
        "the",
        "cat",
    ]
    modes = matrix_modes_figure({"binary": matrix, "count": 2 * matrix}, ["0", "1"], ["·", "the", "cat"])
    assert [trace.z.max() for trace in modes.data] == [1.0, 2.0]


def test_hashed_columns_join_the_words_that_collide() -> None:
    figure = hashed_columns(["a", "b", "c"], [7, 7, 2], 10, "en")
    assert list(figure.data[0].x) == [7, 7, 2]
    assert len(figure.data) == 2 and list(figure.data[1].y) == [0, 1]  # one line, joining rows 0 and 1
    assert len(hashed_columns(["a", "b"], [1, 2], 10, "en").data) == 1


def test_state_and_gate_heatmaps_put_tokens_across_and_units_down() -> None:
    states = np.arange(6.0).reshape(3, 2)  # 3 steps, 2 units
    figure = state_heatmap(states, ["a", "b", "c"], "en")
    np.testing.assert_array_equal(figure.data[0].z, states.T)
    assert list(figure.layout.xaxis.ticktext) == ["a", "b", "c"]
    gates = gate_heatmaps(
        {"update": states / 10, "reset": states / 20, "candidate": -states / 5}, ["a", "b", "c"], "en"
    )
    assert len(gates.data) == 3
    assert [annotation.text for annotation in gates.layout.annotations] == [
        "Update gate z",
        "Reset gate r",
        "Candidate",
    ]


def test_probability_curve_labels_the_biggest_jumps_with_their_tokens() -> None:
    probabilities = np.array([0.5, 0.5, 0.9, 0.85, 0.1])
    figure = probability_curve(probabilities, ["the", "film", "great", "but", "awful"], "en")
    np.testing.assert_array_equal(figure.data[0].y, probabilities)
    labelled = {annotation.text: annotation.x for annotation in figure.layout.annotations}
    assert labelled == {"awful": 4, "great": 2, "but": 3}  # "the" and "film" moved nothing


def test_paths_curves_and_bars_carry_their_data() -> None:
    projected = ProjectedPaths([np.zeros((3, 2)), np.ones((2, 2))], np.array([0.7, 0.2]))
    paths = state_paths(projected, [["a", "b", "c"], ["d", "e"]], [1, 0], ["pos", "neg"])
    assert [len(trace.x) for trace in paths.data] == [3, 1, 2, 1]  # each path, then its end star
    assert paths.layout.xaxis.title.text == "PC1 (70%)"
    curve = collision_curve(np.array([10, 100]), np.array([0.9, 0.2]), np.array([0.8, 0.1]), 100, "en")
    assert list(curve.data[0].y) == [0.9, 0.2] and list(curve.data[1].y) == [0.8, 0.1]
    bars = feature_bars([("great", 2.0), ("bad", -1.5)], "weight")
    assert list(bars.data[0].x) == [2.0, -1.5] and list(bars.data[0].marker.color) == [
        palette.POSITIVE,
        palette.NEGATIVE,
    ]
