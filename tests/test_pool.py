"""The reading pool with real processes: what a dying, hanging or greedy worker costs (its
own item), what the user sees of it (nothing on the terminal; a finding), and that no
worker outlives the run, however the run ends."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import textwrap
import time
from functools import cache
from pathlib import Path

import pytest

import fulian_stats.read.pool as pool
import fulian_stats.read.reader as reader
from fulian_stats.catalog import load_catalog
from fulian_stats.read import Interrupted, ReadContext, read_paths
from fulian_stats.read.limits import MB, Limits
from fulian_stats.read.pool import map_files

ROOT = Path(__file__).resolve().parents[1]
LIMITS = Limits()
N = 120  # above PARALLEL_MIN_FILES, so that two workers read


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid`, zombies included (they are not reaped yet)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_bytes()
        except (OSError, ValueError):
            continue
        if entry.isdigit() and int(stat[stat.rindex(b")") + 2:].split()[1]) == pid:
            found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return stat[stat.rindex(b")") + 2:][:1] != b"Z"  # a zombie whose parent is gone is dead


def as_failure(item, reason, detail):
    return ("failed", item, reason, detail)


def square(item: str):
    return int(item) ** 2


def items_done_by_pid(item: str):
    time.sleep(0.01)
    return item, os.getpid()


@pytest.mark.parametrize("jobs", [1, 2])
def test_results_come_in_the_items_order_as_a_serial_map_gives_them(jobs):
    items = [str(i) for i in range(200)]
    assert list(map_files(square, items, jobs=jobs, limits=LIMITS, failed=as_failure)) == list(map(square, items))
    assert children(os.getpid()) == []


def test_without_fork_the_items_are_read_in_this_process(monkeypatch):
    monkeypatch.setattr(pool, "can_fork", lambda: False)
    found = list(map_files(items_done_by_pid, ["1", "2"], jobs=2, limits=LIMITS, failed=as_failure))
    assert found == [("1", os.getpid()), ("2", os.getpid())]


def _exit(item):
    os.write(2, b"a native library's last words\n")
    os._exit(3)


def _kill(item):
    os.kill(os.getpid(), signal.SIGKILL)


def _segfault(item):
    ctypes.string_at(0)


class DiesOn:
    def __init__(self, victim: str, how):
        self.victim, self.how = victim, how

    def __call__(self, item):
        if item == self.victim:
            self.how(item)
        return items_done_by_pid(item)


@pytest.mark.parametrize("how, detail", [
    (_exit, "a native library's last words\n(worker exited with code 3)"),
    (_kill, "(worker killed by SIGKILL)"),
    (_segfault, "(worker killed by SIGSEGV)"),
], ids=["os._exit", "SIGKILL", "SIGSEGV"])
def test_a_worker_that_dies_costs_its_own_item_and_the_rest_go_on_at_full_speed(how, detail, capfd):
    items = [str(i) for i in range(N)]
    found = list(map_files(DiesOn("40", how), items, jobs=2, limits=LIMITS, failed=as_failure))
    assert found[40] == ("failed", "40", "died", detail)
    rest = found[:40] + found[41:]
    assert [item for item, _pid in rest] == items[:40] + items[41:]
    # The two first workers and the one that replaced the dead one: no process per item.
    assert len({pid for _item, pid in rest}) == 3
    # Full speed after the death: two workers still share the rest, none of it is read
    # one at a time or in this process. (Told by the pids, not by a clock: CI is noisy.)
    after = {pid for _item, pid in found[45:]}
    assert len(after) == 2 and os.getpid() not in after
    assert capfd.readouterr() == ("", "")
    assert children(os.getpid()) == []


def _sleep_on_slow(item):
    if item == "slow":
        time.sleep(30)
    return item


def test_an_item_past_its_time_is_a_timeout_and_the_others_are_read():
    start = time.perf_counter()
    found = list(map_files(_sleep_on_slow, ["a", "slow", "b"], jobs=2, limits=Limits(seconds_per_file=0.3),
                           failed=as_failure))
    assert found == ["a", ("failed", "slow", "timeout", "(worker killed after 0.3 s on this item)"), "b"]
    assert time.perf_counter() - start < 10  # not the 30 s the slow item would take


def _greedy(item):
    if item == "caught":
        try:
            bytearray(512 * MB)
        except MemoryError:
            return "MemoryError caught by work"
    if item == "escapes":
        bytearray(512 * MB)
    if item == "abort":
        os.write(2, b"memory allocation of 1099511627776 bytes failed\n")
        ctypes.CDLL(None).abort()
    if item == "plain abort":
        print("about to abort", file=sys.stderr)
        ctypes.CDLL(None).abort()
    return item


def test_memory_past_the_cap_fails_inside_work_and_a_native_abort_is_that_items_only(capfd):
    items = ["a", "caught", "escapes", "abort", "plain abort", "b"]
    found = list(map_files(_greedy, items, jobs=2, limits=Limits(memory_bytes=64 * MB), failed=as_failure))
    assert found[:2] == ["a", "MemoryError caught by work"]
    assert found[2][:3] == ("failed", "escapes", "memory") and found[2][3].endswith("\nMemoryError")
    assert found[3] == ("failed", "abort", "memory",
                        "memory allocation of 1099511627776 bytes failed\n(worker killed by SIGABRT)")
    assert found[4:] == [("failed", "plain abort", "died", "about to abort\n(worker killed by SIGABRT)"), "b"]
    assert capfd.readouterr() == ("", "")  # what the workers wrote never reaches the terminal


def _raise_on_3(item):
    if item == "3":
        raise ValueError("boom on 3")
    return item


def test_an_exception_in_work_is_raised_in_its_turn_and_the_workers_are_gone():
    found = []
    with pytest.raises(ValueError, match="boom on 3") as caught:
        for value in map_files(_raise_on_3, [str(i) for i in range(10)], jobs=2, limits=LIMITS, failed=as_failure):
            found.append(value)
    assert found == ["0", "1", "2"]
    assert "in _raise_on_3" in caught.value.__notes__[0]  # the worker's own traceback
    assert children(os.getpid()) == []


def _fail_to_start():
    raise RuntimeError("no setup")


def test_workers_that_cannot_start_end_the_run_instead_of_being_replaced_for_ever():
    with pytest.raises(RuntimeError, match="(?s)worker processes end before reading anything: .*no setup"):
        list(map_files(square, ["1"], jobs=1, limits=LIMITS, failed=as_failure, initializer=_fail_to_start))
    assert children(os.getpid()) == []


def test_a_generator_closed_early_leaves_no_worker():
    results = map_files(items_done_by_pid, [str(i) for i in range(N)], jobs=2, limits=LIMITS, failed=as_failure)
    assert next(results)[0] == "0"
    assert len(children(os.getpid())) == 2
    results.close()
    assert children(os.getpid()) == []


def _terminate_parent_on_5(item):
    if item == "5":
        os.kill(os.getppid(), signal.SIGTERM)
        time.sleep(30)
    return item


def test_sigterm_raises_interrupted_and_the_previous_handler_comes_back():
    before = signal.getsignal(signal.SIGTERM)
    start = time.perf_counter()
    with pytest.raises(Interrupted) as caught:
        list(map_files(_terminate_parent_on_5, [str(i) for i in range(10)], jobs=1, limits=LIMITS, failed=as_failure))
    assert caught.value.signal == signal.SIGTERM and str(caught.value) == "SIGTERM"
    assert not isinstance(caught.value, Exception)  # no `except Exception` on the way swallows it
    assert time.perf_counter() - start < 10  # not the 30 s the worker sleeps
    assert signal.getsignal(signal.SIGTERM) is before
    assert children(os.getpid()) == []


def run_script(tmp_path: Path, code: str) -> subprocess.Popen:
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(code), encoding="utf-8")
    return subprocess.Popen([sys.executable, str(script)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, stdin=subprocess.DEVNULL)


def test_workers_die_with_their_parent_even_when_it_is_killed(tmp_path):
    run = run_script(tmp_path, """
        import time
        from fulian_stats.read.limits import Limits
        from fulian_stats.read.pool import map_files

        def slow(item):
            time.sleep(0.01)  # 200 items: a second at least
            return item

        for value in map_files(slow, [str(i) for i in range(200)], jobs=2, limits=Limits(), failed=None):
            print(value, flush=True)
    """)
    assert run.stdout.readline() == "0\n"
    workers = children(run.pid)
    assert len(workers) == 2
    run.kill()
    run.wait(5)
    deadline = time.monotonic() + 2
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [pid for pid in workers if alive(pid)] == []


@pytest.mark.parametrize("signum, said, code", [
    (signal.SIGTERM, "Interrupted 15", 143),
    (signal.SIGINT, "KeyboardInterrupt", 130),
], ids=["SIGTERM", "Ctrl-C"])
def test_a_signal_stops_read_paths_at_once_and_leaves_no_worker(tmp_path, signum, said, code):
    run = run_script(tmp_path, """
        import sys, time
        from fulian_stats.catalog import load_catalog
        from fulian_stats.read import Interrupted, ReadContext, read_paths

        def slowly(result):
            time.sleep(0.1)  # 240 files: 24 seconds at least

        def started(done, total):
            if done == 1:
                print("reading", flush=True)
        try:
            read_paths(["sample_data"], ReadContext(load_catalog()), jobs=2, after=slowly, progress=started)
        except Interrupted as exc:
            print("Interrupted", exc.signal, flush=True)
            sys.exit(128 + exc.signal)
        except KeyboardInterrupt:
            print("KeyboardInterrupt", flush=True)
            sys.exit(130)
    """)
    assert run.stdout.readline() == "reading\n"
    workers = children(run.pid)
    assert len(workers) == 2
    start = time.monotonic()
    run.send_signal(signum)
    assert run.wait(10) == code
    assert time.monotonic() - start < 10  # not the 24 s the rest of the files would take
    assert run.stdout.read() == f"{said}\n"
    assert run.stderr.read() == ""
    assert [pid for pid in workers if alive(pid)] == []


def _kill_worker(path):
    os.kill(os.getpid(), signal.SIGKILL)


def _abort_out_of_memory(path):
    os.write(2, b"memory allocation of 68719476736 bytes failed\n")
    ctypes.CDLL(None).abort()


def _hang(path):
    time.sleep(30)


def _raise_memory_error(path):
    raise MemoryError


def _bug(path):
    raise ValueError("a bug met on this file")


MINE = "2016/03/大宁镇_2016-03.xlsx"


@cache
def _sample_2016_read():  # as every case below expects the files it does not spoil: read once
    return read_paths(["sample_data/2016"], ReadContext(load_catalog()), jobs=2)
MEMORY_MESSAGE = ("读取此文件所需的内存超过上限（2048MB）：文件可能异常庞大、有内容误填在很远处的单元格（使表格范围达上百万行或上万列），"
                  "或已损坏；请删去多余的内容，或在Excel或WPS中另存后重新报送")


@pytest.mark.parametrize("where, how, code, message, values", [
    ("reading", _kill_worker, "FILE_UNREADABLE", "读取此文件时读取程序异常退出（文件可能已损坏或被恶意构造）；请在Excel或WPS中打开并另存后重新报送",
     {"reason": "died", "detail": "(worker killed by SIGKILL)"}),
    ("reading", _abort_out_of_memory, "FILE_TOO_LARGE", MEMORY_MESSAGE,
     {"reason": "memory", "detail": "memory allocation of 68719476736 bytes failed\n(worker killed by SIGABRT)"}),
    ("reading", _hang, "FILE_TOO_LARGE", "读取此文件超过1秒仍未完成，已停止读取；文件可能异常庞大或已损坏，请在Excel或WPS中另存后重新报送",
     {"reason": "timeout", "detail": "(worker killed after 1 s on this item)"}),
    ("checking", _raise_memory_error, "FILE_TOO_LARGE", MEMORY_MESSAGE, {"reason": "memory"}),
    ("checking", _bug, "FILE_UNREADABLE", "读取此文件时程序出错（ValueError），其余文件照常读取；请报告此问题", {"reason": "error"}),
], ids=["killed", "native-out-of-memory", "timeout", "MemoryError", "exception"])
def test_a_file_whose_reading_fails_is_that_files_finding_and_every_other_file_is_read(
        where, how, code, message, values, monkeypatch, capfd):
    monkeypatch.chdir(ROOT)
    # Short enough for the hang to cost a second, long enough for a form of 20 kB (read in
    # about 10 ms) on a loaded machine.
    monkeypatch.setenv("FULIAN_SECONDS_PER_FILE", "1")
    ctx = ReadContext(load_catalog())
    expected = _sample_2016_read()
    if where == "reading":
        load_sheets = reader.load_sheets
        monkeypatch.setattr(reader, "load_sheets", lambda path, limits: how(path) if path.endswith(MINE) else load_sheets(path, limits))
        found = read_paths(["sample_data/2016"], ctx, jobs=2)
    else:  # in the checks that run where the file was read
        found = read_paths(["sample_data/2016"], ctx, jobs=2, after=lambda r: r.file.endswith(MINE) and how(r.file))
    assert [r.file for r in found.files] == [r.file for r in expected.files]
    mine = next(r for r in found.files if r.file.endswith(MINE))
    assert mine.blocks == []
    assert [(f.code, f.file, f.message) for f in mine.findings] == [(code, mine.file, message)]
    detail = mine.findings[0].values["detail"]
    assert mine.findings[0].values == {**values, "detail": values.get("detail", detail)}
    if how in (_raise_memory_error, _bug):
        assert detail.rstrip().endswith("MemoryError" if how is _raise_memory_error else "ValueError: a bug met on this file")
    others = [r for r in found.files if r is not mine]
    assert [(r.observations, r.findings) for r in others] == [
        (r.observations, r.findings) for r in expected.files if not r.file.endswith(MINE)]
    assert capfd.readouterr() == ("", "")


def _unpicklable_on_7(item):
    return (lambda: None) if item == "7" else item


def test_an_answer_that_cannot_be_sent_costs_its_item_once_the_chunk_is_read_again_item_by_item():
    items = [str(i) for i in range(N)]
    found = list(map_files(_unpicklable_on_7, items, jobs=2, limits=LIMITS, failed=as_failure))
    assert found[:7] + found[8:] == items[:7] + items[8:]
    assert found[7][:3] == ("failed", "7", "died")
    assert "Can't pickle" in found[7][3] and found[7][3].endswith("\n(worker exited with code 70)")


def test_no_worker_is_forked_while_another_thread_holds_the_fork_lock():
    import threading

    held = threading.Event()

    def importing():  # as read_paths' background imports do, module by module
        with pool.FORK_LOCK:
            held.set()
            time.sleep(0.3)

    thread = threading.Thread(target=importing)
    thread.start()
    held.wait()
    start = time.perf_counter()
    assert list(map_files(square, ["3"], jobs=1, limits=LIMITS, failed=as_failure)) == [9]
    assert time.perf_counter() - start >= 0.25
    thread.join()
