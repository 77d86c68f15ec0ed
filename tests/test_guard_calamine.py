"""What the guard relies on python-calamine to do, pinned: pyproject.toml allows only the
minor version these tests pass on, and an upgrade that changes any of this fails here
before it can make the guard wrong.

The guard does not predict what calamine will parse; it relies on a few things calamine
does, each of which a test below makes it do on a small file.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import zipfile

import python_calamine

from test_guard_zipcopy import SAMPLE, calamine_rows, sample_parts, vetted, zipped

SHEET = "xl/worksheets/sheet1.xml"


def sheet_with(cells: bytes) -> bytes:
    """The sample with one more row of `cells` in its sheet."""
    xml = sample_parts()[SHEET].replace(b"</sheetData>", b'<row r="500">' + cells + b"</row></sheetData>")
    return zipped(**{SHEET: xml})


def last_row(data: bytes) -> list:
    """The sheet's last row as calamine reads it: A to E, as wide as the sample's form."""
    return calamine_rows(data)[0][1][-1]


def calamine_merged(data: bytes) -> list:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return [book.get_sheet_by_name(name).merged_cell_ranges for name in book.sheet_names]


def test_the_copy_ends_calamines_walk_for_merged_ranges_before_the_cells():
    """guard/xml.merged_cells_first: the sheet's own <mergeCells> in front of the cells
    too; calamine's second walk stops there with the same ranges and reads the same cells."""
    original = SAMPLE.read_bytes()
    copy = vetted(original).workbook
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        xml = archive.read(SHEET)
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        assert xml == archive.read(SHEET).replace(
            b"<sheetData>", b'<mergeCells count="1"><mergeCell ref="A1:E1"/></mergeCells><sheetData>', 1)
    assert calamine_merged(original) == [[((0, 0), (0, 4))]]  # the title, A1:E1
    assert calamine_merged(copy) == calamine_merged(original)
    assert calamine_rows(copy) == calamine_rows(original)


def test_a_member_named_with_backslashes_is_read_as_the_sheet():
    """guard/zipcopy.py checks and copies a member under its name with `\\` for `/`,
    because calamine reads it so."""
    data = zipped(**{SHEET: None, SHEET.replace("/", "\\"): sample_parts()[SHEET]})
    assert calamine_rows(data) == calamine_rows(SAMPLE.read_bytes())


def test_two_cells_with_one_address_give_one_value_without_an_error():
    """Why grid.py counts the values read against guard/xml.values_written: calamine
    keeps one of the two, silently."""
    row = last_row(sheet_with(b'<c r="B500"><v>1</v></c><c r="B500"><v>2</v></c>'))
    assert [v for v in row if v != ""] == [2.0]


def test_an_error_cell_reads_as_empty():
    """values_written leaves out error cells (`t="e"`): calamine gives "" for them."""
    assert last_row(sheet_with(b'<c r="B500" t="e"><v>#DIV/0!</v></c><c r="C500"><v>5</v></c>'))[1:3] == ["", 5.0]


def test_an_xls_error_cell_reads_as_empty_and_a_hidden_row_as_any_other(tmp_path):
    """Why guard/xls.py reads them with xlrd: calamine says nothing of either."""
    from test_guard_xls import write_xls

    path = write_xls(tmp_path / "f.xls", [["a", 1], ["b", 2], ["c", 3]], errors={(0, 1): "#DIV/0!"}, hidden_rows=[1])
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows == [["a", ""], ["b", 2.0], ["c", 3.0]]


def test_a_formula_saved_without_a_value_reads_as_blank():
    """Why guard/xml.formulas_without_values names them: calamine says nothing."""
    row = last_row(sheet_with(b'<c r="B500"><f>1+1</f></c><c r="C500"><v>5</v></c>'))
    assert row[1:3] == ["", 5.0]


def test_sheet_types_are_spelt_as_grid_py_tells_worksheets_by():
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(SAMPLE.read_bytes()))
    assert [str(meta.typ) for meta in book.sheets_metadata] in (["SheetTypeEnum.WorkSheet"], ["WorkSheet"])


def test_a_block_beyond_the_address_space_aborts_with_the_message_the_pool_reads(tmp_path):
    """read/pool.py tells a worker that ran out of memory by calamine's first line on
    stderr; past the cap, calamine aborts the process (no exception to catch)."""
    path = tmp_path / "far.xlsx"
    path.write_bytes(_far_book())
    script = textwrap.dedent(f"""
        import resource, python_calamine
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        book = python_calamine.CalamineWorkbook.from_path({str(path)!r})
        book.get_sheet_by_name(book.sheet_names[0])
        print("read")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "RUST_BACKTRACE": "0"})
    assert done.returncode < 0 and done.stdout == ""
    assert done.stderr.startswith("memory allocation of "), done.stderr[:200]


def _far_book() -> bytes:
    xml = sample_parts()[SHEET].replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    return zipped(**{SHEET: xml})
