"""Findings as data, and docs/findings.md kept in step with findings.CODES."""

import json
import re
from pathlib import Path

import pytest

from fulian_stats.findings import (
    CODES,
    ERROR,
    INFO,
    SEVERITY_LABELS,
    WARNING,
    Finding,
    a1,
    column_letters,
    row_of_cell,
    show_number,
)

DOC = Path(__file__).resolve().parents[1] / "docs" / "findings.md"
_ROW = re.compile(r"^\|\s*`([A-Z_]+)`\s*\|")


def doc_table() -> dict[str, tuple[str, str, str]]:
    """code → (severity, meaning, typical fix) from the table in docs/findings.md."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if not _ROW.match(line):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        assert len(cells) == 4, f"a row of the codes table needs 4 columns: {line}"
        code = cells[0].strip("`")
        assert code not in rows, f"{code} is listed twice in docs/findings.md"
        rows[code] = (cells[1], cells[2], cells[3])
    return rows


def test_doc_lists_exactly_the_codes():
    listed = doc_table()
    assert sorted(listed) == sorted(CODES), (
        f"missing from docs/findings.md: {sorted(set(CODES) - set(listed))}; "
        f"not in findings.CODES: {sorted(set(listed) - set(CODES))}")


def test_doc_lists_codes_in_the_order_of_the_code():
    assert list(doc_table()) == list(CODES)


@pytest.mark.parametrize("code", list(CODES))
def test_doc_gives_each_code_its_severity_meaning_and_a_fix(code):
    severity, meaning, fix = doc_table()[code]
    assert severity == CODES[code][0]
    assert meaning == CODES[code][1]
    assert len(fix) >= 6, f"{code}: the typical fix is missing"


def test_codes_are_stable_identifiers_with_known_severities():
    for code, (severity, meaning) in CODES.items():
        assert re.fullmatch(r"[A-Z][A-Z_]+", code)
        assert severity in (ERROR, WARNING, INFO)
        assert meaning and re.search(r"[\u4e00-\u9fff]", meaning)
    assert set(SEVERITY_LABELS) == {ERROR, WARNING, INFO}


def test_a_finding_takes_the_default_severity_of_its_code_and_the_row_of_its_cell():
    f = Finding("NEGATIVE", "“参训妇女”为负数（-3）", file="a.xlsx", sheet="月报", cell="D8")
    assert f.severity == ERROR and f.is_error
    assert f.row == 8
    assert Finding("OUTLIER", "x").severity == WARNING
    assert Finding("UNIT_CONVERTED", "x").severity == INFO
    assert not Finding("OUTLIER", "x").is_error


def test_a_rule_finding_can_be_a_warning():
    f = Finding("RULE", "有宣讲参与人数但宣讲场次为0", severity=WARNING)
    assert f.severity == WARNING and not f.is_error


def test_an_unknown_code_is_a_programming_error():
    with pytest.raises(ValueError, match="NO_SUCH_CODE"):
        Finding("NO_SUCH_CODE", "x")


def test_location_reads_file_sheet_and_cell_or_row():
    assert Finding("NEGATIVE", "x", file="a.xlsx", sheet="月报", cell="D8").location() == "a.xlsx › 月报 › D8单元格"
    assert Finding("ENCODING", "x", file="b.csv", row=3).location() == "b.csv › 第3行"
    assert Finding("FILE_EMPTY", "x", file="c.xlsx").location() == "c.xlsx"
    assert Finding("MISSING_SUBMISSION", "x").location() == ""


def test_as_dict_is_json_with_every_field():
    f = Finding("YTD_MISMATCH", "本年累计为999", file="a.xlsx", sheet="月报", cell="E8", org="大宁镇",
                period="2016-03", indicator="trainees", values={"ytd": 999.0, "sum": 126.0})
    data = json.loads(json.dumps(f.as_dict(), ensure_ascii=False))
    assert data == {"code": "YTD_MISMATCH", "message": "本年累计为999", "severity": "error", "file": "a.xlsx",
                    "sheet": "月报", "cell": "E8", "row": 8, "org": "大宁镇", "period": "2016-03",
                    "indicator": "trainees", "values": {"ytd": 999.0, "sum": 126.0}}


@pytest.mark.parametrize(("row", "col", "address"), [(0, 0, "A1"), (7, 3, "D8"), (0, 25, "Z1"),
                                                      (9, 26, "AA10"), (0, 701, "ZZ1"), (0, 702, "AAA1")])
def test_a1_addresses(row, col, address):
    assert a1(row, col) == address
    assert row_of_cell(address) == row + 1


def test_column_letters_and_rows():
    assert [column_letters(c) for c in (0, 1, 25, 26, 27, 51, 52)] == ["A", "B", "Z", "AA", "AB", "AZ", "BA"]
    assert row_of_cell("not a cell") is None


@pytest.mark.parametrize(("value", "shown"), [(12.0, "12"), (12.5, "12.5"), (0.123456, "0.123456"),
                                              (1_000_000.0, "1000000"), (-3.0, "-3"), (20.5, "20.5"),
                                              (0.1 + 0.2, "0.3"), (1e-7, "0")])
def test_show_number_never_writes_exponents(value, shown):
    assert show_number(value) == shown
