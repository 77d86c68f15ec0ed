"""How the reader understood a sheet, for `fulian-stats inspect`.

What a county's technical colleague needs when a township's file is refused: the
layout found, the header rows and each column's role and full heading, where the org
and period came from, each row's indicator (or why it has none), and the cells left
out and why. Recorded only when asked for: a run that only reads pays nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fulian_stats.findings import Finding, column_letters
from fulian_stats.read.header import ROLE_LABELS

KIND_LABELS = {"form": "表式（一个单位一张表）", "matrix": "汇总表式（各单位一列，带合计列）",
               "table": "清单式（一行一个单位）"}
EXTRA_ROLES = {"indicator": "指标", "org": "填报单位", "period": "报告期"}


@dataclass
class Source:
    """Where an org or a period was read: its value, the kind of place and the cell."""

    value: str | None
    origin: str  # 单元格 / 标题 / 工作表名 / 表头 / 文件名 / --period / 布局声明
    cell: str | None = None

    def as_dict(self) -> dict:
        return {"value": self.value, "origin": self.origin, "cell": self.cell}


@dataclass
class SheetInspection:
    file: str
    sheet: str | None
    kind: str | None = None  # form / matrix / table; None when no layout was found
    declared: str | None = None  # the fulian.toml [[layout]] entry used
    header_rows: tuple[int, int] | None = None  # 1-based, first and last
    code_row: int | None = None  # 1-based 栏次 row
    data_start: int | None = None  # 1-based first data row
    columns: list[dict] = field(default_factory=list)
    blocks: int = 0
    org: Source | None = None
    period: Source | None = None
    rows: list[tuple[int, str, str | None, str]] = field(default_factory=list)  # (row, name, indicator, note)
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (cell, why)
    findings: list[Finding] = field(default_factory=list)
    problem: str | None = None  # why no layout was found

    def add_row(self, row: int, name: str, indicator: str | None, note: str) -> None:
        self.rows.append((row, name, indicator, note))

    def describe_layout(self, layout, row_offset: int, col_offset: int) -> None:
        self.kind = layout.kind
        self.declared = layout.declared
        self.header_rows = (layout.header_row + row_offset + 1, layout.header_bottom + row_offset + 1)
        self.code_row = layout.code_row + row_offset + 1 if layout.code_row is not None else None
        self.data_start = layout.data_start + row_offset + 1
        self.blocks = max(1, len(layout.blocks))
        block_of = {}
        for number, block in enumerate(layout.blocks, start=1):
            for c in (block.name_col, block.category_col, block.unit_col, block.month_col, block.ytd_col,
                      block.total_col, *block.org_cols, *block.unknown_cols, *block.ignored_cols):
                if c is not None:
                    block_of.setdefault(c, number)
        orgs = {c for block in layout.blocks for c in block.org_cols}  # a summary's: each an org's values
        for column in layout.columns:
            role = "org" if column.index in orgs else column.role
            self.columns.append({
                "column": column_letters(column.index + col_offset),
                "heading": column.heading,
                "role": role,
                "role_label": ROLE_LABELS.get(role) or EXTRA_ROLES.get(role, role),
                "block": block_of.get(column.index),
                "month": column.month,
                "reason": "" if column.index in orgs else column.reason,
            })

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "layout": self.kind,
            "declared_layout": self.declared,
            "header_rows": list(self.header_rows) if self.header_rows else None,
            "code_row": self.code_row,
            "data_start": self.data_start,
            "blocks": self.blocks,
            "columns": self.columns,
            "org": self.org.as_dict() if self.org else None,
            "period": self.period.as_dict() if self.period else None,
            "rows": [{"row": r, "name": n, "indicator": i, "note": note} for r, n, i, note in self.rows],
            "left_out": [{"cell": c, "why": why} for c, why in self.left_out],
            "findings": [f.as_dict() for f in self.findings],
            "problem": self.problem,
        }
