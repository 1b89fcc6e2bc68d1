"""The embeddings page's choices: whose word vectors to show, and how to project them onto 2 or 3 axes."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from explorer.embeddings import projection as proj
from explorer.embeddings import word_spaces as word_vectors
from explorer.i18n import translate
from explorer.training import runs
from explorer.training.config import RunConfig
from ui.data import current_spec
from ui.i18n import language, option_names, t

WORDS_RANGE, WORDS_DEFAULT, WORDS_STEP = (50, 5_000), 1_000, 50  # t-SNE / UMAP of 1,000 words take seconds
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


def pick_run(stored: dict[str, RunConfig]) -> tuple[str | None, list[int]]:
    """A stored run and the epochs whose vectors it kept; no run if it has no embedding layer (it says so)."""
    lang = language()
    run_id = st.selectbox(
        t("embeddings.run"),
        list(stored),
        key="embeddings_run",
        format_func=lambda r: translate(
            lang,
            "embeddings.run_label",
            run=r,
            encoding=stored[r].encoding,
            layer=stored[r].layer,
            dim=stored[r].embedding_dim,
        ),
    )
    if not word_vectors.has_embedding_layer(stored[run_id]):
        st.info(t("embeddings.one_hot"))
        return None, []
    epochs = runs.embedding_epochs(run_id)
    if not word_vectors.trained_on(stored[run_id], current_spec()):
        st.warning(t("embeddings.other_data", source=stored[run_id].source))
    return run_id, epochs


def pick_projection(epochs: list[int]) -> ProjectionChoice:
    """How many words, the method, 2D or 3D, the epoch (when a run has several) and the method's parameters."""
    top = st.slider(t("embeddings.words"), *WORDS_RANGE, WORDS_DEFAULT, WORDS_STEP, key="embeddings_words")
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
    epoch, animate = _pick_epoch(right, epochs)
    return ProjectionChoice(top, _method_settings(method, dimensions), epoch, animate)


def _pick_epoch(place: DeltaGenerator, epochs: list[int]) -> tuple[int | None, bool]:
    """The epoch to show (the last unless a run has several to pick from), and whether to animate them all."""
    if len(epochs) <= 1:
        return (epochs[-1] if epochs else None), False
    epoch = place.select_slider(t("embeddings.epoch"), epochs, epochs[-1], key="embeddings_epoch")
    return epoch, place.toggle(t("embeddings.animate"), help=t("embeddings.animate_help"), key="embeddings_animate")


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
