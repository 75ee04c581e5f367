"""The event-type registry: the one list of event types that extraction, the map and the exports read.

Adding a type is one :class:`EventType` entry here, its trigger data under ``geo/lang/<lang>/``, and a
test file; ``tests/test_event_types.py`` checks that every entry has what each reader needs.

Order is priority: when one sentence triggers several types, the earliest in :data:`REGISTRY` becomes
the event's type and the others its tags.

ACLED mapping (``acled_type`` | ``acled_sub_type``) follows ACLED's codebook. ``acled_sub_type`` is
``None`` where the sub-event type depends on the means, which the event's tags tell (a civilian
casualty from shelling is "Shelling/artillery/missile attack"; from a drone, "Air/drone strike").

Air strikes by aircraft (bombs, glide bombs, KABs) are their own type, ``air_strike``: ACLED files
them with drone strikes under "Air/drone strike", but analysts read crewed aviation and drones as
different things, and one can always be merged into the other downstream, not split back out.

Mines, IEDs and planted charges (a vehicle hitting a mine, partisans detonating explosives, a
booby trap) are their own type, ``explosive_device``, ACLED's "Remote explosive/landmine/IED":
they are neither shelling nor an air strike, and folding them into ``civilian_casualties`` would
lose every one that hurts no civilian (a mine under a military truck). A mine that hurts civilians
is ``civilian_casualties`` tagged ``explosive_device``, so its ACLED sub-type follows from the tag.
A mine defused or cleared is not an event.

Violence against civilians without an explosion (abduction, torture, execution, shooting at a
civilian car) is ``violence_against_civilians``, ACLED's "Violence against civilians"; when the
sentence also counts the dead or wounded it is ``civilian_casualties`` with this type as a tag.

Priority follows ACLED's coding where one report says several things: harm to civilians first, a
capture over the fighting that led to it, a ground battle over the shelling or air support beside
it (ACLED's "Armed clash"), and an air or drone strike over the shelling beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EventType", "REGISTRY", "EVENT_TYPES", "TYPE_IDS", "MEANS_TYPES", "get", "label", "acled_category"]


@dataclass(frozen=True, slots=True)
class EventType:
    id: str              # stable id, stored in the GeoPackage and the exports
    label: str           # what a person reads (legend, table, popups)
    acled_type: str      # ACLED event_type
    acled_sub_type: str | None   # ACLED sub_event_type; None: decided by the tags (see acled_category)
    color: str           # CSS colour of the markers
    icon: str            # Font Awesome 6 (free, solid) icon name


#: In priority order. Colours: d3's category10 without its grey (grey is the precision key), and
#: darker hues for the types added later.
REGISTRY: tuple[EventType, ...] = (
    EventType("civilian_casualties", "Civilian casualties",
              "Explosions/Remote violence", None, "#e377c2", "user-injured"),
    EventType("violence_against_civilians", "Violence against civilians",
              "Violence against civilians", "Attack", "#7b1f4b", "hand-fist"),
    EventType("energy_strike", "Strike on energy infrastructure",
              "Explosions/Remote violence", None, "#ff7f0e", "bolt"),
    EventType("territorial_change", "Territorial change",
              "Battles", "Non-state actor overtakes territory", "#8c564b", "flag"),
    EventType("air_defense", "Air-defence interception",
              "Strategic developments", "Disrupted weapons use", "#1f77b4", "shield-halved"),
    EventType("explosive_device", "Mine or IED explosion",
              "Explosions/Remote violence", "Remote explosive/landmine/IED", "#8c6d31", "land-mine-on"),
    EventType("ground_assault", "Ground assault or battle",
              "Battles", "Armed clash", "#2ca02c", "person-rifle"),
    EventType("air_strike", "Air strike (aircraft, glide bombs)",
              "Explosions/Remote violence", "Air/drone strike", "#393b79", "plane"),
    EventType("drone_strike", "Drone strike",
              "Explosions/Remote violence", "Air/drone strike", "#d62728", "paper-plane"),
    EventType("missile_strike", "Missile or artillery strike",
              "Explosions/Remote violence", "Shelling/artillery/missile attack", "#9467bd", "rocket"),
    EventType("troop_deployment", "Troop deployment",
              "Strategic developments", "Other", "#17becf", "truck-moving"),
    EventType("political", "Political or diplomatic",
              "Strategic developments", "Agreement", "#bcbd22", "handshake"),
)

_BY_ID: dict[str, EventType] = {t.id: t for t in REGISTRY}

#: The means an event's tags can name, in the order they decide an ACLED sub-type for the types
#: whose sub-type is ``None`` (each has a sub-type of its own).
MEANS_TYPES: tuple[str, ...] = ("missile_strike", "air_strike", "drone_strike", "explosive_device")

#: id -> label, in priority order (kept for callers that only need labels).
EVENT_TYPES: dict[str, str] = {t.id: t.label for t in REGISTRY}
TYPE_IDS: tuple[str, ...] = tuple(_BY_ID)

_UNKNOWN = EventType("unknown", "Unknown type", "Strategic developments", "Other", "#333333", "circle")


def get(type_id: str) -> EventType:
    """The registered type, or a neutral stand-in for an id this version does not know
    (a store written by a newer or older version must still draw)."""
    return _BY_ID.get(type_id, _UNKNOWN)


def label(type_id: str) -> str:
    t = _BY_ID.get(type_id)
    return t.label if t else type_id


def acled_category(type_id: str, tags: str = "") -> tuple[str, str]:
    """ACLED (event_type, sub_event_type) for an event of ``type_id`` with ``tags``
    (our type ids joined by any separator)."""
    t = get(type_id)
    if t.acled_sub_type is not None:
        return t.acled_type, t.acled_sub_type
    for means in MEANS_TYPES:
        if means in tags:
            return t.acled_type, str(_BY_ID[means].acled_sub_type)
    return t.acled_type, "Shelling/artillery/missile attack"
