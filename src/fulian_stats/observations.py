"""The long table, stored as blocks.

An observation is (org, period, indicator, value, sheet, cell, measure) plus its file.
A province-year has well over a million of them, nearly all in form sheets made from
one template, so they are kept as blocks: the observations of one value column of a
sheet (or one row of a table) that share file, org, period and measure, as parallel
tuples of indicator ids, values and cells. A block is born with its file, sheet, org and
period: everything made of it (a finding, a total) knows where it came from. Sheets with the same rows share the `indicators` and
`cells` tuples, so a block costs little more than its list of floats, pickles small
between processes, and the checks work on a block at a time instead of a cell at a time.

Within a block an indicator appears once; blocks keep the order the reader met them in.
"""

from __future__ import annotations

from array import array
from typing import NamedTuple

MONTH, YTD, TOTAL, SUBTOTAL, DERIVE = "month", "ytd", "total", "subtotal", "derive"
TOLERANCE = 1e-6  # a cent of 万元 is 1e-6: sums (a 合计, a 本年累计) are compared to that


def sums_differ(total: float, expected: float) -> bool:
    """A total that is not the sum it should be, beyond a cent's worth of float noise."""
    return abs(total - expected) > TOLERANCE * max(1.0, abs(expected))


class Block(NamedTuple):
    file: str  # as the user knows it (relative to the working folder where inside it)
    org: str | None
    period: str | None
    # MONTH (the period's own values), YTD (本年累计), TOTAL or SUBTOTAL (a 合计 or 小计, only
    # cross-checked), DERIVE (本年累计 whose 本月 is blank, made a MONTH when every file is read)
    measure: str
    sheet: str | None  # None for a CSV file
    indicators: tuple[str, ...]
    values: array  # of doubles: a million of them cross processes and reach numpy as bytes
    cells: tuple[str, ...]  # A1 addresses

    def rows(self) -> list[tuple]:
        """The block as observation tuples (org, period, indicator, value, sheet, cell, measure)."""
        org, period, sheet, measure = self.org, self.period, self.sheet, self.measure
        return [(org, period, ind, value, sheet, cell, measure)
                for ind, value, cell in zip(self.indicators, self.values, self.cells)]

    def cell_of(self, indicator: str) -> str:
        return self.cells[self.indicators.index(indicator)]


def blocks_from_rows(rows) -> list[Block]:
    """Observation tuples, with or without a trailing file, as blocks: consecutive tuples
    of one file, org, period, sheet and measure form a block until an indicator repeats.
    For tests and callers that write observations out by hand."""
    blocks: list[Block] = []
    key = None
    ids: list[str] = []
    values: list[float] = []
    cells: list[str] = []

    def close() -> None:
        if ids:
            file, org, period, sheet, measure = key
            blocks.append(Block(file, org, period, measure, sheet, tuple(ids), array("d", values), tuple(cells)))

    for org, period, ind, value, sheet, cell, measure, *rest in rows:
        here = (rest[0] if rest else None, org, period, sheet, measure)
        if here != key or ind in ids:
            close()
            key, ids, values, cells = here, [], [], []
        ids.append(ind)
        values.append(float(value))
        cells.append(cell)
    close()
    return blocks


def indicator_codes(blocks: list[Block], names: list[str]):
    """The blocks' indicators, end to end, as positions in `names` (a numpy array):
    worked out once per tuple, since the blocks of one template share theirs."""
    import numpy as np

    position = {name: i for i, name in enumerate(names)}
    known: dict[int, bytes] = {}  # id of a tuple → its codes; the tuples live in `blocks` meanwhile
    parts = []
    for block in blocks:
        codes = known.get(id(block.indicators))
        if codes is None:
            codes = known[id(block.indicators)] = np.array(
                [position[i] for i in block.indicators], dtype=np.intp).tobytes()
        parts.append(codes)
    return np.frombuffer(b"".join(parts), dtype=np.intp)


def values_of(blocks: list[Block]):
    """The blocks' values, end to end, as one numpy array (a bytes join: no float objects)."""
    import numpy as np

    return np.frombuffer(b"".join([block.values for block in blocks]), dtype=np.float64)
