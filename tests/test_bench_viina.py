"""Scoring of bench/viina.py on small invented headlines (no pipeline, no shared data)."""

from __future__ import annotations

import json

import pytest
from _bench_support import bench_module


@pytest.fixture(scope="module")
def vb():
    return bench_module("viina")


KHERSON = (46.6354, 32.6169)
SUMY = (50.9216, 34.8003)


def test_load_takes_a_half_and_skips_headlines_without_a_point(vb, tmp_path):
    path = tmp_path / "v.jsonl"
    rows = [{"id": f"v{n}", "text": "Херсон обстріляли.", "date": "2024-12-14", "lang": lang,
             "gold_places": [{"lat": KHERSON[0], "lon": KHERSON[1]}] if n != 2 else [{"lat": None, "lon": None}],
             "meta": {"urls": ["https://t.me/kpszsu/1"]}}
            for n, lang in enumerate(("uk", "ru", "uk", "unknown"))]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert [h.id for h in vb.load(path, "even")] == ["v0"]               # v2 has no point
    assert [(h.id, h.lang) for h in vb.load(path, "odd")] == [("v1", "ru"), ("v3", None)]   # unknown: detect
    assert len(vb.load(path, "all")) == 3


def test_a_record_is_what_a_user_would_ingest(vb):
    h = vb.Headline("v1", "Херсон обстріляли.", "2024-12-14", None, "https://www.pravda.com.ua/news/1/", (KHERSON,))
    assert vb.record_for_ingest(h) == {"id": "v1", "text": "Херсон обстріляли.", "date": "2024-12-14",
                                       "url": "https://www.pravda.com.ua/news/1/", "source": "pravda.com.ua"}
    h = vb.Headline("v2", "x", None, "ru", "javascript:alert(1)", (KHERSON,))
    assert vb.record_for_ingest(h) == {"id": "v2", "text": "x", "lang": "ru"}


def test_scores_distance_precision_and_dates(vb):
    h = vb.Headline("v1", "t", "2024-12-14", "uk", None, (KHERSON, SUMY))
    events = [
        {"lat": 46.64, "lon": 32.62, "event_type": "missile_strike", "date": "2024-12-14", "precision": "settlement"},
        {"lat": 49.0, "lon": 31.0, "event_type": "drone_strike", "date": "2024-12-13", "precision": "country"},
        {"lat": None, "lon": None, "event_type": "political", "date": "2024-12", "precision": "country"},
    ]
    s = vb.score_headline(h, "uk", events, resolvable=True)
    assert s.events == 3 and s.located == 2 and s.located_near == 1 and (s.local, s.local_near) == (1, 1)
    assert s.nearest_km < 1 and s.date_offsets == (0, -1, None)
    far = vb.score_headline(h, "uk", events[1:2], resolvable=False)
    assert far.nearest_km > 25 and far.located_near == 0
    none = vb.score_headline(h, "ru", [], resolvable=False)
    got = vb.summarise([s, far, none])
    assert got["headlines"] == 3 and got["yield"] == pytest.approx(2 / 3)
    assert got["nearest_25"] == pytest.approx(1 / 3) and got["events_25"] == pytest.approx(1 / 3)
    assert got["local_25"] == 1.0 and got["resolvable"] == pytest.approx(1 / 3)
    assert got["nearest_25_of_resolvable"] == 1.0
    assert got["date_same"] == pytest.approx(1 / 4) and got["date_minus_1"] == pytest.approx(2 / 4)
    assert dict(got["types"]) == {"missile_strike": 1, "drone_strike": 2, "political": 1}


def test_a_region_event_counts_in_the_region_aware_figure_when_its_region_holds_a_viina_place(vb):
    # VIINA pins "у Криму" at Simferopol; Borderline pins Crimea at its centre point, far from it
    simferopol = (44.9521, 34.1024)
    h = vb.Headline("v1", "t", "2024-12-14", "uk", None, (simferopol,))
    crimea = {"lat": 45.6857, "lon": 33.9329, "event_type": "drone_strike", "date": "2024-12-14",
              "precision": "region", "admin1": "UA-43"}
    s = vb.score_headline(h, "uk", [crimea], resolvable=False)
    assert s.nearest_km > 25 and s.region_hit
    wrong = vb.score_headline(h, "uk", [dict(crimea, admin1="UA-65")], resolvable=False)   # Kherson Oblast
    assert not wrong.region_hit
    village = vb.score_headline(h, "uk", [dict(crimea, precision="settlement")], resolvable=False)
    assert not village.region_hit                     # a village pin must be near, not merely in the region
    got = vb.summarise([s, wrong])
    assert (got["nearest_25"], got["nearest_25_or_region"]) == (0.0, 0.5)


def test_each_miss_has_one_family(vb):
    simferopol, saky = (44.9521, 34.1024), (45.1334, 33.5999)
    h = vb.Headline("v1", "t", "2024-12-14", "uk", None, (simferopol,))

    def event(point, precision, admin1):
        return {"lat": point[0], "lon": point[1], "event_type": "missile_strike", "date": "2024-12-14",
                "precision": precision, "admin1": admin1}

    def family(*events):
        return vb.score_headline(h, "uk", list(events), resolvable=False).miss

    assert family(event(simferopol, "settlement", "UA-43")) is None                    # a hit
    assert family() == "no located event"
    assert family(event((49.0, 32.0), "country", None)) == "country-level events only"
    assert family(event((45.69, 33.93), "region", "UA-43")) == \
        "region-level events only, a VIINA place inside the region"
    assert family(event((46.64, 32.62), "region", "UA-65")) == "region-level events only, no VIINA place inside"
    # Saky named, VIINA at Simferopol: both in Crimea
    assert family(event(saky, "settlement", "UA-43")) == "a local event in a VIINA place's region"
    assert family(event((50.45, 30.52), "settlement", "UA-30")) == "local events in no VIINA place's region"
    got = vb.summarise([vb.score_headline(h, "uk", [], resolvable=False)])
    assert dict(got["misses"])["no located event"] == 1 and sum(n for _, n in got["misses"]) == 1
