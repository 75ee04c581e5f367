"""Borderline: the stored events on a layered map, with filters, a table, charts, uploads, exports.

Thin by design: cached loaders and layout. The map is ``geo.maps.build_map``; filters,
click handling, uploads and exports are pure functions in ``geo.view``; events come from
``geo.store`` and new articles go through ``geo.pipeline``.

Run: ``streamlit run streamlit_app.py`` (data directory: $BORDERLINE_DATA or the default).
Seam for tests and benchmarks: ``BORDERLINE_SYNTHETIC=N`` shows N invented events
(bench/synthetic.py) instead of the store; with ``BORDERLINE_SYNTHETIC_PAYLOAD=1`` every
text field carries script payloads.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import view
from geo.articles import DEFAULT_MAX_BYTES, Article, article_from_text
from geo.assets import APP_STATIC_URL, DataFiles, app_vendor_dir, map_assets, vendor_assets
from geo.errors import BorderlineError, InputError
from geo.events import EVENT_TYPES
from geo.maps import PRECISION_TEXT, border_text, build_map

APP_DIR = Path(__file__).resolve().parent
MAP_KEY = "events_map"
# Only a marker click reruns the script; pans, zooms and layer toggles stay in the browser.
RETURNED = ["last_object_clicked", "last_object_clicked_popup", "last_object_clicked_tooltip"]
TABLE_ROWS = 20_000
# The map's per-layer data, fetched by the page (Streamlit serves APP_DIR/static at /app/static).
MAP_DATA = DataFiles(APP_DIR / "static" / "mapdata", "/app/static/mapdata")
UPLOAD_TYPES = ["txt", "md", "markdown", "html", "htm", "jsonl", "ndjson"]

log = logging.getLogger("borderline.app")


# --- data access (the only place that knows about the store and the pipeline) ------

def data_dir() -> Path:
    from geo.store import default_data_dir
    return Path(default_data_dir())   # $BORDERLINE_DATA, else the user data dir


def _open_store(directory: Path, *, create: bool = False):
    from geo.store import EventStore, store_path
    return EventStore(store_path(directory), create=create)


def store_version(directory: Path) -> tuple:
    """Changes whenever the store's files change: the cache key of everything derived."""
    synthetic = os.environ.get("BORDERLINE_SYNTHETIC")
    if synthetic:
        return ("synthetic", synthetic, os.environ.get("BORDERLINE_SYNTHETIC_PAYLOAD", ""))
    if not directory.is_dir():
        return ("missing",)
    stats = []
    for path in sorted(directory.iterdir()):
        if path.suffix in (".gpkg", ".gpkg-wal", ".sqlite", ".db", ".parquet") or path.name.endswith("-wal"):
            st_ = path.stat()
            stats.append((path.name, st_.st_mtime_ns, st_.st_size))
    return tuple(stats)


@st.cache_resource(show_spinner=False)
def vendored_assets() -> str:
    """Copy Leaflet & co. into static/vendor once per server process."""
    vendor_assets(app_vendor_dir(APP_DIR))
    return APP_STATIC_URL


@st.cache_resource(max_entries=2, show_spinner="Loading events…")
def load_events(directory: str, version: tuple):
    synthetic = os.environ.get("BORDERLINE_SYNTHETIC")
    if synthetic:
        from bench.synthetic import PAYLOADS, synthetic_events
        payload = " ".join(PAYLOADS) if os.environ.get("BORDERLINE_SYNTHETIC_PAYLOAD") else None
        return synthetic_events(int(synthetic), seed=0, payload=payload)
    if version == ("missing",) or not version:
        return view.empty_events()
    return _open_store(Path(directory)).read_events()


@st.cache_resource(max_entries=2, show_spinner=False)
def event_ids(version: tuple, _events) -> pd.Index:
    """Event id -> row position, for the click lookup (a hash lookup, not a scan)."""
    return pd.Index(_events["event_id"].astype(str))


@st.cache_resource(show_spinner=False)
def load_geography() -> view.MapGeography:
    geography = view.map_geography()
    if geography.problem:
        log.warning("map geography: %s", geography.problem)
    return geography


@st.cache_resource(max_entries=6, show_spinner="Drawing the map…")
def cached_map(version: tuple, filter_key: tuple, _events, _geo: view.MapGeography, base_url: str):
    """The built map for one filter state: a click reruns the page but never rebuilds it."""
    m = build_map(_events, border=_geo.border, bands=_geo.bands, outlines=_geo.outlines,
                  assets=map_assets(base_url), collapse_layer_control=True,
                  data_sink=MAP_DATA.put)
    m.get_root().render()   # once here, so st_folium can skip it on every rerun (render=False)
    return m


@st.cache_resource(max_entries=64, show_spinner=False)
def load_article(directory: str, version: tuple, article_id: str):
    """The stored article (``geo.store.StoredArticle``: title, text...) or None."""
    if os.environ.get("BORDERLINE_SYNTHETIC"):
        return None
    try:
        return _open_store(Path(directory)).read_article(article_id)
    except BorderlineError:
        return None


@st.cache_data(max_entries=64, show_spinner=False)
def load_reports(directory: str, version: tuple, event_id: str) -> pd.DataFrame:
    """Every article's report of one incident (merged events have several)."""
    if os.environ.get("BORDERLINE_SYNTHETIC"):
        return pd.DataFrame()
    try:
        return _open_store(Path(directory)).read_sources(event_id)
    except BorderlineError:
        return pd.DataFrame()


@st.cache_resource(show_spinner="Opening the gazetteer…")
def pipeline():
    """Gazetteer + geoparser + border, built once per server process."""
    from geo.pipeline import Pipeline
    return Pipeline.open()


def process_articles(directory: Path, articles: list[Article]):
    """Run the pipeline on ``articles`` and store them in one transaction (``AddResult``)."""
    pipe = pipeline()
    items = [(article, pipe.process(article)) for article in articles]
    return _open_store(directory, create=True).add(items)


# --- pieces of the page -------------------------------------------------------------

def _filter_key(flt: view.EventFilter) -> tuple:
    def s(x):
        return None if x is None else tuple(sorted(x))
    return (s(flt.types), flt.date_from, flt.date_to, flt.include_undated, s(flt.sides),
            flt.km_min, flt.km_max, flt.include_unknown_distance, s(flt.articles), flt.min_confidence)


def sidebar_filters(events) -> view.EventFilter:
    """The sidebar. Empty choices mean "all", and the range widgets are keyed by the data's
    range, so events added later (other types, dates, distances) are never hidden by a
    selection made before they existed."""
    sb = st.sidebar
    sb.header("Filters")
    present = [t for t in EVENT_TYPES if t in set(events["event_type"])] if len(events) else []
    types = sb.multiselect("Event types (none chosen: all)", options=present,
                           format_func=lambda t: EVENT_TYPES.get(t, t), key="f_types")

    dates = pd.to_datetime(events["date"], errors="coerce", format="mixed") if len(events) \
        else pd.Series([], dtype="datetime64[ns]")
    date_from = date_to = None
    if dates.notna().any():
        lo, hi = dates.min().date(), dates.max().date()
        picked = sb.date_input("Date range", value=(lo, hi), min_value=lo, max_value=hi,
                               key=f"f_dates_{lo}_{hi}")
        picked = tuple(picked) if isinstance(picked, (tuple, list)) else (picked,)
        date_from = picked[0] if picked and picked[0] != lo else None
        date_to = picked[1] if len(picked) == 2 and picked[1] != hi else None
    undated = sb.checkbox("Include events with no date", value=True, key="f_undated")

    sides = sb.multiselect("Side of the border (none chosen: all)", options=list(view.SIDES),
                           format_func=lambda s: view.SIDES[s], key="f_sides")

    km = pd.to_numeric(events["border_km"], errors="coerce") if len(events) else pd.Series([], dtype=float)
    km_min = km_max = None
    if km.notna().any():
        top = float(np.ceil(km.max() / 5.0) * 5.0) or 5.0
        lo_km, hi_km = sb.slider("Distance from the border (km)", 0.0, top, (0.0, top), step=1.0,
                                 key=f"f_km_{top:g}")
        km_min = lo_km if lo_km > 0 else None
        km_max = hi_km if hi_km < top else None
    unknown_km = sb.checkbox("Include events with no distance", value=True, key="f_unknown_km")

    articles = sorted(set(events["article"].dropna().astype(str))) if len(events) else []
    chosen = sb.multiselect("Source articles (none chosen: all)", options=articles, key="f_articles")
    conf = sb.slider("Minimum confidence", 0.0, 1.0, 0.0, step=0.05, key="f_conf")

    return view.EventFilter(
        types=frozenset(types) or None,
        date_from=date_from, date_to=date_to, include_undated=undated,
        sides=frozenset(sides) or None,
        km_min=km_min, km_max=km_max, include_unknown_distance=unknown_km,
        articles=frozenset(chosen) or None,
        min_confidence=float(conf),
    )


def _shown(value: object, default: str = "unknown") -> object:
    blank = value is None or value == "" or (isinstance(value, float) and np.isnan(value))
    return default if blank else value


def event_panel(event: pd.Series | None, directory: Path, version: tuple) -> None:
    """The last clicked event: every string escaped for st.markdown (``view.markdown_safe``)."""
    st.subheader("Selected event")
    if event is None:
        st.caption("Click a marker on the map to see its excerpt and details here.")
        return
    md = view.markdown_safe
    excerpt = view.excerpt_markdown(event.get("excerpt"), event.get("place_start"), event.get("place_end"))
    st.markdown(f"<div class='bl-excerpt'>{excerpt}</div>", unsafe_allow_html=True)
    precision = str(_shown(event.get("precision"), ""))
    label = _shown(event.get("type_label"), "") or EVENT_TYPES.get(str(event.get("event_type")), "unknown")
    rows = [
        ("Type", label),
        ("Date", _shown(event.get("date"))),
        ("Place", _shown(event.get("place_name"))),
        ("Precision", PRECISION_TEXT.get(precision, precision)),
        ("Border", border_text(event.get("border_km"), event.get("side"))),
        ("Source", _shown(event.get("sources"), "") or _shown(event.get("article"))),
        ("Confidence", _shown(event.get("confidence"))),
        ("Event id", _shown(event.get("event_id"))),
    ]
    st.markdown("<br>".join(f"<b>{md(k)}</b>: {md(v)}" for k, v in rows), unsafe_allow_html=True)
    reports = load_reports(str(directory), version, str(event.get("event_id")))
    if len(reports) > 1:
        with st.expander(f"Reported by {len(reports)} articles"):
            for report in reports.itertuples(index=False):
                st.markdown(f"<b>{md(report.source)}</b>: "
                            f"{view.excerpt_markdown(report.excerpt, report.place_start, report.place_end)}",
                            unsafe_allow_html=True)
    article = load_article(str(directory), version, str(event.get("article_id")))
    with st.expander("Whole article"):
        if article is None:
            st.caption("The article text is not available.")
        else:
            if article.title:
                st.text(article.title)
            st.text(article.text)


@st.fragment
def map_and_panel(events_all, filtered, flt_key: tuple, version: tuple, directory: Path) -> None:
    """Map + side panel in a fragment: a marker click reruns only this part of the page."""
    geo_data = load_geography()
    base_url = vendored_assets()
    m = cached_map(version, flt_key, filtered, geo_data, base_url)
    left, right = st.columns([5, 2], gap="medium")
    with left:
        returned = st_folium(m, key=MAP_KEY, height=680, use_container_width=True,
                             returned_objects=RETURNED, render=False)
    state = st.session_state.get(MAP_KEY) or returned
    ids = event_ids(version, events_all)
    event_id = view.selected_event_id(state, ids)
    with right:
        event = None
        if event_id is not None:
            loc = ids.get_loc(event_id)
            event = events_all.iloc[loc if isinstance(loc, (int, np.integer)) else np.flatnonzero(ids == event_id)[0]]
        event_panel(event, directory, version)
        if geo_data.note:
            with st.expander("About the border line"):
                st.caption(view.markdown_safe(geo_data.note), unsafe_allow_html=True)


def table_and_charts(filtered) -> None:
    tab_table, tab_charts = st.tabs(["Events table", "Charts"])
    cols = ["date", "type_label", "place_name", "precision", "border_km", "side", "confidence",
            "article", "excerpt", "event_id"]
    with tab_table:
        frame = pd.DataFrame(filtered[[c for c in cols if c in filtered.columns]])
        if len(frame) > TABLE_ROWS:
            st.caption(f"Showing the {TABLE_ROWS:,} most recent of {len(frame):,} events; "
                       "the downloads hold them all.")
            frame = frame.sort_values("date", ascending=False, na_position="last").head(TABLE_ROWS)
        st.dataframe(frame, hide_index=True, width="stretch", column_config={
            "date": "Date", "type_label": "Type", "place_name": "Place", "precision": "Precision",
            "border_km": st.column_config.NumberColumn("Border km", format="%.1f"),
            "side": "Side", "confidence": st.column_config.NumberColumn("Confidence", format="%.2f"),
            "article": "Source", "excerpt": "Excerpt", "event_id": "Event id"})
    with tab_charts:
        if len(filtered) == 0:
            st.caption("No events match the filters.")
            return
        c1, c2, c3 = st.columns(3)
        with c1:
            st.caption("Events by type")
            by_type = filtered["event_type"].map(lambda t: EVENT_TYPES.get(t, t)).value_counts()
            st.bar_chart(by_type.rename("events"), horizontal=True)
        with c2:
            st.caption("Events by date")
            dates = pd.to_datetime(filtered["date"], errors="coerce", format="mixed").dropna()
            if len(dates):
                span = (dates.max() - dates.min()).days
                freq = "D" if span <= 62 else ("W" if span <= 730 else "MS")
                by_date = dates.dt.to_period(freq).dt.start_time.value_counts().sort_index()
                st.bar_chart(by_date.rename("events"))
            else:
                st.caption("No dated events.")
        with c3:
            st.caption("Distance from the border (10 km bins; the last one holds 290 km and more)")
            km = pd.to_numeric(filtered["border_km"], errors="coerce").dropna()
            if len(km):
                # 10 km bins up to 300 km; everything further in the last bar
                edges = np.arange(0.0, 310.0, 10.0)
                counts, _ = np.histogram(km.clip(upper=299.9), bins=edges)
                hist = pd.DataFrame({"km from the border": edges[:-1], "events": counts})
                st.bar_chart(hist, x="km from the border", y="events")
            else:
                st.caption("No distances known.")


def downloads(filtered) -> None:
    st.subheader("Download the filtered events")
    c1, c2, c3 = st.columns(3)
    n = len(filtered)
    c1.download_button(f"GeoJSON ({n:,})", data=lambda: view.to_geojson_bytes(filtered),
                       file_name="borderline-events.geojson", mime="application/geo+json",
                       on_click="ignore", key="dl_geojson")
    c2.download_button(f"CSV ({n:,})", data=lambda: view.to_csv_bytes(filtered),
                       file_name="borderline-events.csv", mime="text/csv", on_click="ignore",
                       key="dl_csv")
    c3.download_button(f"GeoPackage ({n:,})", data=lambda: view.to_gpkg_bytes(filtered),
                       file_name="borderline-events.gpkg", mime="application/geopackage+sqlite3",
                       on_click="ignore", key="dl_gpkg")


def add_articles(directory: Path) -> None:
    st.subheader("Add articles")
    report = st.session_state.pop("ingest_report", None)
    if report:
        for kind, text in report:
            box = st.success if kind == "ok" else st.error
            box(view.markdown_safe(text))
    paste_tab, upload_tab = st.tabs(["Paste text", "Upload files"])
    with paste_tab:
        with st.form("paste_form", clear_on_submit=True):
            text = st.text_area("Article text", height=180, key="paste_text")
            date = st.date_input("Publication date, if the text has none", value=None, key="paste_date")
            go_paste = st.form_submit_button("Process pasted text")
        if go_paste:
            items: list[tuple[str, list[Article], list[str]]] = []
            if not text.strip():
                items.append(("pasted", [], ["pasted: the text is empty"]))
            elif len(text.encode("utf-8", "surrogatepass")) > DEFAULT_MAX_BYTES:
                items.append(("pasted", [], [f"pasted: too large (limit {DEFAULT_MAX_BYTES:,} bytes)"]))
            else:
                try:
                    items.append(("pasted", [article_from_text(text, source="pasted", default_date=date)], []))
                except InputError as err:
                    items.append(("pasted", [], [str(err)]))
            _ingest(directory, items)
    with upload_tab:
        with st.form("upload_form", clear_on_submit=True):
            files = st.file_uploader("Article files (txt, md, html, jsonl)", type=UPLOAD_TYPES,
                                     accept_multiple_files=True, key="upload_files")
            date = st.date_input("Publication date for files that carry none", value=None, key="upload_date")
            go_upload = st.form_submit_button("Process files")
        if go_upload:
            items = []
            for f in files or []:
                result = view.articles_from_upload(f.name, f.getvalue(), default_date=date)
                items.append((result.name, list(result.articles), list(result.errors)))
            if not items:
                items.append(("upload", [], ["no file chosen"]))
            _ingest(directory, items)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _ingest(directory: Path, items: list[tuple[str, list[Article], list[str]]]) -> None:
    """Process and store each article (one transaction each), then rerun to show them."""
    report: list[tuple[str, str]] = []
    total = sum(len(a) for _, a, _ in items) or 1
    bar = st.progress(0.0, text="Processing…")
    done = 0
    for name, articles, errors in items:
        report.extend(("error", e) for e in errors)
        stored = skipped = new = merged = 0
        for article in articles:
            try:
                result = process_articles(directory, [article])
                stored += result.articles_added
                skipped += result.articles_skipped
                new += result.events_added
                merged += result.events_merged
            except BorderlineError as err:
                report.append(("error", f"{name}: {err}"))
            except Exception as err:  # noqa: BLE001 - one bad article must not stop the rest
                log.exception("processing %s failed", name)
                report.append(("error", f"{name}: could not be processed ({type(err).__name__}); "
                                        "nothing of it was stored"))
            done += 1
            bar.progress(done / total, text=f"Processing {name}…")
        if stored:
            text = f"{name}: {_plural(stored, 'article')} stored, {_plural(new, 'new event')}"
            if merged:
                text += f", {_plural(merged, 'report')} of events already stored"
            report.append(("ok", text))
        if skipped:
            report.append(("ok", f"{name}: {_plural(skipped, 'article')} already stored, skipped"))
    bar.empty()
    st.session_state["ingest_report"] = report
    st.rerun()


# --- the page -----------------------------------------------------------------------

def main() -> None:
    st.set_page_config(page_title="Borderline", layout="wide")
    st.markdown("<style>.bl-excerpt mark{background:#ffe066;padding:0 2px}"
                ".bl-excerpt{font-size:0.95rem;line-height:1.5}</style>", unsafe_allow_html=True)
    directory = data_dir()
    version = store_version(directory)
    try:
        events = load_events(str(directory), version)
    except BorderlineError as err:
        st.error(view.markdown_safe(f"The event store could not be read: {err}"))
        events = view.empty_events()

    st.title("Borderline")
    st.caption(view.markdown_safe(f"{len(events):,} stored events · data: {directory}"))
    flt = sidebar_filters(events)
    filtered = view.filter_events(events, flt)
    st.caption(f"{len(filtered):,} events match the filters.")
    map_and_panel(events, filtered, _filter_key(flt), version, directory)
    table_and_charts(filtered)
    downloads(filtered)
    add_articles(directory)


main()
