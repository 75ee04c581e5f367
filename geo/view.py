"""What the app shows, as pure functions over the events table (no Streamlit).

Filters (type, date, side, distance bands and range, place search, actors, counts, language, distance
from the front line and control, read from ``geo.frontline``'s columns), the
derived columns the table and filters read (``enrich_events``), the event a map click or a
table row points at, the events stacked at one point, the per-day chart data, text made safe
for ``st.markdown``, upload handling (bytes in, articles or plain-words errors out), the
filtered downloads, and reading a file of events (``read_events_file``) for the app's
``BORDERLINE_EVENTS`` seam.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import tempfile
import unicodedata
from collections.abc import Container, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.articles import DEFAULT_MAX_BYTES, FORMATS, Article, article_from_bytes, articles_from_jsonl, web_url
from geo.errors import BorderlineError, InputError
from geo.events import EVENT_COLUMNS
from geo.lang import ARTICLE_LANGUAGES, LANGUAGE_NAMES
from geo.frontline.drawing import DrawnDay, FrontDrawing
from geo.frontline.measure import CONTROL_VALUES, FRONT_COLUMNS, NOTE_COLUMN
from geo.maps import DayShapes, MapOverlay, event_id_from_popup, event_ids_from_popup, front_line_layer, time_range

__all__ = [
    "EventFilter",
    "SIDES",
    "DistanceBand",
    "DISTANCE_BANDS",
    "FRONT_LINE_NOTE",
    "FRONT_BANDS",
    "CONTROLS",
    "front_text",
    "front_summary",
    "KM_STEPS",
    "km_step_label",
    "snap_km_range",
    "NUMBER_KEYS",
    "ACTOR_NAMES",
    "actor_name",
    "UNKNOWN_LANGUAGE",
    "language_name",
    "language_options",
    "INPUT_LANGUAGES",
    "DERIVED_COLUMNS",
    "parse_json_column",
    "enrich_events",
    "search_key",
    "place_label",
    "actor_options",
    "filter_events",
    "selected_event_id",
    "popup_event_ids",
    "Selection",
    "next_selection",
    "table_event_id",
    "events_at_point",
    "safe_url",
    "TimeCounts",
    "time_counts",
    "type_colors",
    "read_events_file",
    "markdown_safe",
    "excerpt_markdown",
    "safe_source_name",
    "articles_from_upload",
    "UploadResult",
    "empty_events",
    "to_geojson_bytes",
    "to_csv_bytes",
    "to_gpkg_bytes",
    "MapGeography",
    "map_geography",
    "map_labels",
    "reference_layers_enabled",
    "front_days",
    "front_overlay",
]

#: Side codes the filter knows; "unknown" matches events with no side.
SIDES: dict[str, str] = {"RU": "Russian side", "UA": "Ukrainian side", "unknown": "side unknown"}


@dataclass(frozen=True, slots=True)
class DistanceBand:
    id: str
    label: str
    lo: float      # exclusive, except the first band, which holds 0
    hi: float      # inclusive; inf for the open band


#: Distance from the Russia-Ukraine state border, the bands analysts of the border war use.
DISTANCE_BANDS: tuple[DistanceBand, ...] = (
    DistanceBand("0-25", "0–25 km", 0.0, 25.0),
    DistanceBand("25-50", "25–50 km", 25.0, 50.0),
    DistanceBand("50-100", "50–100 km", 50.0, 100.0),
    DistanceBand("100-200", "100–200 km", 100.0, 200.0),
    DistanceBand("200+", "over 200 km", 200.0, math.inf),
)
_BANDS_BY_ID = {b.id: b for b in DISTANCE_BANDS}

#: What the border distance measures (shown under the distance filter).
FRONT_LINE_NOTE = ("These distances are to the Russia–Ukraine state border (geo.borders). Distances to the "
                   "front line are a filter of their own when a front line is imported (borderline frontline "
                   "import). Sides follow the internationally recognised border: occupied Ukraine is the "
                   "Ukrainian side.")

#: Distance from the front line (``geo.frontline``: the snapshot of the event's day).
FRONT_BANDS: tuple[DistanceBand, ...] = (
    DistanceBand("f0-5", "0–5 km", 0.0, 5.0),
    DistanceBand("f5-25", "5–25 km", 5.0, 25.0),
    DistanceBand("f25-50", "25–50 km", 25.0, 50.0),
    DistanceBand("f50+", "over 50 km", 50.0, math.inf),
)
_FRONT_BANDS_BY_ID = {b.id: b for b in FRONT_BANDS}

#: Who controls an event's point in that day's snapshot; "unknown": no measure (see the note).
CONTROLS: dict[str, str] = {"occupied": "occupied", "contested": "contested (grey zone)",
                            "held": "held by Ukraine", "unknown": "no control status"}

#: The distance slider's stops: fine near the border, coarse far from it; the last is "no limit".
KM_STEPS: tuple[float, ...] = (0.0, 1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0, 75.0,
                               100.0, 125.0, 150.0, 200.0, 250.0, 300.0, math.inf)


def km_step_label(value: float) -> str:
    return "300+ (no limit)" if math.isinf(value) else f"{value:g} km"


def snap_km_range(km_min: float | None, km_max: float | None) -> tuple[float, float]:
    """The slider stops that hold the range [km_min, km_max] (outward: nothing in it is cut)."""
    lo = 0.0 if km_min is None else max(float(km_min), 0.0)
    hi = math.inf if km_max is None else float(km_max)
    lo_step = max((k for k in KM_STEPS if k <= lo), default=0.0)
    hi_step = min((k for k in KM_STEPS if k >= hi), default=math.inf)
    return lo_step, max(hi_step, lo_step)


#: Counts extracted from the text (``numbers`` JSON) that the table shows and the filters read.
NUMBER_KEYS: dict[str, str] = {"killed": "Killed", "injured": "Injured", "drones": "Drones",
                               "missiles": "Missiles"}
_ACTOR_KEYS = ("attacker", "target")

#: Actor codes (ISO 3166-1 alpha-2, as geo.events writes them) as a reader knows them.
ACTOR_NAMES: dict[str, str] = {"RU": "Russia", "UA": "Ukraine", "KP": "North Korea", "BY": "Belarus",
                               "KR": "South Korea", "US": "United States", "IR": "Iran"}


def actor_name(code: object) -> str:
    return ACTOR_NAMES.get(str(code), str(code))


#: The language filter's value for events with no language (files written before events had one).
UNKNOWN_LANGUAGE = "unknown"


def language_name(code: object) -> str:
    """What the interface calls a language code ("uk" -> "Ukrainian")."""
    if code is None or code is pd.NA or (isinstance(code, float) and math.isnan(code)) or code == "":
        return "unknown"
    return LANGUAGE_NAMES.get(str(code), str(code))


def language_options(events: pd.DataFrame) -> list[str]:
    """The language codes present in ``events`` (the app's languages first, in their order),
    and :data:`UNKNOWN_LANGUAGE` when some events have none."""
    values = _col(events, "lang").astype("string")
    present = set(values.dropna()) - {""}
    known = [c for c in ARTICLE_LANGUAGES if c in present] + sorted(present - set(ARTICLE_LANGUAGES))
    return known + ([UNKNOWN_LANGUAGE] if (values.isna() | (values == "")).any() else [])


#: The choices of the paste and upload forms' language: None detects each text's.
INPUT_LANGUAGES: dict[str | None, str] = {None: "Auto-detect", **{c: LANGUAGE_NAMES[c] for c in ARTICLE_LANGUAGES}}


#: Columns ``enrich_events`` adds (the exports leave them out).
DERIVED_COLUMNS: tuple[str, ...] = (*NUMBER_KEYS, *_ACTOR_KEYS, "place_label", "place_key")


@dataclass(frozen=True, slots=True)
class EventFilter:
    """The sidebar's state. ``None`` means "no restriction" for every set-valued field."""

    types: frozenset[str] | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    include_undated: bool = True
    sides: frozenset[str] | None = None
    km_min: float | None = None
    km_max: float | None = None
    km_bands: frozenset[str] | None = None     # ids of DISTANCE_BANDS, any of them
    include_unknown_distance: bool = True
    articles: frozenset[str] | None = None
    min_confidence: float = 0.0
    place_query: str | None = None             # part of the place's name (search_key-insensitive)
    attackers: frozenset[str] | None = None
    targets: frozenset[str] | None = None
    min_numbers: tuple[tuple[str, int], ...] = ()   # (("killed", 1),): at least that many
    langs: frozenset[str] | None = None        # language codes; UNKNOWN_LANGUAGE: events with none
    front_bands: frozenset[str] | None = None  # ids of FRONT_BANDS, any of them
    controls: frozenset[str] | None = None     # keys of CONTROLS
    include_unknown_front: bool = False        # with front bands: keep events with no front distance


def empty_events() -> gpd.GeoDataFrame:
    """A table with every ``EVENT_COLUMNS`` column and no rows (the store's dtypes)."""
    from geo.events import empty_events_frame
    return empty_events_frame()


def _col(events: pd.DataFrame, name: str) -> pd.Series:
    return events[name] if name in events.columns else pd.Series([None] * len(events), index=events.index)


# --- derived columns ------------------------------------------------------------------

def _json_object(text: object) -> dict:
    try:
        obj = json.loads(text) if isinstance(text, str) and text else {}
    except ValueError:
        return {}
    return obj if isinstance(obj, dict) else {}


def parse_json_column(values: pd.Series, keys: tuple[str, ...]) -> pd.DataFrame:
    """The ``keys`` of a column of JSON objects (``numbers``, ``actors``): one column per key,
    None where the key is missing or the text is not a JSON object."""
    # each distinct text parsed once: most rows repeat a few texts ("{}", one actor pair)
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    parsed = [_json_object(u) for u in uniques]
    out = {}
    for k in keys:
        per_unique = np.array([obj.get(k) for obj in parsed] + [None], dtype=object)
        out[k] = per_unique[codes]   # code -1 (missing) takes the trailing None
    return pd.DataFrame(out, index=values.index)


def _counts(values: pd.Series) -> pd.Series:
    num = pd.to_numeric(values, errors="coerce")
    num = num.where(np.isfinite(num) & (num >= 0))
    return num.round().astype("Int64")


_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'", "´": "'", "‐": "-", "‑": "-",
                              "–": "-", "—": "-"})


def search_key(text: object) -> str:
    """Text for matching: no case, no diacritics, one kind of apostrophe and dash, single spaces
    ("Stal’noi Kon" and "stal'noi kon", "Zaporizhzhia" and "ZAPORIZHZHIA")."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_APOSTROPHES))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def place_label(place_name: object, precision: object, admin1: object,
                region_names: Mapping[str, str] | None = None) -> str:
    """What a reader sees as the place: the region's own name for a region-precision event
    (the text may have said "Oryol regional"), else the name as written."""
    written = "" if place_name is None or (isinstance(place_name, float) and math.isnan(place_name)) \
        else str(place_name)
    if str(precision) == "region" and region_names and isinstance(admin1, str):
        name = region_names.get(admin1)
        if name:
            return name
    return written


def enrich_events(events: gpd.GeoDataFrame, *, region_names: Mapping[str, str] | None = None) -> gpd.GeoDataFrame:
    """``events`` with ``DERIVED_COLUMNS`` added (a copy): the counts and actors parsed from
    their JSON, the place as shown (``place_label``) and its search key. Done once per store
    version, so filtering and the table read plain columns."""
    out = events.copy()
    numbers = parse_json_column(_col(events, "numbers"), tuple(NUMBER_KEYS))
    for k in NUMBER_KEYS:
        out[k] = _counts(numbers[k])
    actors = parse_json_column(_col(events, "actors"), _ACTOR_KEYS)
    for k in _ACTOR_KEYS:
        out[k] = pd.Series([v if isinstance(v, str) and v else None for v in actors[k].tolist()],
                           index=events.index, dtype=object)
    def plain(name: str) -> pd.Series:   # NaN -> None: NaN keys never equal each other in a dict
        col = _col(events, name).astype(object)
        return col.where(col.notna(), None)

    keyed = pd.DataFrame({"p": plain("place_name"), "r": plain("precision"), "a": plain("admin1")},
                         index=events.index)
    # per distinct (name, precision, region): a store holds far fewer places than events
    distinct = keyed.drop_duplicates()
    label_of = {}
    key_of = {}
    for p, r, a in distinct.itertuples(index=False, name=None):
        lab = place_label(p, r, a, region_names)
        written = search_key(p)
        shown = search_key(lab)
        # the name as written and as shown are both searchable ("Oryol" finds "Oryol regional")
        label_of[(p, r, a)] = lab
        key_of[(p, r, a)] = written if written == shown else f"{written} | {shown}"
    rows = list(keyed.itertuples(index=False, name=None))
    out["place_label"] = [label_of[t] for t in rows]
    out["place_key"] = [key_of[t] for t in rows]
    return out


def actor_options(events: pd.DataFrame, role: str) -> list[str]:
    """The actor codes present in ``role`` ("attacker" or "target"), most frequent first."""
    values = events[role] if role in events.columns else \
        parse_json_column(_col(events, "actors"), (role,))[role]
    counts = values.dropna().astype(str).value_counts()
    return [str(c) for c in counts.index if c]


# --- filtering ------------------------------------------------------------------------

def _in_bands(km: pd.Series, band_ids: frozenset[str],
              bands: Mapping[str, DistanceBand] = _BANDS_BY_ID) -> np.ndarray:
    ok = np.zeros(len(km), dtype=bool)
    values = km.to_numpy(dtype=float)
    for band_id in band_ids:
        band = bands.get(band_id)
        if band is None:
            continue
        above = values >= band.lo if band.lo == 0 else values > band.lo
        ok |= above & (values <= band.hi)
    return ok


def filter_events(events: gpd.GeoDataFrame, flt: EventFilter) -> gpd.GeoDataFrame:
    """The rows of ``events`` that pass ``flt`` (vectorised; the input is not modified).

    Reads ``enrich_events``' columns when present, and parses what it needs otherwise.
    """
    if len(events) == 0:
        return events
    keep = np.ones(len(events), dtype=bool)
    for test in _FILTER_STEPS:
        keep &= test(events, flt)
    return events.loc[keep]


def _type_keep(events: pd.DataFrame, flt: EventFilter) -> np.ndarray | bool:
    if flt.types is None:
        return True
    return _col(events, "event_type").isin(flt.types).to_numpy()


def _date_keep(events: pd.DataFrame, flt: EventFilter) -> np.ndarray | bool:
    if flt.date_from is None and flt.date_to is None and flt.include_undated:
        return True
    dates = pd.to_datetime(_col(events, "date"), errors="coerce", format="mixed")
    known = dates.notna().to_numpy()
    ok = known.copy()
    if flt.date_from is not None:
        ok &= (dates >= pd.Timestamp(flt.date_from)).to_numpy()
    if flt.date_to is not None:
        ok &= (dates <= pd.Timestamp(flt.date_to)).to_numpy()
    return ok | (~known & flt.include_undated)


def _side_keep(events: pd.DataFrame, flt: EventFilter) -> np.ndarray | bool:
    if flt.sides is None:
        return True
    side = _col(events, "side").astype("string")
    unknown = (side.isna() | ~side.isin(["RU", "UA"])).to_numpy()
    return side.isin(flt.sides).fillna(False).to_numpy(dtype=bool) | (unknown & ("unknown" in flt.sides))


def _distance_keep(events: pd.DataFrame, flt: EventFilter) -> np.ndarray | bool:
    if (flt.km_min is None and flt.km_max is None and flt.km_bands is None
            and flt.include_unknown_distance):
        return True
    km = pd.to_numeric(_col(events, "border_km"), errors="coerce")
    known = km.notna().to_numpy()
    ok = known.copy()
    if flt.km_min is not None:
        ok &= (km >= flt.km_min).fillna(False).to_numpy(dtype=bool)
    if flt.km_max is not None:
        ok &= (km <= flt.km_max).fillna(False).to_numpy(dtype=bool)
    if flt.km_bands is not None:
        ok &= _in_bands(km, flt.km_bands)
    return ok | (~known & flt.include_unknown_distance)


def _article_keep(events: pd.DataFrame, flt: EventFilter) -> np.ndarray | bool:
    if flt.articles is None:
        return True
    wanted = set(flt.articles)
    article = _col(events, "article").astype("string")
    in_sources = _col(events, "sources").astype("string").fillna("").map(
        lambda s: any(part in wanted for part in s.split("; ")) if s else False)
    return article.isin(wanted).fillna(False).to_numpy(dtype=bool) | in_sources.to_numpy(dtype=bool)


def _confidence_keep(events: pd.DataFrame, flt: EventFilter) -> np.ndarray | bool:
    if flt.min_confidence <= 0:
        return True
    conf = pd.to_numeric(_col(events, "confidence"), errors="coerce").fillna(0.0)
    return (conf >= flt.min_confidence).to_numpy()


def _place_keep(events: pd.DataFrame, flt: EventFilter) -> np.ndarray | bool:
    query = search_key(flt.place_query)
    if not query:
        return True
    keys = events["place_key"] if "place_key" in events.columns else _col(events, "place_name").map(search_key)
    return keys.astype(str).str.contains(query, regex=False).to_numpy(dtype=bool)


def _actor_keep(events: pd.DataFrame, flt: EventFilter) -> np.ndarray | bool:
    keep: np.ndarray | bool = True
    for role, wanted in (("attacker", flt.attackers), ("target", flt.targets)):
        if wanted is not None:
            values = events[role] if role in events.columns else \
                parse_json_column(_col(events, "actors"), (role,))[role]
            keep = keep & values.isin(wanted).to_numpy(dtype=bool)
    return keep


def _lang_keep(events: pd.DataFrame, flt: EventFilter) -> np.ndarray | bool:
    if flt.langs is None:
        return True
    lang = _col(events, "lang").astype("string")
    unknown = (lang.isna() | (lang == "")).to_numpy(dtype=bool)
    return lang.isin(flt.langs).fillna(False).to_numpy(dtype=bool) | (unknown & (UNKNOWN_LANGUAGE in flt.langs))


def _numbers_keep(events: pd.DataFrame, flt: EventFilter) -> np.ndarray | bool:
    keep: np.ndarray | bool = True
    for key, least in flt.min_numbers:
        if least > 0:
            values = events[key] if key in events.columns else \
                _counts(parse_json_column(_col(events, "numbers"), (key,))[key])
            keep = keep & (pd.to_numeric(values, errors="coerce").fillna(0) >= least).to_numpy(dtype=bool)
    return keep


def _front_keep(events: pd.DataFrame, flt: EventFilter) -> np.ndarray:
    """The front-line filters: bands of ``front_km`` and ``control`` (columns missing: no
    measure, so only "unknown" and ``include_unknown_front`` keep rows)."""
    keep = np.ones(len(events), dtype=bool)
    if flt.front_bands is not None:
        km = pd.to_numeric(_col(events, "front_km"), errors="coerce")
        known = km.notna().to_numpy()
        keep &= (known & _in_bands(km, flt.front_bands, _FRONT_BANDS_BY_ID)) | (~known & flt.include_unknown_front)
    if flt.controls is not None:
        control = _col(events, "control").astype("string")
        known = control.isin(CONTROL_VALUES).fillna(False).to_numpy(dtype=bool)
        keep &= (control.isin(flt.controls).fillna(False).to_numpy(dtype=bool)
                 | (~known & ("unknown" in flt.controls)))
    return keep


#: Each of ``EventFilter``'s criteria, as a function of (events, filter) giving the rows kept
#: (True: the criterion is not set). ``filter_events`` keeps the rows all of them keep.
_FILTER_STEPS = (_type_keep, _date_keep, _side_keep, _distance_keep, _article_keep, _confidence_keep,
                 _place_keep, _actor_keep, _lang_keep, _numbers_keep, _front_keep)



def front_text(event: Mapping[str, object]) -> str:
    """The selected event's front line in words: "3.2 km from the front line; occupied
    (DeepStateMap, 2024-07-08)", or why there is no measure."""
    km = pd.to_numeric(pd.Series([event.get("front_km")]), errors="coerce").iloc[0]
    control = event.get("control")
    control = control if isinstance(control, str) and control in CONTROL_VALUES else None
    if pd.isna(km) and control is None:
        note = event.get(NOTE_COLUMN)
        return f"no measure: {note}" if isinstance(note, str) and note else "no front line imported"
    parts = [] if pd.isna(km) else [f"{km:.1f} km from the front line"]
    if control:
        parts.append(CONTROLS[control])
    where = ", ".join(str(v) for v in (event.get("front_source"), event.get("front_date"))
                      if isinstance(v, str) and v)
    return "; ".join(parts) + (f" ({where})" if where else "")


def front_summary(events: pd.DataFrame) -> str | None:
    """Why events have no front-line measure, counted ("412 undated; 40 dated only to the
    month"), or None when every event has one (or no front line is imported)."""
    if NOTE_COLUMN not in events.columns or len(events) == 0:
        return None
    notes = events[NOTE_COLUMN].dropna().astype(str)
    if notes.empty:
        return None
    counts = notes.str.replace(r" \(.*\)$", "", regex=True).value_counts()
    return "; ".join(f"{n:,} {why}" for why, n in counts.items())


# --- what is selected -----------------------------------------------------------------

def selected_event_id(map_state: Mapping[str, object] | None, known_ids: Container[str]) -> str | None:
    """The event a map click points at, from st_folium's returned values, if it is known.

    The popup text carries the event id (``geo.maps.POPUP_FIELDS``); st_folium returns
    that text for a click on any marker, whether or not the popup has opened yet.
    """
    if not map_state:
        return None
    for key in ("last_object_clicked_popup", "last_object_clicked_tooltip"):
        event_id = event_id_from_popup(map_state.get(key))
        if event_id is not None and event_id in known_ids:
            return event_id
    return None


def popup_event_ids(map_state: Mapping[str, object] | None, known_ids: Container[str]) -> list[str]:
    """Every known event the clicked popup lists (the map lists all events drawn within a
    few pixels of the click, the clicked one first); [] without a click."""
    if not map_state:
        return []
    return [i for i in event_ids_from_popup(map_state.get("last_object_clicked_popup")) if i in known_ids]


@dataclass(frozen=True, slots=True)
class Selection:
    """The event the side panel shows, and what the map and table said when it was chosen.

    The map and the table each keep their own last value across reruns; whichever of them
    changed since the last run is what the user just did.
    """

    event_id: str | None = None
    source: str | None = None          # "map" or "table": where it was chosen
    map_seen: str | None = None        # the map click's event id at the last run
    table_seen: str | None = None      # the table row's event id at the last run


def next_selection(prev: Selection, *, map_id: str | None, table_id: str | None) -> Selection:
    """The selection after a run in which the map reports ``map_id`` and the table ``table_id``
    (a new click or row wins; a cleared one keeps what was shown)."""
    event_id, source = prev.event_id, prev.source
    if table_id is not None and table_id != prev.table_seen:
        event_id, source = table_id, "table"
    if map_id is not None and map_id != prev.map_seen:
        event_id, source = map_id, "map"
    return Selection(event_id, source, map_id, table_id)


def table_event_id(rows: object, event_ids: pd.Series) -> str | None:
    """The event id of the first selected row (positions into the table as given)."""
    try:
        first = int(list(rows)[0])  # type: ignore[call-overload]
    except (TypeError, ValueError, IndexError):
        return None
    if not 0 <= first < len(event_ids):
        return None
    return str(event_ids.iloc[first])


def events_at_point(events: pd.DataFrame, lat: object, lon: object, *, decimals: int = 5) -> pd.DataFrame:
    """Every event drawn at (lat, lon), to the map's precision: events that share a point (a
    region's point, a hromada's point) cover each other on the map; this lists them all."""
    try:
        la, lo = round(float(lat), decimals), round(float(lon), decimals)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return events.iloc[0:0]
    if not (math.isfinite(la) and math.isfinite(lo)) or len(events) == 0:
        return events.iloc[0:0]
    lats = pd.to_numeric(_col(events, "lat"), errors="coerce").round(decimals)
    lons = pd.to_numeric(_col(events, "lon"), errors="coerce").round(decimals)
    return events.loc[((lats == la) & (lons == lo)).to_numpy(dtype=bool)]


#: ``url`` if it is a plain http(s) address, else None: only such addresses become links.
safe_url = web_url


# --- the time chart -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TimeCounts:
    frame: pd.DataFrame     # period (Timestamp), event_type, label, events: one row per non-zero cell
    freq: str               # "D" (per day) or "W" (per week, Monday start)
    undated: int            # events with no date
    coarse: int             # events dated only to a month or a year (not on a day axis)


def _day_dates(events: pd.DataFrame) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    raw = _col(events, "date").astype("string")
    day_like = raw.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).to_numpy(dtype=bool)
    if "date_precision" in events.columns:
        prec = events["date_precision"].astype("string").fillna("")
        coarse_prec = prec.isin(["month", "year"]).to_numpy(dtype=bool)
        day_like &= ~coarse_prec
    dates = pd.to_datetime(raw.where(day_like), errors="coerce", format="%Y-%m-%d")
    has_date = raw.notna().to_numpy() & (raw.str.strip() != "").fillna(False).to_numpy(dtype=bool)
    return dates, has_date, dates.notna().to_numpy()


def time_counts(events: pd.DataFrame, *, max_days: int = 183) -> TimeCounts:
    """Events per day (per week beyond ``max_days``) by type, for a stacked bar chart; events
    with no date, or a date only to the month or year, are counted, not dropped."""
    from geo.event_types import label as type_label

    dates, has_date, on_axis = _day_dates(events)
    undated = int((~has_date).sum())
    coarse = int((has_date & ~on_axis).sum())
    empty = pd.DataFrame({"period": pd.Series([], dtype="datetime64[ns]"), "event_type": [], "label": [],
                          "events": pd.Series([], dtype="int64")})
    if not on_axis.any():
        return TimeCounts(empty, "D", undated, coarse)
    d = dates[on_axis]
    span = (d.max() - d.min()).days
    freq = "D" if span <= max_days else "W"
    period = d.dt.normalize() if freq == "D" else (d - pd.to_timedelta(d.dt.day_of_week, unit="D")).dt.normalize()
    types = _col(events, "event_type").astype("string").fillna("unknown")[on_axis]
    grouped = (pd.DataFrame({"period": period.to_numpy(), "event_type": types.to_numpy()})
               .groupby(["period", "event_type"], sort=True).size().rename("events").reset_index())
    grouped["label"] = grouped["event_type"].map(type_label)
    return TimeCounts(grouped[["period", "event_type", "label", "events"]], freq, undated, coarse)


def type_colors(type_ids: list[str]) -> tuple[list[str], list[str]]:
    """(labels, colours) of ``type_ids`` in the registry's order: an Altair colour scale."""
    from geo import event_types

    order = [t for t in event_types.TYPE_IDS if t in set(type_ids)] + \
        sorted(set(type_ids) - set(event_types.TYPE_IDS))
    return [event_types.label(t) for t in order], [event_types.get(t).color for t in order]


# --- text for st.markdown ---------------------------------------------------------

# One pass over the raw text: HTML's specials, the characters the map's escaping adds
# (backtick, dollar, backslash, braces), and the ASCII punctuation Markdown, Streamlit's
# :colour[...] directives, $math$, :emoji: and GFM's bare www./http:// and e-mail autolinks
# act on, all as numeric entities: shown, inert.
_MD_SAFE = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\"'`$\\{}*_[]()#+-!|~:>=^./@%"})


def markdown_safe(value: object) -> str:
    """Text for ``st.markdown(..., unsafe_allow_html=True)``: shown literally, runs nothing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).translate(_MD_SAFE).replace("\r\n", "<br>").replace("\n", "<br>")


def excerpt_markdown(excerpt: object, start: object, end: object) -> str:
    """The whole excerpt, markdown-safe, with the place name in ``<mark>``."""
    text = "" if excerpt is None or (isinstance(excerpt, float) and math.isnan(excerpt)) else str(excerpt)
    try:
        s, e = int(start), int(end)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return markdown_safe(text)
    if not 0 <= s < e <= len(text):
        return markdown_safe(text)
    return (markdown_safe(text[:s]) + "<mark>" + markdown_safe(text[s:e]) + "</mark>"
            + markdown_safe(text[e:]))


# --- uploads ----------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r"[^\w.\- ()]+", re.UNICODE)


def safe_source_name(name: object, *, fallback: str = "upload") -> str:
    """A label for an uploaded file: its last path component, printable, at most 80 chars
    (a long name loses the end of its stem, never its suffix).

    Only ever used as the article's ``source`` label, never to build a path.
    """
    raw = str(name or "")
    raw = raw.replace("\\", "/").rsplit("/", 1)[-1]
    raw = "".join(ch for ch in raw if unicodedata.category(ch)[0] not in ("C",))
    raw = _UNSAFE_NAME.sub("_", raw).strip(" .") or fallback
    if len(raw) <= 80:
        return raw
    suffix = Path(raw).suffix if len(Path(raw).suffix) <= 10 else ""
    return raw[:80 - len(suffix)].rstrip(" .") + suffix   # cut the stem, keep the file type


@dataclass(frozen=True, slots=True)
class UploadResult:
    name: str                        # the safe source name
    articles: tuple[Article, ...]    # parsed articles (a JSON Lines file may hold many)
    errors: tuple[str, ...]          # one plain-words line per problem
    notes: tuple[str, ...] = ()      # what was left out on purpose (Telegram messages without text)


def articles_from_upload(name: object, data: bytes, *, default_date: dt.date | None = None,
                         max_bytes: int = DEFAULT_MAX_BYTES, default_lang: str | None = None) -> UploadResult:
    """Parse an uploaded file (txt, md, html, jsonl, a Telegram export's json) into articles,
    or say why not. ``default_lang`` is the language of articles that state none (None: detect each)."""
    source = safe_source_name(name)
    suffix = Path(source).suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        return UploadResult(source, (), (f"{source}: unsupported file type {suffix or '(none)'} "
                                         f"(use .txt, .md, .html, .jsonl or a Telegram export's .json)",))
    if fmt == "telegram":
        return _telegram_upload(source, data, max_bytes=max_bytes, default_lang=default_lang)
    if fmt != "jsonl":
        try:
            return UploadResult(source, (article_from_bytes(data, source=source, fmt=fmt,
                                                            default_date=default_date,
                                                            max_bytes=max_bytes, default_lang=default_lang),), ())
        except InputError as err:
            return UploadResult(source, (), (str(err),))
    errors: list[str] = []
    articles = list(articles_from_jsonl(io.BytesIO(data), source=source, default_date=default_date,
                                        max_bytes=max_bytes, on_error=lambda err: errors.append(str(err)),
                                        default_lang=default_lang))
    if not articles and not errors:
        errors.append(f"{source}: empty file")
    return UploadResult(source, tuple(articles), tuple(errors))


def _telegram_upload(source: str, data: bytes, *, max_bytes: int, default_lang: str | None = None) -> UploadResult:
    """An uploaded Telegram channel export: its articles, its bad messages, and a note of the
    messages it skipped."""
    from geo.telegram import MAX_EXPORT_BYTES, articles_from_export

    if not data.strip():
        return UploadResult(source, (), (f"{source}: empty file",))
    if len(data) > MAX_EXPORT_BYTES:
        return UploadResult(source, (), (f"{source}: too large for a Telegram export ({len(data):,} bytes; "
                                         f"the limit is {MAX_EXPORT_BYTES:,})",))
    errors: list[str] = []
    notes: list[str] = []
    try:
        articles = list(articles_from_export(io.BytesIO(data), source=source, max_bytes=max_bytes,
                                             on_error=lambda err: errors.append(str(err)),
                                             on_skip=lambda skipped: notes.append(skipped.line()),
                                             default_lang=default_lang))
    except InputError as err:
        return UploadResult(source, (), (str(err),))
    return UploadResult(source, tuple(articles), tuple(errors), tuple(notes))


# --- what the map draws besides events ------------------------------------------

@dataclass(frozen=True, slots=True)
class MapGeography:
    border: object | None                          # the border line (shapely)
    bands: tuple[tuple[str, object], ...] | None   # distance bands [(label, polygon)]
    outlines: object | None                        # country outlines (GeoJSON dict or GeoDataFrame)
    note: str | None                               # where the border comes from, for a caption
    problem: str | None = None                     # why some of it is missing, in plain words


def map_geography() -> MapGeography:
    """The border line, its distance bands (0-25, 25-50, 50-100, 100-200 km; beyond 200 km is
    everything else, so it is a filter, not a polygon) and country outlines, from
    ``geo.borders``; outlines from ``geo/data/countries_region.geojson`` when shipped, else
    Russia and Ukraine from the border data. Whatever is missing is None (the map still draws).
    """
    import importlib.resources

    border = bands = outlines = note = problem = None
    loaded = None
    try:
        from geo import borders
        loaded = borders.load_border()
        border = loaded.line
        parts = [getattr(loaded, "source", None), getattr(loaded, "crimea", None)]
        note = "; ".join(str(p) for p in parts if p) or None
        # the map's band layers are the filter's bands (all but the open one)
        bands = tuple(borders.bands(loaded, km=tuple(b.hi for b in DISTANCE_BANDS if math.isfinite(b.hi))))
    except ImportError as err:
        problem = f"no border module ({err})"
    except (BorderlineError, OSError, ValueError, TypeError, AttributeError) as err:
        problem = f"the border could not be loaded: {err}"
    try:
        res = importlib.resources.files("geo") / "data" / "countries_region.geojson"
        if res.is_file():
            outlines = json.loads(res.read_text(encoding="utf-8"))
        elif loaded is not None:
            outlines = gpd.GeoSeries([loaded.ru, loaded.ua], crs="EPSG:4326")
    except (OSError, ValueError, AttributeError) as err:
        problem = (problem + "; " if problem else "") + f"no country outlines ({err})"
    return MapGeography(border, bands, outlines, note, problem)


# --- downloads --------------------------------------------------------------------
# The same writers as ``borderline export`` (geo.events / geo.store), on the filtered rows,
# without the columns the app derived (``DERIVED_COLUMNS``).

def _stored_columns(events: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    # the front line's columns stay (an export carries them); its note is the app's
    derived = [c for c in (*DERIVED_COLUMNS, NOTE_COLUMN) if c in events.columns]
    return events.drop(columns=derived) if derived else events


def to_geojson_bytes(events: gpd.GeoDataFrame) -> bytes:
    """GeoJSON FeatureCollection (EPSG:4326), properties named as ``EVENT_COLUMNS``."""
    from geo.events import frame_to_geojson
    return frame_to_geojson(_stored_columns(events)).encode("utf-8")


def to_csv_bytes(events: gpd.GeoDataFrame) -> bytes:
    """CSV with ACLED's column names (``geo.events.frame_to_acled``), formula-looking text
    defused, then the front line's columns when the events have them (``geo.store.acled_table``)."""
    from geo.store import acled_table
    return acled_table(_stored_columns(events)).to_csv(index=False).encode("utf-8")


def to_gpkg_bytes(events: gpd.GeoDataFrame, *, sources: pd.DataFrame | None = None) -> bytes:
    """A GeoPackage of ``events`` (layer ``events``; ``event_sources`` too when given)."""
    from geo.store import URL_COLUMN, write_frame
    with tempfile.TemporaryDirectory(prefix="borderline-export-") as tmp:
        path = Path(tmp) / "events.gpkg"
        # the url column is the store's, not an event column; an export without it loses the link
        keep = [c for c in (*EVENT_COLUMNS, URL_COLUMN, *FRONT_COLUMNS) if c in events.columns]
        frame = gpd.GeoDataFrame(pd.DataFrame(events[keep]),
                                 geometry=events.geometry.values, crs="EPSG:4326")
        write_frame(frame, "gpkg", path, sources=sources)
        return path.read_bytes()


# --- a file of events (the app's BORDERLINE_EVENTS) ----------------------------------

def read_events_file(path: str | Path) -> gpd.GeoDataFrame:
    """The events in ``path``: a Borderline store (``events.gpkg``, read through
    ``geo.store``), or a file ``borderline export`` or ``geo.store.write_frame`` wrote
    (GeoPackage layer ``events``, GeoParquet, GeoJSON). Columns missing from the file are
    added empty, so the app reads any of them the same way."""
    from geo.errors import StoreError
    from geo.store import EventStore

    path = Path(path)
    if not path.is_file():
        raise StoreError(f"{path}: no such events file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".gpkg":
            try:
                return EventStore(path, create=False).read_events()
            except StoreError:
                pass   # not a store: an exported GeoPackage, read below
            import pyogrio
            frame = pyogrio.read_dataframe(path, layer="events")
        elif suffix in (".parquet", ".geoparquet"):
            frame = gpd.read_parquet(path)
        elif suffix in (".geojson", ".json"):
            frame = gpd.read_file(path)
        else:
            raise StoreError(f"{path}: unknown events file type {suffix or '(none)'} "
                             "(use .gpkg, .parquet or .geojson)")
    except StoreError:
        raise
    except (OSError, ValueError, RuntimeError, ImportError) as err:   # pyogrio's errors are RuntimeErrors
        raise StoreError(f"{path}: cannot read events ({err})") from err
    for c in EVENT_COLUMNS:
        if c not in frame.columns:
            frame[c] = None
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    return frame


# --- the map's reference layers ---------------------------------------------------

def map_labels(events: pd.DataFrame, *, gazetteer: object | None = None) -> tuple:
    """Place names for the map (``geo.reference.gazetteer_labels``): the gazetteer's towns and the
    events' own settlements. ``gazetteer``: an open one, else the default is opened (and closed);
    () when none is built or it cannot be read: the map then names only regions and water."""
    import sqlite3

    from geo import reference

    ids = reference.event_place_ids(events)
    if gazetteer is not None:
        return reference.gazetteer_labels(gazetteer, place_ids=ids)
    try:
        from gazetteer.query import Gazetteer
        with Gazetteer.open() as gaz:
            return reference.gazetteer_labels(gaz, place_ids=ids)
    except (ImportError, OSError, sqlite3.Error):
        return ()


def reference_layers_enabled(environ: Mapping[str, str]) -> bool:
    """The map's reference layers are on unless ``$BORDERLINE_REFERENCE_LAYERS`` is "0", "off",
    "no" or "false" (the map benchmark's baseline)."""
    return str(environ.get("BORDERLINE_REFERENCE_LAYERS", "")).strip().lower() not in ("0", "off", "no", "false")


# --- the map's front line ---------------------------------------------------------------

_EPOCH_DAY = dt.date(1970, 1, 1)


def front_days(drawing: FrontDrawing, events: pd.DataFrame) -> list[DrawnDay]:
    """The entries of ``drawing`` the time control over ``events`` can show
    (``FrontDrawing.days`` over ``geo.maps.time_range``)."""
    span = time_range(events)
    if span is None:
        return drawing.days()
    return drawing.days(_EPOCH_DAY + dt.timedelta(days=span[0]), _EPOCH_DAY + dt.timedelta(days=span[1]))


def front_overlay(drawing: FrontDrawing | None, events: pd.DataFrame) -> MapOverlay | None:
    """The map's front-line layer (``geo.maps.front_line_layer``) for the map of ``events``, as
    an overlay for ``build_map``: the days of ``drawing`` that the time control over these events
    can show, drawn and stored now through the drawing's sink (the app, ``borderline map``), or
    else handed to the map as text; None without a drawing."""
    if drawing is None:
        return None
    # drawn (and stored) here, before the map is built: build_map only places what it is given
    days = []
    for entry in front_days(drawing, events):
        lo, hi = (entry.day - _EPOCH_DAY).days, (entry.until - _EPOCH_DAY).days
        url = drawing.url(entry)
        days.append(DayShapes(lo, hi, url=url) if url is not None
                    else DayShapes(lo, hi, geojson=drawing.geojson(entry)))
    source, max_age = drawing.source, drawing.series.max_age_days

    def add(m, data_sink):
        return front_line_layer(days, source=source, max_age_days=max_age, data_sink=data_sink).add_to(m)

    return add
