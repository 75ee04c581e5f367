"""Curated rows: ``gazetteer/data/curated.csv``, places none of the packages hold, each row
citing its source; a row without coordinates is placed at the entry it names as anchor."""

from __future__ import annotations

import csv
import io

from ..errors import GazetteerBuildError
from ..schema import INSERT_PLACE
from .base import BuildContext, Rec, Source, data_file

__all__ = ["Curated", "CURATED_COLUMNS"]

CURATED_COLUMNS = ("id", "name", "alt_names", "kind", "country", "admin1", "lat", "lon",
                   "anchor", "precision", "population", "admin2", "source", "note")


class Curated(Source):
    """Hand-curated places (input: ``curated``, a CSV in the same columns)."""

    name = "curated"
    data_files = (("curated.csv",),)

    def load(self, ctx: BuildContext) -> None:
        given = ctx.inputs.get(self.name)
        path = given or data_file("curated.csv")
        label = str(given) if given else "gazetteer/data/curated.csv"
        reader = csv.DictReader(io.StringIO(path.read_text("utf-8")))
        if tuple(reader.fieldnames or ()) != CURATED_COLUMNS:
            raise GazetteerBuildError(f"curated.csv: columns must be {','.join(CURATED_COLUMNS)}")
        n = 0
        for line_no, row in enumerate(reader, 2):
            ctx.con.execute(INSERT_PLACE, self._record(ctx, row, f"{label}: line {line_no}").row())
            n += 1
        ctx.say(f"curated: {n} places")

    @staticmethod
    def _record(ctx: BuildContext, row: dict[str, str], where: str) -> Rec:
        if not row["source"].strip():
            raise GazetteerBuildError(f"{where}: every row must cite its source")
        if row["lat"] and row["lon"]:
            lat, lon = float(row["lat"]), float(row["lon"])
        else:
            anchor = ctx.con.execute("SELECT lat, lon FROM places WHERE id = ?",
                                     (row["anchor"],)).fetchone()
            if anchor is None:
                raise GazetteerBuildError(f"{where}: anchor {row['anchor']!r} is not in the gazetteer")
            lat, lon = anchor
        code = row["admin1"] or None
        return Rec(
            id=row["id"], name=row["name"], kind=row["kind"], country=row["country"],
            admin1=code, admin1_name=ctx.admin1.name_of(code), lat=lat, lon=lon,
            population=int(row["population"]) if row["population"] else None,
            precision=row["precision"], source=f"curated: {row['source']}",
            alt_names=[a for a in row["alt_names"].split("|") if a],
            admin2=row["admin2"] or None, note=row["note"] or None,
        )
