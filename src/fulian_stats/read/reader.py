"""Files in, observations and findings out. Nothing escapes as an exception: a file
that cannot be read becomes a finding and the other files go on."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from fulian_stats.catalog import Catalog
from fulian_stats.findings import WARNING, Finding, column_index, row_of_cell
from fulian_stats.normalize import normalize_text
from fulian_stats.observations import Block
from fulian_stats.orgs import OrgRegistry
from fulian_stats.periods import Period, parse_period
from fulian_stats.read.declared import DeclaredLayout, declared_for
from fulian_stats.read.diagnose import layout_problem
from fulian_stats.read.grid import GridError, Sheet, load_sheets
from fulian_stats.read.limits import LIMITS, Limits
from fulian_stats.read.inspection import SheetInspection
from fulian_stats.read.layout import detect_layout
from fulian_stats.read.sheet import SheetReader
from fulian_stats.read.sheet_totals import workbook_totals
from fulian_stats.read.sheetmeta import SheetMeta
from fulian_stats.read.summary_gaps import COVERAGE_SHEET, SUMMARY_SHEET, summary_gaps

# Sheets that are never data: the instructions of a template, the details, charts and
# coverage of a summary workbook (reading 明细 would count every number twice).
NON_DATA_SHEETS = {"填报说明", "说明", "明细", "图表", "分月", "封面", COVERAGE_SHEET}


@dataclass
class ReadContext:
    """What every file is read against; picklable, so worker processes get a copy."""

    catalog: Catalog
    orgs: OrgRegistry | None = None
    period: Period | None = None  # --period: the last resort for a file's period
    layouts: tuple[DeclaredLayout, ...] = ()  # fulian.toml's [[layout]] entries
    inspect: bool = False  # record how each sheet was understood (fulian-stats inspect)
    limits: Limits = LIMITS  # every bound reading one file is held to


@dataclass
class FileResult:
    file: str
    blocks: list[Block] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    inspections: list[SheetInspection] = field(default_factory=list)  # only when ctx.inspect
    # (org, month, 未报 or 有误): what a summary workbook's numbers lack (summary_gaps.py)
    gaps: list[tuple[str, int, str]] = field(default_factory=list)

    @property
    def observations(self) -> list[tuple]:
        """(org, period, indicator, value, sheet, cell, measure) of every value read."""
        return [row for block in self.blocks for row in block.rows()]


def read_file(path: str | Path, ctx: ReadContext, display: str | None = None) -> FileResult:
    path = os.fspath(path)  # a str throughout: a Path per file cost 3% of reading a form
    display = display or path
    result = FileResult(display)
    try:
        sheets = load_sheets(path, ctx.limits)
    except GridError as exc:
        result.findings.append(Finding(exc.code, exc.message, file=display, sheet=exc.sheet, cell=exc.cell,
                                       row=exc.row, values=exc.values))
        return result
    except OSError as exc:
        result.findings.append(Finding("FILE_UNREADABLE", f"无法打开文件：{exc.strerror or exc}", file=display))
        return result
    recognised, unknown, coverage_sheet = 0, [], None
    stem = os.path.splitext(os.path.basename(path))[0]  # the file name's part in org and period
    for sheet in sheets:
        if sheet.name is not None and normalize_text(sheet.name) in NON_DATA_SHEETS:
            if normalize_text(sheet.name) == COVERAGE_SHEET:
                coverage_sheet = sheet
            continue
        inspection = SheetInspection(display, sheet.name) if ctx.inspect else None
        before = len(result.findings)
        declared = declared_for(ctx.layouts, os.path.basename(path), sheet)
        layout = declared.layout(sheet, ctx.catalog) if declared is not None else detect_layout(sheet, ctx.catalog)
        if layout is None:
            result.findings.extend(sheet.findings_for(display))  # a sheet refused or with uncalculated formulas
            problem = layout_problem(sheet, ctx.catalog)
            if problem is not None:
                unknown.append((sheet, problem))
                if inspection is not None:
                    inspection.problem = problem[0]
        else:
            recognised += 1
            if inspection is not None:
                inspection.describe_layout(layout, sheet.row_offset, sheet.col_offset)
            meta = SheetMeta.settle(stem, sheet, layout, ctx, display, declared, inspection)
            result.findings.extend(sheet.findings_for(display, meta.org, meta.period))
            reader = SheetReader(sheet, layout, ctx.catalog, ctx.orgs, display, inspection, meta.org, meta.period)
            reader.read()
            result.findings.extend(reader.findings)
            kept = meta.keep(reader, result.findings)
            if sheet.hidden and kept:  # read, as it holds figures; but it may be a leftover nobody sees
                periods = "、".join(dict.fromkeys(parse_period(b.period).label for b in kept if b.period))
                result.findings.append(Finding(
                    "SHEET_HIDDEN", f"工作表“{sheet.name}”是隐藏的，其中的数值也已读取{f'（{periods}）' if periods else ''}；"
                    "如是旧表或草稿，请删去；如是报表，请取消隐藏", file=display, sheet=sheet.name,
                    org=meta.org, period=meta.period))
            if kept and (sheet.hidden_rows or sheet.hidden_columns):
                result.findings += _hidden_cells(sheet, kept, display, meta)
            result.blocks.extend(kept)
        if inspection is not None:
            inspection.findings = result.findings[before:]
            result.inspections.append(inspection)
    summed = {b.org for b in result.blocks if b.sheet == SUMMARY_SHEET and b.org}
    if coverage_sheet is not None and summed:  # a summary workbook's: the months its numbers lack
        result.gaps, gap_findings = summary_gaps(coverage_sheet, display, ctx.orgs, summed)
        result.findings += gap_findings
    if recognised > 1:
        result.blocks, notes = workbook_totals(result.blocks, ctx.orgs, display)
        result.findings += notes
    layout_findings = _unknown_layouts(display, unknown, recognised)
    # A text file with its header and no row of figures was most likely cut short (a blank
    # workbook is a form nobody filled in: completeness says it is missing).
    if recognised and not result.blocks and not any(f.is_error for f in result.findings):
        if all(s.text is not None for s in sheets):
            layout_findings.append(Finding("NO_DATA", "文件中有表头，但没有一行数值，可能在传输或复制时被截断；"
                                           "请重新导出完整的文件后报送", file=display))
        else:  # a form nobody filled in: not sent, as completeness says, but named
            layout_findings.append(Finding("FORM_BLANK", "报表中没有填任何数值（空白报表），按未报送处理；"
                                           "请确认是否发错了文件", file=display))
    result.findings += layout_findings
    for inspection in result.inspections:
        inspection.findings += [f for f in layout_findings if f.sheet == inspection.sheet]
    return result


def _hidden_cells(sheet: Sheet, blocks: list[Block], file: str, meta: SheetMeta) -> list[Finding]:
    """Values read from hidden rows or columns: counted, but nobody looking at the sheet
    sees them (an old indicator, last year's column). A warning naming them."""
    rows, columns = sheet.hidden_rows, sheet.hidden_columns
    cells = [cell for block in blocks for cell in block.cells
             if (row_of_cell(cell) or 0) - 1 in rows or column_index(cell.rstrip("0123456789")) in columns]
    if not cells:
        return []
    hidden_rows = sorted({row_of_cell(c) for c in cells if (row_of_cell(c) or 0) - 1 in rows})
    hidden_columns = sorted({c.rstrip("0123456789") for c in cells if column_index(c.rstrip("0123456789")) in columns},
                            key=column_index)
    where = "、".join([*(f"第{r}行" for r in hidden_rows[:5]), *(f"{c}列" for c in hidden_columns[:5])])
    listed = "、".join(cells[:5]) + (f"等{len(cells)}个单元格" if len(cells) > 5 else "")
    return [Finding("CELLS_HIDDEN", f"{where}是隐藏的，其中的数值（{listed}）也已读取；如是旧数据或草稿，请删去；"
                    "如是报表数据，请取消隐藏", file=file, sheet=sheet.name, cell=cells[0], org=meta.org,
                    period=meta.period, values={"cells": cells})]


def _unknown_layouts(display: str, unknown: list[tuple[Sheet, tuple]], recognised: int) -> list[Finding]:
    """The sheets no layout was found for. Numbers in one are named, at the first of
    them: an error when the file has no report at all, else a warning (the file's
    other sheets are read)."""
    findings = []
    for sheet, (message, cell, has_numbers) in unknown:
        if not recognised:
            findings.append(Finding("LAYOUT_UNKNOWN", f"{_sheet_label(sheet)}{message}", file=display, sheet=sheet.name,
                                    cell=cell))
        elif has_numbers:
            findings.append(Finding("SHEET_SKIPPED", f"工作表“{sheet.name}”不是可识别的报表，已跳过，但其中有数值：{message}",
                                    severity=WARNING, file=display, sheet=sheet.name, cell=cell))
        else:
            findings.append(Finding("SHEET_SKIPPED", f"工作表“{sheet.name}”不是报表，已跳过", file=display,
                                    sheet=sheet.name))
    if not recognised and not findings:
        findings.append(Finding(
            "LAYOUT_UNKNOWN", "没有找到可识别的报表：表式报表需要“指标名称”和“本月”列，清单式报表需要"
            "以指标名称为列标题的表头；请使用 fulian-stats template 生成的模板填报", file=display))
    return findings


def _sheet_label(sheet: Sheet) -> str:
    return f"工作表“{sheet.name}”中没有找到可识别的报表：" if sheet.name is not None else "没有找到可识别的报表："
