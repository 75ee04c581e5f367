"""Articles in: plain text, Markdown, HTML and JSON Lines (Telegram channel exports: ``geo.telegram``).

``Article`` is what every later stage reads. ``text`` is the body with metadata
(a leading ``date YYYY-MM-DD`` line, a dateline such as ``KYIV, UKRAINE —``) removed;
all offsets elsewhere in the pipeline are offsets into ``text``.

Identity (``Article.id``): a JSON Lines record's own ``id`` when it has one, else the body
text. Two records with the same text but different ids are two reports (ACLED notes repeat
word for word on different days); the same file read twice is one. Text-only ids are
``sha256(body)[:16]``, unchanged since the first store, so event ids derived from them stay
valid.

Dates, most trusted first: a JSON Lines ``date`` field; the text's own ``date YYYY-MM-DD``
line; Markdown front matter or HTML ``<meta>`` dates; a dateline's date when it has its year
(``LONDON, December 14, 2024 —``); the caller's ``default_date``
(``--date``, the app's upload field); a date in the file name (``2024-12-14-...`` or
``20241214...`` to the day, ``2024-12-...`` to the month, see :func:`date_from_name`);
else none.

Language (``Article.lang``, one of :data:`geo.lang.ARTICLE_LANGUAGES`), most trusted first: a
JSON Lines ``lang`` field; the caller's ``default_lang`` (``--lang``, the app's choice) for input
that states none; else detected from the text (:func:`geo.lang.detect`). The dateline's month
names are the article language's (``dates.toml``).

Everything here treats its input as hostile: sizes are bounded before reading, bytes must
decode as text, HTML is reduced to text by the standard library's parser and nothing it
references is fetched. Every refusal is a :class:`geo.errors.InputError` whose message is one
line naming the file and the problem.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, BinaryIO
from dataclasses import dataclass
from pathlib import Path

from geo import lang as lang_data
from geo.errors import InputError
from geo.lang import DEFAULT_LANGUAGE, check_language, data_language, detect

if TYPE_CHECKING:
    from geo.telegram import SkippedMessages

__all__ = [
    "Article",
    "web_url",
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "BATCH_FORMATS",
    "read_article",
    "read_articles",
    "article_from_text",
    "article_from_bytes",
    "article_from_record",
    "article_id",
    "articles_from_jsonl",
    "date_from_name",
    "NameDate",
    "bounded_lines",
    "decode_bytes",
    "split_metadata",
    "Metadata",
]

#: Largest article accepted, in bytes of the encoded input (one line of a JSON Lines file).
DEFAULT_MAX_BYTES = 5 * 1024 * 1024

#: Input formats by file suffix. A ``.json`` file is read as a Telegram channel export
#: (``geo.telegram``) when its content is one, and refused otherwise.
FORMATS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md",
           ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".ndjson": "jsonl",
           ".json": "telegram"}
#: Formats whose one file holds many articles.
BATCH_FORMATS = frozenset({"jsonl", "telegram"})


@dataclass(frozen=True, slots=True)
class Article:
    id: str                      # stable: see article_id (record id, else body text)
    source: str                  # file name; JSONL "source", else its id; or "pasted"
    text: str                    # body text, metadata stripped
    date: dt.date | None = None  # publication date when known
    dateline: str | None = None  # e.g. "KYIV, UKRAINE" (where it was filed)
    title: str | None = None
    url: str | None = None
    record_id: str | None = None  # a JSON Lines record's own "id", as given
    date_precision: str = "day"  # of ``date``: "day", or "month" (a file named 2024-12-...;
    #                              ``date`` is then the 1st of that month)
    lang: str = DEFAULT_LANGUAGE # the language of ``text`` (geo.lang.ARTICLE_LANGUAGES): given or detected


@dataclass(frozen=True, slots=True)
class Metadata:
    """What :func:`split_metadata` found at the head of a text; the body is ``text[body_start:]``."""

    date: dt.date | None
    dateline: str | None
    body_start: int
    dateline_date: dt.date | None = None   # a full date in the dateline ("LONDON, Dec 14, 2024 —")


# --- decoding ------------------------------------------------------------------------

_CONTROL_OK = {"\n", "\r", "\t", "\f", "\v"}
#: Unicode's control characters (category Cc: U+0000-U+001F and U+007F-U+009F, a fixed set)
#: other than those of :data:`_CONTROL_OK`, as one class: the regex engine scans an article
#: in C where a category lookup per character cost about a quarter of a second per thousand.
_CONTROL_BAD = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


_BASIC_CYRILLIC = re.compile(r"[А-Яа-яЁёІіЇїЄєҐґ]")
_WORD_RE = re.compile(r"[^\W\d_]+")


def _is_plausible_cp1251(text: str) -> bool:
    # cp1251 decodes almost any byte string, so accept it only when the non-ASCII characters
    # are overwhelmingly the Russian and Ukrainian alphabets and typographic marks, and the
    # words are Cyrillic or Latin, not a mixture ("cafй": Latin-1 read as cp1251).
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return True
    good = sum(1 for c in non_ascii if _BASIC_CYRILLIC.match(c) or c in "«»—–…„“”‘’№\u00a0")
    if good / len(non_ascii) < 0.95:
        return False
    cyr_words = [w for w in _WORD_RE.findall(text) if not w.isascii()]
    mixed = sum(1 for w in cyr_words if any(c.isascii() for c in w))
    return mixed <= 0.05 * len(cyr_words)


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = len(_CONTROL_BAD.findall(text))
    return bad / len(text)


def decode_bytes(data: bytes, *, source: str) -> str:
    """Decode article bytes: UTF-8 (with or without BOM), else cp1251 when it reads as Russian
    or Ukrainian text; refuse binary data and anything else."""
    if b"\x00" in data:
        raise InputError(f"{source}: not a text file (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            raise InputError(f"{source}: not valid UTF-8 (byte {err.start}) nor cp1251 text") from err
        if not _is_plausible_cp1251(text):
            raise InputError(f"{source}: not valid UTF-8 (byte {err.start}) and not plausible cp1251 text") from err
    if _control_ratio(text) > 0.01:
        raise InputError(f"{source}: not a text file (control characters)")
    return text


# --- metadata at the head of a text ---------------------------------------------------

_DATE_LINE = re.compile(r"\A\s*+date\s*+:?\s*+(?P<date>\d{4}-\d{2}-\d{2})\b[ \t]*\n?", re.I)
# A dateline: place words, then optionally a date and a wire agency in brackets, then a dash.
# An upper-case place needs nothing else; a mixed-case one needs a date or an agency, because
# "Ukraine - the country ..." at the start of a body is prose, not a dateline.
_PLACE_UP = r"[A-Z\u0400-\u042f][A-Z\u0400-\u042f'’.\-]*(?:\s+[A-Z\u0400-\u042f][A-Z\u0400-\u042f'’.\-]*){0,3}"
_PLACE_ANY = r"[A-Z\u0400-\u042f][\w'’.\-]*(?:\s+[A-Z\u0400-\u042f][\w'’.\-]*){0,3}"
_DASH = r"\s*(?:—|–|--|-)\s+"


@dataclass(frozen=True, slots=True)
class _Datelines:
    """A language's dateline patterns: the place, a date in its words, an agency, a dash."""

    upper: re.Pattern[str]           # an upper-case place: nothing else needed
    mixed: re.Pattern[str]           # a mixed-case place: a date or an agency needed
    day: re.Pattern[str]             # the day a dateline's date names (groups month, day, year)
    months: dict[str, int]           # month form -> 1..12


@functools.cache
def _datelines(language: str) -> _Datelines:
    code = data_language(language)
    data = lang_data.load("dates", lang=code)
    where = f"{code}/dates.toml"
    months = lang_data.calendar_forms(data["months"], lang_data.MONTH_NAMES, f"{where} [months]")
    named = {"month": lang_data.alternation(months)}
    date = lang_data.expand(data["patterns"]["dateline_date"], named, f"{where} dateline_date")
    upper = re.compile(
        rf"\A\s*(?P<place>{_PLACE_UP}(?:,\s*{_PLACE_UP}){{0,2}})"
        rf"(?P<date>{date})?"
        rf"(?:\s*\((?P<agency>[A-Za-z][\w .&-]{{0,30}})\))?{_DASH}")
    mixed = re.compile(
        rf"\A\s*(?P<place>{_PLACE_ANY}(?:,\s*{_PLACE_ANY}){{0,2}})"
        rf"(?:(?P<date>{date})(?:\s*\((?P<agency1>[A-Za-z][\w .&-]{{0,30}})\))?"
        rf"|\s*\((?P<agency2>[A-Za-z][\w .&-]{{0,30}})\)){_DASH}")
    day = re.compile(lang_data.expand(data["patterns"]["dateline_day"], named, f"{where} dateline_day"))
    return _Datelines(upper, mixed, day, months)


def _dateline_date(text: str | None, rules: _Datelines) -> dt.date | None:
    # Only a date with its year: "Dec 14" alone would need a reference the text lacks.
    m = rules.day.search(text or "")
    if not m:
        return None
    try:
        return dt.date(int(m.group("year")), rules.months[m.group("month")], int(m.group("day")))
    except (KeyError, ValueError):
        return None


def split_metadata(text: str, *, source: str = "article", lang: str = DEFAULT_LANGUAGE) -> Metadata:
    """Find a leading ``date YYYY-MM-DD`` line and a dateline (its date in ``lang``'s words);
    they may share one line."""
    pos = 0
    date = None
    m = _DATE_LINE.match(text)
    if m:
        try:
            date = dt.date.fromisoformat(m.group("date"))
        except ValueError as err:
            raise InputError(f"{source}: bad date line {m.group('date')!r}") from err
        pos = m.end()
    dateline = dateline_date = None
    head = text[pos:pos + 200]
    rules = _datelines(lang)
    dm = rules.upper.match(head) or rules.mixed.match(head)
    if dm and "\n" not in dm.group("place"):
        dateline = dm.group("place").strip()
        dateline_date = _dateline_date(dm.group("date"), rules)
        pos += dm.end()
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return Metadata(date=date, dateline=dateline, body_start=pos, dateline_date=dateline_date)


# --- formats --------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>.*?\n)---[ \t]*\n", re.S)


def _heading(m: re.Match[str]) -> str:
    # The optional closing run of '#' counts only after a space ("C#" keeps its '#'). Done in
    # Python: as a regex tail (`[ \t#]*$` after a lazy group) it is quadratic on long runs.
    text = m.group(1).rstrip(" \t")
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1] in " \t"):
        text = bare.rstrip(" \t")
    return text


# Every repeat below stops at the next character that could open or close the construct it
# is inside ([^\[\]\n], [^*\n], ...), and runs of blanks are possessive (*+). A repeat that may
# run over its own delimiters makes each opener scan to the end of the line, and two blank runs
# side by side split a long one every possible way: "[" * 50_000, "**x " * 12_000 or a line of
# 8,000 spaces then take seconds to minutes.
_MD_RULES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"^```.*$|^~~~.*$", re.M), ""),                      # code fences
    (re.compile(r"^[ \t]*\[[^\[\]\n]+\]:[ \t]*\S+.*$", re.M), ""),    # link reference definitions
    (re.compile(r"^[ \t]*+(?:[-*_][ \t]*+){3,}$", re.M), ""),         # horizontal rules
    (re.compile(r"^[ \t]*+\|?[ \t]*+:?-{3,}+:?[ \t]*+(?:\|[ \t]*+:?-{3,}+:?[ \t]*+)*+\|?[ \t]*+$", re.M), ""),  # table rule
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*)$", re.M), _heading),    # headings
    (re.compile(r"^[ \t]*(?:>[ \t]?)+", re.M), ""),                  # block quotes
    (re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+", re.M), ""),   # list markers
    (re.compile(r"!\[([^\[\]\n]*)\]\([^()\n]*\)"), r"\1"),           # images -> alt text
    (re.compile(r"\[([^\[\]\n]+)\]\([^()\n]*\)"), r"\1"),            # inline links -> text
    (re.compile(r"\[([^\[\]\n]+)\]\[[^\[\]\n]*\]"), r"\1"),          # reference links -> text
    (re.compile(r"<(?:https?|mailto):[^<>\s]+>"), ""),                # autolinks
    (re.compile(r"</?[A-Za-z][^<>\n]*>"), ""),                        # inline HTML tags
    (re.compile(r"\*\*(?=\S)((?:[^*\n]|\*(?!\*))+?)(?<=\S)\*\*"), r"\1"),  # strong **x**
    (re.compile(r"__(?=\S)((?:[^_\n]|_(?!_))+?)(?<=\S)__"), r"\1"),     # strong __x__
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\w)"), r"\1"),  # emphasis *x*
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w])"), r"\1"),    # emphasis _x_
    (re.compile(r"`+([^`\n]*)`+"), r"\1"),                            # inline code
    (re.compile(r"^[ \t]*\|(.*)\|[ \t]*$", re.M), r"\1"),            # table row edges
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])"), r"\1"),              # backslash escapes
)


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    fields = {}
    for line in m.group("body").splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip().lower()] = value.strip().strip("'\"")
    return fields, text[m.end():]


def _markdown_to_text(text: str) -> tuple[str, str | None, dict[str, str]]:
    fields, text = _front_matter(text)
    title = fields.get("title") or None
    h1 = re.match(r"\A\s*+#[ \t]++([^\n]*+)\n", text)
    if h1 and h1.group(1).strip() and title is None:
        # A leading level-1 heading is the title, not part of the body.
        title = _heading(h1).strip()
        text = text[h1.end():]
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    text = text.replace("|", " ")
    return _tidy(text), title, fields


_HTML_DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
              "canvas", "head", "nav", "footer", "aside", "form", "button", "select")
_HTML_BLOCKS = ("p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
                "table", "section", "article", "header", "blockquote", "pre", "figcaption",
                "figure", "dd", "dt", "hr", "main", "td", "th")
_DATE_META = ("article:published_time", "og:published_time", "date", "pubdate", "publishdate",
              "dc.date", "dc.date.issued", "datepublished", "sailthru.date")


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    m = re.match(r"\s*(\d{4}-\d{2}-\d{2})", value)
    if not m:
        return None
    try:
        return dt.date.fromisoformat(m.group(1))
    except ValueError:
        return None


def _html_to_text(markup: str) -> tuple[str, str | None, dt.date | None, str | None]:
    from bs4 import BeautifulSoup  # heavy; only HTML input pays for it

    soup = BeautifulSoup(markup, "html.parser")
    title = None
    if soup.title and soup.title.string:
        title = " ".join(soup.title.string.split()) or None
    date = url = None
    for meta in soup.find_all("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = meta.get("content")
        if not isinstance(content, str):
            continue
        if key == "og:title" and title is None:
            title = " ".join(content.split()) or None
        elif key in _DATE_META and date is None:
            date = _parse_date(content)
        elif key == "og:url" and url is None:
            url = content.strip() or None
    if date is None:
        time_tag = soup.find("time", attrs={"datetime": True})
        if time_tag is not None:
            date = _parse_date(str(time_tag.get("datetime")))
    canonical = soup.find("link", rel="canonical", href=True)
    if canonical is not None and url is None:
        url = str(canonical["href"]).strip() or None
    return _tidy(_main_text(soup)), title, date, url


def _main_text(soup: object) -> str:
    """The page's text: its first ``<article>`` outside the dropped elements, else its
    ``<body>``, else all of it; each block element on its own lines.

    One walk with an explicit stack: not recursion, and not bs4's ``insert_before`` or
    ``decompose``, each of which walks to the element's last descendant (quadratic: hours on
    100,000 nested ``<div>``)."""
    from bs4.element import CData, NavigableString, Tag

    parts: list[str] = []
    spans: dict[str, list[int]] = {}        # "article"/"body" -> [start, end) in parts
    stack = [iter(soup.contents)]
    closing: list[tuple[bool, str | None]] = [(False, None)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            block, focus = closing.pop()
            if block:
                parts.append("\n")
            if focus is not None:
                spans[focus].append(len(parts))
        elif isinstance(node, Tag):
            if node.name in _HTML_DROP:
                continue
            block = node.name in _HTML_BLOCKS
            if block:
                parts.append("\n")
            focus = node.name if node.name in ("article", "body") and node.name not in spans else None
            if focus is not None:
                spans[focus] = [len(parts)]
            stack.append(iter(node.contents))
            closing.append((block, focus))
        elif type(node) in (NavigableString, CData):   # not comments, doctypes, ...
            parts.append(str(node))
    for focus in ("article", "body"):
        if focus in spans:
            start, end = spans[focus]
            return "".join(parts[start:end])
    return "".join(parts)


def _tidy(text: str) -> str:
    """Normalise line ends and blank runs; keep words and their spacing within a line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def article_id(body: str, *, record_id: str | None = None) -> str:
    """An article's stable id: from the record's own id when it has one, else from its body.

    The record-id form hashes a prefix that no body can produce alone, so a record id can
    never collide with the id of a text that happens to read the same."""
    if record_id is not None:
        return hashlib.sha256(b"record-id\x00" + record_id.encode("utf-8", "replace")).hexdigest()[:16]
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class NameDate:
    """A date read from a file name; ``precision`` "day" or "month" (``date`` is then the 1st)."""

    date: dt.date
    precision: str


# Digits bounded by non-digits: "2024-12-14-x", "x_2024-12", "20241214-x"; not a run of an id.
_NAME_DAY = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.](\d{2})[-_.](\d{2})(?!\d)")
_NAME_MONTH = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_](\d{2})(?![-_.]?\d)")
_NAME_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)")


def date_from_name(name: str) -> NameDate | None:
    """The date a file name carries, if any: ``2024-12-14-...`` (also ``_`` or ``.``
    between the parts) and ``20241214...`` give the day, ``2024-12-...`` the month. The
    first valid one counts; an impossible one (``2024-13-40``) is no date."""
    stem = Path(name).name
    for rx, precision in ((_NAME_DAY, "day"), (_NAME_COMPACT, "day"), (_NAME_MONTH, "month")):
        for m in rx.finditer(stem):
            try:
                day = int(m.group(3)) if precision == "day" else 1
                return NameDate(dt.date(int(m.group(1)), int(m.group(2)), day), precision)
            except ValueError:
                continue
    return None


#: An http(s) address fit to be a link: a plain host, no space, quote, backtick, angle bracket or
#: backslash anywhere (so it can neither leave an HTML attribute nor run as ``javascript:``).
_WEB_URL = re.compile(r"(?i:https?)://[A-Za-z0-9.-]+(?::\d{1,5})?(?:[/?#][^\s\x00-\x1f\x7f<>\"'`\\{}|^]*)?",
                      re.ASCII)


def web_url(value: object) -> str | None:
    """``value`` (stripped) if it is an http(s) address fit to be a link, else None.

    The one check for every url that reaches a link: kept from input here, linked by the map's
    popups (``geo.maps.link_url``) and the app (``geo.view.safe_url``), whatever each escapes."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if len(value) <= 2048 and _WEB_URL.fullmatch(value) else None


def _check_date(value: object, source: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    date = _parse_date(value) if isinstance(value, str) else None
    if date is None:
        raise InputError(f"{source}: bad date {str(value)[:40]!r} (want YYYY-MM-DD)")
    return date


def article_from_text(text: str, *, source: str = "pasted", default_date: dt.date | None = None,
                      fmt: str | None = None, title: str | None = None, url: str | None = None,
                      date: dt.date | None = None, name_date: NameDate | None = None,
                      record_id: str | None = None, lang: str | None = None,
                      default_lang: str | None = None) -> Article:
    """An article from decoded text in format ``fmt`` (txt, md, html; default txt).

    ``lang`` given by the caller (a JSON Lines field) wins over ``default_lang`` (what the user
    chose for input that states none), which wins over the language detected from the text.

    ``date`` given by the caller (a JSON Lines field) wins over a date found in the text (its
    date line, front matter or HTML meta, then its dateline), which wins over ``default_date`` (what the user typed for undated input), which wins
    over ``name_date`` (from the file name). ``record_id`` (a JSON Lines ``id``) is the
    article's identity when given.
    """
    # a lone surrogate (a JSON "\ud800", a paste) cannot be stored, hashed or parsed: it reads "?"
    text = text.encode("utf-8", "replace").decode("utf-8")
    fmt = (fmt or "txt").lower().lstrip(".")
    fmt = FORMATS.get("." + fmt, fmt)
    found_date = None
    if fmt == "md":
        text, md_title, fields = _markdown_to_text(text)
        title = title or md_title
        url = url or fields.get("url") or None
        found_date = _parse_date(fields.get("date"))
    elif fmt == "html":
        text, html_title, found_date, html_url = _html_to_text(text)
        title = title or html_title
        url = url or html_url
    elif fmt == "txt":
        text = _tidy(text)
    else:
        raise InputError(f"{source}: unknown format {fmt!r} (want txt, md or html)")
    language = (check_language(lang, source) or check_language(default_lang, source)
                or detect(text))
    meta = split_metadata(text, source=source, lang=language)
    body = text[meta.body_start:].rstrip()
    if not body:
        raise InputError(f"{source}: empty article (no body text)")
    chosen = date or meta.date or found_date or meta.dateline_date or default_date
    precision = "day"
    if chosen is None and name_date is not None:
        chosen, precision = name_date.date, name_date.precision
    return Article(id=article_id(body, record_id=record_id), source=source, text=body, date=chosen,
                   dateline=meta.dateline, title=title, url=web_url(url), record_id=record_id,
                   date_precision=precision, lang=language)


def article_from_bytes(data: bytes, *, source: str, fmt: str | None = None,
                       default_date: dt.date | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                       default_lang: str | None = None) -> Article:
    """Check size, decode and parse raw article bytes (an upload, standard input).

    ``source`` is the file name: a date in it (:func:`date_from_name`) dates an article that
    has no date of its own and no ``default_date``."""
    if len(data) > max_bytes:
        raise InputError(f"{source}: too large ({len(data):,} bytes; the limit is {max_bytes:,})")
    if not data.strip():
        raise InputError(f"{source}: empty input")
    return article_from_text(decode_bytes(data, source=source), source=source,
                             default_date=default_date, fmt=fmt, name_date=date_from_name(source),
                             default_lang=default_lang)


def _format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path.name}: unsupported file type {path.suffix or '(none)'!r} "
                         f"(want {', '.join(sorted(FORMATS))})")
    return fmt


def _read_limited(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{path.name}: too large ({size:,} bytes; the limit is {max_bytes:,})")
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as err:
        raise InputError(f"{path.name}: cannot read ({err.strerror or err})") from err
    if len(data) > max_bytes:
        raise InputError(f"{path.name}: too large (over the limit of {max_bytes:,} bytes)")
    return data


def read_article(path: str | Path, *, default_date: dt.date | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES, default_lang: str | None = None) -> Article:
    """Read one article file (.txt, .md, .html/.htm). The source is the file name."""
    path = Path(path)
    fmt = _format_of(path)
    if fmt in BATCH_FORMATS:
        raise InputError(f"{path.name}: a {'JSON Lines file' if fmt == 'jsonl' else 'Telegram export'} "
                         "holds many articles; use read_articles")
    return article_from_bytes(_read_limited(path, max_bytes), source=path.name, fmt=fmt,
                              default_date=default_date, max_bytes=max_bytes, default_lang=default_lang)


def _record_text(value: object, field: str, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}: field {field!r} must be a string")
    return value


def article_from_record(record: object, *, where: str, default_date: dt.date | None = None,
                        max_bytes: int = DEFAULT_MAX_BYTES, default_lang: str | None = None) -> Article:
    """An article from one decoded JSON Lines object
    ``{"id"?, "text", "date"?, "source"?, "title"?, "url"?, "lang"?}``.

    ``id`` (string or number) is the record's identity: records with the same text and
    different ids are different articles. ``source`` (a publication, an agency) is what the
    map and the app show as the source, linked to ``url``; without it the id is shown.
    ``lang`` (en, uk, ru) is the text's language; without it ``default_lang``, else detection.
    A batch file's name does not date its records."""
    if not isinstance(record, dict):
        raise InputError(f"{where}: not a JSON object")
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError(f"{where}: missing string field 'text'")
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise InputError(f"{where}: text too large (limit {max_bytes:,} bytes)")
    if "\x00" in text or _control_ratio(text) > 0.01:
        raise InputError(f"{where}: text is not plain text (control characters)")
    rid = record.get("id")
    if rid is not None and (not isinstance(rid, (str, int)) or isinstance(rid, bool)):
        raise InputError(f"{where}: field 'id' must be a string or number")
    record_id = None if rid is None else str(rid)
    if record_id is not None and not record_id.strip():
        raise InputError(f"{where}: field 'id' is empty")
    named = (_record_text(record.get("source"), "source", where) or "").strip()
    source = named or record_id or where
    return article_from_text(
        text, source=source, default_date=default_date, fmt="txt",
        title=_record_text(record.get("title"), "title", where),
        url=_record_text(record.get("url"), "url", where),
        date=_check_date(record.get("date"), where), record_id=record_id,
        lang=check_language(record.get("lang"), where), default_lang=default_lang)


def read_articles(path: str | Path, *, default_date: dt.date | None = None,
                  max_bytes: int = DEFAULT_MAX_BYTES,
                  on_error: Callable[[InputError], None] | None = None,
                  default_lang: str | None = None,
                  on_skip: Callable[[SkippedMessages], None] | None = None) -> Iterator[Article]:
    """Articles from a JSON Lines file or a Telegram channel export (``.json``), or the one
    article of any other supported file.

    A bad line (a bad message) raises :class:`InputError` naming ``file:line`` (``file:
    message N``); with ``on_error`` given, the error is handed to it instead and reading goes
    on with the next one. ``on_skip`` gets a Telegram export's count of messages that are no
    article (service messages, media without text), once it is read.
    """
    path = Path(path)
    fmt = _format_of(path)
    if fmt == "telegram":
        from geo.telegram import read_export   # it builds on this module

        try:
            yield from read_export(path, max_bytes=max_bytes, on_error=on_error, on_skip=on_skip,
                                   default_lang=default_lang)
        except InputError as err:
            if on_error is None:
                raise
            on_error(err)
        return
    if fmt != "jsonl":
        try:
            yield read_article(path, default_date=default_date, max_bytes=max_bytes, default_lang=default_lang)
        except InputError as err:
            if on_error is None:
                raise
            on_error(err)
        return
    try:
        fh = path.open("rb")
    except OSError as err:
        raise InputError(f"{path.name}: cannot read ({err.strerror or err})") from err
    with fh:
        yield from articles_from_jsonl(bounded_lines(fh, limit=max_bytes), source=path.name, default_date=default_date,
                                       max_bytes=max_bytes, on_error=on_error, default_lang=default_lang)


def bounded_lines(fh: BinaryIO, *, limit: int = DEFAULT_MAX_BYTES) -> Iterator[bytes]:
    """The lines of a binary file, each cut after ``limit + 1`` bytes (the rest of an over-long
    line is skipped in chunks), so one huge line cannot be held in memory to be refused."""
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
        yield line


def articles_from_jsonl(
    lines: Iterable[bytes],
    *,
    source: str,
    default_date: dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_error: Callable[[InputError], None] | None = None,
    default_lang: str | None = None,
) -> Iterator[Article]:
    """Articles from JSON Lines, one record a line; errors name ``source:line``.

    With ``on_error``, a bad line is reported to it and reading goes on; without, it raises.
    """
    for line_no, raw in enumerate(lines, 1):
        where = f"{source}:{line_no}"
        if not raw.strip():
            continue
        try:
            if len(raw) > max_bytes:
                raise InputError(f"{where}: line too large (over {max_bytes:,} bytes, the limit)")
            try:
                record = json.loads(raw.decode("utf-8-sig"))
            except UnicodeDecodeError as err:
                raise InputError(f"{where}: not valid UTF-8 (byte {err.start})") from err
            except json.JSONDecodeError as err:
                raise InputError(f"{where}: invalid JSON ({err.msg} at column {err.colno})") from err
            except (ValueError, RecursionError) as err:   # a number over 4,300 digits; nesting too deep
                raise InputError(f"{where}: invalid JSON ({' '.join(str(err).split())[:100]})") from err
            yield article_from_record(record, where=where, default_date=default_date, max_bytes=max_bytes,
                                      default_lang=default_lang)
        except InputError as err:
            if on_error is None:
                raise
            # The record's own message may not say which file and line it was about.
            msg = " ".join(str(err).split())
            on_error(err if msg.startswith(source) else InputError(f"{where}: {msg}"))
