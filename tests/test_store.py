"""The GeoPackage store: layout, transactions, idempotence, merging, reading, exports.

Every test gets a fresh store in ``tmp_path`` (the store is passed in, never global).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from geo.articles import Article
from geo.errors import StoreError
from geo.events import EVENT_COLUMNS, Event, events_to_frame, merge_events
from geo.store import SCHEMA_VERSION, EventStore, default_data_dir, store_path

REPO = Path(__file__).resolve().parents[1]


def make_article(i: int, *, text: str | None = None, date: dt.date | None = dt.date(2024, 12, 14)) -> Article:
    return Article(id=f"art{i:05d}", source=f"article-{i}.txt", text=text or f"Body of article {i}.", date=date)


def make_event(a: Article, j: int, *, etype: str = "drone_strike", place_id: str | None = None,
               lat: float = 50.0, lon: float = 36.0, date: str | None = "2024-12-14", tags=()) -> Event:
    return Event(event_id=f"{a.id}-{j}", event_type=etype, place_name=f"Place {j}", precision="settlement",
                 excerpt=f"Drones hit Place {j}.", place_start=15, place_end=22, article=a.source,
                 article_id=a.id, tags=tuple(tags), place_id=place_id or f"gn:{a.id}-{j}", place_kind="settlement",
                 lat=lat, lon=lon, country="RU", admin1="RU-BEL", border_km=12.5, side="RU", date=date,
                 date_precision="day" if date else "unknown", actors={"attacker": "UA"}, numbers={"drones": 3},
                 confidence=0.7, triggers=("drone", "hit"), sources=(a.source,))


def batch(first: int, n: int, per: int = 3) -> list[tuple[Article, list[Event]]]:
    out = []
    for i in range(first, first + n):
        a = make_article(i)
        out.append((a, [make_event(a, j, lat=47 + (i % 50) / 10, lon=33 + j) for j in range(per)]))
    return out


@pytest.fixture
def store(tmp_path) -> EventStore:
    return EventStore(tmp_path / "data" / "events.gpkg")


# --- layout --------------------------------------------------------------------------------

def test_new_store_is_a_geopackage_with_our_layers(store):
    con = sqlite3.connect(store.path)
    contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
    assert contents == {"events": "features", "event_sources": "attributes", "articles": "attributes",
                        "borderline_meta": "attributes"}
    assert con.execute("SELECT geometry_type_name, srs_id FROM gpkg_geometry_columns").fetchall() == [("POINT", 4326)]
    assert con.execute("SELECT value FROM borderline_meta WHERE key='schema_version'").fetchone() == (str(SCHEMA_VERSION),)
    assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47       # "GPKG"
    con.close()
    assert not [p for p in store.path.parent.iterdir() if p.name.endswith(".tmp.gpkg")]


def test_data_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("BORDERLINE_DATA", str(tmp_path / "env"))
    assert default_data_dir(tmp_path / "explicit") == tmp_path / "explicit"
    assert default_data_dir() == tmp_path / "env"
    assert store_path() == tmp_path / "env" / "events.gpkg"
    monkeypatch.delenv("BORDERLINE_DATA")
    assert default_data_dir().name == "borderline"


def test_refuses_foreign_and_future_files(tmp_path, store):
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="junk.gpkg"):
        EventStore(junk)
    con = sqlite3.connect(store.path)
    con.execute("UPDATE borderline_meta SET value = '999' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="schema version 999"):
        EventStore(store.path)


def test_missing_store_reads_empty_and_is_not_created(tmp_path):
    st = EventStore(tmp_path / "none" / "events.gpkg", create=False)
    assert list(st.read_events().columns) == [*EVENT_COLUMNS, "url", "geometry"]
    assert st.stored_article_ids() == set() and st.read_article("x") is None
    assert not st.path.exists()
    with pytest.raises(StoreError):
        st.add(batch(0, 1))


# --- writing ---------------------------------------------------------------------------------

def test_add_and_read_back(store):
    items = batch(0, 4)
    result = store.add(items)
    assert (result.articles_added, result.events_added, result.events_merged) == (4, 12, 0)
    frame = store.read_events()
    assert list(frame.columns) == [*EVENT_COLUMNS, "url", "geometry"] and len(frame) == 12
    assert frame.crs.to_epsg() == 4326
    expected = events_to_frame([e for _, evs in items for e in evs])
    for column in EVENT_COLUMNS:
        assert list(frame[column].astype(object)) == list(expected[column].astype(object)), column
    assert [(g.x, g.y) for g in frame.geometry] == [(g.x, g.y) for g in expected.geometry]
    assert json.loads(frame["numbers"].iloc[0]) == {"drones": 3}
    stored = store.read_article("art00001")
    assert stored.text == "Body of article 1." and stored.n_events == 3 and stored.date == "2024-12-14"
    assert store.check() == []


def test_readd_changes_nothing(store):
    assert store.revision() == 0
    store.add(batch(0, 3))
    before, revision = store.read_events(), store.revision()
    result = store.add(batch(0, 3) + batch(0, 1))
    assert (result.articles_added, result.articles_skipped, result.events_added) == (0, 4, 0)
    assert store.read_events().equals(before) and store.count_articles() == 3
    assert store.revision() == revision == 1                 # nothing stored, nothing changed
    store.add(batch(3, 1))
    assert store.revision() == 2


def test_same_incident_from_two_articles_is_one_event_with_two_sources(store):
    a, b, c = make_article(1), make_article(2), make_article(3)
    ea = make_event(a, 0, place_id="gn:518255", etype="energy_strike", tags=("drone_strike",))
    eb = make_event(b, 0, place_id="gn:518255", etype="energy_strike", date="2024-12-15", tags=("missile_strike",))
    ec = make_event(c, 0, place_id="gn:518255", etype="energy_strike", date="2024-12-20")   # another day
    result = store.add([(a, [ea]), (b, [eb]), (c, [ec])])
    assert (result.events_added, result.events_merged) == (2, 1)
    frame = store.read_events()
    merged = frame[frame.event_id == ea.event_id].iloc[0]
    assert merged["sources"] == "article-1.txt; article-2.txt"
    assert set(merged["tags"].split("; ")) == {"drone_strike", "missile_strike"}
    sources = store.read_sources(ea.event_id)
    assert list(sources.article_id) == ["art00001", "art00002"]
    assert list(sources.own_event_id) == [ea.event_id, eb.event_id]
    # the store keeps what merge_events keeps when given the same articles in the same order
    assert sorted(frame.event_id) == sorted(e.event_id for e in merge_events([ea, eb, ec]))
    assert set(store.read_events(article_id="art00002").event_id) == {ea.event_id}
    # and the same confidence: a second report makes the incident likelier
    in_memory = next(e for e in merge_events([ea, eb, ec]) if e.event_id == ea.event_id)
    assert merged["confidence"] == pytest.approx(in_memory.confidence)
    assert merged["confidence"] > max(ea.confidence, eb.confidence)


def test_a_failing_batch_stores_nothing(store):
    store.add(batch(0, 1))
    good, bad = batch(10, 2), batch(20, 1)
    bad_event = bad[0][1][0]
    broken = (bad[0][0], [bad_event, object()])               # not an Event: fails mid-batch
    with pytest.raises(Exception):
        store.add(good + [broken])
    assert store.count_articles() == 1 and store.count_events() == 3
    assert store.check() == []


def test_gdal_sees_the_rows_from_another_process(store):
    store.add(batch(0, 5))
    code = textwrap.dedent("""
        import sys, pyogrio
        info = pyogrio.read_info(sys.argv[1], layer="events")
        frame = pyogrio.read_dataframe(sys.argv[1], layer="events")
        near = pyogrio.read_dataframe(sys.argv[1], layer="events", bbox=(32.5, 46.5, 33.5, 47.05))
        print(info["features"], len(frame), frame.crs.to_epsg(), len(near), sorted(pyogrio.list_layers(sys.argv[1])[:, 0]))
    """)
    out = subprocess.run([sys.executable, "-c", code, str(store.path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "15 15 4326 1 ['articles', 'borderline_meta', 'event_sources', 'events']"


# --- reading ---------------------------------------------------------------------------------

def test_filters(store):
    a, b = make_article(1), make_article(2, date=None)
    store.add([(a, [make_event(a, 0, etype="drone_strike", lat=50.6, lon=36.6),
                    make_event(a, 1, etype="air_defense", lat=47.7, lon=39.9, date="2024-11")]),
               (b, [make_event(b, 0, etype="political", lat=39.0, lon=125.7, date=None)])])
    assert list(store.read_events(event_types=["air_defense"]).event_type) == ["air_defense"]
    assert len(store.read_events(bbox=(36, 50, 37, 51))) == 1
    assert list(store.read_events(date_from="2024-12").event_type) == ["drone_strike"]
    assert list(store.read_events(date_to="2024-11").event_type) == ["air_defense"]
    assert len(store.read_events(event_types=[])) == 0
    assert len(store.read_events(max_border_km=20, min_confidence=0.5)) == 3
    with pytest.raises(ValueError):
        store.read_events(event_types=["nonsense'; DROP TABLE events; --"])
    with pytest.raises(ValueError):
        store.read_events(date_from="yesterday")


def test_readers_do_not_wait_for_a_writer(store):
    """A reader sees the last committed state while a batch is being written, then the new one."""
    store.add(batch(0, 2))
    began, go = threading.Event(), threading.Event()

    def writer():
        with store._connect() as con:          # the same steps as EventStore.add, held open
            con.execute("BEGIN IMMEDIATE")
            store._add_in(con, batch(100, 3))
            began.set()
            go.wait(30)
            con.execute("COMMIT")

    t = threading.Thread(target=writer)
    t.start()
    assert began.wait(30)
    assert len(store.read_events()) == 6 and store.count_articles() == 2     # not blocked, not half
    go.set()
    t.join(30)
    assert len(store.read_events()) == 15 and store.count_articles() == 5


_KILL_WRITER = textwrap.dedent("""
    import sys, datetime as dt
    sys.path.insert(0, sys.argv[2])
    from tests.test_store import batch
    from geo.store import EventStore
    store = EventStore(sys.argv[1])
    print("ready", flush=True)
    i = 0
    while True:
        store.add(batch(i, 25, per=4))
        i += 25
""")


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.05, 0.4, 0.9])
def test_sigkill_during_ingest_leaves_whole_articles(tmp_path, delay):
    path = tmp_path / "events.gpkg"
    EventStore(path)
    proc = subprocess.Popen([sys.executable, "-c", _KILL_WRITER, str(path), str(REPO)], stdout=subprocess.PIPE,
                            cwd=REPO)
    assert proc.stdout.readline().strip() == b"ready"
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    survivor = EventStore(path, create=False)
    assert survivor.check() == []
    articles = survivor.read_articles()
    assert len(articles) % 25 == 0                             # whole batches only
    assert survivor.count_events() == 4 * len(articles)
    per_article = survivor.read_sources().groupby("article_id").size()
    assert (per_article == 4).all() and len(per_article) == len(articles)
    # a rerun resumes: what is stored is skipped, the rest is added
    done = len(articles)
    result = survivor.add(batch(0, done + 25, per=4))
    assert (result.articles_skipped, result.articles_added) == (done, 25)


# --- exports ---------------------------------------------------------------------------------

def test_exports(store, tmp_path):
    import geopandas as gpd
    import pandas as pd
    import pyogrio

    from geo.events import ACLED_COLUMNS

    store.add(batch(0, 3))
    for fmt in ("geojson", "csv", "gpkg", "parquet"):
        store.export(fmt, tmp_path / f"out.{fmt}")
    doc = json.loads((tmp_path / "out.geojson").read_text(encoding="utf-8"))
    assert len(doc["features"]) == 9 and list(doc["features"][0]["properties"]) == [*EVENT_COLUMNS, "url"]
    csv = pd.read_csv(tmp_path / "out.csv")
    assert tuple(csv.columns) == ACLED_COLUMNS and len(csv) == 9 and set(csv.geo_precision) == {1}
    gpkg = pyogrio.read_dataframe(tmp_path / "out.gpkg", layer="events")   # another file: no shared SQLite
    assert len(gpkg) == 9 and set(EVENT_COLUMNS) <= set(gpkg.columns)
    parquet = gpd.read_parquet(tmp_path / "out.parquet")
    assert len(parquet) == 9 and parquet.crs.to_epsg() == 4326
    assert store.export("geojson") == (tmp_path / "out.geojson").read_text(encoding="utf-8")
    with pytest.raises(ValueError):
        store.export("parquet")
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]


# --- identity, urls, month dates -----------------------------------------------------------

def test_same_text_under_two_record_ids_is_two_articles(store):
    from geo.articles import article_from_record

    text = "Drones hit the depot in Place 0 overnight."
    first = article_from_record({"id": "note-1", "text": text, "date": "2024-12-14"}, where="t:1")
    second = article_from_record({"id": "note-2", "text": text, "date": "2024-12-20"}, where="t:2")
    assert first.id != second.id
    result = store.add([(first, [make_event(first, 0, place_id="gn:1")]),
                        (second, [make_event(second, 0, place_id="gn:1", date="2024-12-20")])])
    assert (result.articles_added, result.articles_skipped) == (2, 0)
    assert store.stored_article_ids() == {first.id, second.id}
    again = article_from_record({"id": "note-2", "text": text, "date": "2024-12-20"}, where="t:9")
    assert store.add([(again, [make_event(again, 0, place_id="gn:1")])]).articles_skipped == 1
    assert store.stored_article_sources() == {first.id: "note-1", second.id: "note-2"}


def test_url_reaches_events_sources_and_gpkg_export(store, tmp_path):
    import pyogrio

    a = Article(id="web1", source="Example Wire", text="Body one.", url="https://example.org/a?x=1&y=2")
    b = Article(id="web2", source="Other Desk", text="Body two.")
    ea = make_event(a, 0, place_id="gn:7", etype="energy_strike")
    eb = make_event(b, 0, place_id="gn:7", etype="energy_strike")       # the same incident, merged
    ec = make_event(b, 1)
    store.add([(a, [ea]), (b, [eb, ec])])
    def text(values):       # missing strings read back as pandas' NA, like every text column
        return [v if isinstance(v, str) else None for v in values]

    frame = store.read_events()
    assert dict(zip(frame.event_id, text(frame.url))) == {ea.event_id: "https://example.org/a?x=1&y=2",
                                                         ec.event_id: None}
    sources = store.read_sources(ea.event_id)
    assert list(zip(sources.source, text(sources.url))) == [("Example Wire", "https://example.org/a?x=1&y=2"),
                                                            ("Other Desk", None)]
    assert store.read_article("web1").url == "https://example.org/a?x=1&y=2"
    assert text(store.read_events(article_id="web2").url) == ["https://example.org/a?x=1&y=2", None]
    store.export("gpkg", tmp_path / "out.gpkg")
    exported = pyogrio.read_dataframe(tmp_path / "out.gpkg", layer="events")
    assert set(exported.url.dropna()) == {"https://example.org/a?x=1&y=2"}


def test_month_precision_article_date_is_stored_as_the_month(store):
    a = Article(id="m1", source="2024-12-report.txt", text="Body.", date=dt.date(2024, 12, 1),
                date_precision="month")
    b = make_article(2)
    store.add([(a, []), (b, [])])
    assert store.read_article("m1").date == "2024-12"
    assert store.read_article("art00002").date == "2024-12-14"


def test_a_record_stored_before_records_had_their_own_identity_is_not_stored_again(store):
    from geo.articles import article_from_record, article_id

    text = "Drones hit Place 0."
    # what a store written before kept for {"id": "old-7", "text": ...}: the text's id, the id as source
    store.add([(Article(id=article_id(text), source="old-7", text=text), [])])
    again = article_from_record({"id": "old-7", "text": text, "source": "Example Wire"}, where="f:1")
    other = article_from_record({"id": "new-8", "text": text}, where="f:2")
    result = store.add([(again, [make_event(again, 0)]), (other, [make_event(other, 0)])])
    assert (result.articles_added, result.articles_skipped) == (1, 1)
    assert sorted(store.read_articles()["source"]) == ["new-8", "old-7"]


# --- languages and the upgrade from schema 1 -------------------------------------------------

#: A store written by main's code at schema 1 (before articles had a language), with three
#: articles written for this test: English (one energy strike in Sumy), Ukrainian and Russian
#: (no events: English rules read them then). Made with main's EventStore.add and its pipeline.
STORE_V1 = Path(__file__).resolve().parent / "data" / "store_v1.gpkg"


def _rows(path: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_store_written_before_languages_is_upgraded_losing_nothing(tmp_path):
    path = tmp_path / "events.gpkg"
    path.write_bytes(STORE_V1.read_bytes())
    assert _rows(path, "SELECT value FROM borderline_meta WHERE key = 'schema_version'") == [("1",)]
    events_before = _rows(path, "SELECT * FROM events ORDER BY fid")
    articles_before = _rows(path, "SELECT * FROM articles ORDER BY fid")
    sources_before = _rows(path, "SELECT * FROM event_sources ORDER BY fid")
    revision = int(_rows(path, "SELECT value FROM borderline_meta WHERE key = 'revision'")[0][0])

    store = EventStore(path, create=False)
    assert _rows(path, "SELECT value FROM borderline_meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
    # every row and value kept, with the language added after them
    assert [r[:-1] for r in _rows(path, "SELECT * FROM events ORDER BY fid")] == events_before
    assert [r[:-1] for r in _rows(path, "SELECT * FROM articles ORDER BY fid")] == articles_before
    assert _rows(path, "SELECT * FROM event_sources ORDER BY fid") == sources_before
    # each article's language detected from its stored text, each event's its article's
    articles = store.read_articles()
    assert dict(zip(articles["source"], articles["lang"])) == {"Test Wire": "en", "Тестова агенція": "uk",
                                                                "v1-ru": "ru"}
    events = store.read_events()
    assert list(events["lang"]) == ["en"] and list(events["place_name"]) == ["Sumy"]
    assert store.read_article(events["article_id"].iloc[0]).lang == "en"
    assert store.check() == [] and store.revision() == revision + 1
    # once: a second opening changes nothing
    EventStore(path, create=False)
    assert store.revision() == revision + 1
    # GDAL (QGIS, ogrinfo) sees the new column too
    import pyogrio
    assert "lang" in pyogrio.read_info(path, layer="events")["fields"]
    # and it takes new articles, with their language
    a = Article(id="new-ru", source="ru.txt", text="Ночью беспилотники атаковали Белгород.", lang="ru")
    assert store.add([(a, [dataclasses.replace(make_event(a, 0), lang="ru")])]).articles_added == 1
    assert sorted(store.read_events()["lang"]) == ["en", "ru"]


def test_an_old_store_that_cannot_be_written_is_read_as_it_is(tmp_path, monkeypatch):
    path = tmp_path / "events.gpkg"
    path.write_bytes(STORE_V1.read_bytes())
    monkeypatch.setattr(EventStore, "_writable", lambda self: False)
    store = EventStore(path, create=False)
    events = store.read_events()
    assert list(events["place_name"]) == ["Sumy"] and events["lang"].isna().all()
    assert store.read_articles()["lang"].isna().all()
    assert store.read_article(events["article_id"].iloc[0]).lang is None
    with pytest.raises(StoreError, match="could not be upgraded"):
        store.add(batch(0, 1))
    assert path.read_bytes() == STORE_V1.read_bytes()        # nothing written


def test_articles_and_events_keep_their_language(store):
    a = Article(id="uk1", source="uk.txt", text="Вночі дрони атакували Суми.", lang="uk")
    b = make_article(2)
    store.add([(a, [dataclasses.replace(make_event(a, 0), lang="uk")]), (b, [make_event(b, 0)])])
    assert dict(zip(store.read_articles()["id"], store.read_articles()["lang"])) == {"uk1": "uk", b.id: "en"}
    assert dict(zip(store.read_events()["article_id"], store.read_events()["lang"])) == {"uk1": "uk", b.id: "en"}
    assert store.read_article("uk1").lang == "uk"
