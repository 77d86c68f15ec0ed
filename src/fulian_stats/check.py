"""Checking: the reader's findings plus every check of the spec, as findings.

`check_paths` is the stage's entry point: read, then check each observation, each
sheet against the rules, and the whole set across files (duplicates, 本年累计,
合计, completeness, outliers; see crosscheck.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fulian_stats.catalog import Catalog
from fulian_stats.crosscheck import (
    check_completeness,
    check_duplicates,
    check_outliers,
    check_totals,
    check_year_to_date,
)
from fulian_stats.findings import ERROR, INFO, WARNING, Finding, show_number
from fulian_stats.orgs import OrgRegistry
from fulian_stats.periods import Period
from fulian_stats.read import ReadContext, ReadResult, read_paths


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


def check_paths(paths, catalog: Catalog, rules: list, orgs: OrgRegistry | None = None,
                period: Period | None = None, exclude: set[Path] = frozenset(), progress=None) -> CheckResult:
    ctx = ReadContext(catalog, orgs, period if period is not None and period.is_month else None)
    read = read_paths(paths, ctx, exclude=exclude, progress=progress)
    return check_read(read, catalog, rules, orgs, period)


def check_read(read: ReadResult, catalog: Catalog, rules: list, orgs: OrgRegistry | None = None,
               period: Period | None = None) -> CheckResult:
    findings = list(read.all_findings())
    rows = read.observation_rows()
    findings += check_values(rows, catalog)
    findings += check_rules(rows, catalog, rules)
    findings += check_duplicates(rows)
    findings += check_year_to_date(rows, catalog)
    findings += check_totals(rows, catalog)
    findings += check_outliers(rows, catalog, period)
    if orgs is not None and period is not None:
        findings += check_completeness(rows, orgs, period)
    return CheckResult([r.file for r in read.files], findings, read)


def check_values(rows: list[tuple], catalog: Catalog) -> list[Finding]:
    """Negative numbers anywhere; fractions where the unit counts whole things."""
    findings = []
    for org, period, ind_id, value, sheet, cell, _measure, file in rows:
        ind = catalog[ind_id]
        where = dict(file=file, sheet=sheet, cell=cell, org=org, period=period, indicator=ind_id)
        if value < 0:
            findings.append(Finding("NEGATIVE", f"“{ind.name}”为负数（{show_number(value)}）；统计数不能小于0，"
                                    "请核对", values={"value": value}, **where))
        elif ind.is_count and value != int(value):
            findings.append(Finding("NOT_INTEGER", f"“{ind.name}”以“{ind.unit}”计，应为整数，却填了"
                                    f"{show_number(value)}；请核对", values={"value": value}, **where))
    return findings


def check_rules(rows: list[tuple], catalog: Catalog, rules: list) -> list[Finding]:
    """Each rule on each sheet's (or table row's) own values for one org and period."""
    groups: dict[tuple, dict[str, tuple[float, str]]] = {}
    for org, period, ind_id, value, sheet, cell, measure, file in rows:
        if measure == "month":
            groups.setdefault((file, sheet, org, period), {}).setdefault(ind_id, (value, cell))
    findings = []
    for (file, sheet, org, period), found in groups.items():
        values = {k: v[0] for k, v in found.items()}
        for rule in rules:
            if rule.names.isdisjoint(values) or not rule.applies(values) or rule.holds(values):
                continue
            named = [n for n in sorted(rule.check.names, key=rule.check.text.find)]
            cell = next((found[n][1] for n in named if n in found), None)
            shown = "，".join(f"{catalog[n].name}{show_number(values.get(n, 0.0))}" for n in named)
            findings.append(Finding(
                "RULE", f"{rule.message}（{shown}）", severity=rule.severity, file=file, sheet=sheet,
                cell=cell, org=org, period=period, indicator=named[0] if named else None,
                values={"rule": rule.id, "check": rule.check.text, **{n: values.get(n) for n in rule.names}}))
    return findings
