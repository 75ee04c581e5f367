"""Scoring of bench/events_accuracy.py on small invented notes (no pipeline, no shared data)."""

from __future__ import annotations

import pytest
from _bench_support import bench_module


@pytest.fixture(scope="module")
def ea():
    return bench_module("events_accuracy")


def _gold(ea, sub="Shelling/artillery/missile attack", kind="Explosions/Remote violence", *, gid="n1",
          lat=48.0, lon=37.0, precision=1, date="2024-03-01"):
    return ea.Gold(id=gid, lat=lat, lon=lon, acled_type=kind, acled_sub_type=sub, date=date,
                   geo_precision=precision)


def test_gold_from_record_reads_point_type_and_precision(ea):
    rec = {"id": 7, "text": "invented", "date": "2022-05-01",
           "gold_places": [{"lat": 50.1, "lon": 36.2, "geo_precision": "2", "admin1": "Kharkiv"}],
           "gold_event_type": "Battles|Armed clash"}
    g = ea.gold_from_record(rec)
    assert (g.id, g.lat, g.lon, g.acled_type, g.acled_sub_type, g.geo_precision, g.date) == \
        ("7", 50.1, 36.2, "Battles", "Armed clash", 2, "2022-05-01")
    rec["gold_places"][0]["geo_precision"] = None
    assert ea.gold_from_record(rec).geo_precision is None
    # another corpus: no event type (not type-scored), or no point (not scored at all)
    untyped = ea.gold_from_record({**rec, "gold_event_type": None})
    assert untyped.acled_sub_type == "" and not ea.score_note(untyped, [ea.Found("missile_strike", lat=50.1, lon=36.2)]).type_scored
    assert ea.gold_from_record({**rec, "gold_places": []}) is None


def test_near_event_of_the_mapped_type_scores_everywhere(ea):
    g = _gold(ea)
    # ~11 km north of the true point
    s = ea.score_note(g, [ea.Found("missile_strike", lat=48.1, lon=37.0, precision="settlement",
                                   date="2024-03-01")])
    assert s.has_event and s.failure is None and s.primary and s.primary_or_tag
    assert 10 < s.km < 12 and s.date_ok and s.precision_ok


def test_far_event_is_a_location_failure_by_its_precision(ea):
    g = _gold(ea)
    far_village = ea.score_note(g, [ea.Found("missile_strike", lat=49.0, lon=37.0, precision="settlement")])
    assert far_village.failure == "far, wrong place" and far_village.km > 100
    # a far event's precision is not scored
    assert far_village.precision_ok is None
    fallback = ea.score_note(g, [ea.Found("missile_strike", lat=49.0, lon=31.0, precision="country")])
    assert fallback.failure == "far, fallback"


def test_no_event_and_unlocated_event(ea):
    g = _gold(ea)
    assert ea.score_note(g, []).failure == "no event"
    s = ea.score_note(g, [ea.Found("missile_strike")])
    assert s.failure == "no located event" and s.km is None


def test_tag_agreement_and_means_decided_types(ea):
    g = _gold(ea, sub="Armed clash", kind="Battles")
    tagged = ea.score_note(g, [ea.Found("missile_strike", tags=("ground_assault",), lat=48.0, lon=37.0)])
    assert not tagged.primary and tagged.primary_or_tag and tagged.failure is None
    wrong = ea.score_note(g, [ea.Found("air_defense", lat=48.0, lon=37.0)])
    assert not wrong.primary_or_tag and wrong.failure == "wrong type" and wrong.got == "air_defense"
    # civilian casualties from shelling: exported as a shelling, so primary agrees; without
    # the means tag it does not
    shell = _gold(ea)
    assert ea.score_note(shell, [ea.Found("civilian_casualties", tags=("missile_strike",),
                                          lat=48.0, lon=37.0)]).primary
    assert not ea.score_note(shell, [ea.Found("civilian_casualties", lat=48.0, lon=37.0)]).primary
    drone = _gold(ea, sub="Air/drone strike")
    assert not ea.score_note(drone, [ea.Found("civilian_casualties", tags=("missile_strike",),
                                              lat=48.0, lon=37.0)]).primary


def test_type_is_read_at_the_nearest_point_only(ea):
    g = _gold(ea, sub="Armed clash", kind="Battles")
    evs = [ea.Found("ground_assault", lat=49.0, lon=37.0), ea.Found("missile_strike", lat=48.0, lon=37.0)]
    s = ea.score_note(g, evs)
    assert not s.primary and s.got == "missile_strike" and s.km < 1


def test_unmapped_sub_type_is_not_type_scored(ea):
    g = _gold(ea, sub="Looting/property destruction", kind="Strategic developments")
    s = ea.score_note(g, [ea.Found("ground_assault", lat=48.0, lon=37.0)])
    assert not s.type_scored and s.failure is None


def test_summary_shares_and_protest_false_positives(ea):
    notes = [
        ea.score_note(_gold(ea, gid="a"), [ea.Found("missile_strike", lat=48.0, lon=37.0, date="2024-03-01")]),
        ea.score_note(_gold(ea, gid="b"), [ea.Found("missile_strike", lat=48.0, lon=37.5, date="2024-02-01")]),
        ea.score_note(_gold(ea, gid="c"), []),
        ea.score_note(_gold(ea, gid="d", sub="Armed clash", kind="Battles"),
                      [ea.Found("air_defense", lat=48.0, lon=37.0)]),
        ea.score_note(_gold(ea, gid="p1", sub="Peaceful protest", kind="Protests"), [ea.Found("political")]),
        ea.score_note(_gold(ea, gid="p2", sub="Peaceful protest", kind="Protests"),
                      [ea.Found("ground_assault", lat=48.0, lon=37.0)]),
    ]
    s = ea.summarise(notes)
    assert s["war_notes"] == 4 and s["protest_notes"] == 2
    assert s["yield"] == pytest.approx(3 / 4)
    # b is ~37 km away: out at 25, in at 50
    assert s["within_25"] == pytest.approx(2 / 4) and s["within_50"] == pytest.approx(3 / 4)
    assert s["typed"] == 3 and s["primary"] == pytest.approx(2 / 3)
    assert s["protest_fp"] == pytest.approx(1 / 2)
    assert s["date"] == pytest.approx(1 / 3)            # a, b and d scored (d's event has no date); a agrees
    assert s["failures"] == {"no event": 1, "far, wrong place": 1, "wrong type": 1}
    assert s["samples"]["no event"] == ["c"]
    assert s["by_sub"]["Shelling/artillery/missile attack"]["n"] == 3


def test_every_mapped_type_is_registered(ea):
    from geo.event_types import TYPE_IDS

    for sub, types in ea.ACLED_TO_TYPES.items():
        assert types is None or types <= set(TYPE_IDS), sub
    assert ea.MEANS_DECIDED <= set(TYPE_IDS)
