"""Counts a sentence states: drones, missiles, killed, injured, downed, troops, area."""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo import lang
from geo.events.gates import _Gated, _gates, _on_first_build
from geo.events.sentences import _lower
from geo.lang import DEFAULT_LANGUAGE

__all__ = ["NumberRules", "number_rules"]

@dataclass(frozen=True, slots=True)
class NumberRules:
    """One language's count patterns (``geo/lang/<lang>/numbers.toml``), compiled and gated."""

    values: dict[str, int]                       # number words
    thousands: str
    decimal: str
    list_separator: re.Pattern[str]
    rules: tuple[tuple[str, _Gated], ...]        # (count key, pattern), in order
    lists: dict[str, _Gated]                     # key -> a list of persons (group 1)
    one: dict[str, _Gated]                       # key -> one person


@lang.per_data_language
def number_rules(code: str) -> NumberRules:
    """The count patterns of a language (its data's: :func:`geo.lang.data_language`)."""
    file = lang.pattern_file("numbers", lang=code)
    data = file.data

    def gated(pattern: str, what: str) -> _Gated:
        # a leading \b as a lookbehind: the same matches, and the regex engine can skip ahead
        return _Gated(re.sub(r"^\\b", r"(?<!\\w)", file.regex(pattern, what)))

    return NumberRules(
        values={" ".join(k.split()): int(v) for k, v in data["values"].items()},
        thousands=data["thousands_separator"], decimal=data["decimal_mark"],
        list_separator=re.compile(data["list_separator"]),
        rules=tuple((r["key"], gated(r["pattern"], f"[[rules]] {r['key']}")) for r in data["rules"]),
        lists={k: gated(v, f"[list_of_persons] {k}") for k, v in data["list_of_persons"].items()},
        one={k: gated(v, f"[one_person] {k}") for k, v in data["one_person"].items()})


_on_first_build(number_rules)


def _to_int(token: str, rules: NumberRules) -> int | None:
    # an apostrophe inside a number word is written three ways ("п'ять", "п’ять", "пʼять")
    token = " ".join(token.lower().split()).replace("’", "'").replace("ʼ", "'")
    if token in rules.values:
        return rules.values[token]
    try:
        value = float(token.replace(rules.thousands, "").replace(rules.decimal, "."))
    except ValueError:
        return None
    return int(value) if value < 10**9 else None


def _numbers(text: str, gates: int | None = None, *, lang: str = DEFAULT_LANGUAGE) -> dict[str, int]:
    """Counts stated in ``text``: drones, missiles, killed, injured, downed, troops, area_km2."""
    rules = number_rules(lang)
    text = _lower(text)
    if gates is None:
        gates = _gates(text)
    out: dict[str, int] = {}
    for key, rx in rules.rules:
        if key in out or not gates & rx.bit:
            continue
        m = rx.rx.search(text)
        if m:
            value = _to_int(m.group(1), rules)
            if value is not None:
                out[key] = value
    for key, many_rx in rules.lists.items():
        if key in out:
            continue
        many = many_rx.search(text, gates)
        if many:
            out[key] = len(rules.list_separator.split(many.group(1).strip()))
        elif key in rules.one and rules.one[key].search(text, gates):
            out[key] = 1
    return out
