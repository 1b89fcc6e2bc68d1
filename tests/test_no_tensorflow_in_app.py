"""The Streamlit process must never import TensorFlow or Keras (see the README's architecture)."""

import json
import subprocess
import sys

from tests.conftest import REPO
from ui.navigation import HOME, TOPIC_PAGES

RUN_EVERY_PAGE = """
import json, sys
from streamlit.testing.v1 import app_test
from tests.apptest import WarmServerPagesManager, open_page
app_test.PagesManager = WarmServerPagesManager
for page in {pages!r}:
    open_page({app!r}, page)
print(json.dumps(sorted(name for name in ("tensorflow", "keras", "tf_keras") if name in sys.modules)))
"""


def test_no_page_imports_tensorflow(small_corpus_cache, synthetic_tarball):
    pages = [entry.path for entry in (HOME, *TOPIC_PAGES)]
    environment = {"PATH": "/usr/bin:/bin", "IMDB_EXPLORER_CACHE": str(small_corpus_cache),
                   "IMDB_EXPLORER_DATA": str(synthetic_tarball)}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", RUN_EVERY_PAGE.format(pages=pages, app=str(REPO / "app.py"))],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
