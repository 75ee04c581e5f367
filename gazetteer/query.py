"""Read-only queries over the built gazetteer (SQLite, indexed by name key).

Opening costs one SQLite connection and a schema check; nothing is loaded into Python
memory up front.  Candidates for a key are cached in an LRU in front of SQLite.  A
:class:`Gazetteer` pickles as its path and reopens on the other side, so it can be
handed to worker processes.
"""

from __future__ import annotations

import contextlib
import math
import os
import sqlite3
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from .errors import GazetteerNotBuilt
from .model import KINDS, Place
from .names import admin_form, cyrillic_key, is_cyrillic, name_key
from .schema import DB_NAME, SCHEMA_VERSION, SELECT_COLUMNS, place_from_row

__all__ = ["Gazetteer", "PlaceNotFound", "default_cache_dir", "ensure_built", "distance_km",
           "DB_NAME", "SCHEMA_VERSION"]

_CACHE_SIZE = 1 << 16
_P_COLUMNS = ", ".join(f"p.{c.strip()}" for c in SELECT_COLUMNS.split(","))

# Ranking weights, in units of log10(population): a name that is the entry's own name
# beats an alternate name; an admin phrase ("Kursk region") strongly prefers admin1.
_HOW_BONUS = {0: 1.0, 1: 0.0, 2: 0.5}
_ADMIN_PHRASE_BONUS = 10.0


class PlaceNotFound(KeyError):
    """No entry with that id (or country or ISO 3166-2 code)."""

    def __str__(self) -> str:  # KeyError's str() quotes its argument
        return str(self.args[0]) if self.args else "place not found"


def default_cache_dir() -> Path:
    """``$BORDERLINE_CACHE``, else the platform's user cache dir for ``borderline``."""
    env = os.environ.get("BORDERLINE_CACHE")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("borderline"))


def _db_path(path: str | os.PathLike[str] | None) -> Path:
    p = Path(path).expanduser() if path is not None else default_cache_dir()
    return p / DB_NAME if p.is_dir() or p.suffix != ".sqlite" else p


def ensure_built(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Build the gazetteer into ``cache_dir`` unless it is there and current; return the db path."""
    from . import build  # the builder is only ever imported here and by the build CLI

    directory = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    if directory.suffix == ".sqlite":
        directory = directory.parent
    db, _built = build.build_if_needed(directory)
    return db


class Gazetteer:
    """A read-only handle on a built gazetteer.  Use :meth:`open`."""

    def __init__(self, db: Path, con: sqlite3.Connection) -> None:
        self.path = db
        self._con = con
        self._lock = threading.Lock()
        # Per-instance caches (a module-level lru_cache would pin every instance).
        self._candidates = lru_cache(maxsize=_CACHE_SIZE)(self._candidates_uncached)
        self._lookup = lru_cache(maxsize=_CACHE_SIZE)(self._lookup_uncached)

    # --- opening and closing ---------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> "Gazetteer":
        """Open the gazetteer in ``path`` (a cache dir or the db file; default cache if None)."""
        db = _db_path(path)
        if not db.is_file():
            raise GazetteerNotBuilt(
                f"no gazetteer at {db}; run `borderline gazetteer build`")
        try:
            # immutable: the file is never written in place (rebuilds os.replace it), so
            # SQLite may skip locking; safe across processes.
            con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                                  check_same_thread=False)
            version = con.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.Error as err:
            raise GazetteerNotBuilt(f"{db}: not a readable gazetteer ({err})") from err
        if version != SCHEMA_VERSION:
            con.close()
            raise GazetteerNotBuilt(
                f"{db}: built by another version (schema {version}, need {SCHEMA_VERSION}); "
                "run `borderline gazetteer build`")
        return cls(db, con)

    def close(self) -> None:
        self._candidates.cache_clear()
        self._lookup.cache_clear()
        self._con.close()

    def __enter__(self) -> "Gazetteer":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __reduce__(self):  # reopened by path in the receiving process
        return (Gazetteer.open, (str(self.path),))

    def __repr__(self) -> str:
        return f"Gazetteer({str(self.path)!r})"

    # --- queries ------------------------------------------------------------------------

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._con.execute(sql, params).fetchall()

    def candidates(self, key: str) -> list[Place]:
        """Every entry indexed under ``key``, unranked.

        ``key`` is a :func:`~gazetteer.names.name_key` (Latin skeleton; every name has one) or
        a :func:`~gazetteer.names.cyrillic_key` (every name written in Cyrillic has one too):
        ``candidates(cyrillic_key("Стальной Конь"))`` reaches the entries without a Latin
        round trip.
        """
        return [p for p, _how, _prior in self._candidates(key)]

    def _candidates_uncached(self, key: str) -> tuple[tuple[Place, int, float], ...]:
        rows = self._rows(
            f"SELECT n.how, {_P_COLUMNS} "
            "FROM names n JOIN places p ON p.rid = n.rid WHERE n.key = ?", (key,))
        return tuple((place_from_row(r[1:]), r[0], r[-1]) for r in rows)

    def lookup(self, name: str, *, country: str | None = None, kind: str | None = None,
               limit: int = 25) -> list[Place]:
        """Candidates for ``name`` in any common spelling or script, most likely first.

        A name written in Cyrillic is looked up by its :func:`~gazetteer.names.cyrillic_key`
        (by its Latin key only when no entry that passes the filters holds that Cyrillic
        spelling: the Russian form of a Ukrainian village, say, that only GeoNames' Latin
        names carry).
        Ranking: an admin phrase ("Kursk region") puts first-level units first; then the
        entry's own name over an alternate one; then population (log10), kind and the
        quality of the point as priors.
        """
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
        return list(self._lookup(name, country.upper() if country else None, kind, limit))

    def _lookup_uncached(self, name: str, country: str | None, kind: str | None,
                         limit: int) -> tuple[Place, ...]:
        scored: dict[str, tuple[float, Place]] = {}
        form = admin_form(name)
        # "Kursk region" is the region: first-level units come first for admin phrases.
        admin_bonus = _ADMIN_PHRASE_BONUS if form else 0.0

        def add(key: str, *, admin_only: bool = False) -> None:
            for place, how, prior in self._candidates(key):
                if ((country and place.country != country) or (kind and place.kind != kind)
                        or (admin_only and place.kind != "admin1")):
                    continue
                score = prior + _HOW_BONUS.get(how, 0.0)
                if place.kind == "admin1":
                    score += admin_bonus
                if place.id not in scored or scored[place.id][0] < score:
                    scored[place.id] = (score, place)

        if is_cyrillic(name):
            # Cyrillic meets Cyrillic names directly ("Курахове", "Плехово"): no romanisation
            # guessed.  Only a name no entry spells that way falls back to its Latin key.
            add(cyrillic_key(name))
            if not scored:
                add(name_key(name))
        elif key := name_key(name):
            add(key)
        if form:
            for stem in form.stems:
                add(name_key(stem), admin_only=True)
            if not any(p.kind == "admin1" for _s, p in scored.values()):
                # "Zaporozhye region": no unit is called that, but the region's largest
                # city is; the phrase names the unit that city leads.
                for stem in form.stems:
                    for unit in self._units_led_by(name_key(stem)):
                        if (not country or unit.country == country) and kind in (None, "admin1"):
                            scored.setdefault(unit.id, (admin_bonus, unit))
        ranked = sorted(scored.values(), key=lambda sp: (-sp[0], sp[1].id))
        return tuple(p for _s, p in ranked[:max(limit, 0)])

    def _units_led_by(self, key: str) -> list[Place]:
        """First-level units whose most populous settlement is indexed under ``key``."""
        units = []
        for place, _how, _prior in self._candidates(key):
            if place.kind != "settlement" or not place.admin1 or not place.population:
                continue
            top = self._rows("SELECT max(population) FROM places WHERE admin1 = ? AND "
                             "kind = 'settlement'", (place.admin1,))[0][0]
            if top == place.population:
                with contextlib.suppress(PlaceNotFound):
                    units.append(self.admin1(place.admin1))
        return units

    def get(self, place_id: str) -> Place:
        """The entry with this id; :class:`PlaceNotFound` (a KeyError) if none."""
        rows = self._rows(f"SELECT {SELECT_COLUMNS} FROM places WHERE id = ?", (place_id,))
        if not rows:
            raise PlaceNotFound(f"no gazetteer entry {place_id!r}")
        return place_from_row(rows[0])

    def country(self, cc: str) -> Place:
        """The country with ISO 3166-1 alpha-2 code ``cc``."""
        return self.get(f"country:{cc.upper()}")

    def admin1(self, code: str) -> Place:
        """The first-level unit with ISO 3166-2 code ``code`` (``RU-ORL``)."""
        return self.get(f"adm1:{code.upper()}")

    def places_in_bbox(self, west: float, south: float, east: float, north: float, *,
                       kind: str = "settlement", min_population: int = 0) -> list[Place]:
        """Entries of ``kind`` whose point lies in the box (degrees; ``west <= lon <= east``,
        ``south <= lat <= north``) with at least ``min_population`` people, most populous
        first (then by id). With ``min_population`` 0, entries without a population count too.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
        population = "" if min_population <= 0 else " AND population >= ?"
        params: tuple = (kind, south, north, west, east) + ((int(min_population),) if population else ())
        rows = self._rows(f"SELECT {SELECT_COLUMNS} FROM places WHERE kind = ? AND lat BETWEEN ? AND ? "
                          f"AND lon BETWEEN ? AND ?{population} "
                          "ORDER BY coalesce(population, 0) DESC, id", params)
        return [place_from_row(r) for r in rows]

    def key_stats(self) -> Iterator[tuple[str, int, int]]:
        """``(key, entries, max population)`` for every distinct key, in one pass."""
        with self._lock:
            cur = self._con.execute("SELECT key, n, maxpop FROM keys")
            rows = cur.fetchall()
        return iter(rows)

    def meta(self) -> dict[str, str]:
        """Build metadata: fingerprint, build time, imported dumps."""
        return dict(self._rows("SELECT k, v FROM meta"))

    def __len__(self) -> int:
        return self._rows("SELECT count(*) FROM places")[0][0]


def distance_km(a: Place, b: Place) -> float:
    """Great-circle distance between two entries (for ranking and tests, not for borders)."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))
