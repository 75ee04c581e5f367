"""``borderline frontline import`` and ``list``, and ``export`` carrying the front line's
columns: exit codes (0, 1 some inputs failed, 2 usage) and messages, on made-up fixtures."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _frontline_support import daily_doc, deepstate_doc, isw_doc, write_json  # noqa: E402
from geo.cli import main  # noqa: E402
from geo.store import EventStore  # noqa: E402
from test_store import make_article, make_event  # noqa: E402


def run(argv, capfd):
    code = main([str(a) for a in argv])
    out, err = capfd.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path) -> Path:
    folder = tmp_path / "in"
    write_json(folder / "1720440000.geojson", deepstate_doc())
    write_json(folder / "deepstatemap_data_20240709.geojson", daily_doc())
    write_json(folder / "isw" / "UkraineControlMapAO10JUL2024.geojson", isw_doc())
    return folder


def test_import_then_again_then_list(files, tmp_path, capfd):
    data = tmp_path / "data"
    code, _, err = run(["frontline", "import", files, "--data", data], capfd)
    assert code == 0, err
    assert "3 files read, 3 snapshots added, 0 already stored, 0 failed" in err
    assert (data / "frontline.gpkg").is_file()
    code, _, err = run(["frontline", "import", files, "--data", data], capfd)
    assert code == 0 and "0 snapshots added, 3 already stored" in err
    code, out, _ = run(["frontline", "list", "--data", data], capfd)
    assert code == 0
    assert "DeepStateMap: 2 snapshots, 2024-07-08 to 2024-07-09" in out and "ISW: 1 snapshots" in out
    code, out, _ = run(["frontline", "list", "--data", data, "--json", "--source", "ISW"], capfd)
    rows = json.loads(out)
    assert code == 0 and [(r["date"], r["format"]) for r in rows] == [("2024-07-10", "isw")]


def test_a_bad_file_is_named_and_the_rest_imported(files, tmp_path, capfd):
    (files / "broken.geojson").write_text("{", encoding="utf-8")
    write_json(files / "occupied.geojson", daily_doc())              # no date in the name
    code, _, err = run(["frontline", "import", files, tmp_path / "nope", "--data", tmp_path / "d"], capfd)
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("borderline: ") and "frontline import:" not in line]
    assert any(line.startswith("borderline: broken.geojson: not a UTF-8 JSON file") for line in lines)
    assert any(line.startswith("borderline: occupied.geojson: no date in the file name") for line in lines)
    assert any("nope: no such file or directory" in line for line in lines)
    assert "3 snapshots added" in err and "3 failed" in err


def test_date_and_source_options(tmp_path, capfd):
    f = write_json(tmp_path / "occupied.geojson", daily_doc())
    data = tmp_path / "d"
    code, _, err = run(["frontline", "import", f, "--date", "2024-03-01", "--source", "My copy", "--data", data],
                       capfd)
    assert code == 0, err
    code, out, _ = run(["frontline", "list", "--data", data, "--json"], capfd)
    (row,) = json.loads(out)
    assert (row["date"], row["source"], row["format"]) == ("2024-03-01", "My copy", "daily")


@pytest.mark.parametrize("argv,message", [
    (["frontline", "import", "x.geojson", "--date", "2024-02-30"], "want YYYY-MM-DD"),
    (["frontline", "import", "x.geojson", "--source", "   "], "--source must be a name"),
    (["frontline", "import"], "the following arguments are required"),
    (["frontline"], "required"),
])
def test_usage_errors_exit_2(argv, message, tmp_path, capfd):
    try:
        code = main([*argv, "--data", str(tmp_path)] if len(argv) > 2 else argv)
    except SystemExit as stop:                 # argparse's own errors
        code = stop.code
    _, err = capfd.readouterr()
    assert code == 2 and message in err


def test_a_folder_with_nothing_to_import(tmp_path, capfd):
    (tmp_path / "empty").mkdir()
    code, _, err = run(["frontline", "import", tmp_path / "empty", "--data", tmp_path / "d"], capfd)
    assert code == 1 and "no .geojson or .json files found" in err


def test_list_without_a_store(tmp_path, capfd):
    code, out, err = run(["frontline", "list", "--data", tmp_path], capfd)
    assert code == 0 and "no front line stored" in err
    code, out, _ = run(["frontline", "list", "--data", tmp_path, "--json"], capfd)
    assert code == 0 and json.loads(out) == []


def test_export_carries_the_front_line_columns(tmp_path, capfd):
    data = tmp_path / "data"
    store = EventStore(data / "events.gpkg")
    a = make_article(1)
    store.add([(a, [make_event(a, 0, lat=48.2, lon=37.25, date="2024-07-09"),        # in the square
                    make_event(a, 1, lat=48.2, lon=36.8, date="2024-07-09"),         # west of it
                    make_event(a, 2, lat=48.2, lon=36.8, date=None)])])              # undated
    code, out, _ = run(["export", "--data", data], capfd)
    assert code == 0 and "front_km" not in json.loads(out)["features"][0]["properties"]
    run(["frontline", "import", write_json(tmp_path / "1720440000.geojson", deepstate_doc()), "--data", data], capfd)
    code, out, _ = run(["export", "--data", data], capfd)
    props = {f["properties"]["event_id"]: f["properties"] for f in json.loads(out)["features"]}
    assert code == 0
    assert props["art00001-0"]["control"] == "occupied" and props["art00001-1"]["control"] == "held"
    assert 14 < props["art00001-1"]["front_km"] < 16 and props["art00001-1"]["front_date"] == "2024-07-08"
    assert props["art00001-2"]["front_km"] is None and "front_note" not in props["art00001-2"]
    code, out, _ = run(["export", "--data", data, "--format", "csv"], capfd)
    csv = pd.read_csv(io.StringIO(out))
    assert code == 0 and list(csv.columns[-4:]) == ["front_km", "control", "front_date", "front_source"]
    for fmt in ("gpkg", "parquet"):
        out_path = tmp_path / f"x.{fmt}"
        code, _, _ = run(["export", "--data", data, "--format", fmt, "--out", out_path], capfd)
        import geopandas as gpd
        frame = gpd.read_parquet(out_path) if fmt == "parquet" else gpd.read_file(out_path, layer="events")
        assert code == 0 and {"front_km", "control", "front_date", "front_source"} <= set(frame.columns), fmt
