"""The local gazetteer: built from registry packages, queried offline.

Open it with :meth:`Gazetteer.open` (or :func:`ensure_built` first); match names with
the pure functions in :mod:`gazetteer.names` (:func:`name_key`, a Latin skeleton every name
has; :func:`cyrillic_key`, which every Cyrillic name has too).  The builder (:mod:`gazetteer.build`) is
never imported at run time.
"""

from .errors import DumpFormatError, GazetteerBuildError, GazetteerNotBuilt
from .model import KINDS, POINT_PRECISIONS, Place
from .names import admin_form, cyrillic_key, name_key, token_key, tokens
from .query import Gazetteer, PlaceNotFound, default_cache_dir, ensure_built

__all__ = [
    "Gazetteer", "Place", "PlaceNotFound", "KINDS", "POINT_PRECISIONS",
    "GazetteerBuildError", "DumpFormatError", "GazetteerNotBuilt",
    "default_cache_dir", "ensure_built", "tokens", "token_key", "name_key", "cyrillic_key",
    "admin_form",
]
