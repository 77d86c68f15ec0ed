"""One sheet's observations, once its layout is known.

Emits blocks (see observations.py): the values of one column of a form, or of one row
of a table, with their indicators and cells. measure is `month` (the period's own
value), `ytd` (本年累计) or `total` (a 合计 row or column, kept out of the data and only
cross-checked). org and period are None when they are the sheet's own, settled
afterwards from contents and file name.

Form sheets made from one template go through a fast path (formplan.py) that reads a
whole column at once; anything it is not sure of goes through the row-by-row reading
here, which is the reference.
"""

from __future__ import annotations

from array import array

from fulian_stats.catalog import Catalog, Indicator
from fulian_stats.findings import Finding, column_letters
from fulian_stats.normalize import normalize_text
from fulian_stats.observations import MONTH, TOTAL, YTD, Block
from fulian_stats.orgs import OrgRegistry, clean_org_name
from fulian_stats.periods import period_of_cell
from fulian_stats.read.formplan import read_form_columns
from fulian_stats.read.grid import Sheet
from fulian_stats.read.layout import FOOTER, TOTAL_ROW, Layout, cell_text, header_key, opens_footer
from fulian_stats.read.numbers import BLANK, ESTIMATE, INVALID, OK, parse_number, without_noise
from fulian_stats.units import conversion_factor, factor_into


class SheetReader:
    def __init__(self, sheet: Sheet, layout: Layout, catalog: Catalog, orgs: OrgRegistry | None,
                 file: str):
        self.sheet, self.layout, self.catalog, self.orgs = sheet, layout, catalog, orgs
        self.file = file
        self.findings: list[Finding] = []
        # (org, period, measure, column of a form or row of a table) → ids, values, cells
        self._open: dict[tuple, tuple[list, list, list]] = {}
        self._blocks: list[Block] = []
        self._letters: dict[int, str] = {}

    @property
    def blocks(self) -> list[Block]:
        sheet = self.sheet.name
        return self._blocks + [Block(org, period, measure, sheet, tuple(ids), array("d", values), tuple(cells))
                               for (org, period, measure, _at), (ids, values, cells) in self._open.items()]

    def cell(self, r: int, c: int) -> str:
        letters = self._letters.get(c)
        if letters is None:
            letters = self._letters[c] = column_letters(self.sheet.col_offset + c)
        return f"{letters}{self.sheet.row_offset + r + 1}"

    def finding(self, code: str, message: str, r: int | None = None, c: int | None = None, **extra) -> None:
        cell = self.cell(r, c) if r is not None and c is not None else None
        self.findings.append(Finding(code, message, file=self.file, sheet=self.sheet.name, cell=cell, **extra))

    # -- units -------------------------------------------------------------------------

    def unit_factor(self, ind: Indicator, unit: str | None, r: int, c: int) -> float | None:
        """Multiplier into the catalog's unit, or None after a finding when there is none."""
        factor = factor_into(unit, ind.unit)
        if factor is None:
            self.finding("UNIT_UNKNOWN", f"“{ind.name}”的计量单位是“{unit}”，指标目录要求“{ind.unit}”，"
                         "两者无法换算；请改为目录中的单位", r, c, indicator=ind.id,
                         values={"unit": unit, "expected": ind.unit})
            return None
        if factor != 1:
            self.finding("UNIT_CONVERTED", f"“{ind.name}”按“{unit}”填报，已换算为“{ind.unit}”（×{factor:g}）",
                         r, c, indicator=ind.id, values={"unit": unit, "expected": ind.unit, "factor": factor})
        return factor

    # -- values ------------------------------------------------------------------------

    def value(self, ind: Indicator, raw: object, factor: float, r: int, c: int) -> float | None:
        parsed = parse_number(raw)
        if parsed.status is BLANK:
            return None
        if parsed.status is INVALID:
            self.finding("NUMBER_INVALID", f"“{ind.name}”的数值“{cell_text(raw)[:40]}”无法识别；请只填数字，"
                         "没有发生的填0，未统计的留空", r, c, indicator=ind.id, values={"raw": cell_text(raw)[:200]})
            return None
        value = parsed.value
        if parsed.unit and normalize_text(parsed.unit) != ind.unit:
            extra = conversion_factor(parsed.unit, ind.unit)
            if extra is None:
                self.finding("NUMBER_INVALID", f"“{ind.name}”的数值“{cell_text(raw)}”带有单位“{parsed.unit}”，"
                             f"与指标单位“{ind.unit}”不符；请只填数字", r, c, indicator=ind.id,
                             values={"raw": cell_text(raw)})
                return None
            value *= extra
        if parsed.status is ESTIMATE:
            self.finding("NUMBER_ESTIMATE", f"“{ind.name}”填的是估计数“{cell_text(raw)}”，已按{value:g}读取；"
                         "请填写准确数字", r, c, indicator=ind.id, values={"raw": cell_text(raw), "value": value})
        if factor != 1:
            value *= factor
        return without_noise(value)

    def emit(self, org, period, ind: Indicator, raw: object, factor: float, r: int, c: int, measure: str,
             at: int):
        """One value into the block of (org, period, measure) at `at`: the column of a
        form, the row of a table."""
        # Most cells are plain numbers in the catalog's unit: no parsing, no scaling.
        value = raw if type(raw) is float and factor == 1.0 else self.value(ind, raw, factor, r, c)
        if value is not None:
            ids, values, cells = self._open.setdefault((org, period, measure, at), ([], [], []))
            ids.append(ind.id)
            values.append(value)
            cells.append(self.cell(r, c))

    def org_name(self, text: str, r: int, c: int) -> str | None:
        if self.orgs is None:
            return clean_org_name(text)
        found = self.orgs.canonical(text)
        if found is None:
            self.finding("ORG_UNKNOWN", f"单位“{text}”不在单位名册（{self.orgs.source}）中；"
                         "请核对名称，或在名册中补充别名", r, c, values={"org": text})
        return found

    # -- layouts -----------------------------------------------------------------------

    def read(self) -> None:
        if self.layout.kind == "table":
            self._read_table()
        elif self.layout.kind != "form" or not self._read_form_fast():
            self._read_form()

    def _read_form_fast(self) -> bool:
        blocks = read_form_columns(self.sheet, self.layout, self.catalog)
        if blocks is None:
            return False
        self._blocks = blocks
        return True

    def _value_columns(self) -> list[tuple[int, str | None, str]]:
        """(column, org or None for the sheet's own, measure) of a form or matrix."""
        lay = self.layout
        if lay.kind == "form":
            cols = [(lay.month_col, None, MONTH)]
            if lay.ytd_col is not None:
                cols.append((lay.ytd_col, None, YTD))
            return cols
        cols = []
        header = self.sheet.rows[lay.header_row]
        for col in lay.value_cols:
            org = self.org_name(cell_text(header[col]), lay.header_row, col)
            if org is not None:
                cols.append((col, org, MONTH))
        if lay.total_col is not None:
            cols.append((lay.total_col, None, TOTAL))
        return cols

    def _read_form(self) -> None:
        lay, rows, catalog = self.layout, self.sheet.rows, self.catalog
        columns = self._value_columns()
        name_col, unit_col = lay.name_col, lay.unit_col
        seen: dict[str, int] = {}
        for r in range(lay.header_row + 1, len(rows)):
            row = rows[r]
            width = len(row)
            name = cell_text(row[name_col]) if name_col < width else ""
            ind_id, bracket_unit = catalog.lookup(name) if name else (None, None)
            if ind_id is None and self._not_an_indicator_row(row, name, columns, r):
                break
            filled = [(c, o, m) for c, o, m in columns if c < width and row[c] != "" and row[c] is not None
                      and (type(row[c]) is not str or row[c].strip())]
            if ind_id is None:
                continue
            ind = catalog[ind_id]
            if ind_id in seen:
                self.finding("INDICATOR_DUPLICATE", f"“{ind.name}”在第{seen[ind_id]}行和第"
                             f"{self.sheet.row_offset + r + 1}行各出现一次；请删去重复的一行", r, name_col,
                             indicator=ind_id)
                continue
            seen[ind_id] = self.sheet.row_offset + r + 1
            unit = header_key(row[unit_col]) if unit_col is not None and unit_col < width else ""
            factor = self.unit_factor(ind, unit or bracket_unit, r, unit_col if unit else name_col)
            if factor is None:
                continue
            for c, org, measure in filled:
                self.emit(org, None, ind, row[c], factor, r, c, measure, c)

    def _not_an_indicator_row(self, row: list, name: str, columns, r: int) -> bool:
        """For a row whose name is no indicator: True at the footer (stop reading);
        otherwise report numbers that have no indicator to belong to."""
        if opens_footer(row):
            return True
        filled = [c for c, _o, _m in columns if c < len(row) and parse_number(row[c]).status is not BLANK]
        if not filled or TOTAL_ROW.match(normalize_text(name)):
            return False
        if not name.strip():
            self.finding("INDICATOR_UNKNOWN", f"第{self.sheet.row_offset + r + 1}行有数值但没有指标名称；"
                         "请补上指标名称或删去数值", r, filled[0])
        else:
            self.finding("INDICATOR_UNKNOWN", f"指标“{name.strip()[:40]}”不在指标目录中，但填有数值；"
                         "请改用目录中的指标名称，或在指标目录中补充别名", r, self.layout.name_col,
                         values={"name": name.strip()[:200]})
        return False

    def _read_table(self) -> None:
        lay, rows = self.layout, self.sheet.rows
        indicators = {c: self.catalog[i] for c, i in lay.value_cols.items()}
        header = lay.header_row
        factors = {c: self.unit_factor(ind, lay.units.get(c), header, c) for c, ind in indicators.items()}
        seen = {}
        for col, ind in indicators.items():
            if ind.id in seen:
                self.finding("INDICATOR_DUPLICATE", f"“{ind.name}”有两列（{self.cell(header, seen[ind.id])}和"
                             f"{self.cell(header, col)}）；请删去重复的一列", header, col, indicator=ind.id)
                factors[col] = None
            else:
                seen[ind.id] = col
        start = (lay.unit_row if lay.unit_row is not None else header) + 1
        unknown = list(lay.unknown_cols)  # reported once, at the header, when a number is under it
        for r in range(start, len(rows)):
            row = rows[r]
            org_text = cell_text(row[lay.org_col]).strip() if lay.org_col is not None and lay.org_col < len(row) else ""
            if org_text and FOOTER.match(normalize_text(org_text)):
                break
            for c in [c for c in unknown if c < len(row) and parse_number(row[c]).status in (OK, ESTIMATE)]:
                unknown.remove(c)
                name = cell_text(rows[header][c]).strip()
                self.finding("INDICATOR_UNKNOWN", f"指标“{name}”不在指标目录中，但填有数值；"
                             "请改用目录中的指标名称，或在指标目录中补充别名", header, c, values={"name": name})
            filled = [c for c in indicators if c < len(row) and factors[c] is not None
                      and parse_number(row[c]).status is not BLANK]
            if not filled:
                continue
            measure = TOTAL if TOTAL_ROW.match(normalize_text(org_text)) else MONTH
            org = None
            if measure == MONTH:
                if not org_text:
                    self.finding("ORG_MISSING", f"第{self.sheet.row_offset + r + 1}行有数值但没有填报单位名称",
                                 r, lay.org_col if lay.org_col is not None else filled[0])
                    continue
                org = self.org_name(org_text, r, lay.org_col)
                if org is None:
                    continue
            period = None
            if lay.period_col is not None and lay.period_col < len(row) and row[lay.period_col] not in ("", None):
                found = period_of_cell(row[lay.period_col])
                if found is None:
                    self.finding("PERIOD_MISSING", f"报告期“{cell_text(row[lay.period_col])}”无法识别；"
                                 "请写作 2016年3月 或 2016-03", r, lay.period_col)
                    continue
                period = found.code
            for c in filled:
                self.emit(org, period, indicators[c], row[c], factors[c], r, c, measure, r)
