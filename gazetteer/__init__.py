"""The local gazetteer: built from registry packages, queried offline."""

__all__: list[str] = []
