"""A server shared by a class: link values parsed strictly and shown inert, paths kept inside allowed roots,
a full cache disk survived, one-hots built without identity matrices."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from explorer.book import BOOK_MAXLEN, BOOK_NUM_WORDS
from explorer.lab.recurrent import CELL_KINDS, OneHotInputs, run_recurrent
from explorer.lab.run_trace import trace_run
from explorer.training.config import GATES, RunConfig
from tests.apptest import open_page
from ui.user_text import SHOWN_CHARACTERS, markdown_literal, shown_value

TIMEOUT_S = 120


def opened_with(app, **query: str) -> AppTest:
    at = AppTest.from_file(str(app), default_timeout=TIMEOUT_S)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_link_numbers_are_parsed_strictly_and_the_default_really_used(app_environment):
    at = opened_with(app_environment, maxlen="²", num_words="1e3")
    warnings = " ".join(w.value for w in at.warning)
    assert "maxlen=²" in warnings and "num_words=1e3" in warnings
    assert at.slider(key="maxlen").value == BOOK_MAXLEN
    assert at.slider(key="num_words").value == BOOK_NUM_WORDS  # "1e3" is reported, and 1000 is not used


def test_a_five_thousand_digit_value_is_reported_cut(app_environment):
    at = opened_with(app_environment, maxlen="9" * 5000)
    (warning,) = [w.value for w in at.warning if "maxlen=" in w.value]
    assert "9" * SHOWN_CHARACTERS + "…" in warning and "9" * (SHOWN_CHARACTERS + 1) not in warning
    assert at.slider(key="maxlen").value == BOOK_MAXLEN


def test_a_crafted_link_value_is_shown_as_text(app_environment):
    crafted = "[click](https://evil.example/) ![p](https://evil.example/p.png)"
    at = opened_with(app_environment, padding=crafted)
    (warning,) = [w.value for w in at.warning if "padding=" in w.value]
    assert shown_value(crafted) in warning
    assert "](https" not in warning  # no markdown link or image syntax survives unescaped


def test_markdown_literal_escapes_every_markup_character():
    assert markdown_literal("a*b_c`d[e](f)!<g>:red[h]") == r"a\*b\_c\`d\[e\]\(f\)\!\<g\>\:red\[h\]"
    assert shown_value("x" * 100) == "x" * SHOWN_CHARACTERS + "…"


def test_a_typed_word_with_markup_is_warned_about_as_text(app_environment):
    crafted = "![p](https://evil.example/p.png)"
    at = open_page(app_environment, "pages/padding.py", padding_pick="word", padding_word=crafted)
    (warning,) = [w.value for w in at.warning]
    assert markdown_literal(crafted) in warning and "](https" not in warning


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_one_hot_inputs_run_as_kernel_rows_and_equal_the_dense_one_hot(kind):
    rng = np.random.default_rng(1)
    num_words, units, blocks = 300, 4, GATES[kind]
    ids = rng.integers(0, num_words, size=12)
    bias = rng.normal(size=(2, blocks * units) if kind == "gru" else blocks * units)
    weights = [rng.normal(size=(num_words, blocks * units)), rng.normal(size=(units, blocks * units)), bias]
    sparse = OneHotInputs(ids, num_words)
    dense = np.eye(num_words)[ids]  # the old way, small here, as the reference
    assert np.array_equal(sparse.dense(), dense)
    for inputs, reference in ((sparse, dense), (sparse[::-1], dense[::-1])):
        assert np.allclose(run_recurrent(kind, inputs, weights).states, run_recurrent(kind, reference, weights).states)


def test_a_one_hot_run_is_traced_without_a_num_words_wide_matrix():
    config = RunConfig(encoding="one_hot", num_words=20_000, maxlen=50, units=8)
    rng = np.random.default_rng(2)
    weights = {
        "rnn_1/forward/kernel": rng.normal(size=(20_000, 8)).astype(np.float32),
        "rnn_1/forward/recurrent_kernel": rng.normal(size=(8, 8)).astype(np.float32),
        "rnn_1/forward/bias": np.zeros(8, dtype=np.float32),
        "dense/kernel": rng.normal(size=(8, 1)).astype(np.float32),
        "dense/bias": np.zeros(1, dtype=np.float32),
    }
    tracemalloc.start()
    trace = trace_run(config, weights, rng.integers(0, 20_000, size=50))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 * 2**20  # np.eye(20_000) alone was 3.2 GB; even one dense row block is 8 MB
    assert trace.probabilities is not None and trace.probabilities.shape == (50,)
