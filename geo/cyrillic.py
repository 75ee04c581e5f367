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
import os
import pickle
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gazetteer.names import cyrillic_key

from geo.morphology import Morphology, WordInfo
from geo.toponyms import F_ADMIN, F_CAPITAL, F_COUNTRY, F_STRONG, F_TOWN, F_UNIT, Found, Lexicon, Token

__all__ = ["CyrillicNames", "recognize_cyrillic"]

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
#: How far back an organisation word may stand from the place in its genitive ("Міністерством
#: закордонних справ України": three words).
_ORG_LOOKBACK = 3


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
        if path is not None and path.is_file():
            try:
                with path.open("rb") as fh:
                    got = pickle.load(fh)
                if isinstance(got, cls):
                    return got
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
                pass  # a damaged cache is rebuilt
        got = cls.build(key_stats(), function_words=function_words)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                with tmp.open("wb") as fh:
                    pickle.dump(got, fh, protocol=pickle.HIGHEST_PROTOCOL)
                tmp.replace(path)
                for old in path.parent.glob("geoparser-cyrillic-*.pickle"):
                    if old != path:
                        old.unlink(missing_ok=True)
            except OSError:
                pass  # an unwritable cache only costs the next start-up the build
        return got


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
    i = 0
    while i < n:
        f = None
        if not taken[i] and toks[i].cap and words.cyrillic(i) and not person[i]:
            f = _name_at(text, toks, i, words, names, lex, info)
        if f is None:
            i += 1
            continue
        if _keep(text, toks, f, words, lex, person, found):
            found.append(f)
            for k in range(f.tok0, f.tok1):
                taken[k] = True
            i = f.tok1
        else:
            i += 1
    _shared_unit_words(text, toks, words, names, lex, info, taken, found)
    _features(text, toks, words, lex, taken, person, found)
    _cued_unknowns(text, toks, words, lex, taken, person, found)
    _demonyms(toks, words, lex, taken, found)
    found.sort(key=lambda f: f.start)
    _units_beside(text, toks, words, lex, found)
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
                and not _big_place(words, i, names, lex, info)):
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
              and not _big_place(words, i, names, lex, info)):
            person[i] = True
    # Initials: "Б. Хмельницького", "Януковича В. Ф.": a capital letter and a dot beside a name.
    for i in range(n - 1):
        t = toks[i]
        if len(t.text) == 1 and t.text.isupper() and text[t.end:t.end + 1] == ".":
            for j in (i + 1, i - 1):
                if 0 <= j < n and toks[j].cap and len(toks[j].text) > 1 and abs(toks[j].start - t.end) <= 3 \
                        or 0 <= j < n and j == i - 1 and toks[j].cap and len(toks[j].text) > 1 \
                        and text[toks[j].end:t.start].strip() == "":
                    person[j] = True
    # A surname seen in a full name is that person wherever else it stands alone.
    surnames: set[str] = set()
    for i in range(n):
        if person[i] and not words.info(i).first_name:
            surnames.update(words.morph.lemmas(toks[i].text))
    if surnames:
        for i in range(n):
            if not person[i] and toks[i].cap and not words.morph.lemmas(toks[i].text).isdisjoint(surnames):
                if not _big_place(words, i, names, lex, info):
                    person[i] = True
    return person


def _big_place(words: _Words, i: int, names: CyrillicNames, lex: Lexicon, info: Callable[[str], int]) -> bool:
    """Whether some form of token ``i`` names a country, a region or a town (not only hamlets)."""
    for form in words.forms(i):
        if form in lex.aliases or form in lex.regions:
            return True
        if form in names.keys and info(form) & _NAMED_BIG:
            return True
    return False


def _name_at(text: str, toks: Sequence[Token], i: int, words: _Words, names: CyrillicNames,
             lex: Lexicon, info: Callable[[str], int]) -> Found | None:
    """The longest name starting at token ``i``: a unit (adjectives and an admin word), else a
    run of capitalised words the gazetteer or the language's names hold, in any of their forms."""
    n = len(toks)
    located = _located(i, words, lex)
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
        if stop - i > 1 and toks[stop - 1].joined is False and words.is_(stop - 1, lex.connectors):
            continue
        f = _run_at(i, stop, toks, words, names, lex, info, located=located)
        if f is not None:
            return f
    return None


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
            if words.is_(j, lex.conjunctions) and not toks[j].cap:
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


def _weight(hit: tuple[str, str], info: Callable[[str], int]) -> int:
    """How much a reading names: where a word's forms meet several names ("Курском": Kursk, or
    the hamlet Kursky), the one a country, a unit or a city bears."""
    kind, what = hit
    if kind != "name":
        return 1 << 20 if kind != "feature" else 1 << 19
    flags = info(what)
    return sum(bit for bit in (F_COUNTRY, F_UNIT, F_STRONG, F_TOWN, F_ADMIN) if flags & bit)


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
    hit = max(hits, key=lambda h: _weight(h, info), default=None)
    if hit is None and stop - i == 1:
        # the neighbour language's spelling: "Плехове" for Плехово, "Работино" for Роботине
        for form in forms[0]:
            for other in words.morph.neighbour_forms(form):
                hit = _lookup(other, names, lex)
                if hit is not None:
                    break
            if hit is not None:
                break
    if hit is None:
        return None
    # "на Харківщині": a name in a region's ending is the region, not a village of that name
    admin = hit[0] == "name" and bool(words.morph.region_suffixes) and hit[1].endswith(words.morph.region_suffixes)
    return _found(i, stop, toks, hit, info, admin=admin)


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


def _keep(text: str, toks: Sequence[Token], f: Found, words: _Words, lex: Lexicon, person: list[bool],
          found: Sequence[Found]) -> bool:
    """Whether a match is a place: not an acronym that is no country's, a function word, a month,
    a person, an adjective of something else's name, or a place inside an institution's or a
    quoted name."""
    first = toks[f.tok0]
    single = f.tok1 - f.tok0 == 1
    located = _located(f.tok0, words, lex, found)
    if single and first.upper and len(first.text) <= _ACRONYM_LEN and f.target is None:
        return False  # "ГУР", "МКС": an acronym in prose is no place unless a country's
    if single and not first.upper:
        wi = words.info(f.tok0)
        if wi.function or cyrillic_key(first.text) in lex.function_words:
            return False  # "Він", "Так", "Как", "Після", "Того" (not Togo)
        if first.initial and (wi.some_function or _common_word(wi)) and not f.flags & (F_COUNTRY | F_UNIT) \
                and not _capitalised_elsewhere(f, toks, words):
            return False  # "Мені", "Часом", "Эшелон" opening a sentence: a word, not Mena or Echelon
        if wi.adjective and not located and not f.admin and _modifies_next(text, toks, f.tok0, words, lex):
            return False  # "Київській гімназії", "Краматорська міська рада": an adjective
        if words.is_(f.tok0, lex.months_days):
            return False
        named = f.target is None and not f.admin and f.role == "name" and not f.flags & (F_COUNTRY | F_UNIT | F_ADMIN)
        small = named and not f.flags & _NAMED_BIG
        if named and not located and _named_like_person(f, toks, words, lex, small=small):
            return False
        if small:
            if not located and wi.geo < _PERSON_SHARE:
                # (the Russian dictionary's Geox reading is a place's name: "Суджа осталась")
                # "Добре", "Разом", "Мама" at a sentence's start, "Інституту" in a name: a
                # hamlet's name with nothing locating at it needs a place of the article near it
                f.weak = f.local = True
    if any(person[f.tok0:f.tok1]):
        return False
    if _quoted(text, f.start, f.end):
        return False  # «Київ-Арт», «Майкрософт Україна»: a firm's, a newspaper's or a team's name
    if _inside_institution(text, toks, f.tok0, words, lex):
        return False
    return True


def _located(i: int, words: _Words, lex: Lexicon, found: Sequence[Found] = ()) -> bool:
    """Whether the word before token ``i`` locates at it: a preposition of place ("у", "під",
    "біля"), a settlement word ("село", "с."), a cue ("поблизу", "звільнили"); or, in a list of
    places, the one before it was so located ("у Києві та Львові", "в Курске, Брянске")."""
    if i <= 0:
        return False
    if (words.is_(i - 1, lex.place_prepositions) or words.is_(i - 1, lex.settlement_cues)
            or words.is_(i - 1, lex.strong_cues)):
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
#: A quoted name (a firm's, an outlet's) is this long at most; a longer quote is speech.
_QUOTED_NAME = 40
_CLOSE_QUOTE = "»“"


def _quoted(text: str, start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies inside «...» (or „...“) on its line with other words: the
    quoted name of a firm, an outlet, a team, a work ("«Майкрософт Україна»"). A place quoted
    alone («ДНР», as Ukrainian reports write a so-called republic) stays a place."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    opened = max(before.rfind(q) for q in _OPEN_QUOTE)
    if opened < 0 or max(before.rfind(q) for q in _CLOSE_QUOTE) > opened:
        return False
    close = min((c for q in _CLOSE_QUOTE if (c := text.find(q, end, end + _QUOTED_NAME)) >= 0), default=-1)
    if close < 0:
        return False
    whole = before[opened + 1:] + text[start:close]
    others = before[opened + 1:] + text[end:close]
    # a name is short and no sentence; a longer quote is speech ("«Россия готова...»")
    return (len(whole) <= _QUOTED_NAME and not any(ch in ".!?:;" for ch in whole)
            and any(ch.isalnum() for ch in others))


def _common_word(wi: WordInfo) -> bool:
    """A word the dictionary knows and reads as no name at all, where the dictionary tags names
    (Russian's tags places Geox, people Name/Surn/Patr): "Эшелон", not "Шебекино"."""
    return wi.weighted and wi.known and wi.geo == 0 and wi.person == 0


def _capitalised_elsewhere(f: Found, toks: Sequence[Token], words: _Words) -> bool:
    """Whether the word of ``f`` stands capitalised mid-sentence elsewhere in the text."""
    return toks[f.tok0].key in words.capitalised_mid_sentence()


def _modifies_next(text: str, toks: Sequence[Token], i: int, words: _Words, lex: Lexicon) -> bool:
    """Whether token ``i``, read as an adjective, qualifies the lower-case noun after it."""
    j = i + 1
    if j >= len(toks) or toks[j].cap or _gap(text, toks, i, j) != " " or toks[j].sentence != toks[i].sentence:
        return False
    nxt = words.info(j)
    return nxt.known and not nxt.function and not nxt.some_function


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
    if wi.person >= _PERSON_SHARE and wi.person > wi.geo and (wi.weighted or not f.flags & (F_STRONG | F_CAPITAL)):
        return True
    if not small or wi.geo:
        return False
    if wi.person > 0:
        return True
    key = cyrillic_key(toks[i].text)
    return bool(lex.surname_endings) and len(key) >= 5 and key.endswith(lex.surname_endings)


def _inside_institution(text: str, toks: Sequence[Token], i: int, words: _Words, lex: Lexicon) -> bool:
    """A place in the genitive after an organisation word, within three words ("Збройних Сил
    України", "Міністерства оборони України", "Закону України", "Днем Києва")."""
    k = i - 1
    for _ in range(_ORG_LOOKBACK):
        # (a quote may open the name: "фірма «Київ»", "ООО «Донбасс»")
        if k < 0 or _gap(text, toks, k, k + 1) not in (" ", " «", " „", " \"") or toks[k].sentence != toks[i].sentence:
            return False
        if words.is_(k, lex.org_words):
            return True
        if words.is_(k, lex.place_prepositions) or words.info(k).function:
            return False  # "бригада відбила атаку під Покровськом": not the place's genitive
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
        if toks[i].cap and i + 1 < n and not toks[i + 1].cap and words.is_(i + 1, lex.feature_words) \
                and _gap(text, toks, i, i + 1) == " " and not person[i] \
                and (i not in by_tok or words.info(i).adjective):
            # "Чорне море", "біля Гостинного двору" (not Hostinné: the adjective is the feature's)
            _add_pattern(found, toks, i, i + 2, taken, by_tok)
            continue
        if toks[i].cap or not words.is_(i, lex.feature_first) or not _joins(text, toks, i):
            continue
        k = i + 1
        while k < n and toks[k].cap and not person[k] and k - i <= 3 and (k == i + 1 or _gap(text, toks, k - 1, k) == " "):
            k += 1
        if k > i + 1:
            _add_pattern(found, toks, i, k, taken, by_tok)


#: An abbreviated cue is this long at most ("вул.", "просп.", "с.", "смт"): a dot after a longer
#: word ends a sentence ("станции. Должна").
_ABBREVIATION = 5


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
        if not settlement and not words.is_(i - 1, lex.strong_cues):
            continue
        wi = words.info(i)
        if wi.function or wi.person >= _PERSON_SHARE or words.is_(i, lex.months_days):
            continue
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


def _units_beside(text: str, toks: Sequence[Token], words: _Words, lex: Lexicon, found: list[Found]) -> None:
    """A unit right after a name qualifies it: "Плехово Курской области", "у Покровську на
    Донеччині", "в Суджанском районе Курской области"."""
    for f, g in zip(found, found[1:]):
        if f.role == "demonym" or g.role == "demonym" or f.unit_tok is not None:
            continue
        if not (g.admin or g.flags & F_UNIT or (g.key is not None and g.flags & F_ADMIN and not g.flags & F_STRONG)):
            continue
        gap = text[f.end:g.start]
        if gap.strip() == "" or gap.strip() == ",":
            f.unit_tok = g.tok0
            continue
        # "у Покровську на Донеччині": a preposition of place between them
        between = [k for k in range(f.tok1, g.tok0)]
        if len(between) == 1 and words.is_(between[0], lex.place_prepositions) and "," not in gap \
                and not words.is_(g.tok0 - 1, lex.conjunctions):
            f.unit_tok = g.tok0


def _mark_literal(text: str, toks: Sequence[Token], f: Found, words: _Words, lex: Lexicon) -> None:
    """A country or city that speaks or acts is its government: "Москва заявила", "Київ вимагає",
    "уряд України", "проти Росії"."""
    if f.admin and f.target is None:
        return
    j = f.tok1
    if j < len(toks) and _gap(text, toks, j - 1, j).strip() in ("", ",") and words.is_(j, lex.actor_verbs):
        f.literal = False
        return
    b = f.tok0 - 1
    if b >= 0 and _gap(text, toks, b, b + 1) == " " and (words.is_(b, lex.actor_nouns)
                                                        or words.is_(b, lex.actor_object_before)):
        f.literal = False
