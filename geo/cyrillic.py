"""Place names found in Ukrainian and Russian text: recognition over Cyrillic keys.

The English recogniser (:mod:`geo.toponyms`) matches the text's words against Latin keys with one
automaton pass. Ukrainian and Russian decline names ("під Покровськом", "Белгородской области"),
so a word of text rarely equals the name a gazetteer holds. Here each capitalised word is read as
every nominative it may be a form of (:mod:`geo.morphology`: the analyser's normal forms and
ending rules), and a run of such words is tried, longest first, against the gazetteer's Cyrillic
keys (:func:`gazetteer.names.cyrillic_key`; :class:`CyrillicNames` holds them) and the language's
own names (``place_names.csv``: aliases such as "Росія", "ДНР", regions such as "Донбас";
pycountry's country names): agreement across the words of a name ("Нової Каховки", "Старих
Тернів") is the gazetteer's to decide, since only the right combination is a name it holds. An
admin word after an adjective makes a unit ("Сумській області" -> "сумська область", "в
Суджанском районе" -> "суджанский район"). A form a gazetteer lacks in one language may be met in
the neighbour's spelling ("Плехове" -> "плехово").

What is not a place is told as in English, with the analyser's help: words that are never names
("Він", "Так", "Как"), people (titles, first names and patronymics, surnames a speech verb or no
locating preposition follows, surnames seen in a full name), outlets and units (``org_names``:
"ЗСУ", "ВС РФ", "Укрправда"), acronyms that are no country's, and places inside an institution's
name ("Збройні сили України"). A country or a city followed by a verb of speaking or acting is a
metonym ("Москва заявила"). The result is the same :class:`~geo.toponyms.Found` the English
recogniser makes (admin flag, settlement cue, ``unit_tok`` for "Плехово Курской области"), so
resolution treats both alike.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gazetteer.model import Place
from gazetteer.names import cyrillic_key

from geo.morphology import Morphology, WordInfo
from geo.pickle_cache import load_or_build
from geo.toponyms import (
    F_ADMIN, F_CAPITAL, F_COUNTRY, F_STRONG, F_TOWN, F_UNIT, NEIGHBOUR_SEP, Found, Lexicon, Token, own_spelling,
    owns_authority,
)

__all__ = ["CyrillicNames", "F_HOME", "F_HOME_TOWN", "NEIGHBOUR_SEP", "home_flags", "recognize_cyrillic"]

_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]")
#: The most words a name of a run is tried with ("Автономна Республіка Крим", "Ростов на Дону").
_MAX_WORDS = 5
#: The most combinations of the words' forms tried for one run (each word has a few forms).
_MAX_COMBINATIONS = 256
#: An acronym in prose (ЗСУ, ГУР, МКС) is no place unless a country's or region's: this long at most.
_ACRONYM_LEN = 6
#: What bears a name that is more than a hamlet's: a person is not read into it.
_NAMED_BIG = F_STRONG | F_ADMIN | F_UNIT | F_CAPITAL | F_COUNTRY | F_TOWN
#: The share of a word's readings that must be a person's (a surname, a first name) for a hamlet
#: of that name to give way to the person: the analyser's own estimate, or any reading where it
#: has none (the Ukrainian dictionary weighs its readings alike).
_PERSON_SHARE = 0.5
#: How far back an organisation word may stand from the place in its genitive ("Міністерство
#: доходів і зборів України", "Рада національної безпеки і оборони України": five words).
_ORG_LOOKBACK = 5
#: How far back a regional branch's head word may stand from its preposition ("Управління
#: Державної служби з надзвичайних ситуацій України в": six words).
_BRANCH_LOOKBACK = 7

#: Flags of a key that only Cyrillic recognition reads, beside geo.toponyms' ``F_*``: the caller's
#: ``info`` sets them from the key's entries and the language's home countries
#: (``resolution.toml``), see :func:`home_flags`.
F_HOME = 1 << 12       # an entry lies in a country the language's reports are about (Ukraine, Russia)
F_HOME_TOWN = 1 << 13  # ... and is a unit, or a town of at least 10,000 people
#: What a name the analyser reads as a person's must be to be read as a place where nothing
#: locates at it: a town of the home countries, a large city abroad, a capital, a country, a unit.
_WELL_KNOWN = F_HOME_TOWN | F_STRONG | F_CAPITAL | F_COUNTRY | F_UNIT | F_ADMIN
#: A town this size is named in the news more often than people who share its name.
_HOME_TOWN_POPULATION = 10_000
_UNIT_KINDS = frozenset({"admin1", "admin2", "hromada"})


def home_flags(places: Iterable[Place], home: frozenset[str]) -> int:
    """:data:`F_HOME` / :data:`F_HOME_TOWN` for a key whose entries are ``places``."""
    got = 0
    for p in places:
        if p.country in home and p.kind != "country":
            got |= F_HOME
            if p.kind in _UNIT_KINDS or (p.population or 0) >= _HOME_TOWN_POPULATION:
                return got | F_HOME_TOWN
    return got


# --- the gazetteer's Cyrillic keys --------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CyrillicNames:
    """Every Cyrillic key of the gazetteer (a set lookup per candidate form), and the first
    words of its keys of several words (so that a run is only tried whole when it could be)."""

    keys: frozenset[str]
    firsts: frozenset[str]

    @classmethod
    def build(cls, key_stats: Iterable[tuple], *, function_words: frozenset[str] = frozenset()) -> CyrillicNames:
        keys: set[str] = set()
        firsts: set[str] = set()
        for row in key_stats:
            key = row[0]
            if not key or _CYRILLIC_WORD.search(key) is None:
                continue
            words = key.split(" ")
            if len(words) == 1 and (len(key) <= 2 or key in function_words):
                continue  # never a place in prose ("Так" is a province of Thailand)
            if len(words) > _MAX_WORDS:
                continue
            keys.add(key)
            if len(words) > 1:
                firsts.add(words[0])
        return cls(frozenset(keys), frozenset(firsts))

    @classmethod
    def load(cls, path: Path | None, key_stats: Callable[[], Iterable[tuple]], *,
             function_words: frozenset[str] = frozenset()) -> CyrillicNames:
        """From a pickle at ``path`` when there is one, else built and saved there."""
        return load_or_build(path, cls, lambda: cls.build(key_stats(), function_words=function_words),
                             family="geoparser-cyrillic-*.pickle")


# --- one article's words ----------------------------------------------------------------------

#: Letters of a word's start that inflection keeps (see _Words.is_) ...
_PREFIX = 3
#: ... but for the vowel Ukrainian alternates in a short stem: "двір", "двору"; "міст", "мосту".
_ALTERNATING = str.maketrans({"і": "о"}), str.maketrans({"і": "е"})


@functools.lru_cache(maxsize=256)
def _prefixes(words: frozenset[str]) -> frozenset[str]:
    out = {w[:_PREFIX] for w in words}
    out.update(p.translate(t) for p in list(out) for t in _ALTERNATING)
    return frozenset(out)


class _Words:
    """What recognition asks of each token, computed on first use (most tokens are never asked)."""

    def __init__(self, text: str, toks: Sequence[Token], morph: Morphology) -> None:
        self.text = text
        self.toks = toks
        self.morph = morph
        self._forms: dict[int, tuple[str, ...]] = {}
        self._lemmas: dict[int, frozenset[str]] = {}
        self._keys: dict[int, str] = {}
        self._elsewhere: frozenset[str] | None = None

    def lower_elsewhere(self, i: int) -> bool:
        """Whether a form of token ``i``'s word stands in lower case elsewhere in the text: a
        capital that opens a sentence then proves nothing ("Доля ... долі")."""
        lemmas = self.morph.lemmas(self.toks[i].text)
        words = frozenset(lemmas)
        for j, t in enumerate(self.toks):
            if j != i and not t.cap and t.text[:1].isalpha() and self.is_(j, words) \
                    and not self.morph.lemmas(t.text).isdisjoint(lemmas):
                return True
        return False

    def capitalised_mid_sentence(self) -> frozenset[str]:
        """Keys of the words written with a capital somewhere other than a sentence's start."""
        if self._elsewhere is None:
            self._elsewhere = frozenset(t.key for t in self.toks if t.cap and not t.initial)
        return self._elsewhere

    def cyrillic(self, i: int) -> bool:
        return _CYRILLIC_WORD.search(self.toks[i].text) is not None

    def forms(self, i: int) -> tuple[str, ...]:
        got = self._forms.get(i)
        if got is None:
            got = self._forms[i] = self.morph.forms(self.toks[i].text)
        return got

    def name_forms(self, i: int) -> tuple[str, ...]:
        """Forms of token ``i`` as one word of a name of several (ending rules always tried)."""
        return self.morph.forms(self.toks[i].text, rules=True)

    def lemmas(self, i: int) -> frozenset[str]:
        """Normal forms and ending-rule forms of token ``i``: what word lists are matched by."""
        got = self._lemmas.get(i)
        if got is None:
            got = self._lemmas[i] = self.morph.lemmas(self.toks[i].text) | frozenset(self.forms(i))
        return got

    def info(self, i: int) -> WordInfo:
        return self.morph.info(self.toks[i].text)

    def has_case(self, i: int, cases: frozenset[str], *, nouns_only: bool = False, lemma: str | None = None) -> bool:
        return self.morph.has_case(self.toks[i].text, cases, nouns_only=nouns_only, lemma=lemma)

    def agrees(self, i: int, j: int) -> bool:
        """Whether token ``i`` read as an adjective can qualify token ``j`` read as a noun."""
        return self.morph.agrees(self.toks[i].text, self.toks[j].text)

    def key(self, i: int) -> str:
        got = self._keys.get(i)
        if got is None:
            got = self._keys[i] = self.morph.key(self.toks[i].text)
        return got

    def is_(self, i: int, words: frozenset[str]) -> bool:
        """Whether token ``i`` is a form of one of ``words`` (a word list's keys). Inflection
        changes a word's end, not its start: a word whose first letters begin no listed word is
        no form of one, and is never analysed (most words of a text are asked about)."""
        if not 0 <= i < len(self.toks):
            return False
        key = self.key(i)
        if key in words:
            return True
        if key[:_PREFIX] not in _prefixes(words):
            return False
        return not self.lemmas(i).isdisjoint(words)


def _gap(text: str, toks: Sequence[Token], i: int, j: int) -> str:
    return text[toks[i].end:toks[j].start]


# --- recognition ------------------------------------------------------------------------------

def recognize_cyrillic(text: str, toks: Sequence[Token], names: CyrillicNames, lex: Lexicon,
                       morph: Morphology, info: Callable[[str], int] = lambda _key: 0) -> list[Found]:
    """Every place-name span of a Ukrainian or Russian ``text``, with the cues resolution needs.

    ``info(key)`` tells what the gazetteer's entries of a Cyrillic key are (``F_STRONG``,
    ``F_ADMIN``, ``F_TOWN`` ...)."""
    n = len(toks)
    if not n:
        return []
    words = _Words(text, toks, morph)
    taken = [False] * n
    _org_names(text, toks, words, lex, taken)
    person = _people(text, toks, words, names, lex, info, taken)
    found: list[Found] = []
    _facility_adjectives(text, toks, words, names, lex, info, taken, person, found)
    i = 0
    while i < n:
        f = None
        if not taken[i] and toks[i].cap and words.cyrillic(i) and not person[i]:
            f = _name_at(text, toks, i, words, names, lex, info, found=found)
            if f is None or f.tok1 == i + 1:
                f = _compass_name_at(text, toks, i, words, names, lex, info) or f
        if f is None:
            i += 1
            continue
        if _keep(text, toks, f, words, lex, person, found):
            f = _with_adjective(text, toks, f, words, taken, person, found)
            found.append(f)
            for k in range(f.tok0, f.tok1):
                taken[k] = True
            i = f.tok1
        else:
            i += 1
    _shared_unit_words(text, toks, words, names, lex, info, taken, found)
    _units_listed_after(text, toks, words, names, lex, info, taken, found)
    _features(text, toks, words, lex, taken, person, found)
    _cued_unknowns(text, toks, words, lex, taken, person, found)
    _demonyms(toks, words, lex, taken, found)
    found.sort(key=lambda f: f.start)
    _units_beside(text, toks, words, lex, found)
    for f in found:
        if f.weak and f.unit_tok is not None:
            # "Стримба Івано-Франківської області", "Плехово Курской области": the unit named
            # beside it locates it, and decides which of its namesakes it is
            f.weak = f.local = False
    for f in found:
        if f.role == "name":
            _mark_literal(text, toks, f, words, lex)
    return found


def _org_names(text: str, toks: Sequence[Token], words: _Words, lex: Lexicon, taken: list[bool]) -> None:
    """Outlets, agencies and units named whole ("ЗСУ", "ВС РФ", "Укрправда"): never places."""
    if not lex.org_names:
        return
    longest = max(k.count(" ") + 1 for k in lex.org_names)
    n = len(toks)
    for i in range(n):
        if taken[i] or not (toks[i].cap or toks[i].upper):
            continue
        for width in range(min(longest, n - i), 0, -1):
            span = range(i, i + width)
            if width > 1 and any(_gap(text, toks, k, k + 1) not in (" ", "-") for k in span[:-1]):
                continue
            surface = cyrillic_key(text[toks[i].start:toks[i + width - 1].end])
            if surface in lex.org_names or (width == 1 and not lex.org_names.isdisjoint(words.lemmas(i))):
                for k in span:
                    taken[k] = True
                break


def _people(text: str, toks: Sequence[Token], words: _Words, names: CyrillicNames, lex: Lexicon,
            info: Callable[[str], int], taken: list[bool]) -> list[bool]:
    """Tokens that are people's names: a first name and the capitalised words after it
    ("Вячеслав Гладков", "Володимир Олександрович Зеленський"), a patronymic's run, a name right
    after a title that is no large place ("губернатор Гладков"; "президент України" is the
    country); then every other form of their surnames ("Гладкова", "Гладковим")."""
    n = len(toks)
    person = [False] * n
    for i in range(n):
        t = toks[i]
        if taken[i] or not t.cap or t.upper or person[i] or not words.cyrillic(i):
            continue
        nxt = i + 1 < n and toks[i + 1].cap and not toks[i + 1].upper and _gap(text, toks, i, i + 1) == " "
        wi = words.info(i)
        # (an initial "В." reads as a first name too: a name is three letters at least)
        if (wi.first_name and nxt and len(t.text) >= 3 and not wi.function
                and (not _big_place(words, i, names, lex, info)
                     or _surname_at(toks, i + 1, words, names, lex, info))
                and not _governs_place(toks, i, words, names, lex, info)):
            k = i + 1
            while k < n and toks[k].cap and _gap(text, toks, k - 1, k) in (" ", "-") and k - i < 4:
                k += 1
            for j in range(i, k):
                person[j] = True
        elif wi.patronymic and wi.person >= _PERSON_SHARE and len(t.text) >= 3 and not wi.function:
            person[i] = True
            if nxt:
                person[i + 1] = True
        elif (i and words.is_(i - 1, lex.titles) and not toks[i - 1].cap and _gap(text, toks, i - 1, i) == " "
              and not _big_place(words, i, names, lex, info)
              and not (wi.adjective and _modifies_next(text, toks, i, words, lex))):
            # (not "депутата Дніпропетровської облради": an adjective of the noun after it)
            person[i] = True
    _coordinated_first_names(text, toks, words, names, lex, info, person)
    # Initials: "Б. Хмельницького", "Януковича В. Ф.": a capital letter and a dot beside a name.
    for i in range(n - 1):
        t = toks[i]
        # (a space may stand before the dot: "Б . Хмельницький" in tokenised text)
        if len(t.text) == 1 and t.text.isupper() and text[t.end:t.end + 2].lstrip(" ")[:1] == ".":
            for j in (i + 1, i - 1):
                if 0 <= j < n and toks[j].cap and len(toks[j].text) > 1 and abs(toks[j].start - t.end) <= 3 \
                        or 0 <= j < n and j == i - 1 and toks[j].cap and len(toks[j].text) > 1 \
                        and text[toks[j].end:t.start].strip() == "":
                    person[j] = True
    # A surname seen in a full name is that person wherever else it stands alone; a large
    # place of that name only where nothing locates at it ("Б. Хмельницький ... війська
    # Хмельницького", but "у Хмельницькому", "Хмельницької області").
    surnames: set[str] = set()
    for i in range(n):
        if person[i] and not toks[i].upper and not words.info(i).first_name:
            surnames.update(words.morph.lemmas(toks[i].text))
    if surnames:
        for i in range(n):
            if not person[i] and toks[i].cap and not words.morph.lemmas(toks[i].text).isdisjoint(surnames):
                if words.is_(i + 1, lex.admin_after) or _unit_follows(text, toks, i + 1, words, lex):
                    continue
                if not _big_place(words, i, names, lex, info) or not (
                        _located(i, words, lex) or _country_or_unit(words, i, names, lex, info)):
                    person[i] = True
    return person


def _governs_place(toks: Sequence[Token], i: int, words: _Words, names: CyrillicNames, lex: Lexicon,
                   info: Callable[[str], int]) -> bool:
    """Whether first name ``i`` is the common noun it also spells, with a place in the genitive
    after it that owns it ("Влада Севастополя", "Надія Херсона"). Only a noun's genitive: an
    adjectival name in the genitive reads as a woman's surname too ("Любов Донецька")."""
    j = i + 1
    if not (words.info(i).thing and _big_place(words, j, names, lex, info)):
        return False
    wj = words.info(j)
    return not (wj.adjective or wj.surname or wj.first_name) and words.has_case(j, _GENITIVE)


def _coordinated_first_names(text: str, toks: Sequence[Token], words: _Words, names: CyrillicNames, lex: Lexicon,
                             info: Callable[[str], int], person: list[bool]) -> None:
    """Two first names joined by a conjunction are two people, and the capitalised words after
    the second their surname ("Володимир і Дмитро Хом'яки", "Дмитро й Володимир Коваленки"),
    even where one of the names is also a town's (Володимир): a town is not coordinated with a
    man. One of the two must name no country, region or town."""
    n = len(toks)
    for i in range(n - 2):
        a, b = i, i + 2
        if not (toks[a].cap and toks[b].cap and not toks[a].upper and not toks[b].upper
                and words.is_(i + 1, lex.conjunctions) and not toks[i + 1].cap
                and _gap(text, toks, a, i + 1) == " " and _gap(text, toks, i + 1, b) == " "
                and toks[a].sentence == toks[b].sentence):
            continue
        wa, wb = words.info(a), words.info(b)
        if not (wa.first_name and wb.first_name and len(toks[a].text) >= 3 and len(toks[b].text) >= 3
                and not wa.function and not wb.function):
            continue
        if _big_place(words, a, names, lex, info) and _big_place(words, b, names, lex, info):
            continue
        k = b + 1
        while k < n and toks[k].cap and not toks[k].upper and _gap(text, toks, k - 1, k) in (" ", "-") and k - b < 3:
            k += 1
        for j in (a, *range(b, k)):
            person[j] = True


def _surname_at(toks: Sequence[Token], j: int, words: _Words, names: CyrillicNames, lex: Lexicon,
                info: Callable[[str], int]) -> bool:
    """Whether token ``j``, right after a first name, is a surname, so that the two are a person
    even where the first name is also a town's ("Володимир Гетьман", "Лариса Петренко", "Софія
    Мірошниченко"): a surname's or patronymic's reading, a surname's shape or a word the
    dictionary does not know, naming no country, region or town, and no unit's adjective
    ("Софія Київська" is no person's name)."""
    if j >= len(toks) or not toks[j].cap or toks[j].upper:
        return False
    wj = words.info(j)
    if words.is_(j + 1, lex.admin_after) or _big_place(words, j, names, lex, info) and not (
            wj.surname and not _big_place(words, j, names, lex, info, bits=_SURNAME_OUTWEIGHS_NOT)):
        # (a surname's reading outweighs a town abroad: "Аркадію Реві" is no town Rewa in India)
        return False
    key = words.key(j)
    if wj.surname or wj.patronymic or not wj.known:
        return True
    if lex.surname_endings and key.endswith(lex.surname_endings):
        return True
    # a known word with no person's reading: a surname only if it names no place at all
    return not any(form in names.keys or form in lex.aliases for form in words.forms(j))


#: What a word after a first name must name for its surname's reading to give way: a country, a
#: unit or a town at home ("Софія Київська").
_SURNAME_OUTWEIGHS_NOT = F_COUNTRY | F_UNIT | F_ADMIN | F_HOME_TOWN


def _big_place(words: _Words, i: int, names: CyrillicNames, lex: Lexicon, info: Callable[[str], int], *,
               bits: int = _NAMED_BIG) -> bool:
    """Whether some form of token ``i`` names a country, a region or a town (not only hamlets;
    ``bits``: what the place must be)."""
    for form in words.forms(i):
        if form in lex.aliases or form in lex.regions:
            return True
        if form in names.keys and info(form) & bits:
            return True
    return False


def _country_or_unit(words: _Words, i: int, names: CyrillicNames, lex: Lexicon, info: Callable[[str], int]) -> bool:
    """Whether some form of token ``i`` names a country, a region or a first-level unit: no
    person's surname outweighs one ("України" after a name misread as a person's)."""
    for form in words.forms(i):
        if form in lex.aliases or form in lex.regions:
            return True
        if form in names.keys and info(form) & (F_COUNTRY | F_UNIT | F_ADMIN):
            return True
    return False


def _name_at(text: str, toks: Sequence[Token], i: int, words: _Words, names: CyrillicNames,
             lex: Lexicon, info: Callable[[str], int], *, found: Sequence[Found] = ()) -> Found | None:
    """The longest name starting at token ``i``: a unit (adjectives and an admin word), else a
    run of capitalised words the gazetteer or the language's names hold, in any of their forms
    (``found``: the names before it, of a list that locates it: "в Каховке и Олешках")."""
    n = len(toks)
    located = _located(i, words, lex, found)
    end = i + 1
    while (end < n and end - i < _MAX_WORDS and toks[end].sentence == toks[i].sentence
           and (toks[end].cap and _gap(text, toks, end - 1, end) in (" ", "-")
                or (toks[end].joined and words.is_(end, lex.connectors) and end + 1 < n
                    and toks[end + 1].joined and toks[end + 1].cap))):
        end += 1
    for stop in range(end, i, -1):
        # "Сумській області", "Суджанском районе": the admin word after the adjectives
        if stop < n and _gap(text, toks, stop - 1, stop) == " " and words.is_(stop, lex.admin_after):
            f = _unit_at(i, stop, toks, words, names, lex, info)
            if f is not None:
                return f
            if stop == i + 1 and words.info(i).adjective and not words.info(i).some_function \
                    and not (_sentence_start(text, toks, i) and words.info(i).known) \
                    and not (i > 0 and toks[i - 1].cap and _gap(text, toks, i - 1, i).strip() == "-"):
                # "у Кремінському районі", "Диканського району": a unit the gazetteer lacks
                # (a raion merged in 2020), found, left unpinned; but a common adjective
                # opening a sentence has its capital from the sentence ("Територіальні громади"),
                # and the second half of a compound is none ("Івано-Франківській області" read
                # whole, and left out inside a body's name, leaves no "Франківській області")
                return Found(i, stop + 1, toks[i].start, toks[stop].end, None, role="pattern",
                             flags=F_ADMIN, admin=True)
        if stop - i > 1 and toks[stop - 1].joined is False and words.is_(stop - 1, lex.connectors):
            continue
        f = _run_at(i, stop, toks, words, names, lex, info, located=located)
        if f is not None:
            return f
    return None


def _compass_name_at(text: str, toks: Sequence[Token], i: int, words: _Words, names: CyrillicNames,
                     lex: Lexicon, info: Callable[[str], int]) -> Found | None:
    """A compass word and the country's or continent's name after it, as one name at the
    country's point ("Західна Україна", "Східної Європи", "Восточной Украине"): the adjective
    alone is no place (a "Northern" province abroad)."""
    j = i + 1
    if (j >= len(toks) or not toks[j].cap or _gap(text, toks, i, j) != " " or toks[j].sentence != toks[i].sentence
            or not words.is_(i, lex.direction_words)):
        return None
    g = _name_at(text, toks, j, words, names, lex, info)
    if g is None or not (g.target is not None or g.flags & F_COUNTRY or (g.key or "") in lex.regions):
        return None
    return Found(i, g.tok1, toks[i].start, g.end, g.key, role=g.role, flags=g.flags, target=g.target,
                 admin=g.admin)


#: Lower-case adjectives that may stand between a facility's place adjective and its noun
#: ("Одеський морський порт", "Авдеевского коксохимического завода").
_FACILITY_GAP = 2


def _facility_adjectives(text: str, toks: Sequence[Token], words: _Words, names: CyrillicNames, lex: Lexicon,
                         info: Callable[[str], int], taken: list[bool], person: list[bool],
                         found: list[Found]) -> None:
    """A relational adjective before a facility word is the town the facility is named after,
    and is where it is ("по Кременчуцькому НПЗ" -> Kremenchuk, "в Одеському морському порту",
    "на Покровському напрямку", "атаковали Саратовский НПЗ"): the adjective is the mention, as
    ner-uk and factRuEval mark such adjectives of places. So only where the text puts something
    at the facility (a preposition of place or a cue before it) or tells of war around it (a
    war's word in its sentence: ``Lexicon.facility_cues``, ``strong_cues``); elsewhere the plant is the
    firm ("власником Одеського НПЗ", "співпрацювали з Одеським НПЗ": ner-uk marks an
    organisation). A facility with a name of its own the gazetteer holds ("Запорізька АЕС")
    stays that name."""
    if not lex.facility_words:
        return
    n = len(toks)
    for i in range(n - 1):
        if taken[i] or person[i] or not toks[i].cap or toks[i].upper or not words.cyrillic(i):
            continue
        j = i + 1
        while (j < n and j - i <= _FACILITY_GAP and not toks[j].cap and _gap(text, toks, j - 1, j) == " "
               and not words.is_(j, lex.facility_words) and words.info(j).adjective):
            j += 1
        if j >= n or _gap(text, toks, j - 1, j) != " " or not words.is_(j, lex.facility_words):
            continue
        whole = _name_at(text, toks, i, words, names, lex, info)
        if whole is not None and whole.tok1 > i + 1:
            continue  # "Запорізька АЕС": the plant's own name
        if _quoted(text, toks[i].start, toks[j].end, words) or _inside_institution(text, toks, i, words, lex) \
                or text[:toks[i].start].rstrip(" ").endswith(tuple(_OPEN_QUOTE)):
            continue  # ПАТ «Одеський НПЗ», «Запорізький автомобілебудівний завод»: a firm's name
        items = _facility_list(text, toks, i, words, taken, person, lex)
        if not (_located(items[0], words, lex) or _war_sentence(toks, j, words, lex)):
            continue
        sector = words.is_(j, lex.sector_words)
        for k in items:
            unit = _region_sector(k, words, lex) if sector else None
            if unit is not None:
                # a sector named after a region ("на Таврійському напрямку"): its unit, no town
                found.append(Found(k, k + 1, toks[k].start, toks[k].end, None, target=unit))
                taken[k] = True
                continue
            key = _facility_place(k, words, names, info)
            if key is not None:   # (one the gazetteer lacks leaves the list going on)
                found.append(Found(k, k + 1, toks[k].start, toks[k].end, key, flags=info(key)))
                taken[k] = True


def _war_sentence(toks: Sequence[Token], j: int, words: _Words, lex: Lexicon) -> bool:
    """Whether the sentence of the facility word at ``j`` tells of war: a locating cue or a
    war's word anywhere in it ("Львівська нафтобаза внаслідок ракетного удару знищена",
    "Кременчугский НПЗ был атакован", "в тылу Бахмутского фронта"), or the facility word is
    itself a front's sector ("Покровський напрямок")."""
    cues = lex.facility_cues
    sentence = toks[j].sentence
    k = j
    while k > 0 and toks[k - 1].sentence == sentence:
        k -= 1
    first = k
    while k < len(toks) and toks[k].sentence == sentence:
        # (a capitalised word is a name, but the sentence's first: "Уничтожены резервуары ...")
        if (not toks[k].cap or k == first) and (words.is_(k, lex.strong_cues) or words.is_(k, cues)):
            return True
        k += 1
    return False


def _region_sector(i: int, words: _Words, lex: Lexicon) -> str | None:
    """The unit of the front sector the adjective at ``i`` names after a region
    (``Lexicon.region_sectors``), or None."""
    lemmas = words.morph.adjective_place_forms(words.toks[i].text, derived=False)
    return next((lex.region_sectors[w] for w in lemmas if w in lex.region_sectors), None)


def _facility_place(i: int, words: _Words, names: CyrillicNames, info: Callable[[str], int]) -> str | None:
    """The key of the town a relational adjective at ``i`` is made from, or None."""
    # The adjective's derivations in the order of the rules, the first a town bears: "Покровському"
    # is Pokrovsk's (not Pokrov's, nor the town Покровське's), "Марьинском" Marinka's (not
    # Moscow's district Maryino)
    # (a name the rules derive from a -ськ-/-цьк- adjective may be any place at home; the
    # adjective itself only a town's: "Хмельницький", not the hamlet "Центральне")
    text = words.toks[i].text
    lemmas = words.morph.adjective_place_forms(text, derived=False)
    derived = words.morph.adjective_place_forms(text)
    tries = [(form, F_HOME_TOWN if form in lemmas else F_HOME) for form in derived]
    tries += [(form, F_HOME_TOWN) for form in words.forms(i)]
    tries += [(other, need) for form, need in list(tries) for other in words.morph.neighbour_forms(form)]
    return next((form for form, need in tries if form in names.keys and info(form) & need), None)


def _facility_list(text: str, toks: Sequence[Token], i: int, words: _Words, taken: list[bool],
                   person: list[bool], lex: Lexicon) -> list[int]:
    """The adjective at ``i`` and those listed before it that share its facility word
    ("Дашавське, Опарське і Більче-Волицько-Угерське ПСГ", "Криворізька та Придніпровська
    ТЕС"), first to last: each names its own town. A compound's parts before its last are
    passed over ("Більче-Волицько-")."""
    items = [i]
    k = i
    while k > 0 and toks[k - 1].cap and _gap(text, toks, k - 1, k) == "-":
        k -= 1
    while k > 0:
        j = k - 1
        if words.is_(j, lex.conjunctions) and not toks[j].cap:
            j -= 1
        elif _gap(text, toks, j, k).strip() != ",":
            break
        if j < 0 or not toks[j].cap or toks[j].upper or taken[j] or person[j] \
                or toks[j].sentence != toks[i].sentence or not words.info(j).adjective:
            break
        items.insert(0, j)
        k = j
    return items


def _shared_unit_words(text: str, toks: Sequence[Token], words: _Words, names: CyrillicNames, lex: Lexicon,
                       info: Callable[[str], int], taken: list[bool], found: list[Found]) -> None:
    """Adjectives of a list that share the admin word of its last ("Сумська та Харківська
    області", "Одеську, Херсонську, Запорізьку області"): each its own unit."""
    for g in list(found):
        if not g.admin or g.key is None or g.tok1 - g.tok0 < 2:
            continue
        admin = [w for w in words.forms(g.tok1 - 1) if w in lex.admin_after]
        k = g.tok0
        while k > 0:
            j = k - 1
            if words.is_(j, lex.place_prepositions) and not toks[j].cap and j > 0 \
                    and words.is_(j - 1, lex.conjunctions) and not toks[j - 1].cap:
                j -= 2    # "Полтавській та в Сумській областях"
            elif words.is_(j, lex.conjunctions) and not toks[j].cap:
                j -= 1
            elif _gap(text, toks, j, k).strip() != ",":
                break
            if j < 0 or not toks[j].cap or toks[j].sentence != toks[g.tok0].sentence:
                break
            # a place the adjective alone matched ("Курской": the town Kurskaya) gives way to the
            # unit the list's shared admin word makes of it
            there = next((f for f in found if f.tok0 <= j < f.tok1), None) if taken[j] else None
            if there is not None and (there.tok1 - there.tok0 > 1 or there.admin or there.target is not None):
                break
            hit = next((h for form in words.name_forms(j) for a in admin
                        if (h := _lookup(f"{form} {a}", names, lex)) is not None), None)
            if hit is None:
                break
            if there is not None:
                found.remove(there)
            f = _found(j, j + 1, toks, hit, info, admin=True)
            found.append(f)
            taken[j] = True
            k = j


#: Words that may stand between a plural admin word and the colon opening its list ("областей
#: України:", "районів Харківщини:").
_LIST_HEAD_GAP = 2
#: What opens a list after its admin word: a colon or a dash.
_LIST_OPENERS = frozenset({":", "–", "—", "-"})


def _units_listed_after(text: str, toks: Sequence[Token], words: _Words, names: CyrillicNames, lex: Lexicon,
                        info: Callable[[str], int], taken: list[bool], found: list[Found]) -> None:
    """Adjectives listed after the admin word they share and a colon or a dash ("обстріляли
    три області: Харківську, Сумську та Дніпропетровську", "у двох районах – Шосткинському і
    Конотопському"): each its own unit, as when the admin word comes last."""
    n = len(toks)
    for j in range(n - 1):
        if toks[j].cap or not words.is_(j, lex.admin_after):
            continue
        admin = [w for w in words.forms(j) if w in lex.admin_after]
        if not admin:
            continue
        k = j + 1
        while k < n and k - j <= _LIST_HEAD_GAP and toks[k].sentence == toks[j].sentence \
                and _gap(text, toks, k - 1, k).strip() == "" and toks[k].cap:
            k += 1   # "областей України"
        if k >= n or _gap(text, toks, k - 1, k).strip() not in _LIST_OPENERS:
            continue
        while k < n and toks[k].cap and not toks[k].upper and toks[k].sentence == toks[j].sentence:
            hit = next((h for form in words.name_forms(k) for a in admin
                        if (h := _lookup(f"{form} {a}", names, lex)) is not None), None)
            if hit is None or not words.info(k).adjective:
                break
            there = next((f for f in found if f.tok0 <= k < f.tok1), None)
            if there is not None and (there.tok1 - there.tok0 > 1 or there.admin or there.target is not None):
                break
            if there is not None:
                found.remove(there)
            found.append(_found(k, k + 1, toks, hit, info, admin=True))
            taken[k] = True
            k += 1
            if k < n and _gap(text, toks, k - 1, k).strip() == "," and toks[k].cap:
                continue
            if k + 1 < n and words.is_(k, lex.conjunctions) and not toks[k].cap \
                    and _gap(text, toks, k - 1, k).strip() in ("", ",") and _gap(text, toks, k, k + 1).strip() == "":
                k += 1
                continue
            break


def _combinations(spans: Sequence[Sequence[str]]) -> Iterable[tuple[str, ...]]:
    return itertools.islice(itertools.product(*spans), _MAX_COMBINATIONS)


def _lookup(key: str, names: CyrillicNames, lex: Lexicon) -> tuple[str, str] | None:
    """What a candidate key is: ("alias", code), ("region", key), ("feature", key) or ("name", key)."""
    code = lex.aliases.get(key)
    if code is not None:
        return "alias", code
    if key in lex.regions:
        return "region", key
    if key in lex.features:
        return "feature", key
    if key in names.keys:
        return "name", key
    return None


_ACRONYM_KEYS: dict[str, frozenset[str]] = {}


def _acronym_keys(lex: Lexicon) -> frozenset[str]:
    """The Cyrillic keys of the language's country acronyms ("РФ", "США", "ПАР")."""
    got = _ACRONYM_KEYS.get(lex.lang)
    if got is None:
        got = _ACRONYM_KEYS[lex.lang] = frozenset(cyrillic_key(a) for a in lex.country_acronyms)
    return got


#: What a reading names, most first: where a word's forms meet several names, the one a
#: country, a unit or a town at home bears ("Курском": Kursk, not the hamlet Kursky), then a
#: large city abroad, then any place at home ("Косові": Kosiv, not Kos in Greece).
_WEIGHTS = (F_COUNTRY, F_UNIT, F_HOME_TOWN, F_STRONG, F_HOME, F_TOWN, F_ADMIN)


def _weight(hit: tuple[str, str], info: Callable[[str], int]) -> tuple[int, ...]:
    """How much a reading names (see :data:`_WEIGHTS`); the language's own names first."""
    kind, what = hit
    if kind != "name":
        return (2 if kind != "feature" else 1,)
    flags = info(what)
    return (0, *(bool(flags & bit) for bit in _WEIGHTS))


#: What a name met only in the neighbour language's spelling must be to stand where nothing
#: locates at it: a well-known place (a country, a unit, a town at home, a large city:
#: "Пенсильванії", "Кемерове").
_NEIGHBOUR_ALONE = _WELL_KNOWN


def _run_at(i: int, stop: int, toks: Sequence[Token], words: _Words, names: CyrillicNames,
            lex: Lexicon, info: Callable[[str], int], *, located: bool = False) -> Found | None:
    if stop - i > 1:
        forms = [words.name_forms(k) for k in range(i, stop)]
        if not any(f in names.firsts or f in lex.first_keys for f in forms[0]):
            return None
    elif located:
        # a preposition of place asks for a place: the rules may read a word the dictionary
        # knows otherwise ("у Ірпіні": the dictionary's "ірпіна" is no place; Ірпінь is)
        forms = [words.name_forms(i)]
    else:
        forms = [words.forms(i)]
    hits = [h for combo in _combinations(forms) if (h := _lookup(" ".join(combo), names, lex)) is not None]
    if stop - i == 1 and not toks[i].upper:
        # a country's acronym is one in capitals only: "Пари" (pairs) is no form of "ПАР"
        acronyms = _acronym_keys(lex)
        hits = [h for h in hits if not (h[0] == "alias" and any(f in acronyms and lex.aliases.get(f) == h[1]
                                                               for f in forms[0]))]
    hit = max(hits, key=lambda h: _weight(h, info), default=None)
    if located and stop - i == 1 and hit is not None and words.is_(i - 1, lex.place_prepositions):
        hit = _inflected_reading(hit, hits, forms[0][0], info)
    if hit is None and stop - i == 1:
        # the neighbour language's spelling: "Плехове" for Плехово, "Работино" for Роботине
        for form in forms[0]:
            for other in words.morph.neighbour_forms(form):
                hit = _lookup(other, names, lex)
                if hit is not None:
                    break
            if hit is not None:
                break
        if hit is not None and not located and not (hit[0] != "name" or info(hit[1]) & _NEIGHBOUR_ALONE):
            # a word this language's names lack, read as a name in the neighbour's spelling, is
            # a place where the text locates it ("у Солікамську", "біля Плехового"); alone it is
            # as likely a surname or a word ("Черняєва", "Реві": Rewa in India)
            hit = None
    elif hit is not None and hit[0] == "name" and stop - i == 1 and words.morph.neighbour_country:
        # ... and where this spelling names places too: "Вербовом" is a hamlet Вербовый in Russia
        # and a village Вербове in Ukraine; both are read, and the text's places decide
        others = [o for form in forms[0] for o in words.morph.neighbour_forms(form)
                  if o in names.keys and o != hit[1]]
        others = list(dict.fromkeys(others))
        if others:
            hit = ("name", NEIGHBOUR_SEP.join((hit[1], *others)))
    region = stop - i == 1 and bool(words.morph.region_suffixes)
    if region and (hit is None or hit[0] == "name" and hit[1].endswith(words.morph.region_suffixes)
                   and not info(hit[1]) & (F_UNIT | F_ADMIN)):
        # "Дніпропетровщина", "Старобільщина", "Брянщина": a region's name made from its centre's
        # is the oblast or the raion of that name, where the gazetteer holds no such form (or
        # only a hamlet's: Курщина is one in Smolensk oblast)
        unit = next((h for form in forms[0] for u in words.morph.region_unit_forms(form)
                     if (h := _lookup(u, names, lex)) is not None), None)
        if unit is not None:
            return _found(i, stop, toks, unit, info, admin=True)
    if hit is None:
        return None
    # "на Харківщині": a name in a region's ending is the region, not a village of that name
    admin = hit[0] == "name" and bool(words.morph.region_suffixes) and hit[1].endswith(words.morph.region_suffixes) \
        and _region_made_of_unit(hit[1], words, names, lex, info)
    return _found(i, stop, toks, hit, info, admin=admin)


def _inflected_reading(hit: tuple[str, str], hits: Sequence[tuple[str, str]], spelt: str,
                       info: Callable[[str], int]) -> tuple[str, str]:
    """Of a word after a preposition, which is inflected there: of readings as weighty as ``hit``,
    one other than the nominative its form spells (``spelt``): "у Гаврилівці" is in Гаврилівка,
    not the village Гаврилівці. (After "село" the name is a nominative: "в с. Ісаківці".)"""
    if hit[1] != spelt:
        return hit
    return next((h for h in hits if h[1] != spelt and _weight(h, info) == _weight(hit, info)), hit)


def _region_made_of_unit(key: str, words: _Words, names: CyrillicNames, lex: Lexicon,
                         info: Callable[[str], int]) -> bool:
    """Whether a name in a region's ending is a region's: the gazetteer holds it as a unit, or
    it is made from the name of an oblast or a raion ("харківщина": Харківська область). A word
    in that ending made from no unit's name is a common noun the gazetteer's hamlets share
    ("Батьківщина": the homeland, "чужина"), not a region."""
    if info(key) & (F_UNIT | F_ADMIN):
        return True
    return any(_lookup(u, names, lex) is not None for u in words.morph.region_unit_forms(key))


def _unit_at(i: int, stop: int, toks: Sequence[Token], words: _Words, names: CyrillicNames,
             lex: Lexicon, info: Callable[[str], int]) -> Found | None:
    """Adjectives ``[i, stop)`` and the admin word at ``stop``, as one unit's name in the
    nominative: "Сумській області" -> "сумська область"."""
    admin = [w for w in words.forms(stop) if w in lex.admin_after]
    if not admin:
        return None
    forms = [words.name_forms(k) for k in range(i, stop)]
    tries = [" ".join((*combo, a)) for combo in _combinations(forms) for a in admin]
    hit = None
    for key in tries:
        hit = _lookup(key, names, lex)
        if hit is not None:
            break
    if hit is None:
        for key in tries:
            for other in words.morph.neighbour_forms(key):
                hit = _lookup(other, names, lex)
                if hit is not None:
                    break
            if hit is not None:
                break
    if hit is None:
        return None
    if hit[0] == "name" and not info(hit[1]) & (F_ADMIN | F_UNIT):
        # "у Деснянському районі" (a city's district): held only as some settlement's other
        # name, which it is not; a unit found, left unpinned
        return Found(i, stop + 1, toks[i].start, toks[stop].end, None, role="pattern", flags=F_ADMIN, admin=True)
    return _found(i, stop + 1, toks, hit, info, admin=True)


def _found(i: int, stop: int, toks: Sequence[Token], hit: tuple[str, str],
           info: Callable[[str], int], *, admin: bool) -> Found:
    kind, what = hit
    start, end = toks[i].start, toks[stop - 1].end
    if kind == "alias":
        flags = F_STRONG | F_ADMIN | (F_COUNTRY if "-" not in what and ":" not in what else F_UNIT)
        return Found(i, stop, start, end, None, target=what, flags=flags, admin=admin or "-" in what)
    if kind == "region":
        # no one unit: found, left unresolved; its units are context (resolution reads regions)
        return Found(i, stop, start, end, what, role="pattern", flags=F_ADMIN)
    if kind == "feature":
        return Found(i, stop, start, end, None, role="pattern", flags=F_ADMIN)
    return Found(i, stop, start, end, what, flags=info(what), admin=admin)


#: What a name after a capitalised adjective must not be for the two to be read as another name.
_NOT_SMALL = F_HOME_TOWN | F_STRONG | F_COUNTRY | F_UNIT | F_CAPITAL


def _with_adjective(text: str, toks: Sequence[Token], f: Found, words: _Words, taken: list[bool],
                    person: list[bool], found: list[Found]) -> Found:
    """A capitalised adjective agreeing with a hamlet's name right after it makes one name the
    gazetteer lacks, not that hamlet ("Високого Замку", "на Медовій Печері", "Золотий Тік", "у
    Радянському Союзі"): found, left unpinned. A name the gazetteer holds whole ("Нової Каховки")
    never gets here."""
    a = f.tok0 - 1
    if (a < 0 or f.role != "name" or f.target is not None or f.admin or f.flags & _NOT_SMALL
            or person[a] or not toks[a].cap or toks[a].upper
            or _gap(text, toks, a, f.tok0) != " " or toks[a].sentence != toks[f.tok0].sentence):
        return f
    # the adjective may have been read alone as a place's name ("Високого": the town Vysokyi)
    before = next((g for g in found if g.tok0 <= a < g.tok1), None)
    if before is not None and not (before.tok0 == a and before.tok1 == f.tok0 and before.role == "name"
                                   and before.target is None and not before.admin):
        return f
    if before is None and taken[a]:
        return f
    wa = words.info(a)
    if not wa.adjective or wa.function or wa.some_function or not words.agrees(a, f.tok0):
        return f
    if before is not None:
        found.remove(before)
    return Found(a, f.tok1, toks[a].start, f.end, None, role="pattern")


def _keep(text: str, toks: Sequence[Token], f: Found, words: _Words, lex: Lexicon, person: list[bool],
          found: Sequence[Found]) -> bool:
    """Whether a match is a place: not an acronym that is no country's, a function word, a month,
    a person, an adjective of something else's name, or a place inside an institution's or a
    quoted name."""
    first = toks[f.tok0]
    single = f.tok1 - f.tok0 == 1
    located = _located(f.tok0, words, lex, found) or _unit_follows(text, toks, f.tok1, words, lex)
    if single and first.upper and len(first.text) <= _ACRONYM_LEN and f.target is None:
        return False  # "ГУР", "МКС": an acronym in prose is no place unless a country's
    if single and not first.upper:
        wi = words.info(f.tok0)
        if wi.function or cyrillic_key(first.text) in lex.function_words:
            return False  # "Він", "Так", "Как", "Після", "Того" (not Togo)
        if first.initial and (wi.some_function or _common_word(wi)) and not f.flags & (F_COUNTRY | F_UNIT) \
                and not _capitalised_elsewhere(f, toks, words):
            return False  # "Мені", "Часом", "Эшелон" opening a sentence: a word, not Mena or Echelon
        if _sentence_start(text, toks, f.tok0) and not located and _plain_noun(wi) \
                and not f.flags & _WELL_KNOWN and not _capitalised_elsewhere(f, toks, words):
            return False  # "Глід має", "Крук не відставав": a common noun, capitalised as the sentence opens
        if wi.adjective and not f.admin and _modifies_next(text, toks, f.tok0, words, lex, located=located):
            return False  # "Київській гімназії", "у Львівському університеті", "Луганське ОТВ"
        if words.is_(f.tok0, lex.months_days):
            return False
        if words.is_(f.tok0, lex.org_words) and not located and not f.flags & _NAMED_BIG:
            return False  # "Збройних Сил", "Служби": the head of an institution's name, not a hamlet
        named = f.target is None and not f.admin and f.role == "name" and not f.flags & (F_COUNTRY | F_UNIT | F_ADMIN)
        small = named and not f.flags & _NAMED_BIG
        if named and not located and _named_like_person(f, toks, words, lex, small=small):
            return False
        if named and not located and (wi.first_name or wi.surname) \
                and (not f.flags & _WELL_KNOWN or wi.name_dative):
            # "Сокола притягнуто": a person's name; "Романові не йшла з голови": a first name
            # in the dative with no preposition is a person's even where a city's other name
            # is among its forms (Романов: Murmansk; a country or a unit is never "named")
            return False
        if f.role == "name" and f.target is None and not f.admin \
                and not _ask_support(f, toks, words, wi, located=located):
            return False
    if any(person[f.tok0:f.tok1]):
        return False
    if _quoted(text, f.start, f.end, words):
        return False  # «Київ-Арт», «Майкрософт Україна»: a firm's, a newspaper's or a team's name
    if _quoted_alone(text, toks, f, words, lex):
        return False  # партія «Батьківщина», підприємство «Україна», фільм «Троя»
    if _quoted_title(text, toks, f.tok0, f.tok1, words):
        return False  # «Дирекція будівництва об'єктів у Львові», «Реконструкція площі м. Києва»
    if _inside_institution(text, toks, f.tok0, words, lex):
        return False
    return True


def _ask_support(f: Found, toks: Sequence[Token], words: _Words, wi: WordInfo, *, located: bool) -> bool:
    """Mark a one-word name that needs the article's support (``Found.weak``; ``Found.local``:
    a place of the article near it). What the name most likely is decides:

    - a town or a unit of the countries the reports are about (:data:`F_HOME_TOWN`): a place,
      unless it opens a sentence and the dictionary reads it as a person's name or a being's
      ("Володимир і Дмитро ...", "Українці покладали ...");
    - a large city abroad: a place where the text locates it ("у Празі") or where the
      dictionary reads it as no word and no person's name; otherwise it needs its country, or a
      place near it, in the article ("Час" opening a sentence is not Chas in India);
    - a hamlet at home (whatever towns abroad share its name): needs a place near it unless
      located (the dictionary may read it as a word: "Добре", "Разом", "Аеродром"; or as a
      person's name, even after a preposition: "до Марини");
    - a town, a unit or a hamlet abroad only: a place where the text locates it and the
      dictionary reads it as no person's name; otherwise it needs its country in the article
      ("Дори", "Юра", "Мета": a first name, a word, not Dori in Burkina Faso).
    """
    flags = f.flags
    if not located and _sentence_start(words.text, toks, f.tok0) and not flags & (F_COUNTRY | F_UNIT) \
            and words.lower_elsewhere(f.tok0):
        return False  # "Доля ... долі", "Час ... часу": the text writes the word in lower case
    # (a word in capitals longer than an acronym is shouted: "РЕСТАВРАЦІЯ КУЛЬТУРИ")
    shouted = toks[f.tok0].upper and len(toks[f.tok0].text) > _ACRONYM_LEN
    opens = (not located and (_sentence_start(words.text, toks, f.tok0) or shouted)
             and not _capitalised_elsewhere(f, toks, words))
    personal = _personal(wi)
    if flags & F_HOME_TOWN:
        if opens and personal and not flags & F_STRONG:
            f.weak = f.local = True
    elif flags & (F_STRONG | F_CAPITAL):
        if (not located and (personal or (opens and wi.known))) or (located and wi.first_name):
            f.weak = True  # ("до Мані", "до Сані": a woman, not Man in Côte d'Ivoire or Sanaa)
    elif flags & F_HOME:
        if not located and wi.geo < _PERSON_SHARE:
            # (the Russian dictionary's Geox reading is a place's name: "Суджа осталась")
            if wi.first_name or (opens and wi.known and wi.thing):
                # "Надія прийшла", "Доля приватних господарств": one of the many hamlets of that
                # name lies near any place of the article; the word is a woman, a word
                return False
            f.weak = f.local = True
        elif located and wi.first_name and wi.geo < _PERSON_SHARE and not wi.weighted:
            f.weak = f.local = True
    elif not (located and flags & (F_UNIT | F_TOWN) and not personal):
        f.weak = True
    return True


#: What before a word makes it open a sentence (a bracket or a colon does not: "(Віргінські
#: острови)"; nor an abbreviation's dot, read by the caller as the cue it is: "в м. Харкові").
_SENTENCE_END = frozenset(".!?…\n")


def _sentence_start(text: str, toks: Sequence[Token], i: int) -> bool:
    """Whether token ``i`` opens a sentence or a line: its capital proves nothing."""
    if i == 0:
        return True
    return toks[i].initial and any(ch in _SENTENCE_END for ch in _gap(text, toks, i - 1, i))


def _unit_follows(text: str, toks: Sequence[Token], j: int, words: _Words, lex: Lexicon) -> bool:
    """Whether a unit's name follows at token ``j`` ("Стримба Івано-Франківської області",
    "Плехово Курской области"): it says where the name before it is."""
    n = len(toks)
    if j >= n or not toks[j].cap or _gap(text, toks, j - 1, j) not in (" ", ", "):
        return False
    k = j + 1
    while k < n and k - j < 3 and toks[k].cap and _gap(text, toks, k - 1, k) in (" ", "-"):
        k += 1
    return k < n and _gap(text, toks, k - 1, k) == " " and words.is_(k, lex.admin_after)


def _personal(wi: WordInfo) -> bool:
    """Whether the dictionary reads a word as a person's or a being's: a first name, a surname,
    mostly a name's readings, or only animate nouns ("Бога", "Українці"; no town's reading)."""
    if wi.first_name or wi.surname or wi.person >= _PERSON_SHARE:
        return True
    return wi.known and not wi.thing and not wi.adjective and not wi.function


def _located(i: int, words: _Words, lex: Lexicon, found: Sequence[Found] = ()) -> bool:
    """Whether the word before token ``i`` locates at it: a preposition of place ("у", "під",
    "біля") governing a case it locates in ("з Києва", not "з Марією"; "у Львові", not "у
    Романа"), a settlement word ("село", "с."), a cue ("поблизу", "звільнили", "обстріл"), a
    facility ("аеродром Бельбек"); or, in a list of places, the one before it was so located
    ("у Києві та Львові", "в Курске, Брянске")."""
    if i <= 0:
        return False
    if words.is_(i - 1, lex.place_prepositions):
        cases = lex.locating_cases.get(words.key(i - 1))
        if cases is None or words.has_case(i, cases):
            return True
    elif (words.is_(i - 1, lex.settlement_cues) or words.is_(i - 1, lex.strong_cues)
            or words.is_(i - 1, lex.facility_words)):
        return True
    prev = found[-1] if found else None
    if prev is None or prev.role == "demonym" or i - prev.tok1 > 1:
        return False
    if i - prev.tok1 == 1 and not words.is_(i - 1, lex.conjunctions):
        return False
    toks = words.toks
    between = words.text[toks[prev.tok1 - 1].end:toks[i].start]
    return (toks[prev.tok1 - 1].sentence == toks[i].sentence
            and {ch for ch in between if not ch.isalpha()} <= {",", " "}
            and _located(prev.tok0, words, lex, found[:-1]))


_OPEN_QUOTE = "«„"
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
#: A quoted name (a firm's, an outlet's) is this long at most; a longer quote is speech.
_QUOTED_NAME = 40
_CLOSE_QUOTE = "»“"
#: A quoted name with a dot inside is this many words at most («Наші гроші. Львів»).
_DOTTED_NAME_WORDS = 3


def _quoted(text: str, start: int, end: int, words: _Words) -> bool:
    """Whether ``[start, end)`` lies inside «...» (or „...“) on its line with other words: the
    quoted name of a firm, an outlet, a team, a work ("«Майкрософт Україна»"). A place quoted
    alone («ДНР», as Ukrainian reports write a so-called republic) stays a place, and so do the
    places of a short quote holding a finite verb: speech ("«Ми обстріляли Херсон»")."""
    line_start = text.rfind("\n", 0, start) + 1
    if not any(q in text[line_start:start] for q in _OPEN_QUOTE) and line_start:
        # a short name may wrap a line («Наші гроші.\nЛьвів»): its opening quote on the line before
        line_start = max(text.rfind("\n", 0, line_start - 1) + 1, start - _QUOTED_NAME)
    before = text[line_start:start]
    opened = max(before.rfind(q) for q in _OPEN_QUOTE)
    if opened < 0 or max(before.rfind(q) for q in _CLOSE_QUOTE) > opened:
        return False
    close = min((c for q in _CLOSE_QUOTE if (c := text.find(q, end, end + _QUOTED_NAME)) >= 0), default=-1)
    if close < 0 or "\n" in text[end:close]:
        return False
    whole = before[opened + 1:] + text[start:close]
    others = before[opened + 1:] + text[end:close]
    # a name is short and no sentence; a longer quote is speech ("«Россия готова...»"), but an
    # outlet's name of a few words may hold a dot («Наші гроші. Львів»)
    stops = not any(ch in ".!?:;" for ch in whole) or (len(whole.split()) <= _DOTTED_NAME_WORDS
                                                     and not any(ch in "!?:;" for ch in whole))
    if not (len(whole) <= _QUOTED_NAME and stops and any(ch.isalnum() for ch in others)):
        return False
    return not any(words.morph.info(w).verb for w in _WORD.findall(whole))


def _quoted_alone(text: str, toks: Sequence[Token], f: Found, words: _Words, lex: Lexicon) -> bool:
    """Whether ``f`` is a name quoted alone that names an organisation, a product or a work
    («Батьківщина», «Україна», «Троя»): news quotes such names, never a place's, but for a
    so-called republic («ДНР», «ЛНР») and the place a facility before the quote is named after
    (аеропорт «Бориспіль», аеродром «Саки»)."""
    before = text[:f.start].rstrip(" ")
    after = text[f.end:].lstrip(" ")
    if not (before.endswith(("«", "„", '"')) and after.startswith(("»", "“", '"'))):
        return False
    if (f.target is not None and "-" in f.target) or (f.key or "") in lex.regions:
        return False
    k = f.tok0 - 1
    place = f.flags & (F_TOWN | F_STRONG | F_HOME)
    return not (place and k >= 0 and words.is_(k, lex.facility_words))


#: A quoted title (of a body, a project, a programme) is this long at most.
_QUOTED_TITLE = 160


def _quoted_title(text: str, toks: Sequence[Token], tok0: int, tok1: int, words: _Words) -> bool:
    """Whether tokens ``[tok0, tok1)`` stand inside a quoted title: a quotation on one line that opens with a
    capitalised noun or adjective before them and holds no clause (no finite verb, no
    sentence's end): the name of a body, a project or a programme («Дирекція з будівництва
    об'єктів у Львові», «Реконструкція транспортної розв'язки на Поштовій площі м. Києва»).
    Ukrainian and Russian quote such names, and never a place's; what is quoted and says
    something ("«Ми обстріляли Херсон»", "«може вплинути на обороноздатність України»") is
    speech, and its places are places."""
    start, end = toks[tok0].start, toks[tok1 - 1].end
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    opened = max(before.rfind(q) for q in _OPEN_QUOTE)
    if opened < 0 or max(before.rfind(q) for q in _CLOSE_QUOTE) > opened:
        return False
    opened += line_start
    close = min((c for q in _CLOSE_QUOTE if (c := text.find(q, end, opened + _QUOTED_TITLE)) >= 0), default=-1)
    if close < 0 or "\n" in text[end:close]:
        return False
    inside = [k for k in range(max(0, tok0 - 40), min(len(toks), tok1 + 40))
              if opened < toks[k].start and toks[k].end <= close]
    if not inside or inside[0] >= tok0 or not toks[inside[0]].cap or not words.cyrillic(inside[0]):
        return False
    head = words.info(inside[0])
    if not head.known or head.function or head.some_function or head.person >= _PERSON_SHARE:
        return False
    if any(ch in "!?;:" for ch in text[opened:close]) or ". " in text[opened:close].replace("м. ", ""):
        return False
    return not any(words.info(k).verb for k in inside)


def _common_word(wi: WordInfo) -> bool:
    """A word the dictionary knows and reads as no name at all, where the dictionary tags names
    (Russian's tags places Geox, people Name/Surn/Patr): "Эшелон", not "Шебекино"."""
    return wi.weighted and wi.known and wi.geo == 0 and wi.person == 0


def _plain_noun(wi: WordInfo) -> bool:
    """A word the dictionary knows as a noun and as no name, adjective or function word: its
    capital at a sentence's start is the sentence's (the Ukrainian dictionary does not weigh its
    readings, so :func:`_common_word` cannot tell)."""
    return (wi.known and not wi.adjective and not wi.function and not wi.some_function
            and wi.person == 0 and not wi.first_name and not wi.surname and wi.geo == 0)


def _capitalised_elsewhere(f: Found, toks: Sequence[Token], words: _Words) -> bool:
    """Whether the word of ``f`` stands capitalised mid-sentence elsewhere in the text."""
    return toks[f.tok0].key in words.capitalised_mid_sentence()


def _modifies_next(text: str, toks: Sequence[Token], i: int, words: _Words, lex: Lexicon, *,
                   located: bool = False) -> bool:
    """Whether token ``i``, read as an adjective, qualifies the noun after it: a lower-case
    word ("Київській гімназії"; after a preposition only where the two agree in case, number and
    gender: "у Львівському університеті", not "у Курахове вибухи"), or an institution's acronym
    ("Луганське ОТВ", "Генічеська РДА"). Admin and facility words make the adjective a unit's or
    a facility's place, read elsewhere."""
    j = i + 1
    if j >= len(toks) or _gap(text, toks, i, j) != " " or toks[j].sentence != toks[i].sentence:
        return False
    if words.is_(j, lex.admin_after) or words.is_(j, lex.facility_words) or words.is_(j, lex.feature_words):
        return False
    if toks[j].upper:
        key = words.key(j)
        return (len(toks[j].text) >= 2 and toks[j].text not in lex.country_acronyms
                and key not in lex.aliases)
    if toks[j].cap:
        return False
    nxt = words.info(j)
    if i > 0 and words.is_(i - 1, lex.settlement_cues) and words.info(i).thing:
        return False  # "у м. Краматорську тролейбусну мережу": a settlement word names the town
    if nxt.function or words.is_(j, lex.conjunctions):
        return False  # "у Рибальче і Херсоні": a conjunction is no noun, whatever case it may take
    if located:
        # (a noun's reading agreeing is enough: "на Новий рік", though "рік" is a verb's form too;
        # lower-case adjectives may stand between: "на базі Львівського політехнічного інституту")
        k = j
        while (k + 1 < len(toks) and k - j < _FACILITY_GAP and not words.agrees(i, k) and words.agrees(k, k + 1)
               and not toks[k + 1].cap and _gap(text, toks, k, k + 1) == " " and toks[k + 1].sentence == toks[j].sentence
               and not words.is_(k + 1, lex.admin_after) and not words.is_(k + 1, lex.facility_words)
               and not words.is_(k + 1, lex.feature_words)):
            k += 1
        return nxt.known and words.agrees(i, k) and (k == j or words.agrees(j, k))
    return nxt.known and not nxt.some_function


def _named_like_person(f: Found, toks: Sequence[Token], words: _Words, lex: Lexicon, *, small: bool) -> bool:
    """A name that is a person's rather than a place's, with nothing before it that locates at
    it ("в Гладкове", "село Гладков", "во Владимире"): one the analyser reads mostly as a person's
    ("Владимир", "Анна", "Марк": the town gives way only where the analyser's weights say so);
    and a hamlet's name ("Гладков", "Лавров") a verb of speaking follows ("Гладков заявил"), that
    the analyser reads as a person's at all, or that has a surname's shape."""
    i = f.tok0
    if small and i + 1 < len(toks) and words.is_(i + 1, lex.said):
        return True
    if _located(i, words, lex):
        return False
    wi = words.info(i)
    # (a city gives way only to the weights of an analyser that has them: the Ukrainian
    # dictionary lists "Львова" as a surname's form as often as Lviv's)
    # (a town at home keeps its name where the dictionary knows it as a place too: "Феодосії";
    # "Анна" alone is a woman, the dictionary having no town of that name)
    if wi.person >= _PERSON_SHARE and wi.person > wi.geo and (
            wi.weighted or not f.flags & (F_STRONG | F_CAPITAL) and not (f.flags & F_HOME_TOWN and wi.thing)):
        return True
    if not small or wi.geo:
        return False
    if wi.person > 0:
        return True
    key = cyrillic_key(toks[i].text)
    return bool(lex.surname_endings) and len(key) >= 5 and key.endswith(lex.surname_endings)


def _inside_institution(text: str, toks: Sequence[Token], i: int, words: _Words, lex: Lexicon) -> bool:
    """A place that is part of an institution's name, not a place of the text: in the genitive
    after an organisation word, within five words ("Збройних Сил України", "Міністерства доходів
    і зборів України", "Закону України", "Днем Києва", "Господарського суду м. Києва"; an
    institution's acronym is one: "МНС України", "НАН України"); or the unit a regional
    branch is named for ("Управління МНС України в Житомирській області", "ГУ ДФС у м. Києві"):
    its jurisdiction, not where something happened."""
    k = i - 1
    for _ in range(_ORG_LOOKBACK):
        if k < 0:
            return False
        gap = _gap(text, toks, k, k + 1)
        # (a quote may open the name: "фірма «Київ»", "ООО «Донбасс»"; an abbreviated
        # settlement word stand before the city: "суду м. Києва")
        abbreviated = gap in (". ", ".") and words.is_(k, lex.settlement_cues)
        if gap not in (" ", " «", " „", " \"") and not abbreviated:
            return False
        if toks[k].sentence != toks[k + 1].sentence and not abbreviated:
            return False  # (the tokeniser ends a sentence at "м.")
        if words.is_(k, lex.org_words):
            return True
        if words.is_(k, lex.conjunctions) and not toks[k].cap:
            k -= 1
            continue  # "Міністерство доходів і зборів України"
        if toks[k].cap and any(form in lex.aliases for form in words.forms(k)):
            return False  # "міністерствами культури Грузії й Польщі": a list of countries
        if words.is_(k, lex.place_prepositions) or words.info(k).function or words.key(k) in lex.function_words:
            return _branch_of(text, toks, k, i, words, lex)
        k -= 1
    return False


def _branch_of(text: str, toks: Sequence[Token], k: int, i: int, words: _Words, lex: Lexicon) -> bool:
    """Whether the preposition at ``k`` ("у", "в") joins the unit at ``i`` to the name of a
    state body's regional branch before it, named with a capital or an acronym: "Головного
    управління юстиції у Хмельницькій області", "Служби автомобільних доріг у Київській
    області", "ДПІ у Деснянському районі" (``branch_words``)."""
    if not lex.branch_words or words.key(k) not in lex.branch_prepositions:
        return False
    between = [t for t in range(k + 1, i)]
    if any(not words.is_(t, lex.settlement_cues) for t in between):
        return False  # "у м. Києві", "у місті Києві": a settlement word may stand between
    j = k - 1
    for _ in range(_BRANCH_LOOKBACK):
        if j < 0 or toks[j].sentence != toks[j + 1].sentence or _gap(text, toks, j, j + 1) != " ":
            return False
        if words.is_(j, lex.branch_words):
            return toks[j].cap or toks[j].upper or _capitalised_adjectives_before(text, toks, j, words)
        if words.info(j).function or words.key(j) in lex.function_words or words.info(j).some_function \
                and not toks[j].cap:
            return False
        j -= 1
    return False


def _capitalised_adjectives_before(text: str, toks: Sequence[Token], j: int, words: _Words) -> bool:
    """Whether the noun at ``j`` has adjectives before it, the first of them capitalised: a
    body's name capitalises its first word ("Державної пенітенціарної служби", "Головного
    територіального управління")."""
    k = j - 1
    while k >= 0 and _gap(text, toks, k, k + 1) == " " and toks[k].sentence == toks[j].sentence:
        wi = words.info(k)
        if not wi.adjective or wi.function or wi.some_function:
            return False
        if toks[k].cap:
            return not _sentence_start(text, toks, k)
        k -= 1
    return False


def _features(text: str, toks: Sequence[Token], words: _Words, lex: Lexicon, taken: list[bool],
              person: list[bool], found: list[Found]) -> None:
    """Rivers, seas, streets and squares the gazetteer of places lacks ("річки Дніпро", "вулиці
    Хрещатик", "Чорне море"): found, left unresolved; a settlement matched inside is the feature's
    name ("Дніпро" the river), so the feature replaces it."""
    n = len(toks)
    by_tok = {k: f for f in found for k in range(f.tok0, f.tok1)}
    for i in range(n - 1):
        if toks[i].cap and i + 1 < n and not toks[i + 1].cap \
                and words.is_(i + 1, lex.feature_words) and (i not in by_tok or words.info(i).adjective) \
                and _gap(text, toks, i, i + 1) == " " and not person[i] and _names_feature(text, i, words) \
                and not _quoted(text, toks[i].start, toks[i + 1].end, words):
            # "Чорне море", "біля Гостинного двору" (not Hostinné: the adjective is the feature's)
            _add_pattern(found, toks, i, i + 2, taken, by_tok)
            continue
        if toks[i].cap or not words.is_(i, lex.feature_first) or not _joins(text, toks, i):
            continue
        k = i + 1
        while k < n and toks[k].cap and not person[k] and k - i <= 3 and (k == i + 1 or _gap(text, toks, k - 1, k) == " "):
            k += 1
        if k > i + 1 and not _of_a_town(i, by_tok.get(i + 1), words):
            _add_pattern(found, toks, i, k, taken, by_tok)
            _listed_features(text, toks, words, lex, taken, person, found, k, by_tok)


#: Words of one listed feature's name at most ("Героїв Сталінграда", "Богдана Хмельницького").
_LISTED_WORDS = 3


def _listed_features(text: str, toks: Sequence[Token], words: _Words, lex: Lexicon, taken: list[bool],
                     person: list[bool], found: list[Found], k: int, by_tok: dict[int, Found]) -> None:
    """Names listed after a feature word's first name are features of the same kind ("вулиць:
    Садова, Героїв Праці, Миру", "вул. Горького і Соборна", "річок Десни та Сейму"), each found
    and left unpinned; the list ends at a place the gazetteer knows well (a town, a unit, a
    country: "вул. Садова, Київ"), at a person, or at anything but a comma or a conjunction."""
    n = len(toks)
    while k < n:
        gap = _gap(text, toks, k - 1, k)
        if gap == " " and words.is_(k, lex.conjunctions) and not toks[k].cap and k + 1 < n \
                and _gap(text, toks, k, k + 1) == " ":
            k += 1
        elif gap != ", ":
            return
        a = k
        while k < n and k - a < _LISTED_WORDS and toks[k].cap and not toks[k].upper and words.cyrillic(k) \
                and not person[k] and (k == a or _gap(text, toks, k - 1, k) == " "):
            g = by_tok.get(k)
            if g is not None and g.flags & (F_HOME_TOWN | F_STRONG | F_COUNTRY | F_UNIT):
                return
            k += 1
        if k == a:
            return
        _add_pattern(found, toks, a, k, taken, by_tok)


def _of_a_town(i: int, g: Found | None, words: _Words) -> bool:
    """Whether the town after the feature word at ``i`` is the feature's town in the genitive,
    not the feature's own name in apposition: "на вулицях Донецька" (of Donetsk), but "вулиця
    Хрещатик", "річки Дніпра" (the river Dnipro: both words in one case)."""
    if g is None or g.tok0 != i + 1 or not g.flags & (F_HOME_TOWN | F_STRONG | F_COUNTRY | F_UNIT):
        return False
    feature, town = words.toks[i].text, words.toks[g.tok0].text
    return words.has_case(g.tok0, _GENITIVE) and not words.morph.same_case(feature, town)


_GENITIVE = frozenset({"gent", "gen2"})
_NOMINATIVE = frozenset({"nomn"})


#: An abbreviated cue is this long at most ("вул.", "просп.", "с.", "смт"): a dot after a longer
#: word ends a sentence ("станции. Должна").
_ABBREVIATION = 5


def _names_feature(text: str, i: int, words: _Words) -> bool:
    """Whether token ``i`` may be a feature's own name before its feature word: an adjective
    ("Чорне море", "Поштова площа") or a word the dictionary does not know, not a pronoun, nor a
    noun or a common adjective opening a sentence ("Той шлях", "Представники аеропорту",
    "Загальна площа приміщень")."""
    wi = words.info(i)
    if wi.function or wi.some_function or not (wi.adjective or not wi.known):
        return False
    return not (_sentence_start(text, words.toks, i) and wi.known)


def _joins(text: str, toks: Sequence[Token], i: int) -> bool:
    """Whether token ``i`` (a cue) is joined to the next one: a space, or an abbreviation's dot."""
    if i + 1 >= len(toks):
        return False
    gap = _gap(text, toks, i, i + 1)
    return gap == " " or (gap in (". ", ".") and len(toks[i].text) <= _ABBREVIATION)


def _add_pattern(found: list[Found], toks: Sequence[Token], a: int, b: int, taken: list[bool],
                 by_tok: dict[int, Found]) -> None:
    inside = {id(f): f for k in range(a, b) if (f := by_tok.get(k)) is not None}
    for f in inside.values():
        if f.tok0 < a or f.tok1 > b or f.admin or f.flags & (F_COUNTRY | F_UNIT):
            return  # a feature named after a region ("Сумська вулиця") is no feature of ours
    for f in inside.values():
        found.remove(f)
    found.append(Found(a, b, toks[a].start, toks[b - 1].end, None, role="pattern"))
    for k in range(a, b):
        taken[k] = True


#: Short words that may stand between a number and its unit ("2,70 тис куб м", "169 кв м").
_MEASURE_WORDS = 2
_MEASURE_WORD_LEN = 3


def _measure(text: str, toks: Sequence[Token], k: int) -> bool:
    """Whether the abbreviation at ``k`` ("м") follows a number, at most two short words between
    ("169 кв м", "2,70 тис куб м"): a unit of measure (metres), not a settlement word."""
    j = k - 1
    for _ in range(_MEASURE_WORDS + 1):
        if j < 0:
            return False
        if toks[j].text[:1].isdigit() or any(ch.isdigit() for ch in text[toks[j].end:toks[j + 1].start]):
            return True
        if toks[j].cap or len(toks[j].text) > _MEASURE_WORD_LEN:
            return False
        j -= 1
    return False


def _cued_unknowns(text: str, toks: Sequence[Token], words: _Words, lex: Lexicon, taken: list[bool],
                   person: list[bool], found: list[Found]) -> None:
    """A capitalised word the gazetteer lacks after a settlement word or a locating cue ("село
    Новенький Хутір", "поблизу Невідомівки"): a place, found and left unresolved."""
    n = len(toks)
    for i in range(1, n):
        if taken[i] or person[i] or not toks[i].cap or toks[i].upper or not words.cyrillic(i):
            continue
        if not _joins(text, toks, i - 1) or toks[i - 1].cap:
            continue
        settlement = words.is_(i - 1, lex.settlement_cues)
        if not settlement and not words.is_(i - 1, lex.strong_cues) and not words.is_(i - 1, lex.facility_words):
            continue
        wi = words.info(i)
        if wi.function or wi.person >= _PERSON_SHARE or words.is_(i, lex.months_days):
            continue
        if wi.first_name and not wi.thing and not wi.adjective:
            continue  # "лежав біля Оленки": a first name the dictionary reads as no thing is a person
        if _gap(text, toks, i - 1, i) != " " and (wi.some_function or settlement and _measure(text, toks, i - 1)):
            continue  # "169 кв м. Про це ...", "2,70 тис куб м. Комунальники ...": a sentence after a measure
        if (wi.adjective and _modifies_next(text, toks, i, words, lex, located=True)
                or _inside_institution(text, toks, i, words, lex) or _quoted(text, toks[i].start, toks[i].end, words)
                or _quoted_title(text, toks, i, i + 1, words)):
            continue  # "м Регіональному відділенню", "суду міста Чернігова", «...»
        k = i + 1
        while k < n and toks[k].cap and not taken[k] and _gap(text, toks, k - 1, k) in (" ", "-") and k - i < 3:
            k += 1
        found.append(Found(i, k, toks[i].start, toks[k - 1].end, None, role="pattern", settlement=settlement))
        for j in range(i, k):
            taken[j] = True


def _demonyms(toks: Sequence[Token], words: _Words, lex: Lexicon, taken: list[bool], found: list[Found]) -> None:
    """Adjectives of countries ("російські", "украинских"): their countries, never literal places."""
    if not lex.demonyms:
        return
    stems = tuple({k[:-2] for k in lex.demonyms if len(k) > 4})
    for i, t in enumerate(toks):
        if taken[i]:
            continue
        low = cyrillic_key(t.text)
        if not low.startswith(stems):
            continue
        for lemma in words.morph.lemmas(t.text):
            target = lex.demonyms.get(lemma)
            if target is not None:
                found.append(Found(i, i + 1, t.start, t.end, None, role="demonym", target=target,
                                   literal=False, flags=F_STRONG | F_ADMIN | F_COUNTRY))
                taken[i] = True
                break


#: A gap of words and spaces only (no comma, dash or stop between a name and a unit).
_WORDS_ONLY = re.compile(r"\s*[^\W\d_]+(?:\s+[^\W\d_]+)*\s*")


def _units_beside(text: str, toks: Sequence[Token], words: _Words, lex: Lexicon, found: list[Found]) -> None:
    """A unit right after a name qualifies it: "Плехово Курской области", "у Покровську на
    Донеччині", "в Суджанском районе Курской области", "у Вільному в тимчасово окупованому
    Криму", "в Озерном (Житомирская область)"."""
    for f, g in zip(found, found[1:]):
        if f.role == "demonym" or g.role == "demonym" or f.unit_tok is not None:
            continue
        if not (g.admin or g.flags & F_UNIT or (g.key is not None and g.flags & F_ADMIN and not g.flags & F_STRONG)):
            continue
        if toks[f.tok1 - 1].sentence != toks[g.tok0].sentence:
            continue  # "в селе Козинка. Над Брянской областью ...": the next sentence's unit
        gap = text[f.end:g.start]
        if gap.strip() in ("", ",", "("):
            f.unit_tok = g.tok0     # "Плехово Курской области", "в Озерном (Житомирская область)"
            continue
        if not _WORDS_ONLY.fullmatch(gap) or words.is_(g.tok0 - 1, lex.conjunctions):
            continue
        # "у Покровську на Донеччині": a preposition of place between them; the unit's epithets
        # may stand there too ("у Вільному в тимчасово окупованому Криму")
        between = [k for k in range(f.tok1, g.tok0) if not words.is_(k, lex.unit_epithets)]
        if not between or (len(between) == 1 and between[0] == f.tok1
                           and words.is_(between[0], lex.place_prepositions)):
            f.unit_tok = g.tok0


def _nominative(text: str, f: Found, words: _Words) -> bool:
    """Whether ``f`` may stand in the nominative: spelt as the gazetteer names it, or a noun
    the dictionary reads so (a town's genitive reads as an adjective too: "влада Бердянська
    заявила" is no town speaking)."""
    if f.key is not None and cyrillic_key(text[f.start:f.end]) == f.key:
        return True
    return f.tok1 - f.tok0 > 1 or words.has_case(f.tok0, _NOMINATIVE, nouns_only=True)


def _mark_literal(text: str, toks: Sequence[Token], f: Found, words: _Words, lex: Lexicon) -> None:
    """A country or city that speaks or acts is its government: "Москва заявила", "Київ вимагає",
    "уряд України", "проти Росії"."""
    if f.admin and f.target is None:
        return
    j = f.tok1
    # right before its verb, never across a comma: "…Шостку, повідомив голова ОВА" attributes
    # the clause to a speaker named after the verb (the subject never takes a comma before its verb);
    # the verb's subject in the nominative, or the seat of those who act after a preposition ("в
    # Киеве признали", "В Кремле заявили"); in another case it is owned ("Мер Мелітополя повідомив")
    if (j < len(toks) and _gap(text, toks, j - 1, j).strip() == "" and words.is_(j, lex.actor_verbs)
            and (_nominative(text, f, words) or words.is_(f.tok0 - 1, lex.place_prepositions))):
        f.literal = False
        return
    b = f.tok0 - 1
    # an actor noun's place is its owner, in the genitive ("війська Росії", "удари РФ"); after it
    # in another case the place is the noun's object ("атакували дронами Кременчук"); a town's
    # own authorities leave it a place ("влада Бердянська")
    if b >= 0 and _gap(text, toks, b, b + 1) == " " and (
            (words.is_(b, lex.actor_nouns) and words.has_case(f.tok0, _GENITIVE, lemma=own_spelling(f.key))
             and not owns_authority(f, {words.key(b)} | words.lemmas(b), lex))
            or words.is_(b, lex.actor_object_before)):
        f.literal = False
