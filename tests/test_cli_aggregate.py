"""Tests for `fulian-stats aggregate` and `fulian-stats explain` through the real entry
point: output shapes, the county → city round trip, errors and exit codes, outputs that
never overwrite an input and never leave half a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from check_helpers import clean_folder, month_rows, set_value
from check_helpers import write_form as check_form
from agg_helpers import (
    QINGXI,
    SHIMEN,
    cli,
    digests,
    leftovers,
    sha256,
    totals,
    write_form,
    write_orgs,
    write_set,
    write_table_csv,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
ROW_KEYS = {"org", "period", "indicator", "name", "unit", "value"}


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    """orgs.csv, and each county's township files in a folder of its own."""
    folder = tmp_path_factory.mktemp("city")
    write_orgs(folder)
    write_set(folder / "青溪县", QINGXI)
    write_set(folder / "石门县", SHIMEN)
    return folder


@pytest.fixture
def broken(tmp_path) -> Path:
    """青溪县's quarter and one April file with text in a number cell (D4)."""
    write_set(tmp_path / "in", QINGXI)
    write_form(tmp_path / "in" / "白沙镇_2016-04.xlsx", "白沙镇", "2016年4月", dict(trainees="十几个", poor_villages=3))
    return tmp_path / "in"


def agg_json(*args) -> dict:
    run = cli("aggregate", *args, "--format", "json", "-q")
    assert run.code == 0, run.err
    return run.json()


# 龙潭乡 does not report March (QINGXI): with the registry and a period that is a missing
# submission, which stops aggregate as it fails check; these go on past it.
PAST_MISSING = "--skip-invalid"


def totals_only(data: dict) -> dict:
    """An aggregate's JSON without its coverage: what two ways to the same totals share."""
    return {k: v for k, v in data.items() if k != "coverage"}


# -- output shapes ---------------------------------------------------------------------------

def test_json_is_exactly_the_spec_shape(city):
    data = agg_json(city / "青溪县", "--period", "2016-Q1")
    assert list(data) == ["region", "period", "rows", "coverage"]
    # Without the registry nobody said who should report: what is covered, not what is missing.
    assert data["coverage"] == {"months": ["2016-01", "2016-02", "2016-03"], "orgs": ["大宁镇", "白沙镇", "龙潭乡"],
                                "expected": None, "reported": 8, "missing": [], "invalid": [], "partial": [], "skipped_files": []}
    assert data["region"] == "合计" and data["period"] == "2016-Q1"
    for row in data["rows"]:
        assert set(row) == ROW_KEYS
        assert isinstance(row["value"], (int, float)) and not isinstance(row["value"], bool)
    got = totals(data)
    assert got[("合计", "2016-Q1", "trainees")] == 89
    assert got[("合计", "2016-Q1", "loan_amount")] == 20.94
    assert got[("合计", "2016-Q1", "poor_villages")] == 13
    assert got[("合计", "2016-Q1", "children_homes_total")] == 17
    assert got[("合计", "2016-Q1", "children_home_coverage")] == 9 / 13 * 100  # full precision
    assert got[("合计", "2016-Q1", "petition_handling_rate")] == 11 / 15 * 100
    row = next(r for r in data["rows"] if r["indicator"] == "trainees")
    assert row == {"org": "合计", "period": "2016-Q1", "indicator": "trainees", "name": "参训妇女", "unit": "人",
                   "value": 89}
    assert '"value": 89\n' in cli("aggregate", city / "青溪县", "--period", "2016-Q1", "--format", "json").out


def test_by_org_and_by_period(city):
    by_org = totals(agg_json(city / "青溪县", "--period", "2016-Q1", "--by", "org"))
    assert by_org[("龙潭乡", "2016-Q1", "poor_villages")] == 6
    assert by_org[("大宁镇", "2016-Q1", "loan_amount")] == 12.64
    by_period = totals(agg_json(city / "青溪县", "--period", "2016-Q1", "--by", "period"))
    assert by_period[("合计", "2016-03", "poor_villages")] == 7
    assert by_period[("合计", "2016-02", "trainees")] == 29


def test_periods_on_the_command_line(city):
    assert totals(agg_json(city / "青溪县", "--period", "2016-01..2016-02"))[("合计", "2016-01..2016-02", "loan_amount")] == 6.55
    march = totals(agg_json(city / "青溪县", "--period", "2016年3月"))
    assert march[("合计", "2016-03", "poor_villages")] == 7
    whole = agg_json(city / "青溪县")  # no --period: the months reported
    assert whole["period"] == "2016-Q1"


def test_csv_on_screen_and_table(city):
    run = cli("aggregate", city / "青溪县", "--period", "2016-Q1", "--format", "csv", "-q")
    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[0] == "单位,报告期,指标名称,计量单位,数值,指标编号"
    assert "合计,2016-Q1,创业担保贷款金额,万元,20.94,loan_amount" in lines
    table = cli("aggregate", city / "青溪县", "--period", "2016-Q1", "--by", "org", "-q")
    assert table.code == 0
    assert "参训妇女" in table.out and "龙潭乡" in table.out and "20.94" in table.out


def test_region_named_by_the_registry_in_json_and_csv_as_in_the_workbook(city):
    """Regression: with --orgs and no --region the workbook said 青溪县 and JSON and CSV 合计.
    Without a period nobody is expected: the orgs that reported are under 青溪县."""
    args = (city / "青溪县", "--orgs", city / "orgs.csv")
    data = agg_json(*args, "--by", "org")
    assert data["region"] == "青溪县"
    assert {org for org, _p, _i in totals(data)} == {"青溪县", "大宁镇", "白沙镇", "龙潭乡"}
    assert totals(data)[("青溪县", "2016-Q1", "loan_amount")] == 20.94
    run = cli("aggregate", *args, "--format", "csv", "-q")
    assert "青溪县,2016-Q1,创业担保贷款金额,万元,20.94,loan_amount" in run.out.splitlines()


def test_region_named_for_every_org_expected_not_only_those_that_reported(city):
    """With the city's registry and a period, 石门县's townships are expected (未报): the
    total is the city's, not 青溪县's as the files alone would say."""
    data = agg_json(city / "青溪县", "--period", "2016-Q1", "--orgs", city / "orgs.csv", PAST_MISSING)
    assert data["region"] == "云州市"
    assert {m["org"] for m in data["coverage"]["missing"]} == {"龙潭乡", "石门镇", "桃源乡"}
    assert totals(data)[("云州市", "2016-Q1", "loan_amount")] == 20.94


def test_hierarchy_levels_and_region(city):
    orgs = city / "orgs.csv"
    counties = agg_json(city, "--period", "2016-Q1", "--orgs", orgs, "--level", "county", "--by", "org",
                        "--region", "云州市", PAST_MISSING)
    got = totals(counties)
    assert counties["region"] == "云州市"
    assert {org for org, _p, _i in got} == {"云州市", "青溪县", "石门县"}
    assert got[("青溪县", "2016-Q1", "poor_villages")] == 13
    assert got[("石门县", "2016-Q1", "poor_villages")] == 9
    assert got[("云州市", "2016-Q1", "poor_villages")] == 22
    assert got[("石门县", "2016-Q1", "trainees")] == 49
    assert got[("云州市", "2016-Q1", "children_home_coverage")] == 17 / 22 * 100
    assert totals(agg_json(city, "--period", "2016-Q1", "--orgs", orgs, "--level", "县", "--by", "org", PAST_MISSING)) == got
    shimen = agg_json(city, "--period", "2016-Q1", "--orgs", orgs, "--region", "石门县", "--by", "org")  # 龙潭乡 is not in it
    assert shimen["region"] == "石门县"
    assert {r["org"] for r in shimen["rows"]} == {"石门县", "石门镇", "桃源乡"}
    assert totals(shimen)[("石门县", "2016-Q1", "trainees")] == 49


# -- county → city ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def county_books(city, tmp_path_factory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("counties")
    books = []
    for county in ("青溪县", "石门县"):
        book = out / f"{county}_2016-Q1.xlsx"
        run = cli("aggregate", city / county, "--period", "2016-Q1", "--orgs", city / "orgs.csv",
                  "--region", county, "-o", book, "-q", PAST_MISSING)
        assert run.code == 0, run.err
        assert f"已写入 {book}" in run.err
        books.append(book)
    return tuple(books)


@pytest.mark.parametrize("extra", [
    ["--by", "org"],
    ["--by", "period"],
    ["--level", "county", "--by", "org"],
    ["--level", "city", "--by", "org"],
])
def test_city_from_county_workbooks_equals_city_from_townships(city, county_books, extra):
    orgs = ["--orgs", city / "orgs.csv", "--region", "云州市", "--period", "2016-Q1", PAST_MISSING]
    direct = agg_json(city / "青溪县", city / "石门县", *orgs, *extra)
    via = agg_json(*county_books, *orgs, *extra)
    if extra[1] == "period":
        # the county workbooks hold the quarter, not its months: the city's one "month" is the quarter
        assert {r["period"] for r in via["rows"]} == {"2016-Q1"}
        assert totals(via) == {k: v for k, v in totals(direct).items() if k[1] == "2016-Q1"}
    else:
        assert totals_only(via) == totals_only(direct)
    # The county's workbook holds 龙潭乡's quarter as one number; its 报送情况 tells the city
    # that March was missing.
    assert direct["coverage"]["missing"] == via["coverage"]["missing"] == [{"org": "龙潭乡", "months": ["2016-03"]}]
    got = totals(via)
    assert got[("云州市", "2016-Q1", "poor_villages")] == 22  # stocks: not summed over months
    assert got[("云州市", "2016-Q1", "loan_amount")] == 25.73  # 20.94 + 4.79, to the cent


def test_city_from_county_workbooks_without_registry(city, county_books):
    direct = totals_only(agg_json(city / "青溪县", city / "石门县", "--period", "2016-Q1", "--by", "org"))
    assert totals_only(agg_json(*county_books, "--period", "2016-Q1", "--by", "org")) == direct
    assert totals_only(agg_json(*county_books, "--by", "org")) == direct  # the period read from the workbooks


def test_region_picks_its_townships_out_of_the_whole_city(city, county_books):
    orgs = ["--orgs", city / "orgs.csv", "--period", "2016-Q1", "--by", "org", PAST_MISSING]
    county = agg_json(city / "青溪县", "--region", "青溪县", *orgs)
    assert agg_json(city, "--region", "青溪县", *orgs) == county
    assert totals_only(agg_json(county_books[0], "--region", "青溪县", *orgs)) == totals_only(county)


def test_region_may_be_given_by_any_name_the_registry_knows(city):
    # Regression: --region 青溪县妇联 (the registry's alias) was refused as not in it.
    orgs = ["--orgs", city / "orgs.csv", "--period", "2016-Q1", "--by", "org", PAST_MISSING]
    assert agg_json(city, "--region", "青溪县妇联", *orgs) == agg_json(city, "--region", "青溪县", *orgs)
    run = cli("aggregate", city, "--region", "无名县", *orgs[:4])
    assert (run.code, run.err) == (2, "错误：--region 无名县 不在单位名册中\n")


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory) -> Path:
    book = tmp_path_factory.mktemp("sample") / "X.xlsx"
    run = cli("aggregate", SAMPLE, "--period", "2017", "-o", book, "-q")
    assert run.code == 0, run.err
    return book


def test_sample_data_round_trip(sample_book):
    direct = totals_only(agg_json(SAMPLE, "--period", "2017", "--by", "org"))
    assert len(direct["rows"]) > 59 * 12
    assert totals_only(agg_json(sample_book, "--period", "2017", "--by", "org")) == direct
    assert totals_only(agg_json(sample_book, "--by", "org")) == direct
    book = openpyxl.load_workbook(sample_book, read_only=True)
    assert book.sheetnames == ["汇总表", "报送情况", "分月", "明细", "图表"]


def test_sample_data_round_trip_with_registry(sample_book):
    orgs = SAMPLE / "orgs.csv"
    direct = agg_json(SAMPLE, "--period", "2017", "--orgs", orgs, "--region", "青溪县", "--level", "county", "--by", "org")
    via = agg_json(sample_book, "--period", "2017", "--orgs", orgs, "--region", "青溪县", "--level", "county", "--by", "org")
    assert via == direct  # every township sent every month: the coverage is the same too
    assert {r["org"] for r in via["rows"]} == {"青溪县"}


# -- errors --------------------------------------------------------------------------------------

def test_errors_stop_with_exit_1_and_no_output(broken, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    run = cli("aggregate", broken, "--period", "2016", "-o", out / "汇总.xlsx", "-q")
    assert run.code == 1
    assert "白沙镇_2016-04.xlsx" in run.err and "D4" in run.err and "十几个" in run.err
    assert "--skip-invalid" in run.err
    assert run.out == ""
    assert list(out.iterdir()) == []
    assert cli("aggregate", broken, "--period", "2016", "--format", "json", "-q").code == 1


def _missing_three(folder: Path) -> None:
    for name in ("2016-02/大宁镇_2016-02.xlsx", "2016-03/大宁镇_2016-03.xlsx", "2016-03/石门镇_2016-03.xlsx"):
        (folder / name).unlink()


def _text_in_a_number(folder: Path) -> None:
    rows = set_value(month_rows(2, 1), "参训妇女", month="十几个")
    check_form(folder / "2016-02" / "白沙镇_2016-02.xlsx", org="白沙镇妇联", period="2016年2月", rows=rows)


def _an_estimate(folder: Path) -> None:
    rows = set_value(month_rows(2, 1), "妇女之家服务", month="280多")  # read as 280, as sent
    check_form(folder / "2016-02" / "白沙镇_2016-02.xlsx", org="白沙镇妇联", period="2016年2月", rows=rows)


def _an_estimate_and_text_in_a_number(folder: Path) -> None:
    _an_estimate(folder)
    _text_in_a_number(folder)


@pytest.mark.parametrize(("spoil", "code"), [(None, 0), (_missing_three, 1), (_text_in_a_number, 1), (_an_estimate, 0),
                                             (_an_estimate_and_text_in_a_number, 1)])
def test_aggregate_refuses_exactly_when_check_fails_and_lists_the_same_errors(tmp_path, monkeypatch, spoil, code):
    """Seven townships' March files missing: check failed, aggregate added up the rest and said nothing.
    Regression: a refused aggregate listed the errors alone and said 0个警告 beside a warning."""
    monkeypatch.chdir(tmp_path)
    folder = clean_folder(tmp_path)
    if spoil:
        spoil(folder)
    args = ["submissions", "--orgs", "orgs.csv", "--period", "2016-Q1", "-q"]
    checked, aggregated = cli("check", *args), cli("aggregate", *args)
    assert (checked.code, aggregated.code) == (code, code)
    if spoil is _an_estimate:
        assert "NUMBER_ESTIMATE" in checked.out  # a warning: check passes, and so does aggregate
    if code:
        assert aggregated.err == checked.out + ("有错误，未汇总。请改正上面的错误后重试，或加 --skip-invalid 跳过有错误的文件、"
                                                "只汇总已报送的数据。\n")


def test_skip_invalid_goes_on_past_missing_submissions_and_says_which(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _missing_three(clean_folder(tmp_path))
    run = cli("aggregate", "submissions", "--orgs", "orgs.csv", "--period", "2016-Q1", "--skip-invalid",
              "--format", "json", "-q")
    assert run.code == 0
    assert run.err == "注意：未报送：大宁镇 2-3月；石门镇 3月\n"
    coverage = run.json()["coverage"]
    assert coverage == {
        "months": ["2016-01", "2016-02", "2016-03"],
        "orgs": ["大宁镇", "白沙镇", "石门镇", "河西街道", "城东街道", "城南街道"],
        "expected": 18, "reported": 15,
        "missing": [{"org": "大宁镇", "months": ["2016-02", "2016-03"]}, {"org": "石门镇", "months": ["2016-03"]}],
        "invalid": [], "partial": [], "skipped_files": []}
    # 新媒体推送信息 of the 15 org-months sent, not of 18
    posts = totals(run.json())[("青溪县", "2016-Q1", "wechat_posts")]
    assert posts == sum(10 + m + k for m in (1, 2, 3) for k in range(6)) - (10 + 2 + 0) - (10 + 3 + 0) - (10 + 3 + 2)


def test_exit_code_of_the_installed_command(broken):
    """The console script itself (not only main() in-process) exits 1 on errors."""
    run = subprocess.run([sys.executable, "-m", "fulian_stats", "aggregate", str(broken), "--period", "2016", "-q"],
                         capture_output=True, text=True, encoding="utf-8")
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr


def test_skip_invalid_leaves_the_file_out_and_says_so(broken, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    run = cli("aggregate", broken, "--period", "2016", "--skip-invalid", "-o", out / "汇总.json", "-q")
    assert run.code == 0, run.err
    bad = str(broken / "白沙镇_2016-04.xlsx")
    assert run.err.splitlines() == ["注意：存量指标取各单位报告期内最后报送的一个月：龙潭乡取2016年2月的数（其他单位为2016年3月）",
                                    "注意：报表有误、未计入：白沙镇 4月", f"注意：以下1个文件有错误，未计入汇总：{bad}",
                                    f"已写入 {out / '汇总.json'}（2016年，3个单位报送了数据）"]
    data = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    assert list(data) == ["region", "period", "rows", "coverage"]
    assert data["coverage"]["invalid"] == [{"org": "白沙镇", "months": ["2016-04"], "files": [bad]}]
    assert data["coverage"]["skipped_files"] == [bad]
    assert totals(data)[("合计", "2016", "trainees")] == 89
    assert totals(data)[("合计", "2016", "poor_villages")] == 13  # not the skipped April
    screen = cli("aggregate", broken, "--period", "2016", "--skip-invalid", "--format", "json", "-q")
    assert screen.code == 0 and screen.json() == data
    book = cli("aggregate", broken, "--period", "2016", "--skip-invalid", "-o", out / "汇总.xlsx", "-q")
    assert book.code == 0 and (out / "汇总.xlsx").exists()
    assert leftovers(out) == []


def test_output_that_is_an_input_is_refused(city, tmp_path):
    book = tmp_path / "青溪县.xlsx"
    assert cli("aggregate", city / "青溪县", "--period", "2016-Q1", "-o", book, "-q").code == 0
    before = sha256(book)
    run = cli("aggregate", book, "--period", "2016-Q1", "-o", book, "-q")
    assert run.code == 2
    assert "输入文件" in run.err and "覆盖" in run.err
    assert sha256(book) == before
    # also when the input was found by walking a folder
    run = cli("aggregate", tmp_path, "--period", "2016-Q1", "-o", book, "-q")
    assert run.code == 2 and sha256(book) == before
    assert leftovers(tmp_path) == []


def test_output_csv_that_is_an_input_is_refused(tmp_path):
    source = write_table_csv(tmp_path / "街道_2016-03.csv", [("河西街道", {"trainees": 3, "lectures": 1}),
                                                             ("城东街道", {"trainees": 4, "lectures": 2})],
                             period_label="2016年3月")
    before = sha256(source)
    run = cli("aggregate", source, "-o", source, "-q")
    assert run.code == 2 and "输入文件" in run.err
    assert sha256(source) == before
    assert leftovers(tmp_path) == []


DATA = ROOT / "src" / "fulian_stats" / "data"


@pytest.fixture
def office(tmp_path, monkeypatch) -> Path:
    """A county office's working folder: fulian.toml naming its registry, catalog and
    rules, and 青溪县's quarter in 报表/."""
    monkeypatch.chdir(tmp_path)
    write_orgs(tmp_path)
    (tmp_path / "indicators.csv").write_bytes((DATA / "indicators.csv").read_bytes())
    (tmp_path / "rules.csv").write_bytes((DATA / "rules.csv").read_bytes())
    (tmp_path / "fulian.toml").write_text('orgs = "orgs.csv"\ncatalog = "indicators.csv"\nrules = "rules.csv"\n',
                                          encoding="utf-8")
    write_set(tmp_path / "报表", QINGXI)
    return tmp_path


@pytest.mark.parametrize(("target", "link_to", "named"), [
    ("orgs.csv", None, "单位名册 {root}/orgs.csv"),
    ("报表/../orgs.csv", None, "单位名册 {root}/orgs.csv"),
    ("indicators.csv", None, "指标目录 {root}/indicators.csv"),
    ("rules.csv", None, "校验规则 {root}/rules.csv"),
    ("配置.csv", "fulian.toml", "配置文件 {root}/fulian.toml"),
    ("报表/大宁镇_2016-01.xlsx", None, "报表 报表/大宁镇_2016-01.xlsx"),  # found by walking the folder
    ("汇总.xlsx", "报表/白沙镇_2016-02.xlsx", "报表 报表/白沙镇_2016-02.xlsx"),  # a link to one
])
def test_output_onto_any_file_the_run_reads_is_refused(office, target, link_to, named):
    """`aggregate -o orgs.csv` once replaced the registry with a CSV of totals."""
    if link_to:
        os.symlink(office / link_to, office / target)
    before = digests(office)
    run = cli("aggregate", "报表", "-o", target, "-q")
    assert run.code == 2
    assert run.err.splitlines()[-1] == (f"错误：输出文件 {target} 是输入文件之一（{named.format(root=office)}）；"
                                        "为防止覆盖，请换一个文件名或位置")
    assert digests(office) == before
    assert leftovers(office) == []


@pytest.mark.parametrize("name", ["汇总.xlsx", "汇总.csv", "汇总.json"])
def test_the_next_run_replaces_its_own_earlier_output(office, name):
    assert cli("aggregate", "报表", "-o", name, "-q").code == 0
    first = sha256(office / name)
    write_form(office / "报表" / "白沙镇_2016-04.xlsx", "白沙镇", "2016-04", {"trainees": 5})
    assert cli("aggregate", "报表", "-o", name, "-q").code == 0
    assert sha256(office / name) != first and leftovers(office) == []


@pytest.mark.parametrize("name, content", [("汇总.xlsx", "我的笔记"), ("汇总.xlsx", "汇总表"), ("汇总.csv", "单位,人数\n大宁镇,5\n"),
                                           ("汇总.json", '{"mine": 1}')])
def test_an_existing_file_the_tool_did_not_write_is_replaced_only_with_force(office, name, content):
    # Regression: `aggregate -o` replaced whatever was there (a township's submission, too),
    # and then any workbook whose first sheet a county had named 汇总表.
    if name.endswith(".xlsx"):
        book = openpyxl.Workbook()
        book.active.title = content
        book.create_sheet("我的备注")
        book.save(office / name)
    else:
        (office / name).write_text(content, encoding="utf-8")
    before = digests(office)
    run = cli("aggregate", "报表", "-o", name, "-q")
    assert (run.code, run.err) == (2, f"错误：{name} 已存在，为防止覆盖，没有生成任何文件；确认要替换时加 --force\n")
    assert digests(office) == before
    assert cli("aggregate", "报表", "-o", name, "-q", "--force").code == 0
    assert sha256(office / name) != before[name]


def test_a_filled_submission_is_never_replaced_by_totals(office):
    write_form(office / "白沙镇_2016-02.xlsx", "白沙镇", "2016-02", {"trainees": 5})  # not one of the run's
    before = digests(office)
    for force in ((), ("--force",)):
        run = cli("aggregate", "报表", "-o", "白沙镇_2016-02.xlsx", "-q", *force)
        assert (run.code, run.err) == (2, "错误：白沙镇_2016-02.xlsx 是已填报的报表，不能用汇总结果替换（加 --force 也不会替换）；"
                                          "请换一个文件名或文件夹\n")
    assert digests(office) == before


def test_aggregate_says_when_warnings_may_mean_a_number_is_missing(office):
    # Regression: a formula without its value was read as blank and the total printed
    # with no word of it (only check showed the warning).
    write_form(office / "报表" / "白沙镇_2016-04.xlsx", "白沙镇", "2016-04", {"trainees": "约30"})
    run = cli("aggregate", "报表", "-q")
    assert run.code == 0
    assert "注意：校验有1条警告（数值是估计数（如“300多”“约300”），按整数读取1条），未阻止汇总，" \
           "但其中的数可能未计入或不准确；请用 fulian-stats check 查看\n" in run.err


def test_a_period_without_data_is_refused_not_an_empty_table(office):
    # Regression: `--period 2015` on 2016's files printed an empty table and exited 0.
    (office / "fulian.toml").write_text('catalog = "indicators.csv"\nrules = "rules.csv"\n', encoding="utf-8")
    run = cli("aggregate", "报表", "--period", "2015", "-q")
    assert run.code == 2
    assert run.err.startswith("错误：没有可汇总的数据：所给文件中没有2015年的数值（读到的数值在2016年")
    assert run.out == ""


@pytest.mark.parametrize("name", ["out.txt", "out.xls", "out", "out.docx"])
def test_unsupported_output_suffix(city, tmp_path, name):
    run = cli("aggregate", city / "青溪县", "-o", tmp_path / name, "-q")
    assert run.code == 2
    assert "不支持的输出格式" in run.err
    assert list(tmp_path.iterdir()) == []


def test_outputs_are_written_atomically(city, tmp_path):
    for name in ("a.xlsx", "a.csv", "a.json"):
        assert cli("aggregate", city / "青溪县", "-o", tmp_path / name, "-q").code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.json", "a.xlsx"]
    assert (tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    run = cli("aggregate", city / "青溪县", "-o", tmp_path / "missing" / "a.xlsx", "-q")
    assert run.code == 2 and "输出文件夹不存在" in run.err
    (tmp_path / "folder.xlsx").mkdir()
    run = cli("aggregate", city / "青溪县", "-o", tmp_path / "folder.xlsx", "-q")
    assert run.code == 2 and "是一个文件夹" in run.err and "内部错误" not in run.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.json", "a.xlsx", "folder.xlsx"]


def test_usage_errors(city):
    assert cli("aggregate", city / "青溪县", "--level", "county", "-q").code == 2
    run = cli("aggregate", city / "青溪县", "--orgs", city / "orgs.csv", "--region", "火星县", "-q")
    assert run.code == 2 and "火星县" in run.err
    assert cli("aggregate", city / "青溪县", "--period", "2016-13", "-q").code == 2
    assert cli("aggregate", city / "没有这个文件夹", "-q").code == 2
    assert "Traceback" not in run.err


# -- text stays text -------------------------------------------------------------------------------

def test_hostile_org_and_file_names_stay_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_table_csv(tmp_path / "=1+1_2016-03.csv", [("=1+1", {"trainees": 5, "lectures": 1}),
                                                    ("@SUM(A1)", {"trainees": 2, "lectures": 1}),
                                                    ("-2+3", {"trainees": 1, "lectures": 1})], period_label="2016年3月")
    assert cli("aggregate", "=1+1_2016-03.csv", "--by", "org", "-o", "out.xlsx", "-q").code == 0
    book = openpyxl.load_workbook("out.xlsx")
    header = [c for c in book["汇总表"][3]][4:]
    assert sorted(c.value for c in header) == ["-2+3", "=1+1", "@SUM(A1)"]
    assert all(c.data_type == "s" for c in header)
    details = list(book["明细"].iter_rows(min_row=2))
    assert {row[5].value for row in details} == {"=1+1_2016-03.csv"}
    assert all(row[0].data_type == "s" and row[5].data_type == "s" for row in details)
    assert cli("aggregate", "=1+1_2016-03.csv", "--by", "org", "-o", "out.csv", "-q").code == 0
    text = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert "'=1+1,2016-03,参训妇女,人,5,trainees" in text
    assert "'@SUM(A1),2016-03," in text and "'-2+3,2016-03," in text
    screen = cli("aggregate", "=1+1_2016-03.csv", "--by", "org", "--format", "csv", "-q")
    assert "'=1+1,2016-03" in screen.out


# -- explain ---------------------------------------------------------------------------------------

def test_explain_stock(city):
    run = cli("explain", "poor_villages", city / "青溪县", "--period", "2016-Q1", "--format", "json", "-q")
    assert run.code == 0, run.err
    data = run.json()
    assert data["indicator"] == "poor_villages" and data["period"] == "2016-Q1" and data["value"] == 13
    assert [(s["org"], s["period"], s["value"]) for s in data["sources"]] == [
        ("大宁镇", "2016-03", 4), ("白沙镇", "2016-03", 3), ("龙潭乡", "2016-02", 6)]
    for source in data["sources"]:
        assert Path(source["file"]).name == f"{source['org']}_{source['period']}.xlsx"
        cell = openpyxl.load_workbook(source["file"])[source["sheet"]][source["cell"]]
        assert cell.value == source["value"]


def test_explain_flow_rate_and_table(city):
    flow = cli("explain", "loan_amount", city / "青溪县", "--period", "2016-Q1", "--format", "json", "-q").json()
    assert flow["value"] == 20.94 and len(flow["sources"]) == 6
    rate = cli("explain", "children_home_coverage", city / "青溪县", "--period", "2016-Q1", "--format", "json", "-q").json()
    assert rate["value"] == 9 / 13 * 100
    assert {s["indicator"] for s in rate["sources"]} == {"poor_villages", "poor_villages_with_children_home"}
    table = cli("explain", "poor_villages", city / "青溪县", "--period", "2016-Q1", "-q")
    assert table.code == 0 and "龙潭乡" in table.out and "2016-02" in table.out and "13" in table.out
    assert cli("explain", "no_such", city / "青溪县", "-q").code == 2


def test_explain_takes_the_indicators_name_and_refuses_a_wrong_one_before_reading(city, monkeypatch):
    # Regression (trial): 参训妇女 was refused, and only after every file was checked.
    by_name = cli("explain", "贫困村", city / "青溪县", "--period", "2016-Q1", "--format", "json", "-q").json()
    assert (by_name["indicator"], by_name["value"]) == ("poor_villages", 13)
    import fulian_stats.api

    monkeypatch.setattr(fulian_stats.api, "check", lambda *a, **k: pytest.fail("files read for a wrong indicator"))
    run = cli("explain", "无此指标", city / "青溪县", "-q")
    assert (run.code, run.err) == (2, "错误：指标目录中没有指标“无此指标”（fulian-stats indicators 可列出全部指标的编号和名称）\n")


@pytest.mark.parametrize("edit", ["a sheet added", "a cell changed"])
def test_a_summary_edited_since_it_was_written_is_replaced_only_with_force(office, edit):
    # Regression: the user's own sheet 我的分析 vanished on the next `aggregate -o`.
    assert cli("aggregate", "报表", "-o", "汇总.xlsx", "-q").code == 0
    book = openpyxl.load_workbook(office / "汇总.xlsx")
    if edit == "a sheet added":
        book.create_sheet("我的分析")["A1"] = "重要手工分析"
    else:
        book["汇总表"]["A1"] = "青溪县2016年一季度汇总（已核）"
    book.properties.created = datetime(2016, 4, 1)  # saved after it was written, as any later save is
    book.save(office / "汇总.xlsx")
    edited = sha256(office / "汇总.xlsx")
    run = cli("aggregate", "报表", "-o", "汇总.xlsx", "-q")
    assert (run.code, run.err) == (2, "错误：汇总.xlsx 是本工具写出的汇总表，但写出后又被修改或另存过；为免丢失其中的修改，"
                                      "没有写出任何文件；请换一个文件名，或确认要替换时加 --force\n")
    assert sha256(office / "汇总.xlsx") == edited
    assert cli("aggregate", "报表", "-o", "汇总.xlsx", "-q", "--force").code == 0
    assert openpyxl.load_workbook(office / "汇总.xlsx").sheetnames == ["汇总表", "报送情况", "分月", "明细", "图表"]
