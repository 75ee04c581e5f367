"""The gazetteer's own exceptions.

The gazetteer imports nothing from ``geo``; ``geo.errors`` re-parents nothing here,
so these inherit the builtins directly and ``geo`` catches them by builtin or by name.
"""

from __future__ import annotations

__all__ = ["GazetteerBuildError", "DumpFormatError", "GazetteerNotBuilt"]


class GazetteerBuildError(RuntimeError):
    """Building the gazetteer failed; the previously built one is untouched."""


class DumpFormatError(GazetteerBuildError, ValueError):
    """A GeoNames dump line is malformed; the message carries file and line number."""

    def __init__(self, path: str, line_no: int, problem: str) -> None:
        super().__init__(f"{path}: line {line_no}: {problem}")
        self.path = path
        self.line_no = line_no
        self.problem = problem


class GazetteerNotBuilt(FileNotFoundError):
    """No built gazetteer where one was expected."""
