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

from geo import lang
from geo.events.actors import ActorRules, _institution_of, _is_speaker, _is_subject, actor_rules
from geo.events.sentences import _WINDOW, Sentence
from geo.toponyms import CONTINENT_PREFIX

if TYPE_CHECKING:
    from gazetteer.model import Place
    from geo.protocols import GazetteerLike
    from geo.toponyms import Mention

__all__ = ["is_continent", "precision_of", "event_precision", "geo_precision", "PlaceRules", "place_rules"]


#: How specific a place is: a hromada (a municipality of a few villages) is as local as a village
#: or town, so a sentence naming both gives both events; a raion, oblast or country is coarser.
_KIND_RANK = {"settlement": 0, "other": 0, "hromada": 0, "admin2": 2, "admin1": 3, "country": 4}
#: A distance beyond which "N km from X" does not put the event near X.
_NEAR_KM = 25.0


@dataclass(frozen=True, slots=True)
class PlaceRules:
    """One language's place patterns (``geo/lang/<lang>/places.toml``), compiled."""

    promote_after: re.Pattern[str]
    made_after: re.Pattern[str]
    weapon_name_after: re.Pattern[str]
    strike_noun_after: re.Pattern[str]
    jurisdiction_before: re.Pattern[str]
    jurisdiction_after: re.Pattern[str]
    governor_after: re.Pattern[str]
    region_of_before: re.Pattern[str]
    group_after: re.Pattern[str]
    pipeline_before: re.Pattern[str]
    pipeline_after: re.Pattern[str]
    republic_after: re.Pattern[str]
    vicinity_before: re.Pattern[str]
    vicinity_after: re.Pattern[str]
    sector_after: re.Pattern[str]
    community_name: re.Pattern[str]
    attached_gap: re.Pattern[str]
    origin_before: re.Pattern[str]
    destination_before: re.Pattern[str]
    away_from_before: re.Pattern[str]
    list_gap: re.Pattern[str]
    anaphor: re.Pattern[str]
    distance_units: tuple[tuple[str, float], ...]    # (how a unit starts, km per unit)
    actors: ActorRules
    settlements_act: bool = True    # a settlement before a verb of action is its subject ("Kyiv struck")


@lang.per_data_language
def place_rules(code: str) -> PlaceRules:
    """The place patterns of a language (its data's: :func:`geo.lang.data_language`)."""
    file = lang.pattern_file("places", lang=code)
    data, rx = file.data, file.compile

    return PlaceRules(
        promote_after=rx("promote_after"), made_after=rx("made_after"),
        weapon_name_after=rx("weapon_name_after"), strike_noun_after=rx("strike_noun_after"),
        jurisdiction_before=rx("jurisdiction_before"), jurisdiction_after=rx("jurisdiction_after"),
        governor_after=rx("governor_after"), region_of_before=rx("region_of_before"),
        group_after=rx("group_after"), pipeline_before=rx("pipeline_before"), pipeline_after=rx("pipeline_after"),
        republic_after=rx("republic_after"),
        vicinity_before=rx("vicinity_before"), vicinity_after=rx("vicinity_after"), sector_after=rx("sector_after"),
        community_name=rx("community_name"), attached_gap=rx("attached_gap"), origin_before=rx("origin_before"),
        destination_before=rx("destination_before"), away_from_before=rx("away_from_before"),
        list_gap=rx("list_gap"), anaphor=rx("anaphor"),
        distance_units=tuple((str(k).lower(), float(v)) for k, v in data["distance_units"].items()),
        actors=actor_rules(code), settlements_act=bool(data.get("settlements_act", True)))


def is_continent(place: Place) -> bool:
    """Whether ``place`` is a continent ("Europe", "ЄС"): never an event's scene, for its point
    lies thousands of km from most of it and no precision (not even a country's) is honest there."""
    return place.id.startswith(CONTINENT_PREFIX)


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
    sector: bool = False       # "the Pokrovsk direction": a front's sector, named after X
    speaker: bool = False      # "Kursk's authorities said": X speaks; the scene only if none is named


def _vicinity(before: str, after: str, rules: PlaceRules) -> tuple[bool, float | None]:
    """(in the vicinity of the name, distance in km when the text gives one)."""
    m = rules.vicinity_before.search(before[-80:])
    if m is None:
        return bool(rules.vicinity_after.match(after[:20])), None
    if m.group("n") is None:
        return True, None
    n = float(m.group("n").replace(",", "."))
    unit = m.group("unit").lower()
    return True, n * next((km for start, km in rules.distance_units if unit.startswith(start)), 1.0)


def _may_act(mention: Mention, place: Place, rules: PlaceRules) -> bool:
    """Whether a name before a verb of action may be its subject: in English always ("Kyiv
    struck"); where word order is free (``settlements_act = false``) only a country or a name
    the language's actors list ("Київ", "Москва"), since a town before the verb is as often its
    object ("Херсон обстріляли": Kherson was shelled)."""
    return (rules.settlements_act or place.kind == "country"
            or rules.actors.countries.fullmatch(mention.text) is not None)


def _candidates(text: str, sent: Sentence, mentions: Sequence[Mention],
                gazetteer: GazetteerLike | None, rules: PlaceRules) -> list[_Candidate]:
    """Where the sentence's events are: the places it names as scenes, of the finest kind."""
    out: list[_Candidate] = []
    previous: Mention | None = None
    head: Mention | None = None             # the name a chain of qualifiers qualifies
    for mention in mentions:
        prev, previous = previous, mention
        if _names_pipeline(text, sent, mention, rules):
            head = None                     # "нефтепровод Дружба в Брянской области": the unit is where
            continue
        if mention.role == "qualifier":
            if head is not None and head.place is not None:
                continue                    # "X, Donetsk": only says which X
        else:
            head = mention
        c = _candidate(text, sent, mention, gazetteer, rules)
        if c is None:
            continue
        last = out[-1] if out and prev is out[-1].mention else None
        if last is not None and not c.near and rules.list_gap.fullmatch(text, last.end, mention.start):
            c.near, c.reference = last.near, last.reference     # "near A, B and C": near each
        elif c.near and not c.reference and last is not None:
            attached = bool(rules.attached_gap.match(rules.vicinity_before.sub("", text[last.end:mention.start])))
            if attached and last.near and not last.reference:
                # "northeast of Kupiansk near Synkivka": the village is the scene, the town
                # only says which way from it
                last.reference = True
            else:
                # "in A near X", "A, 5 km from X": A is the scene, X locates it
                c.reference = attached
        out.append(c)
    return _scenes(out, gazetteer)


def _names_pipeline(text: str, sent: Sentence, mention: Mention, rules: PlaceRules) -> bool:
    """Whether the name is a pipeline's ("the Druzhba pipeline", "нафтопровід Дружба"): the
    line runs through no one place of that name."""
    before = text[max(sent.start, mention.start - 30):mention.start]
    after = text[mention.end:min(sent.end, mention.end + 30)]
    return bool(rules.pipeline_before.search(before) or rules.pipeline_after.match(after))


def _candidate(text: str, sent: Sentence, mention: Mention, gazetteer: GazetteerLike | None,
               rules: PlaceRules) -> _Candidate | None:
    """The place a mention puts an event at, read in its words around (None: an actor, an
    origin, a maker, a group's name...)."""
    place = mention.place
    if place is None or not mention.literal or mention.role in ("demonym", "dateline") or is_continent(place):
        return None
    actors = rules.actors
    before = text[max(sent.start, mention.start - _WINDOW):mention.start]
    after = text[mention.end:min(sent.end, mention.end + _WINDOW)]
    near, km = _vicinity(before, after, rules)
    near = near or bool(place.kind == "settlement" and rules.community_name.search(mention.text))
    origin = ((actors.from_before.search(before[-12:]) and km is None and not near)
              or rules.origin_before.search(before[-60:]))
    if ((origin and not rules.away_from_before.search(before[-80:]))
            or rules.made_after.match(after[:20]) or rules.group_after.match(after[:30])
            or rules.weapon_name_after.match(after[:40])):
        return None                         # "soldiers from North Korea", "fired from positions near X";
        #                                     "US-made"; "Donetsk People's Militia"; "Magura navy drones"
    promote = rules.promote_after.match(after[:40]) or rules.republic_after.match(after[:30])
    # "Ukraine said", "Kyiv struck", "Russia attacked": actors, unless the name stands
    # for its jurisdiction ("Kursk governor said"); that rarer test runs only when needed
    # (a name after "near", "in", "at" is where something happened, not who did it: "near X
    # using grenade launchers" is no subject)
    speaker = bool(_is_speaker(after, before, actors) or actors.institution_after.match(after[:60])
                   or _institution_of(before, actors)
                   or (_is_subject(after, actors) and not (near or actors.locative_before.search(before[-40:]))
                       and _may_act(mention, place, rules)
                       and not (place.kind != "country" and rules.strike_noun_after.match(after[:40]))))
    if speaker and not (promote or rules.jurisdiction_before.search(before[-30:])
                        or rules.jurisdiction_after.match(after[:40])):
        return None
    if place.kind == "country" and (actors.by_before.search(before[-40:])
                                    or actors.said_before.search(before[-25:])
                                    or rules.destination_before.search(before[-60:])):
        return None
    if (gazetteer is not None and place.kind in ("settlement", "other") and place.admin1
            and (promote or rules.region_of_before.search(before[-30:])
                 or rules.governor_after.match(after[:40]))):
        try:
            place = gazetteer.admin1(place.admin1)
        except LookupError:
            pass
    if mention.role == "qualifier" and place.kind == "settlement" and place.admin1 and gazetteer is not None:
        try:                                # a qualifier is its unit, never the unit's capital
            place = gazetteer.admin1(place.admin1)
        except LookupError:
            return None
    return _Candidate(mention, place, mention.start, mention.end, near=near,
                      reference=km is not None and km > _NEAR_KM,
                      sector=bool(rules.sector_after.match(after[:20])), speaker=speaker)


def _scenes(out: list[_Candidate], gazetteer: GazetteerLike | None) -> list[_Candidate]:
    """Of the candidates, the scenes of the finest kind, each place once (a country alone)."""
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
    # "on the Kupiansk direction the enemy attacked near A and B": A and B are where, the
    # direction only the sector they lie in; "Kyiv's authorities said drones struck Moscow":
    # Moscow is where, Kyiv only who speaks (alone, a town's authorities speak of it)
    top = [c for c in scene if not (c.sector or c.speaker)] or scene or top
    unique: dict[str, _Candidate] = {}
    for c in top:
        unique.setdefault(c.place.id, c)
    top = list(unique.values())
    return top[:1] if best >= _KIND_RANK["country"] else top
