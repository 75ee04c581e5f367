"""The one gazetteer protocol the pipeline modules type against.

:class:`gazetteer.query.Gazetteer` satisfies it; tests pass small stand-ins. Extraction
(:mod:`geo.events`) and the pipeline use only :meth:`country` and :meth:`admin1`; the
geoparser (:mod:`geo.resolution`) uses all of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from gazetteer.model import Place

__all__ = ["GazetteerLike"]


class GazetteerLike(Protocol):
    """What Borderline needs of a gazetteer."""

    def candidates(self, key: str) -> list[Place]: ...
    def lookup(self, name: str, *, country: str | None = None, kind: str | None = None,
               limit: int = 25) -> list[Place]: ...
    def country(self, cc: str) -> Place: ...
    def admin1(self, code: str) -> Place: ...
    def key_stats(self) -> object: ...
