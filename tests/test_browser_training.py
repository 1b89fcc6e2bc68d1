"""The training studio in a real browser on a 1280 × 720 projector, with real runs in the worker process.

English: starts a run, checks that its live chart is in view and grows, pauses it, queues a
second run behind it, which a second browser sees but cannot cancel and its owner cancels (and
deletes), checks that the second browser cannot pause or stop the first run either, reloads (the
browser keeps control of its run), switches pages and back, stops it and finds it in the runs
list, where only its owner may delete it. Korean: a second run's chart is in view after Train
too, and once it has trained an epoch, a review typed in Korean gets a warning, not a verdict.
Screenshots in both languages.

While a run is active the live panel polls every second, so the page is rarely idle: after Train
the test waits on what the live chart says, not on the script going idle.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from explorer.training.jobs import WORKERS_ENV
from explorer.training.runs import RUN_ID_PATTERN
from tests.test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGE_TIMEOUT_MS,
    SCREENSHOTS,
    app_url,
    assert_no_exception,
    browser_cache,
    main_text,
    wait_until_idle,
)

PROJECTOR = {"width": 1280, "height": 720}
# The book's Embedding(500, 16) + SimpleRNN with 64 units (still the compiled loops) in batches of 16:
# a thousand steps an epoch on the real data, so the run is still going while the test looks at it.
UNITS = 64
BATCH_SIZE = 16
LIVE_TIMEOUT_S = 150  # generous: the worker starts (and imports TensorFlow) on a busy 2-core machine
RUN_ID = re.compile(RUN_ID_PATTERN.pattern.strip("^$"))  # a run id anywhere in a text
POINTS = re.compile(r"(?:Points so far: |지금까지 )([\d,]+)")
LIVE_CHART = ".st-key-training_live_chart"
LIVE_PANEL = ".st-key-training_live"
SETTLE_MS = 1500  # the smooth scroll to the live chart, and the redraw after its first point


@pytest.fixture(scope="module", autouse=True)
def one_training_worker() -> Iterator[None]:
    """The server under test trains one run at a time, whatever the machine's cores: a second run waits
    in the queue. Autouse, so it is set before ``app_url`` starts the server."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(WORKERS_ENV, "1")
        yield


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (no sandbox: CI runs as root); each test opens its own projector-sized tabs."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def projector_tab(browser: Browser) -> Page:
    """A tab in a browser context of its own (its own cookies: another student's browser)."""
    tab = browser.new_page(viewport=PROJECTOR)
    tab.set_default_timeout(PAGE_TIMEOUT_MS)
    return tab


def text_of(tab: Page, selector: str) -> str:
    """The text of the first element ``selector`` finds, or "" while there is none."""
    found = tab.locator(selector)
    return found.first.inner_text() if found.count() else ""


def live_points(tab: Page) -> int:
    """How many points the live chart says it has (0 before the first)."""
    found = POINTS.search(text_of(tab, LIVE_CHART))
    return int(found.group(1).replace(",", "")) if found else 0


Found = TypeVar("Found")


def wait_for(tab: Page, what: str, check: Callable[[], Found], timeout_s: float = LIVE_TIMEOUT_S) -> Found:
    """Poll ``check()`` until it returns something true; that value. Fails naming ``what``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        tab.wait_for_timeout(250)
    raise AssertionError(f"{what} never happened; the page says:\n{main_text(tab)}")


def fill(tab: Page, label: str, value: int) -> None:
    """Type a value into the form's number field called ``label``."""
    field = tab.get_by_label(label, exact=True)
    field.fill(str(value))
    field.press("Enter")
    wait_until_idle(tab)


def press_train(tab: Page) -> str:
    """Press Train and wait until the live chart holds a point; the new run's id."""
    tab.locator(".st-key-training_train button").click()
    wait_for(tab, "a first streamed point", lambda: live_points(tab) > 0)
    tab.wait_for_timeout(SETTLE_MS)
    return RUN_ID.search(tab.locator(".st-key-training_live").inner_text()).group(0)


def assert_chart_in_view(tab: Page, where: str) -> None:
    """The live chart is wholly inside the window, below Streamlit's header bar."""
    figure = tab.locator(".st-key-training_live_figure").first  # plotly hides its own div while it redraws
    chart = wait_for(tab, f"{where}: the live chart drawn", figure.bounding_box, timeout_s=10)
    header = tab.locator('[data-testid="stHeader"]').bounding_box()
    header_bottom = header["y"] + header["height"] if header else 0
    top, bottom = chart["y"], chart["y"] + chart["height"]
    assert header_bottom - 1 <= top and bottom <= PROJECTOR["height"] + 1, (
        f"{where}: the live chart spans {top:.0f}-{bottom:.0f} px of a {PROJECTOR['height']} px window"
        f" (header to {header_bottom:.0f} px)"
    )


def state_of(tab: Page, run_id: str) -> str:
    """The run's state as the live panel's first line says it ("Run … · id … · model · state")."""
    panel = tab.locator(".st-key-training_live")
    lines = panel.inner_text().splitlines() if panel.count() else []
    line = next((line for line in lines if re.search(rf"\bid {run_id}\b", line, re.IGNORECASE)), "")
    return line.rsplit("·", 1)[-1].strip()


def control(tab: Page, key: str) -> Locator:
    """The button with Streamlit key ``key`` (its first match: Streamlit keeps the old one while redrawing)."""
    return tab.locator(f".st-key-{key} button").first


def cancel_buttons(tab: Page) -> Locator:
    """The queue's Cancel buttons: one for each queued run this browser may cancel (twice while Streamlit redraws)."""
    return tab.locator('[class*="st-key-training_cancel_"] button')


def queue_another(tab: Page, running: str) -> str:
    """Train the same settings again while ``running`` holds the only worker; the queued run's id."""
    tab.locator(".st-key-training_train button").click()  # the same settings: the page offers the running run
    control(tab, "training_train_again").click()
    return wait_for(
        tab,
        "a second run in the queue",
        lambda: next((found[0] for found in RUN_ID.finditer(text_of(tab, LIVE_PANEL)) if found[0] != running), None),
    )


def delete_button(tab: Page) -> Locator:
    """The results section's "Delete run" button (it opens a confirmation)."""
    return tab.get_by_role("button", name="Delete run").first


def open_training(tab: Page, app_url: str) -> None:  # noqa: F811
    """Open the training page with the book's data settings and wait until it is drawn."""
    tab.goto(f"{app_url}/training?num_words=500&maxlen=100")
    wait_for(tab, "the training page", lambda: tab.locator(".st-key-training_live").count())
    assert_no_exception(tab, "training page")


def test_a_run_streams_in_view_and_only_its_browser_controls_it(browser: Browser, app_url: str) -> None:  # noqa: F811
    owner = projector_tab(browser)
    open_training(owner, app_url)
    fill(owner, "Batch size", BATCH_SIZE)
    fill(owner, "Units", UNITS)
    fill(owner, "Early-stopping patience", 0)  # it runs until stopped, however fast the machine
    assert_no_exception(owner, "training form")
    run_id = press_train(owner)
    assert_chart_in_view(owner, "after Train (English)")

    counts = [live_points(owner)]
    while len(set(counts)) < 3:  # two updates after the first count
        counts.append(wait_for(owner, "a new point", lambda: (n := live_points(owner)) != counts[-1] and n))
        assert state_of(owner, run_id) == "running", "the run ended before two updates"
    assert counts == sorted(counts), f"the live curves shrank: {counts}"

    control(owner, "training_pause").click()
    wait_for(owner, "the pause", lambda: state_of(owner, run_id) == "paused")
    queued = queue_another(owner, run_id)
    wait_for(owner, "the second run queued", lambda: state_of(owner, queued) == "queued")

    other = projector_tab(browser)  # another student's browser: it sees the runs, but cannot control them
    open_training(other, app_url)
    # the runs list is drawn after the queue: once it is there, so are any Cancel buttons of this page run
    wait_for(
        other,
        "the queued run in a second browser",
        lambda: state_of(other, queued) == "queued" and "Runs on this server" in main_text(other),
    )
    assert cancel_buttons(other).count() == 0, "another browser may cancel the queued run"
    assert control(other, "training_stop").is_disabled(), "another browser may stop (cancel) the queued run"
    cancel_buttons(owner).first.click()  # its only queued run
    wait_for(  # the reason is in the results, which show the run that just ended
        owner,
        "the cancel",
        lambda: state_of(owner, queued) == "stopped" and "cancelled by its owner before it started" in main_text(owner),
    )
    wait_for(other, "the running run in a second browser", lambda: state_of(other, run_id) == "paused")
    assert "only that browser, or the teacher, can pause or stop it" in main_text(other)
    assert control(other, "training_pause").is_disabled() and control(other, "training_stop").is_disabled()
    other.context.close()
    delete_button(owner).click()  # the cancelled run is the one shown in the results: out of the later checks' way
    owner.get_by_role("button", name=f"Delete run {queued} and all its files").click()
    wait_for(owner, "the cancelled run deleted", lambda: queued not in main_text(owner))

    owner.reload()  # the browser's cookie keeps control of its run across a reload
    wait_for(owner, "the panel after a reload", lambda: state_of(owner, run_id) == "paused")
    assert control(owner, "training_pause").is_enabled() and control(owner, "training_stop").is_enabled()

    owner.locator('[data-testid="stSidebarNav"] a[href$="/lengths"]').click()
    wait_until_idle(owner)
    owner.locator('[data-testid="stSidebarNav"] a[href$="/training"]').click()
    wait_for(owner, "the run after a page switch", lambda: state_of(owner, run_id) == "paused")
    assert live_points(owner) >= counts[-1], "points were lost on a page switch"

    control(owner, "training_stop").click()
    wait_for(owner, "the run in the runs list", lambda: "Test accuracy" in main_text(owner))
    assert_no_exception(owner, "training page after the stop")
    assert run_id in main_text(owner)
    assert delete_button(owner).is_enabled(), "the owner cannot delete its own run"
    with owner.expect_download() as download:  # the notebook is written when the button is pressed
        owner.locator(".st-key-code_behind_notebook button").click()
    notebook = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert notebook["cells"] and run_id in json.dumps(notebook), "the notebook does not reproduce the run"
    other = projector_tab(browser)
    open_training(other, app_url)
    wait_for(other, "the runs list in a second browser", lambda: "Test accuracy" in main_text(other))
    assert run_id in main_text(other) and delete_button(other).is_disabled(), "another browser may delete the run"
    other.context.close()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    owner.screenshot(path=SCREENSHOTS / "training-1280x720-en.png", full_page=True)
    owner.context.close()


def test_in_korean_the_chart_is_in_view_and_korean_text_gets_no_verdict(browser: Browser, app_url: str) -> None:  # noqa: F811
    tab = projector_tab(browser)
    open_training(tab, app_url)
    wait_until_idle(tab)  # no run is active: the page goes idle
    tab.locator('[data-testid="stSidebar"] button', has_text="한국어").first.click()
    wait_until_idle(tab)
    assert "훈련 스튜디오" in main_text(tab)
    assert "Embedding(500, 16) → SimpleRNN(8)" in main_text(tab), "the form lost the book's model"
    run_id = press_train(tab)
    assert_chart_in_view(tab, "after Train (Korean)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=SCREENSHOTS / "training-1280x720-ko.png")

    wait_for(
        tab, "a whole epoch (its weights are saved)", lambda: re.search(r"최고 에포크\s+\d", text_of(tab, LIVE_PANEL))
    )
    control(tab, "training_stop").click()
    wait_for(tab, "the stop", lambda: state_of(tab, run_id) == "중지됨")
    review = tab.locator(".st-key-training_review textarea")
    wait_for(tab, "the try-your-own-review box", review.count)
    review.fill("정말 재미있는 영화였어요")  # Korean: every word is unknown to an English vocabulary
    review.press("Control+Enter")
    wait_until_idle(tab)
    assert_no_exception(tab, "try your own review in Korean")
    shown = main_text(tab)
    assert "모델이 아는 단어가 0개뿐입니다" in shown, "Korean text got no warning"
    assert "P(긍정)" not in shown, "Korean text got a verdict"
    tab.context.close()
