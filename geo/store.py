"""The event store: one GeoPackage, ``events.gpkg``, in the data directory.

Layers (all registered in ``gpkg_contents``, so QGIS, GDAL and geopandas see them):

- ``events``: Point, EPSG:4326, the columns of :data:`geo.events.EVENT_COLUMNS`; one row per
  incident (a merged incident lists every reporting article in ``sources``).
- ``event_sources``: one row per (incident, article that reported it), with that article's
  own excerpt, so the app can show every report of a merged incident.
- ``articles``: id, source, date, dateline, title, url, ingested_at, n_events, text, lang. ``id``
  is :attr:`geo.articles.Article.id` (a record's own id when it has one, else its text), so
  "already stored" means the same record id, or the same text for input without ids.
  ``date`` is ``YYYY-MM-DD``, or ``YYYY-MM`` for an article dated only to the month. ``lang``
  is :attr:`geo.articles.Article.lang` (events carry their first report's too).

:meth:`EventStore.read_events` adds a ``url`` column to ``EVENT_COLUMNS``: the web address of
the incident's first report (its article's ``url``), or None; :meth:`EventStore.read_sources`
adds each report's ``url``. Only ``http(s)`` addresses are ever stored (``geo.articles``).
- ``borderline_meta``: key/value, including ``schema_version``.

Schema 2 added ``lang`` to ``articles`` and ``events``. A store of schema 1 is upgraded when it
is opened, in one transaction that loses nothing: the two columns are added, each article's
language is detected from its stored text (:func:`geo.lang.detect`, as a new article's is when
it states none), and each event takes its article's. A schema 1 store that cannot be written
(a read-only copy) is read as it is, its languages unknown (None), and takes no new articles.

How it is written, and why
--------------------------
pyogrio writes one layer per call and has no transaction spanning layers, but an article must
be stored wholly (its row, its events, their sources) or not at all, even when the process is
killed. So:

1. **Creation** is done once with pyogrio (GDAL writes the GeoPackage metadata, the R-tree
   index and its triggers) into a temporary file beside the store, then indexes and WAL mode
   are added and the file is hard-linked into place (atomic; two processes racing to create
   it cannot replace each other's store).
2. **Rows** are written with Python's ``sqlite3`` in ONE transaction per batch of articles
   (``BEGIN IMMEDIATE`` ... ``COMMIT``): geometry as GeoPackage blobs (``GP`` header + WKB from
   ``shapely.to_wkb``), with the ``ST_IsEmpty``/``ST_MinX``/``ST_MaxX``/``ST_MinY``/``ST_MaxY``
   SQL functions that GDAL's R-tree triggers call registered on the connection; the feature
   count triggers GDAL installed keep ``gpkg_ogr_contents`` right and the layer extent in
   ``gpkg_contents`` is widened in the same transaction. SQLite's journal makes the batch
   atomic under SIGKILL; ``synchronous=FULL`` makes it durable on power loss.
3. **WAL journal**: readers never block the writer nor see half a batch.

One rule follows from GDAL bundling its own copy of SQLite: two SQLite libraries in one
process do not see each other's POSIX locks, and GDAL closing the file can delete the WAL
under an open ``sqlite3`` connection (measured: a committed row was lost). So *within a
process* every read and write of the store goes through this module's ``sqlite3``
connections (the geometry is decoded with shapely, vectorised); GDAL touches the store only
while creating it and from other processes (QGIS, ``ogrinfo``, ``pyogrio.read_dataframe`` in
another program), where ordinary file locking keeps everyone safe. Exports are written by
pyogrio/geopandas to *other* files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import re
import sqlite3
import struct
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from geo.errors import StoreError
from geo.gpkg import WRITE_FAILED, create_atomically, write_transaction
from geo.events import (
    EVENT_COLUMNS,
    EVENT_TYPES,
    LIST_SEP,
    PRECISIONS,
    Event,
    clean_text,
    corroborated_confidence,
    dates_compatible,
    empty_events_frame,
    event_record,
    incident_key,
)

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from geo.articles import Article

__all__ = [
    "EventStore",
    "AddResult",
    "StoredArticle",
    "SCHEMA_VERSION",
    "STORE_NAME",
    "EXPORT_FORMATS",
    "ARTICLE_COLUMNS",
    "SOURCE_COLUMNS",
    "URL_COLUMN",
    "with_urls",
    "default_data_dir",
    "store_path",
    "gpkg_point_blobs",
    "write_frame",
    "acled_table",
]

SCHEMA_VERSION = 2
#: Schema versions this code opens: older ones are upgraded on opening (:meth:`EventStore._upgrade`).
_UPGRADES_FROM = (1,)
STORE_NAME = "events.gpkg"
EXPORT_FORMATS = ("geojson", "csv", "gpkg", "parquet")

EVENTS, SOURCES, ARTICLES, META = "events", "event_sources", "articles", "borderline_meta"
ARTICLE_COLUMNS = ("id", "source", "date", "dateline", "title", "url", "ingested_at", "n_events", "text", "lang")
#: Columns schema 1 lacked: ``(table, column)``.
_ADDED_IN_2 = (("articles", "lang"), ("events", "lang"))
SOURCE_COLUMNS = ("event_id", "article_id", "source", "own_event_id", "excerpt", "place_start",
                  "place_end", "date", "confidence", "added_at")
#: The column :meth:`EventStore.read_events` and :meth:`EventStore.read_sources` add: a report's
#: web address (http or https only), read from its article.
URL_COLUMN = "url"
_FLOATS = ("border_km", "confidence", "lat", "lon")
_INTS = ("place_start", "place_end", "n_events")
_SRS_ID = 4326
_BUSY_TIMEOUT_S = 60.0


def default_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``explicit`` (``--data DIR``), else ``$BORDERLINE_DATA``, else the user data dir."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("BORDERLINE_DATA")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("borderline"))


def store_path(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where ``events.gpkg`` lives for a data dir (see :func:`default_data_dir`)."""
    return default_data_dir(data_dir) / STORE_NAME


@dataclass(frozen=True, slots=True)
class AddResult:
    articles_added: int = 0
    articles_skipped: int = 0       # already stored (same article id)
    events_added: int = 0           # new incidents (rows in ``events``)
    events_merged: int = 0          # reports of an incident already stored (a new source)

    def __add__(self, other: AddResult) -> AddResult:
        return AddResult(self.articles_added + other.articles_added,
                         self.articles_skipped + other.articles_skipped,
                         self.events_added + other.events_added,
                         self.events_merged + other.events_merged)


@dataclass(frozen=True, slots=True)
class StoredArticle:
    id: str
    source: str
    date: str | None
    dateline: str | None
    title: str | None
    url: str | None
    ingested_at: str
    n_events: int
    text: str
    lang: str | None = None         # None only in a schema 1 store that could not be upgraded


# --- GeoPackage geometry blobs -----------------------------------------------------------

_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_HEADER = b"GP\x00\x01" + struct.pack("<i", _SRS_ID)   # version 0, little-endian, no envelope


def gpkg_point_blobs(lons: Sequence[float], lats: Sequence[float]) -> list[bytes | None]:
    """GeoPackage geometry blobs (header + little-endian WKB) for points; None where a
    coordinate is missing."""
    import numpy as np
    import shapely

    lon = np.asarray(lons, dtype="float64")
    lat = np.asarray(lats, dtype="float64")
    ok = np.isfinite(lon) & np.isfinite(lat)
    out: list[bytes | None] = [None] * len(lon)
    if ok.any():
        wkb = shapely.to_wkb(shapely.points(lon[ok], lat[ok]), byte_order=1)
        for i, w in zip(np.flatnonzero(ok), wkb, strict=True):
            out[i] = _HEADER + w
    return out


def _wkb_of(blob: bytes) -> tuple[bytes, tuple[float, float, float, float] | None, bool]:
    """(WKB, envelope (minx, maxx, miny, maxy) if the header has one, empty flag)."""
    if len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    flags = blob[3]
    env_len = _ENVELOPE_BYTES.get((flags >> 1) & 0x07)
    if env_len is None:
        raise ValueError("bad GeoPackage envelope indicator")
    env = None
    if env_len:
        env = struct.unpack("<4d" if flags & 1 else ">4d", blob[8:40])
    return blob[8 + env_len:], env, bool(flags & 0x10)


def _bounds(blob: bytes | None) -> tuple[float, float, float, float] | None:
    if blob is None:
        return None
    wkb, env, empty = _wkb_of(blob)
    if env is not None:
        return env
    if empty:
        return None
    if len(wkb) == 21 and wkb[0] in (0, 1):           # a 2D point: read it directly
        fmt = "<Idd" if wkb[0] == 1 else ">Idd"
        kind, x, y = struct.unpack(fmt, wkb[1:21])
        if kind == 1:
            return (x, x, y, y) if not (math.isnan(x) or math.isnan(y)) else None
    import shapely

    geom = shapely.from_wkb(wkb)
    if geom.is_empty:
        return None
    minx, miny, maxx, maxy = geom.bounds
    return minx, maxx, miny, maxy


def _st_is_empty(blob: bytes | None) -> int | None:
    return None if blob is None else int(_bounds(blob) is None)


def _st_coord(i: int):
    def fn(blob: bytes | None) -> float | None:
        b = _bounds(blob)
        return None if b is None else b[i]
    return fn


def _register_st_functions(con: sqlite3.Connection) -> None:
    # GDAL's R-tree triggers call these; without them every INSERT into a layer fails.
    con.create_function("ST_IsEmpty", 1, _st_is_empty, deterministic=True)
    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        con.create_function(name, 1, _st_coord(i), deterministic=True)


def _decode_points(blobs: Sequence[bytes | None]):
    import numpy as np
    import shapely

    out = np.full(len(blobs), None, dtype=object)
    idx, wkbs = [], []
    for i, blob in enumerate(blobs):
        if blob is None:
            continue
        try:
            wkb, _env, empty = _wkb_of(blob)
        except ValueError:
            continue
        if not empty:
            idx.append(i)
            wkbs.append(wkb)
    if wkbs:
        out[idx] = shapely.from_wkb(np.array(wkbs, dtype=object))
    return out


# --- validation of filter values (never interpolate article text into SQL) --------------

_DATE_RX = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def _checked(values: Iterable[str] | None, allowed: Iterable[str], what: str) -> list[str] | None:
    if values is None:
        return None
    values = [values] if isinstance(values, str) else list(values)
    allowed = set(allowed)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValueError(f"unknown {what}: {', '.join(map(str, bad[:5]))}")
    return values

def _event_filters(*, event_types: Iterable[str] | None, precisions: Iterable[str] | None,
                   sides: Iterable[str] | None, date_from: str | None, date_to: str | None,
                   bbox: tuple[float, float, float, float] | None, article_id: str | None,
                   min_confidence: float | None, max_border_km: float | None) -> tuple[list[str], list[object]]:
    """``read_events``' filters as SQL conditions on the events table (alias ``e``) and their
    parameters; raises ValueError for an unknown type or precision or a malformed date."""
    where: list[str] = []
    params: list[object] = []
    for column, values, allowed in (("event_type", event_types, EVENT_TYPES),
                                    ("precision", precisions, PRECISIONS)):
        checked = _checked(values, allowed, column)
        if checked is not None:
            where.append(f'e."{column}" IN ({", ".join("?" for _ in checked)})' if checked else "0")
            params += checked
    if sides is not None:
        sides = [sides] if isinstance(sides, str) else list(sides)
        where.append(f'e.side IN ({", ".join("?" for _ in sides)})' if sides else "0")
        params += sides
    for bound, op in ((date_from, ">="), (date_to, "<=")):
        if bound is not None:
            if not _DATE_RX.fullmatch(str(bound)):
                raise ValueError(f"bad date {bound!r} (want YYYY, YYYY-MM or YYYY-MM-DD)")
            where.append(f"e.date IS NOT NULL AND substr(e.date, 1, ?) {op} ?")
            params += [len(bound), bound]
    if article_id is not None:
        where.append(f'(e.article_id = ? OR e.event_id IN (SELECT event_id FROM "{SOURCES}" WHERE article_id = ?))')
        params += [article_id, article_id]
    if min_confidence is not None:
        where.append("e.confidence >= ?")
        params.append(float(min_confidence))
    if max_border_km is not None:
        where.append("e.border_km IS NOT NULL AND e.border_km <= ?")
        params.append(float(max_border_km))
    if bbox is not None:
        minx, miny, maxx, maxy = (float(v) for v in bbox)
        where.append(f'e.fid IN (SELECT id FROM "rtree_{EVENTS}_geom" WHERE minx <= ? AND maxx >= ? '
                     "AND miny <= ? AND maxy >= ?)")
        params += [maxx, minx, maxy, miny]
    return where, params


def _corroborate(target: list, ev: Event) -> tuple[str, str, float]:
    """Fold another article's report ``ev`` into the stored incident ``target`` ([fid, event_id,
    sources, tags, confidence, date, article_id], kept current for later reports in the same
    batch); returns its new (sources, tags, confidence)."""
    target[2] = LIST_SEP.join(dict.fromkeys([*filter(None, (target[2] or "").split(LIST_SEP)), *ev.sources]))
    tags = set(filter(None, (target[3] or "").split(LIST_SEP))) | set(ev.tags)
    target[3] = LIST_SEP.join(t for t in EVENT_TYPES if t in tags and t != ev.event_type)
    target[4] = corroborated_confidence(target[4], ev.confidence)
    return target[2], target[3], target[4]


def _events_frame(rows: list[tuple]) -> gpd.GeoDataFrame:
    """Rows of (geometry blob, ``EVENT_COLUMNS``..., url) as the GeoDataFrame ``read_events`` returns."""
    import geopandas as gpd
    import pandas as pd

    frame = pd.DataFrame.from_records([r[1:] for r in rows], columns=[*EVENT_COLUMNS, URL_COLUMN])
    for c in _FLOATS:
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    for c in ("place_start", "place_end"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").fillna(0).astype("int64")
    geometry = gpd.GeoSeries(_decode_points([r[0] for r in rows]), crs="EPSG:4326")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def _article_date(article: Article) -> str | None:
    if article.date is None:
        return None
    iso = article.date.isoformat()
    return iso[:7] if article.date_precision == "month" else iso


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")



def _write_empty_store(path: Path) -> None:
    """The store's layers, indexes and metadata, written into a new file at ``path``."""
    import pandas as pd
    import pyogrio

    pyogrio.write_dataframe(empty_events_frame(), path, layer=EVENTS, driver="GPKG",
                            geometry_type="Point", promote_to_multi=False)

    def table(columns: Sequence[str], ints: Sequence[str] = (), floats: Sequence[str] = ()):
        return pd.DataFrame({c: pd.Series([], dtype="int64" if c in ints else
                                          "float64" if c in floats else object) for c in columns})

    pyogrio.write_dataframe(table(SOURCE_COLUMNS, ints=_INTS, floats=_FLOATS), path, layer=SOURCES,
                            driver="GPKG")
    pyogrio.write_dataframe(table(ARTICLE_COLUMNS, ints=_INTS), path, layer=ARTICLES, driver="GPKG")
    pyogrio.write_dataframe(table(("key", "value")), path, layer=META, driver="GPKG")
    con = sqlite3.connect(path, isolation_level=None)
    try:
        _register_st_functions(con)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("BEGIN")
        con.execute(f'CREATE UNIQUE INDEX "{EVENTS}_event_id" ON "{EVENTS}"(event_id)')
        con.execute(f'CREATE INDEX "{EVENTS}_incident" ON "{EVENTS}"(place_id, event_type)')
        con.execute(f'CREATE INDEX "{EVENTS}_article" ON "{EVENTS}"(article_id)')
        con.execute(f'CREATE UNIQUE INDEX "{ARTICLES}_id" ON "{ARTICLES}"(id)')
        con.execute(f'CREATE UNIQUE INDEX "{SOURCES}_pair" ON "{SOURCES}"(event_id, article_id)')
        con.execute(f'CREATE INDEX "{SOURCES}_article" ON "{SOURCES}"(article_id)')
        con.execute(f'CREATE UNIQUE INDEX "{META}_key" ON "{META}"(key)')
        con.executemany(f'INSERT INTO "{META}"(key, value) VALUES (?, ?)', [
            ("schema_version", str(SCHEMA_VERSION)),
            ("revision", "0"),
            ("created_at", _now()),
            ("event_types", json.dumps(EVENT_TYPES)),
        ])
        con.execute("COMMIT")
    finally:
        con.close()


class EventStore:
    """The GeoPackage event store at ``path``. Pass the path in (tests use a temporary one);
    the CLI and the app use :func:`store_path`.

    ``create=False`` opens an existing store only: reading a missing one gives empty results,
    adding raises :class:`StoreError`. Every method opens and closes its own connection, so a
    store object may be shared by threads and pickled to workers.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = Path(path)
        self._create = create
        self._absent: frozenset[tuple[str, str]] = frozenset()   # (table, column) an old store lacks
        if self.path.exists():
            self._check_schema()
        elif create:
            self._create_file()

    def __repr__(self) -> str:
        return f"EventStore({str(self.path)!r})"

    @property
    def exists(self) -> bool:
        return self.path.exists()

    # --- creation and schema ----------------------------------------------------------

    def _create_file(self) -> None:
        create_atomically(self.path, _write_empty_store, what="the store")
        self._check_schema()

    def _check_schema(self) -> None:
        try:
            with self._connect(readonly=True) as con:
                tables = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
                missing = {EVENTS, SOURCES, ARTICLES, META} - tables
                if missing:
                    raise StoreError(f"{self.path}: not a Borderline store (missing {', '.join(sorted(missing))})")
                row = con.execute(f'SELECT value FROM "{META}" WHERE key = ?', ("schema_version",)).fetchone()
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path}: not a readable GeoPackage ({err})") from err
        version = int(row[0]) if row and str(row[0]).isdigit() else None
        if version in _UPGRADES_FROM:
            self._upgrade()
            return
        if version != SCHEMA_VERSION:
            raise StoreError(f"{self.path}: store schema version {version}, this Borderline reads "
                             f"{SCHEMA_VERSION}; export it with the version that wrote it")

    def _writable(self) -> bool:
        return os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)

    def _upgrade(self) -> None:
        """Bring a schema 1 store to schema 2 in one transaction (see the module docstring),
        or, when it cannot be written, read it as it is (its languages unknown)."""
        if not self._writable():
            self._absent = frozenset(_ADDED_IN_2)
            return
        failed = f"cannot upgrade the store to schema {SCHEMA_VERSION}, nothing was changed"
        with write_transaction(self._connect, self.path, failed=failed) as con:
            row = con.execute(f'SELECT value FROM "{META}" WHERE key = ?', ("schema_version",)).fetchone()
            if row is None or row[0] != str(SCHEMA_VERSION):   # not upgraded by another process meanwhile
                self._add_languages(con)

    @staticmethod
    def _add_languages(con: sqlite3.Connection) -> None:
        """Schema 1 -> 2: a ``lang`` column in ``articles`` and ``events``; each article's language
        detected from its stored text, each event's its article's (or, with no article row,
        detected from its excerpt)."""
        from geo.lang import detect

        for table, column in _ADDED_IN_2:
            if column not in {r[1] for r in con.execute(f'PRAGMA table_info("{table}")')}:
                con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" TEXT')
        for table, text in ((ARTICLES, "text"), (EVENTS, "excerpt")):
            if table == EVENTS:
                con.execute(f'UPDATE "{EVENTS}" SET lang = (SELECT a.lang FROM "{ARTICLES}" a '
                            f'WHERE a.id = "{EVENTS}".article_id) WHERE lang IS NULL')
            fids = [r[0] for r in con.execute(f'SELECT fid FROM "{table}" WHERE lang IS NULL')]
            for i in range(0, len(fids), 500):          # texts in batches: bounded memory
                chunk = fids[i:i + 500]
                rows = con.execute(f'SELECT fid, "{text}" FROM "{table}" WHERE fid IN '
                                   f'({", ".join("?" for _ in chunk)})', chunk).fetchall()
                con.executemany(f'UPDATE "{table}" SET lang = ? WHERE fid = ?',
                                [(detect(t or ""), fid) for fid, t in rows])
        now = _now()
        con.execute(f'UPDATE "{META}" SET value = ? WHERE key = ?', (str(SCHEMA_VERSION), "schema_version"))
        con.execute(f'INSERT OR REPLACE INTO "{META}"(key, value) VALUES (?, ?)', ("upgraded_at", now))
        con.execute(f'UPDATE "{META}" SET value = CAST(value AS INTEGER) + 1 WHERE key = ?', ("revision",))
        con.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name IN (?, ?)",
                    (now.replace("Z", ".000Z"), ARTICLES, EVENTS))

    def _columns(self, table: str, columns: Iterable[str], prefix: str = "") -> str:
        """A SELECT list of ``columns``, NULL for those an old store lacks."""
        return ", ".join("NULL" if (table, c) in self._absent else f'{prefix}"{c}"' for c in columns)

    @contextlib.contextmanager
    def _connect(self, *, readonly: bool = False) -> Iterator[sqlite3.Connection]:
        try:
            if readonly:
                con = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                      timeout=_BUSY_TIMEOUT_S, isolation_level=None)
            else:
                con = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot open ({err})") from err
        try:
            if not readonly:
                _register_st_functions(con)
                con.execute("PRAGMA synchronous=FULL")
            yield con
        finally:
            con.close()

    # --- writing ------------------------------------------------------------------------

    def add(self, items: Iterable[tuple[Article, Sequence[Event]]]) -> AddResult:
        """Store articles and their events in ONE transaction: all of them or none.

        An article already stored (same id; or, for a record with its own id, stored by a store
        from before records had one: under its text's id with that record id as its source) is
        skipped, with its events. An event that is the
        same incident as a stored one from another article (see :func:`geo.events.same_incident`)
        adds a source to that incident instead of a row.
        """
        items = list(items)
        if not items:
            return AddResult()
        if self._absent:
            raise StoreError(f"{self.path}: a store of an older schema that could not be upgraded "
                             "(it is read-only): it takes no new articles")
        if not self.path.exists():
            if not self._create:
                raise StoreError(f"{self.path}: no store here")
            self._create_file()
        with write_transaction(self._connect, self.path, failed=WRITE_FAILED) as con:
            return self._add_in(con, items)

    def _add_in(self, con: sqlite3.Connection, items: list[tuple[Article, Sequence[Event]]]) -> AddResult:
        now = _now()
        stored = self._stored_ids(con, [a.id for a, _ in items])
        legacy = self._stored_before_record_ids(con, [a for a, _ in items])
        fresh: list[tuple[Article, Sequence[Event]]] = []
        for article, events in items:
            if article.id not in stored and article.id not in legacy:
                stored.add(article.id)
                fresh.append((article, events))
        skipped = len(items) - len(fresh)
        all_events = [ev for _, events in fresh for ev in events]
        blobs = iter(gpkg_point_blobs([math.nan if e.lon is None else e.lon for e in all_events],
                                      [math.nan if e.lat is None else e.lat for e in all_events]))
        incidents = self._stored_incidents(con, {incident_key(e) for e in all_events} - {None})
        cols = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
        insert_event = f'INSERT INTO "{EVENTS}"(geom, {cols}) VALUES (?, {", ".join("?" for _ in EVENT_COLUMNS)})'
        articles, sources, new_rows = [], [], []
        updates: dict[int, tuple[str, str, float]] = {}
        n_new = n_merged = 0
        for article, events in fresh:
            articles.append((article.id, clean_text(article.source), _article_date(article),
                             *(clean_text(v) if v else v for v in (article.dateline, article.title, article.url)),
                             now, len(events), clean_text(article.text), article.lang))
            for ev in events:
                blob = next(blobs)
                key = incident_key(ev)
                target = next((inc for inc in incidents.get(key, ()) if inc[6] != ev.article_id
                               and dates_compatible(inc[5], ev.date)), None) if key else None
                if target is not None:
                    updates[target[0]] = _corroborate(target, ev)
                    event_id = target[1]
                    n_merged += 1
                else:
                    row = event_record(ev)
                    try:
                        fid = con.execute(insert_event, (blob, *(row[c] for c in EVENT_COLUMNS))).lastrowid
                    except sqlite3.IntegrityError:
                        continue                      # the same event id stored already
                    if key:
                        incidents.setdefault(key, []).append(
                            [fid, ev.event_id, row["sources"], row["tags"], ev.confidence, ev.date, ev.article_id])
                    new_rows.append(row)
                    event_id = ev.event_id
                    n_new += 1
                sources.append((event_id, article.id, clean_text(article.source), ev.event_id, ev.excerpt,
                                ev.place_start, ev.place_end, ev.date, ev.confidence, now))
        con.executemany(f'INSERT INTO "{ARTICLES}"({", ".join(ARTICLE_COLUMNS)}) '
                        f'VALUES ({", ".join("?" for _ in ARTICLE_COLUMNS)})', articles)
        con.executemany(f'INSERT OR IGNORE INTO "{SOURCES}"({", ".join(SOURCE_COLUMNS)}) '
                        f'VALUES ({", ".join("?" for _ in SOURCE_COLUMNS)})', sources)
        con.executemany(f'UPDATE "{EVENTS}" SET sources = ?, tags = ?, confidence = ? WHERE fid = ?',
                        [(*v, fid) for fid, v in updates.items()])
        self._widen_extent(con, new_rows, now)
        if fresh:
            con.execute(f'UPDATE "{META}" SET value = CAST(value AS INTEGER) + 1 WHERE key = ?', ("revision",))
        return AddResult(len(fresh), skipped, n_new, n_merged)

    @staticmethod
    def _stored_ids(con: sqlite3.Connection, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        unique = list(dict.fromkeys(ids))
        for i in range(0, len(unique), 500):
            chunk = unique[i:i + 500]
            found.update(r[0] for r in con.execute(
                f'SELECT id FROM "{ARTICLES}" WHERE id IN ({", ".join("?" for _ in chunk)})', chunk))
        return found

    @staticmethod
    def _stored_before_record_ids(con: sqlite3.Connection, articles: Sequence[Article]) -> set[str]:
        """Ids of the records among ``articles`` that a store from before records had their own
        identity holds: keyed by their text, with the record id as the source."""
        from geo.articles import article_id

        old = {(article_id(a.text), a.record_id): a.id for a in articles
               if a.record_id is not None}
        found: set[str] = set()
        pairs = list(old)
        for i in range(0, len(pairs), 250):
            chunk = pairs[i:i + 250]
            rows = con.execute(f'SELECT id, source FROM "{ARTICLES}" WHERE '
                               + " OR ".join("(id = ? AND source = ?)" for _ in chunk),
                               [v for pair in chunk for v in pair])
            found.update(old[(rid, source)] for rid, source in rows)
        return found

    @staticmethod
    def _stored_incidents(con: sqlite3.Connection, keys: set[tuple[str, str]]) -> dict[tuple[str, str], list[list]]:
        """Stored events of the given (type, place_id) keys, oldest first, as mutable rows."""
        out: dict[tuple[str, str], list[list]] = {}
        places = sorted({place for _, place in keys})
        for i in range(0, len(places), 500):
            chunk = places[i:i + 500]
            rows = con.execute(f'SELECT fid, event_id, sources, tags, confidence, date, article_id, event_type, '
                               f'place_id FROM "{EVENTS}" WHERE place_id IN ({", ".join("?" for _ in chunk)}) '
                               'ORDER BY fid', chunk)
            for fid, event_id, sources, tags, confidence, date, article_id, etype, place_id in rows:
                if (etype, place_id) in keys:
                    out.setdefault((etype, place_id), []).append(
                        [fid, event_id, sources, tags, confidence, date, article_id])
        return out

    @staticmethod
    def _widen_extent(con: sqlite3.Connection, rows: list[dict[str, object]], now: str) -> None:
        xs = [r["lon"] for r in rows if r["lon"] is not None and r["lat"] is not None]
        ys = [r["lat"] for r in rows if r["lon"] is not None and r["lat"] is not None]
        if xs:
            con.execute(
                "UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?), ?), min_y = min(coalesce(min_y, ?), ?), "
                "max_x = max(coalesce(max_x, ?), ?), max_y = max(coalesce(max_y, ?), ?), last_change = ? "
                "WHERE table_name = ?",
                (min(xs), min(xs), min(ys), min(ys), max(xs), max(xs), max(ys), max(ys),
                 now.replace("Z", ".000Z"), EVENTS))
        con.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name IN (?, ?)",
                    (now.replace("Z", ".000Z"), ARTICLES, SOURCES))

    # --- reading ------------------------------------------------------------------------

    def read_events(self, *, event_types: Iterable[str] | None = None, precisions: Iterable[str] | None = None,
                    sides: Iterable[str] | None = None, date_from: str | None = None,
                    date_to: str | None = None, bbox: tuple[float, float, float, float] | None = None,
                    article_id: str | None = None, min_confidence: float | None = None,
                    max_border_km: float | None = None, limit: int | None = None) -> gpd.GeoDataFrame:
        """Stored events as a GeoDataFrame (``EVENT_COLUMNS``, ``url``, Point geometry, EPSG:4326).

        ``url`` is the first report's web address (None when its article gave none).

        Filters combine with AND; ``bbox`` is (minx, miny, maxx, maxy) in degrees and uses
        the GeoPackage R-tree; dates compare as ISO strings (``date_to="2024-12"`` keeps
        December). Events with an unknown date are dropped by a date filter.
        """
        where, params = _event_filters(event_types=event_types, precisions=precisions, sides=sides,
                                       date_from=date_from, date_to=date_to, bbox=bbox, article_id=article_id,
                                       min_confidence=min_confidence, max_border_km=max_border_km)
        if not self.path.exists():
            return with_urls(empty_events_frame())
        cols = self._columns(EVENTS, EVENT_COLUMNS, "e.")
        sql = (f'SELECT e.geom, {cols}, a.url FROM "{EVENTS}" e '
               f'LEFT JOIN "{ARTICLES}" a ON a.id = e.article_id')
        if where:
            sql += " WHERE " + " AND ".join(f"({w})" for w in where)
        sql += " ORDER BY e.fid"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        try:
            with self._connect(readonly=True) as con:
                rows = con.execute(sql, params).fetchall()
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot read events ({err})") from err
        return _events_frame(rows) if rows else with_urls(empty_events_frame())

    def revision(self) -> int:
        """A counter that every write that stores something increments (0 for a new or
        missing store): a cheap, exact cache key for whatever is derived from the store."""
        if not self.path.exists():
            return 0
        return self._scalar(f'SELECT CAST(value AS INTEGER) FROM "{META}" WHERE key = ?', ("revision",))

    def count_events(self) -> int:
        return self._scalar(f'SELECT count(*) FROM "{EVENTS}"')

    def count_articles(self) -> int:
        return self._scalar(f'SELECT count(*) FROM "{ARTICLES}"')

    def _scalar(self, sql: str, params: Sequence[object] = ()) -> int:
        if not self.path.exists():
            return 0
        try:
            with self._connect(readonly=True) as con:
                return int(con.execute(sql, params).fetchone()[0])
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot read ({err})") from err

    def stored_article_sources(self) -> dict[str, str]:
        """Every stored article's id and source (what ingest checks inputs against)."""
        if not self.path.exists():
            return {}
        try:
            with self._connect(readonly=True) as con:
                return dict(con.execute(f'SELECT id, source FROM "{ARTICLES}"'))
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot read ({err})") from err

    def stored_article_ids(self) -> set[str]:
        if not self.path.exists():
            return set()
        try:
            with self._connect(readonly=True) as con:
                return {r[0] for r in con.execute(f'SELECT id FROM "{ARTICLES}"')}
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot read ({err})") from err

    def read_article(self, article_id: str) -> StoredArticle | None:
        """One stored article with its full text, or None."""
        if not self.path.exists():
            return None
        try:
            with self._connect(readonly=True) as con:
                row = con.execute(f'SELECT {self._columns(ARTICLES, ARTICLE_COLUMNS)} FROM "{ARTICLES}" '
                                  'WHERE id = ?', (article_id,)).fetchone()
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot read ({err})") from err
        if row is None:
            return None
        values = dict(zip(ARTICLE_COLUMNS, row, strict=True))
        values["n_events"] = int(values["n_events"] or 0)
        return StoredArticle(**values)

    def read_articles(self) -> pd.DataFrame:
        """Stored articles without their text, oldest ingest first."""
        import pandas as pd

        columns = [c for c in ARTICLE_COLUMNS if c != "text"]
        if not self.path.exists():
            return pd.DataFrame(columns=columns)
        with self._connect(readonly=True) as con:
            rows = con.execute(f'SELECT {self._columns(ARTICLES, columns)} FROM "{ARTICLES}" ORDER BY fid').fetchall()
        return pd.DataFrame.from_records(rows, columns=columns)

    def read_sources(self, event_id: str | None = None) -> pd.DataFrame:
        """Every report of an incident (or of all incidents): article, excerpt, offsets, and
        the report's ``url`` (None when its article gave none)."""
        import pandas as pd

        columns = [*SOURCE_COLUMNS, URL_COLUMN]
        if not self.path.exists():
            return pd.DataFrame(columns=columns)
        sql = (f'SELECT {", ".join(f"s.{c}" for c in SOURCE_COLUMNS)}, a.url FROM "{SOURCES}" s '
               f'LEFT JOIN "{ARTICLES}" a ON a.id = s.article_id')
        params: tuple = ()
        if event_id is not None:
            sql += " WHERE s.event_id = ?"
            params = (event_id,)
        with self._connect(readonly=True) as con:
            rows = con.execute(sql + " ORDER BY s.fid", params).fetchall()
        return pd.DataFrame.from_records(rows, columns=columns)

    def read_anchors(self, *, min_confidence: float, kinds: Iterable[str]) -> list[tuple[float, float, int]]:
        """Where the stored reports put the war, for deciding namesakes (geo.namesakes): one
        ``(lat, lon, day)`` per stored article and place of its reports more confident than
        ``min_confidence`` at places of ``kinds``; ``day`` is the article's date ordinal, -1
        when it has no day. Each report counts with its own confidence, not its incident's
        (which merging raises)."""
        kinds = list(kinds)
        if not self.path.exists() or not kinds:
            return []
        sql = (f'SELECT s.article_id, e.place_id, e.lat, e.lon, a.date FROM "{SOURCES}" s '
               f'JOIN "{EVENTS}" e ON e.event_id = s.event_id JOIN "{ARTICLES}" a ON a.id = s.article_id '
               f'WHERE s.confidence > ? AND e.place_kind IN ({", ".join("?" for _ in kinds)}) '
               "AND e.lat IS NOT NULL AND e.lon IS NOT NULL")
        try:
            with self._connect(readonly=True) as con:
                rows = con.execute(sql, (float(min_confidence), *kinds)).fetchall()
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot read ({err})") from err
        out: dict[tuple[str, str], tuple[float, float, int]] = {}
        for article_id, place_id, lat, lon, date in rows:
            day = -1
            if isinstance(date, str) and len(date) == 10:
                with contextlib.suppress(ValueError):
                    day = dt.date.fromisoformat(date).toordinal()
            out.setdefault((article_id, place_id), (float(lat), float(lon), day))
        return list(out.values())

    def check(self) -> list[str]:
        """Problems found (empty when healthy): SQLite integrity, the GeoPackage feature count,
        and every article stored wholly (as many source rows as events it reported, less
        those it merged twice into one incident)."""
        problems: list[str] = []
        if not self.path.exists():
            return [f"{self.path}: no store"]
        with self._connect(readonly=True) as con:
            result = [r[0] for r in con.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                problems += result[:10]
            n = con.execute(f'SELECT count(*) FROM "{EVENTS}"').fetchone()[0]
            cached = con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = ?",
                                 (EVENTS,)).fetchone()
            if cached is not None and cached[0] is not None and cached[0] != n:
                problems.append(f"gpkg_ogr_contents says {cached[0]} events, the table has {n}")
            orphans = con.execute(f'SELECT count(*) FROM "{SOURCES}" s LEFT JOIN "{ARTICLES}" a '
                                  "ON a.id = s.article_id WHERE a.id IS NULL").fetchone()[0]
            if orphans:
                problems.append(f"{orphans} event sources without their article")
            partial = con.execute(
                f'SELECT count(*) FROM "{ARTICLES}" a WHERE a.n_events > 0 AND NOT EXISTS '
                f'(SELECT 1 FROM "{SOURCES}" s WHERE s.article_id = a.id)').fetchone()[0]
            if partial:
                problems.append(f"{partial} articles stored without their events")
        return problems

    # --- export -------------------------------------------------------------------------

    def export(self, fmt: str, path: str | os.PathLike[str] | None = None, *,
               frame: gpd.GeoDataFrame | None = None) -> str | None:
        """Write every stored event as ``fmt`` (geojson, csv, gpkg, parquet) to ``path``
        atomically; with no ``path``, return the text (geojson, csv only). ``frame``: the
        stored events already read, with columns added (the front line's)."""
        from geo.events import frame_to_geojson

        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"unknown export format {fmt!r} (want {', '.join(EXPORT_FORMATS)})")
        frame = self.read_events() if frame is None else frame
        if path is None:
            if fmt == "geojson":
                return frame_to_geojson(frame)
            if fmt == "csv":
                return acled_table(frame).to_csv(index=False)
            raise ValueError(f"{fmt} is a binary format: give a path")
        write_frame(frame, fmt, Path(path), sources=self.read_sources() if fmt == "gpkg" else None)
        return None


def with_urls(frame: gpd.GeoDataFrame, urls: Mapping[str, str | None] | None = None) -> gpd.GeoDataFrame:
    """``frame`` (a fresh events frame, changed in place) with the ``url`` column the store's
    frames have, before its geometry: each event's article's address from ``urls`` (article id
    -> url), else None."""
    import pandas as pd

    urls = urls or {}
    column = pd.Series([urls.get(a) for a in frame["article_id"]], index=frame.index, dtype=object)
    frame.insert(frame.columns.get_loc(frame.geometry.name), URL_COLUMN, column)
    return frame


def acled_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The CSV's table: ``geo.events.frame_to_acled`` (ACLED's column names), then the
    front-line columns (``geo.frontline.FRONT_COLUMNS``) when the frame has them."""
    from geo.events import frame_to_acled
    from geo.frontline.measure import FRONT_COLUMNS

    out = frame_to_acled(frame)
    for c in FRONT_COLUMNS:
        if c in frame.columns:
            out[c] = frame[c].to_numpy()
    return out


def write_frame(frame: gpd.GeoDataFrame, fmt: str, path: Path, *, sources: pd.DataFrame | None = None) -> None:
    """Write an events frame as ``fmt`` to ``path`` via a temporary file (never half a file)."""
    from geo.events import frame_to_geojson

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = {"geojson": ".geojson", "csv": ".csv", "parquet": ".parquet", "gpkg": ".gpkg"}.get(fmt, "")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp" + suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if fmt == "geojson":
            tmp.write_text(frame_to_geojson(frame), encoding="utf-8")
        elif fmt == "csv":
            acled_table(frame).to_csv(tmp, index=False)
        elif fmt == "parquet":
            frame.to_parquet(tmp, index=False)
        elif fmt == "gpkg":
            import pyogrio

            tmp.unlink()
            pyogrio.write_dataframe(frame, tmp, layer=EVENTS, driver="GPKG", geometry_type="Point",
                                    promote_to_multi=False)
            if sources is not None and len(sources):
                pyogrio.write_dataframe(sources, tmp, layer=SOURCES, driver="GPKG")
        else:
            raise ValueError(f"unknown format {fmt!r}")
        os.replace(tmp, path)
    except OSError as err:
        raise StoreError(f"{path}: cannot write ({err.strerror or err})") from err
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
