"""The CLI under an address-space limit (ulimit -v): below what its libraries need, one
Chinese line and exit 3 before anything is imported; above it, a run as any other, with
nothing from OpenBLAS or glibc on stderr."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from check_helpers import ci_environment, fulian_command
from fulian_stats.process import MB

resource = pytest.importorskip("resource")

SAMPLE_MONTH = Path(__file__).resolve().parents[1] / "sample_data" / "2017" / "03"


def run_limited(megabytes: int, *args) -> subprocess.CompletedProcess:
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (megabytes * MB, resource.RLIM_INFINITY))

    env = {key: value for key, value in ci_environment().items() if not key.startswith("OPENBLAS")}
    return subprocess.run([*fulian_command(), *map(str, args)], preexec_fn=limit, capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=120, stdin=subprocess.DEVNULL)


needs_rlimit_as = pytest.mark.skipif(not hasattr(resource, "RLIMIT_AS"), reason="needs RLIMIT_AS")


def test_the_process_is_prepared_where_there_is_no_resource_module(monkeypatch):
    """process.py imported `resource` unconditionally: on Windows, which has none, every
    command failed before it began."""
    monkeypatch.setitem(sys.modules, "resource", None)  # `import resource` raises ImportError
    spec = importlib.util.find_spec("fulian_stats.process")
    process = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(process)
    assert process.resource is None
    process.prepare()


@needs_rlimit_as
@pytest.mark.parametrize("megabytes", [100, 200])
def test_a_limit_below_what_the_libraries_need_is_one_line_and_exit_3(megabytes):
    done = run_limited(megabytes, "check", SAMPLE_MONTH, "--format", "json")
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr == f"错误：内存上限（{megabytes}MB）过低，本程序至少需要320MB；请放宽上限（如 ulimit -v）后重试\n"


@needs_rlimit_as
def test_a_run_just_above_the_minimum_is_a_run_like_any_other():
    done = run_limited(320, "check", SAMPLE_MONTH, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert json.loads(done.stdout)["files"] == len(list(SAMPLE_MONTH.iterdir())) == 10


def test_a_file_name_in_gbk_is_written_out_as_gbk_reads_it():
    # Regression: a Windows zip unpacked here leaves GBK names; written as their raw
    # bytes they made stdout invalid UTF-8 and --format json unreadable.
    import os

    import fulian_stats.process  # noqa: F401  (registers the error handler)

    name = os.fsdecode("白沙镇_2017-03.xlsx".encode("gbk"))  # as os.listdir gives it: 沙's C9 B3 is UTF-8 ɳ
    assert name == "\udcb0\udcd7ɳ\udcd5\udcf2_2017-03.xlsx"
    assert f"文件 {name} 已读取".encode("utf-8", "fulian_names") == "文件 白沙镇_2017-03.xlsx 已读取".encode()
