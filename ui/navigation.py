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
    PageEntry("pages/training.py", "training", "🏋️", "app.section_models"),
    PageEntry("pages/embeddings.py", "embeddings", "🗺️", "app.section_models"),
    PageEntry("pages/lab.py", "lab", "🔢", "app.section_inside"),
    PageEntry("pages/lab_rnn.py", "lab_rnn", "🔬", "app.section_inside"),
    PageEntry("pages/why.py", "why", "💡", "app.section_inside"),
    PageEntry("pages/lesson.py", "lesson", "🎓", "lesson.section"),
    PageEntry("pages/board.py", "board", "🏆", "lesson.section"),
)


def pages_by_section() -> dict[str, list[PageEntry]]:
    """The topic pages grouped by their section's catalogue key, in registry order."""
    grouped: dict[str, list[PageEntry]] = {}
    for entry in TOPIC_PAGES:
        grouped.setdefault(entry.section, []).append(entry)
    return grouped


def navigation_pages() -> dict[str, list[st.Page]]:
    """``st.navigation``'s input: the home page, then pages under their translated section titles."""

    def page(entry: PageEntry) -> st.Page:
        title = t(f"{entry.key}.nav_title")
        return st.Page(entry.path, title=title, icon=entry.icon, url_path=entry.key, default=entry is HOME)

    sections = {"": [page(HOME)]}
    for section, entries in pages_by_section().items():
        sections[t(section)] = [page(entry) for entry in entries]
    return sections


def link_to(key: str) -> None:
    """A link to the topic page registered under ``key`` (for "train a model first" hints)."""
    for entry in (entry for entry in TOPIC_PAGES if entry.key == key):
        st.page_link(entry.path, label=t(f"{entry.key}.nav_title"), icon=entry.icon)


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
