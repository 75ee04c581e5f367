"""Shared pieces of the robustness suite: the run's counters, a per-input time bound, and
the check that one call on hostile input ends in a result or an allowed, one-line error.

The counters are real: every test records what it tried, and ``conftest.py`` prints them at
the end of the run (``pytest_terminal_summary``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from hypothesis import HealthCheck, settings

__all__ = [
    "STATS",
    "Stats",
    "Hang",
    "time_bound",
    "survive",
    "profile",
    "REPO",
    "SHARED",
    "PYTHON",
    "BORDERLINE",
    "PAYLOADS",
    "one_line",
]

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
PYTHON = REPO / ".venv" / "bin" / "python"
BORDERLINE = REPO / ".venv" / "bin" / "borderline"

#: The payloads of ../shared/notes/stack-notes.md, plus a Jinja expression (branca compiles
#: rendered scripts as templates) and a Streamlit markdown directive.
PAYLOADS: tuple[str, ...] = (
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "${alert(1)}",
    "`${alert(1)}`",
    "C:\\users\\x",
    "{{ 7*7 }}",
    ":red[red] $x^2$",
)

T = TypeVar("T")


@dataclass
class Stats:
    inputs: int = 0
    crashes: set[str] = field(default_factory=set)    # distinct (stage, exception, where)
    hangs: set[str] = field(default_factory=set)      # distinct (stage, input kind)
    events_lost: int = 0
    kills: int = 0                                    # SIGKILLs that hit a running ingest
    kills_survived: int = 0                           # ... after which the store checked out
    notes: list[str] = field(default_factory=list)

    def tried(self, n: int = 1) -> None:
        self.inputs += n


STATS = Stats()


class Hang(BaseException):
    """Raised by the alarm inside a call that outlived its time bound. A BaseException, so
    the code under test cannot swallow it with ``except Exception``."""


@contextlib.contextmanager
def time_bound(seconds: float, what: str) -> Iterator[None]:
    """Raise :class:`Hang` in this (main) thread if the block runs longer than ``seconds``.

    pytest-timeout's signal method uses the same timer: its handler and remaining time are
    put back afterwards.
    """

    def on_alarm(signum, frame):  # noqa: ARG001
        raise Hang(f"{what}: still running after {seconds:g} s")

    old_handler = signal.signal(signal.SIGALRM, on_alarm)
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    start = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_delay:
            left = old_delay - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), old_interval)


def one_line(message: str) -> bool:
    return "\n" not in message and "\r" not in message and 0 < len(message) <= 400


def _where(err: BaseException) -> str:
    frames = traceback.extract_tb(err.__traceback__)
    ours = [f for f in frames if "/geo/" in f.filename or "/gazetteer/" in f.filename] or frames
    f = ours[-1] if ours else None
    return f"{Path(f.filename).name}:{f.lineno} {f.name}" if f else "?"


def survive(stage: str, fn: Callable[[], T], *, allowed: tuple[type[BaseException], ...] = (),
            seconds: float = 30.0, describe: str = "") -> T | BaseException:
    """Call ``fn`` on one hostile input: its result, or the allowed error it raised (whose
    message must be one line). A hang or any other exception is recorded and fails."""
    STATS.tried()
    try:
        with time_bound(seconds, stage):
            return fn()
    except Hang as err:
        STATS.hangs.add(f"{stage} ({describe[:60]})")
        raise AssertionError(f"{stage} hung: {err} on {describe[:200]!r}") from None
    except allowed as err:
        assert one_line(str(err)), f"{stage}: error message is not one line: {str(err)[:300]!r}"
        return err
    except Exception as err:  # noqa: BLE001 - any other exception is the crash we look for
        STATS.crashes.add(f"{stage}: {type(err).__name__} at {_where(err)}")
        raise AssertionError(f"{stage} crashed with {type(err).__name__}: {str(err)[:200]} "
                             f"at {_where(err)} on {describe[:200]!r}") from err


# --- hypothesis profiles -------------------------------------------------------------
# Applied per test (``@profile()``), never loaded globally, so the rest of the suite keeps
# its own settings. BORDERLINE_FUZZ=thorough runs many more examples.

settings.register_profile(
    "robustness-ci", max_examples=40, deadline=20_000, derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture], print_blob=True)
settings.register_profile(
    "robustness-thorough", parent=settings.get_profile("robustness-ci"), max_examples=1000)


def profile(max_examples: int | None = None) -> settings:
    """This suite's settings: the chosen profile, with ``max_examples`` scaled for costly tests."""
    name = "robustness-thorough" if os.environ.get("BORDERLINE_FUZZ") == "thorough" else "robustness-ci"
    base = settings.get_profile(name)
    if max_examples is None:
        return settings(base)
    scale = base.max_examples / 40
    return settings(base, max_examples=max(1, int(max_examples * scale)))
