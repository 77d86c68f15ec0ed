"""Reading on every core gives exactly what reading file by file gives."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from fulian_stats.catalog import load_catalog, load_rules
from fulian_stats.check import check_file
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
