"""The per-type sentence cases of tests/events/<type>.toml through extraction (see README.md)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from test_events import extract

HERE = Path(__file__).resolve().parent


def load_cases() -> dict[str, dict]:
    """Type id -> its parsed case file."""
    return {p.stem: tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(HERE.glob("*.toml"))}


def _params(kind: str) -> list:
    out = []
    for etype, data in load_cases().items():
        marks = [pytest.mark.xfail(reason=data["untriggered"], strict=True)] if data.get("untriggered") else []
        for i, case in enumerate(data.get(kind, [])):
            own = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if case.get("xfail") else []
            code = case.get("lang", "en")
            out.append(pytest.param(etype, case, id=f"{etype}-{i}" + (f"-{code}" if code != "en" else ""),
                                    marks=marks + own))
    return out


@pytest.mark.parametrize(("etype", "case"), _params("case"))
def test_case_gives_its_type(etype: str, case: dict) -> None:
    events = extract(case["text"], lang=case.get("lang", "en"))
    hits = [e for e in events if e.event_type == etype
            and ("place" not in case or case["place"] in (e.place_name, e.excerpt[e.place_start:e.place_end]))]
    assert hits, [(e.event_type, e.place_name, e.tags) for e in events]
    if "tags" in case:
        assert any(list(e.tags) == case["tags"] for e in hits), [e.tags for e in hits]


@pytest.mark.parametrize(("etype", "case"), _params("not"))
def test_not_case_lacks_its_type(etype: str, case: dict) -> None:
    events = extract(case["text"], lang=case.get("lang", "en"))
    assert not [e for e in events if etype == e.event_type or etype in e.tags], \
        [(e.event_type, e.place_name, e.tags) for e in events]
