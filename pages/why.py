"""Why did it say that? Token attributions, memory over distance and hidden units of a trained run."""

import streamlit as st

from explorer.lab.run_trace import traceable_runs
from explorer.training import runs
from explorer.training.config import KERAS_CLASS
from explorer.training.inference import Predictor
from ui import state
from ui.code_behind import draw_code_behind
from ui.data import current_spec, require_corpus
from ui.i18n import t
from ui.lab.why_attribution import draw_attributions
from ui.lab.why_memory import draw_memory
from ui.lab.why_review import pick_review
from ui.lab.why_units import draw_units
from ui.navigation import link_to
from ui.page import page_header
from ui.user_text import markdown_literal

TRAINING_PAGE_KEY = "training"  # the training studio's entry in ui.navigation, linked when no run exists

page_header("why")
corpus = require_corpus()
draw_code_behind("why")
stored = traceable_runs()
if not stored:
    st.info(t("why.need_run"))
    link_to(TRAINING_PAGE_KEY)
    st.stop()
corpus_key = repr(current_spec())  # names the corpus in the caches of the sampled statistics

run_id = st.selectbox(
    t("why.run"),
    list(stored),
    key="why_run",
    format_func=lambda r: t("why.run_label", run=r, layer=KERAS_CLASS[stored[r].layer], padding=stored[r].padding),
)
config = stored[run_id]
try:
    Predictor.load(run_id)  # a damaged weights file is said here in one line, not as a traceback below
except runs.RunStoreError as error:
    st.warning(t("why.damaged_run", reason=markdown_literal(str(error))))
    st.stop()
st.caption(t("why.run_caption", **config.to_dict()))
review = pick_review(corpus)

tab_names = ("attribution", "memory", "units")
# stateful tabs: a rerun (a click on the heat map) stays on its tab, and hidden tabs compute nothing
tabs = st.tabs([t(f"why.tab_{name}") for name in tab_names], key=state.WHY_TAB, on_change="rerun")
if tabs[0].open:
    with tabs[0]:
        draw_attributions(run_id, config.padding, review)
if tabs[1].open:
    with tabs[1]:
        draw_memory(corpus, corpus_key, stored)
if tabs[2].open:
    with tabs[2]:
        draw_units(run_id, corpus, corpus_key, review)
