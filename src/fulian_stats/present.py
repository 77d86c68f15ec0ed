"""What commands print: findings as text, JSON or GitHub annotations; the catalog as
a table or JSON. The CLI picks one; the formatting lives here."""

from __future__ import annotations

import json

from fulian_stats.findings import ERROR, SEVERITY_LABELS, WARNING, Finding

_STYLES = {ERROR: "bold red", WARNING: "yellow", "info": "cyan"}


def to_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def catalog_rows(catalog) -> list[dict]:
    return [ind.as_dict() for ind in catalog]


def print_catalog_table(console, catalog) -> None:
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
    console.print(table)


def summary_line(files: int, errors: int, warnings: int, notes: int) -> str:
    return f"共检查{files}个文件：{errors}个错误，{warnings}个警告，{notes}条提示"


def print_findings_text(console, result, verbose: bool = False) -> None:
    """Errors, then warnings, then notes, each under its file; findings alike on one
    line unless `verbose` (see digest.py); a summary line at the end."""
    from rich.markup import escape

    from fulian_stats.digest import digest

    for group in digest(result.findings, verbose):
        console.print(f"[bold]{escape(group.heading)}[/bold]")
        for line in group.lines:
            head = f"[{_STYLES.get(line.severity, '')}]{SEVERITY_LABELS.get(line.severity, line.severity)}[/]"
            if line.count > 1:
                head += f" ×{line.count}"
            if line.where:
                head += f" {escape(line.where)}："
            elif line.count > 1:
                head += "："
            else:
                head += " "
            console.print(f"  {head}{escape(line.text)} [dim]{line.code}[/dim]")
    style = "bold red" if result.errors else "bold green"
    console.print(f"[{style}]{summary_line(len(result.files), result.errors, result.warnings, result.notes)}[/]")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(f: Finding) -> str:
    """One GitHub Actions workflow command: `::error file=…,line=…,title=…::message`."""
    command = {ERROR: "error", WARNING: "warning"}.get(f.severity, "notice")
    props = []
    if f.file:
        props.append(f"file={_escape_property(f.file)}")
    if f.row:
        props.append(f"line={f.row}")
    where = " ".join(p for p in (f.sheet, f.cell) if p)
    props.append(f"title={_escape_property(f'{f.code} {where}'.strip())}")
    return f"::{command} {','.join(props)}::{_escape_data(f.message)}"


def github_lines(result) -> list[str]:
    return [github_line(f) for f in result.findings] + [
        summary_line(len(result.files), result.errors, result.warnings, result.notes)]


class Progress:
    """A rich progress bar on stderr for long runs; nothing when quiet or not a terminal."""

    def __init__(self, label: str, enabled: bool):
        self.label, self.enabled = label, enabled
        self._bar = self._task = None

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TimeElapsedColumn

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


def print_aggregate_table(console, result) -> None:
    """Indicator rows; one value column for --by total, one per org or per month otherwise."""
    from rich.table import Table

    keyed = {(r["org"], r["period"], r["indicator"]): r["value"] for r in result.rows}
    columns = list(dict.fromkeys((r["org"], r["period"]) for r in result.rows))
    table = Table(title=f"{result.region} {result.period.label} 汇总")
    table.add_column("指标")
    table.add_column("单位")
    for org, period in columns:
        label = org if result.by == "org" or period == result.period.code else period
        table.add_column(label if (org, period) != (result.region, result.period.code) else "合计", justify="right")
    indicators = list(dict.fromkeys((r["indicator"], r["name"], r["unit"]) for r in result.rows))
    for ind_id, name, unit in indicators:
        table.add_row(name, unit, *[_show(keyed.get((o, p, ind_id))) for o, p in columns])
    console.print(table)


def print_blocking(console, run, verbose: bool = False) -> None:
    """Why aggregation stopped: the errors, then how to go on."""
    from fulian_stats.checks import Report

    print_findings_text(console, Report(run.check.files, run.blocking), verbose)
    console.print("[bold red]有错误，未汇总。[/]请改正上面的错误后重试，或加 --skip-invalid 跳过有错误的文件、"
                  "只汇总已报送的数据。")


def aggregate_notes(result) -> list[str]:
    """What a person must know about a total: values left out, and org-months not in it."""
    return [*result.notes, *result.coverage.notes()]


def print_explain(console, rows: list[dict], total, indicator) -> None:
    from rich.table import Table

    table = Table(title=f"{indicator.label}（{indicator.unit}）合计 {_show(total)} 的来源")
    for header in ("指标", "填报单位", "报告期", "数值", "文件", "工作表", "单元格"):
        table.add_column(header, justify="right" if header == "数值" else "left",
                         overflow="fold")  # a cut file name would defeat explain
    for r in rows:
        table.add_row(r["indicator"], r["org"], r["period"], _show(r["value"]), r["file"], r["sheet"] or "", r["cell"])
    console.print(table)
