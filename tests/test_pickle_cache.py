"""geo.pickle_cache: a cached object is built once, read back, rebuilt when damaged or foreign,
and its older pickles are removed."""

from __future__ import annotations

import pickle
from dataclasses import dataclass

from geo.pickle_cache import load_or_build


@dataclass(frozen=True)
class Box:
    value: int


def counting_builder(value: int):
    calls = []

    def build() -> Box:
        calls.append(1)
        return Box(value)
    return build, calls


def test_built_once_then_read_back(tmp_path):
    path = tmp_path / "thing-abc.pickle"
    build, calls = counting_builder(7)
    assert load_or_build(path, Box, build, family="thing-*.pickle") == Box(7)
    assert load_or_build(path, Box, build, family="thing-*.pickle") == Box(7)
    assert len(calls) == 1 and path.is_file()


def test_a_damaged_or_foreign_pickle_is_rebuilt(tmp_path):
    path = tmp_path / "thing-abc.pickle"
    path.write_bytes(b"\x80\x05not a pickle")
    build, calls = counting_builder(3)
    assert load_or_build(path, Box, build, family="thing-*.pickle") == Box(3)
    path.write_bytes(pickle.dumps({"a": 1}))
    assert load_or_build(path, Box, build, family="thing-*.pickle") == Box(3)
    assert len(calls) == 2


def test_older_pickles_of_the_family_go_and_others_stay(tmp_path):
    (tmp_path / "thing-old.pickle").write_bytes(b"x")
    (tmp_path / "other-old.pickle").write_bytes(b"x")
    load_or_build(tmp_path / "thing-new.pickle", Box, counting_builder(1)[0], family="thing-*.pickle")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-old.pickle", "thing-new.pickle"]


def test_no_path_builds_without_keeping(tmp_path):
    build, calls = counting_builder(5)
    assert load_or_build(None, Box, build, family="thing-*.pickle") == Box(5)
    assert load_or_build(None, Box, build, family="thing-*.pickle") == Box(5)
    assert len(calls) == 2 and not list(tmp_path.iterdir())
