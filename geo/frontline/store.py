"""The front-line store: ``frontline.gpkg`` beside the events in the data directory.

Layers (a GeoPackage that QGIS, GDAL and geopandas read; all EPSG:4326):

- ``snapshots`` (attributes): one row per imported snapshot: ``date`` (YYYY-MM-DD, the day
  it shows), ``stamp`` (UTC time when the file name carried one), ``source`` (who drew it:
  "DeepStateMap", "ISW", or what ``--source`` named), ``format`` (deepstate, daily, isw),
  ``file`` (the file's name), ``digest`` (SHA-256 of the file), ``imported_at``,
  ``occupied_km2``, ``contested_km2``, ``front_km``, ``ignored`` (features of no front
  status).
- ``occupied``, ``contested`` (MultiPolygon) and ``front_line`` (MultiLineString): one row
  per snapshot, ``snapshot_id`` = the snapshot's ``fid``, with its ``date`` and ``source``
  (so a GIS can filter a layer by day without a join). An empty geometry is NULL.
- ``frontline_meta``: key/value, ``schema_version``.

A snapshot is the same when its source, day and file digest are: importing the same files
again adds nothing (a unique index enforces it).

How it is written follows ``geo.store`` (read its docstring): pyogrio creates the file once
(GDAL writes the GeoPackage metadata) in a temporary file that is then linked into place;
rows are written with Python's ``sqlite3``, every snapshot of an import batch in one
transaction, so a snapshot is stored with all its layers or not at all. The spatial layers
have no R-tree (a few thousand rows at most), so no GDAL SQL functions are needed. Within
one process only this module's ``sqlite3`` connections touch the file; being a file of its
own, it never mixes with the event store's connections.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import struct
import tempfile
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo.errors import StoreError

__all__ = [
    "FRONTLINE_NAME",
    "SCHEMA_VERSION",
    "SNAPSHOT_COLUMNS",
    "GEOMETRY_LAYERS",
    "Snapshot",
    "NewSnapshot",
    "StoredTerritory",
    "FrontlineStore",
    "frontline_path",
]

FRONTLINE_NAME = "frontline.gpkg"
SCHEMA_VERSION = 1
SNAPSHOTS, META = "snapshots", "frontline_meta"
#: Geometry layers and their GeoPackage geometry types.
GEOMETRY_LAYERS: dict[str, str] = {"occupied": "MultiPolygon", "contested": "MultiPolygon",
                                   "front_line": "MultiLineString"}
SNAPSHOT_COLUMNS = ("date", "stamp", "source", "format", "file", "digest", "imported_at", "occupied_km2",
                    "contested_km2", "front_km", "ignored")
_FLOATS = ("occupied_km2", "contested_km2", "front_km")
_SRS_ID = 4326
_BUSY_TIMEOUT_S = 60.0
#: Snapshots whose geometry stays decoded in memory (a few MB each at most).
_CACHED = 16
# GeoPackage geometry header: "GP", version 0, flags 1 (little-endian, no envelope), SRS id.
_HEADER = b"GP\x00\x01" + struct.pack("<i", _SRS_ID)
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def frontline_path(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where ``frontline.gpkg`` lives for a data dir (``geo.store.default_data_dir``)."""
    from geo.store import default_data_dir

    return default_data_dir(data_dir) / FRONTLINE_NAME


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One stored snapshot, without its geometry."""

    id: int
    date: dt.date
    stamp: str | None
    source: str
    format: str
    file: str
    digest: str
    imported_at: str
    occupied_km2: float
    contested_km2: float
    front_km: float
    ignored: int


@dataclass(frozen=True, slots=True)
class NewSnapshot:
    """A snapshot to store: what the file said and the geometry care made of it."""

    date: dt.date
    stamp: str | None
    source: str
    format: str
    file: str
    digest: str
    territory: Any          # geo.frontline.geometry.Territory
    ignored: int = 0


@dataclass(frozen=True, slots=True)
class StoredTerritory:
    """A stored snapshot's geometry (lon/lat shapely; empty geometries when NULL)."""

    occupied: Any
    contested: Any
    front: Any


def _blob(geom: Any) -> bytes | None:
    import shapely

    if geom is None or geom.is_empty:
        return None
    return _HEADER + shapely.to_wkb(geom, byte_order=1)


def _geometry(blob: bytes | None, empty: Any) -> Any:
    import shapely

    if blob is None:
        return empty
    if len(blob) < 8 or blob[:2] != b"GP":
        raise StoreError("a front-line geometry is not a GeoPackage geometry blob")
    envelope = _ENVELOPE_BYTES.get((blob[3] >> 1) & 0x07)
    if envelope is None or blob[3] & 0x10:
        return empty
    return shapely.from_wkb(blob[8 + envelope:])


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class FrontlineStore:
    """``frontline.gpkg`` at ``path`` (tests pass a temporary one; the CLI and the app use
    :func:`frontline_path`). Reading a missing store gives nothing; :meth:`add` creates it.
    Every method opens and closes its own connection."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._geometries: OrderedDict[int, StoredTerritory] = OrderedDict()
        if self.path.exists():
            self._check_schema()

    def __repr__(self) -> str:
        return f"FrontlineStore({str(self.path)!r})"

    @property
    def exists(self) -> bool:
        return self.path.exists()

    # --- creation -----------------------------------------------------------------------

    def _create_file(self) -> None:
        directory = self.path.parent
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{self.path.stem}.", suffix=".tmp.gpkg", dir=directory)
            os.close(fd)
            tmp = Path(tmp_name)
            tmp.unlink()
        except OSError as err:
            raise StoreError(f"{self.path}: cannot create the front-line store ({err.strerror or err})") from err
        try:
            self._write_layers(tmp)
            self._index(tmp)
            try:
                os.link(tmp, self.path)           # fails if another process created it first
            except FileExistsError:
                pass
            except OSError:
                if not self.path.exists():
                    os.replace(tmp, self.path)
        except (OSError, sqlite3.Error, RuntimeError) as err:    # pyogrio's errors are RuntimeErrors
            raise StoreError(f"{self.path}: cannot create the front-line store ({err})") from err
        finally:
            for suffix in ("", "-journal", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    Path(str(tmp) + suffix).unlink()
        self._check_schema()

    @staticmethod
    def _write_layers(path: Path) -> None:
        import geopandas as gpd
        import pandas as pd
        import pyogrio

        for layer, kind in GEOMETRY_LAYERS.items():
            frame = gpd.GeoDataFrame({"snapshot_id": pd.Series([], dtype="int64"),
                                      "date": pd.Series([], dtype=object), "source": pd.Series([], dtype=object)},
                                     geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
            pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", geometry_type=kind,
                                    promote_to_multi=True, layer_options={"SPATIAL_INDEX": "NO"})
        columns = {c: pd.Series([], dtype="float64" if c in _FLOATS else "int64" if c == "ignored" else object)
                   for c in SNAPSHOT_COLUMNS}
        pyogrio.write_dataframe(pd.DataFrame(columns), path, layer=SNAPSHOTS, driver="GPKG")
        pyogrio.write_dataframe(pd.DataFrame({"key": pd.Series([], dtype=object),
                                              "value": pd.Series([], dtype=object)}), path, layer=META, driver="GPKG")

    @staticmethod
    def _index(path: Path) -> None:
        con = sqlite3.connect(path, isolation_level=None)
        try:
            con.execute("BEGIN")
            con.execute(f'CREATE UNIQUE INDEX "{SNAPSHOTS}_identity" ON "{SNAPSHOTS}"(source, date, digest)')
            con.execute(f'CREATE INDEX "{SNAPSHOTS}_date" ON "{SNAPSHOTS}"(source, date)')
            for layer in GEOMETRY_LAYERS:
                con.execute(f'CREATE UNIQUE INDEX "{layer}_snapshot" ON "{layer}"(snapshot_id)')
            con.execute(f'CREATE UNIQUE INDEX "{META}_key" ON "{META}"(key)')
            con.executemany(f'INSERT INTO "{META}"(key, value) VALUES (?, ?)',
                            [("schema_version", str(SCHEMA_VERSION)), ("created_at", _now())])
            con.execute("COMMIT")
        finally:
            con.close()

    def _check_schema(self) -> None:
        try:
            with self._connect(readonly=True) as con:
                tables = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
                missing = {SNAPSHOTS, META, *GEOMETRY_LAYERS} - tables
                if missing:
                    raise StoreError(f"{self.path}: not a Borderline front-line store "
                                     f"(missing {', '.join(sorted(missing))})")
                row = con.execute(f'SELECT value FROM "{META}" WHERE key = ?', ("schema_version",)).fetchone()
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path}: not a readable GeoPackage ({err})") from err
        version = int(row[0]) if row and str(row[0]).isdigit() else None
        if version != SCHEMA_VERSION:
            raise StoreError(f"{self.path}: front-line store schema version {version}, this Borderline "
                             f"reads {SCHEMA_VERSION}")

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
                con.execute("PRAGMA synchronous=FULL")
            yield con
        finally:
            con.close()

    # --- writing ------------------------------------------------------------------------

    def stored(self, keys: Sequence[tuple[str, dt.date, str]]) -> set[tuple[str, dt.date, str]]:
        """Which of these (source, date, digest) are stored already."""
        if not self.path.exists() or not keys:
            return set()
        found = set()
        try:
            with self._connect(readonly=True) as con:
                for source, date, digest in keys:
                    if con.execute(f'SELECT 1 FROM "{SNAPSHOTS}" WHERE source = ? AND date = ? AND digest = ?',
                                   (source, date.isoformat(), digest)).fetchone():
                        found.add((source, date, digest))
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot read ({err})") from err
        return found

    def add(self, snapshots: Sequence[NewSnapshot]) -> tuple[int, int]:
        """Store snapshots in ONE transaction (all or none); one already stored (same source,
        day and digest) is skipped. Returns (added, skipped)."""
        if not snapshots:
            return 0, 0
        if not self.path.exists():
            self._create_file()
        try:
            with self._connect() as con:
                con.execute("BEGIN IMMEDIATE")
                try:
                    result = self._add_in(con, snapshots)
                    con.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        con.execute("ROLLBACK")
                    raise
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: write failed, nothing of this batch was stored ({err})") from err
        return result

    @staticmethod
    def _add_in(con: sqlite3.Connection, snapshots: Sequence[NewSnapshot]) -> tuple[int, int]:
        now = _now()
        added = skipped = 0
        cols = ", ".join(SNAPSHOT_COLUMNS)
        insert = f'INSERT OR IGNORE INTO "{SNAPSHOTS}"({cols}) VALUES ({", ".join("?" for _ in SNAPSHOT_COLUMNS)})'
        for s in snapshots:
            t = s.territory
            cur = con.execute(insert, (s.date.isoformat(), s.stamp, s.source, s.format, s.file, s.digest, now,
                                       round(float(t.occupied_km2), 3), round(float(t.contested_km2), 3),
                                       round(float(t.front_km), 3), int(s.ignored)))
            if cur.rowcount == 0:
                skipped += 1
                continue
            fid = cur.lastrowid
            for layer, geom in (("occupied", t.occupied), ("contested", t.contested), ("front_line", t.front)):
                con.execute(f'INSERT INTO "{layer}"(geom, snapshot_id, date, source) VALUES (?, ?, ?, ?)',
                            (_blob(geom), fid, s.date.isoformat(), s.source))
            added += 1
        if added:
            con.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name IN (?, ?, ?, ?)",
                        (now.replace("Z", ".000Z"), SNAPSHOTS, *GEOMETRY_LAYERS))
        return added, skipped

    # --- reading ------------------------------------------------------------------------

    def snapshots(self, source: str | None = None) -> list[Snapshot]:
        """Stored snapshots (of one source, or all), by source, day, time and id."""
        if not self.path.exists():
            return []
        sql = f'SELECT fid, {", ".join(SNAPSHOT_COLUMNS)} FROM "{SNAPSHOTS}"'
        params: tuple = ()
        if source is not None:
            sql += " WHERE source = ?"
            params = (source,)
        try:
            with self._connect(readonly=True) as con:
                rows = con.execute(sql + " ORDER BY source, date, coalesce(stamp, ''), fid", params).fetchall()
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot read ({err})") from err
        out = []
        for fid, date, stamp, src, fmt, file, digest, imported_at, occ, cont, front, ignored in rows:
            out.append(Snapshot(int(fid), dt.date.fromisoformat(date), stamp, src, fmt, file, digest, imported_at,
                                float(occ or 0.0), float(cont or 0.0), float(front or 0.0), int(ignored or 0)))
        return out

    def sources(self) -> dict[str, int]:
        """Each source and how many snapshots it has, most first."""
        counts: dict[str, int] = {}
        for s in self.snapshots():
            counts[s.source] = counts.get(s.source, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def territory(self, snapshot_id: int) -> StoredTerritory:
        """A snapshot's geometry (the last few stay decoded)."""
        import shapely

        cached = self._geometries.get(snapshot_id)
        if cached is not None:
            self._geometries.move_to_end(snapshot_id)
            return cached
        blobs = {}
        try:
            with self._connect(readonly=True) as con:
                for layer in GEOMETRY_LAYERS:
                    row = con.execute(f'SELECT geom FROM "{layer}" WHERE snapshot_id = ?', (snapshot_id,)).fetchone()
                    blobs[layer] = row[0] if row else None
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot read ({err})") from err
        found = StoredTerritory(occupied=_geometry(blobs["occupied"], shapely.MultiPolygon()),
                                contested=_geometry(blobs["contested"], shapely.MultiPolygon()),
                                front=_geometry(blobs["front_line"], shapely.MultiLineString()))
        self._geometries[snapshot_id] = found
        while len(self._geometries) > _CACHED:
            self._geometries.popitem(last=False)
        return found
