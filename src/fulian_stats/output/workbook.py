"""The summary workbook: 汇总表 in form layout (indicator rows, 合计, one column per
org), 报送情况 (each org's months: 已报, 有误 or 未报), 分月 (the region per month),
明细 (every observation and its source) and 图表 (native Excel charts). It is itself a
valid input for the level above: the reader takes 汇总表 as a matrix and never reads
报送情况, 明细, 分月 or 图表."""

from __future__ import annotations

from pathlib import Path

from fulian_stats.aggregate import Totals
from fulian_stats.aggregate.coverage import (
    INVALID,
    MISSING,
    REPORTED,
    STATUS_LABELS,
    Coverage,
)
from fulian_stats.catalog import Catalog
from fulian_stats.config import DEFAULT_REGION
from fulian_stats.output.files import atomic_path
from fulian_stats.periods import Period, find_period

_ORDINALS = "一二三四五六七八九十"
_MEASURES = {"month": "本期", "ytd": "本年累计", "total": "合计"}
MAX_CHART_SERIES = 5
MAX_DETAIL_ROWS = 1_048_576 - 1  # Excel's rows, less the header


def _section_label(i: int, section: str) -> str:
    ordinal = _ORDINALS[i] if i < len(_ORDINALS) else str(i + 1)
    return f"{ordinal}、{section}"


def period_text(period: Period) -> str:
    """The 报告期 as the level above reads it back: the Chinese label, or the code where
    the label would read back as another period (`2016年11月至2017年2月` reads as a month)."""
    return period.label if find_period(period.label) == period else period.code


def main_indicators(result: Totals, catalog: Catalog) -> list[str]:
    """The flows counted in people with the largest totals: comparable on one axis."""
    totals = {r["indicator"]: r["value"] for r in result.rows if r["org"] == result.region
              and r["period"] == result.period.code}
    people = [ind.id for ind in catalog if ind.kind == "flow" and ind.unit in ("人", "人次") and totals.get(ind.id)]
    return sorted(people, key=lambda i: -totals[i])[:MAX_CHART_SERIES]


class _Formats:
    def __init__(self, book):
        base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter"}
        self.title = book.add_format({"font_name": "黑体", "font_size": 16, "align": "center", "valign": "vcenter"})
        self.meta = book.add_format({"font_name": "宋体", "font_size": 10})
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
_STATUS_COLORS = {REPORTED: "#E2EFDA", INVALID: "#FFF2CC", MISSING: "#F8CBAD"}


def _number_kind(unit: str, kind: str) -> str:
    if kind == "rate":
        return "rate"
    return "money" if "元" in unit else "count"


def write_workbook(path: Path, result: Totals, catalog: Catalog) -> None:
    import tempfile

    import xlsxwriter

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
            _write_coverage(book, fmt, result.coverage)
            months = _write_months(book, fmt, result, catalog)
            _write_details(book, fmt, result, catalog)
            _write_charts(book, result, catalog, layout, months)
            book.close()
        finally:
            book.fileclosed = True  # failed or stopped: its destructor must not try again and print a traceback


def _write_summary(book, fmt: _Formats, result: Totals, catalog: Catalog) -> dict[str, int]:
    sheet = book.add_worksheet("汇总表")
    orgs = result.orgs
    last_col = 3 + len(orgs)
    # Without --region the total is only called 合计: no 填报单位 then, rather than “合计”.
    named = result.region != DEFAULT_REGION
    sheet.merge_range(0, 0, 0, last_col, f"{result.region if named else ''}妇联工作统计汇总表", fmt.title)
    sheet.set_row(0, 30)
    if named:
        sheet.write_string(1, 0, f"填报单位：{result.region}", fmt.meta)
    sheet.write_string(1, 3, f"报告期：{period_text(result.period)}", fmt.meta)
    for col, header in enumerate(["序号", "指标名称", "计量单位", "合计", *orgs]):
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
    sheet.write_string(row + 1, 0, f"注：存量指标取报告期内最后一个月的数，比率由汇总后的分子、分母计算。"
                                   f"共汇总{result.observations['file'].nunique()}个文件，"
                                   f"{coverage_note(result.coverage)}{listed}", fmt.meta)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 2, 9)
    sheet.set_column(3, last_col, 12)
    sheet.freeze_panes(3, 3)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.repeat_rows(2)
    sheet.fit_to_pages(1, 0)
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


def _write_coverage(book, fmt: _Formats, coverage: Coverage) -> None:
    """Orgs × months, each cell 已报, 有误 (the files in a comment) or 未报; then the
    files left out."""
    sheet = book.add_worksheet("报送情况")
    months = coverage.months
    with_year = coverage.period.first // 12 != coverage.period.last // 12
    sheet.merge_range(0, 0, 0, max(1, len(months)), f"报送情况（{coverage.period.label}）", fmt.title)
    sheet.set_row(0, 26)
    legend = ("已报：数据已计入汇总；有误：报送了但有错误，未计入汇总（批注中是文件名）；未报：没有报送。"
              if coverage.expected else "未同时给出单位名册和报告期，不知哪些单位应报送：空白处没有数据，不一定是未报。")
    sheet.write_string(1, 0, legend, fmt.meta)
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
            if status == INVALID:
                sheet.write_comment(r, col, "有错误，未计入汇总：" + "、".join(coverage.files(org, month)))
    row = 3 + len(coverage.orgs) + 1
    if coverage.skipped_files:
        sheet.write_string(row, 0, f"以下{len(coverage.skipped_files)}个文件有错误，未计入汇总：", fmt.meta)
        for n, file in enumerate(coverage.skipped_files, start=row + 1):
            sheet.write_string(n, 0, file, fmt.meta)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, max(1, len(months)), 12 if with_year else 6)
    sheet.freeze_panes(3, 1)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.repeat_rows(2)
    sheet.fit_to_pages(1, 0)


def _write_months(book, fmt: _Formats, result: Totals, catalog: Catalog) -> dict:
    sheet = book.add_worksheet("分月")
    months = sorted({r["period"] for r in result.month_rows})
    values = {(r["period"], r["indicator"]): r["value"] for r in result.month_rows}
    indicators = [ind for ind in catalog if any((m, ind.id) in values for m in months)]
    sheet.write_string(0, 0, "报告期", fmt.header)
    for col, ind in enumerate(indicators, start=1):
        sheet.write_string(0, col, f"{ind.label}（{ind.unit}）", fmt.header)
    for r, month in enumerate(months, start=1):
        sheet.write_string(r, 0, month, fmt.center)
        for col, ind in enumerate(indicators, start=1):
            value = values.get((month, ind.id))
            if value is not None:
                sheet.write_number(r, col, value, fmt.for_unit(ind.unit, ind.kind))
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, max(1, len(indicators)), 14)
    sheet.freeze_panes(1, 1)
    return {"count": len(months), "columns": {ind.id: col for col, ind in enumerate(indicators, start=1)}}


def _write_details(book, fmt: _Formats, result: Totals, catalog: Catalog) -> None:
    sheet = book.add_worksheet("明细")
    headers = ["单位", "报告期", "指标编号", "指标名称", "计量单位", "数值", "类别", "来源文件", "工作表", "单元格"]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, fmt.header)
    data = result.observations.iloc[:MAX_DETAIL_ROWS]
    for r, rec in enumerate(data.itertuples(index=False), start=1):
        ind = catalog[rec.indicator]
        texts = [rec.org, rec.period, rec.indicator, ind.label, ind.unit]
        for col, text in enumerate(texts):
            sheet.write_string(r, col, str(text))
        sheet.write_number(r, 5, float(rec.value), fmt.plain[_number_kind(ind.unit, ind.kind)])
        sheet.write_string(r, 6, _MEASURES.get(rec.measure, rec.measure))
        sheet.write_string(r, 7, str(rec.file))
        sheet.write_string(r, 8, rec.sheet if isinstance(rec.sheet, str) else "")
        sheet.write_string(r, 9, str(rec.cell))
    sheet.set_column(0, 1, 10)
    sheet.set_column(2, 3, 24)
    sheet.set_column(7, 7, 40)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(1, len(data)), len(headers) - 1)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.repeat_rows(0)
    sheet.fit_to_pages(1, 0)


def _write_charts(book, result: Totals, catalog: Catalog, row_of: dict[str, int], months: dict) -> None:
    main = main_indicators(result, catalog)
    if not main:
        return
    sheet = book.add_worksheet("图表")
    sheet.write_string(0, 0, f"{result.region}{result.period.label}主要指标（人数最多的{len(main)}项）")
    # The two charts (960 × 420 pixels each, one above the other) print on one A4 page.
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 1)
    n_orgs = len(result.orgs)
    if n_orgs:
        by_org = book.add_chart({"type": "column"})
        for ind_id in main:
            row = row_of[ind_id]
            by_org.add_series({
                "name": ["汇总表", row, 1],
                "categories": ["汇总表", 2, 4, 2, 3 + n_orgs],
                "values": ["汇总表", row, 4, row, 3 + n_orgs],
            })
        by_org.set_title({"name": "主要指标分单位情况"})
        by_org.set_y_axis({"name": "人（人次）"})
        by_org.set_size({"width": 960, "height": 420})
        sheet.insert_chart(2, 0, by_org)
    if months["count"] > 1:
        trend = book.add_chart({"type": "line"})
        for ind_id in main:
            col = months["columns"].get(ind_id)
            if col is None:
                continue
            trend.add_series({
                "name": ["分月", 0, col],
                "categories": ["分月", 1, 0, months["count"], 0],
                "values": ["分月", 1, col, months["count"], col],
                "marker": {"type": "circle"},
            })
        trend.set_title({"name": "主要指标月度走势"})
        trend.set_y_axis({"name": "人（人次）"})
        trend.set_size({"width": 960, "height": 420})
        sheet.insert_chart(25, 0, trend)
