"""What the app shows, as pure functions over the events table (no Streamlit).

Filters, the event a map click points at, text made safe for ``st.markdown``, upload
handling (bytes in, articles or plain-words errors out) and the filtered downloads.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import tempfile
import unicodedata
from collections.abc import Container, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.articles import DEFAULT_MAX_BYTES, FORMATS, Article, article_from_bytes, articles_from_jsonl
from geo.errors import BorderlineError, InputError
from geo.events import EVENT_COLUMNS
from geo.maps import event_id_from_popup

__all__ = [
    "EventFilter",
    "SIDES",
    "filter_events",
    "selected_event_id",
    "markdown_safe",
    "excerpt_markdown",
    "safe_source_name",
    "articles_from_upload",
    "UploadResult",
    "empty_events",
    "to_geojson_bytes",
    "to_csv_bytes",
    "to_gpkg_bytes",
    "MapGeography",
    "map_geography",
]

#: Side codes the filter knows; "unknown" matches events with no side.
SIDES: dict[str, str] = {"RU": "Russian side", "UA": "Ukrainian side", "unknown": "side unknown"}


@dataclass(frozen=True, slots=True)
class EventFilter:
    """The sidebar's state. ``None`` means "no restriction" for every set-valued field."""

    types: frozenset[str] | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    include_undated: bool = True
    sides: frozenset[str] | None = None
    km_min: float | None = None
    km_max: float | None = None
    include_unknown_distance: bool = True
    articles: frozenset[str] | None = None
    min_confidence: float = 0.0


def empty_events() -> gpd.GeoDataFrame:
    """A table with every ``EVENT_COLUMNS`` column and no rows (the store's dtypes)."""
    from geo.events import empty_events_frame
    return empty_events_frame()


def _col(events: pd.DataFrame, name: str) -> pd.Series:
    return events[name] if name in events.columns else pd.Series([None] * len(events), index=events.index)


def filter_events(events: gpd.GeoDataFrame, flt: EventFilter) -> gpd.GeoDataFrame:
    """The rows of ``events`` that pass ``flt`` (vectorised; the input is not modified)."""
    if len(events) == 0:
        return events
    keep = np.ones(len(events), dtype=bool)
    if flt.types is not None:
        keep &= _col(events, "event_type").isin(flt.types).to_numpy()
    if flt.date_from is not None or flt.date_to is not None or not flt.include_undated:
        dates = pd.to_datetime(_col(events, "date"), errors="coerce", format="mixed")
        known = dates.notna().to_numpy()
        ok = known.copy()
        if flt.date_from is not None:
            ok &= (dates >= pd.Timestamp(flt.date_from)).to_numpy()
        if flt.date_to is not None:
            ok &= (dates <= pd.Timestamp(flt.date_to)).to_numpy()
        keep &= ok | (~known & flt.include_undated)
    if flt.sides is not None:
        side = _col(events, "side").astype("string")
        unknown = (side.isna() | ~side.isin(["RU", "UA"])).to_numpy()
        keep &= side.isin(flt.sides).fillna(False).to_numpy(dtype=bool) | (unknown & ("unknown" in flt.sides))
    if flt.km_min is not None or flt.km_max is not None or not flt.include_unknown_distance:
        km = pd.to_numeric(_col(events, "border_km"), errors="coerce")
        known = km.notna().to_numpy()
        ok = known.copy()
        if flt.km_min is not None:
            ok &= (km >= flt.km_min).fillna(False).to_numpy(dtype=bool)
        if flt.km_max is not None:
            ok &= (km <= flt.km_max).fillna(False).to_numpy(dtype=bool)
        keep &= ok | (~known & flt.include_unknown_distance)
    if flt.articles is not None:
        wanted = set(flt.articles)
        article = _col(events, "article").astype("string")
        in_sources = _col(events, "sources").astype("string").fillna("").map(
            lambda s: any(part in wanted for part in s.split("; ")) if s else False)
        keep &= article.isin(wanted).fillna(False).to_numpy(dtype=bool) | in_sources.to_numpy(dtype=bool)
    if flt.min_confidence > 0:
        conf = pd.to_numeric(_col(events, "confidence"), errors="coerce").fillna(0.0)
        keep &= (conf >= flt.min_confidence).to_numpy()
    return events.loc[keep]


def selected_event_id(map_state: Mapping[str, object] | None, known_ids: Container[str]) -> str | None:
    """The event a map click points at, from st_folium's returned values, if it is known.

    The popup text carries the event id (``geo.maps.POPUP_FIELDS``); st_folium returns
    that text for a click on any marker, whether or not the popup has opened yet.
    """
    if not map_state:
        return None
    for key in ("last_object_clicked_popup", "last_object_clicked_tooltip"):
        event_id = event_id_from_popup(map_state.get(key))
        if event_id is not None and event_id in known_ids:
            return event_id
    return None


# --- text for st.markdown ---------------------------------------------------------

# One pass over the raw text: HTML's specials, the characters the map's escaping adds
# (backtick, dollar, backslash, braces), and the ASCII punctuation Markdown, Streamlit's
# :colour[...] directives, $math$, :emoji: and GFM's bare www./http:// and e-mail autolinks
# act on, all as numeric entities: shown, inert.
_MD_SAFE = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\"'`$\\{}*_[]()#+-!|~:>=^./@%"})


def markdown_safe(value: object) -> str:
    """Text for ``st.markdown(..., unsafe_allow_html=True)``: shown literally, runs nothing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).translate(_MD_SAFE).replace("\r\n", "<br>").replace("\n", "<br>")


def excerpt_markdown(excerpt: object, start: object, end: object) -> str:
    """The whole excerpt, markdown-safe, with the place name in ``<mark>``."""
    text = "" if excerpt is None or (isinstance(excerpt, float) and math.isnan(excerpt)) else str(excerpt)
    try:
        s, e = int(start), int(end)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return markdown_safe(text)
    if not 0 <= s < e <= len(text):
        return markdown_safe(text)
    return (markdown_safe(text[:s]) + "<mark>" + markdown_safe(text[s:e]) + "</mark>"
            + markdown_safe(text[e:]))


# --- uploads ----------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r"[^\w.\- ()]+", re.UNICODE)


def safe_source_name(name: object, *, fallback: str = "upload") -> str:
    """A label for an uploaded file: its last path component, printable, at most 80 chars
    (a long name loses the end of its stem, never its suffix).

    Only ever used as the article's ``source`` label, never to build a path.
    """
    raw = str(name or "")
    raw = raw.replace("\\", "/").rsplit("/", 1)[-1]
    raw = "".join(ch for ch in raw if unicodedata.category(ch)[0] not in ("C",))
    raw = _UNSAFE_NAME.sub("_", raw).strip(" .") or fallback
    if len(raw) <= 80:
        return raw
    suffix = Path(raw).suffix if len(Path(raw).suffix) <= 10 else ""
    return raw[:80 - len(suffix)].rstrip(" .") + suffix   # cut the stem, keep the file type


@dataclass(frozen=True, slots=True)
class UploadResult:
    name: str                        # the safe source name
    articles: tuple[Article, ...]    # parsed articles (a JSON Lines file may hold many)
    errors: tuple[str, ...]          # one plain-words line per problem


def articles_from_upload(name: object, data: bytes, *, default_date: dt.date | None = None,
                         max_bytes: int = DEFAULT_MAX_BYTES) -> UploadResult:
    """Parse an uploaded file (txt, md, html, jsonl) into articles, or say why not."""
    source = safe_source_name(name)
    suffix = Path(source).suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        return UploadResult(source, (), (f"{source}: unsupported file type {suffix or '(none)'} "
                                         f"(use .txt, .md, .html or .jsonl)",))
    if fmt != "jsonl":
        try:
            return UploadResult(source, (article_from_bytes(data, source=source, fmt=fmt,
                                                            default_date=default_date,
                                                            max_bytes=max_bytes),), ())
        except InputError as err:
            return UploadResult(source, (), (str(err),))
    errors: list[str] = []
    articles = list(articles_from_jsonl(io.BytesIO(data), source=source, default_date=default_date,
                                        max_bytes=max_bytes, on_error=lambda err: errors.append(str(err))))
    if not articles and not errors:
        errors.append(f"{source}: empty file")
    return UploadResult(source, tuple(articles), tuple(errors))


# --- what the map draws besides events ------------------------------------------

@dataclass(frozen=True, slots=True)
class MapGeography:
    border: object | None                          # the border line (shapely)
    bands: tuple[tuple[str, object], ...] | None   # distance bands [(label, polygon)]
    outlines: object | None                        # country outlines (GeoJSON dict or GeoDataFrame)
    note: str | None                               # where the border comes from, for a caption
    problem: str | None = None                     # why some of it is missing, in plain words


def map_geography() -> MapGeography:
    """The border line, its distance bands (0-25, 25-50, 50-100 km; beyond 100 km is
    everything else, so it is a filter, not a polygon) and country outlines, from
    ``geo.borders``; outlines from ``geo/data/countries_region.geojson`` when shipped, else
    Russia and Ukraine from the border data. Whatever is missing is None (the map still draws).
    """
    import importlib.resources

    border = bands = outlines = note = problem = None
    loaded = None
    try:
        from geo import borders
        loaded = borders.load_border()
        border = loaded.line
        parts = [getattr(loaded, "source", None), getattr(loaded, "crimea", None)]
        note = "; ".join(str(p) for p in parts if p) or None
        bands = tuple(borders.bands(loaded))
    except ImportError as err:
        problem = f"no border module ({err})"
    except (BorderlineError, OSError, ValueError, TypeError, AttributeError) as err:
        problem = f"the border could not be loaded: {err}"
    try:
        res = importlib.resources.files("geo") / "data" / "countries_region.geojson"
        if res.is_file():
            outlines = json.loads(res.read_text(encoding="utf-8"))
        elif loaded is not None:
            outlines = gpd.GeoSeries([loaded.ru, loaded.ua], crs="EPSG:4326")
    except (OSError, ValueError, AttributeError) as err:
        problem = (problem + "; " if problem else "") + f"no country outlines ({err})"
    return MapGeography(border, bands, outlines, note, problem)


# --- downloads --------------------------------------------------------------------
# The same writers as ``borderline export`` (geo.events / geo.store), on the filtered rows.

def to_geojson_bytes(events: gpd.GeoDataFrame) -> bytes:
    """GeoJSON FeatureCollection (EPSG:4326), properties named as ``EVENT_COLUMNS``."""
    from geo.events import frame_to_geojson
    return frame_to_geojson(events).encode("utf-8")


def to_csv_bytes(events: gpd.GeoDataFrame) -> bytes:
    """CSV with ACLED's column names (``geo.events.frame_to_acled``), formula-looking text defused."""
    from geo.events import frame_to_acled
    return frame_to_acled(events).to_csv(index=False).encode("utf-8")


def to_gpkg_bytes(events: gpd.GeoDataFrame, *, sources: pd.DataFrame | None = None) -> bytes:
    """A GeoPackage of ``events`` (layer ``events``; ``event_sources`` too when given)."""
    from geo.store import write_frame
    with tempfile.TemporaryDirectory(prefix="borderline-export-") as tmp:
        path = Path(tmp) / "events.gpkg"
        frame = gpd.GeoDataFrame(pd.DataFrame(events[[c for c in EVENT_COLUMNS if c in events.columns]]),
                                 geometry=events.geometry.values, crs="EPSG:4326")
        write_frame(frame, "gpkg", path, sources=sources)
        return path.read_bytes()
