"""The article pipeline: parse -> extract events -> measure border distance and side.

:func:`process_article` is a pure, top-level function of its inputs (the geoparser, the
border and the gazetteer are passed in), so the CLI, the app and parallel workers (issue 6:
local processes or Dask; each worker builds a :class:`Pipeline` once) all call the same
thing. :func:`process_many` does a batch with one vectorised distance computation, and uses
the batch as context for village names its own report leaves undecided: each article is read
alone (:func:`first_passes`), then a window of articles at a time (:class:`Windows`) has its
undecided namesakes decided by the confident events of the window, the windows before it and,
when given, a store's reports (:mod:`geo.namesakes`, :func:`context_of`); the few articles
whose namesakes moved are extracted again (:func:`settle`). ``borderline ingest`` runs the same
steps with the reading spread over workers and the deciding in its one writer, so it stores
what :func:`process_many` returns whatever its chunks and workers (geo/ingest.py).

Input handling lives here too (:func:`read_inputs`): files, directories and JSON Lines
become articles or :class:`InputFailure` records with a one-line message naming the file,
so one bad file never stops a batch.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import pickle
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from geo.articles import DEFAULT_MAX_BYTES, FORMATS, Article, read_articles
from geo.errors import GazetteerError, InputError, StoreError
from geo.events import Event, extract_events
from geo.protocols import GazetteerLike

if TYPE_CHECKING:
    from geo.telegram import SkippedMessages
    from geo.toponyms import Mention

__all__ = [
    "ArticleResult",
    "InputFailure",
    "FirstPass",
    "Namesake",
    "Decision",
    "Pipeline",
    "process_article",
    "process_many",
    "article_name",
    "process_each",
    "first_pass_each",
    "settle_each",
    "first_passes",
    "event_anchors",
    "Windows",
    "add_window",
    "decide",
    "apply_decisions",
    "settle",
    "settle_window",
    "context_of",
    "measure_events",
    "iter_input_paths",
    "read_inputs",
    "CONTEXT_WINDOW",
    "CONTEXT_WINDOW_BYTES",
    "STORE_ANCHOR_CONFIDENCE",
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

_Point = tuple[float, float, str]          # (lat, lon, country or "")
#: Each border's points already measured in this process, and their (km, side): reports name
#: the same places again and again (the 1,000 articles of bench/corpus.py: 1,382 points
#: measured in 68 calls, 152 distinct), and a point's distance and side never change. Kept
#: with the functions that measured them (a test may hand in others), and only for a border
#: that can be weakly referenced (a Border; a stand-in string is measured every time).
_MEASURED: weakref.WeakKeyDictionary[Any, tuple[Any, Any, dict[_Point, tuple[float, Any]]]] = (
    weakref.WeakKeyDictionary())
#: At most this many points kept per border (a few hundred bytes each), then started afresh.
_MEASURED_MAX = 100_000


def _memo_of(border: Any) -> dict[_Point, tuple[float, Any]]:
    from geo import borders

    try:
        held = _MEASURED.get(border)
    except TypeError:                       # not weakly referable: no memo
        return {}
    if held is None or held[0] is not borders.distance_km or held[1] is not borders.side:
        held = (borders.distance_km, borders.side, {})
        _MEASURED[border] = held
    return held[2]


def _measured(points: Sequence[_Point], border: Any) -> list[tuple[float, Any]]:
    """(km, side) of each distinct point, those not measured before in one vectorised call."""
    import numpy as np

    from geo import borders

    memo = _memo_of(border)
    found = {p: v for p in points if (v := memo.get(p)) is not None}   # get: safe if another thread clears
    new = [p for p in points if p not in found]
    if new:
        lats = np.array([p[0] for p in new], dtype="float64")
        lons = np.array([p[1] for p in new], dtype="float64")
        countries = np.array([p[2] for p in new], dtype=object)
        km = np.asarray(borders.distance_km(border, lats, lons), dtype="float64")
        sides = borders.side(border, lats, lons, country=countries)
        measured = dict(zip(new, zip(km.tolist(), sides.tolist(), strict=True), strict=True))
        if len(memo) + len(new) > _MEASURED_MAX:
            memo.clear()
        memo.update(measured)
        found.update(measured)
    return [found[p] for p in points]


def measure_events(events: Sequence[Event], *, border: Any) -> list[Event]:
    """Events with ``border_km`` (geodesic, to the Russia-Ukraine land border) and ``side``
    filled in, one vectorised call for all the points not measured before. Country-level
    events keep no distance (a country's point says nothing about the border); their side is
    their country."""
    events = list(events)
    idx = [i for i, e in enumerate(events)
           if e.precision != "country" and e.lat is not None and e.lon is not None]
    out = [dataclasses.replace(e, side=e.country) if e.precision == "country" else e for e in events]
    if not idx:
        return out
    # events share places (a region's point, a village reported again): measure each
    # distinct point once
    keys: dict[_Point, int] = {}
    which = [keys.setdefault((events[i].lat, events[i].lon, events[i].country or ""), len(keys)) for i in idx]
    measured = _measured(list(keys), border)
    for j, i in zip(which, idx, strict=True):
        d, side = measured[j]
        out[i] = dataclasses.replace(
            events[i], border_km=round(d, 2) if math.isfinite(d) else None,
            side=str(side) if side is not None and side == side else events[i].country)
    return out


def _read_as(article: Article) -> Article:
    """The article as events are read from it: one known only to the month (a file named
    ``2024-12-...``) is read as undated, so "Saturday" or "yesterday" is not resolved against a
    made-up day."""
    if article.date is not None and article.date_precision != "day":
        return dataclasses.replace(article, date=None)
    return article


def _parse(article: Article, *, geoparser: _Geoparser) -> tuple[Article, list[Mention]]:
    """The article as events are read from it (:func:`_read_as`), and its mentions."""
    read = _read_as(article)
    return read, geoparser.parse(read)


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


# --- namesakes decided by everything known ------------------------------------------------

#: Articles whose anchors are gathered before any of them is decided (and at most this many
#: bytes of their text): every article of a window is context for every other, earlier windows
#: and the store's reports for all of them. The same windows for `events`, `ingest` (any chunk
#: size, any number of workers) and uploads, so all decide alike. The bound keeps what a run holds
#: in memory, loses on interruption and writes after its last article is read to one window; a
#: window lacks only the reports after it (ACLED dev notes, within 25 km: windows of 128 0.870,
#: 512 0.888, 1,024 and more 0.891; the 1,010 notes are not in date order).
CONTEXT_WINDOW = 1024
CONTEXT_WINDOW_BYTES = 64 << 20
#: A stored report anchors the context when its own confidence is above this: an event at an
#: undecided namesake is capped at 0.5 (geo.events.extraction), so these are the decided ones.
STORE_ANCHOR_CONFIDENCE = 0.5
_LOCAL_READINGS = frozenset({"settlement", "hromada", "other"})


@dataclass(frozen=True, slots=True)
class Namesake:
    """An undecided mention an article's events hang on: where it is among the article's
    mentions, and the points of its readings (the resolver's pick first, then its rivals)."""

    index: int
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class FirstPass:
    """An article read alone, before other reports decide its namesakes: what an ingest worker
    sends back. Its mentions travel only when its events hang on an undecided namesake, and
    pickled: the one writer that decides never needs them, only a worker that extracts the
    article again (:func:`settle`)."""

    events: tuple[Event, ...]                  # measured; namesakes as the article alone reads them
    anchors: tuple[tuple[float, float], ...]   # its confident villages and hromadas (event_anchors)
    namesakes: tuple[Namesake, ...] = ()
    mentions: tuple[Mention, ...] | bytes = ()  # all its mentions when it has namesakes; pickled once sent

    def __reduce__(self) -> tuple:
        # sent to another process, the mentions go as one pickle that the writer, which decides
        # on points, never opens; in one process nothing is pickled at all
        mentions = self.mentions
        if not isinstance(mentions, bytes):
            mentions = pickle.dumps(tuple(mentions), protocol=pickle.HIGHEST_PROTOCOL) if mentions else b""
        return (FirstPass, (self.events, self.anchors, self.namesakes, mentions))


#: How the decision on one namesake travels: (mention index, chosen reading, every reading's weight).
Decision = tuple[int, int, tuple[float, ...]]


def _day(article: Article) -> int:
    return article.date.toordinal() if article.date is not None and article.date_precision == "day" else -1


def event_anchors(events: Sequence[Event]) -> tuple[tuple[float, float], ...]:
    """An article's anchors: the places of its confident events (above
    :data:`STORE_ANCHOR_CONFIDENCE`: no undecided namesake) at villages and hromadas, each once.
    What the store keeps of an article is exactly this (``EventStore.read_anchors``), so a run
    resumed after an interruption decides with the same anchors as one that was not."""
    from geo.namesakes import ANCHOR_KINDS

    seen: dict[str, tuple[float, float]] = {}
    for e in events:
        if (e.place_kind in ANCHOR_KINDS and e.confidence > STORE_ANCHOR_CONFIDENCE and e.place_id
                and e.lat is not None and e.lon is not None):
            seen.setdefault(e.place_id, (float(e.lat), float(e.lon)))
    return tuple(seen.values())


def _bears_events(m: Mention, events: Sequence[Event]) -> bool:
    """Whether another reading of the undecided ``m`` could change ``events``: it is an event's
    place (or the region an event promoted it to), or its readings are not all villages, or it
    is a metonym whose readings lie in different countries (its country is then an actor).
    A namesake named only in passing changes nothing, and is left undecided."""
    readings = (m.place, *m.rivals)
    if any(p.kind not in _LOCAL_READINGS for p in readings):
        return True
    if not m.literal and len({p.country for p in readings}) > 1:
        return True
    return any(e.place_id == m.place.id or (e.place_kind == "admin1" and e.admin1 == m.place.admin1)
               for e in events)


def first_passes(articles: Sequence[Article], *, geoparser: _Geoparser, border: Any,
                 gazetteer: GazetteerLike | None) -> list[FirstPass]:
    """Each article read alone (:class:`FirstPass`), all events measured in one call."""
    found = []
    for article in articles:
        read, mentions = _parse(article, geoparser=geoparser)
        events = _events_of(article, read, mentions, gazetteer=gazetteer)
        namesakes = tuple(Namesake(j, tuple((float(p.lat), float(p.lon)) for p in (m.place, *m.rivals)))
                          for j, m in enumerate(mentions)
                          if m.rivals and m.place is not None and _bears_events(m, events))
        found.append((events, namesakes, tuple(mentions) if namesakes else ()))
    measured = iter(measure_events([e for evs, *_ in found for e in evs], border=border))
    out = []
    for evs, namesakes, mentions in found:
        events = tuple(next(measured) for _ in evs)
        out.append(FirstPass(events, event_anchors(events), namesakes, mentions))
    return out


class Windows:
    """Cuts articles in input order into context windows: :data:`CONTEXT_WINDOW` articles, or
    fewer when their text reaches :data:`CONTEXT_WINDOW_BYTES`. Ingest counts every article it
    reads, also those it skips as stored, so a resumed run cuts where an uninterrupted one did."""

    def __init__(self) -> None:
        self.window = self._count = self._size = 0

    def of(self, article: Article) -> int:
        """The window of the next article."""
        window = self.window
        self._count += 1
        self._size += len(article.text)
        if self._count >= CONTEXT_WINDOW or self._size >= CONTEXT_WINDOW_BYTES:
            self.window += 1
            self._count = self._size = 0
        return window


def add_window(context: Any, articles: Sequence[Article], passes: Sequence[FirstPass | str]) -> None:
    """Add a window's anchors to ``context`` (a :class:`geo.namesakes.NamesakeContext`)."""
    for article, fp in zip(articles, passes, strict=True):
        if isinstance(fp, FirstPass) and fp.anchors:
            context.add(fp.anchors, _day(_read_as(article)))


def decide(articles: Sequence[Article], passes: Sequence[FirstPass | str],
           context: Any) -> list[tuple[Decision, ...] | None]:
    """For each article, the decisions ``context`` makes on its namesakes that move one (to a
    rival the other reports make likelier), or None where nothing moves (its first-pass events
    stand). ``context`` holds the window's anchors (:func:`add_window`)."""
    asks = [(n, ns) for n, fp in enumerate(passes) if isinstance(fp, FirstPass) for ns in fp.namesakes]
    out: list[tuple[Decision, ...] | None] = [None] * len(passes)
    if not asks:
        return out
    items = [(ns.points, _day(_read_as(articles[n])), passes[n].anchors) for n, ns in asks]
    for (n, ns), item, (pick, weights) in zip(asks, items, context.decide(items), strict=True):
        if not pick and context.leader(weights) is None and _fights_at_the_front(passes[n]):
            # the other reports do not tell the readings apart: that day's front line may
            pick = context.front_pick(item[0], item[1]) or 0
        if pick:
            out[n] = (*(out[n] or ()), (ns.index, pick, tuple(weights)))
    return out


def _fights_at_the_front(fp: FirstPass) -> bool:
    """Whether the report is of ground fighting ("clashes near Andriivka"), whose place is at
    the front line (:data:`geo.namesakes.FRONT_EVENT_TYPES`)."""
    from geo.namesakes import FRONT_EVENT_TYPES

    return any(e.event_type in FRONT_EVENT_TYPES for e in fp.events)


def apply_decisions(mentions: Sequence[Mention], decisions: Sequence[Decision]) -> list[Mention]:
    """``mentions`` with each decided namesake at its chosen reading; the readings it beat that
    lie over 25 km from it stay its rivals, the likeliest first (a likelier reading, not a
    certain one: its event keeps a low confidence)."""
    from geo.resolution import _RIVAL_KM, haversine_km

    out = list(mentions)
    for j, pick, weights in decisions:
        m = out[j]
        readings = (m.place, *m.rivals)
        place = readings[pick]
        rest = sorted((i for i in range(len(readings)) if i != pick), key=lambda i: (-weights[i], i))
        out[j] = dataclasses.replace(m, place=place, rivals=tuple(
            readings[i] for i in rest
            if haversine_km(place.lat, place.lon, readings[i].lat, readings[i].lon) > _RIVAL_KM))
    return out


def settle(article: Article, mentions: bytes | Sequence[Mention], decisions: Sequence[Decision], *,
           gazetteer: GazetteerLike | None) -> list[Event]:
    """The events of ``article`` with its namesakes decided: its mentions (as read alone, or
    their pickle from :class:`FirstPass`) with ``decisions`` applied, extracted again; not yet
    measured."""
    if isinstance(mentions, bytes):
        mentions = pickle.loads(mentions)
    return _events_of(article, _read_as(article), apply_decisions(mentions, decisions), gazetteer=gazetteer)


def process_article(article: Article, *, geoparser: _Geoparser, border: Any,
                    gazetteer: GazetteerLike | None) -> list[Event]:
    """Parse ``article``, extract its events and measure them."""
    events = _extract(article, geoparser=geoparser, gazetteer=gazetteer)
    return measure_events(events, border=border)


def settle_window(articles: Sequence[Article], passes: Sequence[FirstPass | str], context: Any, *,
                  gazetteer: GazetteerLike | None, border: Any) -> list[tuple[Event, ...] | str]:
    """A window's events: its anchors added to ``context``, its namesakes decided, the articles
    whose namesakes moved extracted again and measured (one call); a failure stays a failure
    (and one in extracting again is one, naming its article)."""
    add_window(context, articles, passes)
    out: list[tuple[Event, ...] | str] = [fp.events if isinstance(fp, FirstPass) else fp for fp in passes]
    again = []
    for n, decisions in enumerate(decide(articles, passes, context)):
        if decisions is not None:
            try:
                again.append((n, settle(articles[n], passes[n].mentions, decisions, gazetteer=gazetteer)))
            except Exception as err:  # noqa: BLE001 - one article's failure, as in its first pass
                out[n] = _failure(articles[n], err)
    measured = iter(measure_events([e for _, evs in again for e in evs], border=border))
    for n, evs in again:
        out[n] = tuple(next(measured) for _ in evs)
    return out


def _in_windows(articles: Sequence[Article], passes: Sequence[FirstPass | str], context: Any, *,
                gazetteer: GazetteerLike | None, border: Any) -> list[tuple[Event, ...] | str]:
    """:func:`settle_window` over each window (:class:`Windows`) of ``articles`` in turn."""
    from geo.namesakes import NamesakeContext

    context = NamesakeContext() if context is None else context
    cut = Windows()
    groups: dict[int, list[int]] = {}
    for n, article in enumerate(articles):
        groups.setdefault(cut.of(article), []).append(n)
    out: list[tuple[Event, ...] | str] = [()] * len(articles)
    for ns in groups.values():
        events = settle_window([articles[n] for n in ns], [passes[n] for n in ns], context,
                               gazetteer=gazetteer, border=border)
        for n, evs in zip(ns, events, strict=True):
            out[n] = evs
    return out


def process_many(articles: Iterable[Article], *, geoparser: _Geoparser, border: Any,
                 gazetteer: GazetteerLike | None, context: Any = None) -> list[ArticleResult]:
    """:func:`process_article` for a batch, with the batch as context for undecided namesakes:
    each article read alone, then each window (:class:`Windows`) of them decided together,
    with ``context`` (a :class:`geo.namesakes.NamesakeContext`, such as the store's reports:
    :func:`context_of`) and the windows before: what ``borderline ingest`` stores, whatever its
    chunks and workers."""
    articles = list(articles)
    passes = first_passes(articles, geoparser=geoparser, border=border, gazetteer=gazetteer)
    events = _in_windows(articles, passes, context, gazetteer=gazetteer, border=border)
    failed = next((e for e in events if isinstance(e, str)), None)
    if failed is not None:
        raise RuntimeError(failed)
    return [ArticleResult(a, evs) for a, evs in zip(articles, events, strict=True)]


def _front_of(store: Any) -> Any:
    """The front line stored beside ``store`` (``frontline.gpkg`` in its data directory), or None."""
    path = getattr(store, "path", None)
    if path is None:
        return None
    from geo.frontline.measure import load_series

    try:
        return load_series(Path(path).parent)
    except StoreError:      # an unreadable front line is no context, not a failed run (the map says why)
        return None


def context_of(store: Any) -> Any:
    """A :class:`geo.namesakes.NamesakeContext` holding ``store``'s decided reports of villages
    and hromadas (``EventStore.read_anchors``): where the war was, for reports to come."""
    from geo.namesakes import ANCHOR_KINDS, NamesakeContext

    context = NamesakeContext(front=_front_of(store))
    if store is not None:
        context.add_dated(store.read_anchors(min_confidence=STORE_ANCHOR_CONFIDENCE, kinds=sorted(ANCHOR_KINDS)))
    return context


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

    def process_many(self, articles: Iterable[Article], *, store: Any = None) -> list[ArticleResult]:
        """:func:`process_many`; with ``store`` (an ``EventStore``) its decided reports are context too."""
        return process_many(articles, geoparser=self.geoparser, border=self.border, gazetteer=self.gazetteer,
                            context=context_of(store) if store is not None else None)

    def first_passes(self, articles: Sequence[Article]) -> list[FirstPass]:
        return first_passes(articles, geoparser=self.geoparser, border=self.border, gazetteer=self.gazetteer)

    def settle(self, article: Article, mentions: bytes | Sequence[Mention],
               decisions: Sequence[Decision]) -> list[Event]:
        return settle(article, mentions, decisions, gazetteer=self.gazetteer)


def process_each(pipe: Any, articles: Sequence[Article], *, context: Any = None) -> list[tuple[Event, ...] | str]:
    """Events of each article by ``pipe`` (a :class:`Pipeline`), as one batch (what
    :func:`process_many` gives); one that fails gets a one-line message naming it instead, and
    the others go on, with the same context for their namesakes."""
    return _in_windows(articles, first_pass_each(pipe, articles), context, gazetteer=pipe.gazetteer,
                       border=pipe.border)


def first_pass_each(pipe: Any, articles: Sequence[Article]) -> list[FirstPass | str]:
    """:meth:`Pipeline.first_passes` of a chunk; if it fails, each article alone, and one that
    fails gets a one-line message naming it instead (what an ingest worker returns)."""
    try:
        return list(pipe.first_passes(articles))
    except Exception:  # noqa: BLE001 - find the article that failed; keep the others
        pass
    out: list[FirstPass | str] = []
    for a in articles:
        try:
            out.append(pipe.first_passes([a])[0])
        except Exception as err:  # noqa: BLE001
            out.append(_failure(a, err))
    return out


def settle_each(pipe: Any, items: Sequence[tuple[Article, bytes | Sequence[Mention], Sequence[Decision]]]
                ) -> list[tuple[Event, ...] | str]:
    """:meth:`Pipeline.settle` of each (article, its mentions or their pickle, decisions),
    measured in one call; one that fails gets a one-line message naming it instead."""
    found: list[list[Event] | str] = []
    for article, mentions, decisions in items:
        try:
            found.append(pipe.settle(article, mentions, decisions))
        except Exception as err:  # noqa: BLE001
            found.append(_failure(article, err))
    measured = iter(measure_events([e for f in found if not isinstance(f, str) for e in f], border=pipe.border))
    return [f if isinstance(f, str) else tuple(next(measured) for _ in f) for f in found]


def _failure(article: Article, err: BaseException) -> str:
    return (f"{article_name(article)}: processing failed ({type(err).__name__}: "
            f"{_one_line(str(err))[:200]})")


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
