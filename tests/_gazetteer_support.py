"""GeoNames dump writing for the gazetteer tests and the small gazetteer fixture."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path

__all__ = ["SMALL_DUMP", "dump_line", "write_geonames_dump"]

#: (geonameid, name, alternate names, lat, lon, feature class, feature code, country,
#:  GeoNames admin1 code, population): values as in GeoNames / cities500.
SMALL_DUMP: list[tuple] = [
    (515012, "Orël", "Orel,Oryol,Orjol,Орёл,Орел", 52.96879, 36.0791, "P", "PPLA", "RU", "56", 303696),
    (538560, "Kursk", "Kursk,Курск", 51.72689, 36.18457, "P", "PPLA", "RU", "41", 448733),
    (578072, "Belgorod", "Белгород", 50.60343, 36.58091, "P", "PPLA", "RU", "09", 345289),
    (486816, "Sudzha", "Суджа", 51.191, 35.271, "P", "PPL", "RU", "41", 6940),
    (565348, "Donetsk", "Донецк", 48.33711, 39.95229, "P", "PPL", "RU", "61", 50850),
    (501175, "Rostov-on-Don", "Rostov-na-Donu,Ростов-на-Дону", 47.21997, 39.70769, "P", "PPLA", "RU", "61", 1130305),
    (703448, "Kyiv", "Kiev,Київ,Киев", 50.45466, 30.5238, "P", "PPLC", "UA", "12", 2952301),
    (706483, "Kharkiv", "Kharkov,Харків,Харьков", 49.98177, 36.25475, "P", "PPLA", "UA", "07", 1421125),
    (709717, "Donetsk", "Донецьк,Донецк", 48.023, 37.80224, "P", "PPLA", "UA", "05", 901645),
    (695357, "Kurakhove", "Kurakhovo,Курахове,Курахово", 47.9847, 37.28069, "P", "PPL", "UA", "05", 18220),
    (704422, "Pokrovsk", "Krasnoarmeysk,Покровськ", 48.28014, 37.17706, "P", "PPL", "UA", "05", 60127),
    (691196, "Trudove", "Трудове,Trudovoye", 45.61865, 29.39804, "P", "PPL", "UA", "17", 1505),
    (703883, "Avtonomna Respublika Krym", "Crimea,Крым", 45.0, 34.0, "A", "ADM1", "UA", "11", 0),
    (709930, "Vovcha", "Вовча", 48.5, 35.9, "H", "STM", "UA", "05", 0),
]


def dump_line(row: tuple) -> str:
    """One dump line in the 19-column GeoNames format."""
    gid, name, alts, lat, lon, fclass, fcode, cc, admin1, pop = row
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or name
    cols = [str(gid), name, ascii_name, alts, f"{lat}", f"{lon}", fclass, fcode, cc, "",
            admin1, "", "", "", str(pop), "", "100", "Europe/Kyiv", "2024-01-01"]
    assert len(cols) == 19
    return "\t".join(cols)


def write_geonames_dump(path: Path, rows: Iterable[tuple] = SMALL_DUMP) -> Path:
    """Write ``rows`` (see :data:`SMALL_DUMP`) as a GeoNames dump; ``.zip`` paths get a zip."""
    text = "".join(dump_line(r) + "\n" for r in rows)
    if path.suffix == ".zip":
        import zipfile

        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"{path.stem}.txt", text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
