"""Reading on every core gives exactly what reading file by file gives."""

from __future__ import annotations

from functools import cache, partial
from pathlib import Path

import pytest

from fulian_stats.catalog import load_catalog, load_rules
from fulian_stats.checks import check_file
from fulian_stats.orgs import load_orgs
from fulian_stats.read import PARALLEL_MIN_FILES, ReadContext, read_paths

ROOT = Path(__file__).resolve().parents[1]


def test_parallel_and_serial_reading_give_identical_results(monkeypatch):
    monkeypatch.chdir(ROOT)
    catalog = load_catalog()
    ctx = ReadContext(catalog, load_orgs("sample_data/orgs.csv"))
    after = partial(check_file, catalog=catalog, rules=load_rules(catalog))
    serial = read_paths(["sample_data"], ctx, jobs=1, after=after)
    parallel = read_paths(["sample_data"], ctx, jobs=2, after=after)
    assert len(serial.files) == 240 >= PARALLEL_MIN_FILES  # so the pool is really used
    assert [r.file for r in parallel.files] == [r.file for r in serial.files]
    assert parallel.observation_rows() == serial.observation_rows()
    assert [f.as_dict() for f in parallel.all_findings()] == [f.as_dict() for f in serial.all_findings()]
    assert len(serial.observation_rows()) == 28970


def _note_collection(result) -> None:
    import gc

    result.file = f"{result.file}|{gc.isenabled()}"


def test_workers_collect_their_garbage_though_forked_while_the_parent_paused_it(monkeypatch):
    import gc

    monkeypatch.chdir(ROOT)
    parallel = read_paths(["sample_data"], ReadContext(load_catalog()), jobs=2, after=_note_collection)
    assert {r.file.rsplit("|", 1)[1] for r in parallel.files} == {"True"}
    assert gc.isenabled()


class _KillWorkerOn:
    """An `after` hook that kills the worker reading any of `names`, as a native library's
    abort on a damaged file would. The files after it are read on by the other workers and
    the one that replaces it, not one at a time (tests/test_pool.py times that)."""

    def __init__(self, *names: str):
        self.names = names

    def __call__(self, result) -> None:
        import os
        import signal

        if result.file.endswith(self.names):
            os.kill(os.getpid(), signal.SIGKILL)


@cache
def _read_in_one_worker(folder: str):  # the same for every case of a folder: read once
    return read_paths([folder], ReadContext(load_catalog()), jobs=1)


@pytest.mark.parametrize("folder, killers", [
    ("sample_data", ("大宁镇_2016-03.xlsx",)),  # 240 files, the province's way
    ("sample_data", ("大宁镇_2016-03.xlsx", "白沙镇_2017-11.xlsx")),
    ("sample_data/2016/03", ("大宁镇_2016-03.xlsx",)),  # a county's month: forked too, where forking is cheap
], ids=["one", "two", "few-files"])
def test_a_file_that_kills_its_worker_costs_its_own_result_only(monkeypatch, folder, killers):
    monkeypatch.chdir(ROOT)
    serial = _read_in_one_worker(folder)
    parallel = read_paths([folder], ReadContext(load_catalog()), jobs=2, after=_KillWorkerOn(*killers))
    assert [r.file for r in parallel.files] == [r.file for r in serial.files]
    crashed = [r for r in parallel.files if r.file.endswith(killers)]
    assert len(crashed) == len(killers)
    for r in crashed:
        assert r.blocks == []
        assert [(f.code, f.file, f.message, f.values) for f in r.findings] == [(
            "FILE_UNREADABLE", r.file, "读取此文件时读取程序异常退出（文件可能已损坏或被恶意构造）；"
            "请在Excel或WPS中打开并另存后重新报送", {"reason": "died", "detail": "(worker killed by SIGKILL)"})]
    others = [r for r in parallel.files if not r.file.endswith(killers)]
    expected = [r for r in serial.files if not r.file.endswith(killers)]
    assert [r.observations for r in others] == [r.observations for r in expected]
    assert [[f.as_dict() for f in r.findings] for r in others] == [[f.as_dict() for f in r.findings] for r in expected]
