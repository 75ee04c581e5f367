"""Border benchmark: geodesic distance for a million points, and its error.

Writes the ``borders`` section of bench/RESULTS.md. Run: ``.venv/bin/python bench/borders.py``
(``--no-write`` to print only; ``--n``, ``--repeat``, ``--sample`` to change the sizes).

- ``geo.borders.distance_km`` on ``--n`` random points in a box around the border: the
  median wall time (and process CPU time, which other work on the machine inflates less)
  of ``--repeat`` warm runs, points per second.
- Baseline in the same run: the exact path (the same line without its index: geodesic
  distance to every vertex bounds the candidate segments, each measured with Geod) on a
  ``--sample`` of the same points, per point, and the ratio.
- Error against a brute-force geodesic reference on that sample: every candidate segment
  densified every 5 m (straight in lon/lat, as GeoJSON draws it), Geod.inv to each of
  those points, the minimum.
- ``geo.borders.side`` on the same points, for scale.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._results import machine_line, write_section  # noqa: E402

# a box around the land border (Crimea to the Belarus tripoint), as bench/events.py uses
BOX = (44.0, 53.5, 30.5, 41.0)                   # lat min, lat max, lon min, lon max


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median wall and median process-CPU seconds of ``repeat`` runs."""
    wall, cpu = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def brute_force_km(xy, lat: float, lon: float, step_m: float = 5.0) -> float:
    """Geodesic km (pyproj Geod) to the line: every segment that can hold the nearest point
    (an end within the nearest vertex's distance plus the segment's length), densified every
    step_m, straight in lon/lat as GeoJSON draws it; the minimum over all those points."""
    import numpy as np
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    seg = geod.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])[2]
    dv = geod.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])[2]
    best = dv.min()
    cand = np.flatnonzero(np.minimum(dv[:-1], dv[1:]) <= best + seg * 1.01)
    pts = []
    for i in cand:
        n = int(seg[i] // step_m)
        if n:
            f = np.linspace(0.0, 1.0, n + 2)[1:-1, None]
            pts.append(xy[i] + f * (xy[i + 1] - xy[i]))
    if pts:
        p = np.vstack(pts)
        best = min(best, geod.inv(np.full(len(p), lon), np.full(len(p), lat), p[:, 0], p[:, 1])[2].min())
    return float(best) / 1000


def run(n: int, repeat: int, sample: int) -> str:
    import numpy as np

    from geo import borders

    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    border = borders.load_border()
    borders.distance_km(border, 50.0, 36.0)                      # builds the search structures
    t_load = time.perf_counter() - t0
    exact = borders.Border(line=border.line, ru=border.ru, ua=border.ua, source=border.source,
                           licence=border.licence, crimea=border.crimea, length_km=border.length_km)
    borders.distance_km(exact, 50.0, 36.0)

    rng = np.random.default_rng(0)
    lats = rng.uniform(BOX[0], BOX[1], n)
    lons = rng.uniform(BOX[2], BOX[3], n)
    km = borders.distance_km(border, lats, lons)                 # warm
    wall, cpu = timed(lambda: borders.distance_km(border, lats, lons), repeat)
    side_wall, _ = timed(lambda: borders.side(border, lats, lons), max(1, repeat // 2))

    s_lat, s_lon = lats[:sample], lons[:sample]
    ex_wall, _ = timed(lambda: borders.distance_km(exact, s_lat, s_lon), 1)
    per_point_exact = ex_wall / sample
    xy = np.asarray(border.line.coords)
    # the error sample: the same uniform points, and as many within a few km of the line
    # (where the border's wiggles make the nearest segment hard to find)
    k = rng.integers(0, len(xy), sample)
    e_lat = np.r_[s_lat, xy[k, 1] + rng.normal(0.0, 0.03, sample)]
    e_lon = np.r_[s_lon, xy[k, 0] + rng.normal(0.0, 0.05, sample)]
    t_ref = time.perf_counter()
    ref = np.array([brute_force_km(xy, a, o) for a, o in zip(e_lat, e_lon)])
    t_ref = (time.perf_counter() - t_ref) / len(ref)
    fast = borders.distance_km(border, e_lat, e_lon)
    err_fast = (fast - ref) * 1000
    err_exact = (borders.distance_km(exact, e_lat, e_lon) - ref) * 1000
    near = np.arange(len(ref)) >= sample

    refs = {name: float(borders.distance_km(border, la, lo)) for name, la, lo in
            [("Kursk", 51.73, 36.19), ("Belgorod", 50.60, 36.59), ("Novoshakhtinsk", 47.76, 39.93),
             ("Oryol", 52.97, 36.06)]}
    gold = {"Kursk": 91.6, "Belgorod": 32.0, "Novoshakhtinsk": 15.8, "Oryol": 160.7}

    def q(a, p):
        return float(np.percentile(np.abs(a), p))

    lines = [
        "## Border distance (`bench/borders.py`)",
        "",
        machine_line(),
        "",
        f"Border: {border.source}; {len(xy):,} vertices, {border.length_km:,.1f} km. "
        f"Load + search structures: {t_load:.2f} s (once per process).",
        "",
        f"Load average during the run: {load0:.1f} -> {os.getloadavg()[0]:.1f} (CPU time is what this "
        "process used; wall time also counts waiting for a core).",
        "",
        f"**`distance_km` on {n:,} random points** in lat {BOX[0]}..{BOX[1]}, lon {BOX[2]}..{BOX[3]} "
        f"(median distance {np.median(km):.0f} km, {np.mean(km < 25) * 100:.1f}% within 25 km), "
        f"median of {repeat} warm runs:",
        "",
        "| | wall | CPU s | points/s (wall) |",
        "|---|---|---|---|",
        f"| `distance_km`, {n:,} points (grid index, Geod.inv to the nearest point) | **{wall:.2f} s** "
        f"| {cpu:.2f} | {n / wall:,.0f} |",
        f"| exact path (no index: Geod to every vertex, then the segments that can be nearest), "
        f"per point x {n:,} (from {sample} points) | {per_point_exact * n:,.0f} | | {1 / per_point_exact:,.0f} |",
        f"| brute force (the reference below), per point x {n:,} | {t_ref * n:,.0f} | | {1 / t_ref:,.0f} |",
        f"| `side` (shapely.contains_xy, prepared polygons) | {side_wall:.2f} | | {n / side_wall:,.0f} |",
        "",
        f"`distance_km` is **{per_point_exact * n / wall:,.0f}x** faster than the exact path and "
        f"**{t_ref * n / wall:,.0f}x** faster than brute force (wall time).",
        "",
        f"**Error against a brute-force geodesic reference** ({sample} of the points above and {sample} "
        "within a few km of the line; every segment that can hold the nearest point densified every 5 m, "
        "Geod.inv to each of those points, the minimum). Metres, `distance_km` minus reference:",
        "",
        "| points | method | max | p99 abs | median abs | min |",
        "|---|---|---|---|---|---|",
    ]
    for label, sel in (("uniform", ~near), ("near the line", near)):
        for name, err in (("`distance_km`", err_fast), ("exact path", err_exact)):
            e = err[sel]
            lines.append(f"| {label} (median {np.median(ref[sel]):.1f} km) | {name} | {e.max():.2f} | "
                         f"{q(e, 99):.2f} | {q(e, 50):.3f} | {e.min():.2f} |")
    lines += [
        "",
        "(Negative: the reference's 5 m spacing overshoots by up to ~2.5 m right at the line. Segments are "
        "straight in lon/lat, as GeoJSON draws them; read as geodesics, the longest (10 km) would move by "
        "up to ~2.4 m.)",
        "",
        "**Reference points** (`../shared/gold/seeds.json`): "
        + ", ".join(f"{k} {v:.2f} km (gold {gold[k]}, diff {v - gold[k]:+.2f})" for k, v in refs.items()) + ".",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="2 repeats, 50-point samples (n unchanged)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.sample = min(args.repeat, 2), min(args.sample, 50)
    md = run(args.n, args.repeat, args.sample)
    print(md)
    if not args.no_write:
        write_section("borders", md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
