"""Lessons: guided paths through the book's chapters, one data file each (lessons/*.toml)."""

import streamlit as st

from explorer.lesson.lessons import Lesson
from ui.i18n import language, t
from ui.lesson import steps
from ui.page import page_header

page_header("lesson")
lang = language()
found = steps.current()
if found is not None:
    lesson, index = found
    st.info(t("lesson.following", lesson=lesson.title[lang], step=index + 1, steps=len(lesson.steps)))
    row = st.container(horizontal=True)
    row.button(t("lesson.back_to_step"), key="lesson_resume", type="primary", on_click=steps.go_to, args=found)
    row.button(t("lesson.leave"), key="lesson_leave", on_click=steps.leave)

lessons = steps.all_lessons()
if not lessons:
    st.info(t("lesson.none"))
for lesson_id, lesson in lessons.items():
    with st.container(border=True):
        if not isinstance(lesson, Lesson):
            st.error(t("lesson.broken", lesson=lesson_id))
            st.text(lesson)  # the file's own words (as text, never markdown), with file, step and field
            continue
        st.subheader(lesson.title[lang])
        st.markdown(lesson.summary[lang])
        for number, step in enumerate(lesson.steps, 1):
            question = " ❓" if step.predict is not None else ""
            st.text(f"{number}. {step.title[lang]} ({t(f'{step.page}.nav_title')}){question}")
        st.button(t("lesson.start"), key=f"lesson_start_{lesson_id}", icon="▶", on_click=steps.go_to, args=(lesson, 0))
st.caption(t("lesson.write_your_own"))
