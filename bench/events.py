"""Events benchmark: border distance for a million points, events per second end to end.

Writes the ``events`` section of bench/RESULTS.md. Run: ``.venv/bin/python bench/events.py``
(``--no-write`` to print only). Every figure is the median of ``--repeat`` warm runs, and each
comes with a baseline measured in the same run:

- border distance: ``geo.borders.distance_km`` on one million random points in a box around the
  border, against ``geo.borders.measure`` called point by point (scalar baseline, extrapolated
  from a sample);
- end to end: ``process_many`` (parse, extract, measure) on the example articles of ../shared
  repeated, against the geoparser alone on the same articles; then the same plus writing to a
  fresh GeoPackage store (one transaction per batch).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._results import machine_line, write_section  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
# a box around the land border (Crimea to the Belarus tripoint), where events cluster
BOX = (44.0, 53.5, 30.5, 41.0)                   # lat min, lat max, lon min, lon max


def timed(fn, repeat: int) -> tuple[float, list[float]]:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), runs


def bench_distance(n: int, repeat: int, sample: int) -> dict[str, float]:
    import numpy as np

    from geo import borders

    border = borders.load_border()
    rng = np.random.default_rng(0)
    lats = rng.uniform(BOX[0], BOX[1], n)
    lons = rng.uniform(BOX[2], BOX[3], n)
    borders.distance_km(border, lats[:1000], lons[:1000])        # warm
    med, _ = timed(lambda: borders.distance_km(border, lats, lons), repeat)
    t_scalar, _ = timed(lambda: [borders.measure(border, float(a), float(o))
                                 for a, o in zip(lats[:sample], lons[:sample])], max(1, repeat // 2))
    scalar_per_point = t_scalar / sample
    return {"n": n, "seconds": med, "per_second": n / med, "scalar_per_point_us": scalar_per_point * 1e6,
            "scalar_extrapolated_s": scalar_per_point * n, "speedup": scalar_per_point * n / med}


def bench_pipeline(copies: int, repeat: int) -> dict[str, float]:
    from geo.articles import read_article
    from geo.events import extract_events
    from geo.pipeline import Pipeline, measure_events
    from geo.store import EventStore

    pipe = Pipeline.open()
    base = [read_article(p) for p in sorted((SHARED / "articles").glob("*.txt"))]
    articles = [dataclasses.replace(a, id=f"{a.id}-{k}") for k in range(copies) for a in base]
    words = sum(len(a.text.split()) for a in articles)
    pipe.process_many(base)                                      # warm: caches, automaton, border
    t_parse, _ = timed(lambda: [pipe.geoparser.parse(a) for a in articles], repeat)
    mentions = [pipe.geoparser.parse(a) for a in articles]
    t_extract, _ = timed(lambda: [extract_events(a, m, gazetteer=pipe.gazetteer)
                                  for a, m in zip(articles, mentions)], repeat)
    results = pipe.process_many(articles)
    n_events = sum(len(r.events) for r in results)
    found = [e for a, m in zip(articles, mentions) for e in extract_events(a, m, gazetteer=pipe.gazetteer)]
    t_measure, _ = timed(lambda: measure_events(found, border=pipe.border), repeat)
    t_e2e, _ = timed(lambda: pipe.process_many(articles), repeat)

    def with_store() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            store = EventStore(Path(tmp) / "events.gpkg")
            done = pipe.process_many(articles)
            for i in range(0, len(done), 64):
                store.add((r.article, r.events) for r in done[i:i + 64])

    t_store, _ = timed(with_store, repeat)
    n = len(articles)
    return {"articles": n, "words_per_article": words / n, "events": n_events,
            "parse_aps": n / t_parse, "extract_aps": n / t_extract, "e2e_aps": n / t_e2e,
            "e2e_eps": n_events / t_e2e, "store_aps": n / t_store, "store_eps": n_events / t_store,
            "extract_share": t_extract / t_e2e, "parse_share": t_parse / t_e2e,
            "measure_ms": t_measure * 1000, "measure_share": t_measure / t_e2e}


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    import math

    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _at_seed_place(seed: dict, ev, places: list[dict]) -> bool:
    country = {"Russia": "RU", "Ukraine": "UA"}.get(seed["place"])
    if country:
        return ev.precision == "country" and ev.country == country
    near = [(seed["near"], seed["within_km"])] if "near" in seed else [
        (p["near"], p["within_km"]) for p in places if seed["place"] in (p["name"], p["surface"]) and "near" in p]
    return bool(near) and ev.lat is not None and _km(ev.lat, ev.lon, *near[0][0]) <= near[0][1]


def evaluate_seeds() -> dict[str, object]:
    """Extraction against ../shared/gold/seeds.json: an event matches a seed when it is at the
    seed's place (within its tolerance), of one of its types, on its side and, where given,
    within its border range. Events matching no seed are listed (they are not all wrong: the
    seeds list what must and may be found, not everything true)."""
    import json

    from geo.articles import read_article
    from geo.pipeline import Pipeline

    seeds = json.loads((SHARED / "gold" / "seeds.json").read_text(encoding="utf-8"))
    pipe = Pipeline.open()
    req = opt = req_hit = opt_hit = opt_wrong = n_events = same_precision = with_precision = 0
    precision_notes: list[str] = []
    extra: list[str] = []
    for art in seeds["articles"]:
        events = pipe.process(read_article(SHARED / art["file"]))
        n_events += len(events)
        used: set[int] = set()
        for seed in art["events"]:
            at_place = [i for i, e in enumerate(events) if _at_seed_place(seed, e, art["places"])]
            good = [i for i in at_place if events[i].event_type in seed["types"]
                    and events[i].side == seed.get("side", events[i].side)
                    and ("border_km" not in seed or (events[i].border_km is not None
                                                     and seed["border_km"][0] <= events[i].border_km
                                                     <= seed["border_km"][1]))]
            used.update(good)
            if good and "precision" in seed:
                same_precision += any(events[i].precision == seed["precision"] for i in good)
                with_precision += 1
                if not any(events[i].precision == seed["precision"] for i in good):
                    precision_notes.append(f"{seed['place']}: {events[good[0]].precision} (seeds: {seed['precision']})")
            if seed.get("optional"):
                opt += 1
                opt_hit += bool(good)
                opt_wrong += bool(not good and any(events[i].event_type in seed["types"] for i in at_place))
            else:
                req += 1
                req_hit += bool(good)
        extra += [f"{Path(art['file']).name}: {e.event_type} at {e.place_name} ({e.precision})"
                  for i, e in enumerate(events) if i not in used]
    return {"required": req, "required_found": req_hit, "optional": opt, "optional_found": opt_hit,
            "optional_wrong": opt_wrong, "events": n_events, "extra": extra,
            "same_precision": same_precision, "with_precision": with_precision, "precision_notes": precision_notes}


def report(dist: dict[str, float] | None, pipe: dict[str, float] | None, repeat: int,
           seeds: dict[str, object] | None = None) -> str:
    lines = ["## Events and border distance (`python bench/events.py`)", "", machine_line(),
             f"Medians of {repeat} warm runs, one process, one core.", ""]
    if dist:
        lines += [
            "| border distance | value |", "|---|---|",
            f"| points (random, lat {BOX[0]}–{BOX[1]}, lon {BOX[2]}–{BOX[3]}) | {dist['n']:,} |",
            f"| `distance_km`, vectorised | **{dist['seconds']:.2f} s** ({dist['per_second']:,.0f} points/s) |",
            f"| baseline: `measure` point by point | {dist['scalar_per_point_us']:.0f} µs/point "
            f"(≈ {dist['scalar_extrapolated_s']:,.0f} s for all) |",
            f"| vectorised vs point by point | {dist['speedup']:,.0f}× |", ""]
    if pipe:
        lines += [
            f"| end to end on the {pipe['articles']} example articles (2 × {pipe['articles'] // 2}, "
            f"{pipe['words_per_article']:.0f} words each) | articles/s | events/s |", "|---|---|---|",
            f"| baseline: geoparser alone (`parse`) | {pipe['parse_aps']:,.1f} | |",
            f"| event extraction alone (`extract_events`) | {pipe['extract_aps']:,.1f} | |",
            f"| **parse + extract + measure** (`process_many`) | **{pipe['e2e_aps']:,.1f}** | "
            f"**{pipe['e2e_eps']:,.1f}** |",
            f"| the same + GeoPackage store (64 articles per transaction) | {pipe['store_aps']:,.1f} | "
            f"{pipe['store_eps']:,.1f} |", "",
            f"Stages timed on their own, as shares of the end-to-end time: parsing {pipe['parse_share']:.0%}, "
            f"extraction {pipe['extract_share']:.0%}, border distance and side {pipe['measure_share']:.0%} "
            f"({pipe['measure_ms']:.1f} ms for all {pipe['events']} events, one vectorised call); separate runs "
            f"on a shared machine, so they need not add up to 100%. {pipe['events']} events from "
            f"{pipe['articles']} articles.", ""]
    if seeds:
        lines += [
            "| extraction on ../shared/gold/seeds.json | found |", "|---|---|",
            f"| required events (type, place within tolerance, side, border range) | "
            f"**{seeds['required_found']} / {seeds['required']}** |",
            f"| optional events present and right | {seeds['optional_found']} / {seeds['optional']} "
            f"(present but wrong: {seeds['optional_wrong']}) |",
            f"| matched events with the seeds' precision | {seeds['same_precision']} / {seeds['with_precision']}"
            f" ({'; '.join(seeds['precision_notes']) or 'all'}) |",
            f"| events extracted in all | {seeds['events']} |", "",
            "A village the gazetteer places at its hromada's centre, or at a nearby anchor, is reported "
            "with precision `hromada` (ACLED geo-precision 2), not `settlement`.", "",
            "Events matching no seed (for inspection; the seeds are not exhaustive):", ""]
        lines += [f"- {x}" for x in seeds["extra"]] + [""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--copies", type=int, default=50, help="copies of each example article")
    ap.add_argument("--sample", type=int, default=2000, help="points for the point-by-point baseline")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    dist = bench_distance(args.points, args.repeat, args.sample)
    have_shared = (SHARED / "articles").is_dir()
    pipe = bench_pipeline(args.copies, args.repeat) if have_shared else None
    seeds = evaluate_seeds() if have_shared else None
    md = report(dist, pipe, args.repeat, seeds)
    if not args.no_write:
        write_section("events", md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
