"""Objects built once and kept as pickles in the cache directory (the geoparser's word lists).

A pickle is named by a digest of what it was built from, so an edit never meets a stale one;
a damaged or foreign pickle is rebuilt, and an unwritable cache only costs the next start-up
the build. Written to a temporary file and renamed, so a reader never sees half a pickle; the
older pickles of the same family are removed once the new one is in place.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

__all__ = ["load_or_build"]

T = TypeVar("T")


def load_or_build(path: Path | None, kind: type[T], build: Callable[[], T], *, family: str) -> T:
    """The ``kind`` pickled at ``path``, else ``build()`` saved there; ``family`` is the glob of
    the same object's older pickles in that directory (removed after a save). ``path`` None:
    built, not kept."""
    if path is not None:
        try:
            with path.open("rb") as fh:
                got = pickle.load(fh)
            if isinstance(got, kind):
                return got
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            pass  # absent or damaged: rebuilt
    got = build()
    if path is not None:
        _save(path, got, family)
    return got


def _save(path: Path, obj: object, family: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        for old in path.parent.glob(family):
            if old != path:
                old.unlink(missing_ok=True)  # made by an older version of this code
    except OSError:
        pass  # an unwritable cache only costs the next start-up the build
