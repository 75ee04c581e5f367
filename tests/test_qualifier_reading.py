"""A unit named beside a name that decides nothing between the unit's readings (the name is
unknown, or none of the unit's readings holds it) reads as the unit it reads as alone: equal
readings are broken the same way in both (geo.resolution.Geoparser._likeliest_unit and _pick),
so "Туапси в Краснодарському краї" with Туапси unknown is not put 4,000 km away in Krasnoyarsk
Krai while "у Краснодарському краї" alone is Krasnodar Krai.

Of equally likely units, the one that holds the places the article's other names are is read
("Крячки Васильківської громади" after "під Васильковом": Vasylkiv's hromada, not its namesake's).

The gazetteer is built for these tests: two first-level units of equal weight that share a name,
two hromadas that share a name in different regions, a town in one of them; the sentences are
written for the tests."""

from __future__ import annotations

import pytest

from geo.resolution import Geoparser
from geo.toponyms import Lexicon
from _geoparse_support import TinyGazetteer, lexicon_cache_dir
from _geoparse_support import place as _p

PLACES = [
    _p("country:RU", "Russia", "country", "RU", 55.75, 37.62, population=140_000_000),
    _p("adm1:RU-AAA", "Alder Krai", "admin1", "RU", 45.0, 39.0, admin1="RU-AAA", alt=("Twin Krai",)),
    _p("adm1:RU-ZZZ", "Zander Krai", "admin1", "RU", 58.0, 93.0, admin1="RU-ZZZ", alt=("Twin Krai",)),
    _p("country:UA", "Ukraine", "country", "UA", 49.0, 32.0, population=40_000_000),
    _p("hromada:aa-twin", "Twinford hromada", "hromada", "UA", 48.0, 35.0, admin1="UA-AA"),
    _p("hromada:zz-twin", "Twinford hromada", "hromada", "UA", 50.2, 30.3, admin1="UA-ZZ"),
    _p("gn:twinford", "Twinford", "settlement", "UA", 50.2, 30.3, admin1="UA-ZZ", population=37_000,
       hromada="Twinford hromada"),
    # the mirror image: the town in the region of the lower id (a tie broken by id alone fails one)
    _p("hromada:aa-mirror", "Mirrorford hromada", "hromada", "UA", 48.1, 35.1, admin1="UA-AA"),
    _p("hromada:zz-mirror", "Mirrorford hromada", "hromada", "UA", 50.3, 30.4, admin1="UA-ZZ"),
    _p("gn:mirrorford", "Mirrorford", "settlement", "UA", 48.1, 35.1, admin1="UA-AA", population=37_000,
       hromada="Mirrorford hromada"),
]


@pytest.fixture(scope="module")
def gp() -> Geoparser:
    return Geoparser.build(TinyGazetteer(PLACES), lexicon=Lexicon.load(lexicon_cache_dir()))


def _unit(gp: Geoparser, text: str, name: str) -> tuple[str | None, str]:
    m = next(m for m in gp.parse_text(text) if m.text == name)
    return (m.place.id if m.place else None, m.role)



@pytest.mark.parametrize("text", [
    "Drones struck the refinery of Zzyzxovka, Twin Krai.",         # an unknown name beside it
    "Drones struck Zzyzxovka (Twin Krai) overnight.",
])
def test_a_qualifier_reads_as_the_unit_it_reads_as_alone(gp, text):
    alone, role = _unit(gp, "Drones struck a refinery in Twin Krai.", "Twin Krai")
    assert role == "name" and alone is not None
    beside, role = _unit(gp, text, "Twin Krai")
    assert (beside, role) == (alone, "qualifier")


@pytest.mark.parametrize("town, unit", [("Twinford", "hromada:zz-twin"), ("Mirrorford", "hromada:aa-mirror")])
def test_of_equal_units_the_one_holding_the_articles_places_is_read(gp, town, unit):
    text = f"Fighting goes on near {town}. Drones struck the depot in Zzyzxovka, {town} hromada."
    assert _unit(gp, text, f"{town} hromada") == (unit, "qualifier")
