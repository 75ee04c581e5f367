"""The app in Debian's chromium, offline: map, layers, clicks, the distance bands, table
selection, and untrusted uploads.

Screenshots go to test-artifacts/ (git-ignored). The upload test runs last: it adds events.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from geo.events import EVENT_TYPES
from geo.store import EventStore, store_path

from browser_helpers import DRAWN, click_marker, map_frame, open_map, poll_map

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

TITLE = "Borderline"


def _pinned_counts(data) -> Counter:
    events = EventStore(store_path(data), create=False).read_events()
    events = events[(events["precision"] != "country") & events.geometry.notna()]
    return Counter(events["event_type"])


def _panel_text(page) -> str:
    return "\n".join(e.inner_text() for e in page.query_selector_all("[data-testid=stMarkdownContainer]"))


def test_app_loads_offline(session, app):
    frame = open_map(session, app.url, events=sum(_pinned_counts(app.data).values()))
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
    counts = _pinned_counts(app.data)
    frame = open_map(session, app.url, events=sum(counts.values()))
    etype, n = counts.most_common(1)[0]
    before = frame.evaluate(DRAWN)
    frame.hover(".leaflet-control-layers")
    # "<label> (<n>)": the type's own layer, not its heat layer
    label = frame.locator(".leaflet-control-layers-overlays label", has_text=f"{EVENT_TYPES[etype]} ({n:,})")
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


def _stored(data):
    return EventStore(store_path(data), create=False).read_events()


DRAWN_KM = ("Object.values(window.map._layers).filter(l => l.feature && l.feature.properties"
            " && l.feature.properties.bl_id).map(l => [l.feature.id, parseFloat(l.feature.properties.bl_border)])")


def test_the_0_25_km_band_leaves_only_events_within_25_km(session, app):
    page = session.page
    events = _stored(app.data)
    pinned = events[(events["precision"] != "country") & events.geometry.notna()]
    frame = open_map(session, app.url, events=len(pinned))
    near = pinned[pinned["border_km"] <= 25.0]
    assert 0 < len(near) < len(pinned), "the example data must have events on both sides of 25 km"
    assert frame.evaluate(DRAWN) == len(pinned)
    page.locator("[data-testid=stSidebar] button", has_text="0–25 km").click()
    drawn = poll_map(page, lambda f: (lambda v: v if len(v) == len(near) else None)(f.evaluate(DRAWN_KM)))
    assert drawn is not None, "the map did not redraw with the band"
    assert {i for i, _ in drawn} == set(near["event_id"])
    assert all(km <= 25.0 for _, km in drawn), drawn
    page.wait_for_function("document.body.innerText.includes('events match the filters')")
    assert f"{len(near) + int(events['border_km'].isna().sum())} events match" in page.inner_text("body")
    session.shot("06-band-0-25-km")
    assert not session.dialogs


def test_a_table_row_click_selects_its_event_and_centres_the_map(session, app):
    page = session.page
    open_map(session, app.url)
    events = _stored(app.data)
    rows = [i for i in range(min(8, len(events))) if events["precision"].iloc[i] in ("settlement", "hromada")]
    assert rows, "no settlement event among the table's first rows"
    row = rows[0]
    want = events.iloc[row]
    grid = page.locator("[data-testid=stDataFrame]").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # glide-data-grid: a 35 px header, 35 px rows; the row marker (its checkbox) is at the left edge
    page.mouse.click(box["x"] + 14, box["y"] + 35 + row * 35 + 17)
    page.wait_for_function("(id) => [...document.querySelectorAll('[data-testid=stMarkdownContainer]')]"
                           ".some(e => e.innerText.includes('Event id: ' + id))", arg=want["event_id"])
    assert want["event_id"] in _panel_text(page)
    centre = poll_map(page, lambda f: f.evaluate(
        "([lat, lon]) => { if (!window.map) return null; const c = window.map.getCenter();"
        " return Math.abs(c.lat - lat) < 0.01 && Math.abs(c.lng - lon) < 0.01 ? [c.lat, c.lng] : null; }",
        [float(want["lat"]), float(want["lon"])]))
    assert centre, "the map is not centred on the selected event"
    session.shot("07-table-row-selected")
    # a marker clicked after the row: the panel follows the click, and the map is not
    # reloaded under it (its popup stays open)
    frame = map_frame(page)
    frame.wait_for_function(DRAWN + " > 0")
    clicked = click_marker(session, frame, "bl_place", "Novoshakhtinsk")
    assert clicked != want["event_id"]
    page.wait_for_function("(id) => [...document.querySelectorAll('[data-testid=stMarkdownContainer]')]"
                           ".some(e => e.innerText.includes('Event id: ' + id))", arg=clicked)
    page.wait_for_timeout(1500)
    assert map_frame(page).query_selector(".leaflet-popup-content") is not None
    assert "Novoshakhtinsk" in map_frame(page).inner_text(".leaflet-popup-content")
    session.shot("08-marker-after-table-row")
    assert not session.dialogs


def test_every_event_at_a_clicked_point_can_be_shown_in_the_panel(session, app):
    page = session.page
    frame = open_map(session, app.url)
    events = _stored(app.data)
    pinned = events[(events["precision"] != "country") & events.geometry.notna()].copy()
    pinned["point"] = list(zip(pinned["lat"].round(5), pinned["lon"].round(5)))
    sizes = pinned.groupby("point").size()
    assert sizes.max() >= 2, "the example data must have events that share a point (the Kursk region centre)"
    here = pinned[pinned["point"] == sizes.idxmax()]
    click_marker(session, frame, "bl_id", here["event_id"].iloc[0])
    picker = page.locator("[data-testid=stRadio]", has_text="events at this point")
    picker.wait_for()
    options = picker.locator("label:has(input[type=radio])")   # the options, not the widget label
    assert options.count() >= len(here)
    def panel_id() -> str | None:
        found = re.search(r"Event id: (\S+)", _panel_text(page))
        return found.group(1) if found else None

    shown = {panel_id()}
    for k in range(1, options.count()):     # option 0 is the clicked event, shown already
        before = panel_id()
        options.nth(k).click()
        page.wait_for_function(
            "(before) => { const m = [...document.querySelectorAll('[data-testid=stMarkdownContainer]')]"
            ".map(e => e.innerText).join('\\n').match(/Event id: (\\S+)/); return m && m[1] !== before; }",
            arg=before)
        shown.add(panel_id())
    assert set(here["event_id"]) <= shown, (set(here["event_id"]), shown)
    session.shot("09-stacked-events-in-panel")
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
    frame = map_frame(page)
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
