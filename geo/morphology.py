"""Inflected words to the forms a gazetteer holds: Ukrainian and Russian morphology.

Both languages decline place names: "у Покровську", "під Покровськом", "біля Курахового",
"под Суджей", "в Суджанском районе". A gazetteer holds the nominative. This module gives, for
one word of text, the nominative forms it may stand for (:meth:`Morphology.forms`), as
Cyrillic keys (:func:`gazetteer.names.cyrillic_key`), to be tried against the gazetteer:

1. the word itself (a nominative, or an indeclinable name: "Шебекино");
2. the normal forms a morphological analyser made for the language gives (``pymorphy3`` with
   ``pymorphy3-dicts-uk`` / ``-ru``), for the words its dictionary knows; an adjective keeps its
   gender and number ("Сумській" -> "сумська", "Старих" -> "старі"); vocative readings are left
   out (they turn a village into a vocative of another: "Плехове" is not "Плехів!");
3. ending rules (``morphology.toml``): a case ending replaced by the nominative endings it may
   come from, with the stem's vowel alternations ("Харкова" -> "харків"), for the many villages
   no dictionary knows. Rules over-generate on purpose: only a form the gazetteer holds counts;
4. on request, the neighbour language's spelling of such a form (a Ukrainian text writing a
   Russian village the Ukrainian way: "Плехове" -> "плехово").

It also tells what the analyser knows of a word that is no place: a person's name (its
Surn/Name/Patr tags), a function word ("Він", "Так", "Как"), a place (Russian's Geox).

The analyser is loaded on first use (never for English text) and every answer is cached per word.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gazetteer.names import cyrillic_key

from geo import lang as lang_data
from geo.errors import LanguageDataError

__all__ = ["Morphology", "WordInfo", "morphology"]

#: Parts of speech of words that never name a place ("Він", "Так", "Как", "Після").
_FUNCTION_POS = frozenset({"CONJ", "PRCL", "PREP", "NPRO", "ADVB", "INTJ", "PRED", "COMP", "NUMR",
                           "VERB", "INFN", "GRND", "PRTS", "ADJS", "Prnt"})
#: Parts of speech a clause has and a name has not: a finite verb (not an imperative, see
#: WordInfo.verb), a short participle.
_CLAUSE_POS = frozenset({"VERB", "PRTS"})
_PERSON_TAGS = frozenset({"Surn", "Name", "Patr"})
_VOWELS = frozenset("аеєиіїоуюяыэё")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'", "´": "'"})
#: Cached words per language: an article's vocabulary, many articles over.
_CACHE_WORDS = 200_000


@dataclass(frozen=True, slots=True)
class WordInfo:
    """What the analyser says of one word of text."""

    person: float          # share of its readings' weight that are a surname, first name or patronymic
    first_name: bool       # a first-name reading ("Вячеслав", "Володимира")
    patronymic: bool       # a patronymic reading ("Володимирович")
    geo: float             # share of its readings' weight tagged as a place name (Russian's Geox)
    function: bool         # every reading is a function word, verb or adverb: never a name
    known: bool            # the dictionary holds the word (not guessed from its ending)
    some_function: bool    # some reading is a function word, verb or adverb ("Мені", "Часом")
    adjective: bool        # some reading is an adjective ("Київській", "Краматорська")
    weighted: bool         # the analyser weighs its readings (Russian's does; Ukrainian's does not)
    surname: bool = False  # a surname reading ("Зеленський", "Гладкова")
    thing: bool = False    # an inanimate noun reading the dictionary holds ("Феодосія" the town,
    #                        not only the name; "Бога", "Українці", "Анна" have none)
    verb: bool = False     # an indicative verb's or a short participle's reading the dictionary
    #                        holds ("є", "сталося", "створена"): what a clause has and a name has
    #                        not (an imperative names campaigns and parties: «Ввімкни Україну!»)
    name_dative: bool = False  # its first-name readings are all in the dative or the locative
    #                        ("Романові", "Вікторові"; not "Марії", a genitive too): without a
    #                        preposition (the locative has one), a person addressed or affected


_NO_INFO = WordInfo(0.0, False, False, 0.0, False, False, False, False, False)


@dataclass(slots=True)
class Morphology:
    """One language's morphology for place names (``geo/lang/<lang>/morphology.toml``)."""

    lang: str
    analyser: str                                       # "pymorphy3", or "" (none: English)
    analyser_lang: str
    endings: tuple[tuple[str, tuple[str, ...]], ...]    # case ending -> nominative endings, longest first
    alternations: tuple[tuple[re.Pattern[str], str], ...]
    neighbour: tuple[tuple[re.Pattern[str], str], ...]  # this language's forms -> the neighbour's
    min_stem: int
    region_suffixes: tuple[str, ...]                    # a name in one is a region's ("Сумщина")
    region_units: tuple[tuple[str, tuple[str, ...]], ...] = ()   # "щина" -> ("ська область", ...)
    adjective_places: tuple[tuple[str, tuple[str, ...]], ...] = ()  # "цький" -> ("к", "цьк", ...)
    neighbour_country: str = ""                         # where the neighbour's spellings name places
    variants: tuple[tuple[re.Pattern[str], str], ...] = ()  # other spellings -> the standard's
    _morph: Any = None
    _forms: dict[tuple[str, bool], tuple[str, ...]] = field(default_factory=dict)
    _info: dict[str, WordInfo] = field(default_factory=dict)
    _lemmas: dict[str, frozenset[str]] = field(default_factory=dict)
    _keys: dict[str, str] = field(default_factory=dict)
    _adjective_places: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @staticmethod
    def build(lang: str) -> Morphology:
        data = lang_data.load("morphology", lang=lang)
        where = f"{lang}/morphology.toml"
        endings: dict[str, list[str]] = {}
        for rule in data["endings"]:
            for ending in rule["case"]:
                endings.setdefault(ending, [])
                for nom in rule["nominative"]:
                    if nom not in endings[ending]:
                        endings[ending].append(nom)

        def rules(table: Iterable[Any], what: str) -> tuple[tuple[re.Pattern[str], str], ...]:
            out = []
            for n, r in enumerate(table):
                try:
                    out.append((re.compile(r["pattern"]), r["replace"]))
                except re.error as err:
                    raise LanguageDataError(f"{where} [{what}][{n}]: bad pattern: {err}") from err
            return tuple(out)

        def suffix_table(table: Iterable[Any], what: str, field: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
            out = [(cyrillic_key(r["suffix"]), tuple(cyrillic_key(x) for x in r[field])) for r in table]
            # the longest suffix first: "ччина" before "чина", "цький" before "ький"
            return tuple(sorted(out, key=lambda r: -len(r[0])))

        return Morphology(
            lang=lang, analyser=data["analyser"], analyser_lang=data["analyser_lang"],
            endings=tuple(sorted(((e, tuple(n)) for e, n in endings.items()), key=lambda en: -len(en[0]))),
            alternations=rules(data["alternations"], "alternations"),
            neighbour=rules(data["neighbour_spellings"], "neighbour_spellings"),
            variants=rules(data.get("spelling_variants", ()), "spelling_variants"),
            min_stem=int(data["min_stem"]),
            region_suffixes=tuple(cyrillic_key(x) for x in data["region_suffixes"]),
            region_units=suffix_table(data["region_units"], "region_units", "units"),
            adjective_places=suffix_table(data["adjective_places"], "adjective_places", "names"),
            neighbour_country=str(data["neighbour_country"]))

    # --- the analyser ---------------------------------------------------------------------

    def _analyser(self) -> Any:
        if self._morph is None and self.analyser:
            if self.analyser != "pymorphy3":
                raise LanguageDataError(f"{self.lang}/morphology.toml: unknown analyser {self.analyser!r}")
            self._morph = _pymorphy(self.analyser_lang)
        return self._morph

    def _parses(self, word: str) -> list[Any]:
        morph = self._analyser()
        # The dictionaries spell the apostrophe as ASCII ' ("слов'янськ", "в'ячеслав"); text
        # writes ’ or ʼ as often, which the analyser would only guess at.
        return morph.parse(word.translate(_APOSTROPHES)) if morph is not None else []

    # --- forms ----------------------------------------------------------------------------

    def forms(self, word: str, *, rules: bool = False) -> tuple[str, ...]:
        """Cyrillic keys of the nominatives ``word`` may be a form of, the word's own first,
        then the analyser's, then the ending rules' (only for a word the analyser's dictionary
        does not hold, unless ``rules``); without repeats.

        A word the dictionary knows is read as the dictionary reads it: "Совета" is a council's,
        not a form of Soweto the rules could make of it. Inside a name of several words the rules
        apply to every word ("Часового Яру": the dictionary knows "часовий" only as "hourly")."""
        cache_key = (word, rules)
        got = self._forms.get(cache_key)
        if got is None:
            if len(self._forms) > _CACHE_WORDS:
                self._forms.clear()
            got = self._forms[cache_key] = self._make_forms(word, rules)
        return got

    def _make_forms(self, word: str, rules: bool) -> tuple[str, ...]:
        low = self.key(word)
        out = [low]
        parses = self._parses(word)
        for p in parses:
            tag = p.tag
            if "voct" in tag.grammemes or tag.POS not in ("NOUN", "ADJF"):
                continue
            if tag.POS == "ADJF":
                # the nominative of the same gender and number: "Сумській" -> "сумська"
                nom = p.inflect({"nomn"})
                form = nom.word if nom is not None else p.normal_form
            else:
                form = p.normal_form
            out.append(cyrillic_key(form))
        if rules or not any(_dictionary_word(p) for p in parses):
            out.extend(self.ending_forms(low))
        for pattern, repl in self.variants:
            # an older or a poetic spelling ("Петербурґа", "Европою", "Вкраїні") read as the
            # standard one too (the variant no longer matches its rule: no recursion back)
            if (other := pattern.sub(repl, low)) != low:
                out.extend(self._make_forms(other, rules))
        return tuple(dict.fromkeys(f for f in out if f))

    def ending_forms(self, low: str) -> list[str]:
        """The nominatives the ending rules make of a lower-case word (its stem's vowel
        alternations too): candidates, most not words at all, for the gazetteer to accept."""
        out: list[str] = []
        for ending, noms in self.endings:
            if not low.endswith(ending) or (not ending and low[-1:] in _VOWELS):
                continue  # a zero ending (the genitive plural "Сум") follows a consonant
            stem = low[:len(low) - len(ending)] if ending else low
            if len(stem) < self.min_stem:
                continue
            stems = [stem, *(alt for pattern, repl in self.alternations
                             if (alt := pattern.sub(repl, stem, count=1)) != stem)]
            for s in stems:
                for nom in noms:
                    out.append(s + nom)
        return out

    def neighbour_forms(self, key: str) -> list[str]:
        """``key`` as the neighbour language spells it ("плехове" -> "плехово"): all rules in
        turn, then all but one of those that apply (a letter the neighbour spells either way:
        "николаевка" is "миколаївка", whose и stays), then every rule alone; none when no rule
        applies."""
        applied, form = [], key
        for pattern, repl in self.neighbour:
            changed = pattern.sub(repl, form)
            if changed != form:
                applied.append((pattern, repl))
                form = changed
        out: list[str] = []

        def add(rules: Sequence[tuple[re.Pattern[str], str]]) -> None:
            spelt = key
            for pattern, repl in rules:
                spelt = pattern.sub(repl, spelt)
            if spelt != key and spelt not in out:
                out.append(spelt)

        add(applied)
        if len(applied) > 2:
            for n in range(len(applied)):
                add(applied[:n] + applied[n + 1:])
        for rule in self.neighbour:
            add((rule,))
        return out

    def region_unit_forms(self, key: str) -> list[str]:
        """The units a region's name in -щина/-чина may stand for ("дніпропетровщина" ->
        "дніпропетровська область", "старобільщина" -> "старобільський район"): such a name is
        made from its centre's, and names the oblast or the raion around it."""
        for suffix, units in self.region_units:
            if key.endswith(suffix) and len(key) - len(suffix) >= self.min_stem:
                stem = key[:len(key) - len(suffix)]
                return [stem + u for u in units]
        return []

    def adjective_place_forms(self, word: str, *, derived: bool = True) -> tuple[str, ...]:
        """The names of the places a relational adjective may be made from ("Кременчуцькому"
        -> "кременчук", "Одесского" -> "одесса", "Запорізька" -> "запоріжжя"): candidates for
        the gazetteer to accept: the adjective's masculine nominative (a town may bear it:
        Хмельницький), then what the suffix rules of ``morphology.toml`` derive from it (not
        with ``derived=False``). Empty for a word the analyser reads as no adjective."""
        if not derived:
            return tuple(sorted({cyrillic_key(p.normal_form) for p in self._parses(word) if p.tag.POS == "ADJF"}))
        got = self._adjective_places.get(word)
        if got is None:
            lemmas = {cyrillic_key(p.normal_form) for p in self._parses(word) if p.tag.POS == "ADJF"}
            out: list[str] = sorted(lemmas)   # a town named as an adjective: Хмельницький
            for lemma in sorted(lemmas):
                for suffix, names in self.adjective_places:
                    if lemma.endswith(suffix) and len(lemma) - len(suffix) >= self.min_stem - 1:
                        stem = lemma[:len(lemma) - len(suffix)]
                        out.extend(stem + n for n in names)
                        break
            got = self._adjective_places[word] = tuple(dict.fromkeys(out))
        return got

    def agrees(self, adjective: str, noun: str) -> bool:
        """Whether ``adjective`` can qualify ``noun``: some adjective reading of the one and some
        noun reading of the other share case and number (and gender, in the singular):
        "Київській гімназії", "Львівському університеті", not "Курахове вибухи"."""
        # (an indeclinable adjective guessed for a word the dictionary lacks agrees with every
        # noun, so it tells nothing: "В Рыбальче взрывы" is the village, not an adjective)
        adj = [p.tag for p in self._parses(adjective)
               if p.tag.POS == "ADJF" and ("Fixd" not in p.tag or _dictionary_word(p))]
        if not adj:
            return False
        for q in self._parses(noun):
            t = q.tag
            if t.POS != "NOUN" or not _dictionary_word(q):
                continue
            for a in adj:
                if a.case == t.case and a.number == t.number and (
                        t.number == "plur" or a.gender is None or t.gender is None or a.gender == t.gender):
                    return True
        return False

    def same_case(self, a: str, b: str) -> bool:
        """Whether some noun readings of ``a`` and of ``b`` the dictionary holds share a case
        (an apposition: "річки Дніпра"); true where it holds either word in no reading."""
        ca = {p.tag.case for p in self._parses(a) if p.tag.POS == "NOUN" and _dictionary_word(p)}
        cb = {p.tag.case for p in self._parses(b) if p.tag.POS == "NOUN" and _dictionary_word(p)}
        return not ca or not cb or not ca.isdisjoint(cb)

    def has_case(self, word: str, cases: frozenset[str], *, nouns_only: bool = False,
                 lemma: str | None = None) -> bool:
        """Whether some noun or adjective reading (``nouns_only``: noun reading) of ``word`` the
        dictionary holds is in one of ``cases``; true of a word it does not hold (its case is
        unknown: "у Валерянівці"). With ``lemma`` (a name's key), only the readings of that
        lemma count where there are any: "Київ" is no genitive plural of "кий"."""
        parts = ("NOUN",) if nouns_only else ("NOUN", "ADJF")
        known = [p for p in self._parses(word) if p.tag.POS in parts and _dictionary_word(p)]
        if lemma is not None:
            known = [p for p in known if p.normal_form == lemma] or known
        return not known or any(p.tag.case in cases for p in known)

    # --- what the word is -----------------------------------------------------------------

    def info(self, word: str) -> WordInfo:
        """What the analyser knows of ``word`` (as written: case tells names from words)."""
        got = self._info.get(word)
        if got is None:
            if len(self._info) > _CACHE_WORDS:
                self._info.clear()
            got = self._info[word] = self._make_info(word)
        return got

    def _make_info(self, word: str) -> WordInfo:
        parses = self._parses(word)
        # A vocative reading is left out, as forms() leaves it out: running text addresses no
        # one by a place's name, and the vocative of a rare first name ("Коренева!") is the
        # same word as many villages ("Коренево").
        parses = [p for p in parses if "voct" not in p.tag.grammemes] or parses
        if not parses:
            return _NO_INFO
        total = sum(p.score for p in parses) or 1.0
        # (tag.grammemes: a tag's `in` raises on a grammeme the language's tagset lacks)
        person = sum(p.score for p in parses if not p.tag.grammemes.isdisjoint(_PERSON_TAGS)) / total
        known = any(_dictionary_word(p) for p in parses)
        return WordInfo(
            person=person,
            first_name=any("Name" in p.tag.grammemes or _name_lemma(p) for p in parses),
            patronymic=any("Patr" in p.tag.grammemes for p in parses),
            geo=sum(p.score for p in parses if "Geox" in p.tag.grammemes) / total,
            function=known and all(p.tag.POS in _FUNCTION_POS for p in parses if _dictionary_word(p)),
            known=known,
            some_function=any(p.tag.POS in _FUNCTION_POS for p in parses if _dictionary_word(p)),
            adjective=any(p.tag.POS == "ADJF" for p in parses),
            weighted=self._analyser().prob_estimator is not None,
            surname=any("Surn" in p.tag.grammemes for p in parses),
            thing=any(p.tag.POS == "NOUN" and "inan" in p.tag.grammemes and _dictionary_word(p) for p in parses),
            verb=any(p.tag.POS in _CLAUSE_POS and "impr" not in p.tag.grammemes and _dictionary_word(p)
                     for p in parses),
            name_dative=_name_dative(parses))

    def key(self, word: str) -> str:
        """``cyrillic_key(word)``, from a plain dict: asked for nearly every word of a text."""
        got = self._keys.get(word)
        if got is None:
            if len(self._keys) > _CACHE_WORDS:
                self._keys.clear()
            got = self._keys[word] = cyrillic_key(word)
        return got

    def lemmas(self, word: str) -> frozenset[str]:
        """The analyser's normal forms of ``word`` and the word itself, as Cyrillic keys: what
        a word list of lemmas ("президент", "заявити") is matched against."""
        got = self._lemmas.get(word)
        if got is None:
            if len(self._lemmas) > _CACHE_WORDS:
                self._lemmas.clear()
            out = {cyrillic_key(word)}
            out.update(cyrillic_key(p.normal_form) for p in self._parses(word))
            got = self._lemmas[word] = frozenset(out)
        return got


#: The cases of a first name that, with no preposition before it, are a person's (the dative);
#: the locative shares the form but always follows a preposition.
_DATIVE_CASES = frozenset({"datv", "loct"})


def _name_dative(parses: list[Any]) -> bool:
    """Whether the first-name readings of a word are all in the dative or the locative."""
    names = [p for p in parses if "Name" in p.tag.grammemes]
    return bool(names) and all(p.tag.case in _DATIVE_CASES for p in names)


def _name_lemma(p: Any) -> bool:
    """An animate noun's nominative whose other forms are a first name's: the Ukrainian
    dictionary tags "Володимира", "Богдана" as names but not "Володимир", "Богдан" (the
    nominative is shared with the town Volodymyr's lemma)."""
    t = p.tag
    if t.POS != "NOUN" or "anim" not in t.grammemes or t.case != "nomn" or "Name" in t.grammemes:
        return False
    if not _dictionary_word(p):
        return False
    return any("Name" in f.tag.grammemes for f in p.lexeme[1:3])


def _dictionary_word(p: Any) -> bool:
    """Whether the dictionary holds the reading as it is, not guessed from a known word's end
    behind an unknown prefix ("Кушадаси" is no form of the name "Дася")."""
    stack = p.methods_stack
    return len(stack) == 1 and type(stack[0][0]).__name__ == "DictionaryAnalyzer"


@functools.cache
def _pymorphy(lang: str) -> Any:
    import pymorphy3  # only Ukrainian and Russian text ever loads it

    try:
        return pymorphy3.MorphAnalyzer(lang=lang)
    except (ValueError, OSError, ImportError) as err:
        raise LanguageDataError(f"pymorphy3 has no dictionary for {lang!r} "
                                f"(install pymorphy3-dicts-{lang}): {err}") from err


@functools.cache
def morphology(lang: str) -> Morphology:
    """The morphology of ``lang`` (built once per process)."""
    return Morphology.build(lang)
