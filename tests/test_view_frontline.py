"""The app's front-line logic (geo.view): bands of the distance from the front line, the
control filter, the panel's text, the reasons counted, and the downloads' columns."""

from __future__ import annotations

import io
import json
import math
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synthetic import synthetic_events  # noqa: E402
from geo import view  # noqa: E402

KM = [0.0, 4.9, 5.0, 5.1, 24.0, 26.0, 49.0, 51.0, np.nan, np.nan]
CONTROL = ["occupied", "occupied", "contested", "held", "held", "held", None, "held", None, None]
NOTE = [None] * 8 + ["undated", "dated only to the month"]


@pytest.fixture
def events():
    ev = synthetic_events(len(KM), seed=3)
    ev["front_km"] = KM
    ev["control"] = CONTROL
    ev["front_date"] = ["2024-07-08"] * 8 + [None, None]
    ev["front_source"] = ["DeepStateMap"] * 8 + [None, None]
    ev["front_note"] = NOTE
    return ev


def _km(frame) -> list[float]:
    return [float(v) for v in frame["front_km"]]


def test_front_bands_keep_only_their_distances(events):
    near = view.filter_events(events, view.EventFilter(front_bands=frozenset({"f0-5"})))
    assert _km(near) == [0.0, 4.9, 5.0]                    # 5 km is in 0-5, the unmeasured are out
    two = view.filter_events(events, view.EventFilter(front_bands=frozenset({"f5-25", "f50+"})))
    assert _km(two) == [5.1, 24.0, 51.0]
    far = view.filter_events(events, view.EventFilter(front_bands=frozenset({"f25-50"}), include_unknown_front=True))
    assert _km(far)[:2] == [26.0, 49.0] and sum(math.isnan(k) for k in _km(far)) == 2


def test_control_filter_and_unknown(events):
    occ = view.filter_events(events, view.EventFilter(controls=frozenset({"occupied", "contested"})))
    assert list(occ["control"]) == ["occupied", "occupied", "contested"]
    unknown = view.filter_events(events, view.EventFilter(controls=frozenset({"unknown"})))
    assert len(unknown) == 3 and unknown["control"].isna().all()


def test_front_filters_combine_with_the_others(events):
    flt = view.EventFilter(front_bands=frozenset({"f0-5", "f5-25"}), controls=frozenset({"held"}))
    assert _km(view.filter_events(events, flt)) == [5.1, 24.0]


def test_without_a_front_line_the_filters_keep_only_unknown():
    ev = synthetic_events(5, seed=1)
    assert len(view.filter_events(ev, view.EventFilter(front_bands=frozenset({"f0-5"})))) == 0
    assert len(view.filter_events(ev, view.EventFilter(controls=frozenset({"unknown"})))) == 5
    assert len(view.filter_events(ev, view.EventFilter())) == 5


def test_panel_text_and_reasons(events):
    rows = events.to_dict("records")
    assert view.front_text(rows[1]) == "4.9 km from the front line; occupied (DeepStateMap, 2024-07-08)"
    assert view.front_text(rows[8]) == "no measure: undated"
    assert view.front_text({}) == "no front line imported"
    assert view.front_summary(events) == "1 undated; 1 dated only to the month"
    assert view.front_summary(synthetic_events(3, seed=1)) is None


def test_downloads_carry_the_front_columns_not_the_note(events, tmp_path):
    props = json.loads(view.to_geojson_bytes(events))["features"][1]["properties"]
    assert props["front_km"] == 4.9 and props["control"] == "occupied" and "front_note" not in props
    csv = pd.read_csv(io.BytesIO(view.to_csv_bytes(events)))
    assert list(csv.columns[-4:]) == ["front_km", "control", "front_date", "front_source"]
    assert csv["front_km"].iloc[1] == 4.9
    gpkg = tmp_path / "events.gpkg"
    gpkg.write_bytes(view.to_gpkg_bytes(events))
    frame = gpd.read_file(gpkg, layer="events")
    assert {"front_km", "control", "front_date", "front_source"} <= set(frame.columns)
    assert "front_note" not in frame.columns
