"""What every gazetteer source shares: the record it writes, the build context, the base class.

A source (one module of :mod:`gazetteer.sources`) states its inputs (package
distributions and shipped data files, for the build fingerprint) and how it loads them
into the ``places`` table.  Model: geopy's ``geocoders`` (a base class, one module per
service, a name -> class registry).
"""

from __future__ import annotations

import csv
import math
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata, resources
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from ..kinds import KIND_PRIOR
from ..schema import ALT_SEP, INSERT_COLUMNS

if TYPE_CHECKING:
    from .admin1 import Admin1Table

__all__ = ["Rec", "Source", "BuildContext", "dedupe", "prior", "haversine_km", "data_file", "place_units_at_seats",
           "data_csv_rows",
           "store_forms", "mark_unindexed"]


def dedupe(items: Iterable[str]) -> list[str]:
    """Stripped, non-empty, first occurrence kept, order kept."""
    stripped = dict.fromkeys(item.strip() for item in items)
    stripped.pop("", None)
    return list(stripped)


_PRECISION_PRIOR = {"point": 0.3, "admin_centre": 0.2, "hromada_centre": 0.0, "anchor": 0.0}


def prior(kind: str, population: int | None, precision: str) -> float:
    """A place's weight before any context: log10 population, or its kind's default."""
    base = KIND_PRIOR.get(kind, 1.0)
    if population and kind in ("settlement", "other", "admin2"):
        base = max(math.log10(population + 1), 1.0)
    return base + _PRECISION_PRIOR.get(precision, 0.0)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def data_file(*parts: str):
    """A file shipped in ``gazetteer/data`` (a Traversable inside the installed package)."""
    return resources.files("gazetteer").joinpath("data", *parts)


def data_csv_rows(*parts: str) -> list[dict[str, str]]:
    """The rows of a CSV shipped in ``gazetteer/data``, its ``#`` comment lines skipped."""
    text = data_file(*parts).read_text("utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if line and not line.startswith("#")))


# The INSERT's columns read off a record; alt_names and prior are derived (properties).
_ROW = attrgetter(*(("alt_text" if c == "alt_names" else c) for c in INSERT_COLUMNS))


@dataclass(slots=True)
class Rec:
    """One ``places`` row as a source builds it (see :mod:`gazetteer.schema`)."""

    id: str
    name: str
    kind: str
    country: str
    admin1: str | None
    admin1_name: str | None
    lat: float
    lon: float
    population: int | None
    precision: str
    source: str
    alt_names: list[str] = field(default_factory=list)
    admin2: str | None = None
    note: str | None = None
    katottg: str | None = None
    hromada: str | None = None
    #: extra names indexed as admin forms ("Kursk region"), not shown as alt names
    forms: list[str] = field(default_factory=list)

    @property
    def alt_text(self) -> str:
        alts = dedupe(self.alt_names)
        if self.name in alts:
            alts.remove(self.name)
        return ALT_SEP.join(alts)

    @property
    def prior(self) -> float:
        return prior(self.kind, self.population, self.precision)

    def row(self) -> tuple:
        """The values of :data:`~gazetteer.schema.INSERT_PLACE`, in its order."""
        return _ROW(self)


@dataclass(slots=True)
class BuildContext:
    """What a source loads into: the database being built and what earlier sources left."""

    con: sqlite3.Connection
    #: first-level units (always loaded: every source resolves admin1 codes through it)
    admin1: "Admin1Table"
    say: Callable[[str], None]
    #: source name -> a file replacing that source's shipped input (tests build from small ones)
    inputs: Mapping[str, Path] = field(default_factory=dict)
    #: what one source hands a later one (the Ukraine extract to the KATOTTG join)
    shared: dict[str, object] = field(default_factory=dict)


class Source:
    """One gazetteer source.  Subclasses set :attr:`name`, their inputs, and :meth:`load`."""

    #: the registry's name for it (``build(sources=...)``, the build's ``sources`` meta)
    name: ClassVar[str]
    #: installed distributions it reads: their versions are part of the build fingerprint
    packages: ClassVar[tuple[str, ...]] = ()
    #: files it reads from ``gazetteer/data``: their bytes are part of the fingerprint
    data_files: ClassVar[tuple[tuple[str, ...], ...]] = ()

    def fingerprint_parts(self) -> Iterator[bytes]:
        """What this source's output depends on besides the builder's code."""
        for parts in self.data_files:
            yield data_file(*parts).read_bytes()
        for pkg in self.packages:
            try:
                yield f"{pkg}={metadata.version(pkg)}".encode()
            except metadata.PackageNotFoundError:
                yield f"{pkg}=missing".encode()

    def load(self, ctx: BuildContext) -> None:
        """Insert (or merge) this source's entries into ``ctx.con``; report through ``ctx.say``."""
        raise NotImplementedError

    def finish(self, ctx: BuildContext) -> None:
        """Called once every selected source has loaded, before the name index is built."""

    def __repr__(self) -> str:
        return f"<gazetteer source {self.name!r}>"


def place_units_at_seats(con: sqlite3.Connection, seats: Mapping[str, tuple[float, float, str]], *,
                         source: str) -> int:
    """Put first-level units (ISO 3166-2 code -> (lat, lon, seat's name)) at their seats, as
    raions and hromadas are: a region-level event then lies where ACLED puts one
    (geo_precision 3: the provincial capital) and VIINA does. Returns how many moved."""
    rows = [(lat, lon, f"point: its administrative seat, {name} ({source})", f"adm1:{code}")
            for code, (lat, lon, name) in sorted(seats.items())]
    before = con.total_changes
    con.executemany("UPDATE places SET lat = ?, lon = ?, note = ? WHERE id = ? AND kind = 'admin1'", rows)
    return con.total_changes - before


# --- side tables the name index reads (and drops) -------------------------------------------

def store_forms(con: sqlite3.Connection, rec: Rec) -> None:
    """Keep ``rec.forms`` for the name index: keys of admin phrases, not alt names."""
    if rec.forms:
        con.execute("CREATE TABLE IF NOT EXISTS forms (id TEXT NOT NULL, form TEXT NOT NULL)")
        con.executemany("INSERT INTO forms VALUES (?, ?)", ((rec.id, f) for f in rec.forms))


def mark_unindexed(con: sqlite3.Connection, rows: Iterable[tuple[str, str]]) -> None:
    """``(place id, name key)`` pairs the name index must leave out (the name stays stored)."""
    con.execute("CREATE TABLE IF NOT EXISTS unindexed (id TEXT NOT NULL, key TEXT NOT NULL)")
    con.executemany("INSERT INTO unindexed VALUES (?, ?)", rows)
