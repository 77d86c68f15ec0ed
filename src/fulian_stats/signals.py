"""Stopping a run cleanly: SIGTERM and SIGHUP (a closed terminal) end it as Ctrl-C does.

Python's default for SIGTERM is to die at once, mid-write, leaving a temporary file
behind; raised as Interrupted instead, every `finally` and cleanup on the way out runs.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
HELD = {signal.SIGINT, *STOP_SIGNALS}


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived. A BaseException, so that no `except Exception`
    swallows it and finally blocks run; a KeyboardInterrupt, so that whatever already
    stops cleanly on Ctrl-C stops so on these too."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signal = signum

    def __str__(self) -> str:
        return signal.Signals(self.signal).name


def _interrupt(signum, _frame):
    raise Interrupted(signum)


class StopSignals:
    """SIGTERM and SIGHUP raise Interrupted inside the block (from the main thread only,
    where Python runs signal handlers); the previous handlers come back after."""

    def __enter__(self):
        self.previous = {}
        try:
            for signum in STOP_SIGNALS:
                self.previous[signum] = signal.signal(signum, _interrupt)
        except ValueError:  # not the main thread: the caller's own handlers stand
            pass
        return self

    def __exit__(self, *exc):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)


@contextmanager
def held():
    """Ctrl-C, SIGTERM and SIGHUP wait until the block is done (then arrive): for what
    must not be left half done, such as printing a JSON document or reaping workers."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
