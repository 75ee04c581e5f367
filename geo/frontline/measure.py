"""Events against the front line: who controls each event's point, and how far it is from the line.

Measures are computed when events are read, never stored with them: a front line imported
later applies to events stored before it (the app caches the result per store version).

For an event the snapshot is the latest of one source dated on or before the event's day
(several on one day: the last). An event gets no measure, and ``front_note`` says why, when:

- it has no date, or only a month or a year (a front line moves within a month);
- it lies before the first snapshot, or more than :data:`MAX_SNAPSHOT_AGE_DAYS` after the
  latest one before it: DeepStateMap and ISW publish almost daily, so a longer gap is a hole
  in the series, and in a fast phase (Kharkiv, September 2022) the line moved tens of km in
  a week;
- its point is a region's or a country's centre (a distance from it means nothing), or it
  has no point.

``control`` is ``occupied`` or ``contested`` (the snapshot's grey zone) by the snapshot's
polygons, ``held`` elsewhere in Ukraine (Crimea counted as Ukraine, as everywhere in
Borderline), and empty outside Ukraine, where the snapshot says nothing. ``front_km`` is the
geodesic distance to the snapshot's front line (``geo.borders.line_distance_km``: the border
module's engine on a line given at run time); it is measured on either side of the line.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from geo.frontline.store import FrontlineStore, Snapshot, StoredTerritory, frontline_path

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FRONT_COLUMNS",
    "NOTE_COLUMN",
    "CONTROL_VALUES",
    "MAX_SNAPSHOT_AGE_DAYS",
    "FrontShapes",
    "FrontSeries",
    "load_series",
    "front_measures",
    "with_front",
    "front_km_on",
]

#: Columns the measures add (the table shows them, exports carry them).
FRONT_COLUMNS: tuple[str, ...] = ("front_km", "control", "front_date", "front_source")
#: Why an event has no measure (the app says it; exports leave it out).
NOTE_COLUMN = "front_note"
CONTROL_VALUES: tuple[str, ...] = ("occupied", "contested", "held")
#: An event more than this many days after the latest snapshot before it gets no measure.
MAX_SNAPSHOT_AGE_DAYS = 7
#: Snapshots whose measuring structures (prepared polygons, the line's search tree) are kept.
_PREPARED = 8
_NO_POINT = ("region", "country")


@dataclass(frozen=True, slots=True)
class FrontShapes:
    """A day's front line as the map draws it: GeoJSON geometry objects (dicts), lon/lat."""

    day: dt.date                    # the day asked for
    snapshot: Snapshot              # the snapshot shown (dated on or before ``day``)
    occupied: dict | None
    contested: dict | None
    front: dict | None


@dataclass(frozen=True, eq=False)
class _Prepared:
    occupied: Any
    contested: Any
    line: Any | None               # geo.borders.Line, None when the snapshot has no front


@dataclass(eq=False)
class FrontSeries:
    """One source's snapshots in day order, their geometry read on demand.

    ``territory`` reads a snapshot's geometry (``FrontlineStore.territory``); tests hand in
    a dict's ``__getitem__``."""

    source: str
    snapshots: tuple[Snapshot, ...]
    territory: Callable[[int], StoredTerritory]
    max_age_days: int = MAX_SNAPSHOT_AGE_DAYS
    _prepared: OrderedDict = field(default_factory=OrderedDict, repr=False)

    @property
    def dates(self) -> tuple[dt.date, ...]:
        """Every snapshot's day, in order (a day may repeat)."""
        return tuple(s.date for s in self.snapshots)

    def snapshot_on(self, day: dt.date) -> Snapshot | None:
        """The latest snapshot on or before ``day``, if it is at most ``max_age_days`` old."""
        days = np.array([s.date for s in self.snapshots], dtype="datetime64[D]")
        i = int(np.searchsorted(days, np.datetime64(day, "D"), side="right")) - 1
        if i < 0 or (day - self.snapshots[i].date).days > self.max_age_days:
            return None
        return self.snapshots[i]

    def shapes(self, day: dt.date, *, simplify_m: float | None = None) -> FrontShapes | None:
        """The occupied and contested areas and the front line of ``day`` as GeoJSON geometry
        dicts, simplified to ``simplify_m`` metres (about) when given; None when no snapshot
        applies to that day."""
        import json

        import shapely

        snap = self.snapshot_on(day)
        if snap is None:
            return None
        geo = self.territory(snap.id)
        tolerance = None if not simplify_m else simplify_m / 111_000.0

        def shape(g: Any) -> dict | None:
            if g is None or g.is_empty:
                return None
            if tolerance:
                g = shapely.simplify(g, tolerance, preserve_topology=True)
            return json.loads(shapely.to_geojson(g))

        return FrontShapes(day, snap, shape(geo.occupied), shape(geo.contested), shape(geo.front))

    def prepared(self, snap: Snapshot) -> _Prepared:
        import shapely

        from geo import borders

        found = self._prepared.get(snap.id)
        if found is not None:
            self._prepared.move_to_end(snap.id)
            return found
        geo = self.territory(snap.id)
        for g in (geo.occupied, geo.contested):
            shapely.prepare(g)
        line = None if geo.front.is_empty else borders.Line(geo.front)
        found = _Prepared(geo.occupied, geo.contested, line)
        self._prepared[snap.id] = found
        while len(self._prepared) > _PREPARED:
            self._prepared.popitem(last=False)
        return found


def load_series(where: FrontlineStore | str | os.PathLike[str] | None = None, *, source: str | None = None,
                max_age_days: int = MAX_SNAPSHOT_AGE_DAYS) -> FrontSeries | None:
    """The snapshots of ``source`` (default: the source with the most) from a store, a
    ``frontline.gpkg`` path or a data directory (None: the default one); None when there are
    none."""
    if isinstance(where, FrontlineStore):
        store = where
    else:
        path = Path(where) if where is not None else None
        if path is None or path.is_dir() or path.suffix.lower() != ".gpkg":
            path = frontline_path(path)
        if not path.exists():
            return None
        store = FrontlineStore(path)
    sources = store.sources()
    if not sources:
        return None
    chosen = source if source is not None else next(iter(sources))
    snaps = tuple(store.snapshots(chosen))
    if not snaps:
        return None
    return FrontSeries(chosen, snaps, store.territory, max_age_days)


# --- per event ---------------------------------------------------------------------------

def _column(events: pd.DataFrame, name: str) -> pd.Series:
    import pandas as pd

    return events[name] if name in events.columns else pd.Series([None] * len(events), index=events.index)


def _days(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each event's day (datetime64[D]; NaT when not a day) and why not (or "")."""
    import pandas as pd

    raw = _column(events, "date").astype("string").str.strip().fillna("")
    precision = _column(events, "date_precision").astype("string").fillna("")

    def matches(rx: str) -> np.ndarray:
        return raw.str.fullmatch(rx).fillna(False).to_numpy(dtype=bool)

    undated = (raw == "").to_numpy(dtype=bool)
    month = ~undated & (matches(r"\d{4}-\d{2}") | (precision == "month").to_numpy(dtype=bool))
    year = ~undated & ~month & (matches(r"\d{4}") | (precision == "year").to_numpy(dtype=bool))
    day_like = ~undated & ~month & ~year & matches(r"\d{4}-\d{2}-\d{2}")
    days = pd.to_datetime(raw.where(day_like), errors="coerce", format="%Y-%m-%d").to_numpy(dtype="datetime64[D]")
    why = np.full(len(events), "", dtype=object)
    why[~undated & np.isnat(days)] = "not a valid date"
    why[year] = "dated only to the year"
    why[month] = "dated only to the month"
    why[undated] = "undated"
    return days, why


def _points(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """lat, lon (float; NaN where missing) and why no point is measured (or "")."""
    import pandas as pd

    lat = pd.to_numeric(_column(events, "lat"), errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(_column(events, "lon"), errors="coerce").to_numpy(dtype=float)
    precision = _column(events, "precision").astype("string").fillna("").to_numpy(dtype=object)
    why = np.full(len(events), "", dtype=object)
    why[~(np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180))] = "no point"
    for p in _NO_POINT:
        why[precision == p] = f"a {p}'s centre, not a place"
    return lat, lon, why


def _measure_group(series: FrontSeries, snap: Snapshot, lat: np.ndarray, lon: np.ndarray,
                   ) -> tuple[np.ndarray, np.ndarray]:
    """km to the front line and control status of points, against one snapshot."""
    import shapely

    from geo import borders

    prep = series.prepared(snap)
    km = borders.line_distance_km(prep.line, lat, lon) if prep.line is not None else np.full(len(lat), np.nan)
    control = np.full(len(lat), None, dtype=object)
    control[borders.side(borders.load_border(), lat, lon) == "UA"] = "held"
    control[shapely.contains_xy(prep.contested, lon, lat)] = "contested"
    control[shapely.contains_xy(prep.occupied, lon, lat)] = "occupied"
    return km, control


def front_measures(events: pd.DataFrame, series: FrontSeries | None) -> pd.DataFrame:
    """``FRONT_COLUMNS`` and ``front_note`` for each event (a frame on ``events``' index):
    vectorised per snapshot, the events grouped by the snapshot that applies to them."""
    import pandas as pd

    n = len(events)
    km = np.full(n, np.nan)
    control = np.full(n, None, dtype=object)
    front_date = np.full(n, None, dtype=object)
    front_source = np.full(n, None, dtype=object)
    days, why = _days(events)
    lat, lon, no_point = _points(events)
    why = np.where(why == "", no_point, why)
    if series is None or not series.snapshots:
        why[why == ""] = "no front line imported"
    else:
        snap_days = np.array(series.dates, dtype="datetime64[D]")
        todo = np.flatnonzero(why == "")
        idx = np.searchsorted(snap_days, days[todo], side="right") - 1
        first, = series.dates[:1]
        before = idx < 0
        why[todo[before]] = f"before the first front line ({first.isoformat()})"
        age = (days[todo] - snap_days[np.maximum(idx, 0)]).astype(int)
        stale = ~before & (age > series.max_age_days)
        why[todo[stale]] = (f"no front line within {series.max_age_days} days before it (latest: "
                            + pd.Series(snap_days[idx[stale]]).dt.strftime("%Y-%m-%d").to_numpy(dtype=object) + ")")
        ok, idx = todo[~before & ~stale], idx[~before & ~stale]
        for i in np.unique(idx):
            rows = ok[idx == i]
            snap = series.snapshots[int(i)]
            km[rows], control[rows] = _measure_group(series, snap, lat[rows], lon[rows])
            front_date[rows] = snap.date.isoformat()
            front_source[rows] = snap.source
            if math.isnan(snap.front_km) or snap.front_km == 0:
                why[rows] = "the snapshot has no front line"
    out = pd.DataFrame({"front_km": np.round(km, 2), "control": control, "front_date": front_date,
                        "front_source": front_source, NOTE_COLUMN: np.where(why == "", None, why)},
                       index=events.index)
    out["front_km"] = out["front_km"].astype("float64")
    return out


def with_front(events: pd.DataFrame, series: FrontSeries | None, *, note: bool = True) -> pd.DataFrame:
    """``events`` with ``FRONT_COLUMNS`` (and ``front_note`` unless ``note=False``, as
    exports want), before the geometry column; a copy, replacing any already there."""
    measured = front_measures(events, series)
    added = (*FRONT_COLUMNS, NOTE_COLUMN) if note else FRONT_COLUMNS
    out = events.drop(columns=[c for c in (*FRONT_COLUMNS, NOTE_COLUMN) if c in events.columns])
    geometry = getattr(out, "_geometry_column_name", None)
    at = out.columns.get_loc(geometry) if geometry in out.columns else len(out.columns)
    for k, c in enumerate(added):
        out.insert(at + k, c, measured[c])
    return out


def front_km_on(series: FrontSeries | None, day: dt.date, lats: Sequence[float] | np.ndarray,
                lons: Sequence[float] | np.ndarray) -> np.ndarray:
    """Geodesic km from each point to ``day``'s front line (the latest snapshot on or before
    it, at most ``max_age_days`` old); all NaN when no snapshot applies. For the resolver:
    of two namesakes, the one a few km from that day's line is where "clashes near X" was."""
    lat = np.asarray(lats, dtype=float)
    lon = np.asarray(lons, dtype=float)
    if series is None:
        return np.full(lat.shape, np.nan)
    snap = series.snapshot_on(day)
    if snap is None:
        return np.full(lat.shape, np.nan)
    prep = series.prepared(snap)
    if prep.line is None:
        return np.full(lat.shape, np.nan)
    from geo import borders

    return borders.line_distance_km(prep.line, lat, lon)
