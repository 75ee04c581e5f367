"""Attacker, target and claimant: which countries a sentence casts in which role."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.events.sentences import _WINDOW
from geo.events.triggers import _STRIKE_TYPES

if TYPE_CHECKING:
    from geo.toponyms import Mention

__all__: list[str] = []

_ACTOR_RX = re.compile(
    r"(?<!\w)(?:(?P<KP>North\s+Korean?s?|DPRK|Pyongyang)|(?P<KR>South\s+Korean?s?|Seoul)"
    r"|(?P<RU>Russian?s?|Moscow|Kremlin)|(?P<UA>Ukrainian?s?|Ukraine|Kyiv|Kiev)"
    r"|(?P<BY>Belarus(?:ian)?s?|Minsk)|(?P<US>U\.S\.|US|USA|United\s+States|Americans?|Washington))(?![\w-])")
_REPORT = (r"(?:said|says|say|told|tells|claimed|claims|claim|reported|reports|announced|announces|accused"
           r"|accuses|accuse|denied|denies|warned|warns|stated|states|confirmed|confirms|added|wrote|posted)")
_INSTITUTION = (r"(?:military|armed\s+forces|forces|army|troops|general\s+staff|defen[cs]e\s+ministry"
                r"|ministry|government|officials?|president|leader|governor|authorities|air\s+force|navy"
                r"|security\s+service|intelligence|media|spokes(?:man|woman|person))")
_ACTIVE_VERB = (r"(?:attack(?:ed|s)?|struck|strikes?|hit|hits|launch(?:ed|es)|shell(?:ed|s)|fired|target(?:ed|s)"
                r"|captur(?:ed|es)|seized|recaptured|retook|clawed|deploy(?:ed|s|ing)|sen(?:t|ds|ding)|shot"
                r"|shoots|downed|intercepted|invaded|invades|advanced|advances|signed|visited|controls"
                r"|controlled|occupied|bombed|used|using|hits)")
_STOP_GAP = frozenset("that which who where when after before while because it its they their the a an "
                      "was were is are been being be of in at to for with".split())
_SPEAKER_AFTER = re.compile(rf"^(?:['’]s\b)?((?:\s+[\w’'.-]+){{0,4}}?)\s+{_REPORT}\b", re.I)
_SUBJECT_AFTER = re.compile(rf"^(?:['’]s\s+(?:armed\s+)?(?:forces|military|army|troops))?((?:\s+[\w’'-]+){{0,4}}?)"
                            rf"\s+{_ACTIVE_VERB}\b", re.I)
_INSTITUTION_AFTER = re.compile(rf"^['’]s\s+(?:[\w-]+\s+){{0,2}}?{_INSTITUTION}\b", re.I)
_WEAPON_AFTER = re.compile(r"^(?:['’]s)?\s+(?:[\w-]+\s+)?(?:drones?|missiles?|rockets?|shells|attacks?|strikes?"
                           r"|shelling|forces|troops|soldiers|army|assaults?|artillery|aircraft|jets)\b", re.I)
_SPEAKER_IT = re.compile(rf"^(?:['’]s)?(?:\s+[\w’'.-]+){{0,4}}?\s+{_REPORT}\s+(?:[\w]+day\s+|on\s+\w+\s+)?"
                         rf"(?:that\s+)?(?:it|they|its\s+forces)\s+(?:had\s+|has\s+|have\s+)?(?P<verb>[\w]+)", re.I)
_TARGET_BEFORE = re.compile(r"\b(?:attacks?|strikes?|assaults?|shelling|raids?)\s+(?:on|against)\s+(?:the\s+)?$"
                            r"|\bagainst\s+(?:the\s+)?$"
                            r"|\b(?:into|struck|hit|hits|attacked|targeted)\s+(?:the\s+)?$", re.I)
_BY_BEFORE = re.compile(r"\b(?:targeted|attacked|struck|hit|shelled|bombed|captured|seized|launched|fired"
                        r"|killed|wounded|injured|downed|intercepted)\s+(?:\w+\s+)?by\s+(?:the\s+)?$", re.I)
_TARGET_AFTER = re.compile(r"^(?:['’]s)?\s+(?:[\w-]+\s+)?(?:positions?|territory|infrastructure|cities|towns|villages"
                           r"|airfields?|air\s+bases?|bases?|refiner(?:y|ies)|oil|energy|power|grid)\b", re.I)
_FROM_BEFORE = re.compile(r"\bfrom\s+(?:the\s+)?$", re.I)
_SAID_BEFORE = re.compile(rf"\b(?:{_REPORT}|according\s+to)\s+(?:the\s+)?$", re.I)
_LOCATIVE_BEFORE = re.compile(r"\b(?:in|at|near|over|into|across|around|outside|inside)\s+(?:the\s+)?"
                              r"(?:[\w’'-]+\s+){0,2}$", re.I)
_REFERENCE_BEFORE = re.compile(r"\b(?:near|outside(?:\s+of)?|towards?|(?:north|south|east|west)(?:[\s-]?(?:east|west))?"
                               r"(?:ern)?\s+of|from|beyond|suburbs?\s+of(?:\s+the\s+city\s+of)?)\s+(?:the\s+)?$", re.I)
_DEFENDER_VERBS = re.compile(r"^(?:shot|shoots|downed|intercepted|destroyed|repelled)$", re.I)


def _gap_ok(gap: str, *, passive: bool = False) -> bool:
    stop = _STOP_GAP if passive else _STOP_GAP - {"was", "were", "is", "are", "been", "being", "be"}
    return not any(w.lower() in stop for w in gap.split())


def _is_speaker(after: str, before: str) -> bool:
    # the anchored match first: it fails on most names, the unanchored search is dearer
    m = _SPEAKER_AFTER.match(after[:80])
    return bool(m and _gap_ok(m.group(1))) and not _LOCATIVE_BEFORE.search(before[-40:])


def _is_subject(after: str) -> bool:
    m = _SUBJECT_AFTER.match(after[:80])
    return bool(m and _gap_ok(m.group(1), passive=True))


@dataclass(slots=True)
class _Ref:
    start: int          # offsets in the sentence
    end: int
    cc: str


def _actor_refs(sentence: str, mentions: Sequence[tuple[int, int, Mention]]) -> list[_Ref]:
    refs = [_Ref(m.start(), m.end(), m.lastgroup or "") for m in _ACTOR_RX.finditer(sentence)]
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
    if place_cc in ("RU", "UA") and etype in _STRIKE_TYPES:
        target = place_cc
    attacker = next((a for a in nearest(attackers) if a != target), None)
    if attacker:
        actors["attacker"] = attacker
    if target and target != attacker:
        actors["target"] = target
    if claimant:
        actors["claimed_by"] = claimant
    return actors


def _sides(sentence: str, refs: Sequence[_Ref], etype: str) -> _Sides:
    """Which countries the sentence casts as attacker, target and claimant, and where."""
    attackers: list[tuple[str, int]] = []
    targets: list[tuple[str, int]] = []
    claimant: str | None = None
    defender_types = etype == "air_defense"
    for ref in refs:
        # every pattern looks at most this far either side: bounded slices keep a long
        # sentence with many names linear
        before, after = sentence[max(0, ref.start - _WINDOW):ref.start], sentence[ref.end:ref.end + _WINDOW]
        it = _SPEAKER_IT.match(after[:120])
        if it:
            verb = it.group("verb")
            if _DEFENDER_VERBS.match(verb):
                targets.append((ref.cc, ref.start))
            elif re.match(_ACTIVE_VERB + "$", verb, re.I):
                attackers.append((ref.cc, ref.start))
        if _is_speaker(after, before):
            claimant = claimant or ref.cc
            if re.match(r"^(?:['’]s)?(?:\s+[\w’'.-]+){0,4}?\s+claim(?:ed|s)?\s+(?:the\s+)?captur", after, re.I):
                attackers.append((ref.cc, ref.start))
            continue
        if _TARGET_BEFORE.search(before[-30:]) or _TARGET_AFTER.match(after[:50]):
            targets.append((ref.cc, ref.start))
        elif _BY_BEFORE.search(before[-40:]):
            attackers.append((ref.cc, ref.start))
        elif _is_subject(after):
            m = _SUBJECT_AFTER.match(after[:80])
            verb = m.group(0).split()[-1] if m else ""
            if _DEFENDER_VERBS.match(verb):
                targets.append((ref.cc, ref.start))
            else:
                attackers.append((ref.cc, ref.start))
        elif _WEAPON_AFTER.match(after[:40]):
            attackers.append((ref.cc, ref.start))
    if defender_types:
        # whose drones were downed is the attacker; the side that downed them is the target
        weapon = [(r.cc, r.start) for r in refs if re.match(r"^\s+(?:[\w-]+\s+)?(?:drones?|missiles?|rockets?|uavs?)\b",
                                                   sentence[r.end:r.end + 40], re.I)]
        attackers = weapon + attackers
    return _Sides(tuple(attackers), tuple(targets), claimant)
