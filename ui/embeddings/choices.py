"""The embeddings page's choices: whose word vectors to show, and how to project them onto 2 or 3 axes."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from explorer.embeddings import projection as proj
from explorer.embeddings import word_spaces as word_vectors
from explorer.i18n import translate
from explorer.training import runs
from explorer.training.config import KERAS_CLASS, RunConfig
from explorer.training.naming import run_label
from ui import state
from ui.data import current_spec
from ui.i18n import language, option_names, t
from ui.links import linked, one_of

WORDS_RANGE, WORDS_DEFAULT = (50, 5_000), 1_000  # t-SNE / UMAP of 1,000 words take seconds
WORDS_STEP = 1  # any count up to the vocabulary's own size, which is rarely a round number
SLIDERS = {  # each method's parameters: name, lowest, highest, default, step
    "tsne": (
        ("perplexity", 2.0, 100.0, proj.DEFAULT_PERPLEXITY, 1.0),
        ("iterations", proj.MIN_TSNE_ITERATIONS, 2_000, proj.DEFAULT_TSNE_ITERATIONS, 50),
    ),
    "umap": (
        ("neighbours", 2, 100, proj.DEFAULT_UMAP_NEIGHBOURS, 1),
        ("min_dist", 0.0, 1.0, proj.DEFAULT_UMAP_MIN_DIST, 0.05),
    ),
}


@dataclass(frozen=True)
class ProjectionChoice:
    """How to project: the ``top`` most frequent words, after ``epoch``, or through every epoch if ``animate``."""

    top: int
    settings: proj.ProjectionSettings
    epoch: int | None
    animate: bool


def pick_source(has_runs: bool) -> str:
    """Whose word vectors to show: a training run's learned embedding ("run", if there is one) or "glove"."""
    return st.segmented_control(
        t("embeddings.source"),
        ("run", "glove"),
        default="run" if has_runs else "glove",
        required=True,
        format_func=option_names("embeddings.source"),
        key="embeddings_source",
    )


def run_option_label(run_id: str, config: RunConfig, lang: str) -> str:
    """A run as the run picker names it: its name, input, layer and vector size, in ``lang``."""
    return translate(
        lang,
        "embeddings.run_label",
        run=run_label(run_id, config, lang),
        encoding=translate(lang, f"training.encoding_{config.encoding}"),
        layer=KERAS_CLASS.get(config.layer, config.layer),
        dim=config.embedding_dim,
    )


def pick_run(stored: dict[str, RunConfig]) -> tuple[str | None, list[int]]:
    """A stored run and the epochs whose vectors it kept; no run if it has no embedding layer (it says so)."""
    lang = language()
    labels = {run: run_option_label(run, config, lang) for run, config in stored.items()}
    run_id = st.selectbox(
        t("embeddings.run"),
        list(stored),
        format_func=labels.get,
        **linked(state.EMBEDDINGS_RUN, one_of(labels.values()), t("embeddings.link_runs")),
    )
    if not word_vectors.has_embedding_layer(stored[run_id]):
        st.info(t("embeddings.one_hot"))
        return None, []
    epochs = runs.embedding_epochs(run_id)
    if not word_vectors.trained_on(stored[run_id], current_spec()):
        st.warning(t("embeddings.other_data", source=stored[run_id].source))
    return run_id, epochs


def pick_projection(run_id: str | None, epochs: list[int], available: int) -> ProjectionChoice:
    """How many words (of the ``available`` real words), the method, 2D or 3D, the epoch (when ``run_id``
    has several) and the method's parameters."""
    top = _pick_words(available)
    left, middle, right = st.columns(3)
    method = left.segmented_control(
        t("embeddings.method"),
        proj.METHODS,
        default="pca",
        required=True,
        format_func=option_names("embeddings.method"),
        key="embeddings_method",
    )
    dimensions = middle.segmented_control(
        t("embeddings.dimensions"),
        (2, 3),
        default=2,
        required=True,
        format_func=lambda d: f"{d}D",
        key="embeddings_dimensions",
    )
    epoch, animate = _pick_epoch(right, run_id, epochs)
    return ProjectionChoice(top, _method_settings(method, dimensions), epoch, animate)


def _pick_words(available: int) -> int:
    """How many of the most frequent words to project: at most the ``available`` ones (a 500-word
    vocabulary has 496 real words, so the control ends there, not at 5,000)."""
    low, high = min(WORDS_RANGE[0], available), min(WORDS_RANGE[1], available)
    if low >= high:
        st.caption(t("embeddings.words_all", count=available))
        return available
    kept = st.session_state.get(state.EMBEDDINGS_WORDS)
    if kept is None or not low <= kept <= high:  # first visit, or a smaller vocabulary than before
        st.session_state[state.EMBEDDINGS_WORDS] = min(WORDS_DEFAULT, high)
    return st.slider(
        t("embeddings.words"),
        low,
        high,
        step=WORDS_STEP,
        help=t("embeddings.words_help", count=available),
        key=state.EMBEDDINGS_WORDS,
    )


def _pick_epoch(place: DeltaGenerator, run_id: str | None, epochs: list[int]) -> tuple[int | None, bool]:
    """The epoch to show, and whether to animate them all.

    A run opens at its best epoch (``word_vectors.shown_epoch``), whatever epoch the previous run was
    left at. While animating, the plot's own epoch slider is the only epoch control.
    """
    if len(epochs) <= 1:
        return (epochs[-1] if epochs else None), False
    animate = place.toggle(t("embeddings.animate"), help=t("embeddings.animate_help"), key="embeddings_animate")
    if animate:
        place.caption(t("embeddings.animate_epoch_hint"))
        return epochs[-1], True
    if (
        st.session_state.get(state.EMBEDDINGS_EPOCH_OF) != run_id
        or st.session_state.get(state.EMBEDDINGS_EPOCH) not in epochs
    ):
        st.session_state[state.EMBEDDINGS_EPOCH] = word_vectors.shown_epoch(run_id, epochs)
        st.session_state[state.EMBEDDINGS_EPOCH_OF] = run_id
    epoch = place.select_slider(
        t("embeddings.epoch"), epochs, help=t("embeddings.epoch_help"), key=state.EMBEDDINGS_EPOCH
    )
    return epoch, False


def _method_settings(method: proj.Method, dimensions: int) -> proj.ProjectionSettings:
    """A row of the method's parameters: PCA's component per axis, or t-SNE's and UMAP's sliders."""
    columns = st.columns(3)
    if method == "pca":
        return proj.ProjectionSettings(
            "pca",
            components=tuple(
                columns[n].number_input(
                    t("embeddings.component", axis="xyz"[n]), 1, 50, n + 1, key=f"embeddings_pc_{n}"
                )
                for n in range(dimensions)
            ),
        )
    return proj.ProjectionSettings(
        method,
        dimensions,
        **{
            name: columns[n].slider(t(f"embeddings.{name}"), low, high, default, step, key=f"embeddings_{name}")
            for n, (name, low, high, default, step) in enumerate(SLIDERS[method])
        },
    )
