"""A unit named beside a place is a constraint (issue 14): "X, Kursk Oblast", "X (Kursk region)",
"X in the Bryansk region", "X in Russia's Kursk region", "X, Korenevo district" never pin X to a
namesake outside the unit; when the unit holds no X, the event is at the unit, with its precision.

The gazetteer is built for these tests: a Ukrainian village whose name a Russian village of the
Kursk region also bears (the Russian one not in the gazetteer, as when only cities500 covers
Russia), two Lyubimovkas in Kursk Oblast told apart by their raion and a bigger namesake in
Ukraine; the sentences are written for the tests."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.articles import article_from_text
from geo.events import extract_events
from geo.resolution import Geoparser
from geo.toponyms import Lexicon
from _geoparse_support import TinyGazetteer, lexicon_cache_dir
from _geoparse_support import place as _p


PLACES = [
    _p("country:UA", "Ukraine", "country", "UA", 49.0, 32.0, population=40_000_000),
    _p("country:RU", "Russia", "country", "RU", 55.75, 37.62, population=140_000_000),
    _p("adm1:UA-14", "Donetsk Oblast", "admin1", "UA", 47.92, 37.78, admin1="UA-14",
       alt=("Donetsk", "Donetsk region")),
    _p("adm1:UA-35", "Kirovohrad Oblast", "admin1", "UA", 48.5, 32.3, admin1="UA-35",
       alt=("Kirovohrad region",)),
    _p("adm1:RU-KRS", "Kursk Oblast", "admin1", "RU", 51.66, 36.49, admin1="RU-KRS",
       alt=("Kursk region", "Kursk Oblast")),
    _p("adm1:RU-BRY", "Bryansk Oblast", "admin1", "RU", 52.89, 33.42, admin1="RU-BRY",
       alt=("Bryansk region", "Bryansk Oblast")),
    _p("adm2:korenevsky", "Korenevsky District", "admin2", "RU", 51.41, 34.91, admin1="RU-KRS",
       alt=("Korenevo district",)),
    _p("gn:kursk", "Kursk", "settlement", "RU", 51.73, 36.18, admin1="RU-KRS", population=448_733),
    _p("gn:kyiv", "Kyiv", "settlement", "UA", 50.45, 30.52, admin1="UA-30", population=2_952_301),
    _p("gn:tyotkino", "Tyotkino", "settlement", "RU", 51.28, 34.29, admin1="RU-KRS", population=4_500),
    # only the Ukrainian namesake is known; a Russian-style spelling is one of its alternate names
    _p("gn:sverdlykove", "Sverdlykove", "settlement", "UA", 48.71, 30.78, admin1="UA-35", population=600,
       alt=("Sverdlikovo",)),
    _p("gn:sushchany", "Sushchany", "settlement", "UA", 51.30, 27.75, admin1="UA-18", population=900,
       alt=("Sushany",)),
    # the biggest Lyubimovka is in Ukraine; two small ones in Kursk Oblast, in different raions
    _p("gn:liubymivka-ua", "Liubymivka", "settlement", "UA", 47.55, 37.35, admin1="UA-14", population=5_000,
       alt=("Lyubimovka",)),
    _p("v:lyubimovka-korenevo", "Lyubimovka", "settlement", "RU", 51.46, 35.03, admin1="RU-KRS",
       admin2="Korenevsky District", population=800),
    _p("v:lyubimovka-other", "Lyubimovka", "settlement", "RU", 52.05, 36.90, admin1="RU-KRS",
       admin2="Fatezhsky District", population=1_200),
]


@pytest.fixture(scope="module")
def gp() -> Geoparser:
    return Geoparser.build(TinyGazetteer(PLACES), lexicon=Lexicon.load(lexicon_cache_dir()))


def mentions(gp: Geoparser, text: str) -> dict[str, tuple[str | None, str]]:
    return {m.text: (m.place.id if m.place else None, m.role) for m in gp.parse_text(text)}


def events(gp: Geoparser, text: str):
    article = article_from_text(text, source="test", default_date=dt.date(2024, 8, 20))
    return extract_events(article, gp.parse(article), gazetteer=gp.gazetteer)


@pytest.mark.parametrize("text, unit, precision", [
    ("Ukrainian drones struck Sverdlikovo, Kursk Oblast, overnight.", "adm1:RU-KRS", "region"),
    ("Ukrainian drones struck Sverdlikovo (Kursk region) overnight.", "adm1:RU-KRS", "region"),
    ("Ukrainian drones struck Sverdlikovo in the Kursk region overnight.", "adm1:RU-KRS", "region"),
    ("Ukrainian drones struck Sverdlikovo in Russia's Kursk region overnight.", "adm1:RU-KRS", "region"),
    ("Russian troops shelled the village of Sushany in the Bryansk region.", "adm1:RU-BRY", "region"),
    ("Ukrainian drones struck Sushany in Bryansk Oblast.", "adm1:RU-BRY", "region"),
    # bare: the region written as its city's name
    ("Ukrainian drones struck Sverdlikovo, Kursk.", "adm1:RU-KRS", "region"),
    # a raion, and a country
    ("Artillery hit Sverdlikovo, Korenevo district, on Tuesday.", "adm2:korenevsky", "region"),
    ("Artillery hit Sverdlikovo (Russia) on Tuesday.", "country:RU", "country"),
])
def test_a_unit_that_holds_no_namesake_puts_the_event_at_the_unit(gp, text, unit, precision):
    found = events(gp, text)
    assert [(e.place_id, e.precision) for e in found] == [(unit, precision)]
    assert all(e.country == "RU" for e in found)              # never the namesake in Ukraine
    name = "Sushany" if "Sushany" in text else "Sverdlikovo"
    assert mentions(gp, text)[name] == (None, "pattern")      # a place the gazetteer lacks there


@pytest.mark.parametrize("text, expected", [
    ("Shelling was reported near Lyubimovka, Korenevo district, on Monday.", "v:lyubimovka-korenevo"),
    ("Shelling was reported near Lyubimovka, Kursk region, on Monday.", "v:lyubimovka-other"),
    ("Shelling was reported near Lyubimovka in the Kursk region on Monday.", "v:lyubimovka-other"),
    ("Shelling was reported near Lyubimovka (Russia) on Monday.", "v:lyubimovka-other"),
    ("Shelling was reported near Lyubimovka, Donetsk, on Monday.", "gn:liubymivka-ua"),
])
def test_a_unit_that_holds_one_of_several_namesakes_picks_it(gp, text, expected):
    assert mentions(gp, text)["Lyubimovka"][0] == expected
    (event,) = events(gp, text)
    assert event.place_id == expected and event.precision == "hromada"    # "near X"


def test_near_a_russian_village_has_the_precision_near_a_ukrainian_one_has(gp):
    (near,) = events(gp, "Russian forces shelled near Tyotkino, Kursk Oblast.")
    (at,) = events(gp, "Russian forces shelled Tyotkino, Kursk Oblast.")
    assert (near.place_id, near.precision) == ("gn:tyotkino", "hromada")
    assert (at.place_id, at.precision) == ("gn:tyotkino", "settlement")


@pytest.mark.parametrize("text, name, expected", [
    # a list: a city is named on its own, not as a village of the next name's region
    ("Missiles hit Kyiv, Kursk overnight.", "Kyiv", "gn:kyiv"),
    ("Missiles hit Kyiv, Kursk and Sverdlikovo overnight.", "Kyiv", "gn:kyiv"),
    # "in" may tie the unit to the verb: a city stays itself
    ("Officials met in Kyiv in the Kursk region's absence.", "Kyiv", "gn:kyiv"),
    # no unit after "in": a month is not one
    ("Artillery hit Tyotkino in May.", "Tyotkino", "gn:tyotkino"),
])
def test_lists_and_loose_phrases_are_not_constraints(gp, text, name, expected):
    assert mentions(gp, text)[name] == (expected, "name")


# --- the real gazetteer, with Russia's villages ---------------------------------------------

@pytest.fixture(scope="module")
def real():
    from geo.pipeline import Pipeline

    return Pipeline.open()


@pytest.mark.parametrize("text, lang", [
    ("Ukrainian drones struck Sverdlikovo, Kursk Oblast, overnight.", "en"),
    ("Ukrainian drones struck Olgovka, Kursk Oblast, overnight.", "en"),
    ("Russian artillery shelled Olgovka in the Kursk region.", "en"),
    ("Украинские дроны атаковали Плехово Курской области.", "ru"),
    ("Українські дрони атакували Плехово Курської області.", "uk"),
])
def test_real_gazetteer_the_named_region_holds_the_village(real, text, lang):
    article = article_from_text(text, source="test", default_date=dt.date(2024, 8, 20))
    assert article.lang == lang
    found = real.process(article)
    assert found and all((e.country, e.admin1, e.precision) == ("RU", "RU-KRS", "settlement") for e in found)


def test_real_gazetteer_a_village_it_lacks_gives_a_region_event(real):
    article = article_from_text("Ukrainian drones struck Zzyzxovka in the Bryansk region overnight.",
                                source="test", default_date=dt.date(2024, 8, 20))
    assert [(e.place_id, e.precision) for e in real.process(article)] == [("adm1:RU-BRY", "region")]
