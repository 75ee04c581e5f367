"""Map benchmark: our build_map against plain folium Markers, and the app under load.

For 1,000 / 10,000 / 100,000 synthetic events (bench/synthetic.py):
- build time (``build_map``) and render time (``get_root().render()``), HTML size;
- time until the markers are drawn in headless chromium (file://, every request outside the
  page blocked), from navigation start (``performance.now()``);
- the same for plain ``folium.Marker`` (default pin, an escaped ``folium.Popup`` each) in one
  ``FeatureGroup`` per event type, up to 10,000 only: it takes tens of seconds there.
Then the app (``streamlit run``) with 10,000 events: page load to map drawn, and a marker
click to the side panel showing that event; and the app process' memory with 100,000.

Medians of ``--runs`` runs (default 3; 1 for the slowest cases). Writes the ``map`` section of
bench/RESULTS.md and prints it. Run: ``.venv/bin/python bench/map.py [--quick] [--no-write]``.

``--reference``: instead, the cost of the reference layers (place, region and water names, water,
oblast outlines): at each size, pages built with them (``build_map(reference=True)``, names from
the built gazetteer plus REFERENCE_VILLAGES event villages) and without (``reference=False``)
alternate run by run (on, off, off, on, ...), so both meet the same load on a shared machine;
then the app with ``BORDERLINE_REFERENCE_LAYERS`` on and off, alternating server starts. Medians,
ratios on/off; writes the ``map-reference`` section.
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import folium  # noqa: E402

from bench._results import machine_line, write_section  # noqa: E402
from bench.synthetic import synthetic_events  # noqa: E402
from geo.assets import map_assets, vendor_assets  # noqa: E402
from geo.events import EVENT_TYPES  # noqa: E402
from geo.maps import build_map  # noqa: E402
from geo.reference import gazetteer_labels  # noqa: E402

OUT = ROOT / "bench" / "out" / "map"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 600_000


def plain_folium_map(events, assets) -> folium.Map:
    """The baseline: what folium's documentation does, one DOM marker + popup per event."""
    m = folium.Map(location=[49.0, 36.5], zoom_start=6, tiles=None)
    m.default_js, m.default_css = list(assets.js), list(assets.css)
    groups = {t: folium.FeatureGroup(name=label).add_to(m) for t, label in EVENT_TYPES.items()}
    for etype, lat, lon, text in zip(events["event_type"], events["lat"], events["lon"], events["excerpt"]):
        folium.Marker([lat, lon], popup=folium.Popup(html.escape(text), max_width=300)).add_to(groups[etype])
    folium.Element(f"<script>L.Icon.Default.imagePath = {assets.icon_image_path!r};</script>").add_to(m.get_root().header)
    folium.LayerControl().add_to(m)
    return m


def _launch(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _blocked_context(browser, allow_prefix: str):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(allow_prefix) else r.abort())
    return ctx


_AFTER_PAINT = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))"


#: In our page: zoom to a settlement marker and return its pixel (for a real mouse click).
_OUR_MARKER = """() => {
    const m = Object.values(window).find(v => v instanceof L.Map);
    const l = m._bl.points.flatMap(g => g._blAll).find(x => x._map && x.feature.properties.bl_p === "s");
    m.setView(l.getLatLng(), 8, {animate: false});
    const p = m.latLngToContainerPoint(l.getLatLng());
    return [p.x, p.y];
}"""
#: In our page: seconds to apply a time window (the control's own apply) and paint it.
_WINDOW = """(mode) => new Promise(r => {
    const m = Object.values(window).find(v => v instanceof L.Map), c = m._bl.timeCtl.bl;
    const t0 = performance.now();
    c.mode.value = mode;
    c.apply();
    requestAnimationFrame(() => requestAnimationFrame(() => r((performance.now() - t0) / 1000)));
})"""


#: In our page: stamp the next mousedown, and the frame after the popup it opens.
_STAMP_CLICK = """() => {
    const m = Object.values(window).find(v => v instanceof L.Map);
    window.__bl_click = {};
    document.addEventListener("mousedown", () => { window.__bl_click.down = performance.now(); },
                              {capture: true, once: true});
    m.once("popupopen", () => requestAnimationFrame(() => { window.__bl_click.shown = performance.now(); }));
}"""


def interactions(browser, page_file: Path, *, in_page: bool = False) -> dict:
    """Our page only: a marker click to its popup (which lists every event at that point),
    and the time control switched to a week and back to all dates. ``in_page``: the click's time
    is the page's own, mousedown to the frame that shows the popup (without the driver's polling)."""
    ctx = _blocked_context(browser, "file://")
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(page_file.as_uri())
    page.wait_for_selector(".leaflet-overlay-pane canvas", state="attached")
    page.wait_for_function("document.readyState === 'complete'", polling=100)
    page.wait_for_function(_SETTLED, polling=100)   # a reader clicks once the page has settled
    out: dict = {}
    x, y = page.evaluate(_OUR_MARKER)
    page.evaluate(_AFTER_PAINT)
    if in_page:
        page.evaluate(_STAMP_CLICK)
    t0 = time.perf_counter()
    page.mouse.click(x, y)
    page.wait_for_selector(".leaflet-popup-content .bl-popup")
    out["popup"] = time.perf_counter() - t0
    if in_page:
        stamps = page.wait_for_function("window.__bl_click.shown && window.__bl_click").json_value()
        out["popup"] = (stamps["shown"] - stamps["down"]) / 1000.0
    page.keyboard.press("Escape")
    out["week"] = page.evaluate(_WINDOW, "7")
    out["all"] = page.evaluate(_WINDOW, "all")
    ctx.close()
    return out


def time_to_visible(browser, page_file: Path, *, plain: bool, n: int) -> float:
    """Seconds from navigation start until the markers are drawn."""
    ctx = _blocked_context(browser, "file://")
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(page_file.as_uri(), wait_until="commit")
    if plain:
        page.wait_for_function(f"document.querySelectorAll('.leaflet-marker-pane > *').length >= {n}",
                               polling=250)
    else:
        page.wait_for_selector(".leaflet-overlay-pane canvas", state="attached")
        page.wait_for_function("document.readyState === 'complete'", polling=100)
    ms = page.evaluate(_AFTER_PAINT)
    ctx.close()
    return ms / 1000.0


def _median(values: list[float]) -> float:
    return statistics.median(values)


def bench_static(sizes: list[int], runs: int, plain_max: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    vendor_assets(OUT / "vendor")
    assets = map_assets("vendor")
    rows = []
    with sync_playwright() as p:
        browser = _launch(p)
        for n in sizes:
            events = synthetic_events(n, seed=7)
            for kind in ("ours", "plain"):
                if kind == "plain" and n > plain_max:
                    continue
                k_runs = 1 if (kind == "plain" and n >= 10_000) or n >= 100_000 else runs
                builds, renders, shows = [], [], []
                size = 0
                for _ in range(k_runs):
                    t0 = time.perf_counter()
                    m = build_map(events, assets=assets, tiles=False) if kind == "ours" \
                        else plain_folium_map(events, assets)
                    t1 = time.perf_counter()
                    page = m.get_root().render()
                    t2 = time.perf_counter()
                    builds.append(t1 - t0)
                    renders.append(t2 - t1)
                    path = OUT / f"{kind}-{n}.html"
                    path.write_text(page, encoding="utf-8")
                    size = path.stat().st_size
                    shows.append(time_to_visible(browser, path, plain=kind == "plain", n=n))
                row = {"n": n, "kind": kind, "runs": k_runs, "build": _median(builds),
                       "render": _median(renders), "mb": size / 1e6, "visible": _median(shows)}
                if kind == "ours":
                    row.update(interactions(browser, path))
                print(f"  {kind:5} {n:>7,}: build {row['build']:.2f} s, render {row['render']:.2f} s, "
                      f"{row['mb']:.1f} MB, visible {row['visible']:.2f} s  ({k_runs} run(s))"
                      + (f"; click to popup {row['popup']:.2f} s, week window {row['week']:.2f} s, "
                         f"all dates {row['all']:.2f} s" if "popup" in row else ""), flush=True)
                rows.append(row)
        browser.close()
    return rows


# --- the app ------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_app(n: int, data: Path, *, reference: bool = True) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    # the app reads a file of events (BORDERLINE_EVENTS); the same events bench_app clicks
    data.mkdir(parents=True, exist_ok=True)
    events_file = data / f"synthetic-{n}.parquet"
    synthetic_events(n, seed=0).to_parquet(events_file, index=False)
    env = dict(os.environ, BORDERLINE_EVENTS=str(events_file), BORDERLINE_DATA=str(data),
               BORDERLINE_REFERENCE_LAYERS="1" if reference else "0")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not start")


def _rss_mb(pid: int) -> float:
    import psutil
    return psutil.Process(pid).memory_info().rss / 1e6


_MARKER_POINT = """(eid) => {
    const layer = Object.values(window.map._layers).find(l => l.feature && l.feature.id === eid);
    window.map.setView(layer.getLatLng(), 12, {animate: false});
    const size = window.map.getSize();   // keep the marker clear of the controls on the right
    window.map.panBy([size.x * 0.25, -size.y * 0.15], {animate: false});
    const pt = window.map.latLngToContainerPoint(layer.getLatLng());
    return [pt.x, pt.y];
}"""


def _map_box(page) -> dict:
    """The map's frame, scrolled fully into view (a click on a frame partly out of view scrolls
    the page between mousedown and mouseup, and misses the marker)."""
    iframe = page.query_selector("iframe[title='streamlit_folium.st_folium']")
    iframe.scroll_into_view_if_needed()
    return iframe.bounding_box()


def bench_app(n_click: int, n_memory: int, clicks: int) -> dict:
    from playwright.sync_api import sync_playwright

    data = OUT / "app-data"
    shutil.rmtree(data, ignore_errors=True)
    out: dict = {}
    events = synthetic_events(n_click, seed=0)
    pinned = events[events["precision"] == "settlement"]
    with sync_playwright() as p:
        browser = _launch(p)
        proc, url = _start_app(n_click, data)
        try:
            ctx = _blocked_context(browser, url)
            page = ctx.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            # first load builds and caches the map; the second is what a returning user sees
            loads = []
            for _ in range(2):
                t0 = time.perf_counter()
                page.goto(url)
                frame = page.wait_for_selector("iframe[title='streamlit_folium.st_folium']").content_frame()
                frame.wait_for_selector(".leaflet-overlay-pane canvas", state="attached")
                frame.wait_for_function("window.map && Object.keys(window.map._layers).length > 100")
                loads.append(time.perf_counter() - t0)
            out["load_cold"], out["load_warm"] = loads
            times = []
            for eid in list(pinned["event_id"])[:clicks]:
                x, y = frame.evaluate(_MARKER_POINT, eid)
                box = _map_box(page)
                t0 = time.perf_counter()
                page.mouse.click(box["x"] + x, box["y"] + y)
                page.wait_for_function(
                    "(eid) => [...document.querySelectorAll('[data-testid=stMarkdownContainer]')]"
                    ".some(e => e.innerText.includes(eid))", arg=eid)
                times.append(time.perf_counter() - t0)
            out["click"] = _median(times)
            out["click_max"] = max(times)
            out["clicks"] = len(times)
            out["rss_click"] = _rss_mb(proc.pid)
            ctx.close()
        finally:
            proc.terminate()
            proc.wait(30)
        proc, url = _start_app(n_memory, data)
        try:
            out["rss_idle"] = _rss_mb(proc.pid)
            ctx = _blocked_context(browser, url)
            page = ctx.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            big = []
            for _ in range(2):   # cold: builds the map; warm: what the next visitor waits
                t0 = time.perf_counter()
                page.goto(url)
                frame = page.wait_for_selector("iframe[title='streamlit_folium.st_folium']",
                                               timeout=TIMEOUT_MS).content_frame()
                frame.wait_for_selector(".leaflet-overlay-pane canvas", state="attached")
                frame.wait_for_function("window.map && Object.keys(window.map._layers).length > 1000")
                big.append(time.perf_counter() - t0)
            out["load_big"], out["load_big_warm"] = big
            out["rss_big"] = _rss_mb(proc.pid)
            ctx.close()
        finally:
            proc.terminate()
            proc.wait(30)
        browser.close()
    shutil.rmtree(data, ignore_errors=True)
    return out


def report(rows: list[dict], app: dict | None, *, n_click: int, n_memory: int) -> str:
    load = os.getloadavg()
    lines = ["## Map", "", machine_line() + f" Load average at the end: {load[0]:.1f} (1 min), "
             f"{load[2]:.1f} (15 min): other work shared the cores, so absolute times are inflated; "
             "ratios within a run are fair.", "",
             "Synthetic events (bench/synthetic.py), offline headless chromium (Debian), file:// pages "
             "with vendored assets. *visible*: navigation start to markers drawn (ours: canvas painted; "
             "plain: every marker in the DOM). Plain folium: one `folium.Marker` + escaped `folium.Popup` "
             "per event in one FeatureGroup per type, measured up to 10,000 only (it takes tens of "
             "seconds there and grows linearly).", "",
             "Ours only: *click → popup*: a mouse click on a settlement marker (zoom 8) until its popup, "
             "which lists every event within a few pixels, is in the page; *week* / *all dates*: the time "
             "control switched to a one-week window, then back, until painted (markers added/removed on the "
             "canvas).", "",
             "| events | map | runs | build s | render s | HTML MB | visible s | visible vs plain "
             "| click → popup s | week s | all dates s |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    plain = {r["n"]: r for r in rows if r["kind"] == "plain"}
    for r in rows:
        ratio = ""
        if r["kind"] == "ours" and r["n"] in plain:
            ratio = f"{plain[r['n']]['visible'] / r['visible']:.1f}× faster"
        extra = (f" {r['popup']:.2f} | {r['week']:.2f} | {r['all']:.2f} |" if "popup" in r else " | | |")
        lines.append(f"| {r['n']:,} | {'build_map' if r['kind'] == 'ours' else 'plain folium'} | {r['runs']} | "
                     f"{r['build']:.2f} | {r['render']:.2f} | {r['mb']:.1f} | {r['visible']:.2f} | {ratio} |"
                     + extra)
    if app:
        lines += ["", f"The app (`streamlit run` on a GeoParquet of synthetic events, `BORDERLINE_EVENTS`), "
                  f"{n_click:,} events: page load to map "
                  f"drawn {app['load_cold']:.1f} s cold (builds and caches the map), {app['load_warm']:.1f} s warm; "
                  f"marker click to the side panel showing that event: median {app['click']:.2f} s, max "
                  f"{app['click_max']:.2f} s over {app['clicks']} clicks. Server RSS {app['rss_click']:.0f} MB.",
                  f"With {n_memory:,} events: page load to map drawn {app['load_big']:.1f} s cold, "
                  f"{app['load_big_warm']:.1f} s warm; server RSS "
                  f"{app['rss_idle']:.0f} MB idle, {app['rss_big']:.0f} MB with the events loaded and the map "
                  "built and sent."]
    return "\n".join(lines)


# --- the reference layers' cost: with and without, interleaved ------------------------------

#: Distinct villages the events are pinned to, named at close zoom: a large real data set's order
#: of magnitude (ACLED's Ukraine events of 2022-2024 sit at several thousand distinct places).
REFERENCE_VILLAGES = 5_000


def reference_labels() -> tuple:
    """The names the app would draw: the gazetteer's towns and REFERENCE_VILLAGES villages with a
    point of their own (the synthetic events' places are not in the gazetteer)."""
    from gazetteer import Gazetteer

    with Gazetteer.open() as gaz:
        villages = [p.id for p in gaz.places_in_bbox(22.0, 44.0, 41.0, 52.5)
                    if p.country == "UA" and p.population is None and p.precision == "point" and p.katottg]
        return gazetteer_labels(gaz, place_ids=villages[:REFERENCE_VILLAGES])


#: In our page: the frame that painted the last event layer (``BL.loaded`` stamps it), ms.
_EVENTS_PAINTED = ("(() => { const m = window.L && Object.values(window).find(v => v instanceof L.Map);"
                   " return m && m._bl && typeof m._bl.eventsPainted === 'number' ? m._bl.eventsPainted : null; })()")
#: In our page: the reference layers' deferred work is done (or there is none).
_SETTLED = ("(() => { const m = window.L && Object.values(window).find(v => v instanceof L.Map);"
            " return !!m && (!m._bl || m._bl.deferred === undefined || m._bl.deferred === null); })()")


def time_to_painted(browser, page_file: Path) -> tuple[float, float]:
    """Seconds from navigation start until (a) the frame that painted the events, as the page
    stamps it; (b) the page settled: loaded, the reference layers' deferred work done, two frames."""
    ctx = _blocked_context(browser, "file://")
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(page_file.as_uri(), wait_until="commit")
    painted = page.wait_for_function(_EVENTS_PAINTED, polling=50).json_value()
    page.wait_for_function("document.readyState === 'complete'", polling=50)
    page.wait_for_function(_SETTLED, polling=50)
    settled = page.evaluate(_AFTER_PAINT)
    ctx.close()
    return painted / 1000.0, settled / 1000.0


def time_to_names(browser, page_file: Path) -> float:
    """Seconds from navigation start until the names are drawn on their tiles (they follow the
    events' first paint: BL.defer)."""
    ctx = _blocked_context(browser, "file://")
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(page_file.as_uri(), wait_until="commit")
    page.wait_for_function("window.BL && Object.values(window).some(v => v instanceof L.Map && "
                           "BL.labelNames(v).length > 0)", polling=50)
    ms = page.evaluate(_AFTER_PAINT)
    ctx.close()
    return ms / 1000.0


def _page(events, assets, labels, *, reference: bool, path: Path) -> tuple[float, float]:
    t0 = time.perf_counter()
    m = build_map(events, assets=assets, tiles=False, reference=reference, labels=labels if reference else None)
    page = m.get_root().render()
    path.write_text(page, encoding="utf-8")
    return time.perf_counter() - t0, path.stat().st_size / 1e6


def bench_reference_static(sizes: list[int], runs: int, labels: tuple) -> list[dict]:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    vendor_assets(OUT / "vendor")
    assets = map_assets("vendor")
    rows = []
    with sync_playwright() as p:
        browser = _launch(p)
        for n in sizes:
            events = synthetic_events(n, seed=7)
            k_runs = max(2, runs if n < 100_000 else 2)
            got: dict[bool, dict[str, list[float]]] = {True: {}, False: {}}
            for k in range(k_runs):
                # on, off, off, on, on, off...: neither side always runs first
                for ref in ((True, False) if k % 2 == 0 else (False, True)):
                    path = OUT / f"ref-{'on' if ref else 'off'}-{n}.html"
                    build, mb = _page(events, assets, labels, reference=ref, path=path)
                    visible, settled = time_to_painted(browser, path)
                    clicks = interactions(browser, path, in_page=True)
                    for key, value in (("build", build), ("mb", mb), ("visible", visible), ("settled", settled),
                                       ("popup", clicks["popup"])):
                        got[ref].setdefault(key, []).append(value)
                    if ref:
                        got[ref].setdefault("names", []).append(time_to_names(browser, path))
            row = {"n": n, "runs": k_runs}
            for ref in (True, False):
                for key, values in got[ref].items():
                    row[f"{key}_{'on' if ref else 'off'}"] = _median(values)
            print(f"  {n:>7,}: names drawn {row['names_on']:.2f} s; settled {row['settled_on']:.2f} / "
                  f"{row['settled_off']:.2f} s ({row['settled_on'] / row['settled_off']:.2f}x); "
                  f"visible {row['visible_on']:.2f} s with, {row['visible_off']:.2f} s without "
                  f"({row['visible_on'] / row['visible_off']:.2f}x); click to popup {row['popup_on']:.2f} / "
                  f"{row['popup_off']:.2f} s; build {row['build_on']:.2f} / {row['build_off']:.2f} s; "
                  f"{row['mb_on']:.1f} / {row['mb_off']:.1f} MB ({k_runs} runs each)", flush=True)
            rows.append(row)
        browser.close()
    return rows


def bench_reference_app(n: int, rounds: int, clicks: int) -> dict:
    """Click to panel in the app, reference layers on and off, alternating server starts."""
    from playwright.sync_api import sync_playwright

    events = synthetic_events(n, seed=0)
    pinned = list(events.loc[events["precision"] == "settlement", "event_id"])
    times: dict[bool, list[float]] = {True: [], False: []}
    loads: dict[bool, list[float]] = {True: [], False: []}
    with sync_playwright() as p:
        browser = _launch(p)
        for k in range(rounds):
            for ref in ((True, False) if k % 2 == 0 else (False, True)):
                data = OUT / f"app-ref-{'on' if ref else 'off'}"
                shutil.rmtree(data, ignore_errors=True)
                proc, url = _start_app(n, data, reference=ref)
                try:
                    ctx = _blocked_context(browser, url)
                    page = ctx.new_page()
                    page.set_default_timeout(TIMEOUT_MS)
                    for _ in range(2):    # cold (builds the map), then warm: what is measured
                        t0 = time.perf_counter()
                        page.goto(url)
                        frame = page.wait_for_selector("iframe[title='streamlit_folium.st_folium']").content_frame()
                        frame.wait_for_selector(".leaflet-overlay-pane canvas", state="attached")
                        frame.wait_for_function("window.map && Object.keys(window.map._layers).length > 100")
                    loads[ref].append(time.perf_counter() - t0)
                    for eid in pinned[k * clicks:(k + 1) * clicks]:
                        x, y = frame.evaluate(_MARKER_POINT, eid)
                        box = _map_box(page)
                        t0 = time.perf_counter()
                        page.mouse.click(box["x"] + x, box["y"] + y)
                        page.wait_for_function(
                            "(eid) => [...document.querySelectorAll('[data-testid=stMarkdownContainer]')]"
                            ".some(e => e.innerText.includes(eid))", arg=eid)
                        times[ref].append(time.perf_counter() - t0)
                    ctx.close()
                finally:
                    proc.terminate()
                    proc.wait(30)
                    shutil.rmtree(data, ignore_errors=True)
        browser.close()
    out = {"n": n, "rounds": rounds, "clicks": len(times[True])}
    for ref in (True, False):
        side = "on" if ref else "off"
        out[f"click_{side}"] = _median(times[ref])
        out[f"load_{side}"] = _median(loads[ref])
    print(f"  app {n:,}: click to panel {out['click_on']:.2f} s with, {out['click_off']:.2f} s without "
          f"({out['click_on'] / out['click_off']:.2f}x); warm load {out['load_on']:.1f} / {out['load_off']:.1f} s",
          flush=True)
    return out


def report_reference(rows: list[dict], app: dict | None, n_labels: int, command: str) -> str:
    load = os.getloadavg()
    lines = ["## Map: the reference layers' cost", "",
             machine_line() + f" Load average at the end: {load[0]:.1f} (1 min), {load[2]:.1f} (15 min).", "",
             f"`{command}`. Pages with the reference layers (water, named oblast outlines, {n_labels:,} names: the "
             f"built gazetteer's towns plus {REFERENCE_VILLAGES:,} event villages, and the shipped region and water "
             "names) against the same events without them (`build_map(reference=False)`), built and opened "
             "alternately (on, off, off, on...) so both meet the same load; medians, file:// pages in offline "
             "chromium. *visible*: navigation start to the frame that painted the event markers (the page stamps "
             "it; the reference layers are parsed and drawn after that paint); *settled*: navigation start to "
             "the page loaded, the reference layers drawn and two more frames (the map section's *visible*, "
             "which waits for the load event); *names drawn*: to the first names on their tiles; *click → "
             "popup*: once settled, a marker click at zoom 8, from mousedown to the frame that shows its popup "
             "(the page's own clock).", "",
             "| events | runs each | visible with s | without s | ratio | settled with s | without s | ratio "
             "| names drawn s | click → popup with s | without s | ratio | build with s | without s "
             "| HTML with MB | without MB |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['n']:,} | {r['runs']} | {r['visible_on']:.2f} | {r['visible_off']:.2f} | "
                     f"{r['visible_on'] / r['visible_off']:.2f} | {r['settled_on']:.2f} | {r['settled_off']:.2f} | "
                     f"{r['settled_on'] / r['settled_off']:.2f} | {r['names_on']:.2f} | {r['popup_on']:.2f} | "
                     f"{r['popup_off']:.2f} | "
                     f"{r['popup_on'] / r['popup_off']:.2f} | {r['build_on']:.2f} | {r['build_off']:.2f} | "
                     f"{r['mb_on']:.1f} | {r['mb_off']:.1f} |")
    if app:
        lines += ["", f"The app with {app['n']:,} events (`BORDERLINE_REFERENCE_LAYERS` on and off, {app['rounds']} "
                  f"server starts each, alternating): marker click to the side panel showing that event, median "
                  f"{app['click_on']:.2f} s with the reference layers, {app['click_off']:.2f} s without "
                  f"(ratio {app['click_on'] / app['click_off']:.2f}, {app['clicks']} clicks each); warm page load to "
                  f"map drawn {app['load_on']:.1f} s with, {app['load_off']:.1f} s without."]
    return "\n".join(lines)



def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="1,000 and 10,000 only; no plain 10,000")
    ap.add_argument("--no-app", action="store_true", help="skip the streamlit measurements")
    ap.add_argument("--app-only", action="store_true", help="only the streamlit measurements")
    ap.add_argument("--no-write", action="store_true", help="print only")
    ap.add_argument("--reference", action="store_true",
                    help="the reference layers' cost: with and without, interleaved (its own section)")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"bench/map.py: {CHROMIUM} not found (./dev bench installs it)", file=sys.stderr)
        return 2
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    plain_max = 1_000 if args.quick else 10_000
    if args.reference:
        command = "bench/map.py --reference" + (" --quick" if args.quick else "") + f" --runs {args.runs}" + \
            (" --no-app" if args.no_app else "")
        labels = reference_labels()
        print(f"the reference layers ({len(labels):,} place names), with and without:", flush=True)
        rows = [] if args.app_only else bench_reference_static(sizes, args.runs, labels)
        app = None if args.no_app else bench_reference_app(10_000, rounds=2, clicks=7)
        md = report_reference(rows, app, len(labels), command)
        print(md)
        if not args.no_write:
            write_section("map-reference", md)
        return 0
    rows = []
    if not args.app_only:
        print("static map pages:", flush=True)
        rows = bench_static(sizes, args.runs, plain_max)
    app = None
    n_click, n_memory = 10_000, (10_000 if args.quick else 100_000)
    if not args.no_app:
        print("the app:", flush=True)
        app = bench_app(n_click, n_memory, clicks=7)
    md = report(rows, app, n_click=n_click, n_memory=n_memory)
    print(md)
    if not args.no_write and not args.app_only:   # a partial run never replaces the full table
        write_section("map", md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
