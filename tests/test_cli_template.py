"""Tests for `fulian-stats template` through the real entry point: a blank template
never replaces a file the run reads, an existing file only with --force, and a filled
submission never."""

from __future__ import annotations

from pathlib import Path

import pytest

from agg_helpers import cli, digests, leftovers, sha256, write_form, write_orgs

LEAVES = ["大宁镇", "白沙镇", "龙潭乡", "石门镇", "桃源乡"]


@pytest.fixture
def office(tmp_path, monkeypatch) -> Path:
    """The registry, and 报表/ holding 大宁镇's and 白沙镇's real March submissions."""
    monkeypatch.chdir(tmp_path)
    write_orgs(tmp_path)
    for org in ("大宁镇", "白沙镇"):
        write_form(tmp_path / "报表" / f"{org}_2016-03.xlsx", org, "2016年3月", dict(trainees=12, lectures=2))
    return tmp_path


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_templates_for_orgs_never_replace_real_submissions(office, force):
    """`template --orgs … -o 2017/03/` once replaced seven real March submissions with blank forms."""
    before = digests(office)
    run = cli("template", "--orgs", "orgs.csv", "--period", "2016-03", "-o", "报表", *force)
    assert run.code == 2
    assert run.err == ("错误：报表/大宁镇_2016-03.xlsx、报表/白沙镇_2016-03.xlsx 是已填报的报表，不能用空白模板替换"
                       "（加 --force 也不会替换）；请换一个文件名或文件夹\n")
    assert digests(office) == before  # 龙潭乡's missing form is not written either
    assert leftovers(office / "报表") == []


def test_templates_for_orgs_replace_blank_ones_only_with_force(office):
    assert cli("template", "--orgs", "orgs.csv", "--period", "2016-04", "-o", "模板").code == 0
    assert sorted(p.name for p in (office / "模板").iterdir()) == sorted(f"{o}_2016-04.xlsx" for o in LEAVES)
    before = digests(office)
    run = cli("template", "--orgs", "orgs.csv", "--period", "2016-04", "-o", "模板")
    assert run.code == 2
    assert run.err == ("错误：模板/大宁镇_2016-04.xlsx、模板/白沙镇_2016-04.xlsx、模板/龙潭乡_2016-04.xlsx、"
                       "模板/石门镇_2016-04.xlsx、模板/桃源乡_2016-04.xlsx 已存在，为防止覆盖，没有生成任何文件；"
                       "确认要替换时加 --force\n")
    assert digests(office) == before
    run = cli("template", "--orgs", "orgs.csv", "--period", "2016-04", "--region", "青溪县", "-o", "模板", "--force")
    assert run.code == 0 and run.err == "已在 模板 中生成5份模板\n"
    assert digests(office)["模板/大宁镇_2016-04.xlsx"] != before["模板/大宁镇_2016-04.xlsx"]  # the new title
    assert leftovers(office / "模板") == []


def test_one_template_onto_a_filled_submission_is_refused_even_with_force(office):
    before = digests(office)
    for force in ([], ["--force"]):
        run = cli("template", "--org", "大宁镇", "--period", "2016-03", "-o", "报表/大宁镇_2016-03.xlsx", *force)
        assert run.code == 2
        assert run.err == ("错误：报表/大宁镇_2016-03.xlsx 是已填报的报表，不能用空白模板替换（加 --force 也不会替换）；"
                           "请换一个文件名或文件夹\n")
    assert digests(office) == before


def test_one_template_onto_an_existing_file_needs_force(office):
    assert cli("template", "-o", "空白.xlsx").code == 0
    before = sha256(office / "空白.xlsx")
    run = cli("template", "--layout", "table", "-o", "空白.xlsx")
    assert run.code == 2
    assert run.err == "错误：空白.xlsx 已存在，为防止覆盖，没有生成任何文件；确认要替换时加 --force\n"
    assert sha256(office / "空白.xlsx") == before
    assert cli("template", "--layout", "table", "-o", "空白.xlsx", "--force").code == 0
    assert sha256(office / "空白.xlsx") != before
    assert leftovers(office) == []


def test_a_template_onto_the_registry_is_refused(office):
    before = digests(office)
    run = cli("template", "--orgs", "orgs.csv", "--layout", "table", "-o", "orgs.csv", "--force")
    assert run.code == 2
    assert run.err == "错误：输出文件 orgs.csv 是输入文件之一（单位名册 orgs.csv）；为防止覆盖，请换一个文件名或位置\n"
    assert digests(office) == before
