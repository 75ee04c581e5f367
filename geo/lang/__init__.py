"""Language data: trigger lexicons and word lists, one folder per language (``geo/lang/en/``).

Data, not code: each language's rules are TOML files read with :mod:`importlib.resources`
on first use (nothing is read at import time). A new language is a new folder with the same
files; the code that reads them (:mod:`geo.events.triggers`) does not change.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from typing import Any

from geo.errors import InputError

__all__ = ["load", "LANGUAGES"]

#: Languages shipped.
LANGUAGES = ("en",)


@functools.cache
def load(name: str, *, lang: str = "en") -> dict[str, Any]:
    """The parsed ``geo/lang/<lang>/<name>.toml`` (cached: parsed once per process)."""
    if lang not in LANGUAGES:
        raise InputError(f"no language data for {lang!r} (have: {', '.join(LANGUAGES)})")
    path = resources.files(__name__).joinpath(lang, f"{name}.toml")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise InputError(f"cannot read language data {lang}/{name}.toml: {err}") from err
