"""Shared builders for the reader tests: small real submissions written into tmp_path.

`FIGURES` is one set of figures of 大宁镇 for 2016-03 (five indicators, one of them in
万元 with a decimal). Every layout the reader understands can be written from it, and
every one of them must read back to `EXPECTED`: the same (org, period, indicator, value)
observations, each with the cell it came from.

- `write_xlsx(path, rows)`: a one-sheet workbook (more sheets with `more=`).
- `write_csv(path, rows, encoding)`: a CSV with CRLF line ends as Excel writes it;
  `utf-8-sig` gives the BOM.
- `form_rows(...)`: the rows of a form-layout (表式) sheet.
- `read(path, orgs=..., period=...)`: `read_file` with the default catalog.
- `month_values`, `cells`, `found`, `only`: what a result holds, in comparable shape.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import openpyxl
import pytest
from hypothesis import settings

from fulian_stats.catalog import load_catalog
from fulian_stats.orgs import parse_orgs
from fulian_stats.periods import parse_period
from fulian_stats.read import ReadContext, read_file

# In CI (CI=true) every property test tries the same examples each run, so that a red
# CI is the change's doing; runs elsewhere keep drawing new ones, which is how bugs are
# found (a falsifying example then goes into the tests as a regression test).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")

CATALOG = load_catalog()
ORGS_CSV = (
    "name,parent,aliases\n"
    "青溪县,,青溪县妇联\n"
    "大宁镇,青溪县,大宁|大宁镇妇联\n"
    "白沙镇,青溪县,白沙|白沙镇妇联\n"
    "青溪镇,青溪县,青溪|青溪镇妇联\n"
)
ORGS = parse_orgs(ORGS_CSV, "orgs.csv")

# (id, catalog name, an alias of the catalog, unit, 本月, 本年累计)
FIGURES: list[tuple[str, str, str, str, float, float]] = [
    ("trainees", "参训妇女", "参训人数", "人", 45, 120),
    ("loan_amount", "创业担保贷款金额", "贷款金额", "万元", 20.5, 61.25),
    ("jobs_offered", "提供就业岗位", "就业岗位", "个", 1989, 3010),
    ("petitions", "接待信访案件", "来信来访", "件", 3, 8),
    ("wechat_reads", "新媒体阅读量", "阅读量", "次", 1520, 4560),
]
IDS = [f[0] for f in FIGURES]
EXPECTED = {("大宁镇", "2016-03", ind, float(month)) for ind, _n, _a, _u, month, _y in FIGURES}
EXPECTED_YTD = {("大宁镇", "2016-03", ind, float(ytd)) for ind, _n, _a, _u, _m, ytd in FIGURES}
# Another org's figures for the layouts with one row or column per org.
OTHER = {"trainees": 10, "loan_amount": 1.25, "jobs_offered": 11, "petitions": 1, "wechat_reads": 100}
TOTALS = {ind: float(month + OTHER[ind]) for ind, _n, _a, _u, month, _y in FIGURES}

FORM_HEADER = ["序号", "指标名称", "计量单位", "本月", "本年累计"]
TITLE = "青溪县妇联工作统计月报表"
FOOTER = ["填表人：赵敏", None, "审核人：王芳", None, "填报日期：2016年4月3日"]


def figure_rows(names: str = "name", ytd: bool = True) -> list[list]:
    """[序号, name, unit, 本月, (本年累计)] of FIGURES; names "name" or "alias"."""
    rows = []
    for number, (_ind, name, alias, unit, month, total) in enumerate(FIGURES, start=1):
        rows.append([number, name if names == "name" else alias, unit, month, *([total] if ytd else [])])
    return rows


def form_rows(org: str | None = "大宁镇妇联", period: str | None = "2016年3月", body: list[list] | None = None,
              header: list[str] | None = None, title: str | None = TITLE, footer: bool = False) -> list[list]:
    """A form sheet: title (row 1), `填报单位：…` in A2 and `报告期：…` in D2, the header in
    row 3, then `body` (FIGURES by default) from row 4. None leaves that part out (the rows
    below then keep their place: an empty meta row, an empty title row)."""
    rows = [[title] if title else [None]]
    rows.append([f"填报单位：{org}" if org else None, None, None, f"报告期：{period}" if period else None])
    rows.append(list(header or FORM_HEADER))
    rows.extend(figure_rows() if body is None else body)
    if footer:
        rows.append([])
        rows.append(list(FOOTER))
    return rows


_SAVED: dict[str, bytes] = {}


def saved_once(path: Path, same: str, save) -> Path:
    """save(path), unless a workbook `same` describes was saved before: then its bytes.
    The tests write the same workbooks hundreds of times, and openpyxl takes 5 ms one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if same in _SAVED:
        path.write_bytes(_SAVED[same])
    else:
        save(path)
        _SAVED[same] = path.read_bytes()
    return path


def write_xlsx(path: Path, rows: list[list], sheet: str = "月报", more: dict[str, list[list]] | None = None) -> Path:
    """A workbook with `rows` in `sheet` (and more sheets: name → rows), as openpyxl saves it."""
    return saved_once(path, repr((rows, sheet, more)), lambda path: _book(rows, sheet, more).save(path))


def _book(rows: list[list], sheet: str, more: dict[str, list[list]] | None) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for name, other_rows in (more or {}).items():
        other = book.create_sheet(name)
        for row in other_rows:
            other.append(row)
    return book


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    """CSV as Excel saves it: CRLF line ends, `utf-8-sig` with a BOM, `gbk` without."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(rows, encoding))
    return path


def table_header(names: str = "name") -> list[str]:
    """`单位名称` and one `名称（单位）` column per FIGURES indicator."""
    return ["单位名称", *[f"{name if names == 'name' else alias}（{unit}）" for _i, name, alias, unit, *_ in FIGURES]]


def table_rows(org: str = "大宁镇", other: str = "白沙镇", total: bool = True) -> list[list]:
    """Header, a row for `org` (FIGURES' 本月), a row for `other` (OTHER) and a 合计 row."""
    rows = [table_header(), [org, *[f[4] for f in FIGURES]], [other, *[OTHER[i] for i in IDS]]]
    if total:
        rows.append(["合计", *[TOTALS[i] for i in IDS]])
    return rows


def context(orgs=None, period: str | None = None) -> ReadContext:
    return ReadContext(CATALOG, orgs, parse_period(period) if period else None)


def read(path: Path, orgs=None, period: str | None = None):
    """`read_file` of one file with the default catalog; a FileResult."""
    return read_file(path, context(orgs, period), path.name)


def observations(result) -> list[tuple]:
    """(org, period, indicator, value, sheet, cell, measure) of a FileResult or ReadResult."""
    if hasattr(result, "files"):
        return [o for r in result.files for o in r.observations]
    return list(result.observations)


def findings(result) -> list:
    return result.all_findings() if hasattr(result, "all_findings") else list(result.findings)


def month_values(result, measure: str = "month") -> set[tuple]:
    """{(org, period, indicator, value)} of the observations with `measure`."""
    return {o[:4] for o in observations(result) if o[6] == measure}


def cells(result, measure: str = "month", org: str | None = "大宁镇") -> dict[str, str]:
    """indicator → cell of one org's observations with `measure` (org None: the 合计's)."""
    return {o[2]: o[5] for o in observations(result) if o[6] == measure and o[0] == org}


def found(result) -> list[tuple[str, str | None]]:
    """(code, cell) of every finding, sorted: what a test compares exactly."""
    return sorted(((f.code, f.cell) for f in findings(result)), key=lambda x: (x[0], x[1] or ""))


def only(result, code: str):
    """The one finding with `code` (fails when there is none, or several)."""
    hits = [f for f in findings(result) if f.code == code]
    assert len(hits) == 1, f"expected one {code}, got {[(f.code, f.cell, f.message) for f in findings(result)]}"
    return hits[0]


@pytest.fixture
def tmp(tmp_path, monkeypatch):
    """tmp_path as the working folder, so files are named as a user names them."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def qingxi(tmp_path_factory) -> Path:
    """The hand-computed 青溪县 quarter of tests/agg_helpers.py, written once per module."""
    from agg_helpers import QINGXI, write_set

    folder = tmp_path_factory.mktemp("qingxi")
    write_set(folder, QINGXI)
    return folder


@pytest.fixture(scope="session")
def soffice_profile(tmp_path_factory) -> Path:
    """A LibreOffice user folder for the test session (see pdf_helpers.py)."""
    return tmp_path_factory.mktemp("soffice-profile")
