"""Per-kind defaults shared by the gazetteer builder and the geoparser (one table, so the
weight a place gets at build time and at resolution time cannot drift apart)."""

from __future__ import annotations

__all__ = ["KIND_PRIOR"]

#: A place's weight before any context when its population is unknown, in units of
#: log10(population): a country outweighs any town, a village of unknown size is small.
KIND_PRIOR: dict[str, float] = {"country": 7.5, "admin1": 5.6, "admin2": 4.0, "hromada": 3.0,
                                "settlement": 2.0, "other": 1.0}
