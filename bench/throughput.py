"""English end-to-end throughput against an earlier commit, measured in the same run.

``.venv/bin/python bench/throughput.py [--baseline REV] [--runs 5] [--articles 1000]``

Both trees run ``borderline ingest --workers 1`` (one process: all its CPU is its own) on the same
English articles (the first ``--articles`` of bench/corpus.py's generated corpus) into a fresh
temporary data directory, taking turns (this tree, the baseline, this tree...) so both meet the
same load; one warm-up run each is not counted. The baseline is a detached ``git worktree`` of
``REV`` (default: the commit before issues 14-16) run with this project's interpreter and
``PYTHONPATH`` pointed at it, with its own gazetteer built by its own code (once; kept under
bench/out/). Figures are medians of whole-process wall and CPU time; the ratio is articles/s of
this tree over the baseline's (above 1: this tree is faster). Writes the ``throughput`` section of
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._results import machine_line, write_section  # noqa: E402

OUT = ROOT / "bench" / "out"
#: The last commit before the work on issues 14 (the whole border), 15 (Ukrainian and Russian)
#: and 16 (the map's reference layers and front line): "today's code" when they were filed.
DEFAULT_BASELINE = "dd3ac31"
#: The issues' floor: this tree's English articles/s over the baseline's.
TARGET_RATIO = 0.90


@dataclass(frozen=True)
class Tree:
    label: str
    path: Path
    cache: Path


def _git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def baseline_tree(rev: str) -> Tree:
    """A detached worktree of ``rev`` under bench/out/, and its own gazetteer built there once."""
    sha = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    path = OUT / f"baseline-{sha[:12]}"
    if not (path / "geo").is_dir():
        if path.exists():
            shutil.rmtree(path)
        _git("worktree", "prune")
        _git("worktree", "add", "--detach", str(path), sha)
    cache = OUT / f"baseline-{sha[:12]}-cache"
    cache.mkdir(parents=True, exist_ok=True)
    env = _env(path, cache)
    subprocess.run([sys.executable, "-m", "geo", "gazetteer", "build"], cwd=path, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return Tree(f"baseline {sha[:9]}", path, cache)


def _env(tree: Path, cache: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(tree), BORDERLINE_CACHE=str(cache), TQDM_DISABLE="1")
    env.pop("BORDERLINE_DATA", None)
    return env


def _current_cache() -> Path:
    from gazetteer.query import default_cache_dir  # $BORDERLINE_CACHE, else the user cache dir

    return default_cache_dir()


def run_once(tree: Tree, corpus: Path) -> tuple[float, float]:
    """One ``borderline ingest --workers 1`` of ``corpus`` into a fresh data dir: (wall s, CPU s)."""
    data = Path(tempfile.mkdtemp(prefix="bl-throughput-"))
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "geo", "ingest", str(corpus), "--workers", "1",
                               "--data", str(data)], cwd=tree.path, env=_env(tree.path, tree.cache),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench/throughput.py: ingest in {tree.path} failed:\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(trees: list[Tree], corpus: Path, *, runs: int) -> dict[str, tuple[list[float], list[float]]]:
    """Each tree ``runs`` times, in turn, after one uncounted warm-up each."""
    for tree in trees:
        run_once(tree, corpus)
    times: dict[str, tuple[list[float], list[float]]] = {t.label: ([], []) for t in trees}
    for i in range(runs):
        for tree in trees if i % 2 == 0 else trees[::-1]:
            wall, cpu = run_once(tree, corpus)
            times[tree.label][0].append(wall)
            times[tree.label][1].append(cpu)
            print(f"  {tree.label}: {wall:.2f} s wall, {cpu:.2f} s CPU", flush=True)
    return times


def report(times: dict[str, tuple[list[float], list[float]]], trees: list[Tree], *, n: int, runs: int,
           load: tuple[float, float], command: str) -> str:
    here, base = trees
    med = {label: (statistics.median(w), statistics.median(c)) for label, (w, c) in times.items()}
    ratio_wall = med[base.label][0] / med[here.label][0]
    ratio_cpu = med[base.label][1] / med[here.label][1]
    verdict = "PASS" if ratio_wall >= TARGET_RATIO else "MISS"
    lines = ["## English throughput against a same-run baseline (`bench/throughput.py`)", "",
             f"{machine_line()} Load average {load[0]:.1f} at the start, {load[1]:.1f} at the end.",
             f"Command: `{command}`. {n:,} English articles of ~600 words (bench/corpus.py), "
             f"`borderline ingest --workers 1` into a fresh data dir, whole process timed (start-up, "
             f"gazetteer open, store writes included); {runs} runs each taking turns after one warm-up; medians.",
             "", "| tree | wall s | CPU s | articles/s (wall) |", "|---|---:|---:|---:|"]
    for tree in trees:
        wall, cpu = med[tree.label]
        lines.append(f"| {tree.label} | {wall:.2f} | {cpu:.2f} | {n / wall:.1f} |")
    lines += ["", "| measure | value |", "|---|---|",
              f"| ratio | **{ratio_wall:.3f}×** (articles/s, this tree over the baseline; "
              f"target ≥ {TARGET_RATIO:.2f}×: {verdict}) |",
              f"| ratio by CPU time | {ratio_cpu:.3f}× |"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default=DEFAULT_BASELINE, help=f"commit to compare with (default {DEFAULT_BASELINE})")
    ap.add_argument("--runs", type=int, default=5, help="counted runs per tree")
    ap.add_argument("--articles", type=int, default=1000, help="English articles per run")
    ap.add_argument("--no-write", action="store_true", help="print only")
    args = ap.parse_args(argv)
    from bench.ingest import subset

    corpus = subset(args.articles)
    load0 = os.getloadavg()[0]
    trees = [Tree("this tree", ROOT, _current_cache()), baseline_tree(args.baseline)]
    times = measure(trees, corpus, runs=args.runs)
    command = (f".venv/bin/python bench/throughput.py --baseline {args.baseline} --runs {args.runs} "
               f"--articles {args.articles}")
    text = report(times, trees, n=args.articles, runs=args.runs, load=(load0, os.getloadavg()[0]), command=command)
    print(text)
    if not args.no_write:
        write_section("throughput", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
