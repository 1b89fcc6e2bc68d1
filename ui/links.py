"""Links that carry a page's own state (the picked review, the run, the searched word), not only the sidebar.

A widget whose value a shared link should carry is bound to the URL query parameter named by its
key with Streamlit's own ``bind="query-params"``: the widget writes its value into the address bar
(and removes it when it is back at its default), and opening the link sets the widget. Bound
option widgets write their option's label, so a link opens right in the language it was copied in.

A link value the widget cannot take (a run this server does not have, a review number out of
range) is reported, not dropped in silence: Streamlit removes it from the address bar, so the
warning shows once. All link values are checked here, by the sidebar's controls and the pages'.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

import streamlit as st

from ui import state
from ui.i18n import t
from ui.user_text import shown_value

Check = Callable[[str], bool]
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}")  # what a bound number control writes; 9 digits exceed every range


def int_within(low: int, high: int) -> Check:
    """A check for whole numbers from ``low`` to ``high``, written in plain ASCII digits.

    Strict on purpose: ``str.isdigit`` also accepts "²", and ``int`` refuses more than 4,300 digits;
    "1e3" or "1000.0" are not whole numbers as a link writes them. All of those are reported.
    """

    def valid(value: str) -> bool:
        return WHOLE_NUMBER.fullmatch(value) is not None and low <= int(value) <= high

    return valid


def one_of(labels: Collection[str]) -> Check:
    """A check for one of an option widget's labels (what a bound option widget writes into a link)."""
    return lambda value: value in labels


def forget_refused_links() -> None:
    """Called first in every run: refused link values are warned about in the run right after the refusal only."""
    if not st.session_state.pop(state.LINK_REFUSAL_RERUN, False):
        st.session_state.pop(state.REFUSED_LINK_VALUES, None)


def check_link(key: str, valid: Check, allowed: str) -> None:
    """Warn when the URL carries a value for ``key`` that the control will not accept, and drop it.

    A bound control reads the link's value as Streamlit parses it ("1e3" becomes 1000), so a value
    refused here is removed from the address bar and the script rerun without it: the control then
    really takes its default, as the warning says. The warning shows the value literally.
    """
    value = st.query_params.get(key)
    if value is not None and not valid(value):
        st.session_state.setdefault(state.REFUSED_LINK_VALUES, {})[key] = value
        st.session_state[state.LINK_REFUSAL_RERUN] = True
        del st.query_params[key]
        st.rerun()
    refused = st.session_state.get(state.REFUSED_LINK_VALUES, {}).get(key)
    if refused is not None:
        st.warning(t("sidebar.bad_link_value", name=key, value=shown_value(refused), reason=allowed))


def linked(key: str, valid: Check | None = None, allowed: str = "") -> dict[str, str]:
    """A page widget's ``key`` and its binding to the URL, after checking the value a link gives it.

    Use as ``st.selectbox(label, options, **linked(key, one_of(labels), ...))``; ``valid`` and
    ``allowed`` (what to say is accepted) may be left out where every value is (free text).
    """
    if valid is not None:
        check_link(key, valid, allowed)
    return {"key": key, "bind": "query-params"}
