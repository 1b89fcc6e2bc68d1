"""The import contracts' exceptions are real exceptions: each ignored edge is an import inside a function.

``lint-imports`` (run by scripts/test.sh) checks the contracts in pyproject.toml for every module.
Its "never imports TensorFlow" contract ignores a few edges because they are imports that only run
in a child process. If one of them became a module-level import, the Streamlit process would
import TensorFlow without the contract noticing: this test makes that fail.
"""

import ast
import subprocess
import sys
import tomllib

from tests.conftest import REPO


def module_level_imports(module: str) -> set[str]:
    """The modules imported at the top level of ``module`` (outside any function or class)."""
    tree = ast.parse((REPO / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in tree.body:  # top-level statements only: function bodies are not walked
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return imported


def ignored_edges() -> list[tuple[str, str]]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    edges = [
        edge for contract in config["tool"]["importlinter"]["contracts"] for edge in contract.get("ignore_imports", [])
    ]
    return [tuple(part.strip() for part in edge.split("->")) for edge in edges]


def test_every_ignored_edge_is_a_function_level_import():
    edges = ignored_edges()
    assert edges, "no ignored edges found: the test would prove nothing"
    for importer, imported in edges:
        top_level = module_level_imports(importer)
        assert not any(name == imported or name.startswith(imported + ".") for name in top_level), (importer, imported)
        source = (REPO / (importer.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        assert imported.rsplit(".", 1)[-1] in source, f"{importer} no longer imports {imported}: drop the exception"


def test_app_py_imports_only_the_ui_layer_and_streamlit():
    tree = ast.parse((REPO / "app.py").read_text(encoding="utf-8"))
    roots = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert roots == {"streamlit", "ui"}, roots


def test_the_no_tensorflow_contract_covers_every_module_outside_the_engine():
    """A new module cannot slip past the contract: each one outside ``explorer.training.engine`` is listed."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [
        c for c in config["tool"]["importlinter"]["contracts"] if "tensorflow" in c.get("forbidden_modules", [])
    ]
    covered = contract["source_modules"]
    for path in [*(REPO / "explorer").rglob("*.py"), *(REPO / "ui").rglob("*.py"), *(REPO / "pages").glob("*.py")]:
        module = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        if module.startswith("explorer.training.engine") or module in ("explorer", "explorer.training"):
            continue
        assert any(module == name or module.startswith(name + ".") for name in covered), module


def test_a_spawned_process_imports_nothing_of_the_app():
    """A spawned worker re-imports app.py as ``__mp_main__``: that must not load the UI (seconds per process)."""
    code = (
        "import runpy, sys; runpy.run_path('app.py', run_name='__mp_main__');"
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'streamlit', 'ui', 'plotly', 'pandas'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert result.stdout.strip() == "[]"
