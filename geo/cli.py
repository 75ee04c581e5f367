"""``borderline``: the command line, a thin layer over the library.

Each command's handler lives here and only parses, calls the library and prints.
Exit codes: 0 success, 1 some inputs failed (the rest went on), 2 bad usage or input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main", "build_parser"]


def _err(message: str) -> None:
    print(f"borderline: {message}", file=sys.stderr)


# --- gazetteer (owned by the gazetteer work) ---------------------------------------

def _cmd_gazetteer_build(args: argparse.Namespace) -> int:
    raise NotImplementedError


def _cmd_lookup(args: argparse.Namespace) -> int:
    raise NotImplementedError


# --- geoparser (owned by the geoparser work) ---------------------------------------

def _cmd_parse(args: argparse.Namespace) -> int:
    raise NotImplementedError


# --- borders (owned by the borders work) -------------------------------------------

def _cmd_distance(args: argparse.Namespace) -> int:
    raise NotImplementedError


# --- events and store (owned by the events work) -----------------------------------

def _cmd_events(args: argparse.Namespace) -> int:
    raise NotImplementedError


def _cmd_ingest(args: argparse.Namespace) -> int:
    raise NotImplementedError


def _cmd_export(args: argparse.Namespace) -> int:
    raise NotImplementedError


# --- map (owned by the map work) ---------------------------------------------------

def _cmd_map(args: argparse.Namespace) -> int:
    raise NotImplementedError


# --- the parser --------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="borderline",
        description="Turn war reporting into a geocoded event map, offline.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    gaz = sub.add_parser("gazetteer", help="build or inspect the local gazetteer",
                         description="Build or inspect the local gazetteer.")
    gaz_sub = gaz.add_subparsers(dest="gazetteer_command", required=True, metavar="ACTION")
    build = gaz_sub.add_parser(
        "build", help="build the gazetteer from the installed packages (and GeoNames dumps)",
        description="Build the gazetteer into the cache directory from data shipped in "
                    "installed packages; optionally import standard GeoNames dumps.")
    build.add_argument("--geonames", metavar="FILE", action="append", default=[],
                       help="a GeoNames dump (allCountries.zip, RU.zip, cities1000.zip or .txt) "
                            "to import as well; may be repeated")
    build.add_argument("--cache", metavar="DIR",
                       help="where the gazetteer lives (default: $BORDERLINE_CACHE or the user cache dir)")
    build.add_argument("--force", action="store_true", help="rebuild even if one is already built")
    build.set_defaults(handler=_cmd_gazetteer_build)

    lookup = sub.add_parser("lookup", help="list gazetteer candidates for a name, most likely first",
                            description="List gazetteer candidates for NAME, most likely first.")
    lookup.add_argument("name", metavar="NAME", help="a place name in any common spelling or script")
    lookup.add_argument("--country", metavar="CC", help="only this ISO 3166-1 alpha-2 country")
    lookup.add_argument("--kind", metavar="K",
                        help="only this kind: country, admin1, admin2, hromada, settlement, other")
    lookup.add_argument("--limit", type=int, default=25, metavar="N", help="at most N candidates (default 25)")
    lookup.add_argument("--json", action="store_true", help="print JSON")
    lookup.add_argument("--cache", metavar="DIR", help="gazetteer directory")
    lookup.set_defaults(handler=_cmd_lookup)

    parse = sub.add_parser("parse", help="find and resolve the place names in articles",
                           description="Find and resolve the place names in an article, or in a "
                                       "JSON Lines batch.")
    parse.add_argument("file", nargs="?", metavar="FILE|-", help="an article file, or - for standard input")
    parse.add_argument("--jsonl", metavar="IN", help='batch: one {"id", "text", "spans"?} object per line; '
                                                      "with spans, resolve exactly those")
    parse.add_argument("--json", action="store_true", help="print JSON")
    parse.add_argument("--cache", metavar="DIR", help="gazetteer directory")
    parse.set_defaults(handler=_cmd_parse)

    dist = sub.add_parser("distance", help="geodesic distance from a point to the Russia-Ukraine border",
                          description="Geodesic distance in km from LAT LON to the Russia-Ukraine land "
                                      "border, the side the point lies on, and the nearest border point.")
    dist.add_argument("lat", type=float, metavar="LAT", help="latitude in degrees")
    dist.add_argument("lon", type=float, metavar="LON", help="longitude in degrees")
    dist.add_argument("--json", action="store_true", help="print JSON")
    dist.set_defaults(handler=_cmd_distance)

    events = sub.add_parser("events", help="extract typed, geocoded events from articles",
                            description="Extract events from article files and print them "
                                        "(GeoJSON on standard output by default).")
    events.add_argument("files", nargs="+", metavar="FILE", help="article files (txt, md, html, jsonl)")
    events.add_argument("--date", metavar="D", help="publication date YYYY-MM-DD for articles that carry none")
    events.add_argument("--format", choices=["geojson", "csv", "gpkg"], default="geojson",
                        help="output format (default geojson)")
    events.add_argument("--out", metavar="PATH", help="write here instead of standard output (required for gpkg)")
    events.add_argument("--cache", metavar="DIR", help="gazetteer directory")
    events.set_defaults(handler=_cmd_events)

    ingest = sub.add_parser("ingest", help="add articles' events to the store",
                            description="Process articles (files, directories, JSON Lines) and add "
                                        "their events to the store. Already stored articles are skipped.")
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="files, directories or .jsonl files")
    ingest.add_argument("--data", metavar="DIR", help="data directory (default: $BORDERLINE_DATA or the user data dir)")
    ingest.add_argument("--date", metavar="D", help="publication date YYYY-MM-DD for articles that carry none")
    ingest.add_argument("--workers", type=int, metavar="N", help="local worker processes (default: all cores)")
    ingest.add_argument("--scheduler", metavar="URL", help="a Dask scheduler, e.g. tcp://HOST:8786")
    ingest.add_argument("--cache", metavar="DIR", help="gazetteer directory")
    ingest.set_defaults(handler=_cmd_ingest)

    export = sub.add_parser("export", help="export the stored events",
                            description="Export the stored events.")
    export.add_argument("--format", choices=["geojson", "csv", "gpkg", "parquet"], default="geojson",
                        help="output format (default geojson); CSV uses ACLED's column names")
    export.add_argument("--out", metavar="PATH", help="write here instead of standard output")
    export.add_argument("--data", metavar="DIR", help="data directory")
    export.set_defaults(handler=_cmd_export)

    map_ = sub.add_parser("map", help="write the stored events as a standalone HTML map",
                          description="Write the stored events as a standalone, offline HTML map.")
    map_.add_argument("--out", metavar="PATH", default="map.html", help="output HTML (default map.html)")
    map_.add_argument("--data", metavar="DIR", help="data directory")
    map_.set_defaults(handler=_cmd_map)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
