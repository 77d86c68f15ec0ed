"""Tests for fulian_stats.output.printing: text widths and row heights in Excel's units, and
one print setup written through xlsxwriter and openpyxl alike."""

from __future__ import annotations

import openpyxl
import pytest

from fulian_stats.output.printing import (
    FOOTER,
    PageSetup,
    fit_width,
    line_count,
    row_height,
    text_width,
    wider_than_tall,
)


@pytest.mark.parametrize(("text", "width"), [("", 0), ("D4", 2), ("大宁镇", 6), ("１２", 4), ("“无”", 6),
                                             ("housekeeping_participants_poor", 30), ("2016年3月", 9), (12.5, 4)])
def test_a_chinese_character_takes_two_digits(text, width):
    assert text_width(text) == width


def test_a_column_fits_its_longest_line_within_bounds():
    assert fit_width(["单位", "大宁镇", None]) == 8  # 6 and the margins
    assert fit_width(["ab"]) == 6  # at least 6
    assert fit_width(["x" * 80]) == 50  # at most 50
    assert fit_width(["第一行\n很长的第二行文字"], high=40) == 18
    assert fit_width([], low=12) == 12


def test_rows_are_as_tall_as_their_wrapped_lines():
    assert line_count("大" * 10, 22) == 1  # 20 digits in the 20 a 22-wide column holds
    assert line_count("大" * 11, 22) == 2
    assert line_count("一\n二\n" + "三" * 30, 22) == 5
    assert line_count(None, 10) == line_count("", 10) == 1
    assert row_height(("大" * 11, 22), ("短", 8)) == 16 * 2 + 2
    assert row_height(("大" * 11, 22), ("大" * 20, 8)) == 16 * 7 + 2  # the tallest cell
    assert row_height() == 18


def test_wider_than_tall_on_paper():
    assert wider_than_tall([10] * 10, 20)  # 566 points wide, 300 tall
    assert not wider_than_tall([10] * 10, 40)  # 600 tall
    assert wider_than_tall([8.43] * 12, 500.0)  # points given
    assert not wider_than_tall([], 1)


def test_the_header_names_region_sheet_and_period():
    assert PageSetup(True, region="青溪县", period="2017年").header == "&L青溪县&C&A&R2017年"
    assert PageSetup(True, period="2017年").header == "&C&A&R2017年"  # no empty &L part
    assert PageSetup(True, region="A&B县").header == "&LA&&B县&C&A"  # & written as &&


def test_one_setup_through_either_library(tmp_path):
    import xlsxwriter

    setup = PageSetup(False, (2, 3), "青溪县", "2017年")
    book = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    setup.to_xlsxwriter(book.add_worksheet("甲"))
    PageSetup(True, (0, 0), title_cols=0).to_xlsxwriter(book.add_worksheet("乙"))
    book.close()
    made = openpyxl.Workbook()
    setup.to_openpyxl(made.active)
    PageSetup(True, (0, 0), title_cols=0).to_openpyxl(made.create_sheet("乙"))
    made.save(tmp_path / "o.xlsx")
    for path in ("x.xlsx", "o.xlsx"):
        first, second = openpyxl.load_workbook(tmp_path / path).worksheets
        assert (first.page_setup.paperSize, first.page_setup.orientation) == (9, "portrait"), path
        assert first.sheet_properties.pageSetUpPr.fitToPage and first.page_setup.fitToHeight == 0, path
        assert first.print_title_rows == "$3:$4", path
        assert (first.oddHeader.left.text, first.oddHeader.center.text, first.oddHeader.right.text) == (
            "青溪县", "&A", "2017年"), path
        assert first.oddFooter.center.text == FOOTER == "第 &P 页 共 &N 页", path
        assert first.print_options.horizontalCentered, path
        # a table too wide for one page runs over pages across, repeating its first column
        assert second.page_setup.orientation == "landscape" and not second.sheet_properties.pageSetUpPr.fitToPage
        assert (second.print_title_rows, second.print_title_cols) == ("$1:$1", "$A:$A"), path
