"""Geometry care: from a file's polygons to the occupied and contested areas and the front line.

Measured on seven DeepStateMap history snapshots of 2022-2025 (the archive named in
:mod:`geo.frontline.formats`; never shipped):

* Features of other countries' "occupied" layers (Transnistria drawn ``#880e4f`` in early
  2022) lie outside Ukraine: a polygon with less than :data:`MIN_SHARE_IN_UKRAINE` of its
  area in Ukraine (the shipped ``countries_ru_ua.geojson``, Crimea counted as Ukraine) is
  dropped, and what remains is clipped to Ukraine.
* Merging the 2022 occupation with the areas held since 2014 leaves slivers along the 2014
  line (33-53 holes under 1 km2 per snapshot, most under 0.01 km2) that would draw a
  "front" inside occupied land: gaps narrower than twice :data:`SLIVER_CLOSE_M` are closed
  (buffer out and back in) and holes under :data:`MIN_HOLE_KM2` are dropped, both in a
  Lambert azimuthal equal-area projection centred on Ukraine (:data:`METRIC_CRS`; exact
  areas, distances within about 1 %).
* The front line is the occupied area's boundary less the state border and the coast: the
  parts within :data:`FRONT_TOLERANCE_M` of Ukraine's outline (its land borders, Russia's
  included, and its coast, from the shipped country polygons, plus the shipped
  Russia-Ukraine border line). DeepStateMap traces the coast and the border by hand: of
  the occupied boundary within 5 km of the shipped outline, 91-99.7 % (median 98.6 %)
  lies within 300 m of it and 93.5-99.8 % within 500 m, while the real front runs along
  the border at 1-5 km in Sumy and Kharkiv oblasts (2024-2025) and in 2022 in Chernihiv
  and Sumy oblasts. 500 m keeps those and drops the traced coast; an open piece that leaves the band for
  less than :data:`MIN_FRONT_PIECE_M` (a spit or a lagoon traced off the shipped coast) is
  not front either. Closed rings (an occupied island in the Dnipro) are always kept.

Everything here is shapely 2, vectorised; the reference geometry is built once per process.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

__all__ = [
    "METRIC_CRS",
    "SLIVER_CLOSE_M",
    "MIN_HOLE_KM2",
    "MIN_SLIVER_KM2",
    "MIN_SHARE_IN_UKRAINE",
    "FRONT_TOLERANCE_M",
    "MIN_FRONT_PIECE_M",
    "Territory",
    "territory",
    "Reference",
    "reference_for",
    "shipped_reference",
]

#: Lambert azimuthal equal-area centred on Ukraine: areas exact, distances within ~1 % there.
METRIC_CRS = "+proj=laea +lat_0=48.5 +lon_0=33 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
#: Gaps between merged polygons narrower than twice this are closed (the 2014 line's slivers).
SLIVER_CLOSE_M = 100.0
#: Holes in the occupied area smaller than this are slivers, not held ground.
MIN_HOLE_KM2 = 1.0
#: Contested parts smaller than this, left where grey and occupied areas overlap, are dropped.
MIN_SLIVER_KM2 = 0.01
#: A polygon with less of its area than this in Ukraine is another country's layer.
MIN_SHARE_IN_UKRAINE = 0.5
#: Boundary within this of Ukraine's outline (border or coast) is not front (see above).
FRONT_TOLERANCE_M = 500.0
#: Open front pieces shorter than this, with both ends at the border or coast, are tracing noise.
MIN_FRONT_PIECE_M = 1000.0
_QUAD_SEGS = 4
#: Vertices this close to the line through their neighbours are dropped after the buffers.
_SIMPLIFY_M = 1.0


@dataclass(frozen=True, eq=False)
class Reference:
    """Ukraine (Crimea included) and its outline, in the metric CRS, and the transforms."""

    ukraine_m: Any              # Polygon/MultiPolygon, metres
    near_outline_m: Any         # the outline (coast and land borders) buffered by the tolerance
    tolerance_m: float


@dataclass(frozen=True, slots=True)
class Territory:
    """One snapshot after geometry care, in lon/lat (EPSG:4326)."""

    occupied: Any               # MultiPolygon (possibly empty)
    contested: Any              # MultiPolygon (possibly empty), never overlapping ``occupied``
    front: Any                  # MultiLineString (possibly empty)
    occupied_km2: float
    contested_km2: float
    front_km: float             # geodesic length


@functools.cache
def _transformers():
    from pyproj import Transformer

    return (Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True),
            Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True))


def _to_metres(geom: Any) -> Any:
    import numpy as np
    import shapely

    fwd = _transformers()[0]
    return shapely.transform(geom, lambda c: np.column_stack(fwd.transform(c[:, 0], c[:, 1])))


def _to_degrees(geom: Any) -> Any:
    import numpy as np
    import shapely

    inv = _transformers()[1]
    return shapely.transform(geom, lambda c: np.column_stack(inv.transform(c[:, 0], c[:, 1])))


def reference_for(ukraine: Any, border_line: Any | None = None, *,
                  tolerance_m: float = FRONT_TOLERANCE_M) -> Reference:
    """A :class:`Reference` from Ukraine's polygon (lon/lat) and, optionally, a border line
    that also counts as border (tests pass small ones; the app the shipped ones)."""
    import shapely

    ukraine_m = shapely.make_valid(_to_metres(ukraine))
    near = shapely.buffer(shapely.boundary(ukraine_m), tolerance_m, quad_segs=_QUAD_SEGS)
    if border_line is not None:
        # buffered apart and then merged: noding two lines that nearly coincide is slow
        near = shapely.union(near, shapely.buffer(_to_metres(border_line), tolerance_m, quad_segs=_QUAD_SEGS))
    return Reference(ukraine_m=ukraine_m, near_outline_m=near, tolerance_m=tolerance_m)


@functools.cache
def shipped_reference() -> Reference:
    """The reference from the shipped border data (``geo.borders``), built once (~1 s)."""
    from geo import borders

    border = borders.load_border()
    return reference_for(border.ua, border.line)


# --- the steps ----------------------------------------------------------------------------

def _in_ukraine(polygons: list[Any], ref: Reference) -> list[Any]:
    """The polygons (metres) with at least MIN_SHARE_IN_UKRAINE of their area in Ukraine."""
    import numpy as np
    import shapely

    if not polygons:
        return []
    geoms = np.array(polygons, dtype=object)
    area = shapely.area(geoms)
    inside = shapely.area(shapely.intersection(geoms, ref.ukraine_m))
    keep = inside >= MIN_SHARE_IN_UKRAINE * np.maximum(area, 1e-9)
    return list(geoms[keep])


def _valid_degrees(area_m: Any) -> Any:
    """An area back in lon/lat, valid: two vertices nanometres apart in metres (a pinch the
    closing left) can land on one point and make the ring touch itself."""
    import shapely

    area = _to_degrees(area_m)
    return area if area.is_valid else _polygonal(shapely.make_valid(area))


def _projected(polygons: list[Any] | tuple[Any, ...]) -> list[Any]:
    """The polygons in metres, made valid again: reprojection can make two edges that
    nearly touch cross, and GEOS's overlays refuse invalid input."""
    import shapely

    out = []
    for p in polygons:
        m = _to_metres(p)
        out += [q for q in shapely.get_parts(_polygonal(shapely.make_valid(m) if not m.is_valid else m))]
    return out


def _without_small_holes(geom: Any, min_m2: float) -> Any:
    import shapely

    polys = []
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        holes = [ring for ring in poly.interiors if shapely.area(shapely.Polygon(ring)) >= min_m2]
        polys.append(shapely.Polygon(poly.exterior, holes))
    return shapely.MultiPolygon(polys) if polys else shapely.MultiPolygon()


def _polygonal(geom: Any) -> Any:
    """Only the polygons of an overlay's result (lines and points where edges touch dropped)."""
    import shapely

    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    for p in shapely.get_parts(geom):
        if p.geom_type in ("MultiPolygon", "GeometryCollection"):
            parts += [q for q in shapely.get_parts(p) if q.geom_type == "Polygon" and not q.is_empty]
    return shapely.MultiPolygon(parts) if parts else shapely.MultiPolygon()


def _occupied_area(polygons: list[Any], ref: Reference) -> Any:
    """Merged, clipped to Ukraine, slivers closed, small holes dropped (metres)."""
    import shapely

    kept = _in_ukraine(polygons, ref)
    if not kept:
        return shapely.MultiPolygon()
    merged = shapely.intersection(shapely.union_all(kept), ref.ukraine_m)
    # mitred joins: a convex corner comes back where it was, not cut by the arcs
    closed = shapely.buffer(shapely.buffer(merged, SLIVER_CLOSE_M, join_style="mitre"),
                            -SLIVER_CLOSE_M, join_style="mitre")
    # the buffers leave clusters of vertices centimetres apart at convex corners
    closed = shapely.simplify(closed, _SIMPLIFY_M, preserve_topology=True)
    # closing may push a corner past the outline: clip again
    area = _without_small_holes(_polygonal(shapely.intersection(closed, ref.ukraine_m)), MIN_HOLE_KM2 * 1e6)
    # the buffers can leave a ring touching itself (two areas meeting at a point)
    return area if area.is_valid else _polygonal(shapely.make_valid(area))


def _contested_area(polygons: list[Any], occupied_m: Any, ref: Reference) -> Any:
    """Grey areas in Ukraine less the occupied area, slivers dropped (metres)."""
    import shapely

    kept = _in_ukraine(polygons, ref)
    if not kept:
        return shapely.MultiPolygon()
    grey = shapely.intersection(shapely.union_all(kept), ref.ukraine_m)
    rest = _polygonal(shapely.difference(grey, occupied_m))
    parts = [p for p in shapely.get_parts(rest) if p.area >= MIN_SLIVER_KM2 * 1e6]
    return shapely.MultiPolygon(parts) if parts else shapely.MultiPolygon()


def _front_line(occupied_m: Any, ref: Reference) -> Any:
    """The occupied area's boundary away from the outline, tracing noise dropped (metres)."""
    import shapely

    if occupied_m.is_empty:
        return shapely.MultiLineString()
    away = shapely.line_merge(shapely.difference(shapely.boundary(occupied_m), ref.near_outline_m))
    pieces = [p for p in shapely.get_parts(away) if p.geom_type == "LineString" and not p.is_empty
              and (p.is_closed or p.length >= MIN_FRONT_PIECE_M)]
    return shapely.MultiLineString(pieces) if pieces else shapely.MultiLineString()


def territory(occupied: list[Any] | tuple[Any, ...], contested: list[Any] | tuple[Any, ...] = (), *,
              reference: Reference | None = None) -> Territory:
    """The occupied and contested areas and the front line from a snapshot's polygons
    (lon/lat, 2-D, valid: :class:`geo.frontline.formats.Reading`'s), by the steps above."""
    from pyproj import Geod

    ref = reference or shipped_reference()
    occupied_m = _occupied_area(_projected(occupied), ref)
    contested_m = _contested_area(_projected(contested), occupied_m, ref)
    front_m = _front_line(occupied_m, ref)
    front = _to_degrees(front_m)
    return Territory(occupied=_valid_degrees(occupied_m), contested=_valid_degrees(contested_m), front=front,
                     occupied_km2=occupied_m.area / 1e6, contested_km2=contested_m.area / 1e6,
                     front_km=Geod(ellps="WGS84").geometry_length(front) / 1000.0 if not front.is_empty else 0.0)
