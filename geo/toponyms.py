"""Place names found in article text: recognition.

One pass of an Aho-Corasick automaton over the article's token keys finds every gazetteer
name; principled filters then drop what is not a place (people, organisations, common words,
acronyms), mark what is a place used as an actor (``literal=False``), and context patterns add
the places the gazetteer lacks ("the village of X", "X region", "near X", "in X, Donetsk") as
unresolved mentions.  Resolution (which entry) is :mod:`geo.resolution`'s job.

The word lists this uses are data, not guesses: first names come from the name dictionary
shipped in ``gender-guesser`` (Jörg Michael's nam_dict, GFDL), common lower-case English words
from Webster's Second International word list shipped in ``english-words`` (public domain),
demonyms from ``geo/data/demonyms.csv``.  Titles, organisation and feature words, and
actor verbs are small closed classes kept here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import pickle
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

import ahocorasick

from gazetteer.model import Place
from gazetteer.names import ADMIN_WORDS, name_key, token_key, tokens as _name_tokens

__all__ = [
    "Mention",
    "Token",
    "Found",
    "Lexicon",
    "KeyIndex",
    "tokenize",
    "recognize",
    "mark_literal",
    "F_COMMON",
    "F_STRONG",
    "F_ADMIN",
    "F_COUNTRY",
    "F_UNIT",
    "F_CAPITAL",
]


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

#: Person titles and honorifics (token keys of the lower-case word).
TITLES = frozenset(token_key(w) for w in (
    "president", "presidents", "vice", "premier", "minister", "governor", "governors", "mayor",
    "mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "king", "queen", "prince",
    "princess", "pope", "gen", "general", "col", "colonel", "lt", "lieutenant", "maj", "major",
    "capt", "captain", "sgt", "sergeant", "adm", "admiral", "marshal", "commander", "senator",
    "sen", "rep", "representative", "congressman", "congresswoman", "chancellor", "secretary",
    "ambassador", "envoy", "spokesman", "spokeswoman", "spokesperson", "judge", "justice", "prof",
    "professor", "rev", "reverend", "sheikh", "emir", "ayatollah", "patriarch", "archbishop",
    "bishop", "cardinal", "chief", "leader", "coach", "correspondent", "reporter", "editor",
    "analyst", "politician", "lawmaker", "mp", "deputy", "aide", "adviser", "advisor",
    "commissioner", "director", "ceo", "chairman", "chairwoman", "founder", "dictator", "tsar",
    "czar", "officer", "head", "actor", "actress", "singer", "author", "writer", "journalist",
    "counsel", "attorney", "prosecutor", "colleague", "mother", "father", "son", "daughter",
    "brother", "sister", "wife", "husband", "uncle", "aunt", "st", "defender", "striker",
    "midfielder", "goalkeeper", "manager", "player", "president-elect", "parliament",
))

#: Last words of organisation and media names ("Sky News", "National Intelligence Service").
ORG_WORDS = frozenset(token_key(w) for w in (
    "news", "times", "post", "herald", "journal", "tribune", "telegraph", "gazette", "press",
    "agency", "ministry", "service", "services", "staff", "council", "committee", "commission",
    "party", "army", "navy", "forces", "force", "police", "department", "university", "college",
    "institute", "school", "academy", "company", "corp", "corporation", "inc", "ltd", "llc",
    "plc", "group", "bank", "airlines", "airways", "club", "fc", "united", "foundation",
    "association", "union", "federation", "court", "parliament", "assembly", "senate", "congress",
    "office", "hospital", "church", "museum", "network", "tv", "radio", "broadcasting",
    "authority", "board", "bureau", "guard", "guards", "brigade", "regiment", "division",
    "battalion", "fleet", "command", "corps", "administration", "government", "embassy",
    "consulate", "cabinet", "duma", "rada", "organization", "organisation", "fund", "trust",
    "society", "league", "team", "exchange", "holdings", "daily", "weekly", "independent",
    "observer", "mirror", "chronicle", "review", "monitor", "today", "mail", "express",
    "magazine", "online", "media", "studio", "studios", "festival", "orchestra", "theatre",
    "theater", "records", "games", "cup", "championship", "olympics", "open", "prize",
    "award", "awards", "summit", "treaty", "accord", "agreement", "pact", "declaration",
    "purchase", "railway", "railways", "rail", "transit", "authority", "lines", "motors",
    "energy", "power", "oil", "gas", "petroleum", "steel", "telecom", "airline", "sports",
    "county commission", "zoo", "library", "mosque", "temple", "synagogue", "cathedral",
    "intelligence", "ministries", "reserve", "nations", "centre", "center", "centers", "centres",
) for w in w.split())

#: Last words of names of geographic features the gazetteer (populated places, units) lacks.
FEATURE_WORDS = frozenset(token_key(w) for w in (
    "river", "sea", "lake", "ocean", "gulf", "bay", "strait", "straits", "canal", "island",
    "islands", "peninsula", "mountain", "mountains", "mount", "hill", "hills", "valley",
    "desert", "forest", "coast", "cape", "beach", "falls", "reservoir", "dam", "street",
    "avenue", "road", "boulevard", "square", "bridge", "airport", "airbase", "station",
    "harbour", "harbor", "park", "highway", "quarter", "plain", "plains", "basin", "delta",
    "glacier", "lagoon", "heights", "ridge", "range", "steppe", "marsh", "swamp", "pass",
    "creek", "springs", "spit", "estuary", "border", "crossing", "checkpoint", "base",
    "neighborhood", "neighbourhood", "suburb", "borough", "plaza", "lane", "drive", "way",
    "boulevard", "embankment", "prospekt", "ulitsa", "refinery", "terminal", "depot",
    "plant", "factory", "mine", "port",
))

#: Feature words that come first ("Sea of Azov", "Lake Baikal", "Mount Elbrus").
_FEATURE_FIRST = frozenset(token_key(w) for w in (
    "sea", "gulf", "lake", "bay", "mount", "cape", "strait", "isle", "river"))

#: Words of admin units after a name ("Kursk region", "Sumy Oblast", "Pokrovsk district").
ADMIN_AFTER = ADMIN_WORDS | frozenset(token_key(w) for w in (
    "district", "districts", "raion", "rayon", "county", "governorate", "prefecture",
    "hromada", "community", "republic", "municipality", "state", "canton", "voivodeship",
    "okrug", "parish", "province", "provinces", "provincial",
))

#: Prepositions between a name and the unit it lies in ("X in the Kursk region").
UNIT_PREPOSITIONS = frozenset(token_key(w) for w in ("in",))
#: Words between such a preposition and the unit's name ("in the Kursk region").
_UNIT_DETERMINERS = frozenset(token_key(w) for w in ("the",))

#: Words before a name that say the name is a settlement ("the village of X").
SETTLEMENT_CUES = frozenset(token_key(w) for w in (
    "village", "villages", "town", "towns", "city", "cities", "settlement", "settlements",
    "hamlet", "township", "selo", "selyshche", "capital", "suburb", "outskirts", "port",
    "resort", "municipality",
))
#: Words before a name that locate something at it: an unknown name after them is a place.
_STRONG_CUES = frozenset(token_key(w) for w in (
    "near", "outside", "captured", "capture", "liberated", "liberation", "recaptured",
    "retook", "seized", "occupied", "shelled", "shelling", "encircled", "surrounded",
    "besieged", "stormed"))

#: Verbs whose subject is an actor: a place as their subject is a metonym ("Kyiv struck").
ACTOR_VERBS = frozenset(token_key(w) for w in (
    "said", "says", "say", "told", "tells", "claimed", "claims", "claim", "accused",
    "accuses", "accuse", "struck", "strikes", "attacked", "attacks", "launched", "launches",
    "announced", "announces", "denied", "denies", "warned", "warns", "demanded", "demands",
    "insisted", "insists", "vowed", "vows", "responded", "responds", "sent", "sends",
    "deployed", "deploys", "signed", "signs", "agreed", "agrees", "rejected", "rejects",
    "condemned", "condemns", "urged", "urges", "wants", "wanted", "refused", "refuses",
    "threatened", "threatens", "sanctioned", "imposed", "supplied", "supplies", "pledged",
    "pledges", "promised", "promises", "admitted", "admits", "confirmed", "confirms",
    "reported", "reports", "believes", "believed", "hopes", "fears", "continues", "continued",
    "began", "begun", "has", "have", "had", "is", "was", "will", "would", "could", "should",
    "must", "may", "might", "can", "cannot", "did", "does", "do", "recognized", "recognised",
    "recognizes", "recognises", "hits", "hit", "invaded", "invades", "backed", "backs",
    "supports", "supported", "negotiated", "shipped", "ships", "regularly", "still",
    "also", "ordered", "orders", "plans", "planned", "decided", "decides", "votes", "voted",
))
#: Copulas and modals are actor verbs only when a verb of action follows: "Moscow is a city".
_WEAK_VERBS = frozenset(token_key(w) for w in (
    "has", "have", "had", "is", "was", "will", "would", "could", "should", "must", "may",
    "might", "can", "cannot", "did", "does", "do", "regularly", "still", "also"))
#: Nouns after a possessive place that make it an actor ("Kyiv's forces", "Moscow's invasion").
ACTOR_NOUNS = frozenset(token_key(w) for w in (
    "forces", "force", "troops", "army", "military", "government", "officials", "leadership",
    "invasion", "offensive", "advance", "attack", "attacks", "strikes", "allies", "ally",
    "ministry", "general", "president", "leader", "leaders", "envoy", "ambassador", "decision",
    "position", "claims", "policy", "war", "regime", "authorities", "defence", "defense",
    "foreign", "intelligence", "navy", "air", "missiles", "drones", "drone", "soldiers",
    "delegation", "negotiators", "diplomats", "embassy", "parliament", "prime", "security",
    "aggression", "demands", "response", "support", "aid", "sanctions", "partners", "partner",
    "counteroffensive", "incursion", "troops", "spy", "representatives", "central", "state",
))
#: Verbs and prepositions after which a place is an actor as their object ("to help Moscow").
_ACTOR_OBJECT_BEFORE = frozenset(token_key(w) for w in (
    "accused", "help", "helping", "helped", "urged", "pressed", "pressured", "warned",
    "against", "sanctioning", "persuade", "force", "forced", "get", "asked", "allies",
    "ally", "told", "by", "criticised", "criticized", "condemned", "blamed", "supporting",
))

_SAID = frozenset(token_key(w) for w in (
    "said", "says", "told", "added", "wrote", "explained", "noted", "tweeted", "posted"))

MONTHS_DAYS = frozenset(token_key(w) for w in (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "christmas", "easter",
))
#: Words that start a foreign name that is not a place when not matched whole ("Le Parisien").
_ARTICLES = frozenset(token_key(w) for w in ("le", "la", "les", "die", "der", "das", "el", "il", "the"))
#: Lower-case words that may sit inside a capitalised name ("Sea of Azov", "Rostov-on-Don").
_CONNECTORS = frozenset(token_key(w) for w in (
    "of", "de", "del", "della", "di", "da", "du", "des", "la", "le", "van", "von", "der",
    "al", "el", "bin", "on", "upon", "am", "sur", "en"))
#: Connectors only inside hyphenated names ("Rostov-on-Don"), not "Reading on Sunday".
_HYPHEN_CONNECTORS = frozenset(token_key(w) for w in ("on", "upon", "am", "sur", "en"))
#: Abbreviations of countries that are written in capitals.
COUNTRY_ACRONYMS = {"US": "US", "USA": "US", "UK": "GB", "UAE": "AE", "DPRK": "KP", "ROK": "KR",
                    "PRC": "CN", "DRC": "CD", "GB": "GB", "RF": "RU"}
_ACRONYM_RE = re.compile(r"\b(?:U\.S\.A?\.?|U\.K\.)(?![A-Za-z])")
_ACRONYM_DOTTED = {"U.S.": "US", "U.S": "US", "U.S.A.": "US", "U.S.A": "US", "U.K.": "GB"}

#: Automaton value flags: the key's token count is in the low four bits.
F_COMMON = 1 << 4   # every token is a common lower-case English word
F_STRONG = 1 << 5   # a country, a first-level unit or a large city bears this name
F_ADMIN = 1 << 6    # a country or an admin unit bears this name
F_COUNTRY = 1 << 7  # a country bears this name
F_UNIT = 1 << 8     # a first-level unit bears this name
F_CAPITAL = 1 << 9  # a first-level unit's namesake city bears this name ("Zaporizhia", "Odessa")


def _read_data(name: str) -> str:
    return resources.files("geo").joinpath("data", name).read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Word lists from installed packages and ``geo/data``; built once per process."""

    first_names: frozenset[str]          # token keys
    common_words: frozenset[str]         # lower-case English words, as token keys
    demonyms: dict[str, str]             # name key of a form -> ISO country or ISO 3166-2 code
    demonym_max_tokens: int
    aliases: dict[str, str]              # name key -> ISO country code (Britain -> GB)
    continents: dict[str, tuple[str, float, float]]  # continent code -> (name, lat, lon)
    first_keys: frozenset[str]           # first token keys of demonyms and aliases
    abbrevs: dict[str, str]              # "Va." / "VA" -> "US-VA", only after a comma
    abbrev_re: re.Pattern[str] | None
    region_cues: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "DPR" -> ("UA-14",)
    region_cue_re: re.Pattern[str] | None = None

    @staticmethod
    def load(cache_dir: str | Path | None = None) -> Lexicon:
        """The lexicon, from a pickle in ``cache_dir`` when one was made by this version
        (building it tokenises a quarter of a million words: seconds, not milliseconds)."""
        return _load_lexicon(str(cache_dir) if cache_dir is not None else None)

    @staticmethod
    def build() -> Lexicon:
        key = getattr(token_key, "__wrapped__", token_key)  # bulk work must not flush its cache
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
        web2 = resources.files("english_words").joinpath("data", "web2.pickle").read_bytes()
        # Only words Webster's writes in lower case are common words: "reading", "china",
        # "turkey", not "Paris".
        common = frozenset(key(w) for w in pickle.loads(web2) if w.isalpha() and w.islower())
        demonyms: dict[str, str] = {}
        rows = [r for r in _read_data("demonyms.csv").splitlines() if r and not r.startswith("#")]
        for row in csv.DictReader(io.StringIO("\n".join(rows))):
            forms = row["forms"].split(";")
            for form in forms:
                # Plural forms name people, not places ("Americans" is not a toponym;
                # "American" in "American troops" is).
                if form.endswith("s") and form[:-1] in forms:
                    continue
                demonyms[name_key(form)] = row["target"]
        aliases: dict[str, str] = {}
        abbrevs: dict[str, str] = {}
        cues: dict[str, tuple[str, ...]] = {}
        continents: dict[str, tuple[str, float, float]] = {}
        rows = [r for r in _read_data("places_extra.csv").splitlines() if r and not r.startswith("#")]
        for row in csv.DictReader(io.StringIO("\n".join(rows))):
            if row["kind"] == "continent":
                continents[row["code"]] = (row["names"], float(row["lat"]), float(row["lon"]))
                aliases[name_key(row["names"])] = f"continent:{row['code']}"
            elif row["kind"] == "alias":
                for form in row["names"].split(";"):
                    aliases[name_key(form)] = row["code"]
            elif row["kind"] == "abbrev":
                for form in row["names"].split(";"):
                    abbrevs[form] = row["code"]
            elif row["kind"] == "cue":
                for form in row["names"].split(";"):
                    cues[form] = tuple(row["code"].split("+"))
        longest = max(len(k.split()) for k in (*demonyms, *aliases))
        return Lexicon(first_names=frozenset(firsts), common_words=common, demonyms=demonyms,
                       demonym_max_tokens=longest, aliases=aliases, 
                       continents=continents,
                       first_keys=frozenset(k.split(" ")[0] for k in (*demonyms, *aliases)),
                       abbrevs=abbrevs, abbrev_re=re.compile(
                           r"(?<=, )(?:" + "|".join(re.escape(a) for a in sorted(abbrevs, key=len, reverse=True))
                           + r")(?![\w.])") if abbrevs else None,
                       region_cues=cues, region_cue_re=re.compile(
                           r"(?<![\w.])(?:" + "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True))
                           + r")(?![\w])") if cues else None)


#: Bump when the lexicon's sources or rules change: cached lexicons are then rebuilt.
LEXICON_VERSION = "3"


@lru_cache(maxsize=4)
def _load_lexicon(cache_dir: str | None) -> Lexicon:
    if cache_dir is None:
        return Lexicon.build()
    # Keyed by the data files and this module's code, so an edit never meets a stale pickle.
    digest = hashlib.sha256((LEXICON_VERSION + _read_data("demonyms.csv")
                             + _read_data("places_extra.csv")).encode()
                            + Path(__file__).read_bytes()).hexdigest()[:12]
    path = Path(cache_dir) / f"geoparser-lexicon-{digest}.pickle"
    try:
        with path.open("rb") as fh:
            lex = pickle.load(fh)
        if isinstance(lex, Lexicon):
            return lex
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
        pass
    lex = Lexicon.build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(lex, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        for old in path.parent.glob("geoparser-lexicon-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)  # made by an older version of this code
    except OSError:
        pass  # an unwritable cache only costs the next start-up the build
    return lex


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
    unit_tok: int | None = None    # first token of a unit named beside it ("X, Donetsk", "X (Sumy region)")


def _cap_runs(toks: Sequence[Token], text: str) -> list[int]:
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
            if (nxt.key in _CONNECTORS and j + 2 < n and toks[j + 2].cap and after in (" ", "-")
                    and (nxt.key not in _HYPHEN_CONNECTORS or gap == after == "-")):
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
    n = len(toks)
    if not n:
        return []
    keys = [t.key for t in toks]
    starts = [t.start for t in toks]
    runs = _cap_runs(toks, text)
    run_span: dict[int, tuple[int, int]] = {}
    for i, r in enumerate(runs):
        if r >= 0:
            a, _ = run_span.get(r, (i, i))
            run_span[r] = (a, i + 1)

    # People: the rest of a run after a title ("Ukrainian President Volodymyr Zelenskyy",
    # "governor Yuri Slyusar"), or a run opening with a first name ("Vladimir Putin").
    person_tok = [False] * n
    person_keys: set[str] = set()
    person_firsts: set[str] = set()
    for r, (a, b) in run_span.items():
        start = -1
        if toks[a].initial and toks[a].key in lex.common_words and b - a > 1:
            a += 1  # "The Russian statement": a sentence's capitalised first word
        before = toks[a - 1] if a else None
        if before is not None and before.key in TITLES and text[before.end:toks[a].start] == " ":
            start = a
        for k in range(a, b):
            if toks[k].key in TITLES and k + 1 < b and toks[k + 1].key not in _CONNECTORS:
                start = k + 1
        if start < 0:
            k = a
            # A demonym or title may open the run: "Russian Vladimir Putin".
            while k < b - 1 and (toks[k].key in lex.demonyms or toks[k].key in TITLES):
                k += 1
            # ... unless the whole run is a place's name: "Mala Tokmachka", "Velyka Novosilka"
            # open with a word that is also a first name
            if (b - k >= 2 and toks[k].key in lex.first_names and toks[b - 1].key not in FEATURE_WORDS
                    and index.get(" ".join(keys[k:b])) is None):
                start = k
        if start < 0 or any(t.key in ORG_WORDS for t in toks[start:b]):
            continue
        for k in range(start, b):
            person_tok[k] = True
            key = toks[k].key
            if key in lex.demonyms or info(key) & F_COUNTRY:
                continue
            (person_firsts if k == start and key in lex.first_names else person_keys).add(key)
    # Surnames seen in full names are people wherever else they stand alone ("Slyusar said");
    # a first name only where it speaks ("Lee said"), not "Nelson residents".
    caps = [i for i, t in enumerate(toks) if t.cap]  # most loops below only need these
    for i in caps if person_keys or person_firsts else ():
        t = toks[i]
        if not person_tok[i] and (t.key in person_keys or t.key in person_firsts
                                  and i + 1 < n and toks[i + 1].key in _SAID):
            a, b = run_span.get(runs[i], (i, i + 1))
            if b - a == 1:
                person_tok[i] = True
    found: list[Found] = []
    taken = [False] * n

    # Country abbreviations written with dots (U.S.) do not survive tokenising as one word.
    for m in _ACRONYM_RE.finditer(text):
        t0 = bisect_left(starts, m.start())
        if t0 >= n:
            continue
        t1 = t0
        while t1 < n and toks[t1].end <= m.end():
            t1 += 1
        if t1 > t0 and not any(taken[t0:t1]):
            code = _ACRONYM_DOTTED.get(m.group(), _ACRONYM_DOTTED.get(m.group().rstrip(".")))
            if code:
                found.append(Found(t0, t1, toks[t0].start, toks[t1 - 1].end, None, target=code,
                                   flags=F_STRONG | F_ADMIN))
                for k in range(t0, t1):
                    taken[k] = True

    # "Richmond, Va.", "Seattle, WA": state abbreviations after a comma.
    if lex.abbrev_re is not None and ", " in text:
        for m in lex.abbrev_re.finditer(text):
            t0 = bisect_left(starts, m.start())
            t1 = t0
            while t1 < n and toks[t1].end <= m.end():
                t1 += 1
            if t1 > t0 and not any(taken[t0:t1]):
                found.append(Found(t0, t1, m.start(), m.end(), None, target=lex.abbrevs[m.group()],
                                   flags=F_ADMIN))
                for k in range(t0, t1):
                    taken[k] = True

    matches = [m for m in index.matches(keys) if toks[m[0]].cap]
    # A demonym inside a longer capitalised place name is part of it: "Zelene Pole", "Vilne Pole".
    inside_name: set[int] = set()
    for t0, t1, _value in matches:
        if (t1 - t0 >= 2 and all(toks[k].cap for k in range(t0, t1))
                and keys[t0] not in lex.common_words):       # not "The South Korean ..."
            inside_name.update(range(t0 + 1, t1))
    # Demonyms first: "North Korean" must not become "North" + a place called "Korean";
    # then names of countries and continents the gazetteer lacks ("Britain", "Europe").
    firsts = lex.first_keys
    for i in caps:
        if taken[i] or person_tok[i] or keys[i] not in firsts or i in inside_name:
            continue
        for width in range(min(lex.demonym_max_tokens, n - i), 0, -1):
            key = " ".join(keys[i:i + width])
            target = lex.demonyms.get(key)
            role = "demonym"
            if target is None:
                target = lex.aliases.get(key)
                role = "name"
            if target and role == "demonym" and _is_language(text, toks, i, i + width):
                break  # "in English", "speaks Russian": the language, not the country
            if target and toks[i + width - 1].cap:
                found.append(Found(i, i + width, toks[i].start, toks[i + width - 1].end, None,
                                   role=role, target=target, literal=role == "name",
                                   flags=F_STRONG | F_ADMIN | F_COUNTRY))
                for k in range(i, i + width):
                    taken[k] = True
                break

    # Gazetteer names: longest match first, then leftmost.
    matches.sort(key=lambda m: (-(m[1] - m[0]), m[0]))
    occurrences: dict[str, list[int]] = {}
    for i in caps:
        if not toks[i].initial:
            occurrences.setdefault(keys[i], []).append(i)
    ctx = _RunContext(runs, run_span, list(accumulate(map(ORG_WORDS.__contains__, keys), initial=0)),
                      _CapsLines(text))
    for t0, t1, value in matches:
        if any(taken[t0:t1]):
            continue
        if not toks[t0].cap:
            continue
        value |= info(" ".join(keys[t0:t1]))
        f = _judge(text, toks, t0, t1, value, ctx, person_tok, lex, occurrences)
        if f is None:
            continue
        found.append(f)
        for k in range(f.tok0, f.tok1):
            taken[k] = True

    # Capitalised upper-case acronyms of countries (US, UK) that no name matched.
    for i in caps:
        t = toks[i]
        if not taken[i] and t.upper and t.text in COUNTRY_ACRONYMS:
            found.append(Found(i, i + 1, t.start, t.end, None, target=COUNTRY_ACRONYMS[t.text],
                               flags=F_STRONG | F_ADMIN))
            taken[i] = True

    _context_patterns(text, toks, runs, run_span, person_tok, taken, found, lex)
    # "the Kursk and Belgorod regions": the plural admin word covers every name before it.
    by_start = {f.tok0: f for f in found}
    for f in sorted(found, key=lambda f: -f.tok0):
        if f.admin or f.tok1 + 1 >= n or toks[f.tok1].key not in ("and", "or"):
            continue
        g = by_start.get(f.tok1 + 1)
        if g is not None and g.admin and toks[g.tok1 - 1].key.endswith("s"):
            f.admin = True
    for f in found:
        if f.role != "demonym":
            mark_literal(text, toks, f)
    found.sort(key=lambda f: f.start)
    return found


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
    if t1 - t0 == 1 and (first.key in MONTHS_DAYS or len(first.key) <= 2):
        return None  # two letters are an abbreviation or an alternate-name artefact ("Le")
    # An acronym in prose (NATO, AFP, ATACMS) is not a place name unless it is a country's.
    if first.upper and t1 - t0 == 1 and len(first.text) <= 6 and not ctx.caps_line(first.start):
        return None
    strong = bool(value & (F_STRONG | F_UNIT))
    admin_named = bool(value & F_ADMIN)
    f = Found(t0, t1, first.start, toks[t1 - 1].end, key, flags=value)
    if t1 - t0 >= 2 and toks[t1 - 1].key in ADMIN_AFTER:
        f.admin = True  # the gazetteer indexes admin phrases: "kursk region" matched whole
        return f
    nxt_said = toks[t1] if t1 < len(toks) else None
    if (nxt_said is not None and nxt_said.key in _SAID and not strong
            and not toks[t1 - 1].possessive):
        f.weak = True  # "Slyusar said": a name that speaks is a person unless a known place

    # "Kursk region", "Sumy Oblast", "Oryol regional": the admin word belongs to the name.
    nxt = toks[t1] if t1 < len(toks) else None
    if (nxt is not None and nxt.key in ADMIN_AFTER and text[toks[t1 - 1].end:nxt.start] == " "
            and not toks[t1 - 1].possessive):
        f.tok1 = t1 + 1
        f.end = nxt.end
        f.admin = True
        return f

    # Inside a longer capitalised run: a person's, an organisation's or a feature's name.
    r = ctx.runs[t0]
    if r >= 0 and not first.headline:
        a, b = ctx.run_span[r]
        if a < t0 and toks[a].initial and toks[a].key in lex.common_words:
            a += 1  # "In Kursk", "But Moscow": a capitalised first word of a sentence
        if a < t0 or b > t1:
            org = ctx.org_before
            org_rest = (org[b] - org[a]) - (org[t1] - org[t0])
            abbreviated = (b < len(toks) and text[toks[b - 1].end:toks[b].start] == " ("
                           and toks[b].upper)
            if org_rest > 0 or abbreviated:
                # "Kyiv Independent", "New York Times": the place is named, not located.
                if not strong:
                    return None
                f.embedded = True
                f.literal = False
                return f
            if b > t1 and toks[b - 1].key in FEATURE_WORDS:
                return None  # "Mississippi River": the context patterns report the feature
            if a < t0 and toks[a].key in _ARTICLES or value & F_COMMON:
                return None  # "Le Parisien"; a common word inside a longer name
            if not strong and not admin_named:
                return None
    if value & F_COMMON and not (t1 - t0 > 1 and all(t.cap for t in toks[t0:t1])):
        # (A capitalised name of several common words, "New York", "Western Cape", is a name.)
        # A common word's capital is evidence only mid-sentence; at a sentence start or in a
        # headline it needs a country or unit of that name, or the same word capitalised
        # mid-sentence elsewhere in the text.  Mid-sentence, a small place of that name still
        # needs support from the rest of the article (resolution decides).
        elsewhere = bool(occurrences.get(key))
        country = bool(value & F_COUNTRY)
        if first.initial and not country and not elsewhere:
            return None
        if not country and not (value & F_STRONG and not first.initial):
            f.weak = True  # "the North", "Telegram": kept only with the article's support
    return f


_LANGUAGE_BEFORE = frozenset(token_key(w) for w in (
    "in", "speak", "speaks", "spoke", "speaking", "into", "translated", "fluent", "learn",
    "learning", "taught", "teach", "subtitled", "dubbed"))


def _is_language(text: str, toks: Sequence[Token], t0: int, t1: int) -> bool:
    """A demonym used as a language name: after "in"/"speaks" and before punctuation,
    "language" or the end of the text."""
    if t0 == 0 or toks[t0 - 1].key not in _LANGUAGE_BEFORE:
        return False
    if t1 >= len(toks):
        return True
    if toks[t1].key in ("language", "languages"):
        return True
    gap = text[toks[t1 - 1].end:toks[t1].start]
    return bool(gap.strip()) and gap.strip()[0] in ".,;:!?)\"”"



def mark_literal(text: str, toks: Sequence[Token], f: Found) -> None:
    """Places used for their governments or armies are metonyms: "Kyiv struck", "Kyiv's
    forces", "to help Moscow", "Washington and Seoul have accused"."""
    if f.admin or not f.literal:
        return
    last = toks[f.tok1 - 1]
    nxt_i = f.tok1
    if last.possessive:
        if nxt_i < len(toks) and toks[nxt_i].key in ACTOR_NOUNS:
            f.literal = False
        return
    before = toks[f.tok0 - 1] if f.tok0 else None
    # Skip over a coordinated subject: "Washington and Seoul have accused".
    j = nxt_i
    while j + 1 < len(toks) and toks[j].key in ("and", "or") and toks[j + 1].cap:
        j += 2
    if j < len(toks) and text[toks[j - 1].end:toks[j].start].strip() in ("", ",") :
        verb = toks[j].key
        if verb in ACTOR_VERBS:
            if verb not in _WEAK_VERBS:
                f.literal = False
            elif j + 1 < len(toks) and (toks[j + 1].key in ACTOR_VERBS and toks[j + 1].key not in _WEAK_VERBS
                                         or j + 2 < len(toks) and toks[j + 2].key in ACTOR_VERBS
                                         and toks[j + 2].key not in _WEAK_VERBS):
                f.literal = False
    if before is not None and before.key in _ACTOR_OBJECT_BEFORE and not before.cap:
        if before.key != "by" or nxt_i >= len(toks) or toks[nxt_i].key not in ("and",):
            f.literal = False
    # "between Moscow and Kyiv", "talks with Kyiv": relations between governments.
    if before is not None and before.key in ("with", "between") and f.flags & F_STRONG:
        k = f.tok0 - 2
        if k >= 0 and toks[k].key in ("talks", "relations", "ties", "deal", "negotiations", "agreement",
                                      "war", "conflict", "cooperation", "pact", "treaty"):
            f.literal = False


def _unit_after_preposition(toks: Sequence[Token], u: int, by_tok: dict[int, Found],
                            plain: Callable[[int, int], bool]) -> int | None:
    """The first token of the unit in "X in [the] [Russia's] Kursk region" or "X in Russia",
    given the token after the preposition; None when what follows is not written as a unit
    (its admin word) or a country: "Bakhmut in May", "Kherson in the south", "Sumy in Kursk"
    (a bare city's name after "in" may be where something else happened)."""
    n = len(toks)
    if u < n and toks[u].key in _UNIT_DETERMINERS and plain(u - 1, u):
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


def _context_patterns(text: str, toks: Sequence[Token], runs: list[int],
                      run_span: dict[int, tuple[int, int]], person_tok: list[bool],
                      taken: list[bool], found: list[Found], lex: Lexicon) -> None:
    """Places the gazetteer lacks, found by their context; also the cues the resolver uses
    for those it has ("the village of X" prefers settlements)."""
    by_tok = {}
    for f in found:
        for k in range(f.tok0, f.tok1):
            by_tok[k] = f
    n = len(toks)
    for r, (a, b) in run_span.items():
        if any(person_tok[a:b]):
            continue
        def plain(i: int, j: int) -> bool:
            return text[toks[i].end:toks[j].start] == " " and toks[i].sentence == toks[j].sentence

        prev = toks[a - 1].key if a and plain(a - 1, a) else ""
        prev2 = toks[a - 2].key if a > 1 and prev and plain(a - 2, a - 1) else ""
        cue = None
        if prev == "of" and prev2 in SETTLEMENT_CUES:
            cue = "settlement"
        elif prev in SETTLEMENT_CUES:
            cue = "settlement"
        elif prev in _STRONG_CUES or (prev2 in _STRONG_CUES and prev in ("the", "of")):
            cue = "near"
        after_admin = b < n and toks[b].key in ADMIN_AFTER and text[toks[b - 1].end:toks[b].start] == " "
        # "in X, Donetsk", "X (Sumy region)", "X district, Poltava", "X, a village in": an
        # appositive names the unit or the kind; ``e`` is the token after the name and its
        # admin word.
        e = b + 1 if after_admin else b
        appositive = None
        sep = text[toks[e - 1].end:toks[e].start].strip() if e < n else ""
        unit_at = e
        if sep in (",", "("):
            if sep == "," and toks[e].key in ("a", "an") and e + 1 < n and toks[e + 1].key in SETTLEMENT_CUES:
                appositive = "settlement"
            elif toks[e].cap and (by_tok.get(e) is not None and by_tok[e].flags & (F_ADMIN | F_CAPITAL)
                                  or e + 1 < n and toks[e + 1].key in ADMIN_AFTER):
                appositive = "unit"
        elif e < n and toks[e].key in UNIT_PREPOSITIONS and plain(e - 1, e):
            u = _unit_after_preposition(toks, e + 1, by_tok, plain)
            if u is not None:
                appositive, unit_at = "unit", u
        if cue is None and not after_admin and appositive is None:
            continue
        # Cue for names already found.
        inside = [by_tok[k] for k in range(a, b) if k in by_tok]
        if inside:
            for f in inside:
                if cue == "settlement" or appositive == "settlement":
                    f.settlement = True
                if appositive == "unit" and unit_at in by_tok:
                    f.unit_tok = unit_at
            continue
        if any(taken[a:b]):
            continue
        if appositive == "unit" and cue is None and (e not in by_tok or unit_at != e):
            # "Smith, Jones Ltd": a comma before a capital proves nothing by itself; nor does
            # "Smith in the Kursk region" make Smith a place
            continue
        words = toks[a:b]
        if all(t.key in lex.common_words or t.key in MONTHS_DAYS for t in words):
            continue
        if any(t.upper for t in words) or words[0].key in MONTHS_DAYS or words[-1].key in ORG_WORDS:
            continue
        end_tok = b
        if after_admin:
            end_tok = b + 1
        f = Found(a, end_tok, toks[a].start, toks[end_tok - 1].end, None, role="pattern",
                  settlement=cue == "settlement" or appositive == "settlement", admin=after_admin,
                  unit_tok=unit_at if appositive == "unit" else None)
        found.append(f)
        for k in range(a, end_tok):
            taken[k] = True
    # Feature names ("Sea of Azov", "Dnipro River") the gazetteer of places and units lacks.
    for r, (a, b) in run_span.items():
        if b - a >= 2 and (toks[b - 1].key in FEATURE_WORDS or toks[a].key in _FEATURE_FIRST) \
                and not any(taken[a:b]) \
                and not any(person_tok[a:b]) and not toks[a].upper:
            if any(toks[k].cap and toks[k].key not in lex.common_words for k in range(a, b - 1)) \
                    or toks[a].key in _FEATURE_FIRST:
                found.append(Found(a, b, toks[a].start, toks[b - 1].end, None, role="pattern"))
                for k in range(a, b):
                    taken[k] = True
