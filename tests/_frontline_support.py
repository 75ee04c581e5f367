"""Made-up front-line fixtures in the three formats (tests/ is on sys.path): a square
"occupied" area well inside Ukraine (Donetsk oblast, ~100 km from any border or coast), a
grey strip east of it, and the files that carry them as DeepStateMap history, a daily merged
file and an ISW control layer. Nothing here is real front-line data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["SQUARE", "GREY", "square_ring", "deepstate_doc", "daily_doc", "isw_doc", "write_json",
           "brute_force_km", "write_fixture_store"]

#: (lon0, lat0, lon1, lat1) of the occupied square and of the grey strip east of it.
SQUARE = (37.0, 48.0, 37.5, 48.4)
GREY = (37.5, 48.0, 37.6, 48.4)
#: Transnistria-like: drawn in an "occupied" colour, lying in Moldova.
ABROAD = (29.3, 47.0, 29.6, 47.4)
#: Around Kyiv, in the colour of another country's political layer: not Ukraine's front.
POLITICAL = (30.3, 50.3, 30.7, 50.6)


def square_ring(box: tuple[float, float, float, float], *, z: bool = False) -> list[list[float]]:
    x0, y0, x1, y1 = box
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return [[*c, 0.0] for c in ring] if z else ring


def _feature(geometry: dict, **props) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def deepstate_doc(*, box=SQUARE, grey=GREY) -> dict:
    """A DeepStateMap history snapshot: the square as a 3-D GeometryCollection filled
    #a52714, a grey strip, a point, a Transnistria-like #880e4f polygon abroad and a
    #ff5252 political layer (both not Ukraine's front)."""
    return {"type": "FeatureCollection", "features": [
        _feature({"type": "Point", "coordinates": [37.2, 48.2, 0]}, name="Camp", styleUrl="#icon-1603"),
        _feature({"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "coordinates": [square_ring(box, z=True)]}]},
            name="Окуповано /// Occupied", fill="#a52714", stroke="#a52714"),
        _feature({"type": "Polygon", "coordinates": [square_ring(grey, z=True)]},
                 name="Статус невідомий /// Unknown status", fill="#BCAAA4"),
        _feature({"type": "Polygon", "coordinates": [square_ring(ABROAD)]}, name="Придністров'я", fill="#880e4f"),
        _feature({"type": "Polygon", "coordinates": [square_ring(POLITICAL)]}, name="political", fill="#ff5252"),
    ]}


def daily_doc(*, box=SQUARE) -> dict:
    """A daily merged file: one MultiPolygon, no properties (as ogr2ogr writes it)."""
    return {"type": "FeatureCollection", "name": "deepstatemap_data",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
            "features": [_feature({"type": "MultiPolygon", "coordinates": [[square_ring(box)]]})]}


def isw_doc(*, box=SQUARE) -> dict:
    """An ISW control layer as ArcGIS's GeoJSON export gives it (OBJECTID only)."""
    return {"type": "FeatureCollection",
            "features": [_feature({"type": "Polygon", "coordinates": [square_ring(box)]}, OBJECTID=1)]}


def write_json(path: Path, doc: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def brute_force_km(lines: list[list[tuple[float, float]]], lat: float, lon: float, step_m: float = 5.0) -> float:
    """Geodesic km (pyproj Geod) from a point to polylines straight in lon/lat, densified
    every ``step_m``: the reference the measures are checked against."""
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    best = np.inf
    for line in lines:
        xy = np.asarray(line, dtype=float)
        for (x0, y0), (x1, y1) in zip(xy[:-1], xy[1:]):
            length = geod.inv(x0, y0, x1, y1)[2]
            t = np.linspace(0.0, 1.0, max(2, int(length // step_m) + 2))
            px, py = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
            best = min(best, geod.inv(np.full(len(t), lon), np.full(len(t), lat), px, py)[2].min())
    return best / 1000.0


def write_fixture_store(data_dir: Path, days: tuple[str, ...] = ("2024-07-08",)) -> Path:
    """frontline.gpkg in ``data_dir`` with the DeepStateMap fixture imported for each day."""
    import datetime as dt

    from geo.frontline.imports import import_paths
    from geo.frontline.store import FrontlineStore, frontline_path

    path = frontline_path(data_dir)
    store = FrontlineStore(path)
    for day in days:
        f = write_json(data_dir / "in" / f"snapshot-{day}.geojson", deepstate_doc())
        summary = import_paths([f], store, date=dt.date.fromisoformat(day))
        assert summary.ok and summary.added == 1, summary
    return path
