"""The article pipeline: parse -> extract events -> measure border distance and side.

:func:`process_article` is a pure, top-level function of its inputs (the geoparser, the
border and the gazetteer are passed in), so the CLI, the app and parallel workers (issue 6:
local processes or Dask; each worker builds a :class:`Pipeline` once) all call the same
thing. :func:`process_many` does a batch with one vectorised distance computation.

Input handling lives here too (:func:`read_inputs`): files, directories and JSON Lines
become articles or :class:`InputFailure` records with a one-line message naming the file,
so one bad file never stops a batch.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from geo.articles import DEFAULT_MAX_BYTES, FORMATS, Article, read_articles
from geo.errors import GazetteerError, InputError
from geo.events import Event, extract_events
from geo.protocols import GazetteerLike

if TYPE_CHECKING:
    from geo.toponyms import Mention

__all__ = [
    "ArticleResult",
    "InputFailure",
    "Pipeline",
    "process_article",
    "process_many",
    "measure_events",
    "iter_input_paths",
    "read_inputs",
]


class _Geoparser(Protocol):
    def parse(self, article: Article) -> list[Mention]: ...


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """One article and the events found in it (measured)."""

    article: Article
    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True)
class InputFailure:
    """An input that could not be read; ``message`` is one line naming the file."""

    source: str
    message: str


# --- measuring -------------------------------------------------------------------------

def measure_events(events: Sequence[Event], *, border: Any) -> list[Event]:
    """Events with ``border_km`` (geodesic, to the Russia-Ukraine land border) and ``side``
    filled in, one vectorised call for all of them. Country-level events keep no distance
    (a country's point says nothing about the border); their side is their country."""
    import numpy as np

    from geo import borders

    events = list(events)
    idx = [i for i, e in enumerate(events)
           if e.precision != "country" and e.lat is not None and e.lon is not None]
    out = [dataclasses.replace(e, side=e.country) if e.precision == "country" else e for e in events]
    if not idx:
        return out
    # events share places (a region's centre, a village reported again): measure each
    # distinct point once
    keys: dict[tuple[float, float, str], int] = {}
    which = [keys.setdefault((events[i].lat, events[i].lon, events[i].country or ""), len(keys)) for i in idx]
    points = list(keys)
    lats = np.array([p[0] for p in points], dtype="float64")
    lons = np.array([p[1] for p in points], dtype="float64")
    countries = np.array([p[2] for p in points], dtype=object)
    km = np.asarray(borders.distance_km(border, lats, lons), dtype="float64")
    sides = borders.side(border, lats, lons, country=countries)
    for j, i in zip(which, idx, strict=True):
        d = float(km[j])
        side = sides[j]
        out[i] = dataclasses.replace(
            events[i], border_km=round(d, 2) if np.isfinite(d) else None,
            side=str(side) if side is not None and side == side else events[i].country)
    return out


def _extract(article: Article, *, geoparser: _Geoparser, gazetteer: GazetteerLike | None) -> list[Event]:
    """The article's events. An article known only to the month (a file named
    ``2024-12-...``) is read as undated, so "Saturday" or "yesterday" is not resolved
    against a made-up day, and the events it leaves undated get that month."""
    if article.date is None or article.date_precision == "day":
        return extract_events(article, geoparser.parse(article), gazetteer=gazetteer)
    undated = dataclasses.replace(article, date=None)
    month = article.date.isoformat()[:7]
    return [e if e.date is not None else dataclasses.replace(e, date=month, date_precision="month")
            for e in extract_events(undated, geoparser.parse(undated), gazetteer=gazetteer)]


def process_article(article: Article, *, geoparser: _Geoparser, border: Any,
                    gazetteer: GazetteerLike | None) -> list[Event]:
    """Parse ``article``, extract its events and measure them."""
    events = _extract(article, geoparser=geoparser, gazetteer=gazetteer)
    return measure_events(events, border=border)


def process_many(articles: Iterable[Article], *, geoparser: _Geoparser, border: Any,
                 gazetteer: GazetteerLike | None) -> list[ArticleResult]:
    """:func:`process_article` for a batch, measuring all events in one vectorised call."""
    found = [(a, _extract(a, geoparser=geoparser, gazetteer=gazetteer)) for a in articles]
    measured = iter(measure_events([e for _, evs in found for e in evs], border=border))
    return [ArticleResult(a, tuple(next(measured) for _ in evs)) for a, evs in found]


@dataclass(frozen=True, slots=True)
class Pipeline:
    """The three things processing needs, built once (per process or worker)."""

    gazetteer: Any
    geoparser: Any
    border: Any

    @classmethod
    def open(cls, *, cache: str | os.PathLike[str] | None = None) -> Pipeline:
        """Open the built gazetteer (``cache`` dir, else the default), build the geoparser
        over it and load the border. Raises :class:`GazetteerError` with a one-line hint."""
        from gazetteer import Gazetteer
        from gazetteer.errors import GazetteerNotBuilt
        from geo.borders import load_border
        from geo.resolution import Geoparser

        try:
            gazetteer = Gazetteer.open(cache)
        except GazetteerNotBuilt as err:
            raise GazetteerError(f"the gazetteer is not built ({err})") from err
        return cls(gazetteer=gazetteer, geoparser=Geoparser.build(gazetteer), border=load_border())

    def process(self, article: Article) -> list[Event]:
        return process_article(article, geoparser=self.geoparser, border=self.border, gazetteer=self.gazetteer)

    def process_many(self, articles: Iterable[Article]) -> list[ArticleResult]:
        return process_many(articles, geoparser=self.geoparser, border=self.border, gazetteer=self.gazetteer)


# --- inputs ------------------------------------------------------------------------------

def iter_input_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | InputFailure]:
    """Files as given; directories expanded (recursively, sorted) to their article files
    (``.txt .md .html .jsonl`` ...; hidden files skipped); missing paths as failures."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if (child.is_file() and child.suffix.lower() in FORMATS
                        and not any(part.startswith(".") for part in rel.parts)):
                    yield child
        elif path.exists():
            yield path
        else:
            yield InputFailure(str(raw), f"{raw}: no such file or directory")


def read_inputs(paths: Iterable[str | os.PathLike[str]], *, default_date: dt.date | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | InputFailure]:
    """Every article in ``paths`` in order, with a :class:`InputFailure` in place of each
    file (or JSON Lines line) that cannot be read."""
    for item in iter_input_paths(paths):
        if isinstance(item, InputFailure):
            yield item
            continue
        failures: list[InputFailure] = []

        def on_error(err: InputError, _path: Path = item) -> None:
            failures.append(InputFailure(str(_path), _one_line(str(err))))

        try:
            for article in read_articles(item, default_date=default_date, max_bytes=max_bytes,
                                         on_error=on_error):
                yield from failures
                failures.clear()
                yield article
        except InputError as err:
            failures.append(InputFailure(str(item), _one_line(str(err))))
        except OSError as err:                     # e.g. a file that vanished mid-read
            failures.append(InputFailure(str(item), f"{item.name}: cannot read ({err.strerror or err})"))
        except Exception as err:  # noqa: BLE001 - a reader bug must cost one file, not the batch
            failures.append(InputFailure(str(item), f"{item.name}: cannot read "
                                                    f"({type(err).__name__}: {_one_line(str(err))[:120]})"))
        yield from failures


def _one_line(message: str) -> str:
    return " ".join(message.split())[:300]
