"""Embedding projections: what a run's embedding learned, epoch by epoch, next to GloVe."""

from contextlib import nullcontext

import streamlit as st

from explorer import embedding_sources as word_vectors
from explorer import projection as proj
from explorer.glove import GloveError
from explorer.i18n import translate
from explorer.projection_cache import cached_projection, epoch_frames
from explorer.projection_plots import WordPoints, animated_figure, axis_titles, projection_figure
from explorer.training import runs
from ui.data import current_spec, effective_num_words, require_corpus
from ui.i18n import language, t
from ui.navigation import TOPIC_PAGES, require_entrypoint
from ui.sidebar import settings

require_entrypoint()

TRAINING_PAGE_KEY = "training"  # the training studio's entry in ui.navigation, linked when no run exists
WORDS_RANGE, WORDS_DEFAULT, WORDS_STEP = (50, 5_000), 1_000, 50  # t-SNE / UMAP of 1,000 words take seconds
SLIDERS = {  # each method's parameters: name, lowest, highest, default, step
    "tsne": (("perplexity", 2.0, 100.0, proj.DEFAULT_PERPLEXITY, 1.0),
             ("iterations", proj.MIN_TSNE_ITERATIONS, 2_000, proj.DEFAULT_TSNE_ITERATIONS, 50)),
    "umap": (("neighbours", 2, 100, proj.DEFAULT_UMAP_NEIGHBOURS, 1),
             ("min_dist", 0.0, 1.0, proj.DEFAULT_UMAP_MIN_DIST, 0.05)),
}


def named(kind: str):
    """A format_func for options of ``kind``; bound to this run's language, as Streamlit may call it later."""
    return lambda option: translate(lang, f"embeddings.{kind}_{option}")


st.title(t("embeddings.title"))
st.markdown(t("embeddings.intro"))
corpus = require_corpus()
lang = language()
statistics = word_vectors.corpus_statistics(corpus)
stored = dict(word_vectors.embedding_runs())

source = st.segmented_control(t("embeddings.source"), ("run", "glove"), default="run" if stored else "glove",
                              required=True, format_func=named("source"), key="embeddings_source")
run_id, epochs = None, []
if source == "run" and not stored:
    st.info(t("embeddings.need_run"))
    for entry in (e for e in TOPIC_PAGES if e.key == TRAINING_PAGE_KEY):
        st.page_link(entry.path, label=t(f"{entry.key}.nav_title"), icon=entry.icon)
elif source == "run":
    run_id = st.selectbox(t("embeddings.run"), list(stored), key="embeddings_run", format_func=lambda r: translate(lang,
        "embeddings.run_label", run=r, encoding=stored[r].encoding, layer=stored[r].layer, dim=stored[r].embedding_dim))
    if not word_vectors.has_embedding_layer(stored[run_id]):
        st.info(t("embeddings.one_hot"))
        run_id = None
    else:
        epochs = runs.embedding_epochs(run_id)
        if not word_vectors.trained_on(stored[run_id], current_spec()):
            st.warning(t("embeddings.other_data", source=stored[run_id].source))
num_words = stored[run_id].num_words if run_id else effective_num_words(corpus, settings().num_words)

top = st.slider(t("embeddings.words"), *WORDS_RANGE, WORDS_DEFAULT, WORDS_STEP, key="embeddings_words")
left, middle, right = st.columns(3)
method = left.segmented_control(t("embeddings.method"), proj.METHODS, default="pca", required=True,
                                format_func=named("method"), key="embeddings_method")
dimensions = middle.segmented_control(t("embeddings.dimensions"), (2, 3), default=2, required=True,
                                      format_func=lambda d: f"{d}D", key="embeddings_dimensions")
many_epochs = len(epochs) > 1
epoch = right.select_slider(t("embeddings.epoch"), epochs, epochs[-1], key="embeddings_epoch") if many_epochs else (
    epochs[-1] if epochs else None)
animate = many_epochs and right.toggle(t("embeddings.animate"), help=t("embeddings.animate_help"),
                                       key="embeddings_animate")
columns = st.columns(3)
if method == "pca":
    chosen = proj.ProjectionSettings("pca", components=tuple(columns[n].number_input(
        t("embeddings.component", axis="xyz"[n]), 1, 50, n + 1, key=f"embeddings_pc_{n}") for n in range(dimensions)))
else:
    chosen = proj.ProjectionSettings(method, dimensions, **{
        name: columns[n].slider(t(f"embeddings.{name}"), low, high, default, step, key=f"embeddings_{name}")
        for n, (name, low, high, default, step) in enumerate(SLIDERS[method])})

try:
    with st.spinner(t("embeddings.loading_glove")):
        glove, coverage = word_vectors.glove_space(corpus, num_words, top, word_vectors.package_glove())
    space = word_vectors.run_space(corpus, run_id, stored[run_id], epoch, top) if run_id else glove
except (word_vectors.EmbeddingSourceError, GloveError, runs.RunStoreError) as error:
    st.error(t("embeddings.unavailable", reason=error))
    st.stop()
st.caption(t("embeddings.coverage", found=coverage.found, total=coverage.total, share=coverage.share))

box, count, metric = st.columns([2, 1, 1])
query = box.text_input(t("embeddings.search"), placeholder=t("embeddings.search_placeholder"), key="embeddings_search")
k = count.number_input(t("embeddings.k"), 1, 50, proj.DEFAULT_NEIGHBOUR_COUNT, key="embeddings_k")
distance = metric.segmented_control(t("embeddings.metric"), proj.METRICS, default="cosine", required=True,
                                    format_func=named("metric"), key="embeddings_metric")
found = word_vectors.search({"run": space, "glove": glove} if run_id else {"glove": glove}, query, k, distance)
for name in found.unknown_in:
    st.warning(t("embeddings.unknown_word", word=found.word, space=t(f"embeddings.space_{name}")))
searched, near = found.highlight("run" if run_id else "glove", space)

points = WordPoints(space.words, statistics.polarity[space.ids], statistics.frequency[space.ids])
try:
    if animate:
        bar = st.progress(0.0, text=t("embeddings.projecting"))
        frames, variance = epoch_frames(
            space.label, epochs, word_vectors.run_frames(run_id, epochs, space), chosen,
            lambda done, total: bar.progress(done / total, text=t("embeddings.progress", done=done, total=total)))
        bar.empty()
        figure = animated_figure(frames, epochs, points, axis_titles(chosen, variance, lang), lang, searched, near)
    else:
        with st.spinner(t("embeddings.projecting")) if method != "pca" else nullcontext():
            projection = cached_projection(space.label, epoch if run_id else None, space.vectors, chosen)
        variance = projection.explained_variance
        figure = projection_figure(projection.coordinates, points, axis_titles(chosen, variance, lang), lang,
                                   searched, near)
except proj.ProjectionError as error:
    st.error(t("embeddings.cannot_project", reason=error))
    st.stop()
st.plotly_chart(figure, key="embeddings_plot")
st.caption(t("embeddings.legend_note"))
if method == "pca":
    st.caption(t("embeddings.variance", total=float(variance.sum())))

if found.neighbours:
    st.subheader(t("embeddings.neighbours_title", word=found.word, metric=t(f"embeddings.metric_{distance}")))
    for column, (name, nearest) in zip(st.columns(len(found.neighbours)), found.neighbours.items(), strict=True):
        column.caption(t(f"embeddings.source_{name}"))
        column.dataframe({t("embeddings.word"): [n.word for n in nearest],
                          t("embeddings.distance"): [n.distance for n in nearest]},
                         hide_index=True, key=f"embeddings_neighbours_{name}")

st.subheader(t("embeddings.export_title"))
st.markdown(t("embeddings.export_intro"))
for part, column in enumerate(st.columns(2)):
    column.download_button(t(f"embeddings.download_{part}"),
                           lambda part=part: word_vectors.projector_files(space, statistics)[part],
                           ("vectors.tsv", "metadata.tsv")[part], "text/tab-separated-values", on_click="ignore",
                           key=f"embeddings_download_{part}")
