"""Running the app (or one of its pages) under Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

TIMEOUT_S = 120


class WarmServerPagesManager(PagesManager):
    """A PagesManager that keeps Streamlit's legacy ``pages/`` mode off, as a warm server has it.

    AppTest switches that mode back on before every run (our page folder is named ``pages``),
    so each run would start the way only a fresh server's first deep link does, which the app
    answers with a rerun (``ui.navigation.require_entrypoint``) that swallows button clicks.
    The browser test covers that first visit; AppTests and benchmarks install this instead
    (``streamlit.testing.v1.app_test.PagesManager = WarmServerPagesManager``).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


def open_page(app: Path, page: str | None = None, **state: object) -> AppTest:
    """Run app.py, switch to ``page`` (e.g. "pages/lengths.py"), with session ``state`` preset."""
    at = AppTest.from_file(str(app), default_timeout=TIMEOUT_S)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    """The page's metrics, label to value."""
    return {metric.label: metric.value for metric in at.metric}


def rerun_with(at: AppTest, **state: object) -> AppTest:
    """Change session state (as a widget would) and rerun, asserting no exception."""
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at: AppTest, key: str) -> AppTest:
    """Click the button ``key`` and rerun, asserting no exception."""
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at
