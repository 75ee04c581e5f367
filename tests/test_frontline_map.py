"""The front line on the map: which days are drawn (geo.frontline.drawing), how each day reaches
the page once (geo.maps.front_line_layer), the map of a set of events (geo.view.front_overlay)
and ``borderline map`` with a front line stored. Made-up squares only
(tests/_frontline_support.py); the browser side is tests/browser/test_frontline_browser.py."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _frontline_support import SQUARE, square_ring, write_fixture_store  # noqa: E402
from geo.events import EVENT_COLUMNS  # noqa: E402
from geo.frontline import drawing, measure  # noqa: E402
from geo.frontline.store import Snapshot, StoredTerritory  # noqa: E402
from geo.maps import DayShapes, build_map, front_line_layer, time_range  # noqa: E402
from geo.view import front_days, front_overlay  # noqa: E402

DAY0 = dt.date(1970, 1, 1)


def _day(d: dt.date) -> int:
    return (d - DAY0).days


def _square(box) -> StoredTerritory:
    occupied = shapely.MultiPolygon([shapely.Polygon(square_ring(box))])
    return StoredTerritory(occupied=occupied, contested=shapely.MultiPolygon(),
                           front=shapely.MultiLineString([shapely.LineString(square_ring(box))]))


def _series(days: list[tuple[str, str]], *, max_age_days: int = 7) -> measure.FrontSeries:
    """A series of snapshots ``(YYYY-MM-DD, digest)``, the square moved east by 0.1 degree per
    distinct digest."""
    snaps, geo = [], {}
    shift = {}
    for k, (day, digest) in enumerate(days, start=1):
        shift.setdefault(digest, len(shift))
        snaps.append(Snapshot(k, dt.date.fromisoformat(day), None, "Test", "daily", f"f{k}.geojson", digest,
                              "2024-01-01T00:00:00Z", 1.0, 0.0, 1.0, 0))
        x0, y0, x1, y1 = SQUARE
        s = 0.1 * shift[digest]
        geo[k] = _square((x0 + s, y0, x1 + s, y1))
    return measure.FrontSeries("Test", tuple(snaps), geo.__getitem__, max_age_days)


def _events(dates: list[str | None], *, lat: float = 48.2, lon: float = 36.5) -> gpd.GeoDataFrame:
    rows = []
    for i, date in enumerate(dates):
        row = {c: None for c in EVENT_COLUMNS}
        row.update(event_id=f"ev-{i}", event_type="drone_strike", place_name="Testville", precision="settlement",
                   date=date, date_precision="day" if date else "unknown", lat=lat, lon=lon + 0.01 * i,
                   excerpt="Testville", place_start=0, place_end=9, border_km=80.0, side="UA")
        rows.append(row)
    frame = pd.DataFrame(rows)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")


# --- which days are drawn -----------------------------------------------------------------------

def test_one_entry_per_day_shown_until_the_next_or_for_the_maximum_age():
    series = _series([("2024-07-01", "a"), ("2024-07-01", "b"), ("2024-07-03", "c"), ("2024-07-20", "d")])
    entries = drawing.FrontDrawing(series).entries()
    got = [(e.day.isoformat(), e.until.isoformat(), e.snapshot.digest) for e in entries]
    assert got == [
        ("2024-07-01", "2024-07-02", "b"),     # the day's last snapshot, until the day before the next
        ("2024-07-03", "2024-07-10", "c"),     # a gap of 17 days: shown for 7 days, then nothing
        ("2024-07-20", "2024-07-27", "d"),
    ]
    # the same rule as the measures: an event of each day gets the snapshot drawn for that day
    for e in entries:
        for k in range((e.until - e.day).days + 1):
            assert series.snapshot_on(e.day + dt.timedelta(days=k)) == e.snapshot
    assert series.snapshot_on(dt.date(2024, 7, 11)) is None


def test_a_file_repeated_on_the_next_day_is_sent_once():
    series = _series([("2024-07-01", "a"), ("2024-07-02", "a"), ("2024-07-03", "a"), ("2024-07-04", "b"),
                      ("2024-07-20", "b")])
    got = [(e.day.isoformat(), e.until.isoformat(), e.snapshot.id) for e in drawing.FrontDrawing(series).entries()]
    # the same file after a gap is drawn again: the gap in between shows no line
    assert got == [("2024-07-01", "2024-07-03", 1), ("2024-07-04", "2024-07-11", 4), ("2024-07-20", "2024-07-27", 5)]


def test_only_the_days_the_time_control_can_show_are_sent():
    series = _series([(f"2024-07-{d:02d}", str(d)) for d in range(1, 31)])
    front = drawing.FrontDrawing(series)
    days = front.days(dt.date(2024, 7, 10), dt.date(2024, 7, 12))
    assert [e.day.day for e in days] == [10, 11, 12]
    assert [e.day.day for e in front.days(dt.date(2024, 6, 1), dt.date(2024, 7, 1))] == [1]
    assert [e.day for e in front.days()] == [dt.date(2024, 7, 30)]           # no dated events: the latest
    assert front.days(dt.date(2024, 9, 1), dt.date(2024, 9, 30)) == []       # events after the series: none
    events = _events(["2024-07-10", None, "2024-07-12"])
    assert time_range(events) == (_day(dt.date(2024, 7, 10)), _day(dt.date(2024, 7, 12)))
    assert [e.day.day for e in front_days(front, events)] == [10, 11, 12]
    assert [e.day.day for e in front_days(front, _events([None]))] == [30]


def test_a_days_drawing_is_simplified_rounded_and_close_to_the_stored_line():
    rng = np.random.default_rng(1)
    # a wiggly line with a vertex every ~10 m, and an area under it
    x = np.linspace(37.0, 37.5, 3_000)
    y = 48.2 + np.cumsum(rng.normal(0, 0.00004, len(x)))
    line = shapely.LineString(np.c_[x, y])
    area = shapely.Polygon(np.r_[np.c_[x, y], [[37.5, 48.0], [37.0, 48.0]]])
    geo = StoredTerritory(shapely.MultiPolygon([area]), shapely.MultiPolygon(), shapely.MultiLineString([line]))
    text = drawing.day_geojson(geo)
    data = json.loads(text)
    assert [f["properties"] for f in data["features"]] == [{"bl_k": "occupied"}, {"bl_k": "line"}]  # no empty part
    drawn = shapely.geometry.shape(data["features"][1]["geometry"])
    assert shapely.get_num_coordinates(drawn) < shapely.get_num_coordinates(line) / 3
    # within the tolerance and the rounding of the stored line (degrees -> metres, generously at 48N)
    metres = shapely.hausdorff_distance(drawn, line) * 111_320
    assert metres <= drawing.DRAW_SIMPLIFY_M + 8
    assert not re.search(r"\d\.\d{5,}", text)                               # 4 decimals at most
    assert json.loads(drawing.day_geojson(StoredTerritory(shapely.MultiPolygon(), shapely.MultiPolygon(),
                                                          shapely.MultiLineString())))["features"] == []


def test_a_days_drawing_is_stored_once_even_across_restarts(tmp_path):
    from geo.assets import DataFiles

    series = _series([("2024-07-01", "a"), ("2024-07-02", "b")])
    files = DataFiles(tmp_path / "front", "/front")
    drawn: list[int] = []

    class Counting(drawing.FrontDrawing):
        def geojson(self, entry):
            drawn.append(entry.snapshot.id)
            return super().geojson(entry)

    front = Counting(series, sink=files.put_keyed)
    urls = [front.url(e) for e in front.entries()]
    assert len(set(urls)) == 2 and all(u.startswith("/front/") for u in urls) and drawn == [1, 2]
    assert [front.url(e) for e in front.entries()] == urls and drawn == [1, 2]
    for url in urls:
        data = json.loads(files.path_of(url).read_text(encoding="utf-8"))
        assert [f["properties"]["bl_k"] for f in data["features"]] == ["occupied", "line"]
    # another process (or the app after an import that changed nothing of these days): same files, no drawing
    again = Counting(series, sink=files.put_keyed)
    assert [again.url(e) for e in again.entries()] == urls and drawn == [1, 2]
    # drawn otherwise (another tolerance): other files
    coarse = Counting(series, sink=files.put_keyed, simplify_m=100.0)
    assert not set(coarse.url(e) for e in coarse.entries()) & set(urls) and drawn == [1, 2, 1, 2]
    assert drawing.FrontDrawing(series).url(front.entries()[0]) is None


# --- the layer --------------------------------------------------------------------------------

def _text(k: int) -> str:
    x = 37.0 + k / 10
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"bl_k": "line"},
         "geometry": {"type": "LineString", "coordinates": [[x, 48.0], [x, 48.4]]}}]})


def _days_in(script: str) -> list:
    found = re.search(r"BL\.days\([^,]+, [^,]+, (\[.*?\]),\s*\n", script, re.S)
    assert found, "no BL.days call"
    return json.loads(found.group(1))


def test_embedded_days_are_each_in_the_page_once_and_parsed_when_shown():
    days = [DayShapes(_day(dt.date(2024, 7, d)), _day(dt.date(2024, 7, d)), geojson=_text(d)) for d in (3, 1, 2)]
    m = build_map(_events(["2024-07-01", "2024-07-03"]),
                  overlays=[lambda m, sink: front_line_layer(days, source="Test", max_age_days=7,
                                                             data_sink=sink).add_to(m)])
    page = m.get_root().render()
    rows = _days_in(page)
    assert [r[0] for r in rows] == [_day(dt.date(2024, 7, d)) for d in (1, 2, 3)]   # sorted by day
    assert [r[2] for r in rows] == [0, 1, 2]                                          # indices into the texts
    for d in (1, 2, 3):
        assert page.count(f"[{37.0 + d / 10}, 48.0]") == 1                            # each day's shapes once
    assert '"blFront"' in page and "BL.defer(" in page


def test_with_a_sink_each_day_is_a_file_and_a_stored_url_is_reused():
    stored: dict[str, str] = {}

    def sink(text: str) -> str:
        url = f"/d/{len(stored)}.json"
        stored[url] = text
        return url

    days = [DayShapes(100, 101, geojson=_text(1)), DayShapes(102, 110, url="/already/there.json")]
    m = build_map(_events(["1970-04-11"]),
                  overlays=[lambda m, s: front_line_layer(days, source="Test", max_age_days=7, data_sink=s).add_to(m)],
                  data_sink=sink)
    page = m.get_root().render()
    rows = _days_in(page)
    front_urls = [r[2] for r in rows]
    assert front_urls[1] == "/already/there.json" and front_urls[0] in stored
    assert json.loads(stored[front_urls[0]])["features"][0]["properties"] == {"bl_k": "line"}
    assert "[37.1, 48.0]" not in page                                                 # fetched, not embedded


def test_the_legend_and_layer_list_name_the_source_escaped():
    days = [DayShapes(100, 107, geojson=_text(1))]
    evil = "<img src=x onerror=alert(1)>"
    m = build_map(_events(["1970-04-11"]),
                  overlays=[lambda m, s: front_line_layer(days, source=evil, max_age_days=7, data_sink=s).add_to(m)])
    page = m.get_root().render()
    assert "<img src=x" not in page
    assert "Front line (&lt;img src=x onerror=alert(1)&gt;)" in json.loads(
        re.search(r'div\.innerHTML = (".*?");\n', page).group(1))                  # the legend entry
    assert "at most 7 days old" in page and "contested (grey zone)" in page
    # in the legend and the layer list (both JSON strings in the page: & written \\u0026)
    assert page.replace("\\u0026", "&").count("Front line (&lt;img src=x onerror=alert(1)&gt;)") >= 2


def test_shapes_that_could_end_the_script_are_escaped():
    text = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"bl_k": "</script><script>alert(1)</script>"},
         "geometry": {"type": "LineString", "coordinates": [[37.0, 48.0], [37.1, 48.1]]}}]})
    m = build_map(_events(["1970-04-11"]), overlays=[
        lambda m, s: front_line_layer([DayShapes(100, 107, geojson=text)], source="T", max_age_days=7).add_to(m)])
    page = m.get_root().render()
    assert "</script><script>alert(1)" not in page and "alert(1)" in page


# --- the map of a set of events, and borderline map --------------------------------------------

def test_front_overlay_draws_the_days_of_the_events_span(tmp_path):
    series = measure.load_series(write_fixture_store(tmp_path, days=("2024-07-01", "2024-07-05", "2024-07-30")))
    front = drawing.FrontDrawing(series)
    events = _events(["2024-07-02", "2024-07-06"])
    page = build_map(events, overlays=[front_overlay(front, events)]).get_root().render()
    rows = _days_in(page)
    # the fixture writes the same file each day: 07-01 and 07-05 are one entry, shown until 7 days
    # after 07-05; not 07-30, which no window over these events reaches
    assert [(r[0], r[1]) for r in rows] == [(_day(dt.date(2024, 7, 1)), _day(dt.date(2024, 7, 12)))]
    assert front_overlay(None, events) is None


def test_borderline_map_draws_the_stored_front_line(tmp_path, capfd):
    from geo.cli import main
    from geo.store import EventStore
    from test_store import make_article, make_event

    data = tmp_path / "data"
    store = EventStore(data / "events.gpkg")
    a = make_article(1)
    store.add([(a, [make_event(a, 0, lat=48.2, lon=36.8, date="2024-07-09")])])
    out = tmp_path / "map.html"
    assert main(["map", "--out", str(out), "--data", str(data)]) == 0
    assert "BL.days(" not in out.read_text(encoding="utf-8")
    write_fixture_store(data, days=("2024-07-08",))
    assert main(["map", "--out", str(out), "--data", str(data)]) == 0
    err = capfd.readouterr().err
    assert "front line (DeepStateMap): 1 day(s) drawn (snapshots of 2024-07-08 to 2024-07-08)" in err
    page = out.read_text(encoding="utf-8")
    rows = _days_in(page)
    assert [r[0] for r in rows] == [_day(dt.date(2024, 7, 8))]
    assert "Front line (DeepStateMap)" in page
    # the day is a script beside the page (a page opened from disk cannot fetch), its data a string
    script = (tmp_path / rows[0][2]).read_text(encoding="utf-8")
    assert rows[0][2].startswith("map_files/front/") and script.startswith('BL.dayData("')
    name, text = re.fullmatch(r'BL\.dayData\("(\w+)", (".*")\);\n', script, re.S).groups()
    assert rows[0][2] == f"map_files/front/{name}.js"
    assert [f["properties"]["bl_k"] for f in json.loads(json.loads(text))["features"]] == \
        ["occupied", "contested", "line"]
