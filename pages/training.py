"""Training studio: pick a tutorial model, watch it learn live, compare runs, try your own review."""

import streamlit as st

from explorer.training.data import source_spec
from explorer.training.runs import ACTIVE_STATES
from explorer.training.view import PRESETS, preset_of
from ui.code_behind import draw_code_behind, draw_run_downloads
from ui.data import current_spec, require_corpus
from ui.i18n import t
from ui.page import page_header
from ui.presenter import section
from ui.sidebar import settings
from ui.training import manager as jobs
from ui.training.compare import draw_overlay
from ui.training.damaged import draw_damaged
from ui.training.form import draw_form, draw_presets, restore_form
from ui.training.live import draw_train_and_live
from ui.training.names import draw_rename, run_labels
from ui.training.results import draw_evaluation, draw_run_actions, pick_run
from ui.training.run_table import draw_runs_table, run_labeller, show_new_runs, summarize_runs
from ui.training.summary import draw_summary
from ui.training.try_review import draw_review_prediction

page_header("training")
corpus = require_corpus()
spec = current_spec()
source = source_spec(spec.kind, spec.path)
manager, owner = jobs.job_manager(), jobs.owner_token()

with section("training", "form"):
    st.subheader(t("training.presets_title"))
    restore_form(settings(), corpus)
    draw_presets(list(PRESETS), corpus)
    config = draw_form(corpus, source)

    st.subheader(t("training.summary_title"))
    problem = draw_summary(config)
    draw_code_behind("training", config)
    jobs.draw_admin_box()

draw_train_and_live(config, preset_of(config, corpus.max_num_words), ready=problem is None)  # the "live" section

listed = manager.list_runs(owner)
with section("training", "runs"):
    st.subheader(t("training.runs_title"))
    draw_damaged([info for info in listed if info.state == "damaged"], manager, owner)
    finished = [info for info in listed if info.state not in ACTIVE_STATES and info.config is not None]
    if not finished:
        st.caption(t("training.no_runs"))
        st.stop()
    summaries = summarize_runs(finished)
    names = run_labels(finished)
    draw_runs_table(finished, summaries, names)
    show_new_runs(list(summaries))
    run_label = run_labeller(names)

with section("training", "compare"):
    st.subheader(t("training.overlay_title"))
    draw_overlay(list(summaries), run_label)

with section("training", "results"):
    st.subheader(t("training.results_title"))
    picked = pick_run(finished, run_label)
    draw_rename(picked, names[picked.run_id])
    draw_evaluation(picked, corpus)
    draw_run_actions(picked, manager, owner)
    draw_run_downloads(picked.run_id, picked.config)

    st.subheader(t("training.try_title"))
    draw_review_prediction(picked.run_id, picked.config, corpus, source)
