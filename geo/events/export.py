"""The events table and its writers: GeoJSON, ACLED-style CSV (formula-looking text defused)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from geo.event_types import acled_category, label
from geo.events.model import _FLOAT_COLUMNS, _INT_COLUMNS, EVENT_COLUMNS, LIST_SEP, Event
from geo.events.places import geo_precision

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = ["event_record", "empty_events_frame", "events_to_frame", "frame_to_geojson", "ACLED_COLUMNS",
           "frame_to_acled", "acled_date", "acled_territory_sub_type"]

def event_record(ev: Event) -> dict[str, object]:
    """One event as a row of the events table (``EVENT_COLUMNS``, lists and dicts as text)."""
    return {
        "event_id": ev.event_id,
        "event_type": ev.event_type,
        "type_label": label(ev.event_type),
        "tags": LIST_SEP.join(ev.tags),
        "place_name": ev.place_name,
        "place_id": ev.place_id,
        "place_kind": ev.place_kind,
        "precision": ev.precision,
        "country": ev.country,
        "admin1": ev.admin1,
        "border_km": ev.border_km,
        "side": ev.side,
        "date": ev.date,
        "date_precision": ev.date_precision,
        "actors": json.dumps(ev.actors, ensure_ascii=False, sort_keys=True),
        "numbers": json.dumps(ev.numbers, ensure_ascii=False, sort_keys=True),
        "excerpt": ev.excerpt,
        "place_start": ev.place_start,
        "place_end": ev.place_end,
        "article": ev.article,
        "article_id": ev.article_id,
        "lang": ev.lang,
        "sources": LIST_SEP.join(ev.sources),
        "confidence": ev.confidence,
        "triggers": LIST_SEP.join(ev.triggers),
        "lat": ev.lat,
        "lon": ev.lon,
    }


def empty_events_frame() -> gpd.GeoDataFrame:
    """A GeoDataFrame with no rows and the events table's columns and dtypes."""
    import geopandas as gpd
    import pandas as pd

    data = {c: pd.Series([], dtype="float64" if c in _FLOAT_COLUMNS else
                         "int64" if c in _INT_COLUMNS else object) for c in EVENT_COLUMNS}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")


def events_to_frame(events: Iterable[Event]) -> gpd.GeoDataFrame:
    """Events as a GeoDataFrame: exactly ``EVENT_COLUMNS`` plus Point geometry, EPSG:4326."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    rows = [event_record(ev) for ev in events]
    if not rows:
        return empty_events_frame()
    frame = pd.DataFrame.from_records(rows, columns=list(EVENT_COLUMNS))
    for c in _FLOAT_COLUMNS:
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    for c in _INT_COLUMNS:
        frame[c] = frame[c].astype("int64")
    lon, lat = frame["lon"].to_numpy(), frame["lat"].to_numpy()
    ok = np.isfinite(lon) & np.isfinite(lat)
    geoms = np.full(len(frame), None, dtype=object)
    geoms[ok] = shapely.points(lon[ok], lat[ok])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326")


def frame_to_geojson(frame: gpd.GeoDataFrame, *, indent: int | None = None) -> str:
    """A GeoJSON FeatureCollection, one Feature per row, properties named as the columns.
    List and dict fields stay text exactly as in the table, so the round trip is lossless."""
    import math

    features = []
    columns = [c for c in frame.columns if c != frame.geometry.name]
    records = frame[columns].to_dict(orient="records")
    for record, geom in zip(records, frame.geometry, strict=True):
        props = {}
        for k, v in record.items():
            if isinstance(v, float) and math.isnan(v):
                v = None
            elif hasattr(v, "item"):          # numpy scalars
                v = v.item()
            props[k] = v
        geometry = None
        if geom is not None and not geom.is_empty:
            geometry = {"type": "Point", "coordinates": [round(geom.x, 6), round(geom.y, 6)]}
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=indent)


#: ACLED's names first (where one exists), then ours.
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
    "civilian_targeting", "country", "admin1", "location", "latitude", "longitude", "geo_precision",
    "source", "notes", "fatalities",
    "borderline_type", "type_label", "tags", "place_id", "place_kind", "precision", "border_km", "side",
    "date_precision", "actors", "numbers", "place_start", "place_end", "article", "article_id", "lang",
    "confidence", "triggers",
)
#: Types whose events target civilians (ACLED's civilian_targeting column).
_CIVILIAN_TARGETING = frozenset({"civilian_casualties", "violence_against_civilians"})
#: ACLED's territory sub-event types (Battles): control regained by the state whose territory
#: it is, or taken by anyone else (ACLED codes a foreign army taking ground this way too).
_REGAINS = "Government regains territory"
_OVERTAKES = "Non-state actor overtakes territory"
#: Trigger words that say control came back, when the text names no side.
_BACK_WORDS = re.compile(r"\b(?:re-?captur\w*|retak\w*|retook|regain\w*|liberat\w*|took\s+back|back\s+under)", re.I)


def acled_date(date: object) -> tuple[str | None, int | None]:
    """(ACLED ``event_date`` as YYYY-MM-DD, ``time_precision``) for an event date as the
    events table keeps it (ISO at its precision): ``2024-11`` is ``2024-11-15`` (3), ``2024``
    is ``2024-07-01`` (3); an unknown or malformed date is (None, None), never a made-up day.

    ACLED's time_precision is 1 when the day is known, 2 for a week, 3 when only the month
    is; a month-only event is coded to the month's mid-point. ACLED has no code for a year
    alone: it gets 3 and the year's mid-point, the same rule one level up. (A date kept
    as its month is read from the text as such; the week is not kept, so 2 never occurs.)
    """
    import datetime as dt

    if not isinstance(date, str):
        return None, None
    try:
        if len(date) == 10:
            return dt.date.fromisoformat(date).isoformat(), 1
        if len(date) == 7:
            return dt.date(int(date[:4]), int(date[5:7]), 15).isoformat(), 3
        if len(date) == 4 and date.isdigit():
            return dt.date(int(date), 7, 1).isoformat(), 3
    except ValueError:
        return None, None
    return None, None


def acled_territory_sub_type(*, taker: str | None, country: str | None, triggers: str = "") -> str:
    """ACLED's sub-event type of a territorial change: the state regaining its own territory
    ("Ukrainian forces retook X" in Ukraine, "Russian troops recaptured Y" in Kursk) is
    "Government regains territory"; any other side taking it "Non-state actor overtakes
    territory". With no side named, the trigger words decide ("recaptured" regains)."""
    if taker and country:
        return _REGAINS if taker == country else _OVERTAKES
    return _REGAINS if _BACK_WORDS.search(triggers or "") else _OVERTAKES


def frame_to_acled(frame: pd.DataFrame) -> pd.DataFrame:
    """The events table with ACLED's column names and vocabulary where one exists
    (``event_type``/``sub_event_type`` are ACLED's categories; ours is ``borderline_type``)."""
    import pandas as pd

    def col(name: str) -> pd.Series:
        return frame[name] if name in frame else pd.Series([None] * len(frame), index=frame.index)

    types = [_acled_category(*row) for row in zip(col("event_type"), col("tags"), col("actors"), col("country"),
                                                  col("triggers"), strict=True)]
    dates = [acled_date(d) for d in col("date")]
    out = pd.DataFrame({
        "event_id_cnty": col("event_id"),
        "event_date": [d for d, _ in dates],
        "time_precision": [p for _, p in dates],
        "event_type": [t[0] for t in types],
        "sub_event_type": [t[1] for t in types],
        "actor1": [_json_field(a, "attacker") for a in col("actors")],
        "actor2": [_json_field(a, "target") for a in col("actors")],
        "civilian_targeting": ["Civilian targeting" if t in _CIVILIAN_TARGETING else None
                               for t in col("event_type")],
        "country": col("country"),
        "admin1": col("admin1"),
        "location": col("place_name"),
        "latitude": col("lat"),
        "longitude": col("lon"),
        "geo_precision": col("precision").map(geo_precision),
        "source": col("sources"),
        "notes": col("excerpt"),
        "fatalities": [_json_count(n, "killed") for n in col("numbers")],
        "borderline_type": col("event_type"),
    }, index=frame.index)
    for c in ACLED_COLUMNS:
        if c not in out:
            out[c] = col(c)
    return _acled_table(out)


def _json_field(js: object, key: str) -> object:
    """``key`` of a JSON object column's value (None when absent or not JSON)."""
    try:
        return json.loads(js).get(key) if isinstance(js, str) and js else None
    except (ValueError, AttributeError):
        return None


def _json_count(js: object, key: str) -> int | None:
    value = _json_field(js, key)
    return int(value) if isinstance(value, (int, float)) else None


def _acled_category(etype: object, tags: object, actors: object, country: object,
                    triggers: object) -> tuple[str, str]:
    """ACLED's (event_type, sub_event_type) of one of our events."""
    t, sub = acled_category(str(etype), "" if _missing(tags) else str(tags))
    if etype == "territorial_change":
        sub = acled_territory_sub_type(taker=_json_field(actors, "attacker"),
                                       country=None if _missing(country) else str(country),
                                       triggers="" if _missing(triggers) else str(triggers))
    return t, sub


def _acled_table(out: pd.DataFrame) -> pd.DataFrame:
    """ACLED's column order and integer columns; text cells defused for spreadsheets."""
    import pandas as pd

    for c in ("time_precision", "geo_precision", "fatalities"):
        out[c] = out[c].astype("Int64")
    out = out[list(ACLED_COLUMNS)].reset_index(drop=True)
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(_defuse_formula)
    return out


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _defuse_formula(value: object) -> object:
    # Spreadsheets run a cell that starts with one of these as a formula (CSV injection);
    # a leading apostrophe keeps it text. Article text reaches the CSV verbatim otherwise.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
