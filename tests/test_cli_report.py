"""Tests for `fulian-stats report` through the real entry point: outputs that never
replace a template or any other file the run reads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agg_helpers import QINGXI, cli, leftovers, sha256, write_orgs, write_set

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


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


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
