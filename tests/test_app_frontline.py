"""The app with a front line imported (streamlit.testing.v1.AppTest): the front-line bands and
the control filter, the table's columns, the panel's line, and the app without a front line.

Events are invented (bench/synthetic.py) with some placed around the fixture's square
(tests/_frontline_support.py), which is imported into the data directory's frontline.gpkg."""

from __future__ import annotations

import html
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _apptest_support import write_events  # noqa: E402
from _frontline_support import write_fixture_store  # noqa: E402
from bench.synthetic import synthetic_events  # noqa: E402
from geo.frontline import measure  # noqa: E402

APP = str(ROOT / "streamlit_app.py")
AppTest = pytest.importorskip("streamlit.testing.v1").AppTest


def front_events():
    """120 invented events: 60 around the square (some inside), dated after the snapshot."""
    ev = synthetic_events(120, seed=5)
    rng = np.random.default_rng(5)
    i = ev.index[:60]
    lat, lon = rng.uniform(47.8, 48.6, 60).round(5), rng.uniform(36.8, 37.8, 60).round(5)
    ev.loc[i, "lat"], ev.loc[i, "lon"] = lat, lon
    ev.loc[i, "precision"] = "settlement"
    ev.loc[i, "date"] = "2024-07-09"
    import geopandas as gpd
    ev["geometry"] = gpd.points_from_xy(ev["lon"], ev["lat"])
    ev["url"] = None
    return ev


def _start(monkeypatch, tmp_path, events, *, front: bool) -> AppTest:
    data = tmp_path / "data"
    data.mkdir()
    if front:
        write_fixture_store(data)
    monkeypatch.setenv("BORDERLINE_EVENTS", str(write_events(events, tmp_path / "events.parquet")))
    monkeypatch.setenv("BORDERLINE_DATA", str(data))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def events():
    return front_events()


@pytest.fixture(scope="module")
def expected(tmp_path_factory, events):
    data = tmp_path_factory.mktemp("front")
    return measure.front_measures(events, measure.load_series(write_fixture_store(data)))


def test_bands_and_control_filter_the_table(monkeypatch, tmp_path, events, expected):
    at = _start(monkeypatch, tmp_path, events, front=True)
    table = at.dataframe[0].value
    assert {"front_km", "control"} <= set(table.columns)
    near = set(events.loc[(expected["front_km"] <= 5).to_numpy(), "event_id"])
    assert near and len(near) < len(events)
    at.segmented_control(key="f_front_bands").set_value(["f0-5"]).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["event_id"]) == near and (table["front_km"] <= 5).all()
    at.segmented_control(key="f_front_bands").set_value([]).run()
    at.multiselect(key="f_controls").set_value(["occupied"]).run()
    table = at.dataframe[0].value
    occupied = set(events.loc[(expected["control"] == "occupied").to_numpy(), "event_id"])
    assert occupied and set(table["event_id"]) == occupied
    captions = html.unescape(" ".join(c.value for c in at.sidebar.caption))
    assert "No front-line measure" in captions and "centre, not a place" in captions


def test_the_panel_says_where_the_front_line_is(monkeypatch, tmp_path, events, expected):
    at = _start(monkeypatch, tmp_path, events, front=True)
    pos = int(np.flatnonzero((expected["control"] == "occupied").to_numpy())[0])
    event_id = events["event_id"].iloc[pos]
    at.session_state["events_map"] = {"last_object_clicked_popup": f"Type\tx\nEvent id\t{event_id}"}
    at.run()
    assert not at.exception
    text = html.unescape("\n".join(m.value for m in at.markdown))
    assert "Front line" in text and "occupied" in text and "DeepStateMap" in text


def test_without_a_front_line_the_app_says_how_to_import_one(monkeypatch, tmp_path, events):
    at = _start(monkeypatch, tmp_path, events, front=False)
    captions = html.unescape(" ".join(c.value for c in at.sidebar.caption))
    assert "No front line imported" in captions and "frontline import" in captions
    assert "front_km" not in at.dataframe[0].value.columns
    assert not [s for s in at.segmented_control if s.key == "f_front_bands"]
