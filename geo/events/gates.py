"""Gates: which rules can match a text, from one Aho-Corasick pass over it.

Most sentences mention few of the lexicon's words, and finding every key of every rule in one
pass is far cheaper than scanning each sentence with each long alternation. A rule's keys are
*derived from its pattern* (:func:`gate_keys`): literal strings at least one of which occurs
in every match, so a gate can never be closed on text its pattern matches. The pass runs over
the lower-cased text with each run of whitespace folded to one space, and a key's ``\\s+`` is
one space, so a soft-wrapped "pulled\\nback" opens the gate of "pulled\\s+back" as "pulled
back" does.
"""

from __future__ import annotations

import bisect
import re
import re._constants as _c
import re._parser as _sre
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from geo.events.sentences import _lower

if TYPE_CHECKING:
    import ahocorasick

    from geo.events.sentences import Sentence

__all__ = ["gate_keys"]

#: Every gated rule's pattern, in order: rule ``i`` is open when its bit ``1 << i`` is set.
#: Its keys are derived when the automaton is first built (no work at import time).
_GATES: list[re.Pattern[str]] = []
_automaton: tuple[int, ahocorasick.Automaton] | None = None     # (gates it covers, automaton)
_LOADERS: list[Callable[[], object]] = []

#: How many distinct strings a sub-pattern may expand to and still count as literal text
#: ("wom[ae]n" is two keys, "(?:at\s+least|over|...)\s+" a dozen; beyond this, the parts).
_EXACT_LIMIT = 64
_SPACES = re.compile(r"\s+")
_NEEDS_FOLD = re.compile(r"\s{2,}|[^\S ]")          # what folding changes: runs, and \n, \t, ...
#: Whitespace other than a space and a line feed (what str.isspace accepts; checked by a test).
_OTHER_SPACES = ("\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
                 "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_OTHER_SPACE = re.compile(r"[^\S\n]")
#: Two or more whitespace characters with at most one line break: what may sit inside a
#: sentence (two line breaks end a paragraph, and so a sentence).
_INNER_RUN = re.compile(r" {2,}| *\n +| +\n")


def _fold_key(key: str) -> str:
    return _SPACES.sub(" ", key)


def _cross(a: frozenset[str], b: frozenset[str]) -> frozenset[str] | None:
    if len(a) * len(b) > _EXACT_LIMIT:
        return None
    return frozenset(_fold_key(x + y) for x in a for y in b)


def _best(candidates: Iterable[frozenset[str]]) -> frozenset[str] | None:
    """Of key sets that each alone cover every match, the most selective: the longest
    shortest key, then the fewest keys."""
    usable = [c for c in candidates if c and all(k.strip() for k in c)]
    if not usable:
        return None
    return max(usable, key=lambda c: (min(len(k) for k in c), -len(c)))


_Info = tuple["frozenset[str] | None", "frozenset[str] | None"]   # (every string it matches, keys)


def _key_char(ch: str) -> bool:
    """Whether a key may hold ``ch``: ASCII, or a Cyrillic letter (the scripts of the shipped
    and detected languages). Their lower case is one character and never depends on the
    letters around it, so a key found in a lower-cased text is found in any slice of it
    lower-cased alone (unlike a Greek sigma or a dotted İ)."""
    return ch.isascii() or ("\u0400" <= ch <= "\u04ff" and len(ch.lower()) == 1)


def _literal(code: int) -> _Info:
    ch = chr(code)
    if ch.isspace():
        return frozenset({" "}), None
    if not _key_char(ch):                 # lower-casing must work per character
        return None, None
    return frozenset({ch.lower()}), None


def _in(items: list) -> _Info:
    if items == [(_c.CATEGORY, _c.CATEGORY_SPACE)]:
        return frozenset({" "}), None
    if all(op is _c.LITERAL for op, _ in items):
        chars = [_literal(code)[0] for _, code in items]
        if all(c is not None for c in chars):
            return frozenset().union(*chars), None
    return None, None


def _repeat(lo: int, hi: int, sub: list) -> _Info:
    exact, keys = _seq(sub)
    if exact is not None:
        if exact == {" "} and lo >= 1:            # \s+: one space once folded
            return exact, None
        if hi <= 1:
            return (exact | {""}) if lo == 0 else exact, None
        if lo == hi and lo <= 4:
            out: frozenset[str] | None = frozenset({""})
            for _ in range(lo):
                out = _cross(out, exact) if out is not None else None
            if out is not None:
                return out, None
    if lo == 0:
        return None, None
    return None, keys if keys is not None else _best([exact] if exact else [])


def _node(op, av) -> _Info:
    if op is _c.LITERAL:
        return _literal(av)
    if op is _c.IN:
        return _in(av)
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return frozenset({""}), None                  # zero width
    if op is _c.SUBPATTERN:
        return _seq(av[-1])
    if op is _c.ATOMIC_GROUP:
        return _seq(av)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        return _repeat(av[0], av[1], av[2])
    if op is _c.BRANCH:
        infos = [_seq(branch) for branch in av[1]]
        exact: frozenset[str] | None = None
        if all(e is not None for e, _ in infos):
            exact = frozenset().union(*(e for e, _ in infos))
            if len(exact) > _EXACT_LIMIT:
                exact = None
        per_branch = [_best([k for k in (e, ks) if k is not None]) for e, ks in infos]
        keys = None if any(k is None for k in per_branch) else frozenset().union(*per_branch)
        return exact, keys
    return None, None                                 # any character, a class, a back-reference


def _flat(items) -> list:
    """``items`` with groups opened up: a group matches the same text inline (so
    ``in\\s+((?:19|20)\\d{2})`` gives "in 19", "in 20", not just "in ")."""
    out = []
    for op, av in items:
        if op is _c.SUBPATTERN:
            out.extend(_flat(av[-1]))
        else:
            out.append((op, av))
    return out


def _seq(items) -> _Info:
    items = _flat(items)
    candidates: list[frozenset[str]] = []
    run: frozenset[str] | None = frozenset({""})      # the literal text since the last break
    whole: frozenset[str] | None = frozenset({""})    # all of it, while it stays literal
    for op, av in items:
        exact, keys = _node(op, av)
        if exact is not None:
            grown = _cross(run, exact) if run is not None else None
            if grown is None:
                if run is not None:
                    candidates.append(run)
                grown = exact
            run = grown
        else:
            if run is not None:
                candidates.append(run)
            run = frozenset({""})
            if keys is not None:
                candidates.append(keys)
        whole = _cross(whole, exact) if whole is not None and exact is not None else None
    if run is not None:
        candidates.append(run)
    return whole, _best(candidates)


def _minimal(keys: frozenset[str]) -> frozenset[str]:
    """``keys`` without those that contain another key (they open nothing more)."""
    ordered = sorted(keys, key=len)
    kept: list[str] = []
    for k in ordered:
        if not any(s in k for s in kept):
            kept.append(k)
    return frozenset(kept)


def gate_keys(pattern: str | re.Pattern[str]) -> frozenset[str]:
    """Lower-case strings (ASCII, Cyrillic letters) at least one of which occurs in the
    lower-cased, whitespace-folded text of every match of ``pattern``. Raises ValueError for a pattern without such a set (it
    could match text without any fixed word: such a rule cannot be gated)."""
    source = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    exact, keys = _seq(_sre.parse(source))
    found = _best([k for k in (exact, keys) if k is not None])
    if found is None:
        raise ValueError(f"no gate keys can be derived from {source[:60]!r}")
    return _minimal(found)


def _new_gate(pattern: re.Pattern[str]) -> int:
    """The bit of a new gate, open when any of ``pattern``'s keys occurs in the folded text."""
    _GATES.append(pattern)
    return 1 << (len(_GATES) - 1)


def _gate_keysets() -> list[frozenset[str]]:
    """The keys of every gate, in bit order."""
    return [gate_keys(rx) for rx in _GATES]


class _Gated:
    """A lower-case regex run only when one of its gate keys occurs in the (lower-cased) text.
    The pass gives one int with a bit per open rule, so a rule's test is one ``&`` and a
    sentence's gates are computed once and shared by classification, numbers and dates."""

    __slots__ = ("rx", "bit")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.rx = re.compile(pattern, flags)
        self.bit = _new_gate(self.rx)

    def finditer(self, low: str, gates: int) -> list[re.Match[str]]:
        return list(self.rx.finditer(low)) if gates & self.bit else []

    def search(self, low: str, gates: int) -> re.Match[str] | None:
        return self.rx.search(low) if gates & self.bit else None


def _on_first_build(load: Callable[[], object]) -> None:
    """Have ``load`` (which creates gated rules) run before the automaton is first built, so
    that rules loaded lazily are gated from the first text on."""
    _LOADERS.append(load)


def _gate_automaton() -> ahocorasick.Automaton:
    """Every gate key, with its length - 1 and the bits of the gates it opens (built on
    first use, and again when rules loaded since add gates: no work at import time)."""
    global _automaton
    if _automaton is None:
        for load in _LOADERS:
            load()
    if _automaton is None or _automaton[0] != len(_GATES):
        import ahocorasick

        bits: dict[str, int] = {}
        for i, keys in enumerate(_gate_keysets()):
            for key in keys:
                bits[key] = bits.get(key, 0) | 1 << i
        automaton = ahocorasick.Automaton()
        for key, mask in bits.items():
            automaton.add_word(key, (len(key) - 1, mask))
        automaton.make_automaton()
        _automaton = (len(_GATES), automaton)
    return _automaton[1]


def _gates(low: str) -> int:
    """The bits of every gate with a key occurring in ``low`` (lower-cased text)."""
    if _NEEDS_FOLD.search(low):
        low = _SPACES.sub(" ", low)
    gates = 0
    for _end, (_back, mask) in _gate_automaton().iter(low):
        gates |= mask
    return gates


def _sentence_gates(text: str, sentences: Sequence[Sentence]) -> list[int]:
    """:func:`_gates` of each sentence's lower-cased text, from one pass over the article
    (one call instead of one per sentence). Lower-casing the whole text instead of each
    sentence differs at most in letters whose lower case depends on their neighbours or is
    longer (a final sigma, a dotted İ; :func:`_lower` keeps offsets), and no gate key holds
    one (:func:`_key_char`), so the gates are the same.

    The pass reads the text with each whitespace character as a space (offsets stay). That is
    the folded text except where whitespace characters meet: between sentences (a paragraph
    break, two line breaks) it changes nothing inside them, and the few sentences with such a
    run inside ("in  Sumy", "pulled \n back") get their own :func:`_gates`."""
    low = _lower(text)
    for ch in _OTHER_SPACES:
        if ch in low:
            low = _OTHER_SPACE.sub(" ", low)            # one for one: offsets stay
            break
    runs = ([m.start() for m in _INNER_RUN.finditer(low)]
            if "  " in low or " \n" in low or "\n " in low else [])   # substring tests are far cheaper
    if "\n" in low:
        low = low.replace("\n", " ")
    out = [0] * len(sentences)
    si, n = 0, len(sentences)
    for end, (back, mask) in _gate_automaton().iter(low):
        while si < n and sentences[si].end <= end:
            si += 1
        if si == n:
            break
        if end - back >= sentences[si].start:           # the key lies inside the sentence
            out[si] |= mask
    if runs:
        starts = [s.start for s in sentences]
        for at in runs:
            k = bisect.bisect_right(starts, at) - 1
            if k >= 0 and at < sentences[k].end:        # inside sentence k
                s = sentences[k]
                out[k] = _gates(low[s.start:s.end])
    return out
