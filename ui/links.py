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

from collections.abc import Callable, Collection

import streamlit as st

from ui.i18n import t

Check = Callable[[str], bool]


def int_within(low: int, high: int) -> Check:
    """A check for whole numbers from ``low`` to ``high``."""

    def valid(value: str) -> bool:
        return value.lstrip("-").isdigit() and low <= int(value) <= high

    return valid


def one_of(labels: Collection[str]) -> Check:
    """A check for one of an option widget's labels (what a bound option widget writes into a link)."""
    return lambda value: value in labels


def check_link(key: str, valid: Check, allowed: str) -> None:
    """Warn when the URL carries a value for ``key`` that the control will not accept."""
    value = st.query_params.get(key)
    if value is not None and not valid(value):
        st.warning(t("sidebar.bad_link_value", name=key, value=value, reason=allowed))


def linked(key: str, valid: Check | None = None, allowed: str = "") -> dict[str, str]:
    """A page widget's ``key`` and its binding to the URL, after checking the value a link gives it.

    Use as ``st.selectbox(label, options, **linked(key, one_of(labels), ...))``; ``valid`` and
    ``allowed`` (what to say is accepted) may be left out where every value is (free text).
    """
    if valid is not None:
        check_link(key, valid, allowed)
    return {"key": key, "bind": "query-params"}
