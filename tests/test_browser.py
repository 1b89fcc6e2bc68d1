"""The real thing: `streamlit run app.py` in headless Chromium, every page, both languages.

Fails on any Streamlit exception element, checks that moving a sidebar slider changes what a
data page shows, and saves a screenshot of every page (``artifacts/screenshots/`` unless
``SCREENSHOT_DIR`` says otherwise) for people to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, sync_playwright

from explorer.training import runs
from explorer.training.config import RunConfig
from tests.conftest import REPO, real_data_path
from ui.navigation import HOME, TOPIC_PAGES

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_TIMEOUT_S = 90
PAGE_TIMEOUT_MS = 180_000  # the first page encodes the real corpus (about 20 s on 2 busy cores)
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or REPO / "artifacts" / "screenshots")
DATA_PAGES = ("lengths", "padding", "onehot")
CLICK_TRIES = 3  # clicks on a chart before a test gives up (one can land while plotly still draws)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def browser_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cache folder of the app under test (empty at the start)."""
    return tmp_path_factory.mktemp("browser-cache")


@contextmanager
def serve_app(cache: Path, data: Path) -> Iterator[str]:
    """A running `streamlit run app.py` on a free local port with ``cache`` and ``data``; its URL.

    The server's output goes to a file, not a pipe: an unread pipe fills up (64 KiB of log lines)
    and then blocks the server's next log write, and with it the event loop every page waits on.
    """
    port = _free_port()
    environment = {**os.environ, "IMDB_EXPLORER_CACHE": str(cache), "IMDB_EXPLORER_DATA": str(data)}
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless=true",
                f"--server.port={port}",
                "--server.address=127.0.0.1",
                "--browser.gatherUsageStats=false",
            ],
            cwd=REPO,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    log.seek(0)
                    pytest.fail(f"streamlit did not start:\n{log.read().decode(errors='replace')}")
                time.sleep(0.5)
        try:
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.fixture(scope="module")
def app_url(browser_cache: Path, synthetic_tarball: Path) -> Iterator[str]:
    """The app under test, shared by this module's tests, with its own empty cache."""
    with serve_app(browser_cache, real_data_path() or synthetic_tarball) as url:
        yield url


@pytest.fixture(scope="module")
def page(app_url: str) -> Iterator[Page]:
    """A Chromium tab (Debian's Chromium, no sandbox: CI runs as root)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.set_default_timeout(PAGE_TIMEOUT_MS)
        yield tab
        browser.close()


def wait_until_idle(page: Page) -> None:
    """Wait until the script run is over and nothing is left loading."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # let plotly finish drawing before screenshots
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


def assert_no_exception(page: Page, where: str) -> None:
    """Neither an exception nor an error box (``st.error``) on the page."""
    for kind in ("stException", "stAlertContentError"):
        shown = page.locator(f'[data-testid="{kind}"]')
        assert shown.count() == 0, f"{where}: {shown.first.inner_text()}"


def open_page(page: Page, app_url: str, key: str, language: str) -> None:
    """Click the page's link in the sidebar navigation and wait for it to render."""
    path = "" if key == HOME.key else key  # the default page lives at the root
    page.locator(f'[data-testid="stSidebarNav"] a[href="{app_url}/{path}"]').click()
    page.wait_for_url(f"{app_url}/{path}**")
    wait_until_idle(page)
    assert_no_exception(page, f"{key} ({language})")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{key}-{language}.png", full_page=True)


def main_text(page: Page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def assert_app_navigation(page: Page) -> None:
    """The sidebar holds app.py's navigation and controls (not the legacy pages/ file list)."""
    links = page.locator('[data-testid="stSidebarNav"] a')
    assert links.count() == 1 + len(TOPIC_PAGES), "the navigation lists other pages than the app registers"
    assert page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').count() == 2


def test_a_deep_link_on_a_fresh_server_gets_the_whole_app(
    page: Page, small_corpus_cache: Path, synthetic_tarball: Path
) -> None:
    # Only the first visit of a fresh server can fall into the legacy pages/ mode: a server of its own.
    with serve_app(small_corpus_cache, synthetic_tarball) as fresh_url:
        page.goto(f"{fresh_url}/padding?maxlen=120")
        # the page's first run may be the legacy one, which reruns as app.py: wait for app.py's sidebar (a
        # busy server, the workers starting beside it, can start that rerun after the page looked idle)
        page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stSlider"]')
        wait_until_idle(page)
        assert_no_exception(page, "deep link")
        assert_app_navigation(page)
        assert "× 120)" in main_text(page)  # the batch caption's shape: the link's maxlen was applied


def test_every_page_in_both_languages(page: Page, app_url: str) -> None:
    page.goto(app_url)
    wait_until_idle(page)
    assert_no_exception(page, "first load")
    assert_app_navigation(page)
    for language, label in (("en", "English"), ("ko", "한국어")):
        page.locator('[data-testid="stSidebar"] button', has_text=label).first.click()
        wait_until_idle(page)
        for entry in (HOME, *TOPIC_PAGES):
            open_page(page, app_url, entry.key, language)


RERUN_TIMEOUT_S = 20  # how long a moved slider may take to redraw a data page
HELD_KEY_STEPS = 40  # arrow-key presses in a row: a teacher holding the key down


@pytest.mark.parametrize("key", DATA_PAGES)
def test_holding_a_maxlen_key_redraws_the_data_page_once(page: Page, app_url: str, key: str) -> None:
    """Each press moves the slider at once, and the page follows once the slider rests (a debounce):
    the browser asks for no rerun per press (which left the pages seconds behind), one at the end."""
    sent: list[float] = []  # when the browser sent the server a message (a rerun request, mostly)
    page.on("websocket", lambda socket: socket.on("framesent", lambda _: sent.append(time.monotonic())))
    page.goto(f"{app_url}/{key}?maxlen=100")
    wait_until_idle(page)
    before = main_text(page)
    thumb = page.locator('[data-testid="stSidebar"] input[type="range"][aria-label^="maxlen"]')
    thumb.focus()
    pressed = time.monotonic()
    for _ in range(HELD_KEY_STEPS):
        thumb.press("ArrowRight")
    released = time.monotonic()
    deadline = released + RERUN_TIMEOUT_S  # nothing is clicked: the rest applies the slider
    while main_text(page) == before and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    wait_until_idle(page)
    assert_no_exception(page, f"{key} after moving maxlen")
    assert f"maxlen={100 + HELD_KEY_STEPS}" in page.url
    assert main_text(page) != before, f"{key} shows the same after maxlen moved from 100 to {100 + HELD_KEY_STEPS}"
    during = [moment for moment in sent if pressed <= moment < released]
    assert len(during) <= 2, f"{len(during)} messages while the key was held: one rerun per press?"
    assert [moment for moment in sent if moment >= released], "no rerun was asked for after the key was let go"


def test_embeddings_of_a_stored_run_and_a_word_search(page: Page, app_url: str, browser_cache: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMDB_EXPLORER_CACHE", str(browser_cache))
        run_id = store_embedding_run()
    page.goto(f"{app_url}/embeddings")
    wait_until_idle(page)
    page.locator('[data-testid="stButtonGroup"] button', has_text="A trained run").first.click()
    wait_until_idle(page)
    assert "Play across epochs" in main_text(page)  # only a run has epochs to play
    assert run_id in page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.inner_html()
    tables = page.locator('[data-testid="stDataFrame"]')
    before = tables.count()  # the semantic axis's table may already be there
    search = page.locator('[data-testid="stMain"] [data-testid="stTextInput"] input').first
    search.fill("film")
    search.press("Enter")
    tables.nth(before).wait_for()  # the neighbour tables appear
    wait_until_idle(page)
    assert_no_exception(page, "embeddings search")
    assert "film" in main_text(page) and tables.count() == before + 2  # two neighbour tables: cosine, euclidean
    page.screenshot(path=SCREENSHOTS / "embeddings-search-en.png", full_page=True)


def store_embedding_run() -> str:
    """A finished run in the engine's format: its config and word vectors after each of 3 epochs."""
    config = RunConfig(encoding="embedding", embedding_dim=8, num_words=500).validate()
    run_id = runs.create_run(config)
    vectors = np.random.default_rng(0).normal(0, 0.1, (config.num_words, config.embedding_dim)).astype(np.float32)
    for epoch in (1, 2, 3):
        runs.save_embedding(run_id, epoch, vectors * epoch)
    runs.write_status(run_id, runs.RunStatus("finished"))
    return run_id


def unit_picked(page: Page, height: float) -> str:
    """Click the why page's unit heat map at ``height`` (0 top, 1 bottom); the page's text, which names the unit."""
    heatmap = page.locator(".st-key-why_units_heatmap .nsewdrag").first
    box = heatmap.bounding_box()
    heatmap.click(position={"x": box["width"] * 0.5, "y": box["height"] * height})
    wait_until_idle(page)
    assert_no_exception(page, "why heat-map click")
    return main_text(page)  # "Where unit 2 is highest", its trace's title


def test_why_page_explains_stored_runs_in_both_languages(page: Page, app_url: str, browser_cache: Path) -> None:
    """The "why" page with a SimpleRNN, an LSTM and a GRU run: every tab, a click on the unit heat map, no
    exception or error box, screenshots at 1280x720 in both languages."""
    from tests.test_page_why import store_three_runs

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMDB_EXPLORER_CACHE", str(browser_cache))
        store_three_runs()
    page.set_viewport_size({"width": 1280, "height": 720})
    try:
        for language, label in (("en", "English"), ("ko", "한국어")):
            page.goto(f"{app_url}/why")
            wait_until_idle(page)
            page.locator('[data-testid="stSidebar"] button', has_text=label).first.click()
            wait_until_idle(page)
            for tab in page.locator('[data-testid="stTab"]').all():
                tab.click()
                wait_until_idle(page)
                assert_no_exception(page, f"why ({language})")
                assert page.locator('[data-testid="stAlertContentError"]').count() == 0, main_text(page)
                page.screenshot(path=SCREENSHOTS / f"why-{tab.inner_text().strip()[:12]}-{language}.png")
            picked = [unit_picked(page, 0.9)]  # a cell in the bottom row, then one in the top row: two units
            for _ in range(CLICK_TRIES):  # a click while plotly is still drawing is lost: click again
                picked.append(unit_picked(page, 0.1))
                if picked[-1] != picked[0]:
                    break
            assert picked[0] != picked[-1], "a click on the heat map did not pick its unit"
            page.screenshot(path=SCREENSHOTS / f"why-units-clicked-{language}.png")
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})
