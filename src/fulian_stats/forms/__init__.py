"""Blank submission workbooks (`fulian-stats template`) that townships cannot fill in wrong.

Built from the catalog so that the reader recognises every row and column: a form
(表式, sheet 月报) or a table (清单式, sheet 清单), plus a 填报说明 sheet the reader skips.
Only input cells are unlocked; each number cell admits only non-negative numbers (whole
numbers for counts) through Excel data validation. Sheets are protected without a
password: the point is to prevent slips, not to lock anyone out.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from fulian_stats.errors import UsageError
from fulian_stats.forms.guide import write_guide
from fulian_stats.forms.style import (
    BOLD,
    BORDER,
    CENTER,
    HEADER_FILL,
    LOCKED_FILL,
    RIGHT,
    SECTION_FILL,
    WRAP,
    Validations,
    as_input,
    cn_ordinal,
    protect,
    put,
    title_row,
)
from fulian_stats.output.files import atomic_path, make_output_folder, refuse_inputs, refuse_replacing
from fulian_stats.output.printing import PageSetup
from fulian_stats.periods import Period, parse_period

FORM_SHEET, TABLE_SHEET, GUIDE_SHEET = "月报", "清单", "填报说明"
FORM_HEADER = ["序号", "指标名称", "计量单位", "本月", "本年累计"]
FORM_WIDTHS = (6, 36, 12, 14, 14)
LAYOUTS = ("form", "table")
BLANK_TABLE_ROWS = 30  # input rows of a table template made without an org registry

def org_label(org: str) -> str:
    return org if org.endswith("妇联") else f"{org}妇联"


def require_month(period: Period | None) -> None:
    if period is not None and not period.is_month:
        raise UsageError(f"表式模板的报告期必须是一个月份（如 2016-03），不能是“{period.label}”")


def meta_row(ws, dv: Validations, row: int, label: str, value: str | None, prompt: str) -> None:
    """`填报单位：大宁镇妇联` in one cell, or the label and an input cell to its right (the
    reader takes a bare label's value from the next filled cell). One label per row: a blank
    input must not let the reader take the next label as this one's value."""
    if value is not None:
        put(ws, row, 1, f"{label}{value}", {"font": BOLD})
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        return
    put(ws, row, 1, label, {"font": BOLD, "alignment": RIGHT})
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    for col in range(3, 6):  # every cell of a merged input must be unlocked
        as_input(ws.cell(row, col), "@")  # text: `2016-03` stays as typed
    dv.text(ws.cell(row, 3), label.rstrip("："), prompt)
    ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=5)


def write_form_template(path, catalog, rules, org: str | None = None, period: Period | None = None,
                        region: str | None = None) -> Path:
    """One org's monthly form: sheet 月报 in the reader's form layout, plus 填报说明."""
    require_month(period)
    wb = Workbook()
    ws = wb.active
    ws.title = FORM_SHEET
    ws.sheet_view.showGridLines = False
    dv = Validations(ws)
    title_row(ws, 1, f"{region or ''}妇联工作统计月报表", 5)
    meta_row(ws, dv, 2, "填报单位：", org_label(org) if org else None, "请填写本单位名称，如：大宁镇妇联")
    meta_row(ws, dv, 3, "报告期：", period.label if period else None, "请填写报告月份，如：2016年3月")
    header = 4
    for col, text in enumerate(FORM_HEADER, start=1):
        put(ws, header, col, text, {"font": BOLD, "fill": HEADER_FILL, "border": BORDER, "alignment": CENTER})
    ws.row_dimensions[header].height = 22
    row, number = header + 1, 0
    # Rates are computed from their numerator and denominator, never typed in.
    sections = [(name, [i for i in catalog.in_section(name) if i.kind != "rate"]) for name in catalog.sections]
    for s, (section, inds) in enumerate([(name, inds) for name, inds in sections if inds], start=1):
        put(ws, row, 1, f"{cn_ordinal(s)}、{section}", {"font": BOLD, "fill": SECTION_FILL})
        for col in range(1, 6):
            ws.cell(row, col).border = BORDER
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        row += 1
        for ind, name in zip(inds, catalog.row_names(inds)):
            number += 1
            for col, value, align in ((1, number, CENTER), (2, name, WRAP), (3, ind.unit, CENTER)):
                put(ws, row, col, value, {"alignment": align, "border": BORDER})
            dv.number(ws.cell(row, 4), ind, "本月发生数" if ind.kind == "flow" else "月末实有数（不累加）")
            ytd = ws.cell(row, 5)
            if ind.kind == "flow":
                dv.number(ytd, ind, "1月至本月的累计数")
            else:  # a year-to-date sum of a stock is meaningless: greyed and locked
                ytd.fill, ytd.border = LOCKED_FILL, BORDER
            row += 1
    footer = row + 1
    for r, c, label in ((footer, 1, "填表人："), (footer, 4, "审核人："), (footer + 1, 1, "填报日期：")):
        put(ws, r, c, label, {"alignment": RIGHT})
        if c == 1:  # the label spans 序号 and 指标名称, its input is under 计量单位
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        as_input(ws.cell(r, max(3, c + 1)))
    for col, width in enumerate(FORM_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = f"A{header + 1}"
    filler, month = org_label(org) if org else region, period.label if period else None
    PageSetup(False, (header - 1, header - 1), filler, month).to_openpyxl(ws)
    protect(ws)
    example = f"{org}_{period.code}.xlsx" if org and period else None
    write_guide(wb, catalog, rules, "form", example, filler, month)
    return save_atomic(wb, path)


def write_table_template(path, catalog, orgs=None, period: Period | None = None, region: str | None = None,
                         rules=None) -> Path:
    """Sheet 清单: one row per org (per month of a longer period), one column per indicator."""
    wb = Workbook()
    ws = wb.active
    ws.title = TABLE_SHEET
    dv = Validations(ws)
    inds = [ind for ind in catalog if ind.kind != "rate"]
    last_col = 2 + len(inds)
    # Only a month goes in the title: the reader falls back to it for rows without 月份.
    suffix = f"（{period.label}）" if period and period.is_month else ""
    title_row(ws, 1, f"{region or ''}妇联工作统计月报清单{suffix}", min(last_col, 12))
    header = 2
    names = ["单位名称", "月份"] + [f"{ind.label}（{ind.unit}）" for ind in inds]
    for col, text in enumerate(names, start=1):
        put(ws, header, col, text, {"font": BOLD, "fill": HEADER_FILL, "border": BORDER, "alignment": CENTER})
        width = 14 if col <= 2 else max(10, min(20, len(text) + 2))  # CJK: ~2 units a character
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[header].height = 66
    if orgs is not None:
        months = period.months() if period else [None]
        rows = [(org, m.label if m else None) for org in orgs.leaves() for m in months]
    else:
        month = period.label if period and period.is_month else None
        rows = [(None, month)] * BLANK_TABLE_ROWS
    for r, (org, month) in enumerate(rows, start=header + 1):
        for c, value, title, prompt in ((1, org, "单位名称", "请填写单位名称，如：大宁镇"),
                                        (2, month, "月份", "请填写月份，如：2016年3月")):
            cell = put(ws, r, c, value, {"border": BORDER})
            if value is None:
                as_input(cell, "@")
                dv.text(cell, title, prompt)
        for c, ind in enumerate(inds, start=3):
            dv.number(ws.cell(r, c), ind, "本月发生数" if ind.kind == "flow" else "月末实有数（不累加）")
    ws.freeze_panes = f"B{header + 1}"
    # Dozens of indicator columns would print unreadably small on one page: the table runs
    # over pages across, each repeating its 单位名称 column.
    label = period.label if period else None
    PageSetup(True, (header - 1, header - 1), region, label, title_cols=0).to_openpyxl(ws)
    protect(ws)
    write_guide(wb, catalog, rules, "table", f"{region}_{period.code}.xlsx" if region and period else None,
                region, label)
    return save_atomic(wb, path)


def write_templates_for_orgs(folder, catalog, rules, orgs, period: Period, region: str | None = None,
                             force: bool = False, inputs: dict | None = None) -> list[Path]:
    """One form per expected submitter, named `大宁镇_2016-03.xlsx`: the name carries org and
    period too. All or nothing: when one of them may not be written, none is."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"输出位置“{folder}”是一个文件，请指定一个文件夹")
    if period is None:
        raise UsageError("为名册中的各单位生成模板时必须用 --period 指定月份（如 2016-03）")
    require_month(period)
    targets = {org: folder / f"{safe_file_name(org)}_{period.code}.xlsx" for org in orgs.leaves()}
    guard_targets(list(targets.values()), catalog, orgs, force, inputs or {})
    make_output_folder(folder)
    return [write_form_template(path, catalog, rules, org, period, region) for org, path in targets.items()]


def write_forms(output, setup, layout: str = "form", org: str | None = None, period: Period | str | None = None,
                force: bool = False, per_org: bool = False) -> list[Path]:
    """What `fulian-stats template` asks for, by a setup (api.Setup): with `per_org`, one
    form per org the registry expects into the folder `output`; else one workbook."""
    if isinstance(period, str):
        period = parse_period(period)
    if per_org:
        return write_templates_for_orgs(output, setup.catalog, setup.rules, setup.orgs, period, setup.region, force,
                                        setup.files)
    return [write_template(output, setup.catalog, setup.rules, layout, org, period, setup.orgs, setup.region, force,
                           setup.files)]


def write_template(path, catalog, rules, layout: str = "form", org: str | None = None,
                   period: Period | str | None = None, orgs=None, region: str | None = None,
                   force: bool = False, inputs: dict | None = None) -> Path:
    """What `template -o FILE` asks for: checks the options, then writes one workbook."""
    if layout not in LAYOUTS:
        raise UsageError(f"未知的模板样式：{layout}（可用 form 或 table）")
    if isinstance(period, str):
        period = parse_period(period)
    if layout == "table":
        if org:
            raise UsageError("--org 只用于表式模板（--layout form）；清单式模板按单位名册列出各单位")
    elif org and orgs is not None:
        canonical = orgs.canonical(org)
        if canonical is None:
            raise UsageError(f"单位“{org}”不在单位名册（{orgs.source}）中")
        org = canonical
    guard_targets([Path(path)], catalog, orgs, force, inputs or {})
    if layout == "table":
        return write_table_template(path, catalog, orgs, period, region, rules=rules)
    return write_form_template(path, catalog, rules, org or None, period, region)


# Findings that say a file is no submission at all (or none that can be opened): such a
# file may be replaced with --force. Anything else the reader finds means someone's work.
NOT_A_SUBMISSION = {"FILE_UNREADABLE", "FILE_EMPTY", "FILE_TOO_LARGE", "ENCODING", "LAYOUT_UNKNOWN", "SHEET_SKIPPED",
                    "FORM_BLANK"}


def guard_targets(targets: list[Path], catalog, orgs, force: bool, inputs: dict) -> None:
    """A template never replaces a file the run reads, nor an existing file unless
    `force`, nor, even then, a filled submission."""
    for target in targets:
        refuse_inputs(target, inputs)
    refuse_replacing(targets, force, lambda existing: filled_submissions(existing, catalog, orgs))


def filled_submissions(paths: list[Path], catalog, orgs=None) -> list[str]:
    """Those of `paths` that read as a submission: observations, or findings about
    what was filled in. Read as `check` reads them (in a worker: a damaged file cannot
    stop this run)."""
    from fulian_stats.read import ReadContext, read_paths

    read = read_paths(paths, ReadContext(catalog, orgs))
    return [r.file for r in read.files if r.blocks or any(f.code not in NOT_A_SUBMISSION for f in r.findings)]


def safe_file_name(name: str) -> str:
    return "".join("_" if ch in '\\/:*?"<>|' or ord(ch) < 32 else ch for ch in name).strip(" .") or "_"


# ------------------------------------------------------------------ saving

def save_atomic(wb: Workbook, path) -> Path:
    """Save to a hidden temporary file beside the target, then rename: never a half-written file."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"输出位置“{path}”是一个文件夹，请指定文件名，如 {path / '模板.xlsx'}")
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"模板只能保存为 .xlsx 文件：{path}")
    with atomic_path(path) as temp:
        wb.save(temp)
    return path
