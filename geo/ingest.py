"""Batch ingest: many articles through the pipeline, in parallel, into one store.

Where the work happens
----------------------
- The calling process **reads** the inputs (files, directories, JSON Lines) in order, drops
  articles already in the store (by :attr:`Article.id`: a record's own id, else its text)
  *before* anything is dispatched, so an interrupted run resumes where it stopped, and cuts
  the rest into chunks. A store written before records had their own identity holds such a
  record under its text's id with the record id as its source; that counts as stored too.
- **Workers** read chunks: each article alone (:func:`geo.pipeline.first_passes`: parsed, its
  events extracted and measured, its anchors, and its mentions when its events hang on an
  undecided namesake). Each worker
  process opens the gazetteer, builds the geoparser and loads the border once, by path
  (:func:`_pipeline`, a per-process cache): local processes from a
  :class:`~concurrent.futures.ProcessPoolExecutor` (``forkserver``/``spawn``: nothing is
  inherited, everything a task needs is passed by value or opened by path), the tasks of a
  ``dask.distributed`` cluster (the same cache, filled on each worker process by a warm-up
  :meth:`Client.run`), or, with ``workers=1``, this process itself.
- **One writer**, the calling process, gathers the articles in input order into context
  windows (:class:`geo.pipeline.Windows`, counted over every article read, stored ones too);
  when a window is complete it decides the window's namesakes with the store's decided reports
  (read once at the start), every window so far and this one (:mod:`geo.namesakes`), sends the
  few articles whose namesakes moved back to the workers to be extracted again
  (:func:`geo.pipeline.settle`), and puts the window into the store in *input order*, a batch
  of whole articles per transaction (:meth:`EventStore.add`).

Why windows, decided by the writer: a namesake is decided by everything known (the whole input
so far, not the chunk a worker happened to get), so the stored events depend on neither the
chunk size nor the number of workers, and equal :func:`geo.pipeline.process_many`'s. Parsing
stays in the workers and is done once; what travels back is small (mentions only for articles
with an undecided namesake their events hang on), and only articles whose namesake moved are
extracted again. Only whole windows are written, and a store's anchors are its articles'
confident events, which are exactly the anchors those articles gave when they were read: so a
run interrupted and resumed stores what an uninterrupted one would have. The price: a window
(at most :data:`geo.pipeline.CONTEXT_WINDOW` articles) is held in memory, and an interruption
loses the window in hand.

Why input order: the store merges a report into an incident already stored (the first
report is kept, later ones add their source), so what a run stores depends on the order
articles reach it. Writing in input order makes a parallel run store exactly what a
single-process run stores, and event ids depend only on the article, so they are stable.

Progress goes to standard error: a tqdm bar on a terminal; otherwise (a log file, a pipe, a
CI job) one line every :data:`PROGRESS_EVERY_S` seconds with the articles done of the total,
the events found, failures and the processing rate, and a last line when the run ends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.articles import FORMATS, Article, article_id, bounded_lines
from geo.errors import BorderlineError, GazetteerError, StoreError
from geo.pipeline import (ArticleResult, FirstPass, InputFailure, Pipeline, Windows, add_window, article_name,
                          context_of, decide, first_pass_each, iter_input_paths, read_inputs, settle_each)

if TYPE_CHECKING:
    from geo.events import Event
    from geo.store import AddResult, EventStore
    from geo.telegram import SkippedMessages

__all__ = ["IngestSummary", "ingest", "count_inputs", "default_workers", "PROGRESS_EVERY_S"]

#: Articles per task sent to a worker: large enough that sending costs little next to
#: processing (tens of ms an article), small enough that the bar moves and workers stay
#: balanced.
CHUNK_SIZE = 16
#: Articles per store transaction (and at most this many seconds between commits).
WRITE_BATCH = 256
WRITE_EVERY_S = 2.0
#: Chunks in flight per worker: keeps workers busy while bounding memory.
IN_FLIGHT_PER_WORKER = 3
#: Seconds between progress lines when standard error is not a terminal.
PROGRESS_EVERY_S = 10.0
#: Modules the forkserver imports once, so each worker forks with them loaded.
_PRELOAD = ["geo.pipeline", "geo.resolution", "geo.events", "geo.borders", "gazetteer.query"]


@dataclass(frozen=True, slots=True)
class IngestSummary:
    """What a run did. ``failed`` holds one line per input, article or batch that failed."""

    read: int                   # articles read from the inputs
    skipped_stored: int         # already in the store (or earlier in this run): not processed
    failed: tuple[str, ...]     # one-line messages naming the file (and line) and the problem
    processed: int              # articles processed and stored by this run
    events_added: int           # new incidents stored
    events_merged: int          # reports added to incidents already stored
    events_found: int           # events the pipeline found (added + merged + duplicates)
    seconds: float
    articles_per_s: float       # processed / seconds (wall clock, start-up included)
    mode: str                   # "in-process", "2 local workers", "dask tcp://..."
    skipped_service: int = 0    # Telegram service messages (no article)
    skipped_no_text: int = 0    # Telegram messages without text (media alone, polls ...)

    @property
    def ok(self) -> bool:
        return not self.failed

    def line(self) -> str:
        """The one-line summary the CLI prints."""
        return (f"ingest: {self.read} articles read, {self.skipped_stored} skipped as already stored, "
                f"{self.processed} processed, {len(self.failed)} failed{self._messages_skipped()}; "
                f"{self.events_added} events added "
                f"({self.events_merged} merged into stored incidents) in {self.seconds:.1f} s, "
                f"{self.articles_per_s:.1f} articles/s ({self.mode})")


    def _messages_skipped(self) -> str:
        n = self.skipped_service + self.skipped_no_text
        if not n:
            return ""
        parts = [f"{k} {what}" for k, what in ((self.skipped_service, "service"),
                                                (self.skipped_no_text, "without text")) if k]
        return f", {n} Telegram message{'' if n == 1 else 's'} skipped ({', '.join(parts)})"


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# --- the worker side ---------------------------------------------------------------------

_PIPELINES: dict[str | None, Pipeline] = {}
_PIPELINES_LOCK = threading.Lock()


def _cache_key(gazetteer_path: str | os.PathLike[str] | None) -> str | None:
    return None if gazetteer_path is None else str(Path(gazetteer_path).expanduser().resolve())


def _pipeline(gazetteer_path: str | None) -> Pipeline:
    """This process' pipeline for that gazetteer, opened on first use and then reused (a
    worker serves every task from it; Dask worker threads share it: the gazetteer locks its
    connection and the rest is read-only)."""
    if gazetteer_path is None:
        # "The default" depends on $BORDERLINE_CACHE at the time: key on where it points,
        # or a pipeline opened on another gazetteer would be reused.
        from gazetteer.query import default_cache_dir
        gazetteer_path = str(default_cache_dir().expanduser().resolve())
    pipe = _PIPELINES.get(gazetteer_path)
    if pipe is None:
        with _PIPELINES_LOCK:
            pipe = _PIPELINES.get(gazetteer_path)
            if pipe is None:
                pipe = _PIPELINES[gazetteer_path] = Pipeline.open(cache=gazetteer_path)
    return pipe


def _init_local_worker(gazetteer_path: str | None) -> None:
    # Ctrl-C reaches the whole process group; the parent alone decides what to do with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()
    with contextlib.suppress(Exception):  # a failure shows again, per article, in the task
        _pipeline(gazetteer_path)


def _exit_with_parent() -> None:
    # A SIGKILLed ingest cannot shut its pool down; without this its workers (children of the
    # forkserver, not of the ingest) would idle on, each holding a gazetteer and an automaton.
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _warm_dask_worker(gazetteer_path: str | None) -> str | None:
    """Run once on every Dask worker process: open the pipeline; an error comes back as text."""
    try:
        _pipeline(gazetteer_path)
    except Exception as err:  # noqa: BLE001 - reported to the caller as one line
        return f"{type(err).__name__}: {_one_line(str(err))}"
    return None


class _PipelineUnavailable(Exception):
    """A worker could not open the pipeline (args: error class name, message): nothing can be
    processed, so the run stops with that one message rather than failing every article."""


def _process_chunk(articles: Sequence[Article], gazetteer_path: str | None) -> list[FirstPass | str]:
    """Each article of a chunk read alone (:class:`geo.pipeline.FirstPass`: its events, one
    vectorised border measurement for the chunk, its anchors, and its mentions when its events
    hang on an undecided namesake); an article that fails gets a one-line message instead, and
    the others go on."""
    return first_pass_each(_worker_pipeline(gazetteer_path), articles)


def _settle_chunk(items: Sequence[tuple[Article, Any, Sequence[Any]]],
                  gazetteer_path: str | None) -> list[tuple[Event, ...] | str]:
    """Events of articles whose namesakes the run's context moved: their mentions (as their
    first pass sent them, pickled) with the writer's decisions, extracted again (not parsed),
    measured; one that fails gets a one-line message."""
    return settle_each(_worker_pipeline(gazetteer_path), items)


def _worker_pipeline(gazetteer_path: str | None) -> Pipeline:
    try:
        return _pipeline(gazetteer_path)
    except Exception as err:  # noqa: BLE001 - sent back whole to the parent
        raise _PipelineUnavailable(type(err).__name__, _one_line(str(err))) from None


def _one_line(message: str) -> str:
    return " ".join(message.split())[:300]


# --- executors -----------------------------------------------------------------------------

class _InlineExecutor(Executor):
    """Runs each task at submit time, in this process (``workers=1``): the same loop as the
    pools, with no pickling and no second process."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:  # noqa: D401
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001 - handed to the waiter like a pool would
            if isinstance(err, KeyboardInterrupt):
                raise
            future.set_exception(err)
        return future


def _local_pool(workers: int, gazetteer_path: str | None) -> Executor:
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(_PRELOAD)
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_local_worker,
                               initargs=(gazetteer_path,))


# --- reading -------------------------------------------------------------------------------

def count_inputs(paths: Iterable[str | os.PathLike[str]]) -> int:
    """Articles to expect (for a progress bar): a file each, a JSON Lines file its
    non-blank lines, a Telegram export its messages. Cheap: nothing is decoded (an export is
    parsed once, not built)."""
    total = 0
    for item in iter_input_paths(paths):
        if isinstance(item, Path) and FORMATS.get(item.suffix.lower()) == "telegram":
            from geo.telegram import count_messages     # only when an export is met

            total += count_messages(item)
        elif isinstance(item, Path) and item.suffix.lower() in (".jsonl", ".ndjson"):
            try:
                with item.open("rb") as fh:
                    total += sum(1 for line in bounded_lines(fh) if line.strip())
            except OSError:
                total += 1
        else:
            total += 1
    return total


@dataclass(slots=True)
class _Chunk:
    """A task for the workers: articles to read (``payload`` None), or articles of a window to
    extract again with the writer's decisions (``payload``: mentions and decisions each)."""

    index: int                           # chunks to read: input order; tasks to settle: -1
    articles: list[Article]
    windows: list[int] | None = None     # the context window of each article (chunks to read)
    payload: list | None = None          # (mentions or their pickle, decisions) of each article
    window: _Window | None = None        # tasks to settle: their window, and where in it
    slots: list[int] | None = None

    def part(self, k: int) -> _Chunk:
        """The task for its ``k``-th article alone (to find the one that kills a worker)."""
        return _Chunk(self.index, [self.articles[k]], None if self.windows is None else [self.windows[k]],
                      None if self.payload is None else [self.payload[k]], self.window,
                      None if self.slots is None else [self.slots[k]])


@dataclass(slots=True)
class _Window:
    """Articles of one context window, in input order: read alone, then decided together."""

    number: int
    articles: list[Article]
    passes: list                         # FirstPass | str (a failure)
    events: list | None = None           # once decided: events | str | None (being settled)
    waiting: int = 0                     # settle tasks not back yet


# --- the run -------------------------------------------------------------------------------

def ingest(paths: Iterable[str | os.PathLike[str]], *, store: EventStore,
           gazetteer_path: str | os.PathLike[str] | None = None, workers: int | None = None,
           scheduler: str | Any | None = None, default_date: dt.date | None = None,
           default_lang: str | None = None, progress: bool = True, chunk_size: int = CHUNK_SIZE, write_batch: int = WRITE_BATCH,
           on_failure: Callable[[str], None] | None = None,
           on_progress: Callable[[int, int], None] | None = None,
           progress_every_s: float = PROGRESS_EVERY_S) -> IngestSummary:
    """Read ``paths`` (files, directories, JSON Lines), process every article not yet in
    ``store`` and add its events, one batch of whole articles per transaction.

    ``workers``: local worker processes (default: all cores; ``1`` runs in this process, and
    so does a run that fits in one chunk). ``scheduler``: a Dask scheduler address
    (``"tcp://HOST:8786"``) or a ``distributed.Client``; its workers need Borderline
    installed and the gazetteer at ``gazetteer_path`` (default: each worker's own default
    cache). ``progress`` shows a tqdm bar on standard error when it is a terminal, else a
    progress line every ``progress_every_s`` seconds (and one at the end). Failures never stop the batch:
    each becomes one line in :attr:`IngestSummary.failed` and is passed to ``on_failure`` as
    it happens (default: written above the bar when ``progress`` is on). ``on_progress``
    is called with (articles processed, events found) each time a chunk comes back (for a
    progress display other than the bar, such as the app's).

    Raises :class:`GazetteerError` (or :class:`BorderDataError`) when the pipeline cannot be
    opened (here or in a worker) or the Dask cluster cannot be used, before anything is
    processed, and :class:`StoreError` when the store cannot be read; a
    store write that fails later stops the run (what was committed stays) and is reported
    in ``failed``. On Ctrl-C, what finished in order is committed, then KeyboardInterrupt
    propagates; running again resumes.
    """
    if chunk_size < 1 or write_batch < 1:
        raise ValueError("chunk_size and write_batch must be at least 1")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if workers is not None and scheduler is not None:
        raise ValueError("give workers (local processes) or scheduler (Dask), not both")
    paths = list(paths)
    gaz = _cache_key(gazetteer_path)
    t0 = time.perf_counter()
    stored_sources = store.stored_article_sources()
    bar = _progress_bar(count_inputs(paths) if progress else None, progress=progress, every_s=progress_every_s)
    reading = _Reading(paths, stored_sources=stored_sources, bar=bar, default_date=default_date,
                       default_lang=default_lang, on_failure=on_failure, echo=progress)
    client = None
    own_client = False
    runner: _Runner | None = None
    try:
        source = reading.chunks(chunk_size)
        # Look ahead one chunk: a run that fits in one chunk (the two example articles) is
        # done in this process rather than paying for starting workers.
        head = [c for c in (next(source, None), next(source, None)) if c is not None]
        if scheduler is not None:
            client, own_client = _dask_client(scheduler)
            runner = _dask_runner(client, scheduler, gaz)
        else:
            runner = _local_runner(workers or default_workers(), gaz, chunks=len(head))
        runner.run(_chain(head, source), store=store, context=context_of(store) if head else None,
                   write_batch=write_batch, settle_size=chunk_size, bar=bar, fail=reading.fail,
                   on_progress=on_progress)
    except BaseException:
        if runner is not None:
            runner.close(wait=False)
        raise
    else:
        runner.close(wait=True)
    finally:
        bar.close()
        if own_client and client is not None:
            with contextlib.suppress(Exception):
                client.close()
    seconds = time.perf_counter() - t0
    return IngestSummary(read=reading.read, skipped_stored=reading.skipped, failed=tuple(reading.failed),
                         processed=runner.processed, events_added=runner.totals.events_added,
                         events_merged=runner.totals.events_merged, events_found=runner.found,
                         seconds=seconds, articles_per_s=runner.processed / seconds if seconds > 0 else 0.0,
                         mode=runner.mode, skipped_service=reading.service, skipped_no_text=reading.no_text)


def _progress_bar(total: int | None, *, progress: bool, every_s: float) -> Any:
    """A tqdm bar on a terminal; elsewhere (a log, CI) a progress line every ``every_s``."""
    from tqdm import tqdm

    if progress and not _is_terminal(sys.stderr):
        return _ProgressLines(total, every_s=every_s, file=sys.stderr)
    return _Bar(tqdm(total=total, unit="article", desc="ingest", file=sys.stderr, dynamic_ncols=True,
                     disable=not progress, smoothing=0.1))


class _Reading:
    """The inputs as chunks of articles still to process, in input order, each with its context
    window (counted over every article read, stored or not); counts what it reads, skips and
    fails on the way."""

    def __init__(self, paths: list, *, stored_sources: dict[str, str], bar: Any, default_date: dt.date | None,
                 default_lang: str | None, on_failure: Callable[[str], None] | None, echo: bool) -> None:
        self.paths = paths
        self.stored_sources = stored_sources
        self.stored = set(stored_sources)
        self.bar = bar
        self.default_date = default_date
        self.default_lang = default_lang
        self.on_failure = on_failure
        self.echo = echo
        self.failed: list[str] = []
        self.read = self.skipped = self.service = self.no_text = 0

    def fail(self, message: str) -> None:
        self.failed.append(message)
        self.bar.set_postfix(failed=len(self.failed), refresh=False)
        if self.on_failure is not None:
            self.on_failure(message)
        elif self.echo:
            from tqdm import tqdm

            tqdm.write(message, file=sys.stderr)

    def _skipped_messages(self, note: SkippedMessages) -> None:
        self.service += note.service
        self.no_text += note.no_text
        self.bar.update(note.total)      # the bar's total counted them as messages

    def pending(self) -> Iterator[tuple[Article, int]]:
        cut = Windows()
        for item in read_inputs(self.paths, default_date=self.default_date, default_lang=self.default_lang,
                                on_skip=self._skipped_messages):
            if isinstance(item, InputFailure):
                self.fail(item.message)
                self.bar.update(1)
                continue
            self.read += 1
            window = cut.of(item)
            if item.id in self.stored or _stored_before_record_ids(item, self.stored_sources):
                self.skipped += 1
                self.bar.set_postfix(skipped=self.skipped, refresh=False)
                self.bar.update(1)
                continue
            self.stored.add(item.id)  # a second copy later in the same run is skipped too
            yield item, window

    def chunks(self, size: int) -> Iterator[_Chunk]:
        batch: list[tuple[Article, int]] = []
        n = 0
        for article, window in self.pending():
            batch.append((article, window))
            if len(batch) >= size:
                yield _Chunk(n, [a for a, _ in batch], [w for _, w in batch])
                n += 1
                batch = []
        if batch:
            yield _Chunk(n, [a for a, _ in batch], [w for _, w in batch])


def _dask_runner(client: Any, scheduler: str | Any, gaz: str | None) -> _Runner:
    _warm_dask(client, gaz)
    nthreads = sum(client.nthreads().values()) or 1
    address = getattr(getattr(client, "scheduler", None), "address", None) or str(scheduler)
    return _Runner(lambda: client.get_executor(pure=False), gazetteer_path=gaz, respawn=False,
                   mode=f"dask {address}, {nthreads} worker threads", in_flight=IN_FLIGHT_PER_WORKER * nthreads)


def _local_runner(n_workers: int, gaz: str | None, *, chunks: int) -> _Runner:
    """Worker processes; or this process for one worker or for a run of one chunk (``chunks``
    is how many the look-ahead found, at most 2)."""
    if n_workers == 1 or chunks < 2:
        if chunks:
            _pipeline_here(gaz)
        return _Runner(_InlineExecutor, gazetteer_path=gaz, respawn=False, mode="in-process", in_flight=1)
    _check_gazetteer(gaz)
    return _Runner(lambda: _local_pool(n_workers, gaz), gazetteer_path=gaz, respawn=True,
                   mode=f"{n_workers} local workers", in_flight=IN_FLIGHT_PER_WORKER * n_workers)


def _stored_before_record_ids(article: Article, stored_sources: dict[str, str]) -> bool:
    """Whether a store written before records had their own identity holds this record:
    such a store keyed it by its text and kept its id as the source."""
    if article.record_id is None:
        return False
    return stored_sources.get(article_id(article.text)) == article.record_id


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):   # no isatty, or a closed stream
        return False


class _Bar:
    """A tqdm bar whose postfix fields accumulate (tqdm's ``set_postfix`` replaces them all,
    and events, failures and skips are set from different places)."""

    def __init__(self, bar: Any) -> None:
        self._bar = bar
        self._values: dict[str, object] = {}

    def update(self, n: int = 1) -> None:
        self._bar.update(n)

    def set_postfix(self, *, refresh: bool = False, **values: object) -> None:
        self._values.update(values)
        self._bar.set_postfix(refresh=refresh, **self._values)

    def close(self) -> None:
        self._bar.close()


class _ProgressLines:
    """The part of tqdm's interface ingest uses, printing a plain line every ``every_s``
    seconds instead of redrawing a bar: a log or a pipe gets readable progress, and tqdm
    itself (``disable=None``) would print nothing at all off a terminal."""

    def __init__(self, total: int | None, *, every_s: float, file: Any) -> None:
        self.total = total
        self.every_s = max(0.0, every_s)
        self.file = file
        self.n = 0
        self.postfix: dict[str, object] = {}
        self._t0 = time.perf_counter()
        self._last = self._t0
        self._printed_at_n = -1
        self._print()            # a log shows at once that the run started, and its size

    def update(self, n: int = 1) -> None:
        self.n += n
        now = time.perf_counter()
        if now - self._last >= self.every_s:
            self._last = now
            self._print()

    def set_postfix(self, *, refresh: bool = False, **values: object) -> None:
        self.postfix.update(values)

    def close(self) -> None:
        if self._printed_at_n != self.n or self.n == 0:
            self._print()

    def _print(self) -> None:
        self._printed_at_n = self.n
        elapsed = time.perf_counter() - self._t0
        of = f"/{self.total:,}" if self.total is not None else ""
        pct = f" ({100 * self.n / self.total:.0f}%)" if self.total else ""
        rate = self.postfix.get("articles_per_s")
        parts = [f"{self.n:,}{of} articles{pct}", f"{int(self.postfix.get('events', 0)):,} events"]
        for key, label in (("skipped", "already stored"), ("failed", "failed")):
            if self.postfix.get(key):
                parts.append(f"{int(self.postfix[key]):,} {label}")
        if rate is not None:
            parts.append(f"{rate} articles/s")
        parts.append(f"{elapsed:.0f} s")
        line = "ingest: " + ", ".join(parts)
        with contextlib.suppress(OSError, ValueError):
            print(line, file=self.file, flush=True)


def _chain(head: list[_Chunk], rest: Iterator[_Chunk]) -> Iterator[_Chunk]:
    yield from head
    yield from rest


def _pipeline_here(gazetteer_path: str | None) -> None:
    try:
        _pipeline(gazetteer_path)
    except OSError as err:
        raise GazetteerError(f"cannot open the pipeline: {_one_line(str(err))}") from err


def _check_gazetteer(gazetteer_path: str | None) -> None:
    """Fail fast, with the gazetteer's own one-line hint, before starting any worker."""
    from gazetteer import Gazetteer
    from gazetteer.errors import GazetteerNotBuilt

    try:
        Gazetteer.open(gazetteer_path).close()
    except GazetteerNotBuilt as err:   # its message says how to build it
        raise GazetteerError(str(err)) from err


def _dask_client(scheduler: str | Any) -> tuple[Any, bool]:
    if not isinstance(scheduler, str):
        return scheduler, False                     # a Client the caller owns
    import re

    from distributed import Client

    # distributed's Client raises late (and again from __del__) on a malformed address
    if not re.fullmatch(r"(?:(?:tcp|tls|ws|wss|ucx)://)?(?:\[[0-9a-fA-F:.]+\]|[\w.-]+):\d{1,5}", scheduler):
        raise BorderlineError(f"--scheduler {scheduler!r}: want a Dask scheduler address such as "
                              "tcp://HOST:8786")
    try:
        return Client(scheduler, timeout="20s", set_as_default=False), True
    except (OSError, TimeoutError, ValueError) as err:   # ValueError: a malformed address
        raise BorderlineError(f"cannot reach the Dask scheduler {scheduler}: {_one_line(str(err))}") from err


def _warm_dask(client: Any, gazetteer_path: str | None) -> None:
    """Open the pipeline once on every worker before any task, so a worker that cannot
    (no gazetteer there) is one clear error rather than a failure per article."""
    errors = client.run(_warm_dask_worker, gazetteer_path)
    if not errors:
        raise BorderlineError("the Dask cluster has no workers")
    bad = {addr: err for addr, err in errors.items() if err}
    if bad:
        addr, err = next(iter(bad.items()))
        raise GazetteerError(f"{len(bad)} of {len(errors)} Dask workers cannot open the pipeline "
                             f"(e.g. {addr}: {err})")


class _Runner:
    """Dispatch chunks (at most ``in_flight`` at once), collect them in any order, write
    them in input order, a batch of whole articles per transaction."""

    def __init__(self, make_executor: Callable[[], Executor], *, gazetteer_path: str | None,
                 respawn: bool, mode: str, in_flight: int) -> None:
        from geo.store import AddResult

        self._gaz = gazetteer_path
        self._make = make_executor
        self.executor = make_executor()
        self.respawn = respawn
        self.mode = mode
        self.in_flight = max(1, in_flight)
        self.totals: AddResult = AddResult()
        self.found = 0
        self.processed = 0
        self._old: list[Executor] = []

    def close(self, *, wait: bool) -> None:
        for ex in [*self._old, self.executor]:
            with contextlib.suppress(Exception):
                if wait:
                    ex.shutdown(wait=True)
                else:
                    try:
                        ex.shutdown(wait=False, cancel_futures=True)
                    except TypeError:   # distributed's executor: wait=False cancels
                        ex.shutdown(wait=False)

    def run(self, chunks: Iterator[_Chunk], *, store: EventStore, context: Any, write_batch: int,
            settle_size: int, bar: Any, fail: Callable[[str], None],
            on_progress: Callable[[int, int], None] | None = None) -> None:
        """Read chunks in parallel; as their articles come back in input order, gather them
        into context windows; when a window is complete, decide its namesakes (this process:
        ``context`` holds the store's anchors and every window's so far) and have the workers
        extract again the articles whose namesakes moved; write each window, in order, once all
        of it is settled. Only whole windows are written, so an interrupted run leaves what an
        uninterrupted one would have stored, and a resumed one decides as it would have."""
        run = _Run(self, chunks, store=store, context=context, write_batch=write_batch,
                   settle_size=settle_size, bar=bar, fail=fail, on_progress=on_progress)
        try:
            run.loop()
        finally:
            # Finished or interrupted: what is settled, in order, is stored (a later run skips it).
            run.commit()

    def _submit(self, task: _Chunk) -> Future:
        if task.payload is None:
            return self.executor.submit(_process_chunk, task.articles, self._gaz)
        return self.executor.submit(_settle_chunk, [(a, *p) for a, p in zip(task.articles, task.payload, strict=True)],
                                    self._gaz)

    def _new_pool(self) -> None:
        self._old.append(self.executor)
        with contextlib.suppress(Exception):
            self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._make()

    def _alone(self, task: _Chunk) -> list | None:
        """Run one task with nothing else in flight: its outcomes, or None if the worker died
        (then the pool is replaced)."""
        try:
            return self._submit(task).result()
        except BrokenProcessPool:
            self._new_pool()
            return None
        except _PipelineUnavailable as err:
            raise _unavailable_error(*err.args) from None
        except Exception as err:  # noqa: BLE001 - as in the main loop: its articles fail
            return _failed(task.articles, f"{type(err).__name__}: {_one_line(str(err))[:200]}")

    def _recover(self, task: _Chunk) -> list:
        """A worker process died (killed, out of memory, a crash in native code) and took the
        pool with it. Every task that was in flight is run again alone in a new pool; one
        that kills it again is run article by article, so only the article that kills a
        worker fails."""
        if not self.respawn:
            return _failed(task.articles, "a worker process died")
        outcomes = self._alone(task)
        if outcomes is not None:
            return outcomes
        out: list = []
        for k, article in enumerate(task.articles):
            one = self._alone(task.part(k))
            out.append(_failed([article], "its worker process died on it")[0] if one is None else one[0])
        return out


class _Run:
    """The state of one :meth:`_Runner.run`: tasks in flight, chunks read out of order, windows
    being gathered, settled and written, and articles ready to write."""

    def __init__(self, runner: _Runner, chunks: Iterator[_Chunk], *, store: EventStore, context: Any,
                 write_batch: int, settle_size: int, bar: Any, fail: Callable[[str], None],
                 on_progress: Callable[[int, int], None] | None) -> None:
        self.runner, self.chunks, self.store, self.context = runner, chunks, store, context
        self.write_batch, self.settle_size = write_batch, settle_size
        self.bar, self.fail, self.on_progress = bar, fail, on_progress
        self.futures: dict[Future, _Chunk] = {}
        self.done: dict[int, list] = {}               # chunks read, by index, not yet gathered
        self.pending: dict[int, _Chunk] = {}          # chunks dispatched for reading, by index
        self.settling: deque[_Chunk] = deque()        # tasks to extract again, to dispatch first
        self.windows: deque[_Window] = deque()        # complete, being settled or written, in order
        self.gathering: _Window | None = None
        self.next_read = 0
        self.ready: list[ArticleResult] = []
        self.last_commit = time.monotonic()
        self.exhausted = self.store_failed = False
        self.t_start = time.perf_counter()
        self.n_done = 0

    def loop(self) -> None:
        while True:
            self.dispatch()
            self.gather_read()
            self.release_windows()
            if self.settling and len(self.futures) < self.runner.in_flight:
                continue                           # dispatch what closing a window queued
            since = time.monotonic() - self.last_commit
            if self.ready and (len(self.ready) >= self.write_batch or since > WRITE_EVERY_S or not self.futures):
                self.commit(self.write_batch)      # a batch at a time: the workers keep going
            if self.store_failed:
                for fut in self.futures:
                    fut.cancel()
                return
            if not self.futures:
                if self.ready or self.settling:
                    continue
                if self.windows or self.gathering is not None or self.pending:   # nothing left to finish them
                    raise RuntimeError("ingest: articles left undecided with nothing running")
                return
            self.collect()

    def dispatch(self) -> None:
        """Keep ``in_flight`` tasks running: settle tasks first (a window waits for them)."""
        while not self.store_failed and len(self.futures) < self.runner.in_flight:
            if self.settling:
                task = self.settling.popleft()
            elif not self.exhausted:
                task = next(self.chunks, None)
                if task is None:
                    self.exhausted = True
                    continue
                self.pending[task.index] = task
            else:
                break
            self.futures[self.runner._submit(task)] = task

    def gather_read(self) -> None:
        """The articles read so far, in input order, into their windows; a window closes when
        the next article belongs to another one, or when the input is done."""
        while self.next_read in self.done:
            outcomes = self.done.pop(self.next_read)
            chunk = self.pending.pop(self.next_read)
            self.next_read += 1
            for article, window, outcome in zip(chunk.articles, chunk.windows, outcomes, strict=True):
                if self.gathering is not None and self.gathering.number != window:
                    self.close(self.gathering)
                    self.gathering = None
                if self.gathering is None:
                    self.gathering = _Window(window, [], [])
                if isinstance(outcome, str):
                    self.fail(outcome)              # now, in input order, not when its window is written
                self.gathering.articles.append(article)
                self.gathering.passes.append(outcome)
        if self.exhausted and not self.pending and self.gathering is not None:
            self.close(self.gathering)
            self.gathering = None

    def close(self, window: _Window) -> None:
        """Decide a complete window; queue its articles whose namesakes moved."""
        window.events = [fp.events if isinstance(fp, FirstPass) else fp for fp in window.passes]
        add_window(self.context, window.articles, window.passes)
        moved = [(n, (window.passes[n].mentions, ds))
                 for n, ds in enumerate(decide(window.articles, window.passes, self.context)) if ds is not None]
        for k in range(0, len(moved), self.settle_size):
            part = moved[k:k + self.settle_size]
            for n, _ in part:
                window.events[n] = None
            self.settling.append(_Chunk(-1, [window.articles[n] for n, _ in part], payload=[p for _, p in part],
                                        window=window, slots=[n for n, _ in part]))
            window.waiting += 1
        self.windows.append(window)

    def release_windows(self) -> None:
        """Windows settled in full, in order, become articles ready to write."""
        while self.windows and self.windows[0].waiting == 0:
            window = self.windows.popleft()
            for article, first, outcome in zip(window.articles, window.passes, window.events, strict=True):
                if not isinstance(outcome, str):
                    self.ready.append(ArticleResult(article, outcome))
                elif not isinstance(first, str):
                    self.fail(outcome)              # failed when extracted again

    def commit(self, limit: int | None = None) -> None:
        self.last_commit = time.monotonic()
        if not self.ready or self.store_failed:
            return
        cut = len(self.ready) if limit is None else limit
        batch, self.ready = self.ready[:cut], self.ready[cut:]
        try:
            self.runner.totals = self.runner.totals + self.store.add((r.article, r.events) for r in batch)
        except StoreError as err:
            self.store_failed = True
            self.fail(f"{_one_line(str(err))}; {len(batch)} articles (from {article_name(batch[0].article)}) "
                      "not stored: run ingest again to retry them")
            return
        self.runner.processed += len(batch)

    def collect(self) -> None:
        """Take what the workers finished (waiting no longer than the next write is due); a
        broken pool's tasks are recovered one by one in a new pool."""
        timeout = (None if not self.ready else 0.0 if len(self.ready) >= self.write_batch
                   else max(0.0, WRITE_EVERY_S - (time.monotonic() - self.last_commit)))
        finished_now, _ = wait(list(self.futures), timeout=timeout, return_when=FIRST_COMPLETED)
        broken = False
        for fut in finished_now:
            task = self.futures.pop(fut)
            try:
                outcomes = fut.result()
            except BrokenProcessPool:
                broken = True
                self.futures[fut] = task      # recovered with the others below
                continue
            except _PipelineUnavailable as err:
                for other in self.futures:
                    other.cancel()
                raise _unavailable_error(*err.args) from None
            except Exception as err:  # noqa: BLE001 - a task that died: its articles fail
                outcomes = _failed(task.articles, f"{type(err).__name__}: {_one_line(str(err))[:200]}")
            self.returned(task, outcomes)
        if broken:
            lost = sorted(self.futures.values(), key=lambda c: (c.payload is None, c.index))
            self.futures.clear()
            if self.runner.respawn:
                self.runner._new_pool()
            for task in lost:
                self.returned(task, self.runner._recover(task))

    def returned(self, task: _Chunk, outcomes: list) -> None:
        (self.read if task.payload is None else self.settled)(task, outcomes)

    def read(self, chunk: _Chunk, outcomes: list) -> None:
        """A chunk read: kept until the chunks before it are in; progress shown."""
        self.done[chunk.index] = outcomes
        self.runner.found += sum(len(o.events) for o in outcomes if isinstance(o, FirstPass))
        self.n_done += len(chunk.articles)
        self.bar.set_postfix(events=self.runner.found,
                             articles_per_s=f"{self.n_done / max(1e-9, time.perf_counter() - self.t_start):.1f}",
                             refresh=False)
        self.bar.update(len(chunk.articles))       # after the postfix: a progress line prints here
        if self.on_progress is not None:
            self.on_progress(self.n_done, self.runner.found)

    def settled(self, task: _Chunk, outcomes: list) -> None:
        """Articles extracted again with their window's decisions."""
        window = task.window
        for slot, outcome in zip(task.slots, outcomes, strict=True):
            window.events[slot] = outcome
            self.runner.found += (0 if isinstance(outcome, str) else len(outcome)) - len(window.passes[slot].events)
        window.waiting -= 1


def _unavailable_error(kind: str, message: str) -> BorderlineError:
    from geo import errors

    cls = getattr(errors, kind, None)
    if not (isinstance(cls, type) and issubclass(cls, BorderlineError)):
        return GazetteerError(f"a worker cannot open the pipeline ({kind}: {message})")
    return cls(message)


def _failed(articles: Sequence[Article], why: str) -> list[str]:
    return [f"{article_name(a)}: processing failed ({why})" for a in articles]


