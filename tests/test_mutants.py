"""The mutation harness of issue 22 point 7: damaged copies of real submissions, checked
as a run checks them.

The oracle, for every mutant: `check_paths` returns, with a FileResult for the mutant;
and either the mutant reads to the same totals as its original (the same month
observations (org, period, indicator, value; a 0 counts as a blank), the same error
findings) or at least one error or warning names the file. A wrong total that looks
right is the worst outcome.

The originals (tests/data/fuzz/) are copies of sample_data: two forms of different
townships (one re-saved with a shared-strings table, as Excel and WPS write it), one
that reports a loan in 元 (checked with its January, so that 本年累计 has every month
to be checked against), and a GBK table with a 合计 row. All are checked with the
sample registry (orgs.csv), so that a damaged org name is an unknown org, not a new one.
January forms and the 合计 row are the redundancy that lets a changed number be seen.

Budgets: EXAMPLES_PER_KIND mutants of each kind in CI (derandomized by conftest's ci
profile); FULIAN_FUZZ_EXAMPLES=N for a nightly run. FULIAN_FUZZ_KINDS=all (or a comma
list) also runs the kinds of KNOWN_FAILURES. FULIAN_FUZZ_KEEP=DIR writes every mutant
caught there (name: kind--detail--original), ready to be copied to tests/data/mutants/;
FULIAN_FUZZ_SURVEY=1 then records and goes on instead of stopping at the first.
"""

from __future__ import annotations

import faulthandler
import os
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from check_helpers import check
from fulian_stats.findings import ERROR, WARNING
from mutate import Mutant, strategies_for

DATA = Path(__file__).resolve().parent / "data"
ORIGINALS_DIR = DATA / "fuzz"
KEPT_DIR = DATA / "mutants"
ORGS = ORIGINALS_DIR / "orgs.csv"
# original → the unmutated files checked with it (its earlier months).
ORIGINALS: dict[str, tuple[str, ...]] = {
    "大宁镇_2016-07.xlsx": (),
    "2017年1月龙潭乡月报.xlsx": (),
    "官塘镇_2016-02.xlsx": ("官塘镇_2016-01.xlsx",),
    "城区街道_2016-03.csv": (),
}
CSV_ENCODING = "gbk"
HANG_SECONDS = 120  # one small file is checked in 15 ms: far beyond this is a hang

EXAMPLES_PER_KIND = int(os.environ.get("FULIAN_FUZZ_EXAMPLES") or 12)
KEEP = os.environ.get("FULIAN_FUZZ_KEEP")
SURVEY = os.environ.get("FULIAN_FUZZ_SURVEY") == "1"

# Failure classes the reader has today (issue 22 points 2-4): class → (the mutation
# kinds that produce it, what the reader does wrong). The one place to re-enable a kind
# once the fix lands: remove its class here, and the kind runs again in CI and the
# class's kept reproducers must pass (their xfail is strict).
KNOWN_FAILURES: dict[str, tuple[tuple[str, ...], str]] = {}
# Kinds that make a file another one can validly be, not a damaged one: no reader can
# tell them, and none must (the oracle's premise does not hold for them).
NOT_DAMAGE = {
    "xml-delete-row": "a row deleted from a sheet is a form without that row, as a clerk may save one",
    "csv-truncate-line-end": "a text file cut right after a line end is a shorter table, ending as Excel ends one",
}


class Outcome(NamedTuple):
    months: frozenset  # (org, period, indicator, value) of the month observations of the file
    errors: frozenset  # (code, sheet, cell) of every error finding of the run
    named: tuple  # (severity, code, sheet, cell) of the errors and warnings naming the file
    aborted: bool  # a reading worker died on the file (calamine aborts on some damage)


def outcome(folder: Path, name: str, data: bytes) -> Outcome:
    """`data` checked as `name` in `folder`, with the original's context files."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    context = [shutil.copy(ORIGINALS_DIR / other, folder / other) for other in ORIGINALS[name]]
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)  # a hang ends the session, naming where
    try:
        result = check(path, *map(Path, context), orgs=ORGS)
    finally:
        faulthandler.cancel_dump_traceback_later()
    mine = [r for r in result.read.files if Path(r.file).resolve() == path.resolve()]
    assert len(mine) == 1, f"no FileResult for {name}: {[r.file for r in result.read.files]}"
    file = mine[0]
    return Outcome(
        months=frozenset(o[:4] for o in file.observations if o[6] == "month"),
        errors=frozenset((f.code, f.sheet, f.cell) for f in result.findings if f.severity == ERROR),
        named=tuple((f.severity, f.code, f.sheet, f.cell) for f in result.findings
                    if f.file == file.file and f.severity in (ERROR, WARNING)),
        aborted=any(f.code == "FILE_UNREADABLE" and "异常退出" in f.message for f in file.findings))


_baselines: dict[str, Outcome] = {}


def baseline(name: str, tmp_root: Path) -> Outcome:
    if name not in _baselines:
        _baselines[name] = outcome(tmp_root / "original", name, (ORIGINALS_DIR / name).read_bytes())
    return _baselines[name]


def summed(months: frozenset) -> frozenset:
    """The month observations as totals see them: a 0 and a blank sum alike, and no reader
    can tell a 0 that lost its digit from a cell a clerk left blank."""
    return frozenset(o for o in months if o[3] != 0)


def silent_change(mutant: Outcome, original: Outcome) -> str | None:
    """What the mutant changed with no error or warning naming it; None when the oracle holds."""
    if mutant.named or (summed(mutant.months) == summed(original.months) and mutant.errors == original.errors):
        return None
    lost, gained = summed(original.months) - summed(mutant.months), summed(mutant.months) - summed(original.months)
    changed = {o[:3] for o in lost} & {o[:3] for o in gained}
    parts = [f"{len(changed)} values changed" if changed else "",
             f"{len(lost) - len(changed)} lost" if len(lost) > len(changed) else "",
             f"{len(gained) - len(changed)} gained" if len(gained) > len(changed) else "",
             "errors differ" if mutant.errors != original.errors else ""]
    examples = sorted(lost, key=str)[:2] + sorted(gained, key=str)[:2]
    return "silent: " + ", ".join(p for p in parts if p) + f" (e.g. {examples})"


def kept_name(mutant: Mutant, original: str) -> str:
    return f"{mutant.kind}--{mutant.detail}--{original}".replace("/", "_").replace(" ", "_")


def judge(tmp_path: Path, original: str, mutant: Mutant) -> None:
    """The oracle for one mutant (asserts; in a survey, records and returns)."""
    base = baseline(original, tmp_path.parent / f"baseline-{os.getpid()}")
    try:
        problem = silent_change(outcome(tmp_path / "mutant", original, mutant.data), base)
    except Exception as exc:  # noqa: BLE001 - the run died: the most urgent failure
        problem = f"raised {type(exc).__name__}: {exc}"
    if problem and KEEP:
        folder = Path(KEEP)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / kept_name(mutant, original)).write_bytes(mutant.data)
        with open(folder / "index.txt", "a", encoding="utf-8") as index:
            index.write(f"{kept_name(mutant, original)}\t{problem}\n")
    if problem and not SURVEY:
        pytest.fail(f"{mutant.kind} {mutant.detail} of {original}: {problem}")


# -- the property ------------------------------------------------------------------

STRATEGIES = {name: strategies_for((ORIGINALS_DIR / name).read_bytes(), Path(name).suffix, CSV_ENCODING)
              for name in ORIGINALS}
ALL_KINDS = sorted({kind for kinds in STRATEGIES.values() for kind in kinds})
EXCLUDED_KINDS = {kind for kinds, _reason in KNOWN_FAILURES.values() for kind in kinds} | set(NOT_DAMAGE)
_chosen = os.environ.get("FULIAN_FUZZ_KINDS", "")
KINDS = ALL_KINDS if _chosen == "all" else _chosen.split(",") if _chosen else \
    [k for k in ALL_KINDS if k not in EXCLUDED_KINDS]
BUDGET = settings(max_examples=EXAMPLES_PER_KIND, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                         HealthCheck.filter_too_much])


def mutants_of_kind(kind: str):
    """(original, mutant) for every original the kind applies to."""
    return st.sampled_from([name for name in ORIGINALS if kind in STRATEGIES[name]]).flatmap(
        lambda name: STRATEGIES[name][kind].map(lambda mutant: (name, mutant)))


@pytest.mark.parametrize("kind", KINDS)
def test_a_mutant_keeps_its_totals_or_is_named(tmp_path, kind):
    @BUDGET
    @given(case=mutants_of_kind(kind))
    def run(case):
        original, mutant = case
        judge(tmp_path, original, mutant)
        shutil.rmtree(tmp_path / "mutant")

    run()


# -- every mutant the harness ever caught, replayed --------------------------------

KEPT = sorted(path.name for path in KEPT_DIR.iterdir()) if KEPT_DIR.is_dir() else []


def _known(name: str):
    kind = name.split("--", 1)[0]
    reason = next((why for kinds, why in KNOWN_FAILURES.values() if kind in kinds), None)
    return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=reason)) if reason else name


@pytest.mark.parametrize("name", [_known(name) for name in KEPT])
def test_a_mutant_once_caught_keeps_its_totals_or_is_named(tmp_path, name):
    kind, detail, original = name.split("--", 2)
    judge(tmp_path, original, Mutant(kind, detail, (KEPT_DIR / name).read_bytes()))
