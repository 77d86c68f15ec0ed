"""The command line: parse options, call one library function (api.py), pick the output,
set the exit code.

The only module that imports typer. Heavy libraries (pandas, openpyxl) are imported
inside the calls that need them, so `fulian-stats --help` answers at once.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from fulian_stats.errors import FulianError

app = typer.Typer(
    name="fulian-stats",
    help="妇联统计报表工具：读取、校验、汇总各乡镇（街道）报送的月报，起草年度综述。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# The options every command shares, defined once.
Paths = Annotated[list[Path], typer.Argument(help="报表文件或文件夹（文件夹中的 .xlsx/.xlsm/.xls/.csv 都会读取）", show_default=False)]
CatalogOpt = Annotated[Optional[Path], typer.Option("--catalog", help="自定义指标目录（CSV，列同默认目录）")]
RulesOpt = Annotated[Optional[Path], typer.Option("--rules", help="自定义校验规则（CSV）")]
OrgsOpt = Annotated[Optional[Path], typer.Option("--orgs", help="单位名册 orgs.csv（name,parent,aliases）")]
PeriodOpt = Annotated[Optional[str], typer.Option("--period", help="报告期，如 2016-03、2016-Q1、2016-H1、2016、2016-01..2016-06")]
RegionOpt = Annotated[Optional[str], typer.Option("--region", help="地区名称（合计的名称；有 --orgs 时只汇总其下属单位）")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="出错时显示完整的错误追踪信息")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度条")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="逐条列出每个问题（默认把同类问题合并为一行）")]
SkipOpt = Annotated[bool, typer.Option("--skip-invalid", help="跳过有错误的文件、不等未报送的单位，汇总已报送的数据，并列出未计入的文件和月份")]

_run = {"debug": False}  # what main() needs to know of the command's options


def _start(debug: bool):
    """Every command's first step: note --debug for main(), and make the setup."""
    _run["debug"] = debug


def _setup(catalog=None, rules=None, orgs=None, region=None):
    from fulian_stats import api

    return api.setup(catalog=catalog, rules=rules, orgs=orgs, region=region)


def _progress(quiet: bool, shown: bool = True):
    from fulian_stats.output.terminal import Progress

    return Progress("正在读取报表", shown and not quiet and sys.stderr.isatty() and not os.environ.get("CI"))


def _colour(stream) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR")


def _say(text: str) -> None:
    """A line for the person at the terminal (stderr: stdout may be a file)."""
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


def _print(text: str, end: str = "\n") -> None:
    """Standard output whole or not at all: a stop signal waits until it is written."""
    from fulian_stats.signals import held

    with held():
        sys.stdout.write(text + end)
        sys.stdout.flush()


def _formats(name: str, *choices: str):
    """An --format option admitting `choices` only (the first is the default)."""
    kind = Enum(name, {choice: choice for choice in choices}, type=str)
    return kind, Annotated[kind, typer.Option("--format", help=f"输出格式：{'、'.join(choices)}")]


TableOrJson, TableOrJsonOpt = _formats("TableOrJson", "table", "json")
CheckFormat, CheckFormatOpt = _formats("CheckFormat", "text", "json", "github")
TotalsFormat, TotalsFormatOpt = _formats("TotalsFormat", "table", "json", "csv")
TextOrJson, TextOrJsonOpt = _formats("TextOrJson", "text", "json")


@app.command("indicators")
def indicators_command(format: TableOrJsonOpt = TableOrJson.table,
                       catalog: CatalogOpt = None, debug: DebugOpt = False):
    """列出指标目录：编号、名称、单位、栏目、类型。"""
    from fulian_stats.output import machine, terminal

    _start(debug)
    loaded = _setup(catalog=catalog).catalog
    if format is TableOrJson.json:
        _print(machine.to_json(machine.catalog_rows(loaded)))
    else:
        terminal.print_catalog_table(loaded)


@app.command("check")
def check_command(
    paths: Paths, period: PeriodOpt = None, orgs: OrgsOpt = None, format: CheckFormatOpt = CheckFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="有警告也以退出码1结束")] = False,
    annotate: Annotated[Optional[Path], typer.Option("--annotate", help="把有问题的报表标注后另存到此文件夹（标色、批注、问题清单），并写出反馈单.xlsx")] = None,
    catalog: CatalogOpt = None, rules: RulesOpt = None, quiet: QuietOpt = False, verbose: VerboseOpt = False,
    debug: DebugOpt = False,
):
    """校验报表：逐个文件、工作表、单元格指出问题。退出码 0 无错误，1 有错误，2 用法错误，3 程序或机器出错。"""
    from fulian_stats import api
    from fulian_stats.output import machine, terminal

    _start(debug)
    api.refuse_annotation(annotate, setup := _setup(catalog, rules, orgs), paths)  # before anything is read
    with _progress(quiet, format is CheckFormat.text) as progress:
        report = api.check(paths, setup, period, progress)
    if format is CheckFormat.json:
        _print(machine.report_json(report))
    elif format is CheckFormat.github:
        _print(machine.github_text(report), end="")
    else:
        _print(terminal.findings_text(report.findings, len(report.files), verbose, _colour(sys.stdout)), end="")
    if annotate is not None:
        _say(api.annotate(report, annotate).summary())
    raise typer.Exit(report.exit_code(strict))


By = Enum("By", {choice: choice for choice in ("total", "org", "period")}, type=str)
LevelOpt = Annotated[Optional[str], typer.Option("--level", help="汇总到的层级：township/乡镇、county/县、city/市（需 --orgs）")]


def _totals(paths, period, orgs, catalog, rules, region, skip_invalid, quiet, verbose, by="total", level=None,
            output=None, template=None):
    """Check and aggregate, for aggregate, explain and report; an output that would
    replace a file the run reads is refused before anything is read."""
    from fulian_stats import api
    from fulian_stats.output import terminal

    setup = _setup(catalog, rules, orgs, region)
    api.refuse_output(output, setup, paths, template)
    with _progress(quiet) as progress:
        report = api.check(paths, setup, period, progress)
    try:
        totals = api.aggregate(report, period, by, level, skip_invalid=skip_invalid)
    except api.DataErrors as stopped:
        sys.stderr.write(terminal.blocking_text(stopped.findings, len(stopped.files), verbose, _colour(sys.stderr)))
        raise typer.Exit(1) from None
    for line in terminal.totals_notes(totals):
        _say(f"注意：{line}")
    return totals


@app.command("aggregate")
def aggregate_command(
    paths: Paths, period: PeriodOpt = None,
    by: Annotated[By, typer.Option("--by", help="按什么分列：total（合计）、org（分单位）、period（分月）")] = By.total,
    level: LevelOpt = None, region: RegionOpt = None, orgs: OrgsOpt = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="输出文件：.xlsx（汇总表、明细、图表）、.csv 或 .json")] = None,
    format: TotalsFormatOpt = TotalsFormat.table,
    skip_invalid: SkipOpt = False, catalog: CatalogOpt = None, rules: RulesOpt = None, quiet: QuietOpt = False,
    verbose: VerboseOpt = False, debug: DebugOpt = False,
):
    """汇总：先校验，再按单位层级和报告期汇总（流量相加、存量取期末、比率用分子分母之和计算）。"""
    from fulian_stats import api
    from fulian_stats.output import machine, terminal
    from fulian_stats.output.files import rows_csv

    _start(debug)
    if output is not None:
        api.check_output_suffix(output, api.Totals)
    totals = _totals(paths, period, orgs, catalog, rules, region, skip_invalid, quiet, verbose, by.value, level,
                     output)
    if output is not None:
        api.write(totals, output)
        _say(f"已写入 {output}（{totals.period.label}，{totals.coverage.summary()}）")
    elif format is TotalsFormat.json:
        _print(machine.to_json(totals.as_dict()))
    elif format is TotalsFormat.csv:
        _print(rows_csv(totals.rows), end="")
    else:
        terminal.print_totals_table(totals)


@app.command("explain")
def explain_command(
    indicator: Annotated[str, typer.Argument(help="指标编号，如 trainees（fulian-stats indicators 可查）")],
    paths: Paths, period: PeriodOpt = None, region: RegionOpt = None, orgs: OrgsOpt = None,
    format: TableOrJsonOpt = TableOrJson.table,
    skip_invalid: SkipOpt = False, catalog: CatalogOpt = None, rules: RulesOpt = None, quiet: QuietOpt = False,
    verbose: VerboseOpt = False, debug: DebugOpt = False,
):
    """列出一个汇总数背后的文件和单元格。"""
    from fulian_stats import api
    from fulian_stats.output import machine, terminal

    _start(debug)
    totals = _totals(paths, period, orgs, catalog, rules, region, skip_invalid, quiet, verbose)
    sources = api.explain(totals, indicator)
    if format is TableOrJson.json:
        _print(machine.to_json(sources))
    else:
        terminal.print_sources(sources, totals.catalog[indicator])


@app.command("report")
def report_command(
    paths: Paths, period: PeriodOpt = None,
    template: Annotated[Optional[str], typer.Option("--template", help="模板：年度综述、月报，或自己的 .j2/.docx 文件")] = None,
    region: RegionOpt = None,
    theme: Annotated[Optional[str], typer.Option("--theme", help="综述的主标题（主题），如“巾帼建新功 奋进新征程”")] = None,
    orgs: OrgsOpt = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="输出文件：.md、.txt、.html 或 .docx；不给则打印到屏幕")] = None,
    skip_invalid: SkipOpt = False, catalog: CatalogOpt = None, rules: RulesOpt = None, quiet: QuietOpt = False,
    verbose: VerboseOpt = False, debug: DebugOpt = False,
):
    """起草报告：年度综述或月报（数字按公文习惯书写），输出 Markdown、HTML 或 Word。"""
    from fulian_stats import api

    _start(debug)
    if output is not None:
        api.check_output_suffix(output, api.Document)
    totals = _totals(paths, period, orgs, catalog, rules, region, skip_invalid, quiet, verbose, "org",
                     output=output, template=template)
    document = api.draft(totals, template, theme)
    if output is None:
        _print(document.text, end="")
        return
    api.write(document, output)
    _say(f"已写入 {output}")


@app.command("inspect")
def inspect_command(
    paths: Paths, sheet: Annotated[Optional[str], typer.Option("--sheet", help="只看这一个工作表")] = None,
    format: TextOrJsonOpt = TextOrJson.text,
    period: PeriodOpt = None, orgs: OrgsOpt = None, catalog: CatalogOpt = None, debug: DebugOpt = False,
):
    """显示读取程序如何理解每张工作表：版式、表头和各列的作用、填报单位和报告期从哪里读到、每行对应的指标、未读取的单元格。"""
    from fulian_stats import api
    from fulian_stats.output import machine
    from fulian_stats.output.inspection import inspection_lines

    _start(debug)
    found = api.inspect(paths, _setup(catalog=catalog, orgs=orgs), sheet, period)
    if format is TextOrJson.json:
        _print(machine.to_json([inspection.as_dict() for inspection in found]))
    else:
        _print("\n".join(inspection_lines(found, sheet)))


Layout = Enum("Layout", {choice: choice for choice in ("form", "table")}, type=str)


@app.command("template")
def template_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="输出的 .xlsx 文件；与 --orgs 一起用时为文件夹（每个单位一份）")],
    layout: Annotated[Layout, typer.Option("--layout", help="form（表式，一个单位一张表）或 table（清单式，一行一个单位）")] = Layout.form,
    org: Annotated[Optional[str], typer.Option("--org", help="填报单位（预先填好）")] = None,
    period: PeriodOpt = None, orgs: OrgsOpt = None, region: RegionOpt = None,
    force: Annotated[bool, typer.Option("--force", help="替换已存在的空白模板（已填报的报表不会被替换）")] = False,
    catalog: CatalogOpt = None, rules: RulesOpt = None, debug: DebugOpt = False,
):
    """生成空白报表模板：单位已标明、只能填不小于0的数、附填报说明，乡镇照表填报即可。"""
    from fulian_stats.forms import write_forms

    _start(debug)
    per_org = orgs is not None and layout is Layout.form and not org  # a form for each township, into a folder
    written = write_forms(output, _setup(catalog, rules, orgs, region), layout.value, org, period, force, per_org)
    _say(f"已在 {output} 中生成{len(written)}份模板" if per_org else f"已写入 {output}")


def _usage_error(exc: Exception) -> bool:
    """Click's own parsing errors (typer bundles its own click, so test by shape)."""
    return callable(getattr(exc, "format_message", None)) and isinstance(getattr(exc, "exit_code", None), int)


def main() -> None:
    """Entry point: run the app; turn every way it can end into one Chinese line and an
    exit code (0 no errors, 1 errors in the data, 2 usage, 3 the program or the machine,
    128 + the signal's number when stopped)."""
    from fulian_stats.signals import StopSignals

    with StopSignals(interrupt=True):
        sys.exit(_run_app())


def _run_app() -> int:
    from fulian_stats.signals import Interrupted

    try:
        return app(standalone_mode=False) or 0
    except typer.Exit as exc:
        return exc.exit_code
    except Interrupted as exc:
        _say("已中断，未写入输出")
        return 128 + exc.signal
    except FulianError as exc:
        if _run["debug"]:
            raise
        _say(f"错误：{exc}")
        return exc.exit_code
    except MemoryError:
        _say("错误：内存不足，未写入输出；请分批处理报表，或在内存更大的机器上运行")
        return 3
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback
        if _usage_error(exc):
            _say(f"错误：{exc.format_message()}（用 --help 查看用法）")
            return exc.exit_code
        if type(exc).__name__ == "Abort":
            return 1
        if _run["debug"]:
            raise
        _say(f"内部错误：{type(exc).__name__}: {exc}（加 --debug 查看详情，并请报告此问题）")
        return 3
