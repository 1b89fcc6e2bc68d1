"""The "why" page's memory over distance: several runs side by side, pre vs post padding, and the lesson in words."""

from __future__ import annotations

import streamlit as st

from explorer.data.corpus import Corpus
from explorer.lab.interpret_plots import memory_figure
from explorer.lab.memory_distance import REVIEWS, MemoryProfile, both_paddings
from explorer.training.config import KERAS_CLASS, RunConfig
from explorer.training.inference import Predictor
from explorer.training.runs import RunStoreError
from ui.charts import draw_chart
from ui.i18n import language, t
from ui.lab.why_review import sample_indices
from ui.user_text import markdown_literal

MAX_RUNS = 3  # panels side by side: SimpleRNN, LSTM and GRU


@st.cache_data(max_entries=16, show_spinner=False)
def cached_profiles(run_id: str, corpus_key: str, _corpus: Corpus) -> dict[str, MemoryProfile]:
    """A run's memory profiles over the sampled test reviews (``corpus_key`` names the corpus)."""
    predictor = Predictor.load(run_id)
    # only reviews shorter than maxlen get padding, so only they show what its side does
    reviews = _corpus.test.ids.take(sample_indices(_corpus, REVIEWS, predictor.config.maxlen))
    return both_paddings(predictor.config, predictor.weights, reviews)


def default_runs(stored: dict[str, RunConfig]) -> list[str]:
    """The newest run of each recurrent layer kind (the stored runs come newest first)."""
    newest: dict[str, str] = {}
    for run_id, config in stored.items():
        newest.setdefault(config.layer, run_id)
    return list(newest.values())[:MAX_RUNS]


def draw_memory(corpus: Corpus, corpus_key: str, stored: dict[str, RunConfig]) -> None:
    """Pick up to three runs; their curves side by side, and beside them what the numbers say."""
    st.markdown(t("why.memory_intro", reviews=REVIEWS))
    chosen = st.multiselect(
        t("why.memory_runs"),
        list(stored),
        default=default_runs(stored),
        max_selections=MAX_RUNS,
        format_func=lambda r: t("why.run_label", run=r, layer=KERAS_CLASS[stored[r].layer], padding=stored[r].padding),
        key="why_memory_runs",
    )
    if not chosen:
        st.info(t("why.memory_pick"))
        return
    profiles: dict[str, dict[str, MemoryProfile]] = {}
    with st.spinner(t("why.computing")):
        for run_id in chosen:
            try:
                profiles[run_id] = cached_profiles(run_id, corpus_key, corpus)
            except RunStoreError as error:  # one damaged run leaves the others' panels standing
                st.warning(t("why.damaged_run", reason=markdown_literal(str(error))))
    if not profiles:
        return
    names = {run_id: f"{KERAS_CLASS[stored[run_id].layer]} · {run_id[-6:]}" for run_id in chosen}
    chart, lesson = st.columns([3, 2])
    draw_chart(chart, memory_figure({names[r]: p for r, p in profiles.items()}, language()), key="why_memory_chart")
    lesson.markdown(t("why.memory_lesson"))
    for run_id, sides in profiles.items():
        lesson.markdown(
            t(
                "why.memory_line",
                name=names[run_id],
                trained=stored[run_id].padding,
                pre=sides["pre"].review_share,
                post=sides["post"].review_share,
                gap=sides["post"].median_gap,
                reach=sides["pre"].reach,
                maxlen=stored[run_id].maxlen,
            )
        )
    forgetful = min(profiles, key=lambda r: profiles[r]["post"].review_share)
    lesson.markdown(t("why.memory_verdict", name=names[forgetful], post=profiles[forgetful]["post"].review_share))
