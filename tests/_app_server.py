"""The app as a browser test meets it: a running ``streamlit run streamlit_app.py`` on
127.0.0.1, and the scripts that read the map's Leaflet state (tests/ is on sys.path)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MAP_IFRAME = "iframe[title='streamlit_folium.st_folium']"

def drawn_markers(map_var: str = "map") -> str:
    """A script counting the event markers on the map ``window.<map_var>`` right now (canvas:
    count Leaflet layers, not DOM). Zero until the page's script has made the map: an iframe is
    in the page before its map exists, and a predicate that throws ends ``wait_for_function``
    instead of polling on."""
    m = f"window.{map_var}"
    return (f"({m} ? Object.values({m}._layers).filter(l => l.feature && l.feature.properties"
            f" && l.feature.properties.bl_id).length : 0)")


#: How many event markers the app's map (``window.map``) shows right now.
DRAWN = drawn_markers()

#: Every data layer of the map holds its data: each layer the page expects (``BL.expect``) has
#: been loaded or has failed (``BL.loaded``/``BL.failed``), so no event layer is still on its way.
LOADED = "!!(window.map && window.map._bl && window.map._bl.pending === 0)"

#: Zoom onto the first marker whose property ``key`` contains ``text``, clear of the controls;
#: returns its pixel position in the map's frame and its event id.
FIND_MARKER = """([key, text]) => {
    const layer = Object.values(window.map._layers).find(
        l => l.feature && l.feature.properties && String(l.feature.properties[key]).includes(text));
    if (!layer) { return null; }
    window.map.setView(layer.getLatLng(), 11, {animate: false});
    const size = window.map.getSize();
    window.map.panBy([size.x * 0.25, -size.y * 0.15], {animate: false});
    const pt = window.map.latLngToContainerPoint(layer.getLatLng());
    return {x: pt.x, y: pt.y, id: layer.feature.id};
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(data: Path, log: Path, *, events: Path | None = None,
                start_seconds: float = 120) -> Iterator[tuple[str, subprocess.Popen]]:
    """The app serving the store in ``data``, or the file of events ``events`` (its output in
    ``log``): its URL and process, once it answers its health check; stopped on the way out."""
    import pytest

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("BORDERLINE_EVENTS", "BORDERLINE_DATA")}
    env["BORDERLINE_DATA"] = str(data)
    if events is not None:
        env["BORDERLINE_EVENTS"] = str(events)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
             "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start: {log.read_text()[-800:]}")
                time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
