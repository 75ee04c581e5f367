"""The ACLED CSV export: territory sub-event types by side, always-valid ACLED dates.

Sentences written for these tests; places from the hand-built gazetteer of test_events.py.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from test_events import extract

from geo.events import events_to_frame, frame_to_acled
from geo.events.export import acled_date, acled_territory_sub_type

REGAINS = "Government regains territory"
OVERTAKES = "Non-state actor overtakes territory"


def _acled(text: str, **kw) -> pd.DataFrame:
    return frame_to_acled(events_to_frame(extract(text, **kw)))


@pytest.mark.parametrize("text, sub", [
    ("Ukrainian troops recaptured Robotyne after weeks of fighting.", REGAINS),
    ("Russian forces captured Robotyne after weeks of fighting.", OVERTAKES),
    ("Russian troops recaptured Klintsy from Ukrainian units.", REGAINS),   # its own state, in Russia
    ("Ukrainian troops seized Klintsy in a raid.", OVERTAKES),
])
def test_territorial_change_gets_its_sub_type_by_side(text, sub):
    table = _acled(text)
    row = table[table["borderline_type"] == "territorial_change"]
    assert len(row) == 1, table[["borderline_type", "actor1", "location"]]
    assert row["event_type"].iloc[0] == "Battles"
    assert row["sub_event_type"].iloc[0] == sub


def test_territory_sub_type_without_a_side_reads_the_trigger():
    assert acled_territory_sub_type(taker=None, country="UA", triggers="retook") == REGAINS
    assert acled_territory_sub_type(taker=None, country="UA", triggers="captured") == OVERTAKES
    assert acled_territory_sub_type(taker="UA", country="UA", triggers="captured") == REGAINS
    assert acled_territory_sub_type(taker="RU", country="UA", triggers="liberated") == OVERTAKES


def test_other_types_keep_their_registry_category():
    table = _acled("Troops captured Robotyne. A missile strike on Dnipro killed three civilians.")
    types = dict(zip(table["borderline_type"], zip(table["event_type"], table["sub_event_type"])))
    assert types["civilian_casualties"] == ("Explosions/Remote violence", "Shelling/artillery/missile attack")
    assert types["territorial_change"][1] in (REGAINS, OVERTAKES)
    assert "Armed clash" not in {s for _, s in types.values()}


@pytest.mark.parametrize("date, expected", [
    ("2024-12-14", ("2024-12-14", 1)),
    ("2024-02", ("2024-02-15", 3)),              # a month: its mid-point (ACLED's rule)
    ("2024", ("2024-07-01", 3)),                 # a year: its mid-point too
    (None, (None, None)),                        # unknown: no made-up day
    (float("nan"), (None, None)),
    ("2024-13", (None, None)),                   # malformed: never passed on
    ("2024-02-30", (None, None)),
    ("last week", (None, None)),
])
def test_acled_dates(date, expected):
    assert acled_date(date) == expected


def test_every_exported_date_is_an_acled_date_with_its_precision():
    text = ("Drones attacked an oil depot in Bryansk overnight.\n\n"
            "Troops captured Robotyne earlier this month.\n\n"
            "Shelling hit Kherson this year, officials said.")
    table = _acled(text, date=dt.date(2024, 12, 14))
    got = dict(zip(table["location"], zip(table["event_date"], table["time_precision"])))
    assert got == {"Bryansk": ("2024-12-14", 1), "Robotyne": ("2024-12-15", 3), "Kherson": ("2024-07-01", 3)}
    for d in table["event_date"]:
        assert dt.date.fromisoformat(d).isoformat() == d
    assert str(table["time_precision"].dtype) == "Int64"


def test_an_undated_event_has_no_acled_date():
    table = _acled("Drones attacked an oil depot in Bryansk overnight.", date=None)
    assert table["event_date"].isna().all() and table["time_precision"].isna().all()


def test_export_reads_a_table_without_actors_or_triggers():
    # the app and the CLI may hand over a stored table missing optional columns
    frame = pd.DataFrame([{"event_id": "e1", "event_type": "territorial_change", "date": "2024-11",
                           "country": "UA", "actors": json.dumps({"attacker": "UA"})}])
    row = frame_to_acled(frame).iloc[0]
    assert (row["event_date"], row["time_precision"], row["sub_event_type"]) == ("2024-11-15", 3, REGAINS)
