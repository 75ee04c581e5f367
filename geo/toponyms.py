"""Place names found in article text.

CONTRACT (implementation owned by the geoparser work): ``Mention`` is one
occurrence of a place name, before or after resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

from gazetteer.model import Place

__all__ = ["Mention"]


@dataclass(frozen=True, slots=True)
class Mention:
    start: int                 # offset into Article.text
    end: int
    text: str                  # surface form, Article.text[start:end]
    place: Place | None        # resolved entry, or None when unresolved
    score: float               # 0..1 confidence of the resolution
    literal: bool = True       # False for metonyms (Moscow as the Russian government)
    role: str = "name"         # "name", "demonym", "pattern" (found by context), "dateline"
