"""The library: everything the command line does, as calls a county's analyst can make
from a notebook or a script.

    import fulian_stats.api as fs

    report = fs.check(["sample_data/2017"], orgs="sample_data/orgs.csv", period="2017")
    totals = fs.aggregate(report, by="org")
    print(totals.value("trainees"))             # the region's total
    fs.write(totals, "青溪县2017年汇总.xlsx")
    fs.write(fs.draft(totals), "2017年综述.docx")

Problems in the data are findings (report.findings), never exceptions; an exception
(a FulianError, one Chinese line) is what cannot go on: a file that does not exist,
a broken catalog, errors that stop aggregation (DataErrors, holding them), an output
that would replace a file the run read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from fulian_stats.aggregate import DataErrors, Totals, aggregate_report
from fulian_stats.aggregate.compare import compare
from fulian_stats.aggregate import explain as explain_totals
from fulian_stats.catalog import Catalog
from fulian_stats.checks import Report, check_paths
from fulian_stats.errors import UsageError
from fulian_stats.orgs import OrgRegistry, parse_level
from fulian_stats.output.files import refuse_inputs, refuse_replacing, refused
from fulian_stats.periods import Period, parse_period
from fulian_stats.read.grid import READ_FORMATS
from fulian_stats.report.render import Document, check_report_suffix, template_files
from fulian_stats.report.render import draft as draft_comparison

__all__ = ["DataErrors", "Document", "Report", "Setup", "Totals", "aggregate", "annotate", "check", "draft",
           "explain", "inspect", "read", "setup", "write"]


@dataclass
class Setup:
    """What a run is read and checked against: the catalog and rules, the org
    registry, declared layouts, the region and the office's templates folder, from
    options over fulian.toml over the defaults."""

    catalog: Catalog
    orgs: OrgRegistry | None = None
    layouts: tuple = ()
    region: str | None = None
    templates: Path | None = None
    files: dict = field(default_factory=dict)  # every file it was made of → its role: never an output
    exclude: frozenset = frozenset()  # files never read as submissions (the registry, the catalog, the rules)
    rules_file: Path | None = None

    @cached_property
    def rules(self) -> list:
        """The rules (loaded when first needed: listing the catalog needs none)."""
        from fulian_stats.catalog import load_rules

        return load_rules(self.catalog, self.rules_file)


def setup(catalog=None, rules=None, orgs=None, region=None, templates=None, folder=None) -> Setup:
    """The setup of `folder`'s fulian.toml (the working folder's by default), the
    options given taking precedence."""
    from fulian_stats.catalog import load_catalog
    from fulian_stats.config import load_settings
    from fulian_stats.orgs import load_orgs

    settings = load_settings(Path(folder) if folder else None).merged(
        orgs=orgs, catalog=catalog, rules=rules, region=region, templates=templates)
    registry = load_orgs(settings.orgs) if settings.orgs else None
    region = settings.region
    if registry is not None and region is not None:  # its registry name (青溪县妇联: 青溪县), one it has not as given
        region = registry.canonical(region) or region
    return Setup(load_catalog(settings.catalog), registry,
                 settings.layouts, region, settings.templates, settings.files_read(),
                 frozenset(settings.input_files()), settings.rules)


def _period(period) -> Period | None:
    """A period as a notebook may give it: "2016-03", 2016, a date (its month), a Period."""
    import datetime

    if period is None or isinstance(period, Period):
        return period
    if isinstance(period, datetime.date):
        return Period.month(period.year, period.month)
    if isinstance(period, (str, int)) and not isinstance(period, bool):
        return parse_period(str(period))
    raise UsageError(f"报告期应写作 2016-03、2016-Q1、2016 等，而不是 {period!r}")


def _paths(paths) -> list:
    """Files and folders: one path (a str or Path) or several."""
    return [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)


def _setup(given: Setup | None, options: dict) -> Setup:
    return given if given is not None else setup(**options)


def check(paths, setup: Setup | None = None, period=None, progress=None, *, totals: bool = True,
          **options) -> Report:
    """Read and check the files and folders `paths` (each file once, on every core):
    a Report of every finding. `options` make a setup when none is given (orgs=,
    catalog=, rules=, region=). `totals`: the report will be aggregated, so pandas is
    imported while the files are read (a third of a second of CPU a check alone need
    not spend)."""
    used = _setup(setup, options)
    paths = _paths(paths)
    report = check_paths(paths, used.catalog, used.rules, used.orgs, _period(period), exclude=used.exclude,
                         progress=progress, then_import=("pandas",) if totals else (), layouts=used.layouts)
    if not report.files:  # an empty folder, or a wrong one in CI: not a pass
        skipped = [f.message for f in report.findings if f.code == "FILES_SKIPPED"]
        raise UsageError(f"所给的{'、'.join(map(str, paths[:3]))}中没有报表文件"
                         + (f"：{'；'.join(skipped)}" if skipped else f"（只读取 {READ_FORMATS}）"))
    report.inputs = {**used.files, **{f: "报表" for f in report.files}}
    report.paths = list(paths)
    report.region, report.templates = used.region, used.templates
    return report


def read(paths, setup: Setup | None = None, period=None, **options):
    """Read without checking: the ReadResult (each file's blocks and the reader's own
    findings), for a look at what the files hold."""
    from fulian_stats.read import ReadContext, read_paths

    used = _setup(setup, options)
    month = _period(period)
    ctx = ReadContext(used.catalog, used.orgs, month if month is not None and month.is_month else None, used.layouts)
    return read_paths(_paths(paths), ctx, exclude=used.exclude)


def inspect(paths, setup: Setup | None = None, sheet: str | None = None, period=None, **options) -> list:
    """How the reader understands each sheet of the files (read.inspection.SheetInspection);
    a `sheet` none of them has is a UsageError naming the sheets there are."""
    from fulian_stats.read import ReadContext, inspect_paths

    used = _setup(setup, options)
    month = _period(period)
    ctx = ReadContext(used.catalog, used.orgs, month if month is not None and month.is_month else None, used.layouts)
    found = inspect_paths(_paths(paths), ctx, sheet, exclude=used.exclude)
    if sheet is not None and not found:
        names = "、".join(dict.fromkeys(f"“{i.sheet}”" for i in inspect_paths(_paths(paths), ctx, None, exclude=used.exclude)
                                        if i.sheet is not None))
        raise UsageError(f"没有名为“{sheet}”的工作表" + (f"；文件中的工作表有：{names}" if names else ""))
    return found


def annotate(report: Report, folder):
    """Into `folder` (made when missing), for each file of a checked run with findings,
    a marked-up copy of the township's own workbook (same name, .xlsx): every cell a
    finding names filled (red: error, yellow: warning) with the reason in a comment,
    and a first sheet 问题清单 linking to each; and 反馈单.xlsx, what each org must fix
    or still send. The inputs are never written; a folder that is, holds or lies in
    an input is refused. Returns the output.annotate.Annotation (its copies, the files
    without one and why, and summary())."""
    from fulian_stats.output.annotate import annotate_report

    return annotate_report(report, Path(folder))


def refuse_annotation(folder, setup: Setup, paths=()) -> None:
    """Before reading: a folder for marked-up copies that is, holds or lies in an input
    of the run (its setup's files, a path given), or that holds a 反馈单.xlsx no run
    wrote, is refused at once."""
    if folder is not None:
        from fulian_stats.output.feedback import refuse_replacing_feedback
        from fulian_stats.output.files import refuse_folder

        refuse_folder(folder, setup.files, paths)
        refuse_replacing_feedback(folder)


def aggregate(report: Report, period=None, by: str = "total", level=None, region: str | None = None,
              skip_invalid: bool = False) -> Totals:
    """The totals of a checked run: flows summed, stocks at the period's end, rates as
    a ratio of sums. Errors in the report stop it (DataErrors), unless `skip_invalid`
    leaves the failing files out (the totals' coverage then says so)."""
    totals = aggregate_report(report, _period(period), by, parse_level(level) if isinstance(level, str) else level,
                              region or report.region, skip_invalid)
    totals.inputs, totals.templates = report.inputs, report.templates
    return totals


def explain(totals: Totals, indicator: str) -> dict:
    """The files and cells behind one region total: {indicator, period, value, sources};
    the indicator by its id, name or alias."""
    indicator = totals.catalog.indicator_named(indicator)
    return {"indicator": indicator, "period": totals.period.code, "value": totals.value(indicator),
            "sources": explain_totals(totals, totals.catalog, indicator)}


def draft(totals: Totals, template: str | None = None, theme: str | None = None, date=None) -> Document:
    """The report draft of the totals (年度综述 for a year, 月报 for a month, or the
    office's own template or a .j2/.docx file), compared with the periods before
    when their files were read too. `date` (a datetime.date): the date of drafting in
    the 落款, today by default."""
    document = draft_comparison(compare(totals), totals.catalog, totals.place, template, theme,
                                totals.templates, date)
    document.inputs = {**totals.inputs, **{p: "模板" for p in template_files(template, totals.templates)}}
    return document


OUTPUTS = {Totals: (".xlsx", ".csv", ".json"), Document: (".md", ".txt", ".html", ".docx"), Report: (".json",)}


def refuse_output(path, setup: Setup, paths=(), template: str | None = None, kind: type | None = None,
                  force: bool = False) -> None:
    """Before reading: an output that is a file the run will read (its setup's, a path
    given, a template), or that would replace a file the user keeps, is refused at once."""
    if path is None:
        return
    refuse_inputs(path, {**setup.files, **{p: "报表" for p in paths},
                         **{p: "模板" for p in template_files(template, setup.templates)}})
    # One inside a folder read (through links too) may be a submission of the run: write()
    # says so once the files are known, before asking whether it may be replaced.
    real = Path(os.path.realpath(path))
    if kind is not None and not any(Path(os.path.realpath(p)) in real.parents for p in paths):
        refuse_replacing_output(Path(path), kind, force, setup.catalog, setup.orgs)


# How the outputs of an earlier run begin: such a file is replaced by the next run's.
_OWN_STARTS = {(Totals, ".json"): b'{\n  "region": ', (Report, ".json"): b'{\n  "files": '}


def refuse_replacing_output(path: Path, kind: type, force: bool, catalog: Catalog | None = None,
                            orgs: OrgRegistry | None = None) -> None:
    """An existing file is replaced only by the same kind of output it was written as
    (a summary workbook by the next run's), or with `force`; a draft is never taken
    for the tool's own (it may have been edited), and a filled submission is never
    replaced by totals, even with `force`."""
    if not path.is_file():
        return
    own = _own_output(path, kind)
    if own == "edited" and not force:
        raise refused(f"{path} 是本工具写出的汇总表，但写出后又被修改或另存过；为免丢失其中的修改，没有写出任何文件；"
                      "请换一个文件名，或确认要替换时{force}")
    if own is not None:
        return  # ours as written (or edited, and `force`): even a summary reads as a filled form

    def kept(existing: list[Path]) -> list[str]:
        if kind is not Totals or catalog is None or path.suffix.lower() not in (".xlsx", ".csv"):
            return []
        from fulian_stats.forms import filled_submissions

        return filled_submissions(existing, catalog, orgs)

    refuse_replacing([path], force, kept, "汇总结果")


def _own_output(path: Path, kind: type) -> str | None:
    """"own" for an output of ours as it was written, "edited" for our summary workbook
    saved again since, None for anything else."""
    suffix = path.suffix.lower()
    if kind is Totals and suffix == ".xlsx":
        from fulian_stats.output.original import saved_since_written, sheet_names
        from fulian_stats.output.workbook import CHART_SHEET, OWN_SHEETS

        # A county's own 汇总表 is no output of ours: all of ours, in order, and no other;
        # and one saved again since has the user's work in it (a sheet, a note, a fix).
        names = sheet_names(path) or []
        if names[:len(OWN_SHEETS)] != list(OWN_SHEETS):
            return None
        untouched = names in (list(OWN_SHEETS), [*OWN_SHEETS, CHART_SHEET]) and not saved_since_written(path)
        return "own" if untouched else "edited"
    start = _OWN_STARTS.get((kind, suffix))
    if kind is Totals and suffix == ".csv":
        from fulian_stats.output.files import ROW_COLUMNS

        start = ("\ufeff" + ",".join(ROW_COLUMNS) + "\n").encode("utf-8")
    if start is None:
        return None
    with open(path, "rb") as existing:
        return "own" if existing.read(len(start)) == start else None


def check_output_suffix(path, kind: type) -> str:
    """The suffix of an output for a `kind` (Totals, Document, Report), or a usage error
    (before anything is read)."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUTS.get(kind, ()):
        raise UsageError(f"不支持的输出格式：{path}（可用 {'、'.join(OUTPUTS.get(kind, ()))}）")
    return suffix


def write(thing, path, force: bool = False) -> Path:
    """Write totals (.xlsx, .csv, .json), a draft (.md, .txt, .html, .docx) or a report
    (.json), by the file's suffix; atomically, never over a file the run read, and over
    another existing file only as refuse_replacing_output allows."""
    path = Path(path)
    kind = next((k for k in OUTPUTS if isinstance(thing, k)), None)
    if kind is None:
        raise UsageError(f"无法写出 {type(thing).__name__}：只能写出汇总、报告或校验结果")
    suffix = check_output_suffix(path, kind)
    refuse_inputs(path, thing.inputs)
    refuse_replacing_output(path, kind, force, getattr(thing, "catalog", None), getattr(thing, "registry", None))
    if isinstance(thing, Totals):
        _write_totals(thing, path, suffix)
    elif isinstance(thing, Document):
        _write_document(thing, path, suffix)
    else:
        from fulian_stats.output.files import write_text
        from fulian_stats.output.machine import report_json

        write_text(path, report_json(thing))
    return path


def _write_totals(totals: Totals, path: Path, suffix: str) -> None:
    if suffix == ".xlsx":
        from fulian_stats.output.workbook import write_workbook

        write_workbook(path, totals, totals.catalog)
    else:
        from fulian_stats.output.files import write_rows

        write_rows(path, totals.as_dict())


def _write_document(document: Document, path: Path, suffix: str) -> None:
    check_report_suffix(suffix)
    if suffix == ".docx":
        from fulian_stats.report.render import make_env
        from fulian_stats.report.word import default_word_template, render_docx

        render_docx(document.word or default_word_template(), document.word_context(),
                    make_env(None, autoescape=True), path)
    else:
        from fulian_stats.output.files import write_text

        write_text(path, document.render(suffix))
