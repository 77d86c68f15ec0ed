"""Findings as the lines a person reads: many alike become one.

- Findings of one code in one file are one line with the count and the cells
  (`提示 ×8 月报 › C23、C26…：按“元”填报，已换算为“万元”`).
- The same line in each month's file of one org (a township that reports in 元 every
  month) is one line under a heading that names the months.
- A file that duplicates many other files' submissions (a summary workbook among the
  submissions) is one line that says so.

Errors come first, then warnings, then notes. Only text output is digested: JSON and
GitHub annotations keep every finding, and so does text with --verbose.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from fulian_stats.findings import CODES, ERROR, INFO, WARNING, Finding
from fulian_stats.periods import find_period, months_text
from fulian_stats.read import paused_gc

COLLAPSE_FROM = 3  # two findings read well as two lines; three of a kind make one
MAX_CELLS = 8  # cells named on a collapsed line, then …
MANY_DUPLICATES = 3  # other files one file duplicates before it is one line
SEVERITY_ORDER = (ERROR, WARNING, INFO)
WHOLE_RUN = "（整体）"
_VARIES = re.compile(r"“[^”]*”|-?\d+(?:\.\d+)?")  # what differs between messages of one code: names and numbers


@dataclass
class Line:
    severity: str
    code: str
    text: str
    where: str = ""  # `月报 › D20`, `月报 › C23、C26…`, `第6行`
    count: int = 1  # findings behind the line: more than 1 shows as ×n


@dataclass
class Group:
    heading: str  # a file, `官塘镇 2016年1-12月（12个文件）` or （整体）
    lines: list[Line] = field(default_factory=list)


@paused_gc()
def digest(findings: list[Finding], verbose: bool = False) -> list[Group]:
    """The findings as headed groups of lines: the errors' groups first, then the
    warnings', then the notes'; within each, by file. `verbose`: a line per finding.
    Without cyclic garbage collection: the lines made here live until printed, and
    each full collection they set off walked everything the run read (the blocks of
    every file), a third of the time to print tens of thousands of findings."""
    if verbose:
        entries = [(f.file or "", _line(f)) for f in findings]
    else:
        rest, duplicating = _duplicating_files(findings)
        entries = duplicating + _merge_months(_per_file(rest))  # (heading, line)
    rank = {severity: i for i, severity in enumerate(SEVERITY_ORDER)}
    entries.sort(key=lambda e: (rank.get(e[1].severity, len(rank)), e[1].severity, e[0]))  # stable: lines keep their order
    return [Group(heading or WHOLE_RUN, [line for _h, line in lines])
            for (_severity, heading), lines in groupby(entries, key=lambda e: (e[1].severity, e[0]))]


def _place(f: Finding) -> tuple[str | None, str | None]:
    """(sheet, cell or row) of a finding."""
    return f.sheet, f.cell or (f"第{f.row}行" if f.row else None)


def _line(f: Finding) -> Line:
    return Line(f.severity, f.code, f.message, " › ".join(p for p in _place(f) if p))


def _duplicating_files(findings: list[Finding]) -> tuple[list[Finding], list[tuple[str, Line]]]:
    """A file that duplicates MANY_DUPLICATES other files or more: all its
    DUPLICATE_SUBMISSION findings as one line under it. The other findings come back."""
    partners: dict[str, set[str]] = defaultdict(set)
    duplicates = [f for f in findings if f.code == "DUPLICATE_SUBMISSION"]
    for f in duplicates:
        files = [name for name in f.values.get("files", []) if name]
        for name in files:
            partners[name].update(other for other in files if other != name)
    many = {name for name, others in partners.items() if len(others) >= MANY_DUPLICATES}
    if not many:
        return findings, []
    absorbed: dict[str, list[Finding]] = defaultdict(list)
    for f in duplicates:
        if f.file in many:  # under its own file: a finding on the other copy stays where it belongs
            absorbed[f.file].append(f)
    taken = {id(f) for found in absorbed.values() for f in found}
    lines = []
    for name, found in absorbed.items():
        orgs = {f.org for f in found if f.org}
        text = (f"与另外{len(partners[name])}个文件中{len(orgs)}个单位的报表重复，像是一份汇总表或副本混在了报表中；"
                "请把它移出报表文件夹，每个单位每个报告期只留一份")
        lines.append((name, Line(found[0].severity, "DUPLICATE_SUBMISSION", text, count=len(found))))
    return [f for f in findings if id(f) not in taken], lines


@dataclass
class _FileLine:
    file: str
    line: Line
    findings: list[Finding]


def _per_file(findings: list[Finding]) -> list[_FileLine]:
    """Findings of one code and severity in one file: one line when there are
    COLLAPSE_FROM or more; findings of the whole run stay as they are."""
    grouped: dict[tuple, list[Finding]] = {}
    for f in findings:
        grouped.setdefault((f.file, f.code, f.severity) if f.file else (id(f),), []).append(f)
    found = []
    for alike in grouped.values():
        file = alike[0].file or ""
        if len(alike) < COLLAPSE_FROM:
            found += [_FileLine(file, _line(f), [f]) for f in alike]
        else:
            found.append(_FileLine(file, _collapsed(alike), alike))
    return found


def _collapsed(alike: list[Finding]) -> Line:
    first = alike[0]
    places = list(dict.fromkeys(_place(f) for f in alike))
    sheets = {sheet for sheet, _cell in places}
    cells = [cell for _sheet, cell in places if cell] if len(sheets) == 1 else \
        [" › ".join(p for p in place if p) for place in places]
    shown = "、".join(cells[:MAX_CELLS]) + ("…" if len(cells) > MAX_CELLS else "")
    sheet = next(iter(sheets)) if len(sheets) == 1 else None
    where = " › ".join(p for p in (sheet, shown) if p)
    return Line(first.severity, first.code, common_text([f.message for f in alike], first.code), where, len(alike))


def common_text(messages: list[str], code: str) -> str:
    """What the messages say alike. Messages of one code differ in their quoted names
    and their numbers: those that differ become `…` (a name that opens the message is
    left out: the cells say which), so each indicator's `“贷款金额”按“元”填报，已换算为
    “万元”` reads `按“元”填报，已换算为“万元”`. Messages of other shapes: the code's meaning."""
    messages = list(dict.fromkeys(messages))  # each once: a split costs a few microseconds
    if len(messages) == 1:
        return messages[0]
    literals = _VARIES.split(messages[0])
    if any(_VARIES.split(m) != literals for m in messages[1:]):  # stops at the first of another shape
        return CODES[code][1]
    values = [_VARIES.findall(m) for m in messages]
    text = literals[0]
    for i, literal in enumerate(literals[1:]):
        first = values[0][i]
        same = all(found[i] == first for found in values)
        text += (first if same else "“…”" if first.startswith("“") else "…") + literal
    return text.removeprefix("“…”").removeprefix("的")  # `“…”的合计为…` reads `合计为…`


def _merge_months(lines: list[_FileLine]) -> list[tuple[str, Line]]:
    """The same line in the files of one org for different months: one line under a
    heading of the org and the months."""
    same: dict[tuple, list[_FileLine]] = {}
    for entry in lines:
        orgs = {f.org for f in entry.findings}
        periods = {f.period for f in entry.findings}
        if entry.file and len(orgs) == 1 and None not in orgs and len(periods) == 1 and None not in periods:
            line = entry.line
            key = (next(iter(orgs)), line.severity, line.code, line.where, line.text, line.count)
        else:
            key = (id(entry),)
        same.setdefault(key, []).append(entry)
    merged = []
    for key, entries in same.items():
        files = {entry.file for entry in entries}
        if len(files) < 2:
            merged += [(entry.file, entry.line) for entry in entries]
            continue
        first = entries[0].line
        periods = sorted({f.period for entry in entries for f in entry.findings})
        heading = f"{key[0]} {_periods_text(periods)}（{len(files)}个文件）"
        line = Line(first.severity, first.code, first.text, first.where, sum(entry.line.count for entry in entries))
        merged.append((heading, line))
    return merged


def _periods_text(codes: list[str]) -> str:
    found = [find_period(code) for code in codes]
    if all(p is not None and p.is_month for p in found):
        return months_text([p.first for p in found])
    return "、".join(p.label if p is not None else code for p, code in zip(found, codes))
