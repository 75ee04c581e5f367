"""What the AppTest-based tests read from a run app (tests/ is on sys.path), and the event
files they point the app at (``BORDERLINE_EVENTS``)."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["elements", "map_args", "vega_charts", "write_events"]


def elements(at) -> list:
    """Every element of an ``AppTest`` run's page, depth first."""
    def walk(node):
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            children = children.values()
        for child in children or ():
            yield child
            yield from walk(child)
    return list(walk(at._tree))


def map_args(at) -> dict:
    """The arguments streamlit-folium received: the page's one map (its ``script`` etc.)."""
    comps = [e for e in elements(at) if type(e).__name__ == "UnknownElement"
             and type(e.proto).__name__ == "ComponentInstance" and "st_folium" in e.proto.component_name]
    assert len(comps) == 1, "exactly one map on the page"
    return json.loads(comps[0].proto.json_args)


def vega_charts(at) -> list[tuple[dict, list]]:
    """Every Vega-Lite chart on the page: its spec and its datasets as pandas frames."""
    from streamlit import dataframe_util

    out = []
    for e in elements(at):
        if type(e).__name__ == "UnknownElement" and type(e.proto).__name__ == "VegaLiteChart":
            frames = [dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in e.proto.datasets]
            out.append((json.loads(e.proto.spec), frames))
    return out


def write_events(events, path: Path) -> Path:
    """Write an events frame where the app can read it (GeoParquet; ``.gpkg`` also works)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    events.to_parquet(path, index=False)
    return path
