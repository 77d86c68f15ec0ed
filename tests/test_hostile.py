"""Hostile and broken files: nothing crashes, nothing is lost, nothing is executed.

Each hostile file is made here, put in a folder beside a good submission (白沙镇's
March form) and checked with `fulian-stats check` through main(), as a user runs it:
the expected finding names the file, the exit code is 1 for an error (0 for a
warning or a file read after all), no traceback, within a time bound; and the good
file is still read, its figures intact.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from check_helpers import (
    CATALOG,
    clean_folder,
    fulian,
    month_rows,
    set_value,
    street_rows,
    write_encrypted,
    write_form,
    write_table,
)
from fulian_stats.read import ReadContext, read_paths
from fulian_stats.read.limits import LIMITS, Limits

GOOD = "白沙镇_2016-03.xlsx"
SECONDS = 20  # each run; hostile files must not add to it noticeably


def no_traceback(done) -> None:
    for stream in (done.stdout, done.stderr):
        assert "Traceback" not in stream and "内部错误" not in stream, stream


def good_form(folder: Path) -> Path:
    return write_form(folder / GOOD, org="白沙镇妇联")


def good_values() -> dict:
    return {name: month for name, _unit, month, _ytd in month_rows(3)}


def assert_good_file_read(folder: Path) -> None:
    result = read_paths([folder], ReadContext(CATALOG), jobs=1)
    good = next(r for r in result.files if r.file.endswith(GOOD))
    assert good.findings == []
    assert {o[2] for o in good.observations} >= {"trainees", "women_home_served"}
    trainees = next(o[3] for o in good.observations if o[2] == "trainees" and o[6] == "month")
    assert trainees == good_values()["参训妇女"]


def check_folder(folder: Path):
    """`check --format json` on the folder: (exit code, findings), with no traceback, in time."""
    started = time.monotonic()
    done = fulian("check", folder.name, "--format", "json", cwd=folder.parent)
    assert time.monotonic() - started < SECONDS
    no_traceback(done)
    assert done.stderr == ""
    return done.returncode, json.loads(done.stdout)["findings"]


# ---------------------------------------------------------------- the hostile files

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "2016" / "01" / "大宁镇_2016-01.xlsx"


def rewrite_zip(path: Path, change) -> Path:
    """Rewrite the members of a zip: `change(name, data)` returns the new data."""
    with zipfile.ZipFile(path) as old:
        parts = {info.filename: old.read(info) for info in old.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            new.writestr(name, change(name, data))
    return path


def form_with(path: Path, sheet_change) -> Path:
    """大宁镇's March form with its sheet XML changed by `sheet_change(xml)`."""
    write_form(path)
    return rewrite_zip(path, lambda name, data: sheet_change(data) if name == "xl/worksheets/sheet1.xml" else data)


def truncated(path: Path) -> Path:
    data = write_form(path).read_bytes()
    path.write_bytes(data[:len(data) // 2])
    return path


def text_named_xlsx(path: Path) -> Path:
    path.write_text("大宁镇 3月 参训妇女 43人\n", encoding="utf-8")
    return path


def empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def uncalculated(path: Path) -> Path:
    """Formulas written without a saved result, as openpyxl and many exporters do."""
    return write_form(path, rows=set_value(set_value(month_rows(3), "参训妇女", ytd="=D8+83"),
                                           "妇女之家服务", month="=SUM(1,2)"))


def declared_bomb(path: Path) -> Path:
    """A zip whose directory declares a 300 MB worksheet: refused before inflating."""
    data = bytearray(write_form(path).read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_len] == name:
            struct.pack_into("<L", data, at + 24, 300 << 20)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path


def ratio_bomb(path: Path) -> Path:
    """A real 40 MB part of zeros (compression ratio about 1000)."""
    write_form(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/media/padding.bin", "w") as part:
            for _ in range(40):
                part.write(bytes(1 << 20))
    return path


def lying_bomb(path: Path) -> Path:
    """A worksheet that inflates to 30 MB while its zip entries claim 20 KB."""
    form_with(path, lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (30 << 20)))
    data = bytearray(path.read_bytes())
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        name_at = 30 if signature == b"PK\x03\x04" else 46
        at = data.find(signature)
        while at >= 0:
            name_len = struct.unpack_from("<H", data, at + 26 if signature == b"PK\x03\x04" else at + 28)[0]
            if data[at + name_at:at + name_at + name_len] == b"xl/worksheets/sheet1.xml":
                struct.pack_into("<L", data, at + size_at, 20_000)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                      for i in range(1, 10)) + b"]>")


def laughs_in_sheet(path: Path) -> Path:
    return form_with(path, lambda xml: _LAUGHS + xml.replace(b"<t>", b"<t>&lol9;", 1))


def laughs_in_shared_strings(path: Path) -> Path:
    import xlsxwriter  # writes its text to xl/sharedStrings.xml

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("月报")
    for r, row in enumerate([["填报单位：大宁镇妇联", "", "", "报告期：2016年3月"], ["序号", "指标名称", "计量单位", "本月"],
                             [1, "参训妇女", "人", 43]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()

    def change(name, data):
        if name != "xl/sharedStrings.xml":
            return data
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        return _LAUGHS + body.replace(b"<t>", b"<t>&lol9;", 1)
    return rewrite_zip(path, change)


def far_cell(path: Path) -> Path:
    """A sheet claiming the whole grid, with cells at A1 and XFD1048576."""
    return form_with(path, lambda xml: xml.replace(b"<dimension ref=", b'<dimension ref="A1:XFD1048576" x=').replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'))


def far_cell_xls(path: Path) -> Path:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("月报")
    sheet.write(0, 0, "指标名称")
    sheet.write(3, 3, 7.0)
    book.save(str(path))
    data = bytearray(path.read_bytes())
    at = data.find(struct.pack("<HHHH", 0x027E, 10, 3, 3))  # the RK record of D4
    struct.pack_into("<HH", data, at + 4, 65535, 65535)
    path.write_bytes(bytes(data))
    return path


def ragged(path: Path) -> Path:
    """Empty fields past the header's on one row: a delimiter too many may have moved its values."""
    text = write_table(path, street_rows(3)).read_bytes().decode("gb18030").splitlines()
    text[1] += ",,,"
    text.append("说明：本表由城区街道汇总")
    path.write_bytes("\r\n".join(text).encode("gb18030"))
    return path


def trailing_empty_fields(path: Path) -> Path:
    """Every row ending with the same empty fields, the header not: a writer's way, nothing moved."""
    text = write_table(path, street_rows(3)).read_bytes().decode("gb18030").splitlines()
    text[1:] = [line + ",," for line in text[1:]]
    text.append("说明：本表由城区街道汇总")
    path.write_bytes("\r\n".join(text).encode("gb18030"))
    return path


def nul_in_csv(path: Path) -> Path:
    data = write_table(path, street_rows(3)).read_bytes()
    path.write_bytes(data.replace("城东".encode("gb18030"), "城\x00东".encode("gb18030")).replace(b"\r\n", b"\x00\r\n", 1))
    return path


def nul_in_cells(path: Path) -> Path:
    """A NUL in a cell, as the `_x0000_` escape OOXML writes for it (well-formed XML)."""
    return form_with(path, lambda xml: xml.replace("填报单位：大宁".encode("ascii", "xmlcharrefreplace"),
                                                  "填报单位：大_x0000_宁".encode("ascii", "xmlcharrefreplace"), 1))


def illegal_character_reference(path: Path) -> Path:
    """`&#7;` in a cell: no character XML 1.0 allows; Excel and openpyxl refuse the file."""
    return form_with(path, lambda xml: xml.replace("填报单位：大宁".encode("ascii", "xmlcharrefreplace"),
                                                  "填报单位：大宁\x07".encode("ascii", "xmlcharrefreplace"), 1))


def encoded(encoding: str, text: str):
    def build(path: Path) -> Path:
        path.write_bytes(text.encode(encoding))
        return path
    return build


STREETS_UTF16 = "单位名称,参训妇女（人）,新媒体推送信息（条）\r\n河西街道,46,12\r\n城东街道,47,13\r\n"
TAIWAN = "單位名稱,參訓婦女（人）,新媒體推送信息（條）\r\n河西街道,46,12\r\n城東街道,47,13\r\n"
JAPAN = "単位名,研修参加女性（人）,新メディア情報発信（件）\r\n河西町,46,12\r\n城東町,47,13\r\n"


def long_cell_xlsx(path: Path) -> Path:
    """A 5 MB text as the title and a 1 MB one in the 本月 cell of 参训妇女."""
    return form_with(path, lambda xml: xml.replace(b"<t>", b"<t>" + b"9" * (5 << 20), 1).replace(
        b'<c r="D8" t="n"><v>43</v></c>', b'<c r="D8" t="inlineStr"><is><t>' + "１".encode() * (1 << 18)
        + b"</t></is></c>"))


def long_cell_csv(path: Path) -> Path:
    """A 5 MB number in the first row's 新媒体推送信息."""
    lines = write_table(path, street_rows(3)).read_bytes().split(b"\r\n")
    first = lines[1].split(b",")
    first[1] = b"4" * (5 << 20)
    lines[1] = b",".join(first)
    path.write_bytes(b"\r\n".join(lines))
    return path


def with_macros(path: Path) -> Path:
    """A macro-enabled workbook carrying a VBA project: read, never run."""
    write_form(path)

    def change(name, data):
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/'
                                b'vnd.ms-office.vbaProject"/></Types>')
        return data
    rewrite_zip(path, change)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Attribute VB_Name = \"evil\"" * 50)
    return path


# name → (file name, builder, expected code or None, exit code)
HOSTILE = {
    "truncated_xlsx": ("大宁镇_2016-03.xlsx", truncated, "FILE_UNREADABLE", 1),
    "text_named_xlsx": ("大宁镇_2016-03.xlsx", text_named_xlsx, "FILE_UNREADABLE", 1),
    "empty": ("大宁镇_2016-03.xlsx", empty, "FILE_EMPTY", 1),
    "encrypted": ("大宁镇_2016-03.xlsx", write_encrypted, "FILE_ENCRYPTED", 1),
    "uncalculated_formulas": ("大宁镇_2016-03.xlsx", uncalculated, "FORMULA_NO_VALUE", 0),
    "declared_bomb": ("大宁镇_2016-03.xlsx", declared_bomb, "FILE_TOO_LARGE", 1),
    "ratio_bomb": ("大宁镇_2016-03.xlsx", ratio_bomb, "FILE_TOO_LARGE", 1),
    "lying_bomb": ("大宁镇_2016-03.xlsx", lying_bomb, "FILE_TOO_LARGE", 1),
    "laughs_in_sheet": ("大宁镇_2016-03.xlsx", laughs_in_sheet, "FILE_UNREADABLE", 1),
    "laughs_in_shared_strings": ("大宁镇_2016-03.xlsx", laughs_in_shared_strings, "FILE_UNREADABLE", 1),
    "far_cell": ("大宁镇_2016-03.xlsx", far_cell, "FILE_TOO_LARGE", 1),
    "far_cell_xls": ("大宁镇_2016-03.xls", far_cell_xls, "FILE_TOO_LARGE", 1),
    "ragged_csv": ("城区街道_2016-03.csv", ragged, "ROW_RAGGED", 1),
    "trailing_empty_fields_csv": ("城区街道_2016-03.csv", trailing_empty_fields, None, 0),
    "nul_in_csv": ("城区街道_2016-03.csv", nul_in_csv, None, 0),
    "nul_in_cells": ("大宁镇_2016-03.xlsx", nul_in_cells, None, 0),
    "illegal_character_reference": ("大宁镇_2016-03.xlsx", illegal_character_reference, "FILE_UNREADABLE", 1),
    "utf16_without_bom": ("城区街道_2016-03.csv", encoded("utf-16-le", STREETS_UTF16), None, 0),
    "big5": ("城区街道_2016-03.csv", encoded("big5", TAIWAN), "ENCODING", 1),
    "shift_jis": ("城区街道_2016-03.csv", encoded("shift_jis", JAPAN), "ENCODING", 1),
    "long_cell_xlsx": ("大宁镇_2016-03.xlsx", long_cell_xlsx, "NUMBER_INVALID", 1),
    "long_cell_csv": ("城区街道_2016-03.csv", long_cell_csv, "NUMBER_INVALID", 1),
    "macros": ("大宁镇_2016-03.xlsm", with_macros, None, 0),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_file_is_one_finding_and_the_others_are_read(case, tmp_path):
    name, build, code, exit_code = HOSTILE[case]
    folder = tmp_path / "subs"
    folder.mkdir()
    good_form(folder)
    build(folder / name)
    returncode, findings = check_folder(folder)
    assert returncode == exit_code, findings
    mine = [f for f in findings if f["file"] == f"subs/{name}"]
    if code is None:
        assert [f for f in mine if f["severity"] == "error"] == []
    else:
        assert code in [f["code"] for f in mine], mine
        assert all(len(f["message"]) < 400 and "请" in f["message"] for f in mine if f["code"] == code)
    assert [f for f in findings if f["file"] == f"subs/{GOOD}"] == []
    assert_good_file_read(folder)


def read_one(path: Path, limits: Limits = LIMITS):
    """The file read as every file is: in a worker held to `limits`, so that a file that
    makes a library exhaust memory or time costs that file, never the test run."""
    return read_paths([path], ReadContext(CATALOG, limits=limits)).files[0]


def form_values() -> int:
    """How many values a clean form by write_form holds (本月 and the 本年累计 filled in)."""
    return sum(1 for _name, _unit, month, ytd in month_rows(3) for v in (month, ytd) if v not in ("", None))


def test_an_uncalculated_formula_names_its_cells_and_is_not_read_as_zero(tmp_path):
    result = read_one(uncalculated(tmp_path / "大宁镇_2016-03.xlsx"))
    warning = next(f for f in result.findings if f.code == "FORMULA_NO_VALUE")
    assert (warning.severity, warning.sheet, warning.cell) == ("warning", "月报", "E8")
    assert warning.values == {"cells": ["E8", "D19"], "count": 2}
    assert "E8、D19" in warning.message and "Excel或WPS中打开" in warning.message
    read = {(o[2], o[6]) for o in result.observations}
    assert ("trainees", "ytd") not in read and ("women_home_served", "month") not in read


def test_a_calculated_formula_is_read_without_a_warning(tmp_path):
    path = form_with(tmp_path / "大宁镇_2016-03.xlsx", lambda xml: xml.replace(
        b'<c r="E8" t="n"><v>126</v></c>', b'<c r="E8"><f>D8+83</f><v>126</v></c>').replace(
        b'<c r="D8" t="n"><v>43</v></c>', b'<c r="D8" t="str"><f>""</f><v></v></c>'))
    result = read_one(path)
    assert "FORMULA_NO_VALUE" not in [f.code for f in result.findings]
    assert ("trainees", 126.0) in {(o[2], o[3]) for o in result.observations if o[6] == "ytd"}


def with_far_cell(path: Path, cell: bytes) -> Path:
    """A form with a 附表 that has one value, far away at `cell`."""
    write_form(path, extra_sheets={"附表": [["备注"]]})
    row = cell.lstrip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    rewrite_zip(path, lambda name, data: data.replace(
        b"</sheetData>", b'<row r="%s"><c r="%s" t="n"><v>1</v></c></row></sheetData>' % (row, cell))
        if name == "xl/worksheets/sheet2.xml" else data)
    return path


def test_a_sheet_too_large_to_use_is_skipped_and_the_other_sheets_are_read(tmp_path):
    """Z100000: a block of 2.6 million cells, which calamine builds and the reader will not use."""
    result = read_one(with_far_cell(tmp_path / "大宁镇_2016-03.xlsx", b"Z100000"))
    assert [(f.code, f.sheet, f.message) for f in result.findings] == [(
        "FILE_TOO_LARGE", "附表", "工作表“附表”的范围达100000行×26列，超过2000000个单元格的上限，已跳过；"
        "请删去远处多余的内容（如误填在很远处的单元格）后重新报送")]
    assert len(result.observations) == form_values()


def test_a_sheet_too_large_to_build_costs_its_file_and_the_run_goes_on(tmp_path):
    """XFD1048576: calamine would build 17 billion cells. Not predicted: the worker
    reading the file runs out of its address space, and the file is one finding."""
    started = time.monotonic()
    result = read_one(with_far_cell(tmp_path / "大宁镇_2016-03.xlsx", b"XFD1048576"), Limits(memory_bytes=512 << 20))
    assert time.monotonic() - started < 10
    assert [(f.code, f.values["reason"]) for f in result.findings] == [("FILE_TOO_LARGE", "memory")]
    assert result.findings[0].message.startswith("读取此文件所需的内存超过上限（512MB）：")


@pytest.mark.parametrize("trick", [
    b'<row r="1048576"><c><v>1</v></c></row>',  # a cell without a reference in a far row
    b'<row r="1"><c r="A1" x="&gt;" r2="1"><v>1</v></c></row><x:row r="99999" xmlns:x="x"><x:c r="ZZZ99999">'
    b'<x:v>1</x:v></x:c></x:row>',  # namespace prefixes
    b'<row r="5"><c x=" r=\'A1\'" r="XFD1048576"><v>1</v></c></row>',  # r= hidden in another attribute
    b'<row r="5"><c r="A0000000000001048576"><v>1</v></c></row>',  # digits beyond Excel's grid
    b'<row r="70"><c r="A70" r="XFD1048576"><v>1</v></c></row>',  # two references: calamine takes the last
    b'<row r="70"><c r="A70"r="XFD1048576"><v>1</v></c></row>',  # the same with no space between them
    b'<row r="70"><c r="A70" x=">" r="XFD1048576"><v>1</v></c></row>',  # behind a `>` in a value
])
def test_tricks_that_reach_far_cells_are_caught(trick, tmp_path):
    path = form_with(tmp_path / "大宁镇_2016-03.xlsx", lambda xml: xml.replace(b"</sheetData>", trick + b"</sheetData>"))
    codes = [f.code for f in read_one(path).findings]
    assert codes in (["FILE_TOO_LARGE"], ["FILE_UNREADABLE"]), codes


@pytest.mark.parametrize("prefix", [b"junk in front", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)])
def test_a_zip_behind_other_bytes_is_still_checked(prefix, tmp_path):
    """calamine finds a zip wherever its directory is, so the checks must too."""
    path = far_cell(tmp_path / "大宁镇_2016-03.xlsx")
    path.write_bytes(prefix + path.read_bytes())
    assert [f.code for f in read_one(path).findings] == ["FILE_TOO_LARGE"]


def test_a_styled_empty_cell_far_away_is_no_reason_to_refuse(tmp_path):
    path = form_with(tmp_path / "大宁镇_2016-03.xlsx", lambda xml: xml.replace(
        b"</sheetData>", b'<row r="60000"><c r="XFD60000" s="1"/></row></sheetData>'))
    result = read_one(path)
    assert result.findings == [] and len(result.observations) == form_values()


def test_long_cells_are_cut_to_excels_limit_and_read_quickly(tmp_path):
    started = time.monotonic()
    result = read_one(long_cell_xlsx(tmp_path / "大宁镇_2016-03.xlsx"))
    assert time.monotonic() - started < 10
    invalid = next(f for f in result.findings if f.code == "NUMBER_INVALID")
    assert invalid.cell == "D8" and len(invalid.values["raw"]) <= 200
    assert all(len(f.message) <= LIMITS.cell_chars + 200 for f in result.findings)


def test_nul_and_control_characters_are_dropped_from_cells(tmp_path):
    result = read_one(nul_in_cells(tmp_path / "大宁镇_2016-03.xlsx"))
    assert result.findings == [] and {o[0] for o in result.observations} == {"大宁镇"}
    csv_result = read_one(nul_in_csv(tmp_path / "城区街道_2016-03.csv"))
    assert "城东街道" in {o[0] for o in csv_result.observations}


def test_utf16_without_bom_reads_like_utf8(tmp_path):
    result = read_one(encoded("utf-16-le", STREETS_UTF16)(tmp_path / "城区街道_2016-03.csv"))
    same = read_one(encoded("utf-8", STREETS_UTF16)(tmp_path / "城区街道_2016-04.csv"))
    assert result.findings == same.findings == []
    assert [(o[0], o[2], o[3]) for o in result.observations] == [(o[0], o[2], o[3]) for o in same.observations]
    assert result.observations


def test_an_encoding_message_says_what_to_do(tmp_path):
    result = read_one(encoded("big5", TAIWAN)(tmp_path / "城区街道_2016-03.csv"))
    assert [f.message for f in result.findings] == [
        "文件不是UTF-8或GBK编码：按GBK读出的文字是乱码（可能是繁体Big5、日文Shift-JIS等编码）；"
        "请在Excel或WPS中另存为“CSV UTF-8”后重新报送"]


def test_a_gbk_file_with_rare_characters_is_not_taken_for_another_encoding(tmp_path):
    rows = street_rows(3)
    rows[0][0] = "堃珺喆街道"  # names outside GB2312
    result = read_one(write_table(tmp_path / "城区街道_2016-03.csv", rows))
    assert "ENCODING" not in [f.code for f in result.findings]


def test_a_named_pipe_does_not_hang_the_run(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    os.mkfifo(tmp_path / "大宁镇_2016-03.csv")
    started = time.monotonic()
    result = read_one(tmp_path / "大宁镇_2016-03.csv")
    assert time.monotonic() - started < 10  # an open() that blocks never returns
    assert [f.code for f in result.findings] == ["FILE_UNREADABLE"]


@pytest.mark.parametrize("size, code", [(100, None), (101, "FILE_TOO_LARGE")], ids=["at the limit", "over it"])
def test_a_file_is_read_up_to_the_size_limit_and_no_further(tmp_path, size, code):
    from fulian_stats.read.guard import GridError, read_bytes

    path = tmp_path / "大宁镇_2016-03.csv"
    path.write_bytes(b"x" * size)
    if code is None:
        assert read_bytes(path, Limits(file_bytes=100)) == b"x" * 100
    else:
        with pytest.raises(GridError) as raised:
            read_bytes(path, Limits(file_bytes=100))
        assert raised.value.code == code


# ---------------------------------------------------------------- folders


def test_thousands_of_unrelated_files_are_one_note_and_fast(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    good_form(folder)
    for i in range(3000):
        (folder / f"照片{i:04d}.jpg").write_bytes(b"\xff\xd8")
    started = time.monotonic()
    returncode, findings = check_folder(folder)
    assert time.monotonic() - started < 10
    assert returncode == 0
    notes = [f for f in findings if f["code"] == "FILES_SKIPPED"]
    assert len(notes) == 1 and notes[0]["values"]["count"] == 3000 and len(notes[0]["values"]["files"]) == 20
    assert len(findings) == 1


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_link_loops_do_not_hang_and_are_one_note(tmp_path):
    folder = tmp_path / "subs"
    (folder / "2016-03").mkdir(parents=True)
    good_form(folder / "2016-03")
    os.symlink(folder, folder / "2016-03" / "上级")  # a folder linking to its parent
    os.symlink("自己.xlsx", folder / "自己.xlsx")  # a file linking to itself
    os.symlink(folder / "2016-03", folder / "三月")  # a link to a folder walked anyway: read once
    returncode, findings = check_folder(folder)
    assert returncode == 0
    assert [(f["code"], f["values"]["count"]) for f in findings] == [("FILES_SKIPPED", 2)]
    result = read_paths([folder], ReadContext(CATALOG), jobs=1)
    assert len(result.files) == 1


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_links_to_folders_are_named_before_broken_file_links_as_os_walk_met_them(tmp_path):
    from fulian_stats.read.files import collect_files

    folder = tmp_path / "subs"
    (folder / "b").mkdir(parents=True)
    os.symlink(".", folder / "自己")  # a folder linking to itself
    os.symlink("无处.xlsx", folder / "坏链接.xlsx")  # a file linking to nothing
    os.symlink("..", folder / "b" / "上级")
    found = collect_files([folder])
    assert [p.relative_to(folder).as_posix() for p in found.links] == ["自己", "坏链接.xlsx", "b/上级"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_linked_folder_of_submissions_is_read(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    good_form(tmp_path / "elsewhere")
    (tmp_path / "subs").mkdir()
    os.symlink(tmp_path / "elsewhere", tmp_path / "subs" / "三月")
    result = read_paths([tmp_path / "subs"], ReadContext(CATALOG), jobs=1)
    assert [Path(r.file).name for r in result.files] == [GOOD] and result.findings == []


# ---------------------------------------------------------------- nothing lost


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_inputs_are_never_written(tmp_path):
    folder = clean_folder(tmp_path)
    before = digests(tmp_path)
    out = tmp_path.parent / f"{tmp_path.name}-out"
    out.mkdir()
    for args in (["check", folder.name, "--orgs", "orgs.csv"],
                 ["aggregate", folder.name, "--orgs", "orgs.csv", "-o", out / "汇总.xlsx"],
                 ["report", folder.name, "--orgs", "orgs.csv", "--period", "2016-03", "-o", out / "月报.docx"],
                 ["template", "--orgs", "orgs.csv", "--period", "2016-04", "-o", out / "模板"]):
        done = fulian(*args, cwd=tmp_path)
        no_traceback(done)
        assert done.returncode == 0, done.stderr
    assert digests(tmp_path) == before
    assert (out / "汇总.xlsx").is_file() and (out / "月报.docx").is_file()
    assert not [p for p in out.rglob(".*")]  # no temporary file left behind


@pytest.mark.parametrize("command", [["aggregate"], ["report", "--period", "2016-03"]])
def test_output_onto_an_input_is_refused(command, tmp_path):
    folder = clean_folder(tmp_path)
    target = folder / "2016-03" / "大宁镇_2016-03.xlsx"
    before = digests(tmp_path)
    done = fulian(command[0], folder.name, "--orgs", "orgs.csv", *command[1:], "-o", target.relative_to(tmp_path),
                  cwd=tmp_path)
    no_traceback(done)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    if command[0] == "aggregate":  # a report is never .xlsx: its own check refuses first
        assert "是输入文件之一" in done.stderr
    assert digests(tmp_path) == before


# ---------------------------------------------------------------- nothing executed

FORMULA_ORG = '=HYPERLINK("http://x")'
FORMULA_ORG_READ = "=HYPERLINK(http://x)"  # names are compared without quotes: this is the org


def test_text_that_looks_like_a_formula_stays_text_in_outputs(tmp_path):
    rows = street_rows(3)
    rows[0][0] = FORMULA_ORG
    write_table(tmp_path / "城区街道_2016-03.csv", rows)
    for output in ("汇总.xlsx", "汇总.csv"):
        done = fulian("aggregate", "城区街道_2016-03.csv", "--by", "org", "-o", tmp_path.parent / output, cwd=tmp_path)
        no_traceback(done)
        assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(tmp_path.parent / "汇总.xlsx")
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value == FORMULA_ORG_READ]
    assert cells and all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(tmp_path.parent / "汇总.xlsx") as archive:
        assert not [n for n in archive.namelist() if n.startswith("xl/worksheets/")
                    and b"HYPERLINK" in archive.read(n) and b"<f>" in archive.read(n)]
    text = (tmp_path.parent / "汇总.csv").read_text(encoding="utf-8-sig")
    assert f"\n'{FORMULA_ORG_READ}," in text and f"\n{FORMULA_ORG_READ}," not in text


def test_a_users_template_is_sandboxed_and_html_escaped(tmp_path):
    folder = clean_folder(tmp_path)
    (tmp_path / "evil.md.j2").write_text("{{ region }}：{{ '<script>alert(1)</script>' }}\n", encoding="utf-8")
    done = fulian("report", folder.name, "--orgs", "orgs.csv", "--period", "2016-03", "--template", "evil.md.j2",
               "-o", "x.html", cwd=tmp_path)
    no_traceback(done)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    (tmp_path / "evil.md.j2").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}\n", encoding="utf-8")
    done = fulian("report", folder.name, "--orgs", "orgs.csv", "--period", "2016-03", "--template", "evil.md.j2",
               "-o", "y.html", cwd=tmp_path)
    no_traceback(done)
    assert done.returncode != 0 and "模板" in done.stderr and len(done.stderr.splitlines()) == 1
    assert not (tmp_path / "y.html").exists()


def test_a_workbook_with_macros_is_read_and_nothing_runs(tmp_path):
    result = read_one(with_macros(tmp_path / "大宁镇_2016-03.xlsm"))
    assert result.findings == [] and len(result.observations) == form_values()
