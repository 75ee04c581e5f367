"""The date an incident happened, resolved against the article date."""

from __future__ import annotations

import datetime as dt
import re

from geo.events.actors import _REPORT
from geo.events.gates import _gates, _new_gate
from geo.events.sentences import _lower

__all__ = ["resolve_date", "dates_compatible"]

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
#: Dates that date the report, not the event: "as of 19:30, 1 April", "updated 2 May",
#: "published on June 5", "situation report of 3 March" (up to a time and its zone between).
_ISSUE_BEFORE = re.compile(
    r"\b(?:as\s+(?:of|at)|(?:last\s+)?updated?(?:\s+(?:on|at|as\s+of))?\s*:?|published(?:\s+on)?"
    r"|posted(?:\s+on)?|issued(?:\s+on)?|dated|(?:situation\s+)?(?:report|update|summary|briefing)\s+(?:of|for|dated))"
    r"\s+(?:(?:the\s+)?(?:morning|afternoon|evening|night|end)\s+of\s+)?"
    r"(?:(?:\d{1,2}[:.h]\d{2}|\d{1,2}\s*[ap]\.?m\.?)(?:\s*(?:hrs|hours|h))?"
    r"(?:\s+(?:kyiv|kiev|moscow|local|utc|gmt|cet|eet|eest|msk)(?:\s+time)?)?\s*,?\s*(?:on\s+)?)?$", re.I)
#: A dateline's date: "Dec 14 (Reuters) -".
_ISSUE_AFTER = re.compile(r"(?:,?\s*\d{4})?\s*[(/]\s*(?:Reuters|AFP|AP|dpa|Ukrinform|UNIAN|Interfax[\w-]*|TASS|RIA"
                          r"|Xinhua|Anadolu|Kyodo|Yonhap)\s*[)/]", re.I)
#: Rules whose match can be an issue date.
_ISSUE_KINDS = frozenset({"iso", "mdy", "dmy", "month", "weekday"})
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


_DATE_GATES = {kind: _new_gate(rx) for kind, rx in _DATE_RULES}


def resolve_date(text: str, article_date: dt.date | None) -> tuple[str | None, str, bool]:
    """(ISO date at its precision, precision, explicit) for the incident ``text`` reports.

    Expressions that date the telling rather than the event ("said Saturday") are used only
    when nothing else dates it; "since August" dates nothing. A report's issue date ("as of
    19:30, 1 April", "updated 2 May", a dateline's "Dec 14 (Reuters)") never dates the event:
    it is the day the sentence's relative words count from ("overnight" as of 1 April is
    1 April), and the fallback when the article has no date. An explicit date of the event
    wins over both. Without any expression the article date is used (``explicit`` False);
    without either the date is unknown.
    """
    return _resolve_date(text, article_date, _gates(_lower(text)))


def _resolve_date(text: str, article_date: dt.date | None, gates: int) -> tuple[str | None, str, bool]:
    found: list[tuple[int, bool, tuple[str, str], int]] = []
    issued: list[tuple[int, int]] = []
    ref = article_date
    # the calendar rules come first in _DATE_RULES: an issue date is known before the
    # relative words ("overnight") are read against it; a weekday issue date ("updated
    # Saturday") counts from the article date
    for kind, rx in _DATE_RULES:
        if not gates & _DATE_GATES[kind]:
            continue
        for m in rx.finditer(text):
            before = text[max(0, m.start() - 60):m.start()]
            if _SINCE_BEFORE.search(before[-20:]):
                continue
            if kind in _ISSUE_KINDS and (_ISSUE_BEFORE.search(before)
                                         or _ISSUE_AFTER.match(text, m.end(), m.end() + 40)):
                issued.append((m.start(), m.end()))
                value = _resolve_one(kind, m, ref)
                if value is not None and value[1] == "day" and len(issued) == 1:
                    ref = dt.date.fromisoformat(value[0])
                continue
            value = _resolve_one(kind, m, ref)
            if value is not None:
                found.append((m.start(), bool(_REPORT_BEFORE.search(before[-20:])), value, m.end()))
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
