"""Coverage: which orgs and months a total is made of, and which it lacks.

Every aggregate result has one. Its rows are the orgs expected to report (the
registry's, with --orgs and a period), else the orgs that sent anything; each
org-month is 已报 (its data are in the total), 有误 (a file was sent for it but left
out with its errors, --skip-invalid), 部分有误 (in the total, but another of its files
was left out: a part of the form, not a copy) or, where the registry expects it, 未报.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from fulian_stats.checks.completeness import failed_submissions
from fulian_stats.observations import MONTH
from fulian_stats.orgs import OrgRegistry
from fulian_stats.periods import Period, find_period, months_text
from fulian_stats.read.summary_gaps import INVALID_LABEL, MISSING_LABEL, PARTIAL_LABEL

REPORTED, PARTIAL, INVALID, MISSING = "reported", "partial", "invalid", "missing"
STATUS_LABELS = {REPORTED: "已报", PARTIAL: PARTIAL_LABEL, INVALID: INVALID_LABEL, MISSING: MISSING_LABEL}
IN_TOTAL = (REPORTED, PARTIAL)  # statuses whose data are in the total


@dataclass
class Coverage:
    period: Period
    orgs: list[str]  # the rows: expected orgs in registry order, else the orgs that sent anything
    expected: bool  # the registry and the period say who should have reported: 未报 is known
    cells: dict[tuple[str, int], tuple[str, tuple[str, ...]]]  # (org, month) → (status, files)
    skipped_files: list[str] = field(default_factory=list)

    @cached_property
    def months(self) -> list[int]:
        return list(range(self.period.first, self.period.last + 1))

    def status(self, org: str, month: int) -> str | None:
        """REPORTED, PARTIAL, INVALID, MISSING, or None where nothing was sent and nobody expected it."""
        found = self.cells.get((org, month))
        return found[0] if found else (MISSING if self.expected else None)

    def files(self, org: str, month: int) -> tuple[str, ...]:
        found = self.cells.get((org, month))
        return found[1] if found else ()

    def _by_org(self, status: str) -> list[tuple[str, list[int]]]:
        found = []
        for org in self.orgs:
            months = [m for m in self.months if self.status(org, m) == status]
            if months:
                found.append((org, months))
        return found

    @cached_property
    def missing(self) -> list[tuple[str, list[int]]]:
        """(org, months) sent by nobody, where the registry expects them or a summary
        workbook read says so."""
        return self._by_org(MISSING)

    @cached_property
    def invalid(self) -> list[tuple[str, list[int]]]:
        """(org, months) whose files were left out with their errors."""
        return self._by_org(INVALID)

    @cached_property
    def partial(self) -> list[tuple[str, list[int]]]:
        """(org, months) in the total, but with one of their files left out with its errors."""
        return self._by_org(PARTIAL)

    @cached_property
    def reporting_orgs(self) -> list[str]:
        """Orgs with data in the total for at least one month."""
        return [org for org in self.orgs if any(self.status(org, m) in IN_TOTAL for m in self.months)]

    @cached_property
    def complete_orgs(self) -> list[str]:
        """Orgs with data in the total for every month of the period."""
        return [org for org in self.orgs if all(self.status(org, m) == REPORTED for m in self.months)]

    @property
    def complete(self) -> bool:
        """Every expected org's every month is in the total (never true when nobody
        said which orgs to expect)."""
        return self.expected and len(self.complete_orgs) == len(self.orgs)

    @cached_property
    def reported(self) -> int:
        """Org-months whose data are in the total."""
        return sum(1 for status, _files in self.cells.values() if status in IN_TOTAL)

    def months_text(self, months: list[int]) -> str:
        """`3月、5月`; with the year when the period spans more than one."""
        return months_text(months, with_year=self.period.across_years)

    def _text(self, listed: list[tuple[str, list[int]]]) -> str:
        return "；".join(f"{org} {self.months_text(months)}" for org, months in listed)

    @property
    def missing_text(self) -> str:
        """`大宁镇 3月、5月；石门镇 3月`, or empty."""
        return self._text(self.missing)

    @property
    def invalid_text(self) -> str:
        return self._text(self.invalid)

    @property
    def partial_text(self) -> str:
        return self._text(self.partial)

    def summary(self) -> str:
        """What the total covers, in a few words: `12个单位中11个报送了全部月份`."""
        every = "全部月份" if len(self.months) > 1 else self.period.label
        if self.complete:
            return f"{len(self.orgs)}个单位全部报送"
        if self.expected:
            return f"{len(self.orgs)}个单位中{len(self.complete_orgs)}个报送了{every}"
        return f"{len(self.reporting_orgs)}个单位报送了数据"

    def gaps(self) -> list[str]:
        """The org-months not in the total, and why: `未报送：大宁镇 3月`, `报表有误、未计入：…`."""
        return [f"{label}：{text}" for label, text in (("未报送", self.missing_text), ("报表有误、未计入", self.invalid_text),
                                                     ("部分报表有误、未计入", self.partial_text)) if text]

    def notes(self) -> list[str]:
        """The lines a person must read: the gaps, and the files left out."""
        skipped = [f"以下{len(self.skipped_files)}个文件有错误，未计入汇总：" + "、".join(self.skipped_files)]
        return self.gaps() + (skipped if self.skipped_files else [])

    def as_dict(self) -> dict:
        def listed(found, with_files=False):
            return [{"org": org, "months": [Period(m, m).code for m in months],
                     **({"files": sorted({f for m in months for f in self.files(org, m)})} if with_files else {})}
                    for org, months in found]

        return {
            "months": [Period(m, m).code for m in self.months],
            "orgs": self.orgs,
            "expected": len(self.orgs) * len(self.months) if self.expected else None,
            "reported": self.reported,
            "missing": listed(self.missing),
            "invalid": listed(self.invalid, with_files=True),
            "partial": listed(self.partial, with_files=True),
            "skipped_files": self.skipped_files,
        }


def sent_by(files, orgs: OrgRegistry | None) -> list[tuple[str, str, str]]:
    """(file, org, period) of what each of these files reported, or, for one that gave
    nothing because of its own errors, what its name says it is."""
    claims = [(r.file, b.org, b.period) for r in files for b in r.blocks
              if b.measure == MONTH and b.org and b.period]
    return claims + failed_submissions(files, orgs)


def coverage_of(data, period: Period, orgs: OrgRegistry | None, region: str | None, expected: bool,
                skipped: list[tuple[str, str, str]] = (), skipped_files: list[str] = (),
                lacking: list[tuple[str, str, int, str]] = (), copies: frozenset = frozenset()) -> Coverage:
    """The coverage of the observations a total is made of (`data`, with each one's
    span in `first` and `last`), and of the files left out (`skipped`: see sent_by;
    `copies` those left out only as a copy of another file). An org is covered for a
    month by its own data or by an org's above it (a county's workbook covers its
    townships), except where that file lacks it (`lacking`: a summary workbook's
    (file, org, month, 未报, 有误 or 部分有误), read from its 报送情况). A month in the
    total with another of the org's own files left out, not as a copy, is PARTIAL."""
    spans = [(REPORTED, org, file, first, last) for org, file, first, last in _distinct_spans(data)]
    spans += [(INVALID, org, file, found.first, found.last) for file, org, code in skipped
              if (found := find_period(code)) is not None]
    sent: dict[str, dict[tuple[str, int], set[str]]] = {REPORTED: {}, INVALID: {}}
    for status, org, file, first, last in spans:
        for month in range(max(first, period.first), min(last, period.last) + 1):
            sent[status].setdefault((org, month), set()).add(file)
    lacked: dict[tuple[str, int], dict[str, str]] = {}  # (org, month) → {file: 未报 or 有误}
    for file, org, month, label in lacking:
        if period.first <= month <= period.last:
            lacked.setdefault((org, month), {})[file] = label

    if expected and orgs is not None:
        rows = orgs.leaves(region if region in orgs.orgs else None)
    else:
        named = {org for cells in (*sent.values(), lacked) for org, _m in cells}
        order = {name: i for i, name in enumerate(orgs.orgs)} if orgs is not None else {}
        rows = sorted(named, key=lambda name: (order.get(name, len(order)), name))
    cells = {}
    for org in rows:
        chain = _with_ancestors(org, orgs)
        for month in range(period.first, period.last + 1):
            # A summary that lacks the org's month covers it with none of its numbers,
            # not even its column of the org's county.
            lacks = lacked.get((org, month), {})
            gone = {file for file, label in lacks.items() if label != PARTIAL_LABEL}  # the 部分有误 file still counts
            for status in (REPORTED, INVALID):
                files = set().union(*(sent[status].get((o, month), ()) for o in chain)) - gone
                if files and status == REPORTED:
                    wrong = set(sent[INVALID].get((org, month), ())) - set(copies) - lacks.keys()
                    wrong |= lacks.keys() - gone
                    cells[(org, month)] = (PARTIAL, tuple(sorted(wrong))) if wrong else (REPORTED, tuple(sorted(files)))
                    break
                if files:
                    cells[(org, month)] = (status, tuple(sorted(files)))
                    break
            else:
                if gone:
                    status = INVALID if INVALID_LABEL in (lacks[file] for file in gone) else MISSING
                    cells[(org, month)] = (status, tuple(sorted(gone)))
    return Coverage(period, rows, expected and orgs is not None, cells, list(skipped_files))


def _distinct_spans(data) -> list[tuple]:
    """(org, file, first, last) of the observations, each once. A block's observations
    are rows in a row: only where one of them changes is there a new one (a province-
    year's million rows hold 14,400), so a few rows are compared, not a million hashed."""
    import numpy as np
    import pandas as pd

    columns = ["org", "file", "first", "last"]
    if data.empty:
        return []
    change = np.zeros(len(data), dtype=bool)
    change[0] = True
    for column in columns:
        values = data[column]
        values = values.cat.codes.to_numpy() if isinstance(values.dtype, pd.CategoricalDtype) else values.to_numpy()
        change[1:] |= values[1:] != values[:-1]
    starts = data.iloc[np.flatnonzero(change)]
    return list(dict.fromkeys(zip(*(starts[column].tolist() for column in columns))))


def _with_ancestors(org: str, orgs: OrgRegistry | None) -> list[str]:
    chain, current = [org], orgs.orgs[org].parent if orgs is not None and org in orgs.orgs else None
    while current is not None:
        chain.append(current)
        current = orgs.orgs[current].parent
    return chain
