"""How every workbook the tool writes prints, and how wide and tall its cells are.

One print setup for every sheet, whichever library writes it (xlsxwriter the summary
workbook, openpyxl the forms, 反馈单 and 问题清单): A4; landscape where the sheet is
wider than tall; one page wide, as many down as needed; the header rows on every
page; the region and period in the page header; `第 &P 页 共 &N 页` in the footer.

Widths and heights are counted in Excel's units: a column width is a number of digits
of the default font, and a Chinese character (any wide or ambiguous-width one: `“”`
print wide in a Chinese font) takes two. No program grows a row for wrapped text in
every case (LibreOffice keeps a row's set height, and never grows merged cells): a
row is given the height its lines need.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

A4 = 9  # the paper size code of Excel, xlsxwriter and openpyxl
FOOTER = "第 &P 页 共 &N 页"
LINE_POINTS = 16.0  # one line of 10- or 11-point text, Chinese fonts' line spacing included
PADDING = 2  # a column's digits that text never fills (the cell's margins)
MIN_WIDTH, MAX_WIDTH = 6.0, 50.0


def text_width(text) -> int:
    """The digits of column width `text` takes on one line (a Chinese character: two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in str(text))


def fit_width(texts: Iterable, low: float = MIN_WIDTH, high: float = MAX_WIDTH) -> float:
    """The width of a column holding `texts` (its header among them): its longest line
    and the cell's margins, from `low` to `high`."""
    longest = max((text_width(line) for text in texts if text is not None for line in str(text).split("\n")),
                  default=0)
    return float(min(high, max(low, longest + PADDING)))


def line_count(text, width: float) -> int:
    """The lines `text` wraps to in a column `width` digits wide (its own line breaks too)."""
    if text is None or text == "":
        return 1
    per_line = max(1, int(width) - PADDING)
    return sum(max(1, math.ceil(text_width(line) / per_line)) for line in str(text).split("\n"))


def row_height(*texts: tuple[object, float]) -> float:
    """The points of a row whose wrapped cells hold these (text, column width) pairs;
    for a merged cell, the width of all its columns."""
    lines = max([line_count(text, width) for text, width in texts], default=1)
    return LINE_POINTS * lines + 2


def wider_than_tall(widths: Iterable[float], rows: int | float, row_points: float = 15.0) -> bool:
    """Whether a sheet of columns `widths` (Excel's units) and `rows` rows of
    `row_points` (or, as a float, that many points in all) is wider than tall on paper."""
    width_points = sum(w * 7 + 5 for w in widths) * 0.75  # a digit is 7 pixels, a pixel ¾ point
    height_points = rows if isinstance(rows, float) else rows * row_points
    return width_points > height_points


@dataclass(frozen=True)
class PageSetup:
    """A sheet's print setup. `title_rows`: the first and last header rows repeated on
    every page (0-based, as xlsxwriter counts); `title_cols` (a table too wide to fit):
    the last column repeated on every page instead of fitting one page wide."""

    landscape: bool
    title_rows: tuple[int, int] | None = None
    region: str | None = None
    period: str | None = None
    title_cols: int | None = None

    @classmethod
    def fitting(cls, widths: list[float], rows: int | float, title_rows: tuple[int, int] | None = None,
                region: str | None = None, period: str | None = None) -> PageSetup:
        """The setup of a sheet of columns `widths` and `rows` rows (see wider_than_tall):
        landscape when it is wider than tall."""
        return cls(wider_than_tall(widths, rows), title_rows, region, period)

    @property
    def header(self) -> str:
        """`&L青溪县&C&A&R2017年`: the region on the left, the sheet's name in the middle,
        the period on the right; a part nothing says left out (an `&` of a name doubled,
        as headers spell it)."""
        parts = (("&L", self.region), ("&C", "&A"), ("&R", self.period))
        return "".join(code + (text if code == "&C" else text.replace("&", "&&")) for code, text in parts if text)

    def to_xlsxwriter(self, sheet) -> None:
        sheet.set_paper(A4)
        if self.landscape:
            sheet.set_landscape()
        else:
            sheet.set_portrait()
        sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        sheet.set_header(self.header, {"margin": 0.3})
        sheet.set_footer(f"&C{FOOTER}", {"margin": 0.3})
        sheet.center_horizontally()
        if self.title_rows is not None:
            sheet.repeat_rows(*self.title_rows)
        if self.title_cols is not None:
            sheet.repeat_columns(0, self.title_cols)
        else:
            sheet.fit_to_pages(1, 0)

    def to_openpyxl(self, ws) -> None:
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.page import PageMargins

        ws.page_setup.paperSize = A4
        ws.page_setup.orientation = "landscape" if self.landscape else "portrait"
        ws.sheet_properties.pageSetUpPr.fitToPage = self.title_cols is None
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.75, bottom=0.75, header=0.3, footer=0.3)
        ws.print_options.horizontalCentered = True
        left, right = (part.replace("&", "&&") if part else None for part in (self.region, self.period))
        ws.oddHeader.left.text, ws.oddHeader.center.text, ws.oddHeader.right.text = left, "&A", right
        ws.oddFooter.center.text = FOOTER
        if self.title_rows is not None:
            ws.print_title_rows = f"{self.title_rows[0] + 1}:{self.title_rows[1] + 1}"
        if self.title_cols is not None:
            ws.print_title_cols = f"A:{get_column_letter(self.title_cols + 1)}"
