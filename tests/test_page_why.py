"""AppTest of the "why did it say that?" page (with and without trained runs) and the projections' semantic axis."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer.paths import CACHE_ENV
from explorer.training.config import RunConfig
from tests.test_page_lab import assert_clean, chart_count, page, store_run
from ui import state


@pytest.fixture()
def own_cache(app_environment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of this test's own, so the runs written here stay here."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def store_three_runs() -> dict[str, str]:
    """A SimpleRNN, an LSTM and a GRU run with random weights, by layer."""
    return {
        layer: store_run(RunConfig(layer=layer, units=3, embedding_dim=4, num_words=50, maxlen=30).validate())
        for layer in ("simple_rnn", "lstm", "gru")
    }


def test_without_a_run_it_says_what_is_missing_and_links_to_training(own_cache: Path) -> None:
    app = page("why").run()
    assert_clean(app)
    assert any("no trained" in info.value.lower() or "there is none" in info.value for info in app.info)
    assert chart_count(app) == 0
    assert not app.tabs


def open_tab(app: AppTest, label: str) -> AppTest:
    """Switch the page's stateful tabs (only the open one is drawn) and rerun."""
    app.session_state[state.WHY_TAB] = label
    return app.run()


def texts(app: AppTest) -> str:
    return " ".join(markdown.value for markdown in app.markdown)


def test_every_section_draws_for_stored_runs(own_cache: Path) -> None:
    stored = store_three_runs()
    app = page("why").run()
    assert_clean(app)
    assert app.selectbox(key="why_run").value == stored["gru"]  # the newest run comes first
    assert [tab.label for tab in app.tabs] == ["Token attributions", "Memory over distance", "Hidden units"]
    probability = float(next(metric for metric in app.metric if metric.label == "P(positive)").value)
    assert 0.0 <= probability <= 1.0
    assert "Where unit" not in texts(app)  # hidden tabs compute nothing
    for method in ("integrated_gradients", "gradient_x_input"):
        app.segmented_control(key="why_method").set_value(method).run()
        assert_clean(app)
        assert any(f"Shown: {name}" in m.value for m in app.markdown for name in ("integrated", "gradient ×"))
    app.segmented_control(key="why_occluder").set_value("delete").run()
    assert_clean(app)
    open_tab(app, "Memory over distance")
    assert_clean(app)
    assert chart_count(app) == 1
    assert set(app.multiselect(key="why_memory_runs").value) == set(stored.values())
    assert "pre padding" in texts(app) and "%" in texts(app) and "keeps the least of the review" in texts(app)
    open_tab(app, "Hidden units")
    assert_clean(app)
    assert chart_count(app) == 2  # the unit x word heat map and the unit's trace along the review
    app.selectbox(key=state.WHY_UNIT).set_value(2).run()
    assert_clean(app)
    assert "Where unit 2 is highest" in texts(app)
    app.selectbox(key="why_run").set_value(stored["simple_rnn"]).run()
    app.number_input(key="why_review").set_value(5).run()
    assert_clean(app)
    assert "Where unit 2 is highest" in texts(app)  # the rerun stayed on the tab


def test_a_typed_review_is_explained_and_an_empty_one_asked_for(own_cache: Path) -> None:
    store_three_runs()
    app = page("why").run()
    app.segmented_control(key="why_source").set_value("typed").run()
    assert_clean(app)
    assert app.text_area(key="why_text").value.startswith("The acting was wonderful")
    assert not any(metric.label == "True label" and metric.value != "—" for metric in app.metric)
    app.text_area(key="why_text").input(" !! ").run()
    assert_clean(app)
    assert [info.value for info in app.info] == ["Type at least one word."]


def test_korean(own_cache: Path) -> None:
    store_three_runs()
    app = page("why")
    app.session_state[state.LANGUAGE] = "ko"
    app.run()
    assert_clean(app)
    assert app.title[0].value == "왜 그렇게 판단했을까?"
    assert [tab.label for tab in app.tabs] == ["토큰 기여도", "거리별 기억", "은닉 유닛"]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_projections_page_has_a_semantic_axis(own_cache: Path, language: str) -> None:
    app = page("embeddings")
    app.session_state[state.LANGUAGE] = language
    app.run()
    assert_clean(app)
    assert app.text_input(key="semantic_axis_start").value == "awful"
    before = chart_count(app)
    app.segmented_control(key="semantic_axis_y_mode").set_value("axis").run()
    assert_clean(app)
    assert chart_count(app) == before
    app.text_input(key="semantic_axis_end").input("zzzz").run()
    assert_clean(app)
    assert chart_count(app) == before - 1
    assert any("zzzz" in warning.value for warning in app.warning)


def test_a_stacked_bidirectional_one_hot_run_with_a_mask(own_cache: Path) -> None:
    from explorer.training import runs
    from tests.test_interpret import random_weights

    config = RunConfig(
        encoding="one_hot", layer="gru", units=3, bidirectional=True, stacked=2, mask_zero=True, num_words=50, maxlen=30
    ).validate()
    run_id = runs.create_run(config, "tests", "tests")
    runs.save_weights(run_id, random_weights(config))
    app = page("why").run()
    assert_clean(app)
    assert app.selectbox(key="why_run").value == run_id
    open_tab(app, "Memory over distance")
    assert "keeps the least of the review: 100%" in texts(app)  # the mask skips pads
    open_tab(app, "Hidden units")
    assert len(app.selectbox(key=state.WHY_UNIT).options) == 6  # both directions' units, as the dense layer reads


def test_a_run_with_damaged_weights_is_said_in_one_line(own_cache: Path) -> None:
    stored = store_three_runs()
    (own_cache / "runs" / stored["gru"] / "weights.npz").write_bytes(b"not an npz")  # the newest: shown first
    app = page("why").run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("cannot be read" in warning.value for warning in app.warning)
    assert not app.tabs  # nothing below the one line is attempted
    app.selectbox(key="why_run").set_value(stored["lstm"]).run()
    app = open_tab(app, "Memory over distance")
    assert not app.exception, [e.value for e in app.exception]
    assert app.tabs and any("cannot be read" in warning.value for warning in app.warning)  # the GRU panel only
