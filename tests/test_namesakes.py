"""Namesakes decided by the anchors of other reports (geo/namesakes.py): what counts, how much,
and the store's read side. Places and points are invented for the tests."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from geo.namesakes import CONTEXT_KM, CONTEXT_TAU_DAYS, NamesakeContext

DAY = dt.date(2024, 12, 14).toordinal()
WEST = (48.30, 37.00)          # two namesakes' points, about 90 km apart
NORTH = (49.10, 37.40)
NEAR_NORTH = [(49.14, 37.43), (49.18, 37.43), (49.06, 37.36)]
NEAR_WEST = [(48.34, 37.03)]


def _context(*reports, **kw) -> NamesakeContext:
    """A context of reports, each ``(points, day)``."""
    ctx = NamesakeContext(**kw)
    for points, day in reports:
        ctx.add(points, day)
    return ctx


def test_other_reports_anchors_decide_and_a_reports_own_do_not():
    own = NEAR_NORTH[:1]
    ctx = _context((own, DAY))
    assert ctx.support([WEST, NORTH], DAY, own) == [0.0, 0.0]          # only its own anchors
    assert ctx.decide([([WEST, NORTH], DAY, own)]) == [(0, [0.0, 0.0])]
    ctx = _context((own, DAY), (NEAR_NORTH, DAY), (NEAR_WEST, DAY))
    (pick, weights), = ctx.decide([([WEST, NORTH], DAY, own)])
    assert (pick, weights) == (1, [1.0, 3.0])


def test_a_lead_below_the_threshold_leaves_the_resolvers_pick():
    ctx = _context((NEAR_NORTH[:2], DAY), (NEAR_WEST, DAY))
    assert ctx.decide([([WEST, NORTH], DAY, ())])[0] == (0, [1.0, 2.0])    # a lead of one
    ctx = _context((NEAR_NORTH[:2], DAY), (NEAR_WEST, DAY), lead=1.0)
    assert ctx.decide([([WEST, NORTH], DAY, ())])[0][0] == 1


def test_anchors_weigh_less_the_further_apart_in_time():
    year_before = DAY - 365
    ctx = _context((NEAR_NORTH, year_before))
    (weight,) = ctx.support([NORTH], DAY)
    assert weight == pytest.approx(3 * math.exp(-365 / CONTEXT_TAU_DAYS), rel=1e-6)
    assert ctx.decide([([WEST, NORTH], DAY, ())])[0][0] == 0               # 1.1 anchors: no lead of 2
    assert ctx.support([NORTH], year_before) == [3.0]
    later = _context((NEAR_NORTH, DAY + 30))
    assert later.support([NORTH], DAY)[0] == pytest.approx(3 * math.exp(-30 / CONTEXT_TAU_DAYS), rel=1e-6)
    # undated reports: their anchors weigh 1 for everyone, and an undated report sees all at 1
    assert _context((NEAR_NORTH, -1)).support([NORTH], DAY) == [3.0]
    assert _context((NEAR_NORTH, year_before)).support([NORTH], -1) == [3.0]
    # no decay at all
    assert _context((NEAR_NORTH, year_before), tau_days=None).support([NORTH], DAY) == [3.0]


def test_only_anchors_within_the_radius_count_at_any_latitude_and_across_the_antimeridian():
    def east(lat: float, lon: float, km: float) -> tuple[float, float]:
        return lat, lon + math.degrees(km / (6371.0088 * math.cos(math.radians(lat))))

    for lat, lon in ((48.0, 37.0), (70.0, 20.0), (-33.9, 18.4), (65.0, 179.9)):
        near = east(lat, lon, CONTEXT_KM - 0.5)
        far = east(lat, lon, CONTEXT_KM + 0.5)
        wrap = (near[0], ((near[1] + 180.0) % 360.0) - 180.0)            # 180.3 -> -179.7
        ctx = _context(([wrap, far], DAY))
        assert ctx.support([(lat, lon)], DAY) == [1.0], (lat, lon)


def test_decisions_do_not_depend_on_the_order_anchors_came_in():
    reports = [(NEAR_NORTH[:1], DAY - 3), (NEAR_WEST, DAY + 40), (NEAR_NORTH[1:], DAY + 2), ([(50.0, 36.0)], -1)]
    a = _context(*reports).support([WEST, NORTH], DAY)
    b = _context(*reversed(reports)).support([WEST, NORTH], DAY)
    assert a == b


def test_the_stores_anchors_are_its_decided_reports_one_per_article_and_place(tmp_path):
    from geo.articles import Article
    from geo.events.model import Event
    from geo.store import EventStore

    def event(aid: str, place_id: str, lat: float, lon: float, confidence: float, kind: str = "settlement",
              etype: str = "missile_strike") -> Event:
        return Event(event_id=f"{aid}-{place_id}-{etype}", event_type=etype, place_name=place_id,
                     precision="settlement", excerpt="x", place_start=0, place_end=1, article=aid,
                     article_id=aid, place_id=place_id, place_kind=kind, lat=lat, lon=lon, country="UA",
                     date="2024-12-14", date_precision="day", confidence=confidence, sources=(aid,))

    day = dt.date(2024, 12, 14)
    store = EventStore(tmp_path / "events.gpkg")
    store.add([
        (Article(id="a1", source="a1", text="a1", date=day),
         [event("a1", "v:n1", 49.14, 37.43, 0.9), event("a1", "v:n1", 49.14, 37.43, 0.9, etype="drone_strike"),
          event("a1", "adm1:UA-14", 47.9, 37.8, 0.9, kind="admin1")]),
        # an undecided namesake's report, merged into a1's incident: its incident's confidence rises
        # above 0.5, but the report itself stays undecided
        (Article(id="a2", source="a2", text="a2", date=day), [event("a2", "v:n1", 49.14, 37.43, 0.45)]),
        (Article(id="a3", source="a3", text="a3", date=None), [event("a3", "v:n2", 49.18, 37.43, 0.8)]),
    ])
    got = sorted(store.read_anchors(min_confidence=0.5, kinds=("settlement", "hromada")))
    assert got == [(49.14, 37.43, day.toordinal()), (49.18, 37.43, -1)]
    missing = EventStore(tmp_path / "none.gpkg", create=False)
    assert missing.read_anchors(min_confidence=0.5, kinds=("settlement",)) == []
