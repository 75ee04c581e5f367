"""The event-type registry (geo/event_types.py): every type has what each reader needs.

The extractor reads the order and the ids, the map the label, colour and icon, the ACLED export the
mapping; every type has sentence cases in tests/events/<type>.toml (run by
tests/events/test_event_cases.py).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from geo import event_types
from geo.event_types import REGISTRY, acled_category

CASES = Path(__file__).resolve().parent / "events"

# ACLED's codebook: event types and the sub-event types of each
ACLED = {
    "Battles": {"Armed clash", "Government regains territory", "Non-state actor overtakes territory"},
    "Explosions/Remote violence": {"Chemical weapon", "Air/drone strike", "Suicide bomb",
                                   "Shelling/artillery/missile attack", "Remote explosive/landmine/IED",
                                   "Grenade"},
    "Violence against civilians": {"Sexual violence", "Attack", "Abduction/forced disappearance"},
    "Protests": {"Peaceful protest", "Protest with intervention", "Excessive force against protesters"},
    "Riots": {"Violent demonstration", "Mob violence"},
    "Strategic developments": {"Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
                               "Headquarters or base established", "Looting/property destruction",
                               "Non-violent transfer of territory", "Other"},
}
IDS = [t.id for t in REGISTRY]


def test_ids_are_unique_and_stable_words():
    assert len(set(IDS)) == len(IDS)
    assert all(re.fullmatch(r"[a-z]+(?:_[a-z]+)*", i) for i in IDS)
    assert list(event_types.EVENT_TYPES) == IDS == list(event_types.TYPE_IDS)


def test_geo_events_reexports_the_registry():
    from geo.events import EVENT_TYPES
    from geo.events.triggers import _PRIORITY

    assert EVENT_TYPES == {t.id: t.label for t in REGISTRY}
    assert tuple(_PRIORITY) == tuple(IDS)


@pytest.mark.parametrize("etype", REGISTRY, ids=IDS)
def test_type_has_label_style_and_acled_mapping(etype):
    assert etype.label.strip() and etype.label != etype.id
    assert re.fullmatch(r"#[0-9a-f]{6}", etype.color)
    fa = pytest.importorskip("fontawesomefree")
    svg = Path(fa.__file__).parent / "static" / "fontawesomefree" / "svgs" / "solid" / f"{etype.icon}.svg"
    assert svg.is_file(), f"{etype.icon} is not a Font Awesome free solid icon"
    for tags in ("", "missile_strike", "drone_strike", "air_strike", "explosive_device"):
        kind, sub = acled_category(etype.id, tags)
        assert kind in ACLED and sub in ACLED[kind], (etype.id, tags, kind, sub)
    assert event_types.get(etype.id) is etype and event_types.label(etype.id) == etype.label


def test_colours_tell_types_apart():
    colours = [t.color.lower() for t in REGISTRY]
    assert len(set(colours)) == len(colours)


def test_unknown_type_still_draws_and_exports():
    assert event_types.label("made_up") == "made_up"
    assert event_types.get("made_up").color.startswith("#")
    kind, sub = acled_category("made_up")
    assert kind in ACLED and sub in ACLED[kind]


@pytest.mark.parametrize("etype", IDS)
def test_type_has_test_cases(etype):
    path = CASES / f"{etype}.toml"
    assert path.is_file(), f"add {path.relative_to(CASES.parent.parent)} (see tests/events/README.md)"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data.get("case"), f"{path.name} has no [[case]]"
    assert all(c.get("text", "").strip() for c in data["case"] + data.get("not", []))


def _case_languages() -> list[str]:
    from geo.lang import LANGUAGES

    return list(LANGUAGES)


@pytest.mark.parametrize("code", _case_languages())
@pytest.mark.parametrize("etype", IDS)
def test_every_shipped_language_has_cases_for_every_type_it_triggers(etype, code):
    # a case without `lang` is English; a language that ships trigger rules for a type has at
    # least one sentence of that type written in it
    from geo.events.triggers import _TRIGGERED

    if etype not in _TRIGGERED:
        pytest.skip(f"{etype} has no triggers")
    data = tomllib.loads((CASES / f"{etype}.toml").read_text(encoding="utf-8"))
    langs = {c.get("lang", "en") for c in data["case"]}
    assert code in langs, f"tests/events/{etype}.toml has no [[case]] with lang = \"{code}\""
    assert all(c.get("lang", "en") in _case_languages() for c in data["case"] + data.get("not", []))


def test_no_case_file_for_an_unregistered_type():
    assert {p.stem for p in CASES.glob("*.toml")} <= set(IDS)


@pytest.mark.parametrize("etype", IDS)
def test_type_has_triggers_or_says_it_has_none(etype):
    # a type without trigger rules must say so in its case file (its cases then xfail), and one
    # with rules must not: adding the triggers of air_strike means removing its `untriggered`
    from geo.events.triggers import _TRIGGERED

    data = tomllib.loads((CASES / f"{etype}.toml").read_text(encoding="utf-8"))
    assert (etype in _TRIGGERED) != bool(data.get("untriggered")), etype


def test_triggered_types_are_registered():
    from geo.events.triggers import _TRIGGERED

    assert _TRIGGERED <= set(IDS)


def test_every_trigger_rule_is_used():
    import re as _re

    from geo import lang
    from geo.events import triggers

    source = Path(triggers.__file__).read_text(encoding="utf-8")
    used = (set(_re.findall(r'r\["(\w+)"\]', source)) | set(_re.findall(r'rd\.(?:matches|all|search)\("(\w+)"\)', source))
            | set(triggers._ALONE) | set(triggers._ATTACK_OBJECTS) | set(triggers._AFTERMATH_RULES))
    optional = set(triggers._AFTERMATH_RULES)
    for code in lang.LANGUAGES:
        data = lang.load("triggers", lang=code)
        # no rule in the data that nothing reads, and the reverse: every language the same names,
        # but for the aftermath rules, which a language declares all together or not at all
        assert set(data["rules"]) | optional == used, code
        assert set(data["rules"]) & optional in (set(), optional), code
        assert data["hedge"] and data["habit"], code


def test_importing_reads_no_language_data():
    import subprocess
    import sys

    code = ("import geo.events, geo.lang, geo.events.gates as g; "
            "print(geo.lang.load.cache_info().currsize, g._automaton is None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1]).stdout.split()
    assert out == ["0", "True"]


def test_a_casualty_type_takes_its_acled_sub_type_from_its_means():
    assert acled_category("civilian_casualties", "explosive_device") == (
        "Explosions/Remote violence", "Remote explosive/landmine/IED")
    assert acled_category("civilian_casualties", "air_strike") == ("Explosions/Remote violence", "Air/drone strike")
    assert acled_category("explosive_device") == ("Explosions/Remote violence", "Remote explosive/landmine/IED")
