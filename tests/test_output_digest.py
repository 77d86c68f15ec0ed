"""Tests for fulian_stats.output.digest: findings alike become one line a person can read;
errors first; --verbose keeps every line."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fulian_stats.output.digest import Group, Line, common_text, digest
from fulian_stats.findings import Finding

NAMES = ["创业担保贷款金额", "项目投资额", "获上级补助资金", "获补助资金", "投入建设资金", "救助金额", "保险保额",
         "筹集社会资金", "贷款金额"]


def converted(cell: str, name: str = "创业担保贷款金额", file: str = "官塘镇_2016-03.xlsx", period="2016-03"):
    return Finding("UNIT_CONVERTED", f"“{name}”按“元”填报，已换算为“万元”（×0.0001）", file=file, sheet="月报",
                   cell=cell, org="官塘镇", period=period)


def test_findings_of_one_code_in_one_file_are_one_line_with_the_count_and_the_cells():
    """A township that reports in 元 printed a note per cell."""
    found = [converted(f"C{5 + 3 * i}", name) for i, name in enumerate(NAMES)]
    assert digest(found) == [Group("官塘镇_2016-03.xlsx", [Line(
        "info", "UNIT_CONVERTED", "按“元”填报，已换算为“万元”（×0.0001）", "月报 › C5、C8、C11、C14、C17、C20、C23、C26…", 9)])]
    assert len(digest(found, verbose=True)[0].lines) == 9


def test_two_alike_stay_two_lines_and_findings_of_the_whole_run_never_collapse():
    two = [converted("C5"), converted("C8", "项目投资额")]
    assert [line.where for line in digest(two)[0].lines] == ["月报 › C5", "月报 › C8"]
    missing = [Finding("MISSING_SUBMISSION", f"{org}没有报送2016年3月的报表", org=org, period="2016-03")
               for org in ("大宁镇", "白沙镇", "石门镇")]
    assert digest(missing) == [Group("（整体）", [Line("error", "MISSING_SUBMISSION", f.message) for f in missing])]


def test_the_same_line_in_one_orgs_months_is_one_line_naming_the_months():
    """官塘镇 reports in 元 every month: one line, not 24 blocks."""
    found = [converted("C23", file=f"{year}/{month:02d}/官塘镇_{year}-{month:02d}.xlsx", period=f"{year}-{month:02d}")
             for year in (2016, 2017) for month in range(1, 13)]
    found.append(Finding("NEGATIVE", "“参训妇女”为负数（-3）；统计数不能小于0，请核对", file="2017/03/官塘镇_2017-03.xlsx",
                         sheet="月报", cell="D8", org="官塘镇", period="2017-03"))
    assert digest(found) == [
        Group("2017/03/官塘镇_2017-03.xlsx", [Line("error", "NEGATIVE", found[-1].message, "月报 › D8")]),
        Group("官塘镇 2016年1-12月、2017年1-12月（24个文件）",
              [Line("info", "UNIT_CONVERTED", found[0].message, "月报 › C23", 24)])]


def test_a_file_that_duplicates_many_submissions_is_one_line_naming_it():
    """One stray summary workbook printed 144 near-identical DUPLICATE_SUBMISSION lines."""
    found = [Finding("DUPLICATE_SUBMISSION", f"{org}的2016年数据（汇总.xlsx）与2016年{m}月数据（{org}_2016-{m:02d}.xlsx）时间重叠",
                     file="汇总.xlsx", sheet="汇总表", org=org, period="2016",
                     values={"files": ["汇总.xlsx", f"{org}_2016-{m:02d}.xlsx"], "periods": ["2016", f"2016-{m:02d}"]})
             for org in ("大宁镇", "白沙镇") for m in range(1, 4)]
    copy = Finding("DUPLICATE_SUBMISSION", "大宁镇2016年3月的数据报送了两次", file="大宁镇_2016-03(1).xlsx",
                   values={"files": ["大宁镇_2016-03.xlsx", "大宁镇_2016-03(1).xlsx"]}, org="大宁镇", period="2016-03")
    assert digest([*found, copy]) == [
        Group("大宁镇_2016-03(1).xlsx", [Line("error", "DUPLICATE_SUBMISSION", copy.message)]),  # one copy: as it is
        Group("汇总.xlsx", [Line("error", "DUPLICATE_SUBMISSION", "与另外6个文件中2个单位的报表重复，像是一份汇总表或副本混在了"
                                 "报表中；请把它移出报表文件夹，每个单位每个报告期只留一份", count=6)])]


def test_a_finding_on_a_submission_is_not_folded_under_the_file_it_duplicates():
    """Regression (review): a month file's own finding (both copies in error) was folded
    under the workbook it duplicates, and never shown with the month file."""
    own = [Finding("DUPLICATE_SUBMISSION", f"大宁镇2016年{m}月的数据报送了两次", file=f"大宁镇_2016-{m:02d}.xlsx",
                   org="大宁镇", period=f"2016-{m:02d}",
                   values={"files": ["大宁镇全年.xlsx", f"大宁镇_2016-{m:02d}.xlsx"]}) for m in range(1, 4)]
    theirs = [replace(f, file="大宁镇全年.xlsx") for f in own]
    groups = digest([*own, *theirs])
    assert [g.heading for g in groups] == ["大宁镇_2016-01.xlsx", "大宁镇_2016-02.xlsx", "大宁镇_2016-03.xlsx", "大宁镇全年.xlsx"]
    assert groups[-1].lines[0].count == 3


def test_errors_come_before_warnings_and_notes_whatever_the_file():
    found = [Finding("UNIT_CONVERTED", "按元", file="a.xlsx", cell="C5"), Finding("OUTLIER", "异常", file="a.xlsx", cell="D9"),
             Finding("NEGATIVE", "负数", file="b.xlsx", cell="D8"), Finding("FILE_EMPTY", "空", file="c.xlsx")]
    assert [(g.heading, [line.code for line in g.lines]) for g in digest(found)] == [
        ("b.xlsx", ["NEGATIVE"]), ("c.xlsx", ["FILE_EMPTY"]), ("a.xlsx", ["OUTLIER"]), ("a.xlsx", ["UNIT_CONVERTED"])]


@pytest.mark.parametrize(("messages", "common"), [
    (["“参训妇女”的数值“十几个”无法识别", "“贷款金额”的数值“若干”无法识别"], "数值“…”无法识别"),
    (["“参训妇女”的合计为6，但各单位之和为0", "“贷款金额”的合计为2，但各单位之和为1"], "合计为…，但各单位之和为…"),  # was 「的合计为…」
    (["“妇女之家服务”填的是估计数“300多”，已按300读取；请填写准确数字", "“慰问”填的是估计数“60多”，已按60读取；请填写准确数字"],
     "填的是估计数“…”，已按…读取；请填写准确数字"),
    (["“参训妇女”为负数（-3）；统计数不能小于0，请核对", "“贷款金额”为负数（-12）；统计数不能小于0，请核对"],
     "为负数（…）；统计数不能小于0，请核对"),
    (["第6行第15个字节处无法解码", "共有3列，第6行有5个值"], "CSV文件的字符编码无法识别"),  # other shapes: the code's meaning
])
def test_common_text_says_what_the_messages_say_alike(messages, common):
    assert common_text(messages, "ENCODING") == common
