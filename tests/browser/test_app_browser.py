"""The app in Debian's chromium, offline: map, layers, clicks, and untrusted uploads.

Screenshots go to test-artifacts/. The upload test runs last: it adds events.
"""

from __future__ import annotations

from collections import Counter

import pytest

from geo.events import EVENT_TYPES
from geo.store import EventStore, store_path

from browser_helpers import DRAWN, MAP_IFRAME, click_marker, open_map

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

TITLE = "Borderline"


def _pinned_counts(data) -> Counter:
    events = EventStore(store_path(data), create=False).read_events()
    events = events[(events["precision"] != "country") & events.geometry.notna()]
    return Counter(events["event_type"])


def _panel_text(page) -> str:
    return "\n".join(e.inner_text() for e in page.query_selector_all("[data-testid=stMarkdownContainer]"))


def test_app_loads_offline(session, app):
    frame = open_map(session, app.url)
    page = session.page
    assert page.title() == TITLE
    assert page.get_by_text("Borderline", exact=True).first.is_visible()
    n = frame.evaluate(DRAWN)
    assert n == sum(_pinned_counts(app.data).values())
    # everything the page needed came from the app; only map tiles were asked elsewhere
    hosts = {u.split("/")[2] for u in session.blocked}
    assert hosts <= {"tile.openstreetmap.org"}, hosts
    assert frame.evaluate("typeof L !== 'undefined' && typeof jQuery !== 'undefined'")
    session.shot("01-app-loaded")
    assert not session.dialogs


def test_layer_control_lists_event_types(session, app):
    frame = open_map(session, app.url)
    frame.hover(".leaflet-control-layers")          # collapsed in the app: opens on hover
    text = frame.inner_text(".leaflet-control-layers-overlays")
    counts = _pinned_counts(app.data)
    assert counts, "the example articles gave no mappable events"
    for etype, n in counts.items():
        assert f"{EVENT_TYPES[etype]} ({n:,})" in text, text
    # the geography is there with no tile server, as overlays that can be ticked
    assert "Russia–Ukraine border" in text and "Country outlines" in text and "Border band 0-25 km" in text
    session.shot("02-layer-control")


def test_unticking_a_layer_hides_its_markers(session, app):
    frame = open_map(session, app.url)
    counts = _pinned_counts(app.data)
    etype, n = counts.most_common(1)[0]
    before = frame.evaluate(DRAWN)
    frame.hover(".leaflet-control-layers")
    label = frame.locator(".leaflet-control-layers-overlays label", has_text=EVENT_TYPES[etype])
    label.locator("input").uncheck()
    frame.wait_for_function(f"{DRAWN} === {before - n}")
    session.shot("03-layer-unticked")
    label.locator("input").check()
    frame.wait_for_function(f"{DRAWN} === {before}")


def test_click_on_novoshakhtinsk_shows_excerpt_and_distance(session, app):
    frame = open_map(session, app.url)
    event_id = click_marker(session, frame, "bl_place", "Novoshakhtinsk")
    popup = frame.wait_for_selector(".leaflet-popup-content")
    popup_text = popup.inner_text()
    assert "refinery" in popup_text and "Novoshakhtinsk" in popup_text
    assert "km from the border" in popup_text
    assert frame.query_selector(".leaflet-popup-content mark").inner_text() == "Novoshakhtinsk"
    page = session.page
    page.wait_for_function("(id) => [...document.querySelectorAll('[data-testid=stMarkdownContainer]')]"
                           ".some(e => e.innerText.includes(id))", arg=event_id)
    panel = _panel_text(page)
    assert "refinery" in panel and "km from the border" in panel
    assert page.locator("mark", has_text="Novoshakhtinsk").first.is_visible()
    # the click reran the page without remounting the map: the popup is still open
    assert frame.query_selector(".leaflet-popup-content") is not None
    session.shot("04-novoshakhtinsk-clicked")
    assert not session.dialogs


PAYLOAD_ARTICLE = (
    "date 2024-12-11\n"
    "Russian glide bombs struck Kupiansk on Tuesday <img src=x onerror=alert(1)>, killing two "
    "civilians and wounding five, regional officials said </script><script>alert(2)</script>.\n\n"
    "Ukrainian drones hit an oil depot in Shebekino overnight ${alert(3)} `${alert(4)}` "
    "C:\\users\\ , starting a fire, the governor said {{ 12345*11 }}.\n"
)


def test_uploaded_payload_article_adds_events_and_runs_nothing(session, app):
    page = session.page
    frame = open_map(session, app.url)
    before = frame.evaluate(DRAWN)
    page.get_by_role("tab", name="Upload files").click()
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
        files=[{"name": "<img src=x onerror=alert(5)>.txt", "mimeType": "text/plain",
                "buffer": PAYLOAD_ARTICLE.encode("utf-8")}])
    page.locator("[data-testid=stFileChip]").first.wait_for()   # the file is uploaded and listed
    page.get_by_role("button", name="Process files").click()
    done = page.locator("[data-testid=stAlertContentSuccess]").first
    done.wait_for()
    assert "stored" in done.inner_text() and "0 new events" not in done.inner_text(), done.inner_text()
    # the page now shows the new events
    frame = page.wait_for_selector(MAP_IFRAME).content_frame()
    frame.wait_for_function(f"{DRAWN} > {before}")
    # through every path: popup, tooltip, side panel, table
    click_marker(session, frame, "bl_excerpt", "onerror")
    popup = frame.wait_for_selector(".leaflet-popup-content")
    assert "<img src=x onerror=alert(1)>" in popup.inner_text()   # shown as text
    page.wait_for_function("[...document.querySelectorAll('[data-testid=stMarkdownContainer]')]"
                           ".some(e => e.innerText.includes('onerror=alert(1)'))")
    page.mouse.move(10, 10)
    page.wait_for_timeout(1500)
    for where in (page, frame):
        assert where.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
        assert where.evaluate("document.querySelectorAll('[onerror]').length") == 0
    assert "135795" not in _panel_text(page)
    assert page.title() == TITLE
    session.shot("05-payload-uploaded")
    assert session.dialogs == []
