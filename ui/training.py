"""The training page's Streamlit glue: the job manager, this tab's owner token, the settings form, the live panel.

One ``JobManager`` serves every browser session (``st.cache_resource``); the page reaches it
only through ``job_manager()``, which the tests replace with a fake engine. Each tab gets an
owner token on first use, so a run can be paused or stopped only from the tab that started it.

The settings form keeps its values in ``training_*`` keys. Streamlit forgets the state of
widgets that a page switch leaves undrawn, so the values are also saved under
``training_saved`` and put back when the page is drawn again. The data settings follow the
sidebar's ``num_words``, ``maxlen``, ``padding`` and ``truncating`` whenever those move; a
preset sets them for the training run only.
"""

from __future__ import annotations

import secrets
from dataclasses import fields
from typing import Any

import streamlit as st

from explorer.corpus import Corpus
from explorer.i18n import translate
from explorer.training import runs
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
from explorer.training.jobs import JobError, JobManager
from explorer.training.runs import ACTIVE_STATES
from explorer.training_plots import live_figure
from explorer.training_view import best_epoch, curves, describe_model, early_stop_epoch, preset_config, progress
from ui.i18n import language, t
from ui.sidebar import Settings

OWNER = "training_owner"  # this tab's owner token
SAVED = "training_saved"  # the form's values, kept across page switches
SIDEBAR_SEEN = "training_sidebar_seen"  # the sidebar's data settings the form last followed
FOLLOWED = ("num_words", "maxlen", "padding", "truncating")  # settings shared with the sidebar
MIN_LEARNING_RATE = 1e-6  # below this nothing visibly moves in 100 epochs
MAX_SUBSET = 10_000_000  # RunConfig.validate's own upper limit on subset
POLL_S = 1.0  # how often the live panel asks the job manager for news while a run is active
SEEN_ACTIVE = "training_seen_active"  # runs the live panel saw active (their end reruns the whole page)


@st.cache_resource(show_spinner=False)
def _server_job_manager() -> JobManager:
    """Built on the first visit of the training page; starts a worker that imports TensorFlow."""
    return JobManager()


def job_manager() -> JobManager:
    """The server's job manager (the seam where the page tests put their fake engine)."""
    return _server_job_manager()


def owner_token() -> str:
    """This tab's owner token (a new one per browser session)."""
    return st.session_state.setdefault(OWNER, secrets.token_hex(8))


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


def restore_form(sidebar: Settings, corpus: Corpus) -> None:
    """Put the form's values back in place before it is drawn, following the sidebar if it moved."""
    shared = {name: getattr(sidebar, name) for name in FOLLOWED}
    saved = st.session_state.get(SAVED) or RunConfig(**shared).to_dict()
    seen = tuple(shared.values())
    if st.session_state.get(SIDEBAR_SEEN) not in (None, seen):
        saved = {**saved, **shared}
        _put(_fit(shared, corpus))
    st.session_state[SIDEBAR_SEEN] = seen
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
    lang = language()

    def named(kind: str):
        return lambda option: translate(lang, f"training.{kind}_{option}")

    model, training, data = st.columns(3)
    with model.container(border=True):
        st.markdown(t("training.group_model"))
        encoding = st.segmented_control(
            t("training.encoding"), ENCODINGS, required=True, format_func=named("encoding"), key=key("encoding")
        )
        layer = st.segmented_control(
            t("training.layer"), LAYER_KINDS, required=True, format_func=named("layer"), key=key("layer")
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
        st.slider(
            t("training.dropout"), 0.0, MAX_DROPOUT, step=0.05, key=key("dropout"), help=t("training.dropout_help")
        )
        st.number_input(
            t("training.embedding_dim"),
            1,
            MAX_EMBEDDING_DIM,
            key=key("embedding_dim"),
            disabled=encoding != "embedding",
        )
        if encoding == "glove":
            st.text_input(
                t("training.glove_path"), key=key("glove_path"), placeholder=t("training.glove_path_placeholder")
            )
            st.toggle(t("training.glove_trainable"), key=key("glove_trainable"))
    with training.container(border=True):
        st.markdown(t("training.group_training"))
        st.segmented_control(
            t("training.optimizer"), OPTIMIZERS, required=True, format_func=named("optimizer"), key=key("optimizer")
        )
        st.number_input(
            t("training.learning_rate"), MIN_LEARNING_RATE, 1.0, step=1e-4, format="%.1e", key=key("learning_rate")
        )
        left, right = st.columns(2)
        left.number_input(t("training.batch_size"), 1, MAX_BATCH_SIZE, key=key("batch_size"))
        right.number_input(t("training.epochs"), 1, MAX_EPOCHS, key=key("epochs"))
        left.number_input(t("training.patience"), 0, MAX_EPOCHS, key=key("patience"), help=t("training.patience_help"))
        right.number_input(t("training.seed"), 0, MAX_SEED, key=key("seed"))
        st.number_input(
            t("training.subset"), 0, MAX_SUBSET, step=100, key=key("subset"), help=t("training.subset_help")
        )
    with data.container(border=True):
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
    saved = st.session_state.get(SAVED) or {}
    values = {
        f.name: st.session_state.get(key(f.name), saved.get(f.name)) for f in fields(RunConfig) if f.name != "source"
    }
    st.session_state[SAVED] = dict(values)
    return _config(values, source)


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


def follow_live(run_id: str) -> None:
    """The live panel of ``run_id``; while the run is active it polls the job manager every ``POLL_S``."""
    active = job_manager().info(run_id, owner_token()).state in ACTIVE_STATES
    st.fragment(_live_panel, run_every=POLL_S if active else None)(run_id)


def _live_panel(run_id: str) -> None:
    """The followed run: state, counters, progress with ETA, controls and curves (polled while active)."""
    manager, owner, lang = job_manager(), owner_token(), language()
    info = manager.info(run_id, owner)
    events = manager.events(run_id)
    history = [] if events else runs.read_history(run_id)
    seen = st.session_state.setdefault(SEEN_ACTIVE, set())
    if info.state in ACTIVE_STATES:
        seen.add(run_id)
    elif run_id in seen:  # it just ended: redraw the whole page, so the runs list and results include it
        seen.discard(run_id)
        st.rerun()
    state = "paused" if info.paused else info.state
    st.markdown(
        t("training.live_line", run=run_id, model=describe_model(info.config), state=t(f"training.state_{state}"))
    )
    if info.reason and info.state != "stopped":  # a stop's reason says what the state already says
        st.caption(t("training.reason", reason=info.reason))
    if info.state == "queued":
        st.info(t("training.waiting", position=(info.queue_position or 0) + 1))
    for event in (e for e in events if e.get("type") == "glove"):
        st.caption(t("training.glove_coverage", found=event["found"], total=event["total"], share=event["share"]))
    now = progress(events, info.config)
    top = st.columns(4)
    top[0].metric(
        t("training.epoch_counter"),
        f"{now.epoch} / {now.epochs}" if events else f"{len(history)} / {info.config.epochs}",
    )
    top[1].metric(t("training.step_counter"), f"{now.step} / {now.steps}" if now.steps else "–")
    found = curves(events, history)
    last = found.epochs[-1] if found.epochs else {}
    top[2].metric(t("training.val_accuracy"), f"{last['val_accuracy']:.4f}" if "val_accuracy" in last else "–")
    best = best_epoch(found.epochs)
    top[3].metric(t("training.best_epoch"), best or "–")
    if info.state in ACTIVE_STATES:
        eta = (
            t("training.eta", minutes=int(now.eta_seconds // 60), seconds=int(now.eta_seconds % 60))
            if now.eta_seconds is not None
            else ""
        )
        st.progress(now.fraction, text=t("training.progress", share=now.fraction, eta=eta))
        controls = st.columns([1, 1, 4])
        allowed = {"disabled": not info.owned, "help": None if info.owned else t("training.not_yours")}
        pause_label, command = (
            (t("training.resume"), manager.resume) if info.paused else (t("training.pause"), manager.pause)
        )
        try:
            if controls[0].button(pause_label, icon="⏯", key="training_pause", **allowed):
                command(run_id, owner)
            if controls[1].button(t("training.stop"), icon="⏹", key="training_stop", **allowed):
                manager.stop(run_id, owner)
                st.toast(t("training.stopping"))
        except JobError as error:
            st.warning(t("training.control_failed", reason=error))
        if not info.owned:
            controls[2].caption(t("training.not_yours"))
    smoothing = st.slider(t("training.smoothing"), 0.0, 0.95, 0.6, 0.05, key="training_live_smoothing")
    with st.container(key="training_live_chart"):
        st.plotly_chart(
            live_figure(found, best, early_stop_epoch(events, found.epochs, info.config, info.state), smoothing, lang),
            key="training_live_figure",
        )
        st.caption(t("training.points", points=found.point_count))
