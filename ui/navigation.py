"""The app's pages in one list: app.py builds the navigation from it, the home page its links."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.i18n import t


@dataclass(frozen=True)
class PageEntry:
    """One page: its file, its key in the string catalogue (and URL), icon and section."""

    path: str
    key: str
    icon: str
    section: str


HOME = PageEntry("pages/home.py", "home", "🏠", "")
TOPIC_PAGES = (
    PageEntry("pages/lengths.py", "lengths", "📏", "app.section_data"),
    PageEntry("pages/padding.py", "padding", "🧱", "app.section_data"),
    PageEntry("pages/onehot.py", "onehot", "💾", "app.section_data"),
)


def navigation_pages() -> dict[str, list[st.Page]]:
    """``st.navigation``'s input: pages grouped under their translated section titles."""
    grouped: dict[str, list[st.Page]] = {}
    for entry in (HOME, *TOPIC_PAGES):
        section = t(entry.section) if entry.section else ""
        page = st.Page(
            entry.path, title=t(f"{entry.key}.nav_title"), icon=entry.icon, url_path=entry.key, default=entry is HOME
        )
        grouped.setdefault(section, []).append(page)
    return grouped


def require_entrypoint() -> None:
    """Make sure this page runs inside app.py's navigation, not Streamlit's legacy pages/ mode.

    Streamlit still treats a folder named ``pages/`` beside the entry point as the legacy
    multipage mechanism until the first ``st.navigation`` call of the server process. So the very
    first visitor of a fresh server who opens a deep link (``/lengths``) gets the page run alone,
    without app.py's sidebar and with the folder's file list as navigation. Every page calls this
    first: it switches the legacy mode off (there is no public setting for it) and reruns, which
    runs app.py and lands on the same page.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
