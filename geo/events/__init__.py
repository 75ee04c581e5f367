"""Typed, geocoded incidents: resolved place mentions in, events out.

An event is one reported incident at one place. Extraction is rule based and explainable:

1. **Sentences.** The body is split into paragraphs and sentences with their offsets
   (:func:`split_sentences`). Headings (a short line without final punctuation) are kept
   for offsets but never produce events: they repeat what the paragraph below says.
2. **Types.** Each sentence is matched against the trigger rules of its language
   (``geo/lang/<lang>/triggers.toml``, combined in :func:`geo.events.triggers._classify`):
   an attack word plus a weapon (drone, missile/artillery), an attack plus an energy target,
   an interception, a capture, a deployment, casualties of civilians, a visit or treaty.
   A trigger is dropped when hedged ("close to capturing", "could be struck") and a sentence
   about habits ("regularly attacks") is skipped. One primary type wins by the order of the
   event-type registry (:mod:`geo.event_types`); the others become ``tags``; ``triggers``
   lists the words that matched.
3. **Place.** The most specific *literal* mention in the sentence (settlement < hromada <
   admin2 < admin1 < country) that is not an actor: not a metonym (``Mention.literal`` is
   False), not a speaker ("Ukraine said", "Russia's military said"), not the subject of an
   attack verb ("Russia attacked with 132 drones"), not an origin ("soldiers from North
   Korea", "fired from positions in X"). Several equally specific places ("Stari Terny and
   Trudove") give one event each. A town used for its region ("Oryol regional governor",
   "Kursk, a Russian region") is promoted to the region when a gazetteer is given. "Near X",
   "outside X", "in the X area" put the event at X at ``hromada`` precision; a qualifier
   ("X, Donetsk") is never a place of its own (see :mod:`geo.events.places`). Where a
   language's word order is free (Ukrainian, Russian: ``settlements_act = false``) a town
   before the verb is its object ("Херсон обстріляли"), and a sentence that chains clauses
   each with its own place and report (``clause_marks``) gives each place its own clause's
   types, counts and sides.
4. **Runs of sentences.** A sentence with a trigger but no place of its own continues the
   previous event when it refers back to it ("the attack", "the refinery", "the region") or
   sits in the same paragraph: its types become tags and its numbers are added. Otherwise it
   inherits the place of a previous sentence of the same paragraph, or, for attacks and
   interceptions, becomes a country-level event at the target side's country ("Russia
   attacked with 132 drones" is an event in Ukraine; "shot down 60 Ukrainian drones" in Russia).
5. **Within an article** the same incident told twice (same type, same place, compatible
   date) is one event, and a region-level event followed closely by the same type in a
   settlement of that region folds into the settlement's event.

Sides: what "the enemy" ("ворог", "противник") names is the other side of the report's own,
from its outlet or channel, its language or its words (:mod:`geo.events.sides`).

Dates are resolved against the article date ("overnight", "Saturday", "last month", "in
June"); a sentence without a date of its own goes on with the one its paragraph just gave,
then the article date; a report's issue date ("as of 1 April") never dates the event; with no
article date relative expressions stay unknown. Dates are ISO strings at their precision:
``2024-12-14`` (day), ``2024-11`` (month), ``2024`` (year).

Precision follows ACLED's geo-precision: ``settlement`` (1), ``hromada`` (2: a village placed
at its hromada's centre or at a nearby anchor, a hromada, or near a named place: "near X"),
``region`` (3: oblast or raion; named as the region), ``country``. An event whose place is
inferred, not named in its excerpt, has ``place_start == place_end``.

Modules: ``model`` (Event, columns), ``sentences``, ``gates`` (the one-pass pre-filter, keys
derived from the patterns), ``triggers``, ``actors``, ``numbers``, ``dates``, ``places``,
``extraction`` (one article), ``merge`` (across articles), ``export`` (tables, GeoJSON, ACLED).
"""

from __future__ import annotations

from geo.events.dates import dates_compatible, resolve_date
from geo.events.export import (
    ACLED_COLUMNS, empty_events_frame, event_record, events_to_frame, frame_to_acled, frame_to_geojson,
)
from geo.events.extraction import extract_events
from geo.events.merge import corroborated_confidence, incident_key, merge_events, same_incident
from geo.events.model import EVENT_COLUMNS, EVENT_TYPES, LIST_SEP, PRECISIONS, Event
from geo.events.places import geo_precision, precision_of
from geo.events.sentences import Sentence, clean_text, split_sentences

__all__ = [
    "Event",
    "EVENT_TYPES",
    "PRECISIONS",
    "EVENT_COLUMNS",
    "ACLED_COLUMNS",
    "Sentence",
    "split_sentences",
    "resolve_date",
    "extract_events",
    "merge_events",
    "corroborated_confidence",
    "same_incident",
    "incident_key",
    "dates_compatible",
    "precision_of",
    "geo_precision",
    "events_to_frame",
    "event_record",
    "clean_text",
    "LIST_SEP",
    "empty_events_frame",
    "frame_to_geojson",
    "frame_to_acled",
]
