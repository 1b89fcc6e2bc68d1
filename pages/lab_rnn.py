"""Inside the recurrent layer: a trained run replayed token by token, next to a baseline to beat."""

import streamlit as st

from explorer.lab.run_trace import traceable_runs
from explorer.training.naming import run_label
from ui import state
from ui.code_behind import draw_code_behind
from ui.data import require_corpus
from ui.i18n import language, t
from ui.lab.inside import (
    draw_baseline,
    draw_gates,
    draw_outcome,
    draw_paths,
    draw_states,
    draw_stepper,
    draw_verdict,
    load_predictor,
    pick_reviews,
    pick_shown,
    pick_view,
    replay,
    typed_ids,
)
from ui.links import linked, one_of
from ui.navigation import link_to
from ui.page import page_header

TRAINING_PAGE_KEY = "training"  # the training studio's entry in ui.navigation, linked when no run exists

page_header("lab_rnn")
corpus = require_corpus()
draw_code_behind("lab_rnn")
stored = traceable_runs()

st.subheader(t("lab_rnn.baseline_title"))
st.markdown(t("lab_rnn.baseline_intro"))
draw_baseline(corpus, stored)

st.subheader(t("lab_rnn.inside_title"))
if not stored:
    st.info(t("lab_rnn.need_run"))
    link_to(TRAINING_PAGE_KEY)
    st.stop()
names = {run: run_label(run, config, language()) for run, config in stored.items()}  # "Book LSTM #2", or model · id
labels = {run: t("lab_rnn.run_label", **{**config.to_dict(), "run": names[run]}) for run, config in stored.items()}
run_id = st.selectbox(
    t("lab_rnn.run"),
    list(stored),
    format_func=labels.get,
    **linked(state.LAB_RNN_RUN, one_of(labels.values()), t("embeddings.link_runs")),
)
predictor = load_predictor(run_id)
picks = pick_reviews(corpus, predictor)
shown = pick_shown()
typed = typed_ids(corpus) if shown == "typed" else None
config, weights, traces = replay(predictor, picks, typed, corpus)
st.caption(t("lab_rnn.run_caption", **config.to_dict()))
tokens = {label: corpus.decode(trace.ids) for label, trace in traces.items()}
layer, direction = pick_view(config)
trace = traces[shown]
draw_outcome(trace, shown, None if shown == "typed" else corpus.text(corpus.test, picks[shown]))

tab_names = ("step", "states", "gates", "path", "verdict")
step_tab, states_tab, gates_tab, path_tab, verdict_tab = st.tabs([t(f"lab_rnn.tab_{name}") for name in tab_names])
with step_tab:
    draw_stepper(trace, tokens[shown], layer, direction)
with states_tab:
    st.markdown(t(f"lab_rnn.formula_{config.layer}"))
    draw_states(trace, weights, tokens[shown], layer, direction)
with gates_tab:
    draw_gates(trace, tokens[shown], layer, direction)
with path_tab:
    draw_paths(traces, tokens)
with verdict_tab:
    draw_verdict(trace, tokens[shown])
