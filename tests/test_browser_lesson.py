"""A whole lesson in a real browser, in each language, in presenter view at 1280×720.

Next through every step, answering each prediction (a number typed or a choice clicked) and
revealing it; checks that presenter view shows only the sections the step focuses on; fails on any
exception or error box; saves a screenshot of each step as the
projector shows it (``lesson-<language>-<step>.png`` in the screenshot folder, and the whole page
as ``lesson-<language>-<step>-page.png``).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from explorer.book import BOOK_MAXLEN, BOOK_NUM_WORDS
from explorer.i18n import LANGUAGES, translate
from explorer.lesson.lessons import PAGE_SECTIONS, lesson_files, load_lesson
from tests.test_browser import (  # noqa: F401 (fixtures)
    CLICK_TRIES,
    SCREENSHOTS,
    app_url,
    assert_no_exception,
    browser_cache,
    page,
    wait_until_idle,
)
from ui.lesson.steps import STEP_PARAMS, step_pages
from ui.presenter import SECTION_KEY

PROJECTOR = {"width": 1280, "height": 720}
REVEAL_WAIT_MS = 15_000  # how long the answer may take to show after Reveal (a busy server)
WHOLE_PAGE = {"width": 1280, "height": 2400}  # tall enough for a step's focused sections
LESSON_ID = "hongong_rnn"  # the first seed's chapter: three data pages and two training steps
GUESS = "1000"
SLIDER_DEFAULTS = {
    "num_words": str(BOOK_NUM_WORDS),
    "maxlen": str(BOOK_MAXLEN),
}  # the number the "class" types for a number question


def assert_no_error_box(tab: Page, where: str) -> None:
    errors = tab.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, f"{where}: {errors.first.inner_text()}"


def assert_focus(tab: Page, page_key: str, focus: tuple[str, ...], where: str) -> None:
    """Presenter view shows the step's focused sections of the page and hides its others."""
    shown = {}
    for name in PAGE_SECTIONS.get(page_key, ()):
        found = tab.locator(f".st-key-{SECTION_KEY.format(name=name)}")
        if found.count():
            shown[name] = found.first.evaluate("element => getComputedStyle(element).display") != "none"
    assert focus == () or focus[0] in shown, f"{where}: the focused section {focus[0]} is not on the page"
    assert shown == {name: not focus or name in focus for name in shown}, f"{where}: sections shown {shown}"


def assert_charts_whole(tab: Page, where: str) -> None:
    """Every chart and table on screen is drawn inside its box and the page's column: none loses its axes
    or its right edge (last columns) to the zoom."""
    overflows = tab.evaluate(
        """() => {
            const column = document.querySelector('[data-testid="stMainBlockContainer"]').getBoundingClientRect();
            const shown = [...document.querySelectorAll('[data-testid="stPlotlyChart"], [data-testid="stDataFrame"]')]
                .filter(element => element.offsetParent !== null);
            return shown.map(element => {
                const box = element.getBoundingClientRect();
                const drawn = (element.querySelector('.main-svg') || element).getBoundingClientRect();
                return [Math.round(drawn.width - box.width), Math.round(drawn.height - box.height),
                        Math.round(box.right - column.right)];
            });
        }"""
    )
    assert all(max(sizes) <= 1 for sizes in overflows), f"{where}: cut off by (wider, taller, past column) {overflows}"


def reveal(tab: Page, key: str, answer_text: str) -> bool:
    """Press Reveal until the lesson bar shows the answer (``answer_text`` up to its first placeholder).

    The guess just typed reruns the page; a click that lands during that rerun can be lost, so the
    button is pressed again while it is still there (it goes once the answer shows).
    """
    shown = answer_text.split("{")[0].strip()
    for _ in range(CLICK_TRIES):
        if tab.locator(f".st-key-{key} button").count():
            click_key(tab, key)
        try:
            tab.locator(".st-key-lesson_bar").get_by_text(shown).first.wait_for(timeout=REVEAL_WAIT_MS)
            return True
        except PlaywrightTimeout:
            continue
    return False


def click_key(tab: Page, key: str) -> None:
    """Click the button drawn with ``key`` (Streamlit marks its container with ``st-key-<key>``)."""
    tab.locator(f".st-key-{key} button").first.click()
    wait_until_idle(tab)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_whole_lesson_in_presenter_view(page: Page, app_url: str, language: str) -> None:  # noqa: F811
    lesson = load_lesson(lesson_files()[LESSON_ID], step_pages(), STEP_PARAMS)
    page.set_viewport_size(PROJECTOR)
    page.goto(f"{app_url}/lesson?lang={LANGUAGES[language]}&presenter=true")
    wait_until_idle(page)
    assert_no_exception(page, "lesson page")
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_attribute("data-collapsed") == "true", "presenter view collapses the sidebar"
    click_key(page, f"lesson_start_{LESSON_ID}")
    for number, step in enumerate(lesson.steps, 1):
        where = f"{language} step {number} ({step.page})"
        page.wait_for_url(f"{app_url}/{step.page}**")
        wait_until_idle(page)
        assert_no_exception(page, where)
        bar = page.locator(".st-key-lesson_bar")
        assert step.title[language] in bar.inner_text(), f"{where}: the lesson bar shows another step"
        for name, default in SLIDER_DEFAULTS.items():  # a bound control leaves its default out of the link
            value = step.settings.get(name, default)
            assert (f"{name}={value}" in page.url) == (value != default), f"{where}: {name} is not {value}"
        if step.predict is not None:
            guess = page.locator(f".st-key-lesson_guess_{LESSON_ID}_{number}")
            if step.predict.kind == "number":
                guess.locator("input").fill(GUESS)
                guess.locator("input").press("Enter")
            else:
                guess.locator('[role="radiogroup"] label').first.click()
            wait_until_idle(page)
            expected = "lesson.real_value" if step.predict.kind == "number" else "lesson.right"
            if step.predict.kind == "choice" and step.predict.answer != 0:
                expected = "lesson.wrong"
            revealed = reveal(page, f"lesson_guess_{LESSON_ID}_{number}_reveal", translate(language, expected))
            assert revealed, f"{where}: nothing revealed"
        assert_no_exception(page, where)
        assert_no_error_box(page, where)
        assert_focus(page, step.page, step.focus, where)
        assert_charts_whole(page, where)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"lesson-{language}-{number}.png")
        page.set_viewport_size(WHOLE_PAGE)  # Streamlit scrolls inside its main column: a tall window shows it all
        page.screenshot(path=SCREENSHOTS / f"lesson-{language}-{number}-page.png")
        page.set_viewport_size(PROJECTOR)
        if number < len(lesson.steps):
            click_key(page, "lesson_next")
    click_key(page, "lesson_finish")
    page.wait_for_url(f"{app_url}/lesson**")
    wait_until_idle(page)
    assert_no_exception(page, f"{language} after the lesson")
    assert page.locator(".st-key-lesson_bar").count() == 0
