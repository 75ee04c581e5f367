"""Every string from an article that reaches HTML is escaped: the map's popups, tooltips,
layer names and legend (``geo.maps``), and the side panel (``geo.view.markdown_safe``,
``excerpt_markdown``). The app-level checks (AppTest) are in test_app_safety.py; a real
browser in tests/browser and test_browser_payloads.py.
"""

from __future__ import annotations

import html
import json
import re

import geopandas as gpd
import pandas as pd
import pytest
from _robustness import PAYLOADS, STATS, profile
from hypothesis import given
from hypothesis import strategies as st

from geo.events import EVENT_COLUMNS, EVENT_TYPES
from geo.maps import build_map, escape, excerpt_html, popup_properties
from geo.view import excerpt_markdown, markdown_safe

# What must never appear in HTML built from article text (the page's own markup aside).
DANGEROUS = ("<", ">", "`", "$", "\\", "{", "}", "\"", "'")
TOKENS = ("<script", "</script", "<img", "<b>", "`", "${", "{{", "{%", "C:\\users", "C:\\\\users",
          "\\u003cimg", "\\u003cscript", "\\u003c/script", "\\u003cb\\u003e")

_text = st.text(st.one_of(st.sampled_from("<>&\"'`${}\\/:;=()[]*_#|~!%\n\t\u202e\u2028\x00"),
                          st.characters(codec="utf-8")), max_size=80)


def _strip_marks(value: str) -> str:
    return value.replace("<mark>", "").replace("</mark>", "")


def _bare(value: str) -> str:
    """``value`` without our markup and without character references: what is left must be
    plain characters."""
    return re.sub(r"&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+);", "", _strip_marks(value).replace("<br>", ""))


@profile(200)
@given(fields=st.fixed_dictionaries({c: _text for c in ("place_name", "admin1", "excerpt", "article", "sources",
                                                        "date", "date_precision", "side", "type_label",
                                                        "event_id", "precision")}),
       start=st.integers(-5, 90), end=st.integers(-5, 90))
def test_popup_properties_are_escaped(fields, start, end):
    """Random text in every field: each popup/tooltip property is inert HTML whose text is
    the field's (the excerpt may be cut to a window around the place)."""
    STATS.tried()
    row = {**fields, "event_type": "drone_strike", "place_start": start, "place_end": end, "border_km": 12.5}
    props = popup_properties(row)
    for key, value in props.items():
        inert = _bare(value)
        for ch in DANGEROUS:
            assert ch not in inert, (key, ch, value)
    assert html.unescape(_strip_marks(props["bl_id"])) == fields["event_id"]
    shown = html.unescape(_strip_marks(props["bl_excerpt"])).strip("…")
    assert shown in fields["excerpt"]


@profile(200)
@given(text=_text, start=st.integers(-5, 90), end=st.integers(-5, 90))
def test_side_panel_text_is_inert(text, start, end):
    STATS.tried()
    for out in (markdown_safe(text), excerpt_markdown(text, start, end)):
        for ch in DANGEROUS + ("*", "_", "[", "]", ":", "#", "|", "~", "&"):
            assert ch not in _bare(out), (ch, out)
        assert html.unescape(_strip_marks(out).replace("<br>", "")) == text.replace("\r\n", "").replace("\n", "")


def _events(text: str | None, n: int = 12) -> gpd.GeoDataFrame:
    """``n`` events with ``text`` (None: plain words) in every free-text column."""
    rows = []
    types = list(EVENT_TYPES)
    for i in range(n):
        t = text if text is not None else f"plain words number {i}"
        rows.append({c: t for c in EVENT_COLUMNS} | {
            "event_id": f"{t}-{i}", "event_type": types[i % len(types)], "precision":
            ("settlement", "hromada", "region", "country")[i % 4], "border_km": 10.0 + i, "confidence": 0.5,
            "place_start": 3, "place_end": 9, "lat": 48.0 + i / 10, "lon": 36.0 + i / 10,
            "actors": json.dumps({"attacker": t}), "numbers": "{}"})
    rows.append(rows[0] | {"event_type": text if text is not None else "plain_type", "event_id": "odd-type"})
    frame = pd.DataFrame(rows)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")


def _render(frame, *, sink: bool) -> str:
    files: list[str] = []

    def data_sink(text: str) -> str:
        files.append(text)
        return f"/data/{len(files)}.json"

    m = build_map(frame, data_sink=data_sink if sink else None, border_label="border",
                  bands=[(PAYLOADS[0], {"type": "Point", "coordinates": [36.0, 50.0]})])
    return "\n".join([m.get_root().render(), *files])


@pytest.mark.parametrize("sink", [False, True], ids=["embedded", "fetched"])
@pytest.mark.parametrize("payload", PAYLOADS + (" ".join(PAYLOADS), "\u202e<b>x</b>\u2028javascript:alert(1)"))
def test_the_rendered_map_holds_no_more_markup_than_with_plain_text(payload, sink):
    """The same map with plain words and with the payload in every field: every dangerous
    token occurs as often in both, so nothing from the data became markup or script."""
    STATS.tried()
    plain = _render(_events(None), sink=sink)
    hostile = _render(_events(payload), sink=sink)
    for token in TOKENS:
        assert hostile.count(token) == plain.count(token), (token, hostile.count(token), plain.count(token))
    # and the payload is there, as escaped text (JSON in a script writes & as \u0026)
    needle = escape(payload)[:24]
    assert needle in hostile or needle.replace("&", "\\u0026") in hostile, needle


def test_excerpt_window_never_cuts_an_entity():
    """The popup's excerpt window is cut on the text, then escaped: no half '&lt;'."""
    text = "<" * 500 + "Kyiv" + ">" * 500
    out = excerpt_html(text, 500, 504, max_chars=100)
    STATS.tried()
    assert re.fullmatch(r"…(&lt;)+<mark>Kyiv</mark>(&gt;)+…", out), out[:200]
    assert escape("${x}`\\") == "&#36;&#123;x&#125;&#96;&#92;"


# --- spreadsheets: a CSV cell that starts with = + - @ is run as a formula ---------------------

FORMULA_ARTICLE = ('=HYPERLINK("http://198.51.100.7/x","click") Ukrainian drones struck an oil depot in '
                   "Belgorod overnight, the regional governor said.")


def _formula_cells(csv_text: str) -> list[str]:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert rows, "no events in the CSV"
    numeric = re.compile(r"-?\d+(\.\d+)?")
    return [v for r in rows for v in r.values()
            if v and v[0] in "=+-@\t\r" and not numeric.fullmatch(v)]


def test_app_csv_download_defuses_formulas(pipeline):
    from geo.articles import article_from_text
    from geo.events import events_to_frame
    from geo.view import to_csv_bytes

    article = article_from_text(FORMULA_ARTICLE, source="=cmd|'/C calc'!A0.txt")
    frame = events_to_frame(pipeline.process(article))
    STATS.tried()
    assert not _formula_cells(to_csv_bytes(frame).decode("utf-8"))


def test_cli_csv_exports_defuse_formulas(pipeline, tmp_path, capsys):
    """``borderline events --format csv`` and ``borderline export --format csv`` write the same
    article text to spreadsheets: they must defuse it like the app's download does."""
    from geo.cli import main

    d = tmp_path / "in"
    d.mkdir()
    (d / "=cmd|'-C calc'!A0.txt").write_text(FORMULA_ARTICLE, encoding="utf-8")
    STATS.tried()
    assert main(["events", "--format", "csv", str(d)]) == 0
    events_csv = capsys.readouterr().out
    assert main(["ingest", "--workers", "1", "--data", str(tmp_path / "data"), str(d)]) == 0
    capsys.readouterr()
    assert main(["export", "--format", "csv", "--data", str(tmp_path / "data")]) == 0
    export_csv = capsys.readouterr().out
    assert not _formula_cells(events_csv), _formula_cells(events_csv)
    assert not _formula_cells(export_csv), _formula_cells(export_csv)
