"""图表 of the summary workbook: native Excel charts of the main indicators, drawn
from the cells of 汇总表 (by org) and 分月 (by month). One unit per axis: the
indicators counted in 人 and those in 人次 get charts of their own, a page each."""

from __future__ import annotations

from fulian_stats.aggregate import Totals
from fulian_stats.catalog import Catalog
from fulian_stats.output.printing import PageSetup
from fulian_stats.output.workbook import CHART_SHEET

MAX_CHART_SERIES = 5
PEOPLE_UNITS = ("人", "人次")
CHART_SIZE = {"width": 720, "height": 440}
CHART_ROWS = 23  # the rows a chart covers (22 of 20 pixels) and one between
COLUMNS = 12  # the columns the charts cover: the printed width of the sheet


def main_indicators(result: Totals, catalog: Catalog) -> list[str]:
    """The flows counted in people with the largest totals."""
    totals = {r["indicator"]: r["value"] for r in result.rows if r["org"] == result.region
              and r["period"] == result.period.code}
    people = [ind.id for ind in catalog if ind.kind == "flow" and ind.unit in PEOPLE_UNITS and totals.get(ind.id)]
    return sorted(people, key=lambda i: -totals[i])[:MAX_CHART_SERIES]


def by_unit(indicators: list[str], catalog: Catalog) -> dict[str, list[str]]:
    """The indicators grouped by unit (人 before 人次), each group in the order given."""
    groups = {unit: [i for i in indicators if catalog[i].unit == unit] for unit in PEOPLE_UNITS}
    return {unit: ids for unit, ids in groups.items() if ids}


def write_charts(book, result: Totals, catalog: Catalog, row_of: dict[str, int], months: dict) -> None:
    """The sheet 图表 (none without people counted): for each unit a chart by org and,
    over more than one month, a chart by month. `row_of`: each indicator's row in 汇总表;
    `months`: the count of 分月's month columns and each indicator's row there."""
    main = main_indicators(result, catalog)
    if not main:
        return
    sheet = book.add_worksheet(CHART_SHEET)
    name = result.title
    sheet.write_string(0, 0, f"{name}主要指标（人数最多的{len(main)}项）")
    n_orgs, n_months = len(result.orgs), months["count"]
    row, breaks = 1, []
    for unit, ids in by_unit(main, catalog).items():
        if row > 1:
            breaks.append(row)
        charts = []
        if n_orgs:
            charts.append(_chart(book, "column", f"{name}主要指标分单位情况（{unit}）", unit, [
                {"name": ["汇总表", row_of[i], 1], "categories": ["汇总表", 2, 4, 2, 3 + n_orgs],
                 "values": ["汇总表", row_of[i], 4, row_of[i], 3 + n_orgs]} for i in ids]))
        if n_months > 1:
            charts.append(_chart(book, "line", f"{name}主要指标月度走势（{unit}）", unit, [
                {"name": ["分月", months["rows"][i], 0], "categories": ["分月", 1, 2, 1, 1 + n_months],
                 "values": ["分月", months["rows"][i], 2, months["rows"][i], 1 + n_months],
                 "marker": {"type": "circle"}} for i in ids if i in months["rows"]]))
        for chart in charts:
            sheet.insert_chart(row, 0, chart)
            row += CHART_ROWS
    sheet.set_h_pagebreaks(breaks)
    sheet.print_area(0, 0, row, COLUMNS - 1)
    PageSetup.fitting([8.43] * COLUMNS, row, None, result.place, result.period.label).to_xlsxwriter(sheet)


def _chart(book, kind: str, title: str, unit: str, series: list[dict]):
    chart = book.add_chart({"type": kind})
    for one in series:
        chart.add_series(one)
    chart.set_title({"name": title, "name_font": {"size": 12}})
    chart.set_y_axis({"name": unit})
    chart.set_legend({"position": "bottom"})
    chart.set_size(CHART_SIZE)
    return chart
