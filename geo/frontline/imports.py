"""``borderline frontline import``: files and folders of snapshots into ``frontline.gpkg``.

Each file is read (:mod:`geo.frontline.formats`), cared for (:mod:`geo.frontline.geometry`)
and stored (:mod:`geo.frontline.store`) in batches, each one transaction. A file that cannot
be read is reported by name, in one line, and the rest go on; a file already stored (same
source, day and digest) is recognised before any geometry work, so importing a folder again
is quick and adds nothing. ISW's layer of areas held before 24 February 2022 joins the
control layer of the same day read in the same import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from shapely.errors import ShapelyError

from geo.errors import BorderlineError, InputError
from geo.frontline.formats import SUFFIXES, Reading, Skipped, read_snapshot_file
from geo.frontline.store import FrontlineStore, NewSnapshot

__all__ = ["ImportSummary", "import_paths", "default_source", "iter_snapshot_paths"]

#: Snapshots stored per transaction: a crash loses at most this many files' work.
BATCH = 25


@dataclass
class ImportSummary:
    files: int = 0
    added: int = 0
    already: int = 0                 # stored before (same source, day and digest)
    skipped: list[str] = field(default_factory=list)     # "NAME: reason" (not failures)
    failed: list[str] = field(default_factory=list)      # "NAME: problem"
    sources: dict[str, int] = field(default_factory=dict)  # source -> snapshots added

    @property
    def ok(self) -> bool:
        return not self.failed

    def line(self) -> str:
        parts = [f"{self.files} file{'' if self.files == 1 else 's'} read", f"{self.added} snapshots added",
                 f"{self.already} already stored"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        parts.append(f"{len(self.failed)} failed")
        text = ", ".join(parts)
        if self.sources:
            text += " (" + ", ".join(f"{k}: {v}" for k, v in self.sources.items()) + ")"
        return text


def default_source(fmt: str, name: str) -> str:
    """Who drew a snapshot when ``--source`` does not say: DeepStateMap for its history and
    for daily files named after it, ISW for ISW's layers, else "daily"."""
    if fmt == "deepstate" or (fmt == "daily" and "deepstate" in name.lower()):
        return "DeepStateMap"
    if fmt == "isw":
        return "ISW"
    return "daily"


def iter_snapshot_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | str]:
    """Files as given; folders expanded (recursively, sorted, hidden files skipped) to their
    ``.geojson``/``.json`` files; a missing path as its "NAME: problem" line."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if (child.is_file() and child.suffix.lower() in SUFFIXES
                        and not any(part.startswith(".") for part in rel.parts)):
                    yield child
        elif path.is_file():
            yield path
        else:
            yield f"{raw}: no such file or directory"


def _merged(readings: list[Reading]) -> tuple[list[Reading], list[str]]:
    """ISW readings of one day merged (control + before-2022); lone before-2022 layers as
    skip notes. Other readings pass through."""
    out: list[Reading] = []
    notes: list[str] = []
    isw: dict[dt.date, list[Reading]] = {}
    for r in readings:
        if r.format == "isw":
            isw.setdefault(r.date, []).append(r)
        else:
            out.append(r)
    for day, group in isw.items():
        control = [r for r in group if r.layer == "control"]
        before = [r for r in group if r.layer == "before-2022"]
        if not control:
            notes += [f"{r.name}: ISW's areas held before 2022 alone are not a front line; import it with "
                      f"the control layer of {day.isoformat()}" for r in before]
            continue
        for r in control[1:]:
            out.append(r)
        if not before:
            out.append(control[0])
            continue
        parts = [control[0], *before]
        digest = hashlib.sha256("".join(sorted(r.digest for r in parts)).encode()).hexdigest()
        out.append(Reading(name=" + ".join(r.name for r in parts), format="isw", layer="control", date=day,
                           stamp=control[0].stamp, digest=digest,
                           occupied=tuple(p for r in parts for p in r.occupied), contested=(),
                           ignored=sum(r.ignored for r in parts)))
    return out, notes


def _snapshot(reading: Reading, source: str, reference) -> NewSnapshot:
    from geo.frontline.geometry import territory

    return NewSnapshot(date=reading.date, stamp=reading.stamp, source=source, format=reading.format,
                       file=reading.name[:300], digest=reading.digest,
                       territory=territory(reading.occupied, reading.contested, reference=reference),
                       ignored=reading.ignored)


def import_paths(paths: Iterable[str | os.PathLike[str]], store: FrontlineStore, *,
                 date: dt.date | None = None, source: str | None = None,
                 on_failure: Callable[[str], None] = lambda _m: None,
                 on_note: Callable[[str], None] = lambda _m: None, reference=None) -> ImportSummary:
    """Import every snapshot file in ``paths`` into ``store``; see the module docstring.

    ``date`` overrides the day in file names; ``source`` names who drew them (default
    :func:`default_source`). ``reference`` is the geometry reference (default the shipped
    border data). Failures and notes go to the callbacks as one line each. Files are cared
    for and stored as they are read (ISW's, which may need a layer of the same day, at the
    end), so memory holds one batch, not the whole folder."""
    summary = ImportSummary()
    run = _Run(store, summary, source, on_failure, reference)
    isw: list[Reading] = []
    for item in iter_snapshot_paths(paths):
        if isinstance(item, str):
            run.fail(item)
            continue
        summary.files += 1
        try:
            read = read_snapshot_file(item, date=date)
        except InputError as err:
            run.fail(str(err))
            continue
        if isinstance(read, Skipped):
            summary.skipped.append(f"{read.name}: {read.reason}")
            on_note(f"{read.name}: skipped, {read.reason}")
        elif read.format == "isw":
            isw.append(read)
        else:
            run.take(read)
    merged, notes = _merged(isw)
    for note in notes:
        summary.skipped.append(note)
        on_note(note)
    for read in merged:
        run.take(read)
    run.flush()
    return summary


@dataclass
class _Run:
    """One import's state: what is stored (checked before any geometry work) and the batch."""

    store: FrontlineStore
    summary: ImportSummary
    source: str | None
    on_failure: Callable[[str], None]
    reference: object
    seen: set = field(default_factory=set)
    batch: list[NewSnapshot] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.summary.failed.append(message)
        self.on_failure(message)

    def take(self, reading: Reading) -> None:
        src = self.source or default_source(reading.format, reading.name)
        key = (src, reading.date, reading.digest)
        if key in self.seen or self.store.stored([key]):      # stored before, or given twice
            self.summary.already += 1
            return
        self.seen.add(key)
        try:
            self.batch.append(_snapshot(reading, src, self.reference))
        except (BorderlineError, ValueError, RuntimeError, ShapelyError) as err:
            self.fail(f"{reading.name}: its geometry cannot be used ({' '.join(str(err).split())[:160]})")
            return
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        _flush(self.store, self.batch, self.summary)


def _flush(store: FrontlineStore, batch: list[NewSnapshot], summary: ImportSummary) -> None:
    if not batch:
        return
    added, already = store.add(batch)      # already: another process stored them meanwhile
    summary.added += added
    summary.already += already
    for s in batch:
        summary.sources[s.source] = summary.sources.get(s.source, 0) + 1
    batch.clear()
