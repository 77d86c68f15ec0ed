"""`fulian-stats inspect` as text: how the reader understood each sheet, for the
county's technical colleague looking into a refused file."""

from __future__ import annotations

from fulian_stats.findings import SEVERITY_LABELS
from fulian_stats.read.inspection import KIND_LABELS, SheetInspection

MAX_LEFT_OUT = 30  # cells listed before the rest is counted


def inspection_lines(inspections: list[SheetInspection]) -> list[str]:
    if not inspections:
        return ["没有可查看的工作表"]
    lines: list[str] = []
    for inspection in inspections:
        if lines:
            lines.append("")
        lines += _sheet_lines(inspection)
    return lines


def _sheet_lines(ins: SheetInspection) -> list[str]:
    title = f"{ins.file} › 工作表“{ins.sheet}”" if ins.sheet is not None else ins.file
    lines = [title]
    if ins.kind is None:
        lines.append(f"  没有读到报表：{ins.problem or '表中没有内容'}")
        return lines + _finding_lines(ins)
    declared = f"（按配置中的布局{ins.declared}）" if ins.declared else ""
    first, last = ins.header_rows
    header = f"第{first}行" if first == last else f"第{first}-{last}行"
    code = f"，栏次在第{ins.code_row}行" if ins.code_row else ""
    blocks = f"，并排{ins.blocks}张表" if ins.blocks > 1 else ""
    lines += [f"  版式：{KIND_LABELS.get(ins.kind, ins.kind)}{declared}",
              f"  表头：{header}{code}，数据从第{ins.data_start}行起{blocks}",
              "  各列："]
    for column in ins.columns:
        block = f"（第{column['block']}张表）" if ins.blocks > 1 and column["block"] else ""
        reason = f"：{column['reason']}" if column["reason"] else ""
        month = f"（{column['month']}月）" if column["month"] else ""
        lines.append(f"    {column['column']:<3} {column['heading'] or '（无表头）'} → {column['role_label']}{month}{reason}{block}")
    for label, source in (("填报单位", ins.org), ("报告期", ins.period)):
        if source is not None:
            where = f"（{source.origin} {source.cell}）" if source.cell else f"（{source.origin}）"
            lines.append(f"  {label}：{source.value or '（无）'}{where}")
    if ins.rows:
        lines.append("  各行：")
        for row, name, indicator, note in ins.rows:
            target = f" → {indicator}" if indicator else ""
            lines.append(f"    第{row}行 {name or '（空）'}{target}（{note}）")
    if ins.left_out:
        lines.append(f"  未读取的单元格（{len(ins.left_out)}个）：")
        lines += [f"    {cell}：{why}" for cell, why in ins.left_out[:MAX_LEFT_OUT]]
        if len(ins.left_out) > MAX_LEFT_OUT:
            lines.append(f"    ……另有{len(ins.left_out) - MAX_LEFT_OUT}个")
    return lines + _finding_lines(ins)


def _finding_lines(ins: SheetInspection) -> list[str]:
    if not ins.findings:
        return ["  校验结果：无"]
    lines = [f"  校验结果（{len(ins.findings)}条）："]
    for f in ins.findings:
        where = f"{f.cell}：" if f.cell else ""
        lines.append(f"    {SEVERITY_LABELS.get(f.severity, f.severity)} {where}{f.message} [{f.code}]")
    return lines
