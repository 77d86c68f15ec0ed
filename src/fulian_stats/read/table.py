"""A table (清单式) sheet: one row per org (and month), one column per indicator.

A 合计 row totals every row; a 小计 row totals the rows since the previous 小计 (or
the first row). Both are kept out of the data and cross-checked (checks: TOTAL_MISMATCH).
"""

from __future__ import annotations

from fulian_stats.findings import join_cells, show_number
from fulian_stats.normalize import normalize_text
from fulian_stats.observations import MONTH, SUBTOTAL, TOTAL, YTD, sums_differ
from fulian_stats.periods import Period, period_of_cell
from fulian_stats.read.header import IGNORED, header_key, heading_role
from fulian_stats.read.layout import FOOTER, NOT_AN_ORG_ROW, ORG_HEADERS, SUBTOTAL_ROW, TOTAL_ROW, cell_text
from fulian_stats.read.meta import month_alone
from fulian_stats.read.outside import NOTE_ROW, header_again_differs, notes_from, numbers_in_note_row, numbers_in_unread_columns
from fulian_stats.read.numbers import BLANK, ESTIMATE, OK, holds_number, parse_number
from fulian_stats.read.textrows import check_text_rows


def read_table(reader) -> None:
    """Read a table sheet into `reader` (a SheetReader)."""
    lay, rows = reader.layout, reader.sheet.rows
    reader.here = (None, None)  # the header's findings are about a column of every row
    second = next((c for c in lay.more_org_cols if lay.value_cols and min(lay.value_cols) < c < max(lay.value_cols)),
                  None)  # another 单位名称 with indicator columns either side: two lists side by side
    if second is not None:
        _refuse_lists_side_by_side(reader, second)
        return
    indicators = {c: reader.catalog[i] for c, i in (lay.value_cols | lay.ytd_cols).items()}
    header = lay.header_row
    factors = {c: reader.unit_factor(ind, lay.units.get(c), header, c) for c, ind in indicators.items()}
    seen = {}
    for col, ind in indicators.items():
        if (ind.id, col in lay.ytd_cols) in seen:
            reader.finding("INDICATOR_DUPLICATE", f"“{ind.label}”有两列（{reader.cell(header, seen[ind.id, col in lay.ytd_cols])}"
                           f"和{reader.cell(header, col)}）；请删去重复的一列", header, col, indicator=ind.id)
            factors[col] = None
        else:
            seen[ind.id, col in lay.ytd_cols] = col
    ytd_totals = _YtdTotals(reader) if lay.ytd_cols else None
    unknown = list(lay.unknown_cols)  # reported once, at the header, when a number is under it
    first_value = min(indicators, default=0)
    end = _table_end(reader)
    check_text_rows(reader, lay.data_start, end)
    _rows_below_footer(reader, end, indicators)
    notes_from(reader, end)
    numbers_in_unread_columns(reader, end)
    for r in range(lay.data_start, end):
        if r in reader.ragged:
            continue
        reader.here = (None, reader.period)
        row = rows[r]
        org_text = cell_text(row[lay.org_col]).strip() if lay.org_col is not None and lay.org_col < len(row) else ""
        if not org_text:  # 合计 written in the 序号 column, or merged across 序号 and 单位
            org_text = next((t for v in row[:first_value] if (t := cell_text(v).strip())
                             and TOTAL_ROW.match(normalize_text(t))), "")
        for c in [c for c in unknown if c < len(row) and parse_number(row[c]).status in (OK, ESTIMATE)]:
            unknown.remove(c)
            # a heading merged down from the row above stands in its first cell only
            name = cell_text(rows[header][c]).strip() or (lay.columns[c].heading if c < len(lay.columns) else "")
            if name:
                named = f"{lay.groups[c]}/{name}" if c in lay.groups else name  # the alias to add: both
                reader.finding("INDICATOR_UNKNOWN", f"指标“{named}”不在指标目录中，但填有数值；"
                               "请改用目录中的指标名称，或在指标目录中补充别名", header, c, values={"name": name})
            else:
                reader.finding("COLUMN_UNKNOWN", f"{reader.cell(r, c)}等单元格有数值，但这一列没有表头，未读取；"
                               "请补上指标名称作表头，或删去这些数值", r, c, values={"heading": ""})
        filled = [c for c in indicators if c < len(row) and factors[c] is not None
                  and parse_number(row[c]).status is not BLANK]
        if filled and not any(holds_number(row[c]) for c in filled):
            if header_key(org_text) in ORG_HEADERS:
                _repeated_header(reader, row, r, indicators)  # the header again, over a second part of the table
                continue
            if not org_text and _repeated_measures(reader, row, r, filled):
                continue
        if not filled:
            reader.note_row(r, org_text, None, "空行" if not org_text else "没有数值")
            numbers_in_note_row(reader, r, org_text, lay.org_col)
            continue
        key = normalize_text(org_text)
        if NOT_AN_ORG_ROW.match(key) and not TOTAL_ROW.match(key):
            cells = [reader.cell(r, c) for c in filled]
            reader.finding("ROW_NOT_READ", f"第{reader.row_number(r)}行“{org_text[:20]}”不是单位，其中的数值"
                           f"（{join_cells(cells)}）未计入", r, lay.org_col, values={"cells": cells[:100]})
            reader.note_row(r, org_text, None, "不是单位，未读取")
            continue
        measure = SUBTOTAL if SUBTOTAL_ROW.match(key) else TOTAL if TOTAL_ROW.match(key) else MONTH
        org = None
        if measure == MONTH:
            if not org_text:
                reader.finding("ORG_MISSING", f"第{reader.row_number(r)}行有数值但没有填报单位名称",
                               r, lay.org_col if lay.org_col is not None else filled[0])
                continue
            org = reader.org_name(org_text, r, lay.org_col)
            if org is None:
                continue
        reader.note_row(r, org_text, None, {MONTH: "单位", TOTAL: "合计行，只用于核对", SUBTOTAL: "小计行，只用于核对"}[measure])
        period = None
        if lay.period_col is not None and lay.period_col < len(row) and row[lay.period_col] not in ("", None):
            found = period_of_cell(row[lay.period_col])
            month = month_alone(cell_text(row[lay.period_col])) if found is None and reader.period else None
            if month is not None:  # `3月` in a sheet whose title or file name gives the year
                found = Period.month(int(reader.period[:4]), month)
            if found is None:
                reader.finding("PERIOD_MISSING", f"报告期“{cell_text(row[lay.period_col])}”无法识别；"
                               "请写作 2016年3月 或 2016-03", r, lay.period_col)
                continue
            period = found.code
        for c in filled:
            if c not in lay.ytd_cols:
                reader.emit(org, period, indicators[c], row[c], factors[c], r, c, measure, r)
            elif measure == MONTH:
                ytd_totals.add(c, reader.emit(org, period, indicators[c], row[c], factors[c], r, c, YTD, r))
            else:
                ytd_totals.total(c, reader.value(indicators[c], row[c], factors[c], r, c), r, measure)
    if ytd_totals is not None:
        ytd_totals.check_totals()


def _repeated_measures(reader, row: list, r: int, filled: list[int]) -> bool:
    """The second row of a header written again (本月 | 本年累计 under the indicators):
    a header row when its words are the columns' measures; COLUMN_AMBIGUOUS when they are
    in other columns; False for a row that is none (its words are read as values)."""
    lay = reader.layout
    roles = {c: heading_role(header_key(row[c]))[0] for c in filled}
    if not all(role in (MONTH, YTD, IGNORED) for role in roles.values()):
        return False
    wrong = next((c for c, role in roles.items() if role != IGNORED and role != (YTD if c in lay.ytd_cols else MONTH)),
                 None)
    if wrong is not None:
        header_again_differs(reader, r, wrong, cell_text(row[wrong]), None)
    else:
        reader.note_row(r, "", None, "表头（又写了一次）")
    return True


def _refuse_lists_side_by_side(reader, second: int) -> None:
    """A second 单位名称 column (`second`) between indicator columns: two lists side by
    side, whose right-hand figures would be booked to the left-hand orgs. Nothing is read."""
    lay = reader.layout
    cells = [reader.cell(r, c) for r in range(lay.data_start, len(reader.sheet.rows))
             for c in range(len(reader.sheet.rows[r])) if holds_number(reader.sheet.rows[r][c])]
    reader.finding("COLUMN_AMBIGUOUS", f"{reader.cell(lay.header_row, second)}也是“单位名称”：一张工作表上左右并排了两份清单，"
                   f"右边各列的数不知属于哪个单位，整张表的{len(cells)}个数值（{join_cells(cells)}）都未读取；"
                   "请把右边的清单移到单独的工作表", lay.header_row, second,
                   values={"cells": cells[:100], "count": len(cells)})


def _repeated_header(reader, row: list, r: int, indicators: dict) -> None:
    """The header written again: its rows are read by the first header's columns, which
    it must not name otherwise (接待信访案件 over 参训妇女; a sub-heading such as 金额 or
    本月 names nothing of its own)."""
    for c, ind in indicators.items():
        text = cell_text(row[c]).strip() if c < len(row) else ""
        found = reader.catalog.lookup(text)[0] if text else None
        if found is not None and found != ind.id:
            header_again_differs(reader, r, c, text, ind.label)
            return
    reader.note_row(r, cell_text(row[reader.layout.org_col]), None, "表头（又写了一次）")


class _YtdTotals:
    """The 本年累计 columns of a table's 合计 and 小计 rows, checked here against the org
    rows' (the checks' totals are of month values): a 合计 against every row, above it or
    below (at the top, as often), a 小计 against the rows since the last 小计."""

    def __init__(self, reader):
        self.reader = reader
        self.sums: dict[int, float] = {}
        self.since: dict[int, float] = {}
        self.totals: list[tuple[int, float | None, int]] = []  # 合计 cells, checked when every row is read

    def add(self, c: int, value: float | None) -> None:
        if value is not None:
            self.sums[c] = self.sums.get(c, 0.0) + value
            self.since[c] = self.since.get(c, 0.0) + value

    def total(self, c: int, value: float | None, r: int, measure: str) -> None:
        if measure == SUBTOTAL:
            self._check(c, value, r, SUBTOTAL, self.since.get(c, 0.0))
            self.since[c] = 0.0
        else:
            self.totals.append((c, value, r))

    def check_totals(self) -> None:
        for c, value, r in self.totals:
            self._check(c, value, r, TOTAL, self.sums.get(c, 0.0))

    def _check(self, c: int, value: float | None, r: int, measure: str, expected: float) -> None:
        ind = self.reader.catalog[self.reader.layout.ytd_cols[c]]
        if value is None or ind.kind == "rate" or not sums_differ(value, expected):
            return
        word, rows = ("小计", "小计以上各行（至上一个小计）") if measure == SUBTOTAL else ("合计", "各单位")
        self.reader.finding("TOTAL_MISMATCH", f"“{ind.label}”本年累计的{word}为{show_number(value)}，但{rows}之和为"
                            f"{show_number(round(expected, 6))}；请核对{word}或各行数据", r, c, indicator=ind.id,
                            values={"total": value, "sum": round(expected, 6)})


def _rows_below_footer(reader, end: int, indicators: dict) -> None:
    """Numbers in a table's indicator columns below its footer (rows added after 填表人):
    the table ended at the footer, so they are named, not read."""
    rows, org_col = reader.sheet.rows, reader.layout.org_col
    below = [r for r in range(end + 1, len(rows))  # a footer's own rows (联系电话：…) are not data
             if not FOOTER.match(normalize_text(cell_text(rows[r][org_col]) if org_col < len(rows[r]) else ""))]
    cells = [reader.cell(r, c) for r in below for c in indicators if c < len(rows[r]) and holds_number(rows[r][c])]
    if cells:
        footer = cell_text(rows[end][reader.layout.org_col]).strip()
        reader.finding("DATA_AFTER_FOOTER", f"第{reader.row_number(end)}行是表尾（“{footer[:20]}”），其下还有{len(cells)}个"
                       f"数值（{join_cells(cells)}），未读取；请把这些行移到表尾之上", cell=cells[0],
                       values={"cells": cells[:100], "count": len(cells), "footer_row": reader.row_number(end)})


def _table_end(reader) -> int:
    """The first row of the footer (an org cell that reads 填表人：…), or the sheet's end."""
    lay, rows = reader.layout, reader.sheet.rows
    if lay.org_col is None:
        return len(rows)
    for r in range(lay.data_start, len(rows)):
        row = rows[r]
        text = cell_text(row[lay.org_col]).strip() if lay.org_col < len(row) else ""
        if text and FOOTER.match(normalize_text(text)) and not _note_between_orgs(reader, r):
            return r
    return len(rows)


def _note_between_orgs(reader, r: int) -> bool:
    """A 注：/说明： row between a table's org rows (注：以下为街道) is the table's own
    note when the rows below it, up to the next footer, are other orgs' with figures;
    rows repeating an org above are another table's, and the note ends this one."""
    lay, rows = reader.layout, reader.sheet.rows
    if not NOTE_ROW.match(cell_text(rows[r][lay.org_col])):
        return False

    def name(n: int) -> str:
        return normalize_text(cell_text(rows[n][lay.org_col]).strip()) if lay.org_col < len(rows[n]) else ""

    end = next((n for n in range(r + 1, len(rows)) if FOOTER.match(name(n))), len(rows))
    above = {name(n) for n in range(lay.data_start, r)} - {""}
    below = [name(n) for n in range(r + 1, end) if name(n) and not TOTAL_ROW.match(name(n))
             and any(holds_number(v) for c, v in enumerate(rows[n]) if c in lay.value_cols)]
    return bool(below) and above.isdisjoint(below)
