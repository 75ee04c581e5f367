"""The gazetteer's sources: one module per source, one registry (name -> class), in build order.

Model: geopy's ``geocoders`` package (``SERVICE_TO_GEOCODER`` and
``get_geocoder_for_service``).  Adding a country's village list is one new module here
(a :class:`~gazetteer.sources.base.Source` subclass stating its inputs and how it loads)
and one line in :data:`SOURCES`; the builder, the fingerprint and the schema need no edit.
Imported by the builder only, never at run time.
"""

from __future__ import annotations

from .admin1 import Admin1Table, Admin1Units
from .base import BuildContext, Rec, Source
from .countries import Countries
from .curated import Curated
from .geonames import Cities500, GeoNamesDumps
from .russia import RussianSettlements
from .ukraine import GeoNamesUkraine, Katottg

__all__ = ["SOURCES", "get_source", "Source", "BuildContext", "Rec", "Admin1Table",
           "GeoNamesDumps", "UnknownSource"]

#: Every named source, in build order: later ones merge into earlier ones (by id, or by
#: name and place).  User-given GeoNames dumps (:class:`GeoNamesDumps`) are read right
#: after ``countries``, before any other GeoNames source.
SOURCES: dict[str, type[Source]] = {
    "admin1": Admin1Units,
    "countries": Countries,
    "geonames_ua": GeoNamesUkraine,
    "cities500": Cities500,
    "katottg": Katottg,
    "ru_settlements": RussianSettlements,
    "curated": Curated,
}


class UnknownSource(ValueError):
    """No gazetteer source of that name."""


def get_source(name: str) -> type[Source]:
    """The source class registered under ``name``; :class:`UnknownSource` (a ValueError) if none."""
    try:
        return SOURCES[name]
    except KeyError:
        raise UnknownSource(f"unknown gazetteer source {name!r}; one of {', '.join(SOURCES)}") from None
