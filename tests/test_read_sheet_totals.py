"""A county's workbook of one sheet per township and a sheet of their total
(read/sheet_totals.py, checked by checks/totals.py)."""

from __future__ import annotations

import pytest
from check_helpers import ORGS_CSV, TOWNS, check, form_sheet, month_rows, only, write_form

from fulian_stats.findings import INFO

TOWNSHIPS = tuple(TOWNS)  # 大宁镇, 白沙镇, 石门镇: in the registry too


def county_workbook(tmp_path, total_sheet="全县合计", extra=0, ytd=True, total_org=None):
    """青溪县_2016-03.xlsx: a sheet per township (month_rows of each) and a total sheet
    (their sum, `extra` more in each 本月)."""
    towns = {town: month_rows(3, k, ytd) for k, town in enumerate(TOWNSHIPS)}
    total = [[name, unit, sum(rows[i][2] for rows in towns.values()) + extra,
              sum(rows[i][3] for rows in towns.values()) if ytd and towns["大宁镇"][i][3] != "" else ""]
             for i, (name, unit, *_v) in enumerate(towns["大宁镇"])]
    return write_form(tmp_path / "青溪县_2016-03.xlsx", org=total_org, rows=total, sheet=total_sheet,
                      extra_sheets={town: form_sheet(None, rows=rows) for town, rows in towns.items()})


def orgs(tmp_path, registry: bool):
    if not registry:
        return None
    (tmp_path / "orgs.csv").write_text(ORGS_CSV, encoding="utf-8")
    return tmp_path / "orgs.csv"


@pytest.mark.parametrize("registry", [False, True], ids=["no-registry", "registry"])
@pytest.mark.parametrize("total_sheet, total_org", [("全县合计", None), ("汇总", "青溪县妇联"), ("Sheet2", None)])
def test_a_total_sheet_is_checked_not_counted(tmp_path, registry, total_sheet, total_org):
    """Regression: the total sheet read as 青溪县's own form was added to its townships:
    the county twice over, and no finding."""
    result = check(county_workbook(tmp_path, total_sheet, total_org=total_org), orgs=orgs(tmp_path, registry))
    assert [f.code for f in result.findings] == ["SHEET_TOTAL"]
    note = only(result, "SHEET_TOTAL")
    assert (note.severity, note.sheet, note.org, note.period) == (INFO, total_sheet, "青溪县", "2016-03")
    assert note.message == (f"工作表“{total_sheet}”（青溪县2016年3月）是其他各工作表的合计，只用于核对，不重复计入汇总；"
                            "其本年累计列未核对，也不计入")
    month = [b for b in result.read.blocks() if b.measure == "month"]
    assert sorted(b.org for b in month) == sorted(TOWNSHIPS)
    assert [b.sheet for b in result.read.blocks() if b.measure == "total"] == [total_sheet]


def test_a_total_sheet_that_disagrees_with_the_townships_is_an_error(tmp_path):
    result = check(county_workbook(tmp_path, extra=1, ytd=False), orgs=orgs(tmp_path, True))
    mismatches = [f for f in result.findings if f.code == "TOTAL_MISMATCH"]
    assert len(mismatches) == len(month_rows(3)) and {f.sheet for f in mismatches} == {"全县合计"}
    first = mismatches[0]
    name, _unit, value, _ytd = month_rows(3)[0]
    expected = sum(month_rows(3, k)[0][2] for k in range(3))
    assert first.message == (f"“{name}”的合计为{expected + 1}，但其他各工作表之和为{expected}；请核对合计表或各工作表的数据"
                             "（如这张表是某个单位的报表，请把工作表名改为该单位的名称）")
    assert only(result, "SHEET_TOTAL").message == (
        "工作表“全县合计”（青溪县2016年3月）是其他各工作表的合计，只用于核对，不重复计入汇总")
    assert result.failed_files() == [str(tmp_path / "青溪县_2016-03.xlsx")]


def test_sheets_of_one_township_or_of_two_counties_are_no_total(tmp_path):
    township = write_form(tmp_path / "大宁镇_2016-03.xlsx", org=None, extra_sheets={"大宁镇村级": form_sheet(None)})
    assert "SHEET_TOTAL" not in [f.code for f in check(township).findings]
    counties = write_form(tmp_path / "云州市_2016-03.xlsx", org=None, sheet="青溪县", extra_sheets={"石门县": form_sheet(None)})
    assert "SHEET_TOTAL" not in [f.code for f in check(counties).findings]


def quarter_workbook(tmp_path, extra=0):
    """青溪县_2016年一季度.xlsx: a sheet per township and month (大宁镇1月 …) and 一季度合计,
    the quarter's total (flows summed, stocks March's; `extra` more in the first row)."""
    from check_helpers import INDICATORS

    months = {(town, m): month_rows(m, k, ytd=False) for m in (1, 2, 3) for k, town in enumerate(TOWNSHIPS)}
    total = []
    for i, (name, unit, kind, _value) in enumerate(INDICATORS):
        if kind == "stock":
            value = sum(months[town, 3][i][2] for town in TOWNSHIPS)
        else:
            value = sum(rows[i][2] for rows in months.values())
        total.append([name, unit, value + (extra if i == 0 else 0), ""])
    sheets = {f"{town}{m}月": form_sheet(f"{town}妇联", f"2016年{m}月", rows) for (town, m), rows in months.items()}
    return write_form(tmp_path / "青溪县_2016年一季度.xlsx", org="青溪县妇联", period="2016年1-3月", rows=total,
                      sheet="一季度合计", extra_sheets=sheets), months


@pytest.mark.parametrize("registry", [False, True], ids=["no-registry", "registry"])
def test_a_total_sheet_of_the_quarter_beside_its_months_sheets_is_checked_not_counted(tmp_path, registry):
    # Regression (review): a 一季度合计 beside 大宁镇1月 … was taken for 青溪县's own quarter
    # and added to its townships' months: every total twice over, and no finding.
    path, months = quarter_workbook(tmp_path)
    result = check(path, orgs=orgs(tmp_path, registry))
    assert [f.code for f in result.findings] == ["SHEET_TOTAL"]
    assert only(result, "SHEET_TOTAL").message == ("工作表“一季度合计”（青溪县2016年1-3月）是其他各工作表的合计，"
                                                   "只用于核对，不重复计入汇总")
    assert sorted({b.org for b in result.read.blocks() if b.measure == "month"}) == sorted(TOWNSHIPS)
    wrong, _months = quarter_workbook(tmp_path / "wrong", extra=5)
    mismatch = only(check(wrong, orgs=orgs(tmp_path, registry)), "TOTAL_MISMATCH")
    posts = sum(rows[0][2] for rows in months.values())
    assert mismatch.message == (f"“新媒体推送信息”的合计为{posts + 5}，但其他各工作表之和为{posts}；请核对合计表或"
                                "各工作表的数据（如这张表是某个单位的报表，请把工作表名改为该单位的名称）")


def test_a_total_sheet_beside_townships_that_filled_only_their_ytd_is_checked_not_counted(tmp_path):
    # Regression (review): a township sheet with 本月 blank (worked out from 本年累计) was no
    # org's month yet, and the 全县合计 beside them was counted as 青溪县's own.
    towns = {town: month_rows(1, k) for k, town in enumerate(TOWNSHIPS)}
    total = [[name, unit, sum(rows[i][2] for rows in towns.values()), ""] for i, (name, unit, *_v) in enumerate(towns["大宁镇"])]
    for rows in towns.values():
        for row in rows:
            row[2], row[3] = "", row[2]  # 本月 blank, 本年累计 = January's month
    path = write_form(tmp_path / "青溪县_2016-01.xlsx", org=None, period="2016年1月", rows=total, sheet="全县合计",
                      extra_sheets={town: form_sheet(None, "2016年1月", rows) for town, rows in towns.items()})
    result = check(path, orgs=orgs(tmp_path, True))
    assert {f.code for f in result.findings} == {"SHEET_TOTAL", "MONTH_DERIVED"}
    assert sorted({b.org for b in result.read.blocks() if b.measure == "month"}) == sorted(TOWNSHIPS)


@pytest.mark.parametrize("name", ["乡镇汇总", "全镇", "街道汇总"])
def test_a_total_sheet_named_for_a_kind_of_place_is_no_org(tmp_path, name):
    # Regression (review): without a registry 乡镇汇总 was an org called 乡镇: a conflict with
    # its 填报单位：青溪县妇联, or, without one, a township counted beside the others.
    for total_org in ("青溪县妇联", None):
        folder = tmp_path / str(total_org)
        folder.mkdir()
        result = check(county_workbook(folder, name, total_org=total_org, ytd=False))
        assert [f.code for f in result.findings] == ["SHEET_TOTAL"]
        assert sorted(b.org for b in result.read.blocks() if b.measure == "month") == sorted(TOWNSHIPS)
