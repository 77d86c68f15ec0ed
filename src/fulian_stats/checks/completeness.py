"""Every org the registry expects reported every month of the period. Per run."""

from __future__ import annotations

import os
from collections import defaultdict

from fulian_stats.findings import Finding
from fulian_stats.orgs import OrgRegistry
from fulian_stats.periods import Period, find_period

SCOPE = "run"


def failed_submissions(files, orgs: OrgRegistry | None) -> list[tuple[str, str, str]]:
    """(file, org, period) of each file that gave no observations because of its own
    errors (unreadable, a conflict, no layout), when its name tells the org and the
    period: that org sent that month, wrongly; it is not also missing. `files` are
    the reader's FileResults."""

    claims = []
    for result in files:
        # A row refused with its org known (a CSV row with a field too many): sent, wrongly.
        claims += [(result.file, f.org, f.period) for f in result.findings if f.is_error and f.org and f.period
                   and f.code == "ROW_RAGGED"]
        if result.blocks or not any(f.is_error for f in result.findings):
            continue
        org, period = _named_for(result.file, orgs)
        if org is not None and period is not None:
            claims.append((result.file, org, period.code))
    return claims


def _named_for(file: str, orgs: OrgRegistry | None):
    """(org, period) the file's name says, either None when it does not."""
    from fulian_stats.read.meta import org_from_file_name

    stem = os.path.splitext(os.path.basename(file))[0]
    return org_from_file_name(stem, orgs), find_period(stem)


def check(blocks, ctx) -> list[Finding]:
    """Every org expected by the registry reported every month of the period (an org
    is covered when it, or an org above it, reported a period that includes the month,
    or sent a file for it that could not be used: see failed_submissions). Only with
    a registry and a period."""
    orgs, period = ctx.orgs, ctx.period
    if orgs is None or period is None:
        return []
    failed = failed_submissions(ctx.files, orgs)
    covered: dict[str, set[int]] = defaultdict(set)
    reported = {(b.org, b.period) for b in blocks} | {(org, code) for _file, org, code in failed}
    for org, code in reported:  # each org and period once
        found = find_period(code) if code else None
        if org is not None and found is not None:
            covered[org].update(range(found.first, found.last + 1))
    wanted = set(range(period.first, period.last + 1))
    blank = _blank_forms(ctx.files, orgs)
    findings = []
    for org in orgs.leaves():
        have: set[int] = set()
        current: str | None = org
        while current is not None:
            have |= covered.get(current, set())
            current = orgs.orgs[current].parent
        missing = sorted(wanted - have)
        if missing:
            labels = "、".join(Period(m, m).label for m in missing)
            sent = [file for file, (who, months) in blank.items() if who == org and months & set(missing)]
            said = f"（收到的{'、'.join(sent[:3])}是空白报表）" if sent else ""
            findings.append(Finding(
                "MISSING_SUBMISSION", f"{org}没有报送{labels}的报表{said}；请催报或确认该单位是否已撤并",
                org=org, period=period.code, values={"missing": [Period(m, m).code for m in missing],
                                                     **({"blank_files": sent} if sent else {})}))
    return findings


def _blank_forms(files, orgs: OrgRegistry) -> dict[str, tuple[str, set[int]]]:
    """File → (org, months) of the forms sent blank, as their names tell."""
    found = {}
    for result in files:
        if not result.blocks and any(f.code == "FORM_BLANK" for f in result.findings):
            org, span = _named_for(result.file, orgs)
            if org is not None and span is not None:
                found[result.file] = (org, set(range(span.first, span.last + 1)))
    return found
