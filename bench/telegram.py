"""Telegram export reading benchmark: what reading a channel export costs, against reading the
same texts as JSON Lines (the reader it is read like) and against ``json.load`` of the export.

The export is made from the test fixture (tests/data/telegram/result.json, made up for the tests):
its messages repeated, with new ids, to ``--messages`` messages (text messages, service messages
and media without text in the fixture's proportions). Each measurement runs in its own process,
so peak memory (``VmHWM`` of /proc/self/status: the peak RSS since the process image was
loaded; ``ru_maxrss`` would carry the parent's over) is that reader's alone:

- *telegram*: ``read_articles`` on the export (both passes, every article built);
- *scan*: the first pass alone (the file checked, the channel read, messages counted: what
  ``count_inputs`` pays for the progress bar);
- *jsonl*: ``read_articles`` on a JSON Lines file of the same articles (text, id, date, source, url);
- *json.load*: the export parsed whole by the standard library, nothing built (a floor for
  time, and what reading it in one piece would cost in memory).

Medians of ``--repeats`` runs; ratios against *jsonl* in the same run. Writes the ``telegram``
section of bench/RESULTS.md. Run: ``.venv/bin/python bench/telegram.py [--messages 60000] [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._results import machine_line, write_section  # noqa: E402

FIXTURE = ROOT / "tests" / "data" / "telegram" / "result.json"
MODES = ("telegram", "scan", "jsonl", "json.load")


def make_inputs(directory: Path, n_messages: int) -> tuple[Path, Path, int]:
    """The export of ``n_messages`` messages and the same articles as JSON Lines; the number of articles."""
    from geo.articles import read_articles

    export = json.loads(FIXTURE.read_text(encoding="utf-8"))
    base = export["messages"]
    export["messages"] = [dict(base[i % len(base)], id=i + 1) for i in range(n_messages)]
    path = directory / "result.json"
    path.write_text(json.dumps(export, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = [json.dumps({"id": a.record_id, "text": a.text, "date": a.date.isoformat(), "source": a.source,
                         "url": a.url}, ensure_ascii=False) for a in read_articles(path)]
    jsonl = directory / "articles.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, jsonl, len(lines)


def child(mode: str, path: Path) -> None:
    """One measurement: print {"seconds", "items", "max_rss_mb"}."""
    t0 = time.perf_counter()
    if mode in ("telegram", "jsonl"):
        from geo.articles import read_articles

        items = sum(1 for _ in read_articles(path))
    elif mode == "scan":
        from geo.telegram import scan_export

        with path.open("rb") as fh:
            items = scan_export(fh, source=path.name)[1]
    else:
        with path.open("rb") as fh:
            items = len(json.load(fh)["messages"])
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "items": items, "max_rss_mb": _peak_rss_mb()}))


def _peak_rss_mb() -> float:
    try:
        status = Path("/proc/self/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024
    except (OSError, StopIteration, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(mode: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(path)], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=60_000, help="messages in the export (default 60,000)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per reader (default 3)")
    ap.add_argument("--quick", action="store_true", help="10,000 messages, one run each")
    ap.add_argument("--no-write", action="store_true", help="print only")
    ap.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    if args.quick:
        args.messages, args.repeats = 10_000, 1
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bl-telegram-bench-") as tmp:
        export, jsonl, n_articles = make_inputs(Path(tmp), args.messages)
        size_mb = export.stat().st_size / 1e6
        runs: dict[str, list[dict]] = {m: [] for m in MODES}
        for _ in range(args.repeats):
            for mode in MODES:        # interleaved, so a busy moment touches every reader alike
                runs[mode].append(measure(mode, jsonl if mode == "jsonl" else export))
    med = {m: {k: statistics.median(r[k] for r in rs) for k in ("seconds", "max_rss_mb")} for m, rs in runs.items()}
    base = med["jsonl"]["seconds"]
    what = {"telegram": f"read_articles on the export ({n_articles:,} articles)",
            "scan": "first pass only (check, channel, count)",
            "jsonl": f"read_articles on the same {n_articles:,} articles as JSON Lines",
            "json.load": "the export parsed whole by json.load"}
    rows = [f"| {m} | {what[m]} | {args.repeats} | {med[m]['seconds']:.2f} | "
            f"{(n_articles if m in ('telegram', 'jsonl') else args.messages) / med[m]['seconds']:,.0f} "
            f"{'articles' if m in ('telegram', 'jsonl') else 'messages'} | {med[m]['seconds'] / base:.2f}× | "
            f"{med[m]['max_rss_mb']:.0f} |" for m in MODES]
    text = "\n".join([
        "## Telegram export reading (`bench/telegram.py`)", "", machine_line(), "",
        f"An export of {args.messages:,} messages ({size_mb:.1f} MB; {n_articles:,} with text, the rest service "
        "messages and media without text), made from the test fixture. Each reader in its own process; medians; "
        "the two readers are rated in articles/s (the same articles), the parses in messages/s; peak RSS is the "
        f"process's, Python and Borderline's imports included. Load average at the start: {load:.1f}.", "",
        "| reader | what | runs | s | per second | vs jsonl | peak RSS MB |",
        "|---|---|---:|---:|---:|---:|---:|", *rows, "",
        "Reading is a small part of ingesting: the pipeline processes on the order of 100 articles/s a core "
        "(see *Batch ingest*).", "",
        f"Command: `.venv/bin/python bench/telegram.py{' --quick' if args.quick else ''}`"])
    print(text)
    if not args.no_write:
        write_section("telegram", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
