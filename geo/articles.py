"""Articles in: plain text, Markdown, HTML and JSON Lines.

CONTRACT (implementation owned by the geoparser work):
``Article`` is what every later stage reads. ``text`` is the body with metadata
(a leading ``date YYYY-MM-DD`` line, a dateline such as ``KYIV, UKRAINE —``) removed;
all offsets elsewhere in the pipeline are offsets into ``text``.
"""

from __future__ import annotations

from dataclasses import dataclass
import datetime as dt

__all__ = ["Article"]


@dataclass(frozen=True, slots=True)
class Article:
    id: str                      # stable: sha256 of source name + body text, first 16 hex
    source: str                  # file name, JSONL id, or "pasted"
    text: str                    # body text, metadata stripped
    date: dt.date | None = None  # publication date when known
    dateline: str | None = None  # e.g. "KYIV, UKRAINE" (where it was filed)
    title: str | None = None
    url: str | None = None
