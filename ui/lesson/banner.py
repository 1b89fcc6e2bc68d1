"""The lesson bar above a step's page: what to look at, the class's prediction, Back and Next."""

from __future__ import annotations

import streamlit as st

from explorer.lesson.facts import FACTS, FactInput, reveal
from explorer.lesson.lessons import Lesson, Prediction, Step
from ui import state
from ui.data import corpus_or_none
from ui.i18n import language, t
from ui.lesson import steps
from ui.presenter import draw_focus, presenting
from ui.sidebar import settings


def draw_lesson_bar(page_key: str) -> None:
    """Above every page: the current step's bar on its page, elsewhere a way back to it."""
    steps.follow_switch()
    found = steps.current()
    if found is None or page_key == steps.LESSON_PAGE_KEY:
        return
    lesson, index = found
    step = lesson.steps[index]
    lang = language()
    if step.page != page_key:
        row = st.container(horizontal=True, vertical_alignment="center")
        row.caption(t("lesson.elsewhere", lesson=lesson.title[lang], step=index + 1))
        row.button(t("lesson.back_to_step"), key="lesson_back_to_step", on_click=steps.go_to, args=(lesson, index))
        return
    draw_focus(step.focus)
    with st.container(border=True, key="lesson_bar"):
        if not presenting():
            st.caption(t("lesson.progress", lesson=lesson.title[lang], step=index + 1, steps=len(lesson.steps)))
            st.progress((index + 1) / len(lesson.steps))
        st.subheader(step.title[lang])
        st.markdown(step.text[lang])
        if step.predict is not None:
            _draw_prediction(lesson, index, step)
        _draw_buttons(lesson, index)


def _draw_buttons(lesson: Lesson, index: int) -> None:
    row = st.container(horizontal=True)
    row.button(
        t("lesson.back"),
        key="lesson_back",
        icon="⬅",
        disabled=index == 0,
        on_click=steps.go_to,
        args=(lesson, index - 1),
    )
    if index + 1 < len(lesson.steps):
        row.button(t("lesson.next"), key="lesson_next", icon="➡", type="primary", on_click=steps.go_to,
                   args=(lesson, index + 1))  # fmt: skip
        row.button(t("lesson.leave"), key="lesson_leave", on_click=steps.leave)
    else:  # the last step: finishing is leaving
        row.button(t("lesson.finish"), key="lesson_finish", icon="🏁", type="primary", on_click=_finish)


def _finish() -> None:
    steps.leave()
    st.session_state[state.LESSON_SWITCH] = "pages/lesson.py"


def _draw_prediction(lesson: Lesson, index: int, step: Step) -> None:
    predict: Prediction = step.predict
    lang = language()
    where = (lesson.lesson_id, index)
    guess_key = state.LESSON_GUESS.format(lesson=lesson.lesson_id, step=index + 1)
    revealed = st.session_state.setdefault(state.LESSON_REVEALED, set())
    st.markdown(t("lesson.predict_title"))
    if predict.kind == "number":
        unit = t("lesson.percent_unit") if FACTS[predict.fact].percent else ""
        guess = st.number_input(f"{predict.question[lang]} {unit}".strip(), value=None, step=1.0, format="%g",
                                placeholder=t("lesson.guess_placeholder"), key=guess_key)  # fmt: skip
    else:
        options = list(range(len(predict.choices)))
        guess = st.radio(predict.question[lang], options, index=None, key=guess_key,
                         format_func=lambda option: predict.choices[option][lang])  # fmt: skip
    if where not in revealed:
        if st.button(t("lesson.reveal"), key=f"{guess_key}_reveal", icon="👀"):
            revealed.add(where)
            st.rerun()
        return
    if predict.kind == "number":
        _reveal_number(predict, guess)
    else:
        right = predict.choices[predict.answer][lang]
        message = t("lesson.right" if guess == predict.answer else "lesson.wrong", answer=right)
        (st.success if guess == predict.answer else st.warning)(message)
    if predict.explain is not None:
        st.markdown(predict.explain[lang])


def _reveal_number(predict: Prediction, guess: float | None) -> None:
    corpus = corpus_or_none()
    if corpus is None:
        return
    chosen = settings()
    given = FactInput(corpus, min(chosen.num_words, corpus.max_num_words), chosen.maxlen, predict.preset)
    result = reveal(predict.fact, given, guess if guess is not None else 0.0)
    shown = (lambda v: f"{v:,.1f} %") if result.percent else (lambda v: f"{v:,.6g}" if v % 1 else f"{v:,.0f}")
    columns = st.columns(3)
    columns[0].metric(t("lesson.real_value"), shown(result.value))
    if guess is None:
        columns[1].metric(t("lesson.your_guess"), "—")
        return
    columns[1].metric(t("lesson.your_guess"), shown(guess))
    off = t("lesson.off_by_share", share=result.relative) if result.relative is not None else ""
    columns[2].metric(t("lesson.off_by"), shown(abs(result.off_by)), off or None, delta_color="off", delta_arrow="off")
