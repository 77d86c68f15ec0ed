"""safety.py's copy of a workbook for calamine: its worksheets stored as already
inflated, everything else as it was; calamine must read it exactly as the original."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine
import xlsxwriter

from fulian_stats.read.safety import scan_zip

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "2016" / "01" / "大宁镇_2016-01.xlsx"
ROWS = [["指标名称", "本月"], ["参训妇女", 45], ["提供就业岗位", 1989.5], ["备注", "无"]]


def calamine_rows(data: bytes) -> list:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return [(name, book.get_sheet_by_name(name).to_python()) for name in book.sheet_names]


def by_openpyxl() -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "三月"
    for row in ROWS:
        book.active.append(row)
    book.create_sheet("四月").append(["参训妇女", 7])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def by_xlsxwriter() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("报表")
    for r, row in enumerate(ROWS):
        sheet.write_row(r, 0, row)
    book.close()
    return out.getvalue()


class _Unseekable(io.RawIOBase):
    """A stream zipfile cannot seek back in: it then writes data descriptors."""

    def __init__(self):
        self.out = io.BytesIO()

    def writable(self):
        return True

    def write(self, data):
        return self.out.write(data)


def with_data_descriptors(data: bytes) -> bytes:
    stream = _Unseekable()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            with new.open(info.filename, "w") as member:
                member.write(old.read(info))
    written = stream.out.getvalue()
    with zipfile.ZipFile(io.BytesIO(written)) as archive:
        assert all(info.flag_bits & 0x08 for info in archive.infolist())  # sizes after the data
    return written


@pytest.mark.parametrize("make", [
    lambda: SAMPLE.read_bytes(), by_openpyxl, by_xlsxwriter, lambda: with_data_descriptors(by_openpyxl()),
], ids=["sample", "openpyxl", "xlsxwriter", "data-descriptors"])
def test_calamine_reads_the_copy_with_stored_worksheets_as_the_original(make):
    original = make()
    copy = scan_zip(original).workbook
    assert calamine_rows(copy) == calamine_rows(original)
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        assert archive.testzip() is None  # every checksum still right
        methods = {i.filename: i.compress_type for i in archive.infolist()}
    worksheets = [name for name in methods if name.startswith("xl/worksheets/")]
    assert worksheets and all(methods[name] == zipfile.ZIP_STORED for name in worksheets)
    assert methods["xl/workbook.xml"] == zipfile.ZIP_DEFLATED  # copied as it was


def test_a_workbook_with_its_worksheets_stored_already_is_given_to_calamine_as_it_is():
    with zipfile.ZipFile(io.BytesIO(SAMPLE.read_bytes())) as old:
        parts = [(info.filename, old.read(info)) for info in old.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as new:
        for name, data in parts:
            new.writestr(name, data)
    assert scan_zip(out.getvalue()).workbook is None


def test_a_zip_with_bytes_in_front_is_given_to_calamine_as_it_is():
    data = b"junk" * 100 + SAMPLE.read_bytes()
    assert scan_zip(data).workbook is None


def test_worksheets_beyond_the_memory_cap_are_left_for_calamine_to_inflate(monkeypatch):
    from fulian_stats.read import safety

    book = by_openpyxl()  # two worksheets
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        first = archive.getinfo("xl/worksheets/sheet1.xml").file_size
        second = archive.getinfo("xl/worksheets/sheet2.xml").file_size
    assert second < first
    monkeypatch.setattr(safety, "STORED_MAX_BYTES", first + second - 1)  # room for the first one only
    copy = scan_zip(book).workbook
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        methods = {i.filename: i.compress_type for i in archive.infolist()}
    assert methods["xl/worksheets/sheet1.xml"] == zipfile.ZIP_STORED
    assert methods["xl/worksheets/sheet2.xml"] == zipfile.ZIP_DEFLATED
    assert calamine_rows(copy) == calamine_rows(book)
    monkeypatch.setattr(safety, "STORED_MAX_BYTES", second - 1)  # for neither
    assert scan_zip(book).workbook is None
