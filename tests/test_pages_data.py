"""AppTest of the home page, the sidebar and the three data pages, on the generated corpus."""

import base64
import json
import re
import subprocess

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from explorer.book import BOOK_NUM_WORDS
from explorer.data import sources
from explorer.data.corpus import OOV_ID, UNUSED_ID
from explorer.data.ragged import Ragged
from explorer.i18n import LANGUAGES, translate
from explorer.sequences import memory
from explorer.sequences.padding import CATEGORY_SEARCHED
from tests.apptest import click, metrics, open_page, rerun_with


def plotly_array(value: dict | list) -> np.ndarray:
    """A number array from a figure's JSON (plotly writes numpy arrays as base64 with their dtype)."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value, dtype=float).ravel()


def test_home_shows_the_data_card(app_environment):
    at = open_page(app_environment)
    card = metrics(at)
    assert card["Training reviews"] == "120" and card["Test reviews"] == "120"
    assert card["Book's split (train / validation)"] == "96 / 24"


def test_korean_interface(app_environment):
    at = open_page(app_environment, lang="ko")
    assert at.title[0].value == "IMDB 시퀀스 탐색기"
    assert "훈련 리뷰" in metrics(at)


def test_bad_link_values_are_reported(app_environment):
    at = AppTest.from_file(str(app_environment), default_timeout=120)
    at.query_params["maxlen"] = "5000"
    at.query_params["padding"] = "middle"
    at.run()
    warnings = " ".join(w.value for w in at.warning)
    assert "maxlen=5000" in warnings and "padding=middle" in warnings
    assert not at.exception


@pytest.mark.parametrize(("code", "title"), [("ko", "IMDB 시퀀스 탐색기"), ("en", "IMDB Sequence Explorer")])
def test_a_link_may_name_the_language_by_its_code(app_environment, code, title):
    at = AppTest.from_file(str(app_environment), default_timeout=120)
    at.query_params["lang"] = code
    at.run()
    assert not at.exception and not at.warning  # before: "lang=ko is not valid (English / 한국어)"
    assert at.title[0].value == title


def test_missing_data_shows_how_to_provide_it(app_environment, tmp_path, monkeypatch):
    monkeypatch.setenv("IMDB_EXPLORER_DATA", str(tmp_path / "missing.tar.gz"))
    at = open_page(app_environment, "pages/lengths.py")
    assert at.error and "No IMDB data could be loaded" in at.error[0].value
    assert any("IMDB_EXPLORER_DATA" in m.value for m in at.markdown)
    assert not at.metric


def test_lengths_follow_maxlen_and_num_words(app_environment):
    at = open_page(app_environment, "pages/lengths.py", num_words=40)
    before = metrics(at)
    assert before["Reviews"] == "96"
    after = metrics(rerun_with(at, maxlen=20, num_words=10))
    assert "Reviews longer than maxlen=20" in after and "Reviews longer than maxlen=100" in before
    assert float(after["Reviews longer than maxlen=20"].rstrip("%")) > float(
        before["Reviews longer than maxlen=100"].rstrip("%")
    )
    oov = "Out-of-vocabulary tokens at num_words={}"
    assert float(after[oov.format(10)].rstrip("%")) > float(before[oov.format(40)].rstrip("%"))


@pytest.mark.parametrize("split", ["validation", "test", "all"])
def test_lengths_splits(app_environment, split):
    at = open_page(app_environment, "pages/lengths.py")
    expected = {"validation": "24", "test": "120", "all": "240"}[split]
    assert metrics(rerun_with(at, lengths_split=split, lengths_log_x=True))["Reviews"] == expected


def test_num_words_beyond_the_vocabulary_is_explained(app_environment):
    at = open_page(app_environment, "pages/lengths.py", num_words=20_000)
    assert any("distinct words" in info.value for info in at.info)


@pytest.mark.parametrize("mode", ["index", "random", "shortest", "longest", "word"])
def test_padding_picks(app_environment, mode):
    at = rerun_with(open_page(app_environment, "pages/padding.py"), padding_pick=mode, maxlen=30)
    assert any("Review **#" in m.value for m in at.markdown)


def test_padding_unknown_and_cut_words(app_environment):
    at = rerun_with(open_page(app_environment, "pages/padding.py"), padding_pick="word", padding_word="zebra")
    assert "not in this corpus's vocabulary" in at.warning[0].value
    at = rerun_with(at, padding_word="film", num_words=10)
    assert "outside num_words = 10" in at.warning[0].value


def test_padding_post_moves_the_zeros(app_environment):
    at = rerun_with(open_page(app_environment, "pages/padding.py"), padding_pick="shortest", maxlen=200)
    assert "padding='pre'" in at.get("plotly_chart")[0].proto.spec
    at = rerun_with(at, padding="post")
    assert "padding='post'" in at.get("plotly_chart")[0].proto.spec


def test_onehot_numbers_and_proof(app_environment):
    at = open_page(app_environment, "pages/onehot.py", num_words=40, maxlen=100)
    assert metrics(at)["Padded ids (int32)"] == "38.4 kB"  # 96 × 100 × 4 bytes
    assert metrics(at)["One-hot (float32)"] == "1.5 MB"  # 96 × 100 × 40 × 4 bytes
    click(at, "onehot_prove")
    assert at.success and "equals the formula" in at.success[0].value
    codes = " ".join(code.value for code in at.code)
    assert "onehot.nbytes = 1,024,000" in codes and "formula       = 1,024,000" in codes  # 64 × 100 × 40 × 4


def test_onehot_proof_refuses_a_sample_beyond_the_budget(app_environment, monkeypatch):
    monkeypatch.setattr(memory, "ONE_HOT_BUDGET_BYTES", 10**6)
    at = open_page(app_environment, "pages/onehot.py", num_words=40, maxlen=1_000)
    at = rerun_with(at, onehot_sample=90)
    click(at, "onehot_prove")
    assert at.error and "Refused" in at.error[0].value


def test_keras_offline_with_a_local_copy_set_offers_to_switch_back(app_environment, monkeypatch):
    failed = subprocess.CompletedProcess([], 1, "", "Exception: URL fetch failure on imdb.npz")
    monkeypatch.setattr(sources.subprocess, "run", lambda *a, **k: failed)
    at = open_page(app_environment, "pages/lengths.py", source="keras")
    assert at.error and "already points at a local copy" in at.info[0].value
    assert not any("IMDB_EXPLORER_DATA=/path" in m.value for m in at.markdown)  # not "set the variable" again
    click(at, "use_local_copy")
    assert at.session_state["source"] == "auto" and not at.error
    assert metrics(at)["Reviews"] == "96"


def test_num_words_help_counts_the_words_the_code_keeps():
    every_id = Ragged.from_lists([list(range(1_000))])
    kept = np.unique(every_id.with_vocabulary(BOOK_NUM_WORDS, OOV_ID).flat)
    words = len(kept[kept > UNUSED_ID])
    assert words == 496
    for language in LANGUAGES:
        assert f"{words}" in translate(language, "sidebar.num_words_help")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_onehot_says_what_the_book_printed_and_what_keras_3_gives(app_environment, lang):
    at = open_page(app_environment, "pages/onehot.py", lang=lang, num_words=40, maxlen=100)
    formula = next(m.value for m in at.markdown if "float64" in m.value)
    assert "8000000 4000000000" in formula and "8,000,000,000" in formula  # the book's print, and today's
    assert f"{96 * 100 * 40 * 8:,}" in formula  # to_categorical's float64 for this corpus's 96 reviews


def test_onehot_bars_linear_first_log_on_request(app_environment):
    at = open_page(app_environment, "pages/onehot.py", num_words=40)
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert bars["layout"]["xaxis"].get("type") != "log"
    assert "1.5 MB · 40× the int32 ids" in bars["data"][0]["text"]  # the one-hot bar: 96 × 100 × 40 × 4 bytes
    bars = json.loads(rerun_with(at, onehot_log_bars=True).get("plotly_chart")[0].proto.spec)
    assert bars["layout"]["xaxis"]["type"] == "log"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_lengths_log_axis_stays_within_the_reviews(app_environment, lang):
    at = rerun_with(open_page(app_environment, "pages/lengths.py", lang=lang), lengths_log_x=True)
    histogram = json.loads(at.get("plotly_chart")[0].proto.spec)
    low, high = histogram["layout"]["xaxis"]["range"]
    assert histogram["layout"]["xaxis"]["type"] == "log" and 0 <= low < high < 4  # 10^4 tokens at most
    assert not histogram["layout"].get("annotations")


def test_padding_marks_the_searched_word_and_says_what_truncation_dropped(app_environment):
    at = open_page(app_environment, "pages/padding.py")
    at = rerun_with(at, padding_pick="word", padding_word=" Film ", maxlen=1_000)  # every review fits whole
    assert any("and truncation keeps every one" in caption.value for caption in at.caption)
    grid = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert CATEGORY_SEARCHED in plotly_array(grid["z"])
    body = " ".join(element.proto.body for element in at.get("html"))
    assert "<mark>film</mark>" in body.lower() and "“film” (searched)" in body
    at = rerun_with(at, maxlen=1, truncating="post")  # only the start token is left
    assert any("the network never sees it" in warning.value for warning in at.warning)
    body = " ".join(element.proto.body for element in at.get("html"))
    assert re.search(r"<del>.*<mark>film</mark>.*</del>", body, re.IGNORECASE | re.DOTALL)


def test_padding_collapses_long_runs_of_padding(app_environment):
    at = rerun_with(open_page(app_environment, "pages/padding.py"), padding_pick="shortest", maxlen=1_000)
    grid = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert grid["text"][0][0].startswith("0 ×") and len(grid["text"]) <= 5  # not 50 rows of <pad>
    assert plotly_array(grid["z"]).size == 20 * len(grid["text"])


@pytest.mark.parametrize(("lang", "why"), [("en", "own tokeniser"), ("ko", "자체 토크나이저")])
def test_home_puts_the_book_beside_this_explorer(app_environment, lang, why):
    at = open_page(app_environment, lang=lang, num_words=40)
    table = at.table[0].value
    assert table.iloc[0, 0] == "239.00925 / 178.0"  # the book's mean / median
    assert table.loc["train_seq.shape"].tolist() == ["(20000, 100)", "(96, 100)"]
    assert table.loc["train_seq.nbytes"].tolist() == ["8,000,000", f"{96 * 100 * 4:,}"]
    assert any(why in info.value for info in at.info)  # the synthetic corpus is aclImdb text


@pytest.mark.parametrize(("lang", "apply"), [("en", "Apply num_words and maxlen"), ("ko", "num_words와 maxlen 적용")])
def test_sliders_wait_for_the_apply_button(app_environment, lang, apply):
    at = open_page(app_environment, "pages/lengths.py", lang=lang)
    sliders = {slider.key: slider for slider in at.sidebar.slider}
    assert sliders["num_words"].proto.ignore_rerun and sliders["maxlen"].proto.ignore_rerun  # no rerun per key press
    assert at.sidebar.button(key="apply_settings").label == apply
    at.sidebar.slider(key="maxlen").set_value(20)
    at = click(at, "apply_settings")  # the button's rerun carries the slider's new value to the page
    assert translate(lang, "lengths.truncated", maxlen=20) in metrics(at)
