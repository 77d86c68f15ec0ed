"""A sheet's own org and period: from its contents, else the file name, else --period,
settled before its rows are read so that every value and finding is born with them.

A disagreement between places (the 报告期 cell and the file name, say) is a finding,
not a guess; the sheet's numbers then go nowhere until it is settled. The findings
are kept until the rows are read: a sheet without a value, or a table whose rows all
carry their own period, needs no period of its own and hears nothing about it.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field

from fulian_stats.findings import ERROR, WARNING, Finding, a1
from fulian_stats.normalize import normalize_text
from fulian_stats.orgs import clean_org_name, has_orgs_under, is_above
from fulian_stats.periods import MONTH_NUMERAL, Period, find_period, month_number, period_from_code
from fulian_stats.read.inspection import SheetInspection, Source
from fulian_stats.read.meta import (
    FILE,
    HEADER,
    LABEL,
    OPTION,
    ORIGIN_TEXT,
    TITLE,
    Found,
    PeriodSource,
    org_from_file_name,
    org_from_texts,
    period_from_texts,
    month_alone,
    same_org,
    scan_meta,
    settle_period,
    sheet_name_period,
)


@dataclass
class SheetMeta:
    kind: str  # the layout's: a form needs an org of its own, a table or summary not
    org: str | None = None
    period: str | None = None
    org_findings: list[Finding] = field(default_factory=list)
    period_findings: list[Finding] = field(default_factory=list)
    period_claimed: bool = False  # the sheet or its file name says its period (not only --period)

    @classmethod
    def settle(cls, stem: str, sheet, layout, ctx, file: str, declared, inspection: SheetInspection | None) -> "SheetMeta":
        meta = cls(layout.kind)

        def cell_name(r: int, c: int) -> str:
            return a1(sheet.row_offset + r, sheet.col_offset + c)

        def report(code: str, message: str, cell: str | None = None, **extra) -> None:
            found = meta.org_findings if code.startswith("ORG_") else meta.period_findings
            found.append(Finding(code, message, file=file, sheet=sheet.name, cell=cell, **extra))

        found_org, found_period, texts = scan_meta(sheet.rows, layout.header_row, cell_name, ctx.catalog.units)
        missing = set()  # what a declared layout's cells were found without
        if declared is not None:
            found_org, found_period, missing = declared.meta(sheet, found_org, found_period, report)
        if "period" not in missing:
            sources = _period_sources(found_period, texts, sheet, layout, stem, ctx)
            meta.period = _settle_period(sources, report, inspection)
            meta.period_claimed = any(source.origin != OPTION for source in sources)
        if layout.kind == "form" and "org" not in missing:
            meta.org = _settle_org(found_org, texts, stem, sheet.name, ctx, report, inspection)
        return meta

    def keep(self, reader, findings: list[Finding]) -> list:
        """The sheet's blocks once its rows are read, with the findings about its org and
        period that they make matter; none when either is missing or in conflict."""
        blocks = reader.blocks
        if not blocks:
            return blocks
        if self.period_claimed and self.period is not None:
            findings += self._rows_outside_period(reader, blocks)
        needs = []
        if reader.uses_sheet_period:
            needs.append((self.period, self.period_findings))
        if self.kind == "form":
            needs.append((self.org, self.org_findings))
        refused = False
        for value, said in needs:
            findings += said
            refused = refused or value is None or any(f.severity == ERROR and f.code.endswith("_CONFLICT") for f in said)
        return [] if refused else blocks


    def _rows_outside_period(self, reader, blocks) -> list[Finding]:
        """A table's rows whose own period (a 月份 column) the sheet's does not hold: the
        file named for March holding January and February. An error: one of them is wrong."""
        sheet_period = find_period(self.period)
        outside = [b for b in blocks if b.period and b.period != self.period
                   and not sheet_period.contains(find_period(b.period) or sheet_period)]
        if not outside:
            return []
        labels = "、".join(dict.fromkeys(find_period(b.period).label for b in outside))
        return [Finding("PERIOD_CONFLICT", f"表中各行的月份（{labels}）不在本表的报告期{sheet_period.label}"
                        "（表内报告期或文件名）之内；请核对月份列或文件名", file=reader.file, sheet=reader.sheet.name,
                        cell=outside[0].cells[0], org=outside[0].org, period=outside[0].period,
                        values={"contents": self.period, "rows": sorted({b.period for b in outside})})]


def _period_sources(label: Found | None, texts: list[Found], sheet, layout, stem: str, ctx) -> list[PeriodSource]:
    sources = []
    if label is not None:
        whole = find_period(label.text)
        sources.append(PeriodSource(LABEL, whole, label.cell, month=None if whole else month_alone(label.text)))
    named = sheet_name_period(sheet.name)
    if named is not None:
        sources.append(named)
    title = period_from_texts(texts)
    if title is not None:
        sources.append(PeriodSource(TITLE, find_period(title.text), title.cell))
    hint = layout.month_hint
    if hint is not None and hint.year is not None and hint.month is not None:  # `2016年1-3月`: the year too
        sources.append(PeriodSource(HEADER, Period.month(hint.year, hint.month), hint.cell))
    elif hint is not None and hint.year is not None:  # `2017年/本月`: whose year the column holds
        sources.append(PeriodSource(HEADER, period_from_code(str(hint.year)), hint.cell, decides=False))
    elif hint is not None:
        sources.append(PeriodSource(HEADER, None, hint.cell, month=hint.month))
    from_name = find_period(stem)
    if from_name is not None:
        sources.append(PeriodSource(FILE, from_name))
    elif (month := file_name_month(stem)) is not None:  # 大宁镇3月报表.xlsx: checked, the year the sheet's
        sources.append(PeriodSource(FILE, None, month=month, decides=False))
    if ctx.period is not None:
        sources.append(PeriodSource(OPTION, ctx.period))
    return sources


# Not a range (1-3月), a date (4月3日报送) or a place (五月村).
_FILE_MONTH = re.compile(rf"(?<![\d年.\-~至到])({MONTH_NUMERAL})月(?!\s*[-~至到]|\s*\d{{1,2}}\s*[日号]|[村镇乡街])")


def file_name_month(stem: str) -> int | None:
    """The one month a file name writes without a year (`大宁镇3月报表`, `三月份`), if any;
    not a range (`1-3月`)."""
    found = _FILE_MONTH.findall(normalize_text(stem))
    return month_number(found[0]) if len(found) == 1 else None


def _where(source: PeriodSource) -> str:
    text = ORIGIN_TEXT[source.origin]
    return f"{text}（{source.cell}）" if source.cell and source.origin in (TITLE, HEADER) else text


_VALUE_KEYS = {FILE: "file_name", TITLE: "title", HEADER: "header", "sheet": "sheet_name", LABEL: "contents"}


def _settle_period(sources: list[PeriodSource], report, inspection: SheetInspection | None) -> str | None:
    chosen, conflicts = settle_period(sources)
    if chosen is None:
        report("PERIOD_MISSING", "表内和文件名中都找不到报告期；请在表头填写“报告期：2016年3月”，"
               "或用 --period 指定")
        return None
    for other, severity in conflicts:
        values = {"contents": chosen.period.code, _VALUE_KEYS[other.origin]: other.period.code}
        if severity == WARNING:
            report("PERIOD_CONFLICT", f"{_where(other)}为{other.period.label}，与{_where(chosen)}"
                   f"{'（' + chosen.cell + '）' if chosen.cell and chosen.origin == LABEL else ''}的"
                   f"{chosen.period.label}不一致；已按后者读取，请核对", other.cell, severity=WARNING, values=values)
            continue
        first = "表内报告期" if chosen.origin in (LABEL, TITLE) else _where(chosen)
        report("PERIOD_CONFLICT", f"{first}为{chosen.period.label}，{_where(other)}为{other.period.label}，"
               f"两者不一致；请核对后修改{'表内报告期或文件名' if other.origin == FILE else '其中写错的一处'}",
               chosen.cell or other.cell, values=values)
    if inspection is not None:
        inspection.period = Source(chosen.period.code, ORIGIN_TEXT[chosen.origin], chosen.cell)
    return chosen.period.code


def _settle_org(found: Found | None, texts: list[Found], stem: str, sheet_name: str | None, ctx, report,
                inspection: SheetInspection | None) -> str | None:
    registry = ctx.orgs
    origin = "单元格"
    if found is None and registry is not None:
        titled = org_from_texts(texts, registry)  # a township only: never the county that issued the form
        if titled is not None:
            found, origin = titled, "标题"
    in_contents = found.text.strip() if found else None
    named, named_origin = _org_from_names(stem, sheet_name, registry, in_contents, report)
    # a township's form in its county's workbook (青溪县_2016-03.xlsx) is no conflict
    if in_contents and named and not (same_org(in_contents, named, registry)
                                      or is_above(named, in_contents, registry)):
        report("ORG_CONFLICT", f"表内填报单位为“{in_contents}”，{named_origin}中为“{named}”，两者不一致；"
               "请核对后修改", found.cell if found else None,
               values={"contents": in_contents, ("sheet_name" if named_origin == "工作表名" else "file_name"): named})
    chosen = in_contents or named
    if chosen is None:
        report("ORG_MISSING", "表内和文件名中都找不到填报单位；请在表头填写“填报单位：XX镇妇联”")
        return None
    if registry is None:
        org = _longer_spelling(in_contents, named)
    else:
        org = registry.canonical(chosen)
        if org is None:
            report("ORG_UNKNOWN", f"填报单位“{chosen}”不在单位名册（{registry.source}）中；请核对名称，"
                   "或在名册中补充别名", found.cell if found else None, values={"org": chosen})
    if inspection is not None:
        inspection.org = Source(org, origin if in_contents else named_origin, found.cell if in_contents else None)
    return org


def _org_from_names(stem: str, sheet_name: str | None, registry, in_contents: str | None, report
                    ) -> tuple[str | None, str]:
    """The org a sheet's name gives (a county's workbook of one sheet per township), else
    its file name's. A sheet named for an org under the file's is that org; one named for
    the file's org or one above it is the file's. Where the cell names the org, it and the
    file name decide: a sheet name never contradicts them. Without an org in the file
    name, a sheet named for a county is the template's name (青溪县月报), not the org."""
    from_file = org_from_file_name(stem, registry)
    from_sheet = org_from_file_name(sheet_name, registry) if sheet_name else None
    if from_sheet is None or (from_file is not None and (same_org(from_sheet, from_file, registry)
                                                         or is_above(from_sheet, from_file, registry))):
        return from_file, "文件名"
    if from_file is None:
        return (None, "文件名") if has_orgs_under(from_sheet, registry) else (from_sheet, "工作表名")
    if is_above(from_file, from_sheet, registry):
        return from_sheet, "工作表名"
    if in_contents is None:
        report("ORG_CONFLICT", f"工作表名中的单位为“{from_sheet}”，文件名中为“{from_file}”，两者不一致；请核对后修改",
               values={"sheet_name": from_sheet, "file_name": from_file})
    return from_file, "文件名"


def _longer_spelling(a: str | None, b: str | None) -> str:
    """Without a registry, `大宁` and `大宁镇` are one org: keep the fuller name."""
    names = [clean_org_name(n) for n in (a, b) if n]
    return max(names, key=len)
