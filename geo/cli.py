"""``borderline``: the command line, a thin layer over the library.

Each command's handler lives here and only parses, calls the library and prints.
Exit codes: 0 success, 1 some inputs failed (the rest went on), 2 bad usage or input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main", "build_parser"]


#: What ``ingest --help`` and ``events --help`` say about inputs (README "Input formats").
_INPUTS_HELP = """\
inputs:
  .txt .md .html/.htm   one article per file. Optional metadata at its head: a line
                        "date YYYY-MM-DD" and a dateline ("KYIV, UKRAINE —"); Markdown
                        front matter (title, date, url); HTML <title>, <meta> dates, og:url.
  .jsonl/.ndjson        one JSON object per line:
                          {"id": "acled-123", "text": "...", "date": "2024-12-14",
                           "source": "Ukrinform", "title": "...", "url": "https://...",
                           "lang": "uk"}
                        text is required, the rest optional. id is the record's identity:
                        records with the same text and different ids are different
                        reports; an id already stored is skipped. Without an id the text
                        is the identity. source and url are shown (and linked) in the
                        map and the app; only http(s) urls are kept. lang (en, uk, ru)
                        is the text's language.
  .json                 a Telegram channel export (Telegram Desktop, "Export chat
                        history", JSON: result.json); any other .json is refused. Each
                        message with text is an article: dated by its day (the exporting
                        computer's local time), the channel as source, identity channel
                        id + message id. Its url is https://t.me/USERNAME/ID when the
                        file has a top-level "username" (Telegram Desktop writes none: add
                        it). Service messages and messages without text are skipped and
                        counted.

language (first found wins):
  1. the JSON Lines "lang" field
  2. --lang (for inputs that state no language of their own)
  3. detected from the text: Cyrillic text is Ukrainian or Russian by its letters
     (і ї є ґ / ы э ъ ё) and frequent words; any other text is English

dates (first found wins):
  1. the JSON Lines "date" field
  2. the text's own "date YYYY-MM-DD" line, else front matter / HTML meta date,
     else a dateline's date with its year ("LONDON, December 14, 2024 —")
  3. --date (for inputs that carry no date of their own)
  4. a date in the file name: 2024-12-14-x.txt or 20241214-x.txt (the day),
     2024-12-x.txt (the month: events without a date of their own get 2024-12);
     not for the records of a .jsonl file
  5. none: the events stay undated
"""


def _err(message: str) -> None:
    print(f"borderline: {message}", file=sys.stderr)


# --- gazetteer (owned by the gazetteer work) ---------------------------------------

def _cmd_gazetteer_build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from gazetteer import build as gazetteer_build
    from gazetteer.errors import GazetteerBuildError
    from gazetteer.query import default_cache_dir

    cache = Path(args.cache).expanduser() if args.cache else default_cache_dir()
    dumps = [Path(p) for p in args.geonames]
    for dump in dumps:
        if not dump.is_file():
            _err(f"{dump}: no such GeoNames dump")
            return 2
    try:
        db, built = gazetteer_build.build_if_needed(
            cache, dumps=dumps, force=args.force,
            log=lambda message: print(f"gazetteer: {message}", file=sys.stderr))
    except GazetteerBuildError as err:
        _err(f"{err}; the gazetteer already built (if any) is unchanged")
        return 2
    except OSError as err:
        _err(f"cannot build the gazetteer in {cache}: {err.strerror or err}")
        return 2
    print(f"gazetteer {'built' if built else 'already built and current'}: {db}")
    return 0


def _open_gazetteer(cache: str | None):
    """The gazetteer, or None after printing how to build it."""
    from gazetteer.errors import GazetteerNotBuilt
    from gazetteer.query import Gazetteer

    try:
        return Gazetteer.open(cache)
    except GazetteerNotBuilt as err:
        _err(str(err))
        return None


def _cmd_lookup(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from gazetteer.model import KINDS
    from gazetteer.names import name_key

    if not args.name.strip() or not name_key(args.name):
        _err("lookup: NAME is empty (give a place name with at least one letter or digit)")
        return 2
    if args.kind and args.kind not in KINDS:
        _err(f"lookup: unknown --kind {args.kind!r}; one of {', '.join(KINDS)}")
        return 2
    if args.country and (len(args.country) != 2 or not args.country.isalpha()):
        _err(f"lookup: --country wants an ISO 3166-1 alpha-2 code such as UA, not {args.country!r}")
        return 2
    if args.limit < 1:
        _err("lookup: --limit must be at least 1")
        return 2
    gaz = _open_gazetteer(args.cache)
    if gaz is None:
        return 2
    with gaz:
        places = gaz.lookup(args.name, country=args.country, kind=args.kind, limit=args.limit)
    if args.json:
        print(json.dumps([dataclasses.asdict(p) for p in places], ensure_ascii=False, indent=2))
        return 0
    if not places:
        print(f"no gazetteer entry matches {args.name!r}")
        return 0
    header = ("#", "name", "kind", "cc", "admin1", "district", "lat", "lon", "population", "precision",
              "id", "source")
    rows = [(str(i), p.name, p.kind, p.country, f"{p.admin1 or ''} {p.admin1_name or ''}".strip(),
             p.admin2 or "", f"{p.lat:.5f}", f"{p.lon:.5f}", f"{p.population:,}" if p.population else "",
             p.precision, p.id, p.source) for i, p in enumerate(places, 1)]
    widths = [min(max(len(r[i]) for r in [header, *rows]), 40) for i in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(c[:40].ljust(w) for c, w in zip(r, widths)).rstrip())
    return 0


# --- geoparser (owned by the geoparser work) ---------------------------------------

def _mention_json(m, shift: int = 0) -> dict:
    p = m.place
    return {"start": m.start + shift, "end": m.end + shift, "text": m.text,
            "lat": p.lat if p else None, "lon": p.lon if p else None,
            "place_id": p.id if p else None, "name": p.name if p else None,
            "kind": p.kind if p else None, "country": p.country if p else None,
            "admin1": p.admin1 if p else None, "score": m.score, "literal": m.literal,
            "role": m.role}


def _parse_spans(value: object, where: str, text_len: int) -> list[tuple[int, int]]:
    from geo.errors import InputError

    if not isinstance(value, list):
        raise InputError(f"{where}: 'spans' must be a list of [start, end] pairs")
    spans = []
    for item in value:
        if isinstance(item, dict):
            item = [item.get("start"), item.get("end")]
        if (not isinstance(item, (list, tuple)) or len(item) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in item)
                or not 0 <= item[0] < item[1] <= text_len):
            raise InputError(f"{where}: bad span {str(item)[:40]} (want [start, end] within the text)")
        spans.append((item[0], item[1]))
    return spans


def _parse_jsonl(gp, path_arg: str) -> int:
    import json
    from pathlib import Path

    from geo.articles import DEFAULT_MAX_BYTES, split_metadata
    from geo.errors import InputError
    from geo.lang import check_language, detect

    path = Path(path_arg)
    try:
        fh = sys.stdin.buffer if path_arg == "-" else path.open("rb")
    except OSError as err:
        _err(f"{path.name}: cannot read ({err.strerror or err})")
        return 2
    failed = 0
    name = "<stdin>" if path_arg == "-" else path.name
    with fh:
        for line_no, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            where = f"{name}:{line_no}"
            try:
                if len(raw) > DEFAULT_MAX_BYTES:
                    raise InputError(f"{where}: line too large ({len(raw):,} bytes)")
                try:
                    record = json.loads(raw.decode("utf-8-sig"))
                except (ValueError, RecursionError) as err:  # also: >4,300-digit numbers, deep nesting
                    raise InputError(f"{where}: not a valid UTF-8 JSON line ({err})") from err
                if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                    raise InputError(f"{where}: want an object with a string field 'text'")
                text = record["text"]
                if "\x00" in text:
                    raise InputError(f"{where}: text contains NUL characters")
                language = check_language(record.get("lang"), where) or detect(text)
                if "spans" in record and record["spans"] is not None:
                    spans = _parse_spans(record["spans"], where, len(text))
                    mentions = [_mention_json(m) for m in gp.resolve_spans(text, spans, lang=language)]
                else:
                    # Offsets stay those of the input text: metadata are only ever a prefix.
                    meta = split_metadata(text, source=where, lang=language)
                    body = text[meta.body_start:]
                    mentions = [_mention_json(m, meta.body_start) for m in gp.parse_text(body, lang=language)]
            except InputError as err:
                _err(str(err))
                failed += 1
                continue
            print(json.dumps({"id": record.get("id"), "mentions": mentions}, ensure_ascii=False))
    return 1 if failed else 0


def _cmd_parse(args: argparse.Namespace) -> int:
    import json

    from geo.articles import article_from_bytes, read_article
    from geo.errors import GazetteerError, InputError
    from geo.resolution import Geoparser

    if (args.file is None) == (args.jsonl is None):
        _err("parse: give exactly one of FILE (or -) and --jsonl IN")
        return 2
    article = None
    if args.file is not None:
        # Read the input before the gazetteer: a bad file fails fast.
        try:
            if args.file == "-":
                article = article_from_bytes(sys.stdin.buffer.read(), source="<stdin>")
            else:
                article = read_article(args.file)
        except InputError as err:
            _err(str(err))
            return 2
    gaz = _open_gazetteer(args.cache)
    if gaz is None:
        return 2
    try:
        gp = Geoparser.build(gaz)
    except GazetteerError as err:
        _err(str(err))
        return 2
    if args.jsonl is not None:
        return _parse_jsonl(gp, args.jsonl)
    assert article is not None
    mentions = gp.parse(article)
    filed = gp.dateline_place(article)
    if args.json:
        print(json.dumps({
            "id": article.id, "source": article.source,
            "date": article.date.isoformat() if article.date else None,
            "lang": article.lang,
            "dateline": article.dateline,
            "dateline_place_id": filed.id if filed else None,
            "mentions": [_mention_json(m) for m in mentions],
        }, ensure_ascii=False, indent=2))
        return 0
    print(f"{article.source}: id {article.id}, language {article.lang}, date {article.date or '-'}, "
          f"dateline {article.dateline or '-'}{f' ({filed.name}, {filed.country})' if filed else ''}")
    for m in mentions:
        p = m.place
        where = (f"{p.name} [{p.kind}, {p.admin1 or p.country}] {p.lat:.4f},{p.lon:.4f} {p.id}"
                 if p else "(not in the gazetteer)")
        flags = "" if m.literal else " non-literal"
        print(f"{m.start:>6}  {m.text[:40]:<28} {m.role:<9} {m.score:4.2f}{flags}  {where}")
    return 0


# --- borders (owned by the borders work) -------------------------------------------

def _cmd_distance(args: argparse.Namespace) -> int:
    import json
    import math

    from geo import borders
    from geo.errors import BorderDataError

    lat, lon = args.lat, args.lon
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        _err(f"coordinate out of range: {lat:g} {lon:g} (LAT must be -90..90, LON -180..180)")
        return 2
    try:
        border = borders.load_border()
        m = borders.measure(border, lat, lon)
    except BorderDataError as err:
        _err(str(err))
        return 1
    if args.json:
        print(json.dumps({
            "lat": lat, "lon": lon, "border_km": round(m.border_km, 3), "side": m.side,
            "nearest_lat": round(m.nearest_lat, 6), "nearest_lon": round(m.nearest_lon, 6),
            "source": border.source, "licence": border.licence, "crimea": border.crimea,
        }, ensure_ascii=False))
        return 0
    side = {"RU": "Russia (RU)", "UA": "Ukraine (UA)"}.get(m.side or "", "neither Russia nor Ukraine")
    print(f"{m.border_km:.1f} km from the Russia-Ukraine land border (geodesic, WGS84)")
    print(f"side:    {side}")
    print(f"nearest: {m.nearest_lat:.5f}, {m.nearest_lon:.5f} (lat, lon)")
    print(f"border:  {border.source}; {border.licence}")
    print(f"Crimea:  {border.crimea}")
    return 0


# --- events and store (owned by the events work) -----------------------------------

def _date_option(value: str):
    """--date YYYY-MM-DD as a date (argparse reports a bad one and exits 2)."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: want YYYY-MM-DD") from None


def _write_stdout(text: str) -> None:
    # bytes, so a C locale cannot turn a place name into a UnicodeEncodeError
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    if not text.endswith("\n"):
        sys.stdout.buffer.write(b"\n")
    sys.stdout.buffer.flush()


def _open_pipeline(cache: str | None):
    from geo.errors import BorderlineError
    from geo.pipeline import Pipeline

    try:
        return Pipeline.open(cache=cache)
    except (BorderlineError, OSError) as err:
        _err(" ".join(str(err).split()))
        return None


def _cmd_events(args: argparse.Namespace) -> int:
    from geo.events import events_to_frame, frame_to_acled, frame_to_geojson, merge_events
    from geo.pipeline import InputFailure, process_each, read_inputs
    from geo.store import with_urls

    default_date = args.date
    if args.format == "gpkg" and not args.out:
        _err("--format gpkg writes a file: give --out PATH")
        return 2
    pipe = _open_pipeline(args.cache)
    if pipe is None:
        return 2
    failed = 0
    articles = []
    for item in read_inputs(args.files, default_date=default_date, default_lang=args.lang,
                            on_skip=lambda note: _err(note.line())):
        if isinstance(item, InputFailure):
            _err(item.message)
            failed += 1
        else:
            articles.append(item)
    # One batch, as Pipeline.process_many reads it: the other reports are context for a village
    # name its own report leaves undecided. A failure in the batch costs only its own article.
    events = []
    urls: dict[str, str | None] = {}
    for article, found in zip(articles, process_each(pipe, articles), strict=True):
        if isinstance(found, str):
            _err(found)
            failed += 1
            continue
        urls[article.id] = article.url
        events.extend(found)
    frame = with_urls(events_to_frame(merge_events(events)), urls)
    if args.out:
        from geo.errors import StoreError
        from geo.store import write_frame

        try:
            write_frame(frame, args.format, args.out)
        except StoreError as err:
            _err(str(err))
            return 1
        _err(f"events: {len(frame)} events written to {args.out}")
    elif args.format == "csv":
        _write_stdout(frame_to_acled(frame).to_csv(index=False))
    else:
        _write_stdout(frame_to_geojson(frame))
    return 1 if failed else 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from geo.errors import BorderlineError
    from geo.ingest import ingest
    from geo.store import EventStore, store_path

    default_date = args.date
    if args.workers is not None and args.workers < 1:
        _err(f"ingest: --workers must be at least 1, not {args.workers}")
        return 2
    if args.workers is not None and args.scheduler:
        _err("ingest: give --workers or --scheduler, not both")
        return 2
    try:
        summary = ingest(args.paths, store=EventStore(store_path(args.data)), gazetteer_path=args.cache,
                         workers=args.workers, scheduler=args.scheduler, default_date=default_date,
                         default_lang=args.lang,
                         on_failure=lambda message: tqdm.write(f"borderline: {message}", file=sys.stderr))
    except (BorderlineError, OSError) as err:
        _err(" ".join(str(err).split()))
        return 2
    _err(f"{summary.line()}; store {store_path(args.data)}")
    return 0 if summary.ok else 1


def _with_front_line(frame, data: str | None):
    """The events with the front-line columns when a front line is stored in ``data``."""
    from geo.frontline.measure import load_series, with_front

    series = load_series(data)
    return frame if series is None else with_front(frame, series, note=False)


def _cmd_export(args: argparse.Namespace) -> int:
    from geo.errors import StoreError
    from geo.store import EventStore, store_path

    path = store_path(args.data)
    if not path.exists():
        _err(f"no store at {path}: run borderline ingest first")
        return 2
    if args.format in ("gpkg", "parquet") and not args.out:
        _err(f"--format {args.format} writes a file: give --out PATH")
        return 2
    try:
        store = EventStore(path, create=False)
        frame = _with_front_line(store.read_events(), args.data)
        if args.out:
            store.export(args.format, args.out, frame=frame)
            _err(f"export: {len(frame)} events written to {args.out}")
        else:
            _write_stdout(store.export(args.format, frame=frame) or "")
    except StoreError as err:
        _err(str(err))
        return 1
    return 0


# --- map (owned by the map work) ---------------------------------------------------

def _cmd_map(args: argparse.Namespace) -> int:
    from pathlib import Path

    from geo.assets import map_assets, vendor_assets
    from geo.errors import BorderlineError
    from geo.maps import build_map
    from geo.reference import basemap
    from geo.store import EventStore, store_path
    from geo.view import front_days, front_overlay, map_geography, map_labels

    out = Path(args.out).expanduser()
    if out.suffix.lower() not in (".html", ".htm"):
        _err(f"map: --out {args.out!r} must end in .html")
        return 2
    try:
        events = EventStore(store_path(args.data), create=False).read_events()
    except BorderlineError as err:
        _err(str(err))
        return 2
    geography = map_geography()
    if geography.problem:
        _err(f"map: {geography.problem}; drawing the events without it")
    base = basemap(args.tiles)
    labels = map_labels(events)
    if not labels:
        _err("map: no gazetteer built (borderline gazetteer build): places are not named, regions and water are")
    if base.host:
        _err(f"map: {base.notice}")
    # Leaflet & co. go beside the page (like a browser's "save page"), so it works offline
    # and over file://; so do the front line's days, one script each, loaded when first shown.
    assets_dir = f"{out.stem}_files"
    front = _front_drawing(args.data, out.parent / assets_dir / "front", f"{assets_dir}/front")
    overlay = front_overlay(front, events)
    if front is not None:
        days = front_days(front, events)
        span = f" (snapshots of {days[0].day} to {days[-1].day})" if days else ""
        _err(f"map: front line ({front.source}): {len(days)} day(s) drawn{span}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        vendor_assets(out.parent / assets_dir)
        m = build_map(events, border=geography.border, bands=geography.bands,
                      outlines=geography.outlines, assets=map_assets(assets_dir), tiles=base.id, labels=labels,
                      overlays=[overlay] if overlay else ())
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(m.get_root().render(), encoding="utf-8")
        tmp.replace(out)
    except BorderlineError as err:
        _err(str(err))
        return 2
    except OSError as err:
        _err(f"map: cannot write {out}: {err.strerror or err}")
        return 2
    print(f"wrote {out} ({len(events):,} events; scripts and styles in {out.parent / assets_dir})")
    return 0


def _front_drawing(data: str | None, directory, url_prefix: str):
    """The stored front line as the map draws it, its days written as scripts into ``directory``
    (emptied first: only this page uses it), or None (saying why when it cannot be read)."""
    import shutil

    from geo.assets import ScriptFiles
    from geo.errors import BorderlineError
    from geo.frontline.drawing import FrontDrawing
    from geo.frontline.measure import load_series

    shutil.rmtree(directory, ignore_errors=True)
    try:
        series = load_series(data)
    except BorderlineError as err:
        _err(f"map: front line not drawn: {err}")
        return None
    return None if series is None else FrontDrawing(series, sink=ScriptFiles(directory, url_prefix).put_keyed)


# --- front line (owned by the front-line work) -------------------------------------

#: What ``frontline import --help`` says about the files (README "The front line").
_FRONTLINE_HELP = """\
files (GeoJSON, .geojson or .json; folders are read recursively):
  DeepStateMap history   one snapshot per file, features told apart by their "fill":
                         occupied #a52714 #880e4f #000000, grey/contested #bcaaa4
                         #bdbdbd #757575, anything else ignored; named by a Unix
                         timestamp (1649004375.geojson)
  daily merged files     one MultiPolygon of occupied territory per day
                         (deepstatemap_data_20240708.geojson)
  ISW assessed control   ISW's control-of-terrain layer (UkraineControlMapAO17AUG2024,
                         or in a folder named 2024-08-17); other ISW layers are skipped

the day: --date, else the file name (Unix timestamp, YYYYMMDD, YYYY-MM-DD, 17AUG2024),
else its folder's name. Borderline ships none of these: their owners keep the rights.
"""


def _cmd_frontline_import(args: argparse.Namespace) -> int:
    from geo.errors import BorderlineError
    from geo.frontline.imports import import_paths
    from geo.frontline.store import FrontlineStore, frontline_path

    source = None
    if args.source is not None:
        source = " ".join(args.source.split())
        if not source or len(source) > 80:
            _err("frontline import: --source must be a name of 1 to 80 characters")
            return 2
    path = frontline_path(args.data)
    try:
        summary = import_paths(args.paths, FrontlineStore(path), date=args.date, source=source,
                               on_failure=lambda m: _err(" ".join(m.split())),
                               on_note=lambda m: _err(" ".join(m.split())))
    except (BorderlineError, OSError) as err:
        _err(" ".join(str(err).split()))
        return 2
    if summary.files == 0 and not summary.failed:
        _err("frontline import: no .geojson or .json files found in " + ", ".join(map(str, args.paths)))
        return 1
    _err(f"frontline import: {summary.line()}; store {path}")
    return 0 if summary.ok else 1


def _cmd_frontline_list(args: argparse.Namespace) -> int:
    import json

    from geo.errors import BorderlineError
    from geo.frontline.store import FrontlineStore, frontline_path

    path = frontline_path(args.data)
    if not path.exists():
        if args.json:
            print("[]")
        _err(f"no front line stored at {path}: run borderline frontline import PATH first")
        return 0
    try:
        snaps = FrontlineStore(path).snapshots(args.source)
    except BorderlineError as err:
        _err(str(err))
        return 2
    if args.json:
        print(json.dumps([{"id": s.id, "date": s.date.isoformat(), "stamp": s.stamp, "source": s.source,
                           "format": s.format, "file": s.file, "digest": s.digest,
                           "occupied_km2": s.occupied_km2, "contested_km2": s.contested_km2,
                           "front_km": s.front_km} for s in snaps], ensure_ascii=False, indent=2))
        return 0
    by_source: dict[str, list] = {}
    for s in snaps:
        by_source.setdefault(s.source, []).append(s)
    for source, rows in by_source.items():
        print(f"{source}: {len(rows)} snapshots, {rows[0].date} to {rows[-1].date}")
    if snaps:
        print()
        print(f"{'date':<10}  {'source':<14} {'format':<9} {'occupied km2':>12} {'grey km2':>9} {'front km':>8}  file")
    for s in snaps:
        print(f"{s.date.isoformat():<10}  {s.source[:14]:<14} {s.format:<9} {s.occupied_km2:>12,.0f} "
              f"{s.contested_km2:>9,.0f} {s.front_km:>8,.0f}  {s.file}")
    if not snaps:
        print(f"no snapshots{f' of {args.source}' if args.source else ''} in {path}")
    return 0


# --- the parser --------------------------------------------------------------------

def _lang_option(parser: argparse.ArgumentParser) -> None:
    from geo.lang import ARTICLE_LANGUAGES

    parser.add_argument("--lang", choices=ARTICLE_LANGUAGES, metavar="L",
                        help=f"the language ({', '.join(ARTICLE_LANGUAGES)}) of articles that state none "
                             "(a JSON Lines \"lang\" field wins); default: detected from each text")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="borderline",
        description="Turn war reporting into a geocoded event map, offline.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add_command in _COMMANDS:
        add_command(sub)
    return parser


def _add_gazetteer_command(sub: argparse._SubParsersAction) -> None:
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


def _add_lookup_command(sub: argparse._SubParsersAction) -> None:
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


def _add_parse_command(sub: argparse._SubParsersAction) -> None:
    parse = sub.add_parser("parse", help="find and resolve the place names in articles",
                           description="Find and resolve the place names in an article, or in a "
                                       "JSON Lines batch.")
    parse.add_argument("file", nargs="?", metavar="FILE|-", help="an article file, or - for standard input")
    parse.add_argument("--jsonl", metavar="IN", help='batch: one {"id", "text", "spans"?} object per line; '
                                                      "with spans, resolve exactly those")
    parse.add_argument("--json", action="store_true", help="print JSON")
    parse.add_argument("--cache", metavar="DIR", help="gazetteer directory")
    parse.set_defaults(handler=_cmd_parse)


def _add_distance_command(sub: argparse._SubParsersAction) -> None:
    dist = sub.add_parser("distance", help="geodesic distance from a point to the Russia-Ukraine border",
                          description="Geodesic distance in km from LAT LON to the Russia-Ukraine land "
                                      "border, the side the point lies on, and the nearest border point.")
    dist.add_argument("lat", type=float, metavar="LAT", help="latitude in degrees")
    dist.add_argument("lon", type=float, metavar="LON", help="longitude in degrees")
    dist.add_argument("--json", action="store_true", help="print JSON")
    dist.set_defaults(handler=_cmd_distance)


def _add_events_command(sub: argparse._SubParsersAction) -> None:
    events = sub.add_parser("events", help="extract typed, geocoded events from articles",
                            description="Extract events from article files and print them (GeoJSON\n"
                                        "on standard output by default), each with the url of its\n"
                                        "first report. All inputs are read as one batch: where a\n"
                                        "report leaves a village name to far-apart namesakes, the\n"
                                        "namesake near the other reports' places is taken (its\n"
                                        "confidence stays at most 0.5).",
                            epilog=_INPUTS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    events.add_argument("files", nargs="+", metavar="FILE",
                        help="article files (txt, md, html, jsonl; a Telegram export's .json)")
    events.add_argument("--date", metavar="D", type=_date_option,
                        help="publication date YYYY-MM-DD for articles that carry none in their "
                             "text or metadata (it overrides a date in the file name)")
    _lang_option(events)
    events.add_argument("--format", choices=["geojson", "csv", "gpkg"], default="geojson",
                        help="output format (default geojson)")
    events.add_argument("--out", metavar="PATH", help="write here instead of standard output (required for gpkg)")
    events.add_argument("--cache", metavar="DIR", help="gazetteer directory")
    events.set_defaults(handler=_cmd_events)


def _add_ingest_command(sub: argparse._SubParsersAction) -> None:
    ingest = sub.add_parser("ingest", help="add articles' events to the store",
                            description="Process articles (files, directories, JSON Lines) and add\n"
                                        "their events to the store. Already stored articles are skipped.\n"
                                        "Progress goes to standard error: a bar on a terminal, else a\n"
                                        "line every 10 seconds (articles done/total, events, rate).",
                            epilog=_INPUTS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    ingest.add_argument("paths", nargs="+", metavar="PATH",
                        help="files, directories, .jsonl files or Telegram exports (.json)")
    ingest.add_argument("--data", metavar="DIR", help="data directory (default: $BORDERLINE_DATA or the user data dir)")
    ingest.add_argument("--date", metavar="D", type=_date_option,
                        help="publication date YYYY-MM-DD for articles that carry none in their "
                             "text or metadata (it overrides a date in the file name)")
    _lang_option(ingest)
    ingest.add_argument("--workers", type=int, metavar="N", help="local worker processes (default: all cores)")
    ingest.add_argument("--scheduler", metavar="URL", help="a Dask scheduler, e.g. tcp://HOST:8786")
    ingest.add_argument("--cache", metavar="DIR", help="gazetteer directory")
    ingest.set_defaults(handler=_cmd_ingest)


def _add_export_command(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser("export", help="export the stored events",
                            description="Export the stored events.")
    export.add_argument("--format", choices=["geojson", "csv", "gpkg", "parquet"], default="geojson",
                        help="output format (default geojson); CSV uses ACLED's column names")
    export.add_argument("--out", metavar="PATH", help="write here instead of standard output")
    export.add_argument("--data", metavar="DIR", help="data directory")
    export.set_defaults(handler=_cmd_export)


def _add_frontline_command(sub: argparse._SubParsersAction) -> None:
    front = sub.add_parser("frontline", help="import or list front-line snapshots you supply",
                           description="Front-line snapshots from DeepStateMap, daily merged files or ISW, "
                                       "stored beside the events (frontline.gpkg).")
    front_sub = front.add_subparsers(dest="frontline_command", required=True, metavar="ACTION")
    fimport = front_sub.add_parser(
        "import", help="import snapshot files or folders",
        description="Import front-line snapshots into frontline.gpkg in the data directory.\n"
                    "A file already stored (same source, day and content) is skipped; a bad\n"
                    "file is reported by name and the rest go on.",
        epilog=_FRONTLINE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    fimport.add_argument("paths", nargs="+", metavar="PATH", help="GeoJSON files or folders of them")
    fimport.add_argument("--date", metavar="YYYY-MM-DD", type=_date_option,
                         help="the snapshots' day (overrides a date in the file names)")
    fimport.add_argument("--source", metavar="NAME",
                         help="who drew them (default: DeepStateMap, ISW, or daily, by the format)")
    fimport.add_argument("--data", metavar="DIR", help="data directory (default: $BORDERLINE_DATA or the user data dir)")
    fimport.set_defaults(handler=_cmd_frontline_import)
    flist = front_sub.add_parser("list", help="list the stored snapshots",
                                 description="List the stored front-line snapshots, by source and day.")
    flist.add_argument("--source", metavar="NAME", help="only this source")
    flist.add_argument("--json", action="store_true", help="print JSON")
    flist.add_argument("--data", metavar="DIR", help="data directory")
    flist.set_defaults(handler=_cmd_frontline_list)


def _add_map_command(sub: argparse._SubParsersAction) -> None:
    map_ = sub.add_parser("map", help="write the stored events as a standalone HTML map",
                          description="Write the stored events as a standalone, offline HTML map.")
    map_.add_argument("--out", metavar="PATH", default="map.html", help="output HTML (default map.html)")
    map_.add_argument("--data", metavar="DIR", help="data directory")
    map_.add_argument("--tiles", choices=("none", "osm", "satellite"), default="none",
                      help="basemap: none (default; the page fetches nothing), osm (OpenStreetMap) or "
                           "satellite (Esri World Imagery): the reader's browser then fetches tiles from that server")
    map_.set_defaults(handler=_cmd_map)


#: Each subcommand's parser, in the order ``--help`` lists them.
_COMMANDS = (
    _add_gazetteer_command,
    _add_lookup_command,
    _add_parse_command,
    _add_distance_command,
    _add_events_command,
    _add_ingest_command,
    _add_export_command,
    _add_frontline_command,
    _add_map_command,
)


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
