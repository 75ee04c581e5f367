"""Every benchmark, one command: ``.venv/bin/python bench/run.py [--quick]``.

Prints the machine (cores, load), runs each benchmark script in its own process (so one's
memory and start-up never colour another's), in this order: gazetteer lookups, geoparser,
events and border distance, borders, map build and browser render (and the app's memory),
Telegram export reading, batch ingest, the front line, English throughput against an earlier
commit. Each script rewrites its own section of
bench/RESULTS.md; this one then writes the ``summary`` section at the top: what ran, and the
issue's targets with PASS/MISS and the margin, read from the sections the scripts wrote
(``bench/out/ingest.json`` for ingest).

``--quick`` passes each script its reduced settings (fewer repeats, smaller sizes); the
summary says so. ``--only``/``--skip`` pick scripts by name.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._results import RESULTS, machine_line, write_section  # noqa: E402

OUT = ROOT / "bench" / "out"


@dataclass(frozen=True)
class Bench:
    name: str                       # also its section name in RESULTS.md
    script: str
    what: str
    full: tuple[str, ...] = ()
    quick: tuple[str, ...] = ()


BENCHES: tuple[Bench, ...] = (
    Bench("gazetteer", "bench/gazetteer.py", "gazetteer build, open, lookups/s",
          quick=("--runs", "2", "--build-runs", "1", "--keys", "5000", "--queries", "2000")),
    Bench("geoparse", "bench/geoparse.py", "geoparser accuracy and parse throughput"),
    Bench("geoparse_ukru", "bench/geoparse_ukru.py",
          "Ukrainian and Russian place names: recognition, resolution on VIINA, throughput"),
    Bench("events_accuracy", "bench/events_accuracy.py",
          "events on the ACLED dev notes: yield, distance to the true point, type, precision"),
    Bench("viina", "bench/viina.py",
          "events on Ukrainian and Russian headlines (VIINA) through ingest: yield, distance, types, dates",
          quick=("--half", "even")),
    Bench("events", "bench/events.py", "border distance for 1M points, events/s end to end",
          quick=("--repeat", "2", "--copies", "10", "--sample", "500")),
    Bench("borders", "bench/borders.py", "border line and distance accuracy/speed",
          quick=("--quick",)),
    Bench("map", "bench/map.py", "map build + browser render 1k/10k/100k, app memory",
          quick=("--quick", "--runs", "1")),
    Bench("telegram", "bench/telegram.py", "Telegram export reading: time and memory, against JSON Lines",
          quick=("--quick",)),
    Bench("ingest", "bench/ingest.py", "batch ingest articles/s and memory, 1/2/all workers",
          quick=("--quick",)),
    Bench("frontline", "bench/frontline.py", "front-line import, measures for 100k events, line search",
          quick=("--quick",)),
    Bench("throughput", "bench/throughput.py", "English ingest articles/s against the code before issues 14-16",
          quick=("--runs", "2", "--articles", "300")),
)


def _supported(script: Path, args: tuple[str, ...]) -> list[str]:
    """``args`` less the options the script does not take (read from its ``--help``)."""
    try:
        help_text = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True,
                                   cwd=ROOT, timeout=120).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    out: list[str] = []
    i = 0
    while i < len(args):
        opt = args[i]
        takes_value = i + 1 < len(args) and not args[i + 1].startswith("--")
        if re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", help_text):
            out += [opt, args[i + 1]] if takes_value else [opt]
        i += 2 if takes_value else 1
    return out


def run_bench(b: Bench, *, quick: bool) -> dict:
    script = ROOT / b.script
    if not script.is_file():
        print(f"\n=== {b.name}: {b.script} is not there; skipped", flush=True)
        return {"name": b.name, "status": "missing", "seconds": 0.0, "args": []}
    args = _supported(script, b.quick if quick else b.full)
    print(f"\n=== {b.name}: {b.what}\n$ .venv/bin/python {b.script} {' '.join(args)}".rstrip(), flush=True)
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    code = subprocess.run([sys.executable, str(script), *args], cwd=ROOT).returncode
    seconds = time.perf_counter() - t0
    status = "ok" if code == 0 else f"failed (exit {code})"
    print(f"=== {b.name}: {status} in {seconds:.0f} s", flush=True)
    return {"name": b.name, "status": status, "seconds": seconds, "args": args,
            "load": (load + os.getloadavg()[0]) / 2}


# --- reading the numbers back -----------------------------------------------------------------

def _sections(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in
            re.finditer(r"<!-- ([\w-]+):start -->\n(.*?)<!-- \1:end -->", text, re.S)}


def _num(s: str) -> float:
    return float(s.replace(",", ""))


@dataclass(frozen=True)
class Target:
    what: str
    goal: str
    measured: str | None        # None: not found
    passed: bool | None
    margin: str
    where: str
    issue: str = "6"


def _target(what: str, goal: str, value: float | None, limit: float, *, higher_is_better: bool,
            unit: str, where: str, fmt: str = "{:,.1f}", issue: str = "6") -> Target:
    if value is None:
        return Target(what, goal, None, None, "", where, issue)
    ok = value >= limit if higher_is_better else value <= limit
    ratio = value / limit if higher_is_better else limit / value if value else float("inf")
    margin = (f"{ratio:.2f}× the target" if higher_is_better else f"{ratio:.2f}× under the limit") if ok \
        else (f"{ratio:.2f}× of the target" if higher_is_better else f"{1 / ratio:.2f}× the limit")
    shown = fmt.format(value) + (unit if unit in ("", "×") else f" {unit}")
    return Target(what, goal, shown, ok, margin, where, issue)


def targets(sections: dict[str, str]) -> list[Target]:
    out: list[Target] = []

    # 1. end to end on one core: the ingest benchmark, one worker, steady state
    ingest = None
    if (OUT / "ingest.json").is_file() and "ingest" in sections:
        try:
            data = json.loads((OUT / "ingest.json").read_text(encoding="utf-8"))
            one = next(r for r in data["rows"] if r["workers"] == 1)
            ingest = one
        except (ValueError, KeyError, StopIteration):
            ingest = None
    out.append(_target("end to end, one core (read → parse → events → distance → store), 600-word articles",
                       "≥ 200 articles/s", ingest["steady_per_s"] if ingest else None, 200, higher_is_better=True,
                       unit="articles/s", where=(f"ingest: 1 worker, steady state over {ingest['n']:,} articles "
                                                 f"(wall incl. start-up {ingest['wall_per_s']:.1f}/s)"
                                                 if ingest else "ingest")))
    if ingest is None and "events" in sections:
        m = re.search(r"\*\*parse \+ extract \+ measure\*\* \(`process_many`\) \| \*\*([\d,.]+)\*\*", sections["events"])
        if m:
            out[-1] = _target(out[-1].what, out[-1].goal, _num(m.group(1)), 200, higher_is_better=True,
                              unit="articles/s", where="events: process_many on the example articles")

    # 2. one million border distances
    dist = None
    where = "events"
    for name in ("events", "borders"):
        text = sections.get(name, "")
        m = (re.search(r"`distance_km`, vectorised \| \*\*([\d.]+) s\*\*", text)
             or re.search(r"(?:1,000,000|one million|1M)[^\n|]*\|[^\n]*?\*\*([\d.]+) s\*\*", text, re.I))
        if m:
            dist, where = _num(m.group(1)), name
            break
    out.append(_target("border distance, 1,000,000 points", "< 2 s", dist, 2.0, higher_is_better=False,
                       unit="s", where=where, fmt="{:.2f}"))

    # 3. the app's memory with 100,000 events
    rss = None
    m = re.search(r"With ([\d,]+) events:.*?server RSS (\d+) MB idle, (\d+) MB with the events loaded",
                  sections.get("map", ""), re.S)
    if m and _num(m.group(1)) >= 100_000:
        rss = _num(m.group(3))
    out.append(_target("app process memory, 100,000 events loaded and the map sent", "< 1,000 MB", rss, 1000.0,
                       higher_is_better=False, unit="MB RSS", where="map (streamlit server process)",
                       fmt="{:,.0f}"))

    # 4. gazetteer lookups per second
    lookups = None
    m = re.search(r"warm `candidates\(key\)` / s[^|]*\| ([\d,]+) \|", sections.get("gazetteer", ""))
    if m:
        lookups = _num(m.group(1))
    out.append(_target("gazetteer lookups, one core (warm `candidates(key)`, the geoparser's hot path)",
                       "≥ 50,000 /s", lookups, 50_000, higher_is_better=True, unit="/s", where="gazetteer",
                       fmt="{:,.0f}"))
    return out


def _found(sections: dict[str, str], section: str, pattern: str) -> float | None:
    m = re.search(pattern, sections.get(section, ""), re.S)
    return _num(m.group(1)) if m else None


def _share(what: str, goal: float, value: float | None, where: str, issue: str) -> Target:
    return _target(what, f"≥ {goal:.2f}", value, goal, higher_is_better=True, unit="", where=where,
                   fmt="{:.3f}", issue=issue)


def issue_targets(sections: dict[str, str]) -> list[Target]:
    """The targets of issues 14 (the whole border), 15 (Ukrainian and Russian) and 16 (the map's
    reference layers), read from the sections their scripts write."""
    out = [_share("ACLED dev notes through `borderline ingest`: nearest event within 25 km", 0.88,
                  _found(sections, "events_accuracy", r"\| ingest \(headline\) \| \*\*([\d.]+)\*\*"),
                  "events_accuracy", "14"),
           _share("the same through `process_many` (must equal ingest's)", 0.88,
                  _found(sections, "events_accuracy", r"\| `process_many`, one batch \| \*\*([\d.]+)\*\*"),
                  "events_accuracy", "14")]
    for corpus in ("neruk_dev", "factru_dev"):
        for split, label in (("held out \\(odd\\)", "held-out odd half"), ("all", "whole file")):
            out.append(_share(f"place-name recognition F1, {corpus}, {label}", 0.80,
                              _found(sections, "geoparse_ukru",
                                     rf"\| {corpus} \([^)]*\) \| {split} \| all \|(?: [\d,.]+ \|){{4}} \*\*([\d.]+)\*\*"),
                              "geoparse_ukru", "15"))
    for half in ("even", "odd"):
        block = re.search(rf"\*\*{half} half.*?(?=\*\*(?:even|odd) half|\Z)", sections.get("viina", ""), re.S)
        text = {"viina": block.group(0)} if block else {}
        for what, row, goal in (("headlines with an event", r"yield \(headlines with ≥ 1 event\)", 0.90),
                                ("nearest event within 25 km of a VIINA place",
                                 r"nearest event within 25 km of a VIINA place", 0.85)):
            out.append(_share(f"VIINA headlines, {half} half, both languages: {what}", goal,
                              _found(text, "viina", rf"\| {row} \|[^|\n]*\|[^|\n]*\| ([\d.]+) \|"),
                              "viina", "15"))
    for n in ("1,000", "10,000", "100,000"):
        ratio = _found(sections, "map-reference", rf"\n\| {n} \| \d+ \| [\d.]+ \| [\d.]+ \| ([\d.]+) \|")
        out.append(_target(f"map with {n} events: time to visible, reference layers on / off", "≤ 1.25×", ratio,
                           1.25, higher_is_better=False, unit="×", where="map-reference", fmt="{:.2f}", issue="16"))
    panel = _found(sections, "map-reference", r"side panel showing that event.*?\(ratio ([\d.]+)")
    out.append(_target("app: marker click to side panel, reference layers on / off", "≤ 1.25×", panel, 1.25,
                       higher_is_better=False, unit="×", where="map-reference", fmt="{:.2f}", issue="16"))
    ratio = _found(sections, "throughput", r"\| ratio \| \*\*([\d.]+)×?\*\*")
    out.append(_target("English end-to-end articles/s against a same-run baseline of the code before issues 14-16",
                       "≥ 0.90×", ratio, 0.90, higher_is_better=True, unit="×", where="throughput", fmt="{:.3f}",
                       issue="14, 15"))
    return out


def headlines(sections: dict[str, str]) -> list[tuple[str, str, str]]:
    """Other numbers worth a glance, as (what, value, section); missing ones are left out."""
    out: list[tuple[str, str, str]] = []

    def find(section: str, what: str, pattern: str, fmt: str) -> None:
        m = re.search(pattern, sections.get(section, ""), re.S)
        if m:
            out.append((what, fmt.format(*m.groups()), section))

    find("geoparse", "geoparser throughput, 600-word texts, one core",
         r"\*\*Throughput\*\*: ([\d,.]+) articles/s", "{} articles/s")
    for corpus in ("neruk_dev", "factru_dev"):
        find("geoparse_ukru", f"place-name recognition F1, {corpus} (all gold spans, all records)",
             rf"\| {corpus} \([^)]*\) \| all \| all \| [\d,]+ \| [\d,]+ \| ([\d.]+) \| ([\d.]+) \| \*\*([\d.]+)\*\*",
             "P {} R {} F1 {}")
    find("viina", "Ukrainian and Russian headlines (VIINA, even half): yield, nearest event within 25 km",
         r"\| yield \(headlines with ≥ 1 event\) \| [^|]* \| [^|]* \| ([\d.]+) \|.*?"
         r"\| nearest event within 25 km of a VIINA place \| [^|]* \| [^|]* \| ([\d.]+) \|",
         "{}, {}")
    find("events", "parse + extract + measure (`process_many`), one core",
         r"\*\*parse \+ extract \+ measure\*\* \(`process_many`\) \| \*\*([\d,.]+)\*\* \| \*\*([\d,.]+)\*\*",
         "{} articles/s, {} events/s")
    for n in ("1,000", "10,000", "100,000"):
        find("map", f"map with {n} events: build, render, drawn in the browser",
             rf"\| {n} \| build_map \| \d+ \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|",
             "build {} s, render {} s, {} MB, visible {} s")
    ingest = OUT / "ingest.json"
    if ingest.is_file() and "ingest" in sections:
        try:
            rows = json.loads(ingest.read_text(encoding="utf-8"))["rows"]
            base = next(r for r in rows if r["workers"] == 1)
            for r in rows:
                if r is not base:
                    out.append((f"ingest scaling: {r['label']} vs 1 worker (steady state)",
                                f"{r['steady_per_s'] / base['steady_per_s']:.2f}× "
                                f"({r['steady_per_s']:.1f} vs {base['steady_per_s']:.1f} articles/s) with "
                                f"{r.get('cores_used', float('nan')):.2f} vs {base.get('cores_used', float('nan')):.2f} "
                                f"cores obtained; peak {r['peak_rss_mb']:.0f} MB vs {base['peak_rss_mb']:.0f} MB",
                                "ingest"))
        except (ValueError, KeyError, StopIteration, ZeroDivisionError):
            pass
    return out


def summary_md(runs: list[dict], found: list[Target], *, quick: bool, started: str, total_s: float,
               more: list[tuple[str, str, str]] = (), ran_now: bool = True) -> str:
    cores = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    loads = [r["load"] for r in runs if "load" in r]
    load_line = ""
    if loads:
        shared = max(loads) > (cores or 1) + 0.5
        load_line = (f"1-minute load average during the benchmarks ({', '.join(r['name'] for r in runs if 'load' in r)}): "
                     f"{min(loads):.1f}–{max(loads):.1f} on {cores} cores" + (": the machine was shared with other work, so speeds are pessimistic "
                                         "(ratios within one benchmark are fairer than absolute numbers)."
                                         if shared else "."))
    when = (f"Run started {started} ({'`--quick`: reduced sizes and repeats' if quick else 'full settings'}), "
            f"{total_s / 60:.1f} min in all." if ran_now else
            f"Summary rewritten {started} from the sections below; each benchmark last ran as listed at the end.")
    lines = ["## Summary (`bench/run.py`)", "",
             f"{machine_line()} Cores usable by this process: {usable}. {when}", load_line, "",
             "| issue | target | goal | measured | result | margin | from |",
             "|---|---|---|---|---|---|---|"]
    for t in found:
        result = "not measured" if t.passed is None else ("**PASS**" if t.passed else "**MISS**")
        lines.append(f"| {t.issue} | {t.what} | {t.goal} | {t.measured or '—'} | {result} | {t.margin} | {t.where} |")
    if more:
        lines += ["", "| other headline numbers | value | section |", "|---|---|---|"]
        lines += [f"| {what} | {value} | {where} |" for what, value, where in more]
    lines += ["", "| benchmark | status | ran | seconds | arguments |", "|---|---|---|---:|---|"]
    for r in runs:
        when = f"{r.get('when', '')}{' (quick)' if r.get('quick') else ''}"
        lines.append(f"| {r['name']} | {r['status']} | {when} | {r['seconds']:.0f} | `{' '.join(r['args'])}` |")
    lines += ["", f"Command: `.venv/bin/python bench/run.py{' --quick' if quick else ''}`"]
    return "\n".join(lines)


def _merge_runs(runs: list[dict]) -> list[dict]:
    """This run's rows, plus the last recorded row of each benchmark not run this time (a
    partial run, ``--only``/``--skip``, keeps the others' sections and says when they ran)."""
    path = OUT / "run.json"
    previous: dict[str, dict] = {}
    if path.is_file():
        try:
            previous = {r["name"]: r for r in json.loads(path.read_text(encoding="utf-8"))}
        except (ValueError, KeyError, TypeError):
            previous = {}
    previous.update({r["name"]: r for r in runs})
    table = [previous[b.name] for b in BENCHES if b.name in previous]
    OUT.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(table, indent=2), encoding="utf-8")
    return table


def _ensure_summary_first() -> None:
    """Put an empty summary section right under the title, so the table leads the file."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if "<!-- summary:start -->" in text:
        return
    head, sep, rest = text.partition("\n")
    RESULTS.write_text(f"{head}\n\n<!-- summary:start -->\n<!-- summary:end -->\n{rest}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="reduced sizes and repeats for every benchmark")
    ap.add_argument("--only", metavar="NAMES", help="comma-separated benchmark names to run")
    ap.add_argument("--skip", metavar="NAMES", help="comma-separated benchmark names to skip")
    ap.add_argument("--summary", action="store_true",
                    help="run nothing; rewrite the summary from RESULTS.md and the last recorded runs")
    args = ap.parse_args(argv)
    names = [b.name for b in BENCHES]
    only = set(args.only.split(",")) if args.only else set(names)
    skip = set(args.skip.split(",")) if args.skip else set()
    unknown = (only | skip) - set(names)
    if unknown:
        ap.error(f"unknown benchmark(s) {', '.join(sorted(unknown))}; known: {', '.join(names)}")
    print(f"Borderline benchmarks on {platform.node() or 'this machine'}: {os.cpu_count()} cores "
          f"(usable: {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()}), "
          f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"Python {platform.python_version()}; {'quick' if args.quick else 'full'} run.", flush=True)
    started = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    t0 = time.perf_counter()
    runs = []
    if not args.summary:
        _ensure_summary_first()   # before the scripts write theirs, so the summary leads the file
        for b in BENCHES:
            if b.name in only and b.name not in skip:
                runs.append(run_bench(b, quick=args.quick))
    sections = _sections(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    found = targets(sections) + issue_targets(sections)
    for r in runs:
        r.update(when=started, quick=args.quick)
    table = _merge_runs(runs)
    _ensure_summary_first()
    write_section("summary", summary_md(table, found, quick=args.quick, started=started,
                                        total_s=time.perf_counter() - t0, more=headlines(sections),
                                        ran_now=bool(runs)))
    for what, value, where in headlines(sections):
        print(f"  {what}: {value} [{where}]")
    print("\nTargets:")
    for t in found:
        result = "not measured" if t.passed is None else ("PASS" if t.passed else "MISS")
        print(f"  {result:12} {t.what}: {t.measured or '-'} (goal {t.goal}) {t.margin}")
    failed = [r["name"] for r in runs if r["status"] not in ("ok", "missing")]
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
