"""The command line: parse options, call one library function (api.py), pick the output, set the
exit code. The only module that imports typer. Heavy libraries (pandas, openpyxl) are imported
inside the calls that need them: `--help` answers at once."""

from __future__ import annotations

import sys
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Annotated, Optional

import typer
import typer.core

from fulian_stats import process, usage
from fulian_stats.output.terminal import Progress, coloured, say, write_out
from fulian_stats.signals import Interrupted, StopSignals, held_from_now

_run = {"debug": False, "command": "fulian-stats"}  # what run() needs to know of the command line


class _ChineseHelp(typer.Context.formatter_class):
    """Click's help layout with its English words in Chinese (usage.py says which)."""

    def write_usage(self, prog, args="", prefix=None):
        super().write_usage(prog, usage.help_words(args), prefix="用法：")

    def write_heading(self, heading):
        self.write(f"{'':>{self.current_indent}}{usage.HEADINGS.get(heading, heading)}：\n")

    def write_dl(self, rows, col_max=30, col_spacing=2):
        self.write(usage.definition_list(list(rows), self.current_indent, self.width, col_max))


class _Context(typer.Context):
    formatter_class = _ChineseHelp

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _run["command"] = self.command_path  # for a parsing error, which Click raises without it


# The app and its commands make their contexts with the Chinese help.
_Command = type("_Command", (typer.core.TyperCommand,), {"context_class": _Context})
_Group = type("_Group", (typer.core.TyperGroup,), {"context_class": _Context})


app = typer.Typer(
    name="fulian-stats",
    cls=_Group,
    help="妇联统计报表工具：读取、校验、汇总各乡镇（街道）报送的月报，起草年度综述。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# The options every command shares, defined once.
Paths = Annotated[list[Path], typer.Argument(metavar="文件或文件夹...", help="报表文件或文件夹（文件夹中的 .xlsx/.xlsm/.xls/.csv 都会读取）", show_default=False)]
CatalogOpt = Annotated[Optional[Path], typer.Option("--catalog", metavar="<目录.csv>", help="自定义指标目录（CSV，列同默认目录）")]
RulesOpt = Annotated[Optional[Path], typer.Option("--rules", metavar="<规则.csv>", help="自定义校验规则（CSV）")]
OrgsOpt = Annotated[Optional[Path], typer.Option("--orgs", metavar="<名册.csv>", help="单位名册 orgs.csv（name,parent,aliases）")]
PeriodOpt = Annotated[Optional[str], typer.Option("--period", metavar="<报告期>", help="报告期，如 2016-03、2016-Q1、2016-H1、2016、2016-01..2016-06")]
RegionOpt = Annotated[Optional[str], typer.Option("--region", metavar="<地区>", help="地区名称（合计的名称；有 --orgs 时只汇总其下属单位）")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="出错时显示完整的错误追踪信息")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度条")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="逐条列出每个问题（默认把同类问题合并为一行）")]
SkipOpt = Annotated[bool, typer.Option("--skip-invalid", help="跳过有错误的文件、不等未报送的单位，汇总已报送的数据，并列出未计入的文件和月份")]
ForceOpt = Annotated[bool, typer.Option("--force", help="替换已存在的文件（已填报的报表不会被替换）")]


def _formats(name: str, *choices: str):
    """An --format option admitting `choices` only (the first is the default)."""
    kind = Enum(name, {choice: choice for choice in choices}, type=str)
    return kind, Annotated[kind, typer.Option("--format", help=f"输出格式：{'、'.join(choices)}")]


TableOrJson, TableOrJsonOpt = _formats("TableOrJson", "table", "json")
CheckFormat, CheckFormatOpt = _formats("CheckFormat", "text", "json", "github")
TotalsFormat, TotalsFormatOpt = _formats("TotalsFormat", "table", "json", "csv")
TextOrJson, TextOrJsonOpt = _formats("TextOrJson", "text", "json")


@app.command(cls=_Command, name="indicators")
def indicators_command(format: TableOrJsonOpt = TableOrJson.table, catalog: CatalogOpt = None, debug: DebugOpt = False):
    """列出指标目录：编号、名称、单位、栏目、类型。"""
    from fulian_stats import api
    from fulian_stats.output import machine, terminal

    _run["debug"] = debug  # for run()
    loaded = api.setup(catalog=catalog).catalog
    if format is TableOrJson.json:
        write_out(machine.to_json(machine.catalog_rows(loaded)))
    else:
        terminal.print_catalog_table(loaded)


@app.command(cls=_Command, name="check")
def check_command(
    paths: Paths, period: PeriodOpt = None, orgs: OrgsOpt = None, format: CheckFormatOpt = CheckFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="有警告也以退出码1结束")] = False,
    annotate: Annotated[Optional[Path], typer.Option("--annotate", metavar="<文件夹>", help="把有问题的报表标注后另存到此文件夹（标色、批注、问题清单），并写出反馈单.xlsx")] = None,
    catalog: CatalogOpt = None, rules: RulesOpt = None, quiet: QuietOpt = False, verbose: VerboseOpt = False, debug: DebugOpt = False,
):
    """校验报表：逐个文件、工作表、单元格指出问题。退出码 0 无错误，1 有错误，2 用法错误，3 程序或机器出错。"""
    from fulian_stats import api
    from fulian_stats.output import machine, terminal

    _run["debug"] = debug  # for run()
    api.refuse_annotation(annotate, setup := api.setup(catalog, rules, orgs), paths)  # before anything is read
    with Progress.reading(quiet, format is CheckFormat.text) as progress:
        report = api.check(paths, setup, period, progress, totals=False)
    if format is CheckFormat.json:
        write_out(machine.report_json(report))
    elif format is CheckFormat.github:
        write_out(machine.github_text(report), end="")
    else:
        write_out(terminal.findings_text(report.findings, len(report.files), verbose, coloured(sys.stdout)), end="")
    if annotate is not None:
        say(api.annotate(report, annotate).summary())
    raise typer.Exit(report.exit_code(strict))


By = Enum("By", {choice: choice for choice in ("total", "org", "period")}, type=str)
LevelOpt = Annotated[Optional[str], typer.Option("--level", metavar="<层级>", help="汇总到的层级：township/乡镇、county/县、city/市（需 --orgs）")]


def _totals(paths, period, orgs, catalog, rules, region, skip_invalid, quiet, verbose, by="total", level=None,
            output=None, template=None, kind=None, force=False):
    """Check and aggregate, for aggregate, explain and report; an output that cannot be of
    its `kind` or would replace a file the run reads is refused before anything is read."""
    from fulian_stats import api
    from fulian_stats.output import terminal

    if output is not None:
        api.check_output_suffix(output, kind)
    setup = api.setup(catalog, rules, orgs, region)
    api.refuse_output(output, setup, paths, template, kind, force)
    with Progress.reading(quiet) as progress:
        report = api.check(paths, setup, period, progress)
    try:
        totals = api.aggregate(report, period, by, level, skip_invalid=skip_invalid)
    except api.DataErrors as stopped:
        sys.stderr.write(terminal.blocking_text(stopped.checked, len(stopped.files), verbose, coloured(sys.stderr)))
        raise typer.Exit(1) from None
    sys.stderr.write(terminal.totals_notes(totals))
    return totals


@app.command(cls=_Command, name="aggregate")
def aggregate_command(
    paths: Paths, period: PeriodOpt = None,
    by: Annotated[By, typer.Option("--by", help="按什么分列：total（合计）、org（分单位）、period（分月）")] = By.total,
    level: LevelOpt = None, region: RegionOpt = None, orgs: OrgsOpt = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", metavar="<输出文件>", help="输出文件：.xlsx（汇总表、明细、图表）、.csv 或 .json")] = None,
    format: TotalsFormatOpt = TotalsFormat.table, force: ForceOpt = False,
    skip_invalid: SkipOpt = False, catalog: CatalogOpt = None, rules: RulesOpt = None, quiet: QuietOpt = False,
    verbose: VerboseOpt = False, debug: DebugOpt = False,
):
    """汇总：先校验，再按单位层级和报告期汇总（流量相加、存量取期末、比率用分子分母之和计算）。"""
    from fulian_stats import api
    from fulian_stats.output import machine, terminal
    from fulian_stats.output.files import rows_csv

    _run["debug"] = debug  # for run()
    totals = _totals(paths, period, orgs, catalog, rules, region, skip_invalid, quiet, verbose, by.value, level,
                     output, kind=api.Totals, force=force)
    if output is not None:
        api.write(totals, output, force)
        say(terminal.written_text(totals, output))
    elif format is TotalsFormat.json:
        write_out(machine.to_json(totals.as_dict()))
    elif format is TotalsFormat.csv:
        write_out(rows_csv(totals.rows), end="")
    else:
        terminal.print_totals_table(totals)


@app.command(cls=_Command, name="explain")
def explain_command(
    indicator: Annotated[str, typer.Argument(metavar="指标", help="指标编号或名称，如 trainees 或 参训妇女（fulian-stats indicators 可查）")],
    paths: Paths, period: PeriodOpt = None, region: RegionOpt = None, orgs: OrgsOpt = None, format: TableOrJsonOpt = TableOrJson.table,
    skip_invalid: SkipOpt = False, catalog: CatalogOpt = None, rules: RulesOpt = None, quiet: QuietOpt = False,
    verbose: VerboseOpt = False, debug: DebugOpt = False,
):
    """列出一个汇总数背后的文件和单元格。"""
    from fulian_stats import api
    from fulian_stats.output import machine, terminal

    _run["debug"] = debug  # for run()
    api.setup(catalog, rules, orgs, region).catalog.indicator_named(indicator)  # a wrong one before any file is read
    totals = _totals(paths, period, orgs, catalog, rules, region, skip_invalid, quiet, verbose)
    sources = api.explain(totals, indicator)
    if format is TableOrJson.json:
        write_out(machine.to_json(sources))
    else:
        terminal.print_sources(sources, totals.catalog[sources["indicator"]])


@app.command(cls=_Command, name="report")
def report_command(
    paths: Paths, period: PeriodOpt = None,
    template: Annotated[Optional[str], typer.Option("--template", metavar="<模板>", help="模板：年度综述、月报，或自己的 .j2/.docx 文件")] = None,
    region: RegionOpt = None,
    theme: Annotated[Optional[str], typer.Option("--theme", metavar="<主题>", help="综述的主标题（主题），如“巾帼建新功 奋进新征程”")] = None,
    orgs: OrgsOpt = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", metavar="<输出文件>", help="输出文件：.md、.txt、.html 或 .docx；不给则打印到屏幕")] = None,
    force: ForceOpt = False, skip_invalid: SkipOpt = False, catalog: CatalogOpt = None, rules: RulesOpt = None, quiet: QuietOpt = False,
    verbose: VerboseOpt = False, debug: DebugOpt = False,
):
    """起草报告：年度综述或月报（数字按公文习惯书写），输出 Markdown、HTML 或 Word。"""
    from fulian_stats import api

    _run["debug"] = debug  # for run()
    totals = _totals(paths, period, orgs, catalog, rules, region, skip_invalid, quiet, verbose, "org",
                     output=output, template=template, kind=api.Document, force=force)
    document = api.draft(totals, template, theme)
    if output is None:
        write_out(document.text, end="")
        return
    api.write(document, output, force)
    say(f"已写入 {output}")


@app.command(cls=_Command, name="inspect")
def inspect_command(
    paths: Paths, sheet: Annotated[Optional[str], typer.Option("--sheet", metavar="<工作表>", help="只看这一个工作表")] = None,
    format: TextOrJsonOpt = TextOrJson.text,
    period: PeriodOpt = None, orgs: OrgsOpt = None, catalog: CatalogOpt = None, debug: DebugOpt = False,
):
    """显示读取程序如何理解每张工作表：版式、表头和各列的作用、填报单位和报告期从哪里读到、每行对应的指标、未读取的单元格。"""
    from fulian_stats import api
    from fulian_stats.output import machine
    from fulian_stats.output.inspection import inspection_lines

    _run["debug"] = debug  # for run()
    found = api.inspect(paths, api.setup(catalog=catalog, orgs=orgs), sheet, period)
    if format is TextOrJson.json:
        write_out(machine.to_json([inspection.as_dict() for inspection in found]))
    else:
        write_out("\n".join(inspection_lines(found)))


Layout = Enum("Layout", {choice: choice for choice in ("form", "table")}, type=str)


@app.command(cls=_Command, name="template")
def template_command(
    output: Annotated[Path, typer.Option("-o", "--output", metavar="<输出文件>", help="输出的 .xlsx 文件；与 --orgs 一起用时为文件夹（每个单位一份）")],
    layout: Annotated[Layout, typer.Option("--layout", help="form（表式，一个单位一张表）或 table（清单式，一行一个单位）")] = Layout.form,
    org: Annotated[Optional[str], typer.Option("--org", metavar="<单位>", help="填报单位（预先填好）")] = None,
    period: PeriodOpt = None, orgs: OrgsOpt = None, region: RegionOpt = None,
    force: ForceOpt = False,
    catalog: CatalogOpt = None, rules: RulesOpt = None, debug: DebugOpt = False,
):
    """生成空白报表模板：单位已标明、只能填不小于0的数、附填报说明，乡镇照表填报即可。"""
    from fulian_stats import api
    from fulian_stats.forms import write_forms

    _run["debug"] = debug  # for run()
    per_org = orgs is not None and layout is Layout.form and not org  # a form for each township, into a folder
    written = write_forms(output, api.setup(catalog, rules, orgs, region), layout.value, org, period, force, per_org)
    say(f"已在 {output} 中生成{len(written)}份模板" if per_org else f"已写入 {output}")


def main() -> None:
    """Entry point: run the app, every way it can end one Chinese line and an exit code."""
    code = None
    with StopSignals(interrupt=True):
        try:
            code = run()
            held_from_now()
        except Interrupted as exc:  # it came between the end of run() and the line above
            code = code if code is not None else usage.ending(exc)[1]
    sys.exit(code)


@cache
def _command():  # typer builds it in 10 ms: once a process, for the tests and notebooks that run many
    return typer.main.get_command(app)


def run(args: list[str] | None = None) -> int:
    """The command line `fulian-stats ARGS` (default: sys.argv), ended as main() ends it."""
    try:
        process.prepare()
        return _command().main(args, prog_name="fulian-stats", standalone_mode=False) or 0
    except typer.Exit as exc:
        return exc.exit_code
    except (Exception, Interrupted) as exc:  # the last line of defence: never a traceback
        if type(exc).__name__ == "NoArgsIsHelpError":  # `fulian-stats` alone: its help
            write_out(exc.ctx.get_help())
            return 0
        line, code, debuggable = usage.ending(exc, _run["command"])
        if debuggable and _run["debug"]:
            raise
    if line:
        say(line)
    return code
