"""Checking: the reader's findings plus every check of the spec, as findings.

`check_paths` is the stage's entry point: read, then check each observation, each
sheet against the rules, and the whole set across files (duplicates, 合计 and
completeness in crosscheck.py; 本年累计 and outliers in history.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

from fulian_stats.catalog import Catalog
from fulian_stats.crosscheck import (
    check_completeness,
    check_duplicates,
    check_totals,
    failed_submissions,
    index_blocks,
)
from fulian_stats.derive import derive_months, has_pending
from fulian_stats.findings import ERROR, INFO, WARNING, Finding, show_number
from fulian_stats.observations import MONTH, Block
from fulian_stats.orgs import OrgRegistry
from fulian_stats.periods import Period
from fulian_stats.read import FileResult, ReadContext, ReadResult, paused_gc, read_paths


@dataclass
class CheckResult:
    files: list[str]
    findings: list[Finding]
    read: ReadResult = field(repr=False, default=None)

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

    def as_dict(self) -> dict:
        return {
            "files": len(self.files),
            "errors": self.errors,
            "warnings": self.warnings,
            "notes": self.notes,
            "findings": [f.as_dict() for f in self.findings],
        }


@paused_gc()
def check_paths(paths, catalog: Catalog, rules: list, orgs: OrgRegistry | None = None,
                period: Period | None = None, exclude: set[Path] = frozenset(), progress=None,
                then_import: tuple[str, ...] = (), layouts: tuple = ()) -> CheckResult:
    """Read and check; `then_import` names modules the caller needs after the check
    (imported while the files are read); `layouts` are fulian.toml's declared ones."""
    ctx = ReadContext(catalog, orgs, period if period is not None and period.is_month else None, layouts)
    per_file = partial(check_file, catalog=catalog, rules=rules)
    read = read_paths(paths, ctx, exclude=exclude, progress=progress, after=per_file,
                      meanwhile=("numpy", "fulian_stats.history", *then_import))
    for result in derive_months(read, catalog):  # their per-file checks waited for the months
        check_file(result, catalog, rules)
    return check_across(read, catalog, orgs, period)


def check_read(read: ReadResult, catalog: Catalog, rules: list, orgs: OrgRegistry | None = None,
               period: Period | None = None) -> CheckResult:
    """Every check on files read already."""
    derive_months(read, catalog)
    for result in read.files:
        check_file(result, catalog, rules)
    return check_across(read, catalog, orgs, period)


def check_file(result: FileResult, catalog: Catalog, rules: list) -> None:
    """The checks that need one file only, added to its findings. Run where the file is
    read, so they use every core; for a file with months still to be worked out from
    本年累计 (derive.py), after that, in the main process."""
    if has_pending(result):
        return
    blocks = [(result.file, block) for block in result.blocks]
    locate_findings(result.findings, blocks)
    result.findings += check_values(blocks, catalog)
    result.findings += check_rules(blocks, catalog, rules, unreadable_cells(result.findings))
    result.findings += check_totals(blocks, catalog)


def check_across(read: ReadResult, catalog: Catalog, orgs: OrgRegistry | None = None,
                 period: Period | None = None) -> CheckResult:
    """The checks across files, on top of each file's own findings."""
    findings = list(read.all_findings())
    blocks = read.blocks()
    index = index_blocks(blocks)
    findings += check_duplicates(blocks, index)
    from fulian_stats.history import check_history  # numpy: imported while the files were read

    year_to_date, outliers = check_history(blocks, catalog, period, index)
    findings += year_to_date + outliers
    if orgs is not None and period is not None:
        findings += check_completeness(blocks, orgs, period, failed_submissions(read.files, orgs))
    return CheckResult([r.file for r in read.files], findings, read)


@lru_cache(maxsize=4096)
def _counted_positions(counted: frozenset[str], indicators: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(i for i, ind in enumerate(indicators) if ind in counted)


def check_values(blocks: list[tuple[str, Block]], catalog: Catalog) -> list[Finding]:
    """Negative numbers anywhere; fractions where the unit counts whole things."""
    counted = catalog.counted_ids
    findings = []
    for file, block in blocks:
        values = block.values
        # The common case, decided a block at a time without building anything.
        if min(values) >= 0 and all(map(float.is_integer, map(values.__getitem__,
                                                                _counted_positions(counted, block.indicators)))):
            continue
        for ind_id, value, cell in zip(block.indicators, values, block.cells):
            if value >= 0 and (value == int(value) or ind_id not in counted):
                continue
            ind = catalog[ind_id]
            where = dict(file=file, sheet=block.sheet, cell=cell, org=block.org, period=block.period, indicator=ind_id)
            if value < 0:
                findings.append(Finding("NEGATIVE", f"“{ind.label}”为负数（{show_number(value)}）；统计数不能小于0，"
                                        "请核对", values={"value": value}, **where))
            else:
                findings.append(Finding("NOT_INTEGER", f"“{ind.label}”以“{ind.unit}”计，应为整数，却填了"
                                        f"{show_number(value)}；请核对", values={"value": value}, **where))
    return findings


# Reading findings after which a value is unknown, not absent: a rule naming it cannot be judged.
_UNREADABLE_VALUE = {"NUMBER_INVALID", "UNIT_UNKNOWN", "MONTH_NOT_DERIVABLE"}
_CELL = re.compile(r"([A-Z]+)(\d+)$")


def locate_findings(findings: list[Finding], blocks: list[tuple[str, Block]]) -> None:
    """Give the reader's findings the org and period of the sheet (a form) or the
    table row they are in, when the observations settle them (in place).

    A form has one org and period, its values in one column; a table row has its own.
    Findings about the org or period themselves keep what the reader said."""
    if all(f.file is None or f.code.startswith(("ORG_", "PERIOD_")) or (f.org and f.period) for f in findings):
        return
    by_row: dict[tuple, set] = defaultdict(set)
    by_sheet: dict[tuple, set] = defaultdict(set)
    columns: dict[tuple, set] = defaultdict(set)
    for file, block in blocks:
        org, period, sheet = block.org, block.period, block.sheet
        if org is None or period is None:
            continue
        for cell in block.cells:
            match = _CELL.match(cell or "")
            if match:
                by_row[(file, sheet, int(match.group(2)))].add((org, period))
                if block.measure == MONTH:
                    columns[(file, sheet)].add(match.group(1))
        by_sheet[(file, sheet)].add((org, period))
    for f in findings:
        if f.file is None or f.code.startswith(("ORG_", "PERIOD_")) or (f.org and f.period):
            continue
        found = by_row.get((f.file, f.sheet, f.row), set()) if f.row else set()
        if len(found) != 1 and len(columns.get((f.file, f.sheet), ())) == 1:
            found = by_sheet[(f.file, f.sheet)]
        if len(found) == 1:
            org, period = next(iter(found))
            f.org, f.period = f.org or org, f.period or period


def unreadable_cells(findings: list[Finding]) -> dict[tuple, list[tuple]]:
    """(file, sheet) → [(indicator, org, period)] of values that could not be read; org
    and period are None when a whole column is unreadable (a table's unit in its header)."""
    found: dict[tuple, list[tuple]] = defaultdict(list)
    for f in findings:
        if f.code in _UNREADABLE_VALUE and f.indicator:
            found[(f.file, f.sheet)].append((f.indicator, f.org, f.period))
    return found


def _in_order(expr) -> list[str]:
    """The indicator ids of an expression in the order they are written (whole words:
    `trainees` is not found inside `trainees_poor`)."""
    def position(name: str) -> int:
        match = re.search(rf"(?<![a-z0-9_]){name}(?![a-z0-9_])", expr.text)
        return match.start() if match else len(expr.text)
    return sorted(expr.names, key=lambda n: (position(n), n))


def check_rules(blocks: list[tuple[str, Block]], catalog: Catalog, rules: list,
                unreadable: dict[tuple, list[tuple]] | None = None) -> list[Finding]:
    """Each rule on each sheet's (or table row's) own values for one org and period.

    A blank value counts as 0; a value that could not be read (already an error)
    makes every rule naming it unknown, so the rule stays silent."""
    unreadable = unreadable or {}
    groups: dict[tuple, list[Block]] = {}
    for file, block in blocks:
        if block.measure == MONTH:
            groups.setdefault((file, block.sheet, block.org, block.period), []).append(block)
    findings = []
    for (file, sheet, org, period), found in groups.items():
        values = dict(zip(found[0].indicators, found[0].values))
        for later in found[1:]:  # two rows for one org: the first value counts
            for ind, value in zip(later.indicators, later.values):
                values.setdefault(ind, value)
        unknown = {ind for ind, o, p in unreadable[(file, sheet)] if (o, p) in ((org, period), (None, None))} \
            if (file, sheet) in unreadable else frozenset()
        keys = values.keys()
        for rule in rules:
            if keys.isdisjoint(rule.names) or not unknown.isdisjoint(rule.names):
                continue
            if not rule.violated(values):
                continue
            named = _in_order(rule.check)
            if rule.when is not None:
                named += [n for n in _in_order(rule.when) if n not in named]
            cell = next((b.cell_of(n) for n in named if n in values for b in found if n in b.indicators), None)
            shown = "，".join(f"{catalog[n].label}{show_number(values.get(n, 0.0))}" for n in named)
            findings.append(Finding(
                "RULE", f"{rule.message}（{shown}）", severity=rule.severity, file=file, sheet=sheet,
                cell=cell, org=org, period=period, indicator=named[0] if named else None,
                values={"rule": rule.id, "check": rule.check.text, **{n: values.get(n) for n in rule.names}}))
    return findings
