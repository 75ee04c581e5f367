"""Typed, geocoded incidents: resolved place mentions in, events out.

An event is one reported incident at one place. Extraction is rule based and explainable:

1. **Sentences.** The body is split into paragraphs and sentences with their offsets
   (:func:`split_sentences`). Headings (a short line without final punctuation) are kept
   for offsets but never produce events: they repeat what the paragraph below says.
2. **Types.** Each sentence is matched against a trigger lexicon per type (``_TRIGGERS``):
   an attack word plus a weapon (drone, missile/artillery), an attack plus an energy target,
   an interception, a capture, a deployment, casualties of civilians, a visit or treaty.
   A trigger is dropped when hedged ("close to capturing", "could be struck") and a sentence
   about habits ("regularly attacks") is skipped. One primary type wins by ``_PRIORITY``;
   the others become ``tags``; ``triggers`` lists the words that matched.
3. **Place.** The most specific *literal* mention in the sentence (settlement < hromada <
   admin2 < admin1 < country) that is not an actor: not a metonym (``Mention.literal`` is
   False), not a speaker ("Ukraine said", "Russia's military said"), not the subject of an
   attack verb ("Russia attacked with 132 drones"), not an origin ("soldiers from North
   Korea"). Several equally specific places ("Stari Terny and Trudove") give one event each.
   A town used for its region ("Oryol regional governor", "Kursk, a Russian region") is
   promoted to the region when a gazetteer is given.
4. **Runs of sentences.** A sentence with a trigger but no place of its own continues the
   previous event when it refers back to it ("the attack", "the refinery", "the region") or
   sits in the same paragraph: its types become tags and its numbers are added. Otherwise it
   inherits the place of a previous sentence of the same paragraph, or, for attacks and
   interceptions, becomes a country-level event at the target side's country ("Russia
   attacked with 132 drones" is an event in Ukraine; "shot down 60 Ukrainian drones" in Russia).
5. **Within an article** the same incident told twice (same type, same place, compatible
   date) is one event, and a region-level event followed closely by the same type in a
   settlement of that region folds into the settlement's event.

Dates are resolved against the article date ("overnight", "Saturday", "last month", "in
June"); with no expression the article date is used; with no article date relative
expressions stay unknown. Dates are ISO strings at their precision: ``2024-12-14`` (day),
``2024-11`` (month), ``2024`` (year).

Precision follows ACLED's geo-precision: ``settlement`` (1), ``hromada`` (2: a village placed
at its hromada's centre or at a nearby anchor, or a hromada), ``region`` (3: oblast or
raion), ``country``. An event whose place is inferred, not named in its excerpt, has
``place_start == place_end``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # heavy imports stay out of import time
    import ahocorasick
    import geopandas as gpd
    import pandas as pd

    from gazetteer.model import Place
    from geo.articles import Article
    from geo.toponyms import Mention

__all__ = [
    "Event",
    "EVENT_TYPES",
    "PRECISIONS",
    "EVENT_COLUMNS",
    "ACLED_COLUMNS",
    "Sentence",
    "split_sentences",
    "resolve_date",
    "extract_events",
    "merge_events",
    "same_incident",
    "incident_key",
    "dates_compatible",
    "precision_of",
    "geo_precision",
    "events_to_frame",
    "event_record",
    "clean_text",
    "LIST_SEP",
    "empty_events_frame",
    "frame_to_geojson",
    "frame_to_acled",
]

#: Stable event-type ids and their labels (the map's layers, in this order).
EVENT_TYPES: dict[str, str] = {
    "drone_strike": "Drone strike",
    "missile_strike": "Missile or artillery strike",
    "energy_strike": "Strike on energy infrastructure",
    "air_defense": "Air-defence interception",
    "ground_assault": "Ground assault or battle",
    "territorial_change": "Territorial change",
    "troop_deployment": "Troop deployment",
    "civilian_casualties": "Civilian casualties",
    "political": "Political or diplomatic",
}

#: Geo-precision of an event's point (after ACLED's geo_precision: 1, 2, 3).
PRECISIONS = ("settlement", "hromada", "region", "country")


@dataclass(frozen=True, slots=True)
class Event:
    event_id: str                     # stable across re-runs of the same article
    event_type: str                   # a key of EVENT_TYPES
    place_name: str                   # as written in the article
    precision: str                    # one of PRECISIONS
    excerpt: str                      # the sentence(s) it came from, verbatim
    place_start: int                  # offsets of the place name inside ``excerpt``
    place_end: int
    article: str                      # Article.source
    article_id: str                   # Article.id
    tags: tuple[str, ...] = ()
    place_id: str | None = None
    place_kind: str | None = None
    lat: float | None = None
    lon: float | None = None
    country: str | None = None
    admin1: str | None = None
    border_km: float | None = None
    side: str | None = None
    date: str | None = None           # ISO date, or None when unknown
    date_precision: str = "unknown"   # "day", "month", "year", "unknown"
    actors: dict[str, str] = field(default_factory=dict)   # {"attacker": "UA", "target": "RU"}
    numbers: dict[str, int] = field(default_factory=dict)  # {"drones": 132, "killed": 1}
    confidence: float = 0.5
    triggers: tuple[str, ...] = ()    # the words that decided the type
    sources: tuple[str, ...] = ()     # every article reporting it (after merging)

#: Columns of the events table (GeoDataFrame, EPSG:4326, Point geometry) that the store
#: writes, the app and the exports read. GeoJSON properties use these names. List-valued
#: fields (tags, sources, triggers) are joined with "; "; dicts (actors, numbers) are JSON text.
EVENT_COLUMNS: tuple[str, ...] = (
    "event_id", "event_type", "type_label", "tags", "place_name", "place_id", "place_kind",
    "precision", "country", "admin1", "border_km", "side", "date", "date_precision",
    "actors", "numbers", "excerpt", "place_start", "place_end", "article", "article_id",
    "sources", "confidence", "triggers", "lat", "lon",
)

_FLOAT_COLUMNS = ("border_km", "confidence", "lat", "lon")
_INT_COLUMNS = ("place_start", "place_end")
LIST_SEP = "; "


class _Gazetteer(Protocol):
    """What extraction needs from a gazetteer (``gazetteer.Gazetteer`` satisfies it)."""

    def country(self, cc: str) -> Place: ...

    def admin1(self, code: str) -> Place: ...


# --- sentences -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Sentence:
    start: int          # offsets into Article.text
    end: int
    index: int          # position among the article's sentences
    paragraph: int      # paragraph number
    heading: bool       # a heading line: kept for offsets, never an event


#: Context either side of a name that the actor and place patterns may read.
_WINDOW = 160
#: A "sentence" longer than this is cut at a space: no real sentence is, and every rule
#: then works on bounded text.
_MAX_SENTENCE = 1000
_ABBREV = frozenset("""mr mrs ms dr st gen lt col sgt maj capt cpt gov sen rep prof jr sr no vs
    approx est dept inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e
    a.m p.m u.s u.k u.n etc fig ft mt""".split())
# The lookbehind starts a match only at the first mark of a run ("....."): linear, not quadratic.
# It follows the first mark rather than preceding it so that the pattern starts with a
# character set, which lets the regex engine skip to the next mark instead of trying the
# lookbehind at every character (about 4x faster on a typical article).
_SENT_END = re.compile(r"[.!?…](?<![.!?…].)[.!?…]*[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9\u0400-\u04ff])")
#: The word a full stop ends (searched in at most 13 characters up to the stop).
_LAST_WORD = re.compile(r"([\w.]+)[.!?…]*$")
_FINAL_PUNCT = ".!?…\"”’)"
_WRAP_END = re.compile(r"(?:\b(?:a|an|the|of|in|on|at|to|for|with|by|from|and|or|but|that|which|who|into|near"
                       r"|its|their|his|her|is|was|were|are)|[,;:\-–—])$", re.I)


def _paragraphs(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, heading) per paragraph. Blank lines and lines ending a sentence end a
    paragraph; a line that stops mid-phrase (on "of", "the", a comma...) or is followed by a
    lower-case line wraps into the next; any other short line without final punctuation
    that starts a paragraph is a heading."""
    lines: list[tuple[int, int]] = []
    pos = 0
    for raw in text.split("\n"):
        # str.strip drops exactly the characters str.isspace accepts
        body = raw.strip()
        if body:
            s = pos + len(raw) - len(raw.lstrip())
            lines.append((s, s + len(body)))
        else:
            lines.append((pos + len(raw), pos + len(raw)))
        pos += len(raw) + 1
    out: list[tuple[int, int, bool]] = []
    cur: tuple[int, int] | None = None
    for i, (s, e) in enumerate(lines):
        if s == e:
            if cur:
                out.append((cur[0], cur[1], False))
                cur = None
            continue
        line = text[s:e]
        nxt = lines[i + 1] if i + 1 < len(lines) and lines[i + 1][0] < lines[i + 1][1] else None
        ends = line[-1] in _FINAL_PUNCT
        wraps = not ends and nxt is not None and bool(_WRAP_END.search(line) or text[nxt[0]].islower())
        if cur is None and not ends and not wraps and len(line.split()) <= 14:
            out.append((s, e, True))
            continue
        cur = (cur[0] if cur else s, e)
        if not wraps:
            out.append((cur[0], cur[1], False))
            cur = None
    if cur:
        out.append((cur[0], cur[1], False))
    return out


def _cut(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) pieces of at most ``_MAX_SENTENCE`` characters, cut at whitespace."""
    pieces = []
    while end - start > _MAX_SENTENCE:
        cut = text.rfind(" ", start + _MAX_SENTENCE // 2, start + _MAX_SENTENCE)
        cut = cut if cut > start else start + _MAX_SENTENCE
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        pieces.append((start, end))
    return pieces


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` with their offsets, paragraph numbers and heading flags."""
    raw = _split_sentences(text)
    if all(s.end - s.start <= _MAX_SENTENCE for s in raw):
        return raw
    out: list[Sentence] = []
    for s in raw:
        for a, b in _cut(text, s.start, s.end):
            out.append(Sentence(a, b, len(out), s.paragraph, s.heading))
    return out


def _split_sentences(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    for p_no, (ps, pe, heading) in enumerate(_paragraphs(text)):
        if heading:
            sentences.append(Sentence(ps, pe, len(sentences), p_no, True))
            continue
        start = ps
        for m in _SENT_END.finditer(text, ps, pe):
            stop = m.start()
            if text[stop] == ".":           # "Gen.", "U.S.", "J. Smith" end no sentence
                word = _LAST_WORD.search(text, max(start, stop - 12), stop + 1)
                token = (word.group(1) if word else "").lower().rstrip(".")
                if token in _ABBREV or (len(token) == 1 and "a" <= token <= "z"):
                    continue
            end = m.end()
            sentences.append(Sentence(start, end, len(sentences), p_no, False))
            start = end
            while start < pe and text[start].isspace():
                start += 1
        if start < pe:
            sentences.append(Sentence(start, pe, len(sentences), p_no, False))
    return sentences


# --- trigger lexicon ---------------------------------------------------------------------

def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` with lone surrogates (possible from a JSON ``\\udXXX`` escape) replaced by
    U+FFFD, one for one, so offsets stay valid and the text encodes as UTF-8."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _lower(text: str) -> str:
    """``text.lower()`` with the same length (offsets stay valid)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


#: Gate keys of every gated rule, in order: rule ``i`` is open when its bit ``1 << i`` is set.
_GATES: list[frozenset[str]] = []
_automaton = None


def _new_gate(keys: Iterable[str]) -> int:
    """The bit of a new gate, open when any of ``keys`` occurs in the lower-cased text."""
    _GATES.append(frozenset(keys))
    return 1 << (len(_GATES) - 1)


class _Gated:
    """A lower-case regex run only when one of its ``keys`` occurs in the (lower-cased)
    text: most sentences mention few of the lexicon's words, and finding every key of every
    rule in one Aho-Corasick pass (:func:`_gates`) is far cheaper than scanning each
    sentence with each long alternation. The pass gives one int with a bit per open rule,
    so a rule's test is one ``&`` and a sentence's gates are computed once and shared by
    classification, numbers and dates."""

    __slots__ = ("rx", "bit")

    def __init__(self, pattern: str, keys: Sequence[str]) -> None:
        self.rx = re.compile(pattern)
        self.bit = _new_gate(keys)

    def finditer(self, low: str, gates: int) -> list[re.Match[str]]:
        return list(self.rx.finditer(low)) if gates & self.bit else []

    def search(self, low: str, gates: int) -> re.Match[str] | None:
        return self.rx.search(low) if gates & self.bit else None


def _gate_automaton() -> ahocorasick.Automaton:
    """Every gate key, with its length - 1 and the bits of the gates it opens (built on
    first use: no work at import time)."""
    global _automaton
    if _automaton is None:
        import ahocorasick

        bits: dict[str, int] = {}
        for i, keys in enumerate(_GATES):
            for key in keys:
                bits[key] = bits.get(key, 0) | 1 << i
        automaton = ahocorasick.Automaton()
        for key, mask in bits.items():
            automaton.add_word(key, (len(key) - 1, mask))
        automaton.make_automaton()
        _automaton = automaton
    return _automaton


def _gates(low: str) -> int:
    """The bits of every gate with a key occurring in ``low``."""
    gates = 0
    for _end, (_back, mask) in _gate_automaton().iter(low):
        gates |= mask
    return gates


def _sentence_gates(text: str, sentences: Sequence[Sentence]) -> list[int]:
    """:func:`_gates` of each sentence's lower-cased text, from one pass over the article
    (one call instead of one per sentence). Lower-casing the whole text instead of each
    sentence differs at most in non-ASCII letters (a final sigma depends on its neighbours;
    :func:`_lower` keeps offsets), and every gate key is ASCII, so the gates are the same."""
    out = [0] * len(sentences)
    si, n = 0, len(sentences)
    for end, (back, mask) in _gate_automaton().iter(_lower(text)):
        while si < n and sentences[si].end <= end:
            si += 1
        if si == n:
            break
        if end - back >= sentences[si].start:       # the key lies inside the sentence
            out[si] |= mask
    return out


_ATTACK = _Gated(r"(?<!\w)(?:attack(?:s|ed|ing)?|strik(?:e|es|ing)|struck|hit(?:s|ting)?|target(?:s|ed|ing)"
              r"|shell(?:s|ed|ing)|bomb(?:s|ed|ing|ardments?)|launch(?:es|ed|ing)?|fired\s+(?:at|on|upon)"
              r"|raids?|explosions?|blasts?|barrage)\b",
    ('attack', 'strik', 'struck', 'hit', 'target', 'shell', 'bomb', 'launch', 'fired', 'raid', 'explos', 'blast', 'barrage'))
_DRONE = _Gated(r"(?<!\w)(?:drones?|uavs?|shaheds?|geran(?:-2)?s?|unmanned\s+aerial\s+vehicles?|loitering\s+munitions?"
             r"|kamikaze)\b",
    ('drone', 'uav', 'shahed', 'geran', 'unmanned', 'loitering', 'kamikaze'))
_DRONE_SELF = _Gated(r"\bdrone\s+(?:attacks?|strikes?|raids?)\b",
    ('drone',))
_MISSILE = _Gated(r"(?<!\w)(?:missiles?|rockets?|ballistic|artillery|shells|mlrs|glide\s+bombs?|guided\s+bombs?"
               r"|atacms|iskanders?|kinzhals?|kalibrs?|storm\s+shadows?|himars|grads?|s-300s?|kh-\d+)\b",
    ('missile', 'rocket', 'ballistic', 'artillery', 'shells', 'mlrs', 'bomb', 'atacms', 'iskander', 'kinzhal', 'kalibr', 'storm shadow', 'himars', 'grad', 's-300', 'kh-'))
_MISSILE_SELF = _Gated(r"(?<!\w)(?:shelling|shelled|airstrikes?|air\s+strikes?|bombardments?|missile\s+(?:attacks?|strikes?)"
                    r"|artillery\s+(?:fire|attacks?|strikes?))\b",
    ('shell', 'strike', 'bombard', 'missile', 'artillery'))
_ENERGY = _Gated(r"(?<!\w)(?:(?:oil|fuel|gas|petroleum)\s+(?:refiner(?:y|ies)|depots?|terminals?|facilit(?:y|ies)|storage"
              r"|tanks?|pipelines?|plants?)|refiner(?:y|ies)|depots?\s+of\s+fuel|power\s+(?:plants?|stations?|lines?"
              r"|grid|supply|facilit(?:y|ies))|thermal\s+power|substations?|energy\s+(?:infrastructure|facilit(?:y|ies)"
              r"|systems?|sites?|grid)|electricity|power\s+grid|fuel|pipelines?|hydroelectric|heat(?:ing)?\s+and\s+power"
              r"|oil\s+terminals?|tank\s+farms?)\b",
    ('oil', 'fuel', 'gas', 'petroleum', 'refiner', 'depot', 'power', 'thermal', 'substation', 'energy', 'electric', 'pipeline', 'hydro', 'heat', 'terminal', 'tank farm'))
_AIR_DEFENSE = _Gated(r"(?<!\w)(?:shot\s+down|shoots?\s+down|shooting\s+down|downed|intercept(?:ed|s|ions?|ing|ors?)?"
                   r"|repelled|neutrali[sz]ed|destroyed\s+(?:\S+\s+){0,3}?(?:drones|missiles|uavs)"
                   r"|failed\s+to\s+reach)\b",
    ('down', 'intercept', 'repel', 'neutrali', 'destroyed', 'failed to reach'))
_GROUND = _Gated(r"(?<!\w)(?:assaults?|storm(?:ed|ing)?|offensives?|battles?|fighting|clash(?:es|ed)?|combat"
              r"|counter-?attacks?|counter-?offensives?|incursions?|skirmish(?:es)?|advanc(?:e|ed|es|ing)"
              r"|operations|attack(?:s|ed)?\s+(?:on\s+)?(?:\S+\s+){0,2}?positions|losses)\b",
    ('assault', 'storm', 'offensive', 'battle', 'fighting', 'clash', 'combat', 'counter', 'incursion', 'skirmish', 'advanc', 'operations', 'positions', 'losses'))
_TERRITORY = _Gated(r"(?<!\w)(?:captur(?:e|ed|es|ing)|recaptur(?:e|ed|es|ing)|retook|retak(?:e|en|ing)|seiz(?:e|ed|es|ing)"
                 r"|liberat(?:e|ed|es|ing|ion)|took\s+control|taken\s+control|tak(?:e|es|ing)\s+control"
                 r"|in\s+control\s+of|controll?(?:ed|s|ing)|clawed\s+back|regain(?:ed|s|ing)?"
                 r"|withdr(?:ew|awn|awal)|pulled\s+back|fell\s+to|occupied)\b",
    ('captur', 'retook', 'retak', 'seiz', 'liberat', 'control', 'clawed', 'regain', 'withdr', 'pulled back', 'fell to', 'occupied'))
_DEPLOY = _Gated(r"(?<!\w)(?:deploy(?:s|ed|ing|ments?)?|redeploy\w*|reinforcements?|stationed|massing|build-?up"
              r"|sen(?:t|ds|ding)\s+(?:\S+\s+){0,4}?(?:troops|soldiers|forces|units|servicemen)"
              r"|(?:troops|soldiers|servicemen)\s+(?:were|are|arrived)\s+(?:in|at)"
              r"|transferr?(?:ed|ing)\s+(?:\S+\s+){0,3}?(?:troops|soldiers))\b",
    ('deploy', 'reinforcement', 'stationed', 'massing', 'build', 'sent', 'send', 'troops', 'soldiers', 'servicemen', 'transfer'))
_CASUALTY = _Gated(r"(?<!\w)(?:kill(?:ed|s|ing)?|dead|died|deaths?|wound(?:ed|ing|s)?|injur(?:ed|ing|ies|y)|hurt"
                r"|casualt(?:y|ies))\b",
    ('kill', 'dead', 'died', 'death', 'wound', 'injur', 'hurt', 'casualt'))
_CIVILIAN = _Gated(r"(?<!\w)(?:civilians?|residents?|child(?:ren)?|boys?|girls?|teen(?:ager)?s?|wom[ae]n|m[ae]n"
                r"|mothers?|fathers?|sisters?|brothers?|sons?|daughters?|famil(?:y|ies)|person|people"
                r"|pensioners?|elderly|bab(?:y|ies)|infants?|passengers?|workers?|journalists?|medics?"
                r"|volunteers?|\d+-year-old|locals|inhabitants)\b",
    ('civilian', 'resident', 'child', 'boy', 'girl', 'teen', 'wom', 'man', 'men', 'mother', 'father', 'sister', 'brother', 'son', 'daughter', 'famil', 'person', 'people', 'pensioner', 'elderly', 'bab', 'infant', 'passenger', 'worker', 'journalist', 'medic', 'volunteer', 'year-old', 'locals', 'inhabitant'))
_MILITARY = _Gated(r"(?<!\w)(?:troops|soldiers|servicem[ae]n|fighters|militants|personnel|marines|paratroopers"
                r"|mercenaries|combatants)\b",
    ('troops', 'soldier', 'servicem', 'fighters', 'militants', 'personnel', 'marines', 'paratroopers', 'mercenaries', 'combatants'))
_NO_CASUALTIES = _Gated(r"(?<!\w)(?:no|without)\s+(?:\w+\s+)?(?:casualties|injuries|deaths|victims)\b"
                     r"|\bno\s+one\s+(?:was|were)\s+(?:\w+\s+)?(?:killed|injured|hurt|wounded)\b"
                     r"|\bnobody\s+(?:was\s+)?(?:killed|injured|hurt)\b",
    ('no ', 'without', 'nobody'))
_POLITICAL = _Gated(r"(?<!\w)(?:visit(?:ed|s|ing)?|signed|treaty|pact|agreement|summit|talks|negotiations?|met\s+with"
                 r"|sanctions|peace\s+(?:deal|plan|talks)|ceasefire\s+(?:deal|agreement))\b",
    ('visit', 'signed', 'treaty', 'pact', 'agreement', 'summit', 'talks', 'negotiat', 'met with', 'sanctions', 'peace', 'ceasefire'))

#: Rules of which one alone can give a sentence a type; an attack word also needs a weapon
#: or an energy target (see :func:`_classify`).
_CAN_TRIGGER = (_DRONE_SELF.bit | _MISSILE_SELF.bit | _AIR_DEFENSE.bit | _GROUND.bit | _CASUALTY.bit
                | _TERRITORY.bit | _DEPLOY.bit | _POLITICAL.bit)
_ATTACK_OBJECTS = _DRONE.bit | _MISSILE.bit | _ENERGY.bit


def _may_trigger(gates: int) -> bool:
    """Whether any type rule of :func:`_classify` can fire with these gates open (most
    sentences: no, and they are skipped without running a regex)."""
    return bool(gates & _CAN_TRIGGER or (gates & _ATTACK.bit and gates & _ATTACK_OBJECTS))


_HEDGE = frozenset("not no never unable close could would may might plans plan planned threatens threatened "
                   "threaten prepare preparing prepared ready if whether aims aim intends intend intended "
                   "hoped hopes hope want wants failed fail".split())
_HABIT = frozenset("regularly often repeatedly routinely frequently usually sometimes constantly "
                   "occasionally typically".split())

#: Primary type when a sentence triggers several (first wins); the rest become tags.
_PRIORITY = ("civilian_casualties", "energy_strike", "territorial_change", "air_defense",
             "missile_strike", "drone_strike", "ground_assault", "troop_deployment", "political")
#: Types that, without a named place, become country-level events at the target's country.
_FALLBACK_TYPES = frozenset({"drone_strike", "missile_strike", "energy_strike", "air_defense"})
#: Types whose attacker/target sides are worth stating.
_SIDED_TYPES = frozenset(_PRIORITY) - {"political"}
#: Types whose target side is the side the place is on (a strike lands where it lands).
_STRIKE_TYPES = frozenset({"drone_strike", "missile_strike", "energy_strike", "air_defense", "civilian_casualties"})

_WORD = re.compile(r"[\w][\w’'\-]*")


def _hedged(low: str, pos: int) -> bool:
    before = _WORD.findall(low[max(0, pos - 40):pos])[-3:]
    return any(w in _HEDGE for w in before)


def _matches(rx: _Gated, low: str, gates: int) -> list[re.Match[str]]:
    if not gates & rx.bit:
        return []
    return [m for m in rx.rx.finditer(low) if not _hedged(low, m.start())]


def _words(ms: Iterable[re.Match[str]]) -> list[tuple[str, int]]:
    return [(" ".join(m.group(0).split()), m.start()) for m in ms]


def _classify(sentence: str, gates: int) -> dict[str, list[tuple[str, int]]]:
    """Event types a sentence reports, each with the words that triggered it and where.

    ``sentence`` is lower-cased (:func:`_lower`) and ``gates`` are its :func:`_gates`.
    """
    if not _may_trigger(gates):
        return {}
    found: dict[str, list[tuple[str, int]]] = {}
    attacks = _matches(_ATTACK, sentence, gates)
    drones, missiles = _matches(_DRONE, sentence, gates), _matches(_MISSILE, sentence, gates)
    drone_self, missile_self = _matches(_DRONE_SELF, sentence, gates), _matches(_MISSILE_SELF, sentence, gates)
    if drone_self or (drones and attacks):
        found["drone_strike"] = _words(drone_self or drones[:1] + attacks[:1])
    if missile_self or (missiles and attacks):
        found["missile_strike"] = _words(missile_self or missiles[:1] + attacks[:1])
    # the rules below whose result matters only with others' matches run only then
    energy = _matches(_ENERGY, sentence, gates) if attacks or drone_self or missile_self else []
    if energy:
        found["energy_strike"] = _words(energy[:1] + (attacks or drone_self or missile_self)[:1])
    air = _matches(_AIR_DEFENSE, sentence, gates)
    if air:
        found["air_defense"] = _words(air[:2])
    ground = _matches(_GROUND, sentence, gates)
    casualties = _matches(_CASUALTY, sentence, gates)
    if casualties and _NO_CASUALTIES.search(sentence, gates):
        casualties = []
    civilians = military = None
    if casualties:
        civilians, military = _CIVILIAN.search(sentence, gates), _MILITARY.search(sentence, gates)
        if military and not civilians:
            ground = ground + casualties[:1]
    if ground:
        found["ground_assault"] = _words(ground[:2])
    territory = _matches(_TERRITORY, sentence, gates)
    if territory:
        found["territorial_change"] = _words(territory[:2])
    deploy = _matches(_DEPLOY, sentence, gates)
    if deploy:
        found["troop_deployment"] = _words(deploy[:2])
    if casualties and (civilians or not military and (attacks or drones or missiles)):
        found["civilian_casualties"] = _words(casualties[:1] + _CIVILIAN.finditer(sentence, gates)[:1])
    political = _matches(_POLITICAL, sentence, gates)
    if political:
        found["political"] = _words(political[:2])
    if found:
        first = min(pos for words in found.values() for _, pos in words)
        before = _WORD.findall(sentence[max(0, first - 30):first])[-2:]
        if any(w in _HABIT for w in before):
            return {}                                   # a habit, not one incident
    return found


# --- actors ------------------------------------------------------------------------------

_ACTOR_RX = re.compile(
    r"(?<!\w)(?:(?P<KP>North\s+Korean?s?|DPRK|Pyongyang)|(?P<KR>South\s+Korean?s?|Seoul)"
    r"|(?P<RU>Russian?s?|Moscow|Kremlin)|(?P<UA>Ukrainian?s?|Ukraine|Kyiv|Kiev)"
    r"|(?P<BY>Belarus(?:ian)?s?|Minsk)|(?P<US>U\.S\.|US|USA|United\s+States|Americans?|Washington))(?![\w-])")
_REPORT = (r"(?:said|says|say|told|tells|claimed|claims|claim|reported|reports|announced|announces|accused"
           r"|accuses|accuse|denied|denies|warned|warns|stated|states|confirmed|confirms|added|wrote|posted)")
_INSTITUTION = (r"(?:military|armed\s+forces|forces|army|troops|general\s+staff|defen[cs]e\s+ministry"
                r"|ministry|government|officials?|president|leader|governor|authorities|air\s+force|navy"
                r"|security\s+service|intelligence|media|spokes(?:man|woman|person))")
_ACTIVE_VERB = (r"(?:attack(?:ed|s)?|struck|strikes?|hit|hits|launch(?:ed|es)|shell(?:ed|s)|fired|target(?:ed|s)"
                r"|captur(?:ed|es)|seized|recaptured|retook|clawed|deploy(?:ed|s|ing)|sen(?:t|ds|ding)|shot"
                r"|shoots|downed|intercepted|invaded|invades|advanced|advances|signed|visited|controls"
                r"|controlled|occupied|bombed|used|using|hits)")
_STOP_GAP = frozenset("that which who where when after before while because it its they their the a an "
                      "was were is are been being be of in at to for with".split())
_SPEAKER_AFTER = re.compile(rf"^(?:['’]s\b)?((?:\s+[\w’'.-]+){{0,4}}?)\s+{_REPORT}\b", re.I)
_SUBJECT_AFTER = re.compile(rf"^(?:['’]s\s+(?:armed\s+)?(?:forces|military|army|troops))?((?:\s+[\w’'-]+){{0,4}}?)"
                            rf"\s+{_ACTIVE_VERB}\b", re.I)
_INSTITUTION_AFTER = re.compile(rf"^['’]s\s+(?:[\w-]+\s+){{0,2}}?{_INSTITUTION}\b", re.I)
_WEAPON_AFTER = re.compile(r"^(?:['’]s)?\s+(?:[\w-]+\s+)?(?:drones?|missiles?|rockets?|shells|attacks?|strikes?"
                           r"|shelling|forces|troops|soldiers|army|assaults?|artillery|aircraft|jets)\b", re.I)
_SPEAKER_IT = re.compile(rf"^(?:['’]s)?(?:\s+[\w’'.-]+){{0,4}}?\s+{_REPORT}\s+(?:[\w]+day\s+|on\s+\w+\s+)?"
                         rf"(?:that\s+)?(?:it|they|its\s+forces)\s+(?:had\s+|has\s+|have\s+)?(?P<verb>[\w]+)", re.I)
_TARGET_BEFORE = re.compile(r"\b(?:attacks?|strikes?|assaults?|shelling|raids?)\s+(?:on|against)\s+(?:the\s+)?$"
                            r"|\bagainst\s+(?:the\s+)?$"
                            r"|\b(?:into|struck|hit|hits|attacked|targeted)\s+(?:the\s+)?$", re.I)
_BY_BEFORE = re.compile(r"\b(?:targeted|attacked|struck|hit|shelled|bombed|captured|seized|launched|fired"
                        r"|killed|wounded|injured|downed|intercepted)\s+(?:\w+\s+)?by\s+(?:the\s+)?$", re.I)
_TARGET_AFTER = re.compile(r"^(?:['’]s)?\s+(?:[\w-]+\s+)?(?:positions?|territory|infrastructure|cities|towns|villages"
                           r"|airfields?|air\s+bases?|bases?|refiner(?:y|ies)|oil|energy|power|grid)\b", re.I)
_FROM_BEFORE = re.compile(r"\bfrom\s+(?:the\s+)?$", re.I)
_SAID_BEFORE = re.compile(rf"\b(?:{_REPORT}|according\s+to)\s+(?:the\s+)?$", re.I)
_LOCATIVE_BEFORE = re.compile(r"\b(?:in|at|near|over|into|across|around|outside|inside)\s+(?:the\s+)?"
                              r"(?:[\w’'-]+\s+){0,2}$", re.I)
_REFERENCE_BEFORE = re.compile(r"\b(?:near|outside(?:\s+of)?|towards?|(?:north|south|east|west)(?:[\s-]?(?:east|west))?"
                               r"(?:ern)?\s+of|from|beyond|suburbs?\s+of(?:\s+the\s+city\s+of)?)\s+(?:the\s+)?$", re.I)
_DEFENDER_VERBS = re.compile(r"^(?:shot|shoots|downed|intercepted|destroyed|repelled)$", re.I)


def _gap_ok(gap: str, *, passive: bool = False) -> bool:
    stop = _STOP_GAP if passive else _STOP_GAP - {"was", "were", "is", "are", "been", "being", "be"}
    return not any(w.lower() in stop for w in gap.split())


def _is_speaker(after: str, before: str) -> bool:
    # the anchored match first: it fails on most names, the unanchored search is dearer
    m = _SPEAKER_AFTER.match(after[:80])
    return bool(m and _gap_ok(m.group(1))) and not _LOCATIVE_BEFORE.search(before[-40:])


def _is_subject(after: str) -> bool:
    m = _SUBJECT_AFTER.match(after[:80])
    return bool(m and _gap_ok(m.group(1), passive=True))


@dataclass(slots=True)
class _Ref:
    start: int          # offsets in the sentence
    end: int
    cc: str


def _actor_refs(sentence: str, mentions: Sequence[tuple[int, int, Mention]]) -> list[_Ref]:
    refs = [_Ref(m.start(), m.end(), m.lastgroup or "") for m in _ACTOR_RX.finditer(sentence)]
    covered = [(r.start, r.end) for r in refs]
    for s, e, mention in mentions:
        place = mention.place
        if place is None or any(s < ce and cs < e for cs, ce in covered):
            continue
        if place.kind == "country" or not mention.literal or mention.role == "demonym":
            refs.append(_Ref(s, e, place.country))
    return sorted(refs, key=lambda r: r.start)


@dataclass(frozen=True, slots=True)
class _Sides:
    attackers: tuple[tuple[str, int], ...]     # (country, position in the sentence)
    targets: tuple[tuple[str, int], ...]
    claimant: str | None


def _actors(sides: _Sides, etype: str, *, place_cc: str | None = None,
            anchor: int | None = None) -> dict[str, str]:
    """Attacker, target and claimant, as ISO country codes, where the sentence states them.

    ``place_cc``: the country of the event's place; a strike's target side is where it landed.
    ``anchor``: where the primary trigger is; of several stated sides the nearest wins
    ("Kyiv struck an airfield, prompting a Russian attack on Ukraine's energy infrastructure").
    """
    attackers, targets, claimant = list(sides.attackers), list(sides.targets), sides.claimant

    def nearest(found: list[tuple[str, int]]) -> list[str]:
        if anchor is None:
            return [cc for cc, _ in found]
        return [cc for cc, _ in sorted(found, key=lambda f: abs(f[1] - anchor))]

    actors: dict[str, str] = {}
    ranked_targets = nearest(targets)
    target = ranked_targets[0] if ranked_targets else None
    if place_cc in ("RU", "UA") and etype in _STRIKE_TYPES:
        target = place_cc
    attacker = next((a for a in nearest(attackers) if a != target), None)
    if attacker:
        actors["attacker"] = attacker
    if target and target != attacker:
        actors["target"] = target
    if claimant:
        actors["claimed_by"] = claimant
    return actors


def _sides(sentence: str, refs: Sequence[_Ref], etype: str) -> _Sides:
    """Which countries the sentence casts as attacker, target and claimant, and where."""
    attackers: list[tuple[str, int]] = []
    targets: list[tuple[str, int]] = []
    claimant: str | None = None
    defender_types = etype == "air_defense"
    for ref in refs:
        # every pattern looks at most this far either side: bounded slices keep a long
        # sentence with many names linear
        before, after = sentence[max(0, ref.start - _WINDOW):ref.start], sentence[ref.end:ref.end + _WINDOW]
        it = _SPEAKER_IT.match(after[:120])
        if it:
            verb = it.group("verb")
            if _DEFENDER_VERBS.match(verb):
                targets.append((ref.cc, ref.start))
            elif re.match(_ACTIVE_VERB + "$", verb, re.I):
                attackers.append((ref.cc, ref.start))
        if _is_speaker(after, before):
            claimant = claimant or ref.cc
            if re.match(r"^(?:['’]s)?(?:\s+[\w’'.-]+){0,4}?\s+claim(?:ed|s)?\s+(?:the\s+)?captur", after, re.I):
                attackers.append((ref.cc, ref.start))
            continue
        if _TARGET_BEFORE.search(before[-30:]) or _TARGET_AFTER.match(after[:50]):
            targets.append((ref.cc, ref.start))
        elif _BY_BEFORE.search(before[-40:]):
            attackers.append((ref.cc, ref.start))
        elif _is_subject(after):
            m = _SUBJECT_AFTER.match(after[:80])
            verb = m.group(0).split()[-1] if m else ""
            if _DEFENDER_VERBS.match(verb):
                targets.append((ref.cc, ref.start))
            else:
                attackers.append((ref.cc, ref.start))
        elif _WEAPON_AFTER.match(after[:40]):
            attackers.append((ref.cc, ref.start))
    if defender_types:
        # whose drones were downed is the attacker; the side that downed them is the target
        weapon = [(r.cc, r.start) for r in refs if re.match(r"^\s+(?:[\w-]+\s+)?(?:drones?|missiles?|rockets?|uavs?)\b",
                                                   sentence[r.end:r.end + 40], re.I)]
        attackers = weapon + attackers
    return _Sides(tuple(attackers), tuple(targets), claimant)


# --- numbers -----------------------------------------------------------------------------

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a dozen": 12, "dozen": 12,
                 "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100}
_NUM = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|a\s+dozen|dozen)"
_QUAL = r"(?:(?:at\s+least|more\s+than|over|about|around|nearly|almost|up\s+to|some|another)\s+)?"
_PERSON = (r"(?:people|persons?|civilians?|residents?|child(?:ren)?|boys?|girls?|teen(?:ager)?s?|wom[ae]n|m[ae]n"
           r"|mothers?|fathers?|sisters?|brothers?|sons?|daughters?|bab(?:y|ies)|infants?|pensioners?|workers?"
           r"|troops|soldiers|servicem[ae]n|fighters|passengers?)")
_NUMBER_KEYS = {"drones": ("drone", "uav", "shahed"), "missiles": ("missile", "rocket"),
                "killed": ("kill", "dead", "death"), "injured": ("injur", "wound", "hurt"),
                "downed": ("down", "intercept", "destroy"), "troops": ("troop", "soldier", "servicem"),
                "area_km2": ("square", "km")}
_NUMBER_RULES: tuple[tuple[str, _Gated], ...] = tuple((key, _Gated(re.sub(r"^\\b", r"(?<!\\w)", p),
                                                                    _NUMBER_KEYS[key])) for key, p in (
    ("drones", rf"\b{_QUAL}{_NUM}\s+(?:[\w-]+\s+){{0,2}}?(?:drones|uavs|shaheds)\b"),
    ("missiles", rf"\b{_QUAL}{_NUM}\s+(?:[\w-]+\s+){{0,2}}?(?:missiles|rockets)\b"),
    ("killed", rf"\b(?:killed|killing|kills)\s+{_QUAL}{_NUM}\b"),
    ("killed", rf"\b{_QUAL}{_NUM}\s+deaths\b"),
    ("killed", rf"\b{_QUAL}{_NUM}\s+(?:(?!and\b)[\w-]+\s+){{0,3}}?{_PERSON}?\s*(?:have\s+been\s+|had\s+been\s+|were\s+|was\s+|are\s+)?(?:killed|dead)\b"),
    ("injured", rf"\b(?:injured|injuring|wounded|wounding)\s+{_QUAL}{_NUM}\b"),
    ("injured", rf"\b{_QUAL}{_NUM}\s+(?:(?!and\b)[\w-]+\s+){{0,3}}?{_PERSON}?\s*(?:have\s+been\s+|had\s+been\s+|were\s+|was\s+|are\s+)?(?:injured|wounded|hurt)\b"),
    ("downed", rf"\b{_NUM}\s+of\s+them\s+(?:were\s+)?(?:downed|shot\s+down|intercepted|destroyed)"),
    ("downed", rf"\b(?:shot\s+down|downed|intercepted|destroyed)\s+{_QUAL}{_NUM}\b"),
    ("troops", rf"\b{_QUAL}{_NUM}\s+(?:[\w-]+\s+){{0,2}}?(?:troops|soldiers|servicemen)\b"),
    ("area_km2", rf"\b{_QUAL}{_NUM}\s+(?:square\s+kilomet(?:er|re)s|sq\.?\s*km|km2|km²)"),
))
_ONE_PERSON = {
    "killed": _Gated(rf"(?<!\w)(?:killed|killing)\s+(?:a|an)\s+(?:[\w-]+\s+){{0,2}}?{_PERSON}\b", ("kill",)),
    "injured": _Gated(rf"(?<!\w)(?:injured|injuring|wounded|wounding)\s+(?:a|an)\s+(?:[\w-]+\s+){{0,2}}?{_PERSON}\b",
                      ("injur", "wound")),
}
_LIST_OF_PERSONS = {
    "killed": _Gated(rf"(?<!\w)(?:killed|killing)\s+((?:his|her|their|the|a|an|two|three)?\s*(?:[\w-]+\s+)?{_PERSON}"
                     rf"(?:\s*(?:,|and)\s*(?:his|her|their|the|a|an)?\s*(?:[\w-]+\s+)?{_PERSON})+)", ("kill",)),
    "injured": _Gated(rf"(?<!\w)(?:injured|injuring|wounded|wounding)\s+((?:his|her|their|the|a|an)?\s*(?:[\w-]+\s+)?"
                      rf"{_PERSON}(?:\s*(?:,|and)\s*(?:his|her|their|the|a|an)?\s*(?:[\w-]+\s+)?{_PERSON})+)",
                      ("injur", "wound")),
}


def _to_int(token: str) -> int | None:
    token = " ".join(token.lower().split())
    if token in _NUMBER_WORDS:
        return _NUMBER_WORDS[token]
    try:
        value = float(token.replace(",", ""))
    except ValueError:
        return None
    return int(value) if value < 10**9 else None


def _numbers(text: str, gates: int | None = None) -> dict[str, int]:
    """Counts stated in ``text``: drones, missiles, killed, injured, downed, troops, area_km2."""
    text = _lower(text)
    if gates is None:
        gates = _gates(text)
    out: dict[str, int] = {}
    for key, rx in _NUMBER_RULES:
        if key in out or not gates & rx.bit:
            continue
        m = rx.rx.search(text)
        if m:
            value = _to_int(m.group(1))
            if value is not None:
                out[key] = value
    for key in ("killed", "injured"):
        if key in out:
            continue
        many = _LIST_OF_PERSONS[key].search(text, gates)
        if many:
            out[key] = len(re.split(r"\s*(?:,|\band\b)\s*", many.group(1).strip()))
        elif _ONE_PERSON[key].search(text, gates):
            out[key] = 1
    return out


# --- dates -------------------------------------------------------------------------------

_MONTHS = {name: i for i, names in enumerate(
    [("January", "Jan"), ("February", "Feb"), ("March", "Mar"), ("April", "Apr"), ("May",), ("June", "Jun"),
     ("July", "Jul"), ("August", "Aug"), ("September", "Sept", "Sep"), ("October", "Oct"),
     ("November", "Nov"), ("December", "Dec")], 1) for name in names}
_WEEKDAYS = {d: i for i, d in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                         "Saturday", "Sunday"))}
_MONTH_RX = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("mdy", re.compile(rf"\b({_MONTH_RX})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b")),
    ("dmy", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RX})\.?(?:,?\s+(\d{{4}}))?\b")),
    ("month", re.compile(rf"\b(?:in|during|on|early|late|mid-?)\s+(?:early\s+|late\s+|mid-?)?({_MONTH_RX})(?:\s+(\d{{4}}))?\b")),
    ("today", re.compile(r"\b(?:overnight|tonight|today|this\s+morning|this\s+afternoon|this\s+evening"
                         r"|earlier\s+today|early\s+hours)\b", re.I)),
    ("yesterday", re.compile(r"\b(?:yesterday|last\s+night)\b", re.I)),
    ("weekday", re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    ("this_month", re.compile(r"\b(?:earlier\s+|later\s+)?this\s+month\b", re.I)),
    ("last_month", re.compile(r"\blast\s+month\b", re.I)),
    ("this_week", re.compile(r"\bthis\s+week\b", re.I)),
    ("last_week", re.compile(r"\blast\s+week\b", re.I)),
    ("this_year", re.compile(r"\b(?:earlier\s+)?this\s+year\b", re.I)),
    ("last_year", re.compile(r"\blast\s+year\b", re.I)),
    ("year", re.compile(r"\bin\s+((?:19|20)\d{2})\b")),
)
_SINCE_BEFORE = re.compile(r"\b(?:since|until|till|by|from)\s+(?:early\s+|late\s+|mid-?)?$", re.I)
_REPORT_BEFORE = re.compile(rf"\b{_REPORT}(?:\s+\w+)?\s+$", re.I)


def _month_back(day: dt.date, months: int) -> tuple[int, int]:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return y, m + 1


def _resolve_one(kind: str, m: re.Match[str], ref: dt.date | None) -> tuple[str, str] | None:
    def full(y: int, mo: int, d: int) -> tuple[str, str] | None:
        try:
            return dt.date(y, mo, d).isoformat(), "day"
        except ValueError:
            return None

    if kind == "iso":
        return full(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if kind in ("mdy", "dmy", "month"):
        if kind == "mdy":
            month, day, year = _MONTHS[m.group(1)], int(m.group(2)), m.group(3)
        elif kind == "dmy":
            day, month, year = int(m.group(1)), _MONTHS[m.group(2)], m.group(3)
        else:
            month, day, year = _MONTHS[m.group(1)], None, m.group(2)
        if year is None:
            if ref is None:
                return None
            # a month named without a year is the latest one not after the article
            y = ref.year if (month, day or 1) <= (ref.month, ref.day) else ref.year - 1
        else:
            y = int(year)
        return full(y, month, day) if day else (f"{y:04d}-{month:02d}", "month")
    if ref is None:
        return None
    if kind == "today":
        return ref.isoformat(), "day"
    if kind == "yesterday":
        return (ref - dt.timedelta(days=1)).isoformat(), "day"
    if kind == "weekday":
        back = (ref.weekday() - _WEEKDAYS[m.group(1)]) % 7
        return (ref - dt.timedelta(days=back)).isoformat(), "day"
    if kind in ("this_month", "last_month", "this_week", "last_week"):
        if kind.endswith("week"):
            day = ref - dt.timedelta(days=7 if kind == "last_week" else 0)
            return f"{day.year:04d}-{day.month:02d}", "month"
        y, mo = _month_back(ref, 1 if kind == "last_month" else 0)
        return f"{y:04d}-{mo:02d}", "month"
    if kind == "this_year":
        return f"{ref.year:04d}", "year"
    if kind == "last_year":
        return f"{ref.year - 1:04d}", "year"
    if kind == "year":
        return m.group(1), "year"
    return None


_MONTH_KEYS = tuple(sorted({m[:3].lower() for m in _MONTHS}))
_DATE_KEYS: dict[str, tuple[str, ...]] = {
    "iso": ("-",), "mdy": _MONTH_KEYS, "dmy": _MONTH_KEYS, "month": _MONTH_KEYS,
    "today": ("overnight", "tonight", "today", "morning", "afternoon", "evening", "early hours"),
    "yesterday": ("yesterday", "last night"), "weekday": ("day",), "this_month": ("month",),
    "last_month": ("month",), "this_week": ("week",), "last_week": ("week",), "this_year": ("year",),
    "last_year": ("year",), "year": ("in 1", "in 2"),
}


_DATE_GATES = {kind: _new_gate(keys) for kind, keys in _DATE_KEYS.items()}


def resolve_date(text: str, article_date: dt.date | None) -> tuple[str | None, str, bool]:
    """(ISO date at its precision, precision, explicit) for the incident ``text`` reports.

    Expressions that date the telling rather than the event ("said Saturday") are used only
    when nothing else dates it; "since August" dates nothing. Without any expression the
    article date is used (``explicit`` False); without that the date is unknown.
    """
    return _resolve_date(text, article_date, _gates(_lower(text)))


def _resolve_date(text: str, article_date: dt.date | None, gates: int) -> tuple[str | None, str, bool]:
    found: list[tuple[int, bool, tuple[str, str], int]] = []
    for kind, rx in _DATE_RULES:
        if not gates & _DATE_GATES[kind]:
            continue
        for m in rx.finditer(text):
            before = text[max(0, m.start() - 20):m.start()]
            if _SINCE_BEFORE.search(before):
                continue
            value = _resolve_one(kind, m, article_date)
            if value is not None:
                found.append((m.start(), bool(_REPORT_BEFORE.search(before)), value, m.end()))
    # of overlapping expressions ("on June 5" is a month and a day) the most precise counts
    found = [f for f in found if not any(g is not f and g[0] < f[3] and f[0] < g[3]
                                         and len(g[2][0]) > len(f[2][0]) for g in found)]
    if found:
        found.sort(key=lambda f: (f[1], f[0]))
        date, precision = found[0][2]
        return date, precision, True
    if article_date is not None:
        return article_date.isoformat(), "day", False
    return None, "unknown", False


# --- places ------------------------------------------------------------------------------

_KIND_RANK = {"settlement": 0, "other": 0, "hromada": 1, "admin2": 2, "admin1": 3, "country": 4}
_PROMOTE_AFTER = re.compile(r"^(?:['’]s)?\s*(?:,\s*(?:a|the)\s+(?:[\w-]+\s+){0,2})?(?:region|regional|oblast"
                            r"|province|krai|incursion|offensive)\b", re.I)
_MADE_AFTER = re.compile(r"^-(?:made|built|supplied|provided|backed|led|based|born|designed|produced|funded)\b", re.I)
_JURISDICTION_BEFORE = re.compile(r"\b(?:governor|mayor|head|authorities|officials|administration)\s+(?:of|in)"
                                  r"\s+(?:the\s+)?$", re.I)
_JURISDICTION_AFTER = re.compile(r"^(?:['’]s)?\s+(?:acting\s+|regional\s+|city\s+)?(?:governor|mayor|authorities"
                                 r"|administration|head)\b", re.I)
_GOVERNOR_AFTER = re.compile(r"^(?:['’]s)?\s+(?:acting\s+|regional\s+)?governor\b", re.I)
_REGION_OF_BEFORE = re.compile(r"\bgovernor\s+of\s+(?:the\s+)?$", re.I)
_ANAPHOR = _rx(r"\b(?:the|this|that)\s+(?:attacks?|strikes?|raids?|refinery|depot|terminal|facility|plant"
               r"|region|city|town|village|area|fire|blaze|explosions?|incident|assault|shelling|oblast)\b"
               r"|\bthere\b")


def precision_of(place: Place) -> str:
    """The event precision a gazetteer entry gives (ACLED geo-precision idea)."""
    if place.kind == "country":
        return "country"
    if place.kind in ("admin1", "admin2"):
        return "region"
    if place.kind == "hromada" or place.precision in ("hromada_centre", "anchor"):
        return "hromada"
    return "settlement"


def geo_precision(precision: str) -> int | None:
    """ACLED's geo_precision code: 1 settlement, 2 hromada (near a town), 3 region or country."""
    return {"settlement": 1, "hromada": 2, "region": 3, "country": 3}.get(precision)


@dataclass(slots=True)
class _Candidate:
    mention: Mention
    place: Place
    start: int                 # offsets in Article.text of the name as written
    end: int
    reference: bool            # "near X", "outside X": a reference point, not the scene


def _candidates(text: str, sent: Sentence, mentions: Sequence[Mention],
                gazetteer: _Gazetteer | None) -> list[_Candidate]:
    out: list[_Candidate] = []
    for mention in mentions:
        place = mention.place
        if place is None or not mention.literal or mention.role in ("demonym", "dateline"):
            continue
        before = text[max(sent.start, mention.start - _WINDOW):mention.start]
        after = text[mention.end:min(sent.end, mention.end + _WINDOW)]
        if _FROM_BEFORE.search(before[-12:]) or _MADE_AFTER.match(after[:20]):
            continue                        # "soldiers from North Korea"; "US-made"
        promote = _PROMOTE_AFTER.match(after[:40])
        # "Ukraine said", "Kyiv struck", "Russia attacked": actors, unless the name stands
        # for its jurisdiction ("Kursk governor said"); that rarer test runs only when needed
        if ((_is_speaker(after, before) or _INSTITUTION_AFTER.match(after[:60]) or _is_subject(after))
                and not (promote or _JURISDICTION_BEFORE.search(before[-30:])
                         or _JURISDICTION_AFTER.match(after[:40]))):
            continue
        if place.kind == "country" and (_BY_BEFORE.search(before[-40:]) or _SAID_BEFORE.search(before[-25:])):
            continue
        if (gazetteer is not None and place.kind in ("settlement", "other") and place.admin1
                and (promote or _REGION_OF_BEFORE.search(before[-30:])
                     or _GOVERNOR_AFTER.match(after[:40]))):
            try:
                place = gazetteer.admin1(place.admin1)
            except LookupError:
                pass
        out.append(_Candidate(mention, place, mention.start, mention.end,
                              bool(_REFERENCE_BEFORE.search(before[-40:]))))
    if not out:
        return out
    best = min(_KIND_RANK.get(c.place.kind, 0) for c in out)
    top = [c for c in out if _KIND_RANK.get(c.place.kind, 0) == best]
    scene = [c for c in top if not c.reference]
    top = scene or top
    unique: dict[str, _Candidate] = {}
    for c in top:
        unique.setdefault(c.place.id, c)
    top = list(unique.values())
    return top[:1] if best >= _KIND_RANK["country"] else top


# --- drafts and events -------------------------------------------------------------------

@dataclass(slots=True)
class _Draft:
    etype: str
    types: dict[str, list[str]]
    place: Place
    name: str
    name_start: int            # in Article.text; == name_end when the place is inferred
    name_end: int
    anchor: int                # the sentence holding the place
    sentences: set[int]        # every sentence that reported it (the excerpt is the run around anchor)
    date: str | None
    date_precision: str
    date_explicit: bool
    actors: dict[str, str]
    numbers: dict[str, int]
    score: float
    how: str                   # "named", "inherited", "country"


def _fold(into: _Draft, other: _Draft | None = None, *, types: dict[str, list[str]] | None = None,
          sentence: int | None = None, numbers: dict[str, int] | None = None,
          actors: dict[str, str] | None = None) -> None:
    if other is not None:
        types, numbers, actors = other.types, other.numbers, other.actors
        into.sentences |= other.sentences
        if not into.date_explicit and other.date_explicit and other.date_precision == "day":
            into.date, into.date_precision, into.date_explicit = other.date, other.date_precision, True
    for t, words in (types or {}).items():
        into.types.setdefault(t, [])
        into.types[t] += [w for w in words if w not in into.types[t]]
    for k, v in (numbers or {}).items():
        into.numbers.setdefault(k, v)
    for k, v in (actors or {}).items():
        into.actors.setdefault(k, v)
    if sentence is not None:
        into.sentences.add(sentence)


def _primary(types: dict[str, list[str]]) -> str:
    return next(t for t in _PRIORITY if t in types)


def _contains(coarse: Place, fine: Place) -> bool:
    if coarse.kind == "country":
        return fine.kind != "country" and fine.country == coarse.country
    if coarse.kind == "admin1":
        return fine.kind not in ("country", "admin1") and bool(fine.admin1) and fine.admin1 == coarse.admin1
    return False


def dates_compatible(a_date: str | None, b_date: str | None, *, days: int = 1) -> bool:
    """Same incident dates: both unknown; or equal at the coarser precision; two days at most
    ``days`` apart (an overnight strike is dated either side of midnight)."""
    if a_date is None or b_date is None:
        return a_date is None and b_date is None
    if len(a_date) == 10 and len(b_date) == 10:
        try:
            delta = abs((dt.date.fromisoformat(a_date) - dt.date.fromisoformat(b_date)).days)
        except ValueError:
            return a_date == b_date
        return delta <= days
    n = min(len(a_date), len(b_date))
    return a_date[:n] == b_date[:n]


_HOW_BONUS = {"named": 0.15, "inherited": 0.05, "country": 0.0}


def _confidence(d: _Draft) -> float:
    words = sum(len(v) for v in d.types.values())
    score = 0.3 + 0.3 * max(0.0, min(1.0, d.score)) + min(0.2, 0.07 * words)
    score += _HOW_BONUS[d.how]
    score += 0.05 if d.date_explicit else 0.0
    if d.how == "country":
        score = min(score, 0.6)
    return round(max(0.05, min(0.99, score)), 2)


def _event_id(article_id: str, etype: str, place_key: str, offset: int) -> str:
    raw = f"{article_id}|{etype}|{place_key}|{offset}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def _country_place(cc: str, mentions: Sequence[Mention], gazetteer: _Gazetteer | None) -> Place | None:
    for m in mentions:
        if m.place is not None and m.place.kind == "country" and m.place.country == cc:
            return m.place
    if gazetteer is not None:
        try:
            return gazetteer.country(cc)
        except LookupError:
            return None
    return None


def extract_events(article: Article, mentions: Sequence[Mention], *,
                   gazetteer: _Gazetteer | None = None) -> list[Event]:
    """The incidents ``article`` reports, one per (type, place), in text order.

    ``mentions`` are the geoparser's resolved mentions (offsets into ``article.text``).
    ``gazetteer`` (optional) promotes a town used for its region to the region and gives
    the country point of country-level events whose country is not mentioned by name.
    """
    text = article.text
    sentences = split_sentences(text)
    by_sentence: dict[int, list[Mention]] = {}
    ordered = sorted(mentions, key=lambda m: m.start)
    si = 0
    for m in ordered:
        while si < len(sentences) and sentences[si].end <= m.start:
            si += 1
        if si < len(sentences) and sentences[si].start <= m.start and m.end <= sentences[si].end:
            by_sentence.setdefault(si, []).append(m)

    drafts: list[_Draft] = []
    last_event_sentence: int | None = None
    last_drafts: list[_Draft] = []
    candidates_of: dict[int, list[_Candidate]] = {}

    def candidates(i: int) -> list[_Candidate]:
        if i not in candidates_of:
            candidates_of[i] = _candidates(text, sentences[i], by_sentence.get(i, []), gazetteer)
        return candidates_of[i]

    sentence_gates = _sentence_gates(text, sentences)
    for sent in sentences:
        gates = sentence_gates[sent.index]
        if sent.heading or not _may_trigger(gates):
            continue
        s_text = text[sent.start:sent.end]
        found = _classify(_lower(s_text), gates)
        if not found:
            continue
        cands = candidates(sent.index)
        types = {t: [w for w, _ in v] for t, v in found.items()}
        etype = _primary(types)
        anchor = found[etype][0][1]
        # where the event goes is decided first: a third of the typed sentences give
        # nothing, and the actors, numbers and date below are the costly part
        fold = False
        inherited: tuple[int, list[_Candidate]] | None = None
        if not cands:
            recent = (last_event_sentence is not None and sent.index - last_event_sentence <= 2
                      and not any(sentences[i].heading for i in range(last_event_sentence, sent.index)))
            same_par = recent and sentences[last_event_sentence].paragraph == sent.paragraph
            fold = bool(recent and (same_par or _ANAPHOR.search(s_text)))
            if not fold:
                for back in (1, 2):
                    j = sent.index - back
                    if j < 0 or sentences[j].paragraph != sent.paragraph or sentences[j].heading:
                        break
                    if candidates(j):
                        inherited = (j, candidates(j))
                        break
                if inherited is None and etype not in _FALLBACK_TYPES:
                    continue
        sent_mentions = by_sentence.get(sent.index, [])
        local = [(m.start - sent.start, m.end - sent.start, m) for m in sent_mentions]
        refs = _actor_refs(s_text, local)
        sided = etype in _SIDED_TYPES
        sides = _sides(s_text, refs, etype) if sided else None
        actors = _actors(sides, etype, anchor=anchor) if sides else {}
        numbers = _numbers(s_text, gates)
        date, precision, explicit = _resolve_date(s_text, article.date, gates)
        if not cands:
            if fold:
                for d in last_drafts:
                    _fold(d, types=types, sentence=sent.index, numbers=numbers, actors=actors)
                last_event_sentence = sent.index
                continue
            if inherited is not None:
                j, cands_j = inherited
                new = [_Draft(etype, dict(types), c.place, c.mention.text, c.start, c.end, anchor=j,
                              sentences={j, sent.index}, date=date, date_precision=precision,
                              date_explicit=explicit, actors=dict(actors), numbers=dict(numbers),
                              score=c.mention.score, how="inherited") for c in cands_j]
            else:                                       # one of _FALLBACK_TYPES
                target = actors.get("target")
                if target is None and actors.get("attacker") in ("RU", "UA"):
                    # in this war an attack by one side lands on the other
                    target = "UA" if actors["attacker"] == "RU" else "RU"
                    actors["target"] = target
                place = _country_place(target, ordered, gazetteer) if target else None
                if place is None:
                    continue
                names = {place.name, *place.alt_names}
                named = next((r for r in refs if r.cc == target and s_text[r.start:r.end] in names), None)
                if named is not None:
                    n_start, n_end = sent.start + named.start, sent.start + named.end
                    name = text[n_start:n_end]
                else:
                    n_start = n_end = sent.start
                    name = place.name
                new = [_Draft(etype, dict(types), place, name, n_start, n_end, anchor=sent.index,
                              sentences={sent.index}, date=date, date_precision=precision,
                              date_explicit=explicit, actors=dict(actors), numbers=dict(numbers),
                              score=0.5, how="country")]
        else:
            new = []
            for c in cands:
                own = _actors(sides, etype, place_cc=c.place.country, anchor=anchor) if sides else {}
                new.append(_Draft(etype, dict(types), c.place, c.mention.text, c.start, c.end,
                                  anchor=sent.index, sentences={sent.index}, date=date,
                                  date_precision=precision, date_explicit=explicit, actors=own,
                                  numbers=dict(numbers), score=c.mention.score, how="named"))
        drafts.extend(new)
        last_drafts = new
        last_event_sentence = sent.index

    drafts = _merge_in_article(drafts)
    return [_to_event(article, d, sentences) for d in sorted(drafts, key=lambda d: (d.name_start, d.etype))]


def _merge_in_article(drafts: list[_Draft]) -> list[_Draft]:
    import bisect

    kept: list[_Draft] = []
    groups: dict[tuple[str, str], list[_Draft]] = {}
    for d in drafts:
        group = groups.setdefault((d.etype, d.place.id), [])
        same = next((k for k in group if dates_compatible(k.date, d.date, days=0)), None)
        if same is not None:
            _fold(same, d)
            continue
        group.append(d)
        kept.append(d)
    # a region- or country-level report and a settlement-level report of the same type,
    # a few sentences apart, are one incident told at two scales; coarsest first, so a
    # country report can fold into a region report that then folds into a settlement
    by_anchor = sorted(kept, key=lambda k: k.anchor)
    anchors = [k.anchor for k in by_anchor]
    dropped: set[int] = set()
    for d in sorted(kept, key=lambda k: -_KIND_RANK.get(k.place.kind, 0)):
        if d.place.kind not in ("country", "admin1"):
            continue
        lo, hi = bisect.bisect_left(anchors, d.anchor - 3), bisect.bisect_right(anchors, d.anchor + 3)
        fine = next((k for k in by_anchor[lo:hi] if k is not d and id(k) not in dropped and k.etype == d.etype
                     and _contains(d.place, k.place) and dates_compatible(k.date, d.date, days=0)), None)
        if fine is not None:
            _fold(fine, d)
            dropped.add(id(d))
    return [d for d in kept if id(d) not in dropped]


def _to_event(article: Article, d: _Draft, sentences: Sequence[Sentence]) -> Event:
    text = article.text
    # the excerpt is one contiguous verbatim run: the sentences around the place's sentence
    # that this event covers, at most four
    lo = hi = d.anchor
    while lo - 1 in d.sentences and d.anchor - (lo - 1) < 4:
        lo -= 1
    while hi + 1 in d.sentences and (hi + 1) - lo < 4:
        hi += 1
    ex_start, ex_end = sentences[lo].start, sentences[hi].end
    if not (ex_start <= d.name_start <= d.name_end <= ex_end):
        ex_start, ex_end = sentences[d.anchor].start, sentences[d.anchor].end
    excerpt = clean_text(text[ex_start:ex_end])
    if d.name_start == d.name_end:
        p_start = p_end = 0
    else:
        p_start, p_end = d.name_start - ex_start, d.name_end - ex_start
    numbers = d.numbers                    # folded sentences have added theirs
    etype = d.etype
    tags = tuple(t for t in _PRIORITY if t in d.types and t != etype)
    triggers = tuple(dict.fromkeys(w for t in (etype, *tags) for w in d.types.get(t, [])))
    place = d.place
    actors = {k: d.actors[k] for k in ("attacker", "target", "claimed_by") if k in d.actors}
    return Event(
        event_id=_event_id(article.id, etype, place.id or d.name, sentences[d.anchor].start),
        event_type=etype,
        place_name=clean_text(d.name),
        precision=precision_of(place),
        excerpt=excerpt,
        place_start=p_start,
        place_end=p_end,
        article_id=article.id,
        tags=tags,
        place_id=place.id,
        place_kind=place.kind,
        lat=float(place.lat) if place.lat is not None else None,
        lon=float(place.lon) if place.lon is not None else None,
        country=place.country,
        admin1=place.admin1 if place.kind != "country" else None,
        date=d.date,
        date_precision=d.date_precision,
        actors=actors,
        numbers=dict(sorted(numbers.items())),
        confidence=_confidence(d),
        triggers=tuple(clean_text(t) for t in triggers),
        sources=(clean_text(article.source),),
        article=clean_text(article.source),
    )


# --- merging across articles -------------------------------------------------------------

def incident_key(event: Event) -> tuple[str, str] | None:
    """What two reports must share to be one incident (then dates must be compatible)."""
    if not event.place_id:
        return None
    return event.event_type, event.place_id


def same_incident(a: Event, b: Event) -> bool:
    """Same primary type, same gazetteer place, compatible dates (see :func:`dates_compatible`)."""
    key = incident_key(a)
    return key is not None and key == incident_key(b) and dates_compatible(a.date, b.date)


def merge_events(events: Iterable[Event]) -> list[Event]:
    """One event per incident: a later report of an incident already seen adds its article to
    the first report's ``sources`` (and its tags and triggers). The first report of each
    incident, in input order, is kept; this is also what the store does when articles are
    added in the same order."""
    out: list[Event] = []
    clusters: dict[tuple[str, str], list[int]] = {}
    for ev in events:
        key = incident_key(ev)
        if key is not None:
            for i in clusters.get(key, []):
                rep = out[i]
                if dates_compatible(rep.date, ev.date):
                    out[i] = _absorb(rep, ev)
                    break
            else:
                clusters.setdefault(key, []).append(len(out))
                out.append(ev)
            continue
        out.append(ev)
    return out


def _absorb(rep: Event, other: Event) -> Event:
    sources = tuple(dict.fromkeys(rep.sources + other.sources))
    if len(sources) == len(rep.sources) and rep.article_id == other.article_id:
        return rep
    tags = tuple(t for t in _PRIORITY if (t in rep.tags or t in other.tags) and t != rep.event_type)
    triggers = tuple(dict.fromkeys(rep.triggers + other.triggers))
    numbers = {**other.numbers, **rep.numbers}
    actors = {**other.actors, **rep.actors}
    confidence = round(min(0.99, max(rep.confidence, other.confidence) + 0.05), 2)
    return dataclasses.replace(rep, sources=sources, tags=tags, triggers=triggers,
                               numbers=dict(sorted(numbers.items())), actors=actors, confidence=confidence)


# --- tables ------------------------------------------------------------------------------

def event_record(ev: Event) -> dict[str, object]:
    """One event as a row of the events table (``EVENT_COLUMNS``, lists and dicts as text)."""
    return {
        "event_id": ev.event_id,
        "event_type": ev.event_type,
        "type_label": EVENT_TYPES.get(ev.event_type, ev.event_type),
        "tags": LIST_SEP.join(ev.tags),
        "place_name": ev.place_name,
        "place_id": ev.place_id,
        "place_kind": ev.place_kind,
        "precision": ev.precision,
        "country": ev.country,
        "admin1": ev.admin1,
        "border_km": ev.border_km,
        "side": ev.side,
        "date": ev.date,
        "date_precision": ev.date_precision,
        "actors": json.dumps(ev.actors, ensure_ascii=False, sort_keys=True),
        "numbers": json.dumps(ev.numbers, ensure_ascii=False, sort_keys=True),
        "excerpt": ev.excerpt,
        "place_start": ev.place_start,
        "place_end": ev.place_end,
        "article": ev.article,
        "article_id": ev.article_id,
        "sources": LIST_SEP.join(ev.sources),
        "confidence": ev.confidence,
        "triggers": LIST_SEP.join(ev.triggers),
        "lat": ev.lat,
        "lon": ev.lon,
    }


def empty_events_frame() -> gpd.GeoDataFrame:
    """A GeoDataFrame with no rows and the events table's columns and dtypes."""
    import geopandas as gpd
    import pandas as pd

    data = {c: pd.Series([], dtype="float64" if c in _FLOAT_COLUMNS else
                         "int64" if c in _INT_COLUMNS else object) for c in EVENT_COLUMNS}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")


def events_to_frame(events: Iterable[Event]) -> gpd.GeoDataFrame:
    """Events as a GeoDataFrame: exactly ``EVENT_COLUMNS`` plus Point geometry, EPSG:4326."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    rows = [event_record(ev) for ev in events]
    if not rows:
        return empty_events_frame()
    frame = pd.DataFrame.from_records(rows, columns=list(EVENT_COLUMNS))
    for c in _FLOAT_COLUMNS:
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    for c in _INT_COLUMNS:
        frame[c] = frame[c].astype("int64")
    lon, lat = frame["lon"].to_numpy(), frame["lat"].to_numpy()
    ok = np.isfinite(lon) & np.isfinite(lat)
    geoms = np.full(len(frame), None, dtype=object)
    geoms[ok] = shapely.points(lon[ok], lat[ok])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326")


def frame_to_geojson(frame: gpd.GeoDataFrame, *, indent: int | None = None) -> str:
    """A GeoJSON FeatureCollection, one Feature per row, properties named as the columns.
    List and dict fields stay text exactly as in the table, so the round trip is lossless."""
    import math

    features = []
    columns = [c for c in frame.columns if c != frame.geometry.name]
    records = frame[columns].to_dict(orient="records")
    for record, geom in zip(records, frame.geometry, strict=True):
        props = {}
        for k, v in record.items():
            if isinstance(v, float) and math.isnan(v):
                v = None
            elif hasattr(v, "item"):          # numpy scalars
                v = v.item()
            props[k] = v
        geometry = None
        if geom is not None and not geom.is_empty:
            geometry = {"type": "Point", "coordinates": [round(geom.x, 6), round(geom.y, 6)]}
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=indent)


#: ACLED's names first (where one exists), then ours.
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
    "civilian_targeting", "country", "admin1", "location", "latitude", "longitude", "geo_precision",
    "source", "notes", "fatalities",
    "borderline_type", "type_label", "tags", "place_id", "place_kind", "precision", "border_km", "side",
    "date_precision", "actors", "numbers", "place_start", "place_end", "article", "article_id",
    "confidence", "triggers",
)
_ACLED_TYPES = {
    "drone_strike": ("Explosions/Remote violence", "Air/drone strike"),
    "missile_strike": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "energy_strike": ("Explosions/Remote violence", None),
    "air_defense": ("Strategic developments", "Disrupted weapons use"),
    "ground_assault": ("Battles", "Armed clash"),
    "territorial_change": ("Battles", "Armed clash"),
    "troop_deployment": ("Strategic developments", "Other"),
    "civilian_casualties": ("Explosions/Remote violence", None),
    "political": ("Strategic developments", "Agreement"),
}


def _acled_type(etype: str, tags: str) -> tuple[str, str]:
    cat, sub = _ACLED_TYPES.get(etype, ("Strategic developments", "Other"))
    if sub is None:
        if "missile_strike" in tags:
            sub = "Shelling/artillery/missile attack"
        elif "drone_strike" in tags:
            sub = "Air/drone strike"
        elif etype == "civilian_casualties":
            cat, sub = "Violence against civilians", "Attack"
        else:
            sub = "Shelling/artillery/missile attack"
    return cat, sub


def frame_to_acled(frame: pd.DataFrame) -> pd.DataFrame:
    """The events table with ACLED's column names and vocabulary where one exists
    (``event_type``/``sub_event_type`` are ACLED's categories; ours is ``borderline_type``)."""
    import pandas as pd

    def col(name: str) -> pd.Series:
        return frame[name] if name in frame else pd.Series([None] * len(frame), index=frame.index)

    types = [_acled_type(str(t), str(g or "")) for t, g in zip(col("event_type"), col("tags"), strict=True)]

    def actor(js: object, key: str) -> str | None:
        try:
            return json.loads(js).get(key) if isinstance(js, str) and js else None
        except (ValueError, AttributeError):
            return None

    def number(js: object, key: str) -> int | None:
        value = actor(js, key)
        return int(value) if isinstance(value, (int, float)) else None

    out = pd.DataFrame({
        "event_id_cnty": col("event_id"),
        "event_date": col("date"),
        "time_precision": col("date_precision").map({"day": 1, "month": 3, "year": 3}),
        "event_type": [t[0] for t in types],
        "sub_event_type": [t[1] for t in types],
        "actor1": [actor(a, "attacker") for a in col("actors")],
        "actor2": [actor(a, "target") for a in col("actors")],
        "civilian_targeting": ["Civilian targeting" if t == "civilian_casualties" else None
                               for t in col("event_type")],
        "country": col("country"),
        "admin1": col("admin1"),
        "location": col("place_name"),
        "latitude": col("lat"),
        "longitude": col("lon"),
        "geo_precision": col("precision").map(geo_precision),
        "source": col("sources"),
        "notes": col("excerpt"),
        "fatalities": [number(n, "killed") for n in col("numbers")],
        "borderline_type": col("event_type"),
    }, index=frame.index)
    for c in ACLED_COLUMNS:
        if c not in out:
            out[c] = col(c)
    out["time_precision"] = out["time_precision"].astype("Int64")
    out["geo_precision"] = out["geo_precision"].astype("Int64")
    out["fatalities"] = out["fatalities"].astype("Int64")
    out = out[list(ACLED_COLUMNS)].reset_index(drop=True)
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(_defuse_formula)
    return out


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defuse_formula(value: object) -> object:
    # Spreadsheets run a cell that starts with one of these as a formula (CSV injection);
    # a leading apostrophe keeps it text. Article text reaches the CSV verbatim otherwise.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
