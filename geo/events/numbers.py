"""Counts a sentence states: drones, missiles, killed, injured, downed, troops, area."""

from __future__ import annotations

import re

from geo.events.gates import _Gated, _gates
from geo.events.sentences import _lower

__all__: list[str] = []

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a dozen": 12, "dozen": 12,
                 "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100}
_NUM = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|a\s+dozen|dozen)"
_QUAL = r"(?:(?:at\s+least|more\s+than|over|about|around|nearly|almost|up\s+to|some|another)\s+)?"
_PERSON = (r"(?:people|persons?|civilians?|residents?|child(?:ren)?|boys?|girls?|teen(?:ager)?s?|wom[ae]n|m[ae]n"
           r"|mothers?|fathers?|sisters?|brothers?|sons?|daughters?|bab(?:y|ies)|infants?|pensioners?|workers?"
           r"|troops|soldiers|servicem[ae]n|fighters|passengers?)")
_NUMBER_RULES: tuple[tuple[str, _Gated], ...] = tuple((key, _Gated(re.sub(r"^\\b", r"(?<!\\w)", p)))
                                                      for key, p in (
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
    "killed": _Gated(rf"(?<!\w)(?:killed|killing)\s+(?:a|an)\s+(?:[\w-]+\s+){{0,2}}?{_PERSON}\b"),
    "injured": _Gated(rf"(?<!\w)(?:injured|injuring|wounded|wounding)\s+(?:a|an)\s+(?:[\w-]+\s+){{0,2}}?{_PERSON}\b"),
}
_LIST_OF_PERSONS = {
    "killed": _Gated(rf"(?<!\w)(?:killed|killing)\s+((?:his|her|their|the|a|an|two|three)?\s*(?:[\w-]+\s+)?{_PERSON}"
                     rf"(?:\s*(?:,|and)\s*(?:his|her|their|the|a|an)?\s*(?:[\w-]+\s+)?{_PERSON})+)"),
    "injured": _Gated(rf"(?<!\w)(?:injured|injuring|wounded|wounding)\s+((?:his|her|their|the|a|an)?\s*(?:[\w-]+\s+)?"
                      rf"{_PERSON}(?:\s*(?:,|and)\s*(?:his|her|their|the|a|an)?\s*(?:[\w-]+\s+)?{_PERSON})+)"),
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
