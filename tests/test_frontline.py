"""The front line from the analyst's own files (geo.frontline): the three formats, dates,
geometry care, the store, import, and the measures per event. Made-up fixtures only
(tests/_frontline_support.py): a square "occupied" area and its line."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
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

from _frontline_support import (  # noqa: E402
    GREY,
    SQUARE,
    brute_force_km,
    daily_doc,
    deepstate_doc,
    isw_doc,
    square_ring,
    write_json,
)
from geo import borders  # noqa: E402
from geo.errors import InputError  # noqa: E402
from geo.frontline import formats, geometry, measure  # noqa: E402
from geo.frontline.imports import import_paths  # noqa: E402
from geo.frontline.store import FrontlineStore, frontline_path  # noqa: E402

SQUARE_LINE = [tuple(c) for c in square_ring(SQUARE)]


# --- formats and dates -------------------------------------------------------------------

@pytest.mark.parametrize("name,day", [
    ("1720440000.geojson", dt.date(2024, 7, 8)),            # 12:00 UTC
    ("1720472400.geojson", dt.date(2024, 7, 9)),            # 21:00 UTC = 00:00 in Kyiv
    ("1720440000000.json", dt.date(2024, 7, 8)),            # milliseconds
    ("deepstatemap_data_20240708.geojson", dt.date(2024, 7, 8)),
    ("isw_2024-07-08.geojson", dt.date(2024, 7, 8)),
    ("UkraineControlMapAO17AUG2024.geojson", dt.date(2024, 8, 17)),
])
def test_dates_from_file_names(name, day):
    assert formats.date_from_name(name)[0] == day


@pytest.mark.parametrize("name", ["map.geojson", "20241340.geojson", "99999.geojson", "2013-05-01.geojson"])
def test_names_without_a_usable_date(name):
    assert formats.date_from_name(name) is None


def test_a_timestamp_keeps_its_utc_time():
    assert formats.date_from_name("1720472400.geojson") == (dt.date(2024, 7, 9), "2024-07-08T21:00:00Z")


def test_deepstate_statuses_by_fill_3d_and_collections(tmp_path):
    f = write_json(tmp_path / "1720440000.geojson", deepstate_doc())
    r = formats.read_snapshot_file(f)
    assert (r.format, r.date, r.layer) == ("deepstate", dt.date(2024, 7, 8), "control")
    # the square (from a GeometryCollection) and the abroad #880e4f polygon; the grey strip
    assert len(r.occupied) == 2 and len(r.contested) == 1
    assert r.ignored == 2                                    # the point and the #ff5252 layer
    assert all(not shapely.has_z(p) for p in (*r.occupied, *r.contested))


def test_deepstate_api_response_and_style_url_colour(tmp_path):
    doc = deepstate_doc()
    for feature in doc["features"]:
        fill = feature["properties"].pop("fill", None)
        if fill:
            feature["properties"]["styleUrl"] = f"#poly-{fill[1:].upper()}-1200-87-nodesc"
    f = write_json(tmp_path / "1720440000.json", {"id": 1, "map": doc})
    r = formats.read_snapshot_file(f)
    assert r.format == "deepstate" and len(r.occupied) == 2 and len(r.contested) == 1


def test_daily_and_isw_files(tmp_path):
    daily = formats.read_snapshot_file(write_json(tmp_path / "deepstatemap_data_20240708.geojson", daily_doc()))
    assert (daily.format, daily.date, len(daily.occupied), daily.contested) == ("daily", dt.date(2024, 7, 8), 1, ())
    isw = formats.read_snapshot_file(write_json(tmp_path / "UkraineControlMapAO17AUG2024.geojson", isw_doc()))
    assert (isw.format, isw.layer, isw.date) == ("isw", "control", dt.date(2024, 8, 17))
    # ArcGIS's properties tell ISW apart even under a name that does not
    plain = formats.read_snapshot_file(write_json(tmp_path / "2024-08-17" / "export.geojson", isw_doc()))
    assert (plain.format, plain.date) == ("isw", dt.date(2024, 8, 17))     # the day from the folder
    other = formats.read_snapshot_file(write_json(tmp_path / "AssessedRussianAdvance17AUG2024.geojson", isw_doc()))
    assert isinstance(other, formats.Skipped) and "not a front line" in other.reason


def test_a_self_intersecting_polygon_is_made_valid(tmp_path):
    x0, y0, x1, y1 = SQUARE
    bowtie = {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y1], [x1, y0], [x0, y1], [x0, y0]]]}
    doc = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": bowtie, "properties": {}}]}
    r = formats.read_snapshot_file(write_json(tmp_path / "20240708.geojson", doc))
    assert r.occupied and all(p.is_valid for p in r.occupied)
    t = geometry.territory(r.occupied)
    assert t.occupied.is_valid and t.front_km > 100


def test_date_option_overrides_the_name(tmp_path):
    f = write_json(tmp_path / "deepstatemap_data_20240708.geojson", daily_doc())
    assert formats.read_snapshot_file(f, date=dt.date(2023, 1, 2)).date == dt.date(2023, 1, 2)


@pytest.mark.parametrize("content,problem", [
    (b"not json", "not a UTF-8 JSON file"),
    (b'{"type": "Topology"}', "not a GeoJSON FeatureCollection"),
    (b'{"type": "FeatureCollection", "features": []}', "has no features"),
    (json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [37, 48]}, "properties": {}}]}).encode(),
     "no occupied or contested polygons"),
    (json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[1, 2]]]}, "properties": {}}]}).encode(),
     "feature 1: not a valid GeoJSON geometry"),
])
def test_bad_files_are_named_with_their_problem(tmp_path, content, problem):
    f = tmp_path / "20240708.geojson"
    f.write_bytes(content)
    with pytest.raises(InputError) as err:
        formats.read_snapshot_file(f)
    assert str(err.value).startswith("20240708.geojson: ") and problem in str(err.value)


def test_a_file_without_a_date_asks_for_one(tmp_path):
    f = write_json(tmp_path / "occupied.geojson", daily_doc())
    with pytest.raises(InputError, match="--date"):
        formats.read_snapshot_file(f)


# --- geometry care -------------------------------------------------------------------------

def _front_points(front, step: float = 0.01) -> np.ndarray:
    return shapely.get_coordinates(shapely.segmentize(front, step))


def test_square_in_the_middle_is_all_front():
    t = geometry.territory([shapely.box(*SQUARE)])
    assert not t.occupied.is_empty and t.contested.is_empty
    # every side is front: its length is the square's perimeter
    from pyproj import Geod
    perimeter = Geod(ellps="WGS84").geometry_length(shapely.box(*SQUARE).exterior) / 1000
    assert t.front_km == pytest.approx(perimeter, rel=1e-3)
    assert t.occupied_km2 == pytest.approx(abs(Geod(ellps="WGS84").geometry_area_perimeter(
        shapely.box(*SQUARE))[0]) / 1e6, rel=1e-3)


def test_a_sliver_hole_is_dropped_and_a_real_hole_kept():
    outer = shapely.box(*SQUARE)
    sliver = shapely.box(37.10, 48.10, 37.102, 48.102)          # ~0.03 km2
    pocket = shapely.box(37.30, 48.20, 37.34, 48.24)            # ~13 km2 held inside
    t = geometry.territory([outer.difference(sliver).difference(pocket)])
    holes = [shapely.Polygon(r) for p in shapely.get_parts(t.occupied) for r in p.interiors]
    assert len(holes) == 1 and holes[0].contains(shapely.Point(37.32, 48.22))
    line = borders.Line(t.front)
    assert borders.line_distance_km(line, 48.101, 37.101) > 5       # no front around the sliver (7.4 km from the edge)
    assert borders.line_distance_km(line, 48.20, 37.32) < 0.01      # the pocket's edge is front


def test_slivers_between_merged_polygons_close():
    # the 2014 line: two occupied areas drawn apart, a 15 m gap between them
    west = shapely.box(37.0, 48.0, 37.25, 48.4)
    east = shapely.box(37.2502, 48.0, 37.5, 48.4)
    t = geometry.territory([west, east])
    assert len(shapely.get_parts(t.occupied)) == 1
    assert borders.line_distance_km(borders.Line(t.front), 48.2, 37.2501) > 15   # the outer edges, 18 km


def test_geometry_collection_and_3d_coordinates(tmp_path):
    r = formats.read_snapshot_file(write_json(tmp_path / "20240708.geojson", deepstate_doc()))
    t = geometry.territory(r.occupied, r.contested)
    assert not shapely.has_z(t.occupied) and not shapely.has_z(t.front)
    # the abroad polygon (Moldova) is dropped: only the square is occupied
    assert t.occupied.equals_exact(t.occupied, 0) and t.occupied.bounds == pytest.approx(SQUARE, abs=1e-6)
    assert t.contested.bounds == pytest.approx(GREY, abs=1e-6)
    assert t.contested.intersection(t.occupied).area < 1e-9


def test_the_side_along_the_border_is_not_front():
    border = borders.load_border()
    # a box in Kharkiv oblast reaching past the border with Belgorod oblast: clipped there
    box = shapely.box(36.6, 49.9, 37.1, 50.6)
    t = geometry.territory([box])
    assert t.occupied.area < box.area                          # clipped to Ukraine
    pts = _front_points(t.front)
    km_to_border = borders.distance_km(border, pts[:, 1], pts[:, 0])
    assert km_to_border.min() > geometry.FRONT_TOLERANCE_M / 1000 * 0.9
    # the southern side is front, the part along the border is not
    line = borders.Line(t.front)
    assert borders.line_distance_km(line, 49.9, 36.85) < 0.01
    edge = shapely.get_coordinates(shapely.segmentize(shapely.boundary(t.occupied), 0.005))
    middle = edge[np.abs(edge[:, 0] - 36.85) < 0.01]
    top = middle[np.argmax(middle[:, 1])]                      # on the border, midway between the sides
    assert borders.distance_km(border, top[1], top[0]) < 0.1
    assert borders.line_distance_km(line, top[1], top[0]) > 10


# --- store and import ------------------------------------------------------------------------

def _files(tmp_path) -> list[Path]:
    return [write_json(tmp_path / "in" / "1720440000.geojson", deepstate_doc()),
            write_json(tmp_path / "in" / "daily" / "deepstatemap_data_20240709.geojson", daily_doc()),
            write_json(tmp_path / "in" / "isw" / "UkraineControlMapAO10JUL2024.geojson", isw_doc())]


def test_import_stores_each_format_with_its_source_and_again_adds_nothing(tmp_path):
    _files(tmp_path)
    store = FrontlineStore(frontline_path(tmp_path / "data"))
    summary = import_paths([tmp_path / "in"], store)
    assert summary.ok and (summary.files, summary.added, summary.already) == (3, 3, 0)
    snaps = store.snapshots()
    assert {(s.source, s.format, s.date) for s in snaps} == {
        ("DeepStateMap", "deepstate", dt.date(2024, 7, 8)), ("DeepStateMap", "daily", dt.date(2024, 7, 9)),
        ("ISW", "isw", dt.date(2024, 7, 10))}
    assert all(len(s.digest) == 64 and s.front_km > 100 for s in snaps)
    again = import_paths([tmp_path / "in"], store)
    assert (again.added, again.already) == (0, 3)
    assert len(store.snapshots()) == 3


def test_the_store_is_a_geopackage_gis_can_read(tmp_path):
    import pyogrio

    _files(tmp_path)
    path = frontline_path(tmp_path / "data")
    import_paths([tmp_path / "in"], FrontlineStore(path))
    layers = dict(pyogrio.list_layers(path))
    assert layers == {"occupied": "MultiPolygon", "contested": "MultiPolygon", "front_line": "MultiLineString",
                      "snapshots": None, "frontline_meta": None}
    front = pyogrio.read_dataframe(path, layer="front_line")
    assert len(front) == 3 and front.crs.to_epsg() == 4326
    assert set(front["source"]) == {"DeepStateMap", "ISW"}
    snaps = pyogrio.read_dataframe(path, layer="snapshots")
    assert {"date", "source", "format", "digest", "occupied_km2", "contested_km2", "front_km"} <= set(snaps.columns)


def test_bad_files_are_reported_and_the_rest_go_on(tmp_path):
    _files(tmp_path)
    (tmp_path / "in" / "broken.geojson").write_text("{not json")
    write_json(tmp_path / "in" / "undated.geojson", daily_doc())
    write_json(tmp_path / "in" / "isw" / "AssessedRussianAdvance10JUL2024.geojson", isw_doc())
    failures, notes = [], []
    summary = import_paths([tmp_path / "in", tmp_path / "missing"], FrontlineStore(tmp_path / "f.gpkg"),
                           on_failure=failures.append, on_note=notes.append)
    assert summary.added == 3 and not summary.ok
    assert len(failures) == 3 and all("\n" not in m for m in failures)
    assert any(m.startswith("broken.geojson: not a UTF-8 JSON file") for m in failures)
    assert any(m.startswith("undated.geojson: no date") for m in failures)
    assert any("missing: no such file or directory" in m for m in failures)
    assert len(notes) == 1 and notes[0].startswith("AssessedRussianAdvance10JUL2024.geojson: skipped")


def test_isw_areas_held_before_2022_join_the_control_layer_of_their_day(tmp_path):
    crimea_like = (37.6, 48.0, 37.9, 48.4)                   # adjacent east of the square
    write_json(tmp_path / "2024-07-10" / "UkraineControlMapAO10JUL2024.geojson", isw_doc())
    write_json(tmp_path / "2024-07-10" / "Russian_controlled_Ukrainian_Territory_before_February_24_2022.geojson",
               isw_doc(box=crimea_like))
    write_json(tmp_path / "2024-07-11" / "Russian_controlled_Ukrainian_Territory_before_February_24_2022.geojson",
               isw_doc(box=crimea_like))
    store = FrontlineStore(tmp_path / "f.gpkg")
    notes = []
    summary = import_paths([tmp_path], store, on_note=notes.append)
    assert summary.added == 1 and len(notes) == 1 and "2024-07-11" in notes[0]
    (snap,) = store.snapshots()
    assert "+" in snap.file
    occupied = store.territory(snap.id).occupied
    assert occupied.covers(shapely.Point(37.7, 48.2)) and occupied.covers(shapely.Point(37.2, 48.2))


def test_a_snapshot_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    from geo.frontline import store as fstore

    path = tmp_path / "f.gpkg"
    store = FrontlineStore(path)
    import_paths([write_json(tmp_path / "20240708.geojson", daily_doc())], store)
    real = fstore._blob
    calls = {"n": 0}

    def failing(geom):
        calls["n"] += 1
        if calls["n"] == 2:
            raise sqlite3.OperationalError("disk I/O error")
        return real(geom)

    monkeypatch.setattr(fstore, "_blob", failing)
    with pytest.raises(Exception):
        import_paths([write_json(tmp_path / "20240709.geojson", daily_doc())], store)
    con = sqlite3.connect(path)
    counts = [con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
              for t in ("snapshots", "occupied", "contested", "front_line")]
    con.close()
    assert counts == [1, 1, 1, 1]


# --- measures per event ------------------------------------------------------------------------

def _events(rows: list[dict]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows)
    for c, default in (("precision", "settlement"), ("date_precision", "day")):
        if c not in frame:
            frame[c] = default
        frame[c] = frame[c].fillna(default)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")


@pytest.fixture
def series(tmp_path):
    store = FrontlineStore(tmp_path / "f.gpkg")
    for day in ("2024-07-01", "2024-07-08"):
        f = write_json(tmp_path / f"snap-{day}.geojson", deepstate_doc())
        assert import_paths([f], store, date=dt.date.fromisoformat(day)).added == 1
    return measure.load_series(store)


def test_control_and_distance_per_event(series):
    ev = _events([
        {"lat": 48.2, "lon": 37.25, "date": "2024-07-09"},      # in the square
        {"lat": 48.2, "lon": 37.55, "date": "2024-07-09"},      # in the grey strip
        {"lat": 48.2, "lon": 36.80, "date": "2024-07-09"},      # west, held
        {"lat": 50.6, "lon": 36.6, "date": "2024-07-09"},       # Belgorod, Russia
        {"lat": 48.41, "lon": 37.3, "date": "2024-07-01"},      # just north of the square
    ])
    m = measure.front_measures(ev, series)
    assert [None if pd.isna(c) else c for c in m["control"]] == ["occupied", "contested", "held", None, "held"]
    assert list(m["front_date"]) == ["2024-07-08"] * 4 + ["2024-07-01"]
    assert set(m["front_source"]) == {"DeepStateMap"}
    assert m["front_note"].isna().all()
    for i in range(len(ev)):
        ref = brute_force_km([SQUARE_LINE], ev["lat"].iloc[i], ev["lon"].iloc[i])
        assert m["front_km"].iloc[i] == pytest.approx(ref, abs=0.01), i


@pytest.mark.parametrize("row,why", [
    ({"lat": 48.2, "lon": 37.25, "date": None}, "undated"),
    ({"lat": 48.2, "lon": 37.25, "date": "2024-07", "date_precision": "month"}, "dated only to the month"),
    ({"lat": 48.2, "lon": 37.25, "date": "2024", "date_precision": "year"}, "dated only to the year"),
    ({"lat": 48.2, "lon": 37.25, "date": "2024-06-30"}, "before the first front line (2024-07-01)"),
    ({"lat": 48.2, "lon": 37.25, "date": "2024-07-16"}, "no front line within 7 days before it (latest: 2024-07-08)"),
    ({"lat": 48.2, "lon": 37.25, "date": "2024-07-09", "precision": "region"}, "a region's centre, not a place"),
    ({"lat": None, "lon": None, "date": "2024-07-09"}, "no point"),
])
def test_events_without_a_measure_say_why(series, row, why):
    m = measure.front_measures(_events([row, {"lat": 48.2, "lon": 37.25, "date": "2024-07-09"}]), series)
    assert m["front_note"].iloc[0] == why
    assert np.isnan(m["front_km"].iloc[0]) and pd.isna(m["control"].iloc[0])
    assert m["control"].iloc[1] == "occupied"


def test_a_week_after_the_last_snapshot_still_measures(series):
    m = measure.front_measures(_events([{"lat": 48.2, "lon": 37.25, "date": "2024-07-15"}]), series)
    assert m["control"].iloc[0] == "occupied" and m["front_date"].iloc[0] == "2024-07-08"


def test_no_front_line_means_no_measure():
    ev = _events([{"lat": 48.2, "lon": 37.25, "date": "2024-07-09"}])
    m = measure.front_measures(ev, None)
    assert m["front_note"].iloc[0] == "no front line imported" and np.isnan(m["front_km"].iloc[0])


def test_with_front_adds_columns_before_the_geometry(series):
    ev = _events([{"lat": 48.2, "lon": 37.25, "date": "2024-07-09"}])
    out = measure.with_front(ev, series)
    assert list(out.columns[-6:]) == [*measure.FRONT_COLUMNS, "front_note", "geometry"]
    assert "front_note" not in measure.with_front(ev, series, note=False).columns
    assert "front_km" not in ev.columns                               # a copy


def test_front_km_on_a_day_for_namesakes(series):
    lats, lons = [48.2, 48.2], [37.49, 36.0]                          # 0.7 km and ~75 km away
    km = measure.front_km_on(series, dt.date(2024, 7, 9), lats, lons)
    assert km[0] == pytest.approx(brute_force_km([SQUARE_LINE], 48.2, 37.49), abs=0.01)
    assert km[1] > 70
    assert np.isnan(measure.front_km_on(series, dt.date(2024, 1, 1), lats, lons)).all()
    assert np.isnan(measure.front_km_on(None, dt.date(2024, 7, 9), lats, lons)).all()


def test_shapes_for_the_map(series):
    shapes = series.shapes(dt.date(2024, 7, 10))
    assert shapes.snapshot.date == dt.date(2024, 7, 8)
    assert shapes.occupied["type"] in ("Polygon", "MultiPolygon") and shapes.front["type"] == "MultiLineString"
    assert shapes.contested is not None
    json.dumps([shapes.occupied, shapes.contested, shapes.front])       # GeoJSON-ready
    assert series.shapes(dt.date(2024, 6, 1)) is None
    assert series.dates == (dt.date(2024, 7, 1), dt.date(2024, 7, 8))
