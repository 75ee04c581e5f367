"""Ingest benchmark: articles/s and peak memory for 1, 2 and all local workers (and a Dask
LocalCluster), on the generated corpus (bench/corpus.py), end to end: JSON Lines in, events in
a fresh GeoPackage store out.

Each run is a separate process (``--child``), so start-up and memory are what a user's
``borderline ingest`` sees; this process samples the run's process tree (parent + worker
processes, RSS summed, every 50 ms, psutil) for the peak. Reported per configuration, as
medians of ``--repeats`` runs:

- *wall*: articles / wall-clock seconds of the whole ``ingest()`` call, start-up included
  (opening the gazetteer and loading the geoparser's automaton in each worker);
- *steady*: articles after the first chunk / seconds after it came back, i.e. throughput
  once the workers are up (what a long backfill converges to);
- the ratio of each against one worker, in the same run.

Writes the ``ingest`` section of bench/RESULTS.md and ``bench/out/ingest.json`` (read by
bench/run.py). Run: ``.venv/bin/python bench/ingest.py [--n 2000] [--repeats 3] [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._results import machine_line, write_section  # noqa: E402

OUT = ROOT / "bench" / "out"
METRICS = OUT / "ingest.json"
SAMPLE_S = 0.05


# --- one run, in a child process ------------------------------------------------------------

def child(args: argparse.Namespace) -> int:
    """Ingest ``args.input`` into a fresh store in ``args.data``; print the summary as JSON."""
    from geo.ingest import ingest
    from geo.store import EventStore

    first: list[float] = []
    scheduler = None
    cluster = None
    t_cluster = 0.0
    if args.dask:
        from distributed import LocalCluster

        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=50)
        scheduler = cluster.scheduler_address
        t_cluster = time.perf_counter() - t0

    def on_progress(_done: int, _events: int) -> None:
        if not first:
            first.append(time.perf_counter())

    t0 = time.perf_counter()   # the store is created inside the timing, as the CLI does
    try:
        summary = ingest([args.input], store=EventStore(Path(args.data) / "events.gpkg"),
                         workers=None if args.dask else args.workers, scheduler=scheduler,
                         progress=False, on_failure=lambda m: print(m, file=sys.stderr),
                         on_progress=on_progress)
        seconds = time.perf_counter() - t0
    finally:
        if cluster is not None:
            cluster.close()
    print(json.dumps({
        "processed": summary.processed, "failed": len(summary.failed), "events_added": summary.events_added,
        "events_merged": summary.events_merged, "seconds": seconds, "mode": summary.mode,
        "first_chunk_s": (first[0] - t0) if first else None, "cluster_s": t_cluster,
        "chunk_size": args.chunk_size}))
    return 0


# --- the orchestration ----------------------------------------------------------------------

def _schedstat(pid: int) -> tuple[float, float] | None:
    """(seconds on a CPU, seconds runnable but waiting for one) of a process (Linux)."""
    try:
        with open(f"/proc/{pid}/schedstat", encoding="ascii") as fh:
            run, wait, _slices = fh.read().split()
    except (OSError, ValueError):
        return None
    return int(run) / 1e9, int(wait) / 1e9


def _sample_tree(proc, cpu: dict[int, float], sched: dict[int, tuple[float, float]] | None = None) -> int:
    """RSS of ``proc`` and its descendants, summed; records each one's CPU seconds in ``cpu``
    and its scheduler times in ``sched``."""
    import psutil

    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        try:
            with p.oneshot():
                total += p.memory_info().rss
                t = p.cpu_times()
                cpu[p.pid] = t.user + t.system
            if sched is not None:
                st = _schedstat(p.pid)
                if st is not None:
                    sched[p.pid] = st
        except psutil.Error:
            pass
    return total


def run_once(input_path: Path, workers: int, *, dask: bool = False) -> dict:
    import psutil

    data = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--input", str(input_path),
           "--data", str(data), "--workers", str(workers)] + (["--dask"] if dask else [])
    load_before = os.getloadavg()[0]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    ps = psutil.Process(proc.pid)
    peak = 0
    cpu: dict[int, float] = {}
    sched: dict[int, tuple[float, float]] = {}
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _sample_tree(ps, cpu, sched))
            stop.wait(SAMPLE_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    stop.set()
    sampler.join()
    shutil.rmtree(data, ignore_errors=True)
    if proc.returncode != 0:
        raise RuntimeError(f"ingest run failed ({proc.returncode}): {err.strip()[-500:]}")
    result = json.loads(out.strip().splitlines()[-1])
    ran = sum(r for r, _w in sched.values())
    waited = sum(w for _r, w in sched.values())
    result.update(peak_rss_mb=peak / 1e6, process_s=wall, cpu_s=sum(cpu.values()),
                  cpu_wait_share=waited / (ran + waited) if ran + waited > 0 else float("nan"),
                  cores_used=sum(cpu.values()) / wall, load_before=load_before, load_after=os.getloadavg()[0])
    return result


def subset(n: int, *, seed: int = 0) -> Path:
    """The first ``n`` articles of the 10,000-article corpus, as their own JSON Lines file."""
    from bench.corpus import CORPUS_DIR, ensure_corpus

    full = ensure_corpus(max(10_000, n), seed=seed)
    path = CORPUS_DIR / f"{full.stem}-first{n}.jsonl"
    if not path.is_file():
        with full.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i >= n:
                    break
                dst.write(line)
    return path


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def summarise(label: str, workers: int, runs: list[dict], n: int) -> dict:
    wall = [r["processed"] / r["seconds"] for r in runs]
    steady = []
    for r in runs:
        if r.get("first_chunk_s") is not None and r["seconds"] > r["first_chunk_s"]:
            steady.append((r["processed"] - r["chunk_size"]) / (r["seconds"] - r["first_chunk_s"]))
    return {"label": label, "workers": workers, "runs": len(runs), "n": n,
            "wall_per_s": _median(wall), "steady_per_s": _median(steady),
            "startup_s": _median([r["first_chunk_s"] for r in runs if r.get("first_chunk_s") is not None]),
            "seconds": _median([r["seconds"] for r in runs]),
            "peak_rss_mb": _median([r["peak_rss_mb"] for r in runs]),
            "cores_used": _median([r["cores_used"] for r in runs]),
            "per_core_per_s": _median([r["processed"] / r["seconds"] / r["cores_used"] for r in runs
                                       if r.get("cores_used")]),
            "cpu_wait_share": _median([r["cpu_wait_share"] for r in runs]),
            "events_added": runs[0]["events_added"], "events_merged": runs[0]["events_merged"],
            "failed": runs[0]["failed"], "mode": runs[0]["mode"],
            "load": _median([(r["load_before"] + r["load_after"]) / 2 for r in runs])}


def report(rows: list[dict], *, n: int, cores: int, words: float) -> str:
    base = next((r for r in rows if r["workers"] == 1 and r["label"].startswith("local")), rows[0])
    lines = ["## Batch ingest (`bench/ingest.py`)", "", machine_line(), "",
             f"{n:,} articles (the first {n:,} of the 10,000-article corpus of bench/corpus.py; "
             f"{words:.0f} words on average), JSON Lines in, a fresh GeoPackage store out, "
             "each run a fresh process. *wall*: articles / seconds of the whole `ingest()` call, "
             "start-up included; *start-up*: until the first chunk came back (gazetteer + geoparser "
             "automaton loaded in the workers); *steady*: articles/s after that. Peak memory: RSS of "
             "the run's process and all its children, summed (psutil, sampled every 50 ms). Medians of "
             "the runs shown; ratios against one worker in the same run.", "",
             "| configuration | runs | wall s | wall art/s | vs 1 | start-up s | steady art/s | vs 1 | "
             "cores obtained | wall art/s per core obtained | waiting for a CPU | peak RSS MB | "
             "events (merged) | load avg |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r['label']} | {r['runs']} | {r['seconds']:.1f} | {r['wall_per_s']:.1f} | "
            f"{r['wall_per_s'] / base['wall_per_s']:.2f}× | {r['startup_s']:.1f} | {r['steady_per_s']:.1f} | "
            f"{r['steady_per_s'] / base['steady_per_s']:.2f}× | {r['cores_used']:.2f} | {r['per_core_per_s']:.1f} | {r['cpu_wait_share']:.0%} | {r['peak_rss_mb']:.0f} | "
            f"{r['events_added']:,} ({r['events_merged']:,}) | {r['load']:.1f} |")
    lines += ["", f"Every configuration stored the same number of events (the test suite checks the "
              "stores are identical). *cores obtained*: CPU seconds of the run's whole process tree / "
              "wall seconds, i.e. how much CPU the run actually got (the per-core rate divides by it: "
              "it stays flat when the work spreads over workers without loss); *waiting for a CPU*: of the time its "
              "processes were runnable, the share they waited in the kernel's run queue for a CPU held by "
              "other work (`/proc/PID/schedstat`); *load avg*: the machine's 1-minute "
              f"load average during the runs ({cores} cores). When other work holds the CPUs, more "
              "workers cannot obtain more cores, and the scaling ratio says nothing about the code: read "
              "it together with *cores obtained*.", "",
              f"Target: 200 articles/s end to end on one core (600-word articles): one worker, steady "
              f"{base['steady_per_s']:.1f} articles/s, wall {base['wall_per_s']:.1f}.", "",
              f"Command: `.venv/bin/python bench/ingest.py --n {n}`"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2_000, help="articles per run (default 2,000)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per configuration (default 3)")
    ap.add_argument("--quick", action="store_true", help="400 articles, one run each, no Dask")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster run")
    ap.add_argument("--no-write", action="store_true", help="print only")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--input", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    ap.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--dask", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--chunk-size", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        from geo.ingest import CHUNK_SIZE

        args.chunk_size = args.chunk_size or CHUNK_SIZE
        return child(args)
    from bench.corpus import SHARED

    if not (SHARED / "eval" / "geowebnews.jsonl").is_file():
        print(f"bench/ingest.py: {SHARED} not found (the corpus is built from it)", file=sys.stderr)
        return 2
    n = 400 if args.quick else args.n
    repeats = 1 if args.quick else args.repeats
    path = subset(n)
    with path.open(encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    words = statistics.fmean(len(t.split()) for t in texts)
    from geo.ingest import default_workers

    cores = default_workers()
    configs = [("local, 1 worker (in-process)", 1, False), ("local, 2 workers", 2, False)]
    if cores not in (1, 2):
        configs.append((f"local, all {cores} workers", cores, False))
    if not args.quick and not args.no_dask:
        configs.append(("Dask LocalCluster, 2 workers", 2, True))
    rows = []
    for label, workers, dask in configs:
        runs = []
        for i in range(1 if dask else repeats):
            r = run_once(path, workers, dask=dask)
            print(f"  {label}, run {i + 1}: {r['processed']} articles in {r['seconds']:.1f} s "
                  f"(first chunk at {r['first_chunk_s'] or float('nan'):.1f} s), peak {r['peak_rss_mb']:.0f} MB, "
                  f"{r['cores_used']:.2f} cores obtained, {r['cpu_wait_share']:.0%} of runnable time waiting "
                  f"for a CPU, load {r['load_before']:.1f}", flush=True)
            runs.append(r)
        rows.append(summarise(label, workers, runs, n))
    if cores == 2:
        rows[1]["label"] += " (= all cores here)"
    md = report(rows, n=n, cores=cores, words=words)
    print(md)
    OUT.mkdir(parents=True, exist_ok=True)
    METRICS.write_text(json.dumps({"n": n, "cores": cores, "rows": rows}, indent=2), encoding="utf-8")
    if not args.no_write:
        write_section("ingest", md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
