"""The rules of rules.csv on each sheet's or row's values (checks/rules.py).

Real files where the layout matters, observation rows (check_helpers.obs) where it
does not."""

from __future__ import annotations

from check_helpers import (
    CATALOG,
    NAMES,
    check,
    codes,
    month_rows,
    obs,
    only,
    run_check,
    set_value,
    street_rows,
    write_form,
    write_table,
)

from fulian_stats.catalog import parse_rules
from fulian_stats.checks import rules as rules_check
from fulian_stats.findings import ERROR, WARNING
from fulian_stats.observations import blocks_from_rows


def test_a_warning_rule_gives_a_warning_and_the_file_still_passes(tmp):
    rows = month_rows(3) + [["专题宣讲", "场", 0, 0], ["宣讲参与群众", "人", 120, 120]]
    result = check(write_form(tmp / "大宁镇_2016-03.xlsx", rows=rows))
    finding = only(result, "RULE")
    assert finding.severity == WARNING
    assert finding.cell == "D21"  # 专题宣讲, the indicator the rule checks
    assert finding.message == "有宣讲参与人数但宣讲场次为0（专题宣讲0，宣讲参与群众120）"
    assert finding.values["rule"] == "lecture_needs_events"
    assert result.exit_code() == 0 and result.exit_code(strict=True) == 1


def test_a_rule_on_a_blank_indicator_points_at_the_value_that_makes_it_apply(tmp):
    """有贷款金额但申请人数为0: 申请人数 is blank, so the cell is 贷款金额's."""
    rows = set_value(month_rows(3), "创业担保贷款申请人数", month="", ytd="")
    result = check(write_form(tmp / "大宁镇_2016-03.xlsx", rows=rows))
    needs, cap = sorted((f for f in result.findings if f.code == "RULE"), key=lambda f: f.values["rule"])
    assert (needs.values["rule"], cap.values["rule"]) == ("loan_amount_needs_applicants", "loan_per_person_cap")
    assert (needs.cell, needs.indicator, needs.severity) == ("D12", "loan_applicants", ERROR)
    # Regression: a blank was shown as 0 (贫困村0 when 贫困村 was left blank).
    assert needs.message == "有贷款金额但申请人数为0（创业担保贷款申请人数未填报（按0计），创业担保贷款金额20.5）"
    assert (cap.cell, cap.severity) == ("D12", WARNING)


def test_rules_judge_each_row_of_a_table_on_its_own(tmp):
    rows = street_rows(3)
    rows[2][NAMES.index("已处理信访案件") + 1] = 5  # 城南街道: 5 handled of 3 received
    result = check(write_table(tmp / "城区街道_2016-03.csv", rows))
    finding = only(result, "RULE")
    assert (finding.org, finding.cell, finding.values["rule"]) == ("城南街道", "K4", "handled_le_petitions")
    assert finding.message == "已处理信访案件不能超过接待信访案件（已处理信访案件5，接待信访案件3）"


def test_an_unreadable_cell_silences_only_the_rules_of_its_own_row(tmp):
    rows = street_rows(3)
    rows[0][NAMES.index("参训妇女") + 1] = "见附表"  # 河西街道: unknown
    rows[1][NAMES.index("其中贫困妇女(技能培训)") + 1] = 99  # 城东街道: 99 poor of 47
    result = check(write_table(tmp / "城区街道_2016-03.csv", rows, total=False))
    assert sorted((f.code, f.org, f.cell) for f in result.findings) == [
        ("NUMBER_INVALID", "河西街道", "E2"), ("RULE", "城东街道", "F3")]


def test_a_unit_the_catalog_cannot_convert_silences_the_rules_on_that_column(tmp):
    path = tmp / "城区街道_2016-03.csv"
    path.write_text("单位名称,参训妇女（户）,其中贫困妇女(技能培训)\n河西街道,40,12\n城东街道,41,13\n", encoding="utf-8")
    result = check(path)
    assert codes(result) == ["UNIT_UNKNOWN"]  # not also 贫困妇女 > 参训妇女 (unknown) in each row
    assert only(result, "UNIT_UNKNOWN").cell == "B1"


def test_a_custom_rules_file_is_applied():
    rules = parse_rules("id,severity,check,when,message\nmany_trainees,warning,trainees <= 45,,参训人数偏多\n",
                        "my_rules.csv", CATALOG)
    rows = [obs("大宁镇", "2016-03", "trainees", 50, "D8")]
    finding, = run_check(rules_check, blocks_from_rows(rows), rules=rules)
    assert (finding.code, finding.severity, finding.cell) == ("RULE", WARNING, "D8")
    assert finding.message == "参训人数偏多（参训妇女50）"


def test_a_negative_value_is_its_own_error_not_a_rules_zero(tmp):
    # Regression (trial): 专题宣讲 -3 also read 「有宣讲参与人数但宣讲场次为0（专题宣讲-3…）」.
    rows = set_value(month_rows(3), "参训妇女", month=-3)
    result = check(write_form(tmp / "大宁镇_2016-03.xlsx", rows=rows))
    assert [f.code for f in result.findings] == ["NEGATIVE"]


def test_a_rule_holds_of_the_ytd_column_too(tmp):
    # Regression (trial): 其中贫困妇女 of 60 against 参训妇女 15 in 本年累计 passed (only 本月 was judged).
    rows = set_value(month_rows(3), "其中贫困妇女(技能培训)", ytd=999)
    result = check(write_form(tmp / "大宁镇_2016-03.xlsx", rows=rows))
    rule = only(result, "RULE")
    assert (rule.cell, rule.values["rule"]) == ("E9", "poor_le_trainees")
    assert rule.message == "其中贫困妇女人数不能超过参训妇女总人数（本年累计：参训妇女中的贫困妇女999，参训妇女126）"
    # the month broke it too: said once, of the month
    both = set_value(month_rows(3), "其中贫困妇女(技能培训)", month=500, ytd=999)
    assert [f.cell for f in check(write_form(tmp / "白沙镇_2016-03.xlsx", org="白沙镇妇联", rows=both)).findings
            if f.code == "RULE"] == ["D9"]
    # a 本年累计 left blank is a column left out, no 0: 贷款金额 without 申请人数 is judged of the month alone
    blank = set_value(month_rows(3), "创业担保贷款申请人数", ytd="")
    assert [f.code for f in check(write_form(tmp / "石门镇_2016-03.xlsx", org="石门镇妇联", rows=blank)).findings] == []
