"""The front line in the app, in Debian's chromium, offline: a made-up front line in the three
formats (tests/_frontline_support.py, one square a day, moving) imported with ``borderline
frontline import`` beside events ingested from articles written here, dated on the snapshots'
days, about places near and far from that day's line.

What is asserted is what Leaflet holds and draws (the front layer's features, their bounds, the
paths the canvas renderer projected, a pixel of the front pane's canvas) and what the time
control says; screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from _app_server import running_app
from _frontline_support import brute_force_km, daily_doc, deepstate_doc, isw_doc, square_ring, write_json

from geo.frontline.measure import load_series, with_front
from geo.store import EventStore, store_path

from browser_helpers import DRAWN, map_frame, open_map, poll_map

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

#: The made-up front line: the occupied square of each day (lon0, lat0, lon1, lat1), in the three
#: formats. Day 2 advances north by 0.2 degrees, day 3 west by 0.1.
DAYS = {
    "2024-07-01": ("deepstate", (37.0, 48.0, 37.5, 48.4)),
    "2024-07-03": ("daily", (37.0, 48.0, 37.5, 48.6)),
    "2024-07-05": ("isw", (36.9, 48.0, 37.5, 48.6)),
}
#: Articles written for this test: (day, text). Kurakhove lies 1.7 km south of every day's square,
#: Druzhkivka 24 km north of day 1's and 3 km from days 2 and 3's; Myrnohrad inside (10 km);
#: Kramatorsk and Pavlohrad far.
ARTICLES = [
    ("2024-07-01", "Russian artillery shelled Kurakhove overnight, wounding three civilians, the regional "
                   "governor said."),
    ("2024-07-01", "A Russian drone struck a warehouse in Druzhkivka on Monday morning, local officials said."),
    ("2024-07-02", "Russian forces shelled Myrnohrad on Tuesday, damaging two apartment blocks, officials said."),
    ("2024-07-02", "A Russian missile hit an industrial site in Kramatorsk, the city council said."),
    ("2024-07-04", "Russian artillery shelled Druzhkivka on Thursday, killing one man, the regional governor said."),
    ("2024-07-05", "A Russian drone attack hit Pavlohrad overnight, injuring four people, the governor said."),
    ("2024-07-05", "Russian forces shelled Kurakhove again on Friday, the regional military administration said."),
]
SOURCE = "Fixture"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

#: The front layer's state in the map's frame: the day drawn, its features' kinds and bounds
#: ([west, south, east, north]), how many paths the canvas renderer projected, and the label.
FRONT_STATE = """() => {
    const s = window.map && window.map._bl, gj = s && s.dayLayers && s.dayLayers[0];
    if (!gj) { return null; }
    const st = gj._blFront, out = {status: st.status, day: st.day, onMap: !!gj._map, features: []};
    gj.eachLayer(l => {
        const b = l.getBounds();
        out.features.push({kind: l.feature.properties.bl_k, drawn: !!l._map && (l._parts || []).length > 0,
                           bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]});
    });
    const label = document.querySelector('.bl-tlabel');
    out.label = label ? label.textContent : "";
    return out;
}"""
#: Alpha of the front pane's canvas where the drawn line's west edge crosses its middle latitude.
LINE_PIXEL = """() => {
    const m = window.map, gj = m._bl.dayLayers[0];
    let line = null;
    gj.eachLayer(l => { if (l.feature.properties.bl_k === 'line') { line = l; } });
    const b = line.getBounds(), ll = [(b.getSouth() + b.getNorth()) / 2, b.getWest()];
    const canvas = m.getPane('blFront').querySelector('canvas');
    const p = m.latLngToLayerPoint(ll), origin = L.DomUtil.getPosition(canvas);
    const r = window.devicePixelRatio || 1, ctx = canvas.getContext('2d');
    return ctx.getImageData(Math.round((p.x - origin.x) * r), Math.round((p.y - origin.y) * r), 1, 1).data[3];
}"""


def _day_number(day: str) -> int:
    return (dt.date.fromisoformat(day) - dt.date(1970, 1, 1)).days


def _fixture_files(folder: Path) -> list[tuple[str, Path]]:
    docs = {"deepstate": lambda box: deepstate_doc(box=box), "daily": lambda box: daily_doc(box=box),
            "isw": lambda box: isw_doc(box=box)}
    names = {"deepstate": "snapshot.geojson", "daily": "occupied_{}.geojson", "isw": "UkraineControlMap.geojson"}
    out = []
    for day, (fmt, box) in DAYS.items():
        name = names[fmt].format(day.replace("-", ""))
        out.append((day, write_json(folder / day / name, docs[fmt](box))))
    return out


def _cli(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


@dataclass
class App:
    url: str
    data: Path


@pytest.fixture(scope="module")
def front_data(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("frontline-data")
    folder = tmp_path_factory.mktemp("frontline-articles")
    paths = []
    for k, (day, text) in enumerate(ARTICLES):
        paths.append(folder / f"{day}-report-{k}.txt")
        paths[-1].write_text(f"date {day}\n{text}\n", encoding="utf-8")
    done = _cli(["ingest", *map(str, paths), "--data", str(data)])
    if done.returncode != 0:
        pytest.fail(f"borderline ingest failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    for day, path in _fixture_files(tmp_path_factory.mktemp("frontline-files")):
        done = _cli(["frontline", "import", str(path), "--date", day, "--source", SOURCE, "--data", str(data)])
        assert done.returncode == 0, done.stderr
    return data


@pytest.fixture(scope="module")
def app(front_data, tmp_path_factory):
    log = tmp_path_factory.mktemp("streamlit-log") / "streamlit.log"
    with running_app(front_data, log) as (url, _proc):
        yield App(url, front_data)


@pytest.fixture(scope="module")
def measured(front_data):
    """The stored events with their front-line measures, as the app computes them."""
    events = EventStore(store_path(front_data), create=False).read_events()
    return with_front(events, load_series(front_data))


def _box_of(state: dict, kind: str) -> list[float]:
    found = [f["bounds"] for f in state["features"] if f["kind"] == kind]
    assert len(found) == 1, state
    return found[0]


def _close(bounds: list[float], box: tuple[float, ...]) -> bool:
    return all(abs(a - b) < 0.002 for a, b in zip(bounds, box))


def _wait_front(frame, day: str) -> dict:
    """The front layer once it shows ``day``'s snapshot."""
    frame.wait_for_function(f"(() => {{ const s = ({FRONT_STATE})(); return s && s.status === 'shown' "
                            f"&& s.day === {_day_number(day)}; }})()")
    return frame.evaluate(FRONT_STATE)


def _set_slider(frame, day: str) -> None:
    frame.evaluate("(d) => { const s = document.querySelector('.bl-slider'); s.value = d;"
                   " s.dispatchEvent(new Event('input')); }", _day_number(day))


def test_every_event_is_measured_against_its_days_line(measured):
    # the fixture is what the other tests rely on: every event dated on a snapshot's span, measured
    assert len(measured) == len(ARTICLES), measured[["place_name", "date"]]
    assert measured["front_km"].notna().all(), measured[["place_name", "date", "front_note"]]
    assert set(measured["front_source"]) == {SOURCE}
    near = measured[measured["front_km"] <= 5]
    assert sorted(zip(near["place_name"], near["date"])) == [
        ("Druzhkivka", "2024-07-04"), ("Kurakhove", "2024-07-01"), ("Kurakhove", "2024-07-05")]


def test_the_drawn_front_line_moves_with_the_time_control(session, app):
    frame = open_map(session, app.url, events=len(ARTICLES))
    # all dates: the latest snapshot the time control reaches (day 3's square)
    state = _wait_front(frame, "2024-07-05")
    assert state["onMap"] and {f["kind"] for f in state["features"]} == {"occupied", "line"}
    assert all(f["drawn"] for f in state["features"]), state
    assert _close(_box_of(state, "line"), DAYS["2024-07-05"][1]) and _close(_box_of(state, "occupied"),
                                                                           DAYS["2024-07-05"][1])
    assert "front line 2024-07-05" in state["label"]
    frame.evaluate("() => { window.map.setView([48.3, 37.2], 8, {animate: false}); }")
    frame.wait_for_function(f"({LINE_PIXEL})() > 0")           # the canvas has the line where Leaflet put it
    session.shot("frontline-01-all-dates")

    frame.select_option(".bl-mode", "cum")
    _set_slider(frame, "2024-07-02")
    state = _wait_front(frame, "2024-07-01")                  # day 1's square, the DeepStateMap file
    assert _close(_box_of(state, "line"), DAYS["2024-07-01"][1]), state
    assert {f["kind"] for f in state["features"]} == {"occupied", "contested", "line"}   # its grey strip
    assert all(f["drawn"] for f in state["features"])
    frame.wait_for_function(f"({LINE_PIXEL})() > 0")
    assert "up to 2024-07-02" in state["label"] and "front line 2024-07-01" in state["label"]
    assert frame.evaluate(DRAWN) == 4                          # the events up to that day
    session.shot("frontline-02-up-to-07-02")

    _set_slider(frame, "2024-07-03")
    state = _wait_front(frame, "2024-07-03")                  # day 2's square, the daily file: further north
    assert _close(_box_of(state, "line"), DAYS["2024-07-03"][1]), state
    frame.wait_for_function(f"({LINE_PIXEL})() > 0")
    session.shot("frontline-03-up-to-07-03")

    # the play button steps a day at a time and the line follows: day 2's square, then day 3's
    frame.select_option(".bl-mode", "1")
    _set_slider(frame, "2024-07-01")
    _wait_front(frame, "2024-07-01")
    frame.click(".bl-play")
    _wait_front(frame, "2024-07-03")
    state = _wait_front(frame, "2024-07-05")
    assert _close(_box_of(state, "line"), DAYS["2024-07-05"][1])
    session.shot("frontline-04-played-to-07-05")
    assert not session.dialogs


def test_the_0_5_km_front_band_leaves_only_events_within_5_km(session, app, measured):
    page = session.page
    frame = open_map(session, app.url, events=len(ARTICLES))
    near = measured[measured["front_km"] <= 5]
    assert 0 < len(near) < len(measured)
    page.locator("[data-testid=stSidebar] button", has_text="0–5 km").click()

    def drawn(f) -> list | None:
        got = f.evaluate("Object.values(window.map._layers).filter(l => l.feature && l.feature.properties"
                         " && l.feature.properties.bl_id).map(l => l.feature.id)")
        return got if len(got) == len(near) and f.evaluate("window.map._bl.pending") == 0 else None

    ids = poll_map(page, drawn)
    assert ids is not None, "the map did not redraw with the front-line band"
    assert set(ids) == set(near["event_id"])
    # each one within 5 km of the square of the snapshot of its day, measured here by brute force
    for _, ev in measured[measured["event_id"].isin(ids)].iterrows():
        box = DAYS[ev["front_date"]][1]
        km = brute_force_km([square_ring(box)], float(ev["lat"]), float(ev["lon"]), step_m=20.0)
        assert km <= 5.0, (ev["place_name"], ev["date"], km)
    frame = map_frame(page)
    frame.wait_for_function("window.map && window.map._bl && window.map._bl.dayLayers"
                            " && window.map._bl.dayLayers[0]._blFront.status === 'shown'")
    frame.evaluate("() => { window.map.setView([48.3, 37.2], 8, {animate: false}); }")
    page.wait_for_function("document.body.innerText.includes('events match the filters')")
    assert f"{len(near)} events match" in page.inner_text("body")
    session.shot("frontline-05-band-0-5-km")
    assert not session.dialogs


def test_borderline_map_draws_the_front_line_offline_from_disk(chromium, front_data, tmp_path):
    # the standalone page: each day a script beside it, loaded when the time control reaches it
    out = tmp_path / "map.html"
    done = _cli(["map", "--out", str(out), "--data", str(front_data)])
    assert done.returncode == 0 and "front line (Fixture): 3 day(s) drawn" in done.stderr, done.stderr
    ctx = chromium.new_context(viewport={"width": 1280, "height": 800})
    requests: list[str] = []
    ctx.on("request", lambda r: requests.append(r.url))
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(out.as_uri())
        state = FRONT_STATE.replace("window.map", "window.map_div")
        page.wait_for_function(f"(() => {{ const s = ({state})(); return s && s.status === 'shown'"
                               f" && s.day === {_day_number('2024-07-05')}; }})()")
        assert _close(_box_of(page.evaluate(state), "line"), DAYS["2024-07-05"][1])
        page.select_option(".bl-mode", "cum")
        page.evaluate("(d) => { const s = document.querySelector('.bl-slider'); s.value = d;"
                      " s.dispatchEvent(new Event('input')); }", _day_number("2024-07-01"))
        page.wait_for_function(f"(() => {{ const s = ({state})(); return s && s.status === 'shown'"
                               f" && s.day === {_day_number('2024-07-01')}; }})()")
        got = page.evaluate(state)
        assert _close(_box_of(got, "line"), DAYS["2024-07-01"][1]) and all(f["drawn"] for f in got["features"])
        page.evaluate("() => { window.map_div.setView([48.3, 37.2], 8, {animate: false}); }")
        page.wait_for_function(f"({LINE_PIXEL.replace('window.map', 'window.map_div')})() > 0")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "frontline-06-borderline-map-file.png"))
        scripts = [u for u in requests if "/map_files/front/" in u]
        assert len(scripts) >= 2 and all(u.endswith(".js") for u in scripts)   # fetched as days were shown
        assert all(u.startswith("file://") for u in requests)
        assert not errors, errors
    finally:
        ctx.close()


