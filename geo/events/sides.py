"""The side a report speaks for, which decides what its "the enemy" names.

Ukraine's General Staff and Russia's defence ministry both write "противник" (the enemy) for
the other side, and so do the outlets and channels that speak for each. A report's own side
is, the first found:

1. its outlet or channel (``geo/data/outlets.toml``): the article's ``source`` (a JSON Lines
   field, a Telegram export's channel name), the domain of its ``url``, or the channel of a
   ``https://t.me/<channel>/<id>`` url;
2. its language's default (``actors.toml`` ``[report_side] default``): Ukrainian reports speak
   for Ukraine (Russia's media and ministries do not publish in Ukrainian); Russian has none,
   since many Ukrainian outlets, administrations and channels write Russian;
3. the words only one side's reporting uses (``[report_side] UA`` and ``RU``: "оккупанты",
   "рашисты" against "киевский режим", "СВО"), when those of one side occur in the text and
   the other's do not;
4. otherwise none, and "the enemy" names no one.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from geo import lang
from geo.errors import LanguageDataError
from geo.lang import data_language

if TYPE_CHECKING:
    from geo.articles import Article

__all__ = ["SIDES", "report_side", "outlet_side", "SideCues", "side_cues"]

#: The sides a report can speak for.
SIDES = ("UA", "RU")
#: How much of a text its side's words are looked for in (enough for any report, bounded cost).
_CUE_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class _Outlets:
    names: re.Pattern[str]                  # a named group per side
    domains: dict[str, str]                 # domain -> side
    channels: dict[str, str]                # lower-case Telegram username -> side


@functools.cache
def _outlets() -> _Outlets:
    try:
        data = tomllib.loads(resources.files("geo").joinpath("data", "outlets.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise LanguageDataError(f"cannot read geo/data/outlets.toml: {err}") from err
    names: list[tuple[str, str]] = []
    domains: dict[str, str] = {}
    channels: dict[str, str] = {}
    for side in SIDES:
        entry = data.get(side, {})
        names += [(n, side) for n in entry.get("names", ())]
        domains.update((d.lower(), side) for d in entry.get("domains", ()))
        channels.update((c.lower(), side) for c in entry.get("channels", ()))
    # longest first: of two names that match at one place the longer is meant
    alternatives = {side: "|".join(re.escape(n) for n, s in sorted(names, key=lambda t: -len(t[0])) if s == side)
                    for side in SIDES}
    pattern = "|".join(f"(?P<{side}>{alt})" for side, alt in alternatives.items() if alt) or "(?!)"
    return _Outlets(re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.I), domains, channels)


def outlet_side(source: str | None, url: str | None = None) -> str | None:
    """The side of the outlet or channel named by ``source`` or ``url``, when
    ``geo/data/outlets.toml`` lists it (one side only; else None)."""
    outlets = _outlets()
    found: dict[str, int] = {}
    for m in outlets.names.finditer(source or ""):
        side = m.lastgroup or ""
        found[side] = max(found.get(side, 0), m.end() - m.start())
    if url:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host in ("t.me", "telegram.me"):
            channel = parts.path.strip("/").split("/")[0].lower()
            if channel == "s":                              # t.me/s/<channel>: the web preview
                channel = (parts.path.strip("/").split("/") + [""])[1].lower()
            side = outlets.channels.get(channel)
        else:
            labels = host.split(".")
            side = next((outlets.domains[".".join(labels[i:])] for i in range(len(labels) - 1)
                         if ".".join(labels[i:]) in outlets.domains), None)
        if side:
            found[side] = max(found.get(side, 0), 1_000)    # a domain or channel is certain
    if not found:
        return None
    best = max(found.values())
    sides = [s for s, n in found.items() if n == best]
    return sides[0] if len(sides) == 1 else None


@dataclass(frozen=True, slots=True)
class SideCues:
    """One language's ``[report_side]`` (``actors.toml``), compiled."""

    default: str | None
    cues: dict[str, re.Pattern[str]]        # side -> the words only its reporting uses


@functools.cache
def side_cues(language: str) -> SideCues:
    """The report-side words of ``language`` (its data's: :func:`geo.lang.data_language`)."""
    code = data_language(language)
    table = lang.load("actors", lang=code).get("report_side") or {}
    default = table.get("default") or None
    if default is not None and default not in SIDES:
        raise LanguageDataError(f"{code}/actors.toml [report_side]: default {default!r} is not one of {SIDES}")
    return SideCues(default, {side: re.compile(table[side]) for side in SIDES if table.get(side)})


def report_side(article: Article) -> str | None:
    """The side ``article`` speaks for ("UA", "RU"), or None (see the module docstring)."""
    side = outlet_side(article.source, article.url)
    if side:
        return side
    cues = side_cues(article.lang)
    if cues.default:
        return cues.default
    text = article.text[:_CUE_CHARS]
    present = [s for s, rx in cues.cues.items() if rx.search(text)]
    return present[0] if len(present) == 1 else None
