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
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from gazetteer.names import cyrillic_key

from geo import lang as lang_data
from geo.errors import LanguageDataError

__all__ = ["Morphology", "WordInfo", "morphology"]

#: Parts of speech of words that never name a place ("Він", "Так", "Как", "Після").
_FUNCTION_POS = frozenset({"CONJ", "PRCL", "PREP", "NPRO", "ADVB", "INTJ", "PRED", "COMP", "NUMR",
                           "VERB", "INFN", "GRND", "PRTS", "ADJS", "Prnt"})
_PERSON_TAGS = frozenset({"Surn", "Name", "Patr"})
_VOWELS = frozenset("аеєиіїоуюяыэё")
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
    _morph: Any = None
    _forms: dict[tuple[str, bool], tuple[str, ...]] = field(default_factory=dict)
    _info: dict[str, WordInfo] = field(default_factory=dict)
    _lemmas: dict[str, frozenset[str]] = field(default_factory=dict)
    _keys: dict[str, str] = field(default_factory=dict)

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

        return Morphology(
            lang=lang, analyser=data["analyser"], analyser_lang=data["analyser_lang"],
            endings=tuple(sorted(((e, tuple(n)) for e, n in endings.items()), key=lambda en: -len(en[0]))),
            alternations=rules(data["alternations"], "alternations"),
            neighbour=rules(data["neighbour_spellings"], "neighbour_spellings"),
            min_stem=int(data["min_stem"]),
            region_suffixes=tuple(cyrillic_key(x) for x in data["region_suffixes"]))

    # --- the analyser ---------------------------------------------------------------------

    def _analyser(self) -> Any:
        if self._morph is None and self.analyser:
            if self.analyser != "pymorphy3":
                raise LanguageDataError(f"{self.lang}/morphology.toml: unknown analyser {self.analyser!r}")
            self._morph = _pymorphy(self.analyser_lang)
        return self._morph

    def _parses(self, word: str) -> list[Any]:
        morph = self._analyser()
        return morph.parse(word) if morph is not None else []

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
        """``key`` as the neighbour language spells it ("плехове" -> "плехово"): every rule
        alone, then all in turn; none when no rule applies."""
        out: list[str] = []
        together = key
        for pattern, repl in self.neighbour:
            alone = pattern.sub(repl, key)
            if alone != key and alone not in out:
                out.append(alone)
            together = pattern.sub(repl, together)
        if together != key and together not in out:
            out.insert(0, together)
        return out

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
        if not parses:
            return _NO_INFO
        total = sum(p.score for p in parses) or 1.0
        # (tag.grammemes: a tag's `in` raises on a grammeme the language's tagset lacks)
        person = sum(p.score for p in parses if not p.tag.grammemes.isdisjoint(_PERSON_TAGS)) / total
        known = any(_dictionary_word(p) for p in parses)
        return WordInfo(
            person=person,
            first_name=any("Name" in p.tag.grammemes for p in parses),
            patronymic=any("Patr" in p.tag.grammemes for p in parses),
            geo=sum(p.score for p in parses if "Geox" in p.tag.grammemes) / total,
            function=known and all(p.tag.POS in _FUNCTION_POS for p in parses if _dictionary_word(p)),
            known=known,
            some_function=any(p.tag.POS in _FUNCTION_POS for p in parses if _dictionary_word(p)),
            adjective=any(p.tag.POS == "ADJF" for p in parses),
            weighted=self._analyser().prob_estimator is not None)

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


def _dictionary_word(p: Any) -> bool:
    return any(type(m[0]).__name__ == "DictionaryAnalyzer" for m in p.methods_stack)


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
