"""The operating system's side of the reading pool (pool.py): what caps a worker, where
its messages go, how its end is told and made."""

from __future__ import annotations

import os
import signal
import sys

from fulian_stats.read.limits import Limits

try:
    import resource
except ImportError:  # Windows, where nothing is forked either
    resource = None

DETAIL_BYTES = 400  # of what a worker wrote on stderr, kept as its failure's detail


def find_prctl():
    """Linux's prctl; elsewhere a worker learns of its parent's end from its task pipe."""
    try:
        import ctypes

        return ctypes.CDLL(None).prctl if sys.platform.startswith("linux") else None
    except (ImportError, OSError, AttributeError):
        return None


def cap_address_space(extra: int) -> None:
    """What the worker has mapped now (the forked parent's whole address space) plus
    `extra`: a library that asks for more gets an allocation failure, not the machine.
    No core files either: a crash on a hostile file would leave one in the user's folder."""
    if resource is None or not hasattr(resource, "RLIMIT_AS"):
        return
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
        with open("/proc/self/status", "rb") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith(b"VmSize:"))
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
        if soft == resource.RLIM_INFINITY or cap < soft:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (OSError, ValueError, StopIteration):
        pass  # no /proc, or a system that does not enforce RLIMIT_AS


def capture_file() -> int:
    if hasattr(os, "memfd_create"):  # in memory, no file to clean up
        return os.memfd_create("fulian-worker-stderr", os.MFD_CLOEXEC)
    import tempfile

    with tempfile.TemporaryFile() as f:
        return os.dup(f.fileno())


def last_bytes(data: bytes) -> str:
    """The last DETAIL_BYTES of `data`."""
    return data[-DETAIL_BYTES:].decode("utf-8", "replace").lstrip("\ufffd").strip()


def written(fd: int) -> str:
    """What a worker wrote on the file open at `fd`: its first line (where a native
    library says why it aborts, before a backtrace of any length) and its last bytes."""
    size = os.fstat(fd).st_size
    head = os.pread(fd, min(size, DETAIL_BYTES), 0).split(b"\n", 1)[0]
    tail = os.pread(fd, DETAIL_BYTES, max(0, size - DETAIL_BYTES))
    if size <= DETAIL_BYTES or head in tail:
        return last_bytes(tail)
    return head.decode("utf-8", "replace").strip() + "\n…\n" + last_bytes(tail)


def how_it_ended(status: int, reason: str | None, limits: Limits) -> str:
    if reason == "timeout":
        return f"killed after {limits.seconds_per_file:g} s on this item"
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exited with code {os.waitstatus_to_exitcode(status)}"


def kill(pid: int, wait: bool = True) -> int:
    """SIGKILL (nothing to a process already ended) and, with `wait`, its exit status."""
    try:
        os.kill(pid, signal.SIGKILL)
        return os.waitpid(pid, 0)[1] if wait else 0
    except (ProcessLookupError, ChildProcessError):
        return 0


def drain(fd: int, into: bytearray) -> bool:
    """Read what is there; True at the end of the stream."""
    while True:
        try:
            data = os.read(fd, 1 << 20)
        except BlockingIOError:
            return False
        if not data:
            return True
        into += data
