"""Events in, a layered ``folium.Map`` out. The only pipeline-side module that imports folium.

Design, measured on this machine (see ../shared/notes/stack-notes.md and bench/map.py):

- Markers are canvas ``CircleMarker``s created by one Leaflet GeoJSON layer per event type
  (``prefer_canvas``), never one DOM marker per event and never one ``folium.Popup`` per
  event: 10,000 DOM markers take ~37 s to appear, per-marker popups cost seconds of Jinja
  per Streamlit rerun. Each layer's data is serialised once; the app has the page fetch
  it (``data_sink``) so a click reruns a few-kB script, a saved page embeds it.
- Popups and tooltips are one page-level function over properties that are ALL escaped
  here (``escape``): they are inserted as HTML, and raw article text would execute.
- Stacked events stay reachable: a click lists every event drawn within a few pixels of
  the clicked marker (seven on one region centre, two villages on one hromada point), each
  with its own details. The popup's text starts with ``Event id: <clicked id>`` and then
  ``Event ids here: <id> <id> ...`` (every listed id, the clicked one first), before any
  event text: :func:`event_id_from_popup` and :func:`event_ids_from_popup` read them.
- Time: every marker carries its first and last possible day (``bl_t``/``bl_u``, days since
  1970-01-01; a month-precision date spans its month). The map's time control (off: "all
  dates") steps a day/week/30-day window or an "up to" date over the data and adds/removes
  only the markers whose state changes, on the same canvas. Undated events show with
  "all dates" and are hidden (and counted in the control) while a window is active.
- Precision is drawn honestly: settlement = filled dot; hromada = dot with a dashed rim
  (placed at the hromada's centre); region = a hollow dashed ring to click plus a faint,
  non-clickable 40 km dashed circle (the place is somewhere in that region); country =
  hollow dotted rings in their own layer, off by default. Heat layers use settlement and
  hromada events only: a region centre is not where anything happened.
- No CDN: ``default_js``/``default_css`` point at vendored files (``geo.assets``); the
  legend is plain HTML, collapsed in the top-left corner (a branca ColorMap makes st_folium
  fetch d3 from a CDN); with no tile server the country outlines and the border still draw.
- Reference layers (``geo.reference``), offline and on by default: water and oblast outlines in
  a pane beneath everything (``blBase``), and names on canvas tiles (``BL.Labels``, a Leaflet
  GridLayer: no DOM element per name; one placement per zoom over the whole map, greedy in rank
  order with a 64-px grid for collisions, so tiles always agree). Their embedded data is parsed
  and drawn after the events' first paint (``BL.defer``). Tiles only when asked (``tiles``).
- A dated overlay is one function passed in ``overlays``: ``snapshot_layer`` draws, of
  features carrying a day, the latest day on or before the window's end, and follows the
  slider (``BL.onTime`` is the underlying hook). The front line (``front_line_layer``) is sent
  day by day instead (``BL.days``): a user may hold ~1,350 daily snapshots of ~170 kB each, so
  each day reaches the page once, when the time control first shows it (fetched from the
  app's data files, or a script beside a page opened from disk), in its own pane beneath the
  names and the events; the time control says which day is drawn.
"""

from __future__ import annotations

import functools
import html
import importlib.resources
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
from folium.plugins import HeatMap
from folium.template import Template

from geo import event_types
from geo.articles import web_url
from geo.assets import MapAssets, map_assets
from geo.reference import (
    LABEL_KINDS, LOCAL_NAME_ZOOM, MapLabel, basemap, region_labels, shipped_water, water_labels,
)

__all__ = [
    "PRECISION_TEXT",
    "SIDE_TEXT",
    "POPUP_FIELDS",
    "EVENT_ID_LABEL",
    "EVENT_IDS_LABEL",
    "escape",
    "excerpt_html",
    "border_text",
    "link_url",
    "confidence_text",
    "popup_properties",
    "event_id_from_popup",
    "event_ids_from_popup",
    "DataSink",
    "LABEL_STYLES",
    "LABEL_SUB_STYLE",
    "label_rows",
    "snapshot_layer",
    "DayShapes",
    "FRONT_STYLES",
    "FRONT_LAYER_NAME",
    "front_line_layer",
    "time_range",
    "MapOverlay",
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


# --- styles and popup text ------------------------------------------------------------

def _type_label(etype: str) -> str:
    """The registry's label; an id this version does not know is shown as itself."""
    return event_types.label(etype) if etype else event_types.get(etype).label


PRECISION_TEXT: dict[str, str] = {
    "settlement": "settlement",
    "hromada": "hromada centre (approximate)",
    "region": "region only: exact place unknown",
    "country": "country only: exact place unknown",
}

SIDE_TEXT: dict[str, str] = {"RU": "Russian side", "UA": "Ukrainian side"}

#: Popup rows: (property, label). The property values are escaped HTML; empty ones are not shown.
POPUP_FIELDS: tuple[tuple[str, str], ...] = (
    ("bl_excerpt", "Excerpt"),
    ("bl_type", "Type"),
    ("bl_date", "Date"),
    ("bl_place", "Place"),
    ("bl_precision", "Precision"),
    ("bl_border", "Border"),
    ("bl_conf", "Confidence"),
    ("bl_source", "Source"),
    ("bl_id", "Event id"),
)
EVENT_ID_LABEL = "Event id"
#: The popup's second line: every event listed in it, the clicked one first, space-separated.
EVENT_IDS_LABEL = "Event ids here"

_REGION_RADIUS_M = 40_000
_FIT_KM = 500.0   # events further than this from the border do not set the first view
_DEFAULT_CENTER = (49.0, 36.5)   # the border's middle, for an empty map
_SELECTED_ZOOM = 9
_NEAR_PX = 3        # a click lists every marker whose disc is within this many pixels of the clicked one
_LIST_DETAILS = 25  # events shown in full in one popup; all ids are listed up to _LIST_IDS
_LIST_IDS = 500


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
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


#: ``value`` if it is an absolute http(s) URL fit to be a link, else None (one check for the
#: pipeline, the map and the app).
link_url = web_url


def confidence_text(value: object) -> str:
    """A confidence as two decimals; "" when it is no finite number."""
    try:
        c = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    return f"{c:.2f}" if math.isfinite(c) else ""


def popup_properties(row: dict[str, object], *, excerpt_chars: int | None = 300) -> dict[str, str]:
    """The escaped popup/tooltip properties of one event (a dict of EVENT_COLUMNS, and
    optionally ``source`` and ``url``).

    The place is ``place_name`` (a region-level event's is its region's name, "Oryol Oblast",
    not the word the text used) with its ``admin1`` code; ``bl_source`` links ``url`` when it is an http(s) URL
    (``target=_blank``, ``rel=noopener noreferrer``), and is escaped text otherwise.
    """
    etype = str(row.get("event_type") or "")
    label = row.get("type_label")
    label = _type_label(etype) if _is_blank(label) else label
    precision = "" if _is_blank(row.get("precision")) else str(row.get("precision"))
    place = row.get("place_name")
    admin1 = row.get("admin1")
    # admin1 is an ISO 3166-2 code ("RU-ORL"): beside a name it says where, alone it says little
    place_t = escape(place) + ("" if _is_blank(admin1) or admin1 == place else f" ({escape(admin1)})")
    source = next((row.get(k) for k in ("source", "sources", "article") if not _is_blank(row.get(k))), None)
    url = link_url(row.get("url"))
    if url is not None:
        source_t = (f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">'
                    f'{escape(url if source is None else source)}</a>')
    else:
        source_t = escape(source)
    return {
        "bl_excerpt": excerpt_html(row.get("excerpt"), row.get("place_start"), row.get("place_end"),
                                   max_chars=excerpt_chars),
        "bl_type": escape(label),
        "bl_date": escape(_date_text(row.get("date"), row.get("date_precision"))),
        "bl_place": place_t,
        "bl_precision": escape(PRECISION_TEXT.get(precision, precision)),
        "bl_border": escape(border_text(row.get("border_km"), row.get("side"))),
        "bl_conf": escape(confidence_text(row.get("confidence"))),
        "bl_source": source_t,
        "bl_id": escape(row.get("event_id")),
    }


# (?!s here): "Event ids here" starts with "Event id"
_ID_RE = re.compile(re.escape(EVENT_ID_LABEL) + r"(?!s here)\s*:?\s*(\S+)")
_IDS_RE = re.compile(re.escape(EVENT_IDS_LABEL) + r"\s*:?[ \t]*([^\n]*)")


def event_id_from_popup(popup_text: object) -> str | None:
    """The clicked event's id in a popup's text (what st_folium returns as
    ``last_object_clicked_popup``): the first ``Event id`` in it, which the popup puts
    before any event's text."""
    if not isinstance(popup_text, str):
        return None
    found = _ID_RE.search(popup_text)
    return found.group(1) if found else None


def event_ids_from_popup(popup_text: object) -> list[str]:
    """Every event listed in a popup (the clicked one first): its ``Event ids here`` line,
    space-separated (the store's ids have no spaces; a popup over more than 500 events ends
    the line with "…" and lists the first 500); a popup without one (an older map) gives
    its one ``Event id``, or nothing."""
    if not isinstance(popup_text, str):
        return []
    found = _IDS_RE.search(popup_text)
    if found:
        return [i for i in found.group(1).split() if i != "…"]
    one = event_id_from_popup(popup_text)
    return [one] if one else []


# --- the page's script: one copy per page, state per map -----------------------------

#: Defines ``window.BL``: popups listing every event at the clicked point, the time filter,
#: heat layers fed from the event layers, the selected event. Kept free of ``{{``, ``{%``
#: and ``{#`` (branca compiles rendered scripts as Jinja templates) and of any data: the
#: event properties it reads are escaped HTML made in Python.
_LIBRARY_JS = r"""
(function () {
"use strict";
if (window.BL) { return; }
var BL = window.BL = {
    FIELDS: __FIELDS__, ID_LABEL: __ID_LABEL__, IDS_LABEL: __IDS_LABEL__,
    NEAR_PX: __NEAR_PX__, MAX_DETAILS: __MAX_DETAILS__, MAX_IDS: __MAX_IDS__, PLAY_MS: 800, DAYS_KEPT: 16,
    LABEL_STYLES: __LABEL_STYLES__, LABEL_SUB: __LABEL_SUB__, LOCAL_ZOOM: __LOCAL_ZOOM__
};
var DAY = 86400000;

BL.state = function (map) {
    if (!map._bl) {
        map._bl = {points: [], timed: [], heats: [], time: null, pending: 0,
                   selected: null, selDone: false};
    }
    return map._bl;
};
function each(gj, fn) {
    var all = gj._blAll || [];
    for (var i = 0; i < all.length; i++) { fn(all[i]); }
}

// A data layer exists; BL.loaded follows once its data is in.
BL.expect = function (map) { BL.state(map).pending += 1; };
// A data layer whose data did not come: it is no longer awaited (a selection elsewhere still opens).
BL.failed = function (map) { BL.state(map).pending -= 1; BL.trySelect(map); };
BL.loaded = function (map, gj, kind) {
    var s = BL.state(map), all = [];
    gj.eachLayer(function (l) { l._blOn = true; all.push(l); });
    gj._blAll = all;
    if (kind === "snapshots") {
        // a dated overlay shows one day: the latest on or before the window's end (BL.snapshot)
        BL.onTime(map, function (t) { BL.snapshot(gj, t); });
    } else {
        s.timed.push(gj);
    }
    if (kind === "points") { s.points.push(gj); }
    if (s.time && kind !== "snapshots") { BL.filterLayer(gj, s.time); }
    s.heats.forEach(function (h) { if (h.src === gj) { BL.heat(h); } });
    s.pending -= 1;
    if (s.pending === 0 && s.eventsPainted == null) {
        // the frame that paints the last event layer (the canvas draws in an earlier callback of it)
        s.eventsPainted = false;
        requestAnimationFrame(function () { s.eventsPainted = performance.now(); });
    }
    BL.trySelect(map);
    map.fire("bl:data");
};

// --- every event at the clicked point ---
BL.here = function (layer) {
    var map = layer._map, s = map && map._bl, out = [];
    if (!s || !layer._point) { return [layer]; }
    var p0 = layer._point, r0 = layer._radius || 0;
    s.points.forEach(function (gj) {
        if (!gj._map) { return; }
        each(gj, function (l) {
            if (l === layer || !l._map || !l._point) { return; }
            var dx = l._point.x - p0.x, dy = l._point.y - p0.y;
            var d = Math.max(r0, l._radius || 0) + BL.NEAR_PX;
            if (dx * dx + dy * dy <= d * d) { out.push(l); }
        });
    });
    out.sort(function (a, b) {
        var ta = a.feature.properties.bl_t, tb = b.feature.properties.bl_t;
        ta = ta == null ? -1e9 : ta;
        tb = tb == null ? -1e9 : tb;
        return (tb - ta) || (a.feature.id < b.feature.id ? -1 : (a.feature.id > b.feature.id ? 1 : 0));
    });
    return [layer].concat(out);
};
function colorOf(l) { return l.options.fillColor || l.options.color || "#333333"; }
function table(p) {
    return "<table>" + BL.FIELDS.map(function (f) {
        var v = p[f[0]];
        if (v == null || v === "") { return ""; }
        // the space and newline keep label and value apart in textContent (st_folium reads that)
        return "<tr><th>" + f[1] + "</th><td> " + v + "</td></tr>\n";
    }).join("") + "</table>";
}
BL.popup = function (layer) {
    var list = BL.here(layer), n = list.length;
    var ids = list.slice(0, BL.MAX_IDS).map(function (l) { return l.feature.properties.bl_id; });
    // ids first, before any event text: what the app parses (geo.maps.event_ids_from_popup)
    var h = "<div class=\"bl-sr\">" + BL.ID_LABEL + ": " + ids[0] + "\n</div>" +
            "<div class=\"bl-sr\">" + BL.IDS_LABEL + ": " + ids.join(" ") + (n > ids.length ? " …" : "") + "\n</div>";
    if (n > 1) {
        h += "<div class=\"bl-here\"><b>" + n + " events at this point</b>" +
             (n > BL.MAX_DETAILS ? " (the first " + BL.MAX_DETAILS + " below)" : "") +
             ": the one clicked first, then newest first.</div>\n";
    }
    list.slice(0, BL.MAX_DETAILS).forEach(function (l, i) {
        var p = l.feature.properties;
        h += "<div class=\"bl-ev\" data-bl-id=\"" + p.bl_id + "\">" +
             (n > 1 ? "<div class=\"bl-evh\"><span class=\"bl-dot\" style=\"background:" + colorOf(l) +
                      "\"></span>" + (i + 1) + ". " + p.bl_type + " · " + p.bl_date + "</div>\n" : "") +
             table(p) + "</div>\n";
    });
    if (n > BL.MAX_DETAILS) {
        h += "<div class=\"bl-more\">… and " + (n - BL.MAX_DETAILS) +
             " more here: zoom in to separate them, or use the table.</div>";
    }
    var div = L.DomUtil.create("div", "bl-popup");
    div.innerHTML = h;
    return div;
};
BL.tooltip = function (layer) {
    var p = layer.feature.properties, n = BL.here(layer).length;
    var div = L.DomUtil.create("div", "bl-tooltip");
    div.innerHTML = "<table><tr><td>" + p.bl_place + "</td></tr>\n<tr><td>" + p.bl_type + "</td></tr>\n" +
        (n > 1 ? "<tr><td><b>" + n + " events here: click to list them all</b></td></tr>\n" : "") + "</table>";
    return div;
};

// --- time ---
BL.inTime = function (p, t) {
    if (p.bl_t == null) { return false; }
    var u = p.bl_u == null ? p.bl_t : p.bl_u;
    return u >= t.lo && p.bl_t <= t.hi;
};
BL.filterLayer = function (gj, t) {
    // only markers whose state changes are added or removed: a step of a week touches a week
    each(gj, function (l) {
        var want = !t || BL.inTime(l.feature.properties, t);
        if (want !== l._blOn) {
            l._blOn = want;
            if (want) { gj.addLayer(l); } else { gj.removeLayer(l); }
        }
    });
};
BL.setTime = function (map, t) {
    var s = BL.state(map);
    s.time = t;
    s.timed.forEach(function (gj) { BL.filterLayer(gj, t); });
    s.heats.forEach(BL.heat);
    (s.onTime || []).forEach(function (fn) { fn(t); });
    map.fire("bl:time");
};
// The hook for a date-driven overlay: fn(window) now and on every change of the time control
// (window: {lo, hi, mode} in days since 1970-01-01, or null for all dates).
BL.onTime = function (map, fn) {
    var s = BL.state(map);
    (s.onTime = s.onTime || []).push(fn);
    fn(s.time);
};
// Of a layer whose features carry a day (bl_t), show those of the latest day on or before the
// window's end (all dates: the latest day of all); none when every day is later.
BL.snapshot = function (gj, t) {
    var hi = t ? t.hi : Infinity, best = null;
    each(gj, function (l) {
        var d = l.feature.properties.bl_t;
        if (d != null && d <= hi && (best === null || d > best)) { best = d; }
    });
    each(gj, function (l) {
        var want = best !== null && l.feature.properties.bl_t === best;
        if (want !== l._blOn) {
            l._blOn = want;
            if (want) { gj.addLayer(l); } else { gj.removeLayer(l); }
        }
    });
    gj._blDay = best;
};
// A dated overlay sent day by day (the front line): days[i] = [first day, last day, ref], in day
// order; ref is a URL to fetch or an index into texts (embedded JSON, parsed when first shown).
// Shown: the entry of the latest day on or before the window's end, none when that entry no
// longer applies (a gap in the series); with all dates, the latest entry. A few parsed days are
// kept, and the next one is loaded ahead for the play button.
BL.days = function (map, gj, days, texts, opts) {
    var s = BL.state(map), cache = new Map(), st = {i: null, day: null, status: "none", opts: opts};
    gj._blFront = st;
    (s.dayLayers = s.dayLayers || []).push(gj);
    function pick(t) {
        var hi = t ? t.hi : Infinity, lo = 0, up = days.length - 1, best = -1;
        while (lo <= up) {
            var mid = (lo + up) >> 1;
            if (days[mid][0] <= hi) { best = mid; lo = mid + 1; } else { up = mid - 1; }
        }
        return best < 0 || (t && hi > days[best][1]) ? null : best;
    }
    function load(i) {
        if (cache.has(i)) { var hit = cache.get(i); cache.delete(i); cache.set(i, hit); return hit; }
        var ref = days[i][2];
        var p = typeof ref === "number" ? Promise.resolve().then(function () { return JSON.parse(texts[ref]); })
            : /\.js$/.test(ref) ? BL.script(ref)
            : fetch(ref).then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
        cache.set(i, p);
        p.catch(function () { cache.delete(i); });
        while (cache.size > BL.DAYS_KEPT) { cache.delete(cache.keys().next().value); }
        return p;
    }
    function done(status) {
        st.status = status;
        st.drawnAt = performance.now();
        map.fire("bl:front", {layer: gj});
    }
    function show(i) {
        st.i = i;
        if (i === null) {
            gj.clearLayers();
            st.day = null;
            done("none");
            return;
        }
        st.status = "loading";
        load(i).then(function (data) {
            if (st.i !== i) { return; }
            gj.clearLayers();
            gj.addData(data);
            st.day = days[i][0];
            done("shown");
            if (i + 1 < days.length) { load(i + 1).catch(function () {}); }
        }).catch(function (e) {
            if (st.i !== i) { return; }
            console.error("borderline: front line not loaded", e);
            gj.clearLayers();
            st.day = null;
            done("failed");
        });
    }
    BL.onTime(map, function (t) {
        var i = days.length ? pick(t) : null;
        if (i !== st.i || st.status === "failed") { show(i); }
    });
};
// A day's data as a script file (geo.assets.ScriptFiles: a page opened from disk may not fetch):
// the file calls BL.dayData(name, text), text being JSON in a string.
var waiting = {};
BL.dayData = function (name, text) {
    var list = waiting[name] || [];
    delete waiting[name];
    var data = JSON.parse(text);
    list.forEach(function (w) { w.resolve(data); });
};
BL.script = function (url) {
    var name = url.slice(url.lastIndexOf("/") + 1).replace(/\.js$/, "");
    return new Promise(function (resolve, reject) {
        (waiting[name] = waiting[name] || []).push({resolve: resolve});
        var el = document.createElement("script");
        el.src = url;
        el.onload = function () { el.remove(); };
        el.onerror = function () {
            el.remove();
            delete waiting[name];
            reject(new Error("not loaded: " + url));
        };
        document.head.appendChild(el);
    });
};
// What a day layer shows, in words for the time control ("front line 2024-07-08").
BL.dayNote = function (map) {
    var s = BL.state(map);
    return (s.dayLayers || []).filter(function (gj) { return gj._map; }).map(function (gj) {
        var st = gj._blFront, o = st.opts;
        if (st.status === "shown") { return o.label + " " + day(st.day); }
        if (st.status === "loading") { return o.label + " loading"; }
        if (st.status === "failed") { return o.label + " not loaded"; }
        return o.none;
    }).join(" · ");
};
BL.counts = function (map) {
    var s = BL.state(map), shown = 0, undated = 0;
    s.points.forEach(function (gj) {
        if (!gj._map) { return; }
        each(gj, function (l) {
            if (l._blOn) { shown += 1; } else if (l.feature.properties.bl_t == null) { undated += 1; }
        });
    });
    return {shown: shown, undated: undated};
};
function day(d) { return new Date(d * DAY).toISOString().slice(0, 10); }
BL.timeControl = function (map, o) {
    var Ctl = L.Control.extend({
        options: {position: o.position},
        onAdd: function () {
            var div = L.DomUtil.create("div", "bl-time leaflet-bar");
            div.innerHTML =
                "<button type=\"button\" class=\"bl-play\" title=\"Play: step the window through time\">&#9654;</button>" +
                "<select class=\"bl-mode\" title=\"Time window\"><option value=\"all\">All dates</option>" +
                "<option value=\"1\">Day</option><option value=\"7\">Week</option>" +
                "<option value=\"30\">30 days</option><option value=\"cum\">Up to date</option></select>" +
                "<input class=\"bl-slider\" type=\"range\" min=\"" + o.lo + "\" max=\"" + o.hi +
                "\" step=\"1\" value=\"" + o.hi + "\" disabled title=\"Last day of the window\">" +
                "<span class=\"bl-tlabel\"></span>";
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            var mode = div.querySelector(".bl-mode"), slider = div.querySelector(".bl-slider");
            var play = div.querySelector(".bl-play"), label = div.querySelector(".bl-tlabel"), timer = null;
            function win() {
                var m = mode.value, e = +slider.value;
                if (m === "all") { return null; }
                if (m === "cum") { return {lo: -1e9, hi: e, mode: m}; }
                return {lo: e - (+m) + 1, hi: e, mode: m};
            }
            function show() {
                var t = win(), c = BL.counts(map), note = BL.dayNote(map);
                note = note ? " · " + note : "";
                if (!t) { label.textContent = "all dates · " + c.shown + " events" + note; return; }
                label.textContent = (t.mode === "cum" ? "up to " + day(t.hi) :
                    (t.lo === t.hi ? day(t.hi) : day(t.lo) + " – " + day(t.hi))) + " · " + c.shown + " events" +
                    (c.undated ? " · " + c.undated + " undated hidden" : "") + note;
            }
            function apply() {
                slider.disabled = mode.value === "all";
                BL.setTime(map, win());
                show();
            }
            function stop() {
                if (timer) { clearInterval(timer); timer = null; }
                play.innerHTML = "&#9654;";
            }
            function stepOf() { return mode.value === "cum" ? 7 : +mode.value; }
            function step() {
                if (+slider.value >= o.hi) { stop(); return; }
                slider.value = Math.min(o.hi, +slider.value + stepOf());
                apply();
            }
            mode.addEventListener("change", function () { stop(); apply(); });
            slider.addEventListener("input", apply);
            play.addEventListener("click", function () {
                if (timer) { stop(); return; }
                if (mode.value === "all") { mode.value = "7"; }
                if (+slider.value >= o.hi) { slider.value = Math.min(o.hi, o.lo + (mode.value === "cum" ? 0 : stepOf() - 1)); }
                apply();
                play.innerHTML = "&#10074;&#10074;";
                timer = setInterval(step, BL.PLAY_MS);
            });
            map.on("bl:data bl:front overlayadd overlayremove", show);
            this.bl = {mode: mode, slider: slider, apply: apply, stop: stop};
            setTimeout(show, 0);
            return div;
        }
    });
    var c = new Ctl();
    c.addTo(map);
    BL.state(map).timeCtl = c;
    return c;
};

// --- heat layers, fed from an event layer's visible markers ---
BL.addHeat = function (map, heat, src) {
    var h = {layer: heat, src: src};
    BL.state(map).heats.push(h);
    if (src._blAll) { BL.heat(h); }
};
BL.heat = function (h) {
    var pts = [];
    each(h.src, function (l) {
        var c = l.feature.properties.bl_p;
        if (l._blOn && (c === "s" || c === "h")) { var ll = l.getLatLng(); pts.push([ll.lat, ll.lng]); }
    });
    h.layer.setLatLngs(pts);
};

// --- the selected event: centred (in Python), ringed, its popup open ---
BL.select = function (map, id) {
    var s = BL.state(map);
    s.selected = id;
    BL.trySelect(map);
};
BL.trySelect = function (map) {
    var s = BL.state(map), found = null;
    if (s.selected == null || s.selDone || s.pending > 0) { return; }
    s.points.forEach(function (gj) {
        if (found) { return; }
        each(gj, function (l) { if (!found && l.feature.id === s.selected) { found = l; } });
    });
    if (!found) { return; }
    s.selDone = true;
    var ll = found.getLatLng();
    if (found._map) { found.bringToFront(); }
    s.highlight = L.layerGroup([
        L.circleMarker(ll, {radius: 14, color: "#ffffff", weight: 6, opacity: 0.9, fill: false, interactive: false}),
        L.circleMarker(ll, {radius: 14, color: "#111111", weight: 2.5, fill: false, interactive: false})
    ]).addTo(map);
    s.selectedLayer = found;
    L.popup({maxWidth: 380, minWidth: 240}).setLatLng(ll).setContent(BL.popup(found)).openOn(map);
    map.fire("bl:selected", {id: s.selected});
};
// --- reference layers: panes beneath the events, and place names drawn on tile canvases ---
// Panes: blBase (country outlines, water, oblast outlines) under blFront (the front line of the
// time control's date) under blLabels (names) under the overlay pane (bands, border, events).
// None takes the mouse: clicks reach the events. Each has its own canvas, so a day's front line
// drawn after the events is still beneath them.
BL.panes = function (map) {
    [["blBase", 250], ["blFront", 290], ["blLabels", 300]].forEach(function (p) {
        if (!map.getPane(p[0])) {
            var el = map.createPane(p[0]);
            el.style.zIndex = p[1];
            el.style.pointerEvents = "none";
        }
    });
};
// Work for the reference layers waits until the events have been painted once: the reader sees
// the events as soon as without them, the context a frame later.
BL.defer = function (map, fn) {
    var s = BL.state(map);
    if (s.deferred === null) { fn(); return; }
    if (!s.deferred) {
        s.deferred = [];
        requestAnimationFrame(function () {
            setTimeout(function () {
                var list = s.deferred;
                s.deferred = null;
                list.forEach(function (f) { f(); });
                map.fire("bl:reference");
            }, 0);
        });
    }
    s.deferred.push(fn);
};
BL.renderer = function (map, pane) {
    var s = BL.state(map);
    s.renderers = s.renderers || {};
    return s.renderers[pane] || (s.renderers[pane] = L.canvas({pane: pane}));
};
// Label text arrives as escaped HTML (made in Python); a canvas draws text, so it is decoded
// here, and only ever drawn with fillText or shown as the escaped original.
var ENTITY = /&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi;
var NAMED = {amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'"};
function unescapeHtml(s) {
    return String(s).replace(ENTITY, function (m, e) {
        var k = e.toLowerCase();
        if (NAMED[k]) { return NAMED[k]; }
        var n = k.charAt(1) === "x" ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10);
        return n > 0 && n < 0x110000 ? String.fromCodePoint(n) : "";
    });
}
// 512-px label tiles: a quarter of the canvases 256 px would need, each drawn once per zoom
var CELL = 64, TILE = 512;
function cellKey(x, y) { return x + ":" + y; }
function cellsOf(b, fn) {
    for (var cx = Math.floor(b[0] / CELL); cx <= Math.floor(b[2] / CELL); cx++) {
        for (var cy = Math.floor(b[1] / CELL); cy <= Math.floor(b[3] / CELL); cy++) { fn(cellKey(cx, cy)); }
    }
}
function overlaps(a, b) { return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]; }
// Where a label may go around its point, in order of preference: a place's name beside its dot
// (right, left, above, below); an area's name (region, water) centred, then nudged up or down.
function spots(st, x, y, w, h) {
    if (st.dot) {
        var d = st.dot + 3;
        return [[x + d, y - h / 2, 0], [x - d - w, y - h / 2, 1], [x - w / 2, y - d - h, 0.5], [x - w / 2, y + d, 0.5]];
    }
    var out = [[x - w / 2, y - h / 2, 0.5]];
    [1, -1, 2, -2].forEach(function (k) { out.push([x - w / 2, y - h / 2 + k * (h + 4), 0.5]); });
    return out;
}
BL.Labels = L.GridLayer.extend({
    options: {pane: "blLabels", tileSize: TILE, updateWhenZooming: false, updateWhenIdle: true, keepBuffer: 1},
    initialize: function (rows, options) {
        L.GridLayer.prototype.initialize.call(this, options);
        this._rows = rows || [];
        this._placed = {};
        this._meta = [];
    },
    setRows: function (rows) {
        this._rows = rows || [];
        this._placed = {};
        this._meta = [];
        if (this._map) { this.redraw(); }
        this.fire("bl:labels");
        return this;
    },
    onAdd: function (map) {
        L.GridLayer.prototype.onAdd.call(this, map);
        map.on("mousemove", this._hover, this);
        map.on("mouseout zoomstart", this._unhover, this);
    },
    onRemove: function (map) {
        map.off("mousemove", this._hover, this);
        map.off("mouseout zoomstart", this._unhover, this);
        this._unhover();
        L.GridLayer.prototype.onRemove.call(this, map);
    },
    // text and widths of row i, measured once
    _info: function (i, ctx) {
        if (this._meta[i]) { return this._meta[i]; }
        var r = this._rows[i], st = BL.LABEL_STYLES[r[2]];
        var text = unescapeHtml(r[5]), sub = r[6] ? unescapeHtml(r[6]) : "";
        if (st.upper) { text = text.toUpperCase(); }
        ctx.font = st.font;
        ctx.letterSpacing = st.spacing || "0px";
        var w = ctx.measureText(text).width;
        ctx.font = BL.LABEL_SUB.font;
        ctx.letterSpacing = "0px";
        var w2 = sub ? ctx.measureText(sub).width : 0;
        return (this._meta[i] = {text: text, sub: sub, w: w, w2: w2, st: st});
    },
    // Every label of zoom z, placed once in world pixels, most important first; a label that
    // would overlap one already placed goes to its next spot, or is left out. One placement per
    // zoom for the whole map, so neighbouring tiles always agree.
    _place: function (z) {
        if (this._placed[z]) { return this._placed[z]; }
        var ctx = this._ctx || (this._ctx = document.createElement("canvas").getContext("2d"));
        var map = this._map, grid = {}, byTile = {}, items = [], withSub = z >= BL.LOCAL_ZOOM;
        for (var i = 0; i < this._rows.length; i++) {
            var r = this._rows[i];
            if (z < r[3] || z > r[4]) { continue; }
            var info = this._info(i, ctx), st = info.st;
            var p = map.project([r[1], r[0]], z);
            var sub = withSub && info.sub ? info.sub : "";
            var w = Math.max(info.w, sub ? info.w2 : 0), h = st.size + 3 + (sub ? BL.LABEL_SUB.size + 3 : 0);
            var cand = spots(st, p.x, p.y, w, h), placed = null;
            for (var c = 0; c < cand.length && !placed; c++) {
                var b = [cand[c][0] - 2, cand[c][1] - 2, cand[c][0] + w + 2, cand[c][1] + h + 2];
                if (st.dot) {
                    b = [Math.min(b[0], p.x - st.dot - 1), Math.min(b[1], p.y - st.dot - 1),
                         Math.max(b[2], p.x + st.dot + 1), Math.max(b[3], p.y + st.dot + 1)];
                }
                var free = true;
                cellsOf(b, function (k) {
                    if (!free || !grid[k]) { return; }
                    for (var j = 0; j < grid[k].length; j++) { if (overlaps(b, grid[k][j].b)) { free = false; return; } }
                });
                if (free) {
                    placed = {r: r, i: i, x: cand[c][0], y: cand[c][1], align: cand[c][2], w: w, px: p.x, py: p.y,
                              b: b, text: info.text, sub: sub, st: st, w1: info.w, w2: info.w2};
                }
            }
            if (!placed) { continue; }
            items.push(placed);
            cellsOf(placed.b, function (k) { (grid[k] = grid[k] || []).push(placed); });
            for (var tx = Math.floor(placed.b[0] / TILE); tx <= Math.floor(placed.b[2] / TILE); tx++) {
                for (var ty = Math.floor(placed.b[1] / TILE); ty <= Math.floor(placed.b[3] / TILE); ty++) {
                    (byTile[cellKey(tx, ty)] = byTile[cellKey(tx, ty)] || []).push(placed);
                }
            }
        }
        return (this._placed[z] = {items: items, grid: grid, byTile: byTile});
    },
    createTile: function (coords) {
        var tile = L.DomUtil.create("canvas", "leaflet-tile"), size = this.getTileSize();
        var ratio = window.devicePixelRatio || 1;
        tile.width = size.x * ratio;
        tile.height = size.y * ratio;
        var ctx = tile.getContext("2d"), names = [];
        ctx.scale(ratio, ratio);
        var list = this._place(coords.z).byTile[cellKey(coords.x, coords.y)] || [];
        var ox = coords.x * size.x, oy = coords.y * size.y;
        ctx.lineJoin = "round";
        ctx.textBaseline = "top";
        list.forEach(function (it) {
            var st = it.st;
            if (st.dot) {
                ctx.beginPath();
                ctx.arc(it.px - ox, it.py - oy, st.dot, 0, 2 * Math.PI);
                ctx.fillStyle = st.dotColor;
                ctx.fill();
                ctx.lineWidth = 1;
                ctx.strokeStyle = "#ffffff";
                ctx.stroke();
            }
            var lines = [[it.text, st.font, st.spacing || "0px", st.color, it.w1, st.size]];
            if (it.sub) { lines.push([it.sub, BL.LABEL_SUB.font, "0px", BL.LABEL_SUB.color, it.w2, BL.LABEL_SUB.size]); }
            var y = it.y - oy;
            lines.forEach(function (ln) {
                var x = it.x - ox + it.align * (it.w - ln[4]);
                ctx.font = ln[1];
                ctx.letterSpacing = ln[2];
                ctx.lineWidth = st.halo;
                ctx.strokeStyle = st.haloColor;
                ctx.strokeText(ln[0], x, y);
                ctx.fillStyle = ln[3];
                ctx.fillText(ln[0], x, y);
                names.push(ln[0]);
                y += ln[5] + 3;
            });
        });
        tile._blNames = names;
        return tile;
    },
    // The names drawn on the tiles of the current zoom (what a reader sees, and tests read).
    drawnNames: function () {
        var out = [], tiles = this._tiles || {};
        Object.keys(tiles).forEach(function (k) {
            if (tiles[k].current && tiles[k].el._blNames) { out.push.apply(out, tiles[k].el._blNames); }
        });
        return out;
    },
    // Hovering a name shows it with its local (Cyrillic) name, unless an event is under the mouse.
    _hover: function (e) {
        // the mouse on a control (the time control, the legend) is not on a name beneath it
        var target = e.originalEvent && e.originalEvent.target;
        if (target && target.closest && target.closest(".leaflet-control")) { this._unhover(); return; }
        var map = this._map, z = map.getZoom(), pl = this._placed[z], hit = null;
        var hovered = map._renderer && map._renderer._hoveredLayer;
        if (pl && !hovered) {
            var p = map.project(e.latlng, z), cell = pl.grid[cellKey(Math.floor(p.x / CELL), Math.floor(p.y / CELL))] || [];
            for (var j = 0; j < cell.length && !hit; j++) {
                var b = cell[j].b;
                if (p.x >= b[0] && p.x <= b[2] && p.y >= b[1] && p.y <= b[3]) { hit = cell[j]; }
            }
        }
        if (hit === this._hot) { return; }
        this._unhover();
        if (!hit || !hit.r[6]) { return; }
        this._hot = hit;
        this._tip = this._tip || L.tooltip({direction: "top", offset: [0, -6], className: "bl-label-tip"});
        // escaped HTML from Python, never the decoded text
        this._tip.setLatLng([hit.r[1], hit.r[0]]).setContent(hit.r[5] + " · " + hit.r[6]);
        map.openTooltip(this._tip);
    },
    _unhover: function () {
        this._hot = null;
        if (this._tip && this._map) { this._map.closeTooltip(this._tip); }
    }
});
BL.labelNames = function (map) {
    var layer = BL.state(map).labels;
    return layer && layer._map ? layer.drawnNames() : [];
};
})();
"""


def _htmlsafe_json(data: object) -> str:
    # What Jinja's |tojson does, done once: inside <script>, < > & ' must not appear raw.
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("'", "\\u0027"))


def _js_string(text: str) -> str:
    """``text`` (HTML-safe JSON: no raw < > & ') as a JavaScript string literal."""
    return (json.dumps(text, ensure_ascii=False)
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _library_js() -> str:
    consts = {
        "__FIELDS__": _htmlsafe_json([[k, escape(label)] for k, label in POPUP_FIELDS]),
        "__ID_LABEL__": _htmlsafe_json(escape(EVENT_ID_LABEL)),
        "__IDS_LABEL__": _htmlsafe_json(escape(EVENT_IDS_LABEL)),
        "__NEAR_PX__": str(_NEAR_PX),
        "__MAX_DETAILS__": str(_LIST_DETAILS),
        "__MAX_IDS__": str(_LIST_IDS),
        "__LABEL_STYLES__": _htmlsafe_json([LABEL_STYLES[k] for k in LABEL_KINDS]),
        "__LABEL_SUB__": _htmlsafe_json(LABEL_SUB_STYLE),
        "__LOCAL_ZOOM__": str(LOCAL_NAME_ZOOM),
    }
    text = _LIBRARY_JS
    for key, value in consts.items():
        text = text.replace(key, value)
    return text


# --- folium elements --------------------------------------------------------------

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


def _map_of(element: object) -> folium.Map:
    el = element
    while el is not None and not isinstance(el, folium.Map):
        el = getattr(el, "_parent", None)
    if el is None:
        raise TypeError("a borderline map element must be inside a folium.Map")
    return el


class _Library(MacroElement):
    """``window.BL`` (see _LIBRARY_JS) and this map's state; the map's first child."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.js }}
        BL.state({{ this._parent.get_name() }});
        BL.panes({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "BorderlineLibrary"
        self.js = _library_js()

    def render(self, **kwargs: object) -> None:
        self.get_root().script.add_child(_RawScript(self._template.module.script(self, kwargs)),
                                         name=self.get_name())


class _Legend(MacroElement):
    """A Leaflet control holding prebuilt, escaped HTML (no branca, no CDN)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var legend = L.control({position: {{ this.position|tojson }}});
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

    def __init__(self, html_text: str, *, position: str = "topleft"):
        super().__init__()
        self._name = "Legend"
        self.html = html_text
        self.position = position


class _TimeControl(MacroElement):
    """The date window control (``BL.timeControl``): off ("All dates") until the reader picks one."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        BL.timeControl({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, lo: int, hi: int, *, position: str = "bottomleft"):
        super().__init__()
        self._name = "TimeControl"
        self.options = {"lo": int(lo), "hi": int(hi), "position": position}


class _Selection(MacroElement):
    """Ring the selected event and open its popup once every event layer has its data."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        BL.select({{ this._parent.get_name() }}, {{ this.event_id|tojson }});
        {% endmacro %}
    """)

    def __init__(self, event_id: str):
        super().__init__()
        self._name = "Selection"
        self.event_id = event_id


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


def _swatch(color: str, *, ring: str | None = None, fill: str | None = None,
            square: bool = False) -> str:
    """A small circle like the markers: filled, or a ``ring`` ("dashed", "dotted") only;
    ``square`` for area fills (bands)."""
    border = f"2px {ring} {color}" if ring else f"1px solid {color}"
    background = fill or ("transparent" if ring else color)
    shape = "2px" if square else "50%"
    return (f'<span style="display:inline-block;width:11px;height:11px;border-radius:{shape};'
            f'background:{background};border:{border};vertical-align:middle"></span>')


def _layer_label(color: str, icon: str, text: str) -> str:
    # Leaflet's layer control inserts names as HTML: text is escaped, the rest is ours.
    return (f'{_swatch(color)} <i class="fa-solid fa-{escape(icon)}" style="color:{color};'
            f'width:1.2em;text-align:center"></i> {escape(text)}')


#: Distance band fills, nearest band first: hue, opacity and outline all differ, so the bands
#: read apart with or without tiles and when several are ticked at once.
_BAND_STYLES: tuple[dict[str, object], ...] = (
    {"color": "#67000d", "weight": 1.2, "fill": True, "fillColor": "#cb181d", "fillOpacity": 0.38},
    {"color": "#a63603", "weight": 1, "dashArray": "6 3", "fill": True, "fillColor": "#fd8d3c",
     "fillOpacity": 0.30},
    {"color": "#7a6a00", "weight": 1, "dashArray": "2 3", "fill": True, "fillColor": "#fee391",
     "fillOpacity": 0.42},
    {"color": "#08519c", "weight": 1, "dashArray": "1 5", "fill": True, "fillColor": "#9ecae1",
     "fillOpacity": 0.22},
)


def _band_style(index: int) -> dict[str, object]:
    return dict(_BAND_STYLES[min(index, len(_BAND_STYLES) - 1)])


def _legend_html(counts: Sequence[tuple[str, str, int]], *, country_count: int, unmapped: int,
                 band_labels: Sequence[str] = (), undated: int = 0, timed: bool = False,
                 basemap_host: str | None = None, extra: Sequence[str] = ()) -> str:
    rows = []
    for etype, label, n in counts:
        t = event_types.get(etype)
        rows.append(f"<div>{_layer_label(t.color, t.icon, label)} <span style='color:#666'>({n:,})</span></div>")
    grey = "#555555"
    key = (
        "<div style='margin-top:4px;border-top:1px solid #ccc;padding-top:3px'>"
        f"<div>{_swatch(grey)} settlement</div>"
        f"<div>{_swatch(grey, ring='dashed', fill='rgba(85,85,85,.45)')} hromada centre (approx.)</div>"
        f"<div>{_swatch(grey, ring='dashed')} region only (dashed area)</div>"
        f"<div>{_swatch(grey, ring='dotted')} country only (own layer)</div>"
        "<div style='color:#666'>Stacked events: a click lists every event at that point.</div>"
        "</div>"
    )
    bands = ""
    if band_labels:
        items = []
        for i, label in enumerate(band_labels):
            st = _band_style(i)
            items.append(f"<div>{_swatch(str(st['fillColor']), square=True)} {escape(label)}</div>")
        bands = ("<div style='margin-top:4px;border-top:1px solid #ccc;padding-top:3px'>"
                 "<div style='color:#666'>Border bands (layers, off at first):</div>" + "".join(items) + "</div>")
    notes = []
    if country_count:
        notes.append(f"{country_count:,} country-level events: see their layer")
    if unmapped:
        notes.append(f"{unmapped:,} events without coordinates are not drawn")
    if basemap_host:
        notes.append(f"Basemap tiles are fetched by your browser from {basemap_host}")
    if timed:
        notes.append("Time control (bottom left): all dates at first"
                     + (f"; {undated:,} undated events are hidden while a window is set" if undated else ""))
    note_html = "".join(f"<div style='color:#666'>{escape(n)}</div>" for n in notes)
    # <details>, closed: a small button until the reader opens it, so it hides no data
    return ("<details class='bl-legend-box'>"
            "<summary title='Legend'><i class='fa-solid fa-circle-info'></i> Legend</summary>"
            "<div class='bl-legend-body'>" + "".join(rows) + key + bands + "".join(extra) + note_html
            + "</div></details>")


_PRECISION_CODE = {"settlement": "s", "hromada": "h", "region": "r", "country": "c"}
_ROW_FIELDS = ("event_id", "event_type", "type_label", "place_name", "admin1", "precision", "excerpt",
               "place_start", "place_end", "date", "date_precision", "border_km", "side", "article",
               "sources", "source", "url", "confidence")
_EPOCH = pd.Timestamp("1970-01-01")


def _day_spans(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """First and last possible day of each event (days since 1970-01-01; -1: undated).

    A month-precision date ("2024-12" or "2024-12-01" with precision "month") spans its
    month, a year its year: a time window shows the event when it overlaps that span.
    """
    n = len(frame)
    if n == 0 or "date" not in frame.columns:
        return np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64)
    text = frame["date"].astype("string").str.strip().str.slice(0, 10)
    start = pd.to_datetime(text, errors="coerce", format="ISO8601")
    if "date_precision" in frame.columns:
        precision = frame["date_precision"].astype("string").fillna("").to_numpy()
    else:
        precision = np.full(n, "", dtype=object)
    length = text.str.len().fillna(0).to_numpy()
    month = (precision == "month") | (length == 7)
    year = (precision == "year") | (length == 4)
    end = start.copy()
    if month.any():
        end[month] = start[month] + pd.offsets.MonthEnd(0)
    if year.any():
        end[year] = start[year] + pd.offsets.YearEnd(0)
    known = start.notna().to_numpy()
    lo = np.full(n, -1, dtype=np.int64)
    hi = np.full(n, -1, dtype=np.int64)
    lo[known] = ((start[known] - _EPOCH) // pd.Timedelta(days=1)).to_numpy(dtype=np.int64)
    hi[known] = ((end[known] - _EPOCH) // pd.Timedelta(days=1)).to_numpy(dtype=np.int64)
    return lo, np.maximum(lo, hi)


def time_range(events: pd.DataFrame) -> tuple[int, int] | None:
    """The time control's first and last day (days since 1970-01-01) for ``events`` as
    ``build_map`` draws them (events with a point and a date); None when it has no control."""
    frame = events if isinstance(events, pd.DataFrame) else pd.DataFrame(events)
    if not len(frame):
        return None
    lons, lats = _lonlat(frame)
    located = np.isfinite(lons) & np.isfinite(lats)
    cols = [c for c in frame.columns if c != "geometry"]
    lo, hi = _day_spans(pd.DataFrame(frame.loc[located, cols]))
    dated = lo >= 0
    return (int(lo[dated].min()), int(hi[dated].max())) if dated.any() else None


def _feature_collection(frame: pd.DataFrame, lons: np.ndarray, lats: np.ndarray,
                        days: tuple[np.ndarray, np.ndarray], *, excerpt_chars: int | None) -> dict:
    n = len(frame)
    # Column lists, not per-row dicts: pandas' row iteration over Arrow strings costs
    # more than building the popups themselves.
    cols = {c: (frame[c].tolist() if c in frame.columns else [None] * n) for c in _ROW_FIELDS}
    lo, hi = days[0].tolist(), days[1].tolist()
    features = []
    for i in range(n):
        row = {c: cols[c][i] for c in _ROW_FIELDS}
        props: dict[str, object] = popup_properties(row, excerpt_chars=excerpt_chars)  # type: ignore[assignment]
        props["bl_p"] = _PRECISION_CODE.get(str(row["precision"]), "s")
        if lo[i] >= 0:
            props["bl_t"] = lo[i]
            if hi[i] != lo[i]:
                props["bl_u"] = hi[i]
        features.append({
            "type": "Feature",
            "id": props["bl_id"],
            "geometry": {"type": "Point",
                         "coordinates": [round(float(lons[i]), 5), round(float(lats[i]), 5)]},
            "properties": props,
        })
    return {"type": "FeatureCollection", "features": features}


#: Given the JSON text of one layer, store it and return the URL the page fetches it from.
DataSink = Callable[[str], str]


class _DataLayer(folium.map.Layer):
    """A Leaflet GeoJSON layer whose data is serialised once, at build time, and either
    embedded or fetched from the URL ``data_sink`` returns. ``kind``: "points" (event
    markers on the canvas, styled per precision code, with the page's popup and tooltip,
    filtered by the time control), "extent" (unclickable geographic circles, filtered by
    time), "shapes" (lines/polygons with one style), "snapshots" (lines/polygons with one style
    and a day each, ``bl_t``: the time control shows the latest day on or before its window's
    end, ``BL.snapshot``). ``pane``: draw in that map pane (``blBase``: beneath the labels and
    the events) on its own canvas.

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
            {%- if this.pane %}
            pane: {{ this.pane|tojson }},
            renderer: BL.renderer({{ this.map_name }}, {{ this.pane|tojson }}),
            {%- endif %}
            {%- if this.kind in ("shapes", "snapshots") and this.styled_by %}
            style: function (feature) { return ({{ this.styles_json }})[feature.properties.bl_k] || {}; },
            {%- elif this.kind in ("shapes", "snapshots") %}
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
            {%- if this.attribution %}
            attribution: {{ this.attribution|tojson }},
            {%- endif %}
        });
        {%- if this.kind == "points" %}
        {{ this.get_name() }}.bindPopup(BL.popup, {"maxWidth": 380, "minWidth": 240});
        {{ this.get_name() }}.bindTooltip(BL.tooltip, {"sticky": false});
        {%- endif %}
        {%- if this.kind != "shapes" %}
        BL.expect({{ this.map_name }});
        {%- endif %}
        {%- if this.data_url %}
        fetch({{ this.data_url|tojson }})
            .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
            .then(function (d) {
                {{ this.get_name() }}.addData(d);
                {%- if this.kind != "shapes" %}
                BL.loaded({{ this.map_name }}, {{ this.get_name() }}, {{ this.kind|tojson }});
                {%- endif %}
            })
            .catch(function (e) {
                console.error("borderline: map data not loaded", e);
                {%- if this.kind != "shapes" %}
                BL.failed({{ this.map_name }});
                {%- endif %}
            });
        {%- if this.show %}
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {%- endif %}
        {%- elif this.deferred %}
        BL.defer({{ this.map_name }}, function () { {{ this.get_name() }}.addData(JSON.parse({{ this.data_str }})); });
        {%- if this.show %}
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {%- endif %}
        {%- else %}
        {{ this.get_name() }}.addData({{ this.data_json }});
        {%- if this.show %}
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {%- endif %}
        {%- if this.kind != "shapes" %}
        BL.loaded({{ this.map_name }}, {{ this.get_name() }}, {{ this.kind|tojson }});
        {%- endif %}
        {%- endif %}
        {% endmacro %}
    """)

    def __init__(self, data: dict, *, kind: str, styles: dict[str, object],
                 bounds: Sequence[float] | None = None, name: str | None = None, show: bool = True,
                 data_sink: DataSink | None = None, attribution: str | None = None, pane: str | None = None):
        # name=None: part of a FeatureGroup, not listed in the layer control itself
        super().__init__(name=name, overlay=True, control=name is not None, show=show)
        self._name = "DataLayer"
        self.kind = kind
        self.pane = pane
        # shapes styled per feature: ``styles`` maps each feature's ``properties.bl_k`` to its style
        self.styled_by = kind in ("shapes", "snapshots") and bool(data.get("features")) and all(
            "bl_k" in (f.get("properties") or {}) for f in data["features"])
        self.attribution = escape(attribution) if attribution else None
        self.map_name = ""
        if bounds is None and kind == "snapshots":
            geoms = [shapely.geometry.shape(f["geometry"]) for f in data["features"] if f.get("geometry")]
            bounds = tuple(shapely.total_bounds(geoms)) if geoms else None
        if bounds is None:   # points: (lon, lat) of every feature
            xy = np.array([f["geometry"]["coordinates"] for f in data["features"]], dtype=float).reshape(-1, 2)
            bounds = (xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max()) if len(xy) else None
        self._bounds = ([[float(bounds[1]), float(bounds[0])], [float(bounds[3]), float(bounds[2])]]
                        if bounds is not None and np.all(np.isfinite(bounds)) else [[None, None], [None, None]])
        text = _htmlsafe_json(data)
        self.data_url = data_sink(text) if data_sink is not None else None
        self.data_json = None if data_sink is not None else text
        # Reference shapes (in a pane of their own) are parsed and drawn after the events' first
        # paint (BL.defer), from a string: a JSON.parse off the critical path, not a JS literal on it.
        self.deferred = pane is not None and kind == "shapes" and data_sink is None
        self.data_str = _js_string(text) if self.deferred else None
        self.styles_json = _htmlsafe_json(styles)

    def _get_self_bounds(self) -> list[list[float | None]]:
        return self._bounds

    def render(self, **kwargs: object) -> None:
        self.map_name = _map_of(self).get_name()
        # Raw, not MacroElement.render: that would Jinja-compile the output (see _RawScript).
        self.get_root().script.add_child(_RawScript(self._template.module.script(self, kwargs)),
                                         name=self.get_name())


#: Label styles per kind (geo.reference.LABEL_KINDS), as the canvas draws them: the map's own
#: sans-serif, dark text on a white halo; places with a dot, areas centred in spaced or italic type.
_HALO = {"halo": 3, "haloColor": "rgba(255,255,255,0.92)"}
LABEL_STYLES: dict[str, dict[str, object]] = {
    "capital": {"font": "bold 13px sans-serif", "size": 13, "color": "#1a1a1a", "dot": 3.2, "dotColor": "#222222",
                **_HALO},
    "city": {"font": "bold 12px sans-serif", "size": 12, "color": "#222222", "dot": 2.6, "dotColor": "#333333", **_HALO},
    "town": {"font": "11px sans-serif", "size": 11, "color": "#2b2b2b", "dot": 2.0, "dotColor": "#444444", **_HALO},
    "village": {"font": "10.5px sans-serif", "size": 11, "color": "#3a3a3a", "dot": 1.6, "dotColor": "#555555",
                **_HALO},
    "region": {"font": "600 11px sans-serif", "size": 11, "color": "#7a6a5a", "upper": True, "spacing": "1.5px",
               **_HALO},
    "sea": {"font": "italic 13px sans-serif", "size": 13, "color": "#3d6f9e", "spacing": "2px", **_HALO},
    "lake": {"font": "italic 11px sans-serif", "size": 11, "color": "#3d6f9e", **_HALO},
    "river": {"font": "italic 11px sans-serif", "size": 11, "color": "#3d6f9e", **_HALO},
}
#: The second line, the local (Cyrillic) name, from LOCAL_NAME_ZOOM on.
LABEL_SUB_STYLE: dict[str, object] = {"font": "10px sans-serif", "size": 10, "color": "#555555"}
_KIND_INDEX = {k: i for i, k in enumerate(LABEL_KINDS)}


def label_rows(labels: Iterable[MapLabel]) -> list[list[object]]:
    """The page's label data, in placement order (``rank``): ``[lon, lat, kind index, min zoom,
    max zoom, name, local name]``, the names escaped (they are data: canvas text, and HTML in the
    hover tooltip)."""
    rows = []
    for lab in sorted(labels, key=lambda lab: lab.rank):
        if lab.kind not in _KIND_INDEX or not (math.isfinite(lab.lon) and math.isfinite(lab.lat)):
            continue
        rows.append([round(float(lab.lon), 5), round(float(lab.lat), 5), _KIND_INDEX[lab.kind], int(lab.min_zoom),
                     int(lab.max_zoom), escape(lab.name), escape(lab.local)])
    return rows


class _LabelLayer(folium.map.Layer):
    """Place, region and water names drawn on canvas tiles (``BL.Labels``, a Leaflet GridLayer):
    no DOM element per name, placed once per zoom with collision avoidance across the whole map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = new BL.Labels([], {{ this.options_json }});
        BL.state({{ this.map_name }}).labels = {{ this.get_name() }};
        // on the map once its names are in: no empty tiles made first and then again
        {%- if not this.data_url %}
        BL.defer({{ this.map_name }}, function () {
            {{ this.get_name() }}.setRows(JSON.parse({{ this.rows_str }}));
            {%- if this.show %}
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
            {%- endif %}
        });
        {%- else %}
        fetch({{ this.data_url|tojson }})
            .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
            .then(function (d) {
                {{ this.get_name() }}.setRows(d.labels);
                {%- if this.show %}
                {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
                {%- endif %}
            })
            .catch(function (e) { console.error("borderline: map labels not loaded", e); });
        {%- endif %}
        {% endmacro %}
    """)

    def __init__(self, labels: Iterable[MapLabel], *, name: str, show: bool = True, attribution: str | None = None,
                 data_sink: DataSink | None = None):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "LabelLayer"
        rows = label_rows(labels)
        self.n_labels = len(rows)
        self.data_url = data_sink(_htmlsafe_json({"labels": rows})) if data_sink is not None else None
        # embedded names are parsed and placed after the events' first paint (BL.defer)
        self.rows_str = None if data_sink is not None else _js_string(_htmlsafe_json(rows))
        options: dict[str, object] = {"pane": "blLabels", "maxZoom": 18}
        if attribution:
            options["attribution"] = escape(attribution)
        self.options_json = _htmlsafe_json(options)
        self.map_name = ""

    def render(self, **kwargs: object) -> None:
        self.map_name = _map_of(self).get_name()
        self.get_root().script.add_child(_RawScript(self._template.module.script(self, kwargs)),
                                         name=self.get_name())


def snapshot_layer(data: dict, *, name: str, style: dict[str, object], show: bool = True,
                   data_sink: DataSink | None = None, attribution: str | None = None) -> folium.map.Layer:
    """A date-driven overlay: GeoJSON lines/polygons whose ``properties.bl_t`` is a day (days since
    1970-01-01); the map shows the features of the latest day on or before the time control's
    window end (with "all dates", the latest day there is), and follows the slider and play button.
    ``style``: one Leaflet path style, or, when every feature has a ``bl_k`` (e.g. "occupied",
    "line"), a style per ``bl_k``. Properties other than ``bl_t`` and ``bl_k`` are dropped: nothing
    else of the data reaches the page."""
    features = []
    for f in data.get("features", []):
        props = f.get("properties") or {}
        if not f.get("geometry") or props.get("bl_t") is None:
            continue
        kept: dict[str, object] = {"bl_t": int(props["bl_t"])}
        if props.get("bl_k") is not None:
            kept["bl_k"] = escape(props["bl_k"])
        features.append({"type": "Feature", "properties": kept, "geometry": f["geometry"]})
    return _DataLayer({"type": "FeatureCollection", "features": features}, kind="snapshots", styles=style,
                      name=escape(name), show=show, data_sink=data_sink, attribution=attribution)



# --- the front line: a dated overlay sent day by day --------------------------------------

@dataclass(frozen=True, slots=True)
class DayShapes:
    """One day of an overlay sent day by day: shown from ``day`` to ``until`` (days since
    1970-01-01, both included). Its shapes are ``geojson`` (a FeatureCollection's JSON text,
    each feature styled by its ``properties.bl_k``) or the ``url`` a sink stored them at already
    (``geo.assets.DataFiles``, fetched; ``geo.assets.ScriptFiles``, a ``.js`` URL, loaded as a
    script: only URLs such a sink returned)."""

    day: int
    until: int
    geojson: str | None = None
    url: str | None = None


#: The front line's styles per ``bl_k`` (``geo.frontline.drawing.DRAW_KINDS``): DeepStateMap's red
#: for the occupied area and grey for the contested one, faint so the events on them stay
#: legible; the line solid and dark (the state border is red and dashed).
FRONT_STYLES: dict[str, dict[str, object]] = {
    "occupied": {"stroke": False, "fill": True, "fillColor": "#a52714", "fillOpacity": 0.2},
    "contested": {"stroke": False, "fill": True, "fillColor": "#7a7a7a", "fillOpacity": 0.28},
    "line": {"color": "#3b0a0a", "weight": 2.5, "opacity": 0.95, "fill": False, "lineJoin": "round"},
}
FRONT_LAYER_NAME = "Front line"


def _safe_json_text(text: str) -> str:
    """JSON text with nothing that could end a <script> or open markup: < > & ' as \\u escapes
    (valid only inside JSON strings, where they stay the same characters once parsed)."""
    return (text.replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("'", "\\u0027"))


class _DayLayer(folium.map.Layer):
    """A Leaflet GeoJSON layer in the ``blFront`` pane (beneath the names and the events, on its
    own canvas) showing one day of ``days`` at a time (``BL.days``): its data fetched from the
    sink's URL, or embedded as one string per day and parsed when first shown."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson(null, {
            pane: "blFront",
            renderer: BL.renderer({{ this.map_name }}, "blFront"),
            style: function (feature) { return ({{ this.styles_json }})[feature.properties.bl_k] || {}; },
            interactive: false
        });
        BL.defer({{ this.map_name }}, function () {
            BL.days({{ this.map_name }}, {{ this.get_name() }}, {{ this.days_json }},
                    [{{ this.texts_js }}], {{ this.options_json }});
        });
        {%- if this.show %}
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {%- endif %}
        {% endmacro %}
    """)

    def __init__(self, days: Sequence[DayShapes], *, name: str, styles: dict[str, object], options: dict[str, str],
                 show: bool = True, data_sink: DataSink | None = None, legend_html: str = ""):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "DayLayer"
        rows: list[list[object]] = []
        texts: list[str] = []
        for d in sorted(days, key=lambda d: d.day):
            if d.url is not None:
                ref: object = d.url
            elif d.geojson is None:
                continue
            elif data_sink is not None:
                ref = data_sink(_safe_json_text(d.geojson))
            else:
                ref = len(texts)
                texts.append(_js_string(_safe_json_text(d.geojson)))
            rows.append([int(d.day), int(d.until), ref])
        self.n_days = len(rows)
        self.days_json = _htmlsafe_json(rows)
        self.texts_js = ",\n".join(texts)
        self.styles_json = _htmlsafe_json(styles)
        self.options_json = _htmlsafe_json({k: escape(v) for k, v in options.items()})
        #: build_map adds this to the legend
        self.legend_html = legend_html
        self.map_name = ""

    def render(self, **kwargs: object) -> None:
        self.map_name = _map_of(self).get_name()
        self.get_root().script.add_child(_RawScript(self._template.module.script(self, kwargs)),
                                         name=self.get_name())


def _line_swatch(color: str, weight: float = 3) -> str:
    return (f'<span style="display:inline-block;width:16px;height:0;border-top:{weight}px solid {color};'
            f'vertical-align:middle"></span>')


def front_line_layer(days: Sequence[DayShapes], *, source: str, max_age_days: int, show: bool = True,
                     data_sink: DataSink | None = None) -> folium.map.Layer:
    """The front line of the time control's date: of ``days`` (e.g. from
    ``geo.frontline.drawing.FrontDrawing``), the one whose span holds the window's end (with
    "All dates", the latest), following the slider and play button; none in a gap. Each day's
    shapes reach the page once: stored through ``data_sink`` and fetched when first shown, else
    embedded, one string per day, parsed when first shown. The time control says which day is
    drawn; the legend and the layer list name ``source``."""
    line = FRONT_STYLES["line"]
    label = f"{FRONT_LAYER_NAME} ({source})" if source else FRONT_LAYER_NAME
    legend = ("<div style='margin-top:4px;border-top:1px solid #ccc;padding-top:3px'>"
              f"<div>{_line_swatch(str(line['color']))} {escape(label)}</div>"
              f"<div>{_swatch(str(FRONT_STYLES['occupied']['fillColor']), square=True)} occupied</div>"
              f"<div>{_swatch(str(FRONT_STYLES['contested']['fillColor']), square=True)} contested (grey zone)</div>"
              "<div style='color:#666'>" + escape(
                  f"For the time control's date: the latest snapshot on or before it, at most {max_age_days} days "
                  "old (with all dates: the latest one). Its day is shown beside the slider.") + "</div></div>")
    return _DayLayer(days, name=f"{_line_swatch(str(line['color']))} {escape(label)}", styles=FRONT_STYLES,
                     options={"label": "front line", "none": f"no front line (none within {max_age_days} days)"},
                     show=show, data_sink=data_sink, legend_html=legend)


class _Heat(HeatMap):
    """folium's HeatMap (Leaflet.heat, vendored) fed in the page from one event layer's
    visible markers: no second copy of the data, and it follows the time control."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.heatLayer([], {{ this.options|tojson }});
        BL.addHeat({{ this.map_name }}, {{ this.get_name() }}, {{ this.source.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, source: _DataLayer, *, name: str, color: str, assets: MapAssets):
        super().__init__([], name=name, show=False, min_opacity=0.35, radius=18, blur=16,
                         gradient={0.3: "#ffffcc", 0.65: color, 1.0: color})
        self.default_js = list(assets.heat_js)
        self.source = source
        self.map_name = ""

    def render(self, **kwargs: object) -> None:
        self.map_name = _map_of(self).get_name()
        super().render(**kwargs)


class _Style(MacroElement):
    """Page CSS for the popups, tooltips, legend and time control (a header element, compiled once)."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
            .bl-popup { max-height: 340px; overflow-y: auto; font: 12px/1.4 sans-serif; }
            .bl-popup table { border-collapse: collapse; font: 12px/1.4 sans-serif; }
            .bl-popup th { text-align: left; vertical-align: top; padding: 1px 8px 1px 0; color: #555; }
            .bl-popup td { vertical-align: top; padding: 1px 0; }
            .bl-popup mark { background: #ffe066; padding: 0 1px; }
            .bl-popup a { color: #0b5cad; }
            .bl-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
                     white-space: nowrap; }
            .bl-here { margin: 0 0 4px; padding: 2px 5px; background: #fff4cc; border-radius: 3px; }
            .bl-ev + .bl-ev { border-top: 1px solid #ddd; margin-top: 5px; padding-top: 4px; }
            .bl-evh { font-weight: bold; margin-bottom: 2px; }
            .bl-dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 4px;
                      vertical-align: middle; }
            .bl-more { color: #666; margin-top: 4px; }
            .bl-tooltip table { font: 12px/1.3 sans-serif; }
            .bl-legend-box { background: rgba(255,255,255,.94); padding: 3px 7px; border-radius: 4px;
                             font: 12px/1.45 sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3); max-width: 270px; }
            .bl-legend-box summary { cursor: pointer; font-weight: bold; }
            .bl-legend-body { max-height: 60vh; overflow-y: auto; }
            .bl-time { background: rgba(255,255,255,.94); padding: 3px 6px; font: 12px/1.3 sans-serif;
                       display: flex; align-items: center; gap: 5px; }
            .bl-time button { width: 26px; height: 22px; padding: 0; cursor: pointer; border: 1px solid #999;
                              background: #fff; border-radius: 3px; line-height: 20px; }
            .bl-time select { font-size: 12px; height: 22px; }
            .bl-time input[type=range] { width: 170px; }
            .bl-time .bl-tlabel { white-space: nowrap; color: #333; }
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


def _event_layer(frame: pd.DataFrame, lons: np.ndarray, lats: np.ndarray,
                 days: tuple[np.ndarray, np.ndarray], color: str,
                 *, excerpt_chars: int | None, data_sink: DataSink | None) -> _DataLayer:
    return _DataLayer(_feature_collection(frame, lons, lats, days, excerpt_chars=excerpt_chars),
                      kind="points", styles=_marker_styles(color), data_sink=data_sink)


def _extent_layer(lons: np.ndarray, lats: np.ndarray, days: tuple[np.ndarray, np.ndarray], color: str,
                  *, data_sink: DataSink | None) -> _DataLayer:
    """Faint, unclickable circles where a region-level event may be: never hides a dot."""
    features = []
    for x, y, lo, hi in zip(lons, lats, days[0].tolist(), days[1].tolist()):
        props: dict[str, int] = {}
        if lo >= 0:
            props["bl_t"] = lo
            if hi != lo:
                props["bl_u"] = hi
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": "Point", "coordinates": [round(float(x), 5), round(float(y), 5)]}})
    styles = {"a": {"radius": _REGION_RADIUS_M, "color": color, "weight": 1, "dashArray": "6 6",
                    "fill": True, "fillColor": color, "fillOpacity": 0.04, "interactive": False}}
    return _DataLayer({"type": "FeatureCollection", "features": features}, kind="extent", styles=styles,
                      data_sink=data_sink)


def _shapes_layer(geometry: object, *, name: str, show: bool, style: dict[str, object],
                  data_sink: DataSink | None, attribution: str | None = None, pane: str | None = None) -> _DataLayer:
    data = _geojson_of(geometry)
    geoms = [shapely.geometry.shape(f["geometry"]) for f in data["features"]]
    bounds = shapely.total_bounds(geoms) if geoms else None
    return _DataLayer(data, kind="shapes", styles=style, bounds=bounds, name=name, show=show,
                      data_sink=data_sink, attribution=attribution, pane=pane)


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


#: Oblast outlines shipped as package data (geo/data/build_admin1.py writes it).
_ADMIN1_FILE = "admin1_ru_ua.geojson"


@functools.lru_cache(maxsize=1)
def _shipped_admin1() -> tuple[dict, tuple[float, ...]] | None:
    """The shipped first-level units of Ukraine and Russia's border regions, geometry only
    (``_geojson_of``), and their bounds; None when the file is not there (the map then simply
    has no such layer). Read and converted once per process: that is most of its build cost."""
    res = importlib.resources.files("geo") / "data" / _ADMIN1_FILE
    try:
        data = _geojson_of(json.loads(res.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None
    geoms = [shapely.geometry.shape(f["geometry"]) for f in data["features"]]
    return (data, tuple(shapely.total_bounds(geoms))) if geoms else None


#: Given the map and the data sink, add one layer (see ``build_map(overlays=...)``).
MapOverlay = Callable[[folium.Map, "DataSink | None"], object]

_ADMIN1_STYLE = {"color": "#4d4d4d", "weight": 1, "opacity": 0.8, "dashArray": "4 3", "fill": False}
_ADMIN1_NAME = "Oblasts and border regions (Natural Earth)"
_OUTLINE_STYLE = {"color": "#6b6b6b", "weight": 1, "fill": True, "fillColor": "#f3f1ea", "fillOpacity": 0.35}
#: Water: the sea and lakes filled, rivers as thin lines; under tiles, which draw their own, off at first.
_WATER_STYLES = {
    "sea": {"stroke": False, "fill": True, "fillColor": "#cfe2f3", "fillOpacity": 0.9},
    "lake": {"color": "#8db4da", "weight": 0.6, "fill": True, "fillColor": "#bcd6ee", "fillOpacity": 0.95},
    "river": {"color": "#79a6d6", "weight": 1.3, "opacity": 0.95, "fill": False},
}
_WATER_NAME = "Rivers, lakes and seas"
_NAMES_NAME = "Names: places, regions, water"
_NAMES_ATTRIBUTION = "GeoNames (CC BY 4.0) · GSHHG (LGPL) · © OpenStreetMap contributors"


@functools.lru_cache(maxsize=1)
def _water_bounds() -> tuple[float, ...] | None:
    water = shipped_water() or {}
    geoms = [shapely.geometry.shape(f["geometry"]) for c in water.values() for f in c.get("features", [])]
    return tuple(shapely.total_bounds(geoms)) if geoms else None


def _reference_layers(m: folium.Map, *, outlines: object | None, admin1: object | bool, labels: Iterable[MapLabel] | None,
                      reference: bool, tiled: bool, data_sink: DataSink | None) -> None:
    """Country outlines, water, oblast outlines (beneath everything, in the ``blBase`` pane) and the
    names layer. Without ``reference``: the outlines and the oblasts (off) as the map had them."""
    pane = "blBase" if reference else None
    if outlines is not None:
        # under tiles the cream fill would veil them: outlines only
        style = dict(_OUTLINE_STYLE, fillOpacity=0.0) if tiled else _OUTLINE_STYLE
        _shapes_layer(outlines, name="Country outlines", show=True, data_sink=data_sink, style=style,
                      pane=pane).add_to(m)
    water = shipped_water() if reference else None
    if water:
        # one layer, painted sea, lakes, rivers (in that order), each feature in its kind's style
        data = {"type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": {"bl_k": kind}, "geometry": f["geometry"]}
                             for kind in ("sea", "lake", "river") for f in water.get(kind, {}).get("features", [])]}
        _DataLayer(data, kind="shapes", styles=_WATER_STYLES, bounds=_water_bounds(), name=_WATER_NAME,
                   show=not tiled, data_sink=data_sink, pane=pane).add_to(m)
    named = False
    if admin1 is True:
        shipped = _shipped_admin1()
        if shipped is not None:
            _DataLayer(shipped[0], kind="shapes", styles=_ADMIN1_STYLE, bounds=shipped[1], name=_ADMIN1_NAME,
                       show=reference, data_sink=data_sink, pane=pane,
                       attribution="Natural Earth").add_to(m)
            named = True
    elif admin1 is not None and admin1 is not False:
        _shapes_layer(admin1, name=_ADMIN1_NAME, show=reference, data_sink=data_sink, style=_ADMIN1_STYLE,
                      pane=pane).add_to(m)
    if reference:
        names = list(labels or ()) + list(water_labels() if water else ()) + list(region_labels() if named else ())
        _LabelLayer(names, name=_NAMES_NAME, show=True, attribution=_NAMES_ATTRIBUTION,
                    data_sink=data_sink).add_to(m)



def build_map(
    events: pd.DataFrame,
    *,
    border: object | None = None,
    bands: Iterable[tuple[str, object]] | None = None,
    outlines: object | None = None,
    admin1: object | bool = True,
    assets: MapAssets | None = None,
    tiles: str | bool = "none",
    labels: Iterable[MapLabel] | None = None,
    reference: bool = True,
    overlays: Sequence[MapOverlay] = (),
    selected_types: Iterable[str] | None = None,
    selected_id: str | None = None,
    excerpt_chars: int | None = 300,
    border_label: str = "Russia–Ukraine border",
    height: str | int = "100%",
    collapse_layer_control: bool = True,
    heat: bool = True,
    time_control: bool = True,
    data_sink: DataSink | None = None,
) -> folium.Map:
    """A layered map of ``events`` (a (Geo)DataFrame with ``EVENT_COLUMNS``, and optionally
    ``source``/``url``; Point geometry or lat/lon).

    - One overlay per event type present, named "<icon> <label> (<count>)", in the registry's
      order and colours (``geo.event_types``), shown when its type is in ``selected_types``
      (default: all); country-level events in one extra overlay, off by default.
    - A click on a marker lists every event drawn at that point (see the module docstring for
      the popup text the app parses).
    - ``border``: the border line (shapely geometry or GeoJSON), its own overlay.
    - ``bands``: ``[(label, polygon)]`` distance bands, nearest first, one overlay each, off by
      default, each with its own fill.
    - ``outlines``: country outlines (GeoDataFrame/geometry/GeoJSON), an overlay drawn in
      grey so the map reads with no tiles at all.
    - ``admin1``: oblast outlines: True = the shipped Natural Earth units of Ukraine and Russia's
      border regions (none if the file is missing), False/None = no layer, or any geometry/GeoJSON.
      With ``reference`` they are on and their names are drawn; without, off at first and unnamed.
    - ``assets``: URLs of the vendored JS/CSS (default: the app's ``/app/static/vendor``).
    - ``tiles``: the basemap (``geo.reference.BASEMAPS``): "none" (default: nothing is fetched),
      "osm" (OpenStreetMap) or "satellite" (Esri World Imagery); the reader's browser then fetches
      tiles from that server (without a network they fail to load and the rest still draws).
      True is "osm", False "none".
    - ``labels``: place names (``geo.reference.MapLabel``, e.g. ``gazetteer_labels``), drawn with
      the shipped region and water names on canvas tiles, in one overlay ("Names").
    - ``reference``: the offline reference layers (water, named oblast outlines beneath the
      events, the names layer); False draws the map without them (the benchmarks' baseline).
    - ``overlays``: functions ``f(map, data_sink)`` that add a layer each (e.g. a dated one,
      ``snapshot_layer``, or the front line, ``front_line_layer``), called after the reference
      layers and before the events, so what they draw lies beneath the events; when one returns
      the front line's layer, its legend entry is added to the legend.
    - ``selected_id``: the map opens centred on that event (zoom 9), ringed, its popup open
      (an id not among the mapped events is ignored).
    - ``excerpt_chars``: popups show this much of the excerpt around the place (None: all).
    - ``collapse_layer_control``: show the layer list only on hover (default: the list is
      long, and open it would cover the Kursk and Belgorod regions).
    - ``heat``: one heat layer per type present (settlement/hromada events), off by default.
    - ``time_control``: the date window control, bottom left, "All dates" at first.
    - ``data_sink``: store each layer's GeoJSON and let the page fetch it from the URL it
      returns (the app: a few-kB script per rerun); default: embedded (a standalone page).
    """
    assets = assets or map_assets()
    shown = set(event_types.TYPE_IDS if selected_types is None else selected_types)
    mapped = _MappedEvents.of(events)
    selected_at = mapped.point_of(selected_id)
    m = _base_map(assets, selected_at=selected_at, height=height)
    base = basemap(tiles)
    if base.provider is not None:
        folium.TileLayer(base.provider, name=escape(base.label), max_zoom=18, control=True).add_to(m)
    _reference_layers(m, outlines=outlines, admin1=admin1, labels=labels, reference=reference,
                      tiled=base.provider is not None, data_sink=data_sink)
    band_labels = _border_layers(m, border=border, bands=bands, border_label=border_label, data_sink=data_sink)
    overlay_legends = _add_overlays(m, overlays, data_sink=data_sink)
    counts, heat_sources = _type_layers(m, mapped, shown=shown, excerpt_chars=excerpt_chars, data_sink=data_sink)
    n_country = _country_layer(m, mapped, excerpt_chars=excerpt_chars, data_sink=data_sink)
    if heat:
        for layer, label, color in heat_sources:
            _Heat(layer, name=_layer_label(color, "fire", f"Heat: {label}"), color=color, assets=assets).add_to(m)

    day_lo, day_hi = mapped.days
    dated = day_lo >= 0
    timed = bool(time_control and dated.any())
    _Legend(_legend_html(counts, country_count=n_country, unmapped=mapped.unmapped, band_labels=band_labels,
                         undated=int((~dated).sum()), timed=timed, basemap_host=base.host,
                         extra=overlay_legends)).add_to(m)
    if timed:
        _TimeControl(int(day_lo[dated].min()), int(day_hi[dated].max())).add_to(m)
    folium.LayerControl(collapsed=collapse_layer_control, position="topright").add_to(m)

    if selected_at is not None:
        _Selection(str(selected_id)).add_to(m)
    else:
        _fit_first_view(m, mapped.frame, mapped.lons, mapped.lats, mapped.precision == "country", border)
    _name_like_st_folium(m)
    return m


@dataclass(frozen=True, slots=True)
class _MappedEvents:
    """The events that have a point, as the layers read them: the rows without geometry
    (``frame``), their coordinates, precision, type and day spans; and how many had no point."""

    frame: pd.DataFrame
    lons: np.ndarray
    lats: np.ndarray
    precision: np.ndarray
    etypes: np.ndarray
    days: tuple[np.ndarray, np.ndarray]
    unmapped: int

    @classmethod
    def of(cls, events: pd.DataFrame) -> _MappedEvents:
        frame = events if isinstance(events, pd.DataFrame) else pd.DataFrame(events)
        lons, lats = _lonlat(frame) if len(frame) else (np.array([]), np.array([]))
        located = np.isfinite(lons) & np.isfinite(lats)
        frame = frame.loc[located]
        if len(frame):
            precision = frame["precision"].astype("string").fillna("settlement").to_numpy()
            etypes = frame["event_type"].astype("string").fillna("").to_numpy()
            plain = pd.DataFrame(frame[[c for c in frame.columns if c != "geometry"]])
        else:
            precision = etypes = np.array([], dtype=object)
            plain = frame
        return cls(plain, lons[located], lats[located], precision, etypes, _day_spans(plain),
                   int((~located).sum()))

    def point_of(self, event_id: str | None) -> tuple[float, float] | None:
        """(lat, lon) of the event ``event_id``, None when it is not among these."""
        if event_id is None or not len(self.frame) or "event_id" not in self.frame.columns:
            return None
        hit = np.flatnonzero(self.frame["event_id"].astype("string").to_numpy() == str(event_id))
        return (float(self.lats[hit[0]]), float(self.lons[hit[0]])) if len(hit) else None

    def layer(self, idx: np.ndarray, color: str, *, excerpt_chars: int | None,
              data_sink: DataSink | None) -> _DataLayer:
        """The marker layer of rows ``idx``."""
        return _event_layer(self.frame.iloc[idx], self.lons[idx], self.lats[idx],
                            (self.days[0][idx], self.days[1][idx]), color,
                            excerpt_chars=excerpt_chars, data_sink=data_sink)

    def type_order(self) -> list[str]:
        """The registry's types, then any others present, sorted."""
        return list(event_types.TYPE_IDS) + sorted(set(self.etypes) - set(event_types.TYPE_IDS))


def _base_map(assets: MapAssets, *, selected_at: tuple[float, float] | None, height: str | int) -> folium.Map:
    m = folium.Map(location=list(selected_at or _DEFAULT_CENTER), zoom_start=_SELECTED_ZOOM if selected_at else 6,
                   tiles=None, prefer_canvas=True, max_zoom=18, min_zoom=2, control_scale=True, height=height)
    # Per-instance lists: mutating folium's class-level defaults would leak into every map.
    m.default_js = list(assets.js)
    m.default_css = list(assets.css)
    _Library().add_to(m)
    _IconImagePath(assets.icon_image_path).add_to(m)
    _Style().add_to(m)
    return m


_BORDER_STYLE = {"color": "#b2182b", "weight": 2.5, "opacity": 0.9, "dashArray": "8 4", "fill": False}


def _border_layers(m: folium.Map, *, border: object | None, bands: Iterable[tuple[str, object]] | None,
                   border_label: str, data_sink: DataSink | None) -> list[str]:
    """The distance bands (off at first) and the border line; returns the bands' labels."""
    band_labels: list[str] = []
    for i, (label, geometry) in enumerate(bands or ()):
        band_labels.append(str(label))
        _shapes_layer(geometry, name=escape(f"Border band {label}"), show=False, data_sink=data_sink,
                      style=_band_style(i)).add_to(m)
    if border is not None:
        _shapes_layer(border, name=escape(border_label), show=True, data_sink=data_sink,
                      style=_BORDER_STYLE).add_to(m)
    return band_labels


def _add_overlays(m: folium.Map, overlays: Sequence[MapOverlay], *, data_sink: DataSink | None) -> list[str]:
    """Add each overlay; returns the legend entries they bring (the front line's)."""
    legends: list[str] = []
    for overlay in overlays:
        added = overlay(m, data_sink)
        # the front line brings its legend entry (HTML made in this module, escaped)
        if isinstance(added, _DayLayer) and added.legend_html:
            legends.append(added.legend_html)
    return legends


def _type_layers(m: folium.Map, mapped: _MappedEvents, *, shown: set[str], excerpt_chars: int | None,
                 data_sink: DataSink | None) -> tuple[list[tuple[str, str, int]], list[tuple[_DataLayer, str, str]]]:
    """One overlay per event type present (country-level events aside): region rings beneath the
    dots. Returns (type, label, count) per overlay, and the layers a heat layer may be drawn from
    (those with settlement or hromada events) with their label and colour."""
    counts: list[tuple[str, str, int]] = []
    heat_sources: list[tuple[_DataLayer, str, str]] = []
    precision, is_country = mapped.precision, mapped.precision == "country"
    for etype in mapped.type_order():
        in_type = (mapped.etypes == etype) & ~is_country
        n = int(in_type.sum())
        if n == 0:
            continue
        label = _type_label(etype)
        t = event_types.get(etype)
        counts.append((etype, label, n))
        group = folium.FeatureGroup(name=_layer_label(t.color, t.icon, f"{label} ({n:,})"), show=etype in shown,
                                    overlay=True, control=True)
        region = in_type & (precision == "region")
        if region.any():
            ridx = np.flatnonzero(region)
            _extent_layer(mapped.lons[ridx], mapped.lats[ridx], (mapped.days[0][ridx], mapped.days[1][ridx]),
                          t.color, data_sink=data_sink).add_to(group)
        # Region rings first so the exact dots are drawn (and hit) on top of them.
        rank = np.where(precision[in_type] == "region", 0, np.where(precision[in_type] == "hromada", 1, 2))
        idx = np.flatnonzero(in_type)[np.argsort(rank, kind="stable")]
        layer = mapped.layer(idx, t.color, excerpt_chars=excerpt_chars, data_sink=data_sink)
        layer.add_to(group)
        group.add_to(m)
        if (precision[in_type] != "region").any():
            heat_sources.append((layer, label, t.color))
    return counts, heat_sources


def _country_layer(m: folium.Map, mapped: _MappedEvents, *, excerpt_chars: int | None,
                   data_sink: DataSink | None) -> int:
    """Country-level events (place unknown) in one overlay, off at first; returns how many."""
    is_country = mapped.precision == "country"
    n_country = int(is_country.sum())
    if not n_country:
        return 0
    group = folium.FeatureGroup(
        name=_layer_label("#555555", "globe", f"Country-level events, place unknown ({n_country:,})"),
        show=False, overlay=True, control=True)
    for etype in mapped.type_order():
        sel = is_country & (mapped.etypes == etype)
        if sel.any():
            mapped.layer(np.flatnonzero(sel), event_types.get(etype).color, excerpt_chars=excerpt_chars,
                         data_sink=data_sink).add_to(group)
    group.add_to(m)
    return n_country


def _fit_first_view(m: folium.Map, frame: pd.DataFrame, lons: np.ndarray, lats: np.ndarray,
                    is_country: np.ndarray, border: object | None) -> None:
    # Open on the war, not on the world: events far from the border (a summit in Pyongyang)
    # stay on the map but do not set the first view.
    km = pd.to_numeric(frame["border_km"], errors="coerce").to_numpy(dtype=float) \
        if len(frame) and "border_km" in frame.columns else np.full(len(frame), np.nan)
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
