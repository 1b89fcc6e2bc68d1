"""Issue 13 in a real browser, in both languages at 1280×720: a projected run opens at its best epoch and
exports name it (item 1), the inside-the-RNN badges, finder and token stepper (item 17), and links that
carry the page's own state (item 19). Fails on any exception or error box; saves screenshots.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from playwright.sync_api import Page

from explorer.i18n import LANGUAGES, translate
from explorer.training import runs
from explorer.training.config import RunConfig
from tests.test_browser import (
    CLICK_TRIES,
    SCREENSHOTS,
    app_url,  # noqa: F401 (a fixture)
    assert_no_exception,
    browser_cache,  # noqa: F401 (a fixture)
    page,  # noqa: F401 (a fixture)
    wait_until_idle,
)
from tests.test_page_lab import store_run as store_recurrent_run
from ui import state
from ui.embeddings.choices import run_option_label

PROJECTOR = {"width": 1280, "height": 720}
EPOCHS = (1, 2, 3)
BEST_EPOCH = 2  # the fabricated history's best validation accuracy


def assert_clean(tab: Page, where: str) -> None:
    assert_no_exception(tab, where)
    errors = tab.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, f"{where}: {errors.first.inner_text()}"


def store_embedding_runs() -> tuple[str, str]:
    """Two finished embedding runs: one whose best epoch is 2 of 3, and a newer one with no validation."""
    ids = []
    for history in ([{"epoch": e, "val_accuracy": a} for e, a in zip(EPOCHS, (0.6, 0.8, 0.7), strict=True)], []):
        config = RunConfig(encoding="embedding", embedding_dim=8, num_words=500).validate()
        run_id = runs.create_run(config, "tests", "tests")
        vectors = np.random.default_rng(len(ids)).normal(0, 0.1, (config.num_words, 8)).astype(np.float32)
        for epoch in EPOCHS:
            runs.save_embedding(run_id, epoch, vectors * epoch)
        runs.write_history(run_id, history)
        runs.write_status(run_id, runs.RunStatus("finished"))
        ids.append(run_id)
    return ids[0], ids[1]


@pytest.fixture(scope="module")
def stored(browser_cache: Path) -> dict[str, str]:  # noqa: F811
    """The runs these tests look at, in the browser server's cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMDB_EXPLORER_CACHE", str(browser_cache))
        best, newest = store_embedding_runs()
        recurrent = store_recurrent_run(RunConfig(layer="lstm", units=4, embedding_dim=4, maxlen=40).validate())
    return {"best": best, "newest": newest, "recurrent": recurrent}


def run_label(language: str, run_id: str, cache: Path) -> str:
    """The run's option label on the projections page: what a bound selectbox writes into a link."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMDB_EXPLORER_CACHE", str(cache))
        return run_option_label(run_id, runs.read_config(run_id), language)


def choose(tab: Page, key: str, run_id: str) -> None:
    """Pick the option that names run ``run_id`` in the selectbox drawn with ``key``.

    A click on a selectbox that still has the focus from the last choice can close it instead of
    opening it: click until its options are listed.
    """
    options = tab.get_by_role("option")
    for _ in range(CLICK_TRIES):
        tab.locator(f".st-key-{key} [data-testid='stSelectbox']").click()
        tab.wait_for_timeout(500)
        if options.count():
            break
    options.filter(has_text=run_id).first.click()
    wait_until_idle(tab)


def epoch_shown(tab: Page) -> str:
    """The epoch slider's value: its text reads label, value, lowest, highest."""
    lines = [
        line for line in tab.locator(f".st-key-{state.EMBEDDINGS_EPOCH}").inner_text().splitlines() if line.strip()
    ]
    return lines[1]


def shoot(tab: Page, key: str, name: str) -> None:
    """A 1280×720 screenshot with the element drawn with ``key`` scrolled into view."""
    tab.locator(f".st-key-{key}").first.scroll_into_view_if_needed()
    tab.wait_for_timeout(500)
    tab.screenshot(path=SCREENSHOTS / f"{name}.png")


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_a_chosen_run_opens_at_its_best_epoch_and_exports_name_it(
    page: Page,  # noqa: F811
    app_url: str,  # noqa: F811
    browser_cache: Path,  # noqa: F811
    stored: dict[str, str],
    language: str,
) -> None:
    page.set_viewport_size(PROJECTOR)
    page.goto(f"{app_url}/embeddings?lang={quote(LANGUAGES[language])}")
    wait_until_idle(page)
    assert_clean(page, f"embeddings ({language})")
    assert epoch_shown(page) == str(EPOCHS[-1]), "the newest run has no validation score: its last epoch"
    choose(page, state.EMBEDDINGS_RUN, stored["best"])
    assert_clean(page, f"embeddings, best run ({language})")
    assert epoch_shown(page) == str(BEST_EPOCH), "a chosen run opens at its best epoch"
    downloads = page.locator('[data-testid="stDownloadButton"]').all_inner_texts()
    assert any(f"vectors_run-{stored['best']}_epoch{BEST_EPOCH:03d}.tsv" in text for text in downloads), downloads
    shoot(page, state.EMBEDDINGS_EPOCH, f"embeddings-best-epoch-{language}")
    shoot(page, "embeddings_download_0", f"embeddings-export-{language}")
    choose(page, state.EMBEDDINGS_RUN, stored["newest"])
    assert epoch_shown(page) == str(EPOCHS[-1]), "back to the other run: its own epoch, not the one left behind"


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_links_carry_the_run_and_the_searched_word(
    page: Page,  # noqa: F811
    app_url: str,  # noqa: F811
    browser_cache: Path,  # noqa: F811
    stored: dict[str, str],
    language: str,
) -> None:
    page.set_viewport_size(PROJECTOR)
    label = quote(run_label(language, stored["best"], browser_cache))
    page.goto(f"{app_url}/embeddings?lang={quote(LANGUAGES[language])}&embeddings_run={label}&embeddings_search=film")
    wait_until_idle(page)
    assert_clean(page, f"embeddings link ({language})")
    assert stored["best"] in page.locator(f".st-key-{state.EMBEDDINGS_RUN}").inner_html()  # the shown choice
    assert page.locator(f".st-key-{state.EMBEDDINGS_SEARCH} input").input_value() == "film"
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1, "the searched word's neighbours are listed"
    search = page.locator(f".st-key-{state.EMBEDDINGS_SEARCH} input")
    search.fill("movie")
    search.press("Enter")
    wait_until_idle(page)
    assert "embeddings_search=movie" in page.url, "typing a word puts it into the link"
    shoot(page, "embeddings_plot", f"embeddings-link-{language}")

    page.goto(f"{app_url}/lab_rnn?lang={quote(LANGUAGES[language])}&lab_rnn_review_0=3&{state.LAB_RNN_SHOWN}=0")
    wait_until_idle(page)
    assert_clean(page, f"lab_rnn link ({language})")
    assert page.locator(".st-key-lab_rnn_review_0 input").input_value() == "3"


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_inside_the_rnn_badges_finder_and_stepper(
    page: Page,  # noqa: F811
    app_url: str,  # noqa: F811
    stored: dict[str, str],
    language: str,
) -> None:
    page.set_viewport_size(PROJECTOR)
    page.goto(f"{app_url}/lab_rnn?lang={quote(LANGUAGES[language])}")
    wait_until_idle(page)
    assert_clean(page, f"lab_rnn ({language})")
    verdicts = [
        translate(language, f"lab_rnn.badge_{side}", probability=0.0).split(":")[0] for side in ("right", "wrong")
    ]
    assert any(verdict in page.locator('[data-testid="stMain"]').inner_text() for verdict in verdicts)
    number = page.locator(".st-key-lab_rnn_review_1 input")
    before = number.input_value()
    page.locator(".st-key-lab_rnn_find_1_0 button").click()  # find one it gets wrong
    wait_until_idle(page)
    assert_clean(page, f"lab_rnn find ({language})")
    none_found = translate(language, "lab_rnn.none_wrong", count=1).split("1")[0]
    assert number.input_value() != before or none_found in page.locator('[data-testid="stMain"]').inner_text()
    # Play itself is not checked here: under load its first step can come later than any fixed wait
    # (it flaked in Korean); the stepper's steps are checked by tests/test_lab_stepper.py.
    shoot(page, "lab_rnn_play", f"lab_rnn-stepper-{language}")
    assert_clean(page, f"lab_rnn stepper ({language})")
    shoot(page, "lab_rnn_find_1_0", f"lab_rnn-badges-{language}")
    shoot(page, "lab_rnn_step_state", f"lab_rnn-step-charts-{language}")


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_text_lab_shows_a_linked_review_as_text(page: Page, app_url: str, language: str) -> None:  # noqa: F811
    page.set_viewport_size(PROJECTOR)
    source = quote(translate(language, "lab.source_review"))
    page.goto(f"{app_url}/lab?lang={quote(LANGUAGES[language])}&{state.LAB_SOURCE}={source}&{state.LAB_REVIEW}=3")
    wait_until_idle(page)
    assert_clean(page, f"lab ({language})")
    assert page.locator(f".st-key-{state.LAB_REVIEW} input").input_value() == "3"
    assert "<br" not in page.locator('[data-testid="stMain"]').inner_text(), "review markup shown raw"
    shoot(page, state.LAB_REVIEW, f"lab-review-{language}")
