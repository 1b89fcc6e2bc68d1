"""The training page's link to the job manager: the server's manager, this tab's owner token, starting a run.

One ``JobManager`` serves every browser session (``st.cache_resource``); the page reaches it
only through ``job_manager()``, which the tests replace with a fake engine. Each tab gets an
owner token on first use, so a run can be paused or stopped only from the tab that started it.
"""

from __future__ import annotations

import secrets

import streamlit as st

from explorer.training.config import ConfigError, RunConfig
from explorer.training.jobs import JobError, JobManager
from explorer.training.naming import name_new_run
from ui import state
from ui.i18n import t


@st.cache_resource(show_spinner=False)
def _server_job_manager() -> JobManager:
    """Built once per server, by the first page anyone opens (``warm_up``); starts a worker that imports TensorFlow."""
    return JobManager()


def warm_up() -> None:
    """Start the server's job manager, and with it the training worker, from whichever page is opened first.

    The shared sidebar calls this on every page. The first call spawns the worker process and
    returns at once (the worker imports TensorFlow and compiles the training loops in its own
    process, so neither this process nor the page waits for it); later calls find the manager in
    the cache. By the time someone reaches the training page and presses Train, the worker is
    ready: the first point streams in about a second instead of after the TensorFlow import.
    """
    job_manager()


def job_manager() -> JobManager:
    """The server's job manager (the seam where the page tests put their fake engine)."""
    return _server_job_manager()


def owner_token() -> str:
    """This tab's owner token (a new one per browser session)."""
    return st.session_state.setdefault(state.TRAINING_OWNER, secrets.token_hex(8))


def start_run(config: RunConfig, preset: str | None) -> None:
    """Queue a run of ``config``, name it after ``preset`` (or its model), and follow it in the live panel.

    A refusal is shown as an error.
    """
    try:
        run_id = job_manager().submit(config, owner_token())
    except (ConfigError, JobError) as error:
        st.error(t("training.submit_failed", reason=error))
    else:
        st.session_state[state.TRAINING_WATCHED] = run_id
        name_new_run(run_id, config, preset)
        st.session_state[state.TRAINING_SCROLL] = True  # the live panel scrolls into view once
