"""The map page itself (``geo.maps.build_map``, as ``borderline map`` saves it) in Debian's chromium.

Each test builds a page from events written here, saves it with the vendored scripts beside
it, and opens it over file:// with every other request aborted (offline, no tiles). What is
checked is what a reader does: click stacked events, look past the legend, move the time
window, open a map on a selected event. Screenshots go to $BORDERLINE_ARTIFACTS or
test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from _app_server import drawn_markers
from geo.assets import map_assets, vendor_assets
from geo.events import EVENT_COLUMNS
from geo.maps import build_map, event_id_from_popup, event_ids_from_popup

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("BORDERLINE_ARTIFACTS") or ROOT / "test-artifacts") / "map"
TIMEOUT_MS = 60_000
NOVOSHAKHTINSK = (47.76, 39.93)

#: Event markers on the map now (a page of its own: the map is ``window.map_div``).
DRAWN = drawn_markers("map_div")
#: Container pixel of a lat/lon at the current view.
POINT = "([lat, lon]) => { const p = window.map_div.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }"


def _event(i: int, lat: float, lon: float, *, etype: str = "drone_strike", place: str = "Testville",
           date: str | None = "2024-12-10", precision: str = "settlement", km: float = 20.0) -> dict:
    excerpt = f"Event number {i}: an explosion was reported in {place} overnight, officials said."
    start = excerpt.index(place)
    row = {c: None for c in EVENT_COLUMNS}
    row.update(event_id=f"ev-{i:03d}", event_type=etype, place_name=place, precision=precision,
               country="UA", admin1="Test Oblast", border_km=km, side="UA", date=date,
               date_precision="day" if date else "unknown", excerpt=excerpt, place_start=start,
               place_end=start + len(place), article=f"article-{i}.txt", sources=f"article-{i}.txt",
               confidence=0.75, lat=lat, lon=lon)
    return row


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")


def _spread(n: int, *, start: int = 100) -> list[dict]:
    """``n`` events on a grid over the border region, one a day from 2024-11-01."""
    rows = []
    for k in range(n):
        lat = 46.6 + (k % 9) * 0.72
        lon = 31.5 + (k // 9 % 10) * 0.85
        day = (pd.Timestamp("2024-11-01") + pd.Timedelta(days=k)).date().isoformat()
        etype = ("drone_strike", "missile_strike", "ground_assault", "energy_strike")[k % 4]
        rows.append(_event(start + k, lat, lon, etype=etype, place=f"Gridtown {k}", date=day))
    return rows


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("map-site")
    vendor_assets(d / "vendor")
    return d


@pytest.fixture(scope="module")
def geography():
    from geo.view import map_geography
    geo = map_geography()
    if geo.border is None:
        pytest.skip(f"no border data: {geo.problem}")
    return geo


def _save(site: Path, name: str, frame, **kwargs) -> Path:
    m = build_map(frame, assets=map_assets("vendor"), tiles=False, **kwargs)
    path = site / f"{name}.html"
    path.write_text(m.get_root().render(), encoding="utf-8")
    return path


@pytest.fixture
def page(chromium):
    ctx = chromium.new_context(viewport={"width": 1280, "height": 800})
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    pg = ctx.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    pg.errors = errors
    yield pg
    ctx.close()


#: The map knows its container's real size and is not moving: pixel positions hold still.
SETTLED = ("(() => { const m = window.map_div, c = m.getContainer(), s = m.getSize();"
           " return s.x === c.clientWidth && s.y === c.clientHeight && !m._animatingZoom"
           " && !(m._panAnim && m._panAnim._inProgress); })()")


def _open(page, path: Path) -> None:
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-overlay-pane canvas", state="attached")
    page.wait_for_function(DRAWN + " > 0")
    # Under load the page can lay out after Leaflet measured it (a resized viewport reused):
    # a point computed before the view settles misses the marker by a few pixels.
    page.wait_for_function(SETTLED)
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_two_events_at_one_point_are_both_reachable_by_clicking(site, page):
    lat, lon = 50.3, 36.9          # one hromada point for two villages
    rows = _spread(30) + [
        _event(1, lat, lon, etype="drone_strike", place="Stari Terny", precision="hromada", date="2024-12-02"),
        _event(2, lat, lon, etype="missile_strike", place="Trudove", precision="hromada", date="2024-12-05"),
    ]
    _open(page, _save(site, "stacked", _frame(rows)))
    x, y = page.evaluate(POINT, [lat, lon])
    page.mouse.click(x, y)
    popup = page.wait_for_selector(".leaflet-popup-content .bl-popup")
    shown = popup.inner_text()
    assert "2 events at this point" in shown
    assert "Stari Terny" in shown and "Trudove" in shown        # each with its own details
    assert shown.count("Excerpt") == 2 and shown.count("Confidence") == 2
    ids = event_ids_from_popup(shown)
    assert sorted(ids) == ["ev-001", "ev-002"]
    assert event_id_from_popup(shown) == ids[0]
    # the clicked (top) marker is listed first
    top = page.evaluate("""([lat, lon]) => {
        const m = window.map_div, p = m.latLngToLayerPoint([lat, lon]);
        return m._bl.points.flatMap(g => g._blAll).filter(l => l._map && l._containsPoint(p)).pop().feature.id;
    }""", [lat, lon])
    assert ids[0] == top
    # what st_folium reads on a click: the popup of the clicked layer, detached (textContent)
    detached = page.evaluate("""([lat, lon]) => {
        const m = window.map_div, p = m.latLngToLayerPoint([lat, lon]);
        const hits = m._bl.points.flatMap(g => g._blAll).filter(l => l._map && l._containsPoint(p));
        return hits.map(l => BL.popup(l).innerText);
    }""", [lat, lon])
    assert len(detached) == 2
    for text in detached:
        assert sorted(event_ids_from_popup(text)) == ["ev-001", "ev-002"]
        assert event_id_from_popup(text) == event_ids_from_popup(text)[0]
    assert {event_id_from_popup(t) for t in detached} == {"ev-001", "ev-002"}   # either can be the clicked one
    _shot(page, "01-stacked-popup")
    # the neighbour 0.72 degrees away is not listed
    assert "Gridtown" not in shown
    assert not page.errors


def test_the_legend_does_not_cover_a_marker_near_novoshakhtinsk(site, page, geography):
    rows = _spread(60) + [_event(7, *NOVOSHAKHTINSK, etype="energy_strike", place="Novoshakhtinsk", km=15.8)]
    path = _save(site, "novoshakhtinsk", _frame(rows), border=geography.border, bands=geography.bands,
                 outlines=geography.outlines)
    for viewport in ({"width": 1280, "height": 800}, {"width": 900, "height": 600}):
        page.set_viewport_size(viewport)
        _open(page, path)
        x, y = page.evaluate(POINT, list(NOVOSHAKHTINSK))
        assert 0 < x < viewport["width"] and 0 < y < viewport["height"], (x, y)
        for state in ("closed", "open"):
            if state == "open":
                page.click(".bl-legend-box summary")
                page.wait_for_selector(".bl-legend-body", state="visible")
            box = page.query_selector(".bl-legend").bounding_box()
            inside = box["x"] <= x <= box["x"] + box["width"] and box["y"] <= y <= box["y"] + box["height"]
            assert not inside, (state, viewport, box, (x, y))
            # nothing at all lies over the marker: the topmost element there is the map's canvas
            assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).tagName", [x, y]) == "CANVAS"
            _shot(page, f"02-legend-{state}-{viewport['width']}")
        page.mouse.click(x, y)
        assert "Novoshakhtinsk" in page.wait_for_selector(".leaflet-popup-content").inner_text()
    assert not page.errors


def test_the_time_control_changes_the_visible_events(site, page):
    rows = _spread(40) + [_event(900, 49.0, 35.0, date=None, place="Nowhen")]
    frame = _frame(rows)
    _open(page, _save(site, "time", frame))
    total = len(frame)
    page.wait_for_function(f"{DRAWN} === {total}")
    assert "all dates" in page.inner_text(".bl-tlabel")
    assert page.is_disabled(".bl-slider")
    # a week ending on the last day: the last seven dated events
    page.select_option(".bl-mode", "7")
    page.wait_for_function(f"{DRAWN} === 7")
    label = page.inner_text(".bl-tlabel")
    last = pd.Timestamp("2024-11-01") + pd.Timedelta(days=39)
    assert f"{(last - pd.Timedelta(days=6)).date()} – {last.date()}" in label and "7 events" in label
    assert "1 undated hidden" in label
    _shot(page, "03-time-week")
    # move the window's end to 2024-11-10: events of 4-10 November
    day = (pd.Timestamp("2024-11-10") - pd.Timestamp("1970-01-01")).days
    page.evaluate("(d) => { const s = document.querySelector('.bl-slider'); s.value = d;"
                  " s.dispatchEvent(new Event('input')); }", day)
    page.wait_for_function(f"{DRAWN} === 7")
    dates = page.evaluate("Object.values(window.map_div._layers).filter(l => l.feature && l.feature.properties"
                          " && l.feature.properties.bl_id).map(l => l.feature.properties.bl_date).sort()")
    assert dates == [f"2024-11-{d:02d}" for d in range(4, 11)]
    # "up to" a date: everything dated until then
    page.select_option(".bl-mode", "cum")
    page.wait_for_function(f"{DRAWN} === 10")
    # play steps the window forward by itself
    page.select_option(".bl-mode", "1")
    page.click(".bl-play")
    page.wait_for_function(f"document.querySelector('.bl-slider').value > {day}")
    page.click(".bl-play")   # pause
    assert page.evaluate(DRAWN) == 1
    _shot(page, "04-time-day-playing")
    # back to all dates: every event, the undated one too
    page.select_option(".bl-mode", "all")
    page.wait_for_function(f"{DRAWN} === {total}")
    assert not page.errors


def test_heat_layer_follows_the_time_window(site, page):
    frame = _frame(_spread(40))
    _open(page, _save(site, "heat", frame, collapse_layer_control=False))
    label = page.locator(".leaflet-control-layers-overlays label", has_text="Heat: Drone strike")
    label.locator("input").check()
    size = "(() => { const h = Object.values(window.map_div._layers).find(l => l._heat); return h ? h._latlngs.length : -1; })()"
    page.wait_for_function(f"{size} === 10")
    page.select_option(".bl-mode", "7")
    page.wait_for_function(f"{size} < 10 && {size} >= 1")
    _shot(page, "05-heat-week")
    assert not page.errors


def test_a_selected_event_opens_centred_ringed_and_with_its_popup(site, page):
    rows = _spread(50) + [_event(5, 48.6, 37.8, etype="ground_assault", place="Selectedville"),
                          _event(6, 48.6, 37.8, etype="drone_strike", place="Neighbourtown")]
    _open(page, _save(site, "selected", _frame(rows), selected_id="ev-005"))
    popup = page.wait_for_selector(".leaflet-popup-content .bl-popup")
    text = popup.inner_text()
    assert event_id_from_popup(text) == "ev-005"
    assert event_ids_from_popup(text) == ["ev-005", "ev-006"]
    assert page.evaluate("window.map_div.getZoom()") == 9
    centre = page.evaluate("(() => { const c = window.map_div.getCenter(); return [c.lat, c.lng]; })()")
    assert abs(centre[1] - 37.8) < 0.3   # the popup may pan the map up a little, not sideways
    assert page.evaluate("window.map_div._bl.highlight && window.map_div.hasLayer(window.map_div._bl.highlight)")
    _shot(page, "06-selected")
    assert not page.errors


def test_a_layer_whose_data_fails_to_load_does_not_stop_the_selection(site, page):
    # layers fetch their data (as in the app); one file goes missing: the selected event, in
    # another layer, still opens
    sink_dir = site / "sink"
    sink_dir.mkdir(exist_ok=True)
    written: list[Path] = []

    def sink(text: str) -> str:
        path = sink_dir / f"d{len(written)}.json"
        path.write_text(text, encoding="utf-8")
        written.append(path)
        return f"sink/{path.name}"

    rows = _spread(40) + [_event(5, 48.6, 37.8, etype="ground_assault", place="Selectedville")]
    path = _save(site, "selected-fetch", _frame(rows), selected_id="ev-005", data_sink=sink)
    # another type's event layer (its features are events; the outlines' are not)
    lost = next(p for p in written if "Selectedville" not in p.read_text(encoding="utf-8")
                and '"id":"ev-' in p.read_text(encoding="utf-8"))
    lost.unlink()

    def serve(route):
        # an http origin, as the app's: chromium fetches nothing over file://
        local = site / route.request.url.split("http://bl.test/", 1)[1].split("?")[0]
        if local.is_file():
            route.fulfill(path=str(local))
        else:
            route.fulfill(status=404, body="gone")

    page.route("http://bl.test/**", serve)
    page.goto(f"http://bl.test/{path.name}")
    popup = page.wait_for_selector(".leaflet-popup-content .bl-popup")
    assert event_id_from_popup(popup.inner_text()) == "ev-005"
