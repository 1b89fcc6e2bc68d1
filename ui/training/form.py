"""The training page's settings form: tutorial presets, then every setting of a run in three groups.

The form keeps its values in ``training_*`` keys. Streamlit forgets the state of widgets that a
page switch leaves undrawn, so the values are also saved under ``training_saved`` and put back
when the page is drawn again. The data settings follow the sidebar's ``num_words``, ``maxlen``,
``padding`` and ``truncating`` whenever those move; a preset sets them for the training run only.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import streamlit as st

from explorer.data.corpus import Corpus
from explorer.training.config import (
    ENCODINGS,
    LAYER_KINDS,
    MAX_BATCH_SIZE,
    MAX_DROPOUT,
    MAX_EMBEDDING_DIM,
    MAX_EPOCHS,
    MAX_MAXLEN,
    MAX_SEED,
    MAX_STACKED,
    MAX_UNITS,
    MIN_NUM_WORDS,
    OPTIMIZERS,
    SIDES,
    ConfigError,
    RunConfig,
    glove_dimension,
)
from explorer.training.view import preset_config
from ui import state
from ui.i18n import option_names, t
from ui.sidebar import Settings

FOLLOWED = ("num_words", "maxlen", "padding", "truncating")  # settings shared with the sidebar
MIN_LEARNING_RATE = 1e-6  # below this nothing visibly moves in 100 epochs
MAX_SUBSET = 10_000_000  # RunConfig.validate's own upper limit on subset


def key(name: str) -> str:
    """The session-state key of a form field."""
    return f"training_{name}"


def _widget_value(name: str, value: Any) -> Any:
    """A config value as its widget holds it (no subset is 0, the package's GloVe an empty path)."""
    return {"subset": value or 0, "glove_path": value or ""}.get(name, value)


def _fit(values: dict[str, Any], corpus: Corpus) -> dict[str, Any]:
    """``values`` with ``num_words`` capped at what the corpus has."""
    return {**values, "num_words": min(values["num_words"], corpus.max_num_words)}


def _put(values: dict[str, Any]) -> None:
    """Set the form's widgets to ``values`` (before they are drawn, or from a callback)."""
    for name, value in values.items():
        if name != "source":
            st.session_state[key(name)] = _widget_value(name, value)


def _apply_preset(name: str, corpus: Corpus) -> None:
    """on_click of a preset button: every field to the preset's value."""
    seed = st.session_state.get(key("seed"), RunConfig.seed)
    _put(_fit(preset_config(name, seed).to_dict(), corpus))


def apply_preset(name: str) -> None:
    """Fill the form with preset ``name`` from outside the page (a lesson step); ``restore_form`` fits it."""
    seed = st.session_state.get(key("seed"), RunConfig.seed)
    values = preset_config(name, seed).to_dict()
    _put(values)
    st.session_state[state.TRAINING_SAVED] = values


def restore_form(sidebar: Settings, corpus: Corpus) -> None:
    """Put the form's values back in place before it is drawn, following the sidebar if it moved."""
    shared = {name: getattr(sidebar, name) for name in FOLLOWED}
    saved = st.session_state.get(state.TRAINING_SAVED) or RunConfig(**shared).to_dict()
    seen = tuple(shared.values())
    if st.session_state.get(state.TRAINING_SIDEBAR_SEEN) not in (None, seen):
        saved = {**saved, **shared}
        _put(_fit(shared, corpus))
    st.session_state[state.TRAINING_SIDEBAR_SEEN] = seen
    if st.session_state.get(key("num_words"), 0) > corpus.max_num_words:  # another data source was chosen since
        st.session_state[key("num_words")] = corpus.max_num_words
    for name, value in _fit(saved, corpus).items():
        if name != "source" and key(name) not in st.session_state:
            st.session_state[key(name)] = _widget_value(name, value)


def draw_presets(presets: list[str], corpus: Corpus) -> None:
    """One button per tutorial model."""
    row = st.container(horizontal=True)
    for name in presets:
        row.button(
            t(f"training.preset_{name}"),
            help=t(f"training.preset_{name}_help"),
            key=key(f"preset_{name}"),
            on_click=_apply_preset,
            args=(name, corpus),
        )


def draw_form(corpus: Corpus, source: str) -> RunConfig:
    """Every setting of a run, as widgets; the config they describe (not yet validated)."""
    model, training, data = st.columns(3)
    with model.container(border=True):
        _draw_model_settings()
    with training.container(border=True):
        _draw_training_settings()
    with data.container(border=True):
        _draw_data_settings(corpus)
    saved = st.session_state.get(state.TRAINING_SAVED) or {}
    values = {
        f.name: st.session_state.get(key(f.name), saved.get(f.name)) for f in fields(RunConfig) if f.name != "source"
    }
    st.session_state[state.TRAINING_SAVED] = dict(values)
    return _config(values, source)


def _draw_model_settings() -> None:
    """The model group: input encoding, layer and their sizes."""
    st.markdown(t("training.group_model"))
    encoding = st.segmented_control(
        t("training.encoding"),
        ENCODINGS,
        required=True,
        format_func=option_names("training.encoding"),
        key=key("encoding"),
    )
    layer = st.segmented_control(
        t("training.layer"), LAYER_KINDS, required=True, format_func=option_names("training.layer"), key=key("layer")
    )
    recurrent = layer != "flatten_dense"
    left, right = st.columns(2)
    left.number_input(t("training.units"), 1, MAX_UNITS, key=key("units"), disabled=not recurrent)
    right.number_input(
        t("training.stacked"),
        1,
        MAX_STACKED,
        key=key("stacked"),
        disabled=not recurrent,
        help=t("training.stacked_help"),
    )
    left.toggle(t("training.bidirectional"), key=key("bidirectional"), disabled=not recurrent)
    right.toggle(
        t("training.mask_zero"), key=key("mask_zero"), disabled=not recurrent, help=t("training.mask_zero_help")
    )
    st.slider(t("training.dropout"), 0.0, MAX_DROPOUT, step=0.05, key=key("dropout"), help=t("training.dropout_help"))
    st.number_input(
        t("training.embedding_dim"),
        1,
        MAX_EMBEDDING_DIM,
        key=key("embedding_dim"),
        disabled=encoding != "embedding",
    )
    if encoding == "glove":
        st.text_input(t("training.glove_path"), key=key("glove_path"), placeholder=t("training.glove_path_placeholder"))
        st.toggle(t("training.glove_trainable"), key=key("glove_trainable"))


def _draw_training_settings() -> None:
    """The training group: optimizer, learning rate, batches, epochs, early stopping, seed, subset."""
    st.markdown(t("training.group_training"))
    st.segmented_control(
        t("training.optimizer"),
        OPTIMIZERS,
        required=True,
        format_func=option_names("training.optimizer"),
        key=key("optimizer"),
    )
    st.number_input(
        t("training.learning_rate"), MIN_LEARNING_RATE, 1.0, step=1e-4, format="%.1e", key=key("learning_rate")
    )
    left, right = st.columns(2)
    left.number_input(t("training.batch_size"), 1, MAX_BATCH_SIZE, key=key("batch_size"))
    right.number_input(t("training.epochs"), 1, MAX_EPOCHS, key=key("epochs"))
    left.number_input(t("training.patience"), 0, MAX_EPOCHS, key=key("patience"), help=t("training.patience_help"))
    right.number_input(t("training.seed"), 0, MAX_SEED, key=key("seed"))
    st.number_input(t("training.subset"), 0, MAX_SUBSET, step=100, key=key("subset"), help=t("training.subset_help"))


def _draw_data_settings(corpus: Corpus) -> None:
    """The data group: the sidebar's four settings, for this run."""
    st.markdown(t("training.group_data"))
    st.number_input(
        t("training.num_words"),
        MIN_NUM_WORDS,
        corpus.max_num_words,
        key=key("num_words"),
        help=t("sidebar.num_words_help"),
    )
    st.number_input(t("training.maxlen"), 1, MAX_MAXLEN, key=key("maxlen"), help=t("sidebar.maxlen_help"))
    left, right = st.columns(2)
    left.radio(t("sidebar.padding"), SIDES, key=key("padding"))
    right.radio(t("sidebar.truncating"), SIDES, key=key("truncating"))
    st.caption(t("training.follows_sidebar"))


def _config(values: dict[str, Any], source: str) -> RunConfig:
    """The run the form describes; settings its choices switch off take their neutral values."""
    values = {
        **values,
        "subset": values["subset"] or None,
        "glove_path": values["glove_path"].strip() or None,
        "source": source,
    }
    if values["layer"] == "flatten_dense":
        values.update(bidirectional=False, stacked=1, mask_zero=False)
    if values["encoding"] == "glove":
        try:
            values["embedding_dim"] = glove_dimension(values["glove_path"])
        except ConfigError:
            pass  # validation reports the missing or malformed file
    return RunConfig(**values)
