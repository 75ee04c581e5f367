"""Fixtures for the browser tests: Debian's chromium, an offline context, a running app.

The app runs as ``streamlit run streamlit_app.py`` on 127.0.0.1 with a temporary data
directory loaded by ``borderline ingest`` with the two example articles from ../shared.
Every request that does not go to that server is aborted, so what is tested is the app
with no network: vendored scripts, no CDN, no tiles.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED_ARTICLES = ROOT.parent / "shared" / "articles"
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_MS = 120_000

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ``chromium`` (the session's one browser) comes from tests/conftest.py.


def ingest(paths: list[Path], data: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", "ingest", *map(str, paths), "--data", str(data)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def app_data(tmp_path_factory) -> Path:
    """A data directory holding the two example articles, ingested by the CLI."""
    if not SHARED_ARTICLES.is_dir():
        pytest.skip(f"example articles not found at {SHARED_ARTICLES}")
    if importlib.util.find_spec("geo.borders") is None:
        pytest.skip("geo.borders is not built yet: the pipeline cannot measure border distances")
    data = tmp_path_factory.mktemp("borderline-data")
    done = ingest(sorted(SHARED_ARTICLES.glob("*.txt")), data)
    if done.returncode != 0:
        pytest.fail(f"borderline ingest failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    return data


@dataclass
class App:
    url: str
    data: Path
    proc: subprocess.Popen
    log: Path


@pytest.fixture(scope="module")
def app(app_data, tmp_path_factory) -> Iterator[App]:
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit-log") / "streamlit.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BORDERLINE_SYNTHETIC")}
    env["BORDERLINE_DATA"] = str(app_data)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
             "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start: {log.read_text()[-800:]}")
                time.sleep(0.3)
        yield App(url, app_data, proc, log)
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class Session:
    page: object
    dialogs: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def session(chromium, app) -> Iterator[Session]:
    ctx = chromium.new_context(viewport={"width": 1500, "height": 1100})
    s = Session(page=None)

    def route(r):
        if r.request.url.startswith(app.url + "/") or r.request.url == app.url:
            r.continue_()
        else:
            s.blocked.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)

    def on_dialog(d):
        s.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    page.on("dialog", on_dialog)
    s.page = page
    yield s
    ctx.close()
