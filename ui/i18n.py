"""``t("home.title")``: the current session's language applied to ``explorer.i18n``."""

from collections.abc import Callable

import streamlit as st

from explorer.i18n import DEFAULT_LANGUAGE, translate
from ui import state


def language() -> str:
    """The language chosen in the sidebar."""
    return st.session_state.get(state.LANGUAGE, DEFAULT_LANGUAGE)


def t(key: str, **values: object) -> str:
    """The text for ``key`` in the session's language."""
    return translate(language(), key, **values)


def option_names(prefix: str) -> Callable[[object], str]:
    """A format_func that names each option by its catalogue key ``{prefix}_{option}``.

    It is bound to this run's language, as Streamlit may call it later.
    """
    lang = language()
    return lambda option: translate(lang, f"{prefix}_{option}")
