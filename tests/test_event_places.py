"""Where an event is: qualifiers, "near X", distances, lists, region names, precision.

Sentences written for these tests; the places are the hand-built ones of test_events.py plus
a few units made here. Mentions are built by hand where a test needs a role the small
helper there does not give (a qualifier, an unresolved name).
"""

from __future__ import annotations

import pytest
from test_events import PLACES, FakeGazetteer, _p, article, extract, mentions, one

from geo.events import extract_events, geo_precision
from geo.toponyms import Mention

UNITS = {
    "UA-14": _p("adm1:UA-14", "Donetsk Oblast", "admin1", "UA", "UA-14", 47.92, 37.78, "admin_centre"),
    "UA-63": _p("adm1:UA-63", "Kharkiv Oblast", "admin1", "UA", "UA-63", 49.6, 36.6, "admin_centre"),
    "UA-59": _p("adm1:UA-59", "Sumy Oblast", "admin1", "UA", "UA-59", 50.9, 34.0, "admin_centre"),
}
DONETSK_CITY = _p("gn:709717", "Donetsk", "settlement", "UA", "UA-14", 48.0159, 37.8029)


class UnitGazetteer(FakeGazetteer):
    def admin1(self, code):
        if code in UNITS:
            return UNITS[code]
        return super().admin1(code)


def _mention(text: str, surface: str, place, *, role: str = "name", nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(start, start + len(surface), surface, place, 0.9 if place else 0.0, True, role)


def _extract(text: str, ms: list[Mention]):
    return extract_events(article(text), sorted(ms, key=lambda m: m.start), gazetteer=UnitGazetteer())


# --- qualifiers ---------------------------------------------------------------------------------

def test_a_qualifier_is_never_a_place_of_its_own():
    text = "Russian artillery shelled Pokrovsk, Donetsk, overnight."
    ms = [_mention(text, "Pokrovsk", PLACES["Pokrovsk"]),
          _mention(text, "Donetsk", UNITS["UA-14"], role="qualifier")]
    ev = one(_extract(text, ms))
    assert (ev.place_name, ev.precision) == ("Pokrovsk", "settlement")


def test_a_qualifier_of_an_unresolved_name_places_the_event_in_its_region():
    text = "Russian artillery shelled Unknownivka, Donetsk, overnight."
    ms = [_mention(text, "Unknownivka", None, role="pattern"),
          _mention(text, "Donetsk", UNITS["UA-14"], role="qualifier")]
    ev = one(_extract(text, ms))
    # the region, by its name and at region precision; the excerpt marks the word written
    assert (ev.place_id, ev.place_name, ev.precision) == ("adm1:UA-14", "Donetsk Oblast", "region")
    assert ev.excerpt[ev.place_start:ev.place_end] == "Donetsk"


def test_a_qualifier_read_as_a_city_stands_for_its_region_not_the_city():
    text = "Russian artillery shelled Unknownivka, Donetsk, overnight."
    ms = [_mention(text, "Unknownivka", None, role="pattern"),
          _mention(text, "Donetsk", DONETSK_CITY, role="qualifier")]
    ev = one(_extract(text, ms))
    assert ev.place_id == "adm1:UA-14" and ev.precision == "region"


def test_a_chain_of_qualifiers_names_nothing_but_the_village():
    text = "Drones hit Pokrovsk, Donetsk, Ukraine, at dawn."
    ms = [_mention(text, "Pokrovsk", PLACES["Pokrovsk"]),
          _mention(text, "Donetsk", UNITS["UA-14"], role="qualifier"),
          _mention(text, "Ukraine", PLACES["Ukraine"], role="qualifier")]
    assert [e.place_name for e in _extract(text, ms)] == ["Pokrovsk"]


# --- near, outside, in the area of ---------------------------------------------------------------

@pytest.mark.parametrize("phrase", [
    "near", "outside", "on the outskirts of", "in the area of", "in the vicinity of", "close to",
    "in the direction of", "not far from", "5 km north of", "3 kilometres from", "near the frontline town of",
])
def test_an_event_near_a_place_is_there_at_vicinity_precision(phrase):
    ev = one(extract(f"Russian forces shelled Ukrainian positions {phrase} Kurakhove."))
    assert ev.place_name == "Kurakhove"
    assert ev.precision == "hromada" and geo_precision(ev.precision) == 2


def test_the_x_area_is_the_vicinity_of_x():
    ev = one(extract("Heavy fighting went on in the Pokrovsk area."))
    assert (ev.place_name, ev.precision) == ("Pokrovsk", "hromada")


def test_in_a_place_is_at_the_place():
    ev = one(extract("Russian forces shelled Ukrainian positions in Kurakhove."))
    assert (ev.place_name, ev.precision) == ("Kurakhove", "settlement")


def test_near_x_is_the_scene_even_beside_another_name():
    # the other name is not where it happened; "near X" is
    text = "Troops from the Sumy garrison repelled an assault near Pokrovsk."
    ms = [_mention(text, "Pokrovsk", PLACES["Pokrovsk"])]
    ev = one(_extract(text, ms))
    assert ev.place_name == "Pokrovsk" and ev.precision == "hromada"


def test_a_place_near_another_is_the_scene():
    ev = one(extract("Russian troops captured Robotyne near Zaporizhzhia."))
    assert ev.place_name == "Robotyne"
    ev = one(extract("Russian troops captured Robotyne, some 8 km from Zaporizhzhia."))
    assert ev.place_name == "Robotyne"


def test_every_name_of_a_list_after_near_is_near():
    events = extract("Russian artillery shelled villages near Sumy, Kherson and Kharkiv.")
    assert sorted((e.place_name, e.precision) for e in events) == [
        ("Kharkiv", "hromada"), ("Kherson", "hromada"), ("Sumy", "hromada")]


def test_far_from_a_place_is_not_at_it():
    # 40 km from a city says the region, not the city
    text = "A drone struck a car 40 km from Kharkiv."
    ev = one(_extract(text, mentions(text)))
    assert (ev.place_id, ev.place_name, ev.precision) == ("adm1:UA-63", "Kharkiv Oblast", "region")
    text = "A drone struck a car 25 miles from Kharkiv."
    ev = one(_extract(text, mentions(text)))
    assert ev.precision == "region"
    text = "A drone struck a car 12 km from Kharkiv."
    ev = one(_extract(text, mentions(text)))
    assert (ev.place_name, ev.precision) == ("Kharkiv", "hromada")


def test_in_x_and_near_x_is_at_x():
    text = "Shelling hit Kherson at dawn. Later that morning more shells fell near Kherson."
    ev = one(extract(text))
    assert ev.precision == "settlement"


# --- armed groups named after a place ------------------------------------------------------------

def test_a_peoples_militia_is_an_actor_not_a_place():
    text = "Ukrainian forces shelled positions of the Donetsk People's Militia near Pokrovsk."
    ms = [_mention(text, "Donetsk", DONETSK_CITY), _mention(text, "Pokrovsk", PLACES["Pokrovsk"])]
    ev = one(_extract(text, ms))
    assert ev.place_name == "Pokrovsk"


def test_a_peoples_republic_is_its_region():
    text = "Shelling hit the Donetsk People's Republic overnight."
    ev = one(_extract(text, [_mention(text, "Donetsk", DONETSK_CITY)]))
    assert (ev.place_id, ev.precision, ev.place_name) == ("adm1:UA-14", "region", "Donetsk Oblast")


# --- what a region event is called; honest fallbacks ---------------------------------------------

def test_a_town_read_as_its_region_is_named_as_the_region():
    text = "A drone hit a school in Sumy region, officials said."
    ms = [_mention(text, "Sumy", PLACES["Sumy"])]
    ev = one(_extract(text, ms))
    assert (ev.place_name, ev.precision) == ("Sumy Oblast", "region")
    assert ev.excerpt[ev.place_start:ev.place_end] == "Sumy"


def test_a_place_named_nowhere_gets_a_country_point_at_country_precision():
    ev = one(extract("Russia launched 70 drones overnight, the air force said."))
    assert (ev.precision, ev.place_kind, ev.place_id) == ("country", "country", "country:UA")
    assert ev.place_start == ev.place_end                    # inferred: nothing in the excerpt is marked
    assert ev.admin1 is None and geo_precision(ev.precision) == 3


def test_no_gazetteer_no_fallback_point():
    text = "Russia launched 70 drones overnight, the air force said."
    assert extract_events(article(text), []) == []


# --- specificity ----------------------------------------------------------------------------------

def test_a_village_at_its_hromada_centre_ranks_with_a_regional_capital():
    events = extract("Drones hit Robotyne and Zaporizhzhia before dawn.")
    assert sorted((e.place_name, e.precision) for e in events) == [
        ("Robotyne", "hromada"), ("Zaporizhzhia", "settlement")]


def test_a_hromada_named_beside_a_town_is_an_event_too():
    hromada = _p("katottg:UA14160110000000001", "Kurakhivska hromada", "hromada", "UA", "UA-14", 47.98, 37.28,
                 "admin_centre")
    text = "Shelling hit the Kurakhivska hromada and Pokrovsk."
    ms = [_mention(text, "Kurakhivska hromada", hromada), _mention(text, "Pokrovsk", PLACES["Pokrovsk"])]
    assert sorted((e.place_name, e.precision) for e in _extract(text, ms)) == [
        ("Kurakhivska hromada", "hromada"), ("Pokrovsk", "settlement")]


def test_a_village_beats_its_region_named_in_the_same_sentence():
    text = "Shelling hit Robotyne in the Kyiv region."          # (geography aside: the rank decides)
    assert [e.place_name for e in extract(text)] == ["Robotyne"]


def test_a_village_near_which_way_from_a_town_is_the_scene():
    # ISW's "northeast of Kupiansk near Synkivka": the town only says which way; "A, near X" stays A
    assert [e.place_name for e in extract("Russian forces attacked west of Pokrovsk near Kurakhove.")] == ["Kurakhove"]
    assert [e.place_name for e in extract("Shelling hit Robotyne, near Pokrovsk.")] == ["Robotyne"]


def test_a_fronts_sector_is_no_scene_beside_the_villages_fought_over():
    # "the Pokrovsk direction" is a sector of the front named after the town; the villages the
    # sentence names are where the fighting was
    assert [e.place_name for e in extract("On the Pokrovsk direction, shelling hit Kurakhove and Robotyne.")] \
        == ["Kurakhove", "Robotyne"]
    ev = one(extract("Heavy shelling continued on the Pokrovsk direction."))
    assert (ev.place_name, ev.precision) == ("Pokrovsk", "hromada")


def test_a_continent_is_never_an_events_place():
    # "the EU" resolves to Europe, whose point lies in Germany: an event there would be a pin
    # 1,500 km from the war, at a precision no continent has
    europe = _p("continent:EU", "Europe", "other", "", None, 48.69, 9.14, "admin_centre")
    text = "Missiles hit an airfield in Crimea, the EU said, and drones hit Europe too."
    crimea = _p("adm1:UA-43", "Crimea", "admin1", "UA", "UA-43", 44.95, 34.1, "admin_centre")
    ms = [_mention(text, "Crimea", crimea), _mention(text, "EU", europe), _mention(text, "Europe", europe)]
    events = _extract(text, ms)
    assert events and {e.place_name for e in events} == {"Crimea"}


@pytest.mark.parametrize("origin", [
    "from their positions in", "from the direction of", "from an airfield near", "from positions outside",
])
def test_where_fire_came_from_is_not_where_it_landed(origin):
    text = f"Artillery fired at Robotyne {origin} Zaporizhzhia."
    assert [e.place_name for e in extract(text)] == ["Robotyne"]


def test_driven_away_from_a_place_the_fighting_was_there():
    for text in ("Russian troops attacked and were repelled from positions near Robotyne.",
                 "Russian units were pushed back from Robotyne after an assault."):
        assert [e.place_name for e in extract(text)] == ["Robotyne"], text


def test_a_towns_community_is_somewhere_in_its_hromada():
    ev = one(extract("Russian artillery shelled the Sumy community overnight."))
    assert (ev.place_name, ev.precision) == ("Sumy", "hromada")
    text = "Russian artillery shelled the Sumy territorial community overnight."
    ev = one(_extract(text, [_mention(text, "Sumy territorial community", PLACES["Sumy"])]))
    assert (ev.place_name, ev.precision) == ("Sumy territorial community", "hromada")


def test_a_name_after_near_or_in_is_no_subject():
    # "near X using mortars": X is where, the verb belongs to the troops
    for text in ("Separatist units fired at trenches near Robotyne using mortars and machine guns.",
                 "Separatist units fired at trenches in Robotyne using mortars and machine guns."):
        assert [e.place_name for e in extract(text)] == ["Robotyne"], text
