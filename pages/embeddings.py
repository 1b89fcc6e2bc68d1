"""Embedding projections: what a run's embedding learned, epoch by epoch, next to GloVe."""

import streamlit as st

from explorer.data.glove import GloveError
from explorer.embeddings import word_spaces as word_vectors
from explorer.embeddings.projection import ProjectionError
from explorer.training import runs
from ui.charts import draw_chart
from ui.code_behind import draw_code_behind
from ui.data import effective_num_words, require_corpus
from ui.embeddings.choices import pick_projection, pick_run, pick_source
from ui.embeddings.search import draw_neighbours, draw_search
from ui.embeddings.semantic_axis import draw_semantic_axis
from ui.embeddings.view import draw_downloads, projected_figure
from ui.i18n import t
from ui.navigation import link_to
from ui.page import page_header
from ui.presenter import section
from ui.sidebar import settings

TRAINING_PAGE_KEY = "training"  # the training studio's entry in ui.navigation, linked when no run exists

page_header("embeddings")
corpus = require_corpus()
draw_code_behind("embeddings")
statistics = word_vectors.corpus_statistics(corpus)
stored = dict(word_vectors.embedding_runs())

source = pick_source(bool(stored))
run_id, epochs = None, []
if source == "run" and not stored:
    st.info(t("embeddings.need_run"))
    link_to(TRAINING_PAGE_KEY)
elif source == "run":
    run_id, epochs = pick_run(stored)
num_words = stored[run_id].num_words if run_id else effective_num_words(corpus, settings().num_words)
choice = pick_projection(run_id, epochs, word_vectors.available_words(corpus, num_words))

try:
    with st.spinner(t("embeddings.loading_glove")):
        glove, coverage = word_vectors.glove_space(corpus, num_words, choice.top, word_vectors.package_glove())
    space = word_vectors.run_space(corpus, run_id, stored[run_id], choice.epoch, choice.top) if run_id else glove
except (word_vectors.EmbeddingSourceError, GloveError, runs.RunStoreError) as error:
    st.error(t("embeddings.unavailable", reason=error))
    st.stop()
st.caption(t("embeddings.coverage", found=coverage.found, total=coverage.total, share=coverage.share))

with section("embeddings", "projection"):
    found, distance = draw_search({"run": space, "glove": glove} if run_id else {"glove": glove})
    highlight = found.highlight("run" if run_id else "glove", space)
    try:
        figure, variance = projected_figure(space, statistics, run_id, epochs, choice, highlight)
    except (ProjectionError, runs.RunStoreError) as error:  # a damaged epoch file among the frames
        st.error(t("embeddings.cannot_project", reason=error))
        st.stop()
    draw_chart(st, figure, key="embeddings_plot")
    st.caption(t("embeddings.legend_note"))
    if choice.settings.method == "pca":
        st.caption(t("embeddings.variance", total=float(variance.sum())))

with section("embeddings", "neighbours"):
    draw_neighbours(found, distance)

with section("embeddings", "axis"):
    draw_semantic_axis(space, statistics)

with section("embeddings", "export"):
    st.subheader(t("embeddings.export_title"))
    st.markdown(t("embeddings.export_intro"))
    draw_downloads(space, statistics, choice.epoch if run_id else None)
