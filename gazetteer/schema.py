"""The gazetteer's on-disk layout, written once: the builder and the queries both import it.

``PLACE_COLUMNS`` lists the ``places`` table's columns with their SQL types; the CREATE
TABLE statement, the INSERT the builder uses, the column list the queries select and the
mapping of a selected row to :class:`~gazetteer.model.Place` are all derived from it.
This module imports nothing from the builder, so :mod:`gazetteer.query` stays free of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Place

__all__ = ["Column", "PLACE_COLUMNS", "INSERT_COLUMNS", "SELECT_COLUMNS", "CREATE_TABLES",
           "CREATE_ID_INDEX", "CREATE_NAME_TABLES", "CREATE_QUERY_INDEXES", "INSERT_PLACE",
           "PLACE_FIELDS", "ALT_SEP", "HOW_PRIMARY", "HOW_ALT", "HOW_ADMIN_FORM", "SCHEMA_VERSION", "DB_NAME",
           "place_from_row"]

#: The on-disk layout the query side expects (PRAGMA user_version).
SCHEMA_VERSION = 1
DB_NAME = "gazetteer.sqlite"

#: Separates alternate names inside the ``alt_names`` column (a character no name holds).
ALT_SEP = "\x1f"

#: ``names.how``: what kind of name produced the key.
HOW_PRIMARY, HOW_ALT, HOW_ADMIN_FORM = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Column:
    """One column of ``places``: its name, its SQL type and whether ``Place`` has it."""

    name: str
    sql: str
    #: a field of :class:`Place` of the same name (``rid`` and ``prior`` are the table's own)
    in_place: bool = True


PLACE_COLUMNS: tuple[Column, ...] = (
    Column("rid", "INTEGER PRIMARY KEY", in_place=False),
    Column("id", "TEXT NOT NULL"),
    Column("name", "TEXT NOT NULL"),
    Column("kind", "TEXT NOT NULL"),
    Column("country", "TEXT NOT NULL"),
    Column("admin1", "TEXT"),
    Column("admin1_name", "TEXT"),
    Column("lat", "REAL NOT NULL"),
    Column("lon", "REAL NOT NULL"),
    Column("population", "INTEGER"),
    Column("precision", "TEXT NOT NULL"),
    Column("source", "TEXT NOT NULL"),
    #: alternate names joined by :data:`ALT_SEP` (a tuple in ``Place``)
    Column("alt_names", "TEXT NOT NULL"),
    Column("admin2", "TEXT"),
    Column("note", "TEXT"),
    Column("katottg", "TEXT"),
    Column("hromada", "TEXT"),
    #: the entry's weight before any context (see ``gazetteer.sources.base.prior``)
    Column("prior", "REAL NOT NULL DEFAULT 0", in_place=False),
)

#: What the builder writes, in order (``rid`` is SQLite's).
INSERT_COLUMNS: tuple[str, ...] = tuple(c.name for c in PLACE_COLUMNS if c.name != "rid")
#: What the queries select, in order: every column.
SELECT_COLUMNS: str = ", ".join(c.name for c in PLACE_COLUMNS)

#: The columns that are ``Place`` fields, in the table's order (which is ``Place``'s).
PLACE_FIELDS: tuple[str, ...] = tuple(c.name for c in PLACE_COLUMNS if c.in_place)
_PLACE_POSITIONS = tuple(i for i, c in enumerate(PLACE_COLUMNS) if c.in_place)
_ALT_POSITION = PLACE_FIELDS.index("alt_names")

CREATE_TABLES = (
    "CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);\n"
    "CREATE TABLE places (\n    "
    + ",\n    ".join(f"{c.name} {c.sql}" for c in PLACE_COLUMNS)
    + "\n);\n"
)
CREATE_ID_INDEX = "CREATE UNIQUE INDEX places_id ON places (id)"
#: The name index, written after every source is in: key -> entries, and per-key counts.
CREATE_NAME_TABLES = """
CREATE TABLE names (key TEXT NOT NULL, rid INTEGER NOT NULL, how INTEGER NOT NULL,
                    PRIMARY KEY (key, rid)) WITHOUT ROWID;
CREATE TABLE keys (key TEXT PRIMARY KEY, n INTEGER NOT NULL, maxpop INTEGER NOT NULL)
    WITHOUT ROWID;
"""
CREATE_QUERY_INDEXES = (
    "CREATE INDEX places_country_kind ON places (country, kind)",
    "CREATE INDEX places_admin1 ON places (admin1, kind, population)",
)

INSERT_PLACE = (f"INSERT OR REPLACE INTO places ({', '.join(INSERT_COLUMNS)}) "
                f"VALUES ({','.join('?' * len(INSERT_COLUMNS))})")


def place_from_row(row: tuple) -> Place:
    """The :class:`Place` of a row selected with :data:`SELECT_COLUMNS`."""
    values = [row[i] for i in _PLACE_POSITIONS]
    alts = values[_ALT_POSITION]
    values[_ALT_POSITION] = tuple(alts.split(ALT_SEP)) if alts else ()
    # Positional: PLACE_FIELDS follows Place's field order (a test checks it).
    return Place(*values)
