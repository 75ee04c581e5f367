"""Shared by the benchmarks: each one rewrites its own section of bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

__all__ = ["write_section", "machine_line", "RESULTS"]

RESULTS = Path(__file__).with_name("RESULTS.md")


def machine_line() -> str:
    return (f"Machine: {os.cpu_count()} cores, {platform.machine()}, "
            f"Python {platform.python_version()}, {platform.system()}.")


def write_section(name: str, markdown: str, *, path: Path = RESULTS) -> None:
    """Replace (or append) the section delimited by ``<!-- name:start -->`` / ``<!-- name:end -->``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{markdown.rstrip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _m: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
