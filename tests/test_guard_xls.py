"""guard/xls.py: what calamine does not say of an .xls (error cells, hidden rows and
columns), read with xlrd only when the file's bytes hold such a record."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from conftest import EXPECTED, form_rows, found, month_values, only, read
from fulian_stats.read.guard.xls import xls_facts

xlwt = pytest.importorskip("xlwt")


def write_xls(path: Path, rows: list[list], errors: dict[tuple[int, int], str] = {}, hidden_rows=(),
              hidden_columns=(), formulas: dict[tuple[int, int], str] = {}) -> Path:
    """An .xls of `rows` (sheet 月报); `errors` are error constants typed into a cell
    (BOOLERR: a text or its code, #N/A is 42), `formulas` cells with a formula (xlwt saves no result)."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("月报")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in errors:
                sheet.row(r).set_cell_error(c, errors[(r, c)])
            elif (r, c) in formulas:
                sheet.write(r, c, xlwt.Formula(formulas[(r, c)]))
            elif value is not None:
                sheet.write(r, c, value)
    for r in hidden_rows:
        sheet.row(r).hidden = True
    for c in hidden_columns:
        sheet.col(c).hidden = True
    book.save(str(path))
    return path


def with_cached_error(path: Path, row: int, col: int, code: int = 0x07) -> Path:
    """The .xls with its FORMULA record at (row, col) given the cached result Excel saves
    for an error (02 00 code 00 00 00 FF FF): xlwt saves none."""
    data = bytearray(path.read_bytes())
    at = 0
    while (at := data.find(b"\x06\x00", at)) >= 0:
        size, r, c = struct.unpack_from("<HHH", data, at + 2)
        if 20 <= size <= 300 and (r, c) == (row, col):
            data[at + 10:at + 18] = bytes([2, 0, code, 0, 0, 0, 0xFF, 0xFF])
            path.write_bytes(bytes(data))
            return path
        at += 2
    raise AssertionError("no FORMULA record at that cell")


def test_a_plain_xls_is_not_opened_twice(tmp_path, monkeypatch):
    import xlrd

    def opened(*args, **kwargs):
        raise AssertionError("xlrd opened a file without error cells or hidden rows")

    monkeypatch.setattr(xlrd, "open_workbook", opened)
    assert xls_facts(write_xls(tmp_path / "f.xls", form_rows()).read_bytes()) == {}


def test_error_cells_and_hidden_rows_and_columns_are_found(tmp_path):
    path = write_xls(tmp_path / "f.xls", form_rows(), errors={(4, 3): "#DIV/0!", (5, 4): 42},
                     hidden_rows=[6], hidden_columns=[5])
    facts = xls_facts(path.read_bytes())
    assert list(facts) == ["月报"]
    assert facts["月报"].errors == {"D5": "#DIV/0!", "E6": "#N/A"}
    assert (facts["月报"].hidden_rows, facts["月报"].hidden_columns) == ({6}, {5})


def test_a_formulas_saved_error_is_found(tmp_path):
    path = with_cached_error(write_xls(tmp_path / "f.xls", form_rows(), formulas={(4, 3): "1/0"}), 4, 3)
    assert xls_facts(path.read_bytes())["月报"].errors == {"D5": "#DIV/0!"}


def test_bytes_xlrd_cannot_read_are_left_to_calamine():
    assert xls_facts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x02\x00\x07\x00\x00\x00\xff\xff" * 10) == {}


def test_an_error_cell_of_an_xls_is_named_not_read_as_blank(tmp_path):
    # Regression: calamine reads an .xls's #DIV/0! as "", and 贷款金额 went unreported in silence.
    path = with_cached_error(write_xls(tmp_path / "f.xls", form_rows(), formulas={(4, 3): "1/0"}), 4, 3)
    result = read(path)
    assert month_values(result) == {o for o in EXPECTED if o[2] != "loan_amount"}
    assert found(result) == [("NUMBER_INVALID", "D5")]
    assert only(result, "NUMBER_INVALID").message == "“创业担保贷款金额”的公式出错（#DIV/0!），没有算出数值；请改正公式，或直接填数"


def test_a_hidden_row_of_an_xls_is_named(tmp_path):
    # Regression: an .xls's hidden rows were read without a word (only an .xlsx's were named).
    result = read(write_xls(tmp_path / "f.xls", form_rows(), hidden_rows=[6]))
    assert month_values(result) == EXPECTED
    assert found(result) == [("CELLS_HIDDEN", "D7")]
