"""The data pages' figures: axis ranges, what is shaded, labelled and translated."""

import numpy as np
import pytest

from explorer.i18n import translate
from explorer.sequences.length_plots import cumulative_curve, length_histogram
from explorer.sequences.memory import WHOLE_ONE_HOT_KEYS, encoding_sizes
from explorer.sequences.memory_plots import memory_bars, one_hot_size_map, ratio_text
from explorer.sequences.padding_plots import token_grid

RNG = np.random.default_rng(0)
LENGTHS = np.r_[RNG.integers(11, 900, 400), 2_494]  # a long tail, like IMDB's longest review
LABELS = RNG.integers(0, 2, len(LENGTHS))


def _xs(figure) -> np.ndarray:
    return np.concatenate([np.asarray(trace.x, dtype=float) for trace in figure.data])


@pytest.mark.parametrize("log_x", [False, True])
def test_length_histogram_axis_spans_the_reviews_only(log_x):
    figure = length_histogram(LENGTHS, LABELS, 100, log_x, "en")
    low, high = figure.layout.xaxis.range
    if log_x:  # a log axis's range is in log10: from the shortest review to just past the longest
        assert figure.layout.xaxis.type == "log"
        assert (low, high) == pytest.approx((np.log10(LENGTHS.min()), np.log10(LENGTHS.max() + 1)))
    else:
        assert (low, high) == pytest.approx((0, LENGTHS.max() + 1))
    assert not figure.layout.annotations  # an annotation on a log axis is what sent it to 10^113
    xs = _xs(figure)
    assert xs.max() <= LENGTHS.max() + 1 and xs.min() >= (LENGTHS.min() if log_x else 0)


def test_length_histogram_shades_what_maxlen_cuts():
    figure = length_histogram(LENGTHS, LABELS, 100, False, "ko")
    cut = next(trace for trace in figure.data if trace.fill == "toself")
    assert cut.name == translate("ko", "lengths.cut_region", maxlen=100)
    assert min(cut.x) == 100 and max(cut.x) == LENGTHS.max() + 1
    assert max(cut.y) == figure.layout.yaxis.range[1]  # the whole height
    positive, negative = figure.data[:2]
    assert positive.line.color != negative.line.color and positive.line.dash != negative.line.dash
    assert not any(trace.fill == "toself" for trace in length_histogram(LENGTHS, LABELS, 5_000, False, "en").data)


@pytest.mark.parametrize("log_x", [False, True])
def test_memory_bars_write_the_ratio_on_every_bar(log_x):
    sizes = encoding_sizes(20_000, 100, 500, 16, 64)
    figure = memory_bars(sizes, WHOLE_ONE_HOT_KEYS, "onehot.padded_int32", log_x, "en")
    labels = dict(zip(figure.data[0].y, figure.data[0].text, strict=True))
    assert labels[translate("en", "onehot.one_hot_float32")] == "4.0 GB · 500× the int32 ids"
    assert labels[translate("en", "onehot.padded_int32")] == "8.0 MB · 1× the int32 ids"
    assert (figure.layout.xaxis.type == "log") == log_x
    assert (figure.layout.xaxis.tickformat, figure.layout.xaxis.ticksuffix) == ("~s", "B")  # 4GB, not 4B
    assert ratio_text(0.5) == "0.5" and ratio_text(1_000) == "1,000"


def test_size_map_has_no_raw_contour_label_and_speaks_korean():
    figure = one_hot_size_map(20_000, 500, 100, 16 * 10**9, "ko")
    machine_line = figure.data[1]
    assert not machine_line.contours.showlabels and machine_line.showlegend
    assert figure.data[0].colorbar.title.text == translate("ko", "onehot.colour_bytes") != "bytes"
    assert figure.layout.legend.y < 0  # below the plot, away from the colour bar's title
    (label,) = figure.layout.annotations
    assert label.text == translate("ko", "onehot.you_are_here") and label.bgcolor == "white"
    assert (label.x, label.y) == pytest.approx((np.log10(500), np.log10(100)))  # log axes take log10 positions


def test_token_grid_collapses_long_padding_and_marks_the_searched_word():
    ids = np.r_[np.zeros(880, dtype=np.int32), [1, 7, 9, 7]]
    words = ["<pad>"] * 880 + ["<start>", "great", "film", "great"]
    figure = token_grid(ids, words, "t", columns=20, searched_id=7)
    cells = figure.data[0].z.ravel()
    labels = figure.data[0].text.ravel()
    assert figure.data[0].z.shape == (1, 20)  # one row: the padding run is one cell
    assert labels[0] == "0 ×880<br><pad>" and labels[2] == "7<br>great"
    assert cells[2] == cells[4] != cells[3]  # the searched word's own colour
    short = token_grid(np.r_[np.zeros(5, dtype=np.int32), [1, 7]], ["<pad>"] * 5 + ["<start>", "great"], "t")
    assert list(short.data[0].text.ravel()[:5]) == ["0<br><pad>"] * 5  # a short run stays as it is


def test_cumulative_marker_label_is_never_clipped():
    marker = cumulative_curve(LENGTHS, 100, "en").data[1]
    assert marker.cliponaxis is False and marker.text == (f"{np.mean(LENGTHS <= 100):.1%}",)
