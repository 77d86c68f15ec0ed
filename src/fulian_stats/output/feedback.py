"""反馈单.xlsx: what each org must fix or still send, beside the marked-up copies.

One row per org and file with findings (单位, 报告期, 处理, 文件 — a link to its copy —,
错误数, 警告数, its first three problems), and, when the registry and the period say
who should report, one row per org that has not (未报送, from MISSING_SUBMISSION).
What must be sent again comes first: files with errors (those that could not be
opened among them), then what was never sent, then what only needs a look. It prints
on A4 like the other workbooks (output/printing.py): landscape, one page wide, the
header on every page, the region and period in the page header, page numbers in the
footer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from fulian_stats.findings import ERROR, SEVERITY_LABELS, WARNING, Finding
from fulian_stats.output.annotate import RANK, cell_column, findings_by_file
from fulian_stats.output.files import atomic_path
from fulian_stats.output.printing import PageSetup, row_height
from fulian_stats.periods import find_period, months_text, parse_period

FEEDBACK_NAME = "反馈单.xlsx"
FEEDBACK_SHEET = "反馈单"
HEADER = ["单位", "报告期", "处理", "文件", "错误数", "警告数", "主要问题（前三条）"]
RESEND, MISSING, CHECK, NOTE = "需重报", "未报送", "请核实", "仅提示"
ORDER = {RESEND: 0, MISSING: 1, CHECK: 2, NOTE: 3}
STATUS_FILLS = {RESEND: "FFFFC7CE", MISSING: "FFF8CBAD", CHECK: "FFFFEB9C"}
SHOWN = 3  # problems listed per row
UNKNOWN_ORG = "（未能识别单位）"


@dataclass
class FeedbackRow:
    org: str
    period: str
    status: str
    file: str = ""
    copy: str | None = None  # the copy's file name in the folder, None when it has none
    errors: int | None = None
    warnings: int | None = None
    messages: list[str] = field(default_factory=list)

    @property
    def missing(self) -> bool:
        return self.status == MISSING


def refuse_replacing_feedback(folder: Path) -> Path:
    """Where 反馈单 goes in `folder`; a UsageError when a file is there by that name
    that no earlier run wrote (its first sheet is not 反馈单)."""
    from fulian_stats.output.original import first_sheet_name

    target = Path(folder) / FEEDBACK_NAME
    if target.exists() and first_sheet_name(target) != FEEDBACK_SHEET:
        from fulian_stats.errors import UsageError

        raise UsageError(f"{target} 已存在，且不是本工具生成的反馈单；为防止覆盖，请换一个文件夹")
    return target


def feedback_rows(report, copies: dict[str, str], refused: dict[str, str]) -> list[FeedbackRow]:
    """The rows of 反馈单, in the order they are to be dealt with (`copies`: file → its
    copy's name; `refused`: file → why it has none)."""
    rows = []
    read = {r.file: r for r in (report.read.files if report.read is not None else [])}
    for file, findings in findings_by_file(report).items():
        groups = _by_org(file, findings, read.get(file), report.orgs)
        failed = [org for org, group in groups.items() if any(f.severity == ERROR for f in group)]
        # The other orgs of a table with an error: their rows are left out with it (--skip-invalid).
        others = [org for org in dict.fromkeys(b.org for b in read[file].blocks if b.org)
                  if org not in groups] if failed and file in read else []
        for org, group in [*groups.items(), *((org, []) for org in others)]:
            errors = sum(1 for f in group if f.severity == ERROR)
            warnings = sum(1 for f in group if f.severity == WARNING)
            messages = problem_lines(group, copies.get(file) is not None)
            if failed and not errors:
                messages.insert(0, f"本单位的数据与{'、'.join(failed[:3])}同在 {os.path.basename(file)} 中，"
                                   "此文件有错误，整份未计入汇总；改正后一并重报")
            if file in refused and refused[file] not in {f.message for f in group}:
                messages.insert(0, f"未生成标注副本：{refused[file]}")
            status = RESEND if failed else CHECK if warnings else NOTE
            rows.append(FeedbackRow(org, _periods(group, file), status, file, copies.get(file), errors, warnings,
                                    messages))
    for finding in report.findings:
        if finding.code == "MISSING_SUBMISSION":
            months = [p.first for code in finding.values.get("missing", []) if (p := _period(code)) is not None]
            rows.append(FeedbackRow(finding.org or UNKNOWN_ORG, months_text(months) if months else
                                    _label(finding.period), MISSING, messages=[finding.message]))
    order = {name: i for i, name in enumerate(report.orgs.orgs)} if report.orgs is not None else {}
    return sorted(rows, key=lambda r: (ORDER[r.status], order.get(r.org, len(order)), r.org, r.period, r.file))


def problem_lines(findings: list[Finding], has_copy: bool) -> list[str]:
    """The first problems, errors first, each with where it is: `1. 3月 D5：…`."""
    ranked = sorted(findings, key=lambda f: (RANK.get(f.severity, 3), f.row or 0, cell_column(f.cell)))
    lines = []
    for n, finding in enumerate(ranked[:SHOWN], start=1):
        where = " ".join(p for p in (finding.sheet, finding.cell or (f"第{finding.row}行" if finding.row else None))
                         if p)
        label = SEVERITY_LABELS.get(finding.severity, finding.severity)
        lines.append(f"{n}. {label}{' ' + where if where else ''}：{finding.message}")
    if len(ranked) > SHOWN:
        lines.append(f"（共{len(ranked)}条，" + ("详见标注副本的“问题清单”）" if has_copy else "详见校验结果）"))
    return lines


def _by_org(file: str, findings: list[Finding], read, orgs) -> dict[str, list[Finding]]:
    """A file's findings by org; those naming none go with the file's one org (of its
    findings, else of what was read from it), or the org its name says."""
    named = list(dict.fromkeys(f.org for f in findings if f.org))
    if not named and read is not None:
        named = list(dict.fromkeys(b.org for b in read.blocks if b.org))
    fallback = named[0] if len(named) == 1 else _org_of_name(file, orgs) or UNKNOWN_ORG
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.org or fallback, []).append(finding)
    return groups


def _org_of_name(file: str, orgs) -> str | None:
    from fulian_stats.read.meta import org_from_file_name

    return org_from_file_name(os.path.splitext(os.path.basename(file))[0], orgs)


def _period(code: str | None):
    try:
        return parse_period(code) if code else None
    except Exception:  # noqa: BLE001 - a period code the finding carries as read: shown as it is
        return None


def _label(code: str | None) -> str:
    found = _period(code)
    return found.label if found is not None else (code or "")


def _periods(findings: list[Finding], file: str) -> str:
    codes = list(dict.fromkeys(f.period for f in findings if f.period))
    if codes:
        return "、".join(_label(code) for code in codes)
    found = find_period(os.path.splitext(os.path.basename(file))[0])
    return found.label if found is not None else ""


def write_feedback(path: Path, rows: list[FeedbackRow], report) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from fulian_stats.forms.style import BOLD, BORDER, CENTER, HEADER_FILL, WRAP, put, title_row

    book = Workbook()
    ws = book.active
    ws.title = FEEDBACK_SHEET
    period = f"（{report.period.label}）" if report.period is not None else ""
    title_row(ws, 1, f"报表反馈单{period}", len(HEADER))
    counts = {status: sum(1 for r in rows if r.status == status) for status in ORDER}
    put(ws, 2, 1, f"共检查{len(report.files)}个文件：需重报{counts[RESEND]}份，未报送{counts[MISSING]}个单位，"
                  f"请核实{counts[CHECK]}份。点击“文件”一栏打开标注副本：有问题的单元格已标色（红色为错误，黄色为警告），"
                  "批注中写明原因，第一张表“问题清单”列出全部问题。", {"alignment": WRAP})
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADER))
    ws.row_dimensions[2].height = 32
    for col, header in enumerate(HEADER, start=1):
        put(ws, 3, col, header, {"font": BOLD, "fill": HEADER_FILL, "border": BORDER, "alignment": CENTER})
    link = Font(color="0563C1", underline="single")
    for r, row in enumerate(rows, start=4):
        values = [row.org, row.period, row.status, row.file or None, row.errors, row.warnings, "\n".join(row.messages)]
        for col, value in enumerate(values, start=1):
            put(ws, r, col, value, {"border": BORDER, "alignment": WRAP if col in (4, 7) else CENTER})
        ws.row_dimensions[r].height = row_height((values[6], 80), (row.file, 30))
        if row.status in STATUS_FILLS:
            ws.cell(r, 3).fill = PatternFill("solid", fgColor=STATUS_FILLS[row.status])
        if row.copy is not None:
            ws.cell(r, 4).hyperlink = row.copy  # beside this file: a relative link
            ws.cell(r, 4).font = link
    if not rows:
        put(ws, 4, 1, "没有需要反馈的问题。")
    for letter, width in zip("ABCDEFG", (14, 14, 8, 30, 7, 7, 80)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A4"
    ws.auto_filter.ref = f"A3:G{max(4, len(rows) + 3)}"
    PageSetup(True, (2, 2), _region(report), report.period.label if report.period is not None else None
              ).to_openpyxl(ws)
    with atomic_path(path) as temp:
        book.save(temp)


def _region(report) -> str | None:
    """The region the run checked: its fulian.toml's, else the registry org all the
    orgs that sent files sit under."""
    from fulian_stats.aggregate import infer_region

    if report.region:
        return report.region
    registry = report.orgs
    sent = {b.org for r in (report.read.files if report.read is not None else []) for b in r.blocks if b.org}
    return infer_region(registry, sorted(o for o in sent if registry is not None and o in registry.orgs))
