"""Worker processes for reading files, in which a file can cost only itself.

A damaged or hostile file can make a native library abort the process, exhaust memory
or loop for ever, past every check made before the library sees the bytes. Each item is
therefore read in a forked worker under an address-space cap, watched by the parent
against a time limit. The parent knows which item each worker is on (a slot per worker
in shared memory): when a worker dies or overstays, that item fails, the rest of its
chunks go back to the queue, a fresh worker takes its place, and the run goes on at
full speed.

The parent runs no threads of its own: it forks replacement workers during a run, and a
fork while another thread holds a lock (an import, a logger) can leave the child
waiting on it for ever. A thread of the caller's that must not be cut in half by a fork
(an import) holds FORK_LOCK while it works; the pool forks only while holding it.
"""

from __future__ import annotations

import mmap
import os
import pickle
import re
import selectors
import signal
import struct
import sys
import threading
import time
import traceback
from collections import deque
from typing import Callable, Iterable, Iterator, TypeVar

from fulian_stats.read.limits import Limits
from fulian_stats.read.workers import (
    cap_address_space,
    capture_file,
    drain,
    find_prctl,
    how_it_ended,
    kill,
    last_bytes,
    written,
)
from fulian_stats.signals import HELD, STOP_SIGNALS, StopSignals

R = TypeVar("R")
T = TypeVar("T")

PARALLEL_MIN_FILES = 64  # below this one worker: forking more costs more than it gains
MAX_CHUNK = 64  # items a worker takes at a time: few round trips, all workers busy to the end
IN_FLIGHT = 2  # chunks a worker holds (one read, one waiting): it never waits on the parent
STILLBORN_LIMIT = 3  # workers in a row ending before their first item: the setup is broken

_SLOT = struct.Struct("qd")  # per worker: the index of the item it is on, and since when
_STARTING, _IDLE = -2, -1  # slot values that name no item
_HEADER = struct.Struct("!Q")  # every message: its length, then a pickle
_OK, _RAISED, _MEMORY = 0, 1, 2  # what work() did with an item
FORK_LOCK = threading.Lock()
_ALLOCATION = re.compile(r"memory allocation of|out of memory|cannot allocate|bad_alloc|MemoryError", re.I)



def can_fork() -> bool:
    return hasattr(os, "fork")


def map_files(work: Callable[[T], R], items: Iterable[T], *, jobs: int, limits: Limits,
              failed: Callable[[T, str, str], R], initializer=None, initargs=()) -> Iterator[R]:
    """work(item) for each item, in the items' order, in up to `jobs` forked worker
    processes (in this process where there is no fork). A worker that dies (any signal,
    the kernel's OOM killer, a native abort), runs out of its address space, or spends
    more than limits.seconds_per_file on one item costs that item only: failed(item,
    reason, detail) takes its place (reason "died", "memory" or "timeout"; detail: the
    tail of what the worker wrote on stderr, and how it ended), and a fresh worker
    replaces it. A MemoryError that escapes work() is "memory"; any other exception is
    raised here, in its item's turn. `initializer(*initargs)` runs in each worker as it
    starts. Work and initializer reach the workers by fork (they need not be
    picklable); items go to them pickled, and results and exceptions come back so.

    SIGTERM and SIGHUP raise Interrupted while the generator runs (the previous handlers
    come back after); on every way out, the workers are killed and reaped before control
    returns. Close the generator (contextlib.closing) when stopping before its end."""
    if can_fork():
        return _Pool(work, items, jobs, limits, failed, initializer, initargs).run()
    return _in_process(work, items, failed)


def _in_process(work, items, failed) -> Iterator:
    with StopSignals():
        for item in items:
            try:
                value = work(item)
            except MemoryError:
                value = failed(item, "memory", last_bytes(traceback.format_exc().encode()))
            yield value


class _Worker:
    def __init__(self, pid: int, number: int, tasks: int, results: int, err: int):
        self.pid, self.number, self.tasks, self.results, self.err = pid, number, tasks, results, err
        self.inbox, self.outbox = bytearray(), bytearray()
        self.writing = False  # its task pipe is in the selector: the outbox waits for room
        self.chunks: deque[list] = deque()  # sent and not answered, in the order it reads them
        self.reason = self.overdue = None  # "timeout" and the item, when the parent kills it


class _Pool:
    def __init__(self, work, items, jobs, limits: Limits, failed, initializer, initargs):
        self.work, self.limits, self.failed = work, limits, failed
        self.initializer, self.initargs = initializer, initargs
        self.source, self.jobs = iter(items), max(1, jobs)
        # The first items are listed before the chunk size is chosen, as for a known
        # total; the rest are listed as the workers read, this far ahead.
        self.window, self.ahead, self.exhausted = self.jobs * 8 * MAX_CHUNK, deque(), False
        self.given = 0  # items handed out so far: the next one's index
        self.retry: deque[list] = deque()  # chunks to send again, before any new item
        self.suspects: set[int] = set()  # items on a worker that ended with no item named
        self.done: dict[int, tuple] = {}  # index → (kind, value), until its turn
        self.workers: dict[int, _Worker] = {}  # by their results pipe
        self.stillborn = 0

    def run(self) -> Iterator:
        self._look_ahead()
        if not self.ahead:
            return
        self.jobs = self.jobs if len(self.ahead) >= PARALLEL_MIN_FILES else 1
        self.chunk = max(1, min(MAX_CHUNK, len(self.ahead) // (self.jobs * 8)))
        self.slots = mmap.mmap(-1, _SLOT.size * self.jobs)  # shared with every child forked
        self.selector = selectors.DefaultSelector()
        self.prctl, self.parent, turn = find_prctl(), os.getpid(), 0
        with StopSignals():  # restored only once every worker is gone
            try:
                for number in range(self.jobs):
                    self._start(number)
                while True:
                    while turn in self.done:
                        kind, value = self.done.pop(turn)
                        turn += 1
                        if kind == _RAISED:
                            raise value
                        yield value
                    if turn == self.given and self.exhausted and not (self.ahead or self.retry):
                        return
                    for key, events in self.selector.select(self._watch()):
                        worker = key.data
                        if self.workers.get(worker.results) is not worker:
                            continue  # buried in this round (a new worker may have its fds)
                        if events & selectors.EVENT_WRITE:
                            self._flush(worker)
                        if events & selectors.EVENT_READ:
                            self._receive(worker)
            finally:
                self._stop_all()

    def _watch(self) -> float:
        """Kill each worker past its time on an item; seconds until one could be."""
        limit = self.limits.seconds_per_file
        now, nearest = time.monotonic(), min(1.0, limit)  # an idle worker may start any moment
        for worker in list(self.workers.values()):
            index, since = self._slot(worker.number)
            left = since + limit - now
            # _STARTING counts: a worker whose start hangs goes. A slot is written in two
            # stores: a worker descheduled between them (a busy machine) shows its new item
            # with the idle slot's 0.0 to both reads of _slot. Not overdue: it has just begun.
            if index == _IDLE or since == 0.0 or left > 0:
                nearest = nearest if index == _IDLE else min(nearest, left)
                continue
            worker.reason, worker.overdue = "timeout", index
            self._bury(worker, kill(worker.pid))
        return max(nearest, 0.001)

    def _receive(self, worker: _Worker) -> None:
        ended = drain(worker.results, worker.inbox)
        self._take_answers(worker, alive=not ended)
        if ended:
            self._bury(worker, kill(worker.pid))

    def _take_answers(self, worker: _Worker, alive: bool) -> None:
        """Each whole message in the inbox answers the oldest chunk the worker holds."""
        while len(worker.inbox) >= _HEADER.size:
            end = _HEADER.size + _HEADER.unpack_from(worker.inbox)[0]
            if len(worker.inbox) < end:
                return  # the rest is on its way (from a dead worker, never: read again)
            answers = pickle.loads(worker.inbox[_HEADER.size:end])
            del worker.inbox[:end]
            chunk = worker.chunks.popleft()
            if alive:
                self._fill(worker)  # before the answers are unpacked: it waits on nothing
            for (index, item), (kind, value) in zip(chunk, answers):
                self.done[index] = (_OK, self.failed(item, "memory", value)) if kind == _MEMORY else (kind, value)

    def _bury(self, worker: _Worker, status: int) -> None:
        """A worker has ended: the item it was on fails, the rest of its chunks go back."""
        del self.workers[worker.results]
        self.selector.unregister(worker.results)
        if worker.writing:
            self.selector.unregister(worker.tasks)
        drain(worker.results, worker.inbox)  # answers sent before it ended count
        self._take_answers(worker, alive=False)
        index = self._slot(worker.number)[0]
        detail = f"{written(worker.err)}\n(worker {how_it_ended(status, worker.reason, self.limits)})".strip()
        for fd in (worker.tasks, worker.results, worker.err):
            os.close(fd)
        self.stillborn = self.stillborn + 1 if index == _STARTING else 0
        if self.stillborn >= STILLBORN_LIMIT:
            raise RuntimeError(f"worker processes end before reading anything: {detail}")
        chunks = worker.chunks
        items = [pair for chunk in chunks for pair in chunk]
        # Killed for its time just as it moved on: the late item is done, the new one blameless.
        late = worker.reason == "timeout" and worker.overdue != index
        blamed = None if late else next((pair for pair in items if pair[0] == index), None)
        unnamed = index == _IDLE and worker.reason is None  # ended between items: sending, or killed
        if unnamed and items and len(chunks[0]) == 1 and items[0][0] in self.suspects:
            blamed = items[0]  # the second such end with this item alone
        if blamed is not None:
            reason = worker.reason or ("memory" if _ALLOCATION.search(detail) else "died")
            self.done[blamed[0]] = (_OK, self.failed(blamed[1], reason, detail))
            self.retry.extendleft(rest for rest in ([p for p in chunk if p != blamed] for chunk in reversed(chunks))
                                  if rest)
        elif unnamed:  # each item again alone, so that a second such end names its item
            self.suspects.update(i for i, _item in items)
            self.retry.extendleft([pair] for pair in reversed(items))
        else:
            self.retry.extendleft(reversed(chunks))
        if self.retry or self.ahead or not self.exhausted:
            self._start(worker.number)

    def _look_ahead(self) -> None:
        if not self.exhausted and len(self.ahead) < self.window // 2:
            for item in self.source:
                self.ahead.append(item)
                if len(self.ahead) >= self.window:
                    break
            else:
                self.exhausted = True

    def _next_chunk(self) -> list | None:
        if self.retry:
            return self.retry.popleft()
        self._look_ahead()
        size = self.chunk
        if self.exhausted:  # the last items in ever smaller chunks: no worker idles at the end
            size = max(1, min(size, len(self.ahead) // (self.jobs * IN_FLIGHT * 2)))
        chunk = [(self.given + i, self.ahead.popleft()) for i in range(min(size, len(self.ahead)))]
        self.given += len(chunk)
        return chunk or None

    def _fill(self, worker: _Worker) -> None:
        while len(worker.chunks) < IN_FLIGHT and (chunk := self._next_chunk()) is not None:
            worker.chunks.append(chunk)
            worker.outbox += pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL)
        if worker.outbox and not worker.writing:
            self._flush(worker)

    def _flush(self, worker: _Worker) -> None:
        """Write what the pipe takes, without waiting: a parent blocked on a worker's task
        pipe while that worker blocks on its results pipe would wait for ever."""
        try:
            while worker.outbox:
                del worker.outbox[:os.write(worker.tasks, worker.outbox)]
        except BlockingIOError:
            pass
        except BrokenPipeError:  # it has ended: its results pipe says so next
            worker.outbox.clear()
        if bool(worker.outbox) != worker.writing:
            worker.writing = not worker.writing
            if worker.writing:
                self.selector.register(worker.tasks, selectors.EVENT_WRITE, worker)
            else:
                self.selector.unregister(worker.tasks)

    def _slot(self, number: int) -> tuple[int, float]:
        while True:  # a torn read (the worker writing meanwhile) reads differently twice
            first = _SLOT.unpack_from(self.slots, number * _SLOT.size)
            if _SLOT.unpack_from(self.slots, number * _SLOT.size) == first:
                return first

    def _start(self, number: int) -> None:
        _SLOT.pack_into(self.slots, number * _SLOT.size, _STARTING, time.monotonic())
        with FORK_LOCK:
            # Blocked from before its pipes are made until the worker is on the books: a
            # signal in between would leave a child (or pipes) the cleanup knows nothing of.
            mask = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
            try:
                (task_r, task_w), (result_r, result_w), err = os.pipe(), os.pipe(), capture_file()
                pid = os.fork()
                if pid == 0:
                    self._child(number, task_r, result_w, err, mask, (task_w, result_r))
                os.close(task_r), os.close(result_w)
                os.set_blocking(task_w, False), os.set_blocking(result_r, False)
                worker = self.workers[result_r] = _Worker(pid, number, task_w, result_r, err)
                self.selector.register(result_r, selectors.EVENT_READ, worker)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        self._fill(worker)

    def _child(self, number: int, tasks: int, results: int, err: int, mask, parents_ends) -> None:
        code = 70
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
            for signum in STOP_SIGNALS:
                signal.signal(signum, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            if self.prctl is not None:
                self.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the parent
            if os.getppid() != self.parent:  # it died before prctl took effect
                os._exit(1)
            # The parent's ends of its own pipes and its siblings': a worker sees the
            # parent go (the end of its task pipe) only when no other process holds them.
            for fd in (self.selector.fileno(), *parents_ends,
                       *(fd for w in self.workers.values() for fd in (w.tasks, w.results, w.err))):
                os.close(fd)
            # A native library's messages go to a file the parent reads, never the
            # terminal; Python's own streams too (a test runner may have moved them).
            os.dup2(err, 1), os.dup2(err, 2), os.close(err)
            sys.stdout = sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace",
                                           buffering=1, closefd=False)
            if "faulthandler" in sys.modules:  # a test runner's: its dump of the stack would
                sys.modules["faulthandler"].disable()  # push the library's message out of the detail
            cap_address_space(self.limits.memory_bytes)
            if self.initializer is not None:
                self.initializer(*self.initargs)
            self._serve(number, os.fdopen(tasks, "rb"), results)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            try:
                sys.stderr.flush()
            finally:
                os._exit(code)

    def _serve(self, number: int, tasks, results: int) -> None:
        offset, work = number * _SLOT.size, self.work
        _SLOT.pack_into(self.slots, offset, _IDLE, 0.0)
        while True:
            try:
                chunk = pickle.load(tasks)
            except EOFError:
                return  # the parent has gone
            answers = []
            for index, item in chunk:
                if os.lseek(2, 0, os.SEEK_END):  # each item's messages alone
                    os.ftruncate(2, 0), os.lseek(2, 0, os.SEEK_SET)
                _SLOT.pack_into(self.slots, offset, index, time.monotonic())
                try:
                    answers.append((_OK, work(item)))
                except MemoryError:
                    answers.append((_MEMORY, last_bytes(traceback.format_exc().encode())))
                except Exception as exc:
                    exc.add_note("".join(traceback.format_exception(exc)))  # the worker's traceback
                    answers.append((_RAISED, exc))
            _SLOT.pack_into(self.slots, offset, _IDLE, 0.0)
            # An answer that cannot be pickled ends the worker between items: its chunk
            # goes again item by item, and the second such end names the item.
            data = pickle.dumps(answers, pickle.HIGHEST_PROTOCOL)
            view = memoryview(_HEADER.pack(len(data)) + data)
            while view:
                view = view[os.write(results, view):]

    def _stop_all(self) -> None:
        """Kill and reap every worker, with signals held off so that none is left half done."""
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
        try:
            for worker in self.workers.values():
                kill(worker.pid, wait=False)
            for worker in self.workers.values():
                kill(worker.pid)
                for fd in (worker.tasks, worker.results, worker.err):
                    os.close(fd)
            self.workers.clear()
            self.selector.close()
            self.slots.close()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
