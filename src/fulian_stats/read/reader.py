"""Files in, observations and findings out. Nothing escapes as an exception: a file
that cannot be read becomes a finding and the other files go on."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from fulian_stats.catalog import Catalog
from fulian_stats.findings import Finding, a1
from fulian_stats.normalize import normalize_text
from fulian_stats.observations import TOTAL, Block
from fulian_stats.orgs import OrgRegistry, clean_org_name
from fulian_stats.periods import Period, find_period
from fulian_stats.read.grid import GridError, Sheet, load_sheets
from fulian_stats.read.layout import detect_layout
from fulian_stats.read.meta import (
    Found,
    org_from_file_name,
    org_from_texts,
    period_from_texts,
    same_org,
    scan_meta,
)
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


@dataclass
class FileResult:
    file: str
    blocks: list[Block] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

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
    recognised, skipped = 0, []
    stem = os.path.splitext(os.path.basename(path))[0]  # the file name's part in org and period
    for sheet in sheets:
        if sheet.name is not None and normalize_text(sheet.name) in NON_DATA_SHEETS:
            continue
        result.findings.extend(sheet.findings_for(display))  # a sheet refused or with uncalculated formulas
        layout = detect_layout(sheet, ctx.catalog)
        if layout is None:
            if any(any(v not in ("", None) for v in row) for row in sheet.rows):
                skipped.append(sheet.name)
            continue
        recognised += 1
        reader = SheetReader(sheet, layout, ctx.catalog, ctx.orgs, display)
        reader.read()
        result.findings.extend(reader.findings)
        result.blocks.extend(_settle_meta(stem, sheet, layout, reader, ctx, result.findings))
    if recognised == 0:
        result.findings.append(Finding(
            "LAYOUT_UNKNOWN", "没有找到可识别的报表：表式报表需要“指标名称”和“本月”列，清单式报表需要"
            "以指标名称为列标题的表头；请使用 fulian-stats template 生成的模板填报", file=display))
    else:
        for name in skipped:
            result.findings.append(Finding("SHEET_SKIPPED", f"工作表“{name}”不是报表，已跳过", file=display, sheet=name))
    return result


def _settle_meta(stem: str, sheet: Sheet, layout, reader: SheetReader, ctx: ReadContext,
                 findings: list[Finding]) -> list[Block]:
    """Fill in the sheet's own org and period: contents, else file name, else --period."""
    blocks = reader.blocks
    if not blocks:
        return blocks

    def cell_name(r: int, c: int) -> str:
        return a1(sheet.row_offset + r, sheet.col_offset + c)

    reported: list[str] = []

    def report(code: str, message: str, cell: str | None = None, **extra) -> None:
        reported.append(code)
        findings.append(Finding(code, message, file=reader.file, sheet=sheet.name, cell=cell, **extra))

    found_org, found_period, texts = scan_meta(sheet.rows, layout.header_row, cell_name, ctx.catalog.units)
    # A 合计 row of a table with a 月份 column may total every month: it keeps no period.
    needs_period = any(b.period is None and b.measure != TOTAL for b in blocks)
    needs_org = layout.kind == "form"
    period = _settle_period(found_period, texts, stem, ctx, report) if needs_period else None
    org = _settle_org(found_org, texts, stem, ctx, report) if needs_org else None
    # A conflict is an error, not a guess: the sheet's numbers go nowhere until it is settled.
    if (needs_org and org is None) or (needs_period and period is None) or \
            "ORG_CONFLICT" in reported or "PERIOD_CONFLICT" in reported:
        return []
    return [b if b.org and b.period else b._replace(org=b.org or org, period=b.period or period) for b in blocks]


def _settle_period(found: Found | None, texts: list[Found], stem: str, ctx: ReadContext, report) -> str | None:
    found = found or period_from_texts(texts)
    in_contents = found.text if found else None
    from_name = find_period(stem)
    from_name_code = from_name.code if from_name else None
    if in_contents and from_name_code and in_contents != from_name_code:
        report("PERIOD_CONFLICT", f"表内报告期为{_label(in_contents)}，文件名中为{from_name.label}，两者不一致；"
               "请核对后修改表内报告期或文件名", found.cell if found else None,
               values={"contents": in_contents, "file_name": from_name_code})
    period = in_contents or from_name_code or (ctx.period.code if ctx.period else None)
    if period is None:
        report("PERIOD_MISSING", "表内和文件名中都找不到报告期；请在表头填写“报告期：2016年3月”，"
               "或用 --period 指定")
    return period


def _label(code: str) -> str:
    found = find_period(code)
    return found.label if found else code


def _settle_org(found: Found | None, texts: list[Found], stem: str, ctx: ReadContext, report) -> str | None:
    registry = ctx.orgs
    from_name = org_from_file_name(stem, registry)
    if found is None and registry is not None:
        titled = org_from_texts(texts, registry)
        # A title names the county that issued the form as often as the township filling it in.
        if titled is not None and not (from_name and from_name in registry.descendants(titled.text)):
            found = titled
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
        return _longer_spelling(in_contents, from_name)
    canonical = registry.canonical(chosen)
    if canonical is None:
        report("ORG_UNKNOWN", f"填报单位“{chosen}”不在单位名册（{registry.source}）中；请核对名称，"
               "或在名册中补充别名", found.cell if found else None, values={"org": chosen})
    return canonical


def _longer_spelling(a: str | None, b: str | None) -> str:
    """Without a registry, `大宁` and `大宁镇` are one org: keep the fuller name."""
    names = [clean_org_name(n) for n in (a, b) if n]
    return max(names, key=len)
