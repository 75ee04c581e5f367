"""The date an incident happened, resolved against the article date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from geo import lang
from geo.events.actors import actor_rules
from geo.events.gates import _gates, _new_gate, _on_first_build
from geo.events.sentences import _lower
from geo.lang import DEFAULT_LANGUAGE, MONTH_NAMES, WEEKDAY_NAMES, alternation, calendar_forms

__all__ = ["resolve_date", "dates_compatible", "DateRules", "date_rules", "RULE_KINDS", "OPTIONAL_KINDS"]

#: The rules ``dates.toml`` holds, by kind, in the order they are tried (the calendar ones
#: first: an issue date is known before the relative words are read against it);
#: :func:`_resolve_one` says what each kind's match means.
RULE_KINDS = ("iso", "dmy_numeric", "mdy", "dmy", "month", "today", "yesterday", "day_before_yesterday",
              "weekday", "this_month", "last_month", "this_week", "last_week", "this_year", "last_year", "year")
#: Kinds a language may leave out: a way of writing dates it does not have (month-first dates,
#: "14.12.2024") or a word it lacks ("the day before yesterday").
OPTIONAL_KINDS = frozenset({"dmy_numeric", "mdy", "day_before_yesterday"})
#: Rules whose match can be an issue date.
_ISSUE_KINDS = frozenset({"iso", "dmy_numeric", "mdy", "dmy", "month", "weekday"})


@dataclass(frozen=True, slots=True)
class DateRules:
    """One language's date patterns (``geo/lang/<lang>/dates.toml``), compiled and gated."""

    months: dict[str, int]                          # form -> 1..12
    weekdays: dict[str, int]                        # form -> 0 (Monday) .. 6
    rules: tuple[tuple[str, re.Pattern[str], int], ...]   # (kind, pattern, gate bit), in order
    issue_before: re.Pattern[str]
    issue_after: re.Pattern[str]
    since_before: re.Pattern[str]
    report_before: re.Pattern[str]


@lang.per_data_language
def date_rules(code: str) -> DateRules:
    """The date patterns of a language (its data's: :func:`geo.lang.data_language`)."""
    data = lang.load("dates", lang=code)
    where = f"{code}/dates.toml"
    months = calendar_forms(data["months"], MONTH_NAMES, f"{where} [months]")
    weekdays = {form: n - 1 for form, n in calendar_forms(data["weekdays"], WEEKDAY_NAMES,
                                                          f"{where} [weekdays]").items()}
    base = {"month": alternation(months), "weekday": alternation(weekdays),
            "report": actor_rules(code).pieces["report"]}
    file = lang.pattern_file("dates", lang=code, base=base)

    def rx(table: str, name: str) -> re.Pattern[str]:
        return file.compile(name, table=table)

    rules = tuple((kind, rx("rules", kind)) for kind in RULE_KINDS
                  if kind not in OPTIONAL_KINDS or kind in data["rules"])
    return DateRules(months=months, weekdays=weekdays,
                     rules=tuple((kind, pattern, _new_gate(pattern)) for kind, pattern in rules),
                     issue_before=rx("patterns", "issue_before"), issue_after=rx("patterns", "issue_after"),
                     since_before=rx("patterns", "since_before"), report_before=rx("patterns", "report_before"))


_on_first_build(date_rules)


def _month_back(day: dt.date, months: int) -> tuple[int, int]:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return y, m + 1


def _resolve_one(kind: str, m: re.Match[str], ref: dt.date | None, rules: DateRules) -> tuple[str, str] | None:
    def full(y: int, mo: int, d: int) -> tuple[str, str] | None:
        try:
            return dt.date(y, mo, d).isoformat(), "day"
        except ValueError:
            return None

    if kind == "iso":
        return full(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if kind == "dmy_numeric":
        return full(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    if kind in ("mdy", "dmy", "month"):
        if kind == "mdy":
            month, day, year = rules.months[m.group(1)], int(m.group(2)), m.group(3)
        elif kind == "dmy":
            day, month, year = int(m.group(1)), rules.months[m.group(2)], m.group(3)
        else:
            month, day, year = rules.months[m.group(1)], None, m.group(2)
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
    if kind in ("yesterday", "day_before_yesterday"):
        return (ref - dt.timedelta(days=1 if kind == "yesterday" else 2)).isoformat(), "day"
    if kind == "weekday":
        back = (ref.weekday() - rules.weekdays[m.group(1)]) % 7
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


def resolve_date(text: str, article_date: dt.date | None, *,
                 lang: str = DEFAULT_LANGUAGE) -> tuple[str | None, str, bool]:
    """(ISO date at its precision, precision, explicit) for the incident ``text`` reports.

    Expressions that date the telling rather than the event ("said Saturday") are used only
    when nothing else dates it; "since August" dates nothing. A report's issue date ("as of
    19:30, 1 April", "updated 2 May", a dateline's "Dec 14 (Reuters)") never dates the event:
    it is the day the sentence's relative words count from ("overnight" as of 1 April is
    1 April), and the fallback when the article has no date. An explicit date of the event
    wins over both. Without any expression the article date is used (``explicit`` False);
    without either the date is unknown.
    """
    rules = date_rules(lang)          # before the gates: they must know its rules
    return _resolve_date(text, article_date, _gates(_lower(text)), rules)


def _resolve_date(text: str, article_date: dt.date | None, gates: int,
                  rules: DateRules) -> tuple[str | None, str, bool]:
    found: list[tuple[int, bool, tuple[str, str], int]] = []
    issued: list[tuple[int, int]] = []
    ref = article_date
    # the calendar rules come first in RULE_KINDS: an issue date is known before the
    # relative words ("overnight") are read against it; a weekday issue date ("updated
    # Saturday") counts from the article date
    for kind, rx, bit in rules.rules:
        if not gates & bit:
            continue
        for m in rx.finditer(text):
            before = text[max(0, m.start() - 60):m.start()]
            if rules.since_before.search(before[-20:]):
                continue
            if kind in _ISSUE_KINDS and (rules.issue_before.search(before)
                                         or rules.issue_after.match(text, m.end(), m.end() + 40)):
                issued.append((m.start(), m.end()))
                value = _resolve_one(kind, m, ref, rules)
                if value is not None and value[1] == "day" and len(issued) == 1:
                    ref = dt.date.fromisoformat(value[0])
                continue
            value = _resolve_one(kind, m, ref, rules)
            if value is not None:
                found.append((m.start(), bool(rules.report_before.search(before[-20:])), value, m.end()))
    # of overlapping expressions ("on June 5" is a month and a day) the most precise counts,
    # and none inside an issue date ("updated on June 5" is not "on June")
    found = [f for f in found if not any(g is not f and g[0] < f[3] and f[0] < g[3]
                                         and len(g[2][0]) > len(f[2][0]) for g in found)
             and not any(s < f[3] and f[0] < e for s, e in issued)]
    if found:
        found.sort(key=lambda f: (f[1], f[0]))
        date, precision = found[0][2]
        return date, precision, True
    fallback = article_date or ref
    if fallback is not None:
        return fallback.isoformat(), "day", False
    return None, "unknown", False


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
