"""Geodesic distance to a line given at run time (geo.borders.Line): the border's engine with
candidates from an STRtree, checked against the exact path and a brute-force reference."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _frontline_support import brute_force_km  # noqa: E402
from geo import borders  # noqa: E402
from geo.errors import InputError  # noqa: E402


@pytest.fixture(scope="module")
def border():
    return borders.load_border()


def test_same_answers_as_the_exact_path_near_and_far(border):
    rng = np.random.default_rng(7)
    xy = shapely.get_coordinates(border.line)
    k = rng.integers(0, len(xy), 150)
    lat = np.r_[xy[k, 1] + rng.uniform(-0.03, 0.03, 150), rng.uniform(40, 60, 150)]
    lon = np.r_[xy[k, 0] + rng.uniform(-0.03, 0.03, 150), rng.uniform(20, 60, 150)]
    exact = borders.Border(border.line, border.ru, border.ua, "", "", "", 0.0, None)
    want = borders.distance_km(exact, lat, lon)
    got = borders.line_distance_km(borders.Line(border.line), lat, lon)
    assert np.abs(got - want).max() < 1e-3          # under a metre, near (a few km) and far (to ~2,000 km)


def test_parts_are_not_joined(border):
    west = [(36.0, 48.0), (36.2, 48.0)]
    east = [(37.0, 48.0), (37.2, 48.0)]
    line = borders.Line(shapely.MultiLineString([west, east]))
    # midway between the parts, where a segment joining them would pass
    km = borders.line_distance_km(line, 48.0, 36.6)
    assert km == pytest.approx(brute_force_km([west, east], 48.0, 36.6), abs=0.005)
    assert km > 25
    lat = np.array([48.05, 47.9, 48.3, 48.0])
    lon = np.array([36.1, 37.15, 36.6, 35.5])
    got = borders.line_distance_km(line, lat, lon)
    for i in range(len(lat)):
        assert got[i] == pytest.approx(brute_force_km([west, east], lat[i], lon[i]), abs=0.005)


def test_nearest_points_lie_on_the_line():
    ring = [(37.0, 48.0), (37.5, 48.0), (37.5, 48.4), (37.0, 48.4), (37.0, 48.0)]
    line = borders.Line(shapely.MultiLineString([ring]))
    km, nlat, nlon = borders.line_nearest(line, [48.2, 48.5], [37.25, 37.25])
    assert nlon[1] == pytest.approx(37.25, abs=1e-6) and nlat[1] == pytest.approx(48.4, abs=1e-6)
    assert km[1] == pytest.approx(brute_force_km([ring], 48.5, 37.25), abs=0.005)
    assert km[0] == pytest.approx(brute_force_km([ring], 48.2, 37.25), abs=0.005)


def test_missing_points_and_bad_input():
    line = borders.Line(shapely.LineString([(36.0, 48.0), (36.2, 48.0)]))
    out = borders.line_distance_km(line, [np.nan, 48.0], [36.1, 36.1])
    assert np.isnan(out[0]) and out[1] == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(InputError):
        borders.line_distance_km(line, [95.0], [36.0])
    with pytest.raises(InputError):
        borders.line_distance_km(borders.Line(shapely.MultiLineString()), [48.0], [36.0])
