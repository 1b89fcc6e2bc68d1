"""Following a lesson: which lesson and step this session is at, and moving between steps.

A step's settings are query parameters a shared link could carry; moving to a step puts them
where a link's values go. The sidebar's controls are bound to the URL, and a bound control can
only be changed through its session-state key, so Next and Back set those keys in their click
callback, before the sidebar is drawn; the next run then switches to the step's page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from explorer.data.ragged import SIDES
from explorer.lesson.lessons import Lesson, LessonError, ParamCheck, lesson_files, load_lesson
from explorer.training.view import PRESETS
from ui import state
from ui.links import int_within, one_of
from ui.navigation import TOPIC_PAGES
from ui.sidebar import MAXLEN_RANGE, NUM_WORDS_RANGE
from ui.training.form import apply_preset

PRESET_PARAM = "preset"  # a step setting that fills the training studio's form with a tutorial model
LESSON_PAGE_KEY = "lesson"  # the lesson page's entry in ui.navigation (not a step's page)


# The settings a step may give, with the checks a link's value gets (the sidebar's ranges).
STEP_PARAMS: dict[str, ParamCheck] = {
    state.NUM_WORDS: int_within(*NUM_WORDS_RANGE),
    state.MAXLEN: int_within(*MAXLEN_RANGE),
    state.PADDING: one_of(SIDES),
    state.TRUNCATING: one_of(SIDES),
    PRESET_PARAM: one_of(PRESETS),
}
INT_PARAMS = (state.NUM_WORDS, state.MAXLEN)


def step_pages() -> dict[str, str]:
    """The pages a step may open: key to file."""
    return {entry.key: entry.path for entry in TOPIC_PAGES if entry.key != LESSON_PAGE_KEY} | {"home": "pages/home.py"}


@st.cache_data(show_spinner=False, max_entries=64)
def _load(path: str, modified: float) -> Lesson | str:
    """The lesson at ``path`` or the reason it is broken (keyed by mtime: an edited file is read again)."""
    try:
        return load_lesson(Path(path), step_pages(), STEP_PARAMS)
    except LessonError as error:
        return str(error)


def all_lessons() -> dict[str, Lesson | str]:
    """Every lesson file by id: the lesson, or why it cannot be used."""
    found: dict[str, Lesson | str] = {}
    for lesson_id, path in lesson_files().items():
        try:
            found[lesson_id] = _load(str(path), path.stat().st_mtime)
        except OSError as error:
            found[lesson_id] = f"{path.name}: cannot be read ({error.strerror})."
    return found


def current() -> tuple[Lesson, int] | None:
    """The lesson this session follows and its step index (from 0), or None.

    A link's ``?lesson=...&step=...`` starts a session following it (the session then keeps its
    place, as the sidebar's navigation drops those parameters); an unknown lesson is ignored.
    """
    if state.LESSON not in st.session_state and state.LESSON in st.query_params:
        st.session_state[state.LESSON] = st.query_params[state.LESSON]
        step_text = st.query_params.get(state.LESSON_STEP, "1")
        st.session_state[state.LESSON_STEP] = int(step_text) if step_text.isdigit() else 1
    followed = st.session_state.get(state.LESSON)
    if not followed:
        return None  # most reruns: no lesson files to list and check
    lesson = all_lessons().get(followed)
    if not isinstance(lesson, Lesson):
        return None
    step = st.session_state.get(state.LESSON_STEP, 1) - 1
    return (lesson, step) if 0 <= step < len(lesson.steps) else (lesson, 0)


def go_to(lesson: Lesson, index: int) -> None:
    """on_click of Start/Next/Back: apply step ``index``'s settings and ask for its page."""
    step = lesson.steps[index]
    for name, value in step.settings.items():
        if name == PRESET_PARAM:
            apply_preset(value)
        else:
            st.session_state[name] = int(value) if name in INT_PARAMS else value
    st.session_state[state.LESSON] = lesson.lesson_id
    st.session_state[state.LESSON_STEP] = index + 1
    st.session_state[state.LESSON_SWITCH] = step_pages()[step.page]


def leave() -> None:
    """on_click of "End the lesson"."""
    for key in (state.LESSON, state.LESSON_STEP):
        st.session_state.pop(key, None)
        st.query_params.pop(key, None)


def follow_switch() -> None:
    """Switch to the page a click asked for (run first thing, before the page draws)."""
    target = st.session_state.pop(state.LESSON_SWITCH, None)
    if target is not None:
        found = current()
        query = {state.LESSON: found[0].lesson_id, state.LESSON_STEP: str(found[1] + 1)} if found else {}
        st.switch_page(target, query_params=query)
