"""A tiny hand-built gazetteer for the geoparser's unit tests (the real one is passed in
the same way; see ``geo.resolution.GazetteerLike``)."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

from gazetteer.model import Place
from gazetteer.names import name_key

__all__ = ["TinyGazetteer", "place", "lexicon_cache_dir", "resolved_places", "SHARED"]

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def resolved_places(gp, text: str, lang: str) -> dict[str, tuple[str, str | None, str]]:
    """``{surface: (place name, admin1, role)}`` of the resolved mentions of ``text`` that are
    not demonyms, as ``gp`` (a ``geo.resolution.Geoparser``) reads it in ``lang``."""
    return {m.text: (m.place.name, m.place.admin1, m.role) for m in gp.parse_text(text, lang=lang)
            if m.place is not None and m.role != "demonym"}


def lexicon_cache_dir() -> str:
    """Where the app keeps its lexicon pickle, so the suite builds it at most once."""
    env = os.environ.get("BORDERLINE_CACHE")
    if env:
        return env
    from platformdirs import user_cache_dir

    return user_cache_dir("borderline")


def place(pid: str, name: str, kind: str, country: str, lat: float, lon: float, *,
          admin1: str | None = None, population: int | None = None, alt: tuple[str, ...] = (),
          hromada: str | None = None, admin2: str | None = None) -> Place:
    return Place(id=pid, name=name, kind=kind, country=country, admin1=admin1, admin1_name=None,
                 lat=lat, lon=lon, population=population, precision="point", source="test",
                 alt_names=alt, hromada=hromada, admin2=admin2)


KURAKHOVE = (47.9847, 37.28069)

PLACES = [
    place("country:UA", "Ukraine", "country", "UA", 50.45, 30.52, population=40_000_000),
    place("country:RU", "Russia", "country", "RU", 55.75, 37.62, population=140_000_000),
    place("country:US", "United States", "country", "US", 38.9, -77.04, population=327_000_000),
    place("country:KP", "North Korea", "country", "KP", 39.03, 125.75, population=25_000_000),
    place("country:KR", "South Korea", "country", "KR", 37.57, 126.98, population=51_000_000),
    place("country:GB", "United Kingdom", "country", "GB", 51.5, -0.12, population=66_000_000),
    place("adm1:UA-14", "Donetsk Oblast", "admin1", "UA", 47.92, 37.78, admin1="UA-14",
          alt=("Donetsk region", "Donetsk Oblast")),
    place("adm1:UA-43", "Crimea", "admin1", "UA", 45.69, 33.93, admin1="UA-43",
          alt=("Crimea region",)),
    place("adm1:RU-KRS", "Kursk Oblast", "admin1", "RU", 51.66, 36.49, admin1="RU-KRS",
          alt=("Kursk region", "Kursk Oblast")),
    place("adm1:US-WA", "Washington", "admin1", "US", 47.5, -120.5, admin1="US-WA"),
    place("gn:695357", "Kurakhove", "settlement", "UA", *KURAKHOVE, admin1="UA-14",
          population=18_220, hromada="Kurakhivska hromada"),
    place("katottg:trudove-kurakhove", "Trudove", "settlement", "UA", *KURAKHOVE, admin1="UA-14",
          hromada="Kurakhivska hromada"),
    place("gn:trudove-crimea", "Trudove", "settlement", "UA", 45.3, 34.0, admin1="UA-43",
          population=2_173, hromada="Trudivska hromada"),
    place("gn:trudove-odesa", "Trudove", "settlement", "UA", 45.6, 29.4, admin1="UA-51",
          population=1_505, hromada="Kiliiska hromada"),
    place("gn:538560", "Kursk", "settlement", "RU", 51.73, 36.18, admin1="RU-KRS", population=448_733),
    place("gn:524901", "Moscow", "settlement", "RU", 55.75, 37.62, admin1="RU-MOW", population=10_381_222),
    place("gn:703448", "Kyiv", "settlement", "UA", 50.45, 30.52, admin1="UA-30", population=2_952_301),
    place("gn:1835848", "Seoul", "settlement", "KR", 37.57, 126.98, admin1="KR-11", population=10_349_312),
    place("gn:1871859", "Pyongyang", "settlement", "KP", 39.03, 125.75, admin1="KP-01", population=3_222_000),
    place("gn:4140963", "Washington", "settlement", "US", 38.9, -77.04, admin1="US-DC", population=689_545),
    place("gn:473247", "Vladimir", "settlement", "RU", 56.14, 40.4, admin1="RU-VLA", population=310_024),
    place("gn:lee", "Lee", "settlement", "GB", 51.46, 0.01, admin1="GB-ENG", population=14_000),
    place("gn:reading", "Reading", "settlement", "GB", 51.45, -0.97, admin1="GB-ENG", population=244_070),
    place("gn:telegram", "Telegram", "settlement", "ZA", -29.0, 24.0, population=600),
    place("gn:nato", "Nato", "settlement", "PH", 13.6, 123.5, population=3_000),
    place("gn:sky", "Sky", "settlement", "NO", 60.0, 10.0, population=700),
]


class TinyGazetteer:
    """Satisfies ``geo.resolution.GazetteerLike``: candidates by name key, countries, units."""

    def __init__(self, places: list[Place] = PLACES) -> None:
        self.places = {p.id: p for p in places}
        self.by_key: dict[str, list[Place]] = defaultdict(list)
        for p in places:
            for name in (p.name, *p.alt_names):
                key = name_key(name)
                if p not in self.by_key[key]:
                    self.by_key[key].append(p)

    def candidates(self, key: str) -> list[Place]:
        return list(self.by_key.get(key, ()))

    def lookup(self, name: str, *, country: str | None = None, kind: str | None = None,
               limit: int = 25) -> list[Place]:
        got = [p for p in self.candidates(name_key(name))
               if (country is None or p.country == country) and (kind is None or p.kind == kind)]
        return got[:limit]

    def country(self, cc: str) -> Place:
        return self.places[f"country:{cc}"]

    def admin1(self, code: str) -> Place:
        return self.places[f"adm1:{code}"]

    def key_stats(self):
        for key, places in self.by_key.items():
            yield key, len(places), max(p.population or 0 for p in places)
