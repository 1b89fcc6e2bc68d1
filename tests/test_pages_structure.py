"""Every page file is registered in the navigation and starts inside app.py (see require_entrypoint)."""

import re
from pathlib import Path

from tests.conftest import REPO
from ui.navigation import HOME, TOPIC_PAGES


def page_files() -> list[Path]:
    """The page scripts (``pages/__init__.py`` only makes the folder visible to the import contracts)."""
    return [path for path in (REPO / "pages").glob("*.py") if path.name != "__init__.py"]


def test_every_page_file_is_registered_once():
    registered = [entry.path for entry in (HOME, *TOPIC_PAGES)]
    on_disk = sorted(path.relative_to(REPO).as_posix() for path in page_files())
    assert sorted(registered) == on_disk
    assert len({entry.key for entry in (HOME, *TOPIC_PAGES)}) == len(registered)


def test_every_page_calls_require_entrypoint_first():
    for path in page_files():
        code = Path(path).read_text(encoding="utf-8")
        assert "\nrequire_entrypoint()\n" in code, f"{path.name} does not call require_entrypoint()"
        first_drawing = re.search(r"^st\.", code, re.MULTILINE)
        assert first_drawing and code.index("\nrequire_entrypoint()\n") < first_drawing.start(), path.name
