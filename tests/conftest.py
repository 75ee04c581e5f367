"""Shared gazetteer fixtures (this file holds gazetteer fixtures only).

- ``gazetteer``: the real, default gazetteer (session-scoped; built on first use, which
  ``./dev test``'s setup step has normally done already).
- ``small_gazetteer``: a small real gazetteer (SQLite, same code path) built in a temp
  dir from every admin1 unit and a hand-written GeoNames dump of :data:`SMALL_DUMP`;
  session-scoped, read-only.
- ``fresh_gazetteer``: a private copy of the small one in ``tmp_path`` (function-scoped),
  for tests that rebuild or damage it.
- ``tests/_gazetteer_support.py``: ``SMALL_DUMP`` and ``write_geonames_dump`` (the
  standard 19-column dump format).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from _gazetteer_support import write_geonames_dump


def _build_small(directory: Path) -> Path:
    from gazetteer.build import build

    dump = write_geonames_dump(directory / "SMALL.txt")
    return build(directory, dumps=[dump], sources=("admin1",))


@pytest.fixture(scope="session")
def gazetteer():
    """The real default gazetteer, built if absent (about a minute, once per machine)."""
    from gazetteer import Gazetteer, ensure_built

    db = ensure_built()
    with Gazetteer.open(db) as gaz:
        yield gaz


@pytest.fixture(scope="session")
def small_gazetteer_path(tmp_path_factory) -> Path:
    return _build_small(tmp_path_factory.mktemp("small-gazetteer"))


@pytest.fixture(scope="session")
def small_gazetteer(small_gazetteer_path):
    from gazetteer import Gazetteer

    with Gazetteer.open(small_gazetteer_path) as gaz:
        yield gaz


@pytest.fixture
def fresh_gazetteer(small_gazetteer_path, tmp_path) -> Iterator:
    """A private small gazetteer in ``tmp_path`` (its db file is ``tmp_path/gazetteer.sqlite``)."""
    from gazetteer import Gazetteer

    shutil.copy2(small_gazetteer_path, tmp_path / small_gazetteer_path.name)
    with Gazetteer.open(tmp_path) as gaz:
        yield gaz



# --- Debian's chromium, one per test session ---------------------------------------------
# Playwright's sync API runs one driver per thread: a second sync_playwright() while the
# first is open fails, so every browser test (tests/browser, tests/robustness) shares this one.

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM} (./dev test installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
