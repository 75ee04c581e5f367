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
