"""Tests for `fulian-stats report` through the real entry point: outputs that never
replace a template or any other file the run reads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agg_helpers import QINGXI, cli, digests, leftovers, write_form, write_orgs, write_set

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def office(tmp_path, monkeypatch) -> Path:
    """青溪县's quarter in 报表/, its registry, and the office's own templates in 模板/."""
    monkeypatch.chdir(tmp_path)
    write_orgs(tmp_path)
    write_set(tmp_path / "报表", QINGXI)
    (tmp_path / "模板").mkdir()
    (tmp_path / "模板" / "月报.docx").write_bytes((ROOT / "templates" / "公文.docx").read_bytes())
    (tmp_path / "简报.md").write_text("# {{ region }}{{ period.label }}简报\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("args", "target", "named"), [
    (["--template", "简报.md"], "简报.md", "模板 简报.md"),
    (["--template", "模板/月报.docx"], "模板/月报.docx", "模板 模板/月报.docx"),
    ([], "模板/月报.docx", "模板 {root}/模板/月报.docx"),  # the office's own 月报, found through fulian.toml
])
def test_report_onto_its_own_template_is_refused(office, args, target, named):
    (office / "fulian.toml").write_text('templates = "模板"\n', encoding="utf-8")
    before = digests(office)
    run = cli("report", "报表", "--period", "2016-02", *args, "-o", target, "-q")
    assert run.code == 2
    assert run.err == (f"错误：输出文件 {target} 是输入文件之一（{named.format(root=office)}）；"
                       "为防止覆盖，请换一个文件名或位置\n")
    assert digests(office) == before
    assert leftovers(office) == [] and leftovers(office / "模板") == []


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_report_onto_a_link_to_a_submission_is_refused(office):
    os.symlink(office / "报表" / "白沙镇_2016-02.xlsx", office / "综述.md")
    before = digests(office)
    run = cli("report", "报表", "--period", "2016-02", "-o", "综述.md", "-q")
    assert run.code == 2 and "是输入文件之一（报表 报表/白沙镇_2016-02.xlsx）" in run.err
    assert digests(office) == before


@pytest.mark.parametrize("name", ["综述.md", "综述.docx"])
def test_a_draft_is_never_replaced_without_force(office, name):
    # A draft is edited by hand once written: the next run must not replace the edits.
    assert cli("report", "报表", "--period", "2016-02", "-o", name, "-q").code == 0
    (office / name).write_bytes(b"edited by hand")
    run = cli("report", "报表", "--period", "2016-02", "-o", name, "-q")
    assert (run.code, run.err) == (2, f"错误：{name} 已存在，为防止覆盖，没有生成任何文件；确认要替换时加 --force\n")
    assert (office / name).read_bytes() == b"edited by hand"
    assert cli("report", "报表", "--period", "2016-02", "-o", name, "-q", "--force").code == 0
    assert (office / name).read_bytes() != b"edited by hand" and leftovers(office) == []


def test_report_past_missing_and_broken_files_says_what_it_covers(office):
    """A total that lacked townships was drafted as if all had reported."""
    for month in (1, 2, 3):
        write_form(office / "报表" / f"龙潭乡_2016-{month:02d}.xlsx", "龙潭乡", f"2016年{month}月", dict(trainees=1))
    bad = office / "报表" / "白沙镇_2016-02.xlsx"
    bad.write_bytes(bad.read_bytes()[:600])
    (office / "报表" / "大宁镇_2016-03.xlsx").unlink()
    args = ["report", "报表", "--orgs", "orgs.csv", "--region", "青溪县", "--period", "2016-Q1", "-q"]
    assert cli(*args).code == 1  # as check: a missing submission and a broken file
    run = cli(*args, "--skip-invalid")
    assert run.code == 0
    assert run.out.split("\n")[4] == (
        "2016年第一季度，青溪县各级妇联组织团结带领广大妇女，围绕中心、服务大局，扎实推进各项工作，妇女儿童事业取得新进展。"
        "全县3个乡镇（街道）中1个报送了2016年第一季度各月数据（大宁镇3月未报送；白沙镇2月报表有误，相关数据未计入）。")
    assert run.err.splitlines() == ["注意：未报送：大宁镇 3月", "注意：报表有误、未计入：白沙镇 2月",
                                    "注意：以下1个文件有错误，未计入汇总：报表/白沙镇_2016-02.xlsx"]


def test_a_review_of_one_township_does_not_count_its_townships(office):
    # Regression: --region 大宁镇 wrote 「全镇0个乡镇（街道）妇联全部按月报送了工作数据」.
    run = cli("report", "报表", "--orgs", "orgs.csv", "--period", "2016-Q1", "--region", "大宁镇", "--template", "年度综述", "-q")
    assert run.code == 0, run.err
    opening = run.out.split("\n\n")[2]
    assert opening.endswith("妇女儿童事业取得新进展。2016年第一季度的工作数据均已报送。")
