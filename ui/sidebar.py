"""The sidebar shared by every page: language, data source, num_words, maxlen, padding.

Each control is bound to a URL query parameter of the same name, so the settings survive page
switches and can be shared as a link; a link value that is not valid is reported, not ignored
in silence.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from explorer.book import BOOK_MAXLEN, BOOK_NUM_WORDS, BOOK_PADDING, BOOK_TRUNCATING
from explorer.data.ragged import SIDES
from explorer.data.sources import KINDS
from explorer.i18n import DEFAULT_LANGUAGE, LANGUAGES
from ui import state
from ui.i18n import t
from ui.links import check_link, forget_refused_links, int_within
from ui.presenter import draw_presenter_switch
from ui.training import manager as training_jobs

NUM_WORDS_RANGE = (10, 20_000)  # below 10 almost every word is OOV; 20,000 covers the presets
NUM_WORDS_STEP = 10
MAXLEN_RANGE = (1, 1_000)  # 1,000 tokens keep 97% of reviews whole
# A bound control writes its option's label into the URL, so these labels are the same in every
# language (a translated label would break a shared link once the language changes).
LANGUAGE_LABEL = "Language · 언어"  # in both: it is drawn before a language given in the link applies
SOURCE_LABELS = {"auto": "auto", "keras": "Keras imdb.npz", "aclimdb": "aclImdb text"}
APPLY_AFTER_REST_MS = 500  # the sliders apply themselves once they have not moved for this long
APPLY_AFTER_REST_FLAG = "__applyAfterRest"  # set on the window once the script below runs (it runs once per tab)
# Presses "Apply" once no sidebar slider has moved for APPLY_AFTER_REST_MS: a debounce, which
# Streamlit's sliders do not offer. Each slider keeps its value in a hidden range input whose
# aria-valuetext follows every step; a step counts only while a key is pressed on a slider or a
# pointer drags one, so a value the app itself sets (a link's, a rerun's) presses nothing, and
# neither does Apply's own rerun. Pressing Apply before the rest cancels the pending press.
APPLY_AFTER_REST = """<script>
(() => {
  if (window.FLAG) return;  // every page's sidebar draws this
  window.FLAG = true;
  const onSlider = (target) => target.closest?.('[data-testid="stSidebar"] [data-testid="stSlider"]');
  let timer = null, dragging = false, keyed = -Infinity;  // keyed: when a key last moved a slider
  document.addEventListener("keydown", (event) => { if (onSlider(event.target)) keyed = performance.now(); }, true);
  document.addEventListener("pointerdown", (event) => { dragging = Boolean(onSlider(event.target)); }, true);
  document.addEventListener("pointerup", () => {
    if (dragging) { dragging = false; keyed = performance.now(); }  // the last steps of a drag count too
  }, true);
  new MutationObserver((changes) => {
    const byUser = dragging || performance.now() - keyed < 1000;  // a key's step shows well within 1 s
    if (!byUser || !changes.some((change) => change.target.closest('[data-testid="stSidebar"]'))) return;
    clearTimeout(timer);
    timer = setTimeout(() => document.querySelector(".st-key-apply_settings button")?.click(), REST_MS);
  }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ["aria-valuetext"]});
  document.addEventListener("click", (event) => {
    if (event.target.closest(".st-key-apply_settings")) clearTimeout(timer);
  }, true);
})();
</script>""".replace("FLAG", APPLY_AFTER_REST_FLAG).replace("REST_MS", str(APPLY_AFTER_REST_MS))


@dataclass(frozen=True)
class Settings:
    """What the sidebar controls say right now."""

    language: str
    source_kind: str
    source_path: str
    num_words: int
    maxlen: int
    padding: str
    truncating: str


def settings() -> Settings:
    """The current settings (the sidebar has been drawn by app.py before any page runs)."""
    get = st.session_state.get
    return Settings(
        get(state.LANGUAGE, DEFAULT_LANGUAGE),
        get(state.SOURCE_KIND, "auto"),
        get(state.SOURCE_PATH, ""),
        get(state.NUM_WORDS, BOOK_NUM_WORDS),
        get(state.MAXLEN, BOOK_MAXLEN),
        get(state.PADDING, BOOK_PADDING),
        get(state.TRUNCATING, BOOK_TRUNCATING),
    )


def draw_sidebar() -> None:
    """Draw the shared controls into the sidebar."""
    training_jobs.warm_up()  # first thing: the first page of a server starts the training worker (a run's wait)
    forget_refused_links()
    with st.sidebar:
        _accept_language_code()
        check_link(state.LANGUAGE, lambda v: v in LANGUAGES.values(), " / ".join(LANGUAGES.values()))
        st.segmented_control(
            LANGUAGE_LABEL,
            list(LANGUAGES),
            format_func=LANGUAGES.get,
            default=DEFAULT_LANGUAGE,
            required=True,
            key=state.LANGUAGE,
            bind="query-params",
        )
        st.caption(t("sidebar.settings"))
        check_link(state.NUM_WORDS, int_within(*NUM_WORDS_RANGE), f"{NUM_WORDS_RANGE[0]}–{NUM_WORDS_RANGE[1]:,}")
        st.slider(
            t("sidebar.num_words"),
            *NUM_WORDS_RANGE,
            value=BOOK_NUM_WORDS,
            step=NUM_WORDS_STEP,
            help=t("sidebar.num_words_help"),
            key=state.NUM_WORDS,
            bind="query-params",
            on_change="ignore",  # applied by the button below: see _draw_apply_button
        )
        check_link(state.MAXLEN, int_within(*MAXLEN_RANGE), f"{MAXLEN_RANGE[0]}–{MAXLEN_RANGE[1]:,}")
        st.slider(
            t("sidebar.maxlen"),
            *MAXLEN_RANGE,
            value=BOOK_MAXLEN,
            help=t("sidebar.maxlen_help"),
            key=state.MAXLEN,
            bind="query-params",
            on_change="ignore",
        )
        _draw_apply_button()
        padding, truncating = st.columns(2)
        for column, key, default in (
            (padding, state.PADDING, BOOK_PADDING),
            (truncating, state.TRUNCATING, BOOK_TRUNCATING),
        ):
            check_link(key, lambda v: v in SIDES, "pre / post")
            column.radio(t(f"sidebar.{key}"), SIDES, index=SIDES.index(default), key=key, bind="query-params")
        _draw_source_controls()
        draw_presenter_switch()
        st.caption(t("sidebar.share_hint"))
        st.html(APPLY_AFTER_REST, unsafe_allow_javascript=True)  # last: an empty element still takes a gap


def _accept_language_code() -> None:
    """A link may name the language by its code, as people type it (``?lang=ko``): it becomes the label
    that the language control writes into a link and takes, in a rerun (a bound control reads the
    address as the run found it, as ``check_link`` relies on too)."""
    code = st.query_params.get(state.LANGUAGE)
    if code in LANGUAGES:
        st.query_params[state.LANGUAGE] = LANGUAGES[code]
        st.rerun()


def _draw_apply_button() -> None:
    """The button that applies the sliders, pressed for you once they rest: the pages change once.

    A slider that reran the app on every change queued one rerun per key press (holding an
    arrow key for 400 steps left the pages 7 s behind, on a projector in front of a class).
    The sliders are ``on_change="ignore"``: they move (and the address bar follows) without
    rerunning, and their values are applied together by this button, which ``APPLY_AFTER_REST``
    presses half a second after the last step (or by the next rerun any other control causes).
    """
    st.button(t("sidebar.apply"), key="apply_settings", type="primary", width="stretch", help=t("sidebar.apply_help"))


def _draw_source_controls() -> None:
    check_link(state.SOURCE_KIND, lambda v: v in SOURCE_LABELS.values(), " / ".join(SOURCE_LABELS.values()))
    kind = st.selectbox(
        t("sidebar.source"),
        KINDS,
        format_func=SOURCE_LABELS.get,
        key=state.SOURCE_KIND,
        bind="query-params",
    )
    st.caption(t(f"sidebar.source_{kind}"))
    if kind == "aclimdb":
        st.text_input(t("sidebar.source_path"), help=t("sidebar.source_path_help"), key=state.SOURCE_PATH)
