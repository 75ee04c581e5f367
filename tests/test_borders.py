"""geo.borders: the shipped border, distances against references, sides, bands, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from geo import borders
from geo.errors import BorderDataError, InputError

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA = Path(__file__).resolve().parents[1] / "geo" / "data"

# ../shared/gold/seeds.json border_reference, written out so CI without ../shared checks it too
REFERENCE = [
    ("Kursk", 51.73, 36.19, 91.6),
    ("Belgorod", 50.60, 36.59, 32.0),
    ("Novoshakhtinsk", 47.76, 39.93, 15.8),
    ("Oryol", 52.97, 36.06, 160.7),
]


@pytest.fixture(scope="module")
def border() -> borders.Border:
    return borders.load_border()


@pytest.fixture(scope="module")
def exact(border) -> borders.Border:
    """The same line without its index: every point takes the exact geodesic path."""
    return borders.Border(line=border.line, ru=border.ru, ua=border.ua, source=border.source,
                          licence=border.licence, crimea=border.crimea, length_km=border.length_km)


def _brute_force_km(line_xy: np.ndarray, lat: float, lon: float, step_m: float = 5.0) -> float:
    """Geodesic distance (pyproj Geod) to the line densified every ~step_m (segments straight
    in lon/lat, as GeoJSON draws them).  Only segments with an end within the nearest
    vertex's distance plus their length can hold the nearest point; the rest are skipped."""
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    x, y = line_xy[:, 0], line_xy[:, 1]
    seg = geod.inv(x[:-1], y[:-1], x[1:], y[1:])[2]
    dv = geod.inv(np.full(len(x), lon), np.full(len(x), lat), x, y)[2]
    pts = [line_xy]
    for i in np.flatnonzero(np.minimum(dv[:-1], dv[1:]) <= dv.min() + seg * 1.01):
        f = np.linspace(0, 1, int(seg[i] // step_m) + 2)[1:-1, None]
        pts.append(line_xy[i] + f * (line_xy[i + 1] - line_xy[i]))
    p = np.vstack(pts)
    return float(geod.inv(np.full(len(p), lon), np.full(len(p), lat), p[:, 0], p[:, 1])[2].min() / 1000)


# --- reference distances and the line --------------------------------------------------

@pytest.mark.parametrize(("name", "lat", "lon", "km"), REFERENCE, ids=[r[0] for r in REFERENCE])
def test_reference_points(border, name, lat, lon, km):
    assert abs(float(borders.distance_km(border, lat, lon)) - km) < 1.0, name


def test_reference_points_from_shared(border):
    seeds = SHARED / "gold" / "seeds.json"
    if not seeds.is_file():
        pytest.skip("../shared is absent")
    points = json.loads(seeds.read_text(encoding="utf-8"))["border_reference"]["points"]
    assert points
    got = borders.distance_km(border, [p["lat"] for p in points], [p["lon"] for p in points])
    for p, km in zip(points, got):
        assert abs(km - p["border_km"]) < 1.0, p["name"]


def test_line_length_and_ends(border):
    from pyproj import Geod

    length = Geod(ellps="WGS84").geometry_length(border.line) / 1000
    assert abs(length - 1974) < 0.02 * 1974
    assert border.length_km == pytest.approx(length, abs=0.1)
    assert border.line.geom_type == "LineString" and border.line.is_simple
    (x0, y0), (x1, y1) = border.line.coords[0], border.line.coords[-1]
    ends = sorted([(round(x0, 1), round(y0, 1)), (round(x1, 1), round(y1, 1))])
    assert abs(ends[0][0] - 31.8) < 0.3 and abs(ends[0][1] - 52.1) < 0.3      # Belarus tripoint
    assert abs(ends[1][0] - 38.2) < 0.3 and abs(ends[1][1] - 47.1) < 0.3      # Sea of Azov


def test_line_leaves_out_crimea(border):
    import shapely

    crimea_and_perekop = shapely.box(32.4, 44.3, 36.7, 46.3)
    assert not border.line.intersects(crimea_and_perekop)
    assert "Crimea counted as Ukraine" in border.crimea
    assert "OpenStreetMap" in border.licence and "ODbL" in border.licence


# --- the fast path against exact and brute-force references ---------------------------

def _sample_points(border, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Half uniform around the border, half within a few km of it."""
    rng = np.random.default_rng(seed)
    xy = np.asarray(border.line.coords)
    k = rng.integers(0, len(xy), n // 2)
    lat = np.r_[rng.uniform(44.0, 56.0, n - n // 2), xy[k, 1] + rng.normal(0, 0.04, n // 2)]
    lon = np.r_[rng.uniform(28.0, 44.0, n - n // 2), xy[k, 0] + rng.normal(0, 0.06, n // 2)]
    return lat, lon


def test_indexed_path_agrees_with_exact_path(border, exact):
    lat, lon = _sample_points(border, 120, seed=1)
    fast = borders.distance_km(border, lat, lon)
    slow = borders.distance_km(exact, lat, lon)
    assert np.all(fast >= slow - 1e-6)           # the exact path finds the minimum
    assert np.max(fast - slow) < 0.05            # 50 m; typically 0


def test_exact_search_cells_and_line_ends_agree_with_exact_path(border, exact):
    """Points in the cells that take the exact search (each lists the runs of segments that
    can hold a nearest point), and around both ends of the line (runs past the ends)."""
    engine = border._engine
    g = engine.grid
    rng = np.random.default_rng(5)
    cells = rng.choice(np.flatnonzero(engine.cell_kind == borders._EXACT), 120)
    cx, cy = cells % (engine.nx - 1), cells // (engine.nx - 1)
    xy = np.asarray(border.line.coords)
    ends = np.r_[xy[:3], xy[-3:]]
    lon = np.r_[g.lon0 + g.dlon * (cx + rng.uniform(0, 1, len(cells))), ends[:, 0] + rng.normal(0, 0.1, 6)]
    lat = np.r_[g.lat0 + g.dlat * (cy + rng.uniform(0, 1, len(cells))), ends[:, 1] + rng.normal(0, 0.1, 6)]
    fast = borders.distance_km(border, lat, lon)
    slow = borders.distance_km(exact, lat, lon)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-6)    # 1 mm


def test_window_search_matches_candidate_matrix(border):
    """The segment-at-a-time search gives what the (points x candidates) matrix gives, bit
    for bit, also for runs reaching past either end of the line and of varying widths."""
    engine = border._engine
    rng = np.random.default_rng(4)
    n = 3000
    lat, lon = _sample_points(border, n, seed=4)
    p = engine.points(lon, lat)
    lo = rng.integers(-2, engine.nseg - 1, n)
    lo[:50], lo[50:100] = -2, engine.nseg - 2                     # both ends
    width = rng.integers(3, 12, n)                                # every run holds a segment of the line
    for w in (5, width):
        j, t, d2 = engine._window(p, lo, w)
        steps = np.arange(int(np.max(w)))
        cand = np.clip(lo[:, None] + np.minimum(steps, np.asarray(w).reshape(-1, 1) - 1), 0, engine.nseg - 1)
        bj, bt, bd2 = engine._best(p, cand)
        np.testing.assert_array_equal(j, bj)
        np.testing.assert_array_equal(t, bt)
        np.testing.assert_array_equal(d2.astype(np.float64), bd2)


def test_exact_path_against_brute_force(border, exact):
    xy = np.asarray(border.line.coords)
    for lat, lon in [(51.73, 36.19), (47.76, 39.93), (50.3, 36.37), (52.2, 33.0)]:
        got = float(borders.distance_km(exact, lat, lon))
        assert got == pytest.approx(_brute_force_km(xy, lat, lon), abs=0.005)


def test_far_points_against_brute_force(border):
    """Points off the index's grid (Washington, Pyongyang, Cape Town, both poles, both sides
    of the antimeridian) take the exact path with its great-circle prefilter."""
    xy = np.asarray(border.line.coords)
    far = [(38.9, -77.04), (39.03, 125.75), (-33.92, 18.42), (0.0, 179.99), (60.0, -179.99),
           (89.9, 0.0), (-89.9, 0.0), (44.8, 20.46), (41.0, 29.0)]
    got = borders.distance_km(border, [p[0] for p in far], [p[1] for p in far])
    want = [_brute_force_km(xy, lat, lon) for lat, lon in far]
    np.testing.assert_allclose(got, want, atol=0.005)


def test_synthetic_border_without_index():
    import shapely

    line = shapely.LineString([(30.0, 50.0), (30.0, 51.0), (31.0, 51.0)])
    square = shapely.box(28, 48, 33, 53)
    b = borders.Border(line=line, ru=square, ua=shapely.box(0, 0, 1, 1), source="test", licence="test",
                       crimea="test", length_km=0.0)
    xy = np.asarray(line.coords)
    lats = np.array([50.5, 51.5, 50.0, 49.0])
    lons = np.array([30.7, 30.5, 29.0, 30.0])
    got = borders.distance_km(b, lats, lons)
    want = [_brute_force_km(xy, la, lo, step_m=2.0) for la, lo in zip(lats, lons)]
    np.testing.assert_allclose(got, want, atol=0.002)
    assert list(borders.side(b, lats, lons)) == ["RU"] * 4


def test_vectorised_equals_per_point(border):
    lat, lon = _sample_points(border, 40, seed=2)
    lat = np.r_[lat, 55.75, 59.9, 44.6, 35.0]    # Moscow and beyond the index grid, Sevastopol, Crete
    lon = np.r_[lon, 37.62, 30.3, 33.5, 25.0]
    km = borders.distance_km(border, lat, lon)
    nlat, nlon = borders.nearest_points(border, lat, lon)
    sides = borders.side(border, lat, lon)
    for i in range(len(lat)):
        m = borders.measure(border, float(lat[i]), float(lon[i]))
        assert m.border_km == km[i]
        assert (m.nearest_lat, m.nearest_lon) == (nlat[i], nlon[i])
        assert m.side == sides[i]


def test_nearest_points_lie_on_the_line(border):
    import shapely
    from pyproj import Geod

    lat, lon = _sample_points(border, 30, seed=3)
    nlat, nlon = borders.nearest_points(border, lat, lon)
    assert shapely.distance(shapely.points(nlon, nlat), border.line).max() < 1e-7
    km = Geod(ellps="WGS84").inv(lon, lat, nlon, nlat)[2] / 1000
    np.testing.assert_allclose(km, borders.distance_km(border, lat, lon), rtol=0, atol=1e-9)


def test_shapes_nan_and_range(border):
    km = borders.distance_km(border, [[51.73, np.nan]], [[36.19, 36.0]])
    assert km.shape == (1, 2) and np.isnan(km[0, 1]) and abs(km[0, 0] - 91.6) < 1
    assert np.ndim(borders.distance_km(border, 50.6, 36.59)) == 0
    with pytest.raises(InputError, match="out of range"):
        borders.distance_km(border, [91.0], [30.0])
    with pytest.raises(InputError):
        borders.measure(border, float("nan"), 30.0)


# --- sides -----------------------------------------------------------------------------

def test_sides(border):
    places = {"Kyiv": (50.45, 30.52), "Kursk": (51.73, 36.19), "Sevastopol": (44.6, 33.52),
              "Simferopol": (44.95, 34.10), "Kerch": (45.36, 36.47), "Kharkiv": (49.99, 36.23),
              "Belgorod": (50.60, 36.59), "Minsk": (53.90, 27.57)}
    lat = [p[0] for p in places.values()]
    lon = [p[1] for p in places.values()]
    got = dict(zip(places, borders.side(border, lat, lon)))
    assert got == {"Kyiv": "UA", "Kursk": "RU", "Sevastopol": "UA", "Simferopol": "UA", "Kerch": "UA",
                   "Kharkiv": "UA", "Belgorod": "RU", "Minsk": None}
    assert borders.side(border, 53.90, 27.57, country="BY") == "BY"
    per_point = borders.side(border, [53.90, 50.45, 41.0], [27.57, 30.52, 20.0], country=["BY", "PL", ""])
    assert list(per_point) == ["BY", "UA", None]


def test_sides_agree_with_the_line(border):
    """Just off the line, one side is Russia and the other Ukraine (bar the rare gaps)."""
    import shapely

    line = border.line
    s = np.linspace(0.01, 0.99, 200) * line.length
    pts = shapely.line_interpolate_point(line, s)
    ahead = shapely.line_interpolate_point(line, s + 1e-4)
    p, q = shapely.get_coordinates(pts), shapely.get_coordinates(ahead)
    normal = np.c_[-(q[:, 1] - p[:, 1]), q[:, 0] - p[:, 0]]
    normal /= np.linalg.norm(normal, axis=1)[:, None]
    off = 0.01                                                    # ~1 km
    left = borders.side(border, p[:, 1] + off * normal[:, 1], p[:, 0] + off * normal[:, 0])
    right = borders.side(border, p[:, 1] - off * normal[:, 1], p[:, 0] - off * normal[:, 0])
    pairs = {(a, b) for a, b in zip(left, right)}
    opposite = sum({a, b} == {"RU", "UA"} for a, b in zip(left, right))
    assert opposite >= 0.9 * len(s), pairs


# --- bands -----------------------------------------------------------------------------

def test_bands(border):
    import shapely

    got = borders.bands(border)
    assert [label for label, _ in got] == ["0-25 km", "25-50 km", "50-100 km"]
    assert borders.bands(border) == got                          # cached, same objects
    by_label = dict(got)
    kursk, belgorod = shapely.Point(36.19, 51.73), shapely.Point(36.59, 50.60)
    assert by_label["50-100 km"].contains(kursk) and by_label["25-50 km"].contains(belgorod)
    assert not by_label["0-25 km"].intersects(by_label["50-100 km"])
    # the outer edge of each band is its distance from the line (the bands are geodesic)
    for (label, poly), km in zip(got, (25, 50, 100)):
        edge = shapely.get_coordinates(shapely.get_exterior_ring(max(shapely.get_parts(poly), key=lambda g: g.area)))
        edge = edge[:: max(1, len(edge) // 60)]
        d = borders.distance_km(border, edge[:, 1], edge[:, 0])
        assert np.all(np.abs(d - km) < 0.5), (label, d.min(), d.max())
    with pytest.raises(InputError):
        borders.bands(border, km=(50, 25))


# --- the data files and their errors ---------------------------------------------------

def test_data_files_small_and_attributed():
    assert (DATA / "border_ru_ua.geojson").stat().st_size < 500_000
    assert (DATA / "countries_ru_ua.geojson").stat().st_size < 3_000_000
    assert (DATA / "countries_region.geojson").stat().st_size < 1_000_000
    region = json.loads((DATA / "countries_region.geojson").read_text(encoding="utf-8"))
    codes = {f["properties"]["iso_a2"]: f["properties"]["name"] for f in region["features"]}
    assert {"UA", "RU", "BY", "PL", "MD", "RO", "SK", "HU", "LT", "LV", "EE", "FI", "GE", "TR", "KZ"} <= codes.keys()
    assert codes["UA"] == "Ukraine"
    assert "OpenStreetMap" in region["licence"]


def test_region_outlines_put_crimea_in_ukraine():
    import shapely

    region = json.loads((DATA / "countries_region.geojson").read_text(encoding="utf-8"))
    shapes = {f["properties"]["iso_a2"]: shapely.from_geojson(json.dumps(f["geometry"])) for f in region["features"]}
    simferopol = shapely.Point(34.10, 44.95)
    assert shapes["UA"].contains(simferopol) and not shapes["RU"].contains(simferopol)


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """geo/data copied to tmp_path, with geo.borders reading from there (uncached)."""
    import shutil

    for name in ("border_ru_ua.geojson", "countries_ru_ua.geojson", "border_index.npz"):
        shutil.copy(DATA / name, tmp_path / name)
    monkeypatch.setattr(borders, "_resource", lambda name: tmp_path / name)
    return tmp_path


def test_load_errors_name_the_file(data_copy):
    load = borders.load_border.__wrapped__
    assert load().length_km > 1900                               # the copy loads
    (data_copy / "border_index.npz").unlink()
    with pytest.raises(BorderDataError, match="border_index.npz is missing"):
        load()
    (data_copy / "border_ru_ua.geojson").write_text("{not json", encoding="utf-8")
    with pytest.raises(BorderDataError, match="border_ru_ua.geojson cannot be read"):
        load()


def test_stale_index_is_refused(data_copy):
    path = data_copy / "border_ru_ua.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    fc["features"][0]["geometry"]["coordinates"][5][0] += 0.001
    path.write_text(json.dumps(fc), encoding="utf-8")
    with pytest.raises(BorderDataError, match="another border line"):
        borders.load_border.__wrapped__()


# --- the command line ------------------------------------------------------------------

def test_cli_distance(capsys):
    from geo.cli import main

    assert main(["distance", "51.73", "36.19", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert abs(out["border_km"] - 91.6) < 1 and out["side"] == "RU"
    assert "Crimea counted as Ukraine" in out["crimea"] and "OpenStreetMap" in out["licence"]
    assert main(["distance", "50.45", "30.52"]) == 0
    text = capsys.readouterr().out
    assert "km from the Russia-Ukraine land border" in text and "Ukraine (UA)" in text and "Crimea" in text


@pytest.mark.parametrize("args", [["95", "30"], ["50", "-181"], ["nan", "30"]])
def test_cli_distance_out_of_range(capsys, args):
    from geo.cli import main

    assert main(["distance", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "out of range" in err
