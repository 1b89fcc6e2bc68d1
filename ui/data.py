"""Getting the corpus into a page: shared across sessions, built once with a progress bar.

A corpus is loaded once per server and data source and shared by every browser session
(``st.cache_resource``). When it cannot be had, the page shows how to provide the data instead
of a traceback, and remembers the failure until the user asks to try again (a failed Keras
download takes seconds, and should not repeat on every slider move).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import streamlit as st

from explorer.data import sources
from explorer.data.corpus import OOV_ID, Corpus, Split
from explorer.data.ragged import Ragged
from explorer.sequences.stats import chosen_reviews, oov_share
from ui import state
from ui.i18n import t
from ui.sidebar import settings
from ui.user_text import markdown_literal

CORPORA_KEPT = 2  # corpora held in memory per server (each up to ~0.5 GB with its texts); the least recent goes


def _corpus_identity(corpus: Corpus) -> tuple[str, str, int, int]:
    """What tells corpora apart for caching (not ``id``: a dropped corpus's id may be reused)."""
    return corpus.source, corpus.origin, len(corpus.train), corpus.vocabulary_size


@st.cache_resource(show_spinner=False)
def _loaded_corpora() -> tuple[OrderedDict[sources.SourceSpec, Corpus], threading.Lock]:
    """The server's corpora by source, least recently used first, and a lock so two sessions never
    build the same one."""
    return OrderedDict(), threading.Lock()


@st.cache_resource(show_spinner=False, max_entries=CORPORA_KEPT, hash_funcs={Corpus: _corpus_identity})
def book_split(corpus: Corpus) -> tuple[Split, Split]:
    """The book's train/validation split of ``corpus`` (computed once per corpus)."""
    return corpus.book_split()


@st.cache_resource(show_spinner=False, max_entries=4, hash_funcs={Corpus: _corpus_identity})
def training_ids(corpus: Corpus, num_words: int) -> Ragged:
    """The book's training reviews with every id from ``num_words`` on made OOV (once per server, not per rerun)."""
    return book_split(corpus)[0].ids.with_vocabulary(num_words, OOV_ID)


@st.cache_data(show_spinner=False, max_entries=64, hash_funcs={Corpus: _corpus_identity})
def reviews_oov_share(corpus: Corpus, split: str, num_words: int) -> float:
    """``stats.oov_share`` of the reviews ``split`` picks (once per server and setting)."""
    return oov_share(chosen_reviews(corpus, book_split(corpus), split)[0], num_words)


def current_spec() -> sources.SourceSpec:
    """The data source the sidebar (or the environment) asks for."""
    chosen = settings()
    typed = chosen.source_path if chosen.source_kind == "aclimdb" else None
    return sources.resolve(chosen.source_kind, typed, typed=True)


def corpus_or_none() -> Corpus | None:
    """The current corpus, building it with a progress bar if needed; ``None`` if unavailable."""
    try:
        spec = current_spec()
    except ValueError as error:
        _show_unavailable(None, str(error))
        return None
    corpora, lock = _loaded_corpora()
    if spec in corpora:
        with lock:
            corpora.move_to_end(spec)
        st.session_state[state.SHOWN_SOURCE] = spec
        return corpora[spec]
    errors = st.session_state.setdefault(state.DATA_ERRORS, {})
    if spec in errors:
        _show_unavailable(spec, errors[spec])
        return None
    bar = st.progress(0.0, text=t("data.loading"))
    try:
        with lock:
            if spec not in corpora:
                corpora[spec] = sources.load(
                    spec,
                    lambda f, m: bar.progress(min(f, 1.0), text=t("data.building", message=m)),
                    lambda reason: st.warning(t("data.cache_unwritable", reason=reason)),  # once: then it is in memory
                )
                while len(corpora) > CORPORA_KEPT:
                    corpora.popitem(last=False)
    except sources.DataUnavailable as error:
        errors[spec] = str(error)
        bar.empty()
        _show_unavailable(spec, str(error))
        return None
    bar.empty()
    st.session_state[state.SHOWN_SOURCE] = spec
    return corpora[spec]


def require_corpus() -> Corpus:
    """The current corpus, or (when it cannot be loaded) the how-to and a stop of the page."""
    corpus = corpus_or_none()
    if corpus is None:
        st.stop()
    return corpus


def _show_unavailable(spec: sources.SourceSpec | None, reason: str) -> None:
    st.error(t("data.unavailable_title"))
    st.caption(t("data.unavailable_reason", reason=markdown_literal(reason)))  # it may quote a typed path
    local = sources.configured_local_copy()
    if spec is not None and spec.kind == "keras" and local:
        # The local copy is already configured (offline classroom): the way out is the source, not the variable.
        st.info(t("data.switch_back", path=local))
        st.button(t("data.use_local"), key="use_local_copy", on_click=_switch_to_local_copy)
        return
    st.markdown(t("data.how_to"))
    download, retry = st.columns(2)
    if download.button(t("data.download_aclimdb"), key="download_aclimdb"):
        bar = st.progress(0.0)
        try:
            sources.download_aclimdb(lambda f, m: bar.progress(min(f, 1.0), text=m))
        except sources.DataUnavailable as error:
            st.error(t("data.download_failed", reason=error))
            return
        st.session_state[state.SOURCE_KIND] = "aclimdb"
        _forget_failures()
        st.rerun()
    if spec is not None and retry.button(t("data.retry"), key="retry_data"):
        _forget_failures()
        st.rerun()


def _switch_to_local_copy() -> None:
    st.session_state[state.SOURCE_KIND] = "auto"  # auto takes the IMDB_EXPLORER_DATA copy


def _forget_failures() -> None:
    st.session_state[state.DATA_ERRORS] = {}


def effective_num_words(corpus: Corpus, num_words: int) -> int:
    """``num_words`` capped at the corpus's vocabulary, with a note when the cap applies."""
    if num_words > corpus.max_num_words:
        st.info(
            t(
                "sidebar.num_words_clamped",
                vocabulary=corpus.vocabulary_size,
                asked=num_words,
                largest=corpus.max_num_words,
            )
        )
        return corpus.max_num_words
    return num_words
