"""Interrupted runs, end to end: a real `fulian-stats` process on the sample district,
stopped by SIGTERM, SIGINT or SIGKILL at several moments. Whatever the moment, the run
ends within a second with one Chinese line and 128 + the signal, prints a JSON document
whole or not at all, leaves no temporary file and no worker behind."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from check_helpers import ci_environment, fulian_command

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data"


def start(*args, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([*fulian_command(), *map(str, args)], cwd=cwd, env=ci_environment(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, encoding="utf-8")


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.add(int(status.parent.name))
    return found


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()
            and "(zombie)" not in Path(f"/proc/{pid}/status").read_text(errors="replace")}


def gone(workers: set[int], seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive(workers) == set()


def wait_for_workers(process: subprocess.Popen, seconds: float = 20) -> set[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        if workers := children(process.pid):
            return workers
        time.sleep(0.02)
    pytest.fail("the run started no worker")


def stop(process: subprocess.Popen, signum: int) -> tuple[float, str, str]:
    process.send_signal(signum)
    sent = time.monotonic()
    out, err = process.communicate(timeout=30)
    return time.monotonic() - sent, out, err


pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")


@pytest.mark.parametrize(("signum", "code", "delay"), [(signal.SIGTERM, 143, 0.0), (signal.SIGINT, 130, 1.0)])
def test_a_stopped_check_prints_one_line_and_no_half_document(signum, code, delay, tmp_path):
    process = start("check", SAMPLE, "--format", "json", cwd=tmp_path)
    workers = wait_for_workers(process)
    time.sleep(delay)
    took, out, err = stop(process, signum)
    if process.returncode in (0, 1):  # it finished first: then its document is whole
        assert json.loads(out)["files"] > 200
        return
    assert process.returncode == code, err
    assert took < 3  # it stops at once, not when the workers have read their files
    assert err.splitlines()[-1:] == ["已中断，未写入输出"]
    assert "Traceback" not in err
    assert out == "" or json.loads(out)
    gone(workers)


def test_a_stopped_aggregate_leaves_no_temporary_file_and_the_old_output_whole(tmp_path):
    output = tmp_path / "out" / "汇总.xlsx"
    output.parent.mkdir()
    output.write_bytes(b"last month's summary")
    process = start("aggregate", SAMPLE, "--orgs", SAMPLE / "orgs.csv", "--period", "2017", "-o", output, "-q",
                    "--force", cwd=tmp_path)
    wait_for_workers(process)
    time.sleep(1.0)
    _, _, err = stop(process, signal.SIGTERM)
    written = sorted(path.name for path in output.parent.iterdir())
    assert written == ["汇总.xlsx"]
    if process.returncode == 0:
        assert output.read_bytes()[:2] == b"PK"
        return
    assert process.returncode == 143, err
    assert err.splitlines()[-1:] == ["已中断，未写入输出"]
    assert output.read_bytes() == b"last month's summary"


def test_workers_do_not_outlive_a_killed_run(tmp_path):
    process = start("check", SAMPLE, "--format", "json", cwd=tmp_path)
    workers = wait_for_workers(process)
    process.kill()
    process.communicate(timeout=30)
    gone(workers)
