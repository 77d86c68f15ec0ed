"""The library (fulian_stats.api): what the command line does, from Python; the
README's example runs as it is written."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

import fulian_stats.api as fs
from fulian_stats.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("district")
    shutil.copytree(ROOT / "sample_data", folder / "sample_data")
    return folder


def test_the_readme_example_runs(district, monkeypatch, capsys):
    monkeypatch.chdir(district)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - the project's own README
    assert capsys.readouterr().out == "1163 0\n"
    assert (district / "青溪县2017年汇总.xlsx").stat().st_size > 0
    assert (district / "2017年综述.docx").stat().st_size > 0


def test_errors_stop_aggregation_with_the_errors_in_hand(district, tmp_path):
    (tmp_path / "大宁镇_2017-03.xlsx").write_bytes(b"PK\x03\x04 cut")
    shutil.copy(district / "sample_data/2017/03/白沙镇_2017-03.xlsx", tmp_path)
    report = fs.check([tmp_path])
    with pytest.raises(fs.DataErrors) as stopped:
        fs.aggregate(report)
    assert [(f.code, f.file) for f in stopped.value.findings] == [("FILE_UNREADABLE", f"{tmp_path}/大宁镇_2017-03.xlsx")]
    # what a notebook prints: the first error itself, not only a count
    assert str(stopped.value) == (f"有1个错误，未汇总；第一个：{tmp_path}/大宁镇_2017-03.xlsx："
                                  f"{stopped.value.findings[0].message}")
    totals = fs.aggregate(report, skip_invalid=True)
    assert totals.coverage.skipped_files == [f"{tmp_path}/大宁镇_2017-03.xlsx"]


def test_write_never_replaces_a_file_the_run_read(district):
    orgs = district / "sample_data/orgs.csv"
    before = hashlib.sha256(orgs.read_bytes()).hexdigest()
    totals = fs.aggregate(fs.check([district / "sample_data/2017/01"], orgs=orgs, period="2017-01"))
    for target in (orgs, district / "sample_data/2017/01/大宁镇_2017-01.xlsx"):
        with pytest.raises(UsageError, match="是输入文件之一"):
            fs.write(totals, target.with_suffix(".csv") if target == orgs else target)
    with pytest.raises(UsageError, match="不支持的输出格式"):
        fs.write(totals, district / "汇总.docx")
    assert hashlib.sha256(orgs.read_bytes()).hexdigest() == before


def test_a_refusal_to_replace_says_how_python_insists(district, tmp_path):
    # Regression: the library's refusal said 加 --force, an option a notebook has not.
    totals = fs.aggregate(fs.check([district / "sample_data/2017/01"], orgs=district / "sample_data/orgs.csv",
                                   period="2017-01"))
    (tmp_path / "汇总.json").write_text("{}", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        fs.write(totals, tmp_path / "汇总.json")
    assert str(caught.value) == f"{tmp_path / '汇总.json'} 已存在，为防止覆盖，没有生成任何文件；确认要替换时传 force=True"
    fs.write(totals, tmp_path / "汇总.json", force=True)
    assert (tmp_path / "汇总.json").read_text(encoding="utf-8").startswith('{\n  "region": ')


def test_a_region_is_named_as_the_registry_names_it(district):
    report = fs.check([district / "sample_data/2017/01"], orgs=district / "sample_data/orgs.csv", period="2017-01")
    alias = fs.aggregate(report, region="青溪县妇联")
    assert (alias.region, alias.scope) == ("青溪县", "青溪县")
    assert alias.value("trainees") == fs.aggregate(report, region="青溪县").value("trainees")
    with pytest.raises(UsageError) as caught:
        fs.aggregate(report, region="无名县")
    assert str(caught.value) == "地区 无名县 不在单位名册中"


def test_a_setup_is_made_once_and_serves_every_call(district):
    setup = fs.setup(orgs=district / "sample_data/orgs.csv")
    inspected = fs.inspect([district / "sample_data/2017/01/大宁镇_2017-01.xlsx"], setup)
    assert [(i.kind, i.org.value, i.period.value) for i in inspected] == [("form", "大宁镇", "2017-01")]
    read = fs.read([district / "sample_data/2017/01"], setup)
    assert len(read.files) == 10 and read.all_findings()[0].code == "UNIT_CONVERTED"
    totals = fs.aggregate(fs.check([district / "sample_data/2017/01"], setup))
    assert totals.place == "青溪县"
    sources = fs.explain(totals, "trainees")
    assert sources["value"] == sum(row["value"] for row in sources["sources"])
    assert fs.draft(totals).text.startswith("# ")


def test_the_region_of_fulian_toml_titles_the_totals(qingxi, tmp_path):
    from agg_helpers import ORGS_CSV

    (tmp_path / "orgs.csv").write_text(ORGS_CSV, encoding="utf-8")
    (tmp_path / "fulian.toml").write_text('region = "青溪县"\norgs = "orgs.csv"\n', encoding="utf-8")
    totals = fs.aggregate(fs.check([qingxi], fs.setup(folder=tmp_path), "2016-Q1"), skip_invalid=True)
    assert (totals.region, totals.place, totals.title) == ("青溪县", "青溪县", "青溪县2016年第一季度")


def test_a_notebooks_natural_arguments_are_taken():
    # Regression: one path was read as its characters, an int period raised AttributeError.
    import datetime

    report = fs.check(SAMPLE / "2017" / "03", orgs=SAMPLE / "orgs.csv")
    assert len(report.files) == 10 and report.files == fs.check(str(SAMPLE / "2017" / "03")).files
    assert fs.aggregate(report, period=datetime.date(2017, 3, 31)).period == fs.aggregate(report, period="2017-03").period
    assert repr(fs.aggregate(fs.check(SAMPLE / "2017"), period=2017).period) == "Period('2017')"
    with pytest.raises(UsageError, match="报告期应写作 2016-03、2016-Q1、2016 等，而不是 3.5"):
        fs.aggregate(report, period=3.5)


def test_a_misspelt_indicator_is_an_error_not_none():
    totals = fs.aggregate(fs.check(SAMPLE / "2017" / "03"))
    assert totals.value("trainees") is not None
    with pytest.raises(UsageError, match="指标目录中没有指标“trainess”"):
        totals.value("trainess")
    assert totals.value("参训妇女") == totals.value("参训人数") == totals.value("trainees")
