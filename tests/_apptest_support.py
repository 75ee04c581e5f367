"""What the AppTest-based tests read from a run app (tests/ is on sys.path)."""

from __future__ import annotations

import json

__all__ = ["elements", "map_args"]


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
