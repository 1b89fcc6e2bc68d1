"""The training page's live panel: Train, the followed run's state, counters, progress, controls and curves.

While the run is active the panel is a fragment (inside Train's) that polls the job manager every ``POLL_S``
seconds; when the run ends it reruns the whole page, so the runs list and results include it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from explorer.training import runs
from explorer.training.config import RunConfig
from explorer.training.jobs import JobError, JobManager, RunInfo, thin_batches
from explorer.training.naming import run_label
from explorer.training.plots import live_figure
from explorer.training.runs import ACTIVE_STATES
from explorer.training.view import Curves, Progress, best_epoch, curves, describe_model, early_stop_epoch, progress
from ui import state
from ui.charts import draw_chart, shared_chart
from ui.i18n import language, t
from ui.presenter import section
from ui.training import manager as jobs
from ui.training.cluster import draw_cluster_line, draw_where
from ui.training.names import run_labels
from ui.training.queue_table import draw_queue
from ui.user_text import markdown_literal

POLL_S = 1.0  # how often the live panel asks the job manager for news while a run is active
FIRST_POINT_POLL_S = 0.25  # until the followed run's first point, so it shows within a second of Train
DEFAULT_SMOOTHING = 0.6  # the live chart's smoothing weight until the slider moves
# Centres the live chart in the window once it is drawn (retrying while the page redraws): the whole
# chart fits a 1280 x 720 projector, with the progress bar and Pause / Stop just above it.
SCROLL_TO_LIVE = """<script>
(function scroll(tries) {
  const live = document.querySelector(".st-key-training_live_chart, .st-key-training_live");
  if (live) { live.scrollIntoView({block: "center", behavior: "smooth"}); }
  else if (tries > 0) { setTimeout(() => scroll(tries - 1), 100); }
})(30);
</script>"""


def draw_train_and_live(config: RunConfig, preset: str | None, *, ready: bool) -> None:
    """The Train button above the live panel and the queue (the page's "live" section), in one fragment.

    Pressing Train redraws only this fragment. A whole page's redraw (the form's sliders, the
    summary, the code) kept the browser of a 2-core classroom server busy for about 0.7 s before
    it drew the first point, which the class waits for right after the click.
    """
    st.fragment(_train_and_live)(config, preset, ready)


def _train_and_live(config: RunConfig, preset: str | None, ready: bool) -> None:
    """Train (disabled unless ``ready``), "train again" after an identical run, then the live panel."""
    with section("training", "live"):
        if st.button(t("training.train"), type="primary", icon="▶", disabled=not ready, key="training_train"):
            jobs.start_run(config, preset)
        jobs.draw_shared_offer(config, preset)
        listed = jobs.job_manager().list_runs(jobs.owner_token())
        draw_live_and_queue(listed, [info for info in listed if info.state in ACTIVE_STATES])


def watched_run(listed: list[RunInfo], active: list[RunInfo]) -> str | None:
    """The run the live panel follows: the one this tab started, else an active one, else the newest."""
    known = [info.run_id for info in listed if info.config is not None]  # newest first
    watched = st.session_state.get(state.TRAINING_WATCHED)
    if watched in known:
        return watched
    return next((info.run_id for info in active), None) or next(iter(known), None)


def draw_live_and_queue(listed: list[RunInfo], active: list[RunInfo]) -> None:
    """The live panel and the queue, redrawn together every ``POLL_S`` while a run is active.

    One fragment for both, so the queue never says "running" while the live panel says "paused".
    Right after Train the page scrolls to the live panel: on a 1280 × 720 projector the curves
    would otherwise start below the fold, under the form.
    """
    watched = watched_run(listed, active)
    waiting = watched in {info.run_id for info in active} and not _has_points(watched)
    polled = any(info.state in ACTIVE_STATES for info in active)
    interval = (FIRST_POINT_POLL_S if waiting else POLL_S) if polled else None
    st.fragment(_live_and_queue, run_every=interval)(watched, [info.run_id for info in active], waiting)
    if st.session_state.pop(state.TRAINING_SCROLL, False):
        st.html(SCROLL_TO_LIVE, unsafe_allow_javascript=True)


def _has_points(run_id: str) -> bool:
    """True once the run has streamed a batch or an epoch."""
    return any(event.get("type") in ("batch", "epoch") for event in jobs.job_manager().events(run_id))


def _live_and_queue(watched: str | None, active_ids: list[str], waiting: bool) -> None:
    """The followed run's panel, then every run that waits or trains on this server (a fragment).

    ``waiting``: polled every ``FIRST_POINT_POLL_S`` until the followed run's first point, then
    the page is redrawn once, which goes back to polling every ``POLL_S``.
    """
    manager, owner = jobs.job_manager(), jobs.owner_token()
    with st.container(key="training_live"):
        st.subheader(t("training.live_title"))
        if watched is None:
            st.container().caption(t("training.nothing_live"))  # in the slot of a run's state (see _live_panel)
            _draw_empty_chart()
        elif _live_panel(watched) and waiting:
            st.rerun()
    st.subheader(t("training.queue_title"))
    draw_cluster_line()
    still_active = [
        info for info in (manager.info(run_id, owner) for run_id in active_ids) if info.state in ACTIVE_STATES
    ]
    draw_queue(still_active, run_labels(still_active))
    if active_ids and not still_active and watched not in active_ids:
        st.rerun()  # the last run of another tab ended: redraw the page, which stops the polling


def _draw_empty_chart() -> None:
    """The live chart's axes and the book's line, before any run: students see where the curves will go,
    and the browser has loaded plotly's code (1–2 s on a busy machine) before the first point arrives.

    Streamlit gives a plotly chart a new identity whenever its figure changes, so the browser draws
    each new figure afresh (about 0.25 s on a busy 2-core machine): that cost stays, the loading goes.
    """
    with st.container(key="training_live_chart"):
        empty = curves([])
        shared_chart(st, "training_live_figure", (), lambda: live_figure(empty, None, None, 0.0, language()))


def _live_panel(run_id: str) -> int:
    """The followed run: state, counters, progress with ETA, controls and curves; how many points it drew."""
    manager, owner = jobs.job_manager(), jobs.owner_token()
    info = manager.info(run_id, owner)
    events = _events(manager, run_id, info.state in ACTIVE_STATES)
    history = [] if events else _history(run_id)
    _rerun_when_it_ends(info)
    now = progress(events, info.config)
    found = curves(events, history)
    best = best_epoch(found.epochs)
    # One slot for everything above the chart, as before a run (where it holds one line): the chart
    # stays in its place on the page, which does not jump when the first point arrives.
    with st.container():
        _draw_state(info, events)
        _draw_counters(info, events, history, now, found, best)
        if info.state in ACTIVE_STATES:
            _draw_progress(now)
            _draw_controls(info, manager, owner)
    with st.container(key="training_live_chart"):
        smoothing = st.session_state.get("training_live_smoothing", DEFAULT_SMOOTHING)
        early_stop = early_stop_epoch(events, found.epochs, info.config, info.state)
        draw_chart(st, live_figure(found, best, early_stop, smoothing, language()), key="training_live_figure")
        st.caption(t("training.points", points=found.point_count))
    # below the chart: the chart is what the class watches, the smoothing a detail
    st.slider(t("training.smoothing"), 0.0, 0.95, DEFAULT_SMOOTHING, 0.05, key="training_live_smoothing")
    return found.point_count


def _events(manager: JobManager, run_id: str, active: bool) -> list[dict[str, Any]]:
    """The active run's progress messages, asked for incrementally: only those after the last one this session has.

    Ended epochs' batches are thinned as the manager thins them, so a long run stays small here too.
    """
    if not active:
        st.session_state.pop(state.TRAINING_EVENTS, None)
        return []
    kept_run, kept = st.session_state.get(state.TRAINING_EVENTS, (None, []))
    kept = kept if kept_run == run_id else []
    fresh = manager.events(run_id, kept[-1]["seq"] + 1 if kept else 0)
    kept = kept + fresh
    for epoch in {event.get("epoch") for event in fresh if event["type"] == "epoch"}:
        kept = thin_batches(kept, epoch)
    st.session_state[state.TRAINING_EVENTS] = (run_id, kept)
    return kept


def _history(run_id: str) -> list[dict[str, Any]]:
    """The ended run's stored epochs (none if its history is damaged or gone: the runs list says so)."""
    try:
        return runs.read_history(run_id)
    except runs.RunStoreError:
        return []


def _rerun_when_it_ends(info: RunInfo) -> None:
    """Remember that the run was seen active; once it has ended, rerun the whole page."""
    seen = st.session_state.setdefault(state.TRAINING_SEEN_ACTIVE, set())
    if info.state in ACTIVE_STATES:
        seen.add(info.run_id)
    elif info.run_id in seen:  # it just ended: redraw the whole page, so the runs list and results include it
        seen.discard(info.run_id)
        st.rerun()


def _draw_state(info: RunInfo, events: list[dict[str, Any]]) -> None:
    """Which run, its model and state; why it ended, its place in the queue, its GloVe coverage."""
    shown_state = "paused" if info.paused else info.state
    st.markdown(
        t(
            "training.live_line",
            name=markdown_literal(run_label(info.run_id, info.config, language())),
            run=info.run_id,
            model=describe_model(info.config),
            state=t(f"training.state_{shown_state}"),
        )
    )
    if info.state == "running":
        draw_where(events)
    if info.reason and info.state != "stopped":  # a stop's reason says what the state already says
        st.caption(t("training.reason", reason=info.reason))
    if info.state == "queued" and not jobs.job_manager().workers_ready():  # only at a server's start
        st.info(t("training.engine_starting"))
    elif info.state == "queued":
        st.info(t("training.waiting", position=(info.queue_position or 0) + 1))
    for event in (e for e in events if e.get("type") == "glove"):
        st.caption(t("training.glove_coverage", found=event["found"], total=event["total"], share=event["share"]))


def _draw_counters(
    info: RunInfo,
    events: list[dict[str, Any]],
    history: list[dict[str, Any]],
    now: Progress,
    found: Curves,
    best: int | None,
) -> None:
    """Epoch, step in the epoch, the last validation accuracy and the best epoch so far."""
    top = st.columns(4)
    top[0].metric(
        t("training.epoch_counter"),
        f"{now.epoch} / {now.epochs}" if events else f"{len(history)} / {info.config.epochs}",
    )
    top[1].metric(t("training.step_counter"), f"{now.step} / {now.steps}" if now.steps else "–")
    last = found.epochs[-1] if found.epochs else {}
    top[2].metric(t("training.val_accuracy"), f"{last['val_accuracy']:.4f}" if "val_accuracy" in last else "–")
    top[3].metric(t("training.best_epoch"), best or "–")


def _draw_progress(now: Progress) -> None:
    """The active run's share done, with the time it still needs."""
    eta = (
        t("training.eta", minutes=int(now.eta_seconds // 60), seconds=int(now.eta_seconds % 60))
        if now.eta_seconds is not None
        else ""
    )
    st.progress(now.fraction, text=t("training.progress", share=now.fraction, eta=eta))


def _draw_controls(info: RunInfo, manager: JobManager, owner: str) -> None:
    """Pause or resume, and stop: only for the browser that started the run, and the teacher."""
    controls = st.columns([1, 1, 4])
    mine, admin = jobs.may_control(info), jobs.is_admin()
    allowed = {"disabled": not mine, "help": None if mine else t("training.not_yours")}
    pause_label, command = (
        (t("training.resume"), manager.resume) if info.paused else (t("training.pause"), manager.pause)
    )
    try:
        if controls[0].button(pause_label, icon="⏯", key="training_pause", **allowed):
            command(info.run_id, owner, admin=admin)
        if controls[1].button(t("training.stop"), icon="⏹", key="training_stop", **allowed):
            manager.stop(info.run_id, owner, admin=admin)
            st.toast(t("training.stopping"))
    except JobError as error:
        st.warning(t("training.control_failed", reason=error))
    if not mine:
        controls[2].caption(t("training.not_yours"))
