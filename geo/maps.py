"""Events in, a layered ``folium.Map`` out. The only pipeline-side module that imports folium.

Design, measured on this machine (see ../shared/notes/stack-notes.md and bench/map.py):

- Markers are canvas ``CircleMarker``s created by one Leaflet GeoJSON layer per event type
  (``prefer_canvas``), never one DOM marker per event and never one ``folium.Popup`` per
  event: 10,000 DOM markers take ~37 s to appear, per-marker popups cost seconds of Jinja
  per Streamlit rerun. Each layer's data is serialised once; the app has the page fetch
  it (``data_sink``) so a click reruns a few-kB script, a saved page embeds it.
- Popups and tooltips are one function per layer over properties that are ALL escaped
  here (``escape``): they are inserted as HTML, and raw article text would execute.
- Precision is drawn honestly: settlement = filled dot; hromada = dot with a dashed rim
  (placed at the hromada's centre); region = a hollow dashed ring to click plus a faint,
  non-clickable 40 km dashed circle (the place is somewhere in that region); country =
  hollow dotted rings in their own layer, off by default.
- No CDN: ``default_js``/``default_css`` point at vendored files (``geo.assets``); the
  legend is plain HTML (a branca ColorMap makes st_folium fetch d3 from a CDN); with no
  tile server the country outlines and the border still draw.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import folium
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from branca.element import Element, MacroElement
from folium.template import Template

from geo.assets import MapAssets, map_assets
from geo.events import EVENT_TYPES

__all__ = [
    "TypeStyle",
    "TYPE_STYLES",
    "PRECISION_TEXT",
    "SIDE_TEXT",
    "POPUP_FIELDS",
    "EVENT_ID_LABEL",
    "escape",
    "excerpt_html",
    "border_text",
    "popup_properties",
    "event_id_from_popup",
    "DataSink",
    "build_map",
]

# --- escaping ---------------------------------------------------------------------

_EXTRA = str.maketrans({"\\": "&#92;", "`": "&#96;", "$": "&#36;", "{": "&#123;", "}": "&#125;"})


def escape(value: object) -> str:
    """Text -> HTML that no browser or template will run.

    ``html.escape``, then backslash, backtick and dollar as entities (folium puts strings
    into JS template literals and JSON, where those break out: stack-notes table), and
    braces: branca re-compiles every rendered script as a Jinja template, so a
    ``{{ ... }}`` in article text would run as Python on the server. None and NaN -> "".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True).translate(_EXTRA)


def excerpt_html(excerpt: object, start: object, end: object, *, max_chars: int | None = None) -> str:
    """The excerpt, escaped, with ``excerpt[start:end]`` (the place name) in ``<mark>``.

    Offsets that do not fit the excerpt give the escaped excerpt with no mark. With
    ``max_chars``, a window of about that many characters around the place is kept and
    the cut ends are shown with an ellipsis.
    """
    text = "" if excerpt is None or (isinstance(excerpt, float) and math.isnan(excerpt)) else str(excerpt)
    try:
        s, e = int(start), int(end)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        s, e = -1, -1
    valid = 0 <= s < e <= len(text)
    lo, hi = 0, len(text)
    if max_chars is not None and len(text) > max_chars:
        centre_lo, centre_hi = (s, e) if valid else (0, 0)
        room = max(0, max_chars - (centre_hi - centre_lo))
        lo = max(0, centre_lo - room // 2)
        hi = min(len(text), max(centre_hi, lo + max_chars) if valid else lo + max_chars)
        lo = max(0, min(lo, hi - max_chars))
    head = "…" if lo > 0 else ""
    tail = "…" if hi < len(text) else ""
    if not valid:
        return head + escape(text[lo:hi]) + tail
    return (head + escape(text[lo:s]) + "<mark>" + escape(text[s:e]) + "</mark>"
            + escape(text[e:hi]) + tail)


# --- styles -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TypeStyle:
    color: str   # CSS colour of the markers
    icon: str    # Font Awesome 6 (free, solid) icon name, shown in the legend, layer control, popup


#: d3's category10 without its grey (grey is the legend's precision key).
TYPE_STYLES: dict[str, TypeStyle] = {
    "drone_strike": TypeStyle("#d62728", "paper-plane"),
    "missile_strike": TypeStyle("#9467bd", "rocket"),
    "energy_strike": TypeStyle("#ff7f0e", "bolt"),
    "air_defense": TypeStyle("#1f77b4", "shield-halved"),
    "ground_assault": TypeStyle("#2ca02c", "person-rifle"),
    "territorial_change": TypeStyle("#8c564b", "flag"),
    "troop_deployment": TypeStyle("#17becf", "truck-moving"),
    "civilian_casualties": TypeStyle("#e377c2", "user-injured"),
    "political": TypeStyle("#bcbd22", "handshake"),
}
_FALLBACK_STYLE = TypeStyle("#333333", "circle")

PRECISION_TEXT: dict[str, str] = {
    "settlement": "settlement",
    "hromada": "hromada centre (approximate)",
    "region": "region only: exact place unknown",
    "country": "country only: exact place unknown",
}

SIDE_TEXT: dict[str, str] = {"RU": "Russian side", "UA": "Ukrainian side"}

#: Popup rows: (property, label). The property values are escaped HTML.
POPUP_FIELDS: tuple[tuple[str, str], ...] = (
    ("bl_excerpt", "Excerpt"),
    ("bl_type", "Type"),
    ("bl_date", "Date"),
    ("bl_place", "Place"),
    ("bl_precision", "Precision"),
    ("bl_border", "Border"),
    ("bl_source", "Source"),
    ("bl_id", "Event id"),
)
EVENT_ID_LABEL = "Event id"
_TOOLTIP_FIELDS = ("bl_place", "bl_type")

_REGION_RADIUS_M = 40_000
_FIT_KM = 500.0   # events further than this from the border do not set the first view
_DEFAULT_CENTER = (49.0, 36.5)   # the border's middle, for an empty map


def border_text(border_km: object, side: object) -> str:
    """"15.8 km from the border, Russian side" (plain text; escape before HTML)."""
    try:
        km = float(border_km)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        km = math.nan
    side_s = "" if side is None or (isinstance(side, float) and math.isnan(side)) else str(side)
    side_t = SIDE_TEXT.get(side_s, side_s)
    if math.isnan(km):
        return f"distance unknown, {side_t}" if side_t else "distance unknown"
    return f"{km:.1f} km from the border" + (f", {side_t}" if side_t else "")


def _date_text(date: object, precision: object) -> str:
    if date is None or (isinstance(date, float) and math.isnan(date)) or str(date) == "":
        return "unknown"
    p = "" if precision is None or (isinstance(precision, float) and math.isnan(precision)) else str(precision)
    return str(date) if p in ("", "day", "unknown") else f"{date} ({p})"


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) == ""


def popup_properties(row: dict[str, object], *, excerpt_chars: int | None = 300) -> dict[str, str]:
    """The escaped popup/tooltip properties of one event (a dict of EVENT_COLUMNS)."""
    etype = str(row.get("event_type") or "")
    label = row.get("type_label")
    label = EVENT_TYPES.get(etype, etype) if _is_blank(label) else label
    precision = "" if _is_blank(row.get("precision")) else str(row.get("precision"))
    sources = row.get("sources")
    source = row.get("article") if _is_blank(sources) else sources
    place = row.get("place_name")
    admin1 = row.get("admin1")
    place_t = escape(place) + ("" if _is_blank(admin1) else f" ({escape(admin1)})")
    return {
        "bl_excerpt": excerpt_html(row.get("excerpt"), row.get("place_start"), row.get("place_end"),
                                   max_chars=excerpt_chars),
        "bl_type": escape(label),
        "bl_date": escape(_date_text(row.get("date"), row.get("date_precision"))),
        "bl_place": place_t,
        "bl_precision": escape(PRECISION_TEXT.get(precision, precision)),
        "bl_border": escape(border_text(row.get("border_km"), row.get("side"))),
        "bl_source": escape(source),
        "bl_id": escape(row.get("event_id")),
    }


_ID_RE = re.compile(re.escape(EVENT_ID_LABEL) + r"\s*:?\s*(\S+)")


def event_id_from_popup(popup_text: object) -> str | None:
    """The event id in a popup's text (what st_folium returns as ``last_object_clicked_popup``)."""
    if not isinstance(popup_text, str):
        return None
    found = _ID_RE.findall(popup_text)
    return found[-1] if found else None


# --- folium elements --------------------------------------------------------------

class _Legend(MacroElement):
    """A Leaflet control holding prebuilt, escaped HTML (no branca, no CDN)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "bl-legend");
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, html_text: str):
        super().__init__()
        self._name = "Legend"
        self.html = html_text


class _IconImagePath(MacroElement):
    """Default Leaflet pins (if any ever appear) load their images from the vendored copy."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.Icon.Default.imagePath = {{ this.path|tojson }};
        {% endmacro %}
    """)

    def __init__(self, path: str):
        super().__init__()
        self._name = "IconImagePath"
        self.path = path


def _swatch(color: str, *, ring: str | None = None, fill: str | None = None) -> str:
    """A small circle like the markers: filled, or a ``ring`` ("dashed", "dotted") only."""
    border = f"2px {ring} {color}" if ring else f"1px solid {color}"
    background = fill or ("transparent" if ring else color)
    return (f'<span style="display:inline-block;width:11px;height:11px;border-radius:50%;'
            f'background:{background};border:{border};vertical-align:middle"></span>')


def _layer_label(style: TypeStyle, text: str) -> str:
    # Leaflet's layer control inserts names as HTML: text is escaped, the rest is ours.
    return (f'{_swatch(style.color)} <i class="fa-solid fa-{style.icon}" style="color:{style.color};'
            f'width:1.2em;text-align:center"></i> {escape(text)}')


def _legend_html(counts: Sequence[tuple[str, str, int]], *, country_count: int, unmapped: int) -> str:
    rows = []
    for etype, label, n in counts:
        st = TYPE_STYLES.get(etype, _FALLBACK_STYLE)
        rows.append(f"<div>{_layer_label(st, label)} <span style='color:#666'>({n:,})</span></div>")
    grey = "#555555"
    key = (
        "<div style='margin-top:4px;border-top:1px solid #ccc;padding-top:3px'>"
        f"<div>{_swatch(grey)} settlement</div>"
        f"<div>{_swatch(grey, ring='dashed', fill='rgba(85,85,85,.45)')} hromada centre (approx.)</div>"
        f"<div>{_swatch(grey, ring='dashed')} region only (dashed area)</div>"
        f"<div>{_swatch(grey, ring='dotted')} country only (own layer)</div>"
        "</div>"
    )
    notes = []
    if country_count:
        notes.append(f"{country_count:,} country-level events: see their layer")
    if unmapped:
        notes.append(f"{unmapped:,} events without coordinates are not drawn")
    note_html = "".join(f"<div style='color:#666'>{escape(n)}</div>" for n in notes)
    # <details>: the reader can fold it away on a small map, no script needed
    return ("<details open style='background:rgba(255,255,255,.92);padding:4px 8px;border-radius:4px;"
            "font:12px/1.45 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:270px'>"
            "<summary style='cursor:pointer;font-weight:bold'>Legend</summary>"
            + "".join(rows) + key + note_html + "</details>")


_PRECISION_CODE = {"settlement": "s", "hromada": "h", "region": "r", "country": "c"}
_ROW_FIELDS = ("event_id", "event_type", "type_label", "place_name", "admin1", "precision", "excerpt",
               "place_start", "place_end", "date", "date_precision", "border_km", "side", "article",
               "sources")


def _feature_collection(frame: pd.DataFrame, lons: np.ndarray, lats: np.ndarray,
                        *, excerpt_chars: int | None) -> dict:
    n = len(frame)
    # Column lists, not per-row dicts: pandas' row iteration over Arrow strings costs
    # more than building the popups themselves.
    cols = {c: (frame[c].tolist() if c in frame.columns else [None] * n) for c in _ROW_FIELDS}
    features = []
    for i in range(n):
        row = {c: cols[c][i] for c in _ROW_FIELDS}
        props = popup_properties(row, excerpt_chars=excerpt_chars)
        props["bl_p"] = _PRECISION_CODE.get(str(row["precision"]), "s")
        features.append({
            "type": "Feature",
            "id": props["bl_id"],
            "geometry": {"type": "Point",
                         "coordinates": [round(float(lons[i]), 5), round(float(lats[i]), 5)]},
            "properties": props,
        })
    return {"type": "FeatureCollection", "features": features}


def _htmlsafe_json(data: object) -> str:
    # What Jinja's |tojson does, done once: inside <script>, < > & ' must not appear raw.
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("'", "\\u0027"))


class _RawScript(Element):
    """Script text put into the page as is.

    branca wraps each rendered macro in ``Element(text)``, which compiles the text as a
    Jinja template: seconds of lexing for megabytes of GeoJSON on every render, and any
    ``{{ }}`` in the data would be evaluated.
    """

    def __init__(self, text: str):
        super().__init__()
        self._name = "RawScript"
        self.text = text

    def render(self, **kwargs: object) -> str:
        return self.text


#: Given the JSON text of one layer, store it and return the URL the page fetches it from.
DataSink = Callable[[str], str]


_POPUP_JS = """function (layer) {
            var p = layer.feature.properties, fields = %s;
            var div = L.DomUtil.create("div", %s);
            div.innerHTML = "<table>" + fields.map(function (f) {
                var v = p[f[0]] == null ? "" : p[f[0]];
                return "<tr>" + (f[1] ? "<th>" + f[1] + "</th>" : "") + "<td>" + v + "</td></tr>";
            }).join("") + "</table>";
            return div;
        }"""


def _popup_js(fields: Sequence[tuple[str, str]], class_name: str) -> str:
    """A popup/tooltip content function: a table of the feature's (escaped) properties.

    What folium's GeoJsonPopup/GeoJsonTooltip do, without their two Jinja compiles per
    render. Bound as a function of the clicked layer, which is also how st_folium reads
    the popup's text (``last_object_clicked_popup``) on a click, before the popup opens.
    """
    return _POPUP_JS % (_htmlsafe_json([[k, escape(label)] for k, label in fields]),
                        _htmlsafe_json(class_name))


class _DataLayer(folium.map.Layer):
    """A Leaflet GeoJSON layer whose data is serialised once, at build time, and either
    embedded or fetched from the URL ``data_sink`` returns. ``kind``: "points" (event
    markers on the canvas, styled per precision code, with popup and tooltip), "extent"
    (unclickable geographic circles), "shapes" (lines/polygons with one style).

    Why not folium.GeoJson: st_folium renders the whole map two or three times on every
    Streamlit rerun (every marker click); folium's template re-encodes all the data each
    time, branca Jinja-compiles every element's output, and the map's bounds are recomputed
    by walking every coordinate (seconds for 10,000 events or the distance bands). Here the
    JSON and the bounds are computed once, and fetched data keeps the script a few kB
    whatever the number of events, so a click reruns in tens of milliseconds.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson(null, {
            {%- if this.kind == "shapes" %}
            style: {{ this.styles_json }},
            {%- else %}
            pointToLayer: function (feature, latlng) {
                var styles = {{ this.styles_json }};
                {%- if this.kind == "extent" %}
                return L.circle(latlng, styles.a);
                {%- else %}
                return L.circleMarker(latlng, styles[feature.properties.bl_p] || styles.s);
                {%- endif %}
            },
            {%- endif %}
            interactive: {{ "true" if this.kind == "points" else "false" }},
        });
        {%- if this.kind == "points" %}
        {{ this.get_name() }}.bindPopup({{ this.popup_js }}, {"maxWidth": 380, "minWidth": 220});
        {{ this.get_name() }}.bindTooltip({{ this.tooltip_js }}, {"sticky": false});
        {%- endif %}
        {%- if this.data_url %}
        fetch({{ this.data_url|tojson }})
            .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
            .then(function (d) { {{ this.get_name() }}.addData(d); })
            .catch(function (e) { console.error("borderline: map data not loaded", e); });
        {%- else %}
        {{ this.get_name() }}.addData({{ this.data_json }});
        {%- endif %}
        {%- if this.show %}
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {%- endif %}
        {% endmacro %}
    """)

    def __init__(self, data: dict, *, kind: str, styles: dict[str, object],
                 bounds: Sequence[float] | None = None, name: str | None = None, show: bool = True,
                 data_sink: DataSink | None = None):
        # name=None: part of a FeatureGroup, not listed in the layer control itself
        super().__init__(name=name, overlay=True, control=name is not None, show=show)
        self._name = "DataLayer"
        self.kind = kind
        if bounds is None:   # points: (lon, lat) of every feature
            xy = np.array([f["geometry"]["coordinates"] for f in data["features"]], dtype=float).reshape(-1, 2)
            bounds = (xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max()) if len(xy) else None
        self._bounds = ([[float(bounds[1]), float(bounds[0])], [float(bounds[3]), float(bounds[2])]]
                        if bounds is not None and np.all(np.isfinite(bounds)) else [[None, None], [None, None]])
        text = _htmlsafe_json(data)
        self.data_url = data_sink(text) if data_sink is not None else None
        self.data_json = None if data_sink is not None else text
        self.styles_json = _htmlsafe_json(styles)
        self.popup_js = _popup_js(POPUP_FIELDS, "bl-popup")
        self.tooltip_js = _popup_js([(f, "") for f in _TOOLTIP_FIELDS], "bl-tooltip")

    def _get_self_bounds(self) -> list[list[float | None]]:
        return self._bounds

    def render(self, **kwargs: object) -> None:
        # Raw, not MacroElement.render: that would Jinja-compile the output (see _RawScript).
        self.get_root().script.add_child(_RawScript(self._template.module.script(self, kwargs)),
                                         name=self.get_name())


class _Style(MacroElement):
    """Page CSS for the popups and tooltips (a header element, compiled once)."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
            .bl-popup table { border-collapse: collapse; font: 12px/1.4 sans-serif; }
            .bl-popup th { text-align: left; vertical-align: top; padding: 1px 8px 1px 0; color: #555; }
            .bl-popup td { vertical-align: top; padding: 1px 0; }
            .bl-popup mark { background: #ffe066; padding: 0 1px; }
            .bl-tooltip table { font: 12px/1.3 sans-serif; }
        </style>
        {% endmacro %}
    """)


def _marker_styles(color: str) -> dict[str, dict[str, object]]:
    """Leaflet path options per precision code: the honest-precision key of the legend."""
    return {
        "s": {"radius": 5, "color": "#222222", "weight": 1, "fill": True, "fillColor": color,
              "fillOpacity": 0.9},
        "h": {"radius": 6, "color": color, "weight": 2, "dashArray": "3 2", "fill": True,
              "fillColor": color, "fillOpacity": 0.45},
        "r": {"radius": 8, "color": color, "weight": 2, "dashArray": "4 3", "fill": False},
        "c": {"radius": 11, "color": color, "weight": 2, "dashArray": "1 4", "fill": False},
    }


def _event_layer(frame: pd.DataFrame, lons: np.ndarray, lats: np.ndarray, color: str,
                 *, excerpt_chars: int | None, data_sink: DataSink | None) -> _DataLayer:
    return _DataLayer(_feature_collection(frame, lons, lats, excerpt_chars=excerpt_chars),
                      kind="points", styles=_marker_styles(color), data_sink=data_sink)


def _extent_layer(lons: np.ndarray, lats: np.ndarray, color: str,
                  *, data_sink: DataSink | None) -> _DataLayer:
    """Faint, unclickable circles where a region-level event may be: never hides a dot."""
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {},
         "geometry": {"type": "Point", "coordinates": [round(float(x), 5), round(float(y), 5)]}}
        for x, y in zip(lons, lats)]}
    styles = {"a": {"radius": _REGION_RADIUS_M, "color": color, "weight": 1, "dashArray": "6 6",
                    "fill": True, "fillColor": color, "fillOpacity": 0.04, "interactive": False}}
    return _DataLayer(data, kind="extent", styles=styles, data_sink=data_sink)


def _shapes_layer(geometry: object, *, name: str, show: bool, style: dict[str, object],
                  data_sink: DataSink | None) -> _DataLayer:
    data = _geojson_of(geometry)
    geoms = [shapely.geometry.shape(f["geometry"]) for f in data["features"]]
    bounds = shapely.total_bounds(geoms) if geoms else None
    return _DataLayer(data, kind="shapes", styles=style, bounds=bounds, name=name, show=show,
                      data_sink=data_sink)


def _lonlat(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    geom = events.geometry if "geometry" in events else None
    if geom is not None and len(events):
        valid = (~geom.isna()) & (~geom.is_empty)
        x = np.full(len(events), np.nan)
        y = np.full(len(events), np.nan)
        if valid.any():
            pts = geom[valid]
            x[valid.to_numpy()] = pts.x.to_numpy()
            y[valid.to_numpy()] = pts.y.to_numpy()
        return x, y
    lon = pd.to_numeric(events.get("lon"), errors="coerce") if "lon" in events else pd.Series(np.nan, index=events.index)
    lat = pd.to_numeric(events.get("lat"), errors="coerce") if "lat" in events else pd.Series(np.nan, index=events.index)
    return lon.to_numpy(dtype=float), lat.to_numpy(dtype=float)


def _geojson_of(obj: object) -> dict:
    """Geometry only, as a FeatureCollection: a shapely geometry, a GeoSeries/GeoDataFrame, or GeoJSON.

    Properties are dropped: the map shows none, and text that reaches folium is Jinja-compiled.
    """
    if isinstance(obj, dict):
        if obj.get("type") == "FeatureCollection":
            geoms = [f.get("geometry") for f in obj.get("features", [])]
        elif obj.get("type") == "Feature":
            geoms = [obj.get("geometry")]
        else:
            geoms = [obj]
        geoms = [shapely.geometry.shape(g) for g in geoms if g]
    elif hasattr(obj, "geometry") and hasattr(obj, "to_crs"):
        frame = obj.to_crs("EPSG:4326") if getattr(obj, "crs", None) is not None else obj
        geoms = list(frame.geometry)
    elif hasattr(obj, "to_crs"):   # GeoSeries
        geoms = list(obj.to_crs("EPSG:4326") if getattr(obj, "crs", None) is not None else obj)
    elif hasattr(obj, "__geo_interface__"):
        geoms = [obj]
    else:
        raise TypeError(f"not a geometry: {type(obj).__name__}")
    features = [{"type": "Feature", "properties": {},
                 "geometry": json.loads(shapely.to_geojson(g))}
                for g in geoms if g is not None and not g.is_empty]
    return {"type": "FeatureCollection", "features": features}


def build_map(
    events: pd.DataFrame,
    *,
    border: object | None = None,
    bands: Iterable[tuple[str, object]] | None = None,
    outlines: object | None = None,
    assets: MapAssets | None = None,
    tiles: bool = True,
    selected_types: Iterable[str] | None = None,
    excerpt_chars: int | None = 300,
    border_label: str = "Russia–Ukraine border",
    height: str | int = "100%",
    collapse_layer_control: bool = False,
    data_sink: DataSink | None = None,
) -> folium.Map:
    """A layered map of ``events`` (a (Geo)DataFrame with ``EVENT_COLUMNS``; Point geometry or lat/lon).

    - One overlay per event type present, named "<icon> <label> (<count>)", shown when its
      type is in ``selected_types`` (default: all); country-level events in one extra
      overlay, off by default.
    - ``border``: the border line (shapely geometry or GeoJSON), its own overlay.
    - ``bands``: ``[(label, polygon)]`` distance bands, one overlay each, off by default.
    - ``outlines``: country outlines (GeoDataFrame/geometry/GeoJSON), an overlay drawn in
      grey so the map reads with no tiles at all.
    - ``assets``: URLs of the vendored JS/CSS (default: the app's ``/app/static/vendor``).
    - ``tiles``: OpenStreetMap as the base layer; without a network the tiles simply fail
      to load and everything else still draws. ``False`` draws no tile layer.
    - ``excerpt_chars``: popups show this much of the excerpt around the place (None: all).
    - ``collapse_layer_control``: show the layer list only on hover (small maps, e.g. in the
      app); the legend always shows the types and the precision key.
    - ``data_sink``: store each layer's GeoJSON and let the page fetch it from the URL it
      returns (the app: a few-kB script per rerun); default: embedded (a standalone page).
    """
    assets = assets or map_assets()
    shown = set(EVENT_TYPES if selected_types is None else selected_types)

    m = folium.Map(location=list(_DEFAULT_CENTER), zoom_start=6, tiles=None, prefer_canvas=True,
                   max_zoom=18, min_zoom=2, control_scale=True, height=height)
    # Per-instance lists: mutating folium's class-level defaults would leak into every map.
    m.default_js = list(assets.js)
    m.default_css = list(assets.css)
    _IconImagePath(assets.icon_image_path).add_to(m)
    _Style().add_to(m)

    if tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", max_zoom=18, control=True).add_to(m)

    if outlines is not None:
        _shapes_layer(outlines, name="Country outlines", show=True, data_sink=data_sink,
                      style={"color": "#6b6b6b", "weight": 1, "fill": True, "fillColor": "#f3f1ea",
                             "fillOpacity": 0.35}).add_to(m)
    for label, geometry in (bands or ()):
        _shapes_layer(geometry, name=escape(f"Border band {label}"), show=False, data_sink=data_sink,
                      style={"color": "#c0392b", "weight": 0.5, "fill": True, "fillColor": "#c0392b",
                             "fillOpacity": 0.08}).add_to(m)
    if border is not None:
        _shapes_layer(border, name=escape(border_label), show=True, data_sink=data_sink,
                      style={"color": "#b2182b", "weight": 2.5, "opacity": 0.9, "dashArray": "8 4",
                             "fill": False}).add_to(m)

    frame = events if isinstance(events, pd.DataFrame) else pd.DataFrame(events)
    lons, lats = _lonlat(frame) if len(frame) else (np.array([]), np.array([]))
    located = np.isfinite(lons) & np.isfinite(lats)
    unmapped = int((~located).sum())
    frame = frame.loc[located]
    lons, lats = lons[located], lats[located]
    precision = frame["precision"].astype("string").fillna("settlement").to_numpy() if len(frame) \
        else np.array([], dtype=object)
    etypes = frame["event_type"].astype("string").fillna("").to_numpy() if len(frame) \
        else np.array([], dtype=object)
    cols = [c for c in frame.columns if c != "geometry"]
    plain = pd.DataFrame(frame[cols]) if len(frame) else frame

    order = list(EVENT_TYPES) + sorted(set(etypes) - set(EVENT_TYPES))
    counts: list[tuple[str, str, int]] = []
    is_country = precision == "country"
    for etype in order:
        in_type = (etypes == etype) & ~is_country
        n = int(in_type.sum())
        if n == 0:
            continue
        label = EVENT_TYPES.get(etype, etype or "Unknown type")
        st = TYPE_STYLES.get(etype, _FALLBACK_STYLE)
        counts.append((etype, label, n))
        group = folium.FeatureGroup(name=_layer_label(st, f"{label} ({n:,})"), show=etype in shown,
                                    overlay=True, control=True)
        region = in_type & (precision == "region")
        if region.any():
            _extent_layer(lons[region], lats[region], st.color, data_sink=data_sink).add_to(group)
        # Region rings first so the exact dots are drawn (and hit) on top of them.
        rank = np.where(precision[in_type] == "region", 0, np.where(precision[in_type] == "hromada", 1, 2))
        idx = np.flatnonzero(in_type)[np.argsort(rank, kind="stable")]
        _event_layer(plain.iloc[idx], lons[idx], lats[idx], st.color,
                     excerpt_chars=excerpt_chars, data_sink=data_sink).add_to(group)
        group.add_to(m)

    n_country = int(is_country.sum())
    if n_country:
        grey = TypeStyle("#555555", "globe")
        group = folium.FeatureGroup(
            name=_layer_label(grey, f"Country-level events, place unknown ({n_country:,})"),
            show=False, overlay=True, control=True)
        for etype in order:
            sel = is_country & (etypes == etype)
            if sel.any():
                idx = np.flatnonzero(sel)
                st = TYPE_STYLES.get(etype, _FALLBACK_STYLE)
                _event_layer(plain.iloc[idx], lons[idx], lats[idx], st.color,
                             excerpt_chars=excerpt_chars, data_sink=data_sink).add_to(group)
        group.add_to(m)

    _Legend(_legend_html(counts, country_count=n_country, unmapped=unmapped)).add_to(m)
    folium.LayerControl(collapsed=collapse_layer_control, position="topright").add_to(m)

    # Open on the war, not on the world: events far from the border (a summit in Pyongyang)
    # stay on the map but do not set the first view.
    km = pd.to_numeric(frame["border_km"], errors="coerce").to_numpy(dtype=float) if len(frame) \
        else np.array([], dtype=float)
    near = ~is_country & ~(km > _FIT_KM)
    south, west, north, east = [], [], [], []
    if near.any():
        south.append(lats[near].min())
        west.append(lons[near].min())
        north.append(lats[near].max())
        east.append(lons[near].max())
    if border is not None:
        bx0, by0, bx1, by1 = shapely.total_bounds(
            [shapely.geometry.shape(f["geometry"]) for f in _geojson_of(border)["features"]])
        south.append(by0)
        west.append(bx0)
        north.append(by1)
        east.append(bx1)
    if south:
        m.fit_bounds([[float(min(south)), float(min(west))], [float(max(north)), float(max(east))]],
                     max_zoom=10)
    _name_like_st_folium(m)
    return m


def _name_like_st_folium(element: MacroElement, base: str = "div") -> None:
    """Give every element the id st_folium would give it (``div``, ``div_0``, ``div_2_0``...).

    st_folium renames all elements on each call and folium remembers the old names in the
    ``addTo`` children it created while rendering; for a map that is built once and shown on
    every rerun (cached), the first and second scripts then differ, the component remounts and
    the map reloads on the first click. Named like this up front, renaming is a no-op and
    every rerun sends the same script. Harmless for a standalone page.
    """
    element._id = base
    for idx, child in enumerate(element._children.values()):
        _name_like_st_folium(child, f"{base}_{idx}")
