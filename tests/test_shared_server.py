"""A server shared by a class: link values parsed strictly and shown inert, paths kept inside allowed roots,
a full cache disk survived, one-hots built without identity matrices."""

from __future__ import annotations

import errno
import json
import tarfile
import tracemalloc

import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from explorer.book import BOOK_MAXLEN, BOOK_NUM_WORDS
from explorer.data import aclimdb, sources
from explorer.data.glove import GloveError, load_glove
from explorer.lab.recurrent import CELL_KINDS, OneHotInputs, run_recurrent
from explorer.lab.run_trace import trace_run
from explorer.palette import BODY_TEXT, larger_text
from explorer.paths import ALLOWED_ROOTS_ENV, PathNotAllowed, allowed_path
from explorer.sequences import length_plots
from explorer.training.config import GATES, ConfigError, RunConfig, glove_dimension
from tests.apptest import open_page
from tests.conftest import REPO
from ui.charts import SharedFigure
from ui.presenter import PRESENTER_ZOOM
from ui.user_text import SHOWN_CHARACTERS, WORD_JOINER, markdown_literal, shown_value

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


def test_markdown_literal_breaks_every_autolink():
    """GitHub-style autolinks are found after escapes are resolved: a word joiner keeps them from starting."""
    typed = "https://evil.example/ HTTP://evil.example www.evil.example me@evil.example"
    plain = markdown_literal(typed).replace("\\", "")  # what the reader sees, the escapes resolved
    assert "https://" not in plain.lower() and "http://" not in plain.lower() and "www." not in plain
    assert "@" not in plain.replace(WORD_JOINER + "@", "")
    assert plain.replace(WORD_JOINER, "") == typed


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


def test_typed_paths_outside_the_allowed_roots_are_refused_alike(isolated_cache, tmp_path, monkeypatch):
    monkeypatch.setenv(ALLOWED_ROOTS_ENV, str(tmp_path / "class"))
    answers = set()
    for outside in ("/etc/shadow", "/etc/no-such-file", "/etc", str(tmp_path / "class" / ".." / "elsewhere")):
        with pytest.raises(PathNotAllowed) as refused:
            sources.resolve("aclimdb", outside, typed=True)
        answers.add(str(refused.value))
    assert len(answers) == 1  # an existing file and a missing one get the same answer
    inside = tmp_path / "class" / "aclImdb_v1.tar.gz"
    assert sources.resolve("aclimdb", str(inside), typed=True).path == str(inside)
    assert sources.resolve("aclimdb", str(isolated_cache / "mine.tar.gz"), typed=True)  # the cache is always allowed


def test_a_link_out_of_an_allowed_root_is_refused(tmp_path, monkeypatch):
    root = tmp_path / "class"
    root.mkdir()
    (root / "escape").symlink_to("/etc")
    monkeypatch.setenv(ALLOWED_ROOTS_ENV, str(root))
    with pytest.raises(PathNotAllowed):
        allowed_path(str(root / "escape" / "passwd"))


def test_a_glove_path_outside_the_roots_is_refused_without_reading_it(tmp_path, monkeypatch):
    monkeypatch.setenv(ALLOWED_ROOTS_ENV, str(tmp_path))
    with pytest.raises(ConfigError, match="cannot be used") as refused:
        glove_dimension("/etc/os-release")
    assert "Linux" not in str(refused.value)
    with pytest.raises(GloveError, match="cannot be used"):
        load_glove("/etc/os-release")
    not_glove = tmp_path / "notes.txt"
    not_glove.write_text("secret words here\n")
    with pytest.raises(GloveError) as reason:
        load_glove(str(not_glove))
    assert "secret" not in str(reason.value)  # a reason never quotes the file


def test_a_folder_containing_aclimdb_is_accepted(isolated_cache, synthetic_tarball, tmp_path, monkeypatch):
    with tarfile.open(synthetic_tarball) as archive:
        archive.extractall(tmp_path / "extracted", filter="data")  # what `tar xzf aclImdb_v1.tar.gz` leaves
    monkeypatch.setenv(ALLOWED_ROOTS_ENV, str(tmp_path))
    spec = sources.resolve("aclimdb", str(tmp_path / "extracted"), typed=True)
    assert spec.path == str(tmp_path / "extracted" / "aclImdb")
    corpus = sources.load(spec)
    assert len(corpus.train) == len(corpus.test) > 0


def test_a_folder_without_aclimdb_data_is_unavailable_not_a_traceback(isolated_cache, tmp_path, monkeypatch):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("hello")
    monkeypatch.setenv(ALLOWED_ROOTS_ENV, str(tmp_path))
    with pytest.raises(sources.DataUnavailable, match="not an aclImdb data set"):
        sources.load(sources.resolve("aclimdb", str(tmp_path / "notes"), typed=True))


def disk_fills_up(stream, **arrays) -> None:
    """``np.savez`` on a disk that fills up half-way through the file."""
    stream.write(b"\0" * 4096)
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_keeps_the_corpus_in_memory_and_writes_nothing(isolated_cache, synthetic_tarball, monkeypatch):
    monkeypatch.setattr(np, "savez", disk_fills_up)
    told = []
    spec = sources.SourceSpec("aclimdb", str(synthetic_tarball))
    corpus = sources.load(spec, unsaved=told.append)
    assert len(corpus.train) > 0 and len(told) == 1 and "No space left" in told[0]
    assert not list((isolated_cache / "corpora").glob("*"))  # nothing half-created


def test_the_page_says_once_that_the_cache_is_full(isolated_cache, synthetic_tarball, tmp_path, monkeypatch):
    fresh = tmp_path / "aclImdb_v1.tar.gz"  # data no earlier test has put in the server's memory
    fresh.write_bytes(synthetic_tarball.read_bytes())
    monkeypatch.setenv(sources.DATA_ENV, str(fresh))
    builds = []
    real_encode = aclimdb.encode
    monkeypatch.setattr(aclimdb, "encode", lambda *args: builds.append(1) or real_encode(*args))
    monkeypatch.setattr(np, "savez", disk_fills_up)
    at = open_page(REPO / "app.py")  # the home page builds the corpus
    assert [w.value for w in at.warning if "could not be saved" in w.value] and at.metric
    at.switch_page("pages/lengths.py").run()
    assert at.metric and not [w.value for w in at.warning if "could not be saved" in w.value]
    at.switch_page("pages/padding.py").run()
    assert not at.exception and not [w.value for w in at.warning if "could not be saved" in w.value]
    assert len(builds) == 1  # encoded once, then served from memory


def test_a_typed_data_path_is_quoted_as_text(app_environment, tmp_path, monkeypatch):
    monkeypatch.setenv(ALLOWED_ROOTS_ENV, str(tmp_path))
    typed = str(tmp_path / "[x](https:" / "evil.example)")
    at = open_page(app_environment, "pages/lengths.py", source="aclimdb", data=typed)
    reasons = " ".join(caption.value for caption in at.caption)
    assert markdown_literal("(https:/evil.example)") in reasons and "](https" not in reasons


def test_outside_the_roots_the_page_says_so_without_a_traceback(app_environment, monkeypatch):
    at = open_page(app_environment, "pages/lengths.py", source="aclimdb", data="/etc")
    assert at.error and not at.exception and not at.metric
    assert "only opens files inside" in " ".join(caption.value for caption in at.caption)


def test_a_figure_is_built_once_for_every_session_with_the_same_settings(app_environment, monkeypatch):
    built = []
    real = length_plots.length_histogram
    monkeypatch.setattr(length_plots, "length_histogram", lambda *args: built.append(args[2]) or real(*args))
    first = open_page(app_environment, "pages/lengths.py", maxlen=777)  # a setting no other test draws
    second = open_page(app_environment, "pages/lengths.py", maxlen=777)
    assert built == [777]
    assert first.get("plotly_chart")[0].proto.spec == second.get("plotly_chart")[0].proto.spec
    open_page(app_environment, "pages/lengths.py", maxlen=778)
    assert built == [777, 778]


def test_a_shared_figure_gives_its_plain_form_once_and_stays_as_built():
    figure = go.Figure(go.Heatmap(z=np.arange(6).reshape(2, 3)), layout={"title": {"text": "ids"}})
    built = json.dumps(figure.to_dict(), sort_keys=True)
    shared = SharedFigure.frozen(figure)
    assert shared is figure and shared.to_dict() is shared.to_dict()  # worked out once, not per draw
    assert json.dumps(shared.to_dict(), sort_keys=True) == built
    assert larger_text(shared, PRESENTER_ZOOM).layout.title.font.size  # a presenter's copy ...
    assert json.dumps(shared.to_dict(), sort_keys=True) == built  # ... leaves the shared figure as it was


def test_presenter_view_enlarges_the_text_of_its_own_chart_never_the_shared_figure(app_environment):
    def tick_size(at: AppTest) -> float | None:
        return json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["xaxis"].get("tickfont", {}).get("size")

    presenting = open_page(app_environment, "pages/lengths.py", maxlen=779, presenter=True)
    assert tick_size(presenting) == pytest.approx(BODY_TEXT * PRESENTER_ZOOM)
    assert tick_size(open_page(app_environment, "pages/lengths.py", maxlen=779)) is None  # the theme's own size
