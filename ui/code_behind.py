"""The code behind every view: one expander per page, and a run's script and notebook to download.

The code itself comes from ``explorer.lesson.code`` (the tutorials' own API with the current
settings); this module only finds the settings and the data source and draws it. Data paths
are reduced to their file name: the code runs on the reader's machine, not on this server.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import streamlit as st

from explorer.lesson.code import ACLIMDB_SOURCE, KERAS_SOURCE, PAGE_CODE, DataSource, ViewSettings, training_code
from explorer.lesson.export import run_notebook, run_script
from explorer.training.config import RunConfig
from ui.data import current_spec
from ui.i18n import t
from ui.sidebar import settings


def _source(kind: str, path: str | None) -> DataSource:
    if kind == ACLIMDB_SOURCE and path:
        return DataSource(ACLIMDB_SOURCE, Path(path).name)
    return DataSource(ACLIMDB_SOURCE) if kind == ACLIMDB_SOURCE else DataSource(KERAS_SOURCE)


def _current_source() -> DataSource:
    try:
        spec = current_spec()
    except ValueError:
        return DataSource()
    return _source(spec.kind, spec.path)


def _run_source(config: RunConfig) -> DataSource:
    """The data a run trained on (``""`` is the app's data at the time: the current one is the best guess)."""
    kind, _, path = config.source.partition(":")
    return _source(kind, path) if kind in (KERAS_SOURCE, ACLIMDB_SOURCE) else _current_source()


def draw_code_behind(page_key: str, config: RunConfig | None = None) -> None:
    """An expander with the code that reproduces ``page_key`` (the training studio passes its form's config)."""
    chosen = settings()
    if config is not None:
        code = training_code(config, _run_source(config))
    else:
        view = ViewSettings(chosen.num_words, chosen.maxlen, chosen.padding, chosen.truncating)
        code = PAGE_CODE[page_key](_current_source(), view)
    with st.container(key="code_behind"), st.expander(t("lesson.code_title"), icon="🐍"):
        st.caption(t("lesson.code_caption"))
        st.code(code, language="python")


def draw_run_downloads(run_id: str, config: RunConfig) -> None:
    """Download buttons for a runnable script and a notebook that reproduce run ``run_id``."""
    source = _run_source(config)
    row = st.container(horizontal=True)
    downloads = (  # label, builder, file name, type, key, icon
        ("lesson.download_script", run_script, f"run-{run_id}.py", "text/x-python", "code_behind_script", "🐍"),
        ("lesson.download_notebook", run_notebook, f"run-{run_id}.ipynb", "application/x-ipynb+json",
         "code_behind_notebook", "📓"),
    )  # fmt: skip
    for label, build, name, kind, key, icon in downloads:
        # built when clicked, not on every rerun of the training page (a notebook takes ~20 ms to write)
        data = partial(build, config, source, run_id)
        row.download_button(t(label), data, name, kind, on_click="ignore", key=key, icon=icon)
