"""Attacker, target and claimant: which countries a sentence casts in which role."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo import lang
from geo.events.sentences import _WINDOW
from geo.events.triggers import _STRIKE_TYPES

if TYPE_CHECKING:
    from geo.toponyms import Mention

__all__ = ["ActorRules", "actor_rules", "merged_actors"]


@dataclass(frozen=True, slots=True)
class ActorRules:
    """One language's actor patterns (``geo/lang/<lang>/actors.toml``), compiled."""

    countries: re.Pattern[str]          # a named group per ISO country code
    speaker_after: re.Pattern[str]
    subject_after: re.Pattern[str]
    institution_after: re.Pattern[str]
    weapon_after: re.Pattern[str]
    speaker_it: re.Pattern[str]
    claims_capture: re.Pattern[str]
    target_before: re.Pattern[str]
    by_before: re.Pattern[str]
    target_after: re.Pattern[str]
    territory_after: re.Pattern[str]
    from_before: re.Pattern[str]
    said_before: re.Pattern[str]
    locative_before: re.Pattern[str]
    defender_verb: re.Pattern[str]
    active_verb: re.Pattern[str]
    aerial_weapon_after: re.Pattern[str]
    stop_words: frozenset[str]          # may not stand between an actor and its verb
    speaker_stop_words: frozenset[str]  # ... between a speaker and its verb of reporting
    pieces: dict[str, str]              # the named pieces, for other files' patterns
    # optional, for languages that need them (None: the language has no such construction)
    institution_before: re.Pattern[str] | None = None   # "Міноборони Росії": the name follows
    agent_before: re.Pattern[str] | None = None # a passive participle before its agent ...
    agent_form: re.Pattern[str] | None = None   # ... whose name has this ending (the instrumental)
    object_form: re.Pattern[str] | None = None  # a name in a case no subject is in ("Росію")
    enemy: re.Pattern[str] | None = None        # "the enemy": the side opposite the report's
    own: re.Pattern[str] | None = None          # "our forces": the report's own side


@lang.per_data_language
def actor_rules(code: str) -> ActorRules:
    """The actor patterns of a language (its data's: :func:`geo.lang.data_language`)."""
    file = lang.pattern_file("actors", lang=code)
    data, rx, optional = file.data, file.compile, file.optional

    def words(name: str) -> re.Pattern[str] | None:
        sides = data.get("sides") or {}
        return re.compile(sides[name]) if sides.get(name) else None

    countries = re.compile(r"(?<!\w)(?:" + "|".join(f"(?P<{cc}>{alt})" for cc, alt in data["countries"].items())
                           + r")(?![\w-])")
    stop = frozenset(data["gaps"]["stop_words"])
    return ActorRules(
        countries=countries, speaker_after=rx("speaker_after"), subject_after=rx("subject_after"),
        institution_after=rx("institution_after"), weapon_after=rx("weapon_after"), speaker_it=rx("speaker_it"),
        claims_capture=rx("claims_capture"), target_before=rx("target_before"), by_before=rx("by_before"),
        target_after=rx("target_after"), territory_after=rx("territory_after"), from_before=rx("from_before"),
        said_before=rx("said_before"),
        locative_before=rx("locative_before"), defender_verb=rx("defender_verb"), active_verb=rx("active_verb"),
        aerial_weapon_after=rx("aerial_weapon_after"), stop_words=stop,
        speaker_stop_words=stop - frozenset(data["gaps"]["auxiliaries"]), pieces=file.named,
        institution_before=optional("institution_before"), agent_before=optional("agent_before"),
        agent_form=optional("agent_form"), object_form=optional("object_form"),
        enemy=words("enemy"), own=words("own"))


_COUNTER_ROLE = {"attacker": "target", "target": "attacker"}


def merged_actors(first: dict[str, str], second: dict[str, str]) -> dict[str, str]:
    """``first``'s roles, and those of ``second`` it lacks, where they leave no side both attacker
    and target (two reports of one strike may cast its sides differently: the first stands)."""
    out = dict(first)
    for role, cc in second.items():
        other = _COUNTER_ROLE.get(role)
        if role not in out and (other is None or out.get(other) != cc):
            out[role] = cc
    return out


def _gap_ok(gap: str, stop: frozenset[str]) -> bool:
    return not any(w.lower() in stop for w in gap.split())


def _is_speaker(after: str, before: str, rules: ActorRules) -> bool:
    # the anchored match first: it fails on most names, the unanchored search is dearer
    m = rules.speaker_after.match(after[:80])
    return (bool(m and _gap_ok(m.group(1), rules.speaker_stop_words))
            and not rules.locative_before.search(before[-40:]))


def _is_subject(after: str, rules: ActorRules) -> bool:
    m = rules.subject_after.match(after[:80])
    return bool(m and _gap_ok(m.group(1), rules.stop_words))


def _verb_next(after: str, rules: ActorRules) -> bool:
    """Whether the word right after a name is a verb of action: what follows that verb is its
    object ("ЗСУ знищили склад", "России атаковали аэродром"), not a thing of the name's."""
    first = after.split(None, 1)
    return bool(first) and rules.active_verb.match(first[0]) is not None


def _owns_weapon(name: str, after: str, rules: ActorRules) -> bool:
    """Whether the weapons or forces just after a name are its ("Russian drones", "російські
    ударні дрони"), not the subject of a verb the name is the object of, in free word order
    ("Росію атакували дрони": not Russia's drones)."""
    if not rules.weapon_after.match(after[:40]):
        return False
    return rules.object_form is None or not rules.object_form.search(name) or not _verb_next(after, rules)


def _institution_of(before: str, rules: ActorRules) -> bool:
    """Whether one of its country's institutions stands just before a name, which then follows
    in the genitive ("Вооруженные силы России нанесли удар": the forces act)."""
    return rules.institution_before is not None and bool(rules.institution_before.search(before[-60:]))


@dataclass(slots=True)
class _Ref:
    start: int          # offsets in the sentence
    end: int
    cc: str


#: The other side of this war's two (what "the enemy" names in a report of one of them).
_OTHER_SIDE = {"RU": "UA", "UA": "RU"}


def _actor_refs(sentence: str, mentions: Sequence[tuple[int, int, Mention]], rules: ActorRules,
                side: str | None = None) -> list[_Ref]:
    """The country references of ``sentence``: its country words, and its mentions of a
    country (or of a place standing for one). ``side``: the report's own side ("RU", "UA";
    :func:`geo.events.sides.report_side`), which decides what "the enemy" and "our forces" name."""
    refs = [_Ref(m.start(), m.end(), m.lastgroup or "") for m in rules.countries.finditer(sentence)]
    if side in _OTHER_SIDE:
        for rx, cc in ((rules.enemy, _OTHER_SIDE[side]), (rules.own, side)):
            if rx is not None:
                refs += [_Ref(m.start(), m.end(), cc) for m in rx.finditer(sentence)
                         if not any(r.start < m.end() and m.start() < r.end for r in refs)]
    covered = [(r.start, r.end) for r in refs]
    for s, e, mention in mentions:
        place = mention.place
        if place is None or any(s < ce and cs < e for cs, ce in covered):
            continue
        if place.kind == "country" or not mention.literal or mention.role == "demonym":
            refs.append(_Ref(s, e, place.country))
    return sorted(refs, key=lambda r: r.start)


@dataclass(frozen=True, slots=True)
class _Sides:
    attackers: tuple[tuple[str, int], ...]     # (country, position in the sentence)
    targets: tuple[tuple[str, int], ...]
    claimant: str | None


def _actors(sides: _Sides, etype: str, *, place_cc: str | None = None,
            anchor: int | None = None) -> dict[str, str]:
    """Attacker, target and claimant, as ISO country codes, where the sentence states them.

    ``place_cc``: the country of the event's place; a strike's target side is where it landed.
    ``anchor``: where the primary trigger is; of several stated sides the nearest wins
    ("Kyiv struck an airfield, prompting a Russian attack on Ukraine's energy infrastructure").
    """
    attackers, targets, claimant = list(sides.attackers), list(sides.targets), sides.claimant

    def nearest(found: list[tuple[str, int]]) -> list[str]:
        if anchor is None:
            return [cc for cc, _ in found]
        return [cc for cc, _ in sorted(found, key=lambda f: abs(f[1] - anchor))]

    actors: dict[str, str] = {}
    ranked_targets = nearest(targets)
    target = ranked_targets[0] if ranked_targets else None
    stated = nearest(attackers)
    if place_cc in _OTHER_SIDE and etype in _STRIKE_TYPES:
        # where it landed, unless every attacker the sentence names is that side: its strike at
        # home hit the other's forces there ("Украинский беспилотник сбросил гранату рядом с
        # российскими военными у ... Авдеевского завода", "Ukrainian forces shelled DPR
        # positions in Donetsk")
        target = _OTHER_SIDE[place_cc] if stated and set(stated) == {place_cc} else place_cc
    attacker = next((a for a in stated if a != target), None)
    if attacker:
        actors["attacker"] = attacker
    if target and target != attacker:
        actors["target"] = target
    if claimant:
        actors["claimed_by"] = claimant
    return actors


def _sides(sentence: str, refs: Sequence[_Ref], etype: str, rules: ActorRules) -> _Sides:
    """Which countries the sentence casts as attacker, target and claimant, and where."""
    attackers: list[tuple[str, int]] = []
    targets: list[tuple[str, int]] = []
    claimant: str | None = None
    defender_types = etype == "air_defense"
    # a side that downs, destroys or repels defends in an interception or a fight, and strikes
    # in a strike ("ВКС России ... уничтожили арсенал", "ЗСУ знищили склад")
    downs_defends = defender_types or etype not in _STRIKE_TYPES
    for ref in refs:
        # every pattern looks at most this far either side: bounded slices keep a long
        # sentence with many names linear
        before, after = sentence[max(0, ref.start - _WINDOW):ref.start], sentence[ref.end:ref.end + _WINDOW]
        it = rules.speaker_it.match(after[:120])
        if it:
            verb = it.group("verb")
            if downs_defends and rules.defender_verb.match(verb):
                targets.append((ref.cc, ref.start))
            elif rules.active_verb.match(verb):
                attackers.append((ref.cc, ref.start))
        if _is_speaker(after, before, rules):
            claimant = claimant or ref.cc
            if rules.claims_capture.match(after):
                attackers.append((ref.cc, ref.start))
            continue
        if rules.target_before.search(before[-30:]) or (rules.target_after.match(after[:50])
                                                        and not _verb_next(after, rules)):
            targets.append((ref.cc, ref.start))
        elif rules.by_before.search(before[-40:]) or (
                rules.agent_before is not None and rules.agent_form is not None
                and rules.agent_before.search(before[-40:]) and rules.agent_form.search(sentence[ref.start:ref.end])):
            attackers.append((ref.cc, ref.start))
        elif _is_subject(after, rules) and (rules.object_form is None
                                            or not rules.object_form.search(sentence[ref.start:ref.end])
                                            or _institution_of(before, rules)):
            m = rules.subject_after.match(after[:80])
            verb = m.group(0).split()[-1] if m else ""
            if downs_defends and rules.defender_verb.match(verb):
                targets.append((ref.cc, ref.start))
            else:
                attackers.append((ref.cc, ref.start))
        elif not defender_types and _owns_weapon(sentence[ref.start:ref.end], after, rules):
            # (in an interception the downed weapons alone are the attacker's, below: "Ukrainian
            # soldiers of the 93rd brigade shot down a Russian jet" are the defenders)
            attackers.append((ref.cc, ref.start))
    if defender_types:
        # whose drones were downed is the attacker; the side that downed them is the target
        weapon = [(r.cc, r.start) for r in refs if rules.aerial_weapon_after.match(sentence[r.end:r.end + 40])]
        attackers = weapon + attackers
    return _Sides(tuple(attackers), tuple(targets), claimant)
