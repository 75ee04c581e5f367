"""The front line as the map draws it: each day's occupied and contested areas and line, simplified
for drawing and written as GeoJSON text once per day.

The map shows, for the time control's date, the snapshot the measures use for an event of that
day (:mod:`geo.frontline.measure`): the latest on or before it, at most ``max_age_days`` old
(several on one day: the last). A user may import a snapshot a day for years (DeepStateMap's
history is ~1,350 files), so the page is sent one entry per day that can be shown, each once:

- one entry per day (the day's last snapshot), shown from its day to its ``until``: the day
  before the next entry, or ``max_age_days`` later when the next is further away (a hole in
  the series: the map then draws no line, as the measures give none);
- a day whose file is the previous entry's, byte for byte (a daily mirror republishing an
  unchanged map), extends that entry instead of sending the same geometry again;
- :meth:`FrontDrawing.days` keeps only the entries a time window between two days can show
  (the map's events' first and last day), so a map of a month of events carries a month of
  front lines whatever the store holds;
- each entry's geometry is simplified (:data:`DRAW_SIMPLIFY_M`) and its coordinates rounded
  (:data:`DRAW_DECIMALS`), in :func:`day_geojson`, when the page asks for it.

The measures never use these shapes: distances are to the stored, unsimplified line.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from geo.frontline.measure import FrontSeries
from geo.frontline.store import Snapshot, StoredTerritory

__all__ = [
    "DRAW_SIMPLIFY_M",
    "DRAW_DECIMALS",
    "DRAWING_VERSION",
    "DRAW_KINDS",
    "DrawnDay",
    "FrontDrawing",
    "day_geojson",
]

#: Drawing tolerance: about one screen pixel at zoom 12 at 48°N (a Web Mercator pixel there is
#: ~26 m), the zoom the app opens a selected village at, so the drawn line is where the stored one
#: is to within a pixel wherever an analyst reads a village against it. On a DeepStateMap
#: snapshot of 2025-08-03 it drops 39 % of the occupied area's vertices (its traced coast and
#: border are dense) and a third of that day's bytes (255 -> 167 kB with 4 decimals); 100 m
#: would save another 16 % and be 4 pixels off at zoom 12, as the front itself has only a
#: vertex about every kilometre.
DRAW_SIMPLIFY_M = 25.0
#: Coordinates written with 4 decimals: at most ~5.5 m off, under a quarter of the tolerance.
DRAW_DECIMALS = 4
#: The ``bl_k`` of each drawn feature, in drawing order (areas first, the line on top).
DRAW_KINDS: tuple[str, ...] = ("occupied", "contested", "line")
#: Degrees per metre along a meridian: the tolerance is applied in degrees (lon/lat data),
#: slightly finer east-west than north-south at Ukraine's latitudes, which errs on the safe side.
_DEG_PER_M = 1.0 / 111_320.0
#: Days whose GeoJSON text stays in memory (the app also keeps the URL each was stored at).
_TEXTS_KEPT = 32
#: Part of each stored day's key: change it when :func:`day_geojson` writes something else, so
#: files drawn by an older version are not served again.
DRAWING_VERSION = 1


@dataclass(frozen=True, slots=True)
class DrawnDay:
    """One entry of the drawn series: ``snapshot`` is shown from ``day`` to ``until`` (both
    included)."""

    day: dt.date
    until: dt.date
    snapshot: Snapshot


def day_geojson(territory: StoredTerritory, *, simplify_m: float = DRAW_SIMPLIFY_M,
                decimals: int = DRAW_DECIMALS) -> str:
    """A snapshot's drawing: a GeoJSON FeatureCollection (text) of up to three features, each
    with only ``properties.bl_k`` (:data:`DRAW_KINDS`); an empty part is left out.

    Simplified without preserving topology (a sixth of the cost; a ring may touch itself after
    it, which a canvas fills the same) and rounded; parts smaller than the tolerance vanish."""
    import numpy as np
    import shapely

    tolerance = simplify_m * _DEG_PER_M
    features = []
    for kind, geom in zip(DRAW_KINDS, (territory.occupied, territory.contested, territory.front)):
        if geom is None or geom.is_empty:
            continue
        if tolerance > 0:
            geom = shapely.simplify(geom, tolerance, preserve_topology=False)
        geom = shapely.transform(geom, lambda c: np.round(c, decimals))
        if geom.is_empty:
            continue
        features.append(f'{{"type":"Feature","properties":{{"bl_k":"{kind}"}},"geometry":{shapely.to_geojson(geom)}}}')
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


@dataclass(eq=False)
class FrontDrawing:
    """The drawn front line of one :class:`~geo.frontline.measure.FrontSeries`.

    ``sink``: where each day's text is stored for the page to fetch, as
    ``sink(key, make_text) -> url`` (the app's ``DataFiles.put_keyed``, ``borderline map``'s
    ``ScriptFiles.put_keyed``): the key names the snapshot and how it is drawn
    (:meth:`key`), so a day already stored, by this process or an earlier one, is not drawn
    again (importing one more day draws one day); the URL is also remembered per snapshot.
    Without a sink, the page embeds the texts."""

    series: FrontSeries
    sink: Callable[[str, Callable[[], str]], str] | None = None
    simplify_m: float = DRAW_SIMPLIFY_M
    _entries: tuple[DrawnDay, ...] | None = field(default=None, repr=False)
    _texts: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _urls: dict = field(default_factory=dict, repr=False)

    @property
    def source(self) -> str:
        return self.series.source

    def entries(self) -> tuple[DrawnDay, ...]:
        """Every entry of the series, in day order (see the module docstring)."""
        if self._entries is None:
            self._entries = _entries(self.series.snapshots, self.series.max_age_days)
        return self._entries

    def days(self, first: dt.date | None = None, last: dt.date | None = None) -> list[DrawnDay]:
        """The entries a time window ending between ``first`` and ``last`` can show: those
        applying on some day of it. Without a span (no dated events): the latest entry only,
        what the map shows for "all dates"."""
        entries = self.entries()
        if not entries:
            return []
        if first is None or last is None:
            return [entries[-1]]
        return [e for e in entries if e.until >= first and e.day <= last]

    def geojson(self, entry: DrawnDay) -> str:
        """The entry's drawing (:func:`day_geojson`); the last few are kept."""
        key = entry.snapshot.id
        text = self._texts.get(key)
        if text is None:
            text = day_geojson(self.series.territory(key), simplify_m=self.simplify_m)
            self._texts[key] = text
            while len(self._texts) > _TEXTS_KEPT:
                self._texts.popitem(last=False)
        else:
            self._texts.move_to_end(key)
        return text

    def key(self, entry: DrawnDay) -> str:
        """What identifies the entry's drawing: its snapshot (source, day, file digest, when it
        was imported) and the drawing's version and parameters."""
        s = entry.snapshot
        return (f"front-day|v{DRAWING_VERSION}|{self.simplify_m:g}m|{DRAW_DECIMALS}|{s.source}|{s.date}|"
                f"{s.digest}|{s.imported_at}")

    def url(self, entry: DrawnDay) -> str | None:
        """Where the page fetches the entry's drawing (stored through ``sink``, drawn only if
        not stored yet); None without a sink."""
        if self.sink is None:
            return None
        found = self._urls.get(entry.snapshot.id)
        if found is None:
            found = self._urls[entry.snapshot.id] = self.sink(self.key(entry), lambda: self.geojson(entry))
        return found


def _entries(snapshots: Sequence[Snapshot], max_age_days: int) -> tuple[DrawnDay, ...]:
    """One entry per day (its last snapshot), a repeat of the previous day's file folded into
    it, each shown until the next entry or for ``max_age_days``."""
    last_of_day: dict[dt.date, Snapshot] = {}
    for snap in snapshots:       # in (day, time, id) order: the last one of a day wins
        last_of_day[snap.date] = snap
    days = sorted(last_of_day)
    age = dt.timedelta(days=max_age_days)
    out: list[DrawnDay] = []
    for k, day in enumerate(days):
        snap = last_of_day[day]
        nxt = days[k + 1] if k + 1 < len(days) else None
        until = day + age if nxt is None else min(nxt - dt.timedelta(days=1), day + age)
        prev = out[-1] if out else None
        if prev is not None and prev.snapshot.digest == snap.digest and prev.until >= day - dt.timedelta(days=1):
            out[-1] = DrawnDay(prev.day, until, prev.snapshot)
        else:
            out.append(DrawnDay(day, until, snap))
    return tuple(out)
