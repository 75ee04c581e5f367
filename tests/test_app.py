"""The Streamlit app's logic with streamlit.testing.v1.AppTest: filters, clicks, table
selection, charts, uploads.

The app reads its events from a file (``BORDERLINE_EVENTS``): each test writes invented
events (bench/synthetic.py, with a few rows edited here) to a temporary GeoParquet first.
The map component shows up in AppTest as an unknown element whose ``json_args`` hold
the Leaflet script st_folium would send; a click is simulated by setting
``session_state["events_map"]`` the way st_folium's callback does, then rerunning; a table
row by setting the table's selection state the same way.
"""

from __future__ import annotations

import ast
import datetime as dt
import html
import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _apptest_support import map_args, vega_charts, write_events  # noqa: E402
from bench.synthetic import PAYLOADS, synthetic_events  # noqa: E402
from geo import event_types  # noqa: E402
from geo.assets import DataFiles  # noqa: E402

APP = str(ROOT / "streamlit_app.py")
MAP_DATA = DataFiles(ROOT / "static" / "mapdata", "/app/static/mapdata")   # as the app writes it
N_SYNTHETIC = 240

AppTest = pytest.importorskip("streamlit.testing.v1").AppTest


def fixture_events():
    """Invented events with the cases the app must handle written in: undated rows, names
    with diacritics and curly apostrophes, counts, two events on one point, links."""
    ev = synthetic_events(N_SYNTHETIC, seed=0)
    i = ev.index
    ev.loc[i[:10], "date"] = None
    ev.loc[i[10], "place_name"] = "Stal’noi Kon"
    ev.loc[i[11], "place_name"] = "Zaporižžia"
    for k, idx in enumerate(i[20:30], start=1):
        ev.loc[idx, "numbers"] = json.dumps({"killed": k, "injured": 2 * k, "missiles": 3})
    for idx in i[30:32]:    # stacked on row 32's point
        ev.loc[idx, ["lat", "lon", "precision"]] = [ev.loc[i[32], "lat"], ev.loc[i[32], "lon"], "settlement"]
        ev.loc[idx, "geometry"] = ev.loc[i[32], "geometry"]
    ev.loc[i[32], "precision"] = "settlement"
    ev["url"] = None
    ev.loc[i[40], "url"] = "https://example.org/report-40"
    ev.loc[i[41], "url"] = "javascript:alert(1)"
    ev.loc[i[42], "actors"] = json.dumps({"attacker": "KP", "target": "UA"})
    ev["source"] = None      # the publisher, when the input named one (JSON Lines "source")
    ev.loc[i[40], "source"] = "Example Agency"
    ev.loc[i[50:60], "lang"] = "uk"
    ev.loc[i[60:65], "lang"] = "ru"
    return ev


def _markdown_text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _table_ids(at) -> set[str]:
    return set(at.dataframe[0].value["event_id"])


def _start(monkeypatch, tmp_path, events) -> AppTest:
    monkeypatch.setenv("BORDERLINE_EVENTS", str(write_events(events, tmp_path / "events.parquet")))
    monkeypatch.setenv("BORDERLINE_DATA", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def events():
    return fixture_events()


@pytest.fixture
def app(monkeypatch, tmp_path, events):
    return _start(monkeypatch, tmp_path, events)


def _slider(at):
    return next(s for s in at.select_slider if s.label.startswith("Distance from the border"))


def _number(at, label):
    return next(n for n in at.number_input if n.label.startswith(label))


def _click(at, event_id: str) -> None:
    at.session_state["events_map"] = {"last_object_clicked_popup": f"Type\tx\nEvent id\t{event_id}"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_loads_with_map_table_and_local_assets(app, events):
    at = app
    args = map_args(at)
    assert all(u.startswith("/app/static/vendor/") for u in args["js_links"] + args["css_links"])
    # only a marker click reruns the script
    assert sorted(args["returned_objects"]) == sorted(
        ["last_object_clicked", "last_object_clicked_popup", "last_object_clicked_tooltip"])
    pinned = events[events["precision"] != "country"]["event_type"].value_counts()
    for etype, n in pinned.items():
        assert f"({n:,})" in args["script"] and event_types.label(etype) in args["script"]
    table = at.dataframe[0].value
    assert len(table) == N_SYNTHETIC
    for column in ("killed", "injured", "drones", "missiles", "attacker", "target", "url"):
        assert column in table.columns, column
    assert (ROOT / "static" / "vendor" / "leaflet" / "leaflet.js").is_file()
    # the app reads the file it was pointed at, and does not import bench
    tree = ast.parse(Path(APP).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | \
        {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(str(m).split(".")[0] == "bench" for m in imported), imported


def test_type_filter_changes_table_and_map(app, events):
    at = app
    at.multiselect(key="f_types").set_value(["drone_strike"]).run()
    assert not at.exception
    n = int((events["event_type"] == "drone_strike").sum())
    assert len(at.dataframe[0].value) == n
    script = map_args(at)["script"]
    assert event_types.label("drone_strike") in script
    assert event_types.label("political") not in script


def test_band_choice_leaves_only_that_band(app, events):
    at = app
    at.segmented_control(key="f_bands").set_value(["0-25"]).run()
    assert not at.exception
    shown = at.dataframe[0].value
    want = events.loc[events["border_km"] <= 25.0, "event_id"]
    assert set(shown["event_id"]) == set(want) and 0 < len(want) < N_SYNTHETIC
    assert (shown["border_km"] <= 25.0).all()
    # two bands: their union
    at.segmented_control(key="f_bands").set_value(["0-25", "100-200"]).run()
    km = events["border_km"]
    want = events.loc[(km <= 25.0) | ((km > 100.0) & (km <= 200.0)), "event_id"]
    assert _table_ids(at) == set(want)


def test_slider_and_numbers_follow_each_other(app, events):
    at = app
    slider = _slider(at)
    assert slider.options[-1].startswith("300+") and "25 km" in slider.options   # fine stops near the border
    slider.set_value((5.0, 20.0)).run()
    km = events["border_km"]
    assert _table_ids(at) == set(events.loc[km.between(5.0, 20.0), "event_id"])
    assert _number(at, "Min km").value == 5.0 and _number(at, "Max km").value == 20.0
    _number(at, "Max km").set_value(12.5).run()
    assert _table_ids(at) == set(events.loc[km.between(5.0, 12.5), "event_id"])
    assert _slider(at).value == (5.0, 15.0)        # the slider shows the stops that hold the range
    _slider(at).set_value((0.0, math.inf)).run()   # "300+": no limit
    assert len(at.dataframe[0].value) == N_SYNTHETIC and _number(at, "Max km").value is None


def test_side_and_confidence_filters_combine_with_distance(app, events):
    at = app
    _slider(at).set_value((0.0, 50.0)).run()
    at.multiselect(key="f_sides").set_value(["RU"]).run()
    km = events["border_km"]
    want = (km <= 50.0) & (events["side"] == "RU")
    assert _table_ids(at) == set(events.loc[want, "event_id"])
    at.slider(key="f_conf").set_value(0.8).run()
    want &= events["confidence"] >= 0.8
    assert _table_ids(at) == set(events.loc[want, "event_id"]) and want.any()
    assert not at.exception


@pytest.mark.parametrize("query, row", [("SUMY", None), ("stal'noi kon", 10), ("zaporizzia", 11)])
def test_place_search_ignores_case_and_accents(app, events, query, row):
    at = app
    at.text_input(key="f_place").input(query).run()
    assert not at.exception
    if row is None:
        want = set(events.loc[events["place_name"] == "Sumy", "event_id"])
    else:
        want = {events["event_id"].iloc[row]}
    assert _table_ids(at) == want and want


def test_counts_and_actor_filters(app, events):
    at = app
    at.number_input(key="f_min_killed").set_value(4).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["event_id"]) == set(events["event_id"].iloc[23:30])   # killed 4..10
    assert list(table.sort_values("killed")["killed"]) == list(range(4, 11))
    assert (table["injured"] == 2 * table["killed"]).all()
    at.number_input(key="f_min_killed").set_value(0).run()
    assert "North Korea" in at.multiselect(key="f_attackers").options    # shown by name
    at.multiselect(key="f_attackers").set_value(["KP"]).run()
    assert _table_ids(at) == {events["event_id"].iloc[42]}


def test_click_fills_the_side_panel(app, events):
    at = app
    row = events.iloc[17]
    assert any("Click a marker" in c.value for c in at.caption)
    at.session_state["events_map"] = {
        "last_object_clicked": {"lat": row["lat"], "lng": row["lon"]},
        "last_object_clicked_popup": f"Excerpt\t{row['excerpt']}\nType\t{row['type_label']}\n"
                                     f"Event id\t{row['event_id']}",
        "last_object_clicked_tooltip": row["place_name"],
    }
    at.run()
    assert not at.exception
    text = _markdown_text(at)
    assert f"<mark>{row['place_name']}</mark>" in text
    assert row["event_id"] in text
    assert "km from the border" in text
    assert f"<b>Confidence</b>: {row['confidence']:.2f}".replace(".", "&#46;") in text
    assert not any("Click a marker" in c.value for c in at.caption)


def test_language_filter_and_the_panel_says_the_language(app, events):
    at = app
    assert at.multiselect(key="f_langs").options == ["English", "Ukrainian", "Russian"]
    at.multiselect(key="f_langs").set_value(["uk"]).run()
    assert not at.exception
    assert _table_ids(at) == set(events["event_id"].iloc[50:60])
    uk = events.iloc[50:60]
    script = map_args(at)["script"]                      # the map follows the filter
    for etype, n in uk[uk["precision"] != "country"]["event_type"].value_counts().items():
        assert f"{event_types.label(etype)} ({n:,})" in script
    _click(at, events["event_id"].iloc[52])
    assert "<b>Language</b>: Ukrainian" in _markdown_text(at)
    at.multiselect(key="f_langs").set_value(["en", "ru"]).run()
    assert _table_ids(at) == set(events["event_id"]) - set(events["event_id"].iloc[50:60])


def test_click_on_unknown_id_leaves_panel_empty(app):
    at = app
    _click(at, "no-such-event")
    assert any("Click a marker" in c.value for c in at.caption)


def test_table_row_selects_its_event_and_centres_the_map(app, events):
    at = app
    table = at.dataframe[0]
    row = table.value.iloc[57]
    at.session_state[table.key] = {"selection": {"rows": [57], "columns": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert row["event_id"] in _markdown_text(at)
    args = map_args(at)
    chosen = events.set_index("event_id").loc[row["event_id"]]
    assert args["center"] == pytest.approx([chosen["lat"], chosen["lon"]])
    assert args["zoom"] >= 5
    # a later map click wins over the table row
    other = table.value.iloc[3]["event_id"]
    _click(at, other)
    text = _markdown_text(at)
    assert f"<b>Event id</b>: {other}" in text and row["event_id"] not in text


def test_stacked_events_are_listed_and_each_can_be_shown(app, events):
    at = app
    stacked = list(events["event_id"].iloc[30:33])
    _click(at, stacked[0])
    [picker] = [r for r in at.radio if "events at this point" in r.label]
    assert picker.label.startswith("3 events")
    assert len(picker.options) == 3
    for event_id in stacked:
        picker = next(r for r in at.radio if "events at this point" in r.label)
        picker.set_value(event_id).run()
        assert not at.exception
        assert f"<b>Event id</b>: {event_id}" in _markdown_text(at)


def test_stacked_event_labels_are_markdown_safe(monkeypatch, tmp_path, events):
    # a radio renders its option labels as Markdown: a place name from an events file must not
    # become a link or a remote image
    ev = events.copy()
    ev.loc[ev.index[31], "place_name"] = "![x](http://evil.example/p.png) [y](http://evil.example)"
    at = _start(monkeypatch, tmp_path, ev)
    _click(at, str(ev["event_id"].iloc[30]))
    [picker] = [r for r in at.radio if "events at this point" in r.label]
    labels = [picker.proto.options[i] for i in range(len(picker.proto.options))]
    evil = [lab for lab in labels if "evil" in lab]
    assert evil and all("](" not in lab and "[" not in lab for lab in evil), evil


def test_a_confidence_that_is_no_number_reads_unknown(monkeypatch, tmp_path, events):
    # an events file is anyone's: its confidence may be text or infinite, never a traceback
    ev = events.copy()
    ev["confidence"] = ev["confidence"].map(str)           # a text column, as a GeoJSON may give
    ev.loc[ev.index[5], "confidence"] = "high"
    ev.loc[ev.index[6], "confidence"] = "inf"
    at = _start(monkeypatch, tmp_path, ev)
    for i in (5, 6):
        _click(at, str(ev["event_id"].iloc[i]))
        assert not at.exception, [e.value for e in at.exception]
        assert "<b>Confidence</b>: unknown" in _markdown_text(at)


def test_events_the_popup_lists_are_listed_in_the_panel(app, events):
    # the map lists every event within a few pixels of a click, not only exact twins
    near = list(events["event_id"].iloc[[50, 51]])
    at = app
    at.session_state["events_map"] = {"last_object_clicked_popup":
                                      f"Event id: {near[0]}\nEvent ids here: {near[0]} {near[1]}\nType\tx"}
    at.run()
    assert not at.exception
    [picker] = [r for r in at.radio if "events at this point" in r.label]
    assert picker.value == near[0] and len(picker.options) == 2
    picker.set_value(near[1]).run()
    assert f"<b>Event id</b>: {near[1]}" in _markdown_text(at)


def test_link_only_for_a_plain_web_address(app, events):
    at = app
    _click(at, events["event_id"].iloc[40])
    assert [b.proto.url for b in at.get("link_button")] == ["https://example.org/report-40"]
    assert "<b>Source</b>: Example Agency" in _markdown_text(at)
    _click(at, events["event_id"].iloc[41])      # javascript: is no link
    assert list(at.get("link_button")) == []
    assert events["event_id"].iloc[41] in _markdown_text(at)


def _time_chart(at):
    charts = [(spec, frames) for spec, frames in vega_charts(at)
              if "period" in json.dumps(spec.get("encoding", {}))]
    assert len(charts) == 1
    return charts[0][1][0]


def test_time_chart_follows_filters_and_counts_undated(app, events):
    at = app
    data = _time_chart(at)
    assert int(data["events"].sum()) == N_SYNTHETIC - 10
    assert any("undated: 10" in c.value for c in at.caption)
    at.multiselect(key="f_types").set_value(["drone_strike"]).run()
    drones = events[events["event_type"] == "drone_strike"]
    data = _time_chart(at)
    assert int(data["events"].sum()) == int(drones["date"].notna().sum())
    assert set(data["label"]) == {event_types.label("drone_strike")}
    assert any(f"undated: {int(drones['date'].isna().sum())}" in c.value for c in at.caption)


def test_bad_uploads_show_plain_errors_without_exception(monkeypatch, tmp_path):
    # uploads go to the store in the data directory: no events file here
    monkeypatch.delenv("BORDERLINE_EVENTS", raising=False)
    monkeypatch.setenv("BORDERLINE_DATA", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    uploader = at.file_uploader(key="upload_files")
    uploader.set_value([
        ("../../etc/passwd.txt", b"", "text/plain"),
        ("binary.html", b"\x00\x01\x02\xff" * 100, "text/html"),
        ("broken.jsonl", b'{"id": 1, "text": 5}\nnot json\n', "application/json"),
        ("<img src=x onerror=alert(1)>.md", b"   ", "text/markdown"),
    ])
    at.form_submit_button[1].click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) >= 4, errors
    assert "<" not in "".join(errors)                                  # markdown-safe as sent
    joined = html.unescape("\n".join(errors))                          # as the reader sees it
    assert "passwd.txt" in joined and "../" not in joined              # only the base name is used
    assert "broken.jsonl:1" in joined and "broken.jsonl:2" in joined
    assert "<img" not in joined and "onerror" in joined                # named, inert
    assert "Traceback" not in joined


def test_empty_paste_and_bad_url_are_refused_in_plain_words(monkeypatch, tmp_path):
    monkeypatch.delenv("BORDERLINE_EVENTS", raising=False)
    monkeypatch.setenv("BORDERLINE_DATA", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.text_area(key="paste_text").input("   ")
    at.form_submit_button[0].click().run()
    assert not at.exception
    assert any("empty" in e.value for e in at.error)
    at.text_area(key="paste_text").input("Drones hit Sumy overnight.")
    at.text_input(key="paste_url").input("javascript:alert(1)")
    at.form_submit_button[0].click().run()
    assert not at.exception
    assert any("URL" in e.value for e in at.error)
    assert not (tmp_path / "data" / "events.gpkg").exists()


def test_an_events_file_that_is_not_a_store_is_read_only(app):
    at = app
    assert not at.form_submit_button
    assert any("adding articles is off" in html.unescape(c.value) for c in at.caption)


def test_payloads_in_the_side_panel_and_map_are_text(monkeypatch, tmp_path):
    # every text field of every event carries the payloads: the page must show them inert
    events = synthetic_events(12, seed=0, payload=" ".join(PAYLOADS))
    at = _start(monkeypatch, tmp_path, events)
    row = events.iloc[3]
    _click(at, row["event_id"])
    text = _markdown_text(at)
    assert "<mark>" in text and row["event_id"] in text
    for raw in ("<img", "<script", "</script", "${", "`", "C:\\users"):
        assert raw not in text, raw
    radios = " ".join(o for r in at.radio for o in r.options)
    script = map_args(at)["script"]
    fetched = MAP_DATA.fetched_by(script)      # the page fetches each layer's data
    assert fetched and any("onerror" in text for text in fetched)
    for raw in ("<img", "</script", "${alert", "`${", "C:\\users", "{{"):
        assert raw not in script, raw
        assert not any(raw in text for text in fetched), raw
    assert radios == "" or "onerror" in radios     # radio labels are plain text (Streamlit escapes them)


pipeline_ready = all(importlib.util.find_spec(m) is not None
                     for m in ("geo.pipeline", "geo.store", "geo.borders"))


@pytest.mark.skipif(not pipeline_ready, reason="geo.pipeline / geo.store / geo.borders not built yet")
def test_paste_adds_events_to_the_store(monkeypatch, tmp_path):
    monkeypatch.delenv("BORDERLINE_EVENTS", raising=False)
    monkeypatch.setenv("BORDERLINE_DATA", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception
    before = len(at.dataframe[0].value) if at.dataframe else 0
    at.text_area(key="paste_text").input(
        "Ukrainian drones struck the Novoshakhtinsk oil refinery in Russia's Rostov region "
        "overnight, triggering a fire, the regional governor said. "
        + " ".join(PAYLOADS))
    at.date_input(key="paste_date").set_value(dt.date(2024, 12, 10))
    at.text_input(key="paste_source").input("my-notes")
    at.text_input(key="paste_url").input("https://example.org/refinery")
    at.form_submit_button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    ok = [html.unescape(s.value) for s in at.success]
    assert any("event" in s and "my-notes" in s and "2024-12-10" in s and "https://example.org/refinery" in s
               for s in ok), ok + [e.value for e in at.error]
    table = at.dataframe[0].value
    assert len(table) > before and "my-notes" in set(table["article"])
    # the stored article's address is the side panel's link
    event_id = table.loc[table["article"] == "my-notes", "event_id"].iloc[0]
    _click(at, event_id)
    assert [b.proto.url for b in at.get("link_button")] == ["https://example.org/refinery"]
    assert np.isfinite(table["border_km"]).any()


@pytest.mark.skipif(not pipeline_ready, reason="geo.pipeline / geo.store / geo.borders not built yet")
def test_paste_language_is_detected_or_chosen(monkeypatch, tmp_path):
    monkeypatch.delenv("BORDERLINE_EVENTS", raising=False)
    monkeypatch.setenv("BORDERLINE_DATA", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception
    at.text_area(key="paste_text").input("Вночі ворог атакував Суми дронами, є пошкодження.")
    at.text_input(key="paste_source").input("uk-notes")
    at.form_submit_button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    ok = [html.unescape(s.value) for s in at.success]
    assert any(s.startswith("uk-notes: 1 article stored") and "Ukrainian" in s for s in ok), ok
    # the form's choice wins over detection
    at.text_area(key="paste_text").input("Russian drones struck the Novoshakhtinsk oil refinery in Russia's "
                                         "Rostov region overnight, triggering a fire, the governor said.")
    at.text_input(key="paste_source").input("ru-notes")
    at.selectbox(key="paste_lang").set_value("ru")
    at.form_submit_button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    ok = [html.unescape(s.value) for s in at.success]
    assert any(s.startswith("ru-notes: 1 article stored") and "Russian" in s for s in ok), ok
    # (read with Russian's rules, that English text reports nothing): a Russian report, detected
    at.text_area(key="paste_text").input("Ночью беспилотники атаковали Белгород, повреждены дома.")
    at.text_input(key="paste_source").input("ru-notes")
    at.selectbox(key="paste_lang").set_value(None)
    at.form_submit_button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Russian" in at.multiselect(key="f_langs").options
    at.multiselect(key="f_langs").set_value(["ru"]).run()
    assert set(at.dataframe[0].value["article"]) == {"ru-notes"}
