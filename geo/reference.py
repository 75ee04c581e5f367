"""The map's reference layers as data: place labels, region names, water, and the basemap choice.

Pure selection over what it is handed (gazetteer entries, the shipped files), no folium and no
I/O beyond reading shipped package data; ``geo.maps`` draws the result.

- **Place labels** come from the gazetteer: Ukraine's and Russia's regional capitals (the most
  populous settlement of each first-level unit) at every zoom, other settlements from the zoom
  their population earns (``POPULATION_ZOOMS``), and the events' own settlements from
  ``EVENT_PLACE_ZOOM`` whatever their size. Only entries with a point of their own are labelled: a
  village placed at its hromada's centre would be a name on the wrong spot. Names are the
  gazetteer's English ones; ``local`` is the same name in Cyrillic (Ukrainian for Ukraine, Russian
  for Russia and Belarus) when the entry's alternate names hold one that spells the same name.
- **Region names** (oblasts and Russia's border regions) and **water** (rivers, reservoirs, the
  seas) are shipped: ``geo/data/admin1_ru_ua.geojson`` (Natural Earth, public domain) and
  ``geo/data/water_ru_ua.geojson`` (GSHHG, LGPL-3.0-or-later; the sea from the shipped OSM-derived
  country outlines). See ``gazetteer/extract_admin1.py`` and ``gazetteer/extract_water.py``.
- Labels are placed in ``rank`` order (a label that appears at a wider zoom first; at the same
  zoom capitals, then the events' places, then the rest, most populous first), so when two
  collide on screen the more useful one is kept.
- **Basemaps**: none (the default: nothing is fetched), OpenStreetMap, or Esri World Imagery.
  Choosing one makes the reader's browser fetch tiles from that server; ``Basemap.notice`` says so.

All label text is data: ``geo.maps`` escapes it before it reaches the page.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from gazetteer.names import is_cyrillic, name_key

__all__ = [
    "MapLabel",
    "LABEL_KINDS",
    "LABEL_BOX",
    "FOCUS_COUNTRIES",
    "POPULATION_ZOOMS",
    "MIN_POPULATION",
    "NEIGHBOUR_MIN_POPULATION",
    "EVENT_PLACE_ZOOM",
    "SECTION_KM",
    "SECTION_RATIO",
    "LOCAL_NAME_ZOOM",
    "REGION_ZOOMS",
    "MAX_ZOOM",
    "PlaceSource",
    "local_name",
    "place_labels",
    "gazetteer_labels",
    "event_place_ids",
    "region_labels",
    "water_labels",
    "shipped_water",
    "Basemap",
    "BASEMAPS",
    "basemap",
]

#: Label kinds, each drawn in its own style (geo.maps).
LABEL_KINDS = ("capital", "city", "town", "village", "region", "sea", "lake", "river")
#: lon/lat box of the labels: Ukraine, Russia's border regions, the neighbours' edges (west, south, east, north).
LABEL_BOX = (22.0, 43.5, 42.5, 54.0)
#: The war's two countries: their settlements are labelled down to villages, their regional capitals always.
FOCUS_COUNTRIES = ("UA", "RU")
#: (at least this many people, labelled from this zoom): at zoom 6 the war's region fills a
#: screen and cities of 100,000 fit; each zoom level doubles the scale, so a threshold about
#: 2.5 times lower per level keeps the density of names on screen about even.
POPULATION_ZOOMS: tuple[tuple[int, int], ...] = ((100_000, 6), (40_000, 7), (15_000, 8), (5_000, 9),
                                                (1_000, 10))
MIN_POPULATION = POPULATION_ZOOMS[-1][0]
#: Neighbouring countries' places are context, not the subject: only their larger towns.
NEIGHBOUR_MIN_POPULATION = 50_000
#: A place within SECTION_KM of one at least SECTION_RATIO times as populous is a section or suburb
#: of it: named from EVENT_PLACE_ZOOM on, when it no longer crowds the city's own name.
SECTION_KM = 8.0
SECTION_RATIO = 3
#: Units whose centre is a unit of its own (Kyiv Oblast's is the city of Kyiv, UA-30).
_NO_CAPITAL_UNITS = frozenset({"UA-32"})
#: The events' own settlements are named from this zoom on, however small.
EVENT_PLACE_ZOOM = 10
#: From this zoom on, each place label has its Cyrillic name on a second line (before: on hover).
LOCAL_NAME_ZOOM = 11
#: Region names from zoom 5 (the whole country on screen) to 9 (a district fills the screen).
REGION_ZOOMS = (5, 9)
#: The map's highest zoom.
MAX_ZOOM = 18
#: Water names stop when the feature fills the screen.
_WATER_MAX_ZOOM = {"sea": 10, "lake": 13, "river": 14}
#: Where a place's Cyrillic spelling is the country's own language's.
_UKRAINIAN_ONLY = frozenset("іїєґІЇЄҐ")
_RUSSIAN_ONLY = frozenset("ыэёЫЭЁ")
_UA_SOFT = re.compile("[сц]ьк", re.IGNORECASE)   # Ukrainian -ськ, -цьк; Russian writes -ск, -цк
#: Letters of Serbian, Macedonian, Bulgarian-only and Belarusian spellings, and old Slavonic.
_FOREIGN_CYRILLIC = frozenset("ђћјљњџѓќѕўѣѥꙑӳһЂЋЈЉЊЏЃЌЅЎ")
_CYRILLIC_COUNTRIES = ("UA", "RU", "BY")


@dataclass(frozen=True, slots=True)
class MapLabel:
    """A name drawn on the map at (lon, lat) from ``min_zoom`` to ``max_zoom``.

    ``kind`` is one of LABEL_KINDS; ``local`` the name in Cyrillic ("" if none);
    ``rank`` orders placement (smaller first). Text is plain: the map escapes it.
    """

    name: str
    local: str
    lon: float
    lat: float
    kind: str
    min_zoom: int
    max_zoom: int = MAX_ZOOM
    rank: tuple[float, ...] = ()


class _PlaceLike(Protocol):
    id: str
    name: str
    country: str
    admin1: str | None
    lat: float
    lon: float
    population: int | None
    precision: str
    alt_names: tuple[str, ...]


class PlaceSource(Protocol):
    """What ``gazetteer_labels`` needs of a gazetteer (``gazetteer.Gazetteer`` has both)."""

    def places_in_bbox(self, west: float, south: float, east: float, north: float, *,
                       kind: str = ..., min_population: int = ...) -> list: ...

    def get(self, place_id: str): ...


# --- place labels -----------------------------------------------------------------------

def local_name(place: _PlaceLike) -> str:
    """The place's name in Cyrillic, in its country's language, or "".

    Among the entry's Cyrillic alternate names, those that spell the same name as its English one
    are candidates: the same ``name_key`` (Pokrovsk / Покровськ, not Krasnoarmeysk / Красноармейск),
    or for Ukraine the same key after Ukraine's official romanisation (``translitua``: Луганськ is
    Luhansk, which the key's Russian reading of г misses). Then the country's own spelling wins:
    for Ukraine one with letters only Ukrainian has, or the soft sign of -ськ/-цьк (Покровськ over
    Покровск); for Russia and Belarus one without Ukrainian letters or -ськ; never a South Slavic
    spelling (Севастопол, Доњецк).
    """
    if getattr(place, "country", None) not in _CYRILLIC_COUNTRIES:
        return ""
    name = str(place.name)
    if is_cyrillic(name):
        return name
    key = name_key(name)
    ukrainian = place.country == "UA"
    candidates = [a for a in getattr(place, "alt_names", ()) or ()
                  if is_cyrillic(a) and not _FOREIGN_CYRILLIC.intersection(a)
                  and (name_key(a) == key or (ukrainian and name_key(_ua_latin(a)) == key))]
    if not candidates:
        return ""

    def score(alt: str) -> tuple[int, int, int]:
        letters = set(alt)
        uk = bool(letters & _UKRAINIAN_ONLY) or bool(_UA_SOFT.search(alt))
        ru = bool(letters & _RUSSIAN_ONLY)
        soft = "ь" in alt
        if ukrainian:
            return (int(ru), -int(uk), -int(soft))
        return (int(uk), -int(ru), -int(soft))

    return min(candidates, key=lambda a: (score(a), len(a), a))


def _ua_latin(text: str) -> str:
    from translitua import translit   # the official Ukrainian romanisation (2010), a pinned dependency
    return translit(text)


def _population_zoom(population: int | None) -> int | None:
    for threshold, zoom in POPULATION_ZOOMS:
        if population is not None and population >= threshold:
            return zoom
    return None


def _capitals(places: Sequence[_PlaceLike]) -> set[str]:
    """Ids of the most populous settlement of each shipped oblast or border region: its centre
    (Kyiv Oblast's is Kyiv, a unit of its own, so it has none here)."""
    units = _capital_units()
    best: dict[str, tuple[int, str]] = {}
    for p in places:
        if p.admin1 in units and p.population:
            if p.admin1 not in best or best[p.admin1][0] < p.population:
                best[p.admin1] = (int(p.population), p.id)
    return {pid for _pop, pid in best.values()}


@functools.lru_cache(maxsize=1)
def _capital_units() -> frozenset[str]:
    data = _shipped("admin1_ru_ua.geojson") or {}
    codes = {str((f.get("properties") or {}).get("iso_3166_2")) for f in data.get("features", [])}
    return frozenset(codes - _NO_CAPITAL_UNITS)


def _is_settlement(place: _PlaceLike) -> bool:
    """A place to name: its own point, and for Ukraine a KATOTTG settlement (GeoNames also lists
    city districts, "Shevchenkivskyi", with populations; the codifier does not)."""
    if place.precision != "point" or not (math.isfinite(float(place.lat)) and math.isfinite(float(place.lon))):
        return False
    return place.country != "UA" or bool(getattr(place, "katottg", None))


def _sections(places: Sequence[_PlaceLike]) -> set[str]:
    """Ids of places within SECTION_KM of one SECTION_RATIO times as populous: a city's sections
    and suburbs ("Sector 3" of Bucharest), named only from the zoom villages are."""
    cell = 0.1
    grid: dict[tuple[int, int], list[_PlaceLike]] = {}
    out = set()
    for p in sorted(places, key=lambda q: -(q.population or 0)):
        cx, cy = int(math.floor(float(p.lon) / cell)), int(math.floor(float(p.lat) / cell))
        pop = p.population or 0
        for gx in (cx - 1, cx, cx + 1):
            for gy in (cy - 1, cy, cy + 1):
                for q in grid.get((gx, gy), ()):
                    if (q.population or 0) >= SECTION_RATIO * pop and _km(p, q) <= SECTION_KM:
                        out.add(p.id)
        grid.setdefault((cx, cy), []).append(p)
    return out


def _km(a: _PlaceLike, b: _PlaceLike) -> float:
    # equirectangular: exact enough at a few km, and cheap
    kx = 111.32 * math.cos(math.radians((float(a.lat) + float(b.lat)) / 2))
    return math.hypot((float(a.lon) - float(b.lon)) * kx, (float(a.lat) - float(b.lat)) * 110.57)


def _kind(population: int | None, capital: bool) -> str:
    if capital:
        return "capital"
    if population is not None and population >= POPULATION_ZOOMS[0][0]:
        return "city"
    if population is not None and population >= POPULATION_ZOOMS[-2][0]:
        return "town"
    return "village"


def place_labels(places: Iterable[_PlaceLike], *, event_places: Iterable[_PlaceLike] = ()) -> tuple[MapLabel, ...]:
    """Labels for gazetteer entries (``places``: settlements in the area, any size) and the events'
    own settlements (``event_places``), sorted by ``rank``. See the module docstring for the rules."""
    events = {p.id: p for p in event_places if p is not None}
    pool: dict[str, _PlaceLike] = {p.id: p for p in places}
    pool.update(events)
    located = [p for p in pool.values() if _is_settlement(p)]
    capitals = _capitals(located)
    sections = _sections(located)
    seen: set[tuple[str, float, float]] = set()
    out = []
    for p in sorted(located, key=lambda q: (-(q.population or 0), q.id)):
        capital = p.id in capitals
        zoom = _label_zoom(p, capital=capital, event=p.id in events)
        if zoom is not None and p.id in sections and not capital:
            zoom = max(zoom, EVENT_PLACE_ZOOM)
        if zoom is None:
            continue
        spot = (p.name, round(float(p.lat), 2), round(float(p.lon), 2))
        if spot in seen:   # one name per spot: two sources of the same town
            continue
        seen.add(spot)
        group = 0 if capital else (1 if p.id in events else 2)
        out.append(MapLabel(name=str(p.name), local=local_name(p), lon=float(p.lon), lat=float(p.lat),
                            kind=_kind(p.population, capital), min_zoom=zoom,
                            rank=(zoom, group, -(p.population or 0))))
    return tuple(sorted(out, key=lambda lab: lab.rank))


def _label_zoom(place: _PlaceLike, *, capital: bool, event: bool) -> int | None:
    """The first zoom a place is named at, or None: not named."""
    if capital:
        return 0
    zoom = _population_zoom(place.population)
    if place.country not in FOCUS_COUNTRIES and (place.population or 0) < NEIGHBOUR_MIN_POPULATION:
        zoom = None
    if event:
        zoom = EVENT_PLACE_ZOOM if zoom is None else min(zoom, EVENT_PLACE_ZOOM)
    return zoom


def event_place_ids(events: pd.DataFrame) -> list[str]:
    """Gazetteer ids of the settlements events are pinned to (settlement precision), in order, once."""
    if not len(events) or "place_id" not in events.columns or "precision" not in events.columns:
        return []
    at_point = events["precision"].astype("string") == "settlement"
    ids = events.loc[at_point.fillna(False).to_numpy(), "place_id"].dropna().astype(str)
    return list(dict.fromkeys(i for i in ids if i))


def gazetteer_labels(gazetteer: PlaceSource, *, place_ids: Iterable[str] = (),
                     box: tuple[float, float, float, float] = LABEL_BOX) -> tuple[MapLabel, ...]:
    """``place_labels`` over the gazetteer's settlements in ``box`` (at least MIN_POPULATION people)
    and the entries ``place_ids`` name (the events' places; ids it does not know are skipped)."""
    places = gazetteer.places_in_bbox(*box, kind="settlement", min_population=MIN_POPULATION)
    events = []
    for pid in dict.fromkeys(place_ids):
        try:
            events.append(gazetteer.get(pid))
        except (KeyError, LookupError):
            continue
    return place_labels(places, event_places=[p for p in events if getattr(p, "kind", "settlement") == "settlement"])


# --- shipped layers: region names and water -------------------------------------------------

def _shipped(name: str) -> dict | None:
    res = importlib.resources.files("geo") / "data" / name
    try:
        return json.loads(res.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@functools.lru_cache(maxsize=1)
def region_labels() -> tuple[MapLabel, ...]:
    """Names of the shipped oblasts and Russian border regions, at Natural Earth's label points."""
    data = _shipped("admin1_ru_ua.geojson")
    out = []
    for f in (data or {}).get("features", []):
        p = f.get("properties") or {}
        point = p.get("label_point")
        if not p.get("label") or not point:
            continue
        out.append(MapLabel(name=str(p["label"]), local=str(p.get("label_local") or ""), lon=float(point[0]),
                            lat=float(point[1]), kind="region", min_zoom=REGION_ZOOMS[0], max_zoom=REGION_ZOOMS[1],
                            rank=(REGION_ZOOMS[0], 0, 0)))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def shipped_water() -> dict[str, dict] | None:
    """The shipped water as one geometry-only FeatureCollection per kind ("sea", "lake", "river"),
    or None when the file is missing."""
    data = _shipped("water_ru_ua.geojson")
    if data is None:
        return None
    out: dict[str, dict] = {}
    for f in data.get("features", []):
        kind = (f.get("properties") or {}).get("kind")
        if kind in ("sea", "lake", "river"):
            out.setdefault(kind, {"type": "FeatureCollection", "features": []})["features"].append(
                {"type": "Feature", "properties": {}, "geometry": f["geometry"]})
    return out


@functools.lru_cache(maxsize=1)
def water_labels() -> tuple[MapLabel, ...]:
    data = _shipped("water_ru_ua.geojson")
    out = []
    for f in (data or {}).get("features", []):
        p = f.get("properties") or {}
        if p.get("kind") != "name" or p.get("water") not in _WATER_MAX_ZOOM:
            continue
        x, y = f["geometry"]["coordinates"][:2]
        zoom = int(p.get("min_zoom") or 7)
        # after the places of the same zoom: a river's name can move, a town's cannot
        out.append(MapLabel(name=str(p["label"]), local=str(p.get("label_local") or ""), lon=float(x), lat=float(y),
                            kind=str(p["water"]), min_zoom=zoom, max_zoom=_WATER_MAX_ZOOM[str(p["water"])],
                            rank=(zoom, 3, 0)))
    return tuple(out)


# --- basemaps ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Basemap:
    """A choice of base layer. ``provider`` is an xyzservices name (folium resolves its URL and
    attribution); None draws no tiles. ``host`` is the server the browser then asks for tiles."""

    id: str
    label: str
    provider: str | None
    host: str | None
    notice: str


BASEMAPS: dict[str, Basemap] = {
    "none": Basemap("none", "None (offline)", None, None,
                    "No tiles: the map draws only what Borderline ships, and the browser fetches nothing "
                    "from any other server."),
    "osm": Basemap("osm", "OpenStreetMap", "OpenStreetMap.Mapnik", "tile.openstreetmap.org",
                   "Your browser will fetch map tiles from tile.openstreetmap.org (the OpenStreetMap "
                   "Foundation's tile server): that server sees your IP address and which area you look "
                   "at. Its tile usage policy allows light interactive use with attribution, not bulk "
                   "downloading."),
    "satellite": Basemap("satellite", "Satellite (Esri World Imagery)", "Esri.WorldImagery",
                         "server.arcgisonline.com",
                         "Your browser will fetch satellite imagery from server.arcgisonline.com (Esri): "
                         "that server sees your IP address and which area you look at. Esri's terms of "
                         "use apply: the imagery must be attributed as shown on the map, and use beyond "
                         "viewing (commercial or high-volume) needs an ArcGIS account. Imagery dates vary "
                         "by place and are not the event's date."),
}


def basemap(choice: str | bool | None) -> Basemap:
    """The basemap for a choice ("none", "osm", "satellite"; True is "osm" and False or None "none",
    as the map's older ``tiles`` flag had it). Anything else: ValueError naming the choices."""
    if choice is True:
        return BASEMAPS["osm"]
    if choice is None or choice is False:
        return BASEMAPS["none"]
    key = str(choice).strip().lower()
    if key not in BASEMAPS:
        raise ValueError(f"unknown basemap {choice!r}; one of {', '.join(BASEMAPS)}")
    return BASEMAPS[key]
