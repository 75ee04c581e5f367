"""Events of one article: typed sentences, their places, runs of sentences, merged within the article."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.events.actors import _actor_refs, _actors, _sides, merged_actors
from geo.events.dates import _resolve_date, date_rules, dates_compatible
from geo.events.gates import _gates, _sentence_gates
from geo.events.model import Event
from geo.events.numbers import _numbers, number_rules
from geo.events.places import _KIND_RANK, PlaceRules, _Candidate, _candidates, event_precision, place_rules
from geo.events.sentences import Sentence, _lower, clauses, clean_text, sentence_rules, split_sentences
from geo.events.sides import report_side
from geo.events.triggers import (
    _FALLBACK_TYPES, _PRIORITY, _SIDED_TYPES, _classify, _lexicon, _may_trigger, _primary,
)
from geo.lang import DEFAULT_LANGUAGE, data_language

if TYPE_CHECKING:
    from gazetteer.model import Place
    from geo.articles import Article
    from geo.protocols import GazetteerLike
    from geo.toponyms import Mention

__all__ = ["extract_events"]

@dataclass(frozen=True, slots=True)
class _Reading:
    """What a place's part of a sentence reports: its types (words and where), the primary one,
    where that one's first word is (in the sentence), and the counts."""

    found: dict[str, list[tuple[str, int]]]
    etype: str
    anchor: int
    numbers: dict[str, int]
    span: tuple[int, int] | None = None     # the part of the sentence it reads (None: all of it)


def _clause_readings(text: str, sent: Sentence, mentions: Sequence[Mention], gazetteer: GazetteerLike | None,
                     places: PlaceRules, code: str) -> list[tuple[_Candidate, _Reading]] | None:
    """The sentence's places each with its own part's reading, when the sentence chains clauses
    that each report something ("Ворог атакував Сумщину дронами, в Курахове загинули двоє":
    a drone strike on Sumy Oblast, deaths in Kurakhove); None when the sentence is one report (a
    language without clause marks, or only one clause that reports anything), and the whole
    sentence's reading and places stand.

    A part is a clause that reports something with the clauses after it that report nothing
    (the rest of a list of places); clauses before the first report join the first part. Each
    part's places are chosen as a sentence's are (:func:`geo.events.places._candidates`), so a
    region named in one part is not dropped for a town named in another."""
    s_text = text[sent.start:sent.end]
    spans = clauses(s_text, sentence_rules(code))
    if len(spans) < 2:
        return None
    found = []
    for a, b in spans:
        low = _lower(s_text[a:b])
        f = _classify(low, _gates(low), code)
        found.append({t: [(w, pos + a) for w, pos in words] for t, words in f.items()})
    starts = [k for k, f in enumerate(found) if f]
    if len(starts) < 2:
        return None
    groups: list[tuple[int, int, list[dict], list[_Candidate]]] = []    # (start, end, readings, places)
    for n, k in enumerate(starts):
        a = 0 if n == 0 else spans[k][0]
        b = spans[starts[n + 1] - 1][1] if n + 1 < len(starts) else len(s_text)
        part = Sentence(sent.start + a, sent.start + b, sent.index, sent.paragraph, sent.heading)
        mine = [m for m in mentions if part.start <= m.start and m.end <= part.end]
        cands = _candidates(text, part, mine, gazetteer, places)
        if cands:
            groups.append((a, b, [found[k]], cands))
        elif groups and (toll := {t: v for t, v in found[k].items() if t in _TOLL_TYPES}):
            # "атакували Запоріжжя ракетами, загинули дві людини": the dead of a part naming
            # no place are the place before's (what else such a part says is too bare to type:
            # "знищені ангари та літаки" names the target's aircraft, not an air strike)
            ga, _, fs, gc = groups[-1]
            groups[-1] = (ga, b, fs + [toll], gc)
    out: list[tuple[_Candidate, _Reading]] = []
    for a, b, fs, cands in groups:
        f = _merged(fs)
        etype = _primary({t: [w for w, _ in v] for t, v in f.items()})
        # the part's counts: its clauses' and those of the clauses after them that report
        # nothing of their own ("загинули дві людини, ще 11 поранені")
        reading = _Reading(f, etype, f[etype][0][1], _numbers(s_text[a:b], lang=code), (a, b))
        out += [(c, reading) for c in cands]
    return out or None


#: What a clause naming no place adds to the place before it: its casualties.
_TOLL_TYPES = frozenset({"civilian_casualties"})


def _merged(founds: Iterable[dict[str, list[tuple[str, int]]]]) -> dict[str, list[tuple[str, int]]]:
    """Clauses' triggers by type, as one reading's."""
    out: dict[str, list[tuple[str, int]]] = {}
    for f in founds:
        for t, words in f.items():
            out.setdefault(t, []).extend(words)
    return out


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
    near: bool = False         # the text puts it near the place, not at it
    rivals: int = 0            # other readings of the name, as likely and over 25 km away


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
    into.actors = merged_actors(into.actors, actors or {})
    if sentence is not None:
        into.sentences.add(sentence)


def _contains(coarse: Place, fine: Place) -> bool:
    if coarse.kind == "country":
        return fine.kind != "country" and fine.country == coarse.country
    if coarse.kind == "admin1":
        return fine.kind not in ("country", "admin1") and bool(fine.admin1) and fine.admin1 == coarse.admin1
    return False


_HOW_BONUS = {"named": 0.15, "inherited": 0.05, "country": 0.0}


def _confidence(d: _Draft) -> float:
    words = sum(len(v) for v in d.types.values())
    score = 0.3 + 0.3 * max(0.0, min(1.0, d.score)) + min(0.2, 0.07 * words)
    score += _HOW_BONUS[d.how]
    score += 0.05 if d.date_explicit else 0.0
    if d.how == "country":
        score = min(score, 0.6)
    if d.rivals:
        # the resolver could not tell this village from a namesake far away: on the ACLED dev
        # notes about two thirds of such pins are over 25 km off, against 8% of the others
        score = min(score - 0.2, 0.5)
    return round(max(0.05, min(0.99, score)), 2)


def _event_id(article_id: str, etype: str, place_key: str, offset: int) -> str:
    raw = f"{article_id}|{etype}|{place_key}|{offset}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def _country_place(cc: str, mentions: Sequence[Mention], gazetteer: GazetteerLike | None) -> Place | None:
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
                   gazetteer: GazetteerLike | None = None) -> list[Event]:
    """The incidents ``article`` reports, one per (type, place), in text order.

    ``mentions`` are the geoparser's resolved mentions (offsets into ``article.text``).
    ``gazetteer`` (optional) promotes a town used for its region to the region and gives
    the country point of country-level events whose country is not mentioned by name.
    The rules are those of the article's language (:attr:`Article.lang`), or the default
    language's where it has no data of its own (:func:`geo.lang.data_language`).
    """
    doc = _Document(article, mentions, gazetteer)
    drafts: list[_Draft] = []
    last_event_sentence: int | None = None
    last_drafts: list[_Draft] = []
    for sent in doc.sentences:
        typed = _typed(doc, sent)
        if typed is None:
            continue
        found, types, etype, anchor = typed
        cands = doc.candidates(sent.index)
        # where the event goes is decided first: a third of the typed sentences give
        # nothing, and the actors, numbers and date below are the costly part
        fold = False
        inherited: tuple[int, list[_Candidate]] | None = None
        if not cands:
            fold = _continues(doc, sent, last_event_sentence)
            if not fold:
                inherited = next(((j, doc.candidates(j)) for j in doc.just_before(sent.index)
                                  if doc.candidates(j)), None)
                if inherited is None and etype not in _FALLBACK_TYPES:
                    continue
        facts = _facts(doc, sent, etype, anchor)
        if fold:
            for d in last_drafts:
                _fold(d, types=types, sentence=sent.index, numbers=facts.numbers, actors=facts.actors)
            last_event_sentence = sent.index
            continue
        if cands:
            new = _named_drafts(doc, sent, cands, found, types, etype, anchor, facts)
        elif inherited is not None:
            new = _inherited_drafts(types, etype, inherited, facts, sentence=sent.index)
        else:                                           # one of _FALLBACK_TYPES
            new = _country_drafts(doc, sent, types, etype, facts)
            if not new:
                continue
        drafts.extend(new)
        last_drafts = new
        last_event_sentence = sent.index

    drafts = _merge_in_article(drafts)
    return [_to_event(article, d, doc.sentences) for d in sorted(drafts, key=lambda d: (d.name_start, d.etype))]


class _Document:
    """One article as the extraction reads it: its language's rules, its sentences with their
    gates and mentions, and what is worked out once per sentence (candidates, dates)."""

    def __init__(self, article: Article, mentions: Sequence[Mention], gazetteer: GazetteerLike | None) -> None:
        self.article, self.gazetteer = article, gazetteer
        self.text = text = article.text
        self.code = code = data_language(article.lang)
        # every gated rule of the language exists before the text's gates are computed
        _lexicon(code), number_rules(code)
        self.dates = date_rules(code)
        self.places = places = place_rules(code)
        # what "the enemy" names depends on the report's side; a language without such words needs none
        self.side = report_side(article) if places.actors.enemy or places.actors.own else None
        self.sentences = sentences = split_sentences(text, lang=code)
        self.ordered = sorted(mentions, key=lambda m: m.start)
        self.by_sentence: dict[int, list[Mention]] = {}
        si = 0
        for m in self.ordered:
            while si < len(sentences) and sentences[si].end <= m.start:
                si += 1
            if si < len(sentences) and sentences[si].start <= m.start and m.end <= sentences[si].end:
                self.by_sentence.setdefault(si, []).append(m)
        self.gates = _sentence_gates(text, sentences)
        self._candidates: dict[int, list[_Candidate]] = {}
        self._dates: dict[int, tuple[str | None, str, bool]] = {}

    def candidates(self, i: int) -> list[_Candidate]:
        if i not in self._candidates:
            self._candidates[i] = _candidates(self.text, self.sentences[i], self.by_sentence.get(i, []),
                                              self.gazetteer, self.places)
        return self._candidates[i]

    def sentence_date(self, i: int) -> tuple[str | None, str, bool]:
        if i not in self._dates:
            s = self.sentences[i]
            self._dates[i] = _resolve_date(self.text[s.start:s.end], self.article.date, self.gates[i], self.dates)
        return self._dates[i]

    def just_before(self, i: int) -> Iterator[int]:
        """The one or two sentences before ``i`` in its paragraph, nearest first (no heading)."""
        sentences = self.sentences
        for j in (i - 1, i - 2):
            if j < 0 or sentences[j].paragraph != sentences[i].paragraph or sentences[j].heading:
                return
            yield j

    def date_of(self, i: int) -> tuple[str | None, str, bool]:
        # a sentence that dates nothing itself goes on with the date its paragraph just gave
        # ("On 14 May, X was shelled. Two soldiers were killed."), before the article's
        own = self.sentence_date(i)
        if own[2]:
            return own
        return next((self.sentence_date(j) for j in self.just_before(i) if self.sentence_date(j)[2]), own)


def _typed(doc: _Document, sent: Sentence) -> tuple[dict, dict[str, list[str]], str, int] | None:
    """What the sentence reports: (triggers by type, their words by type, the primary type, where
    its first trigger is); None for a heading or a sentence that reports nothing."""
    gates = doc.gates[sent.index]
    if sent.heading or not _may_trigger(gates, doc.code):
        return None
    found = _classify(_lower(doc.text[sent.start:sent.end]), gates, doc.code)
    if not found:
        return None
    types = {t: [w for w, _ in v] for t, v in found.items()}
    etype = _primary(types)
    return found, types, etype, found[etype][0][1]


def _continues(doc: _Document, sent: Sentence, last: int | None) -> bool:
    """A sentence naming no place goes on with the event of one of the two before it (same
    paragraph, or it says so: "there", "the same village")."""
    sentences = doc.sentences
    recent = (last is not None and sent.index - last <= 2
              and not any(sentences[i].heading for i in range(last, sent.index)))
    same_par = recent and sentences[last].paragraph == sent.paragraph
    return bool(recent and (same_par or doc.places.anaphor.search(doc.text[sent.start:sent.end])))


@dataclass(slots=True)
class _Facts:
    """A typed sentence's actor references, sides, actors, numbers and date."""

    refs: list
    sides: object
    actors: dict[str, str]
    numbers: dict[str, int]
    date: str | None
    precision: str
    explicit: bool


def _facts(doc: _Document, sent: Sentence, etype: str, anchor: int) -> _Facts:
    s_text = doc.text[sent.start:sent.end]
    local = [(m.start - sent.start, m.end - sent.start, m) for m in doc.by_sentence.get(sent.index, [])]
    refs = _actor_refs(s_text, local, doc.places.actors, doc.side)
    sides = _sides(s_text, refs, etype, doc.places.actors) if etype in _SIDED_TYPES else None
    actors = _actors(sides, etype, anchor=anchor) if sides else {}
    numbers = _numbers(s_text, doc.gates[sent.index], lang=doc.code)
    return _Facts(refs, sides, actors, numbers, *doc.date_of(sent.index))


def _inherited_drafts(types: dict[str, list[str]], etype: str, inherited: tuple[int, list[_Candidate]],
                      facts: _Facts, *, sentence: int) -> list[_Draft]:
    """Events at the places of the sentence before, which told where ("X was hit. Two died.")."""
    j, cands_j = inherited
    return [_Draft(etype, dict(types), c.place, c.mention.text, c.start, c.end, anchor=j,
                   sentences={j, sentence}, date=facts.date, date_precision=facts.precision,
                   date_explicit=facts.explicit, actors=dict(facts.actors), numbers=dict(facts.numbers),
                   score=c.mention.score, how="inherited", near=c.near,
                   rivals=len(c.mention.rivals)) for c in cands_j]


def _country_drafts(doc: _Document, sent: Sentence, types: dict[str, list[str]], etype: str,
                    facts: _Facts) -> list[_Draft]:
    """A strike with no place named: at the target's country, where the actors say which."""
    actors = facts.actors
    target = actors.get("target")
    inferred = target is None and actors.get("attacker") in ("RU", "UA")
    if inferred:
        # in this war an attack by one side lands on the other
        target = "UA" if actors["attacker"] == "RU" else "RU"
        actors["target"] = target
    place = _country_place(target, doc.ordered, doc.gazetteer) if target else None
    if place is None:
        return []
    s_text = doc.text[sent.start:sent.end]
    names = {place.name, *place.alt_names}
    named = next((r for r in facts.refs if r.cc == target and s_text[r.start:r.end] in names), None)
    territory = doc.places.actors.territory_after
    if not (inferred or etype == "air_defense" or named is not None
            or any(r.cc == target and territory.match(s_text[r.end:r.end + 60]) for r in facts.refs)):
        # "удари по російських базах", "Russian positions": the side's forces, not its ground,
        # and they stand in Ukraine as often: the text does not say which country (a side that
        # shoots down drones defends its own sky: "Moscow said it had shot down 40 drones")
        return []
    if named is not None:
        n_start, n_end = sent.start + named.start, sent.start + named.end
        name = doc.text[n_start:n_end]
    else:
        n_start = n_end = sent.start
        name = place.name
    return [_Draft(etype, dict(types), place, name, n_start, n_end, anchor=sent.index,
                   sentences={sent.index}, date=facts.date, date_precision=facts.precision,
                   date_explicit=facts.explicit, actors=dict(actors), numbers=dict(facts.numbers),
                   score=0.5, how="country")]


def _named_drafts(doc: _Document, sent: Sentence, cands: list[_Candidate], found: dict,
                  types: dict[str, list[str]], etype: str, anchor: int, facts: _Facts) -> list[_Draft]:
    """Events at the places the sentence names; where it names several, each clause's own
    reading (type, numbers, sides) goes with the places in it."""
    sent_mentions = doc.by_sentence.get(sent.index, [])
    s_text = doc.text[sent.start:sent.end]
    readings = (_clause_readings(doc.text, sent, sent_mentions, doc.gazetteer, doc.places, doc.code)
                if len(sent_mentions) > 1 else None)
    whole = _Reading(found, etype, anchor, facts.numbers)
    new = []
    for c, r in readings or [(c, whole) for c in cands]:
        c_types = {t: [w for w, _ in v] for t, v in r.found.items()} if readings else types
        if readings and r.span is not None:    # a part's sides are its own words'
            part_refs = [x for x in facts.refs if r.span[0] <= x.start < r.span[1]]
            c_sides = _sides(s_text, part_refs, r.etype, doc.places.actors) if r.etype in _SIDED_TYPES else None
        else:
            c_sides = facts.sides
        own = _actors(c_sides, r.etype, place_cc=c.place.country, anchor=r.anchor) if c_sides else {}
        new.append(_Draft(r.etype, dict(c_types), c.place, c.mention.text, c.start, c.end,
                          anchor=sent.index, sentences={sent.index}, date=facts.date,
                          date_precision=facts.precision, date_explicit=facts.explicit, actors=own,
                          numbers=dict(r.numbers), score=c.mention.score, how="named", near=c.near,
                          rivals=len(c.mention.rivals)))
    return new


def _merge_in_article(drafts: list[_Draft]) -> list[_Draft]:
    import bisect

    kept: list[_Draft] = []
    groups: dict[tuple[str, str], list[_Draft]] = {}
    for d in drafts:
        group = groups.setdefault((d.etype, d.place.id), [])
        same = next((k for k in group if dates_compatible(k.date, d.date, days=0)), None)
        if same is not None:
            _fold(same, d)
            same.near = same.near and d.near        # "in X" and "near X": at X
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
    precision = event_precision(place, near=d.near)
    # a region's event is named as the region ("Oryol Oblast"), whatever word the text used
    # ("Oryol regional", "Donetsk" as a qualifier), and an event read in another language than
    # English as its place ("Pokrovsk" for "під Покровськом": the interface, its search and the
    # exports are in English); the excerpt still marks the words written
    by_place = precision == "region" or article.lang != DEFAULT_LANGUAGE
    name = place.name if by_place and place.name else d.name
    return Event(
        event_id=_event_id(article.id, etype, place.id or d.name, sentences[d.anchor].start),
        event_type=etype,
        place_name=clean_text(name),
        precision=precision,
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
        lang=article.lang,
    )
