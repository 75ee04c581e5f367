"""geo.maps.build_map and geo.assets: layers, honest precision, escaping, no CDN."""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Polygon

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # bench/ is a plain directory, not an installed package
    sys.path.insert(0, str(ROOT))

from bench.synthetic import PAYLOADS, synthetic_events  # noqa: E402
from geo.assets import VENDOR_FILES, map_assets, vendor_assets  # noqa: E402
from geo.events import EVENT_COLUMNS, EVENT_TYPES  # noqa: E402
from geo.maps import (  # noqa: E402
    EVENT_ID_LABEL, POPUP_FIELDS, build_map, escape, event_id_from_popup, excerpt_html,
)

CDN_HOSTS = ("cdn.jsdelivr", "unpkg.com", "cdnjs.cloudflare", "code.jquery", "bootstrapcdn",
             "netdna", "d3js.org", "googleapis")


def _groups(m: folium.Map) -> list[folium.FeatureGroup]:
    return [c for c in m._children.values() if isinstance(c, folium.FeatureGroup)]


def _layers(group: folium.FeatureGroup) -> list:
    """The event layers of a group (they carry their serialised GeoJSON)."""
    return [c for c in group._children.values() if getattr(c, "data_json", None) is not None]


def _data(layer) -> list[dict]:
    return json.loads(layer.data_json)["features"]


def _features(m: folium.Map) -> list[dict]:
    out = []
    for g in _groups(m):
        for layer in _layers(g):
            out.extend(f for f in _data(layer) if "bl_id" in f["properties"])
    return out


@pytest.fixture(scope="module")
def events() -> gpd.GeoDataFrame:
    return synthetic_events(400, seed=3)


@pytest.fixture(scope="module")
def rendered(events) -> tuple[folium.Map, str]:
    m = build_map(events, tiles=True)
    return m, m.get_root().render()


def test_one_layer_per_type_named_with_label_and_count(events, rendered):
    m, html = rendered
    pinned = events[events["precision"] != "country"]
    expected = pinned["event_type"].value_counts()
    groups = {g.layer_name: g for g in _groups(m)}
    for etype, n in expected.items():
        name = next((k for k in groups if f"{EVENT_TYPES[etype]} ({n:,})" in k), None)
        assert name is not None, f"no layer named for {etype} with count {n}"
        # the count in the name is the number of events drawn in it
        drawn = sum(len([f for f in _data(lay) if "bl_id" in f["properties"]]) for lay in _layers(groups[name]))
        assert drawn == n
        assert f"{EVENT_TYPES[etype]} ({n:,})" in html
    assert html.count("L.control.layers(") == 1


def test_country_level_events_are_apart_and_off_by_default(events, rendered):
    m, _ = rendered
    n_country = int((events["precision"] == "country").sum())
    assert n_country > 0
    country = [g for g in _groups(m) if "Country-level" in g.layer_name]
    assert len(country) == 1
    assert f"({n_country:,})" in country[0].layer_name
    assert country[0].show is False
    codes = {f["properties"]["bl_p"] for lay in _layers(country[0]) for f in _data(lay)}
    assert codes == {"c"}
    for g in _groups(m):
        if g is not country[0]:
            assert all(f["properties"].get("bl_p") != "c" for lay in _layers(g) for f in _data(lay))


def test_precision_codes_and_region_extent(events, rendered):
    m, html = rendered
    by_id = {f["id"]: f["properties"]["bl_p"] for f in _features(m)}
    want = {"settlement": "s", "hromada": "h", "region": "r", "country": "c"}
    for eid, precision in zip(events["event_id"], events["precision"]):
        assert by_id[eid] == want[precision]
    # a region-level event is never drawn as a filled dot: its style has no fill, and a
    # non-interactive geographic circle (metres, not pixels) shows where it may be
    assert '"r":{"radius":8' in html and '"fill":false' in html
    assert "L.circle(latlng, styles.a)" in html and '"interactive":false' in html
    assert "preferCanvas" in html


def test_selected_types_sets_initial_visibility(events):
    m = build_map(events, tiles=False, selected_types=["drone_strike"])
    shown = {g.layer_name: g.show for g in _groups(m) if "Country-level" not in g.layer_name}
    assert any(v for k, v in shown.items() if EVENT_TYPES["drone_strike"] in k)
    assert not any(v for k, v in shown.items() if EVENT_TYPES["drone_strike"] not in k)


def test_border_bands_and_outlines_are_own_layers(events):
    border = LineString([(35.0, 52.0), (36.0, 51.0), (38.5, 50.0), (40.0, 48.0)])
    band = Polygon([(35, 52), (36, 51), (36.5, 51.2), (35.2, 52.3)])
    outline = gpd.GeoDataFrame({"name": ["{{ 12345*11 }} <b>x</b>"]},
                               geometry=[Polygon([(30, 44), (42, 44), (42, 54), (30, 54)])], crs=4326)
    m = build_map(events.head(20), border=border, bands=[("0–25 km", band), ("25–50 km", band)],
                  outlines=outline, tiles=False)
    named = {c.layer_name: c for c in m._children.values()
             if isinstance(c, folium.map.Layer) and not isinstance(c, folium.FeatureGroup) and c.control}
    assert "Russia–Ukraine border" in named and named["Russia–Ukraine border"].show
    assert all(layer.overlay for layer in named.values())        # ticks, not base-layer radios
    assert not named["Border band 0–25 km"].show and "Border band 25–50 km" in named
    assert "Country outlines" in named
    html = m.get_root().render()
    assert "38.5" in html                      # the border's vertices are in the page
    assert "<b>x</b>" not in html and "135795" not in html   # outline properties are dropped
    assert "tile.openstreetmap.org" not in html  # tiles=False


def test_osm_is_the_default_base_layer_when_tiles(rendered):
    _, html = rendered
    assert "tile.openstreetmap.org" in html and "OpenStreetMap" in html


def test_assets_are_local_and_no_cdn(rendered):
    m, html = rendered
    urls = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/app/static/vendor/") for u in urls), urls
    lowered = html.lower()
    assert not [h for h in CDN_HOSTS if h in lowered]
    # what st_folium loads: every JSCSSMixin's default_js/default_css, plus d3 for ColorMaps
    from branca.colormap import ColorMap
    from folium.elements import JSCSSMixin

    def walk(el):
        yield el
        for child in el._children.values():
            yield from walk(child)
    links = []
    for el in walk(m):
        assert not isinstance(el, ColorMap)
        if isinstance(el, JSCSSMixin):
            links += [u for _, u in el.default_js] + [u for _, u in el.default_css]
    assert links and all(u.startswith("/app/static/vendor/") for u in links), links
    # folium's own class-level defaults are untouched (per-instance override only)
    assert any("cdn.jsdelivr" in u for _, u in folium.Map.default_js)


def test_relative_assets_for_a_saved_map(tmp_path, events):
    vendor_assets(tmp_path / "vendor")
    m = build_map(events.head(10), assets=map_assets("vendor"), tiles=False)
    m.save(str(tmp_path / "map.html"))
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    urls = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert urls
    for url in urls:
        assert (tmp_path / url).is_file(), url


def test_vendor_copies_every_file_and_is_idempotent(tmp_path):
    dest = vendor_assets(tmp_path / "v")
    files = {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()}
    assert {f.dest for f in VENDOR_FILES} <= files
    assert not [p for p in dest.rglob("*") if p.is_symlink()]
    assets = map_assets("")
    for _, url in assets.js + assets.css + assets.markercluster_js + assets.markercluster_css:
        assert (dest / url.lstrip("/")).is_file(), url
    # the CSS's relative references (fonts, images) resolve inside the vendor tree
    fa = (dest / "fontawesome/css/all.min.css").read_text(encoding="utf-8")
    for ref in set(re.findall(r"url\(([^)]+)\)", fa)):
        assert (dest / "fontawesome/css" / ref.strip("'\"")).resolve().is_file(), ref
    mtimes = {p: p.stat().st_mtime_ns for p in dest.rglob("*") if p.is_file()}
    vendor_assets(dest)
    assert mtimes == {p: p.stat().st_mtime_ns for p in dest.rglob("*") if p.is_file()}


# --- escaping -------------------------------------------------------------------------

class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)


def _payload_events() -> gpd.GeoDataFrame:
    payload = " ".join(PAYLOADS) + " {{ 12345*11 }} {% if 1 %}X{% endif %}"
    frame = synthetic_events(8, seed=5, payload=payload)
    frame["event_id"] = [f"{PAYLOADS[0]}-{i}" for i in range(len(frame))]
    frame["admin1"] = payload
    frame["date"] = payload
    frame["side"] = payload
    frame["precision"] = ["settlement", "hromada", "region", "country"] * 2
    return frame


def test_every_text_field_is_escaped_in_the_rendered_html():
    frame = _payload_events()
    html = build_map(frame, tiles=False).get_root().render()
    for raw in ("<img src=x onerror", "</script><script>alert", "${alert(1)}", "`${alert",
                "C:\\users", "{{ 12345*11 }}", "{% if"):
        assert raw not in html, raw
    assert "135795" not in html  # nothing was evaluated as a Jinja template
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html  # it is there, as text


def test_popup_properties_are_text_except_our_mark():
    frame = _payload_events()
    m = build_map(frame, tiles=False)
    feats = _features(m)
    assert len(feats) == len(frame)
    for f in feats:
        for key, value in f["properties"].items():
            parser = _Tags()
            parser.feed(value)
            assert set(parser.tags) <= ({"mark"} if key == "bl_excerpt" else set()), (key, value)
            assert not parser.attrs
            for ch in "`$\\{}":
                assert ch not in value, (key, ch)


def test_layer_names_and_legend_escape_unknown_types():
    frame = synthetic_events(3, seed=1)
    frame["event_type"] = "<script>alert(1)</script>"
    html = build_map(frame, tiles=False).get_root().render()
    assert "<script>alert(1)</script>" not in html


def test_escape_rule():
    assert escape("<a href='x'>`$\\{}</a>") == (
        "&lt;a href=&#x27;x&#x27;&gt;&#96;&#36;&#92;&#123;&#125;&lt;/a&gt;")
    assert escape(None) == "" and escape(float("nan")) == ""


def test_excerpt_html_marks_the_place_from_escaped_parts():
    text = "Drones hit <Novoshakhtinsk> & the refinery."
    start = text.index("<Novo")
    end = start + len("<Novoshakhtinsk>")
    out = excerpt_html(text, start, end)
    assert out == ("Drones hit <mark>&lt;Novoshakhtinsk&gt;</mark> &amp; the refinery.")
    assert excerpt_html(text, 30, 5) == escape(text)          # bad offsets: no mark
    assert excerpt_html(text, None, None) == escape(text)
    long = "a" * 500 + "Kupiansk" + "b" * 500
    cut = excerpt_html(long, 500, 508, max_chars=100)
    assert "<mark>Kupiansk</mark>" in cut and cut.startswith("…") and cut.endswith("…")
    assert len(cut) < 140


def test_event_id_round_trips_through_popup_text(events):
    m = build_map(events.head(5), tiles=False)
    f = _features(m)[0]
    labels = dict(POPUP_FIELDS)
    # what st_folium returns: the popup table's innerText, "label<TAB>value" per row
    text = "\n".join(f"{labels[k]}\t{v}" for k, v in f["properties"].items() if k in labels)
    assert event_id_from_popup(text) == f["id"]
    assert event_id_from_popup(None) is None and event_id_from_popup("no id here") is None
    assert EVENT_ID_LABEL in labels.values()


def test_empty_and_unlocated_events():
    empty = gpd.GeoDataFrame(pd.DataFrame(columns=list(EVENT_COLUMNS)), geometry=[], crs=4326)
    html = build_map(empty, tiles=False).get_root().render()
    assert "L.control.layers(" in html
    frame = synthetic_events(4, seed=2)
    frame.loc[frame.index[:2], "geometry"] = None
    m = build_map(frame, tiles=False)
    assert len(_features(m)) == 2
    assert "2 events without coordinates are not drawn" in m.get_root().render()


# --- borderline map -------------------------------------------------------------------

def test_cli_map_writes_an_offline_page(tmp_path, capsys):
    import datetime as dt

    from geo.articles import Article
    from geo.cli import main
    from geo.events import Event
    from geo.store import EventStore, store_path

    text = "Drones hit the Novoshakhtinsk refinery <img src=x onerror=alert(1)> overnight."
    article = Article(id="a" * 16, source="<b>src</b>.txt", text=text, date=dt.date(2024, 12, 10))
    start = text.index("Novoshakhtinsk")
    event = Event(event_id="e1", event_type="energy_strike", place_name="Novoshakhtinsk",
                  precision="settlement", excerpt=text, place_start=start, place_end=start + 14,
                  article=article.source, article_id=article.id, lat=47.76, lon=39.93,
                  country="RU", border_km=15.8, side="RU", date="2024-12-10", date_precision="day",
                  sources=(article.source,))
    data = tmp_path / "data"
    EventStore(store_path(data)).add([(article, [event])])
    out = tmp_path / "site" / "map.html"
    assert main(["map", "--out", str(out), "--data", str(data)]) == 0
    assert "1 events" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert "Strike on energy infrastructure (1)" in page
    assert "<img src=x" not in page and "<b>src</b>" not in page
    urls = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert urls and all(u.startswith("map_files/") and (out.parent / u).is_file() for u in urls)
    assert main(["map", "--out", str(tmp_path / "map.txt"), "--data", str(data)]) == 2


def test_data_sink_takes_the_data_out_of_the_page(events):
    stored: dict[str, str] = {}

    def sink(text: str) -> str:
        url = f"/app/static/mapdata/{len(stored)}.json"
        stored[url] = text
        return url

    embedded = build_map(events, tiles=False).get_root().render()
    page = build_map(events, tiles=False, data_sink=sink).get_root().render()
    assert len(page) < len(embedded) / 3
    for url in stored:
        assert f'fetch("{url}")' in page
    drawn = [f for text in stored.values() for f in json.loads(text)["features"] if "bl_id" in f["properties"]]
    assert sorted(f["id"] for f in drawn) == sorted(events["event_id"])


def test_first_view_is_the_border_region_not_the_world():
    frame = synthetic_events(30, seed=4)
    far = frame.index[0]
    frame.loc[far, ["lat", "lon", "border_km", "precision"]] = [39.03, 125.75, 6554.0, "settlement"]
    frame = frame.set_geometry(gpd.points_from_xy(frame["lon"], frame["lat"]), crs=4326)
    m = build_map(frame, tiles=False)
    fits = [c for c in m._children.values() if type(c).__name__ == "FitBounds"]
    (south, west), (north, east) = fits[0].bounds
    assert east < 45 and north < 56                      # Pyongyang is drawn, not framed
    assert any(f["id"] == frame.loc[far, "event_id"] for f in _features(m))
