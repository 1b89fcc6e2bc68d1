"""Shared links carry a page's own state (issue 13, item 19): the padding page's review and word.

The projections and inside-the-RNN pages' links are tested with their pages (test_page_embeddings.py,
test_page_lab.py); the browser test (test_browser_lab_links.py) opens such links in Chromium.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.apptest import TIMEOUT_S
from tests.conftest import REPO
from ui import state


def linked_page(page: str, **params: str) -> AppTest:
    """The app opened from a link with query ``params``, switched to ``pages/<page>.py``."""
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT_S)
    app.query_params.update(params)
    app.run().switch_page(f"pages/{page}.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_a_link_opens_the_padding_page_at_its_review(app_environment: Path) -> None:
    app = linked_page("padding", **{state.PADDING_INDEX: "7"})
    assert app.number_input(key=state.PADDING_INDEX).value == 7
    assert any(m.value.startswith("Review **#7**") for m in app.markdown)


def test_a_link_opens_the_padding_page_at_a_searched_word(app_environment: Path) -> None:
    app = linked_page("padding", **{state.PADDING_PICK: "Containing a word", state.PADDING_WORD: "film"})
    assert app.segmented_control(key=state.PADDING_PICK).value == "word"
    assert app.text_input(key=state.PADDING_WORD).value == "film"


def test_a_review_number_out_of_range_in_a_link_is_reported(app_environment: Path) -> None:
    app = linked_page("padding", **{state.PADDING_INDEX: "99999999"})
    assert any(state.PADDING_INDEX in warning.value and "99999999" in warning.value for warning in app.warning)
    assert app.number_input(key=state.PADDING_INDEX).value == 0
