"""What commands print for programs: JSON (its keys stable) and GitHub Actions
workflow commands. Every finding is kept: digesting is for people."""

from __future__ import annotations

import json

from fulian_stats.findings import ERROR, WARNING, Finding
from fulian_stats.output.terminal import summary_line


def to_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


# json.dumps(x, ensure_ascii=False) makes an encoder at each call: one, for every finding.
_ONE_LINE = json.JSONEncoder(ensure_ascii=False).encode


def report_json(report) -> str:
    """`{"files", "errors", "warnings", "notes", "findings"}`, a finding a line: json's
    indenting encoder is pure Python, and a run may report tens of thousands."""
    fields = ",\n".join(f'  "{key}": {value}' for key, value in report.counts().items())
    if not report.findings:
        return f'{{\n{fields},\n  "findings": []\n}}'
    findings = ",\n    ".join([_ONE_LINE(f.as_dict()) for f in report.findings])
    return f'{{\n{fields},\n  "findings": [\n    {findings}\n  ]\n}}'


def catalog_rows(catalog) -> list[dict]:
    return [ind.as_dict() for ind in catalog]


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


def github_text(report) -> str:
    """A workflow command per finding, then the summary line."""
    lines = [github_line(f) for f in report.findings]
    lines.append(summary_line(len(report.files), report.errors, report.warnings, report.notes))
    return "\n".join(lines) + "\n"
