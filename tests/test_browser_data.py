"""The data pages in a real browser at a projector's 1280×720, in English and Korean.

Uses the harness of ``tests/test_browser.py`` (a `streamlit run app.py` of its own, Debian's
Chromium). Fails on any Streamlit exception or error box; checks the lengths page's log axis
(issue 13, item 2) and that the sidebar sliders apply once, on their button (item 21); saves
screenshots of home, lengths, padding and one-hot in both languages to ``SCREENSHOTS/1280x720``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, sync_playwright

from explorer.i18n import translate
from tests.test_browser import (  # noqa: F401  (app_url and browser_cache are fixtures this module uses)
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGE_TIMEOUT_MS,
    SCREENSHOTS,
    app_url,
    browser_cache,
    main_text,
    wait_until_idle,
)
from ui.sidebar import APPLY_AFTER_REST_FLAG

PROJECTOR = {"width": 1280, "height": 720}
LANGUAGES = {"en": "English", "ko": "한국어"}
SHOWN_PAGES = ("", "lengths", "padding", "onehot")  # "" is home
LONGEST_REVIEW_DIGITS = 4  # no IMDB review reaches 10,000 tokens: a log axis ends below 10^4
QUIET_MS = 1_500  # long enough for a rerun to have started, had a key press caused one
APPLY_TIMEOUT_S = 30
FULL_MAX = 8_000  # pixels: the tallest whole-page screenshot


@pytest.fixture(scope="module")
def projector(app_url: str) -> Iterator[Page]:  # noqa: F811
    """A Chromium tab the size of a classroom projector."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport=PROJECTOR)
        tab.set_default_timeout(PAGE_TIMEOUT_MS)
        yield tab
        browser.close()


def assert_clean(page: Page, where: str) -> None:
    """No exception and no error box on the page."""
    for test_id in ("stException", "stAlertContentError"):
        found = page.locator(f'[data-testid="{test_id}"]')
        assert found.count() == 0, f"{where}: {found.first.inner_text()}"


def open_in(page: Page, url: str, path: str, language: str) -> None:
    page.goto(f"{url}/{path}?lang={LANGUAGES[language]}")
    wait_until_idle(page)
    assert_clean(page, f"/{path} ({language})")


def shot(page: Page, name: str) -> None:
    """What the class sees first (1280×720), and the whole page at the same width."""
    folder = SCREENSHOTS / "1280x720"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"{name}.png")
    # Streamlit scrolls inside its own container, so a "full page" screenshot would stop at 720 pixels:
    # the window is made as tall as the page for the second one.
    height = page.evaluate("""() => document.querySelector('[data-testid="stMain"]').scrollHeight""")
    page.set_viewport_size({"width": PROJECTOR["width"], "height": min(max(height, PROJECTOR["height"]), FULL_MAX)})
    page.wait_for_timeout(1_000)  # plotly redraws at the new size
    page.screenshot(path=folder / f"{name}-full.png")
    page.set_viewport_size(PROJECTOR)


@pytest.mark.parametrize("language", LANGUAGES)
def test_data_pages_at_projector_size(projector: Page, app_url: str, language: str) -> None:  # noqa: F811
    for path in SHOWN_PAGES:
        open_in(projector, app_url, path, language)
        shot(projector, f"{path or 'home'}-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_lengths_log_axis_spans_the_reviews(projector: Page, app_url: str, language: str) -> None:  # noqa: F811
    open_in(projector, app_url, "lengths", language)
    projector.locator('[data-testid="stMain"]').get_by_text(translate(language, "lengths.log_x")).click()
    wait_until_idle(projector)
    assert_clean(projector, f"lengths, log axis ({language})")
    axis = projector.evaluate(
        """() => document.querySelector('[data-testid="stMain"] .js-plotly-plot')._fullLayout.xaxis"""
    )
    low, high = axis["range"]
    assert axis["type"] == "log" and 0 <= low < high < LONGEST_REVIEW_DIGITS, axis["range"]
    shot(projector, f"lengths-log-{language}")


def test_apply_applies_the_sliders_and_key_presses_alone_do_not(projector: Page, app_url: str) -> None:  # noqa: F811
    """The Apply button on its own, in a tab where the sidebar's rest-timer is kept from starting: key presses
    move the slider and the address bar without a rerun, and Apply applies them. (The timer that presses
    Apply once the slider rests: ``tests.test_browser.test_holding_a_maxlen_key_redraws_the_data_page_once``.)"""
    tab = projector.context.browser.new_page(viewport=PROJECTOR)
    tab.add_init_script(f"window.{APPLY_AFTER_REST_FLAG} = true;")
    try:
        open_in(tab, app_url, "lengths", "en")
        thumb = tab.locator('[data-testid="stSidebar"] input[type="range"][aria-label^="maxlen"]')
        thumb.wait_for()  # a just-started server looks idle once before app.py's own run draws the sidebar
        wait_until_idle(tab)
        before = main_text(tab)
        thumb.focus()
        for _ in range(100):
            thumb.press("ArrowRight")
        tab.wait_for_timeout(QUIET_MS)
        app = tab.locator('[data-testid="stApp"]')
        assert app.get_attribute("data-test-script-state") == "notRunning" and main_text(tab) == before
        assert "maxlen=200" in tab.url  # the address bar follows the slider at once
        started = time.monotonic()
        tab.locator(".st-key-apply_settings button").first.click()  # by its key: its label is translated
        while "maxlen=200" not in main_text(tab) and time.monotonic() - started < APPLY_TIMEOUT_S:
            tab.wait_for_timeout(100)
        wait_until_idle(tab)
        assert_clean(tab, "lengths after Apply")
        assert "maxlen=200" in main_text(tab), "the page did not follow the applied maxlen"
    finally:
        tab.close()
