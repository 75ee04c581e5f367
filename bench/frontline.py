"""Front-line benchmark: importing snapshots, and measuring events against them.

Writes the ``frontline`` section of bench/RESULTS.md. Run: ``.venv/bin/python bench/frontline.py``
(``--no-write`` to print only; ``--n``, ``--snapshots``, ``--repeat``, ``--sample`` change the
sizes; ``--from DIR`` imports real snapshot files you have instead of the made-up ones; they
are never shipped and this section then says how many files were read).

- Snapshots: made-up by default (a wiggly front from Kharkiv oblast to the Dnipro, ~3,000
  vertices, shifted a little each day; occupied east of it up to the border), one every
  ``--every`` days; imported with ``geo.frontline.imports`` (geometry care included): median
  seconds per snapshot.
- ``front_measures`` on ``--n`` events (70 % within ~60 km of the line, the rest anywhere in a
  box around Ukraine, dated across the snapshots): median of ``--repeat`` runs, each on a
  fresh series (geometry read and search trees built: the app's first load). Baseline in
  the same run: ``geo.borders.distance_km`` (the border, grid index) on the same points.
- The line search alone (``geo.borders.line_distance_km``) on one snapshot's line against
  the exact path (the border engine without an index) on a sample, and the error against a
  brute-force geodesic reference (every 5 m).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._results import machine_line, write_section  # noqa: E402

BOX = (44.5, 52.5, 22.0, 40.5)        # lat min, lat max, lon min, lon max: Ukraine and around


def timed(fn, repeat: int) -> tuple[float, list[float]]:
    walls = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
    return statistics.median(walls), walls


def made_up_front(day: int, rng_seed: int = 0):
    """A made-up occupied area for day ``day``: east of a wiggly line from (37.6E, 50.4N) to
    (33.0E, 46.6N) (~3,000 vertices), shifted west by up to a few km over time."""
    import numpy as np
    import shapely

    rng = np.random.default_rng(rng_seed)
    t = np.linspace(0.0, 1.0, 3000)
    lon = 37.6 + (33.0 - 37.6) * t + np.cumsum(rng.normal(0, 0.004, len(t)))
    lat = 50.4 + (46.6 - 50.4) * t + np.cumsum(rng.normal(0, 0.003, len(t)))
    lon = lon - 0.0005 * day * np.sin(np.pi * t)
    ring = np.r_[np.c_[lon, lat], [[36.0, 45.0], [41.5, 45.0], [41.5, 51.0]], [[lon[0], lat[0]]]]
    # as a drawn map would: up to the border and the coast (a little past them, as drawn)
    from geo import borders
    return shapely.intersection(shapely.make_valid(shapely.Polygon(ring)), shapely.buffer(borders.load_border().ua, 0.01))


def _store_made_up(store, days: list[dt.date]) -> list[float]:
    from geo.frontline.geometry import territory
    from geo.frontline.store import NewSnapshot

    seconds = []
    for k, day in enumerate(days):
        poly = made_up_front(k)
        t0 = time.perf_counter()
        snap = NewSnapshot(date=day, stamp=None, source="made-up", format="daily", file=f"made-up-{day}.geojson",
                           digest=f"{k:064x}", territory=territory([poly]))
        store.add([snap])
        seconds.append(time.perf_counter() - t0)
    return seconds


def _store_files(store, folder: Path) -> tuple[list[float], int]:
    from geo.frontline.imports import import_paths, iter_snapshot_paths

    files = [p for p in iter_snapshot_paths([folder]) if isinstance(p, Path)]
    seconds = []
    for f in files:
        t0 = time.perf_counter()
        import_paths([f], store)
        seconds.append(time.perf_counter() - t0)
    return seconds, len(files)


def _events(n: int, series, seed: int = 0):
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    rng = np.random.default_rng(seed)
    near = int(n * 0.7)
    snaps = series.snapshots
    lines = [series.territory(s.id).front for s in snaps[:: max(1, len(snaps) // 8)]]
    xy = np.vstack([shapely.get_coordinates(g) for g in lines if not g.is_empty])
    k = rng.integers(0, len(xy), near)
    lat = np.r_[xy[k, 1] + rng.normal(0, 0.25, near), rng.uniform(BOX[0], BOX[1], n - near)]
    lon = np.r_[xy[k, 0] + rng.normal(0, 0.35, near), rng.uniform(BOX[2], BOX[3], n - near)]
    first, last = snaps[0].date, snaps[-1].date
    span = (last - first).days + 1
    days = np.datetime64(first) + rng.integers(0, span, n).astype("timedelta64[D]")
    frame = pd.DataFrame({"event_id": [f"e{i}" for i in range(n)], "lat": lat, "lon": lon,
                          "date": days.astype(str), "date_precision": "day", "precision": "settlement"})
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def _line_section(series, sample: int, n_line: int) -> list[str]:
    import numpy as np
    import shapely

    from bench.borders import brute_force_km
    from geo import borders

    snap = series.snapshots[len(series.snapshots) // 2]
    front = series.territory(snap.id).front
    rng = np.random.default_rng(3)
    xy = shapely.get_coordinates(front)
    parts = [shapely.get_coordinates(p) for p in shapely.get_parts(front)]

    def points(m: int):
        k = rng.integers(0, len(xy), m // 2)
        return (np.r_[xy[k, 1] + rng.normal(0, 0.02, m // 2), rng.uniform(BOX[0], BOX[1], m - m // 2)],
                np.r_[xy[k, 0] + rng.normal(0, 0.03, m // 2), rng.uniform(BOX[2], BOX[3], m - m // 2)])

    lat, lon = points(n_line)
    t_fast, _ = timed(lambda: borders.line_distance_km(borders.Line(front), lat, lon), 3)   # tree built each time
    t_build, _ = timed(lambda: borders.Line(front)._search, 3)
    s_lat, s_lon = points(sample)
    fast = borders.line_distance_km(borders.Line(front), s_lat, s_lon)
    # the exact path: the engine without an index, one part at a time (it takes one polyline)
    t0 = time.perf_counter()
    exact = np.min([borders.distance_km(borders.Border(shapely.LineString(p), None, None, "", "", "", 0.0, None),
                                        s_lat, s_lon) for p in parts], axis=0)
    per_exact = (time.perf_counter() - t0) / sample
    near = sample // 2
    ref = np.array([min(brute_force_km(p, a, o) for p in parts) for a, o in zip(s_lat[:near], s_lon[:near])])
    err = (fast[:near] - ref) * 1000
    return [
        f"**The line search alone** (`geo.borders.line_distance_km`, the {snap.date} line: {len(xy):,} vertices "
        f"in {len(parts)} parts, {snap.front_km:,.0f} km), points half within a few km of it, half anywhere in "
        "the box, median of 3 runs:",
        "",
        "| | wall | points/s |",
        "|---|---|---|",
        f"| STRtree candidates + the border engine, {n_line:,} points (tree built each run: {t_build * 1000:.0f} ms) | "
        f"{t_fast:.2f} s | {n_line / t_fast:,.0f} |",
        f"| exact path (the engine without an index: Geod to every vertex), per point x {n_line:,} "
        f"(from {sample} points) | {per_exact * n_line:.1f} s | {1 / per_exact:,.0f} |",
        "",
        f"Ratio: **{per_exact * n_line / t_fast:,.0f}x** faster than the exact path; on the {sample} points the largest "
        f"difference from it is {np.abs(fast - exact).max() * 1000:.2f} m. Against a brute-force geodesic reference "
        f"(Geod to points every 5 m) on the {near} near ones: max |error| {np.abs(err).max():.2f} m, median "
        f"{np.median(np.abs(err)):.2f} m (the reference's 5 m spacing overshoots by up to ~2.5 m at the line).",
    ]


def run(n: int, n_snapshots: int, every: int, repeat: int, sample: int, folder: Path | None) -> str:
    import numpy as np

    from geo import borders
    from geo.frontline.geometry import shipped_reference
    from geo.frontline.measure import front_measures, load_series
    from geo.frontline.store import FrontlineStore

    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    shipped_reference()
    t_ref = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="bench-frontline-") as tmp:
        store = FrontlineStore(Path(tmp) / "frontline.gpkg")
        if folder is None:
            first = dt.date(2024, 1, 1)
            seconds = _store_made_up(store, [first + dt.timedelta(days=every * k) for k in range(n_snapshots)])
            what = (f"{n_snapshots} made-up snapshots, one every {every} days (the line ~3,000 vertices, moving "
                    "west a little each day)")
        else:
            seconds, n_files = _store_files(store, folder)
            what = f"{n_files} files read from a local copy (not shipped)"
        series = load_series(store)
        events = _events(n, series)
        lat, lon = events["lat"].to_numpy(), events["lon"].to_numpy()
        measures = front_measures(events, series)
        wall, walls = timed(lambda: front_measures(events, load_series(store)), repeat)
        border = borders.load_border()
        borders.distance_km(border, lat, lon)
        b_wall, _ = timed(lambda: borders.distance_km(border, lat, lon), repeat)
        km = measures["front_km"].to_numpy()
        groups = measures["front_date"].nunique()
        line_lines = _line_section(series, sample, min(n, 20_000))
    control = measures["control"].fillna("none").value_counts()
    lines = [
        "## Front line (`bench/frontline.py`)",
        "",
        machine_line(),
        f"Load average: {load0:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (the machine is shared).",
        "",
        f"**Import**: {what}. Geometry care and storing, per snapshot: median {statistics.median(seconds):.2f} s "
        f"(min {min(seconds):.2f}, max {max(seconds):.2f}); the reference geometry (Ukraine's outline buffered "
        f"by 500 m), once per process: {t_ref:.2f} s.",
        "",
        f"**`front_measures` on {n:,} events** over {groups} snapshots (median front distance "
        f"{np.nanmedian(km):.1f} km; {np.mean(km <= 5) * 100:.1f}% within 5 km; control: "
        + ", ".join(f"{k} {v:,}" for k, v in control.items()) + f"), median of {repeat} runs, each on a fresh "
        "series (geometry read, trees built):",
        "",
        "| | wall | events/s |",
        "|---|---|---|",
        f"| `front_measures` (control + geodesic km to the day's line) | **{wall:.2f} s** | {n / wall:,.0f} |",
        f"| baseline: `borders.distance_km` to the state border, same points (grid index) | {b_wall:.2f} s "
        f"| {n / b_wall:,.0f} |",
        "",
        f"Ratio to the baseline: {wall / b_wall:.1f}x (runs: {', '.join(f'{w:.2f}' for w in walls)} s).",
        "",
        *line_lines,
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="events (default 100,000)")
    parser.add_argument("--snapshots", type=int, default=120, help="made-up snapshots (default 120)")
    parser.add_argument("--every", type=int, default=3, help="days between made-up snapshots (default 3)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=200, help="points for the line search and its error")
    parser.add_argument("--from", dest="folder", type=Path, help="import these snapshot files instead")
    parser.add_argument("--quick", action="store_true", help="30 snapshots, 2 repeats, 100-point samples")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.snapshots, args.repeat, args.sample = min(args.snapshots, 30), min(args.repeat, 2), min(args.sample, 100)
    md = run(args.n, args.snapshots, args.every, args.repeat, args.sample, args.folder)
    print(md)
    if not args.no_write:
        write_section("frontline", md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
