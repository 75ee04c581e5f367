"""The Streamlit app's logic with streamlit.testing.v1.AppTest: filters, clicks, uploads.

The map component shows up in AppTest as an unknown element whose ``json_args`` hold
the Leaflet script st_folium would send; a click is simulated by setting
``session_state["events_map"]`` the way st_folium's callback does, then rerunning.
"""

from __future__ import annotations

import html
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _apptest_support import map_args  # noqa: E402
from bench.synthetic import PAYLOADS, synthetic_events  # noqa: E402
from geo.assets import DataFiles  # noqa: E402
from geo.events import EVENT_TYPES  # noqa: E402

APP = str(ROOT / "streamlit_app.py")
MAP_DATA = DataFiles(ROOT / "static" / "mapdata", "/app/static/mapdata")   # as the app writes it
N_SYNTHETIC = 240

AppTest = pytest.importorskip("streamlit.testing.v1").AppTest


def _markdown_text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.fixture
def synthetic_app(monkeypatch, tmp_path):
    monkeypatch.setenv("BORDERLINE_SYNTHETIC", str(N_SYNTHETIC))
    monkeypatch.setenv("BORDERLINE_DATA", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_loads_with_map_table_and_local_assets(synthetic_app):
    at = synthetic_app
    args = map_args(at)
    assert all(u.startswith("/app/static/vendor/") for u in args["js_links"] + args["css_links"])
    # only a marker click reruns the script
    assert sorted(args["returned_objects"]) == sorted(
        ["last_object_clicked", "last_object_clicked_popup", "last_object_clicked_tooltip"])
    events = synthetic_events(N_SYNTHETIC, seed=0)
    pinned = events[events["precision"] != "country"]["event_type"].value_counts()
    for etype, n in pinned.items():
        assert f"{EVENT_TYPES[etype]} ({n:,})" in args["script"]
    table = at.dataframe[0].value
    assert len(table) == N_SYNTHETIC
    assert (ROOT / "static" / "vendor" / "leaflet" / "leaflet.js").is_file()


def test_type_filter_changes_table_and_map(synthetic_app):
    at = synthetic_app
    events = synthetic_events(N_SYNTHETIC, seed=0)
    at.multiselect(key="f_types").set_value(["drone_strike"]).run()
    assert not at.exception
    n = int((events["event_type"] == "drone_strike").sum())
    assert len(at.dataframe[0].value) == n
    script = map_args(at)["script"]
    assert EVENT_TYPES["drone_strike"] in script
    assert EVENT_TYPES["political"] not in script


def test_distance_side_and_confidence_filters(synthetic_app):
    at = synthetic_app
    events = synthetic_events(N_SYNTHETIC, seed=0)
    km = next(s for s in at.slider if s.label.startswith("Distance from the border"))
    top = km.max
    km.set_value((0.0, 50.0)).run()
    want = int((events["border_km"] <= 50.0).sum())
    assert len(at.dataframe[0].value) == want < N_SYNTHETIC and top > 50
    at.multiselect(key="f_sides").set_value(["RU"]).run()
    want = int(((events["border_km"] <= 50.0) & (events["side"] == "RU")).sum())
    assert len(at.dataframe[0].value) == want
    at.slider(key="f_conf").set_value(0.8).run()
    want = int(((events["border_km"] <= 50.0) & (events["side"] == "RU")
                & (events["confidence"] >= 0.8)).sum())
    assert len(at.dataframe[0].value) == want
    assert not at.exception


def test_click_fills_the_side_panel(synthetic_app):
    at = synthetic_app
    events = synthetic_events(N_SYNTHETIC, seed=0)
    row = events.iloc[17]
    assert "Click a marker" in " ".join(c.value for c in at.caption)
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
    assert not any("Click a marker" in c.value for c in at.caption)


def test_click_on_unknown_id_leaves_panel_empty(synthetic_app):
    at = synthetic_app
    at.session_state["events_map"] = {"last_object_clicked_popup": "Event id\tno-such-event"}
    at.run()
    assert not at.exception
    assert any("Click a marker" in c.value for c in at.caption)


def test_bad_uploads_show_plain_errors_without_exception(synthetic_app):
    at = synthetic_app
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


def test_empty_paste_is_refused_in_plain_words(synthetic_app):
    at = synthetic_app
    at.text_area(key="paste_text").input("   ")
    at.form_submit_button[0].click().run()
    assert not at.exception
    assert any("empty" in e.value for e in at.error)


def test_payloads_in_the_side_panel_and_map_are_text(monkeypatch, tmp_path):
    # every text field of every event carries the payloads: the page must show them inert
    monkeypatch.setenv("BORDERLINE_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("BORDERLINE_SYNTHETIC", "12")
    monkeypatch.setenv("BORDERLINE_SYNTHETIC_PAYLOAD", "1")
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception
    events = synthetic_events(12, seed=0, payload=" ".join(PAYLOADS))
    row = events.iloc[3]
    at.session_state["events_map"] = {"last_object_clicked_popup": f"Event id\t{row['event_id']}"}
    at.run()
    assert not at.exception
    text = _markdown_text(at)
    assert "<mark>" in text and row["event_id"] in text
    for raw in ("<img", "<script", "</script", "${", "`", "C:\\users"):
        assert raw not in text, raw
    script = map_args(at)["script"]
    fetched = MAP_DATA.fetched_by(script)      # the page fetches each layer's data
    assert fetched and any("onerror" in text for text in fetched)
    for raw in ("<img", "</script", "${alert", "`${", "C:\\users", "{{"):
        assert raw not in script, raw
        assert not any(raw in text for text in fetched), raw


pipeline_ready = all(importlib.util.find_spec(m) is not None
                     for m in ("geo.pipeline", "geo.store", "geo.borders"))


@pytest.mark.skipif(not pipeline_ready, reason="geo.pipeline / geo.store / geo.borders not built yet")
def test_paste_adds_events_to_the_store(monkeypatch, tmp_path):
    monkeypatch.delenv("BORDERLINE_SYNTHETIC", raising=False)
    monkeypatch.setenv("BORDERLINE_DATA", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception
    before = len(at.dataframe[0].value) if at.dataframe else 0
    at.text_area(key="paste_text").input(
        "Ukrainian drones struck the Novoshakhtinsk oil refinery in Russia's Rostov region "
        "overnight, triggering a fire, the regional governor said. "
        + " ".join(PAYLOADS))
    at.date_input(key="paste_date").set_value(__import__("datetime").date(2024, 12, 10))
    at.form_submit_button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("event" in s.value for s in at.success), [e.value for e in at.error]
    assert len(at.dataframe[0].value) > before
