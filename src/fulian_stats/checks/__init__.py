"""Checking: the reader's findings plus every check of the spec, as findings.

Each check is a module with a SCOPE and `check(blocks, ctx) -> findings`:

    values        negative numbers; fractions of what is counted whole       per file
    rates         a rate typed in, against its numerator and denominator     per file
    rules         the rules of rules.csv (their language: expression.py)      per file
    totals        合计 and 小计 against the rows they total                     per file
    duplicates    one org and period reported twice                          per run
    rate_parts    a rate's part filled in where the other is blank            per run
    ytd           本年累计 against the months of the year                      per run
    outliers      a month against the org's own history                      per run
    completeness  every org the registry expects, every month                per run

The checks per file run where the file is read, on every core; those per run in
the main process, once every file is read, on the blocks of all of them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path

from fulian_stats.catalog import Catalog
from fulian_stats.checks import completeness, duplicates, outliers, rate_parts, rates, rules, totals, values, ytd
from fulian_stats.findings import ERROR, INFO, WARNING, Finding
from fulian_stats.orgs import OrgRegistry
from fulian_stats.periods import Period
from fulian_stats.read import FileResult, ReadContext, ReadResult, paused_gc, read_paths
from fulian_stats.read.derive import derive_months, has_pending

PER_FILE, PER_RUN = "file", "run"
CHECKS = (values, rates, rules, totals, duplicates, rate_parts, ytd, outliers, completeness)


@dataclass
class CheckContext:
    """What a check is run against: the catalog and rules, the registry and period
    of the run, the reader's findings so far, and (per run) the files and what the
    checks across them share."""

    catalog: Catalog
    rules: list
    orgs: OrgRegistry | None = None
    period: Period | None = None
    findings: list[Finding] = field(default_factory=list)
    files: list[FileResult] = field(default_factory=list)
    blocks: list = field(default_factory=list)

    @cached_property
    def index(self):
        from fulian_stats.checks.months import index_blocks

        return index_blocks(self.blocks)

    @cached_property
    def month_grids(self):
        from fulian_stats.checks.months import month_grids  # numpy: imported while the files were read

        return month_grids(self.blocks, self.index, self.catalog)


@dataclass
class Report:
    """A run's findings: each file's and the run's, in reading order."""

    files: list[str]
    findings: list[Finding]
    read: ReadResult = field(repr=False, default=None)
    # what the run was checked against, for what is made of it (totals)
    catalog: Catalog | None = field(repr=False, default=None)
    orgs: OrgRegistry | None = field(repr=False, default=None)
    period: Period | None = None
    region: str | None = None  # --region or fulian.toml's, for the totals
    templates: Path | None = None  # the office's templates folder, for the report
    inputs: dict = field(repr=False, default_factory=dict)  # every file the run read → its role: never an output
    paths: list = field(repr=False, default_factory=list)  # the files and folders the run was given

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    @property
    def warnings(self) -> int:
        return self.count(WARNING)

    @property
    def notes(self) -> int:
        return self.count(INFO)

    def failed_files(self) -> list[str]:
        """Files with at least one error, in reading order."""
        bad = {f.file for f in self.findings if f.is_error and f.file}
        return [name for name in self.files if name in bad]

    def exit_code(self, strict: bool = False) -> int:
        return 1 if self.errors or (strict and self.warnings) else 0

    def counts(self) -> dict[str, int]:
        """{"files", "errors", "warnings", "notes"}: the head of as_dict."""
        by = Counter(f.severity for f in self.findings)
        return {"files": len(self.files), "errors": by[ERROR], "warnings": by[WARNING], "notes": by[INFO]}

    def as_dict(self) -> dict:
        return {**self.counts(), "findings": [f.as_dict() for f in self.findings]}


def check_file(result: FileResult, catalog: Catalog, rules: list) -> None:
    """The checks per file, added to its findings. Run where the file is read; for a
    file with months still to be worked out from 本年累计 (read/derive.py), after
    that, in the main process."""
    if has_pending(result):
        return
    ctx = CheckContext(catalog, rules, findings=result.findings)
    for check in CHECKS:
        if check.SCOPE == PER_FILE:  # each sees the findings before it (rules skip a value found negative)
            result.findings += check.check(result.blocks, ctx)


def check_across(read: ReadResult, catalog: Catalog, rules: list, orgs: OrgRegistry | None = None,
                 period: Period | None = None) -> Report:
    """The checks per run, on top of each file's own findings."""
    findings = list(read.all_findings())
    ctx = CheckContext(catalog, rules, orgs, period, findings, read.files, read.blocks())
    for check in CHECKS:
        if check.SCOPE == PER_RUN:
            findings += check.check(ctx.blocks, ctx)
    return Report([r.file for r in read.files], findings, read, catalog, orgs, period)


@paused_gc()
def check_paths(paths, catalog: Catalog, rules: list, orgs: OrgRegistry | None = None,
                period: Period | None = None, exclude: set[Path] = frozenset(), progress=None,
                then_import: tuple[str, ...] = (), layouts: tuple = ()) -> Report:
    """Read and check; `then_import` names modules the caller needs after the check
    (imported while the files are read); `layouts` are fulian.toml's declared ones."""
    ctx = ReadContext(catalog, orgs, period if period is not None and period.is_month else None, layouts)
    per_file = partial(check_file, catalog=catalog, rules=rules)
    read = read_paths(paths, ctx, exclude=exclude, progress=progress, after=per_file,
                      meanwhile=("numpy", "fulian_stats.checks.months", *then_import))
    for result in derive_months(read, catalog):  # their per-file checks waited for the months
        check_file(result, catalog, rules)
    return check_across(read, catalog, rules, orgs, period)


def check_read(read: ReadResult, catalog: Catalog, rules: list, orgs: OrgRegistry | None = None,
               period: Period | None = None) -> Report:
    """Every check on files read already."""
    derive_months(read, catalog)
    for result in read.files:
        check_file(result, catalog, rules)
    return check_across(read, catalog, rules, orgs, period)
