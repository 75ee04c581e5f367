"""SIGKILL an ingest at random moments, many times: the GeoPackage still opens (sqlite3 and
GDAL), passes ``PRAGMA integrity_check``, holds every article wholly or not at all, and the
run that finally completes leaves the same store as one clean ingest.

A reader in another process reads while an ingest writes: consistent snapshots, no
"database is locked".
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from _robustness import BORDERLINE, PYTHON, STATS
from _store_check import snapshot, store_tables, whole_article_problems

pytestmark = pytest.mark.timeout(900)

HERE = Path(__file__).resolve().parent
KILLS = int(os.environ.get("BORDERLINE_KILLS", "20"))


class Driver:
    """``_kill_driver.py`` in a subprocess: forks a real ``borderline ingest`` per round."""

    def __init__(self, corpus: Path, log: Path):
        self.log = log
        self.proc = subprocess.Popen(
            [str(PYTHON), str(HERE / "_kill_driver.py"), str(corpus), "--commit-every", "0.1", "--batch", "2"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log.open("wb"), text=True,
            env={**os.environ, "TQDM_DISABLE": "1"})
        line = self.proc.stdout.readline().strip()
        assert line == "ready", f"driver did not start: {line!r}\n{log.read_text(errors='replace')[-3000:]}"

    def start(self, data: Path) -> int:
        self.proc.stdin.write(f"run {data}\n")
        self.proc.stdin.flush()
        kind, pid = self.proc.stdout.readline().split()
        assert kind == "pid"
        return int(pid)

    def wait(self) -> str:
        return self.proc.stdout.readline().strip()

    def run(self, data: Path) -> tuple[str, float]:
        t0 = time.monotonic()
        self.start(data)
        return self.wait(), time.monotonic() - t0

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture(scope="module")
def driver(pipeline, corpus_dir, tmp_path_factory):
    log = tmp_path_factory.mktemp("rb-driver") / "driver.log"
    d = Driver(corpus_dir, log)
    yield d
    d.close()
    assert "Traceback" not in log.read_text(errors="replace"), log.read_text(errors="replace")[-3000:]


@pytest.fixture(scope="module")
def clean(driver, tmp_path_factory):
    """A clean, uninterrupted ingest of the corpus: its store, snapshot and duration."""
    data = tmp_path_factory.mktemp("rb-clean")
    status, seconds = driver.run(data)
    assert status == "exit 0", status
    path = data / "events.gpkg"
    snap = snapshot(path)
    assert len(snap.articles) >= 50 and snap.events > 50, "the corpus must yield events"
    return path, snap, seconds


def check_store(path: Path, clean_snap) -> list[str]:
    """Open like a stranger would and check everything the issue asks for."""
    import pyogrio

    from geo.store import EventStore

    con = sqlite3.connect(path, timeout=60)
    try:
        assert [r[0] for r in con.execute("PRAGMA integrity_check")] == ["ok"]
        n_events = con.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        con.close()
    frame = pyogrio.read_dataframe(path, layer="events")
    assert len(frame) == n_events
    problems = EventStore(path, create=False).check()
    snap = snapshot(path)
    whole, lost = whole_article_problems(snap, clean_snap)
    STATS.events_lost += lost
    return problems + whole


def test_sigkill_at_random_moments(driver, clean, tmp_path):
    """KILLS SIGKILLs that land in a running ingest (before, during and after commits), the
    store checked after each; when a store is complete it must equal the clean one, and the
    next rounds start on a fresh store."""
    clean_path, clean_snap, clean_seconds = clean
    total = len(clean_snap.articles)
    rng = random.Random(int(os.environ.get("BORDERLINE_KILL_SEED", time.time_ns() % 10**6)))
    stores = 0
    data = tmp_path / f"data{stores}"
    hit = missed = 0
    history: list[int] = []

    def same_as_clean(path: Path) -> None:
        mine, theirs = store_tables(path), store_tables(clean_path)
        for table in mine:
            lost = len(set(theirs[table]) - set(mine[table]))
            if table == "events":
                STATS.events_lost += lost
            assert mine[table] == theirs[table], (table, lost, len(mine[table]), len(theirs[table]))

    while hit < KILLS and hit + missed < 3 * KILLS:
        store = data / "events.gpkg"
        before = len(snapshot(store).articles) if store.exists() else 0
        pid = driver.start(data)
        # somewhere in what is left of the run (a resumed run skips what is stored)
        time.sleep(rng.uniform(0.0, clean_seconds * max(0.4, 1.0 - before / total) * 1.1))
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        status = driver.wait()
        killed = status == f"signal {signal.SIGKILL}"
        if killed:
            hit += 1
            STATS.kills += 1
        else:
            assert status in ("exit 0", "exit 1"), status
            missed += 1
        if store.exists():
            problems = check_store(store, clean_snap)
            assert not problems, f"after {status}: {problems[:5]}"
            after = len(snapshot(store).articles)
            assert after >= before
            history.append(after)
            if after == total:                   # complete: as a clean run, then start afresh
                same_as_clean(store)
                stores += 1
                data = tmp_path / f"data{stores}"
        if killed:
            STATS.kills_survived += 1
    assert hit == KILLS, f"only {hit} kills hit a running ingest in {hit + missed} rounds ({history})"
    # The run that completes: the same store as one clean ingest.
    status, _ = driver.run(data)
    assert status == "exit 0", status
    assert not check_store(data / "events.gpkg", clean_snap)
    same_as_clean(data / "events.gpkg")
    print(f"kills: {hit} hit a running ingest, {missed} rounds ended first; {stores + 1} stores; articles "
          f"stored after each round: {history}")


def _session_processes(sid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-s", str(sid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_sigkill_of_the_real_command(pipeline, corpus_dir, clean, tmp_path):
    """The installed ``borderline ingest`` (default: local worker processes) killed while it
    starts and while it writes, then run to completion. Its worker processes (forkserver,
    resource tracker, pool workers) must not outlive it."""
    clean_path, clean_snap, _ = clean
    data = tmp_path / "data"
    env = {**os.environ, "TQDM_DISABLE": "1"}
    rng = random.Random()
    orphans: list[str] = []
    for when in ("starting", "writing"):     # while its workers start; after its first commit
        before = len(snapshot(data / "events.gpkg").articles) if (data / "events.gpkg").exists() else 0
        proc = subprocess.Popen([str(BORDERLINE), "ingest", str(corpus_dir), "--data", str(data)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                start_new_session=True)
        if when == "starting":
            time.sleep(rng.uniform(2.0, 4.0))
        else:
            deadline = time.monotonic() + 180
            while proc.poll() is None and time.monotonic() < deadline:   # until it has written something
                if (data / "events.gpkg").exists() and len(snapshot(data / "events.gpkg").articles) > before:
                    break
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 0.5))
        running = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for _wait in range(50):                  # up to 5 s for its workers to notice
            left = _session_processes(proc.pid)
            if not left:
                break
            time.sleep(0.1)
        if left:
            orphans.append(f"killed while {when}: " + " ".join(Path(f"/proc/{p}/cmdline").read_text(errors="replace")
                                    .replace("\0", " ")[:80] for p in left if Path(f"/proc/{p}").exists()))
            for pid in left:                     # processes this test started: end them
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if running:
            STATS.kills += 1
        if (data / "events.gpkg").exists():
            assert not check_store(data / "events.gpkg", clean_snap)
        if running:
            STATS.kills_survived += 1
    proc = subprocess.run([str(BORDERLINE), "ingest", str(corpus_dir), "--data", str(data)],
                          capture_output=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert store_tables(data / "events.gpkg") == store_tables(clean_path)
    assert not orphans, f"processes of a SIGKILLed ingest still running 5 s later: {orphans}"


def test_a_reader_reads_while_an_ingest_writes(driver, clean, tmp_path):
    """Another process reads in a loop (sqlite3 snapshot, EventStore.read_events, GDAL) while
    the ingest commits: no error, every snapshot consistent, counts only grow."""
    _clean_path, clean_snap, _ = clean
    data = tmp_path / "data"
    data.mkdir()
    clean_json = tmp_path / "clean.json"
    clean_json.write_text(json.dumps({"articles": clean_snap.articles, "reports": clean_snap.reports,
                                      "events": clean_snap.events}))
    stop, out = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen([str(PYTHON), str(HERE / "_store_check.py"), str(data / "events.gpkg"),
                               str(clean_json), str(stop), str(out)], cwd=HERE.parents[1],
                              stderr=subprocess.PIPE)
    time.sleep(1.0)                      # the reader is up (and sees no store yet)
    status, _ = driver.run(data)
    assert status == "exit 0", status
    stop.touch()
    _, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err.decode()[-3000:]
    result = json.loads(out.read_text())
    STATS.tried(result["rounds"])
    assert result["n_errors"] == 0, result["errors"]
    assert not result["inconsistent"], result["inconsistent"]
    articles = [c[0] for c in result["counts"]]
    events = [c[1] for c in result["counts"]]
    assert articles == sorted(articles) and events == sorted(events), result["counts"]
    assert articles and articles[-1] == len(clean_snap.articles)
    assert any(0 < n < len(clean_snap.articles) for n in articles), \
        f"the reader never saw the store mid-ingest: {result['counts']}"
