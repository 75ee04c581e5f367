"""Borderline: war reporting in, a layered event map out."""

__all__: list[str] = []
