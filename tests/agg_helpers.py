"""Shared builders for the aggregate, workbook, write and CLI tests: real township files
written with openpyxl, a small org registry, the hand-computed set they share, and a way
to run the command line in-process."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd

from check_helpers import fulian
from conftest import saved_once
from fulian_stats.catalog import load_catalog
from fulian_stats.read import OBSERVATION_COLUMNS

CATALOG = load_catalog()

# city → 2 counties → townships. 青溪县 has the hand-computed set below.
ORGS_CSV = """name,parent,aliases
云州市,,
青溪县,云州市,青溪县妇联
石门县,云州市,石门县妇联
大宁镇,青溪县,大宁|大宁镇妇联
白沙镇,青溪县,白沙|白沙镇妇联
龙潭乡,青溪县,龙潭|龙潭乡妇联
石门镇,石门县,石门|石门镇妇联
桃源乡,石门县,桃源|桃源乡妇联
"""


def write_orgs(folder: Path) -> Path:
    path = Path(folder) / "orgs.csv"
    path.write_text(ORGS_CSV, encoding="utf-8")
    return path


def write_form(path: Path, org: str, period_label: str, values: dict[str, object],
               ytd: dict[str, object] | None = None) -> Path:
    """A form-layout (表式) submission as a clerk fills it: title, 填报单位 and 报告期,
    the header 序号|指标名称|计量单位|本月|本年累计, one row per indicator (catalog names)."""
    def save(path: Path) -> None:
        book = openpyxl.Workbook()
        ws = book.active
        ws.title = "月报"
        ws["A1"] = "妇联工作统计月报表"
        ws["A2"] = f"填报单位：{org}妇联"
        ws["D2"] = f"报告期：{period_label}"
        ws.append(["序号", "指标名称", "计量单位", "本月", "本年累计"])
        for n, (ind_id, value) in enumerate(values.items(), start=1):
            ind = CATALOG[ind_id]
            ws.append([n, ind.name, ind.unit, value, (ytd or {}).get(ind_id)])
        ws.append([])
        ws.append(["填表人：张三", None, "审核人：李四"])
        book.save(path)

    return saved_once(Path(path), repr((org, period_label, values, ytd)), save)


def write_table_csv(path: Path, rows: list[tuple[str, dict[str, object]]], period_label: str | None = None,
                    encoding: str = "utf-8-sig") -> Path:
    """A table-layout (清单式) CSV: one row per org, one column per indicator (catalog
    names), and a 合计 row."""
    import csv

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ids = list(dict.fromkeys(i for _org, values in rows for i in values))
    header = ["单位名称"] + (["报告期"] if period_label else []) + [CATALOG[i].name for i in ids]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for org, values in rows:
        writer.writerow([org] + ([period_label] if period_label else []) + [values.get(i, "") for i in ids])
    totals = [sum(v.get(i, 0) for _o, v in rows) for i in ids]
    writer.writerow(["合计"] + ([""] if period_label else []) + [round(t, 6) for t in totals])
    path.write_text(buffer.getvalue(), encoding=encoding)
    return path


# -- the hand-computed set: 青溪县, 3 townships × 2016-01..03 ---------------------------

# 龙潭乡 does not report March: its stocks come from February.
QINGXI = {
    ("大宁镇", 1): dict(trainees=10, loan_applicants=1, loan_amount=0.1, petitions=4, petitions_handled=3,
                       poor_villages=5, poor_villages_with_children_home=2, children_homes_total=7),
    ("大宁镇", 2): dict(trainees=20, loan_applicants=2, loan_amount=0.2, petitions=2, petitions_handled=2,
                       poor_villages=5, poor_villages_with_children_home=3, children_homes_total=8),
    ("大宁镇", 3): dict(trainees=30, loan_applicants=1, loan_amount=12.34, petitions=0, petitions_handled=0,
                       poor_villages=4, poor_villages_with_children_home=4, children_homes_total=9),
    ("白沙镇", 1): dict(trainees=5, loan_applicants=1, loan_amount=0.7, petitions=3, petitions_handled=1,
                       poor_villages=3, poor_villages_with_children_home=1, children_homes_total=4),
    ("白沙镇", 2): dict(trainees=0, petitions=1, petitions_handled=1,
                       poor_villages=3, poor_villages_with_children_home=1, children_homes_total=4),
    ("白沙镇", 3): dict(trainees=7, loan_applicants=1, loan_amount=2.05, petitions=2, petitions_handled=2,
                       poor_villages=3, poor_villages_with_children_home=2, children_homes_total=5),
    ("龙潭乡", 1): dict(trainees=8, petitions=1, petitions_handled=0,
                       poor_villages=6, poor_villages_with_children_home=1, children_homes_total=2),
    ("龙潭乡", 2): dict(trainees=9, loan_applicants=1, loan_amount=5.55, petitions=2, petitions_handled=2,
                       poor_villages=6, poor_villages_with_children_home=3, children_homes_total=3),
}

# 石门县: 2 townships × 2016-01..03, for the hierarchy and the county → city round trip.
SHIMEN = {
    ("石门镇", 1): dict(trainees=11, loan_applicants=1, loan_amount=1.01, petitions=5, petitions_handled=5,
                       poor_villages=8, poor_villages_with_children_home=5, children_homes_total=10),
    ("石门镇", 2): dict(trainees=12, petitions=1, petitions_handled=0,
                       poor_villages=8, poor_villages_with_children_home=6, children_homes_total=11),
    ("石门镇", 3): dict(trainees=13, loan_applicants=2, loan_amount=3.33, petitions=2, petitions_handled=1,
                       poor_villages=7, poor_villages_with_children_home=6, children_homes_total=12),
    ("桃源乡", 1): dict(trainees=4, petitions=0, petitions_handled=0,
                       poor_villages=2, poor_villages_with_children_home=0, children_homes_total=1),
    ("桃源乡", 2): dict(trainees=6, loan_applicants=1, loan_amount=0.45, petitions=1, petitions_handled=1,
                       poor_villages=2, poor_villages_with_children_home=1, children_homes_total=2),
    ("桃源乡", 3): dict(trainees=3, petitions=3, petitions_handled=2,
                       poor_villages=2, poor_villages_with_children_home=2, children_homes_total=2),
}


def write_set(folder: Path, data: dict, year: int = 2016) -> list[Path]:
    """One form file per (org, month), named as townships name them."""
    paths = []
    for (org, month), values in data.items():
        name = f"{org}_{year}-{month:02d}.xlsx"
        paths.append(write_form(Path(folder) / name, org, f"{year}年{month}月", values))
    return paths


# -- the command line, in-process ------------------------------------------------------

@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def cli(*args) -> Run:
    """`fulian-stats ARGS` through its real entry point (exit code, stdout, stderr)."""
    done = fulian(*args)
    return Run(done.returncode, done.stdout, done.stderr)


def totals(data: dict) -> dict[tuple, object]:
    """The rows of an aggregate JSON (or Totals.rows) keyed by (org, period, indicator)."""
    rows = data["rows"] if isinstance(data, dict) else data
    return {(r["org"], r["period"], r["indicator"]): r["value"] for r in rows}


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def digests(folder: Path) -> dict[str, str]:
    """Every file under `folder` → its sha256: what a run must leave as it was."""
    return {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    """Temporary files an interrupted write would leave (atomic writes leave none)."""
    return sorted(p.name for p in Path(folder).iterdir() if p.name.startswith("."))


def frame(rows: list[tuple]) -> pd.DataFrame:
    """An observation DataFrame from (org, period, indicator, value[, file]) tuples."""
    built = []
    for i, row in enumerate(rows):
        org, period, indicator, value, *rest = row
        file = rest[0] if rest else f"{org}_{period}.xlsx"
        built.append((org, period, indicator, value, "月报", f"D{i + 4}", "month", file))
    return pd.DataFrame(built, columns=OBSERVATION_COLUMNS)
