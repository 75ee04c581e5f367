"""The article pipeline: parse -> extract events -> measure border distance and side.

:func:`process_article` is a pure, top-level function of its inputs (the geoparser, the
border and the gazetteer are passed in), so the CLI, the app and parallel workers (issue 6:
local processes or Dask; each worker builds a :class:`Pipeline` once) all call the same
thing. :func:`process_many` does a batch with one vectorised distance computation, and uses
the batch as context for village names its own report leaves undecided (:func:`batch_context`).

Input handling lives here too (:func:`read_inputs`): files, directories and JSON Lines
become articles or :class:`InputFailure` records with a one-line message naming the file,
so one bad file never stops a batch.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from geo.articles import DEFAULT_MAX_BYTES, FORMATS, Article, read_articles
from geo.errors import GazetteerError, InputError
from geo.events import Event, extract_events
from geo.protocols import GazetteerLike

if TYPE_CHECKING:
    from geo.telegram import SkippedMessages
    from geo.toponyms import Mention

__all__ = [
    "ArticleResult",
    "InputFailure",
    "Pipeline",
    "process_article",
    "process_many",
    "article_name",
    "process_each",
    "batch_context",
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


def _parse(article: Article, *, geoparser: _Geoparser) -> tuple[Article, list[Mention]]:
    """The article as events are read from it, and its mentions. An article known only to
    the month (a file named ``2024-12-...``) is read as undated, so "Saturday" or "yesterday"
    is not resolved against a made-up day."""
    if article.date is not None and article.date_precision != "day":
        article = dataclasses.replace(article, date=None)
    return article, geoparser.parse(article)


def _events_of(article: Article, read: Article, mentions: Sequence[Mention], *,
               gazetteer: GazetteerLike | None) -> list[Event]:
    """Events of ``read`` (``article`` as :func:`_parse` read it); a month-dated article's
    events left undated get that month."""
    events = extract_events(read, list(mentions), gazetteer=gazetteer)
    if read.date is not None or article.date is None:
        return events
    month = article.date.isoformat()[:7]
    return [e if e.date is not None else dataclasses.replace(e, date=month, date_precision="month")
            for e in events]


def _extract(article: Article, *, geoparser: _Geoparser, gazetteer: GazetteerLike | None) -> list[Event]:
    """The article's events."""
    read, mentions = _parse(article, geoparser=geoparser)
    return _events_of(article, read, mentions, gazetteer=gazetteer)


# --- batch context for undecided homonyms ------------------------------------------------

#: Kinds of place whose unambiguous mentions say where the war is: villages, towns and cities
#: (leaving out cities of 20k or 100k and more was measured: no better) and hromadas; an
#: oblast or a raion is too big to say anything within 25 km.
_ANCHOR_KINDS = frozenset({"settlement", "hromada"})
#: Radius within which another report's place supports a reading (the accuracy a pin needs).
CONTEXT_KM = 25.0
#: Anchors by which the best reading must lead every other one before it replaces the pick.
CONTEXT_LEAD = 2
#: Anchors count only within this many days of the article's date (None: any date). On the
#: ACLED dev notes (1,010 notes over 3.5 years, under one a day) any window of 3 to 30 days
#: was worse than none: the front moves slower than such a sparse batch fills a window.
CONTEXT_DAYS: int | None = None
_KM_PER_DEG_LAT = 111.0         # a little under the true 111.2: the band must not cut a point off
_EARTH_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class _Anchors:
    """Unambiguous local places of a batch, sorted by latitude for a band scan."""

    lat: Any            # numpy arrays, one entry per (article, place)
    lon: Any
    day: Any            # date ordinal, or -1 when the article has no day date
    article: Any        # index of the article in the batch

    @classmethod
    def of(cls, parsed: Sequence[tuple[Article, list[Mention]]]) -> _Anchors:
        import numpy as np

        rows: dict[tuple[int, str], tuple[float, float, int]] = {}
        for n, (article, mentions) in enumerate(parsed):
            day = _day(article)
            for m in mentions:
                p = m.place
                if (p is not None and not m.rivals and m.literal and m.role != "qualifier"
                        and p.kind in _ANCHOR_KINDS and p.lat is not None and p.lon is not None):
                    # a village named three times in one report is one report of it
                    rows.setdefault((n, p.id), (float(p.lat), float(p.lon), day))
        arts = np.fromiter((k[0] for k in rows), dtype="int64", count=len(rows))
        vals = np.array(list(rows.values()), dtype="float64").reshape(-1, 3)
        order = np.argsort(vals[:, 0], kind="stable")
        return cls(lat=vals[order, 0], lon=vals[order, 1], day=vals[order, 2].astype("int64"),
                   article=arts[order])

    def counts(self, lat: Any, lon: Any, article: Any, day: Any, *, km: float, days: int | None) -> Any:
        """For each point (arrays ``lat``, ``lon``, with the ``article`` it is for and that
        article's ``day``), the anchors within ``km`` of it from other articles, within
        ``days`` of its day when both are dated: one vectorised pass over the latitude band
        of every point."""
        import numpy as np

        band = km / _KM_PER_DEG_LAT
        lo = np.searchsorted(self.lat, lat - band, side="left")
        sizes = np.searchsorted(self.lat, lat + band, side="right") - lo
        owner = np.repeat(np.arange(len(lat)), sizes)
        # anchor indices lo[k] .. lo[k] + sizes[k] - 1 for each point k, concatenated
        idx = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes - lo, sizes)
        p1, p2 = np.radians(lat[owner]), np.radians(self.lat[idx])
        h = (np.sin((p2 - p1) / 2) ** 2
             + np.cos(p1) * np.cos(p2) * np.sin(np.radians(self.lon[idx] - lon[owner]) / 2) ** 2)
        near = (2 * _EARTH_KM * np.arcsin(np.sqrt(np.minimum(1.0, h))) <= km) & (self.article[idx] != article[owner])
        if days is not None:
            dated = day[owner] >= 0
            near &= ~dated | ((self.day[idx] >= 0) & (np.abs(self.day[idx] - day[owner]) <= days))
        return np.bincount(owner[near], minlength=len(lat))


def _day(article: Article) -> int:
    return article.date.toordinal() if article.date is not None and article.date_precision == "day" else -1


def batch_context(parsed: Sequence[tuple[Article, list[Mention]]], *, km: float = CONTEXT_KM,
                  lead: int = CONTEXT_LEAD, days: int | None = CONTEXT_DAYS) -> list[list[Mention]]:
    """Each article's mentions, with undecided homonyms placed by the batch where it can.

    An analyst reading a batch of reports places an "Ivanivka, Kharkiv region" that nothing in
    its own report pins down where the other reports' unambiguous villages are: that is where
    the war is. A mention with rivals takes the reading (its place or a rival) with the most
    anchors (other articles' villages and hromadas without rivals) within ``km``, when that
    reading leads every other one by ``lead`` anchors or more. The readings it beat stay its
    rivals (the batch makes a reading likelier, not certain). Anything else is left as it was,
    so an article alone is unchanged."""
    import numpy as np

    from geo.resolution import _RIVAL_KM, haversine_km

    out = [list(ms) for _, ms in parsed]
    undecided = [(n, j) for n, ms in enumerate(out) for j, m in enumerate(ms) if m.rivals and m.place is not None]
    if not undecided:
        return out
    anchors = _Anchors.of(parsed)
    if not len(anchors.lat):
        return out
    readings = [[out[n][j].place, *out[n][j].rivals] for n, j in undecided]
    flat = [(p, n, _day(parsed[n][0])) for (n, _), rs in zip(undecided, readings, strict=True) for p in rs]
    lat, lon, art, day = (np.array(col) for col in zip(*((float(p.lat), float(p.lon), n, d) for p, n, d in flat),
                                                      strict=True))
    counts = anchors.counts(lat, lon, art, day, km=km, days=days).tolist()
    at = 0
    for (n, j), rs in zip(undecided, readings, strict=True):
        c, at = counts[at:at + len(rs)], at + len(rs)
        best = max(range(len(rs)), key=lambda i: (c[i], i == 0))
        if best == 0 or c[best] - max(x for i, x in enumerate(c) if i != best) < lead:
            continue
        # the batch makes a namesake the likelier reading, not a certain one: on the ACLED dev
        # notes 65 of the 122 readings it moves to are within 25 km of the true point (62 of
        # the 204 undecided picks were before; 92% of decided names are): the others stay
        # rivals, so an event there keeps its low confidence
        pick = rs[best]
        rest = sorted((i for i in range(len(rs)) if i != best), key=lambda i: -c[i])
        out[n][j] = dataclasses.replace(out[n][j], place=pick, rivals=tuple(
            rs[i] for i in rest if haversine_km(pick.lat, pick.lon, rs[i].lat, rs[i].lon) > _RIVAL_KM))
    return out


def process_article(article: Article, *, geoparser: _Geoparser, border: Any,
                    gazetteer: GazetteerLike | None) -> list[Event]:
    """Parse ``article``, extract its events and measure them."""
    events = _extract(article, geoparser=geoparser, gazetteer=gazetteer)
    return measure_events(events, border=border)


def process_many(articles: Iterable[Article], *, geoparser: _Geoparser, border: Any,
                 gazetteer: GazetteerLike | None) -> list[ArticleResult]:
    """:func:`process_article` for a batch, with the batch as context for undecided homonyms
    (:func:`batch_context`), measuring all events in one vectorised call."""
    articles = list(articles)
    parsed = [_parse(a, geoparser=geoparser) for a in articles]
    # the articles as read: _parse blanks only a date that is not a day, which batch_context
    # reads as no day either way
    decided = batch_context(parsed)
    found = [(a, _events_of(a, read, ms, gazetteer=gazetteer))
             for a, (read, _), ms in zip(articles, parsed, decided, strict=True)]
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


def process_each(pipe: Any, articles: Sequence[Article]) -> list[tuple[Event, ...] | str]:
    """Events of each article by ``pipe`` (a :class:`Pipeline`, or anything with its
    ``process_many`` and ``process``), as one batch; if the batch fails, each article alone,
    and one that fails gets a one-line message naming it instead, the others go on."""
    try:
        return [r.events for r in pipe.process_many(articles)]
    except Exception:  # noqa: BLE001 - find the article that failed; keep the others
        pass
    out: list[tuple[Event, ...] | str] = []
    for a in articles:
        try:
            out.append(tuple(pipe.process(a)))
        except Exception as err:  # noqa: BLE001
            out.append(f"{article_name(a)}: processing failed ({type(err).__name__}: "
                       f"{_one_line(str(err))[:200]})")
    return out


def article_name(article: Article) -> str:
    """How a failure names an article: its source, and its record id when that differs
    (many records share one source, such as a news agency)."""
    if article.record_id is not None and article.record_id != article.source:
        return f"{article.source} (id {article.record_id})"
    return article.source


# --- inputs ------------------------------------------------------------------------------

def iter_input_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | InputFailure]:
    """Files as given; directories expanded (recursively, sorted) to their article files
    (``.txt .md .html .jsonl .json`` ...; hidden files skipped); missing paths as failures."""
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
                max_bytes: int = DEFAULT_MAX_BYTES,
                default_lang: str | None = None,
                on_skip: Callable[[SkippedMessages], None] | None = None) -> Iterator[Article | InputFailure]:
    """Every article in ``paths`` in order, with a :class:`InputFailure` in place of each
    file (or JSON Lines line, or Telegram message) that cannot be read. ``default_date`` and
    ``default_lang`` are for articles that carry no date or language of their own; ``on_skip``
    gets each Telegram export's count of messages that are no article, as its file is read."""
    for item in iter_input_paths(paths):
        if isinstance(item, InputFailure):
            yield item
            continue
        failures: list[InputFailure] = []

        def on_error(err: InputError, _path: Path = item) -> None:
            failures.append(InputFailure(str(_path), _one_line(str(err))))

        try:
            for article in read_articles(item, default_date=default_date, max_bytes=max_bytes,
                                         default_lang=default_lang,
                                         on_error=on_error, on_skip=on_skip):
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
