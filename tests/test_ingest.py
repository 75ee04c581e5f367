"""Batch ingest (geo/ingest.py): the same corpus gives the same store single-process, with
local worker processes and on a Dask LocalCluster; runs resume; bad inputs don't stop a
batch. The corpus is ~20 short war reports written for this test (plus the two example
articles from ../shared when present), in every input format."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from geo.articles import Article
from geo.ingest import IngestSummary, count_inputs, ingest
from geo.store import EventStore

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

# (date, text). Several report the same incident (same type, place, day) so that the store
# merges reports across articles, which is where the order of writing matters.
REPORTS: list[tuple[str, str]] = [
    ("2024-11-02", "KHARKIV, Ukraine — Russian drones struck Kharkiv overnight, damaging apartment "
                   "buildings and injuring nine people, the regional governor said.\n\nAir defences "
                   "shot down 31 of 40 drones launched against Ukraine, the air force said."),
    ("2024-11-02", "A Russian drone strike hit Kharkiv overnight, damaging apartment blocks and "
                   "injuring nine people, among them two children, officials said."),
    ("2024-11-05", "A Ukrainian drone attack set fire to an oil depot in Bryansk, Russia's Bryansk "
                   "region governor said on Tuesday. Firefighters worked through the night."),
    ("2024-11-06", "Russian forces captured the village of Vovchansk after weeks of fighting, the Russian "
                   "defence ministry claimed. Ukrainian officials denied the claim."),
    ("2024-11-08", "A Russian missile strike on Odesa killed four civilians and wounded twelve, the "
                   "regional governor said. The missile hit a residential area near the port."),
    ("2024-11-08", "Four people were killed when a Russian missile hit Odesa on Friday, according to "
                   "local officials. Twelve more were wounded."),
    ("2024-11-10", "Russian troops launched assaults near Pokrovsk in the Donetsk region, where "
                   "fierce battles continued for a third day, Ukraine's general staff said."),
    ("2024-11-12", "Ukrainian drones hit an oil refinery in Novoshakhtinsk in Russia's Rostov region "
                   "overnight, causing a large fire, officials said."),
    ("2024-11-14", "Shelling of Kherson killed two civilians on Thursday, the city's military "
                   "administration said. Russian artillery hit a bus stop in the city centre."),
    ("2024-11-15", "Russia attacked Ukraine's energy grid with missiles and drones, striking power "
                   "plants in the Lviv region and the Odesa region, Ukraine's energy minister said."),
    ("2024-11-16", "SUMY, Ukraine — A Russian glide bomb struck a hospital in Sumy on Saturday, "
                   "killing one person and injuring eleven, the regional administration said."),
    ("2024-11-18", "Russian air defences shot down 20 Ukrainian drones over the Belgorod region "
                   "overnight, the defence ministry in Moscow said."),
    ("2024-11-18", "Belgorod's governor said debris from a downed drone damaged a house in Shebekino. "
                   "Nobody was hurt."),
    ("2024-11-20", "Ukrainian forces recaptured the village of Staromaiorske in the Donetsk region, "
                   "a brigade spokesman said on Wednesday."),
    ("2024-11-21", "North Korean troops were deployed to the Kursk region, where Ukrainian forces "
                   "have held territory since August, South Korean intelligence said."),
    ("2024-11-22", "A Russian drone strike on Zaporizhzhia injured five people and damaged a "
                   "kindergarten, the regional governor said on Friday."),
    ("2024-11-23", "Fighting raged around Kupiansk in the Kharkiv region as Russian units attempted "
                   "to cross the Oskil river, the Ukrainian military said."),
    ("2024-11-25", "A Russian missile attack on Dnipro damaged an industrial facility overnight, "
                   "officials said. Three people were injured."),
    ("2024-11-26", "The German chancellor visited Kyiv on Monday and pledged new air-defence systems "
                   "for Ukraine, his office said."),
    ("2024-11-27", "Russian shelling killed a man in the village of Bilopillia in the Sumy region "
                   "on Wednesday, the regional military administration said."),
    ("2024-11-28", "Ukrainian drones attacked an ammunition depot in Kursk, the region's governor "
                   "said, adding that debris fell on a residential street."),
    ("2024-11-14", "Russian artillery shelled Kherson on Thursday, killing two civilians at a bus stop, "
                   "local authorities said."),
    ("2024-11-12", "A fire broke out at the oil refinery in Novoshakhtinsk after a Ukrainian drone "
                   "attack overnight, the Rostov region governor said."),
]


def _write_corpus(root: Path) -> list[Path]:
    """The reports in every format the ingest reads; returns the input files in order."""
    root.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for i, (date, text) in enumerate(REPORTS[:12]):
        p = root / f"r{i:02d}.txt"
        p.write_text(f"date {date}\n{text}\n", encoding="utf-8")
        files.append(p)
    for i, (date, text) in enumerate(REPORTS[12:15], 12):
        p = root / f"r{i:02d}.md"
        p.write_text(f"---\ntitle: Report {i}\ndate: {date}\n---\n\n{text}\n", encoding="utf-8")
        files.append(p)
    date, text = REPORTS[15]
    p = root / "r15.html"
    paras = "".join(f"<p>{para}</p>" for para in text.split("\n\n"))
    p.write_text(f'<html><head><title>Report 15</title><meta property="article:published_time" '
                 f'content="{date}T08:00:00Z"></head><body><article>{paras}</article></body></html>',
                 encoding="utf-8")
    files.append(p)
    p = root / "r16-more.jsonl"
    with p.open("w", encoding="utf-8") as fh:
        for i, (date, text) in enumerate(REPORTS[16:], 16):
            fh.write(json.dumps({"id": f"report-{i}", "text": text, "date": date, "source": "test"}) + "\n")
    files.append(p)
    shared = sorted((SHARED / "articles").glob("*.txt")) if (SHARED / "articles").is_dir() else []
    return sorted(files) + shared          # read where they are: third-party text stays out


def _snapshot(path: Path) -> dict[str, list[tuple]]:
    """Everything a store holds, minus ingest timestamps and feature ids, in a stable order."""
    store = EventStore(path, create=False)
    events = store.read_events()
    events = events.assign(wkt=events.geometry.to_wkt()).drop(columns="geometry")
    rows = sorted(tuple(None if v != v else v for v in r)  # NaN -> None, so rows compare
                  for r in events.itertuples(index=False))
    sources = store.read_sources().drop(columns=["added_at"])
    articles = store.read_articles().drop(columns=["ingested_at"])
    return {"events": rows,
            "sources": sorted(map(tuple, sources.astype(str).itertuples(index=False))),
            "articles": sorted(map(tuple, articles.astype(str).itertuples(index=False)))}


# Places of the reports beyond the small gazetteer's (GeoNames ids, coordinates, admin1 codes).
_PLACES = [
    (698740, "Odesa", "Odessa,Одеса,Одесса", 46.47747, 30.73262, "P", "PPLA", "UA", "17", 1015826),
    (706448, "Kherson", "Херсон", 46.65581, 32.6178, "P", "PPLA", "UA", "08", 320477),
    (692194, "Sumy", "Суми,Сумы", 50.9216, 34.80029, "P", "PPLA", "UA", "21", 268409),
    (687700, "Zaporizhzhia", "Zaporozhye,Запоріжжя", 47.82289, 35.19031, "P", "PPLA", "UA", "26", 710052),
    (9000001, "Dnipro", "Dnipropetrovsk,Дніпро", 48.4593, 35.03865, "P", "PPLA", "UA", "04", 968502),
    (571476, "Bryansk", "Брянск", 53.25209, 34.37167, "P", "PPLA", "RU", "10", 427236),
    (517963, "Novoshakhtinsk", "Новошахтинск", 47.75778, 39.93667, "P", "PPL", "RU", "61", 111087),
    (495112, "Shebekino", "Шебекино", 50.40776, 36.88882, "P", "PPL", "RU", "09", 43566),
    (689304, "Vovchansk", "Volchansk,Вовчанськ", 50.29078, 36.94108, "P", "PPL", "UA", "07", 18478),
    (703656, "Kupiansk", "Kupyansk,Куп'янськ", 49.71055, 37.61517, "P", "PPL", "UA", "07", 29000),
    (692812, "Staromaiorske", "Staromayorskoye", 47.78, 36.73, "P", "PPL", "UA", "05", 1200),
    (712559, "Bilopillia", "Belopolye,Білопілля", 51.15016, 34.31287, "P", "PPL", "UA", "21", 16000),
]


@pytest.fixture(scope="module")
def gaz(tmp_path_factory) -> str:
    """A small real gazetteer (countries, admin1 units, the reports' places), built once for
    this module; workers open it by path, and its geoparser starts in a fraction of a second."""
    from _gazetteer_support import SMALL_DUMP, write_geonames_dump

    from gazetteer.build import build

    directory = tmp_path_factory.mktemp("ingest-gazetteer")
    dump = write_geonames_dump(directory / "DUMP.txt", [*SMALL_DUMP, *_PLACES])
    return str(build(directory, dumps=[dump], sources=("admin1", "countries")))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    return _write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def single(corpus, gaz, tmp_path_factory) -> tuple[IngestSummary, dict, Path]:
    """The reference: the corpus ingested in this process."""
    path = tmp_path_factory.mktemp("single") / "events.gpkg"
    summary = ingest(corpus, store=EventStore(path), gazetteer_path=gaz, workers=1, progress=False)
    return summary, _snapshot(path), path


@pytest.fixture(scope="module")
def dask_cluster(gaz):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=50)
    try:
        yield cluster
    finally:
        cluster.close()


# --- the same store whatever the parallelism ------------------------------------------------

def test_single_process_reference_is_meaningful(single, corpus):
    summary, snap, _path = single
    n_articles = len(REPORTS) + sum(1 for p in corpus if p.parent.name == "articles")
    assert summary.failed == ()
    assert summary.read == summary.processed == n_articles
    assert summary.mode == "in-process"
    assert len(snap["articles"]) == n_articles
    # enough events, and reports merged across articles, for the comparisons below to bite
    assert summary.events_added == len(snap["events"]) >= 15
    assert summary.events_merged >= 2
    assert summary.events_found == summary.events_added + summary.events_merged


def test_local_workers_store_the_same(single, corpus, gaz, tmp_path):
    path = tmp_path / "events.gpkg"
    # chunks of 3 articles: 8 chunks over 2 workers, finishing out of order
    summary = ingest(corpus, store=EventStore(path), gazetteer_path=gaz, workers=2, chunk_size=3,
                     write_batch=4, progress=False)
    assert summary.mode == "2 local workers"
    assert summary.failed == ()
    assert (summary.events_added, summary.events_merged) == (single[0].events_added, single[0].events_merged)
    assert _snapshot(path) == single[1]


def test_dask_local_cluster_stores_the_same(single, corpus, gaz, tmp_path, dask_cluster):
    path = tmp_path / "events.gpkg"
    summary = ingest(corpus, store=EventStore(path), gazetteer_path=gaz,
                     scheduler=dask_cluster.scheduler_address, chunk_size=3, progress=False)
    assert summary.mode.startswith("dask ") and "2 worker threads" in summary.mode
    assert summary.failed == ()
    assert _snapshot(path) == single[1]


def test_chunks_finishing_out_of_order_are_written_in_input_order(single, corpus, gaz, tmp_path,
                                                                   monkeypatch):
    import concurrent.futures as cf
    import time

    import geo.ingest as gi

    real = gi._process_chunk

    def slow_third_chunk(articles, gazetteer_path):
        if any(a.source == "r06.txt" for a in articles):
            time.sleep(1.0)     # chunks after it, with later reports of its incidents, finish first
        return real(articles, gazetteer_path)

    monkeypatch.setattr(gi, "_process_chunk", slow_third_chunk)
    monkeypatch.setattr(gi, "_local_pool", lambda n, _gaz: cf.ThreadPoolExecutor(n))
    path = tmp_path / "events.gpkg"
    summary = ingest(corpus, store=EventStore(path), gazetteer_path=gaz, workers=2, chunk_size=3,
                     progress=False)
    assert summary.mode == "2 local workers" and summary.failed == ()
    assert _snapshot(path) == single[1]
    written = list(EventStore(path).read_articles()["source"])
    assert written == list(EventStore(single[2]).read_articles()["source"])


# --- resume -----------------------------------------------------------------------------------

def test_resume_skips_what_is_stored_and_ends_equal(single, corpus, gaz, tmp_path):
    path = tmp_path / "events.gpkg"
    half = corpus[: len(corpus) // 2]
    first = ingest(half, store=EventStore(path), gazetteer_path=gaz, workers=1, progress=False)
    assert first.processed == first.read > 0
    # skipping happens before dispatch, the same for every mode: in-process keeps this test fast
    second = ingest(corpus, store=EventStore(path), gazetteer_path=gaz, workers=1, progress=False)
    assert second.skipped_stored == first.processed
    assert second.processed == single[0].processed - first.processed
    assert second.failed == ()
    assert _snapshot(path) == single[1]
    third = ingest(corpus, store=EventStore(path), gazetteer_path=gaz, workers=2, chunk_size=3,
                   progress=False)                  # nothing left: no worker is started
    assert third.mode == "in-process"
    assert (third.processed, third.skipped_stored, third.events_added) == (0, single[0].processed, 0)
    assert _snapshot(path) == single[1]


def test_the_same_article_twice_in_one_run_is_processed_once(corpus, gaz, tmp_path):
    path = tmp_path / "events.gpkg"
    copy = tmp_path / "copy.txt"
    copy.write_bytes(corpus[0].read_bytes())
    summary = ingest([corpus[0], copy], store=EventStore(path), gazetteer_path=gaz, workers=1,
                     progress=False)
    assert (summary.read, summary.processed, summary.skipped_stored) == (2, 1, 1)
    assert EventStore(path).count_articles() == 1


# --- bad inputs -------------------------------------------------------------------------------

def test_bad_inputs_in_a_directory_do_not_stop_the_batch(corpus, gaz, tmp_path):
    d = tmp_path / "inbox"
    d.mkdir()
    good = [p for p in corpus if p.suffix == ".txt"][:3]
    for p in good:
        (d / p.name).write_bytes(p.read_bytes())
    (d / "aa-binary.txt").write_bytes(bytes(range(256)) * 8)
    (d / "ab-empty.md").write_text("", encoding="utf-8")
    (d / "ac-latin1.txt").write_bytes("Kharkiv \xe9t\xe9 \xff\xfe\x00 drone".encode("latin-1") + b"\x00\x81")
    (d / "ad-lines.jsonl").write_text(
        json.dumps({"id": "ok-1", "text": REPORTS[19][1], "date": REPORTS[19][0]}) + "\n"
        "{not json\n"
        + json.dumps({"id": "no-text"}) + "\n"
        + json.dumps({"id": "bad-date", "text": "Drones hit Sumy.", "date": "yesterday"}) + "\n",
        encoding="utf-8")
    (d / "notes.pdf").write_bytes(b"%PDF-1.4")          # not an article type: not an input
    seen: list[str] = []
    summary = ingest([d, tmp_path / "missing.txt"], store=EventStore(tmp_path / "events.gpkg"),
                     gazetteer_path=gaz, workers=1, progress=False, on_failure=seen.append)
    assert summary.processed == summary.read == len(good) + 1
    assert list(summary.failed) == seen
    assert all("\n" not in m for m in summary.failed)
    named = " | ".join(summary.failed)
    for where in ("aa-binary.txt", "ab-empty.md", "ad-lines.jsonl:2", "ad-lines.jsonl:3",
                  "ad-lines.jsonl:4", "missing.txt"):
        assert where in named, (where, summary.failed)
    assert "notes.pdf" not in named
    assert EventStore(tmp_path / "events.gpkg").count_articles() == len(good) + 1


def test_count_inputs_counts_files_and_json_lines(corpus):
    jsonl = [p for p in corpus if p.suffix == ".jsonl"]
    assert count_inputs(corpus) == len(corpus) - len(jsonl) + len(REPORTS[16:])


# --- a failing article, with a stand-in pipeline (no gazetteer needed) ------------------------

@dataclasses.dataclass
class _FakePipeline:
    """Fails on articles whose text says BOOM; otherwise finds no events."""

    def process(self, article: Article) -> list:
        if "BOOM" in article.text:
            raise RuntimeError("synthetic failure")
        return []

    def process_many(self, articles):
        from geo.pipeline import ArticleResult

        return [ArticleResult(a, tuple(self.process(a))) for a in articles]

    def first_passes(self, articles):
        from geo.pipeline import FirstPass

        return [FirstPass(tuple(self.process(a)), ()) for a in articles]


def test_an_article_that_fails_in_processing_fails_alone(tmp_path, monkeypatch):
    import geo.ingest as gi

    fake_gaz = tmp_path / "fake-gazetteer"
    monkeypatch.setitem(gi._PIPELINES, gi._cache_key(fake_gaz), _FakePipeline())
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(json.dumps({"id": f"a{i}", "text": f"Report {i}. {'BOOM' if i == 3 else 'calm'}."})
                              + "\n" for i in range(6)), encoding="utf-8")
    path = tmp_path / "events.gpkg"
    summary = ingest([inputs], store=EventStore(path), gazetteer_path=fake_gaz, workers=1,
                     chunk_size=2, progress=False, default_date=dt.date(2024, 12, 1))
    assert summary.processed == 5
    assert len(summary.failed) == 1 and summary.failed[0].startswith("a3: processing failed (RuntimeError")
    con = sqlite3.connect(path)
    try:
        dates = {r[0] for r in con.execute("SELECT date FROM articles")}
    finally:
        con.close()
    assert dates == {"2024-12-01"}


def _crashing_chunk(articles, gazetteer_path):
    """Stands in for geo.ingest._process_chunk in forked workers: dies on CRASH."""
    import os

    if any("CRASH" in a.text for a in articles):
        os._exit(3)
    return [() for _ in articles]


def test_a_worker_that_dies_costs_only_the_article_it_died_on(tmp_path, monkeypatch):
    import concurrent.futures as cf
    import multiprocessing

    import geo.ingest as gi

    # fork, so the workers see the stand-in (the real pool uses forkserver and opens the
    # real pipeline by path)
    monkeypatch.setattr(gi, "_process_chunk", _crashing_chunk)
    monkeypatch.setattr(gi, "_check_gazetteer", lambda _path: None)
    monkeypatch.setattr(gi, "_local_pool", lambda n, _gaz: cf.ProcessPoolExecutor(
        n, mp_context=multiprocessing.get_context("fork")))
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(json.dumps({"id": f"a{i}", "text": f"Report {i}. {'CRASH' if i == 5 else 'calm'}."})
                              + "\n" for i in range(12)), encoding="utf-8")
    path = tmp_path / "events.gpkg"
    summary = ingest([inputs], store=EventStore(path), workers=2, chunk_size=3, progress=False)
    assert summary.mode == "2 local workers"
    assert summary.processed == 11
    assert len(summary.failed) == 1
    assert summary.failed[0].startswith("a5: processing failed") and "died" in summary.failed[0]
    assert EventStore(path).count_articles() == 11


def test_workers_that_cannot_open_the_pipeline_stop_the_run_with_one_error(corpus, tmp_path, monkeypatch):
    import concurrent.futures as cf
    import multiprocessing

    import geo.ingest as gi
    from geo.errors import GazetteerError

    monkeypatch.setattr(gi, "_check_gazetteer", lambda _path: None)   # as if it vanished since
    monkeypatch.setattr(gi, "_local_pool", lambda n, _gaz: cf.ProcessPoolExecutor(
        n, mp_context=multiprocessing.get_context("fork")))
    seen: list[str] = []
    with pytest.raises(GazetteerError, match="no gazetteer at"):
        ingest(corpus, store=EventStore(tmp_path / "events.gpkg"), gazetteer_path=tmp_path / "none",
               workers=2, chunk_size=3, progress=False, on_failure=seen.append)
    assert seen == []                                # not one message per article
    assert EventStore(tmp_path / "events.gpkg").count_articles() == 0


# --- the command line -------------------------------------------------------------------------

def test_cli_ingest_uses_the_batch_ingest(single, corpus, gaz, tmp_path, capsys):
    from geo.cli import main

    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02\x03")
    code = main(["ingest", *map(str, corpus), str(bad), "--data", str(tmp_path), "--workers", "1",
                 "--cache", gaz])
    err = capsys.readouterr().err
    assert code == 1                                   # one input failed, the rest went on
    lines = [line for line in err.splitlines() if line.startswith("borderline:")]
    assert any("bad.txt" in line for line in lines)
    assert "Traceback" not in err
    assert f"{single[0].processed} processed" in err
    assert _snapshot(tmp_path / "events.gpkg") == single[1]
    code = main(["ingest", *map(str, corpus), "--data", str(tmp_path), "--workers", "1", "--cache", gaz])
    assert code == 0
    assert f"{single[0].processed} skipped as already stored" in capsys.readouterr().err


# --- identity: a record's id, else its text ---------------------------------------------------

def _fake(monkeypatch, tmp_path) -> Path:
    import geo.ingest as gi

    fake_gaz = tmp_path / "fake-gazetteer"
    monkeypatch.setitem(gi._PIPELINES, gi._cache_key(fake_gaz), _FakePipeline())
    return fake_gaz


def test_same_text_under_different_ids_or_dates_is_stored_each_time(tmp_path, monkeypatch):
    fake_gaz = _fake(monkeypatch, tmp_path)
    text = "Shelling hit Testivka, officials said."
    records = [{"id": "n1", "text": text, "date": "2024-12-01"},
               {"id": "n2", "text": text, "date": "2024-12-02"},      # the same words, another day
               {"id": "n3", "text": text, "date": "2024-12-01"},      # the same words, another report
               {"id": "n1", "text": text, "date": "2024-12-01"}]      # the same record again
    inputs = tmp_path / "notes.jsonl"
    inputs.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    plain = tmp_path / "plain.txt"
    plain.write_text(text, encoding="utf-8")
    path = tmp_path / "events.gpkg"
    first = ingest([inputs, plain], store=EventStore(path), gazetteer_path=fake_gaz, workers=1, progress=False)
    assert (first.read, first.processed, first.skipped_stored) == (5, 4, 1)
    stored = EventStore(path).read_articles()
    assert sorted(stored["source"]) == ["n1", "n2", "n3", "plain.txt"]
    again = ingest([inputs, plain], store=EventStore(path), gazetteer_path=fake_gaz, workers=1, progress=False)
    assert (again.processed, again.skipped_stored) == (0, 5)       # the same ids, the same file: nothing new
    assert EventStore(path).count_articles() == 4


def test_a_store_from_before_record_ids_is_not_filled_twice(tmp_path, monkeypatch):
    """Before records had their own identity, a record was stored under its text's id with
    its record id as the source: ingesting that file again must not store it again."""
    from geo.articles import article_id

    fake_gaz = _fake(monkeypatch, tmp_path)
    old_text, new_text = "Drones hit Testivka.", "Drones hit Probne."
    store = EventStore(tmp_path / "events.gpkg")
    store.add([(Article(id=article_id(old_text), source="old-1", text=old_text), [])])
    inputs = tmp_path / "notes.jsonl"
    inputs.write_text(json.dumps({"id": "old-1", "text": old_text}) + "\n"
                      + json.dumps({"id": "new-1", "text": new_text}) + "\n"
                      + json.dumps({"id": "other", "text": old_text}) + "\n", encoding="utf-8")
    summary = ingest([inputs], store=store, gazetteer_path=fake_gaz, workers=1, progress=False)
    assert (summary.processed, summary.skipped_stored) == (2, 1)
    assert sorted(store.read_articles()["source"]) == ["new-1", "old-1", "other"]


# --- progress off a terminal ---------------------------------------------------------------------

def test_progress_lines_when_stderr_is_not_a_terminal(tmp_path, monkeypatch, capsys):
    fake_gaz = _fake(monkeypatch, tmp_path)
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(json.dumps({"id": f"p{i}", "text": f"Report {i}. {'BOOM' if i == 4 else 'calm'}."})
                              + "\n" for i in range(10)), encoding="utf-8")
    summary = ingest([inputs], store=EventStore(tmp_path / "events.gpkg"), gazetteer_path=fake_gaz, workers=1,
                     chunk_size=3, progress=True, progress_every_s=0.0, on_failure=lambda _m: None)
    assert summary.processed == 9
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("ingest: ")]
    assert len(lines) >= 4                           # one a chunk (every_s=0), then the last
    done = [int(line.split()[1].split("/")[0]) for line in lines]
    assert done == sorted(done) and done[-1] == 10
    assert lines[-1].startswith("ingest: 10/10 articles (100%), 0 events, 1 failed, ")
    assert " articles/s, " in lines[-1] and "\r" not in "".join(lines)


def test_a_terminal_gets_the_bar_not_lines(tmp_path, monkeypatch):
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    fake_gaz = _fake(monkeypatch, tmp_path)
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(json.dumps({"id": f"t{i}", "text": f"Report {i}."}) + "\n" for i in range(5)),
                      encoding="utf-8")
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    ingest([inputs], store=EventStore(tmp_path / "events.gpkg"), gazetteer_path=fake_gaz, workers=1,
           progress=True, progress_every_s=0.0)
    out = err.getvalue()
    assert "\r" in out and "5/5" in out                     # tqdm redrew its bar
    assert "articles (" not in out                          # no progress lines


def test_cli_ingest_into_a_pipe_prints_progress_lines(corpus, gaz, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.run([sys.executable, "-m", "geo", "ingest", *map(str, corpus), "--data", str(tmp_path),
                           "--workers", "1", "--cache", gaz], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    progress = [line for line in lines if line.startswith("ingest: ") and " articles (" in line]
    n = count_inputs(corpus)
    assert progress and progress[-1].startswith(f"ingest: {n}/{n} articles (100%), ")
    events = int(progress[-1].split(", ")[1].split()[0].replace(",", ""))
    assert events >= 15
    assert lines[-1].startswith("borderline: ingest: ")       # the summary comes last


# --- dates: a file name to the month ------------------------------------------------------------

def test_a_file_named_for_a_month_dates_its_undated_events_to_that_month(gaz, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "2024-11-kharkiv.txt").write_text(
        "Russian drones struck Kharkiv overnight, damaging apartment buildings, the governor said.\n\n"
        "On 14 November 2024 a Russian missile hit Odesa, killing four civilians.", encoding="utf-8")
    (inbox / "2024-11-20-sumy.txt").write_text(
        "A Russian glide bomb struck a hospital in Sumy overnight, killing one person.", encoding="utf-8")
    path = tmp_path / "events.gpkg"
    summary = ingest([inbox], store=EventStore(path), gazetteer_path=gaz, workers=1, progress=False)
    assert summary.failed == () and summary.processed == 2
    events = EventStore(path).read_events()
    got = {(r.place_name, r.date, r.date_precision) for r in events.itertuples()}
    assert ("Kharkiv", "2024-11", "month") in got            # "overnight" of an unknown day: the month
    assert ("Odesa", "2024-11-14", "day") in got             # its own date stands
    assert ("Sumy", "2024-11-20", "day") in got              # named to the day
    dates = dict(EventStore(path).read_articles()[["source", "date"]].itertuples(index=False))
    assert dates == {"2024-11-kharkiv.txt": "2024-11", "2024-11-20-sumy.txt": "2024-11-20"}


# --- namesakes decided by the whole input, whatever the chunking (issue 14) ---------------------

# Two invented villages of one name in Donetsk Oblast, about 90 km apart (the western one a little
# bigger, so a report alone reads it), and uniquely named villages near each: the other reports'
# confident places.
_NAMESAKES = [
    (9100001, "Zhovtoklynivka", "", 48.30, 37.00, "P", "PPL", "UA", "05", 350),
    (9100002, "Zhovtoklynivka", "", 49.10, 37.40, "P", "PPL", "UA", "05", 300),
    (9100011, "Verbokhvostivka", "", 48.34, 37.03, "P", "PPL", "UA", "05", 200),
    (9100021, "Sosnopadivka", "", 49.14, 37.43, "P", "PPL", "UA", "05", 200),
    (9100022, "Klenoyarivka", "", 49.18, 37.43, "P", "PPL", "UA", "05", 200),
    (9100023, "Hrabovodolyna", "", 49.06, 37.36, "P", "PPL", "UA", "05", 200),
]
_WEST, _NORTH = "gn:9100001", "gn:9100002"


def _namesake_records() -> list[dict]:
    """Reports written for this test: the undecided ones first (the context that decides them
    comes later in the input), the north's villages reported more often than the west's."""
    undecided = "Russian artillery shelled Zhovtoklynivka, Donetsk region, overnight, officials said."
    north = ("Sosnopadivka", "Klenoyarivka", "Hrabovodolyna")
    out = [{"id": f"u{k}", "text": undecided, "date": f"2024-11-{10 + k:02d}"} for k in range(3)]
    for k in range(12):
        name = "Verbokhvostivka" if k % 6 == 5 else north[k % 3]
        out.append({"id": f"c{k}", "text": f"Russian forces shelled {name}, Donetsk region, with artillery.",
                    "date": f"2024-11-{1 + k:02d}"})
    out.append({"id": "k", "text": "A Russian missile strike on Kharkiv injured five people.", "date": "2024-11-20"})
    out.append({"id": "u9", "text": undecided, "date": "2024-11-21"})
    return out


@pytest.fixture(scope="module")
def namesake_gaz(tmp_path_factory) -> str:
    from _gazetteer_support import SMALL_DUMP, write_geonames_dump

    from gazetteer.build import build

    directory = tmp_path_factory.mktemp("namesake-gazetteer")
    dump = write_geonames_dump(directory / "DUMP.txt", [*SMALL_DUMP, *_NAMESAKES])
    return str(build(directory, dumps=[dump], sources=("admin1", "countries")))


@pytest.fixture(scope="module")
def namesake_corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("namesake-corpus") / "reports.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _namesake_records()), encoding="utf-8")
    return path


def _zh_places(path: Path) -> set[str]:
    events = EventStore(path).read_events()
    return set(events[events.place_name == "Zhovtoklynivka"].place_id)


def _via_process_many(corpus: Path, gaz: str, path: Path) -> dict:
    """What `borderline events` decides, stored in input order (the store's merge is ingest's)."""
    from geo.pipeline import Pipeline, read_inputs

    articles = list(read_inputs([corpus]))
    results = Pipeline.open(cache=gaz).process_many(articles)
    EventStore(path).add((r.article, r.events) for r in results)
    return _snapshot(path)


def test_namesakes_are_decided_alike_whatever_the_chunk_size_or_workers(namesake_corpus, namesake_gaz, tmp_path):
    from geo.pipeline import Pipeline, read_inputs

    # alone, each undecided report reads the western village (and names the other as its rival)
    pipe = Pipeline.open(cache=namesake_gaz)
    alone = {e.place_id for a in read_inputs([namesake_corpus]) if a.record_id.startswith("u")
             for e in pipe.process(a)}
    assert alone == {_WEST}
    reference = None
    for chunk_size in (1, 16, 10_000):
        for workers in (1, 2):
            path = tmp_path / f"c{chunk_size}-w{workers}" / "events.gpkg"
            summary = ingest([namesake_corpus], store=EventStore(path), gazetteer_path=namesake_gaz,
                             workers=workers, chunk_size=chunk_size, write_batch=3, progress=False)
            assert summary.failed == () and summary.processed == len(_namesake_records())
            snap = _snapshot(path)
            if reference is None:
                reference = snap
                # the whole input decided them: where the other reports are, also those that come later
                assert _zh_places(path) == {_NORTH}
            assert snap == reference, (chunk_size, workers)
    assert _via_process_many(namesake_corpus, namesake_gaz, tmp_path / "events" / "events.gpkg") == reference


def test_context_windows_cut_alike_and_an_interrupted_run_resumes_to_the_same_store(
        namesake_corpus, namesake_gaz, tmp_path, monkeypatch):
    import geo.pipeline

    monkeypatch.setattr(geo.pipeline, "CONTEXT_WINDOW", 5)     # four windows over the 17 reports
    clean = tmp_path / "clean" / "events.gpkg"
    ingest([namesake_corpus], store=EventStore(clean), gazetteer_path=namesake_gaz, workers=1, chunk_size=2,
           progress=False)
    reference = _snapshot(clean)
    # a window decides with the windows before it, not after: the first undecided reports have
    # no context yet, the last one has the north's
    events = EventStore(clean).read_events()
    by_article = dict(zip(events.article_id, events.place_id, strict=True))
    first, last = (next(a for a in read_ids(namesake_corpus) if a[1] == rid)[0] for rid in ("u0", "u9"))
    assert (by_article.get(first), by_article.get(last)) == (_WEST, _NORTH)
    other = tmp_path / "workers" / "events.gpkg"
    ingest([namesake_corpus], store=EventStore(other), gazetteer_path=namesake_gaz, workers=2, chunk_size=3,
           progress=False)
    assert _snapshot(other) == reference
    assert _via_process_many(namesake_corpus, namesake_gaz, tmp_path / "events" / "events.gpkg") == reference

    # interrupted after its second transaction, then run again: the same store as the clean run
    real_add = EventStore.add
    calls = {"n": 0}

    def add_then_interrupt(self, items):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_add(self, items)

    path = tmp_path / "resumed" / "events.gpkg"
    monkeypatch.setattr(EventStore, "add", add_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        ingest([namesake_corpus], store=EventStore(path), gazetteer_path=namesake_gaz, workers=1,
               chunk_size=2, write_batch=2, progress=False)
    monkeypatch.setattr(EventStore, "add", real_add)
    stored = EventStore(path).count_articles()
    assert 0 < stored < len(_namesake_records())
    summary = ingest([namesake_corpus], store=EventStore(path), gazetteer_path=namesake_gaz, workers=1,
                     chunk_size=2, progress=False)
    assert summary.skipped_stored == stored
    assert _snapshot(path) == reference


def read_ids(corpus: Path) -> list[tuple[str, str]]:
    from geo.pipeline import read_inputs

    return [(a.id, a.record_id) for a in read_inputs([corpus])]
