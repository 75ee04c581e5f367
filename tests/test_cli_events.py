"""``borderline events``, ``ingest`` and ``export``.

Most tests swap in a small pipeline (hand-built gazetteer and geoparser, a fake border), so
they test the commands, not the data. The last test runs the real thing on ../shared.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import geo.ingest
from geo.cli import main
from geo.events import ACLED_COLUMNS, EVENT_COLUMNS, Event
from geo.pipeline import Pipeline
from geo.store import EventStore
from test_events import SHARED, FakeGazetteer, check_against_seeds
from test_pipeline import FakeGeoparser, fake_borders  # noqa: F401 - a fixture

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def small_pipeline(monkeypatch, fake_borders):  # noqa: F811
    pipe = Pipeline(gazetteer=FakeGazetteer(), geoparser=FakeGeoparser(), border="BORDER")
    monkeypatch.setattr(Pipeline, "open", classmethod(lambda cls, cache=None: pipe))
    # In-process ingest keeps one pipeline per gazetteer path for the life of the process;
    # one an earlier test opened on the real gazetteer would be served instead of this one.
    monkeypatch.setattr(geo.ingest, "_PIPELINES", {})
    return pipe


@pytest.fixture
def articles(tmp_path) -> list[Path]:
    one = tmp_path / "one.txt"
    one.write_text("date 2024-12-14\nUkrainian drones hit an oil depot in Bryansk overnight.\n", encoding="utf-8")
    two = tmp_path / "two.md"
    two.write_text("# Strikes\n\nA missile strike on Dnipro killed three civilians.\n\n"
                   "Ukrainian drones hit an oil depot in Bryansk overnight, officials said.\n", encoding="utf-8")
    return [one, two]


def summary(err: str) -> dict[str, int]:
    """The counts of ingest's summary line (its wording belongs to the ingest command)."""
    line = err.strip().splitlines()[-1]
    counts = {}
    for key, pattern in (("read", r"(\d+) articles read"), ("skipped", r"(\d+) skipped as already stored"),
                         ("failed", r"(\d+) failed"), ("added", r"(\d+) events added"),
                         ("merged", r"\((\d+) merged")):
        m = re.search(pattern, line)
        assert m, (key, line)
        counts[key] = int(m.group(1))
    return counts


def run(argv, capfd):
    code = main([str(a) for a in argv])
    out, err = capfd.readouterr()
    return code, out, err


def test_events_geojson_to_stdout(small_pipeline, articles, capfd):
    code, out, err = run(["events", *articles, "--date", "2024-12-14"], capfd)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["type"] == "FeatureCollection"
    props = [f["properties"] for f in doc["features"]]
    assert all(list(p) == [*EVENT_COLUMNS, "url"] for p in props)
    assert sorted((p["event_type"], p["place_name"]) for p in props) == [
        ("civilian_casualties", "Dnipro"), ("energy_strike", "Bryansk")]
    bryansk = next(p for p in props if p["place_name"] == "Bryansk")
    assert bryansk["sources"] == "one.txt; two.md"                  # one incident, two reports
    assert bryansk["border_km"] == pytest.approx(162.83, abs=0.01)      # the fake border's rule


def test_events_reads_its_inputs_as_one_batch_and_a_failure_costs_one_article(
        small_pipeline, articles, capfd, monkeypatch):
    batches = []
    real = Pipeline.first_passes

    def spy(self, arts):
        arts = list(arts)
        batches.append([a.source for a in arts])
        return real(self, arts)

    monkeypatch.setattr(Pipeline, "first_passes", spy)
    code, out, err = run(["events", *articles, "--date", "2024-12-14"], capfd)
    assert code == 0, err
    assert batches == [["one.txt", "two.md"]]        # read as one batch: the other report is context for each
    assert len(json.loads(out)["features"]) == 2

    def first_passes(self, arts):
        if any(a.source == "two.md" for a in arts):
            raise ValueError("this one is bad")
        return real(self, arts)

    monkeypatch.setattr(Pipeline, "first_passes", first_passes)
    code, out, err = run(["events", *articles], capfd)
    assert code == 1 and "two.md: processing failed" in err
    assert [f["properties"]["place_name"] for f in json.loads(out)["features"]] == ["Bryansk"]


def test_events_csv_and_gpkg(small_pipeline, articles, capfd, tmp_path):
    code, out, _ = run(["events", *articles, "--format", "csv"], capfd)
    assert code == 0 and out.splitlines()[0] == ",".join(ACLED_COLUMNS)
    code, _, err = run(["events", *articles, "--format", "gpkg"], capfd)
    assert code == 2 and "--out" in err
    code, _, _ = run(["events", *articles, "--date", "2024-12-14", "--format", "gpkg", "--out",
                      tmp_path / "ev.gpkg"], capfd)
    import pyogrio

    assert code == 0 and len(pyogrio.read_dataframe(tmp_path / "ev.gpkg")) == 2


def test_bad_inputs_fail_alone(small_pipeline, articles, capfd, tmp_path):
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 16)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:                                # 50 MB, sparse: cheap to make
        fh.truncate(50 * 1024 * 1024)
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("Drones hit Bryansk.".encode("utf-16"))
    data = tmp_path / "data"
    bad = [binary, empty, huge, utf16]
    code, _, err = run(["ingest", "--workers", "1", "--data", data, bad[0], articles[0], *bad[1:]], capfd)
    assert code == 1
    lines = err.strip().splitlines()
    for path in bad:
        assert sum(path.name in line for line in lines) == 1, (path.name, lines)
    assert summary(err) == {"read": 1, "skipped": 0, "failed": 4, "added": 1, "merged": 0}
    store = EventStore(data / "events.gpkg", create=False)
    assert store.count_articles() == 1 and store.check() == []
    code, out, err = run(["events", *bad], capfd)
    assert code == 1 and json.loads(out)["features"] == []


def test_ingest_is_idempotent_and_merges(small_pipeline, articles, capfd, tmp_path):
    data = tmp_path / "data"
    common = ["ingest", "--workers", "1", "--date", "2024-12-14", "--data", data]
    code, _, err = run([*common, articles[0]], capfd)
    assert code == 0 and summary(err) == {"read": 1, "skipped": 0, "failed": 0, "added": 1, "merged": 0}
    code, _, err = run([*common, *articles], capfd)
    assert code == 0 and summary(err) == {"read": 2, "skipped": 1, "failed": 0, "added": 1, "merged": 1}
    code, _, err = run([*common, articles[0].parent], capfd)
    assert code == 0 and summary(err) == {"read": 2, "skipped": 2, "failed": 0, "added": 0, "merged": 0}
    store = EventStore(data / "events.gpkg", create=False)
    assert store.count_events() == 2 and len(store.read_sources()) == 3


def test_export(small_pipeline, articles, capfd, tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("BORDERLINE_DATA", str(data))
    code, _, err = run(["export"], capfd)
    assert code == 2 and "no store" in err
    run(["ingest", "--workers", "1", "--date", "2024-12-14", *articles], capfd)
    code, out, _ = run(["export"], capfd)
    assert code == 0 and len(json.loads(out)["features"]) == 2
    code, out, _ = run(["export", "--format", "csv"], capfd)
    assert code == 0 and out.splitlines()[0].startswith("event_id_cnty,event_date")
    code, _, err = run(["export", "--format", "parquet"], capfd)
    assert code == 2
    for fmt in ("geojson", "csv", "gpkg", "parquet"):
        code, _, err = run(["export", "--format", fmt, "--out", tmp_path / f"x.{fmt}"], capfd)
        assert code == 0 and (tmp_path / f"x.{fmt}").stat().st_size > 0, err


def _event(props: dict, geometry: dict | None) -> Event:
    """An Event back from a GeoJSON feature (for the seeds check)."""
    def split(v):
        return tuple(v.split("; ")) if v else ()

    lon, lat = geometry["coordinates"] if geometry else (None, None)
    keep = {k: props[k] for k in ("event_id", "event_type", "place_name", "precision", "excerpt", "place_start",
                                  "place_end", "article", "article_id", "place_id", "place_kind", "country",
                                  "admin1", "border_km", "side", "date", "date_precision", "confidence")}
    return Event(**keep, tags=split(props["tags"]), sources=split(props["sources"]),
                 triggers=split(props["triggers"]), actors=json.loads(props["actors"]),
                 numbers=json.loads(props["numbers"]), lat=lat, lon=lon)


def test_borderline_events_on_the_example_articles():
    """The real command, in its own process, on ../shared/articles (skips when absent)."""
    seeds_path = SHARED / "gold" / "seeds.json"
    if not seeds_path.is_file():
        pytest.skip("../shared is absent")
    pytest.importorskip("geo.borders", reason="geo.borders is not there yet")
    seeds = json.loads(seeds_path.read_text(encoding="utf-8"))
    files = [SHARED / a["file"] for a in seeds["articles"]]
    proc = subprocess.run([sys.executable, "-m", "geo", "events", *map(str, files)], capture_output=True,
                          cwd=REPO, timeout=600)
    if proc.returncode == 2 and (b"gazetteer" in proc.stderr or b"geo/data/border" in proc.stderr):
        pytest.skip(proc.stderr.decode(errors="replace").strip())
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    doc = json.loads(proc.stdout)
    by_file: dict[str, list[Event]] = {f.name: [] for f in files}
    for feature in doc["features"]:
        assert list(feature["properties"]) == [*EVENT_COLUMNS, "url"]
        ev = _event(feature["properties"], feature["geometry"])
        for source in ev.sources:
            by_file[source].append(ev)
    check_against_seeds(by_file, seeds)


def test_a_bad_date_option_is_refused_by_name(capfd):
    with pytest.raises(SystemExit) as exit_:
        main(["events", "--date", "2024-13-01", "whatever.txt"])
    err = capfd.readouterr().err
    assert exit_.value.code == 2
    assert "--date" in err and "'2024-13-01': want YYYY-MM-DD" in err


def test_jsonl_source_and_url_reach_the_events_and_the_store(small_pipeline, tmp_path, capfd):
    inputs = tmp_path / "wire.jsonl"
    inputs.write_text(
        json.dumps({"id": "w-1", "text": "Ukrainian drones hit an oil depot in Bryansk overnight.",
                    "date": "2024-12-14", "source": "Example Wire", "url": "https://example.org/w-1"}) + "\n"
        + json.dumps({"id": "w-2", "text": "A missile strike on Dnipro killed three civilians.",
                      "date": "2024-12-14", "url": "javascript:alert(1)"}) + "\n", encoding="utf-8")
    code, out, err = run(["events", inputs], capfd)
    assert code == 0, err
    props = {f["properties"]["place_name"]: f["properties"] for f in json.loads(out)["features"]}
    assert (props["Bryansk"]["article"], props["Bryansk"]["url"]) == ("Example Wire", "https://example.org/w-1")
    assert (props["Dnipro"]["article"], props["Dnipro"]["url"]) == ("w-2", None)   # not a web address: dropped
    code, _, err = run(["ingest", inputs, "--data", tmp_path / "data"], capfd)
    assert code == 0, err
    frame = EventStore(tmp_path / "data" / "events.gpkg").read_events()
    urls = {r.place_name: r.url for r in frame.itertuples()}
    assert urls["Bryansk"] == "https://example.org/w-1" and not isinstance(urls["Dnipro"], str)
    code, _, err = run(["events", inputs, "--format", "gpkg", "--out", tmp_path / "e.gpkg"], capfd)
    import pyogrio

    assert code == 0 and list(pyogrio.read_dataframe(tmp_path / "e.gpkg").url.dropna()) == ["https://example.org/w-1"]


@pytest.mark.parametrize("command", ["ingest", "events"])
def test_help_documents_the_input_formats_and_dates(command, capfd):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capfd.readouterr().out
    for field in ('"id"', '"text"', '"date"', '"source"', '"title"', '"url"', '"lang"'):
        assert field in out, field
    assert "2024-12-14-x.txt" in out and "--date" in out and "identity" in out
    assert "--lang" in out and "detected from the text" in out


def test_lang_option_and_field_reach_the_events_the_store_and_every_export(small_pipeline, tmp_path, capfd):
    inputs = tmp_path / "wire.jsonl"
    # each language reads with its own rules: these two Ukrainian texts report something under
    # Russian's too ("удар", "дрон"), so --lang ru still finds an event in the first
    inputs.write_text(
        json.dumps({"id": "w-1", "text": "Удар дронів по нафтобазі в Брянську вночі.",
                    "date": "2024-12-14"}) + "\n"
        + json.dumps({"id": "w-2", "text": "Ракетний удар по Дніпру вбив трьох цивільних.",
                      "date": "2024-12-14", "lang": "uk"}) + "\n", encoding="utf-8")
    code, out, err = run(["events", inputs], capfd)
    assert code == 0, err
    assert {f["properties"]["place_name"]: f["properties"]["lang"] for f in json.loads(out)["features"]} == {
        "Bryansk": "uk", "Dnipro": "uk"}                       # detected, and the record's own
    code, out, err = run(["events", inputs, "--lang", "ru"], capfd)
    assert code == 0, err
    assert {f["properties"]["place_name"]: f["properties"]["lang"] for f in json.loads(out)["features"]} == {
        "Bryansk": "ru", "Dnipro": "uk"}                       # --lang for records that state none
    code, _, err = run(["ingest", inputs, "--lang", "ru", "--data", tmp_path / "data"], capfd)
    assert code == 0, err
    store = EventStore(tmp_path / "data" / "events.gpkg")
    assert sorted(store.read_articles()["lang"]) == ["ru", "uk"]
    assert sorted(store.read_events()["lang"]) == ["ru", "uk"]
    assert "lang" in ACLED_COLUMNS
    import pandas as pd
    import pyogrio

    for fmt in ("geojson", "csv", "gpkg", "parquet"):
        path = tmp_path / f"x.{fmt}"
        code, _, err = run(["export", "--format", fmt, "--out", path, "--data", tmp_path / "data"], capfd)
        assert code == 0, err
        frame = (pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path) if fmt == "parquet"
                 else pyogrio.read_dataframe(path, layer="events") if fmt == "gpkg" else pyogrio.read_dataframe(path))
        assert sorted(frame["lang"]) == ["ru", "uk"], fmt


def test_a_bad_lang_option_is_refused_by_name(capfd):
    with pytest.raises(SystemExit) as exit_:
        main(["events", "--lang", "de", "whatever.txt"])
    err = capfd.readouterr().err
    assert exit_.value.code == 2 and "--lang" in err and "'de'" in err
