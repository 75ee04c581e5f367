"""The map's reference layers in Debian's chromium: names drawn offline at several zooms, nothing
fetched from outside 127.0.0.1 by default, OpenStreetMap tiles asked for once chosen, and the dated
overlay hook following the time control.

What is asserted is what the label layer drew on its tile canvases at that zoom
(``BL.labelNames``), plus screenshots (test-artifacts/reference/) to look at.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.assets import map_assets, vendor_assets
from geo.events import EVENT_COLUMNS
from geo.maps import build_map, snapshot_layer
from geo.reference import EVENT_PLACE_ZOOM, LOCAL_NAME_ZOOM, MapLabel, gazetteer_labels, local_name

from browser_helpers import map_frame, open_map

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("BORDERLINE_ARTIFACTS") or ROOT / "test-artifacts") / "reference"
TIMEOUT_MS = 60_000
NAMES = "BL.labelNames(window.map_div)"
#: a 1x1 transparent PNG: what the test answers for every tile the map asks for
BLANK_PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def _event(i: int, lat: float, lon: float, place: str, place_id: str | None = None) -> dict:
    excerpt = f"Report {i}: shelling hit {place} overnight."
    start = excerpt.index(place)
    row = {c: None for c in EVENT_COLUMNS}
    row.update(event_id=f"rf-{i:03d}", event_type="missile_strike", place_name=place, place_id=place_id,
               precision="settlement", country="UA", admin1="UA-14", border_km=120.0, side="UA",
               date=f"2024-11-{1 + i % 28:02d}", date_precision="day", excerpt=excerpt, place_start=start,
               place_end=start + len(place), article=f"a{i}.txt", sources=f"a{i}.txt", confidence=0.8,
               lat=lat, lon=lon)
    return row


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("reference-site")
    vendor_assets(d / "vendor")
    return d


@pytest.fixture(scope="module")
def village(gazetteer):
    """A small village near Pokrovsk with a point of its own and no population: named only
    because an event is there."""
    near = gazetteer.places_in_bbox(37.05, 48.2, 37.35, 48.4, min_population=0)
    found = [p for p in near if p.population is None and p.precision == "point" and p.katottg
             and local_name(p) and len(p.name) > 5]
    if not found:
        pytest.skip("no unpopulated village with a point near Pokrovsk in this gazetteer")
    return found[0]


@pytest.fixture
def page(chromium):
    ctx = chromium.new_context(viewport={"width": 1280, "height": 800})
    requests: list[str] = []
    ctx.on("request", lambda r: requests.append(r.url))
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    pg = ctx.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    pg.errors = errors
    pg.requests = requests
    yield pg
    ctx.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _view(page, lat: float, lon: float, zoom: int) -> list[str]:
    """Move the map, wait until the label tiles of that zoom are drawn; the names drawn."""
    # Leaflet ignores a setView while a zoom animation runs (_tryAnimatedZoom returns early), so
    # the view is asked for again until the map is there; polled on a timer, not on frames.
    page.wait_for_function(
        """([lat, lon, z]) => {
            const m = window.map_div;
            if (m.getZoom() !== z) { m.setView([lat, lon], z, {animate: false}); return false; }
            return BL.labelNames(m).length > 0;
        }""", arg=[lat, lon, zoom], polling=100)
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return page.evaluate(NAMES)


def test_names_are_drawn_offline_at_each_zoom(site, page, gazetteer, village):
    rows = [_event(1, village.lat, village.lon, village.name, village.id),
            _event(2, 48.28, 37.18, "Pokrovsk", "gn:704422"), _event(3, 50.0, 36.25, "Kharkiv")]
    labels = gazetteer_labels(gazetteer, place_ids=[village.id, "gn:704422"])
    m = build_map(_frame(rows), assets=map_assets("vendor"), labels=labels)
    path = site / "names.html"
    path.write_text(m.get_root().render(), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_function(f"{NAMES}.length > 0")

    wide = _view(page, 48.6, 36.4, 6)
    _shot(page, "01-zoom6")
    assert {"Kharkiv", "Dnipro", "Zaporizhzhya", "Luhansk"} <= set(wide) or {"Kharkiv", "Dnipro"} <= set(wide), wide
    assert {"DONETSK OBLAST", "KHARKIV OBLAST", "ZAPORIZHZHIA OBLAST"} <= set(wide), wide   # region names, in caps
    assert "BELGOROD OBLAST" in wide                                # Russia's border regions too
    assert village.name not in wide and "Покровськ" not in wide     # no villages, no second lines
    assert len(wide) < 400                                          # a legible number, not every place

    middle = _view(page, 48.4, 37.4, 8)
    _shot(page, "02-zoom8")
    assert {"Pokrovsk", "Kramatorsk"} <= set(middle) and "DONETSK OBLAST" in middle, middle
    assert village.name not in middle

    close = _view(page, village.lat, village.lon, max(LOCAL_NAME_ZOOM, EVENT_PLACE_ZOOM))
    _shot(page, "03-zoom11-village")
    assert village.name in close and local_name(village) in close, close   # the event's village, in both scripts
    assert "DONETSK OBLAST" not in close                                    # region names stop at zoom 9

    # below the zoom of second lines, the Cyrillic shows on hover
    _view(page, 48.28, 37.18, 10)
    x, y = page.evaluate("""(name) => {
        const m = window.map_div, layer = m._bl.labels, it = layer._placed[m.getZoom()].items.find(i => i.text === name);
        const p = m.unproject([(it.b[0] + it.b[2]) / 2, (it.b[1] + it.b[3]) / 2], m.getZoom());
        const c = m.latLngToContainerPoint(p);
        return [c.x, c.y];
    }""", "Pokrovsk")
    page.mouse.move(x, y)
    tip = page.wait_for_selector(".bl-label-tip")
    assert "Pokrovsk" in tip.inner_text() and "Покровськ" in tip.inner_text()
    _shot(page, "04-hover-cyrillic")
    assert not page.errors
    assert page.requests and all(u.startswith("file://") for u in page.requests), \
        [u for u in page.requests if not u.startswith("file://")]


def test_untrusted_names_are_drawn_as_text(site, page):
    payload = "<img src=x onerror=alert(1)> ${alert(2)} {{ 7*7 }}"
    labels = [MapLabel(payload, "</script><script>alert(3)</script>", 37.18, 48.28, "town", 6, rank=(6,)),
              MapLabel("Ampersand & Co", "", 37.5, 48.6, "town", 6, rank=(6,))]
    m = build_map(_frame([_event(1, 48.0, 36.0, "Somewhere")]), assets=map_assets("vendor"), labels=labels)
    path = site / "payload.html"
    path.write_text(m.get_root().render(), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_function("window.map_div && window.map_div._bl && window.map_div._bl.labels")
    names = _view(page, 48.4, 37.3, 11)
    assert payload in names and "Ampersand & Co" in names               # decoded for the canvas, drawn as text
    assert "</script><script>alert(3)</script>" in names
    assert page.evaluate("document.querySelectorAll('img[src=x]').length") == 0
    assert not page.errors                                             # no dialog, no script ran


def test_the_app_fetches_nothing_from_outside_by_default(chromium, app):
    ctx = chromium.new_context(viewport={"width": 1500, "height": 1100})
    requests: list[str] = []
    ctx.on("request", lambda r: requests.append(r.url))
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(app.url) else r.abort())
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(app.url)
        frame = map_frame(page)
        frame.wait_for_selector(".leaflet-overlay-pane canvas", state="attached")
        # the names came (fetched from the app like the other layers) and were drawn
        frame.wait_for_function("window.map && BL.labelNames(window.map).length > 0")
        names = frame.evaluate("BL.labelNames(window.map)")
        assert any(n.endswith("OBLAST") for n in names), names
        page.wait_for_timeout(1500)          # anything late (a tile, a font) would be asked for by now
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "05-app-offline.png"), full_page=True)
        outside = [u for u in requests if not u.startswith("http://127.0.0.1:")]
        assert not outside, outside
        assert requests
    finally:
        ctx.close()


def test_choosing_openstreetmap_asks_its_server_for_tiles(chromium, app):
    ctx = chromium.new_context(viewport={"width": 1500, "height": 1100})
    tiles: list[str] = []
    other: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(app.url):
            r.continue_()
        elif url.startswith("https://tile.openstreetmap.org/"):
            tiles.append(url)
            r.fulfill(status=200, content_type="image/png", body=BLANK_PNG)
        else:
            other.append(url)
            r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    try:
        class _S:
            pass
        s = _S()
        s.page = page
        open_map(s, app.url)
        assert not tiles
        page.get_by_test_id("stSelectbox").filter(has_text="Basemap").click()
        page.get_by_role("option", name="OpenStreetMap").click()
        page.wait_for_function("() => document.body.innerText.includes('tile.openstreetmap.org')")
        assert "Your browser will fetch map tiles from tile.openstreetmap.org" in page.inner_text("body")
        deadline_ms = 60_000
        waited = 0
        while not tiles and waited < deadline_ms:
            page.wait_for_timeout(250)
            waited += 250
        assert tiles, "no tile was asked for"
        assert all(u.endswith(".png") for u in tiles)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "06-app-osm-chosen.png"), full_page=True)
        assert not other, other
    finally:
        ctx.close()


def test_a_dated_overlay_follows_the_time_control(site, page):
    # the hook the front line will use: one snapshot per day, the latest on or before the window's end
    day1 = (pd.Timestamp("2024-11-05") - pd.Timestamp("1970-01-01")).days
    day2 = (pd.Timestamp("2024-11-20") - pd.Timestamp("1970-01-01")).days
    square = lambda x: [[[x, 48.0], [x + 0.5, 48.0], [x + 0.5, 48.5], [x, 48.5], [x, 48.0]]]  # noqa: E731
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"bl_t": day1}, "geometry": {"type": "Polygon", "coordinates": square(37.0)}},
        {"type": "Feature", "properties": {"bl_t": day2}, "geometry": {"type": "Polygon", "coordinates": square(38.0)}},
    ]}
    rows = [_event(i, 48.2, 36.0 + i * 0.05, "Datedville") for i in range(1, 28)]
    overlay = lambda m, sink: snapshot_layer(data, name="Dated squares", style={"color": "#000"},  # noqa: E731
                                             data_sink=sink).add_to(m)
    m = build_map(_frame(rows), assets=map_assets("vendor"), overlays=[overlay])
    path = site / "dated.html"
    path.write_text(m.get_root().render(), encoding="utf-8")
    page.goto(path.as_uri())
    shown = ("Object.values(window.map_div._layers).filter(l => l.feature && l.feature.properties"
             " && l.feature.properties.bl_t != null && l.getBounds).map(l => l.feature.properties.bl_t)")
    page.wait_for_function(f"({shown}).length === 1")
    assert page.evaluate(shown) == [day2]                 # all dates: the latest day
    page.select_option(".bl-mode", "cum")
    day = (pd.Timestamp("2024-11-10") - pd.Timestamp("1970-01-01")).days
    page.evaluate("(d) => { const s = document.querySelector('.bl-slider'); s.value = d;"
                  " s.dispatchEvent(new Event('input')); }", day)
    page.wait_for_function(f"JSON.stringify({shown}) === '[{day1}]'")
    page.evaluate("(d) => { const s = document.querySelector('.bl-slider'); s.value = d;"
                  " s.dispatchEvent(new Event('input')); }", day2 + 1)
    page.wait_for_function(f"JSON.stringify({shown}) === '[{day2}]'")
    assert not page.errors
