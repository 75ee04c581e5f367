"""Event accuracy on real war reporting: ACLED notes through the public pipeline.

Writes the ``events_accuracy`` section of bench/RESULTS.md. Run:
``.venv/bin/python bench/events_accuracy.py`` (``--jsonl PATH`` for another corpus in the same
format, which writes its own section ``events_accuracy-<file stem>``; ``--no-write`` to print only).

Each line of the corpus is ``{"id", "text", "date", "gold_places": [{"lat", "lon", "geo_precision",
"admin1", ...}], "gold_event_type": "<ACLED event type>|<sub-event type>", "meta"}``. The headline
runs the notes through ``borderline ingest`` (:func:`geo.ingest.ingest`: its real chunk size and local
workers, into a fresh temporary store), one note an article, and reads each note's events back from
the store: the incidents its reports belong to (``event_sources``), with the report's own date. Beside
it, the same notes through :meth:`geo.pipeline.Pipeline.process_many` (as ``borderline events`` reads
them: no store, no cross-article merge); both figures are also given for the notes on even lines
(what decisions were tuned on) and odd lines (held out).

How a note is scored (the functions below are pure and unit-tested in
tests/test_bench_events_accuracy.py):

- **yield**: the note produced at least one event (any type).
- **within 25 / 50 km**: the event nearest the true point (``gold_places[0]``) is that close;
  a note with no located event counts as a miss.
- the note's **matched events** are the events at the nearest point (within 1 km of it: one
  place can carry several types, one per sentence). Type, date and precision are read from them.
- **primary type**: a matched event's ``event_type`` is one that :data:`ACLED_TO_TYPES` accepts for
  the note's ACLED sub-event type. ``civilian_casualties`` and ``energy_strike`` leave their ACLED
  sub-type to their means (geo/event_types.py, ``acled_category``): they count as primary for an
  explosion sub-type when their tags carry that sub-type's means (:data:`MEANS`), as the ACLED
  export would code them. **primary-or-tag**: the primary type or any tag is accepted.
  Sub-types with no counterpart in the registry (``None`` in the mapping) are left out of type
  scoring (they still count for yield and distance).
- **protest false positives**: protest notes (ACLED "Protests") with any event that is not
  ``political``; protest notes are left out of every other figure.
- **date**: a matched event's date equals the note's date.
- **precision**: the matched event's precision, as an ACLED geo-precision code (settlement 1,
  hromada 2, region/country 3), equals ``geo_precision``; only notes whose nearest event is within
  25 km (a far event's precision says nothing) and whose ``geo_precision`` is given.

Failures are put in one category each, first that applies: ``no event``; ``no located event``;
``far, fallback`` (nearest > 25 km and it is a region or country point: the place was not found);
``far, wrong place`` (nearest > 25 km at a settlement or hromada: another place, or a homonym);
``wrong type`` (near enough, type not accepted even among the tags). Only note ids are printed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._results import machine_line, write_section  # noqa: E402
from geo import event_types  # noqa: E402
from geo.events import geo_precision  # noqa: E402
from geo.resolution import haversine_km  # noqa: E402

__all__ = ["ACLED_TO_TYPES", "MEANS", "Gold", "Found", "NoteScore", "gold_from_record", "found_of",
           "score_note", "summarise", "report", "read_golds", "run_ingest", "run_process_many", "halves",
           "compare", "main"]

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEV = SHARED / "eval" / "acled_ukraine_dev.jsonl"

#: ACLED sub-event type -> the type ids (geo/event_types.py) that agree with it. ``None``: no
#: counterpart in the registry (not type-scored). Why each:
ACLED_TO_TYPES: dict[str, frozenset[str] | None] = {
    # shells, rockets, MLRS, missiles: the registry's missile_strike ("Missile or artillery strike")
    "Shelling/artillery/missile attack": frozenset({"missile_strike"}),
    # ACLED files drones and aircraft together; the registry keeps them apart, either agrees
    "Air/drone strike": frozenset({"drone_strike", "air_strike"}),
    "Armed clash": frozenset({"ground_assault"}),
    # ACLED's code for shooting down / intercepting drones and missiles
    "Disrupted weapons use": frozenset({"air_defense"}),
    # mines, IEDs, UXO: the registry's explosive_device (a civilian casualty counts by its tag, MEANS)
    "Remote explosive/landmine/IED": frozenset({"explosive_device"}),
    "Non-state actor overtakes territory": frozenset({"territorial_change"}),
    "Government regains territory": frozenset({"territorial_change"}),
    "Non-violent transfer of territory": frozenset({"territorial_change"}),
    # shooting, abduction, torture of civilians: the new type, or the casualty type when people are hurt
    "Attack": frozenset({"violence_against_civilians", "civilian_casualties"}),
    "Abduction/forced disappearance": frozenset({"violence_against_civilians", "civilian_casualties"}),
    "Sexual violence": frozenset({"violence_against_civilians", "civilian_casualties"}),
    # looting, arson, land seizure; displacement, evacuations: nothing in the registry means these
    "Looting/property destruction": None,
    "Other": None,
    "Agreement": frozenset({"political"}),
    "Headquarters or base established": frozenset({"troop_deployment"}),
    "Chemical weapon": frozenset({"missile_strike", "drone_strike", "air_strike"}),
    "Suicide bomb": frozenset({"civilian_casualties"}),
    "Grenade": frozenset({"civilian_casualties", "ground_assault"}),
}

#: Types whose ACLED sub-type is decided by the means in their tags (event_types.acled_category).
MEANS_DECIDED = frozenset(t.id for t in event_types.REGISTRY if t.acled_sub_type is None)
#: ACLED explosion sub-type -> the means tags that give it.
MEANS: dict[str, frozenset[str]] = {
    sub: frozenset(m for m in event_types.MEANS_TYPES if event_types.get(m).acled_sub_type == sub)
    for sub in dict.fromkeys(event_types.get(m).acled_sub_type for m in event_types.MEANS_TYPES)}

PROTESTS = "Protests"
NEAR_KM = 25.0
WIDE_KM = 50.0
SAME_POINT_KM = 1.0
TARGETS = (("yield", 0.95), ("within_25", 0.88), ("primary", 0.85), ("primary_or_tag", 0.92))
PROTEST_FP_MAX = 0.05
CATEGORIES = ("no event", "no located event", "far, fallback", "far, wrong place", "wrong type")


@dataclass(frozen=True, slots=True)
class Gold:
    id: str
    lat: float
    lon: float
    acled_type: str            # e.g. "Battles"
    acled_sub_type: str        # e.g. "Armed clash"
    date: str | None           # ISO
    geo_precision: int | None  # ACLED 1, 2, 3; None unknown


@dataclass(frozen=True, slots=True)
class Found:
    """What the scoring reads of one extracted event."""

    event_type: str
    tags: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    precision: str = "settlement"
    date: str | None = None


@dataclass(frozen=True, slots=True)
class NoteScore:
    id: str
    sub_type: str
    protest: bool
    has_event: bool
    war_event: bool                # an event that is not political
    km: float | None               # nearest located event
    type_scored: bool              # the sub-type has a mapping and the note has an event
    primary: bool
    primary_or_tag: bool
    date_ok: bool | None
    precision_ok: bool | None
    nearest_precision: str | None
    failure: str | None            # one of CATEGORIES, or None
    got: str | None                # the matched primary type (for the confusion table)


def gold_from_record(record: dict) -> Gold | None:
    """The gold of one corpus line; None when it has no true point to score against. A line
    without ``gold_event_type`` is scored for yield, distance, date and precision only."""
    places = record.get("gold_places") or []
    if not places or places[0].get("lat") is None or places[0].get("lon") is None:
        return None
    place = places[0]
    acled_type, _, sub = (record.get("gold_event_type") or "").partition("|")
    gp = place.get("geo_precision")
    return Gold(id=str(record["id"]), lat=float(place["lat"]), lon=float(place["lon"]),
                acled_type=acled_type, acled_sub_type=sub, date=record.get("date"),
                geo_precision=int(gp) if gp not in (None, "") else None)


def found_of(event: object) -> Found:
    """A :class:`Found` from a geo event (read by attribute, so the bench does not depend on
    where the Event class lives)."""
    return Found(event_type=event.event_type, tags=tuple(event.tags), lat=event.lat, lon=event.lon,
                 precision=event.precision, date=event.date)


def _primary_ok(ev: Found, sub: str, accepted: frozenset[str]) -> bool:
    if ev.event_type in accepted:
        return True
    return ev.event_type in MEANS_DECIDED and bool(MEANS.get(sub, frozenset()) & set(ev.tags))


def score_note(gold: Gold, events: Sequence[Found]) -> NoteScore:
    protest = gold.acled_type == PROTESTS
    located = [(haversine_km(gold.lat, gold.lon, e.lat, e.lon), i) for i, e in enumerate(events)
               if e.lat is not None and e.lon is not None]
    km = min(located)[0] if located else None
    if km is not None:
        matched = [events[i] for d, i in sorted(located, key=lambda t: t[1]) if d <= km + SAME_POINT_KM]
    else:
        matched = list(events)
    accepted = ACLED_TO_TYPES.get(gold.acled_sub_type)
    type_scored = bool(events) and accepted is not None and not protest
    primary = type_scored and any(_primary_ok(e, gold.acled_sub_type, accepted) for e in matched)
    with_tag = type_scored and (primary or any(accepted & set(e.tags) for e in matched))
    date_ok = any(e.date == gold.date for e in matched) if matched and gold.date else None
    near = km is not None and km <= NEAR_KM
    precision_ok = (any(geo_precision(e.precision) == gold.geo_precision for e in matched)
                    if near and gold.geo_precision is not None else None)
    nearest_precision = matched[0].precision if matched else None
    failure: str | None = None
    if not protest:
        if not events:
            failure = "no event"
        elif km is None:
            failure = "no located event"
        elif not near:
            failure = "far, fallback" if nearest_precision in ("region", "country") else "far, wrong place"
        elif type_scored and not with_tag:
            failure = "wrong type"
    return NoteScore(id=gold.id, sub_type=gold.acled_sub_type, protest=protest, has_event=bool(events),
                     war_event=any(e.event_type != "political" for e in events), km=km,
                     type_scored=type_scored, primary=primary, primary_or_tag=with_tag, date_ok=date_ok,
                     precision_ok=precision_ok, nearest_precision=nearest_precision, failure=failure,
                     got=matched[0].event_type if matched else None)


def _share(hits: int, n: int) -> float | None:
    return hits / n if n else None


def summarise(scores: Iterable[NoteScore]) -> dict:
    """The figures of the report, from per-note scores."""
    scores = list(scores)
    war = [s for s in scores if not s.protest]
    protests = [s for s in scores if s.protest]
    typed = [s for s in war if s.type_scored]
    dated = [s for s in war if s.date_ok is not None]
    precise = [s for s in war if s.precision_ok is not None]
    failures = Counter(s.failure for s in war if s.failure)
    samples = {c: [s.id for s in war if s.failure == c][:8] for c in CATEGORIES}
    by_sub: dict[str, dict] = {}
    for sub in sorted({s.sub_type for s in war}, key=lambda x: (-sum(s.sub_type == x for s in war), x)):
        rows = [s for s in war if s.sub_type == sub]
        t = [s for s in rows if s.type_scored]
        by_sub[sub] = {"n": len(rows), "yield": _share(sum(s.has_event for s in rows), len(rows)),
                       "within_25": _share(sum(s.km is not None and s.km <= NEAR_KM for s in rows), len(rows)),
                       "primary": _share(sum(s.primary for s in t), len(t)),
                       "primary_or_tag": _share(sum(s.primary_or_tag for s in t), len(t))}
    confusion = Counter((s.sub_type, s.got) for s in typed if not s.primary)
    far_precision = Counter(s.nearest_precision for s in war if s.km is not None and s.km > NEAR_KM)
    return {
        "notes": len(scores), "war_notes": len(war), "protest_notes": len(protests),
        "yield": _share(sum(s.has_event for s in war), len(war)),
        "within_25": _share(sum(s.km is not None and s.km <= NEAR_KM for s in war), len(war)),
        "within_50": _share(sum(s.km is not None and s.km <= WIDE_KM for s in war), len(war)),
        "typed": len(typed),
        "primary": _share(sum(s.primary for s in typed), len(typed)),
        "primary_or_tag": _share(sum(s.primary_or_tag for s in typed), len(typed)),
        "protest_fp": _share(sum(s.war_event for s in protests), len(protests)),
        "dated": len(dated), "date": _share(sum(bool(s.date_ok) for s in dated), len(dated)),
        "precise": len(precise), "precision": _share(sum(bool(s.precision_ok) for s in precise), len(precise)),
        "failures": dict(failures), "samples": samples, "by_sub": by_sub,
        "confusion": confusion.most_common(10), "far_precision": dict(far_precision),
    }


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _verdict(value: float | None, target: float, *, at_most: bool = False) -> str:
    if value is None:
        return "n/a"
    ok = value <= target if at_most else value >= target
    return "PASS" if ok else "MISS"


def report(summary: dict, *, corpus: str, seconds: float, events: int, mode: str = "") -> str:
    s = summary
    title = ("## Event accuracy on ACLED notes (`python bench/events_accuracy.py`)" if corpus == DEV.name
             else f"## Event accuracy on `{corpus}` (`python bench/events_accuracy.py --jsonl ...`)")
    from geo.ingest import CHUNK_SIZE

    lines = [title, "",
             machine_line(),
             f"Corpus `{corpus}`: {s['notes']:,} notes ({s['protest_notes']} protests). Through `borderline "
             f"ingest` (`geo.ingest.ingest`, chunks of {CHUNK_SIZE}, {mode or 'default workers'}) into a fresh "
             f"temporary store, one note an article; each note's events read back from the store (its reports "
             f"in `event_sources`): {events:,} events found in {seconds:.1f} s ({s['notes'] / seconds:,.0f} "
             "notes/s, start-up and store writes included). Scoring and the "
             "ACLED sub-type → type mapping: the docstring and `ACLED_TO_TYPES` in bench/events_accuracy.py.", "",
             "| measure | value | target |", "|---|---|---|"]
    targets = dict(TARGETS)
    names = {"yield": "yield (notes with ≥ 1 event)", "within_25": "nearest event within 25 km",
             "within_50": "nearest event within 50 km", "primary": f"primary type agrees ({s['typed']} typed notes)",
             "primary_or_tag": "primary type or a tag agrees"}
    for key in ("yield", "within_25", "within_50", "primary", "primary_or_tag"):
        t = targets.get(key)
        lines.append(f"| {names[key]} | **{_pct(s[key])}** | "
                     + (f"≥ {t} {_verdict(s[key], t)}" if t is not None else "") + " |")
    lines += [
        f"| protest notes with a war event ({s['protest_notes']}) | **{_pct(s['protest_fp'])}** | "
        f"≤ {PROTEST_FP_MAX} {_verdict(s['protest_fp'], PROTEST_FP_MAX, at_most=True)} |",
        f"| event date = note date ({s['dated']} notes with an event; the note's date is also the "
        f"article's, so a fallback to it agrees) | {_pct(s['date'])} | |",
        f"| precision = ACLED geo_precision ({s['precise']} notes within 25 km, precision known) | "
        f"{_pct(s['precision'])} | |", "",
        "| failure (first that applies; of the non-protest notes) | notes | sample ids |", "|---|---|---|"]
    for c in CATEGORIES:
        lines.append(f"| {c} | {s['failures'].get(c, 0)} | {', '.join(s['samples'][c]) or '—'} |")
    lines += ["", "Nearest-event precision when it is over 25 km away: "
              + (", ".join(f"{k}: {v}" for k, v in sorted(s["far_precision"].items(), key=lambda kv: -kv[1]))
                 or "none") + ".", "",
              "| ACLED sub-event type | notes | yield | ≤ 25 km | primary | primary or tag |", "|---|---|---|---|---|---|"]
    for sub, r in s["by_sub"].items():
        lines.append(f"| {sub} | {r['n']} | {_pct(r['yield'])} | {_pct(r['within_25'])} | "
                     f"{_pct(r['primary'])} | {_pct(r['primary_or_tag'])} |")
    if s["confusion"]:
        lines += ["", "Most common primary-type disagreements (ACLED sub-type → our primary type at the nearest "
                  "point): " + "; ".join(f"{sub} → {got} ({n})" for (sub, got), n in s["confusion"]) + "."]
    return "\n".join(lines) + "\n"


def read_golds(path: Path) -> tuple[dict[str, Gold], dict[str, int]]:
    """Gold of each note by id, and each note's line number (the tuning / held-out split)."""
    golds: dict[str, Gold] = {}
    lines: dict[str, int] = {}
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if line.strip():
                g = gold_from_record(json.loads(line))
                if g is not None:
                    golds[g.id] = g
                    lines[g.id] = n
    return golds, lines


def _articles(path: Path) -> list:
    from geo.pipeline import InputFailure, read_inputs

    articles = []
    for item in read_inputs([path]):
        if isinstance(item, InputFailure):
            print(f"skipped: {item.message}", file=sys.stderr)
            continue
        articles.append(item)
    return articles


def _scored(golds: dict[str, Gold], found: Sequence[tuple[str, Sequence[Found]]]) -> list[NoteScore]:
    scores = [score_note(golds[rid], events) for rid, events in found if rid in golds]
    if len(scores) < len(found):
        print(f"not scored: {len(found) - len(scores)} notes without a gold point", file=sys.stderr)
    return scores


def run_process_many(path: Path, golds: dict[str, Gold], *, cache: str | None = None
                     ) -> tuple[list[NoteScore], float, int]:
    """Every note through :meth:`Pipeline.process_many`, all notes one batch (as ``borderline
    events`` reads its inputs): (scores, seconds, events)."""
    from geo.pipeline import Pipeline

    articles = _articles(path)
    pipe = Pipeline.open(cache=cache)
    t0 = time.perf_counter()
    results = pipe.process_many(articles)
    seconds = time.perf_counter() - t0
    # the record's own id (Article.record_id), else its source
    found = [(r.article.record_id or r.article.source, [found_of(e) for e in r.events]) for r in results]
    return _scored(golds, found), seconds, sum(len(r.events) for r in results)


def run_ingest(path: Path, golds: dict[str, Gold], *, cache: str | None = None, workers: int | None = None
               ) -> tuple[list[NoteScore], float, int, str]:
    """Every note through ``geo.ingest.ingest`` (its real chunk size, local workers) into a
    temporary store, each note's events read back from the store: the incidents its reports
    belong to (``event_sources``), at the incident's place, type, precision and tags, with the
    report's own date. (scores, seconds, events found, mode)"""
    from geo.ingest import ingest
    from geo.store import EventStore

    ids = {a.id: a.record_id or a.source for a in _articles(path)}
    with tempfile.TemporaryDirectory(prefix="events-accuracy-") as tmp:
        store = EventStore(Path(tmp) / "events.gpkg")
        summary = ingest([path], store=store, gazetteer_path=cache, workers=workers, progress=False)
        incidents = {r.event_id: r for r in store.read_events().itertuples(index=False)}
        reports = store.read_sources()
    per_article: dict[str, list[Found]] = {aid: [] for aid in ids}
    for rep in reports.itertuples(index=False):
        inc = incidents[rep.event_id]
        per_article.setdefault(rep.article_id, []).append(Found(
            event_type=inc.event_type, tags=tuple(t for t in (inc.tags or "").split("; ") if t),
            lat=inc.lat, lon=inc.lon, precision=inc.precision, date=rep.date or None))
    found = [(ids.get(aid, aid), evs) for aid, evs in per_article.items()]
    return _scored(golds, found), summary.seconds, summary.events_found, summary.mode


def halves(scores: Sequence[NoteScore], lines: dict[str, int]) -> tuple[dict, dict]:
    """:func:`summarise` of the notes on even lines (the half tuned on) and on odd lines (held out)."""
    return (summarise(s for s in scores if lines.get(s.id, 0) % 2 == 0),
            summarise(s for s in scores if lines.get(s.id, 0) % 2 == 1))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jsonl", type=Path, default=DEV, help="corpus in the ACLED-notes format (default: %(default)s)")
    ap.add_argument("--cache", metavar="DIR", help="gazetteer directory (default: the built one)")
    ap.add_argument("--workers", type=int, metavar="N", help="ingest's local workers (default: all cores)")
    ap.add_argument("--no-write", action="store_true", help="print only")
    ap.add_argument("--json", type=Path, metavar="PATH", help="also write the summary as JSON")
    args = ap.parse_args(argv)
    if not args.jsonl.is_file():
        print(f"{args.jsonl}: no such file", file=sys.stderr)
        return 2
    golds, lines = read_golds(args.jsonl)
    scores, seconds, n_events, mode = run_ingest(args.jsonl, golds, cache=args.cache, workers=args.workers)
    pm_scores, pm_seconds, pm_events = run_process_many(args.jsonl, golds, cache=args.cache)
    summary = summarise(scores)
    md = report(summary, corpus=args.jsonl.name, seconds=seconds, events=n_events, mode=mode)
    md += compare(summary, halves(scores, lines), summarise(pm_scores), halves(pm_scores, lines),
                  pm_seconds=pm_seconds, pm_events=pm_events, notes=len(pm_scores))
    if not args.no_write:
        same = args.jsonl.resolve() == DEV.resolve()
        write_section("events_accuracy" if same else f"events_accuracy-{args.jsonl.stem}", md)
    if args.json:
        args.json.write_text(json.dumps({k: v for k, v in summary.items() if k != "confusion"}
                                        | {"confusion": [[a, b, n] for (a, b), n in summary["confusion"]],
                                           "process_many_within_25": summarise(pm_scores)["within_25"]},
                                        indent=1), encoding="utf-8")
    print(md)
    return 0


def compare(ing: dict, ing_halves: tuple[dict, dict], pm: dict, pm_halves: tuple[dict, dict], *,
            pm_seconds: float, pm_events: int, notes: int) -> str:
    """The ingest figures beside ``Pipeline.process_many``'s, whole and by halves."""
    rows = [("ingest (headline)", ing, *ing_halves), ("`process_many`, one batch", pm, *pm_halves)]
    lines = ["", "", "The same notes through `Pipeline.process_many` (all notes one batch, as `borderline events` "
             f"reads its inputs; no store, no cross-note merge): {pm_events:,} events in {pm_seconds:.1f} s "
             f"({notes / pm_seconds:,.0f} notes/s). Both decide namesakes with the same context (the notes' "
             "confident events, weighted by time, in windows of `geo.pipeline.CONTEXT_WINDOW` notes), so their "
             "places agree; ingest reads a note's events back as the incidents its reports were merged into "
             "(a later report of an incident takes the first report's precision and the union of the tags). "
             "Tuned on the even lines; the odd lines are held out.", "",
             "| run | within 25 km | even lines (tuned on) | odd lines (held out) | yield | primary type | "
             "primary or tag | precision |", "|---|---|---|---|---|---|---|---|"]
    for name, s, even, odd in rows:
        lines.append(f"| {name} | **{_pct(s['within_25'])}** | {_pct(even['within_25'])} | {_pct(odd['within_25'])} | "
                     f"{_pct(s['yield'])} | {_pct(s['primary'])} | {_pct(s['primary_or_tag'])} | "
                     f"{_pct(s['precision'])} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
