"""The payloads in a real browser, through the paths tests/browser does not walk.

tests/browser uploads a payload article through the app (popup, side panel, page title).
Uploaded names are sanitised, so here the store is filled by ``borderline ingest`` from a
file whose NAME carries the payloads (Linux allows any byte but '/' and NUL) and from an
HTML page whose title and text carry them. In chromium (offline: every request outside the
app is aborted) the test clicks the payload event, opens the whole-article expander, opens
the source-article filter, hovers and scrolls the table, opens the charts, and then checks:
no dialog, the page title unchanged, no element created from the text, the text shown.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from _app_server import DRAWN, FIND_MARKER, LOADED, MAP_IFRAME, running_app
from _robustness import REPO, STATS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

ARTIFACTS = REPO / "test-artifacts"
TITLE = "Borderline"

NAME = "<img src=x onerror=alert(1)> ${alert(2)} `${alert(3)}` C:\\users\\x {{ 7*7 }}.txt"
TEXT = ("date 2024-12-11\n\nUkrainian drones struck an oil depot in Belgorod overnight "
        "<img src=x onerror=alert(4)> </script><script>alert(5)</script> ${alert(6)} `${alert(7)}` "
        "C:\\users\\x {{ 7*7 }}, the regional governor said.\n")
PAGE = ("<html><head><title>&lt;img src=x onerror=alert(8)&gt; ${alert(9)}</title></head><body><p>Russian "
        "shelling hit Shebekino on Tuesday &lt;img src=x onerror=alert(10)&gt; &lt;/script&gt;&lt;script&gt;"
        "alert(11)&lt;/script&gt;, the mayor said.</p></body></html>")

CREATED = """() => ({
    img: document.querySelectorAll('img[src="x"]').length,
    handlers: document.querySelectorAll('[onerror],[onload],[onclick]').length,
    scripts: [...document.scripts].filter(s => (s.textContent || '').includes('alert(')).length,
})"""


@pytest.fixture(scope="module")
def payload_data(pipeline, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("rb-browser-in")
    (d / NAME).write_text(TEXT, encoding="utf-8")
    (d / "page.html").write_text(PAGE, encoding="utf-8")
    data = tmp_path_factory.mktemp("rb-browser-data")
    done = subprocess.run([sys.executable, "-m", "geo", "ingest", "--workers", "1", str(d), "--data", str(data)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return data


@pytest.fixture(scope="module")
def app_url(payload_data, tmp_path_factory):
    log = tmp_path_factory.mktemp("rb-streamlit") / "streamlit.log"
    with running_app(payload_data, log) as (url, _proc):
        yield url
    assert "Traceback" not in log.read_text(errors="replace"), log.read_text(errors="replace")[-3000:]


@pytest.fixture
def page(app_url, chromium):
    dialogs: list[str] = []
    ctx = chromium.new_context(viewport={"width": 1500, "height": 1100})
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(app_url) else r.abort())
    pg = ctx.new_page()
    pg.set_default_timeout(120_000)
    pg.on("dialog", lambda d: (dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
    pg.dialogs = dialogs
    yield pg
    ctx.close()


def test_payloads_in_names_titles_and_text_stay_text(page, app_url):
    page.goto(app_url)
    frame = page.wait_for_selector(MAP_IFRAME).content_frame()
    frame.wait_for_function(LOADED)             # every layer in, so the marker searched for is drawn
    frame.wait_for_function(DRAWN + " > 0")
    STATS.tried(2)
    # the event whose excerpt and source carry the payloads: click it like a user
    iframe = page.query_selector(MAP_IFRAME)
    iframe.scroll_into_view_if_needed()
    found = frame.evaluate(FIND_MARKER, ["bl_excerpt", "Belgorod"])
    assert found is not None
    box = iframe.bounding_box()
    page.mouse.move(box["x"] + found["x"], box["y"] + found["y"])       # tooltip
    page.wait_for_timeout(500)
    page.mouse.click(box["x"] + found["x"], box["y"] + found["y"])      # popup + side panel
    frame.wait_for_selector(".leaflet-popup-content")
    page.wait_for_function("(id) => document.body.innerText.includes(id)", arg=found["id"])
    # the whole article, the source filter's options, the table, the charts
    page.get_by_text("Whole article").first.click()
    page.wait_for_timeout(500)
    sidebar_select = page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").last
    sidebar_select.click()
    page.wait_for_timeout(500)
    page.keyboard.press("Escape")
    grid = page.locator("[data-testid=stDataFrame]").first
    grid.scroll_into_view_if_needed()
    grid.hover()
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(500)
    page.get_by_role("tab", name="Charts").click()
    page.wait_for_timeout(1000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "robustness-payloads.png"), full_page=True)

    assert page.dialogs == []
    assert page.title() == TITLE
    for where in (page, frame):
        assert where.evaluate(CREATED) == {"img": 0, "handlers": 0, "scripts": 0}
    body = page.evaluate("document.body.innerText")
    assert "onerror=alert(4)" in body            # the excerpt, shown as text in the side panel
    assert "${alert(2)}" in body                 # the source file name, shown as text
    assert "{{ 7*7 }}" in body                   # a Jinja expression, not evaluated
    assert frame.evaluate("document.title") != "pwned"
