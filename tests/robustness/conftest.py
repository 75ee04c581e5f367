"""Fixtures of the robustness suite and the figures printed at the end of the run.

- ``gazetteer`` comes from ``tests/conftest.py`` (the real one, built on first use).
- ``geoparser``: the real geoparser over it; ``pipeline``: gazetteer + geoparser + the real
  border (skips while ``geo.borders`` is missing).
- ``corpus``: short, distinct articles about strikes, assaults and visits near the border,
  written for these tests (no third-party text), as files in a session temp dir.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from _robustness import STATS  # noqa: E402


@pytest.fixture(scope="session")
def geoparser(gazetteer):
    from geo.resolution import Geoparser

    return Geoparser.build(gazetteer)


@pytest.fixture(scope="session")
def pipeline(gazetteer, geoparser):
    from geo.errors import BorderlineError
    from geo.pipeline import Pipeline

    borders = pytest.importorskip("geo.borders")
    try:
        border = borders.load_border()
    except BorderlineError as err:
        pytest.skip(f"the border is not available yet: {err}")
    return Pipeline(gazetteer=gazetteer, geoparser=geoparser, border=border)


# --- a corpus of short articles (written here; templates x places x dates) -----------------

_PLACES = ("Belgorod", "Kursk", "Bryansk", "Kharkiv", "Sumy", "Kupiansk", "Pokrovsk", "Kherson",
           "Zaporizhzhia", "Shebekino", "Novoshakhtinsk", "Dnipro", "Odesa", "Chernihiv", "Vovchansk",
           "Lgov", "Rylsk", "Kramatorsk", "Sloviansk", "Izium")
_TEMPLATES = (
    "Ukrainian drones struck an oil depot in {p} overnight, the regional governor said. A fire broke "
    "out and was put out by morning.",
    "A Russian missile strike on {p} killed {n} civilians and injured {m} on {wd}, local officials said.",
    "Russian forces launched an assault near {p}, and fighting continued through the day, the general "
    "staff said.",
    "Air defence units shot down {n} drones over {p} overnight, the defence ministry said.",
    "Artillery shelling hit {p} on {wd}, damaging a school and several houses, the mayor said.",
    "A drone attack on the power plant in {p} cut electricity to thousands of homes overnight.",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def corpus_texts(n: int, *, seed: int = 7) -> list[tuple[str, str]]:
    """``n`` (file name, text) pairs, each article distinct (two or three incidents each)."""
    import random

    rng = random.Random(seed)
    out = []
    day0 = dt.date(2024, 10, 1)
    for i in range(n):
        date = day0 + dt.timedelta(days=rng.randrange(90))
        paras = []
        for _ in range(rng.choice((2, 3))):
            t = rng.choice(_TEMPLATES)
            paras.append(t.format(p=rng.choice(_PLACES), n=rng.randrange(2, 40), m=rng.randrange(2, 40),
                                  wd=rng.choice(_WEEKDAYS)))
        paras.append(f"This is report number {i} of the robustness corpus.")
        out.append((f"article-{i:03d}.txt", f"date {date.isoformat()}\n\n" + "\n\n".join(paras) + "\n"))
    return out


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("rb-corpus")
    for name, text in corpus_texts(60):
        (d / name).write_text(text, encoding="utf-8")
    return d


# --- the figures at the end of the run ----------------------------------------------------

def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001
    if not STATS.inputs and not STATS.kills:
        return
    tr = terminalreporter
    tr.write_sep("-", "robustness")
    tr.write_line(f"robustness: inputs tried {STATS.inputs}, crashes {len(STATS.crashes)}, "
                  f"hangs {len(STATS.hangs)}, events lost {STATS.events_lost}, "
                  f"kills survived {STATS.kills_survived}"
                  + (f" (of {STATS.kills} kills)" if STATS.kills != STATS.kills_survived else ""))
    for what, items in (("crash", sorted(STATS.crashes)), ("hang", sorted(STATS.hangs))):
        for item in items:
            tr.write_line(f"  {what}: {item}")
    for note in STATS.notes:
        tr.write_line(f"  note: {note}")
