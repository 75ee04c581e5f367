"""The pipeline: parse -> extract -> measure, per article and per batch; input reading."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import pickle
import sys
import types

import numpy as np
import pytest

from geo.articles import Article
from geo.pipeline import (
    ArticleResult,
    InputFailure,
    Pipeline,
    iter_input_paths,
    measure_events,
    process_article,
    process_many,
    read_inputs,
)
from test_events import FakeGazetteer, mentions


class FakeGeoparser:
    def parse(self, article: Article):
        return mentions(article.text)


@pytest.fixture
def fake_borders(monkeypatch):
    """A stand-in for geo.borders: distance = 100 km per degree east of 36E (absolute), side by
    longitude; it counts calls so the tests can check that a batch is measured at once."""
    import geo

    mod = types.ModuleType("geo.borders")
    mod.calls = 0

    def distance_km(border, lats, lons):
        assert border == "BORDER"
        mod.calls += 1
        mod.points = len(lats)
        return np.abs(np.asarray(lons, dtype=float) - 36.0) * 100

    def side(border, lats, lons, *, country=None):
        return np.where(np.asarray(lons, dtype=float) > 36.0, "RU", "UA")

    mod.distance_km, mod.side, mod.load_border = distance_km, side, lambda: "BORDER"
    monkeypatch.setitem(sys.modules, "geo.borders", mod)
    monkeypatch.setattr(geo, "borders", mod, raising=False)
    return mod


def art(text: str, aid: str = "a1") -> Article:
    return Article(id=aid, source=f"{aid}.txt", text=text, date=dt.date(2024, 12, 14))


def run(a: Article):
    return process_article(a, geoparser=FakeGeoparser(), border="BORDER", gazetteer=FakeGazetteer())


def test_process_article_measures_each_event(fake_borders):
    events = run(art("Ukrainian drones hit an oil depot in Bryansk. Shelling hit Kherson overnight."))
    by_place = {e.place_name: e for e in events}
    assert by_place["Bryansk"].border_km == pytest.approx(abs(34.3717 - 36.0) * 100, abs=0.01)
    assert by_place["Bryansk"].side == "UA"          # the fake's rule, not geography: the value is passed through
    assert by_place["Kherson"].border_km == pytest.approx(abs(32.6169 - 36.0) * 100, abs=0.01)


def test_country_level_events_have_no_distance(fake_borders):
    events = run(art("Russia attacked overnight with 90 drones, the air force said."))
    assert [(e.precision, e.border_km, e.side) for e in events] == [("country", None, "UA")]


def test_batch_equals_one_by_one_and_measures_once(fake_borders):
    articles = [art("Ukrainian drones hit an oil depot in Bryansk.", "a1"),
                art("Drones struck a fuel depot in Bryansk overnight.", "a4"),
                art("Nothing happened today.", "a2"),
                art("A missile strike on Dnipro killed three civilians. Shelling hit Kherson.", "a3")]
    one_by_one = [run(a) for a in articles]
    fake_borders.calls = 0
    batch = process_many(articles, geoparser=FakeGeoparser(), border="BORDER", gazetteer=FakeGazetteer())
    assert fake_borders.calls == 1
    assert fake_borders.points == 3                    # Bryansk twice, Dnipro, Kherson: 3 distinct points
    assert [r.article for r in batch] == articles
    assert [list(r.events) for r in batch] == one_by_one
    assert isinstance(batch[0], ArticleResult) and batch[2].events == ()


def test_a_border_measures_each_point_once_per_process(fake_borders):
    class Border:          # weakly referable, as geo.borders.Border is
        pass

    border = Border()
    events = run(art("A missile strike on Dnipro killed three civilians. Shelling hit Kherson."))
    stripped = [dataclasses.replace(e, border_km=None, side=None) for e in events]
    measured = []
    calls = []

    def distance_km(b, lats, lons):
        assert b is border
        calls.append(len(lats))
        return np.abs(np.asarray(lons, dtype=float) - 36.0) * 100

    fake_borders.distance_km = distance_km
    measured.append(measure_events(stripped, border=border))
    measured.append(measure_events(stripped[::-1], border=border))
    assert calls == [2]                                # Dnipro and Kherson, measured once
    assert measured[0] == events and measured[1] == events[::-1]
    # other measuring functions (a test's stand-ins) do not reuse those points
    fake_borders.distance_km = lambda b, lats, lons: np.zeros(len(lats))
    assert {e.border_km for e in measure_events(stripped, border=border)} == {0.0}


def test_pipeline_object_and_pickling(fake_borders):
    pipe = Pipeline(gazetteer=FakeGazetteer(), geoparser=FakeGeoparser(), border="BORDER")
    a = art("Ukrainian drones hit an oil depot in Bryansk.")
    assert pipe.process(a) == run(a)
    assert pipe.process_many([a])[0].events == tuple(run(a))
    # workers receive the function by reference: it must be a picklable top-level function
    assert pickle.loads(pickle.dumps(process_article)) is process_article


def test_measure_empty(fake_borders):
    assert measure_events([], border="BORDER") == [] and fake_borders.calls == 0


def test_inputs_files_directories_and_jsonl(tmp_path):
    (tmp_path / "a.txt").write_text("Drones hit Bryansk.", encoding="utf-8")
    (tmp_path / "b.md").write_text("# Title\n\nShelling hit Kherson.", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("Hidden.", encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.html").write_text("<p>Drones hit <b>Sumy</b>.</p><script>alert(1)</script>",
                                             encoding="utf-8")
    lines = [json.dumps({"id": "w1", "text": "Drones hit Sumy.", "date": "2024-12-01"}), "{broken",
             "", json.dumps({"id": "w2", "text": "Shelling hit Kherson."})]
    (tmp_path / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [p.name for p in iter_input_paths([tmp_path])] == ["a.txt", "b.md", "batch.jsonl", "c.html"]
    items = list(read_inputs([tmp_path, tmp_path / "missing.txt"], default_date=dt.date(2024, 12, 14)))
    articles = [i for i in items if isinstance(i, Article)]
    failures = [i for i in items if isinstance(i, InputFailure)]
    assert [a.source for a in articles] == ["a.txt", "b.md", "w1", "w2", "c.html"]
    assert articles[2].date == dt.date(2024, 12, 1) and articles[3].date == dt.date(2024, 12, 14)
    assert "alert" not in articles[4].text
    assert [f.message.split(":")[0:2] for f in failures] == [["batch.jsonl", "2"], [str(tmp_path / "missing.txt"), " no such file or directory"]]
    assert all("\n" not in f.message for f in failures)


def test_a_reader_bug_costs_one_file(tmp_path, monkeypatch):
    import geo.pipeline

    (tmp_path / "a.txt").write_text("Drones hit Bryansk.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Shelling hit Kherson.", encoding="utf-8")
    real = geo.pipeline.read_articles

    def flaky(path, **kw):
        if path.name == "a.txt":
            raise RecursionError("maximum recursion depth exceeded")
        return real(path, **kw)

    monkeypatch.setattr(geo.pipeline, "read_articles", flaky)
    items = list(read_inputs([tmp_path]))
    assert [type(i).__name__ for i in items] == ["InputFailure", "Article"]
    assert items[0].message.startswith("a.txt: cannot read (RecursionError")


# --- the batch as context for undecided homonyms ------------------------------------------

# two invented villages of one name in one oblast, about 90 km apart, and uniquely named
# villages near each (the other reports' unambiguous places)
_WEST, _NORTH = (48.30, 37.00), (49.10, 37.40)
_NEAR = {"west": ("Verbokhvostivka", "Dubokrynytsia", "Lozokamianka"),
         "north": ("Sosnopadivka", "Klenoyarivka", "Hrabovodolyna")}


@pytest.fixture(scope="module")
def homonyms_gp():
    from _geoparse_support import PLACES, TinyGazetteer, lexicon_cache_dir, place
    from geo.resolution import Geoparser
    from geo.toponyms import Lexicon

    extra = [place("gn:zh-west", "Zhovtoklynivka", "settlement", "UA", *_WEST, admin1="UA-14"),
             place("gn:zh-north", "Zhovtoklynivka", "settlement", "UA", *_NORTH, admin1="UA-14")]
    for side, (lat, lon) in (("west", _WEST), ("north", _NORTH)):
        extra += [place(f"gn:{name.lower()}", name, "settlement", "UA", lat + 0.04 * (k + 1), lon + 0.03,
                        admin1="UA-14") for k, name in enumerate(_NEAR[side])]
    return Geoparser.build(TinyGazetteer([*PLACES, *extra]), lexicon=Lexicon.load(lexicon_cache_dir()))


_UNDECIDED = "Russian forces shelled Zhovtoklynivka, Donetsk region, with artillery."


def _report(name: str, aid: str) -> Article:
    return art(f"Russian forces shelled {name}, Donetsk region, with artillery.", aid)


def _batch(gp, articles):
    return process_many(articles, geoparser=gp, border="BORDER", gazetteer=gp.gazetteer)


def _zh(events):
    (event,) = [e for e in events if e.place_name == "Zhovtoklynivka"]
    return event


def test_an_undecided_homonym_is_where_the_other_reports_are(fake_borders, homonyms_gp):
    gp = homonyms_gp
    target = art(_UNDECIDED, "t")
    (m,) = [m for m in gp.parse(target) if m.text == "Zhovtoklynivka"]
    assert {m.place.id, *(r.id for r in m.rivals)} == {"gn:zh-west", "gn:zh-north"}  # undecided alone
    for side in ("west", "north"):
        others = [_report(name, f"{side}{k}") for k, name in enumerate(_NEAR[side])]
        results = _batch(gp, [target, *others])
        event = _zh(results[0].events)
        assert event.place_id == f"gn:zh-{side}"
        # likelier, not certain: the other namesake stays a rival, the confidence stays low
        assert event.confidence <= 0.5
        # the other reports themselves are unchanged by the batch
        assert [r.events for r in results[1:]] == [tuple(process_article(a, geoparser=gp, border="BORDER",
                                                                         gazetteer=gp.gazetteer))
                                                    for a in others]


def test_without_a_clear_lead_nothing_changes(fake_borders, homonyms_gp):
    gp = homonyms_gp
    target = art(_UNDECIDED, "t")
    alone = process_article(target, geoparser=gp, border="BORDER", gazetteer=gp.gazetteer)
    unrelated = [art("Drones hit Kyiv overnight.", "k"), art("Nothing happened today.", "n")]
    one_each = [_report(_NEAR["west"][0], "w"), _report(_NEAR["north"][0], "n1")]
    two_to_one = [*one_each, _report(_NEAR["north"][1], "n2")]   # a lead of one report is not clear
    for others in (unrelated, one_each, two_to_one):
        assert list(_batch(gp, [target, *others])[0].events) == alone


def test_an_article_alone_is_unchanged(fake_borders, homonyms_gp):
    gp = homonyms_gp
    for text in (_UNDECIDED, "Shelling hit Zhovtoklynivka and Sosnopadivka, Donetsk region, overnight."):
        a = art(text)
        assert list(_batch(gp, [a])[0].events) == process_article(a, geoparser=gp, border="BORDER",
                                                                  gazetteer=gp.gazetteer)


def test_a_stores_reports_are_context_for_a_new_report(fake_borders, homonyms_gp, tmp_path):
    """The store's decided reports decide a single new report's namesake: where this week's
    fighting is (a small store handed in)."""
    from geo.pipeline import context_of
    from geo.store import EventStore

    gp = homonyms_gp
    target = art(_UNDECIDED, "t")
    alone = _zh(process_article(target, geoparser=gp, border="BORDER", gazetteer=gp.gazetteer)).place_id
    for side in ("west", "north"):
        store = EventStore(tmp_path / side / "events.gpkg")
        others = [_report(name, f"{side}{k}") for k, name in enumerate(_NEAR[side])]
        store.add((a, process_article(a, geoparser=gp, border="BORDER", gazetteer=gp.gazetteer)) for a in others)
        assert len(store.read_anchors(min_confidence=0.5, kinds=("settlement", "hromada"))) == 3
        (result,) = process_many([target], geoparser=gp, border="BORDER", gazetteer=gp.gazetteer,
                                 context=context_of(store))
        assert _zh(result.events).place_id == f"gn:zh-{side}"
    assert alone in ("gn:zh-west", "gn:zh-north")
    # an empty store, or none, changes nothing
    empty = EventStore(tmp_path / "empty" / "events.gpkg")
    (result,) = process_many([target], geoparser=gp, border="BORDER", gazetteer=gp.gazetteer,
                             context=context_of(empty))
    assert _zh(result.events).place_id == alone
