"""The frame every page opens with, in one place."""

import streamlit as st

from ui.i18n import t
from ui.navigation import require_entrypoint


def page_header(key: str) -> None:
    """Start the page registered under ``key``: inside app.py's navigation, then its title and introduction."""
    require_entrypoint()
    st.title(t(f"{key}.title"))
    st.markdown(t(f"{key}.intro"))
