"""``t("home.title")``: the current session's language applied to ``explorer.i18n``."""

import streamlit as st

from explorer.i18n import DEFAULT_LANGUAGE, translate
from ui import state


def language() -> str:
    """The language chosen in the sidebar."""
    return st.session_state.get(state.LANGUAGE, DEFAULT_LANGUAGE)


def t(key: str, **values: object) -> str:
    """The text for ``key`` in the session's language."""
    return translate(language(), key, **values)
