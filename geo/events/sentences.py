"""Paragraphs and sentences with their offsets; text clean-up that keeps offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo import lang
from geo.lang import DEFAULT_LANGUAGE

__all__ = ["Sentence", "split_sentences", "clean_text", "SentenceRules", "sentence_rules", "clauses"]

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
# The lookbehind starts a match only at the first mark of a run ("....."): linear, not quadratic.
# It follows the first mark rather than preceding it so that the pattern starts with a
# character set, which lets the regex engine skip to the next mark instead of trying the
# lookbehind at every character (about 4x faster on a typical article).
_SENT_END = re.compile(r"[.!?…](?<![.!?…].)[.!?…]*[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9\u0400-\u04ff])")
#: A single letter before a full stop is an initial ("J. Smith", "В. Зеленський"), not a
#: sentence's end: a letter of the scripts Borderline reads (lower case).
_INITIAL = re.compile(r"[a-z\u0430-\u045f]")
#: The word a full stop ends (searched in at most 13 characters up to the stop).
_LAST_WORD = re.compile(r"([\w.]+)[.!?…]*$")
_FINAL_PUNCT = ".!?…\"”’)"
#: Marks a line ends on when the sentence goes on in the next line, in any language.
_WRAP_MARKS = r"[,;:\-–—]"


@dataclass(frozen=True, slots=True)
class SentenceRules:
    """One language's sentence words (``geo/lang/<lang>/sentences.toml``), compiled."""

    abbreviations: frozenset[str]        # lower case, without the final stop
    wrap_end: re.Pattern[str]            # a line that ends on this wraps into the next
    clause_marks: re.Pattern[str] | None = None   # what ends a clause (optional: see clauses())


@lang.per_data_language
def sentence_rules(code: str) -> SentenceRules:
    """The sentence words of a language (its data's: :func:`geo.lang.data_language`)."""
    data = lang.load("sentences", lang=code)
    words = "|".join(re.escape(w) for w in data["wrap_words"])
    marks = data.get("clause_marks")
    return SentenceRules(frozenset(w.lower() for w in data["abbreviations"]),
                         re.compile(rf"(?:\b(?:{words})|{_WRAP_MARKS})$", re.I),
                         re.compile(marks) if marks else None)


def clauses(text: str, rules: SentenceRules) -> list[tuple[int, int]]:
    """(start, end) of each clause of the sentence ``text``, split where ``clause_marks``
    matches (the marks belong to no clause); the whole text when the language has none."""
    if rules.clause_marks is None:
        return [(0, len(text))]
    out, start = [], 0
    for m in rules.clause_marks.finditer(text):
        if m.start() > start:
            out.append((start, m.start()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out or [(0, len(text))]


def _paragraphs(text: str, rules: SentenceRules) -> list[tuple[int, int, bool]]:
    """(start, end, heading) per paragraph. Blank lines and lines ending a sentence end a
    paragraph; a line that stops mid-phrase (on "of", "the", a comma...) or is followed by a
    lower-case line wraps into the next; any other short line without final punctuation
    that starts a paragraph is a heading, unless it is the whole text."""
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
        wraps = not ends and nxt is not None and bool(rules.wrap_end.search(line) or text[nxt[0]].islower())
        if cur is None and not ends and not wraps and len(line.split()) <= 14:
            out.append((s, e, True))
            continue
        cur = (cur[0] if cur else s, e)
        if not wraps:
            out.append((cur[0], cur[1], False))
            cur = None
    if cur:
        out.append((cur[0], cur[1], False))
    if len(out) == 1 and out[0][2]:
        # a text of one short line is a note ("Hospital in Kherson damaged by strike"), not a
        # heading over nothing
        out[0] = (out[0][0], out[0][1], False)
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


def split_sentences(text: str, *, lang: str = DEFAULT_LANGUAGE) -> list[Sentence]:
    """Sentences of ``text`` with their offsets, paragraph numbers and heading flags."""
    raw = _split_sentences(text, sentence_rules(lang))
    if all(s.end - s.start <= _MAX_SENTENCE for s in raw):
        return raw
    out: list[Sentence] = []
    for s in raw:
        for a, b in _cut(text, s.start, s.end):
            out.append(Sentence(a, b, len(out), s.paragraph, s.heading))
    return out


def _split_sentences(text: str, rules: SentenceRules) -> list[Sentence]:
    sentences: list[Sentence] = []
    for p_no, (ps, pe, heading) in enumerate(_paragraphs(text, rules)):
        if heading:
            sentences.append(Sentence(ps, pe, len(sentences), p_no, True))
            continue
        start = ps
        for m in _SENT_END.finditer(text, ps, pe):
            stop = m.start()
            if text[stop] == ".":           # "Gen.", "U.S.", "J. Smith" end no sentence
                word = _LAST_WORD.search(text, max(start, stop - 12), stop + 1)
                token = (word.group(1) if word else "").lower().rstrip(".")
                if token in rules.abbreviations or (len(token) == 1 and _INITIAL.match(token)):
                    continue
            end = m.end()
            sentences.append(Sentence(start, end, len(sentences), p_no, False))
            start = end
            while start < pe and text[start].isspace():
                start += 1
        if start < pe:
            sentences.append(Sentence(start, pe, len(sentences), p_no, False))
    return sentences


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
