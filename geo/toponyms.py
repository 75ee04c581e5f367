"""Place names found in article text: recognition.

One pass of an Aho-Corasick automaton over the article's token keys finds every gazetteer
name; principled filters then drop what is not a place (people, organisations, common words,
acronyms), mark what is a place used as an actor (``literal=False``), and context patterns add
the places the gazetteer lacks ("the village of X", "X region", "near X", "in X, Donetsk") as
unresolved mentions.  Resolution (which entry) is :mod:`geo.resolution`'s job.

The word lists this uses are data, per language (:class:`Lexicon`, one per language): the
small closed classes (titles, organisation and feature words, actor verbs, cue words ...) and
demonyms are ``geo/lang/<lang>/`` files; the large lists come from installed packages that
``toponyms.toml`` names (for English: first names from the name dictionary shipped in
``gender-guesser``, Jörg Michael's nam_dict, GFDL; common lower-case words from Webster's
Second International word list shipped in ``english-words``, public domain).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import pickle
import re
from bisect import bisect_left
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

import ahocorasick

from gazetteer.model import Place
from gazetteer.names import ADMIN_WORDS, cyrillic_key, name_key, token_key, tokens as _name_tokens

from geo import lang as lang_data
from geo.errors import LanguageDataError
from geo.lang import DEFAULT_LANGUAGE
from geo.pickle_cache import load_or_build

__all__ = [
    "Mention",
    "Token",
    "Found",
    "Lexicon",
    "KeyIndex",
    "tokenize",
    "recognize",
    "mark_literal",
    "owns_authority",
    "F_COMMON",
    "F_STRONG",
    "F_ADMIN",
    "F_COUNTRY",
    "F_UNIT",
    "F_CAPITAL",
    "F_TOWN",
    "CONTINENT_PREFIX",
    "NEIGHBOUR_SEP",
    "own_spelling",
]

#: Joins a name's key and its neighbour language's spellings into one ``Found.key``
#: ("красногоровка|красногорівка"): resolution reads the first's entries and the others' in the
#: neighbour country.
NEIGHBOUR_SEP = "|"


def own_spelling(key: str | None) -> str | None:
    """The key of a name as the text spells it: a neighbour-joined key's first part."""
    return key.partition(NEIGHBOUR_SEP)[0] if key else key


#: The id prefix of the continents ``place_names.csv`` names ("continent:EU"), places the resolver
#: adds to the gazetteer's.
CONTINENT_PREFIX = "continent:"


@dataclass(frozen=True, slots=True)
class Mention:
    start: int                 # offset into Article.text
    end: int
    text: str                  # surface form, Article.text[start:end]
    place: Place | None        # resolved entry, or None when unresolved
    score: float               # 0..1 confidence of the resolution
    literal: bool = True       # False for metonyms (Moscow as the Russian government)
    role: str = "name"         # "name", "demonym", "pattern" (found by context), "dateline",
    #                            "qualifier" (the unit of the name before it: "X, Donetsk" -> Donetsk Oblast)
    #: Other readings the text leaves as likely as ``place`` (within the margin that makes a
    #: choice confident) lying over 25 km from it: "Ivanivka, Kharkiv" with no other clue is any
    #: of sixteen villages.  Empty when the choice is decided or its rivals are near it.
    rivals: tuple[Place, ...] = ()


# --- tokens ---------------------------------------------------------------------------

class Token(NamedTuple):
    """One word of an article (a named tuple: articles have thousands, made per parse)."""

    start: int
    end: int            # end of the word, possessive 's excluded
    text: str
    key: str            # gazetteer token key of ``text``
    cap: bool           # starts with an upper-case letter
    upper: bool         # all upper case, two letters or more (an acronym in prose)
    initial: bool       # first word of a sentence, quote or line: capitals prove nothing
    headline: bool      # on a title-case or upper-case line
    possessive: bool    # followed by 's / ’s
    joined: bool        # attached to the previous token by a hyphen
    sentence: int       # sentence number


_POSSESSIVE = re.compile(r"['’ʼ]s$")
_SENTENCE_GAP = re.compile(r"[.!?]|\n")
_INITIAL_GAP = re.compile(r"[.!?:;“\"‘(\[\n•]|^\s*['’]")


def _word_tokens(text: str) -> list[tuple[int, int, str]]:
    # gazetteer.names.tokens is memoised for short names; an article must not fill its cache.
    return getattr(_name_tokens, "__wrapped__", _name_tokens)(text)


_LONG_WORD = re.compile(r"[^\W\d_]{4,}")
_KEY_CACHE: dict[str, str] = {}


def _key(word: str) -> str:
    # A plain dict in front of token_key's LRU: this runs for every word of every article.
    got = _KEY_CACHE.get(word)
    if got is None:
        if len(_KEY_CACHE) > 500_000:
            _KEY_CACHE.clear()
        got = _KEY_CACHE[word] = token_key(word)
    return got


def _headline_ranges(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of lines written in title case or capitals (headlines), where a
    capital letter is no evidence of a name.  A headline is not punctuated as a sentence."""
    out = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        stripped = line.rstrip()
        # A headline is short and not punctuated as a sentence.
        if stripped and len(stripped) < 200 and stripped[-1] not in ".!?\"”:;,":
            words = _LONG_WORD.findall(line)
            if len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.75 * len(words):
                out.append((pos, end))
        pos = end + 1
    return out


def tokenize(text: str) -> list[Token]:
    """Tokens with the case and position facts the filters need."""
    out: list[Token] = []
    append = out.append
    new = tuple.__new__  # a NamedTuple's own __new__ costs a Python call per word
    sentence = 0
    prev_end = 0
    heads = _headline_ranges(text)
    h = 0
    head_start, head_end = heads[0] if heads else (-1, -1)
    cached = _KEY_CACHE.get
    sentence_gap = _SENTENCE_GAP.search
    initial_gap = _INITIAL_GAP.search
    for n, (start, end, word) in enumerate(_word_tokens(text)):
        gap = " " if start == prev_end + 1 and text[prev_end] == " " else text[prev_end:start]
        possessive = False
        prev_end = end
        if word[-1] == "s" and len(word) > 2 and word[-2] in "'’ʼ":
            word = word[:-2]
            end = start + len(word)
            possessive = True
        while start > head_end >= 0:
            h += 1
            head_start, head_end = heads[h] if h < len(heads) else (-1, -1)
        headline = head_start <= start <= head_end
        if gap == " ":
            initial = headline
        else:
            if n and sentence_gap(gap):
                sentence += 1
            initial = n == 0 or headline or initial_gap(gap) is not None
        append(new(Token, (start, end, word, cached(word) or _key(word), word[0].isupper(),
                           len(word) > 1 and word.isupper(), initial, headline, possessive,
                           gap == "-" and n > 0, sentence)))
    return out


# --- lexicon ----------------------------------------------------------------------------

#: Automaton value flags: the key's token count is in the low four bits.
F_COMMON = 1 << 4   # every token is a common lower-case word of the text's language (set per text)
F_STRONG = 1 << 5   # a country, a first-level unit or a large city bears this name
F_ADMIN = 1 << 6    # a country or an admin unit bears this name
F_COUNTRY = 1 << 7  # a country bears this name
F_UNIT = 1 << 8     # a first-level unit bears this name
F_CAPITAL = 1 << 9  # a first-level unit's namesake city bears this name ("Zaporizhia", "Odessa")
F_TOWN = 1 << 10    # a town of at least 10,000 people bears this name (no hamlet named like a person)

#: The language data files a lexicon is built from (``geo/lang/<lang>/``).
LEXICON_FILES = ("toponyms.toml", "resolution.toml", "demonyms.csv", "place_names.csv", "detect.toml")


def _read_data(name: str) -> str:
    return resources.files("geo").joinpath("data", name).read_text(encoding="utf-8")


def _csv_rows(text: str) -> list[dict[str, str]]:
    rows = [r for r in text.splitlines() if r and not r.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(rows))))


def _nam_dict_first_names(key: Callable[[str], str]) -> set[str]:
    firsts: set[str] = set()
    names = resources.files("gender_guesser").joinpath("data", "nam_dict.txt")
    with names.open("r", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or len(line) < 31:
                continue
            freq = [c for c in line[30:86] if c in "0123456789ABCDEF"]
            # Names seen in one country at the lowest frequency are too rare to be
            # evidence, and many of them are places (London, India).
            if freq and max(int(c, 16) for c in freq) >= 2:
                name = line[3:29].strip().replace("+", " ")
                if name and " " not in name:
                    firsts.add(key(name))
    return firsts


def _webster_common_words(key: Callable[[str], str]) -> set[str]:
    web2 = resources.files("english_words").joinpath("data", "web2.pickle").read_bytes()
    # Only words Webster's writes in lower case are common words: "reading", "china",
    # "turkey", not "Paris".
    return {key(w) for w in pickle.loads(web2) if w.isalpha() and w.islower()}


#: Word lists read from installed packages, by the name a language's ``toponyms.toml``
#: ``[sources]`` gives them: reading a package is code, which one a language uses is data.
WORD_SOURCES: dict[str, Callable[[Callable[[str], str]], set[str]]] = {
    "nam_dict": _nam_dict_first_names,
    "webster": _webster_common_words,
}


def _keys(words: Iterable[str], key: Callable[[str], str] = token_key) -> frozenset[str]:
    # a list entry of several words ("county commission") counts each word
    return frozenset(key(w) for entry in words for w in entry.split())


def _pycountry_names(lang: str) -> dict[str, str]:
    """Country names in ``lang`` from pycountry's ISO 3166-1 translations (its gettext
    catalogues, LGPL-2.1): the short name and the common name, ``{name: alpha-2}``.  A name
    written with a comma ("Тайвань, провінція Китаю") is the catalogue's, not the text's."""
    import gettext

    import pycountry

    try:
        tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
    except OSError as err:
        raise LanguageDataError(f"pycountry has no {lang!r} country names: {err}") from err
    out: dict[str, str] = {}
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "common_name", None)):
            if name:
                local = tr.gettext(name)
                if local != name and "," not in local and "(" not in local:
                    out.setdefault(local, c.alpha_2)
    return out


#: Country-name lists read from installed packages, by the name ``toponyms.toml`` ``[sources]``
#: ``country_names`` gives them (a language may name none).
COUNTRY_NAME_SOURCES: dict[str, Callable[[str], dict[str, str]]] = {
    "pycountry": _pycountry_names,
}


@dataclass(frozen=True, slots=True)
class Lexicon:
    """One language's words for recognition and resolution: large lists read from installed
    packages, and the small closed classes of ``geo/lang/<lang>/`` (every set holds token
    keys); built once per process and language (:meth:`load`)."""

    lang: str
    script: str                          # "Latin" or "Cyrillic" (detect.toml): how words are keyed
    first_names: frozenset[str]
    common_words: frozenset[str]         # the language's common lower-case words
    demonyms: dict[str, str]             # name key of a form -> ISO country or ISO 3166-2 code
    demonym_max_tokens: int
    aliases: dict[str, str]              # name key -> ISO country code (Britain -> GB)
    continents: dict[str, tuple[str, float, float]]  # continent code -> (name, lat, lon)
    first_keys: frozenset[str]           # first token keys of demonyms and aliases
    abbrevs: dict[str, str]              # "Va." / "VA" -> "US-VA", only after a comma
    abbrev_re: re.Pattern[str] | None
    region_cues: dict[str, tuple[str, ...]]   # "DPR" -> ("UA-14",)
    region_cue_re: re.Pattern[str] | None
    regions: dict[str, tuple[str, ...]]  # a region no one unit is ("Донбас") -> its units' codes
    features: frozenset[str]             # rivers, mountains: places no point stands for ("Дністер")
    # toponyms.toml: what each is for is said there
    titles: frozenset[str]
    org_words: frozenset[str]
    feature_words: frozenset[str]
    feature_first: frozenset[str]
    admin_after: frozenset[str]          # with the gazetteer's own admin words
    settlement_cues: frozenset[str]
    strong_cues: frozenset[str]
    actor_verbs: frozenset[str]
    weak_verbs: frozenset[str]
    actor_nouns: frozenset[str]
    jurisdiction_nouns: frozenset[str]
    actor_object_before: frozenset[str]
    relation_nouns: frozenset[str]
    relation_prepositions: frozenset[str]
    said: frozenset[str]
    months_days: frozenset[str]
    articles: frozenset[str]
    definite_articles: frozenset[str]
    indefinite_articles: frozenset[str]
    connectors: frozenset[str]
    hyphen_connectors: frozenset[str]
    of: frozenset[str]
    cue_fillers: frozenset[str]
    conjunctions: frozenset[str]
    plural_endings: tuple[str, ...]
    language_before: frozenset[str]
    language_nouns: frozenset[str]
    country_acronyms: dict[str, str]     # "US" -> "US", as written (capitals)
    dotted_acronyms: dict[str, str]      # "U.S." -> "US"
    dotted_acronym_re: re.Pattern[str]
    river_part_before: re.Pattern[str]
    place_prepositions: frozenset[str]   # words before a name that locate at it ("in", "near")
    unit_prepositions: frozenset[str]    # between a name and the unit it lies in ("X in the Kursk region")
    vicinity_prepositions: frozenset[str]  # between a name and a town it lies near ("X near Kyiv")
    region_sectors: dict[str, str]       # "tavriia", "таврійський" -> "UA": a front sector named after a region
    sector_words: frozenset[str]         # "direction", "напрямок": what such a name stands before
    surname_endings: tuple[str, ...]     # endings of surnames that are also small villages' names
    org_names: frozenset[str]            # whole names of outlets and units, never places (name keys)
    # resolution.toml
    function_words: frozenset[str]
    admin_words: frozenset[str]
    list_gap: re.Pattern[str]
    not_name_words: frozenset[str]       # features and organisations: alone no place's name
    spellings: tuple[tuple[re.Pattern[str], str], ...]         # other romanisations, in order
    foreign_endings: tuple[tuple[re.Pattern[str], str], ...]   # another language's endings
    foreign_letters: tuple[tuple[re.Pattern[str], str], ...]   # ... and letters
    # toponyms.toml, read by the Cyrillic recogniser (geo.cyrillic) only
    facility_words: frozenset[str] = frozenset()       # "аеродром", "НПЗ": a facility named after its place
    facility_cues: frozenset[str] = frozenset()        # "удар", "фронт": war's words that place a facility
    unit_epithets: frozenset[str] = frozenset()        # "окупований": may stand between a name and its unit
    direction_words: frozenset[str] = frozenset()      # "Західна (Україна)": a compass word of a name
    locating_cases: dict[str, frozenset[str]] = field(default_factory=dict)  # "з" -> {"gent"}
    branch_words: frozenset[str] = frozenset()         # "управління": "<body> у <unit>" is its name
    branch_prepositions: frozenset[str] = frozenset()  # "у", "в"

    @staticmethod
    def load(cache_dir: str | Path | None = None, *, lang: str = DEFAULT_LANGUAGE) -> Lexicon:
        """The lexicon of ``lang``, from a pickle in ``cache_dir`` when one was made by this
        version from the same data (building it tokenises a quarter of a million words:
        seconds, not milliseconds)."""
        return _load_lexicon(str(cache_dir) if cache_dir is not None else None, lang)

    @staticmethod
    def build(lang: str = DEFAULT_LANGUAGE) -> Lexicon:
        words = lang_data.load("toponyms", lang=lang)
        spell = lang_data.load("resolution", lang=lang)
        script = lang_data.load("detect", lang=lang)["script"]
        cyrillic = script == "Cyrillic"
        # Cyrillic text is matched by Cyrillic keys (never through a romanisation): so are its
        # word lists and names.
        key = cyrillic_key if cyrillic else getattr(token_key, "__wrapped__", token_key)
        name = cyrillic_key if cyrillic else name_key

        def keys(entries: Iterable[str]) -> frozenset[str]:
            return _keys(entries, key)

        def source(kind: str) -> frozenset[str]:
            out: set[str] = set()
            for name in words["sources"][kind]:
                reader = WORD_SOURCES.get(name)
                if reader is None:
                    raise LanguageDataError(f"{lang}/toponyms.toml: unknown {kind} source {name!r} "
                                            f"(known: {', '.join(WORD_SOURCES)})")
                out |= reader(key)
            return frozenset(out)

        plural = tuple(words["plural_endings"])
        demonyms = _demonym_table(lang_data.read_text("demonyms.csv", lang=lang), name, plural)
        continents = {row["code"]: (row["name"], float(row["lat"]), float(row["lon"]))
                      for row in _csv_rows(_read_data("continents.csv"))}
        aliases = _country_aliases(words["sources"].get("country_names", ()), lang, name)
        names = _place_name_rows(lang_data.read_text("place_names.csv", lang=lang), lang, name)
        aliases.update(names.aliases)
        abbrevs, cues, regions, features = names.abbrevs, names.cues, names.regions, names.features
        if cyrillic:
            # capitals tell an acronym from a word in Latin text only: "РФ" is met as any name is
            for form, code in words["country_acronyms"].items():
                aliases.setdefault(name(form), code)
        longest = max(len(k.split()) for k in (*demonyms, *aliases))

        def rules(table: list) -> tuple[tuple[re.Pattern[str], str], ...]:
            return tuple((re.compile(r["pattern"]), r["replace"]) for r in table)

        return Lexicon(
            lang=lang, script=script, first_names=source("first_names"), common_words=source("common_words"),
            demonyms=demonyms, demonym_max_tokens=longest, aliases=aliases, continents=continents,
            first_keys=frozenset(k.split(" ")[0] for k in (*demonyms, *aliases)),
            abbrevs=abbrevs, abbrev_re=re.compile(
                r"(?<=, )(?:" + "|".join(re.escape(a) for a in sorted(abbrevs, key=len, reverse=True))
                + r")(?![\w.])") if abbrevs else None,
            region_cues=cues, region_cue_re=re.compile(
                r"(?<![\w.])(?:" + "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True))
                + r")(?![\w])") if cues else None,
            regions=regions, features=frozenset(features),
            titles=keys(words["titles"]), org_words=keys(words["org_words"]),
            feature_words=keys(words["feature_words"]), feature_first=keys(words["feature_first"]),
            admin_after=ADMIN_WORDS | keys(words["admin_after"]),
            settlement_cues=keys(words["settlement_cues"]), strong_cues=keys(words["strong_cues"]),
            actor_verbs=keys(words["actor_verbs"]), weak_verbs=keys(words["weak_verbs"]),
            actor_nouns=keys(words["actor_nouns"]), jurisdiction_nouns=keys(words["jurisdiction_nouns"]),
            actor_object_before=keys(words["actor_object_before"]),
            relation_nouns=keys(words["relation_nouns"]),
            relation_prepositions=keys(words["relation_prepositions"]),
            said=keys(words["said"]), months_days=keys(words["months_days"]),
            articles=keys(words["articles"]), definite_articles=keys(words["definite_articles"]),
            indefinite_articles=keys(words["indefinite_articles"]), connectors=keys(words["connectors"]),
            hyphen_connectors=keys(words["hyphen_connectors"]), of=keys(words["of"]),
            cue_fillers=keys(words["cue_fillers"]), conjunctions=keys(words["conjunctions"]),
            plural_endings=plural,
            language_before=keys(words["language_before"]), language_nouns=keys(words["language_nouns"]),
            country_acronyms=dict(words["country_acronyms"]), dotted_acronyms=dict(words["dotted_acronyms"]),
            dotted_acronym_re=re.compile(words["dotted_acronym_pattern"]),
            river_part_before=re.compile(words["river_part_before"]),
            place_prepositions=keys(words["place_prepositions"]),
            unit_prepositions=keys(words["unit_prepositions"]),
            vicinity_prepositions=keys(words["vicinity_prepositions"]),
            region_sectors={key(name): code for name, code in words["region_sectors"]},
            sector_words=keys(words["sector_words"]),
            surname_endings=tuple(key(e) for e in words["surname_endings"]),
            org_names=frozenset(name(n) for n in words["org_names"]),
            function_words=keys(spell["function_words"]), admin_words=keys(spell["admin_words"]),
            list_gap=re.compile(spell["list_gap"]),
            not_name_words=keys(words["feature_words"]) | keys(words["org_words"]), spellings=rules(spell["spellings"]),
            foreign_endings=rules(spell["foreign_endings"]), foreign_letters=rules(spell["foreign_letters"]),
            facility_words=keys(words["facility_words"]), facility_cues=keys(words["facility_cues"]),
            unit_epithets=keys(words["unit_epithets"]),
            direction_words=keys(words["direction_words"]),
            locating_cases={key(p): frozenset(c) for p, c in words["locating_cases"].items()},
            branch_words=keys(words["branch_words"]), branch_prepositions=keys(words["branch_prepositions"]),
        )


def _demonym_table(text: str, name: Callable[[str], str], plural: tuple[str, ...]) -> dict[str, str]:
    """demonyms.csv as {key of a form: target}."""
    demonyms: dict[str, str] = {}
    for row in _csv_rows(text):
        forms = row["forms"].split(";")
        for form in forms:
            # Plural forms name people, not places ("Americans" is not a toponym;
            # "American" in "American troops" is).
            if any(form.endswith(e) and form[:-len(e)] in forms for e in plural):
                continue
            demonyms[name(form)] = row["target"]
    return demonyms


def _country_aliases(sources: Iterable[str], lang: str, name: Callable[[str], str]) -> dict[str, str]:
    """Countries' names in ``lang`` from the named sources, as {key: ISO code}."""
    aliases: dict[str, str] = {}
    for source_name in sources:
        reader = COUNTRY_NAME_SOURCES.get(source_name)
        if reader is None:
            raise LanguageDataError(f"{lang}/toponyms.toml: unknown country_names source {source_name!r} "
                                    f"(known: {', '.join(COUNTRY_NAME_SOURCES)})")
        for country, code in reader(lang).items():
            aliases[name(country)] = code
    return aliases


@dataclass(frozen=True, slots=True)
class _PlaceNameRows:
    """place_names.csv by kind."""

    aliases: dict[str, str]
    abbrevs: dict[str, str]
    cues: dict[str, tuple[str, ...]]
    regions: dict[str, tuple[str, ...]]
    features: frozenset[str]


def _place_name_rows(text: str, lang: str, name: Callable[[str], str]) -> _PlaceNameRows:
    aliases: dict[str, str] = {}
    abbrevs: dict[str, str] = {}
    cues: dict[str, tuple[str, ...]] = {}
    regions: dict[str, tuple[str, ...]] = {}
    features: set[str] = set()
    for row in _csv_rows(text):
        forms = row["names"].split(";")
        kind = row["kind"]
        if kind == "alias":
            aliases.update((name(form), row["code"]) for form in forms)
        elif kind == "abbrev":
            abbrevs.update((form, row["code"]) for form in forms)
        elif kind == "cue":
            cues.update((form, tuple(row["code"].split("+"))) for form in forms)
        elif kind == "region":
            regions.update((name(form), tuple(row["code"].split("+"))) for form in forms)
        elif kind == "feature":
            features.update(name(form) for form in forms)
        else:
            raise LanguageDataError(f"{lang}/place_names.csv: unknown kind {kind!r}")
    return _PlaceNameRows(aliases, abbrevs, cues, regions, frozenset(features))


#: Bump when the lexicon's sources or rules change: cached lexicons are then rebuilt.
LEXICON_VERSION = "6"


@lru_cache(maxsize=8)
def _load_lexicon(cache_dir: str | None, lang: str) -> Lexicon:
    if cache_dir is None:
        return Lexicon.build(lang)
    # Keyed by the data files and this module's code, so an edit never meets a stale pickle.
    digest = hashlib.sha256((LEXICON_VERSION + lang_data.data_digest(lang, LEXICON_FILES)
                             + _read_data("continents.csv")).encode()
                            + Path(__file__).read_bytes()).hexdigest()[:12]
    path = Path(cache_dir) / f"geoparser-lexicon-{lang}-{digest}.pickle"
    return load_or_build(path, Lexicon, lambda: Lexicon.build(lang), family=f"geoparser-lexicon-{lang}-*.pickle")


# --- the automaton ---------------------------------------------------------------------

class KeyIndex:
    """An Aho-Corasick automaton over gazetteer name keys, matched on whole tokens.

    Keys are stored as `` key `` (space-delimited), and an article as the space-joined
    sequence of its token keys, so a match always starts and ends on token boundaries.
    The value of each key is an int: its token count in the low bits, ``F_*`` flags above.
    """

    __slots__ = ("automaton",)

    def __init__(self, automaton: ahocorasick.Automaton) -> None:
        self.automaton = automaton

    @classmethod
    def build(cls, entries: Iterable[tuple[str, int]]) -> KeyIndex:
        auto = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for key, flags in entries:
            if key:
                auto.add_word(f" {key} ", (flags & ~0xF) | min(key.count(" ") + 1, 15))
        auto.make_automaton()
        return cls(auto)

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        self.automaton.save(str(tmp))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> KeyIndex:
        auto = ahocorasick.load(str(path), pickle.loads)
        if auto.kind != ahocorasick.AHOCORASICK or auto.store != ahocorasick.STORE_INTS:
            raise ValueError(f"{path}: not a geoparser automaton")
        return cls(auto)

    def __len__(self) -> int:
        return len(self.automaton)

    def get(self, key: str) -> int | None:
        value = self.automaton.get(f" {key} ", None)
        return value

    def matches(self, keys: Sequence[str]) -> list[tuple[int, int, int]]:
        """All ``(first_token, end_token, value)`` matches over a token-key sequence."""
        if not keys or not len(self.automaton):
            return []
        line = " " + " ".join(keys) + " "
        # The space after token i sits at ends[i]; a match ending there ends on token i.
        ends = list(accumulate(map((1).__add__, map(len, keys))))   # C loops, not a generator
        out = []
        for end_char, value in self.automaton.iter(line):
            last = bisect_left(ends, end_char)
            if last >= len(ends) or ends[last] != end_char:
                continue
            n = value & 0xF
            out.append((last - n + 1, last + 1, value))
        return out


# --- recognition -----------------------------------------------------------------------

@dataclass(slots=True)
class Found:
    """A recognised span before resolution."""

    tok0: int
    tok1: int                      # token range [tok0, tok1)
    start: int
    end: int
    key: str | None                # the gazetteer key to resolve, None if none matches
    role: str = "name"             # name | demonym | pattern
    flags: int = 0
    target: str | None = None      # demonyms and acronyms: ISO country / ISO 3166-2 code
    admin: bool = False            # named with an admin word ("Kursk region")
    settlement: bool = False       # named as a settlement ("the village of X")
    literal: bool = True
    embedded: bool = False         # inside an organisation's name
    weak: bool = False             # kept only if the article's other places support it
    local: bool = False            # ... and only by a place near it (a name shaped like a surname)
    unit_tok: int | None = None    # first token of a unit named beside it ("X, Donetsk", "X (Sumy region)")


def _cap_runs(toks: Sequence[Token], text: str, lex: Lexicon) -> list[int]:
    """For each token, the id of the capitalised run it belongs to (-1 if none).

    A run is consecutive capitalised words separated only by spaces or hyphens, with
    connector words inside ("Sea of Azov"); a possessive ends it.
    """
    run_of = [-1] * len(toks)
    run = 0
    i = 0
    n = len(toks)
    while i < n:
        if not toks[i].cap:
            i += 1
            continue
        j = i
        while True:
            if toks[j].possessive or j + 1 >= n:
                break
            gap = text[toks[j].end:toks[j + 1].start]
            if gap not in (" ", "-"):
                break
            nxt = toks[j + 1]
            if nxt.cap:
                j += 1
                continue
            # A connector word counts only between two capitalised words.
            after = text[nxt.end:toks[j + 2].start] if j + 2 < n else ""
            if (nxt.key in lex.connectors and j + 2 < n and toks[j + 2].cap and after in (" ", "-")
                    and (nxt.key not in lex.hyphen_connectors or gap == after == "-")):
                j += 2
                continue
            break
        for k in range(i, j + 1):
            run_of[k] = run
        run += 1
        i = j + 1
    return run_of


def recognize(text: str, toks: Sequence[Token], index: KeyIndex, lex: Lexicon,
              info: Callable[[str], int] = lambda _key: 0) -> list[Found]:
    """Every place-name span in ``text``, filtered, with the cues resolution needs.

    ``info(key)`` adds what only the gazetteer's entries tell (``F_STRONG``, ``F_ADMIN``);
    it is asked only for capitalised matches.
    """
    if not toks:
        return []
    scan = _Scan(text, toks, lex)
    _find_people(scan, index, info)
    _dotted_acronyms(scan)
    _state_abbreviations(scan)
    matches = [m for m in index.matches(scan.keys) if toks[m[0]].cap]
    _demonyms_and_aliases(scan, matches)
    _gazetteer_names(scan, matches, info)
    _country_acronyms(scan)
    _context_patterns(scan)
    return _finish(scan)


class _Scan:
    """One text's tokens as ``recognize``'s steps share them: capitalised runs, the tokens
    taken by a name found so far, the people, and what was found."""

    __slots__ = ("text", "toks", "lex", "n", "keys", "starts", "runs", "run_span", "caps", "person_tok",
                 "taken", "found")

    def __init__(self, text: str, toks: Sequence[Token], lex: Lexicon) -> None:
        self.text, self.toks, self.lex = text, toks, lex
        self.n = len(toks)
        self.keys = [t.key for t in toks]
        self.starts = [t.start for t in toks]
        self.runs = _cap_runs(toks, text, lex)
        self.run_span: dict[int, tuple[int, int]] = {}
        for i, r in enumerate(self.runs):
            if r >= 0:
                a, _ = self.run_span.get(r, (i, i))
                self.run_span[r] = (a, i + 1)
        self.caps = [i for i, t in enumerate(toks) if t.cap]  # most steps only need these
        self.person_tok = [False] * self.n
        self.taken = [False] * self.n
        self.found: list[Found] = []

    def take(self, f: Found) -> None:
        self.found.append(f)
        for k in range(f.tok0, f.tok1):
            self.taken[k] = True

    def token_span(self, start: int, end: int) -> tuple[int, int]:
        """The tokens inside characters ``start``..``end``."""
        t0 = bisect_left(self.starts, start)
        t1 = t0
        while t1 < self.n and self.toks[t1].end <= end:
            t1 += 1
        return t0, t1

    def plain(self, i: int, j: int) -> bool:
        """Tokens ``i`` and ``j`` are one space apart, in one sentence."""
        toks = self.toks
        return self.text[toks[i].end:toks[j].start] == " " and toks[i].sentence == toks[j].sentence


def _person_spans(scan: _Scan, index: KeyIndex) -> list[tuple[int, int]]:
    """The people's names in the capitalised runs: the rest of a run after a title
    ("Ukrainian President Volodymyr Zelenskyy", "governor Yuri Slyusar"), or a run opening
    with a first name ("Vladimir Putin"). A loop, not a call per run: this runs for every
    capitalised run of every article."""
    toks, lex, text, keys = scan.toks, scan.lex, scan.text, scan.keys
    common, titles, connectors, demonyms = lex.common_words, lex.titles, lex.connectors, lex.demonyms
    out = []
    for a, b in scan.run_span.values():
        start = -1
        if toks[a].initial and toks[a].key in common and b - a > 1:
            a += 1  # "The Russian statement": a sentence's capitalised first word
        before = toks[a - 1] if a else None
        if before is not None and before.key in titles and text[before.end:toks[a].start] == " ":
            start = a
        for k in range(a, b):
            if toks[k].key in titles and k + 1 < b and toks[k + 1].key not in connectors:
                start = k + 1
        if start < 0:
            k = a
            # A demonym or title may open the run: "Russian Vladimir Putin".
            while k < b - 1 and (toks[k].key in demonyms or toks[k].key in titles):
                k += 1
            # ... unless the whole run is a place's name: "Mala Tokmachka", "Velyka Novosilka"
            # open with a word that is also a first name
            if (b - k >= 2 and toks[k].key in lex.first_names and toks[b - 1].key not in lex.feature_words
                    and index.get(" ".join(keys[k:b])) is None):
                start = k
        if start >= 0 and not any(t.key in lex.org_words for t in toks[start:b]):
            out.append((start, b))
    return out


def _find_people(scan: _Scan, index: KeyIndex, info: Callable[[str], int]) -> None:
    """Mark the tokens of people's names in ``scan.person_tok``."""
    toks, lex = scan.toks, scan.lex
    person_keys: set[str] = set()
    person_firsts: set[str] = set()
    for start, b in _person_spans(scan, index):
        for k in range(start, b):
            scan.person_tok[k] = True
            key = toks[k].key
            if key in lex.demonyms or info(key) & F_COUNTRY:
                continue
            (person_firsts if k == start and key in lex.first_names else person_keys).add(key)
    # Surnames seen in full names are people wherever else they stand alone ("Slyusar said");
    # a first name only where it speaks ("Lee said"), not "Nelson residents".
    person_tok, n = scan.person_tok, scan.n
    for i in scan.caps if person_keys or person_firsts else ():
        t = toks[i]
        if not person_tok[i] and (t.key in person_keys or t.key in person_firsts
                                  and i + 1 < n and toks[i + 1].key in lex.said):
            a, b = scan.run_span.get(scan.runs[i], (i, i + 1))
            if b - a == 1:
                person_tok[i] = True


def _dotted_acronyms(scan: _Scan) -> None:
    """Country abbreviations written with dots (U.S.) do not survive tokenising as one word."""
    lex, toks = scan.lex, scan.toks
    for m in lex.dotted_acronym_re.finditer(scan.text):
        t0, t1 = scan.token_span(m.start(), m.end())
        if t0 >= scan.n:
            continue
        if t1 > t0 and not any(scan.taken[t0:t1]):
            code = lex.dotted_acronyms.get(m.group(), lex.dotted_acronyms.get(m.group().rstrip(".")))
            if code:
                scan.take(Found(t0, t1, toks[t0].start, toks[t1 - 1].end, None, target=code,
                                flags=F_STRONG | F_ADMIN))


def _state_abbreviations(scan: _Scan) -> None:
    """"Richmond, Va.", "Seattle, WA": state abbreviations after a comma."""
    lex = scan.lex
    if lex.abbrev_re is None or ", " not in scan.text:
        return
    for m in lex.abbrev_re.finditer(scan.text):
        t0, t1 = scan.token_span(m.start(), m.end())
        if t1 > t0 and not any(scan.taken[t0:t1]):
            scan.take(Found(t0, t1, m.start(), m.end(), None, target=lex.abbrevs[m.group()], flags=F_ADMIN))


def _demonyms_and_aliases(scan: _Scan, matches: list[tuple[int, int, int]]) -> None:
    """Demonyms first: "North Korean" must not become "North" + a place called "Korean";
    then names of countries and continents the gazetteer lacks ("Britain", "Europe")."""
    toks, keys, lex, text = scan.toks, scan.keys, scan.lex, scan.text
    # A demonym inside a longer capitalised place name is part of it: "Zelene Pole", "Vilne Pole".
    inside_name: set[int] = set()
    for t0, t1, _value in matches:
        if (t1 - t0 >= 2 and all(toks[k].cap for k in range(t0, t1))
                and keys[t0] not in lex.common_words):       # not "The South Korean ..."
            inside_name.update(range(t0 + 1, t1))
    firsts, taken, person_tok = lex.first_keys, scan.taken, scan.person_tok
    for i in scan.caps:
        if taken[i] or person_tok[i] or keys[i] not in firsts or i in inside_name:
            continue
        for width in range(min(lex.demonym_max_tokens, scan.n - i), 0, -1):
            key = " ".join(keys[i:i + width])
            target = lex.demonyms.get(key)
            role = "demonym"
            if target is None:
                target = lex.aliases.get(key)
                role = "name"
            if target and role == "demonym" and _is_language(text, toks, i, i + width, lex):
                break  # "in English", "speaks Russian": the language, not the country
            if target and toks[i + width - 1].cap:
                scan.take(Found(i, i + width, toks[i].start, toks[i + width - 1].end, None,
                                role=role, target=target, literal=role == "name",
                                flags=F_STRONG | F_ADMIN | F_COUNTRY))
                break


def _gazetteer_names(scan: _Scan, matches: list[tuple[int, int, int]], info: Callable[[str], int]) -> None:
    """Gazetteer names: longest match first, then leftmost, each judged in its context."""
    toks, keys, lex = scan.toks, scan.keys, scan.lex
    matches.sort(key=lambda m: (-(m[1] - m[0]), m[0]))
    occurrences: dict[str, list[int]] = {}
    for i in scan.caps:
        if not toks[i].initial:
            occurrences.setdefault(keys[i], []).append(i)
    ctx = _RunContext(scan.runs, scan.run_span, list(accumulate(map(lex.org_words.__contains__, keys), initial=0)),
                      _CapsLines(scan.text))
    common, taken, text, person_tok = lex.common_words, scan.taken, scan.text, scan.person_tok
    for t0, t1, value in matches:
        if any(taken[t0:t1]) or not toks[t0].cap:
            continue
        value |= info(" ".join(keys[t0:t1]))
        if all(k in common for k in keys[t0:t1]):
            value |= F_COMMON
        f = _judge(text, toks, t0, t1, value, ctx, person_tok, lex, occurrences)
        if f is not None:
            scan.take(f)


def _country_acronyms(scan: _Scan) -> None:
    """Capitalised upper-case acronyms of countries (US, UK) that no name matched."""
    acronyms = scan.lex.country_acronyms
    for i in scan.caps:
        t = scan.toks[i]
        if not scan.taken[i] and t.upper and t.text in acronyms:
            scan.take(Found(i, i + 1, t.start, t.end, None, target=acronyms[t.text], flags=F_STRONG | F_ADMIN))


def _finish(scan: _Scan) -> list[Found]:
    """Shared admin words, surnames and literal readings; people dropped; in text order."""
    toks, lex, found, n = scan.toks, scan.lex, scan.found, scan.n
    # "the Kursk and Belgorod regions": the plural admin word covers every name before it.
    by_start = {f.tok0: f for f in found}
    for f in sorted(found, key=lambda f: -f.tok0):
        if f.admin or f.tok1 + 1 >= n or toks[f.tok1].key not in lex.conjunctions:
            continue
        g = by_start.get(f.tok1 + 1)
        if g is not None and g.admin and toks[g.tok1 - 1].key.endswith(lex.plural_endings):
            f.admin = True
    _mark_surnames(toks, found, lex)
    for f in found:
        if f.role != "demonym":
            mark_literal(scan.text, toks, f, lex)
    # A name shaped like a surname that speaks or acts ("Zakharova accused", "Medvedev
    # threatened") is a person: the metonymy that makes "Kyiv struck" an actor needs a capital.
    found = [f for f in found if f.literal or not f.local]
    found.sort(key=lambda f: f.start)
    return found


#: What bears a name that is more than a small place's: a country, a unit, a large city.
_NAMED_BIG = F_STRONG | F_ADMIN | F_UNIT | F_CAPITAL | F_COUNTRY


def _mark_surnames(toks: Sequence[Token], found: list[Found], lex: Lexicon) -> None:
    """A lone name shaped like a surname ("Lavrov", "Zakharova", "Gladkov") that only small
    places bear, with no preposition or cue before it that locates at it ("in Lavrov", "near",
    "the village of") and no unit beside it, is kept only where the article names a place near
    it (``Found.local``): Russia's gazetteer holds thousands of hamlets named like people."""
    if not lex.surname_endings:
        return
    for f in found:
        if (f.role != "name" or f.tok1 - f.tok0 != 1 or f.flags & _NAMED_BIG or f.admin
                or f.settlement or f.unit_tok is not None):
            continue
        tok = toks[f.tok0]
        if len(tok.key) < 5 or not tok.key.endswith(lex.surname_endings):
            continue
        before = toks[f.tok0 - 1].key if f.tok0 else ""
        if before in lex.place_prepositions or before in lex.strong_cues or before in lex.settlement_cues:
            continue
        f.weak = f.local = True


class _CapsLines:
    """Whether the line holding a position is written in capitals (a dateline, a headline).

    Judged once per line: a text without a newline is one line, asked about at every acronym."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._breaks: list[int] | None = None
        self._memo: dict[int, bool] = {}

    def __call__(self, pos: int) -> bool:
        if self._breaks is None:
            self._breaks = [m.start() for m in re.finditer("\n", self.text)]
        i = bisect_left(self._breaks, pos)
        caps = self._memo.get(i)
        if caps is None:
            start = self._breaks[i - 1] + 1 if i else 0
            end = self._breaks[i] if i < len(self._breaks) else len(self.text)
            line = self.text[start:end]
            letters = sum(map(str.isalpha, line))
            caps = self._memo[i] = bool(letters) and sum(map(str.isupper, line)) >= 0.6 * letters
        return caps


class _RunContext(NamedTuple):
    """What ``_judge`` asks of the whole text, computed once per text, so that judging one
    match costs the same in a 40,000-word capitalised run as in a short one."""

    runs: list[int]                        # token -> capitalised run id, or -1
    run_span: dict[int, tuple[int, int]]   # run id -> [first, last + 1) tokens
    org_before: list[int]                  # token i -> organisation words among tokens < i
    caps_line: _CapsLines


def _judge(text: str, toks: Sequence[Token], t0: int, t1: int, value: int, ctx: _RunContext,
           person_tok: list[bool], lex: Lexicon, occurrences: dict[str, list[int]]) -> Found | None:
    """Decide whether the gazetteer match ``[t0, t1)`` is a place name, and extend it over
    an admin word ("Kursk region")."""
    first = toks[t0]
    if not first.cap:
        return None
    if any(person_tok[t0:t1]):
        return None
    key = " ".join(t.key for t in toks[t0:t1])
    if t1 - t0 == 1 and (first.key in lex.months_days or len(first.key) <= 2):
        return None  # two letters are an abbreviation or an alternate-name artefact ("Le")
    # An acronym in prose (NATO, AFP, ATACMS) is not a place name unless it is a country's.
    if first.upper and t1 - t0 == 1 and len(first.text) <= 6 and not ctx.caps_line(first.start):
        return None
    strong = bool(value & (F_STRONG | F_UNIT))
    f = Found(t0, t1, first.start, toks[t1 - 1].end, key, flags=value)
    if t1 - t0 >= 2 and toks[t1 - 1].key in lex.admin_after:
        f.admin = True  # the gazetteer indexes admin phrases: "kursk region" matched whole
        return f
    nxt_said = toks[t1] if t1 < len(toks) else None
    if (nxt_said is not None and nxt_said.key in lex.said and not strong
            and not toks[t1 - 1].possessive):
        f.weak = True  # "Slyusar said": a name that speaks is a person unless a known place

    # "Kursk region", "Sumy Oblast", "Oryol regional": the admin word belongs to the name.
    nxt = toks[t1] if t1 < len(toks) else None
    if (nxt is not None and nxt.key in lex.admin_after and text[toks[t1 - 1].end:nxt.start] == " "
            and not toks[t1 - 1].possessive):
        f.tok1 = t1 + 1
        f.end = nxt.end
        f.admin = True
        return f

    verdict = _run_verdict(text, toks, t0, t1, value, ctx, lex)
    if verdict is _DROP:
        return None
    if verdict is _EMBEDDED:
        f.embedded = True   # "Kyiv Independent", "New York Times": the place is named, not located
        f.literal = False
        return f
    if value & F_COMMON and not (t1 - t0 > 1 and all(t.cap for t in toks[t0:t1])):
        # (A capitalised name of several common words, "New York", "Western Cape", is a name.)
        return f if _common_word_kept(f, first, value, bool(occurrences.get(key))) else None
    return f


#: ``_run_verdict``'s answers: not a place; a place named inside another name; no objection.
_DROP, _EMBEDDED, _GO_ON = object(), object(), object()


def _run_verdict(text: str, toks: Sequence[Token], t0: int, t1: int, value: int, ctx: _RunContext,
                 lex: Lexicon) -> object:
    """What the longer capitalised run around the match ``[t0, t1)`` says of it: a person's,
    an organisation's or a feature's name holds it (``_DROP``, or ``_EMBEDDED`` for a strong
    name), or nothing against it (``_GO_ON``)."""
    first = toks[t0]
    r = ctx.runs[t0]
    if r < 0 or first.headline:
        return _GO_ON
    a, b = ctx.run_span[r]
    if a < t0 and toks[a].initial and toks[a].key in lex.common_words:
        a += 1  # "In Kursk", "But Moscow": a capitalised first word of a sentence
    if not (a < t0 or b > t1):
        return _GO_ON
    strong = bool(value & (F_STRONG | F_UNIT))
    org = ctx.org_before
    org_rest = (org[b] - org[a]) - (org[t1] - org[t0])
    abbreviated = (b < len(toks) and text[toks[b - 1].end:toks[b].start] == " (" and toks[b].upper)
    if org_rest > 0 or abbreviated:
        return _EMBEDDED if strong else _DROP
    if b > t1 and toks[b - 1].key in lex.feature_words:
        return _DROP  # "Mississippi River": the context patterns report the feature
    if a < t0 and toks[a].key in lex.articles or value & F_COMMON:
        return _DROP  # "Le Parisien"; a common word inside a longer name
    if not strong and not value & F_ADMIN:
        return _DROP
    return _GO_ON


def _common_word_kept(f: Found, first: Token, value: int, elsewhere: bool) -> bool:
    """A common word's capital is evidence only mid-sentence; at a sentence start or in a
    headline it needs a country or unit of that name, or the same word capitalised
    mid-sentence elsewhere in the text (``elsewhere``).  Mid-sentence, a small place of that
    name still needs support from the rest of the article (resolution decides): ``f`` is
    marked weak."""
    country = bool(value & F_COUNTRY)
    if first.initial and not country and not elsewhere:
        return False
    if not country and not (value & F_STRONG and not first.initial):
        f.weak = True  # "the North", "Telegram": kept only with the article's support
    return True


def _is_language(text: str, toks: Sequence[Token], t0: int, t1: int, lex: Lexicon) -> bool:
    """A demonym used as a language name: after "in"/"speaks" and before punctuation,
    "language" or the end of the text."""
    if t0 == 0 or toks[t0 - 1].key not in lex.language_before:
        return False
    if t1 >= len(toks):
        return True
    if toks[t1].key in lex.language_nouns:
        return True
    gap = text[toks[t1 - 1].end:toks[t1].start]
    return bool(gap.strip()) and gap.strip()[0] in ".,;:!?)\"”"


def owns_authority(f: Found, noun_forms: Collection[str], lex: Lexicon) -> bool:
    """Whether the actor noun beside ``f`` (its key, or its keys and lemmas) names the place's
    own authorities rather than a government: a country's authorities act for it, a town's
    speak for it ("Sevastopol's authorities said", "влада Бердянська заявила": a place)."""
    return not f.flags & F_COUNTRY and not lex.jurisdiction_nouns.isdisjoint(noun_forms)


def mark_literal(text: str, toks: Sequence[Token], f: Found, lex: Lexicon) -> None:
    """Places used for their governments or armies are metonyms: "Kyiv struck", "Kyiv's
    forces", "to help Moscow", "Washington and Seoul have accused"."""
    if f.admin or not f.literal:
        return
    last = toks[f.tok1 - 1]
    nxt_i = f.tok1
    if last.possessive:
        noun = toks[nxt_i].key if nxt_i < len(toks) else ""
        if noun in lex.actor_nouns and not owns_authority(f, (noun,), lex):
            f.literal = False
        return
    before = toks[f.tok0 - 1] if f.tok0 else None
    # Skip over a coordinated subject: "Washington and Seoul have accused".
    j = nxt_i
    while j + 1 < len(toks) and toks[j].key in lex.conjunctions and toks[j + 1].cap:
        j += 2
    if j < len(toks) and text[toks[j - 1].end:toks[j].start].strip() in ("", ",") :
        verb = toks[j].key
        actor, weak = lex.actor_verbs, lex.weak_verbs
        if verb in actor:
            if verb not in weak:
                f.literal = False
            elif j + 1 < len(toks) and (toks[j + 1].key in actor and toks[j + 1].key not in weak
                                         or j + 2 < len(toks) and toks[j + 2].key in actor
                                         and toks[j + 2].key not in weak):
                f.literal = False
    if before is not None and before.key in lex.actor_object_before and not before.cap:
        f.literal = False
    # "between Moscow and Kyiv", "talks with Kyiv": relations between governments.
    if before is not None and before.key in lex.relation_prepositions and f.flags & F_STRONG:
        k = f.tok0 - 2
        if k >= 0 and toks[k].key in lex.relation_nouns:
            f.literal = False


def _unit_after_preposition(toks: Sequence[Token], u: int, by_tok: dict[int, Found],
                            plain: Callable[[int, int], bool], lex: Lexicon) -> int | None:
    """The first token of the unit in "X in [the] [Russia's] Kursk region" or "X in Russia",
    given the token after the preposition; None when what follows is not written as a unit
    (its admin word) or a country: "Bakhmut in May", "Kherson in the south", "Sumy in Kursk"
    (a bare city's name after "in" may be where something else happened)."""
    n = len(toks)
    if u < n and toks[u].key in lex.definite_articles and plain(u - 1, u):
        u += 1
    if u >= n or not plain(u - 1, u):
        return None
    f = by_tok.get(u)
    if (f is not None and f.tok0 == u and toks[f.tok1 - 1].possessive and f.flags & F_COUNTRY
            and f.tok1 < n and toks[f.tok1].sentence == toks[f.tok1 - 1].sentence):
        u = f.tok1                           # "in Russia's Kursk region": the region
        f = by_tok.get(u)
    if f is None or f.tok0 != u or f.role == "demonym":
        return None
    if f.admin or (f.flags & F_COUNTRY and not toks[f.tok1 - 1].possessive):
        return u
    return None


def _context_patterns(scan: _Scan) -> None:
    """Places the gazetteer lacks, found by their context; also the cues the resolver uses
    for those it has ("the village of X" prefers settlements); then features' names."""
    by_tok = {}
    for f in scan.found:
        for k in range(f.tok0, f.tok1):
            by_tok[k] = f
    toks, lex, n, text, person_tok = scan.toks, scan.lex, scan.n, scan.text, scan.person_tok
    plain = scan.plain
    for a, b in scan.run_span.values():
        if any(person_tok[a:b]):
            continue
        # what the words before say: "the village of X", "village X" (a settlement), "near X"
        prev = toks[a - 1].key if a and plain(a - 1, a) else ""
        prev2 = toks[a - 2].key if a > 1 and prev and plain(a - 2, a - 1) else ""
        cue = None
        if prev in lex.of and prev2 in lex.settlement_cues or prev in lex.settlement_cues:
            cue = "settlement"
        elif prev in lex.strong_cues or (prev2 in lex.strong_cues and prev in lex.cue_fillers):
            cue = "near"
        after_admin = b < n and toks[b].key in lex.admin_after and text[toks[b - 1].end:toks[b].start] == " "
        e = b + 1 if after_admin else b     # the token after the name and its admin word
        sep = text[toks[e - 1].end:toks[e].start].strip() if e < n else ""
        appositive, unit_at = (_appositive(scan, e, sep, by_tok)
                               if sep in (",", "(") or e < n and toks[e].key in lex.unit_prepositions
                               else (None, e))
        if cue is not None or after_admin or appositive is not None:
            _context_of_run(scan, a, b, by_tok, cue=cue, after_admin=after_admin, appositive=appositive,
                            unit_at=unit_at)
    _feature_names(scan)


def _appositive(scan: _Scan, e: int, sep: str, by_tok: dict[int, Found]) -> tuple[str | None, int]:
    """"in X, Donetsk", "X (Sumy region)", "X district, Poltava", "X, a village in": what the
    words from ``e`` (the token after the name and its admin word; ``sep`` the punctuation
    before it) say the name is: "unit" (in the unit at the returned token), "settlement", or None."""
    toks, lex, n = scan.toks, scan.lex, scan.n
    if sep in (",", "("):
        if (sep == "," and toks[e].key in lex.indefinite_articles and e + 1 < n
                and toks[e + 1].key in lex.settlement_cues):
            return "settlement", e
        if toks[e].cap and (by_tok.get(e) is not None and by_tok[e].flags & (F_ADMIN | F_CAPITAL)
                            or e + 1 < n and toks[e + 1].key in lex.admin_after):
            return "unit", e
    elif e < n and toks[e].key in lex.unit_prepositions and scan.plain(e - 1, e):
        u = _unit_after_preposition(toks, e + 1, by_tok, scan.plain, lex)
        if u is not None:
            return "unit", u
    return None, e


def _context_of_run(scan: _Scan, a: int, b: int, by_tok: dict[int, Found], *, cue: str | None,
                    after_admin: bool, appositive: str | None, unit_at: int) -> None:
    """The capitalised run ``[a, b)`` with what its context says (see ``_context_patterns``):
    cues for the names found in it, or a place the gazetteer lacks."""
    toks, lex = scan.toks, scan.lex
    inside = [by_tok[k] for k in range(a, b) if k in by_tok]
    if inside:   # cues for names already found
        for f in inside:
            if cue == "settlement" or appositive == "settlement":
                f.settlement = True
            if appositive == "unit" and unit_at in by_tok:
                f.unit_tok = unit_at
        return
    if any(scan.taken[a:b]):
        return
    e = b + 1 if after_admin else b
    if appositive == "unit" and cue is None and (e not in by_tok or unit_at != e):
        # "Smith, Jones Ltd": a comma before a capital proves nothing by itself; nor does
        # "Smith in the Kursk region" make Smith a place
        return
    words = toks[a:b]
    if all(t.key in lex.common_words or t.key in lex.months_days for t in words):
        return
    if any(t.upper for t in words) or words[0].key in lex.months_days or words[-1].key in lex.org_words:
        return
    scan.take(Found(a, e, toks[a].start, toks[e - 1].end, None, role="pattern",
                    settlement=cue == "settlement" or appositive == "settlement", admin=after_admin,
                    unit_tok=unit_at if appositive == "unit" else None))


def _feature_names(scan: _Scan) -> None:
    """Feature names ("Sea of Azov", "Dnipro River") the gazetteer of places and units lacks."""
    toks, lex = scan.toks, scan.lex
    for a, b in scan.run_span.values():
        if b - a >= 2 and (toks[b - 1].key in lex.feature_words or toks[a].key in lex.feature_first) \
                and not any(scan.taken[a:b]) \
                and not any(scan.person_tok[a:b]) and not toks[a].upper:
            if any(toks[k].cap and toks[k].key not in lex.common_words for k in range(a, b - 1)) \
                    or toks[a].key in lex.feature_first:
                scan.take(Found(a, b, toks[a].start, toks[b - 1].end, None, role="pattern"))

