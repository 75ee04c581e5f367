"""The command line on hostile files: events or a one-line ``borderline: FILE: problem`` on
standard error and exit code 1 (some inputs failed) or 2 (bad usage), never a traceback,
never a hang (each run has a time limit), and the rest of a batch goes on."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from _rb_strategies import raw_bytes
from _robustness import BORDERLINE, STATS, profile
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.timeout(900)

GOOD = ("date 2024-12-10\n\nUkrainian drones struck an oil depot in Belgorod overnight, the regional "
        "governor said. A fire broke out at the depot.\n")


def run_cli(args: list[str], *, what: str, data_dir: Path, stdin: bytes | None = None,
            timeout: float = 240) -> subprocess.CompletedProcess:
    """Run ``borderline ARGS``; a traceback, a signal or a timeout is recorded and fails."""
    env = {**os.environ, "BORDERLINE_DATA": str(data_dir), "PYTHONFAULTHANDLER": "1"}
    try:
        proc = subprocess.run([str(BORDERLINE), *args], input=stdin, capture_output=True, timeout=timeout,
                              env=env, stdin=None if stdin is not None else subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        STATS.hangs.add(f"cli {args[0]} ({what})")
        raise AssertionError(f"borderline {' '.join(args)} still running after {timeout} s ({what})") from None
    err = proc.stderr.decode("utf-8", "replace")
    if "Traceback" in err or proc.returncode not in (0, 1, 2):
        STATS.crashes.add(f"cli {args[0]}: exit {proc.returncode}, {err.strip().splitlines()[-1:]} ({what})")
        raise AssertionError(f"borderline {args[0]} crashed (exit {proc.returncode}) on {what}:\n{err[-3000:]}")
    if "processing failed" in err:
        # the CLI turned an unexpected exception of the pipeline into one line: still a bug
        STATS.crashes.add(f"cli {args[0]}: {[ln for ln in err.splitlines() if 'processing failed' in ln][0][:200]}")
        raise AssertionError(f"the pipeline raised on {what}:\n{err[-2000:]}")
    for line in err.splitlines():
        if line.strip() and not line.startswith(("borderline: ", "ingest")) and "\r" not in line:
            raise AssertionError(f"stderr line is not a one-line borderline message: {line[:300]!r}")
    return proc


def hostile_batch(d: Path) -> dict[str, bytes | None]:
    """Files that must each fail alone with a message naming them (None: not a file)."""
    files: dict[str, bytes | None] = {
        "empty.txt": b"",
        "blank.md": b"   \n\n\t\n",
        "picture.html": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
        "nul.txt": b"Drones hit Kursk.\x00\x00\x00",
        "utf16.txt": "Drones hit Kursk overnight.".encode("utf-16"),
        "broken.md": b"Drones hit \xff\xfe\xfa Kursk \xc3\x28 overnight \xa0\xa1.",
        "program.exe": b"MZ\x90\x00",
        "too-big.txt": b"x" * (5 * 1024 * 1024 + 1),
        "missing.txt": None,
    }
    for name, data in files.items():
        if data is not None:
            (d / name).write_bytes(data)
    return files


def test_events_on_a_hostile_batch(pipeline, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(GOOD, encoding="utf-8")
    files = hostile_batch(d)
    lines = [json.dumps({"id": "line-good", "text": GOOD}), "[" * 50_000, '{"text": 5}', "not json",
             '{"id": ' + "9" * 5000 + ', "text": "Drones hit Kursk."}', '{"text": "Drones hit Kursk \\ud800."}']
    (d / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["events", str(d / "good.txt"), *(str(d / n) for n in files), str(d / "batch.jsonl"), str(d)]
    STATS.tried(len(files) + len(lines) + 2)
    proc = run_cli(args, what="hostile batch", data_dir=tmp_path / "data")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 1, err
    for name in files:
        assert name in err, f"no error names {name}:\n{err}"
    for n in (2, 3, 4, 5):
        assert f"batch.jsonl:{n}" in err, f"no error names batch.jsonl:{n}:\n{err}"
    features = json.loads(proc.stdout)["features"]
    reporting = {s for f in features for s in (f["properties"].get("sources") or f["properties"]["article"]).split("; ")}
    assert {"good.txt", "line-good"} <= reporting, reporting


def test_ingest_on_a_hostile_batch_stores_the_good_articles_whole(pipeline, tmp_path):
    from geo.store import EventStore, store_path

    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(GOOD, encoding="utf-8")
    files = hostile_batch(d)
    STATS.tried(len(files) + 1)
    proc = run_cli(["ingest", "--workers", "1", str(d), str(d / "missing.txt")], what="hostile batch",
                   data_dir=tmp_path / "data")
    assert proc.returncode == 1, proc.stderr.decode()
    store = EventStore(store_path(tmp_path / "data"), create=False)
    assert store.check() == []
    assert store.count_articles() == 1 and store.count_events() >= 1


def test_parse_jsonl_on_hostile_lines(gazetteer, tmp_path):
    body = "\n".join([json.dumps({"id": 1, "text": "Drones hit Kursk overnight."}), "[" * 50_000,
                      '{"id": 2, "text": "x", "n": ' + "9" * 5000 + "}", '{"id": 3, "text": "Kursk \\udc00"}',
                      '{"id": 4, "text": "Kursk", "spans": [[0, 99]]}', '{"id": 5, "text": "Kursk", "spans": "x"}',
                      "\ufeff" + json.dumps({"id": 6, "text": "Kyiv"}), "not json"]) + "\n"
    path = tmp_path / "lines.jsonl"
    path.write_text(body, encoding="utf-8")
    STATS.tried(8)
    proc = run_cli(["parse", "--jsonl", str(path)], what="hostile JSON lines", data_dir=tmp_path / "data")
    assert proc.returncode == 1
    out = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert 1 in {o["id"] for o in out}


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02", "Дрони атакували Курськ.".encode("cp1251"),
                                  b"\xef\xbb\xbf\xe2\x80\xaeKyiv", b"<script>alert(1)</script>Kyiv"],
                         ids=["empty", "binary", "cp1251", "bom-bidi", "script"])
def test_parse_standard_input(data, gazetteer, tmp_path):
    STATS.tried()
    proc = run_cli(["parse", "-"], stdin=data, what=f"stdin {data[:20]!r}", data_dir=tmp_path / "data")
    assert proc.returncode in (0, 2)
    if proc.returncode == 2:
        assert proc.stderr.decode().startswith("borderline: <stdin>:")


_n = iter(range(10**9))


@profile(3)
@given(files=st.lists(st.tuples(raw_bytes(max_size=3000), st.sampled_from([".txt", ".md", ".html", ".jsonl"])),
                      min_size=3, max_size=6))
def test_events_on_generated_files(files, pipeline, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"cli{next(_n)}")
    paths = []
    for i, (data, suffix) in enumerate(files):
        p = d / f"gen{i}{suffix}"
        p.write_bytes(data)
        paths.append(p)
    STATS.tried(len(paths))
    proc = run_cli(["events", *map(str, paths)], what="generated files", data_dir=d / "data")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode in (0, 1)
    assert (proc.returncode == 1) == bool(err.strip()), err
    json.loads(proc.stdout)       # always a FeatureCollection, possibly empty
