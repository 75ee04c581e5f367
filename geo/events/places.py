"""Where a sentence's event is: the most specific literal place that is not an actor."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.events.actors import (
    _BY_BEFORE, _FROM_BEFORE, _INSTITUTION_AFTER, _REFERENCE_BEFORE, _SAID_BEFORE, _is_speaker, _is_subject,
)
from geo.events.sentences import _WINDOW, Sentence

if TYPE_CHECKING:
    from gazetteer.model import Place
    from geo.protocols import GazetteerLike
    from geo.toponyms import Mention

__all__ = ["precision_of", "geo_precision"]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


_KIND_RANK = {"settlement": 0, "other": 0, "hromada": 1, "admin2": 2, "admin1": 3, "country": 4}
_PROMOTE_AFTER = re.compile(r"^(?:['’]s)?\s*(?:,\s*(?:a|the)\s+(?:[\w-]+\s+){0,2})?(?:region|regional|oblast"
                            r"|province|krai|incursion|offensive)\b", re.I)
_MADE_AFTER = re.compile(r"^-(?:made|built|supplied|provided|backed|led|based|born|designed|produced|funded)\b", re.I)
_JURISDICTION_BEFORE = re.compile(r"\b(?:governor|mayor|head|authorities|officials|administration)\s+(?:of|in)"
                                  r"\s+(?:the\s+)?$", re.I)
_JURISDICTION_AFTER = re.compile(r"^(?:['’]s)?\s+(?:acting\s+|regional\s+|city\s+)?(?:governor|mayor|authorities"
                                 r"|administration|head)\b", re.I)
_GOVERNOR_AFTER = re.compile(r"^(?:['’]s)?\s+(?:acting\s+|regional\s+)?governor\b", re.I)
_REGION_OF_BEFORE = re.compile(r"\bgovernor\s+of\s+(?:the\s+)?$", re.I)
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


def geo_precision(precision: str) -> int | None:
    """ACLED's geo_precision code: 1 settlement, 2 hromada (near a town), 3 region or country."""
    return {"settlement": 1, "hromada": 2, "region": 3, "country": 3}.get(precision)


@dataclass(slots=True)
class _Candidate:
    mention: Mention
    place: Place
    start: int                 # offsets in Article.text of the name as written
    end: int
    reference: bool            # "near X", "outside X": a reference point, not the scene


def _candidates(text: str, sent: Sentence, mentions: Sequence[Mention],
                gazetteer: GazetteerLike | None) -> list[_Candidate]:
    out: list[_Candidate] = []
    for mention in mentions:
        place = mention.place
        if place is None or not mention.literal or mention.role in ("demonym", "dateline"):
            continue
        before = text[max(sent.start, mention.start - _WINDOW):mention.start]
        after = text[mention.end:min(sent.end, mention.end + _WINDOW)]
        if _FROM_BEFORE.search(before[-12:]) or _MADE_AFTER.match(after[:20]):
            continue                        # "soldiers from North Korea"; "US-made"
        promote = _PROMOTE_AFTER.match(after[:40])
        # "Ukraine said", "Kyiv struck", "Russia attacked": actors, unless the name stands
        # for its jurisdiction ("Kursk governor said"); that rarer test runs only when needed
        if ((_is_speaker(after, before) or _INSTITUTION_AFTER.match(after[:60]) or _is_subject(after))
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
        out.append(_Candidate(mention, place, mention.start, mention.end,
                              bool(_REFERENCE_BEFORE.search(before[-40:]))))
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
