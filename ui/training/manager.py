"""The training page's link to the job manager: the server's manager, this browser's identity, the teacher's token.

One ``JobManager`` serves every browser session (``st.cache_resource``); the page reaches it
only through ``job_manager()``, which the tests replace with a fake engine.

**Who owns a run.** Each browser gets a random owner token, kept in a cookie (``OWNER_COOKIE``):
a reload, or a second tab of the same browser, sends it back and keeps control of its runs. A
cookie, not a URL parameter, because a link is shared (pasted in the class chat) and a cookie
never leaves its browser; another browser, or a private window, has none and gets its own.
Streamlit reads cookies (``st.context.cookies``) but cannot set one, so the token is handed to
the browser by a three-line script (``st.html`` with JavaScript; a component package would add a
dependency and an iframe for the same three lines). The cookie is ``SameSite=Strict``.

**The teacher.** With ``IMDB_EXPLORER_ADMIN_TOKEN`` set, a "Teacher" box on the training page
takes that token; while it is typed there, that session may pause, stop, cancel and delete every
run (``admin=True`` in the job manager's calls).
"""

from __future__ import annotations

import hmac
import json
import os
import re
import secrets
import time

import streamlit as st

from explorer.training.config import ConfigError, RunConfig
from explorer.training.jobs import JobError, JobManager, RunInfo
from explorer.training.naming import name_new_run
from ui import state
from ui.i18n import t


@st.cache_resource(show_spinner=False)
def _server_job_manager() -> JobManager:
    """Built once per server, by the first page anyone opens (``warm_up``); starts the training worker."""
    return JobManager()


def warm_up() -> None:
    """Start the server's job manager, and with it the training worker, from whichever page is opened first.

    The shared sidebar calls this on every page. The first call spawns the worker process and
    returns at once (the worker loads the compiled training loops and the book's data in its own
    process, and imports TensorFlow in the background while it can already train the book's
    models); later calls find the manager in the cache.
    """
    job_manager()


def job_manager() -> JobManager:
    """The server's job manager (the seam where the page tests put their fake engine)."""
    return _server_job_manager()


FIRST_POINT_WAIT_S = 0.6  # after Train, how long the page waits for the run's first point (see await_first_point)
FIRST_POINT_POLL_S = 0.02
OWNER_COOKIE = "imdb_explorer_owner"
TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}$")  # what owner_token makes; any other cookie value is ignored
COOKIE_MAX_AGE_S = 30 * 24 * 3600  # a browser keeps control of its runs for a month
ADMIN_TOKEN_ENV = "IMDB_EXPLORER_ADMIN_TOKEN"


def owner_token() -> str:
    """This browser's owner token: from its cookie, else a new one that is handed to the browser."""
    token = st.session_state.get(state.TRAINING_OWNER)
    cookie = _owner_cookie()
    if token is None:
        token = cookie if TOKEN_PATTERN.match(cookie) else secrets.token_hex(16)
        st.session_state[state.TRAINING_OWNER] = token
    if cookie != token and not st.session_state.get(state.TRAINING_COOKIE_SENT):
        st.session_state[state.TRAINING_COOKIE_SENT] = True
        cookie = f"{OWNER_COOKIE}={token}; path=/; max-age={COOKIE_MAX_AGE_S}; SameSite=Strict"
        st.html(f"<script>document.cookie = {json.dumps(cookie)};</script>", unsafe_allow_javascript=True)
    return token


def _owner_cookie() -> str:
    """The owner cookie the browser sent when this session connected ("" if none)."""
    cookie = st.context.cookies.get(OWNER_COOKIE)
    return cookie if isinstance(cookie, str) else ""  # AppTest's context has no real cookies


def admin_configured() -> bool:
    """True if the server was started with a teacher's token."""
    return bool(os.environ.get(ADMIN_TOKEN_ENV))


def is_admin() -> bool:
    """True while this session holds the teacher's token (compared in constant time)."""
    expected, typed = os.environ.get(ADMIN_TOKEN_ENV, ""), st.session_state.get(state.TRAINING_ADMIN) or ""
    return bool(expected) and hmac.compare_digest(expected.encode(), typed.encode())


def draw_admin_box() -> None:
    """The teacher's token field (only when the server has one) and whether it is accepted."""
    if not admin_configured():
        return
    with st.expander(t("classroom.admin_title"), icon="🔑"):
        st.text_input(t("classroom.admin_token"), type="password", key=state.TRAINING_ADMIN)
        if st.session_state.get(state.TRAINING_ADMIN):
            st.caption(t("classroom.admin_on") if is_admin() else t("classroom.admin_wrong"))


def may_control(info: RunInfo) -> bool:
    """Whether this session may pause, stop, cancel or delete the run."""
    return info.owned or is_admin()


def start_run(config: RunConfig, preset: str | None, *, again: bool = False) -> None:
    """Queue a run of ``config``, name it after ``preset`` (or its model), and follow it in the live panel.

    Unless ``again``, a finished or active run of exactly this config is followed instead (and
    ``draw_shared_offer`` says so, with "train again"). A refusal is shown as an error.
    """
    manager = job_manager()
    same = None if again else manager.identical(config)
    if same is not None:
        st.session_state[state.TRAINING_WATCHED] = same.run_id
        st.session_state[state.TRAINING_SHARED] = (config.to_json(), same.run_id)
        st.session_state[state.TRAINING_SCROLL] = True
        return
    st.session_state.pop(state.TRAINING_SHARED, None)
    try:
        run_id = manager.submit(config, owner_token(), admin=is_admin())
    except (ConfigError, JobError) as error:
        st.error(t("training.submit_failed", reason=error))
    else:
        st.session_state[state.TRAINING_WATCHED] = run_id
        name_new_run(run_id, config, preset)
        st.session_state[state.TRAINING_SCROLL] = True  # the live panel scrolls into view once
        await_first_point(manager, run_id)


def await_first_point(manager: JobManager, run_id: str) -> None:
    """Wait up to ``FIRST_POINT_WAIT_S`` for a just-started run's first point, so the page draws it at once.

    A free worker streams a book model's first batch within about 0.1 s of Train; drawing the live
    panel before it arrives would show it only a poll and a redraw later (about a second on a
    2-core server). A run that waits in the queue, or for a starting worker, is drawn at once.
    """
    deadline = time.monotonic() + FIRST_POINT_WAIT_S
    while time.monotonic() < deadline and manager.workers_ready() and manager.info(run_id).state == "running":
        if any(event.get("type") in ("batch", "epoch") for event in manager.events(run_id)):
            return
        time.sleep(FIRST_POINT_POLL_S)


def draw_shared_offer(config: RunConfig, preset: str | None) -> None:
    """After Train found an identical run: which one is shown (finished or training), and "train again"."""
    shared = st.session_state.get(state.TRAINING_SHARED)
    if not shared or shared[0] != config.to_json():
        return
    try:
        info = job_manager().info(shared[1])
    except ValueError:  # deleted meanwhile
        st.session_state.pop(state.TRAINING_SHARED, None)
        return
    key = "classroom.shared_finished" if info.state == "finished" else "classroom.shared_active"
    with st.container(border=True):
        st.info(t(key, run=info.run_id), icon="♻️")
        if st.button(t("classroom.train_again"), icon="🔁", key="training_train_again"):
            st.session_state.pop(state.TRAINING_SHARED, None)
            start_run(config, preset, again=True)
