"""One event per incident across articles."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from geo.events.actors import merged_actors
from geo.events.dates import dates_compatible
from geo.events.model import Event
from geo.events.triggers import _PRIORITY

__all__ = ["incident_key", "same_incident", "merge_events", "corroborated_confidence"]

#: Each further report of an incident raises its confidence by this much...
CORROBORATION_BONUS = 0.05
#: ...but never to certainty: every report was read by a machine.
CONFIDENCE_CAP = 0.99


def incident_key(event: Event) -> tuple[str, str] | None:
    """What two reports must share to be one incident (then dates must be compatible)."""
    if not event.place_id:
        return None
    return event.event_type, event.place_id


def same_incident(a: Event, b: Event) -> bool:
    """Same primary type, same gazetteer place, compatible dates (see :func:`dates_compatible`)."""
    key = incident_key(a)
    return key is not None and key == incident_key(b) and dates_compatible(a.date, b.date)


def merge_events(events: Iterable[Event]) -> list[Event]:
    """One event per incident: a later report of an incident already seen adds its article to
    the first report's ``sources`` (and its tags and triggers). The first report of each
    incident, in input order, is kept; this is also what the store does when articles are
    added in the same order."""
    out: list[Event] = []
    clusters: dict[tuple[str, str], list[int]] = {}
    for ev in events:
        key = incident_key(ev)
        if key is not None:
            for i in clusters.get(key, []):
                rep = out[i]
                if dates_compatible(rep.date, ev.date):
                    out[i] = _absorb(rep, ev)
                    break
            else:
                clusters.setdefault(key, []).append(len(out))
                out.append(ev)
            continue
        out.append(ev)
    return out


def corroborated_confidence(a: float | None, b: float) -> float:
    """The confidence of an incident reported with confidences ``a`` (None: unknown) and ``b``."""
    return round(min(CONFIDENCE_CAP, max(a or 0.0, b) + CORROBORATION_BONUS), 2)


def _absorb(rep: Event, other: Event) -> Event:
    sources = tuple(dict.fromkeys(rep.sources + other.sources))
    if len(sources) == len(rep.sources) and rep.article_id == other.article_id:
        return rep
    tags = tuple(t for t in _PRIORITY if (t in rep.tags or t in other.tags) and t != rep.event_type)
    triggers = tuple(dict.fromkeys(rep.triggers + other.triggers))
    numbers = {**other.numbers, **rep.numbers}
    actors = merged_actors(rep.actors, other.actors)
    confidence = corroborated_confidence(rep.confidence, other.confidence)
    return dataclasses.replace(rep, sources=sources, tags=tags, triggers=triggers,
                               numbers=dict(sorted(numbers.items())), actors=actors, confidence=confidence)
