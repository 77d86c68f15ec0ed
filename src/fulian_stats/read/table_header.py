"""A table's header over two rows: what the row above the indicator headings, or the
row below them, adds to a column.

- A group heading above: 创业担保贷款 merged across 申请人数 | 金额 names the columns
  创业担保贷款申请人数 and 创业担保贷款金额.
- Measures below: 参训妇女 merged across 本月 | 本年累计 makes one column the month's
  value and the next its 本年累计.

In a CSV, which keeps no merged ranges, the heading stands in the first column of its
span and the cells to its right are empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fulian_stats.read.header import IGNORED, MONTH, SEQ, YTD, SheetCells, header_key, heading_role, is_leaf_row
from fulian_stats.read.numbers import holds_number


_LABEL = re.compile(r"[:：]")


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None or value == "" else str(value)


def groups_above(cells: SheetCells, index: int, keys: list[str], not_under: set[str]) -> dict[int, str]:
    """Column → the group heading over it in the row above a table's header row `index`.
    A title across the whole table is no group: a group stands over no column headed
    with a word of `not_under` (单位名称, 月份) nor over 序号."""
    above = cells.rows[index - 1]
    texts = [c for c, v in enumerate(above) if _text(v)]  # a merge's text stands in its first cell
    spans: list[tuple[int, int, str]] = []
    merged = cells.merges is not None and index - 1 in cells.merges.wide_ends
    if merged:
        for (r1, c1), (r2, c2) in cells.merges.extent.items():
            if r1 <= index - 1 == r2 and c2 > c1 and 0 < c1 < len(cells.rows[r1]):  # from A: a title
                spans.append((c1, c2, _text(cells.rows[r1][c1])))
    if len(texts) >= 2:
        # Unmerged (a CSV, or a clerk who merged one group and not the next): a heading
        # spans to the next heading of its row or a merge, as far as the header row goes
        # (申请人数 | 空 | 金额 | 空 under it: sub-headings may span columns of their own).
        taken = {c for c1, c2, _t in spans for c in range(c1, c2 + 1)}
        ends = sorted(set(texts) | taken) + [max(len(above), len(keys))]
        for c1 in texts:
            if c1 in taken or not cells.is_own(index - 1, c1):
                continue
            after = next(c for c in ends if c > c1)
            c2 = min(after, len(keys)) - 1
            if c2 > c1:
                spans.append((c1, c2, _text(above[c1])))
    elif not merged:
        return {}
    below = cells.rows[index]
    groups = {}
    for c1, c2, text in spans:
        under = keys[c1:c2 + 1]
        if any(holds_number(v) for v in below[c1:c2 + 1]):
            continue  # numbers under it: a row of data, not of sub-headings
        if all(heading_role(k)[0] in (MONTH, YTD, IGNORED) for k in under if k):
            continue  # 参训妇女 over 本月 | 本年累计: an indicator over its measures (measures_below)
        # 填报单位：…, 金额单位：万元 above the header are lines of the form, no group headings
        if text and not _LABEL.search(text) and header_key(text) not in not_under and any(under) \
                and not any(k in not_under or heading_role(k)[0] == SEQ for k in under):
            groups.update((c, text) for c in range(c1, c2 + 1))
    return groups


def headings_down(cells: SheetCells, index: int, row: list, keys: list[str], groups: dict[int, str]
                  ) -> tuple[list, list[str]]:
    """The header row `index` (under group headings) with the empty cells outside the
    groups given the heading above them: 单位名称 or 参训妇女 merged down over both rows
    (in a CSV, written in the upper row only)."""
    above = cells.rows[index - 1]
    width = max(len(row), len(above))
    row, keys = list(row) + [None] * (width - len(row)), list(keys) + [""] * (width - len(keys))
    for c in range(width):
        if c in groups or _text(row[c]):
            continue
        # merged down, or (a clerk who did not merge it, a CSV) written in the row above only
        value = cells.value(index, c) if not cells.is_own(index, c) else cells.value(index - 1, c)
        if _text(value):
            row[c], keys[c] = value, header_key(value)
    return row, keys


@dataclass
class Measures:
    """The columns of indicator headings that stand over 本月 | 本年累计."""

    month: dict[int, str] = field(default_factory=dict)  # column → indicator id
    ytd: dict[int, str] = field(default_factory=dict)
    units: dict[int, str] = field(default_factory=dict)  # the unit of the heading over each
    leaves: dict[int, str] = field(default_factory=dict)  # column → its heading below (本月)
    owners: dict[int, int] = field(default_factory=dict)  # column → the column of its indicator's heading
    ignored: dict[int, str] = field(default_factory=dict)  # column → its heading below that is never data (上年同期)


def measures_below(cells: SheetCells, index: int, indicator_cols: dict[int, str],
                   units: dict[int, str]) -> Measures | None:
    """The row under a table's header row `index` when it holds only 本月 / 本年累计
    headings under the indicator headings (each indicator's span: the columns its merge
    covers, or in a CSV the empty header cells right of it); None when it is no such row."""
    below = index + 1
    if below >= len(cells.rows) or not is_leaf_row(cells, below):
        return None
    header, leaf_row = cells.rows[index], cells.rows[below]
    found = Measures()
    owner = None
    for c in range(max(len(header), len(leaf_row))):
        if c in indicator_cols:
            owner = c
        elif cells.merges is not None:
            source = cells.merges.source(index, c)
            owner = source[1] if source[0] == index and source[1] in indicator_cols else None
        elif c < len(header) and _text(header[c]):
            owner = None  # another heading: the indicator's span ended
        leaf = _text(cells.value(below, c)) if cells.is_own(below, c) else ""  # 技能培训班 merged down: no leaf
        if owner is None:
            continue
        role = heading_role(header_key(leaf))[0] if leaf else (MONTH if c == owner else None)
        if role in (MONTH, YTD):
            (found.month if role == MONTH else found.ytd)[c] = indicator_cols[owner]
            found.leaves[c], found.owners[c] = leaf, owner
        elif role == IGNORED:
            found.ignored[c], found.owners[c] = leaf, owner
            if owner in units:
                found.units[c] = units[owner]
    return found if any(found.leaves.values()) else None
