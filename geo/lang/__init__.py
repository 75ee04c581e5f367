"""Language data: word lists and patterns, one folder per language (``geo/lang/<lang>/``).

Data, not code: each language's words and rules are files read with :mod:`importlib.resources`
on first use (nothing is read at import time), and each module that uses them compiles them
once per language into a small typed object (``geo.toponyms.Lexicon``; in ``geo.events``
``sentence_rules``, ``actor_rules``, ``place_rules``, ``number_rules``, ``date_rules`` and the
triggers' ``_lexicon``; the dateline's in ``geo.articles``). A new language is a new folder
holding every file of :data:`FILES` with the keys the code reads, and its code added to
:data:`LANGUAGES`; the code that reads them does not change. ``tests/test_lang.py`` fails
when a shipped language lacks a file or a key.

- :data:`LANGUAGES`: the languages shipped with their full data.
- :data:`ARTICLE_LANGUAGES`: what an article may be in (detected, or given by a JSON Lines
  ``lang`` field, ``--lang`` or the app). Each has a ``detect.toml`` in its folder; one
  without the rest of the data is read with the data of :data:`DEFAULT_LANGUAGE`
  (:func:`data_language`), as all text was before languages were told apart.
- :func:`detect`: an article's language from its text (see its docstring).
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar

from geo.errors import InputError, LanguageDataError

__all__ = [
    "LANGUAGES",
    "ARTICLE_LANGUAGES",
    "DEFAULT_LANGUAGE",
    "FILES",
    "LANGUAGE_NAMES",
    "Table",
    "load",
    "read_text",
    "data_digest",
    "data_language",
    "detect",
    "check_language",
    "expand",
    "pieces",
    "PatternFile",
    "pattern_file",
    "per_data_language",
    "MONTH_NAMES",
    "WEEKDAY_NAMES",
    "calendar_forms",
    "alternation",
]

#: Languages shipped with every file of :data:`FILES`.
LANGUAGES: tuple[str, ...] = ("en", "uk", "ru")
#: Languages an article may be in, detected or given; each has ``<lang>/detect.toml``.
ARTICLE_LANGUAGES: tuple[str, ...] = ("en", "uk", "ru")
#: The language whose data reads text in a language with no data of its own, and text in a
#: script none of :data:`ARTICLE_LANGUAGES` is written in.
DEFAULT_LANGUAGE = "en"
#: What the interface calls each language.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "uk": "Ukrainian", "ru": "Russian"}

#: Every file a shipped language's folder holds (what each is for: its own header comment).
FILES: tuple[str, ...] = (
    "detect.toml",       # script, distinctive letters and frequent words: detection
    "toponyms.toml",     # recognition: titles, organisation, feature and cue words, actor verbs ...
    "demonyms.csv",      # adjectival and demonymic forms of countries ("Russian" -> RU)
    "place_names.csv",   # names the gazetteer lacks: aliases, abbreviations, region cues, continents
    "resolution.toml",   # resolution: function words, admin words, other spellings of names
    "morphology.toml",   # inflection: the analyser, case-ending rules, the neighbour's spellings
    "sentences.toml",    # sentence splitting: abbreviations, words a wrapped line ends on
    "triggers.toml",     # event-type trigger rules, hedge and habit words
    "actors.toml",       # attacker, target, claimant: country names, report and action verbs
    "places.toml",       # where an event is: vicinity, origin, jurisdiction, distance phrases
    "numbers.toml",      # counts: number words, casualty and weapon phrases
    "dates.toml",        # months, weekdays, relative and issue-date phrases
)


class Table(dict):
    """A parsed TOML table that names its file and key when a key the code reads is missing
    (``table["x"]``); ``get`` is for keys a language may leave out."""

    __slots__ = ("where",)

    def __init__(self, data: Mapping[str, Any], where: str) -> None:
        super().__init__({k: _tables(v, f"{where} [{k}]") for k, v in data.items()})
        self.where = where

    def __missing__(self, key: str) -> Any:
        raise LanguageDataError(f"{self.where}: no key {key!r}")


def _tables(value: Any, where: str) -> Any:
    if isinstance(value, dict):
        return Table(value, where)
    if isinstance(value, list):
        return [_tables(v, f"{where}[{n}]") for n, v in enumerate(value)]
    return value


def _path(lang: str, name: str):
    if lang not in ARTICLE_LANGUAGES:
        raise LanguageDataError(f"no language data for {lang!r} (known: {', '.join(ARTICLE_LANGUAGES)})")
    return resources.files(__name__).joinpath(lang, name)


@functools.cache
def read_text(name: str, *, lang: str) -> str:
    """The text of ``geo/lang/<lang>/<name>`` (a file name with its suffix)."""
    try:
        return _path(lang, name).read_text(encoding="utf-8")
    except OSError as err:
        raise LanguageDataError(f"cannot read language data {lang}/{name}: {err}") from err


@functools.cache
def load(name: str, *, lang: str = DEFAULT_LANGUAGE) -> Table:
    """The parsed ``geo/lang/<lang>/<name>.toml`` (cached: parsed once per process)."""
    try:
        return Table(tomllib.loads(read_text(f"{name}.toml", lang=lang)), f"{lang}/{name}.toml")
    except tomllib.TOMLDecodeError as err:
        raise LanguageDataError(f"cannot read language data {lang}/{name}.toml: {err}") from err


def data_digest(lang: str, names: tuple[str, ...] = FILES) -> str:
    """A digest of a language's data files: the key of caches built from them."""
    h = hashlib.sha256(lang.encode())
    for name in names:
        h.update(name.encode() + b"\0" + read_text(name, lang=lang).encode("utf-8") + b"\0")
    return h.hexdigest()[:12]


def data_language(lang: str | None) -> str:
    """The language whose data reads text in ``lang``: itself when shipped, else the default."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def check_language(value: object, where: str) -> str | None:
    """``value`` as a language code of :data:`ARTICLE_LANGUAGES` (None when absent), or an
    :class:`InputError` naming ``where`` and the problem."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}: field 'lang' must be a string ({', '.join(ARTICLE_LANGUAGES)})")
    code = value.strip().lower()
    if code in ARTICLE_LANGUAGES:
        return code
    hint = " (Ukrainian is 'uk')" if code == "ua" else ""
    raise InputError(f"{where}: field 'lang' is {value[:20]!r}, not one of "
                     f"{', '.join(ARTICLE_LANGUAGES)}{hint}")


# --- patterns ------------------------------------------------------------------------------

_PIECE = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def expand(template: str, named: Mapping[str, str], where: str) -> str:
    """``template`` with each ``{name}`` replaced by the regex of that name in ``named`` (a
    regex quantifier such as ``{0,4}`` is left alone)."""
    def sub(m: re.Match[str]) -> str:
        try:
            return named[m.group(1)]
        except KeyError:
            raise LanguageDataError(f"{where}: unknown piece {{{m.group(1)}}}") from None
    return _PIECE.sub(sub, template)


def pieces(table: Mapping[str, Any], where: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Named regex pieces of a ``[pieces]`` table: a list of alternatives becomes ``(?:a|b)``,
    a string stays as written; each may use the pieces before it (and ``base``) as ``{name}``."""
    out = dict(base or {})
    for name, value in table.items():
        text = "(?:" + "|".join(value) + ")" if isinstance(value, list) else value
        out[name] = expand(text, out, f"{where} [{name}]")
    return out


_Rules = TypeVar("_Rules")


def per_data_language(build: Callable[[str], _Rules]) -> Callable[..., _Rules]:
    """Decorator for a loader of compiled language rules, ``build(code)``: the result takes any
    language (default :data:`DEFAULT_LANGUAGE`) and gives the rules of its data's language
    (:func:`data_language`). Cached by that code, so ``rules()``, ``rules("en")`` and a language
    without data of its own share one set (each gate is made once); the lookup by the language
    asked for is cached too (the hot path: one dictionary lookup)."""
    by_code = functools.cache(build)

    @functools.cache
    @functools.wraps(build)
    def rules(language: str = DEFAULT_LANGUAGE) -> _Rules:
        return by_code(data_language(language))
    return rules


@dataclass(frozen=True)
class PatternFile:
    """A language's pattern file (``actors``, ``places``, ``numbers``, ``dates``): its data,
    its ``[pieces]`` expanded, and where it is, so an error names the file and key."""

    data: Table
    named: dict[str, str]
    where: str

    def regex(self, template: str, what: str) -> str:
        """``template`` with its pieces put in (``what`` names it in an error)."""
        return expand(template, self.named, f"{self.where} {what}")

    def compile(self, name: str, *, table: str = "patterns") -> re.Pattern[str]:
        """The compiled pattern ``name`` of ``[table]``."""
        return re.compile(self.regex(self.data[table][name], f"[{table}] {name}"))

    def optional(self, name: str, *, table: str = "patterns") -> re.Pattern[str] | None:
        """:meth:`compile`, or None when the language leaves ``name`` out or empty."""
        return self.compile(name, table=table) if self.data[table].get(name) else None


def pattern_file(name: str, *, lang: str, base: Mapping[str, str] | None = None) -> PatternFile:
    """``geo/lang/<lang>/<name>.toml`` with its ``[pieces]`` (on top of ``base``) expanded."""
    data = load(name, lang=lang)
    where = f"{lang}/{name}.toml"
    return PatternFile(data, pieces(data["pieces"], where, base), where)


#: The calendar's concepts, as ``dates.toml`` names them (after dateparser's data).
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december")
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def calendar_forms(table: Mapping[str, Any], names: tuple[str, ...], where: str) -> dict[str, int]:
    """Each form of ``table`` (a ``dates.toml`` calendar table) -> its concept's number, 1 for the
    first of ``names``; in the table's order of forms."""
    out: dict[str, int] = {}
    for number, name in enumerate(names, 1):
        forms = table.get(name)
        if not forms:
            raise LanguageDataError(f"{where}: no forms for {name!r}")
        for form in forms:
            out.setdefault(form, number)
    return out


def alternation(forms: Any) -> str:
    """A regex alternation of ``forms``, longest first (so "September" is not read as "Sep")."""
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))


# --- detection -----------------------------------------------------------------------------

#: Letters of each script detection tells apart (the scripts of ``detect.toml``).
_SCRIPTS = {
    "Latin": re.compile(r"[A-Za-z\u00c0-\u024f]+"),
    "Cyrillic": re.compile(r"[\u0400-\u04ff\u0500-\u052f]+"),
}
_ANY_CYRILLIC = re.compile(r"[\u0400-\u052f]")
_WORDS = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")
#: Detection reads at most this much of a text: enough letters to decide, bounded cost.
_DETECT_CHARS = 20_000


#: How much likelier a text of one language shows one of that language's frequent words
#: (``detect.toml`` words) than a text of another (a log-odds of ln 20 per occurrence).
_WORD_LOG_ODDS = math.log(20.0)
#: The share of another language's distinctive letters in a text (a quoted name, a typo).
_FOREIGN_SHARE = 0.001


@dataclass(frozen=True, slots=True)
class _Detector:
    lang: str
    script: str
    letters: frozenset[str]     # distinctive letters of the language among its script's
    share: float                # their expected share of the letters of its text
    words: frozenset[str]       # frequent words of the language and of no other of its script


@functools.cache
def _detectors() -> tuple[_Detector, ...]:
    """Every article language's detection data."""
    out = []
    for code in ARTICLE_LANGUAGES:
        data = load("detect", lang=code)
        script = data["script"]
        if script not in _SCRIPTS:
            raise LanguageDataError(f"{code}/detect.toml: unknown script {script!r} (known: {', '.join(_SCRIPTS)})")
        share = float(data["letter_share"])
        if not 0.0 <= share < 1.0:
            raise LanguageDataError(f"{code}/detect.toml: letter_share {share} is not a share")
        out.append(_Detector(code, script, frozenset(data["letters"].lower()), share,
                             frozenset(w.lower() for w in data["words"])))
    return tuple(out)


def detect(text: str) -> str:
    """The language of ``text``, one of :data:`ARTICLE_LANGUAGES`.

    The script most of its letters are in (Latin or Cyrillic) picks the languages written in
    it. Of several, the likeliest: each language expects its distinctive letters (Ukrainian
    і ї є ґ, Russian ы э ъ ё) at a share of the text's letters (``letter_share``), so their
    presence and their absence both count (twenty Cyrillic words without і, ї or є are
    unlikely Ukrainian); each of its frequent words (``words``) adds the same evidence again,
    deciding short texts. Where nothing tells them apart the first listed in
    :data:`ARTICLE_LANGUAGES` is taken. A text mixing scripts goes by its majority (an English
    report quoting a Ukrainian name is English); a text with neither script's letters
    (another script, or none) is :data:`DEFAULT_LANGUAGE`.
    """
    sample = text[:_DETECT_CHARS]
    if _ANY_CYRILLIC.search(sample) is None:        # most text: no need to count anything
        counts = {"Cyrillic": 0, "Latin": 1}
    else:
        counts = {s: sum(map(len, rx.findall(sample))) for s, rx in _SCRIPTS.items()}
    if not any(counts.values()):
        return DEFAULT_LANGUAGE
    script = max(counts, key=lambda s: (counts[s], s == "Latin"))
    candidates = [d for d in _detectors() if d.script == script]
    if not candidates:
        return DEFAULT_LANGUAGE
    if len(candidates) == 1:
        return candidates[0].lang
    low = sample.lower()
    letters = counts[script]
    own = {d.lang: sum(low.count(ch) for ch in d.letters) for d in candidates}
    words = _WORDS.findall(low)

    def log_likelihood(d: _Detector) -> float:
        mine = own[d.lang]
        others = sum(own.values()) - mine
        rest = max(letters - mine - others, 0)
        ll = others * math.log(_FOREIGN_SHARE) + rest * math.log1p(-d.share)
        if mine:
            ll += mine * math.log(d.share) if d.share > 0 else -math.inf
        return ll + _WORD_LOG_ODDS * sum(w in d.words for w in words)

    scored = [(log_likelihood(d), -n) for n, d in enumerate(candidates)]
    return candidates[max(range(len(candidates)), key=lambda n: scored[n])].lang
