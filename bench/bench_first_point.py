"""Time from pressing Train to the first streamed point, on a just-started server, in a real browser.

Each repetition starts a fresh ``streamlit run app.py`` (the encoded corpus comes from a cache
built once beforehand, as on any server that has run before; the runs folder starts empty),
opens the home page in headless Chromium as the first page of the server, waits ``think``
seconds (a teacher reading the home page; 0 = straight on), goes to the training page, presses
Train on the default form (the book's Embedding(500, 16) + SimpleRNN(8) on all 20,000 training
reviews) and times until the live chart says it holds a point. It prints one JSON line per
``think`` value with the medians: ``first_point_s`` (Train → first point on screen, timed inside
the page: from the click event to the first frame painted after the live panel's count turned
non-zero), ``first_point_polled_s`` (the same from the benchmark's side: from before Playwright's
click, which first waits for the button to be ready, until its polling reads the count; a busy
browser answers such polls late, so this is the larger) and ``first_page_s`` (how long the
server's first page took, the training worker starting beside it).

    python -m bench.bench_first_point [--repeats 3] [--think 0,10]

Data: ``IMDB_EXPLORER_DATA`` if set, else the shared aclImdb tarball if present, else a small
generated corpus. Needs Playwright and Chromium (requirements-dev.txt, scripts/test.sh).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.conftest import REPO, real_data_path  # noqa: E402
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port, wait_until_idle  # noqa: E402
from tests.test_browser_training import live_points  # noqa: E402

SERVER_START_TIMEOUT_S = 90
POINT_TIMEOUT_S = 120  # a first point slower than this counts as a failure
POLL_S = 0.02  # how often the benchmark looks at the page
# In the page: the time of the Train click, and of the first frame painted after the live panel
# first showed a point (the panel's caption counts them).
IN_PAGE_TIMER = """
window.__trainPressed = null;
window.__firstPointPainted = null;
document.addEventListener("click", (event) => {
  if (window.__trainPressed === null && event.target.closest(".st-key-training_train")) {
    window.__trainPressed = performance.now();
  }
}, true);
new MutationObserver(() => {
  if (window.__trainPressed === null || window.__firstPointPainted !== null) return;
  const live = document.querySelector(".st-key-training_live_chart");
  if (live && /(?:Points so far: |지금까지 )[1-9]/.test(live.textContent)) {
    window.__firstPointPainted = 0;  // seen: the time follows with the next painted frame
    requestAnimationFrame(() => { window.__firstPointPainted = performance.now(); });
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def main() -> None:
    """Parse the arguments, build the corpus cache once, and print one JSON line per think time."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--think", default="0,10", help="seconds on the first page before going to training")
    args = parser.parse_args()
    data, kind = data_source()
    with tempfile.TemporaryDirectory(prefix="bench-first-point-") as folder:
        cache = Path(folder) / "cache"
        build_corpus_cache(cache, data)
        for think in (float(value) for value in args.think.split(",")):
            times = [one_server(cache, data, think) for _ in range(args.repeats)]
            in_page = [point for point, _, _ in times]
            print(
                json.dumps(
                    {
                        "measure": "first_streamed_point",
                        "data": kind,
                        "think_s": think,
                        "repeats": args.repeats,
                        "first_point_s": round(statistics.median(in_page), 2),
                        "first_point_polled_s": round(statistics.median(polled for _, polled, _ in times), 2),
                        "first_page_s": round(statistics.median(page for _, _, page in times), 2),
                        "first_point_runs_s": [round(point, 2) for point in in_page],
                    }
                ),
                flush=True,
            )


def data_source() -> tuple[Path, str]:
    """The real data if present, else a generated aclImdb-layout tarball."""
    real = real_data_path()
    if real is not None:
        return real, "real"
    from tests.synthetic import write_synthetic_aclimdb_tarball

    return write_synthetic_aclimdb_tarball(Path(tempfile.mkdtemp()) / "small.tar.gz", 60), "synthetic"


def build_corpus_cache(cache: Path, data: Path) -> None:
    """Encode the corpus into ``cache`` once (in a child process, so this one stays light)."""
    code = f"from explorer.data import sources; sources.load(sources.SourceSpec('aclimdb', {str(data)!r}))"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, env=environment(cache, data), check=True)


def environment(cache: Path, data: Path) -> dict[str, str]:
    return {**os.environ, "IMDB_EXPLORER_CACHE": str(cache), "IMDB_EXPLORER_DATA": str(data)}


def one_server(cache: Path, data: Path, think: float) -> tuple[float, float, float]:
    """(Train → first point in the page, the same polled, first page load) in seconds, on a fresh server."""
    shutil.rmtree(cache / "runs", ignore_errors=True)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true", f"--server.port={port}",
         "--server.address=127.0.0.1", "--browser.gatherUsageStats=false"],
        cwd=REPO, env=environment(cache, data), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            tab = browser.new_page(viewport={"width": 1280, "height": 720})
            tab.set_default_timeout(POINT_TIMEOUT_S * 1000)
            tab.add_init_script(IN_PAGE_TIMER)
            opened = time.perf_counter()
            tab.goto(url)
            wait_until_idle(tab)
            first_page = time.perf_counter() - opened
            tab.wait_for_timeout(think * 1000)
            tab.locator(f'[data-testid="stSidebarNav"] a[href="{url}/training"]').click()
            tab.wait_for_url(f"{url}/training**")
            wait_until_idle(tab)
            polled = time_to_first_point(tab)
            tab.wait_for_function("window.__firstPointPainted > 0")
            in_page = tab.evaluate("(window.__firstPointPainted - window.__trainPressed) / 1000")
            tab.locator(".st-key-training_stop button").first.click()
            browser.close()
        return in_page, polled, first_page
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_for_health(url: str) -> None:
    import urllib.request

    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("streamlit did not start")


def time_to_first_point(tab: Page) -> float:
    """Seconds from before the Train click until polling finds that the live chart holds a point."""
    pressed = time.perf_counter()
    tab.locator(".st-key-training_train button").click()
    while live_points(tab) == 0:
        if time.perf_counter() - pressed > POINT_TIMEOUT_S:
            raise RuntimeError(f"no point within {POINT_TIMEOUT_S} s")
        time.sleep(POLL_S)
    return time.perf_counter() - pressed


if __name__ == "__main__":
    main()
