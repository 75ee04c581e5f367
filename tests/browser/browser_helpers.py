"""Helpers shared by the browser tests (imported by name: tests/browser is on sys.path)."""

from __future__ import annotations

MAP_IFRAME = "iframe[title='streamlit_folium.st_folium']"


def open_map(session, url: str):
    """Load the page; return the map's frame once its event layers hold their data."""
    page = session.page
    page.goto(url)
    frame = page.wait_for_selector(MAP_IFRAME).content_frame()
    frame.wait_for_selector(".leaflet-overlay-pane canvas", state="attached")
    frame.wait_for_function(DRAWN + " > 0")
    return frame


#: How many event markers are on the map right now (canvas: count Leaflet layers, not DOM).
DRAWN = ("Object.values(window.map._layers).filter(l => l.feature && l.feature.properties"
         " && l.feature.properties.bl_id).length")

#: Zoom onto the first marker whose property ``key`` contains ``text``, clear of the controls;
#: returns its pixel position in the map's frame and its event id.
FIND_MARKER = """([key, text]) => {
    const layer = Object.values(window.map._layers).find(
        l => l.feature && l.feature.properties && String(l.feature.properties[key]).includes(text));
    if (!layer) { return null; }
    window.map.setView(layer.getLatLng(), 11, {animate: false});
    const size = window.map.getSize();
    window.map.panBy([size.x * 0.25, -size.y * 0.15], {animate: false});
    const pt = window.map.latLngToContainerPoint(layer.getLatLng());
    return {x: pt.x, y: pt.y, id: layer.feature.id};
}"""


def click_marker(session, frame, key: str, text: str) -> str:
    """Click the marker found by FIND_MARKER like a user; return its event id."""
    iframe = session.page.query_selector(MAP_IFRAME)
    iframe.scroll_into_view_if_needed()
    found = frame.evaluate(FIND_MARKER, [key, text])
    assert found is not None, f"no marker with {key} containing {text!r}"
    box = iframe.bounding_box()
    session.page.mouse.click(box["x"] + found["x"], box["y"] + found["y"])
    return found["id"]
