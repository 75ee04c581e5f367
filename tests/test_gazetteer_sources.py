"""The source registry and the schema defined once (no gazetteer needed for most)."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from gazetteer import build as builder
from gazetteer import schema
from gazetteer.model import Place
from gazetteer.sources import SOURCES, Source, get_source
from gazetteer.sources.base import Rec


def test_every_registered_source_names_itself_and_loads():
    assert list(SOURCES) == list(builder.SOURCES)
    for name, cls in SOURCES.items():
        assert issubclass(cls, Source) and cls.name == name
        assert cls.load is not Source.load, name  # each says how it loads
        assert get_source(name) is cls
        # Each states its inputs: packages and/or shipped data files (for the fingerprint).
        assert cls.packages or cls.data_files, name
        assert list(cls().fingerprint_parts()), name


def test_an_unknown_source_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="nope"):
        get_source("nope")
    with pytest.raises(ValueError, match="nope"):
        builder.build(tmp_path, sources=("admin1", "nope"))
    with pytest.raises(ValueError, match="nope"):
        builder.build(tmp_path, sources=("admin1",), inputs={"nope": tmp_path / "x"})
    assert not (tmp_path / "gazetteer.sqlite").exists()


def test_a_source_input_changes_the_fingerprint(monkeypatch):
    before = builder.fingerprint()
    cls = next(iter(SOURCES.values()))
    real = cls.fingerprint_parts

    def changed(self):
        yield from real(self)
        yield b"a newer version of the package"

    monkeypatch.setattr(cls, "fingerprint_parts", changed)
    assert builder.fingerprint() != before


def test_the_schema_maps_every_place_field_in_order():
    assert schema.PLACE_FIELDS == tuple(f.name for f in dataclasses.fields(Place))
    # The builder's record writes exactly the INSERT's columns.
    rec = Rec(id="x:1", name="X", kind="settlement", country="RU", admin1="RU-KRS",
              admin1_name="Kursk Oblast", lat=51.0, lon=35.0, population=100,
              precision="point", source="test", alt_names=["X", "Икс", "Ікс"], admin2="Y District")
    row = rec.row()
    assert len(row) == len(schema.INSERT_COLUMNS)
    con = sqlite3.connect(":memory:")
    con.executescript(schema.CREATE_TABLES)
    con.execute(schema.INSERT_PLACE, row)
    got = con.execute(f"SELECT {schema.SELECT_COLUMNS} FROM places").fetchone()
    place = schema.place_from_row(got)
    assert place == Place(id="x:1", name="X", kind="settlement", country="RU", admin1="RU-KRS",
                          admin1_name="Kursk Oblast", lat=51.0, lon=35.0, population=100,
                          precision="point", source="test", alt_names=("Икс", "Ікс"),
                          admin2="Y District")
    assert got[-1] == pytest.approx(rec.prior) and rec.prior > 2


def test_the_query_side_never_imports_the_builder():
    import subprocess
    import sys

    code = ("import sys, gazetteer, gazetteer.query; "
            "print(any(m.startswith(('gazetteer.build', 'gazetteer.sources')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- curated rows (the shipped file may be empty: a test hands in its own) -----------------

_CURATED_HEADER = "id,name,alt_names,kind,country,admin1,lat,lon,anchor,precision,population,admin2,source,note\n"


def test_curated_rows_take_their_point_or_their_anchors(tmp_path):
    from gazetteer import Gazetteer

    cur = tmp_path / "curated.csv"
    cur.write_text(_CURATED_HEADER
                   + "cur:a,Alpha,Альфа,settlement,RU,RU-KRS,51.5,35.5,,point,,,a note,\n"
                   + "cur:b,Beta,,settlement,RU,RU-KRS,,,cur:a,anchor,,,a book,placed at Alpha\n",
                   encoding="utf-8")
    db = builder.build(tmp_path, sources=("admin1", "curated"), inputs={"curated": cur})
    with Gazetteer.open(db) as gaz:
        a, b = gaz.get("cur:a"), gaz.get("cur:b")
        assert (a.lat, a.lon, a.admin1_name, a.source) == (51.5, 35.5, "Kursk Oblast", "curated: a note")
        assert (b.lat, b.lon, b.precision) == (51.5, 35.5, "anchor")
        assert [p.id for p in gaz.lookup("Альфа")] == ["cur:a"]


@pytest.mark.parametrize("row,problem", [
    ("cur:c,Gamma,,settlement,RU,RU-KRS,51,35,,point,,,,\n", "cite its source"),
    ("cur:c,Gamma,,settlement,RU,RU-KRS,,,cur:nope,anchor,,,x,\n", "anchor 'cur:nope'"),
])
def test_a_bad_curated_row_is_refused_with_its_line(tmp_path, row, problem):
    from gazetteer import GazetteerBuildError

    cur = tmp_path / "curated.csv"
    cur.write_text(_CURATED_HEADER + row, encoding="utf-8")
    with pytest.raises(GazetteerBuildError, match=f"line 2: .*{problem}"):
        builder.build(tmp_path, sources=("admin1", "curated"), inputs={"curated": cur})


def test_russian_regions_seats_are_their_marked_capitals(tmp_path):
    from gazetteer.sources.russia import region_seats

    regions = tmp_path / "regions.csv"
    regions.write_text('"code","name","short_name","iso_code"\n'
                       '"31","Белгородская область","Белгородская","RU-BEL"\n'
                       '"91","Республика Крым","Крым","UA-43"\n', encoding="utf-8")
    cities = tmp_path / "cities.csv"
    header = "region,city,settlement,capital_marker,geo_lat,geo_lon\n"
    cities.write_text(header + "Белгородская,Белгород,,2,50.6,36.59\n"
                      "Белгородская,Алексеевка,,1,50.63,38.69\n"         # a district's seat
                      "Крым,Симферополь,,2,44.95,34.1\n"                 # Crimea is Ukraine's here
                      "Белгородская,Старый Оскол,,2,not a number,37.8\n", encoding="utf-8")
    assert region_seats(cities, regions) == {"RU-BEL": (50.6, 36.59, "Belgorod")}


def test_ukrainian_oblast_seats_are_geonames_ppla_and_the_listed_exceptions():
    from gazetteer.sources.admin1 import Admin1Table
    from gazetteer.sources.geonames import GN
    from gazetteer.sources.ukraine import oblast_seats

    def gn(gid, name, code, admin1, lat):
        return GN(gid, name, [], lat, 30.0, "P", code, "UA", admin1, 1000)

    rows = [gn(1, "Kharkiv", "PPLA", "07", 50.0), gn(2, "Chuhuiv", "PPLA2", "07", 49.8),
            gn(703448, "Kyiv", "PPLC", "12", 50.45), gn(693805, "Simferopol", "PPLA2", "11", 44.95)]
    seats = oblast_seats(rows, Admin1Table.load())
    assert seats["UA-63"] == (50.0, 30.0, "Kharkiv")                 # PPLA, not a raion's PPLA2
    assert seats["UA-30"] == seats["UA-32"] == (50.45, 30.0, "Kyiv")  # the city, and its oblast by the list
    assert seats["UA-43"] == (44.95, 30.0, "Simferopol")
    assert len(seats) == 4
