"""The training studio in a real browser, with a real (tiny) training run in the worker process.

Starts a run on 200 reviews, watches its curves grow, checks that a second tab sees the run
without being able to stop it and that a page switch keeps it going, stops it, finds it in the
runs list, and saves screenshots in both languages (as ``tests/test_browser.py`` does).
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page

from explorer.training.runs import RUN_ID_PATTERN
from tests.test_browser import (  # noqa: F401 (fixtures)
    SCREENSHOTS,
    app_url,
    assert_no_exception,
    browser_cache,
    main_text,
    page,
    wait_until_idle,
)

SUBSET = 200  # reviews: a few seconds per epoch even on two busy cores
BATCH_SIZE = 16
# The book's 8 units train 100 epochs of 200 reviews in about a second with the compiled loops;
# 512 units (trained by Keras under XLA) take seconds per epoch, so the run is still going while
# the test looks at it. The compiled loops in the worker are tested in tests/test_training_jobs.py.
UNITS = 512
LIVE_TIMEOUT_S = 150  # the first epoch waits for the worker's TensorFlow import and compilation
RUN_ID = re.compile(RUN_ID_PATTERN.pattern.strip("^$"))  # a run id anywhere in a text
POINTS = re.compile(r"([\d,]+) ?(?:points so far|개의 점)")
NAME = "Embedding(500, 16) → SimpleRNN(512)"  # the form's model once its units changed: the run's name


def fill(tab: Page, label: str, value: int) -> None:
    """Type a value into the form's number field called ``label``."""
    field = tab.get_by_label(label, exact=True)
    field.fill(str(value))
    field.press("Enter")
    wait_until_idle(tab)


def live_text(tab: Page) -> str:
    live = tab.locator(".st-key-training_live_chart")
    return live.inner_text() if live.count() else ""


def live_points(tab: Page) -> int:
    """How many points the live chart says it has (0 before the first)."""
    found = POINTS.search(live_text(tab))
    return int(found.group(1).replace(",", "")) if found else 0


def wait_for_text(tab: Page, pattern: str, timeout_s: float = LIVE_TIMEOUT_S) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = main_text(tab)
        if re.search(pattern, text):
            return text
        tab.wait_for_timeout(500)
    raise AssertionError(f"{pattern!r} never appeared:\n{main_text(tab)}")


def switch_to(tab: Page, url: str, key: str) -> None:
    tab.locator(f'[data-testid="stSidebarNav"] a[href="{url}/{key}"]').click()
    tab.wait_for_url(f"{url}/{key}**")
    wait_until_idle(tab)


def test_a_short_run_streams_survives_a_page_switch_stops_and_is_listed(page: Page, app_url: str) -> None:  # noqa: F811
    page.goto(f"{app_url}/training?num_words=500&maxlen=100")
    wait_until_idle(page)
    assert_no_exception(page, "training page")
    fill(page, "Training reviews (0 = all)", SUBSET)
    fill(page, "Batch size", BATCH_SIZE)
    fill(page, "Units", UNITS)
    fill(page, "Early-stopping patience", 0)  # it runs until stopped, however fast the machine
    assert_no_exception(page, "training form")
    page.locator(".st-key-training_train button").click()
    run_id = RUN_ID.search(wait_for_text(page, rf"id {RUN_ID.pattern}.*(queued|running)")).group(0)

    counts = [live_points(page)]
    deadline = time.monotonic() + LIVE_TIMEOUT_S
    while len(set(counts)) < 3 and time.monotonic() < deadline:  # two updates after the first count
        page.wait_for_timeout(500)
        counts.append(live_points(page))
        assert "running" in main_text(page) or "queued" in main_text(page), "the run ended before two updates"
    assert len(set(counts)) >= 3 and counts == sorted(counts), f"the live curves did not grow twice: {counts}"

    second = page.context.browser.new_page()  # a new context: another browser, without the owner cookie
    second.goto(f"{app_url}/training")
    wait_until_idle(second)
    shown = main_text(second)
    assert run_id in shown and "only that browser, or the teacher, can pause or stop it" in shown
    assert second.locator(".st-key-training_stop button").first.is_disabled()
    second.close()

    switch_to(page, app_url, "lengths")
    switch_to(page, app_url, "training")
    assert_no_exception(page, "training page after a page switch")
    assert re.search(rf"id {run_id}.*running", main_text(page)), "the run was lost on the way back"
    assert live_points(page) >= counts[-1]

    page.locator(".st-key-training_stop button").first.click()
    wait_for_text(page, rf"id {run_id}.*stopped")
    wait_until_idle(page)
    assert_no_exception(page, "training page after the stop")
    results = wait_for_text(page, "Test accuracy")
    assert results.count(f"{NAME} #1") >= 2, "the stopped run is not in the runs list"  # live panel + picker

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_text("3 · Live").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "training-en.png", full_page=True)
    page.locator('[data-testid="stSidebar"] button', has_text="한국어").first.click()
    wait_until_idle(page)
    assert_no_exception(page, "training page in Korean")
    assert "훈련 스튜디오" in main_text(page)
    page.get_by_text("3 · 실시간").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "training-ko.png", full_page=True)
