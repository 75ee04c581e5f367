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
from geo.events import EVENT_COLUMNS  # noqa: E402


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


def test_language_filter_and_options(events):
    ev = events.copy()
    ev["lang"] = "en"
    ev.loc[ev.index[:30], "lang"] = "uk"
    ev.loc[ev.index[30:45], "lang"] = "ru"
    ev.loc[ev.index[45:50], "lang"] = None          # a file written before events had a language
    assert view.language_options(ev) == ["en", "uk", "ru", view.UNKNOWN_LANGUAGE]
    assert [view.language_name(c) for c in view.language_options(ev)] == ["English", "Ukrainian", "Russian",
                                                                          "unknown"]
    uk = view.filter_events(ev, view.EventFilter(langs=frozenset({"uk"})))
    assert set(uk["event_id"]) == set(ev["event_id"].iloc[:30])
    both = view.filter_events(ev, view.EventFilter(langs=frozenset({"uk", "ru"}), sides=frozenset({"RU"})))
    assert set(both["event_id"]) == set(ev.loc[ev.index[:45][ev["side"].iloc[:45] == "RU"], "event_id"])
    unknown = view.filter_events(ev, view.EventFilter(langs=frozenset({view.UNKNOWN_LANGUAGE})))
    assert set(unknown["event_id"]) == set(ev["event_id"].iloc[45:50])
    # a table without the column (an old export) has every event's language unknown
    old = events.drop(columns=["lang"])
    assert view.language_options(old) == [view.UNKNOWN_LANGUAGE]
    assert len(view.filter_events(old, view.EventFilter(langs=frozenset({"en"})))) == 0


def test_upload_language_is_detected_unless_chosen():
    text = "Вночі дрони атакували Суми.".encode()
    assert view.articles_from_upload("a.txt", text).articles[0].lang == "uk"
    assert view.articles_from_upload("a.txt", text, default_lang="ru").articles[0].lang == "ru"
    lines = "\n".join(json.dumps({"id": i, "text": "Drones hit Sumy.", **extra}, ensure_ascii=False)
                      for i, extra in enumerate(({}, {"lang": "uk"}, {"lang": "xx"})))
    r = view.articles_from_upload("b.jsonl", lines.encode(), default_lang="ru")
    assert [a.lang for a in r.articles] == ["ru", "uk"]
    assert r.errors == ("b.jsonl:3: field 'lang' is 'xx', not one of en, uk, ru",)


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


# --- distance bands, search, counts and actors -------------------------------------------

def test_distance_bands_take_the_border_value_into_the_lower_band():
    ev = synthetic_events(6, seed=3)
    ev["border_km"] = [0.0, 25.0, 25.1, 50.0, 200.0, 6555.0]
    def ids(**kw):
        return list(view.filter_events(ev, view.EventFilter(**kw))["border_km"])
    assert ids(km_bands=frozenset({"0-25"})) == [0.0, 25.0]
    assert ids(km_bands=frozenset({"25-50"})) == [25.1, 50.0]
    assert ids(km_bands=frozenset({"200+"})) == [6555.0]
    assert ids(km_bands=frozenset({"0-25", "100-200"})) == [0.0, 25.0, 200.0]
    # bands and a range both apply
    assert ids(km_bands=frozenset({"0-25", "25-50"}), km_min=10.0) == [25.0, 25.1, 50.0]
    assert [b.id for b in view.DISTANCE_BANDS] == ["0-25", "25-50", "50-100", "100-200", "200+"]


def test_unknown_distance_follows_its_checkbox_under_a_band(events):
    flt = view.EventFilter(km_bands=frozenset({"0-25"}))
    out = view.filter_events(events, flt)
    km = events["border_km"]
    assert set(out["event_id"]) == set(events.loc[(km <= 25) | km.isna(), "event_id"])
    strict = view.filter_events(events, view.EventFilter(km_bands=frozenset({"0-25"}),
                                                         include_unknown_distance=False))
    assert set(strict["event_id"]) == set(events.loc[km <= 25, "event_id"])


@pytest.mark.parametrize("lo, hi, want", [
    (None, None, (0.0, float("inf"))), (5.0, 20.0, (5.0, 20.0)), (7.0, 12.5, (5.0, 15.0)),
    (0.0, 301.0, (0.0, float("inf"))), (260.0, 255.0, (250.0, 300.0)),
])
def test_snap_km_range_holds_the_range(lo, hi, want):
    got = view.snap_km_range(lo, hi)
    assert got == want and got[0] in view.KM_STEPS and got[1] in view.KM_STEPS


def test_km_steps_are_fine_near_the_border():
    steps = [s for s in view.KM_STEPS if s <= 50]
    assert len(steps) >= 10 and all(b - a <= 10 for a, b in zip(steps, steps[1:]))
    assert view.km_step_label(view.KM_STEPS[-1]).startswith("300+")


@pytest.mark.parametrize("a, b", [("Stal’noi Kon", "stal'noi kon"), ("Zaporižžia", "ZAPORIZZIA"),
                                  ("  Novo   Shakhtinsk ", "novo shakhtinsk"), ("Ёлкино", "елкино")])
def test_search_key_ignores_case_accents_and_apostrophes(a, b):
    assert view.search_key(a) == view.search_key(b)


def test_place_search_reads_written_and_shown_names():
    ev = synthetic_events(3, seed=2)
    ev["place_name"] = ["Oryol regional", "Sumy", "Sumy"]
    ev["precision"] = ["region", "settlement", "settlement"]
    ev["admin1"] = ["RU-ORL", "UA-59", "UA-59"]
    rich = view.enrich_events(ev, region_names={"RU-ORL": "Oryol Oblast"})
    assert list(rich["place_label"]) == ["Oryol Oblast", "Sumy", "Sumy"]
    for query, n in (("oblast", 1), ("oryol regional", 1), ("SUMY", 2), ("kyiv", 0)):
        assert len(view.filter_events(rich, view.EventFilter(place_query=query))) == n, query
    # the raw frame is searched on the written name
    assert len(view.filter_events(ev, view.EventFilter(place_query="sumy"))) == 2


def test_place_label_uses_the_region_name_only_for_region_precision():
    names = {"RU-ORL": "Oryol Oblast"}
    assert view.place_label("Oryol regional", "region", "RU-ORL", names) == "Oryol Oblast"
    assert view.place_label("Oryol", "settlement", "RU-ORL", names) == "Oryol"
    assert view.place_label("Kursk region", "region", "RU-KRS", names) == "Kursk region"   # not known
    assert view.place_label(None, "region", None, None) == ""


def test_counts_and_actors_are_parsed_and_filtered():
    ev = synthetic_events(5, seed=4)
    ev["numbers"] = [json.dumps({"killed": 3, "injured": 5}), "{}", "not json", json.dumps([1, 2]),
                     json.dumps({"killed": -1, "drones": 40, "missiles": 2.0})]
    ev["actors"] = [json.dumps({"attacker": "RU", "target": "UA"}), json.dumps({"attacker": "UA"}),
                    None, "[]", json.dumps({"target": "RU", "claimed_by": "UA"})]
    rich = view.enrich_events(ev)
    assert list(rich["killed"].astype("float").fillna(-9)) == [3, -9, -9, -9, -9]   # -1 is no count
    assert list(rich["drones"].astype("float").fillna(-9)) == [-9, -9, -9, -9, 40]
    assert list(rich["attacker"].fillna("-")) == ["RU", "UA", "-", "-", "-"]
    assert list(rich["target"].fillna("-")) == ["UA", "-", "-", "-", "RU"]
    for frame in (rich, ev):    # enriched or not, the filter agrees
        assert len(view.filter_events(frame, view.EventFilter(min_numbers=(("killed", 1),)))) == 1
        assert len(view.filter_events(frame, view.EventFilter(min_numbers=(("missiles", 2),)))) == 1
        assert len(view.filter_events(frame, view.EventFilter(attackers=frozenset({"RU", "UA"})))) == 2
        assert len(view.filter_events(frame, view.EventFilter(targets=frozenset({"RU"})))) == 1
    assert set(view.actor_options(rich, "attacker")) == {"RU", "UA"}
    assert view.actor_name("KP") == "North Korea" and view.actor_name("ZZ") == "ZZ"


def test_exports_leave_the_derived_columns_out(events):
    rich = view.enrich_events(events.head(5))
    props = json.loads(view.to_geojson_bytes(rich))["features"][0]["properties"]
    assert not set(view.DERIVED_COLUMNS) & set(props)
    assert set(props) == set(json.loads(view.to_geojson_bytes(events.head(5)))["features"][0]["properties"])


# --- selection and stacked events ------------------------------------------------------

def test_next_selection_takes_whatever_changed_last():
    s = view.next_selection(view.Selection(), map_id=None, table_id=None)
    assert s.event_id is None
    s = view.next_selection(s, map_id="m1", table_id=None)
    assert (s.event_id, s.source) == ("m1", "map")
    s = view.next_selection(s, map_id="m1", table_id="t1")        # a row: the table wins
    assert (s.event_id, s.source) == ("t1", "table")
    s = view.next_selection(s, map_id="m1", table_id="t1")        # nothing new: kept
    assert (s.event_id, s.source) == ("t1", "table")
    s = view.next_selection(s, map_id="m2", table_id="t1")        # a new click: the map wins
    assert (s.event_id, s.source) == ("m2", "map")
    s = view.next_selection(s, map_id="m2", table_id=None)        # a cleared row keeps the panel
    assert s.event_id == "m2"
    s = view.next_selection(s, map_id="m2", table_id="t1")        # the same row chosen again
    assert (s.event_id, s.source) == ("t1", "table")


def test_popup_event_ids_lists_the_known_events_in_the_popup():
    state = {"last_object_clicked_popup": "Event id: b\nEvent ids here: b a zz c\nType\tDrone"}
    assert view.popup_event_ids(state, {"a", "b", "c"}) == ["b", "a", "c"]
    assert view.popup_event_ids({"last_object_clicked_popup": "Event id\tb"}, {"b"}) == ["b"]
    assert view.popup_event_ids(None, {"a"}) == []


def test_table_event_id():
    ids = pd.Series(["a", "b", "c"])
    assert view.table_event_id([1], ids) == "b"
    assert view.table_event_id([], ids) is None and view.table_event_id([5], ids) is None
    assert view.table_event_id(None, ids) is None and view.table_event_id(["x"], ids) is None


def test_events_at_point_lists_every_stacked_event():
    ev = synthetic_events(6, seed=5)
    ev.loc[ev.index[[1, 3, 4]], "lat"] = 51.656801
    ev.loc[ev.index[[1, 3, 4]], "lon"] = 36.485300
    here = view.events_at_point(ev, 51.6568, 36.4853)
    assert list(here["event_id"]) == list(ev["event_id"].iloc[[1, 3, 4]])
    assert len(view.events_at_point(ev, None, 36.4853)) == 0
    assert len(view.events_at_point(ev, float("nan"), 1.0)) == 0


@pytest.mark.parametrize("url, ok", [
    ("https://example.org/a?b=1#c", True), ("http://example.org", True),
    ("javascript:alert(1)", False), ("data:text/html,x", False), ("file:///etc/passwd", False),
    ("https://example.org/\"onmouseover=alert(1)", False), ("https://exa mple.org", False),
    ("https://example.org/`x`", False), (None, False), (5, False), ("ftp://example.org", False),
])
def test_safe_url(url, ok):
    assert (view.safe_url(url) is not None) == ok


# --- the time chart ----------------------------------------------------------------------

def test_time_counts_per_day_by_type_with_undated_counted():
    ev = synthetic_events(6, seed=6)
    ev["event_type"] = ["drone_strike", "drone_strike", "political", "drone_strike", "political", "political"]
    ev["date"] = ["2024-12-01", "2024-12-01", "2024-12-01", "2024-12-03", None, "2024-11"]
    ev["date_precision"] = ["day", "day", "day", "day", "unknown", "month"]
    tc = view.time_counts(ev)
    assert tc.freq == "D" and tc.undated == 1 and tc.coarse == 1
    got = {(str(r.period.date()), r.event_type): r.events for r in tc.frame.itertuples()}
    assert got == {("2024-12-01", "drone_strike"): 2, ("2024-12-01", "political"): 1,
                   ("2024-12-03", "drone_strike"): 1}
    assert int(tc.frame["events"].sum()) + tc.undated + tc.coarse == len(ev)


def test_time_counts_go_weekly_over_a_long_span(events):
    tc = view.time_counts(events)
    assert tc.freq == "W" and (tc.frame["period"].dt.day_of_week == 0).all()
    assert int(tc.frame["events"].sum()) + tc.undated + tc.coarse == len(events)
    assert tc.undated == 10


def test_type_colors_come_from_the_registry():
    from geo import event_types
    labels, colors = view.type_colors(["political", "drone_strike", "made_up"])
    assert labels == [event_types.label("drone_strike"), event_types.label("political"), "made_up"]
    assert colors[:2] == [event_types.get("drone_strike").color, event_types.get("political").color]


# --- events from a file (the app's BORDERLINE_EVENTS) -----------------------------------

def test_read_events_file_reads_parquet_geojson_and_exported_gpkg(tmp_path, events):
    sub = events.head(20)
    sub.to_parquet(tmp_path / "e.parquet", index=False)
    (tmp_path / "e.gpkg").write_bytes(view.to_gpkg_bytes(sub))
    (tmp_path / "e.geojson").write_bytes(view.to_geojson_bytes(sub))
    for name in ("e.parquet", "e.gpkg", "e.geojson"):
        got = view.read_events_file(tmp_path / name)
        assert list(got["event_id"]) == list(sub["event_id"]), name
        assert set(EVENT_COLUMNS) <= set(got.columns), name
        assert np.allclose(got.geometry.x, sub.geometry.x), name


def test_read_events_file_reads_a_store(tmp_path):
    from geo.store import EventStore
    store = EventStore(tmp_path / "events.gpkg", create=True)
    got = view.read_events_file(store.path)
    assert len(got) == 0 and "event_id" in got.columns


def test_read_events_file_refuses_in_plain_words(tmp_path):
    from geo.errors import StoreError
    with pytest.raises(StoreError, match="no such events file"):
        view.read_events_file(tmp_path / "missing.parquet")
    (tmp_path / "x.csv").write_text("a,b\n")
    with pytest.raises(StoreError, match="unknown events file type"):
        view.read_events_file(tmp_path / "x.csv")
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    with pytest.raises(StoreError, match="cannot read events"):
        view.read_events_file(tmp_path / "broken.parquet")


def test_gpkg_download_keeps_the_url(events, tmp_path):
    import pyogrio

    sub = events.head(3).copy()
    sub["url"] = ["https://example.org/a", None, "https://example.org/c"]
    path = tmp_path / "d.gpkg"
    path.write_bytes(view.to_gpkg_bytes(sub))
    back = pyogrio.read_dataframe(path, layer="events")
    assert list(back["url"].fillna("")) == ["https://example.org/a", "", "https://example.org/c"]
