"""The command line: parse options, call one library function, print, set the exit code.

The only module that imports typer. Heavy libraries (pandas, openpyxl) are imported
inside the commands that need them, so `fulian-stats --help` answers at once.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from fulian_stats.errors import FulianError, UsageError

app = typer.Typer(
    name="fulian-stats",
    help="妇联统计报表工具：读取、校验、汇总各乡镇（街道）报送的月报，起草年度综述。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

Paths = Annotated[list[Path], typer.Argument(help="报表文件或文件夹（文件夹中的 .xlsx/.xlsm/.xls/.csv 都会读取）", show_default=False)]
CatalogOpt = Annotated[Optional[Path], typer.Option("--catalog", help="自定义指标目录（CSV，列同默认目录）")]
RulesOpt = Annotated[Optional[Path], typer.Option("--rules", help="自定义校验规则（CSV）")]
OrgsOpt = Annotated[Optional[Path], typer.Option("--orgs", help="单位名册 orgs.csv（name,parent,aliases）")]
PeriodOpt = Annotated[Optional[str], typer.Option("--period", help="报告期，如 2016-03、2016-Q1、2016-H1、2016、2016-01..2016-06")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="出错时显示完整的错误追踪信息")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度条")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="逐条列出每个问题（默认把同类问题合并为一行）")]


class TableOrJson(str, Enum):
    table = "table"
    json = "json"


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _show_progress(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty() and not os.environ.get("CI")


def _settings(**options):
    from fulian_stats.config import load_settings

    return load_settings().merged(**options)


def _catalog_and_rules(settings):
    from fulian_stats.catalog import load_catalog, load_rules

    catalog = load_catalog(settings.catalog)
    return catalog, load_rules(catalog, settings.rules)


def _registry(settings):
    from fulian_stats.orgs import load_orgs

    return load_orgs(settings.orgs) if settings.orgs else None


def _period(text: str | None):
    from fulian_stats.periods import parse_period

    return parse_period(text) if text else None


@app.command("indicators")
def indicators_command(
    format: Annotated[TableOrJson, typer.Option("--format", help="输出格式：table（表格）或 json")] = TableOrJson.table,
    catalog: CatalogOpt = None,
    debug: DebugOpt = False,
):
    """列出指标目录：编号、名称、单位、栏目、类型。"""
    from fulian_stats import present
    from fulian_stats.catalog import load_catalog

    settings = _settings(catalog=catalog)
    loaded = load_catalog(settings.catalog)
    if format is TableOrJson.json:
        typer.echo(present.to_json(present.catalog_rows(loaded)))
    else:
        present.print_catalog_table(_console(), loaded)


@app.command("check")
def check_command(
    paths: Paths,
    period: PeriodOpt = None,
    orgs: OrgsOpt = None,
    format: Annotated[CheckFormat, typer.Option("--format", help="输出格式：text、json 或 github（GitHub Actions 注释）")] = CheckFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="有警告也以退出码1结束")] = False,
    catalog: CatalogOpt = None,
    rules: RulesOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    debug: DebugOpt = False,
):
    """校验报表：逐个文件、工作表、单元格指出问题。退出码 0 无错误，1 有错误，2 用法错误。"""
    from fulian_stats import present
    from fulian_stats.checks import check_paths

    settings = _settings(orgs=orgs, catalog=catalog, rules=rules)
    loaded_catalog, loaded_rules = _catalog_and_rules(settings)
    with present.Progress("正在读取报表", _show_progress(quiet) and format is CheckFormat.text) as progress:
        result = check_paths(paths, loaded_catalog, loaded_rules, _registry(settings), _period(period),
                             exclude=settings.input_files(), progress=progress, layouts=settings.layouts)
    if format is CheckFormat.json:
        typer.echo(present.to_json(result.as_dict()))
    elif format is CheckFormat.github:
        typer.echo("\n".join(present.github_lines(result)))
    else:
        present.print_findings_text(_console(), result, verbose)
    raise typer.Exit(result.exit_code(strict))


class AggregateFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class By(str, Enum):
    total = "total"
    org = "org"
    period = "period"


LevelOpt = Annotated[Optional[str], typer.Option("--level", help="汇总到的层级：township/乡镇、county/县、city/市（需 --orgs）")]
RegionOpt = Annotated[Optional[str], typer.Option("--region", help="地区名称（合计行的名称；有 --orgs 时只汇总其下属单位）")]
SkipOpt = Annotated[bool, typer.Option("--skip-invalid", help="跳过有错误的文件、不等未报送的单位，汇总已报送的数据，并列出未计入的文件和月份")]


def _aggregate_run(paths, period, orgs, catalog, rules, by, level, region, skip_invalid, quiet, verbose,
                   output=None, template=None):
    """Check and aggregate, for aggregate, explain and report. An output that would
    replace a file the run reads is refused: before reading for the files named,
    after listing for the submissions found in folders."""
    from fulian_stats import present
    from fulian_stats.aggregate import aggregate_paths
    from fulian_stats.orgs import parse_level
    from fulian_stats.render import template_files
    from fulian_stats.write import refuse_inputs

    settings = _settings(orgs=orgs, catalog=catalog, rules=rules, region=region)
    if output is not None:
        refuse_inputs(output, {**settings.files_read(), **{p: "报表" for p in paths},
                               **{p: "模板" for p in template_files(template, settings.templates)}})
    loaded_catalog, loaded_rules = _catalog_and_rules(settings)
    registry = _registry(settings)
    with present.Progress("正在读取报表", _show_progress(quiet)) as progress:
        run = aggregate_paths(paths, loaded_catalog, loaded_rules, registry, _period(period), by,
                              parse_level(level) if level else None, settings.region, skip_invalid,
                              exclude=settings.input_files(), progress=progress, layouts=settings.layouts)
    if output is not None:
        refuse_inputs(output, {f: "报表" for f in run.check.files})
    if run.result is None:
        present.print_blocking(_console(stderr=True), run, verbose)
        raise typer.Exit(1)
    for line in present.aggregate_notes(run.result):
        _console(stderr=True).print(f"[yellow]注意：[/]{line}")
    return run, loaded_catalog, settings, registry


@app.command("aggregate")
def aggregate_command(
    paths: Paths,
    period: PeriodOpt = None,
    by: Annotated[By, typer.Option("--by", help="按什么分列：total（合计）、org（分单位）、period（分月）")] = By.total,
    level: LevelOpt = None,
    region: RegionOpt = None,
    orgs: OrgsOpt = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="输出文件：.xlsx（汇总表、明细、图表）、.csv 或 .json")] = None,
    format: Annotated[AggregateFormat, typer.Option("--format", help="屏幕输出格式：table、json 或 csv")] = AggregateFormat.table,
    skip_invalid: SkipOpt = False,
    catalog: CatalogOpt = None,
    rules: RulesOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    debug: DebugOpt = False,
):
    """汇总：先校验，再按单位层级和报告期汇总（流量相加、存量取期末、比率用分子分母之和计算）。"""
    from fulian_stats import present
    from fulian_stats.write import rows_csv, write_rows

    if output is not None and output.suffix.lower() not in (".xlsx", ".csv", ".json"):
        raise UsageError(f"不支持的输出格式：{output}（可用 .xlsx、.csv、.json）")
    run, loaded_catalog, _, _ = _aggregate_run(paths, period, orgs, catalog, rules, by.value, level, region,
                                               skip_invalid, quiet, verbose, output)
    result = run.result
    if output is not None:
        if output.suffix.lower() == ".xlsx":
            from fulian_stats.workbook import write_workbook

            write_workbook(output, result, loaded_catalog)
        else:
            write_rows(output, result.as_dict())
        _console(stderr=True).print(f"已写入 {output}（{result.period.label}，{result.coverage.summary()}）")
    elif format is AggregateFormat.json:
        typer.echo(present.to_json(result.as_dict()))
    elif format is AggregateFormat.csv:
        typer.echo(rows_csv(result.rows), nl=False)
    else:
        present.print_aggregate_table(_console(), result)


@app.command("explain")
def explain_command(
    indicator: Annotated[str, typer.Argument(help="指标编号，如 trainees（fulian-stats indicators 可查）")],
    paths: Paths,
    period: PeriodOpt = None,
    region: RegionOpt = None,
    orgs: OrgsOpt = None,
    format: Annotated[TableOrJson, typer.Option("--format", help="输出格式：table 或 json")] = TableOrJson.table,
    skip_invalid: SkipOpt = False,
    catalog: CatalogOpt = None,
    rules: RulesOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    debug: DebugOpt = False,
):
    """列出一个汇总数背后的文件和单元格。"""
    from fulian_stats import present
    from fulian_stats.aggregate import explain

    run, loaded_catalog, _, _ = _aggregate_run(paths, period, orgs, catalog, rules, "total", None, region,
                                               skip_invalid, quiet, verbose)
    rows = explain(run.result, loaded_catalog, indicator)
    total = run.result.value(indicator)
    if format is TableOrJson.json:
        typer.echo(present.to_json({"indicator": indicator, "period": run.result.period.code,
                                    "value": total, "sources": rows}))
    else:
        present.print_explain(_console(), rows, total, loaded_catalog[indicator])


@app.command("report")
def report_command(
    paths: Paths,
    period: PeriodOpt = None,
    template: Annotated[Optional[str], typer.Option("--template", help="模板：年度综述、月报，或自己的 .j2/.docx 文件")] = None,
    region: RegionOpt = None,
    theme: Annotated[Optional[str], typer.Option("--theme", help="综述的主标题（主题），如“巾帼建新功 奋进新征程”")] = None,
    orgs: OrgsOpt = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="输出文件：.md、.txt、.html 或 .docx；不给则打印到屏幕")] = None,
    skip_invalid: SkipOpt = False,
    catalog: CatalogOpt = None,
    rules: RulesOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    debug: DebugOpt = False,
):
    """起草报告：年度综述或月报（数字按公文习惯书写），输出 Markdown、HTML 或 Word。"""
    from fulian_stats.aggregate import compare, infer_region
    from fulian_stats.render import check_report_suffix, render_report
    from fulian_stats.write import write_text

    suffix = check_report_suffix(output.suffix.lower() if output is not None else ".md")
    run, loaded_catalog, settings, registry = _aggregate_run(paths, period, orgs, catalog, rules, "org", None,
                                                             region, skip_invalid, quiet, verbose, output,
                                                             template)
    name = settings.region or infer_region(registry, run.result.orgs) or "本地区"
    text, context = render_report(compare(run, loaded_catalog, registry, settings.region), loaded_catalog,
                                  name, suffix, template, theme, settings.templates)
    if output is None:
        typer.echo(text, nl=False)
        return
    if suffix == ".docx":
        from fulian_stats.docx_out import default_word_template, render_docx
        from fulian_stats.render import make_env

        word = context.pop("_word_template") or default_word_template()
        render_docx(word, context, make_env(None, autoescape=True), output)
    else:
        write_text(output, text)
    _console(stderr=True).print(f"已写入 {output}")


class InspectFormat(str, Enum):
    text = "text"
    json = "json"


@app.command("inspect")
def inspect_command(
    paths: Paths,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="只看这一个工作表")] = None,
    format: Annotated[InspectFormat, typer.Option("--format", help="输出格式：text 或 json")] = InspectFormat.text,
    period: PeriodOpt = None,
    orgs: OrgsOpt = None,
    catalog: CatalogOpt = None,
    debug: DebugOpt = False,
):
    """显示读取程序如何理解每张工作表：版式、表头和各列的作用、填报单位和报告期从哪里读到、每行对应的指标、未读取的单元格。"""
    from fulian_stats import present
    from fulian_stats.catalog import load_catalog
    from fulian_stats.inspect_text import inspection_lines
    from fulian_stats.read import ReadContext, inspect_paths

    settings = _settings(orgs=orgs, catalog=catalog)
    month = _period(period)
    ctx = ReadContext(load_catalog(settings.catalog), _registry(settings), month if month and month.is_month else None,
                      settings.layouts)
    found = inspect_paths(paths, ctx, sheet, exclude=settings.input_files())
    if format is InspectFormat.json:
        typer.echo(present.to_json([inspection.as_dict() for inspection in found]))
    else:
        typer.echo("\n".join(inspection_lines(found, sheet)))


class Layout(str, Enum):
    form = "form"
    table = "table"


@app.command("template")
def template_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="输出的 .xlsx 文件；与 --orgs 一起用时为文件夹（每个单位一份）")],
    layout: Annotated[Layout, typer.Option("--layout", help="form（表式，一个单位一张表）或 table（清单式，一行一个单位）")] = Layout.form,
    org: Annotated[Optional[str], typer.Option("--org", help="填报单位（预先填好）")] = None,
    period: PeriodOpt = None,
    orgs: OrgsOpt = None,
    region: RegionOpt = None,
    force: Annotated[bool, typer.Option("--force", help="替换已存在的空白模板（已填报的报表不会被替换）")] = False,
    catalog: CatalogOpt = None,
    rules: RulesOpt = None,
    debug: DebugOpt = False,
):
    """生成空白报表模板：单位已标明、只能填不小于0的数、附填报说明，乡镇照表填报即可。"""
    from fulian_stats.template import write_template, write_templates_for_orgs

    settings = _settings(orgs=orgs, catalog=catalog, rules=rules, region=region)
    loaded_catalog, loaded_rules = _catalog_and_rules(settings)
    registry = _registry(settings)
    if orgs is not None and layout is Layout.form and not org:
        written = write_templates_for_orgs(output, loaded_catalog, loaded_rules, registry, _period(period),
                                           settings.region, force, settings.files_read())
        _console(stderr=True).print(f"已在 {output} 中生成{len(written)}份模板")
    else:
        write_template(output, loaded_catalog, loaded_rules, layout.value, org, period, registry, settings.region,
                       force, settings.files_read())
        _console(stderr=True).print(f"已写入 {output}")


def _usage_error(exc: Exception) -> bool:
    """Click's own parsing errors (typer bundles its own click, so test by shape)."""
    return callable(getattr(exc, "format_message", None)) and isinstance(getattr(exc, "exit_code", None), int)


def main() -> None:
    """Entry point: run the app; turn every failure into one Chinese line and an exit code."""
    debug = "--debug" in sys.argv
    try:
        code = app(standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except FulianError as exc:
        if debug:
            raise
        print(f"错误：{exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback
        if _usage_error(exc):
            print(f"错误：{exc.format_message()}（用 --help 查看用法）", file=sys.stderr)
            sys.exit(exc.exit_code)
        if type(exc).__name__ == "Abort":
            sys.exit(1)
        if debug:
            raise
        print(f"内部错误：{type(exc).__name__}: {exc}（加 --debug 查看详情，并请报告此问题）", file=sys.stderr)
        sys.exit(3)
    sys.exit(code or 0)
