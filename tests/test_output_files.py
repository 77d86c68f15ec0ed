"""Tests for fulian_stats.output.files: atomic output files, inputs never overwritten, text that
spreadsheets would run as a formula kept as text."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from fulian_stats.errors import FulianError, UsageError
from fulian_stats.output.files import (
    atomic_path,
    csv_safe,
    refuse_inputs,
    refuse_replacing,
    rows_csv,
    write_rows,
    write_text,
)

ROWS = [
    {"org": "合计", "period": "2016", "indicator": "loan_amount", "name": "创业担保贷款金额", "unit": "万元", "value": 20.94},
    {"org": "=1+1", "period": "2016", "indicator": "trainees", "name": "参训妇女", "unit": "人", "value": 89},
    {"org": "@SUM(A1)", "period": "2016", "indicator": "petition_handling_rate", "name": "信访案件处理率",
     "unit": "%", "value": 11 / 15 * 100},
]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "=HYPERLINK(\"x\")"])
def test_formula_starts_get_an_apostrophe(text):
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["大宁镇", "1+1", "合计", "", 12, -3, 0.5, None])
def test_other_values_pass_through(value):
    assert csv_safe(value) == value


def test_rows_csv_keeps_text_as_text_and_numbers_in_full():
    text = rows_csv(ROWS)
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["单位", "报告期", "指标名称", "计量单位", "数值", "指标编号"]  # the id last, for programs
    assert table[1] == ["合计", "2016", "创业担保贷款金额", "万元", "20.94", "loan_amount"]
    assert table[2] == ["'=1+1", "2016", "参训妇女", "人", "89", "trainees"]
    assert table[3][0] == "'@SUM(A1)" and float(table[3][4]) == 11 / 15 * 100
    assert rows_csv([{**ROWS[0], "value": None}]).splitlines()[1] == "合计,2016,创业担保贷款金额,万元,,loan_amount"
    assert rows_csv(ROWS, {"编号": "indicator"}).splitlines() == ["编号", "loan_amount", "trainees",
                                                                "petition_handling_rate"]


def test_write_rows_csv_has_a_bom_for_excel_and_json_is_the_spec_shape(tmp_path):
    data = {"region": "青溪县", "period": "2016", "rows": ROWS}
    write_rows(tmp_path / "out.csv", data)
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig") == rows_csv(ROWS)
    write_rows(tmp_path / "out.JSON", data)
    assert json.loads((tmp_path / "out.JSON").read_text(encoding="utf-8")) == data
    with pytest.raises(UsageError, match="不支持的输出格式"):
        write_rows(tmp_path / "out.txt", data)
    assert not (tmp_path / "out.txt").exists()


def test_refuse_inputs_names_the_input_whatever_the_spelling(tmp_path, monkeypatch):
    source = tmp_path / "大宁镇_2016-03.xlsx"
    source.write_bytes(b"x")
    with pytest.raises(UsageError) as caught:
        refuse_inputs(source, {source: "报表"})
    assert str(caught.value) == (f"输出文件 {source} 是输入文件之一（报表 {source}）；"
                                 "为防止覆盖，请换一个文件名或位置")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    with pytest.raises(UsageError, match="输入文件"):
        refuse_inputs(Path("sub") / ".." / source.name, {source.name: "报表"})  # another spelling of it
    refuse_inputs(tmp_path / "汇总.xlsx", {source.name: "报表", tmp_path: "报表"})  # not there yet
    refuse_inputs(tmp_path / "sub", {tmp_path / "sub": "报表"})  # a folder: atomic_path refuses it


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_refuse_inputs_through_a_link_and_a_hard_link(tmp_path):
    orgs = tmp_path / "orgs.csv"
    orgs.write_text("name,parent,aliases\n", encoding="utf-8")
    os.symlink(orgs, tmp_path / "名册.csv")
    os.link(orgs, tmp_path / "硬链接.csv")
    for spelling in ("名册.csv", "硬链接.csv"):
        with pytest.raises(UsageError, match="（单位名册 .*orgs.csv）"):
            refuse_inputs(tmp_path / spelling, {orgs: "单位名册"})
    refuse_inputs(tmp_path / "名册.csv", {tmp_path / "gone.csv": "单位名册"})  # an input that is not there


def test_refuse_replacing_judges_every_target_before_any_is_written(tmp_path):
    blank, kept = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    blank.write_bytes(b"blank")
    refuse_replacing([tmp_path / "new.xlsx"], False, lambda existing: pytest.fail("nothing to judge"))
    with pytest.raises(UsageError) as caught:
        refuse_replacing([blank, tmp_path / "new.xlsx"], False, lambda existing: [])
    # Regression: the library said 加 --force to a notebook, which has no option to add.
    assert str(caught.value) == f"{blank} 已存在，为防止覆盖，没有生成任何文件；确认要替换时传 force=True"
    assert caught.value.command_line == f"{blank} 已存在，为防止覆盖，没有生成任何文件；确认要替换时加 --force"
    refuse_replacing([blank], True, lambda existing: [])
    kept.write_bytes(b"filled")
    with pytest.raises(UsageError) as caught:
        refuse_replacing([blank, kept], True, lambda existing: [p for p in existing if p.read_bytes() == b"filled"])
    assert str(caught.value) == (f"{kept} 是已填报的报表，不能用空白模板替换（传 force=True 也不会替换）；"
                                 "请换一个文件名或文件夹")
    many = [tmp_path / f"{n}.xlsx" for n in range(7)]
    for path in many:
        path.write_bytes(b"x")
    with pytest.raises(UsageError, match=r"^\S+0.xlsx、\S+1.xlsx、\S+2.xlsx、\S+3.xlsx、\S+4.xlsx 等7个文件 已存在"):
        refuse_replacing(many, False, lambda existing: [])


def test_atomic_path_renames_on_success(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    with atomic_path(target) as temp:
        assert temp.parent == tmp_path and temp != target
        temp.write_text("new", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "old"  # the old file stays until the end
    assert target.read_text(encoding="utf-8") == "new"
    assert os.listdir(tmp_path) == ["out.json"]


def test_atomic_path_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temp:
            temp.write_text("half", encoding="utf-8")
            raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["out.json"]
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(tmp_path / "new.csv"):
            raise KeyboardInterrupt
    assert os.listdir(tmp_path) == ["out.json"]


def test_missing_output_folder_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="输出文件夹不存在"):
        write_text(tmp_path / "nowhere" / "out.csv", "x")


def test_relative_target_in_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_text("out.csv", "a,b\n")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == "a,b\n"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_a_folder_as_output_is_a_usage_error(tmp_path):
    (tmp_path / "汇总.xlsx").mkdir()
    with pytest.raises(UsageError, match="是一个文件夹"):
        write_text(tmp_path / "汇总.xlsx", "x")
    assert os.listdir(tmp_path) == ["汇总.xlsx"]


def test_file_system_errors_are_one_chinese_line(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")

    def no_space(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(FulianError, match="无法写入输出文件") as caught:
        write_text(target, "new")
    assert not isinstance(caught.value, UsageError)  # exit code 1: the run failed, not its options
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["out.csv"]

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", denied)
    with pytest.raises(FulianError, match="无法在文件夹"):
        write_text(tmp_path / "new.csv", "x")


def test_output_permissions_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "out.csv", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "out.csv").stat().st_mode & 0o777 == 0o644


def test_an_output_with_the_longest_file_name_is_written(tmp_path):
    # Regression: the temporary name (the target's own with a prefix and a suffix) was
    # too long for the file system: 「无法在文件夹…中写入输出文件：File name too long」.
    target = tmp_path / ("汇总" * 41 + ".csv")
    assert len(target.name.encode()) == 250
    with atomic_path(target) as temp:
        temp.write_text("x", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "x" and [p.name for p in tmp_path.iterdir()] == [target.name]
