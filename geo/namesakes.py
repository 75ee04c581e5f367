"""Namesakes decided by everything known: where the other reports put the war.

An analyst who reads "shelling near Ivanivka, Kharkiv region" and finds sixteen Ivanivkas there
places it where the other reports of those days put the fighting. :class:`NamesakeContext` does
that for the mentions the resolver left undecided (``Mention.rivals``): it holds *anchors*, the
places the reports name without doubt (villages and hromadas: an oblast or a raion is too big to
say anything within 25 km), each with its day, and gives a reading the summed weight of the
anchors within :data:`CONTEXT_KM` of it, each weighing ``exp(-days apart / CONTEXT_TAU_DAYS)``
(the front moves, slowly). A reading that leads every other one by :data:`CONTEXT_LEAD` is taken.

Anchors come from the articles of a run (one per article and place: a village named three times
in one report is one report of it), and from a store's reports of the past (one per stored report
and place, see ``geo.store.EventStore.read_anchors``). A mention is never decided by its own
article's anchors: they decided its resolution already.

Cost: anchors are summed per distinct point (a gazetteer place) and day, so a reading costs the
places within 25 km of it, however many reports name them; the points are found through cubic
cells of unit vectors (exact at every latitude). 100,000 reports of a front line are a few hundred
thousand anchors at a few ten thousand points.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

#: A reading's point, (lat, lon).
Point = tuple[float, float]

__all__ = ["NamesakeContext", "Point", "CONTEXT_KM", "CONTEXT_LEAD", "CONTEXT_TAU_DAYS", "ANCHOR_KINDS",
           "FRONT_KM", "FRONT_EVENT_TYPES"]

#: Kinds of place whose unambiguous mentions say where the war is: villages, towns and cities
#: (leaving out cities of 20k or 100k and more was measured: no better) and hromadas; an
#: oblast or a raion is too big to say anything within 25 km.
ANCHOR_KINDS = frozenset({"settlement", "hromada"})
#: Radius within which an anchor supports a reading (the accuracy a pin needs). A weight that
#: decays with distance instead (exp(-d/10 km), exp(-d/20 km), a Gaussian of 25 km) was measured
#: on the ACLED dev notes: no better than this count.
CONTEXT_KM = 25.0
#: Anchor weight by which the best reading must lead every other one before it is taken.
CONTEXT_LEAD = 2.0
#: Anchors weigh exp(-days between the two reports / this): the front moves over months. On the
#: even lines of the ACLED dev notes (1,010 notes over six years): no decay 0.885 within 25 km,
#: 180 days 0.885, 365 days 0.891, 730 days 0.885; hard windows of 3 to 30 days were worse than
#: none (a sparse batch has too few anchors in them). An undated report's anchors weigh 1.
CONTEXT_TAU_DAYS = 365.0

#: Where a front line is stored: a ground-fighting report's namesake within this many km of that
#: day's line is where the fighting was. Clashes are at the line, and the villages fought over lie
#: in the grey zone a few km either side of it (2 to 5 km on DeepStateMap); twice that lets a
#: village just behind the line count, while a namesake 20 km or more behind it sees no clash.
FRONT_KM = 10.0
#: Event types whose place is at the front line (ground fighting; not shelling or strikes, which
#: reach far behind it).
FRONT_EVENT_TYPES = frozenset({"ground_assault", "territorial_change"})

_EARTH_KM = 6371.0088
#: Days are packed with their point's index into one sort key: more than any date ordinal.
_DAY_SPAN = 1 << 22
#: exp() of a larger exponent overflows; anchors that many decay times apart weigh nothing.
_MAX_EXP = 600.0
#: Readings looked up at once: the candidate pairs of a batch (readings x points in the cells
#: around each) are held in memory together.
_QUERY_BATCH = 2048


def _xyz(lat: Any, lon: Any) -> Any:
    import numpy as np

    p, l = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(p) * np.cos(l), np.cos(p) * np.sin(l), np.sin(p)], axis=-1)


def _haversine(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    import numpy as np

    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_KM * np.arcsin(np.sqrt(np.minimum(1.0, h)))


class _Cells:
    """Points in cubic cells as large as the chord of ``km``: the points within ``km`` of a
    query lie in its cell or the 26 around it, at any latitude."""

    def __init__(self, lat: Any, lon: Any, km: float) -> None:
        import numpy as np

        self.size = 2.0 * math.sin(min(math.pi / 2, km / (2 * _EARTH_KM)))
        self.base = 2 * int(math.ceil(1.0 / self.size)) + 5
        keys = self._keys(np.floor(_xyz(lat, lon) / self.size).astype("int64"))
        self.order = np.argsort(keys, kind="stable")
        self.keys = keys[self.order]

    def _keys(self, cells: Any) -> Any:
        half = self.base // 2
        return ((cells[:, 0] + half) * self.base + (cells[:, 1] + half)) * self.base + (cells[:, 2] + half)

    def candidates(self, lat: Any, lon: Any) -> tuple[Any, Any]:
        """(query index, point index) of every point in a query's cell or a neighbouring one."""
        import numpy as np

        cells = np.floor(_xyz(lat, lon) / self.size).astype("int64")
        qs, ps = [], []
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for dz in (-1, 0, 1):
                    keys = self._keys(cells + np.array([dx, dy, dz], dtype="int64"))
                    lo = np.searchsorted(self.keys, keys, side="left")
                    sizes = np.searchsorted(self.keys, keys, side="right") - lo
                    if not sizes.any():
                        continue
                    qs.append(np.repeat(np.arange(len(keys)), sizes))
                    ps.append(self.order[np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes - lo, sizes)])
        if not qs:
            return np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64")
        return np.concatenate(qs), np.concatenate(ps)


class _Summed:
    """Anchors summed per distinct point: undated weight, dated weight, and the dated anchors'
    days in order with running sums of their weights grown and decayed from the point's first
    day, so that the decayed weight at any day is two look-ups."""

    def __init__(self, lat: Any, lon: Any, day: Any, weight: Any, *, km: float, tau: float) -> None:
        import numpy as np

        self.tau = tau
        # a point is a place: anchors at the same microdegree are one point
        key = (np.rint(lat * 1e6).astype("int64") + 90_000_000) * 400_000_000 + (
            np.rint(lon * 1e6).astype("int64") + 200_000_000)
        _, first_at, which = np.unique(key, return_index=True, return_inverse=True)
        which = which.reshape(-1)
        self.lat, self.lon = lat[first_at], lon[first_at]
        n = len(first_at)
        dated = day >= 0
        self.undated = np.bincount(which[~dated], weights=weight[~dated], minlength=n).astype("float64")
        self.dated = np.bincount(which[dated], weights=weight[dated], minlength=n).astype("float64")
        j, d, w = which[dated], day[dated], weight[dated]
        order = np.argsort(j * _DAY_SPAN + d, kind="stable")
        j, d, w = j[order], d[order], w[order]
        self.keys = j * _DAY_SPAN + d
        self.start = np.searchsorted(j, np.arange(n), side="left")
        self.end = np.searchsorted(j, np.arange(n), side="right")
        first = np.zeros(n, dtype="int64")
        has = self.end > self.start
        first[has] = d[self.start[has]]
        self.first = first
        x = self._exponent(d - first[j])
        self.grown = np.concatenate([[0.0], np.cumsum(w * np.exp(x))])
        self.decayed = np.concatenate([[0.0], np.cumsum(w * np.exp(-x))])
        self.cells = _Cells(self.lat, self.lon, km)

    def _exponent(self, days: Any) -> Any:
        import numpy as np

        if not math.isfinite(self.tau):
            return np.zeros(len(days))
        return np.clip(days / self.tau, -_MAX_EXP, _MAX_EXP)

    def weight_at(self, point: Any, day: Any) -> Any:
        """The weight of ``point``'s anchors for a report of ``day`` (arrays, one per pair)."""
        import numpy as np

        out = self.undated[point].copy()
        undated = day < 0
        out[undated] += self.dated[point[undated]]
        p, d = point[~undated], day[~undated]
        cut = np.searchsorted(self.keys, p * _DAY_SPAN + d, side="right")
        x = self._exponent(d - self.first[p])
        before = (self.grown[cut] - self.grown[self.start[p]]) * np.exp(-x)
        after = (self.decayed[self.end[p]] - self.decayed[cut]) * np.exp(x)
        out[~undated] += before + after
        return out


class NamesakeContext:
    """Anchors of the reports known so far, and the decisions they make (see the module)."""

    def __init__(self, *, km: float = CONTEXT_KM, lead: float = CONTEXT_LEAD,
                 tau_days: float | None = CONTEXT_TAU_DAYS, front: Any = None) -> None:
        self.km, self.lead = km, lead
        self.front = front      # a geo.frontline.measure.FrontSeries, or None
        self.tau = math.inf if tau_days is None else float(tau_days)
        self._new: list[tuple[float, float, int, float]] = []    # rows added since the last sums
        self._table: Any = None                                  # earlier rows: (n, 4) float64
        self._summed: _Summed | None = None

    def __len__(self) -> int:
        return len(self._new) + (0 if self._table is None else len(self._table))

    def add(self, points: Iterable[tuple[float, float]], day: int = -1, *, weight: float = 1.0) -> None:
        """One report's anchors (``(lat, lon)`` each, each place once) of ``day`` (a date
        ordinal, -1 when the report has no day)."""
        got = [(float(lat), float(lon), int(day), float(weight)) for lat, lon in points]
        if got:
            self._new += got
            self._summed = None

    def add_dated(self, rows: Iterable[tuple[float, float, int]], *, weight: float = 1.0) -> None:
        """Anchors of many reports: ``(lat, lon, day)`` rows (day -1 when unknown)."""
        got = [(float(lat), float(lon), int(day), float(weight)) for lat, lon, day in rows]
        if got:
            self._new += got
            self._summed = None

    def _sums(self) -> _Summed | None:
        import numpy as np

        if self._summed is None and len(self):
            if self._new:
                new = np.array(self._new, dtype="float64").reshape(-1, 4)
                self._table = new if self._table is None else np.concatenate([self._table, new])
                self._new = []
            a = self._table
            self._summed = _Summed(a[:, 0], a[:, 1], a[:, 2].astype("int64"), a[:, 3], km=self.km, tau=self.tau)
        return self._summed

    def support(self, readings: Sequence[Point], day: int, own: Sequence[Point] = ()) -> list[float]:
        """The anchor weight within :attr:`km` of each reading's point for a report of ``day``
        whose own anchors are ``own`` (added to this context, and left out here)."""
        return self.supports([(readings, day, own)])[0]

    def supports(self, items: Sequence[tuple[Sequence[Point], int, Sequence[Point]]]) -> list[list[float]]:
        """:meth:`support` of many (readings, day, own anchors), in one vectorised pass."""
        import numpy as np

        flat = [(float(lat), float(lon), int(day), n) for n, (rs, day, _) in enumerate(items) for lat, lon in rs]
        if not flat:
            return [[] for _ in items]
        q = np.array(flat, dtype="float64")
        lat, lon, day = q[:, 0], q[:, 1], q[:, 2].astype("int64")
        total = np.zeros(len(flat))
        s = self._sums()
        if s is not None:
            for lo in range(0, len(flat), _QUERY_BATCH):     # bounds the pairs held at once
                hi = min(len(flat), lo + _QUERY_BATCH)
                qi, pj = s.cells.candidates(lat[lo:hi], lon[lo:hi])
                qi = qi + lo
                near = _haversine(lat[qi], lon[qi], s.lat[pj], s.lon[pj]) <= self.km
                qi, pj = qi[near], pj[near]
                if len(qi):
                    total += np.bincount(qi, weights=s.weight_at(pj, day[qi]), minlength=len(flat))
        out: list[list[float]] = []
        at = 0
        for rs, _, own in items:
            mine = np.zeros(len(rs))
            if len(own):
                o = np.asarray(own, dtype="float64").reshape(-1, 2)
                r = np.asarray(rs, dtype="float64").reshape(-1, 2)
                d = _haversine(r[:, None, 0], r[:, None, 1], o[None, :, 0], o[None, :, 1])
                mine = (d <= self.km).sum(axis=1)
            # the report's own anchors weigh 1 each (same day); rounding drops the sums' dust,
            # so a lead of exactly CONTEXT_LEAD decides the same way on every run
            out.append([round(max(0.0, float(total[at + k]) - float(mine[k])), 9) for k in range(len(rs))])
            at += len(rs)
        return out

    def decide(self, items: Sequence[tuple[Sequence[Point], int, Sequence[Point]]]) -> list[tuple[int, list[float]]]:
        """For each (readings, day, own anchors): the index of the reading the anchors make the
        likelier one (the one with the most weight when it leads every other by :attr:`lead`,
        else 0: the resolver's pick stands), and every reading's weight."""
        return [(self.leader(weights) or 0, weights) for weights in self.supports(items)]

    def leader(self, weights: Sequence[float]) -> int | None:
        """The reading whose anchor weight leads every other one by :attr:`lead`, or None when
        the anchors tell the readings no apart."""
        if len(weights) < 2:
            return None
        best = max(range(len(weights)), key=lambda i: (weights[i], i == 0, -i))
        rest = max(w for i, w in enumerate(weights) if i != best)
        return best if weights[best] - rest >= self.lead else None

    def front_pick(self, readings: Sequence[Point], day: int) -> int | None:
        """The one reading within :data:`FRONT_KM` of the front line of ``day`` (a date ordinal),
        or None: no front line stored, no day, no snapshot of that day, or none or several
        readings that near (the line then tells them no apart)."""
        if self.front is None or day < 0 or len(readings) < 2:
            return None
        import datetime as dt

        import numpy as np

        from geo.frontline.measure import front_km_on

        km = front_km_on(self.front, dt.date.fromordinal(day), [p[0] for p in readings], [p[1] for p in readings])
        near = np.flatnonzero(km <= FRONT_KM)      # NaN (no line that day) is never near
        return int(near[0]) if len(near) == 1 else None
