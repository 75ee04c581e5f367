"""Reading a GeoPackage event store the way a stranger would (plain sqlite3 and GDAL), to
check it after a kill: it opens, passes SQLite's integrity check, and every article in it is
whole. Used by the kill tests and by the concurrent reader (run as a script)."""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Snapshot", "snapshot", "whole_article_problems", "store_tables"]


@dataclass(frozen=True)
class Snapshot:
    articles: dict[str, int]          # article id -> n_events recorded with it
    reports: dict[str, int]           # article id -> rows in event_sources
    events: int
    orphan_sources: int               # sources whose article is not stored
    orphan_events: int                # events whose first article is not stored


def _ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=60,
                           isolation_level=None)


def snapshot(path: Path) -> Snapshot:
    """One consistent read (a single read transaction) of the store's bookkeeping."""
    con = _ro(path)
    try:
        con.execute("BEGIN")
        articles = dict(con.execute("SELECT id, n_events FROM articles"))
        reports = dict(con.execute("SELECT article_id, count(*) FROM event_sources GROUP BY article_id"))
        events = con.execute("SELECT count(*) FROM events").fetchone()[0]
        orphan_sources = con.execute("SELECT count(*) FROM event_sources s WHERE s.article_id NOT IN "
                                     "(SELECT id FROM articles)").fetchone()[0]
        orphan_events = con.execute("SELECT count(*) FROM events e WHERE e.article_id NOT IN "
                                    "(SELECT id FROM articles)").fetchone()[0]
        con.execute("COMMIT")
    finally:
        con.close()
    return Snapshot(articles, reports, events, orphan_sources, orphan_events)


def whole_article_problems(snap: Snapshot, clean: Snapshot) -> tuple[list[str], int]:
    """(problems, events lost): every stored article must carry what a clean run stored for it."""
    problems: list[str] = []
    lost = 0
    for aid, n_events in snap.articles.items():
        if aid not in clean.articles:
            problems.append(f"article {aid} is not one a clean run stores")
            continue
        want = clean.reports.get(aid, 0)
        got = snap.reports.get(aid, 0)
        if got != want or n_events != clean.articles[aid]:
            problems.append(f"article {aid}: {got} reports, n_events {n_events}; a clean run stores "
                            f"{want} reports, n_events {clean.articles[aid]}")
            lost += max(0, want - got)
    if snap.orphan_sources:
        problems.append(f"{snap.orphan_sources} event reports without their article")
    if snap.orphan_events:
        problems.append(f"{snap.orphan_events} events without their article")
    return problems, lost


def store_tables(path: Path) -> dict[str, list[tuple]]:
    """The store's content, minus row ids and wall-clock stamps, for comparing two stores."""
    con = _ro(path)
    try:
        def cols(table: str, drop: set[str]) -> list[str]:
            return [r[1] for r in con.execute(f'PRAGMA table_info("{table}")') if r[1] not in drop]

        out = {}
        for table, drop in (("events", {"fid"}), ("event_sources", {"fid", "added_at"}),
                            ("articles", {"fid", "ingested_at"})):
            names = cols(table, drop)
            sel = ", ".join(f'hex("{c}")' if c == "geom" else f'"{c}"' for c in names)
            out[table] = sorted(con.execute(f'SELECT {sel} FROM "{table}"').fetchall(), key=repr)
        return out
    finally:
        con.close()


def _reader_loop(store: str, clean_json: str, stop_file: str, out_json: str) -> None:
    """Read the store in a loop while another process writes it, until ``stop_file`` exists.

    Each round: a consistent snapshot (sqlite3), the app's reader (``EventStore.read_events``)
    and GDAL's (``pyogrio.read_dataframe``). Every error is recorded with its message.
    """
    import pyogrio

    from geo.store import EventStore

    clean_raw = json.loads(Path(clean_json).read_text())
    clean = Snapshot(clean_raw["articles"], clean_raw["reports"], clean_raw["events"], 0, 0)
    rounds, errors, inconsistent, counts = 0, [], [], []
    store_path = Path(store)
    while True:
        stopping = Path(stop_file).exists()
        if store_path.exists():
            try:
                snap = snapshot(store_path)
                problems, _lost = whole_article_problems(snap, clean)
                if problems:
                    inconsistent.append(problems[:3])
                frame = EventStore(store_path, create=False).read_events()
                gdal = pyogrio.read_dataframe(store_path, layer="events")
                counts.append((len(snap.articles), snap.events, len(frame), len(gdal)))
                rounds += 1
            except Exception as err:  # noqa: BLE001 - every failure is the finding
                errors.append(f"{type(err).__name__}: {err}")
        if stopping:
            break
        time.sleep(0.02)
    Path(out_json).write_text(json.dumps({"rounds": rounds, "errors": errors[:20], "n_errors": len(errors),
                                          "inconsistent": inconsistent[:5], "counts": counts}))


if __name__ == "__main__":
    _reader_loop(*sys.argv[1:5])
