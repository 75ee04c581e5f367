"""A unit named beside a place ("X, Donetsk", "near X, Kharkiv", "X (Sumy region)") qualifies it:
it is read as the unit, never its capital city, and it decides which of the homonyms is meant.

The gazetteer here is built for the tests (villages of one name in several oblasts, the biggest
one not the one the text means); the sentences are written for them."""

from __future__ import annotations

import datetime as dt

import pytest

from gazetteer.model import Place
from geo.resolution import Geoparser
from geo.toponyms import Lexicon
from _geoparse_support import lexicon_cache_dir, TinyGazetteer


def _p(pid: str, name: str, kind: str, lat: float, lon: float, *, admin1: str | None = None,
       population: int | None = None, alt: tuple[str, ...] = (), admin2: str | None = None,
       country: str = "UA") -> Place:
    return Place(id=pid, name=name, kind=kind, country=country, admin1=admin1, admin1_name=None,
                 lat=lat, lon=lon, population=population, precision="point", source="test",
                 alt_names=alt, admin2=admin2)


PLACES = [
    _p("country:UA", "Ukraine", "country", 50.45, 30.52, population=40_000_000),
    _p("adm1:UA-14", "Donetsk Oblast", "admin1", 48.0, 37.8, admin1="UA-14",
       alt=("Donetsk", "Donetsk region")),
    _p("adm1:UA-63", "Kharkiv Oblast", "admin1", 49.6, 36.5, admin1="UA-63",
       alt=("Kharkiv", "Kharkiv region")),
    _p("adm1:UA-59", "Sumy Oblast", "admin1", 50.9, 34.8, admin1="UA-59", alt=("Sumy", "Sumy region")),
    # the region itself is never written "Zaporizhia" here: only its city is
    _p("adm1:UA-23", "Zaporizhzhia Oblast", "admin1", 47.4, 35.9, admin1="UA-23",
       alt=("Zaporizhzhia", "Zaporizhzhia region")),
    _p("adm1:UA-30", "Kyiv City", "admin1", 50.45, 30.52, admin1="UA-30", alt=("Kyiv",)),
    _p("adm2:pokrovskyi", "Pokrovskyi raion", "admin2", 48.3, 37.2, admin1="UA-14",
       alt=("Pokrovsk district",)),
    _p("gn:donetsk", "Donetsk", "settlement", 48.02, 37.80, admin1="UA-14", population=900_000),
    _p("gn:kharkiv", "Kharkiv", "settlement", 49.98, 36.25, admin1="UA-63", population=1_400_000),
    # smaller than its region's prior: the bare name alone reads as the region
    _p("gn:sumy", "Sumy", "settlement", 50.91, 34.80, admin1="UA-59", population=56_000),
    _p("gn:zaporizhzhia", "Zaporizhzhya", "settlement", 47.85, 35.12, admin1="UA-23",
       population=710_000, alt=("Zaporizhia",)),
    _p("gn:odesa", "Odesa", "settlement", 46.48, 30.74, admin1="UA-51", population=1_000_000),
    _p("gn:kyiv", "Kyiv", "settlement", 50.45, 30.52, admin1="UA-30", population=2_950_000),
    # one name, three oblasts; the largest (prior favourite) is in Kharkiv Oblast
    _p("v:andriivka-kharkiv", "Andriivka", "settlement", 49.53, 36.63, admin1="UA-63", population=2_500),
    _p("v:andriivka-donetsk", "Andriivka", "settlement", 48.50, 37.97, admin1="UA-14",
       admin2="Pokrovskyi raion"),
    _p("v:andriivka-sumy", "Andriivka", "settlement", 50.60, 34.50, admin1="UA-59"),
    # a large town elsewhere and a village in the named oblast
    _p("gn:kamianske", "Kamianske", "settlement", 48.51, 34.61, admin1="UA-12", population=230_000),
    _p("v:kamianske-zap", "Kamianske", "settlement", 47.49, 35.40, admin1="UA-23"),
    # opens with a word the first-name list also holds ("Mala", "Velyka")
    _p("v:mala-tokmachka", "Mala Tokmachka", "settlement", 47.53, 35.90, admin1="UA-23"),
    _p("v:velyka-novosilka", "Velyka Novosilka", "settlement", 47.84, 36.84, admin1="UA-14"),
    # ends with a word that is also a demonym ("Pole")
    _p("v:vilne-pole", "Vilne Pole", "settlement", 47.98, 36.75, admin1="UA-14"),
    _p("country:PL", "Poland", "country", 52.2, 21.0, population=38_000_000),
    # spelled here as the official romanisation (щ = shch, ьо = o)
    _p("v:klishchiivka", "Klishchiivka", "settlement", 48.53, 37.96, admin1="UA-14"),
    _p("v:verkhnotoretske", "Verkhnotoretske", "settlement", 48.22, 37.87, admin1="UA-14"),
]


@pytest.fixture(scope="module")
def gp() -> Geoparser:
    return Geoparser.build(TinyGazetteer(PLACES), lexicon=Lexicon.load(lexicon_cache_dir()))


def mentions(gp: Geoparser, text: str) -> dict[str, tuple[str | None, str]]:
    return {m.text: (m.place.id if m.place else None, m.role) for m in gp.parse_text(text)}


def test_without_a_qualifier_the_prior_picks_the_largest_homonym(gp):
    assert mentions(gp, "Shelling was reported near Andriivka overnight.")["Andriivka"][0] == \
        "v:andriivka-kharkiv"


@pytest.mark.parametrize("text, village, unit", [
    ("Russian forces shelled near Andriivka, Donetsk, with mortars.", "v:andriivka-donetsk", "adm1:UA-14"),
    ("A drone hit a car in Andriivka, Sumy.", "v:andriivka-sumy", "adm1:UA-59"),
    ("A drone hit a car in Andriivka (Sumy region) at dawn.", "v:andriivka-sumy", "adm1:UA-59"),
    ("A drone hit a car in Andriivka (Sumy) at dawn.", "v:andriivka-sumy", "adm1:UA-59"),
    ("Troops advanced near Andriivka, Donetsk region, on Monday.", "v:andriivka-donetsk", "adm1:UA-14"),
    ("Artillery struck Andriivka, Kharkiv.", "v:andriivka-kharkiv", "adm1:UA-63"),
])
def test_the_unit_beside_a_name_picks_the_homonym_and_is_a_qualifier(gp, text, village, unit):
    got = mentions(gp, text)
    assert got["Andriivka"][0] == village
    qualifier = next(v for k, v in got.items() if k != "Andriivka")
    assert qualifier == (unit, "qualifier")


def test_the_qualifier_is_the_region_never_its_capital_city(gp):
    got = mentions(gp, "Guided bombs fell near Andriivka, Donetsk.")
    assert got["Donetsk"] == ("adm1:UA-14", "qualifier")
    # on its own the same word is the city
    assert mentions(gp, "Guided bombs fell on Donetsk.")["Donetsk"] == ("gn:donetsk", "name")


def test_a_large_town_elsewhere_loses_to_the_village_of_the_named_region(gp):
    got = mentions(gp, "Mortar fire hit Kamianske, Zaporizhzhia, in the morning.")
    assert got["Kamianske"][0] == "v:kamianske-zap"
    assert mentions(gp, "Mortar fire hit Kamianske.")["Kamianske"][0] == "gn:kamianske"


def test_a_region_written_as_its_citys_name_still_qualifies(gp):
    # "Zaporizhia" names only the city in this gazetteer; beside a village it means the region
    got = mentions(gp, "Mortar fire hit Kamianske, Zaporizhia, in the morning.")
    assert got["Kamianske"][0] == "v:kamianske-zap"
    assert got["Zaporizhia"] == ("adm1:UA-23", "qualifier")


def test_an_unknown_village_keeps_its_qualifier_as_the_region(gp):
    got = mentions(gp, "Russian forces shelled near Zzyzxivka, Donetsk.")
    assert got["Zzyzxivka"] == (None, "pattern")
    assert got["Donetsk"] == ("adm1:UA-14", "qualifier")


def test_a_district_then_a_region_is_a_chain_of_qualifiers(gp):
    got = mentions(gp, "Shelling was reported in Pokrovsk district, Donetsk.")
    assert got["Pokrovsk district"][0] == "adm2:pokrovskyi"
    assert got["Donetsk"] == ("adm1:UA-14", "qualifier")
    chain = mentions(gp, "Shelling hit Andriivka, Donetsk region, Ukraine.")
    assert chain["Andriivka"][0] == "v:andriivka-donetsk"
    assert chain["Donetsk region"] == ("adm1:UA-14", "qualifier")
    assert chain["Ukraine"] == ("country:UA", "qualifier")


@pytest.mark.parametrize("text, name, expected", [
    # a list of cities: no city is a village of the next one's region
    ("Missiles hit Kharkiv, Kyiv and Odesa overnight.", "Kyiv", "gn:kyiv"),
    ("Missiles hit Odesa, Kyiv overnight.", "Kyiv", "gn:kyiv"),
    # Andriivka lies in Donetsk Oblast, but "Donetsk and Kharkiv" continue a list of places
    ("Drones struck Andriivka, Donetsk and Kharkiv.", "Donetsk", "gn:donetsk"),
])
def test_lists_of_places_are_not_qualifiers(gp, text, name, expected):
    got = mentions(gp, text)
    assert got[name] == (expected, "name")


def test_a_village_named_in_the_sentence_is_the_event_place_not_the_qualifier(gp):
    from geo.articles import article_from_text
    from geo.events import extract_events

    article = article_from_text("On 3 May 2024, Russian forces shelled near Andriivka, Donetsk. "
                                "Casualties unknown.", source="test", date=dt.date(2024, 5, 3))
    events = extract_events(article, gp.parse(article), gazetteer=gp.gazetteer)
    assert events, "a shelling with a named place makes an event"
    assert {e.place_id for e in events} == {"v:andriivka-donetsk"}


@pytest.mark.parametrize("text, name, pid", [
    ("Russian forces shelled near Mala Tokmachka, Zaporizhzhia.", "Mala Tokmachka", "v:mala-tokmachka"),
    ("Fighting went on around Velyka Novosilka all day.", "Velyka Novosilka", "v:velyka-novosilka"),
])
def test_a_village_whose_first_word_is_a_first_name_is_still_a_place(gp, text, name, pid):
    assert mentions(gp, text)[name] == (pid, "name")


def test_a_first_name_and_a_surname_are_still_a_person(gp):
    # "Mala" opens a person's name when the run is no place's name
    assert "Mala" not in mentions(gp, "Mala Ivanenko, a teacher, said the school was hit.")


def test_a_demonym_inside_a_place_name_is_part_of_the_name(gp):
    got = mentions(gp, "Russian forces shelled Vilne Pole, Donetsk, at night.")
    assert got["Vilne Pole"] == ("v:vilne-pole", "name")
    assert got["Donetsk"] == ("adm1:UA-14", "qualifier")
    # alone, or after a sentence's first word, the demonym is still one
    assert mentions(gp, "The Pole and his Ukrainian host spoke.")["Pole"] == ("country:PL", "demonym")


@pytest.mark.parametrize("text, name, pid", [
    ("Russian forces clashed with Ukrainian units near Klischiivka, Donetsk.", "Klischiivka", "v:klishchiivka"),
    ("Mortars were fired at positions near Verkhnyotoretske on Sunday.", "Verkhnyotoretske", "v:verkhnotoretske"),
])
def test_a_name_found_by_context_is_tried_in_other_romanisations(gp, text, name, pid):
    assert mentions(gp, text)[name] == (pid, "name")


def test_romanisation_variants_only_where_the_letters_allow():
    from geo.resolution import _romanisations

    assert _romanisations("Schastia") == ["Shchastia"]
    assert _romanisations("Verkhnyokamianka") == ["Verkhnokamianka"]
    # already official, or a y that is not a soft sign: nothing to try
    assert _romanisations("Shchastia") == [] and _romanisations("Mayorsk") == []


def test_a_city_then_its_own_region_is_the_city(gp):
    got = [(m.place.id, m.role) for m in gp.parse_text("A drone struck a hospital in Sumy, Sumy, at night.")
           if m.text == "Sumy"]
    assert got == [("gn:sumy", "name"), ("adm1:UA-59", "qualifier")]
