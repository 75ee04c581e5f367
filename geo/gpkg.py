"""GeoPackage files created whole or not at all, shared by the event and front-line stores.

pyogrio writes one layer per call, so a store's first layers and indexes are written into a
temporary file in the same directory, which is then hard-linked into place: a process that
finds the file finds it complete, and of two processes creating it at once the first link wins
(the other's copy is discarded). Where hard links are not supported, the temporary file is
moved into place unless one appeared meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from geo.errors import StoreError

__all__ = ["create_atomically", "write_transaction", "WRITE_FAILED"]

#: What a failed batch write says: nothing of it is stored (the transaction rolled back).
WRITE_FAILED = "write failed, nothing of this batch was stored"

#: SQLite's side files a temporary GeoPackage may leave (rollback journal, WAL, shared memory).
_SIDE_FILES = ("", "-journal", "-wal", "-shm")


def create_atomically(path: Path, populate: Callable[[Path], None], *, what: str) -> None:
    """Create ``path`` by calling ``populate(tmp)`` on a fresh temporary path beside it, then
    linking it into place. Errors become :class:`StoreError` naming ``path`` and ``what`` it is."""
    tmp = _temporary_beside(path, what)
    try:
        populate(tmp)
        _link_into_place(tmp, path)
    except (OSError, sqlite3.Error, RuntimeError) as err:    # pyogrio's errors are RuntimeErrors
        raise StoreError(f"{path}: cannot create {what} ({err})") from err
    finally:
        for suffix in _SIDE_FILES:
            with contextlib.suppress(OSError):
                Path(str(tmp) + suffix).unlink()


def _temporary_beside(path: Path, what: str) -> Path:
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp.gpkg", dir=directory)
        os.close(fd)
        tmp = Path(tmp_name)
        tmp.unlink()           # GDAL creates the file itself; an empty one is not a GeoPackage
    except OSError as err:
        raise StoreError(f"{path}: cannot create {what} ({err.strerror or err})") from err
    return tmp


def _link_into_place(tmp: Path, path: Path) -> None:
    try:
        os.link(tmp, path)           # fails if another process created it first
    except FileExistsError:
        pass
    except OSError:
        if not path.exists():
            os.replace(tmp, path)


@contextlib.contextmanager
def write_transaction(connect: Callable[[], AbstractContextManager[sqlite3.Connection]], path: Path, *,
                      failed: str) -> Iterator[sqlite3.Connection]:
    """A connection from ``connect()`` inside ``BEGIN IMMEDIATE`` ... ``COMMIT``: the block's
    writes are stored all together or not at all (rolled back on any exception). An SQLite error
    becomes :class:`StoreError` "``path``: ``failed`` (error)"."""
    try:
        with connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
                con.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    con.execute("ROLLBACK")
                raise
    except sqlite3.Error as err:
        raise StoreError(f"{path}: {failed} ({err})") from err
