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
from collections.abc import Sequence
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


def _static_assets():
    """Leaflet & co. copied beside the pages written into bench/out/, as `borderline map` does."""
    OUT.mkdir(parents=True, exist_ok=True)
    vendor_assets(OUT / "vendor")
    return map_assets("vendor")


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _medians_on_off(got: dict[bool, dict[str, list[float]]]) -> dict[str, float]:
    """``{flag: {measure: [runs]}}`` as ``{"<measure>_on"/"<measure>_off": median}``: the same
    measures with a layer shown (True) and without (False)."""
    return {f"{key}_{'on' if flag else 'off'}": _median(values)
            for flag in (True, False) for key, values in got[flag].items()}


def bench_static(sizes: list[int], runs: int, plain_max: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    assets = _static_assets()
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
    # the app reads a file of events (BORDERLINE_EVENTS); the same events bench_app clicks
    data.mkdir(parents=True, exist_ok=True)
    events_file = data / f"synthetic-{n}.parquet"
    synthetic_events(n, seed=0).to_parquet(events_file, index=False)
    return _start_app_on(events_file, data, reference=reference)


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

    assets = _static_assets()
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
            row.update(_medians_on_off(got))
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



# --- the front line's cost: with and without, interleaved ----------------------------------------

#: Snapshot counts measured: a month of daily files and a year (a user may hold ~1,350).
FRONT_SNAPSHOTS = (30, 365)
FRONT_DAY0 = "2024-01-01"


def made_up_series(k: int):
    """``k`` daily made-up snapshots from FRONT_DAY0, as a FrontSeries over a dict (the map only
    reads their geometry): like ``bench.frontline.made_up_front``, a wiggly line from Kharkiv oblast
    to the Dnipro moving a little each day, the occupied area east of it to the border, and a grey
    strip along a fifth of it; 1,500 vertices on the line, about what a real DeepStateMap snapshot
    holds (1,237 on the front of 2025-08-03, whose drawing is ~170 kB a day)."""
    import datetime as dt

    import numpy as np
    import shapely

    from geo import borders
    from geo.frontline.measure import FrontSeries
    from geo.frontline.store import Snapshot, StoredTerritory

    ukraine = shapely.buffer(borders.load_border().ua, 0.01)
    shapely.prepare(ukraine)
    rng = np.random.default_rng(0)
    t = np.linspace(0.0, 1.0, 1500)
    lon0 = 37.6 + (33.0 - 37.6) * t + np.cumsum(rng.normal(0, 0.004, len(t)))
    lat0 = 50.4 + (46.6 - 50.4) * t + np.cumsum(rng.normal(0, 0.003, len(t)))
    snaps, geo = [], {}
    first = dt.date.fromisoformat(FRONT_DAY0)
    for day in range(k):
        lon = lon0 - 0.0005 * day * np.sin(np.pi * t)
        line = shapely.LineString(np.c_[lon, lat0])
        ring = np.r_[np.c_[lon, lat0], [[36.0, 45.0], [41.5, 45.0], [41.5, 51.0]], [[lon[0], lat0[0]]]]
        occupied = shapely.intersection(shapely.make_valid(shapely.Polygon(ring)), ukraine)
        middle = shapely.LineString(np.c_[lon, lat0][600:900])
        grey = shapely.difference(shapely.intersection(shapely.buffer(middle, 0.02, quad_segs=2), ukraine), occupied)
        snaps.append(Snapshot(day + 1, first + dt.timedelta(days=day), None, "made-up", "daily", f"d{day}.geojson",
                              f"{day:064x}", "", 0.0, 0.0, 0.0, 0))
        geo[day + 1] = StoredTerritory(occupied, grey, shapely.intersection(line, ukraine))
    return FrontSeries("made-up", tuple(snaps), geo.__getitem__)


def _series_from(folder: Path, k: int):
    """The last ``k`` days of a stored front line (a data directory's frontline.gpkg)."""
    import dataclasses

    from geo.frontline.measure import load_series

    series = load_series(folder)
    if series is None:
        raise SystemExit(f"bench/map.py: no front line stored in {folder}")
    days = sorted({s.date for s in series.snapshots})[-k:]
    return dataclasses.replace(series, snapshots=tuple(s for s in series.snapshots if s.date >= days[0]),
                               _prepared=type(series._prepared)())


def _dated_over(events, series):
    """The events re-dated uniformly over the series' days (so every snapshot can be shown)."""
    import numpy as np

    first, last = series.snapshots[0].date, series.snapshots[-1].date
    span = (last - first).days + 1
    rng = np.random.default_rng(1)
    days = np.datetime64(first) + rng.integers(0, span, len(events)).astype("timedelta64[D]")
    out = events.copy()
    out["date"] = days.astype(str)
    out["date_precision"] = "day"
    return out


#: In our page: the front layer's first drawing, ms since navigation start (``BL.days`` stamps it).
_FRONT_DRAWN = ("(() => { const m = window.L && Object.values(window).find(v => v instanceof L.Map);"
                " const g = m && m._bl && m._bl.dayLayers && m._bl.dayLayers[0];"
                " return g && g._blFront.status === 'shown' ? g._blFront.drawnAt : null; })()")
#: In our page: seconds from a slider move to that day's front line drawn and painted.
_FRONT_STEP = """(d) => new Promise((resolve, reject) => {
    const m = Object.values(window).find(v => v instanceof L.Map), c = m._bl.timeCtl.bl;
    const g = m._bl.dayLayers[0], t0 = performance.now();
    m.once("bl:front", () => requestAnimationFrame(() => resolve((performance.now() - t0) / 1000)));
    c.mode.value = "1";
    c.slider.value = d;
    c.apply();
})"""


def time_front_page(browser, page_file: Path, *, front: bool, steps: list[int]) -> dict:
    """Navigation start to the events painted, to the front line drawn, to settled; then the
    median of slider moves to a day not shown yet, until its line is painted."""
    ctx = _blocked_context(browser, "file://")
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(page_file.as_uri(), wait_until="commit")
    out = {"visible": page.wait_for_function(_EVENTS_PAINTED, polling=50).json_value() / 1000.0}
    if front:
        out["front"] = page.wait_for_function(_FRONT_DRAWN, polling=50).json_value() / 1000.0
    page.wait_for_function("document.readyState === 'complete'", polling=50)
    page.wait_for_function(_SETTLED, polling=50)
    out["settled"] = page.evaluate(_AFTER_PAINT) / 1000.0
    if front:
        out["step"] = _median([page.evaluate(_FRONT_STEP, d) for d in steps])
    ctx.close()
    return out


def _draw_all(series, events) -> dict:
    """In-process, as the app does on a map build: every day the events' time control reaches,
    drawn and stored as the app's files (``DataFiles.put_keyed``), the first time (no file there)
    and again in a new process (a restart: the files there); and, for comparison, the events'
    front-line measures the app computes when it loads them (``with_front``, a fresh series each
    time: geometry read, trees built); median of 3 each."""
    import dataclasses
    import tempfile

    from geo.assets import DataFiles
    from geo.frontline.drawing import FrontDrawing
    from geo.frontline.measure import with_front
    from geo.view import front_overlay

    first, again, measures = [], [], []
    for _ in range(3):
        with tempfile.TemporaryDirectory(prefix="bench-front-") as tmp:
            files = DataFiles(Path(tmp), "/front", keep=20_000)
            for out in (first, again):
                t0 = time.perf_counter()
                front_overlay(FrontDrawing(series, sink=files.put_keyed), events)
                out.append(time.perf_counter() - t0)
        fresh = dataclasses.replace(series, _prepared=type(series._prepared)())
        t0 = time.perf_counter()
        with_front(events, fresh)
        measures.append(time.perf_counter() - t0)
    return {"draw_first": _median(first), "draw_again": _median(again), "measures": _median(measures)}


def bench_front_static(n: int, counts: Sequence[int], runs: int, folder: Path | None) -> list[dict]:
    import random

    from playwright.sync_api import sync_playwright

    from geo.assets import ScriptFiles
    from geo.frontline.drawing import FrontDrawing
    from geo.maps import time_range
    from geo.view import front_days, front_overlay

    assets = _static_assets()
    rows = []
    with sync_playwright() as p:
        browser = _launch(p)
        for k in counts:
            series = made_up_series(k) if folder is None else _series_from(folder, k)
            events = _dated_over(synthetic_events(n, seed=7), series)
            lo, hi = time_range(events)
            steps = random.Random(k).sample(range(lo, hi + 1), min(8, hi - lo + 1))
            got: dict[bool, dict[str, list[float]]] = {True: {}, False: {}}
            for r in range(runs):
                for front in ((True, False) if r % 2 == 0 else (False, True)):
                    # as borderline map writes it: each day a script beside the page, drawn afresh
                    shutil.rmtree(OUT / "front-days", ignore_errors=True)
                    drawing = FrontDrawing(series, sink=ScriptFiles(OUT / "front-days", "front-days").put_keyed) \
                        if front else None
                    t0 = time.perf_counter()
                    overlay = front_overlay(drawing, events)
                    m = build_map(events, assets=assets, tiles=False, overlays=[overlay] if overlay else ())
                    text = m.get_root().render()
                    build = time.perf_counter() - t0
                    path = OUT / f"front-{'on' if front else 'off'}-{k}.html"
                    path.write_text(text, encoding="utf-8")
                    timed = time_front_page(browser, path, front=front, steps=steps)
                    days_mb = sum(f.stat().st_size for f in (OUT / "front-days").glob("*.js")) / 1e6 if front else 0.0
                    timed.update(build=build, mb=path.stat().st_size / 1e6, days_mb=days_mb)
                    for key, value in timed.items():
                        got[front].setdefault(key, []).append(value)
            drawn = front_days(FrontDrawing(series), events)
            day_kb = [len(FrontDrawing(series).geojson(e)) / 1e3 for e in drawn[:: max(1, len(drawn) // 10)]]
            row = {"k": k, "n": n, "runs": runs, "days": len(drawn), "day_kb": _median(day_kb)}
            row.update(_draw_all(series, events))
            row.update(_medians_on_off(got))
            print(f"  {k} snapshots ({row['days']} days drawn, {row['day_kb']:.0f} kB a day), {n:,} events: "
                  f"HTML {row['mb_on']:.1f} / {row['mb_off']:.1f} MB, day scripts {row['days_mb_on']:.1f} MB; "
                  f"events painted {row['visible_on']:.2f} / "
                  f"{row['visible_off']:.2f} s ({row['visible_on'] / row['visible_off']:.2f}x); front drawn "
                  f"{row['front_on']:.2f} s; settled {row['settled_on']:.2f} / {row['settled_off']:.2f} s; "
                  f"slider step {row['step_on']:.3f} s; build {row['build_on']:.2f} / {row['build_off']:.2f} s; "
                  f"the app's days drawn and stored {row['draw_first']:.2f} s, again {row['draw_again']:.3f} s; "
                  f"the events' measures {row['measures']:.2f} s",
                  flush=True)
            rows.append(row)
        browser.close()
    return rows


def _front_store(data: Path, series) -> None:
    """frontline.gpkg in ``data`` holding ``series``' snapshots as they are (no geometry care)."""
    from geo.frontline.geometry import Territory
    from geo.frontline.store import FrontlineStore, NewSnapshot, frontline_path

    store = FrontlineStore(frontline_path(data))
    batch = []
    for s in series.snapshots:
        geo = series.territory(s.id)
        batch.append(NewSnapshot(date=s.date, stamp=s.stamp, source=s.source, format=s.format, file=s.file,
                                 digest=s.digest, territory=Territory(geo.occupied, geo.contested, geo.front,
                                                                      s.occupied_km2, s.contested_km2, s.front_km)))
    store.add(batch)


def _app_load(browser, url: str) -> dict:
    """One page load: seconds to the events drawn and to the front line drawn (when there is
    one), and the bytes of every response the page received (the map's data included)."""
    ctx = _blocked_context(browser, url)
    sizes: list[int] = []
    ctx.on("requestfinished", lambda r: sizes.append(r.sizes()["responseBodySize"]))
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    t0 = time.perf_counter()
    page.goto(url)
    frame = page.wait_for_selector("iframe[title='streamlit_folium.st_folium']").content_frame()
    frame.wait_for_selector(".leaflet-overlay-pane canvas", state="attached")
    frame.wait_for_function("window.map && window.map._bl && window.map._bl.pending === 0"
                            " && typeof window.map._bl.eventsPainted === 'number'", polling=50)
    out = {"visible": time.perf_counter() - t0}
    if frame.evaluate("!!(window.map._bl.dayLayers && window.map._bl.dayLayers.length)"):
        frame.wait_for_function("window.map._bl.dayLayers[0]._blFront.status === 'shown'", polling=50)
        out["front"] = time.perf_counter() - t0
    page.wait_for_timeout(500)      # anything else the page asks for (the next day, read ahead)
    out["mb"] = sum(sizes) / 1e6
    ctx.close()
    return out


def bench_front_app(n: int, counts: Sequence[int], rounds: int, folder: Path | None) -> list[dict]:
    """The app with a front line of k snapshots and without one (the same events), a server each,
    alternating: the first load (builds the map and writes the days' files) and a second one."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = _launch(p)
        for k in counts:
            series = made_up_series(k) if folder is None else _series_from(folder, k)
            events = _dated_over(synthetic_events(n, seed=0), series)
            got: dict[bool, dict[str, list[float]]] = {True: {}, False: {}}
            for r in range(rounds):
                for front in ((True, False) if r % 2 == 0 else (False, True)):
                    data = OUT / f"app-front-{'on' if front else 'off'}"
                    shutil.rmtree(data, ignore_errors=True)
                    data.mkdir(parents=True)
                    shutil.rmtree(ROOT / "static" / "mapdata" / "front", ignore_errors=True)   # a cold server
                    if front:
                        _front_store(data, series)
                    events_file = data / "events.parquet"
                    events.to_parquet(events_file, index=False)
                    loads = {}
                    try:
                        for server in ("cold", "restart"):   # a restart finds the days' files written
                            proc, url = _start_app_on(events_file, data)
                            try:
                                loads[server] = _app_load(browser, url)
                                if server == "cold":
                                    loads["warm"] = _app_load(browser, url)
                            finally:
                                proc.terminate()
                                proc.wait(30)
                    finally:
                        shutil.rmtree(data, ignore_errors=True)
                    for server, timed in loads.items():
                        for key, value in timed.items():
                            got[front].setdefault(f"{server}_{key}", []).append(value)
            row = {"k": k, "n": n, "rounds": rounds}
            row.update(_medians_on_off(got))
            print(f"  app, {k} snapshots, {n:,} events: first load to events drawn {row['cold_visible_on']:.1f} / "
                  f"{row['cold_visible_off']:.1f} s, front drawn {row['cold_front_on']:.1f} s; after a restart "
                  f"{row['restart_visible_on']:.1f} / {row['restart_visible_off']:.1f} s; second load "
                  f"{row['warm_visible_on']:.1f} / {row['warm_visible_off']:.1f} s, front drawn "
                  f"{row['warm_front_on']:.1f} s; received {row['warm_mb_on']:.1f} / {row['warm_mb_off']:.1f} MB",
                  flush=True)
            rows.append(row)
        browser.close()
    return rows


def _start_app_on(events_file: Path, data: Path, *, reference: bool = True) -> tuple[subprocess.Popen, str]:
    """A streamlit server showing ``events_file`` (its data dir ``data``); (process, URL) once healthy."""
    port = _free_port()
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


def report_front(rows: list[dict], app: list[dict], command: str, what: str) -> str:
    from geo.frontline.drawing import DRAW_DECIMALS, DRAW_SIMPLIFY_M

    load = os.getloadavg()
    lines = ["## Map: the front line's cost", "",
             machine_line() + f" Load average at the end: {load[0]:.1f} (1 min), {load[2]:.1f} (15 min).", "",
             f"`{command}`. {what}. Pages drawn with the front line (`geo.view.front_overlay`: the days the time "
             "control can show, each simplified to "
             f"{DRAW_SIMPLIFY_M:g} m and written with {DRAW_DECIMALS} decimals once) against the same events "
             "without it, built and opened alternately (with, without, without, with...); medians. Static "
             "pages are what `borderline map` writes (each day a script beside the page, loaded when the time "
             "control first reaches it; *day scripts*: their total size on disk; *build*: drawing and writing "
             "them, building and rendering the page), opened over file:// in offline chromium. *events "
             "painted*: navigation start to the frame "
             "that painted the event markers; *front drawn*: to the front line of the first date drawn; "
             "*settled*: the page loaded and the deferred layers drawn; *slider step*: the slider moved to a "
             "day not yet shown (day window), until its line is painted (median of 8). *days drawn and "
             "stored*: in-process, what the app does on a map build before the page gets it "
             "(`front_overlay` with the app's `DataFiles.put_keyed`), the first time and again in a new "
             "process whose files are there (a restart, or another import: only new days are drawn); "
             "*measures*: for comparison, the events' front-line measures the app computes when it loads "
             "them whenever a front line is stored (`with_front`, `bench/frontline.py`'s subject); "
             "median of 3.", "",
             "| snapshots | days drawn | kB a day | events | runs each | HTML with MB | without MB | day scripts MB "
             "| events painted with s | without s | ratio | front drawn s | settled with s | without s "
             "| ratio | slider step s | build with s | without s | days drawn and stored s | again s | measures s |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['k']} | {r['days']} | {r['day_kb']:.0f} | {r['n']:,} | {r['runs']} | {r['mb_on']:.1f} "
                     f"| {r['mb_off']:.1f} | {r['days_mb_on']:.1f} | {r['visible_on']:.2f} | {r['visible_off']:.2f} "
                     f"| {r['visible_on'] / r['visible_off']:.2f} | {r['front_on']:.2f} | {r['settled_on']:.2f} "
                     f"| {r['settled_off']:.2f} | {r['settled_on'] / r['settled_off']:.2f} | {r['step_on']:.3f} "
                     f"| {r['build_on']:.2f} | {r['build_off']:.2f} | {r['draw_first']:.2f} | {r['draw_again']:.3f} "
                     f"| {r['measures']:.2f} |")
    if app:
        lines += ["", "The app (`streamlit run`, events from a GeoParquet, the front line in the data directory's "
                  "`frontline.gpkg`), a server per configuration, alternating; each day's drawing is a file "
                  "of its own (`static/mapdata/front/`) that the page fetches when the time control first "
                  "reaches it. *first load*: a fresh server with no day drawn yet (computes the events' front "
                  "measures, builds the map, draws and writes each day); *after a restart*: a fresh server whose "
                  "days' files are there (measures and map only); *second load*: the map cached. *received*: "
                  "every response body the page got in the second load (the map's data included): the page "
                  "asks for the day it shows and the next one, whatever the number of snapshots. The first "
                  "loads' extra time is the events' measures and the days' drawing (the first table's last "
                  "columns, in-process) plus the load of a shared machine: single server starts vary by "
                  "seconds.", "",
                  "| snapshots | events | rounds | first load: events drawn with s | without s | front drawn s "
                  "| after a restart: with s | without s | second load: events drawn with s | without s | ratio "
                  "| front drawn s | received with MB | without MB |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in app:
            lines.append(f"| {r['k']} | {r['n']:,} | {r['rounds']} | {r['cold_visible_on']:.1f} | "
                         f"{r['cold_visible_off']:.1f} | {r['cold_front_on']:.1f} | {r['restart_visible_on']:.1f} | "
                         f"{r['restart_visible_off']:.1f} | {r['warm_visible_on']:.1f} | "
                         f"{r['warm_visible_off']:.1f} | {r['warm_visible_on'] / r['warm_visible_off']:.2f} | "
                         f"{r['warm_front_on']:.1f} | {r['warm_mb_on']:.1f} | {r['warm_mb_off']:.1f} |")
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
    ap.add_argument("--front", action="store_true",
                    help="the front line's cost: 30 and 365 daily snapshots against none (its own section)")
    ap.add_argument("--front-events", type=int, default=10_000, help="events on the --front pages")
    ap.add_argument("--front-from", type=Path, metavar="DATA_DIR",
                    help="with --front: the last 30/365 days of the front line stored in DATA_DIR instead of "
                         "made-up snapshots (--no-write: such a copy is the user's, not the project's)")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"bench/map.py: {CHROMIUM} not found (./dev bench installs it)", file=sys.stderr)
        return 2
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    plain_max = 1_000 if args.quick else 10_000
    if args.front:
        command = "bench/map.py --front" + (" --quick" if args.quick else "") + f" --runs {args.runs}" + \
            (f" --front-events {args.front_events}" if args.front_events != 10_000 else "") + \
            (" --no-app" if args.no_app else "")
        counts = FRONT_SNAPSHOTS[:1] if args.quick else FRONT_SNAPSHOTS
        what = ("Made-up daily snapshots (`made_up_series`: a 1,500-vertex line moving each day, the occupied "
                "area east of it to the border, a grey strip along a fifth of it)" if args.front_from is None else
                "The last days of a stored front line (a local copy, not shipped)")
        rows = [] if args.app_only else bench_front_static(args.front_events, counts, max(2, args.runs),
                                                           args.front_from)
        app = [] if args.no_app else bench_front_app(args.front_events, counts, 3, args.front_from)
        md = report_front(rows, app, command, what)
        print(md)
        if not args.no_write and args.front_from is None:
            write_section("map-front", md)
        return 0
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
