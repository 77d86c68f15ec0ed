"""What is printed for programs: JSON with stable keys, GitHub Actions workflow commands."""

import json

from check_helpers import check, month_rows, set_value, write_form
from fulian_stats.checks import Report
from fulian_stats.findings import Finding
from fulian_stats.output.machine import github_line, github_text, report_json
from test_output_terminal import sample_result


def test_github_line_carries_file_line_and_title():
    f = Finding("NEGATIVE", "“慰问困境妇女儿童老人”为负数（-3）；统计数不能小于0，请核对",
                file="submissions/2016-03/大宁镇_2016-03.xlsx", sheet="月报", cell="D20")
    assert github_line(f) == ("::error file=submissions/2016-03/大宁镇_2016-03.xlsx,line=20,title=NEGATIVE 月报 D20::"
                              "“慰问困境妇女儿童老人”为负数（-3）；统计数不能小于0，请核对")


def test_github_severities_are_error_warning_and_notice():
    assert github_line(Finding("OUTLIER", "x", file="a.xlsx", sheet="月报", cell="D19")).startswith(
        "::warning file=a.xlsx,line=19,title=OUTLIER 月报 D19::")
    assert github_line(Finding("UNIT_CONVERTED", "x", file="a.xlsx", sheet="月报", cell="C12")).startswith("::notice ")
    assert github_line(Finding("RULE", "x", severity="warning", file="a.csv", cell="K4")) == \
        "::warning file=a.csv,line=4,title=RULE K4::x"


def test_github_line_without_a_cell_or_a_file():
    assert github_line(Finding("FILE_EMPTY", "文件是空的", file="a.xlsx")) == "::error file=a.xlsx,title=FILE_EMPTY::文件是空的"
    assert github_line(Finding("ENCODING", "第6行", file="b.csv", row=6)) == "::error file=b.csv,line=6,title=ENCODING::第6行"
    assert github_line(Finding("MISSING_SUBMISSION", "石门镇没有报送", org="石门镇")) == \
        "::error title=MISSING_SUBMISSION::石门镇没有报送"


def test_github_escapes_what_would_end_a_command():
    f = Finding("NUMBER_INVALID", "数值“50%\n以上”无法识别", file="a,b:c.xlsx", sheet="月报:一", cell="D8")
    assert github_line(f) == "::error file=a%2Cb%3Ac.xlsx,line=8,title=NUMBER_INVALID 月报%3A一 D8::数值“50%25%0A以上”无法识别"


def test_github_lines_end_with_the_summary():
    lines = github_text(sample_result()).splitlines()
    assert len(lines) == 7
    assert all(line.startswith("::") for line in lines[:-1])
    assert lines[-1] == "共检查3个文件：4个错误，1个警告，1条提示"


def test_json_is_chinese_not_escapes_and_round_trips(tmp_path):
    rows = set_value(month_rows(3), "慰问困境妇女儿童老人", month=-3, ytd=120)
    result = check(write_form(tmp_path / "大宁镇_2016-03.xlsx", rows=rows))
    text = report_json(result)
    assert json.loads(text) == result.as_dict()
    assert "慰问困境妇女儿童老人" in text and "\\u" not in text
    data = json.loads(text)
    assert set(data) == {"files", "errors", "warnings", "notes", "findings"}
    assert (data["files"], data["errors"], data["warnings"], data["notes"]) == (1, 1, 0, 0)
    assert data["findings"][0]["cell"] == "D20" and data["findings"][0]["values"] == {"value": -3.0}


def test_json_of_a_run_without_findings():
    assert json.loads(report_json(Report(["a.xlsx"], []))) == {"files": 1, "errors": 0, "warnings": 0, "notes": 0,
                                                              "findings": []}
