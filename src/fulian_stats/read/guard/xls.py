"""What python-calamine does not say of an .xls (BIFF8): which cells show a formula's
error (it gives "" for a `#DIV/0!`, a blank the form never had) and which rows and
columns are hidden. xlrd reads both; it is opened only for the files whose bytes hold
such a record (most hold none), and runs in the reading worker, held to its limits."""

from __future__ import annotations

import re

from fulian_stats.findings import a1
from fulian_stats.read.guard import SheetFacts

_ERROR_CODES = b"\x00\x07\x0f\x17\x1d\x24\x2a"  # #NULL! #DIV/0! #VALUE! #REF! #NAME? #NUM! #N/A
_CODE = b"[" + re.escape(_ERROR_CODES) + b"]"
_WITH_BIT = lambda bit: b"[" + b"".join(re.escape(bytes([b])) for b in range(256) if b & bit) + b"]"  # noqa: E731
# A FORMULA record's cached error (result bytes 02 00 code 00 00 00 FF FF), a BOOLERR
# record holding an error, a ROW record with fDyZero, a COLINFO record with fHidden.
_SIGNS = re.compile(rb"\x02\x00" + _CODE + rb"\x00\x00\x00\xff\xff"
                    rb"|\x05\x02\x08\x00.{6}" + _CODE + rb"\x01"
                    rb"|\x08\x02\x10\x00.{12}" + _WITH_BIT(0x20) +
                    rb"|\x7d\x00\x0c\x00.{8}" + _WITH_BIT(0x01), re.DOTALL)


def xls_facts(data: bytes) -> dict[str, SheetFacts]:
    """Sheet name → the error cells and hidden rows and columns of an .xls; {} when its
    bytes show none (or xlrd cannot read it: calamine then says what is wrong)."""
    if _SIGNS.search(data) is None:
        return {}
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True,
                                  logfile=_Silent())
    except Exception:  # noqa: BLE001 - a file xlrd cannot read is calamine's to judge
        return {}
    facts = {}
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            errors = {a1(r, c): xlrd.error_text_from_code.get(sheet.cell_value(r, c), "#VALUE!")
                      for r in range(sheet.nrows) for c, kind in enumerate(sheet.row_types(r))
                      if kind == xlrd.XL_CELL_ERROR}
            rows = frozenset(r for r, info in sheet.rowinfo_map.items() if info.hidden)
            columns = frozenset(c for c, info in sheet.colinfo_map.items() if info.hidden)
            if errors or rows or columns:
                facts[sheet.name] = SheetFacts("", errors=errors, hidden_rows=rows, hidden_columns=columns)
            book.unload_sheet(index)
    except Exception:  # noqa: BLE001
        return facts
    finally:
        book.release_resources()
    return facts


class _Silent:
    """xlrd's warnings go to a log; the user reads findings, never a library's words."""

    def write(self, _text: str) -> None:
        pass
