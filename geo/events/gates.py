"""Gates: which rules can match a text, from one Aho-Corasick pass over it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from geo.events.sentences import _lower

if TYPE_CHECKING:
    import ahocorasick

    from geo.events.sentences import Sentence

__all__: list[str] = []

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
