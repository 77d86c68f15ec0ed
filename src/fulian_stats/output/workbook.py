"""The summary workbook: 汇总表 in form layout (indicator rows, 合计, one column per
org), 报送情况 (each org's months: 已报, 有误 or 未报), 分月 (the region per month, a
column a month), 明细 (every observation and its source) and 图表 (native Excel charts,
charts.py). It is itself a valid input for the level above: the reader takes 汇总表 as
a matrix and never reads 报送情况, 明细, 分月 or 图表.

The region (--region, fulian.toml's, or the registry org all the orgs sit under)
titles the sheets and heads every printed page with the period; each sheet prints on
A4 one page wide (printing.py)."""

from __future__ import annotations

from pathlib import Path

from fulian_stats.aggregate import Totals
from fulian_stats.aggregate.coverage import (
    INVALID,
    MISSING,
    PARTIAL,
    REPORTED,
    STATUS_LABELS,
    Coverage,
)
from fulian_stats.catalog import Catalog
from fulian_stats.output.files import atomic_path
from fulian_stats.output.printing import PageSetup, fit_width, row_height
from fulian_stats.periods import Period, find_period
from fulian_stats.read.summary_gaps import COVERAGE_SHEET, SUMMARY_NOTE, SUMMARY_SHEET

_ORDINALS = "一二三四五六七八九十"
OWN_SHEETS = (SUMMARY_SHEET, COVERAGE_SHEET, "分月", "明细")  # how a later run knows its own workbook, to replace it
CHART_SHEET = "图表"  # after them, when there is something to chart
DETAIL_HEADER = ["单位", "报告期", "指标名称", "计量单位", "数值", "文件", "工作表", "单元格", "指标编号"]
MAX_DETAIL_ROWS = 1_048_576 - 1  # Excel's rows, less the header


def _section_label(i: int, section: str) -> str:
    ordinal = _ORDINALS[i] if i < len(_ORDINALS) else str(i + 1)
    return f"{ordinal}、{section}"


def period_text(period: Period) -> str:
    """The 报告期 as the level above reads it back: the Chinese label, or the code where
    the label would read back as another period (`2016年11月至2017年2月` reads as a month)."""
    return period.label if find_period(period.label) == period else period.code


class _Formats:
    def __init__(self, book):
        base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter"}
        self.title = book.add_format({"font_name": "黑体", "font_size": 16, "align": "center", "valign": "vcenter"})
        self.meta = book.add_format({"font_name": "宋体", "font_size": 10})
        self.note = book.add_format({"font_name": "宋体", "font_size": 10, "text_wrap": True, "valign": "top"})
        self.header = book.add_format({**base, "bold": True, "align": "center", "bg_color": "#D9E1F2", "text_wrap": True})
        self.section = book.add_format({**base, "bold": True, "bg_color": "#F2F2F2"})
        self.text = book.add_format(base)
        self.center = book.add_format({**base, "align": "center"})
        self.status = {status: book.add_format({**base, "align": "center", "bg_color": color})
                       for status, color in _STATUS_COLORS.items()}
        self.number = {kind: book.add_format({**base, "num_format": code}) for kind, code in _NUMBER_FORMATS.items()}
        # 明细: the same number formats without borders
        self.plain = {kind: book.add_format({"num_format": code}) for kind, code in _NUMBER_FORMATS.items()}

    def for_unit(self, unit: str, kind: str):
        return self.number[_number_kind(unit, kind)]


_NUMBER_FORMATS = {"count": "#,##0", "money": "#,##0.00", "rate": "0.0"}
_STATUS_COLORS = {REPORTED: "#E2EFDA", PARTIAL: "#FFF2CC", INVALID: "#FFF2CC", MISSING: "#F8CBAD"}


def _number_kind(unit: str, kind: str) -> str:
    if kind == "rate":
        return "rate"
    return "money" if "元" in unit else "count"


def write_workbook(path: Path, result: Totals, catalog: Catalog) -> None:
    import tempfile

    import xlsxwriter

    from fulian_stats.output.charts import write_charts

    # constant_memory: every sheet is written row by row and streamed to disk, so the 明细
    # of a province-year (800,000 observations) does not hold a million cell objects in
    # memory. Charts then carry no cached values; Excel, WPS and LibreOffice draw them from
    # the cells they point at. The scratch folder takes xlsxwriter's row files, whatever
    # happens.
    with atomic_path(path) as temp, tempfile.TemporaryDirectory(prefix="fulian-", ignore_cleanup_errors=True) as scratch:
        # strings_to_formulas off: a name such as "=1+1" in a submission stays text.
        book = xlsxwriter.Workbook(str(temp), {"strings_to_formulas": False, "strings_to_urls": False,
                                               "strings_to_numbers": False, "nan_inf_to_errors": True,
                                               "constant_memory": True, "tmpdir": scratch})
        try:
            fmt = _Formats(book)
            layout = _write_summary(book, fmt, result, catalog)
            _write_coverage(book, fmt, result)
            months = _write_months(book, fmt, result, catalog)
            _write_details(book, fmt, result, catalog)
            write_charts(book, result, catalog, layout, months)
            book.close()
        finally:
            book.fileclosed = True  # failed or stopped: its destructor must not try again and print a traceback


def page_setup(result: Totals, widths: list[float], rows: int | float, title_rows=None) -> PageSetup:
    """A sheet's print setup: landscape when it is wider than tall, the region and the
    period in its page header."""
    return PageSetup.fitting(widths, rows, title_rows, result.place, result.period.label)


def _write_note(sheet, fmt: _Formats, row: int, last_col: int, text: str, widths: list[float]) -> None:
    """A note across the sheet's columns, its row as tall as its wrapped lines."""
    sheet.set_row(row, row_height((text, sum(widths))))
    if last_col > 0:
        sheet.merge_range(row, 0, row, last_col, text, fmt.note)
    else:
        sheet.write_string(row, 0, text, fmt.note)


def _write_summary(book, fmt: _Formats, result: Totals, catalog: Catalog) -> dict[str, int]:
    sheet = book.add_worksheet(SUMMARY_SHEET)
    orgs = result.orgs
    last_col = 3 + len(orgs)
    place = result.place  # without a region known the total is only 合计: no 填报单位 then
    sheet.merge_range(0, 0, 0, last_col, f"{place or ''}妇联工作统计汇总表", fmt.title)
    sheet.set_row(0, 30)
    if place:
        sheet.write_string(1, 0, f"填报单位：{place}", fmt.meta)
    sheet.write_string(1, 3, f"报告期：{period_text(result.period)}", fmt.meta)
    headers = ["序号", "指标名称", "计量单位", "合计", *orgs]
    names = [name for section in catalog.sections for name in catalog.row_names(catalog.in_section(section))]
    widths = [6, fit_width([headers[1], *names], 24, 40), 9, *[fit_width([o], 12, 20) for o in headers[3:]]]
    sheet.set_row(2, row_height(*zip(headers, widths)))  # a long org name wraps
    for col, header in enumerate(headers):
        sheet.write_string(2, col, header, fmt.header)
    totals = {r["indicator"]: r["value"] for r in result.rows
              if r["org"] == result.region and r["period"] == result.period.code}
    by_org = {(r["org"], r["indicator"]): r["value"] for r in result.org_rows}
    row_of: dict[str, int] = {}
    row = 3
    for s, section in enumerate(catalog.sections):
        sheet.merge_range(row, 0, row, last_col, _section_label(s, section), fmt.section)
        row += 1
        members = catalog.in_section(section)
        for n, (ind, name) in enumerate(zip(members, catalog.row_names(members)), start=1):
            number = fmt.for_unit(ind.unit, ind.kind)
            sheet.write_number(row, 0, n, fmt.center)
            sheet.write_string(row, 1, name, fmt.text)
            sheet.write_string(row, 2, ind.unit, fmt.center)
            for col, value in enumerate([totals.get(ind.id)] + [by_org.get((o, ind.id)) for o in orgs], start=3):
                if value is None:
                    sheet.write_blank(row, col, None, number)  # blank: nothing reported
                else:
                    sheet.write_number(row, col, value, number)
            row_of[ind.id] = row
            row += 1
    listed = ""
    if len(result.observations) > MAX_DETAIL_ROWS:
        listed = f"明细超过Excel的行数上限，只列出前{MAX_DETAIL_ROWS}个数值（合计不受影响）。"
    _write_note(sheet, fmt, row + 1, last_col, f"{SUMMARY_NOTE}，比率由汇总后的分子、分母计算。"
                                                f"共汇总{result.observations['file'].nunique()}个文件，"
                                                f"{coverage_note(result.coverage)}{listed}"
                                                + "".join(f"{note}。" for note in result.notes), widths)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(3, 3)
    page_setup(result, widths, row + 3, (2, 2)).to_xlsxwriter(sheet)
    return row_of


def coverage_note(coverage: Coverage) -> str:
    """What the totals cover, for the 汇总表's note: never `12个单位` when one is missing."""
    if not coverage.expected:
        text = f"{coverage.summary()}（未同时给出单位名册和报告期，不知哪些单位应报送）。"
    elif coverage.complete:
        text = f"应报送的{coverage.summary()}。"
    else:
        text = f"{coverage.summary()}；{'；'.join(coverage.gaps())}（详见“报送情况”表）。"
    if coverage.skipped_files:
        text += f"有错误、未计入汇总的文件：{'、'.join(coverage.skipped_files)}。"
    return text


def period_heading(code: str, with_year: bool) -> str:
    """A column of months: `3月` within one year, `2016年3月` across years, a longer
    period by its label."""
    span = find_period(code)
    if span is None:
        return code
    return f"{span.first % 12 + 1}月" if span.is_month and not with_year else span.label


def _write_coverage(book, fmt: _Formats, result: Totals) -> None:
    """Orgs × months, each cell 已报, 有误 or 部分有误 (the files in a comment) or 未报; then the
    files left out."""
    coverage = result.coverage
    sheet = book.add_worksheet(OWN_SHEETS[1])
    months = coverage.months
    with_year = coverage.period.across_years
    last_col = max(1, len(months))
    widths = [fit_width(["单位", *coverage.orgs], 14, 30)] + [12 if with_year else 6] * last_col
    sheet.merge_range(0, 0, 0, last_col, f"报送情况（{coverage.period.label}）", fmt.title)
    sheet.set_row(0, 26)
    legend = ("已报：数据已计入汇总；有误：报送了但有错误，未计入汇总（批注中是文件名）；部分有误：已计入汇总，"
              "但另有报表有错误、未计入（批注中是文件名）；未报：没有报送。"
              if coverage.expected else "未同时给出单位名册和报告期，不知哪些单位应报送：空白处没有数据，不一定是未报。")
    _write_note(sheet, fmt, 1, last_col, legend, widths)
    sheet.write_string(2, 0, "单位", fmt.header)
    for col, month in enumerate(months, start=1):
        sheet.write_string(2, col, Period(month, month).label if with_year else f"{month % 12 + 1}月", fmt.header)
    for r, org in enumerate(coverage.orgs, start=3):
        sheet.write_string(r, 0, org, fmt.text)
        for col, month in enumerate(months, start=1):
            status = coverage.status(org, month)
            if status is None:
                sheet.write_blank(r, col, None, fmt.center)
                continue
            sheet.write_string(r, col, STATUS_LABELS[status], fmt.status[status])
            if status in (INVALID, PARTIAL):
                sheet.write_comment(r, col, "有错误，未计入汇总：" + "、".join(coverage.files(org, month)))
    row = 3 + len(coverage.orgs) + 1
    if coverage.skipped_files:
        sheet.write_string(row, 0, f"以下{len(coverage.skipped_files)}个文件有错误，未计入汇总：", fmt.meta)
        for n, file in enumerate(coverage.skipped_files, start=row + 1):
            sheet.write_string(n, 0, file, fmt.meta)
        row += 1 + len(coverage.skipped_files)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(3, 1)
    page_setup(result, widths, row, (2, 2)).to_xlsxwriter(sheet)


def _write_months(book, fmt: _Formats, result: Totals, catalog: Catalog) -> dict:
    """The region's indicators (rows) by month (columns), as 汇总表 by org: one page wide."""
    sheet = book.add_worksheet(OWN_SHEETS[2])
    months = sorted({r["period"] for r in result.month_rows})
    values = {(r["period"], r["indicator"]): r["value"] for r in result.month_rows}
    indicators = [ind for ind in catalog if any((m, ind.id) in values for m in months)]
    with_year = result.period.across_years
    headers = ["指标名称", "计量单位", *[period_heading(m, with_year) for m in months]]
    last_col = len(headers) - 1
    sheet.merge_range(0, 0, 0, last_col, f"分月情况（{result.period.label}）", fmt.title)
    sheet.set_row(0, 26)
    for col, header in enumerate(headers):
        sheet.write_string(1, col, header, fmt.header)
    rows = {}
    for r, ind in enumerate(indicators, start=2):
        sheet.write_string(r, 0, ind.label, fmt.text)
        sheet.write_string(r, 1, ind.unit, fmt.center)
        number = fmt.for_unit(ind.unit, ind.kind)
        for col, month in enumerate(months, start=2):
            value = values.get((month, ind.id))
            if value is None:
                sheet.write_blank(r, col, None, number)
            else:
                sheet.write_number(r, col, value, number)
        rows[ind.id] = r
    widths = [fit_width(["指标名称", *(ind.label for ind in indicators)], 20, 40), 9,
              *[fit_width([h], 10, 20) for h in headers[2:]]]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(2, 2)
    page_setup(result, widths, 2 + len(indicators), (1, 1)).to_xlsxwriter(sheet)
    return {"count": len(months), "rows": rows}


def _write_details(book, fmt: _Formats, result: Totals, catalog: Catalog) -> None:
    """Every observation: where it came from in Chinese, the indicator's id last for
    programs that join on it."""
    sheet = book.add_worksheet(OWN_SHEETS[3])
    for col, header in enumerate(DETAIL_HEADER):
        sheet.write_string(0, col, header, fmt.header)
    data = result.observations.iloc[:MAX_DETAIL_ROWS]
    for r, rec in enumerate(data.itertuples(index=False), start=1):
        ind = catalog[rec.indicator]
        for col, text in enumerate((rec.org, rec.period, ind.label, ind.unit)):
            sheet.write_string(r, col, str(text))
        sheet.write_number(r, 4, float(rec.value), fmt.plain[_number_kind(ind.unit, ind.kind)])
        sheet.write_string(r, 5, str(rec.file))
        sheet.write_string(r, 6, rec.sheet if isinstance(rec.sheet, str) else "")
        sheet.write_string(r, 7, str(rec.cell))
        sheet.write_string(r, 8, str(rec.indicator))
    widths = _detail_widths(data, catalog)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(1, len(data)), len(DETAIL_HEADER) - 1)
    page_setup(result, widths, 1 + len(data), (0, 0)).to_xlsxwriter(sheet)


def _detail_widths(data, catalog: Catalog) -> list[float]:
    """Each column of 明细 as wide as its longest value (of the distinct ones)."""
    indicators = [catalog[i] for i in data["indicator"].unique()] if len(data) else []
    columns = [data["org"].unique(), data["period"].unique(), [i.label for i in indicators],
               [i.unit for i in indicators], [f"{v:,.2f}" for v in (data["value"].max(), data["value"].min())]
               if len(data) else [], data["file"].unique(), data["sheet"].dropna().unique(), data["cell"].unique(),
               [i.id for i in indicators]]
    return [fit_width([header, *values]) for header, values in zip(DETAIL_HEADER, columns)]
