"""Builders for the check tests: small real submissions written into tmp_path.

- `write_form`: a form-layout (表式) .xlsx as townships fill it in: a title row,
  `填报单位：大宁镇妇联` / `报告期：2016年3月`, the header 序号|指标名称|计量单位|本月|本年累计,
  a section heading, one row per indicator (catalog names) and a footer.
- `write_table`: a table-layout (清单式) CSV, one row per org and a 合计 row.
- `clean_folder`: a county's quarter of clean submissions (three towns in forms, three
  街道 in one GBK table per month) with its orgs.csv; `check` passes it.
- `run_cli`: `fulian-stats check …` in a subprocess, so that `main()`'s error handling
  (exit codes, no traceback) is what is tested.

In a form written by `write_form` the indicator rows start at row FIRST_ROW, the name is
in column B, the unit in C, 本月 in D and 本年累计 in E: `form_cell(name, "D")` gives
the address of a value.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path
from unittest import mock


from conftest import write_xlsx
from fulian_stats.catalog import load_catalog, load_rules
from fulian_stats.checks import check_paths
from fulian_stats.orgs import load_orgs
from fulian_stats.periods import parse_period

CATALOG = load_catalog()
RULES = load_rules(CATALOG)

# (catalog name, unit, kind, value in month m): a realistic subset that passes every
# default rule (贫困妇女 ≤ 参训妇女, 已处理 ≤ 接待, 贷款 ≤ 30万元/人, …) and varies a little
# from month to month, never enough to look like an outlier.
INDICATORS: list[tuple[str, str, str, object]] = [
    ("新媒体推送信息", "条", "flow", lambda m, k: 10 + m + k),
    ("新媒体阅读量", "次", "flow", lambda m, k: 1500 + 20 * m + 100 * k),
    ("技能培训班", "期", "flow", lambda m, k: 1 + (m + k) % 2),
    ("参训妇女", "人", "flow", lambda m, k: 40 + m + k),
    ("其中贫困妇女(技能培训)", "人", "flow", lambda m, k: 10 + k),
    ("取得资格证书", "人", "flow", lambda m, k: 30),
    ("创业担保贷款申请人数", "人", "flow", lambda m, k: 2),
    ("创业担保贷款金额", "万元", "flow", lambda m, k: 20.5 + k),
    ("接待信访案件", "件", "flow", lambda m, k: 3),
    ("已处理信访案件", "件", "flow", lambda m, k: 3),
    ("贫困村", "个", "stock", lambda m, k: 8 + k),
    ("建有儿童之家的贫困村", "个", "stock", lambda m, k: 6),
    ("儿童之家总数", "所", "stock", lambda m, k: 11 + k),
    ("妇女之家活动", "场", "flow", lambda m, k: 4 + m % 2),
    ("妇女之家服务", "人次", "flow", lambda m, k: 260 + 5 * m + 10 * k),
    ("慰问困境妇女儿童老人", "人", "flow", lambda m, k: 60 + m + k),
]
NAMES = [name for name, *_ in INDICATORS]
TITLE_ROW, META_ROW, HEADER_ROW, SECTION_ROW = 1, 2, 3, 4
FIRST_ROW = 5  # the first indicator row of a form written by write_form
HEADER = ["序号", "指标名称", "计量单位", "本月", "本年累计"]

TOWNS = ["大宁镇", "白沙镇", "石门镇"]
STREETS = ["河西街道", "城东街道", "城南街道"]
ORGS_CSV = (
    "name,parent,aliases\n"
    "青溪县,,青溪县妇联\n"
    + "".join(f"{name},青溪县,{name[:2]}|{name}妇联\n" for name in TOWNS + STREETS)
)


def form_cell(name: str, column: str = "D", rows: list | None = None) -> str:
    """The address of `name`'s 本月 (D) or 本年累计 (E) cell in a form by write_form."""
    names = [r[0] for r in rows] if rows is not None else NAMES
    return f"{column}{FIRST_ROW + names.index(name)}"


def month_rows(month: int, k: int = 0, ytd: bool = True) -> list[list]:
    """[name, unit, 本月, 本年累计] of every INDICATORS row for month `month` of org number k;
    本年累计 is the sum of months 1..month for flows and blank for stocks."""
    rows = []
    for name, unit, kind, value in INDICATORS:
        total = sum(value(m, k) for m in range(1, month + 1)) if kind == "flow" else ""
        rows.append([name, unit, value(month, k), total if ytd else ""])
    return rows


def set_value(rows: list[list], name: str, month=None, ytd=None, unit=None) -> list[list]:
    """Change one indicator row of `rows` in place (and return rows)."""
    for row in rows:
        if row[0] == name:
            if month is not None:
                row[2] = month
            if ytd is not None:
                row[3] = ytd
            if unit is not None:
                row[1] = unit
            return rows
    raise KeyError(name)


def write_form(path: Path, org: str | None = "大宁镇妇联", period: str | None = "2016年3月",
               rows: list[list] | None = None, sheet: str = "月报",
               title: str = "青溪县妇联工作统计月报表", extra_sheets: dict | None = None,
               header: list[str] | None = None, below: list[list] = ()) -> Path:
    """A form-layout workbook; org/period None leaves that line out. `rows` are
    [name, unit, 本月, 本年累计]; `extra_sheets` maps sheet name → list of rows; `below`
    are whole rows after the footer."""
    return write_xlsx(path, form_sheet(org, period, rows, title, header, below), sheet, extra_sheets)


def form_sheet(org: str | None = "大宁镇妇联", period: str | None = "2016年3月", rows: list[list] | None = None,
               title: str = "青溪县妇联工作统计月报表", header: list[str] | None = None, below: list[list] = ()) -> list[list]:
    """The cells of write_form's sheet, for a workbook of several (its `extra_sheets`)."""
    rows = month_rows(3) if rows is None else rows
    return [[title], [f"填报单位：{org}" if org else "", "", "", f"报告期：{period}" if period else "", ""],
            header or HEADER, ["一、工作情况", "", "", "", ""], *([number, *row] for number, row in enumerate(rows, 1)),
            [], ["填表人：赵敏", "", "审核人：王芳", "", "填报日期：2016年4月3日"], *below]


def write_table(path: Path, rows: list[list], names: list[str] | None = None,
                encoding: str = "gb18030", total: bool | list = True, period_col: bool = False) -> Path:
    """A table-layout CSV: 单位名称, then one `名称（单位）` column per indicator. `rows` are
    [org, *values] (or [org, period, *values] with period_col); `total=True` appends a
    correct 合计 row, a list appends that row as given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    names = names or [name for name, *_ in INDICATORS]
    units = {name: unit for name, unit, *_ in INDICATORS}
    header = ["单位名称", *(["月份"] if period_col else []),
              *[f"{n}（{units[n]}）" if n in units else n for n in names]]
    skip = 2 if period_col else 1
    lines = [header, *rows]
    if total is True:
        sums = [sum(float(r[skip + i]) for r in rows if r[skip + i] not in ("", None)) for i in range(len(names))]
        lines.append(["合计", *([""] if period_col else []), *[_plain(s) for s in sums]])
    elif total:
        lines.append(total)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _plain(x: float):
    return int(x) if float(x) == int(x) else round(x, 6)


def street_rows(month: int) -> list[list]:
    """One table row per 街道 for `month`: [org, *values of INDICATORS]."""
    return [[org, *[value(month, 3 + k) for *_, value in INDICATORS]] for k, org in enumerate(STREETS)]


def clean_folder(root: Path, months: range = range(1, 4), year: int = 2016) -> Path:
    """`root/submissions/` with a form per town and a table for the 街道 per month, and
    `root/orgs.csv`. Every file is clean; returns the submissions folder."""
    folder = root / "submissions"
    for month in months:
        for k, town in enumerate(TOWNS):
            write_form(folder / f"{year}-{month:02d}" / f"{town}_{year}-{month:02d}.xlsx",
                       org=f"{town}妇联", period=f"{year}年{month}月", rows=month_rows(month, k))
        write_table(folder / f"{year}-{month:02d}" / f"城区街道_{year}-{month:02d}.csv", street_rows(month))
    (root / "orgs.csv").write_text(ORGS_CSV, encoding="utf-8")
    return folder


# An .xlsx saved with an open password ("secret"): an OLE compound file holding
# EncryptionInfo and EncryptedPackage (ECMA-376 agile encryption), as Excel and WPS
# write one. Made once with msoffcrypto-tool (ECMA376Agile.encrypt of a tiny payload),
# which the tests do not need installed.
_ENCRYPTED_XLSX = (
    "eNrtV+ty2kYUXnyL7d6SXtLUTRONfnWGxiAusvAYp+IWwIANwhj6by0JJEAXS8IYMp3pC/Qh8gh9hv7pv/YFOtM+SO0eCWGD"
    "Lyly0ullfDQfy+5qz7fnnE8r+OXnB7+9+mHtd3TJttE8Oj1bQUsTYz7A3Lhzf9S3cXp2djYePruz/5T9AbDrNw+1W3Bradf8"
    "HmDZ7Z/epel/a+Pnd36i1pfrvwrtO4B3Ae8B3gd8MDoC0APAh4CPAB8DPgE8BHwKeAT4DLAG+BzwGPAF4Angqev7zv5ZqyAN"
    "LgsRKI1UaA00QF7sIVo8P/NXb7jnu6++/zHx8lffuF1ErrjAbFbeYdWBXUQC2kMYRjrw2YL+XxkJb6TJeGbhX4GxL925JZQC"
    "JgvAwQ5sZhGZHuJ/BG/AMffCjPFPztWAzwBGGaqgIu92H835vMZvjxXcuavRF6HVZ+ZfA3777Fh03/2z8Nu/IfQb+XOQhyZk"
    "YzZ7jHxO/PecWnrPP+do3s5965IWRxW5ur9pi9wi/7ZOvnbnqsCHgcd0YjaQ4j3+c/0t/w3xX93f5fh95/Gv3IJ/CZ53A7gU"
    "YPF69iDn3eM9/7ZWf0LXnT+jmL1U4Anwz7m/g72cP68W0b/CtgBFiJt3VGACmpCHdZR0MmErX4bWPqPWrz0px/8BfLfkX3bX"
    "ShM+iBneC6G38OxO8odu+SzU3fX2efoSZeCKIRaFoQ3C5zMURTT4ysC3CHyjnLEE7CwFM/YsC+MUZJuCkSDagH3Y932LSh7q"
    "Muteb6rVwhvoZwEu+yzben6idIlj0TBlTY2T1HqQJESV1wRZbcXJ/WrmGUMSpoVVAXc1VYyTA9Ekn2+vbsFNxkC3YBUBHlQz"
    "TkqWpW8GAiYviQo21xWZNzRTa1rrvKYEtGZT5sVAKBikAxdLydHaTd3D6o44SI8caEZAx6bZ1wxh7Ii/rSNeNCwZ5rAlktur"
    "BNgWzKewhQkTdy1OHkLsFE0Sh12N71x04aaEbEH0oSj0JGxKozk6Qjpezo2XdUk02G5LM2RLUuIkm+ZIdzQpYVl1Ej7+VtQE"
    "MZlIjjxOLOKybJQKkc6earjbA6ZCLBs02QxTbFGh3WrOzyYTlWA/HieJgBuIAFHkVEtsgZMB4WZfFLIK5nfEAXgQ2r1cSe4M"
    "q+Vof5gvQHqYMpftdZTcAb1RkfRAkFHTsYAka9wxc1KmCo3mSZR9QZeNkxyTYartNq8OU/1mJ/TioEg3RVpr4LK9gykud7/F"
    "xEnsiIr2DvV8fT/EHpVyXCEU2aG6/O6ugllBDu3qraM8sxGN1I7FvVSf5hW8I2Kj0q3sdUqNWn0o7A9ozBS5oVTHbY6ShnV2"
    "Mt7Jwprb52WYGid6hvzGotueKvGWvnkeL+SVMHVZTWo91QKlBG0jPUhpWjyXbEpmb1dZr+WdUF2jTR92+W/6CS23MTyWqiZT"
    "jOz2p2peEw14okQjC0Q5Ve9BHhSudlDSK+GqmSoL9XS4XyoeRWylvJb2Wo/uPnKBVDPPWJmIUGK67R0/Tu31G7F6li4OqAN/"
    "uH2433rhl/JFM7xbS/q1MtPSeS4a02PBbClVrOYo3N/ZOYz1woxeOK7lI+lItZ6a1i7U0iUT9i2eGWKd9uOIlT+JJioyVjJ6"
    "WsgeVzPdWCjJFyoptn3UMCIXcnSkMSUgV6aBSzrdmjgYt1fRnd3ZzfYnw+Es1g=="
)


def write_encrypted(path: Path) -> Path:
    path.write_bytes(zlib.decompress(base64.b64decode(_ENCRYPTED_XLSX)))
    return path


def check(*paths, orgs: Path | None = None, period: str | None = None):
    """`fulian_stats.checks.check_paths` with the default catalog and rules."""
    registry = load_orgs(orgs) if orgs is not None else None
    exclude = {Path(orgs)} if orgs is not None else set()
    return check_paths(list(paths), CATALOG, RULES, registry, parse_period(period) if period else None,
                       exclude=exclude)


def obs(org, period, ind, value, cell="D8", measure="month", file="a.xlsx", sheet="月报"):
    """An observation row as blocks_from_rows takes it."""
    return (org, period, ind, float(value), sheet, cell, measure, file)


def run_check(module, blocks, rules=RULES, orgs=None, period=None, findings=()):
    """One check module on hand-made blocks, as checks/__init__.py runs it."""
    from fulian_stats.checks import CheckContext

    ctx = CheckContext(CATALOG, rules, orgs, period, list(findings), blocks=blocks)
    return module.check(blocks, ctx)


def codes(result) -> list[str]:
    return sorted(f.code for f in result.findings)


def only(result, code: str):
    """The one finding with `code` (fails when there are none or several)."""
    found = [f for f in result.findings if f.code == code]
    assert len(found) == 1, f"expected one {code}, got {[(f.code, f.file, f.cell, f.message) for f in result.findings]}"
    return found[0]


def problems(result) -> list[tuple[str, str | None, str | None]]:
    """(code, file name, cell) of every error and warning: what a clean file must not have."""
    return [(f.code, Path(f.file).name if f.file else None, f.cell)
            for f in result.findings if f.severity in ("error", "warning")]


def fulian_command() -> list[str]:
    """The console script of the environment running the tests: the first `fulian-stats`
    on PATH may be another checkout's."""
    exe = shutil.which("fulian-stats", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "fulian_stats"]


def ci_environment() -> dict[str, str]:
    """The environment CI runs the command in: CI set, 200 columns, none of the tests' own
    FULIAN_ variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FULIAN")}
    env.update(CI="true", PYTHONIOENCODING="utf-8", COLUMNS="200")
    return env


def fulian_installed(*args, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """`fulian-stats ARGS` in `cwd` as its own process, as CI runs it (not a terminal): for the
    few end-to-end tests of the installed command."""
    return subprocess.run([*fulian_command(), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", env=ci_environment(), timeout=timeout, stdin=subprocess.DEVNULL)


@contextlib.contextmanager
def _descriptors_captured(sink: list[str]):
    """What is written on file descriptors 1 and 2 themselves, past sys.stdout and sys.stderr
    (a native library, a reading worker's own output), appended to `sink` at the end."""
    with tempfile.TemporaryFile() as stray:
        saved = [os.dup(1), os.dup(2)]
        for fd in (1, 2):
            os.dup2(stray.fileno(), fd)
        try:
            yield
        finally:
            for fd, copy in zip((1, 2), saved):
                os.dup2(copy, fd)
                os.close(copy)
            stray.seek(0)
            sink.append(stray.read().decode("utf-8", "replace"))


def fulian(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`fulian-stats ARGS` in this process, through its entry point main(), as CI runs it
    (ci_environment, in `cwd`): exit code, stdout, and stderr followed by whatever reached
    the file descriptors themselves, which the user would see too."""
    from fulian_stats.cli import main

    argv = ["fulian-stats", *map(str, args)]
    out, err, stray = io.StringIO(), io.StringIO(), []
    code = 0
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])  # main() blocks stop signals once the run has ended
    try:
        with (mock.patch.dict(os.environ, ci_environment(), clear=True), mock.patch.object(sys, "argv", argv),
              contextlib.chdir(cwd or Path.cwd()), _descriptors_captured(stray),
              contextlib.redirect_stdout(out), contextlib.redirect_stderr(err)):
            main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue() + stray[0])


def run_cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    """`fulian-stats check ARGS` in `cwd`, as CI runs it (not a terminal, CI set)."""
    return fulian("check", *args, cwd=cwd)
