"""geo.reference and the map's reference layers: label selection, local names, escaping, basemaps."""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synthetic import PAYLOADS, synthetic_events  # noqa: E402
from gazetteer.model import Place  # noqa: E402
from geo import reference  # noqa: E402
from geo.maps import LABEL_STYLES, build_map, label_rows, snapshot_layer  # noqa: E402
from geo.reference import (  # noqa: E402
    BASEMAPS, EVENT_PLACE_ZOOM, LABEL_KINDS, MapLabel, basemap, event_place_ids, local_name, place_labels,
)
from geo.view import map_labels, reference_layers_enabled  # noqa: E402


def _place(pid: str, name: str, lat: float, lon: float, *, country: str = "UA", admin1: str | None = "UA-14",
           population: int | None = None, alts: tuple[str, ...] = (), precision: str = "point",
           katottg: str | None = "UA14", kind: str = "settlement") -> Place:
    return Place(id=pid, name=name, kind=kind, country=country, admin1=admin1, admin1_name=None, lat=lat, lon=lon,
                 population=population, precision=precision, source="test", alt_names=alts,
                 katottg=katottg if country == "UA" else None)


# --- local names ----------------------------------------------------------------------

@pytest.mark.parametrize(("name", "country", "alts", "want"), [
    # the same name in the country's own spelling, not a former name
    ("Pokrovsk", "UA", ("Krasnoarmeysk", "Красноармейск", "Покровск", "Покровськ"), "Покровськ"),
    # г read as h by Ukraine's romanisation: Луганськ is Luhansk
    ("Luhansk", "UA", ("Луганск", "Луганськ", "Ворошиловград"), "Луганськ"),
    ("Uzhhorod", "UA", ("Ужгород", "Унгвар"), "Ужгород"),
    ("Kharkiv", "UA", ("Харьков", "Харків"), "Харків"),
    ("Andriivka", "UA", ("Андреевка", "Андріївка"), "Андріївка"),
    # Russia: the Russian spelling, not the Ukrainian one; never a South Slavic one
    ("Belgorod", "RU", ("Бєлгород", "Белгород"), "Белгород"),
    ("Kursk", "RU", ("Курськ", "Курск"), "Курск"),
    ("Sevastopol", "UA", ("Севастопол", "Севастополь"), "Севастополь"),
    ("Donetsk", "UA", ("Доњецк", "Донецк", "Донецьк"), "Донецьк"),
    # nothing that spells the name: none rather than a wrong one
    ("Bakhmut", "UA", ("Артемовск", "Артемівськ"), ""),
    ("Lublin", "PL", ("Люблин",), ""),
])
def test_local_name_is_the_same_name_in_the_countrys_cyrillic(name, country, alts, want):
    assert local_name(_place("x", name, 48.0, 37.0, country=country, alts=alts)) == want


# --- which places are named, from which zoom -------------------------------------------

def _zoom_of(labels, name):
    return {lab.name: lab.min_zoom for lab in labels}.get(name)


def test_capitals_always_towns_by_population_villages_when_they_have_events():
    places = [
        _place("c", "Donetsk", 48.0, 37.8, population=900_000),                 # UA-14's largest: its capital
        _place("k", "Kramatorsk", 48.7, 37.6, population=150_000),
        _place("p", "Pokrovsk", 48.3, 37.2, population=60_000),
        _place("s", "Selydove", 48.15, 37.3, population=21_000),
        _place("d", "Dobropillia", 48.47, 37.08, population=28_000),
        _place("t", "Kurakhove", 47.98, 37.28, population=6_000),
        _place("v", "Ocheretyne", 48.22, 37.6, population=1_500),
        _place("q", "Quietville", 48.6, 36.9, population=None),                   # no events: not named
    ]
    event_village = _place("e", "Andriivka", 47.83, 38.13, population=None)      # an event's own village
    labels = place_labels(places, event_places=[event_village])
    zoom = {lab.name: lab.min_zoom for lab in labels}
    assert zoom == {"Donetsk": 0, "Kramatorsk": 6, "Pokrovsk": 7, "Selydove": 8, "Dobropillia": 8,
                    "Kurakhove": 9, "Ocheretyne": 10, "Andriivka": EVENT_PLACE_ZOOM}
    kinds = {lab.name: lab.kind for lab in labels}
    assert kinds["Donetsk"] == "capital" and kinds["Kramatorsk"] == "city" and kinds["Andriivka"] == "village"
    # placement order: wider zoom first; the event's village before a same-zoom village
    names = [lab.name for lab in labels]
    assert names[0] == "Donetsk" and names.index("Andriivka") < names.index("Ocheretyne")
    assert [lab.rank for lab in labels] == sorted(lab.rank for lab in labels)


def test_places_that_would_mislead_are_not_named():
    labels = place_labels([
        _place("h", "Hromadaville", 48.2, 37.0, population=3_000, precision="hromada_centre"),  # not its point
        _place("x", "Shevchenkivskyi", 48.02, 37.81, population=220_000, katottg=None),         # a city district
        _place("n", "Smalltown", 50.0, 28.0, country="BY", admin1="BY-HO", population=20_000),  # a neighbour's town
        _place("b", "Bigtown", 52.4, 31.0, country="BY", admin1="BY-HO", population=500_000),
        _place("i", "Nanville", float("nan"), 37.0, population=9_000),
    ], event_places=[_place("e", "Eventville", 48.3, 37.1, precision="hromada_centre")])
    assert [lab.name for lab in labels] == ["Bigtown"]


def test_a_citys_section_waits_for_close_zoom_and_a_place_is_named_once():
    city = _place("c", "Bigcity", 47.0, 35.0, admin1="UA-23", population=700_000)
    section = _place("s", "Eastbank", 47.02, 35.06, admin1="UA-23", population=120_000)   # 5 km away, 6x smaller
    twin = _place("t", "Bigcity", 47.001, 35.001, admin1="UA-23", population=690_000)     # the same town twice
    labels = place_labels([city, section, twin])
    assert [(lab.name, lab.min_zoom) for lab in labels] == [("Bigcity", 0), ("Eastbank", EVENT_PLACE_ZOOM)]


def test_event_place_ids_are_the_settlement_events_places_once():
    frame = pd.DataFrame({"place_id": ["gn:1", "gn:2", "gn:1", None, "adm1:UA-14"],
                          "precision": ["settlement", "settlement", "settlement", "settlement", "region"]})
    assert event_place_ids(frame) == ["gn:1", "gn:2"]
    assert event_place_ids(pd.DataFrame()) == []


def test_places_in_bbox_and_gazetteer_labels_on_a_small_gazetteer(small_gazetteer):
    inside = small_gazetteer.places_in_bbox(35.0, 50.0, 37.0, 53.5)
    assert [p.name for p in inside] == ["Kursk", "Belgorod", "Orël", "Sudzha"]      # most populous first
    assert [p.name for p in small_gazetteer.places_in_bbox(35.0, 50.0, 37.0, 53.5, min_population=10_000)] == \
        ["Kursk", "Belgorod", "Orël"]
    with pytest.raises(ValueError, match="unknown kind"):
        small_gazetteer.places_in_bbox(0, 0, 1, 1, kind="castle")
    labels = reference.gazetteer_labels(small_gazetteer, place_ids=["gn:486816", "gn:999999"])
    zoom = {lab.name: lab.min_zoom for lab in labels}
    # Kursk and Belgorod lead shipped border regions; Orël's region is not one: a city by population.
    # The small gazetteer has no KATOTTG codes, so its Ukrainian entries are not named.
    assert zoom["Kursk"] == 0 and zoom["Belgorod"] == 0 and zoom["Orël"] == 6
    assert zoom["Sudzha"] == 9 and "Kyiv" not in zoom
    assert {lab.name: lab.local for lab in labels}["Kursk"] == "Курск"


# --- shipped names and water -------------------------------------------------------------

def test_region_and_water_names_are_shipped():
    regions = {lab.name: lab for lab in reference.region_labels()}
    assert len(regions) == 31                      # 33 units less Kyiv and Sevastopol, named by their cities
    assert regions["Donetsk Oblast"].local == "Донецька область"
    assert regions["Belgorod Oblast"].local == "Белгородская область"
    assert regions["Kyiv Oblast"].local == "Київська область" and "Odesa Oblast" in regions
    assert all(lab.kind == "region" and (lab.min_zoom, lab.max_zoom) == reference.REGION_ZOOMS for lab in regions.values())
    water = {lab.name for lab in reference.water_labels()}
    assert {"Dnipro", "Siverskyi Donets", "Sea of Azov", "Kakhovka Reservoir (drained 2023)"} <= water
    shapes = reference.shipped_water()
    assert set(shapes) == {"sea", "lake", "river"}
    path = ROOT / "geo" / "data" / "water_ru_ua.geojson"
    assert path.stat().st_size < 200_000 and "GSHHG" in json.loads(path.read_text(encoding="utf-8"))["licence"]


# --- escaping: names are data ---------------------------------------------------------------

class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def test_every_label_string_reaching_the_page_is_escaped():
    payload = " ".join(PAYLOADS) + " {{ 12345*11 }} {% if 1 %}x{% endif %}"
    labels = [MapLabel(name=payload, local=payload, lon=37.0, lat=48.0, kind="village", min_zoom=10, rank=(10,)),
              MapLabel(name="Town & <b>co</b>", local="", lon=37.1, lat=48.1, kind="town", min_zoom=9, rank=(9,))]
    rows = label_rows(labels)
    assert [r[5] for r in rows] == ["Town &amp; &lt;b&gt;co&lt;/b&gt;", reference_escape(payload)]
    for row in rows:
        for text in row[5:]:
            parser = _Tags()
            parser.feed(text)
            assert not parser.tags
            for ch in "<>`$\\{}":
                assert ch not in text, (ch, text)
    html = build_map(synthetic_events(5, seed=2), labels=labels).get_root().render()
    for raw in ("<img src=x onerror", "</script><script>alert", "${alert(1)}", "`${alert", "C:\\users",
                "{{ 12345*11 }}", "{% if", "<b>co</b>"):
        assert raw not in html, raw
    assert "135795" not in html


def reference_escape(text: str) -> str:
    from geo.maps import escape
    return escape(text)


def test_label_rows_follow_rank_and_drop_what_cannot_be_drawn():
    rows = label_rows([
        MapLabel("B", "", 30.0, 50.0, "town", 8, rank=(8, 2, -5000)),
        MapLabel("A", "А", 30.1, 50.1, "capital", 0, rank=(0, 0, -1)),
        MapLabel("Odd", "", 30.2, 50.2, "castle", 5, rank=(5,)),
        MapLabel("Nowhere", "", float("nan"), 50.0, "town", 8, rank=(8,)),
    ])
    assert [r[5] for r in rows] == ["A", "B"]
    assert rows[0] == [30.1, 50.1, LABEL_KINDS.index("capital"), 0, 18, "A", "А"]
    assert set(LABEL_STYLES) == set(LABEL_KINDS)


# --- the map: layers, panes, switch ----------------------------------------------------------

def _named(m) -> dict:
    return {getattr(c, "layer_name", None): c for c in m._children.values() if getattr(c, "layer_name", None)}


def test_reference_layers_are_on_by_default_and_the_switch_takes_them_off():
    events = synthetic_events(20, seed=4)
    labels = [MapLabel("Pokrovsk", "Покровськ", 37.18, 48.28, "town", 7, rank=(7,))]
    on = build_map(events, labels=labels)
    layers = _named(on)
    names = layers["Names: places, regions, water"]
    assert names.show and names.n_labels == 1 + len(reference.region_labels()) + len(reference.water_labels())
    assert layers["Rivers, lakes and seas"].show and layers["Rivers, lakes and seas"].pane == "blBase"
    html = on.get_root().render()
    assert "new BL.Labels(" in html and "Покровськ" in html and "BL.panes(" in html
    off = build_map(events, labels=labels, reference=False)
    assert "Names: places, regions, water" not in _named(off) and "Rivers, lakes and seas" not in _named(off)
    assert "new BL.Labels(" not in off.get_root().render()


def test_the_labels_are_fetched_like_the_other_layers_with_a_data_sink():
    stored: dict[str, str] = {}

    def sink(text: str) -> str:
        url = f"/app/static/mapdata/{len(stored)}.json"
        stored[url] = text
        return url

    labels = [MapLabel("Pokrovsk", "Покровськ", 37.18, 48.28, "town", 7, rank=(7,))]
    page = build_map(synthetic_events(10, seed=1), labels=labels, data_sink=sink).get_root().render()
    [text] = [t for t in stored.values() if '"labels"' in t]
    assert "Pokrovsk" in text and "Pokrovsk" not in page
    assert "setRows(d.labels)" in page


# --- basemaps ----------------------------------------------------------------------------------

def test_basemap_choices():
    assert basemap(None).id == "none" and basemap(False).id == "none" and basemap(True).id == "osm"
    assert basemap(" Satellite ").id == "satellite"
    with pytest.raises(ValueError, match="none, osm, satellite"):
        basemap("google")
    for b in BASEMAPS.values():
        assert (b.provider is None) == (b.host is None)
        if b.host:
            assert b.host in b.notice and "browser" in b.notice


def test_the_default_map_names_no_server_and_a_chosen_basemap_names_its_own():
    events = synthetic_events(10, seed=3)
    default = build_map(events).get_root().render()
    # nothing in the default page points outside it: no tile server, no CDN
    assert not re.findall(r"https?://(?!www\.w3\.org)", default), re.findall(r"https?://[^\s\"']+", default)[:5]
    osm = build_map(events, tiles="osm").get_root().render()
    assert "tile.openstreetmap.org" in osm and "OpenStreetMap" in osm
    assert "Basemap tiles are fetched by your browser from tile.openstreetmap.org" in osm
    sat = build_map(events, tiles="satellite").get_root().render()
    assert "server.arcgisonline.com" in sat and "World_Imagery" in sat and "Esri" in sat
    m = build_map(events, tiles="satellite")
    water = _named(m)["Rivers, lakes and seas"]
    assert water.show is False                    # imagery shows its own water


def test_reference_layers_switch_reads_the_environment():
    assert reference_layers_enabled({}) and reference_layers_enabled({"BORDERLINE_REFERENCE_LAYERS": "1"})
    for off in ("0", "off", "No", "false"):
        assert not reference_layers_enabled({"BORDERLINE_REFERENCE_LAYERS": off})


def test_map_labels_without_a_gazetteer_are_none(tmp_path, monkeypatch):
    monkeypatch.setenv("BORDERLINE_CACHE", str(tmp_path / "no-gazetteer"))
    assert map_labels(synthetic_events(5, seed=1)) == ()


def test_snapshot_layer_keeps_only_the_day():
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"bl_t": 19000, "name": "<script>x</script>"},
         "geometry": {"type": "Polygon", "coordinates": [[[37, 48], [38, 48], [38, 49], [37, 48]]]}},
        {"type": "Feature", "properties": {"name": "undated"},
         "geometry": {"type": "Point", "coordinates": [37, 48]}},
    ]}
    layer = snapshot_layer(data, name="Dated <b>", style={"color": "#000"})
    feats = json.loads(layer.data_json)["features"]
    assert [f["properties"] for f in feats] == [{"bl_t": 19000}]
    assert layer.kind == "snapshots" and "<b>" not in layer.layer_name and not layer.styled_by
    # an area and its line in one layer, a style each (what the front line needs)
    for f, k in zip(data["features"], ("occupied", "line")):
        f["properties"].update(bl_k=k, bl_t=19000)
    both = snapshot_layer(data, name="Front", style={"occupied": {"fillColor": "#a52714"}, "line": {"color": "#000"}})
    assert both.styled_by and [f["properties"]["bl_k"] for f in json.loads(both.data_json)["features"]] == \
        ["occupied", "line"]


def test_cli_map_tiles_option(tmp_path, capsys):
    import datetime as dt

    from geo.articles import Article
    from geo.cli import main
    from geo.events import Event
    from geo.store import EventStore, store_path

    text = "Drones hit Pokrovsk overnight."
    article = Article(id="b" * 16, source="a.txt", text=text, date=dt.date(2024, 12, 10))
    event = Event(event_id="e1", event_type="drone_strike", place_name="Pokrovsk", precision="settlement",
                  excerpt=text, place_start=11, place_end=19, article="a.txt", article_id=article.id,
                  lat=48.28, lon=37.18, country="UA", border_km=120.0, side="UA", date="2024-12-10",
                  date_precision="day", sources=("a.txt",), place_id="gn:704422")
    data = tmp_path / "data"
    EventStore(store_path(data)).add([(article, [event])])
    out = tmp_path / "map.html"
    assert main(["map", "--out", str(out), "--data", str(data), "--tiles", "osm"]) == 0
    err = capsys.readouterr().err
    assert "tile.openstreetmap.org" in err and "browser" in err
    assert "tile.openstreetmap.org" in out.read_text(encoding="utf-8")
    assert main(["map", "--out", str(out), "--data", str(data)]) == 0
    assert "openstreetmap" not in out.read_text(encoding="utf-8").lower().replace("© openstreetmap contributors", "")
    with pytest.raises(SystemExit):
        main(["map", "--out", str(out), "--data", str(data), "--tiles", "google"])
