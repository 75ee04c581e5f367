"""geo.view (the app's pure logic) and geo.assets.DataFiles."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synthetic import PAYLOADS, synthetic_events  # noqa: E402
from geo import view  # noqa: E402
from geo.assets import DataFiles  # noqa: E402


@pytest.fixture(scope="module")
def events() -> gpd.GeoDataFrame:
    ev = synthetic_events(300, seed=11)
    ev.loc[ev.index[:10], "date"] = None
    ev.loc[ev.index[10:20], "border_km"] = np.nan
    ev.loc[ev.index[20:25], "side"] = None
    ev.loc[ev.index[25], "sources"] = "other.txt; synthetic-00001.txt"
    return ev


def test_no_filter_keeps_everything(events):
    assert len(view.filter_events(events, view.EventFilter())) == len(events)


def test_type_and_confidence(events):
    out = view.filter_events(events, view.EventFilter(types=frozenset({"drone_strike", "political"}),
                                                      min_confidence=0.6))
    want = events["event_type"].isin({"drone_strike", "political"}) & (events["confidence"] >= 0.6)
    assert set(out["event_id"]) == set(events.loc[want, "event_id"]) and len(out) > 0


def test_dates_and_undated(events):
    flt = view.EventFilter(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 5, 31))
    out = view.filter_events(events, flt)
    dates = pd.to_datetime(events["date"], errors="coerce")
    inside = (dates >= "2024-03-01") & (dates <= "2024-05-31")
    assert set(out["event_id"]) == set(events.loc[inside | dates.isna(), "event_id"])
    strict = view.filter_events(events, view.EventFilter(date_from=dt.date(2024, 3, 1),
                                                         date_to=dt.date(2024, 5, 31), include_undated=False))
    assert set(strict["event_id"]) == set(events.loc[inside, "event_id"])


def test_month_precision_dates_are_compared():
    ev = synthetic_events(3, seed=1)
    ev["date"] = ["2024-11", "2024", "2024-12-14"]
    out = view.filter_events(ev, view.EventFilter(date_from=dt.date(2024, 11, 1), include_undated=False))
    assert list(out["date"]) == ["2024-11", "2024-12-14"]


def test_side_and_distance(events):
    out = view.filter_events(events, view.EventFilter(sides=frozenset({"RU"}), km_min=10, km_max=60,
                                                      include_unknown_distance=False))
    want = (events["side"] == "RU") & events["border_km"].between(10, 60)
    assert set(out["event_id"]) == set(events.loc[want, "event_id"])
    unknown = view.filter_events(events, view.EventFilter(sides=frozenset({"unknown"})))
    assert set(unknown["event_id"]) == set(events.loc[events["side"].isna(), "event_id"])


def test_source_article_matches_merged_sources(events):
    out = view.filter_events(events, view.EventFilter(articles=frozenset({"other.txt"})))
    assert list(out["event_id"]) == [events.loc[events.index[25], "event_id"]]


def test_empty_table_passes_through():
    empty = view.empty_events()
    assert len(view.filter_events(empty, view.EventFilter(types=frozenset({"x"})))) == 0


def test_selected_event_id():
    ids = {"ev1", "ev2"}
    assert view.selected_event_id({"last_object_clicked_popup": "Type\tDrone\nEvent id\tev2"}, ids) == "ev2"
    assert view.selected_event_id({"last_object_clicked_popup": "Event id\tnope"}, ids) is None
    assert view.selected_event_id(None, ids) is None
    assert view.selected_event_id({"last_object_clicked": {"lat": 1, "lng": 2}}, ids) is None


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def test_markdown_safe_is_inert_text():
    text = " ".join(PAYLOADS) + " **bold** [x](javascript:alert(1)) :red[big] $x^2$ {{ 1 }}"
    out = view.markdown_safe(text)
    p = _Tags()
    p.feed(out)
    assert p.tags == []
    for raw in ("**", "[x]", "(javascript", ":red[", "$x", "`", "\\", "{{", "<"):
        assert raw not in out, raw
    # what a browser shows is the original text
    import html
    assert html.unescape(out) == text


def test_excerpt_markdown_marks_the_place():
    text = "Drones hit *Sumy* [overnight]"
    out = view.excerpt_markdown(text, 11, 17)
    assert out.count("<mark>") == 1
    import html
    assert html.unescape(out.replace("<mark>", "").replace("</mark>", "")) == text
    assert view.excerpt_markdown(text, 5, 5) == view.markdown_safe(text)   # inferred place: no mark


@pytest.mark.parametrize("name, want", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\x\\report.md", "report.md"),
    ("a\x00b\nc.txt", "abc.txt"),
    ("<img src=x onerror=alert(1)>.html", "_img src_x onerror_alert(1)_.html"),
    ("", "upload"),
    ("...", "upload"),
    ("x" * 200 + ".jsonl", "x" * 74 + ".jsonl"),
])
def test_safe_source_name(name, want):
    assert view.safe_source_name(name) == want


def test_upload_of_each_format():
    r = view.articles_from_upload("a.txt", "Drones hit Sumy overnight.".encode())
    assert len(r.articles) == 1 and not r.errors and r.articles[0].source == "a.txt"
    r = view.articles_from_upload("a.md", b"# Title\n\nDrones hit Sumy overnight.\n")
    assert len(r.articles) == 1 and r.articles[0].title == "Title"
    r = view.articles_from_upload("a.html", b"<html><body><p>Drones hit Sumy.</p>"
                                            b"<img src=http://example.com/x.png><script>x()</script></body></html>")
    assert len(r.articles) == 1 and "x()" not in r.articles[0].text
    lines = [json.dumps({"id": "one", "text": "Drones hit Sumy."}), "not json",
             json.dumps({"id": "two", "text": "Shelling in Kherson."}), json.dumps({"text": 5})]
    r = view.articles_from_upload("batch.jsonl", "\n".join(lines).encode())
    assert [a.source for a in r.articles] == ["one", "two"]
    assert [e.split(":")[0:2] for e in r.errors] == [["batch.jsonl", "2"], ["batch.jsonl", "4"]]


def test_upload_refusals_are_one_plain_line():
    cases = {
        "big.txt": b"a" * 2000,
        "bin.txt": b"\x00\x01\x02" * 50,
        "empty.md": b"  \n ",
        "x.pdf": b"%PDF-1.4",
        "none.jsonl": b"\n\n",
    }
    for name, data in cases.items():
        r = view.articles_from_upload(name, data, max_bytes=1000)
        assert not r.articles and len(r.errors) == 1, (name, r.errors)
        assert r.errors[0].startswith(name) and "\n" not in r.errors[0] and "Traceback" not in r.errors[0]


def test_exports(events):
    sub = events.head(40).copy()
    sub.loc[sub.index[0], "excerpt"] = '=HYPERLINK("http://evil","x")'
    sub.loc[sub.index[1], "place_name"] = "@SUM(1+1)"
    gj = json.loads(view.to_geojson_bytes(sub))
    assert len(gj["features"]) == 40 and gj["features"][0]["properties"]["event_id"] == sub["event_id"].iloc[0]
    csv = pd.read_csv(io.BytesIO(view.to_csv_bytes(sub)))
    assert len(csv) == 40
    assert csv["notes"].iloc[0].startswith("'=") and csv["location"].iloc[1].startswith("'@")
    assert not csv.astype(str).apply(lambda c: c.str.match(r"^[=+@]")).any().any()
    gpkg = view.to_gpkg_bytes(sub)
    assert gpkg[:16] == b"SQLite format 3\x00"


def test_data_files_are_content_addressed_and_pruned(tmp_path):
    files = DataFiles(tmp_path / "d", "/app/static/mapdata", keep=3)
    a = files.put('{"a": 1}')
    assert a.startswith("/app/static/mapdata/") and a.endswith(".json")
    assert files.put('{"a": 1}') == a
    path = tmp_path / "d" / a.rsplit("/", 1)[1]
    assert json.loads(path.read_text()) == {"a": 1}
    for i in range(5):
        files.put(json.dumps({"i": i}))
    assert len(list((tmp_path / "d").glob("*.json"))) == 3
    assert (tmp_path / "d" / ".gitignore").read_text() == "*\n"
    last = files.put(json.dumps({"i": 4}))
    assert json.loads(files.path_of(last).read_text()) == {"i": 4}
    assert files.path_of("/elsewhere/x.json") is None and files.path_of(a.replace(".json", "/../x")) is None
