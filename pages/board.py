"""The class board: every finished run on this server, ranked, against the book and the TF-IDF baseline."""

import streamlit as st

from explorer.lesson.board import board_rows
from ui.data import require_corpus
from ui.i18n import t
from ui.lesson.board import draw_own_runs, draw_ranking, draw_teacher_controls, references
from ui.navigation import link_to
from ui.page import page_header

TRAINING_PAGE_KEY = "training"  # the training studio's entry in ui.navigation, linked when no run exists

page_header("board")
corpus = require_corpus()

lines = references(corpus)
rows = board_rows()
if rows:
    draw_ranking(rows, lines)
else:
    st.info(t("board.empty"))
    link_to(TRAINING_PAGE_KEY)

st.subheader(t("board.own_title"))
st.caption(t("board.own_intro"))
draw_own_runs()

draw_teacher_controls()
