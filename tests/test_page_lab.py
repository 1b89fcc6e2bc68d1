"""AppTest of the two lab pages: text to numbers, and inside the RNN (with and without a trained run)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from explorer.paths import CACHE_ENV
from explorer.training import runs
from explorer.training.config import GATES, RunConfig
from tests.conftest import REPO
from ui import state

TIMEOUT_S = 120  # the first run loads the corpus and imports scikit-learn


def page(name: str) -> AppTest:
    """The app, switched to ``pages/<name>.py`` (run it to draw the page)."""
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT_S).run()
    return app.switch_page(f"pages/{name}.py")


def assert_clean(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def chart_count(app: AppTest) -> int:
    return len(app.get("plotly_chart"))


def test_text_page_draws_every_tab_for_typed_text_and_a_review(app_environment: Path) -> None:
    app = page("lab").run()
    assert_clean(app)
    assert chart_count(app) == 5  # one-hot, texts_to_matrix modes, hashed one-hot, collision curve, n-grams
    sequences = [code.value for code in app.code if "texts_to_sequences →" in code.value]
    assert "texts_to_sequences → [1, 2, 3, 4, 1, 5]" in sequences[0]  # "the" (×3) comes first
    app.segmented_control(key="lab_level").set_value("character").run()
    app.select_slider(key="lab_dimension").set_value(2).run()  # five distinct words in two columns must collide
    app.slider(key="lab_n_range").set_value((3, 3)).run()
    assert_clean(app)
    shared = next(metric for metric in app.metric if metric.label == "Columns shared by two or more words")
    assert int(shared.value) >= 1
    app.segmented_control(key="lab_source").set_value("review").run()
    app.segmented_control(key="lab_fit_on").set_value("reviews").run()
    assert_clean(app)
    assert app.number_input(key="lab_review").value == 0


def test_text_page_asks_for_text_when_there_is_none(app_environment: Path) -> None:
    app = page("lab").run()
    app.text_area(key="lab_text").input("  \n ").run()
    assert_clean(app)
    assert [info.value for info in app.info] == ["Type at least one line of text."]


@pytest.fixture()
def own_cache(app_environment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of this test's own, so the runs and baselines written here stay here."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def store_run(config: RunConfig) -> str:
    """A run with random weights in the engine's layout (no TensorFlow needed)."""
    rng = np.random.default_rng(0)
    blocks = GATES[config.layer]
    weights = {
        "embedding/embeddings": rng.normal(0, 0.5, (config.num_words, config.embedding_dim)),
        "rnn_1/forward/kernel": rng.normal(0, 0.5, (config.embedding_dim, blocks * config.units)),
        "rnn_1/forward/recurrent_kernel": rng.normal(0, 0.5, (config.units, blocks * config.units)),
        "rnn_1/forward/bias": rng.normal(
            0, 0.1, (2, 3 * config.units) if config.layer == "gru" else (blocks * config.units,)
        ),
        "dense/kernel": rng.normal(0, 1, (config.units, 1)),
        "dense/bias": np.zeros(1),
    }
    run_id = runs.create_run(config, "tests", "tests")
    runs.save_weights(run_id, weights)
    return run_id


def test_rnn_page_without_runs_offers_the_baseline_and_says_what_is_missing(own_cache: Path) -> None:
    app = page("lab_rnn").run()
    assert_clean(app)
    assert any("needs a trained recurrent run" in info.value for info in app.info)
    assert chart_count(app) == 0
    app.button(key="lab_rnn_baseline").click().run()
    assert_clean(app)
    accuracy = next(metric for metric in app.metric if metric.label == "Test accuracy")
    assert float(accuracy.value) > 0.8
    assert chart_count(app) == 2  # the most positive and most negative n-grams


@pytest.mark.parametrize("layer", ["lstm", "gru", "simple_rnn"])
def test_rnn_page_replays_a_stored_run(own_cache: Path, layer: str) -> None:
    run_id = store_run(RunConfig(layer=layer, units=3, embedding_dim=4, num_words=50, maxlen=20).validate())
    app = page("lab_rnn").run()
    assert_clean(app)
    assert app.selectbox(key="lab_rnn_run").value == run_id
    assert 0.0 <= float(app.metric[-1].value) <= 1.0
    # the stepper's state and curve, then states, gates, paths, verdict
    assert chart_count(app) == (6 if layer != "simple_rnn" else 5)
    if layer == "simple_rnn":
        assert any("no gates" in info.value for info in app.info)
    app.segmented_control(key="lab_rnn_shown").set_value(0).run()
    app.number_input(key="lab_rnn_review_0").set_value(3).run()
    assert_clean(app)
    if layer == "gru":  # the real Keras layer, in a child process, agrees with the numpy replay
        app.button(key="lab_rnn_keras_check").click().run()
        assert_clean(app)
        difference = float(app.success[0].value.rsplit(":", 1)[1])
        assert difference < 1e-5


@pytest.mark.parametrize(("name", "title"), [("lab", "텍스트를 숫자로"), ("lab_rnn", "순환 층의 내부")])
def test_pages_speak_korean(own_cache: Path, name: str, title: str) -> None:
    app = page(name)
    app.session_state[state.LANGUAGE] = "ko"
    app.run()
    assert_clean(app)
    assert app.title[0].value == title


def badges(app: AppTest) -> list[str]:
    """The right / wrong badges' texts (st.badge draws markdown such as ``:green-badge[...]``)."""
    return [m.value for m in app.markdown if "-badge[" in m.value]


def stepped_word(app: AppTest) -> str:
    return next(metric.value for metric in app.metric if metric.label == "Current word")


def test_rnn_page_badges_each_review_and_finds_one_it_gets_wrong(own_cache: Path) -> None:
    store_run(RunConfig(layer="gru", units=3, embedding_dim=4, num_words=50, maxlen=20).validate())
    app = page("lab_rnn").run()
    assert_clean(app)
    shown = float(app.metric[0].value)  # the shown (positive) review's P(positive)
    right_badge = shown >= 0.5
    assert any(("Gets it right" if right_badge else "Gets it wrong") in badge for badge in badges(app))
    for want_right in (False, True):
        before = app.number_input(key="lab_rnn_review_1").value
        app.button(key=f"lab_rnn_find_1_{int(want_right)}").click().run()
        assert_clean(app)
        found = app.number_input(key="lab_rnn_review_1").value
        if app.info and any("none of the next" in info.value for info in app.info):
            assert found == before  # nothing found: the number stays
            continue
        word = "right" if want_right else "wrong"
        assert f"Gets it {word}" in badges(app)[0], (before, found, badges(app))  # the positive review's badge


def test_rnn_stepper_walks_the_words_and_a_typed_review(own_cache: Path) -> None:
    store_run(RunConfig(layer="lstm", units=3, embedding_dim=4, num_words=50, maxlen=20).validate())
    app = page("lab_rnn").run()
    slider = app.slider(key=state.LAB_RNN_STEP)
    assert slider.value == 1 and slider.max >= 2
    slider.set_value(slider.max).run()
    assert_clean(app)
    last = stepped_word(app)
    highlighted = [h.proto.body for h in app.get("html") if "font-weight:600" in h.proto.body]
    assert highlighted and f">{last}</span>" in highlighted[0].replace("&lt;", "<").replace("&gt;", ">")
    assert 0.0 <= float(next(m.value for m in app.metric if m.label == "P(positive) so far")) <= 1.0

    app.segmented_control(key=state.LAB_RNN_SHOWN).set_value("typed").run()
    app.text_area(key=state.LAB_RNN_TYPED).input("film zzqx film").run()
    assert_clean(app)
    assert app.slider(key=state.LAB_RNN_STEP).max == 4  # the start mark and three words
    assert stepped_word(app) == "film"  # the stepper stayed at the end: the typed review's last word


def test_rnn_review_text_is_text_not_markdown(own_cache: Path) -> None:
    store_run(RunConfig(layer="simple_rnn", units=3, embedding_dim=4, num_words=50, maxlen=20).validate())
    app = page("lab_rnn").run()
    assert_clean(app)
    review = [h.proto.body for h in app.get("html") if "pre-wrap" in h.proto.body and "<span" not in h.proto.body]
    assert review and "<br" not in review[0]


def test_rnn_page_state_comes_from_a_link(own_cache: Path) -> None:
    run_id = store_run(RunConfig(layer="gru", units=3, embedding_dim=4, num_words=50, maxlen=20).validate())
    store_run(RunConfig(layer="lstm", units=3, embedding_dim=4, num_words=50, maxlen=20).validate())  # newer
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT_S)
    label = app.run().switch_page("pages/lab_rnn.py").run().selectbox(key=state.LAB_RNN_RUN)
    run_label = next(option for option in label.options if run_id in option)
    linked_app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT_S)
    linked_app.query_params.update({state.LAB_RNN_RUN: run_label, "lab_rnn_review_0": "4", state.LAB_RNN_SHOWN: "0"})
    linked_app.run().switch_page("pages/lab_rnn.py").run()
    assert_clean(linked_app)
    assert linked_app.selectbox(key=state.LAB_RNN_RUN).value == run_id
    assert linked_app.number_input(key="lab_rnn_review_0").value == 4


def test_a_link_to_a_run_that_is_not_here_says_so(own_cache: Path) -> None:
    store_run(RunConfig(layer="gru", units=3, embedding_dim=4, num_words=50, maxlen=20).validate())
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT_S)
    app.query_params[state.LAB_RNN_RUN] = "nosuchrun"
    app.run().switch_page("pages/lab_rnn.py").run()
    assert not app.exception
    assert any("nosuchrun" in warning.value for warning in app.warning)
