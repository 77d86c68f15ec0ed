"""The months a summary workbook's numbers lack, from its 报送情况 sheet.

A county's summary is an input for the level above, but its 汇总表 gives each org one
number for the whole period: read alone, 乙镇's 2017 looks complete when its March was
never sent. The 报送情况 sheet the summary was written with says which org-months are
未报, 有误 or 部分有误; read back, they are the file's gaps (the coverage above counts them as
such) and a warning names each org's.
"""

from __future__ import annotations

from fulian_stats.findings import WARNING, Finding, a1
from fulian_stats.normalize import normalize_text
from fulian_stats.orgs import OrgRegistry
from fulian_stats.periods import Period, find_period, months_text
from fulian_stats.read.grid import Sheet

COVERAGE_SHEET = "报送情况"
SUMMARY_SHEET = "汇总表"  # the sheet whose numbers the gaps are of: without it, a 报送情况 is someone else's
MISSING_LABEL, INVALID_LABEL = "未报", "有误"  # as output.workbook writes them; 已报 and a blank are no gap
PARTIAL_LABEL = "部分有误"  # counted, but another file of that org-month was left out with its errors
GAP_LABELS = (MISSING_LABEL, INVALID_LABEL, PARTIAL_LABEL)
# How the note under a summary's 汇总表 begins: its figures (共汇总12个文件) say how the
# totals were made, none is a number of the form's.
SUMMARY_NOTE = "注：存量指标取报告期内最后一个月的数"


def summary_gaps(sheet: Sheet, file: str, registry: OrgRegistry | None = None, summed: set[str] = frozenset()
                 ) -> tuple[list[tuple[str, int, str]], list[Finding]]:
    """(org, month, 未报, 有误 or 部分有误) of every gap the sheet lists (the org as the registry
    names it), and one warning per org with any; nothing when the sheet is not the
    报送情况 of a summary workbook. `summed`: the orgs with numbers in its 汇总表 (one
    that has them with every month a gap was added by hand since)."""
    rows = sheet.rows
    title = normalize_text(_text(rows[0][0])) if rows and rows[0] else ""
    period = _title_period(title[len(COVERAGE_SHEET):]) if title.startswith(COVERAGE_SHEET) else None
    header_at = next((i for i, row in enumerate(rows[:5]) if row and _text(row[0]) == "单位"), None)
    if period is None or header_at is None:
        return [], []
    months = [_month(_text(cell), period) for cell in rows[header_at][1:]]
    gaps: dict[str, list[tuple[int, str, str]]] = {}
    for r, row in enumerate(rows[header_at + 1:], start=header_at + 1):
        org = _text(row[0]) if row else ""
        if not org:
            break  # the orgs end at the first blank row; the files left out follow
        org = (registry.canonical(org) if registry is not None else None) or org
        for c, (month, cell) in enumerate(zip(months, row[1:]), start=1):
            label = _text(cell)
            if month is not None and label in GAP_LABELS:
                gaps.setdefault(org, []).append((month, label, a1(r + sheet.row_offset, c + sheet.col_offset)))
    listed = [(org, month, label) for org, found in gaps.items() for month, label, _cell in found]
    return listed, [_warning(org, found, period, sheet.name, file, org in summed) for org, found in gaps.items()]


def _warning(org: str, found: list[tuple[int, str, str]], period: Period, sheet: str, file: str,
             summed: bool) -> Finding:
    if summed and len({m for m, label, _c in found if label != PARTIAL_LABEL}) == period.last - period.first + 1:
        return Finding("SUMMARY_INCOMPLETE", f"汇总表中有{org}的数，但据“{COVERAGE_SHEET}”表，{org}{period.label}"
                       "各月都没有计入：汇总表可能在写出后被改过；汇总时这些月份不算已报，请核对", severity=WARNING,
                       file=file, sheet=sheet, cell=found[0][2], org=org, period=period.code)
    with_year = period.across_years
    parts = [f"{months_text([m for m, label, _c in found if label == gap], with_year)}（{gap}）"
             for gap in (MISSING_LABEL, INVALID_LABEL) if any(label == gap for _m, label, _c in found)]
    partial = [m for m, label, _c in found if label == PARTIAL_LABEL]
    said = [f"不含{'、'.join(parts)}；汇总时这些月份不算已报"] if parts else []
    if partial:
        said.append(f"{'' if parts else '中'}{months_text(partial, with_year)}只含部分报表（{PARTIAL_LABEL}），"
                    "汇总时仍算部分有误")
    return Finding("SUMMARY_INCOMPLETE", f"据“{COVERAGE_SHEET}”表，汇总表中{org}{period.label}的数{'；'.join(said)}",
                   severity=WARNING, file=file, sheet=sheet, cell=found[0][2], org=org, period=period.code)


def _title_period(text: str) -> Period | None:
    """The title's period: a label, or a range `2016年11月至2017年2月` (Period.label's
    spelling, which find_period alone reads as its first month)."""
    ends = [find_period(part) for part in text.split("至")] if text.count("至") == 1 else []
    if len(ends) == 2 and None not in ends and ends[0].first <= ends[1].last:
        return Period(ends[0].first, ends[1].last, as_range=True)
    return find_period(text)


def _month(heading: str, period: Period) -> int | None:
    """A column's month: `3月` in the title's year, or `2016年3月`."""
    found = find_period(heading) if "年" in heading else find_period(f"{period.first // 12}年{heading}")
    return found.first if found is not None and found.is_month and period.first <= found.first <= period.last else None


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""
