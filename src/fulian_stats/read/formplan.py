"""The fast path for form sheets made from one template.

A province's townships fill in the same form: the same names in the same rows. What
the reader works out from the names (which indicator each row holds, that its unit is
the catalog's, which rows are headings or a footer) is the same for every such sheet,
so it is worked out once per template and kept as a plan; each sheet then costs a read
of its value columns.

A plan is used only where the row-by-row reader (sheet.py) would report nothing but the
values: a sheet with anything to say (a repeated row, a unit to convert, text that is
no plain number, numbers without a name, a 本年累计 without its 本月) returns None here
and is read row by row, which stays the reference. tests/test_formplan.py holds the
two to the same results.
"""

from __future__ import annotations

import math
import weakref
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter

from fulian_stats.catalog import Catalog
from fulian_stats.findings import a1
from fulian_stats.normalize import is_sub_item
from fulian_stats.observations import MONTH, YTD, Block
from fulian_stats.read.grid import Sheet
from fulian_stats.read.header import unit_cell
from fulian_stats.read.layout import Layout, cell_text, opens_footer
from fulian_stats.read.numbers import BLANK, OK, holds_number, parse_number, without_noise
from fulian_stats.read.outside import note_with_numbers
from fulian_stats.units import factor_into, units_disagree

MAX_PLANS = 1024  # templates seen in one run; a province has a handful


@dataclass(frozen=True)
class FormPlan:
    rows: tuple[int, ...]  # the indicator rows (indexes into sheet.rows), in order
    ids: tuple[str, ...]  # their indicators
    others: tuple[int, ...]  # rows whose name is no indicator: headings, blanks, the footer
    cells: dict[int, tuple[str, ...]]  # value column → the A1 address of each indicator row
    bounds: tuple[float, ...]  # the largest plausible value of each indicator row
    least_bound: float  # the smallest of them
    # (column, kept rows) → (ids, cells) of a column with blanks: one tuple for every
    # sheet with the same blanks (本年累计 of stocks is blank in every form)
    parts: dict[tuple, tuple] = field(default_factory=dict)
    # row → its cells when last found to be neither a footer nor numbers without a name:
    # the headings of one template repeat in every sheet, and need looking at once
    quiet: dict[int, list] = field(default_factory=dict)


_NO_PLAN = object()  # a template the fast path cannot serve: remembered so as not to try again
_plans: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # catalog → key → plan


def read_form_columns(sheet: Sheet, layout: Layout, catalog: Catalog, file: str = "", org: str | None = None,
                      period: str | None = None) -> list[Block] | None:
    """The form's blocks (the 本月 column, then 本年累计, in the order the row-by-row
    reader meets them), or None when the sheet must be read row by row."""
    if layout.month_col is None:
        return None  # every 本年累计 is a month to work out
    rows = sheet.rows
    start = layout.data_start
    body = rows[start:]
    try:
        names = tuple(map(itemgetter(layout.name_col), body))
        units = tuple(map(itemgetter(layout.unit_col), body)) if layout.unit_col is not None else ()
    except IndexError:  # rows of unequal length (a CSV): row by row
        return None
    columns = [(layout.month_col, MONTH)]
    if layout.ytd_col is not None:
        columns.append((layout.ytd_col, YTD))
    key = (start, layout.name_col, layout.unit_col, tuple(columns), sheet.row_offset, sheet.col_offset, names, units)
    known = _plans.setdefault(catalog, {})
    plan = known.get(key)
    if plan is None:
        if len(known) >= MAX_PLANS:
            known.clear()
        plan = known[key] = _make_plan(catalog, start, names, units, sheet, [c for c, _ in columns]) or _NO_PLAN
    if plan is _NO_PLAN:
        return None
    return _read_columns(plan, rows, (file, org, period, sheet.name), columns)


def _make_plan(catalog: Catalog, start: int, names: tuple, units: tuple, sheet: Sheet,
               value_cols: list[int]) -> FormPlan | None:
    rows, ids, others = [], [], []
    parent = None  # as the row-by-row reader: a `其中：…` row is part of the indicator above
    for i, raw in enumerate(names):
        r = start + i
        name = cell_text(raw)
        ind_id, bracket_unit = catalog.lookup_row(name, parent) if name.strip() else (None, None)
        if ind_id is None:
            others.append(r)
            if not is_sub_item(name):
                parent = None
            continue
        if catalog[ind_id].parent is None:
            parent = ind_id
        unit = unit_cell(units[i]) if units else ""
        if ind_id in ids or factor_into(unit or bracket_unit, catalog[ind_id].unit) != 1.0 \
                or units_disagree(unit, bracket_unit):
            return None  # a repeated row or a unit to convert: findings, read row by row
        rows.append(r)
        ids.append(ind_id)
    cells = {c: tuple(a1(sheet.row_offset + r, sheet.col_offset + c) for r in rows) for c in value_cols}
    bounds = tuple(catalog.bounds[i] for i in ids)
    return FormPlan(tuple(rows), tuple(ids), tuple(others), cells, bounds, min(bounds, default=0.0))


def _read_columns(plan: FormPlan, rows: list[list], where: tuple, columns) -> list[Block] | None:
    """The blocks of the plan's rows in `columns`; `where` is (file, org, period, sheet)."""
    file, org, period, sheet = where
    stop = len(rows)
    quiet = plan.quiet
    for r in plan.others:
        row = rows[r]
        if quiet.get(r) == row:
            continue
        if opens_footer(row):
            stop = r
            break
        if any(parse_number(row[c]).status is not BLANK for c, _ in columns):
            return None  # numbers in a row without an indicator (or a 合计 row): a finding
        if any(isinstance(v, str) and note_with_numbers(v) for v in row):
            return None  # figures in a note's words: a finding
        quiet[r] = list(row)
    n = bisect_left(plan.rows, stop)
    if any(holds_number(row[c]) for row in rows[stop:] for c, _ in columns if c < len(row)):
        return None  # numbers in or below the footer: a finding
    if any(isinstance(v, str) and note_with_numbers(v) for row in rows[stop:] for v in row):
        return None  # figures in a note's words below the table: a finding
    found = []
    month_kept = None
    indicator_rows = list(map(rows.__getitem__, plan.rows[:n]))
    for position, (c, measure) in enumerate(columns):
        raws = list(map(itemgetter(c), indicator_rows))
        numbers = list(map(float.__instancecheck__, raws))
        if all(numbers):
            kept, values = range(len(raws)), raws
        elif numbers.count(False) == raws.count(""):  # numbers and empty cells
            kept, values = list(compress(range(len(raws)), numbers)), list(compress(raws, numbers))
        else:
            kept, values = [], []
            for i, raw in enumerate(raws):
                value = _plain_value(raw)
                if value is _NOT_PLAIN:
                    return None
                if value is not None:
                    kept.append(i)
                    values.append(value)
        if values and not _plausible(values, plan, kept):
            return None  # a value that is no figure: a finding, row by row
        if measure == MONTH:
            month_kept = kept
        elif len(month_kept) != len(raws) and not set(kept) <= set(month_kept):
            return None  # a 本年累计 without its 本月: read row by row
        if not values:
            continue
        if len(kept) == len(plan.ids):
            ids, cells = plan.ids, plan.cells[c]
        else:
            part = (c, tuple(kept))
            if part not in plan.parts:
                if len(plan.parts) >= MAX_PLANS:
                    plan.parts.clear()
                plan.parts[part] = (tuple(plan.ids[i] for i in kept), tuple(plan.cells[c][i] for i in kept))
            ids, cells = plan.parts[part]
        found.append((kept[0], position, Block(file, org, period, measure, sheet, ids, array("d", values), cells)))
    found.sort(key=lambda item: item[:2])  # as the row-by-row reader meets them: by row, then column
    return [block for _first, _position, block in found]


_NOT_PLAIN = object()


def _plausible(values: list, plan: FormPlan, kept) -> bool:
    """Every value finite and within its indicator's bound: decided at once by the sum
    (NaN and infinities carry through it) and the extremes, element by element only
    when an extreme passes the plan's smallest bound."""
    total = sum(values)
    if total != total or total in (math.inf, -math.inf):
        return False
    high, low = max(values), min(values)
    if -plan.least_bound <= low and high <= plan.least_bound:
        return True
    return all(-plan.bounds[i] <= v <= plan.bounds[i] for i, v in zip(kept, values))


def _plain_value(raw: object):
    """A cell's value when the row-by-row reader would take it without a word: a number,
    or text that is a plain number. None for a blank; _NOT_PLAIN for anything else."""
    kind = type(raw)
    if kind is float:
        return raw
    if kind is int:
        return float(raw)
    if raw is None or raw == "" or (kind is str and not raw.strip()):
        return None
    if kind is str:
        parsed = parse_number(raw)
        if parsed.status is OK and parsed.unit is None and parsed.scale == 1:
            return without_noise(parsed.value)
    return _NOT_PLAIN
