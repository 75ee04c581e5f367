"""Borderline: the stored events on a layered map, with filters, a table, charts, uploads, exports.

Thin by design: cached loaders and layout. The map is ``geo.maps.build_map``; filters,
selection, click handling, chart data, uploads and exports are pure functions in
``geo.view``; events come from ``geo.store`` and new articles go through ``geo.pipeline``.

Run: ``streamlit run streamlit_app.py`` shows the store in the data directory
($BORDERLINE_DATA, else the default). Other event sources, for benchmarks and tests:

- ``streamlit run streamlit_app.py -- --data DIR``: the store in DIR;
- ``--events FILE`` or ``BORDERLINE_EVENTS=FILE``: the events in FILE (a store's
  ``events.gpkg``, or a GeoPackage/GeoParquet/GeoJSON written by ``borderline export`` or
  ``geo.store.write_frame``; ``geo.view.read_events_file``). A file that is not a store is
  shown read-only: adding articles is offered only for a store.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import event_types, reference, view
from geo.articles import DEFAULT_MAX_BYTES, Article, article_from_text
from geo.assets import APP_STATIC_URL, DataFiles, app_vendor_dir, map_assets, vendor_assets
from geo.errors import BorderlineError, InputError
from geo.maps import PRECISION_TEXT, border_text, build_map, confidence_text

APP_DIR = Path(__file__).resolve().parent
MAP_KEY = "events_map"
BASEMAP_KEY = "bl_basemap"
SELECTION_KEY = "bl_selection"
# Only a marker click reruns the script; pans, zooms and layer toggles stay in the browser.
RETURNED = ["last_object_clicked", "last_object_clicked_popup", "last_object_clicked_tooltip"]
TABLE_ROWS = 20_000
# The map's per-layer data, fetched by the page (Streamlit serves APP_DIR/static at /app/static).
MAP_DATA = DataFiles(APP_DIR / "static" / "mapdata", "/app/static/mapdata")
# The front line, one file per day fetched when the time control reaches it: a directory of its own,
# so the map data's pruning (it keeps the last few hundred files) never removes a day a cached map
# still points at (a store may hold ~1,350 days).
FRONT_DATA = DataFiles(APP_DIR / "static" / "mapdata" / "front", "/app/static/mapdata/front", keep=20_000)
UPLOAD_TYPES = ["txt", "md", "markdown", "html", "htm", "jsonl", "ndjson", "json"]
SELECTED_ZOOM = {"settlement": 12, "hromada": 11, "region": 8, "country": 5}

log = logging.getLogger("borderline.app")


# --- data access (the only place that knows about the store and the pipeline) ------

@dataclass(frozen=True, slots=True)
class EventSource:
    data: Path                  # the data directory (its store takes uploads, unless events_file)
    events_file: Path | None    # a file of events shown instead of the data directory's store
    store: Path | None          # the Borderline store behind what is shown; None: read-only file


def event_source(argv: list[str], environ: dict[str, str]) -> EventSource:
    """Where the events come from: ``--events``/``--data`` after ``--``, else
    $BORDERLINE_EVENTS, else the store in $BORDERLINE_DATA (or the default data dir)."""
    from geo.store import EventStore, default_data_dir, store_path

    ap = argparse.ArgumentParser(prog="streamlit run streamlit_app.py --", add_help=False)
    ap.add_argument("--data")
    ap.add_argument("--events")
    args, _unknown = ap.parse_known_args(argv)
    data = Path(default_data_dir(args.data))
    events = args.events or environ.get("BORDERLINE_EVENTS") or None
    if not events:
        return EventSource(data, None, store_path(data))
    path = Path(events)
    try:
        is_store = path.suffix.lower() == ".gpkg" and path.is_file() and EventStore(path, create=False).exists
    except BorderlineError:
        is_store = False
    return EventSource(data, path, path if is_store else None)


def _open_store(path: Path, *, create: bool = False):
    from geo.store import EventStore
    return EventStore(path, create=create)


def source_version(src: EventSource) -> tuple:
    """Changes whenever the source's files change (the front line's too): the cache key of
    everything derived."""
    if src.events_file is not None:
        from geo.frontline.store import FRONTLINE_NAME
        files = [src.events_file, src.events_file.with_name(src.events_file.name + "-wal"),
                 src.data / FRONTLINE_NAME]
    elif src.data.is_dir():
        files = [p for p in sorted(src.data.iterdir())
                 if p.suffix in (".gpkg", ".gpkg-wal", ".sqlite", ".db", ".parquet") or p.name.endswith("-wal")]
    else:
        return ("missing",)
    stats = []
    for path in files:
        try:
            st_ = path.stat()
        except OSError:
            continue
        stats.append((str(path), st_.st_mtime_ns, st_.st_size))
    return tuple(stats) or ("missing",)


@st.cache_resource(show_spinner=False)
def vendored_assets() -> str:
    """Copy Leaflet & co. into static/vendor once per server process."""
    vendor_assets(app_vendor_dir(APP_DIR))
    return APP_STATIC_URL


@st.cache_resource(max_entries=8, show_spinner=False)
def region_names(codes: tuple[str, ...]) -> dict[str, str]:
    """ISO 3166-2 code -> the region's name, from the gazetteer ({} when it is not built)."""
    try:
        from gazetteer.query import Gazetteer
        gaz = Gazetteer.open()
    except (ImportError, OSError, BorderlineError) as err:
        log.warning("no gazetteer for region names: %s", err)
        return {}
    names = {}
    with gaz:
        for code in codes:
            try:
                names[code] = gaz.admin1(code).name
            except (KeyError, LookupError, ValueError):
                continue
    return names


@st.cache_resource(max_entries=2, show_spinner=False)
def front_series(_src: EventSource, version: tuple):
    """The front line stored in the data directory (``geo.frontline``), or None: read once per
    version for both the events' measures and the drawing."""
    from geo.frontline.measure import load_series
    try:
        return load_series(_src.data)
    except BorderlineError as err:
        log.warning("front line: %s", err)
        return None


@st.cache_resource(max_entries=2, show_spinner=False)
def front_drawing(_src: EventSource, version: tuple):
    """The front line as the map draws it (``geo.frontline.drawing``), or None: each day's
    drawing is made and stored once (kept across restarts and imports), whatever the filters."""
    from geo.frontline.drawing import FrontDrawing
    series = front_series(_src, version)
    return None if series is None else FrontDrawing(series, sink=FRONT_DATA.put_keyed)


@st.cache_resource(max_entries=2, show_spinner="Loading events…")
def load_events(_src: EventSource, version: tuple):
    """The events with the columns the table and filters read (``view.enrich_events``) and
    the front line's measures at each event's date when one is stored (``geo.frontline``)."""
    from geo.frontline.measure import with_front
    if _src.events_file is not None:
        events = view.read_events_file(_src.events_file)
    elif version == ("missing",) or _src.store is None:
        events = view.empty_events()
    else:
        events = _open_store(_src.store).read_events()
    regional = events.loc[events["precision"].astype("string") == "region", "admin1"] if len(events) else []
    codes = tuple(sorted({str(c) for c in pd.Series(regional).dropna()}))
    events = view.enrich_events(events, region_names=region_names(codes) if codes else {})
    series = front_series(_src, version)
    return with_front(events, series) if series is not None else events


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


@st.cache_resource(max_entries=2, show_spinner="Naming places…")
def map_labels(version: tuple, _events) -> tuple:
    """Place names for the map: the gazetteer's towns and the stored events' own villages."""
    return view.map_labels(_events)


@st.cache_resource(max_entries=6, show_spinner="Drawing the map…")
def cached_map(version: tuple, filter_key: tuple, selected_id: str | None, _events,
               _geo: view.MapGeography, base_url: str, tiles: str = "none", _labels: tuple = (),
               with_reference: bool = True, _front=None):
    """The built map for one filter state: a click reruns the page but never rebuilds it."""
    front = view.front_overlay(_front, _events)
    m = build_map(_events, border=_geo.border, bands=_geo.bands, outlines=_geo.outlines,
                  assets=map_assets(base_url), collapse_layer_control=True,
                  data_sink=MAP_DATA.put, selected_id=selected_id, tiles=tiles, labels=_labels,
                  reference=with_reference, overlays=[front] if front else ())
    m.get_root().render()   # once here, so st_folium can skip it on every rerun (render=False)
    return m


@st.cache_resource(max_entries=64, show_spinner=False)
def load_article(_src: EventSource, version: tuple, article_id: str):
    """The stored article (``geo.store.StoredArticle``: title, text, url...) or None."""
    if _src.store is None:
        return None
    try:
        return _open_store(_src.store).read_article(article_id)
    except BorderlineError:
        return None


@st.cache_data(max_entries=64, show_spinner=False)
def load_reports(_src: EventSource, version: tuple, event_id: str) -> pd.DataFrame:
    """Every article's report of one incident (merged events have several)."""
    if _src.store is None:
        return pd.DataFrame()
    try:
        return _open_store(_src.store).read_sources(event_id)
    except BorderlineError:
        return pd.DataFrame()


@st.cache_resource(show_spinner="Opening the gazetteer…")
def pipeline():
    """Gazetteer + geoparser + border, built once per server process."""
    from geo.pipeline import Pipeline
    return Pipeline.open()


def process_articles(store: Path, articles: list[Article]):
    """Run the pipeline on ``articles`` and store them in one transaction (``AddResult``)."""
    pipe = pipeline()
    items = [(r.article, r.events) for r in pipe.process_many(articles, store=_open_store(store, create=True))]
    return _open_store(store, create=True).add(items)


# --- pieces of the page -------------------------------------------------------------

def _filter_key(flt: view.EventFilter) -> tuple:
    def s(x):
        return None if x is None else tuple(sorted(x))
    return (s(flt.types), flt.date_from, flt.date_to, flt.include_undated, s(flt.sides),
            flt.km_min, flt.km_max, s(flt.km_bands), flt.include_unknown_distance, s(flt.articles),
            flt.min_confidence, view.search_key(flt.place_query), s(flt.attackers), s(flt.targets),
            flt.min_numbers, s(flt.langs), s(flt.front_bands), s(flt.controls), flt.include_unknown_front)


KM_RANGE = "bl_km_range"   # (min km, max km or None): what the slider and the numbers show
KM_REV = "bl_km_rev"       # bumped on each change: the three widgets are made anew from KM_RANGE


def _km_changed(source: str, keys: tuple[str, str, str]) -> None:
    """One distance widget changed: record the range and redraw all three from it (new keys,
    defaults from the range, so no widget's state is written behind its back)."""
    slider, lo_key, hi_key = keys
    if source == "slider":
        lo, hi = st.session_state[slider]
        st.session_state[KM_RANGE] = (float(lo), None if math.isinf(hi) else float(hi))
    else:
        lo, hi = st.session_state.get(lo_key), st.session_state.get(hi_key)
        lo = float(lo or 0.0)
        hi = None if hi is None else max(float(hi), lo)
        st.session_state[KM_RANGE] = (lo, hi)
    st.session_state[KM_REV] = st.session_state.get(KM_REV, 0) + 1


def distance_filters(sb) -> tuple[frozenset[str] | None, float | None, float | None, bool]:
    """Bands to choose, a slider with fine stops near the border, and exact min/max km; the
    slider and the numbers follow each other, the bands narrow the range further."""
    lo, hi = st.session_state.get(KM_RANGE, (0.0, None))
    rev = st.session_state.get(KM_REV, 0)
    keys = (f"f_km_slider_{rev}", f"f_km_min_{rev}", f"f_km_max_{rev}")
    sb.markdown("**Distance from the border**")
    bands = sb.segmented_control(
        "Distance bands (none chosen: all)", options=[b.id for b in view.DISTANCE_BANDS],
        format_func=lambda b: next(x.label for x in view.DISTANCE_BANDS if x.id == b),
        selection_mode="multi", key="f_bands")
    sb.select_slider("Distance from the border (km)", options=list(view.KM_STEPS),
                     value=view.snap_km_range(lo, hi), format_func=view.km_step_label, key=keys[0],
                     on_change=_km_changed, args=("slider", keys))
    c1, c2 = sb.columns(2)
    c1.number_input("Min km", min_value=0.0, value=float(lo), step=1.0, format="%.1f", key=keys[1],
                    on_change=_km_changed, args=("numbers", keys))
    c2.number_input("Max km (empty: no limit)", min_value=0.0, value=hi, step=1.0, format="%.1f",
                    key=keys[2], on_change=_km_changed, args=("numbers", keys), placeholder="no limit")
    unknown_km = sb.checkbox("Include events with no distance", value=True, key="f_unknown_km")
    sb.caption(view.markdown_safe(view.FRONT_LINE_NOTE), unsafe_allow_html=True)
    return (frozenset(bands) or None, float(lo) if lo else None,
            None if hi is None else float(hi), unknown_km)


def front_filters(sb, events) -> tuple[frozenset[str] | None, frozenset[str] | None, bool]:
    """Distance from the front line (bands) and control, when a front line is imported."""
    sb.markdown("**Distance from the front line**")
    if "front_km" not in events.columns:
        sb.caption(view.markdown_safe("No front line imported: the command borderline frontline import PATH "
                                      "reads DeepStateMap or ISW files you have (see the README)."),
                   unsafe_allow_html=True)
        return None, None, False
    bands = sb.segmented_control(
        "Front-line bands (none chosen: all)", options=[b.id for b in view.FRONT_BANDS],
        format_func=lambda b: next(x.label for x in view.FRONT_BANDS if x.id == b),
        selection_mode="multi", key="f_front_bands")
    controls = sb.multiselect("Control of the point (none chosen: all)", options=list(view.CONTROLS),
                              format_func=lambda c: view.CONTROLS[c], key="f_controls")
    unknown = sb.checkbox("With front-line bands, also keep events with no front-line distance", value=False,
                          key="f_unknown_front")
    why = view.front_summary(events)
    if why:
        sb.caption(view.markdown_safe(f"No front-line measure: {why}."), unsafe_allow_html=True)
    return frozenset(bands) or None, frozenset(controls) or None, unknown


def sidebar_filters(events) -> view.EventFilter:
    """The sidebar. Empty choices mean "all", and the date range is keyed by the data's
    range, so events added later (other types, dates) are never hidden by a selection made
    before they existed."""
    sb = st.sidebar
    sb.header("Filters")
    place = sb.text_input("Search place (case and accents ignored)", key="f_place",
                          placeholder="e.g. Sumy, Kursk Oblast")
    present = set(events["event_type"]) if len(events) else set()
    types = sb.multiselect("Event types (none chosen: all)",
                           options=[t for t in event_types.TYPE_IDS if t in present]
                           + sorted(str(t) for t in present - set(event_types.TYPE_IDS)),
                           format_func=event_types.label, key="f_types")

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
    langs = sb.multiselect("Language (none chosen: all)", options=view.language_options(events),
                           format_func=view.language_name, key="f_langs")
    bands, km_min, km_max, unknown_km = distance_filters(sb)
    front_bands, controls, unknown_front = front_filters(sb, events)

    attackers = sb.multiselect("Attacker (none chosen: all)", options=view.actor_options(events, "attacker"),
                               format_func=view.actor_name, key="f_attackers")
    targets = sb.multiselect("Target (none chosen: all)", options=view.actor_options(events, "target"),
                             format_func=view.actor_name, key="f_targets")
    with sb.expander("Casualties and weapons (at least)"):
        least = {key: int(st.number_input(label, min_value=0, step=1, value=0, key=f"f_min_{key}"))
                 for key, label in view.NUMBER_KEYS.items()}

    articles = sorted(set(events["article"].dropna().astype(str))) if len(events) else []
    chosen = sb.multiselect("Source articles (none chosen: all)", options=articles, key="f_articles")
    conf = sb.slider("Minimum confidence", 0.0, 1.0, 0.0, step=0.05, key="f_conf")

    return view.EventFilter(
        types=frozenset(types) or None,
        date_from=date_from, date_to=date_to, include_undated=undated,
        sides=frozenset(sides) or None,
        km_min=km_min, km_max=km_max, km_bands=bands, include_unknown_distance=unknown_km,
        articles=frozenset(chosen) or None,
        min_confidence=float(conf),
        place_query=place.strip() or None,
        attackers=frozenset(attackers) or None, targets=frozenset(targets) or None,
        min_numbers=tuple((k, v) for k, v in least.items() if v > 0),
        langs=frozenset(langs) or None,
        front_bands=front_bands, controls=controls, include_unknown_front=unknown_front,
    )


def _shown(value: object, default: str = "unknown") -> object:
    blank = value is None or value is pd.NA or value == "" or (isinstance(value, float) and np.isnan(value))
    return default if blank else value


def _date_text(event: pd.Series) -> str:
    date = _shown(event.get("date"), "")
    if not date:
        return "undated"
    precision = str(_shown(event.get("date_precision"), ""))
    return f"{date} ({precision} only)" if precision in ("month", "year") else str(date)


def _event_choice(event: pd.Series) -> str:
    """One line per event in the list of events at a point."""
    parts = [str(_shown(event.get("date"), "undated")), event_types.label(str(event.get("event_type"))),
             str(_shown(event.get("place_name"), "?"))]
    return " · ".join(parts)


def _counts_text(event: pd.Series) -> str:
    parts = [f"{label.lower()} {int(event[key])}" for key, label in view.NUMBER_KEYS.items()
             if key in event.index and not pd.isna(event[key])]
    return ", ".join(parts) or "none stated"


def _actors_text(event: pd.Series) -> str:
    attacker, target = event.get("attacker"), event.get("target")
    if pd.isna(attacker) and pd.isna(target):
        return "not stated"
    return (f"{view.actor_name(attacker) if not pd.isna(attacker) else '?'} → "
            f"{view.actor_name(target) if not pd.isna(target) else '?'}")


def event_panel(event: pd.Series | None, src: EventSource, version: tuple) -> None:
    """The selected event: every string escaped for st.markdown (``view.markdown_safe``)."""
    if event is None:
        st.caption("Click a marker on the map, or a row of the table, to see its excerpt and details here.")
        return
    md = view.markdown_safe
    excerpt = view.excerpt_markdown(event.get("excerpt"), event.get("place_start"), event.get("place_end"))
    st.markdown(f"<div class='bl-excerpt'>{excerpt}</div>", unsafe_allow_html=True)
    precision = str(_shown(event.get("precision"), ""))
    label = _shown(event.get("type_label"), "") or event_types.label(str(event.get("event_type")))
    written = str(_shown(event.get("place_name")))
    place = str(_shown(event.get("place_label"), "") or written)
    if place != written:
        place = f"{place} (the text says “{written}”)"
    confidence = event.get("confidence")
    rows = [
        ("Type", label),
        ("Date", _date_text(event)),
        ("Place", place),
        ("Precision", PRECISION_TEXT.get(precision, precision)),
        ("Border", border_text(event.get("border_km"), event.get("side"))),
        *([("Front line", view.front_text(event))] if "front_km" in event.index else []),
        ("Attacker → target", _actors_text(event)),
        ("Counts", _counts_text(event)),
        ("Source", next((str(v) for v in (event.get(k) for k in ("source", "sources", "article"))
                         if _shown(v, "")), "unknown")),
        ("Language", view.language_name(event.get("lang"))),
        ("Confidence", confidence_text(confidence) or "unknown"),
        ("Event id", _shown(event.get("event_id"))),
    ]
    st.markdown("<br>".join(f"<b>{md(k)}</b>: {md(v)}" for k, v in rows), unsafe_allow_html=True)
    article = load_article(src, version, str(event.get("article_id")))
    url = view.safe_url(event.get("url")) or view.safe_url(getattr(article, "url", None))
    if url:
        st.link_button("Open the source article", url)
        st.caption(md(url), unsafe_allow_html=True)
    reports = load_reports(src, version, str(event.get("event_id")))
    if len(reports) > 1:
        with st.expander(f"Reported by {len(reports)} articles"):
            for report in reports.itertuples(index=False):
                st.markdown(f"<b>{md(report.source)}</b>: "
                            f"{view.excerpt_markdown(report.excerpt, report.place_start, report.place_end)}",
                            unsafe_allow_html=True)
    with st.expander("Whole article"):
        if article is None:
            st.caption("The article text is not available.")
        else:
            if article.title:
                st.text(article.title)
            st.text(article.text)


def _row_of(events_all, ids: pd.Index, event_id: str) -> pd.Series:
    loc = ids.get_loc(event_id)
    return events_all.iloc[loc if isinstance(loc, (int, np.integer)) else np.flatnonzero(ids == event_id)[0]]


@st.fragment
def map_and_panel(events_all, filtered, flt_key: tuple, version: tuple, src: EventSource,
                  table_id: str | None) -> None:
    """Map + side panel in a fragment: a marker click reruns only this part of the page.

    The panel shows what was chosen last, on the map or in the table (``view.next_selection``);
    a table row also centres the map on its event.
    """
    geo_data = load_geography()
    base_url = vendored_assets()
    ids = event_ids(version, events_all)
    prev = st.session_state.get(SELECTION_KEY) or view.Selection()
    map_id = view.selected_event_id(st.session_state.get(MAP_KEY), ids)
    sel = view.next_selection(prev, map_id=map_id, table_id=table_id if table_id in ids else None)
    st.session_state[SELECTION_KEY] = sel
    event = _row_of(events_all, ids, sel.event_id) if sel.event_id is not None else None

    center = zoom = None
    if sel.source == "table" and event is not None \
            and np.isfinite(pd.to_numeric(event.get("lat"), errors="coerce")) \
            and np.isfinite(pd.to_numeric(event.get("lon"), errors="coerce")):
        center = (float(event["lat"]), float(event["lon"]))
        zoom = SELECTED_ZOOM.get(str(event.get("precision")), 10)
    left, right = st.columns([5, 2], gap="medium")
    with right:   # beside the map, so choosing one never moves the map
        tiles = st.selectbox("Basemap", list(reference.BASEMAPS), key=BASEMAP_KEY,
                             format_func=lambda k: reference.BASEMAPS[k].label)
        if reference.BASEMAPS[tiles].host:
            st.warning(view.markdown_safe(reference.BASEMAPS[tiles].notice))
    with_reference = view.reference_layers_enabled(os.environ)
    labels = map_labels(version, events_all) if with_reference else ()
    # The map marks the table's row for as long as it is selected, whatever is clicked since:
    # a click must not change the map's script (that would remount it and close the popup).
    m = cached_map(version, flt_key, sel.table_seen, filtered, geo_data, base_url, tiles, labels,
                   with_reference, front_drawing(src, version))
    with left:
        st_folium(m, key=MAP_KEY, height=680, use_container_width=True, returned_objects=RETURNED,
                  render=False, center=center, zoom=zoom)
    with right:
        st.subheader("Selected event")
        if event is not None:
            # every event at the point: those the clicked popup lists (within a few pixels
            # on the map) and those on exactly the same coordinates
            listed = view.popup_event_ids(st.session_state.get(MAP_KEY), ids) if sel.source == "map" else []
            if sel.event_id not in listed:
                listed = [sel.event_id]
            same = [str(i) for i in view.events_at_point(filtered, event.get("lat"), event.get("lon"))["event_id"]]
            options = list(dict.fromkeys(listed + same))
            if len(options) > 1:
                picker = st.radio if len(options) <= 30 else st.selectbox
                # a radio renders its labels as Markdown (links, images); a selectbox shows text
                shown = view.markdown_safe if picker is st.radio else str
                labels = {i: shown(_event_choice(_row_of(events_all, ids, i))) for i in options}
                picked = picker(f"{len(options)} events at this point", options=options,
                                index=options.index(sel.event_id), format_func=labels.get,
                                key="stack_" + hashlib.sha1("|".join(options).encode()).hexdigest()[:12])
                event = _row_of(events_all, ids, picked)
        event_panel(event, src, version)
        if geo_data.note:
            with st.expander("About the border line"):
                st.caption(view.markdown_safe(geo_data.note), unsafe_allow_html=True)


TABLE_COLUMNS = {
    "date": "Date", "type_label": "Type", "place_label": "Place", "precision": "Precision",
    "border_km": st.column_config.NumberColumn("Border km", format="%.1f"), "side": "Side",
    "front_km": st.column_config.NumberColumn("Front km", format="%.1f"), "control": "Control",
    "attacker": "Attacker", "target": "Target",
    **{k: st.column_config.NumberColumn(label, format="%d") for k, label in view.NUMBER_KEYS.items()},
    "confidence": st.column_config.NumberColumn("Confidence", format="%.2f"),
    "source": "Publisher", "article": "Source", "url": "URL", "excerpt": "Excerpt", "event_id": "Event id",
}


def table_frame(filtered) -> pd.DataFrame:
    """What the table shows (the most recent TABLE_ROWS when there are more)."""
    frame = pd.DataFrame(filtered[[c for c in TABLE_COLUMNS if c in filtered.columns]])
    if len(frame) > TABLE_ROWS:
        frame = frame.sort_values("date", ascending=False, na_position="last").head(TABLE_ROWS)
    return frame.reset_index(drop=True)


def table_key(flt_key: tuple) -> str:
    # a new filter is a new table: a row number selected in the old one means nothing in it
    return "events_table_" + hashlib.sha1(repr(flt_key).encode()).hexdigest()[:12]


def table_selection(frame: pd.DataFrame, key: str) -> str | None:
    """The event of the table row selected on the last interaction (read before the table
    is drawn, so the map in the same run can centre on it)."""
    state = st.session_state.get(key)
    if not state:
        return None
    selection = state.get("selection") if hasattr(state, "get") else getattr(state, "selection", None)
    rows = selection.get("rows") if hasattr(selection, "get") else getattr(selection, "rows", None)
    return view.table_event_id(rows or [], frame["event_id"]) if len(frame) else None


def events_table(frame: pd.DataFrame, n_filtered: int, key: str) -> None:
    if n_filtered > len(frame):
        st.caption(f"Showing the {len(frame):,} most recent of {n_filtered:,} events; "
                   "the downloads hold them all.")
    st.caption("Click a row's left edge to select its event: the map centres on it and the side panel shows it.")
    st.dataframe(frame, hide_index=True, width="stretch", column_config=TABLE_COLUMNS,
                 on_select="rerun", selection_mode="single-row", key=key)


def time_chart(filtered) -> None:
    import altair as alt

    counts = view.time_counts(filtered)
    per = "day" if counts.freq == "D" else "week"
    st.caption(f"Events per {per} by type")
    if len(counts.frame):
        labels, colors = view.type_colors(sorted(set(counts.frame["event_type"])))
        chart = alt.Chart(counts.frame).mark_bar().encode(
            x=alt.X("period:T", title=per),
            y=alt.Y("sum(events):Q", title="events", stack="zero"),
            color=alt.Color("label:N", title="Type", scale=alt.Scale(domain=labels, range=colors),
                            sort=labels),
            tooltip=[alt.Tooltip("period:T", title=per), alt.Tooltip("label:N", title="type"),
                     alt.Tooltip("events:Q")],
        ).properties(height=260)
        st.altair_chart(chart, width="stretch")
    else:
        st.caption("No events dated to the day.")
    off_axis = [f"undated: {counts.undated:,}"]
    if counts.coarse:
        off_axis.append(f"dated only to a month or year: {counts.coarse:,}")
    st.caption("Not on the time axis: " + "; ".join(off_axis) + " (counted in every other view).")


def charts(filtered) -> None:
    if len(filtered) == 0:
        st.caption("No events match the filters.")
        return
    time_chart(filtered)
    c1, c2 = st.columns(2)
    with c1:
        st.caption("Events by type")
        by_type = filtered["event_type"].map(event_types.label).value_counts()
        st.bar_chart(by_type.rename("events"), horizontal=True)
    with c2:
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


def add_articles(src: EventSource) -> None:
    st.subheader("Add articles")
    if src.store is None:
        st.caption(view.markdown_safe(f"The events shown come from {src.events_file}, a file that is not a "
                                      "Borderline store: adding articles is off."), unsafe_allow_html=True)
        return
    report = st.session_state.pop("ingest_report", None)
    if report:
        for kind, text in report:
            box = {"ok": st.success, "note": st.info}.get(kind, st.error)
            box(view.markdown_safe(text))
    paste_tab, upload_tab = st.tabs(["Paste text", "Upload files"])
    with paste_tab:
        with st.form("paste_form", clear_on_submit=True):
            text = st.text_area("Article text", height=180, key="paste_text")
            c1, c2, c3 = st.columns(3)
            date = c1.date_input("Publication date, if the text has none", value=None, key="paste_date")
            source = c2.text_input("Source name (optional)", key="paste_source", placeholder="pasted")
            url = c3.text_input("Article URL (optional)", key="paste_url", placeholder="https://…")
            lang = st.selectbox("Language", options=list(view.INPUT_LANGUAGES),
                                format_func=view.INPUT_LANGUAGES.get, key="paste_lang")
            go_paste = st.form_submit_button("Process pasted text")
        if go_paste:
            name = view.safe_source_name(source, fallback="pasted") if source.strip() else "pasted"
            items: list[tuple[str, list[Article], list[str]]] = []
            if not text.strip():
                items.append((name, [], [f"{name}: the text is empty"]))
            elif len(text.encode("utf-8", "surrogatepass")) > DEFAULT_MAX_BYTES:
                items.append((name, [], [f"{name}: too large (limit {DEFAULT_MAX_BYTES:,} bytes)"]))
            elif url.strip() and view.safe_url(url) is None:
                items.append((name, [], [f"{name}: the URL is not a plain http(s) address; nothing was stored"]))
            else:
                try:
                    items.append((name, [article_from_text(text, source=name, default_date=date,
                                                           url=view.safe_url(url), default_lang=lang)], []))
                except InputError as err:
                    items.append((name, [], [str(err)]))
            _ingest(src.store, items)
    with upload_tab:
        with st.form("upload_form", clear_on_submit=True):
            files = st.file_uploader("Article files (txt, md, html, jsonl; Telegram export result.json)",
                                     type=UPLOAD_TYPES, accept_multiple_files=True, key="upload_files")
            date = st.date_input("Publication date for files that carry none", value=None, key="upload_date")
            lang = st.selectbox("Language of files that state none", options=list(view.INPUT_LANGUAGES),
                                format_func=view.INPUT_LANGUAGES.get, key="upload_lang")
            st.caption("JSON Lines: one object per line with the fields text and optionally id, date, "
                       "source, title, url, lang (en, uk, ru); the date and language above are used for "
                       "records and files without one. Telegram: a channel's JSON export from Telegram "
                       "Desktop, each message with text an article (see the README).")
            go_upload = st.form_submit_button("Process files")
        if go_upload:
            items = []
            notes: dict[str, list[str]] = {}
            for f in files or []:
                result = view.articles_from_upload(f.name, f.getvalue(), default_date=date, default_lang=lang)
                items.append((result.name, list(result.articles), list(result.errors)))
                notes.setdefault(result.name, []).extend(result.notes)
            if not items:
                items.append(("upload", [], ["no file chosen"]))
            _ingest(src.store, items, notes=notes)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _article_note(article: Article) -> str:
    """Where a stored article came from, for the report line."""
    if article.date is None:
        parts = ["undated"]
    elif article.date_precision == "month":
        parts = [f"dated {article.date:%Y-%m} (month only)"]
    else:
        parts = [f"dated {article.date.isoformat()}"]
    parts.append(view.language_name(article.lang))
    if article.url:
        parts.append(f"URL {article.url}")
    return ", ".join(parts)


def _ingest(store: Path, items: list[tuple[str, list[Article], list[str]]], *,
            notes: dict[str, list[str]] | None = None) -> None:
    """Process and store each article (one transaction each), then rerun to show them.
    ``notes``: per file, what it left out on purpose (skipped Telegram messages)."""
    report: list[tuple[str, str]] = []
    total = sum(len(a) for _, a, _ in items) or 1
    bar = st.progress(0.0, text="Processing…")
    done = 0
    for name, articles, errors in items:
        report.extend(("error", e) for e in errors)
        stored = skipped = new = merged = 0
        for article in articles:
            try:
                result = process_articles(store, [article])
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
            if len(articles) == 1:
                text += f" ({_article_note(articles[0])})"
            report.append(("ok", text))
        if skipped:
            report.append(("ok", f"{name}: {_plural(skipped, 'article')} already stored, skipped"))
        report.extend(("note", note) for note in (notes or {}).pop(name, ()))
    bar.empty()
    st.session_state["ingest_report"] = report
    st.rerun()


# --- the page -----------------------------------------------------------------------

def main() -> None:
    st.set_page_config(page_title="Borderline", layout="wide")
    st.markdown("<style>.bl-excerpt mark{background:#ffe066;padding:0 2px}"
                ".bl-excerpt{font-size:0.95rem;line-height:1.5}</style>", unsafe_allow_html=True)
    src = event_source(sys.argv[1:], dict(os.environ))
    version = source_version(src)
    try:
        events = load_events(src, version)
    except BorderlineError as err:
        st.error(view.markdown_safe(f"The events could not be read: {err}"))
        events = view.enrich_events(view.empty_events())

    st.title("Borderline")
    where = src.events_file if src.events_file is not None else src.data
    st.caption(view.markdown_safe(f"{len(events):,} stored events · data: {where}"))
    flt = sidebar_filters(events)
    filtered = view.filter_events(events, flt)
    st.caption(f"{len(filtered):,} events match the filters.")
    flt_key = _filter_key(flt)
    frame = table_frame(filtered)
    key = table_key(flt_key)
    map_and_panel(events, filtered, flt_key, version, src, table_selection(frame, key))
    tab_table, tab_charts = st.tabs(["Events table", "Charts"])
    with tab_table:
        events_table(frame, len(filtered), key)
    with tab_charts:
        charts(filtered)
    downloads(filtered)
    add_articles(src)


main()
