"""Reading the front-line files an analyst brings: what each file says, before geometry care.

No openly licensed front-line series exists; DeepStateMap's and ISW's are widely mirrored but
their owners keep the rights, so Borderline ships none and reads the copies a user supplies.
Three kinds of GeoJSON, told apart by their content and name (:func:`read_snapshot_file`):

``deepstate``: DeepStateMap history snapshots
    What ``deepstatemap.live/api/history/<id>`` serves and archives mirror one file per
    snapshot, named by its Unix timestamp (``1649004375.geojson``; e.g. the archive
    github.com/DanielRose2310/deepstatemaps-history, ``geojsons/``): a FeatureCollection (the
    API wraps it as ``{"id": ..., "map": {FeatureCollection}}``) of features drawn in
    Google My Maps style, each with ``name`` (Ukrainian, later "Окуповано /// Occupied ///
    geoJSON.status.occupied"), ``stroke``, ``fill``, ``fill-opacity`` and a ``styleUrl``
    such as ``#poly-A52714-1200-87-nodesc``. The status is the ``fill`` colour: occupied
    ``#a52714``; ``#880e4f`` and ``#000000`` for the areas occupied before 2022 (Crimea,
    "ORDLO", Tuzla); grey, status unknown, ``#bcaaa4``, ``#bdbdbd``, ``#757575`` (read as
    contested); everything else is not Ukraine's front: liberated areas (``#0f9d58``,
    ``#0288d1``, ``#01579b``), and political layers of other countries (``#ff5252``:
    Karelia, Transnistria; in files of early 2022 Transnistria is ``#880e4f``, which the
    geometry step drops as lying outside Ukraine). Point features (camps, markers) are
    ignored. Files of 2022 hold Crimea and parts of the occupied area as GeometryCollections,
    and every coordinate has a third value (0).
``daily``: daily single-polygon files of occupied territory
    One merged MultiPolygon of the occupied area per day, no properties, named by the day
    (``deepstatemap_data_20240708.geojson`` in github.com/cyterat/deepstate-map-data,
    written by ogr2ogr with a ``name`` and a CRS84 ``crs`` member). Every polygon is
    occupied; there is no contested area.
``isw``: the Institute for the Study of War's "assessed Russian control" layer
    Distributed as shapefiles by e-mail and as the ArcGIS FeatureServer layer behind ISW's
    interactive map (``services5.arcgis.com/SaBe5HMtmnbqSWlu/.../VIEW_RussiaCoTinUkraine_V3/
    FeatureServer/49``, titled "Assess Russian Control"; ``query?f=geoJSON`` gives
    Polygon/MultiPolygon features whose properties are the requested ``outFields``, often
    only ``OBJECTID``; see github.com/Nikkei-Visual-Data-Journalism/ISW, ``ISW.py``).
    Mirrors convert the shapefiles to GeoJSON one folder per day (The Economist's
    ``ukraine-war-data``: ``output-data/ISW-shapefiles/2024-08-17/
    UkraineControlMapAO17AUG2024.geojson``). The control layer's names vary (that
    repository's classification script lists ``UkraineControlMa*``, ``Ukraine_ControlMa*``,
    ``UkrainianControlMa*``, ``UkaineControlMa*``, ``RussianAssessedCoTinUkraine``,
    ``AssessedRussianControl*``); the day is in the name as ``17AUG2024`` or in the folder.
    Every polygon of it is occupied. ISW keeps the areas held before 24 February 2022 in a
    layer of their own ("Russian-controlled Ukrainian Territory before February 24, 2022"):
    read beside a control layer of the same day, it joins that snapshot. The other layers of
    the same folders (``AssessedRussianAdvance*``, ``ClaimedRussianTerritory*``,
    ``ClaimedUkrainianCounter*``, partisan warfare, infiltration) are not control and are
    skipped, saying so.

The day of a snapshot comes from ``--date``, else the file name: a Unix timestamp (seconds or
milliseconds; the day in Kyiv, where the map is drawn), ``YYYYMMDD``, ``YYYY-MM-DD`` or ISW's
``17AUG2024``, else the name of the folder holding it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo.errors import InputError

__all__ = [
    "FORMATS",
    "OCCUPIED_FILLS",
    "CONTESTED_FILLS",
    "SUFFIXES",
    "MAX_FILE_BYTES",
    "Reading",
    "Skipped",
    "read_snapshot_file",
    "read_snapshot_bytes",
    "date_from_name",
]

FORMATS = ("deepstate", "daily", "isw")
#: DeepStateMap's fill colours (lower case) of occupied and of grey, status-unknown areas.
OCCUPIED_FILLS = frozenset({"#a52714", "#880e4f", "#000000"})
CONTESTED_FILLS = frozenset({"#bcaaa4", "#bdbdbd", "#757575"})
SUFFIXES = (".geojson", ".json")
#: The largest file read: DeepStateMap's snapshots are under 1 MB, ISW's a few MB; this keeps
#: a stray dump from exhausting memory.
MAX_FILE_BYTES = 256 * 1024 * 1024
#: Unix timestamps in names are taken from this day on (the war began in 2014) ...
_FIRST_DAY = dt.date(2014, 1, 1)
#: ... up to this one: anything later in a name is not a timestamp.
_LAST_DAY = dt.date(2100, 1, 1)
_KYIV = "Europe/Kyiv"

# ISW layer names, compared as lower-case letters only ("UkraineControlMapAO17AUG2024" ->
# "ukrainecontrolmapaoaug").
_ISW_CONTROL = ("ukrainecontrolma", "ukrainiancontrolma", "ukainecontrolma", "russianassessedcotinukraine",
                "assessedrussiancontrol", "assessrussiancontrol", "russiacotinukraine")
_ISW_BEFORE_2022 = ("controlledukrainianterritorybefore", "controlledbeforefebruary")
_ISW_OTHER = ("assessedrussianadvance", "claimedrussianterr", "claimedrusianterr", "claimedrussiancontrol",
              "claimedukrainian", "claimedukrianian", "partisan", "infiltr")
# Property names ArcGIS and shapefile exports write: a file with them and no fill colours is ISW's.
_ARCGIS_KEYS = frozenset({"OBJECTID", "ObjectID", "FID", "Shape__Area", "Shape__Length", "Shape_Area", "Shape_Leng"})

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_TIMESTAMP_RX = re.compile(r"(?<!\d)(\d{10}|\d{13})(?!\d)")
_ISO_RX = re.compile(r"(?<!\d)(\d{4})[-_.](\d{2})[-_.](\d{2})(?!\d)")
_COMPACT_RX = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
_DMY_RX = re.compile(r"(?<!\d)(\d{1,2})(" + "|".join(_MONTHS) + r")(\d{4})(?!\d)", re.I)
_STYLE_FILL_RX = re.compile(r"#poly-([0-9a-f]{6})\b", re.I)


@dataclass(frozen=True, slots=True)
class Reading:
    """What one file says: its polygons by status (lon/lat, 2-D, valid), before geometry care."""

    name: str                       # the file's name (what messages and the store show)
    format: str                     # one of FORMATS
    layer: str                      # "control", or for ISW "before-2022" (joins a control layer)
    date: dt.date
    stamp: str | None               # UTC time from a timestamp in the name, ISO 8601
    digest: str                     # SHA-256 of the file's bytes
    occupied: tuple[Any, ...]       # shapely Polygons
    contested: tuple[Any, ...]
    ignored: int                    # features of no front status (other colours, points, lines)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file that is readable but holds no front line (another ISW layer, say)."""

    name: str
    reason: str


# --- dates ------------------------------------------------------------------------------

def _valid(year: int, month: int, day: int) -> dt.date | None:
    try:
        d = dt.date(year, month, day)
    except ValueError:
        return None
    return d if _FIRST_DAY <= d < _LAST_DAY else None


def _from_timestamp(digits: str) -> tuple[dt.date, str] | None:
    from zoneinfo import ZoneInfo

    seconds = int(digits) / (1000 if len(digits) == 13 else 1)
    try:
        when = dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    if not _FIRST_DAY <= when.date() < _LAST_DAY:
        return None
    return when.astimezone(ZoneInfo(_KYIV)).date(), when.strftime("%Y-%m-%dT%H:%M:%SZ")


def date_from_name(name: str) -> tuple[dt.date, str | None] | None:
    """The day a file name gives (and the UTC time, for a Unix timestamp), else None.

    Tried in order: a Unix timestamp of 10 or 13 digits (the day in Kyiv), ``YYYY-MM-DD``
    (or with ``_``/``.``), ``YYYYMMDD``, ISW's ``17AUG2024``."""
    stem = Path(name).name
    for m in _TIMESTAMP_RX.finditer(stem):
        found = _from_timestamp(m.group(1))
        if found:
            return found
    for rx in (_ISO_RX, _COMPACT_RX):
        for m in rx.finditer(stem):
            d = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if d:
                return d, None
    for m in _DMY_RX.finditer(stem):
        d = _valid(int(m.group(3)), _MONTHS.index(m.group(2).upper()) + 1, int(m.group(1)))
        if d:
            return d, None
    return None


# --- what kind of file ------------------------------------------------------------------

def _letters(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _isw_layer(name: str) -> str | None:
    """"control", "before-2022" or "other" for an ISW layer name, else None."""
    key = _letters(Path(name).stem)
    if any(k in key for k in _ISW_BEFORE_2022):
        return "before-2022"
    if any(k in key for k in _ISW_CONTROL):
        return "control"
    if any(k in key for k in _ISW_OTHER):
        return "other"
    return None


def _fill(props: dict) -> str | None:
    fill = props.get("fill")
    if isinstance(fill, str) and fill.strip():
        return fill.strip().lower()
    style = props.get("styleUrl")
    m = _STYLE_FILL_RX.search(style) if isinstance(style, str) else None
    return f"#{m.group(1).lower()}" if m else None


def _features(doc: Any, name: str) -> list[dict]:
    if isinstance(doc, dict) and isinstance(doc.get("map"), dict):
        doc = doc["map"]                       # DeepStateMap's API response
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise InputError(f"{name}: not a GeoJSON FeatureCollection")
    features = [f for f in doc["features"] if isinstance(f, dict)]
    if not features:
        raise InputError(f"{name}: the FeatureCollection has no features")
    return features


def _kind(features: list[dict], name: str) -> tuple[str, str] | Skipped:
    """(format, layer) of a file's features, or why it is skipped."""
    props = [f.get("properties") if isinstance(f.get("properties"), dict) else {} for f in features]
    if any(_fill(p) for p in props):
        return "deepstate", "control"
    layer = _isw_layer(name)
    if layer == "other":
        return Skipped(name, "an ISW layer other than assessed control (advances, claims, partisans): "
                             "not a front line")
    if layer is not None:
        return "isw", layer
    if any(_ARCGIS_KEYS & p.keys() for p in props):
        return "isw", "control"
    return "daily", "control"


# --- geometry ---------------------------------------------------------------------------

def _polygons(geom: Any) -> list[Any]:
    """The polygons in a geometry (GeometryCollections opened), 2-D and valid."""
    import shapely

    out, todo = [], [shapely.force_2d(geom)]
    while todo:
        g = todo.pop()
        if g is None or g.is_empty:
            continue
        kind = g.geom_type
        if kind == "Polygon":
            if not g.is_valid:
                todo.extend(shapely.get_parts(shapely.make_valid(g)))
            else:
                out.append(g)
        elif kind in ("MultiPolygon", "GeometryCollection"):
            todo.extend(shapely.get_parts(g))
    return out


def _geometries(features: list[dict], name: str) -> list[Any]:
    import shapely

    texts = [json.dumps(f.get("geometry")) if isinstance(f.get("geometry"), dict) else "null" for f in features]
    try:
        return list(shapely.from_geojson(texts))
    except (shapely.errors.GEOSException, ValueError, TypeError):
        pass
    for i, text in enumerate(texts):                       # which feature, for the message
        try:
            shapely.from_geojson(text)
        except (shapely.errors.GEOSException, ValueError, TypeError) as err:
            raise InputError(f"{name}: feature {i + 1}: not a valid GeoJSON geometry ({err})") from err
    raise InputError(f"{name}: the geometries cannot be read")


def _split(features: list[dict], fmt: str, name: str) -> tuple[list[Any], list[Any], int]:
    """Occupied and contested polygons, and how many features were neither."""
    occupied: list[Any] = []
    contested: list[Any] = []
    ignored = 0
    for feature, geom in zip(features, _geometries(features, name), strict=True):
        polys = _polygons(geom) if geom is not None else []
        if not polys:
            ignored += 1
            continue
        if fmt != "deepstate":
            occupied += polys
            continue
        props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        fill = _fill(props)
        if fill in OCCUPIED_FILLS:
            occupied += polys
        elif fill in CONTESTED_FILLS:
            contested += polys
        else:
            ignored += 1
    return occupied, contested, ignored


# --- the entry points -------------------------------------------------------------------

def read_snapshot_bytes(data: bytes, name: str, *, date: dt.date | None = None,
                        folder: str | None = None) -> Reading | Skipped:
    """:func:`read_snapshot_file` on bytes already read (``name`` and ``folder`` give the day)."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{name}: too large ({len(data):,} bytes; at most {MAX_FILE_BYTES:,})")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise InputError(f"{name}: not a UTF-8 JSON file ({str(err)[:80]})") from err
    features = _features(doc, name)
    kind = _kind(features, name)
    if isinstance(kind, Skipped):
        return kind
    fmt, layer = kind
    stamp = None
    if date is None:
        found = date_from_name(name) or (date_from_name(folder) if folder else None)
        if found is None:
            raise InputError(f"{name}: no date in the file name (a Unix timestamp, YYYYMMDD, YYYY-MM-DD "
                             "or 17AUG2024) nor in its folder's; give --date YYYY-MM-DD")
        date, stamp = found
    occupied, contested, ignored = _split(features, fmt, name)
    if not occupied and not contested:
        raise InputError(f"{name}: no occupied or contested polygons ({len(features)} features, "
                         f"none with a front status)")
    return Reading(name=name, format=fmt, layer=layer, date=date, stamp=stamp,
                   digest=hashlib.sha256(data).hexdigest(), occupied=tuple(occupied),
                   contested=tuple(contested), ignored=ignored)


def read_snapshot_file(path: str | Path, *, date: dt.date | None = None) -> Reading | Skipped:
    """What the GeoJSON file at ``path`` says (see the module docstring for the formats);
    :class:`Skipped` for a readable file that holds no front line.

    ``date`` (``--date``) is the snapshot's day; without it the day comes from the name.
    Raises :class:`InputError` naming the file when it cannot be read or has no date.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"{path.name}: too large ({size:,} bytes; at most {MAX_FILE_BYTES:,})")
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path.name}: cannot read ({err.strerror or err})") from err
    return read_snapshot_bytes(data, path.name, date=date, folder=path.parent.name)
