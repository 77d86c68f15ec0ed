"""guard/zipcopy.py's copy of a workbook for calamine: rebuilt from the members checked,
with only the parts calamine reads, those inflated here stored as they are; calamine
must read its cells exactly as the original's, and never a part the guard did not check."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
import python_calamine
import xlsxwriter

from fulian_stats.read.guard import GridError
from fulian_stats.read.guard.zipcopy import copy_zip
from fulian_stats.read.limits import LIMITS

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "2016" / "01" / "大宁镇_2016-01.xlsx"
ROWS = [["指标名称", "本月"], ["参训妇女", 45], ["提供就业岗位", 1989.5], ["备注", "无"]]


def vetted(data: bytes):
    return copy_zip(data, LIMITS)


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


def with_part_changed(data: bytes, name: str, change) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as old:
        parts = [(info, old.read(info)) for info in old.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info, part in parts:
            new.writestr(info, change(part) if info.filename == name else part)
    return out.getvalue()


def with_an_empty_sheet() -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(by_openpyxl()))
    book.create_sheet("五月")
    out = io.BytesIO()
    book.save(out)
    return with_part_changed(out.getvalue(), "xl/worksheets/sheet3.xml",
                             lambda xml: xml.replace(b"<sheetData></sheetData>", b"<sheetData/>"))


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
    lambda: SAMPLE.read_bytes(), by_openpyxl, with_an_empty_sheet, by_xlsxwriter,
    lambda: with_data_descriptors(by_openpyxl()),
], ids=["sample", "openpyxl", "empty-sheet", "xlsxwriter", "data-descriptors"])
def test_calamine_reads_the_copy_with_stored_parts_as_the_original(make):
    original = make()
    copy = vetted(original).workbook
    assert calamine_rows(copy) == calamine_rows(original)
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        names = archive.namelist()
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        assert archive.testzip() is None  # every checksum right
        # the parts calamine reads, in their order (no document properties, no theme), after
        # the package's relationships as Excel writes them
        read = [name for name in names if not name.startswith(("docProps/", "xl/theme/", "_rels/", "[Content"))]
        assert archive.namelist() == ["_rels/.rels", *read]
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}  # inflated once, here


def stored(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as old:
        parts = [(info.filename, old.read(info)) for info in old.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as new:
        for name, part in parts:
            new.writestr(name, part)
    return out.getvalue()


@pytest.mark.parametrize("make", [lambda: stored(SAMPLE.read_bytes()), lambda: b"junk" * 100 + SAMPLE.read_bytes()],
                         ids=["stored-already", "bytes-in-front"])
def test_calamine_is_given_a_rebuilt_zip_whatever_the_file_holds(make):
    original = make()
    copy = vetted(original).workbook
    assert copy.startswith(b"PK\x03\x04") and copy != original
    assert calamine_rows(copy) == calamine_rows(SAMPLE.read_bytes())


def test_parts_beyond_the_memory_cap_are_left_for_calamine_to_inflate(monkeypatch):
    from fulian_stats.read.guard import zipcopy

    book = by_openpyxl()  # two worksheets
    with zipfile.ZipFile(io.BytesIO(vetted(book).workbook)) as archive:
        infos = archive.infolist()  # every part stored
    # room in the copy for the file and the parts before the second worksheet only
    before = infos[:[i.filename for i in infos].index("xl/worksheets/sheet2.xml")]
    monkeypatch.setattr(zipcopy, "STORED_MAX_BYTES", len(book) + sum(i.file_size for i in before))
    copy = vetted(book).workbook
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        methods = {i.filename: i.compress_type for i in archive.infolist()}
        assert archive.testzip() is None
    assert methods["xl/worksheets/sheet1.xml"] == zipfile.ZIP_STORED
    assert methods["xl/worksheets/sheet2.xml"] == zipfile.ZIP_DEFLATED  # changed, so deflated here again
    assert methods["xl/workbook.xml"] == zipfile.ZIP_DEFLATED  # its own bytes, as they were
    assert calamine_rows(copy) == calamine_rows(book)


# -- damage: what the guard checks, calamine need not see ---------------------------------


def _directory_entry(data: bytes, name: bytes) -> tuple[int, int]:
    """(position of the central directory entry, its local header offset) of a member."""
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        length = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46:pos + 46 + length] == name:
            return pos, struct.unpack_from("<L", data, pos + 42)[0]
        pos = data.find(b"PK\x01\x02", pos + 1)
    raise AssertionError(name)


def damage_reason(data: bytes) -> str:
    """Why the guard refuses `data` as damaged: the reason in its FILE_UNREADABLE message."""
    prefix, suffix = "不是有效的Excel文件或文件已损坏（", "）；请在Excel或WPS中打开并另存后重新报送"
    with pytest.raises(GridError) as raised:
        vetted(data)
    assert raised.value.code == "FILE_UNREADABLE"
    message = raised.value.message
    assert message.startswith(prefix) and message.endswith(suffix), message
    return message[len(prefix):-len(suffix)]


def calamine_error(data: bytes) -> str | None:
    try:
        calamine_rows(data)
    except Exception as exc:  # noqa: BLE001 - whichever error calamine gives
        return type(exc).__name__
    return None


def test_a_damaged_local_header_signature_costs_nothing_the_checksum_vouches_for():
    data = bytearray(SAMPLE.read_bytes())
    _entry, local = _directory_entry(bytes(data), b"xl/worksheets/sheet1.xml")
    data[local:local + 4] = b"XXXX"
    assert calamine_error(bytes(data)) is not None
    assert calamine_rows(vetted(bytes(data)).workbook) == calamine_rows(SAMPLE.read_bytes())


@pytest.mark.parametrize("offset, value", [(4, 1), (6, 1), (8, 1)], ids=["disk", "directory-disk", "entries-here"])
def test_an_end_record_with_odd_disk_fields_is_read_from_its_directory(offset, value):
    data = bytearray(SAMPLE.read_bytes())
    struct.pack_into("<H", data, data.rfind(b"PK\x05\x06") + offset, value)
    assert calamine_error(bytes(data)) is not None
    assert calamine_rows(vetted(bytes(data)).workbook) == calamine_rows(SAMPLE.read_bytes())


def test_the_copy_has_no_comment_which_could_hold_a_second_end_record():
    with zipfile.ZipFile(io.BytesIO(SAMPLE.read_bytes())) as old:
        parts = [(info, old.read(info)) for info in old.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        new.comment = "青溪县妇联".encode()
        for info, data in parts:
            new.writestr(info, data)
    copy = vetted(out.getvalue()).workbook
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        assert archive.comment == b""
    assert calamine_rows(copy) == calamine_rows(out.getvalue())


def test_a_worksheet_cut_short_is_damaged_however_large(monkeypatch):
    from fulian_stats.read.guard import zipcopy

    data = bytearray(SAMPLE.read_bytes())
    entry, local = _directory_entry(bytes(data), b"xl/worksheets/sheet1.xml")
    half = struct.unpack_from("<L", data, entry + 20)[0] // 2
    struct.pack_into("<L", data, entry + 20, half)
    struct.pack_into("<L", data, local + 18, half)
    for large in (zipcopy._ONE_CALL_BYTES, 0):  # one call; and the stream, as for a large member
        monkeypatch.setattr(zipcopy, "_ONE_CALL_BYTES", large)
        with pytest.raises(GridError) as raised:
            vetted(bytes(data))
        assert raised.value.code == "FILE_UNREADABLE"


def test_a_directory_that_says_it_lies_further_on_is_damage_not_a_struct_error():
    """Regression (found by test_fuzz): with the end record's directory offset too large,
    zipfile reads the directory where it is and puts every member before the file's
    start; inflating at that negative offset raised struct.error."""
    data = bytearray(SAMPLE.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<L", data, end + 16, struct.unpack_from("<L", data, end + 16)[0] + 100_000)
    assert calamine_error(bytes(data)) is not None
    assert damage_reason(bytes(data)) == "压缩数据不完整"


def test_a_worksheet_named_only_in_a_unicode_path_field_is_checked():
    """Info-ZIP's Unicode path field (0x7075) can give a member the name readers use:
    a worksheet hidden behind another stored name must not escape the guard."""
    far = SAMPLE.read_bytes()
    with zipfile.ZipFile(io.BytesIO(far)) as old:
        parts = [(info, old.read(info)) for info in old.infolist()]
    out = io.BytesIO()
    real = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in parts:
            if info.filename == real:
                hidden = zipfile.ZipInfo("xl/hiddenxx.xml")
                hidden.compress_type = zipfile.ZIP_DEFLATED
                hidden.extra = struct.pack("<HHBL", 0x7075, 5 + len(real), 1,
                                           zlib.crc32(hidden.filename.encode())) + real.encode()
                new.writestr(hidden, broken_sheet(data))
            else:
                new.writestr(info, data)
    assert refused_sheet(out.getvalue()) == "月报"


# -- merged ranges: the tool never uses them, so calamine is spared reading them --------


@pytest.mark.parametrize("tail, moved", [
    (b'<mergeCells count="1"><mergeCell ref="A1:E1"></mergeCell></mergeCells>', b"<mergeCells></mergeCells>"),
    (b'<mergeCells count="1"><mergeCell ref="A1:E1"/><!-- x --></mergeCells>', b"<mergeCells></mergeCells>"),
    (b'<mergeCells count="1"><mergeCell ref="A1:E1"/>', b"<mergeCells></mergeCells>"),
    (b"", b"<mergeCells></mergeCells>"),
])
def test_merged_ranges_spelt_otherwise_are_not_moved_in_front(tail, moved):
    from fulian_stats.read.guard.xml import merged_cells_first

    xml = b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>' + tail + b"</worksheet>"
    assert merged_cells_first(xml) == xml.replace(b"<sheetData>", moved + b"<sheetData>", 1)


def test_a_worksheet_with_prefixed_elements_is_copied_unchanged():
    def prefixed(xml: bytes) -> bytes:
        return xml.replace(b"<sheetData>", b"<x:sheetData xmlns:x=\"urn:x\">").replace(b"</sheetData>", b"</x:sheetData>")

    original = with_part_changed(SAMPLE.read_bytes(), "xl/worksheets/sheet1.xml", prefixed)
    with zipfile.ZipFile(io.BytesIO(vetted(original).workbook)) as copy, \
            zipfile.ZipFile(io.BytesIO(original)) as archive:
        assert copy.read("xl/worksheets/sheet1.xml") == archive.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("make", [lambda: SAMPLE.read_bytes(), by_openpyxl], ids=["merged-ranges", "none"])
def test_a_worksheet_whose_bytes_changed_after_zipping_is_damaged_not_read(make):
    """Regression: calamine noticed a wrong checksum only when it read a worksheet to its
    end, in its walk for merged ranges, which the copy now stops early; a value changed
    after zipping (bit rot) was read as the new value."""
    with zipfile.ZipFile(io.BytesIO(make())) as old:
        parts = [(info.filename, old.read(info)) for info in old.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=0) as new:  # bytes kept as they are
        for name, part in parts:
            new.writestr(name, part)
    data = bytearray(out.getvalue())
    at = data.find(b"<v>")
    data[at + 3] = ord("9") if data[at + 3] != ord("9") else ord("8")
    assert damage_reason(bytes(data)) == "“xl/worksheets/sheet1.xml”的校验和不符"


def test_a_worksheet_cut_short_after_its_cells_is_damage():
    """What follows </sheetData> holds no cell, but a part cut short is not the part
    that was saved: refused, as Excel and openpyxl refuse it."""
    original = with_part_changed(by_openpyxl(), "xl/worksheets/sheet1.xml",
                                 lambda xml: xml.replace(b"</worksheet>", b"<!-- cut"))
    assert calamine_error(original) == "XmlError"
    with pytest.raises(GridError) as refused:
        vetted(original)
    assert (refused.value.sheet, refused.value.message) == ("三月", "文件已损坏：工作表“三月”B4单元格附近内容不完整（可能被截断），"
                                                           "无法可靠地读出数值；请在Excel或WPS中打开并另存后重新报送")


def prefixed_with_cdata(_sample_xml: bytes) -> bytes:
    """Prefixed elements, and `<sheetData>` as a cell's text in CDATA."""
    return (b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
            b'<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t><![CDATA[a<sheetData>b]]></x:t></x:is></x:c>'
            b'</x:row></x:sheetData></x:worksheet>')


def behind_a_comment(sample_xml: bytes) -> bytes:
    return sample_xml.replace(b"<sheetData>", b"<!-- <sheetData> --><sheetData>", 1)


@pytest.mark.parametrize("change", [prefixed_with_cdata, behind_a_comment])
def test_a_sheetdata_that_may_be_text_is_left_alone(change):
    original = with_part_changed(SAMPLE.read_bytes(), "xl/worksheets/sheet1.xml", change)
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    copy = vetted(original).workbook
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        assert archive.read("xl/worksheets/sheet1.xml") == xml
    assert calamine_rows(copy) == calamine_rows(original)


# -- what calamine sees is what the guard checked ---------------------------------------------
# Regressions from fuzz campaigns: each of these files once showed calamine a part the
# guard had not looked at (then a far cell's block, which aborted the run). A part with
# a cell left open stands for any damage: refused if, and only if, it was checked.

SHEET_PART = "xl/worksheets/sheet1.xml"
RELS_PART = "xl/_rels/workbook.xml.rels"
OPEN_CELL = b'<row r="9"><c r="Z9"><v>1</v></row>'


def sample_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(SAMPLE) as book:
        return {info.filename: book.read(info) for info in book.infolist()}


def broken_sheet(xml: bytes | None = None) -> bytes:
    return (xml or sample_parts()[SHEET_PART]).replace(b"</sheetData>", OPEN_CELL + b"</sheetData>")


def refused_sheet(data: bytes) -> str | None:
    """The sheet the guard names in refusing `data` as damaged."""
    with pytest.raises(GridError) as raised:
        vetted(data)
    assert raised.value.code == "FILE_UNREADABLE" and raised.value.message.startswith("文件已损坏："), raised.value.message
    return raised.value.sheet


def zipped(**changed: bytes | None) -> bytes:
    """The sample's parts, with those named changed (None: left out)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in {**sample_parts(), **changed}.items():
            if data is not None:
                book.writestr(name, data)
    return out.getvalue()


def copy_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(vetted(data).workbook)) as copy:
        return {name: copy.read(name) for name in copy.namelist()}


def test_a_worksheet_named_with_backslashes_is_checked_and_copied_under_the_name_calamine_reads():
    assert refused_sheet(zipped(**{SHEET_PART: None, "xl\\worksheets\\sheet1.xml": broken_sheet()})) == "月报"
    parts = copy_parts(zipped(**{SHEET_PART: None, "xl\\worksheets\\sheet1.xml": sample_parts()[SHEET_PART]}))
    assert SHEET_PART in parts


def test_a_worksheet_outside_the_worksheets_folder_is_checked_by_its_cells():
    data = zipped(**{SHEET_PART: None, "xl/foo.xml": broken_sheet(),
                     RELS_PART: sample_parts()[RELS_PART].replace(b"/xl/worksheets/sheet1.xml", b"/xl/foo.xml")})
    assert refused_sheet(data) == "月报"


@pytest.mark.parametrize("change", [
    lambda data: data + b"PK\x05\x06" + bytes(16) + b"\xff\x00",  # a second end record after the real one
    lambda data: b"JUNK" + data[:data.rfind(b"PK\x05\x06") + 12] + bytes(4) + data[data.rfind(b"PK\x05\x06") + 16:],
], ids=["end-record-after", "directory-size-0-behind-junk"])
def test_a_zip_whose_directory_cannot_be_found_for_sure_is_refused(change):
    assert damage_reason(change(zipped(**{SHEET_PART: broken_sheet()}))) == "压缩包的目录是空的"


def test_a_zip_version_zipfile_cannot_read_is_a_finding_not_a_traceback():
    """zipfile raised NotImplementedError (`zip file version 12.7`), past the errors caught."""
    data = bytearray(SAMPLE.read_bytes())
    directory = struct.unpack_from("<L", data, data.rfind(b"PK\x05\x06") + 16)[0]
    struct.pack_into("<H", data, directory + 6, 127)  # the first entry's version needed to extract
    assert damage_reason(b"PK\x03\x04JUNK" + bytes(data)) == "压缩格式的版本不受支持"


@pytest.mark.parametrize("count", [b"4294967295", b"+99999999", b"&#52;294967295"])
def test_a_shared_string_count_beyond_the_part_is_refused(count):
    """calamine reserves 24 bytes for each string claimed before it reads one."""
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="' + count + b'"/>'
    assert damage_reason(zipped(**{"xl/sharedStrings.xml": strings})) == "共享字符串表声明的条数超过文件所能容纳的"


def test_a_true_shared_string_count_passes():
    book = by_xlsxwriter()
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        assert b'uniqueCount="6"' in archive.read("xl/sharedStrings.xml")
    assert calamine_rows(vetted(book).workbook) == calamine_rows(book)


def read_bytes_as_file(tmp_path: Path, data: bytes):
    from check_helpers import CATALOG
    from fulian_stats.read import ReadContext, read_file

    path = tmp_path / "大宁镇_2016-01.xlsx"
    path.write_bytes(data)
    return read_file(path, ReadContext(CATALOG), path.name)


def sheet_entry() -> bytes:
    return re.search(rb"<sheet [^>]*/>", sample_parts()["xl/workbook.xml"]).group(0)


TWIN_CELLS = b'<row r="99"><c r="Z99"><v>1</v></c><c r="Z99"><v>2</v></c></row>'


@pytest.mark.parametrize("workbook", [
    lambda book: book.replace('name="月报"'.encode(), 'name="月\t报"'.encode()),  # calamine keeps the tab
    lambda book: book.replace(sheet_entry(), sheet_entry() + sheet_entry().replace('name="月报"'.encode(), b'name="X"')),
], ids=["tab-in-the-name", "two-sheets-one-part"])
def test_a_value_lost_is_named_whatever_the_sheets_name_says(workbook, tmp_path):
    """What the guard learnt of a part reaches the sheet calamine reads from it, under
    whichever name: here, two cells with one address (calamine keeps the later)."""
    sheet = sample_parts()[SHEET_PART].replace(b"</sheetData>", TWIN_CELLS + b"</sheetData>")
    data = zipped(**{SHEET_PART: sheet, "xl/workbook.xml": workbook(sample_parts()["xl/workbook.xml"])})
    findings = read_bytes_as_file(tmp_path, data).findings
    assert [f.code for f in findings] == ["FILE_UNREADABLE"] and "只能读出" in findings[0].message


def test_a_sheet_pointed_at_the_styles_is_checked_whatever_the_relationship_says():
    """Any part a relationship names may be read as a sheet: calamine resolves a sheet's
    r:id without looking at the relationship's type."""
    rels = sample_parts()[RELS_PART]
    styles = re.search(rb'<Relationship [^>]*Target="styles.xml"[^>]*/>', rels).group(0)
    styles_id = re.search(rb'Id="(\w+)"', styles).group(1)
    book = sample_parts()["xl/workbook.xml"]
    sheet_id = re.search(rb'r:id="(\w+)"', sheet_entry()).group(1)
    data = zipped(**{"xl/styles.xml": broken_sheet(),
                     "xl/workbook.xml": book.replace(b'r:id="' + sheet_id + b'"', b'r:id="' + styles_id + b'"')})
    assert refused_sheet(data) == "月报"


@pytest.mark.parametrize("twin", ["xl\\styles.xml", "XL/Styles.xml"])
def test_two_members_under_one_name_are_refused(twin):
    data = zipped(**{twin: broken_sheet()})
    assert damage_reason(data) == "压缩包中有重名的文件"


# Regressions from a second fuzz campaign, on the parts that are not worksheets.

BROKEN_DATA = b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row>' + OPEN_CELL + b'</sheetData>'
WORKSHEET_TYPE = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
RELS_OPEN = b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'


@pytest.mark.parametrize("relationship", [
    # calamine reads `Target`; a prefixed `x:Target` after it must not stand in for it
    b"<Relationship Type='" + WORKSHEET_TYPE + b"' Target=\"/xl/workbook.xml\" x:Target=\"/xl/worksheets/sheet1.xml\""
    b" Id=\"rId1\"/>",
    # an element prefix longer than any window looked back through
    b"<" + b"p" * 80 + b':Relationship Type="' + WORKSHEET_TYPE + b'" Target="/xl/workbook.xml" Id="rId1"/>',
    # a tag longer than a tag is read
    b'<Relationship Type="' + WORKSHEET_TYPE + b'" Target="/xl/workbook.xml" Id="rId1" pad="&amp;' + b"x" * 5000 + b'"/>',
], ids=["prefixed-target", "long-prefix", "long-tag"])
def test_a_part_calamine_opens_by_name_is_checked_as_a_sheet_too(relationship):
    """The workbook part itself, holding cells, made the sheet: every part of the copy
    that holds cells is checked, whatever the relationships seem to say."""
    book = sample_parts()["xl/workbook.xml"].replace(b"</workbook>", BROKEN_DATA + b"</workbook>")
    data = zipped(**{"xl/workbook.xml": book, RELS_PART: RELS_OPEN + relationship + b"</Relationships>"})
    with pytest.raises(GridError) as raised:
        vetted(data)
    assert raised.value.message.startswith("文件已损坏：“xl/workbook.xml”")


@pytest.mark.parametrize("strings", [
    b"<sst uniqueCount='4294967295' x:uniqueCount='1'><si><t>a</t></si></sst>",
    b"<" + b"p" * 80 + b":sst uniqueCount='4294967295'><si><t>a</t></si></" + b"p" * 80 + b":sst>",
], ids=["prefixed-attribute", "long-prefix"])
def test_a_shared_string_count_is_read_wherever_and_however_it_is_spelt(strings):
    assert damage_reason(zipped(**{"xl/sharedStrings.xml": strings})) == "共享字符串表声明的条数超过文件所能容纳的"


def test_many_sheets_on_one_part_just_inside_the_limit_are_refused_together(tmp_path):
    """600 sheet names for one part of 2,800 × 702 cells (just under the limit a sheet)
    made calamine build the block 600 times: the sheets of a file share one budget."""
    book = sample_parts()["xl/workbook.xml"]
    entry = sheet_entry()
    sheets = b"".join(entry.replace('name="月报"'.encode(), b'name="S%d"' % i) for i in range(600))
    part = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' \
           b'<row r="1"><c r="A1"><v>1</v></c></row><row r="2800"><c r="ZZ2800"><v>1</v></c></row></sheetData></worksheet>'
    data = zipped(**{"xl/workbook.xml": book.replace(entry, sheets), SHEET_PART: part})
    result = read_bytes_as_file(tmp_path, data)
    assert [(f.code, f.message) for f in result.findings] == [(
        "FILE_TOO_LARGE", "各工作表合计超过4000000个单元格的上限，远大于一份报表，已拒绝读取；请确认文件是否正确")]


def test_a_tag_is_looked_for_no_further_back_than_a_tag_may_reach():
    """Regression: each occurrence of the name looked back to the file's start for its
    `<`, so the word repeated 200,000 times cost that squared (minutes). A prefix longer
    than a tag may be is not found; for the relationships that means a part left out of
    calamine's copy, never one let in."""
    from fulian_stats.read.guard.parts import tag_attributes
    from fulian_stats.read.guard.xml import MAX_TAG_BYTES

    near = b"<" + b"p" * 80 + b':Relationship Target="x.xml"/>'
    far = b"<" + b"p" * MAX_TAG_BYTES + b':Relationship Target="x.xml"/>'
    assert tag_attributes(near, b"Relationship") == [{b"Target": b"x.xml"}]
    assert tag_attributes(far, b"Relationship") == []


COLUMNS = [b"%c" % letter for letter in b"ABCDEFGHIJ"]


def with_shared_strings(sheet: bytes, strings: bytes) -> bytes:
    """The sample with its sheet and a shared-strings part, named in its relationships."""
    rels = sample_parts()[RELS_PART].replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.'
                                             b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                             b'Target="sharedStrings.xml"/></Relationships>')
    return zipped(**{SHEET_PART: sheet, "xl/sharedStrings.xml": strings, RELS_PART: rels})


def test_many_short_shared_strings_in_a_large_part_pass():
    """3,000 strings of 300 characters in 30,000 cells: 9 MB expanded, read whole."""
    rows = b"".join(b'<row r="%d">' % r + b"".join(b'<c r="%s%d" t="s"><v>%d</v></c>' % (col, r, r % 3000)
                                                 for col in COLUMNS) + b"</row>" for r in range(1, 3_001))
    sheet = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + rows \
        + b"</sheetData></worksheet>"
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="3000">' \
        + b"".join(b"<si><t>%05d" % i + b"b" * 295 + b"</t></si>" for i in range(3000)) + b"</sst>"
    data = with_shared_strings(sheet, strings)
    rows_read = calamine_rows(vetted(data).workbook)
    assert len(rows_read[0][1]) == 3000 and rows_read[0][1][0][0] == "00001" + "b" * 295
