"""Re-ingesting an article adds nothing; the same incident reported by two articles is one
event with two sources (and two reports of different days stay two events).

The command line runs in this process (``geo.cli.main``), on the real pipeline.
"""

from __future__ import annotations

import json
import shutil

import pytest
from _robustness import STATS
from _store_check import store_tables

from geo.cli import main
from geo.store import EventStore, store_path

pytestmark = pytest.mark.timeout(600)

# Two reports of one strike, written for this test: same place, same night, other words.
REPORT_A = ("date 2024-11-20\n\nUkrainian drones struck the oil depot in Bryansk overnight, sparking a "
            "large fire, the regional governor said.\n")
REPORT_B = ("date 2024-11-20\n\nA fire broke out at an oil depot in Bryansk after a Ukrainian drone attack "
            "overnight, Russian officials said on Wednesday.\n")
# The same place and kind of strike five days later: another incident.
LATER = ("date 2024-11-25\n\nUkrainian drones struck the oil depot in Bryansk again overnight, the "
         "regional governor said, and firefighters worked until dawn.\n")


def _ingest(capsys, data, *paths) -> tuple[int, str]:
    code = main(["ingest", "--workers", "1", "--data", str(data), *map(str, paths)])
    return code, capsys.readouterr().err


def _bryansk(store: EventStore):
    events = store.read_events()
    return events[(events["place_name"] == "Bryansk") & (events["event_type"] == "energy_strike")]


def test_reingesting_adds_nothing(pipeline, corpus_dir, tmp_path, capsys):
    data = tmp_path / "data"
    code, err = _ingest(capsys, data, corpus_dir)
    assert code == 0, err
    store = EventStore(store_path(data), create=False)
    first = store_tables(store.path)
    n_articles, n_events = store.count_articles(), store.count_events()
    assert n_articles == 60 and n_events > 60
    # again, the same files; then the same articles under other names (the id is the text's)
    renamed = tmp_path / "renamed"
    shutil.copytree(corpus_dir, renamed)
    for f in renamed.iterdir():
        f.rename(f.with_name("copy-of-" + f.name))
    for again in (corpus_dir, renamed):
        code, err = _ingest(capsys, data, again)
        STATS.tried(60)
        assert code == 0, err
        assert "60 skipped as already stored" in err, err
        assert store_tables(store.path) == first
    assert (store.count_articles(), store.count_events()) == (n_articles, n_events)
    assert store.check() == []


def test_same_incident_from_two_articles_is_one_event_with_two_sources(pipeline, tmp_path, capsys):
    d = tmp_path / "in"
    d.mkdir()
    (d / "report-a.txt").write_text(REPORT_A, encoding="utf-8")
    (d / "report-b.txt").write_text(REPORT_B, encoding="utf-8")
    data = tmp_path / "data"
    code, err = _ingest(capsys, data, d / "report-a.txt")
    assert code == 0, err
    code, err = _ingest(capsys, data, d / "report-b.txt")
    assert code == 0, err
    STATS.tried(2)
    store = EventStore(store_path(data), create=False)
    strikes = _bryansk(store)
    assert len(strikes) == 1, strikes[["event_id", "date", "sources"]]
    strike = strikes.iloc[0]
    assert strike["sources"].split("; ") == ["report-a.txt", "report-b.txt"]
    reports = store.read_sources(strike["event_id"])
    assert sorted(reports["source"]) == ["report-a.txt", "report-b.txt"]
    assert store.count_articles() == 2 and store.check() == []
    # re-ingesting either report changes nothing
    before = store_tables(store.path)
    code, err = _ingest(capsys, data, d / "report-b.txt", d / "report-a.txt")
    assert code == 0 and store_tables(store.path) == before

    # `borderline events` merges them the same way, without a store
    assert main(["events", str(d / "report-a.txt"), str(d / "report-b.txt")]) == 0
    features = json.loads(capsys.readouterr().out)["features"]
    at_bryansk = [f["properties"] for f in features if f["properties"]["place_name"] == "Bryansk"
                  and f["properties"]["event_type"] == "energy_strike"]
    assert len(at_bryansk) == 1
    assert sorted(at_bryansk[0]["sources"].split("; ")) == ["report-a.txt", "report-b.txt"]


def test_a_later_strike_at_the_same_place_is_another_event(pipeline, tmp_path, capsys):
    d = tmp_path / "in"
    d.mkdir()
    (d / "report-a.txt").write_text(REPORT_A, encoding="utf-8")
    (d / "later.txt").write_text(LATER, encoding="utf-8")
    data = tmp_path / "data"
    code, err = _ingest(capsys, data, d)
    assert code == 0, err
    STATS.tried(2)
    strikes = _bryansk(EventStore(store_path(data), create=False))
    assert sorted(strikes["date"]) == ["2024-11-20", "2024-11-25"]
