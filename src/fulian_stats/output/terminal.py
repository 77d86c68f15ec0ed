"""What commands print for people: findings as text (alike ones on one line, see
digest.py), the catalog, totals and sources as tables, a progress bar. The CLI picks
one; the formatting lives here. Findings are plain strings written at once (with
colour on a terminal): a run may report tens of thousands of them."""

from __future__ import annotations

import os
import sys

from fulian_stats.findings import ERROR, INFO, SEVERITY_LABELS, WARNING

_COLOURS = {ERROR: "1;31", WARNING: "33", INFO: "36", "bold": "1", "dim": "2", "ok": "1;32"}


class Paint:
    """ANSI colours where the text goes to a terminal; plain text elsewhere."""

    def __init__(self, on: bool):
        self.on = on

    def __call__(self, text: str, kind: str) -> str:
        return f"\x1b[{_COLOURS[kind]}m{text}\x1b[0m" if self.on else text


def _console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def print_catalog_table(catalog, console=None) -> None:
    from rich.table import Table

    from fulian_stats.catalog import KINDS

    table = Table(title=f"指标目录（{catalog.source}，共{len(catalog)}项）")
    for header in ("栏目", "编号", "指标名称", "单位", "类型", "别名"):
        table.add_column(header)
    for ind in catalog:
        kind = KINDS[ind.kind].split("（")[0]
        if ind.kind == "rate":
            kind += f"：{ind.numerator}÷{ind.denominator}"
        table.add_row(ind.section, ind.id, ind.label, ind.unit, kind, "、".join(ind.aliases))
    (console or _console()).print(table)


def summary_line(files: int, errors: int, warnings: int, notes: int) -> str:
    return f"共检查{files}个文件：{errors}个错误，{warnings}个警告，{notes}条提示"


def findings_text(findings, files: int, verbose: bool = False, colour: bool = False) -> str:
    """Errors, then warnings, then notes, each under its file; findings alike on one
    line unless `verbose` (see digest.py); a summary line of `files` files at the end."""
    from fulian_stats.output.digest import digest

    paint = Paint(colour)
    lines = []
    for group in digest(findings, verbose):
        lines.append(paint(group.heading, "bold"))
        for line in group.lines:
            head = paint(SEVERITY_LABELS.get(line.severity, line.severity), line.severity)
            if line.count > 1:
                head += f" ×{line.count}"
            if line.where:
                head += f" {line.where}："
            elif line.count > 1:
                head += "："
            else:
                head += " "
            lines.append(f"  {head}{line.text} {paint(line.code, 'dim')}")
    counts = [sum(1 for f in findings if f.severity == s) for s in (ERROR, WARNING, INFO)]
    lines.append(paint(summary_line(files, *counts), "ok" if not counts[0] else ERROR))
    return "\n".join(lines) + "\n"


def say(text: str) -> None:
    """A line for the person at the terminal (stderr: stdout may be a file)."""
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


def write_out(text: str, end: str = "\n") -> None:
    """Standard output whole or not at all: a stop signal waits until it is written."""
    from fulian_stats.signals import held

    with held():
        sys.stdout.write(text + end)
        sys.stdout.flush()


def coloured(stream) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR")


class Progress:
    """A rich progress bar on stderr for long runs; nothing when quiet or not a terminal."""

    @classmethod
    def reading(cls, quiet: bool, shown: bool = True) -> "Progress":
        return cls("正在读取报表", shown and not quiet and sys.stderr.isatty() and not os.environ.get("CI"))

    def __init__(self, label: str, enabled: bool):
        self.label, self.enabled = label, enabled
        self._bar = self._task = None

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self._bar = Bar("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self._bar.__enter__()
        return self

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            return
        if self._task is None:
            self._task = self._bar.add_task(self.label, total=total)
        self._bar.update(self._task, completed=done)

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)


def _show(value) -> str:
    from fulian_stats.findings import show_number

    if value is None:
        return ""
    return show_number(round(value, 2)) if isinstance(value, float) else str(value)


def print_totals_table(result, console=None) -> None:
    """Indicator rows; one value column for --by total, one per org or per month otherwise."""
    from rich.table import Table

    keyed = {(r["org"], r["period"], r["indicator"]): r["value"] for r in result.rows}
    columns = list(dict.fromkeys((r["org"], r["period"]) for r in result.rows))
    table = Table(title=f"{result.title}汇总")
    table.add_column("指标")
    table.add_column("单位")
    for org, period in columns:
        label = org if result.by == "org" or period == result.period.code else period
        table.add_column(label if (org, period) != (result.region, result.period.code) else "合计", justify="right")
    indicators = list(dict.fromkeys((r["indicator"], r["name"], r["unit"]) for r in result.rows))
    for ind_id, name, unit in indicators:
        table.add_row(name, unit, *[_show(keyed.get((o, p, ind_id))) for o, p in columns])
    (console or _console()).print(table)


def written_text(result, path) -> str:
    """What `aggregate -o` says once the file is written: where, which region (when
    anything says) and period, and what it covers."""
    return f"已写入 {path}（{result.place or ''}{result.period.label}，{result.coverage.summary()}）"


def blocking_text(findings, files: int, verbose: bool = False, colour: bool = False) -> str:
    """Why aggregation stopped: the errors, then how to go on."""
    return (findings_text(findings, files, verbose, colour) + Paint(colour)("有错误，未汇总。", ERROR)
            + "请改正上面的错误后重试，或加 --skip-invalid 跳过有错误的文件、只汇总已报送的数据。\n")


def totals_notes(result) -> str:
    """What a person must know about a total: values left out, and org-months not in it."""
    return "".join(f"注意：{note}\n" for note in [*result.notes, *result.coverage.notes()])


def print_sources(sources: dict, indicator, console=None) -> None:
    """api.explain's sources of one total, as a table."""
    from rich.table import Table

    rows, total = sources["sources"], sources["value"]
    table = Table(title=f"{indicator.label}（{indicator.unit}）合计 {_show(total)} 的来源")
    for header in ("指标", "填报单位", "报告期", "数值", "文件", "工作表", "单元格"):
        table.add_column(header, justify="right" if header == "数值" else "left",
                         overflow="fold")  # a cut file name would defeat explain
    for r in rows:
        table.add_row(r["indicator"], r["org"], r["period"], _show(r["value"]), r["file"], r["sheet"] or "", r["cell"])
    (console or _console()).print(table)
