"""The event value object and the events table's columns."""

from __future__ import annotations

from dataclasses import dataclass, field

from geo.event_types import EVENT_TYPES  # re-exported: id -> label, in priority order

__all__ = ["Event", "EVENT_TYPES", "PRECISIONS", "EVENT_COLUMNS", "LIST_SEP"]

#: Geo-precision of an event's point (after ACLED's geo_precision: 1, 2, 3).
PRECISIONS = ("settlement", "hromada", "region", "country")


@dataclass(frozen=True, slots=True)
class Event:
    event_id: str                     # stable across re-runs of the same article
    event_type: str                   # a type id of geo.event_types.REGISTRY
    place_name: str                   # as written in an English article; a region-precision event, or one read in another language, is named as its place ("Sumy Oblast", "Pokrovsk")
    precision: str                    # one of PRECISIONS
    excerpt: str                      # the sentence(s) it came from, verbatim
    place_start: int                  # offsets inside ``excerpt`` of the place's name as written
    place_end: int
    article: str                      # Article.source
    article_id: str                   # Article.id
    tags: tuple[str, ...] = ()
    place_id: str | None = None
    place_kind: str | None = None
    lat: float | None = None
    lon: float | None = None
    country: str | None = None
    admin1: str | None = None
    border_km: float | None = None
    side: str | None = None
    date: str | None = None           # ISO date, or None when unknown
    date_precision: str = "unknown"   # "day", "month", "year", "unknown"
    actors: dict[str, str] = field(default_factory=dict)   # {"attacker": "UA", "target": "RU"}
    numbers: dict[str, int] = field(default_factory=dict)  # {"drones": 132, "killed": 1}
    confidence: float = 0.5
    triggers: tuple[str, ...] = ()    # the words that decided the type
    sources: tuple[str, ...] = ()     # every article reporting it (after merging)
    lang: str = "en"                  # the language of its (first) report: Article.lang

#: Columns of the events table (GeoDataFrame, EPSG:4326, Point geometry) that the store
#: writes, the app and the exports read. GeoJSON properties use these names. List-valued
#: fields (tags, sources, triggers) are joined with "; "; dicts (actors, numbers) are JSON text.
EVENT_COLUMNS: tuple[str, ...] = (
    "event_id", "event_type", "type_label", "tags", "place_name", "place_id", "place_kind",
    "precision", "country", "admin1", "border_km", "side", "date", "date_precision",
    "actors", "numbers", "excerpt", "place_start", "place_end", "article", "article_id", "lang",
    "sources", "confidence", "triggers", "lat", "lon",
)

_FLOAT_COLUMNS = ("border_km", "confidence", "lat", "lon")
_INT_COLUMNS = ("place_start", "place_end")
LIST_SEP = "; "
