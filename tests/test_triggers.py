"""The trigger rules of geo/lang/en/triggers.toml as _classify combines them, sentence by sentence.

Sentences are written for these tests. Whole-extraction cases per type are in tests/events/;
these check how rule families combine (which type wins, what cancels what) without places.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from geo.events.gates import _gates
from geo.events.sentences import _lower
from geo.events.triggers import _ALONE, _ATTACK_OBJECTS, _PRIORITY, _classify, _lexicon, _primary

CASES = Path(__file__).resolve().parent / "events"


def types(sentence: str) -> dict[str, list[str]]:
    low = _lower(sentence)
    return {t: [w for w, _ in v] for t, v in _classify(low, _gates(low)).items()}


def primary(sentence: str) -> str | None:
    found = types(sentence)
    return _primary(found) if found else None


def test_rule_names_the_classifier_combines_exist():
    rules = _lexicon().rules
    assert set(_ALONE) | set(_ATTACK_OBJECTS) <= set(rules)


@pytest.mark.parametrize(("sentence", "etype"), [
    ("Russian forces fired mortars and artillery near the village.", "missile_strike"),
    ("The enemy fired MLRS at the town at night.", "missile_strike"),
    ("Monitors recorded 30 explosions south of the town.", "missile_strike"),
    ("Russian troops assaulted the village and were repulsed.", "ground_assault"),
    ("Ukrainian units repelled an offensive east of the town.", "ground_assault"),
    ("Positions came under fire from small arms overnight.", "ground_assault"),
    ("Russian air forces carried out airstrikes on the village.", "air_strike"),
    ("A Su-25 dropped unguided bombs on the bridge.", "air_strike"),
    ("Air defence shot down four Shaheds over the city.", "air_defense"),
    ("A car hit an anti-tank mine on the road.", "explosive_device"),
    ("Soldiers abducted the village head and held her captive.", "violence_against_civilians"),
    ("Troops took control of the village after two days.", "territorial_change"),
])
def test_family_gives_its_type(sentence, etype):
    assert primary(sentence) == etype, types(sentence)


@pytest.mark.parametrize("sentence", [
    "The unit intercepted a radio message from the enemy.",
    "A museum keeps the captured tank from the last war.",
    "POWs captured in the city were exchanged.",
    "Sappers cleared the field of mines and defused two shells.",
    "The company fired its director last week.",
    "The museum displays artillery shells from 1943.",
    "Police said a man was shot during a robbery.",
])
def test_not_an_event(sentence):
    assert types(sentence) == {}


def test_repelling_is_an_interception_only_with_something_in_the_air():
    assert primary("Air defence repelled a drone attack on the city.") == "air_defense"
    assert "ground_assault" not in types("Air defence repelled a drone attack on the city.")
    assert "air_defense" not in types("The garrison repelled an attack on the town.")


def test_a_ground_battle_outranks_the_fire_beside_it_and_an_airstrike_the_shelling():
    # ACLED codes shelling during a ground assault as an armed clash, and an air strike with
    # shelling as an air strike; the other type stays a tag
    assert _PRIORITY.index("ground_assault") < _PRIORITY.index("missile_strike")
    assert _PRIORITY.index("air_strike") < _PRIORITY.index("missile_strike")
    assert set(types("Russian troops shelled and stormed the village.")) == {"ground_assault", "missile_strike"}
    assert primary("Russian forces conducted an airstrike and shelled the village.") == "air_strike"


def test_soldiers_killed_by_a_strike_are_the_strikes():
    assert primary("A missile struck a barracks, killing ten soldiers.") == "missile_strike"
    assert primary("Ten soldiers were killed in the fighting.") == "ground_assault"


def test_an_air_force_as_a_source_is_not_an_aircraft():
    assert "air_strike" not in types("The air force said drones attacked three regions.")
    assert "air_strike" not in types("According to the air force, missiles struck the port.")
    assert primary("The air force struck a depot behind the lines.") == "air_strike"


def test_shooting_is_violence_against_civilians_only_at_civilians_without_explosive_means():
    assert primary("Soldiers opened fire on civilians at a checkpoint.") == "violence_against_civilians"
    assert "violence_against_civilians" not in types("Soldiers opened fire on enemy positions.")
    assert "violence_against_civilians" not in types("A drone opened fire on a civilian bus.")


def test_captures_by_verb_not_by_adjective():
    assert "territorial_change" in types("Russian forces captured the town on Monday.")
    assert "territorial_change" in types("The ministry claimed the capture of two villages.")
    assert "territorial_change" in types("The village was liberated by the brigade.")
    assert "territorial_change" in types("Russian troops occupied the village.")
    for adjective in ("Shelling hit the occupied city.", "Shelling hit the captured city.",
                      "Shelling hit the liberated territories."):
        assert "territorial_change" not in types(adjective), adjective
    assert "territorial_change" not in types("Russian troops captured three soldiers near the town.")
    assert "territorial_change" not in types("Russian troops attempted to capture the town.")


def test_a_protest_is_not_a_war_event_but_violence_at_a_protest_is():
    assert types("Hundreds rallied in the square against the shelling of the city.") == {}
    assert types("People protested the abduction of the mayor by soldiers.") == {}
    assert primary("Soldiers abducted four activists during a protest.") == "violence_against_civilians"


def test_a_defused_device_is_not_an_explosion():
    assert "explosive_device" not in types("Sappers defused an improvised explosive device.")
    assert primary("An improvised explosive device went off near the station.") == "explosive_device"


def _case_texts() -> list[str]:
    return [c["text"] for p in sorted(CASES.glob("*.toml")) for kind in ("case", "not")
            for c in tomllib.loads(p.read_text(encoding="utf-8")).get(kind, [])]


@pytest.mark.parametrize("text", _case_texts())
def test_soft_wrapped_sentence_classifies_as_the_plain_one(text):
    # every rule's \s+ takes a line break, and its gate opens for it (the gate keys are derived)
    plain = text.replace("\n", " ")
    assert types(plain.replace(" ", "\n")) == types(plain)


def test_a_one_line_note_is_not_a_heading():
    from geo.events.sentences import split_sentences

    note = "School in a frontline town damaged by strike"
    assert [s.heading for s in split_sentences(note)] == [False]
    assert [s.heading for s in split_sentences(note + "\n\nThe strike hit at noon.")] == [True, False]
