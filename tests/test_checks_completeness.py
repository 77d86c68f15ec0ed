"""Every org and month the registry expects (checks/completeness.py).

Real files where the layout matters, observation rows (check_helpers.obs) where it
does not."""

from __future__ import annotations

from pathlib import Path

from check_helpers import (
    check,
    clean_folder,
    month_rows,
    obs,
    only,
    problems,
    run_check,
    street_rows,
    write_form,
    write_table,
)

from fulian_stats.checks import completeness
from fulian_stats.findings import ERROR
from fulian_stats.observations import blocks_from_rows
from fulian_stats.orgs import parse_orgs
from fulian_stats.periods import parse_period

REGISTRY = parse_orgs("name,parent,aliases\n青溪县,,\n大宁镇,青溪县,\n白沙镇,青溪县,\n城区,青溪县,\n河西街道,城区,\n", "orgs.csv")


def test_every_leaf_of_the_registry_reports_every_month_of_the_period():
    rows = [obs(org, f"2016-{m:02d}", "trainees", 1) for org in ("大宁镇", "河西街道") for m in (1, 2, 3)]
    rows += [obs("白沙镇", "2016-01", "trainees", 1)]
    found = run_check(completeness, blocks_from_rows(rows), orgs=REGISTRY, period=parse_period("2016-Q1"))
    assert [(f.org, f.message, f.values) for f in found] == [
        ("白沙镇", "白沙镇没有报送2016年2月、2016年3月的报表；请催报或确认该单位是否已撤并",
         {"missing": ["2016-02", "2016-03"]})]
    assert all(f.severity == ERROR and f.file is None and f.period == "2016-Q1" for f in found)


def test_a_report_of_a_parent_or_a_longer_period_covers_its_months():
    rows = [obs("大宁镇", "2016-Q1", "trainees", 1), obs("白沙镇", "2016-01..2016-03", "trainees", 1),
            obs("城区", "2016-02", "trainees", 1), obs("城区", "2016-03", "trainees", 1),
            obs("河西街道", "2016-01", "trainees", 1)]
    assert run_check(completeness, blocks_from_rows(rows), orgs=REGISTRY, period=parse_period("2016-Q1")) == []


def test_completeness_needs_the_registry_and_the_period(tmp):
    folder = clean_folder(tmp)
    (folder / "2016-02" / "白沙镇_2016-02.xlsx").unlink()
    assert problems(check(folder, orgs=Path("orgs.csv"))) == []
    assert problems(check(folder, period="2016-Q1")) == []


def test_a_township_whose_row_was_refused_sent_its_report_wrongly_it_is_not_missing(tmp_path):
    # Regression: 城东街道's CSV row with a field too many was refused (ROW_RAGGED), and
    # 城东街道 was then also reported as not having sent March; the 合计 of the sheet,
    # short of that row, was 25 TOTAL_MISMATCH errors more.
    folder = clean_folder(tmp_path, months=range(3, 4))
    rows = street_rows(3)
    rows[1] = [*rows[1], 99]
    write_table(folder / "2016-03" / "城区街道_2016-03.csv", rows)
    result = check(folder, orgs=tmp_path / "orgs.csv", period="2016-03")
    assert [(f.code, f.org) for f in result.findings if f.severity == ERROR] == [("ROW_RAGGED", "城东街道")]


def test_a_blank_form_sent_for_a_month_is_named_in_its_missing_submission(tmp):
    # Regression: 乙镇 sent its blank template for March; the run said only that March was not sent.
    folder = clean_folder(tmp)
    march = folder / "2016-03" / "大宁镇_2016-03.xlsx"
    write_form(march, rows=[[name, unit, "", ""] for name, unit, *_ in month_rows(3)])
    result = check(folder, orgs=Path("orgs.csv"), period="2016-Q1")
    assert [f.file for f in result.findings if f.code == "FORM_BLANK"] == ["submissions/2016-03/大宁镇_2016-03.xlsx"]
    missing = only(result, "MISSING_SUBMISSION")
    assert missing.message == ("大宁镇没有报送2016年3月的报表（收到的submissions/2016-03/大宁镇_2016-03.xlsx是空白报表）；"
                               "请催报或确认该单位是否已撤并")
    assert missing.values["blank_files"] == ["submissions/2016-03/大宁镇_2016-03.xlsx"]
