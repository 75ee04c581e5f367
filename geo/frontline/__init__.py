"""The front line, from the analyst's own data: DeepStateMap history snapshots, daily merged
files of occupied territory, or ISW's assessed-control layer (Borderline ships none of them;
their owners keep the rights).

One module per concern:

- :mod:`~geo.frontline.formats`: reading the files (what each format looks like, the day);
- :mod:`~geo.frontline.geometry`: geometry care, and the front line (the occupied area's
  boundary less the state border and the coast);
- :mod:`~geo.frontline.store`: ``frontline.gpkg`` beside the events;
- :mod:`~geo.frontline.imports`: ``borderline frontline import``;
- :mod:`~geo.frontline.measure`: per event, control of its point and geodesic km to the
  front line at its date; the day's shapes for the map; km to a day's line for namesakes.

Importing this package loads nothing heavy; the names below are re-exported lazily.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "FRONT_COLUMNS",
    "NOTE_COLUMN",
    "CONTROL_VALUES",
    "MAX_SNAPSHOT_AGE_DAYS",
    "FRONTLINE_NAME",
    "FrontlineStore",
    "FrontSeries",
    "FrontShapes",
    "Snapshot",
    "frontline_path",
    "load_series",
    "front_measures",
    "with_front",
    "front_km_on",
    "import_paths",
    "ImportSummary",
]

_WHERE = {
    "FRONT_COLUMNS": "measure", "NOTE_COLUMN": "measure", "CONTROL_VALUES": "measure",
    "MAX_SNAPSHOT_AGE_DAYS": "measure", "FrontSeries": "measure", "FrontShapes": "measure",
    "load_series": "measure", "front_measures": "measure", "with_front": "measure", "front_km_on": "measure",
    "FRONTLINE_NAME": "store", "FrontlineStore": "store", "Snapshot": "store", "frontline_path": "store",
    "import_paths": "imports", "ImportSummary": "imports",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'geo.frontline' has no attribute {name!r}")
    return getattr(importlib.import_module(f"geo.frontline.{module}"), name)
