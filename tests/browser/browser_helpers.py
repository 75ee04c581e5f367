"""Helpers shared by the browser tests (imported by name: tests/browser is on sys.path)."""

from __future__ import annotations

import time

from _app_server import DRAWN, FIND_MARKER, LOADED, MAP_IFRAME

__all__ = ["DRAWN", "LOADED", "MAP_IFRAME", "click_marker", "map_frame", "open_map", "poll_map"]


def open_map(session, url: str, *, events: int | None = None):
    """Load the page; return the map's frame once every event layer holds its data (and, with
    ``events``, once that many markers are drawn). Counting markers right after the first one
    is drawn races the other layers' fetches on a loaded machine."""
    page = session.page
    page.goto(url)
    frame = map_frame(page)
    frame.wait_for_selector(".leaflet-overlay-pane canvas", state="attached")
    frame.wait_for_function(LOADED)
    frame.wait_for_function(DRAWN + " > 0" if events is None else f"{DRAWN} === {int(events)}")
    return frame


def click_marker(session, frame, key: str, text: str) -> str:
    """Click the marker found by FIND_MARKER like a user; return its event id."""
    iframe = session.page.query_selector(MAP_IFRAME)
    iframe.scroll_into_view_if_needed()
    found = frame.evaluate(FIND_MARKER, [key, text])
    assert found is not None, f"no marker with {key} containing {text!r}"
    box = iframe.bounding_box()
    session.page.mouse.click(box["x"] + found["x"], box["y"] + found["y"])
    return found["id"]


def map_frame(page):
    """The map's frame now (a rebuilt map is a new iframe document)."""
    return page.wait_for_selector(MAP_IFRAME).content_frame()


def poll_map(page, fn, *, seconds: float = 90.0):
    """fn(frame) until it gives a true value, across map reloads (a new filter builds a new
    map); None when it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = fn(map_frame(page))
        except Exception:   # noqa: BLE001 - the frame was replaced mid-call: ask the new one
            value = None
        if value:
            return value
        page.wait_for_timeout(250)
    return None
