"""Recognition: what is a place name, what is not, and what is a place used as an actor."""

from __future__ import annotations

import pytest

from geo.resolution import Geoparser
from geo.toponyms import Lexicon, tokenize
from _geoparse_support import TinyGazetteer, lexicon_cache_dir


@pytest.fixture(scope="module")
def gp() -> Geoparser:
    return Geoparser.build(TinyGazetteer(), lexicon=Lexicon.load(lexicon_cache_dir()))


def spans(gp: Geoparser, text: str) -> dict[str, tuple]:
    return {m.text: (m.place.id if m.place else None, m.role, m.literal) for m in gp.parse_text(text)}


def test_tokenize_possessive_and_case():
    toks = tokenize("Kyiv’s forces. Reading it")
    assert [t.text for t in toks] == ["Kyiv", "forces", "Reading", "it"]
    assert toks[0].possessive and toks[0].key == tokenize("Kyiv")[0].key
    assert toks[2].initial and not toks[1].initial


def test_people_whose_names_are_towns_are_not_places(gp):
    got = spans(gp, "Vladimir Putin visited Pyongyang in June. Later Putin met officials in Moscow.")
    assert "Vladimir" not in got and "Putin" not in got
    assert got["Pyongyang"][0] == "gn:1871859" and got["Moscow"][0] == "gn:524901"


def test_titles_and_surnames_make_people(gp):
    text = ("Member of parliament Lee Seong-kweun said losses were heavy. "
            "There are indications of more deployments, Lee said. Troops are in Kursk.")
    got = spans(gp, text)
    assert "Lee" not in got
    assert got["Kursk"][0] == "gn:538560"


def test_acronyms_and_organisations_are_not_places(gp):
    got = spans(gp, "A NATO official told Sky News that US weapons reached Ukraine.")
    assert "NATO" not in got and "Sky" not in got and "Sky News" not in got
    assert got["US"][0] == "country:US" and got["Ukraine"][0] == "country:UA"


def test_common_words_need_capital_evidence(gp):
    got = spans(gp, "Reading the report, officials said on Telegram that Kyiv was hit.")
    assert "Reading" not in got and "Telegram" not in got
    assert got["Kyiv"][0] == "gn:703448"
    # Mid-sentence and capitalised, a large town of that name is a place.
    assert spans(gp, "Protesters gathered in Reading on Sunday.")["Reading"][0] == "gn:reading"


def test_demonyms_point_at_their_country(gp):
    got = spans(gp, "North Korean troops and Ukrainian drones")
    assert got["North Korean"] == ("country:KP", "demonym", False)
    assert got["Ukrainian"] == ("country:UA", "demonym", False)


def test_admin_phrase_is_one_mention(gp):
    got = spans(gp, "Shelling continued in the Kursk region overnight.")
    assert got["Kursk region"][0] == "adm1:RU-KRS"


def test_unknown_places_found_by_context_are_reported_unresolved(gp):
    got = spans(gp, "Russia claimed the village of Zzyzxivka. Fighting went on near Qwertovo, "
                    "and ships sailed the Sea of Azov.")
    assert got["Zzyzxivka"] == (None, "pattern", True)
    assert got["Qwertovo"] == (None, "pattern", True)
    assert got["Sea of Azov"][:2] == (None, "pattern")


@pytest.mark.parametrize("text, name, literal", [
    ("Washington and Seoul have accused Pyongyang of sending troops.", "Washington", False),
    ("Washington and Seoul have accused Pyongyang of sending troops.", "Seoul", False),
    ("Pyongyang sent soldiers to help Moscow this year.", "Moscow", False),
    ("Kyiv’s forces attacked a depot.", "Kyiv", False),
    ("Kyiv struck an airfield.", "Kyiv", False),
    ("Drones hit a building in Kyiv overnight.", "Kyiv", True),
    ("Russia’s western Kursk region was shelled.", "Kursk region", True),
    # a town's own authorities speak for it; a country's are its government
    ("Kursk's authorities said a drone was shot down.", "Kursk", True),
    ("Russia's authorities said a drone was shot down.", "Russia", False),
])
def test_places_used_as_actors_are_not_literal(gp, text, name, literal):
    got = spans(gp, text)
    assert got[name][2] is literal
    assert got[name][0] is not None  # metonyms still resolve
