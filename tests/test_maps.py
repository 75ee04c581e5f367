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
    drawn = [f for text in stored.values() for f in json.loads(text).get("features", []) if "bl_id" in f["properties"]]
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


# --- issue 11: registry styles, stacked events, legend, bands, time, heat, oblasts, popup -------

from geo import event_types  # noqa: E402
from geo.maps import EVENT_IDS_LABEL, event_ids_from_popup, link_url, popup_properties  # noqa: E402


def _script(m: folium.Map) -> str:
    return m.get_root().render()


def test_layers_use_the_registry_colours_and_unknown_types_get_its_stand_in():
    frame = synthetic_events(40, seed=8)
    frame["precision"] = "settlement"
    frame["event_type"] = ["drone_strike", "political", "missile_strike"] * 13 + ["drone_strike"]
    frame.loc[frame.index[:3], "event_type"] = "air_strike"
    frame.loc[frame.index[3:5], "event_type"] = "from_a_newer_version"
    m = build_map(frame, tiles=False)
    groups = {g.layer_name: g for g in _groups(m)}
    air = event_types.get("air_strike")
    name = next(k for k in groups if f"{air.label} (3)" in k)
    assert air.color in name and f"fa-{air.icon}" in name
    layer = _layers(groups[name])[0]
    assert json.loads(layer.styles_json)["s"]["fillColor"] == air.color
    stand_in = event_types.get("from_a_newer_version")
    odd = next(k for k in groups if "from_a_newer_version (2)" in k)
    assert stand_in.color in odd and f"fa-{stand_in.icon}" in odd
    # layers in the registry's priority order, unknown types last
    names = [g.layer_name for g in _groups(m) if "Country-level" not in g.layer_name]
    present = [t for t in event_types.TYPE_IDS if (frame["event_type"] == t).any()]
    firsts = [next(i for i, n in enumerate(names) if f"{event_types.label(t)} (" in n) for t in present]
    assert firsts == sorted(firsts) and "from_a_newer_version" in names[-1]


def test_every_point_layer_uses_the_page_popup_that_lists_stacked_events(rendered):
    _, html = rendered
    assert html.count("window.BL = ") == 1                      # the library, once per page
    n_layers = html.count("L.circleMarker(latlng")
    assert n_layers and html.count(".bindPopup(BL.popup,") == n_layers
    assert html.count(".bindTooltip(BL.tooltip,") == n_layers
    # the popup starts with the clicked id, then every listed id, before any event text
    lib = html[html.index("BL.popup = function"):]
    assert lib.index("BL.ID_LABEL") < lib.index("BL.IDS_LABEL") < lib.index("table(p)")


def test_popup_text_gives_the_clicked_id_first_and_every_id():
    # the text a browser gives for a popup listing three events (textContent, as st_folium reads it)
    text = ("Event id: e-2\nEvent ids here: e-2 e-1 e-3\n3 events at this point: ...\n"
            "1. Drone strike · 2024-12-10\nExcerpt Someone wrote Event id: spoofed here\nEvent id e-2\n"
            "2. ...\nEvent id e-1\n")
    assert event_id_from_popup(text) == "e-2"
    assert event_ids_from_popup(text) == ["e-2", "e-1", "e-3"]
    # an older single-event popup (no ids line) still gives its one id; nothing gives nothing
    assert event_ids_from_popup("Excerpt x\nEvent id\tabc") == ["abc"]
    assert event_ids_from_popup(None) == [] and event_ids_from_popup("no ids") == []
    assert EVENT_IDS_LABEL.startswith(EVENT_ID_LABEL)           # why _ID_RE needs its lookahead


def test_legend_starts_closed_in_the_top_left_corner(rendered):
    m, html = rendered
    legend = next(c for c in m._children.values() if type(c).__name__ == "_Legend")
    assert legend.position == "topleft"
    assert "<details" in legend.html and "<details open" not in legend.html
    assert '"topleft"' in html
    control = next(c for c in m._children.values() if isinstance(c, folium.LayerControl))
    assert control.options["collapsed"] is True


def test_band_layers_have_distinct_fills(events):
    square = Polygon([(35, 50), (36, 50), (36, 51), (35, 51)])
    bands = [(f"{a}-{b} km", square) for a, b in ((0, 25), (25, 50), (50, 100), (100, 200))]
    m = build_map(events.head(5), bands=bands, tiles=False)
    layers = {c.layer_name: json.loads(c.styles_json) for c in m._children.values()
              if isinstance(c, folium.map.Layer) and "Border band" in (c.layer_name or "")}
    assert list(layers) == [f"Border band {label}" for label, _ in bands]
    assert all(not c.show for c in m._children.values() if "Border band" in (getattr(c, "layer_name", "") or ""))
    fills = [(s["fillColor"], s["fillOpacity"], s["color"], s.get("dashArray")) for s in layers.values()]
    assert len({f[0] for f in fills}) == 4 and len({f[3] for f in fills}) == 4
    assert all(f[1] >= 0.2 for f in fills)
    legend = next(c for c in m._children.values() if type(c).__name__ == "_Legend").html
    assert all(label in legend for label, _ in bands)


def test_time_spans_and_the_time_control():
    frame = synthetic_events(12, seed=9)
    frame["precision"] = "settlement"
    frame["date"] = ["2024-03-05", "2024-03", "2024", None, "", "not a date"] * 2
    frame["date_precision"] = ["day", "month", "year", "unknown", "unknown", "unknown"] * 2
    m = build_map(frame, tiles=False)
    by_id = {f["id"]: f["properties"] for f in _features(m)}
    day = (pd.Timestamp("2024-03-05") - pd.Timestamp("1970-01-01")).days
    march = ((pd.Timestamp("2024-03-01") - pd.Timestamp("1970-01-01")).days,
             (pd.Timestamp("2024-03-31") - pd.Timestamp("1970-01-01")).days)
    year = ((pd.Timestamp("2024-01-01") - pd.Timestamp("1970-01-01")).days,
            (pd.Timestamp("2024-12-31") - pd.Timestamp("1970-01-01")).days)
    for eid, date in zip(frame["event_id"], frame["date"]):
        p = by_id[eid]
        if date == "2024-03-05":
            assert p["bl_t"] == day and "bl_u" not in p
        elif date == "2024-03":
            assert (p["bl_t"], p["bl_u"]) == march
        elif date == "2024":
            assert (p["bl_t"], p["bl_u"]) == year
        else:
            assert "bl_t" not in p
    ctl = next(c for c in m._children.values() if type(c).__name__ == "_TimeControl")
    assert ctl.options == {"lo": year[0], "hi": year[1], "position": "bottomleft"}
    html = _script(m)
    assert "BL.timeControl(" in html and '<option value=\\"all\\">All dates</option>' in html
    legend = next(c for c in m._children.values() if type(c).__name__ == "_Legend").html
    assert "6 undated events are hidden while a window is set" in legend
    # no dates, or asked not to: no control
    frame["date"] = None
    assert "BL.timeControl(" not in _script(build_map(frame, tiles=False))
    assert "BL.timeControl(" not in _script(build_map(synthetic_events(5, seed=1), tiles=False,
                                                      time_control=False))


def test_extent_circles_follow_time_but_are_not_events(events, rendered):
    m, _ = rendered
    extents = [c for g in _groups(m) for c in g._children.values() if getattr(c, "kind", "") == "extent"]
    assert extents
    for layer in extents:
        for f in _data(layer):
            assert "bl_id" not in f["properties"] and "bl_t" in f["properties"]


def test_heat_layers_per_type_off_by_default_and_served_locally(events, rendered):
    m, html = rendered
    heats = [c for c in m._children.values() if isinstance(c, folium.plugins.HeatMap)]
    pinned = events[~events["precision"].isin(["country", "region"])]
    assert len(heats) == pinned["event_type"].nunique()
    assert all(not h.show for h in heats) and all("Heat: " in h.layer_name for h in heats)
    assert html.count("L.heatLayer([]") == len(heats) and html.count("BL.addHeat(") == len(heats)
    assert '/app/static/vendor/leaflet-heat/leaflet_heat.min.js' in html
    assert "cdn.jsdelivr" not in html
    assert not [c for c in build_map(events.head(5), heat=False, tiles=False)._children.values()
                if isinstance(c, folium.plugins.HeatMap)]


def test_oblast_layer_is_shipped_on_by_default_and_beneath_the_events(events):
    path = ROOT / "geo" / "data" / "admin1_ru_ua.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    codes = {f["properties"]["iso_3166_2"] for f in data["features"]}
    assert {"UA-14", "UA-63", "UA-59", "UA-43", "RU-BEL", "RU-KRS", "RU-ROS", "RU-BRY"} <= codes
    assert "Natural Earth" in data["attribution"] and path.stat().st_size < 400_000
    m = build_map(events.head(5), tiles=False)
    layer = next(c for c in m._children.values() if "Oblasts" in (getattr(c, "layer_name", "") or ""))
    assert layer.show is True and "Natural Earth" in layer.attribution
    assert layer.pane == "blBase"            # the pane beneath the names and the events
    # without the reference layers: off at first, as the map had it before
    m = build_map(events.head(5), tiles=False, reference=False)
    layer = next(c for c in m._children.values() if "Oblasts" in (getattr(c, "layer_name", "") or ""))
    assert layer.show is False
    assert not any("Oblasts" in (getattr(c, "layer_name", "") or "")
                   for c in build_map(events.head(5), tiles=False, admin1=False)._children.values())


def test_popup_shows_confidence_region_name_and_a_safe_source_link():
    # extraction names a region-level event by its region; admin1 is the ISO 3166-2 code
    base = {"event_id": "e1", "event_type": "drone_strike", "place_name": "Oryol Oblast",
            "admin1": "RU-ORL", "precision": "region", "confidence": 0.8342,
            "excerpt": "x", "place_start": 0, "place_end": 1}
    p = popup_properties(base)
    assert p["bl_place"] == "Oryol Oblast (RU-ORL)" and p["bl_conf"] == "0.83"
    p = popup_properties(base | {"precision": "settlement", "place_name": "Livny"})
    assert p["bl_place"] == "Livny (RU-ORL)"
    p = popup_properties(base | {"source": "Kyiv <Independent>", "url": "https://example.org/a?b=1&c=$x"})
    assert p["bl_source"] == ('<a href="https://example.org/a?b=1&amp;c=&#36;x" target="_blank" '
                              'rel="noopener noreferrer">Kyiv &lt;Independent&gt;</a>')
    for bad in ("javascript:alert(1)", "data:text/html,x", "/relative", "https://x.org/\" onclick=\"x",
                "http://", "ftp://x.org/a", "https://x.org/ a"):
        assert link_url(bad) is None, bad
        p = popup_properties(base | {"source": "src", "url": bad})
        assert "<a" not in p["bl_source"] and p["bl_source"] == "src"
    p = popup_properties(base | {"url": "http://example.org/"})          # no source: the url is the text
    assert p["bl_source"].endswith(">http://example.org/</a>")
    assert popup_properties(base | {"confidence": None})["bl_conf"] == ""


def test_selected_id_centres_rings_and_opens_its_popup(events):
    pinned = events[events["precision"] == "settlement"]
    eid = pinned["event_id"].iloc[3]
    row = pinned.iloc[3]
    m = build_map(events, tiles=False, selected_id=eid)
    assert m.location == [pytest.approx(row.geometry.y), pytest.approx(row.geometry.x)]
    assert m.options["zoom"] == 9
    html = _script(m)
    assert f'BL.select(map_div, "{eid}")' in html or f'BL.select(div, "{eid}")' in html or \
        re.search(r'BL\.select\(\w+, "' + re.escape(eid) + '"\\)', html)
    assert "fitBounds" not in html
    # an id that is not on the map: the usual first view, nothing selected
    other = _script(build_map(events, tiles=False, selected_id="no-such-event"))
    assert "BL.select(" not in other.split("BL.trySelect = function")[1].split("})();")[1]
    assert "fitBounds" in other
