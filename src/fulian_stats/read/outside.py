"""What a form holds beyond what its rows are read as, named rather than guessed at:
a column per month (several periods on one sheet), a value cell merged down over
several indicator rows, numbers of indicators below the footer, and any other number
outside the table (above its header, in or under the footer). Each is a finding of
the sheet's reader (sheet.py)."""

from __future__ import annotations

import re

from fulian_stats.findings import column_letters, join_cells
from fulian_stats.read.header import (CONTACT_WORDS, IGNORED, IGNORED_WORDS, MONTH, NOTE_WORDS, ROLE_LABELS, TOTAL, YTD,
                                      FormBlock, ignored_reason)
from fulian_stats.read.layout import cell_text, opens_footer
from fulian_stats.read.numbers import holds_number
from fulian_stats.read.summary_gaps import SUMMARY_NOTE

_DIGIT = re.compile(r"[0-9０-９]")


def refuse_months_across(reader, block: FormBlock) -> None:
    """A form with a column per month (1月, 2月, 3月…) holds several periods, and the
    reader takes one period a sheet: none of it is read, and the finding says so."""
    headed = {col.index: col for col in reader.layout.columns}
    named = "、".join(f"{headed[c].cell or ''}“{headed[c].heading}”" for c in sorted(block.months)[:6])
    first = headed[min(block.months)]
    reader.finding("LAYOUT_UNKNOWN", f"工作表“{reader.sheet.name}”每月一列（{named}），而一张表只能读一个报告期，"
                   "表中的数值均未读取；请每月填一张表（每月一个工作表或文件），可用 fulian-stats template 生成模板",
                   cell=first.cell, values={"months": sorted(set(block.months.values()))})


def refuse_rivals(reader, end: int) -> bool:
    """Two 本月 (本年累计, 合计) columns in one form holding numbers (城镇/本月 and
    农村/本月, or a 计划 the heading does not say): which is this period's, or whether
    both are parts of it, is not known. Reading the first would give a wrong total
    that looks right: nothing on the sheet is read, and the finding says why."""
    rows, start = reader.sheet.rows, reader.layout.data_start
    headed = {col.index: col for col in reader.layout.columns}
    for block in reader.layout.blocks:
        for second, first in block.rivals.items():
            if first is None or not any(second < len(rows[r]) and holds_number(rows[r][second]) for r in range(start, end)):
                continue
            a, b = headed[first], headed[second]
            role = ROLE_LABELS[MONTH if first == block.month_col else YTD if first == block.ytd_col else TOTAL]
            reader.finding("COLUMN_AMBIGUOUS", f"列{column_letters(reader.sheet.col_offset + first)}（表头“{a.heading}”）和"
                           f"列{column_letters(reader.sheet.col_offset + second)}（表头“{b.heading}”）都是“{role}”列，"
                           "不知哪一列是本期数（或两列都是其中一部分），表中的数值均未读取；请只保留本期的一列，"
                           "其他列的表头写明“上年同期”“计划”等", cell=b.cell,
                           values={"columns": [a.cell, b.cell], "headings": [a.heading, b.heading]})
            return True
    return False


def merged_over_rows(reader) -> None:
    """A value cell merged down over several indicator rows holds one number, read
    as the first row's: the others are blank (not reported), which the clerk may
    not have meant."""
    down = [m for m in reader.sheet.merged if m[2] > m[0] and m[0] >= reader.layout.data_start]
    if not down:
        return  # the usual merges: the title, headings across a row, the header
    rows, catalog, end = reader.sheet.rows, reader.catalog, reader.footer_row()
    for block in reader.layout.blocks:
        for top, left, bottom, right in down:
            if top >= end or not any(left <= c <= right for c in block.value_cols) \
                    or left >= len(rows[top]) or not holds_number(rows[top][left]):
                continue  # a blank merged cell holds no number to misplace
            names = [cell_text(rows[r][block.name_col]) if block.name_col < len(rows[r]) else ""
                     for r in range(top, min(bottom, end - 1) + 1)]
            ids = dict.fromkeys(i for i in (catalog.lookup(n)[0] for n in names if n.strip()) if i)
            labels = [catalog[i].label for i in ids]
            if len(labels) > 1:
                span = f"{reader.cell(top, left)}:{reader.cell(bottom, right)}"
                reader.finding("CELL_MERGED", f"{span}是合并单元格，跨了{len(labels)}个指标行（{'、'.join(labels[:5])}），"
                               f"其中的数只计入“{labels[0]}”，其余按未填报处理；请取消合并，每个指标分别填写",
                               top, left, values={"range": span, "indicators": len(labels)})


def indicator_rows_below(reader, block: FormBlock, end: int) -> dict[int, str]:
    """Row → indicator of the rows below the footer (row `end`) named for an indicator,
    as the form's own rows are (a 其中 row is part of the indicator above it)."""
    rows, catalog = reader.sheet.rows, reader.catalog
    found, parent = {}, None
    for r in range(end + 1, len(rows)):
        row = rows[r]
        name = cell_text(row[block.name_col]) if block.name_col < len(row) else ""
        ind_id = catalog.lookup_row(name, parent)[0] if name.strip() else None
        if ind_id is not None:
            found[r] = ind_id
            parent = parent if catalog[ind_id].parent else ind_id
    return found


def note_inside_form(reader, r: int) -> bool:
    """A 说明：/注： row between a form's indicator rows (说明：以下为信访工作) is the form's
    own note, not its footer, when the rows below it, up to the next footer, name
    indicators the rows above it did not. A second form stacked below repeats them."""
    rows = reader.sheet.rows
    first = next((v for v in rows[r] if isinstance(v, str) and v.strip()), "")
    if not NOTE_ROW.match(first):
        return False
    end = next((n for n in range(r + 1, len(rows)) if opens_footer(rows[n])), len(rows))
    for block in reader.layout.blocks:
        named = indicator_rows_below(reader, block, reader.layout.data_start - 1)
        above = {i for n, i in named.items() if n < r}
        below = {i for n, i in named.items() if r < n < end}
        if not below or not below.isdisjoint(above):
            return False
    return True


def header_again_differs(reader, r: int, c: int, text: str, above: str | None) -> None:
    """The header written again names column `c` otherwise than the header above
    (`above`, or None where it is a measure row's): the rows below it cannot be read by
    either header."""
    than = f"与上方表头的“{above[:20]}”不同" if above is not None else "与上方表头不同"
    reader.finding("COLUMN_AMBIGUOUS", f"第{reader.row_number(r)}行又写了一次表头，但{reader.cell(r, c)}为“{text[:20]}”，"
                   f"{than}，其下各行不知按哪个表头读；请把第二份表移到单独的工作表", r, c, values={"heading": text[:200]})


def below_footer(reader, block: FormBlock, columns, end: int) -> None:
    """Name the numbers of indicator rows below the footer (a second form stacked
    under the first, rows added after 填表人：…): the form ended at the footer."""
    rows, catalog = reader.sheet.rows, reader.catalog
    cells, labels = [], []
    for r, ind_id in indicator_rows_below(reader, block, end).items():
        row = rows[r]
        filled = [reader.cell(r, c) for c, _o, _m in columns if c < len(row) and holds_number(row[c])]
        cells += filled
        labels += [catalog[ind_id].label] if filled else []
    if not cells:
        return
    if reader.inspection is not None:
        reader.inspection.left_out += [(cell, "在表尾之后") for cell in cells]
    footer = next(v for v in rows[end] if isinstance(v, str) and v.strip()).strip()
    reader.finding("DATA_AFTER_FOOTER", f"第{reader.row_number(end)}行是表尾（“{footer[:20]}”），其下还有{len(cells)}个"
                   f"指标数值（{join_cells(cells)}，如“{labels[0]}”），未读取；一张工作表只填一份报表：请把另一份报表"
                   "移到单独的工作表或文件，补填的数请填回表中对应的行", cell=cells[0],
                   values={"cells": cells[:100], "count": len(cells), "footer_row": reader.row_number(end)})


def numbers_outside(reader, end: int | None) -> None:
    """An info naming the numbers above the header and, from the footer (row `end`) on,
    in a value column of a row that is no indicator's (those are below_footer's): none
    is read. A year written as a number beside 报告期 is the period's, not a figure.
    `end` None: the footer holds no number in a value column (the fast path knows)."""
    rows = reader.sheet.rows
    cells = [reader.cell(r, c) for r in range(reader.layout.header_row) for c, v in enumerate(rows[r])
             if type(v) in (int, float) and not _part_of_a_date(v, rows[r], c)]
    value_cols = sorted({c for block in reader.layout.blocks for c in block.value_cols})
    if end is not None:
        named = {r for block in reader.layout.blocks for r in indicator_rows_below(reader, block, end)}
        for r in range(end, len(rows)):
            if r not in named:
                cells += [reader.cell(r, c) for c in value_cols if c < len(rows[r]) and holds_number(rows[r][c])]
        notes_from(reader, end)
    if not cells:
        return
    if reader.inspection is not None:
        reader.inspection.left_out += [(cell, "在表格以外") for cell in cells]
    reader.finding("NUMBER_OUTSIDE_TABLE", f"表格以外的{len(cells)}个数值（{join_cells(cells)}）未读取；"
                   "如是报表数据，请填入表中对应的行", cell=cells[0], values={"cells": cells[:100], "count": len(cells)})


def numbers_in_unread_columns(reader, end: int) -> None:
    """An info per column the reader leaves out by its heading (上年同期, 增减, 备注…)
    that holds numbers in the table's rows (up to row `end`): another period's figures,
    or a figure the clerk wrote beside the form instead of in it. In a note any text
    with a digit counts (含线上培训30人); who filled the form in (联系电话) does not."""
    rows, start = reader.sheet.rows, reader.layout.data_start
    for col in reader.layout.columns:
        if col.role != IGNORED:
            continue
        part = next((p for p in col.heading.split("/") if IGNORED_WORDS.match(p)), None)
        if part is not None and CONTACT_WORDS.match(part) or part is None and col.year is None:
            continue  # who filled it in, or 序号
        note, c = part is not None and NOTE_WORDS.match(part), col.index
        why = ignored_reason(part) if part is not None else "不是本期数"  # an earlier year's column
        cells = [reader.cell(r, c) for r in range(start, end) if c < len(rows[r]) and (
            _DIGIT.search(cell_text(rows[r][c])) if note else holds_number(rows[r][c]))]  # a note 无 is no 0
        if not cells:
            continue
        if reader.inspection is not None:
            reader.inspection.left_out += [(cell, f"“{col.heading}”列不读取") for cell in cells]
        held = f"其中{len(cells)}个单元格写有数字（{join_cells(cells)}），未读取；如是本期数据，请填入表中对应的栏目" if note \
            else f"其中的{len(cells)}个数值（{join_cells(cells)}）未读取"
        reader.finding("COLUMN_NOT_READ", f"列{column_letters(reader.sheet.col_offset + c)}（表头“{col.heading}”）"
                       f"{why}，{held}", cell=cells[0],
                       values={"heading": col.heading, "cells": cells[:100], "count": len(cells)})


NOTE_ROW = re.compile(r"^\s*(?:备注|说明|注)\s*[:：]")


def note_with_numbers(text: str) -> bool:
    """A note written across a row of the table (备注：另有线上培训120人) with figures in
    its words; a date in it (2016年3月) is none."""
    if not NOTE_ROW.match(text) or text.lstrip().startswith(SUMMARY_NOTE):
        return False
    return _DIGIT.search(_NUMBERING.sub("", _PHONE.sub("", _DATE.sub("", text)))) is not None


def numbers_in_note_row(reader, r: int, text: str, c: int) -> None:
    """The figures in a note row's words are read by nobody: an info names the row."""
    if not note_with_numbers(text):
        return
    if reader.inspection is not None:
        reader.inspection.left_out.append((reader.cell(r, c), "说明文字中的数字不读取"))
    shown = text.strip()[:30] + ("…" if len(text.strip()) > 30 else "")
    reader.finding("NOTE_NOT_READ", f"第{reader.row_number(r)}行的说明文字“{shown}”中有数字，未读取；"
                   "如是本期数据，请填入表中对应的栏目", r, c, values={"text": text.strip()[:200]})


def notes_from(reader, end: int) -> None:
    """The notes with figures from the footer (row `end`) on (说明：另有线上培训120人)."""
    for r, row in enumerate(reader.sheet.rows[end:], end):
        c = next((c for c, v in enumerate(row) if isinstance(v, str) and note_with_numbers(v)), None)
        if c is not None:
            numbers_in_note_row(reader, r, row[c], c)


_DATE = re.compile(r"[0-9０-９]+\s*[年月日]")
# A note's own numbering (说明：1、本表… 2.各镇…（3）…), no figure.
_NUMBERING = re.compile(r"(?:(?<![0-9０-９])[0-9０-９]{1,2}\s*[、.．:：](?![0-9０-９])|[（(][0-9０-９]{1,2}[)）])")
_PHONE = re.compile(r"(?<![0-9])(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})(?![0-9])")  # 联系电话 in a note


def _part_of_a_date(value: float, row: list, c: int) -> bool:
    """A year (2016, 201603) or a part of a date written across cells (2016 | 年 | 3 | 月)."""
    if 1900 <= value <= 2100 or 190001 <= value <= 210012:
        return True
    after = next((cell_text(v).strip() for v in row[c + 1:] if cell_text(v).strip()), "")
    return after[:1] in ("年", "月", "日", "季")
