"""Where a front line is stored, it is context for namesakes (issue 16): a ground-fighting
report's undecided namesake, which the other reports do not place, goes to the reading within
geo.namesakes.FRONT_KM of that day's line. The front line is the made-up fixture of
tests/_frontline_support.py (a square in Donetsk oblast); points and reports are invented."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from _frontline_support import write_fixture_store

from geo.articles import article_from_text
from geo.frontline.measure import front_km_on, load_series
from geo.namesakes import FRONT_KM, NamesakeContext
from geo.pipeline import FirstPass, Namesake, context_of, decide
from geo.store import EventStore

BEHIND = (48.20, 36.00)     # ~75 km west of the square's line
AT_LINE = (48.20, 37.49)    # under a km from its east edge
DAY = dt.date(2024, 7, 9)   # the day after the snapshot


@pytest.fixture
def series(tmp_path):
    write_fixture_store(tmp_path, days=("2024-07-08",))
    got = load_series(tmp_path)
    km = front_km_on(got, DAY, [BEHIND[0], AT_LINE[0]], [BEHIND[1], AT_LINE[1]])
    assert km[0] > 3 * FRONT_KM and km[1] < FRONT_KM          # the fixture is what the tests say
    return got


def _report(event_type: str, *, date: dt.date | None = DAY):
    article = article_from_text("Clashes near Andriivka.", source="test", date=date)
    fp = FirstPass(events=(SimpleNamespace(event_type=event_type),), anchors=(),
                   namesakes=(Namesake(0, (BEHIND, AT_LINE)),))
    return article, fp


def _decided(series, event_type, **kw):
    article, fp = _report(event_type, **kw)
    return decide([article], [fp], NamesakeContext(front=series))[0]


def test_a_ground_fighting_namesake_goes_to_the_reading_at_that_days_front_line(series):
    (decision,) = _decided(series, "ground_assault")
    assert decision[:2] == (0, 1)                 # mention 0, its second reading: at the line


@pytest.mark.parametrize("event_type, kw", [
    ("missile_strike", {}),                       # shelling reaches far behind the line
    ("ground_assault", {"date": None}),           # no day, no line
    ("ground_assault", {"date": dt.date(2024, 6, 1)}),   # before any snapshot
])
def test_the_line_decides_nothing_else(series, event_type, kw):
    assert _decided(series, event_type, **kw) is None


def test_no_front_line_stored_decides_nothing():
    article, fp = _report("ground_assault")
    assert decide([article], [fp], NamesakeContext())[0] is None


def test_other_reports_anchors_come_before_the_line(series):
    article, fp = _report("ground_assault")
    ctx = NamesakeContext(front=series)
    ctx.add([(48.21, 36.01), (48.19, 35.99), (48.22, 36.02)], DAY.toordinal())   # fighting near BEHIND
    assert decide([article], [fp], ctx)[0] is None                              # the pick (BEHIND) stands


def test_the_store_s_data_directory_supplies_the_line(tmp_path):
    store = EventStore(tmp_path / "events.gpkg")
    assert context_of(store).front is None
    write_fixture_store(tmp_path, days=("2024-07-08",))
    assert context_of(store).front is not None
