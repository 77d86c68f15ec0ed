"""Files in, observations and findings out. Nothing escapes as an exception: a file
that cannot be read becomes a finding and the other files go on."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from fulian_stats.catalog import Catalog
from fulian_stats.findings import WARNING, Finding, a1
from fulian_stats.normalize import normalize_text
from fulian_stats.observations import SUBTOTAL, TOTAL, Block
from fulian_stats.orgs import OrgRegistry, clean_org_name
from fulian_stats.periods import Period, find_period
from fulian_stats.read.declared import DeclaredLayout, declared_for
from fulian_stats.read.grid import GridError, Sheet, load_sheets
from fulian_stats.read.inspection import SheetInspection, Source
from fulian_stats.read.layout import Layout, detect_layout
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
    same_org,
    scan_meta,
    settle_period,
    sheet_name_period,
)
from fulian_stats.read.diagnose import layout_problem
from fulian_stats.read.sheet import SheetReader

# Sheets that are never data: the instructions of a template, the details, charts and
# coverage of a summary workbook (reading 明细 would count every number twice).
NON_DATA_SHEETS = {"填报说明", "说明", "明细", "图表", "分月", "封面", "报送情况"}


@dataclass
class ReadContext:
    """What every file is read against; picklable, so worker processes get a copy."""

    catalog: Catalog
    orgs: OrgRegistry | None = None
    period: Period | None = None  # --period: the last resort for a file's period
    layouts: tuple[DeclaredLayout, ...] = ()  # fulian.toml's [[layout]] entries
    inspect: bool = False  # record how each sheet was understood (fulian-stats inspect)


@dataclass
class FileResult:
    file: str
    blocks: list[Block] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    inspections: list[SheetInspection] = field(default_factory=list)  # only when ctx.inspect

    @property
    def observations(self) -> list[tuple]:
        """(org, period, indicator, value, sheet, cell, measure) of every value read."""
        return [row for block in self.blocks for row in block.rows()]


def read_file(path: str | Path, ctx: ReadContext, display: str | None = None) -> FileResult:
    path = os.fspath(path)  # a str throughout: a Path per file cost 3% of reading a form
    display = display or path
    result = FileResult(display)
    try:
        sheets = load_sheets(path)
    except GridError as exc:
        result.findings.append(Finding(exc.code, exc.message, file=display, row=exc.row))
        return result
    except OSError as exc:
        result.findings.append(Finding("FILE_UNREADABLE", f"无法打开文件：{exc.strerror or exc}", file=display))
        return result
    except MemoryError:
        result.findings.append(Finding("FILE_TOO_LARGE", "文件过大，无法读取", file=display))
        return result
    recognised, unknown = 0, []
    stem = os.path.splitext(os.path.basename(path))[0]  # the file name's part in org and period
    for sheet in sheets:
        if sheet.name is not None and normalize_text(sheet.name) in NON_DATA_SHEETS:
            continue
        inspection = SheetInspection(display, sheet.name) if ctx.inspect else None
        before = len(result.findings)
        result.findings.extend(sheet.findings_for(display))  # a sheet refused or with uncalculated formulas
        declared = declared_for(ctx.layouts, os.path.basename(path), sheet)
        layout = declared.layout(sheet, ctx.catalog) if declared is not None else detect_layout(sheet, ctx.catalog)
        if layout is None:
            problem = layout_problem(sheet, ctx.catalog)
            if problem is not None:
                unknown.append((sheet, problem))
                if inspection is not None:
                    inspection.problem = problem[0]
        else:
            recognised += 1
            if inspection is not None:
                inspection.describe_layout(layout, sheet.row_offset, sheet.col_offset)
            reader = SheetReader(sheet, layout, ctx.catalog, ctx.orgs, display, inspection)
            reader.read()
            result.findings.extend(reader.findings)
            result.blocks.extend(_settle_meta(stem, sheet, layout, reader, ctx, result.findings, declared, inspection))
        if inspection is not None:
            inspection.findings = result.findings[before:]
            result.inspections.append(inspection)
    layout_findings = _unknown_layouts(display, unknown, recognised)
    result.findings += layout_findings
    for inspection in result.inspections:
        inspection.findings += [f for f in layout_findings if f.sheet == inspection.sheet]
    return result


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


def _settle_meta(stem: str, sheet: Sheet, layout: Layout, reader: SheetReader, ctx: ReadContext,
                 findings: list[Finding], declared: DeclaredLayout | None,
                 inspection: SheetInspection | None) -> list[Block]:
    """Fill in the sheet's own org and period: contents, else file name, else --period."""
    blocks = reader.blocks
    if not blocks:
        return blocks

    def cell_name(r: int, c: int) -> str:
        return a1(sheet.row_offset + r, sheet.col_offset + c)

    reported: list[str] = []

    def report(code: str, message: str, cell: str | None = None, **extra) -> None:
        reported.append(code if extra.get("severity") != WARNING else "")
        findings.append(Finding(code, message, file=reader.file, sheet=sheet.name, cell=cell, **extra))

    found_org, found_period, texts = scan_meta(sheet.rows, layout.header_row, cell_name, ctx.catalog.units)
    missing = set()  # what a declared layout's cells were found without
    if declared is not None:
        found_org, found_period, missing = declared.meta(sheet, found_org, found_period, report)
    # A 合计 row of a table with a 月份 column may total every month: it keeps no period.
    needs_period = any(b.period is None and b.measure not in (TOTAL, SUBTOTAL) for b in blocks)
    needs_org = layout.kind == "form"
    period = org = None
    if needs_period and "period" not in missing:
        sources = _period_sources(found_period, texts, sheet, layout, stem, ctx)
        period = _settle_period(sources, report, inspection)
    if needs_org and "org" not in missing:
        org = _settle_org(found_org, texts, stem, ctx, report, inspection)
    # A conflict is an error, not a guess: the sheet's numbers go nowhere until it is settled.
    if (needs_org and org is None) or (needs_period and period is None) or \
            "ORG_CONFLICT" in reported or "PERIOD_CONFLICT" in reported:
        return []
    return [b if b.org and b.period else b._replace(org=b.org or org, period=b.period or period) for b in blocks]


def _period_sources(label: Found | None, texts: list[Found], sheet: Sheet, layout: Layout, stem: str,
                    ctx: ReadContext) -> list[PeriodSource]:
    sources = []
    if label is not None:
        sources.append(PeriodSource(LABEL, find_period(label.text), label.cell))
    named = sheet_name_period(sheet.name)
    if named is not None:
        sources.append(named)
    title = period_from_texts(texts)
    if title is not None:
        sources.append(PeriodSource(TITLE, find_period(title.text), title.cell))
    hint = layout.month_hint
    if hint is not None:
        sources.append(PeriodSource(HEADER, None, hint.cell, month=hint.month))
    from_name = find_period(stem)
    if from_name is not None:
        sources.append(PeriodSource(FILE, from_name))
    if ctx.period is not None:
        sources.append(PeriodSource(OPTION, ctx.period))
    return sources


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


def _settle_org(found: Found | None, texts: list[Found], stem: str, ctx: ReadContext, report,
                inspection: SheetInspection | None) -> str | None:
    registry = ctx.orgs
    from_name = org_from_file_name(stem, registry)
    origin = "单元格"
    if found is None and registry is not None:
        titled = org_from_texts(texts, registry)
        # A title names the county that issued the form as often as the township filling it in.
        if titled is not None and not (from_name and from_name in registry.descendants(titled.text)):
            found, origin = titled, "标题"
    in_contents = found.text.strip() if found else None
    if in_contents and from_name and not same_org(in_contents, from_name, registry):
        report("ORG_CONFLICT", f"表内填报单位为“{in_contents}”，文件名中为“{from_name}”，两者不一致；"
               "请核对后修改", found.cell if found else None,
               values={"contents": in_contents, "file_name": from_name})
    chosen = in_contents or from_name
    if chosen is None:
        report("ORG_MISSING", "表内和文件名中都找不到填报单位；请在表头填写“填报单位：XX镇妇联”")
        return None
    if registry is None:
        org = _longer_spelling(in_contents, from_name)
    else:
        org = registry.canonical(chosen)
        if org is None:
            report("ORG_UNKNOWN", f"填报单位“{chosen}”不在单位名册（{registry.source}）中；请核对名称，"
                   "或在名册中补充别名", found.cell if found else None, values={"org": chosen})
    if inspection is not None:
        inspection.org = Source(org, origin if in_contents else "文件名", found.cell if in_contents else None)
    return org


def _longer_spelling(a: str | None, b: str | None) -> str:
    """Without a registry, `大宁` and `大宁镇` are one org: keep the fuller name."""
    names = [clean_org_name(n) for n in (a, b) if n]
    return max(names, key=len)
