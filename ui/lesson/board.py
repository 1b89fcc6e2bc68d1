"""The class board's sections: the ranking, naming one's own runs, and the teacher's controls."""

from __future__ import annotations

import streamlit as st

from explorer.data.corpus import Corpus
from explorer.lab.baseline import baseline, cached_baseline
from explorer.lesson import board
from explorer.lesson.plots import board_figure
from explorer.training.runs import ACTIVE_STATES
from ui import state
from ui.charts import draw_chart
from ui.i18n import language, t
from ui.training import manager as jobs


def references(corpus: Corpus) -> dict[str, float]:
    """The lines every run is measured against: the book's accuracy and the TF-IDF baseline (once fitted)."""
    lines = {t("board.book"): board.BOOK_VAL_ACCURACY}
    result = cached_baseline(corpus)
    if result is None and st.button(t("board.baseline_button"), key="board_baseline"):
        with st.spinner(t("board.baseline_running")):
            result = baseline(corpus)
    if result is not None:
        lines[t("board.baseline")] = result.validation_accuracy
    return lines


def row_label(rank: int, row: board.BoardRow) -> str:
    """How a run is named on the board: its rank and nickname (or an anonymous number)."""
    return f"{rank}. {row.name or t('board.anonymous', number=rank)}"


def draw_ranking(rows: list[board.BoardRow], lines: dict[str, float]) -> None:
    """The chart and the table of the listed runs."""
    labels = [row_label(rank, row) for rank, row in enumerate(rows, 1)]
    draw_chart(st, board_figure(rows, labels, lines, language()), key="board_chart")
    baseline_accuracy = lines.get(t("board.baseline"))
    table = {
        t("board.entry"): labels,
        t("board.model"): [row.model for row in rows],
        t("board.val_accuracy"): [round(row.val_accuracy, 4) for row in rows],
        t("board.test_accuracy"): [None if row.test_accuracy is None else round(row.test_accuracy, 4) for row in rows],
        t("board.epochs"): [row.epochs for row in rows],
    }
    if baseline_accuracy is not None:
        table[t("board.beats_baseline")] = [row.val_accuracy > baseline_accuracy for row in rows]
    st.dataframe(table, hide_index=True, key="board_table")


def draw_own_runs() -> None:
    """Name this browser's finished runs (only the owner may name a run)."""
    manager, owner = jobs.job_manager(), jobs.owner_token()
    own = [info for info in manager.list_runs(owner) if info.owned and info.state not in ACTIVE_STATES]
    if not own:
        st.caption(t("board.no_own_runs"))
        return
    names = board.read_board().names
    for info in own:
        key = state.BOARD_NAME.format(run_id=info.run_id)
        row = st.container(horizontal=True, vertical_alignment="bottom")
        row.text_input(t("board.name_for", run=info.run_id), names.get(info.run_id, ""), key=key,
                       max_chars=board.MAX_NAME_LENGTH, placeholder=t("board.name_placeholder"))  # fmt: skip
        row.button(t("board.post"), key=f"{key}_post", on_click=_post, args=(info.run_id, key))


def _post(run_id: str, key: str) -> None:
    """on_click of "Put on the board" (a callback, so the ranking drawn next shows the name)."""
    try:
        board.set_name(run_id, st.session_state[key])
    except board.BoardError as error:
        st.toast(t("board.bad_name", reason=error), icon="⚠️")
    else:
        st.toast(t("board.posted"), icon="🏆")


def draw_teacher_controls() -> None:
    """Hide or show entries and clear the board, once the teacher's token (``ui.training.manager``) is typed."""
    jobs.draw_admin_box()
    if not jobs.is_admin():
        return
    st.subheader(t("board.teacher_title"))
    rows = {row.run_id: row for row in board.board_rows(include_hidden=True)}
    hidden = st.multiselect(t("board.hidden"), list(rows), [run_id for run_id, row in rows.items() if row.hidden],
                            format_func=lambda run_id: f"{rows[run_id].name or '—'} · {rows[run_id].model} · {run_id}",
                            key="board_hidden")  # fmt: skip
    row = st.container(horizontal=True)
    if row.button(t("board.apply_hidden"), key="board_apply_hidden"):
        for run_id, entry in rows.items():
            if (run_id in hidden) != entry.hidden:
                board.set_hidden(run_id, run_id in hidden)
        st.rerun()
    if row.button(t("board.clear"), key="board_clear", icon="🧹"):
        board.clear_board()
        st.rerun()
