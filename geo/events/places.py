"""Where a sentence's event is: the most specific literal place that is not an actor.

How near the event is to the place named (ACLED's geo-precision reading of the words):

- "in X", "X was shelled": at X (precision from the gazetteer entry, :func:`precision_of`).
- "near X", "outside X", "on the outskirts of X", "in the X area", "in the direction of X",
  "5 km north of X": *in the vicinity of* X. In war reporting that is where the event is
  (ACLED codes it at X with geo-precision 2), so X is the event's place at ``hromada``
  precision (2), not a mere reference point.
- ... unless the vicinity phrase hangs on another place named just before it ("in Stari
  Terny near Kurakhove", "Trudove, 10 km from Kurakhove"): that place is the scene and X
  only locates it.
- "40 km from X": farther than :data:`_NEAR_KM` the event is not near X; X is a reference
  only, and alone it locates the event no better than its region.
- A qualifier ("X, Donetsk", "X (Sumy region)", resolution's role ``"qualifier"``) is never
  a place of its own: it only says which X is meant. When X itself could not be resolved,
  the qualifier's unit is all the text says about where, and the event is at region precision.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.events.actors import (
    _BY_BEFORE, _FROM_BEFORE, _INSTITUTION_AFTER, _LOCATIVE_BEFORE, _SAID_BEFORE, _is_speaker, _is_subject,
)
from geo.events.sentences import _WINDOW, Sentence

if TYPE_CHECKING:
    from gazetteer.model import Place
    from geo.protocols import GazetteerLike
    from geo.toponyms import Mention

__all__ = ["precision_of", "event_precision", "geo_precision"]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


#: How specific a place is: a hromada (a municipality of a few villages) is as local as a village
#: or town, so a sentence naming both gives both events; a raion, oblast or country is coarser.
_KIND_RANK = {"settlement": 0, "other": 0, "hromada": 0, "admin2": 2, "admin1": 3, "country": 4}
_PROMOTE_AFTER = re.compile(r"^(?:['’]s)?\s*(?:,\s*(?:a|the)\s+(?:[\w-]+\s+){0,2})?(?:region|regional|oblast"
                            r"|province|krai|incursion|offensive)\b", re.I)
_MADE_AFTER = re.compile(r"^-(?:made|built|supplied|provided|backed|led|based|born|designed|produced|funded)\b", re.I)
_JURISDICTION_BEFORE = re.compile(r"\b(?:governor|mayor|head|authorities|officials|administration)\s+(?:of|in)"
                                  r"\s+(?:the\s+)?$", re.I)
_JURISDICTION_AFTER = re.compile(r"^(?:['’]s)?\s+(?:acting\s+|regional\s+|city\s+)?(?:governor|mayor|authorities"
                                 r"|administration|head)\b", re.I)
_GOVERNOR_AFTER = re.compile(r"^(?:['’]s)?\s+(?:acting\s+|regional\s+)?governor\b", re.I)
_REGION_OF_BEFORE = re.compile(r"\bgovernor\s+of\s+(?:the\s+)?$", re.I)
#: "Donetsk People's Militia", "Luhansk People's Army": armed groups named after a place.
_GROUP_AFTER = re.compile(r"^\s+People['’]s\s+(?:Militia|Army|Police)\b", re.I)
#: "Donetsk People's Republic": the entity, read as its region.
_REPUBLIC_AFTER = re.compile(r"^\s+People['’]s\s+Republic\b", re.I)
#: A distance beyond which "N km from X" does not put the event near X.
_NEAR_KM = 25.0
_DISTANCE = (r"(?P<n>\d+(?:[.,]\d+)?)(?:\s*-\s*\d+(?:[.,]\d+)?)?\s*-?\s*(?P<unit>km|kilomet(?:er|re)s?|mi(?:les?)?)"
             r"(?:\s+(?:to\s+the\s+)?(?:north|south|east|west)(?:[\s-]?(?:east|west))?(?:ern)?)?\s+(?:of|from)")
#: Words before a name that put the event in its vicinity; the name may follow a descriptor
#: ("near the frontline town of X").
_VICINITY_BEFORE = re.compile(
    r"\b(?:near(?:by)?|close\s+to|not\s+far\s+from|(?:just\s+)?outside(?:\s+of)?|around"
    r"|(?:on\s+|in\s+)?the\s+(?:outskirts|suburbs?|environs|surroundings|vicinity|area|direction|edge)\s+of"
    r"|outskirts\s+of|in\s+proximity\s+(?:to|of)|towards?|approach(?:es)?\s+to"
    r"|(?:north|south|east|west)(?:[\s-]?(?:east|west))?(?:ern)?\s+of|" + _DISTANCE + r")"
    r"\s+(?:the\s+)?(?:(?:[\w’'-]+\s+){0,2}(?:village|town|city|settlement|township|hamlet)\s+of\s+)?$", re.I)
#: Words after a name that do the same ("in the Pokrovsk area", "the Kupiansk direction"), and
#: a town's municipality ("the Okhtyrka community", "Khotin territorial community"): somewhere
#: in the hromada it heads.
_COMMUNITY = r"(?:(?:territorial|urban|rural|settlement|village)\s+)?(?:community|hromada|municipality)"
_VICINITY_AFTER = re.compile(rf"^\s+(?:area|direction|sector|axis|outskirts|suburbs?|environs|{_COMMUNITY})\b", re.I)
_COMMUNITY_NAME = re.compile(rf"\s{_COMMUNITY}$", re.I)
#: What may separate a scene from the vicinity phrase that locates it ("A near B", "A, 5 km from B").
_ATTACHED_GAP = re.compile(r"^[\s,(–—-]*(?:(?:which\s+is|that\s+is|located|situated|lying|just|some|about"
                           r"|around|roughly|approximately)\s+)*$", re.I)
#: Where fire came from, not where it landed: "from their positions in X", "launched from the
#: direction of X", "from an airfield near X" (a bare "from X" is the actors' _FROM_BEFORE).
_ORIGIN_BEFORE = re.compile(r"\bfrom\s+(?:(?:the|their|its|his|an?|enemy|russian|ukrainian)\s+)?"
                            r"(?:(?:firing\s+)?positions?|bases?|airfields?|air\s+bases?|territory|launchers?|ships?"
                            r"|direction|side|area|outskirts|vicinity)"
                            r"\s+(?:in|near|at|around|of|outside)\s+(?:the\s+)?$",
                            re.I)
#: ... but driven away from a place, the fighting was there: "repelled from positions near X".
_AWAY_FROM_BEFORE = re.compile(r"\b(?:repell?ed|repulsed|pushed\s+back|driven\s+(?:back|out)|forced\s+(?:back|out)"
                               r"|ousted|expelled|dislodged|knocked\s+out|withdr[ae]wn?|retreated|pulled\s+back|fled)"
                               r"\s+(?:[\w’'-]+\s+){0,3}?from\s+[^.;]*$", re.I)
#: Between two names of a list ("A, B and C").
_LIST_GAP = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")
_ANAPHOR = _rx(r"\b(?:the|this|that)\s+(?:attacks?|strikes?|raids?|refinery|depot|terminal|facility|plant"
               r"|region|city|town|village|area|fire|blaze|explosions?|incident|assault|shelling|oblast)\b"
               r"|\bthere\b")


def precision_of(place: Place) -> str:
    """The event precision a gazetteer entry gives (ACLED geo-precision idea)."""
    if place.kind == "country":
        return "country"
    if place.kind in ("admin1", "admin2"):
        return "region"
    if place.kind == "hromada" or place.precision in ("hromada_centre", "anchor"):
        return "hromada"
    return "settlement"


def event_precision(place: Place, *, near: bool = False) -> str:
    """The precision of an event at ``place``: that of the entry (:func:`precision_of`), and
    ``hromada`` (ACLED's 2, "near a town") for a settlement the text puts the event near."""
    precision = precision_of(place)
    return "hromada" if near and precision == "settlement" else precision


def geo_precision(precision: str) -> int | None:
    """ACLED's geo_precision code: 1 settlement, 2 hromada (near a town), 3 region or country."""
    return {"settlement": 1, "hromada": 2, "region": 3, "country": 3}.get(precision)


@dataclass(slots=True)
class _Candidate:
    mention: Mention
    place: Place
    start: int                 # offsets in Article.text of the name as written
    end: int
    near: bool = False         # "near X", "outside X", "in the X area": in X's vicinity, not at X
    reference: bool = False    # "A near X", "40 km from X": X only locates another place


def _vicinity(before: str, after: str) -> tuple[bool, float | None]:
    """(in the vicinity of the name, distance in km when the text gives one)."""
    m = _VICINITY_BEFORE.search(before[-80:])
    if m is None:
        return bool(_VICINITY_AFTER.match(after[:20])), None
    if m.group("n") is None:
        return True, None
    n = float(m.group("n").replace(",", "."))
    return True, n * (1.609 if m.group("unit").lower().startswith("mi") else 1.0)


def _candidates(text: str, sent: Sentence, mentions: Sequence[Mention],
                gazetteer: GazetteerLike | None) -> list[_Candidate]:
    out: list[_Candidate] = []
    previous: Mention | None = None
    head: Mention | None = None             # the name a chain of qualifiers qualifies
    for mention in mentions:
        prev, previous = previous, mention
        if mention.role == "qualifier":
            if head is not None and head.place is not None:
                continue                    # "X, Donetsk": only says which X
        else:
            head = mention
        place = mention.place
        if place is None or not mention.literal or mention.role in ("demonym", "dateline"):
            continue
        before = text[max(sent.start, mention.start - _WINDOW):mention.start]
        after = text[mention.end:min(sent.end, mention.end + _WINDOW)]
        near, km = _vicinity(before, after)
        near = near or bool(place.kind == "settlement" and _COMMUNITY_NAME.search(mention.text))
        origin = ((_FROM_BEFORE.search(before[-12:]) and km is None and not near)
                  or _ORIGIN_BEFORE.search(before[-60:]))
        if ((origin and not _AWAY_FROM_BEFORE.search(before[-80:]))
                or _MADE_AFTER.match(after[:20]) or _GROUP_AFTER.match(after[:30])):
            continue                        # "soldiers from North Korea", "fired from positions near X";
            #                                 "US-made"; "Donetsk People's Militia"
        promote = _PROMOTE_AFTER.match(after[:40]) or _REPUBLIC_AFTER.match(after[:30])
        # "Ukraine said", "Kyiv struck", "Russia attacked": actors, unless the name stands
        # for its jurisdiction ("Kursk governor said"); that rarer test runs only when needed
        # (a name after "near", "in", "at" is where something happened, not who did it: "near X
        # using grenade launchers" is no subject)
        if ((_is_speaker(after, before) or _INSTITUTION_AFTER.match(after[:60])
             or (_is_subject(after) and not (near or _LOCATIVE_BEFORE.search(before[-40:]))))
                and not (promote or _JURISDICTION_BEFORE.search(before[-30:])
                         or _JURISDICTION_AFTER.match(after[:40]))):
            continue
        if place.kind == "country" and (_BY_BEFORE.search(before[-40:]) or _SAID_BEFORE.search(before[-25:])):
            continue
        if (gazetteer is not None and place.kind in ("settlement", "other") and place.admin1
                and (promote or _REGION_OF_BEFORE.search(before[-30:])
                     or _GOVERNOR_AFTER.match(after[:40]))):
            try:
                place = gazetteer.admin1(place.admin1)
            except LookupError:
                pass
        if mention.role == "qualifier" and place.kind == "settlement" and place.admin1 and gazetteer is not None:
            try:                            # a qualifier is its unit, never the unit's capital
                place = gazetteer.admin1(place.admin1)
            except LookupError:
                continue
        reference = km is not None and km > _NEAR_KM
        last = out[-1] if out and prev is out[-1].mention else None
        if last is not None and not near and _LIST_GAP.fullmatch(text, last.end, mention.start):
            near, reference = last.near, last.reference     # "near A, B and C": near each
        elif near and not reference and last is not None:
            # "in A near X", "A, 5 km from X": A is the scene, X locates it
            reference = bool(_ATTACHED_GAP.match(_VICINITY_BEFORE.sub("", text[last.end:mention.start])))
        out.append(_Candidate(mention, place, mention.start, mention.end, near=near, reference=reference))
    if not out:
        return out
    if all(c.reference for c in out):
        # "a village 40 km from X": the text locates the event only as well as X's region
        far = [c for c in out if c.place.kind not in ("country", "admin1")]
        if gazetteer is not None and far and far[0].place.admin1:
            try:
                region = gazetteer.admin1(far[0].place.admin1)
            except LookupError:
                return []
            c = far[0]
            return [_Candidate(c.mention, region, c.start, c.end)]
        out = [c for c in out if c.place.kind in ("country", "admin1")]
        if not out:
            return out
    best = min(_KIND_RANK.get(c.place.kind, 0) for c in out)
    top = [c for c in out if _KIND_RANK.get(c.place.kind, 0) == best]
    scene = [c for c in top if not c.reference]
    top = scene or top
    unique: dict[str, _Candidate] = {}
    for c in top:
        unique.setdefault(c.place.id, c)
    top = list(unique.values())
    return top[:1] if best >= _KIND_RANK["country"] else top
