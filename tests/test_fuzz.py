"""Fuzzing the reader: whatever bytes a file holds, `read_file` returns a FileResult and
never raises (nor aborts the process, nor hangs).

Random bytes under each supported extension, and a real submission
(`sample_data/2016/01/大宁镇_2016-01.xlsx`) with bytes flipped, cut or inserted, both in
the zip and in the worksheet XML inside it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from check_helpers import CATALOG
from fulian_stats.read import FileResult, ReadContext, read_file

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "2016" / "01" / "大宁镇_2016-01.xlsx"
WORKBOOK = SAMPLE.read_bytes()
with zipfile.ZipFile(SAMPLE) as _book:
    PARTS = {info.filename: _book.read(info) for info in _book.infolist()}
SHEET = "xl/worksheets/sheet1.xml"
CTX = ReadContext(CATALOG)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                     HealthCheck.too_slow])

# Bits of spreadsheet XML that steer a reader: far references, cells without
# references, formulas, entities, a DTD, namespace prefixes, huge numbers.
TOKENS = [b'r="XFD1048576"', b'r="A1"', b'r="0"', b"<c>", b"</c>", b"<row>", b"</row>", b"<row/>", b"<c/>",
          b"<f>SUM(A1:A9)</f>", b"<v></v>", b"<v>1e308</v>", b"&lol;", b"&#0;", b"_x0000_", b"\x00",
          b'<!DOCTYPE x [<!ENTITY lol "lol">]>', b"<x:c r=\"ZZZ9\">", b'<dimension ref="A1:XFD1048576"/>',
          b't="s"', b"<v>99999999</v>", b'"', b">", b"<", b"9" * 40]


def read_bytes(tmp_path: Path, name: str, data: bytes) -> FileResult:
    path = tmp_path / name
    path.write_bytes(data)
    result = read_file(path, CTX, name)
    assert isinstance(result, FileResult)
    assert all(f.file == name for f in result.findings)
    return result


@st.composite
def mutated(draw, data: bytes, tokens: list[bytes] = ()) -> bytes:
    """`data` with a few flips, cuts, insertions or (with tokens) spliced tokens."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "delete"] + (["token"] if tokens else [])))
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        if action == "flip":
            if out:
                out[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "cut":
            del out[at:]
        elif action == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif action == "delete":
            del out[at:at + draw(st.integers(1, 64))]
        else:
            out[at:at] = draw(st.sampled_from(tokens))
    return bytes(out)


def zipped(sheet_xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in PARTS.items():
            book.writestr(name, sheet_xml if name == SHEET else data)
    return buffer.getvalue()


@FUZZ
@given(data=st.binary(max_size=2048), suffix=st.sampled_from([".xlsx", ".xls", ".xlsm", ".csv"]))
def test_random_bytes_never_raise(tmp_path, data, suffix):
    read_bytes(tmp_path, "大宁镇_2016-01" + suffix, data)


@FUZZ
@given(data=st.binary(max_size=512))
def test_random_bytes_after_a_zip_or_ole_header_never_raise(tmp_path, data):
    read_bytes(tmp_path, "大宁镇_2016-01.xlsx", b"PK\x03\x04" + data)
    read_bytes(tmp_path, "大宁镇_2016-01.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + data)


@FUZZ
@given(data=mutated(WORKBOOK))
def test_a_damaged_workbook_never_raises(tmp_path, data):
    read_bytes(tmp_path, "大宁镇_2016-01.xlsx", data)


@FUZZ
@given(xml=mutated(PARTS[SHEET], TOKENS))
def test_damaged_sheet_xml_never_raises(tmp_path, xml):
    read_bytes(tmp_path, "大宁镇_2016-01.xlsx", zipped(xml))


@FUZZ
@given(text=st.text(max_size=300), encoding=st.sampled_from(["utf-8", "gb18030", "utf-16-le", "utf-16"]))
def test_any_text_as_csv_never_raises(tmp_path, text, encoding):
    read_bytes(tmp_path, "城区街道_2016-01.csv", text.encode(encoding, "replace"))
