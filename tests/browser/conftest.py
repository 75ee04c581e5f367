"""Fixtures for the browser tests: Debian's chromium, an offline context, a running app.

The app runs as ``streamlit run streamlit_app.py`` on 127.0.0.1 with a temporary data
directory loaded by ``borderline ingest`` with the two example articles from ../shared.
Every request that does not go to that server is aborted, so what is tested is the app
with no network: vendored scripts, no CDN, no tiles.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _app_server import running_app

ROOT = Path(__file__).resolve().parents[2]
SHARED_ARTICLES = ROOT.parent / "shared" / "articles"
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_MS = 120_000

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
    log = tmp_path_factory.mktemp("streamlit-log") / "streamlit.log"
    with running_app(app_data, log) as (url, proc):
        yield App(url, app_data, proc, log)


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
