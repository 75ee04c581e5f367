"""Runs ``borderline ingest`` (the real ``geo.cli.main``) in forked children, for the SIGKILL tests.

The driver imports everything and opens the pipeline once; each ``run`` forks a child that
runs the command, so a round costs the ingest itself, not Python's start-up, and many kills
fit in a short test. The children commit small batches often (``--commit-every``) so kills
land before, during and after commits.

Protocol (lines on stdin / stdout):
  run DATA_DIR      -> "pid N", then when the child ends "exit CODE" or "signal N"
  quit
Start: python _kill_driver.py CORPUS [--commit-every SECONDS] [--batch N]
"""

from __future__ import annotations

import argparse
import os
import sys


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--commit-every", type=float, default=None)
    ap.add_argument("--batch", type=int, default=None)
    args = ap.parse_args()

    import geo.cli
    import geo.ingest

    # Test-only tuning: more, smaller transactions per run (the store's guarantees must hold
    # for any batch size): ingest's own chunk_size / write_batch keywords, and its commit
    # interval.
    if args.commit_every is not None and hasattr(geo.ingest, "WRITE_EVERY_S"):
        geo.ingest.WRITE_EVERY_S = args.commit_every
    if args.batch is not None:
        import functools
        import inspect

        params = inspect.signature(geo.ingest.ingest).parameters
        tuned = {k: args.batch for k in ("chunk_size", "write_batch") if k in params}
        geo.ingest.ingest = functools.partial(geo.ingest.ingest, **tuned)
    # Warm the per-process pipeline cache so forked children start at once (an
    # optimisation only: without it each child opens the pipeline itself).
    warm = getattr(geo.ingest, "_pipeline", None)
    if warm is not None:
        warm(None)

    out = sys.stdout
    out.write("ready\n")
    out.flush()
    for line in sys.stdin:
        cmd, _, rest = line.strip().partition(" ")
        if cmd == "quit":
            break
        if cmd != "run":
            continue
        pid = os.fork()
        if pid == 0:  # the child: the real command line, stdout kept off the protocol pipe
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            code = 3
            try:
                code = geo.cli.main(["ingest", args.corpus, "--data", rest, "--workers", "1"])
            finally:
                sys.stderr.flush()
                os._exit(code)
        out.write(f"pid {pid}\n")
        out.flush()
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            out.write(f"signal {os.WTERMSIG(status)}\n")
        else:
            out.write(f"exit {os.WEXITSTATUS(status)}\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
