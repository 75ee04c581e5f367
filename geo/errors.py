"""Borderline's exceptions: one root, each subclass also the builtin that fits."""

from __future__ import annotations

__all__ = [
    "BorderlineError",
    "InputError",
    "GazetteerMiss",
    "GazetteerError",
    "StoreError",
    "BorderDataError",
    "LanguageDataError",
]


class BorderlineError(Exception):
    """Root of every error Borderline raises on purpose."""


class InputError(BorderlineError, ValueError):
    """An article or input file that cannot be read; the message names the file."""


class GazetteerMiss(BorderlineError, LookupError):
    """A name or id the gazetteer does not hold."""


class GazetteerError(BorderlineError, RuntimeError):
    """The gazetteer could not be built or opened."""


class StoreError(BorderlineError, RuntimeError):
    """The event store could not be read or written."""


class BorderDataError(BorderlineError, RuntimeError):
    """The shipped border geometry is missing or broken."""


class LanguageDataError(BorderlineError, RuntimeError):
    """A language's shipped data (``geo/lang/<lang>/``) is missing a file or a key, or is broken."""
