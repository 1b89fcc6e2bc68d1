"""A shared server in a real browser: crafted link values stay text and load nothing.

Runs `streamlit run app.py` in headless Chromium (the harness of ``tests/test_browser.py``) and
watches the network: nothing from a crafted value may load (a remote image is a tracking pixel).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.conftest import real_data_path
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, PAGE_TIMEOUT_MS, assert_no_exception, serve_app, wait_until_idle
from ui import state
from ui.user_text import WORD_JOINER

EVIL = "evil.example"
CRAFTED = f"[click](https://{EVIL}/) ![p](https://{EVIL}/p.png)"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, synthetic_tarball: Path) -> Iterator[str]:
    with serve_app(tmp_path_factory.mktemp("shared-cache"), real_data_path() or synthetic_tarball) as url:
        yield url


@pytest.fixture()
def page(app_url: str) -> Iterator[Page]:
    """A fresh tab that records every request it makes."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.set_default_timeout(PAGE_TIMEOUT_MS)
        tab.requested = []  # type: ignore[attr-defined]
        tab.on("request", lambda request: tab.requested.append(request.url))  # type: ignore[attr-defined]
        yield tab
        browser.close()


def assert_inert(page: Page) -> None:
    """No link to, image from or request for the crafted host anywhere."""
    assert page.locator(f'a[href*="{EVIL}"]').count() == 0
    assert page.locator(f'img[src*="{EVIL}"]').count() == 0
    assert not [url for url in page.requested if urlparse(url).hostname == EVIL]  # type: ignore[attr-defined]


def test_crafted_link_values_stay_text(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/padding?padding={quote(CRAFTED)}&maxlen={quote('²')}&num_words=1e3")
    # a just-started server looks idle once before app.py's own runs, which refuse the values one by one
    page.locator('[data-testid="stAlertContentWarning"]', has_text="padding=").wait_for()
    wait_until_idle(page)
    assert_no_exception(page, "crafted link")
    warnings = page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts()
    assert any("maxlen=²" in text for text in warnings) and any("num_words=1e3" in text for text in warnings)
    assert any(f"https://{EVIL}/" in text.replace(WORD_JOINER, "") for text in warnings)  # shown as the text it is
    assert_inert(page)


def test_a_typed_word_with_markup_stays_text(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/padding")
    wait_until_idle(page)
    page.locator(f".st-key-{state.PADDING_PICK} button", has_text="Containing a word").click()
    wait_until_idle(page)
    word = page.locator(f".st-key-{state.PADDING_WORD} input")
    word.fill(CRAFTED)
    word.press("Enter")
    wait_until_idle(page)
    assert_no_exception(page, "a typed word with markup")
    warnings = page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts()
    assert any(f"https://{EVIL}/" in text.replace(WORD_JOINER, "") for text in warnings), warnings
    assert_inert(page)


@pytest.mark.parametrize("typed", ["/etc/shadow", "/etc", "/no/such/folder"])
def test_the_data_path_field_refuses_paths_outside_the_allowed_roots(page: Page, app_url: str, typed: str) -> None:
    """The same answer whether the file exists, is unreadable or is missing; choosing another source recovers."""
    page.goto(f"{app_url}/lengths?source={quote('aclImdb text')}")
    wait_until_idle(page)
    field = page.locator(f".st-key-{state.SOURCE_PATH} input")
    field.fill(typed)
    field.press("Enter")
    wait_until_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0, "a traceback for a typed path"
    shown = page.locator('[data-testid="stMain"]').inner_text()
    assert "This server only opens files inside" in shown, shown
    assert "root:" not in shown and "GNU/Linux" not in shown, "a file's content was echoed"
    page.locator(f".st-key-{state.SOURCE_KIND} [data-testid='stSelectbox']").click()
    page.get_by_role("option", name="auto", exact=True).click()
    wait_until_idle(page)
    assert_no_exception(page, "back to the automatic source")
