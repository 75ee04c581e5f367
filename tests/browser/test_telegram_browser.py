"""A Telegram channel export uploaded in the app, in Debian's chromium, offline: its events
appear on the map, each linked to its message on t.me, with its excerpt.

The export is tests/data/telegram/result.json, made up for the tests (see tests/test_telegram.py).
This module has its own app (the ``app`` fixture is per module) over the two example articles.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.store import EventStore, store_path

from browser_helpers import DRAWN, click_marker, map_frame, open_map

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

EXPORT = Path(__file__).resolve().parents[1] / "data" / "telegram" / "result.json"
TME = "https://t.me/frontline_digest_test/"


def _upload_export(session, app) -> None:
    """Upload the export through the page as a person would; wait for the report."""
    page = session.page
    page.get_by_role("tab", name="Upload files").click()
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
        files=[{"name": "result.json", "mimeType": "application/json", "buffer": EXPORT.read_bytes()}])
    page.locator("[data-testid=stFileChip]").first.wait_for()
    page.get_by_role("button", name="Process files").click()
    page.locator("[data-testid=stAlertContentInfo]", has_text="Telegram messages skipped").first.wait_for()


def _telegram_events(data):
    events = EventStore(store_path(data), create=False).read_events()
    return events[events["url"].fillna("").str.startswith(TME)]


def test_uploaded_export_puts_its_events_on_the_map_linked_to_telegram(session, app):
    page = session.page
    frame = open_map(session, app.url)
    before = frame.evaluate(DRAWN)
    _upload_export(session, app)
    done = page.locator("[data-testid=stAlertContentSuccess]").first
    assert done.inner_text().startswith("result.json: 7 articles stored"), done.inner_text()
    note = page.locator("[data-testid=stAlertContentInfo]").first.inner_text()
    assert "5 Telegram messages skipped (2 service, 3 without text)" in note
    mine = _telegram_events(app.data)
    pinned = mine[(mine["precision"] != "country") & mine.geometry.notna()]
    assert len(pinned) >= 4, mine[["place_name", "url"]]
    frame = map_frame(page)
    frame.wait_for_function(f"{DRAWN} >= {before + len(pinned)}")
    # the Kupiansk report (message 3): its popup links its source to the message on t.me
    click_marker(session, frame, "bl_source", TME + '3"')
    popup = frame.wait_for_selector(".leaflet-popup-content")
    assert "Russian artillery shelled Kupiansk" in popup.inner_text()
    assert frame.query_selector(".leaflet-popup-content mark").inner_text() == "Kupiansk"
    link = frame.query_selector(f".leaflet-popup-content a[href='{TME}3']")
    assert link is not None and link.inner_text() == "Frontline Digest (test fixture)"
    assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")
    # the side panel: the excerpt, the channel as source, a button to the message
    page.wait_for_function("[...document.querySelectorAll('[data-testid=stMarkdownContainer]')]"
                           ".some(e => e.innerText.includes('Russian artillery shelled Kupiansk'))")
    assert page.locator("[data-testid=stLinkButton] a", has_text="Open the source article").get_attribute(
        "href") == TME + "3"
    session.shot("10-telegram-export-uploaded")
    assert not session.dialogs


def test_uploaded_export_shows_its_ukrainian_and_russian_reports_with_cyrillic_excerpts(session, app):
    page = session.page
    open_map(session, app.url)
    _upload_export(session, app)          # stored already when the test above ran: skipped, same store
    frame = map_frame(page)
    frame.wait_for_function(DRAWN + " > 0")
    for mid, word in ((6, "Херсон"), (7, "Белгород")):
        click_marker(session, frame, "bl_source", f'{TME}{mid}"')
        # the previous message's popup may still be open: wait for this one's
        frame.wait_for_function("(w) => [...document.querySelectorAll('.leaflet-popup-content')]"
                                ".some(e => e.innerText.includes(w))", arg=word)
        page.wait_for_function("(w) => [...document.querySelectorAll('[data-testid=stMarkdownContainer]')]"
                               ".some(e => e.innerText.includes(w))", arg=word)
