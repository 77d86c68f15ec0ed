"""Stopping a run cleanly: SIGTERM and SIGHUP (a closed terminal) end it as Ctrl-C does.

Python's default for SIGTERM is to die at once, mid-write, leaving a temporary file
behind; raised as Interrupted instead, every `finally` and cleanup on the way out runs.
The reading pool does so while it runs (a library caller's own handlers come back
after); the CLI does so for the whole run, Ctrl-C included, so that every stop ends in
the same one line and exit code (128 + the signal's number).
"""

from __future__ import annotations

import signal
from contextlib import contextmanager

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
HELD = {signal.SIGINT, *STOP_SIGNALS}


class Interrupted(BaseException):
    """A stop signal arrived. A BaseException, so that no `except Exception` swallows
    it and finally blocks run; not a KeyboardInterrupt, which Typer turns into a silent
    exit 130 whatever the signal was."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signal = signum

    def __str__(self) -> str:
        return signal.Signals(self.signal).name


def _interrupt(signum, _frame):
    raise Interrupted(signum)


class StopSignals:
    """SIGTERM and SIGHUP (and SIGINT, with `interrupt`) raise Interrupted inside the
    block (from the main thread only, where Python runs signal handlers); the previous
    handlers come back after."""

    def __init__(self, interrupt: bool = False):
        self.signals = (signal.SIGINT, *STOP_SIGNALS) if interrupt else STOP_SIGNALS

    def __enter__(self):
        self.previous = {}
        try:
            for signum in self.signals:
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


def held_from_now() -> None:
    """Ctrl-C, SIGTERM and SIGHUP wait from now until the process ends, where the
    platform can hold them: once a run has ended, a late stop changes nothing."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
