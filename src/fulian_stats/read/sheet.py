"""One sheet's observations, once its layout is known.

Emits blocks (see observations.py): the values of one column of a form, or of one row
of a table, with their indicators and cells. measure is `month` (the period's own
value), `ytd` (本年累计), `total` / `subtotal` (a 合计 or 小计, kept out of the data and
only cross-checked) or `derive` (本年累计 of a row whose 本月 is blank: the month is
worked out once every file is read, see derive.py). The sheet's org and period are
settled before its rows are read: every block and finding is born with its own (a
table row's, a summary column's, or the sheet's).

Every number in the sheet's data region becomes an observation or is named in a
finding: a number under a column the reader does not know, in a row without an
indicator, in a 合计 row of a form.

Form sheets made from one template go through a fast path (formplan.py) that reads a
whole column at once; anything it is not sure of goes through the row-by-row reading
here, which is the reference.
"""

from __future__ import annotations

import math
from array import array

from fulian_stats.catalog import Catalog, Indicator
from fulian_stats.findings import Finding, column_letters, join_cells, show_number
from fulian_stats.normalize import is_sub_item, normalize_text
from fulian_stats.observations import DERIVE, MONTH, SUBTOTAL, TOTAL, YTD, Block
from fulian_stats.orgs import OrgRegistry, clean_org_name
from fulian_stats.read.formplan import read_form_columns
from fulian_stats.read.grid import Sheet
from fulian_stats.read.header import IGNORED, NAME_HEADERS, FormBlock, header_key, heading_role, unit_cell
from fulian_stats.read.inspection import SheetInspection
from fulian_stats.read.layout import TOTAL_ROW, Layout, cell_text, opens_footer
from fulian_stats.read.numbers import BLANK, ESTIMATE, EXCEL_ERROR, INVALID, OK, holds_number, parse_number, without_noise
from fulian_stats.read.outside import (below_footer, header_again_differs, merged_over_rows, note_inside_form, numbers_in_note_row,
                                       numbers_in_unread_columns, numbers_outside, refuse_months_across, refuse_rivals)
from fulian_stats.read.textrows import check_text_rows
from fulian_stats.units import factor_into, unit_scale, units_disagree


class SheetReader:
    def __init__(self, sheet: Sheet, layout: Layout, catalog: Catalog, orgs: OrgRegistry | None,
                 file: str, inspection: SheetInspection | None = None, org: str | None = None,
                 period: str | None = None):
        self.sheet, self.layout, self.catalog, self.orgs = sheet, layout, catalog, orgs
        self.file = file
        self.inspection = inspection
        self.org, self.period = org, period  # the sheet's own
        self.here = (org, period)  # where the values being read belong: a table row's org and period
        self.uses_sheet_period = False  # some value took the sheet's period (a table's rows may have their own)
        self.findings: list[Finding] = []
        # (org, period, measure, column of a form or row of a table) → ids, values, cells
        self._open: dict[tuple, tuple[list, list, list]] = {}
        self._blocks: list[Block] = []
        self._letters: dict[int, str] = {}
        self._unplaced: dict[int, list[int]] = {}  # column → rows of numbers under a column no value is read from
        self.ragged: set[int] = set()  # rows of a text file whose fields do not match its header: not read
        self._footer: int | None = None

    @property
    def blocks(self) -> list[Block]:
        sheet, file = self.sheet.name, self.file
        return self._blocks + [Block(file, org, period, measure, sheet, tuple(ids), array("d", values), tuple(cells))
                               for (org, period, measure, _at), (ids, values, cells) in self._open.items()]

    def cell(self, r: int, c: int) -> str:
        letters = self._letters.get(c)
        if letters is None:
            letters = self._letters[c] = column_letters(self.sheet.col_offset + c)
        return f"{letters}{self.sheet.row_offset + r + 1}"

    def row_number(self, r: int) -> int:
        return self.sheet.row_offset + r + 1

    def finding(self, code: str, message: str, r: int | None = None, c: int | None = None, cell: str | None = None,
                **extra) -> None:
        if cell is None and r is not None and c is not None:
            cell = self.cell(r, c)
        org, period = self.here
        self.findings.append(Finding(code, message, file=self.file, sheet=self.sheet.name, cell=cell,
                                     **{"org": org, "period": period, **extra}))

    def note_row(self, r: int, name: str, indicator: str | None, note: str) -> None:
        if self.inspection is not None:
            self.inspection.add_row(self.row_number(r), name, indicator, note)

    # -- units -------------------------------------------------------------------------

    def unit_factor(self, ind: Indicator, unit: str | None, r: int, c: int) -> float | None:
        """Multiplier into the catalog's unit, or None after a finding when there is none."""
        factor = factor_into(unit, ind.unit)
        if factor is None:
            self.finding("UNIT_UNKNOWN", f"“{ind.label}”的计量单位是“{unit}”，指标目录要求“{ind.unit}”，"
                         "两者无法换算；请改为目录中的单位", r, c, indicator=ind.id,
                         values={"unit": unit, "expected": ind.unit})
            return None
        if factor != 1:
            self.finding("UNIT_CONVERTED", f"“{ind.label}”按“{unit}”填报，已换算为“{ind.unit}”（×{factor:g}）",
                         r, c, indicator=ind.id, values={"unit": unit, "expected": ind.unit, "factor": factor})
        return factor

    # -- values ------------------------------------------------------------------------

    def value(self, ind: Indicator, raw: object, factor: float, r: int, c: int) -> float | None:
        """The cell's number in the catalog's unit; None for a blank, or after a finding."""
        bound = self.catalog.bounds[ind.id]
        if type(raw) is float and factor == 1.0:  # most cells: no parsing, no scaling
            return raw if -bound <= raw <= bound else self.implausible(ind, raw, bound, r, c)
        parsed = parse_number(raw)
        if parsed.status is BLANK:
            return None
        if parsed.status is INVALID:
            text = cell_text(raw)
            if ind.kind == "rate" and EXCEL_ERROR.fullmatch(text):
                return None  # =已处理/接待 over no case: #DIV/0! rightly; a rate is computed from its parts
            why = f"的公式出错（{text}），没有算出数值；请改正公式，或直接填数" if EXCEL_ERROR.fullmatch(text) else \
                f"的数值“{text[:40]}”无法识别；请只填数字，没有发生的填0，未统计的留空"
            self.finding("NUMBER_INVALID", f"“{ind.label}”{why}", r, c, indicator=ind.id, values={"raw": text[:200]})
            return None
        value = parsed.value
        if parsed.unit:
            # A unit written in the cell is the cell's own: the row's or column's no longer applies.
            extra = factor_into(parsed.unit, ind.unit)
            if extra is None:
                self.finding("NUMBER_INVALID", f"“{ind.label}”的数值“{cell_text(raw)}”带有单位“{parsed.unit}”，"
                             f"与指标单位“{ind.unit}”不符；请只填数字", r, c, indicator=ind.id,
                             values={"raw": cell_text(raw)})
                return None
            value, factor = value * extra, 1.0
        elif parsed.scale != 1:
            # 6.1万 counts base units (元, 人次) whatever the row's unit: in a 万元 row it is 6.1万元.
            value, factor = value / unit_scale(ind.unit)[1], 1.0
        if parsed.status is ESTIMATE:
            self.finding("NUMBER_ESTIMATE", f"“{ind.label}”填的是估计数“{cell_text(raw)}”，已按{value:g}读取；"
                         "请填写准确数字", r, c, indicator=ind.id, values={"raw": cell_text(raw), "value": value})
        if factor != 1:
            value *= factor
        return without_noise(value) if -bound <= value <= bound else self.implausible(ind, value, bound, r, c)

    def implausible(self, ind: Indicator, value: float, bound: float, r: int, c: int) -> None:
        """A number that is no figure: not finite (a damaged cell), or far beyond what a
        township reports in a month (a slip of the keyboard)."""
        if value != value or value in (math.inf, -math.inf):
            self.finding("NUMBER_INVALID", f"“{ind.label}”的单元格中不是一个有限的数（{value}），可能已损坏；请重新填写",
                         r, c, indicator=ind.id, values={"raw": str(value)})
        else:
            self.finding("NUMBER_IMPLAUSIBLE", f"“{ind.label}”为{show_number(value)}，远超一个单位一个月可能的数（上限"
                         f"{show_number(bound)}{ind.unit}）；请核对是否多打了数字或填错了计量单位", r, c, indicator=ind.id,
                         values={"value": value, "limit": bound})
        return None

    def add(self, org, period, measure: str, at: int, ind_id: str, value: float, cell: str) -> None:
        """One value into the block of (org, period, measure) at `at`: the column of a
        form, the row of a table; org and period None are the sheet's."""
        if period is None:
            if measure not in (TOTAL, SUBTOTAL):
                period, self.uses_sheet_period = self.period, True
            elif self.layout.period_col is None:  # with a 月份 column, a 合计 row may total every month
                period = self.period
        ids, values, cells = self._open.setdefault((org or self.org, period, measure, at), ([], [], []))
        ids.append(ind_id)
        values.append(value)
        cells.append(cell)

    def emit(self, org, period, ind: Indicator, raw: object, factor: float, r: int, c: int, measure: str,
             at: int) -> float | None:
        self.here = (org or self.org, period or self.period)
        value = self.value(ind, raw, factor, r, c)
        if value is not None:
            self.add(org, period, measure, at, ind.id, value, self.cell(r, c))
        return value

    def org_name(self, text: str, r: int, c: int) -> str | None:
        if self.orgs is None:
            return clean_org_name(text)
        found = self.orgs.canonical(text)
        if found is None:
            self.finding("ORG_UNKNOWN", f"单位“{text}”不在单位名册（{self.orgs.source}）中；"
                         "请核对名称，或在名册中补充别名", r, c, values={"org": text})
        return found

    def unplaced(self, row: list, r: int, cols) -> None:
        """Note the numbers of `row` under columns no value is read from."""
        for c in cols:
            if c < len(row) and holds_number(row[c]):
                self._unplaced.setdefault(c, []).append(r)

    def _header_cell(self, column, r: int, c: int) -> dict:
        """Where a finding about a column goes: its header cell, or (a column without a
        heading) its first number."""
        if column is not None and column.heading and column.cell:
            return {"cell": column.cell}
        return {"r": r, "c": c}

    def report_unplaced(self) -> None:
        """One warning per column whose numbers are read as nothing, naming its cells."""
        for c, rows in self._unplaced.items():
            column = next((col for col in self.layout.columns if col.index == c), None)
            heading = column.heading if column is not None and column.heading else ""
            cells = [self.cell(r, c) for r in rows]
            what = f"列{column_letters(self.sheet.col_offset + c)}（表头“{heading}”）不是可识别的数值列" if heading else \
                f"列{column_letters(self.sheet.col_offset + c)}没有表头"
            self.finding("COLUMN_UNKNOWN", f"{what}，其中的{len(cells)}个数值（{join_cells(cells)}）未读取；如是本期数据，"
                         "请把表头改为“本月”或“本年累计”，否则请删去", **self._header_cell(column, rows[0], c),
                         values={"heading": heading, "cells": cells[:100], "count": len(cells)})
            if self.inspection is not None:
                for cell in cells:
                    self.inspection.left_out.append((cell, "列不是可识别的数值列"))

    # -- forms ---------------------------------------------------------------------------

    def read(self, fast: bool = True) -> None:
        """Read the sheet; `fast=False` reads a form row by row even where its template's
        plan could (the reference the fast path is held to)."""
        layout = self.layout
        if layout.kind == "table":
            from fulian_stats.read.table import read_table

            read_table(self)
            return
        across = next((b for b in layout.blocks if len(set(b.months.values())) > 1), None)
        if across is not None:
            refuse_months_across(self, across)
            return
        if any(b.rivals for b in layout.blocks) and refuse_rivals(self, self.footer_row()):
            return
        if self.sheet.text is not None:
            check_text_rows(self, layout.data_start, self.footer_row())
        if self.sheet.merged:
            merged_over_rows(self)
        if any(col.role == IGNORED for col in layout.columns):
            numbers_in_unread_columns(self, self.footer_row())
        blocks = layout.blocks
        if fast and len(blocks) == 1 and layout.kind == "form" and self.inspection is None and not blocks[0].unknown_cols \
                and blocks[0].category_col is None and not self.ragged:
            fast = read_form_columns(self.sheet, layout, self.catalog, self.file, self.org, self.period)
            if fast is not None:
                self._blocks = fast
                self.uses_sheet_period = bool(fast)
                numbers_outside(self, None)
                return
        end = self.footer_row()
        seen: dict[str, int] = {}
        for block in blocks:
            self.read_block(block, end, seen)
        numbers_outside(self, end)
        width = len(layout.columns)
        rows = self.sheet.rows
        for r in range(layout.data_start, end):  # numbers right of every headed column
            if len(rows[r]) > width and r not in self.ragged:
                self.unplaced(rows[r], r, range(width, len(rows[r])))
        self.report_unplaced()

    def footer_row(self) -> int:
        """The first row of the footer (填表人：…), or the end of the sheet; found once,
        for the several looks at a form's rows that end there."""
        if self._footer is None:
            rows = self.sheet.rows
            self._footer = next((r for r in range(self.layout.data_start, len(rows))
                                 if opens_footer(rows[r]) and not note_inside_form(self, r)), len(rows))
        return self._footer

    def value_columns(self, block: FormBlock) -> list[tuple[int, str | None, str]]:
        """(column, org or None for the sheet's own, measure) of a form or matrix block."""
        if self.layout.kind == "form":
            cols = [(block.month_col, None, MONTH)] if block.month_col is not None else []
            if block.ytd_col is not None:
                cols.append((block.ytd_col, None, YTD))
            return cols
        cols = []
        header = self.sheet.rows[self.layout.header_row]
        for col in block.org_cols:
            org = self.org_name(cell_text(header[col]), self.layout.header_row, col)
            if org is not None:
                cols.append((col, org, MONTH))
        if block.total_col is not None:
            cols.append((block.total_col, None, TOTAL))
        return cols

    def read_block(self, block: FormBlock, end: int, seen: dict[str, int]) -> None:
        rows, catalog = self.sheet.rows, self.catalog
        columns = self.value_columns(block)
        name_col, unit_col, category_col = block.name_col, block.unit_col, block.category_col
        derive = self.layout.kind == "form" and block.ytd_col is not None
        parent: str | None = None  # the indicator a `其中：…` row is part of
        category = ""
        sheet_own = (self.org, self.period)
        for r in range(self.layout.data_start, end):
            self.here = sheet_own
            if r in self.ragged:
                self.note_row(r, "", None, "字段数与表头不符，未读取")
                continue
            row = rows[r]
            width = len(row)
            name = cell_text(row[name_col]) if name_col < width else ""
            if category_col is not None and category_col < width:
                own = cell_text(row[category_col]).strip()
                category = own or category
                if own and not name.strip():
                    name = own  # a heading, or a name written across both columns
            self.unplaced(row, r, block.unknown_cols)
            ind_id, bracket_unit = catalog.lookup_row(name, parent) if name.strip() else (None, None)
            if ind_id is None and category and name.strip():
                ind_id, bracket_unit = catalog.lookup(category + name.strip())
            if ind_id is None:
                self.not_an_indicator_row(row, name, columns, r, block, parent)
                if not is_sub_item(name):
                    parent = None  # a heading or an unknown row: no 其中 below it is part of what came before
                continue
            ind = catalog[ind_id]
            if ind.parent is None:
                parent = ind_id
            if ind_id in seen:
                self.finding("INDICATOR_DUPLICATE", f"“{ind.label}”在第{seen[ind_id]}行和第"
                             f"{self.row_number(r)}行各出现一次；请删去重复的一行", r, name_col,
                             indicator=ind_id)
                self.note_row(r, name, ind_id, "重复的指标，未读取")
                continue
            seen[ind_id] = self.row_number(r)
            unit = unit_cell(row[unit_col]) if unit_col is not None and unit_col < width else ""
            if units_disagree(unit, bracket_unit):
                self.finding("UNIT_UNKNOWN", f"“{ind.label}”的名称写明单位是“{bracket_unit}”，计量单位栏却写“{unit}”，"
                             "不知数值按哪个单位填写；请改正其中一处", r, unit_col, indicator=ind.id,
                             values={"unit": unit, "expected": bracket_unit})
                self.note_row(r, name, ind_id, "计量单位前后不一，未读取")
                continue
            factor = self.unit_factor(ind, unit or bracket_unit, r, unit_col if unit else name_col)
            if factor is None:
                self.note_row(r, name, ind_id, "计量单位无法换算，未读取")
                continue
            self.note_row(r, name, ind_id, f"指标：{ind.label}")
            month = BLANK  # what the 本月 cell held: a 本年累计 without it is the month's to work out
            for c, org, measure in columns:
                if c < width:
                    value = self.emit(org, None, ind, row[c], factor, r, c, measure, c)
                    if measure == MONTH:
                        month = OK if value is not None else parse_number(row[c]).status
                        if month is BLANK and self.sheet.formulas and self.cell(r, c) in self.sheet.formulas:
                            month = None  # a formula never calculated: unknown, and already a warning
                    elif derive and value is not None and month is BLANK:
                        # 本年累计 without 本月: the month is worked out when every file is read.
                        self.add(org, None, DERIVE, c, ind_id, value, self.cell(r, c))
        below_footer(self, block, columns, end)

    def repeated_header(self, row: list, text: str, columns, r: int) -> None:
        """The header written again over a second part of the form: its rows are read by
        the first header's columns, which it must agree with (本月 over 本月)."""
        header = self.sheet.rows[self.layout.header_row]
        for c, _org, measure in columns:
            role = heading_role(header_key(row[c]))[0] if c < len(row) and row[c] not in ("", None) else measure
            if role != measure:
                header_again_differs(self, r, c, cell_text(row[c]), cell_text(header[c]) if c < len(header) else "")
                return
        self.note_row(r, text, None, "表头（又写了一次）")

    def not_an_indicator_row(self, row: list, name: str, columns, r: int, block: FormBlock,
                             parent: str | None) -> None:
        """For a row whose name is no indicator: name the numbers it holds, which have no
        indicator to belong to."""
        filled = [c for c, _o, _m in columns if c < len(row) and parse_number(row[c]).status is not BLANK]
        text = name.strip()
        if filled and header_key(text) in NAME_HEADERS and not any(holds_number(row[c]) for c in filled):
            self.repeated_header(row, text, columns, r)  # a second part of the form under its own header
            return
        if not filled:
            heading = text or next((v.strip() for v in row if isinstance(v, str) and v.strip()), "")
            self.note_row(r, heading, None, "栏目标题" if heading else "空行")
            numbers_in_note_row(self, r, heading, block.name_col)
            return
        cells = [self.cell(r, c) for c in filled]
        if self.inspection is not None:
            self.inspection.left_out += [(cell, "本行没有可识别的指标") for cell in cells]
        if TOTAL_ROW.match(normalize_text(text)):
            self.note_row(r, text, None, "合计行，不计入")
            self.finding("TOTAL_ROW_SKIPPED", f"第{self.row_number(r)}行“{text[:20]}”不是指标，其中的数值"
                         f"（{join_cells(cells)}）未计入", r, block.name_col, values={"cells": cells})
        elif not text:
            self.note_row(r, "", None, "有数值但没有指标名称")
            self.finding("INDICATOR_UNKNOWN", f"第{self.row_number(r)}行有数值（{join_cells(cells)}）但没有指标名称"
                         f"（{self.cell(r, block.name_col)}为空）；请补上指标名称或删去数值", r, block.name_col,
                         values={"cells": cells})
        elif is_sub_item(text):
            under = f"上一行的指标“{self.catalog[parent].label}”在指标目录中没有这一分项" if parent else \
                "上方没有它所属的指标"
            self.note_row(r, text, None, "其中项无法识别")
            self.finding("INDICATOR_UNKNOWN", f"“{text[:40]}”是其中项，但{under}，而本行填有数值"
                         f"（{join_cells(cells)}）；请核对它所属的指标，或在指标目录中补充（parent 列）",
                         r, block.name_col, values={"name": text[:200], "parent": parent})
        else:
            self.note_row(r, text, None, "不在指标目录中")
            self.finding("INDICATOR_UNKNOWN", f"指标“{text[:40]}”不在指标目录中，但填有数值（{join_cells(cells)}）；"
                         "请改用目录中的指标名称，或在指标目录中补充别名", r, block.name_col,
                         values={"name": text[:200]})
