"""Synthetic events for tests and benchmarks: the store's table shape, made-up content.

Deterministic for a given ``seed``. Points fall in a box around the Russia-Ukraine
border; precisions, dates, sides and distances are plausible but invented: use this
only to exercise rendering and filtering, never as data.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.events import EVENT_COLUMNS, EVENT_TYPES

__all__ = ["synthetic_events", "PAYLOADS"]

#: Strings that execute or break a page when folium renders them raw (stack-notes).
PAYLOADS: tuple[str, ...] = (
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "${alert(1)}",
    "`${alert(1)}`",
    "C:\\users\\",
)

_PLACES = ("Novoshakhtinsk", "Kupiansk", "Belgorod", "Sumy", "Pokrovsk", "Kurakhove",
           "Shebekino", "Vovchansk", "Sudzha", "Kherson", "Zaporizhzhia", "Bryansk")
_PRECISIONS = np.array(["settlement", "hromada", "region", "country"])
_PRECISION_P = (0.70, 0.10, 0.15, 0.05)


def synthetic_events(n: int, *, seed: int = 0, payload: str | None = None) -> gpd.GeoDataFrame:
    """``n`` invented events with every column of ``EVENT_COLUMNS`` plus Point geometry.

    With ``payload``, that string is put into every free-text field (place name,
    excerpt, article, actors, tags, triggers), to test escaping.
    """
    rng = np.random.default_rng(seed)
    types = np.array(list(EVENT_TYPES))
    etype = types[rng.integers(0, len(types), n)]
    lat = rng.uniform(44.5, 53.5, n).round(5)
    lon = rng.uniform(30.0, 41.0, n).round(5)
    precision = rng.choice(_PRECISIONS, n, p=_PRECISION_P)
    side = np.where(rng.random(n) < 0.5, "RU", "UA")
    border_km = rng.gamma(2.0, 40.0, n).round(1)
    day0 = np.datetime64("2024-01-01")
    dates = (day0 + rng.integers(0, 366, n).astype("timedelta64[D]")).astype(str)
    place_idx = rng.integers(0, len(_PLACES), n)
    n_articles = max(1, n // 20)
    art_idx = rng.integers(0, n_articles, n)
    confidence = rng.uniform(0.2, 1.0, n).round(2)

    rows = []
    for i in range(n):
        place = payload if payload is not None else _PLACES[place_idx[i]]
        before = f"Officials said on {dates[i]} that a strike hit "
        after = (" overnight, damaging buildings and injuring residents."
                 if payload is None else f" and {payload} again.")
        excerpt = before + place + after
        article = payload if payload is not None else f"synthetic-{art_idx[i]:05d}.txt"
        rows.append({
            "event_id": f"ev{seed:02d}{i:07d}",
            "event_type": etype[i],
            "type_label": EVENT_TYPES[etype[i]],
            "tags": "synthetic" if payload is None else payload,
            "place_name": place,
            "place_id": f"syn:{place_idx[i]}",
            "place_kind": "settlement" if precision[i] in ("settlement", "hromada") else precision[i],
            "precision": precision[i],
            "country": side[i],
            "admin1": None,
            "border_km": float(border_km[i]),
            "side": side[i],
            "date": dates[i],
            "date_precision": "day",
            "actors": json.dumps({"attacker": "UA" if side[i] == "RU" else "RU",
                                  "note": payload or ""}),
            "numbers": json.dumps({"drones": int(rng.integers(0, 100))}),
            "excerpt": excerpt,
            "place_start": len(before),
            "place_end": len(before) + len(place),
            "article": article,
            "article_id": f"a{art_idx[i]:015x}",
            "lang": "en",
            "sources": article,
            "confidence": float(confidence[i]),
            "triggers": "strike" if payload is None else payload,
            "lat": float(lat[i]),
            "lon": float(lon[i]),
        })
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
