"""Every page file is registered in the navigation and starts inside app.py (see require_entrypoint)."""

import ast
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


def test_every_page_opens_with_its_header_first():
    """``page_header`` runs ``require_entrypoint`` before anything is drawn or computed."""
    for path in page_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = (ast.Import, ast.ImportFrom)  # imports, the docstring and named constants may come first
        statements = [
            node
            for node in tree.body
            if not isinstance(node, constants) and not isinstance(getattr(node, "value", None), ast.Constant)
        ]
        first = statements[0]
        assert ast.unparse(first) == f"page_header({path.stem!r})", f"{path.name} starts with {ast.unparse(first)}"
